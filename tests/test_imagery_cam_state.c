/* test_imagery_cam_state.c — per-camera smoke state files: a saved state continues exactly; corrupt, truncated and older files are refused by name. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imagery/cam_state_int.h"
#include "imagery/imagery.h"

#define DIR_ FG_TEST_TMPDIR
#define W 192
#define H 128

static void fresh_dir(const char *path)
{
    mkdir(DIR_, 0777);
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        char p[1024];
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.' && (e->d_name[1] == 0 || e->d_name[1] == '.'))
                continue;
            snprintf(p, sizeof p, "%s/%s", path, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    mkdir(path, 0777);
}

/* Frame k: textured fields below row 40, sky above, and from frame 6 a grey patch
 * rising from the ground, so the state holds backgrounds and a track. */
static void frame(int k, fg_raster *r)
{
    fg_ctx ctx = {0};
    assert_int_equal(fg_raster_alloc(r, W, H, 3, FG_PIX_U8, 0, &ctx), FG_OK);
    unsigned char *p = r->data;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            unsigned char *q = p + (size_t)y * r->stride + 3 * (size_t)x;
            double n = fg_value_noise(7, x / 6.0, y / 6.0) + 0.1 * fg_hash01(k, x, y);
            if (y < 40) {
                q[0] = (unsigned char)(150 + 20 * n), q[1] = (unsigned char)(180 + 20 * n);
                q[2] = (unsigned char)(225 + 20 * n);
            } else {
                q[0] = (unsigned char)(120 + 60 * n), q[1] = (unsigned char)(100 + 50 * n);
                q[2] = (unsigned char)(60 + 30 * n);
            }
            int top = 100 - 8 * (k - 5);
            if (k >= 6 && y >= top && y < 104 && x >= 90 && x < 110) {
                q[0] = (unsigned char)((q[0] + 2 * 190) / 3);
                q[1] = (unsigned char)((q[1] + 2 * 190) / 3);
                q[2] = (unsigned char)((q[2] + 2 * 192) / 3);
            }
        }
}

static void params(fg_smoke_params *p)
{
    fg_smoke_params_default(p);
    p->warmup_frames = 3;
    p->persist_frames = 2;
    p->horizon_row = 40;
}

static void push(fg_smoke *s, int k, fg_smoke_result *res)
{
    fg_raster r;
    frame(k, &r);
    fg_ctx ctx = {0};
    memset(res, 0, sizeof *res);
    if (fg_smoke_push(s, &r, 1792051200 + 60 * (int64_t)k, res, &ctx) != FG_OK)
        fail_msg("push %d: %s", k, ctx.msg);
    fg_raster_release(&r);
}

static void same_result(const fg_smoke_result *a, const fg_smoke_result *b, int k)
{
    if (a->alarm != b->alarm || a->score != b->score || a->x != b->x || a->y != b->y ||
        a->w != b->w || a->h != b->h || a->persisted != b->persisted || a->nblocks != b->nblocks)
        fail_msg("frame %d: continued state differs (alarm %d/%d score %g/%g box %d,%d,%d,%d / "
                 "%d,%d,%d,%d persisted %d/%d)",
                 k, a->alarm, b->alarm, a->score, b->score, a->x, a->y, a->w, a->h, b->x, b->y,
                 b->w, b->h, a->persisted, b->persisted);
}

static void saved_state_continues_like_an_uninterrupted_run(void **state)
{
    (void)state;
    const char *dir = DIR_ "/cont";
    fresh_dir(dir);
    fg_smoke_params p;
    params(&p);
    fg_smoke *a = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_smoke_new(&p, W, H, &a, &ctx), FG_OK);
    fg_smoke_result ra, rb;
    for (int k = 0; k < 7; k++)
        push(a, k, &ra);
    fg_state_info info = {1792051200 + 6 * 60, W, H, 1};
    assert_int_equal(fg_smoke_state_save_at(dir, "CAM-01", a, &info, &ctx), FG_OK);
    struct stat st;
    assert_int_equal(stat(DIR_ "/cont/CAM-01.state", &st), 0);

    fg_smoke *b = NULL;
    fg_state_info got;
    assert_int_equal(fg_smoke_state_load_at(dir, "CAM-01", &p, &b, &got, &ctx), FG_OK);
    assert_non_null(b);
    assert_int_equal(got.last_time, info.last_time);
    assert_int_equal(got.width, W);
    assert_int_equal(got.height, H);
    assert_int_equal(got.in_alarm, 1);
    fg_state_info peek;
    assert_int_equal(fg_smoke_state_info_read(dir, "CAM-01", &peek, &ctx), FG_OK);
    assert_int_equal(peek.last_time, info.last_time);
    for (int k = 7; k < 14; k++) {
        push(a, k, &ra);
        push(b, k, &rb);
        same_result(&ra, &rb, k);
    }
    fg_smoke_free(a);
    fg_smoke_free(b);

    /* the public pair round-trips too (last time unknown) */
    assert_int_equal(fg_smoke_new(&p, W, H, &a, &ctx), FG_OK);
    push(a, 0, &ra);
    assert_int_equal(fg_smoke_state_save(dir, "CAM-02", a, &ctx), FG_OK);
    assert_int_equal(fg_smoke_state_load(dir, "CAM-02", &p, &b, &ctx), FG_OK);
    assert_non_null(b);
    assert_int_equal(fg_smoke_state_info_read(dir, "CAM-02", &peek, &ctx), FG_OK);
    assert_true(peek.last_time == INT64_MIN);
    fg_smoke_free(a);
    fg_smoke_free(b);
}

static void no_state_yet_is_ok_and_null(void **state)
{
    (void)state;
    const char *dir = DIR_ "/none";
    fresh_dir(dir);
    fg_smoke_params p;
    params(&p);
    fg_smoke *s = (fg_smoke *)&p;
    fg_ctx ctx = {0};
    assert_int_equal(fg_smoke_state_load(dir, "CAM-01", &p, &s, &ctx), FG_OK);
    assert_null(s);
    assert_int_equal(fg_smoke_state_load(DIR_ "/no/such/folder", "CAM-01", &p, &s, &ctx), FG_OK);
    assert_null(s);
    fg_state_info info;
    assert_int_equal(fg_smoke_state_info_read(dir, "CAM-01", &info, &ctx), FG_ENOTFOUND);
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *n = (size_t)len;
    return b;
}

static void spit(const char *path, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void damaged_states_are_refused_naming_the_file(void **state)
{
    (void)state;
    const char *dir = DIR_ "/bad";
    fresh_dir(dir);
    fg_smoke_params p;
    params(&p);
    fg_smoke *a = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_smoke_new(&p, W, H, &a, &ctx), FG_OK);
    fg_smoke_result r;
    for (int k = 0; k < 4; k++)
        push(a, k, &r);
    assert_int_equal(fg_smoke_state_save(dir, "CAM-01", a, &ctx), FG_OK);
    fg_smoke_free(a);
    const char *path = DIR_ "/bad/CAM-01.state";
    size_t n;
    unsigned char *good = slurp(path, &n);
    unsigned char *b = malloc(n);
    assert_non_null(b);

    static const struct {
        const char *what;
        size_t at;     /* byte to change (SIZE_MAX: none) */
        size_t len;    /* bytes to keep (0 = all) */
        const char *word;
    } cases[] = {
        {"bit flip in the detector's bytes", 100, 0, "checksum"},
        {"bit flip in the time", 9, 0, "checksum"},
        {"truncated", SIZE_MAX, 60, "truncated"},
        {"only a header", SIZE_MAX, 10, "too short"},
        {"older version", 4, 0, "version"},
        {"not a state", 0, 0, "magic"},
        {"empty file", SIZE_MAX, 1, "too short"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(b, good, n);
        size_t len = cases[i].len ? cases[i].len : n;
        if (cases[i].at == 4)
            b[4] = 0; /* version 0 */
        else if (cases[i].at != SIZE_MAX)
            b[cases[i].at] ^= 0x10;
        if (strcmp(cases[i].what, "empty file") == 0)
            len = 0;
        spit(path, b, len);
        fg_smoke *s = (fg_smoke *)&p;
        fg_ctx_clear(&ctx);
        int rc = fg_smoke_state_load(dir, "CAM-01", &p, &s, &ctx);
        if (rc != FG_EFORMAT)
            fail_msg("%s: rc %d (%s)", cases[i].what, rc, ctx.msg);
        assert_null(s);
        assert_non_null(strstr(ctx.msg, "CAM-01.state"));
        if (!strstr(ctx.msg, cases[i].word))
            fail_msg("%s: '%s' does not say '%s'", cases[i].what, ctx.msg, cases[i].word);
    }
    /* the envelope is sound but the detector's own bytes are from elsewhere: the
     * detector refuses them, still FG_EFORMAT naming the file */
    memcpy(b, good, n);
    for (size_t k = 40; k < n - 4; k++)
        b[k] ^= 0x5A;
    /* recompute nothing: the CRC catches it first, which is also a refusal */
    spit(path, b, n);
    fg_smoke *s = NULL;
    assert_int_equal(fg_smoke_state_load(dir, "CAM-01", &p, &s, &ctx), FG_EFORMAT);
    assert_null(s);
    free(b);
    free(good);
}

static void camera_ids_become_safe_distinct_file_names(void **state)
{
    (void)state;
    static const struct {
        const char *id;
        const char *want; /* exact name, or a prefix when it ends in '*' */
    } cases[] = {
        {"CAM-01", "CAM-01.state"},
        {"tower_3@east", "tower_3@east.state"},
        {"a.b", "a.b.state"},
        {"a/b", "a_b-*"},
        {"../etc", "_._etc-*"},
        {".hidden", "_hidden-*"},
        {"塔1", "___1-*"},
        {"sp ace", "sp_ace-*"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[256];
        assert_int_equal(fg_smoke_state_path("/s", cases[i].id, buf, sizeof buf), FG_OK);
        assert_memory_equal(buf, "/s/", 3);
        assert_null(strchr(buf + 3, '/'));
        size_t wl = strlen(cases[i].want);
        if (cases[i].want[wl - 1] == '*') {
            if (strncmp(buf + 3, cases[i].want, wl - 1) != 0)
                fail_msg("'%s' -> '%s'", cases[i].id, buf);
            assert_non_null(strstr(buf, ".state"));
        } else {
            assert_string_equal(buf + 3, cases[i].want);
        }
    }
    char x[256], y[256];
    assert_int_equal(fg_smoke_state_path("/s", "a/b", x, sizeof x), FG_OK);
    assert_int_equal(fg_smoke_state_path("/s", "a_b", y, sizeof y), FG_OK);
    assert_string_not_equal(x, y);
    assert_int_equal(fg_smoke_state_path("/s", "", x, sizeof x), FG_EINVAL);
    assert_int_equal(fg_smoke_state_path("/s", "CAM-01", x, 8), FG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(saved_state_continues_like_an_uninterrupted_run),
        cmocka_unit_test(no_state_yet_is_ok_and_null),
        cmocka_unit_test(damaged_states_are_refused_naming_the_file),
        cmocka_unit_test(camera_ids_become_safe_distinct_file_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
