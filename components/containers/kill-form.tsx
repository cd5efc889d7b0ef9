'use client';
// Send a signal to the container's init, or to every process in it.
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { State } from '../../server/engine/types';
import { usePreconditions } from '../pods/use-preconditions';
import { useActionFeedback } from '../trpc/use-action-feedback';
import { useTRPC } from '../trpc/client';
import { ActionButton } from '../ui/action-button';
import { CheckboxField } from '../ui/checkbox-field';

const SIGNALS = ['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGSTOP', 'SIGCONT'];

export function KillForm({ podId, containerId, state, podState }: { podId: string; containerId: string; state: State; podState: State }) {
  const trpc = useTRPC();
  const blocker = usePreconditions();
  const feedback = useActionFeedback();
  const [signal, setSignal] = useState('SIGTERM');
  const [all, setAll] = useState(false);
  const kill = useMutation(trpc.container.kill.mutationOptions(feedback((_, v) => `${v.signal} sent to ${v.all ? 'every process in ' : ''}${containerId}`)));
  return (
    <section className="card" aria-labelledby="signal-heading">
      <h2 id="signal-heading">Signal</h2>
      <div className="toolbar">
        <label className="inline-label">
          Signal
          <select aria-label="Signal" value={signal} onChange={(e) => setSignal(e.target.value)}>
            {SIGNALS.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <CheckboxField label="All processes" checked={all} onChange={setAll} />
        <ActionButton variant="danger" unavailableBecause={blocker.container('kill', { id: containerId, state }, { id: podId, state: podState })} busy={kill.isPending} onClick={() => kill.mutate({ podId, containerId, signal, all })}>
          Kill
        </ActionButton>
      </div>
    </section>
  );
}
