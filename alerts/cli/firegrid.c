/* firegrid.c — the firegrid command: dispatch to a verb, help and version. */
/* SPDX-License-Identifier: MIT */
#include "alerts/cli/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int cmd_help(int argc, char **argv);

/* This table MUST stay sorted by name; `firegrid help` lists it in this order. */
static const fg_cmd commands[] = {
    {"detect-sat", fg_cmd_detect_sat, "write the fire pixels of satellite scenes (FIRMS-style CSV or GeoJSON)",
     "detect-sat [--sensor NAME] [--algorithm NAME] [--time ISO8601] [-o FILE] [-of CSV|GeoJSON]\n"
     "                  [--mask FILE|DIR] [--threads N] [-q] SCENE...",
     "  SCENE           any GDAL raster whose bands are named by role (MIR_BT, TIR_BT, ...) or\n"
     "                  mapped by a sensor profile; a GOES ABI L1b C07 netCDF file opens directly\n"
     "  --sensor NAME   sensor profile (default: FG_SENSOR metadata, the file, or pixel size)\n"
     "  --algorithm A   thermal scenes: modis, viirs or geo (that profile's decision constants,\n"
     "                  the sensor's band physics); SWIR scenes: schroeder2016, kumar-roy2018,\n"
     "                  sentinel2 (default: the sensor profile's)\n"
     "  --time T        acquisition time (ISO 8601 UTC) for scenes that carry none\n"
     "  -o FILE         output (default '-': standard output); written to a temporary name\n"
     "                  and renamed, so it is whole or absent\n"
     "  -of FORMAT      CSV (default; plain UTF-8, FIRMS column names) or GeoJSON (points,\n"
     "                  EPSG:4326); without -of, a .geojson/.json FILE means GeoJSON\n"
     "  --mask M        fire-class mask per scene (GeoTIFF, one byte, aligned with the scene;\n"
     "                  0 not processed, 3 water, 4 cloud, 5 land, 6 unknown, 7/8/9 fire\n"
     "                  low/nominal/high). One scene: M is the file (or a folder). Several\n"
     "                  scenes: M is a folder, made if missing, receiving <scene>_mask.tif\n"
     "  --threads N     worker threads (default: all cores); output is the same for any N\n"
     "  -q, --quiet     no progress on stderr (skipped scenes are still reported)\n"
     "columns: latitude,longitude,row,col,bright_mir,bright_tir,scan,track,acq_date (YYYY-MM-DD),\n"
     "         acq_time (HHMM UTC),satellite,confidence,confidence_class,frp (MW),daynight,\n"
     "         fire_id (per scene),frp_c5,npix_fire,mask_class,tests,scene; rows in scene order,\n"
     "         then by row and col\n"
     "exit status: 0 all scenes processed; 3 partial: output written but some scenes were\n"
     "             skipped (each named on stderr with the problem); 1 failed: no scene\n"
     "             processed or the output could not be written; 2 bad command line"},
    {"help", cmd_help, "show the commands, or the options of one", "help [VERB]", ""},
    {"run", fg_cmd_run, "detect fires and smoke and write the alert lists",
     "run [--config FILE] [-o DIR] [--threads N] [-q]",
     "  --config FILE   a county's run configuration (key = value lines); without it the\n"
     "                  bundled sample county runs on ./firegrid-sample (made by `synth`\n"
     "                  when missing) and writes ./firegrid-out\n"
     "  -o DIR          output folder (overrides the config's 'output')\n"
     "  --threads N     worker threads (default: all cores)\n"
     "  -q, --quiet     no progress on stderr\n"
     "config keys: boundaries, scenes, frames, cameras, static_sources, output, threads,\n"
     "             camera_scale (paths relative to the config file)\n"
     "exit status: 0 all inputs processed; 3 partial: outputs written but some inputs or\n"
     "             config lines were skipped (see run.log); 1 failed: no lists written;\n"
     "             2 bad command line"},
    {"synth", fg_cmd_synth, "write deterministic sample inputs for the sample county",
     "synth [-o DIR] [--seed N] [--date YYYY-MM-DD] [-q]",
     "  -o DIR          folder to write (default ./firegrid-sample): county_cells.geojson,\n"
     "                  static_sources.csv, scenes/*.tif, cameras.csv, frames/<camera>/*.jpg,\n"
     "                  truth.csv\n"
     "  --seed N        random seed (default 1); the same seed gives the same bytes\n"
     "  --date D        the sample day (default 2026-10-15)\n"
     "  -q, --quiet     no progress on stderr\n"
     "exit status: 0 written; 1 failed; 2 bad command line"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const fg_cmd *find_cmd(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void usage_all(FILE *f)
{
    fprintf(f, "firegrid %s — finds crop-straw burning in satellite scenes and camera frames\n"
               "and writes the county → township → village alert lists.\n\n"
               "usage: firegrid <command> [options]\n       firegrid --version\n\ncommands:\n",
            FG_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n`firegrid help <command>` shows its options.\n");
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        usage_all(stdout);
        return 0;
    }
    const fg_cmd *c = find_cmd(argv[1]);
    if (!c) {
        fprintf(stderr, "firegrid: no command '%s' (see `firegrid help`)\n", argv[1]);
        return 2;
    }
    printf("usage: firegrid %s\n\n%s.\n", c->usage, c->summary);
    if (c->details[0])
        printf("\n%s\n", c->details);
    return 0;
}

int main(int argc, char **argv)
{
    int rc;
    if (argc < 2) {
        usage_all(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("firegrid %s\n", FG_VERSION);
        rc = 0;
    } else if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage_all(stdout);
        rc = 0;
    } else {
        const fg_cmd *c = find_cmd(argv[1]);
        if (!c) {
            fprintf(stderr, "firegrid: no command '%s' (see `firegrid help`)\n", argv[1]);
            return 2;
        }
        rc = c->fn(argc - 1, argv + 1);
    }
    /* Errors writing stdout (ENOSPC, EPIPE) show up only when it is closed. */
    if (fclose(stdout) != 0) {
        fprintf(stderr, "firegrid: cannot write standard output: %s\n", strerror(errno));
        return rc ? rc : 1;
    }
    return rc;
}
