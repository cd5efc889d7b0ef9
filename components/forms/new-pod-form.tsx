'use client';
// The pod form, once the host's default rootfs is known.
import { PodForm } from './pod-form';
import { WithDefaultRootFs } from './with-default-rootfs';

export function NewPodForm() {
  return <WithDefaultRootFs creating="pods">{(rootFs) => <PodForm rootFs={rootFs} />}</WithDefaultRootFs>;
}
