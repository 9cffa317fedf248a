/* cmd_grid.c — `firegrid grid`: the county's regular grid cells (1 km, 3 km, ...) clipped to it and attributed. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"
#include "alerts/grid_int.h"
#include "alerts/cli/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct grid_cli {
    int quiet, nskipped;
} grid_cli;

static void on_skip(void *user, const char *what, const char *reason)
{
    grid_cli *c = user;
    c->nskipped++;
    fprintf(stderr, "firegrid grid: %s: %s\n", what, reason);
}

static void on_config_warn(void *user, const char *msg)
{
    grid_cli *c = user;
    c->nskipped++;
    fprintf(stderr, "firegrid grid: %s\n", msg);
}

/* Output formats named by their usual extension, for the default file name. */
static const char *default_ext(const char *format)
{
    static const struct {
        const char *name, *ext;
    } t[] = {{"GPKG", "gpkg"}, {"GeoJSON", "geojson"}, {"ESRI Shapefile", "shp"},
             {"KML", "kml"},   {"CSV", "csv"},         {"FlatGeobuf", "fgb"}};
    if (!format)
        return "gpkg";
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcasecmp(format, t[i].name) == 0)
            return t[i].ext;
    return NULL;
}

int fg_cmd_grid(int argc, char **argv)
{
    const char *config = NULL, *out = NULL, *format = NULL;
    double size = 0;
    grid_cli cli = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "--config") == 0 || strcmp(a, "--size") == 0 || strcmp(a, "-o") == 0 ||
             strcmp(a, "-of") == 0) &&
            i + 1 >= argc) {
            fprintf(stderr, "firegrid grid: option %s needs a value\n", a);
            return FG_EXIT_USAGE;
        }
        if (strcmp(a, "--config") == 0) {
            config = argv[++i];
        } else if (strcmp(a, "--size") == 0) {
            char *end;
            size = strtod(argv[++i], &end);
            if (*end || !argv[i][0] || !(size >= 10 && size <= 100000) || size != (long)size) {
                fprintf(stderr, "firegrid grid: --size '%s' is not whole metres in 10..100000\n",
                        argv[i]);
                return FG_EXIT_USAGE;
            }
        } else if (strcmp(a, "-o") == 0) {
            out = argv[++i];
        } else if (strcmp(a, "-of") == 0) {
            format = argv[++i];
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            cli.quiet = 1;
        } else {
            fprintf(stderr, "firegrid grid: unknown option '%s' (see `firegrid help grid`)\n", a);
            return FG_EXIT_USAGE;
        }
    }

    fg_run_config cfg;
    fg_run_config_sample(&cfg);
    fg_ctx ctx = {0};
    if (config && fg_run_config_read(config, &cfg, on_config_warn, &cli, NULL, &ctx) != FG_OK) {
        fprintf(stderr, "firegrid grid: %s\n", ctx.msg);
        return FG_EXIT_FAILED;
    }
    if (size == 0)
        size = cfg.grid_cell_m > 0 ? cfg.grid_cell_m : 1000.0;
    char outbuf[1024];
    if (!out) {
        const char *ext = default_ext(format);
        if (!ext) {
            fprintf(stderr, "firegrid grid: give -o FILE with -of %s\n", format);
            return FG_EXIT_USAGE;
        }
        snprintf(outbuf, sizeof outbuf, "grid_%.0fm.%s", size, ext);
        out = outbuf;
    }

    /* the sample county's boundaries: as `synth` writes them, or a temporary copy */
    char tmp[400] = "";
    struct stat st;
    if (!config && stat(cfg.boundaries, &st) != 0) {
        const char *dir = getenv("TMPDIR");
        int k = snprintf(tmp, sizeof tmp, "%s/firegrid-county-%ld.geojson",
                         dir && *dir && strlen(dir) < 300 ? dir : "/tmp", (long)getpid());
        if (k < 0 || (size_t)k >= sizeof tmp)
            snprintf(tmp, sizeof tmp, "/tmp/firegrid-county-%ld.geojson", (long)getpid());
        if (!cli.quiet)
            fprintf(stderr, "firegrid grid: no %s; using the bundled sample county\n",
                    cfg.boundaries);
        if (fg_sample_county_write(tmp, &ctx) != FG_OK) {
            fprintf(stderr, "firegrid grid: %s\n", ctx.msg);
            return FG_EXIT_FAILED;
        }
        snprintf(cfg.boundaries, sizeof cfg.boundaries, "%s", tmp);
    }

    fg_grid_opts go = {0};
    go.gcj02 = cfg.boundaries_gcj02;
    fg_grid *g = NULL;
    int rc = fg_grid_open(cfg.boundaries, &go, &g, on_skip, &cli, &ctx);
    if (tmp[0])
        remove(tmp);
    if (rc != FG_OK) {
        fprintf(stderr, "firegrid grid: %s\n", ctx.msg);
        return FG_EXIT_FAILED;
    }
    size_t nt = fg_grid_township_count(g), total = 0;
    size_t *counts = fg_calloc(nt ? nt : 1, sizeof *counts);
    if (!counts) {
        fg_grid_free(g);
        fprintf(stderr, "firegrid grid: out of memory\n");
        return FG_EXIT_FAILED;
    }
    if (!cli.quiet)
        fprintf(stderr, "firegrid grid: %g m cells of %s → %s\n", size, cfg.boundaries, out);
    rc = fg_cells_write_counted(g, size, out, format, counts, &total, &ctx);
    if (rc != FG_OK) {
        fprintf(stderr, "firegrid grid: %s\n", ctx.msg);
        fg_free(counts);
        fg_grid_free(g);
        return rc == FG_EINVAL ? FG_EXIT_USAGE : FG_EXIT_FAILED;
    }
    fg_grid_unit u;
    int year = fg_grid_unit_get(g, 0, &u) == FG_OK ? u.code_year : 0;
    char yeartext[24] = "unknown";
    if (year > 0)
        snprintf(yeartext, sizeof yeartext, "%d", year);
    printf("%s: %zu cells of %.0f m (UTM EPSG:%d, WGS84 output, code year %s)\n", out, total,
           size, fg_grid_cell_epsg(g), yeartext);
    for (size_t i = 0; i < nt; i++) {
        const char *code, *name;
        fg_grid_township(g, i, &code, &name);
        printf("%s %s %zu\n", code, *name ? name : "-", counts[i]);
    }
    fg_free(counts);
    fg_grid_free(g);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "firegrid grid: cannot write to standard output\n");
        return FG_EXIT_FAILED;
    }
    if (cli.nskipped) {
        fprintf(stderr, "firegrid grid: partial: %d boundary feature(s) or config line(s) "
                        "skipped or questionable (named above)\n",
                cli.nskipped);
        return FG_EXIT_PARTIAL;
    }
    return FG_EXIT_OK;
}
