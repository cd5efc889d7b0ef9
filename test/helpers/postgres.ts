// A throw-away PostgreSQL server on a unix socket (no TCP port), run as the `postgres` user.
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

const BIN = '/usr/lib/postgresql/15/bin';

export interface TestPostgres extends AsyncDisposable {
  url: string;
  /** Stops the server at once (`-m immediate`: as a crash, no clean shutdown), then starts it again on the same data. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pv-pg-'));
  const { stdout: ids } = await execa('id', ['-u', 'postgres']);
  const { stdout: gid } = await execa('id', ['-g', 'postgres']);
  chownSync(dir, Number(ids), Number(gid));
  const asPostgres = (cmd: string, args: string[]) => execa('runuser', ['-u', 'postgres', '--', path.join(BIN, cmd), ...args]);
  await asPostgres('initdb', ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const start = () => asPostgres('pg_ctl', ['-D', path.join(dir, 'data'), '-w', '-l', path.join(dir, 'log'), '-o', `-k ${dir} -c listen_addresses='' -p 5432 -c fsync=off`, 'start']);
  const stop = () => asPostgres('pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'immediate', 'stop']);
  await start();
  await execa('runuser', ['-u', 'postgres', '--', 'psql', '-h', dir, '-c', 'CREATE DATABASE podvisor']);
  return {
    url: `postgresql://postgres@localhost/podvisor?host=${encodeURIComponent(dir)}`,
    stop: async () => void (await stop()),
    start: async () => void (await start()),
    async [Symbol.asyncDispose]() {
      await asPostgres('pg_ctl', ['-D', path.join(dir, 'data'), '-m', 'immediate', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
