/* imagery.h — firegrid's input side: satellite scenes (GDAL), camera frames (TurboJPEG), registries, synthetic inputs. */
/* SPDX-License-Identifier: MIT */
/*
 * Every byte that comes from outside the program enters here and leaves as a
 * plain fg_raster (detect/detect.h). Errors name the file and the problem in
 * the caller's fg_ctx; on failure no out-parameter is changed.
 */
#ifndef FG_IMAGERY_H
#define FG_IMAGERY_H

#include "detect/detect.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- scenes */

/* A satellite scene read through GDAL. Bands are found by role, from the band
 * description ("MIR_BT", "TIR_BT", "CLOUD_MASK"). Georeferencing comes from the
 * geotransform and CRS; acquisition time from the metadata item FG_ACQ_TIME
 * (ISO 8601, UTC) or TIFFTAG_DATETIME; the sensor from FG_SENSOR. */
typedef struct fg_scene fg_scene;

typedef struct fg_scene_opts {
    size_t max_pixels;   /* refuse larger scenes (0 = 200 million) */
    int64_t time_utc;    /* used when > 0 and the file carries no time */
} fg_scene_opts;

/* Opens path and reads MIR_BT and TIR_BT (required) and CLOUD_MASK (optional).
 * Values equal to a band's nodata value become NaN. Fails with FG_ENOTFOUND for
 * a missing file or role, FG_EFORMAT for a file GDAL cannot read or a scene
 * without usable georeferencing or CRS, FG_ELIMIT for max_pixels. */
int fg_scene_open(const char *path, const fg_scene_opts *opts, fg_scene **out, fg_ctx *ctx);
void fg_scene_free(fg_scene *s);

const fg_raster *fg_scene_mir(const fg_scene *s);
const fg_raster *fg_scene_tir(const fg_scene *s);
const fg_raster *fg_scene_cloud(const fg_scene *s); /* NULL when absent */
int64_t fg_scene_time(const fg_scene *s);
const char *fg_scene_sensor(const fg_scene *s);     /* FG_SENSOR or "unknown" */
const char *fg_scene_path(const fg_scene *s);
/* Pixel size in km along scan (x) and track (y), from the geotransform. */
void fg_scene_pixel_km(const fg_scene *s, double *scan_km, double *track_km);
/* WGS84 position of fractional pixel (row, col); row + 0.5 is a pixel centre. */
int fg_scene_to_wgs84(const fg_scene *s, double row, double col, double *lat, double *lon,
                      fg_ctx *ctx);

/* ---------------------------------------------------------------- frames */

/* Time of a camera frame from its file name: a leading Unix time
 * ("1569440002_-02400.jpg") or an ISO-like stamp ("20131201_071500.jpg",
 * "2026-10-15T06:30:00Z.jpg"). Returns FG_EFORMAT when there is none. */
int fg_frame_time_from_name(const char *name, int64_t *t_utc);

/* A sorted list of the JPEG frames of one folder. */
typedef struct fg_frame_entry {
    char *path;
    int64_t time_utc;
} fg_frame_entry;

/* Lists *.jpg / *.jpeg in dir, sorted by time then name. Files whose time
 * cannot be parsed are reported through skip(user, path, reason) and left out. */
int fg_frame_list(const char *dir, fg_frame_entry **out, size_t *n,
                  void (*skip)(void *user, const char *path, const char *reason), void *user,
                  fg_ctx *ctx);
void fg_frame_list_free(fg_frame_entry *list, size_t n);

/* A TurboJPEG decompressor. One per thread; not thread safe. */
typedef struct fg_jpeg_decoder fg_jpeg_decoder;
int fg_jpeg_decoder_new(fg_jpeg_decoder **out, fg_ctx *ctx);
void fg_jpeg_decoder_free(fg_jpeg_decoder *d);

/* Decodes a JPEG file to RGB (U8, 3 channels) at 1/scale_denom of full size
 * (1, 2, 4 or 8) using TurboJPEG's DCT-domain scaling. The full-resolution size
 * goes to *full_w, *full_h. Refuses full images above max_pixels (0 = 100 Mpx)
 * with FG_ELIMIT before decoding. Truncated or corrupt data, and files that are
 * not JPEG, fail with FG_EFORMAT. out is allocated; release with fg_raster_release(). */
int fg_jpeg_decode_file(fg_jpeg_decoder *d, const char *path, int scale_denom,
                        size_t max_pixels, fg_raster *out, int *full_w, int *full_h,
                        fg_ctx *ctx);

/* Writes an RGB U8 raster as a baseline JPEG (quality 1..100) to path, through a
 * temporary file renamed into place. */
int fg_jpeg_write(const char *path, const fg_raster *rgb, int quality, fg_ctx *ctx);

/* ------------------------------------------------------------- registries */

/* Reads a camera registry CSV with header
 *   camera_id,lon,lat,height_m,heading_deg,hfov_deg,tilt_deg,width,height
 * Rows with impossible values (|lat| > 90, heading outside 0..360, hfov outside
 * (0, 180), height <= 0, ...) are reported through skip() and left out.
 * *out is allocated (fg_free); FG_ENOTFOUND/FG_EFORMAT when the file or its header is bad. */
int fg_camera_registry_read(const char *path, fg_camera **out, size_t *n,
                            void (*skip)(void *user, const char *what, const char *reason),
                            void *user, fg_ctx *ctx);

/* ------------------------------------------------------------ raster out */

/* Writes F32 bands as a GeoTIFF (deflate) with band descriptions, a geotransform,
 * an EPSG CRS and metadata items ("KEY=VALUE", NULL-terminated; may be NULL),
 * through a temporary file renamed into place. NaN is declared as nodata. */
int fg_geotiff_write(const char *path, const fg_raster *const *bands, const char *const *names,
                     int nbands, const double geotransform[6], int epsg,
                     const char *const *metadata, fg_ctx *ctx);

/* ------------------------------------------------------------ synthetic */

/* One planted object, written to the truth file. */
typedef struct fg_truth {
    char kind[16];       /* "fire", "plume", "cloud", "warm_field", "industrial" */
    char source[64];     /* scene file name or camera id */
    int64_t t_start, t_end;
    double lat, lon;
    double radius_m;     /* extent of the object */
    double area_m2;      /* fire area (fire/industrial), 0 otherwise */
    double temp_k;       /* fire temperature, 0 otherwise */
    char township_code[16], village_code[16]; /* expected place ("" when not applicable) */
} fg_truth;

/* A village cell centre the synthesiser may plant objects in. */
typedef struct fg_synth_site {
    double lat, lon;
    char township_code[16], village_code[16];
} fg_synth_site;

typedef struct fg_synth_opts {
    unsigned seed;
    double west, south, east, north; /* county extent (WGS84) */
    const fg_synth_site *sites;      /* village cell centres (distinct villages) */
    size_t nsites;
    double static_lat, static_lon;   /* the registered industrial heat source */
    int64_t day0_utc;                /* 00:00 UTC of the sample day */
} fg_synth_opts;

/* Writes thermal scenes (GeoTIFF, UTM 49N) into dir/scenes and appends truth
 * records to *truth (grown with fg_realloc). Deterministic for a seed. */
int fg_synth_thermal(const char *dir, const fg_synth_opts *o, fg_truth **truth, size_t *ntruth,
                     fg_ctx *ctx);
/* Writes a camera registry dir/cameras.csv and one frame per minute into
 * dir/frames/<camera id>/, appending truth records. Deterministic for a seed. */
int fg_synth_camera(const char *dir, const fg_synth_opts *o, fg_truth **truth, size_t *ntruth,
                    fg_ctx *ctx);
/* Writes the truth records as CSV (header: kind,source,t_start,t_end,lat,lon,
 * radius_m,area_m2,temp_k,township_code,village_code; times ISO 8601 UTC). */
int fg_truth_write(const char *path, const fg_truth *t, size_t n, fg_ctx *ctx);

/* ------------------------------------------------------ whole-file writes */

/* Builds "<dir>/.<base>.tmp<pid><ext>" for final path `path` into buf (keeping the
 * extension so that format drivers that look at it still work). */
int fg_tmp_path(const char *path, char *buf, size_t bufsize);
/* fsyncs nothing itself; renames tmp onto path, or removes tmp and fails with FG_EIO. */
int fg_commit_tmp(const char *tmp, const char *path, fg_ctx *ctx);

/* Streamed whole-file write: open writes to a temporary name beside path; commit checks
 * for write errors, closes and renames; abort closes and removes the temporary. */
typedef struct fg_tmpfile {
    FILE *f;
    char tmp[4096];
    char path[4096];
} fg_tmpfile;
int fg_tmpfile_open(fg_tmpfile *t, const char *path, const char *mode, fg_ctx *ctx);
int fg_tmpfile_commit(fg_tmpfile *t, fg_ctx *ctx);
void fg_tmpfile_abort(fg_tmpfile *t);
/* Creates a folder and its parents (GDAL's VSIMkdirRecursive); FG_EIO naming it if it
 * cannot be made or is not a folder. */
int fg_mkdir_p(const char *path, fg_ctx *ctx);
/* Writes len bytes to path through a temporary file. */
int fg_write_file(const char *path, const void *data, size_t len, fg_ctx *ctx);

/* ISO 8601 helpers (UTC). fg_time_parse takes "YYYY-MM-DD[THH:MM[:SS[.f]]][Z|±HH:MM]";
 * fg_time_format writes "YYYY-MM-DDTHH:MM:SSZ" (21 bytes). fg_time_from_civil checks
 * the calendar date and clock time (years 1900..9999) and returns FG_EINVAL if invalid. */
int fg_time_from_civil(int year, int month, int day, int hour, int minute, int second,
                       int64_t *t_utc);
int fg_time_parse(const char *s, int64_t *t_utc);
void fg_time_format(int64_t t_utc, char out[24]);

#ifdef __cplusplus
}
#endif
#endif
