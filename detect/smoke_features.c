/* smoke_features.c — per-block appearance features of one camera frame and a horizon estimate. */
/* SPDX-License-Identifier: MIT */
/*
 * What a distant plume looks like in one frame (../shared/ref/camera-smoke.md):
 * grey to white or dark grey, low saturation, blue-grey rather than the
 * red-brown of soil, hazy (a bright dark channel), and smooth — it blurs the
 * detail of the terrain behind it. Each feature below is one of those cues,
 * averaged over a block; the learned model (smoke_model.c) weighs them.
 *
 * Colour: JPEG/JFIF full-range BT.601 (ITU-T T.871, 2011):
 *   Y = 0.299R + 0.587G + 0.114B
 *   U = 128 − 0.168736R − 0.331264G + 0.5B,  V = 128 + 0.5R − 0.418688G − 0.081312B.
 * Colourless score 1 − (|U − 128| + |V − 128|)/128: camera-smoke.md (grey smoke
 * has U ≈ V ≈ 128). Dark channel min(R, G, B): He, Sun & Tang (2009, CVPR,
 * "Single image haze removal using dark channel prior", eq. 5) — haze-free
 * terrain has a dark channel near 0, haze and smoke lift it (airlight term of
 * eq. 1). Loss of high-frequency energy under smoke: Töreyin, Dedeoğlu & Çetin
 * (2005, EUSIPCO, wavelet sub-band energy drop); we take the mean absolute
 * 4-neighbour Laplacian of Y as the single-frame measure of that energy.
 *
 * Threads: block rows are split statically; each iteration writes only its own
 * block row of features, every block's sums run in the same pixel order, so
 * the bytes do not depend on the thread count.
 */
#include "detect/detect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Below this many block rows the frame stays single-threaded. */
#define PAR_MIN_ROWS 8

static inline float luma_of(const unsigned char *px)
{
    return 0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2];
}

/* Y plane (width×height floats, row-major) of an RGB U8 raster. */
static float *luma_plane(const fg_raster *rgb)
{
    int w = rgb->width, h = rgb->height;
    float *y = fg_malloc((size_t)w * (size_t)h * sizeof *y);
    if (!y)
        return NULL;
    const unsigned char *d = rgb->data;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (h >= 64)
#endif
    for (int r = 0; r < h; r++) {
        const unsigned char *row = d + (size_t)r * rgb->stride;
        float *out = y + (size_t)r * (size_t)w;
        for (int c = 0; c < w; c++)
            out[c] = luma_of(row + 3 * (size_t)c);
    }
    return y;
}

/* Horizon from a per-row mean luminance profile m[0..h-1]. The profile is first
 * box-smoothed (half-width k = h/100, at least 1, damping single bright rows
 * such as a cloud edge); the horizon is the row r maximising the drop
 * mean(m[r−W..r−1]) − mean(m[r..r+W−1]) with W = max(2, h/20): the daytime
 * sky is brighter than the ground under it. Ties take the upper row. When no
 * row shows a drop (night, or no sky in view) the largest change of either
 * sign is taken; a flat profile gives row 0 (all ground). −1 when out of memory. */
static double horizon_from_profile(const double *m, int h)
{
    if (h < 4)
        return 0.0;
    int k = h / 100 > 1 ? h / 100 : 1;
    int W = h / 20 > 2 ? h / 20 : 2;
    double *s = fg_malloc((size_t)h * sizeof *s);
    double *cum = fg_malloc(((size_t)h + 1) * sizeof *cum);
    if (!s || !cum) {
        fg_free(s);
        fg_free(cum);
        return -1.0;
    }
    for (int r = 0; r < h; r++) {
        int a = r - k < 0 ? 0 : r - k, b = r + k >= h ? h - 1 : r + k;
        double t = 0;
        for (int i = a; i <= b; i++)
            t += m[i];
        s[r] = t / (b - a + 1);
    }
    cum[0] = 0;
    for (int r = 0; r < h; r++)
        cum[r + 1] = cum[r] + s[r];
    double best = 0, best_abs = 0;
    int rbest = -1, rabs = 0;
    for (int r = 1; r < h; r++) {
        int a = r - W < 0 ? 0 : r - W, b = r + W > h ? h : r + W;
        double above = (cum[r] - cum[a]) / (r - a);
        double below = (cum[b] - cum[r]) / (b - r);
        double drop = above - below;
        if (drop > best) {
            best = drop;
            rbest = r;
        }
        if (fabs(drop) > best_abs) {
            best_abs = fabs(drop);
            rabs = r;
        }
    }
    fg_free(s);
    fg_free(cum);
    return rbest >= 0 ? (double)rbest : (double)rabs;
}

static double *row_means(const float *y, int w, int h)
{
    double *m = fg_malloc((size_t)h * sizeof *m);
    if (!m)
        return NULL;
    for (int r = 0; r < h; r++) {
        const float *row = y + (size_t)r * (size_t)w;
        double t = 0;
        for (int c = 0; c < w; c++)
            t += row[c];
        m[r] = t / w;
    }
    return m;
}

static int rgb_ok(const fg_raster *rgb)
{
    return rgb && rgb->data && rgb->type == FG_PIX_U8 && rgb->channels == 3 && rgb->width > 0 &&
           rgb->height > 0 && rgb->stride >= (size_t)rgb->width * 3;
}

double fg_smoke_horizon(const fg_raster *rgb)
{
    if (!rgb_ok(rgb))
        return 0.0;
    float *y = luma_plane(rgb);
    if (!y)
        return 0.0;
    double *m = row_means(y, rgb->width, rgb->height);
    fg_free(y);
    if (!m)
        return 0.0;
    double r = horizon_from_profile(m, rgb->height);
    fg_free(m);
    return r < 0 ? 0.0 : r;
}

/* Features of the block at (bx, by) into f[FG_SF_COUNT]. */
static void block_features(const fg_raster *rgb, const float *y, int block, int bx, int by,
                           double horizon, double sky_y, float *f)
{
    int w = rgb->width, h = rgb->height;
    const unsigned char *d = rgb->data;
    int x0 = bx * block, y0 = by * block;
    double sy = 0, syy = 0, sgrey = 0, ssat = 0, sbr = 0, sdark = 0, slap = 0, sgv = 0;
    for (int r = y0; r < y0 + block; r++) {
        const unsigned char *row = d + (size_t)r * rgb->stride;
        const float *yr = y + (size_t)r * (size_t)w;
        /* neighbours outside the frame are replaced by the edge pixel */
        const float *yu = y + (size_t)(r > 0 ? r - 1 : r) * (size_t)w;
        const float *yd = y + (size_t)(r < h - 1 ? r + 1 : r) * (size_t)w;
        for (int c = x0; c < x0 + block; c++) {
            const unsigned char *px = row + 3 * (size_t)c;
            double R = px[0], G = px[1], B = px[2];
            double Y = yr[c];
            double U = 128.0 - 0.168736 * R - 0.331264 * G + 0.5 * B;
            double V = 128.0 + 0.5 * R - 0.418688 * G - 0.081312 * B;
            double mx = R > G ? (R > B ? R : B) : (G > B ? G : B);
            double mn = R < G ? (R < B ? R : B) : (G < B ? G : B);
            sy += Y;
            syy += Y * Y;
            sgrey += 1.0 - (fabs(U - 128.0) + fabs(V - 128.0)) / 128.0;
            ssat += mx > 0 ? (mx - mn) / mx : 0.0;
            sbr += (B - R) / 255.0;
            sdark += mn / 255.0;
            int cl = c > 0 ? c - 1 : c, cr = c < w - 1 ? c + 1 : c;
            double lap = 4.0 * Y - yr[cl] - yr[cr] - yu[c] - yd[c];
            slap += fabs(lap);
            /* central differences */
            double gy = 0.5 * ((double)yd[c] - yu[c]);
            double gx = 0.5 * ((double)yr[cr] - yr[cl]);
            sgv += fabs(gy) - fabs(gx);
        }
    }
    double n = (double)block * block;
    double my = sy / n;
    double var = syy / n - my * my;
    f[FG_SF_LUMA] = (float)(my / 255.0);
    f[FG_SF_LUMA_STD] = (float)(sqrt(var > 0 ? var : 0) / 64.0);
    f[FG_SF_COLOURLESS] = (float)(sgrey / n);
    f[FG_SF_SATURATION] = (float)(ssat / n);
    f[FG_SF_BLUE_RED] = (float)(sbr / n);
    f[FG_SF_DARK_CHANNEL] = (float)(sdark / n);
    f[FG_SF_HIGH_FREQ] = (float)(slap / n / 64.0);
    f[FG_SF_GRAD_VERT] = (float)(sgv / n / 64.0);
    f[FG_SF_ROW] = (float)(((double)y0 + 0.5 * block - horizon) / h);
    f[FG_SF_SKY_CONTRAST] = (float)((my - sky_y) / 255.0);
}

int fg_smoke_appearance(const fg_raster *rgb, int block, double horizon_row, float *feat,
                        fg_ctx *ctx)
{
    if (!rgb_ok(rgb))
        return fg_ctx_set(ctx, FG_EINVAL, "smoke features: the frame is not an RGB byte raster");
    if (!feat)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke features: no output buffer");
    if (block < 1 || block > rgb->width || block > rgb->height)
        return fg_ctx_set(ctx, FG_EINVAL,
                          "smoke features: block side %d does not fit a %dx%d frame", block,
                          rgb->width, rgb->height);
    if (isnan(horizon_row))
        return fg_ctx_set(ctx, FG_EINVAL, "smoke features: horizon row is NaN");
    int w = rgb->width, h = rgb->height;
    int nbx = w / block, nby = h / block;
    float *y = luma_plane(rgb);
    double *m = y ? row_means(y, w, h) : NULL;
    if (!m) {
        fg_free(y);
        return fg_ctx_set(ctx, FG_ENOMEM, "smoke features: out of memory (%dx%d frame)", w, h);
    }
    double horizon = horizon_row < 0 ? horizon_from_profile(m, h) : horizon_row;
    if (horizon < 0) {
        fg_free(m);
        fg_free(y);
        return fg_ctx_set(ctx, FG_ENOMEM, "smoke features: out of memory (%dx%d frame)", w, h);
    }
    /* Sky reference: the rows above the horizon; with none in view, the top row. */
    int nsky = (int)floor(horizon);
    if (nsky < 1)
        nsky = 1;
    if (nsky > h)
        nsky = h;
    double sky = 0;
    for (int r = 0; r < nsky; r++)
        sky += m[r];
    sky /= nsky;
    fg_free(m);

#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (nby >= PAR_MIN_ROWS)
#endif
    for (int by = 0; by < nby; by++)
        for (int bx = 0; bx < nbx; bx++)
            block_features(rgb, y, block, bx, by, horizon, sky,
                           feat + ((size_t)by * (size_t)nbx + (size_t)bx) * FG_SF_COUNT);
    fg_free(y);
    return FG_OK;
}
