/* fixture_sine.c — a hand-written stand-in for agraphc's output, for the runtime's tests: a
 * generator whose samples have a closed form, out[n] = 10^(gain/20) * sin(2*pi*freq*n / SR) for
 * n >= delay (0 before), n counted from init, so lost or repeated frames show. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "agraph_program.h"

#define PI 3.14159265358979323846

typedef struct sine_state {
    double sr;
    double freq, gain_db, delay_ms;     /* the parameters, in their own units */
    long long n;                        /* frames since init */
} sine_state;

static const agraph_param_info sine_params[] = {
    /* name     label        unit  kind                 scale              min   max    default */
    { "freq",  "Frequency", "Hz", AGRAPH_PARAM_SLIDER, AGRAPH_SCALE_LOG,    20,   20000, 440 },
    { "gain",  "Gain",      "dB", AGRAPH_PARAM_SLIDER, AGRAPH_SCALE_LINEAR, -60,  0,     -6 },
    { "delay", "Delay",     "ms", AGRAPH_PARAM_SLIDER, AGRAPH_SCALE_LINEAR, 0,    1000,  0 },
};
static const char *const sine_outputs[] = { "out" };

static void sine_set_param(void *state, int index, double value)
{
    sine_state *s = state;
    const agraph_param_info *p = &sine_params[index];
    value = value < p->min ? p->min : value > p->max ? p->max : value;
    if (index == 0) s->freq = value;
    else if (index == 1) s->gain_db = value;
    else s->delay_ms = value;
}

static double sine_get_param(const void *state, int index)
{
    const sine_state *s = state;
    return index == 0 ? s->freq : index == 1 ? s->gain_db : s->delay_ms;
}

static int sine_init(void *state, double sample_rate)
{
    sine_state *s = state;
    if ((uintptr_t)state % 64 != 0) {
        fprintf(stderr, "fixture_sine: the state is not aligned to 64 bytes\n");
        abort();
    }
    if (!(sample_rate > 0 && sample_rate <= 192000)) return -1;
    s->sr = sample_rate;
    s->n = 0;
    for (int i = 0; i < 3; i++) sine_set_param(s, i, sine_params[i].def);
    return 0;
}

static void sine_reset(void *state)
{
    ((sine_state *)state)->n = 0;
}

static void sine_process(void *state, const float *const *in, float *const *out, int frames)
{
    sine_state *s = state;
    double g = pow(10.0, s->gain_db / 20.0), w = 2 * PI * s->freq / s->sr;
    long long start = llround(s->delay_ms * s->sr / 1000.0);
    for (int i = 0; i < frames; i++, s->n++)
        out[0][i] = s->n < start ? 0.0f : (float)(g * sin(w * (double)s->n));
}

static int sine_read_probe(const void *state, int index, float *dst, int max)
{
    return 0;
}

#ifdef AGRAPH_RUNTIME
const agraph_program agraph_main_program = {
    .name = "sine", .source = "tests/runtime/fixture_sine.c",
    .n_inputs = 0, .n_outputs = 1, .input_names = NULL, .output_names = sine_outputs,
    .state_size = sizeof(sine_state), .max_sample_rate = 192000,
    .n_params = 3, .params = sine_params, .n_probes = 0, .probes = NULL,
    .init = sine_init, .reset = sine_reset, .process = sine_process,
    .set_param = sine_set_param, .get_param = sine_get_param, .read_probe = sine_read_probe,
};
#endif
