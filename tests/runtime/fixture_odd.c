/* fixture_odd.c — a hand-written stand-in for agraphc's output, for the runtime's tests: the less
 * common shapes. One input, three outputs that show the parameters as audio (a = x * mix,
 * b = the toggle, c = time in seconds); a label that needs JSON escaping; a button; 48 kHz at most. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "agraph_program.h"

enum { MIX, TIME, TRIG, HOLD, N_PARAMS };

typedef struct odd_state {
    double value[N_PARAMS];
} odd_state;

static const agraph_param_info odd_params[] = {
    /* name    label                                  unit  kind                 scale                min  max   default */
    [MIX]  = { "mix",  "Mix \"wet\" \\ dry\n\ttab\x01 \xc3\xa9", "", AGRAPH_PARAM_SLIDER, AGRAPH_SCALE_LINEAR, 0,   1,    0.5 },
    [TIME] = { "time", "Time",                             "ms", AGRAPH_PARAM_SLIDER, AGRAPH_SCALE_LINEAR, 1,   2000, 350 },
    [TRIG] = { "trig", "trig",                             "",   AGRAPH_PARAM_TOGGLE, AGRAPH_SCALE_LINEAR, 0,   1,    0 },
    [HOLD] = { "hold", "Hold",                             "",   AGRAPH_PARAM_BUTTON, AGRAPH_SCALE_LINEAR, 0,   1,    0 },
};
static const char *const odd_inputs[] = { "x" };
static const char *const odd_outputs[] = { "a", "b", "c" };

static void odd_set_param(void *state, int index, double value)
{
    const agraph_param_info *p = &odd_params[index];
    ((odd_state *)state)->value[index] = value < p->min ? p->min : value > p->max ? p->max : value;
}

static double odd_get_param(const void *state, int index)
{
    return ((const odd_state *)state)->value[index];
}

static int odd_init(void *state, double sample_rate)
{
    if ((uintptr_t)state % 64 != 0) {
        fprintf(stderr, "fixture_odd: the state is not aligned to 64 bytes\n");
        abort();
    }
    if (!(sample_rate > 0 && sample_rate <= 48000)) return -1;
    for (int i = 0; i < N_PARAMS; i++) odd_set_param(state, i, odd_params[i].def);
    return 0;
}

static void odd_reset(void *state)
{
}

static void odd_process(void *state, const float *const *in, float *const *out, int frames)
{
    const odd_state *s = state;
    for (int i = 0; i < frames; i++) {
        out[0][i] = in[0][i] * (float)s->value[MIX];
        out[1][i] = (float)s->value[TRIG];
        out[2][i] = (float)(s->value[TIME] / 1000.0);
    }
}

static int odd_read_probe(const void *state, int index, float *dst, int max)
{
    return 0;
}

#ifdef AGRAPH_RUNTIME
const agraph_program agraph_main_program = {
    .name = "odd", .source = "tests/runtime/fixture_odd.c",
    .n_inputs = 1, .n_outputs = 3, .input_names = odd_inputs, .output_names = odd_outputs,
    .state_size = sizeof(odd_state), .max_sample_rate = 48000,
    .n_params = N_PARAMS, .params = odd_params, .n_probes = 0, .probes = NULL,
    .init = odd_init, .reset = odd_reset, .process = odd_process,
    .set_param = odd_set_param, .get_param = odd_get_param, .read_probe = odd_read_probe,
};
#endif
