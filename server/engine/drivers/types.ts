// What every driver is handed: the pod as persisted, plus where it may keep runtime files.
// Drivers are stateless objects: whatever they must remember between calls (a PID, a socket
// path) they return as JSON, the engine persists it in the pod record and hands it back.
import type { Logger } from 'pino';
import type { ContainerConfig, PodConfig } from '../types.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type DriverState = Record<string, Json>;

export interface PodRuntime {
  hypervisor: DriverState;
  agent: DriverState;
  network: DriverState;
}

export interface PodContext {
  id: string;
  /** Pod config; `containers` lists the pod's current containers. */
  config: PodConfig;
  /** Short per-pod directory for sockets and logs (kept well under the 107-byte socket path limit). */
  runDir: string;
  runtime: PodRuntime;
  log: Logger;
}

export interface ContainerContext {
  config: ContainerConfig;
  /** Agent-owned JSON kept with the container record (exec tokens, guest PIDs, ...). */
  agentState: DriverState;
}
