/* test_detect_smoke_offset.c — the smoke detector's local airlight offsets: exact window medians against sorting, at any grid size and thread count. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "detect/detect.h"
#include "detect/smoke_int.h"

/* A detector for bw × bh blocks of 8 px whose block means B − I are set
 * directly (through the block sums the offsets are taken from). levels > 0
 * draws from that many distinct values (ties), else from a wide range. */
static fg_smoke *grid(int bw, int bh, uint32_t seed, int levels)
{
    fg_smoke_params p;
    fg_smoke_params_default(&p);
    fg_ctx ctx = {0};
    fg_smoke *s = fg_smoke_alloc_state(&p, bw * p.block, bh * p.block, &ctx);
    assert_non_null(s);
    int n2 = p.block * p.block;
    s->gain = 1.25f;
    for (int b = 0; b < s->nb; b++) {
        uint32_t r = (uint32_t)fg_mix64(((uint64_t)seed << 32) + (uint64_t)b);
        /* a smooth haze ramp plus noise, as a view's block means are */
        double v = levels > 0 ? (double)(r % (uint32_t)levels) - levels / 2
                              : 0.05 * (b % bw) - 0.03 * (b / bw) + (r % 20001) / 1000.0 - 10.0;
        s->ysum[b] = (double)(r % 9973);
        s->bsum[b] = v * n2 + (double)s->gain * s->ysum[b];
    }
    return s;
}

static int by_key(const void *a, const void *b)
{
    uint32_t x = fg_smoke_order_key(*(const float *)a), y = fg_smoke_order_key(*(const float *)b);
    return x < y ? -1 : x > y;
}

/* The (n/2)-th smallest of the block means in the (2R + 1)² window around
 * each block (clipped at the grid's edges), by sorting each window. */
static void check_against_sort(const fg_smoke *s)
{
    int R = LOCAL_R, bw = s->bw, bh = s->bh;
    float *win = malloc(sizeof(float) * (2 * R + 1) * (2 * R + 1));
    assert_non_null(win);
    for (int by = 0; by < bh; by++)
        for (int bx = 0; bx < bw; bx++) {
            int n = 0;
            for (int y = by - R; y <= by + R; y++)
                for (int x = bx - R; x <= bx + R; x++)
                    if (y >= 0 && y < bh && x >= 0 && x < bw)
                        win[n++] = s->bmean[y * bw + x];
            qsort(win, (size_t)n, sizeof *win, by_key);
            float got = s->boff[by * bw + bx];
            if (memcmp(&got, &win[n / 2], sizeof got) != 0)
                fail_msg("%dx%d grid, block (%d, %d): offset %.9g, window median %.9g", bw, bh,
                         bx, by, got, win[n / 2]);
        }
    free(win);
}

/* Grids smaller than a window, one block wide or high, odd sizes, a
 * 1536×1024 frame's 192×128; wide-ranging values and heavy ties. */
static void medians_equal_sorted_windows(void **state)
{
    (void)state;
    static const int sizes[][2] = {{1, 1},  {1, 9},   {9, 1},  {3, 4},   {15, 15},
                                   {16, 2}, {40, 23}, {67, 5}, {121, 67}, {192, 128}};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        for (int levels = 0; levels <= 7; levels += 7) {
            fg_smoke *s = grid(sizes[k][0], sizes[k][1], (uint32_t)k + 1, levels);
            assert_int_equal(fg_smoke_local_offset(s), FG_OK);
            check_against_sort(s);
            /* a second frame on the same scratch: the strips were left empty */
            for (int b = 0; b < s->nb; b++)
                s->bsum[b] += (double)(fg_mix64((uint64_t)b) % 64);
            assert_int_equal(fg_smoke_local_offset(s), FG_OK);
            check_against_sort(s);
            fg_smoke_free(s);
        }
}

/* The rows split into one band per thread: the same bytes at 1, 2 and 3
 * threads. */
static void threads_give_the_same_offsets(void **state)
{
    (void)state;
#ifdef _OPENMP
    int caller = omp_get_max_threads();
    float *first = NULL;
    for (int t = 1; t <= 3; t++) {
        omp_set_num_threads(t);
        fg_smoke *s = grid(83, 61, 7, 0);
        assert_int_equal(fg_smoke_local_offset(s), FG_OK);
        if (!first) {
            first = malloc((size_t)s->nb * sizeof *first);
            assert_non_null(first);
            memcpy(first, s->boff, (size_t)s->nb * sizeof *first);
        } else {
            assert_memory_equal(first, s->boff, (size_t)s->nb * sizeof *first);
        }
        fg_smoke_free(s);
    }
    free(first);
    omp_set_num_threads(caller);
#else
    skip();
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(medians_equal_sorted_windows),
        cmocka_unit_test(threads_give_the_same_offsets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
