/* test_detect_fire_swir.c — unit tests of the Landsat OLI / Sentinel-2 SWIR fire detector on generated scenes. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka after the standard headers it relies on */
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "detect/detect.h"
#include "detect/fire_swir_int.h"

/* A generated scene: planes [1]..[7] = ρ1..ρ7 (plane 1 is the coastal band). */
typedef struct scene {
    int w, h;
    float *p[8];
    fg_raster r[8];
    fg_swir_input in;
} scene;

/* Dry savanna-like land: ρ7/ρ5 = 0.8, ρ7/ρ6 = 0.67. */
static const float LAND[8] = {0, 0.06f, 0.05f, 0.07f, 0.09f, 0.25f, 0.30f, 0.20f};

static void scene_new(scene *s, int w, int h, int with_coastal)
{
    memset(s, 0, sizeof *s);
    s->w = w;
    s->h = h;
    for (int k = 1; k <= 7; k++) {
        s->p[k] = fg_malloc((size_t)w * h * sizeof(float));
        assert_non_null(s->p[k]);
        for (size_t i = 0; i < (size_t)w * h; i++)
            s->p[k][i] = LAND[k];
        s->r[k] = (fg_raster){w, h, 1, (size_t)w, FG_PIX_F32, s->p[k]};
    }
    s->in.coastal = with_coastal ? &s->r[1] : NULL;
    s->in.blue = &s->r[2];
    s->in.green = &s->r[3];
    s->in.red = &s->r[4];
    s->in.nir = &s->r[5];
    s->in.swir1 = &s->r[6];
    s->in.swir2 = &s->r[7];
}

static void scene_free(scene *s)
{
    for (int k = 1; k <= 7; k++)
        fg_free(s->p[k]);
}

/* Sets ρ1..ρ7 of one pixel (v[0] unused; NAN in v[k] keeps the plane's value). */
static void set_px(scene *s, int row, int col, const float v[8])
{
    for (int k = 1; k <= 7; k++)
        if (v[k] == v[k])
            s->p[k][(size_t)row * s->w + col] = v[k];
}

/* Deterministic pseudo-random numbers in [0, 1). */
static double lcg(uint64_t *st)
{
    *st = *st * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(*st >> 11) / 9007199254740992.0;
}

/* ------------------------------------------------- rule tables at thresholds */

typedef struct rule_row {
    const char *what;
    fg_swir_algorithm alg;
    int coastal;     /* 1: ρ1 given separately */
    float v[8];      /* ρ1..ρ7 of the test pixel */
    unsigned bit;    /* FG_SWIR_T_* under test */
    int expect;      /* 1 bit set, 0 bit clear */
} rule_row;

#define S16 FG_SWIR_SCHROEDER2016
#define KR18 FG_SWIR_KUMAR_ROY2018
#define MSI FG_SWIR_SENTINEL2

static const rule_row RULES[] = {
    /* Schroeder 2016 eq. 1: ρ7/ρ5 > 2.5, ρ7 − ρ5 > 0.3, ρ7 > 0.5 */
    {"S16 unambiguous ratio just above 2.5", S16, 0, {0, .05f, .05f, .07f, .09f, .30f, .30f, .751f}, FG_SWIR_T_UNAMB, 1},
    {"S16 unambiguous ratio just below 2.5", S16, 0, {0, .05f, .05f, .07f, .09f, .30f, .30f, .749f}, FG_SWIR_T_UNAMB, 0},
    {"S16 unambiguous rho7 just above 0.5", S16, 0, {0, .05f, .05f, .07f, .09f, .10f, .30f, .501f}, FG_SWIR_T_UNAMB, 1},
    {"S16 unambiguous rho7 just below 0.5", S16, 0, {0, .05f, .05f, .07f, .09f, .10f, .30f, .499f}, FG_SWIR_T_UNAMB, 0},
    /* eq. 2: ρ6 > 0.8 and ρ1 < 0.2 and (ρ5 > 0.4 or ρ7 < 0.1) */
    {"S16 folding rho6 just above 0.8", S16, 0, {0, .10f, .10f, .07f, .09f, .41f, .81f, .30f}, FG_SWIR_T_FOLD, 1},
    {"S16 folding rho6 just below 0.8", S16, 0, {0, .10f, .10f, .07f, .09f, .41f, .79f, .30f}, FG_SWIR_T_FOLD, 0},
    {"S16 folding blue stands in for rho1 above 0.2", S16, 0, {0, .50f, .21f, .07f, .09f, .41f, .81f, .30f}, FG_SWIR_T_FOLD, 0},
    {"S16 folding coastal rho1 below 0.2", S16, 1, {0, .19f, .25f, .07f, .09f, .41f, .81f, .30f}, FG_SWIR_T_FOLD, 1},
    {"S16 folding coastal rho1 above 0.2", S16, 1, {0, .21f, .10f, .07f, .09f, .41f, .81f, .30f}, FG_SWIR_T_FOLD, 0},
    {"S16 folding rho5 below 0.4 and rho7 above 0.1", S16, 0, {0, .10f, .10f, .07f, .09f, .39f, .81f, .11f}, FG_SWIR_T_FOLD, 0},
    {"S16 folding rho5 below 0.4 and rho7 below 0.1", S16, 0, {0, .10f, .10f, .07f, .09f, .39f, .81f, .09f}, FG_SWIR_T_FOLD, 1},
    /* eq. 3 and 6: ρ7/ρ5 > 1.8, ρ7 − ρ5 > 0.17, ρ7/ρ6 > 1.6 */
    {"S16 candidate ratio just above 1.8", S16, 0, {0, .05f, .05f, .07f, .09f, .25f, .20f, .451f}, FG_SWIR_T_CAND, 1},
    {"S16 candidate ratio just below 1.8", S16, 0, {0, .05f, .05f, .07f, .09f, .25f, .20f, .449f}, FG_SWIR_T_CAND, 0},
    {"S16 candidate difference just above 0.17", S16, 0, {0, .05f, .05f, .07f, .09f, .10f, .10f, .271f}, FG_SWIR_T_CAND, 1},
    {"S16 candidate difference just below 0.17", S16, 0, {0, .05f, .05f, .07f, .09f, .10f, .10f, .269f}, FG_SWIR_T_CAND, 0},
    {"S16 candidate rho7/rho6 just above 1.6", S16, 0, {0, .05f, .05f, .07f, .09f, .20f, .2497f, .40f}, FG_SWIR_T_CAND, 1},
    {"S16 candidate rho7/rho6 just below 1.6", S16, 0, {0, .05f, .05f, .07f, .09f, .20f, .2503f, .40f}, FG_SWIR_T_CAND, 0},
    /* eq. 7: ρ4 > ρ5 > ρ6 > ρ7 and ρ1 − ρ7 < 0.2 and (ρ3 > ρ2 or ρ1 > ρ2 > ρ3 > ρ4) */
    {"S16 water green above blue", S16, 0, {0, .08f, .08f, .09f, .07f, .05f, .03f, .02f}, FG_SWIR_T_WATER, 1},
    {"S16 water green below blue without coastal", S16, 0, {0, .08f, .08f, .075f, .07f, .05f, .03f, .02f}, FG_SWIR_T_WATER, 0},
    {"S16 water falling visible with coastal", S16, 1, {0, .12f, .10f, .08f, .07f, .05f, .03f, .02f}, FG_SWIR_T_WATER, 1},
    {"S16 water coastal minus rho7 above 0.2", S16, 1, {0, .25f, .10f, .08f, .07f, .05f, .03f, .02f}, FG_SWIR_T_WATER, 0},
    {"S16 water rho6 above rho5", S16, 0, {0, .08f, .08f, .09f, .07f, .05f, .06f, .02f}, FG_SWIR_T_WATER, 0},
    /* Kumar & Roy 2018: ρ4 ≤ 0.53ρ7 − 0.214 (0.104 at ρ7 = 0.6) */
    {"KR18 unambiguous red just below the line", KR18, 0, {0, .05f, .05f, .07f, .103f, .25f, .50f, .60f}, FG_SWIR_T_UNAMB, 1},
    {"KR18 unambiguous red just above the line", KR18, 0, {0, .05f, .05f, .07f, .105f, .25f, .50f, .60f}, FG_SWIR_T_UNAMB, 0},
    /* candidate ρ4 ≤ 0.53ρ7 − 0.125 (0.087 at ρ7 = 0.4) or ρ6 ≤ 1.08ρ7 − 0.048 (0.384) */
    {"KR18 candidate red just below the line", KR18, 0, {0, .05f, .05f, .07f, .086f, .25f, .50f, .40f}, FG_SWIR_T_CAND, 1},
    {"KR18 candidate red just above the line", KR18, 0, {0, .05f, .05f, .07f, .088f, .25f, .50f, .40f}, FG_SWIR_T_CAND, 0},
    {"KR18 candidate swir1 just below the line", KR18, 0, {0, .05f, .05f, .07f, .20f, .25f, .383f, .40f}, FG_SWIR_T_CAND, 1},
    {"KR18 candidate swir1 just above the line", KR18, 0, {0, .05f, .05f, .07f, .20f, .25f, .385f, .40f}, FG_SWIR_T_CAND, 0},
    /* water ρ2 > ρ3 > ρ4 > ρ5 */
    {"KR18 water falling blue to nir", KR18, 0, {0, .10f, .10f, .08f, .06f, .04f, .03f, .02f}, FG_SWIR_T_WATER, 1},
    {"KR18 water green below red", KR18, 0, {0, .10f, .10f, .06f, .08f, .04f, .03f, .02f}, FG_SWIR_T_WATER, 0},
    /* Sentinel-2: B4 ≤ 0.743·B12 − 0.068 and B12 ≥ 0.355 and (B11 ≥ 0.475 or B12 ≥ 1) */
    {"S2 unambiguous inside the biome rule", MSI, 0, {0, .05f, .05f, .07f, .300f, .25f, .50f, .50f}, FG_SWIR_T_UNAMB, 1},
    {"S2 unambiguous red above the line", MSI, 0, {0, .05f, .05f, .07f, .310f, .25f, .50f, .50f}, FG_SWIR_T_UNAMB, 0},
    {"S2 unambiguous B11 below 0.475", MSI, 0, {0, .05f, .05f, .07f, .100f, .25f, .47f, .50f}, FG_SWIR_T_UNAMB, 0},
    {"S2 unambiguous B12 at 1 rescues low B11", MSI, 0, {0, .05f, .05f, .07f, .100f, .25f, .30f, 1.0f}, FG_SWIR_T_UNAMB, 1},
    {"S2 unambiguous B12 below 0.355", MSI, 0, {0, .05f, .05f, .07f, .100f, .25f, .50f, .354f}, FG_SWIR_T_UNAMB, 0},
    /* index rule (B12 − B11)/(B12 + B11) > 0.4 with B12 > 0.15 */
    {"S2 candidate index just above 0.4", MSI, 0, {0, .05f, .05f, .07f, .09f, .25f, .10f, .24f}, FG_SWIR_T_CAND, 1},
    {"S2 candidate index just below 0.4", MSI, 0, {0, .05f, .05f, .07f, .09f, .25f, .10f, .23f}, FG_SWIR_T_CAND, 0},
    {"S2 candidate dark pixel never passes", MSI, 0, {0, .05f, .05f, .07f, .09f, .25f, .01f, .14f}, FG_SWIR_T_CAND, 0},
};

static void rules_fire_exactly_at_their_published_thresholds(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof RULES / sizeof RULES[0]; i++) {
        const rule_row *t = &RULES[i];
        scene s;
        scene_new(&s, 9, 9, t->coastal);
        set_px(&s, 4, 4, t->v);
        fg_swir_diag d;
        fg_ctx ctx = {0, ""};
        assert_int_equal(fg_swir_explain(&s.in, t->alg, NULL, 4, 4, &d, &ctx), FG_OK);
        int got = (d.tests & t->bit) != 0;
        if (got != t->expect)
            fail_msg("%s: rule bit %s, expected %s (tests 0x%x)", t->what, got ? "set" : "clear",
                     t->expect ? "set" : "clear", d.tests);
        scene_free(&s);
    }
}

/* ------------------------------------------------------- whole-scene decisions */

static unsigned char run_centre(scene *s, fg_swir_algorithm alg, const fg_swir_opts *o, int row,
                                int col, fg_fire_pixel *rec)
{
    unsigned char *mask = fg_malloc((size_t)s->w * s->h);
    fg_fire_pixel *px = NULL;
    size_t n = 0;
    fg_ctx ctx = {0, ""};
    assert_non_null(mask);
    assert_int_equal(fg_swir_detect_opts(&s->in, alg, o, 1, &px, &n, mask, &ctx), FG_OK);
    unsigned char m = mask[(size_t)row * s->w + col];
    if (rec) {
        memset(rec, 0, sizeof *rec);
        for (size_t i = 0; i < n; i++)
            if (px[i].row == row && px[i].col == col)
                *rec = px[i];
    }
    fg_free(px);
    fg_free(mask);
    return m;
}

typedef struct ctx_row {
    const char *what;
    fg_swir_algorithm alg;
    float r7, r5, r6; /* candidate pixel */
    unsigned char expect;
} ctx_row;

/* Background ρ7/ρ5 = 0.8, ρ7 = 0.2, σ = 0: the context margins are the floors,
 * ρ7/ρ5 > 1.6 and ρ7 > 0.28. */
static const ctx_row CTX[] = {
    {"S16 candidate clearly above context", S16, 0.45f, 0.20f, 0.20f, FG_MASK_FIRE_NOMINAL},
    {"S16 candidate rho7 just below mean + 0.08", S16, 0.279f, 0.10f, 0.10f, FG_MASK_LAND},
    {"S16 candidate rho7 just above mean + 0.08", S16, 0.281f, 0.10f, 0.10f, FG_MASK_FIRE_NOMINAL},
    {"KR18 candidate clearly above context", KR18, 0.45f, 0.20f, 0.20f, FG_MASK_FIRE_NOMINAL},
    {"KR18 candidate ratio below mean + 0.8", KR18, 0.40f, 0.26f, 0.20f, FG_MASK_LAND},
    {"S2 candidate clearly above context", MSI, 0.30f, 0.10f, 0.10f, FG_MASK_FIRE_NOMINAL},
};

static void context_tests_decide_candidates_against_the_floors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CTX / sizeof CTX[0]; i++) {
        const ctx_row *t = &CTX[i];
        scene s;
        scene_new(&s, 41, 41, 0);
        float v[8] = {NAN, NAN, NAN, NAN, 0.05f, t->r5, t->r6, t->r7};
        set_px(&s, 20, 20, v);
        fg_fire_pixel rec;
        unsigned char m = run_centre(&s, t->alg, NULL, 20, 20, &rec);
        if (m != t->expect)
            fail_msg("%s: class %d, expected %d", t->what, m, t->expect);
        if (m == FG_MASK_FIRE_NOMINAL) {
            assert_true(rec.confidence >= 30 && rec.confidence < 80);
            assert_true(rec.n_valid > 0);
            assert_float_equal(rec.swir2_ref, t->r7, 1e-6);
            assert_float_equal(rec.swir_ratio, t->r7 / t->r5, 1e-5);
            assert_true(isnan(rec.t4) && isnan(rec.frp_mw));
        }
        scene_free(&s);
    }
}

static void unambiguous_fire_is_high_confidence_without_context(void **state)
{
    (void)state;
    scene s;
    scene_new(&s, 21, 21, 0);
    /* a whole block of fire: no background is needed */
    for (int r = 0; r < 21; r++)
        for (int c = 0; c < 21; c++)
            set_px(&s, r, c, (float[8]){NAN, NAN, NAN, NAN, 0.05f, 0.15f, 0.40f, 0.90f});
    fg_fire_pixel rec;
    assert_int_equal(run_centre(&s, S16, NULL, 10, 10, &rec), FG_MASK_FIRE_HIGH);
    assert_int_equal(rec.confidence, 100);
    assert_true(rec.tests & FG_SWIR_T_UNAMB);
    assert_int_equal(run_centre(&s, KR18, NULL, 10, 10, NULL), FG_MASK_FIRE_HIGH);
    scene_free(&s);
}

/* ------------------------------------------------------- Kumar–Roy neighbour rule */

static void neighbour_of_unambiguous_fire_with_bright_swir1_is_fire(void **state)
{
    (void)state;
    scene s;
    scene_new(&s, 21, 21, 0);
    /* unambiguous: ρ4 = 0.05 ≤ 0.53·0.9 − 0.214 */
    set_px(&s, 10, 10, (float[8]){NAN, NAN, NAN, NAN, 0.05f, 0.15f, 0.40f, 0.90f});
    /* ρ4 ≤ 0.35·ρ6 − 0.044 = 0.096, but neither unambiguous nor a candidate */
    const float nb[8] = {NAN, NAN, NAN, NAN, 0.05f, 0.30f, 0.40f, 0.20f};
    set_px(&s, 10, 11, nb); /* adjacent */
    set_px(&s, 10, 13, nb); /* two pixels away */
    fg_fire_pixel rec;
    assert_int_equal(run_centre(&s, KR18, NULL, 10, 11, &rec), FG_MASK_FIRE_HIGH);
    assert_true(rec.tests & FG_SWIR_T_NEIGH);
    assert_int_equal(run_centre(&s, KR18, NULL, 10, 13, NULL), FG_MASK_LAND);
    fg_swir_opts o;
    fg_swir_opts_default(&o, KR18);
    o.neighbour_rule = 0;
    assert_int_equal(run_centre(&s, KR18, &o, 10, 11, NULL), FG_MASK_LAND);
    /* the rule does not chain: a neighbour of a neighbour-rule fire stays land */
    set_px(&s, 10, 12, nb);
    assert_int_equal(run_centre(&s, KR18, NULL, 10, 12, NULL), FG_MASK_LAND);
    scene_free(&s);
}

/* ----------------------------------------------------- window growth and stats */

static void kumar_roy_window_grows_past_a_water_ring(void **state)
{
    (void)state;
    scene s;
    scene_new(&s, 41, 41, 1);
    const float water[8] = {NAN, 0.12f, 0.10f, 0.08f, 0.06f, 0.04f, 0.03f, 0.02f};
    for (int r = 18; r <= 22; r++)
        for (int c = 18; c <= 22; c++)
            set_px(&s, r, c, water);
    set_px(&s, 20, 20, (float[8]){NAN, NAN, NAN, NAN, 0.05f, 0.20f, 0.20f, 0.45f});
    fg_fire_pixel rec;
    assert_int_equal(run_centre(&s, KR18, NULL, 20, 20, &rec), FG_MASK_FIRE_NOMINAL);
    /* 3×3 and 5×5 hold only water; 7×7 holds a 24-pixel land ring (≥ 8 and ≥ 12.25) */
    assert_int_equal(rec.window, 7);
    assert_int_equal(rec.n_valid, 24);
    assert_int_equal(rec.adj_water, 8);
    scene_free(&s);
}

static void candidate_without_background_is_unknown(void **state)
{
    (void)state;
    scene s;
    scene_new(&s, 15, 15, 1);
    const float water[8] = {NAN, 0.12f, 0.10f, 0.08f, 0.06f, 0.04f, 0.03f, 0.02f};
    for (int r = 0; r < 15; r++)
        for (int c = 0; c < 15; c++)
            set_px(&s, r, c, water);
    set_px(&s, 7, 7, (float[8]){NAN, NAN, NAN, NAN, 0.05f, 0.20f, 0.20f, 0.45f});
    assert_int_equal(run_centre(&s, KR18, NULL, 7, 7, NULL), FG_MASK_UNKNOWN);
    assert_int_equal(run_centre(&s, S16, NULL, 7, 7, NULL), FG_MASK_UNKNOWN);
    assert_int_equal(run_centre(&s, S16, NULL, 0, 0, NULL), FG_MASK_WATER);
    scene_free(&s);
}

/* A noisy scene with scattered hot pixels, water and fill: exercises tiles and halos. */
static void noisy_scene(scene *s, int w, int h, uint64_t seed)
{
    scene_new(s, w, h, 0);
    uint64_t st = seed;
    for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++) {
            size_t i = (size_t)r * w + c;
            double u = lcg(&st);
            float n5 = 0.15f + 0.2f * (float)lcg(&st), k = 0.5f + 0.7f * (float)lcg(&st);
            s->p[5][i] = n5;
            s->p[6][i] = n5 * (0.9f + 0.4f * (float)lcg(&st));
            s->p[7][i] = n5 * k;
            s->p[4][i] = 0.05f + 0.08f * (float)lcg(&st);
            if (u < 0.03) { /* hot pixel, from smouldering to flaming */
                float f = (float)lcg(&st);
                s->p[7][i] = 0.25f + 0.9f * f;
                s->p[6][i] = 0.2f + 0.5f * f * (float)lcg(&st);
                s->p[4][i] = 0.03f + 0.1f * (float)lcg(&st);
            } else if (u < 0.05) { /* water */
                s->p[2][i] = 0.10f;
                s->p[3][i] = 0.09f;
                s->p[4][i] = 0.08f;
                s->p[5][i] = 0.05f;
                s->p[6][i] = 0.03f;
                s->p[7][i] = 0.02f;
            } else if (u < 0.052) {
                s->p[7][i] = NAN;
            }
        }
}

static void tiled_context_matches_brute_force_for_every_candidate(void **state)
{
    (void)state;
    const fg_swir_algorithm algs[3] = {S16, KR18, MSI};
    for (int a = 0; a < 3; a++) {
        scene s;
        noisy_scene(&s, 290, 270, 7 + a);
        unsigned char *mask = fg_malloc(290 * 270);
        fg_fire_pixel *px = NULL;
        size_t n = 0;
        fg_ctx ctx = {0, ""};
        assert_int_equal(fg_swir_detect(&s.in, algs[a], 1, &px, &n, mask, &ctx), FG_OK);
        size_t k = 0, checked = 0;
        for (int r = 0; r < s.h; r++)
            for (int c = 0; c < s.w; c++) {
                unsigned char m = mask[(size_t)r * s.w + c];
                while (k < n && (px[k].row < r || (px[k].row == r && px[k].col < c)))
                    k++;
                /* brute force only where a context was computed (and on a sample of others) */
                if (m != FG_MASK_FIRE_NOMINAL && m != FG_MASK_UNKNOWN && ((r * 31 + c) % 97))
                    continue;
                fg_swir_diag d;
                assert_int_equal(fg_swir_explain(&s.in, algs[a], NULL, r, c, &d, &ctx), FG_OK);
                if (d.mask_class != m)
                    fail_msg("alg %d pixel (%d,%d): tiled class %d, brute force %d", algs[a], r,
                             c, m, d.mask_class);
                if (m == FG_MASK_FIRE_NOMINAL) {
                    assert_true(k < n && px[k].row == r && px[k].col == c);
                    assert_int_equal(px[k].n_valid, d.n_valid);
                    assert_int_equal(px[k].window, d.window);
                    assert_int_equal(px[k].confidence, d.confidence);
                }
                checked++;
            }
        assert_true(checked > 100);
        fg_free(px);
        fg_free(mask);
        scene_free(&s);
    }
}

/* The explain statistics against a plain two-pass mean and σ over the window. */
static void background_statistics_match_a_two_pass_computation(void **state)
{
    (void)state;
    scene s;
    noisy_scene(&s, 80, 80, 99);
    const int row = 40, col = 41;
    set_px(&s, row, col, (float[8]){NAN, NAN, NAN, NAN, 0.05f, 0.20f, 0.20f, 0.45f});
    fg_swir_opts o;
    fg_swir_opts_default(&o, S16);
    for (int sample = 0; sample <= 1; sample++) {
        o.sample_sigma = sample;
        fg_swir_diag d;
        fg_ctx ctx = {0, ""};
        assert_int_equal(fg_swir_explain(&s.in, S16, &o, row, col, &d, &ctx), FG_OK);
        /* valid background: land or candidate (not fire, water, fill), ρ7 > 0, ρ5 > 0 */
        double sr = 0, s7 = 0;
        int cnt = 0;
        for (int pass = 0; pass < 2; pass++) {
            double qr = 0, q7 = 0;
            for (int r = row - 30; r <= row + 30; r++)
                for (int c = col - 30; c <= col + 30; c++) {
                    if (r < 0 || r >= s.h || c < 0 || c >= s.w || (r == row && c == col))
                        continue;
                    fg_swir_diag e;
                    assert_int_equal(fg_swir_explain(&s.in, S16, &o, r, c, &e, &ctx), FG_OK);
                    if (e.mask_class == FG_MASK_WATER || e.mask_class == FG_MASK_NOT_PROCESSED ||
                        (e.tests & (FG_SWIR_T_UNAMB | FG_SWIR_T_FOLD | FG_SWIR_T_SAT)) ||
                        !(e.rho[7] > 0) || !(e.rho[5] > 0))
                        continue;
                    double x = (double)e.rho[7] / e.rho[5], y = e.rho[7];
                    if (pass == 0) {
                        sr += x;
                        s7 += y;
                        cnt++;
                    } else {
                        qr += (x - sr / cnt) * (x - sr / cnt);
                        q7 += (y - s7 / cnt) * (y - s7 / cnt);
                    }
                }
            if (pass == 1) {
                double dof = sample ? cnt - 1 : cnt;
                assert_int_equal(d.n_valid, cnt);
                assert_float_equal(d.mean_ratio, sr / cnt, 1e-9);
                assert_float_equal(d.mean_ref, s7 / cnt, 1e-9);
                assert_float_equal(d.sd_ratio, sqrt(qr / dof), 1e-7);
                assert_float_equal(d.sd_ref, sqrt(q7 / dof), 1e-7);
            }
        }
    }
    scene_free(&s);
}

/* ------------------------------------------------------- saturation and fill */

static void saturated_swir2_is_fire_only_when_saturation_is_known(void **state)
{
    (void)state;
    scene s;
    scene_new(&s, 21, 21, 0);
    /* clipped at 1.64: ρ7/ρ5 = 1.64/0.8 = 2.05 fails the ratio test of eq. 1 */
    set_px(&s, 10, 10, (float[8]){NAN, NAN, NAN, NAN, 0.30f, 0.80f, 0.70f, 1.64f});
    fg_fire_pixel rec;
    s.in.saturation = 1.64f;
    assert_int_equal(run_centre(&s, S16, NULL, 10, 10, &rec), FG_MASK_FIRE_HIGH);
    assert_true(rec.tests & FG_SWIR_T_SAT);
    assert_true(rec.tests & FG_TEST_SATURATED);
    s.in.saturation = 0.0f;
    fg_swir_diag d;
    fg_ctx ctx = {0, ""};
    assert_int_equal(fg_swir_explain(&s.in, S16, NULL, 10, 10, &d, &ctx), FG_OK);
    assert_false(d.tests & FG_SWIR_T_SAT);
    assert_false(d.tests & FG_SWIR_T_UNAMB);
    scene_free(&s);
}

static void folded_pixel_is_fire_in_schroeder_mode(void **state)
{
    (void)state;
    scene s;
    scene_new(&s, 21, 21, 0);
    /* DN folding: ρ7 wrapped to 0.05 while ρ6 stays above 0.8 */
    set_px(&s, 10, 10, (float[8]){NAN, NAN, 0.10f, NAN, 0.10f, 0.30f, 0.85f, 0.05f});
    fg_fire_pixel rec;
    assert_int_equal(run_centre(&s, S16, NULL, 10, 10, &rec), FG_MASK_FIRE_HIGH);
    assert_true(rec.tests & FG_SWIR_T_FOLD);
    scene_free(&s);
}

static void nan_and_fill_pixels_are_not_processed_and_never_background(void **state)
{
    (void)state;
    scene s;
    scene_new(&s, 41, 41, 0);
    /* the candidate's whole 61×61 window is fill except itself */
    for (int r = 0; r < 41; r++)
        for (int c = 0; c < 41; c++)
            s.p[7][(size_t)r * 41 + c] = (r + c) % 2 ? NAN : -9999.0f;
    set_px(&s, 20, 20, (float[8]){NAN, NAN, NAN, NAN, 0.05f, 0.20f, 0.20f, 0.45f});
    unsigned char *mask = fg_malloc(41 * 41);
    fg_fire_pixel *px = NULL;
    size_t n = 9;
    fg_ctx ctx = {0, ""};
    assert_int_equal(fg_swir_detect(&s.in, S16, 1, &px, &n, mask, &ctx), FG_OK);
    assert_int_equal(n, 0);
    assert_null(px);
    assert_int_equal(mask[0], FG_MASK_NOT_PROCESSED);
    assert_int_equal(mask[1], FG_MASK_NOT_PROCESSED);
    assert_int_equal(mask[20 * 41 + 20], FG_MASK_UNKNOWN);
    fg_free(mask);
    scene_free(&s);
}

/* ------------------------------------------------------------- bad input */

static void missing_band_is_not_found_and_named(void **state)
{
    (void)state;
    scene s;
    scene_new(&s, 9, 9, 0);
    fg_fire_pixel sentinel;
    fg_fire_pixel *px = &sentinel; /* must stay untouched */
    size_t n = 77;
    fg_ctx ctx = {0, ""};
    s.in.green = NULL;
    assert_int_equal(fg_swir_detect(&s.in, S16, 1, &px, &n, NULL, &ctx), FG_ENOTFOUND);
    assert_non_null(strstr(ctx.msg, "GREEN_REF"));
    assert_ptr_equal(px, &sentinel);
    assert_int_equal(n, 77);
    s.in.green = &s.r[3];
    s.in.red = NULL;
    assert_int_equal(fg_swir_detect(&s.in, KR18, 1, &px, &n, NULL, &ctx), FG_ENOTFOUND);
    assert_non_null(strstr(ctx.msg, "RED_REF"));
    s.in.red = &s.r[4];
    s.in.swir1 = NULL;
    assert_int_equal(fg_swir_detect(&s.in, MSI, 1, &px, &n, NULL, &ctx), FG_ENOTFOUND);
    assert_non_null(strstr(ctx.msg, "SWIR1_REF"));
    /* Sentinel-2 runs without blue and green */
    s.in.swir1 = &s.r[6];
    s.in.blue = s.in.green = NULL;
    px = NULL;
    assert_int_equal(fg_swir_detect(&s.in, MSI, 1, &px, &n, NULL, &ctx), FG_OK);
    fg_free(px);
    scene_free(&s);
}

static void bands_of_different_sizes_are_rejected(void **state)
{
    (void)state;
    scene s;
    scene_new(&s, 9, 9, 0);
    s.r[6].width = 8;
    fg_fire_pixel *px = NULL;
    size_t n = 0;
    fg_ctx ctx = {0, ""};
    assert_int_equal(fg_swir_detect(&s.in, S16, 1, &px, &n, NULL, &ctx), FG_EINVAL);
    assert_non_null(strstr(ctx.msg, "SWIR1_REF"));
    s.r[6].width = 9;
    assert_int_equal(fg_swir_detect(&s.in, (fg_swir_algorithm)42, 1, &px, &n, NULL, &ctx),
                     FG_EINVAL);
    assert_int_equal(fg_swir_detect(NULL, S16, 1, &px, &n, NULL, &ctx), FG_EINVAL);
    scene_free(&s);
}

/* -------------------------------------------------------------- determinism */

static void one_and_two_threads_give_identical_bytes(void **state)
{
    (void)state;
    const fg_swir_algorithm algs[3] = {S16, KR18, MSI};
    for (int a = 0; a < 3; a++) {
        scene s;
        noisy_scene(&s, 400, 333, 1234 + a);
        s.in.saturation = 1.0f;
        unsigned char *m1 = fg_malloc(400 * 333), *m2 = fg_malloc(400 * 333);
        fg_fire_pixel *p1 = NULL, *p2 = NULL;
        size_t n1 = 0, n2 = 0;
        fg_ctx ctx = {0, ""};
        assert_int_equal(fg_swir_detect(&s.in, algs[a], 1, &p1, &n1, m1, &ctx), FG_OK);
        assert_int_equal(fg_swir_detect(&s.in, algs[a], 2, &p2, &n2, m2, &ctx), FG_OK);
        assert_true(n1 > 50);
        assert_int_equal(n1, n2);
        assert_memory_equal(m1, m2, 400 * 333);
        assert_memory_equal(p1, p2, n1 * sizeof *p1);
        fg_free(p1);
        fg_free(p2);
        fg_free(m1);
        fg_free(m2);
        scene_free(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rules_fire_exactly_at_their_published_thresholds),
        cmocka_unit_test(context_tests_decide_candidates_against_the_floors),
        cmocka_unit_test(unambiguous_fire_is_high_confidence_without_context),
        cmocka_unit_test(neighbour_of_unambiguous_fire_with_bright_swir1_is_fire),
        cmocka_unit_test(kumar_roy_window_grows_past_a_water_ring),
        cmocka_unit_test(candidate_without_background_is_unknown),
        cmocka_unit_test(tiled_context_matches_brute_force_for_every_candidate),
        cmocka_unit_test(background_statistics_match_a_two_pass_computation),
        cmocka_unit_test(saturated_swir2_is_fire_only_when_saturation_is_known),
        cmocka_unit_test(folded_pixel_is_fire_in_schroeder_mode),
        cmocka_unit_test(nan_and_fill_pixels_are_not_processed_and_never_background),
        cmocka_unit_test(missing_band_is_not_found_and_named),
        cmocka_unit_test(bands_of_different_sizes_are_rejected),
        cmocka_unit_test(one_and_two_threads_give_identical_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
