// [SECURITY] Who may call what: every tRPC procedure against every role it must refuse, CSRF on
// state changes, login rate limiting, API tokens, and the audit entries each attempt leaves.
import http from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRouter } from '../../server/api/root.js';
import { createCallerFactory } from '../../server/api/trpc.js';
import { hostRouter } from '../../server/cli/host-router.js';
import type { Meta } from '../../server/api/trpc.js';
import { Auth, ROLES, roleAtLeast, summarizeInput, type Principal } from '../../server/auth/index.js';
import { openDatabase } from '../../server/engine/index.js';
import { mockPod } from '../helpers/engine.js';
import { PASSWORD, principalOf, testConsole, type TestConsole } from '../helpers/console.js';

type AnyProcedure = { _def: { type: 'query' | 'mutation' | 'subscription'; meta?: Meta } };
const proceduresOf = (router: unknown) => Object.entries((router as { _def: { procedures: Record<string, AnyProcedure> } })._def.procedures);
const PROCEDURES = proceduresOf(appRouter);
/** The console's API, and the calls only the host's CLI makes: both behind the same guard. */
const ROUTERS = [appRouter, hostRouter] as const;

/** The only doors open to anonymous callers. */
const PUBLIC = ['auth.login', 'auth.setup', 'auth.status'];
/** Mutations a viewer may make: about their own login and tokens, never about pods. */
const VIEWER_MUTATIONS = ['auth.changePassword', 'auth.logout', 'tokens.create', 'tokens.revoke'];

async function errorCode(c: TestConsole, router: (typeof ROUTERS)[number], principal: Principal | null, path: string): Promise<string | null> {
  const caller = createCallerFactory(router as typeof appRouter)(c.contextAs(principal)) as unknown as Record<string, Record<string, (input?: unknown) => Promise<unknown>>>;
  const [area, name] = path.split('.') as [string, string];
  try {
    const result = await caller[area]![name]!({});
    // A subscription that was let in hands back its stream: stop it.
    if (result && typeof (result as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') await (result as AsyncGenerator).return?.(undefined);
    return null;
  } catch (err) {
    return (err as { cause?: { code?: string } }).cause?.code ?? 'UNKNOWN';
  }
}

describe('[SECURITY] every procedure declares a role and refuses callers below it', () => {
  it('has a role on every procedure, few public doors, and viewer-level mutations only about oneself', () => {
    expect(PROCEDURES.length).toBeGreaterThan(40);
    for (const [path, proc] of ROUTERS.flatMap(proceduresOf)) expect(proc._def.meta?.role, path).toMatch(/^(public|viewer|operator|admin)$/);
    expect(proceduresOf(hostRouter).map(([path, p]) => [path, p._def.meta?.role])).toEqual([['tokens.createFor', 'admin']]);
    expect(PROCEDURES.filter(([, p]) => p._def.meta?.role === 'public').map(([path]) => path).sort()).toEqual(PUBLIC);
    const viewerMutations = PROCEDURES.filter(([, p]) => p._def.type === 'mutation' && p._def.meta?.role === 'viewer').map(([path]) => path);
    expect(viewerMutations.sort()).toEqual(VIEWER_MUTATIONS);
    expect(PROCEDURES.filter(([path]) => path.startsWith('terminal.')).every(([, p]) => p._def.meta?.role === 'operator')).toBe(true);
    expect(PROCEDURES.filter(([path]) => path.startsWith('admin.')).every(([, p]) => p._def.meta?.role === 'admin')).toBe(true);
  });

  it('refuses anonymous callers and every lower role, for each of them, and lets the declared role through the guard', async () => {
    await using c = await testConsole();
    for (const router of ROUTERS) {
      for (const [path, proc] of proceduresOf(router)) {
        const need = proc._def.meta!.role;
        if (need === 'public') continue;
        expect(await errorCode(c, router, null, path), `${path} anonymous`).toBe('UNAUTHENTICATED');
        for (const role of ROLES.filter((r) => !roleAtLeast(r, need))) {
          expect(await errorCode(c, router, principalOf(role), path), `${path} as ${role}`).toBe('PERMISSION_DENIED');
        }
        // With the role it declares, whatever fails next is the input or the engine, not the guard.
        expect(await errorCode(c, router, principalOf(need), path), `${path} as ${need}`).not.toBe('UNAUTHENTICATED');
      }
    }
    const denied = await c.auth.audit.list({ outcome: 'denied', limit: 1000 });
    expect(denied.length).toBeGreaterThan(PROCEDURES.length);
  }, 60_000);

  it('answers an anonymous HTTP call with 401 and the engine code', async () => {
    await using c = await testConsole();
    expect(await c.query('pod.list')).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    const viewer = await c.login('viewer');
    expect(await c.query('pod.list', undefined, { login: viewer })).toMatchObject({ status: 200, data: [] });
    expect(await c.mutate('pod.run', mockPod('web'), { login: viewer })).toMatchObject({ status: 403, code: 'PERMISSION_DENIED' });
  });
});

describe('[SECURITY] CSRF: state changes only from the console itself', () => {
  it('refuses a mutation with the session cookie but no CSRF token, a wrong one, or another Origin', async () => {
    await using c = await testConsole();
    const operator = await c.login('operator');
    expect(await c.mutate('pod.run', mockPod('a'), { login: operator, csrf: null })).toMatchObject({ status: 403, code: 'PERMISSION_DENIED' });
    expect(await c.mutate('pod.run', mockPod('a'), { login: operator, csrf: 'forged' })).toMatchObject({ status: 403 });
    expect(await c.mutate('pod.run', mockPod('a'), { login: operator, origin: 'http://evil.example' })).toMatchObject({ status: 403 });
    expect(await c.mutate('auth.login', { username: 'operator', password: PASSWORD }, { origin: 'http://evil.example' })).toMatchObject({ status: 403 });
    expect(await c.query('pod.list', undefined, { login: operator })).toMatchObject({ data: [] }); // nothing was created
    expect(await c.mutate('pod.run', mockPod('a'), { login: operator })).toMatchObject({ status: 200, data: 'a' });
    const refused = await c.auth.audit.list({ action: 'pod.run', outcome: 'denied', limit: 10 });
    expect(refused.map((e) => e.message)).toEqual(expect.arrayContaining([expect.stringMatching(/CSRF/), expect.stringMatching(/Origin/)]));
  });

  it('refuses a request whose Host is not the console (DNS rebinding)', async () => {
    await using c = await testConsole();
    const res = await new Promise<number>((resolve) => {
      const req = http.request(
        { host: '127.0.0.1', port: c.port, path: '/api/trpc/auth.status', headers: { host: `attacker.example:${c.port}` } },
        (r) => resolve(r.statusCode ?? 0),
      );
      req.end();
    });
    expect(res).toBe(421);
  });
});

describe('[SECURITY] logins, sessions and tokens', () => {
  it('rate-limits login attempts per address and user, and audits each attempt', async () => {
    await using c = await testConsole();
    for (let i = 0; i < 5; i++) expect(await c.mutate('auth.login', { username: 'operator', password: 'wrong' })).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    // The right password does not get through either until the window passes.
    expect(await c.mutate('auth.login', { username: 'operator', password: PASSWORD })).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    const attempts = await c.auth.audit.list({ action: 'auth.login', actor: 'operator', limit: 10 });
    expect(attempts.map((e) => e.errorCode)).toEqual(['RATE_LIMITED', ...Array(5).fill('UNAUTHENTICATED')]);
    expect(attempts.every((e) => !e.input.includes('wrong'))).toBe(true);
    // Another user from the same address is not locked out.
    await expect(c.login('viewer')).resolves.toMatchObject({ csrfToken: expect.any(String) });
  });

  it('keeps the login rate limit across a console restart: the counts are in the store', async () => {
    await using c = await testConsole();
    for (let i = 0; i < 5; i++) await expect(c.auth.login('operator', 'wrong', 'restart-test')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    // A second Auth on the same database file is what a restarted console opens.
    const restarted = new Auth(await openDatabase(`file:${path.join(c.t.dir, 'podvisor.db')}`), { ttlMs: 3_600_000, idleMs: 600_000 });
    try {
      await expect(restarted.login('operator', PASSWORD, 'restart-test')).rejects.toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterS: expect.any(Number) } });
      // Other addresses and users still get in, and a success forgives that pair's failures.
      await expect(restarted.login('operator', PASSWORD, 'elsewhere')).resolves.toMatchObject({ user: { name: 'operator' } });
    } finally {
      await restarted.close();
    }
  });

  it('ends the session at logout and when the user is disabled; hides which part of a login was wrong', async () => {
    await using c = await testConsole();
    expect(await c.mutate('auth.login', { username: 'nobody', password: PASSWORD })).toMatchObject({ message: 'Wrong username or password' });
    const first = await c.login('operator');
    await c.mutate('auth.logout', undefined, { login: first });
    expect(await c.query('pod.list', undefined, { login: first })).toMatchObject({ status: 401 });
    const second = await c.login('operator');
    await c.auth.updateUser('operator', { disabled: true });
    expect(await c.query('pod.list', undefined, { login: second })).toMatchObject({ status: 401 });
    expect(await c.mutate('auth.login', { username: 'operator', password: PASSWORD })).toMatchObject({ status: 401 });
  });

  it('never demotes or disables the last enabled admin', async () => {
    await using c = await testConsole();
    await expect(c.auth.updateUser('admin', { role: 'operator' })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(c.auth.updateUser('admin', { disabled: true })).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await c.auth.users.add({ name: 'second', role: 'admin', password: PASSWORD });
    await expect(c.auth.updateUser('admin', { role: 'operator' })).resolves.toMatchObject({ role: 'operator' });
  });

  it('lets the first admin be created only while no user exists', async () => {
    await using c = await testConsole({ users: [] });
    expect(await c.query('auth.status')).toMatchObject({ data: { needsSetup: true, user: null } });
    expect(await c.mutate('auth.setup', { name: 'root', password: PASSWORD })).toMatchObject({ status: 200, data: { name: 'root', role: 'admin' } });
    expect(await c.mutate('auth.setup', { name: 'intruder', password: PASSWORD })).toMatchObject({ status: 403, code: 'PERMISSION_DENIED' });
    expect((await c.auth.users.list()).map((u) => u.name)).toEqual(['root']);
  });

  it('acts with an API token up to its role, never above its owner, until revoked', async () => {
    await using c = await testConsole();
    const operator = await c.login('operator');
    const tooHigh = await c.mutate('tokens.create', { name: 'ci', role: 'admin' }, { login: operator });
    expect(tooHigh).toMatchObject({ status: 403, code: 'PERMISSION_DENIED' });
    const { data } = await c.mutate('tokens.create', { name: 'ci', role: 'operator' }, { login: operator });
    const { token, view } = data as { token: string; view: { id: string } };
    // A bearer token is not an ambient credential: no CSRF token and no Origin needed.
    expect(await c.mutate('pod.run', mockPod('t1'), { bearer: token, origin: null })).toMatchObject({ status: 200, data: 't1' });
    await c.auth.updateUser('operator', { role: 'viewer' });
    expect(await c.mutate('pod.stop', { podId: 't1' }, { bearer: token })).toMatchObject({ status: 403 });
    expect(await c.query('pod.list', undefined, { bearer: token })).toMatchObject({ status: 200 });
    await c.auth.tokens.revoke(view.id);
    expect(await c.query('pod.list', undefined, { bearer: token })).toMatchObject({ status: 401 });
    expect(await c.query('pod.list', undefined, { bearer: `${token.slice(0, -4)}AAAA` })).toMatchObject({ status: 401 });
    const audit = await c.auth.audit.list({ action: 'pod.run', limit: 5 });
    expect(audit[0]).toMatchObject({ actor: 'operator', via: 'token', podId: 't1', outcome: 'ok' });
  });
});

describe('[SECURITY] host paths', () => {
  it('refuses an operator mounting /etc or escaping a root with ../, and audits it', async () => {
    await using c = await testConsole();
    const operator = await c.login('operator');
    const withRootFs = (id: string, rootFs: string) => ({ ...mockPod(id), containers: [{ id: 'c1', rootFs, cmd: { args: ['/bin/sh'] } }] });
    const etc = await c.mutate('pod.create', withRootFs('etc', '/etc'), { login: operator });
    expect(etc).toMatchObject({ status: 403, code: 'PERMISSION_DENIED' });
    expect(etc.message).toContain('containers.0.rootFs');
    const escape = await c.mutate('pod.create', withRootFs('up', `${c.t.dir}/../../etc`), { login: operator });
    expect(escape).toMatchObject({ status: 403, code: 'PERMISSION_DENIED' });
    expect(await c.query('pod.list', undefined, { login: operator })).toMatchObject({ data: [] });
    const audit = await c.auth.audit.list({ action: 'pod.create', limit: 5 });
    expect(audit.map((e) => [e.podId, e.outcome, e.errorCode])).toEqual([
      ['up', 'error', 'PERMISSION_DENIED'],
      ['etc', 'error', 'PERMISSION_DENIED'],
    ]);
  });
});

describe('[SECURITY] audit summaries', () => {
  it('redact secrets: password fields, tokens and secret-named environment variables', () => {
    const summary = summarizeInput({
      username: 'ops',
      password: 'hunter2hunter2',
      newPassword: 'x',
      cmd: { args: ['sh'], envs: [{ var: 'DB_PASSWORD', value: 'p4ss' }, { var: 'API_KEY', value: 'k' }, { var: 'PATH', value: '/bin' }] },
      ticket: 'abc',
    });
    expect(summary).not.toMatch(/hunter2|p4ss|"k"|abc/);
    expect(summary).toContain('/bin');
    expect(summary).toContain('DB_PASSWORD');
  });
});
