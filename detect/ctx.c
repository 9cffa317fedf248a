/* ctx.c — status codes and messages, the allocation seam, raster buffers, hotspot defaults. */
/* SPDX-License-Identifier: MIT */
#include "detect/detect.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *(*g_malloc)(size_t) = malloc;
static void *(*g_realloc)(void *, size_t) = realloc;
static void (*g_free)(void *) = free;

void fg_set_allocator(void *(*m)(size_t), void *(*r)(void *, size_t), void (*f)(void *))
{
    g_malloc = m ? m : malloc;
    g_realloc = r ? r : realloc;
    g_free = f ? f : free;
}

void *fg_malloc(size_t n) { return g_malloc(n ? n : 1); }

void *fg_calloc(size_t count, size_t size)
{
    if (size && count > (size_t)-1 / size)
        return NULL;
    size_t total = count * size;
    void *p = g_malloc(total > 0 ? total : 1);
    if (p)
        memset(p, 0, total);
    return p;
}

void *fg_realloc(void *p, size_t n) { return g_realloc(p, n ? n : 1); }

void fg_free(void *p)
{
    if (p)
        g_free(p);
}

int fg_ctx_set(fg_ctx *ctx, int code, const char *fmt, ...)
{
    if (!ctx)
        return code;
    ctx->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap);
    va_end(ap);
    return code;
}

int fg_ctx_prefix(fg_ctx *ctx, const char *fmt, ...)
{
    if (!ctx)
        return FG_EINVAL;
    char pre[256], old[sizeof ctx->msg], both[sizeof pre + sizeof old + 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    memcpy(old, ctx->msg, sizeof old);
    snprintf(both, sizeof both, "%s: %s", pre, old);
    memcpy(ctx->msg, both, sizeof ctx->msg - 1);
    ctx->msg[sizeof ctx->msg - 1] = '\0';
    return ctx->code;
}

void fg_ctx_clear(fg_ctx *ctx)
{
    if (ctx) {
        ctx->code = 0;
        ctx->msg[0] = '\0';
    }
}

const char *fg_strerror(int code)
{
    switch (code) {
    case FG_OK: return "success";
    case FG_EINVAL: return "invalid input";
    case FG_ENOMEM: return "out of memory";
    case FG_EIO: return "input/output error";
    case FG_EFORMAT: return "unreadable format";
    case FG_ENOTFOUND: return "not found";
    case FG_ELIMIT: return "resource limit exceeded";
    default: return "unknown error";
    }
}

int fg_raster_alloc(fg_raster *r, int width, int height, int channels, fg_pixel_type type,
                    size_t max_pixels, fg_ctx *ctx)
{
    if (!r || width <= 0 || height <= 0 || channels <= 0 || channels > 16)
        return fg_ctx_set(ctx, FG_EINVAL, "raster size %dx%dx%d is invalid", width, height,
                          channels);
    if (max_pixels && (size_t)width * (size_t)height > max_pixels)
        return fg_ctx_set(ctx, FG_ELIMIT, "raster %dx%d exceeds the limit of %zu pixels", width,
                          height, max_pixels);
    if (type == FG_PIX_YCC420 && channels != 3)
        return fg_ctx_set(ctx, FG_EINVAL, "a YCbCr 4:2:0 raster has 3 channels, not %d", channels);
    size_t elem = type == FG_PIX_F32 ? sizeof(float) : 1, n = (size_t)width * (size_t)height;
    size_t cw = ((size_t)width + 1) / 2, ch = ((size_t)height + 1) / 2;
    n = type == FG_PIX_YCC420 ? fg_ycc_stride(width) * 2 * ch + 2 * cw * ch : n * (size_t)channels;
    void *p = fg_calloc(n, elem);
    if (!p)
        return fg_ctx_set(ctx, FG_ENOMEM, "out of memory for a %dx%d raster", width, height);
    r->width = width;
    r->height = height;
    r->channels = channels;
    r->stride = type == FG_PIX_YCC420 ? fg_ycc_stride(width) : (size_t)width * (size_t)channels;
    r->type = type;
    r->data = p;
    return FG_OK;
}

void fg_raster_release(fg_raster *r)
{
    if (r) {
        fg_free(r->data);
        memset(r, 0, sizeof *r);
    }
}

fg_conf_class fg_conf_class_of(int confidence)
{
    if (confidence >= 80)
        return FG_CONF_HIGH;
    if (confidence >= 30)
        return FG_CONF_NOMINAL;
    return FG_CONF_LOW;
}

const char *fg_conf_class_name(fg_conf_class c)
{
    return c == FG_CONF_HIGH ? "high" : c == FG_CONF_NOMINAL ? "nominal" : "low";
}

void fg_hotspot_init(fg_hotspot *h, fg_source_kind kind)
{
    memset(h, 0, sizeof *h);
    h->kind = kind;
    h->scan_km = h->track_km = NAN;
    h->bearing_deg = h->range_m = h->range_min_m = h->range_max_m = NAN;
    h->frp_mw = h->bt_mir_k = h->bt_tir_k = h->smoke_score = NAN;
    h->bg_mir_k = h->bg_tir_k = h->bg_dt_k = NAN;
    h->mad_mir_k = h->mad_tir_k = h->mad_dt_k = NAN;
    h->tests = 0;
    h->window = h->n_valid = -1;
    h->persisted = h->nblocks = -1;
    h->ev_row = h->ev_col = -1;
    h->ev_x = h->ev_y = h->ev_w = h->ev_h = -1;
}

/* This table MUST follow the order of fg_band_role. */
static const char *const role_names[FG_ROLE_COUNT] = {
    "MIR_BT",    "TIR_BT",   "TIR2_BT",    "COASTAL_REF", "BLUE_REF",     "GREEN_REF",
    "RED_REF",   "NIR_REF",  "SWIR1_REF",  "SWIR2_REF",   "CLOUD_MASK",   "WATER_MASK",
    "SOLAR_ZENITH", "VIEW_ZENITH",
};

const char *fg_band_role_name(fg_band_role r)
{
    return (int)r >= 0 && r < FG_ROLE_COUNT ? role_names[r] : NULL;
}

int fg_band_role_from_name(const char *name)
{
    for (int i = 0; name && i < FG_ROLE_COUNT; i++)
        if (strcmp(name, role_names[i]) == 0)
            return i;
    return -1;
}
