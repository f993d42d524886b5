#!/usr/bin/env bash
# Runs the tap suite and prints one plain closing line "tests: N passed, N failed".
#   tools/run-tests.sh              the whole suite (make test): the qemu-virt firmware image is
#                                   assembled in the background (raw, IMAGE_COMPRESS=no) while every
#                                   other folder runs, three files at a time, then test/firmware
#                                   boots it (two emulated machines at a time).
#   tools/run-tests.sh FILE...      tap on those files only
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0 failed=0 rc=0

tap_run() {
  local out r summary pass fail
  out=$(mktemp)
  npx tap "$@" 2>&1 | tee "$out"
  r=${PIPESTATUS[0]}
  summary=$(grep -E '^# \{ total: ' "$out" | tail -1)
  pass=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary"); pass=${pass:-0}
  fail=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary"); fail=${fail:-0}
  rm -f "$out"
  [ "$r" -ne 0 ] && [ "$fail" -eq 0 ] && fail=1
  passed=$((passed + pass)) failed=$((failed + fail))
  [ "$r" -ne 0 ] && rc=$r
  return 0
}

if [ $# -gt 0 ]; then
  tap_run "$@"
else
  mkdir -p out
  image_log=out/test-image.log
  echo "run-tests: assembling the qemu-virt image in the background (log: $image_log)"
  IMAGE_COMPRESS=no bash firmware/build-image.sh qemu-virt >"$image_log" 2>&1 &
  image_pid=$!
  mapfile -t files < <(ls test/*/*.test.ts | grep -v '^test/firmware/')
  # tap's default on 2 cores is one file at a time; most files wait on timers, guests and peers:
  # three at a time took the main group from 19.1 to 15.4 min (the image build beside it).
  tap_run --jobs=3 "${files[@]}"
  if wait "$image_pid"; then
    grep -E '^\[ *[0-9]+s\]' "$image_log" | tail -3
    # Two emulated machines at once (boot and update tests): TCG runs one vCPU per host core.
    tap_run --jobs=2 --timeout=900 test/firmware/*.test.ts
  else
    echo "run-tests: the qemu-virt image did not build; the end of $image_log:"
    tail -40 "$image_log"
    failed=$((failed + 1)) rc=1
  fi
fi
echo "tests: $passed passed, $failed failed"
exit "$rc"
