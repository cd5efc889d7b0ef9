'use client';
// The container's own output (its init process, no TTY): stdout and stderr as lines, following the
// end unless scrolled up, with a filter and a download of everything received.
import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { terminalSocketUrl } from '../../server/terminal/protocol';
import { useTRPC } from '../trpc/client';
import { downloadText } from '../ui/download';
import { TerminalConnection, type ConnectionState } from './connection';
import { StatusLine } from './status-line';
import './terminal.css';

interface Line {
  text: string;
  stream: 'stdout' | 'stderr';
}

/** The view keeps the newest lines; the download has everything up to this many too. */
const MAX_LINES = 20_000;

export function ContainerOutput({ podId, containerId }: { podId: string; containerId: string }) {
  const trpc = useTRPC();
  const open = useMutation(trpc.terminal.containerOutput.mutationOptions());
  const [lines, setLines] = useState<Line[]>([]);
  const [state, setState] = useState<ConnectionState>({ kind: 'connecting' });
  const [filter, setFilter] = useState('');
  const [follow, setFollow] = useState(true);
  const viewRef = useRef<HTMLPreElement>(null);
  const connectionRef = useRef<TerminalConnection | null>(null);

  useEffect(() => {
    const partial = { stdout: '', stderr: '' };
    const connection = new TerminalConnection({
      // Every attach replays the agent's backlog from its start: begin the view afresh with it.
      ticket: async () => {
        const { ticket } = await open.mutateAsync({ podId, containerId });
        partial.stdout = partial.stderr = '';
        setLines([]);
        return ticket;
      },
      url: terminalSocketUrl(window.location),
      onState: setState,
      onSnapshot: () => {},
      onOutput(data, stream = 'stdout', written) {
        const parts = (partial[stream] + data).split('\n');
        partial[stream] = parts.pop()!;
        if (parts.length) setLines((all) => [...all, ...parts.map((text) => ({ text, stream }))].slice(-MAX_LINES));
        written();
      },
    });
    connectionRef.current = connection;
    void connection.connect();
    return () => connection.close();
  }, [podId, containerId]);

  useEffect(() => {
    if (follow && viewRef.current) viewRef.current.scrollTop = viewRef.current.scrollHeight;
  }, [lines, follow]);

  const shown = filter ? lines.filter((l) => l.text.includes(filter)) : lines;
  const download = () => downloadText(lines.map((l) => l.text).join('\n'), `${podId}-${containerId}.log`);

  return (
    <section className="card span-2" aria-labelledby="output-heading">
      <div className="card-header">
        <h2 id="output-heading">Container output</h2>
        <div className="terminal-toolbar">
          <input type="search" className="terminal-search" placeholder="Filter…" aria-label="Filter output" value={filter} onChange={(e) => setFilter(e.target.value)} />
          <label>
            <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
          </label>
          <button className="btn btn-small" onClick={download} disabled={lines.length === 0}>
            Download
          </button>
        </div>
      </div>
      <StatusLine state={state} enterHint="reconnect" />
      <pre
        className="log-view"
        ref={viewRef}
        tabIndex={0}
        aria-label="Container output lines"
        onScroll={(e) => {
          const el = e.currentTarget;
          setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < 8);
        }}
        onKeyDown={(e) => {
          const kind = connectionRef.current?.current.kind;
          if (e.key === 'Enter' && (kind === 'ended' || kind === 'exited')) void connectionRef.current?.connect();
        }}
      >
        {shown.map((l, i) => (
          <div key={i} className={`log-line-${l.stream}`}>
            {l.text}
          </div>
        ))}
      </pre>
    </section>
  );
}
