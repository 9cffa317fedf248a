/* test_alerts_run.c — the run pipeline on small generated inputs: placement, skips, outputs, log. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fg_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alerts/alerts.h"

#include <gdal.h>

#define TMP FG_TEST_TMPDIR

static fg_sample_cell *cells;
static size_t ncells;

/* A night scene in EPSG:4326 at 0.005° over the county with one hot pixel at the centre of
 * cell `k` (340 K MIR: above the 320 K night absolute threshold) and the rest at 280 K. */
static void write_scene(const char *path, size_t k, const char *time_iso)
{
    const double res = 0.005, west = FG_SAMPLE_WEST - 0.02, north = FG_SAMPLE_NORTH + 0.02;
    int w = (int)((FG_SAMPLE_EAST - FG_SAMPLE_WEST + 0.04) / res);
    int h = (int)((FG_SAMPLE_NORTH - FG_SAMPLE_SOUTH + 0.04) / res);
    fg_raster mir = {0}, tir = {0};
    fg_ctx c = {0};
    assert_int_equal(fg_raster_alloc(&mir, w, h, 1, FG_PIX_F32, 0, &c), FG_OK);
    assert_int_equal(fg_raster_alloc(&tir, w, h, 1, FG_PIX_F32, 0, &c), FG_OK);
    float *m = mir.data, *t = tir.data;
    for (int i = 0; i < w * h; i++) {
        m[i] = 280.0f + 0.2f * (float)((i * 7919) % 5);
        t[i] = 280.0f;
    }
    double lat = 0.5 * (cells[k].south + cells[k].north), lon = 0.5 * (cells[k].west + cells[k].east);
    int col = (int)((lon - west) / res), row = (int)((north - lat) / res);
    m[row * w + col] = 340.0f;
    t[row * w + col] = 284.0f;
    const fg_raster *bands[] = {&mir, &tir};
    const char *names[] = {"MIR_BT", "TIR_BT"};
    char t_md[64];
    snprintf(t_md, sizeof t_md, "FG_ACQ_TIME=%s", time_iso);
    const char *md[] = {t_md, "FG_SENSOR=TEST-NIGHT", NULL};
    const double gt[6] = {west, res, 0, north, 0, -res};
    assert_int_equal(fg_geotiff_write(path, bands, names, 2, gt, 4326, md, &c), FG_OK);
    fg_raster_release(&mir);
    fg_raster_release(&tir);
}

/* A night scene in EPSG:4326, pixel res_deg, 81x81 pixels, whose centre pixel (340 K) is
 * centred exactly on (lat, lon). */
static void write_scene_at(const char *path, double lat, double lon, double res,
                           const char *time_iso, const char *sensor)
{
    const int w = 81, h = 81;
    fg_raster mir = {0}, tir = {0};
    fg_ctx c = {0};
    assert_int_equal(fg_raster_alloc(&mir, w, h, 1, FG_PIX_F32, 0, &c), FG_OK);
    assert_int_equal(fg_raster_alloc(&tir, w, h, 1, FG_PIX_F32, 0, &c), FG_OK);
    float *m = mir.data, *t = tir.data;
    for (int i = 0; i < w * h; i++) {
        m[i] = 280.0f + 0.2f * (float)((i * 7919) % 5);
        t[i] = 280.0f;
    }
    m[40 * w + 40] = 340.0f;
    t[40 * w + 40] = 284.0f;
    const fg_raster *bands[] = {&mir, &tir};
    const char *names[] = {"MIR_BT", "TIR_BT"};
    char t_md[64], s_md[64];
    snprintf(t_md, sizeof t_md, "FG_ACQ_TIME=%s", time_iso);
    snprintf(s_md, sizeof s_md, "FG_SENSOR=%s", sensor);
    const char *md[] = {t_md, s_md, NULL};
    const double gt[6] = {lon - 40.5 * res, res, 0, lat + 40.5 * res, 0, -res};
    assert_int_equal(fg_geotiff_write(path, bands, names, 2, gt, 4326, md, &c), FG_OK);
    fg_raster_release(&mir);
    fg_raster_release(&tir);
}

static size_t ledger_incidents(const char *path, fg_incident **v)
{
    fg_ledger *l = NULL;
    fg_ctx c = {0};
    assert_int_equal(fg_ledger_open(path, &l, &c), FG_OK);
    size_t n = 0;
    assert_int_equal(fg_ledger_incidents(l, v, &n, &c), FG_OK);
    fg_ledger_close(l);
    return n;
}

static int setup(void **state)
{
    (void)state;
    fg_ctx c = {0};
    if (system("rm -rf '" TMP "' && mkdir -p '" TMP "/scenes'") != 0)
        return -1;
    if (fg_sample_county_cells(&cells, &ncells, &c) != FG_OK ||
        fg_sample_county_write(TMP "/county.geojson", &c) != FG_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fg_free(cells);
    return 0;
}

static void base_config(fg_run_config *c, const char *out)
{
    fg_run_config_sample(c);
    snprintf(c->boundaries, sizeof c->boundaries, TMP "/county.geojson");
    snprintf(c->scenes_dir, sizeof c->scenes_dir, TMP "/scenes");
    c->frames_dir[0] = c->cameras[0] = c->static_sources[0] = '\0';
    snprintf(c->out_dir, sizeof c->out_dir, TMP "/%s", out);
    c->threads = 1;
}

static void a_hot_pixel_is_placed_in_its_village_and_listed(void **state)
{
    (void)state;
    write_scene(TMP "/scenes/night.tif", 40, "2026-10-15T18:10:00Z");
    fg_run_config c;
    base_config(&c, "out");
    fg_run_summary s;
    fg_ctx ctx = {0};
    assert_int_equal(fg_run(&c, NULL, 0, &s, NULL, NULL, &ctx), FG_OK);
    assert_int_equal(s.scenes, 1);
    assert_int_equal(s.inputs_skipped, 0);
    assert_int_equal(s.hotspots, 1);
    assert_int_equal(s.straw, 1);
    char path[512];
    snprintf(path, sizeof path, TMP "/out/township_%s.csv", cells[40].town_code);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char buf[8192] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    assert_true(n > 3);
    assert_non_null(strstr(buf, cells[40].vill_code));
    assert_non_null(strstr(buf, cells[40].vill_name));
    f = fopen(TMP "/out/run.log", "r");
    assert_non_null(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    assert_non_null(strstr(buf, "READ scene " TMP "/scenes/night.tif"));
    assert_non_null(strstr(buf, "night"));
}

static void a_missing_scene_folder_is_a_skip_not_a_failure(void **state)
{
    (void)state;
    fg_run_config c;
    base_config(&c, "out_missing");
    snprintf(c.scenes_dir, sizeof c.scenes_dir, TMP "/no_scenes_here");
    fg_run_summary s;
    fg_ctx ctx = {0};
    const char *notes[] = {"x.conf:2: unknown key 'a'; ignored", "x.conf:3: unknown key 'b'; ignored"};
    assert_int_equal(fg_run(&c, notes, 2, &s, NULL, NULL, &ctx), FG_OK);
    assert_int_equal(s.inputs_skipped, 3); /* two config lines + the folder */
    FILE *f = fopen(TMP "/out_missing/run.log", "r");
    assert_non_null(f);
    char buf[4096] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    assert_non_null(strstr(buf, "SKIP config x.conf:3: unknown key 'b'"));
    assert_non_null(strstr(buf, "no_scenes_here"));
    struct stat st;
    assert_int_equal(stat(TMP "/out_missing/county_incidents.csv", &st), 0);
}

static void frames_without_a_registry_are_skipped_with_a_reason(void **state)
{
    (void)state;
    fg_run_config c;
    base_config(&c, "out_frames");
    snprintf(c.frames_dir, sizeof c.frames_dir, TMP "/scenes");
    fg_run_summary s;
    fg_ctx ctx = {0};
    assert_int_equal(fg_run(&c, NULL, 0, &s, NULL, NULL, &ctx), FG_OK);
    assert_int_equal(s.inputs_skipped, 1);
    assert_int_equal(s.cameras, 0);
}

static void missing_boundaries_fail_and_say_so_in_the_log(void **state)
{
    (void)state;
    fg_run_config c;
    base_config(&c, "out_fail");
    snprintf(c.boundaries, sizeof c.boundaries, TMP "/nope.geojson");
    fg_run_summary s;
    fg_ctx ctx = {0};
    assert_int_not_equal(fg_run(&c, NULL, 0, &s, NULL, NULL, &ctx), FG_OK);
    assert_non_null(strstr(ctx.msg, "nope.geojson"));
    FILE *f = fopen(TMP "/out_fail/run.log", "r");
    assert_non_null(f);
    char buf[4096] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    assert_non_null(strstr(buf, "FAILED"));
    struct stat st;
    assert_int_not_equal(stat(TMP "/out_fail/county_incidents.csv", &st), 0);
}

static void a_rerun_adds_nothing_and_a_next_day_pass_continues_the_incident(void **state)
{
    (void)state;
    assert_int_equal(system("rm -rf '" TMP "/sc2' && mkdir -p '" TMP "/sc2'"), 0);
    double lat = 0.5 * (cells[60].south + cells[60].north), lon = 0.5 * (cells[60].west + cells[60].east);
    write_scene_at(TMP "/sc2/d1.tif", lat, lon, 0.004, "2026-10-15T18:10:00Z", "TEST-A");
    fg_run_config c;
    base_config(&c, "out_rerun");
    snprintf(c.scenes_dir, sizeof c.scenes_dir, TMP "/sc2");
    c.grid_cell_m = 1000;
    fg_run_summary s;
    fg_ctx ctx = {0};
    assert_int_equal(fg_run(&c, NULL, 0, &s, NULL, NULL, &ctx), FG_OK);
    assert_int_equal(s.hotspots, 1);
    assert_int_equal(system("cp '" TMP "/out_rerun/county_incidents.csv' '" TMP "/first.csv'"), 0);
    /* the same inputs again: nothing read, nothing added, the same bytes */
    assert_int_equal(fg_run(&c, NULL, 0, &s, NULL, NULL, &ctx), FG_OK);
    assert_int_equal(s.scenes, 0);
    assert_int_equal(s.hotspots, 0);
    assert_true(same_file(TMP "/first.csv", TMP "/out_rerun/county_incidents.csv"));
    fg_incident *v = NULL;
    assert_int_equal(ledger_incidents(TMP "/out_rerun/ledger.gpkg", &v), 1);
    assert_int_equal(v[0].status, FG_INC_NEW);
    assert_int_equal(strncmp(v[0].cell_id, "1000m-E", 7), 0);
    assert_string_equal(v[0].period, "autumn_harvest");
    assert_string_equal(v[0].place.vill_code, cells[60].vill_code);
    char run1[24];
    snprintf(run1, sizeof run1, "%s", v[0].last_run);
    fg_free(v);
    /* the next evening, 200 m away: the same incident goes on */
    double lat2, lon2;
    fg_geo_destination(lat, lon, 45, 200, &lat2, &lon2);
    write_scene_at(TMP "/sc2/d2.tif", lat2, lon2, 0.004, "2026-10-16T18:10:00Z", "TEST-B");
    assert_int_equal(fg_run(&c, NULL, 0, &s, NULL, NULL, &ctx), FG_OK);
    assert_int_equal(s.scenes, 1);
    assert_int_equal(s.hotspots, 1);
    assert_int_equal(ledger_incidents(TMP "/out_rerun/ledger.gpkg", &v), 1);
    assert_int_equal(v[0].n_hotspots, 2);
    assert_int_equal(v[0].status, FG_INC_ONGOING);
    assert_string_equal(v[0].sources, "TEST-A,TEST-B");
    assert_string_not_equal(v[0].last_run, run1);
    fg_free(v);
}

static void a_spring_festival_hit_in_a_village_centre_is_a_possible_bonfire(void **state)
{
    (void)state;
    assert_int_equal(system("rm -rf '" TMP "/sc3' && mkdir -p '" TMP "/sc3'"), 0);
    double lat = 0.5 * (cells[10].south + cells[10].north), lon = 0.5 * (cells[10].west + cells[10].east);
    /* 2026-02-17 is the Lunar New Year; 20:00 Beijing time */
    write_scene_at(TMP "/sc3/centre.tif", lat, lon, 0.004, "2026-02-17T12:00:00Z", "TEST-N");
    /* the same evening at the edge of another village: a field, not a bonfire */
    write_scene_at(TMP "/sc3/edge.tif", cells[90].south + 0.003, cells[90].west + 0.003, 0.004,
                   "2026-02-17T12:00:00Z", "TEST-N");
    fg_run_config c;
    base_config(&c, "out_bonfire");
    snprintf(c.scenes_dir, sizeof c.scenes_dir, TMP "/sc3");
    fg_run_summary s;
    fg_ctx ctx = {0};
    assert_int_equal(fg_run(&c, NULL, 0, &s, NULL, NULL, &ctx), FG_OK);
    fg_incident *v = NULL;
    size_t n = ledger_incidents(TMP "/out_bonfire/ledger.gpkg", &v);
    assert_int_equal(n, 2);
    int centre = 0, edge = 0;
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(v[i].period, "spring_festival");
        if (strcmp(v[i].place.vill_code, cells[10].vill_code) == 0)
            centre = v[i].possible_bonfire ? 1 : -1;
        else
            edge = v[i].possible_bonfire ? -1 : 1;
    }
    assert_int_equal(centre, 1);
    assert_int_equal(edge, 1);
    fg_free(v);
}

static void a_ledger_in_use_or_of_a_newer_schema_fails_the_run_and_keeps_the_lists(void **state)
{
    (void)state;
    fg_run_config c;
    base_config(&c, "out_locked");
    snprintf(c.ledger, sizeof c.ledger, TMP "/elsewhere/my.gpkg");
    assert_int_equal(system("mkdir -p '" TMP "/elsewhere'"), 0);
    fg_run_summary s;
    fg_ctx ctx = {0};
    assert_int_equal(fg_run(&c, NULL, 0, &s, NULL, NULL, &ctx), FG_OK);
    struct stat st;
    assert_int_equal(stat(TMP "/elsewhere/my.gpkg", &st), 0);
    assert_int_not_equal(stat(TMP "/out_locked/ledger.gpkg", &st), 0);
    assert_int_equal(system("cp '" TMP "/out_locked/county_incidents.csv' '" TMP "/locked.csv'"), 0);
    /* another run holds the ledger */
    int fd = open(TMP "/elsewhere/my.gpkg.lock", O_RDWR | O_CREAT, 0644);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
    fg_ctx_clear(&ctx);
    assert_int_not_equal(fg_run(&c, NULL, 0, &s, NULL, NULL, &ctx), FG_OK);
    assert_non_null(strstr(ctx.msg, "another firegrid run"));
    close(fd);
    /* a ledger from a newer firegrid */
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(TMP "/elsewhere/my.gpkg", GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
    assert_non_null(ds);
    GDALDatasetReleaseResultSet(
        ds, GDALDatasetExecuteSQL(ds, "UPDATE meta SET value = '99' WHERE key = 'schema'", NULL, NULL));
    GDALClose(ds);
    fg_ctx_clear(&ctx);
    assert_int_equal(fg_run(&c, NULL, 0, &s, NULL, NULL, &ctx), FG_EFORMAT);
    assert_non_null(strstr(ctx.msg, "my.gpkg"));
    assert_true(same_file(TMP "/locked.csv", TMP "/out_locked/county_incidents.csv"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_hot_pixel_is_placed_in_its_village_and_listed),
        cmocka_unit_test(a_missing_scene_folder_is_a_skip_not_a_failure),
        cmocka_unit_test(frames_without_a_registry_are_skipped_with_a_reason),
        cmocka_unit_test(missing_boundaries_fail_and_say_so_in_the_log),
        cmocka_unit_test(a_rerun_adds_nothing_and_a_next_day_pass_continues_the_incident),
        cmocka_unit_test(a_spring_festival_hit_in_a_village_centre_is_a_possible_bonfire),
        cmocka_unit_test(a_ledger_in_use_or_of_a_newer_schema_fails_the_run_and_keeps_the_lists),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
