/* incidents.c — merging hotspots of every satellite and camera into incidents, footprint-aware in space and gap-limited in time. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A hotspot is a footprint, not a point: a MODIS pixel is ~1 km at nadir (growing to
 * ~2 × 4.8 km at the scan edge, Wolfe et al. 2002, RSE 83:31), a VIIRS I-band pixel 375 m
 * (Schroeder et al. 2014, RSE 143:85), an FY-4A AGRI / Himawari AHI MIR pixel 2 km at the
 * sub-satellite point and ~3–4 km at 40° N. The fire lies somewhere inside the pixel, so
 * two detections of one fire can be up to the sum of their half-diagonals apart; the
 * merge test adds those radii and a slack for geolocation error (VIIRS ~ 0.1–0.2 km,
 * MODIS ~ 0.05–0.1 pixel; geostationary navigation up to a pixel) and for the spread of
 * the fire front between passes. A camera hotspot's uncertainty is along its bearing
 * ray: its range band.
 */

/* A camera's ground position is never better than the width of a detector block at
 * range; 150 m is the floor the header documents. */
#define CAM_MIN_RADIUS_M 150.0
/* A satellite hotspot without a pixel size: taken as a 1 km (MODIS-class) pixel. */
#define SAT_DEFAULT_RADIUS_M 707.0

const char *fg_incident_status_name(fg_incident_status s, const char *lang)
{
    static const char *const en[] = {"new", "ongoing", "confirmed", "false_alarm", "industrial",
                                     "out"};
    static const char *const zh[] = {"新发现", "持续", "确认焚烧", "误报", "工业热源", "已熄灭"};
    int english = lang && strcmp(lang, "en") == 0;
    if ((int)s < FG_INC_NEW || (int)s > FG_INC_OUT)
        return english ? "unknown" : "未知";
    return english ? en[s] : zh[s];
}

void fg_merge_params_default(fg_merge_params *p)
{
    /* 500 m: VIIRS/MODIS geolocation error plus a field's width of fire-front spread
     * between passes. 36 h: a field that smoulders overnight and flares the next
     * afternoon (straw burning peaks 12–18 h local time) continues, while the same
     * field burnt again a week later is a new incident. */
    p->slack_m = 500.0;
    p->max_gap_s = 36 * 3600;
}

double fg_hotspot_radius_m(const fg_hotspot *h)
{
    if (h->kind == FG_SOURCE_CAMERA) {
        double r = 0.5 * ((double)h->range_max_m - (double)h->range_min_m);
        return isfinite(r) && r > CAM_MIN_RADIUS_M ? r : CAM_MIN_RADIUS_M;
    }
    /* half the pixel diagonal */
    double r = 500.0 * hypot((double)h->scan_km, (double)h->track_km);
    return isfinite(r) && r > 0 ? r : SAT_DEFAULT_RADIUS_M;
}


static void inc_make_id(const char *alert_id, char out[24])
{
    uint64_t h = fg_fnv1a64(FG_FNV64_OFFSET, alert_id, strlen(alert_id));
    snprintf(out, 24, "F%012" PRIx64, h & UINT64_C(0xffffffffffff));
}

static int inc_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Adds name to the sorted comma-separated set; leaves the set as it is when the name is
 * already there or the set would not fit. Commas in a name become ';'. */
static void inc_sources_add(char *set, size_t size, const char *name)
{
    char nm[64];
    snprintf(nm, sizeof nm, "%s", name);
    for (char *p = nm; *p; p++)
        if (*p == ',')
            *p = ';';
    if (!nm[0])
        return;
    char buf[160];
    snprintf(buf, sizeof buf, "%s", set);
    const char *items[40];
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t && n < 39; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, nm) == 0)
            return;
        items[n++] = t;
    }
    items[n++] = nm;
    qsort(items, n, sizeof items[0], inc_cmp_str);
    char out[160];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(items[i]);
        if (k + len + (i ? 1 : 0) + 1 > sizeof out || k + len + 2 > size)
            return; /* full: the set stays as it was */
        if (i)
            out[k++] = ',';
        memcpy(out + k, items[i], len);
        k += len;
    }
    out[k] = '\0';
    snprintf(set, size, "%s", out);
}

static unsigned inc_kind_bit(const fg_hotspot *h)
{
    return h->kind == FG_SOURCE_CAMERA ? FG_SRC_BIT_CAMERA : FG_SRC_BIT_SATELLITE;
}

static void inc_start(fg_incident *x, const fg_alert *a)
{
    const fg_hotspot *h = &a->hs;
    memset(x, 0, sizeof *x);
    inc_make_id(a->id, x->id);
    x->first_seen = x->last_seen = h->time_utc;
    x->lat = h->lat;
    x->lon = h->lon;
    x->radius_m = fg_hotspot_radius_m(h);
    x->n_hotspots = 1;
    x->source_kinds = inc_kind_bit(h);
    inc_sources_add(x->sources, sizeof x->sources, h->sensor);
    x->peak_confidence = h->confidence;
    x->peak_frp_mw = isfinite(h->frp_mw) ? h->frp_mw : NAN;
    x->place = a->place;
    x->cls = a->cls;
    snprintf(x->static_id, sizeof x->static_id, "%s", a->static_id);
    snprintf(x->static_name, sizeof x->static_name, "%s", a->static_name);
    x->status = a->cls == FG_ALERT_INDUSTRIAL ? FG_INC_INDUSTRIAL : FG_INC_NEW;
    x->status_time = h->time_utc;
}

static void inc_join(fg_incident *x, const fg_alert *a)
{
    const fg_hotspot *h = &a->hs;
    if (h->time_utc < x->first_seen)
        x->first_seen = h->time_utc;
    if (h->time_utc > x->last_seen)
        x->last_seen = h->time_utc;
    x->n_hotspots++;
    x->source_kinds |= inc_kind_bit(h);
    inc_sources_add(x->sources, sizeof x->sources, h->sensor);
    if (h->confidence > x->peak_confidence)
        x->peak_confidence = h->confidence;
    if (isfinite(h->frp_mw) && (!isfinite(x->peak_frp_mw) || h->frp_mw > x->peak_frp_mw))
        x->peak_frp_mw = h->frp_mw;
    /* the position, footprint and place follow the most precise hotspot; a tie keeps the
     * earlier one, so the position does not wander between equal pixels */
    double r = fg_hotspot_radius_m(h);
    if (!(x->radius_m <= r)) {
        x->lat = h->lat;
        x->lon = h->lon;
        x->radius_m = r;
        x->place = a->place;
    }
}

/* May alert a join incident x? Only hotspots of the same class: a straw fire beside a
 * power plant must not vanish into the plant's industrial incident, nor two static
 * sources share one. */
static int inc_compatible(const fg_incident *x, const fg_alert *a)
{
    if (x->cls != a->cls)
        return 0;
    return a->cls != FG_ALERT_INDUSTRIAL || strcmp(x->static_id, a->static_id) == 0;
}

int fg_incidents_merge(fg_incident **inc, size_t *n, const fg_alert *alerts, size_t nalerts,
                       const fg_merge_params *p, char (*incident_of)[24], fg_ctx *ctx)
{
    if (!inc || !n || (!alerts && nalerts))
        return fg_ctx_set(ctx, FG_EINVAL, "incidents: missing arguments");
    fg_merge_params dp;
    if (!p) {
        fg_merge_params_default(&dp);
        p = &dp;
    }
    /* grow once, so that on failure nothing has changed */
    size_t need = *n + nalerts;
    fg_incident *v = *inc;
    if (nalerts) {
        v = fg_realloc(*inc, need * sizeof *v);
        if (!v)
            return fg_ctx_set(ctx, FG_ENOMEM, "incidents: out of memory merging %zu hotspot(s)",
                              nalerts);
        *inc = v;
    }
    size_t cnt = *n;
    for (size_t i = 0; i < nalerts; i++) {
        const fg_alert *a = &alerts[i];
        const fg_hotspot *h = &a->hs;
        double r = fg_hotspot_radius_m(h);
        size_t best = SIZE_MAX;
        double bestd = INFINITY;
        for (size_t k = 0; k < cnt; k++) {
            const fg_incident *x = &v[k];
            if (!inc_compatible(x, a))
                continue;
            if (h->time_utc - x->last_seen > p->max_gap_s ||
                x->first_seen - h->time_utc > p->max_gap_s)
                continue;
            double d = fg_geo_distance(x->lat, x->lon, h->lat, h->lon);
            double reach = (isfinite(x->radius_m) ? x->radius_m : 0) + r + p->slack_m;
            if (!(d <= reach))
                continue;
            if (d < bestd || (d == bestd && best != SIZE_MAX && strcmp(x->id, v[best].id) < 0)) {
                best = k;
                bestd = d;
            }
        }
        if (best == SIZE_MAX) {
            best = cnt++;
            inc_start(&v[best], a);
        } else {
            inc_join(&v[best], a);
        }
        if (incident_of)
            snprintf(incident_of[i], 24, "%s", v[best].id);
    }
    *n = cnt;
    return FG_OK;
}
