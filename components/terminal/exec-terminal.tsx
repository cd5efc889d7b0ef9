'use client';
// One exec terminal tab: starts its session at the terminal's fitted size (or reattaches to an
// existing one), and on Enter after the end starts anew or reattaches, whichever still makes sense.
import { useMutation } from '@tanstack/react-query';
import { useRef } from 'react';
import { useTRPC } from '../trpc/client';
import { SearchBox } from './search-box';
import { StatusLine } from './status-line';
import { useTerminalPane } from './use-terminal-pane';

export interface TerminalTab {
  key: string;
  command: string;
  readOnly: boolean;
  /** Absent until the session exists (a new tab opens it once the terminal knows its size). */
  sessionId?: string;
}

interface Props {
  podId: string;
  containerId: string;
  tab: TerminalTab;
  hidden: boolean;
  onSession(sessionId: string): void;
}

export function ExecTerminal({ podId, containerId, tab, hidden, onSession }: Props) {
  const trpc = useTRPC();
  const open = useMutation(trpc.terminal.open.mutationOptions());
  const attach = useMutation(trpc.terminal.attach.mutationOptions());
  const session = useRef(tab.sessionId);
  const startAnewIfGone = useRef(false);

  const { hostRef, state, xterm } = useTerminalPane({
    readOnly: tab.readOnly,
    reveal: true,
    async ticket(size) {
      if (session.current) {
        try {
          return (await attach.mutateAsync({ sessionId: session.current, readOnly: tab.readOnly })).ticket;
        } catch (err) {
          if (!startAnewIfGone.current || tab.readOnly) throw err;
        }
      }
      const opened = await open.mutateAsync({ podId, containerId, command: tab.command, ...size });
      session.current = opened.sessionId;
      onSession(opened.sessionId);
      return opened.ticket;
    },
    onEnter(ended, connection, { terminal }) {
      // An exited process is gone for good; a lost connection may still have its session.
      if (ended.kind === 'exited') session.current = undefined;
      startAnewIfGone.current = true;
      terminal.reset();
      void connection.connect();
    },
  });

  return (
    <div className="terminal-panel" role="tabpanel" aria-label={`Terminal ${tab.command}`} hidden={hidden}>
      <div className="terminal-toolbar">
        <StatusLine state={state} enterHint={tab.readOnly ? 'reconnect' : 'reconnect or start a new session'} />
        <SearchBox search={xterm?.search} label={`Find in terminal ${tab.command}`} />
      </div>
      <div className="terminal-host" ref={hostRef} data-testid="terminal" />
    </div>
  );
}
