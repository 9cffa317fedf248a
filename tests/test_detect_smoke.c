/* test_detect_smoke.c — the camera smoke test on frames generated in memory: plume, cloud, static scene, persistence. */
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

#define W 160
#define H 120
#define HORIZON 50
#define NFR 30

/* What a generated sequence contains. */
typedef struct scene_opts {
    int plume_from;     /* first frame with the plume, -1 = none */
    int cloud;          /* a cloud drifting across the sky */
    int blob_on, blob_off; /* a grey blob below the horizon on frames [on, on + off) */
    int blob_period;    /* repeat the blob every period frames (0 = once) */
    int shrink_from;    /* a large grey blob that shrinks by half each frame from here */
} scene_opts;

static uint32_t hash32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

static double noise01(uint32_t a, uint32_t b, uint32_t c)
{
    return hash32(a * 0x9e3779b9U ^ hash32(b * 0x85ebca6bU ^ hash32(c))) / 4294967296.0;
}

static void blend(unsigned char *px, double r, double g, double b, double a)
{
    px[0] = (unsigned char)lrint(px[0] * (1 - a) + r * a);
    px[1] = (unsigned char)lrint(px[1] * (1 - a) + g * a);
    px[2] = (unsigned char)lrint(px[2] * (1 - a) + b * a);
}

/* Sky (blue) above row HORIZON, brown textured fields below; light level
 * wobbles ±3 % and every pixel carries noise of a few DN. */
static void make_frame(unsigned char *buf, int k, const scene_opts *o)
{
    double gain = 1 + 0.03 * sin(k * 0.9);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            unsigned char *px = buf + 3 * (y * W + x);
            double r, g, b;
            if (y < HORIZON) {
                r = 120 + y, g = 160 + y * 0.6, b = 215;
            } else {
                double t = noise01(x, y, 7) - 0.5;
                r = 140 + 30 * t, g = 118 + 25 * t, b = 86 + 18 * t;
            }
            double n = 6 * (noise01(x, y, 1000 + k) - 0.5);
            px[0] = (unsigned char)lrint(fmin(255, r * gain + n));
            px[1] = (unsigned char)lrint(fmin(255, g * gain + n));
            px[2] = (unsigned char)lrint(fmin(255, b * gain + n));
        }
    if (o->cloud) {
        /* a white cloud, rows 8..40, moving 5 px a frame */
        double cx = -30 + 5.0 * k, cy = 24;
        for (int y = 0; y < HORIZON - 8; y++)
            for (int x = 0; x < W; x++) {
                double q = pow((x - cx) / 28.0, 2) + pow((y - cy) / 14.0, 2);
                if (q < 1)
                    blend(buf + 3 * (y * W + x), 240, 240, 242, 0.9 * fmin(1, 2 * (1 - q)));
            }
    }
    if (o->plume_from >= 0 && k >= o->plume_from) {
        /* grey column from a base at (80, 100), taller and denser each frame */
        int age = k - o->plume_from;
        double height = fmin(70, 12 + 8 * age), alpha = fmin(0.8, 0.45 + 0.07 * age);
        for (int y = 0; y < H; y++) {
            double z = 100 - y;
            if (z < 0 || z > height)
                continue;
            double cx = 80 + 0.15 * z, hw = 4 + 0.2 * z;
            for (int x = 0; x < W; x++)
                if (fabs(x - cx) < hw)
                    blend(buf + 3 * (y * W + x), 185, 185, 188, alpha);
        }
    }
    if (o->blob_off > 0) {
        int phase = o->blob_period ? k % o->blob_period : k;
        if (phase >= o->blob_on && phase < o->blob_on + o->blob_off)
            for (int y = 70; y < 94; y++)
                for (int x = 40; x < 64; x++)
                    blend(buf + 3 * (y * W + x), 180, 180, 182, 0.8);
    }
    if (o->shrink_from >= 0 && k >= o->shrink_from) {
        int side = 48 >> (k - o->shrink_from);
        for (int y = 104 - side; y < 104; y++)
            for (int x = 100; x < 100 + side; x++)
                blend(buf + 3 * (y * W + x), 180, 180, 182, 0.8);
    }
}

static scene_opts plain(void)
{
    scene_opts o = {-1, 0, 0, 0, 0, -1};
    return o;
}

/* Runs a sequence; res receives NFR results. Returns the first alarm frame or -1. */
static int run(const scene_opts *o, const fg_smoke_params *p, fg_smoke_result *res)
{
    fg_smoke *s = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_smoke_new(p, W, H, &s, &ctx), FG_OK);
    unsigned char *buf = malloc(W * H * 3);
    assert_non_null(buf);
    fg_raster r = {W, H, 3, W * 3, FG_PIX_U8, buf};
    int first = -1;
    for (int k = 0; k < NFR; k++) {
        make_frame(buf, k, o);
        assert_int_equal(fg_smoke_push(s, &r, 1700000000 + 60 * k, &res[k], &ctx), FG_OK);
        if (res[k].alarm && first < 0)
            first = k;
    }
    free(buf);
    fg_smoke_free(s);
    return first;
}

static fg_smoke_params params(double horizon)
{
    fg_smoke_params p;
    fg_smoke_params_default(&p);
    p.horizon_row = horizon;
    return p;
}

static void static_scene_with_light_changes_never_alarms(void **state)
{
    (void)state;
    fg_smoke_result res[NFR];
    scene_opts o = plain();
    fg_smoke_params p = params(HORIZON);
    assert_int_equal(run(&o, &p, res), -1);
    for (int k = 0; k < NFR; k++)
        assert_int_equal(res[k].w, 0);
    p = params(-1);
    assert_int_equal(run(&o, &p, res), -1);
}

static void growing_grey_plume_alarms_after_persist_frames(void **state)
{
    (void)state;
    fg_smoke_result res[NFR];
    scene_opts o = plain();
    o.plume_from = 8;
    fg_smoke_params p = params(HORIZON);
    int first = run(&o, &p, res);
    /* seen from frame 8, so frame 8 + persist − 1 is the earliest alarm */
    assert_int_equal(first, 8 + p.persist_frames - 1);
    for (int k = first; k < NFR; k++) {
        assert_int_equal(res[k].alarm, 1);
        assert_true(res[k].score > 0.5f && res[k].score <= 1.0f);
    }
    const fg_smoke_result *a = &res[first];
    assert_true(a->persisted >= p.persist_frames);
    /* the box holds the base, and the base is found at the plume's foot (80, 100) */
    assert_true(a->x <= 80 && a->x + a->w >= 80 && a->y < 100 && a->y + a->h >= 100);
    assert_true(fabs(a->base_y - 100.5) <= 2.0);
    assert_true(fabs(a->base_x - 81) <= 4.0);
}

static void plume_with_estimated_horizon_alarms_too(void **state)
{
    (void)state;
    fg_smoke_result res[NFR];
    scene_opts o = plain();
    o.plume_from = 8;
    o.cloud = 1;
    fg_smoke_params p = params(-1);
    int first = run(&o, &p, res);
    assert_true(first >= 8 + p.persist_frames - 1 && first <= 8 + p.persist_frames + 1);
}

static void cloud_drifting_above_the_horizon_never_alarms(void **state)
{
    (void)state;
    fg_smoke_result res[NFR];
    scene_opts o = plain();
    o.cloud = 1;
    fg_smoke_params p = params(HORIZON);
    assert_int_equal(run(&o, &p, res), -1);
    p = params(-1);
    assert_int_equal(run(&o, &p, res), -1);
    for (int k = 0; k < NFR; k++)
        assert_int_equal(res[k].alarm, 0);
}

static void region_seen_fewer_than_persist_frames_does_not_alarm(void **state)
{
    (void)state;
    fg_smoke_result res[NFR];
    fg_smoke_params p = params(HORIZON);
    scene_opts o = plain();
    /* a grey blob for persist − 1 frames, gone, back again: never long enough */
    o.blob_on = 6;
    o.blob_off = p.persist_frames - 1;
    o.blob_period = 10;
    assert_int_equal(run(&o, &p, res), -1);
    int seen = 0;
    for (int k = 0; k < NFR; k++)
        if (res[k].w > 0) {
            seen++;
            assert_true(res[k].persisted < p.persist_frames);
        }
    assert_true(seen > 0); /* it was detected as a region, just not for long enough */

    /* held for exactly persist frames after warmup: alarms on the last of them */
    o.blob_off = p.persist_frames;
    o.blob_period = 0;
    assert_int_equal(run(&o, &p, res), 6 + p.persist_frames - 1);
}

static void shrinking_region_does_not_alarm(void **state)
{
    (void)state;
    fg_smoke_result res[NFR];
    fg_smoke_params p = params(HORIZON);
    scene_opts o = plain();
    o.shrink_from = 8;
    assert_int_equal(run(&o, &p, res), -1);
}

static void nothing_alarms_during_warmup(void **state)
{
    (void)state;
    fg_smoke_result res[NFR];
    fg_smoke_params p = params(HORIZON);
    p.warmup_frames = 12;
    scene_opts o = plain();
    o.plume_from = 2;
    int first = run(&o, &p, res);
    assert_int_equal(first, 12);
}

/* Field by field: base_x/base_y are NaN when there is no region, so compare bytes. */
static void same_result(const fg_smoke_result *x, const fg_smoke_result *y)
{
    assert_int_equal(x->alarm, y->alarm);
    assert_int_equal(x->persisted, y->persisted);
    assert_int_equal(x->x, y->x);
    assert_int_equal(x->y, y->y);
    assert_int_equal(x->w, y->w);
    assert_int_equal(x->h, y->h);
    assert_memory_equal(&x->score, &y->score, sizeof(float));
    assert_memory_equal(&x->base_x, &y->base_x, sizeof(double));
    assert_memory_equal(&x->base_y, &y->base_y, sizeof(double));
}

static void same_results_twice_and_at_1_and_2_threads(void **state)
{
    (void)state;
    fg_smoke_result a[NFR], b[NFR], c[NFR];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    memset(c, 0, sizeof c);
    scene_opts o = plain();
    o.plume_from = 6;
    o.cloud = 1;
    fg_smoke_params p = params(-1);
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
    int fa = run(&o, &p, a);
    int fb = run(&o, &p, b);
#ifdef _OPENMP
    omp_set_num_threads(2);
#endif
    int fc = run(&o, &p, c);
    assert_true(fa >= 0);
    assert_int_equal(fa, fb);
    assert_int_equal(fa, fc);
    for (int k = 0; k < NFR; k++) {
        same_result(&a[k], &b[k]);
        same_result(&a[k], &c[k]);
    }
}

static void wrong_frame_and_bad_params_are_refused(void **state)
{
    (void)state;
    fg_smoke_params p = params(HORIZON);
    fg_smoke *s = NULL;
    fg_ctx ctx = {0};
    p.block = 0;
    assert_int_equal(fg_smoke_new(&p, W, H, &s, &ctx), FG_EINVAL);
    assert_null(s);
    assert_true(strstr(ctx.msg, "smoke") != NULL);
    p = params(HORIZON);
    assert_int_equal(fg_smoke_new(&p, 0, H, &s, &ctx), FG_EINVAL);
    assert_int_equal(fg_smoke_new(&p, W, H, &s, &ctx), FG_OK);
    unsigned char buf[80 * 60 * 3] = {0};
    fg_raster small = {80, 60, 3, 80 * 3, FG_PIX_U8, buf};
    fg_smoke_result res;
    assert_int_equal(fg_smoke_push(s, &small, 0, &res, &ctx), FG_EINVAL);
    assert_true(strstr(ctx.msg, "160x120") != NULL);
    fg_smoke_free(s);
    fg_smoke_free(NULL);
}

static int alloc_budget;
static void *failing_malloc(size_t n)
{
    if (alloc_budget-- <= 0)
        return NULL;
    return malloc(n);
}

static void allocation_failure_leaves_output_untouched(void **state)
{
    (void)state;
    fg_smoke_params p = params(HORIZON);
    int failures = 0;
    for (int budget = 0; budget < 40; budget++) {
        fg_smoke *s = (fg_smoke *)&failures; /* sentinel */
        fg_ctx ctx = {0};
        alloc_budget = budget;
        fg_set_allocator(failing_malloc, NULL, NULL);
        int rc = fg_smoke_new(&p, W, H, &s, &ctx);
        fg_set_allocator(NULL, NULL, NULL);
        if (rc == FG_OK) {
            fg_smoke_free(s);
            break;
        }
        failures++;
        assert_int_equal(rc, FG_ENOMEM);
        assert_ptr_equal(s, (fg_smoke *)&failures);
    }
    assert_true(failures > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(static_scene_with_light_changes_never_alarms),
        cmocka_unit_test(growing_grey_plume_alarms_after_persist_frames),
        cmocka_unit_test(plume_with_estimated_horizon_alarms_too),
        cmocka_unit_test(cloud_drifting_above_the_horizon_never_alarms),
        cmocka_unit_test(region_seen_fewer_than_persist_frames_does_not_alarm),
        cmocka_unit_test(shrinking_region_does_not_alarm),
        cmocka_unit_test(nothing_alarms_during_warmup),
        cmocka_unit_test(same_results_twice_and_at_1_and_2_threads),
        cmocka_unit_test(wrong_frame_and_bad_params_are_refused),
        cmocka_unit_test(allocation_failure_leaves_output_untouched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
