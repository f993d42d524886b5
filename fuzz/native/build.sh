#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/native/*.cc under AddressSanitizer and
# UndefinedBehaviorSanitizer with Debian's clang, into $1 (default .cache/fuzz/bin).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/.cache/fuzz/bin}
mkdir -p "$out/obj"
san=(-fsanitize=address,undefined -fno-sanitize-recover=undefined -g -O1 -I"$root/native/src")
csrc=(crypto/rc4.c crypto/sha1_generic.c crypto/sha1_x86_shani.c crypto/sha1_armv8ce.c crypto/sha1_dispatch.c crypto/mppe.c dataplane/tcp_mss.c)
objs=()
for c in "${csrc[@]}"; do
  o="$out/obj/$(echo "$c" | tr / _).o"
  if [ ! -f "$o" ] || [ "$root/native/src/$c" -nt "$o" ]; then
    clang -std=c11 "${san[@]}" -fsanitize=fuzzer-no-link -c "$root/native/src/$c" -o "$o"
  fi
  objs+=("$o")
done
for t in "$root"/fuzz/native/*.cc; do
  name=$(basename "$t" .cc)
  bin="$out/$name"
  newest=$(ls -t "$t" "$root"/native/src/*/*.h "${objs[@]}" | head -1)
  if [ ! -x "$bin" ] || [ "$newest" -nt "$bin" ]; then
    clang++ -std=c++17 "${san[@]}" -fsanitize=fuzzer "$t" "${objs[@]}" -o "$bin"
  fi
done
echo "$out"
