'use client';
// `/admin/settings`: the folders whose files API calls may name as host paths (root filesystems,
// volumes, VM assets…). One absolute path per row; the server resolves each and refuses a folder
// that does not exist, naming the row.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { HostPathRootsSchema } from '../../server/engine/types';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../ui/error-message';
import { useToast } from '../ui/toast';
import { PathListEditor } from './path-list-editor';

export function HostPathRoots() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const saved = useQuery(trpc.admin.hostPathRoots.queryOptions());
  const save = useMutation(
    trpc.admin.setHostPathRoots.mutationOptions({
      onSuccess: (roots) => {
        queryClient.setQueryData(trpc.admin.hostPathRoots.queryKey(), roots);
        toast({ kind: 'success', message: `Host path roots saved (${roots.length})` });
      },
      onError: (error) => toast({ kind: 'error', message: errorMessage(error) }),
    }),
  );
  if (saved.isPending) return <p className="empty" role="status">Loading host path roots…</p>;
  if (saved.isError) return <p className="inline-error" role="alert">{errorMessage(saved.error)}</p>;
  return (
    <PathListEditor
      field="roots"
      formLabel="Host path roots"
      title="Host path allowlist"
      hint="Every host path an API call names must lie in one of these folders (symlinks followed)."
      noun="Folder"
      saved={saved.data}
      schema={HostPathRootsSchema}
      saving={save.isPending}
      save={(roots) => save.mutateAsync({ roots })}
    />
  );
}
