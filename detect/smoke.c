/* smoke.c — camera smoke detector: fast/slow backgrounds, block cues, skyline, time-of-day history, persistence. */
/* SPDX-License-Identifier: MIT */
/*
 * What is built here follows ../shared/ref/camera-smoke.md ("what works"):
 * at one frame a minute and km range, flicker and flame colour are useless;
 * smoke is a slow, low-saturation, grey change that rises from the ground and
 * grows over minutes, and drifting clouds are the dominant false alarm.
 *
 *  1. Exposure: a global gain g (median over blocks of B/I of mean luminance)
 *     multiplies the frame, so auto-exposure hunting and a sun/cloud level
 *     change over the whole view are not "change" anywhere; a local additive
 *     offset (median of B − I over 15×15 blocks) removes haze thickening and
 *     the sun's changing angle through hazy air, which are smooth over large
 *     parts of a view, while a young plume covers far fewer blocks.
 *  2. Backgrounds (running averages, B ← a·B + (1 − a)·I): a fast one
 *     (a ≈ 0.7) and a slow one (a ≈ 0.9) of luminance, the slow one also of
 *     chroma (JFIF YCbCr). While a region is being confirmed its blocks update
 *     the slow background 20× slower, so a growing plume is not absorbed
 *     before it can alarm; afterwards at the normal rate, so nothing locks.
 *  3. Per block: change D = mean |Y − B_slow| (each pixel against the closest
 *     of its 3×3 background neighbours: camera sway) against an adaptive
 *     threshold T ← a·T + (1 − a)·c·D learnt on blocks that were not
 *     candidates (Collins et al. 2000, VSAM report CMU-RI-TR-00-12, §3.1;
 *     c = 3 at block level; T starts from the first frame-to-frame change),
 *     activity |Y − B_fast| (also against the closest of 3×3), colourless score
 *     and grey luminance of the changed pixels, and the sign of the change
 *     with two cues of additive airlight: smoke is a grey veil
 *     I = (1 − α)·B + α·S (Koschmieder's haze model), so it lightens dark
 *     ground, or lowers the chroma/luminance ratio (desaturation) or the
 *     contrast (|Laplacian|/luminance, "loss of high-frequency detail"); a
 *     grey veil never raises the chroma ratio by more than JPEG noise (glare
 *     and sunlit sky do). A shadow multiplies I = k·B: darker, both ratios
 *     unchanged.
 *  4. Appearance: when a learned block model is given, the block must also
 *     look like smoke on its own (fg_smoke_appearance, fg_smoke_model_prob ≥
 *     min_prob, by default the model's own threshold).
 *  5. Block score s = clamp(D / 2·max(min_diff, T)) for blocks that pass the
 *     gates, 0 otherwise; when s > 0.5, D first loses the median change of
 *     its block row within ±15 blocks (row_median: haze layers, inversion
 *     tops and fog banks are stratified and change along whole rows, a young
 *     plume is a few blocks wide). Time-of-day history (Fuego, Govil et al.
 *     2020): a block is a candidate only when s > 0.5 and
 *     s > max((h + 1)/2, h + 0.2), h its highest score within ±1 h of the
 *     same time of day 12 h–3.5 days ago, kept as a ring of hourly maxima (84
 *     slots, one byte per block), and when it is still evolving (activity,
 *     see block_scores).
 *  6. Candidates → 4-connected regions (raster-order labels); a region counts
 *     when its lowest block ends less than 2 % of the frame height above the
 *     skyline under it (skyline: per block column, where the slow background's
 *     luminance drops from sky to ground near the horizon row; a plume's base
 *     touches the ground or rises from behind a ridge, clouds live in the
 *     sky) and it covers at most a quarter of the frame (weather changes
 *     large parts of a view together, a plume in its first minutes is small).
 *     A frame in which over half of the blocks changed is a new scene: the
 *     backgrounds restart.
 *  7. Persistence: a region continues a counted region of the previous frame
 *     that it overlaps or touches (a one-block shift is a small plume's
 *     jitter). It counts up while it keeps ≥ 80 % of its area or loses at
 *     most two blocks and does not jump to more than 3× its area (weather and
 *     light change whole parts of a view between frames; a plume grows by its
 *     own rise and spread); otherwise its track is held. After persist_frames
 *     counted frames, with at least two blocks, and having risen by a block
 *     or doubled its area since first seen, it alarms; never during the
 *     warm-up. A gap longer than gap_reset_s restarts the warm-up (the
 *     history is kept); a frame older than the last is refused.
 *
 * Sensitivity: min_diff = 3 DN floors T: about twice the mean |difference|
 * (1.6 DN) that σ = 2 DN sensor and JPEG noise gives, so a clean distant
 * view (T ≈ 1–3 DN on HPWREN frames) can show a faint plume 10 DN lighter
 * over a quarter of a block. It was 6 until FIgLib 20190925 showed a real
 * plume at 4–9 DN; the negatives stayed at zero alarms at 3 (scripts/
 * eval_camera.sh). Only two labelled ignition sequences exist here, so this
 * choice has no independent validation set: that is stated in the README.
 *
 * Persistence choice: 3 frames. Pyronear (2025) uses 5 consecutive frames at a
 * frame every ~30 s (2–2.5 min of evidence). At one frame a minute 5 frames
 * would cost 4 minutes after the smoke first shows, and FIgLib smoke often
 * takes 1–3 minutes to become visible (SmokeyNet's mean time-to-detect is
 * 3.1 min, Dewangan et al. 2022), so a 5-minute bar leaves room for 3 frames
 * (2 minutes of sustained evidence), which is about Pyronear's time window.
 *
 * Pixel coordinates in results are continuous: pixel (r, c) covers
 * [c, c + 1) × [r, r + 1) — the convention of fg_camera_*. The block grid is
 * nbx = width / block by nby = height / block (partial edge blocks dropped),
 * the grid of fg_smoke_appearance and fg_camera_block_mask.
 *
 * Threads: pixel rows and block rows are split statically; each iteration
 * writes only its own pixels and blocks; medians, labelling, tracking and the
 * history run single-threaded in a fixed order, so results are identical at
 * any thread count.
 *
 * The pixel stage (block sums, change features, background update) is in
 * smoke_pixels.c; the state's byte format (save, load) in smoke_state.c.
 */
#include "detect/detect.h"
#include "detect/detect_int.h"
#include "detect/smoke_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Grey luminance range of smoke (camera-smoke.md: light 150–220, dark 80–150),
 * widened a little for haze and exposure. */
#define GREY_Y_MIN 70.0f
#define GREY_Y_MAX 235.0f
/* Slow-background weight inside a tracked region: a time constant of ~200
 * frames instead of ~10 at a = 0.9. */
#define BG_ALPHA_HELD 0.995f
/* Adaptive threshold factor c of T ← aT + (1 − a)·c·D. Collins et al. use 5
 * on single pixels; a block mean of 64 pixels has ~8× less noise, and its
 * residual variation is scene motion (trees, water, traffic) whose mean
 * excursion 3× covers with a margin. */
#define THR_C 3.0f
/* A region keeps its persistence while it keeps this share of its area. */
#define SHRINK_TOL 0.8
/* ... or loses at most this many blocks (a small plume's flicker). */
#define SHRINK_BLOCKS 2
/* ... and does not jump to more than this many times its area (plus the
 * flicker): weather and light change whole parts of a view between two
 * frames, a plume grows by its own rise and spread. */
#define GROW_MAX 3.0
/* Smallest region that can alarm (blocks): one block has no shape. */
#define MIN_BLOCKS 2
/* Confirmation needs growth: the top risen by a block or the area doubled
 * since the region was first seen. */
#define RISE_MIN 1
#define GROW_MIN 2.0
/* Largest region that can be a young plume (share of the frame's blocks). */
#define MAX_REGION_FRAC 0.25
/* Share of changed blocks above which a frame is a new scene. */
#define SCENE_CHANGE_FRAC 0.5
/* Frame-to-frame smoothing weight of the estimated horizon row. */
#define HORIZON_EMA 0.8
/* Airlight gates: a grey veil must lower the chroma/luminance ratio or the
 * contrast of the block against its background by at least these amounts
 * (JPEG noise moves either ratio by ~1–2 %). */
#define DESAT_MIN 0.03f
#define HFLOSS_MIN 0.15f
/* JPEG noise in the chroma/luminance ratio of a block: a veil whose block
 * gained more colour than this is not grey (glare, sunlit sky, leaves). */
#define DESAT_NOISE 0.01f
/* Exposure gain is clamped to one photographic stop either way: a cloud
 * shadow over the whole view or auto-exposure stays within it; beyond it the
 * frame is a different scene (dusk, a day/night switch). */
#define GAIN_MIN 0.5f
#define GAIN_MAX 2.0f


/* A plume base may lie up to this share of the frame height above the
 * skyline (about 1.5° on a 75°-high view): the skyline's own error, and
 * smoke rising from behind a far ridge just above the strongest sky/ground
 * edge (FIgLib 20190925: 8–16 px of 1024 above a nearer ridge). */
#define HORIZON_TOL 0.02
/* Skyline search (skyline): rows averaged on each side, the band around the
 * frame's horizon (share of the block rows), the least drop (DN) that is a
 * skyline, and a bound on the rows searched. */
#define SKY_W 3
#define SKY_BAND 0.06
#define SKY_MIN_DROP 5.0f
#define SKY_MAX_ROWS 512
/* Half-width (blocks) of the row window of row_median. */
#define ROW_R 15


struct region {
    int area, bx0, by0, bx1, by1; /* blocks, inclusive box */
    double ssum;                  /* sum of block scores */
    float hmax;                   /* highest history score among its blocks */
    int counts;                   /* base below the horizon, not oversized */
    int persisted, top0, area0;   /* frames seen; top block row and area when first seen */
    int grew;                     /* has risen or grown since first seen */
    float growth, score;
    int alarm;
};


void fg_smoke_params_default(fg_smoke_params *p)
{
    if (!p)
        return;
    memset(p, 0, sizeof *p);
    p->block = 8;
    p->bg_alpha_fast = 0.7f; /* camera-smoke.md: fast a ≈ 0.7 (time constant ~3 frames) */
    p->bg_alpha = 0.9f;      /* slow a ≈ 0.9 (~10 frames: 10 min at 1 frame/min) */
    p->min_diff = 3.0f;      /* see the file comment */
    p->min_grey = 0.75f;     /* smoke over stubble or soil mixes in some colour */
    p->min_prob = -1.0f;     /* the model's own threshold (its file says how it was chosen) */
    p->persist_frames = 3;   /* see the file comment */
    p->warmup_frames = 3;    /* the adaptive threshold learns the noise */
    p->gap_reset_s = 1800;   /* 30 min: light has changed; backgrounds are stale */
    p->horizon_row = -1.0;
}

int fg_smoke_check_params(const fg_smoke_params *p, fg_ctx *ctx)
{
    /* even blocks: a block holds whole 2×2 chroma cells (smoke_pixels.c) */
    if (p->block < 2 || p->block > 256 || p->block % 2 ||
        !(p->bg_alpha >= 0 && p->bg_alpha < 1) ||
        !(p->bg_alpha_fast >= 0 && p->bg_alpha_fast < 1) || !(p->min_diff > 0) ||
        !(p->min_grey >= 0 && p->min_grey <= 1) ||
        !(p->min_prob == -1.0f || (p->min_prob >= 0 && p->min_prob <= 1)) ||
        p->persist_frames < 1 || p->warmup_frames < 0 || p->gap_reset_s < 0 ||
        isnan(p->horizon_row))
        return fg_ctx_set(ctx, FG_EINVAL,
                          "smoke: parameters out of range (block %d (even, 2–256), "
                          "bg_alpha_fast %g, bg_alpha %g, min_diff %g, min_grey %g, min_prob %g, "
                          "persist_frames %d, warmup_frames %d, gap_reset_s %d)",
                          p->block, p->bg_alpha_fast, p->bg_alpha, p->min_diff, p->min_grey,
                          p->min_prob, p->persist_frames, p->warmup_frames, p->gap_reset_s);
    if (p->model && (p->model->nfeat < 0 || p->model->nfeat > FG_SF_COUNT))
        return fg_ctx_set(ctx, FG_EINVAL,
                          "smoke: the block model uses %d features; the detector computes %d",
                          p->model->nfeat, FG_SF_COUNT);
    return FG_OK;
}

void fg_smoke_free(fg_smoke *s)
{
    if (!s)
        return;
    void *bufs[] = {s->bsy,    s->bsu,     s->bsv,    s->bfy,    s->thr,    s->bsat,   s->bcon,
                    s->held,   s->plab,    s->ppers,  s->parea,  s->ptop,   s->parea0, s->pgrew,
                    s->hist,   s->bsum,    s->ysum,   s->scr,    s->edge,   s->bmean,
                    s->boff,   s->medbuf,  s->mkey,   s->rank,   s->med,    s->bdiff,
                    s->bgrey,  s->bluma,   s->bsign,  s->bchg,   s->bcursat, s->bcurcon, s->score,
                    s->hscore, s->ratio,   s->prob,   s->feat,   s->cand,   s->parent, s->lab,
                    s->reg,    s->sky,     s->skytmp, s->lrow,   s->bgmean};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        fg_free(bufs[i]);
    fg_raster_release(&s->own);
    fg_free(s);
}

fg_smoke *fg_smoke_alloc_state(const fg_smoke_params *p, int width, int height, fg_ctx *ctx)
{
    fg_smoke *s = fg_calloc(1, sizeof *s);
    if (!s) {
        fg_ctx_set(ctx, FG_ENOMEM, "smoke: out of memory");
        return NULL;
    }
    s->p = *p;
    s->w = width;
    s->h = height;
    s->bw = width / p->block;
    s->bh = height / p->block;
    s->nb = s->bw * s->bh;
    s->bratio_stored = 1; /* a fresh state's ratios are zeros, as it saves them */
    s->bsum_ok = 1;       /* zero backgrounds, zero sums */
    s->cw = (width + 1) / 2;
    s->ch = (height + 1) / 2;
    size_t np = (size_t)width * (size_t)height, nb = (size_t)s->nb, nc = (size_t)s->cw * s->ch;
    uint16_t **pix16[] = {&s->bfy};
    float **blk[] = {&s->thr,   &s->bsat,    &s->bcon,    &s->bdiff,
                     &s->bgrey, &s->bluma,   &s->bsign,   &s->bchg,    &s->bcursat, &s->bcurcon,
                     &s->score, &s->hscore,  &s->ratio,   &s->prob};
    int ok = 1;
    ok &= (s->bsy = fg_calloc(np, sizeof(float))) != NULL;
    for (size_t i = 0; i < sizeof pix16 / sizeof pix16[0]; i++)
        ok &= (*pix16[i] = fg_calloc(np, sizeof(uint16_t))) != NULL;
    ok &= (s->bsu = fg_calloc(nc, sizeof(uint16_t))) != NULL;
    ok &= (s->bsv = fg_calloc(nc, sizeof(uint16_t))) != NULL;
    for (size_t i = 0; i < sizeof blk / sizeof blk[0]; i++)
        ok &= (*blk[i] = fg_calloc(nb, sizeof(float))) != NULL;
    ok &= (s->bmean = fg_calloc(nb, sizeof(float))) != NULL;
    ok &= (s->bgmean = fg_calloc(nb, sizeof(float))) != NULL;
    ok &= (s->boff = fg_calloc(nb, sizeof(float))) != NULL;
    /* the block means in value order, their keys and ranks (two radix buffers
     * each); the medians' per-thread scratch comes with the first frame */
    ok &= (s->medbuf = fg_calloc(nb, sizeof(float))) != NULL;
    ok &= (s->mkey = fg_calloc(2 * nb, sizeof(uint32_t))) != NULL;
    ok &= (s->rank = fg_calloc(2 * nb, sizeof(uint32_t))) != NULL;
    ok &= (s->bsum = fg_calloc(nb, sizeof(double))) != NULL;
    ok &= (s->ysum = fg_calloc(nb, sizeof(double))) != NULL;
    ok &= (s->edge = fg_calloc((size_t)2 * s->bh * width, sizeof(float))) != NULL;
    ok &= (s->feat = fg_calloc(nb * FG_SF_COUNT, sizeof(float))) != NULL;
    ok &= (s->held = fg_calloc(nb, 1)) != NULL;
    ok &= (s->cand = fg_calloc(nb, 1)) != NULL;
    ok &= (s->plab = fg_calloc(nb, sizeof(int))) != NULL;
    ok &= (s->lab = fg_calloc(nb, sizeof(int))) != NULL;
    ok &= (s->ppers = fg_calloc(nb + 1, sizeof(int))) != NULL;
    ok &= (s->parea = fg_calloc(nb + 1, sizeof(int))) != NULL;
    ok &= (s->ptop = fg_calloc(nb + 1, sizeof(int))) != NULL;
    ok &= (s->parea0 = fg_calloc(nb + 1, sizeof(int))) != NULL;
    ok &= (s->pgrew = fg_calloc(nb + 1, sizeof(int))) != NULL;
    ok &= (s->parent = fg_calloc(nb, sizeof(size_t))) != NULL;
    ok &= (s->reg = fg_calloc(nb + 1, sizeof(struct region))) != NULL;
    ok &= (s->hist = fg_calloc(nb * HIST_SLOTS, 1)) != NULL;
    ok &= (s->sky = fg_calloc((size_t)s->bw + 1, sizeof(float))) != NULL;
    ok &= (s->skytmp = fg_calloc((size_t)s->bw + 1, sizeof(float))) != NULL;
    ok &= (s->lrow = fg_calloc((size_t)height, sizeof(double))) != NULL;
    if (!ok) {
        fg_smoke_free(s);
        fg_ctx_set(ctx, FG_ENOMEM, "smoke: out of memory for %dx%d frames", width, height);
        return NULL;
    }
    for (int k = 0; k < HIST_SLOTS; k++)
        s->slot_hour[k] = -1;
    return s;
}

int fg_smoke_new(const fg_smoke_params *p, int width, int height, fg_smoke **out, fg_ctx *ctx)
{
    if (!p || !out)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke: missing parameters or output");
    int rc = fg_smoke_check_params(p, ctx);
    if (rc != FG_OK)
        return rc;
    if (width < p->block || height < p->block || width > 65536 || height > 65536)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke: frame size %dx%d is invalid for %d-pixel blocks",
                          width, height, p->block);
    fg_smoke *s = fg_smoke_alloc_state(p, width, height, ctx);
    if (!s)
        return FG_ENOMEM;
    *out = s;
    return FG_OK;
}

static float kth_smallest(const float *v, int n, int k, uint32_t *buf);

/* Global gain B/I from the median block ratio of mean luminance: robust to a
 * plume or cloud covering a minority of blocks. Dark blocks (mean Y < 20)
 * carry too little signal for a ratio and are left out. Block sums: the
 * frame's from fg_smoke_pass_sums, the background's kept by the update. */
static float estimate_gain(fg_smoke *s)
{
    int n2 = s->p.block * s->p.block;
    for (int b = 0; b < s->nb; b++) {
        s->ratio[b] = s->ysum[b] > 20.0 * n2 ? (float)(s->bsum[b] / s->ysum[b]) : NAN;
        s->bgmean[b] = (float)(s->bsum[b] / n2);
    }
    int n = 0;
    for (int i = 0; i < s->nb; i++)
        if (!isnan(s->ratio[i]))
            s->ratio[n++] = s->ratio[i];
    if (n == 0)
        return 1.0f;
    float g = kth_smallest(s->ratio, n, n / 2, s->mkey);
    if (n % 2 == 0)
        g = 0.5f * (kth_smallest(s->ratio, n, n / 2 - 1, s->mkey) + g);
    return g < GAIN_MIN ? GAIN_MIN : g > GAIN_MAX ? GAIN_MAX : g;
}

/* Horizon row: fixed by the caller (registry geometry), else the frame's
 * estimate (fg_smoke_horizon, from the row means fg_smoke_pass_sums left in
 * s->lrow) smoothed over frames. */
static double horizon_row(fg_smoke *s)
{
    if (s->p.horizon_row >= 0)
        return s->p.horizon_row;
    double est = fg_smoke_horizon_profile(s->lrow, s->h);
    if (est < 0)
        est = 0.0; /* out of memory: fg_smoke_horizon's answer */
    if (!s->have_horizon) {
        s->horizon = est;
        s->have_horizon = 1;
    } else {
        s->horizon = HORIZON_EMA * s->horizon + (1 - HORIZON_EMA) * est;
    }
    return s->horizon;
}

/* Chroma/luminance ratio and contrast (mean |4-neighbour Laplacian| / mean Y)
 * of a block; both are unchanged when the light is multiplied by k, both
 * drop under a grey veil. The sums ΣY, Σ(|Cb| + |Cr|) and Σ|Laplacian| (taps
 * clamped at the frame edge) over a block's pixels in raster order are taken
 * in smoke_pixels.c (of the frame, of the background); these are the ratios. */
void fg_smoke_ratio_finish(int bs, double sy, double sc, double sl, float *sat, float *con)
{
    double my = sy > 16.0 * bs * bs ? sy : 16.0 * bs * bs;
    *sat = (float)(sc / my);
    *con = (float)(sl / my);
}

/* k-th smallest (from 0) of the n non-NaN values v, exactly: a radix select
 * on the order keys, the top 11 bits, the next 11, the last 10, each time
 * keeping the keys of the bin that holds rank k (buf: 2n keys). */
static float kth_smallest(const float *v, int n, int k, uint32_t *buf)
{
    uint32_t *a = buf, *b = buf + n;
    for (int i = 0; i < n; i++)
        a[i] = fg_smoke_order_key(v[i]);
    static const int shift[3] = {21, 10, 0}, bits[3] = {11, 11, 10};
    for (int l = 0; l < 3; l++) {
        uint32_t cnt[2048] = {0}, mask = (1u << bits[l]) - 1;
        for (int i = 0; i < n; i++)
            cnt[(a[i] >> shift[l]) & mask]++;
        uint32_t d = 0;
        while ((uint32_t)k >= cnt[d])
            k -= (int)cnt[d++];
        int m = 0;
        for (int i = 0; i < n; i++)
            if (((a[i] >> shift[l]) & mask) == d)
                b[m++] = a[i];
        uint32_t *t = a;
        a = b, b = t;
        n = m;
    }
    /* every key left is the same: back to the float */
    uint32_t u = a[0] & 0x80000000u ? a[0] & 0x7fffffffu : ~a[0];
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* Absolute hour of a time (floor division). */
static int64_t hour_of(int64_t t) { return t >= 0 ? t / 3600 : -((-t + 3599) / 3600); }

static int slot_of(int64_t hour)
{
    int64_t k = hour % HIST_SLOTS;
    return (int)(k < 0 ? k + HIST_SLOTS : k);
}

/* Highest history score of block b within ±1 h of the same time of day 1, 2
 * and 3 days before t (all inside Fuego's 12 h–3.5 day window). */
static float history_of(const fg_smoke *s, int b, int64_t t)
{
    int64_t H = hour_of(t);
    int q = 0;
    for (int d = 1; d <= 3; d++)
        for (int k = -1; k <= 1; k++) {
            int64_t G = H - 24 * d + k;
            int sl = slot_of(G);
            if (s->slot_hour[sl] == G && s->hist[(size_t)sl * s->nb + b] > q)
                q = s->hist[(size_t)sl * s->nb + b];
        }
    return q / 255.0f;
}

/* Skyline: for each block column, the block row where the slow background's
 * block-mean luminance (s->bgmean, taken by estimate_gain from the same
 * background) drops most from the SKY_W blocks above to the SKY_W
 * below (the daytime sky is brighter than the ground), searched within
 * SKY_BAND of the horizon row hz (the registry's flat-earth horizon, or the
 * frame's estimate; hills raise the real skyline above the former); a column
 * whose best drop is below SKY_MIN_DROP DN (masked, night, no sky) takes hz. The rows are then the
 * median of ±2 columns, damping a tree top or a mast. A far ridge line is
 * rarely level: one row for the whole view puts the sky just above a low
 * ridge below the "horizon", where haze and glare change all day. */
static void skyline(fg_smoke *s, double hz)
{
    int bs = s->p.block, bw = s->bw, bh = s->bh;
    int band = (int)(SKY_BAND * bh + 0.5);
    int hb = (int)(hz / bs + 0.5);
    const unsigned char *ign = s->p.ignore;
    for (int bx = 0; bx < bw; bx++) {
        float m[SKY_MAX_ROWS];
        int lo = hb - band - SKY_W < 0 ? 0 : hb - band - SKY_W;
        int hi = hb + band + SKY_W > bh ? bh : hb + band + SKY_W;
        if (hi - lo > SKY_MAX_ROWS)
            hi = lo + SKY_MAX_ROWS;
        for (int by = lo; by < hi; by++) {
            m[by - lo] = s->bgmean[by * bw + bx];
        }
        float best = SKY_MIN_DROP;
        double row = hz;
        for (int by = lo + SKY_W; by + SKY_W <= hi; by++) {
            int masked = 0;
            for (int k = by - SKY_W; k < by + SKY_W; k++)
                masked |= ign && ign[k * bw + bx];
            if (masked)
                continue;
            float up = 0, dn = 0;
            for (int k = 0; k < SKY_W; k++) {
                up += m[by - 1 - k - lo];
                dn += m[by + k - lo];
            }
            float drop = (up - dn) / SKY_W;
            if (drop > best) {
                best = drop;
                row = (double)by * bs;
            }
        }
        s->skytmp[bx] = (float)row;
    }
    for (int bx = 0; bx < bw; bx++) {
        float v[5];
        int n = 0;
        for (int x = bx - 2; x <= bx + 2; x++) {
            if (x < 0 || x >= bw)
                continue;
            float d = s->skytmp[x];
            int i = n++;
            for (; i > 0 && v[i - 1] > d; i--)
                v[i] = v[i - 1];
            v[i] = d;
        }
        s->sky[bx] = v[n / 2];
    }
}

/* Median change of the unmasked blocks within ±ROW_R blocks along block row
 * by. Haze layers, inversion tops and fog banks are stratified: their change
 * runs along the rows over far more than ROW_R blocks, while a young plume is
 * a few blocks wide, so the row median is the layer's part of the change. */
static float row_median(const fg_smoke *s, int bx, int by)
{
    float v[2 * ROW_R + 1];
    int n = 0;
    const unsigned char *ign = s->p.ignore;
    for (int x = bx - ROW_R; x <= bx + ROW_R; x++) {
        if (x < 0 || x >= s->bw || (ign && ign[by * s->bw + x]))
            continue;
        float d = s->bdiff[by * s->bw + x];
        int i = n++;
        for (; i > 0 && v[i - 1] > d; i--)
            v[i] = v[i - 1];
        v[i] = d;
    }
    return n ? v[n / 2] : 0.0f;
}

/* Background ratios of block b: the stored ones while the state's arrays
 * are valid (a loaded state), else those of the slow background as it was
 * before this frame's update. */
static void background_ratio(const fg_smoke *s, const fg_raster *f, int b, float *sat,
                             float *con)
{
    if (s->bratio_stored) {
        *sat = s->bsat[b];
        *con = s->bcon[b];
    } else {
        fg_smoke_old_bg_ratio(s, f, b, sat, con);
    }
}

/* Block scores, gates and the time-of-day test. The frame's and the
 * background's ratios and the appearance features (frame f, horizon row
 * hz, sky luminance sky_y) are taken only for the blocks whose cheaper gates
 * pass: no other block reads them. */
static void block_scores(fg_smoke *s, int64_t t, const fg_raster *f, double hz, double sky_y)
{
    const fg_smoke_params *p = &s->p;
    int use_model = p->model && p->model->nfeat > 0;
    /* Still evolving: a change that appeared k frames ago and has stood still
     * since has |I − B_fast| / |I − B_slow| = (a_fast / a_slow)^k. Smoke keeps
     * moving and growing; a change that has stood still for longer than the
     * confirmation window (k = persist_frames + 1) is an object, a parked
     * cloud bank or a lingering shadow. */
    float act_min = powf(p->bg_alpha_fast / p->bg_alpha, (float)(p->persist_frames + 1));
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int by = 0; by < s->bh; by++) {
        for (int bx = 0; bx < s->bw; bx++) {
            int b = by * s->bw + bx;
            float thrb = s->thr[b] > p->min_diff ? s->thr[b] : p->min_diff;
            float sc = s->bdiff[b] / (2.0f * thrb);
            if (sc > 0.5f)
                sc = (s->bdiff[b] - row_median(s, bx, by)) / (2.0f * thrb);
            sc = sc > 1 ? 1 : sc;
            int gate = 4 * s->bchg[b] >= 1.0f &&            /* carried by ≥ 1/4 of the block */
                       s->bgrey[b] >= p->min_grey &&         /* colourless */
                       s->bluma[b] >= GREY_Y_MIN && s->bluma[b] <= GREY_Y_MAX &&
                       !(p->ignore && p->ignore[b]);
            if (gate) {
                float bsat, bcon;
                background_ratio(s, f, b, &bsat, &bcon);
                fg_smoke_frame_ratio(s, f, b, &s->bcursat[b], &s->bcurcon[b]);
                float desat = bsat - s->bcursat[b];
                float hfloss = bcon > 1e-3f ? 1.0f - s->bcurcon[b] / bcon : 0.0f;
                /* lighter (airlight added), or a darker veil that greys or
                 * blurs what is behind it; a shadow is darker and does
                 * neither; and a grey veil cannot add colour */
                gate = (s->bsign[b] > 0 || desat >= DESAT_MIN || hfloss >= HFLOSS_MIN) &&
                       desat > -DESAT_NOISE;
            }
            if (use_model && gate) {
                float *ft = s->feat + (size_t)b * FG_SF_COUNT;
                fg_smoke_appearance_block(f, p->block, bx, by, hz, sky_y, ft);
                s->prob[b] = fg_smoke_model_prob(p->model, ft);
                gate = s->prob[b] >= (p->min_prob < 0 ? p->model->threshold : p->min_prob);
            }
            s->score[b] = gate ? sc : 0.0f;
            float h = history_of(s, b, t);
            float need = (h + 1) / 2 > h + 0.2f ? (h + 1) / 2 : h + 0.2f;
            s->hscore[b] = h;
            s->cand[b] = s->score[b] > 0.5f && s->score[b] > need &&
                         fg_smoke_block_activity(s, f, b) >= act_min * s->bdiff[b];
        }
    }
    /* record this hour's maxima */
    int64_t H = hour_of(t);
    int sl = slot_of(H);
    unsigned char *row = s->hist + (size_t)sl * s->nb;
    if (s->slot_hour[sl] != H) {
        memset(row, 0, (size_t)s->nb);
        s->slot_hour[sl] = H;
    }
    for (int b = 0; b < s->nb; b++) {
        /* score in [0, 1] to the nearest byte, halves to even (lrintf's
         * rounding, without its call) */
        float v = s->score[b] * 255.0f, fr = v - (float)(int)v;
        int q = (int)v + (fr > 0.5f || (fr == 0.5f && ((int)v & 1)));
        if (q > row[b])
            row[b] = (unsigned char)q;
    }
}

/* 4-neighbour connected regions of candidate blocks; labels 1..n in raster
 * order of each region's first block. Returns n. */
static int label_regions(fg_smoke *s)
{
    int bw = s->bw, nb = s->nb;
    for (int i = 0; i < nb; i++)
        s->parent[i] = (size_t)i;
    for (int i = 0; i < nb; i++) {
        if (!s->cand[i])
            continue;
        if (i % bw > 0 && s->cand[i - 1])
            fg_uf_union(s->parent, (size_t)i, (size_t)(i - 1));
        if (i >= bw && s->cand[i - bw])
            fg_uf_union(s->parent, (size_t)i, (size_t)(i - bw));
    }
    int n = 0;
    for (int i = 0; i < nb; i++) {
        if (!s->cand[i]) {
            s->lab[i] = 0;
            continue;
        }
        int root = (int)fg_uf_find(s->parent, (size_t)i);
        s->lab[i] = root == i ? ++n : s->lab[root]; /* root < i was labelled already */
    }
    return n;
}

/* Plume base: the lowest pixel row, within the region's bottom block row and
 * the block row below it, where changed pixels (|I − B| above the block's
 * adaptive threshold, ≈ 3× its mean noise) form a run (at least a quarter of
 * the busiest row, and 2 pixels) rather than isolated noise; the base column
 * is the mean column of changed pixels in those rows. */
static void refine_base(const fg_smoke *s, const fg_raster *f, int label, const struct region *g,
                        double *bx_out, double *by_out)
{
    int bs = s->p.block;
    int r0 = g->by1 * bs;
    int r1 = (g->by1 + 2) * bs < s->bh * bs ? (g->by1 + 2) * bs : s->bh * bs;
    int cnt_max = 0, low = -1;
    double sx = 0;
    int nx = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int r = r0; r < r1; r++) {
            int cnt = 0;
            double rsx = 0;
            for (int bx = g->bx0; bx <= g->bx1; bx++) {
                if (s->lab[g->by1 * s->bw + bx] != label)
                    continue;
                int b = g->by1 * s->bw + bx;
                float thr = s->thr[b] > s->p.min_diff ? s->thr[b] : s->p.min_diff;
                for (int c = bx * bs; c < bx * bs + bs; c++) {
                    if (fabsf(fg_smoke_px_luma(f, s->gain, r, c) + s->boff[b] -
                              fg_smoke_old_bsy(s, f, r, c)) > thr) {
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
        *by_out = (g->by1 + 1) * bs;
        return;
    }
    *bx_out = sx / nx;
    *by_out = low + 0.5;
}

/* Region g may continue region j of the previous frame (0 = none). A young
 * plume seen from km away is a few blocks whose visible part flickers by a
 * block or two from frame to frame; a region that loses more is dissolving,
 * one that jumps to several times its area is weather or light: the track is
 * then held, not counted up. The longest track wins. */
static void continue_track(const fg_smoke *s, struct region *g, int j)
{
    if (!j || !s->ppers[j])
        return;
    int pa = s->parea[j];
    int keep = (g->area >= SHRINK_TOL * pa || g->area >= pa - SHRINK_BLOCKS) &&
               g->area <= GROW_MAX * pa + SHRINK_BLOCKS;
    int cand = keep ? s->ppers[j] + 1 : s->ppers[j];
    if (cand > g->persisted) {
        g->persisted = cand;
        g->top0 = s->ptop[j];
        g->area0 = s->parea0[j];
        g->grew = s->pgrew[j];
        g->growth = (float)g->area / (float)pa;
    }
}

/* Starts (or restarts) the backgrounds from the current frame; tracks are
 * dropped, the time-of-day history is kept. */
static void start_backgrounds(fg_smoke *s, const fg_raster *f)
{
    fg_smoke_pass_start(s, f);
    s->bratio_stored = 0; /* the background ratios follow the new background */
    memset(s->thr, 0, (size_t)s->nb * sizeof(float));
    memset(s->held, 0, (size_t)s->nb);
    memset(s->plab, 0, (size_t)s->nb * sizeof(int));
    s->nprev = 0;
}

int fg_smoke_push(fg_smoke *s, const fg_raster *frame, int64_t t_utc, fg_smoke_result *res,
                  fg_ctx *ctx)
{
    if (!s || !frame || !res || !frame->data)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke: missing frame or result");
    int ycc = frame->type == FG_PIX_YCC420 && frame->stride == fg_ycc_stride(frame->width);
    int rgb = frame->type == FG_PIX_U8 && frame->channels == 3 &&
              frame->stride >= (size_t)frame->width * 3;
    if ((!ycc && !rgb) || frame->channels != 3 || frame->width != s->w || frame->height != s->h)
        return fg_ctx_set(ctx, FG_EINVAL,
                          "smoke: frame must be %dx%d YCbCr 4:2:0 or RGB U8 (got %dx%d, %d "
                          "channels, type %d)",
                          s->w, s->h, frame->width, frame->height, frame->channels,
                          (int)frame->type);
    if (s->have_last && t_utc < s->last_t)
        return fg_ctx_set(ctx, FG_EINVAL,
                          "smoke: frame at %lld s is older than the last frame (%lld s); frames "
                          "must come in time order",
                          (long long)t_utc, (long long)s->last_t);
    fg_smoke_result out;
    memset(&out, 0, sizeof out);
    out.base_x = out.base_y = NAN;
    if (s->have_last && s->p.gap_reset_s > 0 && t_utc - s->last_t > s->p.gap_reset_s)
        s->frames = 0; /* the backgrounds are stale: warm up again */
    s->last_t = t_utc;
    s->have_last = 1;

    if (fg_smoke_scratch(s) != FG_OK)
        return fg_ctx_set(ctx, FG_ENOMEM, "smoke: out of memory for row scratch");
    const fg_raster *f = frame;
    if (rgb) {
        /* the state's own planes, allocated with the first RGB frame */
        if (!s->own.data && fg_raster_alloc(&s->own, s->w, s->h, 3, FG_PIX_YCC420, 0, ctx) != FG_OK)
            return fg_ctx_set(ctx, FG_ENOMEM, "smoke: out of memory for a frame's YCbCr planes");
        fg_ycc_fill_from_rgb(frame, &s->own);
        f = &s->own;
    }
    if (!s->bsum_ok) {
        fg_smoke_bg_sums(s); /* a loaded state: the sums follow its background */
        s->bsum_ok = 1;
    }
    fg_smoke_pass_sums(s, f);
    if (s->frames == 0) {
        start_backgrounds(s, f);
        (void)horizon_row(s);
        s->frames = 1;
        *res = out;
        return FG_OK;
    }

    s->gain = estimate_gain(s);
    int use_model = s->p.model && s->p.model->nfeat > 0;
    double hz = horizon_row(s);
    /* the appearance features' one frame-level quantity; the features
     * themselves are taken in block_scores, for the blocks that need them */
    double sky_y = use_model ? fg_smoke_sky_luma(s->lrow, s->h, hz) : 0.0;
    if (fg_smoke_local_offset(s) != FG_OK)
        return fg_ctx_set(ctx, FG_ENOMEM, "smoke: out of memory for the local offsets");
    fg_smoke_pass_frame(s, f);
    if (s->frames == 1) {
        /* the first comparison measures how much each block changes from one
         * frame to the next when nothing happens: the threshold starts there */
        for (int b = 0; b < s->nb; b++)
            s->thr[b] = THR_C * s->bdiff[b];
    }
    /* A view that changed almost everywhere at once is a new scene (the
     * camera moved, day turned to night, a fog bank): compare nothing with
     * the old backgrounds; they restart from this frame as after a gap. A
     * young plume covers a small part of a view (MAX_REGION_FRAC). */
    int nchanged = 0;
    for (int b = 0; b < s->nb; b++)
        nchanged += s->bdiff[b] > (s->thr[b] > s->p.min_diff ? s->thr[b] : s->p.min_diff);
    if (nchanged > SCENE_CHANGE_FRAC * s->nb) {
        start_backgrounds(s, f);
        s->frames = 1;
        *res = out;
        return FG_OK;
    }
    skyline(s, hz);
    block_scores(s, t_utc, f, hz, sky_y);
    int n = label_regions(s);
    int bs = s->p.block;

    for (int k = 1; k <= n; k++) {
        struct region *g = &s->reg[k];
        memset(g, 0, sizeof *g);
        g->bx0 = s->bw;
        g->by0 = s->bh;
        g->bx1 = g->by1 = -1;
    }
    for (int i = 0; i < s->nb; i++) {
        int k = s->lab[i];
        if (!k)
            continue;
        struct region *g = &s->reg[k];
        int bx = i % s->bw, by = i / s->bw;
        g->area++;
        g->ssum += s->score[i];
        if (s->hscore[i] > g->hmax)
            g->hmax = s->hscore[i];
        g->bx0 = bx < g->bx0 ? bx : g->bx0;
        g->bx1 = bx > g->bx1 ? bx : g->bx1;
        g->by0 = by < g->by0 ? by : g->by0;
        g->by1 = by > g->by1 ? by : g->by1;
    }
    for (int k = 1; k <= n; k++) {
        struct region *g = &s->reg[k];
        /* the base is judged against the skyline under the region's bottom
         * row: the lowest skyline among its columns */
        float sk = s->sky[g->bx0];
        for (int bx = g->bx0; bx <= g->bx1; bx++)
            if (s->lab[g->by1 * s->bw + bx] == k && s->sky[bx] > sk)
                sk = s->sky[bx];
        g->counts = (g->by1 + 1) * bs + HORIZON_TOL * s->h > sk &&
                    g->area <= MAX_REGION_FRAC * s->nb;
        g->top0 = g->by0;
        g->area0 = g->area;
        g->growth = 1.0f;
    }
    /* tracking: the best continuation among the counted regions of the
     * previous frame that a block of the region overlaps or touches */
    for (int i = 0; i < s->nb; i++) {
        int k = s->lab[i];
        if (!k || !s->reg[k].counts)
            continue;
        int bx = i % s->bw, by = i / s->bw;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
                if (bx + dx >= 0 && bx + dx < s->bw && by + dy >= 0 && by + dy < s->bh)
                    continue_track(s, &s->reg[k], s->plab[i + dy * s->bw + dx]);
    }
    int allow = s->frames >= s->p.warmup_frames;
    int best = 0;
    for (int k = 1; k <= n; k++) {
        struct region *g = &s->reg[k];
        if (!g->counts)
            continue;
        if (g->persisted == 0)
            g->persisted = 1;
        double sp = (double)g->persisted / s->p.persist_frames;
        sp = sp > 1 ? 1 : sp;
        g->score = (float)(0.5 * g->ssum / g->area + 0.5 * sp);
        /* a plume grows or rises while it is confirmed; a flickering block,
         * a moved object or a lingering shadow does neither */
        g->grew |= g->top0 - g->by0 >= RISE_MIN || g->area >= GROW_MIN * g->area0;
        g->alarm = allow && g->persisted >= s->p.persist_frames && g->grew && g->area >= MIN_BLOCKS;
        if (!best || g->alarm > s->reg[best].alarm ||
            (g->alarm == s->reg[best].alarm && g->score > s->reg[best].score))
            best = k;
    }
    if (best) {
        struct region *g = &s->reg[best];
        out.alarm = g->alarm;
        out.score = g->score;
        out.persisted = g->persisted;
        out.nblocks = g->area;
        out.growth = g->growth;
        out.rise = (float)(g->top0 - g->by0);
        out.history = g->hmax;
        out.x = g->bx0 * bs;
        out.y = g->by0 * bs;
        out.w = (g->bx1 + 1 - g->bx0) * bs;
        out.h = (g->by1 + 1 - g->by0) * bs;
        refine_base(s, f, best, g, &out.base_x, &out.base_y);
    }

    /* remember counted regions for the next frame */
    for (int k = 0; k <= n; k++) {
        s->ppers[k] = k && s->reg[k].counts ? s->reg[k].persisted : 0;
        s->parea[k] = k ? s->reg[k].area : 0;
        s->ptop[k] = k ? s->reg[k].top0 : 0;
        s->parea0[k] = k ? s->reg[k].area0 : 0;
        s->pgrew[k] = k ? s->reg[k].grew : 0;
    }
    s->nprev = n;
    for (int i = 0; i < s->nb; i++) {
        s->plab[i] = s->lab[i];
        /* hold the background only while a region is being confirmed: once it
         * has persisted (alarmed), it is absorbed at the normal rate, so a
         * static change (a moved object, a shadow) cannot lock a block */
        s->held[i] = s->lab[i] && s->reg[s->lab[i]].counts &&
                     s->reg[s->lab[i]].persisted < s->p.persist_frames;
    }

    /* updates: backgrounds, adaptive threshold; the background ratios follow
     * the updated background (background_ratio, fg_smoke_save) */
    float a = s->p.bg_alpha;
    fg_smoke_hold(s, f, BG_ALPHA_HELD);
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int by = 0; by < s->bh; by++) {
        for (int bx = 0; bx < s->bw; bx++) {
            int b = by * s->bw + bx;
            if (!s->cand[b])
                s->thr[b] = a * s->thr[b] + (1 - a) * THR_C * s->bdiff[b];
        }
    }
    s->bratio_stored = 0;
    s->frames++;
    *res = out;
    return FG_OK;
}
