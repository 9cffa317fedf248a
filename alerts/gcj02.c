/* gcj02.c — WGS84 ↔ GCJ-02, the offset datum of Chinese web maps (Amap, Tencent, DataV boundaries). */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"

#include <math.h>

/*
 * GCJ-02 is WGS84 plus a smooth, deliberately obfuscating offset. The forward
 * formula circulated publicly since the early 2010s (the "eviltransform" family of
 * implementations; e.g. the test vector of wandergis/coordtransform, test/app.js:
 * WGS84 116.404°E 39.915°N → GCJ-02 116.41024449916938°E 39.91640428150164°N):
 *
 *   x = lon − 105, y = lat − 35 (degrees)
 *   dlat' = −100 + 2x + 3y + 0.2y² + 0.1xy + 0.2√|x|
 *           + ⅔(20 sin 6πx + 20 sin 2πx) + ⅔(20 sin πy + 40 sin πy/3)
 *           + ⅔(160 sin πy/12 + 320 sin πy/30)
 *   dlon' = 300 + x + 2y + 0.1x² + 0.1xy + 0.1√|x|
 *           + ⅔(20 sin 6πx + 20 sin 2πx) + ⅔(20 sin πx + 40 sin πx/3)
 *           + ⅔(150 sin πx/12 + 300 sin πx/30)
 *
 * dlat', dlon' are metres-like numbers turned into degrees on the Krasovsky 1940
 * ellipsoid (a = 6378245 m, e² = 0.00669342162296594323) with the meridian radius
 * M = a(1−e²)/W³ and the prime-vertical radius N = a/W, W = √(1 − e² sin²φ):
 *
 *   Δφ = dlat'·180 / (π M),   Δλ = dlon'·180 / (π N cos φ).
 *
 * The offset f(w) − w varies slowly (its steepest terms, 20 sin 6πx, change it by a
 * few 1e-3 of a degree per degree), so the inverse is the fixed point
 * w ← w − (f(w) − g), which gains two to three orders of magnitude per step: three
 * steps reach the 1e-7° stop over the sample county (and the last correction leaves
 * ~1e-10°). The common one-step approximation w = 2g − f(g) is off by up to
 * 2.5e-5° (2.8 m) there.
 */

#define GCJ_A 6378245.0
#define GCJ_EE 0.00669342162296594323
#define GCJ_PI 3.14159265358979323846
#define GCJ_TOL 1e-7
#define GCJ_MAX_ITER 30

/* The rough box outside which the offset is not applied (the same box the public
 * implementations use; it includes neighbouring countries, which is the formula's
 * convention, not a border). */
static int gcj_outside(double lat, double lon)
{
    return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
}

static double gcj_dlat(double x, double y)
{
    double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * x * GCJ_PI) + 20.0 * sin(2.0 * x * GCJ_PI)) * 2.0 / 3.0;
    r += (20.0 * sin(y * GCJ_PI) + 40.0 * sin(y / 3.0 * GCJ_PI)) * 2.0 / 3.0;
    r += (160.0 * sin(y / 12.0 * GCJ_PI) + 320.0 * sin(y * GCJ_PI / 30.0)) * 2.0 / 3.0;
    return r;
}

static double gcj_dlon(double x, double y)
{
    double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
    r += (20.0 * sin(6.0 * x * GCJ_PI) + 20.0 * sin(2.0 * x * GCJ_PI)) * 2.0 / 3.0;
    r += (20.0 * sin(x * GCJ_PI) + 40.0 * sin(x / 3.0 * GCJ_PI)) * 2.0 / 3.0;
    r += (150.0 * sin(x / 12.0 * GCJ_PI) + 300.0 * sin(x / 30.0 * GCJ_PI)) * 2.0 / 3.0;
    return r;
}

/* The forward transform without the box test. */
static void gcj_forward(double lat, double lon, double *glat, double *glon)
{
    double dlat = gcj_dlat(lon - 105.0, lat - 35.0);
    double dlon = gcj_dlon(lon - 105.0, lat - 35.0);
    double phi = lat / 180.0 * GCJ_PI;
    double s = sin(phi);
    double w2 = 1.0 - GCJ_EE * s * s;
    double w = sqrt(w2);
    double m = GCJ_A * (1.0 - GCJ_EE) / (w2 * w); /* meridian radius of curvature */
    double n = GCJ_A / w;                         /* prime-vertical radius */
    *glat = lat + dlat * 180.0 / (m * GCJ_PI);
    *glon = lon + dlon * 180.0 / (n * cos(phi) * GCJ_PI);
}

void fg_wgs84_to_gcj02(double lat, double lon, double *glat, double *glon)
{
    if (!isfinite(lat) || !isfinite(lon) || gcj_outside(lat, lon)) {
        *glat = lat;
        *glon = lon;
        return;
    }
    gcj_forward(lat, lon, glat, glon);
}

void fg_gcj02_to_wgs84(double lat, double lon, double *wlat, double *wlon)
{
    if (!isfinite(lat) || !isfinite(lon) || gcj_outside(lat, lon)) {
        *wlat = lat;
        *wlon = lon;
        return;
    }
    double y = lat, x = lon;
    for (int it = 0; it < GCJ_MAX_ITER; it++) {
        double fy, fx;
        gcj_forward(y, x, &fy, &fx);
        double ey = fy - lat, ex = fx - lon;
        y -= ey;
        x -= ex;
        if (fabs(ey) < GCJ_TOL && fabs(ex) < GCJ_TOL)
            break;
    }
    *wlat = y;
    *wlon = x;
}
