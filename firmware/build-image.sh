#!/usr/bin/env bash
# `make image`: firmware/build-image.sh [BOARD]  (raspberrypi4 | raspberrypi3 | qemu-virt)
# Steps, each cached or fast:
#   1. Debian packages for the build (tools/debian-packages/firmware.txt)
#   2. the arm64 root from mmdebstrap, cached by its package list   (minutes, once)
#   3. the arm64 Node binary from npm, cached by version              (~15 s once)
#   4. assembly: prune, overlays, daemon, partitions, genimage, xz    (~1-2 min every time)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"
board=${1:-raspberrypi4}
[ "$(id -u)" -eq 0 ] || die "make image needs root (mmdebstrap, binfmt_misc, file ownership in the root)"
[ -f "$top/board/$board/board.conf" ] || die "unknown board '$board'"
step "image for $board: build packages"
bash "$top/tools/install-deps.sh" firmware >&2
tarball=$(bash "$here/rootfs.sh")
nodebin=$(bash "$here/node.sh")
bash "$here/assemble.sh" "$board" "$tarball" "$nodebin"
step "image for $board: done in $(( $(date +%s) - FW_T0 )) s"
