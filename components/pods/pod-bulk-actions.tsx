'use client';
// Start, stop or delete every selected pod the action applies to, after a confirmation that lists
// which pods it will touch and which it skips (and why).
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useRoleBlocker } from '../auth/use-session';
import { useTRPC } from '../trpc/client';
import { useRefetchState } from '../trpc/use-refetch-state';
import { ActionButton } from '../ui/action-button';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { errorMessage } from '../ui/error-message';
import { useToast } from '../ui/toast';
import type { PodRow } from './list-view';
import { usePreconditions } from './use-preconditions';

const BULK_ACTIONS = ['start', 'stop', 'delete'] as const;
type BulkAction = (typeof BULK_ACTIONS)[number];
const PAST: Record<BulkAction, string> = { start: 'started', stop: 'stopped', delete: 'deleted' };
const capitalized = (action: BulkAction) => action[0]!.toUpperCase() + action.slice(1);
const pods = (n: number) => `${n} pod${n === 1 ? '' : 's'}`;

export function PodBulkActions({ rows, onDone }: { rows: PodRow[]; onDone: () => void }) {
  const trpc = useTRPC();
  const toast = useToast();
  const refetchState = useRefetchState();
  const blocker = usePreconditions();
  const [pending, setPending] = useState<BulkAction | null>(null);
  const mutations = {
    start: useMutation(trpc.pod.start.mutationOptions()),
    stop: useMutation(trpc.pod.stop.mutationOptions()),
    delete: useMutation(trpc.pod.delete.mutationOptions()),
  };
  const roleBlocker = useRoleBlocker('operator');
  const applicable = (action: BulkAction) => rows.filter((r) => blocker.pod(action, r, r.containerStates) === null);
  const unavailable = (action: BulkAction) =>
    roleBlocker ?? (rows.length === 0 ? 'Select pods first' : applicable(action).length === 0 ? `None of the selected pods can be ${PAST[action]}` : null);

  const run = async (action: BulkAction) => {
    setPending(null);
    const targets = applicable(action);
    const results = await Promise.allSettled(targets.map((r) => mutations[action].mutateAsync({ podId: r.id })));
    const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${targets[i]!.id}: ${errorMessage(r.reason)}`] : []));
    const done = targets.length - failed.length;
    if (done) toast({ kind: 'success', message: `${capitalized(action)}: ${pods(done)} done` });
    for (const f of failed) toast({ kind: 'error', message: `${action} failed for ${f}` });
    onDone();
    await refetchState();
  };

  const skipped = pending ? rows.filter((r) => blocker.pod(pending, r, r.containerStates) !== null) : [];
  return (
    <>
      <span className="selection-count" aria-live="polite">
        {rows.length ? `${rows.length} selected` : ''}
      </span>
      {BULK_ACTIONS.map((action) => (
        <ActionButton key={action} small variant={action === 'delete' ? 'danger' : 'default'} unavailableBecause={unavailable(action)} onClick={() => setPending(action)}>
          {capitalized(action)} selected
        </ActionButton>
      ))}
      <ConfirmDialog
        open={pending !== null}
        title={pending ? `${capitalized(pending)} ${pods(applicable(pending).length)}?` : ''}
        confirmLabel={pending ? capitalized(pending) : ''}
        danger={pending === 'delete' || pending === 'stop'}
        onConfirm={() => pending && void run(pending)}
        onCancel={() => setPending(null)}
      >
        {pending && (
          <>
            <p>{applicable(pending).map((r) => r.id).join(', ')}</p>
            {skipped.length > 0 && (
              <p className="field-hint">
                Skipped: {skipped.map((r) => `${r.id} (${r.state})`).join(', ')}
              </p>
            )}
            {pending === 'delete' && <p className="field-hint">Deleting removes the pod, its containers and its records.</p>}
          </>
        )}
      </ConfirmDialog>
    </>
  );
}
