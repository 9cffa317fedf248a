/* rasterio.c — whole-file writes (temp name + rename), GeoTIFF and JPEG writers. */
/* SPDX-License-Identifier: MIT */
#include "imagery/imagery.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <errno.h>
#include <gdal.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <string.h>
#include <turbojpeg.h>
#include <unistd.h>

int fg_tmp_path(const char *path, char *buf, size_t bufsize)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t dirlen = (size_t)(base - path);
    size_t stemlen = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    const char *ext = dot && dot != base ? dot : "";
    int n = snprintf(buf, bufsize, "%.*s.%.*s.tmp%ld%s", (int)dirlen, path, (int)stemlen, base,
                     (long)getpid(), ext);
    return n < 0 || (size_t)n >= bufsize ? FG_EINVAL : FG_OK;
}

int fg_commit_tmp(const char *tmp, const char *path, fg_ctx *ctx)
{
    if (rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot move the finished file into place: %s", path,
                          strerror(e));
    }
    return FG_OK;
}

int fg_tmpfile_open(fg_tmpfile *t, const char *path, const char *mode, fg_ctx *ctx)
{
    memset(t, 0, sizeof *t);
    if (snprintf(t->path, sizeof t->path, "%s", path) >= (int)sizeof t->path ||
        fg_tmp_path(path, t->tmp, sizeof t->tmp) != FG_OK)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: path too long", path);
    t->f = fopen(t->tmp, mode ? mode : "wb");
    if (!t->f)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot create: %s", path, strerror(errno));
    return FG_OK;
}

void fg_tmpfile_abort(fg_tmpfile *t)
{
    if (t->f) {
        fclose(t->f);
        t->f = NULL;
        remove(t->tmp);
    }
}

int fg_tmpfile_commit(fg_tmpfile *t, fg_ctx *ctx)
{
    if (!t->f)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: not open", t->path);
    int bad = ferror(t->f);
    int e = errno;
    /* ENOSPC and EIO often show up only when the buffered tail is flushed at close. */
    if (fclose(t->f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    t->f = NULL;
    if (bad) {
        remove(t->tmp);
        return fg_ctx_set(ctx, FG_EIO, "%s: write failed: %s", t->path, strerror(e));
    }
    return fg_commit_tmp(t->tmp, t->path, ctx);
}

int fg_mkdir_p(const char *path, fg_ctx *ctx)
{
    VSIStatBufL st;
    if (!path || !*path)
        return fg_ctx_set(ctx, FG_EINVAL, "no folder name");
    /* VSIMkdirRecursive stops at a relative path's empty parent ("out" → ""), so a
     * relative path is anchored at ".". */
    char anchored[4096];
    if (snprintf(anchored, sizeof anchored, "%s%s", path[0] == '/' ? "" : "./", path) >=
        (int)sizeof anchored)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: path too long", path);
    if (VSIStatL(anchored, &st) != 0 && VSIMkdirRecursive(anchored, 0777) != 0)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot create folder: %s", path, strerror(errno));
    if (VSIStatL(anchored, &st) != 0 || !VSI_ISDIR(st.st_mode))
        return fg_ctx_set(ctx, FG_EIO, "%s: not a folder", path);
    return FG_OK;
}

int fg_read_file(const char *path, size_t max_bytes, unsigned char **out, size_t *len,
                 fg_ctx *ctx)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fg_ctx_set(ctx, errno == ENOENT ? FG_ENOTFOUND : FG_EIO, "%s: cannot open: %s",
                          path, strerror(errno));
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0;
    int rc = FG_OK;
    for (;;) {
        if (n + 1 >= cap) {
            size_t nc = cap ? 2 * cap : 65536;
            unsigned char *nb = fg_realloc(buf, nc);
            if (!nb) {
                rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
                break;
            }
            buf = nb;
            cap = nc;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (max_bytes && n > max_bytes) {
            rc = fg_ctx_set(ctx, FG_ELIMIT, "%s: larger than %zu bytes", path, max_bytes);
            break;
        }
        if (got == 0) {
            if (ferror(f))
                rc = fg_ctx_set(ctx, FG_EIO, "%s: read error", path);
            break;
        }
    }
    fclose(f);
    if (rc != FG_OK) {
        fg_free(buf);
        return rc;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return FG_OK;
}

int fg_write_file(const char *path, const void *data, size_t len, fg_ctx *ctx)
{
    fg_tmpfile t;
    int rc = fg_tmpfile_open(&t, path, "wb", ctx);
    if (rc != FG_OK)
        return rc;
    if (len && fwrite(data, 1, len, t.f) != len) {
        int e = errno;
        fg_tmpfile_abort(&t);
        return fg_ctx_set(ctx, FG_EIO, "%s: write failed: %s", path, strerror(e));
    }
    return fg_tmpfile_commit(&t, ctx);
}

static int write_tiff(GDALDriverH drv, const char *tmp, const char *path,
                                  const fg_raster *const *bands, const char *const *names,
                                  int nbands, int w, int h, const double gt[6], int epsg,
                                  const char *const *metadata, fg_ctx *ctx);

int fg_geotiff_write(const char *path, const fg_raster *const *bands, const char *const *names,
                     int nbands, const double gt[6], int epsg, const char *const *metadata,
                     fg_ctx *ctx)
{
    if (!path || !bands || nbands < 1)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: nothing to write", path ? path : "(null)");
    int w = bands[0]->width, h = bands[0]->height;
    for (int b = 0; b < nbands; b++)
        if (bands[b]->type != FG_PIX_F32 || bands[b]->channels != 1 || bands[b]->width != w ||
            bands[b]->height != h)
            return fg_ctx_set(ctx, FG_EINVAL, "%s: band %d is not a %dx%d float band", path,
                              b + 1, w, h);
    GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    if (!drv)
        return fg_ctx_set(ctx, FG_ENOTFOUND, "%s: GDAL has no GTiff driver", path);
    char tmp[4096];
    if (fg_tmp_path(path, tmp, sizeof tmp) != FG_OK)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: path too long", path);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    int rc = write_tiff(drv, tmp, path, bands, names, nbands, w, h, gt, epsg,
                                    metadata, ctx);
    CPLPopErrorHandler();
    if (rc != FG_OK) {
        remove(tmp);
        return rc;
    }
    return fg_commit_tmp(tmp, path, ctx);
}

static int write_tiff(GDALDriverH drv, const char *tmp, const char *path,
                                  const fg_raster *const *bands, const char *const *names,
                                  int nbands, int w, int h, const double gt[6], int epsg,
                                  const char *const *metadata, fg_ctx *ctx)
{
    char **co = NULL;
    co = CSLSetNameValue(co, "COMPRESS", "DEFLATE");
    co = CSLSetNameValue(co, "PREDICTOR", "3");
    co = CSLSetNameValue(co, "TILED", "YES");
    GDALDatasetH ds = GDALCreate(drv, tmp, w, h, nbands, GDT_Float32, co);
    CSLDestroy(co);
    if (!ds)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot create: %s", path, CPLGetLastErrorMsg());
    int rc = FG_OK;
    GDALSetGeoTransform(ds, (double *)gt);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    char *wkt = NULL;
    if (OSRImportFromEPSG(srs, epsg) == OGRERR_NONE && OSRExportToWkt(srs, &wkt) == OGRERR_NONE)
        GDALSetProjection(ds, wkt);
    else
        rc = fg_ctx_set(ctx, FG_EINVAL, "%s: unknown EPSG code %d", path, epsg);
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    for (const char *const *m = metadata; rc == FG_OK && m && *m; m++) {
        const char *eq = strchr(*m, '=');
        if (!eq)
            continue;
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)(eq - *m), *m);
        GDALSetMetadataItem(ds, key, eq + 1, NULL);
    }
    for (int b = 0; rc == FG_OK && b < nbands; b++) {
        GDALRasterBandH band = GDALGetRasterBand(ds, b + 1);
        if (names && names[b])
            GDALSetDescription(band, names[b]);
        GDALSetRasterNoDataValue(band, NAN);
        if (GDALRasterIOEx(band, GF_Write, 0, 0, w, h, bands[b]->data, w, h, GDT_Float32, 0,
                           (GSpacing)(bands[b]->stride * sizeof(float)), NULL) != CE_None)
            rc = fg_ctx_set(ctx, FG_EIO, "%s: write failed: %s", path, CPLGetLastErrorMsg());
    }
    /* GDAL 3.6's GDALClose returns nothing: a failed final flush shows up as an error state. */
    CPLErrorReset();
    GDALClose(ds);
    if (rc == FG_OK && CPLGetLastErrorType() >= CE_Failure)
        rc = fg_ctx_set(ctx, FG_EIO, "%s: closing failed: %s", path, CPLGetLastErrorMsg());
    return rc;
}

int fg_jpeg_write(const char *path, const fg_raster *rgb, int quality, fg_ctx *ctx)
{
    if (!rgb || rgb->type != FG_PIX_U8 || rgb->channels != 3)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: JPEG needs an RGB byte raster", path);
    if (quality < 1 || quality > 100)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: JPEG quality %d outside 1..100", path, quality);
    tjhandle tj = tjInitCompress();
    if (!tj)
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: cannot start the JPEG compressor", path);
    unsigned char *jpg = NULL;
    unsigned long len = 0;
    int rc = FG_OK;
    if (tjCompress2(tj, (const unsigned char *)rgb->data, rgb->width, (int)rgb->stride,
                    rgb->height, TJPF_RGB, &jpg, &len, TJSAMP_420, quality, TJFLAG_ACCURATEDCT) != 0)
        rc = fg_ctx_set(ctx, FG_EIO, "%s: JPEG compression failed: %s", path,
                        tjGetErrorStr2(tj));
    if (rc == FG_OK)
        rc = fg_write_file(path, jpg, len, ctx);
    tjFree(jpg);
    tjDestroy(tj);
    return rc;
}
