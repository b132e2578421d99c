/* ref/additive.c — the hand-written limit for bench/additive.agraph: five sine oscillators at
 * 220, 440, 660, 880 and 1100 Hz, times 0.2, as one vector of oscillators (the lanes beyond the
 * fifth idle at amplitude 0): the phases advance with the same float operations as agraph's,
 * the sines come from libmvec (vsin.h). */
#include <stdlib.h>

#include "../bench.h"
#include "vsin.h"

enum { OSC = 5, LANES = (OSC + VW - 1) / VW * VW };

typedef struct {
    float inc[LANES], amp[LANES], ph[LANES];
} additive;

static void *create(int sr, int *n_in, int *n_out, size_t *bytes)
{
    additive *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    for (int k = 0; k < OSC; k++) {
        p->inc[k] = 220.0f * (k + 1) / (float)sr;
        p->amp[k] = 0.2f;
    }
    *n_in = 0, *n_out = 1, *bytes = sizeof *p;
    return p;
}

static void process(void *state, float **in, float **out, int n)
{
    additive *p = state;
    osc_bank(p->ph, p->inc, p->amp, LANES, out[0], n);
}

const bench_impl bench_ref = { "C", create, process, free, NULL };
