/* config.c — the run configuration: sample-county defaults and "key = value" files. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void fg_run_config_sample(fg_run_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->source, sizeof c->source, "(sample county)");
    snprintf(c->boundaries, sizeof c->boundaries, "firegrid-sample/county_cells.geojson");
    snprintf(c->static_sources, sizeof c->static_sources, "firegrid-sample/static_sources.csv");
    snprintf(c->scenes_dir, sizeof c->scenes_dir, "firegrid-sample/scenes");
    snprintf(c->frames_dir, sizeof c->frames_dir, "firegrid-sample/frames");
    snprintf(c->cameras, sizeof c->cameras, "firegrid-sample/cameras.csv");
    snprintf(c->out_dir, sizeof c->out_dir, "firegrid-out");
    c->threads = 0;
    c->cam_scale = 0;
    snprintf(c->lang, sizeof c->lang, "zh");
}

enum key_kind { K_PATH, K_INT, K_DOUBLE, K_CHOICE, K_TEXT, K_PERIOD };

struct key {
    const char *name;
    enum key_kind kind;
    size_t offset;
    int lo, hi;          /* range for K_INT and K_DOUBLE */
    const char *help;
    const char *choices; /* K_CHOICE: "a|b|c"; the index of the match is stored as int */
};

/* This table MUST stay sorted by name (bsearch). */
static const struct key keys[] = {
    {"boundaries", K_PATH, offsetof(fg_run_config, boundaries), 0, 0,
     "village polygons, any OGR format", NULL},
    {"boundaries_crs", K_CHOICE, offsetof(fg_run_config, boundaries_gcj02), 0, 0,
     "WGS84 (as the file says) or GCJ-02 (Chinese web-map offset, converted on input)",
     "WGS84|GCJ-02"},
    {"camera_scale", K_INT, offsetof(fg_run_config, cam_scale), 0, 8,
     "TurboJPEG scale denominator (0 = automatic)", NULL},
    {"cameras", K_PATH, offsetof(fg_run_config, cameras), 0, 0, "camera registry CSV", NULL},
    {"formats", K_TEXT, offsetof(fg_run_config, formats), 0, 0,
     "list formats, comma-separated: CSV, XLSX, GeoJSON, KML", NULL},
    {"frames", K_PATH, offsetof(fg_run_config, frames_dir), 0, 0,
     "folder with one sub-folder of JPEG frames per camera", NULL},
    {"grid_cell_m", K_DOUBLE, offsetof(fg_run_config, grid_cell_m), 0, 100000,
     "grid cell size in metres (0 = none)", NULL},
    {"landcover", K_PATH, offsetof(fg_run_config, landcover), 0, 0, "land-cover raster", NULL},
    {"lang", K_CHOICE, offsetof(fg_run_config, lang), 0, 0, "list language", "zh|en"},
    {"ledger", K_PATH, offsetof(fg_run_config, ledger), 0, 0, "incident ledger (GeoPackage)",
     NULL},
    {"officers", K_PATH, offsetof(fg_run_config, officers), 0, 0, "grid officer registry CSV",
     NULL},
    {"output", K_PATH, offsetof(fg_run_config, out_dir), 0, 0, "output folder", NULL},
    {"period", K_PERIOD, offsetof(fg_run_config, periods), 0, 0,
     "key period name,start,end[,bonfire] (repeatable)", NULL},
    {"scenes", K_PATH, offsetof(fg_run_config, scenes_dir), 0, 0, "satellite scene folder",
     NULL},
    {"static_sources", K_PATH, offsetof(fg_run_config, static_sources), 0, 0,
     "static heat-source registry CSV", NULL},
    {"threads", K_INT, offsetof(fg_run_config, threads), 0, 256, "worker threads (0 = all)",
     NULL},
};

static int key_cmp(const void *k, const void *e)
{
    return strcmp(k, ((const struct key *)e)->name);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static void report(void (*warn)(void *, const char *), void *user, int *nwarn,
                   const char *fmt, const char *path, int line, const char *what)
{
    char msg[1024];
    snprintf(msg, sizeof msg, fmt, path, line, what);
    if (warn)
        warn(user, msg);
    if (nwarn)
        (*nwarn)++;
}

int fg_run_config_read(const char *path, fg_run_config *c,
                       void (*warn)(void *user, const char *msg), void *user, int *nwarn,
                       fg_ctx *ctx)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return fg_ctx_set(ctx, errno == ENOENT ? FG_ENOTFOUND : FG_EIO,
                          "%s: cannot read the config: %s", path, strerror(errno));
    fg_run_config next = *c;
    snprintf(next.source, sizeof next.source, "%s", path);
    /* Relative paths in the file are relative to the file's own folder. */
    char dir[512] = ".";
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    if (!dir[0])
        snprintf(dir, sizeof dir, "/");

    char buf[2048];
    int line = 0;
    while (fgets(buf, sizeof buf, f)) {
        line++;
        if (!strchr(buf, '\n') && !feof(f)) {
            report(warn, user, nwarn, "%s:%d: line too long; ignored%s", path, line, "");
            int ch;
            while ((ch = fgetc(f)) != EOF && ch != '\n')
                ;
            continue;
        }
        char *s = buf;
        if (line == 1 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
            (unsigned char)s[2] == 0xBF)
            s += 3;
        char *hash = strchr(s, '#');
        if (hash)
            *hash = '\0';
        s = trim(s);
        if (!*s)
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            report(warn, user, nwarn, "%s:%d: expected 'key = value', got '%s'; ignored", path,
                   line, s);
            continue;
        }
        *eq = '\0';
        char *k = trim(s), *v = trim(eq + 1);
        const struct key *def = bsearch(k, keys, sizeof keys / sizeof keys[0], sizeof keys[0],
                                        key_cmp);
        if (!def) {
            report(warn, user, nwarn, "%s:%d: unknown key '%s'; ignored", path, line, k);
            continue;
        }
        char *dst = (char *)&next + def->offset;
        char what[600];
        if (def->kind == K_INT || def->kind == K_DOUBLE) {
            char *end;
            errno = 0;
            double x = strtod(v, &end);
            if (!*v || *end || errno || x < def->lo || x > def->hi ||
                (def->kind == K_INT && x != (double)(long)x)) {
                snprintf(what, sizeof what, "%s = '%.400s' (expected %d..%d)", k, v, def->lo,
                         def->hi);
                report(warn, user, nwarn, "%s:%d: bad value %s; ignored", path, line, what);
                continue;
            }
            if (def->kind == K_INT)
                *(int *)dst = (int)x;
            else
                *(double *)dst = x;
        } else if (def->kind == K_CHOICE) {
            int idx = 0, found = -1;
            for (const char *c0 = def->choices; *c0; idx++) {
                size_t len = strcspn(c0, "|");
                if (strlen(v) == len && strncasecmp(v, c0, len) == 0)
                    found = idx;
                c0 += len + (c0[len] == '|');
            }
            if (found < 0) {
                snprintf(what, sizeof what, "%s = '%.400s' (expected %s)", k, v, def->choices);
                report(warn, user, nwarn, "%s:%d: bad value %s; ignored", path, line, what);
                continue;
            }
            if (def->offset == offsetof(fg_run_config, lang))
                snprintf(next.lang, sizeof next.lang, "%s", found ? "en" : "zh");
            else
                *(int *)dst = found;
        } else if (def->kind == K_TEXT) {
            snprintf(dst, 64, "%.63s", v);
        } else if (def->kind == K_PERIOD) {
            fg_period per;
            fg_ctx pctx = {0};
            if (fg_period_parse(v, &per, &pctx) != FG_OK) {
                snprintf(what, sizeof what, "period '%.300s': %.250s", v, pctx.msg);
                report(warn, user, nwarn, "%s:%d: bad value %s; ignored", path, line, what);
                continue;
            }
            if (next.nperiods >= (int)(sizeof next.periods / sizeof next.periods[0])) {
                report(warn, user, nwarn, "%s:%d: too many periods; %s ignored", path, line, v);
                continue;
            }
            snprintf(next.periods[next.nperiods++].text, sizeof next.periods[0].text, "%.95s",
                     v);
        } else {
            int n = v[0] == '/' || !v[0] ? snprintf(dst, 512, "%s", v)
                                         : snprintf(dst, 512, "%s/%s", dir, v);
            if (n >= 512) {
                report(warn, user, nwarn, "%s:%d: path for '%s' is too long; ignored", path,
                       line, k);
                snprintf(dst, 512, "%s", (char *)c + def->offset);
            }
        }
    }
    int err = ferror(f);
    fclose(f);
    if (err)
        return fg_ctx_set(ctx, FG_EIO, "%s: read error", path);
    *c = next;
    return FG_OK;
}
