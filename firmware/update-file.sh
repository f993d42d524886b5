#!/usr/bin/env bash
# A signed update file from the root `make image` left in out/build/BOARD (no Debian rebuild):
#   firmware/update-file.sh BOARD VERSION OUT [KEY.pem] [EXTRA_DIR]
# KEY defaults to the development key (firmware/keys/dev-vendor.pem). EXTRA_DIR, if given, is
# copied over the root first (a changed file for a test); without it the slot image of the
# build is reused as it is and only the version in the signed head differs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"
board=$1 version=$2 out=$3 key=${4:-$here/keys/dev-vendor.pem} extra=${5:-}
build="$top/out/build/$board"
[ -f "$build/slot.squashfs" ] || die "no $build/slot.squashfs (make image BOARD=$board first)"
payload="$build/slot.squashfs"
if [ -n "$extra" ]; then
  tmp=$(mktemp -d "$top/out/build/upd.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  # Appending to a squashfs cannot replace a file; rebuild from the staged root plus EXTRA_DIR.
  # zstd level 3: fast to make; only test updates take this path.
  cp -a "$build/root" "$tmp/root"
  cp -rT --preserve=mode "$extra" "$tmp/root"
  mksquashfs "$tmp/root" "$tmp/slot.squashfs" -comp zstd -Xcompression-level 3 -b 1M -noappend -no-progress -quiet -no-xattrs >/dev/null
  payload="$tmp/slot.squashfs"
fi
[ -f "$top/dist/tools/update-file.js" ] || (cd "$top" && npx tsc -p tsconfig.json)
node "$top/dist/tools/update-file.js" --key "$key" --board "$board" --version "$version" --payload "$payload" --out "$out" >&2
step "update file: $out ($(du -m --apparent-size "$out" | cut -f1) MiB, $board $version)"
