// The doctor recognises ccShims by their argv (`--cc-shim … -p <runDir>`): the host-wide ccProxy is
// not their parent, so the pod's run dir in their argv is what ties them to a pod.
import { describe, expect, it } from 'vitest';
import { classify } from '../../server/engine/doctor/scan.js';
import { ccProxyArgs } from '../../server/engine/drivers/proxy/cc.js';
import { ccShimArgs } from '../../server/engine/drivers/shim/cc.js';

describe('doctor classify: ccShims', () => {
  const argv = (runDir: string) => ['/usr/bin/node', ...ccShimArgs({ runDir }, { containerId: 'c1', token: 'tok1', url: 'unix:///var/run/pv/cc-proxy.sock', direct: false })];

  it('finds a ccShim under the run root, its token as the marker', () => {
    expect(classify(argv('/var/run/pv/pod1'), '/var/run/pv')).toEqual({ kind: 'shim', runDir: '/var/run/pv/pod1', marker: 'tok1' });
  });

  it('finds a ccShim without a proxy (hyperstart + noProxy) the same way: its stream files do not confuse it', () => {
    const direct = ['/usr/bin/node', ...ccShimArgs({ runDir: '/var/run/pv/pod1' }, {
      containerId: 'c1',
      token: '1234',
      url: 'unix:///var/run/pv/pod1/sh.hyper.channel.0.sock',
      direct: true,
      hyperStreams: { output: '/var/run/pv/pod1/sh.hyper.channel.1.out', input: '/var/run/pv/pod1/sh.hyper.channel.1.in', process: 'c1' },
    })];
    expect(direct).toEqual(expect.arrayContaining(['--direct', '--process', 'c1', '--streams', '/var/run/pv/pod1/sh.hyper.channel.1.out']));
    expect(classify(direct, '/var/run/pv')).toEqual({ kind: 'shim', runDir: '/var/run/pv/pod1', marker: '1234' });
  });

  it('ignores one of a pod under another root', () => {
    expect(classify(argv('/elsewhere/pod1'), '/var/run/pv')).toBeNull();
  });

  it('never counts the host-wide ccProxy as one pod\'s process', () => {
    expect(classify(['/usr/bin/node', ...ccProxyArgs('/var/run/pv')], '/var/run/pv')).toBeNull();
  });
});
