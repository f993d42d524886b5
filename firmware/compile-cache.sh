#!/usr/bin/env bash
# V8 compile cache for the daemon (Node's NODE_COMPILE_CACHE), made at build time so the first
# boot does not parse and compile every module again: runs the image's own node in the staged
# root (arm64 under qemu-user through binfmt_misc) so the cached paths are the image's paths.
# The root is read-only at run time: Node reads the cache and cannot add to it (it says nothing).
# V8 keys the cache to node's options: these runs pass the ones routerd.service passes.
#   firmware/compile-cache.sh ROOT
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
root=$1
cache=/opt/routerd/compile-cache
enable_binfmt_aarch64
rm -rf "${root:?}$cache"; mkdir -p "$root$cache"
# --help loads every module the daemon imports statically, then exits; the router (imported
# when the daemon starts it) and SSH and the API (after the consoles) are loaded on their own.
chroot "$root" env -i PATH=/usr/bin:/bin NODE_COMPILE_CACHE="$cache" /opt/routerd/bin/node --max-semi-space-size=1 /opt/routerd/dist/src/daemon.js --help >/dev/null
chroot "$root" env -i PATH=/usr/bin:/bin NODE_COMPILE_CACHE="$cache" /opt/routerd/bin/node --max-semi-space-size=1 --input-type=module \
  -e "await import('/opt/routerd/dist/src/router/index.js'); await import('/opt/routerd/dist/src/remote/services.js')" >/dev/null 2>&1 || true
step "daemon: V8 compile cache $(du -sh "$root$cache" | cut -f1) ($(find "$root$cache" -type f | wc -l) files)"
