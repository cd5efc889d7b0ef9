// What the hyperstart driver sends, written out: a Cmd as a hyperstart process, the network
// contract as STARTPOD (netMask = prefix length, "default" for the 0/0 route), signal numbers.
import { describe, expect, it } from 'vitest';
import { hyperProcessOf, signalNumberOf, startPodOf } from '../../server/engine/drivers/agent/hyperstart-payloads.js';
import { NewContainerSchema, StartPodSchema } from '../../server/guest/protocol/hyperstart/payloads.js';
import { CmdSchema } from '../../server/engine/types.js';

describe('hyperstart payloads', () => {
  it('maps a Cmd to a process the guest schema accepts', () => {
    const cmd = CmdSchema.parse({
      args: ['sh', '-c', 'id'],
      envs: [{ var: 'A', value: '1' }],
      workDir: '/tmp',
      user: '1000',
      primaryGroup: '100',
      supplementaryGroups: ['10'],
      noNewPrivileges: true,
      interactive: true,
      console: '/dev/console',
      capabilities: { bounding: ['CAP_KILL'], effective: [], inheritable: [], permitted: [], ambient: [] },
    });
    const process = hyperProcessOf('c1', cmd);
    expect(process).toEqual({
      id: 'c1',
      user: '1000',
      group: '100',
      additionalGroups: ['10'],
      terminal: true,
      args: ['sh', '-c', 'id'],
      envs: [{ env: 'A', value: '1' }],
      workdir: '/tmp',
      noNewPrivileges: true,
      capabilities: { bounding: ['CAP_KILL'], effective: [], inheritable: [], permitted: [], ambient: [] },
    });
    expect(NewContainerSchema.safeParse({ id: 'c1', image: 'c1', process: { ...process, stdio: 1, stderr: 2 } }).success).toBe(true);
    expect(hyperProcessOf('c1', CmdSchema.parse({ args: ['true'], interactive: true, console: '' })).terminal).toBe(false);
  });

  it('maps the network contract to STARTPOD interfaces and routes', () => {
    const network = {
      interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', mtu: 1500, addresses: [{ family: 'ipv4' as const, address: '10.0.0.2', prefixLength: 24 }, { family: 'ipv6' as const, address: 'fd00::2', prefixLength: 64 }] }],
      routes: [{ family: 'ipv4' as const, destination: '', gateway: '10.0.0.1', device: 'eth0' }, { family: 'ipv4' as const, destination: '10.1.0.0/16', gateway: '', device: 'eth0' }],
      dns: { nameservers: [], search: [], domain: '' },
    };
    const pod = startPodOf('h'.repeat(70), network, 'virtiofs');
    expect(pod).toEqual({
      hostname: 'h'.repeat(64),
      interfaces: [{ newDeviceName: 'eth0', ipAddresses: [{ ipAddress: '10.0.0.2', netMask: '24' }, { ipAddress: 'fd00::2', netMask: '64' }], mtu: 1500, macAddr: '02:00:00:00:00:01' }],
      routes: [{ dest: 'default', gateway: '10.0.0.1', device: 'eth0' }, { dest: '10.1.0.0/16', device: 'eth0' }],
      shareDir: 'hyperShared',
      shareFsType: 'virtiofs',
    });
    expect(StartPodSchema.safeParse(pod).success).toBe(true);
  });

  it('turns signal names and numbers into numbers, refusing others', () => {
    expect([signalNumberOf('SIGKILL'), signalNumberOf('TERM'), signalNumberOf('10')]).toEqual([9, 15, 10]);
    expect(() => signalNumberOf('SIGNOPE')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
