/* smoke_int.h — the camera smoke detector's state, shared by smoke.c (detection), smoke_pixels.c (its pixel stage), smoke_offset.c (its local offsets) and smoke_state.c (its byte format). */
/* SPDX-License-Identifier: MIT */
#ifndef FG_DETECT_SMOKE_INT_H
#define FG_DETECT_SMOKE_INT_H

#include "detect/detect.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Time-of-day history: 84 hourly slots = 3.5 days (Govil et al. 2020). */
#define HIST_SLOTS 84

/* Radius (blocks) of the window of the local airlight offset. */
#define LOCAL_R 7

struct region; /* a labelled candidate region of one frame (smoke.c) */

/* Background pixels in 16-bit fixed point, 1/128 DN: Y (gained, 0 … 510) as
 * 128·Y, Cb and Cr (gained, centred on 0: −255 … 255) as 128·(C + 256),
 * rounded half up. The gain is clamped to [0.5, 2] and a running average
 * stays between the values it averages, so no value leaves the 16 bits. */
static inline float bg_get(uint16_t q) { return (float)q * (1.0f / 128.0f); }
static inline float bg_get_c(uint16_t q) { return (float)q * (1.0f / 128.0f) - 256.0f; }
static inline uint16_t bg_put(float v) { return (uint16_t)(int32_t)(v * 128.0f + 0.5f); }
static inline uint16_t bg_put_c(float v) { return bg_put(v + 256.0f); }

/* Threads a parallel loop opened now may have (per-thread scratch). */
static inline int fg_smoke_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

/* Unsigned key whose order is the numeric order of finite floats. */
static inline uint32_t fg_smoke_order_key(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u & 0x80000000u ? ~u : u | 0x80000000u;
}

struct fg_smoke {
    fg_smoke_params p;
    int w, h;        /* working resolution */
    int bw, bh, nb;  /* block grid */
    int cw, ch;      /* chroma cells (2×2 pixels, the last ones clipped) */
    /* persistent */
    int64_t frames;  /* frames since the (re)start of the warm-up */
    int64_t last_t;
    int have_last;
    double horizon;  /* smoothed estimated horizon row */
    int have_horizon;
    float *bsy;                   /* slow Y background (per pixel) */
    uint16_t *bsu, *bsv;          /* slow Cb, Cr backgrounds (per chroma cell) */
    uint16_t *bfy;                /* fast Y background (per pixel); these three in fixed
                                   * point: bg_get_c, bg_get */
    float *thr;                   /* adaptive change threshold per block */
    float *bsat, *bcon;           /* background chroma ratio and contrast per block; valid
                                   * for all blocks only while bratio_stored (see below) */
    int bratio_stored;            /* bsat/bcon hold what the state holds (fresh or loaded);
                                   * else they are the ratios of the slow background,
                                   * computed when a block needs them (background_ratio) */
    unsigned char *held;          /* block in a tracked region: slow update */
    int *plab;                    /* previous frame's region label per block */
    int nprev;                    /* regions of the previous frame */
    int *ppers, *parea, *ptop, *parea0, *pgrew; /* per previous region (index = label) */
    int64_t slot_hour[HIST_SLOTS];/* absolute hour held by each ring slot, −1 = empty */
    unsigned char *hist;          /* [slot][block] hourly maxima of the block score ×255 */
    double *bsum;                 /* Σ slow-background Y of each block (follows bsy) */
    int bsum_ok;                  /* bsum is that of bsy (not after a load) */
    /* per frame */
    float gain;                   /* exposure gain of the frame being pushed */
    double *ysum;                 /* Σ Y (gain 1) of each block of the frame */
    float *scr;                   /* per-thread row scratch (fg_smoke_scratch) */
    int nscr;                     /* threads it has room for */
    size_t scr_per;               /* floats per thread */
    float *edge;                  /* slow-background rows next to block-row boundaries */
    fg_raster own;                /* an RGB frame's YCC420 planes (fg_smoke_push) */
    float *bmean, *boff, *medbuf;
    float *bgmean;                /* block means of the slow background Y */
    uint32_t *mkey, *rank;        /* local offsets: value order of the block means */
    unsigned char *med;           /* local offsets: per-thread strips (smoke_offset.c) */
    int nmed;                     /* threads it has room for */
    float *bdiff, *bgrey, *bluma, *bsign, *bchg, *bcursat, *bcurcon, *score, *hscore, *ratio,
        *prob, *feat;
    unsigned char *cand;
    size_t *parent;
    int *lab;
    struct region *reg;
    float *sky, *skytmp;          /* skyline row (pixels) per block column */
    double *lrow;                 /* the frame's row means of Y (gain 1) */
};

/* A detector for width×height frames with zeroed state, or NULL (ctx says why). */
fg_smoke *fg_smoke_alloc_state(const fg_smoke_params *p, int width, int height, fg_ctx *ctx);
/* FG_OK, or FG_EINVAL naming the parameters out of range. */
int fg_smoke_check_params(const fg_smoke_params *p, fg_ctx *ctx);
/* The two ratios from a block's sums ΣY, Σ(|Cb| + |Cr|), Σ|Laplacian| (chroma centred on 0). */
void fg_smoke_ratio_finish(int bs, double sy, double sc, double sl, float *sat, float *con);

/* The pixel stage (smoke_pixels.c). Each pass reads the frame f, a YCC420
 * raster of the state's size; the gain is s->gain. */
/* Per-thread row scratch for the passes: FG_OK or FG_ENOMEM. */
int fg_smoke_scratch(fg_smoke *s);
/* ΣY (gain 1) of each block into s->ysum, the row means into s->lrow. */
void fg_smoke_pass_sums(fg_smoke *s, const fg_raster *f);
/* Change features of each block against the slow background, with the
 * local offsets s->boff (bdiff, bchg, bgrey, bluma, bsign), and the
 * background update with the normal weights (and s->bsum). */
void fg_smoke_pass_frame(fg_smoke *s, const fg_raster *f);
/* The held blocks' update redone with weight a_held (and their s->bsum). */
void fg_smoke_hold(fg_smoke *s, const fg_raster *f, float a_held);
/* Between the two: the slow Y of pixel (r, c), and the ratios of block b,
 * of the background as it was before fg_smoke_pass_frame. */
float fg_smoke_old_bsy(const fg_smoke *s, const fg_raster *f, int r, int c);
void fg_smoke_old_bg_ratio(const fg_smoke *s, const fg_raster *f, int b, float *sat, float *con);
/* Backgrounds started from the frame (gain 1), and s->bsum. */
void fg_smoke_pass_start(fg_smoke *s, const fg_raster *f);
/* s->bsum from the slow background as it stands (a loaded state). */
void fg_smoke_bg_sums(fg_smoke *s);
/* Gained Y of pixel (r, c). */
float fg_smoke_px_luma(const fg_raster *f, float g, int r, int c);
/* Mean |Y + offset − B_fast| of block b, each pixel against the closest of
 * its 3×3 neighbours of the fast background before fg_smoke_pass_frame. */
float fg_smoke_block_activity(const fg_smoke *s, const fg_raster *f, int b);
/* The local airlight offsets (smoke_offset.c): s->boff from s->bsum, s->ysum
 * and s->gain. FG_OK or FG_ENOMEM (its per-thread scratch). */
int fg_smoke_local_offset(fg_smoke *s);
/* Chroma/luminance ratio and contrast of block b: of the gained frame, and of
 * the slow background as it stands (smoke.c: fg_smoke_ratio_finish). */
void fg_smoke_frame_ratio(const fg_smoke *s, const fg_raster *f, int b, float *sat, float *con);
void fg_smoke_bg_ratio(const fg_smoke *s, int b, float *sat, float *con);

#endif
