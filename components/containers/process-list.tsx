'use client';
// `ps` inside the container (container.processList), as the agent's table or its JSON, refreshed on demand.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { State } from '../../server/engine/types';
import { usePreconditions } from '../pods/use-preconditions';
import { useTRPC } from '../trpc/client';
import { ActionButton } from '../ui/action-button';
import { errorMessage } from '../ui/error-message';
import { formatTime } from '../ui/format';

const FORMATS = ['table', 'json'] as const;

function pretty(output: string, format: (typeof FORMATS)[number]): string {
  if (format !== 'json') return output;
  try {
    return JSON.stringify(JSON.parse(output), null, 2);
  } catch {
    return output;
  }
}

export function ProcessList({ podId, containerId, state, podState }: { podId: string; containerId: string; state: State; podState: State }) {
  const trpc = useTRPC();
  const [format, setFormat] = useState<(typeof FORMATS)[number]>('table');
  const blocker = usePreconditions().container('processList', { id: containerId, state }, { id: podId, state: podState });
  const ps = useQuery({ ...trpc.container.processList.queryOptions({ podId, containerId, options: { format } }), enabled: blocker === null });
  return (
    <section className="card span-2" aria-labelledby="processes-heading">
      <div className="card-header">
        <h2 id="processes-heading">Processes</h2>
        <div className="button-row">
          <div className="segmented" role="radiogroup" aria-label="Process list format">
            {FORMATS.map((f) => (
              <label key={f}>
                <input type="radio" name="ps-format" value={f} checked={format === f} onChange={() => setFormat(f)} />
                {f}
              </label>
            ))}
          </div>
          <ActionButton unavailableBecause={blocker} busy={ps.isFetching} onClick={() => void ps.refetch()}>
            Refresh processes
          </ActionButton>
        </div>
      </div>
      {blocker ? (
        <p className="empty">{blocker}.</p>
      ) : ps.isPending ? (
        <p className="empty" role="status">
          Listing processes…
        </p>
      ) : ps.isError ? (
        <p className="inline-error" role="alert">
          {errorMessage(ps.error)}
        </p>
      ) : (
        <>
          <pre className="code" aria-label="Process list output">
            {pretty(ps.data, format) || '(the agent returned no output)'}
          </pre>
          <p className="field-hint" role="status">
            Listed at {formatTime(new Date(ps.dataUpdatedAt).toISOString())}
          </p>
        </>
      )}
    </section>
  );
}
