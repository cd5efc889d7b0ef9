// ProcessIo over a dedicated proxy connection: output streams fed from the agent's buffered
// backlog plus live events, stdin/resize/signal calls, and wait() for the exit code.
import { PassThrough } from 'node:stream';
import { attachOutput, type ProcessRef } from '../../../guest/protocol/attach.js';
import type { AgentClient } from '../../../guest/protocol/client.js';
import type { ProcessExit, ProcessIo } from './types.js';
import { toAgentError } from './kata-connection.js';

/** Larger writes are split so each frame stays well under the protocol's payload limit. */
const STDIN_CHUNK_BYTES = 256 * 1024;
const RESIZE_TIMEOUT_MS = 5_000;

export async function openProcessIo(client: AgentClient, ref: ProcessRef): Promise<ProcessIo> {
  const what = `process ${ref.containerId}/${ref.execId}`;
  const streams = { stdout: new PassThrough(), stderr: new PassThrough() };
  const endStreams = () => {
    streams.stdout.end();
    streams.stderr.end();
  };
  const attachment = await attachOutput(client, ref, (stream, data) => streams[stream].write(data)).catch((err: unknown) => {
    client.close();
    throw toAgentError(err, `attach to ${what}`);
  });
  // The exit reply follows every output event of the process on the wire: ending here loses nothing.
  const exited: Promise<ProcessExit> = client.call('WaitProcess', ref, { timeoutMs: 0 }).then(
    ({ body }) => ({ exitCode: body.exitCode }),
    (err: unknown) => Promise.reject(toAgentError(err, `wait for ${what}`)),
  );
  exited.catch(() => {}).finally(endStreams);
  client.onClose(endStreams);

  const call = async (label: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      throw toAgentError(err, `${label} ${what}`);
    }
  };
  return {
    stdout: streams.stdout,
    stderr: streams.stderr,
    writeStdin: (data) =>
      call('write to', async () => {
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        for (let at = 0; at < bytes.length; at += STDIN_CHUNK_BYTES) {
          await client.call('WriteStdin', ref, { payload: bytes.subarray(at, at + STDIN_CHUNK_BYTES) });
        }
      }),
    closeStdin: () => call('close stdin of', () => client.call('CloseStdin', ref)),
    // A resize that takes long is superseded by the next one anyway: never wait 30 s for it.
    resize: (rows, columns) => call('resize', () => client.call('TtyWinResize', { ...ref, rows, columns }, { timeoutMs: RESIZE_TIMEOUT_MS })),
    signal: (signal) => call('signal', () => client.call('SignalProcess', { ...ref, signal })),
    wait: () => exited,
    close() {
      attachment.detach();
      endStreams();
      client.close();
    },
  };
}
