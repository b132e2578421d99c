/* emit_conv.c — the C for sound-file tables and conv() (docs/language.md: Tables, Convolution).
 *
 * conv(x, h, partition: B) is uniformly partitioned convolution with no latency: the first B taps run
 * as a direct FIR on the last B inputs; the rest run in the frequency domain, B at a time. Every
 * B samples the last 2B inputs are transformed, the spectra of the tail's partitions are
 * multiplied with the spectra of as many past blocks and summed (a frequency-domain delay line),
 * and the inverse transform's valid half (overlap-save) is the tail's output for the next B
 * samples. The transform is a small radix-2 FFT carried in the generated code: the spectral
 * multiply-accumulate, not the transform, is what a long response costs, and the code then needs
 * no library and no global state. A sound file's table is filled by the host after init through
 * `load`, which also transforms the partitions of every conv that reads it. */
#include "agraph.h"

#include <string.h>

static FILE *F;
static Ir *IR;
static const char *P, *REAL;

/* Taps of the direct part, rounded up to the dot product's 8 lanes. */
static int head_taps(Conv *c)
{
    Table *t = IR->g->tables.v[c->table];
    int n = t->size < c->block ? t->size : c->block;
    return (n + 7) & ~7;
}

/* Partitions of the frequency-domain part (at the table's largest size). */
static int max_parts(Conv *c)
{
    Table *t = IR->g->tables.v[c->table];
    return t->size > c->block ? (t->size - c->block + c->block - 1) / c->block : 0;
}

static const char support[] =
    "/* conv(): partitioned convolution (emitted by agraphc; see docs/language.md) */\n"
    "#ifndef AGRAPH_CONV_HELPERS\n"
    "#define AGRAPH_CONV_HELPERS\n"
    "/* sum of a[i] * b[i], n a multiple of 8: eight partial sums, so it vectorizes */\n"
    "AGRAPH_UNUSED static inline agraph_conv_real agraph_conv_dot(const agraph_conv_real *a, const agraph_conv_real *b, int n)\n"
    "{\n"
    "    agraph_conv_real p[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };\n"
    "    for (int i = 0; i < n; i += 8)\n"
    "        for (int k = 0; k < 8; k++) p[k] += a[i + k] * b[i + k];\n"
    "    return ((p[0] + p[4]) + (p[1] + p[5])) + ((p[2] + p[6]) + (p[3] + p[7]));\n"
    "}\n"
    "/* bit-reversal permutation and twiddles e^(-2 pi i k / n) for an n-point FFT */\n"
    "AGRAPH_UNUSED static void agraph_conv_twiddles(int32_t *rev, agraph_conv_real *wr, agraph_conv_real *wi, int n)\n"
    "{\n"
    "    int bits = 0;\n"
    "    while ((1 << bits) < n) bits++;\n"
    "    for (int i = 0; i < n; i++) {\n"
    "        int r = 0;\n"
    "        for (int b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);\n"
    "        rev[i] = r;\n"
    "    }\n"
    "    for (int k = 0; k < n / 2; k++) {\n"
    "        wr[k] = (agraph_conv_real)cos(2 * 3.14159265358979323846 * k / n);\n"
    "        wi[k] = (agraph_conv_real)-sin(2 * 3.14159265358979323846 * k / n);\n"
    "    }\n"
    "}\n"
    "/* in-place radix-2 FFT of n points (inverse: conjugate twiddles, unscaled) */\n"
    "AGRAPH_UNUSED static void agraph_conv_fft(agraph_conv_real *re, agraph_conv_real *im, int n, const int32_t *rev,\n"
    "                                          const agraph_conv_real *wr, const agraph_conv_real *wi, int inverse)\n"
    "{\n"
    "    for (int i = 0; i < n; i++) {\n"
    "        int j = rev[i];\n"
    "        if (j > i) {\n"
    "            agraph_conv_real t = re[i]; re[i] = re[j]; re[j] = t;\n"
    "            t = im[i]; im[i] = im[j]; im[j] = t;\n"
    "        }\n"
    "    }\n"
    "    for (int len = 2; len <= n; len <<= 1) {\n"
    "        int half = len >> 1, step = n / len;\n"
    "        for (int i = 0; i < n; i += len)\n"
    "            for (int k = 0; k < half; k++) {\n"
    "                agraph_conv_real c = wr[k * step], s = inverse ? -wi[k * step] : wi[k * step];\n"
    "                agraph_conv_real ar = re[i + k + half], ai = im[i + k + half];\n"
    "                agraph_conv_real tr = ar * c - ai * s, ti = ar * s + ai * c;\n"
    "                re[i + k + half] = re[i + k] - tr;\n"
    "                im[i + k + half] = im[i + k] - ti;\n"
    "                re[i + k] += tr;\n"
    "                im[i + k] += ti;\n"
    "            }\n"
    "    }\n"
    "}\n"
    "/* acc += h * x, bin by bin */\n"
    "AGRAPH_UNUSED static inline void agraph_conv_cmac(agraph_conv_real *AGRAPH_RESTRICT ar, agraph_conv_real *AGRAPH_RESTRICT ai,\n"
    "    const agraph_conv_real *AGRAPH_RESTRICT hr, const agraph_conv_real *AGRAPH_RESTRICT hi,\n"
    "    const agraph_conv_real *AGRAPH_RESTRICT xr, const agraph_conv_real *AGRAPH_RESTRICT xi, int n)\n"
    "{\n"
    "    for (int k = 0; k < n; k++) {\n"
    "        ar[k] += hr[k] * xr[k] - hi[k] * xi[k];\n"
    "        ai[k] += hr[k] * xi[k] + hi[k] * xr[k];\n"
    "    }\n"
    "}\n"
    "#endif\n\n";

bool conv_used(Ir *ir) { return ir->convs.n > 0 || ir->g->n_files > 0; }

void emit_conv_support(FILE *f, Ir *ir, const char *prefix)
{
    F = f, IR = ir, P = prefix, REAL = opt.use_double ? "double" : "float";
    if (!conv_used(ir)) return;
    fprintf(F, "typedef %s agraph_conv_real;\n", REAL);
    fputs(support, F);
}

/* Fields of the state: each sound file's samples, each conv's buffers and spectra. */
void emit_conv_state(void)
{
    for (int i = 0; i < IR->g->tables.n; i++) {
        Table *t = IR->g->tables.v[i];
        if (!t->path) continue;
        fprintf(F, "    int32_t file%d_len;      /* table %s: samples loaded */\n", t->file, c_ident(t->name));
        fprintf(F, "    float file%d[%d];\n", t->file, t->size);
    }
    for (int j = 0; j < IR->convs.n; j++) {
        Conv *c = IR->convs.v[j];
        int b = c->block, parts = max_parts(c);
        fprintf(F, "    struct {                /* conv %d: %d-sample partitions, %d in the frequency domain */\n",
                j, b, parts);
        fprintf(F, "        int32_t pos, head, parts;\n");
        fprintf(F, "        %s hrev[%d];        /* the first taps, reversed */\n", REAL, head_taps(c));
        fprintf(F, "        %s hist[%d];        /* the last two blocks of input */\n", REAL, 2 * b);
        if (parts) {
            fprintf(F, "        %s tail[%d];        /* the frequency-domain part's output for this block */\n", REAL, b);
            fprintf(F, "        %s wr[%d], wi[%d];  /* twiddles */\n", REAL, b, b);
            fprintf(F, "        int32_t rev[%d];\n", 2 * b);
            fprintf(F, "        %s re[%d], im[%d];  /* transform buffer */\n", REAL, 2 * b, 2 * b);
            fprintf(F, "        %s Hr[%d], Hi[%d];  /* spectra of the tail's partitions */\n", REAL,
                    parts * (b + 1), parts * (b + 1));
            fprintf(F, "        %s Xr[%d], Xi[%d];  /* spectra of past input blocks, newest at head */\n", REAL,
                    parts * (b + 1), parts * (b + 1));
        }
        fprintf(F, "    } conv%d;\n", j);
    }
}

/* Per conv: its block step (every B samples) and its taps' preparation. */
void emit_conv_functions(void)
{
    for (int j = 0; j < IR->convs.n; j++) {
        Conv *c = IR->convs.v[j];
        int b = c->block, parts = max_parts(c), hb = head_taps(c), nb = b + 1;
        fprintf(F, "static void %s_conv%d_block(%s_state *s)\n{\n", P, j, P);
        if (parts) {
            fprintf(F, "    %s *re = s->conv%d.re, *im = s->conv%d.im;\n", REAL, j, j);
            fprintf(F, "    if (s->conv%d.parts > 0) {\n", j);
            fprintf(F, "        for (int t = 0; t < %d; t++) { re[t] = s->conv%d.hist[t]; im[t] = 0; }\n", 2 * b, j);
            fprintf(F, "        agraph_conv_fft(re, im, %d, s->conv%d.rev, s->conv%d.wr, s->conv%d.wi, 0);\n", 2 * b, j, j, j);
            fprintf(F, "        int h = s->conv%d.head + 1 == %d ? 0 : s->conv%d.head + 1;\n", j, parts, j);
            fprintf(F, "        s->conv%d.head = h;\n", j);
            fprintf(F, "        memcpy(s->conv%d.Xr + h * %d, re, sizeof(%s) * %d);\n", j, nb, REAL, nb);
            fprintf(F, "        memcpy(s->conv%d.Xi + h * %d, im, sizeof(%s) * %d);\n", j, nb, REAL, nb);
            fprintf(F, "        memset(re, 0, sizeof(%s) * %d);\n        memset(im, 0, sizeof(%s) * %d);\n", REAL, 2 * b, REAL, 2 * b);
            fprintf(F, "        for (int p = 0; p < s->conv%d.parts; p++) {\n", j);
            fprintf(F, "            int q = h - p < 0 ? h - p + %d : h - p;\n", parts);
            fprintf(F, "            agraph_conv_cmac(re, im, s->conv%d.Hr + p * %d, s->conv%d.Hi + p * %d,\n"
                       "                             s->conv%d.Xr + q * %d, s->conv%d.Xi + q * %d, %d);\n",
                    j, nb, j, nb, j, nb, j, nb, nb);
            fprintf(F, "        }\n");
            fprintf(F, "        for (int k = 1; k < %d; k++) { re[%d - k] = re[k]; im[%d - k] = -im[k]; }   /* a real signal's spectrum */\n",
                    b, 2 * b, 2 * b);
            fprintf(F, "        agraph_conv_fft(re, im, %d, s->conv%d.rev, s->conv%d.wr, s->conv%d.wi, 1);\n", 2 * b, j, j, j);
            fprintf(F, "        memcpy(s->conv%d.tail, re + %d, sizeof(%s) * %d);   /* overlap-save: the valid half */\n",
                    j, b, REAL, b);
            fprintf(F, "    }\n");
        }
        fprintf(F, "    memcpy(s->conv%d.hist, s->conv%d.hist + %d, sizeof(%s) * %d);\n", j, j, b, REAL, b);
        fprintf(F, "    s->conv%d.pos = 0;\n}\n\n", j);

        fprintf(F, "static void %s_conv%d_taps(%s_state *s, const float *h, int len)\n{\n", P, j, P);
        fprintf(F, "    for (int i = 0; i < %d; i++) s->conv%d.hrev[i] = %d - 1 - i < len ? (%s)h[%d - 1 - i] : 0;\n",
                hb, j, hb, REAL, hb);
        if (parts) {
            fprintf(F, "    int parts = len > %d ? (len - 1) / %d : 0;\n", b, b);
            fprintf(F, "    s->conv%d.parts = parts > %d ? %d : parts;\n", j, parts, parts);
            fprintf(F, "    %s *re = s->conv%d.re, *im = s->conv%d.im;\n", REAL, j, j);
            fprintf(F, "    for (int p = 0; p < s->conv%d.parts; p++) {\n", j);
            fprintf(F, "        for (int t = 0; t < %d; t++) {   /* taps B(p+1) ..., scaled for the unscaled inverse */\n", 2 * b);
            fprintf(F, "            int k = %d * (p + 1) + t;\n", b);
            fprintf(F, "            re[t] = t < %d && k < len ? (%s)(h[k] / %d.0) : 0;\n", b, REAL, 2 * b);
            fprintf(F, "            im[t] = 0;\n        }\n");
            fprintf(F, "        agraph_conv_fft(re, im, %d, s->conv%d.rev, s->conv%d.wr, s->conv%d.wi, 0);\n", 2 * b, j, j, j);
            fprintf(F, "        memcpy(s->conv%d.Hr + p * %d, re, sizeof(%s) * %d);\n", j, nb, REAL, nb);
            fprintf(F, "        memcpy(s->conv%d.Hi + p * %d, im, sizeof(%s) * %d);\n", j, nb, REAL, nb);
            fprintf(F, "    }\n");
        } else {
            fprintf(F, "    (void)len;\n");
        }
        fprintf(F, "}\n\n");
    }
}

/* In init, after the state is cleared: twiddles, and the taps of constant tables. */
void emit_conv_init(void)
{
    for (int j = 0; j < IR->convs.n; j++) {
        Conv *c = IR->convs.v[j];
        Table *t = IR->g->tables.v[c->table];
        if (max_parts(c))
            fprintf(F, "    agraph_conv_twiddles(s->conv%d.rev, s->conv%d.wr, s->conv%d.wi, %d);\n", j, j, j, 2 * c->block);
        if (!t->path) fprintf(F, "    %s_conv%d_taps(s, %s_%s, %d);\n", P, j, P, c_ident(t->name), t->size);
    }
}

/* In reset: the input history goes; loaded files and transformed taps stay. */
void emit_conv_reset(void)
{
    for (int j = 0; j < IR->convs.n; j++) {
        Conv *c = IR->convs.v[j];
        fprintf(F, "    s->conv%d.pos = 0;\n    s->conv%d.head = 0;\n", j, j);
        fprintf(F, "    memset(s->conv%d.hist, 0, sizeof s->conv%d.hist);\n", j, j);
        if (max_parts(c)) {
            fprintf(F, "    memset(s->conv%d.tail, 0, sizeof s->conv%d.tail);\n", j, j);
            fprintf(F, "    memset(s->conv%d.Xr, 0, sizeof s->conv%d.Xr);\n", j, j);
            fprintf(F, "    memset(s->conv%d.Xi, 0, sizeof s->conv%d.Xi);\n", j, j);
        }
    }
}

/* One sample of conv j: its input is `in`; defines `out`. */
void emit_conv_tick(Ins *x, const char *in, const char *out, const char *ind)
{
    Conv *c = IR->convs.v[x->aux];
    int j = x->aux, b = c->block, hb = head_taps(c);
    fprintf(F, "%ss->conv%d.hist[%d + s->conv%d.pos] = %s;\n", ind, j, b, j, in);
    fprintf(F, "%sconst %s %s = %sagraph_conv_dot(s->conv%d.hrev, s->conv%d.hist + s->conv%d.pos + %d, %d);\n",
            ind, REAL, out, max_parts(c) ? arena_printf("s->conv%d.tail[s->conv%d.pos] + ", j, j) : "",
            j, j, j, b - hb + 1, hb);
    fprintf(F, "%sif (++s->conv%d.pos == %d) %s_conv%d_block(s);\n", ind, j, b, P, j);
}

/* load(state, file, samples, frames): the host fills a sound file's table after init. Not
 * real-time: call it before process, or between blocks from the audio thread's side. */
void emit_conv_load(void)
{
    fprintf(F, "int %s_load(void *state, int file, const float *data, int frames)\n{\n", P);
    fprintf(F, "    %s_state *s = (%s_state *)state;\n", P, P);
    fprintf(F, "    (void)s; (void)data;\n");
    fprintf(F, "    if (frames < 0) return -1;\n");
    fprintf(F, "    switch (file) {\n");
    for (int i = 0; i < IR->g->tables.n; i++) {
        Table *t = IR->g->tables.v[i];
        if (!t->path) continue;
        fprintf(F, "    case %d:   /* table %s */\n", t->file, c_ident(t->name));
        fprintf(F, "        if (frames > %d) return -1;\n", t->size);
        fprintf(F, "        memcpy(s->file%d, data, sizeof(float) * (size_t)frames);\n", t->file);
        fprintf(F, "        memset(s->file%d + frames, 0, sizeof(float) * (size_t)(%d - frames));\n", t->file, t->size);
        fprintf(F, "        s->file%d_len = frames;\n", t->file);
        for (int j = 0; j < IR->convs.n; j++) {
            Conv *c = IR->convs.v[j];
            if (c->table == i) fprintf(F, "        %s_conv%d_taps(s, s->file%d, frames);\n", P, j, t->file);
        }
        fprintf(F, "        return 0;\n");
    }
    fprintf(F, "    default:\n        return -1;\n    }\n}\n\n");
}

/* The descriptor's list of files: which table, where, which channel, how long at most. */
void emit_conv_files(void)
{
    fprintf(F, "static const agraph_file_info %s_files[] = {", P);
    for (int i = 0; i < IR->g->tables.n; i++) {
        Table *t = IR->g->tables.v[i];
        if (t->path)
            fprintf(F, "\n    { %s, %s, %d, %d },", c_string(t->name), c_string(t->path), t->channel, t->size);
    }
    fprintf(F, " { 0, 0, 0, 0 } };\n");
}
