// hyperstart with noProxy: the engine and each process's ccShim reach the guest themselves, a
// call at a time, through the channel pieces of hyperstart-direct-channel.ts (control commands on
// a connection each; output read from the stream port's file, stdin written to its FIFO). Seqs are
// random, so concurrent calls need no shared counter: a process's token is its stdout seq.
import { randomInt } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { commandCode, HYPERSTART_CODES, HYPERSTART_CONTROL_PORT, HYPERSTART_STREAM_PORT } from '../../../guest/protocol/hyperstart/codes.js';
import { EngineError } from '../../errors.js';
import type { Host } from '../../host/types.js';
import { canConnect, proxyHandleOf, type Proxy } from '../proxy/types.js';
import type { PodContext } from '../types.js';
import { awaitReady, exitRecordsDir, FifoWriter, followProcess, hyperCommand, readExitRecord, recordedExit, seqOfToken } from './hyperstart-direct-channel.js';
import { assertSignallable, hyperError, serialOf, type HyperLink, type HyperProcessRef } from './hyperstart-link.js';
import { withStdioSeqs } from '../../../guest/protocol/hyperstart/payloads.js';
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

/** ProcessIo of one process: its frames from the stream file, stdin into the FIFO, the rest as commands. */
export async function openDirectHyperIo(channels: DirectChannels, ref: HyperProcessRef): Promise<ProcessIo> {
  const seq = seqOfToken(ref.token);
  const streams = { stdout: new PassThrough(), stderr: new PassThrough() };
  let exit!: (e: ProcessExit) => void;
  let lost!: (err: Error) => void;
  const exited = new Promise<ProcessExit>((resolve, reject) => ((exit = resolve), (lost = reject)));
  const followed = followProcess(channels, seq, {
    output: (stream, data) => streams[stream].write(data),
    exit: (exitCode) => exit({ exitCode }),
    lost: () => lost(hyperError(new Error('the VM stopped listening before the process exited'), `wait for process ${ref.token}`)),
  });
  exited.catch(() => {}).finally(() => (streams.stdout.end(), streams.stderr.end(), void followed.stop()));
  let writer: Promise<FifoWriter> | null = null;
  const stdin = () => (writer ??= FifoWriter.open(channels.input));
  const call = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      throw hyperError(err, `${what} process ${ref.token}`);
    }
  };
  const command = (name: string, data: object) => hyperCommand(channels.control, commandCode(name), data, 15_000);
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
      void followed.stop();
      streams.stdout.end();
      streams.stderr.end();
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
      hyperCommand(channelsOf(pod).control, commandCode(name), token ? withStdioSeqs(data, Number(seqOfToken(token))) : data, timeoutMs).then(
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
      return { exitCode, gone: exitCode === null && !(await canConnect(control)) };
    },

    async closeStdin(pod, token) {
      const writer = await FifoWriter.open(channelsOf(pod).input);
      await writer.write(seqOfToken(token), Buffer.alloc(0)).finally(() => writer.close());
    },
  };
}
