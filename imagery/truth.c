/* truth.c — the truth file of a synthetic run: every planted object with place and time. */
/* SPDX-License-Identifier: MIT */
#include "imagery/imagery.h"

#include <math.h>
#include <stdio.h>

int fg_truth_write(const char *path, const fg_truth *t, size_t n, fg_ctx *ctx)
{
    fg_tmpfile out;
    int rc = fg_tmpfile_open(&out, path, "w", ctx);
    if (rc != FG_OK)
        return rc;
    FILE *f = out.f;
    fprintf(f, "kind,source,t_start,t_end,lat,lon,radius_m,area_m2,temp_k,township_code,"
               "village_code\n");
    for (size_t i = 0; i < n; i++) {
        char a[24], b[24];
        fg_time_format(t[i].t_start, a);
        fg_time_format(t[i].t_end, b);
        char lat[32] = "", lon[32] = "";
        if (isfinite(t[i].lat) && isfinite(t[i].lon)) {
            snprintf(lat, sizeof lat, "%.6f", t[i].lat);
            snprintf(lon, sizeof lon, "%.6f", t[i].lon);
        }
        fprintf(f, "%s,%s,%s,%s,%s,%s,%.1f,%.1f,%.1f,%s,%s\n", t[i].kind, t[i].source, a, b, lat,
                lon, t[i].radius_m, t[i].area_m2, t[i].temp_k, t[i].township_code,
                t[i].village_code);
    }
    return fg_tmpfile_commit(&out, ctx);
}
