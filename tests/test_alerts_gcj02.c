/* test_alerts_gcj02.c — WGS84 ↔ GCJ-02: the published forward formula, the iterated inverse, outside China. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include "alerts/alerts.h"

/* The sample county's centre. */
#define CLAT (0.5 * (FG_SAMPLE_SOUTH + FG_SAMPLE_NORTH))
#define CLON (0.5 * (FG_SAMPLE_WEST + FG_SAMPLE_EAST))

/* Published pair: the test vector of the widely used JavaScript implementation
 * wandergis/coordtransform (test/app.js): wgs84togcj02(116.404, 39.915) =
 * [116.41024449916938, 39.91640428150164] (lon, lat), Beijing. Same formula in
 * double precision, so the last digits agree to ~1e-12°. */
static void forward_matches_the_published_beijing_pair(void **state)
{
    (void)state;
    double glat, glon;
    fg_wgs84_to_gcj02(39.915, 116.404, &glat, &glon);
    assert_true(fabs(glon - 116.41024449916938) < 1e-11);
    assert_true(fabs(glat - 39.91640428150164) < 1e-11);
}

/* The same library's gcj02towgs84 is the one-step approximation 2g − f(g); the
 * iterated inverse differs from it by less than its own error, and it is the one
 * whose forward image is the GCJ-02 input again. */
static void inverse_of_the_beijing_pair_returns_the_wgs84_point(void **state)
{
    (void)state;
    double wlat, wlon;
    fg_gcj02_to_wgs84(39.91640428150164, 116.41024449916938, &wlat, &wlon);
    assert_true(fabs(wlat - 39.915) < 1e-9);
    assert_true(fabs(wlon - 116.404) < 1e-9);
    /* one-step value of the published example (GCJ-02 input 116.404, 39.915) */
    fg_gcj02_to_wgs84(39.915, 116.404, &wlat, &wlon);
    assert_true(fabs(wlon - 116.39775550083061) < 2e-5);
    assert_true(fabs(wlat - 39.91359571849836) < 2e-5);
    double glat, glon;
    fg_wgs84_to_gcj02(wlat, wlon, &glat, &glon);
    assert_true(fabs(glat - 39.915) < 1e-9 && fabs(glon - 116.404) < 1e-9);
}

/* Round trip over a 41×41 lattice covering the county and 0.1° around it. */
static void round_trip_over_the_county_is_below_1e6_degree(void **state)
{
    (void)state;
    double worst = 0;
    for (int i = 0; i <= 40; i++)
        for (int j = 0; j <= 40; j++) {
            double lat = FG_SAMPLE_SOUTH - 0.1 + (FG_SAMPLE_NORTH - FG_SAMPLE_SOUTH + 0.2) * i / 40;
            double lon = FG_SAMPLE_WEST - 0.1 + (FG_SAMPLE_EAST - FG_SAMPLE_WEST + 0.2) * j / 40;
            double glat, glon, wlat, wlon;
            fg_wgs84_to_gcj02(lat, lon, &glat, &glon);
            fg_gcj02_to_wgs84(glat, glon, &wlat, &wlon);
            worst = fmax(worst, fmax(fabs(wlat - lat), fabs(wlon - lon)));
        }
    assert_true(worst < 1e-6);
    print_message("worst round trip over the county: %.2e deg\n", worst);
}

/* DESIGN.md: "offset about 0.6 km at this county — more than a VIIRS pixel". */
static void offset_at_the_county_is_about_600_m(void **state)
{
    (void)state;
    double lo = INFINITY, hi = 0;
    for (int i = 0; i <= 10; i++)
        for (int j = 0; j <= 10; j++) {
            double lat = FG_SAMPLE_SOUTH + (FG_SAMPLE_NORTH - FG_SAMPLE_SOUTH) * i / 10;
            double lon = FG_SAMPLE_WEST + (FG_SAMPLE_EAST - FG_SAMPLE_WEST) * j / 10;
            double glat, glon;
            fg_wgs84_to_gcj02(lat, lon, &glat, &glon);
            double d = fg_geo_distance(lat, lon, glat, glon);
            lo = fmin(lo, d);
            hi = fmax(hi, d);
        }
    print_message("GCJ-02 offset over the county: %.0f..%.0f m\n", lo, hi);
    assert_true(lo > 400 && hi < 800);
    assert_true(lo > 375); /* more than a VIIRS I-band pixel everywhere */
    double glat, glon;
    fg_wgs84_to_gcj02(CLAT, CLON, &glat, &glon);
    /* GCJ-02 here lies east and north of WGS84 */
    assert_true(glon > CLON && glat > CLAT);
}

/* The rough box of the published implementations: points outside it are unchanged
 * both ways; points just inside are shifted. */
typedef struct box_case {
    double lat, lon;
    int shifted;
} box_case;

static void points_outside_china_are_unchanged(void **state)
{
    (void)state;
    static const box_case cases[] = {
        {48.8584, 2.2945, 0},    /* Paris */
        {-33.86, 151.21, 0},     /* Sydney */
        {39.9, 71.9, 0},         /* west of 72.004°E */
        {39.9, 137.9, 0},        /* east of 137.8347°E */
        {0.8, 110.0, 0},         /* south of 0.8293°N */
        {55.9, 110.0, 0},        /* north of 55.8271°N */
        {39.9, 72.1, 1},         /* just inside */
        {55.7, 137.7, 1},
        {CLAT, CLON, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const box_case *c = &cases[i];
        double glat, glon, wlat, wlon;
        fg_wgs84_to_gcj02(c->lat, c->lon, &glat, &glon);
        fg_gcj02_to_wgs84(c->lat, c->lon, &wlat, &wlon);
        int moved = glat != c->lat || glon != c->lon;
        int moved_back = wlat != c->lat || wlon != c->lon;
        if (moved != c->shifted || moved_back != c->shifted)
            fail_msg("case %zu (%.4f, %.4f): shifted %d/%d, expected %d", i, c->lat, c->lon,
                     moved, moved_back, c->shifted);
    }
}

static void non_finite_input_passes_through(void **state)
{
    (void)state;
    double a, b;
    fg_gcj02_to_wgs84(NAN, 111.5, &a, &b);
    assert_true(isnan(a));
    assert_true(b == 111.5);
    fg_wgs84_to_gcj02(39.4, INFINITY, &a, &b);
    assert_true(a == 39.4 && isinf(b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(forward_matches_the_published_beijing_pair),
        cmocka_unit_test(inverse_of_the_beijing_pair_returns_the_wgs84_point),
        cmocka_unit_test(round_trip_over_the_county_is_below_1e6_degree),
        cmocka_unit_test(offset_at_the_county_is_about_600_m),
        cmocka_unit_test(points_outside_china_are_unchanged),
        cmocka_unit_test(non_finite_input_passes_through),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
