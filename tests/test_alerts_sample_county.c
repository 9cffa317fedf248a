/* test_alerts_sample_county.c — the bundled sample county: official tables, illustrative layout, GeoJSON. */
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

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "alerts/alerts.h"

static fg_sample_cell *g_cells;
static size_t g_n;

static int setup(void **state)
{
    (void)state;
    fg_ctx ctx = {0};
    if (fg_sample_county_cells(&g_cells, &g_n, &ctx) != FG_OK) {
        fprintf(stderr, "fg_sample_county_cells: %s\n", ctx.msg);
        return -1;
    }
    mkdir(FG_TEST_TMPDIR, 0755);
    GDALAllRegister();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fg_free(g_cells);
    return 0;
}

/* Distinct township codes among the cells, in first-seen order. */
static size_t towns_of(char codes[][16], size_t max)
{
    size_t nt = 0;
    for (size_t i = 0; i < g_n; i++) {
        size_t j;
        for (j = 0; j < nt; j++)
            if (strcmp(codes[j], g_cells[i].town_code) == 0)
                break;
        if (j == nt && nt < max)
            strcpy(codes[nt++], g_cells[i].town_code);
    }
    return nt;
}

static void sample_has_8_townships_and_156_villages_with_official_codes(void **state)
{
    (void)state;
    assert_int_equal(g_n, 156);
    char codes[16][16];
    assert_int_equal(towns_of(codes, 16), 8);
    size_t xinguan = 0;
    for (size_t i = 0; i < g_n; i++) {
        const fg_sample_cell *c = &g_cells[i];
        assert_int_equal(strlen(c->vill_code), 12);
        assert_int_equal(strlen(c->town_code), 9);
        assert_memory_equal(c->vill_code, c->town_code, 9); /* village code extends its township's */
        assert_memory_equal(c->town_code, "140932", 6);
        assert_true(c->vill_name[0] != '\0');
        assert_true(c->town_name[0] != '\0');
        if (strcmp(c->town_code, "140932100") == 0) {
            assert_string_equal(c->town_name, "新关镇");
            xinguan++;
        }
    }
    assert_int_equal(xinguan, 42);
    /* a known village */
    int found = 0;
    for (size_t i = 0; i < g_n; i++)
        if (strcmp(g_cells[i].vill_code, "140932100201") == 0) {
            assert_string_equal(g_cells[i].vill_name, "马梁村委会");
            found = 1;
        }
    assert_true(found);
}

static void every_cell_is_a_proper_rectangle_inside_the_county_extent(void **state)
{
    (void)state;
    for (size_t i = 0; i < g_n; i++) {
        const fg_sample_cell *c = &g_cells[i];
        assert_true(c->west < c->east);
        assert_true(c->south < c->north);
        assert_true(c->west >= FG_SAMPLE_WEST && c->east <= FG_SAMPLE_EAST);
        assert_true(c->south >= FG_SAMPLE_SOUTH && c->north <= FG_SAMPLE_NORTH);
    }
}

static void no_two_cells_overlap(void **state)
{
    (void)state;
    for (size_t i = 0; i < g_n; i++)
        for (size_t j = i + 1; j < g_n; j++) {
            const fg_sample_cell *a = &g_cells[i], *b = &g_cells[j];
            int interiors_meet = a->west < b->east && b->west < a->east &&
                                 a->south < b->north && b->south < a->north;
            if (interiors_meet)
                fail_msg("cells %s and %s overlap", a->vill_code, b->vill_code);
        }
}

/* The cells of each township tile its bounding rectangle (no overlap, see above, and
 * areas add up), and the townships tile the county extent. */
static void cells_of_a_township_tile_its_rectangle_and_townships_tile_the_county(void **state)
{
    (void)state;
    char codes[16][16];
    size_t nt = towns_of(codes, 16);
    double county_area = 0;
    for (size_t t = 0; t < nt; t++) {
        double w = INFINITY, s = INFINITY, e = -INFINITY, n = -INFINITY, area = 0;
        for (size_t i = 0; i < g_n; i++) {
            const fg_sample_cell *c = &g_cells[i];
            if (strcmp(c->town_code, codes[t]) != 0)
                continue;
            w = fmin(w, c->west);
            s = fmin(s, c->south);
            e = fmax(e, c->east);
            n = fmax(n, c->north);
            area += (c->east - c->west) * (c->north - c->south);
        }
        double rect = (e - w) * (n - s);
        assert_true(fabs(area - rect) < 1e-12 * (1 + rect) + 1e-15);
        county_area += rect;
    }
    double extent = (FG_SAMPLE_EAST - FG_SAMPLE_WEST) * (FG_SAMPLE_NORTH - FG_SAMPLE_SOUTH);
    assert_true(fabs(county_area - extent) < 1e-12);
}

/* Neighbours share borders bit for bit: every cell edge that is not on the county
 * boundary is exactly an edge of some other cell. */
static void shared_borders_are_bit_identical(void **state)
{
    (void)state;
    for (size_t i = 0; i < g_n; i++) {
        const fg_sample_cell *c = &g_cells[i];
        int east_ok = c->east == FG_SAMPLE_EAST, north_ok = c->north == FG_SAMPLE_NORTH;
        for (size_t j = 0; j < g_n; j++) {
            const fg_sample_cell *d = &g_cells[j];
            if (d->west == c->east && d->south < c->north && c->south < d->north)
                east_ok = 1;
            if (d->south == c->north && d->west < c->east && c->west < d->east)
                north_ok = 1;
        }
        if (!east_ok || !north_ok)
            fail_msg("cell %s has an unmatched %s edge", c->vill_code, east_ok ? "north" : "east");
    }
}

static void layout_is_deterministic(void **state)
{
    (void)state;
    fg_sample_cell *again = NULL;
    size_t n = 0;
    fg_ctx ctx = {0};
    assert_int_equal(fg_sample_county_cells(&again, &n, &ctx), FG_OK);
    assert_int_equal(n, g_n);
    assert_memory_equal(again, g_cells, n * sizeof *again);
    fg_free(again);
}

static void written_geojson_reopens_with_156_features_and_the_expected_fields(void **state)
{
    (void)state;
    const char *path = FG_TEST_TMPDIR "/sample_county.geojson";
    fg_ctx ctx = {0};
    assert_int_equal(fg_sample_county_write(path, &ctx), FG_OK);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    assert_non_null(lyr);
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), 156);
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(lyr);
    assert_non_null(srs);
    OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(wgs, 4326);
    /* GeoJSON declares OGC:CRS84 (lon, lat): WGS84 up to axis order */
    const char *const same_opts[] = {"CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS",
                                      "IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES", NULL};
    assert_true(OSRIsSameEx(srs, wgs, same_opts));
    OSRDestroySpatialReference(wgs);
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(lyr);
    static const char *const names[] = {"township_code", "township_name", "village_code",
                                        "village_name",  "code_year",     "illustrative",
                                        "note"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_true(OGR_FD_GetFieldIndex(d, names[i]) >= 0);
    OGRFeatureH f = OGR_L_GetNextFeature(lyr);
    assert_non_null(f);
    assert_int_equal(OGR_F_GetFieldAsInteger(f, OGR_FD_GetFieldIndex(d, "code_year")), 2023);
    assert_int_equal(OGR_F_GetFieldAsInteger(f, OGR_FD_GetFieldIndex(d, "illustrative")), 1);
    assert_non_null(strstr(OGR_F_GetFieldAsString(f, OGR_FD_GetFieldIndex(d, "note")),
                           "not official"));
    /* coordinates survive the round trip exactly */
    const char *vc = OGR_F_GetFieldAsString(f, OGR_FD_GetFieldIndex(d, "village_code"));
    const fg_sample_cell *c = NULL;
    for (size_t i = 0; i < g_n; i++)
        if (strcmp(g_cells[i].vill_code, vc) == 0)
            c = &g_cells[i];
    assert_non_null(c);
    OGREnvelope env;
    OGR_G_GetEnvelope(OGR_F_GetGeometryRef(f), &env);
    assert_true(env.MinX == c->west && env.MaxX == c->east);
    assert_true(env.MinY == c->south && env.MaxY == c->north);
    OGR_F_Destroy(f);
    GDALClose(ds);
}

static void write_into_a_missing_folder_fails_and_names_the_file(void **state)
{
    (void)state;
    const char *path = FG_TEST_TMPDIR "/no/such/dir/county.geojson";
    fg_ctx ctx = {0};
    assert_true(fg_sample_county_write(path, &ctx) < 0);
    assert_non_null(strstr(ctx.msg, "county.geojson"));
}

static void bundled_static_sources_csv_has_the_header_and_a_row(void **state)
{
    (void)state;
    const char *s = fg_sample_static_sources_csv();
    assert_non_null(s);
    assert_int_equal(strncmp(s, "id,name,kind,lat,lon,radius_m", 29), 0);
    assert_non_null(strstr(s, "SS-0001"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sample_has_8_townships_and_156_villages_with_official_codes),
        cmocka_unit_test(every_cell_is_a_proper_rectangle_inside_the_county_extent),
        cmocka_unit_test(no_two_cells_overlap),
        cmocka_unit_test(cells_of_a_township_tile_its_rectangle_and_townships_tile_the_county),
        cmocka_unit_test(shared_borders_are_bit_identical),
        cmocka_unit_test(layout_is_deterministic),
        cmocka_unit_test(written_geojson_reopens_with_156_features_and_the_expected_fields),
        cmocka_unit_test(write_into_a_missing_folder_fails_and_names_the_file),
        cmocka_unit_test(bundled_static_sources_csv_has_the_header_and_a_row),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
