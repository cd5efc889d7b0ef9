// The persistence contract. Every API call ends in one `commit`, applied in one transaction,
// so a crash mid-call never leaves half-written records.
import type { PodRuntime, DriverState } from '../drivers/types.js';
import type { NewPodEvent, PodEvent } from '../events.js';
import type { ContainerConfig, PodConfig, Process, State } from '../types.js';

export interface PodRecord {
  id: string;
  state: State;
  /** The pod's config; its `containers` list is kept empty here, containers have their own records. */
  config: PodConfig;
  runtime: PodRuntime;
  createdAt: string;
}

export interface ContainerRecord {
  podId: string;
  id: string;
  state: State;
  config: ContainerConfig;
  process: Process | null;
  agentState: DriverState;
  exitCode: number | null;
  createdAt: string;
}

export interface Change {
  upsertPod?: PodRecord;
  upsertContainers?: ContainerRecord[];
  deleteContainers?: string[];
  /** Deletes the pod with its containers and events; applied after the rest. */
  deletePod?: boolean;
  events?: NewPodEvent[];
}

export interface Store {
  getPod(id: string): Promise<PodRecord | null>;
  listPods(): Promise<PodRecord[]>;
  listContainers(podId: string): Promise<ContainerRecord[]>;
  /** Applies every part of `change` for pod `podId` atomically. */
  commit(podId: string, change: Change): Promise<void>;
  listEvents(podId: string, limit: number): Promise<PodEvent[]>;
  /** Each pod's latest event moving the pod itself (not a container) to `state`, by pod ID: one query, however many pods. */
  lastEntered(state: State): Promise<Map<string, string>>;
  /** Increases with every commit, from any process. */
  generation(): Promise<number>;
  /** An admin setting (JSON), or null when it was never set. Settings do not move the generation. */
  getSetting(key: string): Promise<unknown | null>;
  putSetting(key: string, value: unknown): Promise<void>;
  close(): Promise<void>;
}
