/* alerts.h — firegrid's response side: hotspots → township/village → alert lists for each level. */
/* SPDX-License-Identifier: MIT */
/*
 * Polygons are read and lists written through OGR. Every list is written to a
 * temporary name and renamed into place, so a list on disk is always whole.
 * Errors carry the file name and the problem in the caller's fg_ctx.
 */
#ifndef FG_ALERTS_H
#define FG_ALERTS_H

#include "detect/detect.h"
#include "imagery/imagery.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ the county */

/* Township and village units (official 12-digit village codes, 9-digit township
 * codes, names, code year) with one polygon per village. */
typedef struct fg_grid fg_grid;

typedef struct fg_grid_opts {
    const char *layer;         /* NULL = first layer */
    const char *f_town_code;   /* field names; NULL = defaults below */
    const char *f_town_name;   /* "township_code", "township_name", */
    const char *f_vill_code;   /* "village_code", "village_name", "code_year" */
    const char *f_vill_name;
    const char *f_code_year;
} fg_grid_opts;

/* Reads polygons from any OGR source (GeoJSON, Shapefile, GeoPackage, ...) and
 * transforms them to WGS84. Features with empty or invalid geometry, or without
 * codes, are reported through skip() and left out. FG_ENOTFOUND when the file,
 * the layer or a code field is missing; FG_EFORMAT when OGR cannot read it, it
 * has no CRS, or no usable polygon. */
int fg_grid_open(const char *path, const fg_grid_opts *opts, fg_grid **out,
                 void (*skip)(void *user, const char *what, const char *reason), void *user,
                 fg_ctx *ctx);
void fg_grid_free(fg_grid *g);

/* Where a point falls. inside = 0 means outside every village polygon: the point
 * is then attributed to the nearest township as "neighbouring" (town_* filled,
 * vill_* empty) with distance_m to it. */
typedef struct fg_place {
    int inside;
    char town_code[16], town_name[96];
    char vill_code[16], vill_name[128];
    int code_year;
    double distance_m;
} fg_place;

/* Locates (lat, lon) WGS84. A point on a border shared by several villages goes
 * to the one with the smallest village code, whatever the file order. Thread safe. */
int fg_grid_locate(const fg_grid *g, double lat, double lon, fg_place *out);

/* Distinct townships in code order: count and the i-th code/name. */
size_t fg_grid_township_count(const fg_grid *g);
void fg_grid_township(const fg_grid *g, size_t i, const char **code, const char **name);

/* ----------------------------------------------------- the sample county */

/* The bundled sample county: 偏关县 (140932), its 8 townships and 156 villages with
 * their official names and codes (国家统计局 统计用区划代码 2023), laid out as
 * ILLUSTRATIVE rectangular cells inside the county's extent. The cells are not
 * official boundaries. */
#define FG_SAMPLE_WEST 111.357
#define FG_SAMPLE_EAST 112.006
#define FG_SAMPLE_SOUTH 39.217
#define FG_SAMPLE_NORTH 39.663
#define FG_SAMPLE_CODE_YEAR 2023

typedef struct fg_sample_cell {
    char town_code[16], town_name[96];
    char vill_code[16], vill_name[128];
    double west, south, east, north; /* WGS84 rectangle */
} fg_sample_cell;

/* The illustrative layout, computed from the embedded code tables. *cells is
 * allocated (fg_free). Deterministic. */
int fg_sample_county_cells(fg_sample_cell **cells, size_t *n, fg_ctx *ctx);
/* Writes the layout as a GeoJSON (EPSG:4326) with the fields fg_grid_open expects
 * plus "illustrative"=1 and a "note". */
int fg_sample_county_write(const char *path, fg_ctx *ctx);

/* ------------------------------------------------- static heat sources */

typedef struct fg_static_source {
    char id[32], name[128], kind[48];
    double lat, lon, radius_m;
} fg_static_source;

/* Reads a CSV with header id,name,kind,lat,lon,radius_m. Bad rows → skip(). */
int fg_static_sources_read(const char *path, fg_static_source **out, size_t *n,
                           void (*skip)(void *user, const char *what, const char *reason),
                           void *user, fg_ctx *ctx);
/* Index of the source whose radius (plus slack_m, for the hotspot's footprint)
 * contains (lat, lon), the nearest if several; -1 when none. */
int fg_static_source_match(const fg_static_source *s, size_t n, double lat, double lon,
                           double slack_m);
/* The registry bundled for the sample county (models/static_sources.csv). */
const char *fg_sample_static_sources_csv(void);

/* -------------------------------------------------------------- alerts */

typedef enum fg_alert_class {
    FG_ALERT_STRAW = 0,      /* suspected straw burning: goes down the chain */
    FG_ALERT_INDUSTRIAL = 1, /* on a registered static heat source: county only */
} fg_alert_class;

/* A hotspot placed in the county. */
typedef struct fg_alert {
    char id[24];             /* stable: hash of source, sensor, time and position */
    fg_hotspot hs;
    fg_place place;
    fg_alert_class cls;
    char static_id[32], static_name[128]; /* when cls == FG_ALERT_INDUSTRIAL */
} fg_alert;

/* Fills a->id from the hotspot (deterministic, 16 hex digits prefixed "S"/"C"). */
void fg_alert_make_id(fg_alert *a);
/* Sorts alerts by time, source kind, sensor, latitude, longitude, id. */
void fg_alerts_sort(fg_alert *a, size_t n);

/* Output set of one run, all under out_dir:
 *   county_alerts.csv         every straw-burning alert (county level), incl. outside-county
 *   county_industrial.csv     hits on registered static heat sources (county only)
 *   township_<code>.csv       one list per township (written for every township, maybe empty)
 *   hotspots.geojson          every hit with all fields (EPSG:4326)
 *   officer_messages.txt      one short message per straw-burning alert, grouped by village
 * CSVs have a UTF-8 BOM and Chinese headers (编号, 时间, 来源, 乡镇, 村, 经度, 纬度, 可信度,
 * 类别, 传感器, 火点功率MW, 证据). Each file goes through a temporary name. Fails on the first
 * file it cannot write, leaving the files written before it whole. */
int fg_lists_write(const char *out_dir, const fg_grid *g, const fg_alert *a, size_t n,
                   fg_ctx *ctx);

/* ---------------------------------------------------------------- a run */

#define FG_EXIT_OK 0
#define FG_EXIT_FAILED 1  /* nothing usable: no output written or config unusable */
#define FG_EXIT_USAGE 2   /* bad command line */
#define FG_EXIT_PARTIAL 3 /* outputs written, but some inputs were skipped */

typedef struct fg_run_config {
    char source[512];        /* config file, or "(sample county)" */
    char boundaries[512];    /* village polygons, any OGR source (required) */
    char scenes_dir[512];    /* satellite scenes (*.tif, *.tiff, *.vrt, *.nc, *.hdf) */
    char frames_dir[512];    /* one sub-folder of JPEG frames per camera */
    char cameras[512];       /* camera registry CSV */
    char static_sources[512];/* static heat sources CSV; "" = none */
    char out_dir[512];
    int threads;             /* <= 0: OpenMP default */
    int cam_scale;           /* TurboJPEG scale denominator for camera frames */
} fg_run_config;

/* Defaults for the sample county: inputs as `firegrid synth` writes them in
 * "firegrid-sample" (county_cells.geojson, static_sources.csv, scenes/, cameras.csv,
 * frames/), outputs in "firegrid-out". */
void fg_run_config_sample(fg_run_config *c);

/* Reads a "key = value" config file ('#' comments) on top of c. Relative paths
 * are resolved against the config file's folder. Unknown keys and malformed lines
 * are reported through warn() (file:line: problem) and ignored; *nwarn counts them.
 * FG_ENOTFOUND/FG_EIO when the file cannot be read. */
int fg_run_config_read(const char *path, fg_run_config *c,
                       void (*warn)(void *user, const char *msg), void *user, int *nwarn,
                       fg_ctx *ctx);

typedef struct fg_run_summary {
    int inputs_read, inputs_skipped;
    int scenes, frames, cameras;
    size_t hotspots, straw, industrial, outside;
} fg_run_summary;

/* Runs the pipeline; writes the lists and out_dir/run.log. notes are problems found
 * before the run (config lines ignored); each is logged and counted as a skipped input.
 * log(user, line) also receives each log line (may be NULL). Returns FG_OK when outputs
 * were written (check summary->inputs_skipped for a partial run) or a negative code. */
int fg_run(const fg_run_config *c, const char *const *notes, int nnotes, fg_run_summary *sum,
           void (*log)(void *user, const char *line), void *user, fg_ctx *ctx);

/* ----------------------------------------- satellite fire pixels, FIRMS style */

/* One fire pixel as NASA FIRMS lists it (one row per pixel), plus our extras. Unknown
 * numbers are NaN (written as an empty CSV cell or a JSON null). */
typedef struct fg_firms_row {
    double lat, lon;          /* WGS84 of the pixel centre */
    int row, col;             /* pixel in the scene, 0-based */
    float bright_mir_k, bright_tir_k; /* brightness temperatures (K); NaN for SWIR */
    float scan_km, track_km;  /* pixel size along scan / track */
    int64_t time_utc;         /* acquisition time; 0 = unknown */
    char satellite[48];       /* sensor name of the scene */
    int confidence;           /* 0..100 */
    float frp_mw, frp_c5_mw;  /* MIR method; MODIS C5 formula */
    int is_day;               /* 1 day, 0 night */
    int fire_id;              /* 8-connected fire within the scene, 1-based */
    int npix_fire;            /* pixels of that fire */
    unsigned char mask_class; /* FG_MASK_FIRE_* */
    unsigned tests;           /* FG_TEST_* bits */
    char scene[512];          /* scene path as given */
} fg_firms_row;

/* A growing array of rows. Zero-initialise; release with fg_firms_list_free(). */
typedef struct fg_firms_list {
    fg_firms_row *rows;
    size_t n, cap;
} fg_firms_list;
void fg_firms_list_free(fg_firms_list *l);

/* Columns, in this order (English names, so that FIRMS tools read them):
 *   latitude,longitude,row,col,bright_mir,bright_tir,scan,track,acq_date,acq_time,
 *   satellite,confidence,confidence_class,frp,daynight,fire_id,frp_c5,npix_fire,
 *   mask_class,tests,scene
 * acq_date is YYYY-MM-DD and acq_time HHMM (UTC), as FIRMS writes them; daynight D/N;
 * confidence_class low/nominal/high; tests is the FG_TEST_* bit set in decimal.
 * Numbers are formatted once (lat/lon %.5f, K %.2f, km %.3f, MW %.1f) so that the
 * same rows always give the same bytes. */
#define FG_FIRMS_HEADER                                                                    \
    "latitude,longitude,row,col,bright_mir,bright_tir,scan,track,acq_date,acq_time,"      \
    "satellite,confidence,confidence_class,frp,daynight,fire_id,frp_c5,npix_fire,"        \
    "mask_class,tests,scene"

/* Output format from a GDAL-style -of name: "CSV" or "GeoJSON" (case-insensitive);
 * NULL = from the extension of path (.geojson/.json → GeoJSON, else CSV). Writes the
 * canonical name ("CSV"/"GeoJSON") into out (at least 8 bytes). FG_EINVAL for another
 * name; the message lists the known ones. */
int fg_firms_format(const char *name, const char *path, char *out, size_t outsize, fg_ctx *ctx);

/* Writes rows through OGR: CSV (UTF-8 without BOM, LF line ends, header above) or
 * GeoJSON (RFC 7946 points in EPSG:4326, the same properties typed: numbers as
 * numbers, acq_time as text). path "-" writes to standard output, and a device or FIFO
 * (/dev/stdout, a pipe) is written in place; any other path is written to a temporary
 * name beside it and renamed into place, so the file is whole or absent (on failure an
 * existing file is untouched). format as fg_firms_format().
 * Returns FG_OK, FG_EINVAL (unknown format), FG_EIO (cannot create or write; the
 * message names the path) or FG_ENOMEM. Not thread safe (GDAL driver state). */
int fg_firms_write(const char *path, const char *format, const fg_firms_row *rows, size_t n,
                   fg_ctx *ctx);

/* Options of satellite fire detection on one scene (`firegrid detect-sat`). */
typedef struct fg_firms_opts {
    const char *sensor;    /* sensor profile name; NULL = from the scene */
    const char *algorithm; /* NULL = the profile's default; thermal scenes: "modis",
                              "viirs", "geo" (decision constants of that profile, band
                              physics of the scene's); SWIR scenes: "schroeder2016",
                              "kumar-roy2018", "sentinel2" */
    int64_t time_utc;      /* used when the scene carries no time (0 = none) */
    int threads;           /* <= 0: OpenMP default */
    size_t max_pixels;     /* 0 = fg_scene_open's default */
} fg_firms_opts;

/* 1 when name is an algorithm fg_firms_scene knows (any family), else 0. */
int fg_firms_algorithm_known(const char *name);

/* What one scene gave. */
typedef struct fg_firms_scene_info {
    int swir;              /* 1 SWIR detector, 0 thermal */
    char sensor[48];
    char algorithm[32];    /* the algorithm that ran */
    size_t npix, nfires;
    size_t nopos;          /* fire pixels without a WGS84 position (lat/lon NaN) */
    int width, height;
} fg_firms_scene_info;

/* Opens one scene (fg_scene_open), runs the thermal contextual or SWIR detector, groups
 * the fire pixels into fires and appends one row per fire pixel, sorted by (row, col),
 * to list. mask_path (may be NULL) receives the fire-class mask (FG_MASK_*) aligned
 * with the scene (fg_scene_write_mask). info may be NULL. On failure list is unchanged
 * and ctx names the scene and the problem (missing role, unreadable, bad CRS, an
 * algorithm of the other family, mask unwritable). Thread safety: as fg_scene_open. */
int fg_firms_scene(const char *path, const fg_firms_opts *o, const char *mask_path,
                   fg_firms_list *list, fg_firms_scene_info *info, fg_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
