/* smoke_pixels.c — the camera smoke detector's pixel stage: block sums of a frame, its change against the backgrounds, the background update. */
/* SPDX-License-Identifier: MIT */
/*
 * Two passes over a frame, each over block rows in parallel, each reading
 * the decoded RGB bytes and computing a pixel's gained YCbCr where it needs
 * it. No frame planes are kept: at 1536×1024 one float plane is 6 MB, and
 * the detector's time went into moving such planes, not into arithmetic.
 *
 *   fg_smoke_pass_sums   ΣY of each block (gain 1) and each row's mean Y (the
 *                        horizon profile) from integer sums of the bytes: the
 *                        gain and the local offsets need them before any
 *                        change can be measured;
 *   fg_smoke_pass_frame  the change features of each block against the slow
 *                        background, and in the same pass the running
 *                        averages B ← a·B + (1 − a)·I with the normal weight
 *                        a, each row updated once the rows that compare with
 *                        it are done (the rows next to another block row's
 *                        are compared with copies taken before the pass),
 *                        and Σ of the new slow Y of each block.
 *
 * Until fg_smoke_hold, every updated pixel holds a·B_old + (1 − a)·I, so the
 * few blocks the later stages look at take B_old back as
 * (B − (1 − a)·I) / a (a float rounding away from the stored value);
 * fg_smoke_hold then redoes the blocks of the regions being confirmed with
 * their slow weight.
 *
 * Colour: JFIF full-range BT.601 (ITU-T T.871) of the gain-corrected pixel
 * g·(R, G, B): Y = g·(0.299R + 0.587G + 0.114B), Cb and Cr centred on 0.
 * px_ycc is the one expression; rows and single pixels use it alike, so a
 * block's values taken on demand are the bytes the row passes see.
 *
 * The slow chroma backgrounds are kept per 2×2 chroma cell, the resolution at
 * which a JPEG stores chroma (4:2:0, ITU-T T.81 / JFIF): a cell's frame value
 * is the mean of its pixels' ((c00 + c01) + (c10 + c11)) / 4, the same
 * expression for rows and single cells. The change features still take
 * each pixel's own chroma.
 *
 * The slow chroma and the fast luminance backgrounds are 16-bit fixed point,
 * 1/128 DN (smoke_int.h: bg_get, bg_put): the backgrounds of a 1536×1024 view
 * take 11 MB (25 MB as four float planes), and the update reads and writes
 * fewer bytes (per cell, the chroma moved from 1.61–1.62× the decode time to
 * 1.58–1.61× in scripts/bench_cam.sh at 3072×2048). A
 * running average then stops moving when its step (1 − a)·|I − B| is below
 * 1/256 DN: 0.04 DN at the slow weight 0.9, 0.8 DN while a region is held
 * (0.995), far below the 3 DN floor of a change. The slow luminance, which
 * every change is measured against, stays float.
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

/* Floats per column of a thread's scratch (rows of one block row). */
#define SCR_ROWS 16

static inline void px_ycc(const unsigned char *px, float g, float *y, float *cb, float *cr)
{
    float R = px[0], G = px[1], B = px[2];
    *y = g * (0.299f * R + 0.587f * G + 0.114f * B);
    *cb = g * (-0.168736f * R - 0.331264f * G + 0.5f * B);
    *cr = g * (0.5f * R - 0.418688f * G - 0.081312f * B);
}

float fg_smoke_px_luma(const fg_raster *rgb, float g, int r, int c)
{
    float y, cb, cr;
    px_ycc((const unsigned char *)rgb->data + (size_t)r * rgb->stride + 3 * (size_t)c, g, &y, &cb,
           &cr);
    return y;
}

/* Gained Cb, Cr of chroma cell (i, j): the mean of its pixels (2×2; one row
 * or column at an odd frame's last). */
static void cell_chroma(const fg_raster *rgb, float g, int i, int j, float *u, float *v)
{
    int w = rgb->width, h = rgb->height, nr = 2 * i + 1 < h ? 2 : 1, nc = 2 * j + 1 < w ? 2 : 1;
    float su[2] = {0, 0}, sv[2] = {0, 0};
    for (int k = 0; k < nr; k++) {
        const unsigned char *px = (const unsigned char *)rgb->data +
                                  (size_t)(2 * i + k) * rgb->stride + 3 * (size_t)(2 * j);
        float y, cb0, cr0, cb1, cr1;
        px_ycc(px, g, &y, &cb0, &cr0);
        su[k] = cb0;
        sv[k] = cr0;
        if (nc == 2) {
            px_ycc(px + 3, g, &y, &cb1, &cr1);
            su[k] = cb0 + cb1;
            sv[k] = cr0 + cr1;
        }
    }
    float f = nr * nc == 4 ? 0.25f : nr * nc == 2 ? 0.5f : 1.0f;
    *u = (nr == 2 ? su[0] + su[1] : su[0]) * f;
    *v = (nr == 2 ? sv[0] + sv[1] : sv[0]) * f;
}

FG_HOT_LOOP static void ycc_row(const unsigned char *restrict row, int n, float g,
                                float *restrict y, float *restrict cb, float *restrict cr)
{
    for (int c = 0; c < n; c++)
        px_ycc(row + 3 * c, g, &y[c], &cb[c], &cr[c]);
}

/* The bytes of an RGB row (n pixels) added to the column sums col[0..3n)
 * (which the first row of a block row starts);
 * returns 1000 × the row's ΣY (gain 1), from integers, so exact. wt holds
 * the BT.601 weights ×1000 (299, 587, 114: exact in thousandths) repeated
 * along the row (fg_smoke_alloc_state). */
FG_HOT_LOOP static uint64_t byte_sums(const unsigned char *restrict row, int n, int first,
                                      const uint16_t *restrict wt, uint16_t *restrict col)
{
    int nb = 3 * n;
    for (int k = 0; k < nb; k++)
        col[k] = (uint16_t)((first ? 0 : col[k]) + row[k]);
    uint64_t t = 0;
    /* 4096 bytes × 255 × 587 < 2^32 */
    for (int i0 = 0; i0 < nb; i0 += 4096) {
        int i1 = nb - i0 < 4096 ? nb : i0 + 4096;
        uint32_t acc = 0;
        for (int i = i0; i < i1; i++)
            acc += (uint32_t)row[i] * wt[i];
        t += acc;
    }
    return t;
}

/* ΣY (gain 1) of each block from the byte column sums of its rows: the
 * weights ×1000 against the sums, in integers (bs ≤ 32: a block's 3·bs
 * columns of at most 32·255 times 587 stay below 2^32), then / 1000. */
FG_HOT_LOOP static void block_luma(const uint16_t *restrict col, const uint16_t *restrict wt,
                                   int bw, int bs, double *restrict out)
{
    int n = 3 * bs;
    for (int bx = 0; bx < bw; bx++) {
        const uint16_t *p = col + (size_t)bx * n;
        if (bs <= 32) {
            uint32_t t = 0;
            for (int i = 0; i < n; i++)
                t += (uint32_t)p[i] * wt[i];
            out[bx] = t / 1000.0;
        } else {
            uint64_t t = 0;
            for (int i = 0; i < n; i++)
                t += (uint64_t)p[i] * wt[i];
            out[bx] = (double)t / 1000.0;
        }
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
    size_t per = (size_t)SCR_ROWS * (size_t)s->w, blk = (size_t)(s->p.block + 2) * (s->p.block + 2);
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

void fg_smoke_pass_sums(fg_smoke *s, const fg_raster *rgb)
{
    int bs = s->p.block, w = s->w, bw = s->bw;
    const unsigned char *d = rgb->data;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int by = 0; by < s->bh; by++) {
        /* column sums of at most 256 rows of bytes fit 16 bits */
        uint16_t *col = (uint16_t *)thread_scratch(s);
        for (int r = by * bs; r < by * bs + bs; r++)
            s->lrow[r] = (double)byte_sums(d + (size_t)r * rgb->stride, w, r == by * bs, s->wy,
                                           col) / 1000.0 / w;
        block_luma(col, s->wy, bw, bs, s->ysum + (size_t)by * bw);
    }
    uint16_t *col = (uint16_t *)s->scr;
    for (int r = s->bh * bs; r < s->h; r++)
        s->lrow[r] = (double)byte_sums(d + (size_t)r * rgb->stride, w, 1, s->wy, col) / 1000.0 / w;
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
 * than thr their count, signed change, colourless score
 * 1 − (|Cb| + |Cr|)/128 and luminance. Unchanged pixels add +0.0, which
 * leaves every sum as it is, and no branch follows the noise. */
static inline void add_change(int c, float d, float thr, const float *y,
                              const float *cb, const float *cr, float *sd, float *nc, float *ss,
                              float *sg, float *sl)
{
    float a = fabsf(d), yv = y[c];
    float grey = 1.0f - (fabsf(cb[c]) + fabsf(cr[c])) / 128.0f;
    int ch = a > thr;
    sd[c] += a;
    nc[c] += ch ? 1.0f : 0.0f;
    ss[c] += ch ? d : 0.0f;
    sg[c] += ch ? grey : 0.0f;
    sl[c] += ch ? yv : 0.0f;
}

/* One row's columns c0..c1 − 1 (not the frame's edge columns): the pixel
 * with its block's offset, v = y + o, against the closest of its 3×3
 * background pixels (rows up, B, dn; the candidates in nbr_diff's order, the
 * first of equally close ones kept), into the column sums. */
FG_HOT_LOOP static void change_row(int c0, int c1, float thr, const float *restrict up,
                                   const float *restrict B, const float *restrict dn,
                                   const float *restrict y, const float *restrict o,
                                   const float *restrict cb, const float *restrict cr,
                                   float *restrict sd, float *restrict nc, float *restrict ss,
                                   float *restrict sg, float *restrict sl)
{
    for (int c = c0; c < c1; c++) {
        float x = y[c] + o[c], best = x - B[c], d;
        d = x - up[c - 1], best = fabsf(d) < fabsf(best) ? d : best;
        d = x - up[c], best = fabsf(d) < fabsf(best) ? d : best;
        d = x - up[c + 1], best = fabsf(d) < fabsf(best) ? d : best;
        d = x - B[c - 1], best = fabsf(d) < fabsf(best) ? d : best;
        d = x - B[c + 1], best = fabsf(d) < fabsf(best) ? d : best;
        d = x - dn[c - 1], best = fabsf(d) < fabsf(best) ? d : best;
        d = x - dn[c], best = fabsf(d) < fabsf(best) ? d : best;
        d = x - dn[c + 1], best = fabsf(d) < fabsf(best) ? d : best;
        add_change(c, best, thr, y, cb, cr, sd, nc, ss, sg, sl);
    }
}

/* Running averages of one row's pixels: B ← a·B + (1 − a)·I (slow Y; fast Y
 * with af). */
FG_HOT_LOOP static void update_row(int n, float a, float af, const float *restrict y,
                                   float *restrict bsy, uint16_t *restrict bfy)
{
    for (int c = 0; c < n; c++) {
        bsy[c] = a * bsy[c] + (1 - a) * y[c];
        bfy[c] = bg_put(af * bg_get(bfy[c]) + (1 - af) * y[c]);
    }
}

/* A row's chroma summed over the pixel pairs of each cell (nc cells; the
 * last one pixel when n is odd). */
FG_HOT_LOOP static void pair_row(int n, const float *restrict cb, const float *restrict cr,
                                 float *restrict pu, float *restrict pv)
{
    for (int j = 0; j < n / 2; j++) {
        pu[j] = cb[2 * j] + cb[2 * j + 1];
        pv[j] = cr[2 * j] + cr[2 * j + 1];
    }
    if (n % 2) {
        pu[n / 2] = cb[n - 1];
        pv[n / 2] = cr[n - 1];
    }
}

/* Running averages of a row of chroma cells from the pair sums of their two
 * pixel rows (pu, pv: the upper row's, pu2, pv2: the lower row's). */
FG_HOT_LOOP static void update_cells(int n, int odd, float a, const float *restrict pu,
                                     const float *restrict pv, const float *restrict pu2,
                                     const float *restrict pv2, uint16_t *restrict bsu,
                                     uint16_t *restrict bsv)
{
    int full = odd ? n - 1 : n;
    for (int j = 0; j < full; j++) {
        bsu[j] = bg_put_c(a * bg_get_c(bsu[j]) + (1 - a) * ((pu[j] + pu2[j]) * 0.25f));
        bsv[j] = bg_put_c(a * bg_get_c(bsv[j]) + (1 - a) * ((pv[j] + pv2[j]) * 0.25f));
    }
    for (int j = full; j < n; j++) {
        bsu[j] = bg_put_c(a * bg_get_c(bsu[j]) + (1 - a) * ((pu[j] + pu2[j]) * 0.5f));
        bsv[j] = bg_put_c(a * bg_get_c(bsv[j]) + (1 - a) * ((pv[j] + pv2[j]) * 0.5f));
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

void fg_smoke_pass_frame(fg_smoke *s, const fg_raster *rgb)
{
    int bs = s->p.block, w = s->w, h = s->h, bw = s->bw, bh = s->bh, cw = bw * bs;
    float thr = s->p.min_diff, g = s->gain, a = s->p.bg_alpha, af = s->p.bg_alpha_fast;
    const unsigned char *d = rgb->data;
    copy_edges(s);
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int by = 0; by < bh; by++) {
        float *y2 = thread_scratch(s), *cb2 = y2 + 2 * w, *cr2 = cb2 + 2 * w, *o = cr2 + 2 * w,
              *sd = o + w, *nc = sd + w, *ss = nc + w, *sg = ss + w, *sl = sg + w, *col = sl + w,
              *pu = col + w, *pv = pu + s->cw, *pu2 = pv + s->cw, *pv2 = pu2 + s->cw;
        for (int bx = 0; bx < bw; bx++)
            for (int c = bx * bs; c < bx * bs + bs; c++)
                o[c] = s->boff[by * bw + bx];
        memset(sd, 0, 5 * (size_t)w * sizeof *sd); /* the change sums */
        int r0 = by * bs, r1 = r0 + bs;
        for (int r = r0; r <= r1; r++) {
            /* rows alternate between the two halves of y2, cb2, cr2 */
            size_t cur = (size_t)((r - r0) & 1) * w, prev = (size_t)((r - r0 + 1) & 1) * w;
            if (r < r1) {
                float *y = y2 + cur, *cb = cb2 + cur, *cr = cr2 + cur;
                ycc_row(d + (size_t)r * rgb->stride, w, g, y, cb, cr);
                const float *rows[3];
                rows[1] = s->bsy + (size_t)r * w;
                rows[0] = r == 0 ? rows[1]
                          : r == r0 ? s->edge + (size_t)(2 * by) * w
                                    : rows[1] - w;
                rows[2] = r + 1 == h            ? rows[1]
                          : r + 1 == r1 && by + 1 < bh ? s->edge + (size_t)(2 * by + 1) * w
                                                      : rows[1] + w;
                int c1 = cw < w ? cw : w - 1;
                change_row(1, c1, thr, rows[0], rows[1], rows[2], y, o, cb, cr, sd, nc, ss, sg,
                           sl);
                /* the frame's edge columns (and a last block at the edge) */
                for (int c = 0; c < cw; c = c + 1 == 1 ? c1 : c + 1)
                    add_change(c, nbr_diff(rows, w, c, y[c] + o[c]), thr, y, cb, cr, sd, nc, ss,
                               sg, sl);
            }
            /* the row above is no longer compared with: update it */
            if (r > r0) {
                size_t q = (size_t)(r - 1) * w;
                update_row(w, a, af, y2 + prev, s->bsy + q, s->bfy + q);
                sum_row(w, r - 1 == r0, s->bsy + q, col);
                /* a block row starts on an even row (even block size): a cell
                 * row pairs rows r0 + 2k and r0 + 2k + 1 */
                if ((r - 1 - r0) % 2 == 0) {
                    pair_row(w, cb2 + prev, cr2 + prev, pu, pv);
                } else {
                    pair_row(w, cb2 + prev, cr2 + prev, pu2, pv2);
                    size_t k = (size_t)((r - 1) / 2) * s->cw;
                    update_cells(s->cw, w % 2, a, pu, pv, pu2, pv2, s->bsu + k, s->bsv + k);
                }
            }
        }
        /* each block's columns (the row scratch y2 … is free now) */
        float *td = y2, *tn = td + bw, *ts = tn + bw, *tg = ts + bw, *tl = tg + bw, *tb = tl + bw;
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

float fg_smoke_old_bsy(const fg_smoke *s, const fg_raster *rgb, int r, int c)
{
    return before(s, s->bsy[(size_t)r * s->w + c], s->p.bg_alpha,
                  fg_smoke_px_luma(rgb, s->gain, r, c), r);
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

void fg_smoke_hold(fg_smoke *s, const fg_raster *rgb, float a_held)
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
                float y = fg_smoke_px_luma(rgb, g, r, c);
                s->bsy[o] = a_held * before(s, s->bsy[o], a, y, r) + (1 - a_held) * y;
            }
        }
        /* the block's chroma cells (an even block holds whole cells) */
        for (int i = r0 / 2; i < (r0 + bs) / 2; i++) {
            for (int j = c0 / 2; j < (c0 + bs) / 2; j++) {
                size_t o = (size_t)i * s->cw + j;
                float cb, cr;
                cell_chroma(rgb, g, i, j, &cb, &cr);
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

void fg_smoke_pass_start(fg_smoke *s, const fg_raster *rgb)
{
    int w = s->w;
    const unsigned char *d = rgb->data;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int r = 0; r < s->h; r++) {
        size_t o = (size_t)r * w;
        float *cb = thread_scratch(s), *cr = cb + w, *y = s->bsy + o;
        ycc_row(d + (size_t)r * rgb->stride, w, 1.0f, y, cb, cr);
        for (int c = 0; c < w; c++)
            s->bfy[o + c] = bg_put(y[c]);
    }
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int i = 0; i < s->ch; i++)
        for (int j = 0; j < s->cw; j++) {
            float cb, cr;
            cell_chroma(rgb, 1.0f, i, j, &cb, &cr);
            s->bsu[(size_t)i * s->cw + j] = bg_put_c(cb);
            s->bsv[(size_t)i * s->cw + j] = bg_put_c(cr);
        }
    fg_smoke_bg_sums(s);
}

float fg_smoke_block_activity(const fg_smoke *s, const fg_raster *rgb, int b)
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
                before(s, bg_get(s->bfy[(size_t)r * w + c]), af, fg_smoke_px_luma(rgb, g, r, c), r);
    }
    double sa = 0;
    for (int r = r0; r < r0 + bs; r++) {
        const float *rows[3] = {old + (r - r0) * nw - cl, old + (r - r0 + 1) * nw - cl,
                                old + (r - r0 + 2) * nw - cl};
        for (int c = c0; c < c0 + bs; c++)
            sa += fabsf(nbr_diff(rows, w, c, fg_smoke_px_luma(rgb, g, r, c) + off));
    }
    return (float)(sa / (bs * bs));
}

/* Where the ratios of a block are taken from: the gained frame, the slow
 * background as it was before fg_smoke_pass_frame, or as it stands. */
enum ratio_src { OF_FRAME, OF_OLD_BG, OF_BG };

/* Luminance of pixel (r, c) in src. */
static float src_luma(const fg_smoke *s, const fg_raster *rgb, enum ratio_src src, int r, int c)
{
    if (src == OF_FRAME)
        return fg_smoke_px_luma(rgb, s->gain, r, c);
    if (src == OF_OLD_BG)
        return fg_smoke_old_bsy(s, rgb, r, c);
    return s->bsy[(size_t)r * s->w + c];
}

/* Chroma size |Cb| + |Cr| of pixel (r, c) in src: its chroma cell's. */
static float src_chroma(const fg_smoke *s, const fg_raster *rgb, enum ratio_src src, int r, int c)
{
    size_t o = (size_t)(r / 2) * s->cw + c / 2;
    if (src == OF_BG)
        return fabsf(bg_get_c(s->bsu[o])) + fabsf(bg_get_c(s->bsv[o]));
    float u, v;
    cell_chroma(rgb, s->gain, r / 2, c / 2, &u, &v);
    if (src == OF_FRAME)
        return fabsf(u) + fabsf(v);
    float a = s->p.bg_alpha;
    return fabsf(before(s, bg_get_c(s->bsu[o]), a, u, r)) +
           fabsf(before(s, bg_get_c(s->bsv[o]), a, v, r));
}

/* ΣY, Σ(|Cb| + |Cr|) and Σ|4-neighbour Laplacian| (taps clamped at the frame
 * edge) over block b's pixels in raster order, as ratios. */
static void block_ratio(const fg_smoke *s, const fg_raster *rgb, enum ratio_src src, int b,
                        float *sat, float *con)
{
    int bs = s->p.block, w = s->w, h = s->h, c0 = (b % s->bw) * bs, r0 = (b / s->bw) * bs;
    double sy = 0, sc = 0, sl = 0;
    for (int r = r0; r < r0 + bs; r++) {
        int ru = r > 0 ? r - 1 : r, rd = r + 1 < h ? r + 1 : r;
        for (int c = c0; c < c0 + bs; c++) {
            int cl = c > 0 ? c - 1 : c, cr = c + 1 < w ? c + 1 : c;
            float y = src_luma(s, rgb, src, r, c);
            sy += y;
            sc += src_chroma(s, rgb, src, r, c);
            sl += fabs(4.0 * y - src_luma(s, rgb, src, r, cl) - src_luma(s, rgb, src, r, cr) -
                       src_luma(s, rgb, src, ru, c) - src_luma(s, rgb, src, rd, c));
        }
    }
    fg_smoke_ratio_finish(bs, sy, sc, sl, sat, con);
}

void fg_smoke_old_bg_ratio(const fg_smoke *s, const fg_raster *rgb, int b, float *sat, float *con)
{
    block_ratio(s, rgb, OF_OLD_BG, b, sat, con);
}

void fg_smoke_frame_ratio(const fg_smoke *s, const fg_raster *rgb, int b, float *sat, float *con)
{
    block_ratio(s, rgb, OF_FRAME, b, sat, con);
}

void fg_smoke_bg_ratio(const fg_smoke *s, int b, float *sat, float *con)
{
    block_ratio(s, NULL, OF_BG, b, sat, con);
}
