/* synth_camera.c — a synthetic tower-camera sequence: farmland, hills, drifting clouds, and one growing straw-smoke plume. */
/* SPDX-License-Identifier: MIT */
/*
 * One camera on a ridge 1.5–2.5 km from a village field looks roughly towards
 * it through the same pinhole-over-flat-ground model the detector inverts
 * (detect/camgeom.c). Thirty frames, one a minute from 08:00 UTC of day0
 * (16:00 Beijing time, the afternoon straw-burning hour); the field is lit at
 * minute 8.
 *
 * The scene is rendered in world coordinates so that perspective is right by
 * construction: every ground pixel is traced to its ground point (range from
 * the row, bearing from the column) and coloured by the field parcel there;
 * parcel detail fades where one pixel row spans more ground than a parcel is
 * wide (the ground footprint of a row is ≈ r²/(h·f) metres). Haze blends
 * toward the horizon colour as 1 − exp(−r / 9 km) (Koschmieder, visibility
 * ≈ 27 km). Clouds are placed in angle above the hill line and drift between
 * frames; they never reach below it. The plume is a vertical sheet at the
 * field's range: height grows as H(t) = Hmax(1 − e^(−t/τ)), opacity likewise,
 * width widens linearly with height (a buoyant plume's ~0.3 spreading rate,
 * Briggs), and the column bends downwind with height.
 *
 * Everything random comes from a splitmix64 generator seeded by o->seed, and
 * pixel noise from a hash of (seed, frame, pixel), so the files are
 * byte-identical for a seed.
 */
#include "imagery/imagery.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#define DEG (M_PI / 180.0)

#define CAM_W 1280
#define CAM_H 720
#define NFRAMES 30
#define IGNITION_MIN 8
#define START_SEC (8 * 3600)
#define NCLOUDS 3
#define JPEG_QUALITY 85
/* sites [0, 8) may be used by the thermal synthesiser */
#define FIRST_SITE 8

/* ------------------------------------------------------------ randomness */

/* three octaves */
static double fbm(uint64_t salt, double x, double y)
{
    return (0.5 * fg_value_noise(salt, x, y) + 0.3 * fg_value_noise(salt + 1, 2.03 * x, 2.03 * y) +
            0.2 * fg_value_noise(salt + 2, 4.1 * x, 4.1 * y));
}

static double clamp01(double v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

static double lerp(double a, double b, double t) { return a + (b - a) * t; }

/* ------------------------------------------------------------ the scene */

struct cloud {
    double bearing, elev;  /* centre (deg) at minute 0 */
    double hw, hh;         /* angular half-width, half-height (deg) */
    double drift;          /* deg of bearing per minute */
};

struct scene {
    fg_camera cam;
    double f;                      /* focal length (px) */
    double plume_lat, plume_lon;   /* plume base */
    double plume_r, plume_b;       /* range (m) and bearing (deg) from the camera */
    double bend;                   /* downwind lean: metres of drift per metre of rise (signed) */
    double hill_phase[2];
    double parcel_angle;           /* field strip orientation (rad) */
    double illum_phase;
    struct cloud cl[NCLOUDS];
    uint64_t salt;
    /* per column / row geometry */
    double *bearing;   /* deg, per column */
    double *hill_row;  /* row of the hill silhouette, per column */
    double *dep;       /* depression (rad) of the row centre */
    float *base;       /* static scene, RGB float */
};

/* Elevation (deg) of the distant hill line at a bearing: ridges 0.3–1.4°
 * above the horizon, fixed in the world so it does not move with the frame. */
static double hill_elev(const struct scene *sc, double b)
{
    return 0.3 + 0.35 * (1 + sin(9 * b * DEG + sc->hill_phase[0])) +
           0.2 * (1 + sin(23 * b * DEG + sc->hill_phase[1])) +
           0.08 * (fg_value_noise(sc->salt + 40, b * 0.8, 0.5) - 0.5);
}

/* Field parcel colours of an autumn harvest: stubble, bare soil, ploughed
 * soil, late green crop, straw left in windrows. */
static const double parcel_rgb[5][3] = {
    {186, 166, 112}, {146, 120, 88}, {108, 90, 72}, {98, 124, 72}, {204, 186, 132}};

static void render_static(struct scene *sc)
{
    const fg_camera *cam = &sc->cam;
    double yh = fg_camera_horizon_row(cam);
    double haze[3] = {196, 200, 204};
    double ca = cos(sc->parcel_angle), sa = sin(sc->parcel_angle);
    double avg[3] = {0, 0, 0};
    for (int t = 0; t < 5; t++)
        for (int k = 0; k < 3; k++)
            avg[k] += parcel_rgb[t][k] / 5;
    for (int y = 0; y < CAM_H; y++) {
        double dep = sc->dep[y];
        for (int x = 0; x < CAM_W; x++) {
            float *px = sc->base + ((size_t)y * CAM_W + x) * 3;
            double rgb[3];
            double yc = y + 0.5;
            if (yc < sc->hill_row[x]) {
                /* sky: pale near the horizon, deeper blue overhead */
                double el = -dep / DEG;
                double t = pow(clamp01(el / 30.0), 0.7);
                double sky0[3] = {206, 214, 224}, sky1[3] = {104, 146, 206};
                for (int k = 0; k < 3; k++)
                    rgb[k] = lerp(sky0[k], sky1[k], t);
            } else if (yc < yh) {
                /* far hills: aerial perspective makes them blue-grey */
                double t = clamp01((yc - sc->hill_row[x]) / fmax(1.0, yh - sc->hill_row[x]));
                double n = fg_value_noise(sc->salt + 41, x / 9.0, y / 5.0) - 0.5;
                double h0[3] = {150, 158, 166}, h1[3] = {128, 134, 130};
                for (int k = 0; k < 3; k++)
                    rgb[k] = lerp(h0[k], h1[k], t) + 10 * n;
            } else {
                /* flat fields: trace the pixel to its ground point */
                double r = cam->height_m / tan(dep);
                double b = sc->bearing[x] * DEG;
                double e = r * sin(b), nn = r * cos(b);
                double u = e * ca + nn * sa, v = -e * sa + nn * ca;
                int64_t iu = (int64_t)floor(u / 45.0), iv = (int64_t)floor(v / 320.0);
                int type = (int)(fg_hash01(sc->salt + 50, iu, iv) * 5);
                /* ground metres covered by one row: detail fades beyond a parcel */
                double foot = r * r / (cam->height_m * sc->f);
                double keep = clamp01(1.3 - foot / 60.0);
                /* harvest rows inside a parcel, 3 m apart, and soil texture */
                double rows = 0.5 + 0.5 * sin(2 * M_PI * u / 3.0);
                double tex = fbm(sc->salt + 51, u / 7.0, v / 7.0) - 0.5;
                double fine = fg_hash01(sc->salt + 52, x, y) - 0.5;
                double rowk = clamp01(1.0 - foot / 4.0);
                double hz = 1 - exp(-r / 9000.0);
                for (int k = 0; k < 3; k++) {
                    double c = lerp(avg[k], parcel_rgb[type][k], keep);
                    c *= 1 + 0.08 * rowk * (rows - 0.5) + 0.18 * tex * fmax(keep, 0.3);
                    c += 8 * fine;
                    rgb[k] = lerp(c, haze[k], hz);
                }
            }
            for (int k = 0; k < 3; k++)
                px[k] = (float)rgb[k];
        }
    }
}

/* Clouds: soft-edged, textured ellipses in (bearing, elevation), drawn over
 * sky pixels only, so they stay above the hill line (and the horizon). */
static void draw_clouds(const struct scene *sc, float *img, int minute)
{
    for (int y = 0; y < CAM_H; y++) {
        double el = -sc->dep[y] / DEG;
        for (int x = 0; x < CAM_W; x++) {
            if (y + 0.5 >= sc->hill_row[x])
                continue;
            float *px = img + ((size_t)y * CAM_W + x) * 3;
            for (int i = 0; i < NCLOUDS; i++) {
                const struct cloud *c = &sc->cl[i];
                double db = fmod(sc->bearing[x] - (c->bearing + c->drift * minute) + 540.0, 360.0) -
                            180.0;
                double de = el - c->elev;
                double q = (db / c->hw) * (db / c->hw) + (de / c->hh) * (de / c->hh);
                if (q >= 1)
                    continue;
                double n = fbm(sc->salt + 60 + (uint64_t)i * 7, db / 1.3 + 17 * i, de / 0.6);
                double a = clamp01((1 - q) * 2.2) * clamp01(0.2 + 1.3 * n) * 0.92;
                double t = clamp01(0.5 + 0.5 * de / c->hh); /* lit top, grey base */
                double top[3] = {246, 246, 248}, bot[3] = {192, 196, 204};
                for (int k = 0; k < 3; k++)
                    px[k] = (float)lerp(px[k], lerp(bot[k], top[k], t), a);
            }
        }
    }
}

/* The plume: a vertical sheet at the field's range. z = height above the
 * field of the sight line of a row at range r: z = h − r·tan(depression). */
static void draw_plume(const struct scene *sc, float *img, double tmin)
{
    if (tmin <= 0)
        return;
    /* a burning strip of stubble some 50 m long feeds the column */
    const double hmax = 300, tau_h = 3.5, amax = 0.9, tau_a = 1.6;
    double H = hmax * (1 - exp(-tmin / tau_h));
    double A = amax * (1 - exp(-tmin / tau_a));
    double r = sc->plume_r, h = sc->cam.height_m;
    for (int y = 0; y < CAM_H; y++) {
        double z = h - r * tan(sc->dep[y]);
        if (z < 0 || z > 1.1 * H)
            continue;
        double cx = sc->bend * z * z / (z + 60.0); /* bends over downwind */
        double w = 25.0 + 0.3 * z;                   /* half-width (m) */
        double ft = clamp01((H - z) / (0.3 * H));
        ft = ft * ft * (3 - 2 * ft);
        double fb = clamp01(z / 3.0);
        double light = clamp01(z / 60.0);
        for (int x = 0; x < CAM_W; x++) {
            double db = sc->bearing[x] - sc->plume_b;
            db = fmod(db + 540.0, 360.0) - 180.0;
            if (fabs(db) > 45)
                continue;
            double lx = r * tan(db * DEG);
            double g = (lx - cx) / w;
            if (fabs(g) > 3)
                continue;
            /* turbulent puffs rise at ~1 m/s between frames */
            double turb = fbm(sc->salt + 70, lx / 14.0, (z - 60.0 * tmin) / 14.0);
            double a = A * exp(-g * g) * ft * fb * (0.7 + 0.5 * turb);
            a = clamp01(a);
            /* straw smoke scatters sunlight: light grey over the fields,
             * a little darker and browner where it is densest at the base */
            double dark[3] = {180, 176, 170}, pale[3] = {220, 220, 223};
            float *px = img + ((size_t)y * CAM_W + x) * 3;
            for (int k = 0; k < 3; k++)
                px[k] = (float)lerp(px[k], lerp(dark[k], pale[k], light), a);
        }
    }
}

/* Per-frame light level (sun behind thin haze, auto-exposure hunting) and
 * sensor noise (σ ≈ 2 DN, triangular), then rounding to bytes. */
static void finish_frame(const struct scene *sc, const float *img, unsigned char *out,
                         int minute)
{
    double gain = 1 + 0.03 * sin(2 * M_PI * minute / 17.0 + sc->illum_phase) +
                  0.01 * (fg_hash01(sc->salt + 80, minute, 0) - 0.5);
    uint64_t fsalt = fg_mix64(sc->salt + 81 + (uint64_t)minute);
    for (size_t i = 0; i < (size_t)CAM_W * CAM_H; i++) {
        uint64_t hsh = fg_mix64(fsalt ^ (i * 0x9e3779b97f4a7c15ULL));
        for (int k = 0; k < 3; k++) {
            double u1 = (double)((hsh >> (k * 20)) & 0x3ff) / 1024.0;
            double u2 = (double)((hsh >> (k * 20 + 10)) & 0x3ff) / 1024.0;
            double v = img[3 * i + k] * gain + 2.0 * sqrt(6.0) * (u1 + u2 - 1.0);
            v = v < 0 ? 0 : v > 255 ? 255 : v;
            out[3 * i + k] = (unsigned char)lrint(v);
        }
    }
}

/* ------------------------------------------------------------ set-up */

/* Rounds a value the way cameras.csv writes it, so the frames are rendered
 * with exactly the geometry a reader of the registry gets back. */
static double as_written(const char *fmt, double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, fmt, v);
    return strtod(buf, NULL);
}

static int inside(const fg_synth_opts *o, double lat, double lon)
{
    if (!(o->east > o->west && o->north > o->south))
        return 1;
    return lat >= o->south && lat <= o->north && lon >= o->west && lon <= o->east;
}

static int setup_scene(struct scene *sc, const fg_synth_opts *o, size_t *site_idx)
{
    fg_rng r = {fg_mix64((uint64_t)o->seed ^ 0xca3e7a5eedULL)};
    size_t first = o->nsites > FIRST_SITE ? FIRST_SITE : 0;
    if (o->nsites > 2 * FIRST_SITE)
        first = o->nsites / 2;
    size_t idx = first + (size_t)(fg_rng_unit(&r) * (double)(o->nsites - first));
    if (idx >= o->nsites)
        idx = o->nsites - 1;
    *site_idx = idx;
    const fg_synth_site *site = &o->sites[idx];
    sc->plume_lat = site->lat;
    sc->plume_lon = site->lon;

    /* a ridge 1.5–2.5 km away, inside the county when the extent allows */
    double dist = fg_rng_range(&r, 1500, 2500), clat = 0, clon = 0;
    for (int tries = 0; tries < 24; tries++) {
        double back = fg_rng_range(&r, 0, 360);
        fg_geo_destination(site->lat, site->lon, back, dist, &clat, &clon);
        if (inside(o, clat, clon))
            break;
    }
    fg_camera *cam = &sc->cam;
    memset(cam, 0, sizeof *cam);
    snprintf(cam->id, sizeof cam->id, "CAM-01");
    cam->lat = as_written("%.7f", clat);
    cam->lon = as_written("%.7f", clon);
    cam->height_m = as_written("%.1f", fg_rng_range(&r, 80, 100));
    cam->tilt_deg = as_written("%.2f", fg_rng_range(&r, 2.0, 3.0));
    cam->hfov_deg = 60;
    cam->width = CAM_W;
    cam->height = CAM_H;
    /* aim near the field, a few degrees off so the plume is not dead centre */
    double off = fg_rng_range(&r, 4, 8) * (fg_rng_unit(&r) < 0.5 ? -1 : 1);
    double head = fg_geo_bearing(cam->lat, cam->lon, site->lat, site->lon) + off;
    head = fmod(head + 360.0, 360.0);
    cam->heading_deg = as_written("%.2f", head);
    if (cam->heading_deg >= 360)
        cam->heading_deg = 0;
    sc->f = 0.5 * CAM_W / tan(0.5 * cam->hfov_deg * DEG);
    sc->plume_r = fg_geo_distance(cam->lat, cam->lon, site->lat, site->lon);
    sc->plume_b = fg_geo_bearing(cam->lat, cam->lon, site->lat, site->lon);

    sc->bend = fg_rng_range(&r, 0.5, 0.9) * (fg_rng_unit(&r) < 0.5 ? -1 : 1);
    sc->hill_phase[0] = fg_rng_range(&r, 0, 2 * M_PI);
    sc->hill_phase[1] = fg_rng_range(&r, 0, 2 * M_PI);
    sc->parcel_angle = fg_rng_range(&r, 0, M_PI);
    sc->illum_phase = fg_rng_range(&r, 0, 2 * M_PI);
    sc->salt = fg_rng_next(&r);
    /* clouds: bottoms at least 2.2° above the horizon, above the hill line
     * (≤ 1.4°); all drift the same way with the wind aloft */
    double drift = fg_rng_range(&r, 0.3, 0.6) * (fg_rng_unit(&r) < 0.5 ? -1 : 1);
    for (int i = 0; i < NCLOUDS; i++) {
        struct cloud *c = &sc->cl[i];
        c->hw = fg_rng_range(&r, 4, 8);
        c->hh = fg_rng_range(&r, 1.0, 1.8);
        c->elev = c->hh + fg_rng_range(&r, 2.2, 6.0);
        c->bearing = cam->heading_deg + fg_rng_range(&r, -28, 28);
        c->drift = drift * fg_rng_range(&r, 0.8, 1.2);
    }
    return FG_OK;
}

static int write_registry(const char *path, const fg_camera *cam, fg_ctx *ctx)
{
    fg_tmpfile out;
    int rc = fg_tmpfile_open(&out, path, "w", ctx);
    if (rc != FG_OK)
        return rc;
    FILE *f = out.f;
    fprintf(f, "camera_id,lon,lat,height_m,heading_deg,hfov_deg,tilt_deg,width,height\n");
    fprintf(f, "%s,%.7f,%.7f,%.1f,%.2f,%.1f,%.2f,%d,%d\n", cam->id, cam->lon, cam->lat,
            cam->height_m, cam->heading_deg, cam->hfov_deg, cam->tilt_deg, cam->width,
            cam->height);
    return fg_tmpfile_commit(&out, ctx);
}

int fg_synth_camera(const char *dir, const fg_synth_opts *o, fg_truth **truth, size_t *ntruth,
                    fg_ctx *ctx)
{
    if (!dir || !o || !truth || !ntruth)
        return fg_ctx_set(ctx, FG_EINVAL, "synth camera: missing folder, options or truth");
    if (!o->sites || o->nsites == 0)
        return fg_ctx_set(ctx, FG_EINVAL, "synth camera: no sites to plant a plume in");
    struct scene sc;
    memset(&sc, 0, sizeof sc);
    size_t site_idx = 0;
    int rc = setup_scene(&sc, o, &site_idx);
    if (rc != FG_OK)
        return rc;

    char path[4096], fdir[4096];
    int n1 = snprintf(fdir, sizeof fdir, "%s/frames/%s", dir, sc.cam.id);
    if (n1 < 0 || (size_t)n1 >= sizeof fdir - 32)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: path too long", dir);
    snprintf(path, sizeof path, "%s/frames", dir);
    if ((rc = fg_mkdir_p(dir, ctx)) != FG_OK || (rc = fg_mkdir_p(path, ctx)) != FG_OK ||
        (rc = fg_mkdir_p(fdir, ctx)) != FG_OK)
        return rc;

    size_t np = (size_t)CAM_W * CAM_H;
    sc.bearing = fg_malloc(CAM_W * sizeof(double));
    sc.hill_row = fg_malloc(CAM_W * sizeof(double));
    sc.dep = fg_malloc(CAM_H * sizeof(double));
    sc.base = fg_malloc(np * 3 * sizeof(float));
    float *img = fg_malloc(np * 3 * sizeof(float));
    fg_raster out;
    memset(&out, 0, sizeof out);
    if (!sc.bearing || !sc.hill_row || !sc.dep || !sc.base || !img) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "synth camera: out of memory");
        goto done;
    }
    if ((rc = fg_raster_alloc(&out, CAM_W, CAM_H, 3, FG_PIX_U8, 0, ctx)) != FG_OK)
        goto done;
    for (int x = 0; x < CAM_W; x++) {
        sc.bearing[x] = fg_camera_bearing(&sc.cam, x + 0.5);
        double e = hill_elev(&sc, sc.bearing[x] - sc.cam.heading_deg);
        sc.hill_row[x] = 0.5 * CAM_H - sc.f * tan((e + sc.cam.tilt_deg) * DEG);
    }
    for (int y = 0; y < CAM_H; y++)
        sc.dep[y] = sc.cam.tilt_deg * DEG + atan((y + 0.5 - 0.5 * CAM_H) / sc.f);
    render_static(&sc);

    snprintf(path, sizeof path, "%s/cameras.csv", dir);
    if ((rc = write_registry(path, &sc.cam, ctx)) != FG_OK)
        goto done;

    int64_t t0 = o->day0_utc + START_SEC;
    for (int m = 0; m < NFRAMES; m++) {
        memcpy(img, sc.base, np * 3 * sizeof(float));
        draw_clouds(&sc, img, m);
        draw_plume(&sc, img, (double)(m - IGNITION_MIN));
        finish_frame(&sc, img, out.data, m);
        int len = snprintf(path, sizeof path, "%s/%lld.jpg", fdir, (long long)(t0 + 60 * m));
        if (len < 0 || (size_t)len >= sizeof path) {
            rc = fg_ctx_set(ctx, FG_EINVAL, "%s: path too long", fdir);
            goto done;
        }
        if ((rc = fg_jpeg_write(path, &out, JPEG_QUALITY, ctx)) != FG_OK)
            goto done;
    }

    /* truth: the plume, then each cloud */
    fg_truth *nt = fg_realloc(*truth, (*ntruth + 1 + NCLOUDS) * sizeof **truth);
    if (!nt) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "synth camera: out of memory for truth records");
        goto done;
    }
    *truth = nt;
    fg_truth *t = nt + *ntruth;
    memset(t, 0, (1 + NCLOUDS) * sizeof *t);
    const fg_synth_site *site = &o->sites[site_idx];
    snprintf(t[0].kind, sizeof t[0].kind, "plume");
    snprintf(t[0].source, sizeof t[0].source, "%s", sc.cam.id);
    t[0].t_start = t0 + 60 * IGNITION_MIN;
    t[0].t_end = t0 + 60 * (NFRAMES - 1);
    t[0].lat = sc.plume_lat;
    t[0].lon = sc.plume_lon;
    t[0].radius_m = 100;
    snprintf(t[0].township_code, sizeof t[0].township_code, "%s", site->township_code);
    snprintf(t[0].village_code, sizeof t[0].village_code, "%s", site->village_code);
    for (int i = 0; i < NCLOUDS; i++) {
        fg_truth *c = &t[1 + i];
        snprintf(c->kind, sizeof c->kind, "cloud");
        snprintf(c->source, sizeof c->source, "%s", sc.cam.id);
        c->t_start = t0;
        c->t_end = t0 + 60 * (NFRAMES - 1);
        c->lat = c->lon = NAN; /* clouds have no ground position */
    }
    *ntruth += 1 + NCLOUDS;

done:
    fg_raster_release(&out);
    fg_free(img);
    fg_free(sc.base);
    fg_free(sc.dep);
    fg_free(sc.hill_row);
    fg_free(sc.bearing);
    return rc;
}
