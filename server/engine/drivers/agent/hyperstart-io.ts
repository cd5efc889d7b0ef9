// ProcessIo of a hyperstart process through the ccProxy: a connection bound to the process's token
// (ConnectShim) receives its stdout/stderr (what it wrote before, then live) and ProcessExited;
// stdin goes out as stream frames, a resize and a signal as Signal commands.
import { constants } from 'node:os';
import { PassThrough } from 'node:stream';
import type { CcClient } from '../proxy/cc/client.js';
import type { ProcessExit, ProcessIo } from './types.js';
import { signalNumberOf } from './hyperstart-payloads.js';

export async function openHyperstartIo(client: CcClient, token: string, onError: (err: unknown, what: string) => Error): Promise<ProcessIo> {
  const streams = { stdout: new PassThrough(), stderr: new PassThrough() };
  const endStreams = () => (streams.stdout.end(), streams.stderr.end());
  let exit!: (e: ProcessExit) => void;
  let lost!: (err: Error) => void;
  const exited = new Promise<ProcessExit>((resolve, reject) => ((exit = resolve), (lost = reject)));
  exited.catch(() => {}).finally(endStreams);
  client.onStream((stream, data) => (stream === 'stdout' || stream === 'stderr') && streams[stream].write(data));
  // The proxy sends ProcessExited after the process's last output on this connection.
  client.onProcessExited((event) => event.token === token && exit({ exitCode: event.exitCode }));
  client.onClose(() => lost(onError(new Error('the ccProxy connection closed before the process exited'), `wait for process ${token}`)));
  try {
    await client.command('ConnectShim', { token });
  } catch (err) {
    client.close();
    throw onError(err, `attach to process ${token}`);
  }
  const call = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      throw onError(err, `${what} process ${token}`);
    }
  };
  return {
    stdout: streams.stdout,
    stderr: streams.stderr,
    writeStdin: (data) => call('write to', () => client.writeStdin(typeof data === 'string' ? Buffer.from(data) : data)),
    closeStdin: () => call('close stdin of', () => client.writeStdin(Buffer.alloc(0))),
    resize: (rows, columns) => call('resize', () => client.command('Signal', { signalNumber: constants.signals.SIGWINCH, rows, columns }, 5_000)),
    signal: (signal) => call('signal', () => client.command('Signal', { signalNumber: signalNumberOf(signal) })),
    wait: () => exited,
    close() {
      endStreams();
      client.close();
    },
  };
}
