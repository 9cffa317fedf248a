/* test_imagery_frame_stream.c — a camera's frames decoded ahead and taken in order: any decoder count and batch, bad frames, stops. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "imagery/imagery.h"

#define DIR_ FG_TEST_TMPDIR
#define NF 11
#define BAD 5 /* the truncated frame */

static char paths[NF][1024];

/* NF small JPEGs, each a different gradient; frame BAD cut to 200 bytes. */
static int setup(void **state)
{
    (void)state;
    mkdir(DIR_, 0777);
    fg_raster r;
    fg_ctx ctx = {0};
    if (fg_raster_alloc(&r, 48, 40, 3, FG_PIX_U8, 0, &ctx) != FG_OK)
        return -1;
    for (int i = 0; i < NF; i++) {
        unsigned char *p = r.data;
        for (int y = 0; y < r.height; y++)
            for (int x = 0; x < r.width; x++)
                for (int k = 0; k < 3; k++)
                    p[((size_t)y * r.width + x) * 3 + k] =
                        (unsigned char)(20 * i + 3 * x + y + 40 * k);
        snprintf(paths[i], sizeof paths[i], "%s/%02d.jpg", DIR_, i);
        if (fg_jpeg_write(paths[i], &r, 90, &ctx) != FG_OK)
            return -1;
    }
    fg_raster_release(&r);
    return truncate(paths[BAD], 200) == 0 ? 0 : -1;
}

typedef struct seen {
    int n, order_ok, stop_at, ycc;
    int rc[NF];
    uint64_t sum[NF];
    char msg[NF][256];
    int inner_threads[NF];
} seen;

static const char *path_of(void *user, size_t i)
{
    (void)user;
    return paths[i];
}

static int take(void *user, size_t i, fg_raster *ras, int rc, int fw, int fh, const fg_ctx *err)
{
    seen *s = user;
    s->order_ok &= (size_t)s->n == i;
    s->rc[i] = rc;
    if (rc == FG_OK) {
        s->order_ok &= fw == 48 && fh == 40 && ras->width == 24 && ras->height == 20;
        s->order_ok &= ras->type == (s->ycc ? FG_PIX_YCC420 : FG_PIX_U8);
        const unsigned char *p = ras->data;
        uint64_t h = 1469598103934665603ull;
        size_t nbytes =
            s->ycc ? ras->stride * 20 + 2 * 12 * 10 : (size_t)ras->width * ras->height * 3;
        for (size_t k = 0; k < nbytes; k++)
            h = (h ^ p[k]) * 1099511628211ull;
        s->sum[i] = h;
    } else {
        snprintf(s->msg[i], sizeof s->msg[i], "%s", err->msg);
    }
    /* a parallel region opened here: how many threads it gets */
    int nt = 1;
#ifdef _OPENMP
#pragma omp parallel
    {
#pragma omp single
        nt = omp_get_num_threads();
    }
#endif
    s->inner_threads[i] = nt;
    s->n++;
    return s->stop_at >= 0 && (int)i == s->stop_at;
}

static int run_as(int ndec, int batch, seen *s, int stop_at, int ycc)
{
    memset(s, 0, sizeof *s);
    s->order_ok = 1;
    s->stop_at = stop_at;
    s->ycc = ycc;
    fg_ctx ctx = {0};
    fg_jpeg_decoder *decs[4] = {0};
    for (int t = 0; t < ndec; t++)
        assert_int_equal(fg_jpeg_decoder_new(&decs[t], &ctx), FG_OK);
    fg_frame_stream st = {NF, path_of, 2, 0, batch, take, s, ycc};
    int rc = fg_frame_stream_run(&st, decs, ndec, &ctx);
    for (int t = 0; t < ndec; t++)
        fg_jpeg_decoder_free(decs[t]);
    return rc;
}

static int run(int ndec, int batch, seen *s, int stop_at)
{
    return run_as(ndec, batch, s, stop_at, 0);
}

/* A stream of YCbCr planes (the camera runner's): each good frame as
 * fg_jpeg_decode_ycc gives it, the broken one named, at 1 and 2 decoders. */
static void ycc_streams_give_each_frames_planes(void **state)
{
    (void)state;
    fg_jpeg_decoder *d = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_jpeg_decoder_new(&d, &ctx), FG_OK);
    for (int ndec = 1; ndec <= 2; ndec++) {
        seen s;
        assert_int_equal(run_as(ndec, 0, &s, -1, 1), FG_OK);
        assert_int_equal(s.n, NF);
        assert_true(s.order_ok);
        for (int i = 0; i < NF; i++) {
            if (i == BAD) {
                assert_int_not_equal(s.rc[i], FG_OK);
                assert_non_null(strstr(s.msg[i], paths[BAD]));
                continue;
            }
            fg_raster y = {0};
            assert_int_equal(fg_jpeg_decode_ycc(d, paths[i], 2, 0, &y, NULL, NULL, &ctx), FG_OK);
            uint64_t h = 1469598103934665603ull;
            const unsigned char *p = y.data;
            for (size_t k = 0; k < y.stride * 20 + 2 * 12 * 10; k++)
                h = (h ^ p[k]) * 1099511628211ull;
            assert_true(h == s.sum[i]);
            fg_raster_release(&y);
        }
    }
    fg_jpeg_decoder_free(d);
}

static void frames_come_in_order_with_the_same_bytes_at_any_decoder_count_and_batch(void **state)
{
    (void)state;
    seen ref, s;
    assert_int_equal(run(1, 1, &ref, -1), FG_OK);
    assert_int_equal(ref.n, NF);
    assert_true(ref.order_ok);
    for (int i = 0; i < NF; i++) {
        if (i == BAD) {
            assert_int_not_equal(ref.rc[i], FG_OK);
            assert_non_null(strstr(ref.msg[i], paths[BAD])); /* the message names the file */
        } else {
            assert_int_equal(ref.rc[i], FG_OK);
        }
    }
    const int ndecs[] = {1, 2, 3}, batches[] = {0, 1, 3, 4, 20};
    for (size_t a = 0; a < sizeof ndecs / sizeof *ndecs; a++)
        for (size_t b = 0; b < sizeof batches / sizeof *batches; b++) {
            assert_int_equal(run(ndecs[a], batches[b], &s, -1), FG_OK);
            assert_int_equal(s.n, NF);
            assert_true(s.order_ok);
            for (int i = 0; i < NF; i++) {
                assert_int_equal(s.rc[i], ref.rc[i]);
                if (i != BAD)
                    assert_true(s.sum[i] == ref.sum[i]);
            }
        }
}

static void a_consumer_that_stops_gets_no_more_frames(void **state)
{
    (void)state;
    seen s;
    const int ndecs[] = {1, 2}, batches[] = {0, 1, 3};
    for (size_t a = 0; a < 2; a++)
        for (size_t b = 0; b < 3; b++) {
            assert_int_equal(run(ndecs[a], batches[b], &s, 3), FG_OK);
            assert_int_equal(s.n, 4);
            assert_true(s.order_ok);
        }
}

static void the_consumer_has_one_thread_while_frames_are_decoded_beside_it(void **state)
{
    (void)state;
#ifdef _OPENMP
    seen s;
    assert_int_equal(run(2, 2, &s, -1), FG_OK);
    for (int i = 0; i < NF; i++)
        assert_int_equal(s.inner_threads[i], 1);
#else
    skip();
#endif
}

static void empty_and_invalid_streams(void **state)
{
    (void)state;
    fg_ctx ctx = {0};
    fg_jpeg_decoder *dec = NULL;
    assert_int_equal(fg_jpeg_decoder_new(&dec, &ctx), FG_OK);
    seen s;
    memset(&s, 0, sizeof s);
    fg_frame_stream st = {0, path_of, 2, 0, 0, take, &s, 0};
    assert_int_equal(fg_frame_stream_run(&st, &dec, 1, &ctx), FG_OK);
    assert_int_equal(s.n, 0);
    st.n = NF;
    st.take = NULL;
    assert_int_equal(fg_frame_stream_run(&st, &dec, 1, &ctx), FG_EINVAL);
    assert_non_null(strstr(ctx.msg, "frame stream"));
    st.take = take;
    assert_int_equal(fg_frame_stream_run(&st, &dec, 0, &ctx), FG_EINVAL);
    assert_int_equal(fg_frame_stream_run(NULL, &dec, 1, &ctx), FG_EINVAL);
    fg_jpeg_decoder_free(dec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ycc_streams_give_each_frames_planes),
        cmocka_unit_test(frames_come_in_order_with_the_same_bytes_at_any_decoder_count_and_batch),
        cmocka_unit_test(a_consumer_that_stops_gets_no_more_frames),
        cmocka_unit_test(the_consumer_has_one_thread_while_frames_are_decoded_beside_it),
        cmocka_unit_test(empty_and_invalid_streams),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
