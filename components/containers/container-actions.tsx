'use client';
// Start, stop and delete of one container, enabled by the engine's precondition table.
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import type { State } from '../../server/engine/types';
import type { ContainerAction } from '../pods/preconditions';
import { usePreconditions } from '../pods/use-preconditions';
import { useActionFeedback } from '../trpc/use-action-feedback';
import { useTRPC } from '../trpc/client';
import { ActionButton } from '../ui/action-button';
import { ConfirmedDelete } from '../ui/confirmed-delete';

interface Props {
  podId: string;
  containerId: string;
  state: State;
  podState: State;
}

export function ContainerActions({ podId, containerId, state, podState }: Props) {
  const trpc = useTRPC();
  const blocker = usePreconditions();
  const router = useRouter();
  const feedback = useActionFeedback();
  const input = { podId, containerId };
  const why = (name: ContainerAction) => blocker.container(name, { id: containerId, state }, { id: podId, state: podState });
  const start = useMutation(trpc.container.start.mutationOptions(feedback(() => `Container ${containerId} started`)));
  const stop = useMutation(trpc.container.stop.mutationOptions(feedback(() => `Container ${containerId} stopped`)));
  const remove = useMutation(trpc.container.delete.mutationOptions(feedback(() => `Container ${containerId} deleted`, () => router.push(`/pods/${podId}`))));
  const busy = start.isPending || stop.isPending || remove.isPending;
  return (
    <div className="button-row" role="group" aria-label="Container actions">
      <ActionButton variant="primary" unavailableBecause={why('start')} busy={busy} onClick={() => start.mutate(input)}>
        Start
      </ActionButton>
      <ActionButton unavailableBecause={why('stop')} busy={busy} onClick={() => stop.mutate(input)}>
        Stop
      </ActionButton>
      <ConfirmedDelete what={`container ${containerId}`} unavailableBecause={why('delete')} busy={busy} onDelete={() => remove.mutate(input)}>
        <p>The container and its record are removed from pod {podId}.</p>
      </ConfirmedDelete>
    </div>
  );
}
