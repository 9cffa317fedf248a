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
    FG_PIX_YCC420 = 3, /* a colour frame as a JPEG stores it (channels 3): JFIF YCbCr
                        * bytes, planar, chroma once per 2×2 pixels; see fg_ycc_cb */
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

/* Allocates a raster with stride = width * channels (YCC420: see
 * fg_ycc_cb), zero-filled. Free the
 * pixels with fg_raster_release(). Refuses width*height > max_pixels
 * (0 = no limit) with FG_ELIMIT. */
int fg_raster_alloc(fg_raster *r, int width, int height, int channels, fg_pixel_type type,
                    size_t max_pixels, fg_ctx *ctx);
void fg_raster_release(fg_raster *r);

/* FG_PIX_YCC420 rasters (ycc.c): the Y plane, then the Cb plane and the Cr
 * plane of fg_ycc_ch rows of fg_ycc_cw bytes each; chroma centred on 128
 * (ITU-T T.871). The Y plane has an even number of rows and stride = the
 * width rounded up to even (the padding is what a JPEG decoder writes for
 * odd sizes: TurboJPEG's tjPlaneWidth/tjPlaneHeight). Chroma sample (i, j)
 * belongs to the pixels (2i .. 2i + 1, 2j .. 2j + 1) (one row or column at
 * an odd frame's last). fg_raster_alloc allocates the three planes. */
static inline int fg_ycc_cw(const fg_raster *r) { return (r->width + 1) / 2; }
static inline int fg_ycc_ch(const fg_raster *r) { return (r->height + 1) / 2; }
static inline size_t fg_ycc_stride(int width) { return (size_t)width + (size_t)(width & 1); }
static inline unsigned char *fg_ycc_cb(const fg_raster *r)
{
    return (unsigned char *)r->data + r->stride * 2 * (size_t)fg_ycc_ch(r);
}
static inline unsigned char *fg_ycc_cr(const fg_raster *r)
{
    return fg_ycc_cb(r) + (size_t)fg_ycc_cw(r) * (size_t)fg_ycc_ch(r);
}
/* RGB U8 (3 channels) → YCC420 into out (allocated; release with
 * fg_raster_release): Y of each pixel, Cb and Cr the means of each 2×2 cell's,
 * rounded. For frames that come as RGB (synthetic scenes, tests). */
int fg_ycc_from_rgb(const fg_raster *rgb, fg_raster *out, fg_ctx *ctx);
/* YCC420 → RGB U8 (out allocated): each pixel from its Y and its cell's
 * chroma, rounded and clamped — the RGB the detector's appearance features
 * see (fg_ycc_rgb_at), so training and live frames agree. */
int fg_ycc_to_rgb(const fg_raster *ycc, fg_raster *out, fg_ctx *ctx);
/* The RGB of pixel (r, c) of a YCC420 raster, as fg_ycc_to_rgb gives it. */
void fg_ycc_rgb_at(const fg_raster *ycc, int r, int c, unsigned char rgb[3]);
#define FG_F32_AT(r, row, col) (((const float *)(r)->data)[(size_t)(row) * (r)->stride + (size_t)(col)])

/* ------------------------------------------------- deterministic randomness */

/* splitmix64 (Steele, Lea & Flood 2014, OOPSLA): a tiny generator with a full 2⁶⁴
 * period whose output does not depend on the platform's rand(). Used by the
 * synthesisers, evaluations and benchmarks so that a seed gives the same bytes. */
typedef struct fg_rng {
    uint64_t s;
} fg_rng;

/* The splitmix64 output function (a 64-bit mixing hash). */
uint64_t fg_mix64(uint64_t z);
uint64_t fg_rng_next(fg_rng *r);
/* Uniform in [0, 1) with 53 random bits; in [a, b). */
double fg_rng_unit(fg_rng *r);
double fg_rng_range(fg_rng *r, double a, double b);
/* Standard normal deviate (Box–Muller, one of the pair). */
double fg_rng_gauss(fg_rng *r);
/* FNV-1a 64-bit hash (Fowler, Noll & Vo; offset basis 0xcbf29ce484222325, prime
 * 2^40 + 435) of n bytes, continuing from h: start with FG_FNV64_OFFSET. Used for
 * stable ids, checksums and deterministic splits. */
#define FG_FNV64_OFFSET UINT64_C(0xcbf29ce484222325)
uint64_t fg_fnv1a64(uint64_t h, const void *data, size_t n);
/* Hash of integer lattice coordinates (i, j) to [0, 1), deterministic in salt. */
double fg_hash01(uint64_t salt, int64_t i, int64_t j);
/* Smooth value noise in [0, 1): hashed values on the integer lattice, bilinear with a
 * smoothstep fade between them. Deterministic in (salt, x, y). */
double fg_value_noise(uint64_t salt, double x, double y);

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
    /* satellite contextual tests (Giglio et al. 2003, RSE 87:273): background means
     * and mean absolute deviations of the valid background pixels, the FG_TEST_*
     * bits that passed, the background window side and its valid pixel count */
    float bg_mir_k, bg_tir_k, bg_dt_k;
    float mad_mir_k, mad_tir_k, mad_dt_k;
    unsigned tests;
    int window, n_valid;      /* -1 unknown */
    /* camera: consecutive frames the smoke region persisted, blocks in the region */
    int persisted, nblocks;   /* -1 unknown */
    /* evidence pointer */
    char evidence[512];       /* scene or frame path as given to the run */
    int ev_row, ev_col;       /* satellite: pixel row/col in the scene */
    int ev_x, ev_y, ev_w, ev_h; /* camera: smoke box in full-resolution pixels */
} fg_hotspot;

/* Fills h with "unknown" values (NaN numbers, -1 pixel positions, empty strings). */
void fg_hotspot_init(fg_hotspot *h, fg_source_kind kind);

/* ------------------------------------------------------------- band roles */

/* What a scene band holds. Brightness temperatures in K, reflectances 0–1,
 * angles in degrees, masks U8. */
typedef enum fg_band_role {
    FG_ROLE_MIR_BT = 0,   /* ~3.7–4.0 µm brightness temperature */
    FG_ROLE_TIR_BT,       /* ~10.8–11.5 µm */
    FG_ROLE_TIR2_BT,      /* ~12 µm */
    FG_ROLE_COASTAL_REF,  /* ~0.44 µm (Landsat band 1) */
    FG_ROLE_BLUE_REF,     /* ~0.48 µm */
    FG_ROLE_GREEN_REF,    /* ~0.56 µm */
    FG_ROLE_RED_REF,      /* ~0.64–0.67 µm */
    FG_ROLE_NIR_REF,      /* ~0.86 µm */
    FG_ROLE_SWIR1_REF,    /* ~1.6 µm */
    FG_ROLE_SWIR2_REF,    /* ~2.2 µm */
    FG_ROLE_CLOUD_MASK,   /* U8, non-zero = cloud */
    FG_ROLE_WATER_MASK,   /* U8, non-zero = water */
    FG_ROLE_SOLAR_ZENITH, /* degrees */
    FG_ROLE_VIEW_ZENITH,  /* degrees */
    FG_ROLE_COUNT
} fg_band_role;

/* "MIR_BT", "TIR_BT", ... ; NULL for an invalid role. */
const char *fg_band_role_name(fg_band_role r);
/* The role of a name (case-sensitive as listed above), or -1. */
int fg_band_role_from_name(const char *name);

/* MOD14-style per-pixel classes of a fire mask (one byte per pixel), so that
 * staff who know the MODIS fire mask read ours the same way. */
#define FG_MASK_NOT_PROCESSED 0 /* fill, NaN, implausible values */
#define FG_MASK_WATER 3
#define FG_MASK_CLOUD 4
#define FG_MASK_LAND 5          /* clear land, no fire */
#define FG_MASK_UNKNOWN 6       /* candidate without a usable background */
#define FG_MASK_FIRE_LOW 7
#define FG_MASK_FIRE_NOMINAL 8
#define FG_MASK_FIRE_HIGH 9

/* One fire pixel, from any detector. Numbers a detector does not produce are NaN. */
typedef struct fg_fire_pixel {
    int row, col;
    float t4, t11;                 /* K */
    float mean_t4, mean_t11, mean_dt;
    float mad_t4, mad_t11, mad_dt; /* mean absolute deviations of the valid background */
    float mad_t4_bgfire;           /* δ4′: MAD of T4 over background fires */
    int n_valid, window;           /* valid background count, final window side */
    int adj_cloud, adj_water;      /* among the 8 neighbours */
    int is_day;
    unsigned tests;                /* FG_TEST_* bits that passed */
    int confidence;                /* 0..100 */
    unsigned char mask_class;      /* FG_MASK_FIRE_* */
    float frp_mw;                  /* MIR radiance method (Wooster et al. 2003) */
    float frp_c5_mw;               /* MODIS C5 formula (Kaufman et al. 1998) */
    float swir_ratio;              /* SWIR detectors: ρ7/ρ5 (NaN for thermal) */
    float swir2_ref;               /* SWIR detectors: ρ7 */
    int fire_id;                   /* fire (connected group) number, 1-based; 0 = ungrouped */
} fg_fire_pixel;

/* ------------------------------------------- thermal contextual detector */

/* Contextual MIR/TIR fire detection of the MODIS MOD14 Collection 6 family
 * (Giglio et al. 2003, RSE 87:273; Giglio, Schroeder & Justice 2016, RSE
 * 178:31), with the VIIRS 375 m constants of Schroeder et al. (2014, RSE
 * 143:85) and geostationary constants (FY-4 AGRI / Himawari AHI / GOES ABI)
 * chosen by profile. Background statistics use summed-area tables, so their
 * cost does not grow with the window size. */
typedef enum fg_sensor_profile {
    FG_PROFILE_MODIS_1KM = 1,
    FG_PROFILE_VIIRS_375M = 2,
    FG_PROFILE_GEO_2KM = 3,
} fg_sensor_profile;

typedef struct fg_thermal_params {
    fg_sensor_profile profile;
    double mir_um, tir_um;   /* band centres (µm) */
    double wooster_a;        /* MIR-method coefficient a (W m⁻² sr⁻¹ µm⁻¹ K⁻⁴) */
    double pixel_km2;        /* pixel area at nadir */
    int win_min, win_max;    /* background window sides (odd) */
    double min_valid_frac;   /* of the window */
    int min_valid;
    float t4_min, t4_max;    /* plausible BT ranges; outside is fill, never fire */
    float t11_min, t11_max;
    float t4_saturation;     /* K; pixels at or above count as saturated fire (0 = none) */
    double day_max_sza;      /* day if solar zenith < this (85°) */
    /* cloud */
    float cloud_t11_day, cloud_t11_night; /* T11 (or T12) below: cloud */
    float cloud_vis_sum, cloud_vis_sum_warm, cloud_warm_t11; /* (ρr+ρn) tests, day */
    /* potential fire */
    float pot_t4_day, pot_t4_night, pot_dt_day, pot_dt_night, pot_nir_max;
    /* absolute fire */
    float abs_t4_day, abs_t4_night;
    /* background fires (excluded from the background) */
    float bg_t4_day, bg_dt_day, bg_t4_night, bg_dt_night;
    /* contextual: ΔT > mean + k_dt·δΔT, ΔT > mean + dt_abs, T4 > mean + k_t4·δ4 */
    float k_dt_day, k_dt_night, dt_abs_day, dt_abs_night, k_t4_day, k_t4_night;
    float t11_offset;        /* (5): T11 > mean T11 + δ11 − t11_offset */
    float bgfire_mad;        /* (6): δ4′ > bgfire_mad */
    float min_mad;           /* floor for deviations (K), 0 = none (FY-4 clamps 2–4 K) */
    /* confidence ramps S(x; a, b) */
    float conf_t4_day_lo, conf_t4_day_hi, conf_t4_night_lo, conf_t4_night_hi;
    /* rejections where the bands allow */
    int reject_glint, reject_desert, reject_coastal;
} fg_thermal_params;

/* Fills p with the constants of a sensor profile. FG_EINVAL for an unknown profile. */
int fg_thermal_params_default(fg_thermal_params *p, fg_sensor_profile profile);

/* Per-pixel decision flags (bit set = test passed). */
#define FG_TEST_POTENTIAL (1u << 0)
#define FG_TEST_ABSOLUTE (1u << 1)
#define FG_TEST_CTX_DT_MAD (1u << 2)  /* (2) ΔT > mean ΔT + k δΔT */
#define FG_TEST_CTX_DT_ABS (1u << 3)  /* (3) ΔT > mean ΔT + dt_abs */
#define FG_TEST_CTX_T4 (1u << 4)      /* (4) T4 > mean T4 + k δ4 */
#define FG_TEST_CTX_T11 (1u << 5)     /* (5) T11 > mean T11 + δ11 − 4 */
#define FG_TEST_CTX_BGFIRE (1u << 6)  /* (6) δ4' > 5 */
#define FG_TEST_SATURATED (1u << 7)   /* MIR at saturation: fire without context */
#define FG_TEST_REJ_GLINT (1u << 8)   /* rejected as sun glint */
#define FG_TEST_REJ_DESERT (1u << 9)  /* rejected at a desert boundary */
#define FG_TEST_REJ_COASTAL (1u << 10)/* rejected as a coastal false alarm */

/* The contextual decision for one pixel given its background statistics, so
 * that published per-pixel records (e.g. the MOD14 fire-pixel table) can be
 * checked rule by rule. Returns the FG_TEST_* bits; *is_fire receives the
 * decision and *confidence (may be NULL) the 0..100 confidence. */
typedef struct fg_thermal_context {
    float t4, t11;
    float mean_t4, mean_t11, mean_dt, mad_t4, mad_t11, mad_dt, mad_t4_bgfire;
    int n_valid, n_bgfire, adj_cloud, adj_water;
    int is_day;
} fg_thermal_context;
unsigned fg_thermal_decide(const fg_thermal_params *p, const fg_thermal_context *c, int *is_fire,
                           int *confidence);

/* FRP (MW) of a fire pixel by the MIR radiance method, A·σ/a·(L4 − L4bg) (Wooster et
 * al. 2003, RSE 86:83), and by the MODIS C5 formula 4.34e-19·(T4⁸ − T4bg⁸)·A. */
double fg_frp_mir(const fg_thermal_params *p, double t4, double mean_t4, double area_km2);
double fg_frp_c5(double t4, double mean_t4, double area_km2);

/* Input of the thermal detector: F32 single-channel rasters of one size; any
 * optional raster may be NULL. */
typedef struct fg_thermal_input {
    const fg_raster *mir;
    const fg_raster *tir;
    const fg_raster *cloud;   /* U8 cloud mask; NULL = cloud tests from the bands */
    int is_day;               /* 1 day, 0 night, -1 per pixel from solar_zenith */
    const fg_raster *tir2;    /* 12 µm, for the cloud test */
    const fg_raster *red, *nir, *swir1; /* reflectances: cloud, water, glint tests */
    const fg_raster *water;   /* U8 water mask */
    const fg_raster *solar_zenith, *view_zenith; /* degrees; view zenith grows the pixel area */
} fg_thermal_input;

/* Detects fire pixels. *out receives an array of *n records sorted by (row, col),
 * or NULL when *n == 0; free with fg_free(). mask (may be NULL) receives one
 * FG_MASK_* byte per pixel, row-major, width*height bytes. threads <= 0 means the
 * OpenMP default. Pixels whose values are NaN or implausible are never fire and
 * never background. Returns FG_OK, FG_EINVAL (bad sizes) or FG_ENOMEM. */
int fg_thermal_detect(const fg_thermal_input *in, const fg_thermal_params *p, int threads,
                      fg_fire_pixel **out, size_t *n, unsigned char *mask, fg_ctx *ctx);

/* ------------------------------------------------------- SWIR detector */

/* Daytime 30 m / 20 m SWIR fire detection: Landsat-8/9 OLI after Schroeder et al.
 * (2016, RSE 185:210) or Kumar & Roy (2018, IJRS 39:7), and Sentinel-2 MSI. */
typedef enum fg_swir_algorithm {
    FG_SWIR_SCHROEDER2016 = 1,
    FG_SWIR_KUMAR_ROY2018 = 2,
    FG_SWIR_SENTINEL2 = 3,
} fg_swir_algorithm;

/* TOA reflectances 0–1, F32, one size. coastal may be NULL (blue is used in its place). */
typedef struct fg_swir_input {
    const fg_raster *coastal, *blue, *green, *red, *nir, *swir1, *swir2;
    float saturation; /* reflectance at which a band saturates (OLI ~1.6), 0 = unknown */
} fg_swir_input;

/* Detects SWIR fire pixels; same conventions as fg_thermal_detect (mask classes
 * FG_MASK_*: water 3, clear land 5, fire 7..9). FG_ENOTFOUND when a band the
 * algorithm needs is missing. */
int fg_swir_detect(const fg_swir_input *in, fg_swir_algorithm alg, int threads,
                   fg_fire_pixel **out, size_t *n, unsigned char *mask, fg_ctx *ctx);

/* ------------------------------------------------------- fire grouping */

/* A fire: 8-connected fire pixels of one scene. */
typedef struct fg_fire {
    int id;               /* 1-based, in order of the first pixel (row, col) */
    int npix;
    float frp_total_mw;   /* sum of the pixels' FRP (NaN when none has one) */
    int max_confidence;
    int row0, col0, row1, col1; /* bounding box, inclusive */
    double row_c, col_c;  /* FRP-weighted (else plain) centroid, pixel coordinates */
} fg_fire;

/* Groups fire pixels (sorted by row, col) into 8-connected fires, sets each pixel's
 * fire_id, and returns the fires (fg_free). */
int fg_fire_group(fg_fire_pixel *px, size_t n, fg_fire **fires, size_t *nfires, fg_ctx *ctx);

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
    char preset[32];   /* preset name of a patrolling camera ("" = fixed) */
    char mask_wkt[2048]; /* areas never to alarm on: WKT (MULTI)POLYGON in full-resolution
                            image pixels (x right, y down); "" = none */
} fg_camera;

/* Bearing (deg) of image column x (full-resolution pixels, may be fractional). */
double fg_camera_bearing(const fg_camera *cam, double x);
/* Ground range (m) of a point on flat ground imaged at row y; returns NaN when the
 * row is at or above the horizon. */
double fg_camera_range(const fg_camera *cam, double y);
/* Row of the horizon (depression 0), may be outside the frame. */
double fg_camera_horizon_row(const fg_camera *cam);
/* The same for frames of full_w×full_h pixels (whatever the registry's size)
 * decoded to work_h rows, clamped to [0, work_h]: the smoke detector's
 * horizon_row. */
double fg_camera_work_horizon(const fg_camera *cam, int full_w, int full_h, int work_h);
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

/* Camera smoke detection for towers over farmland at one frame every 10–60 s and
 * ranges of hundreds of metres to several km (../shared/ref/camera-smoke.md):
 * slow smoke cues, not flame flicker or colour. Per camera state: fast and slow
 * running-average backgrounds, a horizon/sky estimate, per-block time-of-day
 * history of scores (Fuego, Govil et al. 2020), and region tracking for
 * temporal persistence. Each block gets appearance features (learned model) and
 * temporal features (change against the backgrounds, loss of high-frequency
 * detail, drift, growth, upward spread); a region alarms only when its base
 * touches the ground below the horizon and it persists. */
typedef struct fg_smoke fg_smoke;

/* Per-block appearance features of one frame: what the learned model sees. They
 * can be computed on single labelled frames (training) and on live frames alike.
 * The order below is part of the model file format; append, never reorder. */
enum {
    FG_SF_LUMA = 0,      /* mean luminance Y / 255 */
    FG_SF_LUMA_STD,      /* std of Y within the block / 64 */
    FG_SF_COLOURLESS,    /* mean 1 − (|U − 128| + |V − 128|)/128 */
    FG_SF_SATURATION,    /* mean HSV saturation */
    FG_SF_BLUE_RED,      /* mean (B − R)/255: smoke is blue-grey, soil red-brown */
    FG_SF_DARK_CHANNEL,  /* mean min(R, G, B)/255 (haze prior, He et al. 2009) */
    FG_SF_HIGH_FREQ,     /* mean |Laplacian of Y| / 64: detail, which smoke blurs */
    FG_SF_GRAD_VERT,     /* mean |∂Y/∂y| − |∂Y/∂x|, / 64: horizons and field edges */
    FG_SF_ROW,           /* (block centre row − horizon row) / frame height */
    FG_SF_SKY_CONTRAST,  /* (block Y − mean Y of the sky above the horizon) / 255 */
    FG_SF_COUNT
};

/* Computes FG_SF_COUNT features for every block of side `block` of an RGB U8 frame
 * (blocks in raster order; partial blocks at the right/bottom edges are dropped).
 * horizon_row < 0: estimated from the frame. feat receives nbx·nby·FG_SF_COUNT
 * floats (caller allocates; nbx = width / block, nby = height / block). */
int fg_smoke_appearance(const fg_raster *rgb, int block, double horizon_row, float *feat,
                        fg_ctx *ctx);
/* Horizon row of a frame: the row where the mean luminance profile changes most
 * from sky to ground (smoothed), in [0, height). */
double fg_smoke_horizon(const fg_raster *rgb);

/* A logistic-regression block model: p = σ(bias + Σ w_i·(f_i − mean_i)/scale_i). */
#define FG_SMOKE_MODEL_MAXF 32
typedef struct fg_smoke_model {
    int nfeat;
    float mean[FG_SMOKE_MODEL_MAXF], scale[FG_SMOKE_MODEL_MAXF], w[FG_SMOKE_MODEL_MAXF];
    float bias;
    float threshold;  /* decision threshold on p chosen at training */
} fg_smoke_model;

/* Probability that a block with features f is smoke. */
float fg_smoke_model_prob(const fg_smoke_model *m, const float *f);
/* Threshold rule: `recall` in (0, 1) = the highest threshold at which block recall
 * on the given data is >= recall (the model is a gate after the change detector
 * and must keep most smoke); FG_SMOKE_THRESHOLD_F1 = the threshold maximising
 * block F1 on the given data. */
#define FG_SMOKE_THRESHOLD_F1 0.0
/* Chooses m's decision threshold on samples X (n×m->nfeat, row-major), labels y
 * (0/1, unweighted counts) by the rule `recall` into *thr. Needs a smoke sample. */
int fg_smoke_model_threshold(const fg_smoke_model *m, const float *X, const unsigned char *y,
                             size_t n, double recall, float *thr, fg_ctx *ctx);
/* Trains a model by L2-regularised logistic regression (Newton steps with a line
 * search on standardised features, sums in fixed chunks; deterministic). X is
 * n×nfeat row-major, y 0/1, weight per sample (NULL = 1; use it to balance
 * classes). The threshold is chosen on the same (training) data by the rule
 * `recall` (see fg_smoke_model_threshold). *out is untouched on failure. */
int fg_smoke_model_train(const float *X, const unsigned char *y, const float *weight,
                         size_t n, int nfeat, double l2, int iterations, double recall,
                         fg_smoke_model *out, fg_ctx *ctx);

typedef struct fg_smoke_params {
    int block;             /* block side in working pixels */
    float bg_alpha_fast;   /* fast background weight a in B ← aB + (1 − a)I (≈ 0.7) */
    float bg_alpha;        /* slow background weight (≈ 0.9–0.95) */
    float min_diff;        /* mean |I − B| luminance for a changed block */
    float min_grey;        /* colourless score threshold 0..1 */
    float min_prob;        /* learned-model probability for a smoke block (model given);
                              -1 (default) = the model's threshold */
    int persist_frames;    /* consecutive frames a region must hold before alarm */
    int warmup_frames;     /* frames to build the background before any alarm */
    int gap_reset_s;       /* a gap longer than this restarts the warm-up (0 = never) */
    double horizon_row;    /* working-resolution horizon row; < 0 = estimate */
    const unsigned char *ignore; /* optional block mask (nbx·nby, non-zero = never alarm:
                                    sky, roads, chimneys); owned by the caller */
    const fg_smoke_model *model; /* optional learned block model; NULL = rules only */
} fg_smoke_params;

void fg_smoke_params_default(fg_smoke_params *p);

typedef struct fg_smoke_result {
    int alarm;             /* 1 when a region has persisted long enough */
    float score;           /* 0..1, strongest region */
    int x, y, w, h;        /* strongest region box, working resolution; w = 0 when none */
    double base_x, base_y; /* plume base (bottom centre of the region), working resolution */
    int persisted;         /* consecutive frames the region has been seen */
    int nblocks;           /* blocks in the strongest region */
    float growth;          /* its area relative to the previous frame's match */
    float rise;            /* upward spread of its top edge since first seen (blocks) */
    float history;         /* the time-of-day history score h it had to beat */
} fg_smoke_result;

/* Creates per-camera state for frames of width×height (working resolution). */
int fg_smoke_new(const fg_smoke_params *p, int width, int height, fg_smoke **out, fg_ctx *ctx);
/* Feeds the next frame in time order: YCC420 (as decoded, the fast path) or
 * RGB U8 with 3 channels (converted by fg_ycc_from_rgb into the state's own
 * buffer). A frame older than the last one is refused with FG_EINVAL. */
int fg_smoke_push(fg_smoke *s, const fg_raster *rgb, int64_t t_utc, fg_smoke_result *res,
                  fg_ctx *ctx);
void fg_smoke_free(fg_smoke *s);

/* Serialises the state (backgrounds, history, tracks, last time) into a buffer
 * (fg_free) with a magic, a version and a checksum, so a run every 10 minutes
 * continues where the last stopped. fg_smoke_load fails with FG_EFORMAT for a
 * buffer that is corrupt, from another version, or for another frame size; the
 * caller then starts afresh with fg_smoke_new. */
int fg_smoke_save(const fg_smoke *s, unsigned char **buf, size_t *len, fg_ctx *ctx);
int fg_smoke_load(const fg_smoke_params *p, const unsigned char *buf, size_t len,
                  fg_smoke **out, fg_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
