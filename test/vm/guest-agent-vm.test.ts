// End to end in a real pod VM (TCG where KVM does not work): qemu driver + kata proxy + agent +
// shims, with the current agent bundle served to the guest over a 9p dev share. Needs the guest
// assets (`npm run build:guest`); skipped without them. Belongs with the test/vm tier.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerContext } from '../../server/engine/drivers/types.js';
import { CmdSchema, type CmdInput } from '../../server/engine/types.js';
import { REPO_ROOT } from '../../server/guest/helper-process.js';
import { connectAgentSocket } from '../../server/guest/protocol/connect.js';
import { socketPathOf } from '../../server/engine/drivers/proxy/kata.js';
import { proxyHandleOf } from '../../server/engine/drivers/proxy/types.js';
import { bootVmPod, type VmPod } from '../../server/guest/testing/vm-pod.js';

const assets = ['vmlinux', 'initrd.img', 'image.erofs'].map((f) => join(REPO_ROOT, 'var/guest', f));
const missing = !existsSync('/usr/bin/qemu-system-x86_64') || !assets.every((f) => existsSync(f));

// Missing assets are a broken set-up (npm test builds them), not a reason to skip.
it('has QEMU and the guest assets', () => expect(missing).toBe(false));
/** Proxy and shims of this test's pod (their argv names its run dir). */
const helpersOf = (runDir: string) => spawnSync('pgrep', ['-f', `(proxy|shim)(\\.mjs|/main\\.ts) .*${runDir}`]).stdout.toString();
let vm: VmPod;
let web: ContainerContext;
const cmd = (input: CmdInput) => CmdSchema.parse(input);

async function run(input: CmdInput) {
  const process = await vm.agent.exec(vm.pod, web, cmd(input));
  const io = await vm.agent.attach(vm.pod, web, process.token);
  let output = '';
  io.stdout.on('data', (d: Buffer) => (output += d.toString()));
  io.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const { exitCode } = await io.wait();
  io.close();
  return { output, exitCode, process };
}

describe('kata agent in a real pod VM', () => {
  beforeAll(async () => {
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-agent.ts'], { stdio: 'ignore', cwd: REPO_ROOT });
    vm = await bootVmPod('vmtest');
    web = await vm.container('web', { args: ['sh', '-c', 'echo hello; hostname; sleep 600'], detach: true });
    web.agentState = (await vm.agent.startContainer(vm.pod, web)).agentState;
  }, 120_000);

  afterAll(async () => {
    const runDir = vm?.pod.runDir;
    await vm?.stop();
    if (runDir) expect(helpersOf(runDir)).toBe('');
  }, 60_000);

  it('runs the container init and shows its output', async () => {
    const io = await vm.agent.attach(vm.pod, web, 'web');
    let output = '';
    io.stdout.on('data', (d: Buffer) => (output += d.toString()));
    for (let i = 0; i < 100 && output !== 'hello\nvmtest\n'; i++) await new Promise((r) => setTimeout(r, 100));
    io.close();
    expect(output).toBe('hello\nvmtest\n');
    expect(await vm.agent.probeContainer(vm.pod, web)).toEqual({ running: true, exitCode: null });
  });

  it('execs as another user with an exit code, and lists processes', async () => {
    expect(await run({ args: ['sh', '-c', 'id; exit 3'], user: 'alice', detach: true })).toMatchObject({ output: 'uid=1000(alice) gid=1000(alice)\n', exitCode: 3 });
    expect(await vm.agent.processList(vm.pod, web, { format: 'table', args: ['-o', 'pid,args'] })).toMatch(/ 1 sleep 600\n/);
  }, 60_000);

  it('forwards a signal sent to an exec shim', async () => {
    const process = await vm.agent.exec(vm.pod, web, cmd({ args: ['sleep', '500'], detach: true }));
    const io = await vm.agent.attach(vm.pod, web, process.token);
    globalThis.process.kill(process.pid, 'SIGTERM');
    expect(await io.wait()).toEqual({ exitCode: 143 });
    io.close();
  }, 60_000);

  it('gives an interactive process a TTY that follows resizes', async () => {
    const client = await connectAgentSocket(socketPathOf(proxyHandleOf(vm.pod.runtime.agent)!.url));
    const { body } = await client.call('Version', {});
    client.close();
    expect(body.terminal).toBe(true);
    const process = await vm.agent.exec(vm.pod, web, cmd({ args: ['sh', '-c', 'stty size; read x; stty size'], interactive: true, console: '/dev/tty', detach: true }));
    const io = await vm.agent.attach(vm.pod, web, process.token);
    let output = '';
    io.stdout.on('data', (d: Buffer) => (output += d.toString()));
    await io.resize(40, 132);
    await io.writeStdin('\n');
    expect(await io.wait()).toEqual({ exitCode: 0 });
    expect(output).toMatch(/40 132\r\n$/);
  }, 60_000);

  it('stops the container and its shim', async () => {
    const shimPid = Number(web.agentState['shimPid']);
    await vm.agent.stopContainer(vm.pod, web);
    expect(existsSync(`/proc/${shimPid}`)).toBe(false);
  }, 60_000);
});
