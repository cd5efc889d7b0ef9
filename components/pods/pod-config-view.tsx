'use client';
// The pod's configuration as the engine stored it: the raw JSON, collapsed, with a copy button.
import type { PodConfig } from '../../server/engine/types';
import { CopyButton } from '../ui/copy-button';

export function PodConfigView({ config }: { config: PodConfig | undefined }) {
  const json = JSON.stringify(config ?? null, null, 2);
  return (
    <section className="card" aria-labelledby="config-heading">
      <div className="card-header">
        <h2 id="config-heading">Configuration</h2>
        <CopyButton text={json} label="Copy JSON" what="Configuration">
          Copy JSON
        </CopyButton>
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
