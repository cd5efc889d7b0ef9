// hyperstart with noProxy: the engine and each process's ccShim reach the guest themselves, a
// call at a time, through the channel pieces of hyperstart-direct-channel.ts (control commands on
// a connection each; output read from the stream port's file, stdin written to its FIFO). Seqs are
// random, so concurrent calls need no shared counter: a process's token is its stdout seq.
import { randomInt } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { HYPERSTART_CODES, HYPERSTART_CONTROL_PORT, HYPERSTART_STREAM_PORT } from '../../../guest/protocol/hyperstart/codes.js';
import { EngineError } from '../../errors.js';
import type { Host } from '../../host/types.js';
import { proxyHandleOf, type Proxy } from '../proxy/types.js';
import type { PodContext } from '../types.js';
import { serialOf } from './hyperstart-cc.js';
import { awaitReady, controlListening, exitRecordsDir, FifoWriter, hyperCommand, readExitRecord, recordedExit, seqOfToken, StreamFollower, untilControlLost } from './hyperstart-direct-channel.js';
import { assertSignallable, hyperError, type HyperLink, type HyperProcessRef } from './hyperstart-link.js';
import { signalNumberOf } from './hyperstart-payloads.js';
import type { ProcessExit, ProcessIo } from './types.js';

const DirectStateSchema = z.object({ hyperDirect: z.object({ control: z.string(), output: z.string(), input: z.string() }) });
type DirectChannels = z.infer<typeof DirectStateSchema>['hyperDirect'];

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

/** `host`: the seam the shims' liveness is read through. */
export function createDirectLink(proxy: Proxy, host: Host): HyperLink {
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
      await rm(exitRecordsDir(parsed.data.hyperDirect.output), { recursive: true, force: true });
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

    async exitOf(pod, token, shimPid) {
      const { output, control } = channelsOf(pod);
      // Cheap first: what its shim recorded, or its shim still following it; the scan of the whole
      // stream file only when neither tells (a shim killed before it saw the exit).
      const recorded = await readExitRecord(output, token);
      if (recorded !== null) return { exitCode: recorded, gone: false };
      if (shimPid && (await host.cmdline(shimPid))?.includes(token)) return { exitCode: null, gone: false };
      const exitCode = await recordedExit(output, seqOfToken(token));
      return { exitCode, gone: exitCode === null && !(await controlListening(control)) };
    },

    async closeStdin(pod, token) {
      const writer = await FifoWriter.open(channelsOf(pod).input);
      await writer.write(seqOfToken(token), Buffer.alloc(0)).finally(() => writer.close());
    },
  };
}
