/* fire_group.c — fire pixels into fires: 8-connected components with count, total FRP, box and centroid. */
/* SPDX-License-Identifier: MIT */
/*
 * Union-find over the pixel list. The list is sorted by (row, col), so the
 * 8-neighbours of a pixel that come before it lie in its own row (col − 1) or in
 * the previous row (cols − 1..+1); a pointer into the previous row advances
 * monotonically, so grouping costs O(n α(n)) with no raster.
 */
#include "detect/detect.h"
#include "detect/detect_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int fg_fire_group(fg_fire_pixel *px, size_t n, fg_fire **fires, size_t *nfires, fg_ctx *ctx)
{
    if ((!px && n) || !fires || !nfires)
        return fg_ctx_set(ctx, FG_EINVAL, "fire_group: NULL argument");
    for (size_t i = 1; i < n; i++)
        if (px[i].row < px[i - 1].row ||
            (px[i].row == px[i - 1].row && px[i].col <= px[i - 1].col))
            return fg_ctx_set(ctx, FG_EINVAL, "fire_group: pixels are not sorted by (row, col) "
                              "without duplicates (entry %zu at %d,%d after %d,%d)", i, px[i].row,
                              px[i].col, px[i - 1].row, px[i - 1].col);
    if (n == 0) {
        *fires = NULL;
        *nfires = 0;
        return FG_OK;
    }
    size_t *parent = fg_malloc(n * sizeof *parent);
    size_t *fid = fg_malloc(n * sizeof *fid);
    if (!parent || !fid) {
        fg_free(parent);
        fg_free(fid);
        return fg_ctx_set(ctx, FG_ENOMEM, "fire_group: out of memory for %zu pixels", n);
    }
    for (size_t i = 0; i < n; i++)
        parent[i] = i;

    /* prev_start..cur_start − 1 is the previous row (when it is row − 1). */
    size_t row_start = 0, prev_start = 0, prev_end = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && px[i].row != px[i - 1].row) {
            if (px[i].row == px[i - 1].row + 1) {
                prev_start = row_start;
                prev_end = i;
            } else {
                prev_start = prev_end = i; /* a gap of rows: no previous row */
            }
            row_start = i;
        }
        if (i > row_start && px[i - 1].col == px[i].col - 1)
            fg_uf_union(parent, i - 1, i);
        /* skip previous-row pixels left of col − 1; they cannot touch later pixels */
        while (prev_start < prev_end && px[prev_start].col < px[i].col - 1)
            prev_start++;
        for (size_t k = prev_start; k < prev_end && px[k].col <= px[i].col + 1; k++)
            fg_uf_union(parent, k, i);
    }

    /* Number the fires in order of their first pixel: roots are first pixels. */
    size_t nf = 0;
    for (size_t i = 0; i < n; i++)
        if (fg_uf_find(parent, i) == i)
            fid[i] = nf++;
    /* Per-fire accumulators; sums run in pixel order, so the bytes never change. */
    typedef struct acc {
        double w, wr, wc, r, c;
        int plain; /* some pixel has no FRP: plain centroid */
    } acc;
    fg_fire *f = fg_calloc(nf, sizeof *f);
    acc *a = fg_calloc(nf, sizeof *a);
    if (!f || !a) {
        fg_free(f);
        fg_free(a);
        fg_free(parent);
        fg_free(fid);
        return fg_ctx_set(ctx, FG_ENOMEM, "fire_group: out of memory for %zu fires", nf);
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = fid[fg_uf_find(parent, i)];
        fg_fire *g = &f[k];
        if (g->npix == 0) {
            g->id = (int)k + 1;
            g->row0 = g->row1 = px[i].row;
            g->col0 = g->col1 = px[i].col;
            g->frp_total_mw = NAN;
            g->max_confidence = px[i].confidence;
        }
        g->npix++;
        g->row0 = px[i].row < g->row0 ? px[i].row : g->row0;
        g->row1 = px[i].row > g->row1 ? px[i].row : g->row1;
        g->col0 = px[i].col < g->col0 ? px[i].col : g->col0;
        g->col1 = px[i].col > g->col1 ? px[i].col : g->col1;
        if (px[i].confidence > g->max_confidence)
            g->max_confidence = px[i].confidence;
        double frp = px[i].frp_mw;
        if (isfinite(frp)) {
            g->frp_total_mw = isnan(g->frp_total_mw) ? (float)frp : g->frp_total_mw + (float)frp;
            a[k].w += frp;
            a[k].wr += frp * px[i].row;
            a[k].wc += frp * px[i].col;
        } else {
            a[k].plain = 1;
        }
        a[k].r += px[i].row;
        a[k].c += px[i].col;
        px[i].fire_id = (int)k + 1;
    }
    /* FRP-weighted centroid when every pixel has an FRP and their sum is positive,
     * else the plain mean of the pixel positions. */
    for (size_t k = 0; k < nf; k++) {
        if (!a[k].plain && a[k].w > 0.0) {
            f[k].row_c = a[k].wr / a[k].w;
            f[k].col_c = a[k].wc / a[k].w;
        } else {
            f[k].row_c = a[k].r / f[k].npix;
            f[k].col_c = a[k].c / f[k].npix;
        }
    }
    fg_free(a);
    fg_free(parent);
    fg_free(fid);
    *fires = f;
    *nfires = nf;
    return FG_OK;
}
