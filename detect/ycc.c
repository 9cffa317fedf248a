/* ycc.c — colour frames as a JPEG stores them: JFIF YCbCr 4:2:0 planes, from and to RGB. */
/* SPDX-License-Identifier: MIT */
/*
 * A camera JPEG holds full-resolution luminance and chroma sampled once per
 * 2×2 pixels (4:2:0, ITU-T T.81 A.1.1), in the JFIF colour space of ITU-T
 * T.871 §7 (full range, chroma centred on 128):
 *   Y  = 0.299R + 0.587G + 0.114B
 *   Cb = 128 − 0.168736R − 0.331264G + 0.5B
 *   Cr = 128 + 0.5R − 0.418688G − 0.081312B
 *   R = Y + 1.402(Cr − 128),  G = Y − 0.344136(Cb − 128) − 0.714136(Cr − 128),
 *   B = Y + 1.772(Cb − 128).
 * The smoke detector reads these planes as TurboJPEG decodes them
 * (imagery/frame.c): no colour conversion, a third of the bytes of RGB.
 * Frames that come as RGB are converted here: a cell's chroma is the mean of
 * its pixels' (the 2×2 box a JPEG encoder downsamples with). The way back
 * gives each pixel its own cell's chroma (no interpolation between cells), so
 * RGB taken from the planes here and inside the detector are the same bytes.
 */
#include "detect/detect.h"
#include "detect/detect_int.h"

#include <math.h>

static inline unsigned char to_byte(float v)
{
    v = floorf(v + 0.5f);
    return (unsigned char)(v < 0.0f ? 0.0f : v > 255.0f ? 255.0f : v);
}

void fg_ycc_fill_from_rgb(const fg_raster *rgb, fg_raster *o)
{
    int w = rgb->width, h = rgb->height;
    const unsigned char *d = rgb->data;
    unsigned char *y = o->data, *cb = fg_ycc_cb(o), *cr = fg_ycc_cr(o);
    int cw = fg_ycc_cw(o);
    for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++) {
            const unsigned char *p = d + (size_t)r * rgb->stride + 3 * (size_t)c;
            y[(size_t)r * o->stride + c] = to_byte(0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]);
        }
    for (int i = 0; i < fg_ycc_ch(o); i++)
        for (int j = 0; j < cw; j++) {
            float su = 0, sv = 0;
            int n = 0;
            for (int r = 2 * i; r < 2 * i + 2 && r < h; r++)
                for (int c = 2 * j; c < 2 * j + 2 && c < w; c++, n++) {
                    const unsigned char *p = d + (size_t)r * rgb->stride + 3 * (size_t)c;
                    float R = p[0], G = p[1], B = p[2];
                    su += -0.168736f * R - 0.331264f * G + 0.5f * B;
                    sv += 0.5f * R - 0.418688f * G - 0.081312f * B;
                }
            cb[(size_t)i * cw + j] = to_byte(128.0f + su / n);
            cr[(size_t)i * cw + j] = to_byte(128.0f + sv / n);
        }
}

int fg_ycc_from_rgb(const fg_raster *rgb, fg_raster *out, fg_ctx *ctx)
{
    if (!rgb || !out || !rgb->data || rgb->type != FG_PIX_U8 || rgb->channels != 3)
        return fg_ctx_set(ctx, FG_EINVAL, "YCbCr conversion needs an RGB U8 raster");
    fg_raster o = {0};
    int rc = fg_raster_alloc(&o, rgb->width, rgb->height, 3, FG_PIX_YCC420, 0, ctx);
    if (rc != FG_OK)
        return rc;
    fg_ycc_fill_from_rgb(rgb, &o);
    *out = o;
    return FG_OK;
}

void fg_ycc_rgb_at(const fg_raster *f, int r, int c, unsigned char rgb[3])
{
    size_t k = (size_t)(r / 2) * (size_t)fg_ycc_cw(f) + (size_t)(c / 2);
    float Y = ((const unsigned char *)f->data)[(size_t)r * f->stride + (size_t)c];
    float u = fg_ycc_cb(f)[k] - 128.0f, v = fg_ycc_cr(f)[k] - 128.0f;
    rgb[0] = to_byte(Y + 1.402f * v);
    rgb[1] = to_byte(Y - 0.344136f * u - 0.714136f * v);
    rgb[2] = to_byte(Y + 1.772f * u);
}

int fg_ycc_to_rgb(const fg_raster *ycc, fg_raster *out, fg_ctx *ctx)
{
    if (!ycc || !out || !ycc->data || ycc->type != FG_PIX_YCC420)
        return fg_ctx_set(ctx, FG_EINVAL, "RGB conversion needs a YCbCr 4:2:0 raster");
    fg_raster o = {0};
    int rc = fg_raster_alloc(&o, ycc->width, ycc->height, 3, FG_PIX_U8, 0, ctx);
    if (rc != FG_OK)
        return rc;
    unsigned char *d = o.data;
    for (int r = 0; r < ycc->height; r++)
        for (int c = 0; c < ycc->width; c++)
            fg_ycc_rgb_at(ycc, r, c, d + (size_t)r * o.stride + 3 * (size_t)c);
    *out = o;
    return FG_OK;
}
