/* test_alerts_officers.c — the grid officer registry: reading, bad rows named, lookup by cell then village. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alerts/alerts.h"

#define TMP FG_TEST_TMPDIR

typedef struct skips {
    int n;
    char what[32][256], reason[32][256];
} skips;

static void on_skip(void *user, const char *what, const char *reason)
{
    skips *s = user;
    if (s->n < 32) {
        snprintf(s->what[s->n], sizeof s->what[0], "%s", what);
        snprintf(s->reason[s->n], sizeof s->reason[0], "%s", reason);
    }
    s->n++;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

static fg_officers *read_ok(const char *path, skips *sk)
{
    fg_officers *o = NULL;
    fg_ctx ctx = {0};
    int rc = fg_officers_read(path, &o, sk ? on_skip : NULL, sk, &ctx);
    if (rc != FG_OK)
        fail_msg("fg_officers_read(%s): %s", path, ctx.msg);
    assert_non_null(o);
    return o;
}

static int setup(void **state)
{
    (void)state;
    mkdir(TMP, 0755);
    return 0;
}

/* A clean registry with a BOM, CRLF line ends, Chinese names, quoted fields, cells
 * and villages; the cell's officer wins over the village's. */
static void cell_officer_wins_over_village_officer(void **state)
{
    (void)state;
    write_text(TMP "/clean.csv",
               "\xEF\xBB\xBFunit,officer,phone,township_contact,township_phone\r\n"
               "140932100201,张伟,13800138000,李镇长,0350-7123456\r\n"
               "1000m-E540-N4360,\"王芳, 网格长\",+86 139 0013 9000,李镇长,0350-7123456\r\n"
               "140932100202,赵敏,138-0013-8001,,\r\n"
               "\r\n");
    skips sk = {0};
    fg_officers *o = read_ok(TMP "/clean.csv", &sk);
    assert_int_equal(sk.n, 0);
    const fg_officer *f = fg_officers_find(o, "1000m-E540-N4360", "140932100201");
    assert_non_null(f);
    assert_string_equal(f->name, "王芳, 网格长");
    assert_string_equal(f->phone, "+86 139 0013 9000");
    assert_string_equal(f->town_contact, "李镇长");
    /* a cell nobody has: the village's officer */
    f = fg_officers_find(o, "1000m-E541-N4360", "140932100201");
    assert_non_null(f);
    assert_string_equal(f->name, "张伟");
    assert_string_equal(f->unit, "140932100201");
    assert_string_equal(f->town_phone, "0350-7123456");
    f = fg_officers_find(o, NULL, "140932100202");
    assert_non_null(f);
    assert_string_equal(f->phone, "138-0013-8001");
    assert_string_equal(f->town_contact, "");
    /* nobody: unassigned */
    assert_null(fg_officers_find(o, "1000m-E999-N4360", "140932100299"));
    assert_null(fg_officers_find(o, "", ""));
    assert_null(fg_officers_find(o, NULL, NULL));
    fg_officers_free(o);
}

/* Each malformed row is skipped with its line number and the reason; the good rows
 * load. Table: line of the file → expected words in the reason. */
typedef struct bad_case {
    const char *row;
    const char *reason;
} bad_case;

static void malformed_rows_are_skipped_and_named_by_line(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {",张伟,13800138000,,", "no unit"},
        {"140932100201,,13800138000,,", "no officer name"},
        {"140932100202,赵敏,,,", "no phone"},
        {"140932100203,赵敏,12345,,", "not 7-15 digits"},                /* too short */
        {"140932100204,赵敏,1234567890123456,,", "not 7-15 digits"},     /* 16 digits */
        {"140932100205,赵敏,138x0013800,,", "not 7-15 digits"},          /* a letter */
        {"140932100206,赵敏,138+0013800,,", "not 7-15 digits"},          /* + inside */
        {"14093210020,赵敏,13800138000,,", "neither a grid cell id"},    /* 11 digits */
        {"village 7,赵敏,13800138000,,", "neither a grid cell id"},
        {"140932100208,赵敏,13800138000,李,phone?", "township_phone"},
        {"140932100209,\"赵敏,13800138000,,", "quoting"},
        {"140932100210,这个名字非常非常非常非常非常非常非常非常长的网格员,13800138000,,",
         "longer than 63"},
    };
    enum { NC = sizeof cases / sizeof cases[0] };
    char text[8192] = "unit,officer,phone,township_contact,township_phone\n"
                      "140932100299,好人,1234567,,\n"; /* line 2: 7 digits is fine */
    for (int i = 0; i < NC; i++) {
        strcat(text, cases[i].row);
        strcat(text, "\n");
    }
    strcat(text, ",,,,\n"); /* a spreadsheet's empty row: ignored silently */
    strcat(text, "1000m-E540-N4360,好人二,+8613800138000,,\n");
    write_text(TMP "/bad.csv", text);
    skips sk = {0};
    fg_officers *o = read_ok(TMP "/bad.csv", &sk);
    assert_int_equal(sk.n, NC);
    for (int i = 0; i < NC; i++) {
        char where[64];
        snprintf(where, sizeof where, "bad.csv:%d", i + 3);
        if (!strstr(sk.what[i], where) || !strstr(sk.reason[i], cases[i].reason))
            fail_msg("row %d: got \"%s\" / \"%s\", expected %s / %s", i, sk.what[i],
                     sk.reason[i], where, cases[i].reason);
    }
    assert_non_null(fg_officers_find(o, NULL, "140932100299"));
    assert_non_null(fg_officers_find(o, "1000m-E540-N4360", NULL));
    /* none of the bad rows got in */
    assert_null(fg_officers_find(o, NULL, "140932100201"));
    assert_null(fg_officers_find(o, NULL, "140932100203"));
    assert_null(fg_officers_find(o, NULL, "140932100208"));
    fg_officers_free(o);
}

/* Duplicate units: the first row stays, each later one is named with both lines,
 * in line order, whatever order the units sort in. */
static void duplicate_unit_keeps_the_first_row_and_names_both_lines(void **state)
{
    (void)state;
    write_text(TMP "/dup.csv", "# officers of 新关镇, autumn 2026\n"
                               "unit,officer,phone,township_contact,township_phone\n"
                               "140932100202,甲,13800000001,,\n"
                               "140932100201,乙,13800000002,,\n"
                               "140932100202,丙,13800000003,,\n"
                               "140932100201,丁,13800000004,,\n"
                               "140932100202,戊,13800000005,,\n");
    skips sk = {0};
    fg_officers *o = read_ok(TMP "/dup.csv", &sk);
    assert_int_equal(sk.n, 3);
    assert_non_null(strstr(sk.what[0], "dup.csv:5"));
    assert_non_null(strstr(sk.reason[0], "duplicate unit 140932100202"));
    assert_non_null(strstr(sk.reason[0], "line 5 repeats line 3"));
    assert_non_null(strstr(sk.what[1], "dup.csv:6"));
    assert_non_null(strstr(sk.reason[1], "line 6 repeats line 4"));
    assert_non_null(strstr(sk.what[2], "dup.csv:7"));
    assert_non_null(strstr(sk.reason[2], "line 7 repeats line 3"));
    assert_string_equal(fg_officers_find(o, NULL, "140932100202")->name, "甲");
    assert_string_equal(fg_officers_find(o, NULL, "140932100201")->name, "乙");
    fg_officers_free(o);
}

/* Header names in any order and case, Chinese headers, extra columns ignored. */
static void columns_are_found_by_name_in_any_order(void **state)
{
    (void)state;
    write_text(TMP "/cols.csv", "备注,电话,网格员,单元\n"
                                "x,13800138000,张伟,140932100201\n");
    fg_officers *o = read_ok(TMP "/cols.csv", NULL);
    const fg_officer *f = fg_officers_find(o, NULL, "140932100201");
    assert_non_null(f);
    assert_string_equal(f->name, "张伟");
    assert_string_equal(f->phone, "13800138000");
    fg_officers_free(o);
    write_text(TMP "/case.csv", "UNIT , Officer,PHONE\n140932100201,张伟,13800138000\n");
    o = read_ok(TMP "/case.csv", NULL);
    assert_non_null(fg_officers_find(o, "", "140932100201"));
    fg_officers_free(o);
}

typedef struct file_case {
    const char *name, *text;
    int rc;
    const char *msg;
} file_case;

static void unusable_files_fail_with_the_file_named(void **state)
{
    (void)state;
    static const file_case cases[] = {
        {"nophone.csv", "unit,officer\n140932100201,张伟\n", FG_EFORMAT, "\"phone\""},
        {"empty.csv", "", FG_EFORMAT, "empty"},
        {"onlybom.csv", "\xEF\xBB\xBF\n\n", FG_EFORMAT, "empty"},
        {"binary.csv", "unit,officer,phone\n\0\0\0", FG_EFORMAT, "binary"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", TMP, cases[i].name);
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        size_t len = strlen(cases[i].text);
        if (strcmp(cases[i].name, "binary.csv") == 0)
            len += 3;
        fwrite(cases[i].text, 1, len, fp);
        fclose(fp);
        fg_officers *o = (fg_officers *)1;
        fg_ctx ctx = {0};
        int rc = fg_officers_read(path, &o, NULL, NULL, &ctx);
        if (rc != cases[i].rc || !strstr(ctx.msg, cases[i].name) ||
            !strstr(ctx.msg, cases[i].msg))
            fail_msg("%s: rc %d, \"%s\"", cases[i].name, rc, ctx.msg);
        assert_ptr_equal(o, (fg_officers *)1); /* untouched on failure */
    }
    fg_officers *o = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_officers_read(TMP "/none.csv", &o, NULL, NULL, &ctx), FG_ENOTFOUND);
    assert_non_null(strstr(ctx.msg, "none.csv"));
    assert_int_equal(fg_officers_read(TMP, &o, NULL, NULL, &ctx), FG_EFORMAT);
    assert_int_equal(fg_officers_read(NULL, &o, NULL, NULL, &ctx), FG_EINVAL);
}

static void header_only_file_is_an_empty_registry(void **state)
{
    (void)state;
    write_text(TMP "/header.csv", "unit,officer,phone\n");
    fg_officers *o = read_ok(TMP "/header.csv", NULL);
    assert_null(fg_officers_find(o, "1000m-E540-N4360", "140932100201"));
    fg_officers_free(o);
    fg_officers_free(NULL);
    assert_null(fg_officers_find(NULL, "1000m-E540-N4360", "140932100201"));
}

/* Many units: lookups by binary search find every one. */
static void large_registry_finds_every_unit(void **state)
{
    (void)state;
    FILE *fp = fopen(TMP "/large.csv", "wb");
    assert_non_null(fp);
    fprintf(fp, "unit,officer,phone\n");
    for (int i = 0; i < 3000; i++)
        fprintf(fp, "%dm-E%d-N%d,officer %d,1380000%04d\n", 1000, 500 + i % 60, 4300 + i / 60, i,
                i);
    fclose(fp);
    skips sk = {0};
    fg_officers *o = read_ok(TMP "/large.csv", &sk);
    assert_int_equal(sk.n, 0);
    for (int i = 2999; i >= 0; i -= 7) {
        char id[48], name[32];
        snprintf(id, sizeof id, "1000m-E%d-N%d", 500 + i % 60, 4300 + i / 60);
        snprintf(name, sizeof name, "officer %d", i);
        const fg_officer *f = fg_officers_find(o, id, NULL);
        assert_non_null(f);
        assert_string_equal(f->name, name);
    }
    fg_officers_free(o);
}

static int g_fail_after = -1, g_allocs;

static void *failing_malloc(size_t n)
{
    if (g_fail_after >= 0 && g_allocs++ >= g_fail_after)
        return NULL;
    return malloc(n);
}

static void *failing_realloc(void *p, size_t n)
{
    if (g_fail_after >= 0 && g_allocs++ >= g_fail_after)
        return NULL;
    return realloc(p, n);
}

/* Every allocation failure returns FG_ENOMEM with nothing leaked (the sanitizer build
 * checks) and *out untouched. */
static void read_survives_allocation_failures(void **state)
{
    (void)state;
    int k;
    for (k = 0; k < 200; k++) {
        fg_officers *o = NULL;
        fg_ctx ctx = {0};
        skips sk = {0};
        g_allocs = 0;
        g_fail_after = k;
        fg_set_allocator(failing_malloc, failing_realloc, free);
        int rc = fg_officers_read(TMP "/dup.csv", &o, on_skip, &sk, &ctx);
        fg_set_allocator(NULL, NULL, NULL);
        g_fail_after = -1;
        if (rc == FG_OK) {
            assert_int_equal(sk.n, 3);
            fg_officers_free(o);
            break;
        }
        assert_int_equal(rc, FG_ENOMEM);
        assert_null(o);
    }
    assert_true(k > 0 && k < 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cell_officer_wins_over_village_officer),
        cmocka_unit_test(malformed_rows_are_skipped_and_named_by_line),
        cmocka_unit_test(duplicate_unit_keeps_the_first_row_and_names_both_lines),
        cmocka_unit_test(columns_are_found_by_name_in_any_order),
        cmocka_unit_test(unusable_files_fail_with_the_file_named),
        cmocka_unit_test(header_only_file_is_an_empty_registry),
        cmocka_unit_test(large_registry_finds_every_unit),
        cmocka_unit_test(read_survives_allocation_failures),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
