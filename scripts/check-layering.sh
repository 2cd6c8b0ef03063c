#!/usr/bin/env bash
# The layering test: fails when a module's sources or public headers include a module that is
# not below it. The allow-list below is the one place the module order is written as data;
# docs/architecture.md draws it and CMakeLists.txt's target_link_libraries follows it.
# Usage: scripts/check-layering.sh [ROOT]   (ROOT defaults to the checkout; tests pass a copy)
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root"

# module: the modules it may include (directly). Lower modules never include higher ones.
declare -A allowed=(
  [core]=""
  [graph]="core"
  [hw]="core"
  [cost]="core graph hw"
  [onnx]="core graph"
  [plan]="core cost hw"
  [io]="core graph hw cost plan onnx"
  [sim]="core hw cost plan"
  [problem]="core graph hw cost plan onnx io"
  [report]="core graph hw cost plan io sim"
  [runtime]="core graph onnx"
  [pipeline]="core graph hw cost plan sim runtime"
)

bad=0
modules=()
for dir in src/* include/tessera/*; do
  [ -d "$dir" ] || continue
  m="$(basename "$dir")"
  if [ -z "${allowed[$m]+set}" ]; then
    echo "layering: module '$m' ($dir) is not in the allow-list of scripts/check-layering.sh;" \
      "add it with the modules it may include (and to docs/architecture.md)"
    bad=1
    continue
  fi
  modules+=("$m")
done

for m in $(printf '%s\n' "${modules[@]}" | sort -u); do
  files=$(find "src/$m" "include/tessera/$m" -type f \( -name '*.cpp' -o -name '*.hpp' \) \
    2>/dev/null || true)
  [ -n "$files" ] || continue
  while IFS= read -r hit; do
    file="${hit%%:*}"
    rest="${hit#*:}"
    line="${rest%%:*}"
    target="$(sed -E 's/.*#include "tessera\/([a-z_]+)\/.*/\1/' <<<"$rest")"
    [ "$target" = "$m" ] && continue
    if [[ " ${allowed[$m]} " != *" $target "* ]]; then
      echo "layering: $file:$line: module '$m' includes '$target', which is not below it" \
        "(allowed: ${allowed[$m]:-nothing})"
      bad=1
    fi
  done < <(grep -nE '^#include "tessera/[a-z_]+/' $files || true)
  # Library code never reaches into the CLI or the tests.
  if grep -nE '^#include "(tools|tests|support|cli)/' $files; then
    echo "layering: module '$m' includes the CLI or test code (above)"
    bad=1
  fi
done

if [ $bad -ne 0 ]; then exit 1; fi
echo "layering: $(printf "%s\n" "${modules[@]}" | sort -u | wc -l) modules follow the allow-list"
