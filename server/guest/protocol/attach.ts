// Client side of following one process's output: subscribe to output events, fetch the agent's
// buffered backlog (Attach), and deliver every byte once, in order, using stream offsets to drop
// what arrived twice (events racing the backlog, or a reattach).
import type { AgentClient } from './client.js';
import { EVENTS, type EventBody } from './ops.js';

export type OutputStream = 'stdout' | 'stderr';
export type StreamOffsets = Record<OutputStream, number>;

export interface ProcessRef {
  containerId: string;
  execId: string;
}

export interface Attachment {
  /** The exit code, if the process had already exited when we attached. */
  exitCode: number | null;
  /** Where each stream continues: pass to a later attach to resume without duplicates. */
  offsets: StreamOffsets;
  detach(): void;
}

export async function attachOutput(
  client: AgentClient,
  ref: ProcessRef,
  onData: (stream: OutputStream, data: Buffer) => void,
  from: StreamOffsets = { stdout: 0, stderr: 0 },
): Promise<Attachment> {
  const offsets = { ...from };
  const deliver = (stream: OutputStream, offset: number, data: Buffer) => {
    const seen = offsets[stream] - offset;
    if (seen >= data.length) return;
    const fresh = seen > 0 ? data.subarray(seen) : data;
    offsets[stream] = Math.max(offsets[stream], offset) + fresh.length;
    onData(stream, fresh);
  };
  let early: Array<[EventBody<'output'>, Buffer]> | null = [];
  const unsubscribe = client.onEvent((event, payload) => {
    if (event.event !== 'output') return;
    const parsed = EVENTS.output.safeParse(event.body);
    if (!parsed.success || parsed.data.containerId !== ref.containerId || parsed.data.execId !== ref.execId) return;
    if (early) early.push([parsed.data, payload]);
    else deliver(parsed.data.stream, parsed.data.offset, payload);
  });
  try {
    const { body, payload } = await client.call('Attach', { ...ref, stdoutOffset: from.stdout, stderrOffset: from.stderr });
    deliver('stdout', body.stdout.offset, payload.subarray(0, body.stdout.length));
    deliver('stderr', body.stderr.offset, payload.subarray(body.stdout.length, body.stdout.length + body.stderr.length));
    for (const [event, data] of early!) deliver(event.stream, event.offset, data);
    early = null;
    return {
      exitCode: body.exitCode,
      offsets,
      detach() {
        unsubscribe();
        client.request('Detach', ref, { timeoutMs: 5_000 }).catch(() => {});
      },
    };
  } catch (err) {
    unsubscribe();
    throw err;
  }
}
