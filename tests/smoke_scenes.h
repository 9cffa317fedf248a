/* smoke_scenes.h — generated camera sequences for the smoke detector tests: fields, sky, plumes, clouds, haze, light changes. */
/* SPDX-License-Identifier: MIT */
/* Included by test_detect_smoke.c and test_detect_smoke_state.c after cmocka.h,
 * math.h, stdlib.h, string.h and detect/detect.h. */
#ifndef FG_TEST_SMOKE_SCENES_H
#define FG_TEST_SMOKE_SCENES_H

#define W 160
#define H 120
#define HORIZON 50
#define NFR 30
#define T0 1700000000 /* 2023-11-14 22:13:20 UTC */
#define BLOCK 8

/* What a generated sequence contains. */
typedef struct scene_opts {
    int plume_from;      /* first frame with the plume, -1 = none */
    int plume_x;         /* base column of the plume (default 80) */
    int plume2_from;     /* a second plume at plume2_x, -1 = none */
    int plume2_x;
    int cloud;           /* a cloud drifting across the sky */
    int blob_on, blob_off; /* a growing grey blob below the horizon on frames [on, on + off) */
    int blob_period;     /* repeat the blob every period frames (0 = once) */
    int static_from;     /* a grey square that appears and stays unchanged, -1 = none */
    int dark_from, dark_to; /* the whole frame darkened (cloud shadow) on [from, to) */
    double dark_gain;
    int haze_from;       /* a haze layer over the whole width below the horizon, thickening
                            upward, -1 = none */
    int glow_from;       /* a plume-shaped patch that turns lighter and light blue (glare),
                            -1 = none */
    int ridge;           /* the skyline slopes: row 30 at the left edge to 74 at the right */
    int jitter;          /* the plume's column swings ±jitter px from frame to frame */
    int grey_ground;     /* colourless fields instead of brown ones */
} scene_opts;

static inline uint32_t hash32(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

static inline double noise01(uint32_t a, uint32_t b, uint32_t c)
{
    return hash32(a * 0x9e3779b9U ^ hash32(b * 0x85ebca6bU ^ hash32(c))) / 4294967296.0;
}

static inline void blend(unsigned char *px, double r, double g, double b, double a)
{
    px[0] = (unsigned char)lrint(px[0] * (1 - a) + r * a);
    px[1] = (unsigned char)lrint(px[1] * (1 - a) + g * a);
    px[2] = (unsigned char)lrint(px[2] * (1 - a) + b * a);
}

/* A grey column rising from a base at (x0, 100), taller and denser each frame
 * (age 0 = first frame); puffs of density (4-px cells) rise 6 px a frame, so
 * the plume keeps changing inside once it has stopped growing. */
static inline void draw_plume(unsigned char *buf, int x0, int age)
{
    double height = fmin(70, 12 + 8 * age), alpha = fmin(0.8, 0.45 + 0.07 * age);
    for (int y = 0; y < H; y++) {
        double z = 100 - y;
        if (z < 0 || z > height)
            continue;
        double cx = x0 + 0.15 * z, hw = 4 + 0.2 * z;
        for (int x = 0; x < W; x++)
            if (fabs(x - cx) < hw) {
                double puff = noise01((uint32_t)(x / 4), (uint32_t)((y + 6 * age) / 4), 99);
                blend(buf + 3 * (y * W + x), 185, 185, 188, alpha * (0.7 + 0.3 * puff));
            }
    }
}

/* Sky (blue) above row HORIZON, brown textured fields below; light level
 * wobbles ±3 % and every pixel carries noise of a few DN. k is the frame
 * number, seed varies the noise between days. */
static inline int sky_row(const scene_opts *o, int x)
{
    return o->ridge ? 30 + 44 * x / (W - 1) : HORIZON;
}

/* A colour veil over rows [y0, y1) of the whole width, alpha at most 0.5. */
static inline void veil_rows(unsigned char *buf, int y0, int y1, double r, double g, double b,
                             double a)
{
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < H; y++)
        for (int x = 0; x < W; x++)
            blend(buf + 3 * (y * W + x), r, g, b, a);
}

static inline void make_frame(unsigned char *buf, int k, uint32_t seed, const scene_opts *o)
{
    double gain = 1 + 0.03 * sin(k * 0.9);
    if (k >= o->dark_from && k < o->dark_to)
        gain *= o->dark_gain;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            unsigned char *px = buf + 3 * (y * W + x);
            double r, g, b;
            if (y < sky_row(o, x)) {
                r = 120 + y, g = 160 + y * 0.6, b = 215;
            } else {
                double t = noise01(x, y, 7) - 0.5;
                r = 140 + 30 * t, g = 118 + 25 * t, b = 86 + 18 * t;
                if (o->grey_ground)
                    r = g = b = 125 + 30 * t;
            }
            double n = 6 * (noise01(x, y, seed * 1000003u + 1000 + k) - 0.5);
            px[0] = (unsigned char)lrint(fmin(255, r * gain + n));
            px[1] = (unsigned char)lrint(fmin(255, g * gain + n));
            px[2] = (unsigned char)lrint(fmin(255, b * gain + n));
        }
    if (o->cloud) {
        /* a white cloud, rows 8..40, moving 5 px a frame */
        double cx = -30 + 5.0 * k, cy = 24;
        for (int y = 0; y < HORIZON - 8; y++)
            for (int x = 0; x < W; x++) {
                double q = pow((x - cx) / 28.0, 2) + pow((y - cy) / 14.0, 2);
                if (q < 1)
                    blend(buf + 3 * (y * W + x), 240, 240, 242, 0.9 * fmin(1, 2 * (1 - q)));
            }
    }
    if (o->plume_from >= 0 && k >= o->plume_from)
        draw_plume(buf, o->plume_x + (k % 2 ? o->jitter : -o->jitter), k - o->plume_from);
    if (o->haze_from >= 0 && k >= o->haze_from) {
        /* grey airlight thickening and rising over minutes, the same along every row */
        int age = k - o->haze_from;
        veil_rows(buf, 80 - 6 * age, 96, 200, 200, 204, fmin(0.5, 0.15 + 0.05 * age));
    }
    if (o->glow_from >= 0 && k >= o->glow_from) {
        /* the plume's shape and growth, but the light turns blue: not a grey veil */
        int age = k - o->glow_from;
        double height = fmin(70, 12 + 8 * age);
        for (int y = 0; y < H; y++) {
            double z = 100 - y;
            for (int x = 0; x < W; x++)
                if (z >= 0 && z <= height && fabs(x - 80 - 0.15 * z) < 4 + 0.2 * z)
                    blend(buf + 3 * (y * W + x), 160, 175, 200, 0.6);
        }
    }
    if (o->plume2_from >= 0 && k >= o->plume2_from)
        draw_plume(buf, o->plume2_x, k - o->plume2_from);
    if (o->blob_off > 0) {
        int phase = o->blob_period ? k % o->blob_period : k;
        if (phase >= o->blob_on && phase < o->blob_on + o->blob_off)
            draw_plume(buf, 40, phase - o->blob_on);
    }
    if (o->static_from >= 0 && k >= o->static_from)
        for (int y = 70; y < 94; y++)
            for (int x = 100; x < 124; x++)
                blend(buf + 3 * (y * W + x), 180, 180, 182, 0.8);
}

static inline scene_opts plain(void)
{
    scene_opts o;
    memset(&o, 0, sizeof o);
    o.plume_from = o.plume2_from = o.static_from = o.haze_from = o.glow_from = -1;
    o.plume_x = 80;
    o.dark_from = o.dark_to = -1;
    o.dark_gain = 1;
    return o;
}

/* Pushes frames [k0, k1) of a sequence into s at t0 + 60 s·k; res receives
 * results at index k. Returns the first alarm frame in the range or -1. */
static inline int push_range(fg_smoke *s, const scene_opts *o, int k0, int k1, int64_t t0,
                             uint32_t seed, fg_smoke_result *res)
{
    unsigned char *buf = malloc(W * H * 3);
    assert_non_null(buf);
    fg_raster r = {W, H, 3, W * 3, FG_PIX_U8, buf};
    fg_ctx ctx = {0};
    int first = -1;
    for (int k = k0; k < k1; k++) {
        make_frame(buf, k, seed, o);
        assert_int_equal(fg_smoke_push(s, &r, t0 + 60 * (int64_t)k, &res[k], &ctx), FG_OK);
        if (res[k].alarm && first < 0)
            first = k;
    }
    free(buf);
    return first;
}

/* Runs a whole sequence of NFR frames; returns the first alarm frame or -1. */
static inline int run(const scene_opts *o, const fg_smoke_params *p, fg_smoke_result *res)
{
    fg_smoke *s = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_smoke_new(p, W, H, &s, &ctx), FG_OK);
    memset(res, 0, NFR * sizeof *res);
    int first = push_range(s, o, 0, NFR, T0, 0, res);
    fg_smoke_free(s);
    return first;
}

static inline fg_smoke_params params(double horizon)
{
    fg_smoke_params p;
    fg_smoke_params_default(&p);
    p.horizon_row = horizon;
    return p;
}

/* Field by field: base_x/base_y are NaN when there is no region, so compare bytes. */
static inline void same_result(const fg_smoke_result *x, const fg_smoke_result *y)
{
    assert_int_equal(x->alarm, y->alarm);
    assert_int_equal(x->persisted, y->persisted);
    assert_int_equal(x->nblocks, y->nblocks);
    assert_int_equal(x->x, y->x);
    assert_int_equal(x->y, y->y);
    assert_int_equal(x->w, y->w);
    assert_int_equal(x->h, y->h);
    assert_memory_equal(&x->score, &y->score, sizeof(float));
    assert_memory_equal(&x->growth, &y->growth, sizeof(float));
    assert_memory_equal(&x->rise, &y->rise, sizeof(float));
    assert_memory_equal(&x->history, &y->history, sizeof(float));
    assert_memory_equal(&x->base_x, &y->base_x, sizeof(double));
    assert_memory_equal(&x->base_y, &y->base_y, sizeof(double));
}

#endif
