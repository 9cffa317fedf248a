/* test_e2e_incidents.c — end to end through `firegrid run --config`: one fire from two satellites and a camera, a two-day fire, a static source, a border point, an outside point, reruns, every output format. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fg_test.h"

#include <dirent.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "alerts/alerts.h"

#define TMP FG_TEST_TMPDIR
#define OUT TMP "/out"

/* One thermal scene in EPSG:4326 (81x81 pixels of res degrees) whose centre pixel is
 * centred on (lat, lon) and holds a sub-pixel fire; 380 K passes the day and the night
 * absolute tests alike. */
static void write_scene(const char *path, double lat, double lon, double res, const char *iso,
                        const char *sensor)
{
    const int w = 81, h = 81;
    fg_raster mir = {0}, tir = {0};
    fg_ctx c = {0};
    assert_int_equal(fg_raster_alloc(&mir, w, h, 1, FG_PIX_F32, 0, &c), FG_OK);
    assert_int_equal(fg_raster_alloc(&tir, w, h, 1, FG_PIX_F32, 0, &c), FG_OK);
    float *m = mir.data, *t = tir.data;
    for (int i = 0; i < w * h; i++) {
        m[i] = 285.0f + 0.2f * (float)((i * 7919) % 5);
        t[i] = 283.0f;
    }
    m[40 * w + 40] = 380.0f;
    t[40 * w + 40] = 290.0f;
    const fg_raster *bands[] = {&mir, &tir};
    const char *names[] = {"MIR_BT", "TIR_BT"};
    char t_md[64], s_md[64];
    snprintf(t_md, sizeof t_md, "FG_ACQ_TIME=%s", iso);
    snprintf(s_md, sizeof s_md, "FG_SENSOR=%s", sensor);
    const char *md[] = {t_md, s_md, NULL};
    const double gt[6] = {lon - 40.5 * res, res, 0, lat + 40.5 * res, 0, -res};
    assert_int_equal(fg_geotiff_write(path, bands, names, 2, gt, 4326, md, &c), FG_OK);
    fg_raster_release(&mir);
    fg_raster_release(&tir);
}

static fg_sample_cell *cells;
static size_t ncells;
/* the planted places */
static double cam_lat, cam_lon;  /* A: two satellites and a camera */
static double day_lat, day_lon;  /* B: a two-day fire */
static double ind_lat, ind_lon;  /* C: on a static source */
static double bor_lat, bor_lon;  /* D: on a village border */
static size_t bor_a, bor_b;      /* the two cells that share it */
static double out_lat, out_lon;  /* E: outside the county */

static void centre(size_t k, double *lat, double *lon)
{
    *lat = 0.5 * (cells[k].south + cells[k].north);
    *lon = 0.5 * (cells[k].west + cells[k].east);
}

static int setup(void **state)
{
    (void)state;
    fg_ctx c = {0};
    if (sh("rm -rf '%s' && mkdir -p '%s/scenes'", TMP, TMP) != 0 ||
        fg_sample_county_cells(&cells, &ncells, &c) != FG_OK ||
        fg_sample_county_write(TMP "/county.geojson", &c) != FG_OK)
        return -1;
    /* A: the camera's plume in village 20; the satellites see it after ignition at 08:08 */
    centre(20, &cam_lat, &cam_lon);
    fg_synth_site site = {cam_lat, cam_lon, "", ""};
    snprintf(site.township_code, sizeof site.township_code, "%s", cells[20].town_code);
    snprintf(site.village_code, sizeof site.village_code, "%s", cells[20].vill_code);
    fg_synth_opts o;
    memset(&o, 0, sizeof o);
    o.seed = 7;
    o.west = FG_SAMPLE_WEST;
    o.east = FG_SAMPLE_EAST;
    o.south = FG_SAMPLE_SOUTH;
    o.north = FG_SAMPLE_NORTH;
    o.sites = &site;
    o.nsites = 1;
    o.static_lat = o.static_lon = NAN;
    if (fg_time_parse("2026-10-15T00:00:00Z", &o.day0_utc) != FG_OK)
        return -1;
    fg_truth *truth = NULL;
    size_t nt = 0;
    if (fg_synth_camera(TMP, &o, &truth, &nt, &c) != FG_OK)
        return -1;
    fg_free(truth);
    double la, lo;
    fg_geo_destination(cam_lat, cam_lon, 60, 250, &la, &lo);
    write_scene(TMP "/scenes/a_modis.tif", la, lo, 0.009, "2026-10-15T08:30:00Z", "TEST-MODIS");
    fg_geo_destination(cam_lat, cam_lon, 200, 150, &la, &lo);
    write_scene(TMP "/scenes/a_viirs.tif", la, lo, 0.0035, "2026-10-15T09:30:00Z", "TEST-VIIRS");
    /* B: the same field on two evenings */
    centre(70, &day_lat, &day_lon);
    write_scene(TMP "/scenes/b_day1.tif", day_lat, day_lon, 0.0035, "2026-10-15T18:10:00Z",
                "TEST-VIIRS");
    fg_geo_destination(day_lat, day_lon, 10, 180, &la, &lo);
    write_scene(TMP "/scenes/b_day2.tif", la, lo, 0.0035, "2026-10-16T18:10:00Z", "TEST-VIIRS");
    /* C: a registered power plant */
    centre(100, &ind_lat, &ind_lon);
    write_scene(TMP "/scenes/c_plant.tif", ind_lat, ind_lon, 0.0035, "2026-10-15T18:10:00Z",
                "TEST-VIIRS");
    FILE *f = fopen(TMP "/static.csv", "w");
    if (!f)
        return -1;
    fprintf(f, "id,name,kind,lat,lon,radius_m\nPP-T1,测试电厂,power_plant,%.6f,%.6f,400\n", ind_lat,
            ind_lon);
    fclose(f);
    /* D: on the shared edge of two neighbouring village cells */
    bor_a = bor_b = SIZE_MAX;
    for (size_t i = 40; i < ncells && bor_a == SIZE_MAX; i++)
        for (size_t j = 0; j < ncells; j++)
            if (j != i && cells[i].east == cells[j].west && cells[i].south == cells[j].south &&
                cells[i].north == cells[j].north) {
                bor_a = i;
                bor_b = j;
                break;
            }
    if (bor_a == SIZE_MAX)
        return -1;
    bor_lat = 0.5 * (cells[bor_a].south + cells[bor_a].north);
    bor_lon = cells[bor_a].east;
    write_scene(TMP "/scenes/d_border.tif", bor_lat, bor_lon, 0.0035, "2026-10-15T18:10:00Z",
                "TEST-VIIRS");
    /* E: 2.5 km west of the county */
    out_lat = 0.5 * (FG_SAMPLE_SOUTH + FG_SAMPLE_NORTH);
    out_lon = FG_SAMPLE_WEST - 0.03;
    write_scene(TMP "/scenes/e_outside.tif", out_lat, out_lon, 0.0035, "2026-10-15T18:10:00Z",
                "TEST-VIIRS");
    f = fopen(TMP "/county.conf", "w");
    if (!f)
        return -1;
    fprintf(f, "boundaries = county.geojson\nscenes = scenes\nframes = frames\n"
               "cameras = cameras.csv\nstatic_sources = static.csv\noutput = out\n"
               "formats = CSV,XLSX,GeoJSON,KML\ngrid_cell_m = 1000\n");
    return fclose(f) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    fg_free(cells);
    return 0;
}

/* ---- reading the outputs back through OGR ---- */

typedef struct inc_row {
    char id[24], src[64], town[128], town_code[16], vill_code[16], sensors[160];
    double lat, lon;
    int nhot;
} inc_row;

static size_t read_incidents(const char *path, inc_row *r, size_t max)
{
    GDALAllRegister();
    const char *drivers[] = {"CSV", NULL};
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, drivers, NULL, NULL);
    if (!ds)
        fail_msg("%s does not open with OGR", path);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
    int is = OGR_FD_GetFieldIndex(d, "来源"), it = OGR_FD_GetFieldIndex(d, "乡镇"),
        itc = OGR_FD_GetFieldIndex(d, "乡镇代码"), ivc = OGR_FD_GetFieldIndex(d, "村代码"),
        ila = OGR_FD_GetFieldIndex(d, "纬度"), ilo = OGR_FD_GetFieldIndex(d, "经度"),
        ise = OGR_FD_GetFieldIndex(d, "传感器"), inh = OGR_FD_GetFieldIndex(d, "火点数");
    assert_true(is >= 0 && it >= 0 && itc >= 0 && ivc >= 0 && ila >= 0 && ilo >= 0 &&
                ise >= 0 && inh >= 0);
    size_t n = 0;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) && n < max) {
        inc_row *x = &r[n++];
        snprintf(x->id, sizeof x->id, "%s", OGR_F_GetFieldAsString(f, 0));
        snprintf(x->src, sizeof x->src, "%s", OGR_F_GetFieldAsString(f, is));
        snprintf(x->town, sizeof x->town, "%s", OGR_F_GetFieldAsString(f, it));
        snprintf(x->town_code, sizeof x->town_code, "%s", OGR_F_GetFieldAsString(f, itc));
        snprintf(x->vill_code, sizeof x->vill_code, "%s", OGR_F_GetFieldAsString(f, ivc));
        snprintf(x->sensors, sizeof x->sensors, "%s", OGR_F_GetFieldAsString(f, ise));
        x->lat = atof(OGR_F_GetFieldAsString(f, ila));
        x->lon = atof(OGR_F_GetFieldAsString(f, ilo));
        x->nhot = atoi(OGR_F_GetFieldAsString(f, inh));
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    return n;
}

/* The incident rows within dist_m of (lat, lon). */
static int near(const inc_row *r, size_t n, double lat, double lon, double dist_m,
                const inc_row **first)
{
    int k = 0;
    for (size_t i = 0; i < n; i++)
        if (fg_geo_distance(lat, lon, r[i].lat, r[i].lon) < dist_m) {
            if (!k && first)
                *first = &r[i];
            k++;
        }
    return k;
}

static inc_row R[256], IR[64], TR[256];

static void run_once(void)
{
    assert_int_equal(sh("'%s' run -q --config '%s/county.conf' >/dev/null", FG_BINARY, TMP), 0);
}

static void one_fire_seen_by_two_satellites_and_a_camera_is_one_incident(void **state)
{
    (void)state;
    run_once();
    size_t n = read_incidents(OUT "/county_incidents.csv", R, 256);
    const inc_row *x = NULL;
    assert_int_equal(near(R, n, cam_lat, cam_lon, 3000, &x), 1);
    assert_string_equal(x->src, "卫星+摄像头");
    assert_non_null(strstr(x->sensors, "TEST-MODIS"));
    assert_non_null(strstr(x->sensors, "TEST-VIIRS"));
    assert_non_null(strstr(x->sensors, "CAM-"));
    assert_true(x->nhot >= 3);
    assert_string_equal(x->vill_code, cells[20].vill_code);
}

static void a_fire_seen_on_two_days_stays_one_incident(void **state)
{
    (void)state;
    size_t n = read_incidents(OUT "/county_incidents.csv", R, 256);
    const inc_row *x = NULL;
    assert_int_equal(near(R, n, day_lat, day_lon, 3000, &x), 1);
    assert_int_equal(x->nhot, 2);
    /* first and last seen on two Beijing days */
    GDALDatasetH ds = GDALOpenEx(OUT "/county_incidents.csv", GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
    int i0 = OGR_FD_GetFieldIndex(d, "首次发现"), i1 = OGR_FD_GetFieldIndex(d, "最近发现");
    assert_true(i0 >= 0 && i1 >= 0);
    OGRFeatureH f;
    int found = 0;
    while ((f = OGR_L_GetNextFeature(l))) {
        if (strcmp(OGR_F_GetFieldAsString(f, 0), x->id) == 0) {
            found = 1;
            assert_int_equal(strncmp(OGR_F_GetFieldAsString(f, i0), "2026-10-16 02:10", 16), 0);
            assert_int_equal(strncmp(OGR_F_GetFieldAsString(f, i1), "2026-10-17 02:10", 16), 0);
        }
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    assert_true(found);
}

static void a_hit_on_a_static_source_goes_to_the_county_only(void **state)
{
    (void)state;
    size_t n = read_incidents(OUT "/county_incidents.csv", R, 256);
    assert_int_equal(near(R, n, ind_lat, ind_lon, 2000, NULL), 0);
    size_t ni = read_incidents(OUT "/county_industrial.csv", IR, 64);
    const inc_row *x = NULL;
    assert_int_equal(near(IR, ni, ind_lat, ind_lon, 2000, &x), 1);
    char path[512];
    snprintf(path, sizeof path, OUT "/township_%s.csv", cells[100].town_code);
    size_t nt = read_incidents(path, TR, 256);
    assert_int_equal(near(TR, nt, ind_lat, ind_lon, 2000, NULL), 0);
    char *msg = slurp(OUT "/officer_messages.txt", NULL);
    assert_non_null(msg);
    assert_null(strstr(msg, x->id));
    free(msg);
    char *csv = slurp(OUT "/county_industrial.csv", NULL);
    assert_non_null(strstr(csv, "测试电厂"));
    free(csv);
}

static void a_point_on_a_village_border_lands_in_exactly_one_village(void **state)
{
    (void)state;
    size_t n = read_incidents(OUT "/county_incidents.csv", R, 256);
    const inc_row *x = NULL;
    assert_int_equal(near(R, n, bor_lat, bor_lon, 1000, &x), 1);
    assert_true(strcmp(x->vill_code, cells[bor_a].vill_code) == 0 ||
                strcmp(x->vill_code, cells[bor_b].vill_code) == 0);
    /* in exactly one township list, once */
    size_t listed = 0;
    for (size_t t = 0; t < ncells; t++) {
        if (t > 0 && strcmp(cells[t].town_code, cells[t - 1].town_code) == 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, OUT "/township_%s.csv", cells[t].town_code);
        size_t nt = read_incidents(path, TR, 256);
        for (size_t k = 0; k < nt; k++)
            listed += strcmp(TR[k].id, x->id) == 0;
    }
    assert_int_equal(listed, 1);
}

static void a_point_outside_the_county_is_listed_not_dropped(void **state)
{
    (void)state;
    size_t n = read_incidents(OUT "/county_incidents.csv", R, 256);
    const inc_row *x = NULL;
    assert_int_equal(near(R, n, out_lat, out_lon, 1000, &x), 1);
    assert_string_equal(x->town_code, "");
    assert_non_null(strstr(x->town, "县外"));
    /* and the county list holds exactly the four straw fires planted (A, B, D, E) */
    assert_int_equal(n, 4);
}

/* The lists: not the log, the ledger, or report.html, which describes what each run
 * read (a rerun that reads nothing new says so) — nor the evidence/ and incidents/
 * folders. */
static int is_list_file(const char *name)
{
    char full[1024];
    struct stat st;
    snprintf(full, sizeof full, OUT "/%s", name);
    return name[0] != '.' && strcmp(name, "run.log") != 0 && strcmp(name, "ledger.gpkg") != 0 &&
           strcmp(name, "ledger.gpkg.lock") != 0 && strcmp(name, "report.html") != 0 &&
           stat(full, &st) == 0 && S_ISREG(st.st_mode);
}

static size_t ledger_count(void)
{
    fg_ledger *l = NULL;
    fg_ctx c = {0};
    assert_int_equal(fg_ledger_open(OUT "/ledger.gpkg", &l, &c), FG_OK);
    fg_incident *v = NULL;
    size_t n = 0;
    assert_int_equal(fg_ledger_incidents(l, &v, &n, &c), FG_OK);
    fg_free(v);
    fg_ledger_close(l);
    return n;
}

static void a_second_run_on_the_same_inputs_changes_nothing(void **state)
{
    (void)state;
    size_t before = ledger_count();
    assert_int_equal(sh("rm -rf '%s/copy' && cp -r '%s' '%s/copy'", TMP, OUT, TMP), 0);
    run_once();
    assert_int_equal(ledger_count(), before);
    DIR *d = opendir(OUT);
    assert_non_null(d);
    struct dirent *e;
    int compared = 0;
    while ((e = readdir(d))) {
        if (!is_list_file(e->d_name))
            continue;
        char a[1024], b[1024];
        snprintf(a, sizeof a, OUT "/%s", e->d_name);
        snprintf(b, sizeof b, TMP "/copy/%s", e->d_name);
        size_t la = 0, lb = 0;
        char *x = slurp(a, &la), *y = slurp(b, &lb);
        if (!x || !y || la != lb || memcmp(x, y, la) != 0)
            fail_msg("%s changed on a rerun over the same inputs", e->d_name);
        free(x);
        free(y);
        compared++;
    }
    closedir(d);
    assert_true(compared >= 20);
}

static void every_output_opens_with_ogrinfo_and_the_xlsx_has_chinese_headers(void **state)
{
    (void)state;
    DIR *d = opendir(OUT);
    assert_non_null(d);
    struct dirent *e;
    int kinds[4] = {0};
    static const char *ext[] = {".csv", ".xlsx", ".geojson", ".kml"};
    while ((e = readdir(d))) {
        const char *dot = strrchr(e->d_name, '.');
        int k = -1;
        for (int i = 0; i < 4 && dot; i++)
            if (strcmp(dot, ext[i]) == 0)
                k = i;
        if (k < 0 && !(dot && strcmp(dot, ".gpkg") == 0))
            continue;
        if (k >= 0)
            kinds[k]++;
        if (sh("ogrinfo -ro -al -so '%s/%s' >/dev/null 2>&1", OUT, e->d_name) != 0)
            fail_msg("ogrinfo cannot open %s", e->d_name);
    }
    closedir(d);
    for (int i = 0; i < 4; i++)
        if (kinds[i] < 5)
            fail_msg("only %d %s file(s) written", kinds[i], ext[i]);
    const char *drivers[] = {"XLSX", NULL};
    const char *oo[] = {"HEADERS=FORCE", NULL};
    GDALDatasetH ds = GDALOpenEx(OUT "/county_incidents.xlsx", GDAL_OF_VECTOR, drivers, oo, NULL);
    assert_non_null(ds);
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(GDALDatasetGetLayer(ds, 0));
    assert_string_equal(OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, 0)), "编号");
    assert_true(OGR_FD_GetFieldIndex(fd, "乡镇") >= 0);
    assert_true(OGR_FD_GetFieldIndex(fd, "村") >= 0);
    assert_int_equal(OGR_L_GetFeatureCount(GDALDatasetGetLayer(ds, 0), TRUE), 4);
    GDALClose(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_fire_seen_by_two_satellites_and_a_camera_is_one_incident),
        cmocka_unit_test(a_fire_seen_on_two_days_stays_one_incident),
        cmocka_unit_test(a_hit_on_a_static_source_goes_to_the_county_only),
        cmocka_unit_test(a_point_on_a_village_border_lands_in_exactly_one_village),
        cmocka_unit_test(a_point_outside_the_county_is_listed_not_dropped),
        cmocka_unit_test(a_second_run_on_the_same_inputs_changes_nothing),
        cmocka_unit_test(every_output_opens_with_ogrinfo_and_the_xlsx_has_chinese_headers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
