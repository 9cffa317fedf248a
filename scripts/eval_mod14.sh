#!/usr/bin/env bash
# eval_mod14.sh — runs our MODIS contextual decision, C5 FRP and confidence on the 187 (+6) official MOD14 fire pixels.
# Usage: scripts/eval_mod14.sh [BUILD_DIR]   (default build/; builds the eval_mod14 target there)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="$root/../shared/data/modis-mod14-official"
boreal="$data/A2004178.2120.005.official.data.boreal.csv"
boundary="$data/A2004178.2120.005.official.data.boundary.csv"
if [ ! -f "$boreal" ]; then
  echo "skipped: $boreal not found"
  exit 0
fi
build="${1:-$root/build}"
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" --target eval_mod14 >/dev/null
args=("$boreal")
[ -f "$boundary" ] && args+=("$boundary")
"$build/scripts/eval_mod14" "${args[@]}"
