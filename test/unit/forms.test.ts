// The console's form models: how the inputs' text becomes a PodConfig / ContainerConfig, and which
// field each validation error (client zod or server engineError) lands on.
import { describe, expect, it } from 'vitest';
import { defaultContainerValues, toContainerConfig, validateContainer, type ContainerFormValues } from '../../components/forms/container-form-model';
import { errorsAt, fieldErrorsOfServer } from '../../components/forms/field-errors';
import { defaultPodValues, hookOf, toPodConfig, validatePod, type PodFormValues } from '../../components/forms/pod-form-model';
import { BLANK_DEVICE, BLANK_MOUNT, BLANK_VOLUME, type DeviceRow } from '../../components/forms/storage-rows';
import { splitWords } from '../../components/forms/text-parsers';
import { DEFAULT_VIEW, paramsOfView, viewFromParams } from '../../components/pods/list-view';
import { PodConfigSchema } from '../../server/engine/types';

const ROOTFS = '/srv/rootfs/busybox';
const pod = (change: (v: PodFormValues) => void) => {
  const v = structuredClone({ ...defaultPodValues(ROOTFS), id: 'web-1' });
  change(v);
  return v;
};
const container = (change: Partial<ContainerFormValues>) => ({ ...defaultContainerValues(ROOTFS), ...change });
const podErrors = (change: (v: PodFormValues) => void) => validatePod(pod(change)).errors;
const containerErrors = (change: Partial<ContainerFormValues>) => validateContainer(container(change)).errors;

describe('splitWords', () => {
  it('splits like a shell: quotes group, backslashes escape', () => {
    expect(splitWords(`/bin/sh -c "while true; do sleep 1; done"`)).toEqual(['/bin/sh', '-c', 'while true; do sleep 1; done']);
    expect(splitWords(`echo 'a  b' c\\ d "" "x\\"y"`)).toEqual(['echo', 'a  b', 'c d', '', 'x"y']);
    expect(splitWords('   ')).toEqual([]);
  });
});

describe('pod form defaults', () => {
  it('are a valid QEMU + kata pod with one busybox container that keeps running', () => {
    const result = validatePod(pod(() => undefined));
    expect(result.ok).toBe(true);
    const config = PodConfigSchema.parse(toPodConfig(pod(() => undefined)));
    expect(config).toMatchObject({
      id: 'web-1',
      hypervisorType: 'qemu',
      agentType: 'kata',
      proxyType: 'kataProxy',
      shimType: 'kataShim',
      networkModel: 'noop',
      vmConfig: { vcpus: 1, memory: 256 },
      containers: [{ id: 'c1', rootFs: ROOTFS, cmd: { args: ['/bin/sh', '-c', 'while true; do sleep 1; done'], workDir: '/' } }],
    });
    expect(config.containers[0]!.cmd.capabilities).toBeUndefined();
  });

  it('maps every list field: volumes, annotations, hooks, params and driver configs', () => {
    const config = toPodConfig(
      pod((v) => {
        v.volumes = [{ mountTag: 'data', hostPath: '/srv/data' }, { mountTag: ' logs', hostPath: '/var/log ' }];
        v.annotations = 'team=infra\nnote=a=b';
        v.hooks.preStartHooks = 'timeout=5 MODE=x /usr/bin/hook --flag "two words"';
        v.hypervisor.kernelParams = 'quiet\nloglevel=3';
        v.driverConfigs.agentConfig = '{"debug": true}';
        v.networkModel = 'CNI';
        v.network.numInterfaces = '2';
      }),
    );
    expect(config.volumes).toEqual([
      { mountTag: 'data', hostPath: '/srv/data' },
      { mountTag: 'logs', hostPath: '/var/log' },
    ]);
    expect(config.annotations).toEqual({ team: 'infra', note: 'a=b' });
    expect(config.hooks?.preStartHooks).toEqual([{ path: '/usr/bin/hook', args: ['/usr/bin/hook', '--flag', 'two words'], env: ['MODE=x'], timeout: 5 }]);
    expect(config.hypervisorConfig?.kernelParams).toEqual([{ key: 'quiet', value: '' }, { key: 'loglevel', value: '3' }]);
    expect(config.agentConfig).toEqual({ debug: true });
    expect(config.networkConfig?.numInterfaces).toBe(2);
  });

  it('leaves empty numbers to the schema defaults', () => {
    expect(PodConfigSchema.parse(toPodConfig(pod((v) => ((v.vcpus = ''), (v.memory = ''))))).vmConfig).toEqual({ vcpus: 0, memory: 0 });
  });
});

describe('pod form validation', () => {
  it('requires a pod ID and names what is wrong with a bad one', () => {
    expect(podErrors((v) => (v.id = ''))).toHaveProperty('id', 'cannot be empty');
    expect(podErrors((v) => (v.id = 'no spaces'))['id']).toMatch(/only letters, digits/);
  });

  it('rejects bad numbers on the field that holds them', () => {
    expect(podErrors((v) => (v.vcpus = 'two'))).toHaveProperty(['vmConfig.vcpus'], 'must be a number');
    expect(podErrors((v) => (v.vcpus = '1.5'))['vmConfig.vcpus']).toMatch(/int/i);
    expect(podErrors((v) => (v.memory = '-256'))['vmConfig.memory']).toMatch(/>=\s*0|too small/i);
    expect(podErrors((v) => (v.vcpus = '500'))['vmConfig.vcpus']).toMatch(/<=\s*240|too big/i);
    expect(podErrors((v) => (v.hypervisor.defaultBridges = '9'))['hypervisorConfig.defaultBridges']).toBeDefined();
  });

  it('rejects relative paths wherever the schema wants absolute ones', () => {
    expect(podErrors((v) => (v.hypervisor.kernelPath = 'vmlinux'))).toHaveProperty(['hypervisorConfig.kernelPath'], 'must be an absolute path');
    expect(podErrors((v) => (v.volumes = [{ mountTag: 'data', hostPath: '/ok' }, { mountTag: 'logs', hostPath: 'relative' }]))).toHaveProperty(['volumes.1.hostPath'], 'must be an absolute path');
    expect(podErrors((v) => (v.volumes = [{ ...BLANK_VOLUME }]))).toMatchObject({ 'volumes.0.mountTag': 'cannot be empty', 'volumes.0.hostPath': 'must be an absolute path' });
    expect(podErrors((v) => (v.hooks.postStopHooks = 'cleanup.sh'))).toHaveProperty(['hooks.postStopHooks.0.path'], 'must be an absolute path');
    expect(podErrors((v) => (v.containers[0]!.rootFs = 'var/rootfs'))).toHaveProperty(['containers.0.rootFs'], 'must be an absolute path');
  });

  it('reports driver configs that are not JSON objects, and duplicate container IDs', () => {
    expect(podErrors((v) => (v.driverConfigs.shimConfig = '[1, 2]'))['shimConfig']).toMatch(/JSON object/);
    expect(podErrors((v) => (v.driverConfigs.proxyConfig = '{oops'))['proxyConfig']).toMatch(/JSON object/);
    expect(podErrors((v) => v.containers.push(defaultContainerValues(ROOTFS)))).toHaveProperty(['containers.1.id'], 'duplicates container "c1"');
  });
});

describe('container form', () => {
  it('requires an ID, a rootfs and a command', () => {
    const errors = containerErrors({ id: '', rootFs: '', command: '  ' });
    expect(errors).toMatchObject({ id: 'cannot be empty', rootFs: 'must be an absolute path', 'cmd.args': 'must name a program to run' });
  });

  it('maps env, groups, TTY, mounts and devices', () => {
    const config = toContainerConfig(
      container({
        env: 'A=b=c\nEMPTY',
        supplementaryGroups: 'wheel, audio video',
        tty: true,
        mounts: [{ source: 'tmpfs', destination: '/data ', type: 'tmpfs', options: 'size=16m, nosuid', readOnly: true }, { ...BLANK_MOUNT, source: 'data', destination: '/srv', type: '' }],
        devices: [{ ...BLANK_DEVICE, major: '1', minor: '3', containerPath: '/dev/null', fileMode: '0666' }, { hostPath: '/dev/loop3', devType: 'b', major: '7', minor: '3', containerPath: '/dev/xvda', fileMode: '', uid: '1000', gid: '100' }],
      }),
    );
    expect(config.cmd.envs).toEqual([{ var: 'A', value: 'b=c' }, { var: 'EMPTY', value: '' }]);
    expect(config.cmd.supplementaryGroups).toEqual(['wheel', 'audio', 'video']);
    expect(config.cmd).toMatchObject({ interactive: true, console: '/dev/console' });
    expect(config.mounts).toEqual([
      { source: 'tmpfs', destination: '/data', type: 'tmpfs', readOnly: true, options: ['size=16m', 'nosuid'] },
      { source: 'data', destination: '/srv', type: 'bind', readOnly: false, options: [] },
    ]);
    expect(config.deviceInfos).toEqual([
      { hostPath: '', devType: 'c', major: 1, minor: 3, containerPath: '/dev/null', fileMode: 0o666 },
      { hostPath: '/dev/loop3', devType: 'b', major: 7, minor: 3, containerPath: '/dev/xvda', uid: 1000, gid: 100 },
    ]);
  });

  it('rejects bad mounts, devices and capabilities on their own fields', () => {
    const dev = (change: Partial<DeviceRow>) => [{ ...BLANK_DEVICE, major: '1', minor: '3', containerPath: '/dev/null', ...change }];
    expect(containerErrors({ mounts: [{ ...BLANK_MOUNT, source: '/srv', destination: 'relative' }] })).toHaveProperty(['mounts.0.destination'], 'must be an absolute path');
    expect(containerErrors({ mounts: [{ ...BLANK_MOUNT }] })).toHaveProperty(['mounts.0.source'], 'cannot be empty');
    expect(containerErrors({ devices: dev({ devType: 'x' }) })['deviceInfos.0.devType']).toBeDefined();
    expect(containerErrors({ devices: dev({ major: 'one' }) })).toHaveProperty(['deviceInfos.0.major'], 'must be a number');
    expect(containerErrors({ devices: dev({ fileMode: '0999' }) })).toHaveProperty(['deviceInfos.0.fileMode'], 'must be a number');
    expect(containerErrors({ devices: dev({ uid: '-1' }) })['deviceInfos.0.uid']).toBeDefined();
    expect(containerErrors({ devices: dev({ containerPath: 'dev/null' }) })).toHaveProperty(['deviceInfos.0.containerPath'], 'must be an absolute path');
    expect(containerErrors({ devices: dev({}) })).toEqual({});
    const caps = { bounding: 'CAP_KILL, net_admin', effective: '', inheritable: '', permitted: '', ambient: '' };
    expect(containerErrors({ capabilities: caps })['cmd.capabilities.bounding.1']).toMatch(/capability name/);
  });
});

describe('hook lines', () => {
  it('take leading timeout= and VAR=value words before the path, and give the path as args[0] (OCI: argv[0]), as a shell would', () => {
    expect(hookOf('/bin/true')).toEqual({ path: '/bin/true', args: ['/bin/true'], env: [] });
    expect(hookOf('A=1 timeout=3 /bin/hook x')).toEqual({ path: '/bin/hook', args: ['/bin/hook', 'x'], env: ['A=1'], timeout: 3 });
  });
});

describe('errors next to their field', () => {
  it('collects the item errors of a list field as "line N"', () => {
    const errors = { 'volumes.1.hostPath': 'must be an absolute path', id: 'cannot be empty' };
    expect(errorsAt(errors, 'volumes')).toEqual(['line 2 hostPath: must be an absolute path']);
    expect(errorsAt(errors, 'id')).toEqual(['cannot be empty']);
    expect(errorsAt(errors, 'annotations')).toEqual([]);
  });

  it('reads the server engineError: INVALID_CONFIG issues or a driver field', () => {
    const invalid = { data: { engineError: { code: 'INVALID_CONFIG', message: 'x', details: { issues: [{ path: ['config', 'rootFs'], message: 'must be an absolute path' }] } } } };
    expect(fieldErrorsOfServer(invalid, 'config')).toEqual({ rootFs: 'must be an absolute path' });
    const driver = { data: { engineError: { code: 'INVALID_CONFIG', message: 'hypervisorConfig.kernelPath: /nope is not a file', details: { field: 'hypervisorConfig.kernelPath' } } } };
    expect(fieldErrorsOfServer(driver)).toEqual({ 'hypervisorConfig.kernelPath': 'hypervisorConfig.kernelPath: /nope is not a file' });
    expect(fieldErrorsOfServer(new Error('network down'))).toEqual({});
    const taken = { data: { engineError: { code: 'POD_EXISTS', message: 'Pod "web-1" already exists' } } };
    expect(fieldErrorsOfServer(taken)).toEqual({ id: 'Pod "web-1" already exists' });
  });
});

describe('pod list deep links', () => {
  it('round-trip the view through the query string, ignoring unknown values', () => {
    const view = { search: 'web', state: 'running', sort: 'uptimeMs', descending: true } as const;
    expect(paramsOfView(view)).toBe('?q=web&state=running&sort=uptimeMs&desc=1');
    expect(viewFromParams(new URLSearchParams(paramsOfView(view)))).toEqual(view);
    expect(viewFromParams(new URLSearchParams('state=bogus&sort=nope'))).toEqual(DEFAULT_VIEW);
    expect(paramsOfView(DEFAULT_VIEW)).toBe('');
  });
});
