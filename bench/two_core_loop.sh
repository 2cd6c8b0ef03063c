#!/usr/bin/env bash
# The real loop on this machine's first two CPUs, repeated: profile the model with the other CPU
# running it too, plan two single-core stages from that profile, run the plan pinned right
# after, and print the planned and measured periods side by side.
#
#   bench/two_core_loop.sh [TESSERA_BINARY] [PAIRS] [MODEL] [extra `tessera run` options, e.g. --tcp]
#   (defaults: build/release/tessera, 6, resnet18)
set -euo pipefail
tessera=$(realpath "${1:-build/release/tessera}")
pairs=${2:-6}
model=${3:-resnet18}
shift $(($# < 3 ? $# : 3))
platform=$(realpath "$(dirname "$0")/../examples/core-pair.yaml")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "| pair | profile (whole model) | planned period | measured period | vs planned |"
echo "|---|---|---|---|---|"
for ((i = 1; i <= pairs; i++)); do
  profile=$("$tessera" profile "$model" --platform "$platform" --device core-0 --threads 1 \
    --co-run --random-weights 1 --out p.problem.json | sed -n 's/^total: measured \([0-9.]*\) ms.*/\1/p')
  planned=$("$tessera" plan p.problem.json --json p.plan.json |
    sed -n 's/^period *\([0-9.]*\) \(m\?s\).*/\1 \2/p')
  measured=$("$tessera" run "$model" --plan p.plan.json --pin --threads 1 --random-weights 1 \
    --inferences 300 "$@" | sed -n 's/^period (steady state) *\([0-9.]*\) \(m\?s\).*/\1 \2/p')
  ratio=$(awk -v p="$planned" -v m="$measured" 'BEGIN {
    split(p, a, " "); split(m, b, " ");
    ps = a[1] * (a[2] == "ms" ? 1e-3 : 1); ms = b[1] * (b[2] == "ms" ? 1e-3 : 1);
    printf "%+.1f %%", 100 * (ms / ps - 1) }')
  echo "| $i | $profile ms | $planned | $measured | $ratio |"
done
