// The container's terminals (xterm.js sessions over the terminal WebSocket) and its own output.
import { ContainerOutput } from '../terminal/container-output';
import { ContainerTerminals } from '../terminal/container-terminals';

export function TerminalsRegion({ podId, containerId, running }: { podId: string; containerId: string; running: boolean }) {
  return (
    <>
      <section className="card span-2" aria-labelledby="terminals-heading">
        <h2 id="terminals-heading">Terminals</h2>
        <ContainerTerminals podId={podId} containerId={containerId} running={running} />
      </section>
      {running && <ContainerOutput podId={podId} containerId={containerId} />}
    </>
  );
}
