#!/usr/bin/env node
// `podvisor-oci`: an OCI runtime with runc's command line (podman --runtime, CRI-O), whose
// containers are Podvisor pods. Runs the TypeScript source through tsx, as `podvisor` does while
// its bundle is stale.
const { register } = await import('tsx/esm/api');
register();
await import('../server/oci/main.ts');
