/* cmd_detect_sat.c — `firegrid detect-sat`: fire pixels of satellite scenes as one FIRMS-style CSV/GeoJSON. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"
#include "alerts/cli/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define DS "firegrid detect-sat"

typedef struct ds_opts {
    const char *sensor, *algorithm, *time, *out, *format, *mask;
    int threads, quiet;
} ds_opts;

enum { O_ALGORITHM, O_MASK, O_OUT, O_FORMAT, O_QUIET, O_SENSOR, O_THREADS, O_TIME };

/* This table MUST stay sorted by name (strcmp); `firegrid help detect-sat` documents it. */
static const struct {
    const char *name;
    int id, has_arg;
} ds_options[] = {
    {"--algorithm", O_ALGORITHM, 1},
    {"--mask", O_MASK, 1},
    {"--quiet", O_QUIET, 0},
    {"--sensor", O_SENSOR, 1},
    {"--threads", O_THREADS, 1},
    {"--time", O_TIME, 1},
    {"-o", O_OUT, 1},
    {"-of", O_FORMAT, 1},
    {"-q", O_QUIET, 0},
};
#define DS_NOPTIONS (sizeof ds_options / sizeof ds_options[0])

static int ds_find_option(const char *a)
{
    for (size_t i = 0; i < DS_NOPTIONS; i++)
        if (strcmp(ds_options[i].name, a) == 0)
            return (int)i;
    return -1;
}

/* Parses argv into o; scenes are collected in order into scenes[] (argv pointers).
 * Returns 0, or FG_EXIT_USAGE after printing the reason. */
static int ds_parse(int argc, char **argv, ds_opts *o, char **scenes, int *nscenes)
{
    int only_files = 0;
    *nscenes = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_files || a[0] != '-' || strcmp(a, "-") == 0) {
            scenes[(*nscenes)++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_files = 1;
            continue;
        }
        int k = ds_find_option(a);
        if (k < 0) {
            fprintf(stderr, DS ": unknown option '%s' (see `firegrid help detect-sat`)\n", a);
            return FG_EXIT_USAGE;
        }
        const char *v = NULL;
        if (ds_options[k].has_arg) {
            if (i + 1 >= argc) {
                fprintf(stderr, DS ": option %s needs a value\n", a);
                return FG_EXIT_USAGE;
            }
            v = argv[++i];
        }
        switch (ds_options[k].id) {
        case O_ALGORITHM: o->algorithm = v; break;
        case O_MASK: o->mask = v; break;
        case O_OUT: o->out = v; break;
        case O_FORMAT: o->format = v; break;
        case O_QUIET: o->quiet = 1; break;
        case O_SENSOR: o->sensor = v; break;
        case O_TIME: o->time = v; break;
        case O_THREADS: {
            char *end;
            long t = strtol(v, &end, 10);
            if (!*v || *end || t < 0 || t > 256) {
                fprintf(stderr, DS ": --threads '%s' is not 0..256\n", v);
                return FG_EXIT_USAGE;
            }
            o->threads = (int)t;
            break;
        }
        default: break;
        }
    }
    if (*nscenes == 0) {
        fprintf(stderr, DS ": no scene given (usage: firegrid detect-sat [options] SCENE...)\n");
        return FG_EXIT_USAGE;
    }
    return 0;
}

static int ds_is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int ds_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* "<dir>/<scene base name without its extension>_mask.tif" */
static int ds_mask_in_dir(const char *dir, const char *scene, char *out, size_t size)
{
    const char *base = strrchr(scene, '/');
    base = base ? base + 1 : scene;
    const char *dot = strrchr(base, '.');
    int stem = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    int n = snprintf(out, size, "%.*s/%.*s_mask.tif", (int)dl, dir, stem, base);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Mask paths per scene. One scene: --mask names the file, unless it is an existing
 * folder or ends in '/'. Several scenes: --mask is a folder (made if missing) that
 * receives <stem>_mask.tif per scene; two scenes with the same stem are refused. */
static int ds_mask_paths(const char *mask, char **scenes, int nscenes, char (*paths)[4096])
{
    int as_dir = nscenes > 1 || ds_is_dir(mask) || ds_ends_with(mask, "/");
    if (!as_dir) {
        snprintf(paths[0], 4096, "%s", mask);
        return 0;
    }
    struct stat st;
    if (nscenes > 1 && ((stat(mask, &st) == 0 && !S_ISDIR(st.st_mode)) ||
                        ds_ends_with(mask, ".tif") || ds_ends_with(mask, ".tiff"))) {
        fprintf(stderr,
                DS ": with several scenes --mask takes a folder (one <scene>_mask.tif per scene), "
                   "not the file '%s'\n",
                mask);
        return FG_EXIT_USAGE;
    }
    for (int i = 0; i < nscenes; i++) {
        if (ds_mask_in_dir(mask, scenes[i], paths[i], 4096) != 0) {
            fprintf(stderr, DS ": mask path for %s is too long\n", scenes[i]);
            return FG_EXIT_USAGE;
        }
        for (int j = 0; j < i; j++)
            if (strcmp(paths[i], paths[j]) == 0) {
                fprintf(stderr, DS ": scenes %s and %s would both write the mask %s\n",
                        scenes[j], scenes[i], paths[i]);
                return FG_EXIT_USAGE;
            }
    }
    fg_ctx ctx = {0};
    if (fg_mkdir_p(mask, &ctx) != FG_OK) {
        fprintf(stderr, DS ": %s\n", ctx.msg);
        return FG_EXIT_FAILED;
    }
    return 0;
}

int fg_cmd_detect_sat(int argc, char **argv)
{
    ds_opts o = {0};
    o.out = "-";
    o.threads = -1;
    char **scenes = fg_calloc((size_t)(argc > 0 ? argc : 1), sizeof *scenes);
    char(*masks)[4096] = NULL;
    fg_firms_list list = {0};
    int nscenes = 0, rc = 0;
    if (!scenes) {
        fprintf(stderr, DS ": out of memory\n");
        return FG_EXIT_FAILED;
    }
    if ((rc = ds_parse(argc, argv, &o, scenes, &nscenes)) != 0)
        goto out;

    /* Everything the command line says is checked before any scene is read. */
    fg_ctx ctx = {0};
    char fmt[16];
    if (fg_firms_format(o.format, o.out, fmt, sizeof fmt, &ctx) != FG_OK) {
        fprintf(stderr, DS ": -of: %s\n", ctx.msg);
        rc = FG_EXIT_USAGE;
        goto out;
    }
    if (o.algorithm && !fg_firms_algorithm_known(o.algorithm)) {
        fprintf(stderr,
                DS ": unknown --algorithm '%s' (thermal: modis, viirs, geo; SWIR: schroeder2016, "
                   "kumar-roy2018, sentinel2)\n",
                o.algorithm);
        rc = FG_EXIT_USAGE;
        goto out;
    }
    fg_firms_opts fo = {0};
    fo.sensor = o.sensor;
    fo.algorithm = o.algorithm;
    fo.threads = o.threads;
    if (o.sensor) {
        fg_sensor_def def;
        if (fg_sensor_find(o.sensor, &def, &ctx) != FG_OK) {
            fprintf(stderr, DS ": --sensor: %s\n", ctx.msg);
            rc = FG_EXIT_USAGE;
            goto out;
        }
    }
    if (o.time && fg_time_parse(o.time, &fo.time_utc) != FG_OK) {
        fprintf(stderr, DS ": --time '%s' is not ISO 8601 (YYYY-MM-DDTHH:MM[:SS]Z)\n", o.time);
        rc = FG_EXIT_USAGE;
        goto out;
    }
    if (o.mask) {
        masks = fg_calloc((size_t)nscenes, sizeof *masks);
        if (!masks) {
            fprintf(stderr, DS ": out of memory\n");
            rc = FG_EXIT_FAILED;
            goto out;
        }
        if ((rc = ds_mask_paths(o.mask, scenes, nscenes, masks)) != 0)
            goto out;
    }

    int done = 0, skipped = 0;
    for (int i = 0; i < nscenes; i++) {
        fg_firms_scene_info info;
        fg_ctx_clear(&ctx);
        if (fg_firms_scene(scenes[i], &fo, masks ? masks[i] : NULL, &list, &info, &ctx) !=
            FG_OK) {
            /* a bad scene is a warning: report it, go on with the others */
            fprintf(stderr, DS ": skipped: %s\n", ctx.msg);
            skipped++;
            continue;
        }
        done++;
        if (!o.quiet)
            fprintf(stderr, DS ": %s: %s %dx%d, %s: %zu fire pixel(s) in %zu fire(s)%s\n",
                    scenes[i], info.sensor, info.width, info.height, info.algorithm, info.npix,
                    info.nfires, masks ? "; mask written" : "");
        if (info.nopos > 0)
            fprintf(stderr, DS ": %s: %zu fire pixel(s) have no WGS84 position (empty lat/lon)\n",
                    scenes[i], info.nopos);
    }
    if (done == 0) {
        fprintf(stderr, DS ": failed: no scene could be processed; %s not written\n",
                strcmp(o.out, "-") == 0 ? "nothing" : o.out);
        rc = FG_EXIT_FAILED;
        goto out;
    }
    fg_ctx_clear(&ctx);
    if (fg_firms_write(o.out, fmt, list.rows, list.n, &ctx) != FG_OK) {
        fprintf(stderr, DS ": failed: %s\n", ctx.msg);
        rc = FG_EXIT_FAILED;
        goto out;
    }
    if (!o.quiet)
        fprintf(stderr, DS ": %zu fire pixel(s) from %d scene(s) written to %s (%s)\n", list.n,
                done, strcmp(o.out, "-") == 0 ? "standard output" : o.out, fmt);
    if (skipped > 0) {
        fprintf(stderr, DS ": partial: %d of %d scene(s) skipped\n", skipped, nscenes);
        rc = FG_EXIT_PARTIAL;
    } else {
        rc = FG_EXIT_OK;
    }
out:
    fg_firms_list_free(&list);
    fg_free(masks);
    fg_free(scenes);
    return rc;
}
