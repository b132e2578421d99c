/* ref/bank.c — the hand-written limit for bench/bank.agraph: 64 sine oscillators at the
 * harmonics k 55 Hz, amplitudes 0.1 / k, a vector of oscillators at a time: the phases advance
 * with the same float operations as agraph's (so the same phases), the sines come from libmvec
 * (vsin.h). */
#include <stdlib.h>

#include "../bench.h"
#include "vsin.h"

enum { OSC = 64 };

typedef struct {
    float inc[OSC], amp[OSC], ph[OSC];
} bank;

static void *create(int sr, int *n_in, int *n_out, size_t *bytes)
{
    bank *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    for (int k = 0; k < OSC; k++) {
        p->inc[k] = 55.0f * ((float)(k + 1) / (float)sr);   /* f (k / SR), as agraph scales f's smoother */
        p->amp[k] = 0.1f / (k + 1);
    }
    *n_in = 0, *n_out = 1, *bytes = sizeof *p;
    return p;
}

static void process(void *state, float **in, float **out, int n)
{
    bank *p = state;
    osc_bank(p->ph, p->inc, p->amp, OSC, out[0], n);
}

const bench_impl bench_ref = { "C", create, process, free, NULL };
