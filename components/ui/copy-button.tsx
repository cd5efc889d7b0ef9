'use client';
// Copies a text to the clipboard and says so; the clipboard API exists only in a secure context
// (HTTPS or localhost), so elsewhere it tells the user to select the text instead.
import { useToast } from './toast';

interface Props {
  text: string;
  /** The accessible name, e.g. "Copy 10.209.0.5". */
  label: string;
  /** For the toast: "Configuration copied". */
  what: string;
  children?: string;
}

export function CopyButton({ text, label, what, children = 'Copy' }: Props) {
  const toast = useToast();
  // navigator.clipboard is undefined outside a secure context: start from a promise so that fails too.
  const copy = () =>
    Promise.resolve()
      .then(() => navigator.clipboard.writeText(text))
      .then(
      () => toast({ kind: 'info', message: `${what} copied` }),
      () => toast({ kind: 'info', message: 'No clipboard here (it needs HTTPS or localhost): select the text and press Ctrl+C' }),
    );
  return (
    <button type="button" className="btn btn-small btn-ghost" aria-label={label} onClick={() => void copy()}>
      {children}
    </button>
  );
}
