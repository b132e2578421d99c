/* adapt_agraph.c — agraph's generated code behind the harness's interface, through the ABI's
 * descriptor agraph_main_program (runtime/agraph_program.h). Compiled once per program with
 *   -DAGRAPH_RUNTIME -DAGRAPH_GEN='"build/bench/NAME/agraph.c"'   (agraphc --emit-c) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include AGRAPH_GEN
#include "bench.h"

static void *create(int sample_rate, int *n_in, int *n_out, size_t *state_bytes)
{
    const agraph_program *p = &agraph_main_program;
    void *s = aligned_alloc(64, (p->state_size + 63) / 64 * 64);
    if (!s) return NULL;
    if (p->init(s, sample_rate) != 0) {
        free(s);
        return NULL;
    }
    *n_in = p->n_inputs;
    *n_out = p->n_outputs;
    *state_bytes = p->state_size;
    return s;
}

static void process(void *s, float **in, float **out, int frames)
{
    agraph_main_program.process(s, (const float *const *)in, out, frames);
}

static int set(void *s, const char *label, double value)
{
    const agraph_program *p = &agraph_main_program;
    for (int i = 0; i < p->n_params; i++)
        if (!strcmp(p->params[i].label, label)) {
            p->set_param(s, i, value);
            return 0;
        }
    return -1;
}

const bench_impl bench_agraph = { "agraph", create, process, free, set };
