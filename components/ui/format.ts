// Human-sized numbers and durations for tables.

/** "3d 4h", "2h 5m", "4m 10s", "12s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1_000));
  const [d, h, m] = [Math.floor(s / 86_400), Math.floor((s % 86_400) / 3_600), Math.floor((s % 3_600) / 60)];
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

export function formatKiB(kib: number): string {
  if (kib >= 1_048_576) return `${(kib / 1_048_576).toFixed(1)} GiB`;
  if (kib >= 1_024) return `${(kib / 1_024).toFixed(1)} MiB`;
  return `${kib} KiB`;
}

/** Local date and time without seconds' noise: "2026-11-28 14:52:03". */
export function formatTime(iso: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
