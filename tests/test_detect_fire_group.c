/* test_detect_fire_group.c — fire pixels grouped into 8-connected fires. */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/detect.h"

/* Pixels from (row, col, frp, confidence) quadruples, already sorted. */
static fg_fire_pixel *make(const float (*q)[4], size_t n)
{
    fg_fire_pixel *v = calloc(n ? n : 1, sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++) {
        v[i].row = (int)q[i][0];
        v[i].col = (int)q[i][1];
        v[i].frp_mw = q[i][2];
        v[i].confidence = (int)q[i][3];
    }
    return v;
}

static void l_shape_is_one_fire_with_box_and_total(void **state)
{
    (void)state;
    /* an L: (5,5) (6,5) (7,5) (7,6) (7,7) */
    const float q[][4] = {{5, 5, 10, 40}, {6, 5, 10, 50}, {7, 5, 10, 90}, {7, 6, 10, 20}, {7, 7, 10, 30}};
    fg_fire_pixel *v = make(q, 5);
    fg_fire *f = NULL;
    size_t nf = 0;
    fg_ctx ctx = {0};
    assert_int_equal(fg_fire_group(v, 5, &f, &nf, &ctx), FG_OK);
    assert_int_equal(nf, 1);
    assert_int_equal(f[0].id, 1);
    assert_int_equal(f[0].npix, 5);
    assert_true(fabsf(f[0].frp_total_mw - 50.0f) < 1e-4f);
    assert_int_equal(f[0].max_confidence, 90);
    assert_int_equal(f[0].row0, 5);
    assert_int_equal(f[0].row1, 7);
    assert_int_equal(f[0].col0, 5);
    assert_int_equal(f[0].col1, 7);
    assert_true(fabs(f[0].row_c - (5 + 6 + 7 + 7 + 7) / 5.0) < 1e-9);
    assert_true(fabs(f[0].col_c - (5 + 5 + 5 + 6 + 7) / 5.0) < 1e-9);
    for (int i = 0; i < 5; i++)
        assert_int_equal(v[i].fire_id, 1);
    fg_free(f);
    free(v);
}

static void diagonal_neighbours_join_both_ways(void **state)
{
    (void)state;
    /* (0,1)-(1,0) touch on the anti-diagonal; (0,5)-(1,6) on the diagonal; a "V" whose
     * arms meet only in the last row joins two groups started apart */
    const float q[][4] = {{0, 1, 1, 10}, {0, 5, 1, 10}, {0, 9, 1, 10}, {0, 13, 1, 10},
                          {1, 0, 1, 10}, {1, 6, 1, 10}, {1, 10, 1, 10}, {1, 12, 1, 10},
                          {2, 11, 1, 10}};
    size_t n = sizeof q / sizeof q[0];
    fg_fire_pixel *v = make(q, n);
    fg_fire *f = NULL;
    size_t nf = 0;
    assert_int_equal(fg_fire_group(v, n, &f, &nf, NULL), FG_OK);
    assert_int_equal(nf, 3);
    const int want[] = {1, 2, 3, 3, 1, 2, 3, 3, 3};
    for (size_t i = 0; i < n; i++)
        assert_int_equal(v[i].fire_id, want[i]);
    assert_int_equal(f[2].npix, 5);
    assert_int_equal(f[2].col0, 9);
    assert_int_equal(f[2].col1, 13);
    fg_free(f);
    free(v);
}

static void separate_fires_get_ids_in_order_of_first_pixel(void **state)
{
    (void)state;
    /* two pixels one column apart are separate; rows two apart are separate */
    const float q[][4] = {{3, 10, 4, 70}, {3, 12, 2, 20}, {5, 10, 6, 95}, {5, 11, 2, 30}};
    fg_fire_pixel *v = make(q, 4);
    fg_fire *f = NULL;
    size_t nf = 0;
    assert_int_equal(fg_fire_group(v, 4, &f, &nf, NULL), FG_OK);
    assert_int_equal(nf, 3);
    assert_int_equal(v[0].fire_id, 1);
    assert_int_equal(v[1].fire_id, 2);
    assert_int_equal(v[2].fire_id, 3);
    assert_int_equal(v[3].fire_id, 3);
    for (size_t k = 0; k < nf; k++)
        assert_int_equal(f[k].id, (int)k + 1);
    /* FRP-weighted centroid: (5,10) weight 6, (5,11) weight 2 */
    assert_true(fabs(f[2].col_c - (10 * 6 + 11 * 2) / 8.0) < 1e-9);
    assert_true(fabs(f[2].row_c - 5.0) < 1e-9);
    assert_true(fabsf(f[2].frp_total_mw - 8.0f) < 1e-5f);
    assert_int_equal(f[2].max_confidence, 95);
    fg_free(f);
    free(v);
}

static void pixels_without_frp_give_nan_total_and_plain_centroid(void **state)
{
    (void)state;
    const float q[][4] = {{0, 0, NAN, 10}, {0, 1, NAN, 10}};
    fg_fire_pixel *v = make(q, 2);
    fg_fire *f = NULL;
    size_t nf = 0;
    assert_int_equal(fg_fire_group(v, 2, &f, &nf, NULL), FG_OK);
    assert_int_equal(nf, 1);
    assert_true(isnan(f[0].frp_total_mw));
    assert_true(fabs(f[0].col_c - 0.5) < 1e-12);
    fg_free(f);
    free(v);
}

static void empty_and_unsorted_input(void **state)
{
    (void)state;
    fg_fire *f = (fg_fire *)state;
    size_t nf = 5;
    assert_int_equal(fg_fire_group(NULL, 0, &f, &nf, NULL), FG_OK);
    assert_null(f);
    assert_int_equal(nf, 0);
    const float q[][4] = {{4, 4, 1, 1}, {2, 2, 1, 1}};
    fg_fire_pixel *v = make(q, 2);
    fg_ctx ctx = {0};
    f = NULL;
    nf = 7;
    assert_int_equal(fg_fire_group(v, 2, &f, &nf, &ctx), FG_EINVAL);
    assert_null(f);
    assert_int_equal(nf, 7);
    assert_non_null(strstr(ctx.msg, "sorted"));
    free(v);
}

/* A large random blob field against a flood fill on a raster. */
static void random_field_matches_flood_fill(void **state)
{
    (void)state;
    enum { W = 90, H = 70 };
    static unsigned char on[H][W];
    static int lab[H][W];
    uint32_t x = 12345u;
    size_t n = 0;
    for (int r = 0; r < H; r++)
        for (int c = 0; c < W; c++) {
            x = x * 1664525u + 1013904223u;
            on[r][c] = (x >> 24) < 70;
            n += on[r][c];
        }
    fg_fire_pixel *v = calloc(n, sizeof *v);
    assert_non_null(v);
    size_t k = 0;
    for (int r = 0; r < H; r++)
        for (int c = 0; c < W; c++)
            if (on[r][c]) {
                v[k].row = r;
                v[k].col = c;
                v[k].frp_mw = 1.0f;
                k++;
            }
    /* flood fill labels, numbered in raster order of first pixel */
    memset(lab, 0, sizeof lab);
    int next = 0;
    static int stack[H * W][2];
    for (int r = 0; r < H; r++)
        for (int c = 0; c < W; c++) {
            if (!on[r][c] || lab[r][c])
                continue;
            int sp = 0;
            lab[r][c] = ++next;
            stack[sp][0] = r;
            stack[sp][1] = c;
            sp++;
            while (sp) {
                sp--;
                int rr = stack[sp][0], cc = stack[sp][1];
                for (int dr = -1; dr <= 1; dr++)
                    for (int dc = -1; dc <= 1; dc++) {
                        int a = rr + dr, b = cc + dc;
                        if (a < 0 || b < 0 || a >= H || b >= W || !on[a][b] || lab[a][b])
                            continue;
                        lab[a][b] = next;
                        stack[sp][0] = a;
                        stack[sp][1] = b;
                        sp++;
                    }
            }
        }
    fg_fire *f = NULL;
    size_t nf = 0;
    assert_int_equal(fg_fire_group(v, n, &f, &nf, NULL), FG_OK);
    assert_int_equal(nf, (size_t)next);
    int total = 0;
    for (size_t i = 0; i < n; i++)
        assert_int_equal(v[i].fire_id, lab[v[i].row][v[i].col]);
    for (size_t i = 0; i < nf; i++)
        total += f[i].npix;
    assert_int_equal(total, (int)n);
    fg_free(f);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(l_shape_is_one_fire_with_box_and_total),
        cmocka_unit_test(diagonal_neighbours_join_both_ways),
        cmocka_unit_test(separate_fires_get_ids_in_order_of_first_pixel),
        cmocka_unit_test(pixels_without_frp_give_nan_total_and_plain_centroid),
        cmocka_unit_test(empty_and_unsorted_input),
        cmocka_unit_test(random_field_matches_flood_fill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
