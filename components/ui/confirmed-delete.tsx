'use client';
// A Delete button that asks first: the one way pods and containers are deleted from the console.
import { useState, type ReactNode } from 'react';
import { ActionButton } from './action-button';
import { ConfirmDialog } from './confirm-dialog';

interface Props {
  /** e.g. "pod web-1": the dialog asks "Delete pod web-1?". */
  what: string;
  unavailableBecause: string | null;
  busy: boolean;
  onDelete: () => void;
  /** What deleting removes, shown in the dialog. */
  children: ReactNode;
}

export function ConfirmedDelete({ what, unavailableBecause, busy, onDelete, children }: Props) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <ActionButton variant="danger" unavailableBecause={unavailableBecause} busy={busy} onClick={() => setOpen(true)}>
        Delete
      </ActionButton>
      <ConfirmDialog
        open={open}
        title={`Delete ${what}?`}
        confirmLabel="Delete"
        danger
        onConfirm={() => {
          setOpen(false);
          onDelete();
        }}
        onCancel={() => setOpen(false)}
      >
        {children}
      </ConfirmDialog>
    </>
  );
}
