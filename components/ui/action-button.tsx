'use client';
// A button for an engine call that may be unavailable in the current state: it stays focusable and
// announces why (aria-disabled + description + tooltip) instead of silently greying out.
import { useId, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
  /** Why the action is impossible now; null when it is available. */
  unavailableBecause: string | null;
  busy?: boolean;
  variant?: 'primary' | 'danger' | 'default';
  small?: boolean;
  /** A submit button submits its form when available (onClick is then optional). */
  type?: 'button' | 'submit';
  onClick?: () => void;
}

export function ActionButton({ children, unavailableBecause, busy = false, variant = 'default', small = false, type = 'button', onClick }: Props) {
  const reasonId = useId();
  const disabled = unavailableBecause !== null || busy;
  return (
    <>
      <button
        type={type}
        className={`btn btn-${variant}${small ? ' btn-small' : ''}`}
        aria-disabled={disabled}
        aria-busy={busy || undefined}
        aria-describedby={unavailableBecause ? reasonId : undefined}
        title={unavailableBecause ?? undefined}
        onClick={(e) => (disabled ? e.preventDefault() : onClick?.())}
      >
        {children}
      </button>
      {unavailableBecause && (
        <span id={reasonId} hidden>
          {unavailableBecause}
        </span>
      )}
    </>
  );
}
