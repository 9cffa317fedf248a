/* fire_thermal.c — contextual MIR/TIR active-fire test after MODIS MOD14 (Giglio et al. 2003). */
/* SPDX-License-Identifier: MIT */
/*
 * References
 *  [G03] Giglio, Descloitres, Justice & Kaufman (2003), An enhanced contextual fire
 *        detection algorithm for MODIS, Remote Sens. Environ. 87:273–282.
 *  [G16] Giglio, Schroeder & Justice (2016), The collection 6 MODIS active fire
 *        detection algorithm and fire products, Remote Sens. Environ. 178:31–41.
 *  [S14] Schroeder, Oliva, Giglio & Csiszar (2014), The new VIIRS 375 m active fire
 *        detection data product, Remote Sens. Environ. 143:85–96.
 *  [K98] Kaufman et al. (1998), Potential global fire monitoring from EOS-MODIS,
 *        J. Geophys. Res. 103:32215–32238 (the C5 FRP formula).
 *
 * Simplifications in this first version: no reflectance bands (no daytime
 * ρ0.86 screen, no reflectance cloud test, no sun-glint or coastal rejection),
 * no water mask (the water confidence term is omitted), only the centre pixel
 * is kept out of its own background (MOD14 also drops its two along-scan
 * neighbours), and the VIIRS profile reuses the MOD14 decision rules with the
 * [S14] window sizes.
 */
#include "detect/detect.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

int fg_thermal_params_default(fg_thermal_params *p, fg_sensor_profile profile)
{
    if (!p)
        return FG_EINVAL;
    fg_thermal_params q;
    memset(&q, 0, sizeof q);
    /* [G03] §2.2.5: the background needs ≥ 25 % valid pixels and ≥ 8 of them. */
    q.min_valid_frac = 0.25;
    q.min_valid = 8;
    /* Plausible brightness temperatures. MODIS band 21 saturates near 500 K and
     * VIIRS I4 at 367 K, so 700 K leaves room for saturated and simulated pixels
     * while rejecting fill values (0, −999, 65535 ...). */
    q.t4_min = 150.0f;
    q.t4_max = 700.0f;
    q.t11_min = 150.0f;
    q.t11_max = 400.0f;
    /* [G03] §2.2.2 night cloud test (T12 < 265 K); we test the 11 µm band. */
    q.cloud_t11 = 265.0f;
    switch (profile) {
    case FG_PROFILE_MODIS_1KM:
        q.mir_um = 3.959; /* MODIS band 21/22 centre */
        q.pixel_km2 = 1.0;
        q.win_min = 3; /* [G03]: 3×3 growing to 21×21 */
        q.win_max = 21;
        break;
    case FG_PROFILE_VIIRS_375M:
        q.mir_um = 3.74; /* VIIRS I4 centre */
        q.pixel_km2 = 0.1406; /* 375 m × 375 m at nadir */
        q.win_min = 11; /* [S14]: 11×11 growing to 31×31 */
        q.win_max = 31;
        q.min_valid = 10; /* [S14] asks for ≥ 10 valid pixels */
        break;
    default:
        return FG_EINVAL;
    }
    *p = q;
    return FG_OK;
}

/* Pixel classes for the background. */
enum { PX_CLEAR = 0, PX_INVALID = 1, PX_CLOUD = 2, PX_BGFIRE = 3 };

/* Everything a row worker reads; shared read-only between threads. */
typedef struct scene_view {
    const fg_raster *mir, *tir, *cloud;
    int w, h, day;
    const fg_thermal_params *p;
} scene_view;

static int pixel_class(const scene_view *v, int r, int c, float *t4o, float *t11o)
{
    const fg_thermal_params *p = v->p;
    float t4 = FG_F32_AT(v->mir, r, c), t11 = FG_F32_AT(v->tir, r, c);
    *t4o = t4;
    *t11o = t11;
    /* Comparisons written so that NaN fails them and lands in "invalid". */
    if (!(t4 >= p->t4_min && t4 <= p->t4_max && t11 >= p->t11_min && t11 <= p->t11_max))
        return PX_INVALID;
    if (v->cloud) {
        const uint8_t *m = (const uint8_t *)v->cloud->data;
        if (m[(size_t)r * v->cloud->stride + (size_t)c])
            return PX_CLOUD;
    } else if (t11 < p->cloud_t11) {
        return PX_CLOUD;
    }
    /* Background fires, [G03] §2.2.5: kept out of the background statistics
     * but used for δ4' (test 6). */
    float dt = t4 - t11;
    if (v->day ? (t4 > 325.0f && dt > 20.0f) : (t4 > 310.0f && dt > 10.0f))
        return PX_BGFIRE;
    return PX_CLEAR;
}

/* Linear confidence ramp S(x; a, b) of [G03] §2.2.8: 0 below a, 1 above b. */
static double ramp(double x, double a, double b)
{
    if (isnan(x))
        return 0.0;
    if (x <= a)
        return 0.0;
    if (x >= b)
        return 1.0;
    return (x - a) / (b - a);
}

/* z-score against a mean absolute deviation; a zero MAD makes any excess infinite. */
static double zscore(double x, double mean, double mad)
{
    double d = x - mean;
    if (mad > 0.0)
        return d / mad;
    return d > 0.0 ? INFINITY : d < 0.0 ? -INFINITY : 0.0;
}

typedef struct bg_stats {
    int n, nfire, side;
    double m4, m11, mdt, d4, d11, ddt, d4fire;
} bg_stats;

/* Mean and MAD of T4, T11, ΔT over the valid pixels of the side×side window at
 * (r, c), and the MAD of T4 over its background fires (δ4'). Two passes so the
 * MAD is about the final mean. Returns the number of in-image pixels. */
static int window_stats(const scene_view *v, int r, int c, int side, bg_stats *s)
{
    int half = side / 2;
    int r0 = r - half < 0 ? 0 : r - half, r1 = r + half >= v->h ? v->h - 1 : r + half;
    int c0 = c - half < 0 ? 0 : c - half, c1 = c + half >= v->w ? v->w - 1 : c + half;
    double s4 = 0, s11 = 0, sf = 0;
    int n = 0, nf = 0, inside = 0;
    for (int i = r0; i <= r1; i++)
        for (int j = c0; j <= c1; j++) {
            if (i == r && j == c)
                continue;
            inside++;
            float t4, t11;
            int k = pixel_class(v, i, j, &t4, &t11);
            if (k == PX_CLEAR) {
                s4 += t4;
                s11 += t11;
                n++;
            } else if (k == PX_BGFIRE) {
                sf += t4;
                nf++;
            }
        }
    memset(s, 0, sizeof *s);
    s->n = n;
    s->nfire = nf;
    s->side = side;
    if (n == 0)
        return inside;
    s->m4 = s4 / n;
    s->m11 = s11 / n;
    s->mdt = s->m4 - s->m11; /* mean of a difference is the difference of means */
    double mf = nf ? sf / nf : 0.0;
    double a4 = 0, a11 = 0, adt = 0, af = 0;
    for (int i = r0; i <= r1; i++)
        for (int j = c0; j <= c1; j++) {
            if (i == r && j == c)
                continue;
            float t4, t11;
            int k = pixel_class(v, i, j, &t4, &t11);
            if (k == PX_CLEAR) {
                a4 += fabs(t4 - s->m4);
                a11 += fabs(t11 - s->m11);
                adt += fabs((t4 - t11) - s->mdt);
            } else if (k == PX_BGFIRE) {
                af += fabs(t4 - mf);
            }
        }
    s->d4 = a4 / n;
    s->d11 = a11 / n;
    s->ddt = adt / n;
    s->d4fire = nf ? af / nf : 0.0;
    return inside;
}

/* Grows the window from win_min to win_max until the background is usable.
 * Returns 1 with *s filled, or 0 when no window qualifies ("unknown"). */
static int background(const scene_view *v, int r, int c, bg_stats *s)
{
    const fg_thermal_params *p = v->p;
    for (int side = p->win_min; side <= p->win_max; side += 2) {
        int inside = window_stats(v, r, c, side, s);
        /* The fraction is taken over the in-image part of the window, so pixels
         * near the scene edge are judged on what exists. */
        if (s->n >= p->min_valid && inside > 0 && (double)s->n >= p->min_valid_frac * inside)
            return 1;
    }
    return 0;
}

/* Tests one pixel; returns 1 and fills *fp when it is a fire. */
static int test_pixel(const scene_view *v, int r, int c, fg_fire_pixel *fp)
{
    const fg_thermal_params *p = v->p;
    float t4, t11;
    int cls = pixel_class(v, r, c, &t4, &t11);
    if (cls == PX_INVALID || cls == PX_CLOUD)
        return 0; /* never tested */
    double dt = (double)t4 - (double)t11;

    /* Potential fire, [G03] §2.2.3 (the daytime ρ0.86 < 0.3 term needs a band we lack). */
    int potential = v->day ? (t4 > 310.0f && dt > 10.0) : (t4 > 305.0f && dt > 10.0);
    if (!potential)
        return 0;
    unsigned tests = FG_TEST_POTENTIAL;
    /* Test (1), absolute threshold, [G03] §2.2.4. */
    if (v->day ? t4 > 360.0f : t4 > 320.0f)
        tests |= FG_TEST_ABSOLUTE;

    /* Without a background the pixel is "unknown" [G03] §2.2.5 — even when it
     * passes test (1): its FRP and confidence would be undefined. */
    bg_stats s;
    if (!background(v, r, c, &s))
        return 0;

    /* Contextual tests (2)–(6), [G03] §2.2.6. */
    if (dt > s.mdt + 3.5 * s.ddt)
        tests |= FG_TEST_CTX_DT_MAD;
    if (dt > s.mdt + 6.0)
        tests |= FG_TEST_CTX_DT_ABS;
    if (t4 > s.m4 + 3.0 * s.d4)
        tests |= FG_TEST_CTX_T4;
    if (t11 > s.m11 + s.d11 - 4.0)
        tests |= FG_TEST_CTX_T11;
    if (s.d4fire > 5.0)
        tests |= FG_TEST_CTX_BGFIRE;

    const unsigned ctx3 = FG_TEST_CTX_DT_MAD | FG_TEST_CTX_DT_ABS | FG_TEST_CTX_T4;
    int fire = (tests & FG_TEST_ABSOLUTE) != 0;
    if ((tests & ctx3) == ctx3) {
        if (!v->day)
            fire = 1;
        else if (tests & (FG_TEST_CTX_T11 | FG_TEST_CTX_BGFIRE))
            fire = 1;
    }
    if (!fire)
        return 0;

    /* Cloudy pixels among the 8 neighbours, for the daytime confidence term. */
    int adj = 0;
    for (int i = r - 1; i <= r + 1; i++)
        for (int j = c - 1; j <= c + 1; j++) {
            if ((i == r && j == c) || i < 0 || j < 0 || i >= v->h || j >= v->w)
                continue;
            float a, b;
            if (pixel_class(v, i, j, &a, &b) == PX_CLOUD)
                adj++;
        }

    /* Confidence, [G03] §2.2.8: geometric mean of ramps on T4, its z-score, the
     * ΔT z-score and (day) the adjacent-cloud count. The adjacent-water term
     * needs a water mask and is left out. */
    double c1 = v->day ? ramp(t4, 310.0, 340.0) : ramp(t4, 305.0, 320.0);
    double c2 = ramp(zscore(t4, s.m4, s.d4), 2.5, 6.0);
    double c3 = ramp(zscore(dt, s.mdt, s.ddt), 3.0, 6.0);
    double conf;
    if (v->day) {
        double c4 = 1.0 - ramp(adj, 0.0, 6.0);
        conf = pow(c1 * c2 * c3 * c4, 1.0 / 4.0);
    } else {
        conf = pow(c1 * c2 * c3, 1.0 / 3.0);
    }

    /* FRP, MODIS Collection 5 [K98]: 4.34e-19 (T4⁸ − T̄4⁸) MW km⁻², times the
     * pixel area. */
    double frp = 4.34e-19 * (pow(t4, 8.0) - pow(s.m4, 8.0)) * p->pixel_km2;

    memset(fp, 0, sizeof *fp);
    fp->row = r;
    fp->col = c;
    fp->t4 = t4;
    fp->t11 = t11;
    fp->mean_t4 = (float)s.m4;
    fp->mean_t11 = (float)s.m11;
    fp->mean_dt = (float)s.mdt;
    fp->mad_t4 = (float)s.d4;
    fp->mad_t11 = (float)s.d11;
    fp->mad_dt = (float)s.ddt;
    fp->n_valid = s.n;
    fp->window = s.side;
    fp->adj_cloud = adj;
    fp->tests = tests;
    fp->confidence = (int)lround(100.0 * conf);
    fp->frp_mw = (float)frp;
    return 1;
}

/* Per-thread result list, padded so neighbouring threads' counters do not
 * share a cache line. */
typedef struct fire_list {
    fg_fire_pixel *v;
    size_t n, cap;
    int failed;
    char pad[64 - sizeof(void *) - 2 * sizeof(size_t) - sizeof(int)];
} fire_list;

static int list_push(fire_list *l, const fg_fire_pixel *fp)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        fg_fire_pixel *nv = fg_realloc(l->v, cap * sizeof *nv);
        if (!nv)
            return FG_ENOMEM;
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = *fp;
    return FG_OK;
}

static int check_raster(const fg_raster *r, fg_pixel_type type, const char *what, fg_ctx *ctx)
{
    if (!r || !r->data || r->type != type || r->channels != 1 || r->width <= 0 ||
        r->height <= 0 || r->stride < (size_t)r->width)
        return fg_ctx_set(ctx, FG_EINVAL, "fire_thermal: %s raster is missing or not a "
                          "single-channel %s raster", what, type == FG_PIX_F32 ? "F32" : "U8");
    return FG_OK;
}

/* Images below this many pixels are tested on one thread: the team start-up
 * costs more than the work. */
#define FG_THERMAL_MIN_PARALLEL 16384

int fg_thermal_detect(const fg_thermal_input *in, const fg_thermal_params *p, int threads,
                      fg_fire_pixel **out, size_t *n, fg_ctx *ctx)
{
    if (!in || !p || !out || !n)
        return fg_ctx_set(ctx, FG_EINVAL, "fire_thermal: NULL argument");
    int rc;
    if ((rc = check_raster(in->mir, FG_PIX_F32, "MIR", ctx)) != FG_OK ||
        (rc = check_raster(in->tir, FG_PIX_F32, "TIR", ctx)) != FG_OK)
        return rc;
    if (in->cloud && (rc = check_raster(in->cloud, FG_PIX_U8, "cloud mask", ctx)) != FG_OK)
        return rc;
    int w = in->mir->width, h = in->mir->height;
    if (in->tir->width != w || in->tir->height != h ||
        (in->cloud && (in->cloud->width != w || in->cloud->height != h)))
        return fg_ctx_set(ctx, FG_EINVAL, "fire_thermal: MIR %dx%d, TIR %dx%d%s do not match", w,
                          h, in->tir->width, in->tir->height,
                          in->cloud ? " and cloud mask sizes" : "");
    if (p->win_min < 3 || p->win_min % 2 == 0 || p->win_max < p->win_min || p->win_max % 2 == 0 ||
        p->min_valid < 1 || !(p->min_valid_frac >= 0.0 && p->min_valid_frac <= 1.0) ||
        !(p->pixel_km2 > 0.0))
        return fg_ctx_set(ctx, FG_EINVAL, "fire_thermal: bad parameters (windows %d..%d must be "
                          "odd and >= 3, min_valid %d, min_valid_frac %g, pixel_km2 %g)",
                          p->win_min, p->win_max, p->min_valid, p->min_valid_frac, p->pixel_km2);

    scene_view v = {in->mir, in->tir, in->cloud, w, h, in->is_day ? 1 : 0, p};

    int nt = 1;
#ifdef _OPENMP
    nt = threads > 0 ? threads : omp_get_max_threads();
    if ((size_t)w * (size_t)h < FG_THERMAL_MIN_PARALLEL || nt < 1)
        nt = 1;
    if (nt > h)
        nt = h;
#else
    (void)threads;
#endif
    fire_list *lists = fg_calloc((size_t)nt, sizeof *lists);
    if (!lists)
        return fg_ctx_set(ctx, FG_ENOMEM, "fire_thermal: out of memory");

    /* schedule(static) without a chunk gives each thread one contiguous block of
     * rows in thread order, so concatenating the lists in thread order yields
     * (row, col) order whatever the thread count. */
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static)
#endif
    for (int r = 0; r < h; r++) {
        int t = 0;
#ifdef _OPENMP
        t = omp_get_thread_num();
#endif
        fire_list *l = &lists[t];
        /* After a failed allocation the thread only runs out its rows. */
        for (int c = 0; c < w && !l->failed; c++) {
            fg_fire_pixel fp;
            if (test_pixel(&v, r, c, &fp) && list_push(l, &fp) != FG_OK)
                l->failed = 1;
        }
    }

    size_t total = 0;
    int failed = 0;
    for (int t = 0; t < nt; t++) {
        total += lists[t].n;
        failed |= lists[t].failed;
    }
    fg_fire_pixel *res = NULL;
    if (!failed && total) {
        res = fg_malloc(total * sizeof *res);
        if (res) {
            size_t k = 0;
            for (int t = 0; t < nt; t++) {
                if (lists[t].n)
                    memcpy(res + k, lists[t].v, lists[t].n * sizeof *res);
                k += lists[t].n;
            }
        } else {
            failed = 1;
        }
    }
    for (int t = 0; t < nt; t++)
        fg_free(lists[t].v);
    fg_free(lists);
    if (failed)
        return fg_ctx_set(ctx, FG_ENOMEM, "fire_thermal: out of memory for %zu fire pixels",
                          total);
    *out = res;
    *n = total;
    return FG_OK;
}
