/* ref/fx.c — the hand-written limit for bench/fx.agraph: tanh drive at 12 dB, a one-pole
 * lowpass at 2 kHz, a 350 ms echo with feedback 0.4 (a whole number of samples at 48 kHz, so
 * read without interpolation; interpolated otherwise), 30 % wet; one tight loop. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "../bench.h"

enum { SIZE = 131072 };   /* 350 ms at 192 kHz, to a power of two */

typedef struct {
    float gain, a, b, mix;
    uint32_t dl, pos;
    float fr, y1;
    float buf[SIZE];
} fx;

static void *create(int sr, int *n_in, int *n_out, size_t *bytes)
{
    fx *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    float t = (float)sr * 0.35f;
    if (t < 1) t = 1;
    if (t > SIZE - 2) {
        free(p);
        return NULL;
    }
    p->gain = expf(12 * 0.115129255f);
    p->a = expf(-6.28318548f * 2000 / (float)sr);
    p->b = 1 - p->a;
    p->mix = 0.3f;
    p->dl = (uint32_t)t;
    p->fr = t - (float)p->dl;
    *n_in = 1, *n_out = 1, *bytes = sizeof *p;
    return p;
}

static void process(void *state, float **in, float **out, int n)
{
    fx *p = state;
    const float gain = p->gain, a = p->a, b = p->b, mix = p->mix, dry = 1 - p->mix, fr = p->fr;
    const uint32_t dl = p->dl;
    uint32_t pos = p->pos;
    float y1 = p->y1, *buf = p->buf;
    const float *x = in[0];
    float *y = out[0];
    if (fr == 0)
        for (int i = 0; i < n; i++, pos++) {
            float w = b * tanhf(x[i] * gain) + a * y1;
            y1 = w;
            float e = w + 0.4f * buf[(pos - dl) & (SIZE - 1)];
            buf[pos & (SIZE - 1)] = e;
            y[i] = mix * e + dry * w;
        }
    else
        for (int i = 0; i < n; i++, pos++) {
            float w = b * tanhf(x[i] * gain) + a * y1;
            y1 = w;
            float d0 = buf[(pos - dl) & (SIZE - 1)], d1 = buf[(pos - dl - 1) & (SIZE - 1)];
            float e = w + 0.4f * (d0 + fr * (d1 - d0));
            buf[pos & (SIZE - 1)] = e;
            y[i] = mix * e + dry * w;
        }
    p->pos = pos, p->y1 = y1;
}

const bench_impl bench_ref = { "C", create, process, free, NULL };
