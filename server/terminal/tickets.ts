// Short-lived, single-use tickets that authorize one WebSocket connection to one session: minted by
// a tRPC mutation, redeemed at the upgrade, so no long-lived credential ever rides in a URL.
import { randomBytes } from 'node:crypto';

export interface TicketGrant {
  sessionId: string;
  readOnly: boolean;
}

export const TICKET_TTL_MS = 30_000;

export class TicketStore {
  private readonly tickets = new Map<string, TicketGrant & { expiresAt: number }>();

  constructor(
    private readonly ttlMs = TICKET_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  mint(grant: TicketGrant): string {
    this.dropExpired();
    const ticket = randomBytes(24).toString('base64url');
    this.tickets.set(ticket, { ...grant, expiresAt: this.now() + this.ttlMs });
    return ticket;
  }

  /** The grant, once: a second redeem, or one after expiry, gets null. */
  redeem(ticket: string): TicketGrant | null {
    const entry = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (!entry || entry.expiresAt <= this.now()) return null;
    return { sessionId: entry.sessionId, readOnly: entry.readOnly };
  }

  private dropExpired() {
    const now = this.now();
    for (const [ticket, entry] of this.tickets) if (entry.expiresAt <= now) this.tickets.delete(ticket);
  }
}
