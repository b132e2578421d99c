/* fixture_gain.c — a hand-written stand-in for agraphc's output, for the runtime's tests: a stereo
 * effect, out[c] = in[c] * 10^(gain/20). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "agraph_program.h"

typedef struct gain_state {
    double gain_db;
} gain_state;

static const agraph_param_info gain_params[] = {
    /* name    label   unit  kind                 scale                min  max  default */
    { "gain", "Gain", "dB", AGRAPH_PARAM_SLIDER, AGRAPH_SCALE_LINEAR, -60, 12,  0 },
};
static const char *const gain_inputs[] = { "l", "r" };
static const char *const gain_outputs[] = { "l", "r" };

static void gain_set_param(void *state, int index, double value)
{
    gain_state *s = state;
    s->gain_db = value < -60 ? -60 : value > 12 ? 12 : value;
}

static double gain_get_param(const void *state, int index)
{
    return ((const gain_state *)state)->gain_db;
}

static int gain_init(void *state, double sample_rate)
{
    if ((uintptr_t)state % 64 != 0) {
        fprintf(stderr, "fixture_gain: the state is not aligned to 64 bytes\n");
        abort();
    }
    if (!(sample_rate > 0 && sample_rate <= 192000)) return -1;
    gain_set_param(state, 0, gain_params[0].def);
    return 0;
}

static void gain_reset(void *state)
{
}

static void gain_process(void *state, const float *const *in, float *const *out, int frames)
{
    gain_state *s = state;
    float g = (float)pow(10.0, s->gain_db / 20.0);
    for (int c = 0; c < 2; c++)
        for (int i = 0; i < frames; i++) out[c][i] = in[c][i] * g;
}

static int gain_read_probe(const void *state, int index, float *dst, int max)
{
    return 0;
}

#ifdef AGRAPH_RUNTIME
const agraph_program agraph_main_program = {
    .name = "gain", .source = "tests/runtime/fixture_gain.c",
    .n_inputs = 2, .n_outputs = 2, .input_names = gain_inputs, .output_names = gain_outputs,
    .state_size = sizeof(gain_state), .max_sample_rate = 192000,
    .n_params = 1, .params = gain_params, .n_probes = 0, .probes = NULL,
    .init = gain_init, .reset = gain_reset, .process = gain_process,
    .set_param = gain_set_param, .get_param = gain_get_param, .read_probe = gain_read_probe,
};
#endif
