/* test_detect_smoke.c — the camera smoke detector on generated sequences: plumes, clouds, haze, skyline, light, history, persistence, threads. */
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

#include "smoke_scenes.h"

/* ------------------------------------------------------------- scenes */

static void static_scene_with_light_wobble_never_alarms(void **state)
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

static void growing_grey_plume_from_the_ground_alarms_after_persistence(void **state)
{
    (void)state;
    fg_smoke_result res[NFR];
    scene_opts o = plain();
    o.plume_from = 8;
    fg_smoke_params p = params(HORIZON);
    int first = run(&o, &p, res);
    /* seen from frame 8, so frame 8 + persist − 1 is the earliest alarm */
    assert_int_equal(first, 8 + p.persist_frames - 1);
    const fg_smoke_result *a = &res[first];
    assert_true(a->score > 0.5f && a->score <= 1.0f);
    assert_true(a->persisted >= p.persist_frames);
    assert_true(a->rise >= 1.0f); /* it rose while it was confirmed */
    /* the box holds the base, and the base is found at the plume's foot (80, 100) */
    assert_true(a->x <= 80 && a->x + a->w >= 80 && a->y < 100 && a->y + a->h >= 100);
    assert_true(fabs(a->base_y - 100.5) <= 2.0);
    assert_true(fabs(a->base_x - 81) <= 4.0);
    for (int k = 0; k < 8; k++)
        assert_int_equal(res[k].alarm, 0);
}

static void plume_with_estimated_horizon_and_a_cloud_alarms_too(void **state)
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
}

/* Haze layers and inversion tops are stratified: a veil that thickens and
 * rises along every row at once is weather (row_median), while the same
 * growth a few blocks wide is a plume. */
static void haze_layer_thickening_along_whole_rows_never_alarms(void **state)
{
    (void)state;
    fg_smoke_result res[NFR];
    scene_opts o = plain();
    o.haze_from = 8;
    fg_smoke_params p = params(HORIZON);
    assert_int_equal(run(&o, &p, res), -1);
    o.plume_from = 8; /* a plume in the same haze still alarms */
    assert_true(run(&o, &p, res) >= 0);
}

/* A grey veil lowers the chroma/luminance ratio; a patch over grey fields
 * that grows like a plume but turns light blue (glare, a sunlit water film)
 * adds colour. The same patch in grey would alarm. */
static void growing_patch_that_gains_colour_never_alarms(void **state)
{
    (void)state;
    fg_smoke_result res[NFR];
    scene_opts o = plain();
    o.glow_from = 8;
    o.grey_ground = 1;
    fg_smoke_params p = params(HORIZON);
    assert_int_equal(run(&o, &p, res), -1);
    o.glow_from = -1;
    o.plume_from = 8;
    assert_true(run(&o, &p, res) >= 0);
}

/* The skyline is found per block column: under a ridge that rises from the
 * right (row 74) to the left (row 30), a cloud drifting at rows 8..40 is sky
 * everywhere, though most of it lies below the left end of the ridge; with
 * one horizon row for the whole view it would stand "on the ground". A
 * plume from the fields below the low right end still alarms. */
static void sloping_skyline_keeps_clouds_in_the_sky(void **state)
{
    (void)state;
    fg_smoke_result res[NFR];
    scene_opts o = plain();
    o.ridge = 1;
    o.cloud = 1;
    fg_smoke_params p = params(-1);
    int first = run(&o, &p, res);
    if (first >= 0)
        fail_msg("cloud alarmed at frame %d, box %d,%d %dx%d", first, res[first].x, res[first].y,
                 res[first].w, res[first].h);
    o.plume_from = 8;
    o.plume_x = 130;
    first = run(&o, &p, res);
    assert_true(first >= 8 && first <= 8 + p.persist_frames + 1);
    assert_true(res[first].x + res[first].w >= 120);
}

/* A small plume seen from far away wobbles sideways between frames (here
 * 20 px, 2.5 blocks): the track continues through touching regions. */
static void plume_jittering_sideways_keeps_its_track(void **state)
{
    (void)state;
    fg_smoke_result res[NFR];
    scene_opts o = plain();
    o.plume_from = 8;
    o.jitter = 10;
    fg_smoke_params p = params(HORIZON);
    int first = run(&o, &p, res);
    assert_true(first >= 8 + p.persist_frames - 1 && first <= 8 + p.persist_frames);
}

/* Table: a cloud shadow or an exposure step over the whole view, in and out. */
static void light_change_over_the_whole_frame_never_alarms(void **state)
{
    (void)state;
    static const struct {
        int from, to;
        double gain;
    } cases[] = {
        {10, 14, 0.6},  /* a cloud shadow: 40 % darker for 4 minutes */
        {10, 30, 0.7},  /* darker and staying */
        {12, 13, 1.4},  /* one over-exposed frame */
        {10, 20, 1.25}, /* exposure step up and back */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fg_smoke_result res[NFR];
        scene_opts o = plain();
        o.dark_from = cases[i].from;
        o.dark_to = cases[i].to;
        o.dark_gain = cases[i].gain;
        fg_smoke_params p = params(HORIZON);
        int first = run(&o, &p, res);
        if (first >= 0)
            fail_msg("case %zu (gain %.2f on frames %d..%d): alarm at frame %d", i,
                     cases[i].gain, cases[i].from, cases[i].to - 1, first);
    }
}

static void plume_in_an_ignored_block_area_never_alarms(void **state)
{
    (void)state;
    fg_smoke_result res[NFR];
    scene_opts o = plain();
    o.plume_from = 8;
    fg_smoke_params p = params(HORIZON);
    int nbx = W / BLOCK, nby = H / BLOCK;
    unsigned char *ign = calloc((size_t)nbx * nby, 1);
    assert_non_null(ign);
    /* the plume stays within columns 60..110: ignore block columns 6..14 */
    for (int by = 0; by < nby; by++)
        for (int bx = 6; bx <= 14; bx++)
            ign[by * nbx + bx] = 1;
    p.ignore = ign;
    assert_int_equal(run(&o, &p, res), -1);
    /* the same plume outside the mask still alarms */
    o.plume_x = 20;
    assert_true(run(&o, &p, res) >= 0);
    free(ign);
}

/* Table: first alarm frame for each persistence. A region is confirmed when it
 * has been seen persist_frames times and has grown since first seen, which
 * needs at least a second sighting. */
static void persistence_sets_the_first_alarm_frame(void **state)
{
    (void)state;
    static const int persist[] = {1, 2, 3, 4, 5, 7};
    for (size_t i = 0; i < sizeof persist / sizeof persist[0]; i++) {
        fg_smoke_result res[NFR];
        scene_opts o = plain();
        o.plume_from = 8;
        fg_smoke_params p = params(HORIZON);
        p.persist_frames = persist[i];
        int want = 8 + (persist[i] > 2 ? persist[i] - 1 : 1);
        int first = run(&o, &p, res);
        if (first != want)
            fail_msg("persist_frames %d: first alarm at %d, expected %d", persist[i], first, want);
        assert_true(res[first].persisted >= persist[i]);
    }
}

static void region_seen_fewer_than_persist_frames_does_not_alarm(void **state)
{
    (void)state;
    fg_smoke_result res[NFR];
    fg_smoke_params p = params(HORIZON);
    scene_opts o = plain();
    /* a growing grey column for persist − 1 frames, gone, back again */
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

static void grey_square_that_appears_and_stands_still_never_alarms(void **state)
{
    (void)state;
    fg_smoke_result res[NFR];
    fg_smoke_params p = params(HORIZON);
    scene_opts o = plain();
    o.static_from = 8;
    assert_int_equal(run(&o, &p, res), -1);
    int seen = 0;
    for (int k = 8; k < NFR; k++)
        seen += res[k].w > 0;
    assert_true(seen > 0); /* found as a change, refused for not growing or moving */
}

static void nothing_alarms_during_warmup(void **state)
{
    (void)state;
    fg_smoke_result res[NFR];
    fg_smoke_params p = params(HORIZON);
    /* confirmed at frame 10 (seen 8, 9, 10) but the warm-up lasts 12 frames */
    p.warmup_frames = 12;
    scene_opts o = plain();
    o.plume_from = 8;
    assert_int_equal(run(&o, &p, res), 12);
    assert_true(res[10].persisted >= p.persist_frames && res[11].persisted >= p.persist_frames);
}

/* ------------------------------------------------------------ history */

/* Day 1: a plume-like nuisance at x = 40 from 08:05 (it alarms: nothing is
 * known about it yet). Day 2, same hour: the nuisance again is suppressed by
 * the time-of-day history, a new plume at x = 120 is not. */
static void time_of_day_history_suppresses_a_recurring_nuisance_not_a_new_plume(void **state)
{
    (void)state;
    fg_smoke_params p = params(HORIZON);
    fg_smoke *s = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_smoke_new(&p, W, H, &s, &ctx), FG_OK);
    int64_t day1 = 1700006400 + 8 * 3600; /* 2023-11-15 08:00 UTC */
    fg_smoke_result res[NFR];
    memset(res, 0, sizeof res);
    scene_opts o = plain();
    o.plume_from = 5;
    o.plume_x = 40;
    assert_true(push_range(s, &o, 0, NFR, day1, 1, res) >= 0);

    /* day 2: the nuisance only (the gap restarts the warm-up, history stays) */
    fg_smoke_result res2[NFR];
    memset(res2, 0, sizeof res2);
    assert_int_equal(push_range(s, &o, 0, NFR, day1 + 86400, 2, res2), -1);

    /* day 3: the nuisance and a new plume at x = 120 */
    o.plume2_from = 5;
    o.plume2_x = 120;
    fg_smoke_result res3[NFR];
    memset(res3, 0, sizeof res3);
    int first = push_range(s, &o, 0, NFR, day1 + 2 * 86400, 3, res3);
    assert_true(first >= 5 && first <= 5 + p.persist_frames);
    assert_true(res3[first].x + res3[first].w > 100); /* the new plume, not the nuisance */
    assert_true(res3[first].history < 0.5f);
    fg_smoke_free(s);

    /* control: without day 1, the nuisance alarms on "day 2" */
    assert_int_equal(fg_smoke_new(&p, W, H, &s, &ctx), FG_OK);
    o.plume2_from = -1;
    assert_true(push_range(s, &o, 0, NFR, day1 + 86400, 2, res2) >= 0);
    fg_smoke_free(s);
}

/* ---------------------------------------------------------- time order */

static void gap_longer_than_gap_reset_restarts_the_warmup(void **state)
{
    (void)state;
    fg_smoke_params p = params(HORIZON);
    p.warmup_frames = 6;
    p.gap_reset_s = 1800;
    fg_smoke_result res[NFR];
    scene_opts o = plain();
    o.plume_from = 12;
    fg_ctx ctx = {0};
    /* frames 0..9, then a 2-hour gap before frame 10: warm-up again from 10,
     * so no alarm before frame 10 + warmup */
    for (int gap = 0; gap < 2; gap++) {
        fg_smoke *s = NULL;
        assert_int_equal(fg_smoke_new(&p, W, H, &s, &ctx), FG_OK);
        memset(res, 0, sizeof res);
        int64_t shift = gap ? 7200 : 600; /* 10 min: below gap_reset_s, no restart */
        assert_int_equal(push_range(s, &o, 0, 10, T0, 0, res), -1);
        int first = push_range(s, &o, 10, NFR, T0 + shift, 0, res);
        if (gap)
            assert_int_equal(first, 10 + p.warmup_frames);
        else
            assert_int_equal(first, 12 + p.persist_frames - 1);
        fg_smoke_free(s);
    }
}

static void frames_out_of_order_are_refused_and_change_nothing(void **state)
{
    (void)state;
    fg_smoke_params p = params(HORIZON);
    fg_smoke *a = NULL, *b = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_smoke_new(&p, W, H, &a, &ctx), FG_OK);
    assert_int_equal(fg_smoke_new(&p, W, H, &b, &ctx), FG_OK);
    fg_smoke_result ra[NFR], rb[NFR];
    scene_opts o = plain();
    o.plume_from = 4;
    push_range(a, &o, 0, 6, T0, 0, ra);
    push_range(b, &o, 0, 6, T0, 0, rb);
    /* an older frame into b: refused */
    unsigned char *buf = malloc(W * H * 3);
    assert_non_null(buf);
    make_frame(buf, 2, 0, &o);
    fg_raster r = {W, H, 3, W * 3, FG_PIX_U8, buf};
    fg_smoke_result junk;
    fg_ctx_clear(&ctx);
    assert_int_equal(fg_smoke_push(b, &r, T0 + 60 * 2, &junk, &ctx), FG_EINVAL);
    assert_non_null(strstr(ctx.msg, "older"));
    free(buf);
    /* both continue identically */
    push_range(a, &o, 6, NFR, T0, 0, ra);
    push_range(b, &o, 6, NFR, T0, 0, rb);
    for (int k = 6; k < NFR; k++)
        same_result(&ra[k], &rb[k]);
    fg_smoke_free(a);
    fg_smoke_free(b);
}

/* ------------------------------------------------------------- model */

static void learned_model_probability_gates_blocks(void **state)
{
    (void)state;
    /* a one-feature model whose probability is σ(bias): ~0 or ~1 everywhere */
    fg_smoke_model m;
    memset(&m, 0, sizeof m);
    m.nfeat = 1;
    m.scale[0] = 1;
    m.threshold = 0.5f;
    fg_smoke_params p = params(HORIZON);
    p.model = &m;
    p.min_prob = 0.5f;
    scene_opts o = plain();
    o.plume_from = 8;
    fg_smoke_result res[NFR];
    m.bias = -20;
    assert_int_equal(run(&o, &p, res), -1);
    m.bias = 20;
    assert_int_equal(run(&o, &p, res), 8 + p.persist_frames - 1);
    /* by default the gate is the model's own threshold: p = σ(1) = 0.73 */
    m.bias = 1;
    p.min_prob = -1;
    m.threshold = 0.8f;
    assert_int_equal(run(&o, &p, res), -1);
    m.threshold = 0.7f;
    assert_int_equal(run(&o, &p, res), 8 + p.persist_frames - 1);
    p.min_prob = 0.5f;
    /* a model asking for more features than the detector computes is refused */
    m.nfeat = FG_SF_COUNT + 1;
    fg_smoke *s = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_smoke_new(&p, W, H, &s, &ctx), FG_EINVAL);
    assert_null(s);
}

/* ------------------------------------------------------------ threads */

static void same_results_and_state_at_1_and_2_threads(void **state)
{
    (void)state;
    fg_smoke_result a[NFR], b[NFR], c[NFR];
    unsigned char *sa[3] = {NULL, NULL, NULL};
    size_t la[3] = {0, 0, 0};
    scene_opts o = plain();
    o.plume_from = 6;
    o.cloud = 1;
    fg_smoke_params p = params(-1);
    fg_smoke_result *out[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
#ifdef _OPENMP
        omp_set_num_threads(i < 2 ? 1 : 2);
#endif
        fg_smoke *s = NULL;
        fg_ctx ctx = {0};
        assert_int_equal(fg_smoke_new(&p, W, H, &s, &ctx), FG_OK);
        memset(out[i], 0, NFR * sizeof *out[i]);
        push_range(s, &o, 0, NFR, T0, 0, out[i]);
        assert_int_equal(fg_smoke_save(s, &sa[i], &la[i], &ctx), FG_OK);
        fg_smoke_free(s);
    }
#ifdef _OPENMP
    omp_set_num_threads(1);
#endif
    int alarms = 0;
    for (int k = 0; k < NFR; k++) {
        same_result(&a[k], &b[k]);
        same_result(&a[k], &c[k]);
        alarms += a[k].alarm;
    }
    assert_true(alarms > 0);
    assert_int_equal(la[0], la[2]);
    assert_memory_equal(sa[0], sa[1], la[0]);
    assert_memory_equal(sa[0], sa[2], la[0]);
    for (int i = 0; i < 3; i++)
        fg_free(sa[i]);
}

/* An RGB frame is taken as its YCbCr 4:2:0 planes (fg_ycc_from_rgb): the
 * same results and state as when the planes are pushed, as the camera
 * runner does with the JPEG's own. */
static void rgb_frames_are_their_ycc_planes(void **state)
{
    (void)state;
    scene_opts o = plain();
    o.plume_from = 6;
    fg_smoke_params p = params(-1);
    fg_smoke *a = NULL, *b = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_smoke_new(&p, W, H, &a, &ctx), FG_OK);
    assert_int_equal(fg_smoke_new(&p, W, H, &b, &ctx), FG_OK);
    unsigned char *buf = malloc(W * H * 3);
    assert_non_null(buf);
    fg_raster rgb = {W, H, 3, W * 3, FG_PIX_U8, buf};
    int alarms = 0;
    for (int k = 0; k < NFR; k++) {
        make_frame(buf, k, 0, &o);
        fg_raster ycc;
        assert_int_equal(fg_ycc_from_rgb(&rgb, &ycc, &ctx), FG_OK);
        fg_smoke_result ra, rb;
        assert_int_equal(fg_smoke_push(a, &rgb, T0 + 60 * (int64_t)k, &ra, &ctx), FG_OK);
        assert_int_equal(fg_smoke_push(b, &ycc, T0 + 60 * (int64_t)k, &rb, &ctx), FG_OK);
        same_result(&ra, &rb);
        alarms += ra.alarm;
        fg_raster_release(&ycc);
    }
    assert_true(alarms > 0);
    unsigned char *sa = NULL, *sb = NULL;
    size_t la = 0, lb = 0;
    assert_int_equal(fg_smoke_save(a, &sa, &la, &ctx), FG_OK);
    assert_int_equal(fg_smoke_save(b, &sb, &lb, &ctx), FG_OK);
    assert_int_equal(la, lb);
    assert_memory_equal(sa, sb, la);
    /* planes not laid out as fg_raster_alloc lays them are refused */
    fg_raster ycc;
    assert_int_equal(fg_ycc_from_rgb(&rgb, &ycc, &ctx), FG_OK);
    ycc.stride += 2;
    fg_smoke_result r;
    assert_int_equal(fg_smoke_push(b, &ycc, T0 + 60 * NFR, &r, &ctx), FG_EINVAL);
    assert_non_null(strstr(ctx.msg, "YCbCr 4:2:0"));
    ycc.stride -= 2;
    fg_raster_release(&ycc);
    fg_free(sa);
    fg_free(sb);
    free(buf);
    fg_smoke_free(a);
    fg_smoke_free(b);
}

/* ------------------------------------------------------------ bad input */

static void wrong_frame_and_bad_params_are_refused(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        int block, persist, warmup, gap;
        float a_fast, a_slow, min_diff, min_grey, min_prob;
    } bad[] = {
        {"block 0", 0, 3, 3, 1800, 0.7f, 0.9f, 6, 0.75f, 0.5f},
        {"block 1", 1, 3, 3, 1800, 0.7f, 0.9f, 6, 0.75f, 0.5f},
        {"block 7 (odd)", 7, 3, 3, 1800, 0.7f, 0.9f, 6, 0.75f, 0.5f},
        {"persist 0", 8, 0, 3, 1800, 0.7f, 0.9f, 6, 0.75f, 0.5f},
        {"negative warm-up", 8, 3, -1, 1800, 0.7f, 0.9f, 6, 0.75f, 0.5f},
        {"negative gap", 8, 3, 3, -5, 0.7f, 0.9f, 6, 0.75f, 0.5f},
        {"fast alpha 1", 8, 3, 3, 1800, 1.0f, 0.9f, 6, 0.75f, 0.5f},
        {"slow alpha NaN", 8, 3, 3, 1800, 0.7f, NAN, 6, 0.75f, 0.5f},
        {"min_diff 0", 8, 3, 3, 1800, 0.7f, 0.9f, 0, 0.75f, 0.5f},
        {"min_grey 2", 8, 3, 3, 1800, 0.7f, 0.9f, 6, 2.0f, 0.5f},
        {"min_prob -0.5", 8, 3, 3, 1800, 0.7f, 0.9f, 6, 0.75f, -0.5f},
    };
    fg_smoke *s = NULL;
    fg_ctx ctx = {0};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fg_smoke_params p = params(HORIZON);
        p.block = bad[i].block;
        p.persist_frames = bad[i].persist;
        p.warmup_frames = bad[i].warmup;
        p.gap_reset_s = bad[i].gap;
        p.bg_alpha_fast = bad[i].a_fast;
        p.bg_alpha = bad[i].a_slow;
        p.min_diff = bad[i].min_diff;
        p.min_grey = bad[i].min_grey;
        p.min_prob = bad[i].min_prob;
        fg_ctx_clear(&ctx);
        if (fg_smoke_new(&p, W, H, &s, &ctx) != FG_EINVAL)
            fail_msg("%s accepted", bad[i].what);
        assert_null(s);
        assert_non_null(strstr(ctx.msg, "smoke"));
    }
    fg_smoke_params p = params(HORIZON);
    assert_int_equal(fg_smoke_new(&p, 0, H, &s, &ctx), FG_EINVAL);
    assert_int_equal(fg_smoke_new(&p, 4, 4, &s, &ctx), FG_EINVAL); /* smaller than a block */
    assert_int_equal(fg_smoke_new(&p, W, H, &s, &ctx), FG_OK);
    unsigned char buf[80 * 60 * 3] = {0};
    fg_raster small = {80, 60, 3, 80 * 3, FG_PIX_U8, buf};
    fg_smoke_result res;
    assert_int_equal(fg_smoke_push(s, &small, 0, &res, &ctx), FG_EINVAL);
    assert_non_null(strstr(ctx.msg, "160x120"));
    fg_raster grey = {W, H, 1, W, FG_PIX_U8, buf};
    assert_int_equal(fg_smoke_push(s, &grey, 0, &res, &ctx), FG_EINVAL);
    assert_int_equal(fg_smoke_push(s, NULL, 0, &res, &ctx), FG_EINVAL);
    fg_smoke_free(s);
    fg_smoke_free(NULL);
    unsigned char *out = NULL;
    size_t len = 0;
    assert_int_equal(fg_smoke_save(NULL, &out, &len, &ctx), FG_EINVAL);
    assert_int_equal(fg_smoke_load(&p, NULL, 0, &s, &ctx), FG_EFORMAT);
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
    for (int budget = 0; budget < 80; budget++) {
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
        cmocka_unit_test(static_scene_with_light_wobble_never_alarms),
        cmocka_unit_test(growing_grey_plume_from_the_ground_alarms_after_persistence),
        cmocka_unit_test(plume_with_estimated_horizon_and_a_cloud_alarms_too),
        cmocka_unit_test(cloud_drifting_above_the_horizon_never_alarms),
        cmocka_unit_test(light_change_over_the_whole_frame_never_alarms),
        cmocka_unit_test(haze_layer_thickening_along_whole_rows_never_alarms),
        cmocka_unit_test(growing_patch_that_gains_colour_never_alarms),
        cmocka_unit_test(sloping_skyline_keeps_clouds_in_the_sky),
        cmocka_unit_test(plume_jittering_sideways_keeps_its_track),
        cmocka_unit_test(plume_in_an_ignored_block_area_never_alarms),
        cmocka_unit_test(persistence_sets_the_first_alarm_frame),
        cmocka_unit_test(region_seen_fewer_than_persist_frames_does_not_alarm),
        cmocka_unit_test(grey_square_that_appears_and_stands_still_never_alarms),
        cmocka_unit_test(nothing_alarms_during_warmup),
        cmocka_unit_test(time_of_day_history_suppresses_a_recurring_nuisance_not_a_new_plume),
        cmocka_unit_test(gap_longer_than_gap_reset_restarts_the_warmup),
        cmocka_unit_test(frames_out_of_order_are_refused_and_change_nothing),
        cmocka_unit_test(learned_model_probability_gates_blocks),
        cmocka_unit_test(same_results_and_state_at_1_and_2_threads),
        cmocka_unit_test(rgb_frames_are_their_ycc_planes),
        cmocka_unit_test(wrong_frame_and_bad_params_are_refused),
        cmocka_unit_test(allocation_failure_leaves_output_untouched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
