// One terminal session: a source (process or console log) and the sockets viewing it. Exec sessions
// keep an @xterm/headless screen fed with every byte so a viewer that (re)attaches gets the screen
// back; output pauses while any viewer has too much unacknowledged data in flight.
import headless from '@xterm/headless';
import serialize from '@xterm/addon-serialize';
import type { Terminal } from '@xterm/headless';
import type { SerializeAddon } from '@xterm/addon-serialize';
import type { WebSocket } from 'ws';
import { MAX_IN_FLIGHT, ClientFrameSchema, parseFrame, type ServerFrame } from './protocol.js';
import type { Recorder } from './recordings.js';
import type { OutputStream, TerminalSource } from './sources.js';
import type { TerminalUser } from './tickets.js';

export type SessionKind = 'exec' | 'log' | 'console';

export interface SessionInfo {
  sessionId: string;
  kind: SessionKind;
  podId: string;
  containerId: string | null;
  title: string;
  /** Who opened it: only they may type into it; other operators watch read-only. */
  owner: string;
  createdAt: string;
  viewers: number;
}

interface Viewer {
  ws: WebSocket;
  user: TerminalUser;
  readOnly: boolean;
  inFlight: number;
  /** Frames held back until the viewer's snapshot is sent; null once it is live. */
  held: ServerFrame[] | null;
}

/** Socket buffer above which output pauses even if acks keep coming (a stalled network). */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const FLOW_POLL_MS = 50;
const SCROLLBACK_LINES = 5000;

export class TerminalSession {
  readonly createdAt = new Date();
  private readonly viewers = new Set<Viewer>();
  private readonly screen: { terminal: Terminal; serializer: SerializeAddon } | null;
  private idleTimer: NodeJS.Timeout | undefined;
  private flowTimer: NodeJS.Timeout | undefined;
  private paused = false;
  private started = false;
  private stdin: Promise<unknown> = Promise.resolve();
  /** The size to apply once the resize in flight is done; only the latest one matters. */
  private pendingSize: { rows: number; cols: number } | null = null;
  private resizing = false;
  private exitCode: number | null = null;
  private ended = false;

  constructor(
    readonly info: Omit<SessionInfo, 'viewers' | 'createdAt' | 'owner'>,
    readonly owner: TerminalUser,
    private readonly source: TerminalSource,
    private readonly idleMs: number,
    /** Told how the session ended: the exit code, or the reason it was ended. */
    private readonly onEnd: (outcome: string) => void,
    size?: { rows: number; cols: number },
    /** Gets every byte of output, the input typed, and each resize (asciicast). */
    private readonly recorder?: Recorder,
  ) {
    // Only a TTY has a screen worth restoring; logs and the console log start their source per viewer.
    if (size) {
      const terminal = new headless.Terminal({ ...size, scrollback: SCROLLBACK_LINES, allowProposedApi: true });
      const serializer = new serialize.SerializeAddon();
      terminal.loadAddon(serializer);
      this.screen = { terminal, serializer };
      this.startSource();
    } else this.screen = null;
    source.exited.then(
      (code) => this.finish(code),
      // The agent connection broke (the pod stopped, the VM died): nothing more will come.
      (err: unknown) => this.end(err instanceof Error ? err.message : String(err)),
    );
    this.armIdleTimer();
  }

  describe(): SessionInfo {
    return { ...this.info, owner: this.owner.name, createdAt: this.createdAt.toISOString(), viewers: this.viewers.size };
  }

  /** The users watching now, for the periodic check that each may still do so. */
  viewerUsers(): TerminalUser[] {
    return [...this.viewers].map((v) => v.user);
  }

  /** Closes the sockets of the viewers `match` picks, telling them why; the process goes on. */
  disconnect(match: (user: TerminalUser) => boolean, reason: string) {
    for (const viewer of [...this.viewers].filter((v) => match(v.user))) {
      this.send(viewer, { t: 'error', reason, fatal: true });
      viewer.ws.close(4001, reason.slice(0, 100));
      this.detach(viewer);
    }
  }

  attach(ws: WebSocket, readOnly: boolean, user: TerminalUser) {
    clearTimeout(this.idleTimer);
    const viewer: Viewer = { ws, user, readOnly, inFlight: 0, held: null };
    this.viewers.add(viewer);
    this.send(viewer, { t: 'hello', sessionId: this.info.sessionId, readOnly, title: this.info.title });
    if (this.screen) viewer.held = [];
    // The empty write's callback runs after everything written so far is parsed, and before later
    // output: the snapshot then covers exactly what the held frames do not.
    this.screen?.terminal.write('', () => {
      const held = viewer.held ?? [];
      viewer.held = null;
      this.send(viewer, { t: 'snapshot', data: this.screen!.serializer.serialize({ scrollback: SCROLLBACK_LINES }) });
      held.forEach((frame) => this.transmit(viewer, frame));
    });
    this.startSource();
    ws.on('message', (raw, isBinary) => !isBinary && this.receive(viewer, raw.toString()));
    ws.on('close', () => this.detach(viewer));
  }

  /** Ends the session now: the process is killed, viewers are told why. */
  async end(reason: string) {
    if (this.ended) return;
    this.broadcast({ t: 'error', reason, fatal: true });
    await this.source.kill().catch(() => {});
    this.dispose(reason);
  }

  /** Lets go of the source without ending the process (server shutdown). */
  detachAll(reason: string) {
    this.broadcast({ t: 'error', reason, fatal: true });
    this.dispose(reason);
  }

  private startSource() {
    if (this.started) return;
    this.started = true;
    this.source.start((data, stream) => this.output(data, stream));
  }

  private output(data: string, stream: OutputStream) {
    this.screen?.terminal.write(data);
    this.recorder?.output(data);
    this.broadcast(this.screen ? { t: 'output', data } : { t: 'output', data, stream });
    this.updateFlow();
  }

  private receive(viewer: Viewer, text: string) {
    const frame = parseFrame(ClientFrameSchema, text);
    if (!frame) return;
    switch (frame.t) {
      case 'ping':
        return this.send(viewer, { t: 'pong' });
      case 'ack':
        viewer.inFlight = Math.max(0, viewer.inFlight - frame.n);
        return this.updateFlow();
      case 'input':
        if (viewer.readOnly || !this.source.write) return this.send(viewer, { t: 'error', reason: 'this terminal is read-only', fatal: false });
        this.recorder?.input(frame.binary ? Buffer.from(frame.data, 'latin1').toString('utf8') : frame.data);
        // Chained so chunks of a paste reach the process in the order they arrived.
        this.stdin = this.stdin.then(() => this.source.write!(frame.binary ? Buffer.from(frame.data, 'latin1') : frame.data)).catch(() => {});
        return;
      case 'resize':
        if (viewer.readOnly || !this.source.resize) return;
        this.screen?.terminal.resize(frame.cols, frame.rows);
        this.recorder?.resize(frame.cols, frame.rows);
        this.pendingSize = { rows: frame.rows, cols: frame.cols };
        return void this.applySize();
      case 'pong':
        return;
    }
  }

  /**
   * Resizes run on their own lane, never in the stdin chain: a resize costs the guest a process
   * spawn (stty), and keystrokes queued behind a slow one stalled typing after a window resize.
   * Sizes that arrive meanwhile collapse into the latest.
   */
  private async applySize() {
    if (this.resizing) return;
    this.resizing = true;
    try {
      while (this.pendingSize && !this.ended) {
        const { rows, cols } = this.pendingSize;
        this.pendingSize = null;
        await this.source.resize!(rows, cols).catch(() => {});
      }
    } finally {
      this.resizing = false;
    }
  }

  private send(viewer: Viewer, frame: ServerFrame) {
    if (!viewer.held && viewer.ws.readyState !== viewer.ws.OPEN) return;
    // Output held until the viewer's snapshot is taken is owed to it as much as output sent: it
    // counts toward flow control, or a snapshot delayed by load lets the whole stream pile up held.
    if (frame.t === 'output') viewer.inFlight += frame.data.length;
    if (viewer.held) viewer.held.push(frame);
    else viewer.ws.send(JSON.stringify(frame));
  }

  /** A held frame, already counted by send(). */
  private transmit(viewer: Viewer, frame: ServerFrame) {
    if (viewer.ws.readyState === viewer.ws.OPEN) viewer.ws.send(JSON.stringify(frame));
  }

  private broadcast(frame: ServerFrame) {
    for (const viewer of this.viewers) this.send(viewer, frame);
  }

  private updateFlow() {
    const congested = [...this.viewers].some((v) => v.inFlight > MAX_IN_FLIGHT || v.ws.bufferedAmount > MAX_BUFFERED_BYTES);
    if (congested === this.paused) return;
    this.paused = congested;
    clearInterval(this.flowTimer);
    if (congested) {
      this.source.pause();
      // A socket that drains without any new ack (bufferedAmount only) must also resume the output.
      this.flowTimer = setInterval(() => this.updateFlow(), FLOW_POLL_MS);
    } else this.source.resume();
  }

  private detach(viewer: Viewer) {
    if (!this.viewers.delete(viewer)) return;
    this.updateFlow();
    this.armIdleTimer();
  }

  private armIdleTimer() {
    if (this.viewers.size > 0 || this.exitCode !== null) return;
    clearTimeout(this.idleTimer);
    // Only an exec session owns its process; a log or console view must never kill what it watched.
    const reason = 'no viewer within the grace period';
    this.idleTimer = setTimeout(() => (this.info.kind === 'exec' ? void this.end(reason) : this.detachAll(reason)), this.idleMs);
  }

  private finish(code: number) {
    this.exitCode = code;
    this.broadcast({ t: 'exit', code });
    // Queued after any pending snapshot callback, so a viewer mid-attach still gets its held frames.
    if (this.screen) this.screen.terminal.write('', () => this.dispose('exited'));
    else this.dispose('exited');
  }

  private dispose(reason: string) {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.idleTimer);
    clearInterval(this.flowTimer);
    this.source.close();
    this.screen?.terminal.dispose();
    for (const viewer of this.viewers) viewer.ws.close(1000, reason.slice(0, 100));
    this.viewers.clear();
    this.onEnd(this.exitCode === null ? reason : `exit code ${this.exitCode}`);
  }
}
