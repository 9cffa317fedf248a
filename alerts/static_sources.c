/* static_sources.c — the registry of static heat sources (power plants, kilns, flares) and matching hotspots to it. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cpl_vsi.h>

/* A registry is a small hand-kept table; anything bigger is not one. */
#define SS_MAX_BYTES (16u << 20)
#define SS_MAX_FIELDS 16

/* Columns we need, in the order of fg_static_source. */
enum { SS_ID, SS_NAME, SS_KIND, SS_LAT, SS_LON, SS_RADIUS, SS_NCOL };
static const char *const ss_cols[SS_NCOL] = {"id", "name", "kind", "lat", "lon", "radius_m"};

/* Reads the whole file through GDAL's VSI layer (so /vsimem/ and other virtual paths
 * work too). *buf is NUL-terminated; fg_free it. */
static int ss_slurp(const char *path, char **buf, size_t *len, fg_ctx *ctx)
{
    VSIStatBufL st;
    if (VSIStatL(path, &st) != 0)
        return fg_ctx_set(ctx, FG_ENOTFOUND, "%s: no such file", path);
    if (VSI_ISDIR(st.st_mode))
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: is a directory, not a CSV file", path);
    if ((unsigned long long)st.st_size > SS_MAX_BYTES)
        return fg_ctx_set(ctx, FG_ELIMIT, "%s: %llu bytes is too large for a registry", path,
                          (unsigned long long)st.st_size);
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (!fp)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot open", path);
    size_t cap = (size_t)st.st_size + 1;
    char *b = fg_malloc(cap);
    if (!b) {
        VSIFCloseL(fp);
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    }
    size_t got = VSIFReadL(b, 1, cap - 1, fp);
    VSIFCloseL(fp);
    if (got != cap - 1) {
        fg_free(b);
        return fg_ctx_set(ctx, FG_EIO, "%s: read error", path);
    }
    b[got] = '\0';
    *buf = b;
    *len = got;
    return FG_OK;
}


/* Trims blanks in place. */
static char *ss_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* Strict number: the whole field must parse and be finite. */
static int ss_number(const char *s, double *v)
{
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (*end != '\0' || errno == ERANGE || !isfinite(x))
        return -1;
    *v = x;
    return 0;
}

/* Validates one data row into *o; returns NULL or a reason. */
static const char *ss_row(char **f, int nf, const int *col, fg_static_source *o)
{
    memset(o, 0, sizeof *o);
    for (int c = 0; c < SS_NCOL; c++)
        if (col[c] >= nf)
            return "too few fields";
    const char *id = ss_trim(f[col[SS_ID]]);
    const char *name = ss_trim(f[col[SS_NAME]]);
    const char *kind = ss_trim(f[col[SS_KIND]]);
    if (!*id)
        return "empty id";
    if (strlen(id) >= sizeof o->id)
        return "id longer than 31 bytes";
    if (strlen(name) >= sizeof o->name)
        return "name longer than 127 bytes";
    if (strlen(kind) >= sizeof o->kind)
        return "kind longer than 47 bytes";
    if (ss_number(ss_trim(f[col[SS_LAT]]), &o->lat) || fabs(o->lat) > 90)
        return "lat is not a number in -90..90";
    if (ss_number(ss_trim(f[col[SS_LON]]), &o->lon) || fabs(o->lon) > 180)
        return "lon is not a number in -180..180";
    if (ss_number(ss_trim(f[col[SS_RADIUS]]), &o->radius_m) || o->radius_m <= 0 ||
        o->radius_m > 100000)
        return "radius_m is not a number in (0, 100000]";
    strcpy(o->id, id);
    strcpy(o->name, name);
    strcpy(o->kind, kind);
    return NULL;
}

/* Parses the text (modified in place). */
static int ss_parse(const char *path, char *text, fg_static_source **out, size_t *n,
                    void (*skip)(void *, const char *, const char *), void *user, fg_ctx *ctx)
{
    char *p = text;
    if (strncmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    int col[SS_NCOL];
    int have_header = 0, line = 0;
    fg_static_source *v = NULL;
    size_t nv = 0, cap = 0;
    while (*p) {
        char *eol = strchr(p, '\n');
        char *next = eol ? eol + 1 : p + strlen(p);
        if (eol)
            *eol = '\0';
        size_t len = strlen(p);
        if (len && p[len - 1] == '\r')
            p[--len] = '\0';
        line++;
        char *fields[SS_MAX_FIELDS];
        char what[600];
        snprintf(what, sizeof what, "%s:%d", path, line);
        if (*ss_trim(p) == '\0' || p[0] == '#') {
            p = next;
            continue;
        }
        int nf = fg_csv_split(p, fields, SS_MAX_FIELDS);
        if (nf > SS_MAX_FIELDS)
            nf = -1;
        if (!have_header) {
            if (nf < 0) {
                fg_free(v);
                return fg_ctx_set(ctx, FG_EFORMAT, "%s: malformed header", what);
            }
            for (int c = 0; c < SS_NCOL; c++) {
                col[c] = -1;
                for (int i = 0; i < nf; i++)
                    if (strcmp(ss_trim(fields[i]), ss_cols[c]) == 0)
                        col[c] = i;
                if (col[c] < 0) {
                    fg_free(v);
                    return fg_ctx_set(ctx, FG_EFORMAT,
                                      "%s: header has no \"%s\" column (expected "
                                      "id,name,kind,lat,lon,radius_m)",
                                      what, ss_cols[c]);
                }
            }
            have_header = 1;
            p = next;
            continue;
        }
        fg_static_source s;
        const char *why = nf < 0 ? "malformed quoting or too many fields"
                                 : ss_row(fields, nf, col, &s);
        if (why) {
            if (skip)
                skip(user, what, why);
        } else {
            if (nv == cap) {
                size_t ncap = cap ? 2 * cap : 16;
                fg_static_source *q = fg_realloc(v, ncap * sizeof *q);
                if (!q) {
                    fg_free(v);
                    return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
                }
                v = q;
                cap = ncap;
            }
            v[nv++] = s;
        }
        p = next;
    }
    if (!have_header)
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: empty file, expected header "
                          "id,name,kind,lat,lon,radius_m", path);
    *out = v;
    *n = nv;
    return FG_OK;
}

int fg_static_sources_read(const char *path, fg_static_source **out, size_t *n,
                           void (*skip)(void *user, const char *what, const char *reason),
                           void *user, fg_ctx *ctx)
{
    if (!path || !*path || !out || !n)
        return fg_ctx_set(ctx, FG_EINVAL, "fg_static_sources_read: NULL argument");
    char *text = NULL;
    size_t len = 0;
    int rc = ss_slurp(path, &text, &len, ctx);
    if (rc)
        return rc;
    if (memchr(text, '\0', len)) {
        fg_free(text);
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: binary data, not a CSV file", path);
    }
    rc = ss_parse(path, text, out, n, skip, user, ctx);
    fg_free(text);
    return rc;
}

int fg_static_source_match(const fg_static_source *s, size_t n, double lat, double lon,
                           double slack_m)
{
    if (!s || !isfinite(lat) || !isfinite(lon))
        return -1;
    if (!isfinite(slack_m) || slack_m < 0)
        slack_m = 0;
    int best = -1;
    double bestd = INFINITY;
    for (size_t i = 0; i < n && i < (size_t)INT32_MAX; i++) {
        double d = fg_geo_distance(lat, lon, s[i].lat, s[i].lon);
        if (d <= s[i].radius_m + slack_m && d < bestd) {
            bestd = d;
            best = (int)i;
        }
    }
    return best;
}
