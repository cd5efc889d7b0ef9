// Managed templates for the engine's own calls (vc.listTemplates/buildTemplate/removeTemplate):
// the hypervisor drivers that can clone are asked; a build makes the template a pod with this
// config would clone, without a pod (the devices come from the pod's own agent driver).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { EngineError } from '../errors.js';
import { driversFor, FACTORIES, type DriverEnv } from '../drivers/registry.js';
import { linuxHost } from '../host/linux.js';
import type { PodConfig } from '../types.js';
import type { TemplateInfo, TemplateSettings, VmTemplates } from './types.js';

function templatingDrivers(env: DriverEnv & { templates: TemplateSettings }): VmTemplates[] {
  const hosted = { ...env, host: env.host ?? linuxHost };
  return Object.values(FACTORIES.hypervisor).flatMap((make) => {
    const templates = make?.(hosted).templates;
    return templates ? [templates] : [];
  });
}

export async function listTemplates(env: DriverEnv & { templates: TemplateSettings }): Promise<TemplateInfo[]> {
  return (await Promise.all(templatingDrivers(env).map((t) => t.list()))).flat();
}

export async function removeTemplate(env: DriverEnv & { templates: TemplateSettings }, key: string): Promise<void> {
  const owners = [];
  for (const t of templatingDrivers(env)) if ((await t.list()).some((i) => i.key === key)) owners.push(t);
  if (!owners.length) throw new EngineError('INVALID_ARGUMENT', `no template ${key}`);
  for (const t of owners) await t.remove(key);
}

/** Builds (or finds) the template a pod with `config` would be cloned from; refuses a config that would boot cold. */
export async function buildTemplate(env: DriverEnv & { templates: TemplateSettings }, config: PodConfig, log: Logger): Promise<TemplateInfo> {
  const drivers = driversFor(config, env);
  const templates = drivers.hypervisor.templates;
  if (!templates) throw new EngineError('NOT_SUPPORTED', `hypervisorType: ${config.hypervisorType} has no templates`, { field: 'hypervisorType' });
  // A scratch run dir: the agent's devices (its shared dir) are made in it, and it goes afterwards.
  await mkdir(env.templates.dir, { recursive: true, mode: 0o750 });
  const runDir = await mkdtemp(join(env.templates.dir, '.build-'));
  try {
    const pod = { id: config.id, config, runDir, runtime: { hypervisor: {}, agent: {}, network: {} }, log };
    const plan = { netNsPath: '', devices: await drivers.agent.devices(pod) };
    const fit = await templates.fit(pod, plan);
    if (!fit.ok) throw new EngineError('NOT_SUPPORTED', `this pod config boots cold: ${fit.reason}`);
    await templates.ensure(pod, plan, fit.key, drivers.agent.warmTemplate?.bind(drivers.agent));
    const info = (await templates.list()).find((i: TemplateInfo) => i.key === fit.key);
    if (!info) throw new EngineError('INTERNAL', `template ${fit.key} vanished after its build`);
    return info;
  } finally {
    await rm(runDir, { recursive: true, force: true });
  }
}
