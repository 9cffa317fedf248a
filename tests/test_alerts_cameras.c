/* test_alerts_cameras.c — the camera runner and `firegrid detect-cam`: scale choice, 1 vs 2 threads, state continuation, bad inputs, triangulation. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fg_test.h"
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alerts/alerts.h"
#include "alerts/cameras_int.h"

#define TMP FG_TEST_TMPDIR
#define SYNTH TMP "/synth"
#define NSITES 12
#define DAY0 1792022400 /* 2026-10-15T00:00:00Z */
#define NUSE 16         /* synthetic frames used: ignition at minute 8, smoke visible after */

static char frame_names[64][64];
static int nframes_synth;
static fg_camera cam01;

/* ------------------------------------------------------------ helpers */

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                char p[2048];
                snprintf(p, sizeof p, "%s/%s", path, e->d_name);
                remove_tree(p);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void mkdirs(const char *path)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0777);
            *p = '/';
        }
    mkdir(buf, 0777);
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static unsigned char *read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
    b[len] = 0;
    fclose(f);
    *n = (size_t)len;
    return b;
}

/* Copies synthetic frames [a, b) into dir (made if missing). */
static void copy_frames(const char *dir, int a, int b)
{
    mkdirs(dir);
    for (int i = a; i < b; i++) {
        char src[1024], dst[1024];
        snprintf(src, sizeof src, SYNTH "/frames/CAM-01/%s", frame_names[i]);
        snprintf(dst, sizeof dst, "%s/%s", dir, frame_names[i]);
        size_t n;
        unsigned char *d = read_bytes(src, &n);
        assert_non_null(d);
        write_bytes(dst, d, n);
        free(d);
    }
}

typedef struct logbuf {
    char text[65536];
    size_t len;
} logbuf;

static void log_cb(void *user, const char *line)
{
    logbuf *l = user;
    int n = snprintf(l->text + l->len, sizeof l->text - l->len, "%s\n", line);
    if (n > 0 && l->len + (size_t)n < sizeof l->text)
        l->len += (size_t)n;
}

static void write_registry(const char *path, const fg_camera *c, size_t n, const char *extra)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("camera_id,lon,lat,height_m,heading_deg,hfov_deg,tilt_deg,width,height\n", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s,%.9f,%.9f,%.3f,%.6f,%.6f,%.6f,%d,%d\n", c[i].id, c[i].lon, c[i].lat,
                c[i].height_m, c[i].heading_deg, c[i].hfov_deg, c[i].tilt_deg, c[i].width,
                c[i].height);
    if (extra)
        fputs(extra, f);
    assert_int_equal(fclose(f), 0);
}

static int run(const char *dir, const fg_cam_opts *o, fg_cam_result *res, logbuf *lb)
{
    const char *dirs[1] = {dir};
    fg_ctx ctx = {0};
    if (lb)
        lb->len = 0, lb->text[0] = 0;
    int rc = fg_cam_run(dirs, 1, o, res, lb ? log_cb : NULL, lb, &ctx);
    if (rc != FG_OK)
        fail_msg("camera run %s: %s", dir, ctx.msg);
    return rc;
}

static int same_frame(const fg_cam_frame *a, const fg_cam_frame *b)
{
    return strcmp(a->camera, b->camera) == 0 && a->time_utc == b->time_utc &&
           a->alarm == b->alarm && a->score == b->score && a->x == b->x && a->y == b->y &&
           a->w == b->w && a->h == b->h && a->res.persisted == b->res.persisted &&
           a->res.nblocks == b->res.nblocks && a->scale == b->scale;
}

static int cmp_name(const void *a, const void *b) { return strcmp(a, b); }

/* One synthetic camera sequence for every test (fg_synth_camera, deterministic). */
static int setup(void **state)
{
    (void)state;
    remove_tree(TMP);
    mkdirs(TMP);
    fg_synth_site sites[NSITES];
    for (int i = 0; i < NSITES; i++) {
        memset(&sites[i], 0, sizeof sites[i]);
        sites[i].lat = 39.28 + 0.03 * (i % 4) + 0.07 * (i / 4);
        sites[i].lon = 111.45 + 0.11 * (i % 4) + 0.02 * (i / 4);
        snprintf(sites[i].township_code, sizeof sites[i].township_code, "1409321%02d000", i / 3);
        snprintf(sites[i].village_code, sizeof sites[i].village_code, "1409321%02d2%02d", i / 3, i);
    }
    fg_synth_opts o;
    memset(&o, 0, sizeof o);
    o.seed = 20261015;
    o.west = 111.357, o.south = 39.217, o.east = 112.006, o.north = 39.663;
    o.sites = sites;
    o.nsites = NSITES;
    o.static_lat = 39.40, o.static_lon = 111.60;
    o.day0_utc = DAY0;
    fg_truth *t = NULL;
    size_t nt = 0;
    fg_ctx ctx = {0};
    if (fg_synth_camera(SYNTH, &o, &t, &nt, &ctx) != FG_OK) {
        fprintf(stderr, "synth: %s\n", ctx.msg);
        return -1;
    }
    fg_free(t);
    fg_camera *cams = NULL;
    size_t n = 0;
    if (fg_camera_registry_read(SYNTH "/cameras.csv", &cams, &n, NULL, NULL, &ctx) != FG_OK ||
        n != 1)
        return -1;
    cam01 = cams[0];
    fg_free(cams);
    DIR *d = opendir(SYNTH "/frames/CAM-01");
    if (!d)
        return -1;
    struct dirent *e;
    nframes_synth = 0;
    while ((e = readdir(d)) != NULL && nframes_synth < 64)
        if (strstr(e->d_name, ".jpg") && strlen(e->d_name) < sizeof frame_names[0])
            memcpy(frame_names[nframes_synth++], e->d_name, strlen(e->d_name) + 1);
    closedir(d);
    qsort(frame_names, (size_t)nframes_synth, sizeof frame_names[0], cmp_name);
    return nframes_synth >= NUSE ? 0 : -1;
}

/* ------------------------------------------------------------ scale */

static void decode_scale_keeps_the_working_width_at_least_960(void **state)
{
    (void)state;
    static const struct {
        int w, h, scale, work_w;
    } cases[] = {
        {640, 480, 1, 640},    {800, 600, 1, 800},    {1280, 720, 1, 1280},  {1920, 1080, 2, 960},
        {2048, 1536, 2, 1024}, {3072, 2048, 2, 1536}, {4000, 3000, 4, 1000}, {6000, 4000, 4, 1500},
    };
    const char *root = TMP "/scale";
    mkdirs(root);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char dir[1024], path[1100];
        snprintf(dir, sizeof dir, "%s/S%zu", root, i);
        mkdirs(dir);
        snprintf(path, sizeof path, "%s/1792051200.jpg", dir);
        fg_raster r;
        fg_ctx ctx = {0};
        assert_int_equal(fg_raster_alloc(&r, cases[i].w, cases[i].h, 3, FG_PIX_U8, 0, &ctx), FG_OK);
        memset(r.data, 120, r.stride * (size_t)r.height);
        assert_int_equal(fg_jpeg_write(path, &r, 80, &ctx), FG_OK);
        fg_raster_release(&r);
    }
    fg_cam_opts o;
    fg_cam_opts_default(&o);
    o.rules_only = 1;
    fg_cam_result res;
    run(root, &o, &res, NULL);
    assert_int_equal(res.nframes, sizeof cases / sizeof cases[0]);
    for (size_t i = 0; i < res.nframes; i++) {
        if (res.frames[i].scale != cases[i].scale ||
            res.frames[i].full_w != cases[i].w || res.frames[i].res.w != 0)
            fail_msg("%dx%d: scale 1/%d, expected 1/%d", cases[i].w, cases[i].h,
                     res.frames[i].scale, cases[i].scale);
        assert_int_equal((cases[i].w + cases[i].scale - 1) / cases[i].scale, cases[i].work_w);
    }
    fg_cam_result_free(&res);
    /* a configured scale wins */
    o.scale = 8;
    run(root, &o, &res, NULL);
    for (size_t i = 0; i < res.nframes; i++)
        assert_int_equal(res.frames[i].scale, 8);
    fg_cam_result_free(&res);
    o.scale = 3;
    const char *dirs[1] = {root};
    fg_ctx ctx = {0};
    assert_int_equal(fg_cam_run(dirs, 1, &o, &res, NULL, NULL, &ctx), FG_EINVAL);
}

/* ------------------------------------------------------------ threads */

static void one_and_two_threads_give_identical_rows_and_hotspots(void **state)
{
    (void)state;
    copy_frames(TMP "/par/CAM-01", 0, NUSE);
    copy_frames(TMP "/par/CAM-02", 0, NUSE); /* not in the registry: no geometry */
    write_registry(TMP "/par.csv", &cam01, 1, NULL);
    static const struct {
        int threads, batch;
        const char *camera;
    } cases[] = {{1, 0, "CAM-01"}, {2, 3, "CAM-01"}, {2, 0, "CAM-01"},
                 {1, 5, NULL},     {2, 0, NULL},     {2, 1, NULL}};
    unsigned char *ref[2] = {NULL, NULL};
    size_t nref[2] = {0, 0};
    fg_hotspot refh[2][8];
    size_t nrefh[2] = {0, 0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fg_cam_opts o;
        fg_cam_opts_default(&o);
        o.registry = TMP "/par.csv";
        o.threads = cases[i].threads;
        o.batch = cases[i].batch;
        o.camera = cases[i].camera;
        fg_cam_result res;
        run(TMP "/par", &o, &res, NULL);
        int g = cases[i].camera ? 0 : 1;
        assert_int_equal(res.cameras, g ? 2 : 1);
        assert_int_equal(res.nframes, (size_t)(g ? 2 : 1) * NUSE);
        char out[1100];
        snprintf(out, sizeof out, TMP "/par_%zu.csv", i);
        fg_ctx ctx = {0};
        assert_int_equal(fg_cam_frames_write(out, res.frames, res.nframes, &ctx), FG_OK);
        size_t n;
        unsigned char *b = read_bytes(out, &n);
        assert_non_null(b);
        if (!ref[g]) {
            ref[g] = b;
            nref[g] = n;
            nrefh[g] = res.nhotspots < 8 ? res.nhotspots : 8;
            for (size_t k = 0; k < nrefh[g]; k++)
                refh[g][k] = res.hotspots[k].hs;
        } else {
            assert_int_equal(n, nref[g]);
            assert_memory_equal(b, ref[g], n);
            assert_int_equal(res.nhotspots < 8 ? res.nhotspots : 8, nrefh[g]);
            for (size_t k = 0; k < nrefh[g]; k++) {
                assert_int_equal(res.hotspots[k].hs.time_utc, refh[g][k].time_utc);
                assert_true(res.hotspots[k].hs.lat == refh[g][k].lat);
                assert_true(res.hotspots[k].hs.lon == refh[g][k].lon);
            }
            free(b);
        }
        /* hotspots only for the camera with geometry */
        for (size_t k = 0; k < res.nhotspots; k++)
            assert_string_equal(res.hotspots[k].camera, "CAM-01");
        fg_cam_result_free(&res);
    }
    free(ref[0]);
    free(ref[1]);
}

/* ------------------------------------------------------------ state */

static void a_run_with_state_continues_where_the_last_stopped(void **state)
{
    (void)state;
    write_registry(TMP "/st.csv", &cam01, 1, NULL);
    fg_cam_opts o;
    fg_cam_opts_default(&o);
    o.registry = TMP "/st.csv";
    fg_cam_result full, r1, r2, r3;
    copy_frames(TMP "/st_full/CAM-01", 0, NUSE);
    run(TMP "/st_full", &o, &full, NULL);
    assert_int_equal(full.nframes, NUSE);

    o.state_dir = TMP "/st_state";
    remove_tree(o.state_dir);
    copy_frames(TMP "/st_inc/CAM-01", 0, 9);
    run(TMP "/st_inc", &o, &r1, NULL);
    assert_int_equal(r1.nframes, 9);
    assert_int_equal(r1.already, 0);
    struct stat st;
    assert_int_equal(stat(TMP "/st_state/CAM-01.state", &st), 0);
    /* ten minutes later the folder holds more frames */
    copy_frames(TMP "/st_inc/CAM-01", 9, NUSE);
    logbuf lb;
    run(TMP "/st_inc", &o, &r2, &lb);
    assert_int_equal(r2.already, 9);
    assert_int_equal(r2.skipped, 0);
    assert_int_equal(r2.nframes, NUSE - 9);
    assert_non_null(strstr(lb.text, "already processed"));
    for (size_t i = 0; i < r1.nframes; i++)
        if (!same_frame(&r1.frames[i], &full.frames[i]))
            fail_msg("first run, frame %zu differs", i);
    for (size_t i = 0; i < r2.nframes; i++)
        if (!same_frame(&r2.frames[i], &full.frames[9 + i]))
            fail_msg("continued run, frame %zu differs from the uninterrupted run", 9 + i);
    /* the episodes, one hotspot each, are the same as in one run */
    assert_int_equal(r1.nhotspots + r2.nhotspots, full.nhotspots);
    for (size_t i = 0; i < full.nhotspots; i++) {
        const fg_hotspot *h = i < r1.nhotspots ? &r1.hotspots[i].hs
                                               : &r2.hotspots[i - r1.nhotspots].hs;
        assert_int_equal(h->time_utc, full.hotspots[i].hs.time_utc);
    }
    /* nothing new: nothing processed, nothing skipped */
    run(TMP "/st_inc", &o, &r3, NULL);
    assert_int_equal(r3.nframes, 0);
    assert_int_equal(r3.already, NUSE);
    assert_int_equal(r3.skipped, 0);
    assert_int_equal(r3.cameras, 1);
    fg_cam_result_free(&full);
    fg_cam_result_free(&r1);
    fg_cam_result_free(&r2);
    fg_cam_result_free(&r3);
}

static void corrupt_or_foreign_state_is_rebuilt_with_a_message_naming_it(void **state)
{
    (void)state;
    fg_cam_opts o;
    fg_cam_opts_default(&o);
    fg_cam_result fresh, r;
    copy_frames(TMP "/cs/CAM-01", 0, 10);
    run(TMP "/cs", &o, &fresh, NULL);

    o.state_dir = TMP "/cs_state";
    mkdirs(o.state_dir);
    static const struct {
        const char *what;
        const char *bytes;
        size_t n;
        const char *word;
    } cases[] = {
        {"garbage", "this is not a state file at all, honest", 40, "magic"},
        {"older version", "FGCS\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                          "\0\0\0\0\0",
         40, "version"},
        {"empty", "", 0, "too short"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_bytes(TMP "/cs_state/CAM-01.state", cases[i].bytes, cases[i].n);
        logbuf lb;
        run(TMP "/cs", &o, &r, &lb);
        assert_int_equal(r.skipped, 1);
        assert_int_equal(r.already, 0);
        char *line = strstr(lb.text, "SKIP ");
        assert_non_null(line);
        char *eol = strchr(line, '\n');
        *eol = '\0';
        if (!strstr(line, "CAM-01.state") || !strstr(line, "rebuilt") ||
            !strstr(line, cases[i].word))
            fail_msg("%s: '%s'", cases[i].what, line);
        assert_int_equal(r.nframes, fresh.nframes);
        for (size_t k = 0; k < r.nframes; k++)
            assert_true(same_frame(&r.frames[k], &fresh.frames[k]));
        fg_cam_result_free(&r);
        /* the rebuilt state was saved: the next run has nothing new */
        run(TMP "/cs", &o, &r, NULL);
        assert_int_equal(r.skipped, 0);
        assert_int_equal(r.already, 10);
        fg_cam_result_free(&r);
    }
    /* a state for another working size (the scale changed) is rebuilt too */
    copy_frames(TMP "/cs/CAM-01", 10, 12);
    o.scale = 4;
    logbuf lb;
    run(TMP "/cs", &o, &r, &lb);
    assert_non_null(strstr(lb.text, "state for 1280x720 frames, these are 320x180; state rebuilt"));
    assert_int_equal(r.skipped, 1);
    assert_int_equal(r.nframes, 2);
    fg_cam_result_free(&r);
    fg_cam_result_free(&fresh);
}

/* ------------------------------------------------------------ bad inputs */

static void bad_frames_and_registry_rows_are_named_and_other_cameras_processed(void **state)
{
    (void)state;
    const char *root = TMP "/bad";
    copy_frames(TMP "/bad/CAM-01", 0, 6);
    copy_frames(TMP "/bad/CAM-09", 0, 3);
    /* bad frames among the good ones, one of them the earliest (the scale probe) */
    char p[1100];
    snprintf(p, sizeof p, "%s/CAM-01/1700000000.jpg", root);
    write_bytes(p, "", 0);
    size_t n;
    char src[1100];
    snprintf(src, sizeof src, SYNTH "/frames/CAM-01/%s", frame_names[0]);
    unsigned char *good = read_bytes(src, &n);
    assert_non_null(good);
    snprintf(p, sizeof p, "%s/CAM-01/1792051230.jpg", root); /* truncated */
    write_bytes(p, good, n / 3);
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13,
                                        'I',  'H', 'D', 'R', 0,    0,    0,    16,   0, 0, 0, 16};
    snprintf(p, sizeof p, "%s/CAM-01/1792051290.jpg", root);
    write_bytes(p, png, sizeof png);
    /* 30000×30000 in the SOF header */
    unsigned char *huge = malloc(n);
    assert_non_null(huge);
    memcpy(huge, good, n);
    size_t sof = 0;
    for (size_t i = 2; i + 9 < n && !sof; i++)
        if (huge[i] == 0xFF && (huge[i + 1] == 0xC0 || huge[i + 1] == 0xC2))
            sof = i;
    assert_true(sof > 0);
    huge[sof + 5] = 30000 >> 8, huge[sof + 6] = 30000 & 0xFF;
    huge[sof + 7] = 30000 >> 8, huge[sof + 8] = 30000 & 0xFF;
    snprintf(p, sizeof p, "%s/CAM-01/1792051350.jpg", root);
    write_bytes(p, huge, n);
    free(huge);
    snprintf(p, sizeof p, "%s/CAM-01/no_time.jpg", root); /* a good JPEG without any time */
    write_bytes(p, good, n);
    free(good);
    /* registry: CAM-01 good, CAM-09 with an impossible heading, CAM-08 at latitude 95 */
    write_registry(TMP "/bad.csv", &cam01, 1,
                   "CAM-09,111.6,39.4,90,400,60,2.5,1280,720\n"
                   "CAM-08,111.6,95,90,40,60,2.5,1280,720\n");

    fg_cam_opts o;
    fg_cam_opts_default(&o);
    o.registry = TMP "/bad.csv";
    fg_cam_result r;
    logbuf lb;
    run(root, &o, &r, &lb);
    static const char *const named[] = {
        "bad.csv:3",     "heading_deg 400", "bad.csv:4",           "lat 95",
        "1700000000.jpg", "empty",          "1792051230.jpg",      "corrupt or truncated",
        "1792051290.jpg", "not a JPEG",     "1792051350.jpg",      "30000x30000",
        "no_time.jpg",    "EXIF",           "CAM-09 is not in the registry"};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (!strstr(lb.text, named[i]))
            fail_msg("log does not mention '%s':\n%s", named[i], lb.text);
    assert_int_equal(r.skipped, 2 + 5);
    assert_int_equal(r.cameras, 2);
    size_t n01 = 0, n09 = 0;
    for (size_t i = 0; i < r.nframes; i++) {
        n01 += strcmp(r.frames[i].camera, "CAM-01") == 0;
        n09 += strcmp(r.frames[i].camera, "CAM-09") == 0;
    }
    assert_int_equal(n01, 6);
    assert_int_equal(n09, 3);
    fg_cam_result_free(&r);

    /* `firegrid run` needs the geometry: the camera without a registry row is skipped */
    o.need_registry = 1;
    run(root, &o, &r, &lb);
    assert_int_equal(r.cameras, 1);
    assert_non_null(strstr(lb.text, "CAM-09: no camera with this id in the registry"));
    assert_int_equal(r.skipped, 2 + 5 + 1);
    fg_cam_result_free(&r);

    /* a missing registry file is an error, out untouched */
    o.registry = TMP "/no_such.csv";
    const char *dirs[1] = {root};
    fg_ctx ctx = {0};
    r.nframes = 77;
    assert_int_equal(fg_cam_run(dirs, 1, &o, &r, NULL, NULL, &ctx), FG_ENOTFOUND);
    assert_int_equal(r.nframes, 77);
    assert_non_null(strstr(ctx.msg, "no_such.csv"));
    /* a missing frame folder is a skipped input */
    o.registry = NULL;
    dirs[0] = TMP "/no_such_folder";
    assert_int_equal(fg_cam_run(dirs, 1, &o, &r, log_cb, &lb, &ctx), FG_OK);
    assert_int_equal(r.cameras, 0);
    assert_int_equal(r.skipped, 1);
    fg_cam_result_free(&r);
}

/* ------------------------------------------------------------ triangulation */

static fg_cam_hotspot seen(const fg_camera *c, double lat, double lon, int64_t t, double band,
                           double f)
{
    fg_cam_hotspot h;
    memset(&h, 0, sizeof h);
    fg_hotspot_init(&h.hs, FG_SOURCE_CAMERA);
    snprintf(h.camera, sizeof h.camera, "%s", c->id);
    snprintf(h.hs.sensor, sizeof h.hs.sensor, "%s", c->id);
    h.hs.time_utc = t;
    double d = fg_geo_distance(c->lat, c->lon, lat, lon);
    h.hs.bearing_deg = (float)fg_geo_bearing(c->lat, c->lon, lat, lon);
    /* the single-camera range is f·d with a ±band uncertainty */
    h.hs.range_m = (float)(f * d);
    h.hs.range_min_m = (float)(f * d * (1 - band));
    h.hs.range_max_m = (float)(f * d * (1 + band));
    fg_geo_destination(c->lat, c->lon, h.hs.bearing_deg, f * d, &h.hs.lat, &h.hs.lon);
    return h;
}

static void two_known_bearings_are_triangulated_onto_the_fire(void **state)
{
    (void)state;
    fg_camera a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    snprintf(a.id, sizeof a.id, "TOWER-A");
    snprintf(b.id, sizeof b.id, "TOWER-B");
    a.lat = 39.40, a.lon = 111.60;
    b.lat = 39.40, b.lon = 111.70;
    const double flat = 39.45, flon = 111.66; /* the fire */
    const int64_t t0 = 1792051200;
    static const struct {
        const char *what;
        int64_t dt;
        double band, f; /* single-camera range band ±band around f·(true range) */
        int same_tower;
        int joined;
    } cases[] = {
        {"one minute apart", 60, 0.3, 0.9, 0, 2},
        {"five minutes apart", 300, 0.3, 0.9, 0, 2},
        {"six minutes apart", 360, 0.3, 0.9, 0, 0},
        {"range 10 % short, band ±5 %: inside the 25 % margin", 60, 0.05, 0.9, 0, 2},
        {"range half the true one: rays meet outside the bands", 60, 0.1, 0.5, 0, 0},
        {"range twice the true one: rays meet outside the bands", 60, 0.1, 2.0, 0, 0},
        {"two presets of one tower", 60, 0.3, 0.9, 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fg_camera bb = b;
        if (cases[i].same_tower)
            snprintf(bb.id, sizeof bb.id, "TOWER-A");
        fg_cam_hotspot hs[2] = {seen(&a, flat, flon, t0, cases[i].band, cases[i].f),
                                seen(&bb, flat, flon, t0 + cases[i].dt, cases[i].band,
                                     cases[i].f)};
        const fg_camera *camof[2] = {&a, &bb};
        const double sigma[2] = {0.1, 0.1};
        fg_cam_hotspot before[2] = {hs[0], hs[1]};
        logbuf lb = {.len = 0};
        int k = fg_cam_triangulate(hs, sigma, camof, 2, 300, log_cb, &lb);
        if (k != cases[i].joined)
            fail_msg("%s: %d joined, expected %d", cases[i].what, k, cases[i].joined);
        for (int j = 0; j < 2; j++) {
            const fg_camera *c = camof[j];
            if (!k) {
                assert_string_equal(hs[j].partner, "");
                assert_true(hs[j].hs.lat == before[j].hs.lat);
                continue;
            }
            /* on the fire within 5 m, range from the tower, a narrower band around it */
            double err = fg_geo_distance(hs[j].hs.lat, hs[j].hs.lon, flat, flon);
            if (err > 5)
                fail_msg("%s: camera %d is %.1f m off", cases[i].what, j, err);
            double d = fg_geo_distance(c->lat, c->lon, flat, flon);
            assert_float_equal(hs[j].hs.range_m, d, 5);
            assert_true(hs[j].hs.range_min_m <= hs[j].hs.range_m);
            assert_true(hs[j].hs.range_max_m >= hs[j].hs.range_m);
            assert_true(hs[j].hs.range_max_m - hs[j].hs.range_min_m <
                        before[j].hs.range_max_m - before[j].hs.range_min_m);
            assert_string_equal(hs[j].partner, j ? "TOWER-A" : "TOWER-B");
            assert_non_null(strstr(lb.text, "TRIANGULATED"));
        }
    }
    /* the closest in time is joined, each hotspot once */
    fg_cam_hotspot hs[3] = {seen(&a, flat, flon, t0, 0.3, 0.9),
                            seen(&b, flat, flon, t0 + 200, 0.3, 0.9),
                            seen(&b, flat, flon, t0 + 20, 0.3, 0.9)};
    const fg_camera *camof[3] = {&a, &b, &b};
    const double sigma[3] = {0.1, 0.1, 0.1};
    assert_int_equal(fg_cam_triangulate(hs, sigma, camof, 3, 300, NULL, NULL), 2);
    assert_string_equal(hs[0].partner, "TOWER-B");
    assert_string_equal(hs[1].partner, "");
    assert_string_equal(hs[2].partner, "TOWER-A");
}

static void two_towers_seeing_one_plume_are_triangulated_in_a_run(void **state)
{
    (void)state;
    /* Tower 2 is tower 1 turned 90° about the plume: from it the same pixels look at
     * the same ground point, so both towers' frames are the synthetic ones and their
     * bearing rays cross at right angles on the plume base. */
    write_registry(TMP "/tri1.csv", &cam01, 1, NULL);
    copy_frames(TMP "/tri/CAM-01", 0, NUSE);
    fg_cam_opts o;
    fg_cam_opts_default(&o);
    o.registry = TMP "/tri1.csv";
    fg_cam_result r;
    run(TMP "/tri", &o, &r, NULL);
    if (r.nhotspots == 0)
        skip(); /* the detector raised no alarm on the synthetic plume: nothing to join */
    fg_hotspot h = r.hotspots[0].hs;
    fg_cam_result_free(&r);
    fg_camera c2 = cam01;
    snprintf(c2.id, sizeof c2.id, "CAM-02");
    c2.heading_deg = fmod(cam01.heading_deg + 90, 360);
    fg_geo_destination(h.lat, h.lon, fmod(h.bearing_deg + 270, 360), h.range_m, &c2.lat, &c2.lon);
    fg_camera both[2] = {cam01, c2};
    write_registry(TMP "/tri2.csv", both, 2, NULL);
    copy_frames(TMP "/tri/CAM-02", 0, NUSE);
    o.registry = TMP "/tri2.csv";
    logbuf lb;
    run(TMP "/tri", &o, &r, &lb);
    assert_true(r.nhotspots >= 2);
    assert_true(r.triangulated >= 2);
    assert_non_null(strstr(lb.text, "TRIANGULATED CAM-01"));
    const fg_cam_hotspot *a = NULL, *b = NULL;
    for (size_t i = 0; i < r.nhotspots; i++) {
        if (!a && strcmp(r.hotspots[i].camera, "CAM-01") == 0)
            a = &r.hotspots[i];
        if (!b && strcmp(r.hotspots[i].camera, "CAM-02") == 0)
            b = &r.hotspots[i];
    }
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a->partner, "CAM-02");
    assert_string_equal(b->partner, "CAM-01");
    assert_true(a->hs.lat == b->hs.lat && a->hs.lon == b->hs.lon);
    double err = fg_geo_distance(a->hs.lat, a->hs.lon, h.lat, h.lon);
    if (err > 0.02 * h.range_m)
        fail_msg("triangulated %.0f m from the single-camera position at %.0f m", err, h.range_m);
    assert_true(a->hs.range_max_m - a->hs.range_min_m < h.range_max_m - h.range_min_m);
    fg_cam_result_free(&r);
}

/* ------------------------------------------------------------ the CLI */

static void detect_cam_writes_one_row_per_frame_and_exit_codes_say_how_it_went(void **state)
{
    (void)state;
    const char *dir = TMP "/cli/CAM-01";
    copy_frames(dir, 0, 12);
    write_registry(TMP "/cli.csv", &cam01, 1, NULL);
    const char *out = TMP "/cli_out.csv";
    unlink(out);
    assert_int_equal(sh("'%s' detect-cam -q --registry '%s' -o '%s' '%s'", FG_BINARY,
                        TMP "/cli.csv", out, dir),
                     0);
    size_t n;
    char *csv = (char *)read_bytes(out, &n);
    assert_non_null(csv);
    assert_memory_equal(csv, "camera,frame,time,alarm,score,x,y,w,h,", 38);
    int rows = 0, empty_box = 0;
    for (char *line = strchr(csv, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        rows++;
        char cam[16], when[32];
        int alarm;
        float score;
        assert_int_equal(sscanf(line + 1, "%6[^,],%*[^,],%20[^,],%d,%f,", cam, when, &alarm, &score),
                         4);
        assert_string_equal(cam, "CAM-01");
        assert_int_equal(strlen(when), 20);
        assert_true(alarm == 0 || alarm == 1);
        assert_true(score >= 0 && score <= 1);
        empty_box += strstr(line + 1, ",,,,") != NULL;
    }
    assert_int_equal(rows, 12);
    assert_true(empty_box >= 1); /* before ignition there is no box */
    free(csv);

    /* the same from the parent folder, at one thread: the same bytes */
    const char *out2 = TMP "/cli_out2.csv";
    assert_int_equal(sh("'%s' detect-cam -q --threads 1 --registry '%s' -o '%s' '%s'", FG_BINARY,
                        TMP "/cli.csv", out2, TMP "/cli"),
                     0);
    assert_int_equal(sh("cmp -s '%s' '%s'", out, out2), 0);

    /* a bad frame: rows written, exit 3, the file named on stderr */
    write_bytes(TMP "/cli/CAM-01/1792051230.jpg", "", 0);
    assert_int_equal(sh("'%s' detect-cam -q -o '%s' '%s' 2>'%s'", FG_BINARY, out, dir,
                        TMP "/cli_err.txt"),
                     3);
    char *err = (char *)read_bytes(TMP "/cli_err.txt", &n);
    assert_non_null(err);
    assert_non_null(strstr(err, "1792051230.jpg"));
    free(err);
    /* nothing readable: exit 1, no output file */
    unlink(out);
    assert_int_equal(sh("'%s' detect-cam -q -o '%s' '%s' 2>/dev/null", FG_BINARY, out,
                        TMP "/cli/nope"),
                     1);
    assert_int_equal(access(out, F_OK), -1);
    /* bad command lines: exit 2 */
    static const char *const bad[] = {"", "--scale 3 x", "--threads x x", "--frobnicate x",
                                      "--model m --no-model x", "-o"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (sh("'%s' detect-cam %s 2>/dev/null", FG_BINARY, bad[i]) != 2)
            fail_msg("'detect-cam %s' did not exit 2", bad[i]);
    assert_int_equal(sh("'%s' help detect-cam >/dev/null", FG_BINARY), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decode_scale_keeps_the_working_width_at_least_960),
        cmocka_unit_test(one_and_two_threads_give_identical_rows_and_hotspots),
        cmocka_unit_test(a_run_with_state_continues_where_the_last_stopped),
        cmocka_unit_test(corrupt_or_foreign_state_is_rebuilt_with_a_message_naming_it),
        cmocka_unit_test(bad_frames_and_registry_rows_are_named_and_other_cameras_processed),
        cmocka_unit_test(two_known_bearings_are_triangulated_onto_the_fire),
        cmocka_unit_test(two_towers_seeing_one_plume_are_triangulated_in_a_run),
        cmocka_unit_test(detect_cam_writes_one_row_per_frame_and_exit_codes_say_how_it_went),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
