// The connection state of a terminal, in words, with the key that gets it back once it is over.
import type { ConnectionState } from './connection';

export function describeState(state: ConnectionState): string {
  switch (state.kind) {
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      return state.readOnly ? 'Connected (read-only)' : 'Connected';
    case 'reconnecting':
      return `Connection lost, reconnecting (attempt ${state.attempt})…`;
    case 'exited':
      return `Exited with code ${state.code}`;
    case 'ended':
      return `Ended: ${state.reason}`;
  }
}

export function StatusLine({ state, enterHint }: { state: ConnectionState; enterHint: string }) {
  const over = state.kind === 'exited' || state.kind === 'ended';
  return (
    <p className={`terminal-status terminal-status-${state.kind}`} role="status" aria-live="polite">
      {describeState(state)}
      {over && (
        <>
          {' '}
          — press <kbd>Enter</kbd> in the terminal to {enterHint}
        </>
      )}
    </p>
  );
}
