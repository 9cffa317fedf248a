/* test_e2e_report.c — the sample run's report rendered in headless Chromium: page loads, images decode, one map marker per incident, a hostile township name stays text. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fg_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alerts/alerts.h"

#define TMP FG_TEST_TMPDIR
#define CHROMIUM "/usr/bin/chromium"
#define XSS "<script>alert(1)</script>"
#define SAMPLE TMP "/sample"
#define XSSDIR TMP "/xss"

static size_t count(const char *hay, const char *needle)
{
    size_t c = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        c++;
    return c;
}

/* Renders dir/page in a fresh headless Chromium profile and returns the DOM it built. */
static char *dump_dom(const char *dir, const char *page)
{
    char prof[1024], dom[1024];
    snprintf(prof, sizeof prof, "%s/chromium-profile-%d", TMP, (int)getpid());
    snprintf(dom, sizeof dom, "%s/dom.html", dir);
    sh("rm -rf '%s'", prof);
    int rc = sh("timeout 180 " CHROMIUM " --headless --no-sandbox --disable-gpu --disable-quic "
                "--no-first-run --disable-background-networking --disable-component-update "
                "--disable-sync --user-data-dir='%s' --dump-dom 'file://%s/%s' > '%s' 2>/dev/null",
                prof, dir, page, dom);
    sh("rm -rf '%s'", prof);
    if (rc != 0)
        return NULL;
    return slurp(dom, NULL);
}

/* Runs `firegrid synth` and `firegrid run` in dir (inputs firegrid-sample, outputs
 * firegrid-out), optionally with the boundary file's township renamed, then writes the
 * report through the library. Returns the number of incidents, or -1. */
static int run_and_report(const char *dir, const char *rename_town, fg_incident **inc)
{
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(sh("rm -rf '%s' && mkdir -p '%s'", dir, dir), 0);
    assert_int_equal(chdir(dir), 0);
    assert_int_equal(sh("'%s' synth -q >/dev/null", FG_BINARY), 0);
    if (rename_town) {
        char *gj = slurp("firegrid-sample/county_cells.geojson", NULL);
        assert_non_null(gj);
        FILE *f = fopen("firegrid-sample/county_cells.geojson", "wb");
        assert_non_null(f);
        char from[128];
        snprintf(from, sizeof from, "\"township_name\": \"%s\"", rename_town);
        const char *p = gj, *q;
        while ((q = strstr(p, from))) {
            fwrite(p, 1, (size_t)(q - p), f);
            fprintf(f, "\"township_name\": \"%s\"", XSS);
            p = q + strlen(from);
        }
        fputs(p, f);
        fclose(f);
        free(gj);
    }
    int rc = sh("'%s' run -q >/dev/null 2>&1", FG_BINARY);
    assert_true(rc == FG_EXIT_OK || rc == FG_EXIT_PARTIAL);

    fg_ctx ctx = {0};
    fg_ledger *l = NULL;
    fg_grid *g = NULL;
    assert_int_equal(fg_ledger_open("firegrid-out/ledger.gpkg", &l, &ctx), FG_OK);
    assert_int_equal(fg_grid_open("firegrid-sample/county_cells.geojson", NULL, &g, NULL, NULL, &ctx),
                     FG_OK);
    char *log = slurp("firegrid-out/run.log", NULL);
    assert_non_null(log);
    rc = fg_report_run("firegrid-out", l, g, "zh", log, NULL, 0, &ctx);
    if (rc != FG_OK)
        print_error("fg_report_run: %s\n", ctx.msg);
    assert_int_equal(rc, FG_OK);
    size_t n = 0;
    assert_int_equal(fg_ledger_incidents(l, inc, &n, &ctx), FG_OK);
    free(log);
    fg_grid_free(g);
    fg_ledger_close(l);
    assert_int_equal(chdir(cwd), 0);
    return (int)n;
}

/* Every <img src="..."> of the DOM names a file under dir that TurboJPEG decodes. */
static int check_images(const char *dom, const char *dir)
{
    fg_jpeg_decoder *d = NULL;
    fg_ctx ctx = {0};
    assert_int_equal(fg_jpeg_decoder_new(&d, &ctx), FG_OK);
    int nimg = 0;
    for (const char *p = dom; (p = strstr(p, "<img ")); p += 5) {
        const char *s = strstr(p, "src=\"");
        assert_non_null(s);
        s += 5;
        const char *e = strchr(s, '"');
        assert_non_null(e);
        char rel[512], path[1600];
        assert_true((size_t)(e - s) < sizeof rel);
        memcpy(rel, s, (size_t)(e - s));
        rel[e - s] = 0;
        assert_null(strstr(rel, "://")); /* relative: nothing fetched from a network */
        snprintf(path, sizeof path, "%s/%s", dir, rel);
        struct stat st;
        if (stat(path, &st) != 0)
            fail_msg("image %s referenced but missing", path);
        fg_raster img = {0};
        int fw = 0, fh = 0;
        assert_int_equal(fg_jpeg_decode_file(d, path, 1, 0, &img, &fw, &fh, &ctx), FG_OK);
        assert_true(img.width > 0 && img.height > 0);
        fg_raster_release(&img);
        nimg++;
    }
    fg_jpeg_decoder_free(d);
    return nimg;
}

static void sample_report_renders_with_every_incident_and_image(void **state)
{
    (void)state;
    if (access(CHROMIUM, X_OK) != 0)
        skip();
    fg_incident *inc = NULL;
    int n = run_and_report(SAMPLE, NULL, &inc);
    assert_true(n >= 5); /* the sample holds several fires and a camera alarm */
    char *dom = dump_dom(SAMPLE "/firegrid-out", "report.html");
    assert_non_null(dom);
    assert_non_null(strstr(dom, "<title>秸秆焚烧火点监测报告</title>"));
    assert_int_equal(count(dom, "<a class=\"inc\""), (size_t)n);
    int ncam = 0, nsat = 0;
    for (int i = 0; i < n; i++) {
        char m[96];
        snprintf(m, sizeof m, "data-id=\"%s\"", inc[i].id);
        assert_int_equal(count(dom, m), 1); /* one marker per incident */
        assert_non_null(strstr(dom, inc[i].id));
        ncam += (inc[i].source_kinds & FG_SRC_BIT_CAMERA) != 0;
        nsat += (inc[i].source_kinds & FG_SRC_BIT_SATELLITE) != 0;
    }
    assert_true(ncam >= 1 && nsat >= 1);
    int nimg = check_images(dom, SAMPLE "/firegrid-out");
    assert_true(nimg >= n); /* every incident's card shows at least one image */
    assert_non_null(strstr(dom, "_cam.jpg"));
    assert_non_null(strstr(dom, "_sat.jpg"));
    free(dom);

    /* One incident page: loads, its images decode, it links back. */
    char page[128];
    snprintf(page, sizeof page, "incidents/%s.html", inc[0].id);
    dom = dump_dom(SAMPLE "/firegrid-out", page);
    assert_non_null(dom);
    assert_non_null(strstr(dom, inc[0].id));
    assert_non_null(strstr(dom, "../report.html"));
    assert_true(check_images(dom, SAMPLE "/firegrid-out/incidents") >= 1);
    free(dom);
    free(inc);
}

static void hostile_township_name_renders_as_text(void **state)
{
    (void)state;
    if (access(CHROMIUM, X_OK) != 0)
        skip();
    fg_incident *inc = NULL;
    /* 新关镇 holds incidents in the sample. */
    int n = run_and_report(XSSDIR, "新关镇", &inc);
    assert_true(n >= 1);
    int renamed = 0;
    for (int i = 0; i < n; i++)
        renamed += strcmp(inc[i].place.town_name, XSS) == 0;
    assert_true(renamed >= 1);
    char *dom = dump_dom(XSSDIR "/firegrid-out", "report.html");
    assert_non_null(dom);
    assert_null(strstr(dom, "<script")); /* no script element was made */
    assert_non_null(strstr(dom, "&lt;script&gt;alert(1)&lt;/script&gt;")); /* shown as text */
    assert_int_equal(count(dom, "<a class=\"inc\""), (size_t)n);
    free(dom);
    for (int i = 0; i < n; i++) {
        if (strcmp(inc[i].place.town_name, XSS) != 0)
            continue;
        char page[128];
        snprintf(page, sizeof page, "incidents/%s.html", inc[i].id);
        dom = dump_dom(XSSDIR "/firegrid-out", page);
        assert_non_null(dom);
        assert_null(strstr(dom, "<script"));
        assert_non_null(strstr(dom, "&lt;script&gt;"));
        free(dom);
        break;
    }
    free(inc);
}

int main(void)
{
    mkdir(TMP, 0755);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sample_report_renders_with_every_incident_and_image),
        cmocka_unit_test(hostile_township_name_renders_as_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
