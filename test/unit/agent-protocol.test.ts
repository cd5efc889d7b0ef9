// Host/guest agent protocol: framing and resync, session handshake with stale frames, schema
// validation, output offsets, and the guest-side helpers that need no crun.
import { appendFile, mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputRing } from '../../server/guest/agent/ring.js';
import { parsePsTable } from '../../server/guest/agent/ps.js';
import { serveAgent } from '../../server/guest/agent/server.js';
import { resolveUser } from '../../server/guest/agent/users.js';
import { attachOutput } from '../../server/guest/protocol/attach.js';
import { createMemoryChannelPair, type MemoryChannel } from '../../server/guest/protocol/channel.js';
import { AgentClient } from '../../server/guest/protocol/client.js';
import { ServerEndpoint } from '../../server/guest/protocol/endpoint.js';
import { encodeFrame, FrameDecoder, MAGIC } from '../../server/guest/protocol/frame.js';
import { PROTOCOL_VERSION } from '../../server/guest/protocol/messages.js';

const frame = (n: number, payload = '') => encodeFrame({ n }, Buffer.from(payload));
const flip = (bytes: Buffer, index: number) => bytes.writeUInt8(bytes.readUInt8(index) ^ 0xff, index);
const numbers = (decoder: FrameDecoder, bytes: Buffer) => decoder.push(bytes).map((f) => f.header['n']);

/** A server answering Echo with its body and payload, and able to push events. */
function echoServer(channel: MemoryChannel) {
  const server: ServerEndpoint = new ServerEndpoint(channel, {
    onRequest: (request, payload) => void server.reply(request, { body: { echo: request.body, session: request.session }, payload }),
  });
  return server;
}

describe('framing', () => {
  it('decodes frames split at every byte boundary', () => {
    const bytes = Buffer.concat([frame(1, 'payload one'), frame(2), frame(3, 'x'.repeat(5000))]);
    const decoder = new FrameDecoder();
    const got = [...bytes].flatMap((b) => decoder.push(Buffer.from([b])));
    expect(got.map((f) => f.header['n'])).toEqual([1, 2, 3]);
    expect(got[0]!.payload.toString()).toBe('payload one');
    expect(got[2]!.payload.length).toBe(5000);
    expect(decoder.discardedBytes).toBe(0);
  });

  it('resyncs after garbage, corrupt frames and a stale frame tail', () => {
    const corrupt = frame(2, 'hello');
    flip(corrupt, corrupt.length - 2); // a payload byte: the body CRC fails
    const badLengths = frame(3);
    flip(badLengths, 6); // the header length: the prefix CRC fails, no waiting for bogus bytes
    const stale = frame(0, 'tail of an old frame').subarray(7);
    const decoder = new FrameDecoder();
    const bytes = Buffer.concat([stale, Buffer.from('noise'), MAGIC, frame(1), corrupt, badLengths, Buffer.from([0xd7, 0x50]), frame(4)]);
    expect(numbers(decoder, bytes)).toEqual([1, 4]);
    expect(decoder.discardedBytes).toBeGreaterThan(0);
  });

  it('forgets a partial frame on reset', () => {
    const decoder = new FrameDecoder();
    const whole = frame(1, 'abc');
    expect(numbers(decoder, whole.subarray(0, 10))).toEqual([]);
    decoder.reset();
    expect(numbers(decoder, frame(2))).toEqual([2]);
  });

  it('refuses oversized frames', () => {
    expect(() => encodeFrame({}, Buffer.alloc(2 * 1024 * 1024))).toThrow(/too large/);
  });
});

describe('session handshake', () => {
  it('drops frames of an earlier session that arrive on a new connection', async () => {
    const [host, guest] = createMemoryChannelPair();
    const oldSession = 'old-session-0001';
    const stale = (message: Record<string, unknown>) => guest.write(encodeFrame({ session: oldSession, ...message }));
    // What an earlier host connection left in the pipe, delivered ahead of the new HELLO's answer.
    await stale({ kind: 'hello', protocolVersion: PROTOCOL_VERSION });
    const server: ServerEndpoint = new ServerEndpoint(guest, {
      onRequest: (request, payload) => {
        // Stale replies and events carrying the very id the new client is waiting for.
        void stale({ kind: 'res', id: request.id, ok: true, body: { stale: true } });
        void stale({ kind: 'evt', event: 'exit', body: {} });
        setTimeout(() => void server.reply(request, { body: { echo: request.body }, payload }), 10);
      },
    });
    const client = await AgentClient.connect(host, { helloIntervalMs: 20 });
    const events: unknown[] = [];
    client.onEvent((e) => events.push(e));
    const result = await client.request('Echo', { n: 1 }, { payload: Buffer.from('bytes') });
    expect(result.body).toEqual({ echo: { n: 1 } });
    expect(result.payload.toString()).toBe('bytes');
    expect(server.session).toBe(client.session);
    expect(events).toEqual([]);
  });

  it('ignores requests tagged with a session other than the current one', async () => {
    const [host, guest] = createMemoryChannelPair();
    const seen: string[] = [];
    new ServerEndpoint(guest, { onRequest: (r) => seen.push(String(r.body)) });
    const client = await AgentClient.connect(host, { helloIntervalMs: 20 });
    await host.write(encodeFrame({ kind: 'req', session: 'someone-else', id: 9, op: 'Check', body: 'stale' }));
    void client.request('Check', 'current', { timeoutMs: 50 }).catch(() => {});
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual(['current']);
  });

  it('forgets a host that vanished mid-frame, and pushes nothing while none is connected', async () => {
    const [host, guest] = createMemoryChannelPair();
    const server = echoServer(guest);
    const first = await AgentClient.connect(host, { helloIntervalMs: 20 });
    const cut = encodeFrame({ kind: 'req', session: first.session, id: 99, op: 'Echo', body: 'cut short' }).subarray(0, 30);
    await host.write(cut);
    await new Promise((r) => setTimeout(r, 10));
    guest.simulateReset(); // virtio-serial: read() returned 0, the host is gone
    expect(server.session).toBeNull();
    let pushed = 0;
    host.onData((d) => (pushed += d.length));
    await server.emit('exit', { containerId: 'c', execId: 'c', exitCode: 0 });
    await new Promise((r) => setTimeout(r, 10));
    expect(pushed).toBe(0);
    const second = await AgentClient.connect(host, { helloIntervalMs: 20 });
    expect((await second.request('Echo', 2)).body).toEqual({ echo: 2, session: second.session });
  });

  it('keeps resending HELLO until the agent comes up', async () => {
    const [host, guest] = createMemoryChannelPair();
    const connecting = AgentClient.connect(host, { helloIntervalMs: 20, timeoutMs: 2_000 });
    await new Promise((r) => setTimeout(r, 60)); // HELLOs sent into the void meanwhile
    echoServer(guest);
    const client = await connecting;
    expect((await client.request('X', 1)).body).toMatchObject({ echo: 1 });
  });

  it('times out a handshake nobody answers and fails calls when the channel closes', async () => {
    const [host] = createMemoryChannelPair();
    await expect(AgentClient.connect(host, { timeoutMs: 50, helloIntervalMs: 10 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    const [h2, g2] = createMemoryChannelPair();
    new ServerEndpoint(g2, { onRequest: () => {} });
    const client = await AgentClient.connect(h2, { helloIntervalMs: 10 });
    const pending = client.request('WaitProcess', {}, { timeoutMs: 0 });
    g2.close();
    await expect(pending).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });
});

describe('schemas', () => {
  const runtime = { crun: 'false', crunGlobalArgs: [], noPivot: false, script: null, stty: 'false' };
  const agentOver = (guest: MemoryChannel) =>
    serveAgent(guest, { runtime, stateDir: '/nonexistent', sharedDir: '/nonexistent', volumesDir: '/nonexistent', volumeExports: '/nonexistent', mountStorages: false, setHostname: false, network: null });

  it('the agent rejects malformed requests and unknown operations', async () => {
    const [host, guest] = createMemoryChannelPair();
    agentOver(guest);
    const client = await AgentClient.connect(host);
    await expect(client.request('CreateContainer', { containerId: '../etc', process: { args: ['sh'] } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.request('ExecProcess', { containerId: 'c', execId: 'e', process: { args: [] } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.request('Reboot', {})).rejects.toMatchObject({ code: 'UNKNOWN_OP' });
    await expect(client.call('StartContainer', { containerId: 'missing' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await client.call('Check', {})).body).toEqual({ serving: true });
  });

  it('the client validates before sending', async () => {
    const [host, guest] = createMemoryChannelPair();
    agentOver(guest);
    const client = await AgentClient.connect(host);
    await expect(client.call('TtyWinResize', { containerId: 'c', execId: 'e', rows: -1, columns: 80 })).rejects.toThrow();
  });

  it('drops frames whose header is not a protocol message', async () => {
    const [host, guest] = createMemoryChannelPair();
    const seen: unknown[] = [];
    new ServerEndpoint(guest, { onRequest: (r) => seen.push(r) });
    await host.write(encodeFrame({ kind: 'req', id: 'not-a-number' }));
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([]);
  });
});

describe('output following', () => {
  it('ring buffer keeps offsets across overflow', () => {
    const ring = new OutputRing(10);
    expect(ring.append(Buffer.from('abcdef'))).toBe(0);
    expect(ring.append(Buffer.from('ghijkl'))).toBe(6);
    expect(ring.readFrom(0)).toEqual({ offset: 6, data: Buffer.from('ghijkl') });
    expect(ring.readFrom(8).data.toString()).toBe('ijkl');
    expect(ring.end).toBe(12);
  });

  it('delivers each byte once when events race the backlog', async () => {
    const [host, guest] = createMemoryChannelPair();
    const server: ServerEndpoint = new ServerEndpoint(guest, {
      onRequest: (request) => {
        const ref = { containerId: 'c', execId: 'e' };
        // Live output that overlaps the backlog is pushed before the Attach reply.
        void server.emit('output', { ...ref, stream: 'stdout', offset: 3 }, Buffer.from('def'));
        void server.emit('output', { ...ref, stream: 'stdout', offset: 6 }, Buffer.from('gh'));
        void server.reply(request, { body: { stdout: { offset: 0, length: 5 }, stderr: { offset: 0, length: 1 }, exitCode: null }, payload: Buffer.from('abcde!') });
        void server.emit('output', { ...ref, stream: 'stdout', offset: 8 }, Buffer.from('i'));
      },
    });
    const client = await AgentClient.connect(host);
    const got: Record<string, string> = { stdout: '', stderr: '' };
    const attachment = await attachOutput(client, { containerId: 'c', execId: 'e' }, (stream, data) => (got[stream] += data.toString()));
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual({ stdout: 'abcdefghi', stderr: '!' });
    expect(attachment.offsets).toEqual({ stdout: 9, stderr: 1 });
  });
});

describe('guest helpers', () => {
  it('resolves users and groups against the container rootfs', async () => {
    const rootfs = await mkdtemp(join(tmpdir(), 'pv-users-'));
    await mkdir(join(rootfs, 'etc'));
    await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n');
    await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\nalice:x:1000:\nstaff:x:50:alice\nwheel:x:10:\n');
    const none = { primaryGroup: '', supplementaryGroups: [] };
    expect(await resolveUser(rootfs, { user: '', ...none })).toEqual({ uid: 0, gid: 0, additionalGids: [], home: '/root' });
    expect(await resolveUser(rootfs, { user: 'alice', ...none })).toEqual({ uid: 1000, gid: 1000, additionalGids: [50], home: '/home/alice' });
    expect(await resolveUser(rootfs, { user: '4242', primaryGroup: 'wheel', supplementaryGroups: ['staff', '7'] })).toEqual({ uid: 4242, gid: 10, additionalGids: [50, 7], home: '/' });
    await expect(resolveUser(rootfs, { user: 'mallory', ...none })).rejects.toThrow(/unable to find user "mallory"/);
    await expect(resolveUser(rootfs, { user: 'alice', primaryGroup: 'nogroup', supplementaryGroups: [] })).rejects.toThrow(/group "nogroup"/);
    // The parsed tables are reused only while the file is unchanged: a user added (same second,
    // same inode: appended) is found by the next exec.
    await appendFile(join(rootfs, 'etc/passwd'), 'mallory:x:1001:1000::/home/m:/bin/sh\n');
    expect(await resolveUser(rootfs, { user: 'mallory', ...none })).toEqual({ uid: 1001, gid: 1000, additionalGids: [], home: '/home/m' });
    // A table replaced by a symlink (it would resolve outside the rootfs) is not read, cached or not.
    await rm(join(rootfs, 'etc/passwd'));
    await symlink('/etc/passwd', join(rootfs, 'etc/passwd'));
    await expect(resolveUser(rootfs, { user: 'alice', ...none })).rejects.toThrow(/unable to find user "alice"/);
    await rm(rootfs, { recursive: true, force: true });
  });

  it('parses ps tables, keeping spaces in the last column', () => {
    const table = 'PID   PPID  USER     COMMAND\n    1     0 root     sh -c sleep 100\n    7     1 alice    sleep 100\n';
    expect(parsePsTable(table)).toEqual([
      { pid: '1', ppid: '0', user: 'root', command: 'sh -c sleep 100' },
      { pid: '7', ppid: '1', user: 'alice', command: 'sleep 100' },
    ]);
  });
});
