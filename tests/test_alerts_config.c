/* test_alerts_config.c — run configuration: sample defaults, key = value files, bad lines. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "alerts/alerts.h"

#define TMP FG_TEST_TMPDIR

static char warned[8][512];
static int nwarned;

static void collect(void *user, const char *msg)
{
    (void)user;
    if (nwarned < 8)
        snprintf(warned[nwarned++], sizeof warned[0], "%s", msg);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
    (void)state;
    mkdir(TMP, 0777);
    return 0;
}

static void sample_defaults_point_at_the_synth_folder(void **state)
{
    (void)state;
    fg_run_config c;
    fg_run_config_sample(&c);
    assert_string_equal(c.boundaries, "firegrid-sample/county_cells.geojson");
    assert_string_equal(c.out_dir, "firegrid-out");
    assert_int_equal(c.cam_scale, 0);
}

static void keys_are_read_and_relative_paths_follow_the_file(void **state)
{
    (void)state;
    write_file(TMP "/a.conf", "\xEF\xBB\xBF# county config\n"
                              "boundaries = data/villages.shp   # OGR\n"
                              "scenes=/abs/scenes\n"
                              "  threads = 2\n"
                              "output = out\n"
                              "camera_scale = 4\n");
    fg_run_config c;
    fg_run_config_sample(&c);
    fg_ctx ctx = {0};
    int nwarn = 0;
    nwarned = 0;
    assert_int_equal(fg_run_config_read(TMP "/a.conf", &c, collect, NULL, &nwarn, &ctx), FG_OK);
    assert_int_equal(nwarn, 0);
    assert_string_equal(c.boundaries, TMP "/data/villages.shp");
    assert_string_equal(c.scenes_dir, "/abs/scenes");
    assert_string_equal(c.out_dir, TMP "/out");
    assert_int_equal(c.threads, 2);
    assert_int_equal(c.cam_scale, 4);
    assert_string_equal(c.source, TMP "/a.conf");
}

static void unknown_keys_and_bad_lines_are_named_with_file_and_line(void **state)
{
    (void)state;
    write_file(TMP "/b.conf", "output = fine\n"
                              "colour = blue\n"
                              "just some words\n"
                              "threads = many\n"
                              "camera_scale = 99\n");
    fg_run_config c;
    fg_run_config_sample(&c);
    fg_ctx ctx = {0};
    int nwarn = 0;
    nwarned = 0;
    assert_int_equal(fg_run_config_read(TMP "/b.conf", &c, collect, NULL, &nwarn, &ctx), FG_OK);
    assert_int_equal(nwarn, 4);
    assert_non_null(strstr(warned[0], "b.conf:2: unknown key 'colour'"));
    assert_non_null(strstr(warned[1], "b.conf:3:"));
    assert_non_null(strstr(warned[2], "b.conf:4: bad value threads"));
    assert_non_null(strstr(warned[3], "b.conf:5: bad value camera_scale"));
    /* The good line still counts; the bad ones leave the defaults. */
    assert_string_equal(c.out_dir, TMP "/fine");
    assert_int_equal(c.threads, 0);
    assert_int_equal(c.cam_scale, 0);
}

static void a_missing_config_fails_and_changes_nothing(void **state)
{
    (void)state;
    fg_run_config c, before;
    fg_run_config_sample(&c);
    before = c;
    fg_ctx ctx = {0};
    assert_int_equal(fg_run_config_read(TMP "/missing.conf", &c, NULL, NULL, NULL, &ctx),
                     FG_ENOTFOUND);
    assert_non_null(strstr(ctx.msg, "missing.conf"));
    assert_memory_equal(&c, &before, sizeof c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sample_defaults_point_at_the_synth_folder),
        cmocka_unit_test(keys_are_read_and_relative_paths_follow_the_file),
        cmocka_unit_test(unknown_keys_and_bad_lines_are_named_with_file_and_line),
        cmocka_unit_test(a_missing_config_fails_and_changes_nothing),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
