'use client';
// The fields of one container config, shared by the container form and the pod form's initial
// containers (`prefix` is "" or "containers.<i>."). Rarely used settings sit in collapsed sections.
import { CAPABILITY_SETS } from './container-form-model';
import { FlagField } from './flag-field';
import { StorageField } from './storage-fields';
import { TextField } from './text-field';

export function ContainerFields({ prefix = '' }: { prefix?: string }) {
  const field = (path: string, errorPath: string) => ({ path: `${prefix}${path}`, errorPath: `${prefix}${errorPath}` });
  const checkbox = (path: string, label: string) => <FlagField path={`${prefix}${path}`} label={label} />;
  return (
    <>
      <div className="form-grid">
        <TextField {...field('id', 'id')} label="Container ID" />
        <TextField {...field('rootFs', 'rootFs')} label="Rootfs path" hint="Absolute host path of the container's root filesystem" wide />
        <TextField {...field('command', 'cmd.args')} label="Command" hint='Shell-like words: /bin/sh -c "echo hi"' wide />
        <TextField {...field('env', 'cmd.envs')} label="Environment" hint="KEY=value, one a line" rows={2} />
        <TextField {...field('workDir', 'cmd.workDir')} label="Working directory" />
        <div className="field checkbox-group">
          {checkbox('tty', 'Allocate a TTY')}
          {checkbox('readonlyRootfs', 'Read-only rootfs')}
        </div>
      </div>
      <details className="advanced">
        <summary>User, groups and capabilities</summary>
        <div className="form-grid">
          <TextField {...field('user', 'cmd.user')} label="User" placeholder="root or 1000" />
          <TextField {...field('primaryGroup', 'cmd.primaryGroup')} label="Primary group" />
          <TextField {...field('supplementaryGroups', 'cmd.supplementaryGroups')} label="Supplementary groups" hint="Comma-separated" />
          <div className="field checkbox-group">{checkbox('noNewPrivileges', 'No new privileges')}</div>
          {CAPABILITY_SETS.map((set) => (
            <TextField
              key={set}
              {...field(`capabilities.${set}`, `cmd.capabilities.${set}`)}
              label={`Capabilities: ${set}`}
              placeholder="CAP_KILL, CAP_NET_BIND_SERVICE"
              hint={set === 'bounding' ? 'All five empty: the runtime default set' : undefined}
            />
          ))}
        </div>
      </details>
      <details className="advanced">
        <summary>Mounts, devices and annotations</summary>
        <div className="form-grid">
          <StorageField kind="mounts" prefix={prefix} />
          <StorageField kind="devices" prefix={prefix} />
          <TextField {...field('annotations', 'annotations')} label="Container annotations" hint="key=value, one a line" rows={2} />
        </div>
      </details>
    </>
  );
}
