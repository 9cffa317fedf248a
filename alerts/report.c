/* report.c — the run report: report.html with summary, township counts, SVG map and incident cards, and one decision-record page per incident. */
/* SPDX-License-Identifier: MIT */
#include "alerts/alerts.h"
#include "alerts/grid_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ text buffer */

typedef struct rp_buf {
    char *p;
    size_t n, cap;
    int oom;
} rp_buf;

static void rb_put(rp_buf *b, const char *s, size_t len)
{
    if (b->oom)
        return;
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + len + 1)
            cap *= 2;
        char *np = fg_realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
}

static void rb_s(rp_buf *b, const char *s)
{
    rb_put(b, s, strlen(s));
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void rb_f(rp_buf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    if ((size_t)k < sizeof tmp) {
        rb_put(b, tmp, (size_t)k);
        return;
    }
    char *big = fg_malloc((size_t)k + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)k + 1, fmt, ap);
    va_end(ap);
    rb_put(b, big, (size_t)k);
    fg_free(big);
}

/* Text from inputs (names, camera ids, paths, comments) is escaped for HTML element
 * content and quoted attributes alike. */
static void rb_esc(rp_buf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (rep) {
            rb_put(b, run, (size_t)(s - run));
            rb_s(b, rep);
            run = s + 1;
        }
    }
    rb_put(b, run, (size_t)(s - run));
}

static void rb_num(rp_buf *b, const char *fmt, double v)
{
    if (v == v)
        rb_f(b, fmt, v);
    else
        rb_s(b, "–");
}

static int rb_save(rp_buf *b, const char *path, fg_ctx *ctx)
{
    if (b->oom)
        return fg_ctx_set(ctx, FG_ENOMEM, "%s: out of memory", path);
    /* ".<name>.tmp<pid>.html": the name a restarted run removes when a kill -9
     * left it (run.c, remove_stale_tmp) */
    char tmp[1400];
    if (fg_tmp_path(path, tmp, sizeof tmp) != FG_OK)
        return fg_ctx_set(ctx, FG_EINVAL, "%s: path too long", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot create: %s", tmp, strerror(errno));
    size_t w = b->n ? fwrite(b->p, 1, b->n, f) : 0;
    int bad = w != b->n;
    if (fclose(f) != 0)
        bad = 1;
    if (bad) {
        int e = errno;
        remove(tmp);
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot write: %s", path, strerror(e));
    }
    return fg_commit_tmp(tmp, path, ctx);
}

/* --------------------------------------------------------------- strings */

enum {
    T_TITLE, T_SUMMARY, T_INPUTS_READ, T_INPUTS_SKIPPED, T_SKIPPED_LIST, T_INC_NEW,
    T_INC_ONGOING, T_INC_CLOSED, T_INC_TOTAL, T_TOWNS, T_TOWN, T_COUNT, T_STRAW, T_INDUSTRIAL,
    T_OUTSIDE, T_MAP, T_MAP_NOTE, T_INCIDENTS, T_NONE, T_FIRST, T_LAST, T_PLACE, T_SOURCES,
    T_PEAK_CONF, T_PEAK_FRP, T_STATUS, T_DETAILS, T_HOTSPOTS, T_SENSOR, T_TIME, T_POS, T_CONF,
    T_FRP, T_BT, T_SMOKE, T_PIXEL, T_FOOTPRINT, T_EVIDENCE, T_HISTORY, T_HISTORY_NOTE,
    T_TESTS_NOTE, T_BACK, T_LAND, T_CELL, T_CLASS, T_PERIOD, T_CHECKED, T_NO_EVIDENCE,
    T_BEFORE, T_DATA_TIME, T_INCIDENT, T_BONFIRE, T_STATIC, T_KIND, T_SAT, T_CAM, T_WHO,
    T_COMMENT, T_DECISION, T_TESTS_PASSED, T_BG_MEAN, T_BG_MAD, T_WINDOW, T_PERSISTED, T_BLOCKS,
    T_COUNT_
};

static const char *const T_ZH[T_COUNT_] = {
    "秸秆焚烧火点监测报告", "本次运行", "读取输入", "跳过输入", "跳过的输入", "新发现",
    "持续", "已结案", "事件总数", "各乡镇事件数", "乡镇", "事件", "疑似秸秆焚烧", "工业热源",
    "县界外 / 邻近", "地图", "示意：县内村界（灰）与事件位置（圆点）；无在线底图。", "事件",
    "无", "首次发现", "最近发现", "位置", "来源", "最高置信度", "最大火辐射功率", "状态",
    "详细记录", "合并的热点", "传感器 / 摄像头", "时间（北京）", "位置（纬度, 经度）", "置信度",
    "火辐射功率 (MW)", "亮温 中红外 / 热红外 (K)", "烟雾得分", "像元 / 烟雾框", "足迹",
    "证据图像", "状态记录", "台账中无状态变更记录，此处显示当前状态。",
    "每个热点的判定依据（通过的判据、背景均值与偏差、烟雾持续）见下方“判定依据”；“–”表示未知"
    "（旧台账，或该来源不产生此值）。", "返回报告", "土地类型",
    "网格", "类别", "重点时段", "首次核查", "无法生成证据图像", "报警前一帧", "数据时间",
    "事件", "可能为旺火", "静态热源", "类型", "卫星", "摄像头", "操作人", "备注", "判定依据",
    "通过的判据", "背景均值 中红外 / 热红外 / ΔT (K)", "背景平均绝对偏差 中红外 / 热红外 / ΔT (K)",
    "背景窗口（有效像元）", "烟雾持续帧数", "烟雾区块数"};

static const char *const T_EN[T_COUNT_] = {
    "Straw-burning fire report", "This run", "Inputs read", "Inputs skipped", "Skipped inputs",
    "New", "Ongoing", "Closed", "Incidents", "Incidents by township", "Township", "Incidents",
    "Suspected straw burning", "Industrial heat source", "Outside the county / neighbouring",
    "Map", "Sketch: the county's village polygons (grey) and incidents (dots); no web map.",
    "Incidents", "None", "First seen", "Last seen", "Place", "Sources", "Peak confidence",
    "Peak FRP", "Status", "Full record", "Hotspots merged", "Sensor / camera", "Time (Beijing)",
    "Position (lat, lon)", "Confidence", "FRP (MW)", "BT MIR / TIR (K)", "Smoke score",
    "Pixel / smoke box", "Footprint", "Evidence images", "Status history",
    "No status change is recorded in the ledger: the current status is shown.",
    "Each hotspot's decision (tests passed, background means and deviations, smoke "
    "persistence) is under “Decision record” below; “–” is unknown (an older "
    "ledger, or a value its source does not produce).",
    "Back to the report", "Land class", "Grid cell", "Class", "Key period", "First checked",
    "Evidence image could not be made", "Frame before the alarm", "Data time", "Incident",
    "Possible bonfire", "Static heat source", "Kind", "satellite", "camera", "By",
    "Comment", "Decision record", "Tests passed", "Background mean MIR / TIR / ΔT (K)",
    "Background mean absolute deviation MIR / TIR / ΔT (K)", "Background window (valid pixels)",
    "Frames persisted", "Smoke blocks"};

/* Names of the FG_TEST_* bits, in bit order: the contextual tests of Giglio et al. (2003,
 * RSE 87:273, eqs. 1–6) as the detector numbers them, then the rejections. */
#define RP_NTESTS 11
static const char *const TESTS_ZH[RP_NTESTS] = {
    "潜在火点", "绝对阈值", "ΔT 高于背景（k·δ）", "ΔT 高于背景（绝对）", "T4 高于背景",
    "T11 条件", "背景火点", "饱和", "排除：太阳耀斑", "排除：荒漠边界", "排除：海岸"};
static const char *const TESTS_EN[RP_NTESTS] = {
    "potential", "absolute", "ΔT vs background (k·δ)", "ΔT vs background (+abs)",
    "T4 vs background", "T11", "background fires", "saturated", "rejected: sun glint",
    "rejected: desert boundary", "rejected: coastal"};

typedef struct rp_lang {
    const char *const *t;
    const char *code; /* "zh" or "en" */
    const char *const *tests; /* names of the FG_TEST_* bits */
} rp_lang;

static rp_lang rp_lang_of(const char *lang)
{
    rp_lang l;
    int en = lang && strcmp(lang, "en") == 0;
    l.t = en ? T_EN : T_ZH;
    l.code = en ? "en" : "zh";
    l.tests = en ? TESTS_EN : TESTS_ZH;
    return l;
}

/* Beijing time (UTC+8), the time the county works in. */
static void bj_time(int64_t t, char *out, size_t n)
{
    if (t <= 0) {
        snprintf(out, n, "–");
        return;
    }
    time_t tt = (time_t)(t + 8 * 3600);
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, n, "%Y-%m-%d %H:%M", &tm);
}

static int id_ok(const char *id)
{
    if (!id || !id[0] || strlen(id) > 32)
        return 0;
    for (const char *p = id; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
              *p == '-' || *p == '_'))
            return 0;
    return 1;
}

/* ------------------------------------------------------------- an incident */

typedef struct rp_inc {
    fg_incident inc;
    fg_alert *hs;
    size_t nhs;
    fg_evidence *ev;
    char (*everr)[200]; /* "" = made */
    fg_status_entry *st; /* status history, in time order */
    size_t nst;
} rp_inc;

static void rp_inc_free(rp_inc *r)
{
    fg_free(r->hs);
    fg_free(r->ev);
    fg_free(r->everr);
    fg_free(r->st);
}

static int rp_inc_load(const char *out_dir, fg_ledger *ledger, const fg_incident *inc, int force,
                       rp_inc *r, fg_ctx *ctx)
{
    memset(r, 0, sizeof *r);
    r->inc = *inc;
    int rc = fg_ledger_hotspots_of(ledger, inc->id, &r->hs, &r->nhs, ctx);
    if (rc != FG_OK)
        return rc;
    rc = fg_ledger_status_history(ledger, inc->id, &r->st, &r->nst, ctx);
    if (rc != FG_OK) {
        rp_inc_free(r);
        return rc;
    }
    if (r->nhs) {
        fg_alerts_sort(r->hs, r->nhs);
        r->ev = fg_calloc(r->nhs, sizeof *r->ev);
        r->everr = fg_calloc(r->nhs, sizeof *r->everr);
        if (!r->ev || !r->everr) {
            rp_inc_free(r);
            return fg_ctx_set(ctx, FG_ENOMEM, "report: out of memory");
        }
    }
    for (size_t k = 0; k < r->nhs; k++) {
        fg_ctx ec = {0};
        if (fg_evidence_write(out_dir, inc->id, r->hs, r->nhs, k, force, &r->ev[k], &ec) != FG_OK)
            snprintf(r->everr[k], sizeof r->everr[k], "%s", ec.msg[0] ? ec.msg : "error");
    }
    return FG_OK;
}

static const char *CSS =
    "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:16px 24px;"
    "color:#222;background:#fafafa}h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;"
    "border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:24px}"
    "table{border-collapse:collapse;font-size:13px;margin:6px 0}td,th{border:1px solid #ccc;"
    "padding:3px 7px;text-align:left;vertical-align:top}th{background:#eee}"
    ".num{text-align:right}.kpi{display:inline-block;background:#fff;border:1px solid #ccc;"
    "border-radius:6px;padding:6px 14px;margin:0 8px 8px 0}.kpi b{font-size:20px;display:block}"
    ".cards{display:flex;flex-wrap:wrap;gap:12px}.card{background:#fff;border:1px solid #ccc;"
    "border-radius:6px;padding:8px;width:560px}.card h3{margin:0 0 6px;font-size:16px}"
    ".card img{height:128px;margin:2px;border:1px solid #999}.ev img{max-width:520px;"
    "margin:4px;border:1px solid #999}.st-0{color:#c00;font-weight:bold}.note{color:#666;"
    "font-size:12px}svg{background:#fff;border:1px solid #ccc}.inc circle{stroke:#000;"
    "stroke-width:1.2}a{color:#0645ad}";

static void html_head(rp_buf *b, const rp_lang *L, const char *title)
{
    rb_f(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n",
         strcmp(L->code, "en") == 0 ? "en" : "zh-CN");
    rb_s(b, "<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
    rb_esc(b, title);
    rb_s(b, "</title>\n<style>");
    rb_s(b, CSS);
    rb_s(b, "</style>\n</head>\n<body>\n");
}

static void place_html(rp_buf *b, const rp_lang *L, const fg_incident *in)
{
    rb_esc(b, in->place.town_name[0] ? in->place.town_name : in->place.town_code);
    if (in->place.vill_name[0]) {
        rb_s(b, " ");
        rb_esc(b, in->place.vill_name);
    }
    if (!in->place.inside)
        rb_f(b, " (%s, %.1f km)", L->t[T_OUTSIDE], in->place.distance_m / 1000.0);
}

static void evidence_imgs(rp_buf *b, const rp_lang *L, const rp_inc *r, const char *prefix,
                          size_t max_imgs)
{
    size_t shown = 0;
    for (size_t k = 0; k < r->nhs && shown < max_imgs; k++) {
        const fg_evidence *e = &r->ev[k];
        const char *names[3] = {e->sat, e->cam, e->cam_before};
        for (int j = 0; j < 3 && shown < max_imgs; j++) {
            if (!names[j][0])
                continue;
            rb_f(b, "<img src=\"%s%s\" alt=\"", prefix, names[j]);
            rb_esc(b, r->hs[k].id);
            if (j == 2) {
                rb_s(b, " ");
                rb_s(b, L->t[T_BEFORE]);
            }
            rb_s(b, "\" title=\"");
            rb_esc(b, r->hs[k].hs.sensor);
            rb_s(b, "\">");
            shown++;
        }
    }
}

/* The decision record of one incident. */
static void rb_count(rp_buf *b, int v)
{
    if (v >= 0)
        rb_f(b, "%d", v);
    else
        rb_s(b, "–");
}

/* Per hotspot, what decided it: for satellites the contextual tests that passed with the
 * background statistics they compared against (Giglio et al. 2003, RSE 87:273: mean and
 * mean absolute deviation of T4, T11 and ΔT over the valid background window); for
 * cameras the smoke score, how many consecutive frames the region persisted and its size
 * in detector blocks. */
static void decision_table(rp_buf *b, const rp_lang *L, const rp_inc *r)
{
    rb_f(b, "<h2>%s</h2>\n<table id=\"decision\">\n<tr><th>ID</th><th>%s</th><th>%s</th>"
            "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
         L->t[T_DECISION], L->t[T_TESTS_PASSED], L->t[T_BG_MEAN], L->t[T_BG_MAD],
         L->t[T_WINDOW], L->t[T_SMOKE], L->t[T_PERSISTED], L->t[T_BLOCKS]);
    for (size_t k = 0; k < r->nhs; k++) {
        const fg_hotspot *h = &r->hs[k].hs;
        rb_s(b, "<tr><td>");
        rb_esc(b, r->hs[k].id);
        rb_s(b, "</td><td class=\"tests\">");
        if (!h->tests && h->window < 0) {
            rb_s(b, "–"); /* not recorded: a camera, or an older ledger */
        } else if (!h->tests) {
            rb_s(b, L->t[T_NONE]);
        } else {
            int first = 1;
            for (int i = 0; i < RP_NTESTS; i++) {
                if (!(h->tests & (1u << i)))
                    continue;
                rb_s(b, first ? "" : ", ");
                rb_esc(b, L->tests[i]);
                first = 0;
            }
        }
        rb_s(b, "</td><td class=\"num\">");
        rb_num(b, "%.2f", h->bg_mir_k);
        rb_s(b, " / ");
        rb_num(b, "%.2f", h->bg_tir_k);
        rb_s(b, " / ");
        rb_num(b, "%.2f", h->bg_dt_k);
        rb_s(b, "</td><td class=\"num\">");
        rb_num(b, "%.2f", h->mad_mir_k);
        rb_s(b, " / ");
        rb_num(b, "%.2f", h->mad_tir_k);
        rb_s(b, " / ");
        rb_num(b, "%.2f", h->mad_dt_k);
        rb_s(b, "</td><td class=\"num\">");
        if (h->window >= 0) {
            rb_f(b, "%d×%d (", h->window, h->window);
            rb_count(b, h->n_valid);
            rb_s(b, ")");
        } else {
            rb_s(b, "–");
        }
        rb_s(b, "</td><td class=\"num\">");
        rb_num(b, "%.3f", h->smoke_score);
        rb_s(b, "</td><td class=\"num\">");
        rb_count(b, h->persisted);
        rb_s(b, "</td><td class=\"num\">");
        rb_count(b, h->nblocks);
        rb_s(b, "</td></tr>\n");
    }
    rb_s(b, "</table>\n");
}

static int write_page(const char *out_dir, const rp_lang *L, const rp_inc *r, fg_ctx *ctx)
{
    const fg_incident *in = &r->inc;
    if (!id_ok(in->id))
        return fg_ctx_set(ctx, FG_EINVAL, "report: incident id '%s' cannot name a file", in->id);
    char dir[1100], path[1300], t0[32], t1[32];
    snprintf(dir, sizeof dir, "%s/incidents", out_dir);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot create the folder: %s", dir, strerror(errno));
    rp_buf b = {0};
    char title[160];
    snprintf(title, sizeof title, "%s %s", L->t[T_INCIDENT], in->id);
    html_head(&b, L, title);
    rb_f(&b, "<p><a href=\"../report.html\">%s</a></p>\n<h1>", L->t[T_BACK]);
    rb_esc(&b, title);
    rb_s(&b, "</h1>\n<table>\n");
    bj_time(in->first_seen, t0, sizeof t0);
    bj_time(in->last_seen, t1, sizeof t1);
    rb_f(&b, "<tr><th>%s</th><td class=\"st-%d\">%s</td></tr>\n", L->t[T_STATUS], (int)in->status,
         fg_incident_status_name(in->status, L->code));
    rb_f(&b, "<tr><th>%s</th><td>%s</td></tr>\n", L->t[T_CLASS],
         in->cls == FG_ALERT_INDUSTRIAL ? L->t[T_INDUSTRIAL] : L->t[T_STRAW]);
    if (in->cls == FG_ALERT_INDUSTRIAL) {
        rb_f(&b, "<tr><th>%s</th><td>", L->t[T_STATIC]);
        rb_esc(&b, in->static_name);
        rb_s(&b, " (");
        rb_esc(&b, in->static_id);
        rb_s(&b, ")</td></tr>\n");
    }
    rb_f(&b, "<tr><th>%s</th><td>%s</td></tr>\n<tr><th>%s</th><td>%s</td></tr>\n", L->t[T_FIRST],
         t0, L->t[T_LAST], t1);
    rb_f(&b, "<tr><th>%s</th><td>", L->t[T_PLACE]);
    place_html(&b, L, in);
    rb_f(&b, " — %.5f, %.5f (± %.0f m)</td></tr>\n", in->lat, in->lon, in->radius_m);
    rb_f(&b, "<tr><th>%s</th><td>", L->t[T_CELL]);
    rb_esc(&b, in->cell_id[0] ? in->cell_id : "–");
    rb_f(&b, "</td></tr>\n<tr><th>%s</th><td>", L->t[T_LAND]);
    rb_esc(&b, in->land_class[0] ? in->land_class : "–");
    rb_f(&b, "</td></tr>\n<tr><th>%s</th><td>", L->t[T_SOURCES]);
    rb_esc(&b, in->sources);
    rb_f(&b, "</td></tr>\n<tr><th>%s</th><td>%d</td></tr>\n<tr><th>%s</th><td>",
         L->t[T_PEAK_CONF], in->peak_confidence, L->t[T_PEAK_FRP]);
    rb_num(&b, "%.1f MW", in->peak_frp_mw);
    rb_f(&b, "</td></tr>\n<tr><th>%s</th><td>", L->t[T_PERIOD]);
    rb_esc(&b, in->period[0] ? in->period : "–");
    if (in->possible_bonfire)
        rb_f(&b, " (%s)", L->t[T_BONFIRE]);
    bj_time(in->checked_at, t0, sizeof t0);
    rb_f(&b, "</td></tr>\n<tr><th>%s</th><td>%s</td></tr>\n</table>\n", L->t[T_CHECKED], t0);

    rb_f(&b, "<h2>%s (%zu)</h2>\n<p class=\"note\">%s</p>\n<table>\n<tr><th>ID</th><th>%s</th>"
             "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
             "<th>%s</th><th>%s</th></tr>\n",
         L->t[T_HOTSPOTS], r->nhs, L->t[T_TESTS_NOTE], L->t[T_KIND], L->t[T_SENSOR], L->t[T_TIME],
         L->t[T_POS], L->t[T_CONF], L->t[T_FRP], L->t[T_BT], L->t[T_SMOKE], L->t[T_PIXEL],
         L->t[T_FOOTPRINT]);
    for (size_t k = 0; k < r->nhs; k++) {
        const fg_hotspot *h = &r->hs[k].hs;
        int sat = h->kind == FG_SOURCE_SATELLITE;
        bj_time(h->time_utc, t0, sizeof t0);
        rb_s(&b, "<tr><td>");
        rb_esc(&b, r->hs[k].id);
        rb_f(&b, "</td><td>%s</td><td>", sat ? L->t[T_SAT] : L->t[T_CAM]);
        rb_esc(&b, h->sensor);
        rb_f(&b, "</td><td>%s</td><td>%.5f, %.5f</td><td class=\"num\">%d (%s)</td><td class=\"num\">",
             t0, h->lat, h->lon, h->confidence, fg_conf_class_name(h->conf_class));
        rb_num(&b, "%.1f", h->frp_mw);
        rb_s(&b, "</td><td class=\"num\">");
        rb_num(&b, "%.1f", h->bt_mir_k);
        rb_s(&b, " / ");
        rb_num(&b, "%.1f", h->bt_tir_k);
        rb_s(&b, "</td><td class=\"num\">");
        rb_num(&b, "%.3f", h->smoke_score);
        rb_s(&b, "</td><td>");
        if (sat)
            rb_f(&b, "row %d, col %d", h->ev_row, h->ev_col);
        else
            rb_f(&b, "x %d, y %d, %d×%d px", h->ev_x, h->ev_y, h->ev_w, h->ev_h);
        rb_s(&b, "</td><td>");
        if (sat) {
            rb_num(&b, "%.3f", h->scan_km);
            rb_s(&b, " × ");
            rb_num(&b, "%.3f km", h->track_km);
        } else {
            rb_num(&b, "%.1f°, ", h->bearing_deg);
            rb_num(&b, "%.0f m", h->range_m);
            rb_s(&b, " (");
            rb_num(&b, "%.0f", h->range_min_m);
            rb_s(&b, "–");
            rb_num(&b, "%.0f m)", h->range_max_m);
        }
        rb_s(&b, "</td></tr>\n");
    }
    rb_s(&b, "</table>\n");
    decision_table(&b, L, r);
    rb_f(&b, "<h2>%s</h2>\n", L->t[T_EVIDENCE]);
    for (size_t k = 0; k < r->nhs; k++) {
        const fg_evidence *e = &r->ev[k];
        rb_s(&b, "<div class=\"ev\"><p>");
        rb_esc(&b, r->hs[k].id);
        rb_s(&b, " — ");
        rb_esc(&b, r->hs[k].hs.sensor);
        rb_s(&b, " — <code>");
        rb_esc(&b, r->hs[k].hs.evidence);
        rb_s(&b, "</code>");
        if (e->sat[0])
            rb_f(&b, " (%d×%d px from row %d, col %d; ×%d)", FG_EVIDENCE_CHIP, FG_EVIDENCE_CHIP,
                 e->chip_row0, e->chip_col0, FG_EVIDENCE_ZOOM);
        rb_s(&b, "</p>");
        if (r->everr[k][0]) {
            rb_f(&b, "<p class=\"note\">%s: ", L->t[T_NO_EVIDENCE]);
            rb_esc(&b, r->everr[k]);
            rb_s(&b, "</p>");
        }
        const char *names[3] = {e->sat, e->cam_before, e->cam};
        for (int j = 0; j < 3; j++) {
            if (!names[j][0])
                continue;
            rb_f(&b, "<img src=\"../%s\" alt=\"", names[j]);
            rb_esc(&b, r->hs[k].id);
            rb_f(&b, "%s\">", j == 1 ? " before" : "");
        }
        rb_s(&b, "</div>\n");
    }
    rb_f(&b, "<h2>%s</h2>\n", L->t[T_HISTORY]);
    if (!r->nst)
        rb_f(&b, "<p class=\"note\">%s</p>\n", L->t[T_HISTORY_NOTE]);
    rb_f(&b, "<table id=\"history\">\n<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
         L->t[T_TIME], L->t[T_STATUS], L->t[T_WHO], L->t[T_COMMENT]);
    if (!r->nst) {
        bj_time(in->status_time, t0, sizeof t0);
        rb_f(&b, "<tr><td>%s</td><td>%s</td><td>–</td><td>–</td></tr>\n", t0,
             fg_incident_status_name(in->status, L->code));
    }
    for (size_t k = 0; k < r->nst; k++) {
        const fg_status_entry *e = &r->st[k];
        bj_time(e->t, t0, sizeof t0);
        rb_f(&b, "<tr><td>%s</td><td>%s</td><td>", t0,
             fg_incident_status_name(e->status, L->code));
        rb_esc(&b, e->who[0] ? e->who : "–");
        rb_s(&b, "</td><td>");
        rb_esc(&b, e->comment[0] ? e->comment : "–");
        rb_s(&b, "</td></tr>\n");
    }
    rb_s(&b, "</table>\n</body>\n</html>\n");
    snprintf(path, sizeof path, "%s/incidents/%s.html", out_dir, in->id);
    int rc = rb_save(&b, path, ctx);
    fg_free(b.p);
    return rc;
}

/* ------------------------------------------------------------------- map */

typedef struct rp_proj {
    double west, north, sx, sy;
    int w, h;
} rp_proj;

static void proj(const rp_proj *p, double lon, double lat, double *x, double *y)
{
    *x = 10.0 + (lon - p->west) * p->sx;
    *y = 10.0 + (p->north - lat) * p->sy;
}

static void path_geom(rp_buf *b, const rp_proj *p, OGRGeometryH geom)
{
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(geom));
    if (t == wkbPolygon || t == wkbMultiPolygon || t == wkbGeometryCollection) {
        int n = OGR_G_GetGeometryCount(geom);
        for (int i = 0; i < n; i++)
            path_geom(b, p, OGR_G_GetGeometryRef(geom, i));
        return;
    }
    int np = OGR_G_GetPointCount(geom);
    for (int i = 0; i < np; i++) {
        double x, y;
        proj(p, OGR_G_GetX(geom, i), OGR_G_GetY(geom, i), &x, &y);
        rb_f(b, "%c%.1f %.1f", i ? 'L' : 'M', x, y);
    }
    if (np)
        rb_s(b, "Z");
}

static const char *const PALETTE[] = {"#e8f0d8", "#f4e6c8", "#dbe8f2", "#f2dde4",
                                      "#e2e2f4", "#f6f0c6", "#d8efe8", "#eadbcf"};

static void write_map(rp_buf *b, const rp_lang *L, const fg_grid *g, const rp_inc *inc, size_t n)
{
    double w = 0, s = 0, e = 0, nn = 0;
    int have = g && fg_grid_bounds(g, &w, &s, &e, &nn) == FG_OK;
    for (size_t i = 0; i < n; i++) {
        double la = inc[i].inc.lat, lo = inc[i].inc.lon;
        if (!(la == la && lo == lo))
            continue;
        if (!have) {
            w = e = lo;
            s = nn = la;
            have = 1;
        }
        if (lo < w) w = lo;
        if (lo > e) e = lo;
        if (la < s) s = la;
        if (la > nn) nn = la;
    }
    if (!have)
        return;
    double pad = 0.02 * fmax(e - w, nn - s) + 1e-3;
    w -= pad, e += pad, s -= pad, nn += pad;
    rp_proj p;
    p.west = w;
    p.north = nn;
    /* Equirectangular with the longitude scaled by cos(latitude): true shape at the
     * county's latitude, good enough for a county-size sketch. */
    double kx = cos((s + nn) * 0.5 * M_PI / 180.0);
    p.w = 800;
    p.sx = (p.w - 20) / (e - w);
    p.sy = p.sx / kx;
    p.h = (int)lround((nn - s) * p.sy) + 20;
    rb_f(b, "<h2>%s</h2>\n<p class=\"note\">%s</p>\n", L->t[T_MAP], L->t[T_MAP_NOTE]);
    rb_f(b, "<svg id=\"map\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\">\n",
         p.w, p.h, p.w, p.h);
    size_t nt = g ? fg_grid_township_count(g) : 0;
    size_t nu = g ? fg_grid_unit_count(g) : 0;
    double *tx = nt ? fg_calloc(nt * 3, sizeof *tx) : NULL;
    rb_s(b, "<g class=\"villages\" stroke=\"#999\" stroke-width=\"0.6\">\n");
    for (size_t u = 0; u < nu; u++) {
        fg_grid_unit gu;
        if (fg_grid_unit_get(g, u, &gu) != FG_OK || !gu.geom)
            continue;
        size_t ti = 0;
        for (size_t k = 0; k < nt; k++) {
            const char *code, *name;
            fg_grid_township(g, k, &code, &name);
            if (gu.town_code && strcmp(code, gu.town_code) == 0) {
                ti = k;
                break;
            }
        }
        rb_f(b, "<path fill=\"%s\" d=\"", PALETTE[ti % (sizeof PALETTE / sizeof *PALETTE)]);
        path_geom(b, &p, gu.geom);
        rb_s(b, "\"><title>");
        rb_esc(b, gu.town_name);
        rb_s(b, " ");
        rb_esc(b, gu.vill_name);
        rb_s(b, "</title></path>\n");
        OGREnvelope env;
        OGR_G_GetEnvelope(gu.geom, &env);
        if (tx) {
            tx[ti * 3] += (env.MinX + env.MaxX) * 0.5;
            tx[ti * 3 + 1] += (env.MinY + env.MaxY) * 0.5;
            tx[ti * 3 + 2] += 1;
        }
    }
    rb_s(b, "</g>\n<g class=\"towns\" font-size=\"13\" fill=\"#555\" text-anchor=\"middle\">\n");
    for (size_t k = 0; tx && k < nt; k++) {
        if (tx[k * 3 + 2] <= 0)
            continue;
        const char *code, *name;
        fg_grid_township(g, k, &code, &name);
        double x, y;
        proj(&p, tx[k * 3] / tx[k * 3 + 2], tx[k * 3 + 1] / tx[k * 3 + 2], &x, &y);
        rb_f(b, "<text x=\"%.1f\" y=\"%.1f\">", x, y);
        rb_esc(b, name && name[0] ? name : code);
        rb_s(b, "</text>\n");
    }
    fg_free(tx);
    rb_s(b, "</g>\n<g class=\"incidents\">\n");
    for (size_t i = 0; i < n; i++) {
        const fg_incident *in = &inc[i].inc;
        if (!(in->lat == in->lat && in->lon == in->lon))
            continue;
        double x, y;
        proj(&p, in->lon, in->lat, &x, &y);
        const char *fill = in->cls == FG_ALERT_INDUSTRIAL ? "#777"
                           : in->status == FG_INC_NEW  ? "#e00"
                                                       : "#f80";
        rb_s(b, "<a class=\"inc\" href=\"incidents/");
        rb_esc(b, in->id);
        rb_s(b, ".html\" data-id=\"");
        rb_esc(b, in->id);
        rb_f(b, "\"><circle cx=\"%.1f\" cy=\"%.1f\" r=\"7\" fill=\"%s\"><title>", x, y, fill);
        rb_esc(b, in->id);
        rb_s(b, " ");
        place_html(b, L, in);
        rb_s(b, "</title></circle></a>\n");
    }
    rb_s(b, "</g>\n</svg>\n");
}

/* ---------------------------------------------------------------- report */

typedef struct rp_log {
    int read, skipped, have_summary;
    int nread_lines, nskip_lines;
} rp_log;

static void parse_log(const char *text, rp_log *lg, rp_buf *skips)
{
    memset(lg, 0, sizeof *lg);
    if (!text)
        return;
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len >= 5 && strncmp(p, "READ ", 5) == 0) {
            lg->nread_lines++;
        } else if (len >= 5 && strncmp(p, "SKIP ", 5) == 0) {
            lg->nskip_lines++;
            if (lg->nskip_lines <= 200) {
                char line[1024];
                size_t l2 = len - 5 < sizeof line - 1 ? len - 5 : sizeof line - 1;
                memcpy(line, p + 5, l2);
                line[l2] = '\0';
                rb_s(skips, "<li>");
                rb_esc(skips, line);
                rb_s(skips, "</li>\n");
            }
        } else if (len >= 8 && strncmp(p, "SUMMARY ", 8) == 0) {
            int a, b;
            if (sscanf(p + 8, "inputs read %d, skipped %d", &a, &b) == 2) {
                lg->read = a;
                lg->skipped = b;
                lg->have_summary = 1;
            }
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    if (!lg->have_summary) {
        lg->read = lg->nread_lines;
        lg->skipped = lg->nskip_lines;
    }
}

static int is_closed(fg_incident_status s)
{
    return s == FG_INC_FALSE_ALARM || s == FG_INC_INDUSTRIAL || s == FG_INC_OUT;
}

static void write_card(rp_buf *b, const rp_lang *L, const rp_inc *r)
{
    const fg_incident *in = &r->inc;
    char t0[32], t1[32];
    bj_time(in->first_seen, t0, sizeof t0);
    bj_time(in->last_seen, t1, sizeof t1);
    rb_s(b, "<div class=\"card\" id=\"card-");
    rb_esc(b, in->id);
    rb_s(b, "\"><h3><a href=\"incidents/");
    rb_esc(b, in->id);
    rb_s(b, ".html\">");
    rb_esc(b, in->id);
    rb_f(b, "</a> <span class=\"st-%d\">%s</span></h3>\n<table>", (int)in->status,
         fg_incident_status_name(in->status, L->code));
    rb_f(b, "<tr><th>%s</th><td>", L->t[T_PLACE]);
    place_html(b, L, in);
    rb_f(b, "</td></tr><tr><th>%s</th><td>%s – %s</td></tr><tr><th>%s</th><td>", L->t[T_FIRST], t0,
         t1, L->t[T_SOURCES]);
    rb_esc(b, in->sources);
    rb_f(b, " (%d)</td></tr><tr><th>%s</th><td>%d", in->n_hotspots, L->t[T_PEAK_CONF],
         in->peak_confidence);
    rb_s(b, "; ");
    rb_num(b, "%.1f MW", in->peak_frp_mw);
    rb_f(b, "</td></tr><tr><th>%s</th><td>%s", L->t[T_CLASS],
         in->cls == FG_ALERT_INDUSTRIAL ? L->t[T_INDUSTRIAL] : L->t[T_STRAW]);
    if (in->cls == FG_ALERT_INDUSTRIAL && in->static_name[0]) {
        rb_s(b, ": ");
        rb_esc(b, in->static_name);
    }
    rb_s(b, "</td></tr></table>\n<div>");
    evidence_imgs(b, L, r, "", 4);
    rb_s(b, "</div></div>\n");
}

static int write_report(const char *out_dir, const rp_lang *L, const fg_grid *g,
                        const char *log_text, const rp_inc *inc, size_t n, fg_ctx *ctx)
{
    rp_buf b = {0}, skips = {0};
    rp_log lg;
    parse_log(log_text, &lg, &skips);
    html_head(&b, L, L->t[T_TITLE]);
    rb_s(&b, "<h1>");
    rb_esc(&b, L->t[T_TITLE]);
    rb_s(&b, "</h1>\n");
    int64_t latest = 0;
    size_t nnew = 0, nong = 0, nclosed = 0;
    for (size_t i = 0; i < n; i++) {
        if (inc[i].inc.last_seen > latest)
            latest = inc[i].inc.last_seen;
        if (inc[i].inc.status == FG_INC_NEW)
            nnew++;
        else if (is_closed(inc[i].inc.status))
            nclosed++;
        else
            nong++;
    }
    char tl[32];
    bj_time(latest, tl, sizeof tl);
    rb_f(&b, "<p class=\"note\">%s: %s</p>\n<h2>%s</h2>\n<div id=\"summary\">", L->t[T_DATA_TIME],
         tl, L->t[T_SUMMARY]);
    rb_f(&b, "<span class=\"kpi\"><b id=\"inputs-read\">%d</b>%s</span>", lg.read,
         L->t[T_INPUTS_READ]);
    rb_f(&b, "<span class=\"kpi\"><b id=\"inputs-skipped\">%d</b>%s</span>", lg.skipped,
         L->t[T_INPUTS_SKIPPED]);
    rb_f(&b, "<span class=\"kpi\"><b id=\"inc-new\">%zu</b>%s</span>", nnew, L->t[T_INC_NEW]);
    rb_f(&b, "<span class=\"kpi\"><b id=\"inc-ongoing\">%zu</b>%s</span>", nong,
         L->t[T_INC_ONGOING]);
    rb_f(&b, "<span class=\"kpi\"><b id=\"inc-closed\">%zu</b>%s</span>", nclosed,
         L->t[T_INC_CLOSED]);
    rb_f(&b, "<span class=\"kpi\"><b id=\"inc-total\">%zu</b>%s</span></div>\n", n,
         L->t[T_INC_TOTAL]);
    if (skips.n) {
        rb_f(&b, "<details><summary>%s (%d)</summary><ul>\n", L->t[T_SKIPPED_LIST],
             lg.nskip_lines);
        rb_put(&b, skips.p, skips.n);
        rb_s(&b, "</ul></details>\n");
    }
    fg_free(skips.p);

    /* Counts by township, in code order; incidents outside every village last. */
    rb_f(&b, "<h2>%s</h2>\n<table id=\"towns\"><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
             "<th>%s</th></tr>\n",
         L->t[T_TOWNS], L->t[T_TOWN], L->t[T_COUNT], L->t[T_STRAW], L->t[T_INDUSTRIAL],
         L->t[T_INC_NEW]);
    size_t nt = g ? fg_grid_township_count(g) : 0;
    for (size_t k = 0; k <= nt; k++) {
        const char *code = NULL, *name = NULL;
        if (k < nt)
            fg_grid_township(g, k, &code, &name);
        size_t c = 0, straw = 0, ind = 0, nw = 0;
        for (size_t i = 0; i < n; i++) {
            const fg_incident *in = &inc[i].inc;
            int mine = k < nt ? (in->place.inside && strcmp(in->place.town_code, code) == 0)
                              : !in->place.inside;
            if (!mine)
                continue;
            c++;
            straw += in->cls == FG_ALERT_STRAW;
            ind += in->cls == FG_ALERT_INDUSTRIAL;
            nw += in->status == FG_INC_NEW;
        }
        if (k == nt && c == 0)
            continue;
        rb_s(&b, "<tr><td>");
        if (k < nt) {
            rb_esc(&b, name);
            rb_s(&b, " (");
            rb_esc(&b, code);
            rb_s(&b, ")");
        } else {
            rb_s(&b, L->t[T_OUTSIDE]);
        }
        rb_f(&b, "</td><td class=\"num\">%zu</td><td class=\"num\">%zu</td><td class=\"num\">%zu"
                 "</td><td class=\"num\">%zu</td></tr>\n",
             c, straw, ind, nw);
    }
    rb_s(&b, "</table>\n");
    write_map(&b, L, g, inc, n);
    rb_f(&b, "<h2>%s (%zu)</h2>\n<div class=\"cards\">\n", L->t[T_INCIDENTS], n);
    if (n == 0)
        rb_f(&b, "<p>%s</p>\n", L->t[T_NONE]);
    for (size_t i = 0; i < n; i++)
        write_card(&b, L, &inc[i]);
    rb_s(&b, "</div>\n<p class=\"note\">firegrid</p>\n</body>\n</html>\n");
    char path[1200];
    snprintf(path, sizeof path, "%s/report.html", out_dir);
    int rc = rb_save(&b, path, ctx);
    fg_free(b.p);
    return rc;
}

static int touched(const char *id, const char *const *ids, size_t n)
{
    if (!ids)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (ids[i] && strcmp(ids[i], id) == 0)
            return 1;
    return 0;
}

int fg_report_run(const char *out_dir, fg_ledger *ledger, const fg_grid *g, const char *lang,
                  const char *run_log_text, const char *const *touched_ids, size_t ntouched,
                  fg_ctx *ctx)
{
    if (!out_dir || !ledger)
        return fg_ctx_set(ctx, FG_EINVAL, "report: no output folder or ledger");
    if (mkdir(out_dir, 0755) != 0 && errno != EEXIST)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot create the folder: %s", out_dir,
                          strerror(errno));
    rp_lang L = rp_lang_of(lang);
    fg_incident *all = NULL;
    size_t nall = 0;
    int rc = fg_ledger_incidents(ledger, &all, &nall, ctx);
    if (rc != FG_OK)
        return rc;
    rp_inc *inc = nall ? fg_calloc(nall, sizeof *inc) : NULL;
    if (nall && !inc) {
        fg_free(all);
        return fg_ctx_set(ctx, FG_ENOMEM, "report: out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < nall && rc == FG_OK; i++) {
        if (!touched(all[i].id, touched_ids, ntouched))
            continue;
        rc = rp_inc_load(out_dir, ledger, &all[i], 0, &inc[n], ctx);
        if (rc == FG_OK)
            n++;
    }
    for (size_t i = 0; i < n && rc == FG_OK; i++)
        rc = write_page(out_dir, &L, &inc[i], ctx);
    if (rc == FG_OK)
        rc = write_report(out_dir, &L, g, run_log_text, inc, n, ctx);
    for (size_t i = 0; i < n; i++)
        rp_inc_free(&inc[i]);
    fg_free(inc);
    fg_free(all);
    return rc;
}

int fg_review_incident(const char *out_dir, fg_ledger *ledger, const fg_grid *g,
                       const char *lang, const char *incident_id, fg_ctx *ctx)
{
    (void)g;
    if (!out_dir || !ledger || !incident_id)
        return fg_ctx_set(ctx, FG_EINVAL, "review: no output folder, ledger or incident id");
    if (mkdir(out_dir, 0755) != 0 && errno != EEXIST)
        return fg_ctx_set(ctx, FG_EIO, "%s: cannot create the folder: %s", out_dir,
                          strerror(errno));
    rp_lang L = rp_lang_of(lang);
    fg_incident *all = NULL;
    size_t nall = 0;
    int rc = fg_ledger_incidents(ledger, &all, &nall, ctx);
    if (rc != FG_OK)
        return rc;
    size_t i = 0;
    while (i < nall && strcmp(all[i].id, incident_id) != 0)
        i++;
    if (i == nall) {
        fg_free(all);
        return fg_ctx_set(ctx, FG_ENOTFOUND, "review: the ledger has no incident '%s'",
                          incident_id);
    }
    rp_inc r;
    rc = rp_inc_load(out_dir, ledger, &all[i], 1, &r, ctx);
    if (rc == FG_OK) {
        rc = write_page(out_dir, &L, &r, ctx);
        rp_inc_free(&r);
    }
    fg_free(all);
    return rc;
}
