// The terminal WebSocket's frames, shared by the server and the browser: JSON text frames checked
// with zod on both ends. Only depends on zod so client components can import it.
import { z } from 'zod';

/** The path the console server routes to the terminal WebSocket server. */
export const TERMINAL_WS_PATH = '/ws/terminal';
/** The client acks output once it has written this many characters into its terminal. */
export const ACK_EVERY = 64 * 1024;
/** The server pauses the output once this many characters are sent but not yet acked. */
export const MAX_IN_FLIGHT = 256 * 1024;
/** Pastes and other large inputs go out in chunks of this many characters, in order. */
export const INPUT_CHUNK = 4 * 1024;

const Size = { rows: z.number().int().min(1).max(1000), cols: z.number().int().min(1).max(1000) };

export const ClientFrameSchema = z.discriminatedUnion('t', [
  /** `binary`: each character is one byte (xterm's mouse reports), not text to encode as UTF-8. */
  z.object({ t: z.literal('input'), data: z.string().max(64 * 1024), binary: z.boolean().optional() }),
  z.object({ t: z.literal('resize'), ...Size }),
  /** `n` characters of output have been written to the viewer's terminal. */
  z.object({ t: z.literal('ack'), n: z.number().int().min(0) }),
  z.object({ t: z.literal('ping') }),
  z.object({ t: z.literal('pong') }),
]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

export const ServerFrameSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('hello'), sessionId: z.string(), readOnly: z.boolean(), title: z.string() }),
  /** The screen as it is now (reattach): written into a reset terminal before any output. */
  z.object({ t: z.literal('snapshot'), data: z.string() }),
  z.object({ t: z.literal('output'), data: z.string(), stream: z.enum(['stdout', 'stderr']).optional() }),
  z.object({ t: z.literal('exit'), code: z.number().int() }),
  /** The server ended the connection or refused a frame; `fatal` means the socket closes next. */
  z.object({ t: z.literal('error'), reason: z.string(), fatal: z.boolean() }),
  z.object({ t: z.literal('ping') }),
  z.object({ t: z.literal('pong') }),
]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;

/** Parses one text frame, or returns null for anything malformed (which the receiver ignores). */
export function parseFrame<T>(schema: z.ZodType<T>, text: string): T | null {
  try {
    const result = schema.safeParse(JSON.parse(text));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

/** The subprotocol both ends speak. */
export const TERMINAL_SUBPROTOCOL = 'podvisor.terminal.v1';
const TICKET_PROTOCOL_PREFIX = 'ticket.';

/**
 * What a client offers in Sec-WebSocket-Protocol: our subprotocol and the ticket, which so never
 * appears in a URL (access logs, proxies, browser history). Tickets are base64url: valid tokens there.
 */
export const socketProtocols = (ticket: string): string[] => [TERMINAL_SUBPROTOCOL, `${TICKET_PROTOCOL_PREFIX}${ticket}`];

/** The ticket a client offered in its Sec-WebSocket-Protocol header, if any. */
export function ticketFromProtocols(header: string | undefined): string | null {
  const offered = (header ?? '').split(',').map((p) => p.trim());
  return offered.find((p) => p.startsWith(TICKET_PROTOCOL_PREFIX))?.slice(TICKET_PROTOCOL_PREFIX.length) ?? null;
}

/** The terminal WebSocket's URL, on the page's own origin. */
export function terminalSocketUrl(location: { protocol: string; host: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${TERMINAL_WS_PATH}`;
}

/** Splits input into protocol-sized chunks without cutting a surrogate pair (an emoji) in half. */
export function chunkInput(data: string, size = INPUT_CHUNK): string[] {
  const chunks: string[] = [];
  for (let at = 0; at < data.length; ) {
    let end = Math.min(at + size, data.length);
    const last = data.charCodeAt(end - 1);
    if (end < data.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    chunks.push(data.slice(at, end));
    at = end;
  }
  return chunks;
}
