/* feedback.c — officers' verification results (CSV) applied to the incident ledger in one transaction. */
/* SPDX-License-Identifier: MIT */
#include "alerts/feedback_int.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FB_MAXF 32 /* fields indexed per record; more are read and ignored */

/* Beijing time (UTC+8, no daylight saving since 1991): what officers write. */
#define FB_BEIJING_S (8 * 3600)

/* ------------------------------------------------------------ small text helpers */

/* Copies src into dst (size bytes), cut at a UTF-8 character boundary. */
static void copy_utf8(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* A short quotable copy of s for messages (at most ~60 bytes, whole characters). */
static const char *shorten(const char *s, char buf[72])
{
    copy_utf8(buf, 64, s);
    if (strlen(s) > strlen(buf))
        strcat(buf, "...");
    return buf;
}

static int utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            k = 1, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            k = 2, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            k = 3, min = 0x10000, c &= 0x07;
        } else {
            return 0;
        }
        if (i + k >= n)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
            c = (c << 6) | (s[i + j] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* GB18030 (a superset of GBK, what Chinese Excel writes for "CSV") → UTF-8. *out fg_free. */
static int gb18030_to_utf8(const char *in, size_t n, char **out, size_t *outn)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return FG_EFORMAT;
    size_t cap = 2 * n + 16; /* 2-byte GB → 3-byte UTF-8 is the largest growth (1.5×) */
    char *buf = fg_malloc(cap);
    if (!buf) {
        iconv_close(cd);
        return FG_ENOMEM;
    }
    char *ip = (char *)in, *op = buf;
    size_t il = n, ol = cap - 1;
    size_t r = iconv(cd, &ip, &il, &op, &ol);
    iconv_close(cd);
    if (r == (size_t)-1 || il != 0) {
        fg_free(buf);
        return FG_EFORMAT;
    }
    *op = '\0';
    *out = buf;
    *outn = (size_t)(op - buf);
    return FG_OK;
}


/* ------------------------------------------------------------------- CSV */

/* RFC 4180 records: fields separated by ',', optionally in double quotes (with ""
 * for a quote, and commas and line breaks inside); LF, CRLF or CR line ends.
 * Unquoted fields are trimmed of spaces and tabs. */
typedef struct csv_rd {
    const char *p, *end;
    int line;
    char *buf;
    size_t cap, len;
    size_t off[FB_MAXF];
    int nf;
    const char *err; /* why the current record is malformed, or NULL */
} csv_rd;

static int csv_put(csv_rd *r, char c)
{
    if (r->len + 1 >= r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 256;
        char *b = fg_realloc(r->buf, cap);
        if (!b)
            return FG_ENOMEM;
        r->buf = b;
        r->cap = cap;
    }
    r->buf[r->len++] = c;
    return FG_OK;
}

static void csv_eol(csv_rd *r)
{
    if (r->p < r->end && *r->p == '\r') {
        r->p++;
        if (r->p < r->end && *r->p == '\n')
            r->p++;
        r->line++;
    } else if (r->p < r->end && *r->p == '\n') {
        r->p++;
        r->line++;
    }
}

static int is_eol(const csv_rd *r) { return r->p >= r->end || *r->p == '\n' || *r->p == '\r'; }

/* Reads the next record: 1, 0 at the end, or FG_ENOMEM. *line: where it starts. */
static int csv_next(csv_rd *r, int *line)
{
    if (r->p >= r->end)
        return 0;
    *line = r->line;
    r->len = 0;
    r->nf = 0;
    r->err = NULL;
    for (;;) {
        size_t start = r->len;
        while (r->p < r->end && (*r->p == ' ' || *r->p == '\t'))
            r->p++;
        if (r->p < r->end && *r->p == '"') {
            r->p++;
            int closed = 0;
            while (r->p < r->end) {
                char c = *r->p;
                if (c == '"') {
                    if (r->p + 1 < r->end && r->p[1] == '"') {
                        if (csv_put(r, '"'))
                            return FG_ENOMEM;
                        r->p += 2;
                        continue;
                    }
                    r->p++;
                    closed = 1;
                    break;
                }
                if (c == '\n' || (c == '\r' && !(r->p + 1 < r->end && r->p[1] == '\n')))
                    r->line++;
                if (csv_put(r, c))
                    return FG_ENOMEM;
                r->p++;
            }
            if (!closed && !r->err)
                r->err = "a quoted field is not closed before the end of the file";
            while (r->p < r->end && (*r->p == ' ' || *r->p == '\t'))
                r->p++;
            if (r->p < r->end && *r->p != ',' && !is_eol(r)) {
                if (!r->err)
                    r->err = "text after a closing quote";
                while (r->p < r->end && *r->p != ',' && !is_eol(r))
                    r->p++;
            }
        } else {
            while (r->p < r->end && *r->p != ',' && !is_eol(r)) {
                if (csv_put(r, *r->p))
                    return FG_ENOMEM;
                r->p++;
            }
            while (r->len > start && (r->buf[r->len - 1] == ' ' || r->buf[r->len - 1] == '\t'))
                r->len--;
        }
        if (csv_put(r, '\0'))
            return FG_ENOMEM;
        if (r->nf < FB_MAXF)
            r->off[r->nf++] = start;
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        csv_eol(r);
        return 1;
    }
}

static const char *csv_field(const csv_rd *r, int i)
{
    return i >= 0 && i < r->nf ? r->buf + r->off[i] : "";
}

static int csv_blank(const csv_rd *r)
{
    for (int i = 0; i < r->nf; i++)
        if (csv_field(r, i)[0])
            return 0;
    return 1;
}

/* ------------------------------------------------------------ words and times */

int fg_feedback_result_parse(const char *s)
{
    /* English words are compared after folding case and '-'/' ' to '_'. */
    static const struct { const char *w; fg_incident_status st; } words[] = {
        {"confirmed", FG_INC_CONFIRMED},     {"confirmed_burning", FG_INC_CONFIRMED},
        {"burning", FG_INC_CONFIRMED},       {"false_alarm", FG_INC_FALSE_ALARM},
        {"false", FG_INC_FALSE_ALARM},       {"no_fire", FG_INC_FALSE_ALARM},
        {"industrial", FG_INC_INDUSTRIAL},   {"industrial_source", FG_INC_INDUSTRIAL},
        {"out", FG_INC_OUT},                 {"already_out", FG_INC_OUT},
        {"extinguished", FG_INC_OUT},
        /* fg_incident_status_name's Chinese names, and the words of 核查反馈 forms:
         * 属实 / 不属实 (the report is / is not true). */
        {"确认焚烧", FG_INC_CONFIRMED},      {"焚烧", FG_INC_CONFIRMED},
        {"属实", FG_INC_CONFIRMED},          {"误报", FG_INC_FALSE_ALARM},
        {"不属实", FG_INC_FALSE_ALARM},      {"无火情", FG_INC_FALSE_ALARM},
        {"工业热源", FG_INC_INDUSTRIAL},     {"工业", FG_INC_INDUSTRIAL},
        {"已熄灭", FG_INC_OUT},              {"熄灭", FG_INC_OUT},
    };
    char w[64];
    size_t n = 0;
    if (!s)
        return -1;
    while (*s == ' ' || *s == '\t')
        s++;
    for (; *s && n + 1 < sizeof w; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        else if (c == '-' || c == ' ')
            c = '_';
        w[n++] = c;
    }
    if (*s)
        return -1;
    while (n > 0 && w[n - 1] == '_')
        n--;
    w[n] = '\0';
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(w, words[i].w) == 0)
            return (int)words[i].st;
    return -1;
}

int fg_feedback_time_parse(const char *s, int64_t *t_utc)
{
    char b[64];
    if (!s || !t_utc)
        return FG_EINVAL;
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n < 10 || n + 2 >= sizeof b)
        return FG_EINVAL;
    memcpy(b, s, n);
    b[n] = '\0';
    /* The date: digits and '-' (or Excel's '/') up to the clock separator. */
    size_t i = 0;
    for (; b[i] && b[i] != 'T' && b[i] != 't' && b[i] != ' '; i++) {
        if (b[i] == '/')
            b[i] = '-';
        else if (b[i] != '-' && (b[i] < '0' || b[i] > '9'))
            return FG_EINVAL;
    }
    if (!b[i])
        return FG_EINVAL; /* a date alone cannot be compared with a satellite pass */
    b[i] = 'T';
    /* The zone: Z, or ±HH[:MM] after the clock time; ±HHMM gets its colon. */
    int zoned = 0;
    for (size_t j = i + 1; b[j]; j++) {
        if (b[j] == 'z' || b[j] == 'Z') {
            b[j] = 'Z';
            zoned = 1;
            break;
        }
        if (b[j] == '+' || b[j] == '-') {
            zoned = 1;
            size_t k = strlen(b + j + 1);
            if (k == 4 && strspn(b + j + 1, "0123456789") == 4) {
                memmove(b + j + 4, b + j + 3, 3); /* "HHMM\0" → "HH:MM\0" */
                b[j + 3] = ':';
            } else if (!(k == 2 && strspn(b + j + 1, "0123456789") == 2) &&
                       !(k == 5 && b[j + 3] == ':')) {
                return FG_EINVAL;
            }
            break;
        }
    }
    int64_t t;
    if (fg_time_parse(b, &t) != FG_OK)
        return FG_EINVAL;
    *t_utc = zoned ? t : t - FB_BEIJING_S;
    return FG_OK;
}

void fg_feedback_row_key(const fg_feedback_row *r, char *key, size_t keysize)
{
    uint64_t h = FG_FNV64_OFFSET;
    h = fg_fnv1a64(h, r->officer, strlen(r->officer) + 1); /* the NUL separates the two */
    h = fg_fnv1a64(h, r->comment, strlen(r->comment));
    snprintf(key, keysize, "feedback:%s:%d:%lld:%016llx", r->incident_id, (int)r->status,
             (long long)r->t, (unsigned long long)h);
}

/* ---------------------------------------------------------------- parsing */

enum { COL_ID, COL_RESULT, COL_TIME, COL_OFFICER, COL_COMMENT, NCOL };

static int header_column(const char *name)
{
    static const struct { const char *n; int col; } names[] = {
        {"incident_id", COL_ID}, {"incident", COL_ID},     {"id", COL_ID},
        {"编号", COL_ID},        {"事件编号", COL_ID},     {"result", COL_RESULT},
        {"status", COL_RESULT},  {"结果", COL_RESULT},     {"核查结果", COL_RESULT},
        {"time", COL_TIME},      {"checked_at", COL_TIME}, {"时间", COL_TIME},
        {"核查时间", COL_TIME},  {"officer", COL_OFFICER}, {"网格员", COL_OFFICER},
        {"核查人", COL_OFFICER}, {"comment", COL_COMMENT}, {"note", COL_COMMENT},
        {"备注", COL_COMMENT},   {"说明", COL_COMMENT},
    };
    char w[48];
    size_t n = 0;
    for (; *name && n + 1 < sizeof w; name++)
        w[n++] = (*name >= 'A' && *name <= 'Z') ? (char)(*name - 'A' + 'a') : *name;
    if (*name)
        return -1;
    w[n] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(w, names[i].n) == 0)
            return names[i].col;
    return -1;
}

typedef void (*fb_skip_fn)(void *user, const char *what, const char *reason);

static void skip_row(fb_skip_fn skip, void *user, const char *path, int line, const char *reason)
{
    if (!skip)
        return;
    char what[600];
    snprintf(what, sizeof what, "%s:%d", path, line);
    skip(user, what, reason);
}

int fg_feedback_parse(const char *path, const char *text, size_t len, fg_feedback_row **rows,
                      size_t *nrows, int *nbad, fb_skip_fn skip, void *user, fg_ctx *ctx)
{
    if (!path || (!text && len) || !rows || !nrows || !nbad)
        return fg_ctx_set(ctx, FG_EINVAL, "feedback: bad arguments");
    char *conv = NULL;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    if (len && memchr(text, '\0', len))
        return fg_ctx_set(ctx, FG_EFORMAT, "%s: not a text file (it holds NUL bytes)", path);
    if (!utf8_valid((const unsigned char *)text, len)) {
        size_t n2;
        int rc = gb18030_to_utf8(text, len, &conv, &n2);
        if (rc == FG_ENOMEM)
            return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
        if (rc != FG_OK)
            return fg_ctx_set(ctx, FG_EFORMAT,
                              "%s: neither UTF-8 nor GB18030 text (save it as \"CSV UTF-8\")",
                              path);
        text = conv;
        len = n2;
    }

    csv_rd r = {.p = text, .end = text + len, .line = 1};
    fg_feedback_row *out = NULL;
    size_t nout = 0, cap = 0, ndata = 0;
    int bad = 0, rc = FG_OK, line = 0, got;
    int col[NCOL];
    for (int c = 0; c < NCOL; c++)
        col[c] = -1;

    /* The header: the first record that is not blank. */
    while ((got = csv_next(&r, &line)) == 1 && csv_blank(&r))
        ;
    if (got < 0) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    if (got == 0) {
        rc = fg_ctx_set(ctx, FG_EFORMAT, "%s: empty: no header incident_id,result,time", path);
        goto done;
    }
    for (int i = 0; i < r.nf; i++) {
        int c = header_column(csv_field(&r, i));
        if (c < 0)
            continue; /* other columns (a township, a phone) are carried along, unused */
        if (col[c] >= 0) {
            rc = fg_ctx_set(ctx, FG_EFORMAT, "%s:%d: column '%s' appears twice", path, line,
                            csv_field(&r, i));
            goto done;
        }
        col[c] = i;
    }
    if (col[COL_ID] < 0 || col[COL_RESULT] < 0 || col[COL_TIME] < 0) {
        rc = fg_ctx_set(ctx, FG_EFORMAT,
                        "%s:%d: the header lacks %s%s%s (expected incident_id,result,time"
                        "[,officer][,comment])",
                        path, line, col[COL_ID] < 0 ? "incident_id " : "",
                        col[COL_RESULT] < 0 ? "result " : "", col[COL_TIME] < 0 ? "time" : "");
        goto done;
    }

    while ((got = csv_next(&r, &line)) == 1) {
        if (csv_blank(&r))
            continue;
        ndata++;
        char reason[400], s1[72];
        fg_feedback_row row;
        memset(&row, 0, sizeof row);
        row.line = line;
        const char *id = csv_field(&r, col[COL_ID]);
        const char *res = csv_field(&r, col[COL_RESULT]);
        const char *tm = csv_field(&r, col[COL_TIME]);
        int st;
        if (r.err) {
            snprintf(reason, sizeof reason, "malformed row: %s", r.err);
        } else if (!id[0]) {
            snprintf(reason, sizeof reason, "no incident id");
        } else if (strlen(id) >= sizeof row.incident_id) {
            snprintf(reason, sizeof reason, "unknown incident '%s'", shorten(id, s1));
        } else if ((st = fg_feedback_result_parse(res)) < 0) {
            snprintf(reason, sizeof reason,
                     "unknown result '%s' (expected confirmed, false_alarm, industrial, out, "
                     "or 确认焚烧, 误报, 工业热源, 已熄灭)",
                     shorten(res, s1));
        } else if (fg_feedback_time_parse(tm, &row.t) != FG_OK) {
            snprintf(reason, sizeof reason,
                     "bad time '%s' (expected ISO 8601 such as 2026-10-15T14:30, Beijing time "
                     "when no zone is given)",
                     shorten(tm, s1));
        } else {
            row.status = (fg_incident_status)st;
            snprintf(row.incident_id, sizeof row.incident_id, "%s", id);
            copy_utf8(row.officer, sizeof row.officer, csv_field(&r, col[COL_OFFICER]));
            copy_utf8(row.comment, sizeof row.comment, csv_field(&r, col[COL_COMMENT]));
            if (nout == cap) {
                size_t nc = cap ? 2 * cap : 16;
                fg_feedback_row *g = fg_realloc(out, nc * sizeof *g);
                if (!g) {
                    rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
                    goto done;
                }
                out = g;
                cap = nc;
            }
            out[nout++] = row;
            continue;
        }
        bad++;
        skip_row(skip, user, path, line, reason);
    }
    if (got < 0)
        rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);

done:
    fg_free(r.buf);
    fg_free(conv);
    if (rc != FG_OK) {
        fg_free(out);
        return rc;
    }
    *rows = out;
    *nrows = ndata;
    *nbad = bad;
    return FG_OK;
}

/* ------------------------------------------------------------------ apply */

static int read_all(const char *path, char **out, size_t *n, fg_ctx *ctx)
{
    unsigned char *buf = NULL;
    int rc = fg_read_file(path, FG_FEEDBACK_MAX_BYTES, &buf, n, ctx);
    if (rc == FG_ELIMIT)
        rc = fg_ctx_set(ctx, FG_ELIMIT, "%s: larger than %u MiB; not a feedback file?", path,
                        FG_FEEDBACK_MAX_BYTES >> 20);
    if (rc == FG_OK)
        *out = (char *)buf;
    return rc;
}

static int cmp_inc_ptr(const void *a, const void *b)
{
    const fg_incident *x = *(const fg_incident *const *)a, *y = *(const fg_incident *const *)b;
    return strcmp(x->id, y->id);
}

static fg_incident *find_incident(fg_incident **idx, size_t n, const char *id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(idx[mid]->id, id);
        if (c == 0)
            return idx[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* How one applied feedback row changes its incident.
 *  - The history always receives the row (fg_ledger_status_add).
 *  - The current status becomes the row's when the incident still carries a machine
 *    status (new, ongoing) or the row is not older than the current status: officers'
 *    word beats the pipeline's, and the latest officer's word beats earlier ones, in
 *    whatever order the files arrive.
 *  - checked_at is the earliest feedback time: the county summary's "how fast".
 *  - "industrial" moves the incident to the county's industrial list (cls industrial,
 *    marked as reported by the officer, so the candidate search still proposes it for
 *    the registry); a later "confirmed burning" moves it back. A registry match is
 *    never undone here. */
static int incident_update(fg_incident *inc, const fg_feedback_row *r)
{
    int changed = 0;
    int machine = inc->status == FG_INC_NEW || inc->status == FG_INC_ONGOING;
    int from_registry = inc->cls == FG_ALERT_INDUSTRIAL &&
                        strcmp(inc->static_id, FG_FEEDBACK_STATIC_ID) != 0;
    if (machine || r->t >= inc->status_time) {
        inc->status = r->status;
        inc->status_time = r->t;
        changed = 1;
        if (r->status == FG_INC_INDUSTRIAL && inc->cls != FG_ALERT_INDUSTRIAL) {
            inc->cls = FG_ALERT_INDUSTRIAL;
            snprintf(inc->static_id, sizeof inc->static_id, "%s", FG_FEEDBACK_STATIC_ID);
            snprintf(inc->static_name, sizeof inc->static_name, "%s",
                     "确认工业热源（网格员反馈）");
        } else if (r->status == FG_INC_CONFIRMED && inc->cls == FG_ALERT_INDUSTRIAL &&
                   !from_registry) {
            inc->cls = FG_ALERT_STRAW;
            inc->static_id[0] = inc->static_name[0] = '\0';
        }
    }
    if (inc->checked_at == 0 || r->t < inc->checked_at) {
        inc->checked_at = r->t;
        changed = 1;
    }
    return changed;
}

int fg_feedback_apply(fg_ledger *l, const char *path, fg_feedback_summary *sum, fb_skip_fn skip,
                      void *user, fg_ctx *ctx)
{
    fg_feedback_summary s = {0, 0, 0, 0};
    if (sum)
        *sum = s;
    if (!l || !path)
        return fg_ctx_set(ctx, FG_EINVAL, "feedback: no ledger or no file");
    char *text = NULL;
    size_t len = 0;
    int rc = read_all(path, &text, &len, ctx);
    if (rc != FG_OK)
        return rc;
    fg_feedback_row *rows = NULL;
    size_t nrows = 0;
    int nbad = 0;
    rc = fg_feedback_parse(path, text, len, &rows, &nrows, &nbad, skip, user, ctx);
    fg_free(text);
    if (rc != FG_OK)
        return rc;
    s.rows = (int)nrows;
    s.skipped = nbad;
    size_t ngood = nrows - (size_t)nbad;

    fg_incident *inc = NULL, **idx = NULL;
    unsigned char *dirty = NULL;
    size_t ninc = 0;
    int in_tx = 0;
    rc = fg_ledger_begin(l, ctx);
    if (rc != FG_OK)
        goto fail;
    in_tx = 1;
    /* Read inside the transaction: a `firegrid run` cannot change them under us. */
    rc = fg_ledger_incidents(l, &inc, &ninc, ctx);
    if (rc != FG_OK)
        goto fail;
    idx = fg_malloc((ninc ? ninc : 1) * sizeof *idx);
    dirty = fg_calloc(ninc ? ninc : 1, 1);
    if (!idx || !dirty) {
        rc = fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
        goto fail;
    }
    for (size_t i = 0; i < ninc; i++)
        idx[i] = &inc[i];
    qsort(idx, ninc, sizeof *idx, cmp_inc_ptr);

    for (size_t i = 0; i < ngood; i++) {
        const fg_feedback_row *r = &rows[i];
        char reason[300], t0[24], key[160];
        fg_incident *in = find_incident(idx, ninc, r->incident_id);
        if (!in) {
            snprintf(reason, sizeof reason, "unknown incident '%s' (not in the ledger)",
                     r->incident_id);
            skip_row(skip, user, path, r->line, reason);
            s.skipped++;
            continue;
        }
        /* Officers write minutes; a time in the minute of first detection is accepted. */
        if (r->t / 60 < in->first_seen / 60) {
            fg_time_format(in->first_seen + FB_BEIJING_S, t0); /* shown as officers write it */
            t0[10] = ' ';
            t0[16] = '\0';
            snprintf(reason, sizeof reason,
                     "time is before incident %s was first seen (%s Beijing time); check the "
                     "date and the zone (no zone = Beijing time)",
                     in->id, t0);
            skip_row(skip, user, path, r->line, reason);
            s.skipped++;
            continue;
        }
        fg_feedback_row_key(r, key, sizeof key);
        int seen = 0;
        rc = fg_ledger_input_seen(l, key, &seen, ctx);
        if (rc != FG_OK)
            goto fail;
        if (seen) {
            s.repeated++;
            continue;
        }
        rc = fg_ledger_status_add(l, in->id, r->status, r->t, r->officer, r->comment, ctx);
        if (rc == FG_OK)
            rc = fg_ledger_input_add(l, key, "feedback", ctx);
        if (rc != FG_OK)
            goto fail;
        if (incident_update(in, r))
            dirty[in - inc] = 1;
        s.applied++;
    }
    for (size_t i = 0; i < ninc; i++) {
        if (!dirty[idx[i] - inc])
            continue;
        rc = fg_ledger_incident_put(l, idx[i], ctx);
        if (rc != FG_OK)
            goto fail;
    }
    if (s.applied > 0) {
        rc = fg_ledger_commit(l, ctx);
        if (rc != FG_OK)
            goto fail;
    } else {
        fg_ledger_rollback(l); /* nothing to write: leave the file untouched */
    }
    in_tx = 0;
    fg_free(idx);
    fg_free(dirty);
    fg_free(inc);
    fg_free(rows);
    if (sum)
        *sum = s;
    return FG_OK;

fail:
    if (in_tx)
        fg_ledger_rollback(l);
    fg_free(idx);
    fg_free(dirty);
    fg_free(inc);
    fg_free(rows);
    s.applied = s.repeated = 0;
    if (sum)
        *sum = s;
    if (rc != FG_ENOMEM)
        rc = FG_EIO;
    if (ctx) {
        ctx->code = rc;
        fg_ctx_prefix(ctx, "%s: nothing applied, the ledger is as before", path);
    }
    return rc;
}
