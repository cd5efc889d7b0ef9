// Many callers of one expensive read (the console's pod list, polled by every open page, and the
// metrics sampler, all on one engine) share rounds instead of each running its own. A caller
// never gets a round that started before it called: with a round in flight it waits for the next
// one, which every caller arriving meanwhile shares. So N concurrent callers cost at most two
// rounds, and a call made after a change (create, then list) still sees it.
export function coalesced<T>(round: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | null = null;
  let next: Promise<T> | null = null;
  const start = () => {
    const p = round().finally(() => {
      if (current === p) current = null;
    });
    current = p;
    return p;
  };
  return () => {
    if (!current) return start();
    next ??= current
      .catch(() => undefined)
      .then(() => {
        next = null;
        return start();
      });
    return next;
  };
}
