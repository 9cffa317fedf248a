/* detect_int.h — internals shared by fg_detect's own files; not API. */
/* SPDX-License-Identifier: MIT */
#ifndef FG_DETECT_INT_H
#define FG_DETECT_INT_H

#include "detect/detect.h"

#include <stddef.h>

/* Union-find over element indices with path halving. The smaller index always
 * becomes the root, so a set's root is its first element in scan order and labels
 * come out in raster order whatever the order of the unions. */
static inline size_t fg_uf_find(size_t *parent, size_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static inline void fg_uf_union(size_t *parent, size_t a, size_t b)
{
    a = fg_uf_find(parent, a);
    b = fg_uf_find(parent, b);
    if (a < b)
        parent[b] = a;
    else if (b < a)
        parent[a] = b;
}

/* Hot pixel loops are built twice, for AVX2 and for the baseline ISA, and the
 * CPU picks one at load time. Both run the same IEEE operations in the same
 * order — "avx2" does not enable FMA and ISO C mode does not contract a·b + c —
 * so the results are the same bytes on every machine. */
#ifndef FG_HOT_LOOP /* a build may define it empty to keep the baseline loops only */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define FG_HOT_LOOP __attribute__((target_clones("avx2", "default")))
#else
#define FG_HOT_LOOP
#endif
#endif

/* fg_ycc_from_rgb into o, a YCC420 raster of rgb's size (ycc.c). */
void fg_ycc_fill_from_rgb(const fg_raster *rgb, fg_raster *o);

/* Smoke features (smoke_features.c) on a luminance plane built once per frame
 * and shared by the horizon estimate and the block features. */

/* Luminance Y (BT.601, floats) of an RGB U8 raster into y (width·height) and
 * the mean of each row into m (height): the profile of fg_smoke_horizon. */
void fg_smoke_luma(const fg_raster *rgb, float *y, double *m);
/* fg_smoke_horizon from the row means m[0..h) of fg_smoke_luma; −1 when out
 * of memory. */
double fg_smoke_horizon_profile(const double *m, int h);
/* fg_smoke_appearance from fg_smoke_luma's y and m with a given horizon row
 * (≥ 0); the frame and block are valid. FG_OK or FG_ENOMEM. */
int fg_smoke_appearance_luma(const fg_raster *rgb, const float *y, const double *m, int block,
                             double horizon, float *feat);
/* The sky reference luminance of the features: the mean of the row means m
 * above the horizon row (at least the top row). */
double fg_smoke_sky_luma(const double *m, int h, double horizon);
/* The FG_SF_COUNT features of block (bx, by) of an RGB or YCC420 raster (as
 * fg_ycc_to_rgb converts it) alone into f, the same bytes as
 * fg_smoke_appearance_luma gives for it with sky_y = fg_smoke_sky_luma. */
void fg_smoke_appearance_block(const fg_raster *img, int block, int bx, int by, double horizon,
                               double sky_y, float *f);

#endif
