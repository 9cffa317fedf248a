/* test_detect_fire_thermal.c — the MOD14-style contextual detector, rule by rule. */
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

/* ------------------------------------------------------------ fixtures */

typedef struct scene {
    int w, h;
    float *t4, *t11;
    uint8_t *mask;
    fg_raster mir, tir, cloud;
} scene;

static scene *scene_new(int w, int h)
{
    scene *s = calloc(1, sizeof *s);
    assert_non_null(s);
    s->w = w;
    s->h = h;
    s->t4 = calloc((size_t)w * h, sizeof(float));
    s->t11 = calloc((size_t)w * h, sizeof(float));
    s->mask = calloc((size_t)w * h, 1);
    assert_non_null(s->t4);
    assert_non_null(s->t11);
    assert_non_null(s->mask);
    s->mir = (fg_raster){w, h, 1, (size_t)w, FG_PIX_F32, s->t4};
    s->tir = (fg_raster){w, h, 1, (size_t)w, FG_PIX_F32, s->t11};
    s->cloud = (fg_raster){w, h, 1, (size_t)w, FG_PIX_U8, s->mask};
    return s;
}

static void scene_free(scene *s)
{
    free(s->t4);
    free(s->t11);
    free(s->mask);
    free(s);
}

static void set_px(scene *s, int r, int c, float t4, float t11)
{
    s->t4[(size_t)r * s->w + c] = t4;
    s->t11[(size_t)r * s->w + c] = t11;
}

/* Background with a ±amp checkerboard: around any pixel the 4 edge neighbours
 * and the 4 corners have opposite signs, so a 3×3 background mean is exactly
 * the base value and its MAD is exactly amp. */
static void fill_checker(scene *s, float t4, float t11, float amp4, float amp11)
{
    for (int r = 0; r < s->h; r++)
        for (int c = 0; c < s->w; c++) {
            float k = ((r + c) & 1) ? 1.0f : -1.0f;
            set_px(s, r, c, t4 + k * amp4, t11 + k * amp11);
        }
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

static int detect(scene *s, int day, int use_mask, fg_sensor_profile prof, int threads,
                  fg_fire_pixel **out, size_t *n)
{
    fg_thermal_params p;
    assert_int_equal(fg_thermal_params_default(&p, prof), FG_OK);
    fg_thermal_input in = {&s->mir, &s->tir, use_mask ? &s->cloud : NULL, day};
    fg_ctx ctx = {0};
    return fg_thermal_detect(&in, &p, threads, out, n, &ctx);
}

static const fg_fire_pixel *find(const fg_fire_pixel *v, size_t n, int r, int c)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].row == r && v[i].col == c)
            return &v[i];
    return NULL;
}

/* ---------------------------------------------------- rule thresholds */

/* One decision rule probed just above and just below its threshold on a 21×21
 * scene, the candidate at the centre. For "bit" the expected state is checked
 * whenever the pixel comes out as fire; pixels that are not fire are checked
 * through `fire` alone. */
typedef struct rule_case {
    const char *name;
    int day;
    float bg4, bg11, amp4, amp11; /* checkerboard background */
    float c4, c11;                /* candidate */
    unsigned bit;
    int bit_set;
    int fire;
} rule_case;

static const rule_case k_rules[] = {
    /* test (1), [G03] §2.2.4 */
    {"night_pixel_above_320K_is_absolute_fire", 0, 280, 280, 0.2f, 0, 320.5f, 285, FG_TEST_ABSOLUTE, 1, 1},
    {"night_pixel_below_320K_is_not_absolute_fire", 0, 280, 280, 0.2f, 0, 319.5f, 285, FG_TEST_ABSOLUTE, 0, 1},
    {"day_pixel_above_360K_is_absolute_fire", 1, 300, 295, 0.2f, 0, 360.5f, 300, FG_TEST_ABSOLUTE, 1, 1},
    {"day_pixel_below_360K_is_not_absolute_fire", 1, 300, 295, 0.2f, 0, 359.5f, 300, FG_TEST_ABSOLUTE, 0, 1},
    /* potential fire, [G03] §2.2.3 */
    {"day_pixel_at_310K_is_not_potential_fire", 1, 300, 295, 0.2f, 0, 310.0f, 290, FG_TEST_POTENTIAL, 0, 0},
    {"day_pixel_above_310K_is_potential_fire", 1, 300, 295, 0.2f, 0, 310.5f, 292, FG_TEST_POTENTIAL, 1, 1},
    {"day_dT_of_10K_is_not_potential_fire", 1, 300, 295, 0.2f, 0, 315.0f, 305, FG_TEST_POTENTIAL, 0, 0},
    {"night_pixel_at_305K_is_not_potential_fire", 0, 280, 280, 0.2f, 0, 305.0f, 280, FG_TEST_POTENTIAL, 0, 0},
    {"night_pixel_above_305K_is_potential_fire", 0, 280, 280, 0.2f, 0, 305.5f, 280, FG_TEST_POTENTIAL, 1, 1},
    /* (3) ΔT > mean ΔT + 6 with mean ΔT = 5 */
    {"day_dT_below_mean_plus_6_fails_test3", 1, 300, 295, 0.2f, 0, 320.0f, 309.5f, FG_TEST_CTX_DT_ABS, 0, 0},
    {"day_dT_above_mean_plus_6_passes_test3", 1, 300, 295, 0.2f, 0, 320.0f, 308.5f, FG_TEST_CTX_DT_ABS, 1, 1},
    /* (2) ΔT > mean ΔT + 3.5 δΔT with δΔT = 3 → 15.5 */
    {"day_dT_below_mean_plus_3_5_mad_fails_test2", 1, 300, 295, 3.0f, 0, 315.0f, 300, FG_TEST_CTX_DT_MAD, 0, 0},
    {"day_dT_above_mean_plus_3_5_mad_passes_test2", 1, 300, 295, 3.0f, 0, 315.0f, 299, FG_TEST_CTX_DT_MAD, 1, 1},
    /* (4) T4 > mean T4 + 3 δ4 with δ4 = 3, δΔT = 0 → 311 */
    {"day_T4_below_mean_plus_3_mad_fails_test4", 1, 302, 297, 3.0f, 3.0f, 310.5f, 299, FG_TEST_CTX_T4, 0, 0},
    {"day_T4_above_mean_plus_3_mad_passes_test4", 1, 302, 297, 3.0f, 3.0f, 311.5f, 300, FG_TEST_CTX_T4, 1, 1},
    /* (5) T11 > mean T11 + δ11 − 4 = 291, needed by day only */
    {"day_T11_below_mean_minus_4_fails_test5_and_is_not_fire", 1, 300, 295, 0.2f, 0, 330.0f, 290.5f, FG_TEST_CTX_T11, 0, 0},
    {"day_T11_above_mean_minus_4_passes_test5", 1, 300, 295, 0.2f, 0, 330.0f, 291.5f, FG_TEST_CTX_T11, 1, 1},
    {"night_fire_does_not_need_test5", 0, 280, 280, 0.2f, 0, 315.0f, 270.0f, FG_TEST_CTX_T11, 0, 1},
};

static void each_rule_at_its_threshold(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof k_rules / sizeof k_rules[0]; i++) {
        const rule_case *k = &k_rules[i];
        scene *s = scene_new(21, 21);
        fill_checker(s, k->bg4, k->bg11, k->amp4, k->amp11);
        set_px(s, 10, 10, k->c4, k->c11);
        fg_fire_pixel *v = NULL;
        size_t n = 99;
        assert_int_equal(detect(s, k->day, 0, FG_PROFILE_MODIS_1KM, 1, &v, &n), FG_OK);
        const fg_fire_pixel *fp = find(v, n, 10, 10);
        if ((fp != NULL) != k->fire)
            fail_msg("%s: fire = %d, expected %d", k->name, fp != NULL, k->fire);
        if (fp && ((fp->tests & k->bit) != 0) != k->bit_set)
            fail_msg("%s: tests = 0x%x, bit 0x%x expected %s", k->name, fp->tests, k->bit,
                     k->bit_set ? "set" : "clear");
        assert_true(n == (fp ? 1u : 0u)); /* nothing else in the scene fires */
        fg_free(v);
        scene_free(s);
    }
}

static void background_fires_with_spread_T4_rescue_a_day_fire_failing_test5(void **state)
{
    (void)state;
    /* Candidate colder in T11 than its background (test 5 fails) but two
     * background fires at 330 and 345 K nearby: δ4' = 7.5 > 5, test (6). */
    scene *s = scene_new(21, 21);
    fill_checker(s, 300, 295, 0.2f, 0);
    set_px(s, 10, 10, 330.0f, 290.0f);
    set_px(s, 9, 10, 330.0f, 300.0f);
    set_px(s, 11, 10, 345.0f, 300.0f);
    fg_fire_pixel *v = NULL;
    size_t n = 0;
    assert_int_equal(detect(s, 1, 0, FG_PROFILE_MODIS_1KM, 1, &v, &n), FG_OK);
    const fg_fire_pixel *fp = find(v, n, 10, 10);
    assert_non_null(fp);
    assert_false(fp->tests & FG_TEST_CTX_T11);
    assert_true(fp->tests & FG_TEST_CTX_BGFIRE);
    /* the two background fires were kept out: the 3×3 had 6 valid → 5×5 */
    assert_int_equal(fp->window, 5);
    assert_int_equal(fp->n_valid, 22);
    fg_free(v);
    scene_free(s);
}

static void window_grows_when_the_3x3_is_cloudy(void **state)
{
    (void)state;
    for (int use_mask = 0; use_mask <= 1; use_mask++) {
        scene *s = scene_new(21, 21);
        fill_checker(s, 280, 280, 0.2f, 0);
        for (int r = 9; r <= 11; r++)
            for (int c = 9; c <= 11; c++) {
                if (use_mask)
                    s->mask[r * 21 + c] = 1;
                else
                    set_px(s, r, c, 250.0f, 250.0f); /* T11 < 265 K */
            }
        s->mask[10 * 21 + 10] = 0;
        set_px(s, 10, 10, 315.0f, 282.0f);
        fg_fire_pixel *v = NULL;
        size_t n = 0;
        assert_int_equal(detect(s, 0, use_mask, FG_PROFILE_MODIS_1KM, 1, &v, &n), FG_OK);
        assert_int_equal(n, 1);
        assert_int_equal(v[0].window, 5);
        assert_int_equal(v[0].n_valid, 16);
        assert_int_equal(v[0].adj_cloud, 8);
        assert_true(fabsf(v[0].mean_t4 - 280.0f) < 0.01f);
        fg_free(v);
        scene_free(s);
    }
}

static void viirs_window_starts_at_11_and_grows(void **state)
{
    (void)state;
    scene *s = scene_new(41, 41);
    fill_checker(s, 280, 280, 0.2f, 0);
    set_px(s, 20, 20, 330.0f, 285.0f);
    fg_fire_pixel *v = NULL;
    size_t n = 0;
    assert_int_equal(detect(s, 0, 0, FG_PROFILE_VIIRS_375M, 1, &v, &n), FG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].window, 11);
    assert_int_equal(v[0].n_valid, 120);
    fg_free(v);
    /* an 11×11 block of cloud (T11 < 265 K) around it: 120 of 168 cloudy in 13×13 */
    for (int r = 15; r <= 25; r++)
        for (int c = 15; c <= 25; c++)
            if (r != 20 || c != 20)
                set_px(s, r, c, 250.0f, 250.0f);
    assert_int_equal(detect(s, 0, 0, FG_PROFILE_VIIRS_375M, 1, &v, &n), FG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].window, 13);
    assert_int_equal(v[0].n_valid, 48);
    fg_free(v);
    scene_free(s);
}

static void nan_and_fill_pixels_never_fire(void **state)
{
    (void)state;
    const float bad[][2] = {
        {NAN, 290.0f}, {400.0f, NAN}, {NAN, NAN}, {9999.0f, 290.0f}, {400.0f, -999.0f},
        {400.0f, 65535.0f}, {INFINITY, 290.0f},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        for (int day = 0; day <= 1; day++) {
            scene *s = scene_new(21, 21);
            fill_checker(s, 300, 295, 0.2f, 0);
            set_px(s, 10, 10, bad[i][0], bad[i][1]);
            fg_fire_pixel *v = NULL;
            size_t n = 99;
            assert_int_equal(detect(s, day, 0, FG_PROFILE_MODIS_1KM, 1, &v, &n), FG_OK);
            assert_int_equal(n, 0);
            assert_null(v);
            scene_free(s);
        }
}

static void nan_and_fill_pixels_are_never_background(void **state)
{
    (void)state;
    /* The 8 neighbours hold fill (−999 K, NaN) that would wreck the background
     * means if counted: the window must grow past them. */
    scene *s = scene_new(21, 21);
    fill_checker(s, 280, 280, 0.2f, 0);
    for (int r = 9; r <= 11; r++)
        for (int c = 9; c <= 11; c++)
            set_px(s, r, c, (r + c) & 1 ? -999.0f : NAN, (r + c) & 1 ? -999.0f : NAN);
    set_px(s, 10, 10, 315.0f, 282.0f);
    fg_fire_pixel *v = NULL;
    size_t n = 0;
    assert_int_equal(detect(s, 0, 0, FG_PROFILE_MODIS_1KM, 1, &v, &n), FG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].window, 5);
    assert_int_equal(v[0].n_valid, 16);
    assert_true(fabsf(v[0].mean_t4 - 280.0f) < 0.01f);
    assert_true(fabsf(v[0].mean_t11 - 280.0f) < 0.01f);
    assert_int_equal(v[0].adj_cloud, 0); /* fill is not cloud */
    fg_free(v);
    scene_free(s);
}

static void no_valid_background_means_no_fire(void **state)
{
    (void)state;
    /* Everything within 21×21 cloudy or missing: the hot centre is "unknown". */
    const float others[][2] = {{250.0f, 250.0f}, {NAN, NAN}};
    for (size_t i = 0; i < 2; i++)
        for (int day = 0; day <= 1; day++) {
            scene *s = scene_new(25, 25);
            for (int r = 0; r < 25; r++)
                for (int c = 0; c < 25; c++)
                    set_px(s, r, c, others[i][0], others[i][1]);
            set_px(s, 12, 12, 340.0f, 300.0f); /* contextual only */
            fg_fire_pixel *v = NULL;
            size_t n = 99;
            assert_int_equal(detect(s, day, 0, FG_PROFILE_MODIS_1KM, 1, &v, &n), FG_OK);
            assert_int_equal(n, 0);
            /* even an absolute-test pixel (FRP and confidence would be undefined) */
            set_px(s, 12, 12, 420.0f, 300.0f);
            assert_int_equal(detect(s, day, 0, FG_PROFILE_MODIS_1KM, 1, &v, &n), FG_OK);
            assert_int_equal(n, 0);
            scene_free(s);
        }
    /* Count rule: 7 valid neighbours are below min_valid = 8 in every window;
     * an 8th two pixels away makes the 5×5 usable (8 of 24 ≥ 25 %). */
    scene *s = scene_new(21, 21);
    for (int r = 0; r < 21; r++)
        for (int c = 0; c < 21; c++)
            set_px(s, r, c, 250.0f, 250.0f);
    for (int r = 9; r <= 11; r++)
        for (int c = 9; c <= 11; c++)
            if (!(r == 9 && c == 9))
                set_px(s, r, c, 280.0f, 280.0f);
    set_px(s, 10, 10, 315.0f, 282.0f);
    fg_fire_pixel *v = NULL;
    size_t n = 99;
    assert_int_equal(detect(s, 0, 0, FG_PROFILE_MODIS_1KM, 1, &v, &n), FG_OK);
    assert_int_equal(n, 0);
    set_px(s, 10, 12, 280.0f, 280.0f);
    assert_int_equal(detect(s, 0, 0, FG_PROFILE_MODIS_1KM, 1, &v, &n), FG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].window, 5);
    assert_int_equal(v[0].n_valid, 8);
    fg_free(v);
    scene_free(s);
    /* Fraction rule: 42 valid pixels, the top and bottom rows of the 21×21
     * window, are 42/440 < 25 % of it. */
    s = scene_new(21, 21);
    for (int r = 0; r < 21; r++)
        for (int c = 0; c < 21; c++)
            set_px(s, r, c, r == 0 || r == 20 ? 280.0f : 250.0f, r == 0 || r == 20 ? 280.0f : 250.0f);
    set_px(s, 10, 10, 315.0f, 282.0f);
    assert_int_equal(detect(s, 0, 0, FG_PROFILE_MODIS_1KM, 1, &v, &n), FG_OK);
    assert_int_equal(n, 0);
    scene_free(s);
}

static void frp_follows_the_c5_formula(void **state)
{
    (void)state;
    /* 4.34e-19 (400⁸ − 300⁸) = 4.34e-19 · 5.8975e20 = 255.9515 MW per km². */
    const double per_km2 = 4.34e-19 * (pow(400.0, 8) - pow(300.0, 8));
    assert_true(fabs(per_km2 - 255.9515) < 1e-3);
    const struct {
        fg_sensor_profile prof;
        double km2;
    } pr[] = {{FG_PROFILE_MODIS_1KM, 1.0}, {FG_PROFILE_VIIRS_375M, 0.1406}};
    for (int i = 0; i < 2; i++) {
        scene *s = scene_new(41, 41);
        fill_checker(s, 300, 295, 0, 0);
        set_px(s, 20, 20, 400.0f, 310.0f);
        fg_fire_pixel *v = NULL;
        size_t n = 0;
        assert_int_equal(detect(s, 1, 0, pr[i].prof, 1, &v, &n), FG_OK);
        assert_int_equal(n, 1);
        assert_true(fabs(v[0].frp_mw - per_km2 * pr[i].km2) < 1e-3 * per_km2 * pr[i].km2);
        assert_true(v[0].tests & FG_TEST_ABSOLUTE);
        assert_true(v[0].t4 == 400.0f && v[0].t11 == 310.0f);
        assert_true(v[0].mean_t4 == 300.0f && v[0].mean_dt == 5.0f);
        fg_free(v);
        scene_free(s);
    }
}

static void confidence_is_the_geometric_mean_of_the_ramps(void **state)
{
    (void)state;
    /* Night, uniform background (z-scores infinite → C2 = C3 = 1):
     * C1 = S(312.5; 305, 320) = 0.5 → 100 · 0.5^(1/3) = 79. */
    scene *s = scene_new(21, 21);
    fill_checker(s, 280, 280, 0, 0);
    set_px(s, 10, 10, 312.5f, 282.0f);
    fg_fire_pixel *v = NULL;
    size_t n = 0;
    assert_int_equal(detect(s, 0, 0, FG_PROFILE_MODIS_1KM, 1, &v, &n), FG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].confidence, 79);
    fg_free(v);
    scene_free(s);
    /* Day, 3 cloudy neighbours: C4 = 1 − S(3; 0, 6) = 0.5, C1 = 1 → 100 · 0.5^(1/4) = 84. */
    s = scene_new(21, 21);
    fill_checker(s, 300, 295, 0, 0);
    set_px(s, 10, 10, 345.0f, 300.0f);
    s->mask[9 * 21 + 9] = s->mask[9 * 21 + 10] = s->mask[9 * 21 + 11] = 1;
    assert_int_equal(detect(s, 1, 1, FG_PROFILE_MODIS_1KM, 1, &v, &n), FG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(v[0].adj_cloud, 3);
    assert_int_equal(v[0].confidence, 84);
    fg_free(v);
    /* fully clear, well above every ramp → 100 */
    memset(s->mask, 0, 21 * 21);
    assert_int_equal(detect(s, 1, 1, FG_PROFILE_MODIS_1KM, 1, &v, &n), FG_OK);
    assert_int_equal(v[0].confidence, 100);
    fg_free(v);
    scene_free(s);
}

static void warm_uniform_field_is_not_fire(void **state)
{
    (void)state;
    /* A sun-heated bare field: T4 + 15 K and T11 + 10 K over a 6×6 patch, so its
     * pixels pass the potential-fire screen (T4 ≈ 315–320 K, ΔT ≈ 11 K) but ΔT
     * rises by only 5 K against a background that includes the field. */
    scene *s = scene_new(40, 40);
    for (int r = 0; r < 40; r++)
        for (int c = 0; c < 40; c++) {
            double b11 = 294.0 + 0.05 * r + 0.3 * hash_noise(1, r, c);
            double b4 = b11 + 6.0 + 0.3 * hash_noise(2, r, c);
            int in = r >= 17 && r < 23 && c >= 17 && c < 23;
            set_px(s, r, c, (float)(b4 + (in ? 15.0 : 0.0)), (float)(b11 + (in ? 10.0 : 0.0)));
        }
    int potential = 0;
    for (int r = 17; r < 23; r++)
        for (int c = 17; c < 23; c++) {
            float t4 = s->t4[r * 40 + c], t11 = s->t11[r * 40 + c];
            potential += t4 > 310.0f && t4 - t11 > 10.0f;
        }
    assert_true(potential >= 10); /* the field does reach the screen */
    fg_fire_pixel *v = NULL;
    size_t n = 99;
    assert_int_equal(detect(s, 1, 0, FG_PROFILE_MODIS_1KM, 1, &v, &n), FG_OK);
    assert_int_equal(n, 0);
    scene_free(s);
}

/* A 300×300 scene with a smooth field, noise, clouds, NaN stripes and ~80 fires. */
static scene *busy_scene(void)
{
    const int w = 300, h = 300;
    scene *s = scene_new(w, h);
    for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++) {
            double b11 = 292.0 + 3.0 * sin(r / 23.0) * cos(c / 31.0) + 0.3 * hash_noise(3, r, c);
            double b4 = b11 + 5.0 + 1.5 * sin((r + c) / 40.0) + 0.3 * hash_noise(4, r, c);
            double d = hypot(r - 150.0, c - 60.0);
            if (d < 12.0) { /* a cloud */
                b11 = 250.0;
                b4 = 253.0;
            }
            set_px(s, r, c, (float)b4, (float)b11);
            if (c == 200 && r % 3 == 0)
                set_px(s, r, c, NAN, NAN);
        }
    for (int k = 0; k < 80; k++) {
        int r = (int)((hash_noise(5, k, 0) + 1.0) * 0.5 * (h - 1));
        int c = (int)((hash_noise(6, k, 0) + 1.0) * 0.5 * (w - 1));
        double f = (2e-4 + 4e-3 * (hash_noise(7, k, 0) + 1.0) * 0.5);
        float b4 = s->t4[r * w + c], b11 = s->t11[r * w + c];
        if (isnan(b4))
            continue;
        set_px(s, r, c, (float)fg_planck_mixed_bt(3.959, f, 900.0, b4),
               (float)fg_planck_mixed_bt(11.03, f, 900.0, b11));
    }
    return s;
}

static void results_are_identical_at_1_2_and_3_threads(void **state)
{
    (void)state;
    scene *s = busy_scene();
    fg_fire_pixel *v1 = NULL, *v2 = NULL, *v3 = NULL;
    size_t n1 = 0, n2 = 0, n3 = 0;
    assert_int_equal(detect(s, 1, 0, FG_PROFILE_MODIS_1KM, 1, &v1, &n1), FG_OK);
    assert_int_equal(detect(s, 1, 0, FG_PROFILE_MODIS_1KM, 2, &v2, &n2), FG_OK);
    assert_int_equal(detect(s, 1, 0, FG_PROFILE_MODIS_1KM, 3, &v3, &n3), FG_OK);
    assert_true(n1 >= 40);
    assert_int_equal(n1, n2);
    assert_int_equal(n1, n3);
    assert_memory_equal(v1, v2, n1 * sizeof *v1);
    assert_memory_equal(v1, v3, n1 * sizeof *v1);
    for (size_t i = 1; i < n1; i++)
        assert_true(v1[i - 1].row < v1[i].row ||
                    (v1[i - 1].row == v1[i].row && v1[i - 1].col < v1[i].col));
    fg_free(v1);
    fg_free(v2);
    fg_free(v3);
    scene_free(s);
}

/* ------------------------------------------------------ API contract */

static void params_default_fills_the_profiles(void **state)
{
    (void)state;
    fg_thermal_params p;
    assert_int_equal(fg_thermal_params_default(&p, FG_PROFILE_MODIS_1KM), FG_OK);
    assert_true(p.mir_um == 3.959 && p.pixel_km2 == 1.0);
    assert_int_equal(p.win_min, 3);
    assert_int_equal(p.win_max, 21);
    assert_int_equal(p.min_valid, 8);
    assert_true(p.min_valid_frac == 0.25 && p.cloud_t11 == 265.0f);
    assert_int_equal(fg_thermal_params_default(&p, FG_PROFILE_VIIRS_375M), FG_OK);
    assert_true(p.mir_um == 3.74 && p.pixel_km2 == 0.1406);
    assert_int_equal(p.win_min, 11);
    assert_int_equal(p.win_max, 31);
    fg_thermal_params q = p;
    assert_int_equal(fg_thermal_params_default(&q, (fg_sensor_profile)99), FG_EINVAL);
    assert_memory_equal(&q, &p, sizeof p); /* untouched on failure */
}

static void mismatched_rasters_are_einval(void **state)
{
    (void)state;
    scene *a = scene_new(20, 20), *b = scene_new(21, 20);
    fg_thermal_params p;
    fg_thermal_params_default(&p, FG_PROFILE_MODIS_1KM);
    fg_thermal_input in = {&a->mir, &b->tir, NULL, 1};
    fg_fire_pixel *v = (fg_fire_pixel *)&p; /* sentinel */
    size_t n = 7;
    fg_ctx ctx = {0};
    assert_int_equal(fg_thermal_detect(&in, &p, 1, &v, &n, &ctx), FG_EINVAL);
    assert_true(strstr(ctx.msg, "fire_thermal") != NULL);
    assert_ptr_equal(v, &p);
    assert_int_equal(n, 7);
    in.tir = &a->tir;
    in.cloud = &b->cloud;
    assert_int_equal(fg_thermal_detect(&in, &p, 1, &v, &n, &ctx), FG_EINVAL);
    in.cloud = &a->mir; /* wrong type */
    assert_int_equal(fg_thermal_detect(&in, &p, 1, &v, &n, &ctx), FG_EINVAL);
    in.cloud = NULL;
    p.win_min = 4;
    assert_int_equal(fg_thermal_detect(&in, &p, 1, &v, &n, &ctx), FG_EINVAL);
    assert_int_equal(fg_thermal_detect(NULL, &p, 1, &v, &n, &ctx), FG_EINVAL);
    scene_free(a);
    scene_free(b);
}

static void *fail_malloc(size_t n)
{
    (void)n;
    return NULL;
}
static void *fail_realloc(void *p, size_t n)
{
    (void)p;
    (void)n;
    return NULL;
}

static void allocation_failure_is_enomem_and_leaves_outputs(void **state)
{
    (void)state;
    scene *s = busy_scene();
    for (int threads = 1; threads <= 2; threads++) {
        fg_fire_pixel *v = (fg_fire_pixel *)s; /* sentinel */
        size_t n = 7;
        fg_set_allocator(malloc, fail_realloc, free); /* result growth fails */
        int rc = detect(s, 1, 0, FG_PROFILE_MODIS_1KM, threads, &v, &n);
        fg_set_allocator(fail_malloc, fail_realloc, free); /* nothing at all */
        int rc2 = detect(s, 1, 0, FG_PROFILE_MODIS_1KM, threads, &v, &n);
        fg_set_allocator(NULL, NULL, NULL);
        assert_int_equal(rc, FG_ENOMEM);
        assert_int_equal(rc2, FG_ENOMEM);
        assert_ptr_equal(v, s);
        assert_int_equal(n, 7);
    }
    scene_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_rule_at_its_threshold),
        cmocka_unit_test(background_fires_with_spread_T4_rescue_a_day_fire_failing_test5),
        cmocka_unit_test(window_grows_when_the_3x3_is_cloudy),
        cmocka_unit_test(viirs_window_starts_at_11_and_grows),
        cmocka_unit_test(nan_and_fill_pixels_never_fire),
        cmocka_unit_test(nan_and_fill_pixels_are_never_background),
        cmocka_unit_test(no_valid_background_means_no_fire),
        cmocka_unit_test(frp_follows_the_c5_formula),
        cmocka_unit_test(confidence_is_the_geometric_mean_of_the_ramps),
        cmocka_unit_test(warm_uniform_field_is_not_fire),
        cmocka_unit_test(results_are_identical_at_1_2_and_3_threads),
        cmocka_unit_test(params_default_fills_the_profiles),
        cmocka_unit_test(mismatched_rasters_are_einval),
        cmocka_unit_test(allocation_failure_is_enomem_and_leaves_outputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
