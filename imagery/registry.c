/* registry.c — the camera registry CSV: one fixed preset per row, impossible rows reported and left out. */
/* SPDX-License-Identifier: MIT */
#include "imagery/imagery.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NFIELDS 9
#define LINE_MAX_BYTES 1024

static const char *const header_fields[NFIELDS] = {
    "camera_id", "lon", "lat", "height_m", "heading_deg", "hfov_deg", "tilt_deg", "width",
    "height"};

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

/* Splits line at commas into at most max fields (trimmed); returns the count,
 * or max + 1 when there are more. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        char *c = strchr(p, ',');
        if (c)
            *c = '\0';
        if (n == max)
            return max + 1;
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

/* Parses one data row into *c; returns NULL or the reason it is impossible. */
static const char *parse_row(char *line, fg_camera *c, char *why, size_t whysize)
{
    char *f[NFIELDS];
    int n = split(line, f, NFIELDS);
    if (n != NFIELDS) {
        snprintf(why, whysize, "expected %d fields, found %s%d", NFIELDS,
                 n > NFIELDS ? "more than " : "", n > NFIELDS ? NFIELDS : n);
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
    return NULL;
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
    char line[LINE_MAX_BYTES + 2];
    fg_camera *cams = NULL;
    size_t len = 0, cap = 0;
    long lineno = 0;
    int rc = FG_OK, have_header = 0;

    while (fgets(line, sizeof line, fp)) {
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
                skip(user, what, "line longer than 1024 bytes");
            }
            continue;
        }
        char *s = line;
        if (lineno == 1 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
            (unsigned char)s[2] == 0xBF)
            s += 3; /* UTF-8 BOM, as Excel writes it */
        s = trim(s);
        if (!have_header) {
            if (!*s)
                continue;
            char *f[NFIELDS];
            int nf = split(s, f, NFIELDS);
            int ok = nf == NFIELDS;
            for (int i = 0; ok && i < NFIELDS; i++)
                ok = strcmp(f[i], header_fields[i]) == 0;
            if (!ok) {
                rc = fg_ctx_set(ctx, FG_EFORMAT,
                                "%s:%ld: header must be "
                                "camera_id,lon,lat,height_m,heading_deg,hfov_deg,tilt_deg,"
                                "width,height",
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
        const char *reason = parse_row(s, &c, why, sizeof why);
        for (size_t i = 0; !reason && i < len; i++)
            if (strcmp(cams[i].id, c.id) == 0) {
                snprintf(why, sizeof why, "duplicate camera_id '%s' (first one kept)", c.id);
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
