// `podvisor template build|list|rm`: the VM templates pods are cloned from (docs/templating.md).
// Templates are also built on first need; `build` makes one ahead of time for a pod config given
// with the same flags as `pod run`, and fails (exit 7) when such a pod would boot cold, saying why.
import type { Command } from 'commander';
import type { TemplateInfo } from '../../engine/index.js';
import { apiAction } from '../context.js';
import { formatTable, show } from '../output.js';
import { addPodConfigOptions, podConfigFromFlags, type PodFlags } from './pod-config.js';

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

function age(createdAt: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(createdAt)) / 1000));
  return Number.isNaN(s) ? '-' : s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
}

export const templateTable = (templates: TemplateInfo[]) =>
  formatTable([
    ['KEY', 'SIZE', 'AGE', 'CLONES', 'VCPUS', 'MEMORY', 'DEVICES'],
    ...templates.map((t) => [t.key, mib(t.sizeBytes), age(t.createdAt), String(t.clones), String(t.inputs['vcpus'] ?? '-'), `${t.inputs['memoryMiB'] ?? '-'} MiB`, String(t.inputs['devices'] ?? '-')]),
  ]);

export function registerTemplateCommands(program: Command): void {
  const template = program.command('template').description('VM templates: pods are clones of a booted, paused template VM (docs/templating.md)');

  addPodConfigOptions(template.command('build').description('build the template a pod with this config would be cloned from (admin)')).action(
    apiAction(async (ctx, flags: PodFlags) => {
      const config = await podConfigFromFlags({ hypervisor: 'qemu', agent: 'kata', ...flags }, []);
      show(ctx, await ctx.api.template.build.mutate(config as never), (t) => `Template ${t.key} ready (${mib(t.sizeBytes)})`);
    }),
  );

  template
    .command('list')
    .description('every template: key, size, age and the clones using it')
    .action(apiAction(async (ctx) => show(ctx, await ctx.api.template.list.query(), templateTable)));

  template
    .command('rm <KEY>')
    .description('remove a template; refused while a clone maps it (admin)')
    .action(apiAction(async (ctx, key: string) => show(ctx, await ctx.api.template.remove.mutate({ key }), (r) => `Template ${r.key} removed`)));
}
