'use client';
// The pod's configuration as the engine stored it: the raw JSON, collapsed, with a copy button.
import type { PodConfig } from '../../server/engine/types';
import { useToast } from '../ui/toast';

export function PodConfigView({ config }: { config: PodConfig | undefined }) {
  const toast = useToast();
  const json = JSON.stringify(config ?? null, null, 2);
  return (
    <section className="card" aria-labelledby="config-heading">
      <div className="card-header">
        <h2 id="config-heading">Configuration</h2>
        <button type="button" className="btn btn-small btn-ghost" onClick={() => void navigator.clipboard.writeText(json).then(() => toast({ kind: 'info', message: 'Configuration copied' }))}>
          Copy JSON
        </button>
      </div>
      <details>
        <summary>Raw JSON</summary>
        <pre className="code" aria-label="Pod configuration JSON">
          {json}
        </pre>
      </details>
    </section>
  );
}
