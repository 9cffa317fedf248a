/* test_detect_smoke_model.c — the logistic-regression smoke block model: probability, training, threshold. */
/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "detect/detect.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* Two Gaussian clouds in 3 features, separated along (1, −2, 0) by a margin;
 * feature 2 is noise. Features are on very different scales, as real ones are. */
typedef struct set {
    float *X;
    unsigned char *y;
    size_t n;
} set;

static set make_separable(size_t n, uint64_t seed)
{
    set s;
    s.n = n;
    s.X = test_malloc(n * 3 * sizeof *s.X);
    s.y = test_malloc(n);
    fg_rng r = {seed};
    for (size_t i = 0; i < n; i++) {
        double a, b, c, proj;
        int cls = (int)(i % 4 == 0); /* 1 in 4 is smoke: imbalanced */
        do {
            a = fg_rng_gauss(&r);
            b = fg_rng_gauss(&r);
            c = fg_rng_gauss(&r);
            proj = a - 2 * b;
        } while (cls ? proj < 1.0 : proj > -1.0); /* margin of 2 around 0 */
        s.X[3 * i + 0] = (float)(100.0 + 50.0 * a); /* large scale */
        s.X[3 * i + 1] = (float)(0.01 * b);         /* tiny scale */
        s.X[3 * i + 2] = (float)c;
        s.y[i] = (unsigned char)cls;
        /* back to standard units for the separating direction: a − 2b */
    }
    return s;
}

static void free_set(set *s)
{
    test_free(s->X);
    test_free(s->y);
}

static void training_separates_a_linearly_separable_set(void **state)
{
    (void)state;
    set s = make_separable(2000, 42);
    fg_smoke_model m;
    fg_ctx ctx = {0};
    assert_int_equal(fg_smoke_model_train(s.X, s.y, NULL, s.n, 3, 1e-3, 100,
                                          FG_SMOKE_THRESHOLD_F1, &m, &ctx), FG_OK);
    assert_int_equal(m.nfeat, 3);
    size_t wrong = 0;
    for (size_t i = 0; i < s.n; i++)
        wrong += (fg_smoke_model_prob(&m, s.X + 3 * i) >= m.threshold) != s.y[i];
    assert_int_equal(wrong, 0);
    /* the weights point along a − 2b in standardised units; the noise feature is small */
    assert_true(m.w[0] > 0);
    assert_true(m.w[1] < 0);
    assert_true(fabsf(m.w[2]) < 0.2f * fabsf(m.w[0]));
    assert_true(m.threshold > 0 && m.threshold < 1);
    free_set(&s);
}

static void probability_rises_monotonically_along_the_weights(void **state)
{
    (void)state;
    set s = make_separable(1000, 7);
    fg_smoke_model m;
    assert_int_equal(fg_smoke_model_train(s.X, s.y, NULL, s.n, 3, 1e-2, 100, 0.9, &m, NULL), FG_OK);
    float prev = -1.0f;
    for (int k = -10; k <= 10; k++) {
        float f[3];
        for (int i = 0; i < 3; i++) /* walk along w in standardised space */
            f[i] = m.mean[i] + m.scale[i] * m.w[i] * 0.05f * (float)k;
        float p = fg_smoke_model_prob(&m, f);
        assert_true(p >= 0.0f && p <= 1.0f);
        assert_true(p > prev);
        prev = p;
    }
    free_set(&s);
}

static void training_is_deterministic_at_one_and_two_threads(void **state)
{
    (void)state;
    /* more samples than one chunk, so the chunked sums are exercised */
    set s = make_separable(40000, 3);
    fg_smoke_model a, b, c;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
#ifdef _OPENMP
    int saved = omp_get_max_threads();
    omp_set_num_threads(1);
#endif
    assert_int_equal(fg_smoke_model_train(s.X, s.y, NULL, s.n, 3, 1e-3, 50, 0.9, &a, NULL), FG_OK);
    assert_int_equal(fg_smoke_model_train(s.X, s.y, NULL, s.n, 3, 1e-3, 50, 0.9, &b, NULL), FG_OK);
#ifdef _OPENMP
    omp_set_num_threads(2);
#endif
    assert_int_equal(fg_smoke_model_train(s.X, s.y, NULL, s.n, 3, 1e-3, 50, 0.9, &c, NULL), FG_OK);
#ifdef _OPENMP
    omp_set_num_threads(saved);
#endif
    assert_memory_equal(&a, &b, sizeof a);
    assert_memory_equal(&a, &c, sizeof a);
    free_set(&s);
}

static void standardisation_is_stored_and_probability_follows_the_formula(void **state)
{
    (void)state;
    set s = make_separable(1000, 11);
    fg_smoke_model m;
    assert_int_equal(fg_smoke_model_train(s.X, s.y, NULL, s.n, 3, 1e-3, 100, 0.9, &m, NULL), FG_OK);
    for (int i = 0; i < 3; i++) {
        double mu = 0, v = 0;
        for (size_t k = 0; k < s.n; k++)
            mu += s.X[3 * k + i];
        mu /= (double)s.n;
        for (size_t k = 0; k < s.n; k++)
            v += (s.X[3 * k + i] - mu) * (s.X[3 * k + i] - mu);
        assert_float_equal(m.mean[i], mu, 1e-4 * (fabs(mu) + 1e-3));
        assert_float_equal(m.scale[i], sqrt(v / (double)s.n), 1e-4 * sqrt(v / (double)s.n));
    }
    const float f[3] = {120.0f, -0.004f, 0.3f};
    double z = m.bias;
    for (int i = 0; i < 3; i++)
        z += m.w[i] * ((double)f[i] - m.mean[i]) / m.scale[i];
    assert_float_equal(fg_smoke_model_prob(&m, f), 1.0 / (1.0 + exp(-z)), 1e-6);
    /* a feature that could not be measured contributes nothing */
    const float g[3] = {120.0f, NAN, 0.3f};
    double zg = m.bias + m.w[0] * ((double)g[0] - m.mean[0]) / m.scale[0] +
                m.w[2] * ((double)g[2] - m.mean[2]) / m.scale[2];
    assert_float_equal(fg_smoke_model_prob(&m, g), 1.0 / (1.0 + exp(-zg)), 1e-6);
    free_set(&s);
}

/* Overlapping classes: raising the smoke weight raises the probability given to
 * every point (the bias moves up), as class balancing should. */
static void heavier_smoke_weight_raises_the_probability(void **state)
{
    (void)state;
    const size_t n = 4000;
    float *X = test_malloc(n * sizeof *X), *w = test_malloc(n * sizeof *w);
    unsigned char *y = test_malloc(n);
    fg_rng r = {5};
    for (size_t i = 0; i < n; i++) {
        y[i] = (unsigned char)(i % 5 == 0);
        X[i] = (float)(fg_rng_gauss(&r) + (y[i] ? 1.0 : 0.0));
        w[i] = y[i] ? 4.0f : 1.0f;
    }
    fg_smoke_model plain, weighted;
    assert_int_equal(fg_smoke_model_train(X, y, NULL, n, 1, 1e-3, 100, 0.9, &plain, NULL), FG_OK);
    assert_int_equal(fg_smoke_model_train(X, y, w, n, 1, 1e-3, 100, 0.9, &weighted, NULL), FG_OK);
    for (float x = -2.0f; x <= 3.0f; x += 0.5f)
        assert_true(fg_smoke_model_prob(&weighted, &x) > fg_smoke_model_prob(&plain, &x));
    /* balanced weights (each class half the total) put p ≈ 0.5 near the midpoint 0.5 */
    float xm = 0.5f;
    assert_float_equal(fg_smoke_model_prob(&weighted, &xm), 0.5, 0.1);
    test_free(X);
    test_free(w);
    test_free(y);
}

/* Training recall of m at threshold thr (p >= thr is smoke). */
static double recall_at(const fg_smoke_model *m, const float *X, const unsigned char *y, size_t n,
                        float thr)
{
    size_t tp = 0, pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (!y[i])
            continue;
        pos++;
        tp += fg_smoke_model_prob(m, X + i * (size_t)m->nfeat) >= thr;
    }
    return (double)tp / (double)pos;
}

/* Overlapping classes in 2 features, both coarse (steps of 1/4 and 1), so many
 * samples share a probability and a cut must not split them. */
static set make_overlapping(size_t n, uint64_t seed)
{
    set s;
    s.n = n;
    s.X = test_malloc(n * 2 * sizeof *s.X);
    s.y = test_malloc(n);
    fg_rng r = {seed};
    for (size_t i = 0; i < n; i++) {
        int cls = (int)(i % 10 == 0); /* rare smoke, as in the camera data */
        s.X[2 * i + 0] = (float)(0.25 * floor(4.0 * (fg_rng_gauss(&r) + (cls ? 1.0 : 0.0))));
        s.X[2 * i + 1] = (float)floor(2.0 * fg_rng_gauss(&r) + (cls ? 2.0 : 0.0));
        s.y[i] = (unsigned char)cls;
    }
    return s;
}

/* The recall rule: the chosen threshold keeps training recall >= R, the next
 * higher float does not (it is the highest such threshold), and a higher target
 * never gives a higher threshold. */
static void recall_rule_picks_the_highest_threshold_reaching_the_target(void **state)
{
    (void)state;
    set s = make_overlapping(20000, 9);
    static const double R[] = {0.3, 0.5, 0.8, 0.9, 0.95, 0.99};
    float prev = 2.0f;
    for (size_t k = 0; k < sizeof R / sizeof R[0]; k++) {
        fg_smoke_model m;
        fg_ctx ctx = {0};
        assert_int_equal(fg_smoke_model_train(s.X, s.y, NULL, s.n, 2, 1e-3, 100, R[k], &m, &ctx),
                         FG_OK);
        double at = recall_at(&m, s.X, s.y, s.n, m.threshold);
        double above = recall_at(&m, s.X, s.y, s.n, nextafterf(m.threshold, 2.0f));
        if (!(at >= R[k]) || !(above < R[k]))
            fail_msg("target %g: threshold %.9g recall %.6f, just above it %.6f", R[k],
                     (double)m.threshold, at, above);
        assert_true(m.threshold <= prev);
        prev = m.threshold;
        /* the public chooser gives the same threshold for the trained model */
        float t;
        assert_int_equal(fg_smoke_model_threshold(&m, s.X, s.y, s.n, R[k], &t, &ctx), FG_OK);
        assert_true(t == m.threshold);
    }
    /* a high-recall gate sits below the F1 maximum of an overlapping problem */
    fg_smoke_model f1, r90;
    assert_int_equal(fg_smoke_model_train(s.X, s.y, NULL, s.n, 2, 1e-3, 100,
                                          FG_SMOKE_THRESHOLD_F1, &f1, NULL),
                     FG_OK);
    assert_int_equal(fg_smoke_model_train(s.X, s.y, NULL, s.n, 2, 1e-3, 100, 0.9, &r90, NULL),
                     FG_OK);
    assert_memory_equal(f1.w, r90.w, sizeof f1.w); /* the rule moves only the threshold */
    assert_true(r90.threshold < f1.threshold);
    assert_true(recall_at(&f1, s.X, s.y, s.n, f1.threshold) < 0.9);
    free_set(&s);
}

/* Both rules on a hand-made score list: p = σ(x) with x = 5..1, smoke at 5, 3, 2. */
static void threshold_rules_on_known_scores(void **state)
{
    (void)state;
    fg_smoke_model m;
    memset(&m, 0, sizeof m);
    m.nfeat = 1;
    m.scale[0] = 1.0f;
    m.w[0] = 1.0f;
    const float X[] = {2, 4, 5, 1, 3};
    const unsigned char y[] = {1, 0, 1, 0, 1};
    float p[6];
    for (int x = 1; x <= 5; x++) {
        float f = (float)x;
        p[x] = fg_smoke_model_prob(&m, &f);
    }
    float t;
    fg_ctx ctx = {0};
    /* 1 of 3 at x = 5, 2 of 3 from x = 3 on, 3 of 3 from x = 2 on */
    assert_int_equal(fg_smoke_model_threshold(&m, X, y, 5, 0.3, &t, &ctx), FG_OK);
    assert_true(t == p[5]);
    assert_int_equal(fg_smoke_model_threshold(&m, X, y, 5, 0.34, &t, &ctx), FG_OK);
    assert_true(t == p[3]);
    assert_int_equal(fg_smoke_model_threshold(&m, X, y, 5, 2.0 / 3.0, &t, &ctx), FG_OK);
    assert_true(t == p[3]);
    assert_int_equal(fg_smoke_model_threshold(&m, X, y, 5, 0.7, &t, &ctx), FG_OK);
    assert_true(t == p[2]);
    /* F1 by cut: 0.5, 0.4, 0.667, 0.857 (x >= 2), 0.75: halfway between σ(2) and σ(1) */
    assert_int_equal(fg_smoke_model_threshold(&m, X, y, 5, FG_SMOKE_THRESHOLD_F1, &t, &ctx),
                     FG_OK);
    assert_float_equal(t, 0.5 * ((double)p[2] + p[1]), 1e-7);
    /* refused: no smoke sample, a target outside (0, 1) */
    const unsigned char none[] = {0, 0, 0, 0, 0};
    float before = -1.0f;
    t = before;
    assert_int_equal(fg_smoke_model_threshold(&m, X, none, 5, 0.9, &t, &ctx), FG_EINVAL);
    assert_non_null(strstr(ctx.msg, "no smoke sample"));
    assert_int_equal(fg_smoke_model_threshold(&m, X, y, 5, 1.0, &t, &ctx), FG_EINVAL);
    assert_non_null(strstr(ctx.msg, "recall"));
    assert_true(t == before);
}

static const struct {
    const char *what;
    size_t n;
    int nfeat;
    double l2;
    int iterations;
    double recall;
    int one_class, nan_feature, negative_weight;
    const char *msg;
} BAD[] = {
    {"no features", 10, 0, 1e-3, 10, 0.9, 0, 0, 0, "0 features"},
    {"too many features", 10, FG_SMOKE_MODEL_MAXF + 1, 1e-3, 10, 0.9, 0, 0, 0, "features"},
    {"one sample", 1, 1, 1e-3, 10, 0.9, 0, 0, 0, "1 sample"},
    {"negative L2", 10, 1, -1, 10, 0.9, 0, 0, 0, "L2"},
    {"no iterations", 10, 1, 1e-3, 0, 0.9, 0, 0, 0, "iterations"},
    {"recall 1", 10, 1, 1e-3, 10, 1.0, 0, 0, 0, "recall 1 is not in (0, 1)"},
    {"negative recall", 10, 1, 1e-3, 10, -0.5, 0, 0, 0, "recall -0.5"},
    {"NaN recall", 10, 1, 1e-3, 10, NAN, 0, 0, 0, "recall nan"},
    {"one class only", 10, 1, 1e-3, 10, 0.9, 1, 0, 0, "smoke and non-smoke"},
    {"NaN feature", 10, 1, 1e-3, 10, 0.9, 0, 1, 0, "not finite"},
    {"negative weight", 10, 1, 1e-3, 10, 0.9, 0, 0, 1, "weight"},
};

static void bad_training_inputs_are_refused_with_a_reason(void **state)
{
    (void)state;
    float X[10 * (FG_SMOKE_MODEL_MAXF + 1)];
    unsigned char y[10];
    float w[10];
    for (size_t c = 0; c < sizeof BAD / sizeof BAD[0]; c++) {
        for (int i = 0; i < 10 * (FG_SMOKE_MODEL_MAXF + 1); i++)
            X[i] = (float)(i % 7);
        for (int i = 0; i < 10; i++) {
            y[i] = BAD[c].one_class ? 0 : (unsigned char)(i % 2);
            w[i] = BAD[c].negative_weight && i == 3 ? -1.0f : 1.0f;
        }
        if (BAD[c].nan_feature)
            X[4] = NAN;
        fg_smoke_model m;
        memset(&m, 0x5a, sizeof m);
        fg_smoke_model before = m;
        fg_ctx ctx = {0};
        int rc = fg_smoke_model_train(X, y, w, BAD[c].n, BAD[c].nfeat, BAD[c].l2,
                                      BAD[c].iterations, BAD[c].recall, &m, &ctx);
        if (rc != FG_EINVAL || !strstr(ctx.msg, BAD[c].msg))
            fail_msg("%s: rc %d, message '%s'", BAD[c].what, rc, ctx.msg);
        assert_memory_equal(&m, &before, sizeof m); /* output untouched on failure */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(training_separates_a_linearly_separable_set),
        cmocka_unit_test(probability_rises_monotonically_along_the_weights),
        cmocka_unit_test(training_is_deterministic_at_one_and_two_threads),
        cmocka_unit_test(standardisation_is_stored_and_probability_follows_the_formula),
        cmocka_unit_test(heavier_smoke_weight_raises_the_probability),
        cmocka_unit_test(recall_rule_picks_the_highest_threshold_reaching_the_target),
        cmocka_unit_test(threshold_rules_on_known_scores),
        cmocka_unit_test(bad_training_inputs_are_refused_with_a_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
