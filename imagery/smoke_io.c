/* smoke_io.c — the smoke block model file (read, write, the bundled copy) and smoke mask images. */
/* SPDX-License-Identifier: MIT */
/*
 * Model file: UTF-8 text, one "key = value" per line; '#' starts a comment line.
 *   nfeat = N                 1..FG_SMOKE_MODEL_MAXF (0 marks the placeholder)
 *   bias = X
 *   threshold = X             in (0, 1): smoke when p >= threshold
 *   mean = x1, ..., xN        per-feature standardisation
 *   scale = x1, ..., xN       > 0
 *   w = x1, ..., xN           weights on standardised features
 * Every key exactly once, nothing else. Numbers are written with 9 significant
 * digits, which round-trips a float exactly (IEEE 754-2008 §5.12.2), so
 * write → read → write gives the same bytes.
 */
#include "imagery/imagery.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <errno.h>
#include <gdal.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char fg_embedded_smoke_model[];
extern const size_t fg_embedded_smoke_model_len;

#define BUNDLED_NAME "models/smoke_model.txt (bundled)"

enum { K_NFEAT, K_BIAS, K_THRESHOLD, K_MEAN, K_SCALE, K_W, K_COUNT };
static const char *const KEYS[K_COUNT] = {"nfeat", "bias", "threshold", "mean", "scale", "w"};

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* One finite float; returns 0 or -1. */
static int parse_float(const char *s, float *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (end == s || *end || errno == ERANGE || !isfinite(v) || fabs(v) > 3.4e38)
        return -1;
    *out = (float)v;
    return 0;
}

/* A comma list of floats into v[max]; returns the count (max + 1 when there are
 * more), or -1 on an empty or bad item. An empty string is an empty list. */
static int parse_list(char *s, float *v, int max)
{
    if (!*s)
        return 0;
    int n = 0;
    for (char *item = s;;) {
        char *comma = strchr(item, ',');
        if (comma)
            *comma = '\0';
        if (n >= max)
            return max + 1;
        if (parse_float(trim(item), &v[n]) != 0)
            return -1;
        n++;
        if (!comma)
            return n;
        item = comma + 1;
    }
}

/* Parses the text (len bytes, need not be terminated) named `name`. */
static int parse_model(const char *name, const char *text, size_t len, fg_smoke_model *out,
                       fg_ctx *ctx)
{
    char *buf = fg_malloc(len + 1);
    if (!buf)
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", name);
    memcpy(buf, text, len);
    buf[len] = '\0';
    fg_smoke_model m;
    memset(&m, 0, sizeof m);
    int line_of[K_COUNT] = {0};
    int nlist[K_COUNT] = {0};
    int rc = FG_OK, line = 0;
    char *p = buf;
    while (rc == FG_OK && p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        line++;
        char *s = trim(p);
        p = nl ? nl + 1 : NULL;
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: line %d: expected 'key = value', got '%.60s'",
                            name, line, s);
            break;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        int k = -1;
        for (int i = 0; i < K_COUNT; i++)
            if (strcmp(key, KEYS[i]) == 0)
                k = i;
        if (k < 0) {
            rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: line %d: unknown key '%.40s'", name, line, key);
            break;
        }
        if (line_of[k]) {
            rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: line %d: '%s' given again (first on line %d)",
                            name, line, KEYS[k], line_of[k]);
            break;
        }
        line_of[k] = line;
        switch (k) {
        case K_NFEAT: {
            char *end;
            errno = 0;
            long v = strtol(val, &end, 10);
            if (end == val || *end || errno || v < 0 || v > FG_SMOKE_MODEL_MAXF) {
                rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: line %d: nfeat '%.40s' is not 0..%d", name,
                                line, val, FG_SMOKE_MODEL_MAXF);
                break;
            }
            m.nfeat = (int)v;
            break;
        }
        case K_BIAS:
        case K_THRESHOLD: {
            float *dst = k == K_BIAS ? &m.bias : &m.threshold;
            if (parse_float(val, dst) != 0)
                rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: line %d: %s '%.40s' is not a finite number",
                                name, line, KEYS[k], val);
            else if (k == K_THRESHOLD && !(m.threshold > 0 && m.threshold < 1))
                rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: line %d: threshold %g is not in (0, 1)",
                                name, line, m.threshold);
            break;
        }
        default: {
            float *dst = k == K_MEAN ? m.mean : k == K_SCALE ? m.scale : m.w;
            int c = parse_list(val, dst, FG_SMOKE_MODEL_MAXF);
            if (c < 0)
                rc = fg_ctx_set(ctx, FG_EFORMAT,
                                "%s: line %d: %s holds an item that is not a finite number", name,
                                line, KEYS[k]);
            else if (c > FG_SMOKE_MODEL_MAXF)
                rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: line %d: %s has more than %d values", name,
                                line, KEYS[k], FG_SMOKE_MODEL_MAXF);
            nlist[k] = c;
            break;
        }
        }
    }
    fg_free(buf);
    if (rc != FG_OK)
        return rc;
    if (!line_of[K_NFEAT])
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: no 'nfeat' line: not a smoke model file", name);
    if (m.nfeat == 0)
        return fg_ctx_set(ctx, FG_EFORMAT,
                          "%s: placeholder model (nfeat = 0), no weights: train one with "
                          "`firegrid train-smoke`",
                          name);
    for (int k = K_BIAS; k < K_COUNT; k++)
        if (!line_of[k])
            return fg_ctx_set(ctx, FG_EFORMAT, "%s: no '%s' line", name, KEYS[k]);
    for (int k = K_MEAN; k < K_COUNT; k++)
        if (nlist[k] != m.nfeat)
            return fg_ctx_set(ctx, FG_EFORMAT, "%s: line %d: %s has %d value(s), nfeat is %d",
                              name, line_of[k], KEYS[k], nlist[k], m.nfeat);
    for (int i = 0; i < m.nfeat; i++)
        if (!(m.scale[i] > 0))
            return fg_ctx_set(ctx, FG_EFORMAT, "%s: line %d: scale %d is %g, must be > 0", name,
                              line_of[K_SCALE], i + 1, m.scale[i]);
    *out = m;
    return FG_OK;
}

int fg_smoke_model_read(const char *path, fg_smoke_model *m, fg_ctx *ctx)
{
    if (!m)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke model: no output");
    if (!path)
        return parse_model(BUNDLED_NAME, fg_embedded_smoke_model, fg_embedded_smoke_model_len, m,
                           ctx);
    FILE *f = fopen(path, "rb");
    if (!f)
        return fg_ctx_set(ctx, errno == ENOENT ? FG_ENOTFOUND : FG_EIO, "%s: cannot open: %s",
                          path, strerror(errno));
    /* a model is a few hundred bytes; refuse anything absurd */
    enum { MAX_BYTES = 1 << 20 };
    char *buf = fg_malloc(MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    }
    size_t n = fread(buf, 1, MAX_BYTES + 1, f);
    int err = ferror(f);
    fclose(f);
    int rc;
    if (err)
        rc = fg_ctx_set(ctx, FG_EIO, "%s: read failed", path);
    else if (n > MAX_BYTES)
        rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: larger than %d bytes: not a smoke model file",
                        path, MAX_BYTES);
    else if (memchr(buf, '\0', n))
        rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: binary data: not a smoke model file", path);
    else
        rc = parse_model(path, buf, n, m, ctx);
    fg_free(buf);
    return rc;
}

/* Growing text buffer. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
    int oom;
} sbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && b->len + (size_t)k < b->cap) {
            b->len += (size_t)k;
            return;
        }
        size_t cap = b->cap ? b->cap * 2 : 1024;
        while (cap < b->len + (size_t)k + 1)
            cap *= 2;
        char *s = fg_realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

static void sb_list(sbuf *b, const char *key, const float *v, int n)
{
    sb_printf(b, "%s = ", key);
    for (int i = 0; i < n; i++)
        sb_printf(b, "%s%.9g", i ? ", " : "", (double)v[i]);
    sb_printf(b, "\n");
}

static const char *const FEATURE_NAMES[FG_SF_COUNT] = {
    "luma", "luma_std", "colourless", "saturation", "blue_red",
    "dark_channel", "high_freq", "grad_vert", "row", "sky_contrast"};

int fg_smoke_model_write(const char *path, const fg_smoke_model *m, const char *provenance,
                         fg_ctx *ctx)
{
    if (!path || !m)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke model: no path or model to write");
    if (m->nfeat < 1 || m->nfeat > FG_SMOKE_MODEL_MAXF)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: model has %d features (1..%d allowed)", path,
                          m->nfeat, FG_SMOKE_MODEL_MAXF);
    int ok = isfinite(m->bias) && m->threshold > 0 && m->threshold < 1;
    for (int i = 0; i < m->nfeat; i++)
        ok = ok && isfinite(m->mean[i]) && isfinite(m->w[i]) && m->scale[i] > 0 &&
             isfinite(m->scale[i]);
    if (!ok)
        return fg_ctx_set(ctx, FG_EINVAL,
                          "%s: model has a non-finite number, a scale <= 0 or a threshold "
                          "outside (0, 1)",
                          path);
    sbuf b = {0};
    sb_printf(&b, "# firegrid smoke block model: logistic regression on per-block appearance "
                  "features\n");
    sb_printf(&b, "# p = 1/(1 + exp(-(bias + sum w_i*(f_i - mean_i)/scale_i))); smoke when p >= "
                  "threshold\n");
    sb_printf(&b, "# features (detect.h FG_SF_* order):");
    for (int i = 0; i < m->nfeat; i++)
        sb_printf(&b, " %s", i < FG_SF_COUNT ? FEATURE_NAMES[i] : "(appended)");
    sb_printf(&b, "\n");
    /* provenance: every line becomes a comment */
    for (const char *p = provenance; p && *p;) {
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);
        sb_printf(&b, "#%s%.*s\n", n ? " " : "", n, p);
        p = nl ? nl + 1 : p + n;
    }
    sb_printf(&b, "nfeat = %d\n", m->nfeat);
    sb_printf(&b, "bias = %.9g\n", (double)m->bias);
    sb_printf(&b, "threshold = %.9g\n", (double)m->threshold);
    sb_list(&b, "mean", m->mean, m->nfeat);
    sb_list(&b, "scale", m->scale, m->nfeat);
    sb_list(&b, "w", m->w, m->nfeat);
    if (b.oom) {
        fg_free(b.s);
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    }
    int rc = fg_write_file(path, b.s, b.len, ctx);
    fg_free(b.s);
    return rc;
}

int fg_mask_image_read(const char *path, fg_raster *out, fg_ctx *ctx)
{
    if (!path || !out)
        return fg_ctx_set(ctx, FG_EINVAL, "mask image: no path or output");
    VSIStatBufL st;
    if (VSIStatL(path, &st) != 0)
        return fg_ctx_set(ctx, FG_ENOTFOUND, "%s: no such file", path);
    GDALAllRegister();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    int rc = FG_OK;
    fg_raster r;
    memset(&r, 0, sizeof r);
    if (!ds) {
        const char *why = CPLGetLastErrorMsg();
        rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: GDAL cannot open it as an image%s%s", path,
                        why && *why ? ": " : "", why ? why : "");
        goto done;
    }
    int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds), nb = GDALGetRasterCount(ds);
    if (nb != 1) {
        rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: a mask has one band, this image has %d", path, nb);
        goto done;
    }
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    if (GDALGetRasterDataType(band) != GDT_Byte) {
        rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: a mask is 8-bit, this band is %s", path,
                        GDALGetDataTypeName(GDALGetRasterDataType(band)));
        goto done;
    }
    if ((rc = fg_raster_alloc(&r, w, h, 1, FG_PIX_U8, 0, ctx)) != FG_OK) {
        fg_ctx_prefix(ctx, "%s", path);
        goto done;
    }
    if (GDALRasterIO(band, GF_Read, 0, 0, w, h, r.data, w, h, GDT_Byte, 0, (int)r.stride) !=
        CE_None) {
        rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: read failed: %s", path, CPLGetLastErrorMsg());
        fg_raster_release(&r);
        goto done;
    }
    *out = r;
done:
    if (ds)
        GDALClose(ds);
    CPLPopErrorHandler();
    return rc;
}
