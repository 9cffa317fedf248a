/* sensor_int.h — internal: the sensor-profile parser, exposed for tests and scene.c. */
/* SPDX-License-Identifier: MIT */
#ifndef FG_SENSOR_INT_H
#define FG_SENSOR_INT_H

#include "imagery/imagery.h"

/* Parses one profile text (models/sensors/README format) of len bytes; fname names it
 * in messages. FG_EFORMAT with the file and line for any malformed line, unknown or
 * repeated key, bad value or missing required key; *out unchanged on failure. */
int fg_sensor_parse(const char *data, size_t len, const char *fname, fg_sensor_def *out,
                    fg_ctx *ctx);

/* A generic thermal profile chosen by pixel size (km): < 0.5 VIIRS 375 m, < 1.5 MODIS
 * 1 km, else geostationary 2 km; no band map, no scaling. */
void fg_sensor_generic(double pixel_km, fg_sensor_def *out);

#endif
