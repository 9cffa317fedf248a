/* test_alerts_grid.c — village polygons from OGR sources and point → township/village lookup. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "alerts/alerts.h"
#include "alerts/grid_int.h"

#define TMP FG_TEST_TMPDIR
#define SAMPLE TMP "/sample_county.geojson"

static fg_grid *g_sample;
static fg_sample_cell *g_cells;
static size_t g_ncells;

/* ------------------------------------------------------------ fixtures */

/* Collects skip() reports. */
typedef struct skips {
    int n;
    char what[8][256], reason[8][256];
} skips;

static void on_skip(void *user, const char *what, const char *reason)
{
    skips *s = user;
    if (s->n < 8) {
        snprintf(s->what[s->n], sizeof s->what[0], "%s", what);
        snprintf(s->reason[s->n], sizeof s->reason[0], "%s", reason);
    }
    s->n++;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

/* A hand-made village feature: rectangle [w, e]×[s, n] in the file's coordinates. */
typedef struct rect {
    const char *town, *vill;
    double w, s, e, n;
} rect;

/* Writes a GeoJSON FeatureCollection of rectangles; crs_urn NULL = none (WGS84). */
static void write_rects(const char *path, const rect *r, size_t n, const char *crs_urn)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fprintf(fp, "{\"type\":\"FeatureCollection\",");
    if (crs_urn)
        fprintf(fp, "\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"%s\"}},", crs_urn);
    fprintf(fp, "\"features\":[");
    for (size_t i = 0; i < n; i++)
        fprintf(fp,
                "%s{\"type\":\"Feature\",\"properties\":{\"township_code\":\"%s\","
                "\"township_name\":\"T%s\",\"village_code\":\"%s\",\"village_name\":\"V%s\","
                "\"code_year\":2023},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
                "[[[%.17g,%.17g],[%.17g,%.17g],[%.17g,%.17g],[%.17g,%.17g],[%.17g,%.17g]]]}}\n",
                i ? "," : "", r[i].town, r[i].town, r[i].vill, r[i].vill, r[i].w, r[i].s, r[i].e,
                r[i].s, r[i].e, r[i].n, r[i].w, r[i].n, r[i].w, r[i].s);
    fprintf(fp, "]}\n");
    assert_int_equal(fclose(fp), 0);
}

static fg_grid *open_ok(const char *path, const fg_grid_opts *o, skips *sk)
{
    fg_grid *g = NULL;
    fg_ctx ctx = {0};
    int rc = fg_grid_open(path, o, &g, sk ? on_skip : NULL, sk, &ctx);
    if (rc != FG_OK)
        fail_msg("fg_grid_open(%s): %s", path, ctx.msg);
    assert_non_null(g);
    return g;
}

static int setup(void **state)
{
    (void)state;
    mkdir(TMP, 0755);
    GDALAllRegister();
    fg_ctx ctx = {0};
    if (fg_sample_county_write(SAMPLE, &ctx) != FG_OK ||
        fg_sample_county_cells(&g_cells, &g_ncells, &ctx) != FG_OK ||
        fg_grid_open(SAMPLE, NULL, &g_sample, NULL, NULL, &ctx) != FG_OK) {
        fprintf(stderr, "setup: %s\n", ctx.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fg_grid_free(g_sample);
    fg_free(g_cells);
    return 0;
}

static const fg_sample_cell *cell(const char *vill_code)
{
    for (size_t i = 0; i < g_ncells; i++)
        if (strcmp(g_cells[i].vill_code, vill_code) == 0)
            return &g_cells[i];
    fail_msg("no cell %s", vill_code);
    return NULL;
}

/* ------------------------------------------------------------ the sample */

static void sample_lists_8_townships_in_code_order(void **state)
{
    (void)state;
    assert_int_equal(fg_grid_township_count(g_sample), 8);
    const char *code, *name, *prev = "";
    for (size_t i = 0; i < 8; i++) {
        fg_grid_township(g_sample, i, &code, &name);
        assert_true(strcmp(prev, code) < 0);
        prev = code;
    }
    fg_grid_township(g_sample, 0, &code, &name);
    assert_string_equal(code, "140932100");
    assert_string_equal(name, "新关镇");
    fg_grid_township(g_sample, 7, &code, &name);
    assert_string_equal(code, "140932201");
    assert_string_equal(name, "楼沟乡");
    fg_grid_township(g_sample, 8, &code, &name); /* out of range: empty, not a crash */
    assert_string_equal(code, "");
}

static void point_inside_a_cell_gives_its_township_and_village(void **state)
{
    (void)state;
    for (size_t i = 0; i < g_ncells; i += 7) {
        const fg_sample_cell *c = &g_cells[i];
        fg_place p;
        assert_int_equal(fg_grid_locate(g_sample, 0.5 * (c->south + c->north),
                                        0.5 * (c->west + c->east), &p),
                         FG_OK);
        assert_int_equal(p.inside, 1);
        assert_string_equal(p.vill_code, c->vill_code);
        assert_string_equal(p.vill_name, c->vill_name);
        assert_string_equal(p.town_code, c->town_code);
        assert_string_equal(p.town_name, c->town_name);
        assert_int_equal(p.code_year, 2023);
        assert_true(p.distance_m == 0.0);
    }
    fg_place p;
    const fg_sample_cell *c = cell("140932100201"); /* 马梁村委会 */
    assert_int_equal(fg_grid_locate(g_sample, c->south + 0.25 * (c->north - c->south),
                                    c->west + 0.75 * (c->east - c->west), &p),
                     FG_OK);
    assert_string_equal(p.vill_name, "马梁村委会");
}

static void point_on_a_sample_border_goes_to_the_smaller_village_code(void **state)
{
    (void)state;
    /* two neighbours in one row of 新关镇: 140932100007 | 140932100008 */
    const fg_sample_cell *a = cell("140932100007"), *b = cell("140932100008");
    assert_true(a->east == b->west);
    fg_place p;
    assert_int_equal(fg_grid_locate(g_sample, 0.5 * (a->south + a->north), a->east, &p), FG_OK);
    assert_int_equal(p.inside, 1);
    assert_string_equal(p.vill_code, "140932100007");
    /* the border between two townships (新关镇 | 老营镇): the smaller code wins */
    for (size_t i = 0; i < g_ncells; i++) {
        const fg_sample_cell *c = &g_cells[i];
        if (strcmp(c->town_code, "140932100") != 0)
            continue;
        for (size_t j = 0; j < g_ncells; j++) {
            const fg_sample_cell *d = &g_cells[j];
            if (strcmp(d->town_code, "140932102") != 0 || d->west != c->east)
                continue;
            double lo = fmax(c->south, d->south), hi = fmin(c->north, d->north);
            if (lo >= hi)
                continue;
            assert_int_equal(fg_grid_locate(g_sample, 0.5 * (lo + hi), c->east, &p), FG_OK);
            assert_string_equal(p.vill_code, c->vill_code);
            assert_string_equal(p.town_code, "140932100");
            return;
        }
    }
    fail_msg("no township border found");
}

static void point_outside_the_county_goes_to_the_nearest_township_with_distance(void **state)
{
    (void)state;
    fg_place p;
    /* 0.05° west of the county, level with the north row: nearest is 新关镇 */
    double lat = 39.55, lon = FG_SAMPLE_WEST - 0.05;
    assert_int_equal(fg_grid_locate(g_sample, lat, lon, &p), FG_OK);
    assert_int_equal(p.inside, 0);
    assert_string_equal(p.town_code, "140932100");
    assert_string_equal(p.town_name, "新关镇");
    assert_string_equal(p.vill_code, "");
    assert_string_equal(p.vill_name, "");
    double expect = fg_geo_distance(lat, lon, lat, FG_SAMPLE_WEST); /* about 4.3 km */
    assert_true(expect > 4000 && expect < 4600);
    assert_true(fabs(p.distance_m - expect) < 0.01 * expect);
    /* south-east beyond the corner: 楼沟乡 */
    lat = FG_SAMPLE_SOUTH - 0.02;
    lon = FG_SAMPLE_EAST + 0.02;
    assert_int_equal(fg_grid_locate(g_sample, lat, lon, &p), FG_OK);
    assert_int_equal(p.inside, 0);
    assert_string_equal(p.town_code, "140932201");
    expect = fg_geo_distance(lat, lon, FG_SAMPLE_SOUTH, FG_SAMPLE_EAST);
    assert_true(fabs(p.distance_m - expect) < 0.02 * expect);
}

static void locate_rejects_bad_arguments(void **state)
{
    (void)state;
    fg_place p;
    assert_int_equal(fg_grid_locate(NULL, 39.4, 111.5, &p), FG_EINVAL);
    assert_int_equal(fg_grid_locate(g_sample, NAN, 111.5, &p), FG_EINVAL);
    assert_int_equal(fg_grid_locate(g_sample, 39.4, INFINITY, &p), FG_EINVAL);
}

/* Threads locate the same points as the main thread; answers must agree. */
typedef struct job {
    int from, to, mismatches;
    const fg_place *expect;
} job;

static void grid_point(int k, double *lat, double *lon)
{
    /* a 40×40 lattice that overhangs the county a little on every side */
    *lat = FG_SAMPLE_SOUTH - 0.02 + (FG_SAMPLE_NORTH - FG_SAMPLE_SOUTH + 0.04) * (k / 40) / 39.0;
    *lon = FG_SAMPLE_WEST - 0.02 + (FG_SAMPLE_EAST - FG_SAMPLE_WEST + 0.04) * (k % 40) / 39.0;
}

static void *locate_job(void *arg)
{
    job *j = arg;
    for (int k = j->from; k < j->to; k++) {
        double lat, lon;
        grid_point(k, &lat, &lon);
        fg_place p;
        if (fg_grid_locate(g_sample, lat, lon, &p) != FG_OK ||
            memcmp(&p, &j->expect[k], sizeof p) != 0)
            j->mismatches++;
    }
    return NULL;
}

static void concurrent_locates_agree_with_serial_ones(void **state)
{
    (void)state;
    enum { NPT = 1600, NTH = 4 };
    fg_place *expect = calloc(NPT, sizeof *expect);
    assert_non_null(expect);
    int outside = 0;
    for (int k = 0; k < NPT; k++) {
        double lat, lon;
        grid_point(k, &lat, &lon);
        memset(&expect[k], 0, sizeof expect[k]);
        assert_int_equal(fg_grid_locate(g_sample, lat, lon, &expect[k]), FG_OK);
        outside += !expect[k].inside;
    }
    assert_true(outside > 0 && outside < NPT);
    pthread_t th[NTH];
    job jobs[NTH];
    for (int t = 0; t < NTH; t++) {
        jobs[t] = (job){t * NPT / NTH, (t + 1) * NPT / NTH, 0, expect};
        assert_int_equal(pthread_create(&th[t], NULL, locate_job, &jobs[t]), 0);
    }
    for (int t = 0; t < NTH; t++) {
        pthread_join(th[t], NULL);
        assert_int_equal(jobs[t].mismatches, 0);
    }
    free(expect);
}

/* ------------------------------------------------------- hand-made files */

static void shared_border_goes_to_the_smaller_code_in_either_file_order(void **state)
{
    (void)state;
    /* A (larger code) west of B (smaller code), sharing x = 111.5 */
    rect ab[2] = {{"140932999", "140932999002", 111.4, 39.3, 111.5, 39.4},
                  {"140932999", "140932999001", 111.5, 39.3, 111.6, 39.4}};
    rect ba[2] = {ab[1], ab[0]};
    write_rects(TMP "/border_ab.geojson", ab, 2, NULL);
    write_rects(TMP "/border_ba.geojson", ba, 2, NULL);
    const char *files[2] = {TMP "/border_ab.geojson", TMP "/border_ba.geojson"};
    for (int i = 0; i < 2; i++) {
        fg_grid *g = open_ok(files[i], NULL, NULL);
        fg_place p;
        assert_int_equal(fg_grid_locate(g, 39.35, 111.5, &p), FG_OK);
        assert_int_equal(p.inside, 1);
        assert_string_equal(p.vill_code, "140932999001");
        /* clearly inside A still gives A */
        assert_int_equal(fg_grid_locate(g, 39.35, 111.45, &p), FG_OK);
        assert_string_equal(p.vill_code, "140932999002");
        /* the outer corner of A counts as inside (inclusive) */
        assert_int_equal(fg_grid_locate(g, 39.3, 111.4, &p), FG_OK);
        assert_int_equal(p.inside, 1);
        assert_string_equal(p.vill_code, "140932999002");
        fg_grid_free(g);
    }
}

static void corner_shared_by_four_cells_goes_to_the_smallest_code(void **state)
{
    (void)state;
    /* 2×2 cells around (111.5, 39.4); the smallest code sits north-east */
    rect r[4] = {{"140932998", "140932998004", 111.4, 39.3, 111.5, 39.4},
                 {"140932997", "140932997003", 111.5, 39.3, 111.6, 39.4},
                 {"140932998", "140932998002", 111.4, 39.4, 111.5, 39.5},
                 {"140932997", "140932997001", 111.5, 39.4, 111.6, 39.5}};
    write_rects(TMP "/corner.geojson", r, 4, NULL);
    fg_grid *g = open_ok(TMP "/corner.geojson", NULL, NULL);
    assert_int_equal(fg_grid_township_count(g), 2);
    fg_place p;
    assert_int_equal(fg_grid_locate(g, 39.4, 111.5, &p), FG_OK);
    assert_string_equal(p.vill_code, "140932997001");
    assert_string_equal(p.town_code, "140932997");
    fg_grid_free(g);
    /* and in the sample county: an inner corner of 新关镇's grid */
    const fg_sample_cell *c = cell("140932100007");
    assert_int_equal(fg_grid_locate(g_sample, c->south, c->east, &p), FG_OK);
    assert_string_equal(p.vill_code, "140932100007");
}

static void missing_file_is_not_found_and_named(void **state)
{
    (void)state;
    fg_grid *g = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_grid_open(TMP "/nope.geojson", NULL, &g, NULL, NULL, &ctx), FG_ENOTFOUND);
    assert_null(g);
    assert_non_null(strstr(ctx.msg, "nope.geojson"));
}

static void file_that_is_not_a_vector_source_is_a_format_error(void **state)
{
    (void)state;
    write_text(TMP "/garbage.dat", "\x01\x02 this is not a vector file \xff\xfe\n");
    fg_grid *g = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_grid_open(TMP "/garbage.dat", NULL, &g, NULL, NULL, &ctx), FG_EFORMAT);
    assert_null(g);
    assert_non_null(strstr(ctx.msg, "garbage.dat"));
}

static void missing_code_field_is_not_found_naming_field_and_file(void **state)
{
    (void)state;
    write_text(TMP "/nocode.geojson",
               "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
               "\"properties\":{\"township_code\":\"140932100\",\"code\":\"140932100201\"},"
               "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[111.4,39.3],[111.5,39.3],"
               "[111.5,39.4],[111.4,39.4],[111.4,39.3]]]}}]}\n");
    fg_grid *g = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_grid_open(TMP "/nocode.geojson", NULL, &g, NULL, NULL, &ctx),
                     FG_ENOTFOUND);
    assert_null(g);
    assert_non_null(strstr(ctx.msg, "village_code"));
    assert_non_null(strstr(ctx.msg, "nocode.geojson"));
    /* with the field named in the options it loads */
    fg_grid_opts o = {0};
    o.f_vill_code = "code";
    g = open_ok(TMP "/nocode.geojson", &o, NULL);
    fg_place p;
    assert_int_equal(fg_grid_locate(g, 39.35, 111.45, &p), FG_OK);
    assert_string_equal(p.vill_code, "140932100201");
    assert_string_equal(p.vill_name, ""); /* no name field: empty, not an error */
    fg_grid_free(g);
}

static void missing_layer_is_not_found(void **state)
{
    (void)state;
    fg_grid_opts o = {0};
    o.layer = "no_such_layer";
    fg_grid *g = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_grid_open(SAMPLE, &o, &g, NULL, NULL, &ctx), FG_ENOTFOUND);
    assert_non_null(strstr(ctx.msg, "no_such_layer"));
    o.layer = "villages";
    g = open_ok(SAMPLE, &o, NULL);
    fg_grid_free(g);
}

static void layer_without_crs_is_a_format_error(void **state)
{
    (void)state;
    /* a CSV with a WKT column: OGR reads the polygon but knows no CRS */
    write_text(TMP "/nocrs.csv",
               "WKT,township_code,township_name,village_code,village_name\n"
               "\"POLYGON ((111.4 39.3,111.5 39.3,111.5 39.4,111.4 39.4,111.4 39.3))\","
               "140932100,新关镇,140932100201,马梁村委会\n");
    fg_grid *g = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_grid_open(TMP "/nocrs.csv", NULL, &g, NULL, NULL, &ctx), FG_EFORMAT);
    assert_null(g);
    assert_non_null(strstr(ctx.msg, "no CRS"));
    assert_non_null(strstr(ctx.msg, "nocrs.csv"));
}

static void bow_tie_polygon_is_skipped_with_a_reason_and_the_rest_loads(void **state)
{
    (void)state;
    write_text(TMP "/bowtie.geojson",
               "{\"type\":\"FeatureCollection\",\"features\":[\n"
               "{\"type\":\"Feature\",\"properties\":{\"township_code\":\"140932100\","
               "\"village_code\":\"140932100201\"},\"geometry\":{\"type\":\"Polygon\","
               "\"coordinates\":[[[111.4,39.3],[111.5,39.3],[111.5,39.4],[111.4,39.4],"
               "[111.4,39.3]]]}},\n"
               "{\"type\":\"Feature\",\"properties\":{\"township_code\":\"140932100\","
               "\"village_code\":\"140932100203\"},\"geometry\":{\"type\":\"Polygon\","
               "\"coordinates\":[[[111.5,39.3],[111.6,39.4],[111.6,39.3],[111.5,39.4],"
               "[111.5,39.3]]]}},\n"
               "{\"type\":\"Feature\",\"properties\":{\"township_code\":\"140932100\","
               "\"village_code\":\"\"},\"geometry\":{\"type\":\"Polygon\","
               "\"coordinates\":[[[111.6,39.3],[111.7,39.3],[111.7,39.4],[111.6,39.4],"
               "[111.6,39.3]]]}},\n"
               "{\"type\":\"Feature\",\"properties\":{\"township_code\":\"140932100\","
               "\"village_code\":\"140932100206\"},\"geometry\":null}\n"
               "]}\n");
    skips sk = {0};
    fg_grid *g = open_ok(TMP "/bowtie.geojson", NULL, &sk);
    assert_int_equal(sk.n, 3);
    assert_non_null(strstr(sk.what[0], "bowtie.geojson feature 1"));
    assert_non_null(strstr(sk.reason[0], "invalid"));
    assert_non_null(strstr(sk.what[1], "feature 2"));
    assert_non_null(strstr(sk.reason[1], "empty village code"));
    assert_non_null(strstr(sk.what[2], "feature 3"));
    assert_non_null(strstr(sk.reason[2], "geometry"));
    fg_place p;
    assert_int_equal(fg_grid_locate(g, 39.35, 111.45, &p), FG_OK);
    assert_int_equal(p.inside, 1);
    assert_string_equal(p.vill_code, "140932100201");
    /* inside the bow-tie's area: it was left out, so the point is outside */
    assert_int_equal(fg_grid_locate(g, 39.35, 111.58, &p), FG_OK);
    assert_int_equal(p.inside, 0);
    fg_grid_free(g);
}

static void file_with_only_unusable_polygons_is_a_format_error(void **state)
{
    (void)state;
    write_text(TMP "/allbad.geojson",
               "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
               "\"properties\":{\"township_code\":\"140932100\",\"village_code\":\"\"},"
               "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[111.4,39.3],[111.5,39.3],"
               "[111.5,39.4],[111.4,39.4],[111.4,39.3]]]}}]}\n");
    skips sk = {0};
    fg_grid *g = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_grid_open(TMP "/allbad.geojson", NULL, &g, on_skip, &sk, &ctx),
                     FG_EFORMAT);
    assert_null(g);
    assert_int_equal(sk.n, 1);
    assert_non_null(strstr(ctx.msg, "no usable"));
}

static void projected_utm_49n_file_locates_correctly(void **state)
{
    (void)state;
    /* two 10 km squares in UTM zone 49N (EPSG:32649), around 111.6°E 39.4°N */
    rect r[2] = {{"140932100", "140932100201", 540000, 4350000, 550000, 4360000},
                 {"140932102", "140932102200", 550000, 4350000, 560000, 4360000}};
    write_rects(TMP "/utm49n.geojson", r, 2, "urn:ogc:def:crs:EPSG::32649");
    fg_grid *g = open_ok(TMP "/utm49n.geojson", NULL, NULL);

    OGRSpatialReferenceH utm = OSRNewSpatialReference(NULL), wgs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(utm, 32649);
    OSRImportFromEPSG(wgs, 4326);
    OSRSetAxisMappingStrategy(utm, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(utm, wgs);
    assert_non_null(ct);
    double x[3] = {545000, 555000, 565000}, y[3] = {4355000, 4355000, 4355000};
    assert_true(OCTTransform(ct, 3, x, y, NULL));
    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(utm);
    OSRDestroySpatialReference(wgs);
    assert_true(x[0] > 111.4 && x[0] < 111.7 && y[0] > 39.2 && y[0] < 39.5); /* lon, lat */

    fg_place p;
    assert_int_equal(fg_grid_locate(g, y[0], x[0], &p), FG_OK);
    assert_int_equal(p.inside, 1);
    assert_string_equal(p.vill_code, "140932100201");
    assert_int_equal(fg_grid_locate(g, y[1], x[1], &p), FG_OK);
    assert_string_equal(p.vill_code, "140932102200");
    /* 5 km east of the eastern square */
    assert_int_equal(fg_grid_locate(g, y[2], x[2], &p), FG_OK);
    assert_int_equal(p.inside, 0);
    assert_string_equal(p.town_code, "140932102");
    assert_true(fabs(p.distance_m - 5000) < 100);
    fg_grid_free(g);
}

/* Polygons digitised on a Chinese web map (GCJ-02) and declared so: every vertex is
 * converted back to WGS84, so the WGS84 position of a fire lands in the right
 * village. Undeclared, the same file puts a point 300 m inside the village's
 * western edge outside it (the offset here is ~0.6 km, mostly east/north). */
static void gcj02_layer_is_converted_and_locates_wgs84_points(void **state)
{
    (void)state;
    const fg_sample_cell *c = cell("140932100007");
    /* the village rectangle densified along its edges, each vertex shifted to GCJ-02 */
    FILE *fp = fopen(TMP "/gcj02.geojson", "wb");
    assert_non_null(fp);
    fprintf(fp, "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                "\"properties\":{\"township_code\":\"%s\",\"village_code\":\"%s\","
                "\"village_name\":\"%s\"},\"geometry\":{\"type\":\"Polygon\","
                "\"coordinates\":[[",
            c->town_code, c->vill_code, c->vill_name);
    const int nside = 20;
    for (int k = 0; k <= 4 * nside; k++) {
        int side = k / nside, t = k % nside;
        double f = (double)t / nside, lon, lat;
        if (k == 4 * nside)
            side = 0, f = 0;
        switch (side) {
        case 0: lon = c->west + f * (c->east - c->west); lat = c->south; break;
        case 1: lon = c->east; lat = c->south + f * (c->north - c->south); break;
        case 2: lon = c->east - f * (c->east - c->west); lat = c->north; break;
        default: lon = c->west; lat = c->north - f * (c->north - c->south); break;
        }
        double glat, glon;
        fg_wgs84_to_gcj02(lat, lon, &glat, &glon);
        fprintf(fp, "%s[%.10f,%.10f]", k ? "," : "", glon, glat);
    }
    fprintf(fp, "]]}}]}\n");
    assert_int_equal(fclose(fp), 0);

    fg_grid_opts o = {0};
    o.gcj02 = 1;
    fg_grid *g = open_ok(TMP "/gcj02.geojson", &o, NULL);
    fg_grid *raw = open_ok(TMP "/gcj02.geojson", NULL, NULL);
    double midlat = 0.5 * (c->south + c->north);
    double in_w = c->west + 300.0 / (111320.0 * cos(midlat * 0.017453292519943295));
    double in_s = c->south + 300.0 / 111320.0;
    struct {
        double lat, lon;
    } pts[] = {{midlat, 0.5 * (c->west + c->east)}, {midlat, in_w}, {in_s, in_w}};
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        fg_place p;
        assert_int_equal(fg_grid_locate(g, pts[i].lat, pts[i].lon, &p), FG_OK);
        assert_int_equal(p.inside, 1);
        assert_string_equal(p.vill_code, "140932100007");
    }
    fg_place p;
    assert_int_equal(fg_grid_locate(raw, pts[1].lat, pts[1].lon, &p), FG_OK);
    assert_int_equal(p.inside, 0); /* undeclared GCJ-02: misplaced */
    /* the converted polygon's corners are back on the WGS84 rectangle (< 1 cm) */
    double w, s, e, n;
    assert_int_equal(fg_grid_bounds(g, &w, &s, &e, &n), FG_OK);
    assert_true(fabs(w - c->west) < 1e-7 && fabs(e - c->east) < 1e-7);
    assert_true(fabs(s - c->south) < 1e-7 && fabs(n - c->north) < 1e-7);
    fg_grid_free(g);
    fg_grid_free(raw);
}

/* Overlapping polygons are named at open time (both villages, the area, and the
 * townships when they differ); the point in both still goes to the smaller code.
 * Polygons that only share a border raise nothing: the sample county opens
 * without a report. */
static void overlapping_villages_are_reported_and_the_smaller_code_wins(void **state)
{
    (void)state;
    rect r[4] = {{"140932998", "140932998002", 111.40, 39.30, 111.50, 39.40},
                 {"140932997", "140932997005", 111.49, 39.30, 111.60, 39.40}, /* 0.01° over */
                 {"140932997", "140932997001", 111.60, 39.30, 111.70, 39.40}, /* border only */
                 {"140932997", "140932997003", 111.62, 39.32, 111.64, 39.34}}; /* inside 001 */
    write_rects(TMP "/overlap.geojson", r, 4, NULL);
    skips sk = {0};
    fg_grid *g = open_ok(TMP "/overlap.geojson", NULL, &sk);
    assert_int_equal(sk.n, 2);
    /* code order: 997001 ⊃ 997003 first, then 997005 × 998002 */
    assert_non_null(strstr(sk.what[0], "overlap.geojson"));
    assert_non_null(strstr(sk.what[0], "140932997001"));
    assert_non_null(strstr(sk.what[0], "140932997003"));
    assert_non_null(strstr(sk.reason[0], "overlapping"));
    assert_null(strstr(sk.reason[0], "townships"));
    assert_non_null(strstr(sk.what[1], "140932997005"));
    assert_non_null(strstr(sk.what[1], "140932998002"));
    assert_non_null(strstr(sk.reason[1], "townships 140932997"));
    assert_non_null(strstr(sk.reason[1], "goes to village 140932997005"));
    /* 0.01° × 0.1° at 39.35°N is about 860 m × 11 km ≈ 9.6 km² */
    double area = 0;
    const char *m = strstr(sk.reason[1], "(");
    assert_non_null(m);
    area = atof(m + 1);
    assert_true(area > 9.0e6 && area < 10.2e6);
    fg_place p;
    assert_int_equal(fg_grid_locate(g, 39.35, 111.495, &p), FG_OK);
    assert_string_equal(p.vill_code, "140932997005");
    assert_string_equal(p.town_code, "140932997");
    assert_int_equal(fg_grid_locate(g, 39.33, 111.63, &p), FG_OK);
    assert_string_equal(p.vill_code, "140932997001");
    fg_grid_free(g);

    skips none = {0};
    g = open_ok(SAMPLE, NULL, &none);
    assert_int_equal(none.n, 0);
    fg_grid_free(g);
}

static void free_null_is_a_no_op(void **state)
{
    (void)state;
    fg_grid_free(NULL);
    assert_int_equal(fg_grid_township_count(NULL), 0);
}

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

/* Every allocation failure during open returns FG_ENOMEM with nothing leaked
 * (the sanitizer build checks leaks) and *out untouched. */
static void open_survives_allocation_failures(void **state)
{
    (void)state;
    int k;
    for (k = 0; k < 100; k++) {
        fg_grid *g = NULL;
        fg_ctx ctx = {0};
        g_allocs = 0;
        g_fail_after = k;
        fg_set_allocator(failing_malloc, failing_realloc, free);
        int rc = fg_grid_open(SAMPLE, NULL, &g, NULL, NULL, &ctx);
        fg_set_allocator(NULL, NULL, NULL);
        g_fail_after = -1;
        if (rc == FG_OK) {
            assert_int_equal(fg_grid_township_count(g), 8);
            fg_grid_free(g);
            break;
        }
        assert_int_equal(rc, FG_ENOMEM);
        assert_null(g);
    }
    assert_true(k > 0 && k < 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sample_lists_8_townships_in_code_order),
        cmocka_unit_test(point_inside_a_cell_gives_its_township_and_village),
        cmocka_unit_test(point_on_a_sample_border_goes_to_the_smaller_village_code),
        cmocka_unit_test(point_outside_the_county_goes_to_the_nearest_township_with_distance),
        cmocka_unit_test(locate_rejects_bad_arguments),
        cmocka_unit_test(concurrent_locates_agree_with_serial_ones),
        cmocka_unit_test(shared_border_goes_to_the_smaller_code_in_either_file_order),
        cmocka_unit_test(corner_shared_by_four_cells_goes_to_the_smallest_code),
        cmocka_unit_test(missing_file_is_not_found_and_named),
        cmocka_unit_test(file_that_is_not_a_vector_source_is_a_format_error),
        cmocka_unit_test(missing_code_field_is_not_found_naming_field_and_file),
        cmocka_unit_test(missing_layer_is_not_found),
        cmocka_unit_test(layer_without_crs_is_a_format_error),
        cmocka_unit_test(bow_tie_polygon_is_skipped_with_a_reason_and_the_rest_loads),
        cmocka_unit_test(file_with_only_unusable_polygons_is_a_format_error),
        cmocka_unit_test(projected_utm_49n_file_locates_correctly),
        cmocka_unit_test(gcj02_layer_is_converted_and_locates_wgs84_points),
        cmocka_unit_test(overlapping_villages_are_reported_and_the_smaller_code_wins),
        cmocka_unit_test(free_null_is_a_no_op),
        cmocka_unit_test(open_survives_allocation_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
