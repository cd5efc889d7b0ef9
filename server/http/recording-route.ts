// GET /recordings/<id>.cast: a terminal recording's asciicast file, for the browser's player and for
// download (?download=1). Its owner may read it, an admin anyone's; every read and refusal is
// audited, since a recording holds what someone typed and saw.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { actorOf, type Auth } from '../auth/index.js';
import { EngineError, toEngineError } from '../engine/index.js';
import type { Recordings } from '../terminal/recordings.js';
import { credentialsOf, sourceOf } from './context.js';

const ID = /^\/recordings\/([0-9a-f-]{36})\.cast$/;

/** The file URLs only: `/recordings` and `/recordings/<id>` are the console's pages. */
export const isRecordingFile = (url: string | undefined) => /^\/recordings\/[^/?]*\.cast(\?|$)/.test(url ?? '');

const STATUS: Partial<Record<string, number>> = { UNAUTHENTICATED: 401, PERMISSION_DENIED: 403, INVALID_ARGUMENT: 404 };

export async function serveRecording(deps: { auth: Auth; recordings: Recordings }, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const id = ID.exec(url.pathname)?.[1];
  if (req.method !== 'GET') return void res.writeHead(405, { Allow: 'GET' }).end();
  if (!id) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('No such recording\n');
  const principal = await deps.auth.authenticate(credentialsOf(req)).catch(() => null);
  const audit = (outcome: 'ok' | 'denied', podId: string | null, error?: EngineError) =>
    deps.auth.audit.record({ ...actorOf(principal), action: 'recording.read', podId, input: { recordingId: id, download: url.searchParams.has('download') }, outcome, errorCode: error?.code ?? null, message: error?.message ?? null, source: sourceOf(req) }).catch(() => {});
  try {
    if (!principal) throw new EngineError('UNAUTHENTICATED', 'Log in first');
    const { recording, stream } = await deps.recordings.open(principal, id);
    await audit('ok', recording.podId);
    res.writeHead(200, {
      'Content-Type': 'application/x-asciicast',
      'Cache-Control': 'no-store',
      ...(url.searchParams.has('download') ? { 'Content-Disposition': `attachment; filename="${recording.podId}-${recording.startedAt.slice(0, 19).replace(/[:T]/g, '-')}.cast"` } : {}),
    });
    await pipeline(stream(), res);
  } catch (err) {
    const e = toEngineError(err);
    if (res.headersSent) return void res.destroy();
    await audit('denied', null, e);
    res.writeHead(STATUS[e.code] ?? 500, { 'Content-Type': 'text/plain' }).end(`${e.message}\n`);
  }
}
