// containerd's and ttrpc's protobuf messages, from the .proto files beside this module (written
// for this project from containerd 1.6's API), through protobufjs. Field names are camelCase
// (exec_id → execId); google.protobuf.Timestamp/Any/Empty are protobufjs's bundled definitions.
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const DIR = fileURLToPath(new URL('./proto/', import.meta.url));
const root = new protobuf.Root();
// The files import each other by bare name: resolve those in this folder, google's from protobufjs.
root.resolvePath = (_origin, target) => (target.startsWith('google/') || target.startsWith('/') ? target : `${DIR}${target}`);
root.loadSync(['ttrpc.proto', 'shim.proto', 'events.proto'].map((f) => `${DIR}${f}`));

export const TASK_SERVICE = 'containerd.task.v2.Task';
export const EVENTS_SERVICE = 'containerd.services.events.ttrpc.v1.Events';

export function type(name: string): protobuf.Type {
  return root.lookupType(name);
}

/** Encodes `value` (plain object, camelCase fields) as message `name`. */
export function encode(name: string, value: Record<string, unknown>): Buffer {
  const t = type(name);
  return Buffer.from(t.encode(t.fromObject(value)).finish());
}

/** Decodes message `name`: enums as numbers, 64-bit integers as numbers, bytes as Buffers, defaults filled. */
export function decode<T = Record<string, unknown>>(name: string, bytes: Uint8Array): T {
  const t = type(name);
  return t.toObject(t.decode(bytes), { longs: Number, enums: Number, bytes: Buffer, defaults: true, arrays: true, objects: true }) as T;
}

/** The Task service's request and response types of each method, from shim.proto. */
export function taskMethod(method: string): { request: string; response: string } | null {
  const service = root.lookupService(TASK_SERVICE);
  const m = service.methods[method];
  if (!m) return null;
  m.resolve();
  return { request: m.resolvedRequestType!.fullName.slice(1), response: m.resolvedResponseType!.fullName.slice(1) };
}

export interface Timestamp {
  seconds: number;
  nanos: number;
}

export function timestamp(date: Date): Timestamp {
  const ms = date.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

/** containerd.v1.types.Status. */
export const STATUS = { unknown: 0, created: 1, running: 2, stopped: 3, paused: 4 } as const;
