/* test_alerts_run.c — the run pipeline on small generated inputs: placement, skips, outputs, log. */
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

#include "alerts/alerts.h"

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
    assert_int_equal(stat(TMP "/out_missing/county_alerts.csv", &st), 0);
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
    assert_int_not_equal(stat(TMP "/out_fail/county_alerts.csv", &st), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_hot_pixel_is_placed_in_its_village_and_listed),
        cmocka_unit_test(a_missing_scene_folder_is_a_skip_not_a_failure),
        cmocka_unit_test(frames_without_a_registry_are_skipped_with_a_reason),
        cmocka_unit_test(missing_boundaries_fail_and_say_so_in_the_log),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
