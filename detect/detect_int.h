/* detect_int.h — internals shared by fg_detect's own files; not API. */
/* SPDX-License-Identifier: MIT */
#ifndef FG_DETECT_INT_H
#define FG_DETECT_INT_H

#include <stddef.h>

/* Union-find over element indices with path halving. The smaller index always
 * becomes the root, so a set's root is its first element in scan order and labels
 * come out in raster order whatever the order of the unions. */
static inline size_t fg_uf_find(size_t *parent, size_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static inline void fg_uf_union(size_t *parent, size_t a, size_t b)
{
    a = fg_uf_find(parent, a);
    b = fg_uf_find(parent, b);
    if (a < b)
        parent[b] = a;
    else if (b < a)
        parent[a] = b;
}

#endif
