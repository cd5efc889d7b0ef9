'use client';
// A secret the server returns once (a new API token): shown in a read-only field with a copy button
// until the user says they have it.
import { useRef, type ReactNode } from 'react';
import { useToast } from '../ui/toast';

export function OnceSecret({ label, secret, onDone, children }: { label: string; secret: string; onDone: () => void; children: ReactNode }) {
  const toast = useToast();
  const field = useRef<HTMLInputElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      toast({ kind: 'success', message: 'Copied to the clipboard' });
    } catch {
      // No clipboard API outside a secure context: select the text for Ctrl+C instead.
      field.current?.select();
      toast({ kind: 'info', message: 'Press Ctrl+C to copy the selected token' });
    }
  };
  return (
    <div className="once-secret" role="status">
      <p>{children}</p>
      <div className="button-row">
        <input ref={field} className="mono" readOnly value={secret} aria-label={label} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="btn btn-small btn-primary" onClick={() => void copy()}>
          Copy
        </button>
        <button type="button" className="btn btn-small" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
