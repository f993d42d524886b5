#!/usr/bin/env bash
# Runs the whole tap suite and prints one plain closing line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
npx tap "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
summary=$(grep -E '^# \{ total: ' "$out" | tail -1)
pass=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary"); pass=${pass:-0}
fail=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary"); fail=${fail:-0}
rm -f "$out"
[ "$rc" -ne 0 ] && [ "$fail" -eq 0 ] && fail=1
echo "tests: $pass passed, $fail failed"
exit "$rc"
