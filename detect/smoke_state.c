/* smoke_state.c — the camera smoke detector's state as bytes: save, and load with magic, version and checksum checks. */
/* SPDX-License-Identifier: MIT */
#include "detect/detect.h"
#include "detect/detect_int.h"
#include "detect/smoke_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define STATE_MAGIC "FGSMOKE\n"
#define STATE_VERSION 4u /* 3: slow Cb, Cr and fast Y in 16-bit fixed point; 4: slow Cb,
                            * Cr per 2×2 chroma cell */

/* Little-endian byte writer/reader; the reader stops at the end (ok = 0). */
typedef struct bytes {
    unsigned char *p;
    size_t n, cap;
    int ok;
} bytes;

/* The k low bytes of v (a NULL buffer only counts them). */
static void put_le(bytes *b, uint64_t v, int k)
{
    if (b->p)
        for (int i = 0; i < k; i++)
            b->p[b->n + i] = (unsigned char)(v >> (8 * i));
    b->n += (size_t)k;
}
static void put_u64(bytes *b, uint64_t v) { put_le(b, v, 8); }
static void put_u32(bytes *b, uint32_t v) { put_le(b, v, 4); }
static void put_f32s(bytes *b, const float *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        put_u32(b, u);
    }
}
static void put_u16s(bytes *b, const uint16_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_le(b, v[i], 2);
}
static void put_i32s(bytes *b, const int *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_u32(b, (uint32_t)v[i]);
}
static void put_raw(bytes *b, const unsigned char *v, size_t n)
{
    if (b->p)
        memcpy(b->p + b->n, v, n);
    b->n += n;
}

/* k bytes as an unsigned little-endian number; 0 (and ok = 0) past the end. */
static uint64_t get_le(bytes *b, int k)
{
    if (!b->ok || b->cap - b->n < (size_t)k) {
        b->ok = 0;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < k; i++)
        v |= (uint64_t)b->p[b->n + i] << (8 * i);
    b->n += (size_t)k;
    return v;
}
static uint64_t get_u64(bytes *b) { return get_le(b, 8); }
static uint32_t get_u32(bytes *b) { return (uint32_t)get_le(b, 4); }
static void get_f32s(bytes *b, float *v, size_t n)
{
    for (size_t i = 0; i < n && b->ok; i++) {
        uint32_t u = get_u32(b);
        memcpy(&v[i], &u, 4);
    }
}
static void get_u16s(bytes *b, uint16_t *v, size_t n)
{
    for (size_t i = 0; i < n && b->ok; i++)
        v[i] = (uint16_t)get_le(b, 2);
}
static void get_i32s(bytes *b, int *v, size_t n)
{
    for (size_t i = 0; i < n && b->ok; i++)
        v[i] = (int)get_u32(b);
}
static void get_raw(bytes *b, unsigned char *v, size_t n)
{
    if (!b->ok || b->cap - b->n < n) {
        b->ok = 0;
        return;
    }
    memcpy(v, b->p + b->n, n);
    b->n += n;
}

/* Layout (little-endian): magic[8], version u32, width u32, height u32,
 * block u32, frames u64, have_last u32, last_t u64, have_horizon u32,
 * horizon f64 (as u64 bits), nprev u32, slot_hour[84] u64, slow Y (w·h f32),
 * slow Cb, Cr (⌈w/2⌉·⌈h/2⌉ u16 each) and fast Y (w·h u16; smoke_int.h's fixed
 * point), thr,
 * bsat, bcon (nb f32 each), held (nb bytes), plab (nb i32), ppers, parea,
 * ptop, parea0, pgrew (nb + 1 i32 each), hist (84·nb bytes), then the
 * FNV-1a 64 of everything before it. bsat and bcon are the block ratios of
 * the slow background as it stands (as stored while bratio_stored). */
static void serialise(const fg_smoke *s, bytes *b, const float *bsat, const float *bcon)
{
    size_t np = (size_t)s->w * s->h, nb = (size_t)s->nb, nc = (size_t)s->cw * s->ch;
    uint64_t hb;
    memcpy(&hb, &s->horizon, 8);
    put_raw(b, (const unsigned char *)STATE_MAGIC, 8);
    put_u32(b, STATE_VERSION);
    put_u32(b, (uint32_t)s->w);
    put_u32(b, (uint32_t)s->h);
    put_u32(b, (uint32_t)s->p.block);
    put_u64(b, (uint64_t)s->frames);
    put_u32(b, (uint32_t)s->have_last);
    put_u64(b, (uint64_t)s->last_t);
    put_u32(b, (uint32_t)s->have_horizon);
    put_u64(b, hb);
    put_u32(b, (uint32_t)s->nprev);
    for (int k = 0; k < HIST_SLOTS; k++)
        put_u64(b, (uint64_t)s->slot_hour[k]);
    put_f32s(b, s->bsy, np);
    put_u16s(b, s->bsu, nc);
    put_u16s(b, s->bsv, nc);
    put_u16s(b, s->bfy, np);
    put_f32s(b, s->thr, nb);
    put_f32s(b, bsat, nb);
    put_f32s(b, bcon, nb);
    put_raw(b, s->held, nb);
    put_i32s(b, s->plab, nb);
    put_i32s(b, s->ppers, nb + 1);
    put_i32s(b, s->parea, nb + 1);
    put_i32s(b, s->ptop, nb + 1);
    put_i32s(b, s->parea0, nb + 1);
    put_i32s(b, s->pgrew, nb + 1);
    put_raw(b, s->hist, nb * HIST_SLOTS);
}

int fg_smoke_save(const fg_smoke *s, unsigned char **buf, size_t *len, fg_ctx *ctx)
{
    if (!s || !buf || !len)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke save: missing state or output");
    /* the background ratios are taken lazily while pushing (background_ratio):
     * the state holds all of them, so a save (rare) takes them here */
    float *rat = NULL;
    const float *bsat = s->bsat, *bcon = s->bcon;
    if (!s->bratio_stored) {
        rat = fg_malloc(2 * (size_t)s->nb * sizeof *rat);
        if (!rat)
            return fg_ctx_set(ctx, FG_ENOMEM, "smoke save: out of memory for %d blocks", s->nb);
        /* block by block: the state is const here and its row scratch stays
         * untouched */
        for (int k = 0; k < s->nb; k++)
            fg_smoke_bg_ratio(s, k, rat + k, rat + s->nb + k);
        bsat = rat;
        bcon = rat + s->nb;
    }
    bytes sz = {NULL, 0, 0, 1};
    serialise(s, &sz, bsat, bcon);
    size_t total = sz.n + 8;
    unsigned char *p = fg_malloc(total);
    if (!p) {
        fg_free(rat);
        return fg_ctx_set(ctx, FG_ENOMEM, "smoke save: out of memory for %zu bytes", total);
    }
    bytes b = {p, 0, total, 1};
    serialise(s, &b, bsat, bcon);
    fg_free(rat);
    put_u64(&b, fg_fnv1a64(FG_FNV64_OFFSET, p, sz.n));
    *buf = p;
    *len = total;
    return FG_OK;
}

int fg_smoke_load(const fg_smoke_params *p, const unsigned char *buf, size_t len,
                  fg_smoke **out, fg_ctx *ctx)
{
    if (!p || !out || (!buf && len))
        return fg_ctx_set(ctx, FG_EINVAL, "smoke load: missing parameters, buffer or output");
    int rc = fg_smoke_check_params(p, ctx);
    if (rc != FG_OK)
        return rc;
    if (len < 8 + 4 * 4 + 8 || memcmp(buf, STATE_MAGIC, 8) != 0)
        return fg_ctx_set(ctx, FG_EFORMAT, "smoke state: not a smoke state (bad magic or %zu bytes)",
                          len);
    bytes b = {(unsigned char *)buf, 8, len, 1};
    uint32_t ver = get_u32(&b), w = get_u32(&b), h = get_u32(&b), blk = get_u32(&b);
    if (ver != STATE_VERSION)
        return fg_ctx_set(ctx, FG_EFORMAT,
                          "smoke state: version %u, this program reads version %u; start afresh",
                          ver, STATE_VERSION);
    if (blk != (uint32_t)p->block)
        return fg_ctx_set(ctx, FG_EFORMAT,
                          "smoke state: made with %u-pixel blocks, the parameters say %d", blk,
                          p->block);
    if (w < blk || h < blk || w > 65536 || h > 65536)
        return fg_ctx_set(ctx, FG_EFORMAT, "smoke state: frame size %ux%u is invalid", w, h);
    size_t np = (size_t)w * h, nb = (size_t)(w / blk) * (h / blk);
    size_t nc = (size_t)((w + 1) / 2) * ((h + 1) / 2);
    size_t want = 8 + 4 * 4 + 8 + 4 + 8 + 4 + 8 + 4 + 8 * HIST_SLOTS + (4 + 2) * np + 2 * 2 * nc +
                  3 * 4 * nb + nb + 4 * nb + 5 * 4 * (nb + 1) + HIST_SLOTS * nb + 8;
    if (len != want)
        return fg_ctx_set(ctx, FG_EFORMAT,
                          "smoke state: %zu bytes, a %ux%u state holds %zu (truncated or for "
                          "another frame size)",
                          len, w, h, want);
    uint64_t sum = 0;
    for (int i = 0; i < 8; i++)
        sum |= (uint64_t)buf[len - 8 + i] << (8 * i);
    if (sum != fg_fnv1a64(FG_FNV64_OFFSET, buf, len - 8))
        return fg_ctx_set(ctx, FG_EFORMAT, "smoke state: checksum mismatch (corrupt)");
    fg_smoke *s = fg_smoke_alloc_state(p, (int)w, (int)h, ctx);
    if (!s)
        return FG_ENOMEM;
    uint64_t hb;
    s->frames = (int64_t)get_u64(&b);
    s->have_last = (int)get_u32(&b);
    s->last_t = (int64_t)get_u64(&b);
    s->have_horizon = (int)get_u32(&b);
    hb = get_u64(&b);
    memcpy(&s->horizon, &hb, 8);
    uint32_t nprev = get_u32(&b);
    for (int k = 0; k < HIST_SLOTS; k++)
        s->slot_hour[k] = (int64_t)get_u64(&b);
    get_f32s(&b, s->bsy, np);
    get_u16s(&b, s->bsu, nc);
    get_u16s(&b, s->bsv, nc);
    get_u16s(&b, s->bfy, np);
    get_f32s(&b, s->thr, nb);
    get_f32s(&b, s->bsat, nb);
    get_f32s(&b, s->bcon, nb);
    get_raw(&b, s->held, nb);
    get_i32s(&b, s->plab, nb);
    get_i32s(&b, s->ppers, nb + 1);
    get_i32s(&b, s->parea, nb + 1);
    get_i32s(&b, s->ptop, nb + 1);
    get_i32s(&b, s->parea0, nb + 1);
    get_i32s(&b, s->pgrew, nb + 1);
    get_raw(&b, s->hist, nb * HIST_SLOTS);
    int bad = !b.ok || s->frames < 0 || nprev > nb || (s->have_last != 0 && s->have_last != 1) ||
              (s->have_horizon != 0 && s->have_horizon != 1) || isnan(s->horizon);
    s->nprev = (int)nprev;
    s->bsum_ok = 0; /* the block sums of the loaded background: the next push */
    for (size_t i = 0; i < nb && !bad; i++)
        bad = s->plab[i] < 0 || s->plab[i] > (int)nprev;
    if (bad) {
        fg_smoke_free(s);
        return fg_ctx_set(ctx, FG_EFORMAT, "smoke state: inconsistent contents");
    }
    *out = s;
    return FG_OK;
}
