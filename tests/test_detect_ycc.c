/* test_detect_ycc.c — JFIF YCbCr 4:2:0 rasters: their planes, and the conversions from and to RGB. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "detect/detect.h"

/* An RGB frame of w×h: pixel (r, c) from a hash of k, r, c. */
static void rgb_frame(fg_raster *r, int w, int h, uint32_t k)
{
    fg_ctx ctx = {0};
    assert_int_equal(fg_raster_alloc(r, w, h, 3, FG_PIX_U8, 0, &ctx), FG_OK);
    unsigned char *p = r->data;
    for (size_t i = 0; i < (size_t)w * h * 3; i++) {
        uint32_t x = (uint32_t)i * 2654435761u ^ k * 40503u;
        x ^= x >> 15;
        x *= 0x2c1b3c6dU;
        p[i] = (unsigned char)(x >> 24);
    }
}

static double rgb_at(const fg_raster *r, int y, int x, int k)
{
    return ((const unsigned char *)r->data)[(size_t)y * r->stride + 3 * (size_t)x + k];
}

/* Odd sizes: the last chroma row and column cover one pixel row or column,
 * and the Y plane is padded to even rows and columns (as a JPEG decoder
 * writes it). */
static void planes_follow_the_luminance_plane(void **state)
{
    (void)state;
    fg_ctx ctx = {0};
    fg_raster r;
    assert_int_equal(fg_raster_alloc(&r, 7, 5, 3, FG_PIX_YCC420, 0, &ctx), FG_OK);
    assert_int_equal(r.stride, 8);
    assert_int_equal(fg_ycc_cw(&r), 4);
    assert_int_equal(fg_ycc_ch(&r), 3);
    unsigned char *base = r.data;
    assert_ptr_equal(fg_ycc_cb(&r), base + 8 * 6);
    assert_ptr_equal(fg_ycc_cr(&r), base + 48 + 12);
    base[48 + 24 - 1] = 9; /* the last byte of Cr is the allocation's */
    fg_raster_release(&r);
    assert_int_equal(fg_raster_alloc(&r, 7, 5, 1, FG_PIX_YCC420, 0, &ctx), FG_EINVAL);
}

/* From RGB: each pixel's Y, each cell's chroma the mean of its pixels'
 * (one, two or four), all rounded (ITU-T T.871). */
static void from_rgb_is_bt601_with_cell_means(void **state)
{
    (void)state;
    fg_ctx ctx = {0};
    fg_raster rgb, y;
    rgb_frame(&rgb, 9, 7, 1);
    assert_int_equal(fg_ycc_from_rgb(&rgb, &y, &ctx), FG_OK);
    assert_int_equal(y.type, FG_PIX_YCC420);
    assert_int_equal(y.width, 9);
    assert_int_equal(y.height, 7);
    assert_int_equal(y.stride, 10);
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < 9; j++) {
            double want = 0.299 * rgb_at(&rgb, i, j, 0) + 0.587 * rgb_at(&rgb, i, j, 1) +
                          0.114 * rgb_at(&rgb, i, j, 2);
            double got = ((unsigned char *)y.data)[(size_t)i * y.stride + j];
            assert_true(fabs(got - want) <= 0.5 + 1e-3);
        }
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 5; j++) {
            double su = 0, sv = 0;
            int n = 0;
            for (int r = 2 * i; r < 2 * i + 2 && r < 7; r++)
                for (int c = 2 * j; c < 2 * j + 2 && c < 9; c++, n++) {
                    double R = rgb_at(&rgb, r, c, 0), G = rgb_at(&rgb, r, c, 1),
                           B = rgb_at(&rgb, r, c, 2);
                    su += 128 - 0.168736 * R - 0.331264 * G + 0.5 * B;
                    sv += 128 + 0.5 * R - 0.418688 * G - 0.081312 * B;
                }
            assert_int_equal(n, (i < 3 ? 2 : 1) * (j < 4 ? 2 : 1));
            assert_true(fabs(fg_ycc_cb(&y)[i * 5 + j] - su / n) <= 0.5 + 1e-3);
            assert_true(fabs(fg_ycc_cr(&y)[i * 5 + j] - sv / n) <= 0.5 + 1e-3);
        }
    fg_raster_release(&rgb);
    fg_raster_release(&y);
}

/* Back to RGB: grey comes back exactly, a cell of one colour within the
 * rounding of its three bytes, and values past the RGB cube are clamped. */
static void to_rgb_inverts_and_clamps(void **state)
{
    (void)state;
    fg_ctx ctx = {0};
    fg_raster rgb, y, back;
    assert_int_equal(fg_raster_alloc(&rgb, 6, 4, 3, FG_PIX_U8, 0, &ctx), FG_OK);
    unsigned char *p = rgb.data;
    static const unsigned char col[3][3] = {{37, 37, 37}, {200, 90, 40}, {30, 140, 230}};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 6; j++)
            for (int k = 0; k < 3; k++)
                p[(i * 6 + j) * 3 + k] = col[j / 2][k]; /* one colour per cell column */
    assert_int_equal(fg_ycc_from_rgb(&rgb, &y, &ctx), FG_OK);
    assert_int_equal(fg_ycc_to_rgb(&y, &back, &ctx), FG_OK);
    const unsigned char *q = back.data;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 6; j++) {
            unsigned char at[3];
            fg_ycc_rgb_at(&y, i, j, at);
            for (int k = 0; k < 3; k++) {
                int got = q[(i * 6 + j) * 3 + k], want = col[j / 2][k];
                assert_int_equal(at[k], got);
                if (j < 2)
                    assert_int_equal(got, want);
                else
                    assert_true(abs(got - want) <= 2);
            }
        }
    /* Y 250 with Cr 255: R = 250 + 1.402 * 127 is past 255; Cb 0: B below 0 */
    unsigned char *yy = y.data;
    yy[0] = 250;
    fg_ycc_cr(&y)[0] = 255;
    fg_ycc_cb(&y)[0] = 0;
    unsigned char at[3];
    fg_ycc_rgb_at(&y, 0, 0, at);
    assert_int_equal(at[0], 255);
    assert_int_equal(at[2], 23); /* 250 + 1.772·(−128) = 23.18 */
    yy[0] = 10;
    fg_ycc_rgb_at(&y, 0, 0, at);
    assert_int_equal(at[2], 0);
    fg_raster_release(&rgb);
    fg_raster_release(&y);
    fg_raster_release(&back);
}

static void wrong_rasters_are_refused(void **state)
{
    (void)state;
    fg_ctx ctx = {0};
    fg_raster f, out = {0};
    assert_int_equal(fg_raster_alloc(&f, 4, 4, 1, FG_PIX_U8, 0, &ctx), FG_OK);
    assert_int_equal(fg_ycc_from_rgb(&f, &out, &ctx), FG_EINVAL);
    assert_int_equal(fg_ycc_to_rgb(&f, &out, &ctx), FG_EINVAL);
    assert_null(out.data);
    fg_raster_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(planes_follow_the_luminance_plane),
        cmocka_unit_test(from_rgb_is_bt601_with_cell_means),
        cmocka_unit_test(to_rgb_inverts_and_clamps),
        cmocka_unit_test(wrong_rasters_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
