/* test_imagery_registry.c — camera registry CSV: good rows kept, impossible rows reported by path:line. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "imagery/imagery.h"

#define HEADER "camera_id,lon,lat,height_m,heading_deg,hfov_deg,tilt_deg,width,height\n"

typedef struct skips {
    int n;
    char what[16][256];
    char why[16][256];
} skips;

static void on_skip(void *user, const char *what, const char *reason)
{
    skips *s = user;
    if (s->n < 16) {
        snprintf(s->what[s->n], sizeof s->what[0], "%s", what);
        snprintf(s->why[s->n], sizeof s->why[0], "%s", reason);
    }
    s->n++;
}

static const char *write_csv(const char *name, const char *text)
{
    static char path[1024];
    mkdir(FG_TEST_TMPDIR, 0777);
    snprintf(path, sizeof path, "%s/%s", FG_TEST_TMPDIR, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    return path;
}

static void good_rows_are_read_with_their_values(void **state)
{
    (void)state;
    const char *path = write_csv("good.csv",
                                 "\xEF\xBB\xBF" HEADER
                                 "CAM-01,111.6012345,39.4412345,92.5,71.25,60,2.5,1280,720\r\n"
                                 "\n"
                                 "CAM-02, 111.90 ,39.30,40,360,90,-1.5,1920,1080\n");
    fg_camera *cams = NULL;
    size_t n = 0;
    skips sk = {0};
    fg_ctx ctx = {0};
    assert_int_equal(fg_camera_registry_read(path, &cams, &n, on_skip, &sk, &ctx), FG_OK);
    assert_int_equal(n, 2);
    assert_int_equal(sk.n, 0);
    assert_string_equal(cams[0].id, "CAM-01");
    assert_float_equal(cams[0].lon, 111.6012345, 1e-12);
    assert_float_equal(cams[0].lat, 39.4412345, 1e-12);
    assert_float_equal(cams[0].height_m, 92.5, 0);
    assert_float_equal(cams[0].heading_deg, 71.25, 0);
    assert_float_equal(cams[0].hfov_deg, 60, 0);
    assert_float_equal(cams[0].tilt_deg, 2.5, 0);
    assert_int_equal(cams[0].width, 1280);
    assert_int_equal(cams[0].height, 720);
    assert_string_equal(cams[1].id, "CAM-02");
    assert_float_equal(cams[1].lon, 111.90, 1e-12);
    assert_float_equal(cams[1].heading_deg, 0, 0); /* 360 is north */
    assert_float_equal(cams[1].tilt_deg, -1.5, 0);
    fg_free(cams);
}

/* Operators annotate their files: comment lines may come before the header and
 * between rows; a comment is not a header. */
static void comment_lines_before_and_after_the_header_are_ignored(void **state)
{
    (void)state;
    const char *path = write_csv("comments.csv", "# tower cameras of the county, surveyed 2026\n"
                                                 "\n"
                                                 "# positions WGS84\n" HEADER
                                                 "# the north tower\n"
                                                 "CAM-01,111.6,39.4,92.5,71.25,60,2.5,1280,720\n");
    fg_camera *cams = NULL;
    size_t n = 0;
    skips sk = {0};
    fg_ctx ctx = {0};
    assert_int_equal(fg_camera_registry_read(path, &cams, &n, on_skip, &sk, &ctx), FG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(sk.n, 0);
    assert_string_equal(cams[0].id, "CAM-01");
    fg_free(cams);
    /* a file of comments only has no header */
    path = write_csv("only_comments.csv", "# nothing here yet\n");
    assert_int_equal(fg_camera_registry_read(path, &cams, &n, on_skip, &sk, &ctx), FG_EFORMAT);
}

static void impossible_rows_are_skipped_naming_path_and_line(void **state)
{
    (void)state;
    const char *path = write_csv("bad.csv",
                                 HEADER
                                 "OK-1,111.6,39.4,90,70,60,2.5,1280,720\n"        /* 2 */
                                 "HDG,111.6,39.4,90,400,60,2.5,1280,720\n"        /* 3 */
                                 "LAT,111.6,95.0,90,70,60,2.5,1280,720\n"         /* 4 */
                                 "FOV,111.6,39.4,90,70,180,2.5,1280,720\n"        /* 5 */
                                 "FOV0,111.6,39.4,90,70,0,2.5,1280,720\n"         /* 6 */
                                 "HGT,111.6,39.4,-5,70,60,2.5,1280,720\n"         /* 7 */
                                 "NUM,111.6x,39.4,90,70,60,2.5,1280,720\n"        /* 8 */
                                 "FEW,111.6,39.4,90,70,60,2.5,1280\n"             /* 9 */
                                 "SIZE,111.6,39.4,90,70,60,2.5,0,720\n"           /* 10 */
                                 "OK-1,111.7,39.5,90,70,60,2.5,1280,720\n"        /* 11: dup */
                                 "NAN,111.6,39.4,nan,70,60,2.5,1280,720\n"        /* 12 */
                                 "OK-2,111.7,39.5,90,0,60,2.5,1280,720\n");       /* 13 */
    fg_camera *cams = NULL;
    size_t n = 0;
    skips sk = {0};
    fg_ctx ctx = {0};
    assert_int_equal(fg_camera_registry_read(path, &cams, &n, on_skip, &sk, &ctx), FG_OK);
    assert_int_equal(n, 2);
    assert_string_equal(cams[0].id, "OK-1");
    assert_float_equal(cams[0].lon, 111.6, 1e-12); /* the first of the duplicates */
    assert_string_equal(cams[1].id, "OK-2");
    fg_free(cams);

    static const struct {
        int line;
        const char *word; /* the reason names the offending field */
    } want[] = {{3, "heading"}, {4, "lat"},  {5, "hfov"},      {6, "hfov"}, {7, "height_m"},
                {8, "lon"},     {9, "fields"}, {10, "size"}, {11, "duplicate"}, {12, "height_m"}};
    assert_int_equal(sk.n, (int)(sizeof want / sizeof want[0]));
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char where[1100];
        snprintf(where, sizeof where, "%s:%d", path, want[i].line);
        assert_string_equal(sk.what[i], where);
        if (!strstr(sk.why[i], want[i].word))
            fail_msg("line %d: reason '%s' does not mention '%s'", want[i].line, sk.why[i],
                     want[i].word);
    }
}

static void missing_file_is_not_found(void **state)
{
    (void)state;
    fg_camera *cams = (fg_camera *)state;
    size_t n = 7;
    fg_ctx ctx = {0};
    assert_int_equal(fg_camera_registry_read(FG_TEST_TMPDIR "/nope.csv", &cams, &n, NULL, NULL,
                                             &ctx),
                     FG_ENOTFOUND);
    assert_int_equal(n, 7);
    assert_non_null(strstr(ctx.msg, "nope.csv"));
}

static void bad_or_missing_header_is_a_format_error(void **state)
{
    (void)state;
    fg_camera *cams = NULL;
    size_t n = 7;
    fg_ctx ctx = {0};
    const char *path = write_csv("hdr.csv", "id,lon,lat,height_m,heading_deg,hfov_deg,tilt_deg,"
                                            "width,height\nCAM-01,111.6,39.4,90,70,60,2.5,1280,"
                                            "720\n");
    assert_int_equal(fg_camera_registry_read(path, &cams, &n, NULL, NULL, &ctx), FG_EFORMAT);
    assert_non_null(strstr(ctx.msg, "hdr.csv:1"));
    assert_null(cams);
    assert_int_equal(n, 7);
    path = write_csv("empty.csv", "");
    assert_int_equal(fg_camera_registry_read(path, &cams, &n, NULL, NULL, &ctx), FG_EFORMAT);
    assert_non_null(strstr(ctx.msg, "empty.csv"));
    /* a header alone is a registry with no cameras */
    path = write_csv("none.csv", HEADER);
    assert_int_equal(fg_camera_registry_read(path, &cams, &n, NULL, NULL, &ctx), FG_OK);
    assert_int_equal(n, 0);
    assert_null(cams);
}


#define HEADER_EXT HEADER_BASE ",preset,mask_wkt\n"
#define HEADER_BASE "camera_id,lon,lat,height_m,heading_deg,hfov_deg,tilt_deg,width,height"

static void preset_and_quoted_mask_columns_are_read(void **state)
{
    (void)state;
    const char *path = write_csv(
        "ext.csv", HEADER_EXT
        "T1,111.6,39.4,90,70,60,2.5,1280,720,east,\"POLYGON((0 0,1280 0,1280 200,0 200,0 0))\"\n"
        "T1,111.6,39.4,90,160,60,2.5,1280,720,south,\n"
        "T2,111.7,39.5,60,10,50,1,1920,1080,,\"MULTIPOLYGON(((0 0,10 0,10 10,0 0)),((100 100,"
        "200 100,200 200,100 100)))\"\n"
        "T3,111.8,39.6,60,10,50,1,1920,1080\n"); /* trailing optional cells left out */
    fg_camera *cams = NULL;
    size_t n = 0;
    skips sk = {0};
    fg_ctx ctx = {0};
    assert_int_equal(fg_camera_registry_read(path, &cams, &n, on_skip, &sk, &ctx), FG_OK);
    if (sk.n)
        fail_msg("unexpected skip %s: %s", sk.what[0], sk.why[0]);
    assert_int_equal(n, 4);
    assert_string_equal(cams[0].id, "T1");
    assert_string_equal(cams[0].preset, "east");
    assert_string_equal(cams[0].mask_wkt, "POLYGON((0 0,1280 0,1280 200,0 200,0 0))");
    assert_string_equal(cams[1].preset, "south"); /* same tower, another preset */
    assert_float_equal(cams[1].heading_deg, 160, 0);
    assert_string_equal(cams[1].mask_wkt, "");
    assert_string_equal(cams[2].preset, "");
    assert_non_null(strstr(cams[2].mask_wkt, "MULTIPOLYGON"));
    assert_string_equal(cams[3].preset, "");
    assert_string_equal(cams[3].mask_wkt, "");
    fg_free(cams);
}

static void optional_columns_may_come_in_either_order(void **state)
{
    (void)state;
    const char *path = write_csv("order.csv", HEADER_BASE ",mask_wkt,preset\n"
                                              "T1,111.6,39.4,90,70,60,2.5,1280,720,"
                                              "\"POLYGON((0 0,5 0,5 5,0 0))\",north\n");
    fg_camera *cams = NULL;
    size_t n = 0;
    fg_ctx ctx = {0};
    assert_int_equal(fg_camera_registry_read(path, &cams, &n, NULL, NULL, &ctx), FG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(cams[0].preset, "north");
    assert_string_equal(cams[0].mask_wkt, "POLYGON((0 0,5 0,5 5,0 0))");
    fg_free(cams);
    /* an unknown or repeated extra column is a bad header */
    path = write_csv("order2.csv", HEADER_BASE ",preset,preset\n");
    assert_int_equal(fg_camera_registry_read(path, &cams, &n, NULL, NULL, &ctx), FG_EFORMAT);
    path = write_csv("order3.csv", HEADER_BASE ",zoom\n");
    assert_int_equal(fg_camera_registry_read(path, &cams, &n, NULL, NULL, &ctx), FG_EFORMAT);
    assert_non_null(strstr(ctx.msg, "mask_wkt"));
}

static void masks_that_are_not_image_polygons_are_skipped_with_the_reason(void **state)
{
    (void)state;
    const char *path = write_csv(
        "masks.csv", HEADER_EXT
        "OK,111.6,39.4,90,70,60,2.5,1280,720,,\"POLYGON((0 0,1280 0,1280 720,0 720,0 0))\"\n" /* 2 */
        "LINE,111.6,39.4,90,70,60,2.5,1280,720,,\"LINESTRING(0 0,10 10)\"\n"                  /* 3 */
        "JUNK,111.6,39.4,90,70,60,2.5,1280,720,,\"POLYGON((0 0,1 1\"\n"                      /* 4 */
        "OUT,111.6,39.4,90,70,60,2.5,1280,720,,\"POLYGON((0 0,1300 0,1300 10,0 0))\"\n"      /* 5 */
        "NEG,111.6,39.4,90,70,60,2.5,1280,720,,\"POLYGON((-5 0,10 0,10 10,-5 0))\"\n"        /* 6 */
        "PT,111.6,39.4,90,70,60,2.5,1280,720,,POINT(3 4)\n"                                  /* 7 */
        "QUOTE,111.6,39.4,90,70,60,2.5,1280,720,,\"POLYGON((0 0,1 0,1 1,0 0))\n"            /* 8 */
        "EMPTY,111.6,39.4,90,70,60,2.5,1280,720,,POLYGON EMPTY\n"                            /* 9 */
        "TAIL,111.6,39.4,90,70,60,2.5,1280,720,,\"POLYGON((0 0,1 0,1 1,0 0)) x\"\n"         /* 10 */
        "P/X,111.6,39.4,90,70,60,2.5,1280,720,a/b,\n"                                        /* 11 */
        "OK,111.6,39.4,90,70,60,2.5,1280,720,,\n");                                          /* 12 */
    fg_camera *cams = NULL;
    size_t n = 0;
    skips sk = {0};
    fg_ctx ctx = {0};
    assert_int_equal(fg_camera_registry_read(path, &cams, &n, on_skip, &sk, &ctx), FG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(cams[0].id, "OK");
    fg_free(cams);
    static const struct {
        int line;
        const char *word;
    } want[] = {{3, "Line String"}, {4, "parse"}, {5, "1300"},  {6, "-5"},
                {7, "Point"},       {8, "quote"}, {9, "empty"}, {10, "after"},
                {11, "preset"},   {12, "duplicate"}};
    assert_int_equal(sk.n, (int)(sizeof want / sizeof want[0]));
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char where[1100];
        snprintf(where, sizeof where, "%s:%d", path, want[i].line);
        assert_string_equal(sk.what[i], where);
        if (!strstr(sk.why[i], want[i].word))
            fail_msg("line %d: reason '%s' does not mention '%s'", want[i].line, sk.why[i],
                     want[i].word);
    }
}

static void csv_split_table(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        int n;
        const char *f0, *f1;
    } table[] = {
        {"a,b", 2, "a", "b"},
        {"  a ,  b  ", 2, "a", "b"},
        {"\"x, y\",z", 2, "x, y", "z"},
        {"\"say \"\"hi\"\"\" , 2", 2, "say \"hi\"", "2"},
        {"a,,c", 3, "a", ""},
        {"\"open,b", -1, NULL, NULL},
        {"\"a\"x,b", -1, NULL, NULL},
        {"a,b,c,d", 4, "a", "b"},
        {"a,b,c,d,e", 5, NULL, NULL}, /* more than max 4 */
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        char buf[128];
        char *f[4];
        snprintf(buf, sizeof buf, "%s", table[i].line);
        int n = fg_csv_split(buf, f, 4);
        assert_int_equal(n, table[i].n);
        if (table[i].f0) {
            assert_string_equal(f[0], table[i].f0);
            assert_string_equal(f[1], table[i].f1);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_split_table),
        cmocka_unit_test(good_rows_are_read_with_their_values),
        cmocka_unit_test(comment_lines_before_and_after_the_header_are_ignored),
        cmocka_unit_test(impossible_rows_are_skipped_naming_path_and_line),
        cmocka_unit_test(missing_file_is_not_found),
        cmocka_unit_test(bad_or_missing_header_is_a_format_error),
        cmocka_unit_test(preset_and_quoted_mask_columns_are_read),
        cmocka_unit_test(optional_columns_may_come_in_either_order),
        cmocka_unit_test(masks_that_are_not_image_polygons_are_skipped_with_the_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
