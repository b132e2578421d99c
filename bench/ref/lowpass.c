/* ref/lowpass.c — the hand-written limit for bench/lowpass.agraph: a 2nd-order Butterworth
 * lowpass at 1 kHz as one transposed direct-form II biquad (the bilinear transform prewarped at
 * the cutoff, coefficients in double once per block), in a tight loop with its state in
 * registers. A parameter smoother would run only while the cutoff moves; it never does here. */
#include <math.h>
#include <stdlib.h>

#include "../bench.h"

typedef struct {
    double sr, cutoff;
    float b0, b1, b2, a1, a2;   /* for the current cutoff */
    double made_for;            /* the cutoff they were made for */
    float s1, s2;
} lowpass;

static void coefficients(lowpass *p)
{
    double K = tan(M_PI * p->cutoff / p->sr), q = sqrt(0.5);
    double n = 1 / (1 + K / q + K * K);
    p->b0 = (float)(K * K * n);
    p->b1 = 2 * p->b0;
    p->b2 = p->b0;
    p->a1 = (float)(2 * (K * K - 1) * n);
    p->a2 = (float)((1 - K / q + K * K) * n);
    p->made_for = p->cutoff;
}

static void *create(int sr, int *n_in, int *n_out, size_t *bytes)
{
    lowpass *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->sr = sr;
    p->cutoff = 1000;
    p->made_for = -1;
    *n_in = 1, *n_out = 1, *bytes = sizeof *p;
    return p;
}

static void process(void *state, float **in, float **out, int n)
{
    lowpass *p = state;
    if (p->cutoff != p->made_for) coefficients(p);
    const float b0 = p->b0, b1 = p->b1, b2 = p->b2, a1 = p->a1, a2 = p->a2;
    float s1 = p->s1, s2 = p->s2;
    const float *x = in[0];
    float *y = out[0];
    for (int i = 0; i < n; i++) {
        float v = b0 * x[i] + s1;
        s1 = b1 * x[i] - a1 * v + s2;
        s2 = b2 * x[i] - a2 * v;
        y[i] = v;
    }
    p->s1 = s1, p->s2 = s2;
}

const bench_impl bench_ref = { "C", create, process, free, NULL };
