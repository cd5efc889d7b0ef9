// The whole project type-checks under strict TypeScript (Next's build skips this on purpose).
import { execa } from 'execa';
import { expect, it } from 'vitest';

it('tsc --noEmit passes', async () => {
  const result = await execa('npx', ['tsc', '--noEmit', '-p', '.'], { reject: false });
  expect(result.stdout + result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
}, 120_000);
