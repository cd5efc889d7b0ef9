'use client';
// `/pods/[podId]/containers/new`: create a container in a pod, optionally starting it right away.
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { FormProvider } from 'react-hook-form';
import { useTRPC } from '../trpc/client';
import { useToast } from '../ui/toast';
import { errorMessage } from '../ui/error-message';
import { defaultContainerValues, validateContainer } from './container-form-model';
import { ContainerFields } from './container-fields';
import { fieldErrorsOfServer } from './field-errors';
import { showServerErrors, useSchemaForm } from './use-schema-form';

export function ContainerForm({ podId, rootFs }: { podId: string; rootFs: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const toast = useToast();
  const form = useSchemaForm(defaultContainerValues(rootFs, ''), validateContainer);
  const create = useMutation(trpc.container.create.mutationOptions());
  const start = useMutation(trpc.container.start.mutationOptions());

  const submit = (andStart: boolean) =>
    form.handleSubmit(async (config) => {
      try {
        await create.mutateAsync({ podId, config });
        if (andStart) await start.mutateAsync({ podId, containerId: config.id });
        toast({ kind: 'success', message: `Container ${config.id} ${andStart ? 'created and started' : 'created'}` });
        router.push(`/pods/${podId}/containers/${config.id}`);
      } catch (error) {
        showServerErrors(form, fieldErrorsOfServer(error, 'config'));
        toast({ kind: 'error', message: errorMessage(error) });
      }
    })();
  const busy = create.isPending || start.isPending;
  return (
    <FormProvider {...form}>
      <form className="card form" aria-label="New container" onSubmit={(e) => {
          e.preventDefault();
          void submit(true);
        }}
      >
        <ContainerFields />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Create and start
          </button>
          <button type="button" className="btn" disabled={busy} onClick={() => void submit(false)}>
            Create
          </button>
        </div>
      </form>
    </FormProvider>
  );
}
