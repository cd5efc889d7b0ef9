'use client';
// `/admin/settings`: the glob patterns of host devices API calls may name (deviceInfos, a rootfs on
// a block device). One pattern per row; an empty list allows no device. The server resolves what
// the patterns match at each call, as it resolves the folder roots.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { HostDevicePatternsSchema } from '../../server/engine/host-device-patterns';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../ui/error-message';
import { useToast } from '../ui/toast';
import { PathListEditor } from './path-list-editor';

export function HostDevicePatterns() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const saved = useQuery(trpc.admin.hostDevicePatterns.queryOptions());
  const save = useMutation(
    trpc.admin.setHostDevicePatterns.mutationOptions({
      onSuccess: (patterns) => {
        queryClient.setQueryData(trpc.admin.hostDevicePatterns.queryKey(), patterns);
        toast({ kind: 'success', message: `Host device patterns saved (${patterns.length})` });
      },
      onError: (error) => toast({ kind: 'error', message: errorMessage(error) }),
    }),
  );
  if (saved.isPending) return <p className="empty" role="status">Loading host device patterns…</p>;
  if (saved.isError) return <p className="inline-error" role="alert">{errorMessage(saved.error)}</p>;
  return (
    <PathListEditor
      field="patterns"
      formLabel="Host device patterns"
      title="Host device allowlist"
      hint={
        <>
          A device node an API call names (<span className="mono">deviceInfos</span>, a block rootfs) must resolve to one these patterns match, such as{' '}
          <span className="mono">/dev/loop*</span> (symlinks followed).
        </>
      }
      noun="Pattern"
      emptyText="No device allowed."
      saved={saved.data}
      schema={HostDevicePatternsSchema}
      saving={save.isPending}
      save={(patterns) => save.mutateAsync({ patterns })}
    />
  );
}
