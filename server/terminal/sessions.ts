// The session registry: opens exec terminals (TTY processes entered into a container), container
// output views and VM console views, mints their WebSocket tickets and hands sockets to them.
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { EngineError, type VC } from '../engine/index.js';
import { TerminalSession, type SessionInfo, type SessionKind } from './session.js';
import { fileTailSource, processSource, type TerminalSource } from './sources.js';
import { TICKET_TTL_MS, TicketStore, type TicketGrant } from './tickets.js';

export type TerminalEngine = Pick<VC, 'enterContainer' | 'attachProcess' | 'statusPod' | 'recordPodEvent'>;

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

export const DEFAULT_GRACE_MS = 5 * 60_000;

export class TerminalSessions {
  private readonly sessions = new Map<string, TerminalSession>();
  readonly tickets = new TicketStore();

  constructor(
    private readonly engine: TerminalEngine,
    private readonly graceMs = DEFAULT_GRACE_MS,
    /** How long a log or console view waits for its (re)connection before letting go of its source. */
    private readonly viewIdleMs = TICKET_TTL_MS,
  ) {}

  /** Starts `command` on a TTY of the given size; the size is set before the shell can print anything. */
  async openExec({ podId, containerId, command, rows, cols }: OpenExec): Promise<Opened> {
    const args = command.trim().split(/\s+/).filter(Boolean);
    if (args.length === 0) throw new EngineError('INVALID_ARGUMENT', 'the terminal command is empty');
    const cmd = { args, envs: [{ var: 'TERM', value: 'xterm-256color' }], interactive: true, console: '/dev/console', detach: true };
    const { process } = await this.engine.enterContainer(podId, containerId, cmd);
    const io = await this.engine.attachProcess(podId, containerId, process.token);
    await io.resize(rows, cols);
    const info = { kind: 'exec' as const, podId, containerId, title: command.trim() };
    this.record(podId, containerId, `terminal opened: ${info.title} (${cols}x${rows})`);
    return this.register(info, processSource(io), this.graceMs, { rows, cols });
  }

  /** The output of the container's init process (its token is the container id), from the agent's backlog on. */
  async openContainerOutput(podId: string, containerId: string): Promise<Opened> {
    const io = await this.engine.attachProcess(podId, containerId, containerId);
    return this.register({ kind: 'log', podId, containerId, title: `${containerId} output` }, processSource(io), this.viewIdleMs);
  }

  async openVmConsole(podId: string): Promise<Opened> {
    const { vm } = await this.engine.statusPod(podId);
    if (!vm) throw new EngineError('INVALID_STATE', `pod ${podId} has no VM running`);
    return this.register({ kind: 'console', podId, containerId: null, title: `${podId} console` }, fileTailSource(vm.consoleLog), this.viewIdleMs);
  }

  /** A ticket for another connection to a live session (a reattach, or a read-only second viewer). */
  attachTicket(sessionId: string, readOnly: boolean): string {
    if (!this.sessions.has(sessionId)) throw new EngineError('INVALID_ARGUMENT', `terminal session ${sessionId} has ended`);
    return this.tickets.mint({ sessionId, readOnly });
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
    session?.attach(ws, grant.readOnly);
    return Boolean(session);
  }

  /** Detaches from every process (they keep running in the guest) and closes every socket. */
  closeAll(): void {
    for (const session of [...this.sessions.values()]) session.detachAll('the console server is shutting down');
  }

  private register(
    info: { kind: SessionKind; podId: string; containerId: string | null; title: string },
    source: TerminalSource,
    idleMs: number,
    size?: { rows: number; cols: number },
  ): Opened {
    const sessionId = randomUUID();
    const ended = (outcome: string) => {
      this.sessions.delete(sessionId);
      const seconds = Math.round((Date.now() - session.createdAt.getTime()) / 1000);
      if (info.kind === 'exec') this.record(info.podId, info.containerId, `terminal closed after ${seconds} s: ${outcome}`);
    };
    const session = new TerminalSession({ sessionId, ...info }, source, idleMs, ended, size);
    this.sessions.set(sessionId, session);
    // Output views only watch: their sockets may not type into a container's init.
    return { sessionId, ticket: this.tickets.mint({ sessionId, readOnly: info.kind !== 'exec' }) };
  }

  /** Exec terminals go on the pod's timeline; a pod deleted meanwhile just has no timeline left. */
  private record(podId: string, containerId: string | null, message: string) {
    this.engine.recordPodEvent(podId, { call: 'terminalSession', containerId, message }).catch(() => {});
  }
}
