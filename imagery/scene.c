/* scene.c — a satellite scene through GDAL: bands by role, scaling, fill → NaN, GOES ABI L1b, georeferencing, time. */
/* SPDX-License-Identifier: MIT */
#include "imagery/imagery.h"
#include "imagery/sensor_int.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SOURCES 64   /* bands considered per scene (over all subdatasets) */
#define MAX_DATASETS 20  /* GDAL datasets held open while a scene is read */

/* Physical plausibility: outside these a value is fill, never signal. Brightness
 * temperatures of the Earth's surface and clouds lie within 180–340 K; fires raise a
 * pixel's MIR brightness temperature up to the detector's saturation (VIIRS I4 367 K,
 * MODIS band 21 ~500 K), so 150–700 K only rejects decoding errors (0 K, 10 000 K).
 * TOA reflectance is 0–1 with bright clouds and sun-glint up to ~1.6 before sun-elevation
 * correction (OLI saturation in landsat8-savanna: 1.64); small negatives are noise. */
static const float ROLE_MIN[FG_ROLE_COUNT] = {150, 150, 150, -0.1f, -0.1f, -0.1f, -0.1f, -0.1f,
                                              -0.1f, -0.1f, 0, 0, 0, 0};
static const float ROLE_MAX[FG_ROLE_COUNT] = {700, 700, 700, 2, 2, 2, 2, 2, 2, 2, 255, 255, 180, 90};

static int role_is_mask(int r) { return r == FG_ROLE_CLOUD_MASK || r == FG_ROLE_WATER_MASK; }

struct fg_scene {
    char *path;
    char sensor[48];
    fg_sensor_def def;
    int64_t time_utc;
    int width, height;
    fg_raster band[FG_ROLE_COUNT]; /* F32, masks U8 0/1 */
    unsigned char has[FG_ROLE_COUNT];
    size_t nfill;
    /* georeferencing: geotransform + CRS, or geolocation arrays */
    int geoloc;
    double gt[6];
    char *wkt;
    char **geoloc_md; /* GEOLOCATION metadata with absolute dataset paths (CSL list) */
    int geographic;
    double lin_units_m;
    OGRCoordinateTransformationH to_wgs84;
    void *geoloc_tr;
    double scan_km, track_km;
};

/* One candidate band while a scene is assembled. */
typedef struct source {
    GDALDatasetH ds; /* borrowed from the open-dataset list */
    int band;        /* 1-based */
    int desc_role;   /* role named by the band description (or variable name), -1 none */
    int role;        /* role assigned, -1 none */
    int planck;      /* 1: radiance → BT with the coefficients below (GOES ABI L1b) */
    double fk1, fk2, bc1, bc2;
    char label[160]; /* for messages: file or subdataset */
} source;

typedef struct assembly {
    GDALDatasetH ds[MAX_DATASETS];
    int nds;
    source src[MAX_SOURCES];
    int nsrc;
    int goes;
    char platform[16];
} assembly;

static void assembly_close(assembly *a)
{
    for (int i = a->nds - 1; i >= 0; i--)
        GDALClose(a->ds[i]);
    a->nds = 0;
}

static const char *md_item(GDALDatasetH ds, const char *key)
{
    if (!ds)
        return NULL;
    const char *v = GDALGetMetadataItem(ds, key, NULL);
    if (v)
        return v;
    char k2[128];
    snprintf(k2, sizeof k2, "NC_GLOBAL#%s", key);
    return GDALGetMetadataItem(ds, k2, NULL);
}

/* The file behind a GDAL connection string such as NETCDF:"a.nc":Rad or HDF5:"a.h5"://x. */
static void underlying_file(const char *path, char *buf, size_t n)
{
    const char *q1 = strchr(path, '"');
    const char *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
    if (q1 && q2 && (size_t)(q2 - q1 - 1) < n) {
        memcpy(buf, q1 + 1, (size_t)(q2 - q1 - 1));
        buf[q2 - q1 - 1] = '\0';
        return;
    }
    snprintf(buf, n, "%s", path);
}

static int add_source(assembly *a, GDALDatasetH ds, int band, const char *label, int desc_role)
{
    if (a->nsrc >= MAX_SOURCES)
        return 0;
    source *s = &a->src[a->nsrc++];
    memset(s, 0, sizeof *s);
    s->ds = ds;
    s->band = band;
    s->desc_role = desc_role;
    s->role = -1;
    snprintf(s->label, sizeof s->label, "%s", label);
    return 1;
}

/* The role a band names: its description, else (netCDF/HDF) its variable name. */
static int band_desc_role(GDALDatasetH ds, int b, const char *subname)
{
    GDALRasterBandH h = GDALGetRasterBand(ds, b);
    int r = fg_band_role_from_name(GDALGetDescription(h));
    if (r >= 0)
        return r;
    const char *var = GDALGetMetadataItem(h, "NETCDF_VARNAME", NULL);
    if (var && (r = fg_band_role_from_name(var)) >= 0)
        return r;
    if (subname && GDALGetRasterCount(ds) == 1) {
        const char *c = strrchr(subname, ':');
        const char *v = c ? c + 1 : subname;
        while (*v == '/')
            v++;
        return fg_band_role_from_name(v);
    }
    return -1;
}

static int push_ds(assembly *a, GDALDatasetH ds)
{
    if (a->nds >= MAX_DATASETS) {
        GDALClose(ds);
        return 0;
    }
    a->ds[a->nds++] = ds;
    return 1;
}

/* ------------------------------------------------------------ GOES-R ABI L1b */

/* The first value of a 0-d or 1-d numeric netCDF variable (multidimensional API:
 * ABI L1b stores planck_fk1 … and band_id as variables, not attributes). */
static int mdim_first(GDALGroupH root, const char *name, double *v)
{
    GDALMDArrayH arr = GDALGroupOpenMDArray(root, name, NULL);
    if (!arr)
        return FG_ENOTFOUND;
    int rc = FG_EFORMAT;
    size_t nd = GDALMDArrayGetDimensionCount(arr);
    if (nd <= 1 && GDALMDArrayGetTotalElementsCount(arr) >= 1) {
        GUInt64 start[1] = {0};
        size_t count[1] = {1};
        GInt64 step[1] = {1};
        GPtrDiff_t stride[1] = {1};
        GDALExtendedDataTypeH dt = GDALExtendedDataTypeCreate(GDT_Float64);
        double x = NAN;
        if (GDALMDArrayRead(arr, nd ? start : NULL, nd ? count : NULL, nd ? step : NULL,
                            nd ? stride : NULL, dt, &x, &x, sizeof x) &&
            isfinite(x)) {
            *v = x;
            rc = FG_OK;
        }
        GDALExtendedDataTypeRelease(dt);
    }
    GDALMDArrayRelease(arr);
    return rc;
}

typedef struct abi_file {
    int channel;
    double fk1, fk2, bc1, bc2;
} abi_file;

/* Band number and Planck coefficients of an ABI L1b file. Coefficients fall back to
 * attributes of Rad (files rewritten by other tools). */
static int abi_read_coeffs(const char *file, abi_file *f, fg_ctx *ctx)
{
    GDALDatasetH md = GDALOpenEx(file, GDAL_OF_MULTIDIM_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!md)
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: cannot be opened as netCDF: %s", file,
                          CPLGetLastErrorMsg());
    GDALGroupH root = GDALDatasetGetRootGroup(md);
    int rc = FG_OK;
    double ch = 0;
    const char *const names[4] = {"planck_fk1", "planck_fk2", "planck_bc1", "planck_bc2"};
    double *dst[4] = {&f->fk1, &f->fk2, &f->bc1, &f->bc2};
    if (!root) {
        rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: no netCDF root group", file);
        goto done;
    }
    f->channel = mdim_first(root, "band_id", &ch) == FG_OK ? (int)ch : 0;
    for (int i = 0; i < 4; i++) {
        if (mdim_first(root, names[i], dst[i]) == FG_OK)
            continue;
        GDALMDArrayH rad = GDALGroupOpenMDArray(root, "Rad", NULL);
        GDALAttributeH at = rad ? GDALMDArrayGetAttribute(rad, names[i]) : NULL;
        if (at)
            *dst[i] = GDALAttributeReadAsDouble(at);
        if (at)
            GDALAttributeRelease(at);
        if (rad)
            GDALMDArrayRelease(rad);
        if (!at || !isfinite(*dst[i])) {
            rc = fg_ctx_set(ctx, FG_EFORMAT,
                            "%s: GOES ABI L1b file without %s (needed for radiance → brightness temperature)",
                            file, names[i]);
            goto done;
        }
    }
    if (f->fk1 <= 0 || f->fk2 <= 0 || f->bc2 == 0)
        rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: implausible Planck coefficients fk1 %g fk2 %g bc2 %g",
                        file, f->fk1, f->fk2, f->bc2);
done:
    if (root)
        GDALGroupRelease(root);
    GDALClose(md);
    return rc;
}

static int is_abi_l1b(GDALDatasetH ds)
{
    const char *t = md_item(ds, "title"), *it = md_item(ds, "instrument_type");
    return (t && strncmp(t, "ABI L1b Radiances", 17) == 0) ||
           (it && strstr(it, "Advanced Baseline Imager") && md_item(ds, "time_coverage_start"));
}

/* "_s20193351027275_" of an ABI file name: the scan start shared by sibling channels. */
static int abi_scan_token(const char *base, char *tok, size_t n)
{
    const char *s = strstr(base, "_s");
    if (!s)
        return 0;
    const char *e = strchr(s + 2, '_');
    if (!e || (size_t)(e - s + 1) >= n)
        return 0;
    memcpy(tok, s, (size_t)(e - s + 1));
    tok[e - s + 1] = '\0';
    return 1;
}

/* Channels 7 (3.9 µm, MIR), 14 (11.2 µm, TIR) and 15 (12.3 µm) from the files of the same
 * scan start as `file` in its folder. */
static int abi_collect(const char *file, assembly *a, fg_ctx *ctx)
{
    char dir[4096], tok[64];
    snprintf(dir, sizeof dir, "%s", CPLGetPath(file));
    const char *base = CPLGetFilename(file);
    char **cands = NULL;
    if (abi_scan_token(base, tok, sizeof tok)) {
        char **list = VSIReadDir(*dir ? dir : ".");
        size_t plen = (size_t)(strstr(base, "_s") - base);
        for (int i = 0; list && list[i]; i++) {
            const char *n = list[i];
            /* same product prefix up to the mode ("OR_ABI-L1b-RadM1-"), same scan start */
            const char *m = strstr(base, "-M");
            size_t pre = m ? (size_t)(m - base) : 0;
            if (strstr(n, tok) && strncmp(n, base, pre) == 0 && strlen(n) > plen &&
                strcmp(CPLGetExtension(n), "nc") == 0)
                cands = CSLAddString(cands, CPLFormFilename(*dir ? dir : NULL, n, NULL));
        }
        CSLDestroy(list);
    }
    if (!cands)
        cands = CSLAddString(cands, file);
    int rc = FG_OK;
    for (int i = 0; cands[i] && rc == FG_OK; i++) {
        abi_file f = {0};
        int r2 = abi_read_coeffs(cands[i], &f, ctx);
        if (r2 != FG_OK) {
            /* the file the caller named must be good; broken siblings of other channels
             * are skipped, their roles will be reported missing if needed */
            if (strcmp(cands[i], file) == 0)
                rc = r2;
            continue;
        }
        int role = f.channel == 7 ? FG_ROLE_MIR_BT
                 : f.channel == 14 ? FG_ROLE_TIR_BT
                 : f.channel == 15 ? FG_ROLE_TIR2_BT : -1;
        if (role < 0)
            continue;
        int taken = 0;
        for (int k = 0; k < a->nsrc; k++)
            taken |= a->src[k].role == role;
        if (taken)
            continue;
        char conn[4200];
        snprintf(conn, sizeof conn, "NETCDF:\"%s\":Rad", cands[i]);
        GDALDatasetH ds = GDALOpenEx(conn, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
        if (!ds) {
            rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: no readable Rad variable: %s", cands[i],
                            CPLGetLastErrorMsg());
            break;
        }
        if (!push_ds(a, ds) || !add_source(a, ds, 1, cands[i], -1))
            break;
        source *s = &a->src[a->nsrc - 1];
        s->role = role;
        s->planck = 1;
        s->fk1 = f.fk1;
        s->fk2 = f.fk2;
        s->bc1 = f.bc1;
        s->bc2 = f.bc2;
    }
    CSLDestroy(cands);
    return rc;
}

/* ------------------------------------------------------------- reading */

/* Reads one source into an F32 raster: stored value → (GDAL scale/offset) → Planck
 * (ABI) → profile scale/offset; fill (nodata, NaN, ±inf) and implausible values → NaN.
 * Masks become U8 0/1. Returns FG_OK or an error naming the band. */
static int read_source(fg_scene *sc, const source *s, int role, size_t max_pixels, fg_ctx *ctx)
{
    int w = sc->width, h = sc->height;
    fg_raster f = {0};
    int rc = fg_raster_alloc(&f, w, h, 1, FG_PIX_F32, max_pixels, ctx);
    if (rc != FG_OK)
        return fg_ctx_prefix(ctx, "%s: band %s", sc->path, fg_band_role_name((fg_band_role)role));
    GDALRasterBandH band = GDALGetRasterBand(s->ds, s->band);
    CPLErrorReset();
    if (GDALRasterIO(band, GF_Read, 0, 0, w, h, f.data, w, h, GDT_Float32, 0, 0) != CE_None) {
        fg_raster_release(&f);
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: band %s (%s) cannot be read (truncated or corrupt?): %s",
                          sc->path, fg_band_role_name((fg_band_role)role), s->label,
                          CPLGetLastErrorMsg());
    }
    int has_nd = 0, has_sc = 0, has_of = 0;
    double nd = GDALGetRasterNoDataValue(band, &has_nd);
    double gscale = GDALGetRasterScale(band, &has_sc), goff = GDALGetRasterOffset(band, &has_of);
    if (!has_sc || gscale == 0)
        gscale = 1;
    if (!has_of)
        goff = 0;
    double pscale = sc->def.scale[role] != 0 ? sc->def.scale[role] : 1, poff = sc->def.offset[role];
    float ndf = (float)nd;
    int use_nd = has_nd && !isnan(nd);
    float *px = f.data;
    size_t n = (size_t)w * (size_t)h, nfill = 0;
    if (role_is_mask(role)) {
        fg_raster m = {0};
        rc = fg_raster_alloc(&m, w, h, 1, FG_PIX_U8, max_pixels, ctx);
        if (rc != FG_OK) {
            fg_raster_release(&f);
            return fg_ctx_prefix(ctx, "%s: band %s", sc->path, fg_band_role_name((fg_band_role)role));
        }
        unsigned char *mp = m.data;
        for (size_t i = 0; i < n; i++) {
            float v = px[i];
            if (!isfinite(v) || (use_nd && v == ndf)) {
                mp[i] = 0;
                continue;
            }
            int iv = (int)lrintf(v);
            unsigned char yes;
            if (role == FG_ROLE_CLOUD_MASK && sc->def.ncloud_values > 0) {
                yes = 0;
                for (int k = 0; k < sc->def.ncloud_values; k++)
                    yes |= (float)iv == v && iv == sc->def.cloud_values[k];
            } else {
                yes = v != 0;
            }
            mp[i] = yes;
        }
        fg_raster_release(&f);
        sc->band[role] = m;
        sc->has[role] = 1;
        return FG_OK;
    }
    const float lo = ROLE_MIN[role], hi = ROLE_MAX[role];
    for (size_t i = 0; i < n; i++) {
        float v = px[i];
        if (!isfinite(v) || (use_nd && v == ndf)) {
            px[i] = NAN;
            nfill++;
            continue;
        }
        double x = v * gscale + goff;
        if (s->planck) {
            /* GOES-R ABI L1b PUG (NOAA 2019, vol. 3, §5.1.3.6.1): monochromatic brightness
             * temperature of radiance L with band-correction coefficients,
             * T = (fk2 / ln(fk1 / L + 1) − bc1) / bc2. */
            x = x > 0 ? (s->fk2 / log(s->fk1 / x + 1.0) - s->bc1) / s->bc2 : NAN;
        }
        x = x * pscale + poff;
        if (!(x >= lo && x <= hi)) {
            px[i] = NAN;
            nfill++;
        } else {
            px[i] = (float)x;
        }
    }
    sc->nfill += nfill;
    sc->band[role] = f;
    sc->has[role] = 1;
    return FG_OK;
}

/* "YYYY:MM:DD HH:MM:SS" (TIFF DateTime) → UTC seconds. */
static int tiff_datetime(const char *s, int64_t *t)
{
    int y, mo, d, h, mi, se;
    if (sscanf(s, "%4d:%2d:%2d %2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se) != 6)
        return FG_EINVAL;
    return fg_time_from_civil(y, mo, d, h, mi, se, t);
}

/* ----------------------------------------------------------- georeference */

static int srs_is_geos(OGRSpatialReferenceH srs)
{
    const char *p = OSRGetAttrValue(srs, "PROJECTION", 0);
    if (p && strstr(p, "Geostationary"))
        return 1;
    char *proj4 = NULL;
    int yes = 0;
    if (OSRExportToProj4(srs, &proj4) == OGRERR_NONE && proj4)
        yes = strstr(proj4, "+proj=geos") != NULL;
    CPLFree(proj4);
    return yes;
}

/* GEOLOCATION metadata with X_DATASET / Y_DATASET made absolute (relative to the
 * scene's folder) so that copies of it, e.g. in a written mask, still resolve. */
static char **geoloc_absolute(char **md, const char *scene_file)
{
    char **out = CSLDuplicate(md);
    const char *keys[2] = {"X_DATASET", "Y_DATASET"};
    for (int k = 0; k < 2; k++) {
        const char *v = CSLFetchNameValue(out, keys[k]);
        if (!v || !*v || CPLIsFilenameRelative(v) == FALSE || strchr(v, ':'))
            continue;
        VSIStatBufL st;
        const char *abs = CPLFormFilename(CPLGetPath(scene_file), v, NULL);
        if (VSIStatL(abs, &st) == 0) {
            char *copy = CPLStrdup(abs);
            out = CSLSetNameValue(out, keys[k], copy);
            CPLFree(copy);
        }
    }
    return out;
}

/* CF netCDF grids on latitude/longitude coordinate variables without a grid_mapping:
 * CF leaves the datum unspecified; GDAL 3.6 then reports no CRS. Such grids are read as
 * WGS84 (the difference to any modern datum is far below a satellite pixel). */
static int cf_latlon_grid(GDALDatasetH ds)
{
    int north = 0, east = 0;
    for (char **md = GDALGetMetadata(ds, NULL); md && *md; md++) {
        const char *eq = strchr(*md, '=');
        if (!eq || (size_t)(eq - *md) < 6 || strncmp(eq - 6, "#units", 6) != 0)
            continue;
        north |= strncmp(eq + 1, "degrees_north", 13) == 0 || strncmp(eq + 1, "degree_north", 12) == 0;
        east |= strncmp(eq + 1, "degrees_east", 12) == 0 || strncmp(eq + 1, "degree_east", 11) == 0;
    }
    return north && east;
}

static int georef(fg_scene *sc, GDALDatasetH ds, const char *scene_file, fg_ctx *ctx)
{
    double gt[6];
    int has_gt = GDALGetGeoTransform(ds, gt) == CE_None && gt[1] != 0 && gt[5] != 0 &&
                 !(gt[0] == 0 && gt[1] == 1 && gt[2] == 0 && gt[3] == 0 && gt[4] == 0 && gt[5] == 1);
    OGRSpatialReferenceH srs = GDALGetSpatialRef(ds), wgs84_cf = NULL;
    if (has_gt && !srs && cf_latlon_grid(ds)) {
        wgs84_cf = OSRNewSpatialReference(NULL);
        OSRImportFromEPSG(wgs84_cf, 4326);
        srs = wgs84_cf;
    }
    char **gl = GDALGetMetadata(ds, "GEOLOCATION");
    if (has_gt && srs) {
        memcpy(sc->gt, gt, sizeof gt);
        OGRSpatialReferenceH src = OSRClone(srs), wgs = OSRNewSpatialReference(NULL);
        if (wgs84_cf)
            OSRDestroySpatialReference(wgs84_cf);
        OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
        OSRImportFromEPSG(wgs, 4326);
        OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
        sc->geographic = OSRIsGeographic(src);
        sc->lin_units_m = sc->geographic ? 1.0 : OSRGetLinearUnits(src, NULL);
        int geos = srs_is_geos(src);
        char *wkt = NULL;
        OSRExportToWkt(src, &wkt);
        if (wkt) {
            sc->wkt = fg_malloc(strlen(wkt) + 1);
            if (sc->wkt)
                strcpy(sc->wkt, wkt);
            CPLFree(wkt);
        }
        CPLErrorReset();
        sc->to_wgs84 = OCTNewCoordinateTransformation(src, wgs);
        OSRDestroySpatialReference(src);
        OSRDestroySpatialReference(wgs);
        if (!sc->wkt)
            return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", sc->path);
        if (!sc->to_wgs84)
            return fg_ctx_set(ctx, FG_EFORMAT, "%s: unknown CRS (it cannot be transformed to WGS84: %s)",
                              sc->path, CPLGetLastErrorMsg());
        double sx = hypot(gt[1], gt[2]), sy = hypot(gt[4], gt[5]);
        if (sc->geographic) {
            double lat = gt[3] + gt[5] * sc->height / 2.0;
            const double km_per_deg = 111.195; /* 6371.0088 km · π/180 */
            sc->scan_km = sx * km_per_deg * cos(lat * M_PI / 180.0);
            sc->track_km = sy * km_per_deg;
        } else {
            sc->scan_km = sx * sc->lin_units_m / 1000.0;
            sc->track_km = sy * sc->lin_units_m / 1000.0;
        }
        sc->geoloc = geos ? 2 : 0; /* 2: ground pixel size from neighbouring positions */
        return FG_OK;
    }
    if (gl && CSLFetchNameValue(gl, "X_DATASET") && CSLFetchNameValue(gl, "Y_DATASET")) {
        char **opts = NULL;
        opts = CSLSetNameValue(opts, "SRC_METHOD", "GEOLOC_ARRAY");
        opts = CSLSetNameValue(opts, "DST_SRS", "EPSG:4326");
        CPLErrorReset();
        sc->geoloc_tr = GDALCreateGenImgProjTransformer2(ds, NULL, opts);
        CSLDestroy(opts);
        if (!sc->geoloc_tr)
            return fg_ctx_set(ctx, FG_EFORMAT, "%s: its geolocation arrays cannot be used: %s",
                              sc->path, CPLGetLastErrorMsg());
        sc->geoloc_md = geoloc_absolute(gl, scene_file);
        sc->geoloc = 1;
        sc->geographic = 1;
        return FG_OK;
    }
    if (has_gt)
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: unknown CRS (a geotransform but no coordinate reference system)",
                          sc->path);
    return fg_ctx_set(ctx, FG_EFORMAT,
                      "%s: no georeferencing (neither a geotransform with a CRS nor geolocation arrays)",
                      sc->path);
}

/* Ground pixel size from the positions of neighbouring pixel centres near the scene
 * centre (geolocation arrays, geostationary grids). Searches outward when the centre
 * has no position (off the Earth's disc). */
static void pixel_km_from_positions(fg_scene *sc)
{
    for (int step = 0; step < 8; step++) {
        double fr = 0.5 + (step % 2 ? 1 : -1) * 0.06 * step, fc = fr;
        double r = floor(sc->height * fr), c = floor(sc->width * fc);
        if (r < 0 || c < 0 || r + 1 >= sc->height || c + 1 >= sc->width) {
            if (sc->width < 2 || sc->height < 2)
                break;
            r = c = 0;
        }
        double la0, lo0, la1, lo1, la2, lo2;
        if (fg_scene_to_wgs84(sc, r + 0.5, c + 0.5, &la0, &lo0, NULL) == FG_OK &&
            fg_scene_to_wgs84(sc, r + 0.5, c + 1.5, &la1, &lo1, NULL) == FG_OK &&
            fg_scene_to_wgs84(sc, r + 1.5, c + 0.5, &la2, &lo2, NULL) == FG_OK) {
            sc->scan_km = fg_geo_distance(la0, lo0, la1, lo1) / 1000.0;
            sc->track_km = fg_geo_distance(la0, lo0, la2, lo2) / 1000.0;
            return;
        }
    }
}

/* ---------------------------------------------------------------- open */

static int assemble(const char *path, GDALDatasetH top, assembly *a, GDALDatasetH *main_ds,
                    fg_ctx *ctx)
{
    char file[4096];
    underlying_file(path, file, sizeof file);
    if (is_abi_l1b(top)) {
        a->goes = 1;
        const char *pid = md_item(top, "platform_ID");
        snprintf(a->platform, sizeof a->platform, "%s", pid ? pid : "");
        int rc = abi_collect(file, a, ctx);
        if (rc != FG_OK)
            return rc;
        *main_ds = NULL;
        for (int k = 0; k < a->nsrc; k++)
            if (a->src[k].role == FG_ROLE_MIR_BT || !*main_ds)
                *main_ds = a->src[k].ds;
        if (!*main_ds)
            return fg_ctx_set(ctx, FG_ENOTFOUND,
                              "%s: GOES ABI L1b file, but no channel 7, 14 or 15 file of its scan start found beside it",
                              path);
        return FG_OK;
    }
    char **sub = GDALGetMetadata(top, "SUBDATASETS");
    if (GDALGetRasterCount(top) == 0 && sub) {
        /* netCDF / HDF: the raster content lives in subdatasets, one variable each */
        for (int i = 1; i < 200 && a->nsrc < MAX_SOURCES; i++) {
            char key[64];
            snprintf(key, sizeof key, "SUBDATASET_%d_NAME", i);
            const char *name = CSLFetchNameValue(sub, key);
            if (!name)
                break;
            GDALDatasetH ds = GDALOpenEx(name, GDAL_OF_RASTER | GDAL_OF_READONLY, NULL, NULL, NULL);
            if (!ds)
                continue;
            if (!push_ds(a, ds))
                break;
            for (int b = 1; b <= GDALGetRasterCount(ds); b++)
                add_source(a, ds, b, name, band_desc_role(ds, b, name));
        }
        *main_ds = NULL;
        for (int k = 0; k < a->nsrc; k++)
            if (a->src[k].desc_role >= 0 && !*main_ds)
                *main_ds = a->src[k].ds;
        if (!*main_ds && a->nsrc)
            *main_ds = a->src[0].ds;
        if (!*main_ds)
            return fg_ctx_set(ctx, FG_EFORMAT, "%s: none of its subdatasets can be read as a raster", path);
        return FG_OK;
    }
    for (int b = 1; b <= GDALGetRasterCount(top) && b <= MAX_SOURCES; b++)
        add_source(a, top, b, path, band_desc_role(top, b, NULL));
    *main_ds = top;
    return FG_OK;
}

/* Roles: band descriptions first, then the profile's band map for bands without one. */
static void assign_roles(assembly *a, const fg_sensor_def *def)
{
    for (int k = 0; k < a->nsrc; k++) {
        int r = a->src[k].desc_role;
        if (r < 0 || a->src[k].role >= 0)
            continue;
        int taken = 0;
        for (int q = 0; q < a->nsrc; q++)
            taken |= a->src[q].role == r;
        if (!taken)
            a->src[k].role = r;
    }
    for (int r = 0; r < FG_ROLE_COUNT; r++) {
        int b = def->band_of_role[r];
        if (b < 1 || b > a->nsrc)
            continue;
        int taken = 0;
        for (int q = 0; q < a->nsrc; q++)
            taken |= a->src[q].role == r;
        source *s = &a->src[b - 1];
        if (!taken && s->role < 0 && s->desc_role < 0)
            s->role = r;
    }
}

static int find_role(const assembly *a, int r)
{
    for (int k = 0; k < a->nsrc; k++)
        if (a->src[k].role == r)
            return k;
    return -1;
}

int fg_scene_open(const char *path, const fg_scene_opts *opts, fg_scene **out, fg_ctx *ctx)
{
    if (!path || !out)
        return fg_ctx_set(ctx, FG_EINVAL, "scene: no path");
    char file[4096];
    underlying_file(path, file, sizeof file);
    VSIStatBufL st;
    if (VSIStatL(file, &st) != 0)
        return fg_ctx_set(ctx, FG_ENOTFOUND, "%s: no such file", path);
    size_t max_pixels = opts && opts->max_pixels ? opts->max_pixels : 200000000u;
    GDALAllRegister();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    GDALDatasetH top = GDALOpenEx(path, GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                                  NULL, NULL, NULL);
    if (!top) {
        const char *why = CPLGetLastErrorMsg();
        fg_ctx_set(ctx, FG_EFORMAT, "%s: GDAL cannot open it as a raster%s%s", path,
                   why && *why ? ": " : "", why ? why : "");
        CPLPopErrorHandler();
        return FG_EFORMAT;
    }
    assembly *a = fg_calloc(1, sizeof *a);
    fg_scene *s = fg_calloc(1, sizeof *s);
    GDALDatasetH main_ds = NULL;
    int rc = FG_OK;
    if (!a || !s || !(s->path = fg_malloc(strlen(path) + 1))) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    strcpy(s->path, path);
    if ((rc = assemble(path, top, a, &main_ds, ctx)) != FG_OK)
        goto done;
    s->width = GDALGetRasterXSize(main_ds);
    s->height = GDALGetRasterYSize(main_ds);

    /* profile: --sensor, else FG_SENSOR metadata, else GOES ABI, else by pixel size below */
    int have_def = 0;
    const char *fgs = md_item(top, "FG_SENSOR");
    if (!fgs && main_ds != top)
        fgs = md_item(main_ds, "FG_SENSOR");
    if (opts && opts->sensor && *opts->sensor) {
        if ((rc = fg_sensor_find(opts->sensor, &s->def, ctx)) != FG_OK) {
            fg_ctx_prefix(ctx, "%s", path);
            goto done;
        }
        have_def = 1;
    } else if (fgs && fg_sensor_find(fgs, &s->def, NULL) == FG_OK) {
        have_def = 1;
    } else if (a->goes && fg_sensor_find("ABI", &s->def, NULL) == FG_OK) {
        have_def = 1;
    }
    if (a->goes && a->platform[0] == 'G')
        snprintf(s->sensor, sizeof s->sensor, "GOES-%s", a->platform + 1);
    else if (fgs && *fgs)
        snprintf(s->sensor, sizeof s->sensor, "%s", fgs);

    if ((size_t)s->width * (size_t)s->height > max_pixels) {
        rc = fg_ctx_set(ctx, FG_ELIMIT, "%s: %dx%d pixels exceed the limit of %zu", path, s->width,
                        s->height, max_pixels);
        goto done;
    }
    if ((rc = georef(s, main_ds, file, ctx)) != FG_OK)
        goto done;
    if (s->geoloc)
        pixel_km_from_positions(s);
    if (!have_def)
        fg_sensor_generic(sqrt(s->scan_km * s->track_km), &s->def);
    if (!s->sensor[0])
        snprintf(s->sensor, sizeof s->sensor, "%s", s->def.name);
    assign_roles(a, &s->def);

    /* required roles: thermal (MIR + TIR) or SWIR (NIR + SWIR1 + SWIR2) */
    int thermal_ok = find_role(a, FG_ROLE_MIR_BT) >= 0 && find_role(a, FG_ROLE_TIR_BT) >= 0;
    int swir_ok = find_role(a, FG_ROLE_NIR_REF) >= 0 && find_role(a, FG_ROLE_SWIR1_REF) >= 0 &&
                  find_role(a, FG_ROLE_SWIR2_REF) >= 0;
    if (!(s->def.swir ? swir_ok : thermal_ok || swir_ok)) {
        static const int thermal_roles[] = {FG_ROLE_MIR_BT, FG_ROLE_TIR_BT};
        static const int swir_roles[] = {FG_ROLE_NIR_REF, FG_ROLE_SWIR1_REF, FG_ROLE_SWIR2_REF};
        const int *need = s->def.swir ? swir_roles : thermal_roles;
        int nneed = s->def.swir ? 3 : 2, miss = need[0];
        for (int k = nneed - 1; k >= 0; k--)
            if (find_role(a, need[k]) < 0)
                miss = need[k];
        rc = fg_ctx_set(ctx, FG_ENOTFOUND,
                        "%s: missing band role %s (roles come from band descriptions such as MIR_BT, "
                        "TIR_BT, SWIR2_REF, or from the band map of sensor profile %s)",
                        path, fg_band_role_name((fg_band_role)miss), s->def.name);
        goto done;
    }
    /* one size for all bands with a role */
    int first = -1;
    for (int k = 0; k < a->nsrc; k++) {
        if (a->src[k].role < 0)
            continue;
        int w = GDALGetRasterXSize(a->src[k].ds), h = GDALGetRasterYSize(a->src[k].ds);
        if (first < 0) {
            first = k;
            s->width = w;
            s->height = h;
            continue;
        }
        if (w != s->width || h != s->height) {
            const source *f = &a->src[first], *g = &a->src[k];
            rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: bands of different sizes: %s (%s) is %dx%d but %s (%s) is %dx%d",
                            path, fg_band_role_name((fg_band_role)f->role), f->label, s->width,
                            s->height, fg_band_role_name((fg_band_role)g->role), g->label, w, h);
            goto done;
        }
    }
    /* acquisition time */
    const char *t = md_item(top, "FG_ACQ_TIME");
    const char *tc = md_item(top, "time_coverage_start");
    const char *tt = md_item(top, "TIFFTAG_DATETIME");
    if (!t && main_ds != top)
        t = md_item(main_ds, "FG_ACQ_TIME");
    if (!tc && main_ds != top)
        tc = md_item(main_ds, "time_coverage_start");
    if (t) {
        if (fg_time_parse(t, &s->time_utc) != FG_OK) {
            rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: FG_ACQ_TIME '%s' is not an ISO 8601 UTC time",
                            path, t);
            goto done;
        }
    } else if (tc && fg_time_parse(tc, &s->time_utc) == FG_OK) {
    } else if (tt && tiff_datetime(tt, &s->time_utc) == FG_OK) {
    } else if (opts && opts->time_utc > 0) {
        s->time_utc = opts->time_utc;
    } else {
        rc = fg_ctx_set(ctx, FG_EFORMAT,
                        "%s: no acquisition time (metadata FG_ACQ_TIME, time_coverage_start or "
                        "TIFFTAG_DATETIME, or --time)",
                        path);
        goto done;
    }
    for (int k = 0; k < a->nsrc; k++)
        if (a->src[k].role >= 0 && !s->has[a->src[k].role] &&
            (rc = read_source(s, &a->src[k], a->src[k].role, max_pixels, ctx)) != FG_OK)
            goto done;
done:
    if (a)
        assembly_close(a);
    fg_free(a);
    GDALClose(top);
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
    for (int r = 0; r < FG_ROLE_COUNT; r++)
        fg_raster_release(&s->band[r]);
    if (s->to_wgs84)
        OCTDestroyCoordinateTransformation(s->to_wgs84);
    if (s->geoloc_tr)
        GDALDestroyGenImgProjTransformer(s->geoloc_tr);
    CSLDestroy(s->geoloc_md);
    fg_free(s->wkt);
    fg_free(s->path);
    fg_free(s);
}

const fg_raster *fg_scene_band(const fg_scene *s, fg_band_role role)
{
    if (!s || (int)role < 0 || role >= FG_ROLE_COUNT || !s->has[role])
        return NULL;
    return &s->band[role];
}
const fg_raster *fg_scene_mir(const fg_scene *s) { return fg_scene_band(s, FG_ROLE_MIR_BT); }
const fg_raster *fg_scene_tir(const fg_scene *s) { return fg_scene_band(s, FG_ROLE_TIR_BT); }
const fg_raster *fg_scene_cloud(const fg_scene *s) { return fg_scene_band(s, FG_ROLE_CLOUD_MASK); }
int64_t fg_scene_time(const fg_scene *s) { return s->time_utc; }
const char *fg_scene_sensor(const fg_scene *s) { return s->sensor; }
const fg_sensor_def *fg_scene_sensor_def(const fg_scene *s) { return &s->def; }
const char *fg_scene_path(const fg_scene *s) { return s->path; }
size_t fg_scene_fill_count(const fg_scene *s) { return s->nfill; }

void fg_scene_pixel_km(const fg_scene *s, double *scan_km, double *track_km)
{
    *scan_km = s->scan_km;
    *track_km = s->track_km;
}

int fg_scene_to_wgs84(const fg_scene *s, double row, double col, double *lat, double *lon,
                      fg_ctx *ctx)
{
    double x, y, z = 0;
    int ok = 0;
    if (s->geoloc == 1) {
        if (row < 0 || col < 0 || row > s->height || col > s->width)
            return fg_ctx_set(ctx, FG_EINVAL, "%s: pixel (%.1f, %.1f) is outside the geolocation arrays",
                              s->path, row, col);
        x = col;
        y = row;
        CPLPushErrorHandler(CPLQuietErrorHandler);
        ok = GDALGenImgProjTransform(s->geoloc_tr, FALSE, 1, &x, &y, &z, &ok) && ok;
        CPLPopErrorHandler();
    } else {
        x = s->gt[0] + col * s->gt[1] + row * s->gt[2];
        y = s->gt[3] + col * s->gt[4] + row * s->gt[5];
        CPLPushErrorHandler(CPLQuietErrorHandler);
        ok = OCTTransform(s->to_wgs84, 1, &x, &y, NULL);
        CPLPopErrorHandler();
    }
    if (!ok || !isfinite(x) || !isfinite(y) || fabs(y) > 90.0)
        return fg_ctx_set(ctx, FG_EINVAL,
                          "%s: pixel (%.1f, %.1f) has no position (off the Earth's disc or outside the arrays)",
                          s->path, row, col);
    *lon = x;
    *lat = y;
    return FG_OK;
}

/* ------------------------------------------------------------- detector inputs */

int fg_scene_thermal_input(const fg_scene *s, fg_thermal_input *in, fg_thermal_params *p,
                           fg_ctx *ctx)
{
    if (!s || !in || !p)
        return fg_ctx_set(ctx, FG_EINVAL, "scene thermal input: NULL argument");
    if (!s->has[FG_ROLE_MIR_BT] || !s->has[FG_ROLE_TIR_BT])
        return fg_ctx_set(ctx, FG_ENOTFOUND, "%s: no %s band for the thermal detector", s->path,
                          s->has[FG_ROLE_MIR_BT] ? "TIR_BT" : "MIR_BT");
    fg_sensor_profile prof = s->def.thermal_profile ? s->def.thermal_profile : FG_PROFILE_MODIS_1KM;
    fg_thermal_params q;
    int rc = fg_thermal_params_default(&q, prof);
    if (rc != FG_OK)
        return fg_ctx_set(ctx, rc, "%s: profile %s has no thermal constants", s->path, s->def.name);
    if (s->def.mir_um > 0)
        q.mir_um = s->def.mir_um;
    if (s->def.tir_um > 0)
        q.tir_um = s->def.tir_um;
    if (s->def.wooster_a > 0)
        q.wooster_a = s->def.wooster_a;
    if (s->def.saturation[FG_ROLE_MIR_BT] > 0)
        q.t4_saturation = s->def.saturation[FG_ROLE_MIR_BT];
    /* the area of this scene's pixels, not the sensor's nominal one */
    if (s->scan_km > 0 && s->track_km > 0)
        q.pixel_km2 = s->scan_km * s->track_km;
    else if (s->def.pixel_km2 > 0)
        q.pixel_km2 = s->def.pixel_km2;
    fg_thermal_input v;
    memset(&v, 0, sizeof v);
    v.mir = fg_scene_band(s, FG_ROLE_MIR_BT);
    v.tir = fg_scene_band(s, FG_ROLE_TIR_BT);
    v.tir2 = fg_scene_band(s, FG_ROLE_TIR2_BT);
    v.cloud = fg_scene_band(s, FG_ROLE_CLOUD_MASK);
    v.water = fg_scene_band(s, FG_ROLE_WATER_MASK);
    v.red = fg_scene_band(s, FG_ROLE_RED_REF);
    v.nir = fg_scene_band(s, FG_ROLE_NIR_REF);
    v.swir1 = fg_scene_band(s, FG_ROLE_SWIR1_REF);
    v.solar_zenith = fg_scene_band(s, FG_ROLE_SOLAR_ZENITH);
    v.view_zenith = fg_scene_band(s, FG_ROLE_VIEW_ZENITH);
    if (v.solar_zenith) {
        v.is_day = -1;
    } else {
        /* day/night from the solar zenith at the scene centre (MOD14: day if SZA < 85°) */
        double lat, lon;
        if (fg_scene_to_wgs84(s, s->height / 2.0, s->width / 2.0, &lat, &lon, NULL) != FG_OK) {
            int found = 0;
            for (int r = 0; r < 16 && !found; r++)
                for (int c = 0; c < 16 && !found; c++)
                    found = fg_scene_to_wgs84(s, (r + 0.5) * s->height / 16.0,
                                              (c + 0.5) * s->width / 16.0, &lat, &lon, NULL) == FG_OK;
            if (!found)
                return fg_ctx_set(ctx, FG_EFORMAT, "%s: no pixel has a position on the Earth", s->path);
        }
        v.is_day = fg_solar_zenith(s->time_utc, lat, lon) < q.day_max_sza;
    }
    *in = v;
    *p = q;
    return FG_OK;
}

int fg_scene_swir_input(const fg_scene *s, fg_swir_input *in, fg_ctx *ctx)
{
    if (!s || !in)
        return fg_ctx_set(ctx, FG_EINVAL, "scene SWIR input: NULL argument");
    static const int need[3] = {FG_ROLE_NIR_REF, FG_ROLE_SWIR1_REF, FG_ROLE_SWIR2_REF};
    for (int k = 0; k < 3; k++)
        if (!s->has[need[k]])
            return fg_ctx_set(ctx, FG_ENOTFOUND, "%s: no %s band for the SWIR detector", s->path,
                              fg_band_role_name((fg_band_role)need[k]));
    fg_swir_input v;
    memset(&v, 0, sizeof v);
    v.coastal = fg_scene_band(s, FG_ROLE_COASTAL_REF);
    v.blue = fg_scene_band(s, FG_ROLE_BLUE_REF);
    v.green = fg_scene_band(s, FG_ROLE_GREEN_REF);
    v.red = fg_scene_band(s, FG_ROLE_RED_REF);
    v.nir = fg_scene_band(s, FG_ROLE_NIR_REF);
    v.swir1 = fg_scene_band(s, FG_ROLE_SWIR1_REF);
    v.swir2 = fg_scene_band(s, FG_ROLE_SWIR2_REF);
    float s1 = s->def.saturation[FG_ROLE_SWIR1_REF], s2 = s->def.saturation[FG_ROLE_SWIR2_REF];
    v.saturation = s1 > s2 ? s1 : s2;
    *in = v;
    return FG_OK;
}

int fg_scene_is_swir(const fg_scene *s)
{
    int thermal = s->has[FG_ROLE_MIR_BT] && s->has[FG_ROLE_TIR_BT];
    int swir = s->has[FG_ROLE_NIR_REF] && s->has[FG_ROLE_SWIR1_REF] && s->has[FG_ROLE_SWIR2_REF];
    return swir && (s->def.swir || !thermal);
}

/* ---------------------------------------------------------------- mask out */

int fg_scene_write_mask(const fg_scene *s, const unsigned char *mask, const char *path,
                        fg_ctx *ctx)
{
    if (!s || !mask || !path)
        return fg_ctx_set(ctx, FG_EINVAL, "scene mask: NULL argument");
    char tmp[4096];
    if (fg_tmp_path(path, tmp, sizeof tmp) != FG_OK)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: path too long", path);
    GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    if (!drv)
        return fg_ctx_set(ctx, FG_EIO, "%s: GDAL has no GTiff driver", path);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    char **co = NULL;
    co = CSLSetNameValue(co, "COMPRESS", "DEFLATE");
    co = CSLSetNameValue(co, "TILED", "YES");
    GDALDatasetH ds = GDALCreate(drv, tmp, s->width, s->height, 1, GDT_Byte, co);
    CSLDestroy(co);
    int rc = FG_OK;
    if (!ds) {
        rc = fg_ctx_set(ctx, FG_EIO, "%s: cannot create: %s", path, CPLGetLastErrorMsg());
        CPLPopErrorHandler();
        return rc;
    }
    if (s->geoloc == 1) {
        GDALSetMetadata(ds, s->geoloc_md, "GEOLOCATION");
    } else {
        GDALSetGeoTransform(ds, (double *)s->gt);
        GDALSetProjection(ds, s->wkt);
    }
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    GDALSetDescription(b, "FIRE_MASK");
    GDALSetMetadataItem(ds, "FG_SOURCE_SCENE", s->path, NULL);
    if (GDALRasterIO(b, GF_Write, 0, 0, s->width, s->height, (void *)mask, s->width, s->height,
                     GDT_Byte, 0, 0) != CE_None)
        rc = fg_ctx_set(ctx, FG_EIO, "%s: write failed: %s", path, CPLGetLastErrorMsg());
    CPLErrorReset();
    GDALClose(ds);
    if (rc == FG_OK && CPLGetLastErrorType() >= CE_Failure)
        rc = fg_ctx_set(ctx, FG_EIO, "%s: write failed: %s", path, CPLGetLastErrorMsg());
    CPLPopErrorHandler();
    if (rc != FG_OK) {
        VSIUnlink(tmp);
        return rc;
    }
    return fg_commit_tmp(tmp, path, ctx);
}
