'use client';
// The left navigation: brand, sections, live-update status, host facts and the theme switch.
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { LiveStatus } from '../live/live-status';
import { ThemeToggle } from '../ui/theme-toggle';
import { HostFacts } from './host-facts';

const LINKS = [
  { href: '/pods', label: 'Pods', shortcut: 'g', matches: (p: string) => p === '/' || (p.startsWith('/pods') && p !== '/pods/new') },
  { href: '/pods/new', label: 'New pod', shortcut: 'n', matches: (p: string) => p === '/pods/new' },
];

export function Sidebar() {
  const pathname = usePathname() ?? '/';
  return (
    <nav className="sidebar" aria-label="Main">
      <Link href="/pods" className="brand">
        <span className="brand-mark" aria-hidden="true">▣</span> Podvisor
      </Link>
      <ul className="nav-links">
        {LINKS.map((l) => (
          <li key={l.href}>
            <Link href={l.href} aria-current={l.matches(pathname) ? 'page' : undefined} aria-keyshortcuts={l.shortcut}>
              {l.label}
              <kbd aria-hidden="true">{l.shortcut}</kbd>
            </Link>
          </li>
        ))}
      </ul>
      <div className="sidebar-footer">
        <LiveStatus />
        <HostFacts />
        <div className="sidebar-row">
          <ThemeToggle />
          <span className="field-hint">
            <kbd>?</kbd> shortcuts
          </span>
        </div>
      </div>
    </nav>
  );
}
