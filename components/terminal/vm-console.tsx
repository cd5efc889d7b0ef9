'use client';
// The pod page's VM serial console: read-only, from the first byte of the console log (the boot)
// and then live. Each connection is its own server-side tail of the log, so nothing needs reattaching.
import { useMutation } from '@tanstack/react-query';
import { useTRPC } from '../trpc/client';
import { SearchBox } from './search-box';
import { StatusLine } from './status-line';
import { useTerminalPane } from './use-terminal-pane';
import './terminal.css';

export function VmConsole({ podId }: { podId: string }) {
  const trpc = useTRPC();
  const open = useMutation(trpc.terminal.vmConsole.mutationOptions());
  const { hostRef, state, xterm } = useTerminalPane({
    readOnly: true,
    // Kernel output ends lines with a bare LF on some paths: do not let them staircase.
    convertEol: true,
    ticket: async () => (await open.mutateAsync({ podId })).ticket,
    onEnter(_ended, connection, { terminal }) {
      terminal.reset();
      void connection.connect();
    },
  });
  return (
    <section className="card span-2" aria-labelledby="vm-console-heading">
      <div className="card-header">
        <h2 id="vm-console-heading">VM console</h2>
        <SearchBox search={xterm?.search} label="Find in VM console" />
      </div>
      <StatusLine state={state} enterHint="reconnect" />
      <div className="terminal-host" ref={hostRef} data-testid="vm-console" />
    </section>
  );
}
