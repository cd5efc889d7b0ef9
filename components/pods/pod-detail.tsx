'use client';
// `/pods/[podId]`: the pod's state and actions, VM usage, containers, network, annotations, timeline and config.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../ui/error-message';
import { PageHeader } from '../ui/page-header';
import { StateBadge } from '../ui/state-badge';
import { AnnotationsEditor } from './annotations-editor';
import { EffectiveConfig } from './effective-config';
import { PodActions } from './pod-actions';
import { PodConfigView } from './pod-config-view';
import { PodContainers } from './pod-containers';
import { PodEvents } from './pod-events';
import { PodNetwork } from './pod-network';
import { PodSummary } from './pod-summary';
import { PodMetrics } from '../metrics/pod-metrics';
import { PodLiveSteps } from '../live/live-steps';
import { OperatorOnlyTerminal } from '../terminal/operator-only';
import { VmConsole } from '../terminal/vm-console';

const CRUMBS = [{ href: '/pods', label: 'Pods' }];

export function PodDetail({ podId }: { podId: string }) {
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.pod.status.queryOptions({ podId }), refetchInterval: 10_000 });
  const config = useQuery(trpc.system.podConfig.queryOptions({ podId }));

  if (status.isPending) return <PageHeader title={podId} crumbs={CRUMBS} badge={<span role="status">Loading…</span>} />;
  if (status.isError) {
    return (
      <>
        <PageHeader title={podId} crumbs={CRUMBS} />
        <div className="empty-state" role="alert">
          <h2>Pod unavailable</h2>
          <p>{errorMessage(status.error)}</p>
          <Link href="/pods">Back to the pod list</Link>
        </div>
      </>
    );
  }
  const pod = status.data;
  return (
    <>
      <PageHeader title={pod.id} crumbs={CRUMBS} badge={<StateBadge state={pod.state} />} actions={<PodActions pod={pod} />} />
      <div className="detail-grid">
        <div className="span-2">
          <PodLiveSteps podId={pod.id} />
        </div>
        <PodSummary status={pod} config={config.data} />
        <EffectiveConfig status={pod} />
        <div className="span-2">
          <PodMetrics podId={pod.id} hasVm={Boolean(pod.vm?.pid)} />
        </div>
        <div className="span-2">
          <PodContainers status={pod} />
        </div>
        <div className="span-2">
          <PodNetwork status={pod} config={config.data} />
        </div>
        {pod.vm && (
          <OperatorOnlyTerminal title="VM console">
            <VmConsole podId={pod.id} />
          </OperatorOnlyTerminal>
        )}
        <PodEvents podId={pod.id} />
        <div className="stack">
          <AnnotationsEditor podId={pod.id} annotations={pod.annotations} />
          <PodConfigView config={config.data} />
        </div>
      </div>
    </>
  );
}
