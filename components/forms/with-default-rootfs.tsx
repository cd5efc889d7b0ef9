'use client';
// Renders a create form once the host's default rootfs (<repo>/var/rootfs/busybox) is known, so the
// form's initial values already hold a path that boots; and only for those who may create (operators).
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { RoleGate } from '../auth/role-gate';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../ui/error-message';

function WhenRootFsKnown({ children }: { children: (rootFs: string) => ReactNode }) {
  const trpc = useTRPC();
  const caps = useQuery({ ...trpc.system.capabilities.queryOptions(), staleTime: Infinity });
  if (caps.isPending) return <p className="empty" role="status">Loading host defaults…</p>;
  // Without the host's answer the form still works: the rootfs field simply starts empty.
  if (caps.isError) return <>{children('')}<p className="inline-error">Host defaults unavailable: {errorMessage(caps.error)}</p></>;
  return <>{children(caps.data.defaultRootFs)}</>;
}

/** `creating`: what the form creates ("pods"), for the note a viewer sees instead. */
export function WithDefaultRootFs({ creating, children }: { creating: string; children: (rootFs: string) => ReactNode }) {
  return (
    <RoleGate need="operator" denied={<p className="empty-state">Creating {creating} needs the operator role.</p>}>
      <WhenRootFsKnown>{children}</WhenRootFsKnown>
    </RoleGate>
  );
}
