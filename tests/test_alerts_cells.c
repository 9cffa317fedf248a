/* test_alerts_cells.c — UTM zones, grid cell ids, and the county's cells written through OGR. */
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
#include <sys/wait.h>

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "alerts/alerts.h"
#include "alerts/grid_int.h"

#define TMP FG_TEST_TMPDIR
#define SAMPLE TMP "/sample_county.geojson"

static fg_grid *g_sample;

static int setup(void **state)
{
    (void)state;
    mkdir(TMP, 0755);
    GDALAllRegister();
    fg_ctx ctx = {0};
    if (fg_sample_county_write(SAMPLE, &ctx) != FG_OK ||
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
    return 0;
}

/* WGS84 ↔ UTM zone 49N through OGR/PROJ, for reference values. */
static OGRCoordinateTransformationH make_ct(int from, int to)
{
    OGRSpatialReferenceH a = OSRNewSpatialReference(NULL), b = OSRNewSpatialReference(NULL);
    assert_int_equal(OSRImportFromEPSG(a, from), OGRERR_NONE);
    assert_int_equal(OSRImportFromEPSG(b, to), OGRERR_NONE);
    OSRSetAxisMappingStrategy(a, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(b, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(a, b);
    assert_non_null(ct);
    OSRDestroySpatialReference(a);
    OSRDestroySpatialReference(b);
    return ct;
}

/* ------------------------------------------------------------ UTM zones */

typedef struct zone_case {
    double lat, lon;
    int epsg;
} zone_case;

static void utm_zone_follows_the_6_degree_grid_and_its_exceptions(void **state)
{
    (void)state;
    static const zone_case cases[] = {
        {39.44, 111.68, 32649},        /* the sample county */
        {39.4, 108.0, 32649},          /* zone 49 is 108..114°E */
        {39.4, 107.999, 32648},
        {39.4, 114.0, 32650},
        {-33.86, 151.21, 32756},       /* Sydney: south */
        {0.0, 0.0, 32631},             /* the equator counts as north */
        {60.0, 5.0, 32632},            /* south-west Norway widens zone 32 */
        {60.0, 2.9, 32631},
        {78.0, 15.0, 32633},           /* Svalbard */
        {78.0, 8.0, 32631},
        {39.4, 180.0, 32660},
        {39.4, -180.0, 32601},
        {39.4, 471.68, 32649},         /* longitudes wrap */
        {NAN, 111.0, 0},
        {95.0, 111.0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = fg_utm_epsg(cases[i].lat, cases[i].lon);
        if (got != cases[i].epsg)
            fail_msg("case %zu (%.3f, %.3f): EPSG %d, expected %d", i, cases[i].lat,
                     cases[i].lon, got, cases[i].epsg);
    }
}

/* ------------------------------------------------------------- cell ids */

typedef struct id_case {
    double size;
    const char *id;
} id_case;

/* Ids for one UTM point (412345.6 E, 4367890.1 N, zone 49N) at several sizes: the
 * corner is printed in km with as many decimals as it needs, so 500 m and 250 m
 * cells never collide with 1 km ones. */
static void cell_id_names_the_south_west_corner_in_km(void **state)
{
    (void)state;
    OGRCoordinateTransformationH ct = make_ct(32649, 4326);
    double x = 412345.6, y = 4367890.1;
    assert_true(OCTTransform(ct, 1, &x, &y, NULL));
    OCTDestroyCoordinateTransformation(ct);
    static const id_case cases[] = {
        {1000, "1000m-E412-N4367"},     {3000, "3000m-E411-N4365"},
        {500, "500m-E412-N4367.5"},     {250, "250m-E412.25-N4367.75"},
        {100, "100m-E412.3-N4367.8"},   {10, "10m-E412.34-N4367.89"},
        {2000, "2000m-E412-N4366"},     {100000, "100000m-E400-N4300"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char id[48];
        assert_int_equal(fg_cell_id(y, x, cases[i].size, 32649, id, sizeof id), FG_OK);
        if (strcmp(id, cases[i].id) != 0)
            fail_msg("size %.0f: %s, expected %s", cases[i].size, id, cases[i].id);
    }
    /* utm_epsg 0: the point's own zone (49 here) */
    char id[48];
    assert_int_equal(fg_cell_id(y, x, 1000, 0, id, sizeof id), FG_OK);
    assert_string_equal(id, "1000m-E412-N4367");
}

/* Our Krüger-series projection must put every point in the same cell as PROJ does:
 * 2 000 points over the county and out to the zone's edges, 100 m cells. */
static void cell_id_agrees_with_proj_over_the_zone(void **state)
{
    (void)state;
    OGRCoordinateTransformationH ct = make_ct(4326, 32649);
    unsigned s = 12345;
    int mismatches = 0;
    double worst = 0;
    for (int k = 0; k < 2000; k++) {
        s = s * 1103515245u + 12345u;
        double u = (s >> 8) / 16777216.0;
        s = s * 1103515245u + 12345u;
        double v = (s >> 8) / 16777216.0;
        /* half inside the county, half over the whole zone 108..114°E, 20..50°N */
        double lat = k % 2 ? FG_SAMPLE_SOUTH + u * (FG_SAMPLE_NORTH - FG_SAMPLE_SOUTH)
                           : 20.0 + 30.0 * u;
        double lon = k % 2 ? FG_SAMPLE_WEST + v * (FG_SAMPLE_EAST - FG_SAMPLE_WEST)
                           : 108.0 + 6.0 * v;
        double x = lon, y = lat;
        assert_true(OCTTransform(ct, 1, &x, &y, NULL));
        double fx = x / 100.0 - floor(x / 100.0), fy = y / 100.0 - floor(y / 100.0);
        /* a point within 1 mm of a cell edge may fall either way; skip it */
        if (fmin(fx, 1 - fx) < 1e-5 || fmin(fy, 1 - fy) < 1e-5)
            continue;
        char got[48];
        assert_int_equal(fg_cell_id(lat, lon, 100, 32649, got, sizeof got), FG_OK);
        char e[24], nn[24];
        assert_int_equal(sscanf(got, "100m-E%23[^-]-N%23s", e, nn), 2);
        double de = fabs(atof(e) * 1000 - floor(x / 100.0) * 100);
        double dn = fabs(atof(nn) * 1000 - floor(y / 100.0) * 100);
        worst = fmax(worst, fmax(de, dn));
        mismatches += de > 1e-6 || dn > 1e-6;
    }
    OCTDestroyCoordinateTransformation(ct);
    print_message("cell corners: worst difference from PROJ %.3g m\n", worst);
    assert_int_equal(mismatches, 0);
}

static void cell_id_rejects_bad_arguments(void **state)
{
    (void)state;
    char id[48];
    assert_int_equal(fg_cell_id(39.4, 111.6, 0, 32649, id, sizeof id), FG_EINVAL);
    assert_int_equal(fg_cell_id(39.4, 111.6, 5, 32649, id, sizeof id), FG_EINVAL);
    assert_int_equal(fg_cell_id(39.4, 111.6, 1000.5, 32649, id, sizeof id), FG_EINVAL);
    assert_int_equal(fg_cell_id(39.4, 111.6, 200000, 32649, id, sizeof id), FG_EINVAL);
    assert_int_equal(fg_cell_id(NAN, 111.6, 1000, 32649, id, sizeof id), FG_EINVAL);
    assert_int_equal(fg_cell_id(85.0, 111.6, 1000, 32649, id, sizeof id), FG_EINVAL);
    assert_int_equal(fg_cell_id(39.4, 111.6, 1000, 4326, id, sizeof id), FG_EINVAL);
    assert_int_equal(fg_cell_id(39.4, 111.6, 1000, 32649, id, 8), FG_EINVAL); /* too small */
    assert_int_equal(fg_cell_id(39.4, 111.6, 1000, 32649, NULL, 48), FG_EINVAL);
}

/* ---------------------------------------------------------- cells written */

typedef struct cells_read {
    size_t n;
    double area_km2;
    int bad_fields, id_mismatch, dup_ids;
} cells_read;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a written cells file back through OGR and checks every feature. */
static cells_read read_cells(const char *path, double size, const char *f_tc, const char *f_vc)
{
    cells_read r = {0};
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    if (!ds)
        fail_msg("cannot open %s", path);
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(lyr);
    int fid = OGR_FD_GetFieldIndex(d, "cell_id"), ftc = OGR_FD_GetFieldIndex(d, f_tc),
        fvc = OGR_FD_GetFieldIndex(d, f_vc), fcy = OGR_FD_GetFieldIndex(d, "code_year"),
        fa = OGR_FD_GetFieldIndex(d, "area_km2");
    assert_true(fid >= 0 && ftc >= 0 && fvc >= 0 && fcy >= 0 && fa >= 0);
    char **ids = calloc(20000, sizeof *ids);
    assert_non_null(ids);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
        const char *id = OGR_F_GetFieldAsString(f, fid);
        const char *tc = OGR_F_GetFieldAsString(f, ftc);
        const char *vc = OGR_F_GetFieldAsString(f, fvc);
        if (strlen(tc) != 9 || strlen(vc) != 12 || strncmp(tc, vc, 9) != 0 ||
            OGR_F_GetFieldAsInteger(f, fcy) != 2023)
            r.bad_fields++;
        double a = OGR_F_GetFieldAsDouble(f, fa);
        r.area_km2 += a;
        if (r.n < 20000)
            ids[r.n] = strdup(id);
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        OGRGeometryH p = g ? OGR_G_PointOnSurface(g) : NULL;
        if (!p) {
            r.bad_fields++;
        } else {
            char cid[48];
            if (fg_cell_id(OGR_G_GetY(p, 0), OGR_G_GetX(p, 0), size, 32649, cid, sizeof cid) !=
                    FG_OK ||
                strcmp(cid, id) != 0)
                r.id_mismatch++;
            OGR_G_DestroyGeometry(p);
        }
        OGR_F_Destroy(f);
        r.n++;
    }
    GDALClose(ds);
    size_t m = r.n < 20000 ? r.n : 20000;
    qsort(ids, m, sizeof *ids, cmp_str);
    for (size_t i = 1; i < m; i++)
        r.dup_ids += strcmp(ids[i], ids[i - 1]) == 0;
    for (size_t i = 0; i < m; i++)
        free(ids[i]);
    free(ids);
    return r;
}

/* The sample county's area, from its own polygons in UTM 49N. */
static double county_area_km2(void)
{
    OGRCoordinateTransformationH ct = make_ct(4326, 32649);
    double sum = 0;
    for (size_t i = 0; i < fg_grid_unit_count(g_sample); i++) {
        fg_grid_unit u;
        assert_int_equal(fg_grid_unit_get(g_sample, i, &u), FG_OK);
        OGRGeometryH g = OGR_G_Clone(u.geom);
        OGR_G_Segmentize(g, 0.0005); /* parallels are curves in UTM */
        assert_int_equal(OGR_G_Transform(g, ct), OGRERR_NONE);
        sum += OGR_G_Area(g);
        OGR_G_DestroyGeometry(g);
    }
    OCTDestroyCoordinateTransformation(ct);
    return sum / 1e6;
}

static int ogrinfo_opens(const char *path)
{
    if (system("command -v ogrinfo > /dev/null 2>&1") != 0)
        return -1;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "ogrinfo -ro -so -q '%s' > /dev/null 2>&1", path);
    return system(cmd) == 0;
}

static void no_temporaries_left(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".tmp"))
            fail_msg("temporary left behind: %s/%s", dir, e->d_name);
    closedir(d);
}

/* 1 km cells of the sample county as GeoPackage: they tile the county exactly (areas
 * add up to the county's), ids are unique and name the cell a point inside them
 * falls in, every cell carries a township, village and code year, and the counts
 * per township add up. */
static void sample_county_1km_cells_tile_the_county(void **state)
{
    (void)state;
    const char *path = TMP "/cells_1km.gpkg";
    size_t nt = fg_grid_township_count(g_sample), town[16] = {0}, total = 0;
    fg_ctx ctx = {0};
    int rc = fg_cells_write_counted(g_sample, 1000, path, NULL, town, &total, &ctx);
    if (rc)
        fail_msg("%s", ctx.msg);
    cells_read r = read_cells(path, 1000, "township_code", "village_code");
    double county = county_area_km2();
    print_message("1 km cells: %zu, %.3f km² (county %.3f km²)\n", r.n, r.area_km2, county);
    assert_int_equal(r.n, total);
    assert_true(r.n > county && r.n < county * 1.1); /* a full cell is 1 km² */
    assert_true(fabs(r.area_km2 - county) < 1e-6 * county);
    assert_int_equal(r.bad_fields, 0);
    assert_int_equal(r.id_mismatch, 0);
    assert_int_equal(r.dup_ids, 0);
    size_t sum = 0;
    for (size_t i = 0; i < nt; i++) {
        assert_true(town[i] > 0);
        sum += town[i];
    }
    assert_int_equal(sum, total);
    if (ogrinfo_opens(path) == 0)
        fail_msg("ogrinfo cannot open %s", path);
    no_temporaries_left(TMP);
}

/* The same cells through every format the county may ask for, chosen by extension
 * or by -of name; ogrinfo opens each. */
typedef struct fmt_case {
    const char *file, *format;
    const char *f_tc, *f_vc; /* field names (a shapefile's are 10 characters at most) */
} fmt_case;

static void cells_write_in_every_common_format(void **state)
{
    (void)state;
    static const fmt_case cases[] = {
        {"c3.geojson", NULL, "township_code", "village_code"},
        {"c3.shp", NULL, "town_code", "vill_code"},
        {"c3.kml", NULL, "township_code", "village_code"},
        {"c3.csv", NULL, "township_code", "village_code"},
        {"c3_named.dat", "GeoJSON", "township_code", "village_code"},
        {"c3_named.gpkg", "gpkg", "township_code", "village_code"}, /* case-insensitive */
    };
    size_t n0 = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", TMP, cases[i].file);
        fg_ctx ctx = {0};
        size_t total = 0;
        int rc = fg_cells_write_counted(g_sample, 3000, path, cases[i].format, NULL, &total,
                                        &ctx);
        if (rc)
            fail_msg("%s: %s", cases[i].file, ctx.msg);
        if (i == 0)
            n0 = total;
        assert_int_equal(total, n0);
        if (strstr(cases[i].file, ".kml") == NULL) { /* KML keeps no typed fields */
            cells_read r = read_cells(path, 3000, cases[i].f_tc, cases[i].f_vc);
            assert_int_equal(r.n, n0);
            assert_int_equal(r.id_mismatch, 0);
            assert_int_equal(r.bad_fields, 0);
        }
        if (ogrinfo_opens(path) == 0)
            fail_msg("ogrinfo cannot open %s", path);
    }
    no_temporaries_left(TMP);
    /* the CSV starts with a UTF-8 BOM, so Excel shows the Chinese names */
    FILE *fp = fopen(TMP "/c3.csv", "rb");
    assert_non_null(fp);
    unsigned char bom[3] = {0};
    assert_int_equal(fread(bom, 1, 3, fp), 3);
    fclose(fp);
    assert_true(bom[0] == 0xEF && bom[1] == 0xBB && bom[2] == 0xBF);
}

/* A hand-made cell split between two townships: 1 of 2 townships has two villages
 * of 28 % and 32 %, the other one village of 40 %. The cell goes to the township of
 * largest overlap (60 %) and to its larger village (32 %), not to the single largest
 * village of another township; the cell that only touches the villages' east edge
 * is not written. */
static void cell_goes_to_the_township_then_village_of_largest_overlap(void **state)
{
    (void)state;
    const char *src = TMP "/split.geojson";
    FILE *fp = fopen(src, "wb");
    assert_non_null(fp);
    static const struct {
        const char *tc, *vc;
        double x0, x1;
    } v[3] = {{"140932001", "140932001001", 540000, 540280},
              {"140932001", "140932001002", 540280, 540600},
              {"140932002", "140932002001", 540600, 541000}};
    fprintf(fp, "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":"
                "{\"name\":\"urn:ogc:def:crs:EPSG::32649\"}},\"features\":[");
    for (int i = 0; i < 3; i++)
        fprintf(fp,
                "%s{\"type\":\"Feature\",\"properties\":{\"township_code\":\"%s\","
                "\"village_code\":\"%s\",\"code_year\":2021},\"geometry\":{\"type\":\"Polygon\","
                "\"coordinates\":[[[%.1f,4360000],[%.1f,4360000],[%.1f,4361000],[%.1f,4361000],"
                "[%.1f,4360000]]]}}",
                i ? "," : "", v[i].tc, v[i].vc, v[i].x0, v[i].x1, v[i].x1, v[i].x0, v[i].x0);
    fprintf(fp, "]}\n");
    assert_int_equal(fclose(fp), 0);
    fg_grid *g = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_grid_open(src, NULL, &g, NULL, NULL, &ctx), FG_OK);
    assert_int_equal(fg_grid_cell_epsg(g), 32649);
    size_t town[2] = {9, 9}, total = 0;
    assert_int_equal(fg_cells_write_counted(g, 1000, TMP "/split.geojson.gpkg", NULL, town,
                                            &total, &ctx),
                     FG_OK);
    assert_int_equal(total, 1);
    assert_int_equal(town[0], 1);
    assert_int_equal(town[1], 0);
    GDALDatasetH ds = GDALOpenEx(TMP "/split.geojson.gpkg", GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), 1);
    OGRFeatureH f = OGR_L_GetNextFeature(lyr);
    assert_non_null(f);
    assert_string_equal(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "cell_id")),
                        "1000m-E540-N4360");
    assert_string_equal(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "township_code")),
                        "140932001");
    assert_string_equal(OGR_F_GetFieldAsString(f, OGR_F_GetFieldIndex(f, "village_code")),
                        "140932001002");
    assert_int_equal(OGR_F_GetFieldAsInteger(f, OGR_F_GetFieldIndex(f, "code_year")), 2021);
    /* 1 km² up to the curvature of the villages' edges: they were drawn straight in UTM,
     * come back from WGS84 densified along lon/lat lines (a ~2 cm bow over 1 km) */
    double area = OGR_F_GetFieldAsDouble(f, OGR_F_GetFieldIndex(f, "area_km2"));
    print_message("split cell area %.6f km²\n", area);
    assert_true(fabs(area - 1.0) < 1e-4);
    /* written in WGS84: the cell lies near 111.47°E 39.38°N */
    OGREnvelope e;
    OGR_G_GetEnvelope(OGR_F_GetGeometryRef(f), &e);
    assert_true(e.MinX > 111.4 && e.MaxX < 111.5 && e.MinY > 39.3 && e.MaxY < 39.5);
    OGR_F_Destroy(f);
    GDALClose(ds);
    fg_grid_free(g);
}

static void bad_size_format_or_folder_fail_and_leave_the_old_file(void **state)
{
    (void)state;
    fg_ctx ctx = {0};
    const char *path = TMP "/keep.geojson";
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs("old\n", fp);
    fclose(fp);
    assert_int_equal(fg_cells_write(g_sample, 5, path, NULL, &ctx), FG_EINVAL);
    assert_non_null(strstr(ctx.msg, "cell size"));
    assert_int_equal(fg_cells_write(g_sample, 1000, path, "NoSuchFormat", &ctx), FG_EINVAL);
    assert_non_null(strstr(ctx.msg, "NoSuchFormat"));
    assert_int_equal(fg_cells_write(g_sample, 1000, TMP "/cells.unknownext", NULL, &ctx),
                     FG_EINVAL);
    assert_non_null(strstr(ctx.msg, "-of"));
    assert_int_equal(fg_cells_write(g_sample, 1000, TMP "/cells.dat", "ESRI Shapefile", &ctx),
                     FG_EINVAL);
    assert_non_null(strstr(ctx.msg, ".shp"));
    assert_int_equal(fg_cells_write(g_sample, 1000, TMP "/no/such/dir/c.gpkg", NULL, &ctx),
                     FG_EIO);
    assert_non_null(strstr(ctx.msg, "c.gpkg"));
    assert_int_equal(fg_cells_write(NULL, 1000, path, NULL, &ctx), FG_EINVAL);
    /* 10 m cells over a 2 800 km² county is 28 million cells: refused */
    assert_int_equal(fg_cells_write(g_sample, 10, path, NULL, &ctx), FG_ELIMIT);
    char buf[8] = {0};
    fp = fopen(path, "rb");
    assert_non_null(fp);
    assert_int_equal(fread(buf, 1, sizeof buf - 1, fp), 4);
    fclose(fp);
    assert_string_equal(buf, "old\n");
    no_temporaries_left(TMP);
}

static void grid_extent_and_units_are_exposed_in_code_order(void **state)
{
    (void)state;
    double w, s, e, n;
    assert_int_equal(fg_grid_bounds(g_sample, &w, &s, &e, &n), FG_OK);
    assert_true(fabs(w - FG_SAMPLE_WEST) < 1e-9 && fabs(e - FG_SAMPLE_EAST) < 1e-9);
    assert_true(fabs(s - FG_SAMPLE_SOUTH) < 1e-9 && fabs(n - FG_SAMPLE_NORTH) < 1e-9);
    assert_int_equal(fg_grid_cell_epsg(g_sample), 32649);
    assert_int_equal(fg_grid_unit_count(g_sample), 156);
    fg_grid_unit u, prev;
    assert_int_equal(fg_grid_unit_get(g_sample, 0, &prev), FG_OK);
    for (size_t i = 1; i < 156; i++) {
        assert_int_equal(fg_grid_unit_get(g_sample, i, &u), FG_OK);
        assert_true(strcmp(prev.vill_code, u.vill_code) < 0);
        prev = u;
    }
    assert_int_equal(fg_grid_unit_get(g_sample, 156, &u), FG_EINVAL);
    assert_int_equal(fg_grid_bounds(NULL, &w, &s, &e, &n), FG_EINVAL);
    assert_int_equal(fg_grid_cell_epsg(NULL), 0);
}

/* `firegrid grid --size 3000` on the bundled sample county: counts per township on
 * stdout, the default file name, and a file ogrinfo opens. */
static void cli_grid_prints_cells_per_township(void **state)
{
    (void)state;
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && rm -rf cli && mkdir cli && cd cli && '%s' grid --size 3000 -q > out.txt",
             TMP, FG_BINARY);
    assert_int_equal(system(cmd), 0);
    FILE *fp = fopen(TMP "/cli/out.txt", "rb");
    assert_non_null(fp);
    char line[512];
    int ntown = 0;
    size_t total = 0, sum = 0;
    assert_non_null(fgets(line, sizeof line, fp));
    assert_int_equal(sscanf(line, "grid_3000m.gpkg: %zu cells", &total), 1);
    while (fgets(line, sizeof line, fp)) {
        char code[32], name[128];
        size_t k;
        if (sscanf(line, "%31s %127s %zu", code, name, &k) == 3 && strlen(code) == 9) {
            ntown++;
            sum += k;
        }
    }
    fclose(fp);
    assert_int_equal(ntown, 8);
    assert_int_equal(sum, total);
    if (ogrinfo_opens(TMP "/cli/grid_3000m.gpkg") == 0)
        fail_msg("ogrinfo cannot open the CLI's output");
    /* bad size: a usage error */
    snprintf(cmd, sizeof cmd, "cd '%s/cli' && '%s' grid --size 12.5 2> err.txt", TMP, FG_BINARY);
    int st = system(cmd);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == FG_EXIT_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utm_zone_follows_the_6_degree_grid_and_its_exceptions),
        cmocka_unit_test(cell_id_names_the_south_west_corner_in_km),
        cmocka_unit_test(cell_id_agrees_with_proj_over_the_zone),
        cmocka_unit_test(cell_id_rejects_bad_arguments),
        cmocka_unit_test(grid_extent_and_units_are_exposed_in_code_order),
        cmocka_unit_test(sample_county_1km_cells_tile_the_county),
        cmocka_unit_test(cells_write_in_every_common_format),
        cmocka_unit_test(cell_goes_to_the_township_then_village_of_largest_overlap),
        cmocka_unit_test(bad_size_format_or_folder_fail_and_leave_the_old_file),
        cmocka_unit_test(cli_grid_prints_cells_per_township),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
