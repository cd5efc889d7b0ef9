// [SECURITY] Malformed and oversized input to every tRPC procedure and every terminal frame type:
// the server neither crashes nor answers a 500 without an engine code, and nothing changes.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { appRouter } from '../../server/api/root.js';
import type { ProcessIo } from '../../server/engine/index.js';
import { socketProtocols, TERMINAL_WS_PATH } from '../../server/terminal/protocol.js';
import type { TerminalEngine } from '../../server/terminal/index.js';
import { testConsole, type TestConsole } from '../helpers/console.js';
import { MOCK_ROOTFS, mockPod } from '../helpers/engine.js';

type AnyProcedure = { _def: { type: 'query' | 'mutation' | 'subscription' } };
const PROCEDURES = Object.entries((appRouter._def as unknown as { procedures: Record<string, AnyProcedure> }).procedures);

const deep = (levels: number): unknown => (levels === 0 ? 'bottom' : { podId: deep(levels - 1) });
const MALFORMED: unknown[] = [
  null,
  0,
  -1,
  'x',
  [],
  [1, 2],
  true,
  { podId: '' },
  { podId: '../../etc/passwd', containerId: '..' },
  { podId: 'x'.repeat(100_000) },
  { podId: { $ne: null } },
  { podId: 'p', containerId: 'c1', signal: 'SIGNOPE', rows: -5, cols: 1e9, limit: Number.MAX_SAFE_INTEGER },
  { id: 'p', containers: 'not a list', hypervisorType: 'vmware' },
  { sessionId: 'not-a-uuid', readOnly: 'yes' },
  { name: '', role: 'root', password: 'short' },
  { roots: ['relative', '/nonexistent/\u0000'] },
  { __proto__: { role: 'admin' }, constructor: { prototype: { polluted: true } } },
  deep(500),
];

/** Everything a fuzzed call could have changed, besides the audit log. */
async function stateOf(c: TestConsole) {
  return JSON.stringify({
    pods: await c.t.vc.listPod(),
    users: await c.auth.users.list(),
    tokens: (await c.auth.tokens.list()).map((t) => ({ ...t, lastUsedAt: null })),
    roots: await c.t.vc.hostPathRoots(),
  });
}

async function rawRequest(c: TestConsole, method: string, path: string, body: string | undefined, token: string) {
  const res = await fetch(`${c.origin}/api/trpc/${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  return { status: res.status, text };
}

describe('[SECURITY] fuzzing the API', () => {
  it('answers every malformed call to every procedure with a coded error, never a crash or a change', async () => {
    await using c = await testConsole();
    const admin = (await c.auth.users.list()).find((u) => u.name === 'admin')!;
    const { token } = await c.auth.tokens.create(admin.id, { name: 'fuzz', role: 'admin' });
    expect((await c.mutate('pod.run', mockPod('keep'), { bearer: token })).status).toBe(200);
    const before = await stateOf(c);
    let calls = 0;
    for (const [path, proc] of PROCEDURES) {
      if (proc._def.type === 'subscription') continue; // a stream, fuzzed through its input parser below
      for (const input of MALFORMED) {
        const body = JSON.stringify(input);
        const res =
          proc._def.type === 'query'
            ? await rawRequest(c, 'GET', `${path}?input=${encodeURIComponent(body)}`, undefined, token)
            : await rawRequest(c, 'POST', path, body, token);
        calls += 1;
        // Node's HTTP parser refuses a URL over 16 KiB itself (431), before any of our code runs.
        if (res.status === 431) continue;
        const parsed = JSON.parse(res.text) as { error?: { data?: { engineError?: { code?: string } } } };
        if (res.status >= 400) expect(parsed.error?.data?.engineError?.code, `${path} ${body.slice(0, 80)} → ${res.status}`).toMatch(/^[A-Z_]+$/);
        expect(res.status === 500 && !parsed.error?.data?.engineError?.code, `${path}: 500 without a code`).toBe(false);
      }
    }
    // Bodies that are not JSON, too large, or sent with the wrong method.
    for (const [method, path, body] of [
      ['POST', 'pod.run', '{"id": "half'],
      ['POST', 'pod.run', 'x'.repeat(2 * 1024 * 1024)],
      ['GET', 'pod.run', undefined],
      ['POST', 'pod.list', '{}'],
      ['GET', 'pod.status?input=%7Bnot-json', undefined],
      ['POST', 'no.such.procedure', '{}'],
    ] as const) {
      const res = await rawRequest(c, method, path, body, token);
      expect(res.status, `${method} ${path}: ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path} ${(body ?? '').slice(0, 20)}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
    }
    expect(calls).toBeGreaterThan(40 * MALFORMED.length - 20);
    expect(await stateOf(c)).toBe(before);
    expect(await c.query('auth.status')).toMatchObject({ status: 200 });
  }, 120_000);
});

/** A shell that records the resizes that reach it and echoes what it is sent. */
function recordingProcesses() {
  const resizes: string[] = [];
  const engine = {
    enterContainer: async () => ({ process: { token: 'exec', pid: 7, startTime: '' } }),
    recordPodEvent: async () => {},
    attachProcess: async (): Promise<ProcessIo> => {
      const stdout = new PassThrough();
      return {
        stdout,
        stderr: new PassThrough(),
        writeStdin: async (data) => void stdout.write(data),
        closeStdin: async () => {},
        resize: async (rows, cols) => void resizes.push(`${rows}x${cols}`),
        signal: async () => {},
        wait: () => new Promise(() => {}),
        close: () => {},
      };
    },
  } as unknown as TerminalEngine;
  return { engine, resizes };
}

describe('[SECURITY] fuzzing the terminal frames', () => {
  it('ignores malformed frames of every type, keeps the session working, and closes only on an oversized frame', async () => {
    const { engine, resizes } = recordingProcesses();
    await using c = await testConsole({ terminalEngine: engine });
    const operator = await c.login('operator');
    const opened = await c.mutate('terminal.open', { podId: 'p', containerId: 'c1', command: '/bin/sh', rows: 24, cols: 80 }, { login: operator });
    const { ticket } = opened.data as { ticket: string };
    const ws = new WebSocket(`ws://127.0.0.1:${c.port}${TERMINAL_WS_PATH}`, socketProtocols(ticket), { origin: c.origin });
    const messages: string[] = [];
    ws.on('message', (m) => messages.push(m.toString()));
    await new Promise((r) => ws.once('open', r));
    const frames: (string | Buffer)[] = [
      ...['input', 'resize', 'ack', 'ping', 'pong'].flatMap((t) => [
        JSON.stringify({ t }),
        JSON.stringify({ t, data: 42, rows: -1, cols: 'wide', n: -5, binary: 'yes' }),
        JSON.stringify({ t, data: null, rows: 1.5, cols: 1e12, n: 1e308 }),
        JSON.stringify({ t, rows: 0, cols: 0, n: 'NaN', extra: 'x'.repeat(10_000) }),
      ]),
      JSON.stringify({ t: 'input', data: 'x'.repeat(64 * 1024 + 1) }),
      JSON.stringify({ t: 'exit', code: 0 }),
      JSON.stringify({ t: 'snapshot', data: 'fake screen' }),
      JSON.stringify({ t: '__proto__' }),
      JSON.stringify([{ t: 'input', data: 'array' }]),
      'null',
      '"input"',
      '{',
      '\u0000\uffff',
      Buffer.from([0, 1, 2, 255]),
      JSON.stringify(deep(1000)),
    ];
    for (const frame of frames) ws.send(frame);
    ws.send(JSON.stringify({ t: 'input', data: 'still-alive\r' }));
    await expect.poll(() => messages.join('')).toContain('still-alive');
    expect(messages.join('')).not.toContain('array');
    expect(resizes).toEqual(['24x80']); // only the size the terminal was opened with
    expect(ws.readyState).toBe(ws.OPEN);
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send(Buffer.alloc(129 * 1024));
    expect(await closed).toBe(1009);
    expect(await c.query('auth.status')).toMatchObject({ status: 200 });
  });
});

/** A pod config with one bad field; `field` is what the refusal must name. */
const A = 'com.github.containers.virtcontainers.';
const container = (extra: Record<string, unknown>) => ({ ...mockPod('bad', 1).containers[0], ...extra });
const BAD_STORAGE: [field: string, change: Record<string, unknown>][] = [
  [`annotations.${A}KernelHash`, { annotations: { [`${A}KernelHash`]: 'zz' } }],
  [`annotations.${A}ImageHash`, { annotations: { [`${A}ImageHash`]: 'f'.repeat(100_000) } }],
  [`annotations.${A}KernelPath`, { annotations: { [`${A}KernelPath`]: 'vmlinux' } }],
  [`annotations.${A}FirmwarePath`, { annotations: { [`${A}FirmwarePath`]: '/etc/passwd' } }],
  [`annotations.${A}HypervisorPath`, { annotations: { [`${A}HypervisorPath`]: '/nonexistent/\u0000qemu' } }],
  [`annotations.${A}InitrdHash`, { annotations: { [`${A}InitrdHash`]: 'a'.repeat(128) } }],
  ['annotations', { annotations: { [`${A}KernelPath`]: 42 } }],
  ['hooks.preStartHooks.0.path', { hooks: { preStartHooks: [{ path: 'hook.sh' }] } }],
  ['hooks.postStartHooks.0.args.1', { hooks: { postStartHooks: [{ path: '/bin/true', args: ['true', 7] }] } }],
  ['hooks.postStopHooks.0.timeout', { hooks: { postStopHooks: [{ path: '/bin/true', timeout: -1 }] } }],
  ['hooks.preStartHooks.0.path', { hooks: { preStartHooks: [{ path: '/etc/shadow' }] } }],
  ['hooks.preStartHooks', { hooks: { preStartHooks: 'not a list' } }],
  ['volumes.0.mountTag', { volumes: [{ mountTag: 'a,b', hostPath: '/tmp' }] }],
  ['volumes.0.mountTag', { volumes: [{ mountTag: 'x'.repeat(40), hostPath: '/tmp' }] }],
  ['volumes.0.hostPath', { volumes: [{ mountTag: 'data', hostPath: 'relative' }] }],
  ['volumes.0.hostPath', { volumes: [{ mountTag: 'data', hostPath: '/proc' }] }],
  ['volumes.1.mountTag', { volumes: [{ mountTag: 'd', hostPath: '/tmp' }, { mountTag: 'd', hostPath: '/tmp' }] }],
  ['containers.0.mounts.0.destination', { containers: [container({ mounts: [{ source: 'tmpfs', type: 'tmpfs', destination: 'data' }] })] }],
  ['containers.0.mounts.0.destination', { containers: [container({ mounts: [{ source: MOCK_ROOTFS, destination: '/proc/x' }] })] }],
  ['containers.0.mounts.0.type', { containers: [container({ mounts: [{ source: 'server', type: 'nfs', destination: '/x' }] })] }],
  ['containers.0.mounts.0.source', { containers: [container({ mounts: [{ source: '', destination: '/x' }] })] }],
  ['containers.0.mounts.0.source', { containers: [container({ mounts: [{ source: 'novolume', destination: '/x' }] })] }],
  ['containers.0.mounts.0.options', { containers: [container({ mounts: [{ source: 'tmpfs', type: 'tmpfs', destination: '/x', options: 'ro' }] })] }],
  ['containers.0.deviceInfos.0.devType', { containers: [container({ deviceInfos: [{ devType: 'z', containerPath: '/dev/x' }] })] }],
  ['containers.0.deviceInfos.0.containerPath', { containers: [container({ deviceInfos: [{ devType: 'c', containerPath: 'dev/x' }] })] }],
  ['containers.0.deviceInfos.0.fileMode', { containers: [container({ deviceInfos: [{ devType: 'c', containerPath: '/dev/x', fileMode: 99_999 }] })] }],
  ['containers.0.deviceInfos.0.uid', { containers: [container({ deviceInfos: [{ devType: 'c', containerPath: '/dev/x', uid: -1 }] })] }],
  ['containers.0.deviceInfos.0.major', { containers: [container({ deviceInfos: [{ devType: 'b', containerPath: '/dev/x', major: 'eight' }] })] }],
  ['containers.0.deviceInfos.0.hostPath', { containers: [container({ deviceInfos: [{ devType: 'b', containerPath: '/dev/x', hostPath: '/dev/sda' }] })] }],
];

describe('[SECURITY] fuzzing storage, hooks and custom-asset fields', () => {
  it('refuses each bad field through pod.create with a typed refusal naming it, and creates nothing', async () => {
    await using c = await testConsole();
    const operator = await c.login('operator');
    for (const [field, change] of BAD_STORAGE) {
      const res = await c.mutate('pod.create', { ...mockPod('bad', 1), ...change }, { login: operator });
      const what = `${field}: ${res.status} ${res.code} ${res.message?.slice(0, 200)}`;
      // NOT_SUPPORTED is tRPC's NOT_IMPLEMENTED (501): a refusal, not a server fault.
      expect(res.status === 501 ? res.code : res.status >= 400 && res.status < 500 ? 'client error' : res.status, what).toMatch(/^(client error|NOT_SUPPORTED)$/);
      expect(res.code, what).toMatch(/^(INVALID_CONFIG|PERMISSION_DENIED|NOT_SUPPORTED)$/);
      expect(res.message, what).toContain(field);
    }
    expect((await c.query('pod.list', undefined, { login: operator })).data).toEqual([]);
  }, 60_000);
});
