'use client';
// The CNI port mappings as rows (host port → container port/protocol), written into the pod's
// io.podvisor.network/ports annotation. Row errors and the engine's own verdict on the annotation
// show together under the rows, as a list field's do.
import { useId } from 'react';
import { BLANK_PORT, PORT_PROTOCOLS, PORTS_FIELD, type PortRow } from './pod-network-model';
import { useField } from './use-field';

const COLUMNS: [keyof PortRow, string][] = [
  ['hostPort', 'host port'],
  ['containerPort', 'container port'],
  ['protocol', 'protocol'],
];

export function PortMappingsFields() {
  const hintId = useId();
  const field = useField<PortRow[]>('network.ports', PORTS_FIELD);
  const rows = field.value;
  const setRows = field.onChange;
  const errors = field.errorsFor();
  const control = (i: number, key: keyof PortRow) => ({
    'aria-label': `Port mapping ${i + 1} ${COLUMNS.find(([k]) => k === key)![1]}`,
    'aria-invalid': field.errorsFor(`${PORTS_FIELD}.${i}.${key}`).length > 0 || undefined,
    value: rows[i]![key],
    onBlur: field.onBlur,
    onChange: (e: { target: { value: string } }) => setRows(rows.map((r, j) => (j === i ? { ...r, [key]: e.target.value } : r))),
  });
  return (
    <fieldset className="container-fieldset field" aria-describedby={hintId}>
      <legend>Port mappings</legend>
      <p id={hintId} className="field-hint">
        Host port → container port on eth0 (CNI portmap), reachable at any of the host&apos;s addresses.
      </p>
      {rows.length > 0 && (
        <table className="data kv-table">
          <tbody>
            {rows.map((_, i) => (
              <tr key={i}>
                <td>
                  <input {...control(i, 'hostPort')} className="mono" inputMode="numeric" placeholder="8080" />
                </td>
                <td aria-hidden="true">→</td>
                <td>
                  <input {...control(i, 'containerPort')} className="mono" inputMode="numeric" placeholder="80" />
                </td>
                <td>
                  <select {...control(i, 'protocol')}>
                    {PORT_PROTOCOLS.map((p) => (
                      <option key={p} value={p}>
                        {p}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <button type="button" className="btn btn-small btn-ghost" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                    Remove mapping {i + 1}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {errors.length > 0 && (
        <p className="field-error">
          {errors.join('; ')}
        </p>
      )}
      <div>
        <button type="button" className="btn btn-small" onClick={() => setRows([...rows, BLANK_PORT])}>
          Add port mapping
        </button>
      </div>
    </fieldset>
  );
}
