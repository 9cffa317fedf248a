/* test_alerts_lists.c — the alert lists of a run: county/township CSVs, GeoJSON, officers' messages. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gdal.h>
#include <ogr_api.h>

#include "alerts/alerts.h"

#define TMP FG_TEST_TMPDIR
#define BOM "\xEF\xBB\xBF"
#define STRAW_HEADER                                                                           \
    "编号,时间,UTC时间,来源,传感器,乡镇,乡镇代码,村,村代码,经度,纬度,可信度,可信度等级,"   \
    "火点功率MW,烟雾评分,位置,证据,类别"

static fg_grid *g_grid;
static fg_sample_cell *g_cells;
static size_t g_ncells;

enum { A_INSIDE, A_BORDER, A_OUTSIDE, A_INDUSTRIAL, A_CAMERA, A_N };
static fg_alert g_a[A_N];

/* ------------------------------------------------------------- helpers */

static const fg_sample_cell *cell(const char *vill_code)
{
    for (size_t i = 0; i < g_ncells; i++)
        if (strcmp(g_cells[i].vill_code, vill_code) == 0)
            return &g_cells[i];
    return NULL;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, fp) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(fp);
    if (b) {
        b[n] = '\0';
        if (len)
            *len = (size_t)n;
    }
    return b;
}

static char *must_slurp(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *b = slurp(path, NULL);
    if (!b)
        fail_msg("cannot read %s", path);
    return b;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static int exists(const char *dir, const char *name)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

/* Number of leftover temporaries (".<base>.tmp<pid><ext>") in dir. */
static int temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strstr(e->d_name, ".tmp") != NULL;
    closedir(d);
    return n;
}

static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        remove(dir);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rm_tree(p);
        else
            remove(p);
    }
    closedir(d);
    rmdir(dir);
}

static void place(fg_alert *a)
{
    assert_int_equal(fg_grid_locate(g_grid, a->hs.lat, a->hs.lon, &a->place), FG_OK);
    fg_alert_make_id(a);
}

static void satellite(fg_alert *a, int64_t t, double lat, double lon, int conf, float frp)
{
    memset(a, 0, sizeof *a);
    fg_hotspot_init(&a->hs, FG_SOURCE_SATELLITE);
    snprintf(a->hs.sensor, sizeof a->hs.sensor, "SYNTH-MODIS-TERRA");
    a->hs.time_utc = t;
    a->hs.lat = lat;
    a->hs.lon = lon;
    a->hs.confidence = conf;
    a->hs.conf_class = fg_conf_class_of(conf);
    a->hs.frp_mw = frp;
    a->hs.bt_mir_k = 345.25f;
    a->hs.bt_tir_k = 298.5f;
    a->hs.scan_km = 1.0f;
    a->hs.track_km = 1.0f;
    a->hs.ev_row = 12;
    a->hs.ev_col = 34;
    snprintf(a->hs.evidence, sizeof a->hs.evidence, "/data/scenes/terra_20261015_0540.tif");
    place(a);
}

static int setup(void **state)
{
    (void)state;
    mkdir(TMP, 0755);
    GDALAllRegister();
    fg_ctx ctx = {0};
    if (fg_sample_county_write(TMP "/county.geojson", &ctx) != FG_OK ||
        fg_grid_open(TMP "/county.geojson", NULL, &g_grid, NULL, NULL, &ctx) != FG_OK ||
        fg_sample_county_cells(&g_cells, &g_ncells, &ctx) != FG_OK) {
        fprintf(stderr, "setup: %s\n", ctx.msg);
        return -1;
    }
    /* 2026-10-15 05:40 UTC = 13:40 Beijing */
    const int64_t t0 = 1792042800;
    const fg_sample_cell *ma = cell("140932100201"), *c7 = cell("140932100007"),
                         *sy = cell("140932106200"), *yt = cell("140932200200");
    if (!ma || !c7 || !sy || !yt)
        return -1;
    satellite(&g_a[A_INSIDE], t0, 0.5 * (ma->south + ma->north), 0.5 * (ma->west + ma->east),
              85, 12.3f);
    satellite(&g_a[A_BORDER], t0, 0.5 * (c7->south + c7->north), c7->east, 55, 4.0f);
    satellite(&g_a[A_OUTSIDE], t0 + 60, 39.55, FG_SAMPLE_WEST - 0.05, 20, NAN);
    satellite(&g_a[A_INDUSTRIAL], t0, 0.5 * (sy->south + sy->north),
              0.5 * (sy->west + sy->east), 90, 80.0f);
    g_a[A_INDUSTRIAL].cls = FG_ALERT_INDUSTRIAL;
    snprintf(g_a[A_INDUSTRIAL].static_id, sizeof g_a[A_INDUSTRIAL].static_id, "SS-0001");
    snprintf(g_a[A_INDUSTRIAL].static_name, sizeof g_a[A_INDUSTRIAL].static_name, "示例电厂");

    fg_alert *c = &g_a[A_CAMERA];
    memset(c, 0, sizeof *c);
    fg_hotspot_init(&c->hs, FG_SOURCE_CAMERA);
    snprintf(c->hs.sensor, sizeof c->hs.sensor, "CAM-03");
    c->hs.time_utc = t0 + 120;
    c->hs.lat = 0.5 * (yt->south + yt->north);
    c->hs.lon = 0.5 * (yt->west + yt->east);
    c->hs.confidence = 60;
    c->hs.conf_class = FG_CONF_NOMINAL;
    c->hs.smoke_score = 0.75f;
    c->hs.bearing_deg = 123.5f;
    c->hs.range_m = 2400;
    c->hs.ev_x = 640;
    c->hs.ev_y = 400;
    c->hs.ev_w = 80;
    c->hs.ev_h = 60;
    snprintf(c->hs.evidence, sizeof c->hs.evidence, "frames/CAM-03/1792042920.jpg");
    place(c);

    return g_a[A_INSIDE].place.inside && g_a[A_BORDER].place.inside &&
                   !g_a[A_OUTSIDE].place.inside && g_a[A_CAMERA].place.inside
               ? 0
               : -1;
}

static int teardown(void **state)
{
    (void)state;
    fg_grid_free(g_grid);
    fg_free(g_cells);
    return 0;
}

static void write_ok(const char *dir, const fg_alert *a, size_t n)
{
    rm_tree(dir);
    fg_ctx ctx = {0};
    int rc = fg_lists_write(dir, g_grid, a, n, &ctx);
    if (rc != FG_OK)
        fail_msg("fg_lists_write(%s): %s", dir, ctx.msg);
}

/* --------------------------------------------------------------- tests */

static void writes_every_file_and_no_temporaries(void **state)
{
    (void)state;
    const char *dir = TMP "/out1";
    write_ok(dir, g_a, A_N);
    static const char *const names[] = {"county_alerts.csv", "county_industrial.csv",
                                        "hotspots.geojson", "officer_messages.txt"};
    for (size_t i = 0; i < 4; i++)
        assert_true(exists(dir, names[i]));
    for (size_t i = 0; i < fg_grid_township_count(g_grid); i++) {
        const char *code;
        fg_grid_township(g_grid, i, &code, NULL);
        char name[64];
        snprintf(name, sizeof name, "township_%s.csv", code);
        assert_true(exists(dir, name));
    }
    assert_int_equal(temporaries(dir), 0);
}

static void county_csv_has_bom_chinese_header_and_every_straw_alert(void **state)
{
    (void)state;
    const char *dir = TMP "/out1";
    write_ok(dir, g_a, A_N);
    char *s = must_slurp(dir, "county_alerts.csv");
    assert_memory_equal(s, BOM, 3);
    assert_int_equal(strncmp(s + 3, STRAW_HEADER "\r\n", strlen(STRAW_HEADER) + 2), 0);
    assert_int_equal(count_lines(s), 1 + 4); /* header + 4 straw alerts */
    assert_non_null(strstr(s, g_a[A_INSIDE].id));
    assert_non_null(strstr(s, g_a[A_BORDER].id));
    assert_non_null(strstr(s, g_a[A_OUTSIDE].id));
    assert_non_null(strstr(s, g_a[A_CAMERA].id));
    assert_null(strstr(s, g_a[A_INDUSTRIAL].id));
    /* the row of the inside alert, as an officer reads it */
    char lat[32], lon[32];
    snprintf(lat, sizeof lat, "%.5f", g_a[A_INSIDE].hs.lat);
    snprintf(lon, sizeof lon, "%.5f", g_a[A_INSIDE].hs.lon);
    const char *row = strstr(s, g_a[A_INSIDE].id);
    const char *eol = strstr(row, "\r\n");
    assert_non_null(eol);
    char line[2048];
    snprintf(line, sizeof line, "%.*s", (int)(eol - row), row);
    assert_non_null(strstr(line, "2026-10-15 13:40"));
    assert_non_null(strstr(line, "2026-10-15T05:40:00Z"));
    assert_non_null(strstr(line, "卫星"));
    assert_non_null(strstr(line, "新关镇"));
    assert_non_null(strstr(line, "140932100201"));
    assert_non_null(strstr(line, "马梁村委会"));
    assert_non_null(strstr(line, lat));
    assert_non_null(strstr(line, lon));
    assert_non_null(strstr(line, "85"));
    assert_non_null(strstr(line, "高"));
    assert_non_null(strstr(line, "12.3"));
    assert_non_null(strstr(line, "县内"));
    assert_non_null(strstr(line, "terra_20261015_0540.tif 行12 列34"));
    assert_null(strstr(line, "/data/scenes")); /* base name only */
    /* the outside-county row is present, attributed to its neighbour */
    assert_non_null(strstr(s, "县外（邻近新关镇）"));
    assert_non_null(strstr(s, "县外邻近 新关镇 4."));
    /* camera row: smoke score and box */
    assert_non_null(strstr(s, "摄像头"));
    assert_non_null(strstr(s, "0.75"));
    assert_non_null(strstr(s, "1792042920.jpg 框 x=640 y=400 w=80 h=60"));
    free(s);
}

static void township_file_holds_only_its_own_straw_alerts(void **state)
{
    (void)state;
    const char *dir = TMP "/out1";
    write_ok(dir, g_a, A_N);
    char *s = must_slurp(dir, "township_140932100.csv"); /* 新关镇 */
    assert_memory_equal(s, BOM, 3);
    assert_int_equal(count_lines(s), 1 + 2);
    assert_non_null(strstr(s, g_a[A_INSIDE].id));
    assert_non_null(strstr(s, g_a[A_BORDER].id));
    assert_null(strstr(s, g_a[A_OUTSIDE].id)); /* outside the county: county list only */
    assert_null(strstr(s, g_a[A_CAMERA].id));
    assert_null(strstr(s, "县外"));
    free(s);
    s = must_slurp(dir, "township_140932200.csv"); /* 窑头乡: the camera alert */
    assert_int_equal(count_lines(s), 1 + 1);
    assert_non_null(strstr(s, g_a[A_CAMERA].id));
    free(s);
    s = must_slurp(dir, "township_140932106.csv"); /* 尚峪镇: only the industrial hit */
    assert_int_equal(count_lines(s), 1);
    assert_null(strstr(s, g_a[A_INDUSTRIAL].id));
    free(s);
}

static void empty_township_file_has_the_header_only(void **state)
{
    (void)state;
    const char *dir = TMP "/out1";
    write_ok(dir, g_a, A_N);
    char *s = must_slurp(dir, "township_140932102.csv"); /* 老营镇: no alerts */
    assert_string_equal(s, BOM STRAW_HEADER "\r\n");
    free(s);
}

static void industrial_hits_go_only_to_the_industrial_list(void **state)
{
    (void)state;
    const char *dir = TMP "/out1";
    write_ok(dir, g_a, A_N);
    char *s = must_slurp(dir, "county_industrial.csv");
    assert_memory_equal(s, BOM, 3);
    assert_int_equal(strncmp(s + 3, STRAW_HEADER ",热源编号,热源名称\r\n",
                             strlen(STRAW_HEADER ",热源编号,热源名称\r\n")),
                     0);
    assert_int_equal(count_lines(s), 2);
    assert_non_null(strstr(s, g_a[A_INDUSTRIAL].id));
    assert_non_null(strstr(s, "SS-0001"));
    assert_non_null(strstr(s, "示例电厂"));
    assert_non_null(strstr(s, "工业热源"));
    assert_null(strstr(s, g_a[A_INSIDE].id));
    free(s);
    s = must_slurp(dir, "officer_messages.txt");
    assert_null(strstr(s, g_a[A_INDUSTRIAL].id));
    free(s);
}

static void officer_messages_are_grouped_and_cover_every_straw_alert(void **state)
{
    (void)state;
    const char *dir = TMP "/out1";
    write_ok(dir, g_a, A_N);
    char *s = must_slurp(dir, "officer_messages.txt");
    for (int i = 0; i < A_N; i++)
        if (i != A_INDUSTRIAL)
            assert_non_null(strstr(s, g_a[i].id));
    assert_non_null(strstr(s, "【疑似秸秆焚烧】新关镇 马梁村\n时间：2026-10-15 13:40（北京时间）\n"));
    assert_non_null(strstr(s, "来源：卫星 SYNTH-MODIS-TERRA（可信度 高 85）\n"));
    assert_non_null(strstr(s, "请立即到现场核查后反馈。"));
    assert_non_null(strstr(s, "来源：摄像头 CAM-03（可信度 中 60）"));
    /* grouping: 新关镇 before 窑头乡; the outside section last */
    const char *xg = strstr(s, "■ 新关镇"), *yt = strstr(s, "■ 窑头乡"), *out = strstr(s, "■ 县外");
    assert_non_null(xg);
    assert_non_null(yt);
    assert_non_null(out);
    assert_true(xg < yt && yt < out);
    assert_true(strstr(s, g_a[A_OUTSIDE].id) > out);
    assert_true(strstr(s, g_a[A_CAMERA].id) > yt);
    free(s);
}

static void geojson_reopens_with_every_hit(void **state)
{
    (void)state;
    const char *dir = TMP "/out1";
    write_ok(dir, g_a, A_N);
    GDALDatasetH ds = GDALOpenEx(TMP "/out1/hotspots.geojson", GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), A_N);
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(lyr);
    static const char *const names[] = {
        "id", "class", "kind", "sensor", "time_utc", "township_code", "township", "village_code",
        "village", "confidence", "confidence_class", "frp_mw", "bt_mir_k", "bt_tir_k",
        "smoke_score", "scan_km", "track_km", "bearing_deg", "range_m", "inside", "evidence",
        "ev_row", "ev_col", "ev_x", "ev_y", "ev_w", "ev_h"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (OGR_FD_GetFieldIndex(d, names[i]) < 0)
            fail_msg("no field %s", names[i]);
    int industrial = 0, outside = 0;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
        industrial += strcmp(OGR_F_GetFieldAsString(f, OGR_FD_GetFieldIndex(d, "class")),
                             "industrial") == 0;
        outside += OGR_F_GetFieldAsInteger(f, OGR_FD_GetFieldIndex(d, "inside")) == 0;
        if (strcmp(OGR_F_GetFieldAsString(f, 0), g_a[A_INSIDE].id) == 0) {
            OGRGeometryH pt = OGR_F_GetGeometryRef(f);
            assert_true(fabs(OGR_G_GetX(pt, 0) - g_a[A_INSIDE].hs.lon) < 1e-9);
            assert_true(fabs(OGR_G_GetY(pt, 0) - g_a[A_INSIDE].hs.lat) < 1e-9);
            assert_true(OGR_F_GetFieldAsDouble(f, OGR_FD_GetFieldIndex(d, "frp_mw")) == 12.3);
        }
        OGR_F_Destroy(f);
    }
    assert_int_equal(industrial, 1);
    assert_int_equal(outside, 1);
    GDALClose(ds);
}

static void writing_twice_in_any_input_order_gives_identical_bytes(void **state)
{
    (void)state;
    write_ok(TMP "/outA", g_a, A_N);
    fg_alert rev[A_N];
    for (int i = 0; i < A_N; i++)
        rev[i] = g_a[A_N - 1 - i];
    write_ok(TMP "/outB", rev, A_N);
    DIR *d = opendir(TMP "/outA");
    assert_non_null(d);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char pa[1024], pb[1024];
        snprintf(pa, sizeof pa, TMP "/outA/%s", e->d_name);
        snprintf(pb, sizeof pb, TMP "/outB/%s", e->d_name);
        size_t la = 0, lb = 0;
        char *a = slurp(pa, &la), *b = slurp(pb, &lb);
        assert_non_null(a);
        if (!b)
            fail_msg("%s missing in the second run", e->d_name);
        if (la != lb || memcmp(a, b, la) != 0)
            fail_msg("%s differs between runs", e->d_name);
        free(a);
        free(b);
        files++;
    }
    closedir(d);
    assert_int_equal(files, 4 + 8);
}

static void no_alerts_still_writes_every_list(void **state)
{
    (void)state;
    const char *dir = TMP "/out_empty";
    write_ok(dir, NULL, 0);
    char *s = must_slurp(dir, "county_alerts.csv");
    assert_string_equal(s, BOM STRAW_HEADER "\r\n");
    free(s);
    assert_true(exists(dir, "township_140932201.csv"));
    s = must_slurp(dir, "officer_messages.txt");
    assert_non_null(strstr(s, "没有"));
    free(s);
}

static void out_dir_that_is_a_file_fails_naming_it(void **state)
{
    (void)state;
    const char *path = TMP "/not_a_dir";
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs("keep me", fp);
    fclose(fp);
    fg_ctx ctx = {0};
    int rc = fg_lists_write(path, g_grid, g_a, A_N, &ctx);
    assert_true(rc < 0);
    assert_non_null(strstr(ctx.msg, path));
    char *s = slurp(path, NULL);
    assert_string_equal(s, "keep me");
    free(s);
    assert_int_equal(temporaries(TMP), 0);
}

/* hotspots.geojson cannot be renamed into place (a folder holds its name): the
 * files written before it stay whole, nothing after it appears, no temporaries. */
static void failure_midway_leaves_earlier_files_whole_and_no_temporaries(void **state)
{
    (void)state;
    const char *ref = TMP "/out_ref", *dir = TMP "/out_fail";
    write_ok(ref, g_a, A_N);
    rm_tree(dir);
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(mkdir(TMP "/out_fail/hotspots.geojson", 0755), 0);
    fg_ctx ctx = {0};
    int rc = fg_lists_write(dir, g_grid, g_a, A_N, &ctx);
    assert_int_equal(rc, FG_EIO);
    assert_non_null(strstr(ctx.msg, "hotspots.geojson"));
    assert_int_equal(temporaries(dir), 0);
    assert_false(exists(dir, "officer_messages.txt"));
    char *a = must_slurp(ref, "county_alerts.csv"), *b = must_slurp(dir, "county_alerts.csv");
    assert_string_equal(a, b);
    free(a);
    free(b);
    a = must_slurp(ref, "township_140932201.csv");
    b = must_slurp(dir, "township_140932201.csv");
    assert_string_equal(a, b);
    free(a);
    free(b);
}

/* Allocation failures (through the fg_malloc seam) at every point: the call fails
 * cleanly with FG_ENOMEM, leaves no temporaries, and eventually succeeds. */
static int g_fail_after = -1, g_allocs;

static void *failing_malloc(size_t n)
{
    if (g_fail_after >= 0 && g_allocs++ >= g_fail_after)
        return NULL;
    return malloc(n);
}

static void *failing_realloc(void *p, size_t n)
{
    if (g_fail_after >= 0 && g_allocs++ >= g_fail_after)
        return NULL;
    return realloc(p, n);
}

static void allocation_failures_fail_cleanly(void **state)
{
    (void)state;
    const char *dir = TMP "/out_oom";
    int k;
    for (k = 0; k < 500; k++) {
        rm_tree(dir);
        fg_ctx ctx = {0};
        g_allocs = 0;
        g_fail_after = k;
        fg_set_allocator(failing_malloc, failing_realloc, free);
        int rc = fg_lists_write(dir, g_grid, g_a, A_N, &ctx);
        fg_set_allocator(NULL, NULL, NULL);
        g_fail_after = -1;
        assert_int_equal(temporaries(dir), 0);
        if (rc == FG_OK)
            break;
        assert_int_equal(rc, FG_ENOMEM);
        assert_non_null(strstr(ctx.msg, "memory"));
    }
    assert_true(k > 0 && k < 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_every_file_and_no_temporaries),
        cmocka_unit_test(county_csv_has_bom_chinese_header_and_every_straw_alert),
        cmocka_unit_test(township_file_holds_only_its_own_straw_alerts),
        cmocka_unit_test(empty_township_file_has_the_header_only),
        cmocka_unit_test(industrial_hits_go_only_to_the_industrial_list),
        cmocka_unit_test(officer_messages_are_grouped_and_cover_every_straw_alert),
        cmocka_unit_test(geojson_reopens_with_every_hit),
        cmocka_unit_test(writing_twice_in_any_input_order_gives_identical_bytes),
        cmocka_unit_test(no_alerts_still_writes_every_list),
        cmocka_unit_test(out_dir_that_is_a_file_fails_naming_it),
        cmocka_unit_test(failure_midway_leaves_earlier_files_whole_and_no_temporaries),
        cmocka_unit_test(allocation_failures_fail_cleanly),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
