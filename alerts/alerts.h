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
    int gcj02;                 /* 1: the source's coordinates are GCJ-02 (Chinese web maps):
                                  every vertex is converted to WGS84 on input */
} fg_grid_opts;

/* Reads polygons from any OGR source (GeoJSON, Shapefile, GeoPackage, ...) and
 * transforms them to WGS84 (opts->gcj02: the file's geographic coordinates are GCJ-02
 * and are converted). Features with empty or invalid geometry, or without codes, are
 * reported through skip() and left out; villages that overlap each other are also
 * reported through skip() (both kept; a point in both goes to the smaller code). FG_ENOTFOUND when the file,
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
    int cam_scale;           /* TurboJPEG scale denominator for camera frames; 0 = automatic
                                (the largest reduction keeping the width ≥ 960 px) */
    /* issue 5: the county's data and the ledger */
    char ledger[512];        /* incident ledger (GeoPackage); "" = <out_dir>/ledger.gpkg */
    char officers[512];      /* grid officer registry CSV; "" = none (all unassigned) */
    char landcover[512];     /* land-cover raster; "" = none */
    double grid_cell_m;      /* grid cell size for hot-spot grid supervision; 0 = none */
    int boundaries_gcj02;    /* 1: the boundary file's coordinates are GCJ-02 */
    char lang[8];            /* "zh" (default) or "en" */
    char formats[64];        /* comma-separated -of formats; "" = CSV,GeoJSON */
    int nperiods;            /* key periods; 0 = fg_periods_default() */
    struct fg_period_cfg {
        char text[96];       /* as given: "name,start,end[,bonfire]" (fg_period_parse) */
    } periods[16];
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

/* ------------------------------------------------------------ camera runs */

/* The camera runner shared by `firegrid run` and `firegrid detect-cam`.
 *
 * Inputs. Each FRAME_DIR is either a camera folder (it holds .jpg/.jpeg files
 * directly; its base name is the camera key) or a folder of camera folders (its
 * sub-folders, in name order). A camera key is a registry camera_id, or
 * "<camera_id>@<preset>" for one preset of a patrolling camera. Frames are listed
 * with fg_frame_list (time from the name, else EXIF) and pushed in time order
 * through the camera's fg_smoke state.
 *
 * Work. Frames are decoded in batches in parallel (one fg_jpeg_decoder per
 * thread) and then pushed sequentially; several cameras may run in parallel.
 * Results are identical for any thread count. The decode scale gives a working
 * width of at least 960 px (the largest of TurboJPEG's 1/2, 1/4, 1/8 that keeps it) unless set.
 *
 * Persistence. With a state folder, each camera's state is loaded before and
 * saved after its frames ("<state_dir>/<key>.state"); frames at or before the
 * state's last frame time are skipped as already processed, so a run every 10
 * minutes continues where the last stopped. A corrupt, older or other-size state
 * is reported (naming the file) and rebuilt.
 *
 * Output. One fg_cam_frame per processed frame (camera order, then time), and one
 * hotspot per alarm episode (rising edge of alarm) of a camera with geometry, at
 * the plume base (fg_camera_locate, range band from ±1 detector block row). Two
 * hotspots of different cameras within triangulate_s whose bearing rays meet
 * (fg_triangulate) inside both range bands (with a 25 % margin) both take the
 * intersection; their range bands shrink to the triangulation's uncertainty and
 * `partner` names the other camera. */

typedef struct fg_cam_opts {
    const char *registry;   /* camera registry CSV; NULL = no geometry (no hotspots) */
    int need_registry;      /* 1: cameras not in the registry are skipped (firegrid run) */
    const char *state_dir;  /* NULL = fresh state, nothing saved */
    const char *camera;     /* only this camera key; NULL = all */
    int scale;              /* TurboJPEG scale denominator 1, 2, 4, 8; 0 = automatic */
    int threads;            /* <= 0: OpenMP default */
    size_t max_pixels;      /* full-resolution limit per frame; 0 = 100 Mpx */
    int utc_offset_s;       /* camera clock for EXIF times (default +8 h, Beijing) */
    const char *model;      /* smoke block model file; NULL = the bundled one */
    int rules_only;         /* 1: no learned model */
    const fg_smoke_params *params; /* NULL = fg_smoke_params_default() */
    int batch;              /* frames decoded per parallel batch; 0 = 4 per thread */
    double triangulate_s;   /* time window for two-camera triangulation (default 300 s) */
} fg_cam_opts;

/* Defaults: automatic scale, UTC+8 camera clocks, bundled model, 300 s window. */
void fg_cam_opts_default(fg_cam_opts *o);
/* The automatic TurboJPEG scale denominator (1, 2, 4, 8) for frames full_w pixels
 * wide: the largest that keeps the working width at least 960 px. */
int fg_cam_auto_scale(int full_w);

/* One processed frame. */
typedef struct fg_cam_frame {
    char camera[64];        /* camera key */
    char frame[1024];       /* frame path as listed */
    int64_t time_utc;
    int scale;              /* decode scale denominator */
    int full_w, full_h;     /* full-resolution frame size */
    fg_smoke_result res;    /* detector result, working resolution */
    int alarm;
    float score;
    int x, y, w, h;         /* strongest region, full-resolution pixels; w = 0: none */
} fg_cam_frame;

/* One smoke hotspot and how it was placed. */
typedef struct fg_cam_hotspot {
    fg_hotspot hs;          /* kind FG_SOURCE_CAMERA, sensor = camera id */
    char camera[64];        /* camera key */
    char partner[64];       /* camera key whose bearing triangulated it; "" = single camera */
    size_t frame;           /* index into fg_cam_result.frames */
} fg_cam_hotspot;

typedef struct fg_cam_result {
    fg_cam_frame *frames;
    size_t nframes;
    fg_cam_hotspot *hotspots;
    size_t nhotspots;
    int cameras;            /* cameras processed */
    int skipped;            /* inputs skipped: frames, cameras, registry rows, state files */
    int already;            /* frames skipped as already processed by an earlier run */
    int triangulated;       /* hotspots placed by triangulation */
} fg_cam_result;

void fg_cam_result_free(fg_cam_result *r);

/* Runs the cameras found in dirs. log(user, line) receives the run's log lines in a
 * deterministic order ("READ camera ...", "SKIP <file>: <reason>", "WARN ...",
 * "TRIANGULATED ..."); may be NULL. Returns FG_OK when the run completed (bad
 * frames, cameras and state files are skipped and counted in out->skipped), or
 * FG_EINVAL / FG_ENOTFOUND (registry file missing or unreadable) / FG_ENOMEM with
 * out untouched. Not thread safe with respect to GDAL error handlers. */
int fg_cam_run(const char *const *dirs, size_t ndirs, const fg_cam_opts *o, fg_cam_result *out,
               void (*log)(void *user, const char *line), void *user, fg_ctx *ctx);

/* Writes the per-frame rows as CSV (header camera,frame,time,alarm,score,x,y,w,h,
 * persisted,nblocks; time ISO 8601 UTC, score %.4f, empty box cells when there is no
 * box) to path ("-" = standard output) through a temporary file. */
int fg_cam_frames_write(const char *path, const fg_cam_frame *f, size_t n, fg_ctx *ctx);

/* ======================================================================
 * Incidents, the ledger, and the county's data (issue 5)
 * ====================================================================== */

/* ------------------------------------------------------------- incidents */

/* What an officer is sent to: hotspots from any source that belong to one fire,
 * merged in space (footprint-aware) and time. */
typedef enum fg_incident_status {
    FG_INC_NEW = 0,        /* first seen in this run */
    FG_INC_ONGOING = 1,    /* seen before and again in this run, or not yet checked */
    FG_INC_CONFIRMED = 2,  /* feedback: confirmed burning */
    FG_INC_FALSE_ALARM = 3,/* feedback: nothing burning */
    FG_INC_INDUSTRIAL = 4, /* on a static heat source (registry or feedback) */
    FG_INC_OUT = 5,        /* feedback: already out */
} fg_incident_status;

/* "new", "ongoing", ... (lang "en") or 新发现, 持续, 确认焚烧, 误报, 工业热源, 已熄灭 (zh). */
const char *fg_incident_status_name(fg_incident_status s, const char *lang);

#define FG_SRC_BIT_SATELLITE 1u
#define FG_SRC_BIT_CAMERA 2u

typedef struct fg_incident {
    char id[24];             /* "F" + 12 hex digits: a hash of its first hotspot's alert id,
                                so it is stable across reruns and restarts */
    int64_t first_seen, last_seen;
    double lat, lon;         /* of its most precise hotspot (smallest footprint) */
    double radius_m;         /* footprint used for merging */
    int n_hotspots;
    unsigned source_kinds;   /* FG_SRC_BIT_* */
    char sources[160];       /* sensors and cameras, sorted, comma-separated */
    int peak_confidence;
    float peak_frp_mw;       /* NaN when no hotspot had FRP */
    fg_place place;          /* township and village (outside: nearest township) */
    char cell_id[32];        /* grid cell ("" when no grid is configured) */
    char land_class[16];     /* cropland, forest, grass, built-up, water, other; "" unknown */
    fg_alert_class cls;      /* straw burning, or on a static heat source */
    char static_id[32], static_name[128];
    fg_incident_status status;
    int64_t status_time;
    char period[32];         /* key period tag ("" outside every period) */
    int possible_bonfire;    /* Spring Festival hit in a village centre: 旺火, not straw */
    int64_t checked_at;      /* time of the first officer feedback; 0 = not checked */
    char last_run[24];       /* run id of the last run that touched it */
} fg_incident;

/* Merging: a hotspot joins the incident whose footprint circle (radius_m + slack_m)
 * overlaps its own and whose last_seen is within max_gap_s before it; the nearest
 * such incident wins, ties by id. Footprint radius of a hotspot: half the pixel
 * diagonal for satellites, half the range band (at least 150 m) for cameras. */
typedef struct fg_merge_params {
    double slack_m;   /* default 500 m */
    int64_t max_gap_s;/* default 36 h: a fire seen again the next day continues */
} fg_merge_params;
void fg_merge_params_default(fg_merge_params *p);
double fg_hotspot_radius_m(const fg_hotspot *h);

/* Merges alerts (sorted with fg_alerts_sort) into *inc (grown with fg_realloc; *n
 * updated). incident_of[i] receives the id of the incident alert i joined or started.
 * Deterministic: the same incidents and alerts in the same order give the same result. */
int fg_incidents_merge(fg_incident **inc, size_t *n, const fg_alert *alerts, size_t nalerts,
                       const fg_merge_params *p, char (*incident_of)[24], fg_ctx *ctx);

/* ---------------------------------------------------------------- ledger */

/* The incident ledger: a GeoPackage (through OGR; SQLite underneath) holding the
 * incidents, every hotspot with its incident, the inputs already processed, the
 * status history and feedback, camera detector states, and the schema version.
 * All changes of one run happen in one transaction, so a run killed at any point
 * (even kill -9) leaves the ledger as the previous run left it. */
typedef struct fg_ledger fg_ledger;

#define FG_LEDGER_SCHEMA 2

/* Opens or creates the ledger. A ledger of an older schema is upgraded in a
 * transaction; a newer or unrecognised one fails with FG_EFORMAT naming the file. */
int fg_ledger_open(const char *path, fg_ledger **out, fg_ctx *ctx);
void fg_ledger_close(fg_ledger *l);
int fg_ledger_begin(fg_ledger *l, fg_ctx *ctx);
int fg_ledger_commit(fg_ledger *l, fg_ctx *ctx);
void fg_ledger_rollback(fg_ledger *l);

/* Inputs: key = "<kind>:<path>:<size>:<mtime>" (see fg_input_key). */
int fg_input_key(const char *kind, const char *path, char *key, size_t keysize, fg_ctx *ctx);
int fg_ledger_input_seen(fg_ledger *l, const char *key, int *seen, fg_ctx *ctx);
int fg_ledger_input_add(fg_ledger *l, const char *key, const char *run_id, fg_ctx *ctx);

/* Hotspots and incidents. */
int fg_ledger_hotspot_add(fg_ledger *l, const fg_alert *a, const char *incident_id,
                          const char *run_id, fg_ctx *ctx);
/* Hotspots of one incident, or of all incidents when incident_id is NULL. */
int fg_ledger_hotspots_of(fg_ledger *l, const char *incident_id, fg_alert **out, size_t *n,
                          fg_ctx *ctx);
/* All incidents, sorted by first_seen then id. */
int fg_ledger_incidents(fg_ledger *l, fg_incident **out, size_t *n, fg_ctx *ctx);
/* Inserts or replaces the incident with this id. */
int fg_ledger_incident_put(fg_ledger *l, const fg_incident *inc, fg_ctx *ctx);
/* Status history: one row per change (time, status, who, comment). */
int fg_ledger_status_add(fg_ledger *l, const char *incident_id, fg_incident_status st,
                         int64_t t, const char *who, const char *comment, fg_ctx *ctx);
/* One status-history row. */
typedef struct fg_status_entry {
    int64_t t;
    fg_incident_status status;
    char who[64];
    char comment[256];
} fg_status_entry;
/* The status history of one incident, in time order, then insertion order; *out
 * (fg_free) NULL and *n 0 when it has none. */
int fg_ledger_status_history(fg_ledger *l, const char *incident_id, fg_status_entry **out,
                             size_t *n, fg_ctx *ctx);

/* Camera detector states (the bytes of a camera state file: fg_smoke_save's bytes in
 * the envelope of fg_smoke_state_save, with the last frame time) kept in the ledger,
 * so that they commit together with the hotspots they produced. *buf NULL when none. */
int fg_ledger_state_get(fg_ledger *l, const char *camera_id, unsigned char **buf,
                        size_t *len, fg_ctx *ctx);
int fg_ledger_state_put(fg_ledger *l, const char *camera_id, const unsigned char *buf,
                        size_t len, fg_ctx *ctx);

/* ------------------------------------------------------ the county's data */

/* Regular grid cells (hot-spot grid supervision: 1 km or 3 km squares) in the UTM
 * zone of the county's centre. The id of the cell holding a point is computable
 * without a file: "<size>m-E<easting km>-N<northing km>" of its south-west corner. */
int fg_cell_id(double lat, double lon, double size_m, int utm_epsg, char *id, size_t idsize);
/* EPSG code of the WGS84 UTM zone at lon/lat (326xx north, 327xx south). */
int fg_utm_epsg(double lat, double lon);
/* Writes the cells of size_m that intersect the county, clipped to it, each attributed
 * with the township and village it mostly lies in (largest overlap) and the code year,
 * in WGS84, as any OGR vector format chosen by the path's extension or format. */
int fg_cells_write(const fg_grid *g, double size_m, const char *path, const char *format,
                   fg_ctx *ctx);

/* GCJ-02 (the offset datum of Chinese web maps) to WGS84, by iterating the public
 * forward transform to below 1e-7°. Outside China the input is returned unchanged. */
void fg_gcj02_to_wgs84(double lat, double lon, double *wlat, double *wlon);
void fg_wgs84_to_gcj02(double lat, double lon, double *glat, double *glon);

/* Grid officers: CSV unit,officer,phone,township_contact,township_phone where unit is
 * a grid cell id or a 12-digit village code. Duplicate units (the later row) and
 * malformed rows (no unit, no phone, bad phone) go through skip() and are left out. */
typedef struct fg_officer {
    char unit[32];
    char name[64], phone[32];
    char town_contact[64], town_phone[32];
} fg_officer;
typedef struct fg_officers fg_officers;
int fg_officers_read(const char *path, fg_officers **out,
                     void (*skip)(void *user, const char *what, const char *reason), void *user,
                     fg_ctx *ctx);
void fg_officers_free(fg_officers *o);
/* The officer of a cell, else of the village; NULL = unassigned. */
const fg_officer *fg_officers_find(const fg_officers *o, const char *cell_id,
                                   const char *village_code);

/* Key periods: name, start and end dates (inclusive, Beijing calendar), and whether
 * hits in village centres then count as possible bonfires (Spring Festival 旺火). */
typedef struct fg_period {
    char name[32];
    int year;            /* 0 = every year (month-day ranges) */
    int m0, d0, m1, d1;
    int bonfire;
} fg_period;
/* Parses "name,MM-DD,MM-DD[,bonfire]" or "name,YYYY-MM-DD,YYYY-MM-DD[,bonfire]". */
int fg_period_parse(const char *text, fg_period *p, fg_ctx *ctx);
/* The default periods of the Blue-Sky plan: autumn harvest, before spring ploughing,
 * Qingming; the Spring Festival dates of 2025–2030 (lunar calendar, from the
 * published calendar). *n receives the count; the array is static. */
const fg_period *fg_periods_default(size_t *n);
/* The first period containing t (Beijing date), or NULL. */
const fg_period *fg_period_at(const fg_period *p, size_t n, int64_t t_utc);

/* Persistent heat sources learned from the ledger: a place (hotspots within radius_m)
 * hot on at least n_days distinct Beijing days within the last m_days days, or with
 * false-alarm feedback on at least n_days days, becomes a candidate static source for
 * the county to confirm. */
typedef struct fg_candidate {
    char id[24];
    double lat, lon;
    int days_hot, days_false;
    int64_t first_seen, last_seen;
    fg_place place;
} fg_candidate;
int fg_candidates_find(fg_ledger *l, int64_t now, int n_days, int m_days, double radius_m,
                       fg_candidate **out, size_t *n, fg_ctx *ctx);

/* Officers' verification results: a CSV with header incident_id,result,time[,officer]
 * [,comment]; result confirmed | false_alarm | industrial | out (or 确认焚烧 | 误报 |
 * 工业热源 | 已熄灭); time ISO 8601 (Beijing time when it has no zone). Rows for
 * unknown incidents, unknown results or bad times go through skip() and change
 * nothing; the rest update the incidents' status and history in one ledger
 * transaction. Applying the same file twice changes nothing the second time. */
typedef struct fg_feedback_summary {
    int rows, applied, skipped, repeated;
} fg_feedback_summary;
int fg_feedback_apply(fg_ledger *l, const char *path, fg_feedback_summary *sum,
                      void (*skip)(void *user, const char *what, const char *reason), void *user,
                      fg_ctx *ctx);

/* --------------------------------------------------------- the lists */

/* Outputs of the incident lists (all under out_dir, each file through a temporary
 * name; county_summary in table formats only, CSV and XLSX; an empty list in XLSX
 * holds one （无） row because GDAL's XLSX writer drops the header of an empty sheet;
 * officer messages cover incidents still waiting for a check), in each format of formats ("CSV", "XLSX", "GeoJSON", "KML"; NULL = CSV and
 * GeoJSON), through OGR drivers; CSVs with a UTF-8 BOM; Chinese headers and text by
 * default, English with lang "en":
 *   county_incidents.*      every straw-burning incident (county level), incl. outside
 *   county_summary.*        counts by township and by source; checked / unchecked and
 *                           median hours to check; unassigned cells
 *   county_industrial.*     incidents on static heat sources
 *   county_candidates.*     candidate persistent sources to confirm
 *   township_<code>.*       one per township (header only when none)
 *   officer_messages.txt    one phone-screen message per straw incident, grouped by
 *                           officer (unassigned ones flagged for township and county)
 *   hotspots.geojson        every hotspot with its incident id */
typedef struct fg_lists_opts {
    const char *lang;              /* "zh" (default) or "en" */
    const char *const *formats;    /* NULL-terminated; NULL = {"CSV", "GeoJSON"} */
    const fg_officers *officers;   /* may be NULL: every incident unassigned */
    const fg_candidate *candidates;
    size_t ncandidates;
    const fg_alert *hotspots;      /* for hotspots.geojson; may be NULL */
    const char (*hotspot_incident)[24];
    size_t nhotspots;
} fg_lists_opts;
int fg_incident_lists_write(const char *out_dir, const fg_grid *g, const fg_incident *inc,
                            size_t n, const fg_lists_opts *o, fg_ctx *ctx);

/* ======================================================================
 * Evidence images and the run report (issue 6)
 * ====================================================================== */

/* Evidence images, JPEG (TurboJPEG), under out_dir/evidence/ with stable names:
 *   <incident>_<alert>_sat.jpg         satellite: FG_EVIDENCE_CHIP² scene pixels centred on
 *                                      the hotspot's pixel (chip pixel (CHIP/2, CHIP/2) is
 *                                      (ev_row, ev_col); outside the scene dark grey),
 *                                      zoomed FG_EVIDENCE_ZOOM× (nearest). SWIR scenes
 *                                      SWIR2-NIR-red; thermal scenes the MIR brightness
 *                                      temperature: grey BT_LOW..BT_MID K, then red-
 *                                      yellow-white to BT_HIGH K.
 *                                      Every fire pixel of the incident in that scene is
 *                                      outlined in OUTLINE colour, RING_PX thick, just
 *                                      outside its zoomed block.
 *   <incident>_<alert>_cam.jpg         camera: the alarm frame (scale 1, or 1/2 when wider
 *                                      than CAM_MAX_W) with the smoke box (ev_x.. in full-
 *                                      resolution pixels, divided by the scale) drawn in
 *                                      BOX colour, BOX_PX thick, inside the box's edge.
 *   <incident>_<alert>_cam_before.jpg  the frame listed before it in the same folder, with
 *                                      the same box thin in yellow (absent for a first frame).
 * Scene and frame paths are used as stored (relative ones from the current folder). */
#define FG_EVIDENCE_CHIP 64
#define FG_EVIDENCE_ZOOM 4
#define FG_EVIDENCE_BT_LOW_K 270.0  /* grey ramp BT_LOW..BT_MID, */
#define FG_EVIDENCE_BT_MID_K 330.0  /* then red-yellow-white to BT_HIGH */
#define FG_EVIDENCE_BT_HIGH_K 400.0
#define FG_EVIDENCE_REF_MAX 0.5
#define FG_EVIDENCE_RING_PX 2
#define FG_EVIDENCE_OUTLINE_R 0 /* cyan: far from the fire colours of both palettes */
#define FG_EVIDENCE_OUTLINE_G 255
#define FG_EVIDENCE_OUTLINE_B 255
#define FG_EVIDENCE_BOX_PX 4
#define FG_EVIDENCE_BOX_R 255 /* red: far from grey smoke, sky and fields */
#define FG_EVIDENCE_BOX_G 0
#define FG_EVIDENCE_BOX_B 0
#define FG_EVIDENCE_CAM_MAX_W 1920
#define FG_EVIDENCE_QUALITY 90

/* What fg_evidence_write wrote: names relative to out_dir ("" = none). */
typedef struct fg_evidence {
    char sat[96], cam[96], cam_before[96];
    int chip_row0, chip_col0;  /* scene row/col of the chip's top-left pixel (satellite) */
} fg_evidence;

/* Writes the evidence of hotspot hs[k] of incident incident_id; hs[0..nhs) are the
 * incident's hotspots (fire pixels of the same scene are outlined together). An existing
 * file is kept as it is unless force = 1 (`firegrid review`); the bytes are a function of
 * the inputs, so rewriting gives the same file. Missing or unreadable scene or frame:
 * FG_ENOTFOUND/FG_EFORMAT naming it, nothing written for this hotspot. */
int fg_evidence_write(const char *out_dir, const char *incident_id, const fg_alert *hs,
                      size_t nhs, size_t k, int force, fg_evidence *ev, fg_ctx *ctx);

/* The run report: evidence for the incidents in touched_ids (NULL = every incident of the
 * ledger), their pages out_dir/incidents/<id>.html, and out_dir/report.html: one self-
 * contained page (inline CSS, no script, nothing fetched; images by relative path) in
 * Chinese (lang NULL/"zh") or English ("en") with the run's summary (counts parsed from
 * run_log_text's READ/SKIP/SUMMARY lines; may be NULL), incidents new/ongoing/closed,
 * counts by township, an SVG map of the county's polygons with one marker per incident
 * (<a class="inc" data-id="ID"> holding a circle with a <title>), and one card per incident.
 * All text from inputs is HTML-escaped. Evidence that cannot be made (scene or frame gone)
 * is noted on the page and does not fail the report. Pages and report are written through
 * temporary files. */
int fg_report_run(const char *out_dir, fg_ledger *ledger, const fg_grid *g, const char *lang,
                  const char *run_log_text, const char *const *touched_ids, size_t ntouched,
                  fg_ctx *ctx);

/* Rebuilds the evidence (force) and the page of one incident from the ledger and the
 * inputs (`firegrid review`). FG_ENOTFOUND when the ledger has no such incident. */
int fg_review_incident(const char *out_dir, fg_ledger *ledger, const fg_grid *g,
                       const char *lang, const char *incident_id, fg_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
