// The host-path allowlist on a real filesystem: every host path a create call names must resolve,
// symlinks followed, inside the allowed roots; a refused call leaves nothing behind.
import { chmodSync, existsSync, mkdirSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { podHostPaths } from '../../server/engine/host-paths.js';
import { PodConfigSchema, type ContainerConfigInput, type PodConfigInput } from '../../server/engine/index.js';
import { MOCK_ROOTFS, mockPod, testEngine, type TestEngine } from '../helpers/engine.js';

/** A test engine whose admin allowed only `<dir>/root`, holding a rootfs folder and an executable hook. */
async function operatorEngine() {
  const t = testEngine();
  const root = path.join(t.dir, 'root');
  mkdirSync(path.join(root, 'rootfs'), { recursive: true });
  const hook = path.join(root, 'hook.sh');
  writeFileSync(hook, '#!/bin/sh\nexit 0\n');
  chmodSync(hook, 0o755);
  const real = await t.vc.setHostPathRoots([root]);
  return Object.assign(t, { root, rootfs: path.join(root, 'rootfs'), hook, roots: real });
}

const pod = (id: string, container: Partial<ContainerConfigInput>, extra: Partial<PodConfigInput> = {}): PodConfigInput => ({
  ...mockPod(id, 0),
  containers: [{ id: 'c1', rootFs: MOCK_ROOTFS, cmd: { args: ['sh'] }, ...container }],
  ...extra,
});

const refusal = (p: Promise<unknown>) => p.then(() => ({ code: 'ACCEPTED' }) as const, (e: { code: string; message: string; details?: Record<string, unknown> }) => e);

/** No pod record, no run directory and no lock file. */
function expectNothingLeft(t: TestEngine) {
  for (const sub of ['run', 'locks']) expect(existsSync(path.join(t.dir, sub)) ? readdirSync(path.join(t.dir, sub)) : []).toEqual([]);
}

describe('host-path allowlist', () => {
  it('refuses an operator\'s rootFs "/etc", naming the field, and leaves nothing behind', async () => {
    await using t = await operatorEngine();
    const err = await refusal(t.vc.createPod(pod('p', { rootFs: '/etc' })));
    expect(err).toMatchObject({
      code: 'PERMISSION_DENIED',
      message: `containers.0.rootFs: "/etc" is outside the allowed host paths (${t.roots.join(', ')})`,
      details: { field: 'containers.0.rootFs', path: '/etc', resolved: '/etc', roots: t.roots },
    });
    expect(await t.vc.listPod()).toEqual([]);
    expectNothingLeft(t);
    // runPod goes through the same check.
    expect(await refusal(t.vc.runPod(pod('p', { rootFs: '/etc' })))).toMatchObject({ code: 'PERMISSION_DENIED' });
    expectNothingLeft(t);
  });

  it('resolves ".." and refuses what climbs out of a root', async () => {
    await using t = await operatorEngine();
    for (const rootFs of [`${t.root}/../etc`, `${t.root}/rootfs/${'../'.repeat(20)}etc`]) {
      const err = await refusal(t.vc.createPod(pod('p', { rootFs })));
      expect(err).toMatchObject({ code: 'PERMISSION_DENIED', details: { field: 'containers.0.rootFs', path: rootFs } });
    }
    expect(await refusal(t.vc.createPod(pod('p', { rootFs: `${t.root}/rootfs/../rootfs` })))).toMatchObject({ code: 'ACCEPTED' });
  });

  it('follows symlinks: a link inside a root to /etc, a symlinked parent, and ".." after a link', async () => {
    await using t = await operatorEngine();
    symlinkSync('/etc', path.join(t.root, 'etc-link'));
    symlinkSync('/etc/ssl', path.join(t.root, 'ssl-link'));
    symlinkSync(path.join(t.root, 'loop'), path.join(t.root, 'loop'));
    const cases: [Partial<PodConfigInput>, string, string | undefined][] = [
      [{ containers: [{ id: 'c1', rootFs: path.join(t.root, 'etc-link'), cmd: { args: ['sh'] } }] }, 'containers.0.rootFs', '/etc'],
      // The parent is the link; the file exists, or does not (resolved through its nearest existing ancestor).
      [{ volumes: [{ mountTag: 'v', hostPath: path.join(t.root, 'etc-link', 'ssl') }] }, 'volumes.0.hostPath', '/etc/ssl'],
      [{ volumes: [{ mountTag: 'v', hostPath: path.join(t.root, 'etc-link', 'not-there', 'x') }] }, 'volumes.0.hostPath', '/etc/not-there/x'],
      // Lexically this is <root>; the kernel applies ".." to the link's target: /etc.
      [{ volumes: [{ mountTag: 'v', hostPath: `${t.root}/ssl-link/..` }] }, 'volumes.0.hostPath', '/etc'],
      [{ volumes: [{ mountTag: 'v', hostPath: path.join(t.root, 'loop') }] }, 'volumes.0.hostPath', undefined],
    ];
    for (const [extra, field, resolved] of cases) {
      const err = await refusal(t.vc.createPod(pod('p', { rootFs: t.rootfs }, extra)));
      expect(err, field).toMatchObject({ code: 'PERMISSION_DENIED', details: { field } });
      if (resolved) expect(err).toMatchObject({ details: { resolved } });
    }
    expectNothingLeft(t);
  });

  it('refuses device nodes outside the roots, directly or through a link', async () => {
    await using t = await operatorEngine();
    symlinkSync('/dev/zero', path.join(t.root, 'zero'));
    const device = (hostPath: string) => ({ deviceInfos: [{ hostPath, containerPath: '/dev/x', devType: 'c' as const, major: 1, minor: 3 }] });
    expect(await refusal(t.vc.createPod(pod('p', { rootFs: t.rootfs, ...device('/dev/null') })))).toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { field: 'containers.0.deviceInfos.0.hostPath', path: '/dev/null' },
    });
    await t.vc.createPod(pod('p', { rootFs: t.rootfs }));
    const err = await refusal(t.vc.createContainer('p', { id: 'c2', rootFs: t.rootfs, cmd: { args: ['sh'] }, ...device(path.join(t.root, 'zero')) }));
    expect(err).toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringMatching(/^deviceInfos\.0\.hostPath: /), details: { resolved: '/dev/zero' } });
  });

  it('refuses a hook outside the roots without running it', async () => {
    await using t = await operatorEngine();
    const marker = path.join(t.dir, 'ran');
    const outside = path.join(t.dir, 'outside.sh');
    writeFileSync(outside, `#!/bin/sh\ntouch ${marker}\n`);
    chmodSync(outside, 0o755);
    for (const kind of ['preStartHooks', 'postStartHooks', 'postStopHooks'] as const) {
      const err = await refusal(t.vc.runPod(pod('p', { rootFs: t.rootfs }, { hooks: { [kind]: [{ path: t.hook }, { path: outside }] } })));
      expect(err).toMatchObject({ code: 'PERMISSION_DENIED', details: { field: `hooks.${kind}.1.path`, path: outside } });
    }
    expect(existsSync(marker)).toBe(false);
    expectNothingLeft(t);
  });

  it('refuses relative paths; mount labels such as tmpfs and proc are not paths', async () => {
    await using t = await operatorEngine();
    const mounts = (source: string, type = 'bind') => ({ rootFs: t.rootfs, mounts: [{ source, destination: '/mnt', type }] });
    expect(await refusal(t.vc.createPod(pod('p', { rootFs: 'rootfs' })))).toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('containers.0.rootFs: must be an absolute path') });
    expect(await refusal(t.vc.createPod(pod('p', mounts('data'))))).toMatchObject({ code: 'INVALID_CONFIG', details: { field: 'containers.0.mounts.0.source', path: 'data' } });
    expect(await refusal(t.vc.createPod(pod('p', mounts('data/x', 'none'))))).toMatchObject({ code: 'INVALID_CONFIG', details: { field: 'containers.0.mounts.0.source' } });
    expect(await refusal(t.vc.createPod(pod('p', mounts('/srv', 'none'))))).toMatchObject({ code: 'PERMISSION_DENIED', details: { field: 'containers.0.mounts.0.source' } });
    const labels = { rootFs: t.rootfs, mounts: [{ source: 'tmpfs', destination: '/tmp', type: 'tmpfs' }, { source: 'proc', destination: '/proc', type: 'proc' }] };
    expect(await refusal(t.vc.createPod(pod('p', labels)))).toMatchObject({ code: 'ACCEPTED' });
  });

  it('accepts every kind of host path inside a root', async () => {
    await using t = await operatorEngine();
    const file = (name: string) => (writeFileSync(path.join(t.root, name), ''), path.join(t.root, name));
    const created = await t.vc.createPod(
      pod(
        'p',
        {
          rootFs: t.rootfs,
          mounts: [{ source: path.join(t.root, 'share'), destination: '/share', options: ['rbind'] }],
        },
        {
          hooks: { preStartHooks: [{ path: t.hook }], postStartHooks: [{ path: t.hook }], postStopHooks: [{ path: t.hook }] },
          volumes: [{ mountTag: 'data', hostPath: path.join(t.root, 'data', 'not-yet') }],
          hypervisorConfig: { kernelPath: file('vmlinux'), imagePath: file('image'), initrdPath: file('initrd'), firmwarePath: file('bios'), hypervisorPath: file('qemu') },
          networkConfig: { netNsPath: path.join(t.root, 'netns') },
        },
      ),
    );
    expect(created.state()).toBe('ready');
    expect((await t.vc.createContainer('p', { id: 'c2', rootFs: t.root, cmd: { args: ['sh'] } })).container.state()).toBe('ready');
    // Allowed, and then refused for what they ask (storage.ts): devices are not implemented yet,
    // and a mount's hostPath is Podvisor's to fill in.
    const device = { rootFs: t.rootfs, deviceInfos: [{ hostPath: file('dev'), containerPath: '/dev/x', devType: 'c' as const }] };
    expect(await refusal(t.vc.createPod(pod('q', device)))).toMatchObject({ code: 'INVALID_CONFIG', details: { field: 'containers.0.deviceInfos.0.hostPath' } });
    const hostPath = { rootFs: t.rootfs, mounts: [{ source: path.join(t.root, 'share'), destination: '/share', hostPath: path.join(t.root, 'share-host') }] };
    expect(await refusal(t.vc.createPod(pod('q', hostPath)))).toMatchObject({ code: 'INVALID_CONFIG', details: { field: 'containers.0.mounts.0.hostPath' } });
  });

  it('compares by path components: a sibling sharing the prefix is outside', async () => {
    await using t = await operatorEngine();
    const sibling = `${t.root}2`;
    mkdirSync(path.join(sibling, 'rootfs'), { recursive: true });
    const err = await refusal(t.vc.createPod(pod('p', { rootFs: path.join(sibling, 'rootfs') })));
    expect(err).toMatchObject({ code: 'PERMISSION_DENIED', details: { resolved: realpathSync(path.join(sibling, 'rootfs')) } });
  });

  it('wants hooks, VM assets and root filesystems to exist, and says so only inside the roots', async () => {
    await using t = await operatorEngine();
    const missing = path.join(t.root, 'missing');
    expect(await refusal(t.vc.createPod(pod('p', { rootFs: missing })))).toMatchObject({ code: 'INVALID_CONFIG', message: `containers.0.rootFs: "${missing}" does not exist` });
    expect(await refusal(t.vc.createPod(pod('p', { rootFs: t.hook })))).toMatchObject({
      code: 'INVALID_CONFIG',
      message: `containers.0.rootFs: "${t.hook}" is neither a directory, a disk image (qcow2, or raw ext2/3/4) nor a block device`,
    });
    expect(await refusal(t.vc.createPod(pod('p', { rootFs: t.rootfs }, { hooks: { preStartHooks: [{ path: t.rootfs }] } })))).toMatchObject({
      code: 'INVALID_CONFIG',
      details: { field: 'hooks.preStartHooks.0.path' },
    });
    expect(await refusal(t.vc.createPod(pod('p', { rootFs: t.rootfs }, { hypervisorConfig: { kernelPath: missing } })))).toMatchObject({ code: 'INVALID_CONFIG', details: { field: 'hypervisorConfig.kernelPath' } });
    // Outside the roots, whether a path exists is nobody's business: the answer is the same.
    expect(await refusal(t.vc.createPod(pod('p', { rootFs: '/no/such/dir' })))).toMatchObject({ code: 'PERMISSION_DENIED' });
    expectNothingLeft(t);
  });

  it('a refused createContainer records nothing on the pod', async () => {
    await using t = await operatorEngine();
    await t.vc.runPod(pod('p', { rootFs: t.rootfs }));
    const events = await t.vc.listPodEvents('p');
    const generation = await t.vc.generation();
    expect(await refusal(t.vc.createContainer('p', { id: 'c2', rootFs: '/etc', cmd: { args: ['sh'] } }))).toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { field: 'rootFs', path: '/etc' },
    });
    expect(await t.vc.listPodEvents('p')).toEqual(events);
    expect(await t.vc.generation()).toBe(generation);
    expect((await t.vc.statusPod('p')).containersStatus.map((c) => c.id)).toEqual(['c1']);
  });

  it('setHostPathRoots validates, stores realpath\'d roots once each, and the list takes effect everywhere', async () => {
    await using t = testEngine();
    const defaults = await t.vc.hostPathRoots();
    expect(defaults).toContain(t.dir);
    const dir = path.join(t.dir, 'allowed');
    mkdirSync(path.join(dir, 'rootfs'), { recursive: true });
    const file = path.join(t.dir, 'file');
    writeFileSync(file, '');
    for (const bad of [['relative/dir'], [path.join(t.dir, 'nope')], [file], [], Array.from({ length: 65 }, () => dir), ['']]) {
      expect(await refusal(t.vc.setHostPathRoots(bad)), JSON.stringify(bad).slice(0, 60)).toMatchObject({ code: 'INVALID_CONFIG' });
    }
    expect(await refusal(t.vc.setHostPathRoots([dir, file]))).toMatchObject({ code: 'INVALID_CONFIG', details: { issues: [{ path: ['roots', '1'], message: `"${file}" must be an existing directory` }] } });
    expect(await t.vc.hostPathRoots()).toEqual(defaults);

    // Accepted by the defaults (the mock rootfs), then refused once the admin's list replaces them.
    await t.vc.createPod(pod('before', {}));
    symlinkSync(dir, path.join(t.dir, 'allowed-link'));
    const real = realpathSync(dir);
    expect(await t.vc.setHostPathRoots([path.join(t.dir, 'allowed-link'), dir, `${dir}/`])).toEqual([real]);
    const other = t.open(); // another process sees the stored list
    expect(await other.hostPathRoots()).toEqual([real]);
    expect(await refusal(other.createPod(pod('after', {})))).toMatchObject({ code: 'PERMISSION_DENIED', details: { roots: [real] } });
    expect(await refusal(other.createPod(pod('after', { rootFs: path.join(t.dir, 'allowed-link', 'rootfs') })))).toMatchObject({ code: 'ACCEPTED' });
  });

  it('enumerates every host-path field of a pod config', () => {
    const config = PodConfigSchema.parse({
      id: 'p',
      hooks: { preStartHooks: [{ path: '/h1' }], postStartHooks: [{ path: '/h2' }], postStopHooks: [{ path: '/h3' }] },
      hypervisorConfig: { kernelPath: '/k', imagePath: '/i', initrdPath: '/r', firmwarePath: '/f', hypervisorPath: '/q' },
      networkConfig: { netNsPath: '/n' },
      volumes: [{ mountTag: 't', hostPath: '/v' }],
      containers: [
        {
          id: 'c',
          rootFs: '/rootfs',
          cmd: { args: ['sh'] },
          mounts: [{ source: '/m', destination: '/d', hostPath: '/mh' }, { source: 'tmpfs', destination: '/t', type: 'tmpfs' }, { source: 'x', destination: '/x' }],
          deviceInfos: [{ hostPath: '/dev/null', containerPath: '/dev/null', devType: 'c' }, { containerPath: '/dev/y', devType: 'c' }],
        },
      ],
    });
    expect(podHostPaths(config).map((f) => `${f.field}=${f.path}`)).toEqual([
      'hypervisorConfig.kernelPath=/k',
      'hypervisorConfig.imagePath=/i',
      'hypervisorConfig.initrdPath=/r',
      'hypervisorConfig.firmwarePath=/f',
      'hypervisorConfig.hypervisorPath=/q',
      'networkConfig.netNsPath=/n',
      'volumes.0.hostPath=/v',
      'hooks.preStartHooks.0.path=/h1',
      'hooks.postStartHooks.0.path=/h2',
      'hooks.postStopHooks.0.path=/h3',
      'containers.0.rootFs=/rootfs',
      'containers.0.mounts.0.source=/m',
      'containers.0.mounts.0.hostPath=/mh',
      // mounts.2 binds "x": a source without a '/' names a volume, not a host path.
      'containers.0.deviceInfos.0.hostPath=/dev/null',
    ]);
    expect(podHostPaths(PodConfigSchema.parse({ id: 'p' }))).toEqual([]);
  });
});
