// When a login session's or token's last use is written: at most this often, so every request
// does not cost a database write.
export const LAST_USE_PRECISION_MS = 30_000;

export const lastUseIsStale = (last: Date | null, now: number): boolean => !last || now - last.getTime() >= LAST_USE_PRECISION_MS;
