// VCPod / VCContainer: read-only snapshots of a pod as a call left it, with the two upstream
// setters (SetAnnotations, SetPid) that persist through the engine.
import type { ContainerRecord, PodRecord } from './store/types.js';
import type { VCContainer, VCPod } from './vc.js';

export interface HandleWriters {
  setAnnotations(podId: string, annotations: Record<string, string>): Promise<void>;
  setPid(podId: string, containerId: string, pid: number): Promise<void>;
}

export function podHandle(pod: PodRecord, containers: ContainerRecord[], writers: HandleWriters): VCPod {
  let annotations = { ...pod.config.annotations };
  const handle: VCPod = {
    id: () => pod.id,
    state: () => pod.state,
    config: () => ({ ...pod.config, annotations, containers: containers.map((c) => c.config) }),
    annotation: (key) => annotations[key] ?? '',
    getAnnotations: () => ({ ...annotations }),
    async setAnnotations(more) {
      await writers.setAnnotations(pod.id, more);
      annotations = { ...annotations, ...more };
    },
    getAllContainers: () => handles,
    getContainer: (id) => handles.find((c) => c.id() === id),
  };
  const handles = containers.map((c) => containerHandle(c, handle, writers));
  return handle;
}

function containerHandle(c: ContainerRecord, pod: VCPod, writers: HandleWriters): VCContainer {
  let process = c.process ?? { token: '', pid: 0, startTime: '' };
  return {
    id: () => c.id,
    pod: () => pod,
    state: () => c.state,
    config: () => c.config,
    getAnnotations: () => ({ ...c.config.annotations }),
    getPid: () => process.pid,
    getToken: () => process.token,
    process: () => ({ ...process }),
    async setPid(pid) {
      await writers.setPid(c.podId, c.id, pid);
      process = { ...process, pid };
    },
  };
}
