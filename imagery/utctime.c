/* utctime.c — UTC calendar arithmetic and ISO 8601 text, free of locale and TZ. */
/* SPDX-License-Identifier: MIT */
#include "imagery/imagery.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian calendar: 400-year eras of 146097 days,
 * years counted from March so that the leap day falls at the end. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : dm[m - 1];
}

int fg_time_from_civil(int y, int mo, int d, int h, int mi, int sec, int64_t *t_utc)
{
    if (y < 1900 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
        h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
        return FG_EINVAL;
    *t_utc = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    return FG_OK;
}

int fg_time_parse(const char *s, int64_t *t_utc)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    if (!s)
        return FG_EINVAL;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return FG_EINVAL;
    const char *p = s + n;
    if (*p == 'T' || *p == ' ') {
        int m2 = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m2) != 2)
            return FG_EINVAL;
        p += 1 + m2;
        if (*p == ':') {
            if (sscanf(p + 1, "%2d%n", &sec, &m2) != 1)
                return FG_EINVAL;
            p += 1 + m2;
            if (*p == '.') /* fractional seconds are dropped */
                for (p++; *p >= '0' && *p <= '9'; p++)
                    ;
        }
    }
    int tz = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int th, tm = 0;
        if (sscanf(p + 1, "%2d:%2d", &th, &tm) < 1)
            return FG_EINVAL;
        tz = (*p == '-' ? -1 : 1) * (th * 3600 + tm * 60);
        p += strlen(p);
    }
    if (*p != '\0')
        return FG_EINVAL;
    int64_t t;
    if (fg_time_from_civil(y, mo, d, h, mi, sec, &t) != FG_OK)
        return FG_EINVAL;
    *t_utc = t - tz;
    return FG_OK;
}

void fg_time_format(int64_t t, char out[24])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) {
        snprintf(out, 24, "invalid-time");
        return;
    }
    char buf[96];
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    snprintf(out, 24, "%.23s", buf);
}

