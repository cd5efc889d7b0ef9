'use client';
// The container page's terminals: a command (remembered per container), tabs of exec terminals,
// and the container's live sessions that no tab shows, to reattach or to watch read-only.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTRPC } from '../trpc/client';
import { ExecTerminal, type TerminalTab } from './exec-terminal';
import { rendererChoice, setRendererChoice, type RendererChoice } from './xterm';
import './terminal.css';

const DEFAULT_COMMAND = '/bin/sh';

function useRememberedCommand(podId: string, containerId: string) {
  const key = `podvisor.terminal.command.${podId}/${containerId}`;
  const [command, setCommand] = useState(DEFAULT_COMMAND);
  useEffect(() => setCommand(localStorage.getItem(key) ?? DEFAULT_COMMAND), [key]);
  return [command, (value: string) => (setCommand(value), localStorage.setItem(key, value))] as const;
}

export function ContainerTerminals({ podId, containerId, running }: { podId: string; containerId: string; running: boolean }) {
  const trpc = useTRPC();
  const [command, setCommand] = useRememberedCommand(podId, containerId);
  const [tabs, setTabs] = useState<TerminalTab[]>([]);
  const [active, setActive] = useState<string | null>(null);
  const [renderer, setRenderer] = useState<RendererChoice>('webgl');
  useEffect(() => setRenderer(rendererChoice()), []);
  const live = useQuery({ ...trpc.terminal.list.queryOptions({ podId, containerId }), refetchInterval: 5_000 });
  const endSession = useMutation(trpc.terminal.close.mutationOptions());
  const elsewhere = (live.data ?? []).filter((s) => !tabs.some((t) => t.sessionId === s.sessionId));

  const addTab = (tab: Omit<TerminalTab, 'key'>) => {
    const key = crypto.randomUUID();
    setTabs((all) => [...all, { ...tab, key }]);
    setActive(key);
  };
  const closeTab = (tab: TerminalTab) => {
    if (tab.sessionId && !tab.readOnly) endSession.mutate({ sessionId: tab.sessionId });
    const rest = tabs.filter((t) => t.key !== tab.key);
    setTabs(rest);
    if (active === tab.key) setActive(rest.at(-1)?.key ?? null);
  };
  const setSession = (key: string, sessionId: string) => setTabs((all) => all.map((t) => (t.key === key ? { ...t, sessionId } : t)));

  return (
    <div className="terminals">
      <form
        className="terminal-open"
        onSubmit={(e) => {
          e.preventDefault();
          addTab({ command, readOnly: false });
        }}
      >
        <label>
          Command <input className="mono" value={command} onChange={(e) => setCommand(e.target.value)} aria-label="Terminal command" required />
        </label>
        <button className="btn btn-primary btn-small" type="submit" disabled={!running || !command.trim()}>
          Open terminal
        </button>
        <label className="terminal-renderer">
          Renderer{' '}
          <select value={renderer} onChange={(e) => (setRendererChoice(e.target.value as RendererChoice), setRenderer(e.target.value as RendererChoice))}>
            <option value="webgl">WebGL (falls back to DOM)</option>
            <option value="dom">DOM (screen readers)</option>
          </select>
        </label>
      </form>
      {elsewhere.length > 0 && (
        <ul className="terminal-sessions" aria-label="Running terminal sessions">
          {elsewhere.map((s) => (
            <li key={s.sessionId}>
              <code>{s.title}</code> since {new Date(s.createdAt).toLocaleTimeString()} · {s.viewers} viewer(s){' '}
              <button className="btn btn-small" onClick={() => addTab({ command: s.title, readOnly: false, sessionId: s.sessionId })}>
                Reattach
              </button>{' '}
              <button className="btn btn-small btn-ghost" onClick={() => addTab({ command: s.title, readOnly: true, sessionId: s.sessionId })}>
                Watch read-only
              </button>
            </li>
          ))}
        </ul>
      )}
      {tabs.length === 0 ? (
        <p className="empty">No terminals open{running ? '.' : ': the container is not running.'}</p>
      ) : (
        <div role="tablist" aria-label="Terminal tabs" className="terminal-tabs">
          {tabs.map((tab, i) => (
            <span key={tab.key} className="terminal-tab" data-active={tab.key === active}>
              <button role="tab" aria-selected={tab.key === active} onClick={() => setActive(tab.key)}>
                {i + 1}: {tab.command}
                {tab.readOnly ? ' (read-only)' : ''}
              </button>
              <button className="btn-ghost" aria-label={`Close terminal ${i + 1}`} title={tab.readOnly ? 'Stop watching' : 'End the session'} onClick={() => closeTab(tab)}>
                ×
              </button>
            </span>
          ))}
        </div>
      )}
      {tabs.map((tab) => (
        <ExecTerminal key={tab.key} podId={podId} containerId={containerId} tab={tab} hidden={tab.key !== active} onSession={(id) => setSession(tab.key, id)} />
      ))}
    </div>
  );
}
