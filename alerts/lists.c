/* lists.c — the incident lists of each level (county, summary, industrial, candidates, townships) in CSV/XLSX/GeoJSON/KML, the hotspots GeoJSON and the grid officers' messages. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

/* Officers read Beijing time (UTC+8, no daylight saving since 1991). */
#define LI_BEIJING_OFFSET_S (8 * 3600)
#define LI_PATH_MAX 4096
#define LI_CELL 512 /* one formatted cell (names are at most 128 bytes) */

/*
 * Who gets what. Straw-burning incidents (not on a static heat source, not reported
 * industrial by feedback) go down the chain: the county list (inside and outside the
 * county), their township's list (inside only) and, while unchecked, one message to
 * the grid officer of their cell or village. Industrial incidents go to the county's
 * industrial list only. Outside-county incidents are for the county office.
 *
 * Same input, same bytes: incidents are sorted (township code, first seen, id),
 * hotspots by time, kind, sensor, position and id; every number is formatted once
 * here ("%.5f" degrees, "%.1f" MW) and typed formats parse that text back; nothing
 * depends on the clock. OGR's XLSX writer stores fixed zip dates (1980-00-00) and no
 * creation time, so XLSX files are byte-identical too (checked by the tests).
 */

static void li_gdal_init(void)
{
    if (GDALGetDriverCount() == 0)
        GDALAllRegister();
}

/* ------------------------------------------------------------ formatting */

static void li_beijing(int64_t t, char *out, size_t size)
{
    time_t tt = (time_t)(t + LI_BEIJING_OFFSET_S);
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, size, "?");
        return;
    }
    snprintf(out, size, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min);
}

/* ------------------------------------------------------- one file, atomically */

/* Closes ds and reports an error raised while flushing. */
static int li_close(GDALDatasetH ds, const char *path, int rc, fg_ctx *ctx)
{
    CPLErrorReset();
    GDALClose(ds);
    if (rc == FG_OK && CPLGetLastErrorType() >= CE_Failure)
        rc = fg_ctx_set(ctx, FG_EIO, "%s: write failed: %s", path, CPLGetLastErrorMsg());
    return rc;
}

/* Creates an OGR dataset at the temporary name of path. */
static int li_create(const char *driver, const char *path, char *tmp, GDALDatasetH *ds,
                     fg_ctx *ctx)
{
    if (fg_tmp_path(path, tmp, LI_PATH_MAX) != FG_OK)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: path too long", path);
    GDALDriverH drv = GDALGetDriverByName(driver);
    if (!drv)
        return fg_ctx_set(ctx, FG_ENOTFOUND, "%s: GDAL has no %s driver", path, driver);
    VSIUnlink(tmp); /* a stale temporary of this process, if any */
    *ds = GDALCreate(drv, tmp, 0, 0, 0, GDT_Unknown, NULL);
    if (!*ds)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot create: %s", path, CPLGetLastErrorMsg());
    return FG_OK;
}

/* ------------------------------------------------- hotspots.geojson fields */

static const struct {
    const char *name;
    OGRFieldType type;
} li_gj_fields[] = {
    {"id", OFTString},          {"class", OFTString},        {"kind", OFTString},
    {"sensor", OFTString},      {"time_utc", OFTString},     {"township_code", OFTString},
    {"township", OFTString},    {"village_code", OFTString}, {"village", OFTString},
    {"confidence", OFTInteger}, {"confidence_class", OFTString}, {"frp_mw", OFTReal},
    {"bt_mir_k", OFTReal},      {"bt_tir_k", OFTReal},       {"smoke_score", OFTReal},
    {"scan_km", OFTReal},       {"track_km", OFTReal},       {"bearing_deg", OFTReal},
    {"range_m", OFTReal},       {"inside", OFTInteger},      {"evidence", OFTString},
    {"ev_row", OFTInteger},     {"ev_col", OFTInteger},      {"ev_x", OFTInteger},
    {"ev_y", OFTInteger},       {"ev_w", OFTInteger},        {"ev_h", OFTInteger},
    {"distance_m", OFTReal},    {"static_id", OFTString},    {"static_name", OFTString},
};
#define LI_GJ_NFIELDS (sizeof li_gj_fields / sizeof li_gj_fields[0])

/* A float measurement rounded to `decimals` (so the file shows 12.3, not
 * 12.300000190734863), or null when unknown. */
static void li_set_real(OGRFeatureH f, int i, double v, int decimals)
{
    if (!isfinite(v)) {
        OGR_F_SetFieldNull(f, i);
        return;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", decimals, v);
    OGR_F_SetFieldDouble(f, i, strtod(buf, NULL));
}

static void li_set_int(OGRFeatureH f, int i, int v, int null_below_zero)
{
    if (null_below_zero && v < 0)
        OGR_F_SetFieldNull(f, i);
    else
        OGR_F_SetFieldInteger(f, i, v);
}

static void li_gj_feature(OGRFeatureH f, const fg_alert *a)
{
    const fg_hotspot *h = &a->hs;
    char utc[24];
    fg_time_format(h->time_utc, utc);
    int k = 0;
    OGR_F_SetFieldString(f, k++, a->id);
    OGR_F_SetFieldString(f, k++, a->cls == FG_ALERT_INDUSTRIAL ? "industrial" : "straw");
    OGR_F_SetFieldString(f, k++, h->kind == FG_SOURCE_CAMERA ? "camera" : "satellite");
    OGR_F_SetFieldString(f, k++, h->sensor);
    OGR_F_SetFieldString(f, k++, utc);
    OGR_F_SetFieldString(f, k++, a->place.town_code);
    OGR_F_SetFieldString(f, k++, a->place.town_name);
    OGR_F_SetFieldString(f, k++, a->place.vill_code);
    OGR_F_SetFieldString(f, k++, a->place.vill_name);
    OGR_F_SetFieldInteger(f, k++, h->confidence);
    OGR_F_SetFieldString(f, k++, fg_conf_class_name(h->conf_class));
    li_set_real(f, k++, h->frp_mw, 2);
    li_set_real(f, k++, h->bt_mir_k, 2);
    li_set_real(f, k++, h->bt_tir_k, 2);
    li_set_real(f, k++, h->smoke_score, 3);
    li_set_real(f, k++, h->scan_km, 3);
    li_set_real(f, k++, h->track_km, 3);
    li_set_real(f, k++, h->bearing_deg, 2);
    li_set_real(f, k++, h->range_m, 1);
    OGR_F_SetFieldInteger(f, k++, a->place.inside ? 1 : 0);
    OGR_F_SetFieldString(f, k++, h->evidence);
    li_set_int(f, k++, h->ev_row, 1);
    li_set_int(f, k++, h->ev_col, 1);
    li_set_int(f, k++, h->ev_x, 1);
    li_set_int(f, k++, h->ev_y, 1);
    li_set_int(f, k++, h->ev_w, 1);
    li_set_int(f, k++, h->ev_h, 1);
    li_set_real(f, k++, a->place.inside ? NAN : a->place.distance_m, 1);
    OGR_F_SetFieldString(f, k++, a->static_id);
    OGR_F_SetFieldString(f, k++, a->static_name);
}

/* ---------------------------------------------------------------- text */

/* A growing text buffer; on allocation failure it stops growing and remembers. */
typedef struct li_buf {
    char *p;
    size_t len, cap;
    int oom;
} li_buf;

static void li_printf(li_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void li_printf(li_buf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = b->cap - b->len;
        int k = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? room : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->oom = 1;
            return;
        }
        if (b->p && (size_t)k < room) {
            b->len += (size_t)k;
            return;
        }
        size_t ncap = b->cap ? b->cap : 4096;
        while (ncap < b->len + (size_t)k + 1)
            ncap *= 2;
        char *q = fg_realloc(b->p, ncap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = ncap;
    }
}

/* Short village name for a phone screen: "马梁村委会" → "马梁村", "南关社区居委会" →
 * "南关社区". The lists keep the official names. */
static void li_short_village(const char *name, char *out, size_t size)
{
    static const char cwh[] = "村委会", jwh[] = "居委会", cun[] = "村";
    size_t n = strlen(name), lc = strlen(cwh), lj = strlen(jwh), lv = strlen(cun);
    if (n > lc && strcmp(name + n - lc, cwh) == 0) {
        size_t stem = n - lc;
        int has_cun = stem >= lv && memcmp(name + stem - lv, cun, lv) == 0;
        snprintf(out, size, "%.*s%s", (int)stem, name, has_cun ? "" : cun);
    } else if (n > lj && strcmp(name + n - lj, jwh) == 0) {
        snprintf(out, size, "%.*s", (int)(n - lj), name);
    } else {
        snprintf(out, size, "%s", name);
    }
}

/* ---------------------------------------------------------------- paths */

static int li_join(char *out, const char *dir, const char *name, fg_ctx *ctx)
{
    size_t dl = strlen(dir);
    int slash = dl > 0 && dir[dl - 1] == '/';
    int k = snprintf(out, LI_PATH_MAX, "%s%s%s", dir, slash ? "" : "/", name);
    if (k < 0 || k >= LI_PATH_MAX)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: output path too long", dir);
    return FG_OK;
}

/* Every user-facing word in both languages: zh (default) and en. */
#define LI_T(en, zh, e) ((en) ? (e) : (zh))

/* ------------------------------------------------------------ a table */

typedef enum li_type { LI_STR, LI_INT, LI_REAL } li_type;

typedef struct li_col {
    const char *zh, *en;
    li_type type;
} li_col;

/* Rows of one list, every value a string formatted once here (so that each format
 * gets the same digits); typed formats parse the number back, empty = null. Strings
 * live in one pool addressed by offsets, so growing it never invalidates a row. */
typedef struct li_table {
    const li_col *cols;
    int ncol;
    int points;             /* 1: rows carry WGS84 points (GeoJSON, KML) */
    const char *layer;      /* layer / sheet name */
    int zero_col;           /* XLSX placeholder row of an empty list: this count column
                               reads 0 (-1: none) */
    size_t nrows, caprows;
    size_t *off;            /* nrows * (ncol + 2): cells, then KML name, KML description */
    double *lat, *lon;
    char *pool;
    size_t plen, pcap;
    int oom;
} li_table;

#define LI_NX(t) ((size_t)(t)->ncol + 2)
#define LI_MAXCOL 32 /* columns of the widest list, with room */

static void li_table_free(li_table *t)
{
    fg_free(t->off);
    fg_free(t->lat);
    fg_free(t->lon);
    fg_free(t->pool);
    memset(t, 0, sizeof *t);
}

static size_t li_pool_add(li_table *t, const char *s)
{
    if (t->oom)
        return 0;
    size_t n = strlen(s) + 1;
    if (t->plen + n > t->pcap) {
        size_t cap = t->pcap ? t->pcap : 4096;
        while (cap < t->plen + n)
            cap *= 2;
        char *p = fg_realloc(t->pool, cap);
        if (!p) {
            t->oom = 1;
            return 0;
        }
        t->pool = p;
        t->pcap = cap;
    }
    memcpy(t->pool + t->plen, s, n);
    size_t at = t->plen;
    t->plen += n;
    return at;
}

/* Appends a row: cells[ncol], the point (NaN = none) and the KML name/description. */
static void li_row_add(li_table *t, char (*cells)[LI_CELL], double lat, double lon,
                       const char *kname, const char *kdesc)
{
    if (t->oom)
        return;
    if (t->nrows == t->caprows) {
        size_t cap = t->caprows ? 2 * t->caprows : 16;
        size_t *off = fg_realloc(t->off, cap * LI_NX(t) * sizeof *off);
        if (!off) {
            t->oom = 1;
            return;
        }
        t->off = off;
        double *la = fg_realloc(t->lat, cap * sizeof *la);
        if (!la) {
            t->oom = 1;
            return;
        }
        t->lat = la;
        double *lo = fg_realloc(t->lon, cap * sizeof *lo);
        if (!lo) {
            t->oom = 1;
            return;
        }
        t->lon = lo;
        t->caprows = cap;
    }
    size_t *o = t->off + t->nrows * LI_NX(t);
    for (int c = 0; c < t->ncol; c++)
        o[c] = li_pool_add(t, cells[c]);
    o[t->ncol] = li_pool_add(t, kname ? kname : "");
    o[t->ncol + 1] = li_pool_add(t, kdesc ? kdesc : "");
    if (t->oom)
        return;
    t->lat[t->nrows] = lat;
    t->lon[t->nrows] = lon;
    t->nrows++;
}

static const char *li_cell(const li_table *t, size_t r, int c)
{
    return t->pool + t->off[r * LI_NX(t) + (size_t)c];
}

/* ------------------------------------------------------------ formats */

typedef enum li_fmt { LI_CSV, LI_XLSX, LI_GEOJSON, LI_KML, LI_NFMT } li_fmt;

/* Known -of names, in the order the message lists them. */
static const struct {
    const char *name, *driver, *ext;
} li_formats[LI_NFMT] = {
    {"CSV", "CSV", ".csv"},
    {"XLSX", "XLSX", ".xlsx"},
    {"GeoJSON", "GeoJSON", ".geojson"},
    {"KML", "KML", ".kml"},
};

static int li_parse_formats(const char *const *formats, int want[LI_NFMT], fg_ctx *ctx)
{
    memset(want, 0, LI_NFMT * sizeof want[0]);
    if (!formats) {
        want[LI_CSV] = want[LI_GEOJSON] = 1;
        return FG_OK;
    }
    for (size_t i = 0; formats[i]; i++) {
        int k = 0;
        while (k < LI_NFMT && strcasecmp(formats[i], li_formats[k].name) != 0)
            k++;
        if (k == LI_NFMT)
            return fg_ctx_set(ctx, FG_EINVAL,
                              "unknown list format '%s' (known: CSV, XLSX, GeoJSON, KML)",
                              formats[i]);
        want[k] = 1;
    }
    return FG_OK;
}

/* A value of a typed column, from the string we formatted (never reformatted by us). */
static void li_set_typed(OGRFeatureH f, int i, li_type type, const char *v)
{
    if (!*v) {
        OGR_F_SetFieldNull(f, i);
        return;
    }
    if (type == LI_INT)
        OGR_F_SetFieldInteger(f, i, (int)strtol(v, NULL, 10));
    else if (type == LI_REAL)
        OGR_F_SetFieldDouble(f, i, strtod(v, NULL));
    else
        OGR_F_SetFieldString(f, i, v);
}

static int li_layer(GDALDatasetH ds, li_fmt fmt, const li_table *t, int en, const char *path,
                    OGRLayerH *out, fg_ctx *ctx)
{
    char **lco = NULL;
    OGRSpatialReferenceH srs = NULL;
    OGRwkbGeometryType gt = wkbNone;
    if (fmt == LI_CSV) {
        lco = CSLSetNameValue(lco, "WRITE_BOM", "YES"); /* Excel reads UTF-8 only with it */
        lco = CSLSetNameValue(lco, "LINEFORMAT", "CRLF");
        lco = CSLSetNameValue(lco, "STRING_QUOTING", "IF_NEEDED");
    } else if (fmt == LI_GEOJSON || fmt == LI_KML) {
        if (fmt == LI_GEOJSON)
            lco = CSLSetNameValue(lco, "RFC7946", "YES");
        if (t->points) {
            gt = wkbPoint;
            srs = OSRNewSpatialReference(NULL);
            if (!srs || OSRImportFromEPSG(srs, 4326) != OGRERR_NONE) {
                if (srs)
                    OSRDestroySpatialReference(srs);
                CSLDestroy(lco);
                return fg_ctx_set(ctx, FG_EFORMAT, "%s: cannot build EPSG:4326", path);
            }
            OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
        }
    }
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, t->layer, srs, gt, lco);
    CSLDestroy(lco);
    if (srs)
        OSRDestroySpatialReference(srs);
    if (!lyr)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot create the list: %s", path,
                          CPLGetLastErrorMsg());
    for (int i = 0; i < t->ncol; i++) {
        OGRFieldType ft = OFTString;
        if (fmt != LI_CSV && t->cols[i].type == LI_INT)
            ft = OFTInteger;
        else if (fmt != LI_CSV && t->cols[i].type == LI_REAL)
            ft = OFTReal;
        const char *name = en ? t->cols[i].en : t->cols[i].zh;
        OGRFieldDefnH fd = OGR_Fld_Create(name, ft);
        OGRErr e = OGR_L_CreateField(lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE)
            return fg_ctx_set(ctx, FG_EIO, "%s: cannot create column %s", path, name);
    }
    if (fmt == LI_KML) { /* the KML driver maps these two to <name> and <description> */
        static const char *const kf[2] = {"Name", "Description"};
        for (int i = 0; i < 2; i++) {
            OGRFieldDefnH fd = OGR_Fld_Create(kf[i], OFTString);
            OGRErr e = OGR_L_CreateField(lyr, fd, TRUE);
            OGR_Fld_Destroy(fd);
            if (e != OGRERR_NONE)
                return fg_ctx_set(ctx, FG_EIO, "%s: cannot create column %s", path, kf[i]);
        }
    }
    *out = lyr;
    return FG_OK;
}

static int li_features(OGRLayerH lyr, li_fmt fmt, const li_table *t, int en, const char *path,
                       fg_ctx *ctx)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    /* Field indices by name: the KML driver keeps its Name and Description fields
     * ahead of ours, whatever the order they were created in. */
    int idx[LI_MAXCOL + 2];
    for (int c = 0; c < t->ncol + 2; c++) {
        const char *name = c < t->ncol ? (en ? t->cols[c].en : t->cols[c].zh)
                                       : c == t->ncol ? "Name" : "Description";
        idx[c] = fmt == LI_KML || c < t->ncol ? OGR_FD_GetFieldIndex(defn, name) : -1;
        if (c < t->ncol && idx[c] < 0)
            return fg_ctx_set(ctx, FG_EIO, "%s: the %s driver dropped column %s", path,
                              li_formats[fmt].driver, name);
    }
    size_t nrows = t->nrows;
    /* OGR's XLSX writer (GDAL 3.6) writes the header row only above a first row: an
     * empty list gets one row that says so, so that the sheet still shows its columns.
     * Its count column reads 0, a number, which is also what makes OGR's XLSX reader
     * take the first row as the header (a sheet of text cells only is read headerless). */
    int placeholder = fmt == LI_XLSX && nrows == 0;
    if (placeholder)
        nrows = 1;
    for (size_t r = 0; r < nrows; r++) {
        OGRFeatureH f = OGR_F_Create(defn);
        if (!f)
            return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
        if (placeholder) {
            OGR_F_SetFieldString(f, idx[0], LI_T(en, "（无）", "(none)"));
            if (t->zero_col >= 0)
                OGR_F_SetFieldInteger(f, idx[t->zero_col], 0);
        } else {
            for (int c = 0; c < t->ncol; c++) {
                if (fmt == LI_CSV)
                    OGR_F_SetFieldString(f, idx[c], li_cell(t, r, c));
                else
                    li_set_typed(f, idx[c], t->cols[c].type, li_cell(t, r, c));
            }
            for (int c = t->ncol; c < t->ncol + 2; c++)
                if (idx[c] >= 0)
                    OGR_F_SetFieldString(f, idx[c], li_cell(t, r, c));
            if (t->points && (fmt == LI_GEOJSON || fmt == LI_KML) && isfinite(t->lat[r]) &&
                isfinite(t->lon[r])) {
                OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
                if (!pt) {
                    OGR_F_Destroy(f);
                    return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
                }
                OGR_G_SetPoint_2D(pt, 0, t->lon[r], t->lat[r]);
                OGR_F_SetGeometryDirectly(f, pt);
            }
        }
        OGRErr e = OGR_L_CreateFeature(lyr, f);
        OGR_F_Destroy(f);
        if (e != OGRERR_NONE)
            return fg_ctx_set(ctx, FG_EIO, "%s: cannot write row %zu: %s", path, r + 1,
                              CPLGetLastErrorMsg());
    }
    return FG_OK;
}

/* Writes one list in one format: <dir>/<stem><ext> through a temporary name. */
static int li_write_one(const char *dir, const char *stem, li_fmt fmt, const li_table *t,
                        int en, fg_ctx *ctx)
{
    char name[256], path[LI_PATH_MAX], tmp[LI_PATH_MAX];
    snprintf(name, sizeof name, "%s%s", stem, li_formats[fmt].ext);
    int rc = li_join(path, dir, name, ctx);
    if (rc)
        return rc;
    GDALDatasetH ds = NULL;
    if ((rc = li_create(li_formats[fmt].driver, path, tmp, &ds, ctx)))
        return rc;
    OGRLayerH lyr = NULL;
    rc = li_layer(ds, fmt, t, en, path, &lyr, ctx);
    if (rc == FG_OK)
        rc = li_features(lyr, fmt, t, en, path, ctx);
    rc = li_close(ds, path, rc, ctx);
    if (rc) {
        VSIUnlink(tmp);
        return rc;
    }
    return fg_commit_tmp(tmp, path, ctx);
}

/* Map formats (GeoJSON, KML) only for tables with points. */
static int li_write_table(const char *dir, const char *stem, const int want[LI_NFMT],
                          const li_table *t, int en, fg_ctx *ctx)
{
    if (t->oom)
        return fg_ctx_set(ctx, FG_ENOMEM, "%s/%s: out of memory", dir, stem);
    for (int k = 0; k < LI_NFMT; k++) {
        if (!want[k] || (!t->points && (k == LI_GEOJSON || k == LI_KML)))
            continue;
        int rc = li_write_one(dir, stem, (li_fmt)k, t, en, ctx);
        if (rc)
            return rc;
    }
    return FG_OK;
}

/* ------------------------------------------------------------- words */

static void li_time(int64_t t, char *out, size_t size)
{
    if (t <= 0)
        out[0] = '\0';
    else
        li_beijing(t, out, size);
}

static int li_industrial(const fg_incident *x)
{
    return x->cls == FG_ALERT_INDUSTRIAL || x->status == FG_INC_INDUSTRIAL;
}

/* Waiting for an officer: not yet checked and not closed by feedback. */
static int li_pending(const fg_incident *x)
{
    return x->checked_at == 0 && (x->status == FG_INC_NEW || x->status == FG_INC_ONGOING);
}

static const char *li_kinds(unsigned k, int en)
{
    if ((k & FG_SRC_BIT_SATELLITE) && (k & FG_SRC_BIT_CAMERA))
        return LI_T(en, "卫星+摄像头", "satellite+camera");
    if (k & FG_SRC_BIT_CAMERA)
        return LI_T(en, "摄像头", "camera");
    if (k & FG_SRC_BIT_SATELLITE)
        return LI_T(en, "卫星", "satellite");
    return "";
}

static const char *li_land(const char *c, int en)
{
    static const char *const map[][2] = {
        {"cropland", "耕地"}, {"forest", "林地"}, {"grass", "草地"},
        {"built-up", "建设用地"}, {"water", "水体"}, {"other", "其他"},
    };
    if (!en)
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
            if (strcmp(c, map[i][0]) == 0)
                return map[i][1];
    return c;
}

static const char *li_period(const char *p, int en)
{
    static const char *const map[][2] = {
        {"autumn_harvest", "秋收"}, {"spring_ploughing", "春耕前"},
        {"qingming", "清明"}, {"spring_festival", "春节"},
    };
    if (!en)
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
            if (strcmp(p, map[i][0]) == 0)
                return map[i][1];
    return p;
}

static const char *li_category(const fg_incident *x, int en)
{
    if (li_industrial(x))
        return LI_T(en, "工业热源", "industrial heat source");
    if (x->possible_bonfire)
        return LI_T(en, "可能为旺火", "possible bonfire");
    return LI_T(en, "疑似秸秆焚烧", "suspected straw burning");
}

/* Township column: the name, or "县外（邻近X）" for a point outside the county. */
static void li_town(const fg_incident *x, int en, char *out, size_t size)
{
    if (x->place.inside)
        snprintf(out, size, "%s", x->place.town_name);
    else if (x->place.town_name[0])
        snprintf(out, size, en ? "outside county (near %s)" : "县外（邻近%s）",
                 x->place.town_name);
    else
        snprintf(out, size, "%s", LI_T(en, "县外", "outside county"));
}

/* Appends s to out (size bytes), truncating; never splits inside a UTF-8 character. */
static void li_cat(char *out, size_t size, const char *s)
{
    size_t l = strlen(out), k = strlen(s);
    if (l + k + 1 > size) {
        k = size - 1 - l;
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
    }
    memcpy(out + l, s, k);
    out[l + k] = '\0';
}

static void li_add_note(char *out, size_t size, const char *part, int en)
{
    if (out[0])
        li_cat(out, size, LI_T(en, "；", "; "));
    li_cat(out, size, part);
}

static void li_note(const fg_incident *x, const fg_officer *of, int en, char *out, size_t size)
{
    char part[LI_CELL];
    out[0] = '\0';
    if (li_industrial(x)) {
        if (x->static_name[0])
            snprintf(part, sizeof part, en ? "industrial heat source: %s" : "工业热源 %s",
                     x->static_name);
        else
            snprintf(part, sizeof part, "%s",
                     LI_T(en, "工业热源（核查反馈）", "industrial heat source (feedback)"));
        li_add_note(out, size, part, en);
    } else if (x->possible_bonfire) {
        li_add_note(out, size, LI_T(en, "可能为旺火", "possible bonfire"), en);
    }
    if (!x->place.inside) {
        char town[LI_CELL];
        li_town(x, en, town, sizeof town);
        if (isfinite(x->place.distance_m) && x->place.distance_m > 0)
            snprintf(part, sizeof part, en ? "%s, %.1f km from its boundary" : "%s，距其约 %.1f km",
                     town, x->place.distance_m / 1000.0);
        else
            snprintf(part, sizeof part, "%s", town);
        li_add_note(out, size, part, en);
    } else if (!li_industrial(x) && !of) {
        li_add_note(out, size, LI_T(en, "未分配网格员", "no grid officer assigned"), en);
    }
}

/* The officer of an incident: only straw incidents inside the county have one. */
static const fg_officer *li_officer(const fg_officers *o, const fg_incident *x)
{
    if (!o || li_industrial(x) || !x->place.inside)
        return NULL;
    return fg_officers_find(o, x->cell_id[0] ? x->cell_id : NULL,
                            x->place.vill_code[0] ? x->place.vill_code : NULL);
}

/* ------------------------------------------------------ incident lists */

enum {
    I_ID, I_FIRST, I_LAST, I_SOURCE, I_TOWN, I_TOWN_CODE, I_VILL, I_VILL_CODE, I_CELL, I_LON,
    I_LAT, I_CONF, I_FRP, I_LAND, I_PERIOD, I_STATUS, I_CHECKED, I_OFFICER, I_PHONE, I_NOTE,
    I_SENSORS, I_NHOT, I_STATIC_ID, I_STATIC_NAME, I_NCOL
};
static const li_col li_inc_cols[I_NCOL] = {
    {"编号", "id", LI_STR},
    {"首次发现", "first_seen", LI_STR},
    {"最近发现", "last_seen", LI_STR},
    {"来源", "source", LI_STR},
    {"乡镇", "township", LI_STR},
    {"乡镇代码", "township_code", LI_STR},
    {"村", "village", LI_STR},
    {"村代码", "village_code", LI_STR},
    {"网格", "grid_cell", LI_STR},
    {"经度", "longitude", LI_REAL},
    {"纬度", "latitude", LI_REAL},
    {"可信度", "confidence", LI_INT},
    {"火点功率MW", "frp_mw", LI_REAL},
    {"地类", "land_class", LI_STR},
    {"时段", "period", LI_STR},
    {"状态", "status", LI_STR},
    {"核查时间", "checked_at", LI_STR},
    {"网格员", "officer", LI_STR},
    {"电话", "phone", LI_STR},
    {"说明", "note", LI_STR},
    {"传感器", "sensors", LI_STR},
    {"火点数", "hotspots", LI_INT},
    {"热源编号", "static_id", LI_STR},
    {"热源名称", "static_name", LI_STR},
};
#define LI_NCOL_STRAW I_STATIC_ID /* straw lists stop before the heat-source columns */

/* One row per incident; cells formatted once. */
static void li_inc_row(li_table *t, const fg_incident *x, const fg_officer *of, int en,
                       char (*c)[LI_CELL])
{
    snprintf(c[I_ID], LI_CELL, "%s", x->id);
    li_time(x->first_seen, c[I_FIRST], LI_CELL);
    li_time(x->last_seen, c[I_LAST], LI_CELL);
    snprintf(c[I_SOURCE], LI_CELL, "%s", li_kinds(x->source_kinds, en));
    li_town(x, en, c[I_TOWN], LI_CELL);
    /* an outside incident belongs to no township of ours: the code stays empty so that
     * per-township counts in a spreadsheet stay right; the township column names it */
    snprintf(c[I_TOWN_CODE], LI_CELL, "%s", x->place.inside ? x->place.town_code : "");
    snprintf(c[I_VILL], LI_CELL, "%s", x->place.inside ? x->place.vill_name : "");
    snprintf(c[I_VILL_CODE], LI_CELL, "%s", x->place.inside ? x->place.vill_code : "");
    snprintf(c[I_CELL], LI_CELL, "%s", x->cell_id);
    if (isfinite(x->lon) && isfinite(x->lat)) {
        snprintf(c[I_LON], LI_CELL, "%.5f", x->lon);
        snprintf(c[I_LAT], LI_CELL, "%.5f", x->lat);
    } else {
        c[I_LON][0] = c[I_LAT][0] = '\0';
    }
    snprintf(c[I_CONF], LI_CELL, "%d", x->peak_confidence);
    if (isfinite(x->peak_frp_mw))
        snprintf(c[I_FRP], LI_CELL, "%.1f", (double)x->peak_frp_mw);
    else
        c[I_FRP][0] = '\0';
    snprintf(c[I_LAND], LI_CELL, "%s", li_land(x->land_class, en));
    snprintf(c[I_PERIOD], LI_CELL, "%s", li_period(x->period, en));
    snprintf(c[I_STATUS], LI_CELL, "%s", fg_incident_status_name(x->status, en ? "en" : "zh"));
    li_time(x->checked_at, c[I_CHECKED], LI_CELL);
    snprintf(c[I_OFFICER], LI_CELL, "%s", of ? of->name : "");
    snprintf(c[I_PHONE], LI_CELL, "%s", of ? of->phone : "");
    li_note(x, of, en, c[I_NOTE], LI_CELL);
    snprintf(c[I_SENSORS], LI_CELL, "%s", x->sources);
    snprintf(c[I_NHOT], LI_CELL, "%d", x->n_hotspots);
    snprintf(c[I_STATIC_ID], LI_CELL, "%s", x->static_id);
    snprintf(c[I_STATIC_NAME], LI_CELL, "%s", x->static_name);

    /* KML: a label for the map and the key facts in the balloon */
    char kname[LI_CELL], kdesc[4 * LI_CELL], where[3 * LI_CELL] = "";
    li_cat(where, sizeof where, c[I_TOWN]);
    for (int i = 0; i < 2; i++) {
        const char *part = i == 0 ? c[I_VILL] : c[I_CELL];
        if (*part) {
            li_cat(where, sizeof where, " ");
            li_cat(where, sizeof where, part);
        }
    }
    snprintf(kname, sizeof kname, "%s %s", li_category(x, en),
             x->place.inside && x->place.vill_name[0] ? x->place.vill_name : c[I_TOWN]);
    int k = snprintf(kdesc, sizeof kdesc,
                     en ? "id: %s\nfirst seen: %s (Beijing time)\nlast seen: %s\n"
                          "place: %s\nsource: %s %s\nconfidence: %s"
                        : "编号：%s\n首次发现：%s（北京时间）\n最近发现：%s\n"
                          "地点：%s\n来源：%s %s\n可信度：%s",
                     x->id, c[I_FIRST], c[I_LAST], where, c[I_SOURCE], x->sources, c[I_CONF]);
    if (k > 0 && (size_t)k < sizeof kdesc && c[I_FRP][0])
        k += snprintf(kdesc + k, sizeof kdesc - (size_t)k, en ? "; FRP %s MW" : "；火点功率 %s MW",
                      c[I_FRP]);
    if (k > 0 && (size_t)k < sizeof kdesc)
        k += snprintf(kdesc + k, sizeof kdesc - (size_t)k, en ? "\nstatus: %s" : "\n状态：%s",
                      c[I_STATUS]);
    if (k > 0 && (size_t)k < sizeof kdesc && of)
        k += snprintf(kdesc + k, sizeof kdesc - (size_t)k,
                      en ? "\ngrid officer: %s %s" : "\n网格员：%s %s", of->name, of->phone);
    if (k > 0 && (size_t)k < sizeof kdesc && c[I_NOTE][0])
        snprintf(kdesc + k, sizeof kdesc - (size_t)k, en ? "\nnote: %s" : "\n说明：%s",
                 c[I_NOTE]);
    li_row_add(t, c, isfinite(x->lat) ? strtod(c[I_LAT], NULL) : NAN,
               isfinite(x->lon) ? strtod(c[I_LON], NULL) : NAN, kname, kdesc);
}

/* Which incidents a list holds. */
typedef enum li_sel { LI_SEL_COUNTY, LI_SEL_INDUSTRIAL, LI_SEL_TOWN } li_sel;

static int li_take(const fg_incident *x, li_sel sel, const char *town)
{
    switch (sel) {
    case LI_SEL_INDUSTRIAL: return li_industrial(x);
    case LI_SEL_COUNTY: return !li_industrial(x);
    default:
        return !li_industrial(x) && x->place.inside && strcmp(x->place.town_code, town) == 0;
    }
}

static int li_incident_list(const char *dir, const char *stem, const int want[LI_NFMT],
                            const fg_incident *const *s, size_t n, const fg_lists_opts *o,
                            li_sel sel, const char *town, int en, fg_ctx *ctx)
{
    li_table t = {0};
    t.cols = li_inc_cols;
    t.ncol = sel == LI_SEL_INDUSTRIAL ? I_NCOL : LI_NCOL_STRAW;
    t.points = 1;
    t.zero_col = I_NHOT;
    t.layer = sel == LI_SEL_INDUSTRIAL ? LI_T(en, "工业热源", "industrial")
              : sel == LI_SEL_TOWN     ? LI_T(en, "乡镇火点", "township")
                                       : LI_T(en, "全县火点", "county");
    char(*c)[LI_CELL] = fg_malloc(I_NCOL * sizeof *c);
    if (!c)
        return fg_ctx_set(ctx, FG_ENOMEM, "%s/%s: out of memory", dir, stem);
    for (size_t i = 0; i < n && !t.oom; i++)
        if (li_take(s[i], sel, town))
            li_inc_row(&t, s[i], li_officer(o->officers, s[i]), en, c);
    fg_free(c);
    int rc = li_write_table(dir, stem, want, &t, en, ctx);
    li_table_free(&t);
    return rc;
}

/* ------------------------------------------------------------- summary */

enum {
    S_GROUP, S_NAME, S_CODE, S_INC, S_NEW, S_ONGOING, S_CONFIRMED, S_FALSE, S_OUT, S_CHECKED,
    S_UNCHECKED, S_MEDIAN_H, S_UNASSIGNED, S_BONFIRE, S_NCOL
};
static const li_col li_sum_cols[S_NCOL] = {
    {"分组", "group", LI_STR},
    {"名称", "name", LI_STR},
    {"代码", "code", LI_STR},
    {"火点事件", "incidents", LI_INT},
    {"新发现", "new", LI_INT},
    {"持续", "ongoing", LI_INT},
    {"确认焚烧", "confirmed", LI_INT},
    {"误报", "false_alarms", LI_INT},
    {"已熄灭", "out", LI_INT},
    {"已核查", "checked", LI_INT},
    {"未核查", "unchecked", LI_INT},
    {"核查用时中位数小时", "median_hours_to_check", LI_REAL},
    {"未分配网格员", "unassigned", LI_INT},
    {"可能为旺火", "possible_bonfires", LI_INT},
};

/* Counts of one summary row. hours[] collects the check delays of its incidents. */
typedef struct li_count {
    int inc, st[6], checked, unchecked, unassigned, bonfire;
    double *hours;
    size_t nh;
} li_count;

static void li_count_add(li_count *k, const fg_incident *x, int unassigned)
{
    k->inc++;
    if ((unsigned)x->status < 6)
        k->st[x->status]++;
    if (x->checked_at != 0) {
        k->checked++;
        double h = (double)(x->checked_at - x->first_seen) / 3600.0;
        k->hours[k->nh++] = h > 0 ? h : 0;
    } else {
        k->unchecked++;
    }
    k->unassigned += unassigned;
    k->bonfire += x->possible_bonfire != 0;
}

static int li_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void li_sum_row(li_table *t, const char *group, const char *name, const char *code,
                       li_count *k, char (*c)[LI_CELL])
{
    snprintf(c[S_GROUP], LI_CELL, "%s", group);
    snprintf(c[S_NAME], LI_CELL, "%s", name);
    snprintf(c[S_CODE], LI_CELL, "%s", code);
    snprintf(c[S_INC], LI_CELL, "%d", k->inc);
    snprintf(c[S_NEW], LI_CELL, "%d", k->st[FG_INC_NEW]);
    snprintf(c[S_ONGOING], LI_CELL, "%d", k->st[FG_INC_ONGOING]);
    snprintf(c[S_CONFIRMED], LI_CELL, "%d", k->st[FG_INC_CONFIRMED]);
    snprintf(c[S_FALSE], LI_CELL, "%d", k->st[FG_INC_FALSE_ALARM]);
    snprintf(c[S_OUT], LI_CELL, "%d", k->st[FG_INC_OUT]);
    snprintf(c[S_CHECKED], LI_CELL, "%d", k->checked);
    snprintf(c[S_UNCHECKED], LI_CELL, "%d", k->unchecked);
    if (k->nh) {
        qsort(k->hours, k->nh, sizeof *k->hours, li_cmp_double);
        double m = k->nh % 2 ? k->hours[k->nh / 2]
                             : 0.5 * (k->hours[k->nh / 2 - 1] + k->hours[k->nh / 2]);
        snprintf(c[S_MEDIAN_H], LI_CELL, "%.1f", m);
    } else {
        c[S_MEDIAN_H][0] = '\0';
    }
    snprintf(c[S_UNASSIGNED], LI_CELL, "%d", k->unassigned);
    snprintf(c[S_BONFIRE], LI_CELL, "%d", k->bonfire);
    li_row_add(t, c, NAN, NAN, NULL, NULL);
}

/* Membership of an incident in one summary row. */
typedef enum li_grp { G_TOWN, G_OUTSIDE, G_KIND, G_SENSOR, G_TOTAL, G_INDUSTRIAL } li_grp;

/* 1 when sensor appears as a whole item of the comma-separated list. */
static int li_has_sensor(const char *list, const char *sensor)
{
    size_t ls = strlen(sensor);
    for (const char *p = list; *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == ls && memcmp(p, sensor, l) == 0)
            return 1;
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

static int li_in_group(const fg_incident *x, li_grp g, const char *key, unsigned kinds)
{
    switch (g) {
    case G_INDUSTRIAL: return li_industrial(x);
    case G_TOWN:
        return !li_industrial(x) && x->place.inside && strcmp(x->place.town_code, key) == 0;
    case G_OUTSIDE: return !li_industrial(x) && !x->place.inside;
    case G_KIND: return !li_industrial(x) && x->source_kinds == kinds;
    case G_SENSOR: return !li_industrial(x) && li_has_sensor(x->sources, key);
    default: return !li_industrial(x);
    }
}

static void li_sum_group(li_table *t, const fg_incident *const *s, const unsigned char *unass,
                         size_t n, li_grp g, const char *key, unsigned kinds, const char *group,
                         const char *name, const char *code, double *hours, char (*c)[LI_CELL])
{
    li_count k = {0};
    k.hours = hours;
    for (size_t i = 0; i < n; i++)
        if (li_in_group(s[i], g, key, kinds))
            li_count_add(&k, s[i], unass[i]);
    li_sum_row(t, group, name, code, &k, c);
}

/* Distinct sensors of the straw incidents, sorted (strcmp), as offsets into one buffer. */
static int li_sensors(const fg_incident *const *s, size_t n, char **buf, size_t **pos,
                      size_t *count)
{
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += strlen(s[i]->sources) + 1;
    char *b = fg_malloc(total);
    size_t *p = fg_malloc(total * sizeof *p);
    if (!b || !p) {
        fg_free(b);
        fg_free(p);
        return FG_ENOMEM;
    }
    size_t len = 0, m = 0;
    for (size_t i = 0; i < n; i++) {
        if (li_industrial(s[i]))
            continue;
        for (const char *q = s[i]->sources; *q;) {
            const char *e = strchr(q, ',');
            size_t l = e ? (size_t)(e - q) : strlen(q);
            if (l) {
                int dup = 0;
                for (size_t j = 0; j < m && !dup; j++)
                    dup = strlen(b + p[j]) == l && memcmp(b + p[j], q, l) == 0;
                if (!dup) {
                    memcpy(b + len, q, l);
                    b[len + l] = '\0';
                    /* insertion into sorted order */
                    size_t at = m;
                    while (at > 0 && strcmp(b + p[at - 1], b + len) > 0) {
                        p[at] = p[at - 1];
                        at--;
                    }
                    p[at] = len;
                    m++;
                    len += l + 1;
                }
            }
            if (!e)
                break;
            q = e + 1;
        }
    }
    *buf = b;
    *pos = p;
    *count = m;
    return FG_OK;
}

static int li_summary(const char *dir, const int want[LI_NFMT], const fg_grid *g,
                      const fg_incident *const *s, size_t n, const fg_lists_opts *o, int en,
                      fg_ctx *ctx)
{
    li_table t = {0};
    t.cols = li_sum_cols;
    t.ncol = S_NCOL;
    t.zero_col = S_INC;
    t.layer = LI_T(en, "汇总", "summary");
    char(*c)[LI_CELL] = fg_malloc(S_NCOL * sizeof *c);
    double *hours = fg_malloc((n ? n : 1) * sizeof *hours);
    unsigned char *unass = fg_malloc(n ? n : 1);
    char *sb = NULL;
    size_t *sp = NULL, ns = 0;
    int rc = FG_OK;
    if (!c || !hours || !unass || li_sensors(s, n, &sb, &sp, &ns) != FG_OK) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "%s/county_summary: out of memory", dir);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        unass[i] = !li_industrial(s[i]) && s[i]->place.inside &&
                   !li_officer(o->officers, s[i]);
    const char *gt = LI_T(en, "乡镇", "township");
    for (size_t i = 0; i < fg_grid_township_count(g); i++) {
        const char *code = NULL, *name = NULL;
        fg_grid_township(g, i, &code, &name);
        li_sum_group(&t, s, unass, n, G_TOWN, code, 0, gt, name ? name : "", code, hours, c);
    }
    li_sum_group(&t, s, unass, n, G_OUTSIDE, NULL, 0, gt,
                 LI_T(en, "县外（邻近）", "outside county (neighbouring)"), "", hours, c);
    static const unsigned kinds[3] = {FG_SRC_BIT_SATELLITE, FG_SRC_BIT_CAMERA,
                                      FG_SRC_BIT_SATELLITE | FG_SRC_BIT_CAMERA};
    const char *kind_names[3] = {LI_T(en, "仅卫星", "satellite only"),
                                 LI_T(en, "仅摄像头", "camera only"),
                                 LI_T(en, "卫星和摄像头", "satellite and camera")};
    for (int i = 0; i < 3; i++)
        li_sum_group(&t, s, unass, n, G_KIND, NULL, kinds[i], LI_T(en, "来源", "source"),
                     kind_names[i], "", hours, c);
    for (size_t i = 0; i < ns; i++)
        li_sum_group(&t, s, unass, n, G_SENSOR, sb + sp[i], 0, LI_T(en, "传感器", "sensor"),
                     sb + sp[i], "", hours, c);
    li_sum_group(&t, s, unass, n, G_TOTAL, NULL, 0, LI_T(en, "合计", "total"),
                 LI_T(en, "疑似秸秆焚烧（全县，含县外邻近）",
                      "suspected straw burning (county, incl. outside)"),
                 "", hours, c);
    li_sum_group(&t, s, unass, n, G_INDUSTRIAL, NULL, 0, LI_T(en, "合计", "total"),
                 LI_T(en, "工业热源", "industrial heat sources"), "", hours, c);
    (void)o;
    rc = li_write_table(dir, "county_summary", want, &t, en, ctx);
done:
    fg_free(c);
    fg_free(hours);
    fg_free(unass);
    fg_free(sb);
    fg_free(sp);
    li_table_free(&t);
    return rc;
}

/* ---------------------------------------------------------- candidates */

enum {
    K_ID, K_LON, K_LAT, K_DAYS_HOT, K_DAYS_FALSE, K_FIRST, K_LAST, K_TOWN, K_TOWN_CODE, K_VILL,
    K_VILL_CODE, K_NOTE, K_NCOL
};
static const li_col li_cand_cols[K_NCOL] = {
    {"编号", "id", LI_STR},
    {"经度", "longitude", LI_REAL},
    {"纬度", "latitude", LI_REAL},
    {"发热天数", "days_hot", LI_INT},
    {"误报天数", "days_false_alarm", LI_INT},
    {"首次发现", "first_seen", LI_STR},
    {"最近发现", "last_seen", LI_STR},
    {"乡镇", "township", LI_STR},
    {"乡镇代码", "township_code", LI_STR},
    {"村", "village", LI_STR},
    {"村代码", "village_code", LI_STR},
    {"说明", "note", LI_STR},
};

static int li_cmp_cand(const void *pa, const void *pb)
{
    const fg_candidate *a = *(const fg_candidate *const *)pa, *b = *(const fg_candidate *const *)pb;
    int c = strcmp(a->place.town_code, b->place.town_code);
    if (!c)
        c = a->first_seen < b->first_seen ? -1 : a->first_seen > b->first_seen;
    if (!c)
        c = strcmp(a->id, b->id);
    return c;
}

static int li_candidates(const char *dir, const int want[LI_NFMT], const fg_lists_opts *o,
                         int en, fg_ctx *ctx)
{
    size_t n = o->candidates ? o->ncandidates : 0;
    li_table t = {0};
    t.cols = li_cand_cols;
    t.ncol = K_NCOL;
    t.points = 1;
    t.zero_col = K_DAYS_HOT;
    t.layer = LI_T(en, "候选固定热源", "candidates");
    char(*c)[LI_CELL] = fg_malloc(K_NCOL * sizeof *c);
    const fg_candidate **s = fg_malloc((n ? n : 1) * sizeof *s);
    int rc = FG_OK;
    if (!c || !s) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "%s/county_candidates: out of memory", dir);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        s[i] = &o->candidates[i];
    if (n > 1)
        qsort(s, n, sizeof *s, li_cmp_cand);
    for (size_t i = 0; i < n && !t.oom; i++) {
        const fg_candidate *x = s[i];
        fg_incident tmp; /* for the township wording shared with the incident lists */
        memset(&tmp, 0, sizeof tmp);
        tmp.place = x->place;
        snprintf(c[K_ID], LI_CELL, "%s", x->id);
        snprintf(c[K_LON], LI_CELL, "%.5f", x->lon);
        snprintf(c[K_LAT], LI_CELL, "%.5f", x->lat);
        snprintf(c[K_DAYS_HOT], LI_CELL, "%d", x->days_hot);
        snprintf(c[K_DAYS_FALSE], LI_CELL, "%d", x->days_false);
        li_time(x->first_seen, c[K_FIRST], LI_CELL);
        li_time(x->last_seen, c[K_LAST], LI_CELL);
        li_town(&tmp, en, c[K_TOWN], LI_CELL);
        snprintf(c[K_TOWN_CODE], LI_CELL, "%s", x->place.inside ? x->place.town_code : "");
        snprintf(c[K_VILL], LI_CELL, "%s", x->place.inside ? x->place.vill_name : "");
        snprintf(c[K_VILL_CODE], LI_CELL, "%s", x->place.inside ? x->place.vill_code : "");
        snprintf(c[K_NOTE], LI_CELL, "%s",
                 LI_T(en, "请县里核实是否为固定热源（电厂、锅炉房、砖窑等），确认后加入热源名录",
                      "county to confirm whether this is a static heat source (plant, boiler, "
                      "kiln); if so add it to the registry"));
        char kname[LI_CELL], kdesc[2 * LI_CELL];
        snprintf(kname, sizeof kname, en ? "candidate heat source %s" : "候选固定热源 %s", x->id);
        snprintf(kdesc, sizeof kdesc,
                 en ? "id: %s\nplace: %s %s\nhot on %d days, false alarms on %d days\n"
                      "first seen: %s, last seen: %s (Beijing time)\n%s"
                    : "编号：%s\n地点：%s %s\n发热 %d 天，误报 %d 天\n"
                      "首次发现：%s，最近发现：%s（北京时间）\n%s",
                 x->id, c[K_TOWN], c[K_VILL], x->days_hot, x->days_false, c[K_FIRST],
                 c[K_LAST], c[K_NOTE]);
        li_row_add(&t, c, strtod(c[K_LAT], NULL), strtod(c[K_LON], NULL), kname, kdesc);
    }
    rc = li_write_table(dir, "county_candidates", want, &t, en, ctx);
done:
    fg_free(c);
    fg_free(s);
    li_table_free(&t);
    return rc;
}

/* ------------------------------------------------------ hotspots.geojson */

typedef struct li_hot {
    const fg_alert *a;
    const char *incident;
} li_hot;

static int li_cmp_hot(const void *pa, const void *pb)
{
    const li_hot *x = pa, *y = pb;
    const fg_hotspot *a = &x->a->hs, *b = &y->a->hs;
    if (a->time_utc != b->time_utc)
        return a->time_utc < b->time_utc ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    int c = strcmp(a->sensor, b->sensor);
    if (c)
        return c;
    if (a->lat != b->lat)
        return a->lat < b->lat ? -1 : 1;
    if (a->lon != b->lon)
        return a->lon < b->lon ? -1 : 1;
    if ((c = strcmp(x->a->id, y->a->id)))
        return c;
    return strcmp(x->incident, y->incident);
}

static int li_hotspots_body(GDALDatasetH ds, const char *path, const li_hot *h, size_t n,
                            fg_ctx *ctx)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    if (!srs || OSRImportFromEPSG(srs, 4326) != OGRERR_NONE) {
        if (srs)
            OSRDestroySpatialReference(srs);
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: cannot build EPSG:4326", path);
    }
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    char **lco = CSLSetNameValue(NULL, "RFC7946", "YES");
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "hotspots", srs, wkbPoint, lco);
    CSLDestroy(lco);
    OSRDestroySpatialReference(srs);
    if (!lyr)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot create the layer: %s", path,
                          CPLGetLastErrorMsg());
    for (size_t i = 0; i <= LI_GJ_NFIELDS; i++) {
        const char *name = i < LI_GJ_NFIELDS ? li_gj_fields[i].name : "incident_id";
        OGRFieldDefnH fd =
            OGR_Fld_Create(name, i < LI_GJ_NFIELDS ? li_gj_fields[i].type : OFTString);
        OGRErr e = OGR_L_CreateField(lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE)
            return fg_ctx_set(ctx, FG_EIO, "%s: cannot create field %s", path, name);
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    for (size_t i = 0; i < n; i++) {
        const fg_alert *a = h[i].a;
        OGRFeatureH f = OGR_F_Create(defn);
        if (!f)
            return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
        li_gj_feature(f, a);
        OGR_F_SetFieldString(f, (int)LI_GJ_NFIELDS, h[i].incident);
        if (isfinite(a->hs.lat) && isfinite(a->hs.lon)) {
            OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
            if (!pt) {
                OGR_F_Destroy(f);
                return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
            }
            OGR_G_SetPoint_2D(pt, 0, a->hs.lon, a->hs.lat);
            OGR_F_SetGeometryDirectly(f, pt);
        }
        OGRErr e = OGR_L_CreateFeature(lyr, f);
        OGR_F_Destroy(f);
        if (e != OGRERR_NONE)
            return fg_ctx_set(ctx, FG_EIO, "%s: cannot write hotspot %s: %s", path, a->id,
                              CPLGetLastErrorMsg());
    }
    return FG_OK;
}

static int li_hotspots(const char *dir, const fg_lists_opts *o, fg_ctx *ctx)
{
    size_t n = o->hotspots ? o->nhotspots : 0;
    char path[LI_PATH_MAX], tmp[LI_PATH_MAX];
    int rc = li_join(path, dir, "hotspots.geojson", ctx);
    if (rc)
        return rc;
    li_hot *h = fg_malloc((n ? n : 1) * sizeof *h);
    if (!h)
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    for (size_t i = 0; i < n; i++) {
        h[i].a = &o->hotspots[i];
        h[i].incident = o->hotspot_incident ? o->hotspot_incident[i] : "";
    }
    if (n > 1)
        qsort(h, n, sizeof *h, li_cmp_hot);
    GDALDatasetH ds = NULL;
    if ((rc = li_create("GeoJSON", path, tmp, &ds, ctx)) == FG_OK) {
        rc = li_hotspots_body(ds, path, h, n, ctx);
        rc = li_close(ds, path, rc, ctx);
        if (rc)
            VSIUnlink(tmp);
        else
            rc = fg_commit_tmp(tmp, path, ctx);
    }
    fg_free(h);
    return rc;
}

/* --------------------------------------------------- officers' messages */

/* One message entry: an incident waiting for an officer and whom it goes to. */
typedef struct li_msg {
    const fg_incident *x;
    const fg_officer *of;
} li_msg;

static int li_cmp_msg(const void *pa, const void *pb)
{
    const li_msg *a = pa, *b = pb;
    int c = (int)!a->x->place.inside - (int)!b->x->place.inside; /* outside last */
    if (!c)
        c = strcmp(a->x->place.town_code, b->x->place.town_code);
    if (!c)
        c = (a->of == NULL) - (b->of == NULL); /* unassigned last in a township */
    if (!c && a->of && b->of) {
        c = strcmp(a->of->name, b->of->name);
        if (!c)
            c = strcmp(a->of->phone, b->of->phone);
    }
    if (!c)
        c = strcmp(a->x->place.vill_code, b->x->place.vill_code);
    if (!c)
        c = a->x->first_seen < b->x->first_seen ? -1 : a->x->first_seen > b->x->first_seen;
    if (!c)
        c = strcmp(a->x->id, b->x->id);
    return c;
}

static int li_same_officer(const fg_officer *a, const fg_officer *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a->name, b->name) == 0 && strcmp(a->phone, b->phone) == 0;
}

#define LI_SEP "------------------------------\n"

/* The phone-screen message: at most 8 short lines. */
static void li_message(li_buf *b, const fg_incident *x, int en)
{
    char first[32], last[32], vill[160];
    li_time(x->first_seen, first, sizeof first);
    li_time(x->last_seen, last, sizeof last);
    const char *title = x->possible_bonfire ? LI_T(en, "可能为旺火", "Possible bonfire")
                                            : LI_T(en, "疑似秸秆焚烧", "Suspected straw burning");
    if (x->place.inside) {
        li_short_village(x->place.vill_name, vill, sizeof vill);
        li_printf(b, en ? "[%s] %s, %s" : "【%s】%s %s", title, x->place.town_name, vill);
    } else {
        char town[LI_CELL];
        li_town(x, en, town, sizeof town);
        li_printf(b, en ? "[%s] %s" : "【%s】%s", title, town);
        if (isfinite(x->place.distance_m) && x->place.distance_m > 0)
            li_printf(b, en ? ", %.1f km" : " 约%.1f km", x->place.distance_m / 1000.0);
    }
    if (x->cell_id[0])
        li_printf(b, en ? ", cell %s" : " 网格%s", x->cell_id);
    li_printf(b, "\n");
    if (x->last_seen > x->first_seen && strcmp(first, last) != 0)
        li_printf(b, en ? "Time: %s, last seen %s (Beijing)\n" : "时间：%s，最近 %s（北京时间）\n",
                  first, strncmp(first, last, 11) == 0 ? last + 11 : last);
    else
        li_printf(b, en ? "Time: %s (Beijing)\n" : "时间：%s（北京时间）\n", first);
    li_printf(b, en ? "Position: %s%.5f %s%.5f (WGS84/GPS)\n" : "位置：%s%.5f %s%.5f（WGS84）\n",
              x->lat < 0 ? LI_T(en, "南纬", "S ") : LI_T(en, "北纬", "N "), fabs(x->lat),
              x->lon < 0 ? LI_T(en, "西经", "W ") : LI_T(en, "东经", "E "), fabs(x->lon));
    double glat, glon;
    fg_wgs84_to_gcj02(x->lat, x->lon, &glat, &glon);
    li_printf(b, en ? "Phone map (GCJ-02): %.5f,%.5f\n" : "手机地图（GCJ-02）：%.5f,%.5f\n", glat,
              glon);
    li_printf(b, en ? "Source: %s %s (confidence %d)\n" : "来源：%s %s（可信度 %d）\n",
              li_kinds(x->source_kinds, en), x->sources, x->peak_confidence);
    li_printf(b, en ? "ID: %s\n" : "编号：%s\n", x->id);
    if (x->place.inside)
        li_printf(b, "%s\n", LI_T(en, "请立即到现场核查后反馈。", "Please check on site and report back."));
    else
        li_printf(b, "%s\n", LI_T(en, "请县生态环境分局与相邻县联系核实。",
                                  "County office: please verify with the neighbouring county."));
    li_printf(b, LI_SEP);
}

/* The township contact for unassigned incidents: the first officer row of this
 * township met in the list that names one (the registry API looks up units only). */
static const fg_officer *li_town_contact(const li_msg *m, size_t n, const char *town)
{
    for (size_t i = 0; i < n; i++)
        if (m[i].of && m[i].of->town_contact[0] && strcmp(m[i].x->place.town_code, town) == 0)
            return m[i].of;
    return NULL;
}

static void li_messages_text(li_buf *b, li_msg *m, size_t nm, size_t closed, int en)
{
    size_t nin = 0, nout = 0, nun = 0;
    for (size_t i = 0; i < nm; i++) {
        if (!m[i].x->place.inside)
            nout++;
        else {
            nin++;
            nun += m[i].of == NULL;
        }
    }
    if (en) {
        li_printf(b, "Suspected straw burning: check on site (Beijing time)\n");
        li_printf(b, "To check: %zu in the county (%zu without a grid officer), %zu outside "
                     "near the boundary; %zu already checked are not listed.\n",
                  nin, nun, nout, closed);
        li_printf(b, "Grouped by township and grid officer. Positions in WGS84 (GPS); the GCJ-02 "
                     "line is for Chinese phone maps.\n");
    } else {
        li_printf(b, "疑似秸秆焚烧火点 核查通知（时间为北京时间）\n");
        li_printf(b, "待核查：县内 %zu 条（其中未分配网格员 %zu 条），县外邻近 %zu 条；"
                     "已核查 %zu 条不再列出。\n",
                  nin, nun, nout, closed);
        li_printf(b, "按乡镇、网格员分组。位置为 WGS84（GPS）坐标；GCJ-02 一行供手机地图使用。\n");
    }
    li_printf(b, "==============================\n");
    if (nm == 0)
        li_printf(b, "%s\n", LI_T(en, "本次没有待核查的疑似秸秆焚烧火点。",
                                  "No suspected straw burning to check."));
    size_t i = 0;
    while (i < nin) {
        const char *town = m[i].x->place.town_code;
        size_t end = i;
        while (end < nin && strcmp(m[end].x->place.town_code, town) == 0)
            end++;
        li_printf(b, en ? "\n== %s (%s): %zu\n" : "\n■ %s（%s）%zu 条\n", m[i].x->place.town_name,
                  town, end - i);
        size_t j = i;
        while (j < end) {
            const fg_officer *of = m[j].of;
            size_t gend = j;
            while (gend < end && li_same_officer(m[gend].of, of))
                gend++;
            if (of) {
                li_printf(b, en ? "> Grid officer %s %s (%zu)\n" : "▶ 网格员 %s %s（%zu 条）\n",
                          of->name, of->phone, gend - j);
            } else {
                const fg_officer *tc = li_town_contact(m, nin, town);
                if (tc)
                    li_printf(b,
                              en ? "> No grid officer assigned (%zu): township contact %s %s and "
                                   "the county office, please send someone\n"
                                 : "▶ 未分配网格员（%zu 条）：请乡镇联系人 %s %s 和县生态环境分局"
                                   "安排核查\n",
                              gend - j, tc->town_contact, tc->town_phone);
                else
                    li_printf(b,
                              en ? "> No grid officer assigned (%zu): township and county office, "
                                   "please send someone\n"
                                 : "▶ 未分配网格员（%zu 条）：请乡镇和县生态环境分局安排核查\n",
                              gend - j);
            }
            for (size_t k = j; k < gend; k++)
                li_message(b, m[k].x, en);
            j = gend;
        }
        i = end;
    }
    if (nout) {
        li_printf(b, en ? "\n== Outside the county, near its boundary (county office): %zu\n"
                        : "\n■ 县外邻近火点（县生态环境分局处理）%zu 条\n",
                  nout);
        for (size_t k = nin; k < nm; k++)
            li_message(b, m[k].x, en);
    }
}

static int li_messages(const char *dir, const fg_incident *const *s, size_t n,
                       const fg_lists_opts *o, int en, fg_ctx *ctx)
{
    char path[LI_PATH_MAX];
    int rc = li_join(path, dir, "officer_messages.txt", ctx);
    if (rc)
        return rc;
    li_msg *m = fg_malloc((n ? n : 1) * sizeof *m);
    if (!m)
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    size_t nm = 0, closed = 0;
    for (size_t i = 0; i < n; i++) {
        if (li_industrial(s[i]))
            continue;
        if (!li_pending(s[i])) {
            closed++;
            continue;
        }
        m[nm].x = s[i];
        m[nm].of = li_officer(o->officers, s[i]);
        nm++;
    }
    if (nm > 1)
        qsort(m, nm, sizeof *m, li_cmp_msg);
    li_buf b = {0};
    li_messages_text(&b, m, nm, closed, en);
    fg_free(m);
    if (b.oom) {
        fg_free(b.p);
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    }
    rc = fg_write_file(path, b.p, b.len, ctx);
    fg_free(b.p);
    return rc;
}

/* ---------------------------------------------------------------- entry */

/* Lists sort incidents by township code, first seen, id: the order a township
 * reads its list in, and independent of the order the ledger returned them. */
static int li_cmp_inc(const void *pa, const void *pb)
{
    const fg_incident *a = *(const fg_incident *const *)pa, *b = *(const fg_incident *const *)pb;
    int c = strcmp(a->place.town_code, b->place.town_code);
    if (!c)
        c = a->first_seen < b->first_seen ? -1 : a->first_seen > b->first_seen;
    if (!c)
        c = strcmp(a->id, b->id);
    return c;
}

/* Codes come from the boundary file: file names keep to [0-9A-Za-z_-]. */
static void li_safe_code(const char *code, char *out, size_t size)
{
    size_t k = 0;
    for (; code[k] && k + 1 < size; k++) {
        char ch = code[k];
        int ok = (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
                 (ch >= 'a' && ch <= 'z') || ch == '_' || ch == '-';
        out[k] = ok ? ch : '_';
    }
    out[k] = '\0';
}

static int li_write_all(const char *dir, const fg_grid *g, const fg_incident *const *s,
                        size_t n, const fg_lists_opts *o, const int want[LI_NFMT], int en,
                        fg_ctx *ctx)
{
    int rc;
    if ((rc = li_incident_list(dir, "county_incidents", want, s, n, o, LI_SEL_COUNTY, NULL, en,
                               ctx)) ||
        (rc = li_summary(dir, want, g, s, n, o, en, ctx)) ||
        (rc = li_incident_list(dir, "county_industrial", want, s, n, o, LI_SEL_INDUSTRIAL, NULL,
                               en, ctx)) ||
        (rc = li_candidates(dir, want, o, en, ctx)))
        return rc;
    size_t nt = fg_grid_township_count(g);
    for (size_t i = 0; i < nt; i++) {
        const char *code = NULL, *name = NULL;
        fg_grid_township(g, i, &code, &name);
        char safe[40], stem[64];
        li_safe_code(code, safe, sizeof safe);
        snprintf(stem, sizeof stem, "township_%s", safe);
        if ((rc = li_incident_list(dir, stem, want, s, n, o, LI_SEL_TOWN, code, en, ctx)))
            return rc;
    }
    if ((rc = li_hotspots(dir, o, ctx)) || (rc = li_messages(dir, s, n, o, en, ctx)))
        return rc;
    return FG_OK;
}

int fg_incident_lists_write(const char *out_dir, const fg_grid *g, const fg_incident *inc,
                            size_t n, const fg_lists_opts *o, fg_ctx *ctx)
{
    static const fg_lists_opts none = {0};
    if (!o)
        o = &none;
    if (!out_dir || !*out_dir || !g || (n && !inc) ||
        (o->hotspots && o->nhotspots && !o->hotspot_incident))
        return fg_ctx_set(ctx, FG_EINVAL,
                          "fg_incident_lists_write: no output folder, grid, incidents or "
                          "hotspot incident ids");
    int en = 0;
    if (o->lang && *o->lang && strcasecmp(o->lang, "zh") != 0) {
        if (strcasecmp(o->lang, "en") != 0)
            return fg_ctx_set(ctx, FG_EINVAL, "unknown language '%s' (known: zh, en)", o->lang);
        en = 1;
    }
    int want[LI_NFMT];
    int rc = li_parse_formats(o->formats, want, ctx);
    if (rc)
        return rc;
    li_gdal_init();
    for (int k = 0; k < LI_NFMT; k++)
        if (want[k] && !GDALGetDriverByName(li_formats[k].driver))
            return fg_ctx_set(ctx, FG_ENOTFOUND, "%s: this GDAL has no %s driver", out_dir,
                              li_formats[k].driver);
    if ((rc = fg_mkdir_p(out_dir, ctx)))
        return rc;
    const fg_incident **s = fg_malloc((n ? n : 1) * sizeof *s);
    if (!s)
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory for %zu incidents", out_dir, n);
    for (size_t i = 0; i < n; i++)
        s[i] = &inc[i];
    if (n > 1)
        qsort(s, n, sizeof *s, li_cmp_inc);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    rc = li_write_all(out_dir, g, s, n, o, want, en, ctx);
    CPLPopErrorHandler();
    fg_free(s);
    return rc;
}
