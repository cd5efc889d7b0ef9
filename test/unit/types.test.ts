// Invalid input is rejected with a message naming the field at fault.
import { describe, expect, it } from 'vitest';
import { invalidConfig } from '../../server/engine/errors.js';
import { ContainerConfigSchema, PodConfigSchema, SignalSchema } from '../../server/engine/types.js';

const container = { id: 'c1', rootFs: '/rootfs', cmd: { args: ['/bin/sh'] } };

function errorOf(schema: typeof PodConfigSchema | typeof ContainerConfigSchema, input: unknown): string {
  const r = schema.safeParse(input);
  if (r.success) throw new Error('expected the input to be rejected');
  return invalidConfig(r.error, 'config').message;
}

describe('PodConfig validation', () => {
  it('fills upstream defaults for a minimal config', () => {
    const pod = PodConfigSchema.parse({ id: 'p1' });
    expect(pod).toMatchObject({ hypervisorType: 'qemu', agentType: 'noop', proxyType: 'noopProxy', shimType: 'noopShim', networkModel: 'noop' });
    expect(pod.networkConfig.interworkingModel).toBe('default');
    expect(pod.hooks).toEqual({ preStartHooks: [], postStartHooks: [], postStopHooks: [] });
  });

  it.each([
    [{ id: '' }, 'id: cannot be empty'],
    [{ id: '../x' }, 'id: may hold only'],
    [{ id: 'p', hypervisorType: 'kvm' }, 'hypervisorType:'],
    [{ id: 'p', agentType: 'Kata' }, 'agentType:'],
    [{ id: 'p', proxyType: 'kata' }, 'proxyType:'],
    [{ id: 'p', vmConfig: { memory: -1 } }, 'vmConfig.memory:'],
    [{ id: 'p', vmConfig: { vcpus: 1.5 } }, 'vmConfig.vcpus:'],
    [{ id: 'p', hypervisorConfig: { kernelPath: 'vmlinuz' } }, 'hypervisorConfig.kernelPath: must be an absolute path'],
    [{ id: 'p', hypervisorConfig: { defaultMemSz: 'lots' } }, 'hypervisorConfig.defaultMemSz:'],
    [{ id: 'p', hooks: { preStartHooks: [{ path: 'hook' }] } }, 'hooks.preStartHooks.0.path: must be an absolute path'],
    [{ id: 'p', volumes: [{ mountTag: '', hostPath: '/x' }] }, 'volumes.0.mountTag: cannot be empty'],
    [{ id: 'p', volumes: [{ mountTag: 'a', hostPath: '/x' }, { mountTag: 'a', hostPath: '/y' }] }, 'volumes.1.mountTag: duplicates tag "a"'],
    [{ id: 'p', containers: [container, container] }, 'containers.1.id: duplicates container "c1"'],
    [{ id: 'p', containers: [{ ...container, cmd: { args: [] } }] }, 'containers.0.cmd.args: must name a program to run'],
    [{ id: 'p', networkConfig: { interworkingModel: 'veth' } }, 'networkConfig.interworkingModel:'],
    [{ id: 'p', annotations: { a: 1 } }, 'annotations.a:'],
  ])('rejects %j naming the field', (input, expected) => {
    expect(errorOf(PodConfigSchema, input)).toContain(expected);
  });
});

describe('ContainerConfig validation', () => {
  it.each([
    [{ ...container, rootFs: 'rel' }, 'rootFs: must be an absolute path'],
    [{ ...container, cmd: { args: ['sh'], envs: [{ var: 'A=B' }] } }, 'cmd.envs.0.var: cannot contain "="'],
    [{ ...container, cmd: { args: ['sh'], capabilities: { bounding: ['KILL'] } } }, 'cmd.capabilities.bounding.0: must be a capability name'],
    [{ ...container, mounts: [{ source: '/a', destination: 'b' }] }, 'mounts.0.destination: must be an absolute path'],
    [{ ...container, deviceInfos: [{ containerPath: '/dev/x', devType: 'z' }] }, 'deviceInfos.0.devType:'],
  ])('rejects %j naming the field', (input, expected) => {
    expect(errorOf(ContainerConfigSchema, input)).toContain(expected);
  });
});

describe('signals', () => {
  it('accepts names with or without SIG and numbers', () => {
    expect(SignalSchema.parse('TERM')).toBe('SIGTERM');
    expect(SignalSchema.parse('SIGKILL')).toBe('SIGKILL');
    expect(SignalSchema.parse(9)).toBe(9);
    const bad = SignalSchema.safeParse('kill me');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe('must be a signal name such as SIGTERM, or a number from 1 to 64');
  });
});
