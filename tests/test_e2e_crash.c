/* test_e2e_crash.c — `firegrid run` killed with SIGKILL at random moments, then run to completion, ends exactly as an uninterrupted run. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fg_test.h"

#include <dirent.h>
#include <fcntl.h>
#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alerts/alerts.h"

#define TMP FG_TEST_TMPDIR
#define CONF TMP "/county.conf"

/* Kills wanted, and a soft budget after which no new trial starts (the sanitizer build
 * runs several times slower). */
#define KILLS_WANTED 25
#define MIN_KILLS 10
#define BUDGET_S 150.0

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- the ledger, dumped through OGR: every row of every table, fid left out, sorted ---- */

typedef struct strv {
    char **v;
    size_t n, cap;
} strv;

static void strv_add(strv *s, const char *t)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        assert_non_null(s->v);
    }
    s->v[s->n] = strdup(t);
    assert_non_null(s->v[s->n]);
    s->n++;
}

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *dump_ledger(const char *path)
{
    static const char *tables[] = {"incidents", "hotspots", "inputs", "status_history",
                                   "camera_states", "meta"};
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    if (!ds)
        fail_msg("%s does not open", path);
    strv rows = {0};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++) {
        OGRLayerH l = GDALDatasetGetLayerByName(ds, tables[t]);
        if (!l)
            fail_msg("%s: no table %s", path, tables[t]);
        OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
        OGRFeatureH f;
        OGR_L_ResetReading(l);
        while ((f = OGR_L_GetNextFeature(l))) {
            static char line[1 << 17];
            size_t k = (size_t)snprintf(line, sizeof line, "%s", tables[t]);
            for (int i = 0; i < OGR_FD_GetFieldCount(d) && k < sizeof line; i++)
                k += (size_t)snprintf(line + k, sizeof line - k, "|%s",
                                      OGR_F_IsFieldSetAndNotNull(f, i)
                                          ? OGR_F_GetFieldAsString(f, i)
                                          : "NULL");
            OGRGeometryH g = OGR_F_GetGeometryRef(f);
            if (g && k < sizeof line) {
                char *wkt = NULL;
                OGR_G_ExportToWkt(g, &wkt);
                k += (size_t)snprintf(line + k, sizeof line - k, "|%s", wkt ? wkt : "");
                CPLFree(wkt);
            }
            strv_add(&rows, line);
            OGR_F_Destroy(f);
        }
    }
    GDALClose(ds);
    qsort(rows.v, rows.n, sizeof *rows.v, cmp_strp);
    size_t total = 1;
    for (size_t i = 0; i < rows.n; i++)
        total += strlen(rows.v[i]) + 1;
    char *out = malloc(total);
    assert_non_null(out);
    size_t k = 0;
    for (size_t i = 0; i < rows.n; i++) {
        size_t len = strlen(rows.v[i]);
        memcpy(out + k, rows.v[i], len);
        out[k + len] = '\n';
        k += len + 1;
        free(rows.v[i]);
    }
    out[k] = 0;
    free(rows.v);
    return out;
}

/* The list files of an output folder (not the log, the ledger and SQLite's files beside it
 * — its lock, a rollback journal whose zeroed header SQLite ignores — nor hidden
 * temporaries), sorted. The ledger is compared row by row instead. */
static strv list_files(const char *dir)
{
    strv s = {0};
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        char full[1024];
        struct stat st;
        snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
        /* report.html describes the run itself (what this run read), so a restarted run's
         * report differs by design; the evidence/ and incidents/ folders are not lists. */
        if (e->d_name[0] != '.' && strcmp(e->d_name, "run.log") != 0 &&
            strcmp(e->d_name, "report.html") != 0 && strncmp(e->d_name, "ledger.gpkg", 11) != 0 &&
            stat(full, &st) == 0 && S_ISREG(st.st_mode))
            strv_add(&s, e->d_name);
    }
    closedir(d);
    qsort(s.v, s.n, sizeof *s.v, cmp_strp);
    return s;
}

static void strv_free(strv *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
}

/* 1 when dir's lists and ledger equal the clean run's; names the first difference. */
static int same_as_clean(const char *dir, const char *clean_dump, char *why, size_t whysize)
{
    strv a = list_files(TMP "/clean"), b = list_files(dir);
    int same = a.n == b.n;
    if (!same)
        snprintf(why, whysize, "%zu list files, the clean run has %zu", b.n, a.n);
    for (size_t i = 0; same && i < a.n; i++) {
        if (strcmp(a.v[i], b.v[i]) != 0) {
            snprintf(why, whysize, "file %s instead of %s", b.v[i], a.v[i]);
            same = 0;
            break;
        }
        char pa[1024], pb[1024];
        snprintf(pa, sizeof pa, TMP "/clean/%s", a.v[i]);
        snprintf(pb, sizeof pb, "%s/%s", dir, b.v[i]);
        size_t la = 0, lb = 0;
        char *x = slurp(pa, &la), *y = slurp(pb, &lb);
        if (!x || !y || la != lb || memcmp(x, y, la) != 0) {
            snprintf(why, whysize, "%s differs", a.v[i]);
            same = 0;
        }
        free(x);
        free(y);
    }
    strv_free(&a);
    strv_free(&b);
    if (same) {
        char lp[1024];
        snprintf(lp, sizeof lp, "%s/ledger.gpkg", dir);
        char *d = dump_ledger(lp);
        if (strcmp(d, clean_dump) != 0) {
            snprintf(why, whysize, "the ledger's rows differ");
            same = 0;
        }
        free(d);
    }
    return same;
}

/* ---- runs ---- */

static pid_t start_run(const char *out, const char *errpath)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        int fe = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0)
            dup2(fd, 1);
        if (fe >= 0)
            dup2(fe, 2);
        execl(FG_BINARY, "firegrid", "run", "--config", CONF, "-o", out, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Phase the run was in when killed, from the last line it logged to stderr. */
enum { PH_START, PH_OPEN, PH_SCENES, PH_CAMERAS, PH_LEDGER, PH_LISTS, PH_FINISHED, PH_N };
static const char *phase_names[PH_N] = {
    "start (before the ledger)", "ledger open", "scenes", "cameras",
    "placement, merge and ledger transaction", "lists", "finished before the kill"};

static int phase_of(const char *errpath)
{
    char *s = slurp(errpath, NULL);
    int ph = PH_START;
    for (char *p = s; p && *p;) {
        char *nl = strchr(p, '\n');
        if (strncmp(p, "READ boundaries", 15) == 0 || strncmp(p, "READ ledger", 11) == 0)
            ph = PH_OPEN;
        else if (strncmp(p, "READ scene", 10) == 0 || strncmp(p, "SEEN", 4) == 0)
            ph = PH_SCENES;
        else if (strncmp(p, "READ camera", 11) == 0 || strncmp(p, "TRIANGULATED", 12) == 0)
            ph = PH_CAMERAS;
        else if (strncmp(p, "READ static", 11) == 0)
            ph = PH_LEDGER;
        else if (strncmp(p, "LEDGER", 6) == 0)
            ph = PH_LISTS;
        else if (strncmp(p, "WROTE", 5) == 0 || strncmp(p, "SUMMARY", 7) == 0)
            ph = PH_FINISHED;
        if (!nl)
            break;
        p = nl + 1;
    }
    free(s);
    return ph;
}

static int setup(void **state)
{
    (void)state;
    if (sh("rm -rf '%s' && mkdir -p '%s'", TMP, TMP) != 0 ||
        sh("'%s' synth -q -o '%s/sample'", FG_BINARY, TMP) != 0)
        return -1;
    FILE *f = fopen(CONF, "w");
    if (!f)
        return -1;
    /* the sample county, with grid cells so that every incident field is exercised */
    fprintf(f, "boundaries = sample/county_cells.geojson\nscenes = sample/scenes\n"
               "frames = sample/frames\ncameras = sample/cameras.csv\n"
               "static_sources = sample/static_sources.csv\noutput = clean\n"
               "grid_cell_m = 1000\nformats = CSV,GeoJSON,KML\n");
    return fclose(f) == 0 ? 0 : -1;
}

static void runs_killed_at_random_moments_end_as_a_clean_run(void **state)
{
    (void)state;
    double t0 = now_s();
    assert_int_equal(sh("'%s' run -q --config '%s' >/dev/null", FG_BINARY, CONF), 0);
    double clean_s = now_s() - t0;
    char *clean = dump_ledger(TMP "/clean/ledger.gpkg");
    assert_non_null(strstr(clean, "incidents|"));
    assert_non_null(strstr(clean, "camera_states|"));

    double est_s = clean_s;
    fg_rng rng = {20261015};
    int kills = 0, trials = 0, hist[PH_N] = {0};
    double start = now_s();
    while (kills < KILLS_WANTED && (kills < MIN_KILLS || now_s() - start < BUDGET_S)) {
        char dir[512], err[600], why[512] = "";
        snprintf(dir, sizeof dir, TMP "/k%02d", trials);
        snprintf(err, sizeof err, "%s.err", dir);
        assert_int_equal(sh("rm -rf '%s'", dir), 0);
        /* every third trial also kills the restart: a run killed while recovering */
        int nk = trials % 3 == 2 ? 2 : 1;
        for (int k = 0; k < nk && kills < KILLS_WANTED; k++) {
            /* Machines here are shared and run times vary several-fold, so besides kills
             * at a random time within the run's length, the kills aim at the short tail
             * by events: a random moment after the run logs that it starts placing and
             * merging ("READ static"), or after it has committed ("LEDGER"). */
            int mode = (trials + k) % 3;
            const char *trigger = mode == 1 ? "READ static" : mode == 2 ? "LEDGER" : NULL;
            double delay = trigger ? fg_rng_unit(&rng) * 0.15 : fg_rng_unit(&rng) * 0.9 * est_s;
            pid_t pid = start_run(dir, err);
            double ts0 = now_s(), tt = trigger ? -1 : ts0;
            int st = 0, done = 0;
            while (!done) {
                if (waitpid(pid, &st, WNOHANG) == pid) {
                    done = 1;
                    break;
                }
                if (tt < 0) {
                    char *e = slurp(err, NULL);
                    if (e && strstr(e, trigger))
                        tt = now_s();
                    free(e);
                }
                if (tt >= 0 && now_s() - tt >= delay)
                    break;
                struct timespec ts = {0, 1000000};
                nanosleep(&ts, NULL);
            }
            if (!done) {
                kill(pid, SIGKILL);
                assert_int_equal(waitpid(pid, &st, 0), pid);
            }
            int ph = phase_of(err);
            if (WIFSIGNALED(st) && ph == PH_FINISHED)
                ph = PH_LISTS; /* killed while closing files after the last line */
            if (!WIFSIGNALED(st))
                ph = PH_FINISHED;
            hist[ph]++;
            if (getenv("FG_CRASH_VERBOSE"))
                print_message("trial %d kill %d: delay %.2f s, %s %d, phase %s\n", trials, k, delay,
                              WIFSIGNALED(st) ? "killed" : "exited",
                              WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st), phase_names[ph]);
            kills += WIFSIGNALED(st);
        }
        /* then to completion */
        double tr = now_s();
        assert_int_equal(sh("'%s' run -q --config '%s' -o '%s' >/dev/null", FG_BINARY, CONF, dir),
                         0);
        tr = now_s() - tr;
        if (tr > 0.5 * est_s && tr < est_s) /* the shortest full run seen so far */
            est_s = tr;
        if (!same_as_clean(dir, clean, why, sizeof why))
            fail_msg("trial %d (killed %d time(s)): %s", trials, nk, why);
        assert_int_equal(sh("rm -rf '%s' '%s'", dir, err), 0);
        trials++;
    }
    print_message("crash test: clean run %.2f s; %d kill(s) in %d trial(s); killed in phase:\n",
                  clean_s, kills, trials);
    for (int p = 0; p < PH_N; p++)
        print_message("  %-42s %d\n", phase_names[p], hist[p]);
    free(clean);
    assert_true(kills >= MIN_KILLS);
    /* the kills reached the middle of the run, not only its start */
    assert_true(hist[PH_SCENES] + hist[PH_CAMERAS] > 0);
    assert_true(hist[PH_LEDGER] + hist[PH_LISTS] > 0);
}

/* A writer killed mid-file leaves ".<name>.tmp<pid>…" (fg_tmp_path) in the output
 * folder or its incidents/ and evidence/ folders; the next run removes those whose
 * process is gone, and says so, and leaves a live writer's alone. The report pages
 * once used "<name>.tmp<pid>", which no run removed (caught by the test above). */
static void temporary_files_of_dead_writers_are_removed(void **state)
{
    (void)state;
    const char *dir = TMP "/stale";
    assert_int_equal(sh("rm -rf '%s'", dir), 0);
    assert_int_equal(sh("'%s' run -q --config '%s' -o '%s' >/dev/null", FG_BINARY, CONF, dir),
                     0);
    pid_t dead = fork();
    assert_true(dead >= 0);
    if (dead == 0)
        _exit(0);
    assert_int_equal(waitpid(dead, NULL, 0), dead);
    long live = (long)getpid();
    const char *planted[] = {"%s/.report.tmp%ld.html", "%s/incidents/.I1.tmp%ld.html",
                             "%s/evidence/.E1_cam.tmp%ld.jpg", "%s/.county_incidents.tmp%ld.csv"};
    char path[5][1024];
    for (int i = 0; i < 5; i++) {
        snprintf(path[i], sizeof path[i], planted[i < 4 ? i : 0], dir, i < 4 ? (long)dead : live);
        FILE *f = fopen(path[i], "w");
        assert_non_null(f);
        fputs("half a file", f);
        assert_int_equal(fclose(f), 0);
    }
    char log[1100];
    snprintf(log, sizeof log, "%s.err", dir);
    assert_int_equal(sh("'%s' run --config '%s' -o '%s' >/dev/null 2>'%s'", FG_BINARY, CONF, dir,
                        log),
                     0);
    char *err = slurp(log, NULL);
    assert_non_null(err);
    for (int i = 0; i < 4; i++) {
        if (access(path[i], F_OK) == 0)
            fail_msg("%s is still there", path[i]);
        if (!strstr(err, path[i]))
            fail_msg("the run did not say it removed %s", path[i]);
    }
    assert_int_equal(access(path[4], F_OK), 0); /* its writer (this test) is alive */
    free(err);
    assert_int_equal(sh("rm -rf '%s' '%s'", dir, log), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(temporary_files_of_dead_writers_are_removed),
        cmocka_unit_test(runs_killed_at_random_moments_end_as_a_clean_run),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
