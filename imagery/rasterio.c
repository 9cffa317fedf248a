/* rasterio.c — whole-file writes (temp name + rename), GeoTIFF and JPEG writers, UTC time text. */
/* SPDX-License-Identifier: MIT */
#include "imagery/imagery.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <errno.h>
#include <gdal.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
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

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian calendar: 400-year eras of 146097 days,
 * years counted from March so that the leap day falls at the end. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : dm[m - 1];
}

int fg_time_parse(const char *s, int64_t *t_utc)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    if (!s)
        return FG_EINVAL;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return FG_EINVAL;
    const char *p = s + n;
    if (*p == 'T' || *p == ' ') {
        int m2 = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m2) != 2)
            return FG_EINVAL;
        p += 1 + m2;
        if (*p == ':') {
            if (sscanf(p + 1, "%2d%n", &sec, &m2) != 1)
                return FG_EINVAL;
            p += 1 + m2;
            if (*p == '.') /* fractional seconds are dropped */
                for (p++; *p >= '0' && *p <= '9'; p++)
                    ;
        }
    }
    int tz = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int th, tm = 0;
        if (sscanf(p + 1, "%2d:%2d", &th, &tm) < 1)
            return FG_EINVAL;
        tz = (*p == '-' ? -1 : 1) * (th * 3600 + tm * 60);
        p += strlen(p);
    }
    if (*p != '\0')
        return FG_EINVAL;
    if (y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
        mi > 59 || sec > 60 || h < 0 || mi < 0 || sec < 0)
        return FG_EINVAL;
    *t_utc = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - tz;
    return FG_OK;
}

void fg_time_format(int64_t t, char out[24])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, 24, "invalid-time");
        return;
    }
    char buf[96];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    snprintf(out, 24, "%.23s", buf);
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
    char tmp[4096];
    if (rc == FG_OK && fg_tmp_path(path, tmp, sizeof tmp) != FG_OK)
        rc = fg_ctx_set(ctx, FG_EINVAL, "%s: path too long", path);
    if (rc == FG_OK) {
        FILE *f = fopen(tmp, "wb");
        if (!f) {
            rc = fg_ctx_set(ctx, FG_EIO, "%s: cannot create: %s", path, strerror(errno));
        } else {
            size_t wr = fwrite(jpg, 1, len, f);
            int cl = fclose(f);
            if (wr != len || cl != 0) {
                rc = fg_ctx_set(ctx, FG_EIO, "%s: write failed: %s", path, strerror(errno));
                remove(tmp);
            } else {
                rc = fg_commit_tmp(tmp, path, ctx);
            }
        }
    }
    tjFree(jpg);
    tjDestroy(tj);
    return rc;
}
