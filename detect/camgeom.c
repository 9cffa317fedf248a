/* camgeom.c — pinhole camera over flat ground: column ↔ bearing, row ↔ range, two-ray triangulation. */
/* SPDX-License-Identifier: MIT */
/*
 * Model (detect.h "camera geometry"): square pixels, principal point at the
 * image centre (W/2, H/2), focal length f = (W/2) / tan(hfov/2) in pixels.
 * The model is separable, as tower-camera localisation usually assumes for
 * small tilts: the column alone gives the bearing,
 *     bearing(x) = heading + atan((x − W/2) / f),
 * and the row alone gives the depression below the horizontal,
 *     depression(y) = tilt + atan((y − H/2) / f).
 * A point on flat ground at depression δ > 0 seen from a lens height h lies at
 * ground range r = h / tan δ; the horizon is the row where δ = 0. Earth
 * curvature is ignored: at 5 km it lowers the ground by r²/2R ≈ 2 m, well
 * inside the range band a ±1 row error already gives.
 */
#include "detect/detect.h"

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define DEG (M_PI / 180.0)

static double focal_px(const fg_camera *cam)
{
    return 0.5 * cam->width / tan(0.5 * cam->hfov_deg * DEG);
}

static double wrap360(double a)
{
    a = fmod(a, 360.0);
    if (a < 0)
        a += 360.0;
    return a;
}

/* Depression (rad) of row y below the horizontal. */
static double depression(const fg_camera *cam, double y)
{
    return cam->tilt_deg * DEG + atan((y - 0.5 * cam->height) / focal_px(cam));
}

double fg_camera_bearing(const fg_camera *cam, double x)
{
    if (!cam || cam->width <= 0 || !(cam->hfov_deg > 0 && cam->hfov_deg < 180))
        return NAN;
    return wrap360(cam->heading_deg + atan((x - 0.5 * cam->width) / focal_px(cam)) / DEG);
}

double fg_camera_range(const fg_camera *cam, double y)
{
    if (!cam || cam->width <= 0 || cam->height <= 0 || !(cam->height_m > 0) ||
        !(cam->hfov_deg > 0 && cam->hfov_deg < 180))
        return NAN;
    double d = depression(cam, y);
    if (!(d > 0) || d >= 0.5 * M_PI)
        return NAN;
    return cam->height_m / tan(d);
}

double fg_camera_horizon_row(const fg_camera *cam)
{
    if (!cam || cam->width <= 0 || !(cam->hfov_deg > 0 && cam->hfov_deg < 180))
        return NAN;
    /* depression 0 ⇔ atan((y − H/2)/f) = −tilt */
    return 0.5 * cam->height - focal_px(cam) * tan(cam->tilt_deg * DEG);
}

double fg_camera_work_horizon(const fg_camera *cam, int full_w, int full_h, int work_h)
{
    if (!cam || full_h <= 0)
        return NAN;
    fg_camera geo = *cam;
    geo.width = full_w;
    geo.height = full_h;
    double hr = fg_camera_horizon_row(&geo) * work_h / (double)full_h;
    return hr < 0 ? 0 : hr > work_h ? work_h : hr;
}

int fg_camera_project(const fg_camera *cam, double lat, double lon, double *x, double *y)
{
    if (!cam || !x || !y || cam->width <= 0 || cam->height <= 0 || !(cam->height_m > 0) ||
        !(cam->hfov_deg > 0 && cam->hfov_deg < 180) || !isfinite(lat) || !isfinite(lon))
        return FG_EINVAL;
    double d = fg_geo_distance(cam->lat, cam->lon, lat, lon);
    if (!(d > 0))
        return FG_EINVAL; /* directly below the lens: no bearing */
    double rel = wrap360(fg_geo_bearing(cam->lat, cam->lon, lat, lon) - cam->heading_deg);
    if (rel > 180.0)
        rel -= 360.0;
    if (fabs(rel) >= 89.0)
        return FG_EINVAL; /* behind or beside the image plane */
    double off = atan(cam->height_m / d) - cam->tilt_deg * DEG; /* angle below the axis */
    if (fabs(off) >= 89.0 * DEG)
        return FG_EINVAL;
    double f = focal_px(cam);
    *x = 0.5 * cam->width + f * tan(rel * DEG);
    *y = 0.5 * cam->height + f * tan(off);
    return FG_OK;
}

int fg_camera_locate(const fg_camera *cam, double x, double y, double dy, double *lat,
                     double *lon, double *range_m, double *range_min_m, double *range_max_m)
{
    if (!cam || !lat || !lon)
        return FG_EINVAL;
    double r = fg_camera_range(cam, y);
    double b = fg_camera_bearing(cam, x);
    if (!isfinite(r) || !isfinite(b))
        return FG_EINVAL;
    dy = fabs(dy);
    /* Lower rows are nearer. A row above the horizon is an unbounded far end. */
    double rmin = fg_camera_range(cam, y + dy);
    double rmax = fg_camera_range(cam, y - dy);
    if (!isfinite(rmin))
        rmin = r;
    if (!isfinite(rmax))
        rmax = INFINITY;
    fg_geo_destination(cam->lat, cam->lon, b, r, lat, lon);
    if (range_m)
        *range_m = r;
    if (range_min_m)
        *range_min_m = rmin;
    if (range_max_m)
        *range_max_m = rmax;
    return FG_OK;
}

/* Unit vector of a point on the sphere, and the local east/north unit vectors. */
static void sphere_frame(double lat, double lon, double p[3], double e[3], double n[3])
{
    double cl = cos(lat * DEG), sl = sin(lat * DEG), co = cos(lon * DEG), so = sin(lon * DEG);
    p[0] = cl * co, p[1] = cl * so, p[2] = sl;
    e[0] = -so, e[1] = co, e[2] = 0;
    n[0] = -sl * co, n[1] = -sl * so, n[2] = cl;
}

static void cross3(const double a[3], const double b[3], double c[3])
{
    c[0] = a[1] * b[2] - a[2] * b[1];
    c[1] = a[2] * b[0] - a[0] * b[2];
    c[2] = a[0] * b[1] - a[1] * b[0];
}

static double dot3(const double a[3], const double b[3])
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

int fg_triangulate(double lat1, double lon1, double bearing1_deg, double lat2, double lon2,
                   double bearing2_deg, double *lat, double *lon)
{
    if (!lat || !lon || !isfinite(lat1) || !isfinite(lon1) || !isfinite(bearing1_deg) ||
        !isfinite(lat2) || !isfinite(lon2) || !isfinite(bearing2_deg))
        return FG_EINVAL;
    /* Each bearing ray is an arc of the great circle through the camera with
     * direction d = sin β·east + cos β·north; its plane has normal p × d. Two
     * great circles meet at ±(N1 × N2)/|N1 × N2|. Solving on the sphere itself
     * rather than on a tangent plane keeps this exact with fg_geo_bearing and
     * fg_geo_destination (same sphere), at no extra cost. */
    double p1[3], e1[3], n1[3], p2[3], e2[3], n2[3], d1[3], d2[3], c1[3], c2[3], x[3];
    sphere_frame(lat1, lon1, p1, e1, n1);
    sphere_frame(lat2, lon2, p2, e2, n2);
    double s1 = sin(bearing1_deg * DEG), k1 = cos(bearing1_deg * DEG);
    double s2 = sin(bearing2_deg * DEG), k2 = cos(bearing2_deg * DEG);
    for (int i = 0; i < 3; i++) {
        d1[i] = s1 * e1[i] + k1 * n1[i];
        d2[i] = s2 * e2[i] + k2 * n2[i];
    }
    cross3(p1, d1, c1);
    cross3(p2, d2, c2);
    cross3(c1, c2, x);
    double len = sqrt(dot3(x, x));
    /* |N1 × N2| is the sine of the crossing angle: under 1° a bearing error of
     * 0.1° moves the fix by more than its own range, so refuse. */
    if (len < sin(1.0 * DEG))
        return FG_EINVAL;
    for (int i = 0; i < 3; i++)
        x[i] /= len;
    /* of the two antipodal crossings take the near one (within 90° of arc of
     * camera 1); it must lie ahead of both cameras, not behind or at a lens */
    if (dot3(x, p1) < 0)
        for (int i = 0; i < 3; i++)
            x[i] = -x[i];
    if (!(dot3(x, p2) > 0) || !(dot3(x, d1) > 1e-12) || !(dot3(x, d2) > 1e-12))
        return FG_EINVAL;
    *lat = asin(fmax(-1.0, fmin(1.0, x[2]))) / DEG;
    *lon = atan2(x[1], x[0]) / DEG;
    return FG_OK;
}
