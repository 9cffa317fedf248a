/* test_detect_camgeom.c — pinhole-over-flat-ground camera geometry and two-ray triangulation. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "detect/detect.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define DEG (M_PI / 180.0)

/* A tower in the sample county (偏关县) looking east-north-east. */
static fg_camera tower(void)
{
    fg_camera c;
    memset(&c, 0, sizeof c);
    strcpy(c.id, "CAM-T");
    c.lat = 39.44;
    c.lon = 111.68;
    c.height_m = 90;
    c.heading_deg = 70;
    c.hfov_deg = 60;
    c.tilt_deg = 2.5;
    c.width = 1280;
    c.height = 720;
    return c;
}

static void centre_column_looks_along_the_heading(void **state)
{
    (void)state;
    fg_camera c = tower();
    assert_float_equal(fg_camera_bearing(&c, 640), 70.0, 1e-9);
    /* the frame edge is half the field of view off the axis */
    assert_float_equal(fg_camera_bearing(&c, 1280), 100.0, 1e-9);
    assert_float_equal(fg_camera_bearing(&c, 0), 40.0, 1e-9);
    /* bearings wrap into 0..360 */
    c.heading_deg = 10;
    assert_float_equal(fg_camera_bearing(&c, 0), 340.0, 1e-9);
}

static void row_of_known_depression_gives_height_over_tan(void **state)
{
    (void)state;
    fg_camera c = tower();
    double f = 640.0 / tan(30 * DEG);
    /* the centre row looks down by the tilt */
    assert_float_equal(fg_camera_range(&c, 360), 90.0 / tan(2.5 * DEG), 1e-6);
    /* a row 5° below the axis looks down by 7.5° */
    double y = 360 + f * tan(5 * DEG);
    assert_float_equal(fg_camera_range(&c, y), 90.0 / tan(7.5 * DEG), 1e-6);
    /* ranges shrink downwards */
    assert_true(fg_camera_range(&c, 500) < fg_camera_range(&c, 400));
}

static void horizon_row_is_where_depression_is_zero(void **state)
{
    (void)state;
    fg_camera c = tower();
    double f = 640.0 / tan(30 * DEG);
    double yh = fg_camera_horizon_row(&c);
    assert_float_equal(yh, 360 - f * tan(2.5 * DEG), 1e-9);
    assert_true(isnan(fg_camera_range(&c, yh)));
    assert_true(isnan(fg_camera_range(&c, yh - 10)));
    assert_true(isfinite(fg_camera_range(&c, yh + 1)));
    /* looking up, the horizon is below the centre */
    c.tilt_deg = -1;
    assert_true(fg_camera_horizon_row(&c) > 360);
}

/* The detector's horizon: the frames' own size, scaled to the working rows,
 * clamped to the frame. */
static void work_horizon_follows_the_frames_and_stays_in_the_frame(void **state)
{
    (void)state;
    fg_camera c = tower();
    double f = 1280.0 / tan(30 * DEG);
    /* registry says 1280x720, the frames are 2560x1440, decoded at 1/4 */
    assert_float_equal(fg_camera_work_horizon(&c, 2560, 1440, 360),
                       (720 - f * tan(2.5 * DEG)) / 4, 1e-9);
    c.tilt_deg = 80; /* looking nearly straight down: horizon far above the frame */
    assert_float_equal(fg_camera_work_horizon(&c, 1280, 720, 180), 0, 0);
    c.tilt_deg = -80;
    assert_float_equal(fg_camera_work_horizon(&c, 1280, 720, 180), 180, 0);
}

static void project_then_locate_returns_the_ground_point(void **state)
{
    (void)state;
    fg_camera c = tower();
    const double dist[] = {400, 1200, 2000, 3500};
    const double rel[] = {-25, -6, 0, 13, 28};
    for (size_t i = 0; i < sizeof dist / sizeof dist[0]; i++)
        for (size_t j = 0; j < sizeof rel / sizeof rel[0]; j++) {
            double lat, lon, x, y, lat2, lon2, r, rmin, rmax;
            fg_geo_destination(c.lat, c.lon, c.heading_deg + rel[j], dist[i], &lat, &lon);
            assert_int_equal(fg_camera_project(&c, lat, lon, &x, &y), FG_OK);
            assert_true(x >= 0 && x <= 1280);
            assert_true(y > fg_camera_horizon_row(&c));
            assert_int_equal(fg_camera_locate(&c, x, y, 2, &lat2, &lon2, &r, &rmin, &rmax),
                             FG_OK);
            assert_float_equal(r, dist[i], 1e-6 * dist[i]);
            assert_true(fg_geo_distance(lat, lon, lat2, lon2) < 0.01);
            assert_true(rmin < r && r < rmax);
        }
}

static void points_behind_or_above_are_refused(void **state)
{
    (void)state;
    fg_camera c = tower();
    double lat, lon, x = -1, y = -1, r;
    fg_geo_destination(c.lat, c.lon, c.heading_deg + 180, 1000, &lat, &lon);
    assert_int_equal(fg_camera_project(&c, lat, lon, &x, &y), FG_EINVAL);
    assert_int_equal(fg_camera_locate(&c, 640, fg_camera_horizon_row(&c) - 5, 1, &lat, &lon,
                                      &r, NULL, NULL),
                     FG_EINVAL);
}

static void range_band_is_open_ended_at_the_horizon(void **state)
{
    (void)state;
    fg_camera c = tower();
    double lat, lon, r, rmin, rmax;
    double y = fg_camera_horizon_row(&c) + 1.5;
    assert_int_equal(fg_camera_locate(&c, 700, y, 3, &lat, &lon, &r, &rmin, &rmax), FG_OK);
    assert_true(isinf(rmax));
    assert_true(rmin < r);
}

static void two_bearings_recover_a_known_point_within_1m(void **state)
{
    (void)state;
    const double fire_lat = 39.41, fire_lon = 111.72;
    const double cams[][2] = {{39.45, 111.65}, {39.38, 111.80}, {39.30, 111.60},
                              {39.43, 111.74}};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = i + 1; j < 4; j++) {
            double b1 = fg_geo_bearing(cams[i][0], cams[i][1], fire_lat, fire_lon);
            double b2 = fg_geo_bearing(cams[j][0], cams[j][1], fire_lat, fire_lon);
            double lat = 0, lon = 0;
            assert_int_equal(fg_triangulate(cams[i][0], cams[i][1], b1, cams[j][0], cams[j][1],
                                            b2, &lat, &lon),
                             FG_OK);
            assert_true(fg_geo_distance(lat, lon, fire_lat, fire_lon) < 1.0);
        }
}

static void parallel_or_diverging_rays_are_refused(void **state)
{
    (void)state;
    double lat = 0, lon = 0;
    /* both looking north from points 2 km apart east-west: parallel */
    assert_int_equal(fg_triangulate(39.4, 111.6, 0, 39.4, 111.623, 0, &lat, &lon), FG_EINVAL);
    /* NE and NW rays from points 4 km apart meet ahead; reversed, behind both */
    assert_int_equal(fg_triangulate(39.4, 111.6, 45, 39.4, 111.65, 315, &lat, &lon), FG_OK);
    assert_true(lat > 39.4);
    lat = lon = 0;
    assert_int_equal(fg_triangulate(39.4, 111.6, 225, 39.4, 111.65, 135, &lat, &lon), FG_EINVAL);
    assert_float_equal(lat, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(centre_column_looks_along_the_heading),
        cmocka_unit_test(row_of_known_depression_gives_height_over_tan),
        cmocka_unit_test(horizon_row_is_where_depression_is_zero),
        cmocka_unit_test(work_horizon_follows_the_frames_and_stays_in_the_frame),
        cmocka_unit_test(project_then_locate_returns_the_ground_point),
        cmocka_unit_test(points_behind_or_above_are_refused),
        cmocka_unit_test(range_band_is_open_ended_at_the_horizon),
        cmocka_unit_test(two_bearings_recover_a_known_point_within_1m),
        cmocka_unit_test(parallel_or_diverging_rays_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
