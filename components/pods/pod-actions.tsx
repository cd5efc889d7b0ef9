'use client';
// Lifecycle buttons of one pod: only the calls valid in its state are enabled, the others say why.
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { State } from '../../server/engine/types';
import { useActionFeedback } from '../trpc/use-action-feedback';
import { useTRPC } from '../trpc/client';
import { ActionButton } from '../ui/action-button';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { usePreconditions } from './use-preconditions';

export function PodActions({ podId, state }: { podId: string; state: State }) {
  const trpc = useTRPC();
  const router = useRouter();
  const feedback = useActionFeedback();
  const blocker = usePreconditions();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const start = useMutation(trpc.pod.start.mutationOptions(feedback(() => `Pod ${podId} started`)));
  const stop = useMutation(trpc.pod.stop.mutationOptions(feedback(() => `Pod ${podId} stopped`)));
  const pause = useMutation(trpc.pod.pause.mutationOptions(feedback(() => `Pod ${podId} paused`)));
  const resume = useMutation(trpc.pod.resume.mutationOptions(feedback(() => `Pod ${podId} resumed`)));
  const remove = useMutation(trpc.pod.delete.mutationOptions(feedback(() => `Pod ${podId} deleted`, () => router.push('/pods'))));
  const busy = [start, stop, pause, resume, remove].some((m) => m.isPending);
  const input = { podId };
  return (
    <div className="button-row" role="group" aria-label="Pod actions">
      <ActionButton variant="primary" unavailableBecause={blocker.pod('start', state)} busy={busy} onClick={() => start.mutate(input)}>
        Start
      </ActionButton>
      <ActionButton unavailableBecause={blocker.pod('pause', state)} busy={busy} onClick={() => pause.mutate(input)}>
        Pause
      </ActionButton>
      <ActionButton unavailableBecause={blocker.pod('resume', state)} busy={busy} onClick={() => resume.mutate(input)}>
        Resume
      </ActionButton>
      <ActionButton unavailableBecause={blocker.pod('stop', state)} busy={busy} onClick={() => stop.mutate(input)}>
        Stop
      </ActionButton>
      <ActionButton variant="danger" unavailableBecause={blocker.pod('delete', state)} busy={busy} onClick={() => setConfirmDelete(true)}>
        Delete
      </ActionButton>
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete pod ${podId}?`}
        confirmLabel="Delete"
        danger
        onConfirm={() => {
          setConfirmDelete(false);
          remove.mutate(input);
        }}
        onCancel={() => setConfirmDelete(false)}
      >
        <p>This removes the pod, its containers and their records. It cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}
