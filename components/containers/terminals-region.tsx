// The container's terminals (xterm.js sessions over the terminal WebSocket) and its own output, for operators.
import { ContainerOutput } from '../terminal/container-output';
import { ContainerTerminals } from '../terminal/container-terminals';
import { OperatorOnlyTerminal } from '../terminal/operator-only';

export function TerminalsRegion({ podId, containerId, running }: { podId: string; containerId: string; running: boolean }) {
  return (
    <OperatorOnlyTerminal title="Terminals">
      <section className="card span-2" aria-labelledby="terminals-heading">
        <h2 id="terminals-heading">Terminals</h2>
        <ContainerTerminals podId={podId} containerId={containerId} running={running} />
      </section>
      {running && <ContainerOutput podId={podId} containerId={containerId} />}
    </OperatorOnlyTerminal>
  );
}
