/* gen_host.c — runs one generated program the way every host does, built with it under ASan and
 * UBSan by fuzz_gen: init at several rates, process blocks of awkward sizes with noise in, move
 * every parameter (in range, out of range, NaN), read every probe, reset, and again. Exits 0
 * when the program ran; a sanitizer report ends it first with a non-zero status. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agraph_program.h"

extern const agraph_program agraph_main_program;

#define MAX_FRAMES 1031

int main(void)
{
    const agraph_program *p = &agraph_main_program;
    size_t size = (p->state_size + 63) / 64 * 64;
    void *state = aligned_alloc(64, size ? size : 64);
    float *in[8], *out[8];
    float probe[4096];
    static const double rates[] = { 48000, 8000, 192000 };
    static const int blocks[] = { 1, 64, 7, 1031, 0, 256, 3 };
    unsigned seed = 12345;
    if (!state || p->n_inputs > 8 || p->n_outputs > 8) return 2;
    for (int c = 0; c < 8; c++) {
        in[c] = calloc(MAX_FRAMES, sizeof(float));
        out[c] = calloc(MAX_FRAMES, sizeof(float));
    }
    for (int r = 0; r < 3; r++) {
        if (p->init(state, rates[r]) != 0) return 3;
        for (int b = 0; b < 40; b++) {
            int n = blocks[b % 7];
            for (int c = 0; c < p->n_inputs; c++)
                for (int i = 0; i < n; i++) {
                    seed = seed * 1103515245u + 12345u;
                    in[c][i] = (float)((seed >> 8) & 0xffff) / 32768.0f - 1.0f;
                }
            if (b % 5 == 2)
                for (int k = 0; k < p->n_params; k++) {
                    const agraph_param_info *q = &p->params[k];
                    double v = (b / 5) % 4 == 0 ? q->max + 1e6 : (b / 5) % 4 == 1 ? NAN
                             : (b / 5) % 4 == 2 ? q->min - 1 : q->min + (q->max - q->min) * 0.3;
                    p->set_param(state, k, v);
                    (void)p->get_param(state, k);
                }
            p->process(state, (const float *const *)in, out, n);
            for (int k = 0; k < p->n_probes; k++) p->read_probe(state, k, probe, 4096);
            if (b == 20) p->reset(state);
        }
    }
    for (int c = 0; c < 8; c++) {
        free(in[c]);
        free(out[c]);
    }
    free(state);
    return 0;
}
