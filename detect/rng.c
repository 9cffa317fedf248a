/* rng.c — deterministic random numbers and value noise for synthetic inputs and benchmarks. */
/* SPDX-License-Identifier: MIT */
#include "detect/detect.h"

#include <math.h>

#define GOLDEN_GAMMA 0x9e3779b97f4a7c15ULL

uint64_t fg_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t fg_rng_next(fg_rng *r)
{
    r->s += GOLDEN_GAMMA;
    return fg_mix64(r->s);
}

double fg_rng_unit(fg_rng *r) { return (double)(fg_rng_next(r) >> 11) * 0x1.0p-53; }

double fg_rng_range(fg_rng *r, double a, double b) { return a + (b - a) * fg_rng_unit(r); }

double fg_rng_gauss(fg_rng *r)
{
    double u1 = 1.0 - fg_rng_unit(r); /* (0, 1], so the logarithm is finite */
    double u2 = fg_rng_unit(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.14159265358979323846 * u2);
}

double fg_hash01(uint64_t salt, int64_t i, int64_t j)
{
    uint64_t h = fg_mix64(salt ^ fg_mix64((uint64_t)i * GOLDEN_GAMMA ^
                                          fg_mix64((uint64_t)j + 0x632be59bd9b4e019ULL)));
    return (double)(h >> 11) * 0x1.0p-53;
}

double fg_value_noise(uint64_t salt, double x, double y)
{
    double fx = floor(x), fy = floor(y);
    int64_t ix = (int64_t)fx, iy = (int64_t)fy;
    double tx = x - fx, ty = y - fy;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    double a = fg_hash01(salt, ix, iy), b = fg_hash01(salt, ix + 1, iy);
    double c = fg_hash01(salt, ix, iy + 1), d = fg_hash01(salt, ix + 1, iy + 1);
    return (a + (b - a) * tx) * (1 - ty) + (c + (d - c) * tx) * ty;
}

uint64_t fg_fnv1a64(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}
