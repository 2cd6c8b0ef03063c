#!/bin/sh
# Reproduces docs/results.md, "Multi-model scheduling on chiplet packages (SCAR / Odema)":
# SCAR's datacenter scenarios 1-5 on the 3x3 Het-Sides and Het-CB packages (with the
# standalone, homogeneous and SCAR-heuristic baselines), scenario 4 on the 6x6 Het-Cross
# package, and Odema et al.'s GPT-2 + ResNet-50 on the 2x2 package against one monolithic
# output-stationary die. Usage: examples/scar/run.sh [TESSERA] [OUTDIR]
set -e
T=${1:-build/release/tessera}
OUT=${2:-scar-results}
DIR=$(dirname "$0")
mkdir -p "$OUT"
for sc in 1 2 3 4 5; do
  "$T" schedule "$DIR/sc$sc.yaml" --platform scar-3x3-sides --json "$OUT/sc$sc-sides.json" \
    > "$OUT/sc$sc-sides.txt"
  "$T" schedule "$DIR/sc$sc.yaml" --platform scar-3x3-cb --no-baselines \
    --json "$OUT/sc$sc-cb.json" > /dev/null
done
"$T" schedule "$DIR/sc4.yaml" --platform scar-6x6-cross --json "$OUT/sc4-6x6-cross.json" \
  --report "$OUT/sc4-6x6-cross.html" > "$OUT/sc4-6x6-cross.txt"
"$T" schedule "$DIR/odema-gpt2-resnet50.yaml" --platform odema-2x2 \
  --json "$OUT/odema.json" --report "$OUT/odema.html" > "$OUT/odema.txt"
for m in gpt2 resnet50; do
  "$T" estimate "$m" --platform odema-monolithic-os --device shi-edge --json "$OUT/mono-$m.json" \
    > /dev/null
done
echo "results in $OUT"
