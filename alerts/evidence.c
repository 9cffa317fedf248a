/* evidence.c — evidence images of an incident's hotspots: satellite chips with the fire pixels outlined, camera frames with the smoke box. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* File names are "<incident>_<alert>_<kind>.jpg" under out_dir/evidence/: one set per
 * hotspot, so an incident's images grow as hotspots join it and an existing file is
 * never replaced by a different one. Ids are [A-Za-z0-9] only (fg_alert_make_id and
 * the incident hash), so names need no escaping. */

static int ev_id_ok(const char *id)
{
    if (!id || !id[0] || strlen(id) > 32)
        return 0;
    for (const char *p = id; *p; p++) {
        char c = *p;
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

static int ev_mkdir(const char *path, fg_ctx *ctx)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot create the folder: %s", path, strerror(errno));
    return FG_OK;
}

static int ev_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

static void put_px(fg_raster *img, int x, int y, const unsigned char rgb[3])
{
    if (x < 0 || y < 0 || x >= img->width || y >= img->height)
        return;
    unsigned char *p = (unsigned char *)img->data + (size_t)y * img->stride + (size_t)x * 3;
    p[0] = rgb[0];
    p[1] = rgb[1];
    p[2] = rgb[2];
}

/* Outline of the rectangle [x0, x1) × [y0, y1), `t` pixels thick, drawn on the inside when
 * inside = 1, else just outside it. */
static void draw_rect(fg_raster *img, int x0, int y0, int x1, int y1, int t, int inside,
                      const unsigned char rgb[3])
{
    if (!inside) {
        x0 -= t;
        y0 -= t;
        x1 += t;
        y1 += t;
    }
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            if (x < x0 + t || x >= x1 - t || y < y0 + t || y >= y1 - t)
                put_px(img, x, y, rgb);
}

/* ------------------------------------------------------------- satellite */

/* Brightness-temperature palette: grey from BT_LOW to BT_MID K (the range of clear
 * land at 4 µm by day and night in autumn), then red, yellow and white up to BT_HIGH
 * K, where only fire pixels go: a few percent of a pixel burning at ~1000 K lifts the
 * 4 µm BT by tens of kelvin over the background (Giglio et al. 2003, Remote Sens.
 * Environ. 87, 273–282, fig. 1; Planck mixing as fg_planck_mixed_bt). Background
 * texture stays readable and fire stands out in colour. */
static void heat_rgb(float bt, unsigned char out[3])
{
    if (!(bt == bt)) { /* NaN: no data */
        out[0] = 0;
        out[1] = 0;
        out[2] = 80;
        return;
    }
    if (bt < FG_EVIDENCE_BT_MID_K) {
        double v = (bt - FG_EVIDENCE_BT_LOW_K) / (FG_EVIDENCE_BT_MID_K - FG_EVIDENCE_BT_LOW_K);
        if (v < 0)
            v = 0;
        out[0] = out[1] = out[2] = (unsigned char)lround(30.0 + 170.0 * v);
        return;
    }
    double v = (bt - FG_EVIDENCE_BT_MID_K) / (FG_EVIDENCE_BT_HIGH_K - FG_EVIDENCE_BT_MID_K);
    if (v > 1)
        v = 1;
    double r = 0.6 + v * 1.2, g = v * 2.0 - 0.4, b = v * 3.0 - 2.0;
    out[0] = (unsigned char)lround(255.0 * (r > 1 ? 1 : r));
    out[1] = (unsigned char)lround(255.0 * (g < 0 ? 0 : g > 1 ? 1 : g));
    out[2] = (unsigned char)lround(255.0 * (b < 0 ? 0 : b > 1 ? 1 : b));
}

/* Reflectance 0..FG_EVIDENCE_REF_MAX to 0..255 with a square-root stretch (dark
 * fields lifted, flaming SWIR2 saturating), as in the SWIR2-NIR-red composites used
 * to show active fire and burn scars (Schroeder et al. 2016, Remote Sens. Environ.
 * 185, 210–220, fig. 1). */
static unsigned char ref_byte(float r)
{
    if (!(r == r))
        return 40;
    double v = r / FG_EVIDENCE_REF_MAX;
    if (v < 0)
        v = 0;
    if (v > 1)
        v = 1;
    return (unsigned char)lround(255.0 * sqrt(v));
}

static float band_at(const fg_raster *b, int row, int col)
{
    if (!b || row < 0 || col < 0 || row >= b->height || col >= b->width)
        return NAN;
    return FG_F32_AT(b, row, col);
}

static int sat_chip(const char *path, const fg_alert *hs, size_t nhs, size_t k, int force,
                    fg_ctx *ctx)
{
    if (!force && ev_exists(path))
        return FG_OK;
    const fg_hotspot *h = &hs[k].hs;
    if (h->ev_row < 0 || h->ev_col < 0)
        return fg_ctx_set(ctx, FG_EINVAL, "hotspot %s: no pixel position in the scene",
                          hs[k].id);
    fg_scene *s = NULL;
    int rc = fg_scene_open(h->evidence, NULL, &s, ctx);
    if (rc != FG_OK)
        return rc;
    const int n = FG_EVIDENCE_CHIP, z = FG_EVIDENCE_ZOOM;
    fg_raster img = {0};
    rc = fg_raster_alloc(&img, n * z, n * z, 3, FG_PIX_U8, 0, ctx);
    if (rc != FG_OK) {
        fg_scene_free(s);
        return rc;
    }
    const int r0 = h->ev_row - n / 2, c0 = h->ev_col - n / 2;
    int swir = fg_scene_is_swir(s);
    const fg_raster *b2 = fg_scene_band(s, FG_ROLE_SWIR2_REF);
    const fg_raster *bn = fg_scene_band(s, FG_ROLE_NIR_REF);
    const fg_raster *br = fg_scene_band(s, FG_ROLE_RED_REF);
    if (!br)
        br = fg_scene_band(s, FG_ROLE_GREEN_REF);
    const fg_raster *mir = fg_scene_mir(s);
    if (swir && !(b2 && bn))
        swir = 0;
    for (int y = 0; y < n; y++) {
        for (int x = 0; x < n; x++) {
            int row = r0 + y, col = c0 + x;
            unsigned char rgb[3];
            const fg_raster *any = swir ? b2 : mir;
            if (!any || row < 0 || col < 0 || row >= any->height || col >= any->width) {
                rgb[0] = rgb[1] = rgb[2] = 24; /* outside the scene */
            } else if (swir) {
                rgb[0] = ref_byte(band_at(b2, row, col));
                rgb[1] = ref_byte(band_at(bn, row, col));
                rgb[2] = br ? ref_byte(band_at(br, row, col)) : rgb[1];
            } else {
                heat_rgb(band_at(mir, row, col), rgb);
            }
            for (int yy = 0; yy < z; yy++)
                for (int xx = 0; xx < z; xx++)
                    put_px(&img, x * z + xx, y * z + yy, rgb);
        }
    }
    /* Every fire pixel of this incident in the same scene, outlined just outside its
     * zoomed block so the pixel's own colour stays visible. */
    static const unsigned char ring[3] = {FG_EVIDENCE_OUTLINE_R, FG_EVIDENCE_OUTLINE_G,
                                          FG_EVIDENCE_OUTLINE_B};
    for (size_t i = 0; i < nhs; i++) {
        const fg_hotspot *o = &hs[i].hs;
        if (o->kind != FG_SOURCE_SATELLITE || strcmp(o->evidence, h->evidence) != 0)
            continue;
        int y = o->ev_row - r0, x = o->ev_col - c0;
        if (x < 0 || y < 0 || x >= n || y >= n)
            continue;
        draw_rect(&img, x * z, y * z, x * z + z, y * z + z, FG_EVIDENCE_RING_PX, 0, ring);
    }
    fg_scene_free(s);
    rc = fg_jpeg_write(path, &img, FG_EVIDENCE_QUALITY, ctx);
    fg_raster_release(&img);
    return rc;
}

/* ---------------------------------------------------------------- camera */

static int cam_decode(fg_jpeg_decoder *d, const char *path, fg_raster *img, int *scale,
                      fg_ctx *ctx)
{
    int fw = 0, fh = 0;
    *scale = 1;
    int rc = fg_jpeg_decode_file(d, path, 1, 0, img, &fw, &fh, ctx);
    if (rc == FG_OK && fw > FG_EVIDENCE_CAM_MAX_W) {
        fg_raster_release(img);
        *scale = 2;
        rc = fg_jpeg_decode_file(d, path, 2, 0, img, &fw, &fh, ctx);
    }
    return rc;
}

static int cam_frame(const char *path, const char *frame, const fg_hotspot *h, int thick,
                     const unsigned char col[3], int force, fg_ctx *ctx)
{
    if (!force && ev_exists(path))
        return FG_OK;
    fg_jpeg_decoder *d = NULL;
    int rc = fg_jpeg_decoder_new(&d, ctx);
    if (rc != FG_OK)
        return rc;
    fg_raster img = {0};
    int scale = 1;
    rc = cam_decode(d, frame, &img, &scale, ctx);
    fg_jpeg_decoder_free(d);
    if (rc != FG_OK)
        return rc;
    if (h->ev_w > 0 && h->ev_h > 0) {
        int x0 = h->ev_x / scale, y0 = h->ev_y / scale;
        int x1 = (h->ev_x + h->ev_w) / scale, y1 = (h->ev_y + h->ev_h) / scale;
        draw_rect(&img, x0, y0, x1, y1, thick, 1, col);
    }
    rc = fg_jpeg_write(path, &img, FG_EVIDENCE_QUALITY, ctx);
    fg_raster_release(&img);
    return rc;
}

/* The frame listed just before `frame` in its folder (time order), or "" when it is
 * the first or the folder cannot be listed. */
static void frame_before(const char *frame, char *out, size_t outsize)
{
    out[0] = '\0';
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", frame);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    const char *base = strrchr(frame, '/');
    base = base ? base + 1 : frame;
    fg_frame_entry *fl = NULL;
    size_t n = 0;
    fg_ctx c = {0};
    if (fg_frame_list(dir, &fl, &n, NULL, NULL, &c) != FG_OK)
        return;
    for (size_t i = 1; i < n; i++) {
        const char *b = strrchr(fl[i].path, '/');
        b = b ? b + 1 : fl[i].path;
        if (strcmp(b, base) == 0) {
            snprintf(out, outsize, "%s", fl[i - 1].path);
            break;
        }
    }
    fg_frame_list_free(fl, n);
}

int fg_evidence_write(const char *out_dir, const char *incident_id, const fg_alert *hs,
                      size_t nhs, size_t k, int force, fg_evidence *ev, fg_ctx *ctx)
{
    memset(ev, 0, sizeof *ev);
    if (!out_dir || !hs || k >= nhs || !ev_id_ok(incident_id) || !ev_id_ok(hs[k].id))
        return fg_ctx_set(ctx, FG_EINVAL, "evidence: bad incident or hotspot id");
    char dir[1100], path[1300];
    snprintf(dir, sizeof dir, "%s/evidence", out_dir);
    int rc = ev_mkdir(out_dir, ctx);
    if (rc == FG_OK)
        rc = ev_mkdir(dir, ctx);
    if (rc != FG_OK)
        return rc;
    const fg_hotspot *h = &hs[k].hs;
    if (!h->evidence[0])
        return fg_ctx_set(ctx, FG_ENOTFOUND, "hotspot %s: no evidence path", hs[k].id);
    if (h->kind == FG_SOURCE_SATELLITE) {
        snprintf(ev->sat, sizeof ev->sat, "evidence/%s_%s_sat.jpg", incident_id, hs[k].id);
        snprintf(path, sizeof path, "%s/%s", out_dir, ev->sat);
        rc = sat_chip(path, hs, nhs, k, force, ctx);
        if (rc != FG_OK) {
            ev->sat[0] = '\0';
            return rc;
        }
        ev->chip_row0 = h->ev_row - FG_EVIDENCE_CHIP / 2;
        ev->chip_col0 = h->ev_col - FG_EVIDENCE_CHIP / 2;
        return FG_OK;
    }
    static const unsigned char red[3] = {FG_EVIDENCE_BOX_R, FG_EVIDENCE_BOX_G, FG_EVIDENCE_BOX_B};
    static const unsigned char yel[3] = {255, 220, 0};
    snprintf(ev->cam, sizeof ev->cam, "evidence/%s_%s_cam.jpg", incident_id, hs[k].id);
    snprintf(path, sizeof path, "%s/%s", out_dir, ev->cam);
    rc = cam_frame(path, h->evidence, h, FG_EVIDENCE_BOX_PX, red, force, ctx);
    if (rc != FG_OK) {
        ev->cam[0] = '\0';
        return rc;
    }
    /* The frame before, with the alarm's box thin in yellow: where to look. */
    char prev[1100];
    frame_before(h->evidence, prev, sizeof prev);
    if (prev[0]) {
        snprintf(ev->cam_before, sizeof ev->cam_before, "evidence/%s_%s_cam_before.jpg",
                 incident_id, hs[k].id);
        snprintf(path, sizeof path, "%s/%s", out_dir, ev->cam_before);
        fg_ctx c2 = {0};
        if (cam_frame(path, prev, h, 2, yel, force, &c2) != FG_OK)
            ev->cam_before[0] = '\0'; /* the comparison frame is optional */
    }
    return FG_OK;
}
