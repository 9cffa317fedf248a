/* fire_thermal.c — contextual MIR/TIR active-fire detector: MODIS MOD14 C6, VIIRS 375 m, geostationary 2 km. */
/* SPDX-License-Identifier: MIT */
/*
 * References
 *  [G03] Giglio, Descloitres, Justice & Kaufman (2003), An enhanced contextual fire
 *        detection algorithm for MODIS, Remote Sens. Environ. 87:273–282.
 *  [G16] Giglio, Schroeder & Justice (2016), The collection 6 MODIS active fire
 *        detection algorithm and fire products, Remote Sens. Environ. 178:31–41.
 *  [GUG] Giglio (2010), MODIS Collection 5 Active Fire Product User's Guide v2.4,
 *        University of Maryland (pixel size against scan angle, §6).
 *  [S14] Schroeder, Oliva, Giglio & Csiszar (2014), The new VIIRS 375 m active fire
 *        detection data product, Remote Sens. Environ. 143:85–96.
 *  [ATBD] Schroeder & Giglio (2016), VIIRS 375 m Active Fire Detection and
 *        Characterization Algorithm Theoretical Basis Document 1.0, NASA, December
 *        2016 (§2.3: the VNP14IMG rules as coded).
 *  [W03] Wooster, Zhukov & Oertel (2003), Fire radiative energy for quantitative
 *        study of biomass burning, Remote Sens. Environ. 86:83–107 (MIR method).
 *  [K98] Kaufman et al. (1998), Potential global fire monitoring from EOS-MODIS,
 *        J. Geophys. Res. 103:32215–32238 (the C5 FRP formula).
 *  [W13] Wolfe et al. (2013), Suomi NPP VIIRS prelaunch and on-orbit geometric
 *        calibration and characterization, J. Geophys. Res. Atmos. 118:11508 (I-band
 *        along-scan aggregation 3:2:1).
 *  [C23] Chen et al. (2023), A new Himawari-8 fire product for China, Earth Syst.
 *        Sci. Data 15:1911 (NSMC dynamic thresholds); the FY-4A AGRI constants
 *        are those of ../shared/ref/active-fire.md ("China operational practice").
 *
 * Cost. Pixels are classified once (invalid / water / cloud / clear land /
 * background fire, plus a potential-fire flag). Background statistics come from
 * summed-area tables of the valid count, ΣT4, ΣT11 and the background-fire
 * count, so growing the window and taking the means costs O(1) per window size
 * whatever the side. ΣΔT is not stored: the sums are exact integers (T in units
 * of 1/4096 K), so ΣΔT = ΣT4 − ΣT11 holds exactly. The tables are built per strip
 * of 64 rows (plus the window half-width above and below) and only for strips
 * that hold a candidate, so memory stays O(width) per thread. Mean absolute
 * deviations are not linear and need one pass over the final window, done only
 * for candidates that pass the tests that need means alone ((3) and T4 above the
 * mean are necessary for any contextual fire): the scene costs O(N) + O(k·w²)
 * for k such candidates and final window side w.
 *
 * Choices that the papers leave open, or that we had to make:
 *  - MODIS: the centre pixel and its two along-scan neighbours (same row) are
 *    kept out of the background, as in the MOD14 code; a 3×3 window therefore
 *    never holds 8 valid pixels and the search effectively starts at 5×5. VIIRS
 *    and geostationary profiles exclude the centre only. The 25 % rule is taken
 *    over the in-image part of the window less the excluded pixels.
 *  - A pixel passing the absolute test (1) or at MIR saturation is a fire even
 *    without a usable background ([S14] calls these fixed tests "no context
 *    needed"); its FRP and confidence then use what background exists. A
 *    candidate without usable background that passes no fixed test is
 *    FG_MASK_UNKNOWN ([G03] §2.2.5).
 *  - Water and cloud pixels are never tested for fire (no gas flares at sea).
 *  - Sun glint: without azimuths the glint angle θg cannot be computed, only its
 *    lower bound |θs − θv| (reached when the relative azimuth is 180°). A pixel is
 *    rejected as glint when that bound is below 8° and the pixel is bright
 *    (ρ0.65 > 0.1 and ρ0.86 > 0.2, [G03] test of §2.2.7 without its ρ2.1 term,
 *    which no band of ours carries), or below 12° with adjacent water and the
 *    same brightness. The unconditional θg < 2° test cannot be applied with a
 *    lower bound alone and is not.
 *  - Desert boundary ([G03] §2.2.7, MODIS only, day, needs ρ0.86): rejected when
 *    the background fires number more than 10 % of the valid background and at
 *    least 4, ρ0.86 > 0.15, their mean T4 < 345 K, δ4′ < 3 K and T4 < their mean
 *    + 6δ4′.
 *  - No coastal false-alarm rejection (needs a land/sea mask at finer scale).
 *  - VIIRS candidates ([S14] §2.2, [ATBD] §2.3): day BT4 > BT4S AND ΔT > 25 K,
 *    night BT4 > 295 K AND ΔT > 10 K (../shared/ref/active-fire.md says "or", which
 *    is not the published rule: on the warm afternoon A2023242.1100 the "or" let 22
 *    cloud-contaminated pixels with BT4 295–316 K through on ΔT alone, reflected
 *    sunlight at 3.7 µm raising BT4 over a cold BT5). BT4S = min(330, max(325,
 *    M + 25)), M the median BT4 over the clear land pixels (not background fires)
 *    of a 504×504 window on a grid of 24×24 tiles (21×21 tiles ≈ the 501×501 of
 *    [S14]), 330 K with fewer than 10 such pixels; M is read from 0.1 K histograms
 *    over [300, 305) only, which is all the clamp needs.
 *  - A supplied cloud mask (e.g. NASA's MVCM) is trusted for the background and for
 *    the adjacent-cloud counts, but it does not veto a pixel that the band cloud
 *    tests call clear and that passes the candidate screen: such a pixel is tested
 *    like any other (see classify; [G03] §2.2.2 on why MOD14 keeps its own cloud
 *    tests). Masked pixels are never background fires either, so they do not enter
 *    δ4′. A masked candidate that is not a fire keeps the mask class "cloud".
 *  - Without ρ0.86 the cloud tests on ρ0.65 + ρ0.86 use ρ0.65 alone, a lower bound
 *    (see band_cloud).
 *  - VIIRS low confidence ([S14] §2.2.5): a daytime fire pixel less than 15 K
 *    above its background with no potential or background-fire neighbour gets a
 *    confidence of at most 29.
 *  - Pixel area off nadir: the MODIS scan geometry of [GUG] (sphere of radius
 *    6378.137 km, orbit height h), along scan S ∝ Re(cosθ/√((Re/r)² − sin²θ) − 1)
 *    and along track T ∝ r(cosθ − √((Re/r)² − sin²θ)), r = Re + h, with the scan
 *    angle θ from the view zenith by sinθ = (Re/r)·sin θv. Heights 705 km (Terra/
 *    Aqua), 824 km (S-NPP), 35786 km (geostationary). VIIRS I-band along-scan
 *    size also drops by the on-board aggregation 3:2:1 at |θ| 31.59°/44.68° [W13].
 *    With the sample number instead of the view zenith this reproduces the
 *    official MOD14 FP_power to 1e-4 (scripts/eval_mod14.c).
 */
#include "detect/detect.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* ------------------------------------------------------- profile constants */

/* [S14] cloud tests with a second TIR limit the params do not carry. */
#define VIIRS_CLOUD_BRIGHT_T11 295.0f /* (ρ1 + ρ2 > 0.9 and BT5 < 295) */
#define VIIRS_CLOUD_NIGHT_T4 295.0f   /* night: BT5 < 265 and BT4 < 295 */
/* FY-4A AGRI absolute test: T4 > 340 and T4 − T4bg > 12 and ΔT > 15 and ρvis < 0.5. */
#define GEO_ABS_T4_OVER_BG 12.0f
#define GEO_ABS_DT 15.0f
#define GEO_ABS_VIS_MAX 0.5f

int fg_thermal_params_default(fg_thermal_params *p, fg_sensor_profile profile)
{
    if (!p)
        return FG_EINVAL;
    fg_thermal_params q;
    memset(&q, 0, sizeof q);
    q.profile = profile;
    /* Plausible brightness temperatures: outside is fill (0, −999, 65535 counts,
     * 10000 K ...), never fire, never background. MODIS band 21 saturates near
     * 500 K, so 700 K leaves room for saturated and simulated pixels. */
    q.t4_min = 150.0f;
    q.t4_max = 700.0f;
    q.t11_min = 150.0f;
    q.t11_max = 400.0f;
    q.day_max_sza = 85.0; /* [G03] §2.2: day when the solar zenith is below 85° */
    /* Cloud, [G03] §2.2.2: (ρ0.65 + ρ0.86 > 0.9) or T12 < 265 or (ρ0.65 + ρ0.86 > 0.7
     * and T12 < 285) by day, T12 < 265 by night. */
    q.cloud_t11_day = q.cloud_t11_night = 265.0f;
    q.cloud_vis_sum = 0.9f;
    q.cloud_vis_sum_warm = 0.7f;
    q.cloud_warm_t11 = 285.0f;
    q.t11_offset = 4.0f; /* test (5) */
    q.bgfire_mad = 5.0f; /* test (6) */
    /* Confidence ramp C1 = S(T4; 310, 360) day, S(T4; 305, 320) night: from the
     * potential-fire to the absolute threshold (see decide_impl). */
    q.conf_t4_day_lo = 310.0f;
    q.conf_t4_day_hi = 360.0f;
    q.conf_t4_night_lo = 305.0f;
    q.conf_t4_night_hi = 320.0f;
    switch (profile) {
    case FG_PROFILE_MODIS_1KM:
        q.mir_um = 3.959; /* bands 21/22 */
        q.tir_um = 11.03; /* band 31 */
        q.wooster_a = 3.0e-9; /* [W03] published value (3.96 µm; our fit gives 2.94e-9) */
        q.pixel_km2 = 1.0;
        q.win_min = 3; /* [G03] §2.2.5: 3×3 growing to 21×21, ≥ 25 % and ≥ 8 valid */
        q.win_max = 21;
        q.min_valid_frac = 0.25;
        q.min_valid = 8;
        q.t4_saturation = 0.0f; /* band 21 (~500 K) stands in for a saturated band 22 */
        /* Potential fire, [G03] §2.2.3 / [G16] */
        q.pot_t4_day = 310.0f;
        q.pot_dt_day = 10.0f;
        q.pot_t4_night = 305.0f;
        q.pot_dt_night = 10.0f;
        q.pot_nir_max = 0.3f;
        /* Absolute test (1), [G03] §2.2.4 */
        q.abs_t4_day = 360.0f;
        q.abs_t4_night = 320.0f;
        /* Background fires, [G03] §2.2.5 */
        q.bg_t4_day = 325.0f;
        q.bg_dt_day = 20.0f;
        q.bg_t4_night = 310.0f;
        q.bg_dt_night = 10.0f;
        /* Contextual tests (2)–(4), [G03] §2.2.6 (kept in C6 [G16]); the night
         * tests use the same constants. */
        q.k_dt_day = q.k_dt_night = 3.5f;
        q.dt_abs_day = q.dt_abs_night = 6.0f;
        q.k_t4_day = q.k_t4_night = 3.0f;
        q.reject_glint = 1;
        q.reject_desert = 1;
        break;
    case FG_PROFILE_VIIRS_375M:
        q.mir_um = 3.74; /* I4 */
        q.tir_um = 11.45; /* I5 */
        q.wooster_a = 3.24e-9; /* fit of L = aT⁴ over 650–1350 K at 3.74 µm (ref table) */
        q.pixel_km2 = 0.140625; /* 375 m × 375 m at nadir */
        q.win_min = 11; /* [S14] §2.2.4: 11×11 growing to 31×31, ≥ 25 % or ≥ 10 valid */
        q.win_max = 31;
        q.min_valid_frac = 0.25;
        q.min_valid = 10;
        q.t4_saturation = 367.0f; /* I4 saturation [S14] §2.1 */
        /* Candidates [S14], [ATBD]: day BT4 > BT4S (325–330, median-adjusted) and
         * ΔT > 25; night BT4 > 295 and ΔT > 10. */
        q.pot_t4_day = 325.0f;
        q.pot_dt_day = 25.0f;
        q.pot_t4_night = 295.0f;
        q.pot_dt_night = 10.0f;
        q.pot_nir_max = 0.0f; /* no ρ0.86 screen in [S14] */
        q.abs_t4_day = 0.0f;  /* no daytime fixed threshold below saturation */
        q.abs_t4_night = 320.0f;
        q.bg_t4_day = 335.0f;
        q.bg_dt_day = 30.0f;
        q.bg_t4_night = 300.0f;
        q.bg_dt_night = 10.0f;
        q.k_dt_day = 2.0f;
        q.dt_abs_day = 10.0f;
        q.k_t4_day = 3.5f;
        q.k_dt_night = 3.0f;
        q.dt_abs_night = 9.0f;
        q.k_t4_night = 3.0f;
        q.reject_glint = 1;
        break;
    case FG_PROFILE_GEO_2KM:
        /* Himawari AHI B07/B14 centres; FY-4 AGRI (3.72 µm, a = 3.27e-9) and GOES
         * ABI come from the sensor profiles in models/. */
        q.mir_um = 3.9;
        q.tir_um = 11.2;
        q.wooster_a = 3.04e-9;
        q.pixel_km2 = 4.0; /* 2 km × 2 km at the sub-satellite point */
        q.win_min = 3;
        q.win_max = 21;
        q.min_valid_frac = 0.15; /* FY-4A AGRI: background ≥ 15 % and ≥ 8 valid */
        q.min_valid = 8;
        q.t4_saturation = 400.0f; /* AHI B07 / ABI C07 saturate near 400–411 K */
        /* Potential fires: our choice, the MODIS daytime screen and a night screen
         * a little below it for the 4–16 km² pixels of mid latitudes. */
        q.pot_t4_day = 310.0f;
        q.pot_dt_day = 10.0f;
        q.pot_t4_night = 300.0f;
        q.pot_dt_night = 8.0f;
        q.pot_nir_max = 0.0f;
        /* AGRI absolute test T4 > 340 K (plus the background terms in decide). */
        q.abs_t4_day = q.abs_t4_night = 340.0f;
        q.bg_t4_day = 325.0f;
        q.bg_dt_day = 20.0f;
        q.bg_t4_night = 310.0f;
        q.bg_dt_night = 10.0f;
        /* AGRI main test T4 − T4bg > k·δ4*, ΔT − ΔTbg > k·δ45*, k ≈ 2.5–3 with the
         * deviations clamped to ≥ 2 K: we take k = 3 day and night (the GOES night
         * scene must stay clean) and keep the MODIS ΔT margin of 6 K. */
        q.k_dt_day = q.k_dt_night = 3.0f;
        q.k_t4_day = q.k_t4_night = 3.0f;
        q.dt_abs_day = q.dt_abs_night = 6.0f;
        q.min_mad = 2.0f;
        q.reject_glint = 1;
        break;
    default:
        return FG_EINVAL;
    }
    *p = q;
    return FG_OK;
}

/* ----------------------------------------------------------------- FRP */

#define SIGMA_SB 5.670374419e-8 /* W m⁻² K⁻⁴ */
#define FG_PI 3.14159265358979323846

double fg_frp_mir(const fg_thermal_params *p, double t4, double mean_t4, double area_km2)
{
    /* [W03] eq. 8: FRP = A·σ/a·(L4 − L4bg). With A in km² (1e6 m²) and FRP in MW
     * (1e6 W) the factors of 1e6 cancel. */
    if (!p || !(p->wooster_a > 0.0) || !(p->mir_um > 0.0))
        return NAN;
    double l4 = fg_planck_radiance(p->mir_um, t4);
    double lb = fg_planck_radiance(p->mir_um, mean_t4);
    return area_km2 * SIGMA_SB / p->wooster_a * (l4 - lb);
}

double fg_frp_c5(double t4, double mean_t4, double area_km2)
{
    /* [K98] / MOD14 C5: FRP [MW] = 4.34e-19 (T4⁸ − T̄4⁸) A [km²]. */
    double a2 = t4 * t4, a4 = a2 * a2, b2 = mean_t4 * mean_t4, b4 = b2 * b2;
    return 4.34e-19 * (a4 * a4 - b4 * b4) * area_km2;
}

/* ------------------------------------------------------------ decision */

/* Linear confidence ramp S(x; a, b) of [G03] §2.2.8: 0 below a, 1 above b. */
static double ramp(double x, double a, double b)
{
    if (isnan(x) || x <= a)
        return 0.0;
    if (x >= b)
        return 1.0;
    return (x - a) / (b - a);
}

/* z-score against a mean absolute deviation; a zero MAD makes any excess infinite. */
static double zscore(double x, double mean, double mad)
{
    double d = x - mean;
    if (mad > 0.0)
        return d / mad;
    return d > 0.0 ? INFINITY : d < 0.0 ? -INFINITY : 0.0;
}

static double floor_mad(const fg_thermal_params *p, double mad)
{
    return p->min_mad > 0.0f && !(mad >= p->min_mad) ? p->min_mad : mad;
}

/* Potential-fire (candidate) screen: T4 above a threshold AND ΔT above another.
 * bt4s is the daytime T4 threshold (VIIRS: the median-adjusted BT4S; others
 * pot_t4_day); nir is ρ0.86 or NaN. */
static int potential_test(const fg_thermal_params *p, int day, double t4, double t11, double bt4s,
                          double nir)
{
    double dt = t4 - t11;
    /* MOD14 [G03] §2.2.3 and VIIRS [S14] §2.2 / [ATBD] §2.3 alike: both conditions. */
    if (day) {
        if (p->pot_nir_max > 0.0f && nir >= p->pot_nir_max) /* NaN (no band) passes */
            return 0;
        return t4 > bt4s && dt > p->pot_dt_day;
    }
    return t4 > p->pot_t4_night && dt > p->pot_dt_night;
}

/* The decision of fg_thermal_decide with what the detector knows besides the
 * record: whether the background qualified (have_bg), the daytime potential
 * threshold and the red/NIR reflectances (NaN when absent). */
static unsigned decide_impl(const fg_thermal_params *p, const fg_thermal_context *c, int have_bg,
                            double bt4s, double nir, double red, int *is_fire, int *confidence)
{
    double t4 = c->t4, t11 = c->t11, dt = t4 - t11;
    int day = c->is_day != 0;
    unsigned tests = 0;
    int fire = 0;
    if (p->t4_saturation > 0.0f && t4 >= p->t4_saturation) {
        tests |= FG_TEST_SATURATED | FG_TEST_POTENTIAL;
        fire = 1;
    }
    if (!fire && !potential_test(p, day, t4, t11, bt4s, nir)) {
        if (is_fire)
            *is_fire = 0;
        if (confidence)
            *confidence = 0;
        return tests;
    }
    tests |= FG_TEST_POTENTIAL;

    /* Test (1), absolute threshold [G03] §2.2.4 ([S14] night fixed test). */
    double t_abs = day ? p->abs_t4_day : p->abs_t4_night;
    if (t_abs > 0.0 && t4 > t_abs) {
        int ok = 1;
        if (p->profile == FG_PROFILE_GEO_2KM) /* AGRI absolute test needs the background */
            ok = have_bg && t4 - c->mean_t4 > GEO_ABS_T4_OVER_BG && dt > GEO_ABS_DT &&
                 !(red >= GEO_ABS_VIS_MAX);
        if (ok) {
            tests |= FG_TEST_ABSOLUTE;
            fire = 1;
        }
    }

    double d4 = floor_mad(p, c->mad_t4), d11 = floor_mad(p, c->mad_t11), ddt = floor_mad(p, c->mad_dt);
    if (have_bg) {
        /* Contextual tests (2)–(6), [G03] §2.2.6; VIIRS constants [S14] §2.2.4. */
        double k_dt = day ? p->k_dt_day : p->k_dt_night;
        double dt_abs = day ? p->dt_abs_day : p->dt_abs_night;
        double k_t4 = day ? p->k_t4_day : p->k_t4_night;
        if (dt > c->mean_dt + k_dt * ddt)
            tests |= FG_TEST_CTX_DT_MAD;
        if (dt > c->mean_dt + dt_abs)
            tests |= FG_TEST_CTX_DT_ABS;
        if (t4 > c->mean_t4 + k_t4 * d4)
            tests |= FG_TEST_CTX_T4;
        if (t11 > c->mean_t11 + d11 - p->t11_offset)
            tests |= FG_TEST_CTX_T11;
        if (c->n_bgfire > 0 && c->mad_t4_bgfire > p->bgfire_mad)
            tests |= FG_TEST_CTX_BGFIRE;
        const unsigned ctx3 = FG_TEST_CTX_DT_MAD | FG_TEST_CTX_DT_ABS | FG_TEST_CTX_T4;
        /* Day fire = (2)∧(3)∧(4)∧((5)∨(6)); night fire = (2)∧(3)∧(4). */
        if ((tests & ctx3) == ctx3 && (!day || (tests & (FG_TEST_CTX_T11 | FG_TEST_CTX_BGFIRE))))
            fire = 1;
    }

    int conf = 0;
    if (fire) {
        if (tests & FG_TEST_SATURATED) {
            conf = 100;
        } else {
            /* Confidence [G03] §2.2.8: geometric mean of C1 = S(T4; potential,
             * absolute threshold), C2 = S(z4; k_t4, 6), C3 = S(zΔT; k_dt, 6) and by
             * day C4 = 1 − S(adjacent cloud; 0, 6), C5 = 1 − S(adjacent water; 0, 6).
             * Each ramp starts where its test starts to pass (z4 = 3, zΔT = 3.5 for
             * MODIS by day) and C1 ends at the absolute threshold (360 K); with these
             * bounds and truncation to an integer the 193 official MOD14 records of
             * ../shared/data/modis-mod14-official are reproduced to a mean of 0.08
             * and a maximum of 5 points (the bounds 340 K, 2.5 and 3 quoted in the
             * shared reference give 10 points too many: scripts/eval_mod14.c).
             * Without a background C2, C3 are undefined and left out. */
            double k_dt = day ? p->k_dt_day : p->k_dt_night, k_t4 = day ? p->k_t4_day : p->k_t4_night;
            double prod = day ? ramp(t4, p->conf_t4_day_lo, p->conf_t4_day_hi)
                              : ramp(t4, p->conf_t4_night_lo, p->conf_t4_night_hi);
            int nterm = 1;
            if (have_bg) {
                prod *= ramp(zscore(t4, c->mean_t4, d4), k_t4, 6.0);
                prod *= ramp(zscore(dt, c->mean_dt, ddt), k_dt, 6.0);
                nterm += 2;
            }
            if (day) {
                prod *= 1.0 - ramp(c->adj_cloud, 0.0, 6.0);
                prod *= 1.0 - ramp(c->adj_water, 0.0, 6.0);
                nterm += 2;
            }
            conf = (int)floor(100.0 * pow(prod, 1.0 / nterm) + 1e-9);
        }
    }
    if (is_fire)
        *is_fire = fire;
    if (confidence)
        *confidence = conf;
    return tests;
}

unsigned fg_thermal_decide(const fg_thermal_params *p, const fg_thermal_context *c, int *is_fire,
                           int *confidence)
{
    if (!p || !c) {
        if (is_fire)
            *is_fire = 0;
        if (confidence)
            *confidence = 0;
        return 0;
    }
    int have_bg = c->n_valid >= (p->min_valid > 1 ? p->min_valid : 1) && isfinite(c->mean_t4) &&
                  isfinite(c->mean_t11) && isfinite(c->mean_dt);
    return decide_impl(p, c, have_bg, p->pot_t4_day, NAN, NAN, is_fire, confidence);
}

/* ------------------------------------------------------- pixel geometry */

/* Pixel area relative to nadir at view zenith vza_deg, [GUG] §6 and [W13]. */
static double area_factor(const fg_thermal_params *p, double vza_deg)
{
    if (!isfinite(vza_deg))
        return 1.0;
    double h = p->profile == FG_PROFILE_VIIRS_375M ? 824.0
             : p->profile == FG_PROFILE_GEO_2KM   ? 35786.0
                                                  : 705.0;
    const double re = 6378.137;
    double r = re + h;
    double v = fabs(vza_deg);
    if (v > 85.0)
        v = 85.0;
    double sth = re / r * sin(v * FG_PI / 180.0); /* scan angle from view zenith */
    double cth = sqrt(1.0 - sth * sth);
    double q = sqrt((re / r) * (re / r) - sth * sth);
    double fs = re / h * (cth / q - 1.0);
    double ft = r / h * (cth - q);
    if (p->profile == FG_PROFILE_VIIRS_375M) {
        double th = asin(sth) * 180.0 / FG_PI;
        fs *= (th < 31.59 ? 3.0 : th < 44.68 ? 2.0 : 1.0) / 3.0;
    }
    double f = fs * ft;
    return f > 0.0 && isfinite(f) ? f : 1.0;
}

/* --------------------------------------------------------- pixel classes */

/* Low three bits of the class byte. */
enum { CL_NP = 0, CL_LAND = 1, CL_WATER = 2, CL_CLOUD = 3, CL_BGFIRE = 4 };
#define CL_BASE 7u
#define CL_DAY 8u
#define CL_POT 16u
#define CL_MCLEAR 32u /* cloud by the supplied mask, clear by the band tests */

/* Everything the workers read; shared read-only. */
typedef struct view {
    const fg_thermal_input *in;
    const fg_thermal_params *p;
    int w, h;
    unsigned char *cls;
    const float *bt4s_tile; /* VIIRS: per-tile BT4s, NULL otherwise */
    int tiles_x;
} view;

static float px_f32(const fg_raster *r, int row, int col)
{
    return r ? FG_F32_AT(r, row, col) : NAN;
}

static int px_u8(const fg_raster *r, int row, int col)
{
    return ((const unsigned char *)r->data)[(size_t)row * r->stride + (size_t)col];
}

/* The band cloud tests, [G03] §2.2.2 and [S14] §2.2 / [ATBD] §2.3.1. vis is
 * ρ0.65 + ρ0.86. Without a 0.86 µm band (the Belarus I-band stacks carry I1 and I3
 * but no I2) ρ0.65 alone is used: reflectances are ≥ 0, so ρ0.65 is a lower bound of
 * the sum and a pixel whose ρ0.65 alone exceeds a threshold passes the published test
 * whatever ρ0.86 is; the test can only miss cloud, never invent it. */
static int band_cloud(const fg_thermal_params *p, const fg_thermal_input *in, int r, int c, int day,
                      float t4, float t11)
{
    float t12 = px_f32(in->tir2, r, c);
    /* MOD14 tests T12 where there is a 12 µm band; VIIRS tests BT5 (11.45 µm). */
    float tc = (p->profile != FG_PROFILE_VIIRS_375M && t12 >= p->t11_min && t12 <= p->t11_max)
                   ? t12 : t11;
    float red = px_f32(in->red, r, c), nir = px_f32(in->nir, r, c);
    float vis = in->nir ? red + nir : red; /* NaN (no band): those tests fail */
    if (p->profile == FG_PROFILE_VIIRS_375M)
        return day ? (tc < p->cloud_t11_day || (vis > p->cloud_vis_sum && tc < VIIRS_CLOUD_BRIGHT_T11) ||
                      (vis > p->cloud_vis_sum_warm && tc < p->cloud_warm_t11))
                   : (tc < p->cloud_t11_night && t4 < VIIRS_CLOUD_NIGHT_T4);
    return day ? (vis > p->cloud_vis_sum || tc < p->cloud_t11_day ||
                  (vis > p->cloud_vis_sum_warm && tc < p->cloud_warm_t11))
               : tc < p->cloud_t11_night;
}

/* Base class and day flag of one pixel (plus CL_MCLEAR, see classify). */
static unsigned classify(const view *v, int r, int c)
{
    const fg_thermal_input *in = v->in;
    const fg_thermal_params *p = v->p;
    float t4 = FG_F32_AT(in->mir, r, c), t11 = FG_F32_AT(in->tir, r, c);
    /* Written so that NaN fails and lands in "not processed". */
    if (!(t4 >= p->t4_min && t4 <= p->t4_max && t11 >= p->t11_min && t11 <= p->t11_max))
        return CL_NP;
    int day;
    if (in->is_day >= 0) {
        day = in->is_day != 0;
    } else {
        float sza = FG_F32_AT(in->solar_zenith, r, c);
        if (!(sza >= -0.5f && sza <= 180.5f))
            return CL_NP;
        day = sza < p->day_max_sza;
    }
    unsigned dflag = day ? CL_DAY : 0u;
    float red = px_f32(in->red, r, c), nir = px_f32(in->nir, r, c), sw1 = px_f32(in->swir1, r, c);
    /* A supplied water mask wins; the reflectance water rule comes after the cloud
     * tests, since bright cloud can show ρ0.64 > ρ0.86 > ρ1.6 too. */
    if (in->water && px_u8(in->water, r, c))
        return CL_WATER | dflag;
    /* Cloud. Without a supplied mask: the band tests. With one, the mask replaces the
     * band tests for the pixels it calls clear, and a pixel it calls cloud is cloud for
     * everything else's sake (never background, counted among adjacent clouds) but is
     * still screened for fire when its own bands look clear (CL_MCLEAR): external cloud
     * masks classify hot fire pixels as cloud, which is one reason MOD14 runs its own
     * cloud tests rather than the MODIS cloud mask ([G03] §2.2.2), and NASA's MVCM flags
     * the industrial sites of ../shared/data/viirs-belarus as cloud on A2023241.0936. */
    if (in->cloud) {
        if (px_u8(in->cloud, r, c))
            return CL_CLOUD | dflag | (band_cloud(p, in, r, c, day, t4, t11) ? 0u : CL_MCLEAR);
    } else if (band_cloud(p, in, r, c, day, t4, t11)) {
        return CL_CLOUD | dflag;
    }
    /* Water without a mask: the [S14] daytime rule ρ0.64 > ρ0.86 > ρ1.6 (NaN fails). */
    if (!in->water && day && red > nir && nir > sw1)
        return CL_WATER | dflag;
    /* Background fires, [G03] §2.2.5 / [S14]: out of the background, into δ4′. */
    float dt = t4 - t11;
    if (day ? (t4 > p->bg_t4_day && dt > p->bg_dt_day) : (t4 > p->bg_t4_night && dt > p->bg_dt_night))
        return CL_BGFIRE | dflag;
    return CL_LAND | dflag;
}

/* ------------------------------------------- VIIRS BT4S (median of BT4) */

/* [S14] §2.2 / [ATBD] §2.3: BT4S = min(330, BT4M), BT4M = max(325, M + 25), M the
 * median BT4 of the valid (clear land, not background-fire) pixels of a 501×501
 * window; BT4S = 330 K when fewer than 10 such pixels. BT4S therefore follows the
 * median only for M in [300, 305) K: a warm afternoon (M ≥ 305 K) raises the
 * candidate threshold to 330 K. */
#define VIIRS_BT4S_OFFSET 25.0f /* M + 25 */
#define VIIRS_BT4S_MAX 330.0f
#define VIIRS_BT4S_MIN_VALID 10
#define MED_TILE 24  /* tile side (pixels) */
#define MED_REACH 10 /* tiles each side: 21 × 24 = 504 ≈ 501 pixels */
#define MED_NB 52    /* < lo | 50 bins of 0.1 K over [lo, lo + 5) | ≥ lo + 5; lo = 325 − 25 */

static int med_bin(float t4, float lo)
{
    if (t4 < lo)
        return 0;
    if (t4 >= lo + 5.0f)
        return MED_NB - 1;
    int b = 1 + (int)((t4 - lo) * 10.0f);
    return b > MED_NB - 2 ? MED_NB - 2 : b;
}

/* Per-tile BT4S over the clear land pixels of the tiles within MED_REACH. Only the
 * 5 K of medians the clamp leaves open are resolved (0.1 K bins). Histograms are
 * integers, so the result does not depend on the thread count. */
static int viirs_bt4s(view *v, int nt, float **out)
{
#ifndef _OPENMP
    (void)nt;
#endif
    const float tmin = v->p->pot_t4_day, lo = tmin - VIIRS_BT4S_OFFSET;
    const float tmax = VIIRS_BT4S_MAX > tmin ? VIIRS_BT4S_MAX : tmin;
    int tx = (v->w + MED_TILE - 1) / MED_TILE, ty = (v->h + MED_TILE - 1) / MED_TILE;
    size_t nsat = (size_t)(tx + 1) * (size_t)(ty + 1) * MED_NB;
    int32_t *sat = fg_calloc(nsat, sizeof *sat);
    float *bt4s = fg_malloc((size_t)tx * (size_t)ty * sizeof *bt4s);
    if (!sat || !bt4s) {
        fg_free(sat);
        fg_free(bt4s);
        return FG_ENOMEM;
    }
#define SATH(i, j, b) sat[(((size_t)(i) * (size_t)(tx + 1)) + (size_t)(j)) * MED_NB + (size_t)(b)]
    /* tile histograms into SATH(i+1, j+1, ·); each tile row is one iteration */
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static)
#endif
    for (int i = 0; i < ty; i++) {
        for (int r = i * MED_TILE; r < (i + 1) * MED_TILE && r < v->h; r++)
            for (int c = 0; c < v->w; c++)
                if ((v->cls[(size_t)r * v->w + c] & CL_BASE) == CL_LAND)
                    SATH(i + 1, c / MED_TILE + 1, med_bin(FG_F32_AT(v->in->mir, r, c), lo))++;
    }
    /* 2-D prefix sums over the tile grid, per bin */
    for (int i = 1; i <= ty; i++)
        for (int j = 1; j <= tx; j++)
            for (int b = 0; b < MED_NB; b++)
                SATH(i, j, b) += SATH(i - 1, j, b) + SATH(i, j - 1, b) - SATH(i - 1, j - 1, b);
    for (int i = 0; i < ty; i++)
        for (int j = 0; j < tx; j++) {
            int i0 = i - MED_REACH < 0 ? 0 : i - MED_REACH, i1 = i + MED_REACH + 1 > ty ? ty : i + MED_REACH + 1;
            int j0 = j - MED_REACH < 0 ? 0 : j - MED_REACH, j1 = j + MED_REACH + 1 > tx ? tx : j + MED_REACH + 1;
            int32_t cnt[MED_NB];
            int64_t total = 0;
            for (int b = 0; b < MED_NB; b++) {
                cnt[b] = SATH(i1, j1, b) - SATH(i0, j1, b) - SATH(i1, j0, b) + SATH(i0, j0, b);
                total += cnt[b];
            }
            float m = tmax;
            if (total >= VIIRS_BT4S_MIN_VALID) {
                int64_t want = (total + 1) / 2, run = 0; /* lower median */
                int b = 0;
                while (b < MED_NB - 1 && run + cnt[b] < want)
                    run += cnt[b++];
                float med = b == 0 ? lo : b == MED_NB - 1 ? lo + 5.0f : lo + 0.1f * (float)(b - 1) + 0.05f;
                m = med + VIIRS_BT4S_OFFSET;
                m = m < tmin ? tmin : m > tmax ? tmax : m;
            }
            bt4s[(size_t)i * tx + j] = m;
        }
#undef SATH
    fg_free(sat);
    *out = bt4s;
    v->tiles_x = tx;
    return FG_OK;
}

static double pixel_bt4s(const view *v, int r, int c, int day)
{
    if (!day)
        return v->p->pot_t4_day;
    if (v->bt4s_tile)
        return v->bt4s_tile[(size_t)(r / MED_TILE) * v->tiles_x + (size_t)(c / MED_TILE)];
    return v->p->pot_t4_day;
}

/* ------------------------------------------------ strip summed-area tables */

#define STRIP_ROWS 64
#define TQ 4096.0 /* fixed point: 1/4096 K */

/* Tables over rows [ra, rb) of the image, (rb − ra + 1) × (w + 1) entries each. */
typedef struct strip_sat {
    int ra, rb, w;
    int32_t *n, *nbg;   /* valid background count, background-fire count */
    int64_t *s4, *s11;  /* ΣT4, ΣT11 of the valid background, in 1/4096 K */
} strip_sat;

static int64_t tq(float t)
{
    return (int64_t)((double)t * TQ + 0.5);
}

static void sat_build(strip_sat *s, const view *v, int ra, int rb)
{
    size_t W = (size_t)v->w + 1;
    s->ra = ra;
    s->rb = rb;
    s->w = v->w;
    memset(s->n, 0, W * sizeof *s->n);
    memset(s->nbg, 0, W * sizeof *s->nbg);
    memset(s->s4, 0, W * sizeof *s->s4);
    memset(s->s11, 0, W * sizeof *s->s11);
    for (int r = ra; r < rb; r++) {
        size_t o = (size_t)(r - ra + 1) * W, u = o - W;
        int32_t rn = 0, rbg = 0;
        int64_t r4 = 0, r11 = 0;
        s->n[o] = s->nbg[o] = 0;
        s->s4[o] = s->s11[o] = 0;
        const unsigned char *cl = v->cls + (size_t)r * v->w;
        for (int c = 0; c < v->w; c++) {
            unsigned k = cl[c] & CL_BASE;
            if (k == CL_LAND) {
                rn++;
                r4 += tq(FG_F32_AT(v->in->mir, r, c));
                r11 += tq(FG_F32_AT(v->in->tir, r, c));
            } else if (k == CL_BGFIRE) {
                rbg++;
            }
            s->n[o + c + 1] = s->n[u + c + 1] + rn;
            s->nbg[o + c + 1] = s->nbg[u + c + 1] + rbg;
            s->s4[o + c + 1] = s->s4[u + c + 1] + r4;
            s->s11[o + c + 1] = s->s11[u + c + 1] + r11;
        }
    }
}

typedef struct win_sums {
    int64_t n, nbg, s4, s11;
    int64_t inside; /* in-image pixels of the window less the excluded ones */
} win_sums;

/* Sums over the rectangle rows r0..r1, cols c0..c1 (inclusive, clipped). */
static void sat_rect(const strip_sat *s, int r0, int c0, int r1, int c1, win_sums *o)
{
    size_t W = (size_t)s->w + 1;
    size_t a = (size_t)(r0 - s->ra) * W + (size_t)c0, b = (size_t)(r0 - s->ra) * W + (size_t)c1 + 1;
    size_t cc = (size_t)(r1 - s->ra + 1) * W + (size_t)c0, d = (size_t)(r1 - s->ra + 1) * W + (size_t)c1 + 1;
    o->n = (int64_t)s->n[d] - s->n[b] - s->n[cc] + s->n[a];
    o->nbg = (int64_t)s->nbg[d] - s->nbg[b] - s->nbg[cc] + s->nbg[a];
    o->s4 = s->s4[d] - s->s4[b] - s->s4[cc] + s->s4[a];
    o->s11 = s->s11[d] - s->s11[b] - s->s11[cc] + s->s11[a];
    o->inside = (int64_t)(r1 - r0 + 1) * (c1 - c0 + 1);
}

/* Pixels kept out of a pixel's own background: the centre, and for MODIS its two
 * along-scan neighbours. */
static int excluded(const view *v, int r, int c, int i, int j)
{
    if (i != r)
        return 0;
    if (j == c)
        return 1;
    return v->p->profile == FG_PROFILE_MODIS_1KM && (j == c - 1 || j == c + 1);
}

static void window_sums(const view *v, const strip_sat *s, int r, int c, int side, win_sums *o,
                        int *r0, int *c0, int *r1, int *c1)
{
    int half = side / 2;
    *r0 = r - half < 0 ? 0 : r - half;
    *r1 = r + half >= v->h ? v->h - 1 : r + half;
    *c0 = c - half < 0 ? 0 : c - half;
    *c1 = c + half >= v->w ? v->w - 1 : c + half;
    sat_rect(s, *r0, *c0, *r1, *c1, o);
    /* take the excluded pixels back out */
    for (int j = c - 1; j <= c + 1; j++) {
        if (j < 0 || j >= v->w || !excluded(v, r, c, r, j))
            continue;
        o->inside--;
        unsigned k = v->cls[(size_t)r * v->w + j] & CL_BASE;
        if (k == CL_LAND) {
            o->n--;
            o->s4 -= tq(FG_F32_AT(v->in->mir, r, j));
            o->s11 -= tq(FG_F32_AT(v->in->tir, r, j));
        } else if (k == CL_BGFIRE) {
            o->nbg--;
        }
    }
}

/* [G03] §2.2.5: ≥ min_valid and ≥ min_valid_frac valid; [S14]: either suffices. */
static int bg_usable(const fg_thermal_params *p, int64_t n, int64_t inside)
{
    if (n <= 0)
        return 0;
    int enough = n >= p->min_valid, frac = (double)n >= p->min_valid_frac * (double)inside;
    return p->profile == FG_PROFILE_VIIRS_375M ? (enough || frac) : (enough && frac);
}

/* ------------------------------------------------------- one candidate */

typedef struct fire_list {
    fg_fire_pixel *v;
    size_t n, cap;
    int failed;
    char pad[64 - sizeof(void *) - 2 * sizeof(size_t) - sizeof(int)];
} fire_list;

static int list_push(fire_list *l, const fg_fire_pixel *fp)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        fg_fire_pixel *nv = fg_realloc(l->v, cap * sizeof *nv);
        if (!nv)
            return FG_ENOMEM;
        l->v = nv;
        l->cap = cap;
    }
    memcpy(&l->v[l->n++], fp, sizeof *fp); /* padding bytes too: runs compare bytes */
    return FG_OK;
}

/* Tests candidate (r, c) against its background; returns its mask class and fills
 * *fp when it is a fire. */
static unsigned char test_candidate(const view *v, const strip_sat *s, int r, int c, fg_fire_pixel *fp)
{
    const fg_thermal_params *p = v->p;
    const fg_thermal_input *in = v->in;
    unsigned cl = v->cls[(size_t)r * v->w + c];
    int day = (cl & CL_DAY) != 0;
    float t4 = FG_F32_AT(in->mir, r, c), t11 = FG_F32_AT(in->tir, r, c);
    double dt = (double)t4 - (double)t11;

    /* Grow the window until the background is usable; O(1) per size. */
    win_sums ws;
    int r0 = 0, c0 = 0, r1 = 0, c1 = 0, side, have_bg = 0;
    for (side = p->win_min; side <= p->win_max; side += 2) {
        window_sums(v, s, r, c, side, &ws, &r0, &c0, &r1, &c1);
        if (bg_usable(p, ws.n, ws.inside)) {
            have_bg = 1;
            break;
        }
    }
    if (!have_bg)
        side = p->win_max; /* window_sums left the largest window in ws */

    double m4 = NAN, m11 = NAN, mdt = NAN;
    if (ws.n > 0) {
        m4 = (double)ws.s4 / (TQ * (double)ws.n);
        m11 = (double)ws.s11 / (TQ * (double)ws.n);
        mdt = (double)(ws.s4 - ws.s11) / (TQ * (double)ws.n); /* ΣΔT = ΣT4 − ΣT11 exactly */
    }

    int fixed = (p->t4_saturation > 0.0f && t4 >= p->t4_saturation);
    double t_abs = day ? p->abs_t4_day : p->abs_t4_night;
    fixed |= t_abs > 0.0 && t4 > t_abs;
    if (!have_bg && !fixed)
        return FG_MASK_UNKNOWN;
    /* Tests (3) and T4 above the mean are necessary for a contextual fire; the
     * 0.01 K margin covers the float rounding of the context passed to decide. */
    if (!fixed) {
        double dt_abs = day ? p->dt_abs_day : p->dt_abs_night;
        if (!(dt > mdt + dt_abs - 0.01 && t4 > m4 - 0.01))
            return FG_MASK_LAND;
    }

    /* Mean absolute deviations over the final window (valid background), and the
     * mean and MAD of T4 over its background fires (δ4′). */
    double a4 = 0, a11 = 0, adt = 0, sbg = 0;
    int64_t nbg = 0;
    for (int i = r0; i <= r1; i++)
        for (int j = c0; j <= c1; j++) {
            if (excluded(v, r, c, i, j))
                continue;
            unsigned k = v->cls[(size_t)i * v->w + j] & CL_BASE;
            if (k == CL_LAND) {
                double x4 = FG_F32_AT(in->mir, i, j), x11 = FG_F32_AT(in->tir, i, j);
                a4 += fabs(x4 - m4);
                a11 += fabs(x11 - m11);
                adt += fabs((x4 - x11) - mdt);
            } else if (k == CL_BGFIRE) {
                sbg += FG_F32_AT(in->mir, i, j);
                nbg++;
            }
        }
    double mbg = nbg ? sbg / (double)nbg : NAN, abg = 0;
    if (nbg)
        for (int i = r0; i <= r1; i++)
            for (int j = c0; j <= c1; j++)
                if (!excluded(v, r, c, i, j) &&
                    (v->cls[(size_t)i * v->w + j] & CL_BASE) == CL_BGFIRE)
                    abg += fabs(FG_F32_AT(in->mir, i, j) - mbg);
    double d4 = ws.n ? a4 / (double)ws.n : NAN, d11 = ws.n ? a11 / (double)ws.n : NAN;
    double ddt = ws.n ? adt / (double)ws.n : NAN, d4bg = nbg ? abg / (double)nbg : NAN;

    /* Cloud and water among the 8 neighbours (confidence C4, C5; glint). */
    int adj_cloud = 0, adj_water = 0, adj_hot = 0;
    for (int i = r - 1; i <= r + 1; i++)
        for (int j = c - 1; j <= c + 1; j++) {
            if ((i == r && j == c) || i < 0 || j < 0 || i >= v->h || j >= v->w)
                continue;
            unsigned k = v->cls[(size_t)i * v->w + j];
            adj_cloud += (k & CL_BASE) == CL_CLOUD;
            adj_water += (k & CL_BASE) == CL_WATER;
            adj_hot += (k & CL_POT) || (k & CL_BASE) == CL_BGFIRE;
        }

    fg_thermal_context ctx = {
        .t4 = t4, .t11 = t11,
        .mean_t4 = (float)m4, .mean_t11 = (float)m11, .mean_dt = (float)mdt,
        .mad_t4 = (float)d4, .mad_t11 = (float)d11, .mad_dt = (float)ddt,
        .mad_t4_bgfire = (float)d4bg,
        .n_valid = (int)ws.n, .n_bgfire = (int)nbg,
        .adj_cloud = adj_cloud, .adj_water = adj_water, .is_day = day,
    };
    float red = px_f32(in->red, r, c), nir = px_f32(in->nir, r, c);
    int fire = 0, conf = 0;
    unsigned tests = decide_impl(p, &ctx, have_bg, pixel_bt4s(v, r, c, day), nir, red, &fire, &conf);
    if (!fire)
        return FG_MASK_LAND;

    if (day && !(tests & FG_TEST_SATURATED)) {
        /* Sun glint on the lower bound of the glint angle (see the file header). */
        if (p->reject_glint && in->solar_zenith && in->view_zenith && red > 0.1f && nir > 0.2f) {
            double gmin = fabs((double)FG_F32_AT(in->solar_zenith, r, c) -
                               (double)FG_F32_AT(in->view_zenith, r, c));
            if (gmin < 8.0 || (gmin < 12.0 && adj_water > 0))
                tests |= FG_TEST_REJ_GLINT;
        }
        /* Desert boundary, [G03] §2.2.7. */
        if (p->reject_desert && nbg >= 4 && (double)nbg > 0.1 * (double)ws.n && nir > 0.15f &&
            mbg < 345.0 && d4bg < 3.0 && t4 < mbg + 6.0 * d4bg)
            tests |= FG_TEST_REJ_DESERT;
        if (tests & (FG_TEST_REJ_GLINT | FG_TEST_REJ_DESERT))
            return FG_MASK_LAND;
        /* [S14] low confidence: stand-alone daytime pixel less than 15 K above its
         * background. */
        if (p->profile == FG_PROFILE_VIIRS_375M && adj_hot == 0 && !(t4 - m4 >= 15.0) && conf > 29)
            conf = 29;
    }

    double area = p->pixel_km2 * area_factor(p, px_f32(in->view_zenith, r, c));
    memset(fp, 0, sizeof *fp);
    fp->row = r;
    fp->col = c;
    fp->t4 = t4;
    fp->t11 = t11;
    fp->mean_t4 = ctx.mean_t4;
    fp->mean_t11 = ctx.mean_t11;
    fp->mean_dt = ctx.mean_dt;
    fp->mad_t4 = ctx.mad_t4;
    fp->mad_t11 = ctx.mad_t11;
    fp->mad_dt = ctx.mad_dt;
    fp->mad_t4_bgfire = ctx.mad_t4_bgfire;
    fp->n_valid = ctx.n_valid;
    fp->window = side;
    fp->adj_cloud = adj_cloud;
    fp->adj_water = adj_water;
    fp->is_day = day;
    fp->tests = tests;
    fp->confidence = conf;
    fp->mask_class = (unsigned char)(FG_MASK_FIRE_LOW + (int)fg_conf_class_of(conf));
    fp->frp_mw = ws.n ? (float)fg_frp_mir(p, t4, m4, area) : NAN;
    fp->frp_c5_mw = ws.n ? (float)fg_frp_c5(t4, m4, area) : NAN;
    fp->swir_ratio = NAN;
    fp->swir2_ref = NAN;
    fp->fire_id = 0;
    return fp->mask_class;
}

/* ------------------------------------------------------------- driver */

static int check_raster(const fg_raster *r, fg_pixel_type type, const char *what, int w, int h,
                        fg_ctx *ctx)
{
    if (!r->data || r->type != type || r->channels != 1 || r->width <= 0 || r->height <= 0 ||
        r->stride < (size_t)r->width)
        return fg_ctx_set(ctx, FG_EINVAL, "fire_thermal: the %s raster is not a single-channel "
                          "%s raster", what, type == FG_PIX_F32 ? "F32" : "U8");
    if (w > 0 && (r->width != w || r->height != h))
        return fg_ctx_set(ctx, FG_EINVAL, "fire_thermal: the %s raster is %dx%d, the MIR raster "
                          "%dx%d", what, r->width, r->height, w, h);
    return FG_OK;
}

/* Images below this many pixels run on one thread: the team start-up costs more
 * than the work. */
#define FG_THERMAL_MIN_PARALLEL 16384

int fg_thermal_detect(const fg_thermal_input *in, const fg_thermal_params *p, int threads,
                      fg_fire_pixel **out, size_t *n, unsigned char *mask, fg_ctx *ctx)
{
    if (!in || !p || !out || !n || !in->mir || !in->tir)
        return fg_ctx_set(ctx, FG_EINVAL, "fire_thermal: NULL argument (input, MIR, TIR, "
                          "parameters or output)");
    int rc = check_raster(in->mir, FG_PIX_F32, "MIR", 0, 0, ctx);
    if (rc != FG_OK)
        return rc;
    int w = in->mir->width, h = in->mir->height;
    const struct {
        const fg_raster *r;
        fg_pixel_type t;
        const char *name;
    } opt[] = {
        {in->tir, FG_PIX_F32, "TIR"}, {in->cloud, FG_PIX_U8, "cloud mask"},
        {in->tir2, FG_PIX_F32, "TIR2"}, {in->red, FG_PIX_F32, "red reflectance"},
        {in->nir, FG_PIX_F32, "NIR reflectance"}, {in->swir1, FG_PIX_F32, "SWIR1 reflectance"},
        {in->water, FG_PIX_U8, "water mask"}, {in->solar_zenith, FG_PIX_F32, "solar zenith"},
        {in->view_zenith, FG_PIX_F32, "view zenith"},
    };
    for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++)
        if (opt[i].r && (rc = check_raster(opt[i].r, opt[i].t, opt[i].name, w, h, ctx)) != FG_OK)
            return rc;
    if (in->is_day < 0 && !in->solar_zenith)
        return fg_ctx_set(ctx, FG_EINVAL, "fire_thermal: day/night per pixel (is_day < 0) needs "
                          "a solar zenith raster");
    if (p->profile != FG_PROFILE_MODIS_1KM && p->profile != FG_PROFILE_VIIRS_375M &&
        p->profile != FG_PROFILE_GEO_2KM)
        return fg_ctx_set(ctx, FG_EINVAL, "fire_thermal: unknown sensor profile %d", (int)p->profile);
    if (p->win_min < 3 || p->win_min % 2 == 0 || p->win_max < p->win_min || p->win_max % 2 == 0 ||
        p->win_max > 201 || p->min_valid < 1 || !(p->min_valid_frac >= 0.0 && p->min_valid_frac <= 1.0) ||
        !(p->pixel_km2 > 0.0) || !(p->t4_max > p->t4_min) || !(p->t11_max > p->t11_min))
        return fg_ctx_set(ctx, FG_EINVAL, "fire_thermal: bad parameters (windows %d..%d must be "
                          "odd, 3..201; min_valid %d, min_valid_frac %g, pixel_km2 %g, plausible "
                          "ranges %g..%g K and %g..%g K)", p->win_min, p->win_max, p->min_valid,
                          p->min_valid_frac, p->pixel_km2, p->t4_min, p->t4_max, p->t11_min,
                          p->t11_max);

    int nt = 1;
#ifdef _OPENMP
    nt = threads > 0 ? threads : omp_get_max_threads();
    if ((size_t)w * (size_t)h < FG_THERMAL_MIN_PARALLEL || nt < 1)
        nt = 1;
#else
    (void)threads;
#endif
    int nstrips = (h + STRIP_ROWS - 1) / STRIP_ROWS;
    if (nt > nstrips)
        nt = nstrips;

    view v = {in, p, w, h, NULL, NULL, 0};
    float *bt4s = NULL;
    fire_list *lists = NULL;
    int32_t *strip_cand = NULL;
    strip_sat *sats = NULL;
    int any_day = 0;
    v.cls = fg_malloc((size_t)w * (size_t)h);
    strip_cand = fg_calloc((size_t)nstrips, sizeof *strip_cand);
    lists = fg_calloc((size_t)nt, sizeof *lists);
    sats = fg_calloc((size_t)nt, sizeof *sats);
    if (!v.cls || !strip_cand || !lists || !sats) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "fire_thermal: out of memory for a %dx%d scene", w, h);
        goto done;
    }

    /* Pass 1: pixel classes (and the mask's non-fire classes). */
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) reduction(| : any_day)
#endif
    for (int r = 0; r < h; r++)
        for (int c = 0; c < w; c++) {
            unsigned k = classify(&v, r, c);
            v.cls[(size_t)r * w + c] = (unsigned char)k;
            any_day |= (k & CL_DAY) != 0;
            if (mask) {
                static const unsigned char to_mask[5] = {FG_MASK_NOT_PROCESSED, FG_MASK_LAND,
                                                         FG_MASK_WATER, FG_MASK_CLOUD, FG_MASK_LAND};
                mask[(size_t)r * w + c] = to_mask[k & CL_BASE];
            }
        }

    if (p->profile == FG_PROFILE_VIIRS_375M && any_day) {
        if (viirs_bt4s(&v, nt, &bt4s) != FG_OK) {
            rc = fg_ctx_set(ctx, FG_ENOMEM, "fire_thermal: out of memory for the BT4 median tiles");
            goto done;
        }
        v.bt4s_tile = bt4s;
    }

    /* Pass 1b: potential fires, counted per strip. */
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static)
#endif
    for (int sidx = 0; sidx < nstrips; sidx++) {
        int32_t cnt = 0;
        for (int r = sidx * STRIP_ROWS; r < (sidx + 1) * STRIP_ROWS && r < h; r++)
            for (int c = 0; c < w; c++) {
                unsigned char *k = &v.cls[(size_t)r * w + c];
                unsigned base = *k & CL_BASE;
                if (base != CL_LAND && base != CL_BGFIRE && !(*k & CL_MCLEAR))
                    continue;
                int day = (*k & CL_DAY) != 0;
                float t4 = FG_F32_AT(in->mir, r, c), t11 = FG_F32_AT(in->tir, r, c);
                int pot = (p->t4_saturation > 0.0f && t4 >= p->t4_saturation) ||
                          potential_test(p, day, t4, t11, pixel_bt4s(&v, r, c, day),
                                         px_f32(in->nir, r, c));
                if (pot) {
                    *k |= CL_POT;
                    cnt++;
                }
            }
        strip_cand[sidx] = cnt;
    }

    /* Per-thread strip tables, allocated once. */
    int half = p->win_max / 2;
    size_t sat_rows = (size_t)STRIP_ROWS + 2 * (size_t)half + 1, W = (size_t)w + 1;
    for (int t = 0; t < nt; t++) {
        sats[t].n = fg_malloc(sat_rows * W * sizeof(int32_t));
        sats[t].nbg = fg_malloc(sat_rows * W * sizeof(int32_t));
        sats[t].s4 = fg_malloc(sat_rows * W * sizeof(int64_t));
        sats[t].s11 = fg_malloc(sat_rows * W * sizeof(int64_t));
        if (!sats[t].n || !sats[t].nbg || !sats[t].s4 || !sats[t].s11) {
            rc = fg_ctx_set(ctx, FG_ENOMEM, "fire_thermal: out of memory for the summed-area tables");
            goto done;
        }
    }

    /* Pass 2: candidates, strip by strip. schedule(static) without a chunk gives each
     * thread one contiguous run of strips in thread order, so concatenating the lists
     * in thread order yields (row, col) order whatever the thread count. */
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static)
#endif
    for (int sidx = 0; sidx < nstrips; sidx++) {
        int t = 0;
#ifdef _OPENMP
        t = omp_get_thread_num();
#endif
        fire_list *l = &lists[t];
        if (!strip_cand[sidx] || l->failed)
            continue;
        int s0 = sidx * STRIP_ROWS, s1 = s0 + STRIP_ROWS < h ? s0 + STRIP_ROWS : h;
        int ra = s0 - half < 0 ? 0 : s0 - half, rb = s1 + half > h ? h : s1 + half;
        sat_build(&sats[t], &v, ra, rb);
        for (int r = s0; r < s1 && !l->failed; r++)
            for (int c = 0; c < w && !l->failed; c++) {
                if (!(v.cls[(size_t)r * w + c] & CL_POT))
                    continue;
                fg_fire_pixel fp;
                unsigned char m = test_candidate(&v, &sats[t], r, c, &fp);
                /* a masked candidate that is no fire stays what the mask said */
                if (m == FG_MASK_LAND && (v.cls[(size_t)r * w + c] & CL_BASE) == CL_CLOUD)
                    m = FG_MASK_CLOUD;
                if (mask)
                    mask[(size_t)r * w + c] = m;
                if (m >= FG_MASK_FIRE_LOW && list_push(l, &fp) != FG_OK)
                    l->failed = 1;
            }
    }

    size_t total = 0;
    int failed = 0;
    for (int t = 0; t < nt; t++) {
        total += lists[t].n;
        failed |= lists[t].failed;
    }
    fg_fire_pixel *res = NULL;
    if (!failed && total) {
        res = fg_malloc(total * sizeof *res);
        if (res) {
            size_t k = 0;
            for (int t = 0; t < nt; t++) {
                if (lists[t].n)
                    memcpy(res + k, lists[t].v, lists[t].n * sizeof *res);
                k += lists[t].n;
            }
        } else {
            failed = 1;
        }
    }
    if (failed) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "fire_thermal: out of memory for %zu fire pixels", total);
        goto done;
    }
    *out = res;
    *n = total;
    rc = FG_OK;

done:
    if (lists)
        for (int t = 0; t < nt; t++)
            fg_free(lists[t].v);
    if (sats)
        for (int t = 0; t < nt; t++) {
            fg_free(sats[t].n);
            fg_free(sats[t].nbg);
            fg_free(sats[t].s4);
            fg_free(sats[t].s11);
        }
    fg_free(lists);
    fg_free(sats);
    fg_free(strip_cand);
    fg_free(bt4s);
    fg_free(v.cls);
    return rc;
}
