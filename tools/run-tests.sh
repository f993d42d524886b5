#!/usr/bin/env bash
# Runs the tap suite and prints one plain closing line "tests: N passed, N failed".
#   tools/run-tests.sh              the whole suite (make test): every folder but test/firmware
#                                   runs two files at a time while, beside it, the qemu-virt
#                                   firmware image is assembled (raw, IMAGE_COMPRESS=no) and, as
#                                   soon as it is there, test/firmware boots it (two emulated
#                                   machines at a time; its output follows the rest's).
#   tools/run-tests.sh FILE...      tap on those files only
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0 failed=0 rc=0

# Adds one tap run's counts to the totals: $1 its output, $2 its exit code.
tally() {
  local summary pass fail
  summary=$(grep -E '^# \{ total: ' "$1" | tail -1)
  pass=$(sed -nE 's/.*pass: ([0-9]+).*/\1/p' <<<"$summary"); pass=${pass:-0}
  fail=$(sed -nE 's/.*fail: ([0-9]+).*/\1/p' <<<"$summary"); fail=${fail:-0}
  [ "$2" -ne 0 ] && [ "$fail" -eq 0 ] && fail=1
  passed=$((passed + pass)) failed=$((failed + fail))
  [ "$2" -ne 0 ] && rc=$2
  return 0
}

tap_run() {
  local out
  out=$(mktemp)
  npx tap "$@" 2>&1 | tee "$out"
  tally "$out" "${PIPESTATUS[0]}"
  rm -f "$out"
}

if [ $# -gt 0 ]; then
  tap_run "$@"
else
  mkdir -p out
  image_log=out/test-image.log firmware_log=out/test-firmware.log firmware_rc=out/test-firmware.rc
  rm -f "$firmware_log" "$firmware_rc"
  echo "run-tests: assembling the qemu-virt image and then booting it in the background (logs: $image_log, $firmware_log)"
  (
    if IMAGE_COMPRESS=no bash firmware/build-image.sh qemu-virt >"$image_log" 2>&1; then
      # Two emulated machines at once (boot and update tests): TCG runs one vCPU per host core.
      npx tap --jobs=2 --timeout=900 test/firmware/*.test.ts >"$firmware_log" 2>&1
      echo $? >"$firmware_rc"
    else
      echo image >"$firmware_rc"
    fi
  ) &
  firmware_pid=$!
  mapfile -t files < <(ls test/*/*.test.ts | grep -v '^test/firmware/')
  # tap's default on 2 cores is one file at a time; most files wait on timers, guests and peers.
  tap_run --jobs=2 "${files[@]}"
  wait "$firmware_pid"
  if [ "$(cat "$firmware_rc" 2>/dev/null)" = image ] || [ ! -f "$firmware_rc" ]; then
    echo "run-tests: the qemu-virt image did not build; the end of $image_log:"
    tail -40 "$image_log"
    failed=$((failed + 1)) rc=1
  else
    grep -E '^\[ *[0-9]+s\]' "$image_log" | tail -3
    cat "$firmware_log"
    tally "$firmware_log" "$(cat "$firmware_rc")"
  fi
fi
echo "tests: $passed passed, $failed failed"
exit "$rc"
