// The JSON header of every frame. Each one carries the session id of the host connection it
// belongs to; a receiver drops whatever is tagged with another session (stale bytes from an
// earlier connection arrive on the next one over virtio-serial).
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

export const HelloSchema = z.object({
  kind: z.literal('hello'),
  session: z.string().min(8),
  protocolVersion: z.number().int(),
});

export const RequestSchema = z.object({
  kind: z.literal('req'),
  session: z.string(),
  id: z.number().int().nonnegative(),
  op: z.string(),
  body: z.unknown(),
});

export const ErrorBodySchema = z.object({ code: z.string(), message: z.string() });
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const ResponseSchema = z.union([
  z.object({ kind: z.literal('res'), session: z.string(), id: z.number().int(), ok: z.literal(true), body: z.unknown() }),
  z.object({ kind: z.literal('res'), session: z.string(), id: z.number().int(), ok: z.literal(false), error: ErrorBodySchema }),
]);

export const EventSchema = z.object({
  kind: z.literal('evt'),
  session: z.string(),
  event: z.string(),
  body: z.unknown(),
});

export const MessageSchema = z.union([HelloSchema, RequestSchema, ResponseSchema, EventSchema]);
export type Request = z.infer<typeof RequestSchema>;
export type Event = z.infer<typeof EventSchema>;
export type Message = z.infer<typeof MessageSchema>;

/** An error that travels over the wire as {code, message}. */
export class ProtocolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
