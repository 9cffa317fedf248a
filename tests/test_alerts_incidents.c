/* test_alerts_incidents.c — merging hotspots into incidents: footprints, time gaps, classes, stable ids, peaks. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alerts/alerts.h"

#define T0 INT64_C(1792042800) /* 2026-10-15T05:40:00Z */
#define LAT0 39.40
#define LON0 111.60

/* A satellite hotspot of pixel size px_km at (distance east of LAT0/LON0 in m) and time. */
static fg_alert sat(const char *sensor, double px_km, double east_m, int64_t t, int conf, float frp)
{
    fg_alert a;
    memset(&a, 0, sizeof a);
    fg_hotspot_init(&a.hs, FG_SOURCE_SATELLITE);
    snprintf(a.hs.sensor, sizeof a.hs.sensor, "%s", sensor);
    fg_geo_destination(LAT0, LON0, 90.0, east_m, &a.hs.lat, &a.hs.lon);
    a.hs.time_utc = t;
    a.hs.scan_km = a.hs.track_km = (float)px_km;
    a.hs.confidence = conf;
    a.hs.frp_mw = frp;
    a.hs.ev_row = (int)east_m;
    a.place.inside = 1;
    snprintf(a.place.vill_code, sizeof a.place.vill_code, "V%.0f", east_m);
    fg_alert_make_id(&a);
    return a;
}

static fg_alert cam(const char *id, double east_m, int64_t t, float rmin, float rmax, int conf)
{
    fg_alert a;
    memset(&a, 0, sizeof a);
    fg_hotspot_init(&a.hs, FG_SOURCE_CAMERA);
    snprintf(a.hs.sensor, sizeof a.hs.sensor, "%s", id);
    fg_geo_destination(LAT0, LON0, 90.0, east_m, &a.hs.lat, &a.hs.lon);
    a.hs.time_utc = t;
    a.hs.range_min_m = rmin;
    a.hs.range_max_m = rmax;
    a.hs.confidence = conf;
    a.hs.ev_x = (int)east_m;
    fg_alert_make_id(&a);
    return a;
}

static void footprint_radius_is_half_the_pixel_diagonal_or_the_camera_range_band(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        int camera;
        float scan, track, rmin, rmax;
        double want;
    } cases[] = {
        {"VIIRS I-band 375 m", 0, 0.375f, 0.375f, NAN, NAN, 265.2},
        {"MODIS 1 km", 0, 1.0f, 1.0f, NAN, NAN, 707.1},
        {"FY-4 AGRI 2 km", 0, 2.0f, 2.0f, NAN, NAN, 1414.2},
        {"MODIS scan edge 2 x 4.8 km", 0, 4.8f, 2.0f, NAN, NAN, 2600.0},
        {"satellite without pixel size", 0, NAN, NAN, NAN, NAN, 707.0},
        {"camera, 1.8-2.6 km band", 1, NAN, NAN, 1800.0f, 2600.0f, 400.0},
        {"camera, narrow triangulated band", 1, NAN, NAN, 2000.0f, 2100.0f, 150.0},
        {"camera without band", 1, NAN, NAN, NAN, NAN, 150.0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fg_hotspot h;
        fg_hotspot_init(&h, cases[i].camera ? FG_SOURCE_CAMERA : FG_SOURCE_SATELLITE);
        h.scan_km = cases[i].scan;
        h.track_km = cases[i].track;
        h.range_min_m = cases[i].rmin;
        h.range_max_m = cases[i].rmax;
        double r = fg_hotspot_radius_m(&h);
        if (fabs(r - cases[i].want) > 0.5)
            fail_msg("%s: radius %.1f m, want %.1f m", cases[i].what, r, cases[i].want);
    }
}

/* Table: two hotspots; merged into one incident or not. */
static void merging_depends_on_footprints_gap_and_class(void **state)
{
    (void)state;
    fg_alert plant = sat("VIIRS-NPP", 0.375, 0, T0 + 3600, 80, 20.0f);
    plant.cls = FG_ALERT_INDUSTRIAL;
    snprintf(plant.static_id, sizeof plant.static_id, "PP1");
    fg_alert plant2 = plant;
    snprintf(plant2.static_id, sizeof plant2.static_id, "PP2");
    plant2.hs.ev_row = 99;
    fg_alert_make_id(&plant2);
    const struct {
        const char *what;
        fg_alert a, b;
        int merged;
    } cases[] = {
        {"1 km pass and 375 m pass an hour apart, 900 m apart",
         sat("MODIS-TERRA", 1.0, 0, T0, 70, 10.0f), sat("VIIRS-NPP", 0.375, 900, T0 + 3600, 90, 5.0f), 1},
        {"two 375 m pixels 1.2 km apart (265+265+500 < 1200)",
         sat("VIIRS-NPP", 0.375, 0, T0, 70, 1.0f), sat("VIIRS-NPP", 0.375, 1200, T0, 70, 1.0f), 0},
        {"2 km geostationary pixel 1.8 km from a 375 m pixel",
         sat("VIIRS-NPP", 0.375, 0, T0, 70, 1.0f), sat("FY4A-AGRI", 2.0, 1800, T0 + 600, 60, NAN), 1},
        {"two 1 km pixels 1.8 km apart",
         sat("MODIS-TERRA", 1.0, 0, T0, 70, 1.0f), sat("MODIS-AQUA", 1.0, 1800, T0 + 600, 60, 1.0f), 1},
        {"two 1 km pixels 2.0 km apart",
         sat("MODIS-TERRA", 1.0, 0, T0, 70, 1.0f), sat("MODIS-AQUA", 1.0, 2000, T0 + 600, 60, 1.0f), 0},
        {"camera range band reaches a 375 m pixel 1 km away",
         sat("VIIRS-NPP", 0.375, 0, T0, 70, 1.0f), cam("CAM-01", 1000, T0 + 300, 1800, 2600, 85), 1},
        {"same field the next day (30 h later)",
         sat("VIIRS-NPP", 0.375, 0, T0, 70, 1.0f), sat("VIIRS-NPP", 0.375, 100, T0 + 30 * 3600, 70, 1.0f), 1},
        {"same field 40 h later: a new fire",
         sat("VIIRS-NPP", 0.375, 0, T0, 70, 1.0f), sat("VIIRS-NPP", 0.375, 100, T0 + 40 * 3600, 70, 1.0f), 0},
        {"straw hotspot on the spot of an industrial one",
         sat("VIIRS-NPP", 0.375, 50, T0 + 3600, 70, 1.0f), plant, 0},
        {"two static sources never share an incident", plant, plant2, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fg_alert v[2] = {cases[i].a, cases[i].b};
        fg_alerts_sort(v, 2);
        fg_incident *inc = NULL;
        size_t n = 0;
        char of[2][24];
        fg_ctx c = {0};
        assert_int_equal(fg_incidents_merge(&inc, &n, v, 2, NULL, of, &c), FG_OK);
        if ((n == 1) != cases[i].merged)
            fail_msg("%s: %zu incident(s), want %s", cases[i].what, n,
                     cases[i].merged ? "one" : "two");
        assert_int_equal(strcmp(of[0], of[1]) == 0, cases[i].merged);
        fg_free(inc);
    }
}

static void an_incident_keeps_peaks_sources_and_the_most_precise_position(void **state)
{
    (void)state;
    fg_alert v[3] = {sat("MODIS-TERRA", 1.0, 0, T0, 70, 30.0f),
                     sat("VIIRS-NPP", 0.375, 600, T0 + 3600, 95, 8.0f),
                     cam("CAM-01", 700, T0 + 5400, 1800, 2600, 85)};
    v[0].place.inside = 1;
    fg_alerts_sort(v, 3);
    fg_incident *inc = NULL;
    size_t n = 0;
    char of[3][24];
    fg_ctx c = {0};
    assert_int_equal(fg_incidents_merge(&inc, &n, v, 3, NULL, of, &c), FG_OK);
    assert_int_equal(n, 1);
    const fg_incident *x = &inc[0];
    assert_int_equal(x->n_hotspots, 3);
    assert_int_equal(x->first_seen, T0);
    assert_int_equal(x->last_seen, T0 + 5400);
    assert_int_equal(x->peak_confidence, 95);
    assert_true(x->peak_frp_mw == 30.0f);
    assert_string_equal(x->sources, "CAM-01,MODIS-TERRA,VIIRS-NPP");
    assert_int_equal(x->source_kinds, FG_SRC_BIT_SATELLITE | FG_SRC_BIT_CAMERA);
    /* position, footprint and village of the 375 m pixel */
    assert_true(x->lat == v[1].hs.lat && x->lon == v[1].hs.lon);
    assert_true(fabs(x->radius_m - 265.2) < 0.5);
    assert_string_equal(x->place.vill_code, "V600");
    assert_int_equal(x->status, FG_INC_NEW);
    assert_int_equal(x->status_time, T0);
    assert_int_equal(x->cls, FG_ALERT_STRAW);
    /* the id: "F" + 12 hex digits, from the first hotspot */
    assert_int_equal(strlen(x->id), 13);
    assert_int_equal(x->id[0], 'F');
    assert_int_equal(strspn(x->id + 1, "0123456789abcdef"), 12);
    fg_incident *one = NULL;
    size_t n1 = 0;
    assert_int_equal(fg_incidents_merge(&one, &n1, v, 1, NULL, NULL, &c), FG_OK);
    assert_string_equal(one[0].id, x->id);
    assert_true(isfinite(one[0].peak_frp_mw));
    fg_free(one);
    fg_free(inc);
}

static void merging_in_two_runs_equals_merging_at_once(void **state)
{
    (void)state;
    fg_alert v[6] = {sat("MODIS-TERRA", 1.0, 0, T0, 70, 30.0f),
                     sat("VIIRS-NPP", 0.375, 5000, T0 + 100, 60, 3.0f),
                     sat("VIIRS-NPP", 0.375, 400, T0 + 3600, 95, 8.0f),
                     cam("CAM-01", 5200, T0 + 4000, 1800, 2600, 85),
                     sat("VIIRS-NOAA20", 0.375, 300, T0 + 26 * 3600, 80, 4.0f),
                     sat("VIIRS-NOAA20", 0.375, 20000, T0 + 26 * 3600, 80, 4.0f)};
    fg_alerts_sort(v, 6);
    fg_incident *all = NULL, *two = NULL;
    size_t na = 0, nt = 0;
    fg_ctx c = {0};
    char ofa[6][24], oft[6][24];
    assert_int_equal(fg_incidents_merge(&all, &na, v, 6, NULL, ofa, &c), FG_OK);
    assert_int_equal(fg_incidents_merge(&two, &nt, v, 3, NULL, oft, &c), FG_OK);
    assert_int_equal(fg_incidents_merge(&two, &nt, v + 3, 3, NULL, oft + 3, &c), FG_OK);
    assert_int_equal(na, 3);
    assert_int_equal(nt, na);
    for (size_t i = 0; i < na; i++) {
        assert_string_equal(all[i].id, two[i].id);
        assert_int_equal(all[i].n_hotspots, two[i].n_hotspots);
        assert_int_equal(all[i].last_seen, two[i].last_seen);
        assert_string_equal(all[i].sources, two[i].sources);
    }
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(ofa[i], oft[i]);
    fg_free(all);
    fg_free(two);
}

static void the_nearest_reachable_incident_wins(void **state)
{
    (void)state;
    /* both incidents reach the third hotspot (2 km pixels: 1414 + 265 + 500 m) */
    fg_alert v[3] = {sat("FY4A-AGRI", 2.0, 0, T0, 70, 1.0f),
                     sat("FY4A-AGRI", 2.0, 3500, T0, 70, 1.0f),
                     sat("VIIRS-NPP", 0.375, 2000, T0 + 3600, 70, 1.0f)};
    fg_alerts_sort(v, 3);
    fg_incident *inc = NULL;
    size_t n = 0;
    char of[3][24];
    fg_ctx c = {0};
    assert_int_equal(fg_incidents_merge(&inc, &n, v, 3, NULL, of, &c), FG_OK);
    assert_int_equal(n, 2);
    /* the VIIRS pixel at 2000 m is within reach of both (2179 m) and nearer the one at
     * 3500 m (1500 m away) */
    assert_int_equal(v[2].hs.time_utc, T0 + 3600);
    size_t far = v[0].hs.lon > v[1].hs.lon ? 0 : 1;
    assert_string_equal(of[2], of[far]);
    assert_string_not_equal(of[2], of[1 - far]);
    fg_free(inc);
}

static void status_names_in_chinese_and_english(void **state)
{
    (void)state;
    static const struct {
        fg_incident_status s;
        const char *zh, *en;
    } t[] = {{FG_INC_NEW, "新发现", "new"},         {FG_INC_ONGOING, "持续", "ongoing"},
             {FG_INC_CONFIRMED, "确认焚烧", "confirmed"}, {FG_INC_FALSE_ALARM, "误报", "false_alarm"},
             {FG_INC_INDUSTRIAL, "工业热源", "industrial"}, {FG_INC_OUT, "已熄灭", "out"}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        assert_string_equal(fg_incident_status_name(t[i].s, "zh"), t[i].zh);
        assert_string_equal(fg_incident_status_name(t[i].s, NULL), t[i].zh);
        assert_string_equal(fg_incident_status_name(t[i].s, "en"), t[i].en);
    }
    assert_string_equal(fg_incident_status_name((fg_incident_status)42, "en"), "unknown");
    fg_merge_params p;
    fg_merge_params_default(&p);
    assert_true(p.slack_m == 500.0);
    assert_int_equal(p.max_gap_s, 36 * 3600);
}

static void an_industrial_hotspot_starts_an_industrial_incident(void **state)
{
    (void)state;
    fg_alert a = sat("VIIRS-NPP", 0.375, 0, T0, 80, 20.0f);
    a.cls = FG_ALERT_INDUSTRIAL;
    snprintf(a.static_id, sizeof a.static_id, "PP1");
    snprintf(a.static_name, sizeof a.static_name, "电厂");
    fg_incident *inc = NULL;
    size_t n = 0;
    fg_ctx c = {0};
    assert_int_equal(fg_incidents_merge(&inc, &n, &a, 1, NULL, NULL, &c), FG_OK);
    assert_int_equal(inc[0].cls, FG_ALERT_INDUSTRIAL);
    assert_int_equal(inc[0].status, FG_INC_INDUSTRIAL);
    assert_string_equal(inc[0].static_name, "电厂");
    fg_free(inc);
    /* nothing to merge: nothing changes */
    inc = NULL;
    n = 0;
    assert_int_equal(fg_incidents_merge(&inc, &n, NULL, 0, NULL, NULL, &c), FG_OK);
    assert_int_equal(n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(footprint_radius_is_half_the_pixel_diagonal_or_the_camera_range_band),
        cmocka_unit_test(merging_depends_on_footprints_gap_and_class),
        cmocka_unit_test(an_incident_keeps_peaks_sources_and_the_most_precise_position),
        cmocka_unit_test(merging_in_two_runs_equals_merging_at_once),
        cmocka_unit_test(the_nearest_reachable_incident_wins),
        cmocka_unit_test(status_names_in_chinese_and_english),
        cmocka_unit_test(an_industrial_hotspot_starts_an_industrial_incident),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
