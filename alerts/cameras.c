/* cameras.c — the camera runner: frame folders → parallel scaled decode → per-camera smoke state → frame rows, hotspots, triangulation. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"
#include "alerts/cameras_int.h"
#include "imagery/cam_state_int.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <gdal.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Working width the detector is tuned for: its blocks must resolve a distant
 * plume a few tens of metres wide (camera-smoke.md), while decode and feature
 * cost grow with the pixel count. TurboJPEG's DCT-domain 1/2, 1/4, 1/8 scaling
 * is nearly free, so the scale is chosen for the detector, not the decoder.
 * 960 px: the FIgLib 20190925 plume, 50 px wide on a 3072-px frame in its
 * first minutes, is 1–2 8-px blocks at 768 px (1/4) and too faint to find,
 * 3–4 blocks at 1536 px (1/2); 1920-px frames run at 960 px. */
#define MIN_WORK_WIDTH 960
/* Slack on each camera's range band before two bearings may be joined: the
 * flat-earth range from the base row is biased by terrain and by where in the
 * block the base really is. */
#define TRI_MARGIN 0.25

void fg_cam_opts_default(fg_cam_opts *o)
{
    memset(o, 0, sizeof *o);
    o->utc_offset_s = 8 * 3600;
    o->triangulate_s = 300;
}

void fg_cam_result_free(fg_cam_result *r)
{
    if (!r)
        return;
    fg_free(r->frames);
    fg_free(r->hotspots);
    memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------ one camera */

typedef struct cam_job {
    char key[64];
    char dir[1024];
    const fg_camera *cam; /* registry entry, or NULL: no geometry */
    /* outputs, merged in job order */
    fg_cam_frame *frames;
    size_t nframes, capframes;
    fg_cam_hotspot *hs;
    double *sigma_deg;    /* bearing uncertainty per hotspot */
    size_t nhs, caphs;
    char *log;
    size_t loglen, logcap;
    int skipped, already, oom, ran;
} cam_job;

static void job_log(cam_job *j, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void job_log(cam_job *j, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    size_t n = strlen(line);
    if (j->loglen + n + 2 > j->logcap) {
        size_t cap = (j->logcap ? 2 * j->logcap : 4096) + n;
        char *t = fg_realloc(j->log, cap);
        if (!t) {
            j->oom = 1;
            return;
        }
        j->log = t;
        j->logcap = cap;
    }
    memcpy(j->log + j->loglen, line, n);
    j->loglen += n;
    j->log[j->loglen++] = '\n';
    j->log[j->loglen] = '\0';
}

static void job_skip_cb(void *user, const char *path, const char *reason)
{
    cam_job *j = user;
    j->skipped++;
    job_log(j, "SKIP %s: %s", path, reason);
}

static fg_cam_frame *job_frame(cam_job *j)
{
    if (j->nframes == j->capframes) {
        size_t cap = j->capframes ? 2 * j->capframes : 64;
        fg_cam_frame *f = fg_realloc(j->frames, cap * sizeof *f);
        if (!f) {
            j->oom = 1;
            return NULL;
        }
        j->frames = f;
        j->capframes = cap;
    }
    fg_cam_frame *f = &j->frames[j->nframes++];
    memset(f, 0, sizeof *f);
    return f;
}

static fg_cam_hotspot *job_hotspot(cam_job *j, double sigma_deg)
{
    if (j->nhs == j->caphs) {
        size_t cap = j->caphs ? 2 * j->caphs : 16;
        fg_cam_hotspot *h = fg_realloc(j->hs, cap * sizeof *h);
        if (!h) {
            j->oom = 1;
            return NULL;
        }
        j->hs = h;
        double *s = fg_realloc(j->sigma_deg, cap * sizeof *s);
        if (!s) {
            j->oom = 1;
            return NULL;
        }
        j->sigma_deg = s;
        j->caphs = cap;
    }
    j->sigma_deg[j->nhs] = sigma_deg;
    fg_cam_hotspot *h = &j->hs[j->nhs++];
    memset(h, 0, sizeof *h);
    return h;
}

/* The largest scale denominator (1, 2, 4, 8) whose working width stays at least
 * MIN_WORK_WIDTH: a young plume at km range covers only a few blocks, and at 512 px
 * (2048 px frames at 1/4) the FIgLib 2018 plume was 1–2 blocks and its first alarm
 * came 4 minutes later than at 1024 px. */
int fg_cam_auto_scale(int full_w)
{
    int best = 1;
    for (int d = 2; d <= 8; d *= 2)
        if ((full_w + d - 1) / d >= MIN_WORK_WIDTH)
            best = d;
    return best;
}

typedef struct run_ctx {
    const fg_cam_opts *o;
    const fg_smoke_model *model; /* NULL = rules only */
} run_ctx;

/* Re-times frames whose name holds no time when the camera clock is not UTC+8
 * (fg_frame_list reads EXIF as Beijing time), and keeps the time order. */
static int cmp_entry(const void *a, const void *b)
{
    const fg_frame_entry *x = a, *y = b;
    if (x->time_utc != y->time_utc)
        return x->time_utc < y->time_utc ? -1 : 1;
    return strcmp(x->path, y->path);
}

static void retime_exif(fg_frame_entry *fr, size_t n, int utc_offset_s)
{
    if (utc_offset_s == 8 * 3600)
        return;
    int changed = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t t;
        if (fg_frame_time_from_name(fr[i].path, &t) == FG_OK)
            continue;
        if (fg_frame_time(fr[i].path, utc_offset_s, &t) == FG_OK) {
            fr[i].time_utc = t;
            changed = 1;
        }
    }
    if (changed && n > 1)
        qsort(fr, n, sizeof *fr, cmp_entry);
}

/* Per-camera detector set-up once the working size is known: geometry scaled to
 * the frame, ignore mask, and the state (loaded, or new). */
typedef struct cam_det {
    fg_smoke_params sp;
    fg_smoke *sm;
    unsigned char *ignore;
    fg_camera geo;        /* registry geometry at the frames' full size */
    int ww, wh, fw, fh, scale;
    int in_alarm;
    int64_t last_time;    /* last frame pushed (or held by the loaded state) */
    char state_file[4096];
} cam_det;

static int det_setup(cam_job *j, const run_ctx *rc, cam_det *d, int ww, int wh, int fw, int fh,
                     const fg_state_info *prev)
{
    const fg_cam_opts *o = rc->o;
    fg_ctx ctx = {0};
    if (o->params)
        d->sp = *o->params;
    else
        fg_smoke_params_default(&d->sp);
    d->sp.model = rc->model;
    d->ww = ww;
    d->wh = wh;
    d->fw = fw;
    d->fh = fh;
    if (j->cam) {
        d->geo = *j->cam;
        /* the pinhole geometry follows the frames as they are, whatever the registry's size */
        d->geo.width = fw;
        d->geo.height = fh;
        if (!o->params || o->params->horizon_row < 0)
            d->sp.horizon_row = fg_camera_work_horizon(j->cam, fw, fh, wh);
        if (j->cam->mask_wkt[0]) {
            if (fg_camera_block_mask(j->cam, ww, wh, d->sp.block, &d->ignore, &ctx) != FG_OK)
                job_log(j, "WARN camera %s: %s; no ignore mask", j->key, ctx.msg);
            d->sp.ignore = d->ignore;
        }
    }
    fg_ctx_clear(&ctx);
    if (o->state_dir && prev) {
        if (prev->width != ww || prev->height != wh) {
            j->skipped++;
            job_log(j, "SKIP %s: state for %dx%d frames, these are %dx%d; state rebuilt",
                    d->state_file, prev->width, prev->height, ww, wh);
        } else {
            fg_state_info info;
            int r = fg_smoke_state_load_at(o->state_dir, j->key, &d->sp, &d->sm, &info, &ctx);
            if (r == FG_ENOMEM)
                return r;
            if (r != FG_OK) {
                j->skipped++;
                job_log(j, "SKIP %s; state rebuilt", ctx.msg);
            } else if (d->sm) {
                d->in_alarm = info.in_alarm;
                d->last_time = info.last_time;
            }
        }
    }
    if (!d->sm) {
        fg_ctx_clear(&ctx);
        if (fg_smoke_new(&d->sp, ww, wh, &d->sm, &ctx) != FG_OK) {
            job_log(j, "SKIP camera %s: %s", j->key, ctx.msg);
            j->skipped++;
            return ctx.code ? ctx.code : FG_EINVAL;
        }
    }
    return FG_OK;
}

/* One alarm episode's hotspot at the plume base. */
static void add_hotspot(cam_job *j, const cam_det *d, const fg_cam_frame *f, size_t findex)
{
    if (!j->cam)
        return;
    double sx = (double)d->fw / d->ww, sy = (double)d->fh / d->wh;
    double bx = f->res.base_x * sx, by = f->res.base_y * sy;
    double lat, lon, range, rmin, rmax;
    /* the base row is known to about one detector block */
    if (fg_camera_locate(&d->geo, bx, by, d->sp.block * sy, &lat, &lon, &range, &rmin, &rmax) !=
        FG_OK) {
        job_log(j, "WARN %s: smoke base at (%.0f, %.0f) is at or above the horizon; no ground "
                   "position",
                f->frame, bx, by);
        return;
    }
    /* bearing known to about one block column */
    double sigma = d->sp.block * sx * d->geo.hfov_deg / d->geo.width;
    fg_cam_hotspot *c = job_hotspot(j, sigma);
    if (!c)
        return;
    fg_hotspot *h = &c->hs;
    fg_hotspot_init(h, FG_SOURCE_CAMERA);
    snprintf(h->sensor, sizeof h->sensor, "%s", j->cam->id);
    snprintf(c->camera, sizeof c->camera, "%s", j->key);
    c->frame = findex;
    h->time_utc = f->time_utc;
    h->lat = lat;
    h->lon = lon;
    h->bearing_deg = (float)fg_camera_bearing(&d->geo, bx);
    h->range_m = (float)range;
    h->range_min_m = (float)rmin;
    h->range_max_m = (float)rmax;
    h->smoke_score = f->score;
    h->persisted = f->res.persisted;
    h->nblocks = f->res.nblocks;
    h->confidence = (int)lround(100.0 * f->score);
    h->conf_class = fg_conf_class_of(h->confidence);
    snprintf(h->evidence, sizeof h->evidence, "%.*s", (int)sizeof h->evidence - 1, f->frame);
    h->ev_x = f->x;
    h->ev_y = f->y;
    h->ev_w = f->w;
    h->ev_h = f->h;
}

/* One camera's run through the frame stream: what take needs. */
typedef struct cam_take {
    cam_job *j;
    const run_ctx *rc;
    cam_det *d;
    const fg_frame_entry *fr; /* the frames from the first one to decode */
    const fg_state_info *have_prev;
    int scale, nread, nalarm;
} cam_take;

static const char *take_path(void *user, size_t i)
{
    const cam_take *c = user;
    return c->fr[i].path;
}

/* Frame i of the camera, in time order: through its smoke state, into its
 * frame rows and hotspots. Non-zero stops the camera (out of memory, or a
 * detector that cannot be set up). */
static int take_frame(void *user, size_t i, fg_raster *ras, int rcode, int fw, int fh,
                      const fg_ctx *err)
{
    cam_take *c = user;
    cam_job *j = c->j;
    cam_det *d = c->d;
    const fg_frame_entry *e = &c->fr[i];
    if (rcode != FG_OK) {
        j->skipped++;
        job_log(j, "SKIP %s", err->msg);
        return 0;
    }
    if (!d->sm) {
        int r = det_setup(j, c->rc, d, ras->width, ras->height, fw, fh, c->have_prev);
        if (r != FG_OK) {
            if (r == FG_ENOMEM)
                j->oom = 1;
            return 1;
        }
        d->scale = c->scale;
    }
    if (ras->width != d->ww || ras->height != d->wh) {
        j->skipped++;
        job_log(j, "SKIP %s: frame size %dx%d differs from the camera's %dx%d", e->path, fw, fh,
                d->fw, d->fh);
        return 0;
    }
    fg_smoke_result res;
    memset(&res, 0, sizeof res);
    fg_ctx ctx = {0};
    int r = fg_smoke_push(d->sm, ras, e->time_utc, &res, &ctx);
    if (r != FG_OK) {
        j->skipped++;
        job_log(j, "SKIP %s: %s", e->path, ctx.msg);
        return 0;
    }
    c->nread++;
    d->last_time = e->time_utc;
    fg_cam_frame *f = job_frame(j);
    if (!f)
        return 1;
    snprintf(f->camera, sizeof f->camera, "%s", j->key);
    snprintf(f->frame, sizeof f->frame, "%s", e->path);
    f->time_utc = e->time_utc;
    f->scale = c->scale;
    f->full_w = fw;
    f->full_h = fh;
    f->res = res;
    f->alarm = res.alarm != 0;
    f->score = res.score;
    if (res.w > 0 && res.h > 0) {
        /* working pixel edges to full-resolution pixel edges */
        double sx = (double)d->fw / d->ww, sy = (double)d->fh / d->wh;
        int x0 = (int)lround(res.x * sx), y0 = (int)lround(res.y * sy);
        int x1 = (int)lround((res.x + res.w) * sx), y1 = (int)lround((res.y + res.h) * sy);
        if (x1 > d->fw)
            x1 = d->fw;
        if (y1 > d->fh)
            y1 = d->fh;
        f->x = x0;
        f->y = y0;
        f->w = x1 - x0;
        f->h = y1 - y0;
    }
    if (f->alarm && !d->in_alarm) {
        c->nalarm++;
        add_hotspot(j, d, f, j->nframes - 1);
    }
    d->in_alarm = f->alarm;
    return 0;
}

static void run_job(cam_job *j, const run_ctx *rc, fg_jpeg_decoder **decs, int ndec)
{
    const fg_cam_opts *o = rc->o;
    fg_ctx ctx = {0};
    fg_frame_entry *fr = NULL;
    size_t nfr = 0;
    if (fg_frame_list(j->dir, &fr, &nfr, job_skip_cb, j, &ctx) != FG_OK) {
        job_skip_cb(j, j->dir, ctx.msg);
        return;
    }
    retime_exif(fr, nfr, o->utc_offset_s);
    j->ran = 1;

    cam_det d;
    memset(&d, 0, sizeof d);
    d.last_time = INT64_MIN;
    fg_state_info prev = {INT64_MIN, 0, 0, 0}, *have_prev = NULL;
    if (o->state_dir) {
        fg_smoke_state_path(o->state_dir, j->key, d.state_file, sizeof d.state_file);
        fg_ctx_clear(&ctx);
        int r = fg_smoke_state_info_read(o->state_dir, j->key, &prev, &ctx);
        if (r == FG_OK) {
            have_prev = &prev;
        } else if (r != FG_ENOTFOUND) {
            j->skipped++;
            job_log(j, "SKIP %s; state rebuilt", ctx.msg);
        }
    }
    /* frames the saved state already holds were processed by an earlier run */
    size_t first = 0;
    if (have_prev && prev.last_time != INT64_MIN)
        while (first < nfr && fr[first].time_utc <= prev.last_time)
            first++;
    j->already = (int)first;

    /* Probe the first readable frame at 1/8 for the full size, which fixes the scale. */
    int scale = o->scale;
    size_t start = first;
    if (scale <= 0) {
        while (start < nfr) {
            fg_raster r = {0};
            int fw = 0, fh = 0;
            fg_ctx_clear(&ctx);
            if (fg_jpeg_decode_file(decs[0], fr[start].path, 8, o->max_pixels, &r, &fw, &fh,
                                    &ctx) == FG_OK) {
                fg_raster_release(&r);
                scale = fg_cam_auto_scale(fw);
                break;
            }
            job_skip_cb(j, fr[start].path, ctx.msg[0] ? ctx.msg : "cannot decode");
            start++;
        }
        if (scale <= 0)
            scale = 1;
    }
    /* the probe reported the frames it could not read; their messages name the file */

    cam_take take = {j, rc, &d, fr + start, have_prev, scale, 0, 0};
    fg_frame_stream st = {nfr - start, take_path,  scale, o->max_pixels,
                          o->batch,    take_frame, &take, 1};
    fg_ctx_clear(&ctx);
    if (start < nfr && fg_frame_stream_run(&st, decs, ndec, &ctx) != FG_OK)
        j->oom = 1; /* the stream's only failure with valid arguments */
    int nread = take.nread, nalarm = take.nalarm;
    if (d.sm && o->state_dir && !j->oom) {
        fg_state_info info = {d.last_time, d.ww, d.wh, d.in_alarm};
        fg_ctx_clear(&ctx);
        if (fg_smoke_state_save_at(o->state_dir, j->key, d.sm, &info, &ctx) != FG_OK)
            job_log(j, "WARN camera %s: state not saved: %s", j->key, ctx.msg);
    }
    {
        char extra[160] = "";
        if (first > 0) {
            char when[24];
            fg_time_format(prev.last_time, when);
            snprintf(extra, sizeof extra, ", %zu frame(s) up to %s already processed", first,
                     when);
        }
        if (d.sm)
            job_log(j,
                    "READ camera %s: %s, %d of %zu frame(s) decoded at 1/%d (%dx%d -> %dx%d)%s, "
                    "%d smoke alarm episode(s)%s",
                    j->key, j->dir, nread, nfr, scale, d.fw, d.fh, d.ww, d.wh, extra, nalarm,
                    j->cam ? "" : ", no geometry (no hotspots)");
        else
            job_log(j, "READ camera %s: %s, 0 of %zu frame(s) decoded%s", j->key, j->dir, nfr,
                    extra);
    }
    fg_smoke_free(d.sm);
    fg_free(d.ignore);
    fg_frame_list_free(fr, nfr);
}

/* ------------------------------------------------------------ discovery */

typedef struct run_log {
    void (*fn)(void *, const char *);
    void *user;
} run_log;

static void emit(const run_log *l, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void emit(const run_log *l, const char *fmt, ...)
{
    if (!l->fn)
        return;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    l->fn(l->user, line);
}

static int is_jpeg_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted sub-folder names of dir (no dot folders); *has_jpeg = 1 when dir itself
 * holds JPEG files. */
static int scan_dir(const char *dir, char ***subs, size_t *nsub, int *has_jpeg, fg_ctx *ctx)
{
    DIR *d = opendir(dir);
    if (!d)
        return fg_ctx_set(ctx, errno == ENOENT || errno == ENOTDIR ? FG_ENOTFOUND : FG_EIO,
                          "%s: cannot open folder: %s", dir, strerror(errno));
    char **v = NULL;
    size_t n = 0, cap = 0;
    int rc = FG_OK;
    *has_jpeg = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char full[2048];
        snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(full, &st) != 0)
            continue;
        if (S_ISREG(st.st_mode) && is_jpeg_name(e->d_name))
            *has_jpeg = 1;
        if (!S_ISDIR(st.st_mode))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            char **nv = fg_realloc(v, cap * sizeof *nv);
            if (!nv) {
                rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", dir);
                break;
            }
            v = nv;
        }
        if (!(v[n] = fg_malloc(strlen(e->d_name) + 1))) {
            rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", dir);
            break;
        }
        strcpy(v[n++], e->d_name);
    }
    closedir(d);
    if (rc != FG_OK) {
        for (size_t i = 0; i < n; i++)
            fg_free(v[i]);
        fg_free(v);
        return rc;
    }
    if (n > 1)
        qsort(v, n, sizeof *v, name_cmp);
    *subs = v;
    *nsub = n;
    return FG_OK;
}

typedef struct job_list {
    cam_job *v;
    size_t n, cap;
} job_list;

/* Adds a camera folder; the key is its base name. Returns FG_ENOMEM or FG_OK. */
static int add_job(job_list *jl, const char *dir, const char *key, const fg_cam_opts *o,
                   const fg_camera *cams, size_t ncam, const run_log *l, int *skipped)
{
    if (o->camera && strcmp(o->camera, key) != 0)
        return FG_OK;
    if (strlen(key) >= sizeof jl->v[0].key || strlen(dir) >= sizeof jl->v[0].dir) {
        (*skipped)++;
        emit(l, "SKIP %s: camera folder name or path too long", dir);
        return FG_OK;
    }
    for (size_t i = 0; i < jl->n; i++)
        if (strcmp(jl->v[i].key, key) == 0) {
            (*skipped)++;
            emit(l, "SKIP %s: camera %s already read from %s", dir, key, jl->v[i].dir);
            return FG_OK;
        }
    const fg_camera *cam = NULL;
    for (size_t k = 0; k < ncam && !cam; k++) {
        char ck[128];
        if (cams[k].preset[0])
            snprintf(ck, sizeof ck, "%s@%s", cams[k].id, cams[k].preset);
        else
            snprintf(ck, sizeof ck, "%s", cams[k].id);
        if (strcmp(ck, key) == 0)
            cam = &cams[k];
    }
    if (!cam && o->registry) {
        if (o->need_registry) {
            (*skipped)++;
            emit(l, "SKIP %s: no camera with this id in the registry; its frames are not read",
                 dir);
            return FG_OK;
        }
        emit(l, "WARN %s: camera %s is not in the registry %s; detection without geometry", dir,
             key, o->registry);
    }
    if (jl->n == jl->cap) {
        size_t cap = jl->cap ? 2 * jl->cap : 8;
        cam_job *nv = fg_realloc(jl->v, cap * sizeof *nv);
        if (!nv)
            return FG_ENOMEM;
        jl->v = nv;
        jl->cap = cap;
    }
    cam_job *j = &jl->v[jl->n++];
    memset(j, 0, sizeof *j);
    snprintf(j->key, sizeof j->key, "%s", key);
    snprintf(j->dir, sizeof j->dir, "%s", dir);
    j->cam = cam;
    return FG_OK;
}

static int discover(const char *const *dirs, size_t ndirs, const fg_cam_opts *o,
                    const fg_camera *cams, size_t ncam, const run_log *l, job_list *jl,
                    int *skipped, fg_ctx *ctx)
{
    for (size_t i = 0; i < ndirs; i++) {
        char dir[1024];
        size_t dl = strlen(dirs[i]);
        while (dl > 1 && dirs[i][dl - 1] == '/')
            dl--;
        if (dl >= sizeof dir) {
            (*skipped)++;
            emit(l, "SKIP %s: path too long", dirs[i]);
            continue;
        }
        memcpy(dir, dirs[i], dl);
        dir[dl] = '\0';
        char **subs = NULL;
        size_t nsub = 0;
        int has_jpeg = 0;
        fg_ctx lctx = {0};
        int rc = scan_dir(dir, &subs, &nsub, &has_jpeg, &lctx);
        if (rc == FG_ENOMEM)
            return fg_ctx_set(ctx, rc, "%s", lctx.msg);
        if (rc != FG_OK) {
            (*skipped)++;
            emit(l, "SKIP %s", lctx.msg);
            continue;
        }
        if (has_jpeg) {
            /* a camera folder: its base name is the camera */
            const char *base = strrchr(dir, '/');
            base = base ? base + 1 : dir;
            if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || !*base) {
                (*skipped)++;
                emit(l, "SKIP %s: a camera folder must be named by its camera id", dir);
            } else {
                rc = add_job(jl, dir, base, o, cams, ncam, l, skipped);
            }
        } else if (nsub == 0) {
            (*skipped)++;
            emit(l, "SKIP %s: no JPEG frames and no camera folders", dir);
        }
        for (size_t k = 0; k < nsub && rc == FG_OK && !has_jpeg; k++) {
            char sub[1024];
            if (snprintf(sub, sizeof sub, "%s/%s", dir, subs[k]) >= (int)sizeof sub)
                continue;
            rc = add_job(jl, sub, subs[k], o, cams, ncam, l, skipped);
        }
        for (size_t k = 0; k < nsub; k++)
            fg_free(subs[k]);
        fg_free(subs);
        if (rc != FG_OK)
            return fg_ctx_set(ctx, FG_ENOMEM, "out of memory listing cameras");
    }
    return FG_OK;
}

/* ------------------------------------------------------------ triangulation */

typedef struct tri_pair {
    size_t a, b;
    double dt, resid;
    double lat, lon, da, db, sa, sb; /* position; ranges from each camera and their 1σ */
} tri_pair;

static int cmp_pair(const void *x, const void *y)
{
    const tri_pair *p = x, *q = y;
    if (p->dt != q->dt)
        return p->dt < q->dt ? -1 : 1;
    if (p->resid != q->resid)
        return p->resid < q->resid ? -1 : 1;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return p->b < q->b ? -1 : p->b > q->b;
}

static int in_band(double d, float rmin, float rmax)
{
    double lo = isfinite(rmin) ? rmin * (1 - TRI_MARGIN) : 0;
    double hi = isfinite(rmax) ? rmax * (1 + TRI_MARGIN) : INFINITY;
    return d >= lo && d <= hi;
}

/* Joins hotspots of two cameras seen within the window whose bearing rays meet
 * inside both range bands; the closest pairs in time go first, each hotspot is
 * used once. The intersection's range error along ray a, to first order, is
 * (d_b·σ_b)/sin γ from b's bearing error plus (d_a·σ_a·cos γ)/sin γ from a's own,
 * γ the angle between the rays. */
int fg_cam_triangulate(fg_cam_hotspot *hs, const double *sigma, const fg_camera *const *camof,
                       size_t n, double window, void (*log)(void *user, const char *line),
                       void *user)
{
    run_log lg = {log, user};
    const run_log *l = &lg;
    tri_pair *pairs = NULL;
    size_t np = 0, cap = 0;
    for (size_t a = 0; a < n; a++)
        for (size_t b = a + 1; b < n; b++) {
            const fg_camera *ca = camof[a], *cb = camof[b];
            if (strcmp(ca->id, cb->id) == 0)
                continue; /* presets of one tower share its position */
            double dt = fabs((double)(hs[a].hs.time_utc - hs[b].hs.time_utc));
            if (dt > window)
                continue;
            double lat, lon;
            if (fg_triangulate(ca->lat, ca->lon, hs[a].hs.bearing_deg, cb->lat, cb->lon,
                               hs[b].hs.bearing_deg, &lat, &lon) != FG_OK)
                continue;
            double da = fg_geo_distance(ca->lat, ca->lon, lat, lon);
            double db = fg_geo_distance(cb->lat, cb->lon, lat, lon);
            if (!in_band(da, hs[a].hs.range_min_m, hs[a].hs.range_max_m) ||
                !in_band(db, hs[b].hs.range_min_m, hs[b].hs.range_max_m))
                continue;
            if (np == cap) {
                cap = cap ? 2 * cap : 16;
                tri_pair *nv = fg_realloc(pairs, cap * sizeof *nv);
                if (!nv) {
                    fg_free(pairs);
                    return FG_ENOMEM;
                }
                pairs = nv;
            }
            double gamma = (hs[a].hs.bearing_deg - hs[b].hs.bearing_deg) * M_PI / 180;
            double sg = fabs(sin(gamma)), cg = fabs(cos(gamma));
            double sa = sigma[a] * M_PI / 180, sb = sigma[b] * M_PI / 180;
            tri_pair *p = &pairs[np++];
            p->a = a;
            p->b = b;
            p->dt = dt;
            p->resid = fabs(da - hs[a].hs.range_m) / hs[a].hs.range_m +
                       fabs(db - hs[b].hs.range_m) / hs[b].hs.range_m;
            p->lat = lat;
            p->lon = lon;
            p->da = da;
            p->db = db;
            p->sa = hypot(db * sb, da * sa * cg) / sg;
            p->sb = hypot(da * sa, db * sb * cg) / sg;
        }
    if (np > 1)
        qsort(pairs, np, sizeof *pairs, cmp_pair);
    int joined = 0;
    for (size_t i = 0; i < np; i++) {
        tri_pair *p = &pairs[i];
        fg_cam_hotspot *A = &hs[p->a], *B = &hs[p->b];
        if (A->partner[0] || B->partner[0])
            continue;
        struct {
            fg_cam_hotspot *h;
            const fg_cam_hotspot *other;
            double d, s;
        } side[2] = {{A, B, p->da, p->sa}, {B, A, p->db, p->sb}};
        for (int k = 0; k < 2; k++) {
            fg_hotspot *h = &side[k].h->hs;
            double lo = side[k].d - side[k].s, hi = side[k].d + side[k].s;
            h->lat = p->lat;
            h->lon = p->lon;
            h->range_m = (float)side[k].d;
            /* the band shrinks to the triangulation's, never grows */
            if (isfinite(h->range_min_m) && h->range_min_m > lo)
                lo = h->range_min_m;
            if (isfinite(h->range_max_m) && h->range_max_m < hi)
                hi = h->range_max_m;
            if (lo > side[k].d)
                lo = side[k].d;
            if (hi < side[k].d)
                hi = side[k].d;
            h->range_min_m = (float)(lo < 0 ? 0 : lo);
            h->range_max_m = (float)hi;
            snprintf(side[k].h->partner, sizeof side[k].h->partner, "%s", side[k].other->camera);
        }
        joined += 2;
        char ta[24], tb[24];
        fg_time_format(A->hs.time_utc, ta);
        fg_time_format(B->hs.time_utc, tb);
        emit(l,
             "TRIANGULATED %s %s bearing %.2f + %s %s bearing %.2f: %.5f, %.5f at %.0f m "
             "(%.0f..%.0f) and %.0f m (%.0f..%.0f)",
             A->camera, ta, A->hs.bearing_deg, B->camera, tb, B->hs.bearing_deg, p->lat, p->lon,
             p->da, A->hs.range_min_m, A->hs.range_max_m, p->db, B->hs.range_min_m,
             B->hs.range_max_m);
    }
    fg_free(pairs);
    return joined;
}

/* ------------------------------------------------------------ the run */

typedef struct reg_skip {
    const run_log *l;
    int n;
} reg_skip;

static void registry_skip_cb(void *user, const char *what, const char *reason)
{
    reg_skip *r = user;
    r->n++;
    emit(r->l, "SKIP camera registry %s: %s", what, reason);
}

static void free_jobs(job_list *jl)
{
    for (size_t i = 0; i < jl->n; i++) {
        fg_free(jl->v[i].frames);
        fg_free(jl->v[i].hs);
        fg_free(jl->v[i].sigma_deg);
        fg_free(jl->v[i].log);
    }
    fg_free(jl->v);
}

int fg_cam_run(const char *const *dirs, size_t ndirs, const fg_cam_opts *opts,
               fg_cam_result *out, void (*log)(void *user, const char *line), void *user,
               fg_ctx *ctx)
{
    if ((!dirs && ndirs) || !out)
        return fg_ctx_set(ctx, FG_EINVAL, "camera run: missing folders or output");
    fg_cam_opts o;
    if (opts)
        o = *opts;
    else
        fg_cam_opts_default(&o);
    if (o.scale != 0 && o.scale != 1 && o.scale != 2 && o.scale != 4 && o.scale != 8)
        return fg_ctx_set(ctx, FG_EINVAL, "camera run: scale %d is not 1, 2, 4 or 8", o.scale);
    if (!(o.triangulate_s > 0))
        o.triangulate_s = 300;
    run_log l = {log, user};
    int skipped = 0;

    GDALAllRegister(); /* once, before any worker opens a file through GDAL */
    fg_camera *cams = NULL;
    size_t ncam = 0;
    if (o.registry) {
        reg_skip rs = {&l, 0};
        int rc = fg_camera_registry_read(o.registry, &cams, &ncam, registry_skip_cb, &rs, ctx);
        if (rc != FG_OK)
            return rc;
        skipped += rs.n;
        emit(&l, "READ camera registry %s: %zu camera preset(s)", o.registry, ncam);
    }

    /* the learned block model; without it the detector's rules decide alone */
    fg_smoke_model model;
    const fg_smoke_model *mp = NULL;
    if (!o.rules_only) {
        fg_ctx mctx = {0};
        if (fg_smoke_model_read(o.model, &model, &mctx) == FG_OK) {
            mp = &model;
        } else {
            emit(&l, "WARN smoke model %s: %s; running rules only", o.model ? o.model : "(bundled)",
                 mctx.msg);
        }
    }

    job_list jl = {0};
    int rc = discover(dirs, ndirs, &o, cams, ncam, &l, &jl, &skipped, ctx);
    if (rc != FG_OK) {
        free_jobs(&jl);
        fg_free(cams);
        return rc;
    }
    if (o.camera && jl.n == 0) {
        skipped++;
        emit(&l, "SKIP camera %s: no folder of that name among the frame folders", o.camera);
    }

    int nt = 1;
#ifdef _OPENMP
    int nt_caller = omp_get_max_threads();
    nt = o.threads > 0 ? o.threads : nt_caller;
#endif
    if (nt < 1)
        nt = 1;
    fg_jpeg_decoder **decs = fg_calloc((size_t)nt, sizeof *decs);
    if (!decs) {
        free_jobs(&jl);
        fg_free(cams);
        return fg_ctx_set(ctx, FG_ENOMEM, "camera run: out of memory");
    }
#ifdef _OPENMP
    omp_set_num_threads(nt); /* the detector's own parallel loops too; restored below */
#endif
    for (int t = 0; t < nt && rc == FG_OK; t++)
        rc = fg_jpeg_decoder_new(&decs[t], ctx);
    if (rc == FG_OK) {
        run_ctx rcx = {&o, mp};
        /* Enough cameras: one camera per thread, each decoding its own frames.
         * Otherwise cameras one after another, each decoding on every thread
         * (fg_frame_stream_run).
         * Either way each camera's frames go through its state in time order. */
        if (nt > 1 && jl.n >= (size_t)nt) {
            int nj = (int)jl.n;
#ifdef _OPENMP
#pragma omp parallel for schedule(static, 1) num_threads(nt)
#endif
            for (int i = 0; i < nj; i++) {
                int tid = 0;
#ifdef _OPENMP
                tid = omp_get_thread_num();
#endif
                run_job(&jl.v[i], &rcx, &decs[tid], 1);
            }
        } else {
            for (size_t i = 0; i < jl.n; i++)
                run_job(&jl.v[i], &rcx, decs, nt);
        }
    }
    for (int t = 0; t < nt; t++)
        fg_jpeg_decoder_free(decs[t]);
    fg_free(decs);
#ifdef _OPENMP
    omp_set_num_threads(nt_caller);
#endif

    /* merge in camera order */
    fg_cam_result res;
    memset(&res, 0, sizeof res);
    size_t nf = 0, nh = 0;
    int oom = rc != FG_OK;
    for (size_t i = 0; i < jl.n; i++) {
        nf += jl.v[i].nframes;
        nh += jl.v[i].nhs;
        oom |= jl.v[i].oom;
    }
    if (!oom) {
        res.frames = nf ? fg_malloc(nf * sizeof *res.frames) : NULL;
        res.hotspots = nh ? fg_malloc(nh * sizeof *res.hotspots) : NULL;
    }
    double *sigma = nh ? fg_malloc(nh * sizeof *sigma) : NULL;
    const fg_camera **camof = nh ? fg_malloc(nh * sizeof *camof) : NULL;
    if (oom || (nf && !res.frames) || (nh && (!res.hotspots || !sigma || !camof))) {
        if (rc == FG_OK)
            rc = fg_ctx_set(ctx, FG_ENOMEM, "camera run: out of memory");
        fg_free(res.frames);
        fg_free(res.hotspots);
        fg_free(sigma);
        fg_free(camof);
        free_jobs(&jl);
        fg_free(cams);
        return rc;
    }
    for (size_t i = 0; i < jl.n; i++) {
        cam_job *j = &jl.v[i];
        if (j->log && log) {
            /* replay the camera's lines */
            char *p = j->log;
            while (*p) {
                char *nl = strchr(p, '\n');
                if (nl)
                    *nl = '\0';
                log(user, p);
                if (!nl)
                    break;
                p = nl + 1;
            }
        }
        for (size_t k = 0; k < j->nhs; k++) {
            res.hotspots[res.nhotspots] = j->hs[k];
            res.hotspots[res.nhotspots].frame = res.nframes + j->hs[k].frame;
            sigma[res.nhotspots] = j->sigma_deg[k];
            camof[res.nhotspots] = j->cam;
            res.nhotspots++;
        }
        if (j->nframes)
            memcpy(res.frames + res.nframes, j->frames, j->nframes * sizeof *j->frames);
        res.nframes += j->nframes;
        res.cameras += j->ran;
        skipped += j->skipped;
        res.already += j->already;
    }
    int joined = fg_cam_triangulate(res.hotspots, sigma, camof, res.nhotspots, o.triangulate_s,
                                    log, user);
    fg_free(sigma);
    fg_free(camof);
    free_jobs(&jl);
    fg_free(cams);
    if (joined < 0) {
        fg_cam_result_free(&res);
        return fg_ctx_set(ctx, FG_ENOMEM, "camera run: out of memory");
    }
    res.triangulated = joined;
    res.skipped = skipped;
    *out = res;
    return FG_OK;
}

/* ------------------------------------------------------------ CSV rows */

/* A CSV cell, quoted when it holds a comma, quote or line break (RFC 4180). */
static void put_cell(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int fg_cam_frames_write(const char *path, const fg_cam_frame *fr, size_t n, fg_ctx *ctx)
{
    if (!path || (!fr && n))
        return fg_ctx_set(ctx, FG_EINVAL, "frame rows: missing path or rows");
    int to_stdout = strcmp(path, "-") == 0;
    fg_tmpfile t;
    FILE *f = stdout;
    if (!to_stdout) {
        int rc = fg_tmpfile_open(&t, path, "wb", ctx);
        if (rc != FG_OK)
            return rc;
        f = t.f;
    }
    fputs("camera,frame,time,alarm,score,x,y,w,h,persisted,nblocks\n", f);
    for (size_t i = 0; i < n; i++) {
        const fg_cam_frame *r = &fr[i];
        char when[24];
        fg_time_format(r->time_utc, when);
        put_cell(f, r->camera);
        fputc(',', f);
        put_cell(f, r->frame);
        fprintf(f, ",%s,%d,%.4f,", when, r->alarm, r->score);
        if (r->w > 0 && r->h > 0)
            fprintf(f, "%d,%d,%d,%d", r->x, r->y, r->w, r->h);
        else
            fputs(",,,", f);
        fprintf(f, ",%d,%d\n", r->res.persisted, r->res.nblocks);
    }
    if (to_stdout) {
        if (fflush(stdout) != 0 || ferror(stdout))
            return fg_ctx_set(ctx, FG_EIO, "standard output: write failed: %s", strerror(errno));
        return FG_OK;
    }
    return fg_tmpfile_commit(&t, ctx);
}
