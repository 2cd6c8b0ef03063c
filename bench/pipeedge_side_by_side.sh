#!/usr/bin/env bash
# Runs Tessera and PipeEdge's scheduler on the same PipeEdge inputs, one after the other in one
# run, and prints their answers, times and peak memory side by side (docs/benchmarks.md).
#
#   bench/pipeedge_side_by_side.sh SCHED_PIPELINE [BUILD_DIR] [TIMEOUT_S]
#
# SCHED_PIPELINE is a `sched-pipeline` binary built by the user from PipeEdge's public source
# (usc-isi/PipeEdge, src-native); Tessera ships neither its code nor a way to build it.
set -euo pipefail
sched=${1:?usage: $0 SCHED_PIPELINE [BUILD_DIR] [TIMEOUT_S]}
build=${2:-build/release}
limit=${3:-600}
tessera=$build/tessera
gen=$build/bench/pipeedge_inputs
shared=$(cd "$(dirname "$0")/../.." && pwd)/shared/data/pipeedge-readme
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# name | generator arguments ("" = PipeEdge's README example) | devices file | model
cases=(
  "readme-vit-base||devices_fixed.yml|google/vit-base-patch16-224"
  "L48-T16-H1|--layers 48 --types 16 --hosts-per-type 1 --seed 1|devices.yml|random"
  "L150-T8-H2|--layers 150 --types 8 --hosts-per-type 2 --seed 1|devices.yml|random"
  "L150-T16-H1|--layers 150 --types 16 --hosts-per-type 1 --seed 1|devices.yml|random"
)

measure() {  # prints "wall_s user_s maxrss_kib exit"
  local out=$1; shift
  set +e
  /usr/bin/time -f "%e %U %M" -o "$work/time" timeout -s KILL "$limit" "$@" >"$out" 2>"$out.err"
  local rc=$?
  set -e
  echo "$(tail -n 1 "$work/time" 2>/dev/null || echo "- - -") $rc"
}

printf '%-16s %-9s %9s %9s %10s %12s %s\n' instance tool wall_s user_s rss_MiB bottleneck_s note
for c in "${cases[@]}"; do
  IFS='|' read -r name args devices model <<<"$c"
  dir=$work/$name
  mkdir -p "$dir"
  if [ -z "$args" ]; then
    cp "$shared/models.yml" "$shared/device_types.yml" "$shared/$devices" "$dir/"
  else
    # shellcheck disable=SC2086
    "$gen" $args --out "$dir" >/dev/null
  fi
  files=("$dir/models.yml" "$dir/device_types.yml" "$dir/$devices")

  read -r wall user rss rc < <(measure "$dir/tessera.json" "$tessera" plan --pipeedge "${files[@]}" \
    --model "$model" --batch 8 --json -)
  period=$(/usr/bin/python3 -c "import json,sys; print('%.6f' % json.load(open(sys.argv[1]))['metrics']['period_s'])" "$dir/tessera.json" 2>/dev/null || echo "-")
  printf '%-16s %-9s %9s %9s %10s %12s %s\n' "$name" tessera "$wall" "$user" "$((rss / 1024))" "$period" "exit $rc"
  "$tessera" plan --pipeedge "${files[@]}" --model "$model" --batch 8 --emit pipeedge >"$dir/tessera.yml" 2>/dev/null

  read -r wall user rss rc < <(measure "$dir/pipeedge.yml" "$sched" -M "${files[0]}" -T "${files[1]}" \
    -D "${files[2]}" -m "$model" -b 8)
  note="exit $rc"
  bottleneck=-
  if [ "$rc" = 0 ]; then
    # PipeEdge's printed schedule, costed under its own stated model.
    bottleneck=$("$build/bench/pipeedge_cost" "${files[@]}" "$model" 8 "$dir/pipeedge.yml" 2>/dev/null || echo "-")
  else
    note="killed after ${limit} s"
    rss=${rss/-/0}
  fi
  printf '%-16s %-9s %9s %9s %10s %12s %s\n' "$name" pipeedge "$wall" "$user" "$(( ${rss:-0} / 1024 ))" "$bottleneck" "$note"
done
