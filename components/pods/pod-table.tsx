'use client';
// Every pod with its state, hypervisor, agent, accelerator and containers, refreshed every few seconds.
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../trpc/client';

export function PodTable() {
  const trpc = useTRPC();
  const pods = useQuery({ ...trpc.pod.list.queryOptions(), refetchInterval: 2_000 });
  if (pods.isPending) return <p role="status">Loading pods…</p>;
  if (pods.isError) return <p role="alert">Could not load pods: {pods.error.message}</p>;
  if (pods.data.length === 0) return <p>No pods yet. Create one with <code>npx podvisor pod run</code>.</p>;
  return (
    <table aria-label="Pods">
      <thead>
        <tr>
          <th>Pod</th>
          <th>State</th>
          <th>Hypervisor</th>
          <th>Agent</th>
          <th>Accelerator</th>
          <th>Containers</th>
        </tr>
      </thead>
      <tbody>
        {pods.data.map((pod) => (
          <tr key={pod.id}>
            <td>{pod.id}</td>
            <td data-state={pod.state}>{pod.state}</td>
            <td>{pod.hypervisor}</td>
            <td>{pod.agent}</td>
            <td>{pod.vm?.accelerator ?? '—'}</td>
            <td>{pod.containersStatus.length}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
