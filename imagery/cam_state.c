/* cam_state.c — per-camera smoke state files: an envelope (magic, version, last frame time, CRC-32) around fg_smoke_save's bytes. */
/* SPDX-License-Identifier: MIT */
/*
 * File layout, little-endian:
 *   0  "FGCS"            magic
 *   4  u32 version       FORMAT_VERSION
 *   8  i64 last_time     time of the last frame in the state (INT64_MIN = unknown)
 *  16  u32 width, height working frame size of the state (0 = unknown)
 *  24  u32 flags         bit 0: an alarm episode was open at the last frame
 *  28  u32 reserved      0
 *  32  u64 n             length of the detector's own serialisation
 *  40  n bytes           fg_smoke_save() output (it has its own magic/version/checksum)
 *  40+n u32 crc          CRC-32 (IEEE 802.3) of bytes 0 .. 40+n
 * A file that fails any check is reported with FG_EFORMAT naming it; the caller
 * starts afresh and the next save replaces it.
 */
#include "imagery/cam_state_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define FORMAT_VERSION 1u
#define HEAD 40
#define MAX_STATE_BYTES ((uint64_t)1 << 30)

/* CRC-32, reflected polynomial 0xEDB88320, bitwise: states are read once a run. */
static uint32_t crc32_bytes(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}


int fg_smoke_state_path(const char *dir, const char *camera_id, char *buf, size_t size)
{
    if (!dir || !camera_id || !camera_id[0] || !buf)
        return FG_EINVAL;
    /* Letters, digits and . _ - @ are kept; anything else (/, spaces, control
     * bytes, non-ASCII) becomes '_', and a leading '.' too, so an id can never
     * name a hidden file or climb out of the folder. A changed id gets a hash
     * suffix: "a/b" and "a_b" stay different files. */
    char name[160];
    size_t n = 0;
    int changed = 0;
    for (const char *s = camera_id; *s && n < 100; s++) {
        unsigned char ch = (unsigned char)*s;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '_' || ch == '-' || ch == '@' || (ch == '.' && n > 0);
        name[n++] = ok ? (char)ch : '_';
        changed |= !ok;
    }
    if (strlen(camera_id) > 100)
        changed = 1;
    name[n] = '\0';
    int k;
    if (changed)
        k = snprintf(buf, size, "%s/%s-%016llx.state", dir, name,
                     (unsigned long long)fg_fnv1a64(FG_FNV64_OFFSET, camera_id, strlen(camera_id)));
    else
        k = snprintf(buf, size, "%s/%s.state", dir, name);
    return k < 0 || (size_t)k >= size ? FG_EINVAL : FG_OK;
}

int fg_smoke_state_save_at(const char *dir, const char *camera_id, const fg_smoke *s,
                           const fg_state_info *info, fg_ctx *ctx)
{
    char path[4096];
    if (!s || fg_smoke_state_path(dir, camera_id, path, sizeof path) != FG_OK)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke state: missing folder, camera id or state");
    unsigned char *blob = NULL;
    size_t len = 0;
    int rc = fg_smoke_save(s, &blob, &len, ctx);
    if (rc != FG_OK)
        return fg_ctx_prefix(ctx, "%s", path);
    unsigned char *buf = fg_malloc(HEAD + len + 4);
    if (!buf) {
        fg_free(blob);
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    }
    memcpy(buf, "FGCS", 4);
    put_u32(buf + 4, FORMAT_VERSION);
    put_u64(buf + 8, (uint64_t)(info ? info->last_time : INT64_MIN));
    put_u32(buf + 16, info && info->width > 0 ? (uint32_t)info->width : 0);
    put_u32(buf + 20, info && info->height > 0 ? (uint32_t)info->height : 0);
    put_u32(buf + 24, info && info->in_alarm ? 1u : 0u);
    put_u32(buf + 28, 0);
    put_u64(buf + 32, (uint64_t)len);
    if (len)
        memcpy(buf + HEAD, blob, len);
    put_u32(buf + HEAD + len, crc32_bytes(buf, HEAD + len));
    fg_free(blob);
    rc = fg_mkdir_p(dir, ctx);
    if (rc == FG_OK)
        rc = fg_write_file(path, buf, HEAD + len + 4, ctx);
    fg_free(buf);
    return rc;
}

int fg_smoke_state_save(const char *dir, const char *camera_id, const fg_smoke *s, fg_ctx *ctx)
{
    return fg_smoke_state_save_at(dir, camera_id, s, NULL, ctx);
}

/* Reads the whole file; FG_ENOTFOUND when it does not exist. */
static int slurp(const char *path, unsigned char **out, size_t *len, fg_ctx *ctx)
{
    int rc = fg_read_file(path, MAX_STATE_BYTES, out, len, ctx);
    if (rc == FG_ELIMIT)
        rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: larger than any smoke state", path);
    return rc;
}

/* FG_OK when buf holds a whole envelope of this version (whole = length and CRC
 * checked too), else FG_EFORMAT naming path. */
static int check_envelope(const char *path, const unsigned char *buf, size_t len, int whole,
                          fg_ctx *ctx)
{
    int short_ = len < HEAD + (whole ? 4 : 0);
    if (short_ || memcmp(buf, "FGCS", 4) != 0)
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: not a firegrid smoke state (%s)", path,
                          short_ ? "too short" : "bad magic");
    if (get_u32(buf + 4) != FORMAT_VERSION)
        return fg_ctx_set(ctx, FG_EFORMAT,
                          "%s: smoke state file version %u, this firegrid reads %u", path,
                          get_u32(buf + 4), FORMAT_VERSION);
    if (!whole)
        return FG_OK;
    if (get_u64(buf + 32) != (uint64_t)(len - HEAD - 4))
        return fg_ctx_set(ctx, FG_EFORMAT,
                          "%s: truncated smoke state (%zu bytes, header says %llu)", path, len,
                          (unsigned long long)(get_u64(buf + 32) + HEAD + 4));
    if (crc32_bytes(buf, len - 4) != get_u32(buf + len - 4))
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: smoke state checksum mismatch (corrupt)", path);
    return FG_OK;
}

static void envelope_info(const unsigned char *buf, fg_state_info *info)
{
    info->last_time = (int64_t)get_u64(buf + 8);
    info->width = (int)get_u32(buf + 16);
    info->height = (int)get_u32(buf + 20);
    info->in_alarm = (int)(get_u32(buf + 24) & 1u);
}

int fg_smoke_state_info_read(const char *dir, const char *camera_id, fg_state_info *info,
                             fg_ctx *ctx)
{
    char path[4096];
    if (!info || fg_smoke_state_path(dir, camera_id, path, sizeof path) != FG_OK)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke state: missing folder, camera id or output");
    FILE *f = fopen(path, "rb");
    if (!f)
        return fg_ctx_set(ctx, errno == ENOENT ? FG_ENOTFOUND : FG_EIO, "%s: cannot open: %s",
                          path, strerror(errno));
    unsigned char head[HEAD];
    size_t n = fread(head, 1, HEAD, f);
    fclose(f);
    int rc = check_envelope(path, head, n, 0, ctx);
    if (rc == FG_OK)
        envelope_info(head, info);
    return rc;
}

int fg_smoke_state_load_at(const char *dir, const char *camera_id, const fg_smoke_params *p,
                           fg_smoke **out, fg_state_info *info, fg_ctx *ctx)
{
    char path[4096];
    if (!out || !p || fg_smoke_state_path(dir, camera_id, path, sizeof path) != FG_OK)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke state: missing folder, camera id or output");
    *out = NULL;
    if (info) {
        info->last_time = INT64_MIN;
        info->width = info->height = 0;
        info->in_alarm = 0;
    }
    unsigned char *buf = NULL;
    size_t len = 0;
    fg_ctx lctx = {0};
    int rc = slurp(path, &buf, &len, &lctx);
    if (rc == FG_ENOTFOUND)
        return FG_OK; /* no state yet: a first run */
    if (rc != FG_OK)
        return fg_ctx_set(ctx, rc, "%s", lctx.msg);
    rc = check_envelope(path, buf, len, 1, ctx);
    if (rc == FG_OK) {
        fg_smoke *s = NULL;
        rc = fg_smoke_load(p, buf + HEAD, len - HEAD - 4, &s, ctx);
        if (rc != FG_OK) {
            /* whatever the detector objects to, the file is unusable: rebuild */
            if (rc == FG_EINVAL) {
                rc = FG_EFORMAT;
                if (ctx)
                    ctx->code = rc;
            }
            fg_ctx_prefix(ctx, "%s", path);
        } else {
            *out = s;
            if (info)
                envelope_info(buf, info);
        }
    }
    fg_free(buf);
    return rc;
}

int fg_smoke_state_load(const char *dir, const char *camera_id, const fg_smoke_params *p,
                        fg_smoke **out, fg_ctx *ctx)
{
    return fg_smoke_state_load_at(dir, camera_id, p, out, NULL, ctx);
}
