#!/usr/bin/env bash
# eval_goes.sh — runs firegrid detect-sat on the real GOES-17 ABI night scene without fire
# (../shared/data/goes17-night-nofire) and prints the number of fires; the bar is 0.
# Usage: scripts/eval_goes.sh [FIREGRID]   (default build/firegrid; FG_SHARED overrides the data root)
# SPDX-License-Identifier: MIT
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${1:-$root/build/firegrid}"
data="${FG_SHARED:-$root/../shared/data}/goes17-night-nofire"
if [ ! -d "$data/netcdf" ]; then echo "skipped: $data not present"; exit 0; fi
[ -x "$bin" ] || { echo "eval_goes: $bin is not built" >&2; exit 1; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

# Fire pixels and fires (distinct fire_id) of a detect-sat CSV.
count() {
  awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "fire_id") f = i; next }
           { n++; if (f) id[$f] = 1 } END { m = 0; for (k in id) m++; printf "%d %d\n", n + 0, m }' "$1"
}

status=0
# 1. the L1b netCDF as NOAA delivers it: channel 7 file, siblings 14 and 15 found beside it
c07="$(ls "$data"/netcdf/OR_ABI-L1b-Rad*C07_*.nc | head -n 1)"
"$bin" detect-sat -o "$tmp/l1b.csv" --mask "$tmp/l1b_mask.tif" "$c07" 2> "$tmp/l1b.err" ||
  { echo "eval_goes: detect-sat failed on $c07:"; cat "$tmp/l1b.err"; exit 1; }
read -r px fires < <(count "$tmp/l1b.csv")
echo "goes17-night-nofire L1b netCDF ($(basename "$c07")): fire pixels $px, fires $fires (bar: 0)"
[ "$px" -eq 0 ] || status=1

# 2. the derived brightness temperatures with lat/lon geolocation arrays, stacked in a VRT
d="$data/derived"
if [ -f "$d/lat.f32" ]; then
  {
    echo '<VRTDataset rasterXSize="500" rasterYSize="500">'
    echo '  <Metadata><MDI key="FG_ACQ_TIME">2019-12-01T10:27:27Z</MDI><MDI key="FG_SENSOR">GOES-17</MDI></Metadata>'
    echo '  <Metadata domain="GEOLOCATION">'
    echo "    <MDI key=\"X_DATASET\">$d/lon.f32</MDI><MDI key=\"X_BAND\">1</MDI>"
    echo "    <MDI key=\"Y_DATASET\">$d/lat.f32</MDI><MDI key=\"Y_BAND\">1</MDI>"
    echo '    <MDI key="PIXEL_OFFSET">0</MDI><MDI key="LINE_OFFSET">0</MDI><MDI key="PIXEL_STEP">1</MDI><MDI key="LINE_STEP">1</MDI>'
    echo '    <MDI key="GEOREFERENCING_CONVENTION">PIXEL_CENTER</MDI><MDI key="SRS">EPSG:4326</MDI>'
    echo '  </Metadata>'
    b=1
    for pair in "MIR_BT t07_bt_K.f32" "TIR_BT t14_bt_K.f32"; do
      set -- $pair
      echo "  <VRTRasterBand dataType=\"Float32\" band=\"$b\"><Description>$1</Description>"
      echo "    <SimpleSource><SourceFilename relativeToVRT=\"0\">$d/$2</SourceFilename><SourceBand>1</SourceBand></SimpleSource></VRTRasterBand>"
      b=$((b + 1))
    done
    echo '</VRTDataset>'
  } > "$tmp/derived.vrt"
  "$bin" detect-sat -o "$tmp/derived.csv" "$tmp/derived.vrt" 2> "$tmp/derived.err" ||
    { echo "eval_goes: detect-sat failed on the derived VRT:"; cat "$tmp/derived.err"; exit 1; }
  read -r px fires < <(count "$tmp/derived.csv")
  echo "goes17-night-nofire derived BT + lat/lon arrays (VRT, GEOLOCATION): fire pixels $px, fires $fires (bar: 0)"
  [ "$px" -eq 0 ] || status=1
fi
t07max="$(gdal_translate -q -of XYZ "$d/t07_bt_K.f32" /vsistdout/ | awk "{ if (\$3 > m) m = \$3 } END { print m }")"
echo "max T07 of the scene: ${t07max:-?} K (README: no pixel above 310 K)"
exit "$status"
