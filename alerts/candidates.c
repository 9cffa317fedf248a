/* candidates.c — persistent heat sources learned from the ledger: places hot on many days, or often reported not burning. */
/* SPDX-License-Identifier: MIT */
#include "alerts/candidates_int.h"
#include "alerts/feedback_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Why a place hot on 3 distinct days within 30 days (within 1 km) is a candidate.
 *
 *  - Straw is burned on a field once, at most twice a season (after the harvest, then
 *    the stubble or the piled residue), and under the ban each burn is a short event:
 *    on a field it shows on one or two days. Brick kilns, boiler houses, coking and
 *    coal-washing plants and flares are hot on most clear-sky overpasses, and the polar
 *    orbiters alone give 2–4 clear passes a day (MODIS on Terra and Aqua, VIIRS on
 *    S-NPP, NOAA-20 and NOAA-21), so a persistent source collects 3 distinct days in the
 *    first clear week. The README's VIIRS scenes show it: the recurring industrial sites
 *    are detected on every overpass where they are hot.
 *  - Such sources are the main false alarm of fire products in China: VIIRS 375 m has a
 *    daytime commission error of 0.03 % globally but 1.2 % in eastern China, from
 *    industrial rooftops, and ~40 % of its low-confidence daytime pixels there are false
 *    (Schroeder et al. 2014, Remote Sens. Environ. 143:85–96); NSMC's Himawari-8 China
 *    product raises overall accuracy from 54–59 % to 80–84 % with a database of fixed
 *    heat sources (Chen et al. 2023, Earth Syst. Sci. Data 15:1911). Learning that
 *    database from the county's own detections is what this file does.
 *  - 30 days: northern China's autumn has cloudy spells of a week or more; a month
 *    holds enough clear passes to see a source repeatedly, yet the harvest season
 *    (mid-September to November) is long enough that 3 unrelated burns in one 1 km spot
 *    would still be unusual. Days are Beijing calendar days, the officers' days.
 *  - 1 km: a fixed source is seen at the centres of the pixels that hold it, so its
 *    detections scatter by up to half a pixel diagonal: 0.27 km for VIIRS 375 m at
 *    nadir (0.56 km at the scan edge), 0.71 km for MODIS 1 km at nadir. 1 km gathers
 *    these, and stays below the 1–3 km of hot-spot grid supervision cells, so one
 *    candidate does not swallow a neighbouring village's fields.
 *  - A candidate is only proposed for the county to confirm; it never silences an alert.
 *    Three farmers burning adjacent fields on three days make a false candidate that
 *    costs a clerk one look; that is the cheaper error.
 *
 * Clustering is greedy and deterministic: hotspots in (time, alert id) order, each joins
 * the earliest-made cluster whose seed (its first hotspot) lies within radius_m, else it
 * seeds a new one. All of the ledger's hotspots are clustered, not only the window's, so
 * a cluster keeps its seed, and its id ("P" + 12 hex digits of a hash of the seed's alert
 * id), as the window slides.
 */

#define BEIJING_S (8 * 3600)
#define CAND_PI 3.14159265358979323846

static int64_t beijing_day(int64_t t)
{
    int64_t x = t + BEIJING_S;
    return x >= 0 ? x / 86400 : -((-x + 86399) / 86400);
}


static const fg_cand_point *g_pts; /* qsort has no user pointer in C11 */

static int cmp_point_idx(const void *a, const void *b)
{
    const fg_cand_point *x = &g_pts[*(const size_t *)a], *y = &g_pts[*(const size_t *)b];
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    int c = strcmp(x->alert_id, y->alert_id);
    if (c)
        return c;
    if (x->incident != y->incident)
        return x->incident < y->incident ? -1 : 1;
    return 0;
}

typedef struct day_rec {
    size_t cluster;
    int64_t day;
} day_rec;

static int cmp_day(const void *a, const void *b)
{
    const day_rec *x = a, *y = b;
    if (x->cluster != y->cluster)
        return x->cluster < y->cluster ? -1 : 1;
    return (x->day > y->day) - (x->day < y->day);
}

static int cmp_cand(const void *a, const void *b)
{
    const fg_candidate *x = a, *y = b;
    if (x->first_seen != y->first_seen)
        return x->first_seen < y->first_seen ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* Spatial hash of cluster seeds: cells of side cell_m in a local equirectangular
 * projection; each cell keeps a chain of its clusters. */
typedef struct seed_hash {
    int64_t *kx, *ky;  /* cell of the slot */
    size_t *head;      /* first cluster in the slot's chain; SIZE_MAX empty */
    size_t mask;
} seed_hash;

static size_t slot_of(const seed_hash *h, int64_t ix, int64_t iy)
{
    uint64_t k = (uint64_t)ix * 0x9E3779B97F4A7C15ull ^ (uint64_t)iy * 0xC2B2AE3D27D4EB4Full;
    size_t s = (size_t)(k ^ (k >> 29)) & h->mask;
    while (h->head[s] != SIZE_MAX && (h->kx[s] != ix || h->ky[s] != iy))
        s = (s + 1) & h->mask;
    return s;
}

typedef struct cluster {
    size_t seed;       /* point index */
    double lat, lon;   /* seed position */
    size_t next;       /* next cluster in the same hash cell */
    int registered;    /* holds a hotspot on a registered static source */
    double sum_lat, sum_lon;
    size_t nwin;
    int64_t first, last;
    int days_hot, days_false;
} cluster;

int fg_candidates_compute(const fg_incident *inc, size_t ninc, const fg_cand_point *pts,
                          size_t npts, const fg_cand_mark *marks, size_t nmarks, int64_t now,
                          int n_days, int m_days, double radius_m, fg_candidate **out,
                          size_t *n, fg_ctx *ctx)
{
    if (!out || !n || (npts && !pts) || (nmarks && !marks) || (ninc && !inc))
        return fg_ctx_set(ctx, FG_EINVAL, "candidates: bad arguments");
    if (n_days <= 0)
        n_days = FG_CAND_N_DAYS;
    if (m_days <= 0)
        m_days = FG_CAND_M_DAYS;
    if (!(radius_m > 0))
        radius_m = FG_CAND_RADIUS_M;
    const int64_t t_from = now - (int64_t)m_days * 86400; /* window (t_from, now] */

    size_t *order = fg_malloc((npts ? npts : 1) * sizeof *order);
    size_t *cl_of = fg_malloc((npts ? npts : 1) * sizeof *cl_of);
    size_t *inc_cl = fg_malloc((ninc ? ninc : 1) * sizeof *inc_cl);
    cluster *cl = fg_malloc((npts ? npts : 1) * sizeof *cl);
    seed_hash h = {0};
    size_t hsize = 16;
    while (hsize < 2 * npts + 16)
        hsize *= 2;
    h.mask = hsize - 1;
    h.kx = fg_malloc(hsize * sizeof *h.kx);
    h.ky = fg_malloc(hsize * sizeof *h.ky);
    h.head = fg_malloc(hsize * sizeof *h.head);
    day_rec *days = fg_malloc((npts + nmarks + 1) * sizeof *days);
    fg_candidate *res = NULL;
    int rc = FG_OK;
    if (!order || !cl_of || !inc_cl || !cl || !h.kx || !h.ky || !h.head || !days) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "candidates: out of memory");
        goto done;
    }
    for (size_t s = 0; s < hsize; s++)
        h.head[s] = SIZE_MAX;

    size_t np = 0;
    double lat0 = 0;
    for (size_t i = 0; i < npts; i++) {
        if (isnan(pts[i].lat) || isnan(pts[i].lon) || pts[i].incident >= ninc)
            continue;
        if (np == 0)
            lat0 = pts[i].lat;
        order[np++] = i;
    }
    g_pts = pts;
    qsort(order, np, sizeof *order, cmp_point_idx);
    g_pts = NULL;

    /* Cells 10 % larger than the radius: the local projection's scale error over a
     * county (< 1 %) cannot push a point within radius_m out of the 3×3 cells searched. */
    const double cell = radius_m * 1.1;
    const double mx = 111320.0 * cos(lat0 * CAND_PI / 180.0), my = 110574.0;
    size_t ncl = 0;
    for (size_t i = 0; i < ninc; i++)
        inc_cl[i] = SIZE_MAX;
    for (size_t k = 0; k < np; k++) {
        const fg_cand_point *p = &pts[order[k]];
        int64_t ix = (int64_t)floor(p->lon * mx / cell), iy = (int64_t)floor(p->lat * my / cell);
        size_t best = SIZE_MAX;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                size_t s = slot_of(&h, ix + dx, iy + dy);
                for (size_t c = h.head[s]; c != SIZE_MAX; c = cl[c].next)
                    if (c < best && fg_geo_distance(cl[c].lat, cl[c].lon, p->lat, p->lon) <= radius_m)
                        best = c;
            }
        if (best == SIZE_MAX) {
            best = ncl++;
            memset(&cl[best], 0, sizeof cl[best]);
            cl[best].seed = order[k];
            cl[best].lat = p->lat;
            cl[best].lon = p->lon;
            size_t s = slot_of(&h, ix, iy);
            h.kx[s] = ix;
            h.ky[s] = iy;
            /* chains are kept in creation order only for readability; the search takes
             * the smallest index, so the order does not matter for the result */
            cl[best].next = h.head[s];
            h.head[s] = best;
        }
        cl_of[order[k]] = best;
        if (inc_cl[p->incident] == SIZE_MAX)
            inc_cl[p->incident] = best; /* an incident's marks go to its first hotspot's place */
        const fg_incident *in = &inc[p->incident];
        if (in->cls == FG_ALERT_INDUSTRIAL && strcmp(in->static_id, FG_FEEDBACK_STATIC_ID) != 0)
            cl[best].registered = 1;
    }

    /* Distinct Beijing days in the window: hot days from hotspots, then false days from marks. */
    size_t nd = 0;
    for (size_t k = 0; k < np; k++) {
        const fg_cand_point *p = &pts[order[k]];
        if (p->t <= t_from || p->t > now)
            continue;
        cluster *c = &cl[cl_of[order[k]]];
        if (c->nwin == 0 || p->t < c->first)
            c->first = p->t;
        if (c->nwin == 0 || p->t > c->last)
            c->last = p->t;
        c->sum_lat += p->lat;
        c->sum_lon += p->lon;
        c->nwin++;
        days[nd].cluster = cl_of[order[k]];
        days[nd++].day = beijing_day(p->t);
    }
    qsort(days, nd, sizeof *days, cmp_day);
    for (size_t i = 0; i < nd; i++)
        if (i == 0 || cmp_day(&days[i], &days[i - 1]) != 0)
            cl[days[i].cluster].days_hot++;
    nd = 0;
    for (size_t i = 0; i < nmarks; i++) {
        if (marks[i].incident >= ninc || inc_cl[marks[i].incident] == SIZE_MAX ||
            marks[i].t <= t_from || marks[i].t > now)
            continue;
        days[nd].cluster = inc_cl[marks[i].incident];
        days[nd++].day = beijing_day(marks[i].t);
    }
    qsort(days, nd, sizeof *days, cmp_day);
    for (size_t i = 0; i < nd; i++)
        if (i == 0 || cmp_day(&days[i], &days[i - 1]) != 0)
            cl[days[i].cluster].days_false++;

    size_t nres = 0;
    for (size_t c = 0; c < ncl; c++)
        if (!cl[c].registered && (cl[c].days_hot >= n_days || cl[c].days_false >= n_days))
            nres++;
    if (nres) {
        res = fg_calloc(nres, sizeof *res);
        if (!res) {
            rc = fg_ctx_set(ctx, FG_ENOMEM, "candidates: out of memory");
            goto done;
        }
    }
    nres = 0;
    for (size_t c = 0; c < ncl; c++) {
        const cluster *k = &cl[c];
        if (k->registered || (k->days_hot < n_days && k->days_false < n_days))
            continue;
        fg_candidate *o = &res[nres++];
        const fg_cand_point *seed = &pts[k->seed];
        snprintf(o->id, sizeof o->id, "P%012llx",
                 (unsigned long long)(fg_fnv1a64(FG_FNV64_OFFSET, seed->alert_id, strlen(seed->alert_id)) & 0xFFFFFFFFFFFFull));
        o->lat = k->nwin ? k->sum_lat / (double)k->nwin : k->lat;
        o->lon = k->nwin ? k->sum_lon / (double)k->nwin : k->lon;
        o->days_hot = k->days_hot;
        o->days_false = k->days_false;
        o->first_seen = k->nwin ? k->first : seed->t;
        o->last_seen = k->nwin ? k->last : seed->t;
        o->place = inc[seed->incident].place;
    }
    if (nres)
        qsort(res, nres, sizeof *res, cmp_cand);
    *out = res;
    *n = nres;
    res = NULL;

done:
    fg_free(res);
    fg_free(order);
    fg_free(cl_of);
    fg_free(inc_cl);
    fg_free(cl);
    fg_free(h.kx);
    fg_free(h.ky);
    fg_free(h.head);
    fg_free(days);
    return rc;
}

int fg_candidates_find(fg_ledger *l, int64_t now, int n_days, int m_days, double radius_m,
                       fg_candidate **out, size_t *n, fg_ctx *ctx)
{
    if (!l || !out || !n)
        return fg_ctx_set(ctx, FG_EINVAL, "candidates: bad arguments");
    fg_incident *inc = NULL;
    size_t ninc = 0, npts = 0, cap = 0, nmarks = 0;
    fg_cand_point *pts = NULL;
    fg_cand_mark *marks = NULL;
    int rc = fg_ledger_incidents(l, &inc, &ninc, ctx);
    if (rc != FG_OK)
        return rc;
    marks = fg_malloc((ninc ? ninc : 1) * sizeof *marks);
    if (!marks) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "candidates: out of memory");
        goto done;
    }
    for (size_t i = 0; i < ninc; i++) {
        fg_alert *a = NULL;
        size_t na = 0;
        rc = fg_ledger_hotspots_of(l, inc[i].id, &a, &na, ctx);
        if (rc != FG_OK)
            goto done;
        size_t need = npts + (na ? na : 1);
        if (need > cap) {
            size_t nc = cap ? cap : 64;
            while (nc < need)
                nc *= 2;
            fg_cand_point *g = fg_realloc(pts, nc * sizeof *g);
            if (!g) {
                fg_free(a);
                rc = fg_ctx_set(ctx, FG_ENOMEM, "candidates: out of memory");
                goto done;
            }
            pts = g;
            cap = nc;
        }
        for (size_t j = 0; j < na; j++) {
            fg_cand_point *p = &pts[npts++];
            snprintf(p->alert_id, sizeof p->alert_id, "%s", a[j].id);
            p->t = a[j].hs.time_utc;
            p->lat = a[j].hs.lat;
            p->lon = a[j].hs.lon;
            p->incident = i;
        }
        if (na == 0) { /* an incident without stored hotspots still has a place and a time */
            fg_cand_point *p = &pts[npts++];
            snprintf(p->alert_id, sizeof p->alert_id, "%s", inc[i].id);
            p->t = inc[i].first_seen;
            p->lat = inc[i].lat;
            p->lon = inc[i].lon;
            p->incident = i;
        }
        fg_free(a);
        /* The officers' "not straw burning here". The ledger API gives the incident's
         * current status only, so an incident contributes the day of its latest such
         * feedback; the full status history would count each reported day. */
        int not_straw = inc[i].status == FG_INC_FALSE_ALARM ||
                        (inc[i].status == FG_INC_INDUSTRIAL &&
                         strcmp(inc[i].static_id, FG_FEEDBACK_STATIC_ID) == 0);
        if (not_straw) {
            marks[nmarks].incident = i;
            marks[nmarks++].t = inc[i].status_time;
        }
    }
    rc = fg_candidates_compute(inc, ninc, pts, npts, marks, nmarks, now, n_days, m_days, radius_m,
                               out, n, ctx);
done:
    fg_free(inc);
    fg_free(pts);
    fg_free(marks);
    return rc;
}
