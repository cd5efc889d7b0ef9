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
  onClick: () => void;
}

export function ActionButton({ children, unavailableBecause, busy = false, variant = 'default', onClick }: Props) {
  const reasonId = useId();
  const disabled = unavailableBecause !== null || busy;
  return (
    <>
      <button
        type="button"
        className={`btn btn-${variant}`}
        aria-disabled={disabled}
        aria-busy={busy || undefined}
        aria-describedby={unavailableBecause ? reasonId : undefined}
        title={unavailableBecause ?? undefined}
        onClick={() => !disabled && onClick()}
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
