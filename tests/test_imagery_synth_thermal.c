/* test_imagery_synth_thermal.c — synthetic thermal scenes: files, metadata, and the detector finds what was planted. */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <gdal.h>
#include <ogr_srs_api.h>

#include "imagery/imagery.h"

/* 偏关县 (sample county) extent and 2024-10-15T00:00:00Z. */
#define WEST 111.357
#define EAST 112.006
#define SOUTH 39.217
#define NORTH 39.663
#define DAY0 1728950400LL

static fg_synth_site g_sites[16];

static void make_opts(fg_synth_opts *o, unsigned seed)
{
    /* 4×4 fake village centres spread over the county */
    for (int i = 0; i < 16; i++) {
        fg_synth_site *s = &g_sites[i];
        memset(s, 0, sizeof *s);
        s->lat = SOUTH + 0.03 + (NORTH - SOUTH - 0.06) * ((i / 4) + 0.5 * ((i % 4) & 1) * 0.3) / 3.0;
        s->lon = WEST + 0.04 + (EAST - WEST - 0.08) * (i % 4) / 3.0;
        snprintf(s->township_code, sizeof s->township_code, "1409320%02d", i / 4);
        snprintf(s->village_code, sizeof s->village_code, "1409320%02d2%02d", i / 4, i);
    }
    memset(o, 0, sizeof *o);
    o->seed = seed;
    o->west = WEST;
    o->east = EAST;
    o->south = SOUTH;
    o->north = NORTH;
    o->sites = g_sites;
    o->nsites = 16;
    o->static_lat = 39.40;
    o->static_lon = 111.60;
    o->day0_utc = DAY0;
}

static char *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc(len > 0 ? (size_t)len : 1);
    if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *n = (size_t)len;
    return buf;
}

/* One scene read back with GDAL. */
typedef struct read_scene {
    int w, h;
    double gt[6];
    float *t4, *t11;
    int64_t t;
    char sensor[64];
} read_scene;

static void read_back(const char *path, read_scene *rs)
{
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    assert_non_null(ds);
    rs->w = GDALGetRasterXSize(ds);
    rs->h = GDALGetRasterYSize(ds);
    assert_int_equal(GDALGetRasterCount(ds), 2);
    assert_int_equal(GDALGetGeoTransform(ds, rs->gt), CE_None);
    /* CRS is UTM 49N */
    OGRSpatialReferenceH srs = OSRNewSpatialReference(GDALGetProjectionRef(ds));
    assert_non_null(srs);
    const char *code = OSRGetAuthorityCode(srs, NULL);
    assert_non_null(code);
    assert_string_equal(code, "32649");
    OSRDestroySpatialReference(srs);
    /* metadata */
    const char *acq = GDALGetMetadataItem(ds, "FG_ACQ_TIME", NULL);
    const char *sensor = GDALGetMetadataItem(ds, "FG_SENSOR", NULL);
    const char *synth = GDALGetMetadataItem(ds, "FG_SYNTHETIC", NULL);
    assert_non_null(acq);
    assert_non_null(sensor);
    assert_non_null(synth);
    assert_string_equal(synth, "1");
    assert_int_equal(fg_time_parse(acq, &rs->t), FG_OK);
    snprintf(rs->sensor, sizeof rs->sensor, "%s", sensor);
    /* bands by description, F32, NaN nodata */
    float **dst[2] = {&rs->t4, &rs->t11};
    const char *names[2] = {"MIR_BT", "TIR_BT"};
    for (int b = 0; b < 2; b++) {
        GDALRasterBandH band = GDALGetRasterBand(ds, b + 1);
        assert_string_equal(GDALGetDescription(band), names[b]);
        assert_int_equal(GDALGetRasterDataType(band), GDT_Float32);
        int has = 0;
        double nd = GDALGetRasterNoDataValue(band, &has);
        assert_true(has && isnan(nd));
        *dst[b] = malloc((size_t)rs->w * rs->h * sizeof(float));
        assert_non_null(*dst[b]);
        assert_int_equal(GDALRasterIO(band, GF_Read, 0, 0, rs->w, rs->h, *dst[b], rs->w, rs->h,
                                      GDT_Float32, 0, 0),
                         CE_None);
    }
    GDALClose(ds);
}

/* WGS84 → pixel (fractional col, row) of a scene. */
static void to_pixel(const read_scene *rs, double lat, double lon, double *col, double *row)
{
    OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL), utm = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(wgs, 4326);
    OSRImportFromEPSG(utm, 32649);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(utm, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(wgs, utm);
    assert_non_null(ct);
    double x = lon, y = lat;
    assert_true(OCTTransform(ct, 1, &x, &y, NULL));
    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(wgs);
    OSRDestroySpatialReference(utm);
    *col = (x - rs->gt[0]) / rs->gt[1];
    *row = (y - rs->gt[3]) / rs->gt[5];
}

static int count_kind(const fg_truth *t, size_t n, const char *source, const char *kind)
{
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += strcmp(t[i].source, source) == 0 && strcmp(t[i].kind, kind) == 0;
    return k;
}

/* Runs the synthesiser for a seed and checks every scene against its truth. */
static void check_seed(unsigned seed, int verbose)
{
    fg_synth_opts o;
    make_opts(&o, seed);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/seed%u", FG_TEST_TMPDIR, seed);
    fg_truth *truth = NULL;
    size_t nt = 0;
    fg_ctx ctx = {0};
    int rc = fg_synth_thermal(dir, &o, &truth, &nt, &ctx);
    if (rc != FG_OK)
        fail_msg("fg_synth_thermal: %s", ctx.msg);
    assert_int_equal(nt, (4 + 3) + (2 + 2)); /* day: fires, industrial, cloud, field; night */

    /* the distinct scene files */
    const char *sources[8];
    int ns = 0;
    for (size_t i = 0; i < nt; i++) {
        int seen = 0;
        for (int k = 0; k < ns; k++)
            seen |= strcmp(sources[k], truth[i].source) == 0;
        if (!seen && ns < 8)
            sources[ns++] = truth[i].source;
    }
    assert_int_equal(ns, 2);

    int n_day = 0, n_night = 0;
    for (int si = 0; si < ns; si++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/scenes/%s", dir, sources[si]);
        read_scene rs;
        memset(&rs, 0, sizeof rs);
        read_back(path, &rs);
        double clat = (SOUTH + NORTH) / 2, clon = (WEST + EAST) / 2;
        int day = fg_solar_zenith(rs.t, clat, clon) < 85.0;
        int modis = rs.gt[1] > 900.0;
        n_day += day;
        n_night += !day;
        assert_int_equal(count_kind(truth, nt, sources[si], "fire"), day ? 4 : 2);
        assert_int_equal(count_kind(truth, nt, sources[si], "industrial"), 1);
        assert_int_equal(count_kind(truth, nt, sources[si], "cloud"), 1);
        assert_int_equal(count_kind(truth, nt, sources[si], "warm_field"), day ? 1 : 0);
        assert_true(modis == day); /* 1 km by day, 375 m at night */
        if (day)
            assert_true(strstr(rs.sensor, "MODIS") != NULL);
        else
            assert_true(strstr(rs.sensor, "VIIRS") != NULL);

        /* background plausibility: the bulk of the scene within the stated ranges */
        size_t in_range = 0, np = (size_t)rs.w * rs.h;
        for (size_t i = 0; i < np; i++) {
            double t11 = rs.t11[i], off = rs.t4[i] - rs.t11[i];
            in_range += day ? (t11 > 284 && t11 < 301 && off > 2 && off < 9)
                            : (t11 > 269 && t11 < 281 && off > -2 && off < 2);
        }
        assert_true(in_range > np * 95 / 100);

        fg_raster mir = {rs.w, rs.h, 1, (size_t)rs.w, FG_PIX_F32, rs.t4};
        fg_raster tir = {rs.w, rs.h, 1, (size_t)rs.w, FG_PIX_F32, rs.t11};
        fg_thermal_input in = {.mir = &mir, .tir = &tir, .is_day = day};
        fg_thermal_params p;
        assert_int_equal(fg_thermal_params_default(&p, modis ? FG_PROFILE_MODIS_1KM
                                                             : FG_PROFILE_VIIRS_375M), FG_OK);
        fg_fire_pixel *v = NULL;
        size_t nv = 0;
        assert_int_equal(fg_thermal_detect(&in, &p, 0, &v, &nv, NULL, &ctx), FG_OK);

        int *explained = calloc(nv ? nv : 1, sizeof *explained);
        assert_non_null(explained);
        for (size_t i = 0; i < nt; i++) {
            const fg_truth *t = &truth[i];
            if (strcmp(t->source, sources[si]) != 0)
                continue;
            assert_true(t->t_start == rs.t && t->t_end == rs.t);
            assert_true(t->lat > SOUTH && t->lat < NORTH && t->lon > WEST && t->lon < EAST);
            double col, row;
            to_pixel(&rs, t->lat, t->lon, &col, &row);
            int hot = strcmp(t->kind, "fire") == 0 || strcmp(t->kind, "industrial") == 0;
            if (hot) {
                assert_true(t->temp_k >= 600 && t->temp_k <= 1100 && t->area_m2 > 0);
                const fg_fire_pixel *best = NULL;
                for (size_t k = 0; k < nv; k++)
                    if (hypot(v[k].col + 0.5 - col, v[k].row + 0.5 - row) <= 1.5) {
                        explained[k] = 1;
                        if (!best || v[k].t4 > best->t4)
                            best = &v[k];
                    }
                if (verbose)
                    print_message("  %-26s %-10s %6.0f m2 %5.0f K  %s T4 %.1f K conf %d FRP %.1f MW\n",
                                  t->source, t->kind, t->area_m2, t->temp_k,
                                  best ? "detected" : "MISSED", best ? best->t4 : 0.0,
                                  best ? best->confidence : 0, best ? best->frp_mw : 0.0);
                if (!best)
                    fail_msg("seed %u: %s %s at %.5f,%.5f (%.0f m2, %.0f K) not detected", seed,
                             t->source, t->kind, t->lat, t->lon, t->area_m2, t->temp_k);
                if (strcmp(t->kind, "fire") == 0) {
                    assert_true(t->village_code[0] != '\0');
                    assert_true(t->township_code[0] != '\0');
                } else {
                    assert_true(fabs(t->lat - o.static_lat) < 1e-9 &&
                                fabs(t->lon - o.static_lon) < 1e-9);
                }
            } else {
                assert_true(t->radius_m > 1000.0);
                if (strcmp(t->kind, "warm_field") == 0) {
                    /* the field is a real trap: its core passes the potential-fire
                     * screen (T4 > 310 K, ΔT > 10 K) and has T4 ≈ 320–325 K */
                    int potential = 0;
                    for (int r = (int)row - 1; r <= (int)row + 1; r++)
                        for (int c = (int)col - 1; c <= (int)col + 1; c++) {
                            float t4 = rs.t4[(size_t)r * rs.w + c], t11 = rs.t11[(size_t)r * rs.w + c];
                            potential += t4 > 310.0f && t4 - t11 > 10.0f && t4 < 327.0f;
                        }
                    if (verbose)
                        print_message("  warm field: %d of its 9 core pixels pass the potential-fire screen\n",
                                      potential);
                    assert_true(potential >= 1);
                }
                assert_true(t->village_code[0] == '\0');
                for (size_t k = 0; k < nv; k++) {
                    double d = hypot(v[k].col + 0.5 - col, v[k].row + 0.5 - row) * rs.gt[1];
                    if (d <= t->radius_m)
                        fail_msg("seed %u: detection at row %d col %d inside the %s (%.0f m)",
                                 seed, v[k].row, v[k].col, t->kind, t->radius_m);
                }
            }
        }
        /* nothing else in the scene fires */
        for (size_t k = 0; k < nv; k++)
            if (!explained[k])
                fail_msg("seed %u: false alarm in %s at row %d col %d (T4 %.1f, T11 %.1f)", seed,
                         sources[si], v[k].row, v[k].col, v[k].t4, v[k].t11);
        if (verbose)
            print_message("  %s: %dx%d px, %zu fire pixels\n", sources[si], rs.w, rs.h, nv);
        free(explained);
        fg_free(v);
        free(rs.t4);
        free(rs.t11);
    }
    assert_int_equal(n_day, 1);
    assert_int_equal(n_night, 1);
    fg_free(truth);
}

static void every_planted_fire_is_detected_and_nothing_else(void **state)
{
    (void)state;
    check_seed(20241015u, 1);
    const unsigned more[] = {1u, 2u, 3u, 4u, 5u};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        check_seed(more[i], 0);
}

static void same_seed_writes_identical_files(void **state)
{
    (void)state;
    fg_synth_opts o;
    make_opts(&o, 77u);
    char d1[512], d2[512];
    snprintf(d1, sizeof d1, "%s/same_a/nested", FG_TEST_TMPDIR);
    snprintf(d2, sizeof d2, "%s/same_b/nested", FG_TEST_TMPDIR);
    fg_truth *t1 = NULL, *t2 = NULL;
    size_t n1 = 0, n2 = 0;
    fg_ctx ctx = {0};
    assert_int_equal(fg_synth_thermal(d1, &o, &t1, &n1, &ctx), FG_OK);
    assert_int_equal(fg_synth_thermal(d2, &o, &t2, &n2, &ctx), FG_OK);
    assert_int_equal(n1, n2);
    assert_memory_equal(t1, t2, n1 * sizeof *t1);
    int files = 0;
    for (size_t i = 0; i < n1; i++) {
        if (i > 0 && strcmp(t1[i].source, t1[i - 1].source) == 0)
            continue;
        char p1[1024], p2[1024];
        snprintf(p1, sizeof p1, "%s/scenes/%s", d1, t1[i].source);
        snprintf(p2, sizeof p2, "%s/scenes/%s", d2, t1[i].source);
        size_t l1 = 0, l2 = 0;
        char *b1 = read_all(p1, &l1), *b2 = read_all(p2, &l2);
        assert_non_null(b1);
        assert_non_null(b2);
        assert_true(l1 > 1000);
        assert_int_equal(l1, l2);
        assert_memory_equal(b1, b2, l1);
        free(b1);
        free(b2);
        files++;
    }
    assert_int_equal(files, 2);
    /* a different seed plants elsewhere */
    make_opts(&o, 78u);
    fg_truth *t3 = NULL;
    size_t n3 = 0;
    char d3[512];
    snprintf(d3, sizeof d3, "%s/other", FG_TEST_TMPDIR);
    assert_int_equal(fg_synth_thermal(d3, &o, &t3, &n3, &ctx), FG_OK);
    assert_true(n3 != n1 || memcmp(t1, t3, n1 * sizeof *t1) != 0);
    fg_free(t1);
    fg_free(t2);
    fg_free(t3);
}

static void truth_is_appended_and_objects_keep_apart(void **state)
{
    (void)state;
    fg_synth_opts o;
    make_opts(&o, 9u);
    fg_truth *t = fg_malloc(sizeof *t);
    assert_non_null(t);
    memset(t, 0, sizeof *t);
    snprintf(t->kind, sizeof t->kind, "plume");
    size_t n = 1;
    fg_ctx ctx = {0};
    char dir[512];
    snprintf(dir, sizeof dir, "%s/append", FG_TEST_TMPDIR);
    assert_int_equal(fg_synth_thermal(dir, &o, &t, &n, &ctx), FG_OK);
    assert_string_equal(t[0].kind, "plume"); /* earlier records kept */
    assert_true(n == 1 + 7 + 4);
    for (size_t i = 1; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(t[i].source, t[j].source) == 0)
                assert_true(fg_geo_distance(t[i].lat, t[i].lon, t[j].lat, t[j].lon) >= 5000.0);
    /* fires sit on distinct village sites */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(t[i].kind, "fire") == 0 && strcmp(t[j].kind, "fire") == 0)
                assert_true(strcmp(t[i].village_code, t[j].village_code) != 0);
    fg_free(t);
}

static void bad_options_are_einval_and_leave_truth(void **state)
{
    (void)state;
    fg_synth_opts o;
    make_opts(&o, 1u);
    o.static_lat = 45.0; /* outside the county */
    fg_truth *t = NULL;
    size_t n = 0;
    fg_ctx ctx = {0};
    assert_int_equal(fg_synth_thermal(FG_TEST_TMPDIR "/bad", &o, &t, &n, &ctx), FG_EINVAL);
    assert_null(t);
    assert_int_equal(n, 0);
    assert_true(strstr(ctx.msg, "synth_thermal") != NULL);
    make_opts(&o, 1u);
    o.east = o.west;
    assert_int_equal(fg_synth_thermal(FG_TEST_TMPDIR "/bad", &o, &t, &n, &ctx), FG_EINVAL);
    assert_int_equal(fg_synth_thermal(NULL, &o, &t, &n, &ctx), FG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_planted_fire_is_detected_and_nothing_else),
        cmocka_unit_test(same_seed_writes_identical_files),
        cmocka_unit_test(truth_is_appended_and_objects_keep_apart),
        cmocka_unit_test(bad_options_are_einval_and_leave_truth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
