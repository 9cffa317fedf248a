/* test_imagery_landcover.c — land class at a WGS84 point from WorldCover-coded rasters in any CRS. */
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

#include <cpl_string.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include "imagery/imagery.h"

#define TMP FG_TEST_TMPDIR

/* ESA WorldCover legend → our class names, as the header documents it. */
typedef struct legend_case {
    int code;
    const char *name;
} legend_case;

static const legend_case legend[] = {
    {10, "forest"}, {20, "grass"},     {30, "grass"},    {40, "cropland"}, {50, "built-up"},
    {60, "other"},  {70, "other"},     {80, "water"},    {90, "other"},    {95, "other"},
    {100, "other"}, {0, ""}, /* WorldCover's own no-data code */
};
#define NLEGEND (sizeof legend / sizeof legend[0])

/* Fixture 1: 120×90 pixels of 30 m in UTM 49N (EPSG:32649) near the sample county;
 * each 10-column band holds one legend code; rows 80..89 of columns 0..9 are the
 * declared nodata (255). */
#define U_W 120
#define U_H 90
#define U_X0 540000.0
#define U_Y0 4370000.0
#define U_PX 30.0

static int utm_code(int row, int col)
{
    if (row >= 80 && col < 10)
        return 255;
    return legend[(col / 10) % NLEGEND].code;
}

static void write_tif(const char *path, int w, int h, int epsg, const double gt[6],
                      int (*code)(int, int), int nodata)
{
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    assert_non_null(drv);
    char **co = CSLSetNameValue(NULL, "COMPRESS", "DEFLATE");
    co = CSLSetNameValue(co, "TILED", "YES");
    GDALDatasetH ds = GDALCreate(drv, path, w, h, 1, GDT_Byte, co);
    CSLDestroy(co);
    assert_non_null(ds);
    if (gt)
        assert_int_equal(GDALSetGeoTransform(ds, (double *)gt), CE_None);
    if (epsg) {
        OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
        assert_int_equal(OSRImportFromEPSG(srs, epsg), OGRERR_NONE);
        assert_int_equal(GDALSetSpatialRef(ds, srs), CE_None);
        OSRDestroySpatialReference(srs);
    }
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    if (nodata >= 0)
        GDALSetRasterNoDataValue(b, nodata);
    unsigned char *row = malloc((size_t)w);
    assert_non_null(row);
    for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c++)
            row[c] = (unsigned char)code(r, c);
        assert_int_equal(GDALRasterIO(b, GF_Write, 0, r, w, 1, row, w, 1, GDT_Byte, 0, 0),
                         CE_None);
    }
    free(row);
    GDALClose(ds);
}

static OGRCoordinateTransformationH to_wgs84(int epsg)
{
    OGRSpatialReferenceH a = OSRNewSpatialReference(NULL), b = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(a, epsg);
    OSRImportFromEPSG(b, 4326);
    OSRSetAxisMappingStrategy(a, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(b, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(a, b);
    OSRDestroySpatialReference(a);
    OSRDestroySpatialReference(b);
    assert_non_null(ct);
    return ct;
}

static const char *expected_name(int code)
{
    if (code == 255)
        return "";
    for (size_t i = 0; i < NLEGEND; i++)
        if (legend[i].code == code)
            return legend[i].name;
    return "other";
}

static fg_landcover *open_ok(const char *path)
{
    fg_landcover *lc = NULL;
    fg_ctx ctx = {0};
    if (fg_landcover_open(path, &lc, &ctx) != FG_OK)
        fail_msg("fg_landcover_open(%s): %s", path, ctx.msg);
    return lc;
}

static int setup(void **state)
{
    (void)state;
    mkdir(TMP, 0755);
    GDALAllRegister();
    double gt[6] = {U_X0, U_PX, 0, U_Y0, 0, -U_PX};
    write_tif(TMP "/wc_utm.tif", U_W, U_H, 32649, gt, utm_code, 255);
    return 0;
}

/* Every pixel centre, given in WGS84, comes back with its class: the point is
 * transformed to the raster's UTM and the pixel read, for the whole legend. */
static void utm_raster_gives_the_class_of_every_pixel_centre(void **state)
{
    (void)state;
    fg_landcover *lc = open_ok(TMP "/wc_utm.tif");
    OGRCoordinateTransformationH ct = to_wgs84(32649);
    int wrong = 0, seen[NLEGEND] = {0};
    for (int r = 0; r < U_H; r += 3)
        for (int c = 0; c < U_W; c++) {
            double x = U_X0 + (c + 0.5) * U_PX, y = U_Y0 - (r + 0.5) * U_PX;
            assert_true(OCTTransform(ct, 1, &x, &y, NULL));
            const char *got = fg_landcover_at(lc, y, x);
            const char *want = expected_name(utm_code(r, c));
            if (strcmp(got, want) != 0 && wrong++ < 5)
                print_error("pixel %d,%d: \"%s\", expected \"%s\"\n", r, c, got, want);
            for (size_t i = 0; i < NLEGEND; i++)
                seen[i] += legend[i].code == utm_code(r, c);
        }
    OCTDestroyCoordinateTransformation(ct);
    fg_landcover_free(lc);
    assert_int_equal(wrong, 0);
    for (size_t i = 0; i < NLEGEND; i++)
        assert_true(seen[i] > 0); /* the fixture covers every legend entry */
}

/* Points on the nodata patch or outside the raster have no class; a point 10 m
 * inside the western edge has one. */
static void nodata_and_outside_give_an_empty_class(void **state)
{
    (void)state;
    fg_landcover *lc = open_ok(TMP "/wc_utm.tif");
    OGRCoordinateTransformationH ct = to_wgs84(32649);
    struct {
        double x, y;
        const char *want;
    } pts[] = {
        {U_X0 + 5 * U_PX, U_Y0 - 85 * U_PX, ""},            /* declared nodata */
        {U_X0 - 10, U_Y0 - 45 * U_PX, ""},                    /* 10 m west */
        {U_X0 + 10, U_Y0 - 45 * U_PX, "forest"},              /* 10 m inside */
        {U_X0 + U_W * U_PX + 10, U_Y0 - 10, ""},              /* east */
        {U_X0 + 15 * U_PX, U_Y0 + 10, ""},                    /* north */
        {U_X0 + 15 * U_PX, U_Y0 - U_H * U_PX - 10, ""},       /* south */
        {U_X0 + 105 * U_PX, U_Y0 - 45 * U_PX, "other"},       /* code 100, moss */
        {U_X0 + 115 * U_PX, U_Y0 - 45 * U_PX, ""},            /* code 0: WorldCover no data */
    };
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        double x = pts[i].x, y = pts[i].y;
        assert_true(OCTTransform(ct, 1, &x, &y, NULL));
        const char *got = fg_landcover_at(lc, y, x);
        if (strcmp(got, pts[i].want) != 0)
            fail_msg("point %zu: \"%s\", expected \"%s\"", i, got, pts[i].want);
    }
    assert_string_equal(fg_landcover_at(lc, NAN, 111.6), "");
    assert_string_equal(fg_landcover_at(lc, -89.0, -179.0), ""); /* far outside the zone */
    assert_string_equal(fg_landcover_at(NULL, 39.4, 111.6), "");
    OCTDestroyCoordinateTransformation(ct);
    fg_landcover_free(lc);
    fg_landcover_free(NULL);
}

/* Fixture 2: a geographic (EPSG:4326) raster, 0.001° pixels, classes by quadrant. */
static int geo_code(int row, int col) { return row < 50 ? (col < 50 ? 40 : 10) : 80; }

static void geographic_raster_is_read_without_projection(void **state)
{
    (void)state;
    double gt[6] = {111.5, 0.001, 0, 39.5, 0, -0.001};
    write_tif(TMP "/wc_geo.tif", 100, 100, 4326, gt, geo_code, -1);
    fg_landcover *lc = open_ok(TMP "/wc_geo.tif");
    assert_string_equal(fg_landcover_at(lc, 39.4995, 111.5005), "cropland");
    assert_string_equal(fg_landcover_at(lc, 39.4995, 111.5995), "forest");
    assert_string_equal(fg_landcover_at(lc, 39.4005, 111.55), "water");
    assert_string_equal(fg_landcover_at(lc, 39.3995, 111.55), ""); /* just south */
    fg_landcover_free(lc);
}

/* Fixture 3: larger than the read-whole limit, so it goes through the window cache:
 * 2100×2100 pixels, code changing every 100 pixels; 3000 lookups in random order
 * (far more windows than the cache holds) all agree with the fixture. */
static int big_code(int row, int col)
{
    static const int codes[] = {10, 20, 40, 50, 80, 60, 30};
    return codes[(row / 100 * 3 + col / 100) % 7];
}

static void large_raster_reads_through_the_window_cache(void **state)
{
    (void)state;
    double gt[6] = {U_X0, 10.0, 0, U_Y0, 0, -10.0};
    write_tif(TMP "/wc_big.tif", 2100, 2100, 32649, gt, big_code, 0);
    fg_landcover *lc = open_ok(TMP "/wc_big.tif");
    OGRCoordinateTransformationH ct = to_wgs84(32649);
    unsigned s = 7;
    int wrong = 0;
    for (int k = 0; k < 3000; k++) {
        s = s * 1103515245u + 12345u;
        int r = (int)((s >> 8) % 2100u);
        s = s * 1103515245u + 12345u;
        int c = (int)((s >> 8) % 2100u);
        double x = U_X0 + (c + 0.5) * 10.0, y = U_Y0 - (r + 0.5) * 10.0;
        assert_true(OCTTransform(ct, 1, &x, &y, NULL));
        wrong += strcmp(fg_landcover_at(lc, y, x), expected_name(big_code(r, c))) != 0;
    }
    OCTDestroyCoordinateTransformation(ct);
    fg_landcover_free(lc);
    assert_int_equal(wrong, 0);
}

static int one_code(int row, int col)
{
    (void)row;
    (void)col;
    return 40;
}

typedef struct bad_case {
    const char *name;
    int rc;
    const char *msg;
} bad_case;

static void unusable_files_fail_with_the_file_named(void **state)
{
    (void)state;
    write_tif(TMP "/nogeo.tif", 10, 10, 0, NULL, one_code, -1);
    double gt[6] = {U_X0, U_PX, 0, U_Y0, 0, -U_PX};
    write_tif(TMP "/nocrs.tif", 10, 10, 0, gt, one_code, -1);
    FILE *fp = fopen(TMP "/text.tif", "wb");
    assert_non_null(fp);
    fputs("not a raster\n", fp);
    fclose(fp);
    static const bad_case cases[] = {
        {"missing.tif", FG_ENOTFOUND, "no such file"},
        {"text.tif", FG_EFORMAT, "not a raster"},
        {"nogeo.tif", FG_EFORMAT, "geotransform"},
        {"nocrs.tif", FG_EFORMAT, "no CRS"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", TMP, cases[i].name);
        fg_landcover *lc = (fg_landcover *)1;
        fg_ctx ctx = {0};
        int rc = fg_landcover_open(path, &lc, &ctx);
        if (rc != cases[i].rc || !strstr(ctx.msg, cases[i].name) ||
            !strstr(ctx.msg, cases[i].msg))
            fail_msg("%s: rc %d \"%s\"", cases[i].name, rc, ctx.msg);
        assert_ptr_equal(lc, (fg_landcover *)1);
    }
    fg_landcover *lc = NULL;
    assert_int_equal(fg_landcover_open(NULL, &lc, NULL), FG_EINVAL);
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

static void open_survives_allocation_failures(void **state)
{
    (void)state;
    const char *files[2] = {TMP "/wc_utm.tif", TMP "/wc_big.tif"};
    for (int fi = 0; fi < 2; fi++) {
        int k;
        for (k = 0; k < 20; k++) {
            fg_landcover *lc = NULL;
            fg_ctx ctx = {0};
            g_allocs = 0;
            g_fail_after = k;
            fg_set_allocator(failing_malloc, failing_realloc, free);
            int rc = fg_landcover_open(files[fi], &lc, &ctx);
            fg_set_allocator(NULL, NULL, NULL);
            g_fail_after = -1;
            if (rc == FG_OK) {
                assert_non_null(lc);
                fg_landcover_free(lc);
                break;
            }
            assert_int_equal(rc, FG_ENOMEM);
            assert_null(lc);
        }
        assert_true(k > 0 && k < 20);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utm_raster_gives_the_class_of_every_pixel_centre),
        cmocka_unit_test(nodata_and_outside_give_an_empty_class),
        cmocka_unit_test(geographic_raster_is_read_without_projection),
        cmocka_unit_test(large_raster_reads_through_the_window_cache),
        cmocka_unit_test(unusable_files_fail_with_the_file_named),
        cmocka_unit_test(open_survives_allocation_failures),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
