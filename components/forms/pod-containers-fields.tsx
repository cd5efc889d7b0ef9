'use client';
// The pod's initial containers: one fieldset each, added and removed in place (react-hook-form's
// field array, since each container's inputs are fields of their own).
import { useFieldArray, useWatch } from 'react-hook-form';
import { defaultContainerValues, type ContainerFormValues } from './container-form-model';
import { ContainerFields } from './container-fields';

export function PodContainersFields({ rootFs }: { rootFs: string }) {
  const { fields, append, remove } = useFieldArray({ name: 'containers' });
  const containers = useWatch({ name: 'containers' }) as ContainerFormValues[];
  const freeId = () => `c${Array.from({ length: containers.length + 1 }, (_, i) => i + 1).find((n) => !containers.some((c) => c.id === `c${n}`))}`;
  return (
    <section className="card" aria-labelledby="containers-heading">
      <div className="card-header">
        <h2 id="containers-heading">Containers</h2>
        <button type="button" className="btn btn-small" onClick={() => append(defaultContainerValues(rootFs, freeId()))}>
          Add container
        </button>
      </div>
      {fields.length === 0 && <p className="empty">No initial containers: the pod boots empty and containers can be added later.</p>}
      {fields.map((f, i) => (
        <fieldset key={f.id} className="container-fieldset">
          <legend>Container {i + 1}</legend>
          <ContainerFields prefix={`containers.${i}.`} />
          <button type="button" className="btn btn-small btn-ghost" onClick={() => remove(i)}>
            Remove container {containers[i]?.id || i + 1}
          </button>
        </fieldset>
      ))}
    </section>
  );
}
