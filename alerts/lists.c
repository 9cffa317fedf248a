/* lists.c — the alert lists of one run: county and township CSVs, hotspots GeoJSON, grid officers' messages. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

/* Officers read Beijing time (UTC+8, no daylight saving since 1991). */
#define LS_BEIJING_OFFSET_S (8 * 3600)
#define LS_PATH_MAX 4096
#define LS_CELL 704

/* CSV columns, in this order. Officers open these in Excel, so the headers are Chinese
 * and every value is written as text formatted here (bytes stable run to run). */
enum {
    C_ID, C_TIME_BJ, C_TIME_UTC, C_SOURCE, C_SENSOR, C_TOWN, C_TOWN_CODE, C_VILL, C_VILL_CODE,
    C_LON, C_LAT, C_CONF, C_CONF_CLASS, C_FRP, C_SMOKE, C_WHERE, C_EVIDENCE, C_CLASS,
    C_STATIC_ID, C_STATIC_NAME, C_NCOL
};
static const char *const ls_headers[C_NCOL] = {
    "编号", "时间", "UTC时间", "来源", "传感器", "乡镇", "乡镇代码", "村", "村代码", "经度",
    "纬度", "可信度", "可信度等级", "火点功率MW", "烟雾评分", "位置", "证据", "类别",
    "热源编号", "热源名称",
};
#define LS_NCOL_STRAW C_STATIC_ID /* straw lists stop before the heat-source columns */

typedef struct ls_row {
    char c[C_NCOL][LS_CELL];
} ls_row;

static void ls_gdal_init(void)
{
    if (GDALGetDriverCount() == 0)
        GDALAllRegister();
}

/* ------------------------------------------------------------ formatting */

static void ls_beijing(int64_t t, char *out, size_t size)
{
    time_t tt = (time_t)(t + LS_BEIJING_OFFSET_S);
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, size, "?");
        return;
    }
    snprintf(out, size, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min);
}

static const char *ls_base(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\')
            b = p + 1;
    return b;
}

static const char *ls_conf_zh(const fg_hotspot *h)
{
    switch (h->conf_class) {
    case FG_CONF_HIGH: return "高";
    case FG_CONF_NOMINAL: return "中";
    default: return "低";
    }
}

static const char *ls_source_zh(const fg_hotspot *h)
{
    return h->kind == FG_SOURCE_CAMERA ? "摄像头" : "卫星";
}

static void ls_evidence(const fg_hotspot *h, char *out, size_t size)
{
    const char *b = ls_base(h->evidence);
    if (h->kind == FG_SOURCE_CAMERA) {
        if (h->ev_w > 0 && h->ev_h > 0)
            snprintf(out, size, "%s 框 x=%d y=%d w=%d h=%d", b, h->ev_x, h->ev_y, h->ev_w,
                     h->ev_h);
        else
            snprintf(out, size, "%s", b);
    } else {
        if (h->ev_row >= 0 && h->ev_col >= 0)
            snprintf(out, size, "%s 行%d 列%d", b, h->ev_row, h->ev_col);
        else
            snprintf(out, size, "%s", b);
    }
}

/* "县外（邻近新关镇）" for the township column of an outside alert. */
static void ls_town_cell(const fg_alert *a, char *out, size_t size)
{
    if (a->place.inside)
        snprintf(out, size, "%s", a->place.town_name);
    else if (a->place.town_name[0])
        snprintf(out, size, "县外（邻近%s）", a->place.town_name);
    else
        snprintf(out, size, "县外");
}

static void ls_where(const fg_alert *a, char *out, size_t size)
{
    if (a->place.inside)
        snprintf(out, size, "县内");
    else if (isfinite(a->place.distance_m))
        snprintf(out, size, "县外邻近 %s %.1f km", a->place.town_name,
                 a->place.distance_m / 1000.0);
    else
        snprintf(out, size, "县外邻近 %s", a->place.town_name);
}

static void ls_fill_row(const fg_alert *a, ls_row *r)
{
    const fg_hotspot *h = &a->hs;
    char utc[24];
    fg_time_format(h->time_utc, utc);
    snprintf(r->c[C_ID], LS_CELL, "%s", a->id);
    ls_beijing(h->time_utc, r->c[C_TIME_BJ], LS_CELL);
    snprintf(r->c[C_TIME_UTC], LS_CELL, "%s", utc);
    snprintf(r->c[C_SOURCE], LS_CELL, "%s", ls_source_zh(h));
    snprintf(r->c[C_SENSOR], LS_CELL, "%s", h->sensor);
    ls_town_cell(a, r->c[C_TOWN], LS_CELL);
    /* an outside alert belongs to no township of ours: code left empty so that
     * per-township counts in a spreadsheet stay right; 位置 names the neighbour */
    snprintf(r->c[C_TOWN_CODE], LS_CELL, "%s", a->place.inside ? a->place.town_code : "");
    snprintf(r->c[C_VILL], LS_CELL, "%s", a->place.inside ? a->place.vill_name : "");
    snprintf(r->c[C_VILL_CODE], LS_CELL, "%s", a->place.inside ? a->place.vill_code : "");
    snprintf(r->c[C_LON], LS_CELL, "%.5f", h->lon);
    snprintf(r->c[C_LAT], LS_CELL, "%.5f", h->lat);
    snprintf(r->c[C_CONF], LS_CELL, "%d", h->confidence);
    snprintf(r->c[C_CONF_CLASS], LS_CELL, "%s", ls_conf_zh(h));
    if (isfinite(h->frp_mw))
        snprintf(r->c[C_FRP], LS_CELL, "%.1f", (double)h->frp_mw);
    else
        r->c[C_FRP][0] = '\0';
    if (isfinite(h->smoke_score))
        snprintf(r->c[C_SMOKE], LS_CELL, "%.2f", (double)h->smoke_score);
    else
        r->c[C_SMOKE][0] = '\0';
    ls_where(a, r->c[C_WHERE], LS_CELL);
    ls_evidence(h, r->c[C_EVIDENCE], LS_CELL);
    snprintf(r->c[C_CLASS], LS_CELL, "%s",
             a->cls == FG_ALERT_INDUSTRIAL ? "工业热源" : "疑似秸秆焚烧");
    snprintf(r->c[C_STATIC_ID], LS_CELL, "%s", a->static_id);
    snprintf(r->c[C_STATIC_NAME], LS_CELL, "%s", a->static_name);
}

/* ------------------------------------------------------- one file, atomically */

/* Which alerts go into a CSV list. */
typedef struct ls_filter {
    int industrial;          /* 1: FG_ALERT_INDUSTRIAL only; 0: straw only */
    const char *town_code;   /* straw inside this township only; NULL = all */
} ls_filter;

static int ls_take(const fg_alert *a, const ls_filter *f)
{
    if (f->industrial)
        return a->cls == FG_ALERT_INDUSTRIAL;
    if (a->cls != FG_ALERT_STRAW)
        return 0;
    if (f->town_code)
        return a->place.inside && strcmp(a->place.town_code, f->town_code) == 0;
    return 1;
}

/* Closes ds and reports an error raised while flushing. */
static int ls_close(GDALDatasetH ds, const char *path, int rc, fg_ctx *ctx)
{
    CPLErrorReset();
    GDALClose(ds);
    if (rc == FG_OK && CPLGetLastErrorType() >= CE_Failure)
        rc = fg_ctx_set(ctx, FG_EIO, "%s: write failed: %s", path, CPLGetLastErrorMsg());
    return rc;
}

static int ls_csv_body(GDALDatasetH ds, const char *path, const fg_alert *a, size_t n,
                       const ls_filter *flt, fg_ctx *ctx)
{
    char **lco = NULL;
    lco = CSLSetNameValue(lco, "WRITE_BOM", "YES");
    lco = CSLSetNameValue(lco, "LINEFORMAT", "CRLF");
    /* quote only where CSV needs it: every value is text we formatted ourselves */
    lco = CSLSetNameValue(lco, "STRING_QUOTING", "IF_NEEDED");
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "alerts", NULL, wkbNone, lco);
    CSLDestroy(lco);
    if (!lyr)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot create the list: %s", path,
                          CPLGetLastErrorMsg());
    int ncol = flt->industrial ? C_NCOL : LS_NCOL_STRAW;
    for (int i = 0; i < ncol; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(ls_headers[i], OFTString);
        OGRErr e = OGR_L_CreateField(lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE)
            return fg_ctx_set(ctx, FG_EIO, "%s: cannot create column %s", path, ls_headers[i]);
    }
    ls_row *row = fg_malloc(sizeof *row);
    if (!row)
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    int rc = FG_OK;
    for (size_t i = 0; i < n && rc == FG_OK; i++) {
        if (!ls_take(&a[i], flt))
            continue;
        ls_fill_row(&a[i], row);
        OGRFeatureH f = OGR_F_Create(defn);
        if (!f) {
            rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
            break;
        }
        for (int c = 0; c < ncol; c++)
            OGR_F_SetFieldString(f, c, row->c[c]);
        if (OGR_L_CreateFeature(lyr, f) != OGRERR_NONE)
            rc = fg_ctx_set(ctx, FG_EIO, "%s: cannot write alert %s: %s", path, a[i].id,
                            CPLGetLastErrorMsg());
        OGR_F_Destroy(f);
    }
    fg_free(row);
    return rc;
}

/* Creates an OGR dataset at the temporary name of path. */
static int ls_create(const char *driver, const char *path, char *tmp, GDALDatasetH *ds,
                     fg_ctx *ctx)
{
    if (fg_tmp_path(path, tmp, LS_PATH_MAX) != FG_OK)
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

static int ls_write_csv(const char *path, const fg_alert *a, size_t n, const ls_filter *flt,
                        fg_ctx *ctx)
{
    char tmp[LS_PATH_MAX];
    GDALDatasetH ds = NULL;
    int rc = ls_create("CSV", path, tmp, &ds, ctx);
    if (rc)
        return rc;
    rc = ls_csv_body(ds, path, a, n, flt, ctx);
    rc = ls_close(ds, path, rc, ctx);
    if (rc) {
        VSIUnlink(tmp);
        return rc;
    }
    return fg_commit_tmp(tmp, path, ctx);
}

/* ------------------------------------------------------------- GeoJSON */

static const struct {
    const char *name;
    OGRFieldType type;
} ls_gj_fields[] = {
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
#define LS_GJ_NFIELDS (sizeof ls_gj_fields / sizeof ls_gj_fields[0])

/* A float measurement rounded to `decimals` (so the file shows 12.3, not
 * 12.300000190734863), or null when unknown. */
static void ls_set_real(OGRFeatureH f, int i, double v, int decimals)
{
    if (!isfinite(v)) {
        OGR_F_SetFieldNull(f, i);
        return;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%.*f", decimals, v);
    OGR_F_SetFieldDouble(f, i, strtod(buf, NULL));
}

static void ls_set_int(OGRFeatureH f, int i, int v, int null_below_zero)
{
    if (null_below_zero && v < 0)
        OGR_F_SetFieldNull(f, i);
    else
        OGR_F_SetFieldInteger(f, i, v);
}

static void ls_gj_feature(OGRFeatureH f, const fg_alert *a)
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
    ls_set_real(f, k++, h->frp_mw, 2);
    ls_set_real(f, k++, h->bt_mir_k, 2);
    ls_set_real(f, k++, h->bt_tir_k, 2);
    ls_set_real(f, k++, h->smoke_score, 3);
    ls_set_real(f, k++, h->scan_km, 3);
    ls_set_real(f, k++, h->track_km, 3);
    ls_set_real(f, k++, h->bearing_deg, 2);
    ls_set_real(f, k++, h->range_m, 1);
    OGR_F_SetFieldInteger(f, k++, a->place.inside ? 1 : 0);
    OGR_F_SetFieldString(f, k++, h->evidence);
    ls_set_int(f, k++, h->ev_row, 1);
    ls_set_int(f, k++, h->ev_col, 1);
    ls_set_int(f, k++, h->ev_x, 1);
    ls_set_int(f, k++, h->ev_y, 1);
    ls_set_int(f, k++, h->ev_w, 1);
    ls_set_int(f, k++, h->ev_h, 1);
    ls_set_real(f, k++, a->place.inside ? NAN : a->place.distance_m, 1);
    OGR_F_SetFieldString(f, k++, a->static_id);
    OGR_F_SetFieldString(f, k++, a->static_name);
}

static int ls_gj_body(GDALDatasetH ds, const char *path, const fg_alert *a, size_t n,
                      fg_ctx *ctx)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    if (!srs || OSRImportFromEPSG(srs, 4326) != OGRERR_NONE) {
        if (srs)
            OSRDestroySpatialReference(srs);
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: cannot build EPSG:4326", path);
    }
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "hotspots", srs, wkbPoint, NULL);
    OSRDestroySpatialReference(srs);
    if (!lyr)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot create the layer: %s", path,
                          CPLGetLastErrorMsg());
    for (size_t i = 0; i < LS_GJ_NFIELDS; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(ls_gj_fields[i].name, ls_gj_fields[i].type);
        OGRErr e = OGR_L_CreateField(lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE)
            return fg_ctx_set(ctx, FG_EIO, "%s: cannot create field %s", path,
                              ls_gj_fields[i].name);
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    for (size_t i = 0; i < n; i++) {
        OGRFeatureH f = OGR_F_Create(defn);
        OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
        if (!f || !pt) {
            if (f)
                OGR_F_Destroy(f);
            if (pt)
                OGR_G_DestroyGeometry(pt);
            return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
        }
        ls_gj_feature(f, &a[i]);
        if (isfinite(a[i].hs.lat) && isfinite(a[i].hs.lon)) {
            OGR_G_SetPoint_2D(pt, 0, a[i].hs.lon, a[i].hs.lat);
            OGR_F_SetGeometryDirectly(f, pt);
        } else {
            OGR_G_DestroyGeometry(pt);
        }
        OGRErr e = OGR_L_CreateFeature(lyr, f);
        OGR_F_Destroy(f);
        if (e != OGRERR_NONE)
            return fg_ctx_set(ctx, FG_EIO, "%s: cannot write hotspot %s: %s", path, a[i].id,
                              CPLGetLastErrorMsg());
    }
    return FG_OK;
}

static int ls_write_geojson(const char *path, const fg_alert *a, size_t n, fg_ctx *ctx)
{
    char tmp[LS_PATH_MAX];
    GDALDatasetH ds = NULL;
    int rc = ls_create("GeoJSON", path, tmp, &ds, ctx);
    if (rc)
        return rc;
    rc = ls_gj_body(ds, path, a, n, ctx);
    rc = ls_close(ds, path, rc, ctx);
    if (rc) {
        VSIUnlink(tmp);
        return rc;
    }
    return fg_commit_tmp(tmp, path, ctx);
}

/* ----------------------------------------------------- officers' messages */

/* A growing text buffer; on allocation failure it stops growing and remembers. */
typedef struct ls_buf {
    char *p;
    size_t len, cap;
    int oom;
} ls_buf;

static void ls_printf(ls_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void ls_printf(ls_buf *b, const char *fmt, ...)
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
static void ls_short_village(const char *name, char *out, size_t size)
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

static void ls_latlon(ls_buf *b, const fg_hotspot *h)
{
    ls_printf(b, "位置：%s%.5f %s%.5f\n", h->lat < 0 ? "南纬" : "北纬", fabs(h->lat),
              h->lon < 0 ? "西经" : "东经", fabs(h->lon));
}

static void ls_message_tail(ls_buf *b, const fg_alert *a)
{
    const fg_hotspot *h = &a->hs;
    char bj[32];
    ls_beijing(h->time_utc, bj, sizeof bj);
    ls_printf(b, "时间：%s（北京时间）\n", bj);
    ls_latlon(b, h);
    ls_printf(b, "来源：%s %s（可信度 %s %d）\n", ls_source_zh(h), h->sensor, ls_conf_zh(h),
              h->confidence);
    ls_printf(b, "编号：%s\n", a->id);
}

#define LS_SEP "------------------------------\n"

static int ls_cmp_idx_town(const void *pa, const void *pb, const fg_alert *a)
{
    const fg_alert *x = &a[*(const size_t *)pa], *y = &a[*(const size_t *)pb];
    int c = strcmp(x->place.town_code, y->place.town_code);
    if (!c)
        c = strcmp(x->place.vill_code, y->place.vill_code);
    if (!c) {
        size_t i = *(const size_t *)pa, j = *(const size_t *)pb;
        c = i < j ? -1 : i > j;
    }
    return c;
}

/* Insertion sort of an index array (stable, no global comparator state). Alert
 * counts per run are small (tens to hundreds). */
static void ls_sort_idx(size_t *idx, size_t n, const fg_alert *a)
{
    for (size_t i = 1; i < n; i++) {
        size_t v = idx[i], j = i;
        while (j > 0 && ls_cmp_idx_town(&idx[j - 1], &v, a) > 0) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = v;
    }
}

static void ls_messages_text(ls_buf *b, const fg_alert *a, size_t n, size_t *idx)
{
    size_t nin = 0, nout = 0;
    for (size_t i = 0; i < n; i++) {
        if (a[i].cls != FG_ALERT_STRAW)
            continue;
        if (a[i].place.inside)
            idx[nin++] = i;
        else
            nout++;
    }
    ls_sort_idx(idx, nin, a);
    ls_printf(b, "疑似秸秆焚烧火点 核查通知（县内 %zu 条，县外邻近 %zu 条）\n", nin, nout);
    ls_printf(b, "按乡镇、村分组；时间为北京时间。\n");
    ls_printf(b, "==============================\n");
    if (nin == 0 && nout == 0)
        ls_printf(b, "本次没有疑似秸秆焚烧火点。\n");
    const char *town = NULL, *vill = NULL;
    for (size_t k = 0; k < nin; k++) {
        const fg_alert *x = &a[idx[k]];
        if (!town || strcmp(town, x->place.town_code) != 0) {
            size_t cnt = 0;
            for (size_t m = k; m < nin && strcmp(a[idx[m]].place.town_code,
                                                 x->place.town_code) == 0; m++)
                cnt++;
            ls_printf(b, "\n■ %s（%s）%zu 条\n", x->place.town_name, x->place.town_code, cnt);
            town = x->place.town_code;
            vill = NULL;
        }
        char shortv[160];
        ls_short_village(x->place.vill_name, shortv, sizeof shortv);
        if (!vill || strcmp(vill, x->place.vill_code) != 0) {
            ls_printf(b, "▶ %s（%s）\n", shortv, x->place.vill_code);
            vill = x->place.vill_code;
        }
        ls_printf(b, "【疑似秸秆焚烧】%s %s\n", x->place.town_name, shortv);
        ls_message_tail(b, x);
        ls_printf(b, "请立即到现场核查后反馈。\n");
        ls_printf(b, LS_SEP);
    }
    if (nout) {
        ls_printf(b, "\n■ 县外邻近火点（县生态环境分局处理）%zu 条\n", nout);
        for (size_t i = 0; i < n; i++) {
            const fg_alert *x = &a[i];
            if (x->cls != FG_ALERT_STRAW || x->place.inside)
                continue;
            if (isfinite(x->place.distance_m))
                ls_printf(b, "【县外疑似秸秆焚烧】邻近%s 约%.1f km\n", x->place.town_name,
                          x->place.distance_m / 1000.0);
            else
                ls_printf(b, "【县外疑似秸秆焚烧】邻近%s\n", x->place.town_name);
            ls_message_tail(b, x);
            ls_printf(b, "请县生态环境分局与相邻县（区）联系核实。\n");
            ls_printf(b, LS_SEP);
        }
    }
}

static int ls_write_messages(const char *path, const fg_alert *a, size_t n, fg_ctx *ctx)
{
    size_t *idx = fg_malloc((n ? n : 1) * sizeof *idx);
    if (!idx)
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    ls_buf b = {0};
    ls_messages_text(&b, a, n, idx);
    fg_free(idx);
    if (b.oom) {
        fg_free(b.p);
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    }
    int rc = fg_write_file(path, b.p, b.len, ctx);
    fg_free(b.p);
    return rc;
}

/* ---------------------------------------------------------------- entry */

static int ls_join(char *out, const char *dir, const char *name, fg_ctx *ctx)
{
    size_t dl = strlen(dir);
    int slash = dl > 0 && dir[dl - 1] == '/';
    int k = snprintf(out, LS_PATH_MAX, "%s%s%s", dir, slash ? "" : "/", name);
    if (k < 0 || k >= LS_PATH_MAX)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: output path too long", dir);
    return FG_OK;
}

static int ls_write_all(const char *dir, const fg_grid *g, const fg_alert *s, size_t n,
                        fg_ctx *ctx)
{
    char path[LS_PATH_MAX];
    int rc;
    ls_filter county = {0, NULL}, industrial = {1, NULL};
    if ((rc = ls_join(path, dir, "county_alerts.csv", ctx)) ||
        (rc = ls_write_csv(path, s, n, &county, ctx)))
        return rc;
    if ((rc = ls_join(path, dir, "county_industrial.csv", ctx)) ||
        (rc = ls_write_csv(path, s, n, &industrial, ctx)))
        return rc;
    size_t nt = fg_grid_township_count(g);
    for (size_t i = 0; i < nt; i++) {
        const char *code = NULL, *name = NULL;
        fg_grid_township(g, i, &code, &name);
        /* codes come from the boundary file: keep the file name to [0-9A-Za-z_-] */
        char fname[64], safe[33];
        size_t k = 0;
        for (; code[k] && k < sizeof safe - 1; k++) {
            char ch = code[k];
            int ok = (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') ||
                     (ch >= 'a' && ch <= 'z') || ch == '_' || ch == '-';
            safe[k] = ok ? ch : '_';
        }
        safe[k] = '\0';
        snprintf(fname, sizeof fname, "township_%s.csv", safe);
        ls_filter town = {0, code};
        if ((rc = ls_join(path, dir, fname, ctx)) || (rc = ls_write_csv(path, s, n, &town, ctx)))
            return rc;
    }
    if ((rc = ls_join(path, dir, "hotspots.geojson", ctx)) ||
        (rc = ls_write_geojson(path, s, n, ctx)))
        return rc;
    if ((rc = ls_join(path, dir, "officer_messages.txt", ctx)) ||
        (rc = ls_write_messages(path, s, n, ctx)))
        return rc;
    return FG_OK;
}

int fg_lists_write(const char *out_dir, const fg_grid *g, const fg_alert *a, size_t n,
                   fg_ctx *ctx)
{
    if (!out_dir || !*out_dir || (n && !a))
        return fg_ctx_set(ctx, FG_EINVAL, "fg_lists_write: no output directory or alerts");
    ls_gdal_init();
    int rc = fg_mkdir_p(out_dir, ctx);
    if (rc)
        return rc;
    /* a sorted copy: output bytes must not depend on the input order */
    fg_alert *s = fg_malloc((n ? n : 1) * sizeof *s);
    if (!s)
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory for %zu alerts", out_dir, n);
    if (n)
        memcpy(s, a, n * sizeof *s);
    fg_alerts_sort(s, n);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    rc = ls_write_all(out_dir, g, s, n, ctx);
    CPLPopErrorHandler();
    fg_free(s);
    return rc;
}
