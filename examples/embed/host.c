/* host.c — a complete host for a library made by `agraphc PROGRAM.agraph --emit-lib dsp`: plain C,
 * no agraph runtime, only dsp.c/dsp.h and libm (and FFTW for a spectral program). It renders raw
 * 32-bit float samples, interleaved, from a file or from silence to a file:
 *
 *   host [--sr RATE] [--frames N] [--block N] [--ragged] [--param NAME=VALUE]...
 *        [--file INDEX=SAMPLES.f32]... [--input IN.f32] [--describe] OUT.f32
 *
 * --ragged processes blocks of varying length (1 .. --block frames), as a plugin host may call it.
 * Parameters are in their own unit (a dB parameter takes dB). At the end each probe's latest
 * value is printed on standard error. Build (see examples/embed/README.md):
 *   build/agraphc examples/fx.agraph --emit-lib dsp && cc -O2 -I. -o host examples/embed/host.c dsp.c -lm */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsp.h"

static int fail(const char *what, const char *arg)
{
    fprintf(stderr, "host: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
    return 1;
}

/* A whole file of floats (for --file), or NULL. */
static float *read_floats(const char *path, int *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, len = 0;
    float *v = malloc(cap * sizeof *v);
    size_t got;
    while (v && (got = fread(v + len, sizeof *v, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            float *w = realloc(v, (cap *= 2) * sizeof *v);
            if (!w) { free(v); v = NULL; }
            else v = w;
        }
    }
    fclose(f);
    *n = (int)len;
    return v;
}

int main(int argc, char **argv)
{
    double sr = 48000;
    long frames = 48000;
    int block = 256, ragged = 0;
    const char *in_path = NULL, *out_path = NULL;

    /* 1. the state: allocated by the host, aligned as the header asks */
    size_t size = (dsp_state_size() + DSP_STATE_ALIGN - 1) / DSP_STATE_ALIGN * DSP_STATE_ALIGN;
    void *state = aligned_alloc(DSP_STATE_ALIGN, size);
    if (!state) return fail("out of memory", NULL);

    /* 2. the command line; parameters can only be set once init has run, so it comes first */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--sr") && i + 1 < argc) sr = atof(argv[++i]);
    if (dsp_init(state, sr) != 0) return fail("the program cannot run at this sample rate", NULL);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--sr") && next) i++;
        else if (!strcmp(a, "--frames") && next) frames = atol(argv[++i]);
        else if (!strcmp(a, "--block") && next) block = atoi(argv[++i]);
        else if (!strcmp(a, "--ragged")) ragged = 1;
        else if (!strcmp(a, "--input") && next) in_path = argv[++i];
        else if (!strcmp(a, "--describe")) { puts(dsp_describe()); return 0; }
        else if (!strcmp(a, "--param") && next) {
            char name[64];
            const char *eq = strchr(next, '=');
            if (!eq || eq - next >= (long)sizeof name) return fail("--param takes NAME=VALUE", next);
            memcpy(name, next, (size_t)(eq - next));
            name[eq - next] = 0;
            if (dsp_set_param_by_name(state, name, atof(eq + 1)) != 0) return fail("no such parameter", name);
            i++;
        } else if (!strcmp(a, "--file") && next) {
            int n, index = atoi(next);
            const char *eq = strchr(next, '=');
            float *data = eq ? read_floats(eq + 1, &n) : NULL;
            if (!data) return fail("cannot read --file INDEX=SAMPLES.f32", next);
            if (dsp_load(state, index, data, n) != 0) return fail("the program refused the file", next);
            free(data);
            i++;
        } else if (a[0] != '-' && !out_path) out_path = a;
        else return fail("usage: host [--sr RATE] [--frames N] [--block N] [--ragged] [--param NAME=VALUE]... "
                         "[--file INDEX=SAMPLES.f32]... [--input IN.f32] [--describe] OUT.f32", NULL);
    }
    if (!out_path || block < 1) return fail("no output file given (or --block < 1)", NULL);

    /* 3. channel buffers, and the files */
    float *in_buf[DSP_N_INPUTS + 1], *out_buf[DSP_N_OUTPUTS + 1];
    float *frame = malloc(sizeof(float) * (size_t)block * (DSP_N_INPUTS + DSP_N_OUTPUTS + 1));
    for (int c = 0; c < DSP_N_INPUTS; c++) in_buf[c] = calloc((size_t)block, sizeof(float));
    for (int c = 0; c < DSP_N_OUTPUTS; c++) out_buf[c] = calloc((size_t)block, sizeof(float));
    FILE *in = in_path ? fopen(in_path, "rb") : NULL;
    if (in_path && !in) return fail("cannot read", in_path);
    FILE *out = fopen(out_path, "wb");
    if (!out) return fail("cannot write", out_path);

    /* 4. render: deinterleave, process, interleave */
    unsigned seed = 12345;
    for (long done = 0; done < frames;) {
        int n = block;
        if (ragged) {
            seed = seed * 1103515245u + 12345u;
            n = 1 + (int)((seed >> 16) % (unsigned)block);
        }
        if (n > frames - done) n = (int)(frames - done);
        size_t got = in ? fread(frame, sizeof(float) * DSP_N_INPUTS, (size_t)n, in) : 0;
        for (int c = 0; c < DSP_N_INPUTS; c++)
            for (int k = 0; k < n; k++) in_buf[c][k] = (size_t)k < got ? frame[k * DSP_N_INPUTS + c] : 0.0f;
        dsp_process(state, (const float *const *)in_buf, out_buf, n);
        for (int c = 0; c < DSP_N_OUTPUTS; c++)
            for (int k = 0; k < n; k++) frame[k * DSP_N_OUTPUTS + c] = out_buf[c][k];
        if (fwrite(frame, sizeof(float) * DSP_N_OUTPUTS, (size_t)n, out) != (size_t)n) return fail("cannot write", out_path);
        done += n;
    }
    if (fclose(out) != 0) return fail("cannot write", out_path);
    if (in) fclose(in);

    /* 5. probes: the latest snapshot of each */
    for (int i = 0; i < DSP_N_PROBES; i++) {
        float v[4];
        int width = dsp_read_probe(state, i, v, 4);
        fprintf(stderr, "probe %s:", dsp_probes[i].name);
        for (int k = 0; k < width && k < 4; k++) fprintf(stderr, " %g", v[k]);
        fprintf(stderr, "%s\n", width > 4 ? " ..." : "");
    }

    dsp_release(state);
    free(state);
    free(frame);
    for (int c = 0; c < DSP_N_INPUTS; c++) free(in_buf[c]);
    for (int c = 0; c < DSP_N_OUTPUTS; c++) free(out_buf[c]);
    return 0;
}
