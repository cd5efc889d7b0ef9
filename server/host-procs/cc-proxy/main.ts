// The cc roles of the host helper (server/host-procs/proxy/main.ts hands over to ccMain when its
// argv has a cc marker, so both live in the one dist/proxy.mjs bundle), detached from the CLI:
//   ccProxy, one per run root:    node proxy.mjs --cc-proxy --listen <runRoot>/cc-proxy.sock
//   ccShim, one per process:      node proxy.mjs --cc-shim -c <cid> -t <token> -u <proxy URL> -p <pod run dir> [--relay]
//   ccShim without a proxy:       ... --cc-shim -c <cid> -t <token> -u <control URL> -p <pod run dir> --direct
//                                     --process <guest id> --streams <port file> --stdin <port FIFO> [--relay]
// `--cc-proxy` / `--cc-shim` are the argv markers the engine and `podvisor doctor` find them by.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CcProxyServer } from './server.js';
import { runDirectCcShim } from './direct-shim.js';
import { runCcShim } from './shim.js';

export const CC_MARKERS = ['--cc-proxy', '--cc-shim'];

/** Runs the role its argv names; never returns (the process exits when the role ends). */
export async function ccMain(): Promise<never> {
const { values } = parseArgs({
  options: {
    'cc-proxy': { type: 'boolean', default: false },
    'cc-shim': { type: 'boolean', default: false },
    listen: { type: 'string' },
    container: { type: 'string', short: 'c' },
    token: { type: 'string', short: 't' },
    uri: { type: 'string', short: 'u' },
    pod: { type: 'string', short: 'p' },
    relay: { type: 'boolean', default: false },
    direct: { type: 'boolean', default: false },
    process: { type: 'string' },
    streams: { type: 'string' },
    stdin: { type: 'string' },
  },
});
const role = values['cc-shim'] ? `cc-shim ${values.container}/${values.token}` : 'cc-proxy';
const log = (message: string) => process.stderr.write(`${new Date().toISOString()} ${role}[${process.pid}]: ${message}\n`);

if (values['cc-shim']) {
  if (!values.token || !values.uri) {
    log('usage: --cc-shim -c <container> -t <token> -u <proxy URL> -p <pod run dir>');
    process.exit(2);
  }
  // fd 3 is the readiness pipe the engine waits on (host seam's readyPipe).
  const ready = () => new Promise<void>((resolve) => createWriteStream('', { fd: 3 }).end('ready\n', resolve));
  const direct = values.direct && values.container && values.process && values.streams && values.stdin
    ? { controlUrl: values.uri, containerId: values.container, token: values.token, process: values.process, output: values.streams, input: values.stdin }
    : null;
  if (values.direct && !direct) {
    log('usage: --cc-shim --direct needs -c, --process, --streams and --stdin');
    process.exit(2);
  }
  const run = direct ? runDirectCcShim({ ...direct, relay: values.relay, log, onReady: ready }) : runCcShim({ proxyUrl: values.uri, token: values.token, relay: values.relay, log, onReady: ready });
  const code = await run.catch((err: Error) => (log(err.message), 255));
  process.exit(code);
}

if (!values['cc-proxy'] || !values.listen) {
  log('usage: --cc-proxy --listen <socket>');
  process.exit(2);
}
const listenPath = values.listen;
const proxy = new CcProxyServer({ listenPath, statePath: `${listenPath}.state.json`, log });
await proxy.listen();
log(`listening on ${listenPath}`);
const stop = async () => {
  await proxy.stop();
  await rm(listenPath, { force: true });
  log('stopped');
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
return new Promise<never>(() => {}); // serves until a signal stops it
}
