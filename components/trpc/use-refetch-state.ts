'use client';
// Refetches what shows pod and container state (not the host facts, which do not change with pods).
import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useTRPC } from './client';

export function useRefetchState() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useCallback(
    () =>
      Promise.all(
        [trpc.pod, trpc.container, trpc.system.podOverview, trpc.system.podConfig].map((procedures) => queryClient.invalidateQueries(procedures.pathFilter())),
      ),
    [trpc, queryClient],
  );
}
