'use client';
// `/pods/[podId]/containers/[containerId]`: status, lifecycle, signals, processes and (soon) terminals.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../ui/error-message';
import { PageHeader } from '../ui/page-header';
import { StateBadge } from '../ui/state-badge';
import { ContainerActions } from './container-actions';
import { ContainerStatusCard } from './container-status';
import { ContainerStorage } from './container-storage';
import { KillForm } from './kill-form';
import { ProcessList } from './process-list';
import { TerminalsRegion } from './terminals-region';

export function ContainerDetail({ podId, containerId }: { podId: string; containerId: string }) {
  const trpc = useTRPC();
  const status = useQuery(trpc.container.status.queryOptions({ podId, containerId }));
  const pod = useQuery(trpc.pod.status.queryOptions({ podId }));
  const podConfig = useQuery(trpc.system.podConfig.queryOptions({ podId }));
  const crumbs = [
    { href: '/pods', label: 'Pods' },
    { href: `/pods/${podId}`, label: podId },
  ];
  if (status.isPending || pod.isPending) return <PageHeader title={containerId} crumbs={crumbs} badge={<span role="status">Loading…</span>} />;
  if (status.isError || pod.isError) {
    return (
      <>
        <PageHeader title={containerId} crumbs={crumbs} />
        <div className="empty-state" role="alert">
          <h2>Container unavailable</h2>
          <p>{errorMessage(status.error ?? pod.error)}</p>
          <Link href={`/pods/${podId}`}>Back to pod {podId}</Link>
        </div>
      </>
    );
  }
  const props = { podId, containerId, state: status.data.state, podState: pod.data.state };
  return (
    <>
      <PageHeader title={containerId} crumbs={crumbs} badge={<StateBadge state={status.data.state} />} actions={<ContainerActions {...props} />} />
      <div className="detail-grid">
        <ContainerStatusCard status={status.data} />
        <KillForm {...props} />
        <ProcessList {...props} />
        <ContainerStorage config={podConfig.data?.containers.find((c) => c.id === containerId)} />
        <TerminalsRegion podId={podId} containerId={containerId} running={status.data.state === 'running'} />
      </div>
    </>
  );
}
