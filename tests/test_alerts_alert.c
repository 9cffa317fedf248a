/* test_alerts_alert.c — alert ids are stable and distinct; the sort order is total. */
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

#include "alerts/alerts.h"

static fg_alert sat(const char *sensor, int64_t t, double lat, double lon, int row, int col)
{
    fg_alert a;
    memset(&a, 0, sizeof a);
    fg_hotspot_init(&a.hs, FG_SOURCE_SATELLITE);
    snprintf(a.hs.sensor, sizeof a.hs.sensor, "%s", sensor);
    a.hs.time_utc = t;
    a.hs.lat = lat;
    a.hs.lon = lon;
    a.hs.ev_row = row;
    a.hs.ev_col = col;
    a.hs.confidence = 85;
    a.hs.conf_class = FG_CONF_HIGH;
    snprintf(a.hs.evidence, sizeof a.hs.evidence, "scenes/%s.tif", sensor);
    fg_alert_make_id(&a);
    return a;
}

static fg_alert cam(const char *id, int64_t t, double lat, double lon, int x, int y)
{
    fg_alert a;
    memset(&a, 0, sizeof a);
    fg_hotspot_init(&a.hs, FG_SOURCE_CAMERA);
    snprintf(a.hs.sensor, sizeof a.hs.sensor, "%s", id);
    a.hs.time_utc = t;
    a.hs.lat = lat;
    a.hs.lon = lon;
    a.hs.ev_x = x;
    a.hs.ev_y = y;
    a.hs.ev_w = 40;
    a.hs.ev_h = 30;
    a.hs.smoke_score = 0.7f;
    fg_alert_make_id(&a);
    return a;
}

static void assert_id_shape(const char *id, char prefix)
{
    assert_int_equal(strlen(id), 17);
    assert_int_equal(id[0], prefix);
    for (int i = 1; i < 17; i++)
        assert_non_null(strchr("0123456789abcdef", id[i]));
}

static void ids_have_the_prefix_and_16_hex_digits(void **state)
{
    (void)state;
    fg_alert s = sat("SYNTH-MODIS-TERRA", 1791600000, 39.4512, 111.6023, 10, 20);
    fg_alert c = cam("CAM-01", 1791600000, 39.4512, 111.6023, 100, 200);
    assert_id_shape(s.id, 'S');
    assert_id_shape(c.id, 'C');
}

static void ids_are_deterministic(void **state)
{
    (void)state;
    fg_alert a = sat("SYNTH-MODIS-TERRA", 1791600000, 39.4512, 111.6023, 10, 20);
    fg_alert b = sat("SYNTH-MODIS-TERRA", 1791600000, 39.4512, 111.6023, 10, 20);
    assert_string_equal(a.id, b.id);
    /* below the 1e-5° rounding: the same fire, the same id */
    fg_alert c = sat("SYNTH-MODIS-TERRA", 1791600000, 39.4512 + 1e-9, 111.6023 - 1e-9, 10, 20);
    assert_string_equal(a.id, c.id);
    /* fields outside the key do not change it */
    b.hs.confidence = 12;
    snprintf(b.hs.evidence, sizeof b.hs.evidence, "/elsewhere/copy.tif");
    fg_alert_make_id(&b);
    assert_string_equal(a.id, b.id);
}

static void ids_differ_for_different_hotspots(void **state)
{
    (void)state;
    fg_alert base = sat("SYNTH-MODIS-TERRA", 1791600000, 39.4512, 111.6023, 10, 20);
    fg_alert v[] = {
        sat("SYNTH-MODIS-AQUA", 1791600000, 39.4512, 111.6023, 10, 20),
        sat("SYNTH-MODIS-TERRA", 1791600060, 39.4512, 111.6023, 10, 20),
        sat("SYNTH-MODIS-TERRA", 1791600000, 39.4513, 111.6023, 10, 20),
        sat("SYNTH-MODIS-TERRA", 1791600000, 39.4512, 111.6024, 10, 20),
        sat("SYNTH-MODIS-TERRA", 1791600000, 39.4512, 111.6023, 11, 20),
        sat("SYNTH-MODIS-TERRA", 1791600000, 39.4512, 111.6023, 10, 21),
        cam("SYNTH-MODIS-TERRA", 1791600000, 39.4512, 111.6023, 10, 20),
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        assert_string_not_equal(v[i].id, base.id);
        for (size_t j = i + 1; j < sizeof v / sizeof v[0]; j++)
            assert_string_not_equal(v[i].id, v[j].id);
    }
    /* a whole scene's worth of neighbouring pixels: no collisions */
    enum { N = 900 };
    static char ids[N][24];
    for (int k = 0; k < N; k++) {
        fg_alert a = sat("SYNTH-VIIRS-NPP", 1791600000, 39.2 + (k / 30) * 0.00337,
                         111.4 + (k % 30) * 0.00436, k / 30, k % 30);
        memcpy(ids[k], a.id, sizeof ids[k]);
    }
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++)
            if (strcmp(ids[i], ids[j]) == 0)
                fail_msg("collision %s at %d and %d", ids[i], i, j);
}

/* Alerts with many ties: equal times, kinds, sensors and positions. */
static size_t make_set(fg_alert *a)
{
    size_t n = 0;
    a[n++] = sat("B-SAT", 1000, 39.40, 111.50, 1, 1);
    a[n++] = sat("A-SAT", 1000, 39.40, 111.50, 1, 1);
    a[n++] = sat("A-SAT", 1000, 39.30, 111.50, 2, 1);
    a[n++] = sat("A-SAT", 1000, 39.30, 111.40, 2, 0);
    a[n++] = cam("CAM-02", 1000, 39.30, 111.40, 5, 5);
    a[n++] = cam("CAM-01", 1000, 39.30, 111.40, 5, 5);
    a[n++] = sat("A-SAT", 900, 39.90, 111.90, 0, 0);
    a[n++] = cam("CAM-01", 2000, 39.10, 111.10, 1, 1);
    a[n++] = sat("A-SAT", 1000, NAN, 111.40, 3, 3); /* unknown position sorts last */
    /* same hotspot in two classes (identical id): still ordered */
    a[n] = sat("A-SAT", 1500, 39.5, 111.5, 4, 4);
    a[n + 1] = a[n];
    a[n + 1].cls = FG_ALERT_INDUSTRIAL;
    n += 2;
    return n;
}

static void sort_orders_by_time_kind_sensor_lat_lon(void **state)
{
    (void)state;
    fg_alert a[16];
    size_t n = make_set(a);
    fg_alerts_sort(a, n);
    for (size_t i = 1; i < n; i++) {
        const fg_hotspot *x = &a[i - 1].hs, *y = &a[i].hs;
        assert_true(x->time_utc <= y->time_utc);
        if (x->time_utc == y->time_utc) {
            assert_true(x->kind <= y->kind);
            if (x->kind == y->kind) {
                assert_true(strcmp(x->sensor, y->sensor) <= 0);
                if (strcmp(x->sensor, y->sensor) == 0)
                    assert_true(isnan(y->lat) || x->lat <= y->lat);
            }
        }
    }
    assert_int_equal(a[0].hs.time_utc, 900);
    assert_string_equal(a[1].hs.sensor, "A-SAT");
    assert_true(a[1].hs.lat == 39.30 && a[1].hs.lon == 111.40);
    assert_true(isnan(a[4].hs.lat)); /* last of the A-SAT satellites at t = 1000 */
    assert_int_equal(a[6].hs.kind, FG_SOURCE_CAMERA);
    assert_string_equal(a[6].hs.sensor, "CAM-01");
    assert_int_equal(a[8].cls, FG_ALERT_STRAW);
    assert_int_equal(a[9].cls, FG_ALERT_INDUSTRIAL);
}

static void sort_result_does_not_depend_on_input_order(void **state)
{
    (void)state;
    fg_alert ref[16], a[16];
    size_t n = make_set(ref);
    fg_alerts_sort(ref, n);
    uint32_t seed = 12345;
    for (int round = 0; round < 200; round++) {
        make_set(a);
        for (size_t i = n - 1; i > 0; i--) { /* Fisher–Yates with a fixed LCG */
            seed = seed * 1664525u + 1013904223u;
            size_t j = (seed >> 8) % (i + 1);
            fg_alert t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        fg_alerts_sort(a, n);
        assert_memory_equal(a, ref, n * sizeof *a);
    }
    fg_alerts_sort(NULL, 0); /* no-op */
    fg_alerts_sort(a, 1);
    assert_memory_equal(a, ref, sizeof *a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ids_have_the_prefix_and_16_hex_digits),
        cmocka_unit_test(ids_are_deterministic),
        cmocka_unit_test(ids_differ_for_different_hotspots),
        cmocka_unit_test(sort_orders_by_time_kind_sensor_lat_lon),
        cmocka_unit_test(sort_result_does_not_depend_on_input_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
