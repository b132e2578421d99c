/* fixture_probes.c — a hand-written stand-in for agraphc's output, for the runtime's probe and
 * control-block tests: out = 10^(gain/20) * sin(2*pi*freq*n/SR), and two probes published once
 * per block under a sequence counter, as generated code does:
 *   level  (1 float)     the gain now, linear: shows a parameter change arriving
 *   ramp   (RAMP_WIDTH)  b, b+1, ..., b+RAMP_WIDTH-2, then a checksum of those, where b counts
 *                        the blocks processed (mod RAMP_MOD); a snapshot mixing two blocks fails
 *                        the check (see ramp_checksum)
 * Parameters are atomic floats, as in generated code, so any thread may set and get them. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "agraph_program.h"

#define PI 3.14159265358979323846
#define RAMP_WIDTH 1024
#define RAMP_MOD 8192

enum { FREQ, GAIN, N_PARAMS };

typedef struct probes_state {
    float param[N_PARAMS];              /* atomic: set_param from any thread */
    double sr;
    long long n;                        /* frames since init */
    uint32_t blocks;
    uint32_t probe_seq;                 /* odd while process() writes the snapshot */
    float probe[1 + RAMP_WIDTH];
} probes_state;

static const agraph_param_info probes_params[] = {
    /* name    label        unit  kind                 scale              min  max    default */
    [FREQ] = { "freq", "Frequency", "Hz", AGRAPH_PARAM_SLIDER, AGRAPH_SCALE_LOG, 20, 20000, 440 },
    [GAIN] = { "gain", "Gain", "dB", AGRAPH_PARAM_SLIDER, AGRAPH_SCALE_LINEAR, -60, 0, -6 },
};
static const agraph_probe_info probes_probes[] = { { "level", 1 }, { "ramp", RAMP_WIDTH } };
static const int probe_first[] = { 0, 1, 1 + RAMP_WIDTH };
static const char *const probes_outputs[] = { "out" };

static float load(const float *p)
{
    float v;
    __atomic_load((float *)p, &v, __ATOMIC_RELAXED);
    return v;
}

static void store(float *p, float v)
{
    __atomic_store(p, &v, __ATOMIC_RELAXED);
}

/* The last element of a ramp: the sum of the others, mod 2^20 (exact in a float). */
static float ramp_checksum(const float *ramp)
{
    double sum = 0;
    for (int k = 0; k < RAMP_WIDTH - 1; k++) sum += ramp[k];
    return (float)fmod(sum, 1048576.0);
}

static void probes_set_param(void *state, int index, double value)
{
    if (index < 0 || index >= N_PARAMS || value != value) return;
    const agraph_param_info *p = &probes_params[index];
    value = value < p->min ? p->min : value > p->max ? p->max : value;
    store(&((probes_state *)state)->param[index], (float)value);
}

static double probes_get_param(const void *state, int index)
{
    return index < 0 || index >= N_PARAMS ? 0 : load(&((const probes_state *)state)->param[index]);
}

static int probes_init(void *state, double sample_rate)
{
    probes_state *s = state;
    if (!(sample_rate > 0 && sample_rate <= 192000)) return -1;
    s->sr = sample_rate;
    s->n = 0;
    s->blocks = 0;
    for (int i = 0; i < N_PARAMS; i++) probes_set_param(s, i, probes_params[i].def);
    return 0;
}

static void probes_reset(void *state)
{
    ((probes_state *)state)->n = 0;
}

static void probes_process(void *state, const float *const *in, float *const *out, int frames)
{
    probes_state *s = state;
    double g = pow(10.0, load(&s->param[GAIN]) / 20.0), w = 2 * PI * load(&s->param[FREQ]) / s->sr;
    for (int i = 0; i < frames; i++, s->n++) out[0][i] = (float)(g * sin(w * (double)s->n));
    s->blocks++;

    uint32_t q = s->probe_seq;
    __atomic_store_n(&s->probe_seq, q + 1u, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    store(&s->probe[0], (float)g);
    float *ramp = s->probe + 1;
    for (int k = 0; k < RAMP_WIDTH - 1; k++) store(&ramp[k], (float)(s->blocks % RAMP_MOD + (uint32_t)k));
    store(&ramp[RAMP_WIDTH - 1], ramp_checksum(ramp));
    __atomic_store_n(&s->probe_seq, q + 2u, __ATOMIC_RELEASE);
}

static int probes_read_probe(const void *state, int index, float *dst, int max)
{
    const probes_state *s = state;
    if (index < 0 || index >= 2) return 0;
    int n = probe_first[index + 1] - probe_first[index];
    if (n > max) n = max;
    uint32_t q1, q2;
    do {
        q1 = __atomic_load_n(&s->probe_seq, __ATOMIC_ACQUIRE);
        for (int k = 0; k < n; k++) dst[k] = load(&s->probe[probe_first[index] + k]);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        q2 = __atomic_load_n(&s->probe_seq, __ATOMIC_RELAXED);
    } while (q1 != q2 || (q1 & 1u));
    return probe_first[index + 1] - probe_first[index];
}

#ifdef AGRAPH_RUNTIME
const agraph_program agraph_main_program = {
    .name = "probes", .source = "tests/runtime/fixture_probes.c",
    .n_inputs = 0, .n_outputs = 1, .input_names = NULL, .output_names = probes_outputs,
    .state_size = sizeof(probes_state), .max_sample_rate = 192000,
    .n_params = N_PARAMS, .params = probes_params, .n_probes = 2, .probes = probes_probes,
    .init = probes_init, .reset = probes_reset, .process = probes_process,
    .set_param = probes_set_param, .get_param = probes_get_param, .read_probe = probes_read_probe,
};
#endif
