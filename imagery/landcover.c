/* landcover.c — land class at a point from a classified raster (ESA WorldCover legend), any CRS, through GDAL. */
/* SPDX-License-Identifier: MIT */
#include "imagery/imagery.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_srs_api.h>

/*
 * Reading. A raster of at most LC_WHOLE_MAX_PX pixels (a county at 30 m, or a
 * WorldCover 10 m cut of 20 km × 20 km) is read whole at open and the file closed.
 * A larger one (a whole 3°×3° WorldCover tile is 36 000² pixels) stays open and is
 * read through a cache of LC_NWIN windows of LC_WIN² pixels, replaced least
 * recently used first: the incidents of one run cluster in a county, so a few
 * windows hold nearly all lookups.
 *
 * Legend: ESA WorldCover 10 m v100/v200 (Zanaga et al. 2021, 2022, ESA WorldCover
 * product user manual, table of classes): 10 tree cover, 20 shrubland, 30 grassland,
 * 40 cropland, 50 built-up, 60 bare/sparse vegetation, 70 snow and ice, 80 permanent
 * water, 90 herbaceous wetland, 95 mangroves, 100 moss and lichen; 0 is no data.
 */
#define LC_WHOLE_MAX_PX (4u << 20)
#define LC_WIN 256
#define LC_NWIN 8

typedef struct lc_win {
    int x0, y0, w, h; /* window in pixels; w = 0: empty slot */
    uint64_t used;    /* last use, for replacement */
    int32_t px[LC_WIN * LC_WIN];
} lc_win;

typedef struct lc_cache {
    lc_win win[LC_NWIN];
    uint64_t clock;
} lc_cache;

struct fg_landcover {
    GDALDatasetH ds;      /* open only when read through the cache */
    GDALRasterBandH band;
    int width, height;
    double inv[6];        /* inverse geotransform: map → pixel */
    OGRCoordinateTransformationH ct; /* WGS84 (lon, lat) → raster CRS */
    int has_nodata;
    double nodata;
    int32_t *whole;       /* all pixels, when small */
    lc_cache *cache;      /* otherwise (mutable behind the const handle) */
};

void fg_landcover_free(fg_landcover *lc)
{
    if (!lc)
        return;
    if (lc->ct)
        OCTDestroyCoordinateTransformation(lc->ct);
    if (lc->ds)
        GDALClose(lc->ds);
    fg_free(lc->whole);
    fg_free(lc->cache);
    fg_free(lc);
}

/* Georeferencing and the transformation from WGS84. */
static int lc_georef(fg_landcover *lc, GDALDatasetH ds, const char *path, fg_ctx *ctx)
{
    double gt[6];
    if (GDALGetGeoTransform(ds, gt) != CE_None || !GDALInvGeoTransform(gt, lc->inv))
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: no usable geotransform (not georeferenced)",
                          path);
    OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
    if (!srs)
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: no CRS (land cover must be georeferenced)",
                          path);
    OGRSpatialReferenceH src = OSRNewSpatialReference(NULL), dst = OSRClone(srs);
    if (src && dst && OSRImportFromEPSG(src, 4326) == OGRERR_NONE) {
        OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
        OSRSetAxisMappingStrategy(dst, OAMS_TRADITIONAL_GIS_ORDER);
        lc->ct = OCTNewCoordinateTransformation(src, dst);
    }
    if (src)
        OSRDestroySpatialReference(src);
    if (dst)
        OSRDestroySpatialReference(dst);
    if (!lc->ct)
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: cannot transform WGS84 to the raster's CRS: %s",
                          path, CPLGetLastErrorMsg());
    return FG_OK;
}

static int lc_open_ds(fg_landcover *lc, GDALDatasetH ds, const char *path, fg_ctx *ctx)
{
    if (GDALGetRasterCount(ds) < 1)
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: no raster band", path);
    lc->band = GDALGetRasterBand(ds, 1);
    lc->width = GDALGetRasterXSize(ds);
    lc->height = GDALGetRasterYSize(ds);
    int ok = 0;
    lc->nodata = GDALGetRasterNoDataValue(lc->band, &ok);
    lc->has_nodata = ok && isfinite(lc->nodata);
    int rc = lc_georef(lc, ds, path, ctx);
    if (rc)
        return rc;
    if ((uint64_t)lc->width * (uint64_t)lc->height <= LC_WHOLE_MAX_PX) {
        size_t n = (size_t)lc->width * (size_t)lc->height;
        if (!(lc->whole = fg_malloc(n * sizeof *lc->whole)))
            return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
        if (GDALRasterIO(lc->band, GF_Read, 0, 0, lc->width, lc->height, lc->whole, lc->width,
                         lc->height, GDT_Int32, 0, 0) != CE_None)
            return fg_ctx_set(ctx, FG_EIO, "%s: cannot read the raster: %s", path,
                              CPLGetLastErrorMsg());
        return FG_OK;
    }
    if (!(lc->cache = fg_calloc(1, sizeof *lc->cache)))
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    return FG_OK;
}

int fg_landcover_open(const char *path, fg_landcover **out, fg_ctx *ctx)
{
    if (!path || !*path || !out)
        return fg_ctx_set(ctx, FG_EINVAL, "fg_landcover_open: no path");
    if (GDALGetDriverCount() == 0)
        GDALAllRegister();
    VSIStatBufL st;
    if (VSIStatL(path, &st) != 0)
        return fg_ctx_set(ctx, FG_ENOTFOUND, "%s: no such file", path);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    fg_landcover *lc = NULL;
    int rc;
    if (!ds)
        rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: not a raster GDAL can read: %s", path,
                        CPLGetLastErrorMsg());
    else if (!(lc = fg_calloc(1, sizeof *lc)))
        rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    else
        rc = lc_open_ds(lc, ds, path, ctx);
    if (rc == FG_OK && lc->cache) {
        lc->ds = ds; /* kept open for the window cache */
        ds = NULL;
    }
    if (ds)
        GDALClose(ds);
    CPLPopErrorHandler();
    if (rc) {
        fg_landcover_free(lc);
        return rc;
    }
    *out = lc;
    return FG_OK;
}

/* ESA WorldCover class → the land class an incident carries. */
static const char *lc_class_name(int32_t v)
{
    switch (v) {
    case 0:
        return ""; /* WorldCover's no data */
    case 10:
        return "forest";
    case 20:
    case 30:
        return "grass";
    case 40:
        return "cropland";
    case 50:
        return "built-up";
    case 80:
        return "water";
    default:
        return "other";
    }
}

/* Pixel (x, y) through the window cache; 0 and *ok = 0 when it cannot be read. */
static int32_t lc_cached(const fg_landcover *lc, int x, int y, int *ok)
{
    lc_cache *c = lc->cache;
    c->clock++;
    lc_win *victim = &c->win[0];
    for (int i = 0; i < LC_NWIN; i++) {
        lc_win *w = &c->win[i];
        if (w->w && x >= w->x0 && x < w->x0 + w->w && y >= w->y0 && y < w->y0 + w->h) {
            w->used = c->clock;
            *ok = 1;
            return w->px[(size_t)(y - w->y0) * (size_t)w->w + (size_t)(x - w->x0)];
        }
        if (w->used < victim->used)
            victim = w;
    }
    /* windows on a fixed lattice, so the same pixel always comes from the same window */
    int x0 = x / LC_WIN * LC_WIN, y0 = y / LC_WIN * LC_WIN;
    int ww = lc->width - x0 < LC_WIN ? lc->width - x0 : LC_WIN;
    int wh = lc->height - y0 < LC_WIN ? lc->height - y0 : LC_WIN;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErr e = GDALRasterIO(lc->band, GF_Read, x0, y0, ww, wh, victim->px, ww, wh, GDT_Int32, 0,
                            0);
    CPLPopErrorHandler();
    if (e != CE_None) {
        victim->w = 0;
        victim->used = 0;
        *ok = 0;
        return 0;
    }
    victim->x0 = x0;
    victim->y0 = y0;
    victim->w = ww;
    victim->h = wh;
    victim->used = c->clock;
    *ok = 1;
    return victim->px[(size_t)(y - y0) * (size_t)ww + (size_t)(x - x0)];
}

const char *fg_landcover_at(const fg_landcover *lc, double lat, double lon)
{
    if (!lc || !isfinite(lat) || !isfinite(lon))
        return "";
    double x = lon, y = lat;
    int ok = 0;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    ok = OCTTransform(lc->ct, 1, &x, &y, NULL);
    CPLPopErrorHandler();
    if (!ok || !isfinite(x) || !isfinite(y))
        return "";
    double px = lc->inv[0] + lc->inv[1] * x + lc->inv[2] * y;
    double py = lc->inv[3] + lc->inv[4] * x + lc->inv[5] * y;
    if (!(px >= 0 && py >= 0 && px < lc->width && py < lc->height))
        return "";
    int ix = (int)floor(px), iy = (int)floor(py);
    int32_t v;
    if (lc->whole) {
        v = lc->whole[(size_t)iy * (size_t)lc->width + (size_t)ix];
    } else {
        v = lc_cached(lc, ix, iy, &ok);
        if (!ok)
            return "";
    }
    if (lc->has_nodata && (double)v == lc->nodata)
        return "";
    return lc_class_name(v);
}
