/* test_alerts_firms.c — FIRMS-style fire pixel lists (CSV/GeoJSON through OGR) and `firegrid detect-sat`. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fg_test.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "alerts/alerts.h"

#define TMP FG_TEST_TMPDIR
#define SC TMP "/scenes"
#define SENSOR "VIIRS-I"

/* The generated thermal scene: UTM 49N (EPSG:32649), 375 m pixels, night over the sample
 * county (02:30 Beijing time). */
#define SCN_W 160
#define SCN_H 160
#define SCN_X0 560000.0
#define SCN_Y0 4370000.0
#define SCN_PX 375.0
#define SCN_EPSG 32649
#define SCN_TIME "2026-10-15T18:30:00Z"

/* Fires: one single-pixel fire and one 2-pixel fire (same fire_id), well above the
 * night absolute threshold (T4 > 320 K, Schroeder et al. 2014) and below I4 saturation. */
static const struct {
    int row, col;
    float t4, t11;
} g_fires[] = {{40, 50, 345.0f, 295.0f}, {100, 110, 340.0f, 293.0f}, {100, 111, 338.0f, 292.5f}};
#define NFIRES (sizeof g_fires / sizeof g_fires[0])

/* ------------------------------------------------------------- helpers */

static char *must_slurp(const char *path)
{
    char *b = slurp(path, NULL);
    if (!b)
        fail_msg("cannot read %s", path);
    return b;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Hidden entries (our temporaries are ".<stem>.tmp<pid><ext>") left in dir. */
static int hidden_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* A parsed CSV: header names and rows of cells (no quoting in our test data). */
#define MAXCOL 32
#define MAXROW 64
typedef struct csv {
    char *buf;
    int ncol, nrow;
    char *head[MAXCOL];
    char *cell[MAXROW][MAXCOL];
} csv;

static int split(char *line, char **cells)
{
    int n = 0;
    cells[n++] = line;
    for (char *p = line; *p; p++)
        if (*p == ',') {
            *p = '\0';
            if (n < MAXCOL)
                cells[n++] = p + 1;
        }
    return n;
}

static void csv_read(const char *path, csv *c)
{
    memset(c, 0, sizeof *c);
    c->buf = must_slurp(path);
    char *save = NULL;
    char *line = strtok_r(c->buf, "\n", &save);
    assert_non_null(line);
    c->ncol = split(line, c->head);
    while ((line = strtok_r(NULL, "\n", &save)) && c->nrow < MAXROW) {
        int k = split(line, c->cell[c->nrow]);
        assert_int_equal(k, c->ncol);
        c->nrow++;
    }
}

static int col_of(const csv *c, const char *name)
{
    for (int i = 0; i < c->ncol; i++)
        if (strcmp(c->head[i], name) == 0)
            return i;
    fail_msg("no column %s", name);
    return -1;
}

static const char *cell(const csv *c, int row, const char *name)
{
    return c->cell[row][col_of(c, name)];
}

/* ---------------------------------------------------------- fixtures */

static fg_firms_row make_row(double lat, double lon, int row, int col)
{
    fg_firms_row r;
    memset(&r, 0, sizeof r);
    r.lat = lat;
    r.lon = lon;
    r.row = row;
    r.col = col;
    r.bright_mir_k = 345.004f;
    r.bright_tir_k = 290.0f;
    r.scan_km = 0.39f;
    r.track_km = 0.36f;
    assert_int_equal(fg_time_parse(SCN_TIME, &r.time_utc), FG_OK);
    snprintf(r.satellite, sizeof r.satellite, "VIIRS-I");
    r.confidence = 85;
    r.frp_mw = 12.34f;
    r.frp_c5_mw = NAN;
    r.is_day = 0;
    r.fire_id = 1;
    r.npix_fire = 1;
    r.mask_class = FG_MASK_FIRE_HIGH;
    r.tests = FG_TEST_POTENTIAL | FG_TEST_ABSOLUTE;
    snprintf(r.scene, sizeof r.scene, "a.tif");
    return r;
}

static float bg_t4(int r, int c) { return 290.0f + 1.5f * sinf(0.11f * (float)r) * cosf(0.07f * (float)c); }
static float bg_t11(int r, int c) { return 288.0f + 1.0f * cosf(0.05f * (float)(r + c)); }

static void write_scene(const char *path, int with_tir, int with_fires)
{
    fg_raster mir, tir;
    fg_ctx ctx = {0};
    assert_int_equal(fg_raster_alloc(&mir, SCN_W, SCN_H, 1, FG_PIX_F32, 0, &ctx), FG_OK);
    assert_int_equal(fg_raster_alloc(&tir, SCN_W, SCN_H, 1, FG_PIX_F32, 0, &ctx), FG_OK);
    float *m = mir.data, *t = tir.data;
    for (int r = 0; r < SCN_H; r++)
        for (int c = 0; c < SCN_W; c++) {
            m[r * SCN_W + c] = bg_t4(r, c);
            t[r * SCN_W + c] = bg_t11(r, c);
        }
    for (size_t i = 0; with_fires && i < NFIRES; i++) {
        m[g_fires[i].row * SCN_W + g_fires[i].col] = g_fires[i].t4;
        t[g_fires[i].row * SCN_W + g_fires[i].col] = g_fires[i].t11;
    }
    const fg_raster *bands[2] = {&mir, &tir};
    const char *names[2] = {"MIR_BT", "TIR_BT"};
    const char *md[] = {"FG_ACQ_TIME=" SCN_TIME, "FG_SENSOR=" SENSOR, NULL};
    double gt[6] = {SCN_X0, SCN_PX, 0, SCN_Y0, 0, -SCN_PX};
    int rc = fg_geotiff_write(path, bands, names, with_tir ? 2 : 1, gt, SCN_EPSG, md, &ctx);
    if (rc != FG_OK)
        fail_msg("%s", ctx.msg);
    fg_raster_release(&mir);
    fg_raster_release(&tir);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* The first `keep` bytes of src into dst: a truncated download. */
static void write_truncated(const char *src, const char *dst, size_t keep)
{
    size_t len = 0;
    char *b = slurp(src, &len);
    assert_non_null(b);
    assert_true(len > keep);
    FILE *f = fopen(dst, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, keep, f), keep);
    assert_int_equal(fclose(f), 0);
    free(b);
}

static int group_setup(void **state)
{
    (void)state;
    GDALAllRegister();
    if (sh("rm -rf '" TMP "' && mkdir -p '" SC "'") != 0)
        return -1;
    write_scene(SC "/good.tif", 1, 1);
    write_scene(SC "/good2.tif", 1, 1);
    write_scene(SC "/nofire.tif", 1, 0);
    write_scene(SC "/missing.tif", 0, 1);
    write_text(SC "/bad.tif", "this is a text file, not a GeoTIFF\n");
    write_truncated(SC "/good.tif", SC "/truncated.tif", 2000);
    return 0;
}

/* ================================================================ writer */

static void csv_header_is_the_firms_column_list_without_bom(void **state)
{
    (void)state;
    fg_ctx ctx = {0};
    assert_int_equal(fg_firms_write(TMP "/empty.csv", "CSV", NULL, 0, &ctx), FG_OK);
    char *b = must_slurp(TMP "/empty.csv");
    assert_string_equal(b, FG_FIRMS_HEADER "\n");
    free(b);
}

static void csv_row_has_stable_number_formats_and_empty_unknowns(void **state)
{
    (void)state;
    fg_firms_row r[2] = {make_row(39.123456, 111.5, 3, 4), make_row(-0.000001, 111.0, 5, 6)};
    r[1].confidence = 20;
    r[1].is_day = 1;
    r[1].bright_mir_k = NAN;
    r[1].frp_mw = NAN;
    r[1].frp_c5_mw = 7.25f;
    fg_ctx ctx = {0};
    assert_int_equal(fg_firms_write(TMP "/rows.csv", "CSV", r, 2, &ctx), FG_OK);
    char *b = must_slurp(TMP "/rows.csv");
    assert_string_equal(b, FG_FIRMS_HEADER "\n"
                           "39.12346,111.50000,3,4,345.00,290.00,0.39,0.36,2026-10-15,1830,VIIRS-I,"
                           "85,high,12.3,N,1,,1,9,3,a.tif\n"
                           "0.00000,111.00000,5,6,,290.00,0.39,0.36,2026-10-15,1830,VIIRS-I,"
                           "20,low,,D,1,7.2,1,9,3,a.tif\n");
    free(b);
}

static void csv_quotes_a_scene_path_holding_a_comma(void **state)
{
    (void)state;
    fg_firms_row r = make_row(39.0, 111.0, 0, 0);
    snprintf(r.scene, sizeof r.scene, "a,b.tif");
    fg_ctx ctx = {0};
    assert_int_equal(fg_firms_write(TMP "/comma.csv", NULL, &r, 1, &ctx), FG_OK);
    char *b = must_slurp(TMP "/comma.csv");
    assert_non_null(strstr(b, ",\"a,b.tif\"\n"));
    free(b);
}

static void unknown_time_leaves_date_and_time_empty(void **state)
{
    (void)state;
    fg_firms_row r = make_row(39.0, 111.0, 0, 0);
    r.time_utc = 0;
    fg_ctx ctx = {0};
    assert_int_equal(fg_firms_write(TMP "/notime.csv", "csv", &r, 1, &ctx), FG_OK);
    csv c;
    csv_read(TMP "/notime.csv", &c);
    assert_int_equal(c.nrow, 1);
    assert_string_equal(cell(&c, 0, "acq_date"), "");
    assert_string_equal(cell(&c, 0, "acq_time"), "");
    free(c.buf);
}

static void geojson_reopens_with_ogr_as_typed_points_in_wgs84(void **state)
{
    (void)state;
    fg_firms_row r[2] = {make_row(39.123456, 111.5, 3, 4), make_row(39.2, 111.6, 3, 5)};
    r[1].fire_id = 1;
    r[0].npix_fire = r[1].npix_fire = 2;
    fg_ctx ctx = {0};
    assert_int_equal(fg_firms_write(TMP "/rows.geojson", NULL, r, 2, &ctx), FG_OK);
    GDALDatasetH ds = GDALOpenEx(TMP "/rows.geojson", GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    assert_non_null(lyr);
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), 2);
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
    assert_non_null(srs);
    const char *auth = OSRGetAuthorityCode(srs, NULL);
    assert_non_null(auth);
    assert_string_equal(auth, "4326");
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, OGR_FD_GetFieldIndex(defn, "latitude"))),
                     OFTReal);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(defn, OGR_FD_GetFieldIndex(defn, "fire_id"))),
                     OFTInteger);
    OGR_L_ResetReading(lyr);
    OGRFeatureH f = OGR_L_GetNextFeature(lyr);
    assert_non_null(f);
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    assert_non_null(g);
    assert_int_equal(wkbFlatten(OGR_G_GetGeometryType(g)), wkbPoint);
    assert_float_equal(OGR_G_GetX(g, 0), 111.5, 1e-9);
    assert_float_equal(OGR_G_GetY(g, 0), 39.12346, 1e-9);
    assert_float_equal(OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "latitude")), 39.12346, 1e-9);
    assert_float_equal(OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "bright_mir")), 345.0, 1e-9);
    assert_float_equal(OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "frp")), 12.3, 1e-9);
    assert_string_equal(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "acq_time")), "1830");
    /* OGR's reader types the date column itself; the file holds FIRMS's spelling */
    char *text = must_slurp(TMP "/rows.geojson");
    assert_non_null(strstr(text, "\"acq_date\": \"2026-10-15\""));
    free(text);
    assert_string_equal(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "daynight")), "N");
    assert_int_equal(OGR_F_GetFieldAsInteger(f, OGR_F_GetFieldIndex(f, "npix_fire")), 2);
    assert_true(OGR_F_IsFieldNull(f, OGR_F_GetFieldIndex(f, "frp_c5")));
    OGR_F_Destroy(f);
    GDALClose(ds);
}

static void writing_leaves_no_temporary_files(void **state)
{
    (void)state;
    assert_int_equal(sh("rm -rf '" TMP "/clean' && mkdir -p '" TMP "/clean'"), 0);
    fg_firms_row r = make_row(39.0, 111.0, 1, 2);
    fg_ctx ctx = {0};
    assert_int_equal(fg_firms_write(TMP "/clean/a.csv", "CSV", &r, 1, &ctx), FG_OK);
    assert_int_equal(fg_firms_write(TMP "/clean/a.geojson", "GeoJSON", &r, 1, &ctx), FG_OK);
    assert_int_equal(fg_firms_write(TMP "/clean/none/b.csv", "CSV", &r, 1, &ctx), FG_EIO);
    assert_int_equal(hidden_files(TMP "/clean"), 0);
    assert_true(exists(TMP "/clean/a.csv"));
    assert_true(exists(TMP "/clean/a.geojson"));
}

static void rewriting_the_same_rows_gives_the_same_bytes(void **state)
{
    (void)state;
    fg_firms_row r[3] = {make_row(39.1, 111.1, 1, 2), make_row(39.2, 111.2, 3, 4),
                         make_row(39.3, 111.3, 5, 6)};
    static const char *const fmts[] = {"CSV", "GeoJSON"};
    for (int k = 0; k < 2; k++) {
        fg_ctx ctx = {0};
        char a[512], b[512];
        snprintf(a, sizeof a, TMP "/same_a.%s", fmts[k]);
        snprintf(b, sizeof b, TMP "/same_b.%s", fmts[k]);
        assert_int_equal(fg_firms_write(a, fmts[k], r, 3, &ctx), FG_OK);
        assert_int_equal(fg_firms_write(b, fmts[k], r, 3, &ctx), FG_OK);
        size_t la = 0, lb = 0;
        char *x = slurp(a, &la), *y = slurp(b, &lb);
        assert_non_null(x);
        assert_non_null(y);
        assert_int_equal(la, lb);
        assert_memory_equal(x, y, la);
        /* overwrite in place: still the same bytes */
        assert_int_equal(fg_firms_write(a, fmts[k], r, 3, &ctx), FG_OK);
        char *z = slurp(a, &la);
        assert_non_null(z);
        assert_int_equal(la, lb);
        assert_memory_equal(z, y, la);
        free(x);
        free(y);
        free(z);
    }
}

static void unwritable_path_fails_with_eio_naming_it(void **state)
{
    (void)state;
    write_text(TMP "/plainfile", "x");
    fg_firms_row r = make_row(39.0, 111.0, 1, 2);
    fg_ctx ctx = {0};
    assert_int_equal(fg_firms_write(TMP "/plainfile/out.csv", "CSV", &r, 1, &ctx), FG_EIO);
    assert_non_null(strstr(ctx.msg, TMP "/plainfile/out.csv"));
    fg_ctx_clear(&ctx);
    assert_int_equal(fg_firms_write(TMP "/plainfile/out.geojson", NULL, &r, 1, &ctx), FG_EIO);
    assert_non_null(strstr(ctx.msg, "out.geojson"));
}

static void failed_write_leaves_the_old_file_untouched(void **state)
{
    (void)state;
    fg_firms_row r = make_row(39.0, 111.0, 1, 2);
    fg_ctx ctx = {0};
    assert_int_equal(fg_firms_write(TMP "/keep.csv", "CSV", &r, 1, &ctx), FG_OK);
    char *before = must_slurp(TMP "/keep.csv");
    assert_int_equal(fg_firms_write(TMP "/keep.csv", "KML", &r, 1, &ctx), FG_EINVAL);
    char *after = must_slurp(TMP "/keep.csv");
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void output_format_comes_from_the_name_or_the_extension(void **state)
{
    (void)state;
    static const struct {
        const char *name, *path;
        int rc;
        const char *want;
    } cases[] = {
        {NULL, "out.csv", FG_OK, "CSV"},
        {NULL, "out.geojson", FG_OK, "GeoJSON"},
        {NULL, "OUT.JSON", FG_OK, "GeoJSON"},
        {NULL, "-", FG_OK, "CSV"},
        {NULL, "dir.geojson/out", FG_OK, "CSV"},
        {NULL, "out", FG_OK, "CSV"},
        {"GeoJSON", "out.csv", FG_OK, "GeoJSON"},
        {"geojson", "-", FG_OK, "GeoJSON"},
        {"csv", "out.geojson", FG_OK, "CSV"},
        {"KML", "out.kml", FG_EINVAL, NULL},
        {"", "out.csv", FG_EINVAL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[16] = "";
        fg_ctx ctx = {0};
        int rc = fg_firms_format(cases[i].name, cases[i].path, out, sizeof out, &ctx);
        assert_int_equal(rc, cases[i].rc);
        if (rc == FG_OK)
            assert_string_equal(out, cases[i].want);
        else
            assert_non_null(strstr(ctx.msg, cases[i].name));
    }
}

static void scene_with_an_unknown_algorithm_is_refused_before_opening(void **state)
{
    (void)state;
    fg_firms_list l = {0};
    fg_firms_opts o = {0};
    o.algorithm = "giglio2099";
    fg_ctx ctx = {0};
    assert_int_equal(fg_firms_scene(SC "/good.tif", &o, NULL, &l, NULL, &ctx), FG_EINVAL);
    assert_non_null(strstr(ctx.msg, "giglio2099"));
    assert_int_equal(l.n, 0);
    assert_false(fg_firms_algorithm_known("giglio2099"));
    assert_true(fg_firms_algorithm_known("kumar-roy2018"));
    assert_true(fg_firms_algorithm_known("viirs"));
}

static void missing_scene_file_fails_naming_it_and_leaves_the_list(void **state)
{
    (void)state;
    fg_firms_list l = {0};
    fg_ctx ctx = {0};
    assert_true(fg_firms_scene(SC "/nope.tif", NULL, NULL, &l, NULL, &ctx) < 0);
    assert_non_null(strstr(ctx.msg, "nope.tif"));
    assert_int_equal(l.n, 0);
    assert_null(l.rows);
}

static void thermal_scene_gives_one_row_per_fire_pixel_in_row_col_order(void **state)
{
    (void)state;
    fg_firms_list l = {0};
    fg_firms_opts o = {0};
    o.sensor = SENSOR;
    fg_firms_scene_info info;
    fg_ctx ctx = {0};
    int rc = fg_firms_scene(SC "/good.tif", &o, NULL, &l, &info, &ctx);
    if (rc != FG_OK)
        fail_msg("%s", ctx.msg);
    assert_int_equal(info.swir, 0);
    assert_int_equal(info.width, SCN_W);
    assert_int_equal(info.height, SCN_H);
    assert_int_equal(l.n, NFIRES);
    assert_int_equal(info.npix, NFIRES);
    assert_int_equal(info.nfires, 2);
    for (size_t i = 0; i < NFIRES; i++) {
        assert_int_equal(l.rows[i].row, g_fires[i].row);
        assert_int_equal(l.rows[i].col, g_fires[i].col);
        assert_float_equal(l.rows[i].bright_mir_k, g_fires[i].t4, 1e-3);
        assert_int_equal(l.rows[i].is_day, 0);
        assert_string_equal(l.rows[i].scene, SC "/good.tif");
        assert_true(l.rows[i].mask_class >= FG_MASK_FIRE_LOW &&
                    l.rows[i].mask_class <= FG_MASK_FIRE_HIGH);
    }
    assert_int_equal(l.rows[0].fire_id, 1);
    assert_int_equal(l.rows[0].npix_fire, 1);
    assert_int_equal(l.rows[1].fire_id, 2);
    assert_int_equal(l.rows[2].fire_id, 2);
    assert_int_equal(l.rows[2].npix_fire, 2);
    /* a second scene appends after the first */
    assert_int_equal(fg_firms_scene(SC "/good2.tif", &o, NULL, &l, NULL, &ctx), FG_OK);
    assert_int_equal(l.n, 2 * NFIRES);
    assert_string_equal(l.rows[NFIRES].scene, SC "/good2.tif");
    assert_int_equal(l.rows[NFIRES].fire_id, 1);
    fg_firms_list_free(&l);
    fg_firms_list_free(&l); /* a freed list stays safe to free */
}

static void thermal_algorithm_of_a_swir_family_is_refused_for_the_scene(void **state)
{
    (void)state;
    fg_firms_list l = {0};
    fg_firms_opts o = {0};
    o.sensor = SENSOR;
    o.algorithm = "schroeder2016";
    fg_ctx ctx = {0};
    assert_int_equal(fg_firms_scene(SC "/good.tif", &o, NULL, &l, NULL, &ctx), FG_EINVAL);
    assert_non_null(strstr(ctx.msg, "good.tif"));
    assert_non_null(strstr(ctx.msg, "schroeder2016"));
    assert_int_equal(l.n, 0);
}

/* ================================================================ CLI */

static void expected_latlon(int row, int col, double *lat, double *lon)
{
    OGRSpatialReferenceH utm = OSRNewSpatialReference(NULL), wgs = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(utm, SCN_EPSG), OGRERR_NONE);
    assert_int_equal(OSRImportFromEPSG(wgs, 4326), OGRERR_NONE);
    OSRSetAxisMappingStrategy(utm, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(utm, wgs);
    assert_non_null(ct);
    double x = SCN_X0 + (col + 0.5) * SCN_PX, y = SCN_Y0 - (row + 0.5) * SCN_PX;
    assert_true(OCTTransform(ct, 1, &x, &y, NULL));
    *lon = x;
    *lat = y;
    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(utm);
    OSRDestroySpatialReference(wgs);
}

static void cli_csv_lists_each_fire_pixel_with_firms_columns(void **state)
{
    (void)state;
    assert_int_equal(sh("'%s' detect-sat -q --sensor " SENSOR " -o '" TMP "/one.csv' '" SC
                        "/good.tif'",
                        FG_BINARY),
                     FG_EXIT_OK);
    csv c;
    csv_read(TMP "/one.csv", &c);
    static const char *const required[] = {
        "latitude", "longitude", "row", "col", "bright_mir", "bright_tir", "scan", "track",
        "acq_date", "acq_time", "satellite", "confidence", "confidence_class", "frp",
        "daynight", "fire_id"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        assert_string_equal(c.head[i], required[i]);
    assert_int_equal(c.nrow, NFIRES);
    for (int i = 0; i < c.nrow; i++) {
        assert_int_equal(atoi(cell(&c, i, "row")), g_fires[i].row);
        assert_int_equal(atoi(cell(&c, i, "col")), g_fires[i].col);
        double lat, lon;
        expected_latlon(g_fires[i].row, g_fires[i].col, &lat, &lon);
        assert_float_equal(strtod(cell(&c, i, "latitude"), NULL), lat, 6e-6);
        assert_float_equal(strtod(cell(&c, i, "longitude"), NULL), lon, 6e-6);
        assert_float_equal(strtod(cell(&c, i, "bright_mir"), NULL), g_fires[i].t4, 0.006);
        assert_float_equal(strtod(cell(&c, i, "bright_tir"), NULL), g_fires[i].t11, 0.006);
        assert_float_equal(strtod(cell(&c, i, "scan"), NULL), 0.375, 0.006);
        assert_float_equal(strtod(cell(&c, i, "track"), NULL), 0.375, 0.006);
        assert_string_equal(cell(&c, i, "acq_date"), "2026-10-15");
        assert_string_equal(cell(&c, i, "acq_time"), "1830");
        assert_string_equal(cell(&c, i, "daynight"), "N");
        assert_true(strlen(cell(&c, i, "satellite")) > 0);
        int conf = atoi(cell(&c, i, "confidence"));
        assert_true(conf >= 0 && conf <= 100);
        assert_string_equal(cell(&c, i, "confidence_class"),
                            fg_conf_class_name(fg_conf_class_of(conf)));
        assert_true(strtod(cell(&c, i, "frp"), NULL) > 0.0);
    }
    /* the two adjacent pixels are one fire; the lone pixel another */
    assert_string_equal(cell(&c, 0, "fire_id"), "1");
    assert_string_equal(cell(&c, 1, "fire_id"), "2");
    assert_string_equal(cell(&c, 2, "fire_id"), "2");
    assert_string_equal(cell(&c, 0, "npix_fire"), "1");
    assert_string_equal(cell(&c, 2, "npix_fire"), "2");
    free(c.buf);
    assert_int_equal(hidden_files(TMP), 0);
}

static void cli_standard_output_gives_the_same_bytes_as_a_file(void **state)
{
    (void)state;
    assert_int_equal(sh("'%s' detect-sat -q --sensor " SENSOR " -o '" TMP "/file.csv' '" SC
                        "/good.tif'",
                        FG_BINARY),
                     FG_EXIT_OK);
    assert_int_equal(sh("'%s' detect-sat -q --sensor " SENSOR " '" SC "/good.tif' > '" TMP
                        "/stdout.csv'",
                        FG_BINARY),
                     FG_EXIT_OK);
    size_t la = 0, lb = 0;
    char *a = slurp(TMP "/file.csv", &la), *b = slurp(TMP "/stdout.csv", &lb);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    free(a);
    free(b);
}

static void cli_bad_scenes_are_named_and_skipped_with_exit_3(void **state)
{
    (void)state;
    int st = sh("'%s' detect-sat -q --sensor " SENSOR " -o '" TMP "/partial.csv' '" SC
                "/good.tif' '" SC "/missing.tif' '" SC "/bad.tif' '" SC "/truncated.tif' '" SC
                "/good2.tif' 2>'" TMP "/partial.err'",
                FG_BINARY);
    assert_int_equal(st, FG_EXIT_PARTIAL);
    char *err = must_slurp(TMP "/partial.err");
    assert_non_null(strstr(err, "missing.tif"));
    assert_non_null(strstr(err, "TIR_BT"));
    assert_non_null(strstr(err, "bad.tif"));
    assert_non_null(strstr(err, "truncated.tif"));
    assert_null(strstr(err, "good.tif"));
    free(err);
    csv c;
    csv_read(TMP "/partial.csv", &c);
    assert_int_equal(c.nrow, 2 * NFIRES);
    /* scene order, then (row, col); fire_id restarts per scene */
    assert_string_equal(cell(&c, 0, "scene"), SC "/good.tif");
    assert_string_equal(cell(&c, NFIRES, "scene"), SC "/good2.tif");
    assert_string_equal(cell(&c, NFIRES, "fire_id"), "1");
    free(c.buf);
}

static void cli_writes_to_a_device_in_place(void **state)
{
    (void)state;
    assert_int_equal(sh("'%s' detect-sat -q --sensor " SENSOR " -o /dev/null '" SC "/good.tif'",
                        FG_BINARY),
                     FG_EXIT_OK);
    assert_int_equal(sh("'%s' detect-sat -q --sensor " SENSOR " -o /dev/stdout '" SC
                        "/good.tif' | grep -c ',VIIRS-I,' > '" TMP "/devcount.txt'",
                        FG_BINARY),
                     0);
    char *b = must_slurp(TMP "/devcount.txt");
    assert_int_equal(atoi(b), (int)NFIRES);
    free(b);
}

static void cli_all_scenes_bad_fails_with_exit_1_and_writes_nothing(void **state)
{
    (void)state;
    remove(TMP "/none.csv");
    int st = sh("'%s' detect-sat -q -o '" TMP "/none.csv' '" SC "/missing.tif' '" SC
                "/bad.tif' 2>/dev/null",
                FG_BINARY);
    assert_int_equal(st, FG_EXIT_FAILED);
    assert_false(exists(TMP "/none.csv"));
}

static void cli_unwritable_output_fails_with_exit_1(void **state)
{
    (void)state;
    write_text(TMP "/plainfile", "x");
    int st = sh("'%s' detect-sat -q --sensor " SENSOR " -o '" TMP "/plainfile/o.csv' '" SC
                "/good.tif' 2>'" TMP "/unwritable.err'",
                FG_BINARY);
    assert_int_equal(st, FG_EXIT_FAILED);
    char *err = must_slurp(TMP "/unwritable.err");
    assert_non_null(strstr(err, "plainfile/o.csv"));
    free(err);
}

static void cli_bad_command_lines_exit_2_naming_the_problem(void **state)
{
    (void)state;
    static const struct {
        const char *args, *want;
    } cases[] = {
        {"--bogus " SC "/good.tif", "--bogus"},
        {"-of KML " SC "/good.tif", "KML"},
        {"--algorithm giglio2099 " SC "/good.tif", "giglio2099"},
        {"--time yesterday " SC "/good.tif", "yesterday"},
        {"--threads many " SC "/good.tif", "many"},
        {"--sensor NOSUCHSAT " SC "/good.tif", "NOSUCHSAT"},
        {"-o", "-o"},
        {"-q", "no scene"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int st = sh("'%s' detect-sat %s 2>'" TMP "/usage.err' >/dev/null", FG_BINARY,
                    cases[i].args);
        assert_int_equal(st, FG_EXIT_USAGE);
        char *err = must_slurp(TMP "/usage.err");
        if (!strstr(err, cases[i].want))
            fail_msg("'%s': stderr lacks '%s': %s", cases[i].args, cases[i].want, err);
        free(err);
    }
}

static void cli_geojson_output_reopens_with_ogr(void **state)
{
    (void)state;
    assert_int_equal(sh("'%s' detect-sat -q --sensor " SENSOR " -of GeoJSON -o '" TMP
                        "/one.json' '" SC "/good.tif'",
                        FG_BINARY),
                     FG_EXIT_OK);
    GDALDatasetH ds = GDALOpenEx(TMP "/one.json", GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), NFIRES);
    OGR_L_ResetReading(lyr);
    int k = 0;
    for (OGRFeatureH f; (f = OGR_L_GetNextFeature(lyr)); k++) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        assert_non_null(g);
        assert_float_equal(OGR_G_GetY(g, 0),
                           OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "latitude")), 1e-9);
        assert_int_equal(OGR_F_GetFieldAsInteger(f, OGR_F_GetFieldIndex(f, "row")),
                         g_fires[k].row);
        OGR_F_Destroy(f);
    }
    assert_int_equal(k, NFIRES);
    GDALClose(ds);
}

static void cli_output_is_identical_at_1_and_2_threads(void **state)
{
    (void)state;
    static const char *const fmts[] = {"CSV", "GeoJSON"};
    for (int k = 0; k < 2; k++) {
        char a[512], b[512];
        snprintf(a, sizeof a, TMP "/t1.%s", fmts[k]);
        snprintf(b, sizeof b, TMP "/t2.%s", fmts[k]);
        assert_int_equal(sh("'%s' detect-sat -q --threads 1 --sensor " SENSOR
                            " -of %s -o '%s' '" SC "/good.tif' '" SC "/good2.tif'",
                            FG_BINARY, fmts[k], a),
                         FG_EXIT_OK);
        assert_int_equal(sh("'%s' detect-sat -q --threads 2 --sensor " SENSOR
                            " -of %s -o '%s' '" SC "/good.tif' '" SC "/good2.tif'",
                            FG_BINARY, fmts[k], b),
                         FG_EXIT_OK);
        size_t la = 0, lb = 0;
        char *x = slurp(a, &la), *y = slurp(b, &lb);
        assert_non_null(x);
        assert_non_null(y);
        assert_int_equal(la, lb);
        assert_memory_equal(x, y, la);
        free(x);
        free(y);
    }
}

/* The mask must overlay the scene pixel for pixel. */
static void check_mask(const char *mask, const char *scene, int fires)
{
    GDALDatasetH m = GDALOpen(mask, GA_ReadOnly), s = GDALOpen(scene, GA_ReadOnly);
    assert_non_null(m);
    assert_non_null(s);
    assert_int_equal(GDALGetRasterXSize(m), GDALGetRasterXSize(s));
    assert_int_equal(GDALGetRasterYSize(m), GDALGetRasterYSize(s));
    assert_int_equal(GDALGetRasterCount(m), 1);
    GDALRasterBandH b = GDALGetRasterBand(m, 1);
    assert_int_equal(GDALGetRasterDataType(b), GDT_Byte);
    double gm[6], gs[6];
    assert_int_equal(GDALGetGeoTransform(m, gm), CE_None);
    assert_int_equal(GDALGetGeoTransform(s, gs), CE_None);
    for (int i = 0; i < 6; i++)
        assert_float_equal(gm[i], gs[i], 1e-9);
    const char *wm = GDALGetProjectionRef(m), *ws = GDALGetProjectionRef(s);
    OGRSpatialReferenceH rm = OSRNewSpatialReference(wm), rs = OSRNewSpatialReference(ws);
    assert_true(OSRIsSame(rm, rs));
    OSRDestroySpatialReference(rm);
    OSRDestroySpatialReference(rs);
    unsigned char *px = malloc((size_t)SCN_W * SCN_H);
    assert_non_null(px);
    assert_int_equal(GDALRasterIO(b, GF_Read, 0, 0, SCN_W, SCN_H, px, SCN_W, SCN_H, GDT_Byte, 0, 0),
                     CE_None);
    size_t nfire = 0;
    for (size_t i = 0; i < (size_t)SCN_W * SCN_H; i++)
        nfire += px[i] >= FG_MASK_FIRE_LOW && px[i] <= FG_MASK_FIRE_HIGH;
    assert_int_equal(nfire, fires ? NFIRES : 0);
    for (size_t i = 0; fires && i < NFIRES; i++) {
        unsigned char v = px[g_fires[i].row * SCN_W + g_fires[i].col];
        assert_true(v >= FG_MASK_FIRE_LOW && v <= FG_MASK_FIRE_HIGH);
    }
    /* clear night land far from the fires */
    assert_int_equal(px[130 * SCN_W + 20], FG_MASK_LAND);
    free(px);
    GDALClose(m);
    GDALClose(s);
}

static void cli_mask_is_aligned_with_the_scene_and_holds_classes(void **state)
{
    (void)state;
    remove(TMP "/mask.tif");
    assert_int_equal(sh("'%s' detect-sat -q --sensor " SENSOR " --mask '" TMP "/mask.tif' -o '" TMP
                        "/m.csv' '" SC "/good.tif'",
                        FG_BINARY),
                     FG_EXIT_OK);
    check_mask(TMP "/mask.tif", SC "/good.tif", 1);
    assert_int_equal(hidden_files(TMP), 0);
}

static void cli_mask_with_several_scenes_goes_to_a_folder(void **state)
{
    (void)state;
    assert_int_equal(sh("rm -rf '" TMP "/masks'"), 0);
    int st = sh("'%s' detect-sat -q --sensor " SENSOR " --mask '" TMP "/masks' -o '" TMP
                "/ms.csv' '" SC "/good.tif' '" SC "/bad.tif' '" SC "/nofire.tif' 2>/dev/null",
                FG_BINARY);
    assert_int_equal(st, FG_EXIT_PARTIAL);
    check_mask(TMP "/masks/good_mask.tif", SC "/good.tif", 1);
    check_mask(TMP "/masks/nofire_mask.tif", SC "/nofire.tif", 0);
    assert_false(exists(TMP "/masks/bad_mask.tif"));
    assert_int_equal(hidden_files(TMP "/masks"), 0);
    /* a .tif name with several scenes is a usage error, not a folder named x.tif */
    st = sh("'%s' detect-sat -q --mask '" TMP "/x.tif' '" SC "/good.tif' '" SC
            "/good2.tif' 2>'" TMP "/mask.err'",
            FG_BINARY);
    assert_int_equal(st, FG_EXIT_USAGE);
    assert_false(exists(TMP "/x.tif"));
    /* two scenes whose masks would collide are refused before any work */
    assert_int_equal(sh("mkdir -p '" TMP "/other' && cp '" SC "/good.tif' '" TMP "/other/good.tif'"),
                     0);
    st = sh("'%s' detect-sat -q --mask '" TMP "/masks2' '" SC "/good.tif' '" TMP
            "/other/good.tif' 2>'" TMP "/mask.err'",
            FG_BINARY);
    assert_int_equal(st, FG_EXIT_USAGE);
    char *err = must_slurp(TMP "/mask.err");
    assert_non_null(strstr(err, "good_mask.tif"));
    free(err);
}

static void cli_help_lists_detect_sat_and_its_options(void **state)
{
    (void)state;
    assert_int_equal(sh("'%s' help > '" TMP "/help.txt'", FG_BINARY), 0);
    char *h = must_slurp(TMP "/help.txt");
    assert_non_null(strstr(h, "detect-sat"));
    free(h);
    assert_int_equal(sh("'%s' help detect-sat > '" TMP "/help.txt'", FG_BINARY), 0);
    h = must_slurp(TMP "/help.txt");
    static const char *const opts[] = {"--sensor", "--algorithm", "--time", "-o FILE", "-of",
                                       "--mask", "--threads", "exit status"};
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        assert_non_null(strstr(h, opts[i]));
    assert_true(count_lines(h) > 10);
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_header_is_the_firms_column_list_without_bom),
        cmocka_unit_test(csv_row_has_stable_number_formats_and_empty_unknowns),
        cmocka_unit_test(csv_quotes_a_scene_path_holding_a_comma),
        cmocka_unit_test(unknown_time_leaves_date_and_time_empty),
        cmocka_unit_test(geojson_reopens_with_ogr_as_typed_points_in_wgs84),
        cmocka_unit_test(writing_leaves_no_temporary_files),
        cmocka_unit_test(rewriting_the_same_rows_gives_the_same_bytes),
        cmocka_unit_test(unwritable_path_fails_with_eio_naming_it),
        cmocka_unit_test(failed_write_leaves_the_old_file_untouched),
        cmocka_unit_test(output_format_comes_from_the_name_or_the_extension),
        cmocka_unit_test(scene_with_an_unknown_algorithm_is_refused_before_opening),
        cmocka_unit_test(missing_scene_file_fails_naming_it_and_leaves_the_list),
        cmocka_unit_test(thermal_scene_gives_one_row_per_fire_pixel_in_row_col_order),
        cmocka_unit_test(thermal_algorithm_of_a_swir_family_is_refused_for_the_scene),
        cmocka_unit_test(cli_csv_lists_each_fire_pixel_with_firms_columns),
        cmocka_unit_test(cli_standard_output_gives_the_same_bytes_as_a_file),
        cmocka_unit_test(cli_bad_scenes_are_named_and_skipped_with_exit_3),
        cmocka_unit_test(cli_writes_to_a_device_in_place),
        cmocka_unit_test(cli_all_scenes_bad_fails_with_exit_1_and_writes_nothing),
        cmocka_unit_test(cli_unwritable_output_fails_with_exit_1),
        cmocka_unit_test(cli_bad_command_lines_exit_2_naming_the_problem),
        cmocka_unit_test(cli_geojson_output_reopens_with_ogr),
        cmocka_unit_test(cli_output_is_identical_at_1_and_2_threads),
        cmocka_unit_test(cli_mask_is_aligned_with_the_scene_and_holds_classes),
        cmocka_unit_test(cli_mask_with_several_scenes_goes_to_a_folder),
        cmocka_unit_test(cli_help_lists_detect_sat_and_its_options),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
