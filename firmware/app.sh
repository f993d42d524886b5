#!/usr/bin/env bash
# Stages the daemon as it runs on the target into $1 (becomes /opt/routerd on the image):
#   package.json, dist/ (compiled TypeScript), node_modules/ (production dependencies only, arm64
#   prebuilds only), native/build/Release/pptp_native.node (the cross-built arm64 addon, if built).
# The production node_modules are cached by the lock file's hash, so a daemon change costs a tsc run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"
dest=$1
rm -rf "$dest"; mkdir -p "$dest"

step "daemon: tsc (type errors in work-in-progress files do not stop the emit)"
(cd "$top" && npx tsc -p tsconfig.json >/dev/null 2>&1) || true
if [ ! -f "$top/dist/src/daemon.js" ]; then
  # Only for trying the image plumbing before the daemon exists: the unit will fail to start.
  [ "${ALLOW_NO_DAEMON:-}" = 1 ] || die "dist/src/daemon.js was not emitted (src/daemon.ts missing?)"
  step "daemon: WARNING dist/src/daemon.js missing; building an image without a working daemon (ALLOW_NO_DAEMON=1)"
fi

key=$(cat "$top/package.json" "$top/package-lock.json" | sha256sum | cut -c1-16)
mods="$top/cache/npm-prod/$key"
if [ ! -d "$mods/node_modules" ]; then
  step "daemon: npm ci --omit=dev (production dependencies, once per lock file)"
  rm -rf "$mods.partial"; mkdir -p "$mods.partial"
  cp "$top/package.json" "$top/package-lock.json" "$mods.partial/"
  # --ignore-scripts: nothing is compiled for the host; serialport loads its arm64 prebuild.
  (cd "$mods.partial" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  # Keep only the prebuilds the target can load (linux arm64, glibc).
  find "$mods.partial/node_modules" -type d -path '*/prebuilds/*' -prune \
    ! -name 'linux-arm64' -exec rm -rf {} +
  find "$mods.partial/node_modules" -path '*/prebuilds/linux-arm64/*musl*' -delete
  find "$mods.partial/node_modules" \( -name '*.md' -o -name '*.d.ts' -o -name '*.map' -o -name '*.ts' \) -type f -delete
  mkdir -p "$(dirname "$mods")"; mv "$mods.partial" "$mods"
  ls -1dt "$top"/cache/npm-prod/* | tail -n +3 | xargs -r rm -rf
fi
cp "$top/package.json" "$dest/"
cp -a "$mods/node_modules" "$dest/node_modules"
mkdir -p "$dest/dist"
(cd "$top/dist" && find . -name '*.js' ! -path './test/*' -print0 | cpio -0 -pdm --quiet "$dest/dist")

addon="$top/native/build-arm64/Release/pptp_native.node"
if [ -f "$addon" ] && file -b "$addon" | grep -q 'ARM aarch64'; then
  install -D -m644 "$addon" "$dest/native/build/Release/pptp_native.node"
  step "daemon: arm64 native addon included ($(du -h "$addon" | cut -f1))"
else
  step "daemon: WARNING no arm64 native addon ($addon missing; run make native-arm64): image runs the TypeScript data plane only"
fi
step "daemon: staged $(du -sh "$dest" | cut -f1)"
