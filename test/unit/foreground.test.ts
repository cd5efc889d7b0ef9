// When the CLI follows a container in the foreground (server/cli/foreground.ts), and which one.
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../server/cli/context.js';
import { containerToFollow, followsInForeground } from '../../server/cli/foreground.js';
import { ContainerConfigSchema, type CmdInput, type State, type VCContainer } from '../../server/engine/index.js';

const container = (id: string, state: State, cmd: Partial<CmdInput> = {}) => {
  const config = ContainerConfigSchema.parse({ id, rootFs: '/r', cmd: { args: ['sh'], ...cmd } });
  return { id: () => id, state: () => state, config: () => config } as unknown as VCContainer;
};
const context = (over: Partial<CliContext>) => ({ api: {}, local: {}, json: false, quiet: false, ...over }) as CliContext;

describe('followsInForeground', () => {
  it('only on a terminal, without --json, with this host’s engine', () => {
    expect(followsInForeground(context({}), true)).toBe(true);
    expect(followsInForeground(context({}), false)).toBe(false); // out=$(podvisor …)
    expect(followsInForeground(context({ json: true }), true)).toBe(false);
    expect(followsInForeground(context({ local: null }), true)).toBe(false); // --url
  });
});

describe('containerToFollow', () => {
  it('is the first running container whose Cmd.detach is false (its default), in config order', () => {
    const all = [container('a', 'running', { detach: true }), container('b', 'ready'), container('c', 'running'), container('d', 'running')];
    expect(containerToFollow(all)?.id()).toBe('c');
    expect(containerToFollow(all, ['d'])?.id()).toBe('d');
    expect(containerToFollow(all, ['a'])).toBeUndefined();
    expect(containerToFollow([container('a', 'running', { detach: true })])).toBeUndefined();
  });
});
