// `podvisor settings host-devices`: the device allowlist from the CLI, as a child process on a
// throw-away PODVISOR_HOME: PODVISOR_HOST_DEVICES until an admin sets a list, validation, the
// audit entry, and a pod naming a device outside the list refused with exit code 9.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOCK_ROOTFS } from '../helpers/engine.js';

const BIN = fileURLToPath(new URL('../../bin/podvisor.js', import.meta.url));
let home: string;

beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'pv-cli-dev-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

const podvisor = (args: string[]) =>
  execa('node', [BIN, ...args], {
    env: { PATH: process.env.PATH, PODVISOR_HOME: home, PODVISOR_RUN_DIR: path.join(home, 'run'), PODVISOR_HOST_PATH_ROOTS: `${MOCK_ROOTFS}:${home}`, PODVISOR_HOST_DEVICES: '/dev/loop*:/dev/nul?' },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
  });

describe('podvisor settings host-devices', { timeout: 120_000 }, () => {
  it('shows PODVISOR_HOST_DEVICES until set, validates and audits a new list, and the list decides what a pod may name', async () => {
    expect((await podvisor(['settings', 'host-devices'])).stdout.split('\n')).toEqual(['/dev/loop*', '/dev/nul?']);
    const config = path.join(home, 'pod.json');
    writeFileSync(
      config,
      JSON.stringify({ id: 'dev', hypervisorType: 'mock', agentType: 'noop', containers: [{ id: 'c1', rootFs: MOCK_ROOTFS, cmd: { args: ['sh'] }, deviceInfos: [{ devType: 'c', hostPath: '/dev/null', containerPath: '/dev/null', major: 1, minor: 3 }] }] }),
    );
    const allowed = await podvisor(['--json', 'pod', 'create', '--config', config]);
    expect(allowed.exitCode, allowed.stderr).toBe(0);
    expect((await podvisor(['pod', 'delete', 'dev'])).exitCode).toBe(0);

    const relative = await podvisor(['settings', 'host-devices', 'set', 'dev/loop*']);
    expect(relative.exitCode).toBe(2);
    expect(relative.stderr).toMatch(/^podvisor: INVALID_CONFIG: .*absolute path pattern/);
    const set = await podvisor(['--json', 'settings', 'host-devices', 'set', '/dev/loop*']);
    expect(JSON.parse(set.stdout)).toEqual(['/dev/loop*']);
    const [audit] = JSON.parse((await podvisor(['--json', 'audit', 'list', '--action', 'admin.setHostDevicePatterns', '--outcome', 'ok'])).stdout) as { input: string }[];
    expect(JSON.parse(audit!.input)).toEqual({ patterns: ['/dev/loop*'] });

    const refused = await podvisor(['pod', 'create', '--config', config]);
    expect(refused.exitCode).toBe(9);
    expect(refused.stderr).toMatch(/^podvisor: PERMISSION_DENIED: containers\.0\.deviceInfos\.0\.hostPath: "\/dev\/null" is a device outside the allowed host devices \(\/dev\/loop\*\)/);
    // No pattern at all: no device.
    expect(JSON.parse((await podvisor(['--json', 'settings', 'host-devices', 'set'])).stdout)).toEqual([]);
    expect((await podvisor(['settings', 'host-devices'])).stdout).toBe('');
  });
});
