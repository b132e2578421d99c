/* ref/spectral_gate.c — the hand-written C program on FFTW3 that bench/spectral_gate.agraph is
 * compared with (Faust has no frame FFT): every 512 samples, the last 2048 through a periodic
 * Hann window, a real FFT, bins whose magnitude / 512 is at most the threshold (-40 dB) zeroed,
 * the inverse FFT, and weighted overlap-add (Hann again, divided by N times the summed window
 * products) — agraph's stft/istft (docs/language.md, section 17), output 2048 samples late.
 * Linear buffers shifted once a hop, the input and output copied a run at a time. The plan is
 * FFTW_ESTIMATE, as agraph's, on aligned buffers (agraph's plan adds FFTW_UNALIGNED). */
#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../bench.h"

enum { N = 2048, HOP = 512, BINS = N / 2 + 1 };

typedef struct {
    int fill;                 /* samples of the current hop seen so far */
    float thresh;             /* the threshold as a linear magnitude / 512 */
    float *hist, *work, *acc; /* the last N inputs; the FFT buffer; overlap-add, acc[0] next out */
    fftwf_complex *spec;
    fftwf_plan r2c, c2r;
    float win[N], gain[N];
} gate;

static void destroy(void *state)
{
    gate *g = state;
    if (g->r2c) fftwf_destroy_plan(g->r2c);
    if (g->c2r) fftwf_destroy_plan(g->c2r);
    fftwf_free(g->hist), fftwf_free(g->work), fftwf_free(g->acc), fftwf_free(g->spec);
    free(g);
}

static void *create(int sr, int *n_in, int *n_out, size_t *bytes)
{
    gate *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->thresh = expf(-40 * 0.115129255f);
    g->hist = fftwf_alloc_real(N), g->work = fftwf_alloc_real(N), g->acc = fftwf_alloc_real(N);
    g->spec = fftwf_alloc_complex(BINS);
    if (!g->hist || !g->work || !g->acc || !g->spec) return destroy(g), NULL;
    memset(g->hist, 0, N * sizeof(float));
    memset(g->acc, 0, N * sizeof(float));
    /* FFTW reuses what it planned before in this process (its wisdom), and agraph's program
     * planned the same sizes with FFTW_UNALIGNED: forget that, or this plan would be agraph's. */
    fftwf_forget_wisdom();
    g->r2c = fftwf_plan_dft_r2c_1d(N, g->work, g->spec, FFTW_ESTIMATE);
    g->c2r = fftwf_plan_dft_c2r_1d(N, g->spec, g->work, FFTW_ESTIMATE);
    if (!g->r2c || !g->c2r) return destroy(g), NULL;
    for (int p = 0; p < N; p++) {
        double w = 0.5 - 0.5 * cos(2 * M_PI * p / N), sum = 0;
        for (int q = p % HOP; q < N; q += HOP) {
            double v = 0.5 - 0.5 * cos(2 * M_PI * q / N);
            sum += v * v;
        }
        g->win[p] = (float)w;
        g->gain[p] = (float)(w / (N * sum));
    }
    *n_in = 1, *n_out = 1;
    *bytes = sizeof *g + (3 * N + 2 * BINS) * sizeof(float);
    return g;
}

static void frame(gate *g)
{
    for (int p = 0; p < N; p++) g->work[p] = g->hist[p] * g->win[p];
    fftwf_execute(g->r2c);
    for (int k = 0; k < BINS; k++) {
        float re = g->spec[k][0], im = g->spec[k][1];
        if (!(sqrtf(re * re + im * im) / 512.0f > g->thresh)) g->spec[k][0] = g->spec[k][1] = 0;
    }
    fftwf_execute(g->c2r);
    memmove(g->acc, g->acc + HOP, (N - HOP) * sizeof(float));
    memset(g->acc + N - HOP, 0, HOP * sizeof(float));
    for (int p = 0; p < N; p++) g->acc[p] += g->work[p] * g->gain[p];
}

static void process(void *state, float **in, float **out, int frames)
{
    gate *g = state;
    for (int off = 0; off < frames;) {
        int n = HOP - g->fill < frames - off ? HOP - g->fill : frames - off;
        memcpy(out[0] + off, g->acc + g->fill, (size_t)n * sizeof(float));
        memcpy(g->hist + N - HOP + g->fill, in[0] + off, (size_t)n * sizeof(float));
        off += n;
        if ((g->fill += n) == HOP) {
            frame(g);
            memmove(g->hist, g->hist + HOP, (N - HOP) * sizeof(float));
            g->fill = 0;
        }
    }
}

const bench_impl bench_ref = { "C", create, process, destroy, NULL };
