'use client';
// Subscribes to live.changes and refetches pod and container state when the store's generation moves, whoever
// made the change (this page, another browser, the CLI). Shows whether updates are flowing.
import { useSubscription } from '@trpc/tanstack-react-query';
import { useTRPC } from '../trpc/client';
import { useRefetchState } from '../trpc/use-refetch-state';

const LABELS = { idle: 'Paused', connecting: 'Connecting…', pending: 'Live', error: 'Offline' } as const;

export function LiveStatus() {
  const trpc = useTRPC();
  const refetchState = useRefetchState();
  const live = useSubscription(trpc.live.changes.subscriptionOptions(undefined, { onData: () => void refetchState() }));
  return (
    <p className="live-status" data-status={live.status} role="status" title="Pages refresh themselves when anything changes">
      <span className="live-dot" aria-hidden="true" /> {LABELS[live.status]}
    </p>
  );
}
