'use client';
// The left navigation: brand, sections (the admin's only for admins, "New pod" only for those who
// may create one), the signed-in user, live-update status, host facts and the theme switch.
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { roleAtLeast, type Role } from '../../server/auth/roles';
import { UserBlock } from '../auth/user-block';
import { useSession } from '../auth/use-session';
import { LiveStatus } from '../live/live-status';
import { ThemeToggle } from '../ui/theme-toggle';
import { HostFacts } from './host-facts';

interface NavLink {
  href: string;
  label: string;
  need: Role;
  shortcut?: string;
  matches?: (pathname: string) => boolean;
}

const LINKS: NavLink[] = [
  { href: '/pods', label: 'Pods', need: 'viewer', shortcut: 'g', matches: (p) => p === '/' || (p.startsWith('/pods') && p !== '/pods/new') },
  { href: '/pods/new', label: 'New pod', need: 'operator', shortcut: 'n' },
  { href: '/recordings', label: 'Recordings', need: 'operator', matches: (p) => p.startsWith('/recordings') },
  { href: '/host', label: 'Host', need: 'viewer' },
];
const ADMIN_LINKS: NavLink[] = [
  { href: '/admin/users', label: 'Users', need: 'admin' },
  { href: '/admin/audit', label: 'Audit log', need: 'admin' },
  { href: '/admin/tokens', label: 'API tokens', need: 'admin' },
  { href: '/admin/settings', label: 'Settings', need: 'admin' },
];

function NavLinks({ links, label }: { links: NavLink[]; label: string }) {
  const pathname = usePathname() ?? '/';
  const { user } = useSession();
  const shown = links.filter((l) => l.need === 'viewer' || (user && roleAtLeast(user.role, l.need)));
  if (shown.length === 0) return null;
  return (
    <ul className="nav-links" aria-label={label}>
      {shown.map((l) => (
        <li key={l.href}>
          <Link href={l.href} aria-current={(l.matches ? l.matches(pathname) : pathname === l.href) ? 'page' : undefined} aria-keyshortcuts={l.shortcut}>
            {l.label}
            {l.shortcut && <kbd aria-hidden="true">{l.shortcut}</kbd>}
          </Link>
        </li>
      ))}
    </ul>
  );
}

export function Sidebar() {
  return (
    <nav className="sidebar" aria-label="Main">
      <Link href="/pods" className="brand">
        <span className="brand-mark" aria-hidden="true">▣</span> Podvisor
      </Link>
      <NavLinks links={LINKS} label="Console" />
      <NavLinks links={ADMIN_LINKS} label="Administration" />
      <div className="sidebar-footer">
        <UserBlock />
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
