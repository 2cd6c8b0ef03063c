#!/usr/bin/env bash
# The main job on a built-in model and platform: inspect a model, plan it on a heterogeneous
# cluster for throughput and for energy, and print the exact throughput-energy Pareto front.
# VGG16 on the DONNA cluster (CIM chips, CPUs, GPUs): the throughput-optimal plan pipelines the
# model across a CIM chip, a GPU and a second CIM chip, and a stage's compute sets the period.
set -euo pipefail
tessera=${1:-build/release/tessera}
model=vgg16
platform=donna-hetero
out=${DEMO_OUT:-build/demo}
mkdir -p "$out"

echo "== tessera models"
"$tessera" models
echo
echo "== tessera platforms $platform"
"$tessera" platforms "$platform"
echo
echo "== tessera inspect $model (first layers; full table with: tessera inspect $model)"
# Through a file: `| head` would end tessera with SIGPIPE, which pipefail turns into a failure.
"$tessera" inspect "$model" >"$out/inspect.txt"
head -16 "$out/inspect.txt"
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
echo
echo "== tessera simulate --plan $out/plan.json --inferences 1000   (SimGrid)"
"$tessera" simulate --plan "$out/plan.json" --inferences 1000 --trace "$out/trace.json" \
  --gantt "$out/gantt.svg" --json "$out/simulation.json"
echo
echo "== tessera pareto $model --platform $platform --svg --report"
"$tessera" pareto "$model" --platform "$platform" --svg "$out/pareto.svg" \
  --report "$out/report.html" >/dev/null
echo "written: $out/simulation.json (tessera.simulation/1), $out/trace.json (Chrome trace:"
echo "  open in https://ui.perfetto.dev or chrome://tracing), $out/gantt.svg, $out/pareto.svg,"
echo "  $out/report.html (open in a browser)"
echo
pipeline_platform="$(dirname "$0")/../examples/pi-pair.yaml"
echo "== tessera run resnet18 --plan ... --emulate   (the plan as a real MPI pipeline)"
echo "   resnet18 planned on two Raspberry Pi 4 boards, run here as 3 MPI ranks (source/sink and"
echo "   one per stage); each stage computes for real with oneDNN, then waits out its board's time"
"$tessera" plan resnet18 --platform "$pipeline_platform" --json "$out/pi-pair-plan.json" >/dev/null
"$tessera" run resnet18 --plan "$out/pi-pair-plan.json" --emulate --random-weights 1 \
  --threads 1 --inferences 20 --trace "$out/run-trace.json"
echo "written: $out/run-trace.json (Chrome trace of the measured run)"
