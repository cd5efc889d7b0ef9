'use client';
// API tokens with their role, age, expiry, last use and state; a live one can be revoked.
import { useMutation, useQuery } from '@tanstack/react-query';
import type { TokenView } from '../../server/auth/tokens';
import { RoleBadge } from '../auth/role-badge';
import { useActionFeedback } from '../trpc/use-action-feedback';
import { useTRPC } from '../trpc/client';
import { ActionButton } from '../ui/action-button';
import { errorMessage } from '../ui/error-message';
import { formatTime } from '../ui/format';
import { TableHead } from '../ui/table-head';

function stateOf(token: TokenView, now: number): string | null {
  if (token.revokedAt) return `revoked ${formatTime(token.revokedAt)}`;
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return 'expired';
  return null;
}

/** `owner`: only this user's tokens (an admin's list holds everyone's); otherwise all, with an owner column. */
export function TokenTable({ owner }: { owner?: string }) {
  const trpc = useTRPC();
  const feedback = useActionFeedback();
  const tokens = useQuery(trpc.tokens.list.queryOptions());
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions({ ...feedback((t) => `Token ${t.name} revoked`), onSettled: () => void tokens.refetch() }));
  if (tokens.isPending) return <p className="empty" role="status">Loading tokens…</p>;
  if (tokens.isError) return <p className="inline-error" role="alert">{errorMessage(tokens.error)}</p>;
  const shown = owner ? tokens.data.filter((t) => t.owner === owner) : tokens.data;
  if (shown.length === 0) return <p className="empty">No API tokens.</p>;
  const now = Date.now();
  return (
    <table className="data" aria-label="API tokens">
      <TableHead columns={['Name', ...(owner ? [] : ['Owner']), 'Role', 'Created', 'Expires', 'Last used', 'State', '']} />
      <tbody>
        {shown.map((t) => (
          <tr key={t.id}>
            <td className="strong">{t.name}</td>
            {!owner && <td>{t.owner}</td>}
            <td>
              <RoleBadge role={t.role} />
            </td>
            <td>{formatTime(t.createdAt)}</td>
            <td>{t.expiresAt ? formatTime(t.expiresAt) : 'never'}</td>
            <td>{t.lastUsedAt ? formatTime(t.lastUsedAt) : '—'}</td>
            <td>{stateOf(t, now) ?? 'active'}</td>
            <td>
              <ActionButton small variant="danger" unavailableBecause={stateOf(t, now) ? `The token is ${stateOf(t, now)}` : null} busy={revoke.isPending} onClick={() => revoke.mutate({ id: t.id })}>
                Revoke
              </ActionButton>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
