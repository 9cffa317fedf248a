#!/usr/bin/env bash
# bench_sat.sh — builds and runs the satellite benchmark (issue 3 item 6): a synthetic 6400×6464 VIIRS-size scene,
# whole thermal path vs a GDAL read-and-sum baseline, at 1 and 2 threads. Usage: scripts/bench_sat.sh [bench_sat options]
# FG_BUILD selects the build folder (default build-bench; configured Release if new). Options: --reps N --fires N --seed N --sensor NAME --keep --dir DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${FG_BUILD:-$root/build-bench}"
# an existing build folder is used as configured; a new one is configured Release
[ -f "$build/CMakeCache.txt" ] || cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" --target bench_sat -j"$(nproc)" >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(gdal-config --version 2>/dev/null | sed 's/^/GDAL /')"
exec "$build/scripts/bench_sat" "$@"
