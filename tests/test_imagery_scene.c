/* test_imagery_scene.c — reading scenes through GDAL: roles, nodata, georeferencing, bad files. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cpl_string.h>
#include <gdal.h>
#include <gdal_utils.h>
#include <ogr_srs_api.h>
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


/* ------------------------------------------------------------ helpers */

#define SHARED FG_SOURCE_DIR "/../shared/data"
#define GOES_DIR SHARED "/goes17-night-nofire"
#define GOES_C07 GOES_DIR "/netcdf/OR_ABI-L1b-RadM1-M6C07_G17_s20193351027275_e20193351027344_c20193351027394.nc"
#define GOES_C14 GOES_DIR "/netcdf/OR_ABI-L1b-RadM1-M6C14_G17_s20193351027275_e20193351027332_c20193351027400.nc"

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Writes F32 bands (values from fn(band, row, col)) as a GeoTIFF with the 40x30 UTM grid. */
static void make_tif(const char *path, int nb, const char *const *names, int w, int h,
                     float (*fn)(int, int, int), const char *const *md)
{
    fg_raster r[8];
    const fg_raster *bands[8];
    fg_ctx c = {0};
    for (int b = 0; b < nb; b++) {
        memset(&r[b], 0, sizeof r[b]);
        assert_int_equal(fg_raster_alloc(&r[b], w, h, 1, FG_PIX_F32, 0, &c), FG_OK);
        float *p = r[b].data;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                p[y * w + x] = fn(b, y, x);
        bands[b] = &r[b];
    }
    assert_int_equal(fg_geotiff_write(path, bands, names, nb, GT, 32649, md, &c), FG_OK);
    for (int b = 0; b < nb; b++)
        fg_raster_release(&r[b]);
}

/* ------------------------------------------------------------ netCDF writers */

static void attr_d(GDALMDArrayH a, const char *k, double v, GDALDataType t)
{
    GDALExtendedDataTypeH dt = GDALExtendedDataTypeCreate(t);
    GDALAttributeH at = GDALMDArrayCreateAttribute(a, k, 0, NULL, dt, NULL);
    assert_non_null(at);
    assert_true(GDALAttributeWriteDouble(at, v));
    GDALAttributeRelease(at);
    GDALExtendedDataTypeRelease(dt);
}

static void attr_s(GDALMDArrayH a, GDALGroupH g, const char *k, const char *v)
{
    GDALExtendedDataTypeH dt = GDALExtendedDataTypeCreateString(0);
    GDALAttributeH at = a ? GDALMDArrayCreateAttribute(a, k, 0, NULL, dt, NULL)
                          : GDALGroupCreateAttribute(g, k, 0, NULL, dt, NULL);
    assert_non_null(at);
    assert_true(GDALAttributeWriteString(at, v));
    GDALAttributeRelease(at);
    GDALExtendedDataTypeRelease(dt);
}

static GDALMDArrayH new_var(GDALGroupH g, const char *name, int nd, GDALDimensionH *dims,
                            GDALDataType t)
{
    GDALExtendedDataTypeH dt = GDALExtendedDataTypeCreate(t);
    GDALMDArrayH a = GDALGroupCreateMDArray(g, name, (size_t)nd, dims, dt, NULL);
    GDALExtendedDataTypeRelease(dt);
    assert_non_null(a);
    return a;
}

static void write_var(GDALMDArrayH a, int nd, const size_t *count, const void *buf, GDALDataType t)
{
    GUInt64 start[2] = {0, 0};
    GInt64 step[2] = {1, 1};
    GPtrDiff_t stride[2] = {nd == 2 ? (GPtrDiff_t)count[1] : 1, 1};
    GDALExtendedDataTypeH dt = GDALExtendedDataTypeCreate(t);
    assert_true(GDALMDArrayWrite(a, nd ? start : NULL, nd ? count : NULL, nd ? step : NULL,
                                 nd ? stride : NULL, dt, buf, buf, 1 << 20));
    GDALExtendedDataTypeRelease(dt);
}

static void scalar_var(GDALGroupH g, const char *name, GDALDataType t, double v)
{
    GDALMDArrayH a = new_var(g, name, 0, NULL, t);
    write_var(a, 0, NULL, &v, GDT_Float64);
    GDALMDArrayRelease(a);
}

/* Planck coefficients of GOES-16 ABI channels 7, 14, 15 (from the L1b files' planck_* variables). */
typedef struct abi_coef {
    int ch;
    double fk1, fk2, bc1, bc2;
} abi_coef;
static const abi_coef ABI_COEF[3] = {
    {7, 202263.0, 3698.19, 0.43361, 0.99939},
    {14, 8510.22, 1286.27, 0.22516, 0.99920},
    {15, 6454.62, 1173.03, 0.21702, 0.99934},
};
#define ABI_SCALE(ch) ((ch) == 7 ? 0.0005 : 0.005) /* 16 bits span the band's radiances */
#define ABI_OFFSET (-0.01)
#define ABI_FILL 65535

static double abi_radiance(const abi_coef *k, double t)
{
    return k->fk1 / (exp(k->fk2 / (k->bc1 + k->bc2 * t)) - 1.0);
}

/* The brightness temperature planted at (row, col) of the generated ABI grid. */
static double abi_bt(int ch, int row, int col)
{
    return (ch == 7 ? 285.0 : 270.0) + row * 2.0 + col * 0.5 + (ch == 15 ? -1.5 : 0.0);
}

/* A GOES-like ABI L1b radiance file as NOAA lays it out: Rad (UInt16, scale_factor,
 * add_offset, _FillValue, grid_mapping), x/y in radians, goes_imager_projection,
 * planck_* and band_id scalars, time_coverage_start. The grid (w columns from
 * x = 0.1405 rad, 0.001 rad apart) runs off the Earth's limb at x ≈ 0.1519 rad;
 * off-disc pixels hold the fill value. */
static void write_abi(const char *path, const abi_coef *k, int w, int h)
{
    GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName("netCDF");
    assert_non_null(drv);
    GDALDatasetH ds = GDALCreateMultiDimensional(drv, path, NULL, NULL);
    assert_non_null(ds);
    GDALGroupH g = GDALDatasetGetRootGroup(ds);
    GDALDimensionH dims[2];
    dims[0] = GDALGroupCreateDimension(g, "y", "HORIZONTAL_Y", NULL, (GUInt64)h, NULL);
    dims[1] = GDALGroupCreateDimension(g, "x", "HORIZONTAL_X", NULL, (GUInt64)w, NULL);
    assert_non_null(dims[0]);
    assert_non_null(dims[1]);
    double xs[64], ys[64];
    for (int i = 0; i < w; i++)
        xs[i] = 0.1405 + 0.001 * i;
    for (int j = 0; j < h; j++)
        ys[j] = 0.0035 - 0.001 * j;
    GDALMDArrayH xv = new_var(g, "x", 1, &dims[1], GDT_Float64);
    GDALMDArrayH yv = new_var(g, "y", 1, &dims[0], GDT_Float64);
    size_t cw = (size_t)w, ch = (size_t)h;
    write_var(xv, 1, &cw, xs, GDT_Float64);
    write_var(yv, 1, &ch, ys, GDT_Float64);
    attr_s(xv, NULL, "units", "rad");
    attr_s(xv, NULL, "axis", "X");
    attr_s(xv, NULL, "standard_name", "projection_x_coordinate");
    attr_s(yv, NULL, "units", "rad");
    attr_s(yv, NULL, "axis", "Y");
    attr_s(yv, NULL, "standard_name", "projection_y_coordinate");
    GDALMDArrayH proj = new_var(g, "goes_imager_projection", 0, NULL, GDT_Int32);
    attr_s(proj, NULL, "grid_mapping_name", "geostationary");
    attr_d(proj, "perspective_point_height", 35786023.0, GDT_Float64);
    attr_d(proj, "semi_major_axis", 6378137.0, GDT_Float64);
    attr_d(proj, "semi_minor_axis", 6356752.31414, GDT_Float64);
    attr_d(proj, "inverse_flattening", 298.2572221, GDT_Float64);
    attr_d(proj, "latitude_of_projection_origin", 0.0, GDT_Float64);
    attr_d(proj, "longitude_of_projection_origin", -75.0, GDT_Float64);
    attr_s(proj, NULL, "sweep_angle_axis", "x");
    GDALMDArrayH rad = new_var(g, "Rad", 2, dims, GDT_UInt16);
    attr_d(rad, "scale_factor", ABI_SCALE(k->ch), GDT_Float32);
    attr_d(rad, "add_offset", ABI_OFFSET, GDT_Float32);
    assert_true(GDALMDArraySetNoDataValueAsDouble(rad, ABI_FILL));
    attr_s(rad, NULL, "grid_mapping", "goes_imager_projection");
    attr_s(rad, NULL, "units", "mW m-2 sr-1 (cm-1)-1");
    static unsigned short dn[64 * 64];
    for (int j = 0; j < h; j++)
        for (int i = 0; i < w; i++) {
            double L = abi_radiance(k, abi_bt(k->ch, j, i));
            dn[j * w + i] = xs[i] > 0.1519 ? ABI_FILL
                                           : (unsigned short)lrint((L - ABI_OFFSET) / ABI_SCALE(k->ch));
        }
    size_t cnt[2] = {ch, cw};
    write_var(rad, 2, cnt, dn, GDT_UInt16);
    scalar_var(g, "band_id", GDT_Byte, k->ch);
    scalar_var(g, "planck_fk1", GDT_Float32, k->fk1);
    scalar_var(g, "planck_fk2", GDT_Float32, k->fk2);
    scalar_var(g, "planck_bc1", GDT_Float32, k->bc1);
    scalar_var(g, "planck_bc2", GDT_Float32, k->bc2);
    attr_s(NULL, g, "title", "ABI L1b Radiances");
    attr_s(NULL, g, "Conventions", "CF-1.7");
    attr_s(NULL, g, "platform_ID", "G16");
    attr_s(NULL, g, "instrument_type", "GOES R Series Advanced Baseline Imager");
    attr_s(NULL, g, "time_coverage_start", "2024-01-01T12:00:21.7Z");
    GDALMDArrayRelease(xv);
    GDALMDArrayRelease(yv);
    GDALMDArrayRelease(proj);
    GDALMDArrayRelease(rad);
    GDALDimensionRelease(dims[0]);
    GDALDimensionRelease(dims[1]);
    GDALGroupRelease(g);
    GDALClose(ds);
}

#define ABI_GEN_DIR TMP "/abi"
static const char *abi_name(int ch)
{
    static char buf[3][256];
    int i = ch == 7 ? 0 : ch == 14 ? 1 : 2;
    snprintf(buf[i], sizeof buf[i],
             ABI_GEN_DIR "/OR_ABI-L1b-RadC-M6C%02d_G16_s20240011200217_e20240011202590_c2024001120%d000.nc",
             ch, i);
    return buf[i];
}

static void write_abi_set(int w14, int h14)
{
    mkdir(ABI_GEN_DIR, 0777);
    write_abi(abi_name(7), &ABI_COEF[0], 16, 8);
    write_abi(abi_name(14), &ABI_COEF[1], w14, h14);
    write_abi(abi_name(15), &ABI_COEF[2], 16, 8);
}

/* ------------------------------------------------------------ GOES ABI */

static void a_goes_like_l1b_file_opens_with_planck_brightness_temperatures(void **state)
{
    (void)state;
    write_abi_set(16, 8);
    fg_scene *s = NULL;
    fg_ctx c = {0};
    if (fg_scene_open(abi_name(7), NULL, &s, &c) != FG_OK)
        fail_msg("%s", c.msg);
    assert_string_equal(fg_scene_sensor_def(s)->name, "ABI");
    assert_string_equal(fg_scene_sensor(s), "GOES-16");
    int64_t t;
    assert_int_equal(fg_time_parse("2024-01-01T12:00:21Z", &t), FG_OK);
    assert_true(fg_scene_time(s) == t);
    const fg_raster *m = fg_scene_mir(s), *ti = fg_scene_tir(s),
                    *t2 = fg_scene_band(s, FG_ROLE_TIR2_BT);
    assert_non_null(m);
    assert_non_null(ti);
    assert_non_null(t2);
    assert_int_equal(m->width, 16);
    assert_int_equal(m->height, 8);
    size_t ondisc = 0;
    for (int r = 0; r < 8; r++)
        for (int col = 0; col < 16; col++) {
            double x = 0.1405 + 0.001 * col;
            if (x > 0.1519) {
                assert_true(isnan(FG_F32_AT(m, r, col)));
                assert_true(isnan(FG_F32_AT(ti, r, col)));
                continue;
            }
            ondisc++;
            /* 0.5 DN of quantisation is < 0.06 K at these temperatures */
            assert_float_equal(FG_F32_AT(m, r, col), abi_bt(7, r, col), 0.06);
            assert_float_equal(FG_F32_AT(ti, r, col), abi_bt(14, r, col), 0.06);
            assert_float_equal(FG_F32_AT(t2, r, col), abi_bt(15, r, col), 0.06);
        }
    assert_int_equal(ondisc, 12 * 8);
    assert_int_equal(fg_scene_fill_count(s), 3 * 4 * 8); /* three bands, four columns off disc */
    /* on the disc: a position near the equator, east of the sub-satellite point */
    double lat, lon;
    assert_int_equal(fg_scene_to_wgs84(s, 4.0, 0.5, &lat, &lon, &c), FG_OK);
    assert_true(fabs(lat) < 1.0);
    assert_true(lon > -75.0 && lon < 0.0);
    /* off the disc: no position */
    assert_int_equal(fg_scene_to_wgs84(s, 4.0, 15.5, &lat, &lon, &c), FG_EINVAL);
    assert_non_null(strstr(c.msg, "no position"));
    fg_scene_free(s);

    /* the same scene through the Rad subdataset of another channel's file */
    char conn[600];
    snprintf(conn, sizeof conn, "NETCDF:\"%s\":Rad", abi_name(15));
    assert_int_equal(fg_scene_open(conn, NULL, &s, &c), FG_OK);
    assert_float_equal(FG_F32_AT(fg_scene_mir(s), 2, 3), abi_bt(7, 2, 3), 0.06);
    fg_scene_free(s);
}

static void goes_channels_of_different_sizes_are_refused_naming_both(void **state)
{
    (void)state;
    write_abi_set(12, 8);
    fg_scene *s = NULL;
    fg_ctx c = {0};
    assert_int_equal(fg_scene_open(abi_name(7), NULL, &s, &c), FG_EFORMAT);
    assert_null(s);
    assert_non_null(strstr(c.msg, "different sizes"));
    assert_non_null(strstr(c.msg, "M6C07"));
    assert_non_null(strstr(c.msg, "M6C14"));
    assert_non_null(strstr(c.msg, "16x8"));
    assert_non_null(strstr(c.msg, "12x8"));
}

static void a_goes_file_without_its_tir_sibling_names_the_missing_role(void **state)
{
    (void)state;
    write_abi_set(16, 8);
    assert_int_equal(remove(abi_name(14)), 0);
    fg_scene *s = NULL;
    fg_ctx c = {0};
    assert_int_equal(fg_scene_open(abi_name(7), NULL, &s, &c), FG_ENOTFOUND);
    assert_non_null(strstr(c.msg, "TIR_BT"));
    assert_non_null(strstr(c.msg, "M6C07"));
}

static void a_truncated_goes_file_is_a_format_error(void **state)
{
    (void)state;
    write_abi_set(16, 8);
    mkdir(TMP "/abi_cut", 0777);
    const char *cut = TMP "/abi_cut/OR_ABI-L1b-RadC-M6C07_G16_s20240011200217_e20240011202590_c20240011200000.nc";
    FILE *in = fopen(abi_name(7), "rb"), *out = fopen(cut, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, in);
    fwrite(buf, 1, n / 2, out);
    fclose(in);
    fclose(out);
    fg_scene *s = NULL;
    fg_ctx c = {0};
    assert_int_equal(fg_scene_open(cut, NULL, &s, &c), FG_EFORMAT);
    assert_null(s);
    assert_non_null(strstr(c.msg, "abi_cut"));
}

static void the_real_goes17_night_scene_matches_the_derived_brightness_temperatures(void **state)
{
    (void)state;
    if (!exists(GOES_C07) || !exists(GOES_DIR "/derived/t07_bt_K.f32"))
        skip();
    fg_scene *s = NULL;
    fg_ctx c = {0};
    if (fg_scene_open(GOES_C07, NULL, &s, &c) != FG_OK)
        fail_msg("%s", c.msg);
    assert_string_equal(fg_scene_sensor(s), "GOES-17");
    assert_string_equal(fg_scene_sensor_def(s)->name, "ABI");
    int64_t t;
    assert_int_equal(fg_time_parse("2019-12-01T10:27:27Z", &t), FG_OK);
    assert_true(fg_scene_time(s) == t);
    const fg_raster *m = fg_scene_mir(s), *ti = fg_scene_tir(s);
    assert_int_equal(m->width, 500);
    assert_int_equal(m->height, 500);
    assert_non_null(fg_scene_band(s, FG_ROLE_TIR2_BT));
    GDALDatasetH d7 = GDALOpen(GOES_DIR "/derived/t07_bt_K.f32", GA_ReadOnly);
    GDALDatasetH d14 = GDALOpen(GOES_DIR "/derived/t14_bt_K.f32", GA_ReadOnly);
    GDALDatasetH dla = GDALOpen(GOES_DIR "/derived/lat.f32", GA_ReadOnly);
    GDALDatasetH dlo = GDALOpen(GOES_DIR "/derived/lon.f32", GA_ReadOnly);
    assert_non_null(d7);
    assert_non_null(d14);
    assert_non_null(dla);
    assert_non_null(dlo);
    float *a7 = malloc(500 * 500 * sizeof *a7), *a14 = malloc(500 * 500 * sizeof *a14);
    float *la = malloc(500 * 500 * sizeof *la), *lo = malloc(500 * 500 * sizeof *lo);
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(d7, 1), GF_Read, 0, 0, 500, 500, a7, 500, 500, GDT_Float32, 0, 0), CE_None);
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(d14, 1), GF_Read, 0, 0, 500, 500, a14, 500, 500, GDT_Float32, 0, 0), CE_None);
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(dla, 1), GF_Read, 0, 0, 500, 500, la, 500, 500, GDT_Float32, 0, 0), CE_None);
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(dlo, 1), GF_Read, 0, 0, 500, 500, lo, 500, 500, GDT_Float32, 0, 0), CE_None);
    double maxdiff = 0, maxt7 = 0;
    for (int i = 0; i < 500 * 500; i++) {
        const float *pm = m->data, *pt = ti->data;
        maxdiff = fmax(maxdiff, fabs(pm[i] - a7[i]));
        maxdiff = fmax(maxdiff, fabs(pt[i] - a14[i]));
        maxt7 = fmax(maxt7, pm[i]);
    }
    assert_true(maxdiff < 0.01);
    assert_true(maxt7 < 310.0); /* the data README: no pixel has T07 > 310 K */
    for (int r = 0; r < 500; r += 83)
        for (int col = 0; col < 500; col += 97) {
            double lat, lon;
            assert_int_equal(fg_scene_to_wgs84(s, r + 0.5, col + 0.5, &lat, &lon, &c), FG_OK);
            assert_float_equal(lat, la[r * 500 + col], 0.01);
            assert_float_equal(lon, lo[r * 500 + col], 0.01);
        }
    /* thermal input: night (10:27 UTC over California), geostationary constants, the
     * ground pixel area of this part of the disc (not the nominal 4 km²) */
    fg_thermal_input in;
    fg_thermal_params p;
    assert_int_equal(fg_scene_thermal_input(s, &in, &p, &c), FG_OK);
    assert_int_equal(in.is_day, 0);
    assert_int_equal(p.profile, FG_PROFILE_GEO_2KM);
    assert_float_equal(p.mir_um, 3.9, 1e-9);
    assert_true(p.pixel_km2 > 5.0 && p.pixel_km2 < 9.0);
    assert_ptr_equal(in.mir, m);
    assert_non_null(in.tir2);
    free(a7);
    free(a14);
    free(la);
    free(lo);
    GDALClose(d7);
    GDALClose(d14);
    GDALClose(dla);
    GDALClose(dlo);
    fg_scene_free(s);

    /* a Rad subdataset path opens the same scene */
    assert_int_equal(fg_scene_open("NETCDF:\"" GOES_C14 "\":Rad", NULL, &s, &c), FG_OK);
    assert_int_equal(fg_scene_mir(s)->width, 500);
    fg_scene_free(s);
}

/* ------------------------------------------------------------ geolocation */

static void write_geoloc_vrt(const char *vrt, const char *mir, const char *tir, const char *lon,
                             const char *lat, int w, int h, const char *time)
{
    FILE *f = fopen(vrt, "w");
    assert_non_null(f);
    fprintf(f, "<VRTDataset rasterXSize=\"%d\" rasterYSize=\"%d\">\n", w, h);
    if (time)
        fprintf(f, "  <Metadata><MDI key=\"FG_ACQ_TIME\">%s</MDI></Metadata>\n", time);
    fprintf(f,
            "  <Metadata domain=\"GEOLOCATION\">\n"
            "    <MDI key=\"X_DATASET\">%s</MDI><MDI key=\"X_BAND\">1</MDI>\n"
            "    <MDI key=\"Y_DATASET\">%s</MDI><MDI key=\"Y_BAND\">1</MDI>\n"
            "    <MDI key=\"PIXEL_OFFSET\">0</MDI><MDI key=\"LINE_OFFSET\">0</MDI>\n"
            "    <MDI key=\"PIXEL_STEP\">1</MDI><MDI key=\"LINE_STEP\">1</MDI>\n"
            "    <MDI key=\"GEOREFERENCING_CONVENTION\">PIXEL_CENTER</MDI>\n"
            "    <MDI key=\"SRS\">EPSG:4326</MDI>\n"
            "  </Metadata>\n",
            lon, lat);
    const char *src[2] = {mir, tir}, *role[2] = {"MIR_BT", "TIR_BT"};
    for (int b = 0; b < 2; b++)
        fprintf(f,
                "  <VRTRasterBand dataType=\"Float32\" band=\"%d\"><Description>%s</Description>\n"
                "    <SimpleSource><SourceFilename relativeToVRT=\"0\">%s</SourceFilename>"
                "<SourceBand>1</SourceBand></SimpleSource></VRTRasterBand>\n",
                b + 1, role[b], src[b]);
    fputs("</VRTDataset>\n", f);
    fclose(f);
}

/* A plain raster without georeferencing (GTiff, no CRS), values fn(0, row, col). */
static void write_plain(const char *path, int w, int h, float (*fn)(int, int, int))
{
    GDALAllRegister();
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path, w, h, 1, GDT_Float32, NULL);
    assert_non_null(ds);
    float *buf = malloc((size_t)w * (size_t)h * sizeof *buf);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            buf[y * w + x] = fn(0, y, x);
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, 0, w, h, buf, w, h,
                                  GDT_Float32, 0, 0),
                     CE_None);
    free(buf);
    GDALClose(ds);
}

/* A swath-like grid: longitude 116.0 + 0.01·col + 0.002·row, latitude 40.0 − 0.009·row. */
static float gl_lon(int b, int y, int x) { (void)b; return 116.0f + 0.01f * x + 0.002f * y; }
static float gl_lat(int b, int y, int x) { (void)b; (void)x; return 40.0f - 0.009f * y; }
static float gl_mir(int b, int y, int x) { (void)b; return 300.0f + y + 0.1f * x; }
static float gl_tir(int b, int y, int x) { (void)b; (void)y; (void)x; return 290.0f; }

static void a_vrt_with_geolocation_arrays_is_placed_by_gdal_s_transformer(void **state)
{
    (void)state;
    write_plain(TMP "/gl_lon.tif", 20, 12, gl_lon);
    write_plain(TMP "/gl_lat.tif", 20, 12, gl_lat);
    write_plain(TMP "/gl_mir.tif", 20, 12, gl_mir);
    write_plain(TMP "/gl_tir.tif", 20, 12, gl_tir);
    write_geoloc_vrt(TMP "/gl.vrt", TMP "/gl_mir.tif", TMP "/gl_tir.tif", TMP "/gl_lon.tif",
                     TMP "/gl_lat.tif", 20, 12, "2026-10-15T05:40:00Z");
    fg_scene *s = NULL;
    fg_ctx c = {0};
    if (fg_scene_open(TMP "/gl.vrt", NULL, &s, &c) != FG_OK)
        fail_msg("%s", c.msg);
    /* pixel centres sit on the array values; in between, interpolated */
    double lat, lon;
    assert_int_equal(fg_scene_to_wgs84(s, 3.5, 7.5, &lat, &lon, &c), FG_OK);
    assert_float_equal(lon, 116.0 + 0.07 + 0.006, 1e-4);
    assert_float_equal(lat, 40.0 - 0.027, 1e-4);
    assert_int_equal(fg_scene_to_wgs84(s, 4.0, 8.0, &lat, &lon, &c), FG_OK);
    assert_float_equal(lon, 116.0 + 0.075 + 0.007, 1e-4);
    assert_float_equal(lat, 40.0 - 0.0315, 1e-4);
    assert_int_equal(fg_scene_to_wgs84(s, 50.0, 8.0, &lat, &lon, &c), FG_EINVAL);
    /* ground pixel size from neighbouring positions: 0.01° of longitude at 40°N and
     * the row step (0.002° lon, 0.009° lat) */
    double sx, sy;
    fg_scene_pixel_km(s, &sx, &sy);
    assert_float_equal(sx, 0.01 * 111.195 * cos(39.95 * M_PI / 180), 0.01);
    assert_float_equal(sy, hypot(0.009 * 111.195, 0.002 * 111.195 * cos(39.95 * M_PI / 180)), 0.01);
    /* 0.85 × 1.0 km pixels → the generic 1 km profile */
    assert_int_equal(fg_scene_sensor_def(s)->thermal_profile, FG_PROFILE_MODIS_1KM);
    fg_thermal_input in;
    fg_thermal_params p;
    assert_int_equal(fg_scene_thermal_input(s, &in, &p, &c), FG_OK);
    assert_float_equal(p.pixel_km2, sx * sy, 1e-9);
    /* the written mask carries the same geolocation */
    unsigned char mask[20 * 12];
    for (int i = 0; i < 20 * 12; i++)
        mask[i] = (unsigned char)(i % 10);
    assert_int_equal(fg_scene_write_mask(s, mask, TMP "/gl_mask.tif", &c), FG_OK);
    fg_scene_free(s);
    GDALDatasetH ds = GDALOpen(TMP "/gl_mask.tif", GA_ReadOnly);
    assert_non_null(ds);
    assert_int_equal(GDALGetRasterXSize(ds), 20);
    char **gl = GDALGetMetadata(ds, "GEOLOCATION");
    assert_non_null(CSLFetchNameValue(gl, "X_DATASET"));
    assert_non_null(strstr(CSLFetchNameValue(gl, "X_DATASET"), "gl_lon.tif"));
    unsigned char back[20 * 12];
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, 20, 12, back, 20, 12, GDT_Byte, 0, 0), CE_None);
    assert_memory_equal(back, mask, sizeof mask);
    GDALClose(ds);
}

static void the_derived_goes17_rasters_with_lat_lon_arrays_open_as_a_scene(void **state)
{
    (void)state;
    if (!exists(GOES_DIR "/derived/lat.f32"))
        skip();
    write_geoloc_vrt(TMP "/goes_derived.vrt", GOES_DIR "/derived/t07_bt_K.f32",
                     GOES_DIR "/derived/t14_bt_K.f32", GOES_DIR "/derived/lon.f32",
                     GOES_DIR "/derived/lat.f32", 500, 500, "2019-12-01T10:27:27Z");
    fg_scene *s = NULL;
    fg_ctx c = {0};
    if (fg_scene_open(TMP "/goes_derived.vrt", NULL, &s, &c) != FG_OK)
        fail_msg("%s", c.msg);
    /* values at pixel centres: gdallocationinfo of lat.f32/lon.f32 at (250, 250) */
    double lat, lon;
    assert_int_equal(fg_scene_to_wgs84(s, 250.5, 250.5, &lat, &lon, &c), FG_OK);
    assert_float_equal(lat, 39.03975, 1e-4);
    assert_float_equal(lon, -119.93157, 1e-4);
    /* ABI pixels here (~39°N, 17° east of the sub-satellite point) are larger than 2 km */
    double sx, sy;
    fg_scene_pixel_km(s, &sx, &sy);
    assert_true(sx > 2.0 && sx < 2.6);
    assert_true(sy > 2.7 && sy < 3.4);
    assert_int_equal(fg_scene_sensor_def(s)->thermal_profile, FG_PROFILE_GEO_2KM);
    assert_float_equal(FG_F32_AT(fg_scene_mir(s), 250, 250), 222.702, 1e-3);
    fg_scene_free(s);
}

/* ------------------------------------------------------------ profiles, fill, masks */

/* Stack: I4 BT, I5 BT, MVCM (0 cloudy … 3 clear), I1 and I3 reflectance in percent. */
static float stack_fn(int b, int y, int x)
{
    switch (b) {
    case 0: return 300.0f + (float)x;
    case 1: return 290.0f;
    case 2: return (float)((x + y) % 4);
    case 3: return 12.5f;
    default: return 20.0f;
    }
}

static void a_band_map_from_the_sensor_profile_scales_and_interprets_the_cloud_mask(void **state)
{
    (void)state;
    const char *names[5] = {"i04", "i05", "mvcm", "i01", "i03"};
    const char *const md[] = {"TIFFTAG_DATETIME=2023:08:29 09:36:00", NULL};
    make_tif(TMP "/stack.tif", 5, names, 40, 30, stack_fn, md);
    fg_scene *s = NULL;
    fg_ctx c = {0};
    /* without a profile no band has a role */
    assert_int_equal(fg_scene_open(TMP "/stack.tif", NULL, &s, &c), FG_ENOTFOUND);
    assert_non_null(strstr(c.msg, "MIR_BT"));
    fg_scene_opts o = {.sensor = "viirs-belarus-tiff"};
    if (fg_scene_open(TMP "/stack.tif", &o, &s, &c) != FG_OK)
        fail_msg("%s", c.msg);
    assert_string_equal(fg_scene_sensor_def(s)->name, "VIIRS-I-STACK");
    int64_t t;
    assert_int_equal(fg_time_parse("2023-08-29T09:36:00Z", &t), FG_OK);
    assert_true(fg_scene_time(s) == t);
    assert_float_equal(FG_F32_AT(fg_scene_mir(s), 3, 5), 305.0, 1e-4);
    assert_float_equal(FG_F32_AT(fg_scene_band(s, FG_ROLE_RED_REF), 3, 5), 0.125, 1e-6);
    assert_float_equal(FG_F32_AT(fg_scene_band(s, FG_ROLE_SWIR1_REF), 3, 5), 0.20, 1e-6);
    assert_null(fg_scene_band(s, FG_ROLE_NIR_REF));
    const fg_raster *cl = fg_scene_cloud(s);
    assert_non_null(cl);
    assert_int_equal(cl->type, FG_PIX_U8);
    const unsigned char *cp = cl->data;
    for (int y = 0; y < 30; y++)
        for (int x = 0; x < 40; x++)
            assert_int_equal(cp[y * 40 + x], (x + y) % 4 <= 1); /* MVCM 0, 1 = cloud */
    fg_thermal_input in;
    fg_thermal_params p;
    assert_int_equal(fg_scene_thermal_input(s, &in, &p, &c), FG_OK);
    assert_int_equal(p.profile, FG_PROFILE_VIIRS_375M);
    assert_float_equal(p.mir_um, 3.74, 1e-9);
    assert_float_equal(p.wooster_a, 3.24e-9, 1e-15);
    assert_float_equal(p.t4_saturation, 367.0, 1e-4);
    assert_float_equal(p.pixel_km2, 1.0, 1e-9); /* this scene's 1 km pixels, not 0.14 km² */
    assert_ptr_equal(in.cloud, cl);
    assert_non_null(in.red);
    assert_non_null(in.swir1);
    assert_false(fg_scene_is_swir(s));
    fg_scene_free(s);
    /* an unknown --sensor is an error naming it and the file */
    fg_scene_opts bad = {.sensor = "AVHRR"};
    assert_int_equal(fg_scene_open(TMP "/stack.tif", &bad, &s, &c), FG_ENOTFOUND);
    assert_non_null(strstr(c.msg, "AVHRR"));
    assert_non_null(strstr(c.msg, "stack.tif"));
}

/* Band 1: plausible BT except fill and absurd values; band 2 constant. */
static float fill_fn(int b, int y, int x)
{
    if (b == 1)
        return 290.0f;
    if (y == 0 && x == 0)
        return -9999.0f; /* nodata */
    if (y == 0 && x == 1)
        return 0.0f;     /* 0 K */
    if (y == 0 && x == 2)
        return 10000.0f; /* 10 000 K */
    if (y == 0 && x == 3)
        return INFINITY;
    if (y == 0 && x == 4)
        return 367.0f;   /* saturated I4: kept */
    return 300.0f;
}

static void fill_inf_and_implausible_temperatures_become_nan_and_are_counted(void **state)
{
    (void)state;
    make_tif(TMP "/fill.tif", 2, (const char *[]){"MIR_BT", "TIR_BT"}, 40, 30, fill_fn, MD);
    GDALDatasetH ds = GDALOpen(TMP "/fill.tif", GA_Update);
    assert_non_null(ds);
    CPLPushErrorHandler(CPLQuietErrorHandler); /* GeoTIFF keeps one nodata for all bands */
    GDALSetRasterNoDataValue(GDALGetRasterBand(ds, 1), -9999.0);
    CPLPopErrorHandler();
    GDALClose(ds);
    fg_scene *s = NULL;
    fg_ctx c = {0};
    assert_int_equal(fg_scene_open(TMP "/fill.tif", NULL, &s, &c), FG_OK);
    const fg_raster *m = fg_scene_mir(s);
    for (int x = 0; x < 4; x++)
        assert_true(isnan(FG_F32_AT(m, 0, x)));
    assert_float_equal(FG_F32_AT(m, 0, 4), 367.0, 0);
    assert_float_equal(FG_F32_AT(m, 0, 5), 300.0, 0);
    assert_int_equal(fg_scene_fill_count(s), 4);
    fg_scene_free(s);
}

static float swir_fn(int b, int y, int x) { (void)y; (void)x; return 0.05f * (float)(b + 1); }

static void a_six_band_landsat_stack_is_a_swir_scene(void **state)
{
    (void)state;
    const char *names[6] = {"b2", "b3", "b4", "b5", "b6", "b7"};
    const char *const md[] = {"FG_ACQ_TIME=2026-10-15T03:00:00Z", "FG_SENSOR=LANDSAT-OLI-B2-7", NULL};
    make_tif(TMP "/oli.tif", 6, names, 40, 30, swir_fn, md);
    fg_scene *s = NULL;
    fg_ctx c = {0};
    if (fg_scene_open(TMP "/oli.tif", NULL, &s, &c) != FG_OK)
        fail_msg("%s", c.msg);
    assert_true(fg_scene_is_swir(s));
    assert_null(fg_scene_mir(s));
    assert_string_equal(fg_scene_sensor(s), "LANDSAT-OLI-B2-7");
    fg_swir_input in;
    assert_int_equal(fg_scene_swir_input(s, &in, &c), FG_OK);
    assert_null(in.coastal);
    assert_float_equal(FG_F32_AT(in.blue, 1, 1), 0.05, 1e-6);
    assert_float_equal(FG_F32_AT(in.nir, 1, 1), 0.20, 1e-6);
    assert_float_equal(FG_F32_AT(in.swir2, 1, 1), 0.30, 1e-6);
    assert_float_equal(in.saturation, 1.64, 1e-6);
    fg_thermal_input ti;
    fg_thermal_params p;
    assert_int_equal(fg_scene_thermal_input(s, &ti, &p, &c), FG_ENOTFOUND);
    fg_scene_free(s);
}

static void the_real_landsat_bands_stack_through_a_vrt(void **state)
{
    (void)state;
    const char *b[6] = {SHARED "/landsat8-savanna/band2.tif", SHARED "/landsat8-savanna/band3.tif",
                        SHARED "/landsat8-savanna/band4.tif", SHARED "/landsat8-savanna/band5.tif",
                        SHARED "/landsat8-savanna/band6.tif", SHARED "/landsat8-savanna/band7.tif"};
    if (!exists(b[5]))
        skip();
    char *argv[] = {"-separate", NULL};
    GDALBuildVRTOptions *vo = GDALBuildVRTOptionsNew(argv, NULL);
    GDALDatasetH v = GDALBuildVRT(TMP "/oli_real.vrt", 6, NULL, b, vo, NULL);
    GDALBuildVRTOptionsFree(vo);
    assert_non_null(v);
    GDALClose(v);
    fg_scene *s = NULL;
    fg_ctx c = {0};
    fg_scene_opts o = {.sensor = "LANDSAT-OLI-B2-7", .time_utc = 1500000000};
    if (fg_scene_open(TMP "/oli_real.vrt", &o, &s, &c) != FG_OK)
        fail_msg("%s", c.msg);
    assert_true(fg_scene_is_swir(s));
    const fg_raster *r7 = fg_scene_band(s, FG_ROLE_SWIR2_REF);
    assert_int_equal(r7->width, 375);
    assert_int_equal(r7->height, 385);
    /* the data README: 5 pixels of band 7 at the 1.64 saturation value */
    int sat = 0;
    for (int i = 0; i < 375 * 385; i++)
        sat += fabsf(((const float *)r7->data)[i] - 1.64f) < 1e-3f;
    assert_int_equal(sat, 5);
    double sx, sy;
    fg_scene_pixel_km(s, &sx, &sy);
    assert_float_equal(sx, 0.03, 1e-9);
    fg_scene_free(s);
}

static void day_and_night_come_from_time_and_the_scene_centre_or_a_zenith_band(void **state)
{
    (void)state;
    /* the 40x30 km scene lies at ~39.6°N 111.2°E (UTC+7.4 h solar) */
    static const struct { const char *t; int day; } cases[] = {
        {"2026-10-15T05:40:00Z", 1}, /* local noon */
        {"2026-10-15T18:00:00Z", 0}, /* local 01:25 */
        {"2026-06-21T22:00:00Z", 1}, /* 05:25 local, midsummer sunrise */
        {"2026-12-21T23:00:00Z", 0}, /* 06:25 local, midwinter before dawn */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char item[64];
        snprintf(item, sizeof item, "FG_ACQ_TIME=%s", cases[i].t);
        const char *const md[] = {item, NULL};
        make_scene(TMP "/dn.tif", "MIR_BT", "TIR_BT", md);
        fg_scene *s = NULL;
        fg_ctx c = {0};
        assert_int_equal(fg_scene_open(TMP "/dn.tif", NULL, &s, &c), FG_OK);
        fg_thermal_input in;
        fg_thermal_params p;
        assert_int_equal(fg_scene_thermal_input(s, &in, &p, &c), FG_OK);
        if (in.is_day != cases[i].day)
            fail_msg("%s: is_day %d", cases[i].t, in.is_day);
        assert_int_equal(p.profile, FG_PROFILE_MODIS_1KM); /* 1 km pixels, FG_SENSOR unknown */
        fg_scene_free(s);
    }
    const char *names[3] = {"MIR_BT", "TIR_BT", "SOLAR_ZENITH"};
    make_tif(TMP "/sza.tif", 3, names, 40, 30, stack_fn, MD);
    fg_scene *s = NULL;
    fg_ctx c = {0};
    assert_int_equal(fg_scene_open(TMP "/sza.tif", NULL, &s, &c), FG_OK);
    fg_thermal_input in;
    fg_thermal_params p;
    assert_int_equal(fg_scene_thermal_input(s, &in, &p, &c), FG_OK);
    assert_int_equal(in.is_day, -1);
    assert_non_null(in.solar_zenith);
    fg_scene_free(s);
}

static void a_written_mask_has_the_scene_s_grid_and_crs(void **state)
{
    (void)state;
    fg_scene *s = NULL;
    fg_ctx c = {0};
    assert_int_equal(fg_scene_open(TMP "/good.tif", NULL, &s, &c), FG_OK);
    unsigned char mask[40 * 30];
    for (int i = 0; i < 40 * 30; i++)
        mask[i] = (unsigned char)(i % 7 == 0 ? FG_MASK_FIRE_HIGH : FG_MASK_LAND);
    assert_int_equal(fg_scene_write_mask(s, mask, TMP "/mask.tif", &c), FG_OK);
    assert_int_equal(fg_scene_write_mask(s, mask, TMP "/no/such/dir/mask.tif", &c), FG_EIO);
    assert_non_null(strstr(c.msg, "mask.tif"));
    fg_scene_free(s);
    GDALDatasetH ds = GDALOpen(TMP "/mask.tif", GA_ReadOnly);
    assert_non_null(ds);
    double gt[6];
    assert_int_equal(GDALGetGeoTransform(ds, gt), CE_None);
    for (int i = 0; i < 6; i++)
        assert_float_equal(gt[i], GT[i], 1e-9);
    const char *auth = OSRGetAuthorityCode(GDALGetSpatialRef(ds), NULL);
    assert_non_null(auth);
    assert_string_equal(auth, "32649");
    assert_int_equal(GDALGetRasterDataType(GDALGetRasterBand(ds, 1)), GDT_Byte);
    unsigned char back[40 * 30];
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, 40, 30, back, 40, 30, GDT_Byte, 0, 0), CE_None);
    assert_memory_equal(back, mask, sizeof mask);
    GDALClose(ds);
}

/* ------------------------------------------------------------ netCDF subdatasets */

/* A CF netCDF on a regular lat/lon grid with variables named by role. */
static void write_nc_roles(const char *path, int w_tir)
{
    GDALAllRegister();
    GDALDatasetH ds = GDALCreateMultiDimensional(GDALGetDriverByName("netCDF"), path, NULL, NULL);
    assert_non_null(ds);
    GDALGroupH g = GDALDatasetGetRootGroup(ds);
    GDALDimensionH d[3];
    d[0] = GDALGroupCreateDimension(g, "lat", "HORIZONTAL_Y", NULL, 10, NULL);
    d[1] = GDALGroupCreateDimension(g, "lon", "HORIZONTAL_X", NULL, 12, NULL);
    d[2] = GDALGroupCreateDimension(g, "lon2", "HORIZONTAL_X", NULL, (GUInt64)w_tir, NULL);
    double la[10], lo[64];
    for (int i = 0; i < 10; i++)
        la[i] = 39.5 - 0.01 * i;
    for (int i = 0; i < 64; i++)
        lo[i] = 111.0 + 0.01 * i;
    GDALMDArrayH vla = new_var(g, "lat", 1, &d[0], GDT_Float64);
    GDALMDArrayH vlo = new_var(g, "lon", 1, &d[1], GDT_Float64);
    size_t n10 = 10, n12 = 12, nw = (size_t)w_tir;
    write_var(vla, 1, &n10, la, GDT_Float64);
    write_var(vlo, 1, &n12, lo, GDT_Float64);
    attr_s(vla, NULL, "units", "degrees_north");
    attr_s(vla, NULL, "standard_name", "latitude");
    attr_s(vlo, NULL, "units", "degrees_east");
    attr_s(vlo, NULL, "standard_name", "longitude");
    GDALMDArrayH vlo2 = NULL;
    if (w_tir != 12) {
        vlo2 = new_var(g, "lon2", 1, &d[2], GDT_Float64);
        write_var(vlo2, 1, &nw, lo, GDT_Float64);
        attr_s(vlo2, NULL, "units", "degrees_east");
        attr_s(vlo2, NULL, "standard_name", "longitude");
    }
    GDALDimensionH dm[2] = {d[0], d[1]}, dt[2] = {d[0], w_tir != 12 ? d[2] : d[1]};
    GDALMDArrayH m = new_var(g, "MIR_BT", 2, dm, GDT_Float32);
    GDALMDArrayH t = new_var(g, "TIR_BT", 2, dt, GDT_Float32);
    float bm[10 * 12], bt[10 * 64];
    for (int i = 0; i < 10 * 12; i++)
        bm[i] = 310.0f;
    for (int i = 0; i < 10 * w_tir; i++)
        bt[i] = 295.0f;
    size_t cm[2] = {10, 12}, ct[2] = {10, (size_t)w_tir};
    write_var(m, 2, cm, bm, GDT_Float32);
    write_var(t, 2, ct, bt, GDT_Float32);
    attr_s(NULL, g, "Conventions", "CF-1.7");
    attr_s(NULL, g, "FG_ACQ_TIME", "2026-10-15T05:40:00Z");
    GDALMDArrayRelease(m);
    GDALMDArrayRelease(t);
    GDALMDArrayRelease(vla);
    GDALMDArrayRelease(vlo);
    if (vlo2)
        GDALMDArrayRelease(vlo2);
    for (int i = 0; i < 3; i++)
        GDALDimensionRelease(d[i]);
    GDALGroupRelease(g);
    GDALClose(ds);
}

static void a_netcdf_file_is_read_through_its_subdatasets(void **state)
{
    (void)state;
    write_nc_roles(TMP "/roles.nc", 12);
    fg_scene *s = NULL;
    fg_ctx c = {0};
    if (fg_scene_open(TMP "/roles.nc", NULL, &s, &c) != FG_OK)
        fail_msg("%s", c.msg);
    assert_int_equal(fg_scene_mir(s)->width, 12);
    assert_int_equal(fg_scene_mir(s)->height, 10);
    assert_float_equal(FG_F32_AT(fg_scene_mir(s), 2, 2), 310.0, 0);
    assert_float_equal(FG_F32_AT(fg_scene_tir(s), 2, 2), 295.0, 0);
    double lat, lon;
    assert_int_equal(fg_scene_to_wgs84(s, 0.5, 0.5, &lat, &lon, &c), FG_OK);
    assert_float_equal(lat, 39.5, 1e-6);
    assert_float_equal(lon, 111.0, 1e-6);
    fg_scene_free(s);
    /* one subdataset alone lacks the other role */
    assert_int_equal(fg_scene_open("NETCDF:\"" TMP "/roles.nc\":MIR_BT", NULL, &s, &c), FG_ENOTFOUND);
    assert_non_null(strstr(c.msg, "TIR_BT"));
    /* subdatasets of different sizes */
    write_nc_roles(TMP "/roles2.nc", 14);
    assert_int_equal(fg_scene_open(TMP "/roles2.nc", NULL, &s, &c), FG_EFORMAT);
    assert_non_null(strstr(c.msg, "MIR_BT"));
    assert_non_null(strstr(c.msg, "TIR_BT"));
    assert_non_null(strstr(c.msg, "14x10"));
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
        cmocka_unit_test(a_goes_like_l1b_file_opens_with_planck_brightness_temperatures),
        cmocka_unit_test(goes_channels_of_different_sizes_are_refused_naming_both),
        cmocka_unit_test(a_goes_file_without_its_tir_sibling_names_the_missing_role),
        cmocka_unit_test(a_truncated_goes_file_is_a_format_error),
        cmocka_unit_test(the_real_goes17_night_scene_matches_the_derived_brightness_temperatures),
        cmocka_unit_test(a_vrt_with_geolocation_arrays_is_placed_by_gdal_s_transformer),
        cmocka_unit_test(the_derived_goes17_rasters_with_lat_lon_arrays_open_as_a_scene),
        cmocka_unit_test(a_band_map_from_the_sensor_profile_scales_and_interprets_the_cloud_mask),
        cmocka_unit_test(fill_inf_and_implausible_temperatures_become_nan_and_are_counted),
        cmocka_unit_test(a_six_band_landsat_stack_is_a_swir_scene),
        cmocka_unit_test(the_real_landsat_bands_stack_through_a_vrt),
        cmocka_unit_test(day_and_night_come_from_time_and_the_scene_centre_or_a_zenith_band),
        cmocka_unit_test(a_written_mask_has_the_scene_s_grid_and_crs),
        cmocka_unit_test(a_netcdf_file_is_read_through_its_subdatasets),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
