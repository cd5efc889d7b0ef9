'use client';
// A list of records edited as table rows (volumes, mounts, devices): one input, select or checkbox
// a cell, a remove button a row and an add button. Each cell's errors come from the shared schema
// at `<errorPath>.<row>.<key>`; all of them also show together under the rows, as the port
// mappings' do.
import { useId } from 'react';
import './rows-field.css';
import { useField } from './use-field';

export interface RowColumn {
  key: string;
  label: string;
  kind?: 'text' | 'select' | 'checkbox';
  options?: readonly string[];
  placeholder?: string;
  mono?: boolean;
}

type Row = Record<string, string | boolean>;

interface Props {
  /** Where the rows live in the form values, and where the schema reports their errors. */
  path: string;
  errorPath: string;
  legend: string;
  hint: string;
  /** "Volume" → "Volume 2 host path", "Add volume", "Remove volume 2". */
  item: string;
  columns: RowColumn[];
  blank: Row;
}

export function RowsField({ path, errorPath, legend, hint, item, columns, blank }: Props) {
  const hintId = useId();
  const field = useField<Row[] | undefined>(path, errorPath);
  const rows = field.value ?? [];
  const errors = field.errorsFor();
  const setCell = (i: number, key: string, value: string | boolean) => field.onChange(rows.map((r, j) => (j === i ? { ...r, [key]: value } : r)));
  const cell = (i: number, col: RowColumn) => {
    const common = {
      'aria-label': `${item} ${i + 1} ${col.label}`,
      'aria-invalid': field.errorsFor(`${errorPath}.${i}.${col.key}`).length > 0 || undefined,
      onBlur: field.onBlur,
    };
    const value = rows[i]![col.key];
    if (col.kind === 'checkbox') {
      return <input {...common} type="checkbox" checked={Boolean(value)} onChange={(e) => setCell(i, col.key, e.target.checked)} />;
    }
    const onChange = (e: { target: { value: string } }) => setCell(i, col.key, e.target.value);
    if (col.kind === 'select') {
      return (
        <select {...common} value={String(value)} onChange={onChange}>
          {col.options!.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
    }
    return <input {...common} className={col.mono === false ? undefined : 'mono'} value={String(value)} placeholder={col.placeholder} onChange={onChange} />;
  };
  return (
    <fieldset className="container-fieldset field rows-field" aria-describedby={hintId}>
      <legend>{legend}</legend>
      <p id={hintId} className="field-hint">
        {hint}
      </p>
      {rows.length > 0 && (
        <div className="rows-scroll">
          <table className="data kv-table">
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.key}>{c.label}</th>
                ))}
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((_, i) => (
                <tr key={i}>
                  {columns.map((c) => (
                    <td key={c.key}>{cell(i, c)}</td>
                  ))}
                  <td>
                    <button type="button" className="btn btn-small btn-ghost" onClick={() => field.onChange(rows.filter((_, j) => j !== i))}>
                      Remove {item.toLowerCase()} {i + 1}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {errors.length > 0 && <p className="field-error">{errors.join('; ')}</p>}
      <div>
        <button type="button" className="btn btn-small" onClick={() => field.onChange([...rows, { ...blank }])}>
          Add {item.toLowerCase()}
        </button>
      </div>
    </fieldset>
  );
}
