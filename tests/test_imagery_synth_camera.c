/* test_imagery_synth_camera.c — the synthetic camera sequence end to end: files, decode, smoke test, location, determinism. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imagery/imagery.h"

#define DAY0 1792022400 /* 2026-10-15 00:00 UTC, autumn harvest */
#define NSITES 12

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

/* Village-cell centres spread over the sample county 偏关县. */
static void make_sites(fg_synth_site *s)
{
    for (int i = 0; i < NSITES; i++) {
        memset(&s[i], 0, sizeof s[i]);
        s[i].lat = 39.28 + 0.03 * (i % 4) + 0.07 * (i / 4);
        s[i].lon = 111.45 + 0.11 * (i % 4) + 0.02 * (i / 4);
        snprintf(s[i].township_code, sizeof s[i].township_code, "1409321%02d000", i / 3);
        snprintf(s[i].village_code, sizeof s[i].village_code, "1409321%02d2%02d", i / 3, i);
    }
}

static fg_synth_opts make_opts(const fg_synth_site *sites, unsigned seed)
{
    fg_synth_opts o;
    memset(&o, 0, sizeof o);
    o.seed = seed;
    o.west = 111.357, o.south = 39.217, o.east = 112.006, o.north = 39.663;
    o.sites = sites;
    o.nsites = NSITES;
    o.static_lat = 39.40, o.static_lon = 111.60;
    o.day0_utc = DAY0;
    return o;
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(len > 0 ? (size_t)len : 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return b;
}

static void assert_same_file(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    unsigned char *x = slurp(a, &na), *y = slurp(b, &nb);
    assert_non_null(x);
    assert_non_null(y);
    if (na != nb || memcmp(x, y, na) != 0)
        fail_msg("%s and %s differ", a, b);
    free(x);
    free(y);
}

static void sequence_decodes_and_the_smoke_test_finds_the_plume(void **state)
{
    (void)state;
    char dir[1024], path[2048];
    mkdir(FG_TEST_TMPDIR, 0777);
    snprintf(dir, sizeof dir, "%s/a", FG_TEST_TMPDIR);
    remove_tree(dir);
    fg_synth_site sites[NSITES];
    make_sites(sites);
    fg_synth_opts o = make_opts(sites, 20261015);
    fg_truth *truth = NULL;
    size_t nt = 0;
    fg_ctx ctx = {0};
    if (fg_synth_camera(dir, &o, &truth, &nt, &ctx) != FG_OK)
        fail_msg("synth: %s", ctx.msg);
    assert_int_equal(nt, 4);
    const fg_truth *plume = &truth[0];
    assert_string_equal(plume->kind, "plume");
    assert_string_equal(plume->source, "CAM-01");
    assert_int_equal(plume->t_start, DAY0 + 8 * 3600 + 8 * 60);
    assert_int_equal(plume->t_end, DAY0 + 8 * 3600 + 29 * 60);
    int site = -1;
    for (int i = 0; i < NSITES; i++)
        if (sites[i].lat == plume->lat && sites[i].lon == plume->lon)
            site = i;
    assert_true(site >= 8); /* the thermal synthesiser's first 8 sites are left alone */
    assert_string_equal(plume->village_code, sites[site].village_code);
    for (size_t i = 1; i < nt; i++) {
        assert_string_equal(truth[i].kind, "cloud");
        assert_string_equal(truth[i].source, "CAM-01");
    }

    /* the registry as written */
    fg_camera *cams = NULL;
    size_t nc = 0;
    snprintf(path, sizeof path, "%s/cameras.csv", dir);
    assert_int_equal(fg_camera_registry_read(path, &cams, &nc, NULL, NULL, &ctx), FG_OK);
    assert_int_equal(nc, 1);
    const fg_camera *cam = &cams[0];
    assert_string_equal(cam->id, "CAM-01");
    assert_int_equal(cam->width, 1280);
    assert_int_equal(cam->height, 720);
    assert_true(cam->height_m >= 80 && cam->height_m <= 100);
    double d = fg_geo_distance(cam->lat, cam->lon, plume->lat, plume->lon);
    assert_true(d >= 1400 && d <= 2600);
    double px, py;
    assert_int_equal(fg_camera_project(cam, plume->lat, plume->lon, &px, &py), FG_OK);
    assert_true(px > 0 && px < 1280 && fabs(px - 640) > 40); /* in view, not dead centre */

    /* decode at 1/2 and run the smoke test with the registry's horizon */
    fg_frame_entry *list = NULL;
    size_t nf = 0;
    snprintf(path, sizeof path, "%s/frames/CAM-01", dir);
    assert_int_equal(fg_frame_list(path, &list, &nf, NULL, NULL, &ctx), FG_OK);
    assert_int_equal(nf, 30);
    fg_jpeg_decoder *dec = NULL;
    assert_int_equal(fg_jpeg_decoder_new(&dec, &ctx), FG_OK);
    fg_smoke_params p;
    fg_smoke_params_default(&p);
    p.horizon_row = fg_camera_horizon_row(cam) / 2;
    fg_smoke *sm = NULL;
    assert_int_equal(fg_smoke_new(&p, 640, 360, &sm, &ctx), FG_OK);
    int64_t first_alarm = -1;
    double err_m = NAN, base_x = NAN, base_y = NAN;
    for (size_t i = 0; i < nf; i++) {
        fg_raster r;
        int fw, fh;
        if (fg_jpeg_decode_file(dec, list[i].path, 2, 0, &r, &fw, &fh, &ctx) != FG_OK)
            fail_msg("decode: %s", ctx.msg);
        assert_int_equal(fw, 1280);
        assert_int_equal(fh, 720);
        assert_int_equal(r.width, 640);
        assert_int_equal(r.height, 360);
        assert_int_equal(list[i].time_utc, DAY0 + 8 * 3600 + 60 * (int64_t)i);
        fg_smoke_result res;
        assert_int_equal(fg_smoke_push(sm, &r, list[i].time_utc, &res, &ctx), FG_OK);
        fg_raster_release(&r);
        if (list[i].time_utc < plume->t_start && res.alarm)
            fail_msg("false alarm at %lld s before ignition, box %d,%d %dx%d",
                     (long long)(plume->t_start - list[i].time_utc), res.x, res.y, res.w,
                     res.h);
        if (res.alarm && first_alarm < 0) {
            first_alarm = list[i].time_utc;
            base_x = res.base_x;
            base_y = res.base_y;
            /* working pixels → full resolution (continuous coordinates scale exactly) */
            double lat, lon, rng, rmin, rmax;
            assert_int_equal(fg_camera_locate(cam, 2 * base_x, 2 * base_y, 2.0, &lat, &lon,
                                              &rng, &rmin, &rmax),
                             FG_OK);
            err_m = fg_geo_distance(lat, lon, plume->lat, plume->lon);
            print_message("first alarm %lld min after ignition; base (%.1f, %.1f) full-res, "
                          "truth (%.1f, %.1f); range %.0f m [%.0f, %.0f], truth %.0f m; "
                          "location error %.0f m\n",
                          (long long)(first_alarm - plume->t_start) / 60, 2 * base_x,
                          2 * base_y, px, py, rng, rmin, rmax, d, err_m);
        }
    }
    assert_true(first_alarm >= plume->t_start);
    assert_true(first_alarm - plume->t_start <= 5 * 60);
    assert_true(err_m < 400);
    fg_smoke_free(sm);
    fg_jpeg_decoder_free(dec);
    fg_frame_list_free(list, nf);
    fg_free(cams);
    fg_free(truth);
}

static void same_seed_gives_byte_identical_files(void **state)
{
    (void)state;
    char a[1024], b[1024], pa[2048], pb[2048];
    mkdir(FG_TEST_TMPDIR, 0777);
    snprintf(a, sizeof a, "%s/same1", FG_TEST_TMPDIR);
    snprintf(b, sizeof b, "%s/same2", FG_TEST_TMPDIR);
    remove_tree(a);
    remove_tree(b);
    fg_synth_site sites[NSITES];
    make_sites(sites);
    fg_synth_opts o = make_opts(sites, 7);
    fg_ctx ctx = {0};
    fg_truth *t1 = NULL, *t2 = NULL;
    size_t n1 = 0, n2 = 0;
    assert_int_equal(fg_synth_camera(a, &o, &t1, &n1, &ctx), FG_OK);
    assert_int_equal(fg_synth_camera(b, &o, &t2, &n2, &ctx), FG_OK);
    assert_int_equal(n1, n2);
    for (size_t i = 0; i < n1; i++) {
        assert_string_equal(t1[i].kind, t2[i].kind);
        assert_int_equal(t1[i].t_start, t2[i].t_start);
        assert_memory_equal(&t1[i].lat, &t2[i].lat, sizeof(double));
    }
    snprintf(pa, sizeof pa, "%s/cameras.csv", a);
    snprintf(pb, sizeof pb, "%s/cameras.csv", b);
    assert_same_file(pa, pb);
    for (int m = 0; m < 30; m++) {
        long long t = DAY0 + 8 * 3600 + 60 * m;
        snprintf(pa, sizeof pa, "%s/frames/CAM-01/%lld.jpg", a, t);
        snprintf(pb, sizeof pb, "%s/frames/CAM-01/%lld.jpg", b, t);
        assert_same_file(pa, pb);
    }
    /* another seed gives another scene */
    char c[1024];
    snprintf(c, sizeof c, "%s/other", FG_TEST_TMPDIR);
    remove_tree(c);
    o.seed = 8;
    fg_truth *t3 = NULL;
    size_t n3 = 0;
    assert_int_equal(fg_synth_camera(c, &o, &t3, &n3, &ctx), FG_OK);
    snprintf(pa, sizeof pa, "%s/cameras.csv", a);
    snprintf(pb, sizeof pb, "%s/cameras.csv", c);
    size_t la, lc;
    unsigned char *x = slurp(pa, &la), *y = slurp(pb, &lc);
    assert_true(la != lc || memcmp(x, y, la) != 0);
    free(x);
    free(y);
    fg_free(t1);
    fg_free(t2);
    fg_free(t3);
}

static void truth_records_are_appended_not_replaced(void **state)
{
    (void)state;
    char dir[1024];
    mkdir(FG_TEST_TMPDIR, 0777);
    snprintf(dir, sizeof dir, "%s/append", FG_TEST_TMPDIR);
    remove_tree(dir);
    fg_synth_site sites[NSITES];
    make_sites(sites);
    fg_synth_opts o = make_opts(sites, 3);
    fg_truth *t = fg_calloc(2, sizeof *t);
    assert_non_null(t);
    strcpy(t[0].kind, "fire");
    strcpy(t[1].kind, "fire");
    size_t n = 2;
    fg_ctx ctx = {0};
    assert_int_equal(fg_synth_camera(dir, &o, &t, &n, &ctx), FG_OK);
    assert_int_equal(n, 6);
    assert_string_equal(t[0].kind, "fire");
    assert_string_equal(t[2].kind, "plume");
    fg_free(t);
    /* no sites: refused */
    o.nsites = 0;
    fg_truth *none = NULL;
    size_t nn = 0;
    assert_int_equal(fg_synth_camera(dir, &o, &none, &nn, &ctx), FG_EINVAL);
    assert_int_equal(nn, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sequence_decodes_and_the_smoke_test_finds_the_plume),
        cmocka_unit_test(same_seed_gives_byte_identical_files),
        cmocka_unit_test(truth_records_are_appended_not_replaced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
