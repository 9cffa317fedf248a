/* test_imagery_scene.c — reading scenes through GDAL: roles, nodata, georeferencing, bad files. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <gdal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "imagery/imagery.h"

#define TMP FG_TEST_TMPDIR

/* A 40x30 UTM 49N scene at 1 km whose upper-left corner is (500000 E, 4400000 N). */
static const double GT[6] = {500000.0, 1000.0, 0.0, 4400000.0, 0.0, -1000.0};

static void make_scene(const char *path, const char *n1, const char *n2, const char *const *md)
{
    fg_raster a = {0}, b = {0};
    fg_ctx c = {0};
    assert_int_equal(fg_raster_alloc(&a, 40, 30, 1, FG_PIX_F32, 0, &c), FG_OK);
    assert_int_equal(fg_raster_alloc(&b, 40, 30, 1, FG_PIX_F32, 0, &c), FG_OK);
    float *pa = a.data, *pb = b.data;
    for (int i = 0; i < 40 * 30; i++) {
        pa[i] = 300.0f + (float)(i % 40) * 0.1f;
        pb[i] = 290.0f;
    }
    pa[5 * 40 + 7] = NAN;
    const fg_raster *bands[] = {&a, &b};
    const char *names[] = {n1, n2};
    assert_int_equal(fg_geotiff_write(path, bands, names, 2, GT, 32649, md, &c), FG_OK);
    fg_raster_release(&a);
    fg_raster_release(&b);
}

static const char *const MD[] = {"FG_ACQ_TIME=2026-10-15T05:40:00Z", "FG_SENSOR=TEST-1KM", NULL};

static int setup(void **state)
{
    (void)state;
    mkdir(TMP, 0777);
    make_scene(TMP "/good.tif", "MIR_BT", "TIR_BT", MD);
    return 0;
}

static void a_good_scene_opens_with_roles_time_sensor_and_nodata(void **state)
{
    (void)state;
    fg_scene *s = NULL;
    fg_ctx c = {0};
    assert_int_equal(fg_scene_open(TMP "/good.tif", NULL, &s, &c), FG_OK);
    const fg_raster *m = fg_scene_mir(s);
    assert_int_equal(m->width, 40);
    assert_int_equal(m->height, 30);
    assert_float_equal(FG_F32_AT(m, 2, 10), 301.0, 1e-4);
    assert_true(isnan(FG_F32_AT(m, 5, 7)));
    assert_float_equal(FG_F32_AT(fg_scene_tir(s), 3, 3), 290.0, 1e-6);
    assert_null(fg_scene_cloud(s));
    int64_t t;
    assert_int_equal(fg_time_parse("2026-10-15T05:40:00Z", &t), FG_OK);
    assert_true(fg_scene_time(s) == t);
    assert_string_equal(fg_scene_sensor(s), "TEST-1KM");
    double sx, sy;
    fg_scene_pixel_km(s, &sx, &sy);
    assert_float_equal(sx, 1.0, 1e-9);
    assert_float_equal(sy, 1.0, 1e-9);
    /* UTM 49N central meridian is 111°E: easting 500000 lies on it. */
    double lat, lon;
    assert_int_equal(fg_scene_to_wgs84(s, 0.0, 0.0, &lat, &lon, &c), FG_OK);
    assert_float_equal(lon, 111.0, 1e-9);
    assert_float_equal(lat, 39.74991, 1e-4); /* gdaltransform: 111E 39.7499N → N 4399999.2 */
    fg_scene_free(s);
    fg_scene_free(NULL);
}

static void a_missing_file_is_not_found_and_named(void **state)
{
    (void)state;
    fg_scene *s = (fg_scene *)0x1;
    fg_ctx c = {0};
    assert_int_equal(fg_scene_open(TMP "/nope.tif", NULL, &s, &c), FG_ENOTFOUND);
    assert_ptr_equal(s, (fg_scene *)0x1);
    assert_non_null(strstr(c.msg, "nope.tif"));
}

static void a_file_gdal_cannot_read_is_a_format_error(void **state)
{
    (void)state;
    FILE *f = fopen(TMP "/text.tif", "w");
    fputs("this is not a raster\n", f);
    fclose(f);
    fg_scene *s = NULL;
    fg_ctx c = {0};
    assert_int_equal(fg_scene_open(TMP "/text.tif", NULL, &s, &c), FG_EFORMAT);
    assert_non_null(strstr(c.msg, "text.tif"));
    assert_null(s);
}

static void a_truncated_scene_is_refused(void **state)
{
    (void)state;
    FILE *in = fopen(TMP "/good.tif", "rb"), *out = fopen(TMP "/cut.tif", "wb");
    char buf[1200];
    size_t n = fread(buf, 1, sizeof buf, in);
    fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
    fg_scene *s = NULL;
    fg_ctx c = {0};
    int rc = fg_scene_open(TMP "/cut.tif", NULL, &s, &c);
    assert_true(rc == FG_EFORMAT || rc == FG_ENOTFOUND);
    assert_non_null(strstr(c.msg, "cut.tif"));
    assert_null(s);
}

static void a_missing_band_role_is_named(void **state)
{
    (void)state;
    make_scene(TMP "/norole.tif", "MIR_BT", "SOMETHING", MD);
    fg_scene *s = NULL;
    fg_ctx c = {0};
    assert_int_equal(fg_scene_open(TMP "/norole.tif", NULL, &s, &c), FG_ENOTFOUND);
    assert_non_null(strstr(c.msg, "TIR_BT"));
    assert_non_null(strstr(c.msg, "norole.tif"));
}

static void a_scene_without_crs_is_refused(void **state)
{
    (void)state;
    GDALAllRegister();
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), TMP "/nocrs.tif", 8, 8, 2,
                                 GDT_Float32, NULL);
    assert_non_null(ds);
    GDALSetGeoTransform(ds, (double *)GT);
    GDALSetDescription(GDALGetRasterBand(ds, 1), "MIR_BT");
    GDALSetDescription(GDALGetRasterBand(ds, 2), "TIR_BT");
    GDALSetMetadataItem(ds, "FG_ACQ_TIME", "2026-10-15T05:40:00Z", NULL);
    GDALClose(ds);
    fg_scene *s = NULL;
    fg_ctx c = {0};
    assert_int_equal(fg_scene_open(TMP "/nocrs.tif", NULL, &s, &c), FG_EFORMAT);
    assert_non_null(strstr(c.msg, "CRS"));
}

static void time_comes_from_options_when_the_file_has_none(void **state)
{
    (void)state;
    make_scene(TMP "/notime.tif", "MIR_BT", "TIR_BT", NULL);
    fg_scene *s = NULL;
    fg_ctx c = {0};
    assert_int_equal(fg_scene_open(TMP "/notime.tif", NULL, &s, &c), FG_EFORMAT);
    assert_non_null(strstr(c.msg, "acquisition time"));
    fg_scene_opts o = {.time_utc = 1760000000};
    assert_int_equal(fg_scene_open(TMP "/notime.tif", &o, &s, &c), FG_OK);
    assert_true(fg_scene_time(s) == 1760000000);
    fg_scene_free(s);
}

static void a_malformed_time_is_refused(void **state)
{
    (void)state;
    const char *const md[] = {"FG_ACQ_TIME=yesterday", NULL};
    make_scene(TMP "/badtime.tif", "MIR_BT", "TIR_BT", md);
    fg_scene *s = NULL;
    fg_ctx c = {0};
    assert_int_equal(fg_scene_open(TMP "/badtime.tif", NULL, &s, &c), FG_EFORMAT);
    assert_non_null(strstr(c.msg, "yesterday"));
}

static void the_pixel_limit_is_enforced(void **state)
{
    (void)state;
    fg_scene *s = NULL;
    fg_ctx c = {0};
    fg_scene_opts o = {.max_pixels = 100};
    assert_int_equal(fg_scene_open(TMP "/good.tif", &o, &s, &c), FG_ELIMIT);
    assert_null(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_good_scene_opens_with_roles_time_sensor_and_nodata),
        cmocka_unit_test(a_missing_file_is_not_found_and_named),
        cmocka_unit_test(a_file_gdal_cannot_read_is_a_format_error),
        cmocka_unit_test(a_truncated_scene_is_refused),
        cmocka_unit_test(a_missing_band_role_is_named),
        cmocka_unit_test(a_scene_without_crs_is_refused),
        cmocka_unit_test(time_comes_from_options_when_the_file_has_none),
        cmocka_unit_test(a_malformed_time_is_refused),
        cmocka_unit_test(the_pixel_limit_is_enforced),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
