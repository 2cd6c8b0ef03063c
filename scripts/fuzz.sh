#!/usr/bin/env bash
# Runs each libFuzzer harness for a set time and prints executions, coverage and crashes.
#   scripts/fuzz.sh BUILD_DIR SECONDS NAME...   (make fuzz FUZZ_SECONDS=N runs all six)
# Inputs that grow coverage go to BUILD_DIR/fuzz-corpus/NAME (seeded from the fixtures and
# tests/fuzz/corpus/NAME); crashes, leaks and timeouts to BUILD_DIR/fuzz-artifacts/NAME. Keep a
# crash input as tests/fuzz/regressions/NAME/<what>.<ext> once fixed: every `make test` replays
# it. One fuzzer at a time, niced: the machine stays usable.
set -uo pipefail
build=$1
seconds=$2
shift 2
root="$(cd "$(dirname "$0")/.." && pwd)"
printf '%-14s %12s %8s %8s %8s %7s\n' harness executions exec/s cov ft crashes
status=0
for name in "$@"; do
  corpus="$build/fuzz-corpus/$name"
  artifacts="$build/fuzz-artifacts/$name"
  mkdir -p "$corpus" "$artifacts"
  # libFuzzer reads directories: single seed files are copied into one.
  read -r -a given < "$build/fuzz_$name.seeds"
  seeds=()
  for s in "${given[@]}"; do
    if [ -f "$s" ]; then
      mkdir -p "$build/fuzz-seed-files/$name"
      cp "$s" "$build/fuzz-seed-files/$name/"
      seeds+=("$build/fuzz-seed-files/$name")
    elif [ -d "$s" ]; then
      seeds+=("$s")
    fi
  done
  log="$build/fuzz-$name.log"
  nice -n 10 "$build/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -dict="$root/tests/fuzz/dict/$name.dict" -artifact_prefix="$artifacts/" \
    -print_final_stats=1 "$corpus" "${seeds[@]}" > "$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' <<< "$last" | grep -o '[0-9]*')
  ft=$(grep -o 'ft: [0-9]*' <<< "$last" | grep -o '[0-9]*')
  crashes=$(find "$artifacts" -type f | wc -l)
  printf '%-14s %12s %8s %8s %8s %7s\n' "$name" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" \
    "$crashes"
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    status=1
    echo "  $name: exit $rc; see $log and $artifacts" >&2
  fi
done
exit $status
