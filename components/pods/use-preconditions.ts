'use client';
// Whether an action is possible now: first the user's role (every pod and container action but
// listing processes changes something, which needs an operator), then the engine's state tables.
// Until both are known, every action says so.
import { useQuery } from '@tanstack/react-query';
import type { State } from '../../server/engine/types';
import { useRoleBlocker } from '../auth/use-session';
import { useTRPC } from '../trpc/client';
import { containerActionBlocker, podActionBlocker, type ContainerAction, type PodAction } from './preconditions';

const LOADING = 'Checking what this state allows…';
const READ_ONLY: ContainerAction[] = ['processList'];

export function usePreconditions() {
  const trpc = useTRPC();
  const tables = useQuery({ ...trpc.system.preconditions.queryOptions(), staleTime: Infinity }).data;
  const roleBlocker = useRoleBlocker('operator');
  return {
    pod: (name: PodAction, state: State) => roleBlocker ?? (tables ? podActionBlocker(tables, name, state) : LOADING),
    container: (name: ContainerAction, state: State | null, podState: State) =>
      (READ_ONLY.includes(name) ? null : roleBlocker) ?? (tables ? containerActionBlocker(tables, name, state, podState) : LOADING),
  };
}
