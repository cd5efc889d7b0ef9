// A container's own mounts as crun makes them: a bind's source becomes a guest path (a name in the
// pod's shared dir, or a path in a volume), every other type keeps its label and options.
// Read-only is enforced here, inside the guest: the host's `ro` travels in the options.
import { join, normalize } from 'node:path';
import type { ContainerMount } from '../protocol/ops.js';
import type { OciMount } from './oci-spec.js';
import { volumePath, type MountedVolumes } from './volumes.js';

export interface MountSources {
  sharedDir: string;
  volumes: MountedVolumes;
}

async function sourceOf(m: ContainerMount, where: MountSources): Promise<string> {
  if (m.source.kind === 'shared') return join(where.sharedDir, m.source.name);
  if (m.source.kind === 'volume') return volumePath(where.volumes, m.source.tag, m.source.path);
  return m.source.label;
}

/** Destinations normalized, so that one replaces a default mount however it is spelt (/dev/shm/). */
export function ociMounts(mounts: ContainerMount[], where: MountSources): Promise<OciMount[]> {
  return Promise.all(
    mounts.map(async (m): Promise<OciMount> => {
      const recursion = m.type === 'bind' && !m.options.some((o) => o === 'bind' || o === 'rbind') ? ['rbind'] : [];
      const destination = normalize(m.destination).replace(/(.)\/$/, '$1');
      return { destination, type: m.type, source: await sourceOf(m, where), options: [...recursion, ...m.options] };
    }),
  );
}
