/* frame_stream.c — a camera's frames decoded ahead on all threads while one thread takes them in time order. */
/* SPDX-License-Identifier: MIT */
/*
 * A camera's smoke state must see its frames one after another, and one
 * frame's detection costs a fraction of its decode (about 0.4–0.45 at the
 * runner's scale). With several threads, thread 0 takes the frames in order
 * and every thread decodes: each claims the next frame not yet claimed, at
 * most W frames ahead of the last one taken (W slots of decoded frames), and
 * thread 0 decodes too whenever its next frame is not there yet. So no thread
 * waits for a batch boundary, and the cores stay busy until the last frame
 * (measured on 2 cores: 1.61–1.64× the decode-only time for 3072×2048 frames,
 * against 1.69–1.75× with batches decoded between barriers). Parallel regions
 * that take opens run on its one thread (OpenMP's default of one active
 * level), so decoding and detection never fight over cores. With one thread,
 * a batch of W frames is decoded back to back and then taken back to back,
 * which keeps each one's working set warm in the caches (interleaving them
 * frame by frame cost 7 %). Which thread decodes a frame changes no byte of it.
 * Frames come as RGB, or (st->ycc, the camera runner) as the JPEG's own
 * YCbCr 4:2:0 planes, which the smoke detector reads without a colour
 * conversion. A slot keeps its pixels from frame to frame (fg_jpeg_decode_file_reuse): a
 * frame's raster allocated and freed each time made the decode's speed depend
 * on whether the C library had handed the memory back to the system (the
 * decode-only benchmark moved between 72 and 89 frames/s with the allocator's
 * state).
 */
#include "imagery/imagery.h"

#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

typedef struct slot {
    fg_raster ras;
    int rc, full_w, full_h;
    fg_ctx ctx;
} slot;

static void decode_one(fg_jpeg_decoder *d, const fg_frame_stream *st, size_t i, slot *s)
{
    fg_ctx_clear(&s->ctx);
    s->full_w = s->full_h = 0;
    /* into the slot's pixels of an earlier frame */
    if (!s->ras.data)
        s->ras.type = st->ycc ? FG_PIX_YCC420 : FG_PIX_U8;
    s->rc = fg_jpeg_decode_file_reuse(d, st->path_of(st->user, i), st->scale, st->max_pixels,
                                      &s->ras, &s->full_w, &s->full_h, &s->ctx);
}

static int thread_id(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* One decoder: W frames decoded back to back, then taken back to back. */
static int stream_batches(const fg_frame_stream *st, fg_jpeg_decoder *dec, fg_ctx *ctx)
{
    size_t W = st->batch > 0 ? (size_t)st->batch : 4;
    slot *sl = fg_calloc(W, sizeof *sl);
    if (!sl)
        return fg_ctx_set(ctx, FG_ENOMEM, "frame stream: out of memory for %zu frames", W);
    int stop = 0;
    for (size_t i0 = 0; i0 < st->n && !stop; i0 += W) {
        size_t n = st->n - i0 < W ? st->n - i0 : W;
        for (size_t k = 0; k < n; k++)
            decode_one(dec, st, i0 + k, &sl[k]);
        for (size_t k = 0; k < n; k++) {
            if (!stop)
                stop = st->take(st->user, i0 + k, &sl[k].ras, sl[k].rc, sl[k].full_w,
                                sl[k].full_h, &sl[k].ctx) != 0;
        }
    }
    for (size_t k = 0; k < W; k++)
        fg_raster_release(&sl[k].ras);
    fg_free(sl);
    return FG_OK;
}

/* Frames shared between threads (ndec > 1): thread 0 takes frames in order;
 * every thread, thread 0 too while its next frame is not ready, claims the
 * next frame not yet claimed (at most W ahead of the last one taken) and
 * decodes it into slot i mod W. ready[slot] = i + 1 once frame i is there.
 * C11 atomics, sequentially consistent: a slot's pixels are complete when its
 * ready flag is seen, and a slot is claimed again only after it was taken. */
typedef struct shared {
    const fg_frame_stream *st;
    fg_jpeg_decoder **decs;
    slot *sl;
    size_t W;
    atomic_size_t claimed, taken, stop;
    atomic_size_t *ready;
} shared;

/* Claims and decodes one frame; 0 when there was none to claim. */
static int decode_next(shared *sh)
{
    size_t c = atomic_load(&sh->claimed);
    do {
        if (atomic_load(&sh->stop) || c >= sh->st->n || c >= atomic_load(&sh->taken) + sh->W)
            return 0;
    } while (!atomic_compare_exchange_weak(&sh->claimed, &c, c + 1));
    decode_one(sh->decs[thread_id()], sh->st, c, &sh->sl[c % sh->W]);
    atomic_store(&sh->ready[c % sh->W], c + 1);
    return 1;
}

static void consumer(shared *sh)
{
    const fg_frame_stream *st = sh->st;
    for (size_t i = 0; i < st->n; i++) {
        size_t k = i % sh->W;
        while (atomic_load(&sh->ready[k]) != i + 1 &&
               !(atomic_load(&sh->stop) && atomic_load(&sh->claimed) <= i))
            if (!decode_next(sh))
                sched_yield(); /* frame i is being decoded elsewhere */
        if (atomic_load(&sh->ready[k]) != i + 1)
            break; /* stopped: nothing from here on was decoded */
        slot *s = &sh->sl[k];
        if (!atomic_load(&sh->stop) &&
            st->take(st->user, i, &s->ras, s->rc, s->full_w, s->full_h, &s->ctx) != 0)
            atomic_store(&sh->stop, 1);
        atomic_store(&sh->ready[k], 0);
        atomic_store(&sh->taken, i + 1);
    }
}

static void decoder(shared *sh)
{
    while (!atomic_load(&sh->stop) && atomic_load(&sh->claimed) < sh->st->n)
        if (!decode_next(sh))
            sched_yield(); /* W frames ahead: wait for the consumer, leaving it the core */
}

int fg_frame_stream_run(const fg_frame_stream *st, fg_jpeg_decoder **decs, int ndec, fg_ctx *ctx)
{
    if (!st || !st->path_of || !st->take || !decs || ndec < 1)
        return fg_ctx_set(ctx, FG_EINVAL, "frame stream: missing frames, consumer or decoders");
    if (st->n == 0)
        return FG_OK;
    if (ndec == 1)
        return stream_batches(st, decs[0], ctx);
    size_t W = st->batch > 0 ? (size_t)st->batch : 4 * (size_t)ndec;
    shared sh;
    sh.st = st;
    sh.decs = decs;
    sh.W = W;
    sh.sl = fg_calloc(W, sizeof *sh.sl);
    sh.ready = fg_malloc(W * sizeof *sh.ready);
    if (!sh.sl || !sh.ready) {
        fg_free(sh.sl);
        fg_free(sh.ready);
        return fg_ctx_set(ctx, FG_ENOMEM, "frame stream: out of memory for %zu frames", W);
    }
    atomic_init(&sh.claimed, 0);
    atomic_init(&sh.taken, 0);
    atomic_init(&sh.stop, 0);
    for (size_t k = 0; k < W; k++)
        atomic_init(&sh.ready[k], 0);
#ifdef _OPENMP
#pragma omp parallel num_threads(ndec)
#endif
    {
        if (thread_id() == 0)
            consumer(&sh);
        else
            decoder(&sh);
    }
    /* the slots' pixels */
    for (size_t k = 0; k < W; k++)
        fg_raster_release(&sh.sl[k].ras);
    fg_free(sh.sl);
    fg_free(sh.ready);
    return FG_OK;
}
