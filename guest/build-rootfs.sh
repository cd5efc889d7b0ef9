#!/usr/bin/env bash
# Builds a small container root filesystem from Debian's busybox-static under var/rootfs/busybox:
# busybox with its applet links, root plus an unprivileged user "app" (1000:1000) and group "staff" (50).
# Cached: does nothing while var/rootfs/busybox.stamp matches the inputs.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT_ROOT=${PODVISOR_ROOTFS_DIR:-$REPO/var/rootfs}
ROOTFS=$OUT_ROOT/busybox
STAMP=$OUT_ROOT/busybox.stamp

log() { echo "build-rootfs: $*" >&2; }

if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed'; then
  log "installing busybox-static"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends busybox-static >&2
fi

mkdir -p "$OUT_ROOT"
exec 9>"$OUT_ROOT/.lock"
flock 9
fingerprint=$({ dpkg-query -W -f='${Version}' busybox-static; sha256sum "${BASH_SOURCE[0]}"; } | sha256sum | awk '{print $1}')
if [ -d "$ROOTFS" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$fingerprint" ]; then
  log "up to date ($ROOTFS)"
  exit 0
fi

work=$(mktemp -d "$OUT_ROOT/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,root,home/app,var/tmp}
chmod 1777 "$work/tmp" "$work/var/tmp"
chmod 700 "$work/root"
cp /bin/busybox "$work/bin/busybox"
for applet in $(/bin/busybox --list-full); do
  [ -e "$work/$applet" ] || ln -s /bin/busybox "$work/$applet"
done
cat >"$work/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:app:/home/app:/bin/sh
EOF
cat >"$work/etc/group" <<'EOF'
root:x:0:
staff:x:50:app
app:x:1000:
EOF
chown 1000:1000 "$work/home/app"
printf 'hosts: files\n' >"$work/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n' >"$work/etc/hosts"

rm -f "$STAMP"
rm -rf "$ROOTFS"
mv "$work" "$ROOTFS"
chmod 755 "$ROOTFS"
echo "$fingerprint" >"$STAMP"
log "done: $ROOTFS"
