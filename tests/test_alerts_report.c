/* test_alerts_report.c — the run report and incident pages: input text escaped, one SVG marker per incident, relative image links that exist, summary from the run log, review of one incident. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fg_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "alerts/alerts.h"

#define TMP FG_TEST_TMPDIR
#define OUT TMP "/out"
#define XSS "<script>alert(1)</script>"
#define XSS_ESC "&lt;script&gt;alert(1)&lt;/script&gt;"

static size_t count(const char *hay, const char *needle)
{
    size_t c = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        c++;
    return c;
}

/* Two townships of one village each; the first has a hostile name, the village a name
 * with every character HTML treats specially. */
static void write_boundaries(const char *path)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":"
            "\"urn:ogc:def:crs:OGC:1.3:CRS84\"}},\"features\":[\n"
            "{\"type\":\"Feature\",\"properties\":{\"township_code\":\"140932100\",\"township_name\":"
            "\"%s\",\"village_code\":\"140932100001\",\"village_name\":\"A&B \\\"q\\\" 'v'\","
            "\"code_year\":2023},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[111.5,39.5],"
            "[111.6,39.5],[111.6,39.6],[111.5,39.6],[111.5,39.5]]]}},\n"
            "{\"type\":\"Feature\",\"properties\":{\"township_code\":\"140932101\",\"township_name\":"
            "\"水泉镇\",\"village_code\":\"140932101001\",\"village_name\":\"东村\",\"code_year\":2023},"
            "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[111.6,39.5],[111.7,39.5],"
            "[111.7,39.6],[111.6,39.6],[111.6,39.5]]]}}]}\n",
            XSS);
    fclose(f);
}

/* A thermal scene over the two villages (0.01° pixels) with one 390 K fire pixel. */
static void write_scene(const char *path, int frow, int fcol)
{
    enum { W = 30, H = 20 };
    fg_raster mir = {0}, tir = {0};
    fg_ctx c = {0};
    assert_int_equal(fg_raster_alloc(&mir, W, H, 1, FG_PIX_F32, 0, &c), FG_OK);
    assert_int_equal(fg_raster_alloc(&tir, W, H, 1, FG_PIX_F32, 0, &c), FG_OK);
    float *m = mir.data, *t = tir.data;
    for (int i = 0; i < W * H; i++) {
        m[i] = 300.0f;
        t[i] = 290.0f;
    }
    m[frow * W + fcol] = 390.0f;
    const fg_raster *bands[] = {&mir, &tir};
    const char *names[] = {"MIR_BT", "TIR_BT"};
    const char *md[] = {"FG_ACQ_TIME=2026-10-15T05:40:00Z", "FG_SENSOR=SYNTH-MODIS-TERRA", NULL};
    const double gt[6] = {111.5, 0.01, 0, 39.6, 0, -0.01};
    assert_int_equal(fg_geotiff_write(path, bands, names, 2, gt, 4326, md, &c), FG_OK);
    fg_raster_release(&mir);
    fg_raster_release(&tir);
}

typedef struct planted {
    const char *id, *alert;
    int row, col;
    int town; /* 0: the hostile-named township, 1: 水泉镇 */
    const char *scene;
} planted;

static const planted PL[] = {
    {"F000000000001", "S0000000000000001", 5, 5, 0, TMP "/scene.tif"},
    {"F000000000002", "S0000000000000002", 10, 15, 1, TMP "/scene.tif"},
    {"F000000000003", "S0000000000000003", 12, 25, 1, TMP "/gone.tif"}, /* input deleted */
};
#define NPL (sizeof PL / sizeof *PL)

static fg_grid *grid;

static int setup(void **state)
{
    (void)state;
    if (sh("rm -rf '%s' && mkdir -p '%s'", TMP, TMP) != 0)
        return -1;
    write_boundaries(TMP "/county.geojson");
    write_scene(TMP "/scene.tif", 5, 5);
    fg_ctx c = {0};
    if (fg_grid_open(TMP "/county.geojson", NULL, &grid, NULL, NULL, &c) != FG_OK) {
        fprintf(stderr, "%s\n", c.msg);
        return -1;
    }
    fg_ledger *l = NULL;
    if (fg_ledger_open(TMP "/ledger.gpkg", &l, &c) != FG_OK || fg_ledger_begin(l, &c) != FG_OK) {
        fprintf(stderr, "%s\n", c.msg);
        return -1;
    }
    for (size_t i = 0; i < NPL; i++) {
        fg_alert a;
        memset(&a, 0, sizeof a);
        fg_hotspot_init(&a.hs, FG_SOURCE_SATELLITE);
        snprintf(a.id, sizeof a.id, "%s", PL[i].alert);
        snprintf(a.hs.sensor, sizeof a.hs.sensor, "SYNTH-MODIS-TERRA");
        snprintf(a.hs.evidence, sizeof a.hs.evidence, "%s", PL[i].scene);
        a.hs.ev_row = PL[i].row;
        a.hs.ev_col = PL[i].col;
        a.hs.time_utc = 1792042800;
        a.hs.lat = 39.6 - 0.01 * (PL[i].row + 0.5);
        a.hs.lon = 111.5 + 0.01 * (PL[i].col + 0.5);
        a.hs.confidence = 90;
        a.hs.conf_class = fg_conf_class_of(90);
        a.hs.frp_mw = 50.0f;
        a.hs.bt_mir_k = 390.0f;
        a.hs.bt_tir_k = 295.0f;
        a.hs.scan_km = a.hs.track_km = 1.0f;
        if (i == 0) { /* the first carries its decision values; the others are unknown */
            a.hs.bg_mir_k = 300.0f;
            a.hs.bg_tir_k = 290.0f;
            a.hs.bg_dt_k = 10.0f;
            a.hs.mad_mir_k = 0.5f;
            a.hs.mad_tir_k = 0.25f;
            a.hs.mad_dt_k = 0.75f;
            a.hs.tests = FG_TEST_POTENTIAL | FG_TEST_ABSOLUTE | FG_TEST_CTX_T4 | FG_TEST_CTX_T11;
            a.hs.window = 11;
            a.hs.n_valid = 118;
        }
        if (fg_grid_locate(grid, a.hs.lat, a.hs.lon, &a.place) != FG_OK)
            return -1;
        fg_incident in;
        memset(&in, 0, sizeof in);
        snprintf(in.id, sizeof in.id, "%s", PL[i].id);
        in.first_seen = in.last_seen = a.hs.time_utc;
        in.lat = a.hs.lat;
        in.lon = a.hs.lon;
        in.radius_m = 700;
        in.n_hotspots = 1;
        in.source_kinds = FG_SRC_BIT_SATELLITE;
        snprintf(in.sources, sizeof in.sources, "SYNTH-MODIS-TERRA");
        in.peak_confidence = 90;
        in.peak_frp_mw = 50.0f;
        in.place = a.place;
        in.status = i == 1 ? FG_INC_ONGOING : FG_INC_NEW;
        in.status_time = a.hs.time_utc;
        if (fg_ledger_hotspot_add(l, &a, in.id, "R1", &c) != FG_OK ||
            fg_ledger_incident_put(l, &in, &c) != FG_OK) {
            fprintf(stderr, "%s\n", c.msg);
            return -1;
        }
    }
    /* a camera hotspot in the third incident (its frame is gone too) */
    fg_alert k;
    memset(&k, 0, sizeof k);
    fg_hotspot_init(&k.hs, FG_SOURCE_CAMERA);
    snprintf(k.id, sizeof k.id, "C0000000000000003");
    snprintf(k.hs.sensor, sizeof k.hs.sensor, "CAM-<7>");
    snprintf(k.hs.evidence, sizeof k.hs.evidence, TMP "/frames/gone.jpg");
    k.hs.time_utc = 1792042800 + 600;
    k.hs.lat = 39.48;
    k.hs.lon = 111.75;
    k.hs.smoke_score = 0.8125f;
    k.hs.confidence = 81;
    k.hs.conf_class = fg_conf_class_of(81);
    k.hs.persisted = 4;
    k.hs.nblocks = 9;
    k.hs.ev_x = 10, k.hs.ev_y = 20, k.hs.ev_w = 30, k.hs.ev_h = 40;
    if (fg_ledger_hotspot_add(l, &k, "F000000000003", "R1", &c) != FG_OK) {
        fprintf(stderr, "%s\n", c.msg);
        return -1;
    }
    /* status history of the first incident, written out of time order */
    if (fg_ledger_status_add(l, "F000000000001", FG_INC_CONFIRMED, 1792042800 + 7200, "张三",
                             XSS " O'B & co", &c) != FG_OK ||
        fg_ledger_status_add(l, "F000000000001", FG_INC_NEW, 1792042800, "run R1", "", &c) !=
            FG_OK) {
        fprintf(stderr, "%s\n", c.msg);
        return -1;
    }
    if (fg_ledger_commit(l, &c) != FG_OK)
        return -1;
    *(fg_ledger **)state = l;
    return 0;
}

static int teardown(void **state)
{
    fg_ledger_close(*(fg_ledger **)state);
    fg_grid_free(grid);
    return 0;
}

static const char *LOG =
    "firegrid 0.1.0 run started\n"
    "READ boundaries county.geojson: 2 township(s)\n"
    "READ scene scene.tif: sensor SYNTH-MODIS-TERRA\n"
    "SKIP frames/CAM-9/bad.jpg: <not a JPEG>\n"
    "SUMMARY inputs read 7, skipped 1 (1 scene(s), 0 camera(s), 0 frame(s))\n";

static void report_escapes_input_text_and_marks_every_incident(void **state)
{
    fg_ledger *l = *(fg_ledger **)state;
    fg_ctx c = {0};
    int rc = fg_report_run(OUT, l, grid, NULL, LOG, NULL, 0, &c);
    if (rc != FG_OK)
        fail_msg("%s", c.msg);
    char *html = slurp(OUT "/report.html", NULL);
    assert_non_null(html);
    /* escaping: the township name is text, never markup; no script at all */
    assert_null(strstr(html, XSS));
    assert_null(strstr(html, "<script"));
    assert_true(count(html, XSS_ESC) >= 2); /* township table, map label, card */
    assert_non_null(strstr(html, "A&amp;B &quot;q&quot; &#39;v&#39;"));
    assert_non_null(strstr(html, "&lt;not a JPEG&gt;")); /* skipped input, from the log */
    /* Chinese by default; the summary parsed from the log */
    assert_non_null(strstr(html, "<title>秸秆焚烧火点监测报告</title>"));
    assert_non_null(strstr(html, "id=\"inputs-read\">7<"));
    assert_non_null(strstr(html, "id=\"inputs-skipped\">1<"));
    assert_non_null(strstr(html, "id=\"inc-new\">2<"));
    assert_non_null(strstr(html, "id=\"inc-ongoing\">1<"));
    /* the map: the county's polygons and one marker per incident */
    assert_non_null(strstr(html, "<svg"));
    assert_int_equal(count(html, "<path "), 2);
    assert_int_equal(count(html, "<a class=\"inc\""), NPL);
    for (size_t i = 0; i < NPL; i++) {
        char m[64], p[256];
        snprintf(m, sizeof m, "data-id=\"%s\"", PL[i].id);
        assert_int_equal(count(html, m), 1);
        snprintf(m, sizeof m, "href=\"incidents/%s.html\"", PL[i].id);
        assert_true(count(html, m) >= 2); /* marker and card */
        snprintf(p, sizeof p, OUT "/incidents/%s.html", PL[i].id);
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
    }
    /* images: relative links to files that exist; the deleted scene has none */
    int nimg = 0;
    for (const char *p = html; (p = strstr(p, "<img src=\"")); p += 10) {
        const char *s = p + 10, *e = strchr(s, '"');
        char rel[256], path[512];
        assert_true(e && (size_t)(e - s) < sizeof rel);
        memcpy(rel, s, (size_t)(e - s));
        rel[e - s] = 0;
        assert_true(rel[0] != '/' && strstr(rel, "://") == NULL);
        snprintf(path, sizeof path, "%s/%s", OUT, rel);
        struct stat st;
        if (stat(path, &st) != 0)
            fail_msg("%s missing", path);
        nimg++;
    }
    assert_int_equal(nimg, 2);
    assert_null(strstr(html, PL[2].alert)); /* no image of it on the card */
    free(html);

    /* the incident page: full values, escaped names, a note for the missing input */
    char *page = slurp(OUT "/incidents/F000000000001.html", NULL);
    assert_non_null(page);
    assert_null(strstr(page, "<script"));
    assert_non_null(strstr(page, XSS_ESC));
    assert_non_null(strstr(page, "S0000000000000001"));
    assert_non_null(strstr(page, "390.0 / 295.0"));
    assert_non_null(strstr(page, "row 5, col 5"));
    assert_non_null(strstr(page, "src=\"../evidence/F000000000001_S0000000000000001_sat.jpg\""));
    free(page);
    page = slurp(OUT "/incidents/F000000000003.html", NULL);
    assert_non_null(page);
    assert_non_null(strstr(page, "gone.tif"));
    assert_null(strstr(page, "<img"));
    free(page);
}

/* The page shows every recorded status change, in time order, its text escaped; an
 * incident without recorded changes shows its current status with a note. */
static void incident_page_shows_the_status_history_escaped_in_time_order(void **state)
{
    fg_ledger *l = *(fg_ledger **)state;
    fg_ctx c = {0};
    assert_int_equal(sh("rm -rf '%s'", TMP "/hist"), 0);
    int rc = fg_report_run(TMP "/hist", l, grid, "zh", NULL, NULL, 0, &c);
    if (rc != FG_OK)
        fail_msg("%s", c.msg);
    char *page = slurp(TMP "/hist/incidents/F000000000001.html", NULL);
    assert_non_null(page);
    const char *h = strstr(page, "<table id=\"history\">");
    assert_non_null(h);
    assert_null(strstr(page, "台账未提供状态历史读取接口"));
    assert_null(strstr(h, "台账中无状态变更记录")); /* it has a history */
    assert_null(strstr(page, "<script"));
    /* 1792042800 = 2026-10-15 05:40 UTC = 13:40 Beijing */
    const char *r1 = strstr(h, "<tr><td>2026-10-15 13:40</td><td>新发现</td><td>run R1</td><td>–</td></tr>");
    const char *r2 = strstr(h, "<tr><td>2026-10-15 15:40</td><td>确认焚烧</td><td>张三</td><td>" XSS_ESC
                               " O&#39;B &amp; co</td></tr>");
    assert_non_null(r1);
    assert_non_null(r2);
    assert_true(r1 < r2);
    free(page);
    page = slurp(TMP "/hist/incidents/F000000000002.html", NULL);
    assert_non_null(page);
    h = strstr(page, "<h2>状态记录</h2>");
    assert_non_null(h);
    assert_non_null(strstr(h, "台账中无状态变更记录"));
    assert_non_null(strstr(h, "<td>持续</td>"));
    free(page);
}

static const char *row_of(const char *page, const char *id)
{
    const char *d = strstr(page, "<table id=\"decision\">");
    if (!d)
        return NULL;
    char m[64];
    snprintf(m, sizeof m, "<tr><td>%s</td>", id);
    return strstr(d, m);
}

/* Each hotspot's decision record: the tests that passed, named, with the background
 * statistics; for a camera its smoke score, persistence and blocks; unknown as "–". */
static void incident_pages_show_each_hotspots_decision_values(void **state)
{
    fg_ledger *l = *(fg_ledger **)state;
    fg_ctx c = {0};
    static const struct {
        const char *lang, *inc, *hs, *want;
    } cases[] = {
        {"en", "F000000000001", "S0000000000000001",
         "<td class=\"tests\">potential, absolute, T4 vs background, T11</td>"
         "<td class=\"num\">300.00 / 290.00 / 10.00</td><td class=\"num\">0.50 / 0.25 / 0.75</td>"
         "<td class=\"num\">11×11 (118)</td><td class=\"num\">–</td><td class=\"num\">–</td>"
         "<td class=\"num\">–</td></tr>"},
        {"zh", "F000000000001", "S0000000000000001",
         "<td class=\"tests\">潜在火点, 绝对阈值, T4 高于背景, T11 条件</td>"},
        {"en", "F000000000002", "S0000000000000002",
         "<td class=\"tests\">–</td><td class=\"num\">– / – / –</td>"},
        {"en", "F000000000003", "C0000000000000003",
         "<td class=\"tests\">–</td><td class=\"num\">– / – / –</td><td class=\"num\">– / – / –</td>"
         "<td class=\"num\">–</td><td class=\"num\">0.812</td><td class=\"num\">4</td>"
         "<td class=\"num\">9</td></tr>"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char dir[256], path[512];
        snprintf(dir, sizeof dir, TMP "/dec_%s", cases[i].lang);
        assert_int_equal(sh("rm -rf '%s'", dir), 0);
        int rc = fg_review_incident(dir, l, grid, cases[i].lang, cases[i].inc, &c);
        if (rc != FG_OK)
            fail_msg("%s", c.msg);
        snprintf(path, sizeof path, "%s/incidents/%s.html", dir, cases[i].inc);
        char *page = slurp(path, NULL);
        assert_non_null(page);
        const char *row = row_of(page, cases[i].hs);
        if (!row)
            fail_msg("%s: no decision row of %s", path, cases[i].hs);
        const char *end = strstr(row, "</tr>");
        assert_non_null(end);
        const char *hit = strstr(row, cases[i].want);
        if (!hit || hit > end)
            fail_msg("%s: row of %s lacks %s", path, cases[i].hs, cases[i].want);
        assert_null(strstr(page, "CAM-<7>")); /* the camera id is escaped */
        free(page);
    }
}

static void touched_ids_limit_the_report_and_english_is_available(void **state)
{
    fg_ledger *l = *(fg_ledger **)state;
    fg_ctx c = {0};
    const char *ids[] = {"F000000000002"};
    assert_int_equal(sh("rm -rf '%s'", TMP "/en"), 0);
    assert_int_equal(fg_report_run(TMP "/en", l, grid, "en", NULL, ids, 1, &c), FG_OK);
    char *html = slurp(TMP "/en/report.html", NULL);
    assert_non_null(html);
    assert_non_null(strstr(html, "<title>Straw-burning fire report</title>"));
    assert_int_equal(count(html, "<a class=\"inc\""), 1);
    assert_non_null(strstr(html, "data-id=\"F000000000002\""));
    assert_null(strstr(html, "F000000000001"));
    assert_non_null(strstr(html, "id=\"inputs-read\">0<")); /* no log: nothing read */
    free(html);
    struct stat st;
    assert_int_not_equal(stat(TMP "/en/incidents/F000000000001.html", &st), 0);
}

static void review_rebuilds_one_incident_and_rejects_unknown_ids(void **state)
{
    fg_ledger *l = *(fg_ledger **)state;
    fg_ctx c = {0};
    assert_int_equal(sh("rm -rf '%s'", TMP "/rev"), 0);
    assert_int_equal(fg_review_incident(TMP "/rev", l, grid, "zh", "F000000000002", &c), FG_OK);
    struct stat st;
    assert_int_equal(stat(TMP "/rev/incidents/F000000000002.html", &st), 0);
    assert_int_equal(stat(TMP "/rev/evidence/F000000000002_S0000000000000002_sat.jpg", &st), 0);
    assert_int_not_equal(stat(TMP "/rev/report.html", &st), 0);
    fg_ctx_clear(&c);
    assert_int_equal(fg_review_incident(TMP "/rev", l, grid, "zh", "F999999999999", &c),
                     FG_ENOTFOUND);
    assert_non_null(strstr(c.msg, "F999999999999"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(report_escapes_input_text_and_marks_every_incident),
        cmocka_unit_test(incident_page_shows_the_status_history_escaped_in_time_order),
        cmocka_unit_test(incident_pages_show_each_hotspots_decision_values),
        cmocka_unit_test(touched_ids_limit_the_report_and_english_is_available),
        cmocka_unit_test(review_rebuilds_one_incident_and_rejects_unknown_ids),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
