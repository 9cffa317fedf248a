#!/usr/bin/env bash
# eval_sample.sh — scores a sample run's incident lists against the synthesiser's truth file: found, missed,
# location error, camera delay, false alarms. Usage: scripts/eval_sample.sh [SAMPLE_DIR] [OUT_DIR]
set -euo pipefail
sample="${1:-firegrid-sample}"
out="${2:-firegrid-out}"
for f in "$sample/truth.csv" "$out/county_incidents.csv" "$out/county_industrial.csv"; do
  [ -f "$f" ] || { echo "eval_sample: $f not found (run firegrid synth and firegrid run first)" >&2; exit 1; }
done
# Incident lists: the columns read here (times, source, codes, coordinates) come before
# the only field that may be quoted (传感器, a comma-separated list). Times are Beijing.
awk -F, '
function rad(d) { return d * 3.141592653589793 / 180 }
function dist(a1, o1, a2, o2,   dl, dn, h) {
  dl = rad(a2 - a1); dn = rad(o2 - o1)
  h = sin(dl / 2) ^ 2 + cos(rad(a1)) * cos(rad(a2)) * sin(dn / 2) ^ 2
  return 2 * 6371008.8 * atan2(sqrt(h), sqrt(1 - h))
}
# Seconds since 1970 of "YYYY-MM-DDTHH:MM:SSZ" (days from the civil date; no gawk mktime).
function epoch(iso,   y, mo, d, era, yoe, doy, doe) {
  y = substr(iso, 1, 4) + 0; mo = substr(iso, 6, 2) + 0; d = substr(iso, 9, 2) + 0
  y -= (mo <= 2); era = int(y / 400); yoe = y - era * 400
  doy = int((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5) + d - 1
  doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
  return (era * 146097 + doe - 719468) * 86400 + substr(iso, 12, 2) * 3600 + substr(iso, 15, 2) * 60 + substr(iso, 18, 2)
}
# "YYYY-MM-DD HH:MM" Beijing time → seconds since 1970 UTC
function bj(t) { return epoch(substr(t, 1, 10) "T" substr(t, 12, 5) ":00Z") - 8 * 3600 }
FILENAME ~ /truth.csv$/ {
  if (FNR == 1) next
  n++; kind[n] = $1; t0[n] = epoch($3); lat[n] = $5; lon[n] = $6; rad_m[n] = $7
  town[n] = $10; vill[n] = $11; next
}
FILENAME ~ /county_incidents.csv$/ {
  if (FNR == 1) next
  m++; src[m] = $4; at[m] = bj($2); at1[m] = bj($3); alat[m] = $11; alon[m] = $10; atown[m] = $6; avill[m] = $8; next
}
FILENAME ~ /county_industrial.csv$/ { if (FNR > 1) { k++; ilat[k] = $11; ilon[k] = $10; it[k] = bj($2); it1[k] = bj($3) } }
END {
  for (i = 1; i <= n; i++) {
    if (kind[i] != "fire" && kind[i] != "plume") continue
    planted[kind[i]]++
    best = -1
    for (j = 1; j <= m; j++) {
      if (kind[i] == "fire") ok = index(src[j], "卫星") && at[j] <= t0[i] && at1[j] >= t0[i]
      else ok = index(src[j], "摄像头") && at[j] >= t0[i]
      if (!ok) continue
      d = dist(lat[i], lon[i], alat[j], alon[j])
      if (best < 0 || d < best) { best = d; bk = j }
    }
    if (best >= 0 && best < 1500 && atown[bk] == town[i] && avill[bk] == vill[i]) {
      found[kind[i]]++
      printf "%-6s %9.5f %10.5f  found %5.0f m away, village %s%s\n", kind[i], lat[i], lon[i], best, vill[i],
             kind[i] == "plume" ? sprintf(", %d min after ignition", (at[bk] - t0[i]) / 60) : ""
    } else {
      printf "%-6s %9.5f %10.5f  MISSED in village %s\n", kind[i], lat[i], lon[i], vill[i]
    }
  }
  fa = 0
  for (j = 1; j <= m; j++) {
    near = 0
    for (i = 1; i <= n; i++)
      if ((kind[i] == "fire" || kind[i] == "plume") && dist(lat[i], lon[i], alat[j], alon[j]) < 1500) near = 1
    if (!near) { fa++; printf "false alarm at %s,%s (%s)\n", alat[j], alon[j], src[j] }
  }
  ind = 0
  for (i = 1; i <= n; i++) if (kind[i] == "industrial") {
    seen = 0
    for (j = 1; j <= k; j++) if (it[j] <= t0[i] && it1[j] >= t0[i] && dist(lat[i], lon[i], ilat[j], ilon[j]) < 1500) seen = 1
    ind += seen; nind++
  }
  printf "fires: %d planted, %d found; plumes: %d planted, %d found; straw incidents: %d (%d false); " \
         "industrial source listed on %d of %d passes\n",
         planted["fire"], found["fire"], planted["plume"], found["plume"], m, fa, ind, nind
}' "$sample/truth.csv" "$out/county_incidents.csv" "$out/county_industrial.csv"
