// noProxy's vsock transport, as upstream: where the host has /dev/vhost-vsock the VM gets a
// vhost-vsock-pci device with a guest CID no other VM on the host uses, and the agent URL is
// vsock://<cid>:<port> instead of the serial socket. Pure builders only: this machine has no
// /dev/vhost-vsock, and the guest agent (node, which has no AF_VSOCK) cannot listen on vsock yet,
// so noProxy uses the serial socket everywhere today (see proxy/no.ts). Unit-tested in
// test/unit/vsock.test.ts so the argv is ready when a guest listener exists.
export const VHOST_VSOCK_DEVICE = '/dev/vhost-vsock';
/** kata's agent port (kata-runtime vSockPort). */
export const AGENT_VSOCK_PORT = 1024;
/** 0–2 are reserved (hypervisor, local, host); CIDs are 32-bit. */
const FIRST_GUEST_CID = 3;
const LAST_GUEST_CID = 0xffff_fffe;

/** The lowest CID not in `inUse` (the CIDs of the host's other VMs), as kata's FindContextID scans. */
export function pickGuestCid(inUse: Iterable<number>): number {
  const taken = new Set(inUse);
  for (let cid = FIRST_GUEST_CID; cid <= LAST_GUEST_CID; cid++) if (!taken.has(cid)) return cid;
  throw new Error('no free vsock guest CID');
}

/** QEMU arguments for the device; the id is unique per VM (one vsock device each). */
export function vsockDeviceArgs(cid: number): string[] {
  if (!Number.isInteger(cid) || cid < FIRST_GUEST_CID || cid > LAST_GUEST_CID) throw new Error(`invalid vsock guest CID ${cid}`);
  return ['-device', `vhost-vsock-pci,id=vsock0,guest-cid=${cid}`];
}

export function agentVsockUrl(cid: number, port = AGENT_VSOCK_PORT): string {
  return `vsock://${cid}:${port}`;
}
