'use client';
// The pod's timeline (pod.events), newest first: each API call's outcome and the state moves it made.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '../trpc/client';
import { formatTime } from '../ui/format';

/** Terminal sessions end with `…; recorded as <id>` (server/terminal/sessions.ts). */
const recordingIn = (message: string | null) => /recorded as ([0-9a-f-]{36})/.exec(message ?? '')?.[1];

export function PodEvents({ podId }: { podId: string }) {
  const trpc = useTRPC();
  const events = useQuery(trpc.pod.events.queryOptions({ podId, limit: 100 }));
  return (
    <section className="card" aria-labelledby="events-heading">
      <h2 id="events-heading">Events</h2>
      {events.isPending ? (
        <p className="empty" role="status">
          Loading events…
        </p>
      ) : events.isError ? (
        <p className="inline-error">{events.error.message}</p>
      ) : (
        <ol className="timeline" aria-label="Pod events">
          {[...events.data].reverse().map((e) => (
            <li key={e.id} data-outcome={e.outcome}>
              <time dateTime={e.time}>{formatTime(e.time)}</time>
              <span>
                <span className="mono strong">
                  {e.call}
                  {e.containerId ? ` · ${e.containerId}` : ''}
                </span>
                {e.fromState !== e.toState && e.toState && (
                  <span className="transition">
                    {e.fromState ?? '∅'} → {e.toState}
                  </span>
                )}
              </span>
              <span className={e.outcome === 'error' ? 'event-message inline-error' : 'event-message'}>
                {e.errorCode ? `${e.errorCode}: ` : ''}
                {e.message}
                {recordingIn(e.message) && (
                  <>
                    {' '}
                    <Link href={`/recordings/${recordingIn(e.message)}`} className="event-replay">
                      Replay
                    </Link>
                  </>
                )}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
