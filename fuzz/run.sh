#!/usr/bin/env bash
# `make fuzz`: every fuzz target for FUZZ_S seconds (default 300), native ones (libFuzzer, ASan +
# UBSan) then TypeScript ones (fast-check). Prints per target: executions, findings, seconds.
# Native findings are saved by libFuzzer to fuzz/regressions/native/<target>/, TypeScript ones to
# fuzz/regressions/ts/<target>/; the test suite replays both for ever. FUZZ_TARGETS=name,... runs
# only those (native:<name> or ts:<name>, or the bare name).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_S:-300}
only=${FUZZ_TARGETS:-}
want() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]] || [[ ",$only," == *",${1#*:},"* ]]; }
bin=$(bash "$root/fuzz/native/build.sh") || exit 1
status=0
for src in "$root"/fuzz/native/*.cc; do
  t=$(basename "$src" .cc)
  want "native:$t" || continue
  corpus="$root/.cache/fuzz/corpus/$t"
  found="$root/fuzz/regressions/native/$t"
  mkdir -p "$corpus" "$found"
  seeds=()
  [ -d "$root/fuzz/corpus/native/$t" ] && seeds+=("$root/fuzz/corpus/native/$t")
  before=$(ls "$found" | wc -l)
  start=$(date +%s)
  log=$("$bin/$t" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=1024 \
    -artifact_prefix="$found/" "$corpus" "${seeds[@]}" "$found" 2>&1)
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' <<<"$log" | grep -o '[0-9]*$')
  after=$(ls "$found" | wc -l)
  echo "native:$t executions=${execs:-0} findings=$((after - before)) seconds=$(( $(date +%s) - start ))"
  if [ "$after" -gt "$before" ] || [ -z "$execs" ]; then
    status=1
    grep -E 'ERROR|SUMMARY|Test unit written' <<<"$log" | head -5 | sed 's/^/  /'
  fi
done
ts_only=()
if [ -n "$only" ]; then
  for n in ${only//,/ }; do [[ "$n" == native:* ]] || ts_only+=("${n#ts:}"); done
  [ ${#ts_only[@]} -eq 0 ] && exit $status
fi
cd "$root" && node --import tsx fuzz/ts/run.ts "$seconds" "${ts_only[@]}" || status=1
exit $status
