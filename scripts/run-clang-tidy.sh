#!/usr/bin/env bash
# Runs clang-tidy (Debian's clang-tidy, .clang-tidy's checks) over the library sources with the
# release build's compile_commands.json. Usage: scripts/run-clang-tidy.sh [BUILD_DIR] [FILES...]
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/release}"
shift || true
[ -f "$build/compile_commands.json" ] || cmake --preset release >/dev/null
if [ $# -eq 0 ]; then
  mapfile -t files < <(git ls-files -co --exclude-standard -- 'src/*.cpp')
else
  files=("$@")
fi
run-clang-tidy -quiet -extra-arg=-Wno-unknown-warning-option -p "$build" -j "${JOBS:-2}" "${files[@]}"
