/* test_detect_fire_thermal.c — the contextual thermal detector, rule by rule and on generated scenes. */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/detect.h"

/* ------------------------------------------------------------ fixtures */

typedef struct scene {
    int w, h;
    float *t4, *t11, *red, *nir, *swir1, *sza, *vza;
    uint8_t *cloud, *water;
    fg_raster r_t4, r_t11, r_red, r_nir, r_swir1, r_sza, r_vza, r_cloud, r_water;
    int use_cloud, use_water, use_refl, use_sza, use_vza;
} scene;

static scene *scene_new(int w, int h)
{
    scene *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->w = w;
    s->h = h;
    size_t n = (size_t)w * h;
    float **f[] = {&s->t4, &s->t11, &s->red, &s->nir, &s->swir1, &s->sza, &s->vza};
    fg_raster *fr[] = {&s->r_t4, &s->r_t11, &s->r_red, &s->r_nir, &s->r_swir1, &s->r_sza, &s->r_vza};
    for (int k = 0; k < 7; k++) {
        *f[k] = calloc(n, sizeof(float));
        assert_non_null(*f[k]);
        *fr[k] = (fg_raster){w, h, 1, (size_t)w, FG_PIX_F32, *f[k]};
    }
    s->cloud = calloc(n, 1);
    s->water = calloc(n, 1);
    assert_non_null(s->cloud);
    assert_non_null(s->water);
    s->r_cloud = (fg_raster){w, h, 1, (size_t)w, FG_PIX_U8, s->cloud};
    s->r_water = (fg_raster){w, h, 1, (size_t)w, FG_PIX_U8, s->water};
    return s;
}

static void scene_free(scene *s)
{
    float *f[] = {s->t4, s->t11, s->red, s->nir, s->swir1, s->sza, s->vza};
    for (int k = 0; k < 7; k++)
        free(f[k]);
    free(s->cloud);
    free(s->water);
    free(s);
}

static void set_px(scene *s, int r, int c, float t4, float t11)
{
    s->t4[(size_t)r * s->w + c] = t4;
    s->t11[(size_t)r * s->w + c] = t11;
}

/* Deterministic noise in [-1, 1] from a pixel position. */
static double hash_noise(unsigned seed, int r, int c)
{
    uint64_t x = (uint64_t)seed * 0x9E3779B97F4A7C15ull ^ (uint64_t)r * 0xBF58476D1CE4E5B9ull ^
                 (uint64_t)c * 0x94D049BB133111EBull;
    x ^= x >> 31;
    x *= 0xD6E8FEB86659FD39ull;
    x ^= x >> 29;
    return (double)(x >> 11) / (double)(1ull << 53) * 2.0 - 1.0;
}

/* Background T4/T11 with ± amp checkerboard (exact 3×3 mean, MAD = amp). */
static void fill_checker(scene *s, float t4, float t11, float amp4, float amp11)
{
    for (int r = 0; r < s->h; r++)
        for (int c = 0; c < s->w; c++) {
            float k = ((r + c) & 1) ? 1.0f : -1.0f;
            set_px(s, r, c, t4 + k * amp4, t11 + k * amp11);
        }
}

static void fill_noise(scene *s, unsigned seed, float t4, float t11, float amp)
{
    for (int r = 0; r < s->h; r++)
        for (int c = 0; c < s->w; c++) {
            float n = (float)hash_noise(seed, r, c) * amp;
            set_px(s, r, c, t4 + n, t11 + 0.6f * n);
        }
}

static int run(scene *s, int is_day, fg_sensor_profile prof, int threads, fg_fire_pixel **out,
               size_t *n, unsigned char *mask)
{
    fg_thermal_input in;
    memset(&in, 0, sizeof in);
    in.mir = &s->r_t4;
    in.tir = &s->r_t11;
    in.is_day = is_day;
    if (s->use_cloud)
        in.cloud = &s->r_cloud;
    if (s->use_water)
        in.water = &s->r_water;
    if (s->use_refl) {
        in.red = &s->r_red;
        in.nir = &s->r_nir;
        in.swir1 = &s->r_swir1;
    }
    if (s->use_sza)
        in.solar_zenith = &s->r_sza;
    if (s->use_vza)
        in.view_zenith = &s->r_vza;
    fg_thermal_params p;
    assert_int_equal(fg_thermal_params_default(&p, prof), FG_OK);
    fg_ctx ctx = {0};
    int rc = fg_thermal_detect(&in, &p, threads, out, n, mask, &ctx);
    if (rc != FG_OK)
        print_message("fg_thermal_detect: %s\n", ctx.msg);
    return rc;
}

static const fg_fire_pixel *find(const fg_fire_pixel *v, size_t n, int r, int c)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].row == r && v[i].col == c)
            return &v[i];
    return NULL;
}

/* ------------------------------------------- decision rules, table-driven */

typedef struct rule_case {
    const char *name;
    fg_sensor_profile prof;
    int day;
    float t4, t11, mean_t4, mean_t11, mean_dt, mad_t4, mad_t11, mad_dt;
    int n_valid, n_bgfire;
    float mad_bgfire;
    int expect_fire;
    unsigned must_have, must_lack; /* FG_TEST_* bits */
} rule_case;

#define M FG_PROFILE_MODIS_1KM
#define V FG_PROFILE_VIIRS_375M
#define G FG_PROFILE_GEO_2KM
static const rule_case k_rules[] = {
    /* MODIS, potential screen: day T4 > 310 and ΔT > 10 */
    {"modis_day_pixel_at_310K_is_not_potential", M, 1, 310.0f, 299, 300, 298, 2, 2, 1, 2, 30, 0, 0, 0, 0, FG_TEST_POTENTIAL},
    {"modis_day_pixel_above_310K_is_potential_and_fire", M, 1, 310.1f, 299, 300, 298, 2, 2, 1, 2, 30, 0, 0, 1, FG_TEST_POTENTIAL, 0},
    {"modis_day_dT_of_10K_is_not_potential", M, 1, 315, 305, 300, 298, 2, 2, 1, 2, 30, 0, 0, 0, 0, FG_TEST_POTENTIAL},
    {"modis_night_pixel_at_305K_is_not_potential", M, 0, 305.0f, 290, 290, 288, 2, 1, 1, 1, 30, 0, 0, 0, 0, FG_TEST_POTENTIAL},
    {"modis_night_pixel_above_305K_is_fire", M, 0, 305.1f, 290, 290, 288, 2, 1, 1, 1, 30, 0, 0, 1, FG_TEST_POTENTIAL, 0},
    /* (2) ΔT > mean + 3.5 δΔT: mean 2, δ 4 → 16 */
    {"modis_dT_just_below_mean_plus_3_5_mad_fails_test_2", M, 1, 315.9f, 300, 300, 298, 2, 2, 1, 4, 30, 0, 0, 0, 0, FG_TEST_CTX_DT_MAD},
    {"modis_dT_just_above_mean_plus_3_5_mad_passes_test_2", M, 1, 316.1f, 300, 300, 298, 2, 2, 1, 4, 30, 0, 0, 1, FG_TEST_CTX_DT_MAD, 0},
    /* (3) ΔT > mean + 6: mean 6 → 12 */
    {"modis_dT_just_below_mean_plus_6_fails_test_3", M, 1, 311.9f, 300, 300, 294, 6, 2, 1, 0.5f, 30, 0, 0, 0, FG_TEST_CTX_DT_MAD, FG_TEST_CTX_DT_ABS},
    {"modis_dT_just_above_mean_plus_6_passes_test_3", M, 1, 312.1f, 300, 300, 294, 6, 2, 1, 0.5f, 30, 0, 0, 1, FG_TEST_CTX_DT_ABS, 0},
    /* (4) T4 > mean + 3 δ4: mean 300, δ 4 → 312 */
    {"modis_T4_just_below_mean_plus_3_mad_fails_test_4", M, 1, 311.9f, 300, 300, 298, 2, 4, 1, 2, 30, 0, 0, 0, FG_TEST_CTX_DT_ABS, FG_TEST_CTX_T4},
    {"modis_T4_just_above_mean_plus_3_mad_passes_test_4", M, 1, 312.1f, 300, 300, 298, 2, 4, 1, 2, 30, 0, 0, 1, FG_TEST_CTX_T4, 0},
    /* (5) T11 > mean + δ11 − 4 = 295; (6) δ4′ > 5 — day needs one of them */
    {"modis_day_without_test_5_or_6_is_not_fire", M, 1, 315, 294.9f, 300, 298, 2, 2, 1, 2, 30, 0, 0, 0, FG_TEST_CTX_T4, FG_TEST_CTX_T11},
    {"modis_day_T11_just_above_threshold_passes_test_5", M, 1, 315, 295.1f, 300, 298, 2, 2, 1, 2, 30, 0, 0, 1, FG_TEST_CTX_T11, 0},
    {"modis_day_bgfire_mad_above_5K_passes_test_6", M, 1, 315, 294.9f, 300, 298, 2, 2, 1, 2, 30, 3, 5.1f, 1, FG_TEST_CTX_BGFIRE, FG_TEST_CTX_T11},
    {"modis_day_bgfire_mad_below_5K_fails_test_6", M, 1, 315, 294.9f, 300, 298, 2, 2, 1, 2, 30, 3, 4.9f, 0, 0, FG_TEST_CTX_BGFIRE},
    {"modis_night_does_not_need_test_5", M, 0, 315, 294.9f, 300, 298, 2, 2, 1, 2, 30, 0, 0, 1, 0, FG_TEST_CTX_T11},
    /* (1) absolute: 360 K day, 320 K night, with a context that fails (4) */
    {"modis_day_pixel_above_360K_is_absolute_fire", M, 1, 360.1f, 300, 355, 298, 2, 10, 1, 2, 30, 0, 0, 1, FG_TEST_ABSOLUTE, FG_TEST_CTX_T4},
    {"modis_day_pixel_below_360K_is_not_absolute_fire", M, 1, 359.9f, 300, 355, 298, 2, 10, 1, 2, 30, 0, 0, 0, 0, FG_TEST_ABSOLUTE},
    {"night_pixel_above_320K_is_absolute_fire", M, 0, 320.1f, 290, 318, 288, 2, 5, 1, 2, 30, 0, 0, 1, FG_TEST_ABSOLUTE, 0},
    {"night_pixel_below_320K_is_not_absolute_fire", M, 0, 319.9f, 290, 318, 288, 2, 5, 1, 2, 30, 0, 0, 0, 0, FG_TEST_ABSOLUTE},
    /* background: fewer than 8 valid → no contextual test, absolute still fires */
    {"modis_without_background_only_the_absolute_test_fires", M, 1, 330, 300, 300, 298, 2, 2, 1, 2, 7, 0, 0, 0, FG_TEST_POTENTIAL, FG_TEST_CTX_T4},
    {"modis_without_background_absolute_pixel_is_fire", M, 1, 361, 300, 300, 298, 2, 2, 1, 2, 7, 0, 0, 1, FG_TEST_ABSOLUTE, 0},
    /* VIIRS day ([S14], [ATBD]): candidates BT4 > BT4S (325 here) AND ΔT > 25;
     * (2) k = 2, (3) +10, (4) k = 3.5 */
    {"viirs_day_320K_with_dT_20_is_not_a_candidate", V, 1, 320, 300, 300, 296, 4, 2, 1, 2, 30, 0, 0, 0, 0, FG_TEST_POTENTIAL},
    {"viirs_day_above_325K_is_a_candidate_and_fire", V, 1, 325.1f, 300, 300, 296, 4, 2, 1, 2, 30, 0, 0, 1, FG_TEST_POTENTIAL, 0},
    {"viirs_day_dT_above_25K_at_320K_is_not_a_candidate", V, 1, 320, 294.9f, 300, 296, 4, 2, 1, 2, 30, 0, 0, 0, 0, FG_TEST_POTENTIAL},
    {"viirs_day_above_325K_with_dT_of_25K_is_not_a_candidate", V, 1, 330, 305, 300, 296, 4, 2, 1, 2, 30, 0, 0, 0, 0, FG_TEST_POTENTIAL},
    {"viirs_day_dT_just_below_mean_plus_10_fails", V, 1, 330, 304.1f, 312, 296, 16, 2, 1, 2, 30, 0, 0, 0, FG_TEST_CTX_DT_MAD, FG_TEST_CTX_DT_ABS},
    {"viirs_day_dT_just_above_mean_plus_10_passes", V, 1, 330, 303.9f, 312, 296, 16, 2, 1, 2, 30, 0, 0, 1, FG_TEST_CTX_DT_ABS, 0},
    {"viirs_day_T4_just_below_mean_plus_3_5_mad_fails", V, 1, 325.4f, 300, 308, 296, 4, 5, 1, 2, 30, 0, 0, 0, FG_TEST_CTX_DT_ABS, FG_TEST_CTX_T4},
    {"viirs_day_T4_just_above_mean_plus_3_5_mad_passes", V, 1, 325.6f, 300, 308, 296, 4, 5, 1, 2, 30, 0, 0, 1, FG_TEST_CTX_T4, 0},
    {"viirs_day_dT_just_below_mean_plus_2_mad_fails", V, 1, 330, 303.9f, 300, 296, 4, 2, 1, 11.1f, 30, 0, 0, 0, FG_TEST_CTX_DT_ABS, FG_TEST_CTX_DT_MAD},
    {"viirs_day_dT_just_above_mean_plus_2_mad_passes", V, 1, 330, 303.7f, 300, 296, 4, 2, 1, 11.1f, 30, 0, 0, 1, FG_TEST_CTX_DT_MAD, 0},
    /* VIIRS night: candidates BT4 > 295 AND ΔT > 10; absolute 320 K; (3) +9 */
    {"viirs_night_296K_with_dT_above_10K_is_a_candidate_and_fire", V, 0, 296, 285.9f, 280, 282, -2, 1, 1, 1, 30, 0, 0, 1, FG_TEST_POTENTIAL, 0},
    {"viirs_night_296K_with_dT_of_8K_is_not_a_candidate", V, 0, 296, 288, 280, 282, -2, 1, 1, 1, 30, 0, 0, 0, 0, FG_TEST_POTENTIAL},
    {"viirs_night_below_295K_with_dT_20_is_not_a_candidate", V, 0, 294.9f, 274.9f, 280, 282, -2, 1, 1, 1, 30, 0, 0, 0, 0, FG_TEST_POTENTIAL},
    {"viirs_night_dT_just_below_mean_plus_9_fails", V, 0, 296, 285.1f, 280, 278, 2, 1, 1, 1, 30, 0, 0, 0, FG_TEST_CTX_DT_MAD, FG_TEST_CTX_DT_ABS},
    {"viirs_night_dT_just_above_mean_plus_9_passes", V, 0, 296, 284.9f, 280, 278, 2, 1, 1, 1, 30, 0, 0, 1, FG_TEST_CTX_DT_ABS, 0},
    {"viirs_night_above_320K_is_fire_without_context", V, 0, 320.1f, 300, 318, 288, 2, 5, 1, 2, 3, 0, 0, 1, FG_TEST_ABSOLUTE, 0},
    {"viirs_night_below_320K_is_not_absolute_fire", V, 0, 319.9f, 300, 318, 288, 2, 5, 1, 2, 30, 0, 0, 0, 0, FG_TEST_ABSOLUTE},
    {"viirs_saturated_I4_is_fire_without_background", V, 1, 367, 330, 300, 296, 4, 2, 1, 2, 0, 0, 0, 1, FG_TEST_SATURATED, 0},
    /* GEO: deviations clamped to ≥ 2 K, so T4 > mean + 3·2 = 313 with a 0.5 K MAD */
    {"geo_T4_below_mean_plus_3_clamped_mad_fails", G, 1, 312.9f, 300, 307, 298, 2, 0.5f, 0.5f, 0.5f, 30, 0, 0, 0, FG_TEST_CTX_DT_ABS, FG_TEST_CTX_T4},
    {"geo_T4_above_mean_plus_3_clamped_mad_passes", G, 1, 313.1f, 300, 307, 298, 2, 0.5f, 0.5f, 0.5f, 30, 0, 0, 1, FG_TEST_CTX_T4, 0},
    /* GEO absolute: T4 > 340 and T4 − T4bg > 12 and ΔT > 15 */
    {"geo_340K_only_5K_above_background_is_not_absolute", G, 1, 340.5f, 320, 335, 318, 2, 10, 1, 2, 30, 0, 0, 0, 0, FG_TEST_ABSOLUTE},
    {"geo_340K_12K_above_background_is_absolute", G, 1, 340.5f, 320, 328, 318, 2, 10, 1, 2, 30, 0, 0, 1, FG_TEST_ABSOLUTE, 0},
    {"geo_340K_with_dT_15_is_not_absolute", G, 1, 340.5f, 325.5f, 328, 318, 2, 10, 1, 2, 30, 0, 0, 0, 0, FG_TEST_ABSOLUTE},
};
#undef M
#undef V
#undef G

static void each_decision_rule_flips_at_its_threshold(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof k_rules / sizeof k_rules[0]; i++) {
        const rule_case *k = &k_rules[i];
        fg_thermal_params p;
        assert_int_equal(fg_thermal_params_default(&p, k->prof), FG_OK);
        fg_thermal_context c = {
            .t4 = k->t4, .t11 = k->t11, .mean_t4 = k->mean_t4, .mean_t11 = k->mean_t11,
            .mean_dt = k->mean_dt, .mad_t4 = k->mad_t4, .mad_t11 = k->mad_t11, .mad_dt = k->mad_dt,
            .mad_t4_bgfire = k->mad_bgfire, .n_valid = k->n_valid, .n_bgfire = k->n_bgfire,
            .is_day = k->day,
        };
        int fire = -1, conf = -1;
        unsigned t = fg_thermal_decide(&p, &c, &fire, &conf);
        if (fire != k->expect_fire || (t & k->must_have) != k->must_have || (t & k->must_lack))
            fail_msg("%s: fire %d (want %d), tests 0x%x (need 0x%x, not 0x%x)", k->name, fire,
                     k->expect_fire, t, k->must_have, k->must_lack);
        assert_true(conf >= 0 && conf <= 100);
        if (!fire)
            assert_int_equal(conf, 0);
    }
}

static void confidence_ramps_follow_the_test_thresholds(void **state)
{
    (void)state;
    fg_thermal_params p;
    fg_thermal_params_default(&p, FG_PROFILE_MODIS_1KM);
    /* One official MOD14 C5 record (A2004178.2120, line 1284 sample 575): official
     * confidence 89. C1 = S(338.85; 310, 360) = 0.577, z4 = 7.5 → C2 = 1,
     * zΔT = 9.9 → C3 = 1, no adjacent cloud or water: (0.577)^(1/5) = 0.896 → 89. */
    fg_thermal_context c = {.t4 = 338.85f, .t11 = 297.284f, .mean_t4 = 301.378f, .mean_t11 = 295.941f,
                            .mean_dt = 5.43749f, .mad_t4 = 4.96154f, .mad_t11 = 1.41621f,
                            .mad_dt = 3.61058f, .n_valid = 17, .is_day = 1};
    int fire = 0, conf = 0;
    fg_thermal_decide(&p, &c, &fire, &conf);
    assert_int_equal(fire, 1);
    assert_int_equal(conf, 89);
    /* six adjacent clouds zero C4 and with it the geometric mean */
    c.adj_cloud = 6;
    fg_thermal_decide(&p, &c, &fire, &conf);
    assert_int_equal(fire, 1);
    assert_int_equal(conf, 0);
    /* classes */
    assert_int_equal(fg_conf_class_of(29), FG_CONF_LOW);
    assert_int_equal(fg_conf_class_of(30), FG_CONF_NOMINAL);
    assert_int_equal(fg_conf_class_of(80), FG_CONF_HIGH);
}

/* ----------------------------------------------------------------- FRP */

static void frp_mir_and_c5_agree_for_a_typical_fire(void **state)
{
    (void)state;
    fg_thermal_params p;
    fg_thermal_params_default(&p, FG_PROFILE_MODIS_1KM);
    /* 1 % of a 1 km² pixel burning at 900 K over a 300 K background */
    double tb = 300.0, tf = 900.0, f = 0.01;
    double t4 = fg_planck_mixed_bt(p.mir_um, f, tf, tb);
    double mir = fg_frp_mir(&p, t4, tb, 1.0), c5 = fg_frp_c5(t4, tb, 1.0);
    double truth = 5.670374419e-8 * (pow(tf, 4) - pow(tb, 4)) * f; /* MW for 1 km² */
    assert_true(t4 > 400.0 && t4 < 440.0);
    assert_true(fabs(c5 / mir - 1.0) < 0.10);
    assert_true(fabs(mir / truth - 1.0) < 0.15); /* [W03]: ±12 % over 650–1350 K */
    /* C5 formula by hand */
    assert_true(fabs(fg_frp_c5(400.0, 300.0, 2.0) - 4.34e-19 * (pow(400, 8) - pow(300, 8)) * 2.0) < 1e-9);
    /* linear in the area, zero without excess */
    assert_true(fabs(fg_frp_mir(&p, t4, tb, 3.0) - 3.0 * mir) < 1e-9 * mir);
    assert_true(fabs(fg_frp_mir(&p, 300.0, 300.0, 1.0)) < 1e-12);
}

/* ------------------------------------------------------- scene behaviour */

static void window_grows_past_cloudy_inner_windows(void **state)
{
    (void)state;
    scene *s = scene_new(41, 41);
    fill_checker(s, 290.0f, 288.0f, 1.0f, 0.5f);
    s->use_cloud = 1;
    for (int r = 17; r <= 23; r++)
        for (int c = 17; c <= 23; c++)
            s->cloud[(size_t)r * s->w + c] = 1; /* 7×7 cloud around the fire */
    s->cloud[20 * 41 + 20] = 0;
    set_px(s, 20, 20, 312.0f, 290.0f);
    fg_fire_pixel *v = NULL;
    size_t n = 0;
    assert_int_equal(run(s, 0, FG_PROFILE_MODIS_1KM, 1, &v, &n, NULL), FG_OK);
    const fg_fire_pixel *fp = find(v, n, 20, 20);
    assert_non_null(fp);
    assert_int_equal(fp->window, 9);   /* 3, 5, 7 hold no valid pixel */
    assert_int_equal(fp->n_valid, 81 - 49);
    assert_int_equal(fp->adj_cloud, 8);
    assert_true(fabsf(fp->mean_t4 - 290.0f) < 0.1f);
    fg_free(v);
    scene_free(s);
}

/* Brute-force background statistics with the detector's documented rules. */
typedef struct bf {
    int n, nbg, side;
    double m4, m11, mdt, d4, d11, ddt, dbg;
} bf;

static int bf_class(const scene *s, const fg_thermal_params *p, int r, int c, int day)
{
    size_t i = (size_t)r * s->w + c;
    float t4 = s->t4[i], t11 = s->t11[i];
    if (!(t4 >= p->t4_min && t4 <= p->t4_max && t11 >= p->t11_min && t11 <= p->t11_max))
        return 0;
    if (s->use_water && s->water[i])
        return 2;
    if (s->use_cloud && s->cloud[i])
        return 3;
    float dt = t4 - t11;
    if (day ? (t4 > p->bg_t4_day && dt > p->bg_dt_day) : (t4 > p->bg_t4_night && dt > p->bg_dt_night))
        return 4;
    return 1;
}

static void bf_stats(const scene *s, const fg_thermal_params *p, int r, int c, int day, bf *o)
{
    memset(o, 0, sizeof *o);
    for (int side = p->win_min; side <= p->win_max; side += 2) {
        int half = side / 2, n = 0, nbg = 0, inside = 0;
        double s4 = 0, s11 = 0, sbg = 0;
        for (int i = r - half; i <= r + half; i++)
            for (int j = c - half; j <= c + half; j++) {
                if (i < 0 || j < 0 || i >= s->h || j >= s->w)
                    continue;
                if (i == r && (j == c || (p->profile == FG_PROFILE_MODIS_1KM && abs(j - c) == 1)))
                    continue;
                inside++;
                int k = bf_class(s, p, i, j, day);
                size_t x = (size_t)i * s->w + j;
                if (k == 1) {
                    n++;
                    s4 += s->t4[x];
                    s11 += s->t11[x];
                } else if (k == 4) {
                    nbg++;
                    sbg += s->t4[x];
                }
            }
        int enough = n >= p->min_valid, frac = n >= p->min_valid_frac * inside;
        int ok = n > 0 && (p->profile == FG_PROFILE_VIIRS_375M ? (enough || frac) : (enough && frac));
        if (!ok && side < p->win_max)
            continue;
        o->n = n;
        o->nbg = nbg;
        o->side = side;
        o->m4 = s4 / n;
        o->m11 = s11 / n;
        o->mdt = o->m4 - o->m11;
        double mb = nbg ? sbg / nbg : 0;
        for (int i = r - half; i <= r + half; i++)
            for (int j = c - half; j <= c + half; j++) {
                if (i < 0 || j < 0 || i >= s->h || j >= s->w)
                    continue;
                if (i == r && (j == c || (p->profile == FG_PROFILE_MODIS_1KM && abs(j - c) == 1)))
                    continue;
                int k = bf_class(s, p, i, j, day);
                size_t x = (size_t)i * s->w + j;
                if (k == 1) {
                    o->d4 += fabs(s->t4[x] - o->m4);
                    o->d11 += fabs(s->t11[x] - o->m11);
                    o->ddt += fabs((s->t4[x] - s->t11[x]) - o->mdt);
                } else if (k == 4) {
                    o->dbg += fabs(s->t4[x] - mb);
                }
            }
        o->d4 /= n;
        o->d11 /= n;
        o->ddt /= n;
        o->dbg = nbg ? o->dbg / nbg : NAN;
        return;
    }
}

/* A random night scene: noise, cloud whose density grows to the right (so every
 * window size is needed somewhere), water, NaN and absurd pixels, and hot pixels. */
static scene *random_scene(unsigned seed, int w, int h)
{
    scene *s = scene_new(w, h);
    fill_noise(s, seed, 292.0f, 289.0f, 3.0f);
    s->use_cloud = s->use_water = 1;
    for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++) {
            size_t i = (size_t)r * w + c;
            double u = 0.5 * (hash_noise(seed + 1, r, c) + 1.0);
            double cloud_p = 0.97 * c / w;
            if (u < cloud_p)
                s->cloud[i] = 1;
            double z = 0.5 * (hash_noise(seed + 2, r, c) + 1.0);
            if (z < 0.02)
                s->water[i] = 1;
            else if (z < 0.03)
                s->t4[i] = NAN;
            else if (z < 0.035)
                s->t4[i] = (z < 0.0325) ? 0.0f : 10000.0f;
            else if (z > 0.95 && !s->cloud[i])
                s->t4[i] = 305.0f + (float)(z - 0.95) * 1500.0f; /* 305..380 K */
        }
    return s;
}

static void summed_area_statistics_equal_brute_force(void **state)
{
    (void)state;
    const fg_sensor_profile profs[] = {FG_PROFILE_MODIS_1KM, FG_PROFILE_VIIRS_375M, FG_PROFILE_GEO_2KM};
    for (size_t k = 0; k < 3; k++) {
        scene *s = random_scene(7u + (unsigned)k, 160, 150);
        fg_thermal_params p;
        fg_thermal_params_default(&p, profs[k]);
        fg_fire_pixel *v = NULL;
        size_t n = 0;
        assert_int_equal(run(s, 0, profs[k], 2, &v, &n, NULL), FG_OK);
        assert_true(n > 50);
        int sides_seen[256] = {0};
        for (size_t i = 0; i < n; i++) {
            bf b;
            bf_stats(s, &p, v[i].row, v[i].col, 0, &b);
            sides_seen[v[i].window]++;
            if (v[i].n_valid != b.n || v[i].window != b.side)
                fail_msg("profile %d pixel %d,%d: n %d window %d, brute force n %d window %d",
                         (int)profs[k], v[i].row, v[i].col, v[i].n_valid, v[i].window, b.n, b.side);
            assert_true(fabs(v[i].mean_t4 - b.m4) < 1e-3);
            assert_true(fabs(v[i].mean_t11 - b.m11) < 1e-3);
            assert_true(fabs(v[i].mean_dt - b.mdt) < 1e-3);
            assert_true(fabs(v[i].mad_t4 - b.d4) < 1e-3);
            assert_true(fabs(v[i].mad_t11 - b.d11) < 1e-3);
            assert_true(fabs(v[i].mad_dt - b.ddt) < 1e-3);
            if (b.nbg)
                assert_true(fabs(v[i].mad_t4_bgfire - b.dbg) < 1e-3);
            else
                assert_true(isnan(v[i].mad_t4_bgfire));
        }
        int distinct = 0;
        for (int sd = 0; sd < 256; sd++)
            distinct += sides_seen[sd] > 0;
        assert_true(distinct >= 4); /* the cloud gradient exercised window growth */
        fg_free(v);
        scene_free(s);
    }
}

static void nan_and_absurd_pixels_are_never_fire_nor_background(void **state)
{
    (void)state;
    scene *s = random_scene(3u, 120, 100);
    unsigned char *mask = malloc(120 * 100);
    assert_non_null(mask);
    fg_fire_pixel *v = NULL;
    size_t n = 0;
    assert_int_equal(run(s, 0, FG_PROFILE_MODIS_1KM, 1, &v, &n, mask), FG_OK);
    for (size_t i = 0; i < (size_t)120 * 100; i++) {
        float t = s->t4[i];
        if (!(t >= 150.0f && t <= 700.0f))
            assert_int_equal(mask[i], FG_MASK_NOT_PROCESSED);
    }
    for (size_t i = 0; i < n; i++) {
        float t = s->t4[(size_t)v[i].row * 120 + v[i].col];
        assert_true(t >= 150.0f && t <= 700.0f);
    }
    fg_free(v);
    /* a scene of nothing but 0 K and 10000 K: no fire, nothing processed */
    for (size_t i = 0; i < (size_t)120 * 100; i++)
        s->t4[i] = (i & 1) ? 0.0f : 10000.0f;
    s->use_cloud = s->use_water = 0;
    v = NULL;
    n = 7;
    assert_int_equal(run(s, 1, FG_PROFILE_MODIS_1KM, 1, &v, &n, mask), FG_OK);
    assert_int_equal(n, 0);
    assert_null(v);
    for (size_t i = 0; i < (size_t)120 * 100; i++)
        assert_int_equal(mask[i], FG_MASK_NOT_PROCESSED);
    free(mask);
    scene_free(s);
}

static void candidate_without_background_is_unknown(void **state)
{
    (void)state;
    scene *s = scene_new(30, 30);
    fill_checker(s, 290.0f, 288.0f, 1.0f, 0.5f);
    s->use_cloud = 1;
    memset(s->cloud, 1, 30 * 30);
    s->cloud[15 * 30 + 15] = 0;
    set_px(s, 15, 15, 312.0f, 290.0f); /* potential, below the absolute 320 K */
    unsigned char mask[30 * 30];
    fg_fire_pixel *v = NULL;
    size_t n = 0;
    assert_int_equal(run(s, 0, FG_PROFILE_MODIS_1KM, 1, &v, &n, mask), FG_OK);
    assert_int_equal(n, 0);
    assert_int_equal(mask[15 * 30 + 15], FG_MASK_UNKNOWN);
    assert_int_equal(mask[0], FG_MASK_CLOUD);
    scene_free(s);
}

static void mask_classes_follow_mod14(void **state)
{
    (void)state;
    scene *s = scene_new(60, 60);
    fill_checker(s, 290.0f, 288.0f, 1.0f, 0.5f);
    s->use_cloud = s->use_water = 1;
    for (int c = 0; c < 60; c++) {
        s->water[c] = 1;          /* row 0 water */
        s->cloud[59 * 60 + c] = 1; /* row 59 cloud */
    }
    s->t4[1 * 60 + 5] = NAN;
    set_px(s, 20, 20, 305.1f, 290.0f); /* weak fire */
    set_px(s, 30, 30, 312.0f, 290.0f); /* middling */
    set_px(s, 40, 40, 330.0f, 291.0f); /* strong */
    unsigned char mask[60 * 60];
    fg_fire_pixel *v = NULL;
    size_t n = 0;
    assert_int_equal(run(s, 0, FG_PROFILE_MODIS_1KM, 1, &v, &n, mask), FG_OK);
    assert_int_equal(n, 3);
    assert_int_equal(mask[5], FG_MASK_WATER);
    assert_int_equal(mask[59 * 60 + 5], FG_MASK_CLOUD);
    assert_int_equal(mask[1 * 60 + 5], FG_MASK_NOT_PROCESSED);
    assert_int_equal(mask[10 * 60 + 10], FG_MASK_LAND);
    int classes_seen = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char want = (unsigned char)(FG_MASK_FIRE_LOW + (int)fg_conf_class_of(v[i].confidence));
        assert_int_equal(v[i].mask_class, want);
        assert_int_equal(mask[(size_t)v[i].row * 60 + v[i].col], want);
        classes_seen |= 1 << (want - FG_MASK_FIRE_LOW);
        assert_true(isnan(v[i].swir_ratio) && isnan(v[i].swir2_ref));
        assert_int_equal(v[i].fire_id, 0);
        assert_true(v[i].frp_mw > 0.0f && v[i].frp_c5_mw > 0.0f);
    }
    assert_int_equal(classes_seen, 7); /* low, nominal and high */
    fg_free(v);
    scene_free(s);
}

/* A 400×400 day scene with fires, clouds, water and reflectances. */
static scene *busy_scene(void)
{
    scene *s = random_scene(11u, 400, 400);
    s->use_refl = s->use_sza = s->use_vza = 1;
    for (int r = 0; r < 400; r++)
        for (int c = 0; c < 400; c++) {
            size_t i = (size_t)r * 400 + c;
            s->red[i] = 0.08f + 0.02f * (float)hash_noise(5, r, c);
            s->nir[i] = 0.25f + 0.03f * (float)hash_noise(6, r, c);
            s->swir1[i] = 0.2f;
            s->sza[i] = (float)(40.0 + 50.0 * r / 400.0); /* day above row 360, night below */
            s->vza[i] = (float)(60.0 * c / 400.0);
        }
    for (int k = 0; k < 40; k++) {
        int r = 5 + (k * 37) % 390, c = 5 + (k * 53) % 200;
        set_px(s, r, c, 330.0f + (float)k, 295.0f);
        s->cloud[(size_t)r * 400 + c] = 0;
        s->water[(size_t)r * 400 + c] = 0;
    }
    return s;
}

static void one_and_two_threads_give_identical_bytes(void **state)
{
    (void)state;
    scene *s = busy_scene();
    unsigned char *m1 = malloc(400 * 400), *m2 = malloc(400 * 400);
    assert_non_null(m1);
    assert_non_null(m2);
    fg_fire_pixel *v1 = NULL, *v2 = NULL;
    size_t n1 = 0, n2 = 0;
    const fg_sensor_profile profs[] = {FG_PROFILE_MODIS_1KM, FG_PROFILE_VIIRS_375M, FG_PROFILE_GEO_2KM};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(run(s, -1, profs[k], 1, &v1, &n1, m1), FG_OK);
        assert_int_equal(run(s, -1, profs[k], 2, &v2, &n2, m2), FG_OK);
        assert_true(n1 >= 20);
        assert_int_equal(n1, n2);
        assert_memory_equal(v1, v2, n1 * sizeof *v1);
        assert_memory_equal(m1, m2, 400 * 400);
        for (size_t i = 1; i < n1; i++)
            assert_true(v1[i].row > v1[i - 1].row ||
                        (v1[i].row == v1[i - 1].row && v1[i].col > v1[i - 1].col));
        fg_free(v1);
        fg_free(v2);
    }
    free(m1);
    free(m2);
    scene_free(s);
}

static void warm_uniform_field_is_not_flagged(void **state)
{
    (void)state;
    /* warm fields that pass the potential screens (by night below the 320 K
     * absolute threshold, which no real field reaches after dark) */
    const struct {
        float t4, t11;
        int day;
    } fields[] = {{320.0f, 305.0f, 1}, {330.0f, 305.0f, 1}, {345.0f, 310.0f, 1},
                  {310.0f, 296.0f, 0}, {318.0f, 300.0f, 0}};
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
        scene *s = scene_new(80, 80);
        fill_noise(s, 9u + (unsigned)k, fields[k].t4, fields[k].t11, 0.8f);
        fg_fire_pixel *v = NULL;
        size_t n = 0;
        assert_int_equal(run(s, fields[k].day, FG_PROFILE_MODIS_1KM, 1, &v, &n, NULL), FG_OK);
        assert_int_equal(n, 0);
        assert_int_equal(run(s, fields[k].day, FG_PROFILE_VIIRS_375M, 1, &v, &n, NULL), FG_OK);
        assert_int_equal(n, 0);
        assert_int_equal(run(s, fields[k].day, FG_PROFILE_GEO_2KM, 1, &v, &n, NULL), FG_OK);
        assert_int_equal(n, 0);
        scene_free(s);
    }
}

static void day_and_night_per_pixel_from_solar_zenith(void **state)
{
    (void)state;
    scene *s = scene_new(60, 30);
    fill_checker(s, 300.0f, 296.0f, 1.0f, 0.5f);
    s->use_sza = 1;
    for (int r = 0; r < 30; r++)
        for (int c = 0; c < 60; c++)
            s->sza[(size_t)r * 60 + c] = c < 30 ? 40.0f : 120.0f;
    /* 340 K with a hot surround: absolute at night (> 320 K), not by day (< 360 K) */
    for (int k = 0; k < 2; k++) {
        int c0 = k ? 45 : 15;
        for (int r = 13; r <= 17; r++)
            for (int c = c0 - 2; c <= c0 + 2; c++)
                set_px(s, r, c, 338.0f + (float)((r + c) & 1) * 4.0f, 296.0f);
        set_px(s, 15, c0, 340.0f, 296.0f);
    }
    fg_fire_pixel *v = NULL;
    size_t n = 0;
    assert_int_equal(run(s, -1, FG_PROFILE_MODIS_1KM, 1, &v, &n, NULL), FG_OK);
    const fg_fire_pixel *night = find(v, n, 15, 45), *day = find(v, n, 15, 15);
    assert_non_null(night);
    assert_int_equal(night->is_day, 0);
    assert_true(night->tests & FG_TEST_ABSOLUTE);
    if (day)
        assert_false(day->tests & FG_TEST_ABSOLUTE);
    fg_free(v);
    /* per-pixel day/night needs the zenith raster */
    s->use_sza = 0;
    fg_thermal_input in = {.mir = &s->r_t4, .tir = &s->r_t11, .is_day = -1};
    fg_thermal_params p;
    fg_thermal_params_default(&p, FG_PROFILE_MODIS_1KM);
    fg_ctx ctx = {0};
    assert_int_equal(fg_thermal_detect(&in, &p, 1, &v, &n, NULL, &ctx), FG_EINVAL);
    assert_non_null(strstr(ctx.msg, "zenith"));
    scene_free(s);
}

static void reflectance_bands_give_cloud_water_and_glint(void **state)
{
    (void)state;
    scene *s = scene_new(60, 40);
    fill_checker(s, 300.0f, 296.0f, 1.0f, 0.5f);
    s->use_refl = s->use_sza = s->use_vza = 1;
    for (size_t i = 0; i < (size_t)60 * 40; i++) {
        s->red[i] = 0.05f;
        s->nir[i] = 0.2f;
        s->swir1[i] = 0.15f;
        s->sza[i] = 30.0f;
        s->vza[i] = 0.0f;
    }
    s->red[5 * 60 + 5] = 0.5f; /* ρr + ρn = 0.7, not > 0.7 with T12 296 > 285: clear */
    s->swir1[5 * 60 + 5] = 0.35f; /* and not the ρr > ρn > ρswir water order */
    s->red[5 * 60 + 6] = 0.75f; /* 0.95 > 0.9 → cloud */
    s->red[6 * 60 + 5] = 0.3f;  /* 0.3 > 0.2 > 0.15 → water */
    /* two identical fires, one seen near the specular direction and bright */
    for (int k = 0; k < 2; k++) {
        int c = k ? 45 : 15;
        set_px(s, 20, c, 330.0f, 297.0f);
        size_t i = (size_t)20 * 60 + c;
        s->red[i] = 0.15f;
        s->nir[i] = 0.25f;
        s->swir1[i] = 0.3f;
        s->vza[i] = k ? 27.0f : 0.0f; /* |θs − θv| = 3° < 8° */
    }
    unsigned char mask[60 * 40];
    fg_fire_pixel *v = NULL;
    size_t n = 0;
    assert_int_equal(run(s, 1, FG_PROFILE_MODIS_1KM, 1, &v, &n, mask), FG_OK);
    assert_int_equal(mask[5 * 60 + 5], FG_MASK_LAND);
    assert_int_equal(mask[5 * 60 + 6], FG_MASK_CLOUD);
    assert_int_equal(mask[6 * 60 + 5], FG_MASK_WATER);
    assert_non_null(find(v, n, 20, 15));
    assert_null(find(v, n, 20, 45));
    assert_int_equal(mask[20 * 60 + 45], FG_MASK_LAND);
    fg_free(v);
    scene_free(s);
}

static void desert_boundary_rejects_uniform_background_fires(void **state)
{
    (void)state;
    scene *s = scene_new(40, 40);
    fill_checker(s, 300.0f, 292.0f, 1.0f, 0.5f);
    s->use_refl = 1;
    for (size_t i = 0; i < (size_t)40 * 40; i++) {
        s->red[i] = 0.1f;
        s->nir[i] = 0.2f; /* bright soil: ρ0.86 > 0.15 */
        s->swir1[i] = 0.3f;
    }
    /* a row of ten background fires at exactly 330 K: δ4′ = 0 */
    for (int c = 15; c < 25; c++)
        set_px(s, 18, c, 330.0f, 305.0f);
    set_px(s, 20, 20, 329.0f, 296.0f);
    unsigned char mask[40 * 40];
    fg_fire_pixel *v = NULL;
    size_t n = 0;
    assert_int_equal(run(s, 1, FG_PROFILE_MODIS_1KM, 1, &v, &n, mask), FG_OK);
    assert_null(find(v, n, 20, 20));
    assert_int_equal(mask[20 * 40 + 20], FG_MASK_LAND);
    fg_free(v);
    /* without ρ0.86 the desert evidence is missing: the pixel stays a fire */
    s->use_refl = 0;
    assert_int_equal(run(s, 1, FG_PROFILE_MODIS_1KM, 1, &v, &n, mask), FG_OK);
    const fg_fire_pixel *fp = find(v, n, 20, 20);
    assert_non_null(fp);
    assert_int_equal(fp->n_valid >= 8, 1);
    fg_free(v);
    scene_free(s);
}

static void pixel_area_and_frp_grow_off_nadir(void **state)
{
    (void)state;
    scene *s = scene_new(60, 30);
    fill_checker(s, 290.0f, 288.0f, 1.0f, 0.5f);
    s->use_vza = 1;
    for (int r = 0; r < 30; r++)
        for (int c = 0; c < 60; c++)
            s->vza[(size_t)r * 60 + c] = c < 30 ? 0.0f : 60.0f;
    set_px(s, 15, 15, 330.0f, 291.0f);
    set_px(s, 15, 45, 330.0f, 291.0f);
    fg_fire_pixel *v = NULL;
    size_t n = 0;
    assert_int_equal(run(s, 0, FG_PROFILE_MODIS_1KM, 1, &v, &n, NULL), FG_OK);
    const fg_fire_pixel *a = find(v, n, 15, 15), *b = find(v, n, 15, 45);
    assert_non_null(a);
    assert_non_null(b);
    double ratio = b->frp_mw / a->frp_mw;
    assert_true(ratio > 2.0 && ratio < 10.0); /* MODIS pixels grow ~2.5–4× by 60° view zenith */
    assert_true(fabs(b->frp_c5_mw / a->frp_c5_mw - ratio) < 1e-3 * ratio);
    fg_free(v);
    scene_free(s);
}

static void saturated_viirs_pixel_is_fire(void **state)
{
    (void)state;
    scene *s = scene_new(50, 50);
    fill_checker(s, 300.0f, 296.0f, 1.0f, 0.5f);
    set_px(s, 25, 25, 367.0f, 310.0f);
    fg_fire_pixel *v = NULL;
    size_t n = 0;
    assert_int_equal(run(s, 1, FG_PROFILE_VIIRS_375M, 1, &v, &n, NULL), FG_OK);
    const fg_fire_pixel *fp = find(v, n, 25, 25);
    assert_non_null(fp);
    assert_true(fp->tests & FG_TEST_SATURATED);
    assert_int_equal(fp->confidence, 100);
    assert_int_equal(fp->mask_class, FG_MASK_FIRE_HIGH);
    fg_free(v);
    scene_free(s);
}

/* A supplied cloud mask (NASA's MVCM flags hot industrial pixels as cloud) must not
 * veto a pixel whose own bands look clear and that passes the candidate screen. */
static void masked_hot_pixel_that_looks_clear_is_still_detected(void **state)
{
    (void)state;
    const fg_sensor_profile profs[] = {FG_PROFILE_VIIRS_375M, FG_PROFILE_MODIS_1KM};
    for (int k = 0; k < 2; k++) {
        scene *s = scene_new(61, 61);
        fill_checker(s, 300.0f, 292.0f, 1.0f, 0.5f);
        s->use_cloud = 1;
        for (int r = 29; r <= 31; r++)
            for (int c = 29; c <= 31; c++)
                s->cloud[(size_t)r * 61 + c] = 1; /* the mask covers the fire and its neighbours */
        set_px(s, 30, 30, 345.0f, 300.0f);
        /* a masked pixel whose own BT5 says cloud (< 265 K) stays cloud, however hot its T4 */
        s->cloud[(size_t)10 * 61 + 10] = 1;
        set_px(s, 10, 10, 340.0f, 260.0f);
        unsigned char mask[61 * 61];
        fg_fire_pixel *v = NULL;
        size_t n = 0;
        assert_int_equal(run(s, 1, profs[k], 1, &v, &n, mask), FG_OK);
        const fg_fire_pixel *fp = find(v, n, 30, 30);
        assert_non_null(fp);
        assert_int_equal(fp->adj_cloud, 8); /* its masked neighbours still count as cloud */
        assert_true(fabsf(fp->mean_t4 - 300.0f) < 0.5f);
        assert_true(mask[30 * 61 + 30] >= FG_MASK_FIRE_LOW);
        assert_int_equal(mask[30 * 61 + 31], FG_MASK_CLOUD);
        assert_null(find(v, n, 10, 10));
        assert_int_equal(mask[10 * 61 + 10], FG_MASK_CLOUD);
        fg_free(v);
        /* the same pixel without the mask: the same decision */
        s->use_cloud = 0;
        assert_int_equal(run(s, 1, profs[k], 1, &v, &n, mask), FG_OK);
        fp = find(v, n, 30, 30);
        assert_non_null(fp);
        assert_int_equal(fp->adj_cloud, 0);
        fg_free(v);
        scene_free(s);
    }
}

/* Masked pixels are never background, even when their bands look clear and warm. */
static void masked_ordinary_pixels_are_not_background(void **state)
{
    (void)state;
    scene *s = scene_new(41, 41);
    fill_checker(s, 300.0f, 292.0f, 1.0f, 0.5f);
    s->use_cloud = 1;
    for (int r = 15; r <= 25; r++)
        for (int c = 15; c <= 19; c++) {
            s->cloud[(size_t)r * 41 + c] = 1;
            set_px(s, r, c, 320.0f, 305.0f); /* band-clear, ΔT 15 K: no candidate */
        }
    set_px(s, 20, 20, 360.0f, 303.0f);
    unsigned char mask[41 * 41];
    fg_fire_pixel *v = NULL;
    size_t n = 0;
    assert_int_equal(run(s, 1, FG_PROFILE_VIIRS_375M, 1, &v, &n, mask), FG_OK);
    const fg_fire_pixel *fp = find(v, n, 20, 20);
    assert_non_null(fp);
    assert_int_equal(fp->window, 11);
    assert_int_equal(fp->n_valid, 121 - 55 - 1); /* the 11×11 window less 55 masked, less the centre */
    assert_true(fabsf(fp->mean_t4 - 300.0f) < 0.1f);
    assert_true(fabsf(fp->mean_t11 - 292.0f) < 0.1f);
    assert_int_equal(mask[20 * 41 + 17], FG_MASK_CLOUD);
    fg_free(v);
    /* without the mask those warm pixels are background and lift the mean */
    s->use_cloud = 0;
    assert_int_equal(run(s, 1, FG_PROFILE_VIIRS_375M, 1, &v, &n, mask), FG_OK);
    fp = find(v, n, 20, 20);
    assert_non_null(fp);
    assert_int_equal(fp->n_valid, 120);
    assert_true(fp->mean_t4 > 308.0f);
    assert_int_equal(mask[20 * 41 + 17], FG_MASK_LAND);
    fg_free(v);
    scene_free(s);
}

/* [S14] / [ATBD]: BT4S = min(330, max(325, M + 25)), M the median BT4 of the clear
 * land pixels (330 K when fewer than 10); a daytime candidate needs BT4 > BT4S. */
static void viirs_day_candidate_threshold_is_median_plus_25K_clamped(void **state)
{
    (void)state;
    const struct {
        int side;          /* square scene; 3 leaves 8 clear pixels: fewer than 10 */
        float median, t4;  /* uniform field T4 (T11 = T4 − 8) and the test pixel's T4 */
        int fire;
    } cases[] = {
        {80, 295.0f, 325.5f, 1}, {80, 295.0f, 324.9f, 0},  /* M + 25 = 320 → 325 */
        {80, 302.5f, 327.8f, 1}, {80, 302.5f, 327.3f, 0},  /* M + 25 ≈ 327.55 */
        {80, 310.0f, 330.2f, 1}, {80, 310.0f, 329.8f, 0},  /* M + 25 = 335 → 330 */
        {3, 295.0f, 330.2f, 1},  {3, 295.0f, 328.0f, 0},   /* < 10 valid → 330 */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int w = cases[k].side, mid = w / 2;
        scene *s = scene_new(w, w);
        fill_checker(s, cases[k].median, cases[k].median - 8.0f, 0.0f, 0.0f);
        set_px(s, mid, mid, cases[k].t4, cases[k].median - 8.0f); /* ΔT > 25 in every case */
        unsigned char *mask = malloc((size_t)w * w);
        assert_non_null(mask);
        fg_fire_pixel *v = NULL;
        size_t n = 0;
        assert_int_equal(run(s, 1, FG_PROFILE_VIIRS_375M, 1, &v, &n, mask), FG_OK);
        int got = find(v, n, mid, mid) != NULL;
        if (got != cases[k].fire)
            fail_msg("case %zu (median %.1f K, T4 %.1f K, %dx%d): fire %d, want %d", k,
                     cases[k].median, cases[k].t4, w, w, got, cases[k].fire);
        if (!got)
            assert_int_equal(mask[(size_t)mid * w + mid], FG_MASK_LAND);
        fg_free(v);
        free(mask);
        scene_free(s);
    }
}

static void bad_sizes_and_profiles_are_rejected(void **state)
{
    (void)state;
    scene *a = scene_new(20, 20), *b = scene_new(21, 20);
    fg_thermal_input in = {.mir = &a->r_t4, .tir = &b->r_t11, .is_day = 1};
    fg_thermal_params p;
    fg_thermal_params_default(&p, FG_PROFILE_MODIS_1KM);
    fg_fire_pixel *v = (fg_fire_pixel *)&p; /* must stay untouched */
    size_t n = 99;
    fg_ctx ctx = {0};
    assert_int_equal(fg_thermal_detect(&in, &p, 1, &v, &n, NULL, &ctx), FG_EINVAL);
    assert_ptr_equal(v, (fg_fire_pixel *)&p);
    assert_int_equal(n, 99);
    assert_non_null(strstr(ctx.msg, "TIR"));
    assert_int_equal(fg_thermal_params_default(&p, (fg_sensor_profile)99), FG_EINVAL);
    in.tir = &a->r_t11;
    p.win_min = 4;
    assert_int_equal(fg_thermal_detect(&in, &p, 1, &v, &n, NULL, &ctx), FG_EINVAL);
    scene_free(a);
    scene_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_decision_rule_flips_at_its_threshold),
        cmocka_unit_test(confidence_ramps_follow_the_test_thresholds),
        cmocka_unit_test(frp_mir_and_c5_agree_for_a_typical_fire),
        cmocka_unit_test(window_grows_past_cloudy_inner_windows),
        cmocka_unit_test(summed_area_statistics_equal_brute_force),
        cmocka_unit_test(nan_and_absurd_pixels_are_never_fire_nor_background),
        cmocka_unit_test(candidate_without_background_is_unknown),
        cmocka_unit_test(mask_classes_follow_mod14),
        cmocka_unit_test(one_and_two_threads_give_identical_bytes),
        cmocka_unit_test(warm_uniform_field_is_not_flagged),
        cmocka_unit_test(day_and_night_per_pixel_from_solar_zenith),
        cmocka_unit_test(reflectance_bands_give_cloud_water_and_glint),
        cmocka_unit_test(desert_boundary_rejects_uniform_background_fires),
        cmocka_unit_test(pixel_area_and_frp_grow_off_nadir),
        cmocka_unit_test(saturated_viirs_pixel_is_fire),
        cmocka_unit_test(masked_hot_pixel_that_looks_clear_is_still_detected),
        cmocka_unit_test(masked_ordinary_pixels_are_not_background),
        cmocka_unit_test(viirs_day_candidate_threshold_is_median_plus_25K_clamped),
        cmocka_unit_test(bad_sizes_and_profiles_are_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
