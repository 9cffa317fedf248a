/* feedback_int.h — internals of officers' feedback files (alerts/feedback.c), shared with its tests. */
/* SPDX-License-Identifier: MIT */
#ifndef FG_FEEDBACK_INT_H
#define FG_FEEDBACK_INT_H

#include "alerts/alerts.h"

/* Largest feedback file read (a season of a county's feedback is well under 1 MiB). */
#define FG_FEEDBACK_MAX_BYTES (64u << 20)

/* One well-formed data row of a feedback file. */
typedef struct fg_feedback_row {
    int line;                /* 1-based line where the row starts */
    char incident_id[24];
    fg_incident_status status; /* FG_INC_CONFIRMED, _FALSE_ALARM, _INDUSTRIAL or _OUT */
    int64_t t;               /* UTC */
    char officer[96];        /* UTF-8, cut at a character boundary */
    char comment[512];
} fg_feedback_row;

/* A result word in English or Chinese → status; -1 when unknown. English is matched
 * without case, with '-' and ' ' read as '_'. */
int fg_feedback_result_parse(const char *s);

/* ISO 8601 date and clock time → UTC. "YYYY-MM-DD[T| ]HH:MM[:SS][Z|±HH[:]MM]", and the
 * slashes Excel writes ("2026/10/15 14:30"); without a zone the time is Beijing time
 * (UTC+8). A date without a clock time is refused. FG_OK or FG_EINVAL. */
int fg_feedback_time_parse(const char *s, int64_t *t_utc);

/* Parses the bytes of a feedback file (path only names it in messages): optional UTF-8
 * BOM (GB18030 text, as Chinese Excel saves CSV, is converted), a header naming the
 * columns incident_id,result,time[,officer][,comment] in any order (or 编号,结果,时间,
 * 网格员,备注), RFC 4180 quoting. Blank rows are ignored; every other row is counted in
 * *nrows and either returned in *rows (fg_free; NULL when none) or reported through
 * skip(user, "path:line", reason) and counted in *nbad. Returns FG_OK, FG_EFORMAT (no
 * header, a required column missing or doubled, not text) or FG_ENOMEM; on failure no
 * out-parameter changes. */
int fg_feedback_parse(const char *path, const char *text, size_t len, fg_feedback_row **rows,
                      size_t *nrows, int *nbad,
                      void (*skip)(void *user, const char *what, const char *reason),
                      void *user, fg_ctx *ctx);

/* The ledger key that marks a row as applied: incident, status, time and a hash of
 * officer and comment, so an identical row is recognised in any later file. */
void fg_feedback_row_key(const fg_feedback_row *r, char *key, size_t keysize);

/* static_id given to incidents that officers reported as industrial (not from the
 * registry); fg_candidates_find does not treat these as registered sources. */
#define FG_FEEDBACK_STATIC_ID "feedback"

#endif
