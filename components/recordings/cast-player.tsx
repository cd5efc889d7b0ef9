'use client';
// Replays an asciicast recording with asciinema-player, fetched from /recordings/<id>.cast with
// the session cookie (the server checks owner or admin, and audits the read).
import { useEffect, useRef, useState } from 'react';
import 'asciinema-player/dist/bundle/asciinema-player.css';

export function CastPlayer({ id }: { id: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    let player: { dispose(): void } | null = null;
    let cancelled = false;
    // The player touches `window` when loaded: import it in the browser only.
    void import('asciinema-player').then(
      (AsciinemaPlayer) => {
        if (cancelled) return;
        player = AsciinemaPlayer.create({ url: `/recordings/${id}.cast`, fetchOpts: { credentials: 'same-origin' } }, el, { autoPlay: true, idleTimeLimit: 2, fit: 'width', controls: true, terminalFontSize: 'small' });
      },
      (err: Error) => setError(err.message),
    );
    return () => {
      cancelled = true;
      player?.dispose();
    };
  }, [id]);
  return (
    <>
      {error && <p className="inline-error">{error}</p>}
      <div ref={host} className="cast-player" data-recording={id} />
    </>
  );
}
