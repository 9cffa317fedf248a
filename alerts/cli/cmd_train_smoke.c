/* cmd_train_smoke.c — `firegrid train-smoke`: trains the smoke block model from frames with pixel smoke masks. */
/* SPDX-License-Identifier: MIT */
/*
 * Data: DIR/img/<name>.jpg with DIR/gt/<name>.png (one band, 255 = smoke), as in
 * ../shared/data/camera/hpwren-smoke-masks. Each frame is decoded with TurboJPEG
 * at 1/scale, cut into blocks of side `block` working pixels, and each block gets
 * the appearance features of fg_smoke_appearance (horizon estimated per frame).
 *
 * Labels: a block is smoke when at least half of the mask pixels it covers are
 * smoke, not smoke when none is, and left out of training and of every count
 * when 1–49 % are: those are plume edges, where the hand-drawn outline, not the
 * image, decides the label.
 *
 * Split: a frame is held out when fg_mix64(FNV-1a-64(file name without its
 * extension)) mod 100 < PERCENT. Held-out frames are never used for training or
 * for choosing the threshold; they only give the held-out figures.
 *
 * Classes are balanced by weights: each class carries half of the total weight
 * (King & Zeng 2001, Political Analysis 9:137, weighting for rare events).
 *
 * Threshold: by default the highest one at which training block recall is
 * >= 0.95 (--recall R), because the model gates blocks the change detector has
 * already flagged and must not veto real plumes; --recall f1 keeps the former
 * F1-maximising choice. Either is chosen on the training blocks only. (0.95,
 * not 0.9: at 0.9 the gate delayed the FIgLib 20180728 alarm from 3 to 6
 * minutes; the rules alone already give no false alarm on the negatives.)
 */
#include "alerts/alerts.h"
#include "alerts/cli/cmd.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define TS "firegrid train-smoke"
#define TS_ITERATIONS 100
#define TS_MAX_PIXELS ((size_t)100000000)

typedef struct ts_opts {
    const char *data, *out, *report;
    int block, scale, holdout, threads, quiet;
    double l2;
    double recall; /* target training recall, or FG_SMOKE_THRESHOLD_F1 */
} ts_opts;

enum { O_BLOCK, O_DATA, O_HOLDOUT, O_L2, O_OUT, O_QUIET, O_RECALL, O_REPORT, O_SCALE, O_THREADS };

/* This table MUST stay sorted by name (strcmp); `firegrid help train-smoke` documents it. */
static const struct {
    const char *name;
    int id, has_arg;
} ts_options[] = {
    {"--block", O_BLOCK, 1},     {"--data", O_DATA, 1},       {"--holdout", O_HOLDOUT, 1},
    {"--l2", O_L2, 1},           {"--quiet", O_QUIET, 0},     {"--recall", O_RECALL, 1},
    {"--report", O_REPORT, 1},   {"--scale", O_SCALE, 1},     {"--threads", O_THREADS, 1},
    {"-o", O_OUT, 1},            {"-q", O_QUIET, 0},
};
#define TS_NOPTIONS (sizeof ts_options / sizeof ts_options[0])

static int ts_int(const char *opt, const char *v, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    long t = strtol(v, &end, 10);
    if (!*v || *end || errno || t < lo || t > hi) {
        fprintf(stderr, TS ": %s '%s' is not %ld..%ld\n", opt, v, lo, hi);
        return FG_EXIT_USAGE;
    }
    *out = (int)t;
    return 0;
}

static int ts_parse(int argc, char **argv, ts_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int k = -1;
        for (size_t j = 0; j < TS_NOPTIONS; j++)
            if (strcmp(ts_options[j].name, a) == 0)
                k = (int)j;
        if (k < 0) {
            fprintf(stderr, TS ": %s '%s' (see `firegrid help train-smoke`)\n",
                    a[0] == '-' ? "unknown option" : "unexpected argument", a);
            return FG_EXIT_USAGE;
        }
        const char *v = NULL;
        if (ts_options[k].has_arg) {
            if (i + 1 >= argc) {
                fprintf(stderr, TS ": option %s needs a value\n", a);
                return FG_EXIT_USAGE;
            }
            v = argv[++i];
        }
        int rc = 0;
        switch (ts_options[k].id) {
        case O_BLOCK: rc = ts_int(a, v, 2, 256, &o->block); break;
        case O_DATA: o->data = v; break;
        case O_HOLDOUT: rc = ts_int(a, v, 0, 90, &o->holdout); break;
        case O_OUT: o->out = v; break;
        case O_QUIET: o->quiet = 1; break;
        case O_REPORT: o->report = v; break;
        case O_THREADS: rc = ts_int(a, v, 0, 256, &o->threads); break;
        case O_SCALE:
            rc = ts_int(a, v, 1, 8, &o->scale);
            if (!rc && o->scale != 1 && o->scale != 2 && o->scale != 4 && o->scale != 8) {
                fprintf(stderr, TS ": --scale '%s' is not 1, 2, 4 or 8\n", v);
                rc = FG_EXIT_USAGE;
            }
            break;
        case O_RECALL: {
            char *end;
            if (strcasecmp(v, "f1") == 0) {
                o->recall = FG_SMOKE_THRESHOLD_F1;
                break;
            }
            o->recall = strtod(v, &end);
            if (!*v || *end || !(o->recall > 0 && o->recall < 1)) {
                fprintf(stderr, TS ": --recall '%s' is not a number in (0, 1) or f1\n", v);
                rc = FG_EXIT_USAGE;
            }
            break;
        }
        case O_L2: {
            char *end;
            o->l2 = strtod(v, &end);
            if (!*v || *end || !(o->l2 >= 0) || !isfinite(o->l2)) {
                fprintf(stderr, TS ": --l2 '%s' is not a number >= 0\n", v);
                rc = FG_EXIT_USAGE;
            }
            break;
        }
        default: break;
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------ frames */

typedef struct ts_frame {
    char *stem;           /* file name without extension */
    int held;             /* 1: held-out split */
    int status;           /* FG_OK or the reason it was skipped */
    char msg[768];
    float *feat;          /* kept blocks × FG_SF_COUNT */
    unsigned char *label; /* kept blocks: 0/1 */
    size_t nkept, nignored;
} ts_frame;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void ts_msg(ts_frame *fr, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fr->msg, sizeof fr->msg, fmt, ap);
    va_end(ap);
}

static int ts_by_stem(const void *a, const void *b)
{
    return strcmp(((const ts_frame *)a)->stem, ((const ts_frame *)b)->stem);
}


/* Lists the .jpg/.jpeg files of imgdir, sorted by name. */
static int ts_list(const char *imgdir, ts_frame **out, size_t *n)
{
    DIR *d = opendir(imgdir);
    if (!d) {
        fprintf(stderr, TS ": cannot read the image folder %s: %s\n", imgdir, strerror(errno));
        return FG_EXIT_FAILED;
    }
    ts_frame *f = NULL;
    size_t nf = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        const char *dot = strrchr(e->d_name, '.');
        if (!dot || dot == e->d_name || (strcasecmp(dot, ".jpg") != 0 && strcasecmp(dot, ".jpeg") != 0))
            continue;
        if (nf == cap) {
            cap = cap ? 2 * cap : 256;
            ts_frame *g = fg_realloc(f, cap * sizeof *g);
            if (!g) {
                rc = FG_EXIT_FAILED;
                break;
            }
            f = g;
        }
        memset(&f[nf], 0, sizeof f[nf]);
        size_t len = (size_t)(dot - e->d_name);
        f[nf].stem = fg_malloc(len + strlen(dot) + 1);
        if (!f[nf].stem) {
            rc = FG_EXIT_FAILED;
            break;
        }
        /* the stem, a NUL, then the extension so the file name can be rebuilt */
        memcpy(f[nf].stem, e->d_name, len);
        f[nf].stem[len] = '\0';
        strcpy(f[nf].stem + len + 1, dot + 1);
        nf++;
    }
    closedir(d);
    if (rc) {
        for (size_t i = 0; i < nf; i++)
            fg_free(f[i].stem);
        fg_free(f);
        fprintf(stderr, TS ": out of memory listing %s\n", imgdir);
        return rc;
    }
    if (nf)
        qsort(f, nf, sizeof *f, ts_by_stem);
    *out = f;
    *n = nf;
    return 0;
}

/* Decodes one frame, reads its mask, computes block features and labels. */
static void ts_frame_load(const ts_opts *o, fg_jpeg_decoder *dec, ts_frame *fr)
{
    char img[4096], gt[4096];
    const char *ext = fr->stem + strlen(fr->stem) + 1;
    fg_ctx ctx = {0};
    fg_raster rgb = {0}, mask = {0};
    float *feat = NULL;
    snprintf(img, sizeof img, "%s/img/%s.%s", o->data, fr->stem, ext);
    snprintf(gt, sizeof gt, "%s/gt/%s.png", o->data, fr->stem);
    struct stat st;
    if (stat(gt, &st) != 0) {
        fr->status = FG_ENOTFOUND;
        ts_msg(fr, "%s: no mask %s", img, gt);
        return;
    }
    int fw = 0, fh = 0;
    /* the RGB the live detector's features see: the JPEG's own YCbCr 4:2:0
     * planes (as the camera runner decodes them) converted by fg_ycc_to_rgb */
    fg_raster ycc = {0};
    fr->status = fg_jpeg_decode_ycc(dec, img, o->scale, TS_MAX_PIXELS, &ycc, &fw, &fh, &ctx);
    if (fr->status == FG_OK)
        fr->status = fg_ycc_to_rgb(&ycc, &rgb, &ctx);
    fg_raster_release(&ycc);
    if (fr->status != FG_OK) {
        ts_msg(fr, "%s", ctx.msg);
        return;
    }
    if ((fr->status = fg_mask_image_read(gt, &mask, &ctx)) != FG_OK) {
        ts_msg(fr, "%s", ctx.msg);
        goto done;
    }
    if (mask.width != fw || mask.height != fh) {
        fr->status = FG_EFORMAT;
        ts_msg(fr, "%s: mask is %dx%d, the image %dx%d", gt, mask.width,
                 mask.height, fw, fh);
        goto done;
    }
    if (rgb.width < o->block || rgb.height < o->block) {
        fr->status = FG_EINVAL;
        ts_msg(fr, "%s: %dx%d at 1/%d is smaller than one block", img,
                 rgb.width, rgb.height, o->scale);
        goto done;
    }
    int nbx = rgb.width / o->block, nby = rgb.height / o->block;
    size_t nb = (size_t)nbx * (size_t)nby;
    feat = fg_malloc(nb * FG_SF_COUNT * sizeof *feat);
    fr->feat = fg_malloc(nb * FG_SF_COUNT * sizeof *fr->feat);
    fr->label = fg_malloc(nb);
    if (!feat || !fr->feat || !fr->label) {
        fr->status = FG_ENOMEM;
        ts_msg(fr, "%s: out of memory", img);
        goto done;
    }
    if ((fr->status = fg_smoke_appearance(&rgb, o->block, -1.0, feat, &ctx)) != FG_OK) {
        ts_msg(fr, "%s: %s", img, ctx.msg);
        goto done;
    }
    /* A working pixel c covers full-resolution pixels [c·scale, (c+1)·scale). */
    int side = o->block * o->scale;
    const unsigned char *m = mask.data;
    for (int by = 0; by < nby; by++)
        for (int bx = 0; bx < nbx; bx++) {
            int x0 = bx * side, y0 = by * side;
            int x1 = x0 + side < fw ? x0 + side : fw, y1 = y0 + side < fh ? y0 + side : fh;
            size_t smoke = 0, all = 0;
            for (int r = y0; r < y1; r++)
                for (int c = x0; c < x1; c++) {
                    smoke += m[(size_t)r * mask.stride + (size_t)c] >= 128;
                    all++;
                }
            size_t b = (size_t)by * (size_t)nbx + (size_t)bx;
            if (all == 0 || (smoke > 0 && 2 * smoke < all)) {
                fr->nignored++;
                continue;
            }
            memcpy(fr->feat + fr->nkept * FG_SF_COUNT, feat + b * FG_SF_COUNT,
                   FG_SF_COUNT * sizeof *feat);
            fr->label[fr->nkept++] = smoke > 0;
        }
done:
    fg_free(feat);
    fg_raster_release(&rgb);
    fg_raster_release(&mask);
    if (fr->status != FG_OK) {
        fg_free(fr->feat);
        fg_free(fr->label);
        fr->feat = NULL;
        fr->label = NULL;
        fr->nkept = fr->nignored = 0;
    }
}

/* ----------------------------------------------------------------- report */

typedef struct ts_text {
    char *s;
    size_t len, cap;
    int oom;
} ts_text;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void tx(ts_text *t, const char *fmt, ...)
{
    if (t->oom)
        return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0) {
        t->oom = 1;
        return;
    }
    if (t->len + (size_t)k + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        while (cap < t->len + (size_t)k + 1)
            cap *= 2;
        char *s = fg_realloc(t->s, cap);
        if (!s) {
            t->oom = 1;
            return;
        }
        t->s = s;
        t->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)k;
}

typedef struct ts_counts {
    size_t tp, fp, fn, tn;
} ts_counts;

static ts_counts ts_score(const fg_smoke_model *m, const ts_frame *fr, size_t nfr, int held,
                          float thr)
{
    ts_counts c = {0, 0, 0, 0};
    for (size_t i = 0; i < nfr; i++) {
        if (fr[i].status != FG_OK || fr[i].held != held)
            continue;
        for (size_t k = 0; k < fr[i].nkept; k++) {
            int pred = fg_smoke_model_prob(m, fr[i].feat + k * FG_SF_COUNT) >= thr;
            int y = fr[i].label[k];
            if (pred && y)
                c.tp++;
            else if (pred)
                c.fp++;
            else if (y)
                c.fn++;
            else
                c.tn++;
        }
    }
    return c;
}

static void ts_prf(const ts_counts *c, double *p, double *r, double *f1)
{
    *p = c->tp + c->fp ? (double)c->tp / (double)(c->tp + c->fp) : NAN;
    *r = c->tp + c->fn ? (double)c->tp / (double)(c->tp + c->fn) : NAN;
    *f1 = c->tp ? 2.0 * c->tp / (double)(2 * c->tp + c->fp + c->fn) : 0.0;
}

static void tx_prf(ts_text *t, const char *what, const ts_counts *c)
{
    double p, r, f1;
    ts_prf(c, &p, &r, &f1);
    tx(t, "%s precision %.4f recall %.4f F1 %.4f (TP %zu FP %zu FN %zu TN %zu)\n", what, p, r, f1,
       c->tp, c->fp, c->fn, c->tn);
}

static const char *const TS_FEATURES[FG_SF_COUNT] = {
    "luma", "luma_std", "colourless", "saturation", "blue_red",
    "dark_channel", "high_freq", "grad_vert", "row", "sky_contrast"};

int fg_cmd_train_smoke(int argc, char **argv)
{
    ts_opts o = {0};
    o.data = "../shared/data/camera/hpwren-smoke-masks";
    o.out = "smoke_model.txt";
    o.block = 8;
    o.scale = 1;
    o.holdout = 20;
    o.threads = -1;
    o.l2 = 1e-3;
    o.recall = 0.95;
    int rc = ts_parse(argc, argv, &o);
    if (rc)
        return rc;
    struct stat st;
    char imgdir[4096];
    if (stat(o.data, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, TS ": data folder %s: %s\n", o.data,
                stat(o.data, &st) != 0 ? strerror(errno) : "not a folder");
        return FG_EXIT_FAILED;
    }
    snprintf(imgdir, sizeof imgdir, "%s/img", o.data);
#ifdef _OPENMP
    if (o.threads > 0)
        omp_set_num_threads(o.threads);
#endif

    ts_frame *fr = NULL;
    size_t nfr = 0;
    if ((rc = ts_list(imgdir, &fr, &nfr)) != 0)
        return rc;
    float *X = NULL, *wt = NULL;
    unsigned char *y = NULL;
    ts_text t = {0};
    if (nfr == 0) {
        fprintf(stderr, TS ": no *.jpg frames in %s\n", imgdir);
        rc = FG_EXIT_FAILED;
        goto out;
    }
    for (size_t i = 0; i < nfr; i++)
        fr[i].held = (int)(fg_mix64(fg_fnv1a64(FG_FNV64_OFFSET, fr[i].stem, strlen(fr[i].stem))) % 100u) < o.holdout;

    /* frames in parallel, one TurboJPEG handle per thread */
    int nomem = 0;
#ifdef _OPENMP
#pragma omp parallel reduction(| : nomem)
#endif
    {
        fg_ctx dctx = {0};
        fg_jpeg_decoder *dec = NULL;
        if (fg_jpeg_decoder_new(&dec, &dctx) != FG_OK)
            nomem = 1;
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (size_t i = 0; i < nfr; i++) {
            if (!dec) {
                fr[i].status = FG_ENOMEM;
                ts_msg(&fr[i], "%s: no TurboJPEG decoder: %s", fr[i].stem,
                         dctx.msg);
                continue;
            }
            ts_frame_load(&o, dec, &fr[i]);
            if (!o.quiet && (i + 1) % 100 == 0)
                fprintf(stderr, TS ": %zu frames read\n", i + 1);
        }
        fg_jpeg_decoder_free(dec);
    }
    (void)nomem;

    /* counts and skipped frames, in name order */
    size_t used[2] = {0, 0}, skipped = 0, npos[2] = {0, 0}, nneg[2] = {0, 0}, nign[2] = {0, 0};
    for (size_t i = 0; i < nfr; i++) {
        if (fr[i].status != FG_OK) {
            fprintf(stderr, TS ": skipped: %s\n", fr[i].msg);
            skipped++;
            continue;
        }
        int h = fr[i].held;
        used[h]++;
        nign[h] += fr[i].nignored;
        for (size_t k = 0; k < fr[i].nkept; k++)
            fr[i].label[k] ? npos[h]++ : nneg[h]++;
    }
    size_t ntrain = npos[0] + nneg[0];
    if (npos[0] == 0 || nneg[0] == 0) {
        fprintf(stderr, TS ": failed: the training frames hold %zu smoke and %zu other blocks; "
                        "both are needed\n",
                npos[0], nneg[0]);
        rc = FG_EXIT_FAILED;
        goto out;
    }
    X = fg_malloc(ntrain * FG_SF_COUNT * sizeof *X);
    y = fg_malloc(ntrain);
    wt = fg_malloc(ntrain * sizeof *wt);
    if (!X || !y || !wt) {
        fprintf(stderr, TS ": out of memory (%zu training blocks)\n", ntrain);
        rc = FG_EXIT_FAILED;
        goto out;
    }
    /* balanced classes: each carries half of the total weight */
    float wpos = (float)((double)ntrain / (2.0 * (double)npos[0]));
    float wneg = (float)((double)ntrain / (2.0 * (double)nneg[0]));
    size_t k = 0;
    for (size_t i = 0; i < nfr; i++) {
        if (fr[i].status != FG_OK || fr[i].held)
            continue;
        memcpy(X + k * FG_SF_COUNT, fr[i].feat, fr[i].nkept * FG_SF_COUNT * sizeof *X);
        for (size_t j = 0; j < fr[i].nkept; j++) {
            y[k + j] = fr[i].label[j];
            wt[k + j] = fr[i].label[j] ? wpos : wneg;
        }
        k += fr[i].nkept;
    }
    if (!o.quiet)
        fprintf(stderr, TS ": training on %zu blocks of %zu frames\n", ntrain, used[0]);
    fg_smoke_model m;
    fg_ctx ctx = {0};
    if (fg_smoke_model_train(X, y, wt, ntrain, FG_SF_COUNT, o.l2, TS_ITERATIONS, o.recall, &m,
                             &ctx) != FG_OK) {
        fprintf(stderr, TS ": failed: %s\n", ctx.msg);
        rc = FG_EXIT_FAILED;
        goto out;
    }
    fg_free(wt);
    wt = NULL;

    /* Operating points the other rules would have chosen on the same training
     * blocks, for the report: what the gate gives up or gains against each. */
    static const double RULES[] = {0.5, 0.7, 0.8, 0.9, 0.95, 0.98, FG_SMOKE_THRESHOLD_F1};
    enum { NRULES = sizeof RULES / sizeof RULES[0] };
    float rule_thr[NRULES];
    for (size_t i = 0; i < NRULES; i++) {
        fg_ctx_clear(&ctx);
        if (fg_smoke_model_threshold(&m, X, y, ntrain, RULES[i], &rule_thr[i], &ctx) != FG_OK) {
            fprintf(stderr, TS ": failed: %s\n", ctx.msg);
            rc = FG_EXIT_FAILED;
            goto out;
        }
    }
    fg_free(X);
    X = NULL;

    ts_counts ctrain = ts_score(&m, fr, nfr, 0, m.threshold);
    ts_counts cheld = ts_score(&m, fr, nfr, 1, m.threshold);
    double tp_, tr_, tf_, hp_, hr_, hf_;
    ts_prf(&ctrain, &tp_, &tr_, &tf_);
    ts_prf(&cheld, &hp_, &hr_, &hf_);

    const char *base;
    size_t dl = strlen(o.data);
    while (dl > 1 && o.data[dl - 1] == '/')
        dl--;
    base = o.data + dl;
    while (base > o.data && base[-1] != '/')
        base--;
    int bl = (int)(o.data + dl - base);

    /* provenance: no date and no absolute path, so a rerun writes the same bytes */
    ts_text pv = {0};
    tx(&pv, "trained by `firegrid train-smoke` on %.*s: img/*.jpg frames with gt/*.png pixel "
            "smoke masks\n",
       bl, base);
    if (bl == 18 && strncmp(base, "hpwren-smoke-masks", 18) == 0)
        tx(&pv, "data: SMOKE5K training split (Yan et al., AAAI 2022) via "
                "MultiX-Amsterdam/ijmond-camera-ai;\n"
                "  images HPWREN / AI For Mankind, labels CC BY-NC-SA 4.0; the data are not "
                "shipped, only these weights\n");
    tx(&pv, "frames decoded at 1/%d, blocks of %d working pixels (%d source pixels); block = "
            "smoke when >= 50 %% of its mask pixels are smoke, other when none is, ignored when "
            "1-49 %%\n",
       o.scale, o.block, o.block * o.scale);
    tx(&pv, "split: held out when fg_mix64(FNV-1a-64(file stem)) %% 100 < %d; held-out frames "
            "never used for training or the threshold\n",
       o.holdout);
    tx(&pv, "frames: %zu train, %zu held out, %zu skipped\n", used[0], used[1], skipped);
    tx(&pv, "train blocks: %zu smoke, %zu other, %zu ignored; class weights %.6g smoke, %.6g "
            "other\n",
       npos[0], nneg[0], nign[0], (double)wpos, (double)wneg);
    tx(&pv, "held-out blocks: %zu smoke, %zu other, %zu ignored\n", npos[1], nneg[1], nign[1]);
    if (o.recall == FG_SMOKE_THRESHOLD_F1)
        tx(&pv, "L2 %g, Newton iterations <= %d; threshold maximises training block F1 "
                "(--recall f1)\n",
           o.l2, TS_ITERATIONS);
    else
        tx(&pv, "L2 %g, Newton iterations <= %d; threshold = the highest at which training "
                "block recall >= %g (--recall %g)\n",
           o.l2, TS_ITERATIONS, o.recall, o.recall);
    tx(&pv, "train: precision %.4f recall %.4f F1 %.4f; held out: precision %.4f recall %.4f F1 "
            "%.4f",
       tp_, tr_, tf_, hp_, hr_, hf_);
    if (pv.oom) {
        fprintf(stderr, TS ": out of memory\n");
        fg_free(pv.s);
        rc = FG_EXIT_FAILED;
        goto out;
    }
    fg_ctx_clear(&ctx);
    int wrc = fg_smoke_model_write(o.out, &m, pv.s, &ctx);
    fg_free(pv.s);
    if (wrc != FG_OK) {
        fprintf(stderr, TS ": failed: %s\n", ctx.msg);
        rc = FG_EXIT_FAILED;
        goto out;
    }

    /* the report */
    tx(&t, "firegrid train-smoke report\n");
    tx(&t, "data: %s (block %d at 1/%d, hold-out %d %%, L2 %g)\n", o.data, o.block, o.scale,
       o.holdout, o.l2);
    tx(&t, "frames: %zu found, %zu train, %zu held out, %zu skipped\n", nfr, used[0], used[1],
       skipped);
    tx(&t, "blocks train: %zu smoke, %zu other, %zu ignored (1-49 %% smoke)\n", npos[0], nneg[0],
       nign[0]);
    tx(&t, "blocks held out: %zu smoke, %zu other, %zu ignored (1-49 %% smoke)\n", npos[1],
       nneg[1], nign[1]);
    tx(&t, "model: %s, threshold %.4f, bias %.4f\n", o.out, (double)m.threshold, (double)m.bias);
    if (o.recall == FG_SMOKE_THRESHOLD_F1)
        tx(&t, "threshold rule: maximise training block F1 (--recall f1)\n");
    else
        tx(&t, "threshold rule: the highest at which training block recall >= %g (--recall %g)\n",
           o.recall, o.recall);
    tx(&t, "weights on standardised features:");
    for (int i = 0; i < FG_SF_COUNT; i++)
        tx(&t, " %s %+.3f", TS_FEATURES[i], (double)m.w[i]);
    tx(&t, "\n");
    tx_prf(&t, "train    at model threshold:", &ctrain);
    tx_prf(&t, "held out at model threshold:", &cheld);
    tx(&t, "operating points chosen on the training blocks:\n"
           "  rule        threshold train P train R  held P held R  held F1\n");
    for (size_t i = 0; i < NRULES; i++) {
        ts_counts a = ts_score(&m, fr, nfr, 0, rule_thr[i]);
        ts_counts b = ts_score(&m, fr, nfr, 1, rule_thr[i]);
        double ap, ar, af, bp, br, bf;
        ts_prf(&a, &ap, &ar, &af);
        ts_prf(&b, &bp, &br, &bf);
        char name[32];
        if (RULES[i] == FG_SMOKE_THRESHOLD_F1)
            snprintf(name, sizeof name, "F1 max");
        else
            snprintf(name, sizeof name, "recall %.2f", RULES[i]);
        tx(&t, "  %-11s %9.4f %7.4f %7.4f %6.4f %6.4f %8.4f%s\n", name, (double)rule_thr[i], ap,
           ar, bp, br, bf, rule_thr[i] == m.threshold ? "  <- model" : "");
    }
    tx(&t, "held-out precision-recall:\n  threshold precision recall     F1\n");
    static const float THR[] = {0.05f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f,
                                0.7f,  0.8f, 0.9f, 0.95f, 0.99f};
    for (size_t i = 0; i < sizeof THR / sizeof THR[0]; i++) {
        ts_counts c = ts_score(&m, fr, nfr, 1, THR[i]);
        double p, r, f1;
        ts_prf(&c, &p, &r, &f1);
        tx(&t, "  %9.2f %9.4f %6.4f %6.4f\n", (double)THR[i], p, r, f1);
    }
    if (o.report) {
        tx(&t, "held-out frames (%zu):\n", used[1]);
        for (size_t i = 0; i < nfr; i++)
            if (fr[i].status == FG_OK && fr[i].held)
                tx(&t, "  %s\n", fr[i].stem);
    }
    if (t.oom) {
        fprintf(stderr, TS ": out of memory\n");
        rc = FG_EXIT_FAILED;
        goto out;
    }
    if (o.report) {
        fg_ctx_clear(&ctx);
        if (fg_write_file(o.report, t.s, t.len, &ctx) != FG_OK) {
            fprintf(stderr, TS ": failed: %s\n", ctx.msg);
            rc = FG_EXIT_FAILED;
            goto out;
        }
        if (!o.quiet)
            fprintf(stderr, TS ": report written to %s\n", o.report);
    } else {
        fwrite(t.s, 1, t.len, stdout);
    }
    if (!o.quiet)
        fprintf(stderr, TS ": model written to %s (held-out block precision %.4f, recall %.4f)\n",
                o.out, hp_, hr_);
    if (skipped) {
        fprintf(stderr, TS ": partial: %zu of %zu frame(s) skipped\n", skipped, nfr);
        rc = FG_EXIT_PARTIAL;
    } else {
        rc = FG_EXIT_OK;
    }
out:
    for (size_t i = 0; i < nfr; i++) {
        fg_free(fr[i].stem);
        fg_free(fr[i].feat);
        fg_free(fr[i].label);
    }
    fg_free(fr);
    fg_free(X);
    fg_free(y);
    fg_free(wt);
    fg_free(t.s);
    return rc;
}
