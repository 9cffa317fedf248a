/* truth.c — the truth file of a synthetic run: every planted object with place and time. */
/* SPDX-License-Identifier: MIT */
#include "imagery/imagery.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

int fg_truth_write(const char *path, const fg_truth *t, size_t n, fg_ctx *ctx)
{
    char tmp[4096];
    if (fg_tmp_path(path, tmp, sizeof tmp) != FG_OK)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: path too long", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot create: %s", path, strerror(errno));
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
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        remove(tmp);
        return fg_ctx_set(ctx, FG_EIO, "%s: write failed", path);
    }
    return fg_commit_tmp(tmp, path, ctx);
}
