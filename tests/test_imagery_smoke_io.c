/* test_imagery_smoke_io.c — smoke model file round trip, malformed and placeholder models, the bundled model, mask images. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gdal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "imagery/imagery.h"

#define TMP FG_TEST_TMPDIR

static int setup(void **state)
{
    (void)state;
    fg_ctx ctx = {0};
    return fg_mkdir_p(TMP, &ctx) == FG_OK ? 0 : -1;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = test_malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static fg_smoke_model sample_model(void)
{
    fg_smoke_model m;
    memset(&m, 0, sizeof m);
    m.nfeat = FG_SF_COUNT;
    for (int i = 0; i < m.nfeat; i++) {
        m.mean[i] = 0.1f * (float)i + 1.0f / 3.0f;
        m.scale[i] = 0.05f + 0.01f * (float)i;
        m.w[i] = (i % 2 ? -1.0f : 1.0f) * (0.7f + (float)i / 7.0f);
    }
    m.bias = -2.345678f;
    m.threshold = 0.8312345f;
    return m;
}

static void write_read_write_gives_the_same_model_and_bytes(void **state)
{
    (void)state;
    fg_smoke_model m = sample_model(), r;
    fg_ctx ctx = {0};
    const char *a = TMP "/model_a.txt", *b = TMP "/model_b.txt";
    assert_int_equal(fg_smoke_model_write(a, &m, "trained on test data\nsecond line", &ctx),
                     FG_OK);
    assert_int_equal(fg_smoke_model_read(a, &r, &ctx), FG_OK);
    assert_int_equal(r.nfeat, m.nfeat);
    assert_memory_equal(r.mean, m.mean, sizeof(float) * (size_t)m.nfeat);
    assert_memory_equal(r.scale, m.scale, sizeof(float) * (size_t)m.nfeat);
    assert_memory_equal(r.w, m.w, sizeof(float) * (size_t)m.nfeat);
    assert_memory_equal(&r.bias, &m.bias, sizeof m.bias);
    assert_memory_equal(&r.threshold, &m.threshold, sizeof m.threshold);
    assert_int_equal(fg_smoke_model_write(b, &r, "trained on test data\nsecond line", &ctx),
                     FG_OK);
    size_t la, lb;
    char *ta = slurp(a, &la), *tb = slurp(b, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(ta, tb, la);
    /* the provenance lines are comments */
    assert_non_null(strstr(ta, "# trained on test data\n# second line\n"));
    test_free(ta);
    test_free(tb);
}

static const char GOOD_TAIL[] = "bias = 0.5\n"
                                "threshold = 0.7\n"
                                "mean = 1, 2\n"
                                "scale = 0.5, 0.25\n"
                                "w = 1.5, -2\n";

static const struct {
    const char *text;
    const char *msg; /* expected part of the message */
} MALFORMED[] = {
    {"nfeat = 2\nbias 0.5\n", "line 2: expected 'key = value'"},
    {"# c\nnfeat = 2\ncolour = red\n", "line 3: unknown key 'colour'"},
    {"nfeat = 2\nbias = 0.5\nthreshold = 0.7\nmean = 1, 2, 3\nscale = 0.5, 0.25\nw = 1, 2\n",
     "line 4: mean has 3 value(s), nfeat is 2"},
    {"nfeat = 2\nbias = 0.5\nthreshold = 0.7\nmean = 1, x\nscale = 0.5, 0.25\nw = 1, 2\n",
     "line 4: mean holds an item that is not a finite number"},
    {"nfeat = 2\nbias = 0.5\nthreshold = 0.7\nmean = 1,, 2\nscale = 0.5, 0.25\nw = 1, 2\n",
     "line 4: mean holds an item"},
    {"nfeat = 2\nbias = 0.5\nbias = 0.6\n", "line 3: 'bias' given again (first on line 2)"},
    {"nfeat = 2\nbias = 0.5\nthreshold = 0.7\nmean = 1, 2\nscale = 0.5, 0\nw = 1, 2\n",
     "line 5: scale 2 is 0, must be > 0"},
    {"nfeat = 2\nbias = 0.5\nthreshold = 1.5\n", "line 3: threshold 1.5 is not in (0, 1)"},
    {"nfeat = 2\nbias = nan\n", "line 2: bias 'nan' is not a finite number"},
    {"nfeat = 40\n", "line 1: nfeat '40' is not 0..32"},
    {"nfeat = 2\nbias = 0.5\nmean = 1, 2\nscale = 0.5, 0.25\nw = 1, 2\n", "no 'threshold' line"},
    {"bias = 0.5\n", "no 'nfeat' line"},
    {"", "no 'nfeat' line"},
};

static void malformed_models_are_refused_naming_file_and_line(void **state)
{
    (void)state;
    const char *path = TMP "/bad_model.txt";
    for (size_t i = 0; i < sizeof MALFORMED / sizeof MALFORMED[0]; i++) {
        spit(path, MALFORMED[i].text);
        fg_smoke_model m;
        memset(&m, 0x33, sizeof m);
        fg_smoke_model before = m;
        fg_ctx ctx = {0};
        int rc = fg_smoke_model_read(path, &m, &ctx);
        if (rc != FG_EFORMAT || !strstr(ctx.msg, MALFORMED[i].msg) || !strstr(ctx.msg, path))
            fail_msg("case %zu: rc %d, message '%s', expected '%s'", i, rc, ctx.msg,
                     MALFORMED[i].msg);
        assert_memory_equal(&m, &before, sizeof m);
    }
    /* the good version of the same file reads */
    char text[512];
    snprintf(text, sizeof text, "nfeat = 2\n%s", GOOD_TAIL);
    spit(path, text);
    fg_smoke_model m;
    fg_ctx ctx = {0};
    assert_int_equal(fg_smoke_model_read(path, &m, &ctx), FG_OK);
    assert_int_equal(m.nfeat, 2);
    assert_float_equal(m.w[1], -2.0, 0);
}

static void placeholder_model_is_refused_as_untrained(void **state)
{
    (void)state;
    const char *path = TMP "/placeholder.txt";
    spit(path, "# smoke block model — placeholder\nnfeat = 0\n");
    fg_smoke_model m;
    fg_ctx ctx = {0};
    assert_int_equal(fg_smoke_model_read(path, &m, &ctx), FG_EFORMAT);
    assert_non_null(strstr(ctx.msg, path));
    assert_non_null(strstr(ctx.msg, "placeholder"));
    /* a missing file is not found, binary data is not a model */
    assert_int_equal(fg_smoke_model_read(TMP "/no_such_model.txt", &m, &ctx), FG_ENOTFOUND);
    FILE *f = fopen(TMP "/binary.txt", "wb");
    assert_non_null(f);
    fwrite("nfeat\0= 1", 1, 9, f);
    fclose(f);
    assert_int_equal(fg_smoke_model_read(TMP "/binary.txt", &m, &ctx), FG_EFORMAT);
    assert_non_null(strstr(ctx.msg, "binary"));
}

static void bundled_model_loads_and_equals_models_smoke_model_txt(void **state)
{
    (void)state;
    fg_smoke_model a, b;
    fg_ctx ctx = {0};
    int rc = fg_smoke_model_read(NULL, &a, &ctx);
    if (rc != FG_OK)
        fail_msg("bundled model: %s", ctx.msg);
    assert_int_equal(a.nfeat, FG_SF_COUNT);
    assert_true(a.threshold > 0 && a.threshold < 1);
    assert_int_equal(fg_smoke_model_read(FG_SOURCE_DIR "/models/smoke_model.txt", &b, &ctx),
                     FG_OK);
    assert_memory_equal(&a, &b, sizeof a);
}

static void unwritable_or_invalid_models_are_not_written(void **state)
{
    (void)state;
    fg_smoke_model m = sample_model();
    fg_ctx ctx = {0};
    assert_int_equal(fg_smoke_model_write(TMP "/no/such/dir/m.txt", &m, NULL, &ctx), FG_EIO);
    m.scale[3] = 0;
    assert_int_equal(fg_smoke_model_write(TMP "/invalid.txt", &m, NULL, &ctx), FG_EINVAL);
    struct stat st;
    assert_int_not_equal(stat(TMP "/invalid.txt", &st), 0);
    m = sample_model();
    m.nfeat = 0;
    assert_int_equal(fg_smoke_model_write(TMP "/invalid.txt", &m, NULL, &ctx), FG_EINVAL);
}

/* Writes a w×h PNG with GDAL (MEM dataset copied to PNG), bands of bytes. */
static void write_png(const char *path, int w, int h, int bands, const unsigned char *data)
{
    GDALAllRegister();
    GDALDriverH mem = GDALGetDriverByName("MEM"), png = GDALGetDriverByName("PNG");
    assert_non_null(mem);
    assert_non_null(png);
    GDALDatasetH ds = GDALCreate(mem, "", w, h, bands, GDT_Byte, NULL);
    assert_non_null(ds);
    for (int b = 1; b <= bands; b++)
        assert_int_equal(GDALRasterIO(GDALGetRasterBand(ds, b), GF_Write, 0, 0, w, h,
                                      (void *)data, w, h, GDT_Byte, 0, 0),
                         CE_None);
    GDALDatasetH out = GDALCreateCopy(png, path, ds, FALSE, NULL, NULL, NULL);
    assert_non_null(out);
    GDALClose(out);
    GDALClose(ds);
}

static void png_mask_written_by_gdal_reads_back(void **state)
{
    (void)state;
    const int w = 37, h = 23;
    unsigned char px[37 * 23];
    for (int i = 0; i < w * h; i++)
        px[i] = (i % 7 == 0 || (i / w > 10 && i % w > 20)) ? 255 : 0;
    const char *path = TMP "/mask.png";
    write_png(path, w, h, 1, px);
    fg_raster r;
    fg_ctx ctx = {0};
    assert_int_equal(fg_mask_image_read(path, &r, &ctx), FG_OK);
    assert_int_equal(r.width, w);
    assert_int_equal(r.height, h);
    assert_int_equal(r.channels, 1);
    assert_int_equal(r.type, FG_PIX_U8);
    for (int y = 0; y < h; y++)
        assert_memory_equal((unsigned char *)r.data + (size_t)y * r.stride, px + y * w,
                            (size_t)w);
    fg_raster_release(&r);

    /* three bands are an image, not a mask; a text file is no image; a missing file */
    write_png(TMP "/rgb.png", w, h, 3, px);
    memset(&r, 0, sizeof r);
    assert_int_equal(fg_mask_image_read(TMP "/rgb.png", &r, &ctx), FG_EFORMAT);
    assert_non_null(strstr(ctx.msg, "3"));
    assert_null(r.data);
    spit(TMP "/text.png", "not a png\n");
    assert_int_equal(fg_mask_image_read(TMP "/text.png", &r, &ctx), FG_EFORMAT);
    assert_non_null(strstr(ctx.msg, "text.png"));
    assert_int_equal(fg_mask_image_read(TMP "/none.png", &r, &ctx), FG_ENOTFOUND);
}

static void real_hpwren_mask_reads_as_one_byte_band(void **state)
{
    (void)state;
    const char *path = FG_SOURCE_DIR
        "/../shared/data/camera/hpwren-smoke-masks/gt/ckagz777enrb20700g9y39sr6.png";
    struct stat st;
    if (stat(path, &st) != 0)
        skip();
    fg_raster r;
    fg_ctx ctx = {0};
    assert_int_equal(fg_mask_image_read(path, &r, &ctx), FG_OK);
    assert_int_equal(r.width, 640);
    assert_int_equal(r.height, 480);
    size_t smoke = 0;
    for (int y = 0; y < r.height; y++)
        for (int x = 0; x < r.width; x++)
            smoke += ((unsigned char *)r.data)[(size_t)y * r.stride + (size_t)x] >= 128;
    assert_true(smoke > 0 && smoke < (size_t)r.width * r.height / 2);
    fg_raster_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(write_read_write_gives_the_same_model_and_bytes),
        cmocka_unit_test(malformed_models_are_refused_naming_file_and_line),
        cmocka_unit_test(placeholder_model_is_refused_as_untrained),
        cmocka_unit_test(bundled_model_loads_and_equals_models_smoke_model_txt),
        cmocka_unit_test(unwritable_or_invalid_models_are_not_written),
        cmocka_unit_test(png_mask_written_by_gdal_reads_back),
        cmocka_unit_test(real_hpwren_mask_reads_as_one_byte_band),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
