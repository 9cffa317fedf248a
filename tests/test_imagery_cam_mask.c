/* test_imagery_cam_mask.c — ignore polygons in full-resolution pixels rasterised onto the working frame's block grid. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "imagery/imagery.h"

static fg_camera camera(const char *wkt, int w, int h)
{
    fg_camera c;
    memset(&c, 0, sizeof c);
    snprintf(c.id, sizeof c.id, "TOWER-7");
    c.width = w;
    c.height = h;
    snprintf(c.mask_wkt, sizeof c.mask_wkt, "%s", wkt);
    return c;
}

static int count(const unsigned char *m, size_t n)
{
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += m[i] != 0;
    return k;
}

static void sky_polygon_masks_the_block_rows_it_covers_at_half_scale(void **state)
{
    (void)state;
    /* full 1280×720, working 640×360 (1/2), 16-px blocks: 40×22 blocks. The sky is
     * y < 360 full = y < 180 working: block rows 0..10 (to 176) fully, row 11
     * (176..192) a quarter: not masked. */
    fg_camera c = camera("POLYGON((0 0,1280 0,1280 360,0 360,0 0))", 1280, 720);
    unsigned char *m = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_camera_block_mask(&c, 640, 360, 16, &m, &ctx), FG_OK);
    assert_non_null(m);
    for (int by = 0; by < 22; by++)
        for (int bx = 0; bx < 40; bx++)
            if (m[by * 40 + bx] != (by <= 10))
                fail_msg("block (%d, %d): %d", bx, by, m[by * 40 + bx]);
    fg_free(m);
}

static void a_block_is_masked_from_half_coverage_table(void **state)
{
    (void)state;
    /* one 16-px block at full = working size; a rectangle covering the left k/16
     * of block (0, 0). Sub-cell centres at 1, 3, 5, ... px decide (a centre on the
     * edge may go either way, so no case puts the 4th centre, x = 7, on it). */
    static const struct {
        int right;  /* rectangle x1 in pixels */
        int masked; /* block (0, 0) */
    } cases[] = {{2, 0}, {5, 0}, {6, 0}, {9, 1}, {10, 1}, {12, 1}, {16, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char wkt[128];
        snprintf(wkt, sizeof wkt, "POLYGON((0 0,%d 0,%d 16,0 16,0 0))", cases[i].right,
                 cases[i].right);
        fg_camera c = camera(wkt, 64, 32);
        unsigned char *m = NULL;
        fg_ctx ctx = {0};
        assert_int_equal(fg_camera_block_mask(&c, 64, 32, 16, &m, &ctx), FG_OK);
        if (m[0] != cases[i].masked)
            fail_msg("x1 = %d: block masked %d, expected %d", cases[i].right, m[0],
                     cases[i].masked);
        assert_int_equal(count(m, 8), cases[i].masked);
        fg_free(m);
    }
}

static void multipolygon_scales_from_full_resolution_at_a_quarter(void **state)
{
    (void)state;
    /* full 3072×2048 → working 768×512 (1/4), 8-px blocks: 96×64 blocks; one block
     * is 32 full-resolution pixels. Two squares: blocks (0..1, 0..1) and (95, 63). */
    fg_camera c = camera("MULTIPOLYGON(((0 0,64 0,64 64,0 64,0 0)),"
                         "((3040 2016,3072 2016,3072 2048,3040 2048,3040 2016)))",
                         3072, 2048);
    unsigned char *m = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_camera_block_mask(&c, 768, 512, 8, &m, &ctx), FG_OK);
    assert_int_equal(count(m, 96 * 64), 5);
    assert_int_equal(m[0], 1);
    assert_int_equal(m[1], 1);
    assert_int_equal(m[96], 1);
    assert_int_equal(m[97], 1);
    assert_int_equal(m[63 * 96 + 95], 1);
    fg_free(m);
}

static void no_mask_gives_null_and_bad_wkt_names_the_camera(void **state)
{
    (void)state;
    fg_camera c = camera("", 1280, 720);
    unsigned char *m = (unsigned char *)&c;
    fg_ctx ctx = {0};
    assert_int_equal(fg_camera_block_mask(&c, 640, 360, 16, &m, &ctx), FG_OK);
    assert_null(m);

    static const char *const bad[] = {"POLYGON((0 0,1 1", "LINESTRING(0 0,5 5)", "banana"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        c = camera(bad[i], 1280, 720);
        unsigned char sentinel = 0, *mm = &sentinel;
        fg_ctx_clear(&ctx);
        assert_int_equal(fg_camera_block_mask(&c, 640, 360, 16, &mm, &ctx), FG_EFORMAT);
        assert_ptr_equal(mm, &sentinel);
        assert_non_null(strstr(ctx.msg, "TOWER-7"));
    }
    c = camera("POLYGON((0 0,5 0,5 5,0 0))", 1280, 720);
    assert_int_equal(fg_camera_block_mask(&c, 8, 8, 16, &m, &ctx), FG_EINVAL);
    assert_int_equal(fg_camera_block_mask(NULL, 640, 360, 16, &m, &ctx), FG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sky_polygon_masks_the_block_rows_it_covers_at_half_scale),
        cmocka_unit_test(a_block_is_masked_from_half_coverage_table),
        cmocka_unit_test(multipolygon_scales_from_full_resolution_at_a_quarter),
        cmocka_unit_test(no_mask_gives_null_and_bad_wkt_names_the_camera),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
