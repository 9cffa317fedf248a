#!/usr/bin/env bash
# report_screenshot.sh — runs synth + run + report on the sample county and saves a headless-Chromium screenshot of report.html and one evidence image of each kind into docs/.
# Usage: scripts/report_screenshot.sh [BUILD_DIR]   (default build/; needs /usr/bin/chromium:
#        scripts/deps.sh --test installs it)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
fg="$build/firegrid"
chromium="${CHROMIUM:-/usr/bin/chromium}"
[ -x "$fg" ] || { echo "report_screenshot: no $fg (build first)" >&2; exit 1; }
[ -x "$chromium" ] || { echo "report_screenshot: no $chromium (scripts/deps.sh --test)" >&2; exit 1; }
# A CJK font, so that the Chinese page is not drawn as empty boxes.
# shellcheck source=scripts/deps.sh
. "$root/scripts/deps.sh"
fg_install_missing fonts-wqy-zenhei

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
"$fg" synth -q
"$fg" run -q || [ $? -eq 3 ]
# The report of every incident in the ledger (as the run writes it once wired in).
"$fg" review --all -q

mkdir -p "$root/docs"
"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --hide-scrollbars --window-size=1280,2000 \
  --screenshot="$root/docs/report.png" "file://$work/firegrid-out/report.html" 2>/dev/null
ev="$work/firegrid-out/evidence"
sat="$(ls "$ev"/*_sat.jpg | head -n 1)"
cam="$(ls "$ev"/*_cam.jpg | head -n 1)"
before="${cam%_cam.jpg}_cam_before.jpg"
cp "$sat" "$root/docs/evidence_satellite.jpg"
cp "$cam" "$root/docs/evidence_camera.jpg"
[ -f "$before" ] && cp "$before" "$root/docs/evidence_camera_before.jpg"
echo "wrote $root/docs/report.png, evidence_satellite.jpg, evidence_camera.jpg$([ -f "$before" ] && echo ', evidence_camera_before.jpg')"
