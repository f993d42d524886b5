#!/usr/bin/env bash
# Runs the tap suite and prints one plain closing line "tests: N passed, N failed".
#   tools/run-tests.sh              the whole suite (make test): the qemu-virt firmware image is
#                                   assembled in the background (raw, IMAGE_COMPRESS=no) while every
#                                   other folder runs, three files at a time; test/firmware boots
#                                   it (two emulated machines at a time) as soon as it is built.
#   tools/run-tests.sh FILE...      tap on those files only
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0 failed=0 rc=0

# Adds a finished tap run's figures (its output in $1, its status in $2) to the totals.
count_run() {
  local summary pass fail
  summary=$(grep -E '^# \{ total: ' "$1" | tail -1)
  pass=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary"); pass=${pass:-0}
  fail=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary"); fail=${fail:-0}
  [ "$2" -ne 0 ] && [ "$fail" -eq 0 ] && fail=1
  passed=$((passed + pass)) failed=$((failed + fail))
  [ "$2" -ne 0 ] && rc=$2
  return 0
}

# Failed assertions and files of every run, printed again at the very end: CI keeps only the
# last lines of the output.
failures=$(mktemp)
trap 'rm -f "$failures"' EXIT

tap_run() {
  local out r
  out=$(mktemp)
  npx tap "$@" 2>&1 | tee "$out"
  r=${PIPESTATUS[0]}
  count_run "$out" "$r"
  grep -E '^\s*not ok ' "$out" >>"$failures"
  rm -f "$out"
}

if [ $# -gt 0 ]; then
  tap_run "$@"
else
  mkdir -p out
  image_log=out/test-image.log firmware_log=out/test-firmware.log firmware_rc=out/test-firmware.rc
  rm -f "$firmware_log" "$firmware_rc"
  echo "run-tests: assembling the qemu-virt image in the background (log: $image_log), then"
  echo "run-tests: test/firmware boots it as soon as it is there (log: $firmware_log)"
  # The firmware tests start once the image is built, beside the rest of the main group, rather
  # than after it: the build and the main group take about as long, the boots 7 min more.
  # Two emulated machines at once (boot and update tests): TCG runs one vCPU per host core.
  (
    if IMAGE_COMPRESS=no bash firmware/build-image.sh qemu-virt >"$image_log" 2>&1; then
      grep -E '^\[ *[0-9]+s\]' "$image_log" | tail -3 >"$firmware_log"
      npx tap --jobs=2 --timeout=1500 test/firmware/*.test.ts >>"$firmware_log" 2>&1
      echo $? >"$firmware_rc"
    else
      echo "run-tests: the qemu-virt image did not build; the end of $image_log:" >"$firmware_log"
      tail -40 "$image_log" >>"$firmware_log"
      echo 1 >"$firmware_rc"
    fi
  ) &
  firmware_pid=$!
  mapfile -t files < <(ls test/*/*.test.ts | grep -v '^test/firmware/')
  # tap's default on 2 cores is one file at a time; most files wait on timers, guests and peers:
  # three at a time took the main group from 19.1 to 15.4 min (the image build beside it).
  tap_run --jobs=3 "${files[@]}"
  wait "$firmware_pid"
  cat "$firmware_log"
  count_run "$firmware_log" "$(cat "$firmware_rc" 2>/dev/null || echo 1)"
  grep -E '^\s*not ok ' "$firmware_log" >>"$failures"
fi
if [ -s "$failures" ]; then
  echo "failed (the assertions, then the file that holds them):"
  sed -E 's/^\s+/  /' "$failures" | cut -c1-240
fi
echo "tests: $passed passed, $failed failed"
exit "$rc"
