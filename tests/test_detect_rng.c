/* test_detect_rng.c — deterministic random numbers and value noise. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>

#include "detect/detect.h"

static void the_same_seed_gives_the_same_sequence(void **state)
{
    (void)state;
    fg_rng a = {42}, b = {42}, c = {43};
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = fg_rng_next(&a), y = fg_rng_next(&b), z = fg_rng_next(&c);
        assert_true(x == y);
        differ += x != z;
    }
    assert_true(differ > 990);
    /* splitmix64 from state 0: the published first output */
    fg_rng z = {0};
    assert_true(fg_rng_next(&z) == 0xe220a8397b1dcdafULL);
}

static void uniform_deviates_stay_in_range_with_the_right_mean(void **state)
{
    (void)state;
    fg_rng r = {7};
    double sum = 0, lo = 1, hi = 0;
    for (int i = 0; i < 100000; i++) {
        double u = fg_rng_unit(&r);
        assert_true(u >= 0.0 && u < 1.0);
        sum += u;
        lo = fmin(lo, u);
        hi = fmax(hi, u);
        double v = fg_rng_range(&r, -3.0, 5.0);
        assert_true(v >= -3.0 && v < 5.0);
    }
    assert_float_equal(sum / 100000, 0.5, 0.005);
    assert_true(lo < 0.001 && hi > 0.999);
}

static void gaussian_deviates_have_unit_variance(void **state)
{
    (void)state;
    fg_rng r = {11};
    double s1 = 0, s2 = 0;
    const int n = 200000;
    for (int i = 0; i < n; i++) {
        double g = fg_rng_gauss(&r);
        assert_true(isfinite(g));
        s1 += g;
        s2 += g * g;
    }
    assert_float_equal(s1 / n, 0.0, 0.01);
    assert_float_equal(s2 / n, 1.0, 0.02);
}

static void value_noise_is_bounded_continuous_and_hits_lattice_values(void **state)
{
    (void)state;
    double prev = fg_value_noise(5, 0.0, 0.25);
    for (int i = 1; i <= 4000; i++) {
        double x = i * 0.001;
        double v = fg_value_noise(5, x, 0.25);
        assert_true(v >= 0.0 && v < 1.0);
        assert_true(fabs(v - prev) < 0.01); /* no jumps at cell borders */
        prev = v;
    }
    for (int i = -3; i <= 3; i++)
        assert_float_equal(fg_value_noise(9, i, 2), fg_hash01(9, i, 2), 1e-12);
    assert_true(fg_hash01(1, 3, 4) != fg_hash01(2, 3, 4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_same_seed_gives_the_same_sequence),
        cmocka_unit_test(uniform_deviates_stay_in_range_with_the_right_mean),
        cmocka_unit_test(gaussian_deviates_have_unit_variance),
        cmocka_unit_test(value_noise_is_bounded_continuous_and_hits_lattice_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
