/* smoke_offset.c — the camera smoke detector's local airlight offset: the median block mean B − I over a window around every block. */
/* SPDX-License-Identifier: MIT */
/*
 * Haze thickening or thinning and the sun's changing angle through hazy air
 * add a smooth offset over large parts of a view; a young plume covers a few
 * blocks, far fewer than half of a (2R + 1)² block window, and does not move
 * the window's median of the blocks' mean B − I. The medians are exact.
 *
 * The block means are ranked once per frame (an LSD radix sort), so a window
 * is a set of distinct ranks 0 … nb − 1 and its median the (n/2)-th smallest
 * of them. The set is held as a two-level histogram, after Perreault &
 * Hébert (2007), "Median filtering in constant time", IEEE Trans. Image
 * Process. 16(9): every block column keeps the window rows of that column
 * (a strip) as counts in ≤ MED_BINS coarse bins of 2^k·64 ranks and as a bit set
 * of its ranks. Sliding right adds the strip that enters to the window's
 * coarse counts and takes away the one that leaves (MED_BINS bytes each);
 * moving down a row puts one rank into every strip and takes one out. The
 * median's coarse bin follows from the counts, its rank from the OR of the
 * window's strips' bits in that bin, without branches on the data (the
 * counts are noise to a branch predictor). Measured at 1536×1024 (192×128
 * blocks, R = 7): ~0.8 ms a frame against ~1.1 ms for one window's rank set
 * updated rank by rank (15 in, 15 out a step) with a bit-clearing select.
 *
 * Rows are split into one band per thread; a band fills its strips once and
 * empties them at its end, so the scratch is zero between frames. The
 * medians do not depend on the split.
 */
#include "detect/detect.h"
#include "detect/detect_int.h"
#include "detect/smoke_int.h"

#include <stdint.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

/* Coarse bins of a window's histogram: a window holds at most
 * (2·LOCAL_R + 1)² = 225 ranks, so a bin's count fits a byte. */
#define MED_BINS 128
_Static_assert((2 * LOCAL_R + 1) * (2 * LOCAL_R + 1) <= 255, "window counts are bytes");
#define HW (MED_BINS / 8) /* 64-bit words of a histogram */

/* 64-rank words of the rank sets, and log2 of the words per coarse bin. */
static size_t med_words(const fg_smoke *s) { return ((size_t)s->nb + 63) / 64; }
static int med_qshift(const fg_smoke *s)
{
    int k = 0;
    while ((med_words(s) + ((size_t)1 << k) - 1) >> k > MED_BINS)
        k++;
    return k;
}

/* Words of a strip's bit set: whole coarse bins, and at least 4 words from
 * any bin's first (a bin's words are ORed four at a time). */
static size_t med_stride(const fg_smoke *s)
{
    size_t q = (size_t)1 << med_qshift(s);
    return (med_words(s) + q - 1) / q * q + (q < 4 ? 4 - q : 0);
}

/* Bytes of one band's scratch: the strips' bits and their coarse counts. */
static size_t med_per(const fg_smoke *s)
{
    return med_stride(s) * (size_t)s->bw * sizeof(uint64_t) + (size_t)s->bw * MED_BINS;
}

static int offset_scratch(fg_smoke *s)
{
    int n = fg_smoke_threads();
    if (n <= s->nmed)
        return FG_OK;
    /* zeroed: the bands leave it so */
    unsigned char *p = fg_calloc((size_t)n, med_per(s));
    if (!p)
        return FG_ENOMEM;
    fg_free(s->med);
    s->med = p;
    s->nmed = n;
    return FG_OK;
}

/* Ranks 0..n−1 of v[0..n) in value order (ties by index) and the values in
 * that order: LSD radix sort of the keys, 11 bits a pass. key and rank hold
 * 2n entries (two sort buffers); rank[0..n) ends as the rank of each entry. */
static void rank_values(const float *v, int n, uint32_t *key, uint32_t *rank, float *sorted)
{
    uint32_t *ka = key, *kb = key + n, *ia = rank, *ib = rank + n;
    for (int i = 0; i < n; i++) {
        ka[i] = fg_smoke_order_key(v[i]);
        ia[i] = (uint32_t)i;
    }
    for (int shift = 0; shift < 32; shift += 11) {
        uint32_t cnt[2048] = {0};
        for (int i = 0; i < n; i++)
            cnt[(ka[i] >> shift) & 2047u]++;
        uint32_t sum = 0;
        for (int d = 0; d < 2048; d++) {
            uint32_t t = cnt[d];
            cnt[d] = sum;
            sum += t;
        }
        for (int i = 0; i < n; i++) {
            uint32_t pos = cnt[(ka[i] >> shift) & 2047u]++;
            kb[pos] = ka[i];
            ib[pos] = ia[i];
        }
        uint32_t *t = ka;
        ka = kb, kb = t;
        t = ia, ia = ib, ib = t;
    }
    /* ia now holds the entries in value order */
    for (int i = 0; i < n; i++)
        sorted[i] = v[ia[i]];
    for (int i = 0; i < n; i++)
        ib[ia[i]] = (uint32_t)i;
    if (ib != rank)
        memcpy(rank, ib, (size_t)n * sizeof *rank);
}

/* One band's strips: bits[x · stride …] the ranks of strip x as a bit set,
 * hist[x · HW …] their coarse counts (hist_bin). */
typedef struct strips {
    uint64_t *bits;
    uint64_t *hist;
    size_t stride;      /* words of a strip's bits (med_stride) */
    int bw;
    int qshift;         /* log2 of the words per coarse bin */
} strips;

/* Rank q into strip x (in = 1) or out of it (in = 0). */
static inline void strip_move(strips *st, int x, uint32_t q, int in)
{
    uint64_t *w = &st->bits[(size_t)x * st->stride + (q >> 6)];
    uint32_t bin = q >> (6 + st->qshift);
    uint64_t *h = &st->hist[(size_t)x * HW + (bin >> 3)], one = (uint64_t)1 << (8 * (bin & 7));
    if (in) {
        *w |= (uint64_t)1 << (q & 63);
        *h += one;
    } else {
        *w &= ~((uint64_t)1 << (q & 63));
        *h -= one;
    }
}

/* Block row y's ranks into (in = 1) or out of (in = 0) every strip. */
static void strips_row(strips *st, const uint32_t *rank, int y, int in)
{
    for (int x = 0; x < st->bw; x++)
        strip_move(st, x, rank[(size_t)y * st->bw + x], in);
}

/* Broadword rank and select (Vigna 2008, "Broadword implementation of
 * rank/select queries", WEA, LNCS 5038): no branch follows the data, which
 * here is noise that no predictor learns. */
static const uint64_t ONES = 0x0101010101010101u, HIGHS = 0x8080808080808080u;

/* Number of bytes k of v (each 0 … 127) with v_k ≤ j (0 ≤ j ≤ 127). */
static inline int bytes_le(uint64_t v, int j)
{
    return __builtin_popcountll((((ONES * (uint64_t)j) | HIGHS) - v) & HIGHS);
}

/* Index (0..63) of the j-th set bit (from 0) of v, which has more than j. */
static inline int select_bit(uint64_t v, int j)
{
    /* bytes' counts, then counts up to and including each byte */
    uint64_t c = v - ((v >> 1) & 0x5555555555555555u);
    c = (c & 0x3333333333333333u) + ((c >> 2) & 0x3333333333333333u);
    c = ((c + (c >> 4)) & 0x0f0f0f0f0f0f0f0fu) * ONES;
    int byte = bytes_le(c, j);
    j -= (int)((c << 8) >> (8 * byte) & 0xffu);
    /* the byte's bits one to a byte, then their counts up to each */
    uint64_t b = ((v >> (8 * byte)) & 0xffu) * ONES & 0x8040201008040201u;
    b = ((((b + 0x7f7f7f7f7f7f7f7fu) | b) & HIGHS) >> 7) * ONES;
    return 8 * byte + bytes_le(b, j);
}

/* A window's coarse counts are bytes (at most 225 ranks in all, so no
 * byte overflows and none goes below 0): eight bins to a 64-bit word, added
 * and subtracted as words, summed with one multiply. H ± a strip's counts
 * (sign +1 or −1): */
static inline void hist_add(uint64_t *H, const uint64_t *strip, int sign)
{
    for (int i = 0; i < HW; i++)
        H[i] = sign > 0 ? H[i] + strip[i] : H[i] - strip[i];
}

/* Count in bin b (bin 8i + j: bits 8j … 8j + 7 of word i), and Σ of the
 * counts of bins below m. */
static inline int hist_bin(const uint64_t *H, int b)
{
    return (int)(H[b >> 3] >> (8 * (b & 7)) & 0xffu);
}

static inline int hist_below(const uint64_t *H, int m)
{
    uint64_t t = 0;
    for (int i = 0; i < m >> 3; i++)
        t += H[i];
    if (m & 7)
        t += H[m >> 3] & (((uint64_t)1 << (8 * (m & 7))) - 1);
    return (int)((t * ONES) >> 56);
}

/* The offsets of block rows by0..by1 − 1. */
FG_HOT_LOOP static void offsets_band(fg_smoke *s, int by0, int by1, unsigned char *scratch)
{
    const int R = LOCAL_R, bw = s->bw, bh = s->bh;
    const uint32_t *rank = s->rank;
    const size_t stride = med_stride(s);
    strips st = {(uint64_t *)scratch, (uint64_t *)scratch + stride * (size_t)bw, stride, bw,
                 med_qshift(s)};
    int y0 = by0 - R < 0 ? 0 : by0 - R, y1 = by0 + R >= bh ? bh - 1 : by0 + R;
    for (int y = y0; y <= y1; y++)
        strips_row(&st, rank, y, 1);
    for (int by = by0; by < by1; by++) {
        if (by > by0) {
            /* window rows by − 1 ± R → by ± R */
            if (by - 1 - R >= 0)
                strips_row(&st, rank, by - 1 - R, 0), y0++;
            if (by + R < bh)
                strips_row(&st, rank, by + R, 1), y1++;
        }
        uint64_t H[HW] = {0};
        for (int x = 0; x <= R && x < bw; x++)
            hist_add(H, st.hist + (size_t)x * HW, 1);
        int mb = 0; /* the median's coarse bin, carried from block to block */
        for (int bx = 0; bx < bw; bx++) {
            int x0 = bx - R < 0 ? 0 : bx - R, x1 = bx + R >= bw ? bw - 1 : bx + R;
            int k = (y1 - y0 + 1) * (x1 - x0 + 1) / 2;
            int below = hist_below(H, mb);
            while (below + hist_bin(H, mb) <= k)
                below += hist_bin(H, mb++);
            while (below > k)
                below -= hist_bin(H, --mb);
            int j = k - below;
            uint32_t med = 0;
            size_t w0 = (size_t)mb << st.qshift, nw = (size_t)1 << st.qshift;
            for (size_t t0 = 0; t0 < nw; t0 += 4) {
                /* four words of the bin, ORed over the window's strips */
                uint64_t a[4] = {0, 0, 0, 0};
                for (int x = x0; x <= x1; x++) {
                    const uint64_t *p = st.bits + (size_t)x * stride + w0 + t0;
                    for (int i = 0; i < 4; i++)
                        a[i] |= p[i];
                }
                /* the word holding the j-th rank, from the counts up to
                 * each of the four (a bin of fewer words reads the next
                 * bin's too, but j is below its own count) */
                int c0 = __builtin_popcountll(a[0]), c1 = c0 + __builtin_popcountll(a[1]),
                    c2 = c1 + __builtin_popcountll(a[2]), c3 = c2 + __builtin_popcountll(a[3]);
                if (j >= c3) {
                    j -= c3;
                    continue;
                }
                int t = (j >= c0) + (j >= c1) + (j >= c2);
                int up[4] = {0, c0, c1, c2};
                med = (uint32_t)(w0 + t0 + (size_t)t) * 64u +
                      (uint32_t)select_bit(a[t], j - up[t]);
                break;
            }
            s->boff[by * bw + bx] = s->medbuf[med];
            if (bx - R >= 0)
                hist_add(H, st.hist + (size_t)(bx - R) * HW, -1);
            if (bx + R + 1 < bw)
                hist_add(H, st.hist + (size_t)(bx + R + 1) * HW, 1);
        }
    }
    for (int y = y0; y <= y1; y++)
        strips_row(&st, rank, y, 0);
}

int fg_smoke_local_offset(fg_smoke *s)
{
    if (offset_scratch(s) != FG_OK)
        return FG_ENOMEM;
    int n2 = s->p.block * s->p.block, bh = s->bh;
    for (int b = 0; b < s->nb; b++)
        s->bmean[b] = (float)((s->bsum[b] - (double)s->gain * s->ysum[b]) / n2);
    rank_values(s->bmean, s->nb, s->mkey, s->rank, s->medbuf);
    size_t per = med_per(s);
    /* offset_scratch made room for as many bands as this region has threads */
#ifdef _OPENMP
#pragma omp parallel
#endif
    {
        int t = 0, nt = 1;
#ifdef _OPENMP
        t = omp_get_thread_num();
        nt = omp_get_num_threads();
#endif
        int by0 = (int)((int64_t)bh * t / nt), by1 = (int)((int64_t)bh * (t + 1) / nt);
        if (by0 < by1)
            offsets_band(s, by0, by1, s->med + (size_t)t * per);
    }
    return FG_OK;
}
