/* cmd_feedback.c — `firegrid feedback`: apply officers' verification results to the ledger, choose the exit status. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"
#include "alerts/cli/cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* `firegrid run` holds an flock on "<ledger>.lock" while it works (alerts/run.c): it reads
 * the incidents, merges and writes them back, so feedback committed in between would be
 * overwritten. Feedback takes the same lock, waiting for a run in progress (a sample run
 * takes seconds; cron runs every few minutes) up to wait_s. Released when the process ends. */
static int lock_ledger(const char *ledger, int wait_s, int quiet)
{
    char p[1200];
    snprintf(p, sizeof p, "%s.lock", ledger);
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "firegrid feedback: %s: cannot open the lock file: %s\n", p, strerror(errno));
        return -1;
    }
    for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB) != 0; waited++) {
        if (errno != EWOULDBLOCK || waited >= 2 * wait_s) {
            fprintf(stderr, "firegrid feedback: %s: %s\n", ledger,
                    errno == EWOULDBLOCK ? "a firegrid run is still using this ledger; try again"
                                         : strerror(errno));
            close(fd);
            return -1;
        }
        if (waited == 0 && !quiet)
            fprintf(stderr, "firegrid feedback: waiting for the firegrid run using %s\n", ledger);
        struct timespec half = {0, 500000000L};
        nanosleep(&half, NULL);
    }
    return fd;
}

static void on_skip(void *user, const char *what, const char *reason)
{
    (void)user;
    fprintf(stderr, "firegrid feedback: skipped %s: %s\n", what, reason);
}

static void on_config_warn(void *user, const char *msg)
{
    if (!*(const int *)user)
        fprintf(stderr, "firegrid feedback: %s\n", msg);
}

int fg_cmd_feedback(int argc, char **argv)
{
    const char *config = NULL, *ledger_path = NULL;
    int quiet = 0, nfiles = 0, first_file = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "--config") == 0 || strcmp(a, "--ledger") == 0) && i + 1 >= argc) {
            fprintf(stderr, "firegrid feedback: option %s needs a value\n", a);
            return FG_EXIT_USAGE;
        }
        if (strcmp(a, "--config") == 0) {
            config = argv[++i];
        } else if (strcmp(a, "--ledger") == 0) {
            ledger_path = argv[++i];
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "firegrid feedback: unknown option '%s' (see `firegrid help feedback`)\n",
                    a);
            return FG_EXIT_USAGE;
        } else {
            if (nfiles == 0)
                first_file = i;
            nfiles++;
            argv[first_file + nfiles - 1] = argv[i]; /* files gathered in order */
        }
    }
    if (nfiles == 0) {
        fprintf(stderr, "firegrid feedback: no feedback FILE (see `firegrid help feedback`)\n");
        return FG_EXIT_USAGE;
    }

    /* The ledger: --ledger, else the config's (default <output>/ledger.gpkg, as `run`). */
    char path[1100];
    if (ledger_path) {
        snprintf(path, sizeof path, "%s", ledger_path);
    } else {
        fg_run_config cfg;
        fg_run_config_sample(&cfg);
        fg_ctx cctx = {0};
        int nwarn = 0;
        if (config && fg_run_config_read(config, &cfg, on_config_warn, &quiet, &nwarn, &cctx) != FG_OK) {
            fprintf(stderr, "firegrid feedback: %s\n", cctx.msg);
            return FG_EXIT_FAILED;
        }
        if (cfg.ledger[0])
            snprintf(path, sizeof path, "%s", cfg.ledger);
        else
            snprintf(path, sizeof path, "%s/ledger.gpkg", cfg.out_dir);
    }
    /* Feedback refers to incidents a run recorded: without a ledger there is nothing to
     * update, and opening would create an empty one. */
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "firegrid feedback: no ledger at %s (run `firegrid run` first, or give "
                        "--ledger / --config)\n", path);
        return FG_EXIT_FAILED;
    }
    int lockfd = lock_ledger(path, 120, quiet);
    if (lockfd < 0)
        return FG_EXIT_FAILED;
    fg_ctx ctx = {0};
    fg_ledger *l = NULL;
    if (fg_ledger_open(path, &l, &ctx) != FG_OK) {
        fprintf(stderr, "firegrid feedback: %s\n", ctx.msg);
        close(lockfd);
        return FG_EXIT_FAILED;
    }

    fg_feedback_summary tot = {0, 0, 0, 0};
    int failed = 0;
    for (int k = 0; k < nfiles; k++) {
        const char *f = argv[first_file + k];
        fg_feedback_summary s;
        fg_ctx_clear(&ctx);
        if (fg_feedback_apply(l, f, &s, on_skip, NULL, &ctx) != FG_OK) {
            fprintf(stderr, "firegrid feedback: failed: %s\n", ctx.msg);
            failed++;
            tot.rows += s.rows;
            tot.skipped += s.rows; /* nothing of this file was applied */
            continue;
        }
        printf("%s: %d row(s): %d applied, %d repeated (already in the ledger), %d skipped\n", f,
               s.rows, s.applied, s.repeated, s.skipped);
        tot.rows += s.rows;
        tot.applied += s.applied;
        tot.repeated += s.repeated;
        tot.skipped += s.skipped;
    }
    fg_ledger_close(l);
    close(lockfd);
    if (nfiles > 1)
        printf("total: %d row(s): %d applied, %d repeated, %d skipped\n", tot.rows, tot.applied,
               tot.repeated, tot.skipped);
    if (tot.applied > 0 && !quiet)
        fprintf(stderr, "firegrid feedback: %s updated; the lists show it after the next "
                        "`firegrid run`\n", path);
    if (failed == nfiles)
        return FG_EXIT_FAILED;
    if (failed > 0 || tot.skipped > 0) {
        fprintf(stderr, "firegrid feedback: partial: %d file(s) failed, %d row(s) skipped\n",
                failed, tot.skipped);
        return FG_EXIT_PARTIAL;
    }
    return FG_EXIT_OK;
}
