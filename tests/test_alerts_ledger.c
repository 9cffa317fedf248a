/* test_alerts_ledger.c — the incident ledger: round trips, transactions, schema upgrade and refusal, ogrinfo. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alerts/alerts.h"

#define TMP FG_TEST_TMPDIR

static int sh(const char *cmd)
{
    int st = system(cmd);
    return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

static int setup(void **state)
{
    (void)state;
    return sh("rm -rf '" TMP "' && mkdir -p '" TMP "'") == 0 ? 0 : -1;
}

static fg_ledger *open_new(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, TMP "/%s", name);
    unlink(path);
    fg_ledger *l = NULL;
    fg_ctx c = {0};
    assert_int_equal(fg_ledger_open(path, &l, &c), FG_OK);
    assert_non_null(l);
    return l;
}

static fg_ledger *reopen(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, TMP "/%s", name);
    fg_ledger *l = NULL;
    fg_ctx c = {0};
    assert_int_equal(fg_ledger_open(path, &l, &c), FG_OK);
    return l;
}

static fg_incident make_incident(const char *id, int64_t first)
{
    fg_incident x;
    memset(&x, 0, sizeof x);
    snprintf(x.id, sizeof x.id, "%s", id);
    x.first_seen = first;
    x.last_seen = first + 3600;
    x.lat = 39.41234567;
    x.lon = 111.61234567;
    x.radius_m = 265.2;
    x.n_hotspots = 3;
    x.source_kinds = FG_SRC_BIT_SATELLITE | FG_SRC_BIT_CAMERA;
    snprintf(x.sources, sizeof x.sources, "CAM-01,VIIRS-NPP");
    x.peak_confidence = 88;
    x.peak_frp_mw = NAN;
    x.place.inside = 1;
    snprintf(x.place.town_code, sizeof x.place.town_code, "140932100");
    snprintf(x.place.town_name, sizeof x.place.town_name, "新关镇");
    snprintf(x.place.vill_code, sizeof x.place.vill_code, "140932100201");
    snprintf(x.place.vill_name, sizeof x.place.vill_name, "O'Brien村"); /* a quote */
    x.place.code_year = 2023;
    snprintf(x.cell_id, sizeof x.cell_id, "1000m-E512-N4362");
    snprintf(x.land_class, sizeof x.land_class, "cropland");
    x.cls = FG_ALERT_STRAW;
    x.status = FG_INC_ONGOING;
    x.status_time = first + 3600;
    snprintf(x.period, sizeof x.period, "autumn_harvest");
    x.possible_bonfire = 0;
    x.checked_at = 0;
    snprintf(x.last_run, sizeof x.last_run, "R0123456789abcdef");
    return x;
}

static fg_alert make_alert(const char *sensor, int64_t t, double lat, double lon, int camera)
{
    fg_alert a;
    memset(&a, 0, sizeof a);
    fg_hotspot_init(&a.hs, camera ? FG_SOURCE_CAMERA : FG_SOURCE_SATELLITE);
    snprintf(a.hs.sensor, sizeof a.hs.sensor, "%s", sensor);
    a.hs.time_utc = t;
    a.hs.lat = lat;
    a.hs.lon = lon;
    a.hs.confidence = 77;
    a.hs.conf_class = fg_conf_class_of(77);
    if (camera) {
        a.hs.bearing_deg = 123.25f;
        a.hs.range_m = 2100.5f;
        a.hs.range_min_m = 1800.0f;
        a.hs.range_max_m = 2500.0f;
        a.hs.smoke_score = 0.8125f;
        a.hs.ev_x = 10;
        a.hs.ev_y = 20;
        a.hs.ev_w = 30;
        a.hs.ev_h = 40;
        a.hs.persisted = 4;
        a.hs.nblocks = 9;
    } else {
        a.hs.scan_km = 0.375f;
        a.hs.track_km = 0.375f;
        a.hs.frp_mw = 12.3f;
        a.hs.bt_mir_k = 345.67f;
        a.hs.bt_tir_k = 290.1f;
        a.hs.ev_row = 5;
        a.hs.ev_col = 6;
        a.hs.bg_mir_k = 301.25f;
        a.hs.bg_tir_k = 288.5f;
        a.hs.bg_dt_k = 12.75f;
        a.hs.mad_mir_k = 1.5f;
        a.hs.mad_tir_k = 0.75f;
        a.hs.mad_dt_k = 2.25f;
        a.hs.tests = FG_TEST_POTENTIAL | FG_TEST_ABSOLUTE | FG_TEST_CTX_DT_MAD | FG_TEST_CTX_T4;
        a.hs.window = 11;
        a.hs.n_valid = 87;
    }
    snprintf(a.hs.evidence, sizeof a.hs.evidence, "scenes/x'y.tif");
    a.place.inside = 0;
    a.place.distance_m = 812.5;
    snprintf(a.place.town_code, sizeof a.place.town_code, "140932105");
    fg_alert_make_id(&a);
    return a;
}

static void incidents_round_trip_every_field_and_come_back_sorted(void **state)
{
    (void)state;
    fg_ledger *l = open_new("rt.gpkg");
    fg_ctx c = {0};
    fg_incident a = make_incident("F00000000000b", 2000000000), b = make_incident("F00000000000a", 2000000000),
                e = make_incident("F000000000001", 2000009999);
    b.peak_frp_mw = 45.5f;
    b.checked_at = 2000005000;
    b.cls = FG_ALERT_INDUSTRIAL;
    snprintf(b.static_id, sizeof b.static_id, "PP1");
    snprintf(b.static_name, sizeof b.static_name, "电厂");
    b.possible_bonfire = 1;
    assert_int_equal(fg_ledger_begin(l, &c), FG_OK);
    assert_int_equal(fg_ledger_incident_put(l, &e, &c), FG_OK);
    assert_int_equal(fg_ledger_incident_put(l, &a, &c), FG_OK);
    assert_int_equal(fg_ledger_incident_put(l, &b, &c), FG_OK);
    assert_int_equal(fg_ledger_commit(l, &c), FG_OK);
    fg_ledger_close(l);

    l = reopen("rt.gpkg");
    fg_incident *v = NULL;
    size_t n = 0;
    assert_int_equal(fg_ledger_incidents(l, &v, &n, &c), FG_OK);
    assert_int_equal(n, 3);
    /* first_seen, then id */
    assert_string_equal(v[0].id, "F00000000000a");
    assert_string_equal(v[1].id, "F00000000000b");
    assert_string_equal(v[2].id, "F000000000001");
    assert_true(isnan(v[1].peak_frp_mw));
    assert_true(v[0].peak_frp_mw == 45.5f);
    assert_int_equal(v[0].checked_at, 2000005000);
    assert_int_equal(v[0].cls, FG_ALERT_INDUSTRIAL);
    assert_string_equal(v[0].static_name, "电厂");
    assert_int_equal(v[0].possible_bonfire, 1);
    const fg_incident *x = &v[1];
    assert_int_equal(x->first_seen, a.first_seen);
    assert_int_equal(x->last_seen, a.last_seen);
    assert_true(x->lat == a.lat && x->lon == a.lon && x->radius_m == a.radius_m);
    assert_int_equal(x->n_hotspots, 3);
    assert_int_equal(x->source_kinds, a.source_kinds);
    assert_string_equal(x->sources, a.sources);
    assert_int_equal(x->peak_confidence, 88);
    assert_string_equal(x->place.vill_name, "O'Brien村");
    assert_string_equal(x->place.town_name, "新关镇");
    assert_int_equal(x->place.code_year, 2023);
    assert_int_equal(x->place.inside, 1);
    assert_string_equal(x->cell_id, a.cell_id);
    assert_string_equal(x->land_class, "cropland");
    assert_int_equal(x->status, FG_INC_ONGOING);
    assert_int_equal(x->status_time, a.status_time);
    assert_string_equal(x->period, "autumn_harvest");
    assert_int_equal(x->checked_at, 0);
    assert_string_equal(x->last_run, a.last_run);
    fg_free(v);

    /* put with an existing id replaces the row */
    a.n_hotspots = 9;
    a.status = FG_INC_CONFIRMED;
    assert_int_equal(fg_ledger_begin(l, &c), FG_OK);
    assert_int_equal(fg_ledger_incident_put(l, &a, &c), FG_OK);
    assert_int_equal(fg_ledger_commit(l, &c), FG_OK);
    assert_int_equal(fg_ledger_incidents(l, &v, &n, &c), FG_OK);
    assert_int_equal(n, 3);
    assert_int_equal(v[1].n_hotspots, 9);
    assert_int_equal(v[1].status, FG_INC_CONFIRMED);
    fg_free(v);
    fg_ledger_close(l);
}

static void hotspots_round_trip_with_nan_and_are_found_by_incident(void **state)
{
    (void)state;
    fg_ledger *l = open_new("hs.gpkg");
    fg_ctx c = {0};
    fg_alert s = make_alert("VIIRS-NPP", 2000000000, 39.3, 111.5, 0);
    fg_alert k = make_alert("CAM-01", 2000000600, 39.31, 111.51, 1);
    fg_alert o = make_alert("MODIS", 2000000100, 39.5, 111.9, 0);
    assert_int_equal(fg_ledger_begin(l, &c), FG_OK);
    assert_int_equal(fg_ledger_hotspot_add(l, &k, "F1", "R1", &c), FG_OK);
    assert_int_equal(fg_ledger_hotspot_add(l, &s, "F1", "R1", &c), FG_OK);
    assert_int_equal(fg_ledger_hotspot_add(l, &o, "F2", "R1", &c), FG_OK);
    /* the same alert again replaces, never duplicates */
    assert_int_equal(fg_ledger_hotspot_add(l, &s, "F1", "R2", &c), FG_OK);
    assert_int_equal(fg_ledger_commit(l, &c), FG_OK);
    fg_alert *v = NULL;
    size_t n = 0;
    assert_int_equal(fg_ledger_hotspots_of(l, "F1", &v, &n, &c), FG_OK);
    assert_int_equal(n, 2);
    /* sorted as fg_alerts_sort: by time */
    assert_string_equal(v[0].id, s.id);
    assert_string_equal(v[1].id, k.id);
    assert_memory_equal(&v[0].hs, &s.hs, offsetof(fg_hotspot, evidence));
    assert_string_equal(v[0].hs.evidence, "scenes/x'y.tif");
    assert_true(isnan(v[1].hs.frp_mw) && isnan(v[1].hs.scan_km));
    assert_true(v[1].hs.smoke_score == 0.8125f && v[1].hs.range_max_m == 2500.0f);
    assert_int_equal(v[1].hs.ev_h, 40);
    assert_int_equal(v[1].hs.ev_row, -1);
    /* decision values: the satellite's background statistics and tests, the camera's
     * persistence and blocks; what a source does not produce stays unknown */
    assert_true(v[0].hs.bg_mir_k == 301.25f && v[0].hs.bg_tir_k == 288.5f &&
                v[0].hs.bg_dt_k == 12.75f);
    assert_true(v[0].hs.mad_mir_k == 1.5f && v[0].hs.mad_tir_k == 0.75f &&
                v[0].hs.mad_dt_k == 2.25f);
    assert_int_equal(v[0].hs.tests, FG_TEST_POTENTIAL | FG_TEST_ABSOLUTE | FG_TEST_CTX_DT_MAD |
                                        FG_TEST_CTX_T4);
    assert_int_equal(v[0].hs.window, 11);
    assert_int_equal(v[0].hs.n_valid, 87);
    assert_int_equal(v[0].hs.persisted, -1);
    assert_int_equal(v[0].hs.nblocks, -1);
    assert_int_equal(v[1].hs.persisted, 4);
    assert_int_equal(v[1].hs.nblocks, 9);
    assert_true(isnan(v[1].hs.bg_mir_k) && isnan(v[1].hs.mad_dt_k));
    assert_int_equal(v[1].hs.tests, 0);
    assert_int_equal(v[1].hs.window, -1);
    assert_int_equal(v[1].hs.n_valid, -1);
    assert_int_equal(v[0].place.inside, 0);
    assert_true(v[0].place.distance_m == 812.5);
    assert_string_equal(v[0].place.town_code, "140932105");
    fg_free(v);
    assert_int_equal(fg_ledger_hotspots_of(l, NULL, &v, &n, &c), FG_OK);
    assert_int_equal(n, 3);
    fg_free(v);
    assert_int_equal(fg_ledger_hotspots_of(l, "F9", &v, &n, &c), FG_OK);
    assert_int_equal(n, 0);
    fg_free(v);
    fg_ledger_close(l);
}

static void a_rolled_back_transaction_leaves_nothing_and_a_commit_survives_reopen(void **state)
{
    (void)state;
    fg_ledger *l = open_new("tx.gpkg");
    fg_ctx c = {0};
    int seen = -1;
    assert_int_equal(fg_ledger_begin(l, &c), FG_OK);
    assert_int_equal(fg_ledger_input_add(l, "scene:a.tif:10:20", "R1", &c), FG_OK);
    fg_incident x = make_incident("F1", 2000000000);
    assert_int_equal(fg_ledger_incident_put(l, &x, &c), FG_OK);
    assert_int_equal(fg_ledger_input_seen(l, "scene:a.tif:10:20", &seen, &c), FG_OK);
    assert_int_equal(seen, 1); /* visible inside the transaction */
    fg_ledger_rollback(l);
    assert_int_equal(fg_ledger_input_seen(l, "scene:a.tif:10:20", &seen, &c), FG_OK);
    assert_int_equal(seen, 0);
    fg_incident *v = NULL;
    size_t n = 9;
    assert_int_equal(fg_ledger_incidents(l, &v, &n, &c), FG_OK);
    assert_int_equal(n, 0);
    fg_free(v);

    assert_int_equal(fg_ledger_begin(l, &c), FG_OK);
    assert_int_equal(fg_ledger_begin(l, &c), FG_EINVAL); /* no nesting */
    assert_int_equal(fg_ledger_input_add(l, "scene:b'.tif:10:20", "R2", &c), FG_OK);
    assert_int_equal(fg_ledger_input_add(l, "scene:b'.tif:10:20", "R2", &c), FG_OK);
    assert_int_equal(fg_ledger_status_add(l, "F1", FG_INC_CONFIRMED, 2000001000, "张三",
                                          "烧了", &c),
                     FG_OK);
    assert_int_equal(fg_ledger_commit(l, &c), FG_OK);
    /* a transaction left open at close is rolled back */
    assert_int_equal(fg_ledger_begin(l, &c), FG_OK);
    assert_int_equal(fg_ledger_input_add(l, "scene:c.tif:1:1", "R3", &c), FG_OK);
    fg_ledger_close(l);

    l = reopen("tx.gpkg");
    assert_int_equal(fg_ledger_input_seen(l, "scene:b'.tif:10:20", &seen, &c), FG_OK);
    assert_int_equal(seen, 1);
    assert_int_equal(fg_ledger_input_seen(l, "scene:c.tif:1:1", &seen, &c), FG_OK);
    assert_int_equal(seen, 0);
    fg_ledger_close(l);
    /* one row per key, and the status row is there, as sqlite sees it */
    GDALDatasetH ds = GDALOpenEx(TMP "/tx.gpkg", GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    assert_int_equal(OGR_L_GetFeatureCount(GDALDatasetGetLayerByName(ds, "inputs"), TRUE), 1);
    assert_int_equal(OGR_L_GetFeatureCount(GDALDatasetGetLayerByName(ds, "status_history"), TRUE),
                     1);
    GDALClose(ds);
}

/* The history comes back per incident, in time order, rows of the same time in the
 * order they were written, and survives a reopen; an incident without rows has none. */
static void status_history_reads_back_in_time_then_insertion_order(void **state)
{
    (void)state;
    fg_ledger *l = open_new("hist.gpkg");
    fg_ctx c = {0};
    assert_int_equal(fg_ledger_begin(l, &c), FG_OK);
    assert_int_equal(fg_ledger_status_add(l, "F1", FG_INC_CONFIRMED, 2000002000, "张三",
                                          "烧了 <b>\"x\"</b>", &c),
                     FG_OK);
    assert_int_equal(fg_ledger_status_add(l, "F1", FG_INC_NEW, 2000000000, "", "", &c), FG_OK);
    assert_int_equal(fg_ledger_status_add(l, "F2", FG_INC_FALSE_ALARM, 2000000500, "李四",
                                          "O'Brien", &c),
                     FG_OK);
    assert_int_equal(fg_ledger_status_add(l, "F1", FG_INC_OUT, 2000002000, "王五", "灭了", &c),
                     FG_OK);
    assert_int_equal(fg_ledger_status_add(l, "F1", FG_INC_ONGOING, 2000001000, "run", "", &c),
                     FG_OK);
    assert_int_equal(fg_ledger_commit(l, &c), FG_OK);
    fg_ledger_close(l);

    l = reopen("hist.gpkg");
    fg_status_entry *e = NULL;
    size_t n = 0;
    assert_int_equal(fg_ledger_status_history(l, "F1", &e, &n, &c), FG_OK);
    assert_int_equal(n, 4);
    static const struct {
        int64_t t;
        fg_incident_status st;
        const char *who, *comment;
    } want[] = {
        {2000000000, FG_INC_NEW, "", ""},
        {2000001000, FG_INC_ONGOING, "run", ""},
        {2000002000, FG_INC_CONFIRMED, "张三", "烧了 <b>\"x\"</b>"},
        {2000002000, FG_INC_OUT, "王五", "灭了"},
    };
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(e[i].t, want[i].t);
        assert_int_equal(e[i].status, want[i].st);
        assert_string_equal(e[i].who, want[i].who);
        assert_string_equal(e[i].comment, want[i].comment);
    }
    fg_free(e);
    assert_int_equal(fg_ledger_status_history(l, "F2", &e, &n, &c), FG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].status, FG_INC_FALSE_ALARM);
    assert_string_equal(e[0].comment, "O'Brien");
    fg_free(e);
    e = (fg_status_entry *)&n; /* must be replaced */
    n = 7;
    assert_int_equal(fg_ledger_status_history(l, "F'3", &e, &n, &c), FG_OK);
    assert_int_equal(n, 0);
    assert_null(e);
    fg_ledger_close(l);
}

static void camera_states_are_binary_blobs_replaced_per_camera(void **state)
{
    (void)state;
    fg_ledger *l = open_new("cs.gpkg");
    fg_ctx c = {0};
    unsigned char blob[1000];
    for (size_t i = 0; i < sizeof blob; i++)
        blob[i] = (unsigned char)(i * 37 + (i >> 3)); /* zeros and high bytes included */
    unsigned char *got = (unsigned char *)1;
    size_t len = 7;
    assert_int_equal(fg_ledger_state_get(l, "CAM-01", &got, &len, &c), FG_OK);
    assert_null(got);
    assert_int_equal(len, 0);
    assert_int_equal(fg_ledger_begin(l, &c), FG_OK);
    assert_int_equal(fg_ledger_state_put(l, "CAM-01", blob, sizeof blob, &c), FG_OK);
    assert_int_equal(fg_ledger_state_put(l, "CAM-02@p1", blob, 10, &c), FG_OK);
    assert_int_equal(fg_ledger_state_put(l, "CAM-01", blob + 1, 500, &c), FG_OK);
    assert_int_equal(fg_ledger_commit(l, &c), FG_OK);
    fg_ledger_close(l);
    l = reopen("cs.gpkg");
    assert_int_equal(fg_ledger_state_get(l, "CAM-01", &got, &len, &c), FG_OK);
    assert_int_equal(len, 500);
    assert_memory_equal(got, blob + 1, 500);
    fg_free(got);
    assert_int_equal(fg_ledger_state_get(l, "CAM-02@p1", &got, &len, &c), FG_OK);
    assert_int_equal(len, 10);
    fg_free(got);
    fg_ledger_close(l);
}

/* A ledger as the first version wrote it (schema 0): incidents, hotspots and inputs,
 * no meta table, incidents without the later columns. */
static void make_schema0(const char *path)
{
    GDALAllRegister();
    unlink(path);
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GPKG"), path, 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(ds);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OGRLayerH inc = GDALDatasetCreateLayer(ds, "incidents", srs, wkbPoint, NULL);
    OGRLayerH hs = GDALDatasetCreateLayer(ds, "hotspots", srs, wkbPoint, NULL);
    OGRLayerH in = GDALDatasetCreateLayer(ds, "inputs", NULL, wkbNone, NULL);
    OSRDestroySpatialReference(srs);
    assert_true(inc && hs && in);
    const char *incf[] = {"id", "first_seen", "last_seen", "sources", "status", "town_code"};
    for (size_t i = 0; i < 6; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(incf[i], OFTString);
        assert_int_equal(OGR_L_CreateField(inc, fd, TRUE), OGRERR_NONE);
        OGR_Fld_Destroy(fd);
    }
    const char *incr[] = {"lat", "lon", "radius_m"};
    for (size_t i = 0; i < 3; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(incr[i], OFTReal);
        assert_int_equal(OGR_L_CreateField(inc, fd, TRUE), OGRERR_NONE);
        OGR_Fld_Destroy(fd);
    }
    OGRFieldDefnH fd = OGR_Fld_Create("n_hotspots", OFTInteger);
    OGR_L_CreateField(inc, fd, TRUE);
    OGR_Fld_Destroy(fd);
    const char *hsf[] = {"alert_id", "incident_id", "kind", "sensor", "time_utc"};
    for (size_t i = 0; i < 5; i++) {
        fd = OGR_Fld_Create(hsf[i], OFTString);
        OGR_L_CreateField(hs, fd, TRUE);
        OGR_Fld_Destroy(fd);
    }
    fd = OGR_Fld_Create("key", OFTString);
    OGR_L_CreateField(in, fd, TRUE);
    OGR_Fld_Destroy(fd);
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(inc));
    OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "id"), "Fold00000001");
    OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "first_seen"), "2025-10-01T05:40:00Z");
    OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "last_seen"), "2025-10-01T18:10:00Z");
    OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "status"), "ongoing");
    OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "town_code"), "140932100");
    OGR_F_SetFieldDouble(f, OGR_F_GetFieldIndex(f, "lat"), 39.4);
    OGR_F_SetFieldDouble(f, OGR_F_GetFieldIndex(f, "lon"), 111.6);
    OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, "n_hotspots"), 2);
    assert_int_equal(OGR_L_CreateFeature(inc, f), OGRERR_NONE);
    OGR_F_Destroy(f);
    f = OGR_F_Create(OGR_L_GetLayerDefn(in));
    OGR_F_SetFieldString(f, 0, "scene:old.tif:1:2");
    assert_int_equal(OGR_L_CreateFeature(in, f), OGRERR_NONE);
    OGR_F_Destroy(f);
    GDALClose(ds);
}

static void a_schema0_ledger_is_upgraded_and_keeps_its_records(void **state)
{
    (void)state;
    make_schema0(TMP "/old.gpkg");
    fg_ledger *l = NULL;
    fg_ctx c = {0};
    assert_int_equal(fg_ledger_open(TMP "/old.gpkg", &l, &c), FG_OK);
    fg_incident *v = NULL;
    size_t n = 0;
    assert_int_equal(fg_ledger_incidents(l, &v, &n, &c), FG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].id, "Fold00000001");
    assert_int_equal(v[0].status, FG_INC_ONGOING);
    assert_int_equal(v[0].n_hotspots, 2);
    assert_string_equal(v[0].cell_id, "");
    assert_string_equal(v[0].last_run, "");
    int64_t t;
    assert_int_equal(fg_time_parse("2025-10-01T05:40:00Z", &t), FG_OK);
    assert_int_equal(v[0].first_seen, t);
    fg_free(v);
    int seen = 0;
    assert_int_equal(fg_ledger_input_seen(l, "scene:old.tif:1:2", &seen, &c), FG_OK);
    assert_int_equal(seen, 1);
    /* the new tables work */
    assert_int_equal(fg_ledger_begin(l, &c), FG_OK);
    assert_int_equal(fg_ledger_state_put(l, "CAM-01", (const unsigned char *)"abc", 3, &c), FG_OK);
    fg_incident x = make_incident("Fnew", 2000000000);
    assert_int_equal(fg_ledger_incident_put(l, &x, &c), FG_OK);
    assert_int_equal(fg_ledger_commit(l, &c), FG_OK);
    fg_ledger_close(l);
    /* now schema 1: the meta table says so */
    GDALDatasetH ds = GDALOpenEx(TMP "/old.gpkg", GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH r = GDALDatasetExecuteSQL(ds, "SELECT value FROM meta WHERE key = 'schema'", NULL,
                                        NULL);
    assert_non_null(r);
    OGRFeatureH f = OGR_L_GetNextFeature(r);
    assert_non_null(f);
    assert_string_equal(OGR_F_GetFieldAsString(f, 0), "2");
    OGR_F_Destroy(f);
    GDALDatasetReleaseResultSet(ds, r);
    GDALClose(ds);
    assert_int_equal(sh("ogrinfo -ro -al -so '" TMP "/old.gpkg' >/dev/null 2>&1"), 0);
}

/* The hotspot columns schema 2 added to schema 1. */
static const char *const SCHEMA2_HS[] = {"bg_mir_k",  "bg_tir_k", "bg_dt_k",    "mad_mir_k",
                                         "mad_tir_k", "mad_dt_k", "tests",      "bg_window",
                                         "bg_n_valid", "persisted", "nblocks"};
#define NSCHEMA2_HS (sizeof SCHEMA2_HS / sizeof SCHEMA2_HS[0])

/* A schema-1 ledger made by hand: a current ledger with one incident and one satellite
 * hotspot, then the schema-2 hotspot columns dropped and the version set back to 1. */
static void make_schema1(const char *path, fg_alert *a)
{
    unlink(path);
    fg_ledger *l = NULL;
    fg_ctx c = {0};
    assert_int_equal(fg_ledger_open(path, &l, &c), FG_OK);
    *a = make_alert("VIIRS-NPP", 2000000000, 39.3, 111.5, 0);
    fg_incident x = make_incident("Fone", 2000000000);
    assert_int_equal(fg_ledger_begin(l, &c), FG_OK);
    assert_int_equal(fg_ledger_incident_put(l, &x, &c), FG_OK);
    assert_int_equal(fg_ledger_hotspot_add(l, a, "Fone", "R1", &c), FG_OK);
    assert_int_equal(fg_ledger_commit(l, &c), FG_OK);
    fg_ledger_close(l);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH hs = GDALDatasetGetLayerByName(ds, "hotspots");
    assert_non_null(hs);
    for (size_t i = 0; i < NSCHEMA2_HS; i++) {
        int k = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(hs), SCHEMA2_HS[i]);
        assert_true(k >= 0);
        assert_int_equal(OGR_L_DeleteField(hs, k), OGRERR_NONE);
    }
    GDALDatasetReleaseResultSet(
        ds, GDALDatasetExecuteSQL(ds, "UPDATE meta SET value = '1' WHERE key = 'schema'", NULL,
                                  NULL));
    GDALClose(ds);
}

static void a_schema1_ledger_is_upgraded_with_unknown_decision_values(void **state)
{
    (void)state;
    fg_alert a;
    make_schema1(TMP "/one.gpkg", &a);
    /* it really is schema 1 now */
    GDALDatasetH ds = GDALOpenEx(TMP "/one.gpkg", GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(GDALDatasetGetLayerByName(ds, "hotspots"));
    assert_int_equal(OGR_FD_GetFieldIndex(d, "bg_mir_k"), -1);
    assert_true(OGR_FD_GetFieldIndex(d, "smoke_score") >= 0);
    GDALClose(ds);

    fg_ledger *l = NULL;
    fg_ctx c = {0};
    if (fg_ledger_open(TMP "/one.gpkg", &l, &c) != FG_OK)
        fail_msg("%s", c.msg);
    fg_alert *v = NULL;
    size_t n = 0;
    assert_int_equal(fg_ledger_hotspots_of(l, "Fone", &v, &n, &c), FG_OK);
    assert_int_equal(n, 1);
    /* the old hotspot keeps its schema-1 values; the new ones are unknown */
    assert_string_equal(v[0].id, a.id);
    assert_true(v[0].hs.bt_mir_k == a.hs.bt_mir_k && v[0].hs.frp_mw == a.hs.frp_mw);
    assert_int_equal(v[0].hs.ev_row, 5);
    assert_true(isnan(v[0].hs.bg_mir_k) && isnan(v[0].hs.bg_tir_k) && isnan(v[0].hs.bg_dt_k));
    assert_true(isnan(v[0].hs.mad_mir_k) && isnan(v[0].hs.mad_tir_k) && isnan(v[0].hs.mad_dt_k));
    assert_int_equal(v[0].hs.tests, 0);
    assert_int_equal(v[0].hs.window, -1);
    assert_int_equal(v[0].hs.n_valid, -1);
    assert_int_equal(v[0].hs.persisted, -1);
    assert_int_equal(v[0].hs.nblocks, -1);
    fg_free(v);
    fg_incident *inc = NULL;
    assert_int_equal(fg_ledger_incidents(l, &inc, &n, &c), FG_OK);
    assert_int_equal(n, 1);
    assert_string_equal(inc[0].id, "Fone");
    fg_free(inc);
    /* new hotspots keep their decision values */
    fg_alert k = make_alert("CAM-01", 2000000600, 39.31, 111.51, 1);
    assert_int_equal(fg_ledger_begin(l, &c), FG_OK);
    assert_int_equal(fg_ledger_hotspot_add(l, &k, "Fone", "R2", &c), FG_OK);
    assert_int_equal(fg_ledger_commit(l, &c), FG_OK);
    fg_ledger_close(l);
    l = reopen("one.gpkg");
    assert_int_equal(fg_ledger_hotspots_of(l, "Fone", &v, &n, &c), FG_OK);
    assert_int_equal(n, 2);
    assert_int_equal(v[1].hs.persisted, 4);
    assert_int_equal(v[1].hs.nblocks, 9);
    fg_free(v);
    fg_ledger_close(l);
    /* schema 2 recorded, every column present, the old row's new columns NULL */
    ds = GDALOpenEx(TMP "/one.gpkg", GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH r = GDALDatasetExecuteSQL(ds, "SELECT value FROM meta WHERE key = 'schema'", NULL,
                                        NULL);
    assert_non_null(r);
    OGRFeatureH f = OGR_L_GetNextFeature(r);
    assert_non_null(f);
    assert_string_equal(OGR_F_GetFieldAsString(f, 0), "2");
    OGR_F_Destroy(f);
    GDALDatasetReleaseResultSet(ds, r);
    char sql[256];
    for (size_t i = 0; i < NSCHEMA2_HS; i++) {
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM hotspots WHERE \"%s\" IS NULL",
                 SCHEMA2_HS[i]);
        r = GDALDatasetExecuteSQL(ds, sql, NULL, NULL);
        assert_non_null(r);
        f = OGR_L_GetNextFeature(r);
        assert_non_null(f);
        /* the old row; the camera row also has no background statistics */
        int want = i >= NSCHEMA2_HS - 2 ? 1 : 2;
        assert_int_equal(OGR_F_GetFieldAsInteger(f, 0), want);
        OGR_F_Destroy(f);
        GDALDatasetReleaseResultSet(ds, r);
    }
    GDALClose(ds);
}

static void a_newer_or_foreign_file_is_refused_naming_it(void **state)
{
    (void)state;
    /* newer schema */
    fg_ledger *l = open_new("new.gpkg");
    fg_ledger_close(l);
    GDALDatasetH ds = GDALOpenEx(TMP "/new.gpkg", GDAL_OF_VECTOR | GDAL_OF_UPDATE, NULL, NULL, NULL);
    assert_non_null(ds);
    GDALDatasetReleaseResultSet(
        ds, GDALDatasetExecuteSQL(ds, "UPDATE meta SET value = '7' WHERE key = 'schema'", NULL, NULL));
    GDALClose(ds);
    fg_ctx c = {0};
    l = NULL;
    assert_int_equal(fg_ledger_open(TMP "/new.gpkg", &l, &c), FG_EFORMAT);
    assert_null(l);
    assert_non_null(strstr(c.msg, "new.gpkg"));
    assert_non_null(strstr(c.msg, "schema 7"));
    /* a text file */
    FILE *f = fopen(TMP "/text.gpkg", "w");
    assert_non_null(f);
    fputs("not a geopackage\n", f);
    fclose(f);
    fg_ctx_clear(&c);
    assert_int_equal(fg_ledger_open(TMP "/text.gpkg", &l, &c), FG_EFORMAT);
    assert_non_null(strstr(c.msg, "text.gpkg"));
    /* a GeoPackage of something else */
    ds = GDALCreate(GDALGetDriverByName("GPKG"), TMP "/other.gpkg", 0, 0, 0, GDT_Unknown, NULL);
    assert_non_null(GDALDatasetCreateLayer(ds, "roads", NULL, wkbNone, NULL));
    GDALClose(ds);
    fg_ctx_clear(&c);
    assert_int_equal(fg_ledger_open(TMP "/other.gpkg", &l, &c), FG_EFORMAT);
    assert_non_null(strstr(c.msg, "other.gpkg"));
    assert_non_null(strstr(c.msg, "not a firegrid ledger"));
    /* nothing was changed in the refused files */
    f = fopen(TMP "/text.gpkg", "r");
    char buf[64] = {0};
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "not a geopackage\n");
}

static void ogrinfo_opens_the_ledger_and_lists_every_table(void **state)
{
    (void)state;
    fg_ledger *l = open_new("info.gpkg");
    fg_ctx c = {0};
    fg_alert s = make_alert("VIIRS-NPP", 2000000000, 39.3, 111.5, 0);
    fg_incident x = make_incident("F1", 2000000000);
    assert_int_equal(fg_ledger_begin(l, &c), FG_OK);
    assert_int_equal(fg_ledger_hotspot_add(l, &s, "F1", "R1", &c), FG_OK);
    assert_int_equal(fg_ledger_incident_put(l, &x, &c), FG_OK);
    assert_int_equal(fg_ledger_commit(l, &c), FG_OK);
    fg_ledger_close(l);
    assert_int_equal(sh("ogrinfo -ro -al -so '" TMP "/info.gpkg' > '" TMP "/info.txt' 2>&1"), 0);
    FILE *f = fopen(TMP "/info.txt", "r");
    assert_non_null(f);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    const char *layers[] = {"Layer name: incidents", "Layer name: hotspots", "Layer name: inputs",
                            "Layer name: status_history", "Layer name: camera_states",
                            "Layer name: meta"};
    for (size_t i = 0; i < 6; i++)
        if (!strstr(buf, layers[i]))
            fail_msg("ogrinfo does not list %s", layers[i]);
    assert_non_null(strstr(buf, "EPSG\",4326"));
}

static void no_wall_clock_time_is_written_into_the_ledger(void **state)
{
    (void)state;
    fg_ledger *l = open_new("clock.gpkg");
    fg_ctx c = {0};
    fg_incident x = make_incident("F1", 2000000000);
    assert_int_equal(fg_ledger_begin(l, &c), FG_OK);
    assert_int_equal(fg_ledger_incident_put(l, &x, &c), FG_OK);
    assert_int_equal(fg_ledger_commit(l, &c), FG_OK);
    fg_ledger_close(l);
    GDALDatasetH ds = GDALOpenEx(TMP "/clock.gpkg", GDAL_OF_VECTOR, NULL, NULL, NULL);
    assert_non_null(ds);
    OGRLayerH r = GDALDatasetExecuteSQL(ds, "SELECT DISTINCT last_change FROM gpkg_contents", NULL,
                                        NULL);
    assert_non_null(r);
    int rows = 0;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(r))) {
        /* OGR reads the column as a date-time: 2000/01/01 00:00:00+00 */
        assert_int_equal(strncmp(OGR_F_GetFieldAsString(f, 0), "2000/01/01 00:00:00", 19), 0);
        OGR_F_Destroy(f);
        rows++;
    }
    assert_int_equal(rows, 1);
    GDALDatasetReleaseResultSet(ds, r);
    GDALClose(ds);
}

static void input_keys_carry_size_and_time_and_missing_files_are_named(void **state)
{
    (void)state;
    FILE *f = fopen(TMP "/in.tif", "w");
    assert_non_null(f);
    fputs("12345", f);
    fclose(f);
    char key[256];
    fg_ctx c = {0};
    assert_int_equal(fg_input_key("scene", TMP "/in.tif", key, sizeof key, &c), FG_OK);
    assert_int_equal(strncmp(key, "scene:" TMP "/in.tif:5:", strlen("scene:" TMP "/in.tif:5:")), 0);
    assert_int_equal(fg_input_key("scene", TMP "/none.tif", key, sizeof key, &c), FG_ENOTFOUND);
    assert_non_null(strstr(c.msg, "none.tif"));
    assert_int_equal(fg_input_key("scene", TMP "/in.tif", key, 10, &c), FG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(incidents_round_trip_every_field_and_come_back_sorted),
        cmocka_unit_test(hotspots_round_trip_with_nan_and_are_found_by_incident),
        cmocka_unit_test(a_rolled_back_transaction_leaves_nothing_and_a_commit_survives_reopen),
        cmocka_unit_test(status_history_reads_back_in_time_then_insertion_order),
        cmocka_unit_test(camera_states_are_binary_blobs_replaced_per_camera),
        cmocka_unit_test(a_schema0_ledger_is_upgraded_and_keeps_its_records),
        cmocka_unit_test(a_schema1_ledger_is_upgraded_with_unknown_decision_values),
        cmocka_unit_test(a_newer_or_foreign_file_is_refused_naming_it),
        cmocka_unit_test(ogrinfo_opens_the_ledger_and_lists_every_table),
        cmocka_unit_test(no_wall_clock_time_is_written_into_the_ledger),
        cmocka_unit_test(input_keys_carry_size_and_time_and_missing_files_are_named),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
