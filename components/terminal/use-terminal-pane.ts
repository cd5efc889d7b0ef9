// An xterm.js terminal wired to a terminal session: output written with acks, keystrokes and sizes
// sent, the connection state exposed, and Enter (once the session is over) calling `onEnter`.
import { useEffect, useRef, useState } from 'react';
import { terminalSocketUrl } from '../../server/terminal/protocol';
import { TerminalConnection, type ConnectionState } from './connection';
import { createXterm, type XtermHandle } from './xterm';

export interface PaneOptions {
  readOnly: boolean;
  convertEol?: boolean;
  /**
   * Scroll the terminal into view once it exists (a tab the user just opened or reattached). xterm
   * stops rendering while its element is entirely off screen, so a terminal opened below the fold
   * would otherwise look frozen until scrolled to.
   */
  reveal?: boolean;
  /** A ticket for each connection attempt; gets the terminal's current size (a new session starts at it). */
  ticket(size: { rows: number; cols: number }): Promise<string>;
  /** Enter pressed while the session is over (exited, or ended by the server). */
  onEnter?(state: ConnectionState, connection: TerminalConnection, xterm: XtermHandle): void;
}

export function useTerminalPane(options: PaneOptions) {
  const hostRef = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<ConnectionState>({ kind: 'connecting' });
  const [xterm, setXterm] = useState<XtermHandle | null>(null);
  const latest = useRef(options);
  latest.current = options;

  useEffect(() => {
    let handle: XtermHandle | undefined;
    let connection: TerminalConnection | undefined;
    let disposed = false;
    void createXterm(hostRef.current!, { readOnly: options.readOnly, convertEol: options.convertEol }).then((created) => {
      if (disposed) return created.dispose();
      handle = created;
      const { terminal } = created;
      const conn = new TerminalConnection({
        ticket: () => latest.current.ticket({ rows: terminal.rows, cols: terminal.cols }),
        url: terminalSocketUrl(window.location),
        onState: setState,
        onSnapshot: (data) => (terminal.reset(), terminal.write(data)),
        onOutput: (data, _stream, written) => terminal.write(data, written),
      });
      connection = conn;
      terminal.onData((data) => {
        const kind = conn.current.kind;
        if (kind === 'exited' || kind === 'ended') {
          if (data === '\r') latest.current.onEnter?.(conn.current, conn, created);
        } else if (!options.readOnly) conn.sendInput(data);
      });
      terminal.onBinary((data) => !options.readOnly && conn.sendBinary(data));
      terminal.onResize(({ rows, cols }) => conn.resize(rows, cols));
      conn.resize(terminal.rows, terminal.cols);
      setXterm(created);
      void conn.connect();
      if (options.reveal && !hostRef.current?.closest('[hidden]')) hostRef.current?.scrollIntoView({ block: 'nearest' });
      terminal.focus();
    });
    return () => {
      disposed = true;
      connection?.close();
      handle?.dispose();
    };
  }, [options.readOnly, options.convertEol]);

  return { hostRef, state, xterm };
}
