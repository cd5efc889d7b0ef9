#!/usr/bin/env bash
# Builds the pod VM's guest assets under var/guest/ from Debian packages only: the kernel as an ELF
# vmlinux (booted via PVH), a small initramfs (busybox, modules, /init) and a read-only erofs image
# holding node, crun and the guest agent. Cached: does nothing while var/guest/stamp matches the inputs.
set -euo pipefail

KERNEL_ABI=6.1.0-56-amd64 # the one place the guest kernel is pinned (Debian point releases rename it)
HOST_PACKAGES=(qemu-system-x86 busybox-static cpio kmod e2fsprogs erofs-utils xz-utils)
GUEST_DEBS=("linux-image-$KERNEL_ABI" crun libyajl2)

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GUEST_SRC=$REPO/guest
OUT=${PODVISOR_GUEST_DIR:-$REPO/var/guest}
DEB_CACHE=$REPO/var/cache/debs
AGENT_BUNDLE=$REPO/dist/guest/agent.mjs
AGENT_SNAPSHOT_BUNDLE=$REPO/dist/guest/agent-snapshot.cjs # what the guest builds its V8 snapshot from

log() { echo "build-guest: $*" >&2; }
die() { log "error: $*"; exit 1; }

install_host_packages() {
  local missing=() pkg
  for pkg in "${HOST_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  log "installing ${missing[*]}"
  # Another engineer's apt run may hold the lock: wait for it rather than fail.
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}" >&2
}

candidate_version() { apt-cache policy "$1" | awk '/Candidate:/ {print $2}'; }

# The agent the image carries: the real bundle once the agent engineer has built it, else our
# command-running test agent (useful only for developing the guest itself).
agent_source() { if [ -f "$AGENT_BUNDLE" ]; then echo "$AGENT_BUNDLE"; else echo "$GUEST_SRC/test-agent.mjs"; fi; }

input_fingerprint() {
  {
    echo "kernel=$KERNEL_ABI"
    local pkg
    for pkg in "${GUEST_DEBS[@]}" busybox-static; do echo "$pkg=$(candidate_version "$pkg")"; done
    echo "node=$(node --version) $(stat -c '%s %Y' "$(readlink -f "$(command -v node)")")"
    echo "script=$(stat -c '%s %Y' /usr/bin/script)"
    sha256sum "$GUEST_SRC/build-assets.sh" "$GUEST_SRC/init" "$GUEST_SRC/modules" "$(agent_source)" | awk '{print $1}'
    [ ! -f "$AGENT_SNAPSHOT_BUNDLE" ] || sha256sum "$AGENT_SNAPSHOT_BUNDLE" | awk '{print $1}'
  } | sha256sum | awk '{print $1}'
}

fetch_debs() {
  mkdir -p "$DEB_CACHE"
  local pkg version
  for pkg in "${GUEST_DEBS[@]}"; do
    version=$(candidate_version "$pkg")
    [ -n "$version" ] && [ "$version" != "(none)" ] || die "apt has no package $pkg (is KERNEL_ABI still current?)"
    ls "$DEB_CACHE/${pkg}_${version#*:}_"*.deb >/dev/null 2>&1 && continue
    log "downloading $pkg $version"
    (cd "$DEB_CACHE" && apt-get download "$pkg=$version" 2>/dev/null) || die "apt-get download $pkg failed"
  done
}

unpack_debs() { # $1: destination
  local pkg
  for pkg in "${GUEST_DEBS[@]}"; do dpkg -x "$(ls "$DEB_CACHE/${pkg}_$(candidate_version "$pkg" | sed 's/^[0-9]*://')_"*.deb)" "$1"; done
}

# Debian ships a bzImage whose payload is XZ; QEMU boots the ELF vmlinux inside it via PVH, which
# skips the ~4 s decompression under TCG.
extract_vmlinux() { # $1: bzImage, $2: output
  local offset
  offset=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$1" | head -n1 | cut -d: -f1)
  [ -n "$offset" ] || die "no XZ payload in $1"
  tail -c +$((offset + 1)) "$1" | xz -dcq >"$2" 2>/dev/null || true # trailing bytes after the stream make xz complain
  [ "$(head -c4 "$2" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || die "extracted kernel is not an ELF file"
}

# Debian signs its modules; this kernel checks a signature at every load (hashing the module and an
# RSA verify, emulated under TCG) although it does not enforce them: the guest's modules come from
# the image we build, so the check buys nothing. Unsigned, the 18 modules load in ~0.1 s less.
strip_signature() { # $1: module file
  local magic='~Module signature appended~' size sig_len
  [ "$(tail -c 28 "$1" | head -c 27)" = "$magic" ] || return 0
  # The trailer: signature, then struct module_signature (12 bytes, sig_len big-endian last), then the magic.
  sig_len=$(tail -c 32 "$1" | head -c 4 | od -An -tu1 | awk '{print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4}')
  size=$(stat -c %s "$1")
  truncate -s $((size - 28 - 12 - sig_len)) "$1"
}

copy_modules() { # $1: unpacked debs, $2: stage root
  local src=$1/lib/modules/$KERNEL_ABI dst=$2/lib/modules/$KERNEL_ABI module file
  [ -f "$src/modules.dep" ] || depmod -b "$1" "$KERNEL_ABI"
  mkdir -p "$dst"
  cp "$src"/modules.builtin* "$src/modules.order" "$dst/"
  grep -v '^#' "$GUEST_SRC/modules" | while read -r _when module; do
    [ -n "$module" ] || continue
    modprobe -d "$1" -S "$KERNEL_ABI" --show-depends "$module" | awk '$1 == "insmod" {print $2}' | while read -r file; do
      mkdir -p "$2$(dirname "${file#"$1"}")"
      cp "$file" "$2${file#"$1"}"
      strip_signature "$2${file#"$1"}"
    done
  done
  depmod -b "$2" "$KERNEL_ABI"
}

install_busybox() { # $1: stage root; applet links like a normal system so scripts find them on PATH
  local applet
  mkdir -p "$1"/{bin,sbin,usr/bin,usr/sbin}
  cp /bin/busybox "$1/bin/busybox"
  for applet in $(/bin/busybox --list-full); do [ -e "$1/$applet" ] || ln -s /bin/busybox "$1/$applet"; done
}

copy_with_libs() { # $1: stage root, $2: binary, $3: path inside the guest, [$4: extra library dir]
  mkdir -p "$1$(dirname "$3")"
  cp "$2" "$1$3"
  local lib
  for lib in $(LD_LIBRARY_PATH=${4:-} ldd "$2" | awk '/not found/ {print "MISSING:" $1} /=>/ && $3 ~ /^\// {print $3} /^\t\// {print $1}'); do
    case $lib in MISSING:*) die "$2 needs ${lib#MISSING:}, which is not installed on the host" ;; esac
    # Libraries from the unpacked debs go to the guest's standard library directory.
    if [ -n "${4:-}" ] && [[ $lib == "$4"/* ]]; then
      cp -L "$lib" "$1/lib/x86_64-linux-gnu/"
    else
      mkdir -p "$1$(dirname "$lib")" && cp -L "$lib" "$1$lib"
    fi
  done
}

build_initramfs() { # $1: unpacked debs, $2: work dir, $3: output
  local stage=$2/initramfs
  mkdir -p "$stage"/{dev,proc,sys,run,newroot,etc/podvisor}
  install_busybox "$stage"
  copy_modules "$1" "$stage"
  cp "$GUEST_SRC/init" "$stage/init"
  cp "$GUEST_SRC/modules" "$stage/etc/podvisor/modules"
  mknod -m 600 "$stage/dev/console" c 5 1 # so /init has stdio before devtmpfs is mounted
  # Uncompressed: unpacking is a memcpy, decompressing under TCG is not.
  (cd "$stage" && find . -print0 | sort -z | cpio -o -0 -H newc --quiet -R 0:0) >"$3"
}

build_image() { # $1: unpacked debs, $2: work dir, $3: output
  local stage=$2/image
  mkdir -p "$stage"/{dev,proc,sys,run,tmp,root,etc,var/log,opt/podvisor,lib/x86_64-linux-gnu}
  chmod 1777 "$stage/tmp"
  install_busybox "$stage"
  copy_modules "$1" "$stage"
  copy_with_libs "$stage" "$(readlink -f "$(command -v node)")" /usr/bin/node
  copy_with_libs "$stage" "$1/usr/bin/crun" /usr/bin/crun "$1/usr/lib/x86_64-linux-gnu"
  # The agent runs terminal processes under util-linux `script` (busybox has none): it allocates the pty.
  copy_with_libs "$stage" /usr/bin/script /usr/bin/script
  cp "$(agent_source)" "$stage/opt/podvisor/agent.mjs"
  [ ! -f "$AGENT_SNAPSHOT_BUNDLE" ] || cp "$AGENT_SNAPSHOT_BUNDLE" "$stage/opt/podvisor/agent-snapshot.cjs"
  # Which agent and node a V8 snapshot must come from: init compares it with the snapshot's manifest.
  cat "$stage/opt/podvisor/"agent* <(node --version) | sha256sum | cut -c1-16 >"$stage/opt/podvisor/bundle.id"
  cp "$GUEST_SRC/init" "$stage/sbin/podvisor-init"
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$stage/etc/passwd"
  printf 'root:x:0:\n' >"$stage/etc/group"
  printf 'hosts: files\n' >"$stage/etc/nsswitch.conf"
  printf '127.0.0.1 localhost\n' >"$stage/etc/hosts"
  # erofs, not ext4: the image is read-only anyway, and its driver is ~0.24 MB against ext4's ~2.5 MB
  # with jbd2, mbcache and crc16, which every boot loaded under TCG (bench/runpod.ts, README).
  # Uncompressed: a file read is a plain block read, no decompression in the emulated guest.
  mkfs.erofs --quiet --all-root -T0 "$3" "$stage" >/dev/null
}

main() {
  install_host_packages
  mkdir -p "$OUT"
  exec 9>"$OUT/.lock"
  flock 9 # concurrent builds (parallel test files) wait for the first one
  local fingerprint
  fingerprint=$(input_fingerprint)
  if [ "$(cat "$OUT/stamp" 2>/dev/null)" = "$fingerprint" ]; then log "up to date ($OUT)"; return; fi
  fetch_debs
  work=$(mktemp -d "$OUT/.build.XXXXXX") # global: the EXIT trap runs after main returns
  trap 'rm -rf "$work"' EXIT
  unpack_debs "$work/debs"
  log "kernel $KERNEL_ABI"
  extract_vmlinux "$work/debs/boot/vmlinuz-$KERNEL_ABI" "$work/vmlinux"
  log "initramfs"
  build_initramfs "$work/debs" "$work" "$work/initrd.img"
  log "image (agent: $(agent_source))"
  build_image "$work/debs" "$work" "$work/image.erofs"
  rm -f "$OUT/stamp"
  mv "$work/vmlinux" "$work/initrd.img" "$work/image.erofs" "$OUT/"
  rm -f "$OUT/image.ext4" # the image before erofs
  echo "$fingerprint" >"$OUT/stamp"
  log "done: $OUT/{vmlinux,initrd.img,image.erofs}"
}

main "$@"
