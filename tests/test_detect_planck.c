/* test_detect_planck.c — Planck radiance, its inverse and sub-pixel fire mixing. */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "detect/detect.h"

static void radiance_inverts_to_its_temperature_200_to_1500K(void **state)
{
    (void)state;
    const double waves[] = {3.7, 3.74, 3.959, 4.05, 8.6, 10.8, 11.03, 11.45, 12.0};
    for (size_t i = 0; i < sizeof waves / sizeof waves[0]; i++)
        for (double t = 200.0; t <= 1500.0; t += 12.5) {
            double l = fg_planck_radiance(waves[i], t);
            assert_true(l > 0.0);
            double back = fg_planck_bt(waves[i], l);
            assert_true(fabs(back - t) < 1e-9 * t);
        }
}

static void radiance_matches_a_known_value(void **state)
{
    (void)state;
    /* B(11 µm, 300 K) = c1 / (11⁵ (exp(c2 / 3300) − 1)) = 9.5732 W m⁻² sr⁻¹ µm⁻¹
     * (hand computation with c1 = 1.191042e8, c2 = 14387.752). */
    assert_true(fabs(fg_planck_radiance(11.0, 300.0) - 9.5732) < 1e-3);
    /* B(4 µm, 1000 K) = 1.191042e8 / (1024 (e^3.596938 − 1)) = 3277.675. */
    assert_true(fabs(fg_planck_radiance(4.0, 1000.0) - 3277.675) < 1e-2);
}

static void radiance_grows_with_temperature(void **state)
{
    (void)state;
    double prev = 0.0;
    for (double t = 200.0; t <= 1500.0; t += 50.0) {
        double l = fg_planck_radiance(3.959, t);
        assert_true(l > prev);
        prev = l;
    }
}

static void bt_of_nonpositive_radiance_is_nan(void **state)
{
    (void)state;
    assert_true(isnan(fg_planck_bt(3.959, 0.0)));
    assert_true(isnan(fg_planck_bt(3.959, -1.0)));
    assert_true(isnan(fg_planck_bt(0.0, 1.0)));
    assert_true(isnan(fg_planck_bt(3.959, NAN)));
}

static void mixed_bt_with_no_fire_is_the_background(void **state)
{
    (void)state;
    assert_true(fabs(fg_planck_mixed_bt(3.959, 0.0, 1000.0, 300.0) - 300.0) < 1e-9);
    assert_true(fabs(fg_planck_mixed_bt(11.03, 0.0, 1000.0, 287.5) - 287.5) < 1e-9);
    /* the whole pixel burning is the fire temperature */
    assert_true(fabs(fg_planck_mixed_bt(3.959, 1.0, 1000.0, 300.0) - 1000.0) < 1e-9);
}

static void mixed_bt_grows_with_fire_fraction(void **state)
{
    (void)state;
    const double waves[] = {3.74, 3.959, 11.03};
    for (size_t i = 0; i < 3; i++) {
        double prev = fg_planck_mixed_bt(waves[i], 0.0, 900.0, 295.0);
        for (double f = 1e-5; f <= 1.0; f *= 1.5) {
            double bt = fg_planck_mixed_bt(waves[i], f, 900.0, 295.0);
            assert_true(bt > prev);
            prev = bt;
        }
    }
}

static void mir_responds_to_a_small_fire_far_more_than_tir(void **state)
{
    (void)state;
    /* 1000 m² at 1000 K in a 1 km pixel: the 4 µm band warms by tens of K, the
     * 11 µm band by about one — the physics behind the ΔT tests. */
    double t4 = fg_planck_mixed_bt(3.959, 1e-3, 1000.0, 300.0);
    double t11 = fg_planck_mixed_bt(11.03, 1e-3, 1000.0, 300.0);
    assert_true(t4 - 300.0 > 30.0);
    assert_true(t11 - 300.0 < 3.0);
    assert_true(t11 > 300.0);
}

static void mixed_bt_rejects_fraction_outside_0_1(void **state)
{
    (void)state;
    assert_true(isnan(fg_planck_mixed_bt(3.959, -0.1, 1000.0, 300.0)));
    assert_true(isnan(fg_planck_mixed_bt(3.959, 1.1, 1000.0, 300.0)));
    assert_true(isnan(fg_planck_mixed_bt(3.959, NAN, 1000.0, 300.0)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(radiance_inverts_to_its_temperature_200_to_1500K),
        cmocka_unit_test(radiance_matches_a_known_value),
        cmocka_unit_test(radiance_grows_with_temperature),
        cmocka_unit_test(bt_of_nonpositive_radiance_is_nan),
        cmocka_unit_test(mixed_bt_with_no_fire_is_the_background),
        cmocka_unit_test(mixed_bt_grows_with_fire_fraction),
        cmocka_unit_test(mir_responds_to_a_small_fire_far_more_than_tir),
        cmocka_unit_test(mixed_bt_rejects_fraction_outside_0_1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
