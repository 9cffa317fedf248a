/* test_detect_smoke_pixels.c — the smoke detector's pixel stage: fixed-point backgrounds, block sums, the one-pass update and what it leaves behind. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "detect/detect.h"
#include "detect/smoke_int.h"

/* Odd sizes: partial blocks at the right and bottom edges. */
#define PW 83
#define PH 61

static uint32_t mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    return x ^ (x >> 16);
}

/* A textured YCbCr 4:2:0 frame (the planes a JPEG stores); k varies it. */
static void frame(fg_raster *r, uint32_t k)
{
    fg_ctx ctx = {0};
    assert_int_equal(fg_raster_alloc(r, PW, PH, 3, FG_PIX_YCC420, 0, &ctx), FG_OK);
    unsigned char *y = r->data, *cb = fg_ycc_cb(r), *cr = fg_ycc_cr(r);
    for (int i = 0; i < PH; i++)
        for (int j = 0; j < PW; j++)
            y[(size_t)i * r->stride + j] = (unsigned char)(60 + (j * 3 + i * 2) % 120 +
                                                           mix(k * 7919u + (uint32_t)(i * PW + j)) % 9);
    int cw = fg_ycc_cw(r);
    for (int i = 0; i < fg_ycc_ch(r); i++)
        for (int j = 0; j < cw; j++) {
            uint32_t m = mix(k * 104729u + (uint32_t)(i * cw + j));
            cb[(size_t)i * cw + j] = (unsigned char)(100 + (j * 5 + i) % 50 + m % 7);
            cr[(size_t)i * cw + j] = (unsigned char)(110 + (i * 3 + j) % 40 + (m >> 8) % 7);
        }
}

static unsigned char y_at(const fg_raster *r, int i, int j)
{
    return ((const unsigned char *)r->data)[(size_t)i * r->stride + j];
}

static fg_smoke *detector(void)
{
    fg_smoke_params p;
    fg_smoke_params_default(&p);
    fg_ctx ctx = {0};
    fg_smoke *s = fg_smoke_alloc_state(&p, PW, PH, &ctx);
    assert_non_null(s);
    assert_int_equal(fg_smoke_scratch(s), FG_OK);
    return s;
}

static void fixed_point_backgrounds_round_trip_and_hold_the_range(void **state)
{
    (void)state;
    for (uint32_t q = 0; q <= 65535; q++) {
        assert_int_equal(bg_put(bg_get((uint16_t)q)), q);
        assert_int_equal(bg_put_c(bg_get_c((uint16_t)q)), q);
    }
    /* the extremes a gained frame can give: Y 0 … 510, Cb/Cr −255 … 255 */
    const float ys[] = {0.0f, 0.004f, 127.3f, 255.0f, 510.0f};
    for (size_t i = 0; i < sizeof ys / sizeof *ys; i++)
        assert_true(fabsf(bg_get(bg_put(ys[i])) - ys[i]) <= 1.0f / 256.0f);
    const float cs[] = {-255.0f, -0.3f, 0.0f, 17.25f, 255.0f};
    for (size_t i = 0; i < sizeof cs / sizeof *cs; i++)
        assert_true(fabsf(bg_get_c(bg_put_c(cs[i])) - cs[i]) <= 1.0f / 256.0f);
}

/* Sums of the Y bytes, exact: a block's ΣY and a row's mean. */
static void block_and_row_sums_are_the_luminance_sums(void **state)
{
    (void)state;
    fg_smoke *s = detector();
    fg_raster r;
    frame(&r, 1);
    fg_smoke_pass_sums(s, &r);
    int bs = s->p.block;
    for (int y = 0; y < PH; y++) {
        long t = 0;
        for (int x = 0; x < PW; x++)
            t += y_at(&r, y, x);
        assert_true(s->lrow[y] == (double)t / PW);
    }
    for (int b = 0; b < s->nb; b++) {
        long t = 0;
        for (int y = (b / s->bw) * bs; y < (b / s->bw + 1) * bs; y++)
            for (int x = (b % s->bw) * bs; x < (b % s->bw + 1) * bs; x++)
                t += y_at(&r, y, x);
        assert_true(s->ysum[b] == (double)t);
    }
    fg_raster_release(&r);
    fg_smoke_free(s);
}

/* One pass of features and update over frame k against backgrounds started
 * from frame 0, with the held blocks set; returns the detector. */
static fg_smoke *one_pass(uint32_t k, float **old_y, int hold)
{
    fg_smoke *s = detector();
    fg_raster r0, r;
    frame(&r0, 0);
    frame(&r, k);
    fg_smoke_pass_start(s, &r0);
    size_t np = (size_t)PW * PH;
    *old_y = malloc(np * sizeof **old_y);
    assert_non_null(*old_y);
    memcpy(*old_y, s->bsy, np * sizeof **old_y);
    s->gain = 1.03f;
    for (int b = 0; b < s->nb; b++) {
        s->boff[b] = 0.25f * (float)(b % 5) - 0.5f;
        s->held[b] = hold && b % 3 == 0;
    }
    fg_smoke_pass_frame(s, &r);
    if (hold)
        fg_smoke_hold(s, &r, 0.995f);
    fg_raster_release(&r0);
    fg_raster_release(&r);
    return s;
}

static void the_one_pass_update_is_the_running_average_and_its_old_values_come_back(void **state)
{
    (void)state;
    float *old;
    fg_smoke *s = one_pass(3, &old, 0);
    fg_raster r;
    frame(&r, 3);
    float a = s->p.bg_alpha;
    for (int y = 0; y < PH; y++)
        for (int x = 0; x < PW; x++) {
            size_t o = (size_t)y * PW + x;
            float i = s->gain * y_at(&r, y, x);
            if (y < s->bh * s->p.block) {
                /* every row of the block rows updated, the columns past the
                 * last block too */
                assert_true(fabsf(s->bsy[o] - (a * old[o] + (1 - a) * i)) < 1e-4f);
                assert_true(fabsf(fg_smoke_old_bsy(s, &r, y, x) - old[o]) < 1e-3f);
            } else {
                assert_true(s->bsy[o] == old[o]); /* below the last block row: never */
            }
        }
    fg_raster_release(&r);
    free(old);
    fg_smoke_free(s);
}

/* Each block's change is measured against the background as it was before
 * the pass — also at the rows next to another block row, which the pass has
 * updated by then — each pixel against the closest of its 3×3 neighbours
 * (the centre first, then row by row; the first of equally close ones);
 * the pixels changed by more than min_diff give the block's share of
 * changed pixels and their mean signed change, luminance and colourless
 * score 1 − (|Cb| + |Cr|)/128 of their 2×2 chroma cell. */
static void changes_are_measured_against_the_background_before_the_pass(void **state)
{
    (void)state;
    float *old;
    fg_smoke *s = one_pass(7, &old, 0);
    fg_raster r;
    frame(&r, 7);
    int bs = s->p.block, cw = fg_ycc_cw(&r), some = 0;
    float g = s->gain;
    for (int b = 0; b < s->nb; b++) {
        double t = 0, ss = 0, sg = 0, sl = 0;
        int k = 0;
        for (int y = (b / s->bw) * bs; y < (b / s->bw + 1) * bs; y++)
            for (int x = (b % s->bw) * bs; x < (b % s->bw + 1) * bs; x++) {
                float v = g * y_at(&r, y, x) + s->boff[b], best = v - old[(size_t)y * PW + x];
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++) {
                        int yy = y + dy < 0 ? 0 : y + dy >= PH ? PH - 1 : y + dy;
                        int xx = x + dx < 0 ? 0 : x + dx >= PW ? PW - 1 : x + dx;
                        float d = v - old[(size_t)yy * PW + xx];
                        best = fabsf(d) < fabsf(best) ? d : best;
                    }
                t += fabsf(best);
                if (fabsf(best) > s->p.min_diff) {
                    size_t q = (size_t)(y / 2) * cw + x / 2;
                    double u = g * (fg_ycc_cb(&r)[q] - 128.0), w = g * (fg_ycc_cr(&r)[q] - 128.0);
                    k++;
                    ss += best;
                    sl += g * y_at(&r, y, x);
                    sg += 1.0 - (fabs(u) + fabs(w)) / 128.0;
                }
            }
        assert_true(fabs(s->bdiff[b] - t / (bs * bs)) < 1e-4);
        assert_true(s->bchg[b] == (float)k / (bs * bs));
        if (k) {
            some++;
            assert_true(fabs(s->bsign[b] - ss / k) < 1e-3);
            assert_true(fabs(s->bluma[b] - sl / k) < 1e-3);
            assert_true(fabs(s->bgrey[b] - sg / k) < 1e-5);
        }
    }
    assert_true(some > s->nb / 4); /* the frames differ enough to test the sums */
    fg_raster_release(&r);
    free(old);
    fg_smoke_free(s);
}

static void held_blocks_are_redone_with_the_slow_weight(void **state)
{
    (void)state;
    float *old;
    fg_smoke *s = one_pass(4, &old, 1);
    fg_raster r;
    frame(&r, 4);
    int bs = s->p.block;
    for (int b = 0; b < s->nb; b++)
        for (int y = (b / s->bw) * bs; y < (b / s->bw + 1) * bs; y++)
            for (int x = (b % s->bw) * bs; x < (b % s->bw + 1) * bs; x++) {
                size_t o = (size_t)y * PW + x;
                float i = s->gain * y_at(&r, y, x);
                float a = s->held[b] ? 0.995f : s->p.bg_alpha;
                assert_true(fabsf(s->bsy[o] - (a * old[o] + (1 - a) * i)) < 1e-3f);
            }
    fg_raster_release(&r);
    free(old);
    fg_smoke_free(s);
}

/* Gained Cb (which 0) or Cr (1) of chroma cell (i, j) of frame k: its
 * plane's byte less 128. */
static double cell_mean(uint32_t k, float g, int which, int i, int j)
{
    fg_raster r;
    frame(&r, k);
    const unsigned char *p = which ? fg_ycc_cr(&r) : fg_ycc_cb(&r);
    double v = g * (p[(size_t)i * fg_ycc_cw(&r) + j] - 128.0);
    fg_raster_release(&r);
    return v;
}

/* Slow chroma is kept per 2×2 cell (the last row and column of cells of this
 * odd-sized frame hold one pixel row or column): started from frame 0's cell
 * means, then the running average of each frame's; the held blocks' cells
 * with the held weight; cells below the last block row never updated. */
static void chroma_cells_average_their_pixels(void **state)
{
    (void)state;
    for (int hold = 0; hold <= 1; hold++) {
        float *old;
        fg_smoke *s = one_pass(5, &old, hold);
        free(old);
        assert_int_equal(s->cw, (PW + 1) / 2);
        assert_int_equal(s->ch, (PH + 1) / 2);
        int bs = s->p.block;
        for (int i = 0; i < s->ch; i++)
            for (int j = 0; j < s->cw; j++)
                for (int which = 0; which <= 1; which++) {
                    const uint16_t *bg = which ? s->bsv : s->bsu;
                    double b0 = cell_mean(0, 1.0f, which, i, j);
                    double c = cell_mean(5, 1.03f, which, i, j);
                    int bx = 2 * j / bs, by = 2 * i / bs;
                    int held = hold && bx < s->bw && by < s->bh && s->held[by * s->bw + bx];
                    double a = held ? 0.995 : s->p.bg_alpha;
                    double want = 2 * i < s->bh * bs ? a * b0 + (1 - a) * c : b0;
                    double got = bg_get_c(bg[(size_t)i * s->cw + j]);
                    /* two roundings to 1/128 DN, and float sums */
                    if (fabs(got - want) > 2.0 / 128 + 1e-3)
                        fail_msg("hold %d, cell (%d, %d) %s: %.4f, want %.4f", hold, i, j,
                                 which ? "Cr" : "Cb", got, want);
                }
        fg_smoke_free(s);
    }
}

/* The block sums the pass leaves (and fg_smoke_hold redoes) are the bytes a
 * loaded state recomputes: a run continued from saved state must not drift. */
static void block_sums_after_the_pass_are_those_of_the_background(void **state)
{
    (void)state;
    float *old;
    fg_smoke *s = one_pass(5, &old, 1);
    double *kept = malloc((size_t)s->nb * sizeof *kept);
    assert_non_null(kept);
    memcpy(kept, s->bsum, (size_t)s->nb * sizeof *kept);
    fg_smoke_bg_sums(s);
    assert_memory_equal(kept, s->bsum, (size_t)s->nb * sizeof *kept);
    free(kept);
    free(old);
    fg_smoke_free(s);
}

static void the_pass_gives_the_same_bytes_at_one_and_two_threads(void **state)
{
    (void)state;
#ifdef _OPENMP
    float *old1, *old2;
    int keep = omp_get_max_threads();
    omp_set_num_threads(1);
    fg_smoke *a = one_pass(6, &old1, 1);
    omp_set_num_threads(2);
    fg_smoke *b = one_pass(6, &old2, 1);
    omp_set_num_threads(keep);
    size_t np = (size_t)PW * PH, nb = (size_t)a->nb;
    assert_memory_equal(a->bsy, b->bsy, np * sizeof *a->bsy);
    size_t nc = (size_t)a->cw * a->ch;
    assert_memory_equal(a->bsu, b->bsu, nc * sizeof *a->bsu);
    assert_memory_equal(a->bsv, b->bsv, nc * sizeof *a->bsv);
    assert_memory_equal(a->bfy, b->bfy, np * sizeof *a->bfy);
    assert_memory_equal(a->bdiff, b->bdiff, nb * sizeof *a->bdiff);
    assert_memory_equal(a->bchg, b->bchg, nb * sizeof *a->bchg);
    assert_memory_equal(a->bsign, b->bsign, nb * sizeof *a->bsign);
    assert_memory_equal(a->bsum, b->bsum, nb * sizeof *a->bsum);
    free(old1);
    free(old2);
    fg_smoke_free(a);
    fg_smoke_free(b);
#else
    skip();
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_point_backgrounds_round_trip_and_hold_the_range),
        cmocka_unit_test(block_and_row_sums_are_the_luminance_sums),
        cmocka_unit_test(the_one_pass_update_is_the_running_average_and_its_old_values_come_back),
        cmocka_unit_test(changes_are_measured_against_the_background_before_the_pass),
        cmocka_unit_test(held_blocks_are_redone_with_the_slow_weight),
        cmocka_unit_test(chroma_cells_average_their_pixels),
        cmocka_unit_test(block_sums_after_the_pass_are_those_of_the_background),
        cmocka_unit_test(the_pass_gives_the_same_bytes_at_one_and_two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
