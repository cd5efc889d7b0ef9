// A user's or a token's role, as a small badge.
import type { Role } from '../../server/auth/roles';

export function RoleBadge({ role }: { role: Role }) {
  return (
    <span className="role-badge" data-role={role}>
      {role}
    </span>
  );
}
