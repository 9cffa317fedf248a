/* cam_mask.c — a camera's ignore polygons (WKT in full-resolution pixels) rasterised by GDAL onto the detector's block grid. */
/* SPDX-License-Identifier: MIT */
#include "imagery/imagery.h"

#include <string.h>

#include <cpl_error.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <ogr_api.h>

/* Sub-cells per block side: a block is "at least half covered" when at least
 * half of its SUB×SUB sub-cell centres fall inside the polygon. */
#define SUB 8

int fg_camera_block_mask(const fg_camera *cam, int work_w, int work_h, int block,
                         unsigned char **mask, fg_ctx *ctx)
{
    if (!cam || !mask || work_w <= 0 || work_h <= 0 || block <= 0)
        return fg_ctx_set(ctx, FG_EINVAL, "camera mask: missing camera or bad frame/block size");
    if (!cam->mask_wkt[0]) {
        *mask = NULL;
        return FG_OK;
    }
    if (cam->width <= 0 || cam->height <= 0)
        return fg_ctx_set(ctx, FG_EINVAL, "camera %s: no full-resolution frame size for its mask",
                          cam->id);
    int nbx = work_w / block, nby = work_h / block;
    if (nbx <= 0 || nby <= 0)
        return fg_ctx_set(ctx, FG_EINVAL, "camera %s: frame %dx%d smaller than one %d px block",
                          cam->id, work_w, work_h, block);

    char *p = (char *)cam->mask_wkt;
    OGRGeometryH g = NULL;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    OGRErr e = OGR_G_CreateFromWkt(&p, NULL, &g);
    CPLPopErrorHandler();
    if (e != OGRERR_NONE || !g)
        return fg_ctx_set(ctx, FG_EFORMAT, "camera %s: mask_wkt does not parse as WKT", cam->id);
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t != wkbPolygon && t != wkbMultiPolygon) {
        OGR_G_DestroyGeometry(g);
        return fg_ctx_set(ctx, FG_EFORMAT, "camera %s: mask_wkt is a %s, not a polygon", cam->id,
                          OGRGeometryTypeToName(t));
    }

    unsigned char *cells = fg_calloc((size_t)nbx * SUB * nby * SUB, 1);
    unsigned char *m = fg_calloc((size_t)nbx * nby, 1);
    if (!cells || !m) {
        OGR_G_DestroyGeometry(g);
        fg_free(cells);
        fg_free(m);
        return fg_ctx_set(ctx, FG_ENOMEM, "camera %s: out of memory for its mask", cam->id);
    }
    /* The MEM raster's "georeferencing" is full-resolution image pixels (x right,
     * y down): one sub-cell spans block·(full/work)/SUB full-resolution pixels. */
    double fx = (double)cam->width / work_w, fy = (double)cam->height / work_h;
    double gt[6] = {0, block * fx / SUB, 0, 0, 0, block * fy / SUB};
    int rc = FG_OK;
    GDALAllRegister();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDriverH drv = GDALGetDriverByName("MEM");
    GDALDatasetH ds = drv ? GDALCreate(drv, "", nbx * SUB, nby * SUB, 1, GDT_Byte, NULL) : NULL;
    if (!ds) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "camera %s: GDAL MEM raster for the mask: %s", cam->id,
                        CPLGetLastErrorMsg());
    } else {
        GDALSetGeoTransform(ds, gt);
        int band = 1;
        double burn = 1;
        if (GDALRasterizeGeometries(ds, 1, &band, 1, &g, NULL, NULL, &burn, NULL, NULL, NULL) !=
                CE_None ||
            GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, nbx * SUB, nby * SUB, cells,
                         nbx * SUB, nby * SUB, GDT_Byte, 0, 0) != CE_None)
            rc = fg_ctx_set(ctx, FG_EFORMAT, "camera %s: cannot rasterise mask_wkt: %s", cam->id,
                            CPLGetLastErrorMsg());
        GDALClose(ds);
    }
    CPLPopErrorHandler();
    OGR_G_DestroyGeometry(g);
    if (rc != FG_OK) {
        fg_free(cells);
        fg_free(m);
        return rc;
    }
    size_t row = (size_t)nbx * SUB;
    for (int by = 0; by < nby; by++)
        for (int bx = 0; bx < nbx; bx++) {
            int n = 0;
            for (int j = 0; j < SUB; j++) {
                const unsigned char *c = cells + ((size_t)by * SUB + j) * row + (size_t)bx * SUB;
                for (int i = 0; i < SUB; i++)
                    n += c[i] != 0;
            }
            m[(size_t)by * nbx + bx] = 2 * n >= SUB * SUB;
        }
    fg_free(cells);
    *mask = m;
    return FG_OK;
}
