/* test_alerts_static_sources.c — reading the static heat-source registry and matching hotspots to it. */
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

#include "alerts/alerts.h"

#define TMP FG_TEST_TMPDIR

typedef struct skips {
    int n;
    char what[16][256], reason[16][256];
} skips;

static void on_skip(void *user, const char *what, const char *reason)
{
    skips *s = user;
    if (s->n < 16) {
        snprintf(s->what[s->n], sizeof s->what[0], "%s", what);
        snprintf(s->reason[s->n], sizeof s->reason[0], "%s", reason);
    }
    s->n++;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_true(fputs(text, fp) >= 0);
    assert_int_equal(fclose(fp), 0);
}

static int setup(void **state)
{
    (void)state;
    mkdir(TMP, 0755);
    return 0;
}

static void reads_rows_with_bom_crlf_and_quoted_names(void **state)
{
    (void)state;
    write_text(TMP "/good.csv", "\xEF\xBB\xBF"
                                "id,name,kind,lat,lon,radius_m\r\n"
                                "SS-0001,示例电厂,power_plant,39.3050,111.5900,800\r\n"
                                "SS-0002,\"砖厂, 东\",brick_kiln, 39.40 ,111.7,300\r\n"
                                "\r\n");
    fg_static_source *s = NULL;
    size_t n = 0;
    skips sk = {0};
    fg_ctx ctx = {0};
    assert_int_equal(fg_static_sources_read(TMP "/good.csv", &s, &n, on_skip, &sk, &ctx), FG_OK);
    assert_int_equal(n, 2);
    assert_int_equal(sk.n, 0);
    assert_string_equal(s[0].id, "SS-0001");
    assert_string_equal(s[0].name, "示例电厂");
    assert_string_equal(s[0].kind, "power_plant");
    assert_true(s[0].lat == 39.305 && s[0].lon == 111.59 && s[0].radius_m == 800);
    assert_string_equal(s[1].name, "砖厂, 东");
    assert_true(s[1].lat == 39.4 && s[1].radius_m == 300);
    fg_free(s);
}

/* One table row per kind of bad input: (row text, words expected in the reason). */
static const struct {
    const char *row, *reason;
} bad_rows[] = {
    {"SS-B1,名,kind,abc,111.5,100", "lat"},
    {"SS-B2,名,kind,95,111.5,100", "lat"},
    {"SS-B3,名,kind,39.3,,100", "lon"},
    {"SS-B4,名,kind,39.3,181,100", "lon"},
    {"SS-B5,名,kind,39.3,111.5,-5", "radius_m"},
    {"SS-B6,名,kind,39.3,111.5,0", "radius_m"},
    {",名,kind,39.3,111.5,100", "empty id"},
    {"SS-B8,名,kind,39.3", "too few"},
    {"SS-B9,\"unterminated,kind,39.3,111.5,100", "quoting"},
    {"SS-B10,名,kind,39.3x,111.5,100", "lat"},
    {"SS-B11,名,kind,nan,111.5,100", "lat"},
};

static void bad_rows_are_skipped_with_file_line_and_reason(void **state)
{
    (void)state;
    char text[4096] = "id,name,kind,lat,lon,radius_m\nSS-0001,好,power_plant,39.3,111.5,500\n";
    size_t nbad = sizeof bad_rows / sizeof bad_rows[0];
    for (size_t i = 0; i < nbad; i++) {
        strcat(text, bad_rows[i].row);
        strcat(text, "\n");
    }
    strcat(text, "SS-0002,也好,kiln,39.4,111.6,200\n");
    write_text(TMP "/bad.csv", text);
    fg_static_source *s = NULL;
    size_t n = 0;
    skips sk = {0};
    fg_ctx ctx = {0};
    assert_int_equal(fg_static_sources_read(TMP "/bad.csv", &s, &n, on_skip, &sk, &ctx), FG_OK);
    assert_int_equal(n, 2);
    assert_string_equal(s[1].id, "SS-0002");
    assert_int_equal(sk.n, (int)nbad);
    for (size_t i = 0; i < nbad; i++) {
        char where[64];
        snprintf(where, sizeof where, "bad.csv:%zu", i + 3);
        if (!strstr(sk.what[i], where))
            fail_msg("row %zu: what = %s", i, sk.what[i]);
        if (!strstr(sk.reason[i], bad_rows[i].reason))
            fail_msg("row %zu (%s): reason = %s", i, bad_rows[i].row, sk.reason[i]);
    }
    fg_free(s);
}

static void missing_file_and_bad_header_fail(void **state)
{
    (void)state;
    fg_static_source *s = NULL;
    size_t n = 0;
    fg_ctx ctx = {0};
    assert_int_equal(fg_static_sources_read(TMP "/none.csv", &s, &n, NULL, NULL, &ctx),
                     FG_ENOTFOUND);
    assert_non_null(strstr(ctx.msg, "none.csv"));
    write_text(TMP "/hdr.csv", "id,name,kind,latitude,lon,radius_m\nA,b,c,1,2,3\n");
    assert_int_equal(fg_static_sources_read(TMP "/hdr.csv", &s, &n, NULL, NULL, &ctx),
                     FG_EFORMAT);
    assert_non_null(strstr(ctx.msg, "hdr.csv"));
    assert_non_null(strstr(ctx.msg, "lat"));
    assert_null(s);
    write_text(TMP "/empty.csv", "");
    assert_int_equal(fg_static_sources_read(TMP "/empty.csv", &s, &n, NULL, NULL, &ctx),
                     FG_EFORMAT);
}

static void bundled_registry_reads_back(void **state)
{
    (void)state;
    write_text(TMP "/bundled.csv", fg_sample_static_sources_csv());
    fg_static_source *s = NULL;
    size_t n = 0;
    skips sk = {0};
    fg_ctx ctx = {0};
    assert_int_equal(fg_static_sources_read(TMP "/bundled.csv", &s, &n, on_skip, &sk, &ctx),
                     FG_OK);
    assert_true(n >= 1);
    assert_int_equal(sk.n, 0);
    assert_string_equal(s[0].id, "SS-0001");
    fg_free(s);
}

static fg_static_source src(const char *id, double lat, double lon, double r)
{
    fg_static_source s;
    memset(&s, 0, sizeof s);
    snprintf(s.id, sizeof s.id, "%s", id);
    s.lat = lat;
    s.lon = lon;
    s.radius_m = r;
    return s;
}

static void match_inside_outside_radius_and_with_slack(void **state)
{
    (void)state;
    fg_static_source s[1] = {src("P", 39.3, 111.5, 800)};
    double lat, lon;
    fg_geo_destination(39.3, 111.5, 90, 700, &lat, &lon);
    assert_int_equal(fg_static_source_match(s, 1, lat, lon, 0), 0);
    fg_geo_destination(39.3, 111.5, 90, 900, &lat, &lon);
    assert_int_equal(fg_static_source_match(s, 1, lat, lon, 0), -1);
    /* a 375 m VIIRS pixel: half of it as slack reaches the source */
    assert_int_equal(fg_static_source_match(s, 1, lat, lon, 187.5), 0);
    assert_int_equal(fg_static_source_match(s, 1, lat, lon, 50), -1);
    /* NaN and negative slack count as none */
    assert_int_equal(fg_static_source_match(s, 1, lat, lon, NAN), -1);
    assert_int_equal(fg_static_source_match(s, 1, 39.3, 111.5, -1000), 0);
    assert_int_equal(fg_static_source_match(s, 0, 39.3, 111.5, 0), -1);
    assert_int_equal(fg_static_source_match(s, 1, NAN, 111.5, 0), -1);
}

static void nearest_of_two_overlapping_sources_wins(void **state)
{
    (void)state;
    double lat2, lon2;
    fg_geo_destination(39.3, 111.5, 0, 1000, &lat2, &lon2);
    fg_static_source s[2] = {src("A", 39.3, 111.5, 2000), src("B", lat2, lon2, 2000)};
    double lat, lon;
    fg_geo_destination(39.3, 111.5, 0, 600, &lat, &lon); /* 600 m from A, 400 m from B */
    assert_int_equal(fg_static_source_match(s, 2, lat, lon, 0), 1);
    fg_geo_destination(39.3, 111.5, 0, 300, &lat, &lon);
    assert_int_equal(fg_static_source_match(s, 2, lat, lon, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_rows_with_bom_crlf_and_quoted_names),
        cmocka_unit_test(bad_rows_are_skipped_with_file_line_and_reason),
        cmocka_unit_test(missing_file_and_bad_header_fail),
        cmocka_unit_test(bundled_registry_reads_back),
        cmocka_unit_test(match_inside_outside_radius_and_with_slack),
        cmocka_unit_test(nearest_of_two_overlapping_sources_wins),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
