/* grid.c — township/village polygons from any OGR source, and point → township/village lookup. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"
#include "alerts/grid_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

/* Distances for points outside the county are measured in a local equirectangular
 * plane: x = R·cos(lat0)·Δlon, y = R·lat (radians), with lat0 the centre of the
 * grid. Within a county (< 1° across) the error is well under 1 %. */
#define GRID_EARTH_R 6371008.8
#define GRID_DEG 0.017453292519943295

/* Two polygons whose intersection is larger than this are reported as overlapping.
 * Shared borders digitised twice leave slivers of a few cm² to m² that decide no
 * real point; a genuine overlap (a village drawn into its neighbour) is hundreds of
 * m² or more. */
#define GRID_OVERLAP_MIN_M2 1.0

/* One village polygon. The array is sorted by village code (then file order), so
 * the first polygon containing a point is the one with the smallest code. */
typedef struct grid_feat {
    OGRGeometryH geom;   /* WGS84, x = lon, y = lat */
    OGRGeometryH geom_m; /* local plane (metres), for distances */
    double minx, miny, maxx, maxy;     /* envelope of geom */
    double mminx, mminy, mmaxx, mmaxy; /* envelope of geom_m */
    char town_code[16], town_name[96];
    char vill_code[16], vill_name[128];
    int code_year;
    size_t order; /* position in the file */
} grid_feat;

typedef struct grid_town {
    char code[16], name[96];
} grid_town;

struct fg_grid {
    grid_feat *f;
    size_t n;
    grid_town *towns;
    size_t ntowns;
    double kx, ky; /* local plane: metres per degree of lon / lat */
    double west, south, east, north; /* envelope of every polygon (WGS84) */
};

/* ------------------------------------------------------------- helpers */

static void grid_gdal_init(void)
{
    if (GDALGetDriverCount() == 0)
        GDALAllRegister();
}

/* Copies s without leading/trailing blanks into dst; -1 when it does not fit. */
static int grid_copy_trim(char *dst, size_t size, const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
        len--;
    if (len >= size)
        return -1;
    memcpy(dst, s, len);
    dst[len] = '\0';
    return 0;
}

/* Converts every vertex of g (x = lon, y = lat) from GCJ-02 to WGS84. */
static void grid_from_gcj02(OGRGeometryH g)
{
    int sub = OGR_G_GetGeometryCount(g);
    if (sub > 0) {
        for (int i = 0; i < sub; i++)
            grid_from_gcj02(OGR_G_GetGeometryRef(g, i));
        return;
    }
    int np = OGR_G_GetPointCount(g);
    for (int i = 0; i < np; i++) {
        double lat, lon;
        fg_gcj02_to_wgs84(OGR_G_GetY(g, i), OGR_G_GetX(g, i), &lat, &lon);
        OGR_G_SetPoint_2D(g, i, lon, lat);
    }
}

/* Copies s into dst, truncating at a UTF-8 character boundary when it is too long. */
static void grid_copy_utf8(char *dst, size_t size, const char *s)
{
    size_t len = strlen(s);
    if (len >= size) {
        len = size - 1;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(dst, s, len);
    dst[len] = '\0';
}

/* Applies x·kx, y·ky to every vertex of g (any nesting of collections and rings). */
static void grid_scale(OGRGeometryH g, double kx, double ky)
{
    int sub = OGR_G_GetGeometryCount(g);
    if (sub > 0) {
        for (int i = 0; i < sub; i++)
            grid_scale(OGR_G_GetGeometryRef(g, i), kx, ky);
        return;
    }
    int np = OGR_G_GetPointCount(g);
    for (int i = 0; i < np; i++)
        OGR_G_SetPoint_2D(g, i, OGR_G_GetX(g, i) * kx, OGR_G_GetY(g, i) * ky);
}

static int grid_cmp_feat(const void *a, const void *b)
{
    const grid_feat *x = a, *y = b;
    int c = strcmp(x->vill_code, y->vill_code);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void grid_free_feats(grid_feat *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (f[i].geom)
            OGR_G_DestroyGeometry(f[i].geom);
        if (f[i].geom_m)
            OGR_G_DestroyGeometry(f[i].geom_m);
    }
    fg_free(f);
}

void fg_grid_free(fg_grid *g)
{
    if (!g)
        return;
    grid_free_feats(g->f, g->n);
    fg_free(g->towns);
    fg_free(g);
}

/* ------------------------------------------------------------- opening */

typedef struct grid_fields {
    int town_code, town_name, vill_code, vill_name, code_year;
} grid_fields;

/* Finds the field indexes; a missing code field is FG_ENOTFOUND. */
static int grid_find_fields(OGRLayerH lyr, const fg_grid_opts *o, const char *path,
                            grid_fields *fx, fg_ctx *ctx)
{
    const char *tc = o && o->f_town_code ? o->f_town_code : "township_code";
    const char *tn = o && o->f_town_name ? o->f_town_name : "township_name";
    const char *vc = o && o->f_vill_code ? o->f_vill_code : "village_code";
    const char *vn = o && o->f_vill_name ? o->f_vill_name : "village_name";
    const char *cy = o && o->f_code_year ? o->f_code_year : "code_year";
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(lyr);
    fx->town_code = OGR_FD_GetFieldIndex(d, tc);
    fx->town_name = OGR_FD_GetFieldIndex(d, tn);
    fx->vill_code = OGR_FD_GetFieldIndex(d, vc);
    fx->vill_name = OGR_FD_GetFieldIndex(d, vn);
    fx->code_year = OGR_FD_GetFieldIndex(d, cy);
    if (fx->town_code < 0)
        return fg_ctx_set(ctx, FG_ENOTFOUND, "%s: layer %s has no township code field \"%s\"",
                          path, OGR_L_GetName(lyr), tc);
    if (fx->vill_code < 0)
        return fg_ctx_set(ctx, FG_ENOTFOUND, "%s: layer %s has no village code field \"%s\"",
                          path, OGR_L_GetName(lyr), vc);
    return FG_OK;
}

/* Field as a string ("" when unset or null). */
static const char *grid_field(OGRFeatureH f, int i)
{
    if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i))
        return "";
    return OGR_F_GetFieldAsString(f, i);
}

/* Reads one feature into *out. Returns 1 when it was taken, 0 when skipped (reason
 * filled), or a negative status for a hard error. */
static int grid_read_feature(OGRFeatureH feat, const grid_fields *fx,
                             OGRCoordinateTransformationH ct, int gcj02, grid_feat *out,
                             char *reason, size_t rsize)
{
    memset(out, 0, sizeof *out);
    if (grid_copy_trim(out->town_code, sizeof out->town_code, grid_field(feat, fx->town_code)) ||
        grid_copy_trim(out->vill_code, sizeof out->vill_code, grid_field(feat, fx->vill_code))) {
        snprintf(reason, rsize, "code longer than 15 characters");
        return 0;
    }
    if (!out->town_code[0] || !out->vill_code[0]) {
        snprintf(reason, rsize, "empty %s code", !out->town_code[0] ? "township" : "village");
        return 0;
    }
    grid_copy_utf8(out->town_name, sizeof out->town_name, grid_field(feat, fx->town_name));
    grid_copy_utf8(out->vill_name, sizeof out->vill_name, grid_field(feat, fx->vill_name));
    if (fx->code_year >= 0 && OGR_F_IsFieldSetAndNotNull(feat, fx->code_year))
        out->code_year = OGR_F_GetFieldAsInteger(feat, fx->code_year);

    OGRGeometryH g = OGR_F_GetGeometryRef(feat);
    if (!g) {
        snprintf(reason, rsize, "no geometry");
        return 0;
    }
    if (OGR_G_IsEmpty(g)) {
        snprintf(reason, rsize, "empty geometry");
        return 0;
    }
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    OGRGeometryH own;
    if (t == wkbPolygon || t == wkbMultiPolygon)
        own = OGR_G_Clone(g);
    else if (t == wkbCurvePolygon || t == wkbMultiSurface)
        own = OGR_G_GetLinearGeometry(g, 0, NULL);
    else {
        snprintf(reason, rsize, "not a polygon (%s)", OGRGeometryTypeToName(t));
        return 0;
    }
    if (!own)
        return FG_ENOMEM;
    OGR_G_FlattenTo2D(own);
    if (!OGR_G_IsValid(own)) {
        OGR_G_DestroyGeometry(own);
        snprintf(reason, rsize, "invalid polygon (self-intersecting or malformed ring)");
        return 0;
    }
    if (OGR_G_Transform(own, ct) != OGRERR_NONE) {
        OGR_G_DestroyGeometry(own);
        snprintf(reason, rsize, "cannot transform to WGS84");
        return 0;
    }
    /* GCJ-02 is geographic coordinates with a smooth offset: undo it vertex by vertex
     * once the coordinates are longitude/latitude. The offset (~0.6 km here) varies
     * by under a metre across a kilometre, so a valid ring stays valid. */
    if (gcj02)
        grid_from_gcj02(own);
    OGREnvelope env;
    OGR_G_GetEnvelope(own, &env);
    if (!isfinite(env.MinX) || !isfinite(env.MaxX) || !isfinite(env.MinY) ||
        !isfinite(env.MaxY) || env.MinY < -90 || env.MaxY > 90) {
        OGR_G_DestroyGeometry(own);
        snprintf(reason, rsize, "coordinates out of range after transforming to WGS84");
        return 0;
    }
    out->geom = own;
    out->minx = env.MinX;
    out->miny = env.MinY;
    out->maxx = env.MaxX;
    out->maxy = env.MaxY;
    return 1;
}

/* Builds the distance geometries and the township table once all features are in. */
static int grid_finish(fg_grid *g, fg_ctx *ctx, const char *path)
{
    double minx = INFINITY, maxx = -INFINITY, miny = INFINITY, maxy = -INFINITY;
    for (size_t i = 0; i < g->n; i++) {
        minx = fmin(minx, g->f[i].minx);
        maxx = fmax(maxx, g->f[i].maxx);
        miny = fmin(miny, g->f[i].miny);
        maxy = fmax(maxy, g->f[i].maxy);
    }
    g->west = minx;
    g->east = maxx;
    g->south = miny;
    g->north = maxy;
    double lat0 = 0.5 * (miny + maxy);
    g->ky = GRID_EARTH_R * GRID_DEG;
    g->kx = g->ky * cos(lat0 * GRID_DEG);
    for (size_t i = 0; i < g->n; i++) {
        grid_feat *f = &g->f[i];
        f->geom_m = OGR_G_Clone(f->geom);
        if (!f->geom_m)
            return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
        grid_scale(f->geom_m, g->kx, g->ky);
        f->mminx = f->minx * g->kx;
        f->mmaxx = f->maxx * g->kx;
        f->mminy = f->miny * g->ky;
        f->mmaxy = f->maxy * g->ky;
    }
    qsort(g->f, g->n, sizeof *g->f, grid_cmp_feat);

    /* distinct townships in code order; the name comes from the first village
     * (in code order) that carries one */
    g->towns = fg_calloc(g->n, sizeof *g->towns);
    if (!g->towns)
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    for (size_t i = 0; i < g->n; i++) {
        size_t j;
        for (j = 0; j < g->ntowns; j++)
            if (strcmp(g->towns[j].code, g->f[i].town_code) == 0)
                break;
        if (j == g->ntowns) {
            memcpy(g->towns[j].code, g->f[i].town_code, sizeof g->towns[j].code);
            g->ntowns++;
        }
        if (!g->towns[j].name[0])
            memcpy(g->towns[j].name, g->f[i].town_name, sizeof g->towns[j].name);
    }
    /* insertion sort by code: few townships */
    for (size_t i = 1; i < g->ntowns; i++) {
        grid_town t = g->towns[i];
        size_t j = i;
        while (j > 0 && strcmp(g->towns[j - 1].code, t.code) > 0) {
            g->towns[j] = g->towns[j - 1];
            j--;
        }
        g->towns[j] = t;
    }
    return FG_OK;
}

/* Reads every feature of lyr into g. */
static int grid_read_layer(fg_grid *g, OGRLayerH lyr, const grid_fields *fx,
                           OGRCoordinateTransformationH ct, int gcj02, const char *path,
                           void (*skip)(void *, const char *, const char *), void *user,
                           size_t *nskipped, fg_ctx *ctx)
{
    size_t cap = 0, order = 0;
    OGRFeatureH feat;
    OGR_L_ResetReading(lyr);
    while ((feat = OGR_L_GetNextFeature(lyr)) != NULL) {
        if (g->n == cap) {
            size_t ncap = cap ? 2 * cap : 64;
            grid_feat *p = fg_realloc(g->f, ncap * sizeof *p);
            if (!p) {
                OGR_F_Destroy(feat);
                return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
            }
            g->f = p;
            cap = ncap;
        }
        char reason[160] = "";
        int rc = grid_read_feature(feat, fx, ct, gcj02, &g->f[g->n], reason, sizeof reason);
        if (rc < 0) {
            OGR_F_Destroy(feat);
            return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
        }
        if (rc == 1) {
            g->f[g->n].order = order;
            g->n++;
        } else {
            char what[600];
            snprintf(what, sizeof what, "%s feature %lld", path,
                     (long long)OGR_F_GetFID(feat));
            (*nskipped)++;
            if (skip)
                skip(user, what, reason);
        }
        order++;
        OGR_F_Destroy(feat);
    }
    return FG_OK;
}

/* Reports every pair of polygons that share area (not just a border) through skip():
 * such a point lies in two villages (or townships) and fg_grid_locate gives it to
 * the smaller village code. Only pairs whose envelopes overlap are intersected;
 * areas are measured in the local metric plane. Nothing is left out: it is a
 * warning about the boundary file. Pairs are reported in code order. */
static void grid_check_overlaps(const fg_grid *g, const char *path,
                                void (*skip)(void *, const char *, const char *), void *user)
{
    if (!skip)
        return;
    for (size_t i = 0; i < g->n; i++) {
        const grid_feat *a = &g->f[i];
        for (size_t j = i + 1; j < g->n; j++) {
            const grid_feat *b = &g->f[j];
            if (a->mmaxx <= b->mminx || b->mmaxx <= a->mminx || a->mmaxy <= b->mminy ||
                b->mmaxy <= a->mminy)
                continue;
            if (!OGR_G_Intersects(a->geom_m, b->geom_m))
                continue;
            OGRGeometryH x = OGR_G_Intersection(a->geom_m, b->geom_m);
            if (!x)
                continue; /* GEOS could not intersect: no evidence of an overlap */
            double area = OGR_G_Area(x);
            OGR_G_DestroyGeometry(x);
            if (!(area > GRID_OVERLAP_MIN_M2))
                continue;
            char what[700], reason[700];
            int towns = strcmp(a->town_code, b->town_code) != 0;
            snprintf(what, sizeof what, "%s villages %s %s and %s %s", path, a->vill_code,
                     a->vill_name, b->vill_code, b->vill_name);
            if (towns)
                snprintf(reason, sizeof reason,
                         "overlapping polygons (%.0f m²), so townships %s %s and %s %s "
                         "overlap too: a point in both goes to village %s",
                         area, a->town_code, a->town_name, b->town_code, b->town_name,
                         a->vill_code);
            else
                snprintf(reason, sizeof reason,
                         "overlapping polygons (%.0f m²): a point in both goes to "
                         "village %s",
                         area, a->vill_code);
            skip(user, what, reason);
        }
    }
}

/* Opens the layer and builds the transformation; everything after the dataset. */
static int grid_open_ds(GDALDatasetH ds, const char *path, const fg_grid_opts *opts, fg_grid *g,
                        void (*skip)(void *, const char *, const char *), void *user,
                        fg_ctx *ctx)
{
    OGRLayerH lyr;
    if (opts && opts->layer) {
        lyr = GDALDatasetGetLayerByName(ds, opts->layer);
        if (!lyr)
            return fg_ctx_set(ctx, FG_ENOTFOUND, "%s: no layer \"%s\"", path, opts->layer);
    } else {
        lyr = GDALDatasetGetLayerCount(ds) > 0 ? GDALDatasetGetLayer(ds, 0) : NULL;
        if (!lyr)
            return fg_ctx_set(ctx, FG_EFORMAT, "%s: no vector layer", path);
    }
    OGRSpatialReferenceH lsrs = OGR_L_GetSpatialRef(lyr);
    if (!lsrs)
        return fg_ctx_set(ctx, FG_EFORMAT,
                          "%s: layer %s has no CRS (add a .prj or declare the CRS; "
                          "coordinates cannot be guessed)",
                          path, OGR_L_GetName(lyr));
    grid_fields fx;
    int rc = grid_find_fields(lyr, opts, path, &fx, ctx);
    if (rc)
        return rc;

    OGRSpatialReferenceH src = OSRClone(lsrs);
    OGRSpatialReferenceH dst = OSRNewSpatialReference(NULL);
    OGRCoordinateTransformationH ct = NULL;
    if (src && dst && OSRImportFromEPSG(dst, 4326) == OGRERR_NONE) {
        OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
        OSRSetAxisMappingStrategy(dst, OAMS_TRADITIONAL_GIS_ORDER);
        ct = OCTNewCoordinateTransformation(src, dst);
    }
    if (src)
        OSRDestroySpatialReference(src);
    if (dst)
        OSRDestroySpatialReference(dst);
    if (!ct)
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: cannot transform the layer CRS to WGS84: %s",
                          path, CPLGetLastErrorMsg());

    size_t nskipped = 0;
    rc = grid_read_layer(g, lyr, &fx, ct, opts && opts->gcj02, path, skip, user, &nskipped,
                         ctx);
    OCTDestroyCoordinateTransformation(ct);
    if (rc)
        return rc;
    if (g->n == 0)
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: no usable village polygon (%zu skipped)", path,
                          nskipped);
    rc = grid_finish(g, ctx, path);
    if (rc == FG_OK)
        grid_check_overlaps(g, path, skip, user);
    return rc;
}

int fg_grid_open(const char *path, const fg_grid_opts *opts, fg_grid **out,
                 void (*skip)(void *user, const char *what, const char *reason), void *user,
                 fg_ctx *ctx)
{
    if (!path || !*path || !out)
        return fg_ctx_set(ctx, FG_EINVAL, "fg_grid_open: no path");
    grid_gdal_init();
    VSIStatBufL st;
    if (VSIStatL(path, &st) != 0)
        return fg_ctx_set(ctx, FG_ENOTFOUND, "%s: no such file", path);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    int rc;
    fg_grid *g = NULL;
    if (!ds) {
        const char *m = CPLGetLastErrorMsg();
        rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: not a vector source OGR can read%s%s", path,
                        m && *m ? ": " : "", m ? m : "");
    } else if (!(g = fg_calloc(1, sizeof *g))) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    } else {
        rc = grid_open_ds(ds, path, opts, g, skip, user, ctx);
    }
    if (ds)
        GDALClose(ds);
    CPLPopErrorHandler();
    if (rc) {
        fg_grid_free(g);
        return rc;
    }
    *out = g;
    return FG_OK;
}

/* ------------------------------------------------------------- queries */

size_t fg_grid_township_count(const fg_grid *g) { return g ? g->ntowns : 0; }

void fg_grid_township(const fg_grid *g, size_t i, const char **code, const char **name)
{
    const char *c = "", *nm = "";
    if (g && i < g->ntowns) {
        c = g->towns[i].code;
        nm = g->towns[i].name;
    }
    if (code)
        *code = c;
    if (name)
        *name = nm;
}

/* Distance from (x, y) to the rectangle [x0, x1]×[y0, y1]: a lower bound of the
 * distance to anything inside it. */
static double grid_rect_dist(double x, double y, double x0, double y0, double x1, double y1)
{
    double dx = x < x0 ? x0 - x : x > x1 ? x - x1 : 0;
    double dy = y < y0 ? y0 - y : y > y1 ? y - y1 : 0;
    return sqrt(dx * dx + dy * dy);
}

static void grid_fill(fg_place *out, const grid_feat *f, int inside, double d)
{
    memset(out, 0, sizeof *out);
    out->inside = inside;
    memcpy(out->town_code, f->town_code, sizeof out->town_code);
    memcpy(out->town_name, f->town_name, sizeof out->town_name);
    if (inside) {
        memcpy(out->vill_code, f->vill_code, sizeof out->vill_code);
        memcpy(out->vill_name, f->vill_name, sizeof out->vill_name);
    }
    out->code_year = f->code_year;
    out->distance_m = d;
}

/* Only reads the grid; each call owns its point geometries, so concurrent calls on
 * one grid are safe (OGR/GEOS predicates do not modify their operands). */
int fg_grid_locate(const fg_grid *g, double lat, double lon, fg_place *out)
{
    if (!g || !out || !isfinite(lat) || !isfinite(lon) || g->n == 0)
        return FG_EINVAL;
    OGRGeometryH pt = OGR_G_CreateGeometry(wkbPoint);
    if (!pt)
        return FG_ENOMEM;
    OGR_G_SetPoint_2D(pt, 0, lon, lat);
    for (size_t i = 0; i < g->n; i++) {
        const grid_feat *f = &g->f[i];
        if (lon < f->minx || lon > f->maxx || lat < f->miny || lat > f->maxy)
            continue;
        if (OGR_G_Intersects(f->geom, pt)) {
            OGR_G_DestroyGeometry(pt);
            grid_fill(out, f, 1, 0.0);
            return FG_OK;
        }
    }
    /* outside every village: the nearest one gives the neighbouring township */
    double x = lon * g->kx, y = lat * g->ky;
    OGR_G_SetPoint_2D(pt, 0, x, y);
    size_t best = 0;
    double bestd = INFINITY;
    for (size_t i = 0; i < g->n; i++) {
        const grid_feat *f = &g->f[i];
        if (grid_rect_dist(x, y, f->mminx, f->mminy, f->mmaxx, f->mmaxy) >= bestd)
            continue;
        double d = OGR_G_Distance(f->geom_m, pt);
        if (d >= 0 && d < bestd) {
            bestd = d;
            best = i;
        }
    }
    OGR_G_DestroyGeometry(pt);
    if (!isfinite(bestd))
        return FG_EINVAL;
    grid_fill(out, &g->f[best], 0, bestd);
    return FG_OK;
}

/* ------------------------------------------------- internal (grid_int.h) */

size_t fg_grid_unit_count(const fg_grid *g) { return g ? g->n : 0; }

int fg_grid_unit_get(const fg_grid *g, size_t i, fg_grid_unit *out)
{
    if (!g || !out || i >= g->n)
        return FG_EINVAL;
    const grid_feat *f = &g->f[i];
    out->geom = f->geom;
    out->town_code = f->town_code;
    out->town_name = f->town_name;
    out->vill_code = f->vill_code;
    out->vill_name = f->vill_name;
    out->code_year = f->code_year;
    return FG_OK;
}

int fg_grid_bounds(const fg_grid *g, double *west, double *south, double *east, double *north)
{
    if (!g || g->n == 0)
        return FG_EINVAL;
    if (west)
        *west = g->west;
    if (south)
        *south = g->south;
    if (east)
        *east = g->east;
    if (north)
        *north = g->north;
    return FG_OK;
}

int fg_grid_cell_epsg(const fg_grid *g)
{
    if (!g || g->n == 0)
        return 0;
    return fg_utm_epsg(0.5 * (g->south + g->north), 0.5 * (g->west + g->east));
}
