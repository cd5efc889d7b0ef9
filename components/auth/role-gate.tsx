'use client';
// Renders its children only once the user is known to hold `need`, so that nothing inside (a terminal's
// tRPC calls, say) runs for a user the server would refuse; otherwise `denied`.
import type { ReactNode } from 'react';
import type { Role } from '../../server/auth/roles';
import { useRoleBlocker, useSession } from './use-session';

export function RoleGate({ need, denied, children }: { need: Role; denied: ReactNode; children: ReactNode }) {
  const { isPending } = useSession();
  const blocker = useRoleBlocker(need);
  if (isPending) return null;
  return <>{blocker ? denied : children}</>;
}
