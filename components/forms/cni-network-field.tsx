'use client';
// The CNI network select: the networks defined on this host, as the engine's catalog reads them.
import { useQuery } from '@tanstack/react-query';
import { useWatch } from 'react-hook-form';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../ui/error-message';
import { cniNetworkHint, cniNetworkLabel, cniNetworkOptions } from './cni-networks';
import { SelectField } from './select-field';

export function CniNetworkField() {
  const trpc = useTRPC();
  const catalog = useQuery(trpc.system.cniNetworks.queryOptions());
  const current = String(useWatch({ name: 'network.cniNetwork' }) ?? '');
  const hint = catalog.isError ? `Could not list this host's networks: ${errorMessage(catalog.error)}` : cniNetworkHint(catalog.data, current);
  return (
    <SelectField
      path="network.cniNetwork"
      errorPath="networkConfig.cniNetwork"
      label="CNI network"
      options={cniNetworkOptions(catalog.data, current)}
      labelOf={(name) => (catalog.data ? cniNetworkLabel(catalog.data.networks.find((n) => n.name === name), name) : name)}
      hint={hint}
    />
  );
}
