// Where the container's terminals will live (xterm.js sessions over the terminal WebSocket, next issue).
export function TerminalsRegion() {
  return (
    <section className="card span-2" aria-labelledby="terminals-heading">
      <h2 id="terminals-heading">Terminals</h2>
      <div className="terminals-placeholder">
        <p className="empty">No terminals open.</p>
      </div>
    </section>
  );
}
