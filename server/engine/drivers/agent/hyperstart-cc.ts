// hyperstart through the host-wide ccProxy, in virtcontainers' order: RegisterVM (the proxy waits
// for READY) → Hyper(STARTPOD); a process's I/O token comes from AttachVM and the proxy gives the
// token's process its stdout/stderr seqs; a ccShim binds to the token.
import { z } from 'zod';
import { HYPERSTART_CONTROL_PORT, HYPERSTART_STREAM_PORT } from '../../../guest/protocol/hyperstart/codes.js';
import { EngineError } from '../../errors.js';
import { CcClient, CcProxyError } from '../proxy/cc/client.js';
import { ConnectShimResponseSchema, HyperResponseSchema, TokensResponseSchema } from '../proxy/cc/messages.js';
import { proxyHandleOf, socketPathOf, type Proxy, type ProxyHandle } from '../proxy/types.js';
import type { PodContext } from '../types.js';
import { connectReviving, isGoneErrno, withConnection, type ConnectionPolicy } from './connection.js';
import { openHyperstartIo } from './hyperstart-io.js';
import { hyperError, serialOf, type HyperLink } from './hyperstart-link.js';

const HyperStateSchema = z.object({ hyper: z.object({ ctlSerial: z.string(), ioSerial: z.string() }) });

/** The cc-proxy protocol's reading of failures, for the shared connection skeleton (connection.ts). */
const HYPER_POLICY: ConnectionPolicy = { isUnreachable: isGoneErrno, toError: hyperError };

export function createCcLink(proxy: Proxy): HyperLink {
  const handleOf = (pod: PodContext): ProxyHandle => {
    const handle = proxyHandleOf(pod.runtime.agent);
    if (!handle?.url) throw new EngineError('AGENT_FAILED', `pod ${pod.id} has no ccProxy (was its sandbox started?)`);
    return handle;
  };

  /** A connection to the proxy; one that is gone is started again by the proxy driver, and tried once more. */
  function connectProxy(pod: PodContext, handle = handleOf(pod)): Promise<CcClient> {
    const path = socketPathOf(handle.url);
    return connectReviving(() => CcClient.connect(path), () => proxy.revive(pod, handle), HYPER_POLICY, `the ccProxy at ${path} (pod ${pod.id})`);
  }

  const withProxy = <T>(pod: PodContext, what: string, fn: (client: CcClient) => Promise<T>, handle = handleOf(pod)): Promise<T> =>
    withConnection(() => connectProxy(pod, handle), fn, HYPER_POLICY, `pod ${pod.id}: ${what}`);

  const hyper = (client: CcClient, pod: PodContext, hyperName: string, data: object | null, tokens: string[] = [], timeoutMs = 60_000) =>
    client.command('Hyper', { containerId: pod.id, hyperName, tokens, data }, timeoutMs).then((body) => HyperResponseSchema.parse(body).data);

  return {
    ports: () => [
      { kind: 'serialPort', name: HYPERSTART_CONTROL_PORT },
      { kind: 'serialPort', name: HYPERSTART_STREAM_PORT },
    ],

    async startPod(pod, vm, _network, startPod, readyTimeoutMs) {
      const ctlSerial = serialOf(pod, vm, HYPERSTART_CONTROL_PORT);
      const ioSerial = serialOf(pod, vm, HYPERSTART_STREAM_PORT);
      const handle = await proxy.start(pod, `unix://${ctlSerial}`);
      try {
        await withProxy(pod, 'start the pod', async (client) => {
          await client.command('RegisterVM', { containerId: pod.id, ctlSerial, ioSerial, numIOStreams: 0, readyTimeoutMs }, readyTimeoutMs + 10_000);
          await hyper(client, pod, 'startpod', startPod, [], 120_000);
        }, handle);
      } catch (err) {
        await withProxy(pod, 'unregister the VM', (c) => c.command('UnregisterVM', { containerId: pod.id }), handle).catch(() => {});
        await proxy.stop(pod, handle);
        throw err;
      }
      return { proxy: { pid: handle.pid, url: handle.url, direct: false, ...(handle.agentUrl ? { agentUrl: handle.agentUrl } : {}) }, hyper: { ctlSerial, ioSerial } };
    },

    async stopPod(pod) {
      const handle = proxyHandleOf(pod.runtime.agent);
      if (!handle || !HyperStateSchema.safeParse(pod.runtime.agent).success) return;
      try {
        await withProxy(pod, 'destroy the pod', (c) => hyper(c, pod, 'destroypod', null, [], 15_000), handle);
      } catch (err) {
        pod.log.warn({ err }, 'DESTROYPOD failed; the guest may already be gone');
      }
      await withProxy(pod, 'unregister the VM', (c) => c.command('UnregisterVM', { containerId: pod.id }), handle).catch((err: unknown) => pod.log.warn({ err }, 'UnregisterVM failed'));
      await proxy.stop(pod, handle);
    },

    hyper: (pod, name, data, token, timeoutMs) => withProxy(pod, name, (client) => hyper(client, pod, name, data, token ? [token] : [], timeoutMs)),

    newToken: (pod) => withProxy(pod, 'get an I/O token', async (client) => TokensResponseSchema.parse(await client.command('AttachVM', { containerId: pod.id, numIOStreams: 1 })).tokens[0]!),

    shimParams: (pod, { containerId, token }) => ({ containerId, token, url: handleOf(pod).url, direct: false }),

    shimsUrl: (pod) => proxyHandleOf(pod.runtime.agent)?.url ?? '',

    attach: async (pod, { token }) => openHyperstartIo(await connectProxy(pod), token, hyperError),

    async exitOf(pod, token) {
      try {
        const { exitCode } = await withProxy(pod, `probe process ${token}`, async (client) => ConnectShimResponseSchema.parse(await client.command('ConnectShim', { token })));
        return { exitCode, gone: false };
      } catch (err) {
        // The proxy no longer knows the token: the VM it belonged to is gone.
        if (err instanceof EngineError && err.cause instanceof CcProxyError && /unknown token/.test(err.message)) return { exitCode: null, gone: true };
        throw err;
      }
    },

    closeStdin: (pod, token) =>
      withProxy(pod, `close stdin of ${token}`, async (client) => {
        await client.command('ConnectShim', { token });
        await client.writeStdin(Buffer.alloc(0));
      }),
  };
}
