/* eval_masks.c — compares our SWIR fire masks with reference masks (landsat8-savanna) pixel by pixel. */
/* SPDX-License-Identifier: MIT */
/*
 * Usage
 *   eval_masks [options] DATA_DIR
 *       Reads DATA_DIR/band2.tif … band7.tif (Landsat-8 OLI TOA reflectance,
 *       band 1 absent: blue stands in for it), runs fg_swir_detect in
 *       Schroeder-2016 and Kumar-Roy-2018 modes and compares each with the
 *       masks in DATA_DIR/masks/: IoU, TP/FP/FN, and for every differing pixel
 *       its row/col, ρ2..ρ7, ratios and the rule that decided for us.
 *   eval_masks --compare A[:v,v..] B[:v,v..] [--bands DATA_DIR]
 *       Compares two one-byte masks (e.g. `firegrid detect-sat --mask` output
 *       against a reference). The fire values of a mask default to 1,7,8,9
 *       (reference masks and our FG_MASK_FIRE_* classes); ":3,4" selects others
 *       (the GOLI author's class map). With --bands the differing pixels are
 *       explained as above, by the rules of --only (default schroeder).
 * Options
 *   --saturation X   reflectance at which OLI bands saturate (0 = unknown)
 *   --threads N      OpenMP threads (default 1)
 *   --max-list N     differing pixels listed per comparison (default 100000)
 *   --win A,B  --sigma sample|population  --bg-cand include|exclude
 *   --neighbour on|off   override the implementation knobs of the modes run
 *   --kr-variant authors|python  Kumar-Roy knobs of the author's C code (default:
 *                    window 3→31, sample σ) or of the pereira-gha Python
 *                    re-implementation (window 5→61, population σ)
 *   --only schroeder|kumar_roy   run one mode
 *   --write-masks PREFIX writes PREFIX_schroeder.tif and PREFIX_kumar_roy.tif
 * Exit status: 0 success, 1 usage or I/O error.
 */
#include "detect/detect.h"
#include "detect/fire_swir_int.h"

#include <gdal.h>
#include <cpl_conv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct overrides {
    int win_min, win_max; /* 0 = keep */
    int sigma;            /* -1 keep, 0 population, 1 sample */
    int bg_cand;          /* -1 keep, 0 include, 1 exclude */
    int neighbour;        /* -1 keep */
    int kr_python;        /* 1: Kumar-Roy with the Python re-implementation's knobs */
} overrides;

/* Reads band 1 of a GDAL raster as float (or byte); caller frees with CPLFree. */
static void *read_band(const char *path, GDALDataType type, int *w, int *h, double gt[6],
                       char **wkt)
{
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    if (!ds) {
        fprintf(stderr, "eval_masks: %s: cannot open\n", path);
        return NULL;
    }
    int W = GDALGetRasterXSize(ds), H = GDALGetRasterYSize(ds);
    if (*w && (W != *w || H != *h)) {
        fprintf(stderr, "eval_masks: %s is %dx%d, expected %dx%d\n", path, W, H, *w, *h);
        GDALClose(ds);
        return NULL;
    }
    size_t sz = type == GDT_Float32 ? 4 : 1;
    void *buf = CPLMalloc((size_t)W * H * sz);
    if (GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, W, H, buf, W, H, type, 0, 0) !=
        CE_None) {
        fprintf(stderr, "eval_masks: %s: read failed\n", path);
        CPLFree(buf);
        GDALClose(ds);
        return NULL;
    }
    if (gt)
        GDALGetGeoTransform(ds, gt);
    if (wkt)
        *wkt = CPLStrdup(GDALGetProjectionRef(ds));
    *w = W;
    *h = H;
    GDALClose(ds);
    return buf;
}

static int write_mask(const char *path, const unsigned char *m, int w, int h, const double gt[6],
                      const char *wkt)
{
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    GDALDatasetH ds = drv ? GDALCreate(drv, path, w, h, 1, GDT_Byte, NULL) : NULL;
    if (!ds)
        return -1;
    GDALSetGeoTransform(ds, (double *)gt);
    GDALSetProjection(ds, wkt);
    CPLErr e = GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, 0, w, h, (void *)m, w, h,
                            GDT_Byte, 0, 0);
    GDALClose(ds);
    return e == CE_None ? 0 : -1;
}

typedef struct scene {
    int w, h;
    float *b[8]; /* [2]..[7] */
    fg_raster r[8];
    fg_swir_input in;
    double gt[6];
    char *wkt;
} scene;

static int scene_read(scene *s, const char *dir, float saturation)
{
    memset(s, 0, sizeof *s);
    for (int k = 2; k <= 7; k++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/band%d.tif", dir, k);
        s->b[k] = read_band(p, GDT_Float32, &s->w, &s->h, k == 2 ? s->gt : NULL,
                            k == 2 ? &s->wkt : NULL);
        if (!s->b[k])
            return -1;
        s->r[k] = (fg_raster){s->w, s->h, 1, (size_t)s->w, FG_PIX_F32, s->b[k]};
    }
    s->in.coastal = NULL; /* absent in this scene: blue stands in for ρ1 */
    s->in.blue = &s->r[2];
    s->in.green = &s->r[3];
    s->in.red = &s->r[4];
    s->in.nir = &s->r[5];
    s->in.swir1 = &s->r[6];
    s->in.swir2 = &s->r[7];
    s->in.saturation = saturation;
    return 0;
}

static void scene_free(scene *s)
{
    for (int k = 0; k < 8; k++)
        CPLFree(s->b[k]);
    CPLFree(s->wkt);
}

static const char *rule_text(const fg_swir_diag *d)
{
    static char buf[160];
    unsigned t = d->tests;
    buf[0] = '\0';
    const struct { unsigned bit; const char *name; } names[] = {
        {FG_SWIR_T_UNAMB, "unamb"},     {FG_SWIR_T_FOLD, "fold"},
        {FG_SWIR_T_SAT, "saturated"},   {FG_SWIR_T_NEIGH, "neighbour"},
        {FG_SWIR_T_WATER, "water"},     {FG_SWIR_T_CAND, "candidate"},
        {FG_SWIR_T_CTX_RATIO, "ctx-ratio"}, {FG_SWIR_T_CTX_REF, "ctx-rho7"},
        {FG_SWIR_T_NOBG, "no-background"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (t & names[i].bit) {
            if (buf[0])
                strcat(buf, "+");
            strcat(buf, names[i].name);
        }
    if (!buf[0])
        strcpy(buf, "no-rule");
    return buf;
}

static int is_fire_val(unsigned char v, const int *vals, int nvals)
{
    for (int i = 0; i < nvals; i++)
        if (v == vals[i])
            return 1;
    return 0;
}

/* Compares ours (fire values a) with ref (fire values b); lists differing pixels. */
static void compare(const char *label, const unsigned char *ours, const int *va, int na,
                    const unsigned char *ref, const int *vb, int nb, int w, int h, scene *s,
                    fg_swir_algorithm alg, const fg_swir_opts *o, long max_list)
{
    long tp = 0, fp = 0, fn = 0;
    for (long i = 0; i < (long)w * h; i++) {
        int a = is_fire_val(ours[i], va, na), b = is_fire_val(ref[i], vb, nb);
        tp += a && b;
        fp += a && !b;
        fn += !a && b;
    }
    double iou = tp + fp + fn ? (double)tp / (double)(tp + fp + fn) : 1.0;
    printf("%s: IoU %.4f  TP %ld  FP %ld  FN %ld  (ours %ld, reference %ld)\n", label, iou, tp,
           fp, fn, tp + fp, tp + fn);
    if (!s || max_list <= 0 || fp + fn == 0)
        return;
    printf("  %-4s %4s %4s %3s %3s %7s %7s %7s %7s %7s %7s %7s %7s %7s %-30s %3s %5s %7s %7s %7s %7s\n",
           "diff", "row", "col", "ref", "our", "rho2", "rho3", "rho4", "rho5", "rho6", "rho7",
           "r75", "r76", "d75", "rules", "win", "nbg", "mr75", "sr75", "mr7", "sr7");
    long listed = 0;
    for (long i = 0; i < (long)w * h && listed < max_list; i++) {
        int a = is_fire_val(ours[i], va, na), b = is_fire_val(ref[i], vb, nb);
        if (a == b)
            continue;
        int row = (int)(i / w), col = (int)(i % w);
        fg_swir_diag d;
        fg_ctx ctx = {0, ""};
        if (fg_swir_explain(&s->in, alg, o, row, col, &d, &ctx) != FG_OK) {
            printf("  explain failed: %s\n", ctx.msg);
            return;
        }
        printf("  %-4s %4d %4d %3d %3d %7.4f %7.4f %7.4f %7.4f %7.4f %7.4f %7.3f %7.3f %7.4f %-30s %3d %5d %7.3f %7.3f %7.4f %7.4f\n",
               a ? "FP" : "FN", row, col, ref[i], ours[i], d.rho[2], d.rho[3], d.rho[4], d.rho[5],
               d.rho[6], d.rho[7], d.ratio75, d.ratio76, d.diff75, rule_text(&d), d.window,
               d.n_valid, d.mean_ratio, d.sd_ratio, d.mean_ref, d.sd_ref);
        listed++;
    }
}

static int parse_vals(char *spec, int *vals, int *nvals)
{
    char *colon = strrchr(spec, ':');
    if (colon && colon[1] >= '0' && colon[1] <= '9') {
        *colon = '\0';
        *nvals = 0;
        for (char *tok = strtok(colon + 1, ","); tok && *nvals < 16; tok = strtok(NULL, ","))
            vals[(*nvals)++] = atoi(tok);
        return 0;
    }
    vals[0] = 1;
    vals[1] = FG_MASK_FIRE_LOW;
    vals[2] = FG_MASK_FIRE_NOMINAL;
    vals[3] = FG_MASK_FIRE_HIGH;
    *nvals = 4;
    return 0;
}

static void apply(fg_swir_opts *o, fg_swir_algorithm alg, const overrides *ov)
{
    if (alg == FG_SWIR_KUMAR_ROY2018 && ov->kr_python) {
        o->win_min = 5;
        o->win_max = 61;
        o->sample_sigma = 0;
    }
    if (ov->win_min) {
        o->win_min = ov->win_min;
        o->win_max = ov->win_max;
    }
    if (ov->sigma >= 0)
        o->sample_sigma = ov->sigma;
    if (ov->bg_cand >= 0)
        o->bg_excludes_candidates = ov->bg_cand;
    if (ov->neighbour >= 0)
        o->neighbour_rule = ov->neighbour;
}

static void print_opts(const char *name, const fg_swir_opts *o)
{
    printf("%s options: window %d..%d, valid >= max(%d, %.0f%%), sigma %s, background %s candidates, neighbour rule %s\n",
           name, o->win_min, o->win_max, o->min_valid, 100.0 * o->min_valid_frac,
           o->sample_sigma ? "sample" : "population",
           o->bg_excludes_candidates ? "excludes" : "includes", o->neighbour_rule ? "on" : "off");
}

static int usage(void)
{
    fprintf(stderr, "usage: eval_masks [--saturation X] [--threads N] [--max-list N] [--win A,B]\n"
                    "                  [--sigma sample|population] [--bg-cand include|exclude]\n"
                    "                  [--neighbour on|off] [--kr-variant authors|python]\n"
                    "                  [--only schroeder|kumar_roy] [--write-masks PREFIX] DATA_DIR\n"
                    "       eval_masks --compare A[:v,..] B[:v,..] [--bands DATA_DIR] [--saturation X]\n");
    return 1;
}

int main(int argc, char **argv)
{
    float saturation = 0.0f;
    int threads = 1;
    long max_list = 100000;
    const char *dir = NULL, *cmp_a = NULL, *cmp_b = NULL, *bands = NULL, *prefix = NULL;
    overrides ov = {0, 0, -1, -1, -1, 0};
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--saturation") && more)
            saturation = (float)atof(argv[++i]);
        else if (!strcmp(a, "--threads") && more)
            threads = atoi(argv[++i]);
        else if (!strcmp(a, "--max-list") && more)
            max_list = atol(argv[++i]);
        else if (!strcmp(a, "--win") && more) {
            if (sscanf(argv[++i], "%d,%d", &ov.win_min, &ov.win_max) != 2)
                return usage();
        } else if (!strcmp(a, "--sigma") && more)
            ov.sigma = !strcmp(argv[++i], "sample");
        else if (!strcmp(a, "--bg-cand") && more)
            ov.bg_cand = !strcmp(argv[++i], "exclude");
        else if (!strcmp(a, "--neighbour") && more)
            ov.neighbour = !strcmp(argv[++i], "on");
        else if (!strcmp(a, "--kr-variant") && more)
            ov.kr_python = !strcmp(argv[++i], "python");
        else if (!strcmp(a, "--only") && more)
            only = argv[++i];
        else if (!strcmp(a, "--write-masks") && more)
            prefix = argv[++i];
        else if (!strcmp(a, "--compare") && i + 2 < argc) {
            cmp_a = argv[++i];
            cmp_b = argv[++i];
        } else if (!strcmp(a, "--bands") && more)
            bands = argv[++i];
        else if (a[0] == '-')
            return usage();
        else
            dir = a;
    }
    GDALAllRegister();
    CPLSetConfigOption("GTIFF_REPORT_COMPD_CS", "NO");

    if (cmp_a) {
        char sa[4096], sb[4096];
        int va[16], vb[16], na, nb;
        snprintf(sa, sizeof sa, "%s", cmp_a);
        snprintf(sb, sizeof sb, "%s", cmp_b);
        parse_vals(sa, va, &na);
        parse_vals(sb, vb, &nb);
        int w = 0, h = 0;
        unsigned char *ma = read_band(sa, GDT_Byte, &w, &h, NULL, NULL);
        unsigned char *mb = ma ? read_band(sb, GDT_Byte, &w, &h, NULL, NULL) : NULL;
        if (!mb) {
            CPLFree(ma);
            return 1;
        }
        scene s;
        int have = bands && scene_read(&s, bands, saturation) == 0 && s.w == w && s.h == h;
        /* differing pixels are explained with the rules of --only (default Schroeder) */
        fg_swir_algorithm alg = only && !strcmp(only, "kumar_roy") ? FG_SWIR_KUMAR_ROY2018
                                                                   : FG_SWIR_SCHROEDER2016;
        fg_swir_opts o;
        fg_swir_opts_default(&o, alg);
        apply(&o, alg, &ov);
        char label[9000];
        snprintf(label, sizeof label, "%s vs %s", sa, sb);
        compare(label, ma, va, na, mb, vb, nb, w, h, have ? &s : NULL, alg, &o, max_list);
        if (bands)
            scene_free(&s);
        CPLFree(ma);
        CPLFree(mb);
        return 0;
    }
    if (!dir)
        return usage();

    scene s;
    if (scene_read(&s, dir, saturation)) {
        scene_free(&s);
        return 1;
    }
    printf("scene %s: %dx%d, saturation %.3f, threads %d\n", dir, s.w, s.h, saturation, threads);
    struct { const char *file; int vals[4]; int nvals; const char *name; } refs[] = {
        {"schroeder2016.tif", {1}, 1, "schroeder2016"},
        {"kumar_roy2018.tif", {1}, 1, "kumar_roy2018"},
        {"kumar_roy2018_authors_code_classes.tif", {3, 4}, 2, "kr_authors_3/4"},
        {"vote_2of3.tif", {1}, 1, "vote_2of3"},
        {"murphy2016.tif", {1}, 1, "murphy2016"},
    };
    unsigned char *ref[5] = {0};
    for (int r = 0; r < 5; r++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/masks/%s", dir, refs[r].file);
        int w = s.w, h = s.h;
        ref[r] = read_band(p, GDT_Byte, &w, &h, NULL, NULL);
    }
    int status = 0;
    const fg_swir_algorithm algs[2] = {FG_SWIR_SCHROEDER2016, FG_SWIR_KUMAR_ROY2018};
    const char *anames[2] = {"schroeder", "kumar_roy"};
    const int primary[2] = {0, 1};
    static const int ours_fire[3] = {FG_MASK_FIRE_LOW, FG_MASK_FIRE_NOMINAL, FG_MASK_FIRE_HIGH};
    for (int a = 0; a < 2; a++) {
        if (only && strcmp(only, anames[a]))
            continue;
        fg_swir_opts o;
        fg_swir_opts_default(&o, algs[a]);
        apply(&o, algs[a], &ov);
        print_opts(anames[a], &o);
        unsigned char *mask = CPLMalloc((size_t)s.w * s.h);
        fg_fire_pixel *px = NULL;
        size_t n = 0;
        fg_ctx ctx = {0, ""};
        if (fg_swir_detect_opts(&s.in, algs[a], &o, threads, &px, &n, mask, &ctx) != FG_OK) {
            fprintf(stderr, "eval_masks: %s: %s\n", anames[a], ctx.msg);
            CPLFree(mask);
            status = 1;
            continue;
        }
        size_t nun = 0, nsat = 0, nfold = 0, nnb = 0;
        for (size_t i = 0; i < n; i++) {
            nun += px[i].confidence == 100;
            nsat += (px[i].tests & FG_SWIR_T_SAT) != 0;
            nfold += (px[i].tests & FG_SWIR_T_FOLD) != 0;
            nnb += (px[i].tests & FG_SWIR_T_NEIGH) != 0;
        }
        printf("%s: %zu fire pixels (%zu unambiguous incl. %zu saturated, %zu folded, %zu by the "
               "neighbour rule; %zu contextual)\n",
               anames[a], n, nun, nsat, nfold, nnb, n - nun);
        for (int r = 0; r < 5; r++) {
            if (!ref[r])
                continue;
            char label[128];
            snprintf(label, sizeof label, "%s mode vs %s", anames[a], refs[r].name);
            int list = r == primary[a] || (a == 1 && r == 2);
            compare(label, mask, ours_fire, 3, ref[r], refs[r].vals, refs[r].nvals, s.w, s.h,
                    list ? &s : NULL, algs[a], &o, list ? max_list : 0);
        }
        if (prefix) {
            char p[4096];
            snprintf(p, sizeof p, "%s_%s.tif", prefix, anames[a]);
            if (write_mask(p, mask, s.w, s.h, s.gt, s.wkt))
                fprintf(stderr, "eval_masks: cannot write %s\n", p), status = 1;
        }
        fg_free(px);
        CPLFree(mask);
    }
    for (int r = 0; r < 5; r++)
        CPLFree(ref[r]);
    scene_free(&s);
    return status;
}
