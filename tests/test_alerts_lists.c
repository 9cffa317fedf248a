/* test_alerts_lists.c — the incident lists of each level: county, summary, industrial, candidates, townships, officers' messages, in CSV/XLSX/GeoJSON/KML. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fg_test.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cpl_conv.h>
#include <gdal.h>
#include <ogr_api.h>

#include "alerts/alerts.h"

#define TMP FG_TEST_TMPDIR
#define BOM "\xEF\xBB\xBF"
#define HEADER_ZH                                                                              \
    "编号,首次发现,最近发现,来源,乡镇,乡镇代码,村,村代码,网格,经度,纬度,可信度,火点功率MW,"  \
    "地类,时段,状态,核查时间,网格员,电话,说明,传感器,火点数"
#define HEADER_EN                                                                              \
    "id,first_seen,last_seen,source,township,township_code,village,village_code,grid_cell,"    \
    "longitude,latitude,confidence,frp_mw,land_class,period,status,checked_at,officer,phone,"  \
    "note,sensors,hotspots"
#define SUMMARY_HEADER_ZH                                                                      \
    "分组,名称,代码,火点事件,新发现,持续,确认焚烧,误报,已熄灭,已核查,未核查,"                \
    "核查用时中位数小时,未分配网格员,可能为旺火"

/* 2026-10-15 05:40 UTC = 13:40 Beijing */
#define T0 ((int64_t)1792042800)
#define H ((int64_t)3600)

static fg_grid *g_grid;
static fg_sample_cell *g_cells;
static size_t g_ncells;
static fg_officers *g_off;
static const fg_sample_cell *g_yt2; /* a second village of 窑头乡 */

/* The incidents of the tests, one per case the lists must handle. */
enum {
    X_MA,      /* 新关镇 马梁村, satellite, village officer 张三, new */
    X_C7,      /* 新关镇, satellite + camera, cell officer 王五 (village officer 赵六) */
    X_BONFIRE, /* 新关镇 马梁村, Spring Festival, possible bonfire */
    X_FALSE,   /* 新关镇 马梁村, checked after 2.5 h: false alarm */
    X_CONF,    /* 新关镇, checked after 1.5 h: confirmed burning */
    X_YT_UN,   /* 窑头乡, camera, no officer for its village */
    X_YT_OF,   /* 窑头乡, officer 钱七 whose row names the township contact */
    X_OUT,     /* outside the county, near 新关镇 */
    X_IND,     /* 尚峪镇, on a registered static heat source */
    X_N
};
static fg_incident g_x[X_N];
static fg_alert g_hot[3];
static char g_hot_inc[3][24];
static fg_candidate g_cand[2];

/* ------------------------------------------------------------- helpers */

static const fg_sample_cell *cell(const char *vill_code)
{
    for (size_t i = 0; i < g_ncells; i++)
        if (strcmp(g_cells[i].vill_code, vill_code) == 0)
            return &g_cells[i];
    return NULL;
}

static char *must_slurp(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *b = slurp(path, NULL);
    if (!b)
        fail_msg("cannot read %s", path);
    return b;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static int exists(const char *dir, const char *name)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

/* Number of leftover temporaries (".<base>.tmp<pid><ext>") in dir. */
static int temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strstr(e->d_name, ".tmp") != NULL;
    closedir(d);
    return n;
}

static int files_in(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        remove(dir);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rm_tree(p);
        else
            remove(p);
    }
    closedir(d);
    rmdir(dir);
}

/* The line of s that holds needle, copied into out (without its line end). */
static const char *line_with(const char *s, const char *needle, char *out, size_t size)
{
    const char *p = strstr(s, needle);
    if (!p)
        fail_msg("'%s' not found", needle);
    const char *b = p;
    while (b > s && b[-1] != '\n')
        b--;
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - b) : strlen(b);
    if (n && b[n - 1] == '\r')
        n--;
    snprintf(out, size, "%.*s", (int)n, b);
    return out;
}

static void incident(fg_incident *x, const char *id, double lat, double lon, int64_t first,
                     int64_t last, unsigned kinds, const char *sources, int conf, float frp)
{
    memset(x, 0, sizeof *x);
    snprintf(x->id, sizeof x->id, "%s", id);
    x->first_seen = first;
    x->last_seen = last;
    x->lat = lat;
    x->lon = lon;
    x->radius_m = 500;
    x->n_hotspots = 1;
    x->source_kinds = kinds;
    snprintf(x->sources, sizeof x->sources, "%s", sources);
    x->peak_confidence = conf;
    x->peak_frp_mw = frp;
    x->cls = FG_ALERT_STRAW;
    x->status = FG_INC_NEW;
    x->status_time = first;
    assert_int_equal(fg_grid_locate(g_grid, lat, lon, &x->place), FG_OK);
}

static void at_centre(fg_incident *x, const char *id, const char *vill, int64_t first,
                      unsigned kinds, const char *sources, int conf, float frp)
{
    const fg_sample_cell *c = cell(vill);
    assert_non_null(c);
    incident(x, id, 0.5 * (c->south + c->north), 0.5 * (c->west + c->east), first, first, kinds,
             sources, conf, frp);
    assert_true(x->place.inside);
    assert_string_equal(x->place.vill_code, vill);
}

static int setup(void **state)
{
    (void)state;
    mkdir(TMP, 0755);
    GDALAllRegister();
    fg_ctx ctx = {0};
    if (fg_sample_county_write(TMP "/county.geojson", &ctx) != FG_OK ||
        fg_grid_open(TMP "/county.geojson", NULL, &g_grid, NULL, NULL, &ctx) != FG_OK ||
        fg_sample_county_cells(&g_cells, &g_ncells, &ctx) != FG_OK) {
        fprintf(stderr, "setup: %s\n", ctx.msg);
        return -1;
    }
    for (size_t i = 0; i < g_ncells && !g_yt2; i++)
        if (strcmp(g_cells[i].town_code, "140932200") == 0 &&
            strcmp(g_cells[i].vill_code, "140932200200") != 0)
            g_yt2 = &g_cells[i];
    if (!g_yt2)
        return -1;

    /* the registry: 马梁村 by village; a cell of 王五 inside the village of 赵六 */
    FILE *fp = fopen(TMP "/officers.csv", "wb");
    if (!fp)
        return -1;
    fprintf(fp, "unit,officer,phone,township_contact,township_phone\n"
                "140932100201,张三,13800000001,李镇长,03507654321\n"
                "1000m-E620-N4360,王五,13800000003,李镇长,03507654321\n"
                "140932100007,赵六,13800000004,李镇长,03507654321\n"
                "%s,钱七,13800000005,孙乡长,03507654322\n",
            g_yt2->vill_code);
    fclose(fp);
    if (fg_officers_read(TMP "/officers.csv", &g_off, NULL, NULL, &ctx) != FG_OK) {
        fprintf(stderr, "setup: %s\n", ctx.msg);
        return -1;
    }

    at_centre(&g_x[X_MA], "F00000000000a", "140932100201", T0, FG_SRC_BIT_SATELLITE, "NOAA-20",
              85, 12.3f);
    g_x[X_MA].last_seen = T0 + 2 * H;
    g_x[X_MA].n_hotspots = 3;
    snprintf(g_x[X_MA].cell_id, sizeof g_x[X_MA].cell_id, "1000m-E612-N4355");
    snprintf(g_x[X_MA].land_class, sizeof g_x[X_MA].land_class, "cropland");
    snprintf(g_x[X_MA].period, sizeof g_x[X_MA].period, "autumn_harvest");

    at_centre(&g_x[X_C7], "F00000000000b", "140932100007", T0 + 600,
              FG_SRC_BIT_SATELLITE | FG_SRC_BIT_CAMERA, "CAM-03,NOAA-20", 70, 5.0f);
    g_x[X_C7].status = FG_INC_ONGOING;
    snprintf(g_x[X_C7].cell_id, sizeof g_x[X_C7].cell_id, "1000m-E620-N4360");

    /* 2026-02-17 10:00 Beijing, the second day of the Spring Festival */
    at_centre(&g_x[X_BONFIRE], "F00000000000c", "140932100201", (int64_t)1771293600,
              FG_SRC_BIT_SATELLITE, "NOAA-20", 40, 2.0f);
    g_x[X_BONFIRE].possible_bonfire = 1;
    snprintf(g_x[X_BONFIRE].period, sizeof g_x[X_BONFIRE].period, "spring_festival");

    at_centre(&g_x[X_FALSE], "F00000000000d", "140932100201", T0 - 20 * H, FG_SRC_BIT_SATELLITE,
              "NOAA-20", 30, NAN);
    g_x[X_FALSE].status = FG_INC_FALSE_ALARM;
    g_x[X_FALSE].checked_at = T0 - 20 * H + 9000; /* 2.5 h */

    at_centre(&g_x[X_CONF], "F00000000000e", "140932100007", T0 - 30 * H, FG_SRC_BIT_SATELLITE,
              "NOAA-21", 90, 30.0f);
    g_x[X_CONF].status = FG_INC_CONFIRMED;
    g_x[X_CONF].checked_at = T0 - 30 * H + 5400; /* 1.5 h */

    at_centre(&g_x[X_YT_UN], "F00000000000f", "140932200200", T0 + 1200, FG_SRC_BIT_CAMERA,
              "CAM-03", 60, NAN);
    at_centre(&g_x[X_YT_OF], "F000000000010", g_yt2->vill_code, T0 + 1800, FG_SRC_BIT_SATELLITE,
              "NOAA-20", 75, 8.0f);

    incident(&g_x[X_OUT], "F000000000011", 39.55, FG_SAMPLE_WEST - 0.05, T0 + 60, T0 + 60,
             FG_SRC_BIT_SATELLITE, "NOAA-20", 20, NAN);
    if (g_x[X_OUT].place.inside)
        return -1;

    at_centre(&g_x[X_IND], "F000000000012", "140932106200", T0, FG_SRC_BIT_SATELLITE, "NOAA-20",
              95, 80.0f);
    g_x[X_IND].cls = FG_ALERT_INDUSTRIAL;
    g_x[X_IND].status = FG_INC_INDUSTRIAL;
    snprintf(g_x[X_IND].static_id, sizeof g_x[X_IND].static_id, "SS-0001");
    snprintf(g_x[X_IND].static_name, sizeof g_x[X_IND].static_name, "示例电厂");

    /* three hotspots: two of X_MA, one of X_YT_UN */
    for (int i = 0; i < 3; i++) {
        fg_alert *a = &g_hot[i];
        memset(a, 0, sizeof *a);
        fg_hotspot_init(&a->hs, i < 2 ? FG_SOURCE_SATELLITE : FG_SOURCE_CAMERA);
        const fg_incident *x = &g_x[i < 2 ? X_MA : X_YT_UN];
        snprintf(a->hs.sensor, sizeof a->hs.sensor, "%.*s", (int)sizeof a->hs.sensor - 1, x->sources);
        a->hs.time_utc = x->first_seen + i * 600;
        a->hs.lat = x->lat + i * 1e-3;
        a->hs.lon = x->lon;
        a->hs.confidence = x->peak_confidence;
        a->place = x->place;
        fg_alert_make_id(a);
        memcpy(g_hot_inc[i], x->id, sizeof g_hot_inc[i]);
    }

    /* a learned persistent source to confirm */
    memset(g_cand, 0, sizeof g_cand);
    snprintf(g_cand[0].id, sizeof g_cand[0].id, "P0001");
    g_cand[0].lat = g_x[X_YT_OF].lat;
    g_cand[0].lon = g_x[X_YT_OF].lon;
    g_cand[0].days_hot = 4;
    g_cand[0].days_false = 1;
    g_cand[0].first_seen = T0 - 200 * H;
    g_cand[0].last_seen = T0;
    g_cand[0].place = g_x[X_YT_OF].place;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fg_grid_free(g_grid);
    fg_free(g_cells);
    fg_officers_free(g_off);
    return 0;
}

static const char *const ALL_FORMATS[] = {"CSV", "XLSX", "GeoJSON", "KML", NULL};

static fg_lists_opts opts(const char *lang, const char *const *formats)
{
    fg_lists_opts o;
    memset(&o, 0, sizeof o);
    o.lang = lang;
    o.formats = formats;
    o.officers = g_off;
    o.candidates = g_cand;
    o.ncandidates = 1;
    o.hotspots = g_hot;
    o.hotspot_incident = (const char(*)[24])g_hot_inc;
    o.nhotspots = 3;
    return o;
}

static void write_ok(const char *dir, const fg_incident *x, size_t n, const fg_lists_opts *o)
{
    rm_tree(dir);
    fg_ctx ctx = {0};
    int rc = fg_incident_lists_write(dir, g_grid, x, n, o, &ctx);
    if (rc != FG_OK)
        fail_msg("fg_incident_lists_write(%s): %s", dir, ctx.msg);
}

/* Writes the standard set (all incidents, zh, every format) once per test binary. */
static const char *standard(void)
{
    static int done;
    const char *dir = TMP "/std";
    if (!done) {
        fg_lists_opts o = opts(NULL, ALL_FORMATS);
        write_ok(dir, g_x, X_N, &o);
        done = 1;
    }
    return dir;
}

static GDALDatasetH open_vector(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!ds)
        fail_msg("OGR cannot open %s", path);
    return ds;
}

/* --------------------------------------------------------------- tests */

static void every_list_is_written_in_every_format_without_temporaries(void **state)
{
    (void)state;
    const char *dir = standard();
    static const char *const stems[] = {"county_incidents", "county_industrial",
                                        "county_candidates"};
    static const char *const exts[] = {".csv", ".xlsx", ".geojson", ".kml"};
    for (size_t i = 0; i < 3; i++)
        for (size_t k = 0; k < 4; k++) {
            char name[64];
            snprintf(name, sizeof name, "%s%s", stems[i], exts[k]);
            if (!exists(dir, name))
                fail_msg("%s missing", name);
        }
    /* the summary is a table: CSV and XLSX, no map formats */
    assert_true(exists(dir, "county_summary.csv"));
    assert_true(exists(dir, "county_summary.xlsx"));
    assert_false(exists(dir, "county_summary.geojson"));
    assert_false(exists(dir, "county_summary.kml"));
    size_t nt = fg_grid_township_count(g_grid);
    assert_int_equal(nt, 8);
    for (size_t i = 0; i < nt; i++) {
        const char *code;
        fg_grid_township(g_grid, i, &code, NULL);
        for (size_t k = 0; k < 4; k++) {
            char name[64];
            snprintf(name, sizeof name, "township_%s%s", code, exts[k]);
            if (!exists(dir, name))
                fail_msg("%s missing", name);
        }
    }
    assert_true(exists(dir, "officer_messages.txt"));
    assert_true(exists(dir, "hotspots.geojson"));
    assert_int_equal(files_in(dir), 3 * 4 + 2 + 8 * 4 + 2);
    assert_int_equal(temporaries(dir), 0);
}

static void default_formats_are_csv_and_geojson(void **state)
{
    (void)state;
    const char *dir = TMP "/defaults";
    fg_lists_opts o = opts(NULL, NULL);
    write_ok(dir, g_x, X_N, &o);
    assert_true(exists(dir, "county_incidents.csv"));
    assert_true(exists(dir, "county_incidents.geojson"));
    assert_true(exists(dir, "township_140932100.geojson"));
    assert_false(exists(dir, "county_incidents.xlsx"));
    assert_false(exists(dir, "county_incidents.kml"));
    assert_int_equal(files_in(dir), 3 * 2 + 1 + 8 * 2 + 2);
}

static void county_csv_has_bom_chinese_header_and_every_straw_incident_in_order(void **state)
{
    (void)state;
    char *s = must_slurp(standard(), "county_incidents.csv");
    assert_memory_equal(s, BOM, 3);
    assert_int_equal(strncmp(s + 3, HEADER_ZH "\r\n", strlen(HEADER_ZH) + 2), 0);
    assert_int_equal(count_lines(s), 1 + 8);
    assert_null(strstr(s, g_x[X_IND].id));
    /* sorted by township code, first seen, id: 新关镇 (its five, then the outside one
     * attributed to it, by time), then 窑头乡 */
    static const int order[] = {X_BONFIRE, X_CONF, X_FALSE, X_MA, X_OUT, X_C7, X_YT_UN, X_YT_OF};
    const char *prev = s;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *p = strstr(s, g_x[order[i]].id);
        if (!p || p < prev)
            fail_msg("incident %s out of order", g_x[order[i]].id);
        prev = p;
    }
    /* one row exactly as a township office reads it */
    char want[1024], got[1024];
    snprintf(want, sizeof want,
             "%s,2026-10-15 13:40,2026-10-15 15:40,卫星,新关镇,140932100,马梁村委会,140932100201,"
             "1000m-E612-N4355,%.5f,%.5f,85,12.3,耕地,秋收,新发现,,张三,13800000001,,NOAA-20,3",
             g_x[X_MA].id, g_x[X_MA].lon, g_x[X_MA].lat);
    assert_string_equal(line_with(s, g_x[X_MA].id, got, sizeof got), want);
    /* several sensors: quoted where CSV needs it */
    line_with(s, g_x[X_C7].id, got, sizeof got);
    assert_non_null(strstr(got, ",卫星+摄像头,"));
    assert_non_null(strstr(got, ",王五,13800000003,"));
    assert_non_null(strstr(got, ",\"CAM-03,NOAA-20\","));
    assert_non_null(strstr(got, ",持续,"));
    /* outside: listed for the county with its neighbour, no township code */
    line_with(s, g_x[X_OUT].id, got, sizeof got);
    assert_non_null(strstr(got, ",县外（邻近新关镇）,,,,"));
    assert_non_null(strstr(got, "县外（邻近新关镇），距其约 4."));
    /* feedback shows: status and check time */
    line_with(s, g_x[X_FALSE].id, got, sizeof got);
    assert_non_null(strstr(got, ",误报,2026-10-14 20:10,"));
    line_with(s, g_x[X_BONFIRE].id, got, sizeof got);
    assert_non_null(strstr(got, ",春节,"));
    assert_non_null(strstr(got, ",可能为旺火,"));
    line_with(s, g_x[X_YT_UN].id, got, sizeof got);
    assert_non_null(strstr(got, ",未分配网格员,"));
    free(s);
}

static void english_lists_have_english_headers_and_words(void **state)
{
    (void)state;
    const char *dir = TMP "/en";
    fg_lists_opts o = opts("en", NULL);
    write_ok(dir, g_x, X_N, &o);
    char *s = must_slurp(dir, "county_incidents.csv");
    assert_memory_equal(s, BOM, 3);
    assert_int_equal(strncmp(s + 3, HEADER_EN "\r\n", strlen(HEADER_EN) + 2), 0);
    char got[1024];
    line_with(s, g_x[X_MA].id, got, sizeof got);
    assert_non_null(strstr(got, ",satellite,新关镇,"));
    assert_non_null(strstr(got, ",cropland,autumn_harvest,new,"));
    line_with(s, g_x[X_OUT].id, got, sizeof got);
    assert_non_null(strstr(got, "outside county (near 新关镇)"));
    line_with(s, g_x[X_BONFIRE].id, got, sizeof got);
    assert_non_null(strstr(got, "possible bonfire"));
    free(s);
    s = must_slurp(dir, "officer_messages.txt");
    assert_non_null(strstr(s, "Please check on site and report back."));
    assert_non_null(strstr(s, "[Possible bonfire]"));
    assert_null(strstr(s, "请立即"));
    free(s);
    s = must_slurp(dir, "county_summary.csv");
    assert_non_null(strstr(s, "group,name,code,incidents,new,"));
    free(s);
}

static void township_list_holds_only_its_own_straw_incidents(void **state)
{
    (void)state;
    const char *dir = standard();
    char *s = must_slurp(dir, "township_140932100.csv"); /* 新关镇 */
    assert_memory_equal(s, BOM, 3);
    assert_int_equal(count_lines(s), 1 + 5);
    for (int i = X_MA; i <= X_CONF; i++)
        assert_non_null(strstr(s, g_x[i].id));
    assert_null(strstr(s, g_x[X_OUT].id)); /* outside the county: the county list only */
    assert_null(strstr(s, "县外"));
    free(s);
    s = must_slurp(dir, "township_140932200.csv"); /* 窑头乡 */
    assert_int_equal(count_lines(s), 1 + 2);
    free(s);
    s = must_slurp(dir, "township_140932106.csv"); /* 尚峪镇: only the industrial one */
    assert_string_equal(s, BOM HEADER_ZH "\r\n");
    free(s);
}

static void empty_township_csv_has_the_header_only(void **state)
{
    (void)state;
    char *s = must_slurp(standard(), "township_140932102.csv"); /* 老营镇 */
    assert_string_equal(s, BOM HEADER_ZH "\r\n");
    free(s);
}

static void industrial_incidents_go_to_the_county_industrial_list_only(void **state)
{
    (void)state;
    const char *dir = standard();
    char *s = must_slurp(dir, "county_industrial.csv");
    assert_int_equal(strncmp(s + 3, HEADER_ZH ",热源编号,热源名称\r\n",
                             strlen(HEADER_ZH ",热源编号,热源名称\r\n")),
                     0);
    assert_int_equal(count_lines(s), 2);
    char got[1024];
    line_with(s, g_x[X_IND].id, got, sizeof got);
    assert_non_null(strstr(got, ",工业热源,"));
    assert_non_null(strstr(got, "工业热源 示例电厂"));
    assert_non_null(strstr(got, ",SS-0001,示例电厂"));
    assert_non_null(strstr(got, ",,,工业热源 示例电厂")); /* no officer, no phone */
    free(s);
    s = must_slurp(dir, "officer_messages.txt");
    assert_null(strstr(s, g_x[X_IND].id));
    free(s);
    /* status-only industrial (feedback) counts as industrial too */
    fg_incident y[2] = {g_x[X_MA], g_x[X_YT_UN]};
    y[1].status = FG_INC_INDUSTRIAL;
    fg_lists_opts o = opts(NULL, NULL);
    write_ok(TMP "/ind2", y, 2, &o);
    s = must_slurp(TMP "/ind2", "county_industrial.csv");
    assert_non_null(strstr(s, "工业热源（核查反馈）"));
    free(s);
    s = must_slurp(TMP "/ind2", "township_140932200.csv");
    assert_null(strstr(s, y[1].id));
    free(s);
}

/* Columns of one summary row, split at commas (no field of ours holds one). */
static int summary_row(const char *s, const char *prefix, char f[14][128])
{
    char line[1024];
    line_with(s, prefix, line, sizeof line);
    int n = 0;
    size_t k = 0;
    for (const char *q = line;; q++) {
        if (*q == ',' || !*q) {
            if (n < 14)
                f[n][k < 127 ? k : 127] = '\0';
            n++;
            k = 0;
            if (!*q)
                break;
        } else if (n < 14 && k < 127) {
            f[n][k++] = *q;
        }
    }
    return n;
}

static void summary_counts_by_township_source_and_checks(void **state)
{
    (void)state;
    char *s = must_slurp(standard(), "county_summary.csv");
    assert_memory_equal(s, BOM, 3);
    assert_int_equal(strncmp(s + 3, SUMMARY_HEADER_ZH "\r\n", strlen(SUMMARY_HEADER_ZH) + 2), 0);
    /* 8 townships, outside, 3 source kinds, 3 sensors, total, industrial */
    assert_int_equal(count_lines(s), 1 + 8 + 1 + 3 + 3 + 1 + 1);
    char f[14][128];
    /* 新关镇: 5 incidents, 2 new, 1 ongoing, 1 confirmed, 1 false alarm, 0 out,
     * 2 checked (1.5 h and 2.5 h: median 2.0), 3 unchecked, 0 unassigned, 1 bonfire */
    assert_int_equal(summary_row(s, "乡镇,新关镇,", f), 14);
    static const char *const xg[14] = {"乡镇", "新关镇", "140932100", "5", "2", "1", "1",
                                       "1",    "0",      "2",         "3", "2.0", "0", "1"};
    for (int i = 0; i < 14; i++)
        assert_string_equal(f[i], xg[i]);
    summary_row(s, "乡镇,窑头乡,", f);
    assert_string_equal(f[3], "2");
    assert_string_equal(f[11], ""); /* nothing checked: no median */
    assert_string_equal(f[12], "1"); /* one unassigned */
    summary_row(s, "乡镇,老营镇,", f);
    assert_string_equal(f[3], "0");
    summary_row(s, "乡镇,县外（邻近）,", f);
    assert_string_equal(f[3], "1");
    assert_string_equal(f[12], "0"); /* the county handles outside ones: not "unassigned" */
    summary_row(s, "来源,仅卫星,", f);
    assert_string_equal(f[3], "6");
    summary_row(s, "来源,仅摄像头,", f);
    assert_string_equal(f[3], "1");
    summary_row(s, "来源,卫星和摄像头,", f);
    assert_string_equal(f[3], "1");
    summary_row(s, "传感器,CAM-03,", f);
    assert_string_equal(f[3], "2");
    summary_row(s, "传感器,NOAA-20,", f);
    assert_string_equal(f[3], "6");
    summary_row(s, "传感器,NOAA-21,", f);
    assert_string_equal(f[3], "1");
    summary_row(s, "合计,疑似秸秆焚烧", f);
    static const char *const tot[14] = {"", "", "", "8", "5", "1", "1",
                                        "1", "0", "2", "6", "2.0", "1", "1"};
    for (int i = 3; i < 14; i++)
        assert_string_equal(f[i], tot[i]);
    summary_row(s, "合计,工业热源,", f);
    assert_string_equal(f[3], "1");
    /* order: townships, outside, sources, sensors, totals */
    assert_true(strstr(s, "乡镇,县外") < strstr(s, "来源,仅卫星"));
    assert_true(strstr(s, "传感器,CAM-03") < strstr(s, "传感器,NOAA-20"));
    assert_true(strstr(s, "传感器,NOAA-21") < strstr(s, "合计,"));
    free(s);
}

static void candidates_list_the_persistent_sources_to_confirm(void **state)
{
    (void)state;
    const char *dir = standard();
    char *s = must_slurp(dir, "county_candidates.csv");
    assert_memory_equal(s, BOM, 3);
    assert_int_equal(count_lines(s), 2);
    char got[1024], want[256];
    line_with(s, "P0001", got, sizeof got);
    snprintf(want, sizeof want, "P0001,%.5f,%.5f,4,1,2026-10-07 05:40,2026-10-15 13:40,窑头乡,",
             g_cand[0].lon, g_cand[0].lat);
    assert_int_equal(strncmp(got, want, strlen(want)), 0);
    assert_non_null(strstr(got, "固定热源"));
    free(s);
    /* none: header only */
    fg_lists_opts o = opts(NULL, NULL);
    o.candidates = NULL;
    o.ncandidates = 0;
    write_ok(TMP "/nocand", g_x, X_N, &o);
    s = must_slurp(TMP "/nocand", "county_candidates.csv");
    assert_int_equal(count_lines(s), 1);
    free(s);
}

/* Splits the messages file at the separators; returns the message holding id. */
static void message_of(const char *s, const char *id, char *out, size_t size)
{
    const char *p = strstr(s, id);
    if (!p)
        fail_msg("no message for %s", id);
    const char *b = p;
    /* a message starts at its title line 【 or [ */
    while (b > s && !(b[-1] == '\n' && (strncmp(b, "【", 3) == 0 || b[0] == '[')))
        b--;
    const char *e = strstr(p, "------------------------------\n");
    assert_non_null(e);
    snprintf(out, size, "%.*s", (int)(e - b), b);
}

static void officer_messages_fit_a_phone_screen_and_say_where_when_and_how_sure(void **state)
{
    (void)state;
    char *s = must_slurp(standard(), "officer_messages.txt");
    char m[2048], want[2048];
    message_of(s, g_x[X_MA].id, m, sizeof m);
    double glat, glon;
    fg_wgs84_to_gcj02(g_x[X_MA].lat, g_x[X_MA].lon, &glat, &glon);
    snprintf(want, sizeof want,
             "【疑似秸秆焚烧】新关镇 马梁村 网格1000m-E612-N4355\n"
             "时间：2026-10-15 13:40，最近 15:40（北京时间）\n"
             "位置：北纬%.5f 东经%.5f（WGS84）\n"
             "手机地图（GCJ-02）：%.5f,%.5f\n"
             "来源：卫星 NOAA-20（可信度 85）\n"
             "编号：%s\n"
             "请立即到现场核查后反馈。\n",
             g_x[X_MA].lat, g_x[X_MA].lon, glat, glon, g_x[X_MA].id);
    assert_string_equal(m, want);
    /* GCJ-02 is offset from WGS84 by hundreds of metres here: the lines differ */
    assert_true(fabs(glat - g_x[X_MA].lat) + fabs(glon - g_x[X_MA].lon) > 1e-3);
    /* every message: at most 8 lines, none wider than a phone screen (~40 columns;
     * a CJK character counts as two) */
    static const int pending[] = {X_MA, X_C7, X_BONFIRE, X_YT_UN, X_YT_OF, X_OUT};
    for (size_t i = 0; i < sizeof pending / sizeof pending[0]; i++) {
        message_of(s, g_x[pending[i]].id, m, sizeof m);
        assert_true(count_lines(m) <= 8);
        for (const char *l = m; *l;) {
            int cols = 0;
            for (; *l && *l != '\n'; l++)
                if (((unsigned char)*l & 0xC0) != 0x80)
                    cols += (unsigned char)*l >= 0xE0 ? 2 : 1;
            if (cols > 56)
                fail_msg("line too wide (%d columns) in message of %s", cols,
                         g_x[pending[i]].id);
            if (*l)
                l++;
        }
    }
    message_of(s, g_x[X_BONFIRE].id, m, sizeof m);
    assert_int_equal(strncmp(m, "【可能为旺火】新关镇 马梁村\n", strlen("【可能为旺火】新关镇 马梁村\n")), 0);
    message_of(s, g_x[X_C7].id, m, sizeof m);
    assert_non_null(strstr(m, "来源：卫星+摄像头 CAM-03,NOAA-20（可信度 70）\n"));
    free(s);
}

static void officer_messages_are_grouped_by_officer_with_unassigned_flagged(void **state)
{
    (void)state;
    char *s = must_slurp(standard(), "officer_messages.txt");
    /* checked and industrial incidents are not sent */
    assert_null(strstr(s, g_x[X_FALSE].id));
    assert_null(strstr(s, g_x[X_CONF].id));
    assert_null(strstr(s, g_x[X_IND].id));
    assert_non_null(strstr(s, "待核查：县内 5 条（其中未分配网格员 1 条），县外邻近 1 条；已核查 2 条不再列出。"));
    const char *xg = strstr(s, "■ 新关镇（140932100）3 条\n");
    const char *yt = strstr(s, "■ 窑头乡（140932200）2 条\n");
    const char *out = strstr(s, "■ 县外邻近火点");
    assert_non_null(xg);
    assert_non_null(yt);
    assert_non_null(out);
    assert_true(xg < yt && yt < out);
    /* 张三 has 马梁村's two pending ones; the cell's officer 王五 wins over the
     * village's 赵六 */
    const char *zs = strstr(s, "▶ 网格员 张三 13800000001（2 条）\n");
    const char *ww = strstr(s, "▶ 网格员 王五 13800000003（1 条）\n");
    assert_non_null(zs);
    assert_non_null(ww);
    assert_null(strstr(s, "赵六"));
    const char *ma = strstr(s, g_x[X_MA].id), *bf = strstr(s, g_x[X_BONFIRE].id),
               *c7 = strstr(s, g_x[X_C7].id);
    assert_true(zs < bf && bf < ma); /* by village, then time */
    assert_true(ww < c7 && c7 < yt);
    /* 窑头乡: 钱七 first, then the unassigned group addressed to the township contact
     * (from the registry row of that township) and the county */
    const char *qq = strstr(s, "▶ 网格员 钱七 13800000005（1 条）\n");
    const char *un = strstr(s, "▶ 未分配网格员（1 条）：请乡镇联系人 孙乡长 03507654322 和县生态环境分局安排核查\n");
    assert_non_null(qq);
    assert_non_null(un);
    assert_true(yt < qq && qq < un && un < strstr(s, g_x[X_YT_UN].id));
    assert_true(strstr(s, g_x[X_YT_UN].id) < out);
    /* outside: for the county office, not an officer */
    char m[2048];
    message_of(s, g_x[X_OUT].id, m, sizeof m);
    assert_int_equal(strncmp(m, "【疑似秸秆焚烧】县外（邻近新关镇） 约4.", strlen("【疑似秸秆焚烧】县外（邻近新关镇） 约4.")), 0);
    assert_non_null(strstr(m, "请县生态环境分局与相邻县联系核实。"));
    assert_true(out < strstr(s, g_x[X_OUT].id));
    free(s);
}

static void without_a_registry_every_incident_is_unassigned(void **state)
{
    (void)state;
    const char *dir = TMP "/noreg";
    fg_lists_opts o = opts(NULL, NULL);
    o.officers = NULL;
    write_ok(dir, g_x, X_N, &o);
    char *s = must_slurp(dir, "officer_messages.txt");
    assert_non_null(strstr(s, "▶ 未分配网格员（3 条）：请乡镇和县生态环境分局安排核查\n"));
    assert_non_null(strstr(s, "▶ 未分配网格员（2 条）：请乡镇和县生态环境分局安排核查\n"));
    assert_null(strstr(s, "▶ 网格员"));
    free(s);
    s = must_slurp(dir, "county_summary.csv");
    char f[14][128];
    summary_row(s, "合计,疑似秸秆焚烧", f);
    assert_string_equal(f[12], "7"); /* all inside straw incidents */
    free(s);
}

static void xlsx_opens_with_ogr_and_its_chinese_headers(void **state)
{
    (void)state;
    const char *dir = standard();
    GDALDatasetH ds = open_vector(dir, "county_incidents.xlsx");
    assert_string_equal(GDALGetDriverShortName(GDALGetDatasetDriver(ds)), "XLSX");
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    assert_non_null(lyr);
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(lyr);
    assert_int_equal(OGR_FD_GetFieldCount(d), 22);
    static const char *const names[] = {"编号", "首次发现", "乡镇", "村", "网格", "经度",
                                        "纬度", "可信度", "火点功率MW", "网格员", "电话", "说明"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (OGR_FD_GetFieldIndex(d, names[i]) < 0)
            fail_msg("county_incidents.xlsx has no column %s", names[i]);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(d, OGR_FD_GetFieldIndex(d, "经度"))),
                     OFTReal);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(d, OGR_FD_GetFieldIndex(d, "乡镇代码"))),
                     OFTString);
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), 8);
    int found = 0;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
        if (strcmp(OGR_F_GetFieldAsString(f, 0), g_x[X_MA].id) == 0) {
            found = 1;
            assert_string_equal(OGR_F_GetFieldAsString(f, OGR_FD_GetFieldIndex(d, "村")),
                                "马梁村委会");
            char lon[32];
            snprintf(lon, sizeof lon, "%.5f", g_x[X_MA].lon);
            assert_true(OGR_F_GetFieldAsDouble(f, OGR_FD_GetFieldIndex(d, "经度")) ==
                        strtod(lon, NULL));
            assert_int_equal(OGR_F_GetFieldAsInteger(f, OGR_FD_GetFieldIndex(d, "可信度")), 85);
        }
        OGR_F_Destroy(f);
    }
    assert_true(found);
    GDALClose(ds);
    /* an empty township: the header and one "none" row (OGR's writer needs a row) */
    ds = open_vector(dir, "township_140932102.xlsx");
    lyr = GDALDatasetGetLayer(ds, 0);
    d = OGR_L_GetLayerDefn(lyr);
    assert_int_equal(OGR_FD_GetFieldIndex(d, "编号"), 0);
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), 1);
    f = OGR_L_GetNextFeature(lyr);
    assert_string_equal(OGR_F_GetFieldAsString(f, 0), "（无）");
    assert_int_equal(OGR_F_GetFieldAsInteger(f, OGR_FD_GetFieldIndex(d, "火点数")), 0);
    OGR_F_Destroy(f);
    GDALClose(ds);
    /* the summary sheet too */
    ds = open_vector(dir, "county_summary.xlsx");
    d = OGR_L_GetLayerDefn(GDALDatasetGetLayer(ds, 0));
    assert_int_equal(OGR_FD_GetFieldIndex(d, "未分配网格员"), 12);
    GDALClose(ds);
}

static void kml_opens_with_ogr_with_names_and_descriptions(void **state)
{
    (void)state;
    GDALDatasetH ds = open_vector(standard(), "township_140932100.kml");
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), 5);
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(lyr);
    int iname = OGR_FD_GetFieldIndex(d, "Name"), idesc = OGR_FD_GetFieldIndex(d, "description");
    if (idesc < 0)
        idesc = OGR_FD_GetFieldIndex(d, "Description");
    assert_true(iname >= 0 && idesc >= 0);
    int found = 0;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
        const char *desc = OGR_F_GetFieldAsString(f, idesc);
        if (strstr(desc, g_x[X_MA].id)) {
            found = 1;
            assert_string_equal(OGR_F_GetFieldAsString(f, iname), "疑似秸秆焚烧 马梁村委会");
            assert_non_null(strstr(desc, "首次发现：2026-10-15 13:40（北京时间）"));
            assert_non_null(strstr(desc, "可信度：85；火点功率 12.3 MW"));
            assert_non_null(strstr(desc, "网格员：张三 13800000001"));
            assert_non_null(strstr(desc, "地点：新关镇 马梁村委会 1000m-E612-N4355\n"));
            OGRGeometryH g = OGR_F_GetGeometryRef(f);
            assert_non_null(g);
            char lon[32], lat[32];
            snprintf(lon, sizeof lon, "%.5f", g_x[X_MA].lon);
            snprintf(lat, sizeof lat, "%.5f", g_x[X_MA].lat);
            assert_true(fabs(OGR_G_GetX(g, 0) - strtod(lon, NULL)) < 1e-9);
            assert_true(fabs(OGR_G_GetY(g, 0) - strtod(lat, NULL)) < 1e-9);
        }
        OGR_F_Destroy(f);
    }
    assert_true(found);
    GDALClose(ds);
}

static void geojson_lists_are_typed_wgs84_points(void **state)
{
    (void)state;
    const char *dir = standard();
    char *s = must_slurp(dir, "county_incidents.geojson");
    assert_null(strstr(s, "\"crs\"")); /* RFC 7946: WGS84 implied */
    free(s);
    GDALDatasetH ds = open_vector(dir, "county_incidents.geojson");
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), 8);
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(lyr);
    int iconf = OGR_FD_GetFieldIndex(d, "可信度");
    assert_true(iconf >= 0);
    assert_int_equal(OGR_Fld_GetType(OGR_FD_GetFieldDefn(d, iconf)), OFTInteger);
    OGRFeatureH f;
    int out = 0;
    while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        assert_non_null(g);
        if (strcmp(OGR_F_GetFieldAsString(f, 0), g_x[X_OUT].id) == 0) {
            out = 1;
            assert_true(OGR_G_GetX(g, 0) < FG_SAMPLE_WEST);
            assert_true(OGR_F_IsFieldNull(f, OGR_FD_GetFieldIndex(d, "火点功率MW")));
        }
        OGR_F_Destroy(f);
    }
    assert_true(out);
    GDALClose(ds);
}

static void hotspots_geojson_names_each_hotspots_incident(void **state)
{
    (void)state;
    GDALDatasetH ds = open_vector(standard(), "hotspots.geojson");
    OGRLayerH lyr = GDALDatasetGetLayer(ds, 0);
    assert_int_equal(OGR_L_GetFeatureCount(lyr, TRUE), 3);
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(lyr);
    int iinc = OGR_FD_GetFieldIndex(d, "incident_id"), iid = OGR_FD_GetFieldIndex(d, "id");
    assert_true(iinc >= 0 && iid >= 0);
    OGRFeatureH f;
    int matched = 0;
    while ((f = OGR_L_GetNextFeature(lyr)) != NULL) {
        for (int i = 0; i < 3; i++)
            if (strcmp(OGR_F_GetFieldAsString(f, iid), g_hot[i].id) == 0) {
                assert_string_equal(OGR_F_GetFieldAsString(f, iinc), g_hot_inc[i]);
                matched++;
            }
        OGR_F_Destroy(f);
    }
    assert_int_equal(matched, 3);
    GDALClose(ds);
}

/* Compares every file of two folders byte by byte. */
static void same_files(const char *da, const char *db)
{
    DIR *d = opendir(da);
    assert_non_null(d);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char pa[1024], pb[1024];
        snprintf(pa, sizeof pa, "%s/%s", da, e->d_name);
        snprintf(pb, sizeof pb, "%s/%s", db, e->d_name);
        size_t la = 0, lb = 0;
        char *a = slurp(pa, &la), *b = slurp(pb, &lb);
        assert_non_null(a);
        if (!b)
            fail_msg("%s missing in the second run", e->d_name);
        if (la != lb || memcmp(a, b, la) != 0)
            fail_msg("%s differs between runs", e->d_name);
        free(a);
        free(b);
        files++;
    }
    closedir(d);
    assert_int_equal(files, files_in(db));
}

static void rewriting_in_any_input_order_gives_identical_bytes_in_every_format(void **state)
{
    (void)state;
    fg_lists_opts o = opts(NULL, ALL_FORMATS);
    write_ok(TMP "/outA", g_x, X_N, &o);
    fg_incident rev[X_N];
    for (int i = 0; i < X_N; i++)
        rev[i] = g_x[X_N - 1 - i];
    fg_alert hrev[3];
    char irev[3][24];
    for (int i = 0; i < 3; i++) {
        hrev[i] = g_hot[2 - i];
        memcpy(irev[i], g_hot_inc[2 - i], 24);
    }
    o.hotspots = hrev;
    o.hotspot_incident = (const char(*)[24])irev;
    write_ok(TMP "/outB", rev, X_N, &o);
    same_files(TMP "/outA", TMP "/outB");
    /* and over an existing set (a rerun): the same bytes, no temporaries */
    fg_ctx ctx = {0};
    assert_int_equal(fg_incident_lists_write(TMP "/outB", g_grid, g_x, X_N, &o, &ctx), FG_OK);
    same_files(TMP "/outA", TMP "/outB");
    assert_int_equal(temporaries(TMP "/outB"), 0);
}

static void no_incidents_still_writes_every_list(void **state)
{
    (void)state;
    const char *dir = TMP "/empty";
    fg_lists_opts o = opts(NULL, ALL_FORMATS);
    o.hotspots = NULL;
    o.nhotspots = 0;
    o.candidates = NULL;
    o.ncandidates = 0;
    write_ok(dir, NULL, 0, &o);
    char *s = must_slurp(dir, "county_incidents.csv");
    assert_string_equal(s, BOM HEADER_ZH "\r\n");
    free(s);
    assert_true(exists(dir, "township_140932201.kml"));
    assert_int_equal(files_in(dir), 3 * 4 + 2 + 8 * 4 + 2);
    s = must_slurp(dir, "officer_messages.txt");
    assert_non_null(strstr(s, "本次没有待核查的疑似秸秆焚烧火点。"));
    free(s);
    GDALDatasetH ds = open_vector(dir, "hotspots.geojson");
    assert_int_equal(OGR_L_GetFeatureCount(GDALDatasetGetLayer(ds, 0), TRUE), 0);
    GDALClose(ds);
}

static void unknown_format_fails_listing_the_known_ones_and_writes_nothing(void **state)
{
    (void)state;
    const char *dir = TMP "/badfmt";
    rm_tree(dir);
    static const char *const fmts[] = {"csv", "Shapefile", NULL};
    fg_lists_opts o = opts(NULL, fmts);
    fg_ctx ctx = {0};
    assert_int_equal(fg_incident_lists_write(dir, g_grid, g_x, X_N, &o, &ctx), FG_EINVAL);
    assert_non_null(strstr(ctx.msg, "Shapefile"));
    assert_non_null(strstr(ctx.msg, "CSV, XLSX, GeoJSON, KML"));
    assert_int_equal(files_in(dir), 0);
    /* names are case-insensitive, as GDAL's -of */
    static const char *const ok[] = {"xlsx", "kml", NULL};
    o = opts(NULL, ok);
    write_ok(dir, g_x, X_N, &o);
    assert_true(exists(dir, "county_incidents.xlsx"));
    assert_true(exists(dir, "county_incidents.kml"));
    assert_false(exists(dir, "county_incidents.csv"));
}

static void unknown_language_fails(void **state)
{
    (void)state;
    fg_lists_opts o = opts("fr", NULL);
    fg_ctx ctx = {0};
    assert_int_equal(fg_incident_lists_write(TMP "/badlang", g_grid, g_x, X_N, &o, &ctx),
                     FG_EINVAL);
    assert_non_null(strstr(ctx.msg, "fr"));
    assert_int_equal(files_in(TMP "/badlang"), 0);
}

static void out_dir_that_is_a_file_fails_naming_it(void **state)
{
    (void)state;
    const char *path = TMP "/not_a_dir";
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs("keep me", fp);
    fclose(fp);
    fg_lists_opts o = opts(NULL, ALL_FORMATS);
    fg_ctx ctx = {0};
    int rc = fg_incident_lists_write(path, g_grid, g_x, X_N, &o, &ctx);
    assert_true(rc < 0);
    assert_non_null(strstr(ctx.msg, path));
    char *s = slurp(path, NULL);
    assert_string_equal(s, "keep me");
    free(s);
    assert_int_equal(temporaries(TMP), 0);
}

/* township_140932200.xlsx cannot be renamed into place (a folder holds its name): the
 * files written before it stay whole, nothing after it appears, no temporaries. */
static void failure_midway_leaves_earlier_files_whole_and_no_temporaries(void **state)
{
    (void)state;
    const char *ref = standard(), *dir = TMP "/fail";
    rm_tree(dir);
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(mkdir(TMP "/fail/township_140932200.xlsx", 0755), 0);
    fg_lists_opts o = opts(NULL, ALL_FORMATS);
    fg_ctx ctx = {0};
    int rc = fg_incident_lists_write(dir, g_grid, g_x, X_N, &o, &ctx);
    assert_int_equal(rc, FG_EIO);
    assert_non_null(strstr(ctx.msg, "township_140932200.xlsx"));
    assert_int_equal(temporaries(dir), 0);
    assert_false(exists(dir, "officer_messages.txt"));
    assert_false(exists(dir, "hotspots.geojson"));
    assert_false(exists(dir, "township_140932200.kml"));
    static const char *const whole[] = {"county_incidents.csv", "county_incidents.xlsx",
                                        "county_summary.xlsx", "county_industrial.kml",
                                        "township_140932200.csv", "township_140932106.geojson"};
    for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++) {
        char pa[1024], pb[1024];
        snprintf(pa, sizeof pa, "%s/%s", ref, whole[i]);
        snprintf(pb, sizeof pb, "%s/%s", dir, whole[i]);
        size_t la = 0, lb = 0;
        char *a = slurp(pa, &la), *b = slurp(pb, &lb);
        if (!a || !b || la != lb || memcmp(a, b, la) != 0)
            fail_msg("%s is not whole after the failure", whole[i]);
        free(a);
        free(b);
    }
}

/* Allocation failures (through the fg_malloc seam) at every point: the call fails
 * cleanly with FG_ENOMEM, leaves no temporaries, and eventually succeeds. */
static int g_fail_after = -1, g_allocs;

static void *failing_malloc(size_t n)
{
    if (g_fail_after >= 0 && g_allocs++ >= g_fail_after)
        return NULL;
    return malloc(n);
}

static void *failing_realloc(void *p, size_t n)
{
    if (g_fail_after >= 0 && g_allocs++ >= g_fail_after)
        return NULL;
    return realloc(p, n);
}

static void allocation_failures_fail_cleanly(void **state)
{
    (void)state;
    const char *dir = TMP "/oom";
    fg_lists_opts o = opts(NULL, ALL_FORMATS);
    int k;
    for (k = 0; k < 2000; k++) {
        rm_tree(dir);
        fg_ctx ctx = {0};
        g_allocs = 0;
        g_fail_after = k;
        fg_set_allocator(failing_malloc, failing_realloc, free);
        int rc = fg_incident_lists_write(dir, g_grid, g_x, X_N, &o, &ctx);
        fg_set_allocator(NULL, NULL, NULL);
        g_fail_after = -1;
        assert_int_equal(temporaries(dir), 0);
        if (rc == FG_OK)
            break;
        assert_int_equal(rc, FG_ENOMEM);
        assert_non_null(strstr(ctx.msg, "memory"));
    }
    assert_true(k > 0 && k < 2000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_list_is_written_in_every_format_without_temporaries),
        cmocka_unit_test(default_formats_are_csv_and_geojson),
        cmocka_unit_test(county_csv_has_bom_chinese_header_and_every_straw_incident_in_order),
        cmocka_unit_test(english_lists_have_english_headers_and_words),
        cmocka_unit_test(township_list_holds_only_its_own_straw_incidents),
        cmocka_unit_test(empty_township_csv_has_the_header_only),
        cmocka_unit_test(industrial_incidents_go_to_the_county_industrial_list_only),
        cmocka_unit_test(summary_counts_by_township_source_and_checks),
        cmocka_unit_test(candidates_list_the_persistent_sources_to_confirm),
        cmocka_unit_test(officer_messages_fit_a_phone_screen_and_say_where_when_and_how_sure),
        cmocka_unit_test(officer_messages_are_grouped_by_officer_with_unassigned_flagged),
        cmocka_unit_test(without_a_registry_every_incident_is_unassigned),
        cmocka_unit_test(xlsx_opens_with_ogr_and_its_chinese_headers),
        cmocka_unit_test(kml_opens_with_ogr_with_names_and_descriptions),
        cmocka_unit_test(geojson_lists_are_typed_wgs84_points),
        cmocka_unit_test(hotspots_geojson_names_each_hotspots_incident),
        cmocka_unit_test(rewriting_in_any_input_order_gives_identical_bytes_in_every_format),
        cmocka_unit_test(no_incidents_still_writes_every_list),
        cmocka_unit_test(unknown_format_fails_listing_the_known_ones_and_writes_nothing),
        cmocka_unit_test(unknown_language_fails),
        cmocka_unit_test(out_dir_that_is_a_file_fails_naming_it),
        cmocka_unit_test(failure_midway_leaves_earlier_files_whole_and_no_temporaries),
        cmocka_unit_test(allocation_failures_fail_cleanly),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
