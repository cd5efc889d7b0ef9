#!/usr/bin/env bash
# Sets up everything Podvisor needs on a Debian 12 machine, as root, and skips what is already
# done: system packages, npm dependencies, the Prisma client, the guest agent, guest assets, the
# agent snapshot (boots one VM the first time), test rootfs.
set -euo pipefail
cd "$(dirname "$0")/.."

# postgresql: the server is only started by the tests of the PostgreSQL store.
# crun: the guest agent's tests run it on the host too; bsdutils: `script`, copied into the guest for TTYs.
# python3: podvisor-oci's pty handoff (server/host-procs/pty-handoff), SCM_RIGHTS that Node.js cannot send.
# podman, conmon, runc, containerd: the real clients the OCI runtime and the shim v2 are tested under (runc: podman's own
# containers, as crun refuses this host's cgroup layout; the bench's baseline).
APT_PACKAGES=(qemu-system-x86 qemu-utils busybox-static cpio kmod e2fsprogs util-linux bsdutils python3 crun chromium postgresql containernetworking-plugins iptables iproute2 podman conmon runc containerd)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund
fi

npx prisma generate >/dev/null
npx prisma generate --schema prisma/postgresql/schema.prisma >/dev/null
npm run --silent build:agent
npx tsx scripts/build-cli.ts >/dev/null
npm run --silent build:guest
# The agent's V8 startup snapshot: one guest boot (~25 s under TCG) the first time on this CPU and
# guest build, a no-op after. Without it pods still boot, on the plain bundle (docs/agent-snapshot.md).
npm run --silent build:snapshot || echo "setup: no agent snapshot; pods start the plain agent bundle" >&2
npm run --silent build:rootfs
