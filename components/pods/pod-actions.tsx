'use client';
// Lifecycle buttons of one pod: only the calls valid in its state (and, for delete, its containers')
// are enabled, the others say why.
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import type { PodStatus } from '../../server/engine/types';
import { useActionFeedback } from '../trpc/use-action-feedback';
import { useTRPC } from '../trpc/client';
import { ActionButton } from '../ui/action-button';
import { ConfirmedDelete } from '../ui/confirmed-delete';
import type { PodAction } from './preconditions';
import { usePreconditions } from './use-preconditions';

export function PodActions({ pod }: { pod: PodStatus }) {
  const podId = pod.id;
  const trpc = useTRPC();
  const router = useRouter();
  const feedback = useActionFeedback();
  const blocker = usePreconditions();
  const why = (name: PodAction) => blocker.pod(name, pod, pod.containersStatus);
  const start = useMutation(trpc.pod.start.mutationOptions(feedback(() => `Pod ${podId} started`)));
  const stop = useMutation(trpc.pod.stop.mutationOptions(feedback(() => `Pod ${podId} stopped`)));
  const pause = useMutation(trpc.pod.pause.mutationOptions(feedback(() => `Pod ${podId} paused`)));
  const resume = useMutation(trpc.pod.resume.mutationOptions(feedback(() => `Pod ${podId} resumed`)));
  const remove = useMutation(trpc.pod.delete.mutationOptions(feedback(() => `Pod ${podId} deleted`, () => router.push('/pods'))));
  const busy = [start, stop, pause, resume, remove].some((m) => m.isPending);
  const input = { podId };
  return (
    <div className="button-row" role="group" aria-label="Pod actions">
      <ActionButton variant="primary" unavailableBecause={why('start')} busy={busy} onClick={() => start.mutate(input)}>
        Start
      </ActionButton>
      <ActionButton unavailableBecause={why('pause')} busy={busy} onClick={() => pause.mutate(input)}>
        Pause
      </ActionButton>
      <ActionButton unavailableBecause={why('resume')} busy={busy} onClick={() => resume.mutate(input)}>
        Resume
      </ActionButton>
      <ActionButton unavailableBecause={why('stop')} busy={busy} onClick={() => stop.mutate(input)}>
        Stop
      </ActionButton>
      <ConfirmedDelete what={`pod ${podId}`} unavailableBecause={why('delete')} busy={busy} onDelete={() => remove.mutate(input)}>
        <p>This removes the pod, its containers and their records. It cannot be undone.</p>
      </ConfirmedDelete>
    </div>
  );
}
