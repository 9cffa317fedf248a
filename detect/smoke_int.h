/* smoke_int.h — the camera smoke detector's state, shared by smoke.c (detection) and smoke_state.c (its byte format). */
/* SPDX-License-Identifier: MIT */
#ifndef FG_DETECT_SMOKE_INT_H
#define FG_DETECT_SMOKE_INT_H

#include "detect/detect.h"

#include <stddef.h>
#include <stdint.h>

/* Time-of-day history: 84 hourly slots = 3.5 days (Govil et al. 2020). */
#define HIST_SLOTS 84

struct region; /* a labelled candidate region of one frame (smoke.c) */

struct fg_smoke {
    fg_smoke_params p;
    int w, h;        /* working resolution */
    int bw, bh, nb;  /* block grid */
    /* persistent */
    int64_t frames;  /* frames since the (re)start of the warm-up */
    int64_t last_t;
    int have_last;
    double horizon;  /* smoothed estimated horizon row */
    int have_horizon;
    float *bsy, *bsu, *bsv, *bfy; /* slow Y/Cb/Cr, fast Y backgrounds (per pixel) */
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
    /* scratch */
    float *iy, *iu, *iv;
    float *bmean, *boff, *medbuf;
    float *bgmean;                /* estimate_gain: block means of the slow background Y */
    uint32_t *mkey, *rank;        /* local_offset: value order of the block means */
    uint64_t *mset;               /* local_offset: rank set of one window per block row */
    unsigned short *mcnt;         /* local_offset: ranks held per 64-rank word */
    float *rowf;                  /* block_features: pixel rows per block row */
    double *rowd;                 /* block_features: block sums per block row */
    float *bdiff, *bgrey, *bluma, *bsign, *bchg, *bcursat, *bcurcon, *score, *hscore, *ratio,
        *prob, *feat;
    unsigned char *cand;
    size_t *parent;
    int *lab;
    struct region *reg;
    float *sky, *skytmp;          /* skyline row (pixels) per block column */
    float *ly;                    /* ungained luminance of the frame (fg_smoke_luma) */
    double *lrow;                 /* its row means */
};

/* A detector for width×height frames with zeroed state, or NULL (ctx says why). */
fg_smoke *fg_smoke_alloc_state(const fg_smoke_params *p, int width, int height, fg_ctx *ctx);
/* FG_OK, or FG_EINVAL naming the parameters out of range. */
int fg_smoke_check_params(const fg_smoke_params *p, fg_ctx *ctx);
/* Chroma/luminance ratio and contrast of block b of a Y/Cb/Cr image (smoke.c). */
void fg_smoke_block_ratio(const fg_smoke *s, const float *y, const float *u, const float *v, int b,
                          float *sat, float *con);

#endif
