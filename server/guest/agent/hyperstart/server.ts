// The guest agent speaking hyperstart instead of the kata protocol: control frames on one port,
// stdio on the other, every command run against the same ContainerManager and sandbox code the
// kata protocol uses. An exhaustive handler map over the commands we serve; the deprecated and
// unsupported ones get ERROR, as does anything that fails validation.
import { constants } from 'node:os';
import type { z } from 'zod';
import type { Channel } from '../../protocol/channel.js';
import { HYPERSTART_CODES, type HyperstartCommand } from '../../protocol/hyperstart/codes.js';
import { ControlDecoder, encodeControl, encodeStreamData, encodeStreamEnd, StreamDecoder, type ControlFrame } from '../../protocol/hyperstart/frames.js';
import {
  ExecCmdSchema,
  KillContainerSchema,
  NewContainerSchema,
  PsContainerSchema,
  RemoveContainerSchema,
  StartPodSchema,
  WinsizeSchema,
  type HyperProcess,
} from '../../protocol/hyperstart/payloads.js';
import { processKey } from '../../protocol/ops.js';
import { ContainerManager } from '../containers.js';
import { setupSandbox, teardownSandbox, type Sandbox } from '../sandbox.js';
import type { AgentOptions } from '../server.js';
import { mountsOf, networkOf, processSpecOf, shareStorageOf } from './translate.js';

type Served = 'VERSION' | 'PING' | 'STARTPOD' | 'DESTROYPOD' | 'NEWCONTAINER' | 'EXECCMD' | 'KILLCONTAINER' | 'REMOVECONTAINER' | 'PSCONTAINER' | 'WINSIZE';
type Handlers = { [K in Served]: (payload: unknown) => Promise<object | string | null> };
const SERVED = new Set<HyperstartCommand>(['VERSION', 'PING', 'STARTPOD', 'DESTROYPOD', 'NEWCONTAINER', 'EXECCMD', 'KILLCONTAINER', 'REMOVECONTAINER', 'PSCONTAINER', 'WINSIZE']);
const isServed = (name: string): name is Served => SERVED.has(name as HyperstartCommand);
const NAMES = new Map<number, string>(Object.entries(HYPERSTART_CODES).map(([name, code]) => [code, name]));

const parse = <S extends z.ZodTypeAny>(schema: S, payload: unknown): z.output<S> => {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw new Error(`invalid payload: ${parsed.error.message}`);
  return parsed.data;
};

function signalName(n: number): NodeJS.Signals | number {
  const name = Object.entries(constants.signals).find(([, v]) => v === n)?.[0];
  return (name as NodeJS.Signals | undefined) ?? n;
}

export interface HyperstartAgent {
  manager: ContainerManager;
  /** Sends READY: the host waits for it before its first command. */
  ready(): Promise<void>;
}

export function serveHyperstart(control: Channel, streams: Channel, options: AgentOptions): HyperstartAgent {
  let sandbox: Sandbox | null = null;
  /** stdout seq of each process; stderr is seq + 1. */
  const seqOf = new Map<string, bigint>();
  /** stdout seq → the process whose stdin it also carries. */
  const bySeq = new Map<bigint, { containerId: string; execId: string }>();
  const sendControl = (code: number, payload: Buffer | object | null = null) => void control.write(encodeControl(code, payload)).catch(() => {});

  const manager = new ContainerManager(options.runtime, options.stateDir, options.sharedDir, {
    output(containerId, execId, stream, _offset, data) {
      const seq = seqOf.get(processKey(containerId, execId));
      if (seq) void streams.write(encodeStreamData(stream === 'stdout' ? seq : seq + 1n, data)).catch(() => {});
    },
    exit(containerId, execId, exitCode) {
      const seq = seqOf.get(processKey(containerId, execId));
      if (seq) void streams.write(Buffer.concat([encodeStreamEnd(seq + 1n), encodeStreamEnd(seq, exitCode)])).catch(() => {});
      sendControl(HYPERSTART_CODES.PROCESSASYNCEVENT, { container: containerId, process: execId, event: 'finished', status: exitCode });
    },
  });

  const track = (containerId: string, execId: string, p: HyperProcess) => {
    if (!p.stdio) return;
    seqOf.set(processKey(containerId, execId), BigInt(p.stdio));
    bySeq.set(BigInt(p.stdio), { containerId, execId });
  };

  const handlers: Handlers = {
    VERSION: async () => ({ version: 4242 }),
    PING: async () => null,
    STARTPOD: async (payload) => {
      const pod = parse(StartPodSchema, payload);
      sandbox = await setupSandbox(options, { hostname: pod.hostname, storages: [shareStorageOf(pod, options.sharedDir)], volumes: [], network: networkOf(pod) });
      manager.networkFilesDir = sandbox.networkFilesDir;
      manager.hostname = pod.hostname;
      return null;
    },
    DESTROYPOD: async () => {
      await manager.removeAll(5_000);
      if (sandbox) await teardownSandbox(options, sandbox);
      sandbox = null;
      return null;
    },
    NEWCONTAINER: async (payload) => {
      const c = parse(NewContainerSchema, payload);
      // The container's directory in the share is `image`; its root is `image/rootfs`, as kata's `<cid>/rootfs`.
      if (c.image !== c.id || c.rootfs !== 'rootfs') throw new Error(`the rootfs must be <share>/${c.id}/rootfs, not ${c.image}/${c.rootfs}`);
      track(c.id, c.id, c.process);
      await manager.create(c.id, false, processSpecOf(c.process), mountsOf(c) as never);
      await manager.start(c.id);
      return null;
    },
    EXECCMD: async (payload) => {
      const { container, process } = parse(ExecCmdSchema, payload);
      const execId = process.id ?? `exec-${process.stdio}`;
      track(container, execId, process);
      await manager.exec(container, execId, processSpecOf(process));
      return null;
    },
    KILLCONTAINER: async (payload) => {
      const { container, signal, allProcesses } = parse(KillContainerSchema, payload);
      await manager.signal(container, allProcesses ? '' : container, signalName(signal));
      return null;
    },
    REMOVECONTAINER: async (payload) => {
      const { container } = parse(RemoveContainerSchema, payload);
      await manager.remove(container, 10_000);
      for (const [key, seq] of seqOf) if (key.startsWith(`${container}/`)) (seqOf.delete(key), bySeq.delete(seq));
      return null;
    },
    PSCONTAINER: async (payload) => {
      const { container, format, psargs } = parse(PsContainerSchema, payload);
      const { output, processes } = await manager.listProcesses(container, format, psargs);
      return format === 'json' ? JSON.stringify(processes ?? []) : output;
    },
    WINSIZE: async (payload) => {
      const { container, process, row, column } = parse(WinsizeSchema, payload);
      await manager.process(container, process || container).resize(row, column);
      return null;
    },
  };

  const run = async (frame: ControlFrame) => {
    const name = NAMES.get(frame.code) ?? `code ${frame.code}`;
    if (frame.code === HYPERSTART_CODES.NEXT || frame.code === HYPERSTART_CODES.ACK) return; // flow control / stray
    try {
      if (!isServed(name)) throw new Error(`${name} is not supported by this agent`);
      const payload = frame.payload.length ? JSON.parse(frame.payload.toString('utf8')) : null;
      const result = await handlers[name](payload);
      sendControl(HYPERSTART_CODES.ACK, result === null ? null : typeof result === 'string' ? Buffer.from(result) : result);
    } catch (err) {
      sendControl(HYPERSTART_CODES.ERROR, Buffer.from(`${name}: ${err instanceof Error ? err.message : String(err)}`));
    }
  };

  // One command at a time, in order, as hyperstart: the host waits for each ACK anyway.
  let queue = Promise.resolve();
  let controlDecoder = new ControlDecoder();
  control.onReset(() => {
    controlDecoder = new ControlDecoder();
    // A host that went away (or a new one on a test socket): the next one starts from READY too.
    sendControl(HYPERSTART_CODES.READY);
  });
  control.onData((data) => {
    for (const frame of controlDecoder.push(data)) queue = queue.then(() => run(frame));
    if (controlDecoder.error) controlDecoder = new ControlDecoder(); // a broken host connection: start afresh
  });

  let streamDecoder = new StreamDecoder();
  streams.onReset(() => (streamDecoder = new StreamDecoder()));
  streams.onData((data) => {
    for (const { seq, data: bytes } of streamDecoder.push(data)) {
      const ref = bySeq.get(seq);
      if (!ref) continue;
      try {
        const proc = manager.process(ref.containerId, ref.execId);
        if (bytes.length) void proc.writeStdin(bytes).catch(() => {});
        else proc.closeStdin();
      } catch {
        // the process is gone: its stdin with it
      }
    }
    if (streamDecoder.error) streamDecoder = new StreamDecoder();
  });

  return { manager, ready: () => control.write(encodeControl(HYPERSTART_CODES.READY)) };
}
