/* alert.c — stable alert ids and the one total order in which alerts are written. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>



/* A coordinate in units of 1e-5 degree (about 1 m), so that the id does not depend
 * on the last bits of a computation. Non-finite values map to one sentinel. */
static long long alert_e5(double deg)
{
    if (!isfinite(deg) || fabs(deg) > 1000)
        return LLONG_MIN;
    return llround(deg * 1e5);
}

/* The id hashes a canonical text of the identifying fields (not memory layout),
 * so it is the same on every platform and build. */
void fg_alert_make_id(fg_alert *a)
{
    if (!a)
        return;
    const fg_hotspot *h = &a->hs;
    char key[768];
    int len;
    if (h->kind == FG_SOURCE_CAMERA)
        len = snprintf(key, sizeof key, "C|%s|%" PRId64 "|%lld|%lld|box|%d|%d|%d|%d", h->sensor,
                       h->time_utc, alert_e5(h->lat), alert_e5(h->lon), h->ev_x, h->ev_y,
                       h->ev_w, h->ev_h);
    else
        len = snprintf(key, sizeof key, "S%d|%s|%" PRId64 "|%lld|%lld|px|%d|%d", (int)h->kind,
                       h->sensor, h->time_utc, alert_e5(h->lat), alert_e5(h->lon), h->ev_row,
                       h->ev_col);
    if (len < 0)
        len = 0;
    if ((size_t)len >= sizeof key)
        len = (int)sizeof key - 1;
    uint64_t x = fg_fnv1a64(FG_FNV64_OFFSET, key, (size_t)len);
    snprintf(a->id, sizeof a->id, "%c%016" PRIx64, h->kind == FG_SOURCE_CAMERA ? 'C' : 'S', x);
}

/* NaN sorts after every number; equal NaNs are equal. */
static int cmp_double(double x, double y)
{
    int nx = isnan(x), ny = isnan(y);
    if (nx || ny)
        return nx - ny;
    return x < y ? -1 : x > y;
}

static int cmp_int(long long x, long long y) { return x < y ? -1 : x > y; }

/* Time, source kind, sensor, latitude, longitude, id; then every remaining field
 * that can differ, so that no two distinguishable alerts compare equal and the
 * order never depends on the input order (qsort is not stable). */
static int cmp_alert(const void *pa, const void *pb)
{
    const fg_alert *a = pa, *b = pb;
    const fg_hotspot *x = &a->hs, *y = &b->hs;
    int c;
    if ((c = cmp_int(x->time_utc, y->time_utc)))
        return c;
    if ((c = cmp_int(x->kind, y->kind)))
        return c;
    if ((c = strcmp(x->sensor, y->sensor)))
        return c;
    if ((c = cmp_double(x->lat, y->lat)))
        return c;
    if ((c = cmp_double(x->lon, y->lon)))
        return c;
    if ((c = strcmp(a->id, b->id)))
        return c;
    if ((c = cmp_int(a->cls, b->cls)))
        return c;
    if ((c = strcmp(x->evidence, y->evidence)))
        return c;
    if ((c = cmp_int(x->ev_row, y->ev_row)) || (c = cmp_int(x->ev_col, y->ev_col)) ||
        (c = cmp_int(x->ev_x, y->ev_x)) || (c = cmp_int(x->ev_y, y->ev_y)) ||
        (c = cmp_int(x->ev_w, y->ev_w)) || (c = cmp_int(x->ev_h, y->ev_h)))
        return c;
    if ((c = cmp_int(x->confidence, y->confidence)) ||
        (c = cmp_double(x->frp_mw, y->frp_mw)) || (c = cmp_double(x->smoke_score, y->smoke_score)))
        return c;
    if ((c = strcmp(a->place.town_code, b->place.town_code)) ||
        (c = strcmp(a->place.vill_code, b->place.vill_code)) ||
        (c = strcmp(a->static_id, b->static_id)))
        return c;
    return 0;
}

void fg_alerts_sort(fg_alert *a, size_t n)
{
    if (a && n > 1)
        qsort(a, n, sizeof *a, cmp_alert);
}
