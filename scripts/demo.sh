#!/usr/bin/env bash
# The main job on a built-in model and platform: inspect a model, plan it on a heterogeneous
# cluster for throughput and for energy, and print the exact throughput-energy Pareto front.
set -euo pipefail
tessera=${1:-build/release/tessera}
model=resnet50
platform=cluster-hetero
out=${DEMO_OUT:-build/demo}
mkdir -p "$out"

echo "== tessera models"
"$tessera" models
echo
echo "== tessera platforms $platform"
"$tessera" platforms "$platform"
echo
echo "== tessera inspect $model (first layers; full table with: tessera inspect $model)"
"$tessera" inspect "$model" | head -16
echo "   ..."
echo
echo "== tessera plan $model --platform $platform   (throughput-optimal)"
"$tessera" plan "$model" --platform "$platform" --json "$out/plan.json"
echo
echo "== tessera plan $model --platform $platform --objective energy"
"$tessera" plan "$model" --platform "$platform" --objective energy
echo
echo "== tessera pareto $model --platform $platform"
"$tessera" pareto "$model" --platform "$platform" --csv "$out/pareto.csv" --json "$out/pareto.json"
echo
echo "written: $out/plan.json (tessera.plan/1), $out/pareto.json (tessera.pareto/1), $out/pareto.csv"
