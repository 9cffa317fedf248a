/* synth_thermal.c — deterministic synthetic MIR/TIR satellite scenes with planted fires (Planck physics). */
/* SPDX-License-Identifier: MIT */
/*
 * Two scenes of the sample day over the county plus a 10 km margin, gridded in
 * UTM zone 49N: a MODIS-like 1 km day pass (~05:40 UTC, 13:40 local) and a
 * VIIRS-like 375 m night pass (~18:10 UTC). Each holds a smooth land-surface
 * temperature field with sensor noise, sub-pixel fires at village sites, a
 * cold cloud, the registered industrial heat source and (day only) a
 * sun-heated bare field built to reach the potential-fire screen of MOD14
 * without being fire.
 *
 * Physics, kept simple:
 *  - A pixel sees the area-weighted radiance of its parts, L = f·B(Tf) + (1 − f)·B(Tb),
 *    in each band (fg_planck_mixed_bt); the atmosphere is ignored.
 *  - Hot objects are much smaller than a pixel and are spread along scan by a
 *    triangular response one pixel wide at half maximum — the along-scan
 *    point-spread function of a whisk-broom scanner such as MODIS (Wolfe et al.
 *    2002, RSE 83:31). A fire at the pixel centre stays in one pixel; one on a
 *    pixel edge lands half in each neighbour.
 *  - VIIRS I4 saturates at 367 K (Schroeder et al. 2014, RSE 143:85), so the
 *    night scene clips its MIR band there, as the instrument does.
 *  - By day the 3.9 µm band adds reflected sunlight: T4 ≈ T11 + 5.5..7.5 K (so that
 *    the warm field below always reaches the potential-fire screen). At night
 *    T4 ≈ T11 ± 1 K.
 */
#include "imagery/imagery.h"

#include <errno.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define UTM49N_EPSG 32649
#define MARGIN_M 10000.0   /* scene extent = county + this on every side */
#define MIN_SPACING_M 5000.0 /* planted objects keep at least this far apart */
#define NOISE_K 0.3        /* sensor noise (1 σ) in each band */
#define MAX_SIDE 4096      /* refuse absurd extents */

static const double k_pi = 3.14159265358979323846;

/* ------------------------------------------------- temperature fields */

/* A smooth field: base + a few plane waves + a linear gradient, in metres
 * relative to the scene centre. */
typedef struct wave {
    double kx, ky, phase, amp;
} wave;

typedef struct smooth_field {
    double base, gx, gy;
    int nw;
    wave w[4];
} smooth_field;

static void field_init(smooth_field *f, fg_rng *r, double base, int nw, double amp_min,
                       double amp_max, double grad_k_per_km)
{
    memset(f, 0, sizeof *f);
    f->base = base;
    f->nw = nw;
    for (int i = 0; i < nw; i++) {
        double lambda = fg_rng_range(r, 15000.0, 60000.0); /* wavelength, m */
        double dir = fg_rng_range(r, 0.0, 2.0 * k_pi);
        f->w[i].kx = 2.0 * k_pi / lambda * cos(dir);
        f->w[i].ky = 2.0 * k_pi / lambda * sin(dir);
        f->w[i].phase = fg_rng_range(r, 0.0, 2.0 * k_pi);
        f->w[i].amp = fg_rng_range(r, amp_min, amp_max);
    }
    double gdir = fg_rng_range(r, 0.0, 2.0 * k_pi);
    f->gx = grad_k_per_km / 1000.0 * cos(gdir);
    f->gy = grad_k_per_km / 1000.0 * sin(gdir);
}

static double field_at(const smooth_field *f, double x, double y)
{
    double v = f->base + f->gx * x + f->gy * y;
    for (int i = 0; i < f->nw; i++)
        v += f->w[i].amp * sin(f->w[i].kx * x + f->w[i].ky * y + f->w[i].phase);
    return v;
}

/* ------------------------------------------------------------ scenes */

typedef struct scene_spec {
    const char *sensor;
    int64_t offset_s;        /* acquisition time after 00:00 UTC */
    double pixel_m;
    double mir_um, tir_um;   /* band centres */
    int day;
    int nfires;
    double area_min, area_max; /* fire area range, m² */
    double min_share_m2;     /* fire area the brightest pixel must hold to be detectable */
    double mir_saturation_k; /* 0 = none within our range */
    /* T11 field (K) and the T4 − T11 offset field */
    double t11_base, t11_amp_min, t11_amp_max, t11_grad;
    double off_base, off_amp_min, off_amp_max;
} scene_spec;

/* The detectable shares come from Planck: at 1 km by day ~700 m² at 800 K lifts
 * T4 by ~20 K over a ~300 K background (past 310 K and ΔT + 6); at 375 m by night
 * ~150 m² lifts T4 from ~275 K to ~330 K. Fires are drawn in the requested range
 * and enlarged up to its maximum when the PSF split would leave less. */
static const scene_spec k_specs[] = {
    {"SYNTH-MODIS-TERRA", 5 * 3600 + 40 * 60, 1000.0, 3.959, 11.03, 1, 4, 800.0, 3000.0, 700.0,
     0.0, 292.5, 0.6, 1.25, 0.03, 6.5, 0.25, 0.5},
    {"SYNTH-VIIRS-NPP", 18 * 3600 + 10 * 60, 375.0, 3.74, 11.45, 0, 2, 200.0, 1500.0, 150.0,
     367.0, 275.0, 0.4, 0.9, 0.02, 0.0, 0.2, 0.45},
};

enum { OBJ_FIRE, OBJ_INDUSTRIAL, OBJ_CLOUD, OBJ_WARM };

typedef struct object {
    int kind;
    double lat, lon; /* WGS84 */
    double x, y;     /* UTM 49N */
    double radius_m, area_m2, temp_k;
    double shape[4]; /* cloud: outline harmonics; warm field: side, T4, T11 */
    const fg_synth_site *site;
} object;

/* Everything one call works with. */
typedef struct synth {
    const fg_synth_opts *o;
    OGRCoordinateTransformationH to_utm;
    fg_rng r;
    int *order;     /* shuffled site indices */
    int *used;      /* per site: already planted in an earlier scene */
    fg_ctx *ctx;
} synth;

static int to_utm(const synth *s, double lat, double lon, double *x, double *y)
{
    double xs = lon, ys = lat;
    if (!OCTTransform(s->to_utm, 1, &xs, &ys, NULL))
        return fg_ctx_set(s->ctx, FG_EINVAL, "synth_thermal: cannot project %.5f,%.5f to UTM 49N",
                          lat, lon);
    *x = xs;
    *y = ys;
    return FG_OK;
}

static int inside_county(const fg_synth_opts *o, double lat, double lon, double inset_m)
{
    double dlat = inset_m / 111195.0, dlon = inset_m / (111195.0 * cos(lat * k_pi / 180.0));
    return lat >= o->south + dlat && lat <= o->north - dlat && lon >= o->west + dlon &&
           lon <= o->east - dlon;
}

/* Distance an object claims around itself when others are placed. */
static double reach(const object *b)
{
    return b->kind == OBJ_CLOUD || b->kind == OBJ_WARM ? b->radius_m : 0.0;
}

static int far_from_all(const object *objs, int n, double lat, double lon, double radius_m)
{
    for (int i = 0; i < n; i++)
        if (fg_geo_distance(lat, lon, objs[i].lat, objs[i].lon) <
            MIN_SPACING_M + radius_m + reach(&objs[i]))
            return 0;
    return 1;
}

/* Picks up to want fire sites for one scene, in the seed's shuffled order,
 * preferring sites no earlier scene used; returns how many were planted. */
static int pick_fire_sites(synth *s, object *objs, int n, int want)
{
    const fg_synth_opts *o = s->o;
    int got = 0;
    for (int pass = 0; pass < 2 && got < want; pass++)
        for (size_t k = 0; k < o->nsites && got < want; k++) {
            int i = s->order[k];
            const fg_synth_site *st = &o->sites[i];
            if ((pass == 0 && s->used[i]) || (pass == 1 && !s->used[i]))
                continue;
            if (!inside_county(o, st->lat, st->lon, 0.0) ||
                !far_from_all(objs, n + got, st->lat, st->lon, 0.0))
                continue;
            object *b = &objs[n + got];
            memset(b, 0, sizeof *b);
            b->kind = OBJ_FIRE;
            b->lat = st->lat;
            b->lon = st->lon;
            b->site = st;
            s->used[i] = 1;
            got++;
        }
    return got;
}

/* Places a cloud or warm field at a random spot of the county clear of the rest. */
static int place_blob(synth *s, object *objs, int n, int kind, double radius_m)
{
    const fg_synth_opts *o = s->o;
    for (int attempt = 0; attempt < 5000; attempt++) {
        double lat = fg_rng_range(&s->r, o->south, o->north);
        double lon = fg_rng_range(&s->r, o->west, o->east);
        if (!inside_county(o, lat, lon, radius_m + 1000.0) ||
            !far_from_all(objs, n, lat, lon, radius_m))
            continue;
        object *b = &objs[n];
        memset(b, 0, sizeof *b);
        b->kind = kind;
        b->lat = lat;
        b->lon = lon;
        b->radius_m = radius_m;
        return FG_OK;
    }
    return fg_ctx_set(s->ctx, FG_EINVAL, "synth_thermal: no room for a %s %.0f m wide at least "
                      "%.0f m from the other %d objects inside the county extent",
                      kind == OBJ_CLOUD ? "cloud" : "warm field", 2 * radius_m, MIN_SPACING_M, n);
}

/* Raster geometry of one scene. */
typedef struct grid {
    double x0, y0, px; /* top-left corner, pixel size */
    int w, h;
} grid;

static int scene_grid(const synth *s, double px, grid *g)
{
    const fg_synth_opts *o = s->o;
    double minx = INFINITY, maxx = -INFINITY, miny = INFINITY, maxy = -INFINITY;
    /* The county box is curved in UTM: sample its edges, not just the corners. */
    for (int i = 0; i <= 8; i++)
        for (int side = 0; side < 4; side++) {
            double t = i / 8.0, lat, lon;
            switch (side) {
            case 0: lat = o->south; lon = o->west + t * (o->east - o->west); break;
            case 1: lat = o->north; lon = o->west + t * (o->east - o->west); break;
            case 2: lon = o->west; lat = o->south + t * (o->north - o->south); break;
            default: lon = o->east; lat = o->south + t * (o->north - o->south); break;
            }
            double x = 0, y = 0;
            int rc = to_utm(s, lat, lon, &x, &y);
            if (rc != FG_OK)
                return rc;
            minx = fmin(minx, x);
            maxx = fmax(maxx, x);
            miny = fmin(miny, y);
            maxy = fmax(maxy, y);
        }
    g->px = px;
    g->x0 = floor((minx - MARGIN_M) / px) * px;
    g->y0 = ceil((maxy + MARGIN_M) / px) * px;
    double x1 = ceil((maxx + MARGIN_M) / px) * px, y1 = floor((miny - MARGIN_M) / px) * px;
    double w = (x1 - g->x0) / px, h = (g->y0 - y1) / px;
    if (!(w >= 1 && h >= 1 && w <= MAX_SIDE && h <= MAX_SIDE))
        return fg_ctx_set(s->ctx, FG_ELIMIT, "synth_thermal: county extent gives a %.0fx%.0f "
                          "scene at %.0f m (limit %d per side)", w, h, px, MAX_SIDE);
    g->w = (int)lround(w);
    g->h = (int)lround(h);
    return FG_OK;
}

/* Area of the overlap of two intervals. */
static double overlap(double a0, double a1, double b0, double b1)
{
    double lo = fmax(a0, b0), hi = fmin(a1, b1);
    return hi > lo ? hi - lo : 0.0;
}

/* Spreads a point-like hot object over the pixel holding it and its along-scan
 * neighbour: triangular PSF, weight 1 − |u| and |u| for an offset u (pixels)
 * from the pixel centre. */
static void psf_split(const grid *g, double x, double y, int *row, int *col, int *col2,
                      double *w_own)
{
    double fc = (x - g->x0) / g->px, fr = (g->y0 - y) / g->px;
    *col = (int)floor(fc);
    *row = (int)floor(fr);
    double u = fc - (*col + 0.5);
    *w_own = 1.0 - fabs(u);
    *col2 = u >= 0.0 ? *col + 1 : *col - 1;
}

static void mix_px(fg_raster *band, int r, int c, double um, double frac, double hot_k)
{
    if (r < 0 || c < 0 || r >= band->height || c >= band->width || frac <= 0.0)
        return;
    float *p = (float *)band->data + (size_t)r * band->stride + (size_t)c;
    *p = (float)fg_planck_mixed_bt(um, frac > 1.0 ? 1.0 : frac, hot_k, *p);
}

/* Renders one scene into mir/tir. Objects must have x, y set. */
static void render(synth *s, const scene_spec *sp, const grid *g, object *objs, int n,
                   fg_raster *mir, fg_raster *tir)
{
    smooth_field t11f, offf;
    field_init(&t11f, &s->r, sp->t11_base, sp->day ? 4 : 3, sp->t11_amp_min, sp->t11_amp_max,
               sp->t11_grad);
    field_init(&offf, &s->r, sp->off_base, 2, sp->off_amp_min, sp->off_amp_max, 0.0);
    double cx = g->x0 + g->w * g->px / 2, cy = g->y0 - g->h * g->px / 2;

    /* land surface */
    for (int r = 0; r < g->h; r++)
        for (int c = 0; c < g->w; c++) {
            double x = g->x0 + (c + 0.5) * g->px - cx, y = g->y0 - (r + 0.5) * g->px - cy;
            double t11 = field_at(&t11f, x, y);
            ((float *)tir->data)[(size_t)r * tir->stride + c] = (float)t11;
            ((float *)mir->data)[(size_t)r * mir->stride + c] = (float)(t11 + field_at(&offf, x, y));
        }

    for (int i = 0; i < n; i++) {
        object *b = &objs[i];
        if (b->kind == OBJ_WARM) {
            /* A sun-heated bare field: its T4 is set to 320–325 K and its ΔT to the
             * surrounding ΔT + 4.5 K — past MOD14's potential-fire screen (T4 > 310,
             * ΔT > 10) but short of contextual test (3), ΔT > mean ΔT + 6. */
            double bx = b->x - cx, by = b->y - cy;
            double bgoff = field_at(&offf, bx, by);
            double side = b->shape[0];
            b->shape[1] = fg_rng_range(&s->r, 320.0, 325.0);
            b->shape[2] = b->shape[1] - bgoff - 4.5;
            for (int r = 0; r < g->h; r++)
                for (int c = 0; c < g->w; c++) {
                    double px0 = g->x0 + c * g->px, py1 = g->y0 - r * g->px;
                    double a = overlap(px0, px0 + g->px, b->x - side / 2, b->x + side / 2) *
                               overlap(py1 - g->px, py1, b->y - side / 2, b->y + side / 2);
                    if (a > 0.0) {
                        double f = a / (g->px * g->px);
                        mix_px(mir, r, c, sp->mir_um, f, b->shape[1]);
                        mix_px(tir, r, c, sp->tir_um, f, b->shape[2]);
                    }
                }
        } else if (b->kind == OBJ_FIRE || b->kind == OBJ_INDUSTRIAL) {
            int r, c, c2;
            double w_own;
            psf_split(g, b->x, b->y, &r, &c, &c2, &w_own);
            double pa = g->px * g->px;
            mix_px(mir, r, c, sp->mir_um, b->area_m2 * w_own / pa, b->temp_k);
            mix_px(tir, r, c, sp->tir_um, b->area_m2 * w_own / pa, b->temp_k);
            mix_px(mir, r, c2, sp->mir_um, b->area_m2 * (1.0 - w_own) / pa, b->temp_k);
            mix_px(tir, r, c2, sp->tir_um, b->area_m2 * (1.0 - w_own) / pa, b->temp_k);
        }
    }

    /* Clouds lie over everything. Cloud-top T11 240–260 K; by day the 3.9 µm
     * band sees a little reflected sunlight, at night it is a touch colder. The
     * outline is a circle with two random harmonics; the edge fades over the
     * outer 40 % of the radius, mixed in radiance like any sub-pixel part. */
    for (int i = 0; i < n; i++) {
        object *b = &objs[i];
        if (b->kind != OBJ_CLOUD)
            continue;
        double tc11 = b->temp_k, tc4 = tc11 + (sp->day ? 2.0 : -1.0);
        double r0 = b->radius_m / 1.25;
        for (int r = 0; r < g->h; r++)
            for (int c = 0; c < g->w; c++) {
                double dx = g->x0 + (c + 0.5) * g->px - b->x, dy = g->y0 - (r + 0.5) * g->px - b->y;
                double th = atan2(dy, dx), d = hypot(dx, dy);
                double rr = r0 * (1.0 + 0.15 * sin(2 * th + b->shape[0]) + 0.1 * sin(3 * th + b->shape[1]));
                double f = d <= 0.6 * rr ? 1.0 : d >= rr ? 0.0
                                                          : 0.5 * (1.0 + cos(k_pi * (d - 0.6 * rr) / (0.4 * rr)));
                if (f > 0.0) {
                    mix_px(mir, r, c, sp->mir_um, f, tc4);
                    mix_px(tir, r, c, sp->tir_um, f, tc11);
                }
            }
    }

    /* sensor noise, then the MIR saturation of the instrument */
    for (int r = 0; r < g->h; r++)
        for (int c = 0; c < g->w; c++) {
            float *p4 = (float *)mir->data + (size_t)r * mir->stride + c;
            float *p11 = (float *)tir->data + (size_t)r * tir->stride + c;
            *p4 = (float)(*p4 + NOISE_K * fg_rng_gauss(&s->r));
            *p11 = (float)(*p11 + NOISE_K * fg_rng_gauss(&s->r));
            if (sp->mir_saturation_k > 0.0 && *p4 > sp->mir_saturation_k)
                *p4 = (float)sp->mir_saturation_k;
        }
}

static void truth_of(const object *b, const char *source, int64_t t, fg_truth *tr)
{
    static const char *const names[] = {"fire", "industrial", "cloud", "warm_field"};
    memset(tr, 0, sizeof *tr);
    snprintf(tr->kind, sizeof tr->kind, "%s", names[b->kind]);
    snprintf(tr->source, sizeof tr->source, "%s", source);
    tr->t_start = tr->t_end = t;
    tr->lat = b->lat;
    tr->lon = b->lon;
    tr->radius_m = b->radius_m;
    if (b->kind == OBJ_FIRE || b->kind == OBJ_INDUSTRIAL) {
        tr->area_m2 = b->area_m2;
        tr->temp_k = b->temp_k;
    }
    if (b->site) {
        snprintf(tr->township_code, sizeof tr->township_code, "%s", b->site->township_code);
        snprintf(tr->village_code, sizeof tr->village_code, "%s", b->site->village_code);
    }
}

#define NSPECS ((int)(sizeof k_specs / sizeof k_specs[0]))
#define MAX_OBJS 8 /* per scene: fires + industrial + cloud + warm field */

/* Builds and writes one scene; its truth records go to tr (up to MAX_OBJS). */
static int make_scene(synth *s, const char *scenes_dir, const scene_spec *sp, const double ind[2],
                      fg_truth *tr, int *ntr)
{
    const fg_synth_opts *o = s->o;
    object objs[MAX_OBJS];
    int n = 0;

    /* the registered industrial source: same plant, same size in every scene */
    memset(&objs[0], 0, sizeof objs[0]);
    objs[0].kind = OBJ_INDUSTRIAL;
    objs[0].lat = o->static_lat;
    objs[0].lon = o->static_lon;
    objs[0].area_m2 = ind[0];
    objs[0].temp_k = ind[1];
    n = 1;

    int nf = pick_fire_sites(s, objs, n, sp->nfires);
    for (int i = n; i < n + nf; i++) {
        objs[i].area_m2 = fg_rng_range(&s->r, sp->area_min, sp->area_max);
        objs[i].temp_k = fg_rng_range(&s->r, 800.0, 1100.0);
    }
    n += nf;

    int rc = place_blob(s, objs, n, OBJ_CLOUD, fg_rng_range(&s->r, 2000.0, 3000.0) * 1.25);
    if (rc != FG_OK)
        return rc;
    objs[n].temp_k = fg_rng_range(&s->r, 240.0, 260.0);
    objs[n].shape[0] = fg_rng_range(&s->r, 0.0, 2.0 * k_pi);
    objs[n].shape[1] = fg_rng_range(&s->r, 0.0, 2.0 * k_pi);
    n++;
    if (sp->day) {
        double side = fg_rng_range(&s->r, 3000.0, 4000.0);
        if ((rc = place_blob(s, objs, n, OBJ_WARM, side * sqrt(0.5))) != FG_OK)
            return rc;
        objs[n].shape[0] = side;
        n++;
    }

    grid g = {0};
    if ((rc = scene_grid(s, sp->pixel_m, &g)) != FG_OK)
        return rc;
    for (int i = 0; i < n; i++)
        if ((rc = to_utm(s, objs[i].lat, objs[i].lon, &objs[i].x, &objs[i].y)) != FG_OK)
            return rc;

    /* Enlarge fires (within their range) and the industrial source until the
     * brightest pixel of the PSF split holds a detectable share. */
    for (int i = 0; i < n; i++) {
        object *b = &objs[i];
        if (b->kind != OBJ_FIRE && b->kind != OBJ_INDUSTRIAL)
            continue;
        int r, c, c2;
        double w_own;
        psf_split(&g, b->x, b->y, &r, &c, &c2, &w_own);
        if (b->kind == OBJ_FIRE && b->area_m2 * w_own < sp->min_share_m2)
            b->area_m2 = fmin(sp->area_max, sp->min_share_m2 / w_own);
        b->radius_m = sqrt(b->area_m2 / k_pi);
    }

    fg_raster mir = {0}, tir = {0};
    if ((rc = fg_raster_alloc(&mir, g.w, g.h, 1, FG_PIX_F32, 0, s->ctx)) != FG_OK)
        return rc;
    if ((rc = fg_raster_alloc(&tir, g.w, g.h, 1, FG_PIX_F32, 0, s->ctx)) != FG_OK) {
        fg_raster_release(&mir);
        return rc;
    }
    render(s, sp, &g, objs, n, &mir, &tir);

    int64_t t = o->day0_utc + sp->offset_s;
    char iso[24], stamp[24], name[64], path[4096];
    fg_time_format(t, iso);
    size_t k = 0;
    for (const char *p = iso; *p && k + 1 < sizeof stamp; p++)
        if (*p != '-' && *p != ':')
            stamp[k++] = *p;
    stamp[k] = '\0';
    snprintf(name, sizeof name, "%s_%s.tif", sp->sensor, stamp);
    int plen = snprintf(path, sizeof path, "%s/%s", scenes_dir, name);
    char md_time[64], md_sensor[80];
    snprintf(md_time, sizeof md_time, "FG_ACQ_TIME=%s", iso);
    snprintf(md_sensor, sizeof md_sensor, "FG_SENSOR=%s", sp->sensor);
    const char *md[] = {md_time, md_sensor, "FG_SYNTHETIC=1", NULL};
    const fg_raster *bands[] = {&mir, &tir};
    const char *names[] = {"MIR_BT", "TIR_BT"};
    double gt[6] = {g.x0, g.px, 0.0, g.y0, 0.0, -g.px};
    if (plen < 0 || (size_t)plen >= sizeof path)
        rc = fg_ctx_set(s->ctx, FG_EINVAL, "synth_thermal: path too long in %s", scenes_dir);
    else
        rc = fg_geotiff_write(path, bands, names, 2, gt, UTM49N_EPSG, md, s->ctx);
    fg_raster_release(&mir);
    fg_raster_release(&tir);
    if (rc != FG_OK)
        return rc;

    for (int i = 0; i < n; i++)
        truth_of(&objs[i], name, t, &tr[i]);
    *ntr = n;
    return FG_OK;
}

static int check_opts(const char *dir, const fg_synth_opts *o, fg_truth **truth, size_t *ntruth,
                      fg_ctx *ctx)
{
    if (!dir || !o || !truth || !ntruth || (o->nsites && !o->sites))
        return fg_ctx_set(ctx, FG_EINVAL, "synth_thermal: NULL argument");
    if (!(o->west < o->east && o->south < o->north && o->south > -80.0 && o->north < 84.0 &&
          o->west >= 108.0 && o->east <= 114.0))
        return fg_ctx_set(ctx, FG_EINVAL, "synth_thermal: county extent %.4f,%.4f..%.4f,%.4f "
                          "is empty or outside UTM zone 49 (108–114°E)",
                          o->west, o->south, o->east, o->north);
    if (!inside_county(o, o->static_lat, o->static_lon, 0.0))
        return fg_ctx_set(ctx, FG_EINVAL, "synth_thermal: the industrial source %.5f,%.5f lies "
                          "outside the county extent", o->static_lat, o->static_lon);
    return FG_OK;
}

int fg_synth_thermal(const char *dir, const fg_synth_opts *o, fg_truth **truth, size_t *ntruth,
                     fg_ctx *ctx)
{
    int rc = check_opts(dir, o, truth, ntruth, ctx);
    if (rc != FG_OK)
        return rc;
    char scenes_dir[4096];
    if (snprintf(scenes_dir, sizeof scenes_dir, "%s/scenes", dir) >= (int)sizeof scenes_dir)
        return fg_ctx_set(ctx, FG_EINVAL, "synth_thermal: folder name too long");
    if ((rc = fg_mkdir_p(scenes_dir, ctx)) != FG_OK)
        return rc;

    synth s;
    memset(&s, 0, sizeof s);
    s.o = o;
    s.ctx = ctx;
    s.r.s = 0x5EEDF12E00000000ull ^ (uint64_t)o->seed;

    OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL), utm = OSRNewSpatialReference(NULL);
    if (!wgs || !utm || OSRImportFromEPSG(wgs, 4326) != OGRERR_NONE ||
        OSRImportFromEPSG(utm, UTM49N_EPSG) != OGRERR_NONE) {
        rc = fg_ctx_set(ctx, FG_ENOTFOUND, "synth_thermal: GDAL/PROJ cannot build EPSG:4326 or "
                        "EPSG:%d (is proj.db installed?)", UTM49N_EPSG);
        goto done;
    }
    /* lon, lat order whatever the EPSG axis order says */
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(utm, OAMS_TRADITIONAL_GIS_ORDER);
    s.to_utm = OCTNewCoordinateTransformation(wgs, utm);
    if (!s.to_utm) {
        rc = fg_ctx_set(ctx, FG_ENOTFOUND, "synth_thermal: no WGS84 → UTM 49N transformation");
        goto done;
    }

    s.order = fg_calloc(o->nsites ? o->nsites : 1, sizeof *s.order);
    s.used = fg_calloc(o->nsites ? o->nsites : 1, sizeof *s.used);
    /* Room for every record first, so that a failure cannot half-append. */
    fg_truth *grown = fg_realloc(*truth, (*ntruth + (size_t)NSPECS * MAX_OBJS) * sizeof **truth);
    if (!s.order || !s.used || !grown) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "synth_thermal: out of memory");
        goto done;
    }
    *truth = grown;

    /* Fisher–Yates shuffle of the sites: which villages burn depends on the seed only. */
    for (size_t i = 0; i < o->nsites; i++)
        s.order[i] = (int)i;
    for (size_t i = o->nsites; i > 1; i--) {
        size_t j = (size_t)(fg_rng_next(&s.r) % i);
        int tmp = s.order[i - 1];
        s.order[i - 1] = s.order[j];
        s.order[j] = tmp;
    }
    /* One industrial plant: 0.5–1 ha of hot surfaces at 600–700 K. */
    double ind[2] = {fg_rng_range(&s.r, 6000.0, 10000.0), fg_rng_range(&s.r, 620.0, 700.0)};

    size_t added = 0;
    for (int i = 0; i < NSPECS && rc == FG_OK; i++) {
        int ntr = 0;
        rc = make_scene(&s, scenes_dir, &k_specs[i], ind, *truth + *ntruth + added, &ntr);
        if (rc == FG_OK)
            added += (size_t)ntr;
    }
    if (rc == FG_OK)
        *ntruth += added;

done:
    fg_free(s.order);
    fg_free(s.used);
    if (s.to_utm)
        OCTDestroyCoordinateTransformation(s.to_utm);
    if (wgs)
        OSRDestroySpatialReference(wgs);
    if (utm)
        OSRDestroySpatialReference(utm);
    return rc;
}
