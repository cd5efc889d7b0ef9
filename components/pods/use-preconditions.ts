'use client';
// The precondition checks bound to the engine's tables; until they load, every action says so.
import { useQuery } from '@tanstack/react-query';
import type { State } from '../../server/engine/types';
import { useTRPC } from '../trpc/client';
import { containerActionBlocker, podActionBlocker, type ContainerAction, type PodAction } from './preconditions';

const LOADING = 'Checking what this state allows…';

export function usePreconditions() {
  const trpc = useTRPC();
  const tables = useQuery({ ...trpc.system.preconditions.queryOptions(), staleTime: Infinity }).data;
  return {
    pod: (name: PodAction, state: State) => (tables ? podActionBlocker(tables, name, state) : LOADING),
    container: (name: ContainerAction, state: State | null, podState: State) => (tables ? containerActionBlocker(tables, name, state, podState) : LOADING),
  };
}
