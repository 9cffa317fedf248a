/* eval_camera.c — evaluates the camera smoke detector on the real camera sets of ../shared/data/camera. */
/* SPDX-License-Identifier: MIT */
/*
 * Usage
 *   eval_camera [options] CAMERA_DIR
 *       CAMERA_DIR is ../shared/data/camera (see ../shared/data/README.md).
 *       Parts (all by default, or those named with --part):
 *       figlib    each FIgLib sequence in time order: alarm frames before
 *                 ignition (negative offset in "<unix>_<offset>.jpg"), minutes
 *                 from ignition to the first alarm, the first alarm's box
 *       webcam    webcam-negatives, each sub-folder one camera in time order,
 *                 with the default gap reset (frames days apart: every frame
 *                 restarts the warm-up) and with gap_reset_s = 0 (every frame
 *                 compared with the previous one as if a minute apart)
 *       nosmoke   web-nosmoke: each photo as a 10-frame synthetic sequence
 *                 (camera shake, exposure drift, sensor noise), plus
 *                 appearance-only block positives of the learned model
 *       masks     block precision/recall of the learned model on the held-out
 *                 part of hpwren-smoke-masks
 *   eval_camera --clip DIR LABEL
 *       the JPEG frames in DIR (e.g. ffmpeg at 1 frame/s) with the close-range
 *       parameters; LABEL "positive" or "negative" is printed with the result.
 * Options
 *   --model FILE|none  block model (default: models/smoke_model.txt of the
 *                      source tree, embedded in the library)
 *   --part NAME        run one part (repeatable)
 *   --min-prob P       block probability the detector requires (default: the
 *                      model's threshold)
 *   --threads N        OpenMP threads (default 1)
 *   --cameras FILE     camera registry (firegrid's CSV format); a FIgLib
 *                      sequence "<date>_FIRE_<camera>" uses the mask_wkt and
 *                      the flat-earth horizon of the row whose camera_id is
 *                      <camera>, as `firegrid detect-cam --registry` does
 *   --plumes FILE      "sequence,x,y,w,h" lines: the full-resolution box where
 *                      each sequence's smoke shows in its first minutes (drawn
 *                      by eye); an alarm counts as a detection only when its
 *                      box meets that box, other alarms after ignition are
 *                      counted as false
 *   -v                 one line per frame
 * Working scale: frames are decoded with TurboJPEG's DCT scaling at the
 * smallest of 1/1, 1/2, 1/4, 1/8 that keeps the width at or above 960 px,
 * as `firegrid detect-cam` does (3072 px → 1536 px and 2048 px → 1024 px at
 * 1/2; 704 px → 1/1): an 8-px detector block is 8–16 full-resolution pixels.
 * Exit status: 0 success or data absent, 1 usage or I/O error.
 */
#include "detect/detect.h"
#include "alerts/alerts.h"
#include "imagery/imagery.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define NOSMOKE_FRAMES 10
/* one frame a minute */
#define FRAMES_PER_DAY 1440.0

typedef struct opts {
    const char *dir;
    const char *model_path; /* NULL = bundled */
    int no_model;
    int threads;
    double min_prob; /* < 0: the model's own threshold */
    int verbose;
    unsigned parts;
    const char *clip_dir, *clip_label;
    fg_camera *cams;     /* --cameras: registry with per-camera masks */
    size_t ncams;
    const char *plumes;  /* --plumes: where each FIgLib plume shows (by eye) */
} opts;

enum { P_FIGLIB = 1, P_WEBCAM = 2, P_NOSMOKE = 4, P_MASKS = 8 };

typedef struct frame {
    char *path;
    char name[256];
    int64_t t;
    long offset; /* FIgLib offset from ignition (s) */
} frame;

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_frame(const void *a, const void *b)
{
    const frame *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_jpeg_ext(const char *n)
{
    size_t l = strlen(n);
    return (l > 4 && (!strcasecmp(n + l - 4, ".jpg"))) || (l > 5 && !strcasecmp(n + l - 5, ".jpeg"));
}

/* "2012_0104_09400.jpg" (panorama webcam: year_MMDD_HHMM + a digit) — a name
 * form the library's parser does not know. */
static int panorama_time(const char *n, int64_t *t)
{
    int y, mo, d, hh, mm;
    if (sscanf(n, "%4d_%2d%2d_%2d%2d", &y, &mo, &d, &hh, &mm) != 5)
        return FG_EFORMAT;
    return fg_time_from_civil(y, mo, d, hh, mm, 0, t);
}

/* Lists dir's JPEGs sorted by time (file name; FIgLib "<unix>_<offset>");
 * untimed: photos without a time, sorted by name (time 0). */
static frame *list_frames_opt(const char *dir, size_t *n, int untimed)
{
    DIR *d = opendir(dir);
    *n = 0;
    if (!d)
        return NULL;
    frame *v = NULL;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!has_jpeg_ext(e->d_name))
            continue;
        frame f;
        memset(&f, 0, sizeof f);
        snprintf(f.name, sizeof f.name, "%s", e->d_name);
        long long unix_t;
        long off;
        if (untimed) {
            f.t = 0;
        } else if (sscanf(e->d_name, "%lld_%ld", &unix_t, &off) == 2 && unix_t > 1000000000LL) {
            f.t = unix_t;
            f.offset = off;
        } else if (fg_frame_time_from_name(e->d_name, &f.t) != FG_OK &&
                   panorama_time(e->d_name, &f.t) != FG_OK) {
            fprintf(stderr, "eval_camera: %s/%s: no time in the name, skipped\n", dir, e->d_name);
            continue;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        f.path = malloc(len);
        if (!f.path)
            break;
        snprintf(f.path, len, "%s/%s", dir, e->d_name);
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            frame *nv = realloc(v, cap * sizeof *v);
            if (!nv) {
                free(f.path);
                break;
            }
            v = nv;
        }
        v[(*n)++] = f;
    }
    closedir(d);
    if (*n)
        qsort(v, *n, sizeof *v, cmp_frame);
    return v;
}

static frame *list_frames(const char *dir, size_t *n) { return list_frames_opt(dir, n, 0); }

static void free_frames(frame *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].path);
    free(v);
}

/* Sorted sub-folder names of dir. */
static char **list_subdirs(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    *n = 0;
    if (!d)
        return NULL;
    char **v = NULL;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (!is_dir(p))
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            char **nv = realloc(v, cap * sizeof *v);
            if (!nv)
                break;
            v = nv;
        }
        v[(*n)++] = strdup(e->d_name);
    }
    closedir(d);
    if (*n)
        qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

/* Decodes at the working scale, as the runner does (YCbCr 4:2:0 planes) or
 * as RGB (rgb): a first decode at 1/8 tells the full size. */
static int decode_work(fg_jpeg_decoder *dec, const char *path, int rgb, fg_raster *img, int *fw,
                       int *fh, int *scale)
{
    fg_ctx ctx = {0};
    fg_raster probe = {0};
    if (fg_jpeg_decode_file(dec, path, 8, 0, &probe, fw, fh, &ctx) != FG_OK) {
        fprintf(stderr, "eval_camera: %s\n", ctx.msg);
        return -1;
    }
    fg_raster_release(&probe);
    *scale = fg_cam_auto_scale(*fw); /* the runner's choice */
    if ((rgb ? fg_jpeg_decode_file(dec, path, *scale, 0, img, fw, fh, &ctx)
             : fg_jpeg_decode_ycc(dec, path, *scale, 0, img, fw, fh, &ctx)) != FG_OK) {
        fprintf(stderr, "eval_camera: %s\n", ctx.msg);
        return -1;
    }
    return 0;
}

static void print_result(const char *tag, const char *name, const fg_smoke_result *r)
{
    printf("  %s %-24s alarm %d score %.3f pers %d blocks %d box %d,%d %dx%d growth %.2f rise "
           "%.0f hist %.2f\n",
           tag, name, r->alarm, r->score, r->persisted, r->nblocks, r->x, r->y, r->w, r->h,
           r->growth, r->rise, r->history);
}

/* ----------------------------------------------------------------- FIgLib */

/* The annotated plume box of a sequence (full-resolution pixels); 0 when
 * none is given. */
static int plume_box(const char *path, const char *seq, int box[4])
{
    FILE *f = path ? fopen(path, "r") : NULL;
    if (!f)
        return 0;
    char line[1024], name[512];
    int found = 0;
    while (!found && fgets(line, sizeof line, f))
        found = line[0] != '#' &&
                sscanf(line, "%511[^,],%d,%d,%d,%d", name, &box[0], &box[1], &box[2], &box[3]) ==
                    5 &&
                !strcmp(name, seq);
    fclose(f);
    return found;
}

/* Does an alarm box (working pixels at 1/scale) meet the plume box? */
static int on_plume(const fg_smoke_result *r, int scale, const int box[4])
{
    int x0 = r->x * scale, y0 = r->y * scale, x1 = x0 + r->w * scale, y1 = y0 + r->h * scale;
    return x0 < box[0] + box[2] && box[0] < x1 && y0 < box[1] + box[3] && box[1] < y1;
}

static const fg_camera *camera_of(const opts *o, const char *seq)
{
    const char *id = strstr(seq, "_FIRE_");
    for (size_t i = 0; id && i < o->ncams; i++)
        if (!strcmp(o->cams[i].id, id + 6))
            return &o->cams[i];
    return NULL;
}

static int eval_figlib(const opts *o, const fg_smoke_model *model, fg_jpeg_decoder *dec)
{
    char root[4096];
    snprintf(root, sizeof root, "%s/figlib-sequences", o->dir);
    size_t ns = 0;
    char **seqs = list_subdirs(root, &ns);
    printf("## FIgLib sequences (%s)\n", root);
    int met = 1;
    for (size_t k = 0; k < ns; k++) {
        char dir[8192];
        snprintf(dir, sizeof dir, "%s/%s", root, seqs[k]);
        size_t n = 0;
        frame *fr = list_frames(dir, &n);
        fg_smoke_params p;
        fg_smoke_params_default(&p);
        p.model = model;
        if (model)
            p.min_prob = o->min_prob >= 0 ? (float)o->min_prob : model->threshold;
        fg_smoke *sm = NULL;
        int before = 0, nafter = 0, nbefore = 0, scale = 0, fw = 0, fh = 0, offplume = 0;
        int box[4], have_box = plume_box(o->plumes, seqs[k], box);
        const fg_camera *cam = camera_of(o, seqs[k]);
        unsigned char *ignore = NULL;
        long first = -1;
        fg_smoke_result firstr;
        memset(&firstr, 0, sizeof firstr);
        for (size_t i = 0; i < n; i++) {
            fg_raster img = {0};
            if (decode_work(dec, fr[i].path, 0, &img, &fw, &fh, &scale) != 0)
                continue;
            fg_ctx ctx = {0};
            if (!sm && cam &&
                fg_camera_block_mask(cam, img.width, img.height, p.block, &ignore, &ctx) != FG_OK) {
                fprintf(stderr, "eval_camera: %s\n", ctx.msg);
                fg_raster_release(&img);
                break;
            }
            p.ignore = ignore;
            if (!sm && cam) /* the registry's horizon, as the runner sets it */
                p.horizon_row = fg_camera_work_horizon(cam, fw, fh, img.height);
            if (!sm && fg_smoke_new(&p, img.width, img.height, &sm, &ctx) != FG_OK) {
                fprintf(stderr, "eval_camera: %s\n", ctx.msg);
                fg_raster_release(&img);
                break;
            }
            fg_smoke_result r;
            int rc = fg_smoke_push(sm, &img, fr[i].t, &r, &ctx);
            fg_raster_release(&img);
            if (rc != FG_OK) {
                fprintf(stderr, "eval_camera: %s: %s\n", fr[i].path, ctx.msg);
                continue;
            }
            if (fr[i].offset < 0) {
                nbefore++;
                before += r.alarm;
            } else {
                nafter++;
                if (r.alarm && have_box && !on_plume(&r, scale, box)) {
                    offplume++;
                } else if (r.alarm && first < 0) {
                    first = fr[i].offset;
                    firstr = r;
                }
            }
            if (o->verbose)
                print_result(fr[i].offset < 0 ? "pre " : "post", fr[i].name, &r);
        }
        printf("%s: %zu frames (%d before ignition, %d from ignition on), %dx%d decoded at 1/%d\n",
               seqs[k], n, nbefore, nafter, fw, fh, scale);
        printf("  registry: %s\n", !cam ? "none (horizon estimated from the frames)"
                                    : ignore ? "mask_wkt and horizon row"
                                             : "horizon row (no mask)");
        printf("  alarm frames before ignition: %d\n", before);
        if (have_box)
            printf("  alarm frames after ignition away from the plume (box x %d y %d w %d h %d): "
                   "%d\n",
                   box[0], box[1], box[2], box[3], offplume);
        if (first >= 0) {
            printf("  first alarm: %.1f min after ignition; box (full-res px) x %d y %d w %d h %d; "
                   "score %.3f\n",
                   first / 60.0, firstr.x * scale, firstr.y * scale, firstr.w * scale,
                   firstr.h * scale, firstr.score);
        } else {
            printf("  first alarm: none in %d frames after ignition\n", nafter);
        }
        int ok = before == 0 && offplume == 0 && first >= 0 && first <= 300;
        printf("  bar (0 before%s, first <= 5 min): %s\n", have_box ? ", 0 away from the plume" : "",
               ok ? "met" : "NOT met");
        met &= ok;
        fg_free(ignore);
        fg_smoke_free(sm);
        free_frames(fr, n);
        free(seqs[k]);
    }
    free(seqs);
    if (!ns)
        printf("  (no sequences)\n");
    return met;
}

/* ---------------------------------------------------------- webcam negatives */

typedef struct neg_tally {
    long frames, alarms, episodes;
} neg_tally;

static void run_camera_dir(const opts *o, const fg_smoke_model *model, fg_jpeg_decoder *dec,
                           const char *dir, int gap_reset_s, neg_tally *t)
{
    size_t n = 0;
    frame *fr = list_frames(dir, &n);
    fg_smoke_params p;
    fg_smoke_params_default(&p);
    p.model = model;
    if (model)
        p.min_prob = o->min_prob >= 0 ? (float)o->min_prob : model->threshold;
    p.gap_reset_s = gap_reset_s;
    fg_smoke *sm = NULL;
    int ww = 0, wh = 0, in_alarm = 0;
    for (size_t i = 0; i < n; i++) {
        fg_raster img = {0};
        int fw, fh, scale;
        if (decode_work(dec, fr[i].path, 0, &img, &fw, &fh, &scale) != 0)
            continue;
        fg_ctx ctx = {0};
        if (sm && (img.width != ww || img.height != wh)) {
            /* a camera whose frame size changed: a new view, start afresh */
            fg_smoke_free(sm);
            sm = NULL;
        }
        if (!sm) {
            if (fg_smoke_new(&p, img.width, img.height, &sm, &ctx) != FG_OK) {
                fprintf(stderr, "eval_camera: %s\n", ctx.msg);
                fg_raster_release(&img);
                continue;
            }
            ww = img.width;
            wh = img.height;
        }
        fg_smoke_result r;
        int rc = fg_smoke_push(sm, &img, fr[i].t, &r, &ctx);
        fg_raster_release(&img);
        if (rc != FG_OK) {
            fprintf(stderr, "eval_camera: %s: %s\n", fr[i].path, ctx.msg);
            continue;
        }
        t->frames++;
        t->alarms += r.alarm;
        t->episodes += r.alarm && !in_alarm;
        in_alarm = r.alarm;
        if (o->verbose || r.alarm)
            print_result(r.alarm ? "ALARM" : "     ", fr[i].path, &r);
    }
    fg_smoke_free(sm);
    free_frames(fr, n);
}

static void print_rate(const char *what, const neg_tally *t)
{
    double per_frame = t->frames ? (double)t->alarms / t->frames : 0;
    printf("  %s: %ld frames, %ld alarm frames (%ld episodes); %.4f alarms/frame = %.2f per "
           "camera-day at 1 frame/min\n",
           what, t->frames, t->alarms, t->episodes, per_frame, per_frame * FRAMES_PER_DAY);
}

static void eval_webcam(const opts *o, const fg_smoke_model *model, fg_jpeg_decoder *dec,
                        neg_tally *tot_gap0)
{
    char root[4096];
    snprintf(root, sizeof root, "%s/webcam-negatives", o->dir);
    size_t ns = 0;
    char **cams = list_subdirs(root, &ns);
    printf("## webcam-negatives (%s)\n", root);
    neg_tally all_def = {0}, all_0 = {0};
    for (size_t k = 0; k < ns; k++) {
        char dir[8192];
        snprintf(dir, sizeof dir, "%s/%s", root, cams[k]);
        neg_tally a = {0}, b = {0};
        fg_smoke_params d;
        fg_smoke_params_default(&d);
        run_camera_dir(o, model, dec, dir, d.gap_reset_s, &a);
        run_camera_dir(o, model, dec, dir, 0, &b);
        printf("%s:\n", cams[k]);
        print_rate("default gap reset (frames days apart: each restarts the warm-up)", &a);
        print_rate("gap_reset_s = 0 (consecutive frames compared)", &b);
        all_def.frames += a.frames, all_def.alarms += a.alarms, all_def.episodes += a.episodes;
        all_0.frames += b.frames, all_0.alarms += b.alarms, all_0.episodes += b.episodes;
        free(cams[k]);
    }
    free(cams);
    printf("all webcam-negatives:\n");
    print_rate("default gap reset", &all_def);
    print_rate("gap_reset_s = 0", &all_0);
    *tot_gap0 = all_0;
}

/* ------------------------------------------------------------ web-nosmoke */

/* Bilinear shift by (dx, dy) with edge clamping, gain, and Gaussian noise. */
static void synth_frame(const fg_raster *src, fg_raster *dst, double dx, double dy, double gain,
                        double sigma, fg_rng *rng)
{
    const unsigned char *s = src->data;
    unsigned char *d = dst->data;
    int w = src->width, h = src->height;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            double sx = x + dx, sy = y + dy;
            sx = sx < 0 ? 0 : sx > w - 1 ? w - 1 : sx;
            sy = sy < 0 ? 0 : sy > h - 1 ? h - 1 : sy;
            int x0 = (int)sx, y0 = (int)sy;
            int x1 = x0 + 1 < w ? x0 + 1 : x0, y1 = y0 + 1 < h ? y0 + 1 : y0;
            double fx = sx - x0, fy = sy - y0;
            for (int k = 0; k < 3; k++) {
                double v = (1 - fx) * (1 - fy) * s[(size_t)y0 * src->stride + 3 * x0 + k] +
                           fx * (1 - fy) * s[(size_t)y0 * src->stride + 3 * x1 + k] +
                           (1 - fx) * fy * s[(size_t)y1 * src->stride + 3 * x0 + k] +
                           fx * fy * s[(size_t)y1 * src->stride + 3 * x1 + k];
                v = v * gain + sigma * fg_rng_gauss(rng);
                v = v < 0 ? 0 : v > 255 ? 255 : v;
                d[(size_t)y * dst->stride + 3 * x + k] = (unsigned char)lrint(v);
            }
        }
}

static void eval_nosmoke(const opts *o, const fg_smoke_model *model, fg_jpeg_decoder *dec,
                         neg_tally *tot)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/web-nosmoke", o->dir);
    printf("## web-nosmoke (%s): each photo as %d frames a minute apart with camera shake "
           "(uniform +-1 px), exposure drift (random walk, 1 %% a frame) and sensor noise "
           "(sigma 2 DN)\n",
           dir, NOSMOKE_FRAMES);
    size_t n = 0;
    frame *fr = list_frames_opt(dir, &n, 1);
    neg_tally t = {0};
    long blocks = 0, app_pos = 0, app_pos_below = 0, blocks_below = 0, photos_app = 0;
    for (size_t i = 0; i < n; i++) {
        fg_raster img = {0}, syn = {0};
        int fw, fh, scale;
        if (decode_work(dec, fr[i].path, 1, &img, &fw, &fh, &scale) != 0)
            continue;
        fg_ctx ctx = {0};
        fg_smoke_params p;
        fg_smoke_params_default(&p);
        p.model = model;
        if (model)
            p.min_prob = o->min_prob >= 0 ? (float)o->min_prob : model->threshold;
        fg_smoke *sm = NULL;
        if (fg_raster_alloc(&syn, img.width, img.height, 3, FG_PIX_U8, 0, &ctx) != FG_OK ||
            fg_smoke_new(&p, img.width, img.height, &sm, &ctx) != FG_OK) {
            fprintf(stderr, "eval_camera: %s: %s\n", fr[i].path, ctx.msg);
            fg_raster_release(&img);
            fg_raster_release(&syn);
            continue;
        }
        /* appearance only: blocks the model calls smoke on the photo itself */
        if (model) {
            int bw = img.width / p.block, bh = img.height / p.block;
            float *f = malloc((size_t)bw * bh * FG_SF_COUNT * sizeof(float));
            double hz = fg_smoke_horizon(&img);
            if (f && fg_smoke_appearance(&img, p.block, hz, f, &ctx) == FG_OK) {
                long pos = 0;
                for (int b = 0; b < bw * bh; b++) {
                    int is = fg_smoke_model_prob(model, f + (size_t)b * FG_SF_COUNT) >=
                             model->threshold;
                    int below = (b / bw + 0.5) * p.block > hz;
                    pos += is;
                    app_pos_below += is && below;
                    blocks_below += below;
                }
                blocks += bw * bh;
                app_pos += pos;
                photos_app += pos > 0;
            }
            free(f);
        }
        fg_rng rng = {fg_mix64(0x5eed0000ULL + i)};
        double gain = 1.0;
        int in_alarm = 0;
        for (int k = 0; k < NOSMOKE_FRAMES; k++) {
            gain *= 1.0 + 0.01 * fg_rng_gauss(&rng);
            double dx = fg_rng_range(&rng, -1, 1), dy = fg_rng_range(&rng, -1, 1);
            synth_frame(&img, &syn, dx, dy, gain, 2.0, &rng);
            fg_smoke_result r;
            if (fg_smoke_push(sm, &syn, 1700000000 + 60 * (int64_t)k, &r, &ctx) != FG_OK) {
                fprintf(stderr, "eval_camera: %s: %s\n", fr[i].path, ctx.msg);
                break;
            }
            t.frames++;
            t.alarms += r.alarm;
            t.episodes += r.alarm && !in_alarm;
            in_alarm = r.alarm;
            if (o->verbose || r.alarm)
                print_result(r.alarm ? "ALARM" : "     ", fr[i].name, &r);
        }
        fg_smoke_free(sm);
        fg_raster_release(&img);
        fg_raster_release(&syn);
    }
    print_rate("web-nosmoke synthetic sequences", &t);
    if (model && blocks)
        printf("  appearance only (model p >= %.3f on single photos): %ld of %ld blocks (%.2f %%), "
               "%ld of %ld below the estimated horizon (%.2f %%); %ld of %zu photos have one\n",
               model->threshold, app_pos, blocks, 100.0 * app_pos / blocks, app_pos_below,
               blocks_below, blocks_below ? 100.0 * app_pos_below / blocks_below : 0.0,
               photos_app, n);
    free_frames(fr, n);
    *tot = t;
}

/* ---------------------------------------------------------- hpwren masks */


/* The held-out rule: "held out when [fg_mix64(]FNV-1a-64(file stem)[)] % 100 < N". */
typedef struct split_rule {
    int mix; /* fg_mix64 applied to the hash */
    int pct;
    int from_model; /* read from the model's provenance */
} split_rule;

static void eval_masks(const opts *o, const fg_smoke_model *model, fg_jpeg_decoder *dec,
                       const split_rule *split)
{
    char dir[4096], gtdir[4096];
    snprintf(dir, sizeof dir, "%s/hpwren-smoke-masks/img", o->dir);
    snprintf(gtdir, sizeof gtdir, "%s/hpwren-smoke-masks/gt", o->dir);
    printf("## hpwren-smoke-masks held-out split (%s)\n", dir);
    if (!model) {
        printf("  no block model: skipped\n");
        return;
    }
    DIR *d = opendir(dir);
    if (!d) {
        printf("  absent: skipped\n");
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!has_jpeg_ext(e->d_name))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            char **nv = realloc(names, cap * sizeof *names);
            if (!nv)
                break;
            names = nv;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    const int block = 8;
    long tp = 0, fp = 0, fn = 0, tn = 0, nheld = 0, ambiguous = 0;
    for (size_t i = 0; i < n; i++) {
        char key[256];
        snprintf(key, sizeof key, "%s", names[i]);
        char *kd = strrchr(key, '.');
        if (kd)
            *kd = 0;
        uint64_t hv = split->mix ? fg_mix64(fg_fnv1a64(FG_FNV64_OFFSET, key, strlen(key))) : fg_fnv1a64(FG_FNV64_OFFSET, key, strlen(key));
        if (hv % 100 >= (uint64_t)split->pct) {
            free(names[i]);
            continue;
        }
        char path[8192], gpath[8192], stem[256];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(stem, sizeof stem, "%s", names[i]);
        char *dot = strrchr(stem, '.');
        if (dot)
            *dot = 0;
        snprintf(gpath, sizeof gpath, "%s/%s.png", gtdir, stem);
        fg_ctx ctx = {0};
        fg_raster img = {0}, gt = {0}, ycc = {0};
        int fw, fh;
        /* the RGB the live detector's features see: the JPEG's own planes
         * (fg_jpeg_decode_ycc) converted back by fg_ycc_to_rgb */
        int ok = fg_jpeg_decode_ycc(dec, path, 1, 0, &ycc, &fw, &fh, &ctx) == FG_OK &&
                 fg_ycc_to_rgb(&ycc, &img, &ctx) == FG_OK &&
                 fg_mask_image_read(gpath, &gt, &ctx) == FG_OK;
        fg_raster_release(&ycc);
        if (!ok) {
            fprintf(stderr, "eval_camera: %s\n", ctx.msg);
            fg_raster_release(&img);
            free(names[i]);
            continue;
        }
        if (gt.width != img.width || gt.height != img.height) {
            fprintf(stderr, "eval_camera: %s: mask size differs from the image\n", gpath);
            fg_raster_release(&img);
            fg_raster_release(&gt);
            free(names[i]);
            continue;
        }
        nheld++;
        int bw = img.width / block, bh = img.height / block;
        float *f = malloc((size_t)bw * bh * FG_SF_COUNT * sizeof(float));
        if (f && fg_smoke_appearance(&img, block, -1.0, f, &ctx) == FG_OK) {
            const unsigned char *m = gt.data;
            for (int by = 0; by < bh; by++)
                for (int bx = 0; bx < bw; bx++) {
                    int cnt = 0;
                    for (int r = by * block; r < by * block + block; r++)
                        for (int c = bx * block; c < bx * block + block; c++)
                            cnt += m[(size_t)r * gt.stride + c] > 127;
                    /* label: smoke when at least half the block is in the mask,
                     * background when none of it is; partly covered blocks are
                     * ambiguous and not scored */
                    if (cnt > 0 && 2 * cnt < block * block) {
                        ambiguous++;
                        continue;
                    }
                    int truth = cnt > 0;
                    float pr = fg_smoke_model_prob(model, f + ((size_t)by * bw + bx) * FG_SF_COUNT);
                    int pred = pr >= model->threshold;
                    tp += truth && pred;
                    fp += !truth && pred;
                    fn += truth && !pred;
                    tn += !truth && !pred;
                }
        }
        free(f);
        fg_raster_release(&img);
        fg_raster_release(&gt);
        free(names[i]);
    }
    free(names);
    printf("  split (%s): held out when %sFNV-1a-64(file stem)%s %% 100 < %d: %ld of %zu frames\n",
           split->from_model ? "the model file's provenance" : "default rule, not in the model file",
           split->mix ? "fg_mix64(" : "", split->mix ? ")" : "", split->pct, nheld, n);
    printf("  blocks %dx%d px at full 640x480; labels: smoke >= 1/2 of the block in the mask, "
           "background none; %ld partly covered blocks not scored\n",
           block, block, ambiguous);
    printf("  TP %ld FP %ld FN %ld TN %ld; precision %.3f recall %.3f F1 %.3f (threshold %.3f)\n",
           tp, fp, fn, tn, tp + fp ? (double)tp / (tp + fp) : 0.0,
           tp + fn ? (double)tp / (tp + fn) : 0.0,
           2 * tp + fp + fn ? 2.0 * tp / (2 * tp + fp + fn) : 0.0, model->threshold);
}

/* ------------------------------------------------------------ clips */

static int eval_clip(const opts *o, const fg_smoke_model *model, fg_jpeg_decoder *dec)
{
    size_t n = 0;
    frame *fr = NULL;
    /* ffmpeg names frames 00001.jpg …: the number is the second (1 frame/s) */
    DIR *d = opendir(o->clip_dir);
    if (!d) {
        fprintf(stderr, "eval_camera: %s: cannot open\n", o->clip_dir);
        return 1;
    }
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!has_jpeg_ext(e->d_name))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            frame *nv = realloc(fr, cap * sizeof *fr);
            if (!nv)
                break;
            fr = nv;
        }
        memset(&fr[n], 0, sizeof fr[n]);
        snprintf(fr[n].name, sizeof fr[n].name, "%s", e->d_name);
        fr[n].t = 1700000000 + atol(e->d_name);
        size_t len = strlen(o->clip_dir) + strlen(e->d_name) + 2;
        fr[n].path = malloc(len);
        if (!fr[n].path)
            break;
        snprintf(fr[n].path, len, "%s/%s", o->clip_dir, e->d_name);
        n++;
    }
    closedir(d);
    if (n)
        qsort(fr, n, sizeof *fr, cmp_frame);
    /* Close range at 1 frame/s: the plume fills many blocks and changes every
     * second; backgrounds and persistence keep their frame counts (slow
     * background ~10 s, 3 frames = 3 s), no gap reset. */
    fg_smoke_params p;
    fg_smoke_params_default(&p);
    p.model = model;
    if (model)
        p.min_prob = o->min_prob >= 0 ? (float)o->min_prob : model->threshold;
    p.gap_reset_s = 0;
    fg_smoke *sm = NULL;
    long alarms = 0, frames = 0;
    long first = -1;
    int fw = 0, fh = 0, scale = 1;
    for (size_t i = 0; i < n; i++) {
        fg_raster img = {0};
        if (decode_work(dec, fr[i].path, 0, &img, &fw, &fh, &scale) != 0)
            continue;
        fg_ctx ctx = {0};
        if (!sm && fg_smoke_new(&p, img.width, img.height, &sm, &ctx) != FG_OK) {
            fprintf(stderr, "eval_camera: %s\n", ctx.msg);
            fg_raster_release(&img);
            break;
        }
        fg_smoke_result r;
        int rc = fg_smoke_push(sm, &img, fr[i].t, &r, &ctx);
        fg_raster_release(&img);
        if (rc != FG_OK)
            continue;
        frames++;
        alarms += r.alarm;
        if (r.alarm && first < 0)
            first = (long)i;
        if (o->verbose)
            print_result(r.alarm ? "ALARM" : "     ", fr[i].name, &r);
    }
    printf("clip %s (%s): %ld frames at 1 frame/s, %dx%d decoded at 1/%d; %ld alarm frames; "
           "first alarm %s%ld s\n",
           o->clip_dir, o->clip_label, frames, fw, fh, scale, alarms, first < 0 ? "none " : "at ",
           first < 0 ? 0 : first + 1);
    fg_smoke_free(sm);
    free_frames(fr, n);
    return 0;
}

/* ------------------------------------------------------------ main */

static int usage(void)
{
    fprintf(stderr, "usage: eval_camera [--model FILE|none] [--part figlib|webcam|nosmoke|masks]... "
                    "[--threads N] [--cameras FILE] [--plumes FILE] [-v] CAMERA_DIR\n"
                    "       eval_camera [--model FILE|none] --clip DIR LABEL\n");
    return 1;
}

/* The held-out rule from the model file's provenance line
 * "# split: held out when fg_mix64(FNV-1a-64(file stem)) % 100 < 20", else the
 * default FNV-1a-64 % 100 < 20. */
static split_rule held_out_rule(const char *path)
{
    split_rule r = {0, 20, 0};
    FILE *f = fopen(path ? path : "models/smoke_model.txt", "r");
    if (!f)
        return r;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        const char *q = strstr(line, "% 100 <");
        if (strstr(line, "split") && q && sscanf(q + 7, "%d", &r.pct) == 1) {
            r.mix = strstr(line, "fg_mix64(") != NULL;
            r.from_model = 1;
            break;
        }
    }
    fclose(f);
    return r;
}

static void skip_camera(void *user, const char *what, const char *reason)
{
    (void)user;
    fprintf(stderr, "eval_camera: camera registry: %s skipped: %s\n", what, reason);
}

int main(int argc, char **argv)
{
    opts o;
    memset(&o, 0, sizeof o);
    o.threads = 1;
    o.min_prob = -1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--model") && i + 1 < argc) {
            o.model_path = argv[++i];
            o.no_model = !strcmp(o.model_path, "none");
        } else if (!strcmp(argv[i], "--min-prob") && i + 1 < argc) {
            o.min_prob = atof(argv[++i]);
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            o.threads = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--part") && i + 1 < argc) {
            const char *pn = argv[++i];
            o.parts |= !strcmp(pn, "figlib")    ? P_FIGLIB
                       : !strcmp(pn, "webcam")  ? P_WEBCAM
                       : !strcmp(pn, "nosmoke") ? P_NOSMOKE
                       : !strcmp(pn, "masks")   ? P_MASKS
                                                : 0;
        } else if (!strcmp(argv[i], "--clip") && i + 2 < argc) {
            o.clip_dir = argv[++i];
            o.clip_label = argv[++i];
        } else if (!strcmp(argv[i], "--cameras") && i + 1 < argc) {
            fg_ctx ctx = {0};
            if (fg_camera_registry_read(argv[++i], &o.cams, &o.ncams, skip_camera, NULL, &ctx) !=
                FG_OK) {
                fprintf(stderr, "eval_camera: %s\n", ctx.msg);
                return 1;
            }
        } else if (!strcmp(argv[i], "--plumes") && i + 1 < argc) {
            o.plumes = argv[++i];
        } else if (!strcmp(argv[i], "-v")) {
            o.verbose = 1;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "eval_camera: unknown option %s\n", argv[i]);
            return usage();
        } else {
            o.dir = argv[i];
        }
    }
    if (!o.dir && !o.clip_dir)
        return usage();
    if (!o.parts)
        o.parts = P_FIGLIB | P_WEBCAM | P_NOSMOKE | P_MASKS;
#ifdef _OPENMP
    omp_set_num_threads(o.threads > 0 ? o.threads : 1);
#endif
    fg_smoke_model model;
    const fg_smoke_model *mp = NULL;
    const char *model_file = NULL;
    if (!o.no_model) {
        fg_ctx ctx = {0};
        if (fg_smoke_model_read(o.model_path, &model, &ctx) != FG_OK) {
            fprintf(stderr, "eval_camera: model: %s\n", ctx.msg);
            return 1;
        }
        if (model.nfeat > 0)
            mp = &model;
        else
            fprintf(stderr, "eval_camera: the block model has no features: rules only\n");
        model_file = o.model_path;
    }
    fg_jpeg_decoder *dec = NULL;
    fg_ctx ctx = {0};
    if (fg_jpeg_decoder_new(&dec, &ctx) != FG_OK) {
        fprintf(stderr, "eval_camera: %s\n", ctx.msg);
        return 1;
    }
    if (o.clip_dir) {
        int rc = eval_clip(&o, mp, dec);
        fg_jpeg_decoder_free(dec);
        return rc;
    }
    if (!is_dir(o.dir)) {
        printf("eval_camera: %s absent, skipping\n", o.dir);
        fg_jpeg_decoder_free(dec);
        return 0;
    }
    printf("# camera smoke evaluation: model %s, %d thread(s)\n",
           mp ? (model_file ? model_file : "bundled") : "none (rules only)", o.threads);
    neg_tally web = {0}, nos = {0};
    if (o.parts & P_FIGLIB)
        eval_figlib(&o, mp, dec);
    if (o.parts & P_WEBCAM)
        eval_webcam(&o, mp, dec, &web);
    if (o.parts & P_NOSMOKE)
        eval_nosmoke(&o, mp, dec, &nos);
    if ((o.parts & (P_WEBCAM | P_NOSMOKE)) == (P_WEBCAM | P_NOSMOKE)) {
        neg_tally all = {web.frames + nos.frames, web.alarms + nos.alarms,
                         web.episodes + nos.episodes};
        printf("## negatives together (webcam gap_reset_s = 0 + web-nosmoke synthetic)\n");
        print_rate("all", &all);
        printf("  bar (<= 1 false alarm per camera-day): %s\n",
               all.frames && (double)all.alarms / all.frames * FRAMES_PER_DAY <= 1.0 ? "met"
                                                                                   : "NOT met");
    }
    if (o.parts & P_MASKS) {
        split_rule sr = held_out_rule(model_file);
        eval_masks(&o, mp, dec, &sr);
    }
    fg_jpeg_decoder_free(dec);
    fg_free(o.cams);
    if (fclose(stdout) != 0) {
        perror("eval_camera: stdout");
        return 1;
    }
    return 0;
}
