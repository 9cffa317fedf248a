/* cam_state_int.h — camera smoke state files with the time of the last frame they hold (used by the camera runner). */
/* SPDX-License-Identifier: MIT */
#ifndef FG_CAM_STATE_INT_H
#define FG_CAM_STATE_INT_H

#include "imagery/imagery.h"

/* What the runner knows about a state and the detector does not expose: the time
 * of the last frame pushed into it (INT64_MIN = unknown), so that a later run can
 * skip the frames it already holds, the working frame size (0 = unknown) and
 * whether an alarm episode was open. */
typedef struct fg_state_info {
    int64_t last_time;
    int width, height;
    int in_alarm; /* the last frame was in an alarm episode (no new hotspot until it ends) */
} fg_state_info;

/* As fg_smoke_state_save / fg_smoke_state_load, with that information (info may be
 * NULL on load). */
int fg_smoke_state_save_at(const char *dir, const char *camera_id, const fg_smoke *s,
                           const fg_state_info *info, fg_ctx *ctx);
int fg_smoke_state_load_at(const char *dir, const char *camera_id, const fg_smoke_params *p,
                           fg_smoke **out, fg_state_info *info, fg_ctx *ctx);
/* Reads only the envelope of a state file. FG_ENOTFOUND when there is none,
 * FG_EFORMAT naming the file when it is not a state of this version. */
int fg_smoke_state_info_read(const char *dir, const char *camera_id, fg_state_info *info,
                             fg_ctx *ctx);
/* "<dir>/<sanitised id>.state" into buf; FG_EINVAL when it does not fit. */
int fg_smoke_state_path(const char *dir, const char *camera_id, char *buf, size_t size);

#endif
