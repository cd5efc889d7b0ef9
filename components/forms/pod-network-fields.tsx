'use client';
// The pod form's network section, shown for the CNI and CNM models only (noop has no settings): the
// host's CNI networks, the netns (CNM: one that already holds the links), NICs and port mappings.
import { useWatch } from 'react-hook-form';
import { NetInterworkingModelSchema } from '../../server/engine/types';
import { CniNetworkField } from './cni-network-field';
import { PortMappingsFields } from './port-mappings-fields';
import { SelectField } from './select-field';
import { TextField } from './text-field';

const NETNS_HINTS = {
  CNI: 'Empty: Podvisor creates one for the pod and deletes it with the pod',
  CNM: "Required: the pod gets this namespace's links (those with an address)",
};
const INTERFACE_HINTS = { CNI: 'One CNI ADD each (eth0, eth1, …); empty: 1', CNM: 'At most this many of the links found; empty: all' };

export function PodNetworkFields() {
  const model = useWatch({ name: 'networkModel' }) as string;
  if (model !== 'CNI' && model !== 'CNM') return null;
  return (
    <>
      <h3>Network ({model})</h3>
      <div className="form-grid">
        {model === 'CNI' && <CniNetworkField />}
        <TextField path="network.netNsPath" errorPath="networkConfig.netNsPath" label="Network namespace path" placeholder="/run/netns/NAME" hint={NETNS_HINTS[model]} />
        <SelectField
          path="network.interworkingModel"
          errorPath="networkConfig.interworkingModel"
          label="Interworking model"
          options={NetInterworkingModelSchema.options}
          hint="How the VM's NIC reaches the netns: default is macvtap; enlightened is not supported"
        />
        <TextField path="network.numInterfaces" errorPath="networkConfig.numInterfaces" label="Interfaces" inputMode="numeric" placeholder="1" hint={INTERFACE_HINTS[model]} />
      </div>
      {model === 'CNI' && <PortMappingsFields />}
    </>
  );
}
