'use client';
// `/pods/new`: every PodConfig field, validated inline with the shared schema. The defaults boot a
// QEMU pod with the kata agent and one busybox container; "Create and start" is RunPod.
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useCallback } from 'react';
import { FormProvider, useWatch } from 'react-hook-form';
import { AgentTypeSchema, HypervisorTypeSchema, NetworkModelSchema, ProxyTypeSchema, ShimTypeSchema } from '../../server/engine/types';
import { offeredValues } from '../../server/engine/drivers/combinations';
import { StepList } from '../live/live-steps';
import { useCreateFlow } from '../pods/use-create-flow';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../ui/error-message';
import { useToast } from '../ui/toast';
import { fieldErrorsOfServer } from './field-errors';
import { HypervisorConfigFields } from './hypervisor-config-fields';
import { PodAdvancedFields } from './pod-advanced-fields';
import { PodContainersFields } from './pod-containers-fields';
import { defaultPodValues, validatePod, type PodFormValues } from './pod-form-model';
import { PodNetworkFields } from './pod-network-fields';
import { SelectField } from './select-field';
import { TextField } from './text-field';
import { showServerErrors, useSchemaForm } from './use-schema-form';

/** The driver selects, in the order each narrows the next (offeredValues). */
const DRIVER_FIELDS = ['hypervisorType', 'agentType', 'proxyType', 'shimType', 'networkModel'] as const satisfies readonly (keyof PodFormValues)[];

export function PodForm({ rootFs }: { rootFs: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const toast = useToast();
  const form = useSchemaForm(defaultPodValues(rootFs), validatePod);
  const [hypervisorType, agentType, proxyType, shimType, networkModel] = useWatch({ control: form.control, name: DRIVER_FIELDS });
  const drivers = { hypervisorType, agentType, proxyType, shimType, networkModel } as Parameters<typeof offeredValues>[2];
  const create = useMutation(trpc.pod.create.mutationOptions());
  const run = useMutation(trpc.pod.run.mutationOptions());
  const flow = useCreateFlow(useCallback((podId: string) => router.push(`/pods/${podId}`), [router]));
  const busy = create.isPending || run.isPending || flow.active;

  // Only a value the engine's schema accepts reaches the call (the resolver's output, the config).
  const submit = (andStart: boolean) =>
    form.handleSubmit((config) => {
      // The flow subscribes to the pod's steps, then makes the call; RunPod opens the pod page mid-boot.
      flow.start(config.id, async () => {
        try {
          const podId = await (andStart ? run : create).mutateAsync(config);
          toast({ kind: 'success', message: `Pod ${podId} ${andStart ? 'created and started' : 'created'}` });
          flow.finished(podId);
        } catch (error) {
          showServerErrors(form, fieldErrorsOfServer(error));
          toast({ kind: 'error', message: errorMessage(error) });
          flow.reset();
        }
      });
    })();

  return (
    <FormProvider {...form}>
      <form
        className="form"
        aria-label="New pod"
        onSubmit={(e) => {
          e.preventDefault();
          void submit(true);
        }}
      >
        <section className="card" aria-labelledby="basics-heading">
          <h2 id="basics-heading">Pod</h2>
          <div className="form-grid">
            <TextField path="id" errorPath="id" label="Pod ID" placeholder="web-1" />
            <TextField path="hostname" errorPath="hostname" label="Hostname" placeholder="optional" />
            <TextField path="vcpus" errorPath="vmConfig.vcpus" label="vCPUs" inputMode="numeric" />
            <TextField path="memory" errorPath="vmConfig.memory" label="Memory (MiB)" inputMode="numeric" />
          </div>
          <h3>Drivers</h3>
          <div className="form-grid">
            <SelectField path="hypervisorType" errorPath="hypervisorType" label="Hypervisor" options={HypervisorTypeSchema.options} hint="mock runs no VM (for trying the console)" />
            {/* Only what the engine's combination table allows after the choices above (drivers/combinations.ts). */}
            <SelectField path="agentType" errorPath="agentType" label="Agent" options={offeredValues('agentType', AgentTypeSchema.options, drivers)} />
            <SelectField path="proxyType" errorPath="proxyType" label="Proxy" options={offeredValues('proxyType', ProxyTypeSchema.options, drivers)} />
            <SelectField path="shimType" errorPath="shimType" label="Shim" options={offeredValues('shimType', ShimTypeSchema.options, drivers)} />
            <SelectField path="networkModel" errorPath="networkModel" label="Network" options={NetworkModelSchema.options} hint="CNI: a network defined on this host; CNM: the links of an existing netns" />
          </div>
          <PodNetworkFields />
          <details className="advanced">
            <summary>Hypervisor configuration</summary>
            <HypervisorConfigFields />
          </details>
          <PodAdvancedFields />
        </section>
        <PodContainersFields rootFs={rootFs} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {run.isPending ? 'Starting…' : 'Create and start'}
          </button>
          <button type="button" className="btn" disabled={busy} onClick={() => void submit(false)}>
            {create.isPending ? 'Creating…' : 'Create'}
          </button>
        </div>
        <StepList reports={flow.reports} title="Steps" />
      </form>
    </FormProvider>
  );
}
