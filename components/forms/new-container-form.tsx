'use client';
// The container form, once the host's default rootfs is known.
import { ContainerForm } from './container-form';
import { WithDefaultRootFs } from './with-default-rootfs';

export function NewContainerForm({ podId }: { podId: string }) {
  return <WithDefaultRootFs creating="containers">{(rootFs) => <ContainerForm podId={podId} rootFs={rootFs} />}</WithDefaultRootFs>;
}
