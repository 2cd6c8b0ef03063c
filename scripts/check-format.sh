#!/usr/bin/env bash
# Fails when any C++ source differs from .clang-format; prints the files to fix.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.cpp' '*.hpp')
[ ${#files[@]} -eq 0 ] && exit 0
bad=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "needs clang-format: $f"
    bad=1
  fi
done
if [ $bad -ne 0 ]; then
  echo "run: clang-format -i <files above>"
  exit 1
fi
echo "clang-format: ${#files[@]} files clean"
