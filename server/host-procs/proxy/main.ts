// Host helper entry (bundled to dist/proxy.mjs), detached from the CLI. Two kata roles (and the cc
// ones of ../cc-proxy/main.ts, picked by their markers):
//   kataProxy, one per pod:   node proxy.mjs --agent <agent socket> --listen <runDir>/proxy.sock [--handshake-timeout-ms N]
//   kata shim under noProxy:  node proxy.mjs --direct-shim --agent <agent socket> --container C --exec E --marker C/E
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runDirectShim } from './direct-shim.js';
import { ProxyServer } from './proxy-server.js';
import { CC_MARKERS, ccMain } from '../cc-proxy/main.js';

// ccProxy and ccShim share this bundle: their marker hands the whole process over.
if (process.argv.some((a) => CC_MARKERS.includes(a))) await ccMain();

const { values } = parseArgs({
  options: {
    agent: { type: 'string' },
    listen: { type: 'string' },
    'handshake-timeout-ms': { type: 'string', default: '300000' },
    'direct-shim': { type: 'boolean', default: false },
    container: { type: 'string' },
    exec: { type: 'string' },
    marker: { type: 'string' },
  },
});
const role = values['direct-shim'] ? `shim ${values.marker}` : 'kata-proxy';
const log = (message: string) => process.stderr.write(`${new Date().toISOString()} ${role}[${process.pid}]: ${message}\n`);

if (values['direct-shim']) {
  if (!values.agent || !values.container || !values.exec) {
    log('usage: --direct-shim --agent <socket> --container <id> --exec <id> --marker <id/id>');
    process.exit(2);
  }
  // fd 3 is the readiness pipe the engine waits on (host seam's readyPipe).
  const ready = () => createWriteStream('', { fd: 3 }).end('ready\n');
  const code = await runDirectShim({ agentSocket: values.agent, containerId: values.container, execId: values.exec, log, onReady: ready });
  process.exit(code);
}

if (!values.agent || !values.listen) {
  log('usage: --agent <socket> --listen <socket>');
  process.exit(2);
}
const listenPath = values.listen;

const proxy = new ProxyServer({ agentSocket: values.agent, listenPath, handshakeTimeoutMs: Number(values['handshake-timeout-ms']), log });
await proxy.listen();
log(`listening on ${listenPath}, agent at ${values.agent}`);
process.on('SIGTERM', () => proxy.stop());
process.on('SIGINT', () => proxy.stop());
await proxy.closed;
await rm(listenPath, { force: true });
log('stopped');
process.exit(0);
