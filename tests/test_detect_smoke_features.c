/* test_detect_smoke_features.c — per-block smoke appearance features and the horizon estimate on generated frames. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "detect/detect.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static void set_px(fg_raster *r, int row, int col, int R, int G, int B)
{
    unsigned char *p = (unsigned char *)r->data + (size_t)row * r->stride + 3 * (size_t)col;
    p[0] = (unsigned char)(R < 0 ? 0 : R > 255 ? 255 : R);
    p[1] = (unsigned char)(G < 0 ? 0 : G > 255 ? 255 : G);
    p[2] = (unsigned char)(B < 0 ? 0 : B > 255 ? 255 : B);
}

static fg_raster new_frame(int w, int h)
{
    fg_raster r;
    assert_int_equal(fg_raster_alloc(&r, w, h, 3, FG_PIX_U8, 0, NULL), FG_OK);
    return r;
}

/* Ploughed-field / crop texture: green-brown with pixel-scale detail. */
static void paint_field(fg_raster *r, int row0, int row1, int col0, int col1, uint64_t salt)
{
    for (int y = row0; y < row1; y++)
        for (int x = col0; x < col1; x++) {
            double n = 60.0 * fg_hash01(salt, x, y) - 30.0;
            set_px(r, y, x, (int)(70 + 0.6 * n), (int)(120 + n), (int)(40 + 0.4 * n));
        }
}

/* Sky: smooth blue, brightening towards the horizon. */
static void paint_sky(fg_raster *r, int row1)
{
    for (int y = 0; y < row1; y++)
        for (int x = 0; x < r->width; x++)
            set_px(r, y, x, 150 + y / 8, 185 + y / 10, 235);
}

static const float *block_of(const float *feat, int nbx, int bx, int by)
{
    return feat + ((size_t)by * (size_t)nbx + (size_t)bx) * FG_SF_COUNT;
}

static void grey_block_is_colourless_unsaturated_and_smooth_field_the_opposite(void **state)
{
    (void)state;
    /* left half: uniform smoke grey; right half: textured green field */
    fg_raster r = new_frame(64, 32);
    for (int y = 0; y < 32; y++)
        for (int x = 0; x < 32; x++)
            set_px(&r, y, x, 160, 160, 160);
    paint_field(&r, 0, 32, 32, 64, 7);
    float feat[4 * 2 * FG_SF_COUNT];
    fg_ctx ctx = {0};
    assert_int_equal(fg_smoke_appearance(&r, 16, 5.0, feat, &ctx), FG_OK);
    /* an interior grey block (no frame or field edge in its Laplacian) */
    const float *g = block_of(feat, 4, 0, 1), *f = block_of(feat, 4, 3, 1);
    assert_float_equal(g[FG_SF_LUMA], 160.0 / 255.0, 1e-4);
    assert_float_equal(g[FG_SF_LUMA_STD], 0.0, 1e-3);
    assert_float_equal(g[FG_SF_COLOURLESS], 1.0, 1e-4);
    assert_float_equal(g[FG_SF_SATURATION], 0.0, 1e-6);
    assert_float_equal(g[FG_SF_BLUE_RED], 0.0, 1e-6);
    assert_float_equal(g[FG_SF_DARK_CHANNEL], 160.0 / 255.0, 1e-5);
    assert_float_equal(g[FG_SF_HIGH_FREQ], 0.0, 1e-5);
    /* the field: coloured, saturated, red above blue, dark channel low, detailed */
    assert_true(f[FG_SF_COLOURLESS] < g[FG_SF_COLOURLESS] - 0.3f);
    assert_true(f[FG_SF_SATURATION] > 0.4f);
    assert_true(f[FG_SF_BLUE_RED] < -0.05f);
    assert_true(f[FG_SF_DARK_CHANNEL] < 0.25f);
    assert_true(f[FG_SF_HIGH_FREQ] > 0.5f);
    assert_true(f[FG_SF_LUMA_STD] > 0.15f);
    fg_raster_release(&r);
}

static void horizontal_stripes_have_vertical_gradient_vertical_stripes_not(void **state)
{
    (void)state;
    fg_raster r = new_frame(32, 16);
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 32; x++) {
            int hs = (y / 2) % 2 ? 200 : 60; /* horizontal stripes: left half */
            int vs = (x / 2) % 2 ? 200 : 60; /* vertical stripes: right half */
            int v = x < 16 ? hs : vs;
            set_px(&r, y, x, v, v, v);
        }
    float feat[2 * FG_SF_COUNT];
    assert_int_equal(fg_smoke_appearance(&r, 16, 0.0, feat, NULL), FG_OK);
    assert_true(feat[FG_SF_GRAD_VERT] > 0.3f);
    assert_true(feat[FG_SF_COUNT + FG_SF_GRAD_VERT] < -0.3f);
    fg_raster_release(&r);
}

/* A sky/ground frame with the horizon at a known row; the estimate must land
 * within a few rows. */
static const struct {
    int w, h, horizon;
} HORIZONS[] = {
    {320, 240, 40}, {320, 240, 90}, {320, 240, 170}, {640, 480, 200}, {160, 120, 60},
};

static void horizon_of_sky_over_field_is_found_within_three_rows(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof HORIZONS / sizeof HORIZONS[0]; i++) {
        fg_raster r = new_frame(HORIZONS[i].w, HORIZONS[i].h);
        paint_sky(&r, HORIZONS[i].horizon);
        paint_field(&r, HORIZONS[i].horizon, HORIZONS[i].h, 0, HORIZONS[i].w, 3 + i);
        double est = fg_smoke_horizon(&r);
        if (fabs(est - HORIZONS[i].horizon) > 3.0)
            fail_msg("case %zu: horizon at row %d estimated at %.1f", i, HORIZONS[i].horizon,
                     est);
        fg_raster_release(&r);
    }
}

static void row_feature_is_negative_above_the_horizon_and_positive_below(void **state)
{
    (void)state;
    const int w = 320, h = 240, hz = 100, b = 16;
    fg_raster r = new_frame(w, h);
    paint_sky(&r, hz);
    paint_field(&r, hz, h, 0, w, 11);
    int nbx = w / b, nby = h / b;
    float *feat = test_malloc((size_t)nbx * nby * FG_SF_COUNT * sizeof *feat);
    /* estimated horizon */
    assert_int_equal(fg_smoke_appearance(&r, b, -1.0, feat, NULL), FG_OK);
    for (int by = 0; by < nby; by++) {
        float row = block_of(feat, nbx, 5, by)[FG_SF_ROW];
        int centre = by * b + b / 2;
        if (centre < hz - 3)
            assert_true(row < 0);
        else if (centre > hz + 3)
            assert_true(row > 0);
    }
    /* a sky block matches the sky (contrast ≈ 0); a field block is darker */
    assert_true(fabsf(block_of(feat, nbx, 5, 2)[FG_SF_SKY_CONTRAST]) < 0.05f);
    assert_true(block_of(feat, nbx, 5, nby - 1)[FG_SF_SKY_CONTRAST] < -0.3f);
    /* a given horizon row is used as is: (centre − horizon) / height */
    assert_int_equal(fg_smoke_appearance(&r, b, 120.0, feat, NULL), FG_OK);
    assert_float_equal(block_of(feat, nbx, 0, 0)[FG_SF_ROW], (8.0 - 120.0) / 240.0, 1e-6);
    assert_float_equal(block_of(feat, nbx, 0, 10)[FG_SF_ROW], (168.0 - 120.0) / 240.0, 1e-6);
    test_free(feat);
    fg_raster_release(&r);
}

static void partial_edge_blocks_are_dropped_and_stride_is_honoured(void **state)
{
    (void)state;
    /* 70×50 pixels in a raster with padding: 4×3 blocks of 16 */
    fg_raster r;
    memset(&r, 0, sizeof r);
    r.width = 70;
    r.height = 50;
    r.channels = 3;
    r.type = FG_PIX_U8;
    r.stride = 70 * 3 + 9;
    r.data = test_calloc(r.stride * 50, 1);
    paint_field(&r, 0, 50, 0, 70, 5);
    float *feat = test_malloc((4 * 3 * FG_SF_COUNT + 1) * sizeof *feat);
    feat[4 * 3 * FG_SF_COUNT] = -12345.0f; /* sentinel just past the last block */
    assert_int_equal(fg_smoke_appearance(&r, 16, -1.0, feat, NULL), FG_OK);
    assert_float_equal(feat[4 * 3 * FG_SF_COUNT], -12345.0f, 0);
    for (int i = 0; i < 4 * 3 * FG_SF_COUNT; i++)
        assert_true(isfinite(feat[i]));
    test_free(feat);
    test_free(r.data);
}

static void one_and_two_threads_give_the_same_bytes(void **state)
{
    (void)state;
#ifndef _OPENMP
    skip();
#else
    const int w = 640, h = 480, b = 8;
    fg_raster r = new_frame(w, h);
    paint_sky(&r, 150);
    paint_field(&r, 150, h, 0, w, 99);
    /* a grey plume rising from the field */
    for (int y = 60; y < 200; y++)
        for (int x = 300; x < 300 + (200 - y) / 2; x++)
            set_px(&r, y, x, 170, 170, 172);
    size_t n = (size_t)(w / b) * (h / b) * FG_SF_COUNT;
    float *f1 = test_malloc(n * sizeof *f1), *f2 = test_malloc(n * sizeof *f2);
    int saved = omp_get_max_threads();
    omp_set_num_threads(1);
    assert_int_equal(fg_smoke_appearance(&r, b, -1.0, f1, NULL), FG_OK);
    double h1 = fg_smoke_horizon(&r);
    omp_set_num_threads(2);
    assert_int_equal(fg_smoke_appearance(&r, b, -1.0, f2, NULL), FG_OK);
    double h2 = fg_smoke_horizon(&r);
    omp_set_num_threads(saved);
    assert_memory_equal(f1, f2, n * sizeof *f1);
    assert_memory_equal(&h1, &h2, sizeof h1);
    test_free(f1);
    test_free(f2);
    fg_raster_release(&r);
#endif
}

static void bad_frames_and_blocks_are_refused(void **state)
{
    (void)state;
    fg_raster r = new_frame(32, 32);
    float feat[4 * FG_SF_COUNT];
    fg_ctx ctx = {0};
    assert_int_equal(fg_smoke_appearance(NULL, 16, 0, feat, &ctx), FG_EINVAL);
    assert_int_equal(fg_smoke_appearance(&r, 16, 0, NULL, &ctx), FG_EINVAL);
    assert_int_equal(fg_smoke_appearance(&r, 0, 0, feat, &ctx), FG_EINVAL);
    assert_int_equal(fg_smoke_appearance(&r, 33, 0, feat, &ctx), FG_EINVAL);
    assert_non_null(strstr(ctx.msg, "block side 33"));
    assert_int_equal(fg_smoke_appearance(&r, 16, NAN, feat, &ctx), FG_EINVAL);
    fg_raster grey;
    assert_int_equal(fg_raster_alloc(&grey, 32, 32, 1, FG_PIX_U8, 0, NULL), FG_OK);
    assert_int_equal(fg_smoke_appearance(&grey, 16, 0, feat, &ctx), FG_EINVAL);
    assert_non_null(strstr(ctx.msg, "RGB"));
    assert_float_equal(fg_smoke_horizon(&grey), 0.0, 0);
    fg_raster_release(&grey);
    fg_raster_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grey_block_is_colourless_unsaturated_and_smooth_field_the_opposite),
        cmocka_unit_test(horizontal_stripes_have_vertical_gradient_vertical_stripes_not),
        cmocka_unit_test(horizon_of_sky_over_field_is_found_within_three_rows),
        cmocka_unit_test(row_feature_is_negative_above_the_horizon_and_positive_below),
        cmocka_unit_test(partial_edge_blocks_are_dropped_and_stride_is_honoured),
        cmocka_unit_test(one_and_two_threads_give_the_same_bytes),
        cmocka_unit_test(bad_frames_and_blocks_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
