// The pod form's network section: how its values become networkConfig and the port annotation the
// CNI driver reads, which field each error lands on (client checks and the engine's own errors), the
// browser-side twins of the engine's port schema, and how the host's CNI networks are offered.
import { describe, expect, it } from 'vitest';
import { cniNetworkHint, cniNetworkLabel, cniNetworkOptions } from '../../components/forms/cni-networks';
import { errorsAt, fieldErrorsOfServer } from '../../components/forms/field-errors';
import { defaultPodValues, toPodConfig, validatePod, type PodFormValues } from '../../components/forms/pod-form-model';
import { BLANK_PORT, PORT_PROTOCOLS, PORTS_ANNOTATION, PORTS_FIELD, PortRowSchema } from '../../components/forms/pod-network-model';
import type { CniCatalog } from '../../server/engine/drivers/network/catalog';
import { loadNetworkList, portMappingsFrom, PORTS_ANNOTATION as ENGINE_PORTS_ANNOTATION } from '../../server/engine/drivers/network/cni-config';
import { PortMappingSchema } from '../../server/engine/drivers/network/state';
import { EngineError } from '../../server/engine/errors';
import { PodConfigSchema } from '../../server/engine/types';

const pod = (change: (v: PodFormValues) => void) => {
  const v = structuredClone({ ...defaultPodValues('/srv/rootfs'), id: 'web-1' });
  change(v);
  return v;
};
const cni = (change: (v: PodFormValues) => void = () => undefined) => pod((v) => ((v.networkModel = 'CNI'), change(v)));
const row = (hostPort: string, containerPort: string, protocol = 'tcp') => ({ hostPort, containerPort, protocol });
/** What the console receives from tRPC when the engine throws `err`. */
const fromServer = (err: EngineError) => fieldErrorsOfServer({ data: { engineError: err.toJSON() } });
const engineRefusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as EngineError;
  }
  throw new Error('expected the engine to refuse');
};

describe('network fields → PodConfig', () => {
  it('send nothing for the noop model, whatever the hidden fields hold', () => {
    const config = toPodConfig(pod((v) => ((v.network.netNsPath = '/run/netns/x'), (v.network.ports = [row('8080', '80')]))));
    expect(config.networkConfig).toBeUndefined();
    expect(config.annotations).toEqual({});
    expect(PodConfigSchema.parse(config).networkConfig).toEqual({ netNsPath: '', numInterfaces: 0, interworkingModel: 'default', cniNetwork: 'podvisor0' });
  });

  it('map CNI: the network, netns, NICs, interworking and port rows, which the engine reads back as they were typed', () => {
    const config = toPodConfig(
      cni((v) => {
        Object.assign(v.network, { cniNetwork: 'lab', netNsPath: ' /run/netns/lab ', numInterfaces: '2', interworkingModel: 'bridged' });
        v.network.ports = [row('8080', '80'), BLANK_PORT, row(' 5353 ', '53', 'udp')];
        v.annotations = 'team=infra';
      }),
    );
    expect(PodConfigSchema.parse(config).networkConfig).toEqual({ netNsPath: '/run/netns/lab', numInterfaces: 2, interworkingModel: 'bridged', cniNetwork: 'lab' });
    expect(config.annotations).toEqual({ team: 'infra', [PORTS_ANNOTATION]: expect.any(String) });
    expect(portMappingsFrom(config.annotations!)).toEqual([
      { hostPort: 8080, containerPort: 80, protocol: 'tcp' },
      { hostPort: 5353, containerPort: 53, protocol: 'udp' },
    ]);
    expect(validatePod(cni((v) => (v.network.ports = [row('8080', '80')]))).ok).toBe(true);
  });

  it('leave the annotation alone when no row is filled, so one typed in the annotations field still counts', () => {
    const typed = `${PORTS_ANNOTATION}=[{"hostPort":1,"containerPort":2}]`;
    expect(toPodConfig(cni((v) => ((v.network.ports = [BLANK_PORT]), (v.annotations = typed)))).annotations).toEqual({ [PORTS_ANNOTATION]: '[{"hostPort":1,"containerPort":2}]' });
  });

  it('map CNM: the netns and NICs, never a CNI network or ports', () => {
    const config = toPodConfig(pod((v) => ((v.networkModel = 'CNM'), (v.network.netNsPath = '/run/netns/lab'), (v.network.cniNetwork = 'lab'), (v.network.ports = [row('8080', '80')]))));
    expect(config.networkConfig).toEqual({ netNsPath: '/run/netns/lab', numInterfaces: undefined, interworkingModel: 'default' });
    expect(config.annotations).toEqual({});
  });
});

describe('network field errors', () => {
  const errorsOf = (v: PodFormValues) => validatePod(v).errors;

  it('require a netns for CNM, and want it absolute, on networkConfig.netNsPath', () => {
    expect(errorsOf(pod((v) => (v.networkModel = 'CNM')))['networkConfig.netNsPath']).toMatch(/required for CNM/);
    expect(errorsOf(pod((v) => ((v.networkModel = 'CNM'), (v.network.netNsPath = 'netns/x')))))
      .toHaveProperty(['networkConfig.netNsPath'], 'must be an absolute path');
    expect(errorsOf(cni())['networkConfig.netNsPath']).toBeUndefined();
  });

  it('put each bad port on its row, under the annotation field the engine reports', () => {
    const errors = errorsOf(cni((v) => (v.network.ports = [row('0', '80'), row('8080', ''), row('8081', '80', 'icmp'), row('8082', '1.5')])));
    expect(errors).toMatchObject({
      [`${PORTS_FIELD}.0.hostPort`]: expect.stringMatching(/>=\s*1|too small/i),
      [`${PORTS_FIELD}.1.containerPort`]: 'must be a number',
      [`${PORTS_FIELD}.2.protocol`]: expect.stringMatching(/tcp/),
      [`${PORTS_FIELD}.3.containerPort`]: expect.stringMatching(/int/i),
    });
    expect(errorsAt(errors, PORTS_FIELD)).toContain('line 2 containerPort: must be a number');
    // The annotations textarea does not repeat them: its key is "annotations", theirs 'annotations["…"]'.
    expect(errorsAt(errors, 'annotations')).toEqual([]);
  });

  it('refuse a host port mapped twice per protocol, and a port annotation typed besides the rows', () => {
    const twice = errorsOf(cni((v) => (v.network.ports = [row('8080', '80'), row('8080', '81', 'udp'), row('8080', '82')])));
    expect(twice).toEqual({ [`${PORTS_FIELD}.2.hostPort`]: 'maps 8080/tcp again (row 1)' });
    const both = errorsOf(cni((v) => ((v.network.ports = [row('8080', '80')]), (v.annotations = `${PORTS_ANNOTATION}=[]`))));
    expect(both['annotations']).toMatch(/written by the port mappings/);
  });

  it("land the engine's own refusals on the same fields", async () => {
    const ports = fromServer(engineRefusal(() => portMappingsFrom({ [PORTS_ANNOTATION]: '[{"hostPort":1,"containerPort":2},{"hostPort":1,"containerPort":3}]' })));
    expect(Object.keys(ports)).toEqual([PORTS_FIELD]);
    expect(errorsAt(ports, PORTS_FIELD)).toEqual([expect.stringContaining('maps 1/tcp twice')]);
    const opts = { confDir: '/nonexistent', pluginDirs: [], cacheDir: '/nonexistent' };
    const host = { run: () => Promise.reject(new Error('unused')), stat: () => Promise.resolve(null) };
    const network = fromServer(await loadNetworkList(host, opts, 'lab').then(() => Promise.reject(new Error('loaded')), (err: EngineError) => err));
    expect(errorsAt(network, 'networkConfig.cniNetwork')).toEqual([expect.stringContaining('CNI network "lab" is not defined')]);
  });
});

describe("the form's twins of the engine's port schema", () => {
  it('name the same annotation and protocols, and judge rows alike', () => {
    expect(PORTS_ANNOTATION).toBe(ENGINE_PORTS_ANNOTATION);
    expect(PORT_PROTOCOLS).toEqual(PortMappingSchema.shape.protocol.unwrap().options);
    const samples = [
      { hostPort: 1, containerPort: 65535, protocol: 'tcp' },
      { hostPort: 0, containerPort: 80, protocol: 'tcp' },
      { hostPort: 65536, containerPort: 80, protocol: 'udp' },
      { hostPort: 80.5, containerPort: 80, protocol: 'sctp' },
      { hostPort: 80, containerPort: 80, protocol: 'icmp' },
      { hostPort: 80, containerPort: 80, protocol: 'tcp', hostIP: '127.0.0.1' },
    ];
    for (const m of samples) expect(PortRowSchema.safeParse(m).success, JSON.stringify(m)).toBe(PortMappingSchema.safeParse(m).success);
  });
});

describe('the CNI network select', () => {
  const catalog: CniCatalog = {
    confDir: '/etc/podvisor/net.d',
    networks: [
      { name: 'podvisor0', file: '', isDefault: true, plugins: [], subnets: [], problem: null },
      { name: 'broken', file: '', isDefault: false, plugins: [], subnets: [], problem: 'CNI config /x.conflist: plugins: must name at least one plugin' },
      { name: 'lab', file: '/etc/podvisor/net.d/10-lab.conflist', isDefault: false, plugins: ['bridge', 'portmap'], subnets: ['10.1.0.0/24', 'fd00:1::/64'], problem: null },
    ],
    ignored: [],
  };
  const entry = (name: string) => catalog.networks.find((n) => n.name === name);

  it("offers the host's networks and keeps a value the host does not define", () => {
    expect(cniNetworkOptions(catalog, 'lab')).toEqual(['podvisor0', 'broken', 'lab']);
    expect(cniNetworkOptions(catalog, 'gone')).toEqual(['gone', 'podvisor0', 'broken', 'lab']);
    expect(cniNetworkOptions(undefined, 'podvisor0')).toEqual(['podvisor0']);
    expect(['podvisor0', 'broken', 'gone'].map((n) => cniNetworkLabel(entry(n), n))).toEqual(['podvisor0 (default)', 'broken — unusable', 'gone (not defined on this host)']);
  });

  it('says what the chosen network is made of, or why it would be refused', () => {
    expect(cniNetworkHint(catalog, 'lab')).toBe('bridge → portmap · 10.1.0.0/24, fd00:1::/64 (/etc/podvisor/net.d/10-lab.conflist)');
    expect(cniNetworkHint(catalog, 'podvisor0')).toMatch(/written to \/etc\/podvisor\/net\.d when a pod first uses it/);
    expect(cniNetworkHint(catalog, 'broken')).toMatch(/must name at least one plugin/);
    expect(cniNetworkHint(catalog, 'gone')).toMatch(/No network "gone"/);
    expect(cniNetworkHint(undefined, 'lab')).toMatch(/Loading/);
  });
});
