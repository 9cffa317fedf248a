/* registry.c — the camera registry CSV: one camera preset per row (optional preset and mask polygon), impossible rows reported and left out. */
/* SPDX-License-Identifier: MIT */
#include "imagery/imagery.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_error.h>
#include <ogr_api.h>

#define NFIELDS 9 /* required columns */
#define MAXFIELDS 11
/* a mask polygon may take up to sizeof(fg_camera.mask_wkt) bytes on one line */
#define LINE_MAX_BYTES 4096

static const char *const header_fields[NFIELDS] = {
    "camera_id", "lon", "lat", "height_m", "heading_deg", "hfov_deg", "tilt_deg", "width",
    "height"};

/* Column positions of the optional fields (-1 = absent). */
typedef struct columns {
    int nfields;
    int preset, mask_wkt;
} columns;

/* Strips trailing CR/LF and surrounding blanks in place; returns the start. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

int fg_csv_split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (n == max)
            return max + 1;
        if (*p == '"') {
            char *w = p, *r = p + 1;
            for (;;) {
                if (*r == '\0')
                    return -1;
                if (*r == '"') {
                    if (r[1] == '"') {
                        *w++ = '"';
                        r += 2;
                        continue;
                    }
                    break;
                }
                *w++ = *r++;
            }
            *w = '\0';
            f[n++] = p;
            r++;
            while (*r == ' ' || *r == '\t' || *r == '\r' || *r == '\n')
                r++;
            if (*r == '\0')
                return n;
            if (*r != ',')
                return -1;
            p = r + 1;
            continue;
        }
        char *c = strchr(p, ',');
        if (c)
            *c = '\0';
        f[n++] = trim(p);
        if (!c)
            return n;
        p = c + 1;
    }
}

/* A double that uses the whole field and is finite. */
static int parse_num(const char *s, double *v)
{
    if (!*s)
        return 0;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(x))
        return 0;
    *v = x;
    return 1;
}

static int parse_int(const char *s, int *v)
{
    if (!*s)
        return 0;
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (*end != '\0' || errno == ERANGE || x < -1000000 || x > 1000000)
        return 0;
    *v = (int)x;
    return 1;
}

/* NULL when wkt is a non-empty (MULTI)POLYGON whose envelope lies inside the
 * w×h image (pixel corners 0..w, 0..h), else the reason. OGR parses it. */
static const char *check_mask(const char *wkt, int w, int h, char *why, size_t whysize)
{
    char *p = (char *)wkt;
    OGRGeometryH g = NULL;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    OGRErr e = OGR_G_CreateFromWkt(&p, NULL, &g);
    CPLPopErrorHandler();
    if (e != OGRERR_NONE || !g) {
        snprintf(why, whysize, "mask_wkt is not WKT OGR can parse");
        return why;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    const char *reason = NULL;
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    OGREnvelope env;
    if (*p) {
        snprintf(why, whysize, "mask_wkt has text after the geometry");
        reason = why;
    } else if (t != wkbPolygon && t != wkbMultiPolygon) {
        snprintf(why, whysize, "mask_wkt is a %s, not a POLYGON or MULTIPOLYGON",
                 OGRGeometryTypeToName(t));
        reason = why;
    } else if (OGR_G_IsEmpty(g)) {
        snprintf(why, whysize, "mask_wkt is empty");
        reason = why;
    } else {
        OGR_G_GetEnvelope(g, &env);
        if (env.MinX < 0 || env.MinY < 0 || env.MaxX > w || env.MaxY > h) {
            snprintf(why, whysize,
                     "mask_wkt spans x %g..%g, y %g..%g: not image pixels of a %dx%d frame",
                     env.MinX, env.MaxX, env.MinY, env.MaxY, w, h);
            reason = why;
        }
    }
    OGR_G_DestroyGeometry(g);
    return reason;
}

/* Parses one data row into *c; returns NULL or the reason it is impossible. */
static const char *parse_row(char *line, const columns *col, fg_camera *c, char *why,
                             size_t whysize)
{
    char *f[MAXFIELDS];
    int n = fg_csv_split(line, f, col->nfields);
    if (n < 0) {
        snprintf(why, whysize, "unbalanced quotes");
        return why;
    }
    /* optional trailing columns may be left out of a row */
    if (n < NFIELDS || n > col->nfields) {
        snprintf(why, whysize, "expected %d fields, found %s%d", col->nfields,
                 n > col->nfields ? "more than " : "", n > col->nfields ? col->nfields : n);
        return why;
    }
    memset(c, 0, sizeof *c);
    if (!f[0][0])
        return "empty camera_id";
    if (strlen(f[0]) >= sizeof c->id)
        return "camera_id longer than 47 bytes";
    memcpy(c->id, f[0], strlen(f[0]) + 1);
    double *num[6] = {&c->lon, &c->lat, &c->height_m, &c->heading_deg, &c->hfov_deg,
                      &c->tilt_deg};
    for (int i = 0; i < 6; i++)
        if (!parse_num(f[1 + i], num[i])) {
            snprintf(why, whysize, "%s '%s' is not a number", header_fields[1 + i], f[1 + i]);
            return why;
        }
    if (!parse_int(f[7], &c->width) || !parse_int(f[8], &c->height)) {
        snprintf(why, whysize, "width '%s' or height '%s' is not an integer", f[7], f[8]);
        return why;
    }
    if (c->lon < -180 || c->lon > 180) {
        snprintf(why, whysize, "lon %g outside -180..180", c->lon);
        return why;
    }
    if (c->lat < -90 || c->lat > 90) {
        snprintf(why, whysize, "lat %g outside -90..90", c->lat);
        return why;
    }
    if (!(c->height_m > 0) || c->height_m > 10000) {
        snprintf(why, whysize, "height_m %g outside (0, 10000]", c->height_m);
        return why;
    }
    if (c->heading_deg < 0 || c->heading_deg > 360) {
        snprintf(why, whysize, "heading_deg %g outside 0..360", c->heading_deg);
        return why;
    }
    if (c->heading_deg == 360)
        c->heading_deg = 0;
    if (!(c->hfov_deg > 0 && c->hfov_deg < 180)) {
        snprintf(why, whysize, "hfov_deg %g outside (0, 180)", c->hfov_deg);
        return why;
    }
    if (!(c->tilt_deg > -90 && c->tilt_deg < 90)) {
        snprintf(why, whysize, "tilt_deg %g outside (-90, 90)", c->tilt_deg);
        return why;
    }
    if (c->width <= 0 || c->height <= 0 || c->width > 100000 || c->height > 100000) {
        snprintf(why, whysize, "frame size %dx%d outside 1..100000", c->width, c->height);
        return why;
    }
    const char *preset = col->preset >= 0 && col->preset < n ? f[col->preset] : "";
    const char *mask = col->mask_wkt >= 0 && col->mask_wkt < n ? trim(f[col->mask_wkt]) : "";
    if (strlen(preset) >= sizeof c->preset) {
        snprintf(why, whysize, "preset longer than %zu bytes", sizeof c->preset - 1);
        return why;
    }
    if (strchr(preset, '/') || strchr(preset, '@')) {
        snprintf(why, whysize, "preset '%s' holds '/' or '@'", preset);
        return why;
    }
    if (strlen(mask) >= sizeof c->mask_wkt) {
        snprintf(why, whysize, "mask_wkt longer than %zu bytes", sizeof c->mask_wkt - 1);
        return why;
    }
    if (mask[0] && check_mask(mask, c->width, c->height, why, whysize))
        return why;
    memcpy(c->preset, preset, strlen(preset) + 1);
    memcpy(c->mask_wkt, mask, strlen(mask) + 1);
    return NULL;
}

/* Parses the header: the nine required names in order, then optional preset and
 * mask_wkt in either order. */
static int parse_header(char *s, columns *col)
{
    char *f[MAXFIELDS];
    int nf = fg_csv_split(s, f, MAXFIELDS);
    if (nf < NFIELDS || nf > MAXFIELDS)
        return 0;
    for (int i = 0; i < NFIELDS; i++)
        if (strcmp(f[i], header_fields[i]) != 0)
            return 0;
    col->nfields = nf;
    col->preset = col->mask_wkt = -1;
    for (int i = NFIELDS; i < nf; i++) {
        int *slot = strcmp(f[i], "preset") == 0     ? &col->preset
                    : strcmp(f[i], "mask_wkt") == 0 ? &col->mask_wkt
                                                    : NULL;
        if (!slot || *slot >= 0)
            return 0;
        *slot = i;
    }
    return 1;
}

int fg_camera_registry_read(const char *path, fg_camera **out, size_t *n,
                            void (*skip)(void *user, const char *what, const char *reason),
                            void *user, fg_ctx *ctx)
{
    if (!path || !out || !n)
        return fg_ctx_set(ctx, FG_EINVAL, "camera registry: missing path or output");
    FILE *fp = fopen(path, "r");
    if (!fp)
        return fg_ctx_set(ctx, errno == ENOENT ? FG_ENOTFOUND : FG_EIO, "%s: cannot open: %s",
                          path, strerror(errno));
    static const size_t linecap = LINE_MAX_BYTES + 2;
    char *line = fg_malloc(linecap);
    if (!line) {
        fclose(fp);
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    }
    fg_camera *cams = NULL;
    size_t len = 0, cap = 0;
    long lineno = 0;
    int rc = FG_OK, have_header = 0;
    columns col = {NFIELDS, -1, -1};

    while (fgets(line, (int)linecap, fp)) {
        lineno++;
        size_t ll = strlen(line);
        if (ll > 0 && line[ll - 1] != '\n' && !feof(fp)) {
            /* longer than any sane row: report it and skip to the line end */
            int ch;
            while ((ch = fgetc(fp)) != EOF && ch != '\n')
                ;
            if (!have_header) {
                rc = fg_ctx_set(ctx, FG_EFORMAT, "%s:%ld: header line too long", path, lineno);
                break;
            }
            if (skip) {
                char what[600];
                snprintf(what, sizeof what, "%s:%ld", path, lineno);
                skip(user, what, "line longer than 4096 bytes");
            }
            continue;
        }
        char *s = line;
        if (lineno == 1 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
            (unsigned char)s[2] == 0xBF)
            s += 3; /* UTF-8 BOM, as Excel writes it */
        s = trim(s);
        if (!have_header) {
            if (!*s || *s == '#')
                continue; /* blank and comment lines may precede the header */
            if (!parse_header(s, &col)) {
                rc = fg_ctx_set(ctx, FG_EFORMAT,
                                "%s:%ld: header must be "
                                "camera_id,lon,lat,height_m,heading_deg,hfov_deg,tilt_deg,"
                                "width,height[,preset][,mask_wkt]",
                                path, lineno);
                break;
            }
            have_header = 1;
            continue;
        }
        if (!*s || *s == '#')
            continue;
        fg_camera c;
        char why[256];
        const char *reason = parse_row(s, &col, &c, why, sizeof why);
        /* a patrolling camera has one row per preset: the key is (camera_id, preset) */
        for (size_t i = 0; !reason && i < len; i++)
            if (strcmp(cams[i].id, c.id) == 0 && strcmp(cams[i].preset, c.preset) == 0) {
                if (c.preset[0])
                    snprintf(why, sizeof why,
                             "duplicate camera_id '%s' preset '%s' (first one kept)", c.id,
                             c.preset);
                else
                    snprintf(why, sizeof why, "duplicate camera_id '%s' (first one kept)",
                             c.id);
                reason = why;
            }
        if (reason) {
            if (skip) {
                char what[600];
                snprintf(what, sizeof what, "%s:%ld", path, lineno);
                skip(user, what, reason);
            }
            continue;
        }
        if (len == cap) {
            size_t nc = cap ? 2 * cap : 16;
            fg_camera *nb = fg_realloc(cams, nc * sizeof *nb);
            if (!nb) {
                rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
                break;
            }
            cams = nb;
            cap = nc;
        }
        cams[len++] = c;
    }
    if (rc == FG_OK && ferror(fp))
        rc = fg_ctx_set(ctx, FG_EIO, "%s: read error", path);
    if (rc == FG_OK && !have_header)
        rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: empty file, no header", path);
    fclose(fp);
    fg_free(line);
    if (rc != FG_OK) {
        fg_free(cams);
        return rc;
    }
    if (len == 0) {
        fg_free(cams);
        cams = NULL;
    }
    *out = cams;
    *n = len;
    return FG_OK;
}
