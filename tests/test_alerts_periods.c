/* test_alerts_periods.c — key periods: parsing, defaults, tagging by Beijing date. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "alerts/alerts.h"

static int64_t utc(const char *iso)
{
    int64_t t = 0;
    assert_int_equal(fg_time_parse(iso, &t), FG_OK);
    return t;
}

static void period_text_table(void **state)
{
    (void)state;
    static const struct { const char *text; int ok; int year, m0, d0, m1, d1, bonfire; } table[] = {
        {"autumn,09-15,11-30", 1, 0, 9, 15, 11, 30, 0},
        {"sf, 2027-02-05 , 2027-02-20 ,bonfire", 1, 2027, 2, 5, 2, 20, 1},
        {"winter,12-20,01-10", 1, 0, 12, 20, 1, 10, 0},
        {"bad,13-01,12-01", 0, 0, 0, 0, 0, 0, 0},
        {"bad,02-30,03-01", 0, 0, 0, 0, 0, 0, 0},
        {"bad,2027-02-05,02-20", 0, 0, 0, 0, 0, 0, 0},
        {"bad,2027-02-20,2027-02-05", 0, 0, 0, 0, 0, 0, 0},
        {"bad,2027-02-05,2028-02-20", 0, 0, 0, 0, 0, 0, 0},
        {"bad,09-15,11-30,maybe", 0, 0, 0, 0, 0, 0, 0},
        {",09-15,11-30", 0, 0, 0, 0, 0, 0, 0},
        {"only-a-name", 0, 0, 0, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        fg_period p;
        fg_ctx c = {0};
        int rc = fg_period_parse(table[i].text, &p, &c);
        if (!table[i].ok) {
            assert_int_equal(rc, FG_EINVAL);
            assert_true(c.msg[0] != '\0');
            continue;
        }
        assert_int_equal(rc, FG_OK);
        assert_int_equal(p.year, table[i].year);
        assert_int_equal(p.m0 * 100 + p.d0, table[i].m0 * 100 + table[i].d0);
        assert_int_equal(p.m1 * 100 + p.d1, table[i].m1 * 100 + table[i].d1);
        assert_int_equal(p.bonfire, table[i].bonfire);
    }
}

static void default_periods_tag_by_beijing_date(void **state)
{
    (void)state;
    size_t n;
    const fg_period *p = fg_periods_default(&n);
    assert_true(n >= 4);
    /* 2026-02-17 is the Lunar New Year: 16:30 UTC on the 15th is 00:30 on the 16th in
     * Beijing, New Year's Eve, inside the Spring Festival; 15:30 UTC is still the 15th. */
    const fg_period *q = fg_period_at(p, n, utc("2026-02-15T16:30:00Z"));
    assert_non_null(q);
    assert_string_equal(q->name, "spring_festival");
    assert_int_equal(q->bonfire, 1);
    assert_null(fg_period_at(p, n, utc("2026-02-15T15:30:00Z")));
    /* Qingming wins over the spring-ploughing range that contains it. */
    assert_string_equal(fg_period_at(p, n, utc("2026-04-05T04:00:00Z"))->name, "qingming");
    assert_string_equal(fg_period_at(p, n, utc("2026-03-20T04:00:00Z"))->name,
                        "spring_ploughing");
    assert_string_equal(fg_period_at(p, n, utc("2026-10-15T05:40:00Z"))->name, "autumn_harvest");
    assert_null(fg_period_at(p, n, utc("2026-07-01T04:00:00Z")));
    /* A Spring Festival of another year does not match this year's dates. */
    assert_null(fg_period_at(p, n, utc("2031-02-10T04:00:00Z")));
}

static void a_yearly_range_may_wrap_the_new_year(void **state)
{
    (void)state;
    fg_period p;
    fg_ctx c = {0};
    assert_int_equal(fg_period_parse("winter,12-20,01-10", &p, &c), FG_OK);
    assert_non_null(fg_period_at(&p, 1, utc("2026-12-31T04:00:00Z")));
    assert_non_null(fg_period_at(&p, 1, utc("2027-01-05T04:00:00Z")));
    assert_null(fg_period_at(&p, 1, utc("2027-01-11T04:00:00Z")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(period_text_table),
        cmocka_unit_test(default_periods_tag_by_beijing_date),
        cmocka_unit_test(a_yearly_range_may_wrap_the_new_year),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
