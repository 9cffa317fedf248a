/* test_imagery_frame.c — frame names and EXIF to times, sorted listings, and TurboJPEG decoding of good and hostile files. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <turbojpeg.h>
#include <unistd.h>

#include <gdal.h>

#include "imagery/imagery.h"

#define DIR_ FG_TEST_TMPDIR

static void fresh_dir(const char *path)
{
    mkdir(DIR_, 0777);
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        char p[1024];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", path, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    mkdir(path, 0777);
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* A w×h test card encoded with TurboJPEG, chroma subsampled as subsamp
 * (TJSAMP_*): left half red, right half grey. */
static unsigned char *encode_card_as(int w, int h, unsigned long *len, int subsamp)
{
    unsigned char *rgb = malloc((size_t)w * h * 3);
    assert_non_null(rgb);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            unsigned char *p = rgb + 3 * ((size_t)y * w + x);
            if (x < w / 2)
                p[0] = 220, p[1] = 30, p[2] = 30;
            else
                p[0] = p[1] = p[2] = 128;
        }
    tjhandle tj = tjInitCompress();
    assert_non_null(tj);
    unsigned char *jpg = NULL;
    *len = 0;
    assert_int_equal(tjCompress2(tj, rgb, w, w * 3, h, TJPF_RGB, &jpg, len, subsamp, 90, 0), 0);
    tjDestroy(tj);
    free(rgb);
    return jpg;
}

static unsigned char *encode_card(int w, int h, unsigned long *len)
{
    return encode_card_as(w, h, len, TJSAMP_420);
}

/* ------------------------------------------------------------ names */

static void frame_time_parsing_table(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int rc;
        int64_t t;
    } cases[] = {
        {"1569440002_-02400.jpg", FG_OK, 1569440002},     /* HPWREN / FIgLib */
        {"1569440002.jpg", FG_OK, 1569440002},
        {"cam/frames/1569440002_+00600.jpg", FG_OK, 1569440002},
        {"20131201_071500.jpg", FG_OK, 1385882100},
        {"20131201T071500.jpg", FG_OK, 1385882100},
        {"2026-10-15T06:30:00Z.jpg", FG_OK, 1792045800},
        {"2026-10-15T06-30-00.jpg", FG_OK, 1792045800},
        {"20240229_235959.jpg", FG_OK, 1709251199},      /* leap day */
        {"garbage.jpg", FG_EFORMAT, 0},
        {"", FG_EFORMAT, 0},
        {"snapshot_1569440002.jpg", FG_EFORMAT, 0},      /* time must lead */
        {"156944000.jpg", FG_EFORMAT, 0},                /* 9 digits */
        {"15694400021.jpg", FG_EFORMAT, 0},              /* 11 digits */
        {"0000000001.jpg", FG_EFORMAT, 0},               /* before 2001: not a camera */
        {"20131301_071500.jpg", FG_EFORMAT, 0},          /* month 13 */
        {"20230229_120000.jpg", FG_EFORMAT, 0},          /* not a leap year */
        {"20131201_246000.jpg", FG_EFORMAT, 0},          /* hour 24 */
        {"20131201_075960.jpg", FG_EFORMAT, 0},          /* second 60 */
        {"2026-13-15T06:30:00Z.jpg", FG_EFORMAT, 0},
        {"2026-10-15T06:30-00Z.jpg", FG_EFORMAT, 0},     /* mixed separators */
        {"201312010_71500.jpg", FG_EFORMAT, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t t = -7;
        int rc = fg_frame_time_from_name(cases[i].name, &t);
        if (rc != cases[i].rc)
            fail_msg("'%s': rc %d, expected %d", cases[i].name, rc, cases[i].rc);
        if (rc == FG_OK)
            assert_int_equal(t, cases[i].t);
        else
            assert_int_equal(t, -7); /* untouched on failure */
    }
}

/* ------------------------------------------------------------ listing */

typedef struct skips {
    int n;
    char last[512];
    char reason[256];
} skips;

static void on_skip(void *user, const char *path, const char *reason)
{
    skips *s = user;
    s->n++;
    snprintf(s->last, sizeof s->last, "%s", path);
    snprintf(s->reason, sizeof s->reason, "%s", reason);
}

static void listing_is_sorted_and_unparseable_names_are_skipped(void **state)
{
    (void)state;
    const char *dir = DIR_ "/list";
    fresh_dir(dir);
    const char *names[] = {"1569440120_b.jpg", "1569440120.jpg", "1569440002_-02400.JPG",
                           "20190925_193400.jpeg", "snapshot.jpg", "notes.txt", ".partial.jpg"};
    char p[1024];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        write_bytes(p, "x", 1);
    }
    fg_frame_entry *list = NULL;
    size_t n = 0;
    skips sk = {0};
    fg_ctx ctx = {0};
    assert_int_equal(fg_frame_list(dir, &list, &n, on_skip, &sk, &ctx), FG_OK);
    assert_int_equal(n, 4);
    const char *want[] = {"1569440002_-02400.JPG", "20190925_193400.jpeg", "1569440120.jpg",
                          "1569440120_b.jpg"};
    const int64_t want_t[] = {1569440002, 1569440040, 1569440120, 1569440120};
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, want[i]);
        assert_string_equal(list[i].path, p);
        assert_int_equal(list[i].time_utc, want_t[i]);
    }
    assert_int_equal(sk.n, 1);
    assert_non_null(strstr(sk.last, "snapshot.jpg"));
    assert_true(strlen(sk.reason) > 0);
    fg_frame_list_free(list, n);
    fg_frame_list_free(NULL, 0);
}

static void listing_a_missing_folder_is_not_found(void **state)
{
    (void)state;
    fg_frame_entry sentinel, *list = &sentinel;
    size_t n = 99;
    fg_ctx ctx = {0};
    assert_int_equal(fg_frame_list(DIR_ "/no_such_folder", &list, &n, NULL, NULL, &ctx),
                     FG_ENOTFOUND);
    assert_ptr_equal(list, &sentinel);
    assert_int_equal(n, 99);
    assert_non_null(strstr(ctx.msg, "no_such_folder"));
}


/* ------------------------------------------------------------ EXIF */

/* Writes a 64×48 grey JPEG through GDAL's JPEG driver, which puts EXIF_* metadata
 * items of the source into an APP1 EXIF segment (WRITE_EXIF_METADATA, GDAL ≥ 2.3).
 * exif NULL: no EXIF at all. */
static void write_exif_jpeg(const char *path, const char *exif)
{
    GDALAllRegister();
    GDALDatasetH mem = GDALCreate(GDALGetDriverByName("MEM"), "", 64, 48, 3, GDT_Byte, NULL);
    assert_non_null(mem);
    for (int b = 1; b <= 3; b++)
        assert_int_equal(GDALFillRaster(GDALGetRasterBand(mem, b), 100 + 20 * b, 0), CE_None);
    if (exif)
        assert_int_equal(GDALSetMetadataItem(mem, "EXIF_DateTimeOriginal", exif, NULL), CE_None);
    GDALDatasetH out =
        GDALCreateCopy(GDALGetDriverByName("JPEG"), path, mem, FALSE, NULL, NULL, NULL);
    assert_non_null(out);
    GDALClose(out);
    GDALClose(mem);
    char aux[1100];
    snprintf(aux, sizeof aux, "%s.aux.xml", path); /* GDAL's side-car, if it wrote one */
    unlink(aux);
}

static void exif_date_time_original_gives_the_time_when_the_name_has_none(void **state)
{
    (void)state;
    const char *dir = DIR_ "/exif";
    fresh_dir(dir);
    /* camera clock in local time; offset_s is the camera's UTC offset */
    static const struct {
        const char *exif;
        int offset_s;
        int rc;
        int64_t t;
    } cases[] = {
        {"2026:10:15 16:30:00", 8 * 3600, FG_OK, 1792053000},  /* Beijing 16:30 = 08:30Z */
        {"2026:10:15 08:30:00", 0, FG_OK, 1792053000},
        {"2026:10:15 03:30:00", -5 * 3600, FG_OK, 1792053000},
        {"2024:02:29 23:59:59", 0, FG_OK, 1709251199},         /* leap day */
        {"0000:00:00 00:00:00", 8 * 3600, FG_EFORMAT, 0},      /* clock never set */
        {"2026:13:15 16:30:00", 8 * 3600, FG_EFORMAT, 0},      /* month 13 */
        {"2026-10-15 16:30:00", 8 * 3600, FG_EFORMAT, 0},      /* not the EXIF form */
        {"yesterday", 8 * 3600, FG_EFORMAT, 0},
        {NULL, 8 * 3600, FG_EFORMAT, 0},                       /* no EXIF */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/snapshot_%zu.jpg", dir, i);
        write_exif_jpeg(path, cases[i].exif);
        int64_t t = -7;
        int rc = fg_frame_time(path, cases[i].offset_s, &t);
        if (rc != cases[i].rc)
            fail_msg("EXIF '%s': rc %d, expected %d", cases[i].exif ? cases[i].exif : "(none)",
                     rc, cases[i].rc);
        assert_int_equal(t, rc == FG_OK ? cases[i].t : -7);
    }
}

static void a_time_in_the_name_wins_over_exif(void **state)
{
    (void)state;
    const char *dir = DIR_ "/exifname";
    fresh_dir(dir);
    char path[1024];
    snprintf(path, sizeof path, "%s/20131201_071500.jpg", dir);
    write_exif_jpeg(path, "2026:10:15 16:30:00");
    int64_t t = 0;
    assert_int_equal(fg_frame_time(path, 8 * 3600, &t), FG_OK);
    assert_int_equal(t, 1385882100);
}

static void exif_is_not_read_from_a_png_named_jpg(void **state)
{
    (void)state;
    const char *dir = DIR_ "/exifpng";
    fresh_dir(dir);
    char path[1024];
    snprintf(path, sizeof path, "%s/camera.jpg", dir);
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0};
    write_bytes(path, png, sizeof png);
    int64_t t = -7;
    assert_int_equal(fg_frame_time(path, 8 * 3600, &t), FG_EFORMAT);
    assert_int_equal(t, -7);
    snprintf(path, sizeof path, "%s/empty.jpg", dir);
    write_bytes(path, "", 0);
    assert_int_equal(fg_frame_time(path, 8 * 3600, &t), FG_EFORMAT);
    assert_int_equal(fg_frame_time(DIR_ "/exifpng/missing.jpg", 0, &t), FG_EFORMAT);
    assert_int_equal(fg_frame_time(NULL, 0, &t), FG_EINVAL);
}

static void listing_orders_exif_frames_by_their_time_and_names_the_timeless(void **state)
{
    (void)state;
    const char *dir = DIR_ "/exiflist";
    fresh_dir(dir);
    char p[1024];
    snprintf(p, sizeof p, "%s/b_later.jpg", dir);
    write_exif_jpeg(p, "2019:09:26 03:35:00"); /* 2019-09-25T19:35:00Z */
    snprintf(p, sizeof p, "%s/a_later_still.jpg", dir);
    write_exif_jpeg(p, "2019:09:26 03:40:00");
    snprintf(p, sizeof p, "%s/1569440002.jpg", dir); /* 2019-09-25T19:33:22Z */
    write_exif_jpeg(p, NULL);
    snprintf(p, sizeof p, "%s/no_time.jpg", dir);
    write_exif_jpeg(p, NULL);
    fg_frame_entry *list = NULL;
    size_t n = 0;
    skips sk = {0};
    fg_ctx ctx = {0};
    assert_int_equal(fg_frame_list(dir, &list, &n, on_skip, &sk, &ctx), FG_OK);
    assert_int_equal(n, 3);
    assert_non_null(strstr(list[0].path, "1569440002.jpg"));
    assert_non_null(strstr(list[1].path, "b_later.jpg"));
    assert_int_equal(list[1].time_utc, 1569440100);
    assert_non_null(strstr(list[2].path, "a_later_still.jpg"));
    assert_int_equal(list[2].time_utc, 1569440400);
    assert_int_equal(sk.n, 1);
    assert_non_null(strstr(sk.last, "no_time.jpg"));
    assert_non_null(strstr(sk.reason, "EXIF"));
    fg_frame_list_free(list, n);
}

/* The test card (encode_card) as dir/name, whole (cut 0) or its first 1/cut
 * of the bytes; its path into path. */
static void card_file(char *path, size_t cap, const char *dir, const char *name, int w, int h,
                      int cut)
{
    unsigned long len;
    unsigned char *jpg = encode_card(w, h, &len);
    snprintf(path, cap, "%s/%s", dir, name);
    write_bytes(path, jpg, cut > 0 ? len / (unsigned long)cut : len);
    tjFree(jpg);
}

/* ------------------------------------------------------------ decoding */

static void scaled_decode_gives_turbojpeg_dimensions(void **state)
{
    (void)state;
    const char *dir = DIR_ "/dec";
    fresh_dir(dir);
    char path[1024];
    card_file(path, sizeof path, dir, "card.jpg", 203, 121, 0);

    fg_jpeg_decoder *d = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_jpeg_decoder_new(&d, &ctx), FG_OK);
    const int denom[] = {1, 2, 4, 8};
    const int ew[] = {203, 102, 51, 26}, eh[] = {121, 61, 31, 16}; /* ceil(n / denom) */
    for (int i = 0; i < 4; i++) {
        fg_raster r;
        int fw = 0, fh = 0;
        assert_int_equal(fg_jpeg_decode_file(d, path, denom[i], 0, &r, &fw, &fh, &ctx), FG_OK);
        assert_int_equal(fw, 203);
        assert_int_equal(fh, 121);
        assert_int_equal(r.width, ew[i]);
        assert_int_equal(r.height, eh[i]);
        assert_int_equal(r.channels, 3);
        assert_int_equal(r.type, FG_PIX_U8);
        assert_int_equal(r.stride, (size_t)ew[i] * 3);
        /* left is red, right grey, whatever the scale */
        const unsigned char *px = r.data;
        const unsigned char *left = px + (size_t)(r.height / 2) * r.stride + 3 * (r.width / 8);
        const unsigned char *right = px + (size_t)(r.height / 2) * r.stride + 3 * (7 * r.width / 8);
        assert_true(left[0] > 180 && left[1] < 80);
        assert_true(abs(right[0] - 128) < 12 && abs(right[1] - 128) < 12);
        fg_raster_release(&r);
    }
    fg_raster r;
    assert_int_equal(fg_jpeg_decode_file(d, path, 3, 0, &r, NULL, NULL, &ctx), FG_EINVAL);
    /* a limit below the full size refuses even a scaled decode */
    assert_int_equal(fg_jpeg_decode_file(d, path, 8, 203 * 121 - 1, &r, NULL, NULL, &ctx),
                     FG_ELIMIT);
    fg_jpeg_decoder_free(d);
    fg_jpeg_decoder_free(NULL);
}

static void zero_byte_file_is_a_format_error_naming_it(void **state)
{
    (void)state;
    const char *dir = DIR_ "/zero";
    fresh_dir(dir);
    char path[1024];
    snprintf(path, sizeof path, "%s/1569440002.jpg", dir);
    write_bytes(path, "", 0);
    fg_jpeg_decoder *d = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_jpeg_decoder_new(&d, &ctx), FG_OK);
    fg_raster r = {0};
    int fw = -1;
    assert_int_equal(fg_jpeg_decode_file(d, path, 1, 0, &r, &fw, NULL, &ctx), FG_EFORMAT);
    assert_non_null(strstr(ctx.msg, "1569440002.jpg"));
    assert_non_null(strstr(ctx.msg, "empty"));
    assert_null(r.data);
    assert_int_equal(fw, -1);
    /* a missing file is not found */
    snprintf(path, sizeof path, "%s/missing.jpg", dir);
    assert_int_equal(fg_jpeg_decode_file(d, path, 1, 0, &r, NULL, NULL, &ctx), FG_ENOTFOUND);
    fg_jpeg_decoder_free(d);
}

static void truncated_jpeg_fails_with_turbojpeg_message(void **state)
{
    (void)state;
    const char *dir = DIR_ "/trunc";
    fresh_dir(dir);
    unsigned long len;
    unsigned char *jpg = encode_card(320, 240, &len);
    char path[1024];
    snprintf(path, sizeof path, "%s/cut.jpg", dir);
    write_bytes(path, jpg, len / 2);
    tjFree(jpg);
    fg_jpeg_decoder *d = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_jpeg_decoder_new(&d, &ctx), FG_OK);
    fg_raster r = {0};
    for (int denom = 1; denom <= 8; denom *= 2) {
        assert_int_equal(fg_jpeg_decode_file(d, path, denom, 0, &r, NULL, NULL, &ctx),
                         FG_EFORMAT);
        assert_non_null(strstr(ctx.msg, "cut.jpg"));
        assert_non_null(strstr(ctx.msg, "JPEG"));
        assert_null(r.data);
    }
    fg_jpeg_decoder_free(d);
}

/* One decoder per thread goes through a camera's frames: a broken frame must
 * not spoil the next one (libjpeg-turbo 2.1 kept a failed header's state). */
static void the_decoder_reads_good_frames_after_broken_ones(void **state)
{
    (void)state;
    const char *dir = DIR_ "/after";
    fresh_dir(dir);
    unsigned long len;
    unsigned char *jpg = encode_card(96, 64, &len);
    char good[1024], cuts[3][1024];
    snprintf(good, sizeof good, "%s/good.jpg", dir);
    write_bytes(good, jpg, len);
    const size_t keep[3] = {200, len / 2, len - 2}; /* no SOS; half the scan; no EOI */
    for (int k = 0; k < 3; k++) {
        snprintf(cuts[k], sizeof cuts[k], "%s/cut%d.jpg", dir, k);
        write_bytes(cuts[k], jpg, keep[k]);
    }
    tjFree(jpg);
    fg_jpeg_decoder *d = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_jpeg_decoder_new(&d, &ctx), FG_OK);
    for (int k = 0; k < 3; k++) {
        fg_raster r = {0};
        int fw = 0, fh = 0;
        (void)fg_jpeg_decode_file(d, cuts[k], 2, 0, &r, NULL, NULL, &ctx);
        fg_raster_release(&r);
        assert_int_equal(fg_jpeg_decode_file(d, good, 2, 0, &r, &fw, &fh, &ctx), FG_OK);
        assert_int_equal(fw, 96);
        assert_int_equal(fh, 64);
        assert_int_equal(r.width, 48);
        fg_raster_release(&r);
    }
    fg_jpeg_decoder_free(d);
}

/* A stream decodes into the buffer of its last frame: same pixels as a fresh
 * decode, the same memory while the size stays, new memory when it changes,
 * and a failure leaves a buffer that can still be released or decoded into. */
static void reused_buffers_hold_the_same_pixels(void **state)
{
    (void)state;
    const char *dir = DIR_ "/reuse";
    fresh_dir(dir);
    char a[1024], b[1024], cut[1024];
    card_file(a, sizeof a, dir, "a.jpg", 96, 64, 0);
    card_file(cut, sizeof cut, dir, "cut.jpg", 96, 64, 2);
    card_file(b, sizeof b, dir, "b.jpg", 203, 121, 0);

    fg_jpeg_decoder *d = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_jpeg_decoder_new(&d, &ctx), FG_OK);
    fg_raster fresh = {0}, buf = {0};
    int fw = 0, fh = 0;
    assert_int_equal(fg_jpeg_decode_file(d, a, 2, 0, &fresh, NULL, NULL, &ctx), FG_OK);
    assert_int_equal(fg_jpeg_decode_file_reuse(d, a, 2, 0, &buf, &fw, &fh, &ctx), FG_OK);
    void *mem = buf.data;
    memset(buf.data, 0x5a, buf.stride * (size_t)buf.height); /* stale pixels */
    assert_int_equal(fg_jpeg_decode_file_reuse(d, a, 2, 0, &buf, &fw, &fh, &ctx), FG_OK);
    assert_ptr_equal(buf.data, mem);
    assert_int_equal(fw, 96);
    assert_int_equal(buf.width, fresh.width);
    assert_int_equal(buf.height, fresh.height);
    assert_memory_equal(buf.data, fresh.data, fresh.stride * (size_t)fresh.height);
    /* a broken frame: named, and the buffer stays the caller's */
    assert_int_equal(fg_jpeg_decode_file_reuse(d, cut, 2, 0, &buf, NULL, NULL, &ctx), FG_EFORMAT);
    assert_non_null(strstr(ctx.msg, "cut.jpg"));
    assert_int_equal(fg_jpeg_decode_file_reuse(d, a, 2, 0, &buf, NULL, NULL, &ctx), FG_OK);
    assert_memory_equal(buf.data, fresh.data, fresh.stride * (size_t)fresh.height);
    /* another size: the buffer follows it */
    assert_int_equal(fg_jpeg_decode_file_reuse(d, b, 2, 0, &buf, &fw, &fh, &ctx), FG_OK);
    assert_int_equal(buf.width, 102);
    assert_int_equal(buf.height, 61);
    assert_int_equal(buf.stride, (size_t)102 * 3);
    assert_int_equal(fg_jpeg_decode_file_reuse(d, a, 2, 0, NULL, NULL, NULL, &ctx), FG_EINVAL);
    fg_raster_release(&buf);
    fg_raster_release(&fresh);
    fg_jpeg_decoder_free(d);
}

/* The JPEG's own YCbCr planes (what the smoke detector reads): the sizes of
 * the RGB decode at every scale with chroma at half of them (rounded up),
 * the card's colours (red: Y ≈ 87, Cb ≈ 101, Cr ≈ 223; grey: Y ≈ Cb ≈ Cr ≈
 * 128), each Y within 1 of the luminance of the RGB decode's pixel; JPEGs stored 4:4:4
 * or grey give planes of the same layout; a cut file is named; a YCC420
 * buffer is reused as such. */
static void ycc_decode_gives_the_jpegs_planes(void **state)
{
    (void)state;
    const char *dir = DIR_ "/ycc";
    fresh_dir(dir);
    char path[1024], cut[1024];
    card_file(path, sizeof path, dir, "card.jpg", 203, 121, 0);
    card_file(cut, sizeof cut, dir, "cut.jpg", 203, 121, 2);
    fg_jpeg_decoder *d = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_jpeg_decoder_new(&d, &ctx), FG_OK);
    const int denom[] = {1, 2, 4, 8};
    const int ew[] = {203, 102, 51, 26}, eh[] = {121, 61, 31, 16};
    for (int i = 0; i < 4; i++) {
        fg_raster y = {0}, rgb = {0};
        int fw = 0, fh = 0;
        assert_int_equal(fg_jpeg_decode_ycc(d, path, denom[i], 0, &y, &fw, &fh, &ctx), FG_OK);
        assert_int_equal(fg_jpeg_decode_file(d, path, denom[i], 0, &rgb, NULL, NULL, &ctx), FG_OK);
        assert_int_equal(fw, 203);
        assert_int_equal(fh, 121);
        assert_int_equal(y.type, FG_PIX_YCC420);
        assert_int_equal(y.channels, 3);
        assert_int_equal(y.width, ew[i]);
        assert_int_equal(y.height, eh[i]);
        assert_int_equal(y.stride, (size_t)(ew[i] + ew[i] % 2)); /* TurboJPEG's padded plane */
        assert_int_equal(fg_ycc_cw(&y), (ew[i] + 1) / 2);
        assert_int_equal(fg_ycc_ch(&y), (eh[i] + 1) / 2);
        const unsigned char *Y = y.data, *px = rgb.data;
        for (int r = 0; r < y.height; r++)
            for (int c = 0; c < y.width; c++) {
                const unsigned char *q = px + (size_t)r * rgb.stride + 3 * (size_t)c;
                double l = 0.299 * q[0] + 0.587 * q[1] + 0.114 * q[2];
                assert_true(fabs(Y[(size_t)r * y.stride + c] - l) <= 1.0);
            }
        /* every chroma sample away from the colour edge (a plane laid out
         * wrongly puts luminance or another row there) */
        for (int ci = 0; ci < fg_ycc_ch(&y); ci++)
            for (int j = 0; j < fg_ycc_cw(&y); j++) {
                int cb = fg_ycc_cb(&y)[(size_t)ci * fg_ycc_cw(&y) + j];
                int cr = fg_ycc_cr(&y)[(size_t)ci * fg_ycc_cw(&y) + j];
                if (2 * j + 4 < y.width / 2)
                    assert_true(abs(cr - 223) < 10 && abs(cb - 101) < 10);
                else if (2 * j > y.width / 2 + 4)
                    assert_true(abs(cr - 128) < 6 && abs(cb - 128) < 6);
            }
        int cw = fg_ycc_cw(&y), mr = fg_ycc_ch(&y) / 2, cl = cw / 8, cr = 7 * cw / 8;
        int r = y.height / 2;
        assert_true(abs(Y[(size_t)r * y.stride + y.width / 8] - 87) < 8);
        assert_true(abs(fg_ycc_cr(&y)[mr * cw + cl] - 223) < 10);
        assert_true(abs(Y[(size_t)r * y.stride + 7 * y.width / 8] - 128) < 6);
        assert_true(abs(fg_ycc_cb(&y)[mr * cw + cr] - 128) < 6);
        assert_true(abs(fg_ycc_cr(&y)[mr * cw + cr] - 128) < 6);
        fg_raster_release(&y);
        fg_raster_release(&rgb);
    }
    /* stored otherwise: through RGB, the same planes' layout and colours */
    const int subs[] = {TJSAMP_444, TJSAMP_422, TJSAMP_GRAY};
    for (int k = 0; k < 3; k++) {
        unsigned long len;
        unsigned char *jpg = encode_card_as(90, 41, &len, subs[k]);
        char other[1024];
        snprintf(other, sizeof other, "%s/sub%d.jpg", dir, k);
        write_bytes(other, jpg, len);
        tjFree(jpg);
        fg_raster y = {0};
        assert_int_equal(fg_jpeg_decode_ycc(d, other, 2, 0, &y, NULL, NULL, &ctx), FG_OK);
        assert_int_equal(y.type, FG_PIX_YCC420);
        assert_int_equal(y.width, 45);
        assert_int_equal(y.height, 21);
        int cw = fg_ycc_cw(&y);
        assert_int_equal(cw, 23);
        const unsigned char *Y = y.data;
        int red_y = 87, red_cr = subs[k] == TJSAMP_GRAY ? 128 : 223;
        assert_true(abs(Y[10 * y.stride + 5] - red_y) < 8);
        assert_true(abs(fg_ycc_cr(&y)[5 * cw + 2] - red_cr) < 10);
        assert_true(abs(fg_ycc_cb(&y)[5 * cw + 20] - 128) < 6);
        fg_raster_release(&y);
    }
    fg_raster y = {0};
    assert_int_equal(fg_jpeg_decode_ycc(d, cut, 2, 0, &y, NULL, NULL, &ctx), FG_EFORMAT);
    assert_non_null(strstr(ctx.msg, "cut.jpg"));
    assert_null(y.data);
    /* a stream's slot: a zeroed raster of type YCC420 gets planes, then keeps them */
    fg_raster buf = {0};
    buf.type = FG_PIX_YCC420;
    assert_int_equal(fg_jpeg_decode_file_reuse(d, path, 2, 0, &buf, NULL, NULL, &ctx), FG_OK);
    assert_int_equal(buf.type, FG_PIX_YCC420);
    assert_int_equal(buf.stride, 102);
    void *mem = buf.data;
    assert_int_equal(fg_jpeg_decode_ycc(d, path, 2, 0, &y, NULL, NULL, &ctx), FG_OK);
    memset(buf.data, 0x5a, 102 * 62);
    assert_int_equal(fg_jpeg_decode_file_reuse(d, path, 2, 0, &buf, NULL, NULL, &ctx), FG_OK);
    assert_ptr_equal(buf.data, mem);
    assert_memory_equal(buf.data, y.data, 102 * 62 + 2 * 51 * 31);
    fg_raster_release(&y);
    fg_raster_release(&buf);
    fg_jpeg_decoder_free(d);
}

static void png_bytes_named_jpg_are_not_a_jpeg(void **state)
{
    (void)state;
    const char *dir = DIR_ "/png";
    fresh_dir(dir);
    static const unsigned char png[] = {0x89, 'P',  'N',  'G',  0x0D, 0x0A, 0x1A, 0x0A, 0,
                                        0,    0,    13,   'I',  'H',  'D',  'R',  0,    0,
                                        0,    16,   0,    0,    0,    16,   8,    2,    0,
                                        0,    0,    0x90, 0x91, 0x68, 0x36};
    char path[1024];
    snprintf(path, sizeof path, "%s/1569440002.jpg", dir);
    write_bytes(path, png, sizeof png);
    fg_jpeg_decoder *d = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_jpeg_decoder_new(&d, &ctx), FG_OK);
    fg_raster r = {0};
    assert_int_equal(fg_jpeg_decode_file(d, path, 1, 0, &r, NULL, NULL, &ctx), FG_EFORMAT);
    assert_non_null(strstr(ctx.msg, "not a JPEG"));
    assert_non_null(strstr(ctx.msg, "1569440002.jpg"));
    /* JPEG SOI followed by rubbish: TurboJPEG's header parser says no */
    static const unsigned char soi_junk[] = {0xFF, 0xD8, 'n', 'o', 't', ' ', 'j', 'p', 'e', 'g'};
    write_bytes(path, soi_junk, sizeof soi_junk);
    assert_int_equal(fg_jpeg_decode_file(d, path, 1, 0, &r, NULL, NULL, &ctx), FG_EFORMAT);
    fg_jpeg_decoder_free(d);
}

static void header_claiming_30000x30000_is_refused_before_decoding(void **state)
{
    (void)state;
    const char *dir = DIR_ "/huge";
    fresh_dir(dir);
    unsigned long len;
    unsigned char *jpg = encode_card(64, 48, &len);
    /* patch the SOF0 frame header: FF C0, length(2), precision(1), height(2), width(2) */
    size_t sof = 0;
    for (size_t i = 2; i + 9 < len; i++)
        if (jpg[i] == 0xFF && jpg[i + 1] == 0xC0) {
            sof = i;
            break;
        }
    assert_true(sof > 0);
    assert_int_equal((jpg[sof + 5] << 8) | jpg[sof + 6], 48);
    jpg[sof + 5] = 30000 >> 8, jpg[sof + 6] = 30000 & 0xFF;
    jpg[sof + 7] = 30000 >> 8, jpg[sof + 8] = 30000 & 0xFF;
    char path[1024];
    snprintf(path, sizeof path, "%s/bomb.jpg", dir);
    write_bytes(path, jpg, len);
    tjFree(jpg);
    fg_jpeg_decoder *d = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_jpeg_decoder_new(&d, &ctx), FG_OK);
    fg_raster r = {0};
    int fw = -1, fh = -1;
    /* 9e8 pixels > default 1e8: refused, nothing allocated, outputs untouched */
    assert_int_equal(fg_jpeg_decode_file(d, path, 8, 0, &r, &fw, &fh, &ctx), FG_ELIMIT);
    assert_non_null(strstr(ctx.msg, "30000x30000"));
    assert_null(r.data);
    assert_int_equal(fw, -1);
    assert_int_equal(fh, -1);
    fg_jpeg_decoder_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frame_time_parsing_table),
        cmocka_unit_test(listing_is_sorted_and_unparseable_names_are_skipped),
        cmocka_unit_test(listing_a_missing_folder_is_not_found),
        cmocka_unit_test(exif_date_time_original_gives_the_time_when_the_name_has_none),
        cmocka_unit_test(a_time_in_the_name_wins_over_exif),
        cmocka_unit_test(exif_is_not_read_from_a_png_named_jpg),
        cmocka_unit_test(listing_orders_exif_frames_by_their_time_and_names_the_timeless),
        cmocka_unit_test(scaled_decode_gives_turbojpeg_dimensions),
        cmocka_unit_test(zero_byte_file_is_a_format_error_naming_it),
        cmocka_unit_test(truncated_jpeg_fails_with_turbojpeg_message),
        cmocka_unit_test(the_decoder_reads_good_frames_after_broken_ones),
        cmocka_unit_test(reused_buffers_hold_the_same_pixels),
        cmocka_unit_test(ycc_decode_gives_the_jpegs_planes),
        cmocka_unit_test(png_bytes_named_jpg_are_not_a_jpeg),
        cmocka_unit_test(header_claiming_30000x30000_is_refused_before_decoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
