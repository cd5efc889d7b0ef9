'use client';
// Global shortcuts: n new pod, / search, t theme, ? this help. Ignored while typing in a field.
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { cycleTheme } from './theme-toggle';

const SHORTCUTS: [key: string, what: string][] = [
  ['n', 'New pod'],
  ['g', 'Go to the pod list'],
  ['/', 'Search pods'],
  ['t', 'Switch theme'],
  ['?', 'Show these shortcuts'],
];

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

export function KeyboardShortcuts() {
  const router = useRouter();
  const [helpOpen, setHelpOpen] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if (e.key === 'n') router.push('/pods/new');
      else if (e.key === 'g') router.push('/pods');
      else if (e.key === 't') cycleTheme();
      else if (e.key === '?') setHelpOpen((open) => !open);
      else if (e.key === 'Escape') setHelpOpen(false);
      else if (e.key === '/') {
        const search = document.querySelector<HTMLInputElement>('[data-shortcut="search"]');
        if (!search) return;
        e.preventDefault();
        search.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [router]);
  if (!helpOpen) return null;
  return (
    <aside className="shortcut-help" aria-label="Keyboard shortcuts">
      <h2>Keyboard shortcuts</h2>
      <dl>
        {SHORTCUTS.map(([key, what]) => (
          <div key={key}>
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <button type="button" className="btn btn-small" onClick={() => setHelpOpen(false)}>
        Close
      </button>
    </aside>
  );
}
