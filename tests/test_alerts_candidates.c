/* test_alerts_candidates.c — learned persistent heat sources: day counts, windows, radius, exclusions, stable ids. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alerts/alerts.h"
#include "alerts/candidates_int.h"
#include "alerts/feedback_int.h"

#define TMP FG_TEST_TMPDIR

/* A kiln-like place in the sample county, and a place 3 km east of it. */
#define SITE_LAT 39.3050
#define SITE_LON 111.5900
#define FAR_LON 111.6250 /* 0.035° of longitude at 39.3°N ≈ 3.0 km */

static int64_t utc(const char *iso)
{
    int64_t t = 0;
    assert_int_equal(fg_time_parse(iso, &t), FG_OK);
    return t;
}

static int setup(void **state)
{
    (void)state;
    mkdir(TMP, 0755);
    return 0;
}

/* A scenario: hotspots given as (Beijing day offset from 2026-10-01, hour UTC, metres
 * east and north of the site), each its own incident; marks as (incident, day offset). */
typedef struct hot { int day, hour; double east_m, north_m; } hot;

typedef struct scenario {
    fg_incident inc[32];
    fg_cand_point pts[32];
    fg_cand_mark marks[32];
    size_t n, nmarks;
} scenario;

static int64_t day0(void) { return utc("2026-10-01T00:00:00Z"); }

static void scen_add(scenario *s, const hot *h, size_t nh)
{
    for (size_t i = 0; i < nh; i++) {
        size_t k = s->n++;
        fg_incident *in = &s->inc[k];
        memset(in, 0, sizeof *in);
        snprintf(in->id, sizeof in->id, "F%012zx", k + 1);
        fg_cand_point *p = &s->pts[k];
        memset(p, 0, sizeof *p);
        snprintf(p->alert_id, sizeof p->alert_id, "S%016zx", 0x100 + k);
        p->t = day0() + (int64_t)h[i].day * 86400 + (int64_t)h[i].hour * 3600;
        fg_geo_destination(SITE_LAT, SITE_LON, 90, h[i].east_m, &p->lat, &p->lon);
        fg_geo_destination(p->lat, p->lon, 0, h[i].north_m, &p->lat, &p->lon);
        p->incident = k;
        in->first_seen = in->last_seen = p->t;
        in->lat = p->lat;
        in->lon = p->lon;
        in->cls = FG_ALERT_STRAW;
        snprintf(in->place.town_code, sizeof in->place.town_code, "140932105");
    }
}

static size_t run(const scenario *s, int64_t now, int n_days, int m_days, double radius_m,
                  fg_candidate **out)
{
    size_t n = 99;
    fg_ctx ctx = {0};
    assert_int_equal(fg_candidates_compute(s->inc, s->n, s->pts, s->n, s->marks, s->nmarks, now,
                                           n_days, m_days, radius_m, out, &n, &ctx),
                     FG_OK);
    return n;
}

/* Hot days at one place (two passes a day, a few hundred metres apart, as VIIRS and
 * MODIS pixel centres scatter around a fixed source) → candidate or not. */
static void hot_days_within_the_window_table(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        int days[4], ndays;
        int want_candidate, want_days;
    } table[] = {
        {"3 days within 30", {20, 25, 32}, 3, 1, 3},
        {"2 days", {20, 32}, 2, 0, 2},
        {"3 days, 40 days apart (0, 20, 40)", {0, 20, 40}, 3, 0, 2},
        {"4 days, the first outside the window", {0, 31, 35, 40}, 4, 1, 3},
        {"3 consecutive days", {38, 39, 40}, 3, 1, 3},
    };
    const int64_t now = day0() + 40 * 86400 + 12 * 3600; /* day 40, 20:00 Beijing */
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        scenario s = {0};
        for (int d = 0; d < table[i].ndays; d++) {
            hot h[2] = {{table[i].days[d], 5, 150, -120}, {table[i].days[d], 6, -300, 250}};
            scen_add(&s, h, 2);
        }
        fg_candidate *c = NULL;
        size_t n = run(&s, now, 3, 30, 1000, &c);
        if ((int)n != table[i].want_candidate)
            fail_msg("%s: %zu candidates, want %d", table[i].what, n, table[i].want_candidate);
        if (n) {
            assert_int_equal(c[0].days_hot, table[i].want_days);
            assert_int_equal(c[0].days_false, 0);
            /* the position is the mean of the window's hotspots: near the site */
            assert_true(fg_geo_distance(c[0].lat, c[0].lon, SITE_LAT, SITE_LON) < 300);
            assert_string_equal(c[0].place.town_code, "140932105");
            assert_true(c[0].first_seen <= c[0].last_seen);
            assert_true(c[0].last_seen <= now);
        }
        fg_free(c);
    }
}

/* Days are Beijing calendar days: 15:30Z and 16:30Z are 23:30 and 00:30 of two days. */
static void days_are_counted_in_beijing_time(void **state)
{
    (void)state;
    scenario s = {0};
    /* day 0 15:00Z = 23:00 Beijing day 0; day 0 17:00Z = 01:00 Beijing day 1; day 1 17:00Z */
    hot h[3] = {{0, 15, 0, 0}, {0, 17, 100, 0}, {1, 17, 0, 100}};
    scen_add(&s, h, 3);
    fg_candidate *c = NULL;
    assert_int_equal(run(&s, day0() + 5 * 86400, 3, 30, 1000, &c), 1);
    assert_int_equal(c[0].days_hot, 3);
    fg_free(c);
    /* The same three passes shifted by 8 h fall on 2 Beijing days: no candidate. */
    scenario s2 = {0};
    hot h2[3] = {{0, 7, 0, 0}, {0, 9, 100, 0}, {1, 9, 0, 100}};
    scen_add(&s2, h2, 3);
    assert_int_equal(run(&s2, day0() + 5 * 86400, 3, 30, 1000, &c), 0);
    assert_null(c);
}

static void places_farther_apart_than_the_radius_are_separate(void **state)
{
    (void)state;
    scenario s = {0};
    double far_east = fg_geo_distance(SITE_LAT, SITE_LON, SITE_LAT, FAR_LON);
    hot h[4] = {{0, 5, 0, 0}, {1, 5, far_east, 0}, {2, 5, 0, 0}, {3, 5, far_east, 0}};
    scen_add(&s, h, 4);
    fg_candidate *c = NULL;
    assert_int_equal(run(&s, day0() + 10 * 86400, 3, 30, 1000, &c), 0);
    /* with a 5 km radius they are one place hot on 4 days */
    assert_int_equal(run(&s, day0() + 10 * 86400, 3, 30, 5000, &c), 1);
    assert_int_equal(c[0].days_hot, 4);
    fg_free(c);
}

static void false_alarms_on_three_days_make_a_candidate(void **state)
{
    (void)state;
    scenario s = {0};
    /* hot on 2 days only (days 0 and 9), but reported as not burning on days 0, 9 and 11
     * (the second incident was checked twice) */
    hot h[2] = {{0, 5, 0, 0}, {9, 5, 200, 0}};
    scen_add(&s, h, 2);
    const int64_t mark_t[3] = {s.pts[0].t + 3 * 3600, s.pts[1].t + 3 * 3600,
                               s.pts[1].t + 2 * 86400};
    const size_t mark_inc[3] = {0, 1, 1};
    for (size_t k = 0; k < 3; k++) {
        s.marks[s.nmarks].incident = mark_inc[k];
        s.marks[s.nmarks++].t = mark_t[k];
    }
    fg_candidate *c = NULL;
    const int64_t now = day0() + 25 * 86400;
    assert_int_equal(run(&s, now, 3, 30, 1000, &c), 1);
    assert_int_equal(c[0].days_hot, 2);
    assert_int_equal(c[0].days_false, 3);
    fg_free(c);
    /* two false-alarm days do not */
    s.nmarks = 2;
    assert_int_equal(run(&s, now, 3, 30, 1000, &c), 0);
    /* marks outside the window do not count: window (day 8, day 38] keeps days 9 and 11 */
    s.nmarks = 3;
    assert_int_equal(run(&s, day0() + 38 * 86400, 2, 30, 1000, &c), 1);
    assert_int_equal(c[0].days_hot, 1);
    assert_int_equal(c[0].days_false, 2);
    fg_free(c);
}

static void a_registered_static_source_is_excluded(void **state)
{
    (void)state;
    scenario s = {0};
    hot h[3] = {{0, 5, 0, 0}, {1, 5, 100, 0}, {2, 5, 0, 100}};
    scen_add(&s, h, 3);
    s.inc[1].cls = FG_ALERT_INDUSTRIAL;
    snprintf(s.inc[1].static_id, sizeof s.inc[1].static_id, "SS-0001");
    fg_candidate *c = NULL;
    assert_int_equal(run(&s, day0() + 5 * 86400, 3, 30, 1000, &c), 0);
    /* an officer's "industrial" report is not the registry: still proposed */
    snprintf(s.inc[1].static_id, sizeof s.inc[1].static_id, "%s", FG_FEEDBACK_STATIC_ID);
    assert_int_equal(run(&s, day0() + 5 * 86400, 3, 30, 1000, &c), 1);
    fg_free(c);
}

static void ids_are_deterministic_and_survive_order_and_window(void **state)
{
    (void)state;
    scenario s = {0};
    hot h[8] = {{0, 5, 0, 0},  {3, 5, 100, 0}, {6, 5, 0, 100}, {9, 5, -100, 0},
                {0, 6, 3000, 0}, {2, 6, 3100, 0}, {4, 6, 3000, 100}, {8, 6, 2900, 0}};
    scen_add(&s, h, 8);
    fg_candidate *a = NULL, *b = NULL;
    const int64_t now = day0() + 10 * 86400;
    assert_int_equal(run(&s, now, 3, 30, 1000, &a), 2);
    assert_int_not_equal(strcmp(a[0].id, a[1].id), 0);
    assert_int_equal(a[0].id[0], 'P');
    assert_int_equal(strlen(a[0].id), 13);
    /* the same points in reverse order give the same candidates, byte for byte */
    scenario r = s;
    for (size_t i = 0; i < s.n; i++)
        r.pts[i] = s.pts[s.n - 1 - i];
    assert_int_equal(run(&r, now, 3, 30, 1000, &b), 2);
    assert_memory_equal(a, b, 2 * sizeof *a);
    fg_free(b);
    /* 23 days later days 0-2 have left the window (days 3, 6, 9 remain for the first
     * place, 4 and 8 for the second): the id is still that of the place's first hotspot */
    assert_int_equal(run(&s, day0() + 33 * 86400 + 3600, 3, 30, 1000, &b), 1);
    assert_string_equal(b[0].id, a[0].id); /* a[0]: the first place, seen first */
    assert_int_equal(b[0].days_hot, 3);
    fg_free(a);
    fg_free(b);
}

static void defaults_are_three_days_in_thirty_within_one_km(void **state)
{
    (void)state;
    scenario s = {0};
    hot h[3] = {{0, 5, 0, 0}, {10, 5, 900, 0}, {20, 5, -900, 0}}; /* within 1 km of the seed */
    scen_add(&s, h, 3);
    fg_candidate *c = NULL;
    assert_int_equal(run(&s, day0() + 25 * 86400, 0, 0, 0, &c), 1);
    fg_free(c);
    assert_int_equal(run(&s, day0() + 35 * 86400, 0, 0, 0, &c), 0); /* day 0 left the window */
    scenario s2 = {0};
    hot h2[3] = {{0, 5, 0, 0}, {10, 5, 1100, 0}, {20, 5, -1100, 0}}; /* beyond 1 km */
    scen_add(&s2, h2, 3);
    assert_int_equal(run(&s2, day0() + 25 * 86400, 0, 0, 0, &c), 0);
}

static void no_hotspots_no_candidates(void **state)
{
    (void)state;
    fg_candidate *c = (fg_candidate *)&c;
    size_t n = 5;
    fg_ctx ctx = {0};
    assert_int_equal(fg_candidates_compute(NULL, 0, NULL, 0, NULL, 0, day0(), 3, 30, 1000, &c, &n,
                                           &ctx),
                     FG_OK);
    assert_int_equal(n, 0);
    assert_null(c);
    assert_int_equal(fg_candidates_compute(NULL, 0, NULL, 0, NULL, 0, day0(), 3, 30, 1000, NULL,
                                           &n, &ctx),
                     FG_EINVAL);
}

/* ------------------------------------------------------- through the ledger */

static void ledger_add(fg_ledger *l, const char *inc_id, int day, int hour, double east_m,
                       const char *sensor, fg_incident_status st, int64_t st_time)
{
    fg_ctx ctx = {0};
    fg_alert a;
    memset(&a, 0, sizeof a);
    fg_hotspot_init(&a.hs, FG_SOURCE_SATELLITE);
    snprintf(a.hs.sensor, sizeof a.hs.sensor, "%s", sensor);
    a.hs.time_utc = day0() + (int64_t)day * 86400 + (int64_t)hour * 3600;
    fg_geo_destination(SITE_LAT, SITE_LON, 90, east_m, &a.hs.lat, &a.hs.lon);
    a.hs.scan_km = a.hs.track_km = 0.375f;
    a.hs.confidence = 80;
    fg_alert_make_id(&a);
    assert_int_equal(fg_ledger_hotspot_add(l, &a, inc_id, "R1", &ctx), FG_OK);
    fg_incident in;
    memset(&in, 0, sizeof in);
    snprintf(in.id, sizeof in.id, "%s", inc_id);
    in.first_seen = in.last_seen = a.hs.time_utc;
    in.lat = a.hs.lat;
    in.lon = a.hs.lon;
    in.radius_m = 265;
    in.n_hotspots = 1;
    in.source_kinds = FG_SRC_BIT_SATELLITE;
    in.peak_confidence = 80;
    in.peak_frp_mw = NAN;
    in.status = st;
    in.status_time = st_time ? st_time : in.first_seen;
    snprintf(in.place.town_code, sizeof in.place.town_code, "140932105");
    snprintf(in.place.town_name, sizeof in.place.town_name, "老牛湾镇");
    assert_int_equal(fg_ledger_incident_put(l, &in, &ctx), FG_OK);
}

static void ledger_kiln_is_found_and_fields_hold(void **state)
{
    (void)state;
    const char *path = TMP "/cand.gpkg";
    unlink(path);
    fg_ledger *l = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_ledger_open(path, &l, &ctx), FG_OK);
    assert_int_equal(fg_ledger_begin(l, &ctx), FG_OK);
    ledger_add(l, "F0000000000a1", 0, 5, 0, "VIIRS-I", FG_INC_ONGOING, 0);
    ledger_add(l, "F0000000000a2", 4, 18, 200, "VIIRS-I", FG_INC_ONGOING, 0);
    ledger_add(l, "F0000000000a3", 9, 5, -150, "MODIS", FG_INC_ONGOING, 0);
    /* a field 3 km away, false alarm on one day only */
    ledger_add(l, "F0000000000b1", 2, 5, 3000, "VIIRS-I", FG_INC_FALSE_ALARM,
               day0() + 2 * 86400 + 8 * 3600);
    assert_int_equal(fg_ledger_commit(l, &ctx), FG_OK);
    fg_candidate *c = NULL, *c2 = NULL;
    size_t n = 0, n2 = 0;
    const int64_t now = day0() + 12 * 86400;
    assert_int_equal(fg_candidates_find(l, now, 0, 0, 0, &c, &n, &ctx), FG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(c[0].days_hot, 3);
    assert_int_equal(c[0].days_false, 0);
    assert_string_equal(c[0].place.town_name, "老牛湾镇");
    assert_int_equal(c[0].first_seen, day0() + 5 * 3600);
    assert_int_equal(c[0].last_seen, day0() + 9 * 86400 + 5 * 3600);
    assert_true(fg_geo_distance(c[0].lat, c[0].lon, SITE_LAT, SITE_LON) < 200);
    fg_ledger_close(l);
    /* reopened: the same answer */
    assert_int_equal(fg_ledger_open(path, &l, &ctx), FG_OK);
    assert_int_equal(fg_candidates_find(l, now, 3, 30, 1000, &c2, &n2, &ctx), FG_OK);
    assert_int_equal(n2, 1);
    assert_string_equal(c2[0].id, c[0].id);
    fg_ledger_close(l);
    fg_free(c);
    fg_free(c2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hot_days_within_the_window_table),
        cmocka_unit_test(days_are_counted_in_beijing_time),
        cmocka_unit_test(places_farther_apart_than_the_radius_are_separate),
        cmocka_unit_test(false_alarms_on_three_days_make_a_candidate),
        cmocka_unit_test(a_registered_static_source_is_excluded),
        cmocka_unit_test(ids_are_deterministic_and_survive_order_and_window),
        cmocka_unit_test(defaults_are_three_days_in_thirty_within_one_km),
        cmocka_unit_test(no_hotspots_no_candidates),
        cmocka_unit_test(ledger_kiln_is_found_and_fields_hold),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
