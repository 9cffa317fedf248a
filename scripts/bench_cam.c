/* bench_cam.c — benchmark: camera frames per second, full smoke detection vs TurboJPEG decode-only at the same scale, 1 and N threads. */
/* SPDX-License-Identifier: MIT */
/*
 * Frames of a textured farmland scene (sky, a distant hill line, field parcels with
 * harvest rows and soil texture fading with range, per-frame sensor noise and a slow
 * drift of the light) are written once as JPEG at quality 90 in two sizes: 3072×2048
 * (the FIgLib / HPWREN cameras) and 1920×1080. In this same run, for each size and
 * thread count, best of N repetitions:
 *   decode  the camera runner's frame stream (fg_frame_stream_run) with a consumer
 *           that does nothing: frames in batches of 4 per thread, decoded with one
 *           TurboJPEG handle per thread to the JPEG's own YCbCr 4:2:0 planes (what
 *           the runner decodes and the detector reads), at the scale the runner
 *           chooses (the largest reduction keeping the working width ≥ 960 px,
 *           fg_cam_auto_scale: 1/2 for both sizes);
 *   full    the same stream whose consumer pushes each frame in time order through
 *           one camera's fg_smoke state with the bundled block model, as the runner's
 *           take_frame in alerts/cameras.c does (without its rows and logging): the
 *           other threads decode the next batch meanwhile;
 *   rules   the same without the block model (the detector's rules alone), for reference.
 * The ratio full/decode is the bar (≤ 1.5). Frames per second are frames of one
 * camera; several cameras run in parallel in the runner. "threads" bounds every
 * parallel loop, the detector's included (omp_set_num_threads, as fg_cam_run does).
 */
#include "alerts/alerts.h"
#include "imagery/imagery.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static double clamp(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

/* The static scene: sky above a hill line at ~28 % of the height, fields below whose
 * parcels shrink towards the horizon (perspective), rows within parcels and soil
 * texture at several scales. */
static float *render_base(int w, int h)
{
    float *b = malloc((size_t)w * h * 3 * sizeof *b);
    if (!b)
        return NULL;
    static const double parcel[5][3] = {
        {186, 166, 112}, {146, 120, 88}, {108, 90, 72}, {98, 124, 72}, {204, 186, 132}};
    double horizon = 0.28 * h;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            float *p = b + ((size_t)y * w + x) * 3;
            double u = (double)x / w, v = (double)y / h;
            double hill = horizon - h * (0.02 + 0.03 * fg_value_noise(11, u * 6, 0.5));
            double rgb[3];
            if (y < hill) {
                double t = clamp((hill - y) / hill, 0, 1);
                double n = fg_value_noise(12, u * 8, v * 20) - 0.5;
                rgb[0] = 206 - 100 * t + 6 * n;
                rgb[1] = 214 - 70 * t + 6 * n;
                rgb[2] = 224 - 20 * t + 4 * n;
            } else if (y < horizon) {
                double n = fg_value_noise(13, u * 60, v * 60) - 0.5;
                rgb[0] = 140 + 20 * n, rgb[1] = 146 + 20 * n, rgb[2] = 150 + 16 * n;
            } else {
                /* depth ~ 1 / (row below the horizon): parcels shrink towards it */
                double dz = (y - horizon + 1) / (h - horizon);
                double gx = (u - 0.5) / dz, gy = 1.0 / dz;
                int64_t iu = (int64_t)floor(gx * 4), iv = (int64_t)floor(gy * 1.5);
                int type = (int)(fg_hash01(14, iu, iv) * 5);
                double rows = 0.5 + 0.5 * sin(2 * M_PI * gx * 60);
                double tex = fg_value_noise(15, u * 200, v * 200) - 0.5;
                double tex2 = fg_value_noise(16, u * 40, v * 40) - 0.5;
                double keep = clamp(dz * 2, 0.2, 1);
                for (int k = 0; k < 3; k++)
                    rgb[k] = parcel[type][k] * (1 + 0.1 * keep * (rows - 0.5) + 0.2 * tex * keep +
                                                0.1 * tex2);
            }
            for (int k = 0; k < 3; k++)
                p[k] = (float)rgb[k];
        }
    }
    return b;
}

static int write_frames(const char *dir, int w, int h, int nframes, fg_ctx *ctx)
{
    float *base = render_base(w, h);
    fg_raster r;
    if (!base || fg_raster_alloc(&r, w, h, 3, FG_PIX_U8, 0, ctx) != FG_OK) {
        free(base);
        return FG_ENOMEM;
    }
    int rc = FG_OK;
    for (int f = 0; f < nframes && rc == FG_OK; f++) {
        double gain = 1 + 0.01 * sin(f * 0.7); /* slow drift of the light */
        unsigned char *px = r.data;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int k = 0; k < 3; k++) {
                    size_t i = ((size_t)y * w + x) * 3 + (size_t)k;
                    double n = 6 * (fg_hash01((uint64_t)f * 3 + (uint64_t)k, x, y) - 0.5);
                    px[i] = (unsigned char)clamp(base[i] * gain + n, 0, 255);
                }
        char path[1100];
        snprintf(path, sizeof path, "%s/%lld.jpg", dir, 1792051200LL + 60LL * f);
        rc = fg_jpeg_write(path, &r, 90, ctx);
    }
    fg_raster_release(&r);
    free(base);
    return rc;
}

typedef struct bench {
    char (*paths)[1200];
    int n;
    int scale;
} bench;

/* What the stream's consumer holds: the camera's detector (NULL: decode only). */
typedef struct consumer {
    const bench *b;
    int detect;
    fg_smoke_params sp;
    fg_smoke *sm;
    int alarms, fail;
} consumer;

static const char *bench_path(void *user, size_t i)
{
    const consumer *c = user;
    return c->b->paths[i];
}

static int bench_take(void *user, size_t i, fg_raster *ras, int rc, int fw, int fh,
                      const fg_ctx *err)
{
    consumer *c = user;
    fg_ctx ctx = {0};
    if (rc != FG_OK) {
        c->fail = 1;
        return 1;
    }
    if (!c->detect)
        return 0;
    if (!c->sm && fg_smoke_new(&c->sp, ras->width, ras->height, &c->sm, &ctx) != FG_OK) {
        c->fail = 1;
        return 1;
    }
    fg_smoke_result res;
    if (fg_smoke_push(c->sm, ras, 1792051200 + 60LL * (int64_t)i, &res, &ctx) != FG_OK) {
        c->fail = 1;
        return 1;
    }
    c->alarms += res.alarm != 0;
    return 0;
}

/* Streams all frames through fg_frame_stream_run as the camera runner does
 * (decoding ahead on every thread, frames taken in time order) with the
 * detector, or decode only. Returns seconds, or a negative value on failure. */
static double run_once(const bench *b, int threads, int detect, const fg_smoke_model *model,
                       int *alarms)
{
    fg_jpeg_decoder **decs = calloc((size_t)threads, sizeof *decs);
    fg_ctx ctx = {0};
    int ok = decs != NULL;
    for (int t = 0; ok && t < threads; t++)
        ok = fg_jpeg_decoder_new(&decs[t], &ctx) == FG_OK;
    consumer c = {b, detect, {0}, NULL, 0, 0};
    fg_smoke_params_default(&c.sp);
    c.sp.model = model;
    fg_frame_stream st = {(size_t)b->n, bench_path, b->scale, 0, 0, bench_take, &c, 1};
#ifdef _OPENMP
    int caller = omp_get_max_threads();
    omp_set_num_threads(threads); /* as fg_cam_run with --threads */
#endif
    double t0 = now_s();
    if (ok && fg_frame_stream_run(&st, decs, threads, &ctx) != FG_OK)
        ok = 0;
    double dt = now_s() - t0;
#ifdef _OPENMP
    omp_set_num_threads(caller);
#endif
    fg_smoke_free(c.sm);
    for (int t = 0; decs && t < threads; t++)
        fg_jpeg_decoder_free(decs[t]);
    free(decs);
    *alarms = c.alarms;
    return ok && !c.fail ? dt : -1;
}

int main(int argc, char **argv)
{
    const char *dir = "bench_cam_frames";
    int nframes = 24, reps = 3, maxthreads = 2;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--frames") == 0 && i + 1 < argc)
            nframes = atoi(argv[++i]);
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            maxthreads = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench_cam [--dir DIR] [--frames N] [--reps N] [--threads N]\n");
            return 2;
        }
    }
    if (nframes < 1 || reps < 1 || maxthreads < 1) {
        fprintf(stderr, "bench_cam: --frames, --reps and --threads must be positive\n");
        return 2;
    }
    struct {
        int w, h, scale; /* scale: the runner's choice (fg_cam_auto_scale) */
    } sizes[] = {{3072, 2048, 0}, {1920, 1080, 0}};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        sizes[s].scale = fg_cam_auto_scale(sizes[s].w);
    fg_smoke_model model;
    fg_ctx ctx = {0};
    const fg_smoke_model *mp = NULL;
    if (fg_smoke_model_read(NULL, &model, &ctx) == FG_OK)
        mp = &model;
    else
        printf("note: bundled smoke model not usable (%s); detector runs rules only\n", ctx.msg);
    printf("frames per run: %d, best of %d, JPEG quality 90, textured farmland scene\n", nframes,
           reps);
    printf("| frame | scale | working | threads | decode-only fps | full fps | full/decode | rules "
           "fps | rules/decode |\n");
    printf("|---|---|---|---|---|---|---|---|---|\n");
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        char sub[1024];
        snprintf(sub, sizeof sub, "%s/%dx%d", dir, sizes[s].w, sizes[s].h);
        if (fg_mkdir_p(sub, &ctx) != FG_OK) {
            fprintf(stderr, "bench_cam: %s\n", ctx.msg);
            return 1;
        }
        bench b = {0};
        b.n = nframes;
        b.scale = sizes[s].scale;
        b.paths = calloc((size_t)nframes, sizeof *b.paths);
        char probe[1100];
        snprintf(probe, sizeof probe, "%s/%lld.jpg", sub, 1792051200LL + 60LL * (nframes - 1));
        struct stat st;
        if (stat(probe, &st) != 0 && write_frames(sub, sizes[s].w, sizes[s].h, nframes, &ctx) != FG_OK) {
            fprintf(stderr, "bench_cam: cannot write frames: %s\n", ctx.msg);
            return 1;
        }
        for (int i = 0; i < nframes; i++)
            snprintf(b.paths[i], sizeof b.paths[i], "%s/%lld.jpg", sub, 1792051200LL + 60LL * i);
        for (int t = 1; t <= maxthreads; t *= 2) {
            double best_dec = INFINITY, best_full = INFINITY, best_rules = INFINITY;
            int alarms = 0, alarms_rules = 0;
            /* the three runs interleaved, so a load change on the machine hits all of them */
            for (int r = 0; r < reps; r++) {
                double d = run_once(&b, t, 0, NULL, &alarms);
                double f = run_once(&b, t, 1, mp, &alarms);
                double q = run_once(&b, t, 1, NULL, &alarms_rules);
                if (d < 0 || f < 0 || q < 0) {
                    fprintf(stderr, "bench_cam: a frame failed to decode or detect\n");
                    return 1;
                }
                best_dec = fmin(best_dec, d);
                best_full = fmin(best_full, f);
                best_rules = fmin(best_rules, q);
            }
            printf("| %dx%d | 1/%d | %dx%d | %d | %.1f | %.1f | %.2f | %.1f | %.2f |\n", sizes[s].w,
                   sizes[s].h, sizes[s].scale, (sizes[s].w + sizes[s].scale - 1) / sizes[s].scale,
                   (sizes[s].h + sizes[s].scale - 1) / sizes[s].scale, t, nframes / best_dec,
                   nframes / best_full, best_full / best_dec, nframes / best_rules,
                   best_rules / best_dec);
            if (alarms || alarms_rules)
                printf("note: %d (model) and %d (rules) alarm(s) on the smoke-free scene at %d "
                       "thread(s)\n",
                       alarms, alarms_rules, t);
        }
        free(b.paths);
    }
    return 0;
}
