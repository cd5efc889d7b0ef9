'use client';
// Light / dark / system theme, remembered in localStorage; the layout's inline script applies it before paint.
import { useEffect, useState } from 'react';

export const THEME_KEY = 'podvisor-theme';
const NEXT_THEME = { system: 'light', light: 'dark', dark: 'system' } as const;
type Theme = keyof typeof NEXT_THEME;

export function applyTheme(theme: Theme) {
  if (theme === 'system') delete document.documentElement.dataset['theme'];
  else document.documentElement.dataset['theme'] = theme;
  localStorage.setItem(THEME_KEY, theme);
}

export function cycleTheme() {
  const current = (localStorage.getItem(THEME_KEY) as Theme | null) ?? 'system';
  applyTheme(NEXT_THEME[current] ?? 'system');
  window.dispatchEvent(new Event('podvisor-theme'));
}

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>('system');
  useEffect(() => {
    const read = () => setTheme((localStorage.getItem(THEME_KEY) as Theme | null) ?? 'system');
    read();
    window.addEventListener('podvisor-theme', read);
    return () => window.removeEventListener('podvisor-theme', read);
  }, []);
  return (
    <button type="button" className="btn btn-ghost btn-small" onClick={cycleTheme} aria-label={`Theme: ${theme}. Switch theme`} title="Switch theme (t)">
      {theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'} {theme}
    </button>
  );
}
