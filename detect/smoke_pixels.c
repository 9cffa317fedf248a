/* smoke_pixels.c — the camera smoke detector's pixel stage: block sums of a frame, its change against the backgrounds, the background update. */
/* SPDX-License-Identifier: MIT */
/*
 * Two passes over a frame, each over block rows in parallel, each reading
 * the frame's JFIF YCbCr 4:2:0 planes (FG_PIX_YCC420: the bytes a JPEG
 * stores, as TurboJPEG decodes them; detect/ycc.c) and computing a pixel's
 * gained values where it needs them. No frame planes are kept: at 1536×1024
 * one float plane is 6 MB, and the detector's time went into moving such
 * planes, not into arithmetic.
 *
 *   fg_smoke_pass_sums   ΣY of each block (gain 1) and each row's mean Y (the
 *                        horizon profile) from integer sums of the Y bytes:
 *                        the gain and the local offsets need them before any
 *                        change can be measured;
 *   fg_smoke_pass_frame  the change features of each block against the slow
 *                        background, and in the same pass the running
 *                        averages B ← a·B + (1 − a)·I with the normal weight
 *                        a, each row updated once the rows that compare with
 *                        it are done (the rows next to another block row's
 *                        are compared with copies taken before the pass),
 *                        and Σ of the new slow Y of each block; two rows
 *                        (one chroma cell row) at a time.
 *
 * Until fg_smoke_hold, every updated pixel holds a·B_old + (1 − a)·I, so the
 * few blocks the later stages look at take B_old back as
 * (B − (1 − a)·I) / a (a float rounding away from the stored value);
 * fg_smoke_hold then redoes the blocks of the regions being confirmed with
 * their slow weight.
 *
 * Values: the gained pixel g·Y, and its 2×2 chroma cell's g·(Cb − 128),
 * g·(Cr − 128) (JFIF full-range BT.601, ITU-T T.871). A JPEG stores chroma
 * once per cell (4:2:0, ITU-T T.81), so the slow chroma backgrounds are kept
 * per cell, and a changed pixel's colourless score is its cell's.
 *
 * The slow chroma and the fast luminance backgrounds are 16-bit fixed point,
 * 1/128 DN (smoke_int.h: bg_get, bg_put): the backgrounds of a 1536×1024 view
 * take 11 MB (25 MB as four float planes), and the update reads and writes
 * fewer bytes. A running average then stops moving when its step
 * (1 − a)·|I − B| is below 1/256 DN: 0.04 DN at the slow weight 0.9, 0.8 DN
 * while a region is held (0.995), far below the 3 DN floor of a change. The
 * slow luminance, which every change is measured against, stays float.
 *
 * Sums: a pass adds the rows of a block row column by column in float (at
 * most `block` values), then each block's columns in float (block_reduce:
 * pairwise for 8-pixel blocks), in integers for the bytes. The order is
 * fixed, so the bytes do not depend on the thread count.
 */
#include "detect/detect.h"
#include "detect/detect_int.h"
#include "detect/smoke_int.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Rows of a thread's scratch, each of the frame's width plus SCR_PAD
 * floats: rows a multiple of 4 KiB apart would make the stores to one and
 * the loads from another alias in the core's store buffer (4K aliasing). */
#define SCR_ROWS 12
#define SCR_PAD 40

static inline const unsigned char *y_row(const fg_raster *f, int r)
{
    return (const unsigned char *)f->data + (size_t)r * f->stride;
}

static inline const unsigned char *cb_row(const fg_raster *f, int i)
{
    return fg_ycc_cb(f) + (size_t)i * (size_t)fg_ycc_cw(f);
}

static inline const unsigned char *cr_row(const fg_raster *f, int i)
{
    return fg_ycc_cr(f) + (size_t)i * (size_t)fg_ycc_cw(f);
}

float fg_smoke_px_luma(const fg_raster *f, float g, int r, int c)
{
    return g * (float)y_row(f, r)[c];
}

/* Gained Cb, Cr of chroma cell (i, j). */
static void cell_chroma(const fg_raster *f, float g, int i, int j, float *u, float *v)
{
    *u = g * ((float)cb_row(f, i)[j] - 128.0f);
    *v = g * ((float)cr_row(f, i)[j] - 128.0f);
}

/* Gained luminance of a row of n Y bytes. */
FG_HOT_LOOP static void luma_row(int n, float g, const unsigned char *restrict Y,
                                 float *restrict y)
{
    for (int c = 0; c < n; c++)
        y[c] = g * (float)Y[c];
}

/* Colourless score 1 − (|Cb| + |Cr|)/128 of a row's n pixels, each its
 * cell's (gained chroma of the cell row cb, cr). */
FG_HOT_LOOP static void grey_row(int n, float g, const unsigned char *restrict cb,
                                 const unsigned char *restrict cr, float *restrict grey)
{
    for (int j = 0; j < (n + 1) / 2; j++) {
        float u = g * ((float)cb[j] - 128.0f), v = g * ((float)cr[j] - 128.0f);
        float t = 1.0f - (fabsf(u) + fabsf(v)) / 128.0f;
        grey[2 * j] = t;
        grey[2 * j + 1] = t; /* an odd row's last writes one past n: the scratch's pad */
    }
}

/* A row of n Y bytes added to the column sums col (which the first row of a
 * block row starts); returns the row's ΣY. */
FG_HOT_LOOP static uint32_t y_sums(const unsigned char *restrict row, int n, int first,
                                   uint16_t *restrict col)
{
    uint32_t t = 0;
    for (int c = 0; c < n; c++) {
        col[c] = (uint16_t)((first ? 0 : col[c]) + row[c]);
        t += row[c];
    }
    return t;
}

/* ΣY of each block from the column sums of its rows (bs ≤ 256: a column
 * stays below 2^16, a block below 2^32). */
FG_HOT_LOOP static void block_luma(const uint16_t *restrict col, int bw, int bs,
                                   double *restrict out)
{
    for (int bx = 0; bx < bw; bx++) {
        const uint16_t *p = col + (size_t)bx * bs;
        uint32_t t = 0;
        for (int i = 0; i < bs; i++)
            t += p[i];
        out[bx] = t;
    }
}

/* Σ over each block's columns of a column-sum row, in float: pairs, then
 * pairs of pairs for 8-pixel blocks (the default), else left to right. */
FG_HOT_LOOP static void block_reduce(const float *restrict col, int bw, int bs,
                                     float *restrict out)
{
    if (bs == 8) {
        for (int bx = 0; bx < bw; bx++) {
            const float *p = col + 8 * (size_t)bx;
            out[bx] = ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
        }
        return;
    }
    for (int bx = 0; bx < bw; bx++) {
        float t = 0;
        for (int c = bx * bs; c < bx * bs + bs; c++)
            t += col[c];
        out[bx] = t;
    }
}

int fg_smoke_scratch(fg_smoke *s)
{
    int n = fg_smoke_threads();
    if (n <= s->nscr)
        return FG_OK;
    /* the passes' rows, or a block with a one-pixel border (activity) */
    size_t per = (size_t)SCR_ROWS * ((size_t)s->w + SCR_PAD),
           blk = (size_t)(s->p.block + 2) * (s->p.block + 2);
    s->scr_per = per > blk ? per : blk;
    float *p = fg_malloc((size_t)n * s->scr_per * sizeof *p);
    if (!p)
        return FG_ENOMEM;
    fg_free(s->scr);
    s->scr = p;
    s->nscr = n;
    return FG_OK;
}

static float *thread_scratch(const fg_smoke *s)
{
    int t = 0;
#ifdef _OPENMP
    t = omp_get_thread_num();
#endif
    return s->scr + (size_t)t * s->scr_per;
}

void fg_smoke_pass_sums(fg_smoke *s, const fg_raster *f)
{
    int bs = s->p.block, w = s->w, bw = s->bw;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int by = 0; by < s->bh; by++) {
        uint16_t *col = (uint16_t *)thread_scratch(s);
        for (int r = by * bs; r < by * bs + bs; r++)
            s->lrow[r] = (double)y_sums(y_row(f, r), w, r == by * bs, col) / w;
        block_luma(col, bw, bs, s->ysum + (size_t)by * bw);
    }
    uint16_t *col = (uint16_t *)s->scr;
    for (int r = s->bh * bs; r < s->h; r++)
        s->lrow[r] = (double)y_sums(y_row(f, r), w, 1, col) / w;
}

/* Signed difference v − B at the one of the 3×3 background pixels around
 * (r, c) that is closest to v: a tower camera sways by up to a pixel at the
 * working scale, and a change that a one-pixel shift of the background
 * explains is not new content (the neighbourhood displacement test of
 * Elgammal, Harwood & Davis 2000, ECCV, "Non-parametric model for background
 * subtraction", §3). rows: the background rows above, at and below (the
 * frame's edge rows repeated); columns are clamped at the frame edge. */
static float nbr_diff(const float *const rows[3], int w, int c, float v)
{
    float best = v - rows[1][c];
    for (int dr = 0; dr < 3; dr++)
        for (int dc = -1; dc <= 1; dc++) {
            int cc = c + dc < 0 ? 0 : c + dc >= w ? w - 1 : c + dc;
            float d = v - rows[dr][cc];
            if (fabsf(d) < fabsf(best))
                best = d;
        }
    return best;
}

/* Column sums of a changed pixel (column c, signed change d against the
 * background): |change| of all pixels, and of the pixels changed by more
 * than thr their count, signed change, colourless score (grey_row) and
 * luminance. Unchanged pixels add +0.0, which leaves every sum as it is, and
 * no branch follows the noise. */
static inline void add_change(int c, float d, float thr, const float *y, const float *gr,
                              float *sd, float *nc, float *ss, float *sg, float *sl)
{
    float a = fabsf(d), yv = y[c], grey = gr[c];
    int ch = a > thr;
    sd[c] += a;
    nc[c] += ch ? 1.0f : 0.0f;
    ss[c] += ch ? d : 0.0f;
    sg[c] += ch ? grey : 0.0f;
    sl[c] += ch ? yv : 0.0f;
}

/* Of two signed differences the one closer to 0, the first when equally
 * close: the first minimum of a sequence is that of its halves' first
 * minima, so a tree of sel takes the same one as a scan, with half the
 * chain of dependent selections. */
static inline float sel(float a, float b) { return fabsf(b) < fabsf(a) ? b : a; }

/* One pair of rows (the two rows of a chroma cell row: one offset row o
 * and one colourless-score row gr), columns c0..c1 − 1 (not the frame's edge
 * columns): each pixel with its block's offset, v = y + o, against the
 * closest of its 3×3 background pixels (the upper row's among up, B0, B1,
 * the lower row's among B0, B1, dn; the first of equally close ones in
 * nbr_diff's order, which is the centre first, then row by row), into the
 * column sums, the upper row's change before the lower row's. */
FG_HOT_LOOP static void change_pair(int c0, int c1, float thr, const float *restrict up,
                                    const float *restrict B0, const float *restrict B1,
                                    const float *restrict dn, const float *restrict y0,
                                    const float *restrict y1, const float *restrict o,
                                    const float *restrict gr, float *restrict sd,
                                    float *restrict nc, float *restrict ss, float *restrict sg,
                                    float *restrict sl)
{
    for (int c = c0; c < c1; c++) {
        float x = y0[c] + o[c], z = y1[c] + o[c];
        float p = sel(sel(x - B0[c], x - up[c - 1]), sel(x - up[c], x - up[c + 1]));
        float q = sel(sel(x - B0[c - 1], x - B0[c + 1]), sel(x - B1[c - 1], x - B1[c]));
        float bx = sel(sel(p, q), x - B1[c + 1]);
        p = sel(sel(z - B1[c], z - B0[c - 1]), sel(z - B0[c], z - B0[c + 1]));
        q = sel(sel(z - B1[c - 1], z - B1[c + 1]), sel(z - dn[c - 1], z - dn[c]));
        float bz = sel(sel(p, q), z - dn[c + 1]);
        add_change(c, bx, thr, y0, gr, sd, nc, ss, sg, sl);
        add_change(c, bz, thr, y1, gr, sd, nc, ss, sg, sl);
    }
}

/* Running averages of one row's pixels: B ← a·B + (1 − a)·I (slow Y; fast Y
 * with af), and the new slow Y added to the column sums col (which the first
 * row of a block row starts). */
FG_HOT_LOOP static void update_row(int n, float a, float af, const float *restrict y,
                                   float *restrict bsy, uint16_t *restrict bfy, int first,
                                   float *restrict col)
{
    for (int c = 0; c < n; c++) {
        float b = a * bsy[c] + (1 - a) * y[c];
        bsy[c] = b;
        bfy[c] = bg_put(af * bg_get(bfy[c]) + (1 - af) * y[c]);
        col[c] = (first ? 0.0f : col[c]) + b;
    }
}

/* Running averages of a row of n chroma cells from the frame's cell row
 * (cb, cr bytes, gain g). */
FG_HOT_LOOP static void update_cells(int n, float a, float g, const unsigned char *restrict cb,
                                     const unsigned char *restrict cr, uint16_t *restrict bsu,
                                     uint16_t *restrict bsv)
{
    for (int j = 0; j < n; j++) {
        bsu[j] = bg_put_c(a * bg_get_c(bsu[j]) + (1 - a) * (g * ((float)cb[j] - 128.0f)));
        bsv[j] = bg_put_c(a * bg_get_c(bsv[j]) + (1 - a) * (g * ((float)cr[j] - 128.0f)));
    }
}

/* A row of the slow background added to the column sums (the first row of a
 * block row starts them). */
FG_HOT_LOOP static void sum_row(int n, int first, const float *restrict bsy, float *restrict col)
{
    for (int c = 0; c < n; c++)
        col[c] = (first ? 0.0f : col[c]) + bsy[c];
}

/* The background rows next to each boundary between block rows, as they
 * are before the pass: edge[2k] = row k·bs − 1 (above block row k), edge[2k +
 * 1] = row (k + 1)·bs (below it). */
static void copy_edges(fg_smoke *s)
{
    int bs = s->p.block, w = s->w;
    size_t rb = (size_t)w * sizeof(float);
    for (int k = 0; k < s->bh; k++) {
        if (k > 0)
            memcpy(s->edge + (size_t)(2 * k) * w, s->bsy + (size_t)(k * bs - 1) * w, rb);
        if (k + 1 < s->bh)
            memcpy(s->edge + (size_t)(2 * k + 1) * w, s->bsy + (size_t)((k + 1) * bs) * w, rb);
    }
}

void fg_smoke_pass_frame(fg_smoke *s, const fg_raster *f)
{
    int bs = s->p.block, w = s->w, h = s->h, bw = s->bw, bh = s->bh, cw = bw * bs;
    float thr = s->p.min_diff, g = s->gain, a = s->p.bg_alpha, af = s->p.bg_alpha_fast;
    copy_edges(s);
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int by = 0; by < bh; by++) {
        size_t W = (size_t)w + SCR_PAD;
        float *y3 = thread_scratch(s), *gr = y3 + 3 * W, *o = gr + W, *sd = o + W, *nc = sd + W,
              *ss = nc + W, *sg = ss + W, *sl = sg + W, *col = sl + W;
        for (int bx = 0; bx < bw; bx++)
            for (int c = bx * bs; c < bx * bs + bs; c++)
                o[c] = s->boff[by * bw + bx];
        memset(sd, 0, 5 * W * sizeof *sd); /* the change sums */
        int r0 = by * bs, r1 = r0 + bs, c1 = cw < w ? cw : w - 1;
        /* the gained luminance of row r, in slot (r − r0 + 1) % 3 of y3 */
#define YROW(r) (y3 + (size_t)(((r) - r0 + 1) % 3) * W)
        /* row pairs r, r + 1: a block row starts on an even row (even block
         * size), so a pair is one chroma cell row */
        for (int r = r0; r < r1; r += 2) {
            float *ya = YROW(r), *yb = YROW(r + 1);
            luma_row(w, g, y_row(f, r), ya);
            luma_row(w, g, y_row(f, r + 1), yb);
            grey_row(w, g, cb_row(f, r / 2), cr_row(f, r / 2), gr);
            update_cells(s->cw, a, g, cb_row(f, r / 2), cr_row(f, r / 2),
                         s->bsu + (size_t)(r / 2) * s->cw, s->bsv + (size_t)(r / 2) * s->cw);
            /* the background rows around the pair as they were before the
             * pass: those next to another block row from the copies, the
             * frame's edge rows repeated */
            const float *B0 = s->bsy + (size_t)r * w, *B1 = B0 + w;
            const float *up = r == 0 ? B0 : r == r0 ? s->edge + (size_t)(2 * by) * w : B0 - w;
            const float *dn = r + 2 == h                    ? B1
                              : r + 2 == r1 && by + 1 < bh ? s->edge + (size_t)(2 * by + 1) * w
                                                           : B1 + w;
            change_pair(1, c1, thr, up, B0, B1, dn, ya, yb, o, gr, sd, nc, ss, sg, sl);
            /* the frame's edge columns (and a last block at the edge) */
            const float *ra[3] = {up, B0, B1}, *rz[3] = {B0, B1, dn};
            for (int c = 0; c < cw; c = c + 1 == 1 ? c1 : c + 1) {
                add_change(c, nbr_diff(ra, w, c, ya[c] + o[c]), thr, ya, gr, sd, nc, ss, sg, sl);
                add_change(c, nbr_diff(rz, w, c, yb[c] + o[c]), thr, yb, gr, sd, nc, ss, sg, sl);
            }
            /* rows r − 1 and r are no longer compared with: update them */
            if (r > r0)
                update_row(w, a, af, YROW(r - 1), s->bsy + (size_t)(r - 1) * w,
                           s->bfy + (size_t)(r - 1) * w, r - 1 == r0, col);
            update_row(w, a, af, ya, s->bsy + (size_t)r * w, s->bfy + (size_t)r * w, r == r0,
                       col);
        }
        update_row(w, a, af, YROW(r1 - 1), s->bsy + (size_t)(r1 - 1) * w,
                   s->bfy + (size_t)(r1 - 1) * w, 0, col);
#undef YROW
        /* each block's columns (the row scratch y3 … is free now) */
        float *td = y3, *tn = td + bw, *ts = tn + bw, *tg = ts + bw, *tl = tg + bw, *tb = tl + bw;
        block_reduce(sd, bw, bs, td);
        block_reduce(nc, bw, bs, tn);
        block_reduce(ss, bw, bs, ts);
        block_reduce(sg, bw, bs, tg);
        block_reduce(sl, bw, bs, tl);
        block_reduce(col, bw, bs, tb);
        for (int bx = 0; bx < bw; bx++) {
            int b = by * bw + bx, n = bs * bs, k = (int)tn[bx];
            s->bdiff[b] = (float)((double)td[bx] / n);
            s->bchg[b] = (float)k / n;
            s->bgrey[b] = k ? (float)((double)tg[bx] / k) : 0.0f;
            s->bluma[b] = k ? (float)((double)tl[bx] / k) : 0.0f;
            s->bsign[b] = k ? (float)((double)ts[bx] / k) : 0.0f;
            s->bsum[b] = tb[bx];
        }
    }
}

/* The value a background pixel had before fg_smoke_pass_frame updated it
 * with weight a towards i (rows below the last block row are never updated). */
static inline float before(const fg_smoke *s, float bnew, float a, float i, int r)
{
    return r < s->bh * s->p.block ? (bnew - (1 - a) * i) / a : bnew;
}

float fg_smoke_old_bsy(const fg_smoke *s, const fg_raster *f, int r, int c)
{
    return before(s, s->bsy[(size_t)r * s->w + c], s->p.bg_alpha,
                  fg_smoke_px_luma(f, s->gain, r, c), r);
}

/* Σ of the slow Y of block b, in the order of the pass (each column down
 * the block's rows, then block_reduce), so a block redone here or a loaded
 * state's sums are the bytes the pass would give. */
static double block_bsum(const fg_smoke *s, int b)
{
    int bs = s->p.block, w = s->w, c0 = (b % s->bw) * bs, r0 = (b / s->bw) * bs;
    float col[256], out;
    for (int j = 0; j < bs; j++) {
        float t = s->bsy[(size_t)r0 * w + c0 + j];
        for (int r = r0 + 1; r < r0 + bs; r++)
            t += s->bsy[(size_t)r * w + c0 + j];
        col[j] = t;
    }
    block_reduce(col, 1, bs, &out);
    return out;
}

void fg_smoke_hold(fg_smoke *s, const fg_raster *f, float a_held)
{
    int bs = s->p.block, w = s->w;
    float a = s->p.bg_alpha, g = s->gain;
    for (int b = 0; b < s->nb; b++) {
        if (!s->held[b])
            continue;
        int c0 = (b % s->bw) * bs, r0 = (b / s->bw) * bs;
        for (int r = r0; r < r0 + bs; r++) {
            for (int c = c0; c < c0 + bs; c++) {
                size_t o = (size_t)r * w + c;
                float y = fg_smoke_px_luma(f, g, r, c);
                s->bsy[o] = a_held * before(s, s->bsy[o], a, y, r) + (1 - a_held) * y;
            }
        }
        /* the block's chroma cells (an even block holds whole cells) */
        for (int i = r0 / 2; i < (r0 + bs) / 2; i++) {
            for (int j = c0 / 2; j < (c0 + bs) / 2; j++) {
                size_t o = (size_t)i * s->cw + j;
                float cb, cr;
                cell_chroma(f, g, i, j, &cb, &cr);
                s->bsu[o] = bg_put_c(a_held * before(s, bg_get_c(s->bsu[o]), a, cb, 2 * i) +
                                     (1 - a_held) * cb);
                s->bsv[o] = bg_put_c(a_held * before(s, bg_get_c(s->bsv[o]), a, cr, 2 * i) +
                                     (1 - a_held) * cr);
            }
        }
        s->bsum[b] = block_bsum(s, b);
    }
}

void fg_smoke_bg_sums(fg_smoke *s)
{
    int bs = s->p.block, w = s->w, bw = s->bw;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int by = 0; by < s->bh; by++) {
        float *col = thread_scratch(s), *tb = col + w;
        for (int r = by * bs; r < by * bs + bs; r++)
            sum_row(w, r == by * bs, s->bsy + (size_t)r * w, col);
        block_reduce(col, bw, bs, tb);
        for (int bx = 0; bx < bw; bx++)
            s->bsum[by * bw + bx] = tb[bx];
    }
}

void fg_smoke_pass_start(fg_smoke *s, const fg_raster *f)
{
    int w = s->w;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int r = 0; r < s->h; r++) {
        size_t o = (size_t)r * w;
        float *y = s->bsy + o;
        luma_row(w, 1.0f, y_row(f, r), y);
        for (int c = 0; c < w; c++)
            s->bfy[o + c] = bg_put(y[c]);
    }
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int i = 0; i < s->ch; i++)
        for (int j = 0; j < s->cw; j++) {
            float cb, cr;
            cell_chroma(f, 1.0f, i, j, &cb, &cr);
            s->bsu[(size_t)i * s->cw + j] = bg_put_c(cb);
            s->bsv[(size_t)i * s->cw + j] = bg_put_c(cr);
        }
    fg_smoke_bg_sums(s);
}

float fg_smoke_block_activity(const fg_smoke *s, const fg_raster *f, int b)
{
    int bs = s->p.block, w = s->w, h = s->h, c0 = (b % s->bw) * bs, r0 = (b / s->bw) * bs;
    int cl = c0 > 0 ? c0 - 1 : 0, cr = c0 + bs < w ? c0 + bs : w - 1;
    float off = s->boff[b], g = s->gain, af = s->p.bg_alpha_fast;
    /* the fast background before this frame's update, rows r0 − 1 … r0 + bs
     * (clamped), columns cl … cr, in the thread's scratch */
    float *old = thread_scratch(s);
    int nw = cr - cl + 1;
    for (int k = 0; k < bs + 2; k++) {
        int r = r0 - 1 + k;
        r = r < 0 ? 0 : r >= h ? h - 1 : r;
        for (int c = cl; c <= cr; c++)
            old[k * nw + (c - cl)] =
                before(s, bg_get(s->bfy[(size_t)r * w + c]), af, fg_smoke_px_luma(f, g, r, c), r);
    }
    double sa = 0;
    for (int r = r0; r < r0 + bs; r++) {
        const float *rows[3] = {old + (r - r0) * nw - cl, old + (r - r0 + 1) * nw - cl,
                                old + (r - r0 + 2) * nw - cl};
        for (int c = c0; c < c0 + bs; c++)
            sa += fabsf(nbr_diff(rows, w, c, fg_smoke_px_luma(f, g, r, c) + off));
    }
    return (float)(sa / (bs * bs));
}

/* Where the ratios of a block are taken from: the gained frame, the slow
 * background as it was before fg_smoke_pass_frame, or as it stands. */
enum ratio_src { OF_FRAME, OF_OLD_BG, OF_BG };

/* Luminance of pixel (r, c) in src. */
static float src_luma(const fg_smoke *s, const fg_raster *f, enum ratio_src src, int r, int c)
{
    if (src == OF_FRAME)
        return fg_smoke_px_luma(f, s->gain, r, c);
    if (src == OF_OLD_BG)
        return fg_smoke_old_bsy(s, f, r, c);
    return s->bsy[(size_t)r * s->w + c];
}

/* Chroma size |Cb| + |Cr| of pixel (r, c) in src: its chroma cell's. */
static float src_chroma(const fg_smoke *s, const fg_raster *f, enum ratio_src src, int r, int c)
{
    size_t o = (size_t)(r / 2) * s->cw + c / 2;
    if (src == OF_BG)
        return fabsf(bg_get_c(s->bsu[o])) + fabsf(bg_get_c(s->bsv[o]));
    float u, v;
    cell_chroma(f, s->gain, r / 2, c / 2, &u, &v);
    if (src == OF_FRAME)
        return fabsf(u) + fabsf(v);
    float a = s->p.bg_alpha;
    return fabsf(before(s, bg_get_c(s->bsu[o]), a, u, r)) +
           fabsf(before(s, bg_get_c(s->bsv[o]), a, v, r));
}

/* ΣY, Σ(|Cb| + |Cr|) and Σ|4-neighbour Laplacian| (taps clamped at the frame
 * edge) over block b's pixels in raster order, as ratios. */
static void block_ratio(const fg_smoke *s, const fg_raster *f, enum ratio_src src, int b,
                        float *sat, float *con)
{
    int bs = s->p.block, w = s->w, h = s->h, c0 = (b % s->bw) * bs, r0 = (b / s->bw) * bs;
    double sy = 0, sc = 0, sl = 0;
    for (int r = r0; r < r0 + bs; r++) {
        int ru = r > 0 ? r - 1 : r, rd = r + 1 < h ? r + 1 : r;
        for (int c = c0; c < c0 + bs; c++) {
            int cl = c > 0 ? c - 1 : c, cr = c + 1 < w ? c + 1 : c;
            float y = src_luma(s, f, src, r, c);
            sy += y;
            sc += src_chroma(s, f, src, r, c);
            sl += fabs(4.0 * y - src_luma(s, f, src, r, cl) - src_luma(s, f, src, r, cr) -
                       src_luma(s, f, src, ru, c) - src_luma(s, f, src, rd, c));
        }
    }
    fg_smoke_ratio_finish(bs, sy, sc, sl, sat, con);
}

void fg_smoke_old_bg_ratio(const fg_smoke *s, const fg_raster *f, int b, float *sat, float *con)
{
    block_ratio(s, f, OF_OLD_BG, b, sat, con);
}

void fg_smoke_frame_ratio(const fg_smoke *s, const fg_raster *f, int b, float *sat, float *con)
{
    block_ratio(s, f, OF_FRAME, b, sat, con);
}

void fg_smoke_bg_ratio(const fg_smoke *s, int b, float *sat, float *con)
{
    block_ratio(s, NULL, OF_BG, b, sat, con);
}
