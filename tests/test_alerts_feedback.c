/* test_alerts_feedback.c — officers' feedback files: parsing, applying to the ledger, repeats, rollback, the CLI. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fg_test.h"

#include <iconv.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alerts/alerts.h"
#include "alerts/feedback_int.h"

#define TMP FG_TEST_TMPDIR

/* ---------------------------------------------------------------- helpers */

typedef struct skips {
    int n;
    char what[32][600], reason[32][400];
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

static void write_bytes(const char *path, const char *text, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

static void write_text(const char *path, const char *text) { write_bytes(path, text, strlen(text)); }

static int64_t utc(const char *iso)
{
    int64_t t = 0;
    assert_int_equal(fg_time_parse(iso, &t), FG_OK);
    return t;
}

static unsigned char *slurp_bytes(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)len + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    *n = (size_t)len;
    return b;
}

static void assert_same_file(const char *a_path, const unsigned char *b, size_t nb)
{
    size_t na;
    unsigned char *a = slurp_bytes(a_path, &na);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, nb);
    free(a);
}

static int setup(void **state)
{
    (void)state;
    mkdir(TMP, 0755);
    return 0;
}

/* ------------------------------------------------------- words and times */

static void result_words_in_english_and_chinese_table(void **state)
{
    (void)state;
    static const struct { const char *s; int st; } table[] = {
        {"confirmed", FG_INC_CONFIRMED},     {"Confirmed", FG_INC_CONFIRMED},
        {" confirmed-burning ", FG_INC_CONFIRMED},
        {"false_alarm", FG_INC_FALSE_ALARM}, {"false alarm", FG_INC_FALSE_ALARM},
        {"FALSE-ALARM", FG_INC_FALSE_ALARM}, {"industrial", FG_INC_INDUSTRIAL},
        {"out", FG_INC_OUT},                 {"already out", FG_INC_OUT},
        {"确认焚烧", FG_INC_CONFIRMED},      {"属实", FG_INC_CONFIRMED},
        {"误报", FG_INC_FALSE_ALARM},        {"不属实", FG_INC_FALSE_ALARM},
        {"工业热源", FG_INC_INDUSTRIAL},     {"已熄灭", FG_INC_OUT},
        {"", -1},                            {"burnt", -1},
        {"new", -1},                         {"ongoing", -1},
        {"误", -1},                          {"confirmed burning yes", -1},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int got = fg_feedback_result_parse(table[i].s);
        if (got != table[i].st)
            fail_msg("result '%s': got %d, want %d", table[i].s, got, table[i].st);
    }
}

static void times_without_zone_are_beijing_time_table(void **state)
{
    (void)state;
    static const struct { const char *s; const char *want_utc; } table[] = {
        {"2026-10-15T14:30", "2026-10-15T06:30:00Z"},       /* no zone: UTC+8 */
        {"2026-10-15 14:30:15", "2026-10-15T06:30:15Z"},
        {"2026/10/15 14:30", "2026-10-15T06:30:00Z"},       /* as Excel writes it */
        {"2026/1/5 9:05", "2026-01-05T01:05:00Z"},
        {"2026-10-16T02:10", "2026-10-15T18:10:00Z"},       /* Beijing day after UTC's */
        {"2026-10-15T06:30Z", "2026-10-15T06:30:00Z"},
        {"2026-10-15T06:30:00z", "2026-10-15T06:30:00Z"},
        {"2026-10-15T14:30+08:00", "2026-10-15T06:30:00Z"},
        {"2026-10-15T14:30+0800", "2026-10-15T06:30:00Z"},
        {"2026-10-15T14:30+08", "2026-10-15T06:30:00Z"},
        {"2026-10-15T01:30-05:00", "2026-10-15T06:30:00Z"},
        {" 2026-10-15T14:30 ", "2026-10-15T06:30:00Z"},
        {"2026-10-15", NULL},              /* a date alone */
        {"2026-13-01T10:00", NULL},
        {"2026-02-30T10:00", NULL},
        {"2026-10-15T25:00", NULL},
        {"2026-10-15T14:30+8", NULL},
        {"yesterday 14:30", NULL},
        {"", NULL},
        {"2026-10-15T14:30 UTC", NULL},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int64_t t = 0;
        int rc = fg_feedback_time_parse(table[i].s, &t);
        if (!table[i].want_utc) {
            if (rc == FG_OK)
                fail_msg("time '%s' should be refused", table[i].s);
            continue;
        }
        if (rc != FG_OK)
            fail_msg("time '%s' refused", table[i].s);
        if (t != utc(table[i].want_utc))
            fail_msg("time '%s': got %lld, want %s", table[i].s, (long long)t, table[i].want_utc);
    }
}

/* ------------------------------------------------------------ parsing CSV */

static void csv_with_bom_crlf_quoted_commas_and_line_breaks(void **state)
{
    (void)state;
    const char *text = "\xEF\xBB\xBF"
                       "officer , incident_id,time,result,comment\r\n"
                       "张三,F000000000001,2026-10-15 15:00,误报,\"烟囱, 不是秸秆\"\r\n"
                       "\"李四\",F000000000002,2026-10-15T07:10Z,confirmed,\"he said \"\"two\"\"\r\n"
                       "fields\"\r\n"
                       ",,,,\r\n"
                       "王五,F000000000003, 2026-10-15T16:00+08:00 ,out,\r\n";
    fg_feedback_row *rows = NULL;
    size_t n = 0;
    int bad = -1;
    skips sk = {0};
    fg_ctx ctx = {0};
    assert_int_equal(fg_feedback_parse("fb.csv", text, strlen(text), &rows, &n, &bad, on_skip, &sk,
                                       &ctx),
                     FG_OK);
    assert_int_equal(n, 3);
    assert_int_equal(bad, 0);
    assert_int_equal(sk.n, 0);
    assert_string_equal(rows[0].incident_id, "F000000000001");
    assert_int_equal(rows[0].status, FG_INC_FALSE_ALARM);
    assert_int_equal(rows[0].t, utc("2026-10-15T07:00:00Z"));
    assert_string_equal(rows[0].officer, "张三");
    assert_string_equal(rows[0].comment, "烟囱, 不是秸秆");
    assert_int_equal(rows[0].line, 2);
    assert_string_equal(rows[1].officer, "李四");
    assert_string_equal(rows[1].comment, "he said \"two\"\r\nfields");
    assert_int_equal(rows[1].status, FG_INC_CONFIRMED);
    assert_int_equal(rows[1].line, 3);
    assert_int_equal(rows[2].line, 6); /* counted past the line break inside quotes */
    assert_int_equal(rows[2].status, FG_INC_OUT);
    assert_int_equal(rows[2].t, utc("2026-10-15T08:00:00Z"));
    assert_string_equal(rows[2].comment, "");
    fg_free(rows);
}

static void chinese_header_and_gb18030_text_from_excel(void **state)
{
    (void)state;
    const char *utf8 = "编号,结果,时间,网格员,备注\n"
                       "F000000000001,工业热源,2026/10/15 15:00,赵六,砖厂\n";
    /* Chinese Excel saves "CSV" in GB18030/GBK: convert the UTF-8 text here. */
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    char gb[256], *ip = (char *)utf8, *op = gb;
    size_t il = strlen(utf8), ol = sizeof gb;
    assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
    iconv_close(cd);
    size_t gbn = sizeof gb - ol;
    assert_true(gbn != strlen(utf8)); /* really different bytes */

    for (int pass = 0; pass < 2; pass++) {
        const char *text = pass ? gb : utf8;
        size_t len = pass ? gbn : strlen(utf8);
        fg_feedback_row *rows = NULL;
        size_t n = 0;
        int bad = -1;
        fg_ctx ctx = {0};
        assert_int_equal(fg_feedback_parse("fb.csv", text, len, &rows, &n, &bad, NULL, NULL, &ctx),
                         FG_OK);
        assert_int_equal(n, 1);
        assert_int_equal(bad, 0);
        assert_int_equal(rows[0].status, FG_INC_INDUSTRIAL);
        assert_string_equal(rows[0].officer, "赵六");
        assert_string_equal(rows[0].comment, "砖厂");
        assert_int_equal(rows[0].t, utc("2026-10-15T07:00:00Z"));
        fg_free(rows);
    }
}

static void bad_rows_are_skipped_naming_file_and_line(void **state)
{
    (void)state;
    const char *text = "incident_id,result,time\n"
                       "F000000000001,maybe,2026-10-15T15:00\n"  /* 2: unknown result */
                       "F000000000001,误报,2026-10-15\n"         /* 3: date only */
                       ",误报,2026-10-15T15:00\n"                /* 4: no id */
                       "F000000000001,误报,2026-10-15T15:00\n"   /* 5: good */
                       "F000000000001,\"误报,2026-10-15T15:00\n"; /* 6: unterminated quote */
    fg_feedback_row *rows = NULL;
    size_t n = 0;
    int bad = -1;
    skips sk = {0};
    fg_ctx ctx = {0};
    assert_int_equal(fg_feedback_parse("dir/fb.csv", text, strlen(text), &rows, &n, &bad, on_skip,
                                       &sk, &ctx),
                     FG_OK);
    assert_int_equal(n, 5);
    assert_int_equal(bad, 4);
    assert_int_equal(sk.n, 4);
    static const struct { const char *what, *in_reason; } want[] = {
        {"dir/fb.csv:2", "unknown result 'maybe'"},
        {"dir/fb.csv:3", "bad time '2026-10-15'"},
        {"dir/fb.csv:4", "no incident id"},
        {"dir/fb.csv:6", "not closed"},
    };
    for (int i = 0; i < 4; i++) {
        assert_string_equal(sk.what[i], want[i].what);
        if (!strstr(sk.reason[i], want[i].in_reason))
            fail_msg("skip %d: '%s' lacks '%s'", i, sk.reason[i], want[i].in_reason);
    }
    assert_int_equal(rows[0].line, 5);
    fg_free(rows);
}

static void header_problems_fail_the_file(void **state)
{
    (void)state;
    static const char nul_text[] = "incident_id,result,time\nF1\0,x\n";
    static const struct { const char *text; size_t len; const char *in_msg; } table[] = {
        {"", 0, "empty"},
        {"\xEF\xBB\xBF\r\n\r\n", 7, "empty"},
        {"incident_id,result,officer\nF1,误报,x\n", 0, "time"},
        {"id,结果,time,编号\n", 0, "twice"},
        {"incident_id,result,time\n\xff\xfe\xff\n", 0, "GB18030"},
        {nul_text, sizeof nul_text - 1, "NUL"},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        fg_feedback_row sentinel_row;
        fg_feedback_row *rows = &sentinel_row; /* must stay untouched */
        size_t n = 77;
        int bad = 77;
        fg_ctx ctx = {0};
        size_t len = table[i].len ? table[i].len : strlen(table[i].text);
        int rc = fg_feedback_parse("h.csv", table[i].text, len, &rows, &n, &bad, NULL, NULL, &ctx);
        if (rc != FG_EFORMAT || !strstr(ctx.msg, table[i].in_msg) || !strstr(ctx.msg, "h.csv"))
            fail_msg("case %zu: rc %d msg '%s'", i, rc, ctx.msg);
        assert_ptr_equal(rows, &sentinel_row);
        assert_int_equal(n, 77);
        assert_int_equal(bad, 77);
    }
}

static void row_keys_match_only_identical_rows(void **state)
{
    (void)state;
    fg_feedback_row a = {.line = 2, .incident_id = "F000000000001", .status = FG_INC_FALSE_ALARM,
                         .t = 1792042800, .officer = "张三", .comment = "烟囱"};
    fg_feedback_row b = a;
    b.line = 9; /* the line is not part of the row's identity */
    char ka[160], kb[160];
    fg_feedback_row_key(&a, ka, sizeof ka);
    fg_feedback_row_key(&b, kb, sizeof kb);
    assert_string_equal(ka, kb);
    fg_feedback_row v[4] = {a, a, a, a};
    v[0].t += 60;
    v[1].status = FG_INC_OUT;
    snprintf(v[2].comment, sizeof v[2].comment, "烟囱 ");
    /* officer and comment are hashed with a separator: "张三"+"烟囱" != "张三烟"+"囱" */
    snprintf(v[3].officer, sizeof v[3].officer, "张三烟");
    snprintf(v[3].comment, sizeof v[3].comment, "囱");
    for (int i = 0; i < 4; i++) {
        fg_feedback_row_key(&v[i], kb, sizeof kb);
        if (strcmp(ka, kb) == 0)
            fail_msg("variant %d has the same key %s", i, kb);
    }
}

/* ------------------------------------------------------------ the ledger */

#define T_FIRST "2026-10-15T05:40:00Z" /* first seen: 13:40 Beijing */

static void make_incident(fg_incident *in, const char *id, double lat, double lon)
{
    memset(in, 0, sizeof *in);
    snprintf(in->id, sizeof in->id, "%s", id);
    in->first_seen = in->last_seen = utc(T_FIRST);
    in->lat = lat;
    in->lon = lon;
    in->radius_m = 300;
    in->n_hotspots = 1;
    in->source_kinds = FG_SRC_BIT_SATELLITE;
    snprintf(in->sources, sizeof in->sources, "VIIRS-I");
    in->peak_confidence = 80;
    in->peak_frp_mw = NAN;
    in->cls = FG_ALERT_STRAW;
    in->status = FG_INC_NEW;
    in->status_time = in->first_seen;
    snprintf(in->last_run, sizeof in->last_run, "R1");
}

/* A ledger at path with incidents F...1, F...2 (straw, new) and F...3 (on a registered
 * source). */
static void make_ledger(const char *path)
{
    unlink(path);
    fg_ledger *l = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_ledger_open(path, &l, &ctx), FG_OK);
    assert_int_equal(fg_ledger_begin(l, &ctx), FG_OK);
    fg_incident in;
    make_incident(&in, "F000000000001", 39.30, 111.50);
    assert_int_equal(fg_ledger_incident_put(l, &in, &ctx), FG_OK);
    make_incident(&in, "F000000000002", 39.40, 111.60);
    assert_int_equal(fg_ledger_incident_put(l, &in, &ctx), FG_OK);
    make_incident(&in, "F000000000003", 39.305, 111.59);
    in.cls = FG_ALERT_INDUSTRIAL;
    in.status = FG_INC_INDUSTRIAL;
    snprintf(in.static_id, sizeof in.static_id, "SS-0001");
    snprintf(in.static_name, sizeof in.static_name, "示例电厂");
    assert_int_equal(fg_ledger_incident_put(l, &in, &ctx), FG_OK);
    assert_int_equal(fg_ledger_commit(l, &ctx), FG_OK);
    fg_ledger_close(l);
}

static const fg_incident *by_id(const fg_incident *v, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].id, id) == 0)
            return &v[i];
    fail_msg("incident %s missing", id);
    return NULL;
}

static void read_incidents(const char *ledger, fg_incident **inc, size_t *n)
{
    fg_ledger *l = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_ledger_open(ledger, &l, &ctx), FG_OK);
    assert_int_equal(fg_ledger_incidents(l, inc, n, &ctx), FG_OK);
    fg_ledger_close(l);
}

static int apply_file(const char *ledger, const char *csv, fg_feedback_summary *s, skips *sk,
                      fg_ctx *ctx)
{
    fg_ledger *l = NULL;
    assert_int_equal(fg_ledger_open(ledger, &l, ctx), FG_OK);
    int rc = fg_feedback_apply(l, csv, s, on_skip, sk, ctx);
    fg_ledger_close(l);
    return rc;
}

static void feedback_updates_status_time_checked_at_and_class(void **state)
{
    (void)state;
    const char *led = TMP "/apply.gpkg", *csv = TMP "/apply.csv";
    make_ledger(led);
    write_text(csv, "incident_id,result,time,officer,comment\n"
                    "F000000000001,误报,2026-10-15 15:10,张三,\"地膜反光, 无火\"\n"
                    "F000000000002,industrial,2026-10-15T07:30Z,李四,砖厂\n"
                    "F000000000002,confirmed,2026-10-15T16:00+08:00,李四,\n"  /* later wins */
                    "F000000000003,confirmed,2026-10-15T16:00,王五,\n");
    fg_feedback_summary s;
    skips sk = {0};
    fg_ctx ctx = {0};
    assert_int_equal(apply_file(led, csv, &s, &sk, &ctx), FG_OK);
    assert_int_equal(s.rows, 4);
    assert_int_equal(s.applied, 4);
    assert_int_equal(s.skipped, 0);
    assert_int_equal(s.repeated, 0);
    fg_incident *inc = NULL;
    size_t n = 0;
    read_incidents(led, &inc, &n);
    assert_int_equal(n, 3);
    const fg_incident *a = by_id(inc, n, "F000000000001");
    assert_int_equal(a->status, FG_INC_FALSE_ALARM);
    assert_int_equal(a->status_time, utc("2026-10-15T07:10:00Z"));
    assert_int_equal(a->checked_at, utc("2026-10-15T07:10:00Z"));
    assert_int_equal(a->cls, FG_ALERT_STRAW);
    const fg_incident *b = by_id(inc, n, "F000000000002");
    assert_int_equal(b->status, FG_INC_CONFIRMED); /* 16:00 after industrial at 15:30 */
    assert_int_equal(b->status_time, utc("2026-10-15T08:00:00Z"));
    assert_int_equal(b->checked_at, utc("2026-10-15T07:30:00Z")); /* the first check */
    assert_int_equal(b->cls, FG_ALERT_STRAW);  /* industrial, then confirmed burning */
    const fg_incident *c = by_id(inc, n, "F000000000003");
    assert_int_equal(c->status, FG_INC_CONFIRMED);
    assert_int_equal(c->cls, FG_ALERT_INDUSTRIAL); /* a registry match stays */
    assert_string_equal(c->static_id, "SS-0001");
    fg_free(inc);

    /* An industrial report alone moves the incident to the county's industrial list. */
    write_text(csv, "incident_id,result,time\nF000000000001,工业热源,2026-10-16T09:00\n");
    assert_int_equal(apply_file(led, csv, &s, &sk, &ctx), FG_OK);
    assert_int_equal(s.applied, 1);
    read_incidents(led, &inc, &n);
    a = by_id(inc, n, "F000000000001");
    assert_int_equal(a->status, FG_INC_INDUSTRIAL);
    assert_int_equal(a->cls, FG_ALERT_INDUSTRIAL);
    assert_string_equal(a->static_id, FG_FEEDBACK_STATIC_ID);
    assert_non_null(strstr(a->static_name, "网格员反馈"));
    assert_int_equal(a->checked_at, utc("2026-10-15T07:10:00Z"));
    fg_free(inc);
}

static void unknown_incident_and_time_before_first_seen_are_skipped(void **state)
{
    (void)state;
    const char *led = TMP "/skip.gpkg", *csv = TMP "/skip.csv";
    make_ledger(led);
    write_text(csv, "incident_id,result,time\n"
                    "F0000000000FF,误报,2026-10-15 15:10\n"      /* 2: not in the ledger */
                    "F000000000001,误报,2026-10-15 13:00\n"      /* 3: before 13:40 Beijing */
                    "F000000000001,误报,2026-10-15T13:40:00Z\n"  /* 4: fine (UTC) */
                    "F000000000002,out,2026-10-15 13:40\n");     /* 5: same minute: fine */
    fg_feedback_summary s;
    skips sk = {0};
    fg_ctx ctx = {0};
    assert_int_equal(apply_file(led, csv, &s, &sk, &ctx), FG_OK);
    assert_int_equal(s.rows, 4);
    assert_int_equal(s.applied, 2);
    assert_int_equal(s.skipped, 2);
    assert_int_equal(sk.n, 2);
    assert_string_equal(sk.what[0], TMP "/skip.csv:2");
    assert_non_null(strstr(sk.reason[0], "unknown incident 'F0000000000FF'"));
    assert_string_equal(sk.what[1], TMP "/skip.csv:3");
    assert_non_null(strstr(sk.reason[1], "before"));
}

static void applying_the_same_file_twice_changes_nothing(void **state)
{
    (void)state;
    const char *led = TMP "/twice.gpkg", *csv = TMP "/twice.csv", *csv2 = TMP "/twice2.csv";
    make_ledger(led);
    write_text(csv, "incident_id,result,time,officer,comment\n"
                    "F000000000001,误报,2026-10-15 15:10,张三,无火\n"
                    "F000000000002,confirmed,2026-10-15 16:00,李四,\n"
                    "F000000000002,confirmed,2026-10-15 16:00,李四,\n"); /* a copy within the file */
    fg_feedback_summary s;
    skips sk = {0};
    fg_ctx ctx = {0};
    assert_int_equal(apply_file(led, csv, &s, &sk, &ctx), FG_OK);
    assert_int_equal(s.applied, 2);
    assert_int_equal(s.repeated, 1);
    fg_incident *before = NULL, *after = NULL;
    size_t nb = 0, na = 0, nbytes = 0;
    read_incidents(led, &before, &nb);
    unsigned char *bytes = slurp_bytes(led, &nbytes);

    assert_int_equal(apply_file(led, csv, &s, &sk, &ctx), FG_OK);
    assert_int_equal(s.rows, 3);
    assert_int_equal(s.applied, 0);
    assert_int_equal(s.repeated, 3);
    assert_int_equal(s.skipped, 0);
    /* The same rows in another file, in another order, are repeats too. */
    write_text(csv2, "\xEF\xBB\xBF" "comment,officer,time,result,incident_id\r\n"
                     ",李四,2026-10-15T08:00Z,CONFIRMED,F000000000002\r\n"
                     "无火,张三,2026-10-15T15:10+08:00,false alarm,F000000000001\r\n");
    assert_int_equal(apply_file(led, csv2, &s, &sk, &ctx), FG_OK);
    assert_int_equal(s.applied, 0);
    assert_int_equal(s.repeated, 2);
    read_incidents(led, &after, &na);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < nb; i++) {
        assert_string_equal(after[i].id, before[i].id);
        assert_int_equal(after[i].status, before[i].status);
        assert_int_equal(after[i].status_time, before[i].status_time);
        assert_int_equal(after[i].checked_at, before[i].checked_at);
        assert_int_equal(after[i].cls, before[i].cls);
        assert_string_equal(after[i].static_id, before[i].static_id);
    }
    assert_same_file(led, bytes, nbytes); /* not one byte written */
    free(bytes);
    fg_free(before);
    fg_free(after);
}

static void missing_file_changes_nothing(void **state)
{
    (void)state;
    const char *led = TMP "/missing.gpkg";
    make_ledger(led);
    size_t nbytes = 0;
    unsigned char *bytes = slurp_bytes(led, &nbytes);
    fg_feedback_summary s = {9, 9, 9, 9};
    skips sk = {0};
    fg_ctx ctx = {0};
    assert_int_equal(apply_file(led, TMP "/no-such.csv", &s, &sk, &ctx), FG_ENOTFOUND);
    assert_non_null(strstr(ctx.msg, "no-such.csv"));
    assert_int_equal(s.rows + s.applied + s.skipped + s.repeated, 0);
    assert_same_file(led, bytes, nbytes);
    free(bytes);
}

/* A full disk, simulated with the file-size limit (RLIMIT_FSIZE, which binds root too):
 * the limit is set to the ledger's present size, so the rows fit in SQLite's page cache
 * but the commit cannot grow the file (or its journal) and fails with EFBIG. The ledger
 * must come back byte for byte as it was, and no row may count as applied. SIGXFSZ,
 * whose default action would end the test, is ignored for the duration. */
static void a_write_failure_rolls_back_the_whole_file(void **state)
{
    (void)state;
    const char *led = TMP "/full.gpkg", *csv = TMP "/full.csv";
    make_ledger(led);
    /* 2000 distinct checks with long comments: far more than the file's free pages */
    FILE *fp = fopen(csv, "wb");
    assert_non_null(fp);
    fprintf(fp, "incident_id,result,time,officer,comment\n");
    for (int i = 0; i < 2000; i++)
        fprintf(fp, "F000000000001,误报,2026-10-%02d %02d:%02d,张三,\"%0400d\"\n", 16 + i / 1440,
                (i / 60) % 24, i % 60, i);
    assert_int_equal(fclose(fp), 0);

    size_t nbytes = 0;
    unsigned char *bytes = slurp_bytes(led, &nbytes);
    fg_ledger *l = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_ledger_open(led, &l, &ctx), FG_OK);

    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    void (*oldsig)(int) = signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = (rlim_t)nbytes;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    fg_feedback_summary s;
    skips sk = {0};
    int rc = fg_feedback_apply(l, csv, &s, on_skip, &sk, &ctx);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, oldsig);
    fg_ledger_close(l);

    assert_int_equal(rc, FG_EIO);
    /* the failure came late, at COMMIT, after all 2000 rows were written to the cache */
    assert_non_null(strstr(ctx.msg, "commit"));
    assert_non_null(strstr(ctx.msg, "full.csv"));
    assert_non_null(strstr(ctx.msg, "nothing applied"));
    assert_int_equal(s.rows, 2000);
    assert_int_equal(s.applied, 0);
    assert_same_file(led, bytes, nbytes);
    fg_incident *inc = NULL;
    size_t n = 0;
    read_incidents(led, &inc, &n);
    assert_int_equal(by_id(inc, n, "F000000000001")->status, FG_INC_NEW);
    assert_int_equal(by_id(inc, n, "F000000000001")->checked_at, 0);
    fg_free(inc);

    /* With room again the same file applies whole. */
    assert_int_equal(apply_file(led, csv, &s, &sk, &ctx), FG_OK);
    assert_int_equal(s.applied, 2000);
    free(bytes);
}

/* ------------------------------------------------------------------ CLI */

static void cli_exit_status_says_applied_partial_failed_or_usage(void **state)
{
    (void)state;
    const char *led = TMP "/cli.gpkg", *good = TMP "/cli_good.csv", *part = TMP "/cli_part.csv";
    make_ledger(led);
    write_text(good, "incident_id,result,time\nF000000000001,误报,2026-10-15 15:10\n");
    write_text(part, "incident_id,result,time\nF000000000002,误报,2026-10-15 15:10\n"
                     "F0000000000FF,误报,2026-10-15 15:10\n");
    char out[1024];
    snprintf(out, sizeof out, "%s/cli.out", TMP);
    assert_int_equal(sh("'%s' feedback -q --ledger '%s' '%s' >'%s'", FG_BINARY, led, good, out), 0);
    size_t n;
    unsigned char *txt = slurp_bytes(out, &n);
    txt = realloc(txt, n + 1);
    txt[n] = 0;
    assert_non_null(strstr((char *)txt, "1 row(s): 1 applied, 0 repeated"));
    free(txt);
    assert_int_equal(sh("'%s' feedback -q --ledger '%s' '%s' >/dev/null", FG_BINARY, led, good), 0);
    assert_int_equal(sh("'%s' feedback -q --ledger '%s' '%s' '%s' >/dev/null 2>&1", FG_BINARY, led,
                        good, part),
                     FG_EXIT_PARTIAL);
    assert_int_equal(sh("'%s' feedback -q --ledger '%s' '%s' >/dev/null 2>&1", FG_BINARY, led,
                        TMP "/no-such.csv"),
                     FG_EXIT_FAILED);
    assert_int_equal(sh("'%s' feedback -q --ledger '%s' '%s' >/dev/null 2>&1", FG_BINARY,
                        TMP "/no-ledger.gpkg", good),
                     FG_EXIT_FAILED);
    assert_int_equal(sh("'%s' feedback --ledger '%s' >/dev/null 2>&1", FG_BINARY, led),
                     FG_EXIT_USAGE);
    assert_int_equal(sh("'%s' feedback --bogus '%s' >/dev/null 2>&1", FG_BINARY, good),
                     FG_EXIT_USAGE);
    struct stat st;
    assert_int_not_equal(stat(TMP "/no-ledger.gpkg", &st), 0); /* not created */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(result_words_in_english_and_chinese_table),
        cmocka_unit_test(times_without_zone_are_beijing_time_table),
        cmocka_unit_test(csv_with_bom_crlf_quoted_commas_and_line_breaks),
        cmocka_unit_test(chinese_header_and_gb18030_text_from_excel),
        cmocka_unit_test(bad_rows_are_skipped_naming_file_and_line),
        cmocka_unit_test(header_problems_fail_the_file),
        cmocka_unit_test(row_keys_match_only_identical_rows),
        cmocka_unit_test(feedback_updates_status_time_checked_at_and_class),
        cmocka_unit_test(unknown_incident_and_time_before_first_seen_are_skipped),
        cmocka_unit_test(applying_the_same_file_twice_changes_nothing),
        cmocka_unit_test(missing_file_changes_nothing),
        cmocka_unit_test(a_write_failure_rolls_back_the_whole_file),
        cmocka_unit_test(cli_exit_status_says_applied_partial_failed_or_usage),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
