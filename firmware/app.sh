#!/usr/bin/env bash
# Stages the daemon as it runs on the target into $1 (becomes /opt/routerd on the image):
#   package.json, dist/src/ (the compiled TypeScript, bundled), node_modules/ (production dependencies only, arm64
#   prebuilds only), native/build/Release/pptp_native.node (the cross-built arm64 addon, if built).
# The production node_modules are cached by the lock file's hash, so a daemon change costs a tsc run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"
dest=$1
rm -rf "$dest"; mkdir -p "$dest"

step "daemon: tsc"
(cd "$top" && npx tsc -p tsconfig.json >&2) || die "the daemon does not compile (tsc above)"

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
# The daemon as three bundles (the daemon, the router it imports when it starts, SSH and the API
# loaded after the consoles) sharing chunks, so every module still exists once: Node opens,
# resolves and looks up in the compile cache about 25 files instead of about 230 (serialport's
# packages included), which was seconds of the start under QEMU (issue 18). Same entry paths as
# dist/ (the unit, the daemon's import of ./router/index.js, package.json found above
# import.meta.url). Left as packages: those that find native code or data beside their own files
# (serialport's bindings, ssh2), and what is only loaded after the console is up. The banner gives
# the bundled CommonJS code (serialport) the require() an ES module lacks.
step "daemon: bundle (esbuild)"
(cd "$top" && npx esbuild dist/src/daemon.js dist/src/router/index.js dist/src/remote/services.js \
  --bundle --splitting --format=esm --platform=node --target=node24 \
  --external:@serialport/bindings-cpp --external:ssh2 --external:selfsigned --external:systeminformation \
  "--banner:js=import { createRequire as __routerdRequire } from 'node:module'; const require = __routerdRequire(import.meta.url);" \
  --outbase=dist/src --outdir="$dest/dist/src" --chunk-names='chunk-[hash]' --log-level=warning >&2) \
  || die "esbuild could not bundle the daemon"

addon="$top/native/build-arm64/Release/pptp_native.node"
file -b "$addon" 2>/dev/null | grep -q 'ARM aarch64' || die "no arm64 native addon at $addon (make native-arm64)"
install -D -m644 "$addon" "$dest/native/build/Release/pptp_native.node"
step "daemon: arm64 native addon included ($(du -h "$addon" | cut -f1))"
step "daemon: staged $(du -sh "$dest" | cut -f1)"
