/* threads.c — parameters and probes from another thread: an "audio" thread runs dsp_process
 * block after block while a "UI" thread moves every parameter (by name) and reads every probe,
 * as a plugin's editor does. The API makes this safe without locks; tests/e2e/test_embed.c runs
 * it under ThreadSanitizer. With --racy the UI thread instead writes the state behind the API's
 * back, which is a data race (and the sanitizer reports it: the test's proof that it can fail).
 *   build/agraphc examples/fx.agraph --emit-lib dsp
 *   clang -std=c11 -O1 -g -fsanitize=thread -I. -o threads examples/embed/threads.c dsp.c -lm -lpthread */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp.h"

#define BLOCKS 2000
#define FRAMES 64

static void *state;
static atomic_int running = 1;
static int racy;
/* --racy: the audio thread starts once the UI thread has written the state, so their accesses
 * overlap however the threads are scheduled. Relaxed, so it orders nothing for the sanitizer. */
static atomic_int written;

static void *audio(void *arg)
{
    (void)arg;
    static float in_mem[DSP_N_INPUTS + 1][FRAMES], out_mem[DSP_N_OUTPUTS + 1][FRAMES];
    float *in[DSP_N_INPUTS + 1], *out[DSP_N_OUTPUTS + 1];
    for (int c = 0; c < DSP_N_INPUTS; c++) in[c] = in_mem[c];
    for (int c = 0; c < DSP_N_OUTPUTS; c++) out[c] = out_mem[c];
    while (racy && !atomic_load_explicit(&written, memory_order_relaxed)) {}
    for (int b = 0; b < BLOCKS; b++) {
        for (int c = 0; c < DSP_N_INPUTS; c++)
            for (int k = 0; k < FRAMES; k++) in[c][k] = (float)((b * FRAMES + k) % 97) / 97.0f - 0.5f;
        dsp_process(state, (const float *const *)in, out, FRAMES);
    }
    atomic_store(&running, 0);
    return NULL;
}

static void *ui(void *arg)
{
    (void)arg;
    long sets = 0;
    float probe[4096];
    while (atomic_load(&running)) {
        for (int i = 0; i < DSP_N_PARAMS; i++) {
            const agraph_param_info *p = &dsp_params[i];
            double v = p->min + (p->max - p->min) * (double)(sets % 10) / 9.0;
            if (racy) {
                ((float *)state)[i] = (float)v;                /* wrong: not through the API */
                atomic_store_explicit(&written, 1, memory_order_relaxed);
            } else {
                dsp_set_param_by_name(state, p->name, v);
            }
            sets++;
        }
        for (int i = 0; i < DSP_N_PROBES; i++) dsp_read_probe(state, i, probe, 4096);
    }
    printf("params set %ld times while %d blocks ran\n", sets, BLOCKS);
    return NULL;
}

int main(int argc, char **argv)
{
    racy = argc > 1 && !strcmp(argv[1], "--racy");
    state = aligned_alloc(DSP_STATE_ALIGN, (dsp_state_size() + DSP_STATE_ALIGN - 1) / DSP_STATE_ALIGN * DSP_STATE_ALIGN);
    if (!state || dsp_init(state, 48000) != 0) return 1;
    pthread_t a, u;
    pthread_create(&u, NULL, ui, NULL);
    pthread_create(&a, NULL, audio, NULL);
    pthread_join(a, NULL);
    pthread_join(u, NULL);
    dsp_release(state);
    free(state);
    return 0;
}
