/* cmd_run.c — `firegrid run`: parse options into a run config, run, choose the exit status. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"
#include "alerts/cli/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void to_stderr(void *user, const char *line)
{
    if (!*(const int *)user)
        fprintf(stderr, "%s\n", line);
}

#define MAX_NOTES 64

typedef struct notes {
    char text[MAX_NOTES][600];
    const char *ptr[MAX_NOTES];
    int n;
} notes;

static void config_warn(void *user, const char *msg)
{
    notes *nt = user;
    fprintf(stderr, "firegrid run: %s\n", msg);
    if (nt->n < MAX_NOTES) {
        snprintf(nt->text[nt->n], sizeof nt->text[0], "%s", msg);
        nt->ptr[nt->n] = nt->text[nt->n];
        nt->n++;
    }
}

int fg_cmd_run(int argc, char **argv)
{
    const char *config = NULL, *out = NULL, *lang = NULL;
    char formats[64] = "";
    int threads = -1, quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "--config") == 0 || strcmp(a, "-o") == 0 || strcmp(a, "--threads") == 0 ||
             strcmp(a, "--lang") == 0 || strcmp(a, "-of") == 0) &&
            i + 1 >= argc) {
            fprintf(stderr, "firegrid run: option %s needs a value\n", a);
            return FG_EXIT_USAGE;
        }
        if (strcmp(a, "--config") == 0) {
            config = argv[++i];
        } else if (strcmp(a, "-o") == 0) {
            out = argv[++i];
        } else if (strcmp(a, "--lang") == 0) {
            lang = argv[++i];
            if (strcmp(lang, "zh") != 0 && strcmp(lang, "en") != 0) {
                fprintf(stderr, "firegrid run: --lang '%s' is not zh or en\n", lang);
                return FG_EXIT_USAGE;
            }
        } else if (strcmp(a, "-of") == 0) {
            /* repeatable, as GDAL's -of is per output: -of CSV -of XLSX */
            size_t len = strlen(formats);
            if (len + strlen(argv[i + 1]) + 2 > sizeof formats) {
                fprintf(stderr, "firegrid run: too many -of formats\n");
                return FG_EXIT_USAGE;
            }
            snprintf(formats + len, sizeof formats - len, "%s%s", len ? "," : "", argv[++i]);
        } else if (strcmp(a, "--threads") == 0) {
            char *end;
            long t = strtol(argv[++i], &end, 10);
            if (*end || t < 0 || t > 256) {
                fprintf(stderr, "firegrid run: --threads '%s' is not 0..256\n", argv[i]);
                return FG_EXIT_USAGE;
            }
            threads = (int)t;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else {
            fprintf(stderr, "firegrid run: unknown option '%s' (see `firegrid help run`)\n", a);
            return FG_EXIT_USAGE;
        }
    }

    fg_run_config cfg;
    fg_run_config_sample(&cfg);
    int nwarn = 0;
    static notes nt; /* large: kept off the stack */
    fg_ctx ctx = {0};
    if (config) {
        if (fg_run_config_read(config, &cfg, config_warn, &nt, &nwarn, &ctx) != FG_OK) {
            fprintf(stderr, "firegrid run: %s\n", ctx.msg);
            return FG_EXIT_FAILED;
        }
    } else {
        struct stat st;
        if (stat("firegrid-sample", &st) != 0) {
            if (!quiet)
                fprintf(stderr, "firegrid run: no ./firegrid-sample yet; writing the sample "
                                "inputs first (firegrid synth)\n");
            if (fg_synth_sample("firegrid-sample", 1, NULL, quiet) != 0)
                return FG_EXIT_FAILED;
        }
    }
    if (out)
        snprintf(cfg.out_dir, sizeof cfg.out_dir, "%s", out);
    if (threads >= 0)
        cfg.threads = threads;
    if (lang)
        snprintf(cfg.lang, sizeof cfg.lang, "%s", lang);
    if (formats[0])
        snprintf(cfg.formats, sizeof cfg.formats, "%s", formats);

    fg_run_summary sum;
    if (nwarn > nt.n) /* more than MAX_NOTES: the rest are counted, not repeated */
        nt.n = MAX_NOTES;
    int rc = fg_run(&cfg, nt.ptr, nt.n, &sum, to_stderr, &quiet, &ctx);
    if (rc != FG_OK) {
        fprintf(stderr, "firegrid run: failed: %s\n", ctx.msg);
        return FG_EXIT_FAILED;
    }
    printf("%s: %zu hotspot(s): %zu suspected straw burning (%zu outside the county), "
           "%zu on static heat sources; inputs read %d, skipped %d\n",
           cfg.out_dir, sum.hotspots, sum.straw, sum.outside, sum.industrial, sum.inputs_read,
           sum.inputs_skipped);
    if (sum.inputs_skipped > 0) {
        fprintf(stderr, "firegrid run: partial: %d input(s) or config line(s) skipped; see %s/run.log\n",
                sum.inputs_skipped, cfg.out_dir);
        return FG_EXIT_PARTIAL;
    }
    return FG_EXIT_OK;
}
