// How the hyperstart driver reaches its guest: through the host-wide ccProxy (hyperstart-cc.ts),
// or with noProxy by itself (hyperstart-direct.ts). The driver (hyperstart.ts) holds what both
// share — the call order, the payloads, mounts and shims — and asks its link only this.
import type { GuestNetwork, VmDevice, VmEndpoints } from '../devices.js';
import type { ShimParams } from '../shim/types.js';
import type { DriverState, PodContext } from '../types.js';
import { EngineError } from '../../errors.js';
import type { ProcessIo } from './types.js';

/** A process the link started: its token, and its id in the guest (the container id for init). */
export interface HyperProcessRef {
  containerId: string;
  token: string;
  /** The guest's process id: WINSIZE names it; only a container's init can be signalled alone. */
  guestProcess: string;
}

export interface HyperLink {
  /** The two serial ports the guest needs, with the transports this link reads them through. */
  ports(): Extract<VmDevice, { kind: 'serialPort' }>[];
  /** After boot: wait for READY, send STARTPOD; the returned state is the pod's agent state. */
  startPod(pod: PodContext, vm: VmEndpoints, network: GuestNetwork, startPod: object, readyTimeoutMs: number): Promise<DriverState>;
  /** DESTROYPOD (the guest may be gone already), then let go of the VM. */
  stopPod(pod: PodContext): Promise<void>;
  /** One command; with `token`, the process it starts gets that token's stdio seqs. */
  hyper(pod: PodContext, name: string, data: object | null, token?: string, timeoutMs?: number): Promise<string>;
  /** A new I/O token for a process about to start. */
  newToken(pod: PodContext): Promise<string>;
  /** What the shim of `ref` is started with. */
  shimParams(pod: PodContext, ref: HyperProcessRef): ShimParams;
  /** Where the pod's shims talk through, so stopAll finds them all. */
  shimsUrl(pod: PodContext): string;
  attach(pod: PodContext, ref: HyperProcessRef): Promise<ProcessIo>;
  /** The process's exit code once it exited; null while it runs. `gone` when nothing knows the token. `shimPid`: its shim, if known. */
  exitOf(pod: PodContext, token: string, shimPid?: number): Promise<{ exitCode: number | null; gone: boolean }>;
  closeStdin(pod: PodContext, token: string): Promise<void>;
}

/** The host socket of the guest's serial port `name`, as the hypervisor handed it back. */
export function serialOf(pod: PodContext, vm: VmEndpoints, name: string): string {
  const socket = vm.serialPorts[name];
  if (!socket) throw new EngineError('AGENT_FAILED', `pod ${pod.id}: the hypervisor gave no endpoint for the ${name} port`);
  return socket;
}

/** hyperstart's table has no command for it: a request this agent cannot honour, not a failure. */
export function hyperError(err: unknown, what: string): EngineError {
  if (err instanceof EngineError) return err;
  const message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
  if (/hyperstart cannot/.test(message)) return new EngineError('NOT_SUPPORTED', message, undefined, { cause: err });
  return new EngineError(/within \d+ ms/.test(message) ? 'TIMEOUT' : 'AGENT_FAILED', message, undefined, { cause: err });
}

/** What a signal to one process can be in hyperstart: KILLCONTAINER of a container's init. */
export function assertSignallable(ref: HyperProcessRef): void {
  if (ref.guestProcess !== ref.containerId) throw new Error(`hyperstart cannot signal exec process ${ref.guestProcess} alone (only its container's init, or all processes)`);
}
