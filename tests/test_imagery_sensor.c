/* test_imagery_sensor.c — sensor profiles: every embedded file parses, lookups by name and alias, malformed text is refused. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "imagery/imagery.h"
#include "imagery/sensor_int.h"

static void every_embedded_profile_parses_and_is_found_by_its_name(void **state)
{
    (void)state;
    size_t n = fg_sensor_count();
    assert_true(n >= 10);
    for (size_t i = 0; i < n; i++) {
        const char *name = fg_sensor_name(i);
        assert_non_null(name);
        fg_sensor_def d;
        fg_ctx c = {0};
        int rc = fg_sensor_find(name, &d, &c);
        if (rc != FG_OK)
            fail_msg("profile %zu (%s): %s", i, name, c.msg);
        assert_string_equal(d.name, name);
        /* names are unique */
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(fg_sensor_name(j), name);
        /* a detector that can run: thermal needs MIR and TIR constants, SWIR an algorithm */
        if (d.swir)
            assert_true(d.swir_algorithm >= FG_SWIR_SCHROEDER2016 &&
                        d.swir_algorithm <= FG_SWIR_SENTINEL2);
        else
            assert_true(d.thermal_profile >= FG_PROFILE_MODIS_1KM &&
                        d.thermal_profile <= FG_PROFILE_GEO_2KM);
    }
    assert_null(fg_sensor_name(n));
}

/* Every alias selects exactly one profile. */
static void aliases_are_unique_over_all_profiles(void **state)
{
    (void)state;
    for (size_t i = 0; i < fg_sensor_count(); i++) {
        fg_sensor_def d;
        assert_int_equal(fg_sensor_find(fg_sensor_name(i), &d, NULL), FG_OK);
        char buf[256];
        snprintf(buf, sizeof buf, "%s", d.aliases);
        char *save = NULL;
        for (char *a = strtok_r(buf, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
            fg_sensor_def e;
            assert_int_equal(fg_sensor_find(a, &e, NULL), FG_OK);
            if (strcmp(e.name, d.name) != 0)
                fail_msg("alias %s of %s selects %s", a, d.name, e.name);
        }
    }
}

typedef struct lookup_case {
    const char *query;
    const char *name;
    fg_sensor_profile profile; /* 0 for SWIR */
    double mir_um, tir_um;
    int swir;
} lookup_case;

static void names_and_aliases_select_the_right_profile(void **state)
{
    (void)state;
    static const lookup_case cases[] = {
        {"MODIS", "MODIS", FG_PROFILE_MODIS_1KM, 3.959, 11.03, 0},
        {"terra", "MODIS", FG_PROFILE_MODIS_1KM, 3.959, 11.03, 0},
        {"Aqua", "MODIS", FG_PROFILE_MODIS_1KM, 3.959, 11.03, 0},
        {"MYD", "MODIS", FG_PROFILE_MODIS_1KM, 3.959, 11.03, 0},
        {"SYNTH-MODIS-TERRA", "MODIS", FG_PROFILE_MODIS_1KM, 3.959, 11.03, 0},
        {"VIIRS", "VIIRS-I", FG_PROFILE_VIIRS_375M, 3.74, 11.45, 0},
        {"N20", "VIIRS-I", FG_PROFILE_VIIRS_375M, 3.74, 11.45, 0},
        {"noaa21", "VIIRS-I", FG_PROFILE_VIIRS_375M, 3.74, 11.45, 0},
        {"SYNTH-VIIRS-NPP", "VIIRS-I", FG_PROFILE_VIIRS_375M, 3.74, 11.45, 0},
        {"VIIRS-BELARUS-TIFF", "VIIRS-I-STACK", FG_PROFILE_VIIRS_375M, 3.74, 11.45, 0},
        {"GOES-17", "ABI", FG_PROFILE_GEO_2KM, 3.9, 11.2, 0},
        {"g16", "ABI", FG_PROFILE_GEO_2KM, 3.9, 11.2, 0},
        {"Himawari-9", "AHI", FG_PROFILE_GEO_2KM, 3.9, 11.2, 0},
        {"FY-4B", "AGRI", FG_PROFILE_GEO_2KM, 3.72, 10.8, 0},
        {"FY3D", "MERSI", FG_PROFILE_MODIS_1KM, 3.80, 10.8, 0},
        {"Landsat-9", "LANDSAT-OLI", 0, 0, 0, 1},
        {"LANDSAT-OLI-B2-7", "LANDSAT-OLI-B2-7", 0, 0, 0, 1},
        {"Sentinel-2", "S2-MSI", 0, 0, 0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const lookup_case *k = &cases[i];
        fg_sensor_def d;
        fg_ctx c = {0};
        if (fg_sensor_find(k->query, &d, &c) != FG_OK)
            fail_msg("%s: %s", k->query, c.msg);
        assert_string_equal(d.name, k->name);
        assert_int_equal(d.swir, k->swir);
        if (!k->swir) {
            assert_int_equal(d.thermal_profile, k->profile);
            assert_float_equal(d.mir_um, k->mir_um, 1e-9);
            assert_float_equal(d.tir_um, k->tir_um, 1e-9);
            assert_true(d.wooster_a > 2.5e-9 && d.wooster_a < 3.5e-9);
        }
    }
}

static void band_maps_scales_and_cloud_values_are_read(void **state)
{
    (void)state;
    fg_sensor_def d;
    assert_int_equal(fg_sensor_find("LANDSAT-OLI", &d, NULL), FG_OK);
    static const int oli7[] = {FG_ROLE_COASTAL_REF, FG_ROLE_BLUE_REF, FG_ROLE_GREEN_REF,
                               FG_ROLE_RED_REF,     FG_ROLE_NIR_REF,  FG_ROLE_SWIR1_REF,
                               FG_ROLE_SWIR2_REF};
    for (int b = 0; b < 7; b++)
        assert_int_equal(d.band_of_role[oli7[b]], b + 1);
    assert_int_equal(d.swir_algorithm, FG_SWIR_SCHROEDER2016);
    assert_float_equal(d.saturation[FG_ROLE_SWIR2_REF], 1.64, 1e-6);

    assert_int_equal(fg_sensor_find("LANDSAT-OLI-B2-7", &d, NULL), FG_OK);
    assert_int_equal(d.band_of_role[FG_ROLE_BLUE_REF], 1);
    assert_int_equal(d.band_of_role[FG_ROLE_SWIR2_REF], 6);
    assert_int_equal(d.band_of_role[FG_ROLE_COASTAL_REF], 0);

    assert_int_equal(fg_sensor_find("S2-MSI", &d, NULL), FG_OK);
    assert_float_equal(d.scale[FG_ROLE_SWIR2_REF], 1e-4, 1e-12);
    assert_float_equal(d.offset[FG_ROLE_SWIR2_REF], -0.1, 1e-12);
    assert_int_equal(d.swir_algorithm, FG_SWIR_SENTINEL2);

    assert_int_equal(fg_sensor_find("VIIRS-I-STACK", &d, NULL), FG_OK);
    assert_int_equal(d.band_of_role[FG_ROLE_MIR_BT], 1);
    assert_int_equal(d.band_of_role[FG_ROLE_TIR_BT], 2);
    assert_int_equal(d.band_of_role[FG_ROLE_CLOUD_MASK], 3);
    assert_int_equal(d.ncloud_values, 2);
    assert_int_equal(d.cloud_values[0], 0);
    assert_int_equal(d.cloud_values[1], 1);
    assert_float_equal(d.scale[FG_ROLE_RED_REF], 0.01, 1e-12);
    assert_float_equal(d.scale[FG_ROLE_MIR_BT], 1.0, 1e-12); /* default */
    assert_float_equal(d.saturation[FG_ROLE_MIR_BT], 367.0, 1e-6);
}

static void an_unknown_sensor_lists_the_known_ones(void **state)
{
    (void)state;
    fg_sensor_def d;
    memset(&d, 0x5a, sizeof d);
    unsigned char before = ((unsigned char *)&d)[0];
    fg_ctx c = {0};
    assert_int_equal(fg_sensor_find("AVHRR", &d, &c), FG_ENOTFOUND);
    assert_non_null(strstr(c.msg, "AVHRR"));
    assert_non_null(strstr(c.msg, "MODIS"));
    assert_non_null(strstr(c.msg, "VIIRS-I"));
    assert_int_equal(((unsigned char *)&d)[0], before);
    assert_int_equal(fg_sensor_find(NULL, &d, &c), FG_EINVAL);
}

typedef struct bad_case {
    const char *text;
    const char *why; /* substring of the message */
} bad_case;

static void malformed_profiles_are_refused_with_the_line(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"name = X\ndetector = thermal\n", "thermal_profile"},
        {"detector = thermal\nthermal_profile = modis_1km\n", "no 'name'"},
        {"name = X\nthermal_profile = modis_1km\n", "no 'detector'"},
        {"name = X\ndetector = swir\n", "swir_algorithm"},
        {"name = X\ndetector = infrared\n", ":2:"},
        {"name = X\ndetector = thermal\nthermal_profile = avhrr\n", "avhrr"},
        {"name = X\ndetector = thermal\nthermal_profile = modis_1km\ncolour = red\n", "unknown key 'colour'"},
        {"name = X\nname = Y\n", "twice"},
        {"name = X\ndetector = thermal\nthermal_profile = geo_2km\nmir_um = -3\n", "positive"},
        {"name = X\ndetector = thermal\nthermal_profile = geo_2km\nmir_um = 3.9x\n", "3.9x"},
        {"name = X\ndetector = thermal\nthermal_profile = geo_2km\nband.0 = MIR_BT\n", "band.0"},
        {"name = X\ndetector = thermal\nthermal_profile = geo_2km\nband.1 = MIR\n", "not a band role"},
        {"name = X\ndetector = thermal\nthermal_profile = geo_2km\nband.1 = MIR_BT\nband.1 = TIR_BT\n", "mapped twice"},
        {"name = X\ndetector = thermal\nthermal_profile = geo_2km\nband.1 = MIR_BT\nband.2 = MIR_BT\n", "mapped twice"},
        {"name = X\ndetector = thermal\nthermal_profile = geo_2km\nscale.MIR = 2\n", "band role"},
        {"name = X\ndetector = thermal\nthermal_profile = geo_2km\nscale.MIR_BT = 0\n", "non-zero"},
        {"name = X\ndetector = thermal\nthermal_profile = geo_2km\ncloud_values = 0,300\n", "300"},
        {"name = X\ndetector = thermal\nthermal_profile = geo_2km\ncloud_values = 0,1,2,3,4,5,6,7,8\n", "more than 8"},
        {"name = X\ndetector = thermal\nthermal_profile = geo_2km\naliases = A,,B\n", "empty alias"},
        {"name = X\ndetector = thermal\nthermal_profile = geo_2km\njust words\n", ":4:"},
        {"name = ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\n", "longer"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fg_sensor_def d;
        memset(&d, 0, sizeof d);
        fg_ctx c = {0};
        int rc = fg_sensor_parse(cases[i].text, strlen(cases[i].text), "bad.conf", &d, &c);
        if (rc != FG_EFORMAT)
            fail_msg("case %zu accepted: %s", i, cases[i].text);
        if (!strstr(c.msg, cases[i].why) || !strstr(c.msg, "bad.conf"))
            fail_msg("case %zu: message '%s' lacks '%s'", i, c.msg, cases[i].why);
        assert_string_equal(d.name, ""); /* untouched */
    }
}

static void comments_blanks_and_spaces_are_allowed(void **state)
{
    (void)state;
    const char *text = "# a profile\n\n  name=Z-1   # trailing comment\r\n"
                       "aliases = a , b\ndetector = swir\nswir_algorithm = kumar_roy2018\n"
                       "band.3=SWIR2_REF\nsaturation.SWIR2_REF = 1.5\noffset.RED_REF = -0.1";
    fg_sensor_def d;
    fg_ctx c = {0};
    assert_int_equal(fg_sensor_parse(text, strlen(text), "ok.conf", &d, &c), FG_OK);
    assert_string_equal(d.name, "Z-1");
    assert_string_equal(d.aliases, "a,b");
    assert_int_equal(d.swir, 1);
    assert_int_equal(d.swir_algorithm, FG_SWIR_KUMAR_ROY2018);
    assert_int_equal(d.band_of_role[FG_ROLE_SWIR2_REF], 3);
    assert_float_equal(d.saturation[FG_ROLE_SWIR2_REF], 1.5, 1e-6);
    assert_float_equal(d.offset[FG_ROLE_RED_REF], -0.1, 1e-12);
    assert_float_equal(d.scale[FG_ROLE_RED_REF], 1.0, 1e-12);
    assert_int_equal(d.ncloud_values, 0);
}

typedef struct generic_case {
    double km;
    fg_sensor_profile profile;
} generic_case;

static void generic_profile_follows_pixel_size(void **state)
{
    (void)state;
    static const generic_case cases[] = {
        {0.375, FG_PROFILE_VIIRS_375M}, {0.499, FG_PROFILE_VIIRS_375M},
        {0.5, FG_PROFILE_MODIS_1KM},    {1.0, FG_PROFILE_MODIS_1KM},
        {1.499, FG_PROFILE_MODIS_1KM},  {1.5, FG_PROFILE_GEO_2KM},
        {4.0, FG_PROFILE_GEO_2KM},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fg_sensor_def d;
        fg_sensor_generic(cases[i].km, &d);
        assert_int_equal(d.thermal_profile, cases[i].profile);
        assert_int_equal(d.swir, 0);
        assert_float_equal(d.scale[FG_ROLE_MIR_BT], 1.0, 0);
        assert_int_equal(d.band_of_role[FG_ROLE_MIR_BT], 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_embedded_profile_parses_and_is_found_by_its_name),
        cmocka_unit_test(aliases_are_unique_over_all_profiles),
        cmocka_unit_test(names_and_aliases_select_the_right_profile),
        cmocka_unit_test(band_maps_scales_and_cloud_values_are_read),
        cmocka_unit_test(an_unknown_sensor_lists_the_known_ones),
        cmocka_unit_test(malformed_profiles_are_refused_with_the_line),
        cmocka_unit_test(comments_blanks_and_spaces_are_allowed),
        cmocka_unit_test(generic_profile_follows_pixel_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
