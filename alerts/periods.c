/* periods.c — key periods of the Blue-Sky plan (harvest, ploughing, Qingming, Spring Festival) and tagging by date. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Beijing time is UTC+8 all year (no daylight saving since 1991). */
#define BEIJING_OFFSET_S (8 * 3600)

/* Checked first to last: a Spring Festival of a given year before the yearly ranges,
 * Qingming before the wider spring-ploughing range that contains it.
 * Spring Festival: from New Year's Eve (除夕) to the Lantern Festival (元宵, the 15th
 * day of the first lunar month), when the plan's ban on bonfires (旺火) applies.
 * Lunar New Year dates from the published Chinese calendar: 2025-01-29, 2026-02-17,
 * 2027-02-06, 2028-01-26, 2029-02-13, 2030-02-03. Autumn harvest and spring
 * ploughing ranges are those of northern Shanxi's farming calendar (maize harvest late
 * September to October, fields cleared until snowfall; ploughing March–April);
 * Qingming falls on 4 or 5 April and tomb-sweeping fires burn around it. */
static const fg_period defaults[] = {
    {"spring_festival", 2025, 1, 28, 2, 12, 1},
    {"spring_festival", 2026, 2, 16, 3, 3, 1},
    {"spring_festival", 2027, 2, 5, 2, 20, 1},
    {"spring_festival", 2028, 1, 25, 2, 9, 1},
    {"spring_festival", 2029, 2, 12, 2, 27, 1},
    {"spring_festival", 2030, 2, 2, 2, 17, 1},
    {"qingming", 0, 4, 1, 4, 8, 0},
    {"spring_ploughing", 0, 3, 1, 4, 30, 0},
    {"autumn_harvest", 0, 9, 15, 11, 30, 0},
};

const fg_period *fg_periods_default(size_t *n)
{
    *n = sizeof defaults / sizeof defaults[0];
    return defaults;
}

static int valid_md(int m, int d)
{
    static const int dm[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m >= 1 && m <= 12 && d >= 1 && d <= dm[m - 1];
}

/* "MM-DD" or "YYYY-MM-DD". */
static int parse_date(const char *s, int *y, int *m, int *d)
{
    int n = 0;
    *y = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", y, m, d, &n) == 3 && s[n] == '\0' && n == 10)
        return valid_md(*m, *d) ? FG_OK : FG_EINVAL;
    *y = 0;
    if (sscanf(s, "%2d-%2d%n", m, d, &n) == 2 && s[n] == '\0' && n == 5)
        return valid_md(*m, *d) ? FG_OK : FG_EINVAL;
    return FG_EINVAL;
}

int fg_period_parse(const char *text, fg_period *p, fg_ctx *ctx)
{
    char buf[128];
    if (!text || snprintf(buf, sizeof buf, "%s", text) >= (int)sizeof buf)
        return fg_ctx_set(ctx, FG_EINVAL, "period text too long");
    char *field[5] = {0};
    int nf = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && nf < 5;
         t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        char *e = t + strlen(t);
        while (e > t && e[-1] == ' ')
            *--e = '\0';
        field[nf++] = t;
    }
    if (nf < 3 || nf > 4)
        return fg_ctx_set(ctx, FG_EINVAL, "expected name,start,end[,bonfire]");
    fg_period q;
    memset(&q, 0, sizeof q);
    if (!field[0][0] || strlen(field[0]) >= sizeof q.name)
        return fg_ctx_set(ctx, FG_EINVAL, "period name empty or longer than %zu bytes",
                          sizeof q.name - 1);
    snprintf(q.name, sizeof q.name, "%s", field[0]);
    int y0, y1;
    if (parse_date(field[1], &y0, &q.m0, &q.d0) != FG_OK ||
        parse_date(field[2], &y1, &q.m1, &q.d1) != FG_OK)
        return fg_ctx_set(ctx, FG_EINVAL, "dates must be MM-DD or YYYY-MM-DD");
    if ((y0 == 0) != (y1 == 0) || (y0 && y0 != y1))
        return fg_ctx_set(ctx, FG_EINVAL, "start and end must both carry the same year or none");
    if (y0 && (q.m1 * 100 + q.d1 < q.m0 * 100 + q.d0))
        return fg_ctx_set(ctx, FG_EINVAL, "end before start");
    q.year = y0;
    if (nf == 4) {
        if (strcmp(field[3], "bonfire") != 0)
            return fg_ctx_set(ctx, FG_EINVAL, "fourth field must be 'bonfire'");
        q.bonfire = 1;
    }
    *p = q;
    return FG_OK;
}

const fg_period *fg_period_at(const fg_period *p, size_t n, int64_t t_utc)
{
    time_t t = (time_t)(t_utc + BEIJING_OFFSET_S);
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return NULL;
    int y = tm.tm_year + 1900, md = (tm.tm_mon + 1) * 100 + tm.tm_mday;
    for (size_t i = 0; i < n; i++) {
        int a = p[i].m0 * 100 + p[i].d0, b = p[i].m1 * 100 + p[i].d1;
        if (p[i].year && p[i].year != y)
            continue;
        /* A yearly range may wrap the new year (e.g. 12-20 to 01-10). */
        int in = a <= b ? (md >= a && md <= b) : (md >= a || md <= b);
        if (in)
            return &p[i];
    }
    return NULL;
}
