#!/usr/bin/env bash
# Builds (or reuses) the Debian arm64 base root: cache/rootfs/<key>.tar, where <key> hashes
# the package list and everything that shapes the root. Prints the tarball's path on stdout.
# Only this step runs arm64 code (dpkg and maintainer scripts under qemu-user), so it is the
# slow one (13.7 min at load average 11, where it took 33 min before the kernel moved out) and
# the only one that is cached by content. The kernel and the Pi boot firmware are unpacked on the host
# (firmware/kernel.sh): through dpkg they took most of that time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"

cache="$top/cache/rootfs"
mkdir -p "$cache"
key=$(cat "$here/packages.txt" "$here/rootfs.sh" "$here/kernel.sh" | sha256sum | cut -c1-16)
tarball="$cache/bookworm-arm64-$key.tar"
if [ -s "$tarball" ]; then
  step "root file system: cached ($(basename "$tarball"))"
  echo "$tarball"
  exit 0
fi

enable_binfmt_aarch64
packages=$(grep -v '^\s*#' "$here/packages.txt" | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
step "root file system: mmdebstrap bookworm arm64 (minbase + $(echo "$packages" | tr ',' ' '); the kernel and raspi-firmware on the host)"
step "  this runs dpkg under qemu-user and takes minutes; progress follows"
tmp="$tarball.partial.$$"
trap 'rm -f "$tmp"' EXIT
mmdebstrap --variant=minbase --architectures=arm64 --mode=root --format=tar \
  --components="main non-free-firmware" \
  --include="$packages" \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/lintian/*' \
  --customize-hook="bash '$here/kernel.sh' \"\$1\"" \
  --customize-hook='chroot "$1" dpkg-query -W -f="\${Installed-Size}\t\${Package}\n" | sort -n | tail -15 >&2' \
  bookworm "$tmp" \
  "deb $mirror bookworm main non-free-firmware" \
  "deb $mirror bookworm-updates main non-free-firmware" \
  "deb $security bookworm-security main non-free-firmware" >&2
mv "$tmp" "$tarball"
trap - EXIT
# Keep only the newest few roots.
ls -1t "$cache"/*.tar | tail -n +4 | xargs -r rm -f
step "root file system: built $(basename "$tarball") ($(du -h "$tarball" | cut -f1))"
echo "$tarball"
