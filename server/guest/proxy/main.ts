// kataProxy process entry (bundled to dist/proxy.mjs): one per pod, detached from the CLI.
//   node proxy.mjs --agent <agent socket> --listen <runDir>/proxy.sock [--handshake-timeout-ms N]
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ProxyServer } from './proxy-server.js';

const { values } = parseArgs({
  options: {
    agent: { type: 'string' },
    listen: { type: 'string' },
    'handshake-timeout-ms': { type: 'string', default: '300000' },
  },
});
const log = (message: string) => process.stderr.write(`${new Date().toISOString()} kata-proxy[${process.pid}]: ${message}\n`);
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
