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

/* --------------------------------------------------------- sensor profiles */

/* A sensor profile (a models/sensors/NAME.conf file, embedded in the library): how to find
 * band roles when band descriptions do not name them, how to scale values, which
 * detector and constants apply. */
typedef struct fg_sensor_def {
    char name[32];                 /* e.g. "MODIS", "VIIRS-I", "ABI", "AHI", "AGRI", "LANDSAT-OLI", "S2-MSI" */
    char aliases[256];             /* comma-separated names that select this profile (FG_SENSOR values) */
    int swir;                      /* 1: SWIR reflective detector; 0: thermal contextual */
    fg_sensor_profile thermal_profile;
    fg_swir_algorithm swir_algorithm; /* default SWIR algorithm */
    double mir_um, tir_um, wooster_a, pixel_km2; /* 0 = the thermal profile's default */
    int band_of_role[FG_ROLE_COUNT]; /* 1-based band index used when no description names the role; 0 = none */
    double scale[FG_ROLE_COUNT], offset[FG_ROLE_COUNT]; /* value·scale + offset (scale 0 = 1) */
    float saturation[FG_ROLE_COUNT]; /* in scaled units; 0 = none */
    unsigned char cloud_values[8];   /* CLOUD_MASK values meaning cloud (e.g. MVCM 0 and 1) */
    int ncloud_values;               /* 0: any non-zero value is cloud */
} fg_sensor_def;

/* Finds a profile by name or alias (case-insensitive). FG_ENOTFOUND lists the known names. */
int fg_sensor_find(const char *name, fg_sensor_def *out, fg_ctx *ctx);
/* Number of profiles and the i-th one's name (for help texts). */
size_t fg_sensor_count(void);
const char *fg_sensor_name(size_t i);

/* ---------------------------------------------------------------- scenes */

/* A satellite scene read through GDAL: any GDAL raster dataset (GeoTIFF, VRT,
 * netCDF/HDF subdataset, ENVI, ...). Bands are found by role: from the band
 * description (a role name such as "MIR_BT", see fg_band_role_name), else from
 * the sensor profile's band map. GOES-R ABI L1b radiance files
 * (OR_ABI-L1b-Rad*-M?C07_*.nc) open directly: the files of the same scan start
 * in the same folder supply channels 7 (MIR), 14 (TIR) and 15 (TIR2), converted
 * to brightness temperature with the Planck coefficients stored in each file.
 * Georeferencing by geotransform + CRS or by GDAL geolocation arrays (GEOLOCATION
 * metadata domain, e.g. in a VRT). Acquisition time from the metadata items
 * FG_ACQ_TIME, time_coverage_start, TIFFTAG_DATETIME, or the options. Fill values
 * (nodata, _FillValue, NaN, ±inf) become NaN; values outside a role's physical
 * range (BT 150–700 K, reflectance −0.1–2) become NaN and are counted. */
typedef struct fg_scene fg_scene;

typedef struct fg_scene_opts {
    size_t max_pixels;   /* refuse larger scenes (0 = 200 million) */
    int64_t time_utc;    /* used when > 0 and the file carries no time */
    const char *sensor;  /* profile name; NULL = from FG_SENSOR metadata, the file, or pixel size */
} fg_scene_opts;

/* Opens path and reads every band with a role. A scene must hold either MIR_BT and
 * TIR_BT (thermal) or NIR_REF, SWIR1_REF and SWIR2_REF (SWIR). Fails with
 * FG_ENOTFOUND for a missing file or required role, FG_EFORMAT for a file GDAL
 * cannot read, bands of different sizes, an unknown CRS or no georeferencing,
 * FG_ELIMIT for max_pixels. The message names the file and the problem. */
int fg_scene_open(const char *path, const fg_scene_opts *opts, fg_scene **out, fg_ctx *ctx);
void fg_scene_free(fg_scene *s);

/* The band of a role, or NULL when the scene has none. */
const fg_raster *fg_scene_band(const fg_scene *s, fg_band_role role);
const fg_raster *fg_scene_mir(const fg_scene *s);
const fg_raster *fg_scene_tir(const fg_scene *s);
const fg_raster *fg_scene_cloud(const fg_scene *s); /* NULL when absent */
int64_t fg_scene_time(const fg_scene *s);
const char *fg_scene_sensor(const fg_scene *s);     /* satellite/sensor name for the lists */
const fg_sensor_def *fg_scene_sensor_def(const fg_scene *s);
const char *fg_scene_path(const fg_scene *s);
/* Pixels set to NaN because they were fill or physically implausible. */
size_t fg_scene_fill_count(const fg_scene *s);
/* Pixel size in km along scan (x) and track (y) at the scene centre. */
void fg_scene_pixel_km(const fg_scene *s, double *scan_km, double *track_km);
/* WGS84 position of fractional pixel (row, col); row + 0.5 is a pixel centre.
 * FG_EINVAL when the pixel has no position (off the Earth's disc, outside the arrays). */
int fg_scene_to_wgs84(const fg_scene *s, double row, double col, double *lat, double *lon,
                      fg_ctx *ctx);

/* Detector inputs and constants for this scene: bands by role, day/night (from a
 * SOLAR_ZENITH band, else from time and the scene centre), thermal constants from
 * the sensor profile with the pixel area of the scene. Views stay owned by s. */
int fg_scene_thermal_input(const fg_scene *s, fg_thermal_input *in, fg_thermal_params *p,
                           fg_ctx *ctx);
int fg_scene_swir_input(const fg_scene *s, fg_swir_input *in, fg_ctx *ctx);
/* 1 when the scene holds the SWIR roles and no thermal ones (or its profile says SWIR). */
int fg_scene_is_swir(const fg_scene *s);

/* Writes a one-byte raster (width×height, row-major, e.g. FG_MASK_* classes) aligned
 * with the scene: same size, geotransform and CRS (or geolocation metadata), as a
 * GeoTIFF through a temporary file. */
int fg_scene_write_mask(const fg_scene *s, const unsigned char *mask, const char *path,
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

/* Time of a frame: from its file name (fg_frame_time_from_name), else from the EXIF
 * DateTimeOriginal tag read through GDAL's JPEG driver (camera clock taken as UTC+8,
 * Beijing time, unless the registry says otherwise: utc_offset_s). FG_EFORMAT when
 * there is neither. */
int fg_frame_time(const char *path, int utc_offset_s, int64_t *t_utc);

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
/* The same as JFIF YCbCr 4:2:0 planes (FG_PIX_YCC420, detect.h): what the
 * smoke detector reads. A JPEG stored 4:2:0 (most cameras) is decoded to its
 * own planes, with no colour conversion or chroma upsampling; other JPEGs
 * (4:4:4, 4:2:2, greyscale) are decoded to RGB and converted by TurboJPEG's
 * encoder (2×2 chroma downsampling). */
int fg_jpeg_decode_ycc(fg_jpeg_decoder *d, const char *path, int scale_denom, size_t max_pixels,
                       fg_raster *out, int *full_w, int *full_h, fg_ctx *ctx);
/* Either into buf, a raster of an earlier call (or all zeroes; YCC420 when
 * buf->type is FG_PIX_YCC420, else RGB): its pixels
 * are reused when the decoded size is theirs, else released and allocated
 * anew. A stream of same-size frames then allocates once (a 4.7 MB raster a
 * frame, allocated and freed, costs the decode its pages' faults and zeroing
 * whenever the C library hands the memory back to the system). On failure
 * buf may still hold pixels; release it with fg_raster_release(). */
int fg_jpeg_decode_file_reuse(fg_jpeg_decoder *d, const char *path, int scale_denom,
                              size_t max_pixels, fg_raster *buf, int *full_w, int *full_h,
                              fg_ctx *ctx);

/* One camera's frames decoded ahead on all threads while one thread takes them
 * in order (frame_stream.c). take(user, i, ras, rc, full_w, full_h, err) gets
 * frame i of n, i = 0, 1, …: rc FG_OK with ras decoded at 1/scale, else the
 * decode error (err->msg names the file). The raster's pixels are the stream's,
 * reused for a later frame after take returns (take may move them out and
 * zero *ras). take returns non-zero
 * to stop. take runs on one thread while the others decode the frames after
 * it (with ndec > 1, parallel regions opened by take run on that one thread). */
typedef struct fg_frame_stream {
    size_t n;
    const char *(*path_of)(void *user, size_t i);
    int scale;         /* 1, 2, 4 or 8 */
    size_t max_pixels; /* as fg_jpeg_decode_file */
    int batch;         /* frames decoded ahead at most; <= 0: 4 per decoder */
    int (*take)(void *user, size_t i, fg_raster *ras, int rc, int full_w, int full_h,
                const fg_ctx *err);
    void *user;
    int ycc;           /* frames as YCC420 planes (fg_jpeg_decode_ycc), else RGB */
} fg_frame_stream;
/* Runs the stream with ndec decoders (one per thread). FG_OK (also when take
 * stopped it), FG_EINVAL or FG_ENOMEM. */
int fg_frame_stream_run(const fg_frame_stream *st, fg_jpeg_decoder **decs, int ndec, fg_ctx *ctx);

/* Writes an RGB U8 raster as a baseline JPEG (quality 1..100) to path, through a
 * temporary file renamed into place. */
int fg_jpeg_write(const char *path, const fg_raster *rgb, int quality, fg_ctx *ctx);

/* ------------------------------------------------------------- registries */

/* Splits one CSV record in place at commas into at most max fields: a field that
 * starts with '"' runs to its closing quote ("" is a quote inside it, RFC 4180; no
 * newline inside a field), other fields are trimmed of blanks. Returns the count,
 * max + 1 when there are more fields, or -1 for a broken quote. */
int fg_csv_split(char *line, char **fields, int max);

/* Reads a camera registry CSV with header
 *   camera_id,lon,lat,height_m,heading_deg,hfov_deg,tilt_deg,width,height[,preset][,mask_wkt]
 * (mask_wkt quoted when it holds commas; lines starting with '#' are comments, also before the header). Rows with impossible values (|lat| > 90, heading outside 0..360, hfov outside
 * (0, 180), height <= 0, ...) are reported through skip() and left out.
 * *out is allocated (fg_free); FG_ENOTFOUND/FG_EFORMAT when the file or its header is bad. */
int fg_camera_registry_read(const char *path, fg_camera **out, size_t *n,
                            void (*skip)(void *user, const char *what, const char *reason),
                            void *user, fg_ctx *ctx);

/* Rasterises a camera's mask_wkt (full-resolution image pixels) onto the block grid of
 * a working-resolution frame: *mask gets nbx·nby bytes (fg_free), non-zero where a
 * block is at least half covered. *mask = NULL when the camera has no mask. FG_EFORMAT
 * naming the camera when the WKT does not parse or is not a polygon. */
int fg_camera_block_mask(const fg_camera *cam, int work_w, int work_h, int block,
                         unsigned char **mask, fg_ctx *ctx);

/* ------------------------------------------------------- smoke state and model */

/* Per-camera smoke state files in a state folder ("<dir>/<camera id>.state", written
 * through a temporary name). Load: *out = NULL and FG_OK when there is no state yet;
 * a corrupt, truncated or older-version file is reported in ctx with FG_EFORMAT and
 * the caller starts afresh (the file is replaced at the next save). */
int fg_smoke_state_load(const char *dir, const char *camera_id, const fg_smoke_params *p,
                        fg_smoke **out, fg_ctx *ctx);
int fg_smoke_state_save(const char *dir, const char *camera_id, const fg_smoke *s,
                        fg_ctx *ctx);

/* The smoke block model: a text file ("key = value" lines: nfeat, bias, threshold,
 * mean, scale, w as comma lists, plus provenance comments). path NULL = the model
 * bundled in models/smoke_model.txt (embedded at build time). */
int fg_smoke_model_read(const char *path, fg_smoke_model *m, fg_ctx *ctx);
int fg_smoke_model_write(const char *path, const fg_smoke_model *m, const char *provenance,
                         fg_ctx *ctx);
/* Reads a single-band 8-bit mask image (PNG, TIFF, ...) through GDAL as a U8 raster
 * (fg_raster_release). */
int fg_mask_image_read(const char *path, fg_raster *out, fg_ctx *ctx);

/* ---------------------------------------------------------------- land cover */

/* Land cover from a classified raster read through GDAL (any CRS). Class codes map
 * to names with ESA WorldCover's legend by default: 10 tree → forest, 20 shrub and
 * 30 grassland → grass, 40 cropland, 50 built-up, 80 water, anything else → other. */
typedef struct fg_landcover fg_landcover;
int fg_landcover_open(const char *path, fg_landcover **out, fg_ctx *ctx);
void fg_landcover_free(fg_landcover *lc);
/* Class name at a WGS84 point ("" outside the raster or on nodata). Not thread safe. */
const char *fg_landcover_at(const fg_landcover *lc, double lat, double lon);

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
/* Reads a whole file into *out (fg_free), NUL-terminated one byte past *len so text
 * can be parsed in place. FG_ENOTFOUND when it does not exist, FG_ELIMIT when it is
 * larger than max_bytes (0 = no limit), FG_EIO on a read error, FG_ENOMEM; the
 * message names the file. On failure *out and *len are unchanged. */
int fg_read_file(const char *path, size_t max_bytes, unsigned char **out, size_t *len,
                 fg_ctx *ctx);
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
