'use client';
// A link to a page where something is done (a create form) that may be unavailable to this user or
// in this state: then a disabled look-alike that says why, as ActionButton does for buttons.
import Link from 'next/link';
import { useId } from 'react';

interface Props {
  href: string;
  children: string;
  unavailableBecause: string | null;
  className?: string;
  shortcut?: string;
}

export function ActionLink({ href, children, unavailableBecause, className = 'btn', shortcut }: Props) {
  const reasonId = useId();
  if (!unavailableBecause) {
    return (
      <Link className={className} href={href} aria-keyshortcuts={shortcut}>
        {children}
      </Link>
    );
  }
  return (
    <>
      <span className={className} role="link" aria-disabled="true" tabIndex={0} title={unavailableBecause} aria-describedby={reasonId}>
        {children}
      </span>
      <span id={reasonId} hidden>
        {unavailableBecause}
      </span>
    </>
  );
}
