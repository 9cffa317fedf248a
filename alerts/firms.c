/* firms.c — satellite fire pixels as FIRMS-style rows: one scene → detector → rows; CSV/GeoJSON through OGR. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#define FM_PATH_MAX 4096
#define FM_CELL 600

/* ------------------------------------------------------------------ rows */

void fg_firms_list_free(fg_firms_list *l)
{
    if (!l)
        return;
    fg_free(l->rows);
    l->rows = NULL;
    l->n = l->cap = 0;
}

/* Columns: the order of FG_FIRMS_HEADER. The GeoJSON types are the CSV's meaning. */
enum {
    F_LAT, F_LON, F_ROW, F_COL, F_MIR, F_TIR, F_SCAN, F_TRACK, F_DATE, F_TIME, F_SAT, F_CONF,
    F_CONF_CLASS, F_FRP, F_DAYNIGHT, F_FIRE_ID, F_FRP_C5, F_NPIX, F_MASK, F_TESTS, F_SCENE,
    F_NCOL
};
static const struct {
    const char *name;
    OGRFieldType type;
    int decimals; /* OFTReal: digits after the point */
} fm_cols[F_NCOL] = {
    {"latitude", OFTReal, 5},     {"longitude", OFTReal, 5},   {"row", OFTInteger, 0},
    {"col", OFTInteger, 0},       {"bright_mir", OFTReal, 2},  {"bright_tir", OFTReal, 2},
    {"scan", OFTReal, 2},         {"track", OFTReal, 2},       {"acq_date", OFTString, 0},
    {"acq_time", OFTString, 0},   {"satellite", OFTString, 0}, {"confidence", OFTInteger, 0},
    {"confidence_class", OFTString, 0}, {"frp", OFTReal, 1},   {"daynight", OFTString, 0},
    {"fire_id", OFTInteger, 0},   {"frp_c5", OFTReal, 1},      {"npix_fire", OFTInteger, 0},
    {"mask_class", OFTInteger, 0}, {"tests", OFTInteger64, 0}, {"scene", OFTString, 0},
};

typedef struct fm_cells {
    char c[F_NCOL][FM_CELL];
} fm_cells;

/* "%.*f" of v, "" when v is not finite; "-0.00" becomes "0.00" so that a value that
 * rounds to zero has one spelling. */
static void fm_num(char *out, double v, int decimals)
{
    if (!isfinite(v)) {
        out[0] = '\0';
        return;
    }
    snprintf(out, FM_CELL, "%.*f", decimals, v);
    if (out[0] == '-' && strspn(out + 1, "0.") == strlen(out + 1))
        memmove(out, out + 1, strlen(out));
}

/* Text of every cell of one row. The CSV writes these; GeoJSON parses the numbers back,
 * so both carry the same rounded values. */
static void fm_fill(const fg_firms_row *r, fm_cells *c)
{
    fm_num(c->c[F_LAT], r->lat, 5);
    fm_num(c->c[F_LON], r->lon, 5);
    snprintf(c->c[F_ROW], FM_CELL, "%d", r->row);
    snprintf(c->c[F_COL], FM_CELL, "%d", r->col);
    fm_num(c->c[F_MIR], r->bright_mir_k, 2);
    fm_num(c->c[F_TIR], r->bright_tir_k, 2);
    fm_num(c->c[F_SCAN], r->scan_km, 2);
    fm_num(c->c[F_TRACK], r->track_km, 2);
    c->c[F_DATE][0] = c->c[F_TIME][0] = '\0';
    if (r->time_utc != 0) {
        time_t tt = (time_t)r->time_utc;
        struct tm tm;
        if (gmtime_r(&tt, &tm)) {
            snprintf(c->c[F_DATE], FM_CELL, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday);
            snprintf(c->c[F_TIME], FM_CELL, "%02d%02d", tm.tm_hour, tm.tm_min);
        }
    }
    snprintf(c->c[F_SAT], FM_CELL, "%s", r->satellite);
    snprintf(c->c[F_CONF], FM_CELL, "%d", r->confidence);
    snprintf(c->c[F_CONF_CLASS], FM_CELL, "%s",
             fg_conf_class_name(fg_conf_class_of(r->confidence)));
    fm_num(c->c[F_FRP], r->frp_mw, 1);
    snprintf(c->c[F_DAYNIGHT], FM_CELL, "%s", r->is_day ? "D" : "N");
    snprintf(c->c[F_FIRE_ID], FM_CELL, "%d", r->fire_id);
    fm_num(c->c[F_FRP_C5], r->frp_c5_mw, 1);
    snprintf(c->c[F_NPIX], FM_CELL, "%d", r->npix_fire);
    snprintf(c->c[F_MASK], FM_CELL, "%u", (unsigned)r->mask_class);
    snprintf(c->c[F_TESTS], FM_CELL, "%u", r->tests);
    snprintf(c->c[F_SCENE], FM_CELL, "%s", r->scene);
}

/* ---------------------------------------------------------------- format */

int fg_firms_format(const char *name, const char *path, char *out, size_t outsize, fg_ctx *ctx)
{
    const char *fmt = NULL;
    if (name) {
        if (strcasecmp(name, "CSV") == 0)
            fmt = "CSV";
        else if (strcasecmp(name, "GeoJSON") == 0)
            fmt = "GeoJSON";
        else
            return fg_ctx_set(ctx, FG_EINVAL, "unknown output format '%s' (known: CSV, GeoJSON)",
                              name);
    } else {
        const char *dot = path ? strrchr(path, '.') : NULL;
        const char *slash = path ? strrchr(path, '/') : NULL;
        if (dot && (!slash || dot > slash) &&
            (strcasecmp(dot, ".geojson") == 0 || strcasecmp(dot, ".json") == 0))
            fmt = "GeoJSON";
        else
            fmt = "CSV";
    }
    if (!out || snprintf(out, outsize, "%s", fmt) >= (int)outsize)
        return fg_ctx_set(ctx, FG_EINVAL, "format name buffer too small");
    return FG_OK;
}

/* ---------------------------------------------------------------- writer */

static int fm_layer(GDALDatasetH ds, const char *fmt, const char *path, OGRLayerH *out,
                    fg_ctx *ctx)
{
    char **lco = NULL;
    OGRSpatialReferenceH srs = NULL;
    int geojson = strcmp(fmt, "GeoJSON") == 0;
    if (geojson) {
        srs = OSRNewSpatialReference(NULL);
        if (!srs || OSRImportFromEPSG(srs, 4326) != OGRERR_NONE) {
            if (srs)
                OSRDestroySpatialReference(srs);
            return fg_ctx_set(ctx, FG_EFORMAT, "%s: cannot build EPSG:4326", path);
        }
        OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
        lco = CSLSetNameValue(lco, "RFC7946", "YES");
        lco = CSLSetNameValue(lco, "COORDINATE_PRECISION", "5");
    } else {
        /* Plain CSV for tools (FIRMS readers, pandas, awk): no BOM, LF, quotes only
         * where a value holds a comma, quote or line break. */
        lco = CSLSetNameValue(lco, "WRITE_BOM", "NO");
        lco = CSLSetNameValue(lco, "LINEFORMAT", "LF");
        lco = CSLSetNameValue(lco, "STRING_QUOTING", "IF_NEEDED");
    }
    OGRLayerH lyr =
        GDALDatasetCreateLayer(ds, "fire_pixels", srs, geojson ? wkbPoint : wkbNone, lco);
    CSLDestroy(lco);
    if (srs)
        OSRDestroySpatialReference(srs);
    if (!lyr)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot create the layer: %s", path,
                          CPLGetLastErrorMsg());
    for (int i = 0; i < F_NCOL; i++) {
        /* CSV: every value is text formatted here, so the bytes do not depend on
         * OGR's number formatting. */
        OGRFieldDefnH fd = OGR_Fld_Create(fm_cols[i].name, geojson ? fm_cols[i].type : OFTString);
        OGRErr e = OGR_L_CreateField(lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE)
            return fg_ctx_set(ctx, FG_EIO, "%s: cannot create column %s", path, fm_cols[i].name);
    }
    *out = lyr;
    return FG_OK;
}

static void fm_set_typed(OGRFeatureH f, int i, const char *text)
{
    if (!text[0] && fm_cols[i].type != OFTString) {
        OGR_F_SetFieldNull(f, i);
        return;
    }
    switch (fm_cols[i].type) {
    case OFTReal:
        OGR_F_SetFieldDouble(f, i, strtod(text, NULL));
        break;
    case OFTInteger:
        OGR_F_SetFieldInteger(f, i, (int)strtol(text, NULL, 10));
        break;
    case OFTInteger64:
        OGR_F_SetFieldInteger64(f, i, (GIntBig)strtoll(text, NULL, 10));
        break;
    default:
        OGR_F_SetFieldString(f, i, text);
        break;
    }
}

static int fm_body(GDALDatasetH ds, const char *fmt, const char *path, const fg_firms_row *rows,
                   size_t n, fg_ctx *ctx)
{
    OGRLayerH lyr = NULL;
    int rc = fm_layer(ds, fmt, path, &lyr, ctx);
    if (rc != FG_OK)
        return rc;
    int geojson = strcmp(fmt, "GeoJSON") == 0;
    fm_cells *cells = fg_malloc(sizeof *cells);
    if (!cells)
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    for (size_t k = 0; k < n && rc == FG_OK; k++) {
        fm_fill(&rows[k], cells);
        OGRFeatureH f = OGR_F_Create(defn);
        if (!f) {
            rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
            break;
        }
        for (int i = 0; i < F_NCOL; i++) {
            if (geojson)
                fm_set_typed(f, i, cells->c[i]);
            else
                OGR_F_SetFieldString(f, i, cells->c[i]);
        }
        if (geojson && cells->c[F_LAT][0] && cells->c[F_LON][0]) {
            OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
            if (!pt) {
                OGR_F_Destroy(f);
                rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
                break;
            }
            OGR_G_SetPoint_2D(pt, 0, strtod(cells->c[F_LON], NULL),
                              strtod(cells->c[F_LAT], NULL));
            OGR_F_SetGeometryDirectly(f, pt);
        }
        if (OGR_L_CreateFeature(lyr, f) != OGRERR_NONE)
            rc = fg_ctx_set(ctx, FG_EIO, "%s: cannot write row %zu: %s", path, k + 1,
                            CPLGetLastErrorMsg());
        OGR_F_Destroy(f);
    }
    fg_free(cells);
    return rc;
}

/* Copies the bytes of in-memory file mem to path (NULL = standard output). */
static int fm_copy_out(const char *mem, const char *path, const char *shown, fg_ctx *ctx)
{
    vsi_l_offset len = 0;
    GByte *buf = VSIGetMemFileBuffer(mem, &len, FALSE);
    if (!buf && len > 0)
        return fg_ctx_set(ctx, FG_EIO, "%s: lost the rendered list", shown);
    FILE *f = path ? fopen(path, "wb") : stdout;
    if (!f)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot open: %s", shown, strerror(errno));
    int bad = len > 0 && fwrite(buf, 1, (size_t)len, f) != (size_t)len;
    int e = errno;
    if (fflush(f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (path && fclose(f) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    return bad ? fg_ctx_set(ctx, FG_EIO, "%s: write failed: %s", shown, strerror(e)) : FG_OK;
}

int fg_firms_write(const char *path, const char *format, const fg_firms_row *rows, size_t n,
                   fg_ctx *ctx)
{
    if (!path || !*path || (n > 0 && !rows))
        return fg_ctx_set(ctx, FG_EINVAL, "fire pixel list: no output path or no rows");
    char fmt[16];
    int rc = fg_firms_format(format, path, fmt, sizeof fmt, ctx);
    if (rc != FG_OK)
        return rc;
    if (GDALGetDriverCount() == 0)
        GDALAllRegister();
    GDALDriverH drv = GDALGetDriverByName(fmt);
    if (!drv)
        return fg_ctx_set(ctx, FG_ENOTFOUND, "%s: GDAL has no %s driver", path, fmt);

    int to_stdout = strcmp(path, "-") == 0;
    /* Standard output and devices or FIFOs (/dev/stdout, a pipe a tool reads) cannot be
     * replaced by a rename: the file is made in memory and its bytes copied there. */
    struct stat st;
    int in_place = to_stdout || (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode));
    const char *shown = to_stdout ? "(standard output)" : path;
    char tmp[FM_PATH_MAX];
    if (in_place)
        snprintf(tmp, sizeof tmp, "/vsimem/fg_firms_%p.%s", (const void *)rows,
                 strcmp(fmt, "CSV") == 0 ? "csv" : "geojson");
    else if (fg_tmp_path(path, tmp, sizeof tmp) != FG_OK)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: path too long", path);
    VSIUnlink(tmp); /* a stale temporary of this process, if any */

    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    GDALDatasetH ds = GDALCreate(drv, tmp, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds) {
        rc = fg_ctx_set(ctx, FG_EIO, "%s: cannot create: %s", shown,
                        CPLGetLastErrorMsg()[0] ? CPLGetLastErrorMsg() : "unknown GDAL error");
        CPLPopErrorHandler();
        return rc;
    }
    rc = fm_body(ds, fmt, shown, rows, n, ctx);
    /* GDAL 3.6's GDALClose returns nothing: a failed final flush shows up as an error state. */
    CPLErrorReset();
    GDALClose(ds);
    if (rc == FG_OK && CPLGetLastErrorType() >= CE_Failure)
        rc = fg_ctx_set(ctx, FG_EIO, "%s: write failed: %s", shown, CPLGetLastErrorMsg());
    CPLPopErrorHandler();
    if (in_place) {
        if (rc == FG_OK)
            rc = fm_copy_out(tmp, to_stdout ? NULL : path, shown, ctx);
        VSIUnlink(tmp);
        return rc;
    }
    if (rc != FG_OK) {
        VSIUnlink(tmp);
        return rc;
    }
    return fg_commit_tmp(tmp, path, ctx);
}

/* --------------------------------------------------------- one scene */

static const struct {
    const char *name;
    int swir;
    int id; /* fg_sensor_profile or fg_swir_algorithm */
} fm_algs[] = {
    {"geo", 0, FG_PROFILE_GEO_2KM},
    {"kumar-roy2018", 1, FG_SWIR_KUMAR_ROY2018},
    {"modis", 0, FG_PROFILE_MODIS_1KM},
    {"schroeder2016", 1, FG_SWIR_SCHROEDER2016},
    {"sentinel2", 1, FG_SWIR_SENTINEL2},
    {"viirs", 0, FG_PROFILE_VIIRS_375M},
};
#define FM_NALGS (sizeof fm_algs / sizeof fm_algs[0])

static int fm_alg_find(const char *name)
{
    for (size_t i = 0; name && i < FM_NALGS; i++)
        if (strcasecmp(fm_algs[i].name, name) == 0)
            return (int)i;
    return -1;
}

static const char *fm_alg_name(int swir, int id)
{
    for (size_t i = 0; i < FM_NALGS; i++)
        if (fm_algs[i].swir == swir && fm_algs[i].id == id)
            return fm_algs[i].name;
    return "?";
}

int fg_firms_algorithm_known(const char *name) { return fm_alg_find(name) >= 0; }

static int fm_cmp_px(const void *a, const void *b)
{
    const fg_fire_pixel *x = a, *y = b;
    if (x->row != y->row)
        return x->row < y->row ? -1 : 1;
    return (x->col > y->col) - (x->col < y->col);
}

/* Makes sure the message says which scene failed (the scene API names the file; the
 * detectors, which never see files, do not). */
static int fm_scene_err(fg_ctx *ctx, const char *path, int rc)
{
    if (ctx && !strstr(ctx->msg, path))
        fg_ctx_prefix(ctx, "%s", path);
    return rc;
}

/* The thermal decision constants of profile `id`, keeping the scene's band physics
 * (band centres, Wooster a, pixel area), which belong to the sensor, not the rules. */
static int fm_override_profile(fg_thermal_params *p, int id, fg_ctx *ctx)
{
    fg_thermal_params q;
    int rc = fg_thermal_params_default(&q, (fg_sensor_profile)id);
    if (rc != FG_OK)
        return fg_ctx_set(ctx, rc, "no thermal profile %d", id);
    q.mir_um = p->mir_um;
    q.tir_um = p->tir_um;
    q.wooster_a = p->wooster_a;
    q.pixel_km2 = p->pixel_km2;
    *p = q;
    return FG_OK;
}

/* Pixel count of fire `id` (fires are numbered 1.. in order, so usually fires[id - 1]). */
static int fm_npix(const fg_fire *fires, size_t nf, int id)
{
    if (id >= 1 && (size_t)id <= nf && fires[id - 1].id == id)
        return fires[id - 1].npix;
    for (size_t i = 0; i < nf; i++)
        if (fires[i].id == id)
            return fires[i].npix;
    return 1;
}

int fg_firms_scene(const char *path, const fg_firms_opts *o, const char *mask_path,
                   fg_firms_list *list, fg_firms_scene_info *info, fg_ctx *ctx)
{
    static const fg_firms_opts defaults = {0};
    if (!o)
        o = &defaults;
    if (!path || !list)
        return fg_ctx_set(ctx, FG_EINVAL, "fg_firms_scene: no scene path or list");
    int ai = -1;
    if (o->algorithm && (ai = fm_alg_find(o->algorithm)) < 0)
        return fg_ctx_set(ctx, FG_EINVAL,
                          "%s: unknown algorithm '%s' (known: modis, viirs, geo, schroeder2016, "
                          "kumar-roy2018, sentinel2)",
                          path, o->algorithm);

    fg_scene_opts so = {0};
    so.max_pixels = o->max_pixels;
    so.time_utc = o->time_utc;
    so.sensor = o->sensor;
    fg_scene *s = NULL;
    int rc = fg_scene_open(path, &so, &s, ctx);
    if (rc != FG_OK)
        return fm_scene_err(ctx, path, rc);

    fg_firms_scene_info inf;
    memset(&inf, 0, sizeof inf);
    snprintf(inf.sensor, sizeof inf.sensor, "%s", fg_scene_sensor(s) ? fg_scene_sensor(s) : "");
    inf.swir = fg_scene_is_swir(s) ? 1 : 0;

    fg_fire_pixel *px = NULL;
    fg_fire *fires = NULL;
    unsigned char *mask = NULL;
    size_t n = 0, nf = 0;
    const fg_raster *ref = NULL;

    if (ai >= 0 && fm_algs[ai].swir != inf.swir) {
        rc = fg_ctx_set(ctx, FG_EINVAL, "%s: algorithm '%s' needs a %s scene; this one is %s",
                        path, fm_algs[ai].name, fm_algs[ai].swir ? "SWIR" : "thermal",
                        inf.swir ? "SWIR (NIR/SWIR reflectance)" : "thermal (MIR/TIR)");
        goto done;
    }
    if (inf.swir) {
        fg_swir_input si;
        if ((rc = fg_scene_swir_input(s, &si, ctx)) != FG_OK)
            goto done;
        const fg_sensor_def *def = fg_scene_sensor_def(s);
        fg_swir_algorithm alg = ai >= 0 ? (fg_swir_algorithm)fm_algs[ai].id
                                : def && def->swir_algorithm ? def->swir_algorithm
                                                             : FG_SWIR_SCHROEDER2016;
        ref = si.swir2 ? si.swir2 : si.nir;
        if (!ref) {
            rc = fg_ctx_set(ctx, FG_ENOTFOUND, "%s: no SWIR2_REF or NIR_REF band", path);
            goto done;
        }
        inf.width = ref->width;
        inf.height = ref->height;
        if (mask_path && !(mask = fg_malloc((size_t)ref->width * (size_t)ref->height))) {
            rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory for the mask", path);
            goto done;
        }
        snprintf(inf.algorithm, sizeof inf.algorithm, "%s", fm_alg_name(1, (int)alg));
        rc = fg_swir_detect(&si, alg, o->threads, &px, &n, mask, ctx);
    } else {
        fg_thermal_input ti;
        fg_thermal_params p;
        if ((rc = fg_scene_thermal_input(s, &ti, &p, ctx)) != FG_OK)
            goto done;
        if (ai >= 0 && (rc = fm_override_profile(&p, fm_algs[ai].id, ctx)) != FG_OK)
            goto done;
        ref = ti.mir;
        inf.width = ref->width;
        inf.height = ref->height;
        if (mask_path && !(mask = fg_malloc((size_t)ref->width * (size_t)ref->height))) {
            rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory for the mask", path);
            goto done;
        }
        snprintf(inf.algorithm, sizeof inf.algorithm, "%s", fm_alg_name(0, (int)p.profile));
        rc = fg_thermal_detect(&ti, &p, o->threads, &px, &n, mask, ctx);
    }
    if (rc != FG_OK)
        goto done;
    /* The detectors return (row, col) order; sorting again costs nothing and makes the
     * grouping's precondition hold whatever a detector does. */
    if (n > 1)
        qsort(px, n, sizeof *px, fm_cmp_px);
    if (n > 0 && (rc = fg_fire_group(px, n, &fires, &nf, ctx)) != FG_OK)
        goto done;
    if (mask_path && (rc = fg_scene_write_mask(s, mask, mask_path, ctx)) != FG_OK)
        goto done;

    if (list->n + n > list->cap) {
        size_t cap = list->cap ? list->cap : 64;
        while (cap < list->n + n)
            cap *= 2;
        fg_firms_row *r = fg_realloc(list->rows, cap * sizeof *r);
        if (!r) {
            rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory for %zu fire pixels", path, n);
            goto done;
        }
        list->rows = r;
        list->cap = cap;
    }
    double scan_km = NAN, track_km = NAN;
    fg_scene_pixel_km(s, &scan_km, &track_km);
    int64_t t = fg_scene_time(s);
    for (size_t i = 0; i < n; i++) {
        const fg_fire_pixel *q = &px[i];
        fg_firms_row *r = &list->rows[list->n + i];
        memset(r, 0, sizeof *r);
        fg_ctx pos_ctx = {0};
        if (fg_scene_to_wgs84(s, q->row + 0.5, q->col + 0.5, &r->lat, &r->lon, &pos_ctx) !=
            FG_OK) {
            r->lat = r->lon = NAN;
            inf.nopos++;
        }
        r->row = q->row;
        r->col = q->col;
        r->bright_mir_k = q->t4;
        r->bright_tir_k = q->t11;
        r->scan_km = (float)scan_km;
        r->track_km = (float)track_km;
        r->time_utc = t;
        snprintf(r->satellite, sizeof r->satellite, "%s", inf.sensor);
        r->confidence = q->confidence;
        r->frp_mw = q->frp_mw;
        r->frp_c5_mw = q->frp_c5_mw;
        /* SWIR reflective detection is daytime only; thermal pixels carry their own flag */
        r->is_day = inf.swir ? 1 : (q->is_day ? 1 : 0);
        r->fire_id = q->fire_id;
        r->npix_fire = fm_npix(fires, nf, q->fire_id);
        r->mask_class = q->mask_class;
        r->tests = q->tests;
        snprintf(r->scene, sizeof r->scene, "%s", path);
    }
    list->n += n;
    inf.npix = n;
    inf.nfires = nf;
    if (info)
        *info = inf;

done:
    if (rc != FG_OK)
        fm_scene_err(ctx, path, rc);
    fg_free(px);
    fg_free(fires);
    fg_free(mask);
    fg_scene_free(s);
    return rc;
}
