'use client';
// Whether an action is possible now: first the user's role (every pod and container action but
// listing processes changes something, which needs an operator), then the engine's state table.
import type { Subject } from '../../server/engine/state';
import { useRoleBlocker } from '../auth/use-session';
import { containerActionBlocker, podActionBlocker, type ContainerAction, type PodAction } from './preconditions';

const READ_ONLY: ContainerAction[] = ['processList'];

export function usePreconditions() {
  const roleBlocker = useRoleBlocker('operator');
  return {
    pod: (name: PodAction, pod: Subject, containers: readonly Subject[]) => roleBlocker ?? podActionBlocker(name, pod, containers),
    container: (name: ContainerAction, container: Subject | null, pod: Subject) =>
      (READ_ONLY.includes(name) ? null : roleBlocker) ?? containerActionBlocker(name, container, pod),
  };
}
