'use client';
// The sidebar's signed-in block: who, with which role, their account page and logging out.
import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '../trpc/client';
import { RoleBadge } from './role-badge';
import { useSession } from './use-session';

export function UserBlock() {
  const trpc = useTRPC();
  const { user } = useSession();
  // A full load of /login drops every cached query of the user who left.
  const logout = useMutation(trpc.auth.logout.mutationOptions({ onSettled: () => window.location.assign('/login') }));
  if (!user) return null;
  return (
    <section className="user-block" aria-label="Signed in">
      <p>
        <span className="strong">{user.name}</span> <RoleBadge role={user.role} />
      </p>
      <div className="sidebar-row">
        <Link href="/account">Account</Link>
        <button type="button" className="btn btn-small" disabled={logout.isPending} onClick={() => logout.mutate()}>
          Log out
        </button>
      </div>
    </section>
  );
}
