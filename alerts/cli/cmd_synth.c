/* cmd_synth.c — `firegrid synth`: the sample county's inputs, made deterministically from physics. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"
#include "alerts/cli/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int fg_synth_sample(const char *dir, unsigned seed, const char *date, int quiet)
{
    fg_ctx ctx = {0};
    char path[1024], iso[40];
    snprintf(iso, sizeof iso, "%sT00:00:00Z", date ? date : "2026-10-15");
    fg_synth_opts o = {.seed = seed,
                       .west = FG_SAMPLE_WEST,
                       .south = FG_SAMPLE_SOUTH,
                       .east = FG_SAMPLE_EAST,
                       .north = FG_SAMPLE_NORTH};
    if (fg_time_parse(iso, &o.day0_utc) != FG_OK) {
        fprintf(stderr, "firegrid synth: --date '%s' is not YYYY-MM-DD\n", date);
        return 2;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "firegrid synth: %s: cannot create: %s\n", dir, strerror(errno));
        return 1;
    }
    fg_sample_cell *cells = NULL;
    size_t ncells = 0;
    fg_static_source *ss = NULL;
    size_t nss = 0;
    fg_synth_site *sites = NULL;
    fg_truth *truth = NULL;
    size_t ntruth = 0;
    int rc = fg_sample_county_cells(&cells, &ncells, &ctx);
    if (rc == FG_OK) {
        snprintf(path, sizeof path, "%s/county_cells.geojson", dir);
        rc = fg_sample_county_write(path, &ctx);
    }
    if (rc == FG_OK) {
        snprintf(path, sizeof path, "%s/static_sources.csv", dir);
        rc = fg_write_file(path, fg_sample_static_sources_csv(),
                           strlen(fg_sample_static_sources_csv()), &ctx);
    }
    if (rc == FG_OK)
        rc = fg_static_sources_read(path, &ss, &nss, NULL, NULL, &ctx);
    if (rc == FG_OK && nss == 0)
        rc = fg_ctx_set(&ctx, FG_EFORMAT, "%s: the bundled registry has no source", path);
    if (rc == FG_OK && !(sites = fg_calloc(ncells, sizeof *sites)))
        rc = fg_ctx_set(&ctx, FG_ENOMEM, "out of memory");
    if (rc == FG_OK) {
        for (size_t i = 0; i < ncells; i++) {
            sites[i].lat = 0.5 * (cells[i].south + cells[i].north);
            sites[i].lon = 0.5 * (cells[i].west + cells[i].east);
            snprintf(sites[i].township_code, sizeof sites[i].township_code, "%s",
                     cells[i].town_code);
            snprintf(sites[i].village_code, sizeof sites[i].village_code, "%s",
                     cells[i].vill_code);
        }
        o.sites = sites;
        o.nsites = ncells;
        o.static_lat = ss[0].lat;
        o.static_lon = ss[0].lon;
        if (!quiet)
            fprintf(stderr, "firegrid synth: thermal scenes → %s/scenes\n", dir);
        rc = fg_synth_thermal(dir, &o, &truth, &ntruth, &ctx);
    }
    if (rc == FG_OK) {
        if (!quiet)
            fprintf(stderr, "firegrid synth: camera frames → %s/frames\n", dir);
        rc = fg_synth_camera(dir, &o, &truth, &ntruth, &ctx);
    }
    if (rc == FG_OK) {
        snprintf(path, sizeof path, "%s/truth.csv", dir);
        rc = fg_truth_write(path, truth, ntruth, &ctx);
    }
    fg_free(cells);
    fg_free(ss);
    fg_free(sites);
    fg_free(truth);
    if (rc != FG_OK) {
        fprintf(stderr, "firegrid synth: %s\n", ctx.msg);
        return 1;
    }
    if (!quiet)
        fprintf(stderr, "firegrid synth: %zu planted object(s) listed in %s/truth.csv\n", ntruth,
                dir);
    return 0;
}

int fg_cmd_synth(int argc, char **argv)
{
    const char *dir = "firegrid-sample", *date = NULL;
    unsigned seed = 1;
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int needs = strcmp(a, "-o") == 0 || strcmp(a, "--seed") == 0 || strcmp(a, "--date") == 0;
        if (needs && i + 1 >= argc) {
            fprintf(stderr, "firegrid synth: option %s needs a value\n", a);
            return 2;
        }
        if (strcmp(a, "-o") == 0) {
            dir = argv[++i];
        } else if (strcmp(a, "--seed") == 0) {
            char *end;
            unsigned long s = strtoul(argv[++i], &end, 10);
            if (*end || !argv[i][0]) {
                fprintf(stderr, "firegrid synth: --seed '%s' is not a number\n", argv[i]);
                return 2;
            }
            seed = (unsigned)s;
        } else if (strcmp(a, "--date") == 0) {
            date = argv[++i];
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else {
            fprintf(stderr, "firegrid synth: unknown option '%s' (see `firegrid help synth`)\n", a);
            return 2;
        }
    }
    return fg_synth_sample(dir, seed, date, quiet);
}
