/* cells.c — regular grid cells (hot-spot grid supervision) in UTM: cell ids, and the county's cells written through OGR. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"
#include "alerts/grid_int.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

/* Cell sizes: from a 10 m raster pixel to a 100 km supervision square. */
#define CELL_MIN_M 10.0
#define CELL_MAX_M 100000.0
/* A county (< 10 000 km²) in 100 m cells is 10⁶ cells; more is a mistake. */
#define CELL_MAX_COUNT 4000000u
/* Village edges are densified to this step (degrees, ~200 m) before projecting: an
 * edge along a parallel is curved in UTM (a 14 km edge sags ~3 m at 39°N), so
 * without it neighbouring villages meeting at T-junctions overlap or gap there. A
 * 200 m chord sags under 1 mm. */
#define CELL_DENSIFY_DEG 0.002
/* Pieces smaller than this fraction of a cell are round-off slivers (a village edge
 * on a cell edge comes back from WGS84 a few nm off), not overlap. */
#define CELL_SLIVER 1e-6
/* Longest straight segment written (metres, in UTM) before going to WGS84. */
#define CELL_EDGE_STEP_M 1000.0

/* ------------------------------------------------------------------ UTM */

/* WGS84 → UTM through PROJ (OSR). A transformation is built once per thread and zone
 * and kept: building one costs far more than using it. */
static _Thread_local OGRCoordinateTransformationH utm_ct;
static _Thread_local int utm_ct_epsg;

static int utm_forward(double lat, double lon, int epsg, double *e, double *n)
{
    if (!utm_ct || utm_ct_epsg != epsg) {
        if (utm_ct)
            OCTDestroyCoordinateTransformation(utm_ct);
        utm_ct = NULL;
        OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL), utm = OSRNewSpatialReference(NULL);
        if (wgs && utm && OSRImportFromEPSG(wgs, 4326) == OGRERR_NONE &&
            OSRImportFromEPSG(utm, epsg) == OGRERR_NONE) {
            OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
            OSRSetAxisMappingStrategy(utm, OAMS_TRADITIONAL_GIS_ORDER);
            utm_ct = OCTNewCoordinateTransformation(wgs, utm);
        }
        OSRDestroySpatialReference(wgs);
        OSRDestroySpatialReference(utm);
        if (!utm_ct)
            return FG_EINVAL;
        utm_ct_epsg = epsg;
    }
    double x = lon, y = lat;
    if (!OCTTransform(utm_ct, 1, &x, &y, NULL))
        return FG_EINVAL;
    *e = x;
    *n = y;
    return FG_OK;
}

int fg_utm_epsg(double lat, double lon)
{
    if (!isfinite(lat) || !isfinite(lon) || lat < -90 || lat > 90)
        return 0;
    double l = lon == 180.0 ? 359.999999 : fmod(lon + 180.0, 360.0); /* 180°E: zone 60 */
    if (l < 0)
        l += 360.0;
    int zone = (int)floor(l / 6.0) + 1;
    if (zone > 60)
        zone = 60;
    /* the two exceptions of the UTM grid: south-west Norway and Svalbard */
    double lo = l - 180.0;
    if (lat >= 56.0 && lat < 64.0 && lo >= 3.0 && lo < 12.0)
        zone = 32;
    if (lat >= 72.0 && lat < 84.0) {
        if (lo >= 0.0 && lo < 9.0)
            zone = 31;
        else if (lo >= 9.0 && lo < 21.0)
            zone = 33;
        else if (lo >= 21.0 && lo < 33.0)
            zone = 35;
        else if (lo >= 33.0 && lo < 42.0)
            zone = 37;
    }
    return (lat < 0 ? 32700 : 32600) + zone;
}

/* Zone and hemisphere of a WGS84 UTM EPSG code; -1 for anything else. */
static int utm_zone(int epsg, int *zone, int *south)
{
    if (epsg > 32600 && epsg <= 32660) {
        *zone = epsg - 32600;
        *south = 0;
        return 0;
    }
    if (epsg > 32700 && epsg <= 32760) {
        *zone = epsg - 32700;
        *south = 1;
        return 0;
    }
    return -1;
}

/* Cell size as whole metres in [CELL_MIN_M, CELL_MAX_M]; -1 otherwise. */
static int cell_size(double size_m, int64_t *out)
{
    if (!isfinite(size_m) || size_m < CELL_MIN_M || size_m > CELL_MAX_M ||
        size_m != floor(size_m))
        return -1;
    *out = (int64_t)size_m;
    return 0;
}

/* Kilometres of a whole number of metres with as few decimals as needed: 412000 →
 * "412", 412500 → "412.5", 412250 → "412.25". Corners of cells of a whole number of
 * metres are whole metres, so the text is exact and names one corner only. */
static void km_text(int64_t m, char *out, size_t size)
{
    const char *sign = m < 0 ? "-" : "";
    uint64_t a = m < 0 ? (uint64_t)(-(m + 1)) + 1u : (uint64_t)m;
    unsigned frac = (unsigned)(a % 1000u);
    if (frac == 0) {
        snprintf(out, size, "%s%llu", sign, (unsigned long long)(a / 1000u));
        return;
    }
    char f[8];
    snprintf(f, sizeof f, "%03u", frac);
    size_t k = strlen(f);
    while (k > 1 && f[k - 1] == '0')
        f[--k] = '\0';
    snprintf(out, size, "%s%llu.%s", sign, (unsigned long long)(a / 1000u), f);
}

/* The id of the cell whose south-west corner is (e0, n0) metres. */
static int cell_id_text(int64_t size, int64_t e0, int64_t n0, char *id, size_t idsize)
{
    char ek[32], nk[32];
    km_text(e0, ek, sizeof ek);
    km_text(n0, nk, sizeof nk);
    char buf[96];
    snprintf(buf, sizeof buf, "%lldm-E%s-N%s", (long long)size, ek, nk);
    size_t len = strlen(buf);
    if (len >= idsize)
        return FG_EINVAL;
    memcpy(id, buf, len + 1);
    return FG_OK;
}

int fg_cell_id(double lat, double lon, double size_m, int utm_epsg, char *id, size_t idsize)
{
    int64_t size;
    int zone, south;
    (void)zone;
    (void)south;
    if (!id || idsize == 0 || !isfinite(lat) || !isfinite(lon) || lat < -84.0 || lat > 84.0 ||
        cell_size(size_m, &size))
        return FG_EINVAL;
    if (utm_epsg == 0)
        utm_epsg = fg_utm_epsg(lat, lon);
    if (utm_zone(utm_epsg, &zone, &south))
        return FG_EINVAL;
    double e, n;
    if (utm_forward(lat, lon, utm_epsg, &e, &n) != FG_OK)
        return FG_EINVAL;
    if (!isfinite(e) || !isfinite(n) || fabs(e) > 1e8 || fabs(n) > 1e8)
        return FG_EINVAL;
    int64_t ci = (int64_t)floor(e / (double)size), cj = (int64_t)floor(n / (double)size);
    return cell_id_text(size, ci * size, cj * size, id, idsize);
}

/* ------------------------------------------------------------- writing */

/* Output driver from a -of name (any GDAL vector driver that can create) or from the
 * extension of path. */
static int cells_driver(const char *format, const char *path, GDALDriverH *out, fg_ctx *ctx)
{
    static const struct {
        const char *ext, *driver;
    } by_ext[] = {{".gpkg", "GPKG"},      {".geojson", "GeoJSON"}, {".json", "GeoJSON"},
                  {".shp", "ESRI Shapefile"}, {".kml", "KML"},     {".csv", "CSV"},
                  {".fgb", "FlatGeobuf"}, {".gml", "GML"},         {".sqlite", "SQLite"}};
    const char *name = format;
    if (!name || !*name) {
        const char *dot = strrchr(path, '.');
        const char *slash = strrchr(path, '/');
        if (dot && (!slash || dot > slash))
            for (size_t i = 0; i < sizeof by_ext / sizeof by_ext[0]; i++)
                if (strcasecmp(dot, by_ext[i].ext) == 0)
                    name = by_ext[i].driver;
        if (!name)
            return fg_ctx_set(ctx, FG_EINVAL,
                              "%s: cannot tell the format from the extension; use -of "
                              "(GPKG, GeoJSON, ESRI Shapefile, KML, CSV, FlatGeobuf, ...)",
                              path);
    }
    GDALDriverH drv = GDALGetDriverByName(name);
    if (!drv) /* GDAL names are case-sensitive; users are not */
        for (int i = 0; i < GDALGetDriverCount() && !drv; i++)
            if (strcasecmp(GDALGetDriverShortName(GDALGetDriver(i)), name) == 0)
                drv = GDALGetDriver(i);
    if (!drv || !GDALGetMetadataItem(drv, GDAL_DCAP_VECTOR, NULL) ||
        !GDALGetMetadataItem(drv, GDAL_DCAP_CREATE, NULL))
        return fg_ctx_set(ctx, FG_EINVAL,
                          "%s: \"%s\" is not a vector format GDAL can write here (try GPKG, "
                          "GeoJSON, ESRI Shapefile, KML, CSV, FlatGeobuf)",
                          path, name);
    *out = drv;
    return FG_OK;
}

/* Sidecar extensions a shapefile is made of. */
static const char *const shp_parts[] = {".shp", ".shx", ".dbf", ".prj", ".cpg"};
#define NSHP_PARTS (sizeof shp_parts / sizeof shp_parts[0])

/* path with its extension replaced by ext. */
static int swap_ext(const char *path, const char *ext, char *out, size_t size)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);
    int k = snprintf(out, size, "%.*s%s", (int)stem, path, ext);
    return k < 0 || (size_t)k >= size ? -1 : 0;
}

static void remove_output(const char *path, int shapefile)
{
    if (!shapefile) {
        VSIUnlink(path);
        return;
    }
    char p[4096];
    for (size_t i = 0; i < NSHP_PARTS; i++)
        if (swap_ext(path, shp_parts[i], p, sizeof p) == 0)
            VSIUnlink(p);
}

/* Moves the finished temporary output (every part of a shapefile) into place. */
static int commit_output(const char *tmp, const char *path, int shapefile, fg_ctx *ctx)
{
    if (!shapefile)
        return fg_commit_tmp(tmp, path, ctx);
    char a[4096], b[4096];
    /* parts first, the .shp last: a reader never sees a new .shp with old parts */
    for (size_t i = NSHP_PARTS; i-- > 0;) {
        VSIStatBufL st;
        if (swap_ext(tmp, shp_parts[i], a, sizeof a) || swap_ext(path, shp_parts[i], b, sizeof b))
            return fg_ctx_set(ctx, FG_EINVAL, "%s: path too long", path);
        if (VSIStatL(a, &st) != 0) {
            VSIUnlink(b); /* a stale part of an older file would not match */
            continue;
        }
        int rc = fg_commit_tmp(a, b, ctx);
        if (rc)
            return rc;
    }
    return FG_OK;
}

/* Adds every polygon inside g (any nesting) to the multipolygon mp. */
static int add_polygons(OGRGeometryH mp, OGRGeometryH g)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t == wkbPolygon)
        return OGR_G_AddGeometry(mp, g) == OGRERR_NONE ? 0 : -1;
    if (t == wkbMultiPolygon || t == wkbGeometryCollection)
        for (int i = 0; i < OGR_G_GetGeometryCount(g); i++)
            if (add_polygons(mp, OGR_G_GetGeometryRef(g, i)))
                return -1;
    return 0;
}

/* The county's villages in the cell CRS, with what a cell needs of them. */
typedef struct cell_vill {
    OGRGeometryH geom; /* UTM metres */
    OGREnvelope env;
    size_t town;       /* index in fg_grid_township() order */
    fg_grid_unit u;
} cell_vill;

typedef struct cell_job {
    const fg_grid *g;
    int64_t size;
    cell_vill *v;
    size_t nv, ntowns;
    int64_t i0, j0, ni, nj;   /* cell index ranges (easting, northing) */
    size_t *start, *list;     /* candidate villages of each cell (CSR) */
    double *town_area;
    OGRCoordinateTransformationH to_wgs;
} cell_job;

static void cell_job_free(cell_job *j)
{
    if (j->v)
        for (size_t i = 0; i < j->nv; i++)
            if (j->v[i].geom)
                OGR_G_DestroyGeometry(j->v[i].geom);
    fg_free(j->v);
    fg_free(j->start);
    fg_free(j->list);
    fg_free(j->town_area);
    if (j->to_wgs)
        OCTDestroyCoordinateTransformation(j->to_wgs);
}

/* Index range of the cells an envelope touches (cells sharing only an edge with it
 * are included; their intersection area is 0 and they are dropped later). */
static void env_cells(const OGREnvelope *e, int64_t size, int64_t *i0, int64_t *i1, int64_t *j0,
                      int64_t *j1)
{
    *i0 = (int64_t)floor(e->MinX / (double)size);
    *i1 = (int64_t)floor(e->MaxX / (double)size);
    *j0 = (int64_t)floor(e->MinY / (double)size);
    *j1 = (int64_t)floor(e->MaxY / (double)size);
}

/* Transforms the villages to UTM and lists, for every cell of the county's envelope,
 * the villages whose envelope reaches it. */
static int cells_prepare(cell_job *j, int epsg, const char *path, fg_ctx *ctx)
{
    const fg_grid *g = j->g;
    j->nv = fg_grid_unit_count(g);
    j->ntowns = fg_grid_township_count(g);
    if (!(j->v = fg_calloc(j->nv, sizeof *j->v)) ||
        !(j->town_area = fg_calloc(j->ntowns ? j->ntowns : 1, sizeof *j->town_area)))
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);

    OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL), utm = OSRNewSpatialReference(NULL);
    OGRCoordinateTransformationH to_utm = NULL;
    if (wgs && utm && OSRImportFromEPSG(wgs, 4326) == OGRERR_NONE &&
        OSRImportFromEPSG(utm, epsg) == OGRERR_NONE) {
        OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
        OSRSetAxisMappingStrategy(utm, OAMS_TRADITIONAL_GIS_ORDER);
        to_utm = OCTNewCoordinateTransformation(wgs, utm);
        j->to_wgs = OCTNewCoordinateTransformation(utm, wgs);
    }
    if (wgs)
        OSRDestroySpatialReference(wgs);
    if (utm)
        OSRDestroySpatialReference(utm);
    if (!to_utm || !j->to_wgs) {
        if (to_utm)
            OCTDestroyCoordinateTransformation(to_utm);
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: cannot set up WGS84 ↔ EPSG:%d: %s", path, epsg,
                          CPLGetLastErrorMsg());
    }
    int rc = FG_OK;
    OGREnvelope all = {INFINITY, -INFINITY, INFINITY, -INFINITY};
    for (size_t i = 0; i < j->nv && rc == FG_OK; i++) {
        cell_vill *v = &j->v[i];
        fg_grid_unit_get(g, i, &v->u);
        for (size_t t = 0; t < j->ntowns; t++) {
            const char *code;
            fg_grid_township(g, t, &code, NULL);
            if (strcmp(code, v->u.town_code) == 0)
                v->town = t;
        }
        v->geom = OGR_G_Clone(v->u.geom);
        if (v->geom)
            OGR_G_Segmentize(v->geom, CELL_DENSIFY_DEG);
        if (!v->geom)
            rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
        else if (OGR_G_Transform(v->geom, to_utm) != OGRERR_NONE)
            rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: village %s cannot be transformed to EPSG:%d",
                            path, v->u.vill_code, epsg);
        else {
            OGR_G_GetEnvelope(v->geom, &v->env);
            all.MinX = fmin(all.MinX, v->env.MinX);
            all.MaxX = fmax(all.MaxX, v->env.MaxX);
            all.MinY = fmin(all.MinY, v->env.MinY);
            all.MaxY = fmax(all.MaxY, v->env.MaxY);
        }
    }
    OCTDestroyCoordinateTransformation(to_utm);
    if (rc)
        return rc;

    int64_t i1, j1;
    env_cells(&all, j->size, &j->i0, &i1, &j->j0, &j1);
    j->ni = i1 - j->i0 + 1;
    j->nj = j1 - j->j0 + 1;
    if (j->ni <= 0 || j->nj <= 0 || (uint64_t)j->ni * (uint64_t)j->nj > CELL_MAX_COUNT)
        return fg_ctx_set(ctx, FG_ELIMIT,
                          "%s: %lld × %lld cells of %lld m is more than %u; choose larger cells",
                          path, (long long)j->ni, (long long)j->nj, (long long)j->size,
                          CELL_MAX_COUNT);
    size_t ncell = (size_t)(j->ni * j->nj);
    if (!(j->start = fg_calloc(ncell + 1, sizeof *j->start)))
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    /* two passes: count the candidates of each cell, then fill them in village order */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < j->nv; k++) {
            int64_t a0, a1, b0, b1;
            env_cells(&j->v[k].env, j->size, &a0, &a1, &b0, &b1);
            for (int64_t b = b0; b <= b1; b++)
                for (int64_t a = a0; a <= a1; a++) {
                    size_t c = (size_t)((b - j->j0) * j->ni + (a - j->i0));
                    if (pass == 0)
                        j->start[c + 1]++;
                    else
                        j->list[j->start[c]++] = k;
                }
        }
        if (pass == 0) {
            for (size_t c = 0; c < ncell; c++)
                j->start[c + 1] += j->start[c];
            if (!(j->list = fg_malloc((j->start[ncell] ? j->start[ncell] : 1) * sizeof *j->list)))
                return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
        } else {
            /* the fill advanced each start to the next cell's: shift back */
            for (size_t c = ncell; c > 0; c--)
                j->start[c] = j->start[c - 1];
            j->start[0] = 0;
        }
    }
    return FG_OK;
}

typedef struct cell_fields {
    int id, tc, tn, vc, vn, cy, size, area;
} cell_fields;

static int cells_layer(GDALDatasetH ds, int shapefile, int csv, OGRLayerH *out, cell_fields *fx)
{
    OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL);
    if (!wgs || OSRImportFromEPSG(wgs, 4326) != OGRERR_NONE) {
        if (wgs)
            OSRDestroySpatialReference(wgs);
        return -1;
    }
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    char **lco = NULL;
    if (shapefile)
        lco = CSLSetNameValue(lco, "ENCODING", "UTF-8");
    if (csv) {
        lco = CSLSetNameValue(lco, "GEOMETRY", "AS_WKT");
        lco = CSLSetNameValue(lco, "WRITE_BOM", "YES");
    }
    OGRLayerH lyr = GDALDatasetCreateLayer(ds, "grid_cells", wgs, wkbMultiPolygon, lco);
    CSLDestroy(lco);
    OSRDestroySpatialReference(wgs);
    if (!lyr)
        return -1;
    /* a shapefile's .dbf holds at most 10 characters per field name */
    const struct {
        const char *name, *shp;
        OGRFieldType type;
        int width;
    } defs[] = {{"cell_id", "cell_id", OFTString, 32},
                {"township_code", "town_code", OFTString, 15},
                {"township_name", "town_name", OFTString, 95},
                {"village_code", "vill_code", OFTString, 15},
                {"village_name", "vill_name", OFTString, 127},
                {"code_year", "code_year", OFTInteger, 0},
                {"size_m", "size_m", OFTInteger, 0},
                {"area_km2", "area_km2", OFTReal, 0}};
    int *idx[] = {&fx->id, &fx->tc, &fx->tn, &fx->vc, &fx->vn, &fx->cy, &fx->size, &fx->area};
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(shapefile ? defs[i].shp : defs[i].name, defs[i].type);
        if (!fd)
            return -1;
        if (defs[i].width && shapefile)
            OGR_Fld_SetWidth(fd, defs[i].width);
        OGRErr e = OGR_L_CreateField(lyr, fd, TRUE);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE)
            return -1;
        *idx[i] = (int)i;
    }
    *out = lyr;
    return 0;
}

/* Clips one cell to the county and attributes it. *geom receives the clipped cell in
 * UTM (NULL when the cell only touches the county); *vill the chosen village. */
static int cell_clip(cell_job *j, size_t c, OGRGeometryH square, OGRGeometryH *geom,
                     size_t *vill)
{
    *geom = NULL;
    size_t k0 = j->start[c], k1 = j->start[c + 1];
    if (k0 == k1)
        return FG_OK;
    OGRGeometryH pieces = OGR_G_CreateGeometry(wkbMultiPolygon);
    if (!pieces)
        return FG_ENOMEM;
    for (size_t t = 0; t < j->ntowns; t++)
        j->town_area[t] = 0.0;
    size_t npieces = 0;
    double *varea = NULL;
    int rc = FG_OK;
    if (!(varea = fg_calloc(k1 - k0, sizeof *varea)))
        rc = FG_ENOMEM;
    for (size_t k = k0; k < k1 && rc == FG_OK; k++) {
        const cell_vill *v = &j->v[j->list[k]];
        OGRGeometryH x = OGR_G_Intersection(v->geom, square);
        if (!x)
            continue;
        double a = OGR_G_Area(x);
        if (a > CELL_SLIVER * (double)j->size * (double)j->size) {
            varea[k - k0] = a;
            j->town_area[v->town] += a;
            if (add_polygons(pieces, x))
                rc = FG_ENOMEM;
            npieces++;
        }
        OGR_G_DestroyGeometry(x);
    }
    if (rc == FG_OK && npieces > 0) {
        /* the township of largest overlap, then its village of largest overlap, so the
         * pair is always consistent; ties go to the smaller code (township order and
         * village order are code order) */
        size_t bt = 0;
        for (size_t t = 1; t < j->ntowns; t++)
            if (j->town_area[t] > j->town_area[bt])
                bt = t;
        size_t best = SIZE_MAX;
        double ba = 0.0;
        for (size_t k = k0; k < k1; k++) {
            const cell_vill *v = &j->v[j->list[k]];
            if (v->town != bt || !(varea[k - k0] > 0.0))
                continue;
            if (best == SIZE_MAX || varea[k - k0] > ba ||
                (varea[k - k0] == ba && j->list[k] < best)) {
                best = j->list[k];
                ba = varea[k - k0];
            }
        }
        *vill = best;
        OGRGeometryH u = npieces > 1 ? OGR_G_UnionCascaded(pieces) : OGR_G_Clone(pieces);
        OGRGeometryH mp = u ? OGR_G_CreateGeometry(wkbMultiPolygon) : NULL;
        if (!u || !mp || add_polygons(mp, u))
            rc = FG_ENOMEM;
        if (u)
            OGR_G_DestroyGeometry(u);
        if (rc == FG_OK)
            *geom = mp;
        else if (mp)
            OGR_G_DestroyGeometry(mp);
    }
    fg_free(varea);
    OGR_G_DestroyGeometry(pieces);
    return rc;
}

/* Writes every cell into lyr, south to north, west to east. */
static int cells_fill(cell_job *j, OGRLayerH lyr, const cell_fields *fx, size_t *town_cells,
                      size_t *ncells, const char *path, fg_ctx *ctx)
{
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(lyr);
    for (int64_t b = 0; b < j->nj; b++) {
        for (int64_t a = 0; a < j->ni; a++) {
            size_t c = (size_t)(b * j->ni + a);
            if (j->start[c] == j->start[c + 1])
                continue;
            double x0 = (double)((j->i0 + a) * j->size), y0 = (double)((j->j0 + b) * j->size);
            double x1 = x0 + (double)j->size, y1 = y0 + (double)j->size;
            OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
            OGRGeometryH square = OGR_G_CreateGeometry(wkbPolygon);
            if (!ring || !square) {
                if (ring)
                    OGR_G_DestroyGeometry(ring);
                if (square)
                    OGR_G_DestroyGeometry(square);
                return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
            }
            OGR_G_AddPoint_2D(ring, x0, y0);
            OGR_G_AddPoint_2D(ring, x1, y0);
            OGR_G_AddPoint_2D(ring, x1, y1);
            OGR_G_AddPoint_2D(ring, x0, y1);
            OGR_G_AddPoint_2D(ring, x0, y0);
            OGR_G_AddGeometryDirectly(square, ring);
            OGRGeometryH clip = NULL;
            size_t vi = 0;
            int rc = cell_clip(j, c, square, &clip, &vi);
            OGR_G_DestroyGeometry(square);
            if (rc)
                return fg_ctx_set(ctx, rc, "%s: out of memory", path);
            if (!clip)
                continue;
            const cell_vill *v = &j->v[vi];
            char id[48];
            cell_id_text(j->size, (j->i0 + a) * j->size, (j->j0 + b) * j->size, id, sizeof id);
            double area_km2 = OGR_G_Area(clip) / 1e6;
            /* a straight UTM edge drawn straight in lon/lat bows by ~L²·tanφ/8R: 1.6 cm
             * for L = 1 km but 160 m for 100 km cells, so long edges get vertices */
            OGR_G_Segmentize(clip, CELL_EDGE_STEP_M);
            if (OGR_G_Transform(clip, j->to_wgs) != OGRERR_NONE) {
                OGR_G_DestroyGeometry(clip);
                return fg_ctx_set(ctx, FG_EFORMAT, "%s: cell %s cannot be transformed to WGS84",
                                  path, id);
            }
            OGRFeatureH f = OGR_F_Create(defn);
            if (!f) {
                OGR_G_DestroyGeometry(clip);
                return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
            }
            OGR_F_SetFieldString(f, fx->id, id);
            OGR_F_SetFieldString(f, fx->tc, v->u.town_code);
            OGR_F_SetFieldString(f, fx->tn, v->u.town_name);
            OGR_F_SetFieldString(f, fx->vc, v->u.vill_code);
            OGR_F_SetFieldString(f, fx->vn, v->u.vill_name);
            if (v->u.code_year > 0)
                OGR_F_SetFieldInteger(f, fx->cy, v->u.code_year);
            OGR_F_SetFieldInteger(f, fx->size, (int)j->size);
            OGR_F_SetFieldDouble(f, fx->area, floor(area_km2 * 1e6 + 0.5) / 1e6);
            OGR_F_SetGeometryDirectly(f, clip);
            OGRErr e = OGR_L_CreateFeature(lyr, f);
            OGR_F_Destroy(f);
            if (e != OGRERR_NONE)
                return fg_ctx_set(ctx, FG_EIO, "%s: cannot write cell %s: %s", path, id,
                                  CPLGetLastErrorMsg());
            if (town_cells)
                town_cells[v->town]++;
            (*ncells)++;
        }
    }
    return FG_OK;
}

int fg_cells_write_counted(const fg_grid *g, double size_m, const char *path,
                           const char *format, size_t *town_cells, size_t *ncells, fg_ctx *ctx)
{
    int64_t size;
    if (!g || !path || !*path)
        return fg_ctx_set(ctx, FG_EINVAL, "fg_cells_write: no grid or no path");
    if (cell_size(size_m, &size))
        return fg_ctx_set(ctx, FG_EINVAL,
                          "%s: cell size %g m is not a whole number of metres in %g..%g", path,
                          size_m, CELL_MIN_M, CELL_MAX_M);
    int epsg = fg_grid_cell_epsg(g);
    if (!epsg)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: the grid has no polygon", path);
    if (GDALGetDriverCount() == 0)
        GDALAllRegister();
    GDALDriverH drv = NULL;
    int rc = cells_driver(format, path, &drv, ctx);
    if (rc)
        return rc;
    const char *dname = GDALGetDriverShortName(drv);
    int shapefile = strcmp(dname, "ESRI Shapefile") == 0;
    int csv = strcmp(dname, "CSV") == 0;
    if (shapefile) {
        const char *dot = strrchr(path, '.');
        if (!dot || strcasecmp(dot, ".shp") != 0)
            return fg_ctx_set(ctx, FG_EINVAL, "%s: a shapefile's name must end in .shp", path);
    }
    char tmp[4096];
    if (fg_tmp_path(path, tmp, sizeof tmp) != FG_OK)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: path too long", path);

    cell_job j = {0};
    j.g = g;
    j.size = size;
    size_t counted = 0;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
    rc = cells_prepare(&j, epsg, path, ctx);
    size_t *tc = NULL;
    if (rc == FG_OK && !(tc = fg_calloc(j.ntowns ? j.ntowns : 1, sizeof *tc)))
        rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    GDALDatasetH ds = NULL;
    if (rc == FG_OK) {
        remove_output(tmp, shapefile); /* a stale temporary of a killed run */
        ds = GDALCreate(drv, tmp, 0, 0, 0, GDT_Unknown, NULL);
        if (!ds)
            rc = fg_ctx_set(ctx, FG_EIO, "%s: cannot create (%s): %s", path, dname,
                            CPLGetLastErrorMsg());
    }
    OGRLayerH lyr = NULL;
    cell_fields fx;
    if (rc == FG_OK && cells_layer(ds, shapefile, csv, &lyr, &fx) != 0)
        rc = fg_ctx_set(ctx, FG_EIO, "%s: cannot create the cell layer: %s", path,
                        CPLGetLastErrorMsg());
    int tx = 0;
    if (rc == FG_OK && GDALDatasetTestCapability(ds, ODsCTransactions))
        tx = GDALDatasetStartTransaction(ds, FALSE) == OGRERR_NONE;
    if (rc == FG_OK)
        rc = cells_fill(&j, lyr, &fx, tc, &counted, path, ctx);
    if (rc == FG_OK && tx && GDALDatasetCommitTransaction(ds) != OGRERR_NONE)
        rc = fg_ctx_set(ctx, FG_EIO, "%s: cannot commit: %s", path, CPLGetLastErrorMsg());
    if (ds) {
        CPLErrorReset();
        GDALClose(ds);
        /* drivers that write at close (GeoJSON, KML, CSV) report failures here */
        if (rc == FG_OK && CPLGetLastErrorType() >= CE_Failure)
            rc = fg_ctx_set(ctx, FG_EIO, "%s: writing failed: %s", path, CPLGetLastErrorMsg());
    }
    CPLPopErrorHandler();
    if (rc == FG_OK)
        rc = commit_output(tmp, path, shapefile, ctx);
    if (rc != FG_OK)
        remove_output(tmp, shapefile);
    if (rc == FG_OK) {
        if (town_cells)
            memcpy(town_cells, tc, j.ntowns * sizeof *tc);
        if (ncells)
            *ncells = counted;
    }
    fg_free(tc);
    cell_job_free(&j);
    return rc;
}

int fg_cells_write(const fg_grid *g, double size_m, const char *path, const char *format,
                   fg_ctx *ctx)
{
    return fg_cells_write_counted(g, size_m, path, format, NULL, NULL, ctx);
}
