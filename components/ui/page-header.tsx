// The top of every page: breadcrumbs, the title (with an optional badge) and the page's actions.
import Link from 'next/link';
import type { ReactNode } from 'react';

interface Props {
  title: string;
  crumbs?: { href: string; label: string }[];
  badge?: ReactNode;
  actions?: ReactNode;
}

export function PageHeader({ title, crumbs = [], badge, actions }: Props) {
  return (
    <header className="page-header">
      {crumbs.length > 0 && (
        <nav aria-label="Breadcrumbs" className="breadcrumbs">
          {crumbs.map((c) => (
            <span key={c.href}>
              <Link href={c.href}>{c.label}</Link> /{' '}
            </span>
          ))}
        </nav>
      )}
      <div className="page-title-row">
        <h1>{title}</h1>
        {badge}
        {actions && <div className="page-actions">{actions}</div>}
      </div>
    </header>
  );
}
