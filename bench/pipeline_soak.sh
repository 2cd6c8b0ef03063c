#!/usr/bin/env bash
# Soak test of the MPI pipeline: many inferences of a small model through a 3-stage plan, with
# the resident memory of every rank sampled while it runs.
#
#   bench/pipeline_soak.sh [TESSERA_BINARY] [INFERENCES] [MODEL]
#   (defaults: build/release/tessera, 100000, resnet20)
#
# The plan is made for three CPU devices of this machine (examples/core-pair.yaml with three
# instances), so the stages run at the executor's real speed. What it checks:
#  - no lost or reordered output: every message carries its inference index and every stage
#    and the sink stop the run with an error when the index is not the one due (exit != 0), and
#    the run must report INFERENCES measured inferences;
#  - no growth of resident memory: VmRSS of each rank (tessera-stage process) sampled every
#    second; the first sample after 10 % of the run is the baseline, the largest later sample
#    must be within +5 % of it.
# Prints one line per rank (baseline, largest, last, change) and the run's summary.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
tessera="${1:-$here/build/release/tessera}"
n="${2:-100000}"
model="${3:-resnet20}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

sed 's/    count: 2/    count: 3/; s/^name: core-pair/name: core-triple/' \
  "$here/examples/core-pair.yaml" > "$work/cores.yaml"
"$tessera" plan "$model" --platform "$work/cores.yaml" --json "$work/plan.json" > "$work/plan.txt"
stages=$(grep -cE '^ +[0-9]+ +core-' "$work/plan.txt" || true)
echo "$(grep -m1 -E '^plan of' "$work/plan.txt"): $stages stages"
if [ "$stages" -ne 3 ]; then
  echo "FAIL: the plan has $stages stages, not 3" >&2
  cat "$work/plan.txt" >&2
  exit 1
fi

"$tessera" run "$model" --plan "$work/plan.json" --random-weights 1 --threads 1 --pin \
  --inferences "$n" > "$work/run.txt" 2> "$work/run.err" &
runner=$!
: > "$work/rss.txt"
start=$(date +%s)
while kill -0 "$runner" 2> /dev/null; do
  t=$(($(date +%s) - start))
  for p in $(pgrep -f tessera-stage || true); do
    rank=$(tr '\0' '\n' < "/proc/$p/environ" 2> /dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2> /dev/null || true)
    [ -n "$rank" ] && [ -n "$rss" ] && echo "$t $rank $rss" >> "$work/rss.txt"
  done
  sleep 1
done
status=0
wait "$runner" || status=$?
elapsed=$(($(date +%s) - start))
cat "$work/run.err" >&2
if [ "$status" -ne 0 ]; then
  echo "FAIL: the run exited $status" >&2
  exit 1
fi
grep -E "^period|^latency p50|measured over" "$work/run.txt"
if ! grep -q "measured over $n inferences" "$work/run.txt"; then
  echo "FAIL: the run did not report $n inferences" >&2
  exit 1
fi
echo "wall time: ${elapsed} s"
awk -v total="$elapsed" '
  { t = $1; r = $2; v = $3
    if (t >= 0.1 * total && !(r in base)) base[r] = v
    if (r in base && v > top[r]) top[r] = v
    last[r] = v }
  END {
    bad = 0
    for (r in base) {
      change = (top[r] - base[r]) / base[r] * 100
      printf "rank %s: VmRSS baseline %.1f MiB, largest %.1f MiB, last %.1f MiB, growth %+.2f %%\n",
             r, base[r] / 1024, top[r] / 1024, last[r] / 1024, change
      if (change > 5) bad = 1
    }
    if (length(base) == 0) { print "FAIL: no memory samples"; exit 1 }
    if (bad) { print "FAIL: resident memory grew by more than 5 %"; exit 1 }
    print "PASS: no lost or reordered output, resident memory within +5 %"
  }' "$work/rss.txt"
