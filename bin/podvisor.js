#!/usr/bin/env node
// `podvisor` in a checkout: registers tsx so Node loads the TypeScript CLI without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../server/cli/main.ts');
