#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/native/*.cc under AddressSanitizer and
# UndefinedBehaviorSanitizer with Debian's clang, into $1 (default .cache/fuzz/bin).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/.cache/fuzz/bin}
mkdir -p "$out/obj"
san=(-fsanitize=address,undefined -fno-sanitize-recover=undefined -g -O1 -I"$root/native/src")
# Every crypto source, so a new implementation behind the dispatcher links without an edit here.
csrc=(dataplane/tcp_mss.c dataplane/multilink.c)
for c in "$root"/native/src/crypto/*.c; do csrc+=("crypto/$(basename "$c")"); done
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
