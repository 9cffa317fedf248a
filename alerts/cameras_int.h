/* cameras_int.h — internals of the camera runner that tests reach: two-camera triangulation of smoke hotspots. */
/* SPDX-License-Identifier: MIT */
#ifndef FG_CAMERAS_INT_H
#define FG_CAMERAS_INT_H

#include "alerts/alerts.h"

/* Joins hotspots of two different cameras (camof[i]: the camera of hs[i], never
 * NULL) seen within window_s seconds whose bearing rays meet inside both range
 * bands (25 % margin). Each joined hotspot takes the intersection, its range and a
 * range band shrunk to the triangulation's first-order uncertainty (sigma_deg[i]:
 * 1σ bearing error of hs[i]), and names the other camera in `partner`. Pairs
 * closest in time go first; each hotspot is joined once. Logs one "TRIANGULATED"
 * line per pair. Returns the number of hotspots joined, or FG_ENOMEM. */
int fg_cam_triangulate(fg_cam_hotspot *hs, const double *sigma_deg,
                       const fg_camera *const *camof, size_t n, double window_s,
                       void (*log)(void *user, const char *line), void *user);

#endif
