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
#include "detect/detect_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Below this many block rows the frame stays single-threaded. */
#define PAR_MIN_ROWS 8
/* Rows whose means are summed side by side (independent sums keep the adder
 * busy; each row's own sum still runs left to right). */
#define LUMA_ROWS 8

static inline float luma_of(const unsigned char *px)
{
    return 0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2];
}

/* Luminance and row means of rows r0..r0 + n − 1 (n ≤ LUMA_ROWS). */
FG_HOT_LOOP static void luma_rows(const fg_raster *rgb, float *y, double *m, int r0, int n)
{
    int w = rgb->width;
    const unsigned char *d = rgb->data;
    for (int r = r0; r < r0 + n; r++) {
        const unsigned char *row = d + (size_t)r * rgb->stride;
        float *out = y + (size_t)r * (size_t)w;
        for (int c = 0; c < w; c++)
            out[c] = luma_of(row + 3 * (size_t)c);
    }
    const float *yr = y + (size_t)r0 * (size_t)w;
    if (n == LUMA_ROWS) {
        double t[LUMA_ROWS] = {0};
        for (int c = 0; c < w; c++)
            for (int j = 0; j < LUMA_ROWS; j++)
                t[j] += yr[(size_t)j * w + c];
        for (int j = 0; j < LUMA_ROWS; j++)
            m[r0 + j] = t[j] / w;
    } else {
        for (int j = 0; j < n; j++) {
            double t = 0;
            for (int c = 0; c < w; c++)
                t += yr[(size_t)j * w + c];
            m[r0 + j] = t / w;
        }
    }
}

void fg_smoke_luma(const fg_raster *rgb, float *y, double *m)
{
    int h = rgb->height;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (h >= 64)
#endif
    for (int r0 = 0; r0 < h; r0 += LUMA_ROWS)
        luma_rows(rgb, y, m, r0, h - r0 < LUMA_ROWS ? h - r0 : LUMA_ROWS);
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

static int rgb_ok(const fg_raster *rgb)
{
    return rgb && rgb->data && rgb->type == FG_PIX_U8 && rgb->channels == 3 && rgb->width > 0 &&
           rgb->height > 0 && rgb->stride >= (size_t)rgb->width * 3;
}

double fg_smoke_horizon_profile(const double *m, int h)
{
    return horizon_from_profile(m, h);
}

double fg_smoke_horizon(const fg_raster *rgb)
{
    if (!rgb_ok(rgb))
        return 0.0;
    float *y = fg_malloc((size_t)rgb->width * (size_t)rgb->height * sizeof *y);
    double *m = fg_malloc((size_t)rgb->height * sizeof *m);
    double r = -1.0;
    if (y && m) {
        fg_smoke_luma(rgb, y, m);
        r = horizon_from_profile(m, rgb->height);
    }
    fg_free(y);
    fg_free(m);
    return r < 0 ? 0.0 : r;
}

/* Per-thread row scratch of block_row_features: the per-pixel terms of one
 * pixel row (doubles, TERMS arrays of the row's width) and the block sums of
 * one block row (SUMS arrays of its blocks). */
enum { T_YY, T_GREY, T_SAT, T_BR, T_DARK, T_LAP, T_GV, TERMS };
enum { S_Y, S_YY, S_GREY, S_SAT, S_BR, S_DARK, S_LAP, S_GV, SUMS };

/* Features of the blocks of block row by into f (nbx·FG_SF_COUNT floats).
 * Each block's sums run over its pixels in raster order; the per-pixel terms
 * of a pixel row are first laid out in t; br and dark hold (B − R)/255 and min/255 of every level. */
FG_HOT_LOOP static void block_row_features(const fg_raster *rgb, const float *y, int block,
                                           int by, double horizon, double sky_y, float *f,
                                           double *t, int *q, const double *br,
                                           const double *dark)
{
    int w = rgb->width, h = rgb->height, nbx = w / block, cw = nbx * block;
    const unsigned char *d = rgb->data;
    double *restrict tbr = t + (size_t)T_BR * cw, *restrict tdark = t + (size_t)T_DARK * cw, *restrict tyy = t + (size_t)T_YY * cw,
                     *restrict tgrey = t + (size_t)T_GREY * cw,
                     *restrict tsat = t + (size_t)T_SAT * cw,
                     *restrict tlap = t + (size_t)T_LAP * cw, *restrict tgv = t + (size_t)T_GV * cw;
    double *acc = t + (size_t)TERMS * cw;
    int *restrict qr = q, *restrict qg = q + cw, *restrict qb = q + 2 * (size_t)cw,
        *restrict qd = q + 3 * (size_t)cw, *restrict qm = q + 4 * (size_t)cw;
    memset(acc, 0, (size_t)SUMS * nbx * sizeof *acc);
    double *sy = acc + S_Y * nbx, *syy = acc + S_YY * nbx, *sgrey = acc + S_GREY * nbx,
           *ssat = acc + S_SAT * nbx, *sbr = acc + S_BR * nbx, *sdark = acc + S_DARK * nbx,
           *slap = acc + S_LAP * nbx, *sgv = acc + S_GV * nbx;
    int y0 = by * block;
    for (int r = y0; r < y0 + block; r++) {
        const unsigned char *restrict row = d + (size_t)r * rgb->stride;
        const float *restrict yr = y + (size_t)r * (size_t)w;
        /* neighbours outside the frame are replaced by the edge pixel */
        const float *restrict yu = y + (size_t)(r > 0 ? r - 1 : r) * (size_t)w;
        const float *restrict yd = y + (size_t)(r < h - 1 ? r + 1 : r) * (size_t)w;
        /* the colour terms in passes that run on whole vectors: the bytes
         * apart, then the doubles, then the two table terms */
        for (int c = 0; c < cw; c++) {
            int iR = row[3 * c], iG = row[3 * c + 1], iB = row[3 * c + 2];
            int imx = iR > iG ? iR : iG, imn = iR < iG ? iR : iG;
            imx = imx > iB ? imx : iB;
            imn = imn < iB ? imn : iB;
            qr[c] = iR, qg[c] = iG, qb[c] = iB;
            /* a black pixel has mx − mn = 0: 0/1 is its saturation 0 */
            qd[c] = imx - imn;
            qm[c] = imx > 0 ? imx : 1;
        }
        for (int c = 0; c < cw; c++) {
            double R = qr[c], G = qg[c], B = qb[c];
            double Y = yr[c];
            double U = 128.0 - 0.168736 * R - 0.331264 * G + 0.5 * B;
            double V = 128.0 + 0.5 * R - 0.418688 * G - 0.081312 * B;
            tyy[c] = Y * Y;
            tgrey[c] = 1.0 - (fabs(U - 128.0) + fabs(V - 128.0)) / 128.0;
            tsat[c] = (double)qd[c] / (double)qm[c];
        }
        for (int c = 0; c < cw; c++) {
            int iR = row[3 * c], iG = row[3 * c + 1], iB = row[3 * c + 2];
            int imn = iR < iG ? (iR < iB ? iR : iB) : (iG < iB ? iG : iB);
            tbr[c] = br[iB - iR];
            tdark[c] = dark[imn];
        }
        /* interior columns take c ± 1; the frame's edge columns repeat the edge */
        int c1 = cw < w ? cw : w - 1;
        for (int c = 1; c < c1; c++) {
            double Y = yr[c];
            double lap = 4.0 * Y - yr[c - 1] - yr[c + 1] - yu[c] - yd[c];
            tlap[c] = fabs(lap);
            double gy = 0.5 * ((double)yd[c] - yu[c]);
            double gx = 0.5 * ((double)yr[c + 1] - yr[c - 1]);
            tgv[c] = fabs(gy) - fabs(gx);
        }
        for (int c = 0; c < cw; c = c == 0 && c1 > 1 ? c1 : c + 1) {
            int cl = c > 0 ? c - 1 : c, cr = c < w - 1 ? c + 1 : c;
            double Y = yr[c];
            double lap = 4.0 * Y - yr[cl] - yr[cr] - yu[c] - yd[c];
            tlap[c] = fabs(lap);
            double gy = 0.5 * ((double)yd[c] - yu[c]);
            double gx = 0.5 * ((double)yr[cr] - yr[cl]);
            tgv[c] = fabs(gy) - fabs(gx);
        }
        /* the sums in two passes of four, each block's chain in its own register */
        for (int bx = 0; bx < nbx; bx++) {
            const int c0 = bx * block;
            double a0 = sy[bx], a1 = syy[bx], a2 = sgrey[bx], a3 = ssat[bx];
            for (int k = 0; k < block; k++) {
                a0 += (double)yr[c0 + k];
                a1 += tyy[c0 + k];
                a2 += tgrey[c0 + k];
                a3 += tsat[c0 + k];
            }
            sy[bx] = a0, syy[bx] = a1, sgrey[bx] = a2, ssat[bx] = a3;
        }
        for (int bx = 0; bx < nbx; bx++) {
            const int c0 = bx * block;
            double a0 = sbr[bx], a1 = sdark[bx], a2 = slap[bx], a3 = sgv[bx];
            for (int k = 0; k < block; k++) {
                a0 += tbr[c0 + k];
                a1 += tdark[c0 + k];
                a2 += tlap[c0 + k];
                a3 += tgv[c0 + k];
            }
            sbr[bx] = a0, sdark[bx] = a1, slap[bx] = a2, sgv[bx] = a3;
        }
    }
    double n = (double)block * block;
    for (int bx = 0; bx < nbx; bx++) {
        float *o = f + (size_t)bx * FG_SF_COUNT;
        double my = sy[bx] / n;
        double var = syy[bx] / n - my * my;
        o[FG_SF_LUMA] = (float)(my / 255.0);
        o[FG_SF_LUMA_STD] = (float)(sqrt(var > 0 ? var : 0) / 64.0);
        o[FG_SF_COLOURLESS] = (float)(sgrey[bx] / n);
        o[FG_SF_SATURATION] = (float)(ssat[bx] / n);
        o[FG_SF_BLUE_RED] = (float)(sbr[bx] / n);
        o[FG_SF_DARK_CHANNEL] = (float)(sdark[bx] / n);
        o[FG_SF_HIGH_FREQ] = (float)(slap[bx] / n / 64.0);
        o[FG_SF_GRAD_VERT] = (float)(sgv[bx] / n / 64.0);
        o[FG_SF_ROW] = (float)(((double)y0 + 0.5 * block - horizon) / h);
        o[FG_SF_SKY_CONTRAST] = (float)((my - sky_y) / 255.0);
    }
}

double fg_smoke_sky_luma(const double *m, int h, double horizon)
{
    /* Sky reference: the rows above the horizon; with none in view, the top row. */
    int nsky = (int)floor(horizon);
    if (nsky < 1)
        nsky = 1;
    if (nsky > h)
        nsky = h;
    double sky = 0;
    for (int r = 0; r < nsky; r++)
        sky += m[r];
    return sky / nsky;
}

/* One block of block_row_features, for a caller that needs the features of a
 * few blocks only (the detector asks for the blocks whose other gates pass).
 * The per-pixel terms are the same expressions and every sum runs over the
 * block's pixels in the same raster order, so the floats are the same bytes
 * as block_row_features gives (ISO C: no contraction; terms are exact
 * functions of the pixel and its clamped neighbours). Keep the two in step. */
/* The RGB bytes of pixel (r, c): of an RGB raster, or of a YCC420 one as
 * fg_ycc_to_rgb gives them (so a live frame's blocks and a training frame
 * converted whole agree). */
static inline void px_rgb(const fg_raster *img, int r, int c, unsigned char *px)
{
    if (img->type == FG_PIX_YCC420) {
        fg_ycc_rgb_at(img, r, c, px);
        return;
    }
    const unsigned char *p =
        (const unsigned char *)img->data + (size_t)r * img->stride + 3 * (size_t)c;
    px[0] = p[0], px[1] = p[1], px[2] = p[2];
}

void fg_smoke_appearance_block(const fg_raster *img, int block, int bx, int by, double horizon,
                               double sky_y, float *o)
{
    int w = img->width, h = img->height;
    double sy = 0, syy = 0, sgrey = 0, ssat = 0, sbr = 0, sdark = 0, slap = 0, sgv = 0;
    int y0 = by * block, c0 = bx * block;
    for (int r = y0; r < y0 + block; r++) {
        int ru = r > 0 ? r - 1 : r, rd = r < h - 1 ? r + 1 : r;
        for (int c = c0; c < c0 + block; c++) {
            unsigned char px[3], pl[3], pr[3], pu[3], pd[3];
            int cl = c > 0 ? c - 1 : c, cr = c < w - 1 ? c + 1 : c;
            px_rgb(img, r, c, px);
            px_rgb(img, r, cl, pl);
            px_rgb(img, r, cr, pr);
            px_rgb(img, ru, c, pu);
            px_rgb(img, rd, c, pd);
            int iR = px[0], iG = px[1], iB = px[2];
            int imx = iR > iG ? iR : iG, imn = iR < iG ? iR : iG;
            imx = imx > iB ? imx : iB;
            imn = imn < iB ? imn : iB;
            int qm = imx > 0 ? imx : 1;
            double R = iR, G = iG, B = iB;
            float yc = luma_of(px), yl = luma_of(pl), yr = luma_of(pr), yu = luma_of(pu),
                  yd = luma_of(pd);
            double Y = yc;
            double U = 128.0 - 0.168736 * R - 0.331264 * G + 0.5 * B;
            double V = 128.0 + 0.5 * R - 0.418688 * G - 0.081312 * B;
            double lap = 4.0 * Y - yl - yr - yu - yd;
            double gy = 0.5 * ((double)yd - yu);
            double gx = 0.5 * ((double)yr - yl);
            sy += (double)yc;
            syy += Y * Y;
            sgrey += 1.0 - (fabs(U - 128.0) + fabs(V - 128.0)) / 128.0;
            ssat += (double)(imx - imn) / (double)qm;
            sbr += (iB - iR) / 255.0;
            sdark += imn / 255.0;
            slap += fabs(lap);
            sgv += fabs(gy) - fabs(gx);
        }
    }
    double n = (double)block * block;
    double my = sy / n;
    double var = syy / n - my * my;
    o[FG_SF_LUMA] = (float)(my / 255.0);
    o[FG_SF_LUMA_STD] = (float)(sqrt(var > 0 ? var : 0) / 64.0);
    o[FG_SF_COLOURLESS] = (float)(sgrey / n);
    o[FG_SF_SATURATION] = (float)(ssat / n);
    o[FG_SF_BLUE_RED] = (float)(sbr / n);
    o[FG_SF_DARK_CHANNEL] = (float)(sdark / n);
    o[FG_SF_HIGH_FREQ] = (float)(slap / n / 64.0);
    o[FG_SF_GRAD_VERT] = (float)(sgv / n / 64.0);
    o[FG_SF_ROW] = (float)(((double)y0 + 0.5 * block - horizon) / h);
    o[FG_SF_SKY_CONTRAST] = (float)((my - sky_y) / 255.0);
}

int fg_smoke_appearance_luma(const fg_raster *rgb, const float *y, const double *m, int block,
                             double horizon, float *feat)
{
    int w = rgb->width, h = rgb->height;
    int nbx = w / block, nby = h / block, cw = nbx * block;
    double sky = fg_smoke_sky_luma(m, h, horizon);
    double br[511], dark[256];
    for (int k = -255; k <= 255; k++)
        br[k + 255] = k / 255.0;
    for (int k = 0; k < 256; k++)
        dark[k] = k / 255.0;
    int fail = 0;
#ifdef _OPENMP
#pragma omp parallel if (nby >= PAR_MIN_ROWS)
#endif
    {
        size_t nt = (size_t)TERMS * cw + (size_t)SUMS * nbx;
        double *t = fg_malloc(nt * sizeof *t);
        int *q = fg_malloc(5 * (size_t)cw * sizeof *q);
        if (!t || !q) {
#ifdef _OPENMP
#pragma omp atomic write
#endif
            fail = 1;
        }
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (int by = 0; by < nby; by++)
            if (t && q)
                block_row_features(rgb, y, block, by, horizon, sky,
                                   feat + (size_t)by * (size_t)nbx * FG_SF_COUNT, t, q,
                                   br + 255, dark);
        fg_free(t);
        fg_free(q);
    }
    return fail ? FG_ENOMEM : FG_OK;
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
    float *y = fg_malloc((size_t)w * (size_t)h * sizeof *y);
    double *m = fg_malloc((size_t)h * sizeof *m);
    int rc = FG_ENOMEM;
    if (y && m) {
        fg_smoke_luma(rgb, y, m);
        double horizon = horizon_row < 0 ? horizon_from_profile(m, h) : horizon_row;
        if (horizon >= 0)
            rc = fg_smoke_appearance_luma(rgb, y, m, block, horizon, feat);
    }
    fg_free(y);
    fg_free(m);
    if (rc != FG_OK)
        return fg_ctx_set(ctx, FG_ENOMEM, "smoke features: out of memory (%dx%d frame)", w, h);
    return FG_OK;
}
