/* bench_sat.c — benchmark: a synthetic 6400×6464 VIIRS-size scene through the whole thermal path vs a read-and-sum baseline. */
/* SPDX-License-Identifier: MIT */
/*
 * One synthetic VIIRS I-band granule (6400 samples × 6464 lines, 375 m) is written once as
 * a GeoTIFF (MIR_BT, TIR_BT; deflate, as fg_geotiff_write makes it). Then, in this same
 * run, two phases are timed at each thread count, best of N repetitions:
 *   baseline  GDAL opens the file, reads the same two bands as Float32 and sums them;
 *   full      fg_scene_open + fg_scene_thermal_input + fg_thermal_detect + fg_fire_group.
 * Each (phase, threads) runs in its own child process, so its peak resident memory
 * (getrusage ru_maxrss) is that phase's alone; the parent holds no scene data when it
 * forks. GDAL_NUM_THREADS is set to the thread count in both phases (GDAL may decode
 * compressed blocks in parallel), so the two phases get the same I/O help
 * (--gdal-threads changes that; --compress NONE writes the scene uncompressed).
 *
 * The scene: surface brightness temperatures with a north–south gradient, terrain-like
 * structure at several scales and per-pixel texture; daytime MIR above TIR by reflected
 * sunlight; cold cloud fields (~20 % of the granule) whose MIR is raised by reflected
 * sunlight (the classic daytime false-alarm trap, caught by the T11 cloud test); and
 * several hundred sub-pixel fires of 1–4 pixels whose MIR/TIR values follow the
 * two-component Planck mixture (fg_planck_mixed_bt), clipped at the I4 saturation
 * (367 K, Schroeder et al. 2014, RSE 143:85).
 */
#include "imagery/imagery.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define BW 6400 /* samples along scan */
#define BH 6464 /* lines */
#define PX_M 375.0
#define I4_UM 3.74
#define I5_UM 11.45
#define I4_SAT 367.0f

/* ----------------------------------------------------------- random numbers */

/* Smooth value noise in [-1, 1] with features of about `cell` pixels. */
static double vnoise(uint64_t seed, double x, double y, double cell)
{
    return 2.0 * fg_value_noise(seed, x / cell, y / cell) - 1.0;
}

/* ------------------------------------------------------------ the scene */

static int g_uncompressed; /* --compress NONE: tiled GeoTIFF without compression */
static int g_gdal_threads = -1; /* GDAL_NUM_THREADS in the measurements: -1 = the thread count, 0 = unset */

/* The same bands, tags and georeferencing as fg_geotiff_write, without compression:
 * separates the cost of decoding deflate from the cost of detection. */
static int write_plain(const char *path, const fg_raster *const *bands, const char *const *names,
                       const double gt[6], const char *const *md, fg_ctx *ctx)
{
    GDALAllRegister();
    char **co = CSLSetNameValue(NULL, "TILED", "YES");
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path, BW, BH, 2, GDT_Float32, co);
    CSLDestroy(co);
    if (!ds)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot create", path);
    GDALSetGeoTransform(ds, (double *)gt);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    char *wkt = NULL;
    OSRImportFromEPSG(srs, 32649);
    OSRExportToWkt(srs, &wkt);
    GDALSetProjection(ds, wkt);
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    for (const char *const *m = md; *m; m++) {
        char key[64];
        const char *eq = strchr(*m, '=');
        snprintf(key, sizeof key, "%.*s", (int)(eq - *m), *m);
        GDALSetMetadataItem(ds, key, eq + 1, NULL);
    }
    int rc = FG_OK;
    for (int b = 0; b < 2; b++) {
        GDALRasterBandH band = GDALGetRasterBand(ds, b + 1);
        GDALSetDescription(band, names[b]);
        GDALSetRasterNoDataValue(band, NAN);
        if (GDALRasterIO(band, GF_Write, 0, 0, BW, BH, bands[b]->data, BW, BH, GDT_Float32, 0,
                         0) != CE_None)
            rc = fg_ctx_set(ctx, FG_EIO, "%s: write failed", path);
    }
    GDALClose(ds);
    return rc;
}

typedef struct fire_spec {
    int row, col, npix;
    double area_m2, temp_k;
} fire_spec;

/* Writes the synthetic granule to path; returns the number of fires planted or -1. */
static int make_scene(const char *path, int nfires_req, uint64_t seed)
{
    fg_ctx ctx = {0};
    fg_raster mir, tir;
    if (fg_raster_alloc(&mir, BW, BH, 1, FG_PIX_F32, 0, &ctx) != FG_OK ||
        fg_raster_alloc(&tir, BW, BH, 1, FG_PIX_F32, 0, &ctx) != FG_OK) {
        fprintf(stderr, "bench_sat: %s\n", ctx.msg);
        return -1;
    }
    float *m = mir.data, *t = tir.data;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int r = 0; r < BH; r++) {
        fg_rng g = {fg_mix64(seed ^ (uint64_t)r * 0x9E37ull)};
        for (int c = 0; c < BW; c++) {
            double x = c, y = r;
            /* surface: 300 K in the south-west of the granule falling 10 K northwards,
             * terrain and land-cover structure at 2 km–100 km, 0.7 K per-pixel texture */
            double ts = 300.0 - 10.0 * y / BH + 4.0 * vnoise(seed + 1, x, y, 256) +
                        2.0 * vnoise(seed + 2, x, y, 48) + 1.0 * vnoise(seed + 3, x, y, 8) +
                        0.7 * fg_rng_gauss(&g);
            /* day: reflected sunlight raises the 3.7 µm signal 4–12 K over land */
            double refl = 8.0 + 4.0 * vnoise(seed + 4, x, y, 128);
            double t11 = ts, t4 = ts + refl + 0.4 * fg_rng_gauss(&g);
            /* clouds: a multi-scale field thresholded to ~20 % cover; tops 225–262 K,
             * bright in MIR (reflected sunlight) so that ΔT is large */
            double cl = 0.6 * vnoise(seed + 5, x, y, 400) + 0.3 * vnoise(seed + 6, x, y, 90) +
                        0.1 * vnoise(seed + 7, x, y, 20);
            if (cl > 0.28) {
                double k = fmin(1.0, (cl - 0.28) / 0.25);
                t11 = 262.0 - 37.0 * k + 0.5 * fg_rng_gauss(&g);
                t4 = t11 + 25.0 + 15.0 * k + 0.8 * fg_rng_gauss(&g);
            }
            m[(size_t)r * BW + c] = (float)t4;
            t[(size_t)r * BW + c] = (float)t11;
        }
    }
    /* Fires in clear pixels: areas log-uniform 30–3000 m², 700–1200 K, 1–4 pixels. */
    fg_rng g = {seed ^ 0xF1CEull};
    int planted = 0;
    for (int tries = 0; planted < nfires_req && tries < nfires_req * 50; tries++) {
        int r = 2 + (int)(fg_rng_unit(&g) * (BH - 4)), c = 2 + (int)(fg_rng_unit(&g) * (BW - 4));
        if (t[(size_t)r * BW + c] < 270.0f)
            continue; /* under cloud */
        int npix = 1 + (int)(fg_rng_unit(&g) * 4.0);
        double temp = 700.0 + 500.0 * fg_rng_unit(&g);
        for (int k = 0; k < npix; k++) {
            int rr = r + (k >> 1), cc = c + (k & 1);
            size_t i = (size_t)rr * BW + cc;
            double area = 30.0 * pow(100.0, fg_rng_unit(&g));
            double f = area / (PX_M * PX_M);
            float t4 = (float)fg_planck_mixed_bt(I4_UM, f, temp, m[i]);
            t[i] = (float)fg_planck_mixed_bt(I5_UM, f, temp, t[i]);
            m[i] = t4 > I4_SAT ? I4_SAT : t4;
        }
        planted++;
    }
    const fg_raster *bands[2] = {&mir, &tir};
    const char *names[2] = {"MIR_BT", "TIR_BT"};
    /* 05:30 UTC = 13:30 Beijing: a daytime (afternoon) overpass over northern China */
    const char *md[] = {"FG_ACQ_TIME=2026-10-15T05:30:00Z", "FG_SENSOR=VIIRS-I", NULL};
    /* UTM 49N, granule centre near 39.4°N 111.7°E */
    double gt[6] = {580000.0 - BW / 2 * PX_M, PX_M, 0, 4360000.0 + BH / 2 * PX_M, 0, -PX_M};
    int rc = g_uncompressed ? write_plain(path, bands, names, gt, md, &ctx)
                            : fg_geotiff_write(path, bands, names, 2, gt, 32649, md, &ctx);
    fg_raster_release(&mir);
    fg_raster_release(&tir);
    if (rc != FG_OK) {
        fprintf(stderr, "bench_sat: %s\n", ctx.msg);
        return -1;
    }
    return planted;
}

/* -------------------------------------------------------------- phases */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct result {
    int ok;
    double best_s;           /* best total of the repetitions */
    double part_s[4];        /* full: open, input, detect, group (of the best repetition) */
    long maxrss_kb;
    double checksum;         /* baseline: band sum; full: fire pixels */
    long nfires;             /* full: fires */
    char err[800];
} result;

static int band_of(GDALDatasetH ds, const char *role)
{
    for (int b = 1; b <= GDALGetRasterCount(ds); b++)
        if (strcmp(GDALGetDescription(GDALGetRasterBand(ds, b)), role) == 0)
            return b;
    return 0;
}

static int run_baseline(const char *path, result *res)
{
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    if (!ds) {
        snprintf(res->err, sizeof res->err, "%s: cannot open", path);
        return -1;
    }
    int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
    static const char *const roles[2] = {"MIR_BT", "TIR_BT"};
    double sum = 0.0;
    /* one buffer reused for both bands: the leanest read-and-sum, a floor for time and memory */
    float *buf = fg_malloc((size_t)w * (size_t)h * sizeof *buf);
    int rc = buf ? 0 : -1;
    for (int k = 0; rc == 0 && k < 2; k++) {
        int b = band_of(ds, roles[k]);
        if (!b || GDALRasterIO(GDALGetRasterBand(ds, b), GF_Read, 0, 0, w, h, buf, w, h,
                               GDT_Float32, 0, 0) != CE_None) {
            snprintf(res->err, sizeof res->err, "%s: cannot read %s", path, roles[k]);
            rc = -1;
            break;
        }
        double s = 0.0;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) reduction(+ : s)
#endif
        for (int r = 0; r < h; r++) {
            double rs = 0.0;
            const float *row = buf + (size_t)r * w;
            for (int c = 0; c < w; c++)
                if (row[c] == row[c])
                    rs += row[c];
            s += rs;
        }
        sum += s;
    }
    fg_free(buf);
    GDALClose(ds);
    res->checksum = sum;
    return rc;
}

static int run_full(const char *path, const char *sensor, int threads, result *res,
                    double part[4])
{
    fg_ctx ctx = {0};
    fg_scene_opts so = {0};
    so.sensor = sensor;
    fg_scene *s = NULL;
    fg_fire_pixel *px = NULL;
    fg_fire *fires = NULL;
    size_t n = 0, nf = 0;
    double t0 = now_s();
    int rc = fg_scene_open(path, &so, &s, &ctx);
    double t1 = now_s(), t2 = t1, t3 = t1, t4 = t1;
    fg_thermal_input in;
    fg_thermal_params p;
    if (rc == FG_OK)
        rc = fg_scene_thermal_input(s, &in, &p, &ctx);
    t2 = now_s();
    if (rc == FG_OK)
        rc = fg_thermal_detect(&in, &p, threads, &px, &n, NULL, &ctx);
    t3 = now_s();
    if (rc == FG_OK && n > 0)
        rc = fg_fire_group(px, n, &fires, &nf, &ctx);
    t4 = now_s();
    part[0] = t1 - t0;
    part[1] = t2 - t1;
    part[2] = t3 - t2;
    part[3] = t4 - t3;
    if (rc != FG_OK)
        snprintf(res->err, sizeof res->err, "%s", ctx.msg);
    res->checksum = (double)n;
    res->nfires = (long)nf;
    fg_free(px);
    fg_free(fires);
    fg_scene_free(s);
    return rc == FG_OK ? 0 : -1;
}

/* Runs one (phase, threads) measurement in a child process; the result comes back
 * through a pipe, the child's peak memory through wait4(). */
static void measure(const char *path, const char *sensor, int full, int threads, int reps,
                    result *res)
{
    memset(res, 0, sizeof *res);
    int fd[2];
    if (pipe(fd) != 0) {
        snprintf(res->err, sizeof res->err, "pipe: %s", strerror(errno));
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(res->err, sizeof res->err, "fork: %s", strerror(errno));
        close(fd[0]);
        close(fd[1]);
        return;
    }
    if (pid == 0) {
        close(fd[0]);
        result r;
        memset(&r, 0, sizeof r);
        char nt[16];
        snprintf(nt, sizeof nt, "%d", g_gdal_threads < 0 ? threads : g_gdal_threads);
        if (g_gdal_threads != 0)
            CPLSetConfigOption("GDAL_NUM_THREADS", nt);
#ifdef _OPENMP
        omp_set_num_threads(threads);
#endif
        GDALAllRegister();
        r.best_s = INFINITY;
        r.ok = 1;
        for (int k = 0; k < reps && r.ok; k++) {
            double part[4] = {0, 0, 0, 0};
            double t0 = now_s();
            int rc = full ? run_full(path, sensor, threads, &r, part) : run_baseline(path, &r);
            double dt = now_s() - t0;
            if (rc != 0) {
                r.ok = 0;
                break;
            }
            if (dt < r.best_s) {
                r.best_s = dt;
                memcpy(r.part_s, part, sizeof part);
            }
        }
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        r.maxrss_kb = ru.ru_maxrss;
        ssize_t w = write(fd[1], &r, sizeof r);
        close(fd[1]);
        _exit(w == (ssize_t)sizeof r ? 0 : 1);
    }
    close(fd[1]);
    ssize_t got = 0;
    while (got < (ssize_t)sizeof *res) {
        ssize_t k = read(fd[0], (char *)res + got, sizeof *res - (size_t)got);
        if (k <= 0)
            break;
        got += k;
    }
    close(fd[0]);
    int st = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    wait4(pid, &st, 0, &ru);
    if (got != (ssize_t)sizeof *res) {
        memset(res, 0, sizeof *res);
        snprintf(res->err, sizeof res->err, "measurement process died (status %d)", st);
        return;
    }
    if (ru.ru_maxrss > res->maxrss_kb)
        res->maxrss_kb = ru.ru_maxrss;
}

/* Writes the scene in a child, so that the parent never touches the scene's memory
 * and never starts an OpenMP pool before forking the measurements. */
static int generate(const char *path, int nfires, uint64_t seed)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        CPLSetConfigOption("GDAL_NUM_THREADS", "ALL_CPUS");
        int k = make_scene(path, nfires, seed);
        if (k >= 0)
            printf("scene: %s (%dx%d, %d fires planted)\n", path, BW, BH, k);
        fflush(stdout);
        _exit(k >= 0 ? 0 : 1);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_sat [--sensor NAME] [--reps N] [--fires N] [--seed N] "
                    "[--compress DEFLATE|NONE] [--gdal-threads N (0 = unset; default: the "
                    "thread count)] [--keep] [--dir DIR]\n");
}

int main(int argc, char **argv)
{
    const char *sensor = "VIIRS-I", *dir = NULL;
    int reps = 3, nfires = 400, keep = 0;
    unsigned long long seed = 20261015;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--keep") == 0) {
            keep = 1;
        } else if (i + 1 < argc && strcmp(argv[i], "--sensor") == 0) {
            sensor = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--reps") == 0) {
            reps = atoi(argv[++i]);
        } else if (i + 1 < argc && strcmp(argv[i], "--fires") == 0) {
            nfires = atoi(argv[++i]);
        } else if (i + 1 < argc && strcmp(argv[i], "--seed") == 0) {
            seed = strtoull(argv[++i], NULL, 10);
        } else if (i + 1 < argc && strcmp(argv[i], "--compress") == 0) {
            i++;
            if (strcmp(argv[i], "NONE") != 0 && strcmp(argv[i], "DEFLATE") != 0) {
                usage();
                return 2;
            }
            g_uncompressed = strcmp(argv[i], "NONE") == 0;
        } else if (i + 1 < argc && strcmp(argv[i], "--gdal-threads") == 0) {
            g_gdal_threads = atoi(argv[++i]);
        } else if (i + 1 < argc && strcmp(argv[i], "--dir") == 0) {
            dir = argv[++i];
        } else {
            usage();
            return 2;
        }
    }
    if (reps < 1 || nfires < 0) {
        usage();
        return 2;
    }
    char tmpl[4096], path[4200];
    if (dir) {
        snprintf(tmpl, sizeof tmpl, "%s", dir);
        fg_ctx ctx = {0};
        if (fg_mkdir_p(dir, &ctx) != FG_OK) {
            fprintf(stderr, "bench_sat: %s\n", ctx.msg);
            return 1;
        }
    } else {
        const char *td = getenv("TMPDIR");
        snprintf(tmpl, sizeof tmpl, "%s/fg_bench_sat.XXXXXX", td && *td ? td : "/tmp");
        if (!mkdtemp(tmpl)) {
            fprintf(stderr, "bench_sat: cannot make a temporary folder: %s\n", strerror(errno));
            return 1;
        }
    }
    snprintf(path, sizeof path, "%s/viirs_6400x6464.tif", tmpl);
    double tg = now_s();
    if (generate(path, nfires, seed) != 0) {
        fprintf(stderr, "bench_sat: could not write the synthetic scene\n");
        return 1;
    }
    printf("scene written in %.1f s\n", now_s() - tg);

    const double mpx = (double)BW * BH / 1e6;
    static const int threads[2] = {1, 2};
    result base[2], full[2];
    for (int k = 0; k < 2; k++) {
        measure(path, sensor, 0, threads[k], reps, &base[k]);
        measure(path, sensor, 1, threads[k], reps, &full[k]);
    }

    char gt_txt[32];
    if (g_gdal_threads < 0)
        snprintf(gt_txt, sizeof gt_txt, "= threads");
    else if (g_gdal_threads == 0)
        snprintf(gt_txt, sizeof gt_txt, "unset");
    else
        snprintf(gt_txt, sizeof gt_txt, "%d", g_gdal_threads);
    printf("\nfiregrid satellite benchmark: %dx%d = %.1f Mpx, MIR_BT+TIR_BT Float32 tiled GeoTIFF "
           "(%s), sensor %s, GDAL_NUM_THREADS %s, best of %d\n\n",
           BW, BH, mpx, g_uncompressed ? "uncompressed" : "deflate", sensor, gt_txt, reps);
    printf("| phase | threads | time (s) | Mpx/s | peak RSS (MiB) | full / baseline |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    int failed = 0;
    for (int k = 0; k < 2; k++) {
        const result *b = &base[k], *f = &full[k];
        if (b->ok)
            printf("| baseline: GDAL read + sum | %d | %.3f | %.1f | %.0f | |\n", threads[k],
                   b->best_s, mpx / b->best_s, b->maxrss_kb / 1024.0);
        else
            printf("| baseline: GDAL read + sum | %d | failed: %s | | | |\n", threads[k], b->err);
        if (f->ok && b->ok)
            printf("| full: open + input + detect + group | %d | %.3f | %.1f | %.0f | %.2f× |\n",
                   threads[k], f->best_s, mpx / f->best_s, f->maxrss_kb / 1024.0,
                   f->best_s / b->best_s);
        else if (f->ok)
            printf("| full: open + input + detect + group | %d | %.3f | %.1f | %.0f | |\n",
                   threads[k], f->best_s, mpx / f->best_s, f->maxrss_kb / 1024.0);
        else
            printf("| full: open + input + detect + group | %d | failed: %s | | | |\n",
                   threads[k], f->err);
        failed |= !b->ok || !f->ok;
    }
    printf("\nfull, best repetition, by step (s):\n\n");
    printf("| threads | fg_scene_open | thermal_input | thermal_detect | fire_group | fire px | "
           "fires |\n|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int k = 0; k < 2; k++)
        if (full[k].ok)
            printf("| %d | %.3f | %.3f | %.3f | %.3f | %.0f | %ld |\n", threads[k],
                   full[k].part_s[0], full[k].part_s[1], full[k].part_s[2], full[k].part_s[3],
                   full[k].checksum, full[k].nfires);
    if (full[1].ok && base[1].ok) {
        double t = full[1].best_s, ratio = t / base[1].best_s;
        printf("\nissue 3 targets (2 threads): whole scene < 1.5 s: %s (%.3f s); within 4× of "
               "the baseline: %s (%.2f×)\n",
               t < 1.5 ? "MET" : "NOT MET", t, ratio <= 4.0 ? "MET" : "NOT MET", ratio);
    }
    if (!keep) {
        remove(path);
        if (!dir)
            rmdir(tmpl);
    } else {
        printf("scene kept: %s\n", path);
    }
    return failed ? 1 : 0;
}
