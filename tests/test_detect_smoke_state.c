/* test_detect_smoke_state.c — the smoke detector's state bytes: save, load and continue; corrupt, foreign, truncated states refused. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"

#include "smoke_scenes.h"

/* --------------------------------------------------------------- state */

static void save_load_continue_equals_an_uninterrupted_run(void **state)
{
    (void)state;
    fg_smoke_params p = params(-1);
    scene_opts o = plain();
    o.plume_from = 9;
    o.cloud = 1;
    fg_smoke_result whole[NFR], parts[NFR];
    memset(whole, 0, sizeof whole);
    memset(parts, 0, sizeof parts);
    fg_ctx ctx = {0};
    fg_smoke *s = NULL;
    assert_int_equal(fg_smoke_new(&p, W, H, &s, &ctx), FG_OK);
    push_range(s, &o, 0, NFR, T0, 0, whole);
    unsigned char *end_a = NULL;
    size_t len_a = 0;
    assert_int_equal(fg_smoke_save(s, &end_a, &len_a, &ctx), FG_OK);
    fg_smoke_free(s);

    /* a run every few frames: save, free, load, continue (cut mid-plume too) */
    static const int cuts[] = {0, 4, 10, 11, 20, NFR};
    s = NULL;
    assert_int_equal(fg_smoke_new(&p, W, H, &s, &ctx), FG_OK);
    for (size_t i = 0; i + 1 < sizeof cuts / sizeof cuts[0]; i++) {
        push_range(s, &o, cuts[i], cuts[i + 1], T0, 0, parts);
        unsigned char *buf = NULL;
        size_t len = 0;
        assert_int_equal(fg_smoke_save(s, &buf, &len, &ctx), FG_OK);
        fg_smoke_free(s);
        s = NULL;
        assert_int_equal(fg_smoke_load(&p, buf, len, &s, &ctx), FG_OK);
        fg_free(buf);
    }
    for (int k = 0; k < NFR; k++)
        same_result(&whole[k], &parts[k]);
    int alarms = 0;
    for (int k = 0; k < NFR; k++)
        alarms += whole[k].alarm;
    assert_true(alarms > 0);
    unsigned char *end_b = NULL;
    size_t len_b = 0;
    assert_int_equal(fg_smoke_save(s, &end_b, &len_b, &ctx), FG_OK);
    assert_int_equal(len_a, len_b);
    assert_memory_equal(end_a, end_b, len_a);
    fg_free(end_a);
    fg_free(end_b);
    fg_smoke_free(s);
}

static void corrupt_other_version_or_truncated_state_is_refused(void **state)
{
    (void)state;
    fg_smoke_params p = params(HORIZON);
    scene_opts o = plain();
    o.plume_from = 3;
    fg_smoke_result res[NFR];
    fg_ctx ctx = {0};
    fg_smoke *s = NULL;
    assert_int_equal(fg_smoke_new(&p, W, H, &s, &ctx), FG_OK);
    push_range(s, &o, 0, 8, T0, 0, res);
    unsigned char *buf = NULL;
    size_t len = 0;
    assert_int_equal(fg_smoke_save(s, &buf, &len, &ctx), FG_OK);
    fg_smoke_free(s);
    unsigned char *copy = malloc(len + 16);
    assert_non_null(copy);

    /* table of damage: (offset, xor), or a length change */
    const struct {
        const char *what;
        long offset;  /* byte to flip; < 0 from the end */
        long dlen;    /* length change */
    } cases[] = {
        {"bad magic", 0, 0},        {"other version", 8, 0},   {"other width", 12, 0},
        {"flipped pixel", 4000, 0}, {"flipped checksum", -1, 0}, {"truncated", 0, -100},
        {"one byte short", 0, -1},  {"trailing bytes", 0, 16}, {"empty", 0, -(long)len},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(copy, buf, len);
        size_t n = (size_t)((long)len + cases[i].dlen);
        if (cases[i].dlen > 0)
            memset(copy + len, 0, (size_t)cases[i].dlen);
        if (cases[i].dlen == 0) {
            long off = cases[i].offset < 0 ? (long)len + cases[i].offset : cases[i].offset;
            copy[off] ^= 0x5a;
        }
        fg_smoke *t = (fg_smoke *)&n; /* sentinel */
        fg_ctx_clear(&ctx);
        int rc = fg_smoke_load(&p, copy, n, &t, &ctx);
        if (rc != FG_EFORMAT)
            fail_msg("%s: load returned %d, expected FG_EFORMAT", cases[i].what, rc);
        assert_ptr_equal(t, (fg_smoke *)&n);
        assert_non_null(strstr(ctx.msg, "smoke state"));
    }
    /* the state of other parameters (block size) is refused too */
    fg_smoke_params q = p;
    q.block = 16;
    s = NULL;
    assert_int_equal(fg_smoke_load(&q, buf, len, &s, &ctx), FG_EFORMAT);
    assert_null(s);
    /* the intact buffer loads, and a frame of another size is then refused */
    assert_int_equal(fg_smoke_load(&p, buf, len, &s, &ctx), FG_OK);
    unsigned char small[80 * 60 * 3] = {0};
    fg_raster r = {80, 60, 3, 80 * 3, FG_PIX_U8, small};
    fg_smoke_result one;
    assert_int_equal(fg_smoke_push(s, &r, T0 + 3600, &one, &ctx), FG_EINVAL);
    fg_smoke_free(s);
    free(copy);
    fg_free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(save_load_continue_equals_an_uninterrupted_run),
        cmocka_unit_test(corrupt_other_version_or_truncated_state_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
