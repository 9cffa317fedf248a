/* test_alerts_evidence.c — evidence images: satellite chips outline the fire pixel where the hotspot's row/col says, camera frames carry the smoke box where ev_x.. says, stable names, identical bytes on rerun. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fg_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "alerts/alerts.h"

#define TMP FG_TEST_TMPDIR
#define SCENE TMP "/scene.tif"
#define FRAMES TMP "/frames/CAM-T"
#define INC "F0123456789ab"
#define SW 100 /* scene size */
#define SH 80

static unsigned char *slurp_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* A thermal scene: 300 K land with a gentle gradient, fire pixels at 390 K. */
static void write_scene(const int (*fires)[2], int nf)
{
    fg_raster mir = {0}, tir = {0};
    fg_ctx c = {0};
    assert_int_equal(fg_raster_alloc(&mir, SW, SH, 1, FG_PIX_F32, 0, &c), FG_OK);
    assert_int_equal(fg_raster_alloc(&tir, SW, SH, 1, FG_PIX_F32, 0, &c), FG_OK);
    float *m = mir.data, *t = tir.data;
    for (int r = 0; r < SH; r++)
        for (int k = 0; k < SW; k++) {
            m[r * SW + k] = 295.0f + 0.1f * (float)k;
            t[r * SW + k] = 290.0f;
        }
    for (int i = 0; i < nf; i++)
        m[fires[i][0] * SW + fires[i][1]] = 390.0f;
    const fg_raster *bands[] = {&mir, &tir};
    const char *names[] = {"MIR_BT", "TIR_BT"};
    const char *md[] = {"FG_ACQ_TIME=2026-10-15T05:40:00Z", "FG_SENSOR=SYNTH-MODIS-TERRA", NULL};
    const double gt[6] = {111.5, 0.01, 0, 39.6, 0, -0.01};
    assert_int_equal(fg_geotiff_write(SCENE, bands, names, 2, gt, 4326, md, &c), FG_OK);
    fg_raster_release(&mir);
    fg_raster_release(&tir);
}

static void sat_alert(fg_alert *a, const char *id, int row, int col)
{
    memset(a, 0, sizeof *a);
    fg_hotspot_init(&a->hs, FG_SOURCE_SATELLITE);
    snprintf(a->id, sizeof a->id, "%s", id);
    snprintf(a->hs.sensor, sizeof a->hs.sensor, "SYNTH-MODIS-TERRA");
    snprintf(a->hs.evidence, sizeof a->hs.evidence, "%s", SCENE);
    a->hs.ev_row = row;
    a->hs.ev_col = col;
}

static void decode(const char *path, fg_raster *img)
{
    fg_jpeg_decoder *d = NULL;
    fg_ctx c = {0};
    int fw, fh;
    assert_int_equal(fg_jpeg_decoder_new(&d, &c), FG_OK);
    int rc = fg_jpeg_decode_file(d, path, 1, 0, img, &fw, &fh, &c);
    if (rc != FG_OK)
        fail_msg("%s: %s", path, c.msg);
    fg_jpeg_decoder_free(d);
}

static const unsigned char *px(const fg_raster *img, int x, int y)
{
    return (const unsigned char *)img->data + (size_t)y * img->stride + (size_t)x * 3;
}

static int is_cyan(const unsigned char *p)
{
    return p[0] < 110 && p[1] > 170 && p[2] > 170;
}

static int is_red(const unsigned char *p)
{
    return p[0] > 170 && p[1] < 90 && p[2] < 90;
}

/* The ring around chip pixel (cy, cx): cyan at the middle of each of its four sides. */
static void assert_ring(const fg_raster *img, int cy, int cx)
{
    const int z = FG_EVIDENCE_ZOOM, t = FG_EVIDENCE_RING_PX;
    int x0 = cx * z, y0 = cy * z, mid_x = x0 + z / 2, mid_y = y0 + z / 2;
    if (!is_cyan(px(img, x0 - t, mid_y)) || !is_cyan(px(img, x0 + z + t - 1, mid_y)) ||
        !is_cyan(px(img, mid_x, y0 - t)) || !is_cyan(px(img, mid_x, y0 + z + t - 1)))
        fail_msg("no outline around chip pixel (%d, %d)", cy, cx);
    /* the fire pixel itself keeps its palette colour: hot, not the outline colour */
    const unsigned char *f = px(img, mid_x, mid_y);
    assert_false(is_cyan(f));
    assert_true(f[0] > 200);
}

static void satellite_chip_outlines_each_fire_pixel_at_its_row_col(void **state)
{
    (void)state;
    /* table: hotspot pixels, including the scene's corners (the chip is padded) */
    static const int fires[][2] = {{40, 50}, {44, 58}, {0, 0}, {SH - 1, SW - 1}, {10, 90}};
    const int nf = (int)(sizeof fires / sizeof *fires);
    write_scene(fires, nf);
    fg_alert hs[5];
    char id[24];
    for (int i = 0; i < nf; i++) {
        snprintf(id, sizeof id, "S%016x", 0xabc0 + i);
        sat_alert(&hs[i], id, fires[i][0], fires[i][1]);
    }
    for (int k = 0; k < nf; k++) {
        fg_evidence ev;
        fg_ctx c = {0};
        int rc = fg_evidence_write(TMP "/out", INC, hs, (size_t)nf, (size_t)k, 1, &ev, &c);
        if (rc != FG_OK)
            fail_msg("%s", c.msg);
        char want[96], path[512];
        snprintf(want, sizeof want, "evidence/%s_%s_sat.jpg", INC, hs[k].id);
        assert_string_equal(ev.sat, want); /* stable name by incident and hotspot */
        assert_string_equal(ev.cam, "");
        assert_int_equal(ev.chip_row0, fires[k][0] - FG_EVIDENCE_CHIP / 2);
        assert_int_equal(ev.chip_col0, fires[k][1] - FG_EVIDENCE_CHIP / 2);
        snprintf(path, sizeof path, "%s/out/%s", TMP, ev.sat);
        fg_raster img = {0};
        decode(path, &img);
        assert_int_equal(img.width, FG_EVIDENCE_CHIP * FG_EVIDENCE_ZOOM);
        assert_int_equal(img.height, FG_EVIDENCE_CHIP * FG_EVIDENCE_ZOOM);
        /* every fire pixel of the incident inside the chip is outlined where its row/col
         * falls in the chip */
        for (int i = 0; i < nf; i++) {
            int cy = fires[i][0] - ev.chip_row0, cx = fires[i][1] - ev.chip_col0;
            if (cy < 1 || cx < 1 || cy >= FG_EVIDENCE_CHIP - 1 || cx >= FG_EVIDENCE_CHIP - 1)
                continue;
            assert_ring(&img, cy, cx);
        }
        /* a land pixel far from every fire is grey, not outline or fire colour */
        int gy = -1, gx = -1;
        for (int y = 2; y < FG_EVIDENCE_CHIP - 2 && gy < 0; y++)
            for (int x = 2; x < FG_EVIDENCE_CHIP - 2 && gy < 0; x++) {
                int r = ev.chip_row0 + y, col = ev.chip_col0 + x, near = 0;
                if (r < 0 || col < 0 || r >= SH || col >= SW)
                    continue;
                for (int i = 0; i < nf; i++)
                    near |= abs(fires[i][0] - r) < 3 && abs(fires[i][1] - col) < 3;
                if (!near) {
                    gy = y;
                    gx = x;
                }
            }
        assert_true(gy >= 0);
        const unsigned char *g = px(&img, gx * FG_EVIDENCE_ZOOM + 2, gy * FG_EVIDENCE_ZOOM + 2);
        assert_true(abs(g[0] - g[1]) < 16 && abs(g[1] - g[2]) < 16);
        fg_raster_release(&img);
    }
}

static void rerun_gives_identical_bytes_and_keeps_existing_files(void **state)
{
    (void)state;
    static const int fires[][2] = {{30, 30}};
    write_scene(fires, 1);
    fg_alert a;
    sat_alert(&a, "S00000000000000aa", 30, 30);
    fg_evidence e1, e2;
    fg_ctx c = {0};
    assert_int_equal(fg_evidence_write(TMP "/r1", INC, &a, 1, 0, 0, &e1, &c), FG_OK);
    assert_int_equal(fg_evidence_write(TMP "/r2", INC, &a, 1, 0, 1, &e2, &c), FG_OK);
    assert_string_equal(e1.sat, e2.sat);
    size_t n1, n2;
    char p1[512], p2[512];
    snprintf(p1, sizeof p1, "%s/r1/%s", TMP, e1.sat);
    snprintf(p2, sizeof p2, "%s/r2/%s", TMP, e2.sat);
    unsigned char *b1 = slurp_bytes(p1, &n1), *b2 = slurp_bytes(p2, &n2);
    assert_non_null(b1);
    assert_non_null(b2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    free(b2);
    /* forced rewrite in place: same bytes */
    assert_int_equal(fg_evidence_write(TMP "/r1", INC, &a, 1, 0, 1, &e2, &c), FG_OK);
    b2 = slurp_bytes(p1, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    free(b2);
    /* without force an existing file is kept as it is, even when the scene changed */
    static const int moved[][2] = {{31, 33}};
    write_scene(moved, 1);
    assert_int_equal(fg_evidence_write(TMP "/r1", INC, &a, 1, 0, 0, &e2, &c), FG_OK);
    b2 = slurp_bytes(p1, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    free(b1);
    free(b2);
}

/* A camera frame: sky above, fields below, a little texture, so JPEG has work to do. */
static void write_frame(const char *path, int shade)
{
    fg_raster img = {0};
    fg_ctx c = {0};
    assert_int_equal(fg_raster_alloc(&img, 640, 360, 3, FG_PIX_U8, 0, &c), FG_OK);
    unsigned char *p = img.data;
    for (int y = 0; y < 360; y++)
        for (int x = 0; x < 640; x++) {
            unsigned char *q = p + (size_t)y * img.stride + (size_t)x * 3;
            int v = ((x / 8 + y / 8) & 1) * 6 + shade;
            q[0] = (unsigned char)(y < 150 ? 150 + v : 110 + v);
            q[1] = (unsigned char)(y < 150 ? 170 + v : 120 + v);
            q[2] = (unsigned char)(y < 150 ? 200 + v : 80 + v);
        }
    assert_int_equal(fg_jpeg_write(path, &img, 92, &c), FG_OK);
    fg_raster_release(&img);
}

static void cam_alert(fg_alert *a, const char *id, const char *frame, int x, int y, int w, int h)
{
    memset(a, 0, sizeof *a);
    fg_hotspot_init(&a->hs, FG_SOURCE_CAMERA);
    snprintf(a->id, sizeof a->id, "%s", id);
    snprintf(a->hs.sensor, sizeof a->hs.sensor, "CAM-T");
    snprintf(a->hs.evidence, sizeof a->hs.evidence, "%s", frame);
    a->hs.ev_x = x;
    a->hs.ev_y = y;
    a->hs.ev_w = w;
    a->hs.ev_h = h;
}

static void camera_frame_shows_the_box_where_the_hotspot_says(void **state)
{
    (void)state;
    assert_int_equal(sh("rm -rf '%s' && mkdir -p '%s'", TMP "/frames", FRAMES), 0);
    write_frame(FRAMES "/1792051200.jpg", 0);
    write_frame(FRAMES "/1792051260.jpg", 10);
    write_frame(FRAMES "/1792051320.jpg", 20);
    static const int boxes[][4] = {{200, 100, 120, 80}, {0, 0, 64, 48}, {520, 280, 120, 80}};
    for (size_t b = 0; b < sizeof boxes / sizeof *boxes; b++) {
        fg_alert a;
        char id[24];
        snprintf(id, sizeof id, "C%016zx", b + 1);
        cam_alert(&a, id, FRAMES "/1792051260.jpg", boxes[b][0], boxes[b][1], boxes[b][2],
                  boxes[b][3]);
        fg_evidence ev;
        fg_ctx c = {0};
        int rc = fg_evidence_write(TMP "/cam", INC, &a, 1, 0, 1, &ev, &c);
        if (rc != FG_OK)
            fail_msg("%s", c.msg);
        char want[96], path[512];
        snprintf(want, sizeof want, "evidence/%s_%s_cam.jpg", INC, id);
        assert_string_equal(ev.cam, want);
        snprintf(want, sizeof want, "evidence/%s_%s_cam_before.jpg", INC, id);
        assert_string_equal(ev.cam_before, want);
        assert_string_equal(ev.sat, "");
        snprintf(path, sizeof path, "%s/cam/%s", TMP, ev.cam);
        fg_raster img = {0};
        decode(path, &img);
        assert_int_equal(img.width, 640);
        assert_int_equal(img.height, 360);
        int x = boxes[b][0], y = boxes[b][1], w = boxes[b][2], h = boxes[b][3];
        int t = FG_EVIDENCE_BOX_PX, mx = x + w / 2, my = y + h / 2;
        /* the four sides, inside the box's edge */
        assert_true(is_red(px(&img, mx, y + t / 2)));
        assert_true(is_red(px(&img, mx, y + h - 1 - t / 2)));
        assert_true(is_red(px(&img, x + t / 2, my)));
        assert_true(is_red(px(&img, x + w - 1 - t / 2, my)));
        /* inside the box and outside it the frame is untouched */
        assert_false(is_red(px(&img, mx, my)));
        if (y >= 8)
            assert_false(is_red(px(&img, mx, y - 6)));
        if (x + w + 8 <= 640)
            assert_false(is_red(px(&img, x + w + 6, my)));
        fg_raster_release(&img);
        /* the frame before decodes too and is not the alarm frame */
        snprintf(path, sizeof path, "%s/cam/%s", TMP, ev.cam_before);
        decode(path, &img);
        assert_int_equal(img.width, 640);
        assert_false(is_red(px(&img, mx, y + t / 2)));
        fg_raster_release(&img);
    }
    /* the first frame of a folder has no frame before it */
    fg_alert a;
    cam_alert(&a, "C00000000000000ff", FRAMES "/1792051200.jpg", 10, 10, 40, 40);
    fg_evidence ev;
    fg_ctx c = {0};
    assert_int_equal(fg_evidence_write(TMP "/cam", INC, &a, 1, 0, 1, &ev, &c), FG_OK);
    assert_true(ev.cam[0] != '\0');
    assert_string_equal(ev.cam_before, "");
}

static void missing_inputs_and_bad_ids_write_nothing(void **state)
{
    (void)state;
    fg_alert a;
    sat_alert(&a, "S0000000000000bad", 5, 5);
    snprintf(a.hs.evidence, sizeof a.hs.evidence, "%s/no-such-scene.tif", TMP);
    fg_evidence ev;
    fg_ctx c = {0};
    assert_int_equal(fg_evidence_write(TMP "/miss", INC, &a, 1, 0, 0, &ev, &c), FG_ENOTFOUND);
    assert_non_null(strstr(c.msg, "no-such-scene.tif"));
    assert_string_equal(ev.sat, "");
    struct stat st;
    char p[512];
    snprintf(p, sizeof p, "%s/miss/evidence/%s_%s_sat.jpg", TMP, INC, a.id);
    assert_int_not_equal(stat(p, &st), 0);

    cam_alert(&a, "C0000000000000bad", TMP "/frames/none/1.jpg", 0, 0, 10, 10);
    fg_ctx_clear(&c);
    assert_true(fg_evidence_write(TMP "/miss", INC, &a, 1, 0, 0, &ev, &c) < 0);
    assert_string_equal(ev.cam, "");

    /* ids name files: nothing but letters, digits, '-' and '_' */
    static const char *const bad[] = {"../x", "a/b", "", "F<1>"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        fg_ctx_clear(&c);
        assert_int_equal(fg_evidence_write(TMP "/miss", bad[i], &a, 1, 0, 0, &ev, &c), FG_EINVAL);
    }
    fg_ctx_clear(&c);
    assert_int_equal(fg_evidence_write(TMP "/miss", INC, &a, 1, 1, 0, &ev, &c), FG_EINVAL);
}

int main(void)
{
    sh("rm -rf '%s' && mkdir -p '%s'", TMP, TMP);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(satellite_chip_outlines_each_fire_pixel_at_its_row_col),
        cmocka_unit_test(rerun_gives_identical_bytes_and_keeps_existing_files),
        cmocka_unit_test(camera_frame_shows_the_box_where_the_hotspot_says),
        cmocka_unit_test(missing_inputs_and_bad_ids_write_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
