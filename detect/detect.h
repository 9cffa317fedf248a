/* detect.h — firegrid's detection core: plain rasters in, hotspot records out. */
/* SPDX-License-Identifier: MIT */
/*
 * This header is the specification of libfg_detect. What is not declared here
 * is not API. Nothing in this library opens a file: callers hand it buffers.
 *
 * Conventions
 *  - Functions return 0 (FG_OK) on success or a negative FG_E* code; the
 *    human-readable reason is written into the caller's fg_ctx.
 *  - Memory returned through an out-parameter is owned by the caller and is
 *    released with fg_free() (or the matching fg_*_free()). fg_*_free(NULL)
 *    is a no-op. On failure no out-parameter is changed.
 *  - All times are UTC seconds since 1970-01-01 (int64_t).
 *  - Results are identical whatever the OpenMP thread count.
 */
#ifndef FG_DETECT_H
#define FG_DETECT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- status */

#define FG_OK 0
#define FG_EINVAL (-1)    /* bad argument, malformed or out-of-range input */
#define FG_ENOMEM (-2)    /* allocation failed */
#define FG_EIO (-3)       /* read or write failed */
#define FG_EFORMAT (-4)   /* input is not in the format it claims */
#define FG_ENOTFOUND (-5) /* a file, band, layer or field is missing */
#define FG_ELIMIT (-6)    /* input exceeds a resource limit (max_pixels) */

/* Error context: the caller owns it (usually on the stack); one per thread.
 * fg_ctx_set() records the first-hand message where the error is detected. */
typedef struct fg_ctx {
    int code;
    char msg[768];
} fg_ctx;

/* Records code and a printf-style message in ctx (ctx may be NULL); returns code. */
int fg_ctx_set(fg_ctx *ctx, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Prefixes the existing message with "prefix: " (e.g. a file name). Returns ctx->code. */
int fg_ctx_prefix(fg_ctx *ctx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void fg_ctx_clear(fg_ctx *ctx);
/* Short name of a status code ("invalid input", "not found", ...). */
const char *fg_strerror(int code);

/* ------------------------------------------------------------ allocation */

/* The one allocation seam. Tests may install failing hooks. */
void *fg_malloc(size_t n);
void *fg_calloc(size_t count, size_t size);
void *fg_realloc(void *p, size_t n);
void fg_free(void *p);
/* Replace the allocator (NULL restores libc). Not thread safe; call at start. */
void fg_set_allocator(void *(*m)(size_t), void *(*r)(void *, size_t), void (*f)(void *));

/* ---------------------------------------------------------------- raster */

typedef enum fg_pixel_type {
    FG_PIX_F32 = 1, /* float; NaN marks "no data" */
    FG_PIX_U8 = 2,  /* unsigned byte; interleaved when channels > 1 */
} fg_pixel_type;

/* A view on pixels that somebody else owns. stride is in elements per row
 * (>= width * channels). Pixel (row r, col c, channel k) is at
 * ((T *)data)[r * stride + c * channels + k]. */
typedef struct fg_raster {
    int width, height, channels;
    size_t stride;
    fg_pixel_type type;
    void *data;
} fg_raster;

/* Allocates a raster with stride = width * channels, zero-filled. Free the
 * pixels with fg_raster_release(). Refuses width*height > max_pixels
 * (0 = no limit) with FG_ELIMIT. */
int fg_raster_alloc(fg_raster *r, int width, int height, int channels, fg_pixel_type type,
                    size_t max_pixels, fg_ctx *ctx);
void fg_raster_release(fg_raster *r);
#define FG_F32_AT(r, row, col) (((const float *)(r)->data)[(size_t)(row) * (r)->stride + (size_t)(col)])

/* ---------------------------------------------------------------- planck */

/* Planck spectral radiance B(λ, T) in W m⁻² sr⁻¹ µm⁻¹ for wavelength in µm and T in K
 * (c1 = 1.191042e8 W µm⁴ m⁻² sr⁻¹, c2 = 14387.752 µm K). */
double fg_planck_radiance(double wavelength_um, double temp_k);
/* Inverse: brightness temperature (K) of radiance L at wavelength_um; NaN if L <= 0. */
double fg_planck_bt(double wavelength_um, double radiance);
/* Brightness temperature of a pixel holding a sub-pixel fire covering fraction f at
 * fire_k over background_k: inverse Planck of f·B(Tf) + (1 − f)·B(Tb). */
double fg_planck_mixed_bt(double wavelength_um, double fraction, double fire_k, double background_k);

/* ------------------------------------------------------------ geography */

/* Great-circle destination from (lat, lon) after distance_m along bearing_deg
 * (clockwise from north), on a sphere of radius 6371008.8 m. */
void fg_geo_destination(double lat, double lon, double bearing_deg, double distance_m,
                        double *lat_out, double *lon_out);
/* Great-circle distance (m) and initial bearing (deg, 0..360) from point 1 to 2. */
double fg_geo_distance(double lat1, double lon1, double lat2, double lon2);
double fg_geo_bearing(double lat1, double lon1, double lat2, double lon2);
/* Solar zenith angle (deg) at a UTC time and place (NOAA low-precision formulae). */
double fg_solar_zenith(int64_t t_utc, double lat, double lon);

/* -------------------------------------------------------- hotspot record */

typedef enum fg_source_kind {
    FG_SOURCE_SATELLITE = 1,
    FG_SOURCE_CAMERA = 2,
} fg_source_kind;

typedef enum fg_conf_class {
    FG_CONF_LOW = 0,     /* confidence < 30 */
    FG_CONF_NOMINAL = 1, /* 30..79 */
    FG_CONF_HIGH = 2,    /* >= 80 */
} fg_conf_class;

fg_conf_class fg_conf_class_of(int confidence);
const char *fg_conf_class_name(fg_conf_class c); /* "low", "nominal", "high" */

/* One detection from one source at one time (DESIGN.md "Hotspot"). This is the
 * only definition of the record; every module uses it. Unknown numbers are NaN. */
typedef struct fg_hotspot {
    fg_source_kind kind;
    char sensor[48];   /* satellite/sensor name, or camera id */
    int64_t time_utc;  /* acquisition time */
    double lat, lon;   /* WGS84: pixel centre, or plume base */
    /* footprint */
    float scan_km, track_km;  /* satellite pixel size along scan / track */
    float bearing_deg;        /* camera: bearing of the plume base from the camera */
    float range_m;            /* camera: estimated range */
    float range_min_m, range_max_m; /* camera: range uncertainty band */
    /* decision */
    int confidence;           /* 0..100 */
    fg_conf_class conf_class;
    float frp_mw;             /* fire radiative power, satellite only */
    float bt_mir_k, bt_tir_k; /* brightness temperatures, satellite only */
    float smoke_score;        /* camera only, 0..1 */
    /* evidence pointer */
    char evidence[512];       /* scene or frame path as given to the run */
    int ev_row, ev_col;       /* satellite: pixel row/col in the scene */
    int ev_x, ev_y, ev_w, ev_h; /* camera: smoke box in full-resolution pixels */
} fg_hotspot;

/* Fills h with "unknown" values (NaN numbers, -1 pixel positions, empty strings). */
void fg_hotspot_init(fg_hotspot *h, fg_source_kind kind);

/* ------------------------------------------- thermal contextual detector */

/* A first contextual MIR/TIR fire test after Giglio et al. (2003, RSE 87:273),
 * MODIS MOD14 Collection 5/6 rules: potential-fire screen, absolute test,
 * background window growth 3×3 → 21×21 until ≥ 25 % and ≥ 8 valid pixels,
 * contextual tests 2–6, confidence by the published ramps, FRP by the
 * MODIS C5 formula. */
typedef struct fg_thermal_params {
    double mir_um;        /* MIR band centre (µm), for FRP by the MIR method */
    double pixel_km2;     /* pixel area at nadir */
    int win_min, win_max; /* background window sides (odd) */
    double min_valid_frac;
    int min_valid;
    float t4_min, t4_max; /* plausible MIR BT range (K); outside is fill */
    float t11_min, t11_max;
    float cloud_t11;      /* T11 below this is cloud (265 K) */
} fg_thermal_params;

typedef enum fg_sensor_profile {
    FG_PROFILE_MODIS_1KM = 1,
    FG_PROFILE_VIIRS_375M = 2,
} fg_sensor_profile;

/* Fills p with the constants of a sensor profile. Returns FG_EINVAL for an unknown profile. */
int fg_thermal_params_default(fg_thermal_params *p, fg_sensor_profile profile);

/* Per-pixel decision flags (bit set = test passed). */
#define FG_TEST_POTENTIAL (1u << 0)
#define FG_TEST_ABSOLUTE (1u << 1)
#define FG_TEST_CTX_DT_MAD (1u << 2)  /* (2) ΔT > mean ΔT + 3.5 δΔT */
#define FG_TEST_CTX_DT_ABS (1u << 3)  /* (3) ΔT > mean ΔT + 6 */
#define FG_TEST_CTX_T4 (1u << 4)      /* (4) T4 > mean T4 + 3 δ4 */
#define FG_TEST_CTX_T11 (1u << 5)     /* (5) T11 > mean T11 + δ11 − 4 */
#define FG_TEST_CTX_BGFIRE (1u << 6)  /* (6) δ4' > 5 */

typedef struct fg_fire_pixel {
    int row, col;
    float t4, t11;                 /* K */
    float mean_t4, mean_t11, mean_dt;
    float mad_t4, mad_t11, mad_dt;
    int n_valid, window;           /* valid background count, window side */
    int adj_cloud;                 /* cloudy pixels among the 8 neighbours */
    unsigned tests;                /* FG_TEST_* bits */
    int confidence;                /* 0..100 */
    float frp_mw;                  /* C5: 4.34e-19 (T4^8 − mean T4^8) A */
} fg_fire_pixel;

/* Input of the thermal detector. mir and tir are F32 single-channel rasters of
 * the same size; cloud is an optional U8 mask (non-zero = cloud) of that size. */
typedef struct fg_thermal_input {
    const fg_raster *mir;
    const fg_raster *tir;
    const fg_raster *cloud; /* may be NULL: cloud from T11 < cloud_t11 */
    int is_day;             /* 1 day, 0 night */
} fg_thermal_input;

/* Detects fire pixels. *out receives an array of *n records sorted by (row, col),
 * or NULL when *n == 0; free with fg_free(). threads <= 0 means the OpenMP default.
 * Pixels whose MIR or TIR is NaN or outside the plausible range are never fire and
 * never background. Returns FG_OK, FG_EINVAL (bad sizes) or FG_ENOMEM. */
int fg_thermal_detect(const fg_thermal_input *in, const fg_thermal_params *p, int threads,
                      fg_fire_pixel **out, size_t *n, fg_ctx *ctx);

/* ------------------------------------------------------ camera geometry */

/* A fixed camera preset on a tower (pinhole model over flat ground). */
typedef struct fg_camera {
    char id[48];
    double lat, lon;   /* WGS84 */
    double height_m;   /* lens height above the surrounding fields */
    double heading_deg;/* bearing of the optical axis, clockwise from north */
    double hfov_deg;   /* horizontal field of view */
    double tilt_deg;   /* optical axis below horizontal (positive = looking down) */
    int width, height; /* full-resolution frame size (pixels) */
} fg_camera;

/* Bearing (deg) of image column x (full-resolution pixels, may be fractional). */
double fg_camera_bearing(const fg_camera *cam, double x);
/* Ground range (m) of a point on flat ground imaged at row y; returns NaN when the
 * row is at or above the horizon. */
double fg_camera_range(const fg_camera *cam, double y);
/* Row of the horizon (depression 0), may be outside the frame. */
double fg_camera_horizon_row(const fg_camera *cam);
/* Forward model: image position of a ground point; returns FG_EINVAL when it is
 * behind the camera or above the horizon. */
int fg_camera_project(const fg_camera *cam, double lat, double lon, double *x, double *y);
/* Ground position of image point (x, y) plus the range band for ±dy rows. */
int fg_camera_locate(const fg_camera *cam, double x, double y, double dy, double *lat,
                     double *lon, double *range_m, double *range_min_m, double *range_max_m);
/* Intersection of two bearing rays; FG_EINVAL when they are near parallel or meet behind. */
int fg_triangulate(double lat1, double lon1, double bearing1_deg, double lat2, double lon2,
                   double bearing2_deg, double *lat, double *lon);

/* ---------------------------------------------------------- smoke detector */

/* A first camera smoke test (camera-smoke.md): per-block difference against a
 * slow running-average background, low saturation ("colourless") and grey
 * luminance, connected regions whose base lies below the horizon, growth and
 * persistence over consecutive frames before an alarm. */
typedef struct fg_smoke fg_smoke;

typedef struct fg_smoke_params {
    int block;             /* block side in working pixels */
    float bg_alpha;        /* slow background weight a in B ← aB + (1 − a)I */
    float min_diff;        /* mean |I − B| luminance for a changed block */
    float min_grey;        /* colourless score threshold 0..1 */
    int persist_frames;    /* consecutive frames a region must hold before alarm */
    int warmup_frames;     /* frames to build the background before any alarm */
    double horizon_row;    /* working-resolution horizon row; < 0 = estimate per frame */
} fg_smoke_params;

void fg_smoke_params_default(fg_smoke_params *p);

typedef struct fg_smoke_result {
    int alarm;             /* 1 when a region has persisted long enough */
    float score;           /* 0..1, strongest region */
    int x, y, w, h;        /* strongest region box, working resolution; w = 0 when none */
    double base_x, base_y; /* plume base (bottom centre of the region), working resolution */
    int persisted;         /* consecutive frames the region has been seen */
} fg_smoke_result;

/* Creates per-camera state for frames of width×height (working resolution). */
int fg_smoke_new(const fg_smoke_params *p, int width, int height, fg_smoke **out, fg_ctx *ctx);
/* Feeds the next frame in time order (U8, 3 channels RGB). */
int fg_smoke_push(fg_smoke *s, const fg_raster *rgb, int64_t t_utc, fg_smoke_result *res,
                  fg_ctx *ctx);
void fg_smoke_free(fg_smoke *s);

#ifdef __cplusplus
}
#endif
#endif
