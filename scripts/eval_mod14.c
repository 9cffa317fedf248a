/* eval_mod14.c — checks our contextual decision, C5 FRP and confidence against official MOD14 fire-pixel records. */
/* SPDX-License-Identifier: MIT */
/*
 * Usage: eval_mod14 BOREAL_CSV [BOUNDARY_CSV]
 *
 * The files (../shared/data/modis-mod14-official/) hold the official Terra MODIS
 * Collection 5 fire pixels of granule A2004178.2120 (2004-06-26 21:20 UTC, Alaska):
 * per pixel the line and sample, T21, T31, the background means and mean absolute
 * deviations, FP_power, adjacent cloud and water counts, the valid background count
 * and the official confidence. For each record we build an fg_thermal_context and
 * run fg_thermal_decide with the MODIS profile: the same function the detector
 * calls on every candidate.
 *
 * What the records do not hold: δ4′ (the MAD of T4 over the background fires) and
 * the number of background fires, which test (6) needs by day. A pixel that fails
 * test (5) is then re-tested with δ4′ estimated from the official fire pixels that
 * lie in its window and pass the background-fire test (T4 > 325 K, ΔT > 20 K),
 * the window being the largest one its valid count allows (see est_bgfire).
 *
 * Pixel area. FP_power uses the pixel area at the pixel's scan angle. With the
 * MODIS scan geometry of the Collection 5 user's guide (Giglio 2010, §6; sphere of
 * radius Re = 6378.137 km, orbit height h = 705 km, r = Re + h, angular sample step
 * s = 1/h = 0.0014184 rad, 1354 samples, scan angle θ = (sample − 676.5)·s):
 *   along scan  Δs = Re·s·(cosθ / √((Re/r)² − sin²θ) − 1)
 *   along track Δt = r·s·(cosθ − √((Re/r)² − sin²θ))
 * and A = Δs·Δt km². We also infer A from FP_power itself and report how well the
 * geometry matches it.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

enum {
    F_LINE, F_SAMPLE, F_LAT, F_LON, F_T21, F_T31, F_MT21, F_MT31, F_MDT, F_D21, F_D31, F_DDT,
    F_POWER, F_ADJC, F_ADJW, F_NVALID, F_CONF, F_COUNT
};
static const char *const k_cols[F_COUNT] = {
    "FP_line", "FP_sample", "FP_latitude", "FP_longitude", "FP_T21", "FP_T31", "FP_MeanT21",
    "FP_MeanT31", "FP_MeanDT", "FP_MAD_T21", "FP_MAD_T31", "FP_MAD_DT", "FP_power",
    "FP_AdjCloud", "FP_AdjWater", "FP_NumValid", "FP_confidence",
};

typedef struct rec {
    double v[F_COUNT];
    const char *file;
} rec;

/* Reads one official CSV; appends its records. Returns 0 or -1 with a message. */
static int read_csv(const char *path, const char *label, rec **recs, size_t *n, size_t *cap)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        fprintf(stderr, "eval_mod14: cannot open %s\n", path);
        return -1;
    }
    char line[4096];
    int idx[F_COUNT];
    if (!fgets(line, sizeof line, fp)) {
        fprintf(stderr, "eval_mod14: %s is empty\n", path);
        fclose(fp);
        return -1;
    }
    for (int k = 0; k < F_COUNT; k++)
        idx[k] = -1;
    int col = 0;
    for (char *tok = strtok(line, ",\r\n"); tok; tok = strtok(NULL, ",\r\n"), col++)
        for (int k = 0; k < F_COUNT; k++)
            if (strcmp(tok, k_cols[k]) == 0)
                idx[k] = col;
    for (int k = 0; k < F_COUNT; k++)
        if (idx[k] < 0) {
            fprintf(stderr, "eval_mod14: %s has no column %s\n", path, k_cols[k]);
            fclose(fp);
            return -1;
        }
    int lineno = 1;
    while (fgets(line, sizeof line, fp)) {
        lineno++;
        if (line[0] == '\n' || line[0] == '\r' || line[0] == '\0')
            continue;
        double vals[64];
        int nv = 0;
        char *s = line;
        for (;;) {
            char *end;
            if (nv >= 64)
                break;
            vals[nv++] = strtod(s, &end);
            if (end == s) {
                fprintf(stderr, "eval_mod14: %s:%d: not a number in field %d\n", path, lineno, nv);
                fclose(fp);
                return -1;
            }
            s = end;
            if (*s != ',')
                break;
            s++;
        }
        if (*n == *cap) {
            size_t nc = *cap ? *cap * 2 : 256;
            rec *nr = realloc(*recs, nc * sizeof *nr);
            if (!nr) {
                fclose(fp);
                fprintf(stderr, "eval_mod14: out of memory\n");
                return -1;
            }
            *recs = nr;
            *cap = nc;
        }
        rec *r = &(*recs)[(*n)++];
        for (int k = 0; k < F_COUNT; k++) {
            if (idx[k] >= nv) {
                fprintf(stderr, "eval_mod14: %s:%d: only %d fields\n", path, lineno, nv);
                fclose(fp);
                return -1;
            }
            r->v[k] = vals[idx[k]];
        }
        r->file = label;
    }
    fclose(fp);
    return 0;
}

/* MODIS pixel area (km²) at a 0-based sample number: the scan geometry above. */
static double modis_area_km2(double sample)
{
    const double re = 6378.137, h = 705.0, r = re + h, s = 1.0 / h;
    double th = (sample - 676.5) * s;
    double q = sqrt((re / r) * (re / r) - sin(th) * sin(th));
    double ds = re * s * (cos(th) / q - 1.0);
    double dt = r * s * (cos(th) - q);
    return ds * dt;
}

static fg_thermal_context context_of(const rec *r)
{
    fg_thermal_context c;
    memset(&c, 0, sizeof c);
    c.t4 = (float)r->v[F_T21];
    c.t11 = (float)r->v[F_T31];
    c.mean_t4 = (float)r->v[F_MT21];
    c.mean_t11 = (float)r->v[F_MT31];
    c.mean_dt = (float)r->v[F_MDT];
    c.mad_t4 = (float)r->v[F_D21];
    c.mad_t11 = (float)r->v[F_D31];
    c.mad_dt = (float)r->v[F_DDT];
    c.mad_t4_bgfire = NAN; /* not in the records */
    c.n_bgfire = 0;
    c.n_valid = (int)r->v[F_NVALID];
    c.adj_cloud = (int)r->v[F_ADJC];
    c.adj_water = (int)r->v[F_ADJW];
    c.is_day = 1; /* 21:20 UTC over Alaska in June: local noon (checked below) */
    return c;
}

/* δ4′ of pixel i estimated from the official fire pixels of the same file that lie in
 * its window and pass the daytime background-fire test. The MOD14 window grows until
 * ≥ 25 % of it is valid, so the final side s satisfies n_valid ≥ 0.25·(s² − 3): we use
 * the largest odd s (≤ 21) that allows. Returns the count; *mad receives δ4′. */
static int est_bgfire(const rec *recs, size_t n, size_t i, int *side, double *mad)
{
    const rec *p = &recs[i];
    int s = 3;
    while (s + 2 <= 21 && 0.25 * ((s + 2) * (s + 2) - 3) <= p->v[F_NVALID])
        s += 2;
    *side = s;
    int half = s / 2, cnt = 0;
    double sum = 0;
    for (int pass = 0; pass < 2; pass++) {
        double m = cnt ? sum / cnt : 0.0, a = 0;
        for (size_t j = 0; j < n; j++) {
            const rec *q = &recs[j];
            if (q->file != p->file)
                continue;
            double dl = q->v[F_LINE] - p->v[F_LINE], ds = q->v[F_SAMPLE] - p->v[F_SAMPLE];
            if (fabs(dl) > half || fabs(ds) > half)
                continue;
            if (dl == 0 && fabs(ds) <= 1) /* centre and its along-scan neighbours */
                continue;
            if (!(q->v[F_T21] > 325.0 && q->v[F_T21] - q->v[F_T31] > 20.0))
                continue;
            if (pass == 0) {
                sum += q->v[F_T21];
                cnt++;
            } else {
                a += fabs(q->v[F_T21] - m);
            }
        }
        if (pass == 1)
            *mad = cnt ? a / cnt : NAN;
    }
    return cnt;
}

static void names_of_failed(unsigned tests, char *buf, size_t len)
{
    static const struct {
        unsigned bit;
        const char *name;
    } t[] = {
        {FG_TEST_POTENTIAL, "potential"}, {FG_TEST_CTX_DT_MAD, "(2) dT>mean+3.5MAD"},
        {FG_TEST_CTX_DT_ABS, "(3) dT>mean+6"}, {FG_TEST_CTX_T4, "(4) T4>mean+3MAD"},
        {FG_TEST_CTX_T11, "(5) T11>mean+MAD-4"}, {FG_TEST_CTX_BGFIRE, "(6) d4'>5"},
    };
    buf[0] = '\0';
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
        if (!(tests & t[k].bit)) {
            size_t l = strlen(buf);
            snprintf(buf + l, len - l, "%s%s", l ? ", " : "", t[k].name);
        }
}

/* Days from 1970-01-01 to a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: eval_mod14 BOREAL_CSV [BOUNDARY_CSV]\n");
        return 2;
    }
    rec *recs = NULL;
    size_t n = 0, cap = 0;
    if (read_csv(argv[1], "boreal", &recs, &n, &cap) != 0) {
        free(recs);
        return 1;
    }
    size_t n_boreal = n;
    if (argc == 3 && read_csv(argv[2], "boundary", &recs, &n, &cap) != 0) {
        free(recs);
        return 1;
    }
    fg_thermal_params p;
    fg_thermal_params_default(&p, FG_PROFILE_MODIS_1KM);

    const int64_t t_utc = days_from_civil(2004, 6, 26) * 86400 + 21 * 3600 + 20 * 60;
    double sza_min = 1e9, sza_max = -1e9;
    for (size_t i = 0; i < n; i++) {
        double z = fg_solar_zenith(t_utc, recs[i].v[F_LAT], recs[i].v[F_LON]);
        sza_min = z < sza_min ? z : sza_min;
        sza_max = z > sza_max ? z : sza_max;
    }
    printf("eval_mod14: %zu official fire pixels (%zu boreal + %zu boundary), Terra MODIS "
           "2004-06-26 21:20 UTC; solar zenith %.1f..%.1f deg -> day (< %.0f)\n", n, n_boreal,
           n - n_boreal, sza_min, sza_max, p.day_max_sza);

    size_t pass[2] = {0, 0}, tot[2] = {0, 0}, pass_est[2] = {0, 0};
    double rmin = 1e9, rmax = -1e9, rsum = 0, amin = 1e9, amax = -1e9, asum = 0;
    double mmin = 1e9, mmax = -1e9, msum = 0;
    double dsum = 0, dabs = 0, dmax = 0;
    int dmax_i = -1;
    printf("\nPixels failing a rule with the recorded statistics:\n");
    for (size_t i = 0; i < n; i++) {
        const rec *r = &recs[i];
        int b = i >= n_boreal;
        tot[b]++;
        fg_thermal_context c = context_of(r);
        int fire = 0, conf = 0;
        unsigned tests = fg_thermal_decide(&p, &c, &fire, &conf);
        if (fire) {
            pass[b]++;
            pass_est[b]++;
        } else {
            char why[256];
            names_of_failed(tests, why, sizeof why);
            int side = 0;
            double mad = NAN;
            int nbg = est_bgfire(recs, n, i, &side, &mad);
            fg_thermal_context c2 = c;
            c2.n_bgfire = nbg;
            c2.mad_t4_bgfire = (float)mad;
            int fire2 = 0, conf2 = 0;
            fg_thermal_decide(&p, &c2, &fire2, &conf2);
            pass_est[b] += fire2 != 0;
            printf("  %-8s line %4.0f sample %4.0f T21 %.2f T31 %.2f: fails %s\n"
                   "           (T31 %.2f <= mean %.2f + MAD %.2f - 4 = %.2f); delta4' from %d official "
                   "background-fire pixels in a %dx%d window = %.2f K -> %s\n",
                   r->file, r->v[F_LINE], r->v[F_SAMPLE], r->v[F_T21], r->v[F_T31], why,
                   r->v[F_T31], r->v[F_MT31], r->v[F_D31], r->v[F_MT31] + r->v[F_D31] - 4.0, nbg,
                   side, side, mad, fire2 ? "passes with test (6)" : "still fails");
            conf = conf2;
        }
        /* FRP: C5 formula with the scan-geometry area */
        double area = modis_area_km2(r->v[F_SAMPLE]);
        double frp = fg_frp_c5(r->v[F_T21], r->v[F_MT21], area);
        double ratio = frp / r->v[F_POWER];
        rmin = ratio < rmin ? ratio : rmin;
        rmax = ratio > rmax ? ratio : rmax;
        rsum += ratio;
        double ainf = r->v[F_POWER] / fg_frp_c5(r->v[F_T21], r->v[F_MT21], 1.0);
        amin = ainf / area < amin ? ainf / area : amin;
        amax = ainf / area > amax ? ainf / area : amax;
        asum += ainf;
        double mir = fg_frp_mir(&p, r->v[F_T21], r->v[F_MT21], area) / r->v[F_POWER];
        mmin = mir < mmin ? mir : mmin;
        mmax = mir > mmax ? mir : mmax;
        msum += mir;
        double d = conf - r->v[F_CONF];
        dsum += d;
        dabs += fabs(d);
        if (fabs(d) > dmax) {
            dmax = fabs(d);
            dmax_i = (int)i;
        }
    }
    if (pass[0] + pass[1] == n)
        printf("  none\n");

    printf("\nContextual decision (fg_thermal_decide, MODIS profile, recorded statistics):\n");
    printf("  boreal:   %zu of %zu pass\n", pass[0], tot[0]);
    printf("  boundary: %zu of %zu pass\n", pass[1], tot[1]);
    printf("  with delta4' estimated from neighbouring official fire pixels: %zu of %zu boreal, "
           "%zu of %zu boundary pass\n", pass_est[0], tot[0], pass_est[1], tot[1]);
    printf("\nFRP, C5 formula 4.34e-19 (T21^8 - meanT21^8) A, A from the sample number "
           "(scan geometry):\n");
    printf("  ours / FP_power: min %.5f max %.5f mean %.5f (all %zu pixels)\n", rmin, rmax,
           rsum / n, n);
    printf("  area inferred from FP_power / geometric area: min %.5f max %.5f; inferred area "
           "mean %.4f km2\n", amin, amax, asum / n);
    printf("  MIR method (Wooster a = %.2e at %.3f um) / FP_power: min %.3f max %.3f mean %.3f\n",
           p.wooster_a, p.mir_um, mmin, mmax, msum / n);
    printf("\nConfidence, ours (geometric mean of C1..C5: S(T4;%.0f,%.0f), S(z4;%.1f,6), S(zdT;%.1f,6), "
           "adjacent cloud, water; truncated) minus FP_confidence:\n", p.conf_t4_day_lo,
           p.conf_t4_day_hi, p.k_t4_day, p.k_dt_day);
    printf("  mean %+.2f, mean |diff| %.2f, max |diff| %.0f", dsum / n, dabs / n, dmax);
    if (dmax_i >= 0) {
        const rec *r = &recs[dmax_i];
        fg_thermal_context c = context_of(r);
        int fire = 0, conf = 0;
        fg_thermal_decide(&p, &c, &fire, &conf);
        printf(" (line %.0f sample %.0f: official %.0f)", r->v[F_LINE], r->v[F_SAMPLE],
               r->v[F_CONF]);
    }
    printf("\n");
    free(recs);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "eval_mod14: write error on stdout\n");
        return 1;
    }
    return 0;
}
