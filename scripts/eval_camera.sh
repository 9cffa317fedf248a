#!/usr/bin/env bash
# eval_camera.sh — evaluates the camera smoke detector on ../shared/data/camera (FIgLib, negatives, held-out masks, close-range clips).
# Usage: scripts/eval_camera.sh [BUILD_DIR] [MODEL|none]   (default build/, models/smoke_model.txt).
# Exits 0 with a notice when the shared data are absent.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="$root/../shared/data/camera"
build="${1:-$root/build}"
model="${2:-$root/models/smoke_model.txt}"
if [ ! -d "$data" ]; then
  echo "eval_camera: $data absent, skipping"
  exit 0
fi
if [ ! -x "$build/scripts/eval_camera" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" --target eval_camera -j"$(nproc)" >/dev/null
fi
tool="$build/scripts/eval_camera"

# FIgLib: each camera's registry mask (its own mast and dishes), and the box
# where each plume shows, drawn by eye, so an alarm elsewhere is not counted
# as a detection
figlib=(--cameras "$root/scripts/figlib_cameras.csv" --plumes "$root/scripts/figlib_plumes.csv")
echo "### rules and the learned block model ($model)"
"$tool" --model "$model" "${figlib[@]}" "$data"
if [ "$model" != none ]; then
  echo
  echo "### rules only (no learned model)"
  "$tool" --model none "${figlib[@]}" --part figlib --part webcam --part nosmoke "$data"
fi
echo
echo "### FIgLib without the registry masks (rules and model, then rules only)"
"$tool" --model "$model" --plumes "$root/scripts/figlib_plumes.csv" --part figlib "$data"
"$tool" --model none --plumes "$root/scripts/figlib_plumes.csv" --part figlib "$data"

echo
echo "### close-range clips, split at 1 frame/s with ffmpeg"
clips="$data/close-range-clips"
if [ ! -d "$clips" ]; then
  echo "eval_camera: $clips absent, skipping"
  exit 0
fi
if ! command -v ffmpeg >/dev/null 2>&1; then
  # shellcheck source=scripts/deps.sh
  . "$root/scripts/deps.sh"
  fg_install_missing ffmpeg
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for clip in test1:positive test5:positive test7:negative; do
  name="${clip%%:*}"
  label="${clip##*:}"
  [ -f "$clips/$name.mp4" ] || { echo "eval_camera: $clips/$name.mp4 absent, skipping"; continue; }
  mkdir -p "$tmp/$name"
  ffmpeg -loglevel error -i "$clips/$name.mp4" -vf fps=1 -q:v 2 "$tmp/$name/%05d.jpg"
  for m in "$model" none; do
    printf '[model %s] ' "$m"
    "$tool" --model "$m" --clip "$tmp/$name" "$label"
  done
done
