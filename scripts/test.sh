#!/usr/bin/env bash
# test.sh — builds firegrid with its tests and runs the whole suite (ctest over cmocka executables).
# FG_SANITIZE=1 scripts/test.sh runs it under AddressSanitizer + UBSan in build-asan/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/deps.sh
. "$root/scripts/deps.sh"
fg_install_test_deps

build="$root/build-test"
opts=(-DCMAKE_BUILD_TYPE=Debug -DFG_WERROR=ON)
if [ "${FG_SANITIZE:-0}" = 1 ]; then
  build="$root/build-asan"
  opts+=(-DFG_SANITIZE=ON)
fi
cmake -S "$root" -B "$build" "${opts[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure -j"$(nproc)"
