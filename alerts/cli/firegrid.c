/* firegrid.c — the firegrid command: dispatch to a verb, help and version. */
/* SPDX-License-Identifier: MIT */
#include "alerts/cli/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int cmd_help(int argc, char **argv);

/* This table MUST stay sorted by name; `firegrid help` lists it in this order. */
static const fg_cmd commands[] = {
    {"detect-cam", fg_cmd_detect_cam, "detect smoke in camera frame folders (one CSV row per frame)",
     "detect-cam [--camera ID] [--registry FILE] [--state DIR] [--scale N] [--threads N]\n"
     "                  [--model FILE | --no-model] [-o FILE] [-q] FRAME_DIR...",
     "  FRAME_DIR       a camera folder (it holds the .jpg frames; its name is the camera id,\n"
     "                  or <id>@<preset>) or a folder of camera folders. Frame time from the\n"
     "                  name (Unix time or YYYYMMDD_HHMMSS), else EXIF DateTimeOriginal read\n"
     "                  as Beijing time (UTC+8); frames run in time order per camera\n"
     "  --camera ID     only this camera\n"
     "  --registry FILE camera registry CSV (camera_id,lon,lat,height_m,heading_deg,hfov_deg,\n"
     "                  tilt_deg,width,height[,preset][,mask_wkt]): positions, ignore masks,\n"
     "                  hotspots and two-camera triangulation; without it detection still runs\n"
     "  --state DIR     per-camera state (<DIR>/<camera>.state): a run continues where the last\n"
     "                  stopped, frames at or before the state's last frame are skipped; a\n"
     "                  corrupt or older state is reported and rebuilt\n"
     "  --scale N       TurboJPEG decode at 1/N: 1, 2, 4 or 8 (default: the largest\n"
     "                  reduction keeping the working width at least 960 px)\n"
     "  --threads N     worker threads (default: all cores); output is the same for any N\n"
     "  --model FILE    smoke block model (default: the bundled models/smoke_model.txt);\n"
     "                  --no-model runs the detector's rules alone\n"
     "  -o FILE         output CSV (default '-': standard output), written through a temporary\n"
     "                  name\n"
     "  -q, --quiet     no progress on stderr (skipped inputs are still reported)\n"
     "columns: camera,frame,time (ISO 8601 UTC),alarm (0/1),score (0..1),x,y,w,h (strongest\n"
     "         region in full-resolution pixels, empty when none),persisted (frames),nblocks;\n"
     "         rows by camera, then time\n"
     "exit status: 0 all inputs processed; 3 partial: rows written but some frames, cameras,\n"
     "             registry rows or state files were skipped (each named on stderr); 1 failed:\n"
     "             no camera processed or the output could not be written; 2 bad command line"},
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
    {"feedback", fg_cmd_feedback, "apply grid officers' verification results to the incident ledger",
     "feedback [--config FILE] [--ledger FILE] [-q] FILE...",
     "  FILE            a CSV (UTF-8, a BOM allowed; GB18030 from Excel is converted) with the\n"
     "                  header incident_id,result,time[,officer][,comment] (or 编号,结果,时间,\n"
     "                  网格员,备注) and one row per check. result: confirmed, false_alarm,\n"
     "                  industrial, out, or 确认焚烧, 误报 (不属实), 工业热源, 已熄灭. time: ISO 8601,\n"
     "                  e.g. 2026-10-15T14:30 or 2026/10/15 14:30; Beijing time without a zone.\n"
     "                  Fields with commas go in double quotes\n"
     "  --config FILE   the county's run configuration: its ledger (default\n"
     "                  <output>/ledger.gpkg; without --config ./firegrid-out/ledger.gpkg)\n"
     "  --ledger FILE   the ledger to update (overrides the config)\n"
     "  -q, --quiet     no notes on stderr (skipped rows are still reported)\n"
     "each file is applied in one ledger transaction: all its good rows or, on a write\n"
     "failure, none. Rows for unknown incidents, unknown results, bad times or times\n"
     "before the incident was first seen are skipped and named (file:line). A row already\n"
     "applied (same incident, result, time, officer and comment) is counted as repeated\n"
     "and changes nothing. The lists show the new statuses after the next `firegrid run`\n"
     "exit status: 0 every row applied or repeated; 3 partial: some rows or files skipped;\n"
     "             1 failed: no ledger, or no file could be applied; 2 bad command line"},
    {"grid", fg_cmd_grid, "write the county's grid cells (1 km, 3 km, ...) with township and village",
     "grid [--config FILE] [--size METRES] [-o FILE] [-of FORMAT] [-q]",
     "  --config FILE   a county's run configuration: its 'boundaries' (GCJ-02 when\n"
     "                  'boundaries_crs = GCJ-02') and 'grid_cell_m'; without it the sample\n"
     "                  county (./firegrid-sample/county_cells.geojson, or the bundled one)\n"
     "  --size METRES   cell side in whole metres, 10..100000 (default: the config's\n"
     "                  grid_cell_m, else 1000)\n"
     "  -o FILE         output (default grid_<size>m.gpkg), written through a temporary name\n"
     "  -of FORMAT      any OGR vector format: GPKG, GeoJSON, ESRI Shapefile, KML, CSV (WKT\n"
     "                  geometry, UTF-8 BOM), FlatGeobuf, ...; default from the extension\n"
     "  -q, --quiet     no progress on stderr\n"
     "cells: squares aligned to multiples of the size in the UTM zone of the county's centre,\n"
     "       clipped to the county's polygons, in WGS84; fields cell_id (<size>m-E<km>-N<km>\n"
     "       of the south-west corner, e.g. 1000m-E412-N4367), township_code, township_name,\n"
     "       village_code, village_name (the township of largest overlap, then its village of\n"
     "       largest overlap), code_year, size_m, area_km2 (shapefiles: town_code, town_name,\n"
     "       vill_code, vill_name); prints the number of cells per township\n"
     "exit status: 0 written; 3 partial: written, but boundary features were skipped or\n"
     "             overlap (named on stderr); 1 failed; 2 bad command line"},
    {"help", cmd_help, "show the commands, or the options of one", "help [VERB]", ""},
    {"review", fg_cmd_review, "rebuild the evidence images and decision page of past incidents",
     "review [--config FILE] [--ledger FILE] [-o DIR] [--lang zh|en] [-q] [--all] [INCIDENT_ID...]",
     "  INCIDENT_ID     an incident id of the ledger (F + 12 hex digits), repeatable\n"
     "  --all           also every incident and DIR/report.html (map from the config's\n"
     "                  boundaries, summary from DIR/run.log)\n"
     "  --config FILE   the county's run configuration: its ledger and output folder\n"
     "  --ledger FILE   the ledger (default <output>/ledger.gpkg)\n"
     "  -o DIR          output folder (default the config's output, else ./firegrid-out):\n"
     "                  DIR/evidence/<incident>_<hotspot>_{sat,cam,cam_before}.jpg and\n"
     "                  DIR/incidents/<incident>.html\n"
     "  --lang L        zh (default) or en\n"
     "  -q, --quiet     do not print the pages written\n"
     "scenes and frames are re-read from the paths the ledger holds (relative ones from the\n"
     "current folder); an input that is gone is named on the page\n"
     "exit status: 0 every page written; 3 partial: some ids unknown or failed; 1 failed;\n"
     "             2 bad command line"},
    {"run", fg_cmd_run, "detect fires and smoke and write the alert lists",
     "run [--config FILE] [-o DIR] [-of FORMAT]... [--lang zh|en] [--threads N] [-q]",
     "  --config FILE   a county's run configuration (key = value lines); without it the\n"
     "                  bundled sample county runs on ./firegrid-sample (made by `synth`\n"
     "                  when missing) and writes ./firegrid-out\n"
     "  -o DIR          output folder (overrides the config's 'output')\n"
     "  -of FORMAT      list format, repeatable: CSV (UTF-8 BOM), XLSX, GeoJSON, KML\n"
     "                  (default CSV and GeoJSON; overrides the config's 'formats')\n"
     "  --lang L        zh (default) or en\n"
     "  --threads N     worker threads (default: all cores)\n"
     "  -q, --quiet     no progress on stderr\n"
     "config keys: boundaries, boundaries_crs, scenes, frames, cameras, static_sources,\n"
     "             ledger, officers, landcover, grid_cell_m, period (repeatable), lang,\n"
     "             formats, output, threads, camera_scale (paths relative to the file)\n"
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
    {"train-smoke", fg_cmd_train_smoke, "train the smoke block model from frames with smoke masks",
     "train-smoke [--data DIR] [--block N] [--scale N] [--holdout PERCENT] [--l2 X]\n"
     "                  [--recall R|f1] [-o MODEL] [--report FILE] [--threads N] [-q]",
     "  --data DIR      DIR/img/<name>.jpg frames with DIR/gt/<name>.png masks (one band,\n"
     "                  255 = smoke); default ../shared/data/camera/hpwren-smoke-masks, i.e.\n"
     "                  run from the repository root. A frame without a mask, or one that\n"
     "                  cannot be decoded, is skipped and named\n"
     "  --block N       block side in working pixels (default 8)\n"
     "  --scale N       TurboJPEG decode at 1/N: 1, 2, 4 or 8 (default 1). The defaults make\n"
     "                  a block 1/80 of a 640-px-wide training frame, the angular size of\n"
     "                  the detector's 8-px block on 3072/2048-px frames decoded at 1/4\n"
     "                  (1/96 to 1/64 of the width)\n"
     "  --holdout P     percent of frames held out, by a hash of the file name (default 20);\n"
     "                  never used for training or for choosing the threshold\n"
     "  --l2 X          L2 penalty on the standardised weights (default 0.001)\n"
     "  --recall R      decision threshold = the highest at which training block recall\n"
     "                  is >= R, 0 < R < 1 (default 0.95): the model gates blocks the\n"
     "                  change detector flagged and should reject only clear non-smoke.\n"
     "                  --recall f1: the threshold maximising training block F1 instead\n"
     "                  (a stand-alone classifier's choice; low recall for this model).\n"
     "                  Chosen on training frames only; the model file names the rule\n"
     "  -o MODEL        model file to write (default ./smoke_model.txt; the bundled model is\n"
     "                  models/smoke_model.txt, embedded at build time)\n"
     "  --report FILE   write the report (and the held-out frame names) to FILE instead of\n"
     "                  standard output\n"
     "  --threads N     worker threads (default: all cores); the model is the same for any N\n"
     "  -q, --quiet     no progress on stderr\n"
     "labels: a block is smoke when >= 50 % of its mask pixels are smoke, other when none\n"
     "        is; blocks 1-49 % smoke (plume edges) are left out of training and counts\n"
     "report: frame and block counts; training and held-out block precision, recall and F1\n"
     "        at the model threshold; the thresholds other rules (recall 0.5-0.98, F1) pick\n"
     "        on the training blocks with their figures; held-out precision and recall at\n"
     "        fixed thresholds\n"
     "exit status: 0 model written; 3 partial: written, but some frames were skipped;\n"
     "             1 failed; 2 bad command line"},
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
