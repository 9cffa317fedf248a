/* smoke_model.c — the learned smoke block model: logistic regression, its probability and its training. */
/* SPDX-License-Identifier: MIT */
/*
 * p(smoke | f) = σ(b + Σ w_i·(f_i − μ_i)/s_i), σ(z) = 1/(1 + e^−z).
 *
 * Training minimises the weighted, L2-regularised logistic loss on
 * standardised features (Hastie, Tibshirani & Friedman 2009, The Elements of
 * Statistical Learning, 2nd ed., §4.4.1 eq. 4.20 and §4.4.4):
 *   J(b, w) = Σ_n ω_n [log(1 + e^{z_n}) − y_n z_n] / Σ_n ω_n + (λ/2)·Σ_i w_i²,
 * the bias unpenalised. J is convex, so any descent method reaches the same
 * minimiser; we take full-batch Newton steps (iteratively reweighted least
 * squares, ibid. eq. 4.26) with a backtracking (Armijo) line search, which
 * needs ~10 passes over millions of blocks where plain gradient descent on
 * correlated colour features needs thousands. The ≤ 33×33 Newton system is
 * solved by Cholesky factorisation.
 *
 * Determinism: the sums run over fixed chunks of CHUNK samples (independent of
 * the thread count), one chunk per loop iteration, and the chunk partial sums
 * are added in chunk order, so the weights are the same bytes at any thread
 * count.
 */
#include "detect/detect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#define CHUNK 16384
#define NP (FG_SMOKE_MODEL_MAXF + 1) /* bias + weights */

static double sigmoid(double z)
{
    if (z >= 0)
        return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

/* log(1 + e^z) without overflow */
static double softplus(double z)
{
    return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

float fg_smoke_model_prob(const fg_smoke_model *m, const float *f)
{
    if (!m || !f || m->nfeat <= 0 || m->nfeat > FG_SMOKE_MODEL_MAXF)
        return 0.0f;
    double z = m->bias;
    for (int i = 0; i < m->nfeat; i++) {
        double s = m->scale[i] > 0 ? m->scale[i] : 1.0;
        double d = ((double)f[i] - m->mean[i]) / s;
        /* a feature that could not be measured says nothing */
        if (isfinite(d))
            z += m->w[i] * d;
    }
    return (float)sigmoid(z);
}

typedef struct train_data {
    const float *X;
    const unsigned char *y;
    const float *weight;
    size_t n;
    int d;
    double mean[FG_SMOKE_MODEL_MAXF], scale[FG_SMOKE_MODEL_MAXF];
} train_data;

/* Loss (without the penalty) and, when g/H are given, its gradient and Hessian
 * (upper triangle, row-major over NP×NP) for parameters th[0] = bias,
 * th[1..d] = weights; all divided by the weight sum wsum. */
static int pass(const train_data *t, const double *th, double wsum, double *loss, double *g,
                double *H)
{
    int d = t->d, np = d + 1;
    size_t nchunk = (t->n + CHUNK - 1) / CHUNK;
    size_t per = 1 + (g ? (size_t)np + (size_t)np * np : 0);
    double *part = fg_calloc(nchunk, per * sizeof(double));
    if (!part)
        return FG_ENOMEM;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (nchunk > 1)
#endif
    for (size_t k = 0; k < nchunk; k++) {
        double *pl = part + k * per, *pg = pl + 1, *pH = pg + np;
        size_t a = k * CHUNK, b = a + CHUNK < t->n ? a + CHUNK : t->n;
        double x[NP];
        x[0] = 1.0;
        for (size_t s = a; s < b; s++) {
            const float *f = t->X + s * (size_t)d;
            double z = th[0];
            for (int i = 0; i < d; i++) {
                x[i + 1] = ((double)f[i] - t->mean[i]) / t->scale[i];
                z += th[i + 1] * x[i + 1];
            }
            double om = t->weight ? t->weight[s] : 1.0;
            double yy = t->y[s] ? 1.0 : 0.0;
            pl[0] += om * (softplus(z) - yy * z);
            if (!g)
                continue;
            double p = sigmoid(z);
            double r = om * (p - yy), v = om * p * (1.0 - p);
            for (int i = 0; i < np; i++) {
                pg[i] += r * x[i];
                double vi = v * x[i];
                for (int j = i; j < np; j++)
                    pH[i * np + j] += vi * x[j];
            }
        }
    }
    *loss = 0;
    if (g) {
        memset(g, 0, (size_t)np * sizeof *g);
        memset(H, 0, (size_t)np * np * sizeof *H);
    }
    for (size_t k = 0; k < nchunk; k++) {
        const double *pl = part + k * per;
        *loss += pl[0];
        if (!g)
            continue;
        for (int i = 0; i < np; i++)
            g[i] += pl[1 + i];
        for (int i = 0; i < np * np; i++)
            H[i] += pl[1 + np + i];
    }
    fg_free(part);
    *loss /= wsum;
    if (g) {
        for (int i = 0; i < np; i++)
            g[i] /= wsum;
        for (int i = 0; i < np * np; i++)
            H[i] /= wsum;
    }
    return FG_OK;
}

/* Solves A x = b for symmetric positive definite A (upper triangle given, n×n,
 * overwritten by its Cholesky factor). Returns 0, or −1 when A is not positive
 * definite. */
static int cholesky_solve(double *A, int n, const double *b, double *x)
{
    /* A = Rᵀ R with R upper triangular, stored in A's upper triangle */
    for (int i = 0; i < n; i++) {
        for (int j = i; j < n; j++) {
            double s = A[i * n + j];
            for (int k = 0; k < i; k++)
                s -= A[k * n + i] * A[k * n + j];
            if (i == j) {
                if (!(s > 0))
                    return -1;
                A[i * n + i] = sqrt(s);
            } else {
                A[i * n + j] = s / A[i * n + i];
            }
        }
    }
    for (int i = 0; i < n; i++) { /* Rᵀ u = b */
        double s = b[i];
        for (int k = 0; k < i; k++)
            s -= A[k * n + i] * x[k];
        x[i] = s / A[i * n + i];
    }
    for (int i = n - 1; i >= 0; i--) { /* R x = u */
        double s = x[i];
        for (int k = i + 1; k < n; k++)
            s -= A[i * n + k] * x[k];
        x[i] = s / A[i * n + i];
    }
    return 0;
}

static double penalty(const double *th, int d, double l2)
{
    double s = 0;
    for (int i = 1; i <= d; i++)
        s += th[i] * th[i];
    return 0.5 * l2 * s;
}

typedef struct scored {
    float p;
    unsigned char y;
    size_t i;
} scored;

static int by_prob_desc(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->p != y->p)
        return x->p > y->p ? -1 : 1;
    return x->i < y->i ? -1 : (x->i > y->i);
}

/* Index of the last block called smoke under each rule, in s sorted by
 * descending p; a cut never separates equal probabilities. */
static size_t cut_recall(const scored *s, size_t n, size_t npos, double recall)
{
    size_t tp = 0;
    for (size_t k = 0; k < n; k++) {
        tp += s[k].y;
        if (k + 1 < n && s[k + 1].p == s[k].p)
            continue;
        if ((double)tp / (double)npos >= recall)
            return k;
    }
    return n - 1; /* unreachable: recall is 1 once every block is called smoke */
}

static size_t cut_f1(const scored *s, size_t n, size_t npos)
{
    size_t tp = 0, fp = 0, kbest = 0;
    double best = -1;
    for (size_t k = 0; k < n; k++) {
        if (s[k].y)
            tp++;
        else
            fp++;
        if (k + 1 < n && s[k + 1].p == s[k].p)
            continue;
        double f1 = 2.0 * (double)tp / (double)(2 * tp + fp + (npos - tp));
        if (f1 > best) {
            best = f1;
            kbest = k;
        }
    }
    return kbest;
}

/*
 * The decision threshold is an operating point on the training blocks, counted
 * unweighted (the class weights only shape the fit). Two rules:
 *
 * Recall target R (the default for the CLI, R = 0.9): the highest threshold at
 * which training block recall is still >= R. The model is a gate behind a
 * change detector, not a stand-alone classifier: a changed block must also pass
 * p >= threshold, so a miss here silences a real plume however clear the
 * change, while a false positive is still filtered by the change, shape and
 * persistence rules. A gate should therefore only reject blocks that clearly
 * are not smoke, i.e. run at high recall, and accept whatever precision that
 * gives. With smoke ~1 % of the blocks, the F1 maximum of a weak model sits at
 * low recall instead (it buys precision by dropping most smoke: 0.18 held-out
 * recall for the bundled model at its F1 threshold). Class weighting (King &
 * Zeng 2001, Political Analysis 9:137) mainly shifts the intercept: it rescales
 * p, so the threshold value depends on it, but hardly the ranking of blocks,
 * and both rules pick an operating point on that ranking.
 *
 * F1 maximum: the first maximum from the top (the highest such threshold),
 * placed halfway between the lowest probability called smoke and the next
 * lower one.
 */
int fg_smoke_model_threshold(const fg_smoke_model *m, const float *X, const unsigned char *y,
                             size_t n, double recall, float *thr, fg_ctx *ctx)
{
    if (!m || !X || !y || !thr)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke model threshold: missing model, data or output");
    if (m->nfeat < 1 || m->nfeat > FG_SMOKE_MODEL_MAXF)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke model threshold: model has %d features",
                          m->nfeat);
    if (recall != FG_SMOKE_THRESHOLD_F1 && !(recall > 0 && recall < 1))
        return fg_ctx_set(ctx, FG_EINVAL,
                          "smoke model threshold: target recall %g is not in (0, 1)", recall);
    size_t npos = 0;
    for (size_t i = 0; i < n; i++)
        npos += y[i] != 0;
    if (npos == 0)
        return fg_ctx_set(ctx, FG_EINVAL,
                          "smoke model threshold: no smoke sample among %zu, recall undefined", n);
    scored *s = fg_malloc(n * sizeof *s);
    if (!s)
        return fg_ctx_set(ctx, FG_ENOMEM, "smoke model threshold: out of memory (%zu samples)",
                          n);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (n > CHUNK)
#endif
    for (size_t i = 0; i < n; i++) {
        s[i].p = fg_smoke_model_prob(m, X + i * (size_t)m->nfeat);
        s[i].y = y[i] ? 1 : 0;
        s[i].i = i;
    }
    qsort(s, n, sizeof *s, by_prob_desc);
    float t_;
    if (recall == FG_SMOKE_THRESHOLD_F1) {
        size_t k = cut_f1(s, n, npos);
        float hi = s[k].p;
        t_ = hi;
        if (k + 1 < n) {
            float lo = s[k + 1].p;
            t_ = (float)(0.5 * ((double)hi + lo));
            if (t_ <= lo)
                t_ = nextafterf(lo, 2.0f);
            if (t_ > hi)
                t_ = hi;
        }
    } else {
        /* exactly the lowest probability kept: any higher threshold drops a
         * smoke block and, by the choice of the cut, recall below the target */
        t_ = s[cut_recall(s, n, npos, recall)].p;
    }
    fg_free(s);
    *thr = t_;
    return FG_OK;
}

int fg_smoke_model_train(const float *X, const unsigned char *y, const float *weight,
                         size_t n, int nfeat, double l2, int iterations, double recall,
                         fg_smoke_model *out, fg_ctx *ctx)
{
    if (!X || !y || !out)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke model training: missing data or output");
    if (nfeat < 1 || nfeat > FG_SMOKE_MODEL_MAXF)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke model training: %d features (1..%d allowed)",
                          nfeat, FG_SMOKE_MODEL_MAXF);
    if (n < 2)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke model training: %zu sample(s), need at least 2",
                          n);
    if (!(l2 >= 0) || !isfinite(l2))
        return fg_ctx_set(ctx, FG_EINVAL, "smoke model training: L2 weight %g is not >= 0", l2);
    if (iterations < 1)
        return fg_ctx_set(ctx, FG_EINVAL, "smoke model training: %d iterations", iterations);
    if (recall != FG_SMOKE_THRESHOLD_F1 && !(recall > 0 && recall < 1))
        return fg_ctx_set(ctx, FG_EINVAL,
                          "smoke model training: target recall %g is not in (0, 1)", recall);

    train_data t;
    memset(&t, 0, sizeof t);
    t.X = X;
    t.y = y;
    t.weight = weight;
    t.n = n;
    t.d = nfeat;
    double wsum = 0, wpos = 0;
    for (size_t s = 0; s < n; s++) {
        double om = weight ? weight[s] : 1.0;
        if (!(om >= 0) || !isfinite(om))
            return fg_ctx_set(ctx, FG_EINVAL, "smoke model training: sample %zu has weight %g",
                              s, om);
        wsum += om;
        if (y[s])
            wpos += om;
        for (int i = 0; i < nfeat; i++)
            if (!isfinite(X[s * (size_t)nfeat + i]))
                return fg_ctx_set(ctx, FG_EINVAL,
                                  "smoke model training: sample %zu, feature %d is not finite", s,
                                  i);
    }
    if (!(wpos > 0) || !(wsum - wpos > 0))
        return fg_ctx_set(ctx, FG_EINVAL,
                          "smoke model training: the data need smoke and non-smoke samples of "
                          "positive weight (weights: %g smoke, %g other)",
                          wpos, wsum - wpos);

    /* standardisation: plain (unweighted) mean and population standard deviation;
     * a constant feature keeps scale 1 (its weight then stays 0 under L2) */
    for (int i = 0; i < nfeat; i++) {
        double sm = 0;
        for (size_t s = 0; s < n; s++)
            sm += X[s * (size_t)nfeat + i];
        double mu = sm / (double)n, sv = 0;
        for (size_t s = 0; s < n; s++) {
            double e = X[s * (size_t)nfeat + i] - mu;
            sv += e * e;
        }
        double sd = sqrt(sv / (double)n);
        t.mean[i] = (float)mu; /* the model stores floats: train with the same numbers */
        t.scale[i] = sd > 1e-6 ? (float)sd : 1.0f;
    }

    int np = nfeat + 1, rc = FG_OK;
    double th[NP] = {0}, g[NP], H[NP * NP], step[NP], trial[NP];
    /* start from the weighted base rate */
    th[0] = log(wpos / (wsum - wpos));
    double J = 0;
    for (int it = 0; it < iterations; it++) {
        double loss;
        if ((rc = pass(&t, th, wsum, &loss, g, H)) != FG_OK)
            break;
        J = loss + penalty(th, nfeat, l2);
        for (int i = 1; i < np; i++) {
            g[i] += l2 * th[i];
            H[i * np + i] += l2;
        }
        for (int i = 0; i < np; i++)
            H[i * np + i] += 1e-10; /* keeps a separable, unpenalised problem solvable */
        if (cholesky_solve(H, np, g, step) != 0) {
            rc = fg_ctx_set(ctx, FG_EINVAL, "smoke model training: singular Newton system");
            break;
        }
        double dec = 0; /* Newton decrement² = gᵀ H⁻¹ g */
        for (int i = 0; i < np; i++)
            dec += g[i] * step[i];
        if (dec < 1e-12)
            break;
        double a = 1.0, Jt = J;
        for (int ls = 0; ls < 40; ls++, a *= 0.5) {
            for (int i = 0; i < np; i++)
                trial[i] = th[i] - a * step[i];
            if ((rc = pass(&t, trial, wsum, &loss, NULL, NULL)) != FG_OK)
                break;
            Jt = loss + penalty(trial, nfeat, l2);
            if (Jt <= J - 0.25 * a * dec)
                break;
        }
        if (rc != FG_OK)
            break;
        if (!(Jt < J))
            break; /* no further decrease at float precision */
        memcpy(th, trial, sizeof th);
        J = Jt;
    }
    if (rc == FG_ENOMEM)
        return fg_ctx_set(ctx, FG_ENOMEM, "smoke model training: out of memory (%zu samples)", n);
    if (rc != FG_OK)
        return rc;

    fg_smoke_model m;
    memset(&m, 0, sizeof m);
    m.nfeat = nfeat;
    m.bias = (float)th[0];
    for (int i = 0; i < nfeat; i++) {
        m.mean[i] = (float)t.mean[i];
        m.scale[i] = (float)t.scale[i];
        m.w[i] = (float)th[i + 1];
        if (!isfinite(m.w[i]))
            return fg_ctx_set(ctx, FG_EINVAL, "smoke model training: weight %d diverged", i);
    }
    if (!isfinite(m.bias))
        return fg_ctx_set(ctx, FG_EINVAL, "smoke model training: bias diverged");
    if ((rc = fg_smoke_model_threshold(&m, X, y, n, recall, &m.threshold, ctx)) != FG_OK)
        return rc;
    *out = m;
    return FG_OK;
}
