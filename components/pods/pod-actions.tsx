'use client';
// Lifecycle buttons of one pod: only the calls valid in its state are enabled, the others say why.
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import type { State } from '../../server/engine/types';
import { useActionFeedback } from '../trpc/use-action-feedback';
import { useTRPC } from '../trpc/client';
import { ActionButton } from '../ui/action-button';
import { ConfirmedDelete } from '../ui/confirmed-delete';
import { usePreconditions } from './use-preconditions';

export function PodActions({ podId, state }: { podId: string; state: State }) {
  const trpc = useTRPC();
  const router = useRouter();
  const feedback = useActionFeedback();
  const blocker = usePreconditions();
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
      <ConfirmedDelete what={`pod ${podId}`} unavailableBecause={blocker.pod('delete', state)} busy={busy} onDelete={() => remove.mutate(input)}>
        <p>This removes the pod, its containers and their records. It cannot be undone.</p>
      </ConfirmedDelete>
    </div>
  );
}
