// The session registry: opens exec terminals (TTY processes entered into a container), container
// output views and VM console views for a user, mints their WebSocket tickets, hands sockets to
// them, and closes a user's terminals when their access is revoked.
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { EngineError, type VC } from '../engine/index.js';
import type { Recorder, Recordings } from './recordings.js';
import { TerminalSession, type SessionInfo, type SessionKind } from './session.js';
import { fileTailSource, processSource, type TerminalSource } from './sources.js';
import { TICKET_TTL_MS, TicketStore, type TicketGrant, type TerminalUser } from './tickets.js';

export type TerminalEngine = Pick<VC, 'enterContainer' | 'attachProcess' | 'statusPod' | 'recordPodEvent'>;

/** What the registry reports for the audit log: sessions ending, connections accepted or refused. */
export interface TerminalAuditRecord {
  actor: string;
  action: 'terminal.closed' | 'terminal.connect';
  podId: string | null;
  containerId: string | null;
  outcome: 'ok' | 'denied';
  message: string;
  input?: unknown;
}

export interface TerminalOptions {
  graceMs?: number;
  /** How long a log or console view waits for its (re)connection before letting go of its source. */
  viewIdleMs?: number;
  audit?: (record: TerminalAuditRecord) => void;
  /** Records exec terminals (server/terminal/recordings.ts); none in tests that do not ask. */
  recordings?: Recordings;
}

export interface OpenExec {
  podId: string;
  containerId: string;
  command: string;
  rows: number;
  cols: number;
}

export interface Opened {
  sessionId: string;
  ticket: string;
}

/** Which connections a revocation closes: all of a user's, or only those of one login. */
export interface RevokeTarget {
  userId: string;
  loginId?: string | undefined;
  reason: string;
}

export const DEFAULT_GRACE_MS = 5 * 60_000;

export class TerminalSessions {
  private readonly sessions = new Map<string, TerminalSession>();
  readonly tickets = new TicketStore();
  private readonly graceMs: number;
  private readonly viewIdleMs: number;
  readonly audit: (record: TerminalAuditRecord) => void;
  /** Where this console's sessions are recorded; null when recording is off (tests that do not ask). */
  readonly recordings: Recordings | null;

  constructor(
    private readonly engine: TerminalEngine,
    options: TerminalOptions = {},
  ) {
    this.graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    this.viewIdleMs = options.viewIdleMs ?? TICKET_TTL_MS;
    this.audit = options.audit ?? (() => {});
    this.recordings = options.recordings ?? null;
  }

  /** Starts `command` on a TTY of the given size; the size is set before the shell can print anything. */
  async openExec({ podId, containerId, command, rows, cols }: OpenExec, user: TerminalUser): Promise<Opened> {
    const args = command.trim().split(/\s+/).filter(Boolean);
    if (args.length === 0) throw new EngineError('INVALID_ARGUMENT', 'the terminal command is empty');
    const cmd = { args, envs: [{ var: 'TERM', value: 'xterm-256color' }], interactive: true, console: '/dev/console', detach: true };
    const { process } = await this.engine.enterContainer(podId, containerId, cmd);
    const io = await this.engine.attachProcess(podId, containerId, process.token);
    await io.resize(rows, cols);
    const info = { kind: 'exec' as const, podId, containerId, title: command.trim() };
    this.record(podId, containerId, `terminal opened by ${user.name}: ${info.title} (${cols}x${rows})`);
    return this.register(info, user, processSource(io), this.graceMs, { rows, cols }, await this.recorder(info, user, { rows, cols }));
  }

  /** The output of the container's init process (its token is the container id), from the agent's backlog on. */
  async openContainerOutput(podId: string, containerId: string, user: TerminalUser): Promise<Opened> {
    const io = await this.engine.attachProcess(podId, containerId, containerId);
    return this.register({ kind: 'log', podId, containerId, title: `${containerId} output` }, user, processSource(io), this.viewIdleMs);
  }

  async openVmConsole(podId: string, user: TerminalUser): Promise<Opened> {
    const { vm } = await this.engine.statusPod(podId);
    if (!vm) throw new EngineError('INVALID_STATE', `pod ${podId} has no VM running`);
    // Not recorded: the view is read-only (no input to keep) and the console log it tails is
    // already the VM's own record; a recording per page view would only repeat it.
    return this.register({ kind: 'console', podId, containerId: null, title: `${podId} console` }, user, fileTailSource(vm.consoleLog), this.viewIdleMs);
  }

  /** A ticket for another connection to a live session: its owner may type, anyone else only watches. */
  attachTicket(sessionId: string, readOnly: boolean, user: TerminalUser): string {
    const session = this.sessions.get(sessionId);
    if (!session) throw new EngineError('INVALID_ARGUMENT', `terminal session ${sessionId} has ended`);
    const mayType = session.info.kind === 'exec' && session.owner.userId === user.userId;
    return this.tickets.mint({ sessionId, readOnly: readOnly || !mayType, user, podId: session.info.podId, containerId: session.info.containerId });
  }

  list(podId: string, containerId: string): SessionInfo[] {
    return [...this.sessions.values()]
      .map((s) => s.describe())
      .filter((s) => s.kind === 'exec' && s.podId === podId && s.containerId === containerId);
  }

  async end(sessionId: string): Promise<void> {
    await this.sessions.get(sessionId)?.end('closed by the user');
  }

  /** Hands an upgraded socket to the session its ticket names; false if the session is gone. */
  connect(ws: WebSocket, grant: TicketGrant): boolean {
    const session = this.sessions.get(grant.sessionId);
    session?.attach(ws, grant.readOnly, grant.user);
    return Boolean(session);
  }

  /** Everyone watching a terminal now, once each. */
  connectedUsers(): TerminalUser[] {
    const users = new Map<string, TerminalUser>();
    for (const session of this.sessions.values()) for (const u of session.viewerUsers()) users.set(`${u.userId}|${u.loginId}`, u);
    return [...users.values()];
  }

  /**
   * Closes the target's live terminal connections now. A revocation of the whole user (disabled,
   * demoted) also ends the exec sessions they own; a logout leaves them to the grace period.
   */
  async revoke(target: RevokeTarget): Promise<void> {
    const matches = (u: TerminalUser) => u.userId === target.userId && (!target.loginId || u.loginId === target.loginId);
    for (const session of [...this.sessions.values()]) {
      if (!target.loginId && session.info.kind === 'exec' && matches(session.owner)) await session.end(target.reason);
      else session.disconnect(matches, target.reason);
    }
  }

  /** Detaches from every process (they keep running in the guest) and closes every socket. */
  closeAll(): void {
    for (const session of [...this.sessions.values()]) session.detachAll('the console server is shutting down');
  }

  private register(
    info: { kind: SessionKind; podId: string; containerId: string | null; title: string },
    owner: TerminalUser,
    source: TerminalSource,
    idleMs: number,
    size?: { rows: number; cols: number },
    recorder?: Recorder | null,
  ): Opened {
    const sessionId = randomUUID();
    const ended = (outcome: string) => {
      this.sessions.delete(sessionId);
      void recorder?.finish();
      const seconds = Math.round((Date.now() - session.createdAt.getTime()) / 1000);
      if (info.kind !== 'exec') return;
      const message = `terminal "${info.title}" closed after ${seconds} s: ${outcome}${recorder ? `; recorded as ${recorder.id}` : ''}`;
      this.record(info.podId, info.containerId, message);
      this.audit({ actor: owner.name, action: 'terminal.closed', podId: info.podId, containerId: info.containerId, outcome: 'ok', message, input: { sessionId, command: info.title, seconds, recordingId: recorder?.id ?? null } });
    };
    const session = new TerminalSession({ sessionId, ...info }, owner, source, idleMs, ended, size, recorder ?? undefined);
    this.sessions.set(sessionId, session);
    // Output views only watch: their sockets may not type into a container's init.
    const grant = { sessionId, readOnly: info.kind !== 'exec', user: owner, podId: info.podId, containerId: info.containerId };
    return { sessionId, ticket: this.tickets.mint(grant) };
  }

  /** A recording failing to start (disk, store) must not keep the operator out of the terminal. */
  private async recorder(info: { kind: 'exec'; podId: string; containerId: string | null; title: string }, user: TerminalUser, size: { rows: number; cols: number }): Promise<Recorder | null> {
    if (!this.recordings) return null;
    return this.recordings.start({ ...info, owner: { userId: user.userId, name: user.name }, size }).catch(() => null);
  }

  /** Exec terminals go on the pod's timeline; a pod deleted meanwhile just has no timeline left. */
  private record(podId: string, containerId: string | null, message: string) {
    this.engine.recordPodEvent(podId, { call: 'terminalSession', containerId, message }).catch(() => {});
  }
}
