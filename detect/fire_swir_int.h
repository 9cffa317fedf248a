/* fire_swir_int.h — internal knobs and per-pixel diagnostics of the SWIR fire detector (not API). */
/* SPDX-License-Identifier: MIT */
/*
 * fg_swir_detect() (detect.h) runs each algorithm with the defaults of
 * fg_swir_opts_default(). The implementation details on which published
 * implementations of the same paper differ (window growth, σ divisor, what the
 * background excludes) are knobs here, so that the evaluation tool
 * (scripts/eval_masks.c) and the tests can select them and explain, pixel by
 * pixel, where two implementations part. Nothing here is public API.
 */
#ifndef FG_FIRE_SWIR_INT_H
#define FG_FIRE_SWIR_INT_H

#include "detect/detect.h"

/* SWIR-specific test bits in fg_fire_pixel.tests (beside the generic
 * FG_TEST_POTENTIAL = candidate, FG_TEST_ABSOLUTE = unambiguous fire,
 * FG_TEST_SATURATED = saturated or folded pixel). */
#define FG_SWIR_T_UNAMB (1u << 16)     /* unambiguous-fire rule */
#define FG_SWIR_T_FOLD (1u << 17)      /* Schroeder folding / saturation rule */
#define FG_SWIR_T_SAT (1u << 18)       /* a SWIR band at in->saturation */
#define FG_SWIR_T_NEIGH (1u << 19)     /* Kumar–Roy 3×3 neighbour rule */
#define FG_SWIR_T_CAND (1u << 20)      /* candidate rule */
#define FG_SWIR_T_WATER (1u << 21)     /* water rule */
#define FG_SWIR_T_CTX_RATIO (1u << 22) /* ρ7/ρ5 > mean + max(3σ, 0.8) */
#define FG_SWIR_T_CTX_REF (1u << 23)   /* ρ7 > mean + max(3σ, 0.08) */
#define FG_SWIR_T_NOBG (1u << 24)      /* candidate without a usable background */

typedef struct fg_swir_opts {
    int win_min, win_max;       /* background window sides (odd); equal = fixed window */
    int min_valid;              /* background needs >= min_valid valid pixels ... */
    double min_valid_frac;      /* ... and >= this fraction of win·win */
    int sample_sigma;           /* 1: σ with n − 1 (sample); 0: with n (population) */
    int bg_excludes_candidates; /* 1: candidates are not background; 0: only fires are excluded */
    int neighbour_rule;         /* Kumar–Roy 3×3 neighbour rule on/off */
    int saturation_fire;        /* a band at in->saturation makes a fire (see fire_swir.c) */
    float ctx_k;                /* σ multiplier of the context tests (3) */
    float ctx_ratio_floor;      /* minimum margin of ρ7/ρ5 over its mean (0.8) */
    float ctx_ref_floor;        /* minimum margin of ρ7 over its mean (0.08) */
} fg_swir_opts;

/* The defaults used by fg_swir_detect() for alg. FG_EINVAL for an unknown algorithm. */
int fg_swir_opts_default(fg_swir_opts *o, fg_swir_algorithm alg);

/* fg_swir_detect() with explicit options (o NULL = defaults). */
int fg_swir_detect_opts(const fg_swir_input *in, fg_swir_algorithm alg, const fg_swir_opts *o,
                        int threads, fg_fire_pixel **out, size_t *n, unsigned char *mask,
                        fg_ctx *ctx);

/* Why one pixel got its class: recomputed for (row, col) alone by brute force over
 * its window (cost grows with the window: for diagnostics and tests only). */
typedef struct fg_swir_diag {
    unsigned tests;           /* FG_SWIR_T_* bits */
    unsigned char mask_class; /* FG_MASK_* the detector gives the pixel */
    float rho[8];             /* ρ1..ρ7 as used (ρ1 = blue when coastal is absent); [0] unused */
    float ratio75, ratio76, diff75;
    int window, n_valid;      /* window side the background was taken from; valid pixels */
    double mean_ratio, sd_ratio, mean_ref, sd_ref; /* background ρ7/ρ5 and ρ7 statistics */
    int confidence;
} fg_swir_diag;

int fg_swir_explain(const fg_swir_input *in, fg_swir_algorithm alg, const fg_swir_opts *o,
                    int row, int col, fg_swir_diag *d, fg_ctx *ctx);

#endif
