// Short-lived, single-use tickets that authorize one WebSocket connection to one session: minted by
// an authenticated tRPC mutation, bound to the user who minted it and to the session's pod and
// container, and redeemed at the upgrade, so no long-lived credential ever rides in a URL.
import { randomBytes } from 'node:crypto';

/** Who a terminal connection belongs to: revocations (logout, disable, demotion) close by these. */
export interface TerminalUser {
  userId: string | null;
  name: string;
  /** The login session the ticket was minted under, when it came from a browser. */
  loginId?: string | undefined;
}

export interface TicketGrant {
  sessionId: string;
  readOnly: boolean;
  user: TerminalUser;
  podId: string;
  containerId: string | null;
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
    const { expiresAt: _, ...grant } = entry;
    return grant;
  }

  private dropExpired() {
    const now = this.now();
    for (const [ticket, entry] of this.tickets) if (entry.expiresAt <= now) this.tickets.delete(ticket);
  }
}
