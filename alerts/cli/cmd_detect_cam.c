/* cmd_detect_cam.c — `firegrid detect-cam`: camera frame folders → one CSV row per frame (smoke alarm, score, box). */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"
#include "alerts/cli/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DC "firegrid detect-cam"

typedef struct dc_opts {
    const char *camera, *registry, *state, *out, *model;
    int scale, threads, quiet, rules_only;
} dc_opts;

enum { O_CAMERA, O_MODEL, O_NO_MODEL, O_QUIET, O_REGISTRY, O_SCALE, O_STATE, O_THREADS, O_OUT };

/* This table MUST stay sorted by name (strcmp); `firegrid help detect-cam` documents it. */
static const struct {
    const char *name;
    int id, has_arg;
} dc_options[] = {
    {"--camera", O_CAMERA, 1},
    {"--model", O_MODEL, 1},
    {"--no-model", O_NO_MODEL, 0},
    {"--quiet", O_QUIET, 0},
    {"--registry", O_REGISTRY, 1},
    {"--scale", O_SCALE, 1},
    {"--state", O_STATE, 1},
    {"--threads", O_THREADS, 1},
    {"-o", O_OUT, 1},
    {"-q", O_QUIET, 0},
};
#define DC_NOPTIONS (sizeof dc_options / sizeof dc_options[0])

static int dc_int(const char *opt, const char *v, long lo, long hi, int *out)
{
    char *end;
    long t = strtol(v, &end, 10);
    if (!*v || *end || t < lo || t > hi) {
        fprintf(stderr, DC ": %s '%s' is not %ld..%ld\n", opt, v, lo, hi);
        return FG_EXIT_USAGE;
    }
    *out = (int)t;
    return 0;
}

static int dc_parse(int argc, char **argv, dc_opts *o, char **dirs, int *ndirs)
{
    int only_dirs = 0;
    *ndirs = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_dirs || a[0] != '-') {
            dirs[(*ndirs)++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_dirs = 1;
            continue;
        }
        int k = -1;
        for (size_t n = 0; n < DC_NOPTIONS; n++)
            if (strcmp(dc_options[n].name, a) == 0)
                k = (int)n;
        if (k < 0) {
            fprintf(stderr, DC ": unknown option '%s' (see `firegrid help detect-cam`)\n", a);
            return FG_EXIT_USAGE;
        }
        const char *v = NULL;
        if (dc_options[k].has_arg) {
            if (i + 1 >= argc) {
                fprintf(stderr, DC ": option %s needs a value\n", a);
                return FG_EXIT_USAGE;
            }
            v = argv[++i];
        }
        int rc = 0;
        switch (dc_options[k].id) {
        case O_CAMERA: o->camera = v; break;
        case O_MODEL: o->model = v; break;
        case O_NO_MODEL: o->rules_only = 1; break;
        case O_QUIET: o->quiet = 1; break;
        case O_REGISTRY: o->registry = v; break;
        case O_STATE: o->state = v; break;
        case O_OUT: o->out = v; break;
        case O_THREADS: rc = dc_int(a, v, 0, 256, &o->threads); break;
        case O_SCALE:
            rc = dc_int(a, v, 1, 8, &o->scale);
            if (rc == 0 && (o->scale & (o->scale - 1)) != 0) {
                fprintf(stderr, DC ": --scale %d is not 1, 2, 4 or 8\n", o->scale);
                rc = FG_EXIT_USAGE;
            }
            break;
        default: break;
        }
        if (rc)
            return rc;
    }
    if (*ndirs == 0) {
        fprintf(stderr, DC ": no frame folder given (usage: firegrid detect-cam [options] "
                        "FRAME_DIR...)\n");
        return FG_EXIT_USAGE;
    }
    if (o->model && o->rules_only) {
        fprintf(stderr, DC ": --model and --no-model exclude each other\n");
        return FG_EXIT_USAGE;
    }
    return 0;
}

typedef struct dc_log {
    int quiet;
} dc_log;

/* Problems always go to stderr; progress only without -q. */
static void dc_log_cb(void *user, const char *line)
{
    const dc_log *l = user;
    int problem = strncmp(line, "SKIP", 4) == 0 || strncmp(line, "WARN", 4) == 0;
    if (problem || !l->quiet)
        fprintf(stderr, DC ": %s\n", line);
}

int fg_cmd_detect_cam(int argc, char **argv)
{
    dc_opts o = {0};
    o.out = "-";
    o.threads = -1;
    char **dirs = fg_calloc((size_t)(argc > 0 ? argc : 1), sizeof *dirs);
    if (!dirs) {
        fprintf(stderr, DC ": out of memory\n");
        return FG_EXIT_FAILED;
    }
    int ndirs = 0;
    int rc = dc_parse(argc, argv, &o, dirs, &ndirs);
    if (rc != 0) {
        fg_free(dirs);
        return rc;
    }
    fg_cam_opts co;
    fg_cam_opts_default(&co);
    co.registry = o.registry;
    co.state_dir = o.state;
    co.camera = o.camera;
    co.scale = o.scale;
    co.threads = o.threads;
    co.model = o.model;
    co.rules_only = o.rules_only;
    dc_log l = {o.quiet};
    fg_cam_result res;
    fg_ctx ctx = {0};
    if (fg_cam_run((const char *const *)dirs, (size_t)ndirs, &co, &res, dc_log_cb, &l, &ctx) !=
        FG_OK) {
        fprintf(stderr, DC ": failed: %s\n", ctx.msg);
        fg_free(dirs);
        return FG_EXIT_FAILED;
    }
    fg_free(dirs);
    if (res.cameras == 0) {
        fprintf(stderr, DC ": failed: no camera could be processed; %s not written\n",
                strcmp(o.out, "-") == 0 ? "nothing" : o.out);
        fg_cam_result_free(&res);
        return FG_EXIT_FAILED;
    }
    if (fg_cam_frames_write(o.out, res.frames, res.nframes, &ctx) != FG_OK) {
        fprintf(stderr, DC ": failed: %s\n", ctx.msg);
        fg_cam_result_free(&res);
        return FG_EXIT_FAILED;
    }
    if (!o.quiet) {
        size_t alarms = 0;
        for (size_t i = 0; i < res.nframes; i++)
            alarms += res.frames[i].alarm != 0;
        fprintf(stderr,
                DC ": %zu frame(s) of %d camera(s) written to %s: %zu alarm frame(s), %zu "
                   "hotspot(s) (%d triangulated)%s\n",
                res.nframes, res.cameras, strcmp(o.out, "-") == 0 ? "standard output" : o.out,
                alarms, res.nhotspots, res.triangulated,
                o.registry ? "" : "; no registry, so no positions");
    }
    rc = FG_EXIT_OK;
    if (res.skipped > 0) {
        fprintf(stderr, DC ": partial: %d input(s) skipped (named above)\n", res.skipped);
        rc = FG_EXIT_PARTIAL;
    }
    fg_cam_result_free(&res);
    return rc;
}
