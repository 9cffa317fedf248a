/* scene.c — a satellite scene through GDAL: bands by role, nodata → NaN, georeferencing, time. */
/* SPDX-License-Identifier: MIT */
#include "imagery/imagery.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct fg_scene {
    char *path;
    char sensor[48];
    int64_t time_utc;
    fg_raster mir, tir, cloud;
    int has_cloud;
    double gt[6];
    int geographic;
    double lin_units_m; /* metres per CRS unit when projected */
    OGRCoordinateTransformationH to_wgs84;
};

static int band_by_role(GDALDatasetH ds, const char *role)
{
    int nb = GDALGetRasterCount(ds);
    for (int b = 1; b <= nb; b++) {
        const char *d = GDALGetDescription(GDALGetRasterBand(ds, b));
        if (d && strcmp(d, role) == 0)
            return b;
    }
    return 0;
}

static int read_band(GDALDatasetH ds, int b, fg_pixel_type type, size_t max_pixels,
                     fg_raster *out, const char *path, const char *role, fg_ctx *ctx)
{
    int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
    int rc = fg_raster_alloc(out, w, h, 1, type, max_pixels, ctx);
    if (rc != FG_OK)
        return fg_ctx_prefix(ctx, "%s: band %s", path, role);
    GDALRasterBandH band = GDALGetRasterBand(ds, b);
    if (GDALRasterIO(band, GF_Read, 0, 0, w, h, out->data, w, h,
                     type == FG_PIX_F32 ? GDT_Float32 : GDT_Byte, 0, 0) != CE_None) {
        fg_raster_release(out);
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: band %s cannot be read: %s", path, role,
                          CPLGetLastErrorMsg());
    }
    if (type != FG_PIX_F32)
        return FG_OK;
    int has_nd = 0;
    double nd = GDALGetRasterNoDataValue(band, &has_nd);
    float *px = out->data;
    size_t n = (size_t)w * (size_t)h;
    if (has_nd && !isnan(nd)) {
        float ndf = (float)nd;
        for (size_t i = 0; i < n; i++)
            if (px[i] == ndf)
                px[i] = NAN;
    }
    for (size_t i = 0; i < n; i++)
        if (isinf(px[i]))
            px[i] = NAN;
    return FG_OK;
}

/* "YYYY:MM:DD HH:MM:SS" (TIFF DateTime) → ISO text. */
static int tiff_datetime(const char *s, int64_t *t)
{
    int y, mo, d, h, mi, se;
    if (sscanf(s, "%4d:%2d:%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se) != 6)
        return FG_EINVAL;
    char iso[32];
    snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, se);
    return fg_time_parse(iso, t);
}

int fg_scene_open(const char *path, const fg_scene_opts *opts, fg_scene **out, fg_ctx *ctx)
{
    struct stat st;
    if (!path || !out)
        return fg_ctx_set(ctx, FG_EINVAL, "scene: no path");
    if (stat(path, &st) != 0)
        return fg_ctx_set(ctx, FG_ENOTFOUND, "%s: no such file", path);
    size_t max_pixels = opts && opts->max_pixels ? opts->max_pixels : 200000000u;
    GDALAllRegister();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR, NULL,
                                  NULL, NULL);
    if (!ds) {
        const char *why = CPLGetLastErrorMsg();
        fg_ctx_set(ctx, FG_EFORMAT, "%s: GDAL cannot open it as a raster%s%s", path,
                   why && *why ? ": " : "", why ? why : "");
        CPLPopErrorHandler();
        return FG_EFORMAT;
    }
    int rc = FG_OK;
    fg_scene *s = fg_calloc(1, sizeof *s);
    if (!s) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    s->path = fg_malloc(strlen(path) + 1);
    if (!s->path) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    strcpy(s->path, path);

    int bmir = band_by_role(ds, "MIR_BT"), btir = band_by_role(ds, "TIR_BT");
    int bcld = band_by_role(ds, "CLOUD_MASK");
    if (!bmir || !btir) {
        rc = fg_ctx_set(ctx, FG_ENOTFOUND,
                        "%s: missing band role %s (bands are found by their description: "
                        "MIR_BT, TIR_BT, optional CLOUD_MASK)",
                        path, !bmir ? "MIR_BT" : "TIR_BT");
        goto done;
    }
    if (GDALGetGeoTransform(ds, s->gt) != CE_None || s->gt[1] == 0 || s->gt[5] == 0) {
        rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: no geotransform (the scene is not georeferenced)",
                        path);
        goto done;
    }
    OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
    if (!srs) {
        rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: unknown CRS (no coordinate reference system)",
                        path);
        goto done;
    }
    OGRSpatialReferenceH src = OSRClone(srs), wgs = OSRNewSpatialReference(NULL);
    OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
    OSRImportFromEPSG(wgs, 4326);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    s->geographic = OSRIsGeographic(src);
    s->lin_units_m = s->geographic ? 1.0 : OSRGetLinearUnits(src, NULL);
    s->to_wgs84 = OCTNewCoordinateTransformation(src, wgs);
    OSRDestroySpatialReference(src);
    OSRDestroySpatialReference(wgs);
    if (!s->to_wgs84) {
        rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: its CRS cannot be transformed to WGS84: %s", path,
                        CPLGetLastErrorMsg());
        goto done;
    }

    const char *t = GDALGetMetadataItem(ds, "FG_ACQ_TIME", NULL);
    const char *tt = GDALGetMetadataItem(ds, "TIFFTAG_DATETIME", NULL);
    if (t && fg_time_parse(t, &s->time_utc) != FG_OK) {
        rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: FG_ACQ_TIME '%s' is not an ISO 8601 UTC time", path,
                        t);
        goto done;
    }
    if (!t && !(tt && tiff_datetime(tt, &s->time_utc) == FG_OK)) {
        if (opts && opts->time_utc > 0) {
            s->time_utc = opts->time_utc;
        } else {
            rc = fg_ctx_set(ctx, FG_EFORMAT,
                            "%s: no acquisition time (metadata FG_ACQ_TIME or TIFFTAG_DATETIME)",
                            path);
            goto done;
        }
    }
    const char *sensor = GDALGetMetadataItem(ds, "FG_SENSOR", NULL);
    snprintf(s->sensor, sizeof s->sensor, "%s", sensor && *sensor ? sensor : "unknown");

    if ((size_t)GDALGetRasterXSize(ds) * (size_t)GDALGetRasterYSize(ds) > max_pixels) {
        rc = fg_ctx_set(ctx, FG_ELIMIT, "%s: %dx%d pixels exceed the limit of %zu", path,
                        GDALGetRasterXSize(ds), GDALGetRasterYSize(ds), max_pixels);
        goto done;
    }
    if ((rc = read_band(ds, bmir, FG_PIX_F32, max_pixels, &s->mir, path, "MIR_BT", ctx)) ||
        (rc = read_band(ds, btir, FG_PIX_F32, max_pixels, &s->tir, path, "TIR_BT", ctx)))
        goto done;
    if (bcld) {
        if ((rc = read_band(ds, bcld, FG_PIX_U8, max_pixels, &s->cloud, path, "CLOUD_MASK", ctx)))
            goto done;
        s->has_cloud = 1;
    }
done:
    GDALClose(ds);
    CPLPopErrorHandler();
    if (rc != FG_OK) {
        fg_scene_free(s);
        return rc;
    }
    *out = s;
    return FG_OK;
}

void fg_scene_free(fg_scene *s)
{
    if (!s)
        return;
    fg_raster_release(&s->mir);
    fg_raster_release(&s->tir);
    fg_raster_release(&s->cloud);
    if (s->to_wgs84)
        OCTDestroyCoordinateTransformation(s->to_wgs84);
    fg_free(s->path);
    fg_free(s);
}

const fg_raster *fg_scene_mir(const fg_scene *s) { return &s->mir; }
const fg_raster *fg_scene_tir(const fg_scene *s) { return &s->tir; }
const fg_raster *fg_scene_cloud(const fg_scene *s) { return s->has_cloud ? &s->cloud : NULL; }
int64_t fg_scene_time(const fg_scene *s) { return s->time_utc; }
const char *fg_scene_sensor(const fg_scene *s) { return s->sensor; }
const char *fg_scene_path(const fg_scene *s) { return s->path; }

void fg_scene_pixel_km(const fg_scene *s, double *scan_km, double *track_km)
{
    double sx = hypot(s->gt[1], s->gt[2]), sy = hypot(s->gt[4], s->gt[5]);
    if (s->geographic) {
        double lat = s->gt[3] + s->gt[5] * s->mir.height / 2.0;
        const double km_per_deg = 111.195;
        sx *= km_per_deg * cos(lat * M_PI / 180.0);
        sy *= km_per_deg;
    } else {
        sx *= s->lin_units_m / 1000.0;
        sy *= s->lin_units_m / 1000.0;
    }
    *scan_km = sx;
    *track_km = sy;
}

int fg_scene_to_wgs84(const fg_scene *s, double row, double col, double *lat, double *lon,
                      fg_ctx *ctx)
{
    double x = s->gt[0] + col * s->gt[1] + row * s->gt[2];
    double y = s->gt[3] + col * s->gt[4] + row * s->gt[5];
    if (!OCTTransform(s->to_wgs84, 1, &x, &y, NULL))
        return fg_ctx_set(ctx, FG_EINVAL, "%s: pixel (%.1f, %.1f) cannot be placed in WGS84",
                          s->path, row, col);
    *lon = x;
    *lat = y;
    return FG_OK;
}
