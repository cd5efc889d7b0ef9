// The pod's network: model, netns and who made it, each interface with its addresses of both
// families (each one copyable), gateways and interworking, and the port mappings.
import type { PodConfig, PodStatus } from '../../server/engine/types';
import { CopyButton } from '../ui/copy-button';
import { FactList } from '../ui/fact-list';
import { TableHead } from '../ui/table-head';
import { bareAddress, interfacesOf, noNetworkReason, podAddresses, portMappingLabel } from './network-view';

export function PodNetwork({ status, config }: { status: PodStatus; config: PodConfig | undefined }) {
  const net = status.network;
  const addresses = podAddresses(net);
  return (
    <section className="card" aria-labelledby="network-heading">
      <div className="card-header">
        <h2 id="network-heading">Network</h2>
        {addresses.length > 0 && <CopyButton text={addresses.join('\n')} label="Copy all addresses" what="Addresses">Copy addresses</CopyButton>}
      </div>
      {!net ? (
        <p className="empty">{noNetworkReason(status, config?.networkModel)}</p>
      ) : (
        <>
          <FactList
            facts={[
              ['Model', net.model],
              ['CNI network', net.cniNetwork || '—'],
              ['Network namespace', `${net.netNsPath} (${net.netNsCreated ? 'created by Podvisor, deleted with the pod' : 'given, left in place'})`],
              ['Port mappings', net.portMappings.length ? net.portMappings.map(portMappingLabel).join(', ') : '—'],
            ]}
          />
          {net.interfaces.length === 0 ? (
            <p className="empty">No interface: the netns held no link with an address.</p>
          ) : (
            <table className="data" aria-label="Network interfaces">
              <TableHead columns={['Interface', 'MAC', 'Addresses', 'Gateways', 'MTU', 'Interworking']} />
              <tbody>
                {interfacesOf(status).map((i) => (
                  <tr key={i.name}>
                    <td className="mono strong" title={`${i.hostInterface} in the pod's netns`}>
                      {i.name}
                    </td>
                    <td className="mono">{i.mac}</td>
                    <td>
                      <ul className="address-list" aria-label={`Addresses of ${i.name}`}>
                        {i.addresses.map((cidr) => (
                          <li key={cidr}>
                            <span className="mono select-all">{cidr}</span>
                            <CopyButton text={bareAddress(cidr)} label={`Copy ${bareAddress(cidr)}`} what={bareAddress(cidr)} />
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td className="mono">{i.gateways.join(', ') || '—'}</td>
                    <td className="num">{i.mtu}</td>
                    <td>{i.interworking}</td>
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
