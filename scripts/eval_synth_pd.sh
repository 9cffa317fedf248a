#!/usr/bin/env bash
# eval_synth_pd.sh — builds and runs the synthetic Planck detection-probability evaluation: PD tables (375 m / 1 km,
# day / night, fire area × temperature) and false alarms on fire-free scenes, as markdown. Usage: scripts/eval_synth_pd.sh [--seed N]
# FG_BUILD selects the build folder (default build-bench; configured Release if new).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${FG_BUILD:-$root/build-bench}"
# an existing build folder is used as configured; a new one is configured Release
[ -f "$build/CMakeCache.txt" ] || cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" --target eval_synth_pd -j"$(nproc)" >/dev/null
exec "$build/scripts/eval_synth_pd" "$@"
