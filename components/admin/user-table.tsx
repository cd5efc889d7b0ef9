'use client';
// Every user: role (changed in place), enabled or disabled, created; disable/enable and a password
// reset. Your own row is locked here, so that an admin cannot lock themselves out by a slip.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ROLES, RoleSchema } from '../../server/auth/roles';
import { useSession } from '../auth/use-session';
import { useActionFeedback } from '../trpc/use-action-feedback';
import { useTRPC } from '../trpc/client';
import { ActionButton } from '../ui/action-button';
import { errorMessage } from '../ui/error-message';
import { formatTime } from '../ui/format';
import { TableHead } from '../ui/table-head';
import { ResetPasswordForm } from './reset-password-form';

const YOURSELF = 'This is you: another admin can change your role or disable you';

export function UserTable() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const feedback = useActionFeedback();
  const { user: me } = useSession();
  const users = useQuery(trpc.admin.users.queryOptions());
  const [resetting, setResetting] = useState<string | null>(null);
  const update = useMutation(
    trpc.admin.updateUser.mutationOptions({
      ...feedback((u) => `${u.name}: ${u.disabled ? 'disabled' : u.role}`),
      onSettled: () => void queryClient.invalidateQueries(trpc.admin.users.pathFilter()),
    }),
  );
  if (users.isPending) return <p className="empty" role="status">Loading users…</p>;
  if (users.isError) return <p className="inline-error" role="alert">{errorMessage(users.error)}</p>;
  return (
    <div className="stack span-2">
      <table className="data" aria-label="Users">
        <TableHead columns={['Name', 'Role', 'State', 'Created', '']} />
        <tbody>
          {users.data.map((u) => {
            const self = u.name === me?.name;
            return (
              <tr key={u.id}>
                <td className="strong">{u.name}</td>
                <td>
                  <select aria-label={`Role of ${u.name}`} value={u.role} disabled={self || update.isPending} title={self ? YOURSELF : undefined} onChange={(e) => update.mutate({ name: u.name, role: RoleSchema.parse(e.target.value) })}>
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>{u.disabled ? 'disabled' : 'enabled'}</td>
                <td>{formatTime(u.createdAt)}</td>
                <td className="button-row">
                  <ActionButton small unavailableBecause={self ? YOURSELF : null} busy={update.isPending} onClick={() => update.mutate({ name: u.name, disabled: !u.disabled })}>
                    {u.disabled ? `Enable ${u.name}` : `Disable ${u.name}`}
                  </ActionButton>
                  <button type="button" className="btn btn-small" onClick={() => setResetting(u.name)}>
                    Reset password of {u.name}
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {resetting && <ResetPasswordForm key={resetting} name={resetting} onDone={() => setResetting(null)} />}
    </div>
  );
}
