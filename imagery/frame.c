/* frame.c — camera frames: time from the file name or EXIF, sorted folder listing, TurboJPEG scaled decoding. */
/* SPDX-License-Identifier: MIT */
#include "imagery/imagery.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <turbojpeg.h>

#include <cpl_error.h>
#include <gdal.h>

/* Default and hard limits: a frame file larger than this is not a camera
 * frame (3072×2048 at quality 100 is ~5 MB). */
#define DEFAULT_MAX_PIXELS ((size_t)100000000)
#define MAX_FILE_BYTES ((long long)1 << 30)

/* ------------------------------------------------------------ frame time */

/* Reads exactly n digits at s into *v; 0 when a non-digit is met. */
static int digits(const char *s, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 0;
        x = 10 * x + (s[i] - '0');
    }
    *v = x;
    return 1;
}

static int civil_to_unix(int Y, int M, int D, int h, int mi, int sec, int64_t *t)
{
    if (Y < 1970 || fg_time_from_civil(Y, M, D, h, mi, sec, t) != FG_OK)
        return FG_EFORMAT;
    return FG_OK;
}

/* Compact stamp "YYYYMMDD_HHMMSS" (or with 'T' between). */
static int parse_compact(const char *s, int64_t *t)
{
    int Y, M, D, h, mi, sec;
    if (!digits(s, 4, &Y) || !digits(s + 4, 2, &M) || !digits(s + 6, 2, &D) ||
        (s[8] != '_' && s[8] != 'T') || !digits(s + 9, 2, &h) || !digits(s + 11, 2, &mi) ||
        !digits(s + 13, 2, &sec) || isdigit((unsigned char)s[15]))
        return FG_EFORMAT;
    return civil_to_unix(Y, M, D, h, mi, sec, t);
}

/* Extended stamp "YYYY-MM-DDTHH:MM:SSZ"; file systems that forbid ':' get
 * '-' instead; the trailing 'Z' is optional (UTC is assumed). */
static int parse_extended(const char *s, int64_t *t)
{
    int Y, M, D, h, mi, sec;
    if (!digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) || s[7] != '-' ||
        !digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != '_') || !digits(s + 11, 2, &h) ||
        (s[13] != ':' && s[13] != '-') || !digits(s + 14, 2, &mi) || s[16] != s[13] ||
        !digits(s + 17, 2, &sec) || isdigit((unsigned char)s[19]))
        return FG_EFORMAT;
    return civil_to_unix(Y, M, D, h, mi, sec, t);
}

/* Leading Unix time of exactly 10 digits, as HPWREN/FIgLib names frames
 * ("1569440002_-02400.jpg": time, then the offset from ignition). */
static int parse_unix(const char *s, int64_t *t)
{
    int64_t v = 0;
    for (int i = 0; i < 10; i++) {
        if (!isdigit((unsigned char)s[i]))
            return FG_EFORMAT;
        v = 10 * v + (s[i] - '0');
    }
    if (isdigit((unsigned char)s[10]) || v < 1000000000)
        return FG_EFORMAT;
    *t = v;
    return FG_OK;
}

int fg_frame_time_from_name(const char *name, int64_t *t_utc)
{
    if (!name || !t_utc)
        return FG_EINVAL;
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    int64_t t;
    /* the two stamp forms are tried before the Unix form: "20131201_071500"
     * has only 8 leading digits, so the forms cannot be confused */
    if (strlen(base) >= 15 && parse_compact(base, &t) == FG_OK) {
        *t_utc = t;
        return FG_OK;
    }
    if (strlen(base) >= 19 && parse_extended(base, &t) == FG_OK) {
        *t_utc = t;
        return FG_OK;
    }
    if (strlen(base) >= 10 && parse_unix(base, &t) == FG_OK) {
        *t_utc = t;
        return FG_OK;
    }
    return FG_EFORMAT;
}

/* EXIF DateTimeOriginal (tag 0x9003) as GDAL's JPEG driver exposes it:
 * "YYYY:MM:DD HH:MM:SS", the camera's local clock (EXIF 2.3 carries no zone
 * unless OffsetTimeOriginal is set, which tower cameras rarely do). */
static int parse_exif_datetime(const char *s, int utc_offset_s, int64_t *t)
{
    int Y, M, D, h, mi, sec;
    while (*s == ' ')
        s++;
    if (strlen(s) < 19 || !digits(s, 4, &Y) || s[4] != ':' || !digits(s + 5, 2, &M) ||
        s[7] != ':' || !digits(s + 8, 2, &D) || s[10] != ' ' || !digits(s + 11, 2, &h) ||
        s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &sec))
        return FG_EFORMAT;
    int64_t local;
    if (civil_to_unix(Y, M, D, h, mi, sec, &local) != FG_OK)
        return FG_EFORMAT;
    *t = local - utc_offset_s;
    return FG_OK;
}

int fg_frame_time(const char *path, int utc_offset_s, int64_t *t_utc)
{
    if (!path || !t_utc)
        return FG_EINVAL;
    if (fg_frame_time_from_name(path, t_utc) == FG_OK)
        return FG_OK;
    /* Only the JPEG driver is allowed: a PNG named .jpg must not be read as an
     * image with a time; GDAL reads only the header and the APP1 segment here. */
    static const char *const drivers[] = {"JPEG", NULL};
    GDALAllRegister();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, drivers, NULL, NULL);
    int rc = FG_EFORMAT;
    if (ds) {
        const char *v = GDALGetMetadataItem(ds, "EXIF_DateTimeOriginal", NULL);
        int64_t t;
        if (v && parse_exif_datetime(v, utc_offset_s, &t) == FG_OK) {
            *t_utc = t;
            rc = FG_OK;
        }
        GDALClose(ds);
    }
    CPLPopErrorHandler();
    return rc;
}

/* --------------------------------------------------------------- listing */

static int is_jpeg_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return 0;
    const char *ext[] = {".jpg", ".jpeg"};
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(ext[i]);
        if (strlen(dot) != n)
            continue;
        size_t k = 0;
        while (k < n && tolower((unsigned char)dot[k]) == ext[i][k])
            k++;
        if (k == n)
            return 1;
    }
    return 0;
}

static int cmp_entry(const void *a, const void *b)
{
    const fg_frame_entry *x = a, *y = b;
    if (x->time_utc != y->time_utc)
        return x->time_utc < y->time_utc ? -1 : 1;
    return strcmp(x->path, y->path);
}

void fg_frame_list_free(fg_frame_entry *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        fg_free(list[i].path);
    fg_free(list);
}

int fg_frame_list(const char *dir, fg_frame_entry **out, size_t *n,
                  void (*skip)(void *user, const char *path, const char *reason), void *user,
                  fg_ctx *ctx)
{
    if (!dir || !out || !n)
        return fg_ctx_set(ctx, FG_EINVAL, "frame list: missing folder or output");
    DIR *d = opendir(dir);
    if (!d)
        return fg_ctx_set(ctx, errno == ENOENT || errno == ENOTDIR ? FG_ENOTFOUND : FG_EIO,
                          "%s: cannot open folder: %s", dir, strerror(errno));
    fg_frame_entry *list = NULL;
    size_t len = 0, cap = 0;
    int rc = FG_OK;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        /* dot files include our own in-progress "<dir>/.<base>.tmp<pid>.jpg" */
        if (name[0] == '.' || !is_jpeg_name(name)) {
            errno = 0;
            continue;
        }
        size_t plen = strlen(dir) + 1 + strlen(name) + 1;
        char *path = fg_malloc(plen);
        if (!path) {
            rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory listing frames", dir);
            break;
        }
        snprintf(path, plen, "%s/%s", dir, name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            if (skip)
                skip(user, path, "not a regular file");
            fg_free(path);
            errno = 0;
            continue;
        }
        int64_t t;
        /* the default camera clock for EXIF times is Beijing time (UTC+8) */
        if (fg_frame_time(path, 8 * 3600, &t) != FG_OK) {
            if (skip)
                skip(user, path,
                     "no time in the file name (expected a Unix time or YYYYMMDD_HHMMSS) "
                     "and no EXIF DateTimeOriginal");
            fg_free(path);
            errno = 0;
            continue;
        }
        if (len == cap) {
            size_t nc = cap ? 2 * cap : 64;
            fg_frame_entry *nl = fg_realloc(list, nc * sizeof *nl);
            if (!nl) {
                fg_free(path);
                rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory listing frames", dir);
                break;
            }
            list = nl;
            cap = nc;
        }
        list[len].path = path;
        list[len].time_utc = t;
        len++;
        errno = 0;
    }
    if (rc == FG_OK && errno != 0)
        rc = fg_ctx_set(ctx, FG_EIO, "%s: cannot read folder: %s", dir, strerror(errno));
    closedir(d);
    if (rc != FG_OK) {
        fg_frame_list_free(list, len);
        return rc;
    }
    if (len > 1)
        qsort(list, len, sizeof *list, cmp_entry);
    if (len == 0) {
        fg_free(list);
        list = NULL;
    }
    *out = list;
    *n = len;
    return FG_OK;
}

/* --------------------------------------------------------------- decoding */

struct fg_jpeg_decoder {
    tjhandle tj;
    unsigned char *buf; /* file bytes, reused between frames */
    size_t cap;
    tjhandle enc;       /* YCbCr 4:2:0 from frames stored otherwise (made when needed) */
    fg_raster rgb;      /* their RGB, reused */
};

int fg_jpeg_decoder_new(fg_jpeg_decoder **out, fg_ctx *ctx)
{
    if (!out)
        return fg_ctx_set(ctx, FG_EINVAL, "jpeg decoder: missing output");
    fg_jpeg_decoder *d = fg_calloc(1, sizeof *d);
    if (!d)
        return fg_ctx_set(ctx, FG_ENOMEM, "jpeg decoder: out of memory");
    d->tj = tjInitDecompress();
    if (!d->tj) {
        fg_free(d);
        return fg_ctx_set(ctx, FG_ENOMEM, "jpeg decoder: %s", tjGetErrorStr2(NULL));
    }
    *out = d;
    return FG_OK;
}

void fg_jpeg_decoder_free(fg_jpeg_decoder *d)
{
    if (!d)
        return;
    if (d->tj)
        tjDestroy(d->tj);
    if (d->enc)
        tjDestroy(d->enc);
    fg_free(d->buf);
    fg_raster_release(&d->rgb);
    fg_free(d);
}

/* After a failed file TurboJPEG's handle can keep that file's state (with
 * libjpeg-turbo 2.1, a header that failed for want of an SOS marker makes the
 * next file's header read as 0×0), so the decoder starts a fresh handle and
 * the next frame is read as if it were the first. */
static void fresh_handle(fg_jpeg_decoder *d)
{
    if (d->tj)
        tjDestroy(d->tj);
    d->tj = tjInitDecompress(); /* NULL: the next call reports it */
}

/* Reads the whole file into d->buf; *size receives its length. */
static int read_file(fg_jpeg_decoder *d, const char *path, size_t *size, fg_ctx *ctx)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fg_ctx_set(ctx, errno == ENOENT ? FG_ENOTFOUND : FG_EIO, "%s: cannot open: %s",
                          path, strerror(errno));
    size_t len = 0;
    int rc = FG_OK;
    for (;;) {
        if (len == d->cap) {
            size_t nc = d->cap ? 2 * d->cap : (size_t)1 << 20;
            if ((long long)nc > MAX_FILE_BYTES) {
                rc = fg_ctx_set(ctx, FG_ELIMIT, "%s: file larger than %lld bytes", path,
                                MAX_FILE_BYTES);
                break;
            }
            unsigned char *nb = fg_realloc(d->buf, nc);
            if (!nb) {
                rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory reading the file", path);
                break;
            }
            d->buf = nb;
            d->cap = nc;
        }
        size_t got = fread(d->buf + len, 1, d->cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f))
                rc = fg_ctx_set(ctx, FG_EIO, "%s: read error", path);
            break;
        }
    }
    fclose(f);
    if (rc == FG_OK)
        *size = len;
    return rc;
}

/* The decoded pixels into r (sw×sh, of type r->type): RGB, or the YCbCr
 * 4:2:0 planes — straight from the JPEG when it stores 4:2:0 (most cameras),
 * else from its RGB through TurboJPEG's encoder (2×2 chroma downsampling). */
static int decode_pixels(fg_jpeg_decoder *d, size_t size, int subsamp, fg_raster *r, int sw,
                         int sh, const char *path, fg_ctx *ctx)
{
    int ok;
    if (r->type == FG_PIX_U8) {
        ok = tjDecompress2(d->tj, d->buf, (unsigned long)size, r->data, sw, (int)r->stride, sh,
                           TJPF_RGB, TJFLAG_STOPONWARNING) == 0;
    } else {
        unsigned char *planes[3] = {r->data, fg_ycc_cb(r), fg_ycc_cr(r)};
        int strides[3] = {(int)r->stride, fg_ycc_cw(r), fg_ycc_cw(r)};
        if (subsamp == TJSAMP_420) {
            ok = tjDecompressToYUVPlanes(d->tj, d->buf, (unsigned long)size, planes, sw, strides,
                                         sh, TJFLAG_STOPONWARNING) == 0;
        } else {
            if (!d->rgb.data || d->rgb.width != sw || d->rgb.height != sh) {
                fg_raster_release(&d->rgb);
                if (fg_raster_alloc(&d->rgb, sw, sh, 3, FG_PIX_U8, 0, ctx) != FG_OK)
                    return fg_ctx_prefix(ctx, "%s", path);
            }
            if (!d->enc && !(d->enc = tjInitCompress()))
                return fg_ctx_set(ctx, FG_ENOMEM, "%s: cannot start a TurboJPEG encoder (%s)",
                                  path, tjGetErrorStr2(NULL));
            ok = tjDecompress2(d->tj, d->buf, (unsigned long)size, d->rgb.data, sw,
                               (int)d->rgb.stride, sh, TJPF_RGB, TJFLAG_STOPONWARNING) == 0;
            if (ok && tjEncodeYUVPlanes(d->enc, d->rgb.data, sw, (int)d->rgb.stride, sh, TJPF_RGB,
                                        planes, strides, TJSAMP_420, 0) != 0)
                return fg_ctx_set(ctx, FG_EFORMAT, "%s: YCbCr conversion failed (%s)", path,
                                  tjGetErrorStr2(d->enc));
        }
    }
    if (ok)
        return FG_OK;
    fg_ctx_set(ctx, FG_EFORMAT, "%s: corrupt or truncated JPEG (%s)", path,
               tjGetErrorStr2(d->tj));
    fresh_handle(d);
    return FG_EFORMAT;
}

/* reuse: out may hold pixels of an earlier call, kept when the size and type
 * match. type: FG_PIX_U8 (RGB) or FG_PIX_YCC420. */
static int decode_file(fg_jpeg_decoder *d, const char *path, int scale_denom, size_t max_pixels,
                       fg_pixel_type type, fg_raster *out, int reuse, int *full_w, int *full_h,
                       fg_ctx *ctx)
{
    if (!d || !path || !out)
        return fg_ctx_set(ctx, FG_EINVAL, "jpeg decode: missing decoder, path or output");
    if (scale_denom != 1 && scale_denom != 2 && scale_denom != 4 && scale_denom != 8)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: scale denominator %d is not 1, 2, 4 or 8", path,
                          scale_denom);
    if (!d->tj && !(d->tj = tjInitDecompress()))
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: cannot start a TurboJPEG decompressor (%s)", path,
                          tjGetErrorStr2(NULL));
    size_t size = 0;
    int rc = read_file(d, path, &size, ctx);
    if (rc != FG_OK)
        return rc;
    if (size == 0)
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: empty file (0 bytes)", path);
    if (size < 2 || d->buf[0] != 0xFF || d->buf[1] != 0xD8)
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: not a JPEG (no SOI marker)", path);

    int w = 0, h = 0, subsamp = 0, colorspace = 0;
    if (tjDecompressHeader3(d->tj, d->buf, (unsigned long)size, &w, &h, &subsamp,
                            &colorspace) != 0) {
        fg_ctx_set(ctx, FG_EFORMAT, "%s: not a JPEG (%s)", path, tjGetErrorStr2(d->tj));
        fresh_handle(d);
        return FG_EFORMAT;
    }
    if (w <= 0 || h <= 0) {
        fresh_handle(d);
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: JPEG header gives size %dx%d", path, w, h);
    }
    size_t limit = max_pixels ? max_pixels : DEFAULT_MAX_PIXELS;
    /* the limit applies to the full-resolution image before any decoding work,
     * so a hostile header cannot make the decoder allocate (TJPARAM_MAXPIXELS) */
    if ((size_t)w * (size_t)h > limit)
        return fg_ctx_set(ctx, FG_ELIMIT, "%s: %dx%d pixels exceed the limit of %zu", path, w,
                          h, limit);

    int nsf = 0;
    tjscalingfactor *sf = tjGetScalingFactors(&nsf);
    int k = -1;
    for (int i = 0; sf && i < nsf; i++)
        if (sf[i].num == 1 && sf[i].denom == scale_denom)
            k = i;
    if (k < 0)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: TurboJPEG offers no 1/%d scaling", path,
                          scale_denom);
    int sw = TJSCALED(w, sf[k]), sh = TJSCALED(h, sf[k]);

    fg_raster r = {0};
    size_t stride = type == FG_PIX_U8 ? (size_t)sw * 3 : fg_ycc_stride(sw);
    if (reuse && out->data && out->width == sw && out->height == sh && out->channels == 3 &&
        out->type == type && out->stride == stride) {
        r = *out;
    } else {
        if (reuse)
            fg_raster_release(out);
        rc = fg_raster_alloc(&r, sw, sh, 3, type, 0, ctx);
        if (rc != FG_OK)
            return fg_ctx_prefix(ctx, "%s", path);
    }
    if ((rc = decode_pixels(d, size, subsamp, &r, sw, sh, path, ctx)) != FG_OK) {
        if (reuse)
            *out = r; /* the pixels stay the caller's, to release */
        else
            fg_raster_release(&r);
        return rc;
    }
    *out = r;
    if (full_w)
        *full_w = w;
    if (full_h)
        *full_h = h;
    return FG_OK;
}

int fg_jpeg_decode_file(fg_jpeg_decoder *d, const char *path, int scale_denom,
                        size_t max_pixels, fg_raster *out, int *full_w, int *full_h,
                        fg_ctx *ctx)
{
    return decode_file(d, path, scale_denom, max_pixels, FG_PIX_U8, out, 0, full_w, full_h,
                       ctx);
}

int fg_jpeg_decode_ycc(fg_jpeg_decoder *d, const char *path, int scale_denom, size_t max_pixels,
                       fg_raster *out, int *full_w, int *full_h, fg_ctx *ctx)
{
    return decode_file(d, path, scale_denom, max_pixels, FG_PIX_YCC420, out, 0, full_w, full_h,
                       ctx);
}

int fg_jpeg_decode_file_reuse(fg_jpeg_decoder *d, const char *path, int scale_denom,
                              size_t max_pixels, fg_raster *buf, int *full_w, int *full_h,
                              fg_ctx *ctx)
{
    fg_pixel_type type = buf && buf->type == FG_PIX_YCC420 ? FG_PIX_YCC420 : FG_PIX_U8;
    return decode_file(d, path, scale_denom, max_pixels, type, buf, 1, full_w, full_h, ctx);
}
