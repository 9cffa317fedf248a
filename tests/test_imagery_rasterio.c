/* test_imagery_rasterio.c — temp-and-rename writes, GeoTIFF/JPEG writers, UTC time text. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <gdal.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <turbojpeg.h>
#include <unistd.h>

#include "imagery/imagery.h"

#define TMP FG_TEST_TMPDIR

static int setup(void **state)
{
    (void)state;
    mkdir(TMP, 0777);
    return 0;
}

static int count_tmp_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strstr(e->d_name, ".tmp") != NULL;
    if (d)
        closedir(d);
    return n;
}

static void tmp_path_keeps_folder_and_extension(void **state)
{
    (void)state;
    char b[256];
    assert_int_equal(fg_tmp_path("out/county.csv", b, sizeof b), FG_OK);
    assert_int_equal(strncmp(b, "out/.county.tmp", 15), 0);
    assert_string_equal(b + strlen(b) - 4, ".csv");
    assert_int_equal(fg_tmp_path("run.log", b, sizeof b), FG_OK);
    assert_int_equal(strncmp(b, ".run.tmp", 8), 0);
    assert_int_equal(fg_tmp_path("a/b/c.csv", b, 5), FG_EINVAL);
}

static void time_parse_table(void **state)
{
    (void)state;
    static const struct { const char *s; int ok; int64_t t; } table[] = {
        {"1970-01-01T00:00:00Z", 1, 0},
        {"2026-10-15T05:40:00Z", 1, 1792042800},
        {"2026-10-15 13:40:00+08:00", 1, 1792042800},
        {"2026-10-15T05:40Z", 1, 1792042800},
        {"2026-10-15", 1, 1792022400},
        {"2024-02-29T12:00:00Z", 1, 1709208000},
        {"2023-02-29T12:00:00Z", 0, 0},
        {"2026-13-01T00:00:00Z", 0, 0},
        {"2026-10-15T24:00:00Z", 0, 0},
        {"2026-10-15T05:40:00Zjunk", 0, 0},
        {"yesterday", 0, 0},
        {"", 0, 0},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int64_t t = -1;
        int rc = fg_time_parse(table[i].s, &t);
        if (table[i].ok) {
            assert_int_equal(rc, FG_OK);
            assert_true(t == table[i].t);
        } else {
            assert_int_not_equal(rc, FG_OK);
        }
    }
    char out[24];
    fg_time_format(1792042800, out);
    assert_string_equal(out, "2026-10-15T05:40:00Z");
    int64_t back;
    assert_int_equal(fg_time_parse(out, &back), FG_OK);
    assert_true(back == 1792042800);
}

static void geotiff_round_trip_keeps_values_names_and_metadata(void **state)
{
    (void)state;
    fg_raster a = {0};
    fg_ctx c = {0};
    assert_int_equal(fg_raster_alloc(&a, 9, 4, 1, FG_PIX_F32, 0, &c), FG_OK);
    for (int i = 0; i < 36; i++)
        ((float *)a.data)[i] = (float)i * 0.5f;
    ((float *)a.data)[3] = NAN;
    const fg_raster *bands[] = {&a};
    const char *names[] = {"MIR_BT"};
    const char *md[] = {"FG_SENSOR=X", NULL};
    const double gt[6] = {0, 1000, 0, 0, 0, -1000};
    assert_int_equal(fg_geotiff_write(TMP "/a.tif", bands, names, 1, gt, 32649, md, &c), FG_OK);
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(TMP "/a.tif", GA_ReadOnly);
    assert_non_null(ds);
    assert_string_equal(GDALGetMetadataItem(ds, "FG_SENSOR", NULL), "X");
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    assert_string_equal(GDALGetDescription(b), "MIR_BT");
    float px[36];
    assert_int_equal(GDALRasterIO(b, GF_Read, 0, 0, 9, 4, px, 9, 4, GDT_Float32, 0, 0), CE_None);
    assert_float_equal(px[35], 17.5, 0);
    assert_true(isnan(px[3]));
    GDALClose(ds);
    assert_int_equal(count_tmp_files(TMP), 0);
    /* Unwritable destination: an error naming it, no temp file left behind. */
    assert_int_equal(fg_geotiff_write(TMP "/no/such/dir/a.tif", bands, names, 1, gt, 32649, NULL,
                                      &c),
                     FG_EIO);
    assert_non_null(strstr(c.msg, "no/such/dir/a.tif"));
    assert_int_equal(fg_geotiff_write(TMP "/b.tif", bands, names, 1, gt, 999999, NULL, &c),
                     FG_EINVAL);
    assert_int_equal(count_tmp_files(TMP), 0);
    fg_raster_release(&a);
}

static void jpeg_write_produces_a_decodable_image(void **state)
{
    (void)state;
    fg_raster rgb = {0};
    fg_ctx c = {0};
    assert_int_equal(fg_raster_alloc(&rgb, 64, 48, 3, FG_PIX_U8, 0, &c), FG_OK);
    unsigned char *p = rgb.data;
    for (int i = 0; i < 64 * 48; i++) {
        p[3 * i] = 200;
        p[3 * i + 1] = (unsigned char)(i % 64 * 4);
        p[3 * i + 2] = 30;
    }
    assert_int_equal(fg_jpeg_write(TMP "/x.jpg", &rgb, 90, &c), FG_OK);
    FILE *f = fopen(TMP "/x.jpg", "rb");
    unsigned char buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    tjhandle tj = tjInitDecompress();
    int w, h, ss, cs;
    assert_int_equal(tjDecompressHeader3(tj, buf, n, &w, &h, &ss, &cs), 0);
    assert_int_equal(w, 64);
    assert_int_equal(h, 48);
    unsigned char out[64 * 48 * 3];
    assert_int_equal(tjDecompress2(tj, buf, n, out, 64, 0, 48, TJPF_RGB, 0), 0);
    assert_true(abs((int)out[3 * 100] - 200) < 6);
    tjDestroy(tj);
    assert_int_equal(fg_jpeg_write(TMP "/y.jpg", &rgb, 0, &c), FG_EINVAL);
    fg_raster_release(&rgb);
}

static void mkdir_p_makes_relative_and_nested_folders(void **state)
{
    (void)state;
    fg_ctx c = {0};
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(TMP), 0);
    assert_int_equal(fg_mkdir_p("rel_out", &c), FG_OK);
    assert_int_equal(fg_mkdir_p("rel_out", &c), FG_OK); /* again: already there */
    assert_int_equal(fg_mkdir_p("rel2/a/b", &c), FG_OK);
    struct stat st;
    assert_int_equal(stat("rel2/a/b", &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    FILE *f = fopen("plainfile", "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(fg_mkdir_p("plainfile", &c), FG_EIO);
    assert_non_null(strstr(c.msg, "plainfile"));
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(fg_mkdir_p(TMP "/abs/x", &c), FG_OK);
}

static void read_file_returns_whole_text_and_enforces_its_limit(void **state)
{
    (void)state;
    fg_ctx c = {0};
    const char text[] = "line one\nline two\n";
    assert_int_equal(fg_write_file(TMP "/r.txt", text, sizeof text - 1, &c), FG_OK);
    unsigned char *b = NULL;
    size_t n = 0;
    assert_int_equal(fg_read_file(TMP "/r.txt", 0, &b, &n, &c), FG_OK);
    assert_int_equal(n, sizeof text - 1);
    assert_string_equal((const char *)b, text); /* NUL-terminated past the end */
    fg_free(b);
    b = (unsigned char *)0x1;
    assert_int_equal(fg_read_file(TMP "/r.txt", 5, &b, &n, &c), FG_ELIMIT);
    assert_ptr_equal(b, (unsigned char *)0x1);
    assert_non_null(strstr(c.msg, "r.txt"));
    assert_int_equal(fg_read_file(TMP "/absent.txt", 0, &b, &n, &c), FG_ENOTFOUND);
    assert_int_equal(fg_write_file(TMP "/empty.txt", "", 0, &c), FG_OK);
    assert_int_equal(fg_read_file(TMP "/empty.txt", 0, &b, &n, &c), FG_OK);
    assert_int_equal(n, 0);
    assert_int_equal(b[0], 0);
    fg_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tmp_path_keeps_folder_and_extension),
        cmocka_unit_test(time_parse_table),
        cmocka_unit_test(geotiff_round_trip_keeps_values_names_and_metadata),
        cmocka_unit_test(jpeg_write_produces_a_decodable_image),
        cmocka_unit_test(mkdir_p_makes_relative_and_nested_folders),
        cmocka_unit_test(read_file_returns_whole_text_and_enforces_its_limit),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
