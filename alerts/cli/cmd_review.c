/* cmd_review.c — `firegrid review`: rebuild the evidence images and page of past incidents from the ledger and the inputs. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"
#include "alerts/cli/cmd.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void on_config_warn(void *user, const char *msg)
{
    if (!*(const int *)user)
        fprintf(stderr, "firegrid review: %s\n", msg);
}

static void on_skip(void *user, const char *what, const char *reason)
{
    if (!*(const int *)user)
        fprintf(stderr, "firegrid review: boundaries: skipped %s: %s\n", what, reason);
}

/* --all: every incident's evidence and page, and report.html with the map of the county's
 * boundaries and the summary of the last run's log (<out>/run.log). */
static int report_all(const fg_run_config *cfg, const char *out, fg_ledger *l, const char *lang,
                      int quiet)
{
    fg_ctx ctx = {0};
    fg_grid *g = NULL;
    fg_grid_opts go;
    memset(&go, 0, sizeof go);
    go.gcj02 = cfg->boundaries_gcj02;
    if (fg_grid_open(cfg->boundaries, &go, &g, on_skip, (void *)&quiet, &ctx) != FG_OK) {
        fprintf(stderr, "firegrid review: %s (the report is drawn without a map)\n", ctx.msg);
        g = NULL;
    }
    char logp[1200];
    snprintf(logp, sizeof logp, "%s/run.log", out);
    char *text = NULL;
    FILE *f = fopen(logp, "rb");
    if (f) {
        size_t cap = 0, n = 0, k;
        char buf[8192];
        while ((k = fread(buf, 1, sizeof buf, f)) > 0) {
            if (n + k + 1 > cap) {
                cap = (n + k + 1) * 2;
                char *nt = fg_realloc(text, cap);
                if (!nt)
                    break;
                text = nt;
            }
            memcpy(text + n, buf, k);
            n += k;
            text[n] = '\0';
        }
        fclose(f);
    }
    fg_ctx_clear(&ctx);
    int rc = fg_report_run(out, l, g, lang, text, NULL, 0, &ctx);
    fg_free(text);
    fg_grid_free(g);
    if (rc != FG_OK) {
        fprintf(stderr, "firegrid review: %s\n", ctx.msg);
        return 1;
    }
    if (!quiet)
        printf("%s/report.html\n", out);
    return 0;
}

int fg_cmd_review(int argc, char **argv)
{
    const char *config = NULL, *ledger_path = NULL, *out = NULL, *lang = NULL;
    int quiet = 0, nids = 0, first = 0, all = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int takes = strcmp(a, "--config") == 0 || strcmp(a, "--ledger") == 0 ||
                    strcmp(a, "-o") == 0 || strcmp(a, "--lang") == 0;
        if (takes && i + 1 >= argc) {
            fprintf(stderr, "firegrid review: option %s needs a value\n", a);
            return FG_EXIT_USAGE;
        }
        if (strcmp(a, "--config") == 0) {
            config = argv[++i];
        } else if (strcmp(a, "--ledger") == 0) {
            ledger_path = argv[++i];
        } else if (strcmp(a, "-o") == 0) {
            out = argv[++i];
        } else if (strcmp(a, "--lang") == 0) {
            lang = argv[++i];
            if (strcmp(lang, "zh") != 0 && strcmp(lang, "en") != 0) {
                fprintf(stderr, "firegrid review: --lang must be zh or en\n");
                return FG_EXIT_USAGE;
            }
        } else if (strcmp(a, "--all") == 0) {
            all = 1;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "firegrid review: unknown option '%s' (see `firegrid help review`)\n",
                    a);
            return FG_EXIT_USAGE;
        } else {
            if (nids == 0)
                first = i;
            argv[first + nids++] = argv[i]; /* ids gathered in order */
        }
    }
    if (nids == 0 && !all) {
        fprintf(stderr, "firegrid review: no INCIDENT_ID (see `firegrid help review`)\n");
        return FG_EXIT_USAGE;
    }
    fg_run_config cfg;
    fg_run_config_sample(&cfg);
    fg_ctx ctx = {0};
    int nwarn = 0;
    if (config && fg_run_config_read(config, &cfg, on_config_warn, &quiet, &nwarn, &ctx) != FG_OK) {
        fprintf(stderr, "firegrid review: %s\n", ctx.msg);
        return FG_EXIT_FAILED;
    }
    char path[1100];
    if (ledger_path)
        snprintf(path, sizeof path, "%s", ledger_path);
    else if (cfg.ledger[0])
        snprintf(path, sizeof path, "%s", cfg.ledger);
    else
        snprintf(path, sizeof path, "%s/ledger.gpkg", cfg.out_dir);
    if (!out)
        out = cfg.out_dir;
    if (!lang)
        lang = cfg.lang[0] ? cfg.lang : "zh";
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "firegrid review: no ledger at %s (give --ledger or --config)\n", path);
        return FG_EXIT_FAILED;
    }
    fg_ledger *l = NULL;
    if (fg_ledger_open(path, &l, &ctx) != FG_OK) {
        fprintf(stderr, "firegrid review: %s\n", ctx.msg);
        return FG_EXIT_FAILED;
    }
    int failed = 0;
    if (all) {
        failed = report_all(&cfg, out, l, lang, quiet);
        if (failed) {
            fg_ledger_close(l);
            return FG_EXIT_FAILED;
        }
    }
    for (int k = 0; k < nids; k++) {
        const char *id = argv[first + k];
        fg_ctx_clear(&ctx);
        if (fg_review_incident(out, l, NULL, lang, id, &ctx) != FG_OK) {
            fprintf(stderr, "firegrid review: %s: %s\n", id, ctx.msg);
            failed++;
        } else if (!quiet) {
            printf("%s/incidents/%s.html\n", out, id);
        }
    }
    fg_ledger_close(l);
    if (fflush(stdout) != 0) {
        perror("firegrid review: standard output");
        return FG_EXIT_FAILED;
    }
    if (nids > 0 && failed == nids)
        return FG_EXIT_FAILED;
    return failed ? FG_EXIT_PARTIAL : FG_EXIT_OK;
}
