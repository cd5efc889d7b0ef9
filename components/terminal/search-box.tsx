// Find in a terminal's scrollback (xterm's search addon): Enter for the next match, Shift+Enter back.
import { useState } from 'react';
import type { SearchAddon } from '@xterm/addon-search';

export function SearchBox({ search, label }: { search: SearchAddon | undefined; label: string }) {
  const [term, setTerm] = useState('');
  return (
    <input
      className="terminal-search"
      type="search"
      placeholder="Find…"
      aria-label={label}
      value={term}
      disabled={!search}
      onChange={(e) => {
        setTerm(e.target.value);
        search?.findNext(e.target.value, { incremental: true });
      }}
      onKeyDown={(e) => {
        if (e.key !== 'Enter') return;
        if (e.shiftKey) search?.findPrevious(term);
        else search?.findNext(term);
      }}
    />
  );
}
