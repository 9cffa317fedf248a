/* test_detect_ctx.c — status messages, the allocation seam, raster buffers, hotspot defaults. */
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

static void set_records_code_and_message_and_returns_code(void **state)
{
    (void)state;
    fg_ctx c = {0};
    assert_int_equal(fg_ctx_set(&c, FG_EFORMAT, "%s: bad %d", "a.tif", 3), FG_EFORMAT);
    assert_int_equal(c.code, FG_EFORMAT);
    assert_string_equal(c.msg, "a.tif: bad 3");
    assert_int_equal(fg_ctx_prefix(&c, "scene %d", 2), FG_EFORMAT);
    assert_string_equal(c.msg, "scene 2: a.tif: bad 3");
    fg_ctx_clear(&c);
    assert_int_equal(c.code, 0);
    assert_string_equal(c.msg, "");
    assert_int_equal(fg_ctx_set(NULL, FG_EIO, "ignored"), FG_EIO);
}

static void long_messages_are_truncated_not_overflowed(void **state)
{
    (void)state;
    fg_ctx c = {0};
    char big[4000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    fg_ctx_set(&c, FG_EINVAL, "%s", big);
    assert_int_equal(strlen(c.msg), sizeof c.msg - 1);
    fg_ctx_prefix(&c, "%s", big);
    assert_int_equal(strlen(c.msg), sizeof c.msg - 1);
}

static void strerror_names_every_code(void **state)
{
    (void)state;
    const int codes[] = {FG_OK, FG_EINVAL, FG_ENOMEM, FG_EIO, FG_EFORMAT, FG_ENOTFOUND, FG_ELIMIT};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        assert_string_not_equal(fg_strerror(codes[i]), "unknown error");
    assert_string_equal(fg_strerror(-99), "unknown error");
}

static int fail_after;
static void *failing_malloc(size_t n) { return fail_after-- > 0 ? malloc(n) : NULL; }

static void allocation_failure_is_reported_and_changes_nothing(void **state)
{
    (void)state;
    fg_raster r = {0};
    fg_ctx c = {0};
    fail_after = 0;
    fg_set_allocator(failing_malloc, NULL, NULL);
    assert_int_equal(fg_raster_alloc(&r, 10, 10, 1, FG_PIX_F32, 0, &c), FG_ENOMEM);
    fg_set_allocator(NULL, NULL, NULL);
    assert_null(r.data);
    assert_int_equal(r.width, 0);
    assert_non_null(strstr(c.msg, "out of memory"));
}

static void raster_alloc_checks_size_and_limit(void **state)
{
    (void)state;
    fg_raster r = {0};
    fg_ctx c = {0};
    assert_int_equal(fg_raster_alloc(&r, 0, 5, 1, FG_PIX_U8, 0, &c), FG_EINVAL);
    assert_int_equal(fg_raster_alloc(&r, 1000, 1000, 1, FG_PIX_U8, 999999, &c), FG_ELIMIT);
    assert_int_equal(fg_raster_alloc(&r, 7, 5, 3, FG_PIX_U8, 35, &c), FG_OK);
    assert_int_equal(r.stride, 21);
    const unsigned char *p = r.data;
    for (size_t i = 0; i < 105; i++)
        assert_int_equal(p[i], 0);
    fg_raster_release(&r);
    assert_null(r.data);
    fg_raster_release(NULL);
    fg_free(NULL);
}

static void calloc_refuses_overflowing_sizes(void **state)
{
    (void)state;
    assert_null(fg_calloc((size_t)-1 / 2, 4));
}

static void confidence_classes_follow_the_thresholds(void **state)
{
    (void)state;
    static const struct { int conf; fg_conf_class cls; } table[] = {
        {0, FG_CONF_LOW}, {29, FG_CONF_LOW}, {30, FG_CONF_NOMINAL},
        {79, FG_CONF_NOMINAL}, {80, FG_CONF_HIGH}, {100, FG_CONF_HIGH}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        assert_int_equal(fg_conf_class_of(table[i].conf), table[i].cls);
    assert_string_equal(fg_conf_class_name(FG_CONF_NOMINAL), "nominal");
}

static void hotspot_init_marks_everything_unknown(void **state)
{
    (void)state;
    fg_hotspot h;
    memset(&h, 0x5a, sizeof h);
    fg_hotspot_init(&h, FG_SOURCE_CAMERA);
    assert_int_equal(h.kind, FG_SOURCE_CAMERA);
    assert_true(isnan(h.frp_mw) && isnan(h.bt_mir_k) && isnan(h.range_m) && isnan(h.scan_km));
    assert_int_equal(h.ev_row, -1);
    assert_int_equal(h.ev_w, -1);
    assert_string_equal(h.sensor, "");
    assert_true(isnan(h.bg_mir_k) && isnan(h.bg_tir_k) && isnan(h.bg_dt_k));
    assert_true(isnan(h.mad_mir_k) && isnan(h.mad_tir_k) && isnan(h.mad_dt_k));
    assert_int_equal(h.tests, 0);
    assert_int_equal(h.window, -1);
    assert_int_equal(h.n_valid, -1);
    assert_int_equal(h.persisted, -1);
    assert_int_equal(h.nblocks, -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(set_records_code_and_message_and_returns_code),
        cmocka_unit_test(long_messages_are_truncated_not_overflowed),
        cmocka_unit_test(strerror_names_every_code),
        cmocka_unit_test(allocation_failure_is_reported_and_changes_nothing),
        cmocka_unit_test(raster_alloc_checks_size_and_limit),
        cmocka_unit_test(calloc_refuses_overflowing_sizes),
        cmocka_unit_test(confidence_classes_follow_the_thresholds),
        cmocka_unit_test(hotspot_init_marks_everything_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
