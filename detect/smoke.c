/* smoke.c — a first camera smoke test: slow background, grey changed blocks, ground-touching regions, persistence. */
/* SPDX-License-Identifier: MIT */
/*
 * What is built here follows ../shared/ref/camera-smoke.md ("what works"):
 * at one frame a minute and km range, flicker and flame colour are useless;
 * smoke is a slow, low-saturation, grey change that rises from the ground and
 * grows over minutes, and drifting clouds are the dominant false alarm.
 *
 *  1. Background: per-pixel running average B ← a·B + (1 − a)·I of luminance
 *     and chroma (BT.601 / JFIF YCbCr), after a global gain correction so that
 *     a camera's exposure change or a passing sun/cloud level change is not a
 *     change everywhere.
 *  2. Per block (p->block working pixels): mean |Y − B_Y|; on the changed
 *     pixels, the colourless score 1 − (|U − 128| + |V − 128|)/128 and the mean
 *     luminance, which must lie in the grey range of smoke (light smoke Y ≈
 *     150–220, dark 80–150; camera-smoke.md).
 *  3. Changed-and-grey blocks → 4-connected regions on the block grid,
 *     labelled in raster order (deterministic).
 *  4. A region counts only when its lowest block lies below the horizon:
 *     a plume's base touches the ground, clouds live in the sky (the defence
 *     production systems use next to sky masks; Fuego, Govil et al. 2020).
 *  5. Persistence: a region must overlap a region of the previous frame and
 *     not shrink for persist_frames consecutive frames (Pyronear: 5 frames)
 *     and never alarms during warmup_frames.
 *  6. Blocks of counted regions update the background 20× slower, so a
 *     plume that grows over minutes is not absorbed into it.
 *
 * Pixel coordinates in results are continuous: pixel (r, c) covers
 * [c, c + 1) × [r, r + 1), so its centre is (c + 0.5, r + 0.5) — the same
 * convention as fg_camera_* (principal point at W/2, H/2).
 *
 * Threads: block rows are split statically; each iteration writes only its
 * own blocks and pixels, all reductions run single-threaded in a fixed order,
 * so results are identical at any thread count.
 */
#include "detect/detect.h"
#include "detect/detect_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Grey luminance range of smoke (camera-smoke.md: light 150–220, dark 80–150),
 * widened a little for haze and exposure. */
#define GREY_Y_MIN 70.0f
#define GREY_Y_MAX 235.0f
/* Background weight for blocks inside a counted region: ~20× slower than
 * a = 0.9, i.e. a time constant of ~200 frames instead of ~10. */
#define BG_ALPHA_HELD 0.995f
/* A region "does not shrink" while it keeps this share of its previous area
 * (one-block jitter of a small plume must not reset the count). */
#define SHRINK_TOL 0.8
/* Frame-to-frame smoothing weight of the estimated horizon row. */
#define HORIZON_EMA 0.8

struct fg_smoke {
    fg_smoke_params p;
    int w, h;          /* working resolution */
    int bw, bh;        /* block grid */
    long frames;       /* frames pushed so far */
    double horizon;    /* smoothed horizon row (estimated mode) */
    int have_horizon;
    /* per pixel */
    float *by, *bu, *bv;  /* background */
    float *iy, *iu, *iv;  /* current frame, gain-corrected */
    /* per block */
    float *bdiff, *bgrey, *bluma, *ratio;
    unsigned char *flag;  /* changed and grey */
    size_t *parent;       /* union-find */
    int *lab, *plab;      /* region label (0 = none), current / previous frame */
    unsigned char *held;  /* block belongs to a counted region: slow update */
    /* per region, previous frame (index = label − 1) */
    int *ppers, *parea;
    int nprev;
    /* per region scratch, current frame */
    struct region *reg;
    float *rowmean;
};

struct region {
    int area, bx0, by0, bx1, by1; /* blocks, inclusive box */
    double sdiff, sgrey;
    int counts;                   /* lowest block below the horizon */
    int persisted;
    float score;
    int alarm;
};

void fg_smoke_params_default(fg_smoke_params *p)
{
    if (!p)
        return;
    p->block = 8;
    p->bg_alpha = 0.9f;   /* the "slow" background of camera-smoke.md (a ≈ 0.9) */
    p->min_diff = 8.0f;   /* ~3σ of sensor + JPEG noise on a 1-frame/min camera */
    p->min_grey = 0.75f;  /* smoke over stubble or soil mixes in some colour */
    p->persist_frames = 3;
    p->warmup_frames = 5;
    p->horizon_row = -1.0;
}

void fg_smoke_free(fg_smoke *s)
{
    if (!s)
        return;
    void *bufs[] = {s->by,    s->bu,     s->bv,   s->iy,   s->iu,   s->iv,     s->bdiff,
                    s->bgrey, s->bluma,  s->ratio, s->flag, s->parent, s->lab, s->plab,
                    s->held,  s->ppers,  s->parea, s->reg,  s->rowmean};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        fg_free(bufs[i]);
    fg_free(s);
}

int fg_smoke_new(const fg_smoke_params *p, int width, int height, fg_smoke **out, fg_ctx *ctx)
{
    if (!p || !out)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke: missing parameters or output");
    if (width <= 0 || height <= 0 || width > 65536 || height > 65536)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke: frame size %dx%d is invalid", width, height);
    if (p->block < 2 || p->block > 256 || !(p->bg_alpha >= 0 && p->bg_alpha < 1) ||
        !(p->min_diff > 0) || !(p->min_grey >= 0 && p->min_grey <= 1) ||
        p->persist_frames < 1 || p->warmup_frames < 0 || isnan(p->horizon_row))
        return fg_ctx_set(ctx, FG_EINVAL,
                          "smoke: parameters out of range (block %d, bg_alpha %g, min_diff %g, "
                          "min_grey %g, persist_frames %d, warmup_frames %d)",
                          p->block, p->bg_alpha, p->min_diff, p->min_grey, p->persist_frames,
                          p->warmup_frames);
    fg_smoke *s = fg_calloc(1, sizeof *s);
    if (!s)
        return fg_ctx_set(ctx, FG_ENOMEM, "smoke: out of memory");
    s->p = *p;
    s->w = width;
    s->h = height;
    s->bw = (width + p->block - 1) / p->block;
    s->bh = (height + p->block - 1) / p->block;
    size_t np = (size_t)width * (size_t)height, nb = (size_t)s->bw * (size_t)s->bh;
    s->by = fg_malloc(np * sizeof(float));
    s->bu = fg_malloc(np * sizeof(float));
    s->bv = fg_malloc(np * sizeof(float));
    s->iy = fg_malloc(np * sizeof(float));
    s->iu = fg_malloc(np * sizeof(float));
    s->iv = fg_malloc(np * sizeof(float));
    s->bdiff = fg_malloc(nb * sizeof(float));
    s->bgrey = fg_malloc(nb * sizeof(float));
    s->bluma = fg_malloc(nb * sizeof(float));
    s->ratio = fg_malloc(nb * sizeof(float));
    s->flag = fg_calloc(nb, 1);
    s->parent = fg_malloc(nb * sizeof *s->parent);
    s->lab = fg_calloc(nb, sizeof(int));
    s->plab = fg_calloc(nb, sizeof(int));
    s->held = fg_calloc(nb, 1);
    s->ppers = fg_calloc(nb + 1, sizeof(int));
    s->parea = fg_calloc(nb + 1, sizeof(int));
    s->reg = fg_calloc(nb + 1, sizeof(struct region));
    s->rowmean = fg_malloc((size_t)height * sizeof(float));
    if (!s->by || !s->bu || !s->bv || !s->iy || !s->iu || !s->iv || !s->bdiff || !s->bgrey ||
        !s->bluma || !s->ratio || !s->flag || !s->parent || !s->lab || !s->plab || !s->held ||
        !s->ppers || !s->parea || !s->reg || !s->rowmean) {
        fg_smoke_free(s);
        return fg_ctx_set(ctx, FG_ENOMEM, "smoke: out of memory for %dx%d frames", width,
                          height);
    }
    *out = s;
    return FG_OK;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}


/* RGB → gain-corrected YCbCr (JFIF full range, ITU-R BT.601 weights). */
static void convert_frame(fg_smoke *s, const fg_raster *rgb, float gain)
{
    const unsigned char *src = rgb->data;
    int w = s->w, h = s->h;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int r = 0; r < h; r++) {
        const unsigned char *row = src + (size_t)r * rgb->stride;
        size_t o = (size_t)r * (size_t)w;
        for (int c = 0; c < w; c++) {
            float R = row[3 * c] * gain, G = row[3 * c + 1] * gain, B = row[3 * c + 2] * gain;
            s->iy[o + c] = 0.299f * R + 0.587f * G + 0.114f * B;
            s->iu[o + c] = 128.0f - 0.168736f * R - 0.331264f * G + 0.5f * B;
            s->iv[o + c] = 128.0f + 0.5f * R - 0.418688f * G - 0.081312f * B;
        }
    }
}

/* Global gain B/I from the median block ratio of mean luminance: robust to a
 * plume or cloud covering a minority of blocks. Clamped to ±25 %. */
static float estimate_gain(fg_smoke *s, const fg_raster *rgb)
{
    int bs = s->p.block, nb = s->bw * s->bh;
    const unsigned char *src = rgb->data;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int by = 0; by < s->bh; by++) {
        for (int bx = 0; bx < s->bw; bx++) {
            double si = 0, sb = 0;
            int r1 = by * bs + bs < s->h ? by * bs + bs : s->h;
            int c1 = bx * bs + bs < s->w ? bx * bs + bs : s->w;
            for (int r = by * bs; r < r1; r++) {
                const unsigned char *row = src + (size_t)r * rgb->stride;
                for (int c = bx * bs; c < c1; c++) {
                    si += 0.299 * row[3 * c] + 0.587 * row[3 * c + 1] + 0.114 * row[3 * c + 2];
                    sb += s->by[(size_t)r * s->w + c];
                }
            }
            s->ratio[by * s->bw + bx] = si > 20.0 * (r1 - by * bs) * (c1 - bx * bs)
                                            ? (float)(sb / si)
                                            : NAN;
        }
    }
    int n = 0;
    for (int i = 0; i < nb; i++)
        if (!isnan(s->ratio[i]))
            s->ratio[n++] = s->ratio[i];
    if (n == 0)
        return 1.0f;
    qsort(s->ratio, (size_t)n, sizeof(float), cmp_float);
    float g = n % 2 ? s->ratio[n / 2] : 0.5f * (s->ratio[n / 2 - 1] + s->ratio[n / 2]);
    return g < 0.8f ? 0.8f : g > 1.25f ? 1.25f : g;
}

/* Horizon as the row of strongest vertical gradient of row-mean luminance
 * (sky over land is the dominant horizontal edge of a tower view), smoothed
 * over frames. */
static double horizon_row(fg_smoke *s)
{
    if (s->p.horizon_row >= 0)
        return s->p.horizon_row;
    for (int r = 0; r < s->h; r++) {
        double sum = 0;
        const float *y = s->iy + (size_t)r * s->w;
        for (int c = 0; c < s->w; c++)
            sum += y[c];
        s->rowmean[r] = (float)(sum / s->w);
    }
    int best = s->h / 2;
    float gbest = -1;
    for (int r = 0; r + 1 < s->h; r++) {
        float g = fabsf(s->rowmean[r + 1] - s->rowmean[r]);
        if (g > gbest) {
            gbest = g;
            best = r;
        }
    }
    double est = best + 1.0; /* the edge lies between rows best and best + 1 */
    if (!s->have_horizon) {
        s->horizon = est;
        s->have_horizon = 1;
    } else {
        s->horizon = HORIZON_EMA * s->horizon + (1 - HORIZON_EMA) * est;
    }
    return s->horizon;
}

static void block_features(fg_smoke *s)
{
    int bs = s->p.block;
    float thr = s->p.min_diff;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int by = 0; by < s->bh; by++) {
        for (int bx = 0; bx < s->bw; bx++) {
            int r1 = by * bs + bs < s->h ? by * bs + bs : s->h;
            int c1 = bx * bs + bs < s->w ? bx * bs + bs : s->w;
            double sd = 0, sg = 0, sl = 0;
            int n = 0, nc = 0;
            for (int r = by * bs; r < r1; r++) {
                size_t o = (size_t)r * s->w;
                for (int c = bx * bs; c < c1; c++) {
                    float d = fabsf(s->iy[o + c] - s->by[o + c]);
                    sd += d;
                    n++;
                    if (d > thr) {
                        nc++;
                        sg += 1.0 - (fabs(s->iu[o + c] - 128.0) + fabs(s->iv[o + c] - 128.0)) /
                                        128.0;
                        sl += s->iy[o + c];
                    }
                }
            }
            int b = by * s->bw + bx;
            s->bdiff[b] = (float)(sd / n);
            s->bgrey[b] = nc ? (float)(sg / nc) : 0.0f;
            s->bluma[b] = nc ? (float)(sl / nc) : 0.0f;
            /* changed: mean change above min_diff carried by at least a quarter
             * of the block (not by a few hot pixels) */
            s->flag[b] = s->bdiff[b] >= s->p.min_diff && 4 * nc >= n &&
                         s->bgrey[b] >= s->p.min_grey && s->bluma[b] >= GREY_Y_MIN &&
                         s->bluma[b] <= GREY_Y_MAX;
        }
    }
}

/* 4-neighbour connected regions on the block grid; labels 1..n in raster order
 * of each region's first block. Returns n. */
static int label_regions(fg_smoke *s)
{
    int bw = s->bw, nb = s->bw * s->bh;
    for (int i = 0; i < nb; i++)
        s->parent[i] = (size_t)i;
    for (int i = 0; i < nb; i++) {
        if (!s->flag[i])
            continue;
        if (i % bw > 0 && s->flag[i - 1])
            fg_uf_union(s->parent, (size_t)i, (size_t)(i - 1));
        if (i >= bw && s->flag[i - bw])
            fg_uf_union(s->parent, (size_t)i, (size_t)(i - bw));
    }
    int n = 0;
    for (int i = 0; i < nb; i++) {
        if (!s->flag[i]) {
            s->lab[i] = 0;
            continue;
        }
        int root = (int)fg_uf_find(s->parent, (size_t)i);
        if (root == i)
            s->lab[i] = ++n;
        else
            s->lab[i] = s->lab[root]; /* root < i was labelled already */
    }
    return n;
}

/* Plume base: the lowest pixel row, within the region's bottom block row and
 * the block row just below it, where changed pixels form a run (at least a
 * quarter of the busiest row, and 2 pixels) rather than isolated noise; the
 * base column is the mean column of changed pixels in those rows. */
static void refine_base(const fg_smoke *s, int label, const struct region *g, double *bx_out,
                        double *by_out)
{
    int bs = s->p.block;
    int r0 = g->by1 * bs;
    int r1 = (g->by1 + 2) * bs < s->h ? (g->by1 + 2) * bs : s->h;
    int cnt_max = 0, low = -1;
    double sx = 0;
    int nx = 0;
    /* two passes over at most 2·bs rows: busiest row, then the lowest qualifying row */
    for (int pass = 0; pass < 2; pass++) {
        for (int r = r0; r < r1; r++) {
            int cnt = 0;
            double rsx = 0;
            for (int bx = g->bx0; bx <= g->bx1; bx++) {
                if (s->lab[g->by1 * s->bw + bx] != label)
                    continue;
                int c1 = bx * bs + bs < s->w ? bx * bs + bs : s->w;
                for (int c = bx * bs; c < c1; c++) {
                    size_t o = (size_t)r * s->w + c;
                    if (fabsf(s->iy[o] - s->by[o]) > s->p.min_diff) {
                        cnt++;
                        rsx += c + 0.5;
                    }
                }
            }
            if (pass == 0) {
                if (cnt > cnt_max)
                    cnt_max = cnt;
            } else if (cnt >= 2 && 4 * cnt >= cnt_max) {
                low = r;
                sx += rsx;
                nx += cnt;
            }
        }
    }
    if (low < 0) {
        *bx_out = 0.5 * (g->bx0 + g->bx1 + 1) * bs;
        *by_out = (g->by1 + 1) * bs < s->h ? (g->by1 + 1) * bs : s->h;
        return;
    }
    *bx_out = sx / nx;
    *by_out = low + 0.5;
}

int fg_smoke_push(fg_smoke *s, const fg_raster *rgb, int64_t t_utc, fg_smoke_result *res,
                  fg_ctx *ctx)
{
    (void)t_utc; /* time-of-day history (Fuego) is not used by this first test */
    if (!s || !rgb || !res || !rgb->data)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke: missing frame or result");
    if (rgb->type != FG_PIX_U8 || rgb->channels != 3 || rgb->width != s->w ||
        rgb->height != s->h || rgb->stride < (size_t)rgb->width * 3)
        return fg_ctx_set(ctx, FG_EINVAL,
                          "smoke: frame must be %dx%d RGB U8 (got %dx%d, %d channels, type %d)",
                          s->w, s->h, rgb->width, rgb->height, rgb->channels, (int)rgb->type);
    fg_smoke_result out;
    memset(&out, 0, sizeof out);
    out.base_x = out.base_y = NAN;
    size_t np = (size_t)s->w * s->h;

    if (s->frames == 0) {
        convert_frame(s, rgb, 1.0f);
        memcpy(s->by, s->iy, np * sizeof(float));
        memcpy(s->bu, s->iu, np * sizeof(float));
        memcpy(s->bv, s->iv, np * sizeof(float));
        (void)horizon_row(s);
        s->frames = 1;
        *res = out;
        return FG_OK;
    }

    float gain = estimate_gain(s, rgb);
    convert_frame(s, rgb, gain);
    double hz = horizon_row(s);
    block_features(s);
    int n = label_regions(s);
    int bs = s->p.block;

    /* region statistics, tracking against the previous frame's regions */
    for (int k = 1; k <= n; k++) {
        struct region *g = &s->reg[k];
        memset(g, 0, sizeof *g);
        g->bx0 = s->bw;
        g->by0 = s->bh;
        g->bx1 = g->by1 = -1;
    }
    for (int i = 0; i < s->bw * s->bh; i++) {
        int k = s->lab[i];
        if (!k)
            continue;
        struct region *g = &s->reg[k];
        int bx = i % s->bw, by = i / s->bw;
        g->area++;
        g->sdiff += s->bdiff[i];
        g->sgrey += s->bgrey[i];
        if (bx < g->bx0)
            g->bx0 = bx;
        if (bx > g->bx1)
            g->bx1 = bx;
        if (by < g->by0)
            g->by0 = by;
        if (by > g->by1)
            g->by1 = by;
    }
    for (int k = 1; k <= n; k++) {
        struct region *g = &s->reg[k];
        /* the region's lowest block must lie below the horizon: its centre row */
        g->counts = (g->by1 + 0.5) * bs > hz;
        g->persisted = 0;
    }
    for (int i = 0; i < s->bw * s->bh; i++) {
        int k = s->lab[i], j = s->plab[i];
        if (!k || !j || !s->reg[k].counts || !s->ppers[j])
            continue;
        struct region *g = &s->reg[k];
        int cand = g->area >= SHRINK_TOL * s->parea[j] ? s->ppers[j] + 1 : 1;
        if (cand > g->persisted)
            g->persisted = cand;
    }
    int allow = s->frames >= s->p.warmup_frames;
    int best = 0;
    for (int k = 1; k <= n; k++) {
        struct region *g = &s->reg[k];
        if (!g->counts)
            continue;
        if (g->persisted == 0)
            g->persisted = 1;
        /* score: change strength (saturating at 4× min_diff), greyness above
         * the threshold, and persistence toward persist_frames */
        double dm = g->sdiff / g->area, gm = g->sgrey / g->area;
        double sc = dm / (4.0 * s->p.min_diff);
        double sg = s->p.min_grey < 1 ? (gm - s->p.min_grey) / (1.0 - s->p.min_grey) : 1.0;
        double sp = (double)g->persisted / s->p.persist_frames;
        sc = sc > 1 ? 1 : sc;
        sg = sg < 0 ? 0 : sg > 1 ? 1 : sg;
        sp = sp > 1 ? 1 : sp;
        g->score = (float)(0.4 * sc + 0.2 * sg + 0.4 * sp);
        g->alarm = allow && g->persisted >= s->p.persist_frames;
        if (!best || g->alarm > s->reg[best].alarm ||
            (g->alarm == s->reg[best].alarm && g->score > s->reg[best].score))
            best = k;
    }

    if (best) {
        struct region *g = &s->reg[best];
        out.alarm = g->alarm;
        out.score = g->score;
        out.persisted = g->persisted;
        out.x = g->bx0 * bs;
        out.y = g->by0 * bs;
        out.w = ((g->bx1 + 1) * bs < s->w ? (g->bx1 + 1) * bs : s->w) - out.x;
        out.h = ((g->by1 + 1) * bs < s->h ? (g->by1 + 1) * bs : s->h) - out.y;
        refine_base(s, best, g, &out.base_x, &out.base_y);
    }

    /* remember counted regions for the next frame's overlap test */
    memset(s->ppers, 0, (size_t)(n + 1) * sizeof(int));
    for (int k = 1; k <= n; k++) {
        s->ppers[k] = s->reg[k].counts ? s->reg[k].persisted : 0;
        s->parea[k] = s->reg[k].area;
    }
    for (int i = 0; i < s->bw * s->bh; i++) {
        s->plab[i] = s->lab[i];
        s->held[i] = s->lab[i] && s->reg[s->lab[i]].counts;
    }
    s->nprev = n;

    /* background update B ← aB + (1 − a)I, slower inside counted regions */
    float a = s->p.bg_alpha;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int r = 0; r < s->h; r++) {
        size_t o = (size_t)r * s->w;
        const unsigned char *held = s->held + (size_t)(r / bs) * s->bw;
        for (int c = 0; c < s->w; c++) {
            float ak = held[c / bs] ? BG_ALPHA_HELD : a;
            s->by[o + c] = ak * s->by[o + c] + (1 - ak) * s->iy[o + c];
            s->bu[o + c] = ak * s->bu[o + c] + (1 - ak) * s->iu[o + c];
            s->bv[o + c] = ak * s->bv[o + c] + (1 - ak) * s->iv[o + c];
        }
    }
    s->frames++;
    *res = out;
    return FG_OK;
}
