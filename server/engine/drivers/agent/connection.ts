// What every agent driver does with its connection to a pod's proxy (or to the agent's own socket):
// connect, and when the far end is gone let the proxy driver restart it and try once more; run one
// piece of work on a fresh connection, closed afterwards, its failure named after the work. What is
// protocol-specific (how to connect, which errors mean "gone", how errors map) is the driver's.
import type { EngineError } from '../../errors.js';

export interface ConnectionPolicy {
  /** True for errors meaning "the proxy or the VM behind it is gone" (worth a revive), not a refusal. */
  isUnreachable(err: unknown): boolean;
  /** `err` as an EngineError whose message starts with `what`. */
  toError(err: unknown, what: string): EngineError;
}

/** A socket error meaning the far end is gone (nothing listens, or it went away mid-call). */
export function isGoneErrno(err: unknown): boolean {
  return ['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE'].includes((err as NodeJS.ErrnoException | undefined)?.code ?? '');
}

/** Asks the proxy driver to restart a proxy that is gone; true when a second try makes sense. */
export type Revive = () => Promise<boolean>;

/** `connect()`; if `target` is unreachable and `revive` restarts it, `connect()` once more. */
export async function connectReviving<C>(connect: () => Promise<C>, revive: Revive | undefined, policy: ConnectionPolicy, target: string): Promise<C> {
  try {
    return await connect();
  } catch (err) {
    if (!revive || !policy.isUnreachable(err) || !(await revive())) throw policy.toError(err, `cannot reach ${target}`);
    try {
      return await connect();
    } catch (again) {
      throw policy.toError(again, `cannot reach ${target}, even after restarting it`);
    }
  }
}

/** Runs `fn` on a connection from `open`, closed afterwards whatever happens. */
export async function withConnection<C extends { close(): void }, T>(open: () => Promise<C>, fn: (client: C) => Promise<T>, policy: ConnectionPolicy, what: string): Promise<T> {
  const client = await open();
  try {
    return await fn(client);
  } catch (err) {
    throw policy.toError(err, what);
  } finally {
    client.close();
  }
}
