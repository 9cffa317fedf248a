/* ledger.c — the incident ledger: a GeoPackage (OGR, SQLite underneath) of incidents, hotspots, inputs, status history and camera states, changed in transactions. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

/*
 * Layout (schema 2):
 *   meta            key, value                      ("schema" = 2)
 *   incidents       Point EPSG:4326, one row per incident id
 *   hotspots        Point EPSG:4326, one row per alert id, with incident_id and run_id
 *   inputs          key, run_id                     (inputs already processed)
 *   status_history  incident_id, time_utc, status, who, comment (feedback rows too)
 *   camera_states   camera_id, state (binary)
 * Times are ISO 8601 UTC text ("2026-10-15T05:40:00Z"), so that QGIS and sqlite3 users
 * read them as they are; unknown numbers are NULL.
 *
 * Schema 0 (the first ledgers, without a meta table) had incidents, hotspots and inputs
 * only, and incidents without cell_id, land_class, period, possible_bonfire,
 * checked_at and last_run. Schema 1 had hotspots without the decision values (background
 * means and deviations, tests passed, window, valid count, camera persistence and
 * blocks); an upgraded ledger keeps them NULL (unknown) for its old hotspots. Opening an
 * older ledger adds what is missing in one transaction.
 *
 * Determinism: the GeoPackage driver stamps gpkg_contents.last_change with the current
 * time unless OGR_CURRENT_DATE is set; the ledger sets it (for its own thread) while a
 * ledger is open, so no wall-clock value enters the file.
 */

#define LG_FIXED_DATE "2000-01-01T00:00:00.000Z"

typedef struct lg_field {
    const char *name;
    OGRFieldType type;
} lg_field;

static const lg_field inc_fields[] = {
    {"id", OFTString},          {"first_seen", OFTString},    {"last_seen", OFTString},
    {"lat", OFTReal},           {"lon", OFTReal},             {"radius_m", OFTReal},
    {"n_hotspots", OFTInteger}, {"source_kinds", OFTInteger}, {"sources", OFTString},
    {"peak_confidence", OFTInteger}, {"peak_frp_mw", OFTReal}, {"town_code", OFTString},
    {"town_name", OFTString},   {"vill_code", OFTString},     {"vill_name", OFTString},
    {"code_year", OFTInteger},  {"inside", OFTInteger},       {"distance_m", OFTReal},
    {"cls", OFTString},         {"static_id", OFTString},     {"static_name", OFTString},
    {"status", OFTString},      {"status_time", OFTString},
    /* schema 1 */
    {"cell_id", OFTString},     {"land_class", OFTString},    {"period", OFTString},
    {"possible_bonfire", OFTInteger}, {"checked_at", OFTString}, {"last_run", OFTString},
};
#define INC_FIELDS_SCHEMA0 23

static const lg_field hs_fields[] = {
    {"alert_id", OFTString},   {"incident_id", OFTString}, {"run_id", OFTString},
    {"kind", OFTString},       {"sensor", OFTString},      {"time_utc", OFTString},
    {"lat", OFTReal},          {"lon", OFTReal},           {"scan_km", OFTReal},
    {"track_km", OFTReal},     {"bearing_deg", OFTReal},   {"range_m", OFTReal},
    {"range_min_m", OFTReal},  {"range_max_m", OFTReal},   {"confidence", OFTInteger},
    {"conf_class", OFTString}, {"frp_mw", OFTReal},        {"bt_mir_k", OFTReal},
    {"bt_tir_k", OFTReal},     {"smoke_score", OFTReal},   {"evidence", OFTString},
    {"ev_row", OFTInteger},    {"ev_col", OFTInteger},     {"ev_x", OFTInteger},
    {"ev_y", OFTInteger},      {"ev_w", OFTInteger},       {"ev_h", OFTInteger},
    {"town_code", OFTString},  {"town_name", OFTString},   {"vill_code", OFTString},
    {"vill_name", OFTString},  {"code_year", OFTInteger},  {"inside", OFTInteger},
    {"distance_m", OFTReal},   {"cls", OFTString},         {"static_id", OFTString},
    {"static_name", OFTString},
    /* schema 2 */
    {"bg_mir_k", OFTReal},     {"bg_tir_k", OFTReal},      {"bg_dt_k", OFTReal},
    {"mad_mir_k", OFTReal},    {"mad_tir_k", OFTReal},     {"mad_dt_k", OFTReal},
    {"tests", OFTInteger},     {"bg_window", OFTInteger},  {"bg_n_valid", OFTInteger},
    {"persisted", OFTInteger}, {"nblocks", OFTInteger},
};
static const lg_field in_fields[] = {{"key", OFTString}, {"run_id", OFTString}};
static const lg_field st_fields[] = {{"incident_id", OFTString}, {"time_utc", OFTString},
                                     {"status", OFTString},      {"who", OFTString},
                                     {"comment", OFTString}};
static const lg_field cs_fields[] = {{"camera_id", OFTString}, {"state", OFTBinary}};
static const lg_field meta_fields[] = {{"key", OFTString}, {"value", OFTString}};

typedef struct lg_layer_spec {
    const char *name;
    int point;
    const lg_field *f;
    size_t nf;
    const char *index_col; /* lookups by this column get an index */
} lg_layer_spec;

#define NF(a) (sizeof a / sizeof a[0])
enum { L_META, L_INC, L_HS, L_IN, L_ST, L_CS, L_COUNT };
static const lg_layer_spec specs[L_COUNT] = {
    {"meta", 0, meta_fields, NF(meta_fields), "key"},
    {"incidents", 1, inc_fields, NF(inc_fields), "id"},
    {"hotspots", 1, hs_fields, NF(hs_fields), "alert_id"},
    {"inputs", 0, in_fields, NF(in_fields), "key"},
    {"status_history", 0, st_fields, NF(st_fields), "incident_id"},
    {"camera_states", 0, cs_fields, NF(cs_fields), "camera_id"},
};

struct fg_ledger {
    GDALDatasetH ds;
    OGRLayerH lyr[L_COUNT];
    int in_tx;
    char path[1024];
};

static _Thread_local int lg_open_count;

static void lg_date_pin(void)
{
    if (lg_open_count++ == 0)
        CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", LG_FIXED_DATE);
}

static void lg_date_unpin(void)
{
    if (lg_open_count > 0 && --lg_open_count == 0)
        CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", NULL);
}

static const char *lg_gdal_msg(void)
{
    const char *m = CPLGetLastErrorMsg();
    return m && *m ? m : "unknown GDAL error";
}

static int lg_fail(fg_ledger *l, fg_ctx *ctx, int code, const char *what)
{
    return fg_ctx_set(ctx, code, "%s: %s: %s", l->path, what, lg_gdal_msg());
}

/* ------------------------------------------------------------- schema */

static int lg_ensure_fields(OGRLayerH lyr, const lg_layer_spec *s)
{
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(lyr);
    for (size_t i = 0; i < s->nf; i++) {
        if (OGR_FD_GetFieldIndex(d, s->f[i].name) >= 0)
            continue;
        OGRFieldDefnH fd = OGR_Fld_Create(s->f[i].name, s->f[i].type);
        OGRErr e = OGR_L_CreateField(lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE)
            return -1;
    }
    return 0;
}

static int lg_ensure_layer(GDALDatasetH ds, const lg_layer_spec *s, size_t nfields,
                           OGRLayerH *out)
{
    OGRLayerH lyr = GDALDatasetGetLayerByName(ds, s->name);
    if (!lyr) {
        OGRSpatialReferenceH srs = NULL;
        if (s->point) {
            srs = OSRNewSpatialReference(NULL);
            OSRImportFromEPSG(srs, 4326);
            OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
        }
        char **opts = NULL;
        opts = CSLSetNameValue(opts, "FID", "fid");
        if (s->point)
            opts = CSLSetNameValue(opts, "GEOMETRY_NAME", "geom");
        lyr = GDALDatasetCreateLayer(ds, s->name, srs, s->point ? wkbPoint : wkbNone, opts);
        CSLDestroy(opts);
        if (srs)
            OSRDestroySpatialReference(srs);
        if (!lyr)
            return -1;
    }
    lg_layer_spec sub = *s;
    sub.nf = nfields;
    if (lg_ensure_fields(lyr, &sub) != 0)
        return -1;
    *out = lyr;
    return 0;
}

static int lg_exec(GDALDatasetH ds, const char *sql)
{
    CPLErrorReset();
    OGRLayerH r = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
    if (r)
        GDALDatasetReleaseResultSet(ds, r);
    return CPLGetLastErrorType() >= CE_Failure ? -1 : 0;
}

/* Creates every missing layer, field and index, and records the schema version. Runs
 * inside the caller's transaction. */
static int lg_ensure_schema(fg_ledger *l, fg_ctx *ctx)
{
    for (int i = 0; i < L_COUNT; i++) {
        if (lg_ensure_layer(l->ds, &specs[i], specs[i].nf, &l->lyr[i]) != 0)
            return lg_fail(l, ctx, FG_EIO, "cannot create the ledger tables");
        char sql[256];
        snprintf(sql, sizeof sql, "CREATE INDEX IF NOT EXISTS \"ix_%s_%s\" ON \"%s\"(\"%s\")",
                 specs[i].name, specs[i].index_col, specs[i].name, specs[i].index_col);
        if (lg_exec(l->ds, sql) != 0)
            return lg_fail(l, ctx, FG_EIO, "cannot index the ledger");
    }
    if (lg_exec(l->ds, "CREATE INDEX IF NOT EXISTS \"ix_hotspots_incident_id\" ON "
                       "\"hotspots\"(\"incident_id\")") != 0)
        return lg_fail(l, ctx, FG_EIO, "cannot index the ledger");
    char sql[128];
    if (lg_exec(l->ds, "DELETE FROM meta WHERE key = 'schema'") != 0)
        return lg_fail(l, ctx, FG_EIO, "cannot write the schema version");
    snprintf(sql, sizeof sql, "INSERT INTO meta (key, value) VALUES ('schema', '%d')",
             FG_LEDGER_SCHEMA);
    if (lg_exec(l->ds, sql) != 0)
        return lg_fail(l, ctx, FG_EIO, "cannot write the schema version");
    return FG_OK;
}

/* Schema version of an open ledger: 0 without a meta table but with incidents, -1 when
 * it is not a firegrid ledger, -2 when the recorded version is not a number. */
static int lg_schema_of(GDALDatasetH ds, int *version)
{
    OGRLayerH meta = GDALDatasetGetLayerByName(ds, "meta");
    if (!meta) {
        *version = 0;
        return GDALDatasetGetLayerByName(ds, "incidents") &&
                       GDALDatasetGetLayerByName(ds, "hotspots")
                   ? 0
                   : -1;
    }
    int iv = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(meta), "value");
    if (OGR_L_SetAttributeFilter(meta, "key = 'schema'") != OGRERR_NONE || iv < 0)
        return -1;
    OGR_L_ResetReading(meta);
    OGRFeatureH f = OGR_L_GetNextFeature(meta);
    int rc = -1;
    if (f) {
        const char *v = OGR_F_GetFieldAsString(f, iv);
        char *end;
        long x = strtol(v, &end, 10);
        if (*v && !*end && x >= 0 && x < 1000000) {
            *version = (int)x;
            rc = 0;
        } else {
            rc = -2;
        }
        OGR_F_Destroy(f);
    }
    OGR_L_SetAttributeFilter(meta, NULL);
    return rc;
}

/* A new ledger is made whole under a temporary name and renamed into place, so that a
 * run killed while creating it leaves either no ledger or a complete one. */
static int lg_create(const char *path, fg_ctx *ctx)
{
    char tmp[4096];
    if (fg_tmp_path(path, tmp, sizeof tmp) != FG_OK)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: path too long", path);
    unlink(tmp);
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    if (!drv)
        return fg_ctx_set(ctx, FG_EIO, "%s: GDAL has no GPKG driver", path);
    GDALDatasetH ds = GDALCreate(drv, tmp, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot create the ledger: %s", path, lg_gdal_msg());
    fg_ledger l = {.ds = ds};
    snprintf(l.path, sizeof l.path, "%s", path);
    int rc = FG_OK;
    if (GDALDatasetStartTransaction(ds, FALSE) != OGRERR_NONE)
        rc = lg_fail(&l, ctx, FG_EIO, "cannot start a transaction");
    if (rc == FG_OK && (rc = lg_ensure_schema(&l, ctx)) == FG_OK &&
        GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
        rc = lg_fail(&l, ctx, FG_EIO, "cannot commit the new ledger");
    CPLErrorReset();
    GDALClose(ds);
    if (rc == FG_OK && CPLGetLastErrorType() >= CE_Failure)
        rc = lg_fail(&l, ctx, FG_EIO, "cannot close the new ledger");
    if (rc != FG_OK) {
        unlink(tmp);
        return rc;
    }
    fg_ctx c2 = {0};
    if (fg_commit_tmp(tmp, path, &c2) != FG_OK)
        return fg_ctx_set(ctx, FG_EIO, "%s", c2.msg);
    return FG_OK;
}

int fg_ledger_open(const char *path, fg_ledger **out, fg_ctx *ctx)
{
    if (!path || !*path || !out)
        return fg_ctx_set(ctx, FG_EINVAL, "ledger: no path");
    if (strlen(path) >= sizeof((fg_ledger *)0)->path)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: path too long", path);
    if (GDALGetDriverCount() == 0)
        GDALAllRegister();
    lg_date_pin();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    int rc = FG_OK;
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno != ENOENT)
            rc = fg_ctx_set(ctx, FG_EIO, "%s: %s", path, strerror(errno));
        else
            rc = lg_create(path, ctx);
    } else if (!S_ISREG(st.st_mode)) {
        rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: not a regular file, not a ledger", path);
    }
    fg_ledger *l = NULL;
    if (rc == FG_OK && !(l = fg_calloc(1, sizeof *l)))
        rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    if (rc == FG_OK) {
        snprintf(l->path, sizeof l->path, "%s", path);
        const char *drivers[] = {"GPKG", NULL};
        l->ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, NULL, NULL);
        if (!l->ds)
            rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: not a GeoPackage ledger: %s", path,
                            lg_gdal_msg());
    }
    int version = 0;
    if (rc == FG_OK) {
        int s = lg_schema_of(l->ds, &version);
        if (s == -1)
            rc = fg_ctx_set(ctx, FG_EFORMAT,
                            "%s: a GeoPackage but not a firegrid ledger (no meta or incidents "
                            "table)",
                            path);
        else if (s == -2)
            rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: unrecognised ledger schema version", path);
        else if (version > FG_LEDGER_SCHEMA)
            rc = fg_ctx_set(ctx, FG_EFORMAT,
                            "%s: ledger schema %d is newer than this firegrid's (%d); use a "
                            "newer firegrid",
                            path, version, FG_LEDGER_SCHEMA);
    }
    if (rc == FG_OK && version < FG_LEDGER_SCHEMA) {
        /* upgrade: everything missing is added in one transaction */
        if (GDALDatasetStartTransaction(l->ds, FALSE) != OGRERR_NONE)
            rc = lg_fail(l, ctx, FG_EIO, "cannot start the schema upgrade");
        else if ((rc = lg_ensure_schema(l, ctx)) != FG_OK)
            GDALDatasetRollbackTransaction(l->ds);
        else if (GDALDatasetCommitTransaction(l->ds) != OGRERR_NONE)
            rc = lg_fail(l, ctx, FG_EIO, "cannot commit the schema upgrade");
        if (rc != FG_OK)
            fg_ctx_prefix(ctx, "upgrading from schema %d", version);
    }
    for (int i = 0; rc == FG_OK && i < L_COUNT; i++) {
        l->lyr[i] = GDALDatasetGetLayerByName(l->ds, specs[i].name);
        OGRFeatureDefnH d = l->lyr[i] ? OGR_L_GetLayerDefn(l->lyr[i]) : NULL;
        for (size_t k = 0; d && k < specs[i].nf; k++)
            if (OGR_FD_GetFieldIndex(d, specs[i].f[k].name) < 0)
                d = NULL;
        if (!d)
            rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: table %s is missing or lacks columns", path,
                            specs[i].name);
    }
    CPLPopErrorHandler();
    if (rc != FG_OK) {
        if (l && l->ds)
            GDALClose(l->ds);
        fg_free(l);
        lg_date_unpin();
        return rc;
    }
    *out = l;
    return FG_OK;
}

void fg_ledger_close(fg_ledger *l)
{
    if (!l)
        return;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    if (l->in_tx)
        GDALDatasetRollbackTransaction(l->ds);
    GDALClose(l->ds);
    CPLPopErrorHandler();
    fg_free(l);
    lg_date_unpin();
}

int fg_ledger_begin(fg_ledger *l, fg_ctx *ctx)
{
    if (l->in_tx)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: a transaction is already open", l->path);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    OGRErr e = GDALDatasetStartTransaction(l->ds, FALSE);
    CPLPopErrorHandler();
    if (e != OGRERR_NONE)
        return lg_fail(l, ctx, FG_EIO, "cannot start a transaction");
    l->in_tx = 1;
    return FG_OK;
}

int fg_ledger_commit(fg_ledger *l, fg_ctx *ctx)
{
    if (!l->in_tx)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: no transaction to commit", l->path);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    OGRErr e = GDALDatasetCommitTransaction(l->ds);
    int rc = FG_OK;
    if (e != OGRERR_NONE) {
        /* SQLite keeps the transaction open when COMMIT fails (disk full): undo it so the
         * ledger stays as the previous commit left it */
        rc = lg_fail(l, ctx, FG_EIO, "cannot commit (nothing of this run recorded)");
        GDALDatasetRollbackTransaction(l->ds);
    }
    CPLPopErrorHandler();
    l->in_tx = 0;
    return rc;
}

void fg_ledger_rollback(fg_ledger *l)
{
    if (!l || !l->in_tx)
        return;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetRollbackTransaction(l->ds);
    CPLPopErrorHandler();
    l->in_tx = 0;
}

/* ------------------------------------------------------------- helpers */

/* "col = 'value'" with the value's quotes doubled (SQL literal). */
static int lg_filter(char *buf, size_t size, const char *col, const char *value)
{
    size_t k = (size_t)snprintf(buf, size, "%s = '", col);
    for (const char *p = value; *p; p++) {
        if (k + 3 >= size)
            return -1;
        if (*p == '\'')
            buf[k++] = '\'';
        buf[k++] = *p;
    }
    if (k + 2 >= size)
        return -1;
    buf[k++] = '\'';
    buf[k] = '\0';
    return 0;
}

static int lg_idx(OGRFeatureH f, const char *name)
{
    return OGR_F_GetFieldIndex(f, name);
}

static void lg_set_str(OGRFeatureH f, const char *name, const char *v)
{
    int i = lg_idx(f, name);
    if (i >= 0)
        OGR_F_SetFieldString(f, i, v ? v : "");
}

static void lg_set_int(OGRFeatureH f, const char *name, int v)
{
    int i = lg_idx(f, name);
    if (i >= 0)
        OGR_F_SetFieldInteger(f, i, v);
}

/* NaN and infinities are stored as NULL. */
static void lg_set_real(OGRFeatureH f, const char *name, double v)
{
    int i = lg_idx(f, name);
    if (i < 0)
        return;
    if (isfinite(v))
        OGR_F_SetFieldDouble(f, i, v);
    else
        OGR_F_SetFieldNull(f, i);
}

/* Counts and sizes: negative (unknown) is stored as NULL. */
static void lg_set_count(OGRFeatureH f, const char *name, int v)
{
    int i = lg_idx(f, name);
    if (i < 0)
        return;
    if (v >= 0)
        OGR_F_SetFieldInteger(f, i, v);
    else
        OGR_F_SetFieldNull(f, i);
}

static void lg_set_time(OGRFeatureH f, const char *name, int64_t t, int zero_is_null)
{
    int i = lg_idx(f, name);
    if (i < 0)
        return;
    if (zero_is_null && t == 0) {
        OGR_F_SetFieldNull(f, i);
        return;
    }
    char s[24];
    fg_time_format(t, s);
    OGR_F_SetFieldString(f, i, s);
}

static int lg_has(OGRFeatureH f, const char *name, int *i)
{
    *i = lg_idx(f, name);
    return *i >= 0 && OGR_F_IsFieldSetAndNotNull(f, *i);
}

static void lg_get_str(OGRFeatureH f, const char *name, char *out, size_t size)
{
    int i;
    snprintf(out, size, "%s", lg_has(f, name, &i) ? OGR_F_GetFieldAsString(f, i) : "");
}

static int lg_get_int(OGRFeatureH f, const char *name, int dflt)
{
    int i;
    return lg_has(f, name, &i) ? OGR_F_GetFieldAsInteger(f, i) : dflt;
}

static double lg_get_real(OGRFeatureH f, const char *name)
{
    int i;
    return lg_has(f, name, &i) ? OGR_F_GetFieldAsDouble(f, i) : NAN;
}

static int64_t lg_get_time(OGRFeatureH f, const char *name)
{
    int i;
    int64_t t = 0;
    if (lg_has(f, name, &i) && fg_time_parse(OGR_F_GetFieldAsString(f, i), &t) != FG_OK)
        t = 0;
    return t;
}

static int lg_set_point(OGRFeatureH f, double lat, double lon)
{
    if (!isfinite(lat) || !isfinite(lon))
        return 0;
    OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
    if (!g)
        return -1;
    OGR_G_SetPoint_2D(g, 0, lon, lat);
    OGRErr e = OGR_F_SetGeometryDirectly(f, g);
    return e == OGRERR_NONE ? 0 : -1;
}

/* FID of the row whose col equals value, or OGRNullFID. */
static GIntBig lg_find(OGRLayerH lyr, const char *col, const char *value, int *err)
{
    char flt[1400];
    *err = 0;
    if (lg_filter(flt, sizeof flt, col, value) != 0) {
        *err = 1;
        return OGRNullFID;
    }
    if (OGR_L_SetAttributeFilter(lyr, flt) != OGRERR_NONE) {
        *err = 1;
        return OGRNullFID;
    }
    OGR_L_ResetReading(lyr);
    OGRFeatureH f = OGR_L_GetNextFeature(lyr);
    GIntBig fid = OGRNullFID;
    if (f) {
        fid = OGR_F_GetFID(f);
        OGR_F_Destroy(f);
    }
    OGR_L_SetAttributeFilter(lyr, NULL);
    return fid;
}

/* Inserts f, or replaces the row with this FID. */
static OGRErr lg_upsert(OGRLayerH lyr, OGRFeatureH f, GIntBig fid)
{
    if (fid != OGRNullFID) {
        OGR_F_SetFID(f, fid);
        return OGR_L_SetFeature(lyr, f);
    }
    return OGR_L_CreateFeature(lyr, f);
}

/* ------------------------------------------------------------- inputs */

int fg_input_key(const char *kind, const char *path, char *key, size_t keysize, fg_ctx *ctx)
{
    struct stat st;
    if (!kind || !path || !key)
        return fg_ctx_set(ctx, FG_EINVAL, "input key: missing kind or path");
    if (stat(path, &st) != 0)
        return fg_ctx_set(ctx, errno == ENOENT ? FG_ENOTFOUND : FG_EIO, "%s: %s", path,
                          strerror(errno));
    int n = snprintf(key, keysize, "%s:%s:%lld:%lld", kind, path, (long long)st.st_size,
                     (long long)st.st_mtime);
    if (n < 0 || (size_t)n >= keysize)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: input key too long", path);
    return FG_OK;
}

int fg_ledger_input_seen(fg_ledger *l, const char *key, int *seen, fg_ctx *ctx)
{
    int err;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GIntBig fid = lg_find(l->lyr[L_IN], "key", key, &err);
    CPLPopErrorHandler();
    if (err)
        return lg_fail(l, ctx, FG_EIO, "cannot look up an input");
    *seen = fid != OGRNullFID;
    return FG_OK;
}

int fg_ledger_input_add(fg_ledger *l, const char *key, const char *run_id, fg_ctx *ctx)
{
    int seen = 0, rc = fg_ledger_input_seen(l, key, &seen, ctx);
    if (rc != FG_OK || seen)
        return rc;
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l->lyr[L_IN]));
    if (!f)
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", l->path);
    lg_set_str(f, "key", key);
    lg_set_str(f, "run_id", run_id);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    OGRErr e = OGR_L_CreateFeature(l->lyr[L_IN], f);
    CPLPopErrorHandler();
    OGR_F_Destroy(f);
    return e == OGRERR_NONE ? FG_OK : lg_fail(l, ctx, FG_EIO, "cannot record an input");
}

/* ------------------------------------------------------------- hotspots */

static const char *lg_cls_name(fg_alert_class c)
{
    return c == FG_ALERT_INDUSTRIAL ? "industrial" : "straw";
}

static fg_alert_class lg_cls_of(const char *s)
{
    return strcmp(s, "industrial") == 0 ? FG_ALERT_INDUSTRIAL : FG_ALERT_STRAW;
}

static void lg_put_place(OGRFeatureH f, const fg_place *p)
{
    lg_set_str(f, "town_code", p->town_code);
    lg_set_str(f, "town_name", p->town_name);
    lg_set_str(f, "vill_code", p->vill_code);
    lg_set_str(f, "vill_name", p->vill_name);
    lg_set_int(f, "code_year", p->code_year);
    lg_set_int(f, "inside", p->inside);
    lg_set_real(f, "distance_m", p->distance_m);
}

static void lg_get_place(OGRFeatureH f, fg_place *p)
{
    memset(p, 0, sizeof *p);
    lg_get_str(f, "town_code", p->town_code, sizeof p->town_code);
    lg_get_str(f, "town_name", p->town_name, sizeof p->town_name);
    lg_get_str(f, "vill_code", p->vill_code, sizeof p->vill_code);
    lg_get_str(f, "vill_name", p->vill_name, sizeof p->vill_name);
    p->code_year = lg_get_int(f, "code_year", 0);
    p->inside = lg_get_int(f, "inside", 0);
    p->distance_m = lg_get_real(f, "distance_m");
    if (p->inside && !isfinite(p->distance_m))
        p->distance_m = 0;
}

int fg_ledger_hotspot_add(fg_ledger *l, const fg_alert *a, const char *incident_id,
                          const char *run_id, fg_ctx *ctx)
{
    const fg_hotspot *h = &a->hs;
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l->lyr[L_HS]));
    if (!f)
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", l->path);
    lg_set_str(f, "alert_id", a->id);
    lg_set_str(f, "incident_id", incident_id);
    lg_set_str(f, "run_id", run_id);
    lg_set_str(f, "kind", h->kind == FG_SOURCE_CAMERA ? "camera" : "satellite");
    lg_set_str(f, "sensor", h->sensor);
    lg_set_time(f, "time_utc", h->time_utc, 0);
    lg_set_real(f, "lat", h->lat);
    lg_set_real(f, "lon", h->lon);
    lg_set_real(f, "scan_km", h->scan_km);
    lg_set_real(f, "track_km", h->track_km);
    lg_set_real(f, "bearing_deg", h->bearing_deg);
    lg_set_real(f, "range_m", h->range_m);
    lg_set_real(f, "range_min_m", h->range_min_m);
    lg_set_real(f, "range_max_m", h->range_max_m);
    lg_set_int(f, "confidence", h->confidence);
    lg_set_str(f, "conf_class", fg_conf_class_name(h->conf_class));
    lg_set_real(f, "frp_mw", h->frp_mw);
    lg_set_real(f, "bt_mir_k", h->bt_mir_k);
    lg_set_real(f, "bt_tir_k", h->bt_tir_k);
    lg_set_real(f, "smoke_score", h->smoke_score);
    lg_set_real(f, "bg_mir_k", h->bg_mir_k);
    lg_set_real(f, "bg_tir_k", h->bg_tir_k);
    lg_set_real(f, "bg_dt_k", h->bg_dt_k);
    lg_set_real(f, "mad_mir_k", h->mad_mir_k);
    lg_set_real(f, "mad_tir_k", h->mad_tir_k);
    lg_set_real(f, "mad_dt_k", h->mad_dt_k);
    /* the test bits are known once a detector recorded its background window */
    lg_set_count(f, "tests", h->tests || h->window >= 0 ? (int)(h->tests & 0x7fffffffu) : -1);
    lg_set_count(f, "bg_window", h->window);
    lg_set_count(f, "bg_n_valid", h->n_valid);
    lg_set_count(f, "persisted", h->persisted);
    lg_set_count(f, "nblocks", h->nblocks);
    lg_set_str(f, "evidence", h->evidence);
    lg_set_int(f, "ev_row", h->ev_row);
    lg_set_int(f, "ev_col", h->ev_col);
    lg_set_int(f, "ev_x", h->ev_x);
    lg_set_int(f, "ev_y", h->ev_y);
    lg_set_int(f, "ev_w", h->ev_w);
    lg_set_int(f, "ev_h", h->ev_h);
    lg_put_place(f, &a->place);
    lg_set_str(f, "cls", lg_cls_name(a->cls));
    lg_set_str(f, "static_id", a->static_id);
    lg_set_str(f, "static_name", a->static_name);
    int rc = FG_OK;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    int err = 0;
    GIntBig fid = lg_find(l->lyr[L_HS], "alert_id", a->id, &err);
    if (err || lg_set_point(f, h->lat, h->lon) != 0 ||
        lg_upsert(l->lyr[L_HS], f, fid) != OGRERR_NONE)
        rc = lg_fail(l, ctx, FG_EIO, "cannot record a hotspot");
    CPLPopErrorHandler();
    OGR_F_Destroy(f);
    return rc;
}

static void lg_read_alert(OGRFeatureH f, fg_alert *a)
{
    memset(a, 0, sizeof *a);
    char kind[16];
    lg_get_str(f, "kind", kind, sizeof kind);
    fg_hotspot *h = &a->hs;
    fg_hotspot_init(h, strcmp(kind, "camera") == 0 ? FG_SOURCE_CAMERA : FG_SOURCE_SATELLITE);
    lg_get_str(f, "alert_id", a->id, sizeof a->id);
    lg_get_str(f, "sensor", h->sensor, sizeof h->sensor);
    h->time_utc = lg_get_time(f, "time_utc");
    h->lat = lg_get_real(f, "lat");
    h->lon = lg_get_real(f, "lon");
    h->scan_km = (float)lg_get_real(f, "scan_km");
    h->track_km = (float)lg_get_real(f, "track_km");
    h->bearing_deg = (float)lg_get_real(f, "bearing_deg");
    h->range_m = (float)lg_get_real(f, "range_m");
    h->range_min_m = (float)lg_get_real(f, "range_min_m");
    h->range_max_m = (float)lg_get_real(f, "range_max_m");
    h->confidence = lg_get_int(f, "confidence", 0);
    h->conf_class = fg_conf_class_of(h->confidence);
    h->frp_mw = (float)lg_get_real(f, "frp_mw");
    h->bt_mir_k = (float)lg_get_real(f, "bt_mir_k");
    h->bt_tir_k = (float)lg_get_real(f, "bt_tir_k");
    h->smoke_score = (float)lg_get_real(f, "smoke_score");
    h->bg_mir_k = (float)lg_get_real(f, "bg_mir_k");
    h->bg_tir_k = (float)lg_get_real(f, "bg_tir_k");
    h->bg_dt_k = (float)lg_get_real(f, "bg_dt_k");
    h->mad_mir_k = (float)lg_get_real(f, "mad_mir_k");
    h->mad_tir_k = (float)lg_get_real(f, "mad_tir_k");
    h->mad_dt_k = (float)lg_get_real(f, "mad_dt_k");
    h->tests = (unsigned)lg_get_int(f, "tests", 0);
    h->window = lg_get_int(f, "bg_window", -1);
    h->n_valid = lg_get_int(f, "bg_n_valid", -1);
    h->persisted = lg_get_int(f, "persisted", -1);
    h->nblocks = lg_get_int(f, "nblocks", -1);
    lg_get_str(f, "evidence", h->evidence, sizeof h->evidence);
    h->ev_row = lg_get_int(f, "ev_row", -1);
    h->ev_col = lg_get_int(f, "ev_col", -1);
    h->ev_x = lg_get_int(f, "ev_x", -1);
    h->ev_y = lg_get_int(f, "ev_y", -1);
    h->ev_w = lg_get_int(f, "ev_w", -1);
    h->ev_h = lg_get_int(f, "ev_h", -1);
    lg_get_place(f, &a->place);
    char cls[16];
    lg_get_str(f, "cls", cls, sizeof cls);
    a->cls = lg_cls_of(cls);
    lg_get_str(f, "static_id", a->static_id, sizeof a->static_id);
    lg_get_str(f, "static_name", a->static_name, sizeof a->static_name);
}

/* Reads the features of lyr that pass the attribute filter flt (NULL = all) into a
 * growing array of elem-byte records filled by read(); *out NULL when none. On
 * failure nothing is returned and ctx names the ledger and the problem. */
static int lg_collect(fg_ledger *l, OGRLayerH lyr, const char *flt, size_t elem,
                      void (*read)(OGRFeatureH f, void *rec), const char *what, void **out,
                      size_t *n, fg_ctx *ctx)
{
    unsigned char *v = NULL;
    size_t cnt = 0, cap = 0;
    int rc = FG_OK;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    if (OGR_L_SetAttributeFilter(lyr, flt) != OGRERR_NONE) {
        rc = lg_fail(l, ctx, FG_EIO, what);
    } else {
        OGR_L_ResetReading(lyr);
        OGRFeatureH f;
        while ((f = OGR_L_GetNextFeature(lyr))) {
            if (cnt == cap) {
                cap = cap ? cap * 2 : 16;
                unsigned char *nv = fg_realloc(v, cap * elem);
                if (!nv) {
                    OGR_F_Destroy(f);
                    rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", l->path);
                    break;
                }
                v = nv;
            }
            memset(v + cnt * elem, 0, elem);
            read(f, v + cnt * elem);
            cnt++;
            OGR_F_Destroy(f);
        }
        OGR_L_SetAttributeFilter(lyr, NULL);
    }
    CPLPopErrorHandler();
    if (rc != FG_OK) {
        fg_free(v);
        return rc;
    }
    *out = v;
    *n = cnt;
    return FG_OK;
}

static void lg_read_alert_rec(OGRFeatureH f, void *rec) { lg_read_alert(f, rec); }

int fg_ledger_hotspots_of(fg_ledger *l, const char *incident_id, fg_alert **out, size_t *n,
                          fg_ctx *ctx)
{
    char flt[256];
    if (incident_id && lg_filter(flt, sizeof flt, "incident_id", incident_id) != 0)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: incident id too long", l->path);
    void *v = NULL;
    size_t cnt = 0;
    int rc = lg_collect(l, l->lyr[L_HS], incident_id ? flt : NULL, sizeof(fg_alert),
                        lg_read_alert_rec, "cannot query hotspots", &v, &cnt, ctx);
    if (rc != FG_OK)
        return rc;
    fg_alerts_sort(v, cnt);
    *out = v;
    *n = cnt;
    return FG_OK;
}

/* ------------------------------------------------------------- incidents */

static fg_incident_status lg_status_of(const char *s)
{
    for (int k = FG_INC_NEW; k <= FG_INC_OUT; k++)
        if (strcmp(s, fg_incident_status_name((fg_incident_status)k, "en")) == 0)
            return (fg_incident_status)k;
    return FG_INC_ONGOING;
}

static void lg_read_incident(OGRFeatureH f, fg_incident *x)
{
    memset(x, 0, sizeof *x);
    lg_get_str(f, "id", x->id, sizeof x->id);
    x->first_seen = lg_get_time(f, "first_seen");
    x->last_seen = lg_get_time(f, "last_seen");
    x->lat = lg_get_real(f, "lat");
    x->lon = lg_get_real(f, "lon");
    x->radius_m = lg_get_real(f, "radius_m");
    x->n_hotspots = lg_get_int(f, "n_hotspots", 0);
    x->source_kinds = (unsigned)lg_get_int(f, "source_kinds", 0);
    lg_get_str(f, "sources", x->sources, sizeof x->sources);
    x->peak_confidence = lg_get_int(f, "peak_confidence", 0);
    x->peak_frp_mw = (float)lg_get_real(f, "peak_frp_mw");
    lg_get_place(f, &x->place);
    lg_get_str(f, "cell_id", x->cell_id, sizeof x->cell_id);
    lg_get_str(f, "land_class", x->land_class, sizeof x->land_class);
    char s[24];
    lg_get_str(f, "cls", s, sizeof s);
    x->cls = lg_cls_of(s);
    lg_get_str(f, "static_id", x->static_id, sizeof x->static_id);
    lg_get_str(f, "static_name", x->static_name, sizeof x->static_name);
    lg_get_str(f, "status", s, sizeof s);
    x->status = lg_status_of(s);
    x->status_time = lg_get_time(f, "status_time");
    lg_get_str(f, "period", x->period, sizeof x->period);
    x->possible_bonfire = lg_get_int(f, "possible_bonfire", 0);
    x->checked_at = lg_get_time(f, "checked_at");
    lg_get_str(f, "last_run", x->last_run, sizeof x->last_run);
}

static int lg_cmp_incident(const void *pa, const void *pb)
{
    const fg_incident *a = pa, *b = pb;
    if (a->first_seen != b->first_seen)
        return a->first_seen < b->first_seen ? -1 : 1;
    return strcmp(a->id, b->id);
}

static void lg_read_incident_rec(OGRFeatureH f, void *rec) { lg_read_incident(f, rec); }

int fg_ledger_incidents(fg_ledger *l, fg_incident **out, size_t *n, fg_ctx *ctx)
{
    void *v = NULL;
    size_t cnt = 0;
    int rc = lg_collect(l, l->lyr[L_INC], NULL, sizeof(fg_incident), lg_read_incident_rec,
                        "cannot read incidents", &v, &cnt, ctx);
    if (rc != FG_OK)
        return rc;
    if (cnt > 1)
        qsort(v, cnt, sizeof(fg_incident), lg_cmp_incident);
    *out = v;
    *n = cnt;
    return FG_OK;
}

int fg_ledger_incident_put(fg_ledger *l, const fg_incident *x, fg_ctx *ctx)
{
    if (!x->id[0])
        return fg_ctx_set(ctx, FG_EINVAL, "%s: incident without an id", l->path);
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l->lyr[L_INC]));
    if (!f)
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", l->path);
    lg_set_str(f, "id", x->id);
    lg_set_time(f, "first_seen", x->first_seen, 0);
    lg_set_time(f, "last_seen", x->last_seen, 0);
    lg_set_real(f, "lat", x->lat);
    lg_set_real(f, "lon", x->lon);
    lg_set_real(f, "radius_m", x->radius_m);
    lg_set_int(f, "n_hotspots", x->n_hotspots);
    lg_set_int(f, "source_kinds", (int)x->source_kinds);
    lg_set_str(f, "sources", x->sources);
    lg_set_int(f, "peak_confidence", x->peak_confidence);
    lg_set_real(f, "peak_frp_mw", x->peak_frp_mw);
    lg_put_place(f, &x->place);
    lg_set_str(f, "cell_id", x->cell_id);
    lg_set_str(f, "land_class", x->land_class);
    lg_set_str(f, "cls", lg_cls_name(x->cls));
    lg_set_str(f, "static_id", x->static_id);
    lg_set_str(f, "static_name", x->static_name);
    lg_set_str(f, "status", fg_incident_status_name(x->status, "en"));
    lg_set_time(f, "status_time", x->status_time, 1);
    lg_set_str(f, "period", x->period);
    lg_set_int(f, "possible_bonfire", x->possible_bonfire);
    lg_set_time(f, "checked_at", x->checked_at, 1);
    lg_set_str(f, "last_run", x->last_run);
    int rc = FG_OK, err = 0;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GIntBig fid = lg_find(l->lyr[L_INC], "id", x->id, &err);
    if (err || lg_set_point(f, x->lat, x->lon) != 0 ||
        lg_upsert(l->lyr[L_INC], f, fid) != OGRERR_NONE)
        rc = lg_fail(l, ctx, FG_EIO, "cannot record an incident");
    CPLPopErrorHandler();
    OGR_F_Destroy(f);
    return rc;
}

int fg_ledger_status_add(fg_ledger *l, const char *incident_id, fg_incident_status st,
                         int64_t t, const char *who, const char *comment, fg_ctx *ctx)
{
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l->lyr[L_ST]));
    if (!f)
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", l->path);
    lg_set_str(f, "incident_id", incident_id);
    lg_set_time(f, "time_utc", t, 1);
    lg_set_str(f, "status", fg_incident_status_name(st, "en"));
    lg_set_str(f, "who", who);
    lg_set_str(f, "comment", comment);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    OGRErr e = OGR_L_CreateFeature(l->lyr[L_ST], f);
    CPLPopErrorHandler();
    OGR_F_Destroy(f);
    return e == OGRERR_NONE ? FG_OK : lg_fail(l, ctx, FG_EIO, "cannot record a status change");
}

typedef struct lg_st_row {
    fg_status_entry e;
    GIntBig fid; /* insertion order */
} lg_st_row;

static int lg_cmp_st(const void *pa, const void *pb)
{
    const lg_st_row *a = pa, *b = pb;
    if (a->e.t != b->e.t)
        return a->e.t < b->e.t ? -1 : 1;
    return a->fid < b->fid ? -1 : a->fid > b->fid;
}

static void lg_read_st(OGRFeatureH f, void *rec)
{
    lg_st_row *r = rec;
    r->fid = OGR_F_GetFID(f);
    r->e.t = lg_get_time(f, "time_utc");
    char st[24];
    lg_get_str(f, "status", st, sizeof st);
    r->e.status = lg_status_of(st);
    lg_get_str(f, "who", r->e.who, sizeof r->e.who);
    lg_get_str(f, "comment", r->e.comment, sizeof r->e.comment);
}

int fg_ledger_status_history(fg_ledger *l, const char *incident_id, fg_status_entry **out,
                             size_t *n, fg_ctx *ctx)
{
    if (!l || !incident_id || !out || !n)
        return fg_ctx_set(ctx, FG_EINVAL, "ledger: status history without an incident id");
    char flt[256];
    if (lg_filter(flt, sizeof flt, "incident_id", incident_id) != 0)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: incident id too long", l->path);
    void *raw = NULL;
    size_t cnt = 0;
    int rc = lg_collect(l, l->lyr[L_ST], flt, sizeof(lg_st_row), lg_read_st,
                        "cannot query the status history", &raw, &cnt, ctx);
    if (rc != FG_OK)
        return rc;
    lg_st_row *v = raw;
    if (cnt > 1)
        qsort(v, cnt, sizeof *v, lg_cmp_st);
    fg_status_entry *e = NULL;
    if (cnt) {
        e = fg_malloc(cnt * sizeof *e);
        if (!e) {
            fg_free(v);
            return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", l->path);
        }
        for (size_t i = 0; i < cnt; i++)
            e[i] = v[i].e;
    }
    fg_free(v);
    *out = e;
    *n = cnt;
    return FG_OK;
}

/* ------------------------------------------------------------- camera states */

int fg_ledger_state_get(fg_ledger *l, const char *camera_id, unsigned char **buf, size_t *len,
                        fg_ctx *ctx)
{
    OGRLayerH lyr = l->lyr[L_CS];
    char flt[256];
    if (lg_filter(flt, sizeof flt, "camera_id", camera_id) != 0)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: camera id too long", l->path);
    int rc = FG_OK;
    unsigned char *out = NULL;
    size_t outlen = 0;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    if (OGR_L_SetAttributeFilter(lyr, flt) != OGRERR_NONE) {
        rc = lg_fail(l, ctx, FG_EIO, "cannot query camera states");
    } else {
        OGR_L_ResetReading(lyr);
        OGRFeatureH f = OGR_L_GetNextFeature(lyr);
        int i;
        if (f && lg_has(f, "state", &i)) {
            int nb = 0;
            const GByte *b = OGR_F_GetFieldAsBinary(f, i, &nb);
            if (b && nb > 0) {
                out = fg_malloc((size_t)nb);
                if (!out)
                    rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", l->path);
                else {
                    memcpy(out, b, (size_t)nb);
                    outlen = (size_t)nb;
                }
            }
        }
        if (f)
            OGR_F_Destroy(f);
        OGR_L_SetAttributeFilter(lyr, NULL);
    }
    CPLPopErrorHandler();
    if (rc != FG_OK)
        return rc;
    *buf = out;
    *len = outlen;
    return FG_OK;
}

int fg_ledger_state_put(fg_ledger *l, const char *camera_id, const unsigned char *buf,
                        size_t len, fg_ctx *ctx)
{
    if (len > (size_t)INT32_MAX)
        return fg_ctx_set(ctx, FG_ELIMIT, "%s: camera state of %s too large", l->path,
                          camera_id);
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(l->lyr[L_CS]));
    if (!f)
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", l->path);
    lg_set_str(f, "camera_id", camera_id);
    int i = lg_idx(f, "state");
    OGR_F_SetFieldBinary(f, i, (int)len, buf);
    int rc = FG_OK, err = 0;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GIntBig fid = lg_find(l->lyr[L_CS], "camera_id", camera_id, &err);
    if (err || lg_upsert(l->lyr[L_CS], f, fid) != OGRERR_NONE)
        rc = lg_fail(l, ctx, FG_EIO, "cannot record a camera state");
    CPLPopErrorHandler();
    OGR_F_Destroy(f);
    return rc;
}
