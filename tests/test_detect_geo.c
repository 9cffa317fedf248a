/* test_detect_geo.c — great-circle destination, distance, bearing and solar zenith. */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "detect/detect.h"

/* 2024-06-21T00:00:00Z and 2024-03-20T00:00:00Z (date -u -d ... +%s). */
#define T_2024_06_21 1718928000LL
#define T_2024_03_20 1710892800LL

static void one_degree_of_equator_is_111195_m(void **state)
{
    (void)state;
    /* R·π/180 with R = 6371008.8 m */
    assert_true(fabs(fg_geo_distance(0, 0, 0, 1) - 111195.08) < 0.05);
    assert_true(fabs(fg_geo_distance(0, 0, 1, 0) - 111195.08) < 0.05);
    assert_true(fg_geo_distance(39.4, 111.7, 39.4, 111.7) == 0.0);
}

static void bearings_of_the_cardinal_directions(void **state)
{
    (void)state;
    assert_true(fabs(fg_geo_bearing(0, 0, 1, 0) - 0.0) < 1e-9);
    assert_true(fabs(fg_geo_bearing(0, 0, 0, 1) - 90.0) < 1e-9);
    assert_true(fabs(fg_geo_bearing(0, 0, -1, 0) - 180.0) < 1e-9);
    assert_true(fabs(fg_geo_bearing(0, 0, 0, -1) - 270.0) < 1e-9);
}

static void destination_distance_bearing_round_trip(void **state)
{
    (void)state;
    /* From the sample county centre out to 60 km in every direction and back. */
    const double lat0 = 39.44, lon0 = 111.68;
    for (double b = 0.0; b < 360.0; b += 7.5)
        for (double d = 10.0; d <= 60000.0; d *= 3.0) {
            double lat, lon;
            fg_geo_destination(lat0, lon0, b, d, &lat, &lon);
            assert_true(fabs(fg_geo_distance(lat0, lon0, lat, lon) - d) < 1e-6 * d + 1e-6);
            double back = fg_geo_bearing(lat0, lon0, lat, lon);
            double diff = fabs(back - b);
            if (diff > 180.0)
                diff = 360.0 - diff;
            assert_true(diff < 1e-6);
        }
}

static void destination_wraps_the_antimeridian(void **state)
{
    (void)state;
    double lat, lon;
    fg_geo_destination(0.0, 179.9, 90.0, 111195.08 * 0.2, &lat, &lon);
    assert_true(fabs(lat) < 1e-9);
    assert_true(fabs(lon - (-179.9)) < 1e-6);
}

static void summer_noon_sun_is_lat_minus_23_degrees_from_zenith(void **state)
{
    (void)state;
    /* Pianguan, 21 June: solar noon at 12:00 − 111.68°/15 h − eq. of time
     * (≈ −1.8 min) ≈ 04:35 UTC; zenith = φ − δ = 39.44 − 23.44 = 16.0°. */
    double z = fg_solar_zenith(T_2024_06_21 + 4 * 3600 + 35 * 60, 39.44, 111.68);
    assert_true(fabs(z - 16.0) < 0.3);
    /* local midnight, 12 h later: the sun is φ + δ − 90 = −27.1° below the horizon */
    double zn = fg_solar_zenith(T_2024_06_21 + 16 * 3600 + 35 * 60, 39.44, 111.68);
    assert_true(fabs(zn - 117.1) < 0.3);
    assert_true(zn > 85.0); /* night by the MOD14 rule */
    assert_true(z < 85.0);  /* day */
}

static void equinox_noon_at_the_equator_is_overhead(void **state)
{
    (void)state;
    /* 20 March 2024, Greenwich: eq. of time ≈ −7.5 min, so noon at ≈ 12:07:30 UTC. */
    double z = fg_solar_zenith(T_2024_03_20 + 12 * 3600 + 7 * 60 + 30, 0.0, 0.0);
    assert_true(z < 0.5);
}

static void satellite_overpasses_of_the_sample_day_split_into_day_and_night(void **state)
{
    (void)state;
    /* 15 October 2024 (1728950400): Terra ~05:40 UTC is day, NPP ~18:10 UTC is night. */
    const int64_t day0 = 1728950400LL;
    assert_true(fg_solar_zenith(day0 + 5 * 3600 + 40 * 60, 39.44, 111.68) < 85.0);
    assert_true(fg_solar_zenith(day0 + 18 * 3600 + 10 * 60, 39.44, 111.68) > 85.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_degree_of_equator_is_111195_m),
        cmocka_unit_test(bearings_of_the_cardinal_directions),
        cmocka_unit_test(destination_distance_bearing_round_trip),
        cmocka_unit_test(destination_wraps_the_antimeridian),
        cmocka_unit_test(summer_noon_sun_is_lat_minus_23_degrees_from_zenith),
        cmocka_unit_test(equinox_noon_at_the_equator_is_overhead),
        cmocka_unit_test(satellite_overpasses_of_the_sample_day_split_into_day_and_night),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
