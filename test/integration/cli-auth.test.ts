// The CLI's security commands (users, API tokens, the audit log, host-path settings) and its remote
// mode, as child processes on a throw-away PODVISOR_HOME. Remote calls go to the real tRPC API served
// by a plain HTTP server in this process (the console without Next), on the same database.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../server/api/root.js';
import { openAuth, type Auth } from '../../server/auth/index.js';
import { digest } from '../../server/auth/secrets.js';
import { parseApiToken } from '../../server/auth/tokens.js';
import { configFromEnv } from '../../server/config.js';
import { openEngine, type VC } from '../../server/engine/index.js';
import { createContext } from '../../server/http/context.js';
import { originsFor, type Origins } from '../../server/http/origins.js';
import { createTerminalSessions } from '../../server/terminal/index.js';
import { MOCK_ROOTFS } from '../helpers/engine.js';

const BIN = fileURLToPath(new URL('../../bin/podvisor.js', import.meta.url));
const PASSWORD = 'correct horse battery staple';
const MOCK_POD = ['--hypervisor', 'mock', '--agent', 'noop'];
const CLI_ACTOR = `cli:${os.userInfo().username}`;

let home: string;
let env: Record<string, string>;

beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'pv-cli-auth-'));
  env = { PODVISOR_HOME: home, PODVISOR_RUN_DIR: path.join(home, 'run'), PODVISOR_HOST_PATH_ROOTS: `${MOCK_ROOTFS}:${home}` };
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** The CLI with only the environment it needs (plus `extra`), `input` on its stdin. */
function podvisor(args: string[], { input, extra = {} }: { input?: string; extra?: Record<string, string> } = {}) {
  return execa('node', [BIN, ...args], {
    env: { PATH: process.env.PATH, ...env, ...extra },
    extendEnv: false,
    reject: false,
    ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
  });
}

const addUser = (name: string, role: string, password = PASSWORD) => podvisor(['user', 'add', name, '--role', role, '--password-stdin'], { input: `${password}\n` });

/** A token's text: stdout holds nothing else. */
async function tokenFor(user: string, role: string): Promise<string> {
  const created = await podvisor(['token', 'create', `${user}-${role}`, '--user', user, '--role', role]);
  expect(created.exitCode, created.stderr).toBe(0);
  return created.stdout;
}

const readDb = <T>(sql: string, ...params: unknown[]): T => {
  const db = new Database(path.join(home, 'podvisor.db'), { readonly: true });
  try {
    return db.prepare(sql).get(...params) as T;
  } finally {
    db.close();
  }
};

// Every CLI start costs about half a second, more on a loaded CI runner.
describe('podvisor user, token, audit and settings', { timeout: 60_000 }, () => {
  it('adds users with the password from stdin, stored as an argon2id hash; refuses duplicates, bad roles and weak passwords', async () => {
    const added = await addUser('alice', 'admin');
    expect([added.exitCode, added.stdout, added.stderr]).toEqual([0, 'User alice added (admin)', '']);
    const { passwordHash } = readDb<{ passwordHash: string }>('SELECT passwordHash FROM User WHERE name = ?', 'alice');
    expect(passwordHash).toMatch(/^\$argon2id\$/);
    expect(passwordHash).not.toContain(PASSWORD);

    const [duplicate, badRole, weak, noStdin] = await Promise.all([
      addUser('alice', 'admin'),
      addUser('bob', 'boss'),
      addUser('bob', 'operator', 'short'),
      podvisor(['user', 'add', 'bob', '--role', 'operator']),
    ]);
    // One at a time: Users.add reads, then writes in one SQLite transaction, and two processes doing so at once
    // can fail with "database is locked" (SQLITE_BUSY on the lock upgrade).
    const operator = await addUser('olga', 'operator');
    const viewer = await addUser('vic', 'viewer');
    expect([duplicate.exitCode, duplicate.stderr]).toEqual([4, 'podvisor: USER_EXISTS: A user named "alice" already exists']);
    expect(badRole.exitCode).toBe(2);
    expect(badRole.stderr).toMatch(/^podvisor: INVALID_CONFIG: .*role: /);
    expect(weak.exitCode).toBe(2);
    expect(weak.stderr).toMatch(/^podvisor: INVALID_CONFIG: .*password: must be at least 10 characters/);
    expect(noStdin.exitCode).toBe(2);
    expect(noStdin.stderr).toMatch(/--password-stdin/);
    expect([operator.exitCode, viewer.exitCode]).toEqual([0, 0]);

    const list = await podvisor(['user', 'list']);
    expect(list.stdout).toMatch(/^NAME\s+ROLE\s+STATUS\s+CREATED\nalice\s+admin\s+enabled\s+\S+\nolga\s+operator\s+enabled\s+\S+\nvic\s+viewer\s+enabled\s+\S+$/);
  });

  it('changes roles, disables and enables users and sets passwords', async () => {
    expect((await podvisor(['user', 'set-role', 'vic', 'operator'])).stdout).toBe('User vic is now operator');
    expect((await podvisor(['user', 'disable', 'vic'])).stdout).toBe('User vic disabled');
    const [asJson, unknown, badRole] = await Promise.all([
      podvisor(['--json', 'user', 'list']),
      podvisor(['user', 'disable', 'nobody']),
      podvisor(['user', 'set-role', 'vic', 'root']),
    ]);
    expect(JSON.parse(asJson.stdout)).toContainEqual(expect.objectContaining({ name: 'vic', role: 'operator', disabled: true }));
    expect([unknown.exitCode, unknown.stderr]).toEqual([3, 'podvisor: USER_NOT_FOUND: No user named "nobody"']);
    expect(badRole.exitCode).toBe(2);
    expect((await podvisor(['user', 'enable', 'vic'])).stdout).toBe('User vic enabled');
    expect((await podvisor(['user', 'set-role', 'vic', 'viewer'])).exitCode).toBe(0);

    const before = readDb<{ passwordHash: string }>('SELECT passwordHash FROM User WHERE name = ?', 'vic').passwordHash;
    const [passwd, weak] = await Promise.all([
      podvisor(['user', 'passwd', 'vic', '--password-stdin'], { input: 'a brand new password\n' }),
      podvisor(['user', 'passwd', 'vic', '--password-stdin'], { input: 'tiny' }),
    ]);
    expect(passwd.exitCode).toBe(0);
    expect(readDb<{ passwordHash: string }>('SELECT passwordHash FROM User WHERE name = ?', 'vic').passwordHash).not.toBe(before);
    expect(weak.exitCode).toBe(2);
    expect(weak.stderr).toMatch(/password: must be at least 10 characters/);
  });

  it('creates, lists and revokes API tokens, never above their user\'s role', async () => {
    const created = await podvisor(['--json', 'token', 'create', 'ci', '--user', 'olga', '--role', 'viewer', '--expires-days', '7']);
    expect(created.exitCode, created.stderr).toBe(0);
    const { token, id } = JSON.parse(created.stdout) as { token: string; id: string };
    expect(token).toMatch(/^pvt_[0-9a-f-]{36}_/);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'ci', owner: 'olga', role: 'viewer', expiresAt: expect.any(String), revokedAt: null });
    // Only the SHA-256 of the secret is stored.
    const { secretHash } = readDb<{ secretHash: string }>('SELECT secretHash FROM ApiToken WHERE id = ?', id);
    expect(secretHash).toMatch(/^[0-9a-f]{64}$/);
    const { secret } = parseApiToken(token)!;
    expect(secretHash).toBe(digest(secret));
    expect(secretHash).not.toContain(secret);

    const [above, noUser, badDays, plain] = await Promise.all([
      podvisor(['token', 'create', 'x', '--user', 'olga', '--role', 'admin']),
      podvisor(['token', 'create', 'x', '--user', 'nobody', '--role', 'viewer']),
      podvisor(['token', 'create', 'x', '--user', 'olga', '--role', 'viewer', '--expires-days', 'soon']),
      podvisor(['token', 'create', 'plain', '--user', 'olga', '--role', 'operator']),
    ]);
    expect(above.exitCode).toBe(9);
    expect(above.stderr).toMatch(/^podvisor: PERMISSION_DENIED: .*olga is operator/);
    expect(noUser.exitCode).toBe(3);
    expect(badDays.exitCode).toBe(2);
    expect(badDays.stderr).toMatch(/expiresInDays/);
    // Only the token on stdout, so that TOKEN=$(podvisor token create …) works.
    expect(plain.stdout).toMatch(/^pvt_\S+$/);
    expect(plain.stderr).toMatch(/not shown again/);

    const list = await podvisor(['token', 'list', '--user', 'olga']);
    expect(list.stdout).toMatch(new RegExp(`^ID\\s+NAME\\s+USER\\s+ROLE\\s+STATUS\\s+EXPIRES\\s+LAST USED\\n${id}\\s+ci\\s+olga\\s+viewer\\s+active\\s+\\S+\\s+-\\n`));
    expect(list.stdout).not.toContain(token);

    expect((await podvisor(['token', 'revoke', id])).stdout).toBe(`Token ${id} revoked`);
    const [after, unknown] = await Promise.all([podvisor(['--json', 'token', 'list']), podvisor(['token', 'revoke', '00000000-0000-4000-8000-000000000000'])]);
    expect(JSON.parse(after.stdout)).toContainEqual(expect.objectContaining({ id, revokedAt: expect.any(String) }));
    expect(unknown.exitCode).toBe(3);
  });

  it('audits the CLI\'s changes as cli:<user>, and lists and exports the log', async () => {
    const created = await podvisor(['pod', 'create', '--id', 'audited', ...MOCK_POD]);
    expect(created.exitCode, created.stderr).toBe(0);
    await podvisor(['pod', 'start', 'nope']);

    const [table, asJson, exported, failed, badFilter] = await Promise.all([
      podvisor(['audit', 'list', '--action', 'pod.', '--pod', 'audited']),
      podvisor(['--json', 'audit', 'list', '--actor', CLI_ACTOR, '--limit', '1000']),
      podvisor(['audit', 'export', '--since', '2000-01-01']),
      podvisor(['--json', 'audit', 'list', '--outcome', 'error', '--action', 'pod.start']),
      podvisor(['audit', 'list', '--limit', '0']),
    ]);
    expect(table.stdout).toMatch(new RegExp(`^TIME\\s+ACTOR\\s+VIA\\s+ACTION\\s+POD\\s+CONTAINER\\s+OUTCOME\\s+MESSAGE\\n\\S+\\s+${CLI_ACTOR}\\s+cli\\s+pod\\.create\\s+audited\\s+-\\s+ok\\s+-$`));

    const entries = JSON.parse(asJson.stdout) as { action: string; input: string; actor: string }[];
    // One entry per change, and none for the reads (list, status, audit itself).
    expect(entries.filter((e) => e.action === 'pod.create')).toHaveLength(1);
    expect(entries.some((e) => /list|status|audit|users/.test(e.action))).toBe(false);
    // Passwords never reach the log.
    const userChanges = entries.filter((e) => e.action.startsWith('admin.'));
    expect(userChanges.length).toBeGreaterThan(5);
    expect(JSON.stringify(userChanges)).not.toMatch(/correct horse|brand new/);
    expect(JSON.parse(failed.stdout)).toMatchObject([{ action: 'pod.start', podId: 'nope', outcome: 'error', errorCode: 'POD_NOT_FOUND' }]);
    expect(badFilter.exitCode).toBe(2);
    expect(badFilter.stderr).toMatch(/limit/);

    const lines = exported.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { id: number; action: string; actor: string });
    expect(lines.length).toBe(entries.length);
    expect(lines.map((e) => e.id)).toEqual([...lines.map((e) => e.id)].sort((a, b) => a - b)); // oldest first
    expect(lines[0]).toMatchObject({ actor: CLI_ACTOR, action: 'admin.addUser' });
  });

  it('shows and sets the allowed host paths, refusing one that does not exist', async () => {
    const shown = await podvisor(['settings', 'host-paths']);
    expect(shown.stdout.split('\n')).toEqual([MOCK_ROOTFS, home]);
    const extra = path.join(home, 'roots');
    mkdirSync(extra);
    const [missing, relative] = await Promise.all([
      podvisor(['settings', 'host-paths', 'set', MOCK_ROOTFS, path.join(home, 'nope')]),
      podvisor(['settings', 'host-paths', 'set', 'roots']),
    ]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/^podvisor: INVALID_CONFIG: .*nope" must be an existing directory/);
    // Relative paths are this shell's: the CLI runs in the test's cwd, where "roots" does not exist.
    expect(relative.exitCode).toBe(2);

    const set = await podvisor(['--json', 'settings', 'host-paths', 'set', MOCK_ROOTFS, home, extra]);
    expect(JSON.parse(set.stdout)).toEqual([MOCK_ROOTFS, home, extra]);
    const [audit] = JSON.parse((await podvisor(['--json', 'audit', 'list', '--action', 'admin.setHostPathRoots', '--outcome', 'ok'])).stdout) as { input: string }[];
    expect(JSON.parse(audit!.input)).toEqual({ roots: [MOCK_ROOTFS, home, extra] });
  });
});

describe('podvisor --url: the CLI against a console', { timeout: 120_000 }, () => {
  let engine: VC;
  let auth: Auth;
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    const config = configFromEnv(env as NodeJS.ProcessEnv);
    engine = await openEngine(config);
    auth = await openAuth(config);
    const terminals = createTerminalSessions(engine);
    let origins: Origins | undefined;
    const handleTrpc = createHTTPHandler({
      router: appRouter,
      basePath: '/api/trpc/',
      createContext: ({ req, res }) => createContext({ engine, auth, terminals, origins: origins! }, req, res),
    });
    server = http.createServer((req, res) => (req.url?.startsWith('/api/trpc/') ? void handleTrpc(req, res) : void res.writeHead(404).end('not here\n')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    origins = originsFor('127.0.0.1', port, '');
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await engine?.close();
    await auth?.close();
  });

  const remote = (token: string | null, ...args: string[]) => podvisor(args, { extra: { PODVISOR_URL: url, ...(token === null ? {} : { PODVISOR_TOKEN: token }) } });

  it('lets an operator token create, start, list and inspect pods, audited once by the console as the token\'s user', async () => {
    const token = await tokenFor('olga', 'operator');
    const created = await remote(token, 'pod', 'run', '--id', 'far', ...MOCK_POD, '--container-id', 'c1', '--rootfs', MOCK_ROOTFS, '--', 'sh');
    expect([created.exitCode, created.stdout, created.stderr]).toEqual([0, 'Pod far created and started', '']);

    const [list, status, container, ps, missing, kill] = await Promise.all([
      remote(token, 'pod', 'list'),
      remote(token, '--json', 'pod', 'status', 'far'),
      remote(token, 'container', 'status', 'far', 'c1'),
      remote(token, '--json', 'container', 'ps', 'far', 'c1'),
      remote(token, 'pod', 'status', 'nope'),
      remote(token, 'container', 'kill', 'far', 'c1', 'SIGKILL'),
    ]);
    expect(list.stdout).toMatch(/^POD ID\s+STATE\s+HYPERVISOR\s+AGENT\s+CONTAINERS\n(.*\n)*far\s+running\s+mock\s+noop\s+1/);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: 'far', state: 'running', containersStatus: [{ id: 'c1', state: 'running' }] });
    expect(container.stdout).toMatch(/^CONTAINER ID\s+STATE\s+PID\s+EXIT\nc1\s+running\s+\d+\s+-$/);
    expect(JSON.parse(ps.stdout)).toEqual({ output: '' });
    // The same messages and exit codes as on this host.
    expect([missing.exitCode, missing.stderr]).toEqual([3, 'podvisor: POD_NOT_FOUND: Pod "nope" does not exist']);
    expect(kill.stdout).toBe('Container c1 signalled with SIGKILL');

    for (const step of ['stop', 'delete']) expect((await remote(token, 'pod', step, 'far')).exitCode).toBe(0);
    const audit = await auth.audit.list({ podId: 'far', limit: 100 });
    expect(audit.map((e) => [e.actor, e.via, e.action, e.outcome]).reverse()).toEqual([
      ['olga', 'token', 'pod.run', 'ok'],
      ['olga', 'token', 'container.kill', 'ok'],
      ['olga', 'token', 'pod.stop', 'ok'],
      ['olga', 'token', 'pod.delete', 'ok'],
    ]);
  });

  it('refuses a viewer token\'s changes with exit code 9, and a missing, revoked or disabled token with 8', async () => {
    const viewer = await tokenFor('vic', 'viewer');
    const [list, create] = await Promise.all([remote(viewer, 'pod', 'list'), remote(viewer, 'pod', 'create', '--id', 'nope', ...MOCK_POD)]);
    expect(list.exitCode).toBe(0);
    expect([create.exitCode, create.stderr]).toEqual([9, 'podvisor: PERMISSION_DENIED: This needs the operator role; vic is viewer']);

    const none = await remote(null, 'pod', 'list');
    expect(none.exitCode).toBe(8);
    expect(none.stderr).toMatch(/^podvisor: UNAUTHENTICATED: .*set PODVISOR_TOKEN/);

    const id = (JSON.parse((await podvisor(['--json', 'token', 'list', '--user', 'vic'])).stdout) as { id: string }[]).at(-1)!.id;
    expect((await podvisor(['token', 'revoke', id])).exitCode).toBe(0);
    const revoked = await remote(viewer, 'pod', 'list');
    expect(revoked.exitCode).toBe(8);
    expect(revoked.stderr).toMatch(/^podvisor: UNAUTHENTICATED: .*refused PODVISOR_TOKEN/);

    const operator = await tokenFor('olga', 'operator');
    expect((await podvisor(['user', 'disable', 'olga'])).exitCode).toBe(0);
    expect((await remote(operator, 'pod', 'list')).exitCode).toBe(8);
    expect((await podvisor(['user', 'enable', 'olga'])).exitCode).toBe(0);
    expect((await remote(operator, 'pod', 'list')).exitCode).toBe(0);
    // A demoted user's token drops to the user's new role.
    expect((await podvisor(['user', 'set-role', 'olga', 'viewer'])).exitCode).toBe(0);
    expect((await remote(operator, 'pod', 'create', '--id', 'nope', ...MOCK_POD)).exitCode).toBe(9);
    expect((await podvisor(['user', 'set-role', 'olga', 'operator'])).exitCode).toBe(0);
  });

  it('runs admin commands with an admin token, but not what needs this host', async () => {
    const admin = await tokenFor('alice', 'admin');
    const [users, audit, tokenCreate, enter, hostPaths] = await Promise.all([
      remote(admin, '--json', 'user', 'list'),
      remote(admin, '--json', 'audit', 'list', '--actor', 'alice', '--limit', '5'),
      remote(admin, 'token', 'create', 'x', '--user', 'alice', '--role', 'viewer'),
      remote(admin, 'container', 'enter', 'far', 'c1', '--', 'true'),
      remote(admin, 'settings', 'host-paths'),
    ]);
    expect(JSON.parse(users.stdout).map((u: { name: string }) => u.name)).toContain('alice');
    expect(audit.exitCode).toBe(0);
    expect(tokenCreate.exitCode).toBe(7);
    expect(tokenCreate.stderr).toMatch(/^podvisor: NOT_SUPPORTED: token create works only on the console's host/);
    expect(enter.exitCode).toBe(7);
    expect(hostPaths.stdout.split('\n')).toContain(MOCK_ROOTFS);
  });

  it('says plainly when the console cannot be reached or is not a console', async () => {
    const token = await tokenFor('olga', 'viewer');
    // A port nothing listens on: one that was free a moment ago.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const [down, notConsole, badUrl] = await Promise.all([
      podvisor(['pod', 'list'], { extra: { PODVISOR_URL: `http://127.0.0.1:${port}`, PODVISOR_TOKEN: token } }),
      podvisor(['--url', `${url}/elsewhere`, 'pod', 'list'], { extra: { PODVISOR_TOKEN: token } }),
      podvisor(['--url', 'not a url', 'pod', 'list'], { extra: { PODVISOR_TOKEN: token } }),
    ]);
    expect([down.exitCode, down.stderr]).toEqual([1, `podvisor: INTERNAL: Cannot reach the console at http://127.0.0.1:${port}: ECONNREFUSED`]);
    expect(notConsole.exitCode).toBe(1);
    expect(notConsole.stderr).toMatch(/answered HTTP 404/);
    expect(badUrl.exitCode).toBe(2);
  });
});
