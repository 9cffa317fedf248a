#!/usr/bin/env bash
# setup.sh — one command on a fresh Debian 12 machine: install what is missing, build,
# and run firegrid on the bundled sample county (inputs ./firegrid-sample, lists ./firegrid-out).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/deps.sh
. "$root/scripts/deps.sh"
fg_install_missing

cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$root/build" -j"$(nproc)" --target firegrid

cd "$root"
status=0
./build/firegrid run || status=$?
case $status in
  0) echo "setup: done. Lists in $root/firegrid-out (see README: Outputs)." ;;
  3) echo "setup: done, but some inputs were skipped: see firegrid-out/run.log" ;;
  *) echo "setup: firegrid run failed (exit $status)" >&2; exit $status ;;
esac
