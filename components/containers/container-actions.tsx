'use client';
// Start, stop and delete of one container, enabled by the engine's precondition table.
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { State } from '../../server/engine/types';
import { usePreconditions } from '../pods/use-preconditions';
import { useActionFeedback } from '../trpc/use-action-feedback';
import { useTRPC } from '../trpc/client';
import { ActionButton } from '../ui/action-button';
import { ConfirmDialog } from '../ui/confirm-dialog';

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
  const [confirmDelete, setConfirmDelete] = useState(false);
  const input = { podId, containerId };
  const start = useMutation(trpc.container.start.mutationOptions(feedback(() => `Container ${containerId} started`)));
  const stop = useMutation(trpc.container.stop.mutationOptions(feedback(() => `Container ${containerId} stopped`)));
  const remove = useMutation(trpc.container.delete.mutationOptions(feedback(() => `Container ${containerId} deleted`, () => router.push(`/pods/${podId}`))));
  const busy = start.isPending || stop.isPending || remove.isPending;
  return (
    <div className="button-row" role="group" aria-label="Container actions">
      <ActionButton variant="primary" unavailableBecause={blocker.container('start', state, podState)} busy={busy} onClick={() => start.mutate(input)}>
        Start
      </ActionButton>
      <ActionButton unavailableBecause={blocker.container('stop', state, podState)} busy={busy} onClick={() => stop.mutate(input)}>
        Stop
      </ActionButton>
      <ActionButton variant="danger" unavailableBecause={blocker.container('delete', state, podState)} busy={busy} onClick={() => setConfirmDelete(true)}>
        Delete
      </ActionButton>
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete container ${containerId}?`}
        confirmLabel="Delete"
        danger
        onConfirm={() => {
          setConfirmDelete(false);
          remove.mutate(input);
        }}
        onCancel={() => setConfirmDelete(false)}
      >
        <p>The container and its record are removed from pod {podId}.</p>
      </ConfirmDialog>
    </div>
  );
}
