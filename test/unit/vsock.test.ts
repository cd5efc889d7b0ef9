// noProxy's vsock transport, argv only (no /dev/vhost-vsock here; see server/engine/drivers/proxy/vsock.ts).
import { describe, expect, it } from 'vitest';
import { agentVsockUrl, pickGuestCid, vsockDeviceArgs } from '../../server/engine/drivers/proxy/vsock.js';

describe('vsock for noProxy', () => {
  it('builds the vhost-vsock-pci device with the guest CID', () => {
    expect(vsockDeviceArgs(3)).toEqual(['-device', 'vhost-vsock-pci,id=vsock0,guest-cid=3']);
    expect(vsockDeviceArgs(4294967294)).toEqual(['-device', 'vhost-vsock-pci,id=vsock0,guest-cid=4294967294']);
  });

  it('refuses the reserved CIDs 0-2 and anything not a 32-bit guest CID', () => {
    for (const cid of [0, 1, 2, 4294967295, 3.5, -1]) expect(() => vsockDeviceArgs(cid)).toThrow(/invalid vsock guest CID/);
  });

  it('picks the lowest CID no other VM uses', () => {
    expect(pickGuestCid([])).toBe(3);
    expect(pickGuestCid([3, 4, 6])).toBe(5);
    expect(pickGuestCid(new Set([5, 3]))).toBe(4);
  });

  it('names the agent as upstream does: vsock://<cid>:1024', () => {
    expect(agentVsockUrl(7)).toBe('vsock://7:1024');
  });
});
