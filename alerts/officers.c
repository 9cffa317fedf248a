/* officers.c — the grid officer registry: which officer answers for a grid cell or a village, and the township contact. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cpl_vsi.h>

/* A registry is a hand-kept table of at most a few thousand rows. */
#define OFF_MAX_BYTES (16u << 20)
#define OFF_MAX_FIELDS 32
/* ITU-T E.164 numbers have at most 15 digits; Chinese fixed lines without the area
 * code have 7 or 8, mobiles 11. */
#define OFF_PHONE_MIN 7
#define OFF_PHONE_MAX 15

struct fg_officers {
    fg_officer *o; /* sorted by unit */
    size_t n;
};

enum { C_UNIT, C_NAME, C_PHONE, C_TCONTACT, C_TPHONE, NCOL };

/* Accepted header names of each column (the documented English name first). */
static const char *const col_names[NCOL][4] = {
    {"unit", "单元", "网格", NULL},
    {"officer", "name", "网格员", NULL},
    {"phone", "电话", "网格员电话", NULL},
    {"township_contact", "乡镇联系人", NULL, NULL},
    {"township_phone", "乡镇电话", "乡镇联系电话", NULL},
};

/* A skipped row, reported after the whole file is read so that reports come in line
 * order whatever found them (a duplicate is only known once both rows are read). */
typedef struct off_skip {
    size_t line;
    char reason[200];
} off_skip;

/* A row that passed the row checks, with its line number. */
typedef struct off_row {
    fg_officer o;
    size_t line;
    int dup; /* a later row with a unit seen before */
} off_row;

typedef struct off_read {
    off_row *rows;
    size_t nrows, caprows;
    off_skip *skips;
    size_t nskips, capskips;
} off_read;

static void off_read_free(off_read *r)
{
    fg_free(r->rows);
    fg_free(r->skips);
}

static int off_add_skip(off_read *r, size_t line, const char *reason)
{
    if (r->nskips == r->capskips) {
        size_t nc = r->capskips ? 2 * r->capskips : 16;
        off_skip *p = fg_realloc(r->skips, nc * sizeof *p);
        if (!p)
            return FG_ENOMEM;
        r->skips = p;
        r->capskips = nc;
    }
    r->skips[r->nskips].line = line;
    snprintf(r->skips[r->nskips].reason, sizeof r->skips[0].reason, "%s", reason);
    r->nskips++;
    return FG_OK;
}

static int off_add_row(off_read *r, const fg_officer *o, size_t line)
{
    if (r->nrows == r->caprows) {
        size_t nc = r->caprows ? 2 * r->caprows : 64;
        off_row *p = fg_realloc(r->rows, nc * sizeof *p);
        if (!p)
            return FG_ENOMEM;
        r->rows = p;
        r->caprows = nc;
    }
    r->rows[r->nrows].o = *o;
    r->rows[r->nrows].line = line;
    r->rows[r->nrows].dup = 0;
    r->nrows++;
    return FG_OK;
}

/* Whole file through GDAL's VSI layer (plain files, /vsimem/, ...), NUL-terminated. */
static int off_slurp(const char *path, char **buf, size_t *len, fg_ctx *ctx)
{
    VSIStatBufL st;
    if (VSIStatL(path, &st) != 0)
        return fg_ctx_set(ctx, FG_ENOTFOUND, "%s: no such file", path);
    if (VSI_ISDIR(st.st_mode))
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: is a folder, not an officer CSV", path);
    if ((unsigned long long)st.st_size > OFF_MAX_BYTES)
        return fg_ctx_set(ctx, FG_ELIMIT, "%s: %llu bytes is too large for an officer registry",
                          path, (unsigned long long)st.st_size);
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (!fp)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot open", path);
    size_t want = (size_t)st.st_size;
    char *b = fg_malloc(want + 1);
    if (!b) {
        VSIFCloseL(fp);
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    }
    size_t got = VSIFReadL(b, 1, want, fp);
    VSIFCloseL(fp);
    if (got != want) {
        fg_free(b);
        return fg_ctx_set(ctx, FG_EIO, "%s: read error", path);
    }
    b[got] = '\0';
    *buf = b;
    *len = got;
    return FG_OK;
}


static char *off_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* A phone number: digits with an optional leading '+', and '-' or spaces between
 * groups; 7 to 15 digits. */
static int off_phone_ok(const char *p)
{
    int digits = 0;
    for (const char *s = p; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digits++;
        else if (*s == '+') {
            if (s != p)
                return 0;
        } else if (*s != '-' && *s != ' ')
            return 0;
    }
    return digits >= OFF_PHONE_MIN && digits <= OFF_PHONE_MAX;
}

/* A unit is a grid cell id ("1000m-E412-N4367", fg_cell_id) or a 12-digit village code. */
static int off_unit_ok(const char *u)
{
    size_t n = strlen(u), digits = 0;
    for (size_t i = 0; i < n; i++)
        digits += u[i] >= '0' && u[i] <= '9';
    if (n == 12 && digits == 12)
        return 1;
    const char *m = strstr(u, "m-E");
    const char *nn = m ? strstr(m, "-N") : NULL;
    if (!m || m == u || !nn)
        return 0;
    for (const char *s = u; s < m; s++)
        if (*s < '0' || *s > '9')
            return 0;
    for (const char *s = m + 3; *s; s++)
        if (!((*s >= '0' && *s <= '9') || *s == '.' || *s == '-' || *s == 'N'))
            return 0;
    return 1;
}

/* Copies a field; -1 when it does not fit. */
static int off_put(char *dst, size_t size, const char *s)
{
    size_t n = strlen(s);
    if (n >= size)
        return -1;
    memcpy(dst, s, n + 1);
    return 0;
}

/* Checks one data row; NULL or the reason it is malformed. */
static const char *off_row_check(char **f, int nf, const int *col, fg_officer *o, char *why,
                                 size_t wsize)
{
    memset(o, 0, sizeof *o);
    const char *v[NCOL];
    for (int c = 0; c < NCOL; c++)
        v[c] = col[c] >= 0 && col[c] < nf ? off_trim(f[col[c]]) : "";
    if (!*v[C_UNIT])
        return "no unit (grid cell id or village code)";
    if (!off_unit_ok(v[C_UNIT])) {
        snprintf(why, wsize,
                 "unit \"%.40s\" is neither a grid cell id (e.g. 1000m-E412-N4367) nor a "
                 "12-digit village code",
                 v[C_UNIT]);
        return why;
    }
    if (!*v[C_NAME])
        return "no officer name";
    if (!*v[C_PHONE])
        return "no phone";
    if (!off_phone_ok(v[C_PHONE])) {
        snprintf(why, wsize, "phone \"%.32s\" is not 7-15 digits (+, - and spaces allowed)",
                 v[C_PHONE]);
        return why;
    }
    if (*v[C_TPHONE] && !off_phone_ok(v[C_TPHONE])) {
        snprintf(why, wsize,
                 "township_phone \"%.32s\" is not 7-15 digits (+, - and spaces allowed)",
                 v[C_TPHONE]);
        return why;
    }
    if (off_put(o->unit, sizeof o->unit, v[C_UNIT]))
        return "unit longer than 31 bytes";
    if (off_put(o->name, sizeof o->name, v[C_NAME]))
        return "officer name longer than 63 bytes";
    if (off_put(o->phone, sizeof o->phone, v[C_PHONE]))
        return "phone longer than 31 bytes";
    if (off_put(o->town_contact, sizeof o->town_contact, v[C_TCONTACT]))
        return "township_contact longer than 63 bytes";
    if (off_put(o->town_phone, sizeof o->town_phone, v[C_TPHONE]))
        return "township_phone longer than 31 bytes";
    return NULL;
}

/* Finds the columns in the header; FG_EFORMAT naming a missing required column. */
static int off_header(char **f, int nf, int *col, const char *path, fg_ctx *ctx)
{
    for (int c = 0; c < NCOL; c++) {
        col[c] = -1;
        for (int i = 0; i < nf && col[c] < 0; i++) {
            const char *h = off_trim(f[i]);
            for (int k = 0; k < 4 && col_names[c][k]; k++)
                if (strcasecmp(h, col_names[c][k]) == 0)
                    col[c] = i;
        }
    }
    for (int c = C_UNIT; c <= C_PHONE; c++)
        if (col[c] < 0)
            return fg_ctx_set(ctx, FG_EFORMAT,
                              "%s: the header has no \"%s\" column (expected "
                              "unit,officer,phone,township_contact,township_phone)",
                              path, col_names[c][0]);
    return FG_OK;
}

/* Reads every line of buf into r. */
static int off_parse(char *buf, const char *path, off_read *r, fg_ctx *ctx)
{
    char *p = buf;
    if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
        p += 3; /* UTF-8 byte-order mark, as Excel writes it */
    int col[NCOL];
    int have_header = 0;
    size_t line = 0;
    while (*p) {
        char *e = strchr(p, '\n');
        char *next = e ? e + 1 : p + strlen(p);
        if (e)
            *e = '\0';
        size_t len = strlen(p);
        if (len && p[len - 1] == '\r')
            p[--len] = '\0';
        line++;
        char *text = p;
        p = next;
        char *fields[OFF_MAX_FIELDS];
        char *t = off_trim(text);
        if (!*t || *t == '#')
            continue; /* blank lines and comments */
        int nf = fg_csv_split(text, fields, OFF_MAX_FIELDS);
        if (nf > OFF_MAX_FIELDS)
            nf = -1;
        if (!have_header) {
            if (nf < 0)
                return fg_ctx_set(ctx, FG_EFORMAT, "%s:%zu: unreadable header", path, line);
            int rc = off_header(fields, nf, col, path, ctx);
            if (rc)
                return rc;
            have_header = 1;
            continue;
        }
        if (nf < 0) {
            if (off_add_skip(r, line, "broken quoting or more than 32 fields"))
                return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
            continue;
        }
        int blank = 1;
        for (int i = 0; i < nf && blank; i++)
            blank = !*off_trim(fields[i]);
        if (blank)
            continue; /* ",,,," as spreadsheets leave below the table */
        fg_officer o;
        char why[200];
        const char *bad = off_row_check(fields, nf, col, &o, why, sizeof why);
        int rc = bad ? off_add_skip(r, line, bad) : off_add_row(r, &o, line);
        if (rc)
            return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    }
    if (!have_header)
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: empty (no header line)", path);
    return FG_OK;
}

static int off_cmp_row(const void *a, const void *b)
{
    const off_row *x = a, *y = b;
    int c = strcmp(x->o.unit, y->o.unit);
    if (c)
        return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int off_cmp_skip(const void *a, const void *b)
{
    const off_skip *x = a, *y = b;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int off_cmp_unit(const void *key, const void *elem)
{
    return strcmp(key, ((const fg_officer *)elem)->unit);
}

int fg_officers_read(const char *path, fg_officers **out,
                     void (*skip)(void *user, const char *what, const char *reason), void *user,
                     fg_ctx *ctx)
{
    if (!path || !*path || !out)
        return fg_ctx_set(ctx, FG_EINVAL, "fg_officers_read: no path");
    char *buf = NULL;
    size_t len = 0;
    int rc = off_slurp(path, &buf, &len, ctx);
    if (rc)
        return rc;
    if (memchr(buf, '\0', len)) {
        fg_free(buf);
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: binary data, not a CSV text file", path);
    }
    off_read r = {0};
    rc = off_parse(buf, path, &r, ctx);
    fg_free(buf);
    fg_officers *o = NULL;
    if (rc == FG_OK) {
        /* duplicates: the first row of a unit (in file order) stays, later ones go */
        if (r.nrows)
            qsort(r.rows, r.nrows, sizeof *r.rows, off_cmp_row);
        for (size_t i = 1; i < r.nrows && rc == FG_OK; i++) {
            if (strcmp(r.rows[i].o.unit, r.rows[i - 1].o.unit) != 0)
                continue;
            size_t first = i - 1;
            while (r.rows[first].dup)
                first--;
            r.rows[i].dup = 1;
            char why[200];
            snprintf(why, sizeof why, "duplicate unit %s: line %zu repeats line %zu (kept)",
                     r.rows[i].o.unit, r.rows[i].line, r.rows[first].line);
            if (off_add_skip(&r, r.rows[i].line, why))
                rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
        }
    }
    if (rc == FG_OK && (!(o = fg_calloc(1, sizeof *o)) ||
                        !(o->o = fg_calloc(r.nrows ? r.nrows : 1, sizeof *o->o))))
        rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    if (rc != FG_OK) {
        if (o)
            fg_free(o->o);
        fg_free(o);
        off_read_free(&r);
        return rc;
    }
    for (size_t i = 0; i < r.nrows; i++)
        if (!r.rows[i].dup)
            o->o[o->n++] = r.rows[i].o;
    if (skip && r.nskips) {
        qsort(r.skips, r.nskips, sizeof *r.skips, off_cmp_skip);
        for (size_t i = 0; i < r.nskips; i++) {
            char what[600];
            snprintf(what, sizeof what, "%s:%zu", path, r.skips[i].line);
            skip(user, what, r.skips[i].reason);
        }
    }
    off_read_free(&r);
    *out = o;
    return FG_OK;
}

void fg_officers_free(fg_officers *o)
{
    if (!o)
        return;
    fg_free(o->o);
    fg_free(o);
}

const fg_officer *fg_officers_find(const fg_officers *o, const char *cell_id,
                                   const char *village_code)
{
    if (!o || !o->n)
        return NULL;
    const fg_officer *f = NULL;
    if (cell_id && *cell_id)
        f = bsearch(cell_id, o->o, o->n, sizeof *o->o, off_cmp_unit);
    if (!f && village_code && *village_code)
        f = bsearch(village_code, o->o, o->n, sizeof *o->o, off_cmp_unit);
    return f;
}
