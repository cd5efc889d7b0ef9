// `podvisor settings …`: the console's admin settings. host-paths: the folders that host paths in
// pod and container configs (root filesystems, volumes, mounts, kernels, hooks…) must resolve into;
// host-devices: glob patterns of the device nodes they may name (deviceInfos, a block rootfs).
import path from 'node:path';
import type { Command } from 'commander';
import { apiAction } from '../context.js';
import { show } from '../output.js';

const lines = (roots: string[]) => roots.join('\n');

export function registerSettingsCommands(program: Command): void {
  const settings = program.command('settings').description("the console's settings (admin)");

  const hostPaths = settings
    .command('host-paths')
    .description('the host folders API calls may name, one a line')
    .action(apiAction(async (ctx) => show(ctx, await ctx.api.admin.hostPathRoots.query(), lines)));

  hostPaths
    .command('set <PATH...>')
    .description('replace them: existing directories, stored with symlinks resolved')
    .action(
      apiAction(async (ctx, paths: string[]) => {
        // A relative path means this shell's folder, which a console elsewhere (--url) cannot know.
        const roots = ctx.local ? paths.map((p) => path.resolve(p)) : paths;
        show(ctx, await ctx.api.admin.setHostPathRoots.mutate({ roots }), lines);
      }),
    );

  const hostDevices = settings
    .command('host-devices')
    .description('glob patterns of the host devices API calls may name, one a line (none: no device)')
    .action(apiAction(async (ctx) => show(ctx, await ctx.api.admin.hostDevicePatterns.query(), lines)));

  hostDevices
    .command('set [PATTERN...]')
    .description("replace them: absolute globs such as '/dev/loop*' (quote them from the shell); none clears the list")
    .action(apiAction(async (ctx, patterns: string[]) => show(ctx, await ctx.api.admin.setHostDevicePatterns.mutate({ patterns }), lines)));
}
