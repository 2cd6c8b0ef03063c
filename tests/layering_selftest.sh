#!/usr/bin/env bash
# Shows that the layering test can fail: a copy of the sources with a lower module including a
# higher one, and with a module missing from the allow-list, must be rejected with both named.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp -r "$src/src" "$src/include" "$tmp/"
echo '#include "tessera/plan/plan.hpp"' >>"$tmp/src/graph/graph.cpp"
mkdir -p "$tmp/src/unlisted"
if out="$("$src/scripts/check-layering.sh" "$tmp" 2>&1)"; then
  echo "FAIL: the layering check accepted graph including plan"
  exit 1
fi
grep -q "module 'graph' includes 'plan'" <<<"$out" || { echo "FAIL: $out"; exit 1; }
grep -q "module 'unlisted'" <<<"$out" || { echo "FAIL: $out"; exit 1; }
echo "the layering check rejects an upward include and an unlisted module"
