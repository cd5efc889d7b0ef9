'use client';
// The pod's initial containers: one fieldset each, added and removed in place.
import { defaultContainerValues, type ContainerFormValues } from './container-form-model';
import { ContainerFields } from './container-fields';
import type { FormModel } from './use-form-model';
import type { PodFormValues } from './pod-form-model';

export function PodContainersFields({ form, rootFs }: { form: FormModel<PodFormValues>; rootFs: string }) {
  const containers = form.values.containers;
  const setContainers = (next: ContainerFormValues[]) => form.update((v) => ({ ...v, containers: next }));
  const freeId = () => `c${Array.from({ length: containers.length + 1 }, (_, i) => i + 1).find((n) => !containers.some((c) => c.id === `c${n}`))}`;
  return (
    <section className="card" aria-labelledby="containers-heading">
      <div className="card-header">
        <h2 id="containers-heading">Containers</h2>
        <button type="button" className="btn btn-small" onClick={() => setContainers([...containers, defaultContainerValues(rootFs, freeId())])}>
          Add container
        </button>
      </div>
      {containers.length === 0 && <p className="empty">No initial containers: the pod boots empty and containers can be added later.</p>}
      {containers.map((c, i) => (
        <fieldset key={i} className="container-fieldset">
          <legend>Container {i + 1}</legend>
          <ContainerFields form={form} prefix={`containers.${i}.`} />
          <button type="button" className="btn btn-small btn-ghost" onClick={() => setContainers(containers.filter((_, j) => j !== i))}>
            Remove container {c.id || i + 1}
          </button>
        </fieldset>
      ))}
    </section>
  );
}
