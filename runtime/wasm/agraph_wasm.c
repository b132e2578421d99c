/* agraph_wasm.c — the WebAssembly face of a generated library: agraphc --emit-wasm compiles this
 * file with the program's library (made with the prefix `agraph_dsp`, spectral blocks on the
 * built-in FFT) and exports the functions below to JavaScript (agraph_worklet.js). JavaScript
 * sees plain numbers: pointers are offsets into the module's memory. */
#include <stdlib.h>

#include "agraph_dsp.h"

#define EXPORT(name) __attribute__((export_name(#name)))

/* One running instance: the state and a buffer per channel of up to `max_frames` samples. */
typedef struct instance {
    void *state;
    int max_frames;
    float *in[AGRAPH_DSP_N_INPUTS + 1];
    float *out[AGRAPH_DSP_N_OUTPUTS + 1];
    float *probe;          /* room for the widest probe */
    int probe_max;
} instance;

EXPORT(ag_describe) const char *ag_describe(void) { return agraph_dsp_describe(); }
EXPORT(ag_n_inputs) int ag_n_inputs(void) { return AGRAPH_DSP_N_INPUTS; }
EXPORT(ag_n_outputs) int ag_n_outputs(void) { return AGRAPH_DSP_N_OUTPUTS; }

/* A new instance at a sample rate, or 0 (out of memory, or a rate init refuses). */
EXPORT(ag_new) instance *ag_new(double sample_rate, int max_frames)
{
    if (max_frames < 1) return 0;
    instance *h = calloc(1, sizeof *h);
    if (!h) return 0;
    size_t size = (agraph_dsp_state_size() + AGRAPH_DSP_STATE_ALIGN - 1) / AGRAPH_DSP_STATE_ALIGN * AGRAPH_DSP_STATE_ALIGN;
    h->state = aligned_alloc(AGRAPH_DSP_STATE_ALIGN, size);
    h->max_frames = max_frames;
    for (int i = 0; i < AGRAPH_DSP_N_PROBES; i++)
        if (agraph_dsp_probes[i].width > h->probe_max) h->probe_max = agraph_dsp_probes[i].width;
    h->probe = calloc((size_t)h->probe_max + 1, sizeof(float));
    int ok = h->state != 0 && h->probe != 0;
    for (int c = 0; c < AGRAPH_DSP_N_INPUTS; c++) ok &= (h->in[c] = calloc((size_t)max_frames, sizeof(float))) != 0;
    for (int c = 0; c < AGRAPH_DSP_N_OUTPUTS; c++) ok &= (h->out[c] = calloc((size_t)max_frames, sizeof(float))) != 0;
    if (ok && agraph_dsp_init(h->state, sample_rate) == 0) return h;
    for (int c = 0; c < AGRAPH_DSP_N_INPUTS; c++) free(h->in[c]);
    for (int c = 0; c < AGRAPH_DSP_N_OUTPUTS; c++) free(h->out[c]);
    free(h->state);
    free(h->probe);
    free(h);
    return 0;
}

EXPORT(ag_free) void ag_free(instance *h)
{
    if (!h) return;
    agraph_dsp_release(h->state);
    for (int c = 0; c < AGRAPH_DSP_N_INPUTS; c++) free(h->in[c]);
    for (int c = 0; c < AGRAPH_DSP_N_OUTPUTS; c++) free(h->out[c]);
    free(h->state);
    free(h->probe);
    free(h);
}

EXPORT(ag_in) float *ag_in(instance *h, int c) { return c >= 0 && c < AGRAPH_DSP_N_INPUTS ? h->in[c] : 0; }
EXPORT(ag_out) float *ag_out(instance *h, int c) { return c >= 0 && c < AGRAPH_DSP_N_OUTPUTS ? h->out[c] : 0; }

/* Process `frames` samples from the input buffers into the output buffers. */
EXPORT(ag_process) void ag_process(instance *h, int frames)
{
    if (frames > h->max_frames) frames = h->max_frames;
    agraph_dsp_process(h->state, (const float *const *)h->in, h->out, frames);
}

EXPORT(ag_reset) void ag_reset(instance *h) { agraph_dsp_reset(h->state); }
EXPORT(ag_set_param) void ag_set_param(instance *h, int index, double value) { agraph_dsp_set_param(h->state, index, value); }
EXPORT(ag_get_param) double ag_get_param(instance *h, int index) { return agraph_dsp_get_param(h->state, index); }

/* Probe `index` into the instance's probe buffer (ag_probe_buf); returns the number of floats. */
EXPORT(ag_read_probe) int ag_read_probe(instance *h, int index)
{
    int n = agraph_dsp_read_probe(h->state, index, h->probe, h->probe_max);
    return n < h->probe_max ? n : h->probe_max;
}
EXPORT(ag_probe_buf) float *ag_probe_buf(instance *h) { return h->probe; }

/* Sound-file tables: JavaScript copies the samples into memory from ag_alloc, then ag_load. */
EXPORT(ag_alloc) float *ag_alloc(int frames) { return frames > 0 ? malloc(sizeof(float) * (size_t)frames) : 0; }
EXPORT(ag_dealloc) void ag_dealloc(float *p) { free(p); }
EXPORT(ag_load) int ag_load(instance *h, int file, const float *data, int frames)
{
    return agraph_dsp_load(h->state, file, data, frames);
}
