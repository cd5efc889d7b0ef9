// After the end-to-end run: stop and delete any pod a failed test left, then remove the run's home
// (detaching mounts first, so a leftover rootfs bind mount can never be deleted through).
import { execa } from 'execa';
import { removeRunDirSafely } from '../server/engine/run-dir';

export default async function globalTeardown() {
  const home = process.env['PODVISOR_E2E_HOME'];
  if (!home) return;
  const env = { PODVISOR_HOME: home, PODVISOR_RUN_DIR: `${home}/run` };
  const list = await execa('node', ['bin/podvisor.js', 'pod', 'list', '--json'], { env, reject: false });
  const pods = list.exitCode === 0 ? (JSON.parse(list.stdout) as { id: string }[]) : [];
  for (const { id } of pods) {
    await execa('node', ['bin/podvisor.js', 'pod', 'stop', id], { env, reject: false });
    await execa('node', ['bin/podvisor.js', 'pod', 'delete', id], { env, reject: false });
  }
  await removeRunDirSafely(home);
}
