// A pod or container state as a coloured badge; the word is always there, colour only helps.
import type { State } from '../../server/engine/types';

export function StateBadge({ state }: { state: State | string }) {
  return (
    <span className="badge" data-state={state}>
      {state}
    </span>
  );
}
