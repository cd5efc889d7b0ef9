// ProcessIo without a connection held for the process's lifetime, for noProxy: the agent's serial
// socket serves one client at a time, so an attach that held it would lock out every other call
// (a kill of the very process being followed, the shims' polls). Every POLL_MS it connects, asks
// Attach for the output since the offsets it has (the agent keeps a backlog) and the exit code, and
// lets go; stdin, resize and signal are calls of their own.
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { attachOutput, type ProcessRef, type StreamOffsets } from '../../../guest/protocol/attach.js';
import type { AgentClient } from '../../../guest/protocol/client.js';
import { toAgentError } from './kata-connection.js';
import type { ProcessExit, ProcessIo } from './types.js';

const POLL_MS = 150;
/** Each WriteStdin holds the socket only briefly: smaller chunks than over a proxy. */
const STDIN_CHUNK_BYTES = 64 * 1024;
const RESIZE_TIMEOUT_MS = 5_000;

export async function openPolledProcessIo(open: () => Promise<AgentClient>, ref: ProcessRef, pollMs = POLL_MS): Promise<ProcessIo> {
  const what = `process ${ref.containerId}/${ref.execId}`;
  const streams = { stdout: new PassThrough(), stderr: new PassThrough() };
  let offsets: StreamOffsets = { stdout: 0, stderr: 0 };
  let closed = false;
  const endStreams = () => {
    streams.stdout.end();
    streams.stderr.end();
  };
  const withClient = async <T>(label: string, fn: (client: AgentClient) => Promise<T>): Promise<T> => {
    const client = await open();
    try {
      return await fn(client);
    } catch (err) {
      throw toAgentError(err, `${label} ${what}`);
    } finally {
      client.close();
    }
  };
  /** One look: new output delivered, the exit code once there is one. */
  const poll = () =>
    withClient('follow', async (client) => {
      const attachment = await attachOutput(client, ref, (stream, data) => streams[stream].write(data), offsets);
      offsets = attachment.offsets;
      return attachment.exitCode;
    });

  const first = await poll(); // a process the agent does not know fails here, as over a proxy
  const exited: Promise<ProcessExit> = (async () => {
    for (let exitCode = first; !closed; exitCode = await poll()) {
      if (exitCode !== null) return { exitCode };
      await sleep(pollMs);
    }
    return new Promise<ProcessExit>(() => {}); // closed: nobody waits any more
  })();
  exited.catch(() => {}).finally(endStreams);

  return {
    stdout: streams.stdout,
    stderr: streams.stderr,
    writeStdin: (data) =>
      withClient('write to', async (client) => {
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        for (let at = 0; at < bytes.length; at += STDIN_CHUNK_BYTES) await client.call('WriteStdin', ref, { payload: bytes.subarray(at, at + STDIN_CHUNK_BYTES) });
      }),
    closeStdin: () => withClient('close stdin of', (client) => client.call('CloseStdin', ref)).then(() => {}),
    resize: (rows, columns) => withClient('resize', (client) => client.call('TtyWinResize', { ...ref, rows, columns }, { timeoutMs: RESIZE_TIMEOUT_MS })).then(() => {}),
    signal: (signal) => withClient('signal', (client) => client.call('SignalProcess', { ...ref, signal })).then(() => {}),
    wait: () => exited,
    close() {
      closed = true;
      endStreams();
    },
  };
}
