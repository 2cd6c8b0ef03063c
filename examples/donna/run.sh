#!/usr/bin/env bash
# DONNA's experiments (Alshams et al., KAUST: thesis, DAC'24 poster, EDGE'24 paper) reproduced
# with Tessera: VGG8 and ResNet-152 on homogeneous clusters (CPUs only, GPUs only, CIM only) and
# on the heterogeneous CPU + GPU + CIM cluster; the alpha sweep from throughput-optimal (alpha 1)
# to energy-optimal (alpha 0); the heterogeneous cluster against one GPU; the Pareto front of the
# CIM cluster. docs/results.md ("DONNA's experiments") shows the tables this writes.
#
# Usage: examples/donna/run.sh TESSERA_BINARY OUTPUT_DIR
# Writes OUTPUT_DIR/*.json (plans), pareto-*.csv and pareto-*.svg (fronts) and summary.md.
# Fails when a command fails or when summarize.py's checks do (the alpha sweep must move along
# the front: period never falling and energy never rising as alpha falls; donna-hetero, which
# holds donna-cim's chips, must be at least as fast as donna-cim). ctest runs it as example_donna.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 TESSERA_BINARY OUTPUT_DIR" >&2
  exit 2
fi
tessera=$1
out=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
presets=$here/../../presets
mkdir -p "$out"

models=(vgg8 resnet152)
clusters=(donna-cpu donna-gpu donna-cim donna-hetero)
alphas=(1 0.75 0.5 0.25 0)

# donna-cim with NeuroSim's layer-by-layer mode (params.pipeline: 0) on every chip.
sed -e 's/^name: donna-cim$/name: donna-cim-layer-by-layer/' \
  -e 's/^\(      \)tiles: 256$/\1tiles: 256\n\1pipeline: 0/' \
  "$presets/donna-cim.yaml" >"$out/donna-cim-layer-by-layer.yaml"
grep -q '^      pipeline: 0$' "$out/donna-cim-layer-by-layer.yaml"

for model in "${models[@]}"; do
  for cluster in "${clusters[@]}"; do
    # Throughput-optimal plan (its "best single device" baseline is the one-device reference).
    "$tessera" plan "$model" --platform "$presets/$cluster.yaml" \
      --json "$out/plan-$model-$cluster.json" >/dev/null
    # The alpha sweep: alpha * period/period* + (1 - alpha) * energy/energy*.
    for alpha in "${alphas[@]}"; do
      "$tessera" plan "$model" --platform "$presets/$cluster.yaml" --objective weighted \
        --alpha "$alpha" --json "$out/alpha-$model-$cluster-$alpha.json" >/dev/null
    done
  done
  # The exact throughput-energy Pareto front of the CIM cluster, as CSV and as a plot: chips
  # pipelining their layers (NeuroSim's default) and running them one after another.
  "$tessera" pareto "$model" --platform "$presets/donna-cim.yaml" \
    --csv "$out/pareto-$model-donna-cim.csv" --svg "$out/pareto-$model-donna-cim.svg" >/dev/null
  "$tessera" pareto "$model" --platform "$out/donna-cim-layer-by-layer.yaml" \
    --csv "$out/pareto-$model-donna-cim-layer-by-layer.csv" \
    --svg "$out/pareto-$model-donna-cim-layer-by-layer.svg" >/dev/null
done

python3 "$here/summarize.py" "$out" >"$out/summary.md"
echo "wrote $out/summary.md"
