/* grid_int.h — internals of the county's polygons shared inside fg_alerts: iterating villages, extent, grid cells. */
/* SPDX-License-Identifier: MIT */
/*
 * Not API: only files of alerts/ (and the firegrid CLI) include this. Include it
 * after alerts/alerts.h; it needs OGR's C API.
 */
#ifndef FG_GRID_INT_H
#define FG_GRID_INT_H

#include "alerts/alerts.h"

#include <ogr_api.h>

/* One village polygon of an open grid, in village-code order (ties in file order).
 * Every pointer is borrowed from the grid and valid until fg_grid_free(). geom is
 * in WGS84 (x = lon, y = lat) and must not be modified. */
typedef struct fg_grid_unit {
    OGRGeometryH geom;
    const char *town_code, *town_name;
    const char *vill_code, *vill_name;
    int code_year;
} fg_grid_unit;

/* Number of village polygons. */
size_t fg_grid_unit_count(const fg_grid *g);
/* The i-th polygon; FG_EINVAL when i is out of range. */
int fg_grid_unit_get(const fg_grid *g, size_t i, fg_grid_unit *out);
/* Envelope of all polygons (WGS84 degrees); FG_EINVAL for an empty grid. */
int fg_grid_bounds(const fg_grid *g, double *west, double *south, double *east, double *north);
/* EPSG code of the UTM zone of the grid's centre: the zone grid cells are laid in, so
 * fg_cell_id(lat, lon, size, fg_grid_cell_epsg(g), ...) names the cell fg_cells_write
 * wrote for the point. 0 for an empty grid. */
int fg_grid_cell_epsg(const fg_grid *g);

/* fg_cells_write, also counting the cells written per township: town_cells[i] (may be
 * NULL; fg_grid_township_count(g) entries) receives the cells attributed to the i-th
 * township of fg_grid_township(); *ncells (may be NULL) the total. */
int fg_cells_write_counted(const fg_grid *g, double size_m, const char *path,
                           const char *format, size_t *town_cells, size_t *ncells, fg_ctx *ctx);

#endif
