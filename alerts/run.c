/* run.c — one batch run: new scenes and camera frames in, hotspots placed and merged into the ledger's incidents in one transaction, the incident lists out. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"
#include "imagery/cam_state_int.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

typedef struct run_state {
    const fg_run_config *cfg;
    fg_run_summary *sum;
    void (*log)(void *, const char *);
    void *user;
    char *text; /* the run log, kept whole until it is written */
    size_t len, cap;
    fg_alert *alerts;
    size_t nalerts, capalerts;
    char **keys;            /* inputs new to the ledger and processed in this run */
    size_t nkeys, capkeys;
    fg_ledger *ledger;
    int oom;
    int summarised; /* the SUMMARY line is in the log */
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

static int scene_hotspots(run_state *r, const fg_scene *sc, const char *path)
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
        return -1;
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
        h->bg_mir_k = fp[i].mean_t4;
        h->bg_tir_k = fp[i].mean_t11;
        h->bg_dt_k = fp[i].mean_dt;
        h->mad_mir_k = fp[i].mad_t4;
        h->mad_tir_k = fp[i].mad_t11;
        h->mad_dt_k = fp[i].mad_dt;
        h->tests = fp[i].tests;
        h->window = fp[i].window;
        h->n_valid = fp[i].n_valid;
        snprintf(h->evidence, sizeof h->evidence, "%.*s", (int)sizeof h->evidence - 1, path);
        h->ev_row = fp[i].row;
        h->ev_col = fp[i].col;
    }
    fg_free(fp);
    return 0;
}

static int add_key(run_state *r, const char *key)
{
    if (r->nkeys == r->capkeys) {
        size_t cap = r->capkeys ? r->capkeys * 2 : 32;
        char **v = fg_realloc(r->keys, cap * sizeof *v);
        if (!v) {
            r->oom = 1;
            return -1;
        }
        r->keys = v;
        r->capkeys = cap;
    }
    size_t len = strlen(key);
    if (!(r->keys[r->nkeys] = fg_malloc(len + 1))) {
        r->oom = 1;
        return -1;
    }
    memcpy(r->keys[r->nkeys++], key, len + 1);
    return 0;
}

/* Scenes: a scene whose key (path, size, modification time) is in the ledger was
 * processed by an earlier run and is not opened again. */
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
    int already = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024], key[1400];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (!is_scene_name(names[i])) {
            logf_(r, "IGNORE %s: not a scene file name (.tif .tiff .vrt .nc .hdf .h5 .img)", path);
            continue;
        }
        fg_ctx_clear(&ctx);
        int seen = 0;
        if (fg_input_key("scene", path, key, sizeof key, &ctx) != FG_OK) {
            skip_cb(r, path, ctx.msg);
            continue;
        }
        if (fg_ledger_input_seen(r->ledger, key, &seen, &ctx) != FG_OK) {
            skip_cb(r, path, ctx.msg);
            continue;
        }
        if (seen) {
            already++;
            continue;
        }
        fg_scene *sc = NULL;
        if (fg_scene_open(path, NULL, &sc, &ctx) != FG_OK) {
            r->sum->inputs_skipped++;
            logf_(r, "SKIP %s", ctx.msg);
            continue;
        }
        if (scene_hotspots(r, sc, path) == 0)
            add_key(r, key);
        fg_scene_free(sc);
    }
    if (already)
        logf_(r, "SEEN %d scene(s) in %s already processed by earlier runs (in the ledger)",
              already, dir);
    free_names(names, n);
}

/* ------------------------------------------------------------ cameras */

static void cam_log_cb(void *user, const char *line)
{
    logf_(user, "%s", line);
}

/* Camera keys the runner will find in the frames folder (alerts.h: a camera folder holds
 * JPEGs and is named by its key, else its sub-folders are the cameras). */
static int camera_keys(const char *dir, char ***keys, size_t *n, fg_ctx *ctx)
{
    char **files = NULL;
    size_t nf = 0;
    int rc = list_dir(dir, 0, &files, &nf, ctx);
    if (rc != FG_OK)
        return rc;
    int has_jpeg = 0;
    for (size_t i = 0; i < nf && !has_jpeg; i++) {
        const char *dot = strrchr(files[i], '.');
        has_jpeg = dot && (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0);
    }
    free_names(files, nf);
    if (!has_jpeg)
        return list_dir(dir, 1, keys, n, ctx);
    size_t dl = strlen(dir);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    const char *base = dir;
    for (size_t i = 0; i < dl; i++)
        if (dir[i] == '/' && i + 1 < dl)
            base = dir + i + 1;
    char **v = fg_malloc(sizeof *v);
    if (!v || !(v[0] = fg_malloc((size_t)(dir + dl - base) + 1))) {
        fg_free(v);
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", dir);
    }
    memcpy(v[0], base, (size_t)(dir + dl - base));
    v[0][dir + dl - base] = '\0';
    *keys = v;
    *n = 1;
    return FG_OK;
}


/* Removes the plain files of a folder (the run's scratch state folder). */
static void clear_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[1400];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
}

/* A camera state that changed in this run, to be put into the ledger. */
typedef struct cam_put {
    char key[128];
    unsigned char *buf;
    size_t len;
} cam_put;

typedef struct cam_io {
    char dir[1100];   /* scratch state folder */
    cam_put *puts;
    size_t nputs;
} cam_io;

/* Cameras through the shared runner (alerts/cameras.c). The detector states live in the
 * ledger, so that they commit together with the hotspots they produced: they are written
 * to a scratch state folder before the runner starts, and the ones it changed are read
 * back for the ledger. A run killed in between leaves the ledger's states as they were;
 * the next run clears the scratch folder and starts from them again. */
static void run_cameras(run_state *r, cam_io *io)
{
    const char *dir = r->cfg->frames_dir;
    if (!dir[0])
        return;
    if (!r->cfg->cameras[0]) {
        skip_cb(r, "camera registry", "no camera registry configured; frames not read");
        return;
    }
    fg_ctx ctx = {0};
    char **keys = NULL;
    size_t nk = 0;
    if (camera_keys(dir, &keys, &nk, &ctx) != FG_OK) {
        skip_cb(r, dir, ctx.msg);
        return;
    }
    snprintf(io->dir, sizeof io->dir, "%s/.camera_states.tmp", r->cfg->out_dir);
    clear_dir(io->dir);
    if (fg_mkdir_p(io->dir, &ctx) != FG_OK) {
        skip_cb(r, dir, ctx.msg);
        free_names(keys, nk);
        return;
    }
    unsigned char **before = fg_calloc(nk ? nk : 1, sizeof *before);
    size_t *blen = fg_calloc(nk ? nk : 1, sizeof *blen);
    if (!before || !blen) {
        r->oom = 1;
        goto done;
    }
    for (size_t i = 0; i < nk; i++) {
        char path[1400];
        fg_ctx_clear(&ctx);
        if (fg_smoke_state_path(io->dir, keys[i], path, sizeof path) != FG_OK)
            continue;
        if (fg_ledger_state_get(r->ledger, keys[i], &before[i], &blen[i], &ctx) != FG_OK) {
            logf_(r, "WARN camera %s: state not read from the ledger: %s; starting afresh",
                  keys[i], ctx.msg);
            continue;
        }
        if (before[i] && fg_write_file(path, before[i], blen[i], &ctx) != FG_OK)
            logf_(r, "WARN camera %s: %s; starting afresh", keys[i], ctx.msg);
    }

    fg_cam_opts o;
    fg_cam_opts_default(&o);
    o.registry = r->cfg->cameras;
    o.need_registry = 1;
    o.scale = r->cfg->cam_scale;
    o.threads = r->cfg->threads;
    o.state_dir = io->dir;
    fg_cam_result res;
    fg_ctx_clear(&ctx);
    if (fg_cam_run(&dir, 1, &o, &res, cam_log_cb, r, &ctx) != FG_OK) {
        skip_cb(r, r->cfg->cameras, ctx.msg);
        goto done;
    }
    r->sum->inputs_skipped += res.skipped;
    r->sum->cameras += res.cameras;
    r->sum->frames += (int)res.nframes;
    r->sum->inputs_read += (int)res.nframes;
    for (size_t i = 0; i < res.nframes; i++) {
        char key[1400];
        snprintf(key, sizeof key, "frame:%s:%lld", res.frames[i].frame,
                 (long long)res.frames[i].time_utc);
        add_key(r, key);
    }
    for (size_t i = 0; i < res.nhotspots; i++) {
        fg_alert *a = new_alert(r);
        if (!a)
            break;
        a->hs = res.hotspots[i].hs;
    }
    fg_cam_result_free(&res);

    io->puts = fg_calloc(nk ? nk : 1, sizeof *io->puts);
    if (!io->puts) {
        r->oom = 1;
        goto done;
    }
    for (size_t i = 0; i < nk; i++) {
        char path[1400];
        if (fg_smoke_state_path(io->dir, keys[i], path, sizeof path) != FG_OK)
            continue;
        unsigned char *b = NULL;
        size_t len = 0;
        fg_ctx rctx = {0};
        int e = fg_read_file(path, 0, &b, &len, &rctx);
        if (e == FG_ENOMEM)
            r->oom = 1;
        if (e != FG_OK)
            continue;
        if (before[i] && blen[i] == len && memcmp(before[i], b, len) == 0) {
            fg_free(b);
            continue;
        }
        cam_put *p = &io->puts[io->nputs++];
        snprintf(p->key, sizeof p->key, "%s", keys[i]);
        p->buf = b;
        p->len = len;
    }
done:
    for (size_t i = 0; before && i < nk; i++)
        fg_free(before[i]);
    fg_free(before);
    fg_free(blen);
    free_names(keys, nk);
}

static void cam_io_free(cam_io *io)
{
    for (size_t i = 0; i < io->nputs; i++)
        fg_free(io->puts[i].buf);
    fg_free(io->puts);
    if (io->dir[0]) {
        clear_dir(io->dir);
        rmdir(io->dir);
    }
}

/* ------------------------------------------------------------ placement */

static void grid_skip_cb(void *user, const char *what, const char *reason)
{
    run_state *r = user;
    logf_(r, "WARN boundary %s: %s (feature left out)", what, reason);
}

static void place_alerts(run_state *r, const fg_grid *g)
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
        }
        fg_alert_make_id(a);
    }
    fg_free(ss);
    fg_alerts_sort(r->alerts, r->nalerts);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_id24(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* Drops alerts the ledger already holds (the same scene copied under another name, a
 * file touched) or that repeat within this run, then counts what is left. */
static int drop_known(run_state *r, fg_ctx *ctx)
{
    fg_alert *old = NULL;
    size_t nold = 0;
    int rc = fg_ledger_hotspots_of(r->ledger, NULL, &old, &nold, ctx);
    if (rc != FG_OK)
        return rc;
    char(*ids)[24] = fg_malloc((nold + r->nalerts + 1) * sizeof *ids);
    if (!ids) {
        fg_free(old);
        return fg_ctx_set(ctx, FG_ENOMEM, "out of memory checking hotspots against the ledger");
    }
    for (size_t i = 0; i < nold; i++)
        memcpy(ids[i], old[i].id, 24);
    fg_free(old);
    if (nold > 1)
        qsort(ids, nold, sizeof *ids, cmp_id24);
    size_t k = 0, nids = nold;
    for (size_t i = 0; i < r->nalerts; i++) {
        fg_alert *a = &r->alerts[i];
        if (bsearch(a->id, ids, nold, sizeof *ids, cmp_id24)) {
            logf_(r, "SEEN hotspot %s (%s %s): already in the ledger", a->id, a->hs.sensor,
                  a->hs.evidence);
            continue;
        }
        int dup = 0;
        for (size_t j = nold; j < nids && !dup; j++)
            dup = strcmp(ids[j], a->id) == 0;
        if (dup)
            continue;
        memcpy(ids[nids++], a->id, 24);
        if (k != i)
            r->alerts[k] = *a;
        k++;
    }
    fg_free(ids);
    r->nalerts = k;
    r->sum->hotspots = k;
    for (size_t i = 0; i < k; i++) {
        const fg_alert *a = &r->alerts[i];
        if (a->cls == FG_ALERT_INDUSTRIAL) {
            r->sum->industrial++;
        } else {
            r->sum->straw++;
            if (!a->place.inside)
                r->sum->outside++;
        }
    }
    return FG_OK;
}

/* ------------------------------------------------------------ the county's shape */

/* What fg_grid does not expose: the county's WGS84 extent (for the UTM zone of the grid
 * cells) and each village's centroid (for the Spring Festival bonfire test), read once
 * through OGR from the boundary file. */
typedef struct vcentre {
    char code[16];
    double lat, lon;
} vcentre;

typedef struct county_geo {
    int loaded, ok;
    double west, south, east, north;
    vcentre *v;
    size_t n;
} county_geo;

static int cmp_vcentre(const void *a, const void *b)
{
    return strcmp(((const vcentre *)a)->code, ((const vcentre *)b)->code);
}

static void county_geo_load(run_state *r, county_geo *cg)
{
    if (cg->loaded)
        return;
    cg->loaded = 1;
    cg->west = cg->south = INFINITY;
    cg->east = cg->north = -INFINITY;
    const char *path = r->cfg->boundaries;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    OGRLayerH lyr = ds ? GDALDatasetGetLayer(ds, 0) : NULL;
    OGRSpatialReferenceH src = lyr ? OGR_L_GetSpatialRef(lyr) : NULL;
    OGRSpatialReferenceH wgs = OSRNewSpatialReference(NULL);
    OGRCoordinateTransformationH ct = NULL;
    if (src && wgs && OSRImportFromEPSG(wgs, 4326) == OGRERR_NONE) {
        OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
        OGRSpatialReferenceH s2 = OSRClone(src);
        OSRSetAxisMappingStrategy(s2, OAMS_TRADITIONAL_GIS_ORDER);
        ct = OCTNewCoordinateTransformation(s2, wgs);
        OSRDestroySpatialReference(s2);
    }
    int iv = lyr ? OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(lyr), "village_code") : -1;
    size_t cap = 0;
    if (ct && iv >= 0) {
        OGR_L_ResetReading(lyr);
        OGRFeatureH f;
        while ((f = OGR_L_GetNextFeature(lyr))) {
            OGRGeometryH g = OGR_F_GetGeometryRef(f);
            OGRGeometryH c = g ? OGR_G_CreateGeometry(wkbPoint) : NULL;
            OGRGeometryH gw = g ? OGR_G_Clone(g) : NULL;
            if (gw && c && OGR_G_Transform(gw, ct) == OGRERR_NONE &&
                OGR_G_Centroid(gw, c) == OGRERR_NONE) {
                OGREnvelope env;
                OGR_G_GetEnvelope(gw, &env);
                double lat = OGR_G_GetY(c, 0), lon = OGR_G_GetX(c, 0);
                if (r->cfg->boundaries_gcj02) {
                    double wl, wo;
                    fg_gcj02_to_wgs84(env.MinY, env.MinX, &wl, &wo);
                    env.MinY = wl;
                    env.MinX = wo;
                    fg_gcj02_to_wgs84(env.MaxY, env.MaxX, &wl, &wo);
                    env.MaxY = wl;
                    env.MaxX = wo;
                    fg_gcj02_to_wgs84(lat, lon, &wl, &wo);
                    lat = wl;
                    lon = wo;
                }
                cg->west = fmin(cg->west, env.MinX);
                cg->east = fmax(cg->east, env.MaxX);
                cg->south = fmin(cg->south, env.MinY);
                cg->north = fmax(cg->north, env.MaxY);
                if (cg->n == cap) {
                    cap = cap ? cap * 2 : 64;
                    vcentre *nv = fg_realloc(cg->v, cap * sizeof *nv);
                    if (!nv)
                        r->oom = 1;
                    else
                        cg->v = nv;
                }
                if (cg->n < cap) {
                    vcentre *vc = &cg->v[cg->n++];
                    snprintf(vc->code, sizeof vc->code, "%s", OGR_F_GetFieldAsString(f, iv));
                    vc->lat = lat;
                    vc->lon = lon;
                }
            }
            if (gw)
                OGR_G_DestroyGeometry(gw);
            if (c)
                OGR_G_DestroyGeometry(c);
            OGR_F_Destroy(f);
        }
    }
    if (ct)
        OCTDestroyCoordinateTransformation(ct);
    if (wgs)
        OSRDestroySpatialReference(wgs);
    if (ds)
        GDALClose(ds);
    CPLPopErrorHandler();
    if (cg->n > 1)
        qsort(cg->v, cg->n, sizeof *cg->v, cmp_vcentre);
    cg->ok = cg->n > 0 && cg->west <= cg->east;
    if (!cg->ok)
        logf_(r, "WARN %s: village centroids and county extent not readable; no grid cells "
                 "and no bonfire test",
              path);
}

static const vcentre *village_centre(const county_geo *cg, const char *code)
{
    vcentre key;
    snprintf(key.code, sizeof key.code, "%s", code);
    return cg->n ? bsearch(&key, cg->v, cg->n, sizeof key, cmp_vcentre) : NULL;
}

/* ------------------------------------------------------------ incidents */

/* Spring Festival bonfires (旺火) are lit in courtyards and on village squares, inside the
 * built-up core of a village: a hit within this distance of the village's centroid is
 * labelled a possible bonfire. 300 m is the radius of a typical northern Shanxi village
 * core (a few hundred households); fields start beyond it. */
#define BONFIRE_RADIUS_M 300.0

typedef struct run_extra {
    const fg_period *periods;
    size_t nperiods;
    fg_period own[16];
    fg_landcover *lc;
    int utm_epsg;
    county_geo cg;
} run_extra;

static void extra_setup(run_state *r, run_extra *x)
{
    const fg_run_config *c = r->cfg;
    fg_ctx ctx = {0};
    size_t np = 0;
    for (int i = 0; i < c->nperiods && i < 16; i++) {
        fg_ctx_clear(&ctx);
        if (fg_period_parse(c->periods[i].text, &x->own[np], &ctx) == FG_OK)
            np++;
        else
            skip_cb(r, "period", ctx.msg);
    }
    if (c->nperiods > 0) {
        x->periods = x->own;
        x->nperiods = np;
    } else {
        x->periods = fg_periods_default(&x->nperiods);
    }
    if (c->landcover[0]) {
        fg_ctx_clear(&ctx);
        if (fg_landcover_open(c->landcover, &x->lc, &ctx) != FG_OK) {
            x->lc = NULL;
            skip_cb(r, c->landcover, ctx.msg);
        } else {
            logf_(r, "READ land cover %s", c->landcover);
        }
    }
}

static void extra_free(run_extra *x)
{
    fg_landcover_free(x->lc);
    fg_free(x->cg.v);
}

/* Fields that follow the incident's position and first time: grid cell, land class, key
 * period and the bonfire label. */
static void derive(run_state *r, run_extra *x, fg_incident *inc)
{
    const fg_run_config *c = r->cfg;
    inc->cell_id[0] = '\0';
    if (c->grid_cell_m > 0) {
        county_geo_load(r, &x->cg);
        if (x->cg.ok && !x->utm_epsg)
            x->utm_epsg = fg_utm_epsg(0.5 * (x->cg.south + x->cg.north),
                                      0.5 * (x->cg.west + x->cg.east));
        if (x->utm_epsg &&
            fg_cell_id(inc->lat, inc->lon, c->grid_cell_m, x->utm_epsg, inc->cell_id,
                       sizeof inc->cell_id) != FG_OK)
            inc->cell_id[0] = '\0';
    }
    if (x->lc)
        snprintf(inc->land_class, sizeof inc->land_class, "%s",
                 fg_landcover_at(x->lc, inc->lat, inc->lon));
    const fg_period *p = fg_period_at(x->periods, x->nperiods, inc->first_seen);
    snprintf(inc->period, sizeof inc->period, "%s", p ? p->name : "");
    inc->possible_bonfire = 0;
    if (p && p->bonfire && inc->place.inside && inc->cls == FG_ALERT_STRAW) {
        county_geo_load(r, &x->cg);
        const vcentre *vc = village_centre(&x->cg, inc->place.vill_code);
        if (vc && fg_geo_distance(inc->lat, inc->lon, vc->lat, vc->lon) <= BONFIRE_RADIUS_M)
            inc->possible_bonfire = 1;
    }
}

/* FNV-1a 64 over the sorted new input keys: a rerun or a restart after a kill computes
 * the same id from the same inputs. */
static void make_run_id(run_state *r, char out[24])
{
    if (r->nkeys > 1)
        qsort(r->keys, r->nkeys, sizeof *r->keys, cmp_str);
    uint64_t h = FG_FNV64_OFFSET;
    for (size_t i = 0; i < r->nkeys; i++) /* with each key's NUL, so keys stay apart */
        h = fg_fnv1a64(h, r->keys[i], strlen(r->keys[i]) + 1);
    snprintf(out, 24, "R%016llx", (unsigned long long)h);
}

static int find_incident(const fg_incident *v, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].id, id) == 0)
            return (int)i;
    return -1;
}

/* Merges this run's hotspots into the ledger's incidents and records everything in one
 * transaction: hotspots, the incidents they touched, status changes, inputs, camera
 * states. On any failure the transaction is rolled back and the ledger is as before. */
static int record(run_state *r, run_extra *x, const cam_io *io, fg_ctx *ctx)
{
    char run_id[24];
    make_run_id(r, run_id);
    fg_incident *inc = NULL;
    size_t ninc = 0;
    int rc = fg_ledger_incidents(r->ledger, &inc, &ninc, ctx);
    if (rc != FG_OK)
        return rc;
    size_t nold = ninc; /* incidents [nold, ninc) are started by this run */
    char(*of)[24] = fg_malloc((r->nalerts + 1) * sizeof *of);
    unsigned char *touched = NULL;
    if (!of) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "out of memory merging incidents");
        goto out;
    }
    fg_merge_params mp;
    fg_merge_params_default(&mp);
    if ((rc = fg_incidents_merge(&inc, &ninc, r->alerts, r->nalerts, &mp, of, ctx)) != FG_OK)
        goto out;
    touched = fg_calloc(ninc ? ninc : 1, 1);
    if (!touched) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "out of memory merging incidents");
        goto out;
    }
    int64_t *latest = fg_calloc(ninc ? ninc : 1, sizeof *latest);
    if (!latest) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "out of memory merging incidents");
        goto out;
    }
    for (size_t i = 0; i < r->nalerts; i++) {
        int k = find_incident(inc, ninc, of[i]);
        if (k >= 0) {
            touched[k] = 1;
            if (r->alerts[i].hs.time_utc > latest[k])
                latest[k] = r->alerts[i].hs.time_utc;
        }
    }
    size_t nnew = ninc - nold, ncont = 0;
    if ((rc = fg_ledger_begin(r->ledger, ctx)) != FG_OK) {
        fg_free(latest);
        goto out;
    }
    for (size_t i = 0; i < r->nalerts && rc == FG_OK; i++)
        rc = fg_ledger_hotspot_add(r->ledger, &r->alerts[i], of[i], run_id, ctx);
    for (size_t k = 0; k < ninc && rc == FG_OK; k++) {
        if (!touched[k])
            continue;
        fg_incident *xk = &inc[k];
        int changed_status = 0;
        if (k >= nold) {
            changed_status = 1; /* new (or industrial) from the merge */
        } else {
            ncont++;
            /* seen again: a new incident goes on; one reported out has flared up again.
             * Officers' verdicts (confirmed, false alarm, industrial) stand. */
            if (xk->status == FG_INC_NEW || xk->status == FG_INC_OUT) {
                xk->status = FG_INC_ONGOING;
                xk->status_time = latest[k];
                changed_status = 1;
            }
        }
        derive(r, x, xk);
        snprintf(xk->last_run, sizeof xk->last_run, "%s", run_id);
        rc = fg_ledger_incident_put(r->ledger, xk, ctx);
        if (rc == FG_OK && changed_status)
            rc = fg_ledger_status_add(r->ledger, xk->id, xk->status, xk->status_time, "firegrid",
                                      run_id, ctx);
    }
    fg_free(latest);
    for (size_t i = 0; i < r->nkeys && rc == FG_OK; i++)
        rc = fg_ledger_input_add(r->ledger, r->keys[i], run_id, ctx);
    for (size_t i = 0; i < io->nputs && rc == FG_OK; i++)
        rc = fg_ledger_state_put(r->ledger, io->puts[i].key, io->puts[i].buf, io->puts[i].len,
                                 ctx);
    if (rc != FG_OK) {
        fg_ledger_rollback(r->ledger);
        goto out;
    }
    if ((rc = fg_ledger_commit(r->ledger, ctx)) != FG_OK)
        goto out;
    logf_(r,
          "LEDGER run %s: %zu input(s), %zu hotspot(s): %zu new incident(s), %zu continued; "
          "%zu incident(s) in the ledger",
          run_id, r->nkeys, r->nalerts, nnew, ncont, ninc);
out:
    fg_free(inc);
    fg_free(of);
    fg_free(touched);
    return rc;
}

/* ------------------------------------------------------------ lists */

static void officer_skip_cb(void *user, const char *what, const char *reason)
{
    skip_cb(user, what, reason);
}

/* Persistent-source learning: hot on N = 3 distinct days within M = 30 days within 1 km
 * (fg_candidates_find; the defaults are argued in alerts/candidates.c). */
#define CAND_N_DAYS 3
#define CAND_M_DAYS 30
#define CAND_RADIUS_M 1000.0

/* Writes the lists from the ledger's whole incident set: they depend on the ledger and
 * the configuration only, never on the clock, so a rerun writes the same bytes. */
static int write_lists(run_state *r, const fg_grid *g, fg_ctx *ctx)
{
    const fg_run_config *c = r->cfg;
    fg_incident *inc = NULL;
    size_t ninc = 0;
    fg_alert *hs = NULL;
    char(*hinc)[24] = NULL;
    size_t nhs = 0, caphs = 0;
    fg_officers *off = NULL;
    fg_candidate *cand = NULL;
    size_t ncand = 0;
    int rc = fg_ledger_incidents(r->ledger, &inc, &ninc, ctx);
    for (size_t i = 0; i < ninc && rc == FG_OK; i++) {
        fg_alert *a = NULL;
        size_t na = 0;
        if ((rc = fg_ledger_hotspots_of(r->ledger, inc[i].id, &a, &na, ctx)) != FG_OK)
            break;
        if (nhs + na > caphs) {
            size_t cap = caphs ? caphs : 64;
            while (cap < nhs + na)
                cap *= 2;
            fg_alert *nh = fg_realloc(hs, cap * sizeof *nh);
            char(*ni)[24] = nh ? fg_realloc(hinc, cap * sizeof *ni) : NULL;
            if (nh)
                hs = nh;
            if (ni)
                hinc = ni;
            if (!nh || !ni) {
                fg_free(a);
                rc = fg_ctx_set(ctx, FG_ENOMEM, "out of memory reading the ledger");
                break;
            }
            caphs = cap;
        }
        for (size_t k = 0; k < na; k++) {
            hs[nhs] = a[k];
            snprintf(hinc[nhs], 24, "%s", inc[i].id);
            nhs++;
        }
        fg_free(a);
    }
    if (rc == FG_OK && c->officers[0]) {
        fg_ctx octx = {0};
        if (fg_officers_read(c->officers, &off, officer_skip_cb, r, &octx) != FG_OK) {
            off = NULL;
            skip_cb(r, c->officers, octx.msg);
        } else {
            logf_(r, "READ grid officers %s", c->officers);
        }
    }
    if (rc == FG_OK) {
        /* "now" for the learning window is the newest time in the ledger, not the clock */
        int64_t now = 0;
        for (size_t i = 0; i < ninc; i++)
            if (inc[i].last_seen > now)
                now = inc[i].last_seen;
        fg_ctx cctx = {0};
        if (ninc && fg_candidates_find(r->ledger, now, CAND_N_DAYS, CAND_M_DAYS, CAND_RADIUS_M,
                                       &cand, &ncand, &cctx) != FG_OK) {
            if (cctx.code == FG_ENOMEM)
                rc = fg_ctx_set(ctx, FG_ENOMEM, "%s", cctx.msg);
            else
                logf_(r, "WARN persistent heat sources not computed: %s", cctx.msg);
            cand = NULL;
            ncand = 0;
        }
    }
    char fmtbuf[sizeof c->formats];
    const char *fmts[17];
    size_t nf = 0;
    snprintf(fmtbuf, sizeof fmtbuf, "%s", c->formats);
    char *save = NULL;
    for (char *t = strtok_r(fmtbuf, ", ", &save); t && nf < 16; t = strtok_r(NULL, ", ", &save))
        fmts[nf++] = t;
    fmts[nf] = NULL;
    if (rc == FG_OK) {
        fg_lists_opts o;
        memset(&o, 0, sizeof o);
        o.lang = c->lang[0] ? c->lang : "zh";
        o.formats = nf ? fmts : NULL;
        o.officers = off;
        o.candidates = cand;
        o.ncandidates = ncand;
        o.hotspots = hs;
        o.hotspot_incident = (const char(*)[24])hinc;
        o.nhotspots = nhs;
        rc = fg_incident_lists_write(c->out_dir, g, inc, ninc, &o, ctx);
        if (rc == FG_OK) {
            size_t nstraw = 0, nind = 0, nout = 0;
            for (size_t i = 0; i < ninc; i++) {
                if (inc[i].cls == FG_ALERT_INDUSTRIAL || inc[i].status == FG_INC_INDUSTRIAL)
                    nind++;
                else {
                    nstraw++;
                    nout += !inc[i].place.inside;
                }
            }
            logf_(r,
                  "WROTE %s: %zu incident(s) from the ledger: %zu suspected straw burning (%zu "
                  "outside the county), %zu on static heat sources; %zu hotspot(s); %zu "
                  "candidate persistent source(s)",
                  c->out_dir, ninc, nstraw, nout, nind, nhs, ncand);
        }
    }
    fg_free(inc);
    fg_free(hs);
    fg_free(hinc);
    fg_free(cand);
    fg_officers_free(off);
    return rc;
}

/* ------------------------------------------------------------ housekeeping */

/* Temporary files of a killed run (".<name>.tmp<pid>…", fg_tmp_path) whose process is
 * gone are removed, so that a folder after kill -9 and restart equals a clean run's. */
static void remove_stale_tmp(run_state *r, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *t = e->d_name[0] == '.' ? strstr(e->d_name, ".tmp") : NULL;
        if (!t || t[4] < '0' || t[4] > '9')
            continue;
        long pid = strtol(t + 4, NULL, 10);
        if (pid <= 0 || pid == (long)getpid() || (kill((pid_t)pid, 0) != 0 && errno != ESRCH))
            continue;
        if (kill((pid_t)pid, 0) == 0)
            continue; /* its writer is alive */
        char p[1400];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (unlink(p) == 0)
            logf_(r, "CLEANED %s: left by an interrupted run", p);
    }
    closedir(d);
}

/* One run at a time per ledger: a second one started while the first still works (cron
 * overlap) stops at once instead of merging against a stale view. The lock is released
 * by the kernel when the process ends, even by kill -9. */
static int lock_ledger(const char *ledger, int *fd, fg_ctx *ctx)
{
    char p[1100];
    snprintf(p, sizeof p, "%s.lock", ledger);
    *fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (*fd < 0)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot open the lock file: %s", p, strerror(errno));
    if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(*fd);
        *fd = -1;
        return fg_ctx_set(ctx, FG_EIO, "%s: %s", ledger,
                          e == EWOULDBLOCK ? "another firegrid run is using this ledger"
                                           : strerror(e));
    }
    return FG_OK;
}

static void summary_line(run_state *r)
{
    const fg_run_summary *sum = r->sum;
    logf_(r, "SUMMARY inputs read %d, skipped %d (%d scene(s), %d camera(s), %d frame(s))",
          sum->inputs_read, sum->inputs_skipped, sum->scenes, sum->cameras, sum->frames);
    r->summarised = 1;
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
    cam_io io;
    memset(&io, 0, sizeof io);
    run_extra x;
    memset(&x, 0, sizeof x);
    fg_grid *g = NULL;
    int lockfd = -1;
    char ledger[1024];
    if (c->ledger[0])
        snprintf(ledger, sizeof ledger, "%s", c->ledger);
    else
        snprintf(ledger, sizeof ledger, "%s/ledger.gpkg", c->out_dir);

    int rc = fg_mkdir_p(c->out_dir, ctx);
    if (rc != FG_OK)
        goto out;
    if (!c->boundaries[0]) {
        rc = fg_ctx_set(ctx, FG_EINVAL, "%s: no boundary file configured (key 'boundaries')",
                        c->source);
        goto out;
    }
    fg_grid_opts go;
    memset(&go, 0, sizeof go);
    go.gcj02 = c->boundaries_gcj02;
    if ((rc = fg_grid_open(c->boundaries, &go, &g, grid_skip_cb, &r, ctx)) != FG_OK)
        goto out;
    logf_(&r, "READ boundaries %s: %zu township(s)", c->boundaries, fg_grid_township_count(g));
    if ((rc = lock_ledger(ledger, &lockfd, ctx)) != FG_OK)
        goto out;
    remove_stale_tmp(&r, c->out_dir);
    static const char *const subdirs[] = {"incidents", "evidence"};
    for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
        char sub[1200];
        snprintf(sub, sizeof sub, "%s/%s", c->out_dir, subdirs[i]);
        remove_stale_tmp(&r, sub);
    }
    if ((rc = fg_ledger_open(ledger, &r.ledger, ctx)) != FG_OK)
        goto out;
    logf_(&r, "READ ledger %s", ledger);
    extra_setup(&r, &x);

    run_scenes(&r);
    run_cameras(&r, &io);
    place_alerts(&r, g);
    if (r.oom) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "out of memory while collecting hotspots");
        goto out;
    }
    if ((rc = drop_known(&r, ctx)) != FG_OK)
        goto out;
    if (r.nkeys || r.nalerts || io.nputs) {
        if ((rc = record(&r, &x, &io, ctx)) != FG_OK)
            goto out;
    } else {
        logf_(&r, "LEDGER nothing new: no input that the ledger does not hold already");
    }
    rc = write_lists(&r, g, ctx);
    if (rc == FG_OK) {
        /* The report and evidence come after the lists: they read the committed ledger,
         * and a failure here leaves the lists whole (the run then counts as partial). */
        summary_line(&r);
        fg_ctx rctx = {0};
        if (fg_report_run(c->out_dir, r.ledger, g, c->lang, r.text, NULL, 0, &rctx) != FG_OK) {
            sum->inputs_skipped++;
            logf_(&r, "SKIP report: %s", rctx.msg);
        } else {
            logf_(&r, "WROTE %s/report.html and evidence images", c->out_dir);
        }
    }
out:
    if (rc != FG_OK)
        logf_(&r, "FAILED %s", ctx->msg);
    if (!r.summarised)
        summary_line(&r);
    fg_ledger_close(r.ledger);
    cam_io_free(&io);
    extra_free(&x);
    fg_grid_free(g);
    struct stat st;
    if (stat(c->out_dir, &st) == 0 && S_ISDIR(st.st_mode)) {
        fg_ctx lctx = {0};
        if (write_log(&r, &lctx) != FG_OK && rc == FG_OK)
            rc = fg_ctx_set(ctx, lctx.code, "%s", lctx.msg);
    }
    if (lockfd >= 0)
        close(lockfd);
    fg_free(r.text);
    fg_free(r.alerts);
    for (size_t i = 0; i < r.nkeys; i++)
        fg_free(r.keys[i]);
    fg_free(r.keys);
    return rc;
}
