/* test_e2e_sample.c — end to end: `firegrid synth` then `firegrid run`, incident lists checked against the truth file. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fg_test.h"

#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "alerts/alerts.h"

#define TMP FG_TEST_TMPDIR
#define SAMPLE TMP "/sample"

/* ---- the truth file (written by our own synth: plain CSV without quoting) ---- */

typedef struct truth {
    char kind[16], source[64], town[16], vill[16];
    int64_t t0, t1;
    double lat, lon, radius;
} truth;

static size_t read_truth(const char *path, truth *t, size_t max)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[1024];
    size_t n = 0;
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (n < max && fgets(line, sizeof line, f)) {
        char *fld[11];
        int k = 0;
        char *save = NULL;
        /* strsep keeps empty fields */
        char *p = line;
        (void)save;
        while (k < 11 && p) {
            fld[k++] = strsep(&p, ",\n");
        }
        assert_int_equal(k, 11);
        truth *x = &t[n++];
        memset(x, 0, sizeof *x);
        snprintf(x->kind, sizeof x->kind, "%s", fld[0]);
        snprintf(x->source, sizeof x->source, "%s", fld[1]);
        assert_int_equal(fg_time_parse(fld[2], &x->t0), FG_OK);
        assert_int_equal(fg_time_parse(fld[3], &x->t1), FG_OK);
        x->lat = fld[4][0] ? atof(fld[4]) : NAN;
        x->lon = fld[5][0] ? atof(fld[5]) : NAN;
        x->radius = atof(fld[6]);
        snprintf(x->town, sizeof x->town, "%s", fld[9]);
        snprintf(x->vill, sizeof x->vill, "%s", fld[10]);
    }
    fclose(f);
    return n;
}

/* ---- incident lists (CSV) and hotspots (GeoJSON), read back through OGR ---- */

typedef struct row {
    char id[24], src[32], town_code[16], vill_code[16], town[128];
    double lat, lon;
} row;

static size_t read_list(const char *path, row *r, size_t max)
{
    GDALAllRegister();
    const char *drivers[] = {"CSV", NULL};
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, drivers, NULL, NULL);
    if (!ds)
        fail_msg("%s does not open with OGR's CSV driver", path);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
    int i_src = OGR_FD_GetFieldIndex(d, "来源"), i_tc = OGR_FD_GetFieldIndex(d, "乡镇代码");
    int i_vc = OGR_FD_GetFieldIndex(d, "村代码");
    int i_lat = OGR_FD_GetFieldIndex(d, "纬度"), i_lon = OGR_FD_GetFieldIndex(d, "经度");
    int i_town = OGR_FD_GetFieldIndex(d, "乡镇");
    assert_true(i_src >= 0 && i_tc >= 0 && i_vc >= 0 && i_lat >= 0 && i_lon >= 0 &&
                i_town >= 0 && OGR_FD_GetFieldIndex(d, "编号") == 0);
    size_t n = 0;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) && n < max) {
        row *x = &r[n++];
        snprintf(x->id, sizeof x->id, "%s", OGR_F_GetFieldAsString(f, 0));
        snprintf(x->src, sizeof x->src, "%s", OGR_F_GetFieldAsString(f, i_src));
        snprintf(x->town_code, sizeof x->town_code, "%s", OGR_F_GetFieldAsString(f, i_tc));
        snprintf(x->vill_code, sizeof x->vill_code, "%s", OGR_F_GetFieldAsString(f, i_vc));
        snprintf(x->town, sizeof x->town, "%s", OGR_F_GetFieldAsString(f, i_town));
        x->lat = atof(OGR_F_GetFieldAsString(f, i_lat));
        x->lon = atof(OGR_F_GetFieldAsString(f, i_lon));
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    return n;
}

typedef struct hot {
    char cls[16], kind[16], incident[24];
    int64_t t;
    double lat, lon;
} hot;

static size_t read_hotspots(const char *path, hot *h, size_t max)
{
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    if (!ds)
        fail_msg("%s does not open with OGR", path);
    OGRLayerH l = GDALDatasetGetLayer(ds, 0);
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(l);
    int i_cls = OGR_FD_GetFieldIndex(d, "class"), i_kind = OGR_FD_GetFieldIndex(d, "kind");
    int i_inc = OGR_FD_GetFieldIndex(d, "incident_id"), i_t = OGR_FD_GetFieldIndex(d, "time_utc");
    assert_true(i_cls >= 0 && i_kind >= 0 && i_inc >= 0 && i_t >= 0);
    size_t n = 0;
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(l)) && n < max) {
        hot *x = &h[n++];
        snprintf(x->cls, sizeof x->cls, "%s", OGR_F_GetFieldAsString(f, i_cls));
        snprintf(x->kind, sizeof x->kind, "%s", OGR_F_GetFieldAsString(f, i_kind));
        snprintf(x->incident, sizeof x->incident, "%s", OGR_F_GetFieldAsString(f, i_inc));
        /* OGR reads "2026-10-15T05:40:00Z" as a date-time */
        int y, mo, dd, hh, mi, tz;
        float sec;
        assert_true(OGR_F_GetFieldAsDateTimeEx(f, i_t, &y, &mo, &dd, &hh, &mi, &sec, &tz));
        assert_int_equal(fg_time_from_civil(y, mo, dd, hh, mi, (int)sec, &x->t), FG_OK);
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        assert_non_null(g);
        x->lon = OGR_G_GetX(g, 0);
        x->lat = OGR_G_GetY(g, 0);
        OGR_F_Destroy(f);
    }
    GDALClose(ds);
    return n;
}

static int setup_sample(void **state)
{
    (void)state;
    sh("rm -rf '%s' && mkdir -p '%s'", TMP, TMP);
    int st = sh("'%s' synth -q -o '%s'", FG_BINARY, SAMPLE);
    if (st != 0)
        return -1;
    FILE *f = fopen(TMP "/county.conf", "w");
    if (!f)
        return -1;
    fprintf(f, "# the sample county, as a real county would configure it\n"
               "boundaries = sample/county_cells.geojson\nscenes = sample/scenes\n"
               "frames = sample/frames\ncameras = sample/cameras.csv\n"
               "static_sources = sample/static_sources.csv\noutput = out1\n");
    return fclose(f) == 0 ? 0 : -1;
}

static truth T[256];
static size_t NT;
static row R[1024];
static hot H[1024];

static const row *find_row(const row *r, size_t n, const char *id)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(r[k].id, id) == 0)
            return &r[k];
    return NULL;
}

static void every_planted_fire_and_plume_is_alerted_in_its_village(void **state)
{
    (void)state;
    assert_int_equal(sh("'%s' run -q --config '%s/county.conf'", FG_BINARY, TMP), 0);
    NT = read_truth(SAMPLE "/truth.csv", T, 256);
    size_t nr = read_list(TMP "/out1/county_incidents.csv", R, 1024);
    size_t nh = read_hotspots(TMP "/out1/hotspots.geojson", H, 1024);
    int nfire = 0, nplume = 0;
    for (size_t i = 0; i < NT; i++) {
        int is_fire = strcmp(T[i].kind, "fire") == 0, is_plume = strcmp(T[i].kind, "plume") == 0;
        if (!is_fire && !is_plume)
            continue;
        nfire += is_fire;
        nplume += is_plume;
        /* a hotspot of the right source and time near it, in a straw-burning incident of the
         * county list placed in the planted fire's village */
        int found = 0;
        for (size_t k = 0; k < nh && !found; k++) {
            double d = fg_geo_distance(T[i].lat, T[i].lon, H[k].lat, H[k].lon);
            int src_ok = is_fire ? strcmp(H[k].kind, "satellite") == 0 && H[k].t == T[i].t0
                                 : strcmp(H[k].kind, "camera") == 0 && H[k].t >= T[i].t0 &&
                                       H[k].t <= T[i].t0 + 5 * 60;
            if (!src_ok || d >= (is_fire ? 1500.0 : 600.0) || strcmp(H[k].cls, "straw") != 0)
                continue;
            const row *x = find_row(R, nr, H[k].incident);
            if (x && strcmp(x->town_code, T[i].town) == 0 && strcmp(x->vill_code, T[i].vill) == 0 &&
                fg_geo_distance(T[i].lat, T[i].lon, x->lat, x->lon) < 1500.0)
                found = 1;
        }
        if (!found)
            fail_msg("planted %s at %.5f,%.5f (%s, village %s) not alerted in its village",
                     T[i].kind, T[i].lat, T[i].lon, T[i].source, T[i].vill);
    }
    assert_true(nfire >= 4);
    assert_true(nplume >= 1);
}

static void clouds_warm_field_and_industrial_source_are_not_straw_alerts(void **state)
{
    (void)state;
    size_t nr = read_list(TMP "/out1/county_incidents.csv", R, 1024);
    size_t nh = read_hotspots(TMP "/out1/hotspots.geojson", H, 1024);
    int nneg = 0;
    for (size_t i = 0; i < NT; i++) {
        int neg = strcmp(T[i].kind, "cloud") == 0 || strcmp(T[i].kind, "warm_field") == 0 ||
                  strcmp(T[i].kind, "industrial") == 0;
        if (!neg || !isfinite(T[i].lat))
            continue;
        nneg++;
        for (size_t k = 0; k < nh; k++) {
            double d = fg_geo_distance(T[i].lat, T[i].lon, H[k].lat, H[k].lon);
            if (strcmp(H[k].cls, "straw") == 0 && strcmp(H[k].kind, "satellite") == 0 &&
                H[k].t == T[i].t0 && d < T[i].radius + 1500.0)
                fail_msg("%s at %.5f,%.5f raised a straw-burning hotspot %.0f m away", T[i].kind,
                         T[i].lat, T[i].lon, d);
        }
    }
    assert_true(nneg >= 3);
    /* And nothing else: every straw incident lies near a planted fire or plume. */
    for (size_t k = 0; k < nr; k++) {
        int near = 0;
        for (size_t i = 0; i < NT && !near; i++)
            if ((strcmp(T[i].kind, "fire") == 0 || strcmp(T[i].kind, "plume") == 0) &&
                fg_geo_distance(T[i].lat, T[i].lon, R[k].lat, R[k].lon) < 1500.0)
                near = 1;
        if (!near)
            fail_msg("false alarm at %.5f,%.5f (%s)", R[k].lat, R[k].lon, R[k].src);
    }
    /* The industrial source is listed separately for the county, every pass it is hot, as
     * one incident of county_industrial.csv. */
    static row IR[64];
    size_t ni = read_list(TMP "/out1/county_industrial.csv", IR, 64);
    for (size_t i = 0; i < NT; i++) {
        if (strcmp(T[i].kind, "industrial") != 0)
            continue;
        int seen = 0;
        for (size_t k = 0; k < nh; k++)
            seen |= strcmp(H[k].cls, "industrial") == 0 && H[k].t == T[i].t0 &&
                    fg_geo_distance(T[i].lat, T[i].lon, H[k].lat, H[k].lon) < 1500.0 &&
                    find_row(IR, ni, H[k].incident) != NULL && find_row(R, nr, H[k].incident) == NULL;
        if (!seen)
            fail_msg("industrial source of %s not in county_industrial.csv", T[i].source);
    }
}

static void township_lists_hold_their_own_incidents_only(void **state)
{
    (void)state;
    size_t nc = read_list(TMP "/out1/county_incidents.csv", R, 1024);
    size_t total = 0;
    char path[1024];
    static const char *codes[] = {"140932100", "140932102", "140932103", "140932104",
                                  "140932105", "140932106", "140932200", "140932201"};
    static row TR[1024];
    for (size_t i = 0; i < 8; i++) {
        snprintf(path, sizeof path, TMP "/out1/township_%s.csv", codes[i]);
        size_t n = read_list(path, TR, 1024);
        for (size_t k = 0; k < n; k++)
            assert_string_equal(TR[k].town_code, codes[i]);
        total += n;
    }
    size_t inside = 0;
    for (size_t k = 0; k < nc; k++)
        inside += R[k].town_code[0] != '\0';
    assert_int_equal(total, inside);
    size_t len = 0;
    char *msg = slurp(TMP "/out1/officer_messages.txt", &len);
    assert_non_null(msg);
    assert_non_null(strstr(msg, "核查后反馈"));
    free(msg);
}

static const char *list_files[] = {"county_incidents.csv", "county_industrial.csv",
                                   "county_summary.csv", "county_candidates.csv",
                                   "hotspots.geojson", "officer_messages.txt",
                                   "township_140932100.csv", "township_140932201.csv"};

static void a_second_run_gives_byte_identical_lists(void **state)
{
    (void)state;
    assert_int_equal(sh("'%s' run -q --config '%s/county.conf' -o '%s/out2'", FG_BINARY, TMP, TMP),
                     0);
    char a[1024], b[1024];
    for (size_t i = 0; i < sizeof list_files / sizeof list_files[0]; i++) {
        snprintf(a, sizeof a, TMP "/out1/%s", list_files[i]);
        snprintf(b, sizeof b, TMP "/out2/%s", list_files[i]);
        if (!same_file(a, b))
            fail_msg("%s differs between two runs on the same inputs", list_files[i]);
    }
    /* Same at one thread. */
    assert_int_equal(
        sh("'%s' run -q --threads 1 --config '%s/county.conf' -o '%s/out3'", FG_BINARY, TMP, TMP),
        0);
    assert_true(same_file(TMP "/out1/county_incidents.csv", TMP "/out3/county_incidents.csv"));
    assert_true(same_file(TMP "/out1/hotspots.geojson", TMP "/out3/hotspots.geojson"));
    /* And again into out2, on its own ledger: nothing new, the same bytes. */
    assert_int_equal(sh("'%s' run -q --config '%s/county.conf' -o '%s/out2'", FG_BINARY, TMP, TMP),
                     0);
    for (size_t i = 0; i < sizeof list_files / sizeof list_files[0]; i++) {
        snprintf(a, sizeof a, TMP "/out1/%s", list_files[i]);
        snprintf(b, sizeof b, TMP "/out2/%s", list_files[i]);
        if (!same_file(a, b))
            fail_msg("%s changed on a rerun over the same ledger", list_files[i]);
    }
    char *log = slurp(TMP "/out2/run.log", NULL);
    assert_non_null(log);
    assert_non_null(strstr(log, "LEDGER nothing new"));
    free(log);
}

static void bad_inputs_are_named_skipped_and_the_rest_still_alerted(void **state)
{
    (void)state;
    /* Scenes: the good ones plus a text file named .tif and a truncated GeoTIFF. */
    assert_int_equal(sh("mkdir -p '%s/bad/scenes' '%s/bad/frames' && "
                        "cp '%s'/scenes/*.tif '%s/bad/scenes/' && "
                        "echo 'not a raster' > '%s/bad/scenes/garbage.tif' && "
                        "f=$(ls '%s'/scenes/*.tif | head -n1) && "
                        "head -c 3000 \"$f\" > '%s/bad/scenes/truncated.tif' && "
                        "cp -r '%s/frames/'* '%s/bad/frames/' && "
                        "cam=$(ls '%s/bad/frames' | head -n1) && "
                        "j=$(ls '%s/bad/frames/'$cam/*.jpg | head -n1) && "
                        "head -c 2000 \"$j\" > '%s/bad/frames/'$cam/1999999999.jpg && "
                        "printf '\\211PNG\\r\\n\\032\\n' > '%s/bad/frames/'$cam/1999999998.jpg",
                        TMP, TMP, SAMPLE, TMP, TMP, SAMPLE, TMP, SAMPLE, TMP, TMP, TMP, TMP, TMP),
                     0);
    FILE *f = fopen(TMP "/bad.conf", "w");
    assert_non_null(f);
    fprintf(f, "boundaries = sample/county_cells.geojson\nscenes = bad/scenes\n"
               "frames = bad/frames\ncameras = sample/cameras.csv\n"
               "static_sources = sample/static_sources.csv\noutput = out_bad\n"
               "colour = blue\n");
    assert_int_equal(fclose(f), 0);
    assert_int_equal(sh("'%s' run -q --config '%s/bad.conf' 2>'%s/bad.err'", FG_BINARY, TMP, TMP),
                     FG_EXIT_PARTIAL);
    char *log = slurp(TMP "/out_bad/run.log", NULL);
    char *err = slurp(TMP "/bad.err", NULL);
    assert_non_null(log);
    assert_non_null(err);
    assert_non_null(strstr(log, "garbage.tif"));
    assert_non_null(strstr(log, "truncated.tif"));
    assert_non_null(strstr(log, "1999999999.jpg"));
    assert_non_null(strstr(log, "1999999998.jpg"));
    assert_non_null(strstr(err, "bad.conf:7: unknown key 'colour'"));
    assert_non_null(strstr(log, "bad.conf:7: unknown key 'colour'"));
    free(log);
    free(err);
    /* Everything good was still processed: the lists equal the clean run's. */
    assert_true(same_file(TMP "/out1/county_incidents.csv", TMP "/out_bad/county_incidents.csv"));
    assert_true(same_file(TMP "/out1/county_industrial.csv", TMP "/out_bad/county_industrial.csv"));
    assert_true(same_file(TMP "/out1/officer_messages.txt", TMP "/out_bad/officer_messages.txt"));
}

static void a_failed_run_leaves_earlier_lists_whole(void **state)
{
    (void)state;
    assert_int_equal(sh("cp -r '%s/out1' '%s/keep'", TMP, TMP), 0);
    FILE *f = fopen(TMP "/broken.conf", "w");
    assert_non_null(f);
    fprintf(f, "boundaries = sample/no_such_file.geojson\nscenes = sample/scenes\noutput = out1\n");
    assert_int_equal(fclose(f), 0);
    assert_int_equal(
        sh("'%s' run -q --config '%s/broken.conf' 2>/dev/null", FG_BINARY, TMP), FG_EXIT_FAILED);
    assert_true(same_file(TMP "/keep/county_incidents.csv", TMP "/out1/county_incidents.csv"));
    assert_true(same_file(TMP "/keep/hotspots.geojson", TMP "/out1/hotspots.geojson"));
    assert_int_equal(sh("ls '%s/out1' | grep -q tmp", TMP), 1);
    /* A missing config file is a failure, not a partial run. */
    assert_int_equal(sh("'%s' run -q --config '%s/nope.conf' 2>/dev/null", FG_BINARY, TMP),
                     FG_EXIT_FAILED);
    assert_int_equal(sh("'%s' run --bogus 2>/dev/null", FG_BINARY), FG_EXIT_USAGE);
}

static void a_bare_run_makes_and_runs_the_sample_county_in_the_current_folder(void **state)
{
    (void)state;
    assert_int_equal(sh("mkdir -p '%s/bare' && cd '%s/bare' && '%s' run -q", TMP, TMP, FG_BINARY), 0);
    struct stat st;
    assert_int_equal(stat(TMP "/bare/firegrid-sample/truth.csv", &st), 0);
    assert_int_equal(stat(TMP "/bare/firegrid-out/run.log", &st), 0);
    /* The same seed and inputs as the configured run: the same county list. */
    assert_true(same_file(TMP "/out1/county_incidents.csv",
                          TMP "/bare/firegrid-out/county_incidents.csv"));
}

static void help_and_version_answer(void **state)
{
    (void)state;
    assert_int_equal(sh("'%s' --version | grep -q '^firegrid [0-9]'", FG_BINARY), 0);
    assert_int_equal(sh("'%s' help | grep -q synth", FG_BINARY), 0);
    assert_int_equal(sh("'%s' help run | grep -q -- --config", FG_BINARY), 0);
    assert_int_equal(sh("'%s' help nosuchverb 2>/dev/null", FG_BINARY), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_planted_fire_and_plume_is_alerted_in_its_village),
        cmocka_unit_test(clouds_warm_field_and_industrial_source_are_not_straw_alerts),
        cmocka_unit_test(township_lists_hold_their_own_incidents_only),
        cmocka_unit_test(a_second_run_gives_byte_identical_lists),
        cmocka_unit_test(bad_inputs_are_named_skipped_and_the_rest_still_alerted),
        cmocka_unit_test(a_failed_run_leaves_earlier_lists_whole),
        cmocka_unit_test(a_bare_run_makes_and_runs_the_sample_county_in_the_current_folder),
        cmocka_unit_test(help_and_version_answer),
    };
    return cmocka_run_group_tests(tests, setup_sample, NULL);
}
