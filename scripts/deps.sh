#!/usr/bin/env bash
# deps.sh — installs the Debian 12 packages firegrid needs, only those that are missing.
# Sourced by setup.sh and test.sh; safe to run again.
set -euo pipefail

FG_PACKAGES=(build-essential cmake pkg-config libgdal-dev gdal-bin libturbojpeg0-dev
             libtiff-dev libcmocka-dev)
# Only for the tests: the report test renders report.html in headless Chromium.
FG_TEST_PACKAGES=(chromium)

fg_install_missing() {
  local missing=()
  local p
  for p in "${FG_PACKAGES[@]}" "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "deps: installing ${missing[*]}" >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# The build packages plus those the tests need (scripts/test.sh; `deps.sh --test`).
fg_install_test_deps() {
  fg_install_missing "${FG_TEST_PACKAGES[@]}" "$@"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  if [ "${1:-}" = "--test" ]; then
    shift
    fg_install_test_deps "$@"
  else
    fg_install_missing "$@"
  fi
fi
