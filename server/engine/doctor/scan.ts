// Finds the processes Podvisor started under ONE run root, by the markers in their argv that name a
// socket in a run dir of that root: QEMU's `-qmp unix:<runDir>/qmp.sock,…`, the kata proxy's
// `--listen <runDir>/proxy.sock`, virtiofsd's `--socket-path=<runDir>/…`, and the lean shims the
// proxy owns (`sh … podvisor-shim <cid>/<token>`, recognised as a child of such a proxy), and the
// ccShims (`--cc-shim … -p <runDir>`). The host-wide ccProxy serves every pod of the root, so it is
// never one pod's orphan: it is not listed (proxy/cc.ts ccProxiesOf finds it). A process
// name alone never counts: another QEMU, or another install's under another root, is not ours.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Host } from '../host/types.js';

export type OurProcessKind = 'qemu' | 'proxy' | 'shim' | 'virtiofsd';

export interface OurProcess {
  kind: OurProcessKind;
  pid: number;
  /** The run dir its marker names (a shim: its proxy's). */
  runDir: string;
  /** The argument that identifies it: checked again before every signal (PID reuse). */
  marker: string;
}

const QMP_ARG = /^unix:(.+)\/qmp\.sock,/;
const SHIM_NAME = 'podvisor-shim';

/** `dir` is a run dir of `root` (one level below it), whatever the marker's file name. */
function runDirIn(root: string, socketPath: string): string | null {
  const dir = path.dirname(socketPath);
  return path.dirname(dir) === root ? dir : null;
}

const isProxyHelper = (argv: string[]) => argv.some((a) => /(^|\/)proxy\/main\.ts$|(^|\/)proxy\.mjs$/.test(a));

/** One process's marker, if it has one of ours under `root`; shims are found from their parent below. */
export function classify(argv: string[], root: string): Omit<OurProcess, 'pid'> | null {
  for (const [i, arg] of argv.entries()) {
    const qmp = i > 0 && argv[i - 1] === '-qmp' ? QMP_ARG.exec(arg) : null;
    // QEMU doubles commas in option values; run dirs never contain one, so the path is literal.
    const qmpDir = qmp ? runDirIn(root, `${qmp[1]}/qmp.sock`) : null;
    if (qmpDir) return { kind: 'qemu', runDir: qmpDir, marker: arg };
    if (arg === '--listen' && isProxyHelper(argv)) {
      const listen = argv[i + 1] ?? '';
      const dir = path.basename(listen) === 'proxy.sock' ? runDirIn(root, listen) : null;
      if (dir) return { kind: 'proxy', runDir: dir, marker: listen };
    }
    // noProxy's kata shim (shim/kata.ts directShimArgs): no proxy parent, its run dir is its agent socket's.
    if (arg === '--agent' && argv.includes('--direct-shim') && isProxyHelper(argv)) {
      const dir = runDirIn(root, argv[i + 1] ?? '');
      const marker = argv[argv.indexOf('--marker') + 1];
      if (dir && marker && argv.includes('--marker')) return { kind: 'shim', runDir: dir, marker };
    }
    // ccShim (shim/cc.ts ccShimArgs): the host-wide ccProxy is not its parent; `-p` names its pod's run dir.
    if (arg === '--cc-shim' && isProxyHelper(argv)) {
      const dir = runDirIn(root, path.join(argv[argv.indexOf('-p') + 1] ?? '', 'shim'));
      const token = argv[argv.indexOf('-t') + 1];
      if (dir && token && argv.includes('-p') && argv.includes('-t')) return { kind: 'shim', runDir: dir, marker: token };
    }
    if (arg.startsWith('--socket-path=')) {
      const dir = runDirIn(root, arg.slice('--socket-path='.length));
      if (dir) return { kind: 'virtiofsd', runDir: dir, marker: arg };
    }
  }
  return null;
}

async function parentOf(pid: number): Promise<number | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  // The command name (field 2) may hold spaces and parentheses: fields after the last ')' are fixed.
  const rest = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  return rest ? Number(rest[1]) : null;
}

/** Every live process of ours under `runRoot`, found through /proc and the host's cmdline. */
export async function scanOurProcesses(host: Host, runRoot: string): Promise<OurProcess[]> {
  const root = path.resolve(runRoot);
  const pids = (await readdir('/proc')).filter((e) => /^\d+$/.test(e)).map(Number).filter((pid) => pid !== process.pid);
  const found: OurProcess[] = [];
  const shims: { pid: number; marker: string }[] = [];
  for (const pid of pids) {
    const argv = await host.cmdline(pid);
    if (!argv?.length) continue;
    const ours = classify(argv, root);
    if (ours) found.push({ pid, ...ours });
    else if (argv[0] === 'sh' && argv.at(-2) === SHIM_NAME) shims.push({ pid, marker: argv.at(-1)! });
  }
  const proxies = new Map(found.filter((p) => p.kind === 'proxy').map((p) => [p.pid, p]));
  for (const shim of shims) {
    const proxy = proxies.get((await parentOf(shim.pid)) ?? -1);
    if (proxy) found.push({ kind: 'shim', pid: shim.pid, runDir: proxy.runDir, marker: shim.marker });
  }
  return found;
}
