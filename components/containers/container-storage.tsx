// A container's mounts and devices as its config lists them (read-only: `ro` in the options or
// readOnly, which the guest enforces).
import type { ContainerConfig } from '../../server/engine/types';
import { TableHead } from '../ui/table-head';

const dash = (s: string) => s || '—';
const mode = (m: number) => `0${m.toString(8).padStart(3, '0')}`;

export function ContainerStorage({ config }: { config: ContainerConfig | undefined }) {
  return (
    <section className="card span-2" aria-labelledby="storage-heading">
      <h2 id="storage-heading">Mounts and devices</h2>
      {!config ? (
        <p className="empty">Loading…</p>
      ) : (
        <>
          {config.mounts.length === 0 ? (
            <p className="empty">No mounts: the container sees its rootfs only.</p>
          ) : (
            <table className="data" aria-label="Mounts">
              <TableHead columns={['Source', 'Destination', 'Type', 'Options', 'Access']} />
              <tbody>
                {config.mounts.map((m, i) => (
                  <tr key={i}>
                    <td className="mono">{m.source}</td>
                    <td className="mono">{m.destination}</td>
                    <td>{m.type}</td>
                    <td className="mono">{dash(m.options.join(','))}</td>
                    <td>{m.readOnly || m.options.includes('ro') ? 'read-only' : 'read-write'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {config.deviceInfos.length === 0 ? (
            <p className="empty">No devices.</p>
          ) : (
            <table className="data" aria-label="Devices">
              <TableHead columns={['Host path', 'Type', 'Major:minor', 'Container path', 'Mode', 'UID:GID']} />
              <tbody>
                {config.deviceInfos.map((d, i) => (
                  <tr key={i}>
                    <td className="mono">{dash(d.hostPath)}</td>
                    <td>{d.devType}</td>
                    <td className="mono">{`${d.major}:${d.minor}`}</td>
                    <td className="mono">{d.containerPath}</td>
                    <td className="mono">{mode(d.fileMode)}</td>
                    <td className="mono">{`${d.uid}:${d.gid}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
