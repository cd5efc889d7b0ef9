// The doctor recognises noProxy's direct kata shims (no proxy parent) by their argv, as it does
// QEMU, proxies and virtiofsd: under our run root only.
import { describe, expect, it } from 'vitest';
import { classify } from '../../server/engine/doctor/scan.js';
import { directShimArgs } from '../../server/engine/drivers/shim/kata.js';

describe('doctor classify: direct shims', () => {
  const argv = (url: string) => ['/usr/bin/node', ...directShimArgs({ containerId: 'c1', token: 'e1', url, direct: true })];

  it('finds a direct shim under the run root, with its marker', () => {
    expect(classify(argv('unix:///var/run/pv/pod1/agent.channel.0.sock'), '/var/run/pv')).toEqual({ kind: 'shim', runDir: '/var/run/pv/pod1', marker: 'c1/e1' });
  });

  it('ignores one under another root', () => {
    expect(classify(argv('unix:///elsewhere/pod1/agent.channel.0.sock'), '/var/run/pv')).toBeNull();
  });
});
