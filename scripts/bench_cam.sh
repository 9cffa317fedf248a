#!/usr/bin/env bash
# bench_cam.sh — builds and runs the camera benchmark (issue 4 item 6): frames/s on 3072×2048 and 1920×1080 JPEGs,
# full smoke detection (bundled block model; also rules only) vs TurboJPEG decode-only at the runner's
# scale (working width ≥ 960 px: 1/2 for both sizes), at 1 and 2 threads. Usage: scripts/bench_cam.sh [bench_cam options]
# FG_BUILD selects the build folder (default build-bench; configured Release if new). Options: --frames N --reps N --threads N --dir DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${FG_BUILD:-$root/build-bench}"
# an existing build folder is used as configured; a new one is configured Release
[ -f "$build/CMakeCache.txt" ] || cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" --target bench_cam -j"$(nproc)" >/dev/null
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(pkg-config --modversion libturbojpeg 2>/dev/null | sed 's/^/libjpeg-turbo /')"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
"$build/scripts/bench_cam" --dir "$dir" "$@"
