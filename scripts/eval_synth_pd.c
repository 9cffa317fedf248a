/* eval_synth_pd.c — detection probability of sub-pixel fires in synthetic Planck scenes (375 m / 1 km, day / night) and false alarms. */
/* SPDX-License-Identifier: MIT */
/*
 * For each sensor profile (VIIRS I-band 375 m, MODIS 1 km) and day/night, and for each
 * cell of a grid of fire areas × fire temperatures, a 640×640 scene holds 256 fires on a
 * 16×16 lattice 40 pixels apart (farther than the largest background window, 31 px, so
 * that no fire sits in another's background). Each fire is a blackbody of area A at Tf
 * placed at a random point of its host pixel; the pixel radiance is the two-component
 * mixture L = f·B(λ, Tf) + (1 − f)·B(λ, Tb) (Dozier 1981, RSE 11:221; fg_planck_mixed_bt).
 * The point-spread function is triangular along scan — the detector footprint swept
 * over one sample interval, as for MODIS (Kaufman et al. 1998, JGR 103:32215) — and
 * rectangular along track, so the fire's fraction f = A / pixel area is shared between
 * the host pixel (weight 1 − |u − ½|) and its along-scan neighbour (|u − ½|), u being
 * the position of the fire within the pixel along scan. No atmosphere.
 *
 * The background is a clear-sky land surface with structure at 9–48 km and 9 pixels,
 * per-pixel heterogeneity, reflected sunlight in the 3.7–4 µm band by day, and sensor
 * noise (NEdT) per band. A fire counts as detected when a fire pixel lies within one
 * pixel of its host pixel. The same backgrounds without fires give the false-alarm
 * count. Everything follows from --seed.
 */
#include "imagery/imagery.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIDE 640
#define LAT 16     /* fires per lattice side */
#define SPACING 40 /* pixels between fires */

static const double areas_m2[] = {10, 30, 100, 300, 1000, 3000};
static const double temps_k[] = {600, 800, 1000, 1200};
#define NA (sizeof areas_m2 / sizeof areas_m2[0])
#define NT (sizeof temps_k / sizeof temps_k[0])

typedef struct condition {
    const char *name;
    fg_sensor_profile profile;
    int day;
    float mir_saturation_k; /* VIIRS I4 367 K; MODIS band 21 ~500 K (Giglio et al. 2003) */
    double nedt_mir, nedt_tir; /* K, sensor noise at ~300 K */
} condition;

/* NEdT: VIIRS I4 ~0.4 K, I5 ~0.4 K (Schroeder et al. 2014, RSE 143:85); MODIS band 22
 * ~0.07 K, band 31 ~0.05 K (Giglio et al. 2003) — MODIS noise is below the surface
 * heterogeneity, which dominates. */
static const condition conds[] = {
    {"VIIRS 375 m, day", FG_PROFILE_VIIRS_375M, 1, 367.0f, 0.4, 0.4},
    {"VIIRS 375 m, night", FG_PROFILE_VIIRS_375M, 0, 367.0f, 0.4, 0.4},
    {"MODIS 1 km, day", FG_PROFILE_MODIS_1KM, 1, 500.0f, 0.07, 0.05},
    {"MODIS 1 km, night", FG_PROFILE_MODIS_1KM, 0, 500.0f, 0.07, 0.05},
};
#define NC (sizeof conds / sizeof conds[0])

/* ----------------------------------------------------------- random numbers */

/* Smooth value noise in [-1, 1] with features of about `cell` pixels. */
static double vnoise(uint64_t seed, double x, double y, double cell)
{
    return 2.0 * fg_value_noise(seed, x / cell, y / cell) - 1.0;
}

/* ------------------------------------------------------------- scenes */

/* Clear-sky background. Day: surface ~300 K ±6 K, 1 K per-pixel heterogeneity, MIR raised
 * 5–11 K by reflected sunlight. Night: ~283 K ±4.5 K, 0.4 K heterogeneity, MIR 1.5 K
 * below TIR (lower emissivity at 3.7–4 µm). */
static void background(const condition *cd, uint64_t seed, float *mir, float *tir)
{
    fg_rng g = {seed};
    for (int r = 0; r < SIDE; r++)
        for (int c = 0; c < SIDE; c++) {
            double x = c, y = r, ts, t4;
            if (cd->day) {
                ts = 300.0 + 4.0 * vnoise(seed + 1, x, y, 128) + 2.0 * vnoise(seed + 2, x, y, 24) +
                     1.0 * vnoise(seed + 3, x, y, 9) + 1.0 * fg_rng_gauss(&g);
                t4 = ts + 8.0 + 3.0 * vnoise(seed + 4, x, y, 64);
            } else {
                ts = 283.0 + 3.0 * vnoise(seed + 1, x, y, 128) + 1.5 * vnoise(seed + 2, x, y, 24) +
                     0.5 * vnoise(seed + 3, x, y, 9) + 0.4 * fg_rng_gauss(&g);
                t4 = ts - 1.5;
            }
            size_t i = (size_t)r * SIDE + (size_t)c;
            tir[i] = (float)(ts + cd->nedt_tir * fg_rng_gauss(&g));
            mir[i] = (float)(t4 + cd->nedt_mir * fg_rng_gauss(&g));
        }
}

/* Adds a fire of fraction `frac` (of one pixel) at `fire_k` to pixel i. */
static void add_fire(const fg_thermal_params *p, const condition *cd, float *mir, float *tir,
                     size_t i, double frac, double fire_k)
{
    float t4 = (float)fg_planck_mixed_bt(p->mir_um, frac, fire_k, mir[i]);
    tir[i] = (float)fg_planck_mixed_bt(p->tir_um, frac, fire_k, tir[i]);
    mir[i] = t4 > cd->mir_saturation_k ? cd->mir_saturation_k : t4;
}

static int host_row(int k) { return SPACING / 2 + SPACING * (k / LAT); }
static int host_col(int k) { return SPACING / 2 + SPACING * (k % LAT); }

/* Plants the 256 fires of one cell. */
static void plant(const fg_thermal_params *p, const condition *cd, uint64_t seed, double area_m2,
                  double fire_k, float *mir, float *tir)
{
    fg_rng g = {seed ^ 0xF12Eull};
    double pixel_m2 = p->pixel_km2 * 1e6;
    for (int k = 0; k < LAT * LAT; k++) {
        int hr = host_row(k), hc = host_col(k);
        double u = fg_rng_unit(&g); /* position along scan within the host pixel */
        (void)fg_rng_unit(&g);      /* along track: rectangular response, no spreading */
        double f = area_m2 / pixel_m2, w_nb = fabs(u - 0.5);
        int nc = u >= 0.5 ? hc + 1 : hc - 1;
        add_fire(p, cd, mir, tir, (size_t)hr * SIDE + (size_t)hc, f * (1.0 - w_nb), fire_k);
        if (w_nb > 0)
            add_fire(p, cd, mir, tir, (size_t)hr * SIDE + (size_t)nc, f * w_nb, fire_k);
    }
}

typedef struct tally {
    int detected;      /* planted fires found */
    long stray;        /* fire pixels not near any planted fire */
} tally;

static int detect(const fg_thermal_params *p, const condition *cd, const fg_raster *mr,
                  const fg_raster *tr, int with_fires, tally *t)
{
    fg_thermal_input in;
    memset(&in, 0, sizeof in);
    in.mir = mr;
    in.tir = tr;
    in.is_day = cd->day;
    fg_fire_pixel *px = NULL;
    size_t n = 0;
    fg_ctx ctx = {0};
    if (fg_thermal_detect(&in, p, 0, &px, &n, NULL, &ctx) != FG_OK) {
        fprintf(stderr, "eval_synth_pd: %s\n", ctx.msg);
        return -1;
    }
    static unsigned char found[LAT * LAT];
    memset(found, 0, sizeof found);
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < n; i++) {
        /* the lattice cell the pixel lies in (hosts sit at the cell centres) */
        int kr = px[i].row / SPACING, kc = px[i].col / SPACING;
        int k = kr * LAT + kc;
        if (with_fires && kr >= 0 && kr < LAT && kc >= 0 && kc < LAT &&
            abs(px[i].row - host_row(k)) <= 1 && abs(px[i].col - host_col(k)) <= 1)
            found[k] = 1;
        else
            t->stray++;
    }
    for (int k = 0; k < LAT * LAT; k++)
        t->detected += found[k];
    fg_free(px);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long long seed = 20261015;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--seed") == 0) {
            seed = strtoull(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "usage: eval_synth_pd [--seed N]\n");
            return 2;
        }
    }
    fg_raster mr, tr;
    fg_ctx ctx = {0};
    if (fg_raster_alloc(&mr, SIDE, SIDE, 1, FG_PIX_F32, 0, &ctx) != FG_OK ||
        fg_raster_alloc(&tr, SIDE, SIDE, 1, FG_PIX_F32, 0, &ctx) != FG_OK) {
        fprintf(stderr, "eval_synth_pd: %s\n", ctx.msg);
        return 1;
    }
    const int nfire = LAT * LAT;
    printf("Synthetic Planck scenes, seed %llu: %d fires per cell (%dx%d px scenes, fires %d px "
           "apart, random position within the pixel, triangular along-scan PSF), clear sky, "
           "no atmosphere. Detection probability in %%.\n",
           seed, nfire, SIDE, SIDE, SPACING);
    long fa[NC], stray[NC];
    long long fa_pixels[NC];
    for (size_t ci = 0; ci < NC; ci++) {
        const condition *cd = &conds[ci];
        fg_thermal_params p;
        if (fg_thermal_params_default(&p, cd->profile) != FG_OK) {
            fprintf(stderr, "eval_synth_pd: no profile for %s\n", cd->name);
            return 1;
        }
        double pd[NA][NT];
        fa[ci] = stray[ci] = 0;
        fa_pixels[ci] = 0;
        for (size_t ai = 0; ai < NA; ai++)
            for (size_t ti = 0; ti < NT; ti++) {
                uint64_t s = fg_mix64(seed ^ fg_mix64(ci * 1000 + ai * 10 + ti));
                tally t;
                /* fire-free control first: the same background */
                background(cd, s, mr.data, tr.data);
                if (detect(&p, cd, &mr, &tr, 0, &t) != 0)
                    return 1;
                fa[ci] += t.stray;
                fa_pixels[ci] += (long long)SIDE * SIDE;
                plant(&p, cd, s, areas_m2[ai], temps_k[ti], mr.data, tr.data);
                if (detect(&p, cd, &mr, &tr, 1, &t) != 0)
                    return 1;
                stray[ci] += t.stray;
                pd[ai][ti] = 100.0 * t.detected / nfire;
            }
        printf("\n#### %s (pixel %.4g km², MIR %.3g µm, TIR %.3g µm)\n\n", cd->name, p.pixel_km2,
               p.mir_um, p.tir_um);
        printf("| fire area (m²) | fraction of pixel |");
        for (size_t ti = 0; ti < NT; ti++)
            printf(" %.0f K |", temps_k[ti]);
        printf("\n|---:|---:|");
        for (size_t ti = 0; ti < NT; ti++)
            printf("---:|");
        printf("\n");
        for (size_t ai = 0; ai < NA; ai++) {
            printf("| %.0f | %.2e |", areas_m2[ai], areas_m2[ai] / (p.pixel_km2 * 1e6));
            for (size_t ti = 0; ti < NT; ti++)
                printf(" %.1f |", pd[ai][ti]);
            printf("\n");
        }
    }
    printf("\n#### False alarms\n\n");
    printf("| condition | fire-free pixels | false fire pixels | per million pixels | stray fire "
           "pixels in the fire scenes |\n|---|---:|---:|---:|---:|\n");
    for (size_t ci = 0; ci < NC; ci++)
        printf("| %s | %lld | %ld | %.2f | %ld |\n", conds[ci].name, fa_pixels[ci], fa[ci],
               1e6 * (double)fa[ci] / (double)fa_pixels[ci], stray[ci]);
    fg_raster_release(&mr);
    fg_raster_release(&tr);
    return 0;
}
