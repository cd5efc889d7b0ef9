// The device allowlist's schema, apart from its matcher (host-devices.ts) so that the console's
// form can validate with it without pulling node:fs into the browser bundle.
import { z } from 'zod';

const PatternSchema = z
  .string()
  .startsWith('/', 'must be an absolute path pattern')
  .max(4096)
  .refine((p) => !p.split('/').includes('..'), 'must not contain ".." components');
/** Empty is allowed: it means no device may be passed. */
export const HostDevicePatternsSchema = z.array(PatternSchema).max(64, 'must name at most 64 patterns');
