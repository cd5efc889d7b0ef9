'use client';
// Who is logged in (auth.status), and what the console may offer them. The server decides: these
// only keep the pages from offering what it would refuse.
import { useQuery } from '@tanstack/react-query';
import { roleAtLeast, type Role } from '../../server/auth/roles';
import { useTRPC } from '../trpc/client';

const CHECKING = 'Checking your role…';

export function useSession() {
  const trpc = useTRPC();
  // A role changes only by an admin's hand, which also ends the user's logins: no need to poll.
  const status = useQuery({ ...trpc.auth.status.queryOptions(), staleTime: 60_000 });
  return { user: status.data?.user ?? null, needsSetup: status.data?.needsSetup ?? false, isPending: status.isPending };
}

/** null when the logged-in user has at least `need`; otherwise why not (a button's disabled reason). */
export function useRoleBlocker(need: Role): string | null {
  const { user, isPending } = useSession();
  if (isPending) return CHECKING;
  return user && roleAtLeast(user.role, need) ? null : `Needs the ${need} role`;
}
