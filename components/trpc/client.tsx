'use client';
// The one tRPC client of the pages, wired into React Query: queries and mutations go batched over
// HTTP, subscriptions (live updates) over server-sent events. A call refused for want of a login
// (session expired, logged out in another tab) sends the page to /login, from this one place.
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import { useState, type ReactNode } from 'react';
import type { AppRouter } from '../../server/api/root';
import { CSRF_COOKIE, CSRF_HEADER } from '../../server/auth/web-names';

/** The CSRF token the login set in a readable cookie, echoed on every request (server/api/trpc.ts checks it). */
function csrfHeaders(): Record<string, string> {
  const match = document.cookie.split('; ').find((c) => c.startsWith(`${CSRF_COOKIE}=`));
  return match ? { [CSRF_HEADER]: decodeURIComponent(match.slice(CSRF_COOKIE.length + 1)) } : {};
}

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

const codeOf = (error: unknown) => (error as { data?: { code?: string } | null })?.data?.code;
/** Pages where a refusal is the answer to show (a wrong password), not a reason to go and log in. */
const LOGIN_PAGES = ['/login', '/setup'];

function toLoginIfLoggedOut(error: unknown): void {
  const { pathname, search } = window.location;
  if (codeOf(error) !== 'UNAUTHORIZED' || LOGIN_PAGES.includes(pathname)) return;
  window.location.assign(`/login?next=${encodeURIComponent(pathname + search)}`);
}

function newQueryClient(): QueryClient {
  const onError = (error: unknown) => {
    toLoginIfLoggedOut(error);
    // Refused for the role: an admin may have just lowered it, so ask again who we are (buttons follow).
    // [['auth', 'status']] is the start of tRPC's query key for auth.status.
    if (codeOf(error) === 'FORBIDDEN') void client.invalidateQueries({ queryKey: [['auth', 'status']] });
  };
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    // Asking again cannot turn a refusal into an answer.
    defaultOptions: { queries: { staleTime: 1_000, retry: (count, error) => count < 1 && !['UNAUTHORIZED', 'FORBIDDEN'].includes(codeOf(error) ?? '') } },
  });
  return client;
}

export function TrpcProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(newQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === 'subscription',
          true: httpSubscriptionLink({ url: '/api/trpc' }),
          false: httpBatchLink({ url: '/api/trpc', headers: csrfHeaders }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
