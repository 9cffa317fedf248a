/* fire_swir.c — daytime SWIR-reflectance fire detection for Landsat-8/9 OLI and Sentinel-2 MSI. */
/* SPDX-License-Identifier: MIT */
/*
 * References
 *  [S16] Schroeder, Oliva, Giglio, Quayle, Lorenz & Morelli (2016), Active fire
 *        detection using Landsat-8/OLI data, Remote Sens. Environ. 185:210–220.
 *  [KR18] Kumar & Roy (2018), Global operational land imager Landsat-8
 *        reflectance-based active fire detection algorithm, Int. J. Digital
 *        Earth 11(2):154–178 (GOLI).
 *  [M16] Murphy et al. (2016), HOTMAP, Remote Sens. Environ. 176:296 (saturation).
 *
 * Band numbering follows OLI: ρ1 coastal 0.44, ρ2 blue 0.48, ρ3 green 0.56,
 * ρ4 red 0.655, ρ5 NIR 0.865, ρ6 SWIR1 1.61, ρ7 SWIR2 2.20 µm. For Sentinel-2
 * MSI the same slots hold B2, B3, B4, B8A, B11 and B12. When the coastal band is
 * absent the blue band stands in for ρ1 (as in the reference masks of
 * ../shared/data/landsat8-savanna).
 *
 * Physics. At 2.2 µm a flaming front (800–1200 K) emits as much as the sunlit
 * surface reflects, so a fire raises ρ7 far above ρ5 (NIR, still reflective)
 * and above ρ6; no natural cover does that, hence the ratio and difference
 * tests. Contextual tests compare with the surrounding land because burnt
 * soils and bright rocks raise ρ7/ρ5 slightly over wide areas.
 *
 * Pipeline (each step deterministic whatever the thread count):
 *  1. per pixel: validity, unambiguous fire, folding/saturation, water,
 *     candidate (rows in parallel, each pixel writes only itself);
 *  2. Kumar–Roy 3×3 neighbour rule, reading only the rule-1 flags;
 *  3. context for candidates only: the image is cut into fixed 128×128 tiles
 *     (independent of the thread count); a tile that holds candidates builds
 *     summed-area tables of count, Σρ7/ρ5, Σ(ρ7/ρ5)², Σρ7, Σρ7² over itself
 *     plus a halo of half the largest window, so each window's statistics cost
 *     O(1) whatever its size; tiles run in parallel, results go to the
 *     candidate's own slot;
 *  4. records and mask in row-major order.
 *
 * Saturation. OLI bands 6 and 7 saturate on intense flaming (value 1.64 in the
 * savanna test scene). No land surface reflects more than ~0.8 at 1.6–2.2 µm,
 * so a SWIR band at saturation with ρ7 above ρ5 is treated as an unambiguous
 * fire (as HOTMAP [M16] does for its neighbour pixels), independently of the
 * ratio tests, which a clipped ρ7 may fail. [S16]'s folding rule catches the
 * pixels whose DNs wrapped around to low values.
 *
 * Confidence. Unambiguous, folded and saturated fires: 100 (high). Contextual
 * fires: 30 + 49·S(e; 1, 3) (nominal), where e = min over the two context tests
 * of (value − mean)/margin (e > 1 at detection; margin = max(3σ, floor)) and
 * S the MOD14 linear ramp — a fire twice as far above its background as the
 * test requires gets ~55, three times 79.
 *
 * Sentinel-2 (starting point, not validated on a real MSI scene yet): the
 * biome rule B4 ≤ 0.743·B12 − 0.068 and B12 ≥ 0.355 and (B11 ≥ 0.475 or
 * B12 ≥ 1) makes an unambiguous fire; the index rule (B12 − B11)/(B12 + B11)
 * > 0.4 (with B12 > 0.15 so that dark noise cannot pass) or B12 > 1 makes a
 * candidate that must pass the [S16] context tests with B12/B8A over a 61×61
 * (1.2 km) window. Water: B2 > B3 > B4 > B8A when B2 and B3 are given, else
 * B4 > B8A > B11 > B12.
 */
#include "detect/fire_swir_int.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* Plausible TOA reflectance (not sun-elevation corrected values may exceed 1);
 * anything else is fill and the pixel is not processed. */
#define RHO_MIN (-0.5f)
#define RHO_MAX 4.0f

#define TILE 128

enum { ST_NP = 0, ST_LAND, ST_WATER, ST_CAND, ST_FIRE, ST_CTXFIRE, ST_NOBG };

/* per-pixel flag byte */
#define F_UNAMB 1u
#define F_FOLD 2u
#define F_SAT 4u
#define F_NEIGH 8u
#define F_CAND 16u
#define F_WATER 32u

typedef struct swir_run {
    const fg_raster *b[8]; /* [1]..[7]; [1] is coastal or blue */
    int w, h;
    fg_swir_algorithm alg;
    fg_swir_opts o;
    float sat;
} swir_run;

int fg_swir_opts_default(fg_swir_opts *o, fg_swir_algorithm alg)
{
    if (!o)
        return FG_EINVAL;
    fg_swir_opts q;
    memset(&q, 0, sizeof q);
    q.ctx_k = 3.0f;            /* [S16] eq. 4–5: 3σ */
    q.ctx_ratio_floor = 0.8f;  /* [S16]: max(3σ, 0.8) on ρ7/ρ5 */
    q.ctx_ref_floor = 0.08f;   /* [S16]: max(3σ, 0.08) on ρ7 */
    q.saturation_fire = 1;
    switch (alg) {
    case FG_SWIR_SCHROEDER2016:
    case FG_SWIR_SENTINEL2:
        /* [S16] §3: a fixed 61×61 window; the background excludes fires, water
         * and ρ7 ≤ 0 (candidates stay in). */
        q.win_min = q.win_max = 61;
        q.min_valid = 1;
        q.min_valid_frac = 0.0;
        q.sample_sigma = 0;
        q.bg_excludes_candidates = 0;
        break;
    case FG_SWIR_KUMAR_ROY2018:
        /* [KR18] contextual step as in the algorithm author's C code: the
         * window grows 3×3 → 31×31 until >= 25 % of it and >= 8 pixels are
         * valid background (not fire, candidate or water); sample σ. (The
         * public Python re-implementation behind the pereira-gha masks grows
         * 5×5 → 61×61 and uses the population σ: eval_masks --win 5,61
         * --sigma population.) */
        q.win_min = 3;
        q.win_max = 31;
        q.min_valid = 8;
        q.min_valid_frac = 0.25;
        q.sample_sigma = 1;
        q.bg_excludes_candidates = 1;
        q.neighbour_rule = 1;
        break;
    default:
        return FG_EINVAL;
    }
    *o = q;
    return FG_OK;
}

static inline float px(const fg_raster *r, int row, int col)
{
    return r ? ((const float *)r->data)[(size_t)row * r->stride + (size_t)col] : NAN;
}

/* Bands required by each algorithm, as a bit set over slots 1..7. */
static unsigned required_bands(fg_swir_algorithm alg)
{
    if (alg == FG_SWIR_SENTINEL2)
        return (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7);
    return 0xFCu; /* ρ2..ρ7 (ρ1 falls back to ρ2) */
}

/* Loads ρ1..ρ7 of a pixel; returns 0 when a required band is fill. */
static int load(const swir_run *R, int row, int col, float v[8])
{
    unsigned req = required_bands(R->alg);
    v[0] = NAN;
    int ok = 1;
    for (int k = 1; k <= 7; k++) {
        float x = px(R->b[k], row, col);
        if (!(x >= RHO_MIN && x <= RHO_MAX)) { /* also catches NaN */
            x = NAN;
            if (req & (1u << k))
                ok = 0;
        }
        v[k] = x;
    }
    if (R->alg != FG_SWIR_SENTINEL2 && !(v[1] == v[1]))
        ok = 0;
    return ok;
}

/* ρ7/ρx as numpy would give it: +inf for a positive numerator over 0. */
static inline float ratio(float num, float den)
{
    if (den > 0.0f)
        return num / den;
    if (den == 0.0f && num > 0.0f)
        return INFINITY;
    return NAN;
}

/* Rule tests of one pixel (no context): returns the flag byte. */
static unsigned pixel_flags(const swir_run *R, const float *v)
{
    unsigned f = 0;
    float r75 = ratio(v[7], v[5]), r76 = ratio(v[7], v[6]);
    switch (R->alg) {
    case FG_SWIR_SCHROEDER2016:
        /* [S16] eq. 1: unambiguous fire. */
        if (r75 > 2.5f && v[7] - v[5] > 0.3f && v[7] > 0.5f)
            f |= F_UNAMB;
        /* [S16] eq. 2: DN folding in saturated pixels turns ρ7 low while ρ6 stays
         * high; ρ1 < 0.2 keeps bright clouds out. */
        if (v[6] > 0.8f && v[1] < 0.2f && (v[5] > 0.4f || v[7] < 0.1f))
            f |= F_FOLD;
        /* [S16] eq. 7: water. */
        if (v[4] > v[5] && v[5] > v[6] && v[6] > v[7] && v[1] - v[7] < 0.2f &&
            (v[3] > v[2] || (v[1] > v[2] && v[2] > v[3] && v[3] > v[4])))
            f |= F_WATER;
        /* [S16] eq. 3 and the ρ7/ρ6 test of eq. 6: candidate. */
        if (r75 > 1.8f && v[7] - v[5] > 0.17f && r76 > 1.6f)
            f |= F_CAND;
        break;
    case FG_SWIR_KUMAR_ROY2018:
        /* [KR18] eq. 1: fire raises ρ7 far above the red reflectance. */
        if (v[4] <= 0.53f * v[7] - 0.214f)
            f |= F_UNAMB;
        /* [KR18] water: reflectance falling from blue to NIR. */
        if (v[2] > v[3] && v[3] > v[4] && v[4] > v[5])
            f |= F_WATER;
        /* [KR18] eq. 3–4: candidates. */
        if (v[4] <= 0.53f * v[7] - 0.125f || v[6] <= 1.08f * v[7] - 0.048f)
            f |= F_CAND;
        break;
    case FG_SWIR_SENTINEL2:
        if (v[4] <= 0.743f * v[7] - 0.068f && v[7] >= 0.355f && (v[6] >= 0.475f || v[7] >= 1.0f))
            f |= F_UNAMB;
        if (v[2] == v[2] && v[3] == v[3]) {
            if (v[2] > v[3] && v[3] > v[4] && v[4] > v[5])
                f |= F_WATER;
        } else if (v[4] > v[5] && v[5] > v[6] && v[6] > v[7]) {
            f |= F_WATER;
        }
        if (((v[7] - v[6]) / (v[7] + v[6]) > 0.4f && v[7] > 0.15f) || v[7] > 1.0f)
            f |= F_CAND;
        break;
    }
    if (R->o.saturation_fire && R->sat > 0.0f && (v[7] >= R->sat || v[6] >= R->sat) &&
        v[7] > v[5])
        f |= F_SAT;
    return f;
}

static inline int flags_fire(unsigned f) { return (f & (F_UNAMB | F_FOLD | F_SAT)) != 0; }

static int state_of(unsigned f)
{
    if (flags_fire(f) || (f & F_NEIGH))
        return ST_FIRE;
    if (f & F_WATER)
        return ST_WATER;
    if (f & F_CAND)
        return ST_CAND;
    return ST_LAND;
}

/* [KR18] §3.1: a neighbour of an unambiguous fire with ρ4 ≤ 0.35·ρ6 − 0.044 is
 * fire too (flaming fronts spill into the adjacent 30 m pixels, which stay
 * SWIR1-bright but fail eq. 1). Uses only the eq. 1 flags of the neighbours. */
static int neighbour_rule(const swir_run *R, const unsigned char *flags, int row, int col,
                          const float *v)
{
    if (!(v[4] <= 0.35f * v[6] - 0.044f))
        return 0;
    for (int dr = -1; dr <= 1; dr++)
        for (int dc = -1; dc <= 1; dc++) {
            int r = row + dr, c = col + dc;
            if ((dr || dc) && r >= 0 && r < R->h && c >= 0 && c < R->w &&
                flags_fire(flags[(size_t)r * R->w + c]))
                return 1;
        }
    return 0;
}

/* Background contribution of a pixel in state st: 1 and its (ρ7/ρ5, ρ7) when valid. */
static int bg_value(const swir_run *R, int st, int row, int col, double *r75, double *r7)
{
    if (!(st == ST_LAND || (st == ST_CAND && !R->o.bg_excludes_candidates)))
        return 0;
    float a = px(R->b[7], row, col), b = px(R->b[5], row, col);
    if (!(a > 0.0f) || !(b > 0.0f))
        return 0; /* [S16]: ρ7 ≤ 0 is not background; ρ5 ≤ 0 has no ratio */
    *r75 = (double)a / (double)b;
    *r7 = a;
    return 1;
}

/* Background sums of one window: n, Σρ7/ρ5, Σ(ρ7/ρ5)², Σρ7, Σρ7². */
typedef struct bgsum {
    double s[5];
} bgsum;

typedef struct ctx_result {
    int state; /* ST_CTXFIRE, ST_CAND (rejected) or ST_NOBG */
    int window, n;
    double mr, sr, m7, s7;
    unsigned tests;
    int confidence;
} ctx_result;

static double ramp(double x, double a, double b)
{
    if (x <= a)
        return 0.0;
    if (x >= b)
        return 1.0;
    return (x - a) / (b - a);
}

/* [S16] eq. 4–5 (also used by [KR18]): ρ7/ρ5 > mean + max(3σ, 0.8) and
 * ρ7 > mean + max(3σ, 0.08), on the valid background of the window. */
static void ctx_decide(const swir_run *R, const float *v, const bgsum *b, int win,
                       ctx_result *res)
{
    double n = b->s[0];
    double dof = R->o.sample_sigma ? n - 1.0 : n;
    double mr = b->s[1] / n, m7 = b->s[3] / n;
    double vr = dof > 0 ? (b->s[2] - b->s[1] * mr) / dof : 0.0;
    double v7 = dof > 0 ? (b->s[4] - b->s[3] * m7) / dof : 0.0;
    double sr = vr > 0 ? sqrt(vr) : 0.0, s7 = v7 > 0 ? sqrt(v7) : 0.0;
    double mgr = fmax(R->o.ctx_k * sr, R->o.ctx_ratio_floor);
    double mg7 = fmax(R->o.ctx_k * s7, R->o.ctx_ref_floor);
    double r75 = ratio(v[7], v[5]);
    res->window = win;
    res->n = (int)n;
    res->mr = mr;
    res->sr = sr;
    res->m7 = m7;
    res->s7 = s7;
    res->tests = 0;
    if (r75 > mr + mgr)
        res->tests |= FG_SWIR_T_CTX_RATIO;
    if (v[7] > m7 + mg7)
        res->tests |= FG_SWIR_T_CTX_REF;
    if ((res->tests & FG_SWIR_T_CTX_RATIO) && (res->tests & FG_SWIR_T_CTX_REF)) {
        res->state = ST_CTXFIRE;
        double e = fmin((r75 - mr) / mgr, (v[7] - m7) / mg7);
        if (!(e == e))
            e = 3.0; /* infinite ratio over a zero NIR */
        res->confidence = 30 + (int)lround(49.0 * ramp(e, 1.0, 3.0));
    } else {
        res->state = ST_CAND;
        res->confidence = 0;
    }
}

static int enough(const swir_run *R, double n, int win)
{
    if (n < R->o.min_valid || n < 1.0)
        return 0;
    if (R->o.sample_sigma && n < 2.0)
        return 0;
    return n >= R->o.min_valid_frac * (double)win * (double)win;
}

/* Window sums provider: SAT over a tile region, or brute force. */
typedef struct sat_region {
    int r0, c0, rh, cw; /* region in image coordinates */
    double *t;          /* (rh + 1) × (cw + 1) × 5 */
} sat_region;

static void sat_build(const swir_run *R, const unsigned char *state, sat_region *S)
{
    size_t W1 = (size_t)S->cw + 1;
    memset(S->t, 0, W1 * 5 * sizeof(double));
    for (int i = 0; i < S->rh; i++) {
        double acc[5] = {0, 0, 0, 0, 0};
        double *up = S->t + ((size_t)i * W1) * 5, *cur = S->t + ((size_t)(i + 1) * W1) * 5;
        cur[0] = cur[1] = cur[2] = cur[3] = cur[4] = 0.0;
        int row = S->r0 + i;
        for (int j = 0; j < S->cw; j++) {
            int col = S->c0 + j;
            double a, b;
            if (bg_value(R, state[(size_t)row * R->w + col], row, col, &a, &b)) {
                acc[0] += 1.0;
                acc[1] += a;
                acc[2] += a * a;
                acc[3] += b;
                acc[4] += b * b;
            }
            for (int k = 0; k < 5; k++)
                cur[(size_t)(j + 1) * 5 + k] = up[(size_t)(j + 1) * 5 + k] + acc[k];
        }
    }
}

/* Sums of the window of side win centred on (row, col), clipped to the image. */
static void sat_window(const swir_run *R, const sat_region *S, int row, int col, int win,
                       bgsum *out)
{
    int hw = win / 2;
    int a = row - hw < 0 ? 0 : row - hw, b = row + hw + 1 > R->h ? R->h : row + hw + 1;
    int c = col - hw < 0 ? 0 : col - hw, d = col + hw + 1 > R->w ? R->w : col + hw + 1;
    a -= S->r0;
    b -= S->r0;
    c -= S->c0;
    d -= S->c0;
    size_t W1 = (size_t)S->cw + 1;
    const double *t = S->t;
    for (int k = 0; k < 5; k++)
        out->s[k] = t[((size_t)b * W1 + d) * 5 + k] - t[((size_t)a * W1 + d) * 5 + k] -
                    t[((size_t)b * W1 + c) * 5 + k] + t[((size_t)a * W1 + c) * 5 + k];
}

static void brute_window(const swir_run *R, int row, int col, int win, bgsum *out);

/* Context of one candidate; sums come from the SAT (S) or by brute force (S NULL,
 * states computed on the fly). */
static void ctx_candidate(const swir_run *R, const unsigned char *state, const sat_region *S,
                          int row, int col, const float *v, ctx_result *res)
{
    double a, b;
    int centre_bg = state ? bg_value(R, state[(size_t)row * R->w + col], row, col, &a, &b) : 0;
    for (int win = R->o.win_min; win <= R->o.win_max; win += 2) {
        bgsum s;
        if (S) {
            sat_window(R, S, row, col, win, &s);
            if (centre_bg) { /* the candidate is never its own background */
                s.s[0] -= 1.0;
                s.s[1] -= a;
                s.s[2] -= a * a;
                s.s[3] -= b;
                s.s[4] -= b * b;
            }
        } else {
            brute_window(R, row, col, win, &s);
        }
        if (enough(R, s.s[0], win)) {
            ctx_decide(R, v, &s, win, res);
            return;
        }
    }
    memset(res, 0, sizeof *res);
    res->state = ST_NOBG;
    res->window = R->o.win_max;
    res->tests = FG_SWIR_T_NOBG;
    res->mr = res->sr = res->m7 = res->s7 = NAN;
}

/* Final state of one pixel computed from scratch (for brute force / explain). */
static int state_at(const swir_run *R, int row, int col, unsigned *flags_out)
{
    float v[8];
    if (!load(R, row, col, v)) {
        if (flags_out)
            *flags_out = 0;
        return ST_NP;
    }
    unsigned f = pixel_flags(R, v);
    if (R->o.neighbour_rule && R->alg == FG_SWIR_KUMAR_ROY2018 && !flags_fire(f) &&
        v[4] <= 0.35f * v[6] - 0.044f) {
        for (int dr = -1; dr <= 1 && !(f & F_NEIGH); dr++)
            for (int dc = -1; dc <= 1; dc++) {
                int r = row + dr, c = col + dc;
                float u[8];
                if ((dr || dc) && r >= 0 && r < R->h && c >= 0 && c < R->w && load(R, r, c, u) &&
                    flags_fire(pixel_flags(R, u))) {
                    f |= F_NEIGH;
                    break;
                }
            }
    }
    if (flags_out)
        *flags_out = f;
    return state_of(f);
}

static void brute_window(const swir_run *R, int row, int col, int win, bgsum *out)
{
    int hw = win / 2;
    memset(out, 0, sizeof *out);
    for (int r = row - hw; r <= row + hw; r++)
        for (int c = col - hw; c <= col + hw; c++) {
            if (r < 0 || r >= R->h || c < 0 || c >= R->w || (r == row && c == col))
                continue;
            double a, b;
            if (bg_value(R, state_at(R, r, c, NULL), r, c, &a, &b)) {
                out->s[0] += 1.0;
                out->s[1] += a;
                out->s[2] += a * a;
                out->s[3] += b;
                out->s[4] += b * b;
            }
        }
}

static unsigned tests_of_flags(unsigned f)
{
    unsigned t = 0;
    if (f & F_UNAMB)
        t |= FG_SWIR_T_UNAMB | FG_TEST_ABSOLUTE;
    if (f & F_FOLD)
        t |= FG_SWIR_T_FOLD | FG_TEST_SATURATED;
    if (f & F_SAT)
        t |= FG_SWIR_T_SAT | FG_TEST_SATURATED;
    if (f & F_NEIGH)
        t |= FG_SWIR_T_NEIGH | FG_TEST_ABSOLUTE;
    if (f & F_CAND)
        t |= FG_SWIR_T_CAND | FG_TEST_POTENTIAL;
    if (f & F_WATER)
        t |= FG_SWIR_T_WATER;
    return t;
}

static int setup(const fg_swir_input *in, fg_swir_algorithm alg, const fg_swir_opts *o,
                 swir_run *R, fg_ctx *ctx)
{
    static const char *const names[8] = {"",          "COASTAL_REF", "BLUE_REF",  "GREEN_REF",
                                         "RED_REF",   "NIR_REF",     "SWIR1_REF", "SWIR2_REF"};
    memset(R, 0, sizeof *R);
    if (!in)
        return fg_ctx_set(ctx, FG_EINVAL, "fire_swir.c: no input");
    if (alg != FG_SWIR_SCHROEDER2016 && alg != FG_SWIR_KUMAR_ROY2018 && alg != FG_SWIR_SENTINEL2)
        return fg_ctx_set(ctx, FG_EINVAL, "fire_swir.c: unknown SWIR algorithm %d", (int)alg);
    R->alg = alg;
    if (o)
        R->o = *o;
    else
        fg_swir_opts_default(&R->o, alg);
    if (R->o.win_min < 3 || R->o.win_max < R->o.win_min || !(R->o.win_min & 1) ||
        !(R->o.win_max & 1) || R->o.win_max > 1001)
        return fg_ctx_set(ctx, FG_EINVAL, "fire_swir.c: background window %d..%d must be odd, 3..1001",
                          R->o.win_min, R->o.win_max);
    R->b[1] = in->coastal ? in->coastal : in->blue;
    R->b[2] = in->blue;
    R->b[3] = in->green;
    R->b[4] = in->red;
    R->b[5] = in->nir;
    R->b[6] = in->swir1;
    R->b[7] = in->swir2;
    unsigned req = required_bands(alg);
    const fg_raster *ref = NULL;
    for (int k = 1; k <= 7; k++) {
        if (!R->b[k]) {
            if (req & (1u << k))
                return fg_ctx_set(ctx, FG_ENOTFOUND,
                                  "fire_swir.c: the %s algorithm needs band %s, which is missing",
                                  alg == FG_SWIR_SCHROEDER2016  ? "Schroeder 2016"
                                  : alg == FG_SWIR_KUMAR_ROY2018 ? "Kumar-Roy 2018"
                                                                 : "Sentinel-2",
                                  names[k]);
            continue;
        }
        const fg_raster *r = R->b[k];
        if (r->type != FG_PIX_F32 || r->channels != 1 || !r->data || r->width <= 0 ||
            r->height <= 0 || r->stride < (size_t)r->width)
            return fg_ctx_set(ctx, FG_EINVAL,
                              "fire_swir.c: band %s must be a single-channel float raster",
                              names[k]);
        if (!ref)
            ref = r;
        else if (r->width != ref->width || r->height != ref->height)
            return fg_ctx_set(ctx, FG_EINVAL,
                              "fire_swir.c: band %s is %dx%d, the other bands %dx%d", names[k],
                              r->width, r->height, ref->width, ref->height);
    }
    R->w = ref->width;
    R->h = ref->height;
    R->sat = in->saturation > 0.0f ? in->saturation : 0.0f;
    return FG_OK;
}

int fg_swir_detect_opts(const fg_swir_input *in, fg_swir_algorithm alg, const fg_swir_opts *o,
                        int threads, fg_fire_pixel **out, size_t *n, unsigned char *mask,
                        fg_ctx *ctx)
{
    if (!out || !n)
        return fg_ctx_set(ctx, FG_EINVAL, "fire_swir.c: no output");
    swir_run R;
    int rc = setup(in, alg, o, &R, ctx);
    if (rc)
        return rc;
    const int w = R.w, h = R.h;
    const size_t npx = (size_t)w * (size_t)h;
    int nt = 1;
#ifdef _OPENMP
    nt = threads > 0 ? threads : omp_get_max_threads();
    if (npx < 4096)
        nt = 1; /* small inputs stay single-threaded */
#else
    (void)threads;
#endif
    unsigned char *flags = fg_malloc(npx), *state = fg_malloc(npx);
    if (!flags || !state) {
        fg_free(flags);
        fg_free(state);
        return fg_ctx_set(ctx, FG_ENOMEM, "fire_swir.c: no memory for %dx%d flag planes", w, h);
    }

    /* 1. rule tests, pixel by pixel */
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(nt)
#endif
    for (int row = 0; row < h; row++) {
        for (int col = 0; col < w; col++) {
            size_t i = (size_t)row * w + col;
            float v[8];
            if (!load(&R, row, col, v)) {
                flags[i] = 0;
                state[i] = ST_NP;
                continue;
            }
            flags[i] = (unsigned char)pixel_flags(&R, v);
            state[i] = (unsigned char)state_of(flags[i]);
        }
    }
    /* 2. Kumar–Roy neighbour rule: reads rule-1 flags only, writes states */
    if (R.alg == FG_SWIR_KUMAR_ROY2018 && R.o.neighbour_rule) {
#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(nt)
#endif
        for (int row = 0; row < h; row++) {
            for (int col = 0; col < w; col++) {
                size_t i = (size_t)row * w + col;
                float v[8];
                if (state[i] == ST_NP || state[i] == ST_FIRE || !load(&R, row, col, v))
                    continue;
                if (neighbour_rule(&R, flags, row, col, v))
                    state[i] = ST_FIRE; /* F_NEIGH is added below, after all reads */
            }
        }
        for (size_t i = 0; i < npx; i++)
            if (state[i] == ST_FIRE && !flags_fire(flags[i]))
                flags[i] |= F_NEIGH;
    }

    /* 3. context of the candidates, tile by tile */
    size_t ncand = 0;
    for (size_t i = 0; i < npx; i++)
        ncand += state[i] == ST_CAND;
    int32_t *cpos = NULL;
    size_t *order = NULL, *tstart = NULL;
    ctx_result *cres = NULL;
    double **sat = NULL;
    const int halo = R.o.win_max / 2;
    const int ntx = (w + TILE - 1) / TILE, nty = (h + TILE - 1) / TILE;
    const size_t ntiles = (size_t)ntx * nty;
    if (ncand) {
        size_t side = (size_t)TILE + 2 * (size_t)halo + 1;
        cpos = fg_malloc(ncand * sizeof *cpos);
        order = fg_malloc(ncand * sizeof *order);
        tstart = fg_calloc(ntiles + 1, sizeof *tstart);
        cres = fg_calloc(ncand, sizeof *cres);
        sat = fg_calloc((size_t)nt, sizeof *sat);
        int ok = cpos && order && tstart && cres && sat;
        for (int t = 0; ok && t < nt; t++)
            ok = (sat[t] = fg_malloc(side * side * 5 * sizeof(double))) != NULL;
        if (!ok) {
            if (sat)
                for (int t = 0; t < nt; t++)
                    fg_free(sat[t]);
            fg_free(sat);
            fg_free(cpos);
            fg_free(order);
            fg_free(tstart);
            fg_free(cres);
            fg_free(flags);
            fg_free(state);
            return fg_ctx_set(ctx, FG_ENOMEM, "fire_swir.c: no memory for %zu candidates", ncand);
        }
        /* candidates in row-major order; counting sort of their indices by tile */
        size_t k = 0;
        for (size_t i = 0; i < npx; i++)
            if (state[i] == ST_CAND) {
                int row = (int)(i / (size_t)w), col = (int)(i % (size_t)w);
                cpos[k++] = (int32_t)i;
                tstart[(size_t)(row / TILE) * ntx + col / TILE + 1]++;
            }
        for (size_t t = 0; t < ntiles; t++)
            tstart[t + 1] += tstart[t];
        size_t *fill = fg_calloc(ntiles, sizeof *fill);
        if (!fill) {
            for (int t = 0; t < nt; t++)
                fg_free(sat[t]);
            fg_free(sat);
            fg_free(cpos);
            fg_free(order);
            fg_free(tstart);
            fg_free(cres);
            fg_free(flags);
            fg_free(state);
            return fg_ctx_set(ctx, FG_ENOMEM, "fire_swir.c: no memory for the tile index");
        }
        for (size_t c = 0; c < ncand; c++) {
            int row = cpos[c] / w, col = cpos[c] % w;
            size_t t = (size_t)(row / TILE) * ntx + col / TILE;
            order[tstart[t] + fill[t]++] = c;
        }
        fg_free(fill);

#ifdef _OPENMP
#pragma omp parallel for schedule(static) num_threads(nt)
#endif
        for (long t = 0; t < (long)ntiles; t++) {
            if (tstart[t] == tstart[t + 1])
                continue;
            int tid = 0;
#ifdef _OPENMP
            tid = omp_get_thread_num();
#endif
            int ty = (int)(t / ntx), tx = (int)(t % ntx);
            sat_region S;
            S.r0 = ty * TILE - halo < 0 ? 0 : ty * TILE - halo;
            S.c0 = tx * TILE - halo < 0 ? 0 : tx * TILE - halo;
            int r1 = (ty + 1) * TILE + halo > h ? h : (ty + 1) * TILE + halo;
            int c1 = (tx + 1) * TILE + halo > w ? w : (tx + 1) * TILE + halo;
            S.rh = r1 - S.r0;
            S.cw = c1 - S.c0;
            S.t = sat[tid];
            sat_build(&R, state, &S);
            for (size_t q = tstart[t]; q < tstart[t + 1]; q++) {
                size_t c = order[q];
                int row = cpos[c] / w, col = cpos[c] % w;
                float v[8];
                load(&R, row, col, v);
                ctx_candidate(&R, state, &S, row, col, v, &cres[c]);
            }
        }
        for (int t = 0; t < nt; t++)
            fg_free(sat[t]);
        fg_free(sat);
        fg_free(order);
        fg_free(tstart);
    }

    /* 4. records and mask, row-major */
    size_t nfire = 0;
    for (size_t i = 0; i < npx; i++)
        nfire += state[i] == ST_FIRE;
    for (size_t c = 0; c < ncand; c++)
        nfire += cres[c].state == ST_CTXFIRE;
    fg_fire_pixel *px_out = NULL;
    if (nfire) {
        px_out = fg_calloc(nfire, sizeof *px_out);
        if (!px_out) {
            fg_free(cpos);
            fg_free(cres);
            fg_free(flags);
            fg_free(state);
            return fg_ctx_set(ctx, FG_ENOMEM, "fire_swir.c: no memory for %zu fire pixels", nfire);
        }
    }
    size_t k = 0, c = 0;
    for (size_t i = 0; i < npx; i++) {
        int st = state[i];
        const ctx_result *cr = NULL;
        if (st == ST_CAND) {
            cr = &cres[c++];
            st = cr->state;
        }
        unsigned char mc;
        switch (st) {
        case ST_NP: mc = FG_MASK_NOT_PROCESSED; break;
        case ST_WATER: mc = FG_MASK_WATER; break;
        case ST_NOBG: mc = FG_MASK_UNKNOWN; break;
        case ST_FIRE: mc = FG_MASK_FIRE_HIGH; break;
        case ST_CTXFIRE: mc = (unsigned char)(FG_MASK_FIRE_LOW + fg_conf_class_of(cr->confidence)); break;
        default: mc = FG_MASK_LAND; break;
        }
        if (mask)
            mask[i] = mc;
        if (st != ST_FIRE && st != ST_CTXFIRE)
            continue;
        int row = (int)(i / (size_t)w), col = (int)(i % (size_t)w);
        fg_fire_pixel *p = &px_out[k++];
        float v[8];
        load(&R, row, col, v);
        p->row = row;
        p->col = col;
        p->t4 = p->t11 = p->mean_t4 = p->mean_t11 = p->mean_dt = NAN;
        p->mad_t4 = p->mad_t11 = p->mad_dt = p->mad_t4_bgfire = NAN;
        p->frp_mw = p->frp_c5_mw = NAN;
        p->is_day = 1;
        p->adj_cloud = 0;
        p->adj_water = 0;
        for (int dr = -1; dr <= 1; dr++)
            for (int dc = -1; dc <= 1; dc++) {
                int r = row + dr, cc = col + dc;
                if ((dr || dc) && r >= 0 && r < h && cc >= 0 && cc < w &&
                    state[(size_t)r * w + cc] == ST_WATER)
                    p->adj_water++;
            }
        p->swir_ratio = ratio(v[7], v[5]);
        p->swir2_ref = v[7];
        p->tests = tests_of_flags(flags[i]);
        p->mask_class = mc;
        p->fire_id = 0;
        if (st == ST_FIRE) {
            p->confidence = 100;
            p->n_valid = 0;
            p->window = 0;
        } else {
            p->tests |= cr->tests;
            p->confidence = cr->confidence;
            p->n_valid = cr->n;
            p->window = cr->window;
        }
    }
    fg_free(cpos);
    fg_free(cres);
    fg_free(flags);
    fg_free(state);
    *out = px_out;
    *n = nfire;
    return FG_OK;
}

int fg_swir_detect(const fg_swir_input *in, fg_swir_algorithm alg, int threads,
                   fg_fire_pixel **out, size_t *n, unsigned char *mask, fg_ctx *ctx)
{
    return fg_swir_detect_opts(in, alg, NULL, threads, out, n, mask, ctx);
}

int fg_swir_explain(const fg_swir_input *in, fg_swir_algorithm alg, const fg_swir_opts *o,
                    int row, int col, fg_swir_diag *d, fg_ctx *ctx)
{
    swir_run R;
    int rc = setup(in, alg, o, &R, ctx);
    if (rc)
        return rc;
    if (!d || row < 0 || row >= R.h || col < 0 || col >= R.w)
        return fg_ctx_set(ctx, FG_EINVAL, "fire_swir.c: pixel (%d, %d) outside the %dx%d scene",
                          row, col, R.w, R.h);
    fg_swir_diag q;
    memset(&q, 0, sizeof q);
    q.mean_ratio = q.sd_ratio = q.mean_ref = q.sd_ref = NAN;
    float v[8];
    int okv = load(&R, row, col, v);
    for (int k = 0; k < 8; k++)
        q.rho[k] = okv ? v[k] : px(R.b[k], row, col);
    q.rho[0] = NAN;
    q.ratio75 = ratio(q.rho[7], q.rho[5]);
    q.ratio76 = ratio(q.rho[7], q.rho[6]);
    q.diff75 = q.rho[7] - q.rho[5];
    unsigned f;
    int st = state_at(&R, row, col, &f);
    q.tests = tests_of_flags(f);
    switch (st) {
    case ST_NP: q.mask_class = FG_MASK_NOT_PROCESSED; break;
    case ST_WATER: q.mask_class = FG_MASK_WATER; break;
    case ST_LAND: q.mask_class = FG_MASK_LAND; break;
    case ST_FIRE:
        q.mask_class = FG_MASK_FIRE_HIGH;
        q.confidence = 100;
        break;
    default: {
        ctx_result cr;
        ctx_candidate(&R, NULL, NULL, row, col, v, &cr);
        q.tests |= cr.tests;
        q.window = cr.window;
        q.n_valid = cr.n;
        q.mean_ratio = cr.mr;
        q.sd_ratio = cr.sr;
        q.mean_ref = cr.m7;
        q.sd_ref = cr.s7;
        q.confidence = cr.confidence;
        q.mask_class = cr.state == ST_CTXFIRE
                           ? (unsigned char)(FG_MASK_FIRE_LOW + fg_conf_class_of(cr.confidence))
                       : cr.state == ST_NOBG ? FG_MASK_UNKNOWN
                                             : FG_MASK_LAND;
    }
    }
    *d = q;
    return FG_OK;
}
