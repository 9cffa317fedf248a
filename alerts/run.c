/* run.c — one batch run: scenes and camera frames in, placed hotspots and the alert lists out. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

typedef struct run_state {
    const fg_run_config *cfg;
    fg_run_summary *sum;
    void (*log)(void *, const char *);
    void *user;
    char *text; /* the run log, kept whole until it is written */
    size_t len, cap;
    fg_alert *alerts;
    size_t nalerts, capalerts;
    int oom;
} run_state;

static void logf_(run_state *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void logf_(run_state *r, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (r->log)
        r->log(r->user, line);
    size_t n = strlen(line);
    if (r->len + n + 2 > r->cap) {
        size_t cap = (r->cap ? r->cap * 2 : 8192) + n;
        char *t = fg_realloc(r->text, cap);
        if (!t) {
            r->oom = 1;
            return;
        }
        r->text = t;
        r->cap = cap;
    }
    memcpy(r->text + r->len, line, n);
    r->len += n;
    r->text[r->len++] = '\n';
    r->text[r->len] = '\0';
}

static void skip_cb(void *user, const char *what, const char *reason)
{
    run_state *r = user;
    r->sum->inputs_skipped++;
    logf_(r, "SKIP %s: %s", what, reason);
}

static fg_alert *new_alert(run_state *r)
{
    if (r->nalerts == r->capalerts) {
        size_t cap = r->capalerts ? r->capalerts * 2 : 64;
        fg_alert *a = fg_realloc(r->alerts, cap * sizeof *a);
        if (!a) {
            r->oom = 1;
            return NULL;
        }
        r->alerts = a;
        r->capalerts = cap;
    }
    fg_alert *a = &r->alerts[r->nalerts++];
    memset(a, 0, sizeof *a);
    return a;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted entry names of dir (no dot files). want_dirs selects folders or files. */
static int list_dir(const char *dir, int want_dirs, char ***out, size_t *n, fg_ctx *ctx)
{
    DIR *d = opendir(dir);
    if (!d)
        return fg_ctx_set(ctx, errno == ENOENT ? FG_ENOTFOUND : FG_EIO, "%s: cannot list: %s",
                          dir, strerror(errno));
    char **v = NULL;
    size_t cnt = 0, cap = 0;
    int rc = FG_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char full[1024];
        snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(full, &st) != 0 || (want_dirs ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)))
            continue;
        if (cnt == cap) {
            cap = cap ? cap * 2 : 16;
            char **nv = fg_realloc(v, cap * sizeof *v);
            if (!nv) {
                rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", dir);
                break;
            }
            v = nv;
        }
        v[cnt] = fg_malloc(strlen(e->d_name) + 1);
        if (!v[cnt]) {
            rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", dir);
            break;
        }
        strcpy(v[cnt++], e->d_name);
    }
    closedir(d);
    if (rc != FG_OK) {
        for (size_t i = 0; i < cnt; i++)
            fg_free(v[i]);
        fg_free(v);
        return rc;
    }
    if (cnt)
        qsort(v, cnt, sizeof *v, name_cmp);
    *out = v;
    *n = cnt;
    return FG_OK;
}

static void free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fg_free(v[i]);
    fg_free(v);
}

static int is_scene_name(const char *name)
{
    static const char *const ext[] = {".tif", ".tiff", ".vrt", ".nc", ".hdf", ".h5", ".img"};
    const char *dot = strrchr(name, '.');
    if (!dot)
        return 0;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (strcasecmp(dot, ext[i]) == 0)
            return 1;
    return 0;
}

/* Runs the detector the scene's bands call for: thermal contextual, or SWIR reflective. */
static int detect_scene(run_state *r, const fg_scene *sc, fg_fire_pixel **fp, size_t *n,
                        int *is_day, fg_ctx *ctx)
{
    if (fg_scene_is_swir(sc)) {
        fg_swir_input in;
        int rc = fg_scene_swir_input(sc, &in, ctx);
        *is_day = 1;
        return rc ? rc
                  : fg_swir_detect(&in, fg_scene_sensor_def(sc)->swir_algorithm, r->cfg->threads,
                                   fp, n, NULL, ctx);
    }
    fg_thermal_input in;
    fg_thermal_params p;
    int rc = fg_scene_thermal_input(sc, &in, &p, ctx);
    *is_day = in.is_day;
    return rc ? rc : fg_thermal_detect(&in, &p, r->cfg->threads, fp, n, NULL, ctx);
}

static void scene_hotspots(run_state *r, const fg_scene *sc, const char *path)
{
    fg_ctx ctx = {0};
    double scan_km, track_km;
    fg_scene_pixel_km(sc, &scan_km, &track_km);
    const fg_raster *any = fg_scene_mir(sc) ? fg_scene_mir(sc) : fg_scene_band(sc, FG_ROLE_SWIR2_REF);
    fg_fire_pixel *fp = NULL;
    fg_fire *fires = NULL;
    size_t n = 0, nfires = 0;
    int is_day = 1;
    if (detect_scene(r, sc, &fp, &n, &is_day, &ctx) != FG_OK ||
        fg_fire_group(fp, n, &fires, &nfires, &ctx) != FG_OK) {
        fg_free(fp);
        skip_cb(r, path, ctx.msg);
        return;
    }
    fg_free(fires);
    r->sum->scenes++;
    r->sum->inputs_read++;
    char when[24];
    fg_time_format(fg_scene_time(sc), when);
    logf_(r, "READ scene %s: sensor %s, %s, %dx%d px of %.3fx%.3f km, %s, %zu pixel(s) of fill, "
             "%zu fire pixel(s) in %zu fire(s)",
          path, fg_scene_sensor(sc), when, any ? any->width : 0, any ? any->height : 0, scan_km,
          track_km, is_day > 0 ? "day" : is_day == 0 ? "night" : "day/night per pixel",
          fg_scene_fill_count(sc), n, nfires);
    for (size_t i = 0; i < n; i++) {
        fg_alert *a = new_alert(r);
        if (!a)
            break;
        fg_hotspot *h = &a->hs;
        fg_hotspot_init(h, FG_SOURCE_SATELLITE);
        snprintf(h->sensor, sizeof h->sensor, "%s", fg_scene_sensor(sc));
        h->time_utc = fg_scene_time(sc);
        if (fg_scene_to_wgs84(sc, fp[i].row + 0.5, fp[i].col + 0.5, &h->lat, &h->lon, &ctx) !=
            FG_OK) {
            r->nalerts--;
            logf_(r, "WARN %s: fire pixel row %d col %d: %s", path, fp[i].row, fp[i].col,
                  ctx.msg);
            continue;
        }
        h->scan_km = (float)scan_km;
        h->track_km = (float)track_km;
        h->confidence = fp[i].confidence;
        h->conf_class = fg_conf_class_of(fp[i].confidence);
        h->frp_mw = fp[i].frp_mw;
        h->bt_mir_k = fp[i].t4;
        h->bt_tir_k = fp[i].t11;
        snprintf(h->evidence, sizeof h->evidence, "%.*s", (int)sizeof h->evidence - 1, path);
        h->ev_row = fp[i].row;
        h->ev_col = fp[i].col;
    }
    fg_free(fp);
}

static void run_scenes(run_state *r)
{
    const char *dir = r->cfg->scenes_dir;
    if (!dir[0])
        return;
    fg_ctx ctx = {0};
    char **names = NULL;
    size_t n = 0;
    if (list_dir(dir, 0, &names, &n, &ctx) != FG_OK) {
        skip_cb(r, dir, ctx.msg);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (!is_scene_name(names[i])) {
            logf_(r, "IGNORE %s: not a scene file name (.tif .tiff .vrt .nc .hdf .h5 .img)", path);
            continue;
        }
        fg_scene *sc = NULL;
        fg_ctx_clear(&ctx);
        if (fg_scene_open(path, NULL, &sc, &ctx) != FG_OK) {
            r->sum->inputs_skipped++;
            logf_(r, "SKIP %s", ctx.msg);
            continue;
        }
        scene_hotspots(r, sc, path);
        fg_scene_free(sc);
    }
    free_names(names, n);
}

static void frame_skip_cb(void *user, const char *path, const char *reason)
{
    skip_cb(user, path, reason);
}

/* One camera: frames in time order through its smoke state; one hotspot per alarm episode. */
static void run_camera(run_state *r, const fg_camera *cam, const char *dir,
                       fg_jpeg_decoder *dec)
{
    fg_ctx ctx = {0};
    fg_frame_entry *fr = NULL;
    size_t nfr = 0;
    if (fg_frame_list(dir, &fr, &nfr, frame_skip_cb, r, &ctx) != FG_OK) {
        skip_cb(r, dir, ctx.msg);
        return;
    }
    r->sum->cameras++;
    int scale = r->cfg->cam_scale > 0 ? r->cfg->cam_scale : 2;
    fg_smoke *sm = NULL;
    int ww = 0, wh = 0, in_alarm = 0, nread = 0, nalarm = 0;
    for (size_t i = 0; i < nfr; i++) {
        fg_raster img = {0};
        int fw = 0, fh = 0;
        fg_ctx_clear(&ctx);
        if (fg_jpeg_decode_file(dec, fr[i].path, scale, 0, &img, &fw, &fh, &ctx) != FG_OK) {
            r->sum->inputs_skipped++;
            logf_(r, "SKIP %s", ctx.msg);
            continue;
        }
        if (!sm) {
            fg_smoke_params sp;
            fg_smoke_params_default(&sp);
            fg_camera geo = *cam;
            geo.width = fw;
            geo.height = fh;
            sp.horizon_row = fg_camera_horizon_row(&geo) * img.height / (double)fh;
            if (fg_smoke_new(&sp, img.width, img.height, &sm, &ctx) != FG_OK) {
                fg_raster_release(&img);
                skip_cb(r, dir, ctx.msg);
                break;
            }
            ww = img.width;
            wh = img.height;
        }
        if (img.width != ww || img.height != wh) {
            r->sum->inputs_skipped++;
            logf_(r, "SKIP %s: frame size %dx%d differs from the camera's %dx%d", fr[i].path,
                  img.width, img.height, ww, wh);
            fg_raster_release(&img);
            continue;
        }
        fg_smoke_result res;
        int rc = fg_smoke_push(sm, &img, fr[i].time_utc, &res, &ctx);
        fg_raster_release(&img);
        if (rc != FG_OK) {
            r->sum->inputs_skipped++;
            logf_(r, "SKIP %s: %s", fr[i].path, ctx.msg);
            continue;
        }
        nread++;
        r->sum->frames++;
        r->sum->inputs_read++;
        if (res.alarm && !in_alarm) {
            nalarm++;
            double sx = (double)fw / ww, sy = (double)fh / wh;
            fg_camera geo = *cam;
            geo.width = fw;
            geo.height = fh;
            double lat, lon, range, rmin, rmax;
            /* The base row is known to about one detector block. */
            if (fg_camera_locate(&geo, res.base_x * sx, res.base_y * sy, 8.0 * sy, &lat, &lon,
                                 &range, &rmin, &rmax) != FG_OK) {
                logf_(r, "WARN %s: smoke at (%.0f, %.0f) is at or above the horizon; no ground "
                         "position",
                      fr[i].path, res.base_x * sx, res.base_y * sy);
            } else {
                fg_alert *a = new_alert(r);
                if (a) {
                    fg_hotspot *h = &a->hs;
                    fg_hotspot_init(h, FG_SOURCE_CAMERA);
                    snprintf(h->sensor, sizeof h->sensor, "%s", cam->id);
                    h->time_utc = fr[i].time_utc;
                    h->lat = lat;
                    h->lon = lon;
                    h->bearing_deg = (float)fg_camera_bearing(&geo, res.base_x * sx);
                    h->range_m = (float)range;
                    h->range_min_m = (float)rmin;
                    h->range_max_m = (float)rmax;
                    h->smoke_score = res.score;
                    h->confidence = (int)lround(100.0 * res.score);
                    h->conf_class = fg_conf_class_of(h->confidence);
                    snprintf(h->evidence, sizeof h->evidence, "%.*s", (int)sizeof h->evidence - 1, fr[i].path);
                    h->ev_x = (int)lround(res.x * sx);
                    h->ev_y = (int)lround(res.y * sy);
                    h->ev_w = (int)lround(res.w * sx);
                    h->ev_h = (int)lround(res.h * sy);
                }
            }
        }
        in_alarm = res.alarm;
    }
    logf_(r, "READ camera %s: %s, %d of %zu frame(s) decoded at 1/%d, %d smoke alarm episode(s)",
          cam->id, dir, nread, nfr, scale, nalarm);
    fg_smoke_free(sm);
    fg_frame_list_free(fr, nfr);
}

static void run_cameras(run_state *r)
{
    const char *dir = r->cfg->frames_dir;
    if (!dir[0])
        return;
    fg_ctx ctx = {0};
    fg_camera *cams = NULL;
    size_t ncam = 0;
    if (!r->cfg->cameras[0] ||
        fg_camera_registry_read(r->cfg->cameras, &cams, &ncam, skip_cb, r, &ctx) != FG_OK) {
        skip_cb(r, r->cfg->cameras[0] ? r->cfg->cameras : "camera registry",
                r->cfg->cameras[0] ? ctx.msg : "no camera registry configured; frames not read");
        return;
    }
    char **sub = NULL;
    size_t nsub = 0;
    fg_jpeg_decoder *dec = NULL;
    if (list_dir(dir, 1, &sub, &nsub, &ctx) != FG_OK || fg_jpeg_decoder_new(&dec, &ctx) != FG_OK) {
        skip_cb(r, dir, ctx.msg);
        free_names(sub, nsub);
        fg_free(cams);
        return;
    }
    for (size_t i = 0; i < nsub; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, sub[i]);
        const fg_camera *cam = NULL;
        for (size_t k = 0; k < ncam; k++)
            if (strcmp(cams[k].id, sub[i]) == 0)
                cam = &cams[k];
        if (!cam) {
            skip_cb(r, path, "no camera with this id in the registry; its frames are not read");
            continue;
        }
        run_camera(r, cam, path, dec);
    }
    fg_jpeg_decoder_free(dec);
    free_names(sub, nsub);
    fg_free(cams);
}

static void grid_skip_cb(void *user, const char *what, const char *reason)
{
    run_state *r = user;
    logf_(r, "WARN boundary %s: %s (feature left out)", what, reason);
}

static int place_alerts(run_state *r, const fg_grid *g)
{
    fg_ctx ctx = {0};
    fg_static_source *ss = NULL;
    size_t nss = 0;
    if (r->cfg->static_sources[0]) {
        if (fg_static_sources_read(r->cfg->static_sources, &ss, &nss, skip_cb, r, &ctx) != FG_OK)
            skip_cb(r, r->cfg->static_sources, ctx.msg);
        else
            logf_(r, "READ static heat sources %s: %zu source(s)", r->cfg->static_sources, nss);
    }
    for (size_t i = 0; i < r->nalerts; i++) {
        fg_alert *a = &r->alerts[i];
        const fg_hotspot *h = &a->hs;
        fg_grid_locate(g, h->lat, h->lon, &a->place);
        /* Slack: half the pixel diagonal for a satellite pixel, the range band for a camera. */
        double slack = h->kind == FG_SOURCE_SATELLITE
                           ? 500.0 * hypot(h->scan_km, h->track_km)
                           : 0.5 * (h->range_max_m - h->range_min_m);
        if (!isfinite(slack))
            slack = 0;
        int k = fg_static_source_match(ss, nss, h->lat, h->lon, slack);
        a->cls = k >= 0 ? FG_ALERT_INDUSTRIAL : FG_ALERT_STRAW;
        if (k >= 0) {
            snprintf(a->static_id, sizeof a->static_id, "%s", ss[k].id);
            snprintf(a->static_name, sizeof a->static_name, "%s", ss[k].name);
            r->sum->industrial++;
        } else {
            r->sum->straw++;
            if (!a->place.inside)
                r->sum->outside++;
        }
        fg_alert_make_id(a);
    }
    fg_free(ss);
    r->sum->hotspots = r->nalerts;
    fg_alerts_sort(r->alerts, r->nalerts);
    return FG_OK;
}

static int write_log(run_state *r, fg_ctx *ctx)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/run.log", r->cfg->out_dir);
    return fg_write_file(path, r->text ? r->text : "", r->len, ctx);
}

int fg_run(const fg_run_config *c, const char *const *notes, int nnotes, fg_run_summary *sum,
           void (*log)(void *user, const char *line), void *user, fg_ctx *ctx)
{
    run_state r = {.cfg = c, .sum = sum, .log = log, .user = user};
    memset(sum, 0, sizeof *sum);
    char started[24];
    fg_time_format((int64_t)time(NULL), started);
    logf_(&r, "firegrid %s run started %s, config %s", FG_VERSION, started, c->source);
    for (int i = 0; i < nnotes; i++) {
        sum->inputs_skipped++;
        logf_(&r, "SKIP config %s", notes[i]);
    }

    int rc = fg_mkdir_p(c->out_dir, ctx);
    if (rc != FG_OK)
        goto out;
    fg_grid *g = NULL;
    if (!c->boundaries[0]) {
        rc = fg_ctx_set(ctx, FG_EINVAL, "%s: no boundary file configured (key 'boundaries')",
                        c->source);
        goto out;
    }
    if ((rc = fg_grid_open(c->boundaries, NULL, &g, grid_skip_cb, &r, ctx)) != FG_OK)
        goto out;
    logf_(&r, "READ boundaries %s: %zu township(s)", c->boundaries, fg_grid_township_count(g));

    run_scenes(&r);
    run_cameras(&r);
    place_alerts(&r, g);
    if (r.oom) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "out of memory while collecting hotspots");
    } else {
        rc = fg_lists_write(c->out_dir, g, r.alerts, r.nalerts, ctx);
        if (rc == FG_OK)
            logf_(&r,
                  "WROTE %s: %zu hotspot(s): %zu suspected straw burning (%zu outside the "
                  "county), %zu on registered static heat sources",
                  c->out_dir, sum->hotspots, sum->straw, sum->outside, sum->industrial);
    }
    fg_grid_free(g);
out:
    if (rc != FG_OK)
        logf_(&r, "FAILED %s", ctx->msg);
    logf_(&r, "SUMMARY inputs read %d, skipped %d (%d scene(s), %d camera(s), %d frame(s))",
          sum->inputs_read, sum->inputs_skipped, sum->scenes, sum->cameras, sum->frames);
    struct stat st;
    if (stat(c->out_dir, &st) == 0 && S_ISDIR(st.st_mode)) {
        fg_ctx lctx = {0};
        if (write_log(&r, &lctx) != FG_OK && rc == FG_OK)
            rc = fg_ctx_set(ctx, lctx.code, "%s", lctx.msg);
    }
    fg_free(r.text);
    fg_free(r.alerts);
    return rc;
}
