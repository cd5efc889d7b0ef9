// Which driver types work together. The expectations are written out, not derived from the
// registry's table, so a change to the rules shows up here as a diff.
import { describe, expect, it } from 'vitest';
import { IMPLEMENTED_TYPES, offeredValues } from '../../server/engine/drivers/combinations.js';
import { checkDriverCombination, DRIVER_COMBINATIONS, FACTORIES } from '../../server/engine/drivers/registry.js';
import { AgentTypeSchema, PodConfigSchema, ProxyTypeSchema, ShimTypeSchema, type PodConfigInput } from '../../server/engine/types.js';

const KATA = { hypervisorType: 'qemu', agentType: 'kata', proxyType: 'kataProxy', shimType: 'kataShim' } as const;
const HYPER = { hypervisorType: 'qemu', agentType: 'hyperstart', proxyType: 'ccProxy', shimType: 'ccShim' } as const;
const outcome = (input: Omit<PodConfigInput, 'id'>) => {
  try {
    checkDriverCombination(PodConfigSchema.parse({ id: 'p', ...input }));
    return 'ok';
  } catch (err) {
    const e = err as { code: string; message: string; details?: { fields?: string[] } };
    return { code: e.code, fields: e.details?.fields, message: e.message };
  }
};

describe('checkDriverCombination', () => {
  it.each([
    ['the defaults: a VM with the noop agent', {}],
    ['the kata set on QEMU', KATA],
    ['kata reached directly (noProxy), with its shim', { ...KATA, proxyType: 'noProxy' }],
    ['the mock hypervisor with the noop set', { hypervisorType: 'mock', agentType: 'noop' }],
    ['hyperstart on QEMU behind the ccProxy, with ccShims', HYPER],
    ['hyperstart reached directly (noProxy), with ccShims', { ...HYPER, proxyType: 'noProxy' }],
  ] as const)('accepts %s', (_, input) => {
    expect(outcome(input)).toBe('ok');
  });

  it.each([
    ['kata on the mock hypervisor', { ...KATA, hypervisorType: 'mock' }, ['agentType', 'hypervisorType'], /agentType "kata" needs hypervisorType "qemu", not "mock"/],
    ['kata without its proxy', { ...KATA, proxyType: 'noopProxy' }, ['agentType', 'proxyType'], /agentType "kata" needs proxyType "kataProxy" or "noProxy", not "noopProxy"/],
    ['kata without its shim', { ...KATA, shimType: 'noopShim' }, ['agentType', 'shimType'], /agentType "kata" needs shimType "kataShim", not "noopShim"/],
    ['noop with the kata proxy', { proxyType: 'kataProxy' }, ['agentType', 'proxyType'], /agentType "noop" needs proxyType "noopProxy", not "kataProxy"/],
    ['noop with noProxy', { proxyType: 'noProxy' }, ['agentType', 'proxyType'], /agentType "noop" needs proxyType "noopProxy", not "noProxy"/],
    ['noop with the kata shim', { shimType: 'kataShim' }, ['agentType', 'shimType'], /agentType "noop" needs shimType "noopShim", not "kataShim"/],
    ['hyperstart on the mock hypervisor', { ...HYPER, hypervisorType: 'mock' }, ['agentType', 'hypervisorType'], /agentType "hyperstart" needs hypervisorType "qemu", not "mock"/],
    ['hyperstart behind the kata proxy', { ...HYPER, proxyType: 'kataProxy' }, ['agentType', 'proxyType'], /agentType "hyperstart" needs proxyType "ccProxy" or "noProxy", not "kataProxy".*another protocol/],
    ['hyperstart with the kata shim', { ...HYPER, shimType: 'kataShim' }, ['agentType', 'shimType'], /agentType "hyperstart" needs shimType "ccShim", not "kataShim"/],
    ['kata behind the ccProxy', { ...KATA, proxyType: 'ccProxy' }, ['agentType', 'proxyType'], /agentType "kata" needs proxyType "kataProxy" or "noProxy", not "ccProxy"/],
  ] as const)('refuses %s with INVALID_CONFIG naming both fields', (_, input, fields, message) => {
    expect(outcome(input)).toMatchObject({ code: 'INVALID_CONFIG', fields, message: expect.stringMatching(message) });
  });

  it('has a case above for every rule of the table', () => {
    expect(DRIVER_COMBINATIONS).toHaveLength(8);
  });

  it('reports a type without a driver as NOT_SUPPORTED before judging the pair', () => {
    // Every 1.0 type has a driver now: a stored record naming another one stands in.
    const config = { ...PodConfigSchema.parse({ id: 'p', ...KATA, hypervisorType: 'mock' }), proxyType: 'ccProxyV9' as never };
    expect(() => checkDriverCombination(config)).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED', message: expect.stringMatching(/proxy type "ccProxyV9"/) }));
  });
});

describe('what the create form offers', () => {
  it('lists the same implemented types as the registry', () => {
    const { hypervisor, agent, proxy, shim, network } = FACTORIES;
    expect(IMPLEMENTED_TYPES).toEqual({ hypervisorType: Object.keys(hypervisor), agentType: Object.keys(agent), proxyType: Object.keys(proxy), shimType: Object.keys(shim), networkModel: Object.keys(network) });
  });

  it('offers only what the table allows after the choices above', () => {
    const base = PodConfigSchema.parse({ id: 'p', ...KATA });
    expect(offeredValues('agentType', AgentTypeSchema.options, base)).toEqual(['noop', 'hyperstart', 'kata']);
    expect(offeredValues('agentType', AgentTypeSchema.options, { ...base, hypervisorType: 'mock' })).toEqual(['noop']);
    expect(offeredValues('proxyType', ProxyTypeSchema.options, base)).toEqual(['noProxy', 'kataProxy']);
    expect(offeredValues('proxyType', ProxyTypeSchema.options, { ...base, agentType: 'noop' })).toEqual(['noopProxy']);
    expect(offeredValues('shimType', ShimTypeSchema.options, base)).toEqual(['kataShim']);
    expect(offeredValues('proxyType', ProxyTypeSchema.options, { ...base, agentType: 'hyperstart' })).toEqual(['noProxy', 'ccProxy']);
    expect(offeredValues('shimType', ShimTypeSchema.options, { ...base, agentType: 'hyperstart', proxyType: 'ccProxy' })).toEqual(['ccShim']);
  });
});
