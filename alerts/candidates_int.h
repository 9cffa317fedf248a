/* candidates_int.h — internals of the persistent heat-source search (alerts/candidates.c), shared with its tests. */
/* SPDX-License-Identifier: MIT */
#ifndef FG_CANDIDATES_INT_H
#define FG_CANDIDATES_INT_H

#include "alerts/alerts.h"

/* Defaults of fg_candidates_find for arguments <= 0 (justified in candidates.c). */
#define FG_CAND_N_DAYS 3
#define FG_CAND_M_DAYS 30
#define FG_CAND_RADIUS_M 1000.0

/* One hotspot position, with the incident (index into the incident array) it belongs to. */
typedef struct fg_cand_point {
    char alert_id[24]; /* orders points of the same second, and names the cluster */
    int64_t t;
    double lat, lon;
    size_t incident;
} fg_cand_point;

/* One officer's "not straw burning here" (false alarm, or industrial source) on an incident. */
typedef struct fg_cand_mark {
    size_t incident;
    int64_t t;
} fg_cand_mark;

/* The search on plain arrays (fg_candidates_find reads them from the ledger).
 * Points with NaN positions are ignored. *out (fg_free; NULL when none) is sorted by
 * first_seen then id. FG_OK, FG_EINVAL or FG_ENOMEM; on failure outputs are unchanged. */
int fg_candidates_compute(const fg_incident *inc, size_t ninc, const fg_cand_point *pts,
                          size_t npts, const fg_cand_mark *marks, size_t nmarks, int64_t now,
                          int n_days, int m_days, double radius_m, fg_candidate **out,
                          size_t *n, fg_ctx *ctx);

#endif
