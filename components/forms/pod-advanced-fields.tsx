'use client';
// The pod settings most pods leave alone: volumes, annotations, hooks, driver configs (the network's
// own settings sit under the Network select, in pod-network-fields.tsx).
import { DRIVER_CONFIGS, HOOK_KINDS } from './pod-form-model';
import { StorageField } from './storage-fields';
import { TextField } from './text-field';

const HOOK_LABELS = { preStartHooks: 'Pre-start hooks', postStartHooks: 'Post-start hooks', postStopHooks: 'Post-stop hooks' };
const CONFIG_LABELS = { agentConfig: 'Agent config (JSON)', proxyConfig: 'Proxy config (JSON)', shimConfig: 'Shim config (JSON)' };

export function PodAdvancedFields() {
  return (
    <>
      <details className="advanced">
        <summary>Volumes and annotations</summary>
        <div className="form-grid">
          <StorageField kind="volumes" />
          <TextField path="annotations" errorPath="annotations" label="Annotations" hint="key=value, one a line" rows={2} />
        </div>
      </details>
      <details className="advanced">
        <summary>Hooks</summary>
        <div className="form-grid">
          {HOOK_KINDS.map((kind) => (
            <TextField key={kind} path={`hooks.${kind}`} errorPath={`hooks.${kind}`} label={HOOK_LABELS[kind]} hint="[timeout=SECONDS] [VAR=value…] /path/to/hook args…, one a line" rows={2} />
          ))}
        </div>
      </details>
      <details className="advanced">
        <summary>Driver configuration</summary>
        <div className="form-grid">
          {DRIVER_CONFIGS.map((name) => (
            <TextField key={name} path={`driverConfigs.${name}`} errorPath={name} label={CONFIG_LABELS[name]} placeholder="{}" rows={2} />
          ))}
        </div>
      </details>
    </>
  );
}
