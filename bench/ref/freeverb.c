/* ref/freeverb.c — the hand-written limit for bench/freeverb.agraph: Jezar's Freeverb in the
 * tuning and form of Faust's dm.freeverb_demo at its defaults (room 0.5, damp 0.5, spread 0.5,
 * wet 0.3333). One loop over the frames with the sixteen combs of both channels side by side
 * (their one-pole filters are sixteen independent recurrences that the processor overlaps), the
 * filter states in registers, power-of-two buffers read and written through one index and a
 * mask. Like Faust's lbcf, a comb's loop is one sample longer than its output delay: it stores
 * x + feedback * (its lowpass's previous value). */
#include <stdint.h>
#include <stdlib.h>

#include "../bench.h"

enum { COMBS = 8, ALLPASSES = 4, SIZE = 8192, APSIZE = 2048 };
static const int comb_tuning[COMBS] = { 1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617 };
static const int allpass_tuning[ALLPASSES] = { 556, 441, 341, 225 };

typedef struct {
    float gain, dry, fb, damp, damp1;
    uint32_t pos;
    uint32_t clen[2][COMBS], alen[2][ALLPASSES];
    float lp[2][COMBS];
    float comb[2][COMBS][SIZE + 16];       /* + one cache line: lines of equal power-of-two */
    float allpass[2][ALLPASSES][APSIZE + 16];   /* size would share cache sets */
} freeverb;

static void *create(int sr, int *n_in, int *n_out, size_t *bytes)
{
    freeverb *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    float room = 0.5f, damp = 0.5f, spread = 0.5f, wet = 0.3333f;
    p->gain = wet * 0.1f;
    p->dry = 1 - wet;
    p->fb = room * 0.28f * 44100 / sr + 0.7f;
    p->damp = damp * 0.4f * 44100 / sr;
    p->damp1 = 1 - p->damp;
    int spread_n = (int)(spread * 46 * sr / 44100);
    for (int c = 0; c < 2; c++) {
        for (int k = 0; k < COMBS; k++)
            p->clen[c][k] = (uint32_t)(comb_tuning[k] * (double)sr / 44100 + 0.001) + c * spread_n;
        for (int k = 0; k < ALLPASSES; k++)
            p->alen[c][k] = (uint32_t)(allpass_tuning[k] * (double)sr / 44100 + 0.001) + c * spread_n;
    }
    if (p->clen[1][COMBS - 1] >= SIZE || p->alen[1][0] >= APSIZE) {
        free(p);
        return NULL;
    }
    *n_in = 2, *n_out = 2, *bytes = sizeof *p;
    return p;
}

static void process(void *state, float **in, float **out, int n)
{
    freeverb *p = state;
    const float fb = p->fb, d = p->damp, d1 = p->damp1, gain = p->gain, dry = p->dry;
    float lp[2][COMBS];
    uint32_t clen[2][COMBS], alen[2][ALLPASSES];
    for (int c = 0; c < 2; c++) {
        for (int k = 0; k < COMBS; k++) lp[c][k] = p->lp[c][k], clen[c][k] = p->clen[c][k];
        for (int k = 0; k < ALLPASSES; k++) alen[c][k] = p->alen[c][k];
    }
    uint32_t pos = p->pos;
    for (int i = 0; i < n; i++, pos++) {
        float x = (in[0][i] + in[1][i]) * gain;
        for (int c = 0; c < 2; c++) {
            float s = 0;
            for (int k = 0; k < COMBS; k++) {
                float *buf = p->comb[c][k], o = buf[(pos - clen[c][k]) & (SIZE - 1)];
                buf[pos & (SIZE - 1)] = x + fb * lp[c][k];
                lp[c][k] = d1 * o + d * lp[c][k];
                s += o;
            }
            for (int k = 0; k < ALLPASSES; k++) {
                float *buf = p->allpass[c][k], o = buf[(pos - alen[c][k]) & (APSIZE - 1)];
                float w = s + 0.5f * o;
                buf[pos & (APSIZE - 1)] = w;
                s = o - 0.5f * w;
            }
            out[c][i] = s + dry * in[c][i];
        }
    }
    p->pos = pos;
    for (int c = 0; c < 2; c++)
        for (int k = 0; k < COMBS; k++) p->lp[c][k] = lp[c][k];
}

const bench_impl bench_ref = { "C", create, process, free, NULL };
