// hyperstart with noProxy: the engine and each process's ccShim reach the guest themselves, a
// call at a time, through the channel pieces of hyperstart-direct-channel.ts (control commands on
// a connection each; output read from the stream port's file, stdin written to its FIFO). Seqs are
// random, so concurrent calls need no shared counter: a process's token is its stdout seq.
import { randomInt } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { HYPERSTART_CODES, HYPERSTART_CONTROL_PORT, HYPERSTART_STREAM_PORT } from '../../../guest/protocol/hyperstart/codes.js';
import { EngineError } from '../../errors.js';
import { proxyHandleOf, type Proxy } from '../proxy/types.js';
import type { PodContext } from '../types.js';
import { serialOf } from './hyperstart-cc.js';
import { awaitReady, controlListening, FifoWriter, hyperCommand, recordedExit, StreamFollower } from './hyperstart-direct-channel.js';
import { assertSignallable, hyperError, type HyperLink, type HyperProcessRef } from './hyperstart-link.js';
import { signalNumberOf } from './hyperstart-payloads.js';
import type { ProcessExit, ProcessIo } from './types.js';

const DirectStateSchema = z.object({ hyperDirect: z.object({ control: z.string(), output: z.string(), input: z.string() }) });
type DirectChannels = z.infer<typeof DirectStateSchema>['hyperDirect'];

/** Refused connections in a row (one check every LIVENESS_MS) before the VM counts as gone. */
const LOST_AFTER = 3;
const LIVENESS_MS = 2_000;

/** A token is its process's stdout seq (stderr is seq + 1): even, random, below 2^49. */
export const seqOfToken = (token: string): bigint => {
  if (!/^\d{1,16}$/.test(token)) throw new EngineError('INVALID_ARGUMENT', `not a hyperstart I/O token: ${token}`, { token });
  return BigInt(token);
};
const newSeq = () => String(2 * randomInt(1, 2 ** 47));

function channelsOf(pod: PodContext): DirectChannels {
  const parsed = DirectStateSchema.safeParse(pod.runtime.agent);
  if (!parsed.success) throw new EngineError('AGENT_FAILED', `pod ${pod.id} has no hyperstart channels (was its sandbox started?)`);
  return parsed.data.hyperDirect;
}

function codeOf(name: string): number {
  const code = (HYPERSTART_CODES as Record<string, number>)[name.toUpperCase()];
  if (code === undefined) throw new Error(`unknown hyperstart command ${name}`);
  return code;
}

/** `data` with the process's stdio seqs, for NEWCONTAINER / EXECCMD naming `token`. */
function withSeqs(data: object | null, token: string | undefined): object | null {
  if (!token || !data || !('process' in data) || typeof data.process !== 'object' || !data.process) return data;
  const seq = Number(seqOfToken(token));
  return { ...data, process: { ...data.process, stdio: seq, stderr: seq + 1 } };
}

/** True once the VM behind `control` stops listening (QEMU gone), checked every LIVENESS_MS; false once `stopped()`. */
export async function untilControlLost(control: string, stopped: () => boolean): Promise<boolean> {
  for (let refused = 0; refused < LOST_AFTER; await sleep(LIVENESS_MS)) {
    if (stopped()) return false;
    refused = (await controlListening(control)) ? 0 : refused + 1;
  }
  return !stopped();
}

/** ProcessIo of one process: its frames from the stream file, stdin into the FIFO, the rest as commands. */
export async function openDirectHyperIo(channels: DirectChannels, ref: HyperProcessRef): Promise<ProcessIo> {
  const seq = seqOfToken(ref.token);
  const streams = { stdout: new PassThrough(), stderr: new PassThrough() };
  let exit!: (e: ProcessExit) => void;
  let lost!: (err: Error) => void;
  const exited = new Promise<ProcessExit>((resolve, reject) => ((exit = resolve), (lost = reject)));
  let closed = false;
  let ended = false;
  const follower = StreamFollower.start(channels.output, (s) => s === seq || s === seq + 1n, (event) => {
    if (event.kind === 'data') streams[event.seq === seq ? 'stdout' : 'stderr'].write(event.data);
    else if (event.kind === 'exit' && event.seq === seq) ((ended = true), exit({ exitCode: event.exitCode }));
  });
  void untilControlLost(channels.control, () => closed || ended).then((gone) => gone && lost(hyperError(new Error('the VM stopped listening before the process exited'), `wait for process ${ref.token}`)));
  exited.catch(() => {}).finally(() => (streams.stdout.end(), streams.stderr.end(), void follower.stop()));
  let writer: Promise<FifoWriter> | null = null;
  const stdin = () => (writer ??= FifoWriter.open(channels.input));
  const call = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      throw hyperError(err, `${what} process ${ref.token}`);
    }
  };
  const command = (name: string, data: object) => hyperCommand(channels.control, codeOf(name), data, 15_000);
  return {
    stdout: streams.stdout,
    stderr: streams.stderr,
    writeStdin: (data) => call('write to', async () => (await stdin()).write(seq, typeof data === 'string' ? Buffer.from(data) : data)),
    closeStdin: () => call('close stdin of', async () => (await stdin()).write(seq, Buffer.alloc(0))),
    resize: (rows, columns) => call('resize', () => command('winsize', { container: ref.containerId, process: ref.guestProcess, row: rows, column: columns })),
    signal: (signal) =>
      call('signal', async () => {
        assertSignallable(ref);
        await command('killcontainer', { container: ref.containerId, signal: signalNumberOf(signal), allProcesses: false });
      }),
    wait: () => exited,
    close() {
      closed = true;
      streams.stdout.end();
      streams.stderr.end();
      void follower.stop();
      void writer?.then((w) => w.close()).catch(() => {});
    },
  };
}

export function createDirectLink(proxy: Proxy): HyperLink {
  const url = (pod: PodContext) => `unix://${channelsOf(pod).control}`;
  return {
    ports: () => [
      { kind: 'serialPort', name: HYPERSTART_CONTROL_PORT },
      // Nothing holds the VM's channels between calls: output must wait in a file, not on a socket.
      { kind: 'serialPort', name: HYPERSTART_STREAM_PORT, backend: 'file' },
    ],

    async startPod(pod, vm, _network, startPod, readyTimeoutMs) {
      const control = serialOf(pod, vm, HYPERSTART_CONTROL_PORT);
      const files = vm.serialFiles?.[HYPERSTART_STREAM_PORT];
      if (!files) throw new EngineError('AGENT_FAILED', `pod ${pod.id}: the hypervisor gave no file endpoint for the ${HYPERSTART_STREAM_PORT} port`);
      const handle = await proxy.start(pod, `unix://${control}`, (path, timeoutMs) => awaitReady(path, timeoutMs).catch((err: Error) => Promise.reject(hyperError(err, `pod ${pod.id}: wait for the agent`))));
      try {
        await hyperCommand(control, HYPERSTART_CODES.STARTPOD, startPod, 120_000).catch((err: unknown) => Promise.reject(hyperError(err, `pod ${pod.id}: startpod`)));
      } catch (err) {
        await proxy.stop(pod, handle);
        throw err;
      }
      return { proxy: { pid: handle.pid, url: handle.url, direct: true }, hyperDirect: { control, output: files.output, input: files.input } };
    },

    async stopPod(pod) {
      const parsed = DirectStateSchema.safeParse(pod.runtime.agent);
      const handle = proxyHandleOf(pod.runtime.agent);
      if (!parsed.success || !handle) return;
      await hyperCommand(parsed.data.hyperDirect.control, HYPERSTART_CODES.DESTROYPOD, null, 15_000, 15_000).catch((err: unknown) => pod.log.warn({ err }, 'DESTROYPOD failed; the guest may already be gone'));
      await proxy.stop(pod, handle);
    },

    hyper: (pod, name, data, token, timeoutMs = 60_000) =>
      hyperCommand(channelsOf(pod).control, codeOf(name), withSeqs(data, token), timeoutMs).then(
        (answer) => answer.toString('utf8'),
        (err: unknown) => Promise.reject(hyperError(err, `pod ${pod.id}: ${name}`)),
      ),

    newToken: async () => newSeq(),

    shimParams: (pod, ref) => {
      const { output, input } = channelsOf(pod);
      return { containerId: ref.containerId, token: ref.token, url: url(pod), direct: true, hyperStreams: { output, input, process: ref.guestProcess } };
    },

    shimsUrl: (pod) => (DirectStateSchema.safeParse(pod.runtime.agent).success ? url(pod) : ''),

    attach: (pod, ref) => openDirectHyperIo(channelsOf(pod), ref),

    async exitOf(pod, token) {
      const { output, control } = channelsOf(pod);
      const exitCode = await recordedExit(output, seqOfToken(token));
      return { exitCode, gone: exitCode === null && !(await controlListening(control)) };
    },

    async closeStdin(pod, token) {
      const writer = await FifoWriter.open(channelsOf(pod).input);
      await writer.write(seqOfToken(token), Buffer.alloc(0)).finally(() => writer.close());
    },
  };
}
