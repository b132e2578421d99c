/* ref/zita.c — the hand-written limit for bench/zita.agraph: re.zita_rev1_stereo(60, 200, 6000,
 * 3, 2, 192000) (Faust's reverbs.lib) in C. Every loop through the network is at least one
 * allpass length long (646 samples at 48 kHz), so a run of up to SUB frames never reads what it
 * writes: each stage runs over the whole run in turn — copies out of and into the delay lines,
 * the allpasses and the Hadamard matrix in straight loops the compiler vectorizes, only the two
 * one-pole damping filters of each line serial. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../bench.h"

enum { N = 8, SUB = 256, PRE_SIZE = 16384, AP_SIZE = 8192, FB_SIZE = 65536 };
static const float tdelays[N] = { 0.153129f, 0.210389f, 0.127837f, 0.256891f, 0.174713f,
                                  0.192303f, 0.125000f, 0.219991f };
static const float apdelays[N] = { 0.020346f, 0.024421f, 0.031604f, 0.027333f, 0.022904f,
                                   0.029291f, 0.013458f, 0.019123f };

typedef struct {
    uint32_t pos;                 /* write position of every line */
    int sub;                      /* frames per run: at most the shortest loop */
    uint32_t pre, ap[N], fb[N];   /* delays: pre-delay, allpass, rest of the line + 1 */
    float apc[N];                 /* allpass coefficient */
    float lb, la;                 /* first-order lowpass at f1 (bilinear): y = lb (x + x') - la y' */
    float shelf[N], gM[N], p[N];  /* low shelf g0/gM - 1, middle gain, damping pole */
    float lx[N], ly[N], sy[N];    /* filter states */
    float pre_l[PRE_SIZE], pre_r[PRE_SIZE];
    float apbuf[N][AP_SIZE];
    float fbbuf[N][FB_SIZE];
} zita;

static void *create(int sr, int *n_in, int *n_out, size_t *bytes)
{
    zita *z = calloc(1, sizeof *z);
    if (!z) return NULL;
    float SR = (float)sr;
    z->pre = (uint32_t)(SR * 0.06f);
    z->sub = SUB < (int)z->pre ? SUB : (int)z->pre;
    double c = 1 / tan(M_PI * 200 / sr);
    z->lb = (float)(1 / (1 + c));
    z->la = (float)((1 - c) / (1 + c));
    double cosf2 = cos(2 * M_PI * 6000 / sr);
    for (int i = 0; i < N; i++) {
        float td = floorf(0.5f + SR * tdelays[i]), ad = floorf(0.5f + SR * apdelays[i]);
        z->ap[i] = (uint32_t)ad;
        z->fb[i] = (uint32_t)(td - ad) + 1;
        if ((int)ad < z->sub) z->sub = (int)ad;
        z->apc[i] = i & 1 ? -0.6f : 0.6f;
        double g0 = exp(-3 * log(10.0) * td / (3.0 * sr)), gM = exp(-3 * log(10.0) * td / (2.0 * sr));
        double mbo2 = (1 - gM * gM * cosf2) / (1 - gM * gM);
        z->shelf[i] = (float)(g0 / gM - 1);
        z->gM[i] = (float)gM;
        z->p[i] = (float)(mbo2 - sqrt(fmax(0, mbo2 * mbo2 - 1)));
        if (z->ap[i] >= AP_SIZE || z->fb[i] >= FB_SIZE) {
            free(z);
            return NULL;
        }
    }
    if (z->pre >= PRE_SIZE || z->sub < 1) {
        free(z);
        return NULL;
    }
    *n_in = 2, *n_out = 2, *bytes = sizeof *z;
    return z;
}

/* dst[0..n) = line[(at + i) & mask], in at most two straight copies */
static void line_read(const float *line, uint32_t mask, uint32_t at, float *dst, int n)
{
    uint32_t a = at & mask, first = mask + 1 - a < (uint32_t)n ? mask + 1 - a : (uint32_t)n;
    memcpy(dst, line + a, first * sizeof(float));
    memcpy(dst + first, line, (n - first) * sizeof(float));
}

static void line_write(float *line, uint32_t mask, uint32_t at, const float *src, int n)
{
    uint32_t a = at & mask, first = mask + 1 - a < (uint32_t)n ? mask + 1 - a : (uint32_t)n;
    memcpy(line + a, src, first * sizeof(float));
    memcpy(line, src + first, (n - first) * sizeof(float));
}

static void run(zita *z, const float *l, const float *r, float *yl, float *yr, int n)
{
    float dl[SUB], dr[SUB], u[N][SUB], h[N][SUB], t[SUB];
    uint32_t pos = z->pos;
    line_write(z->pre_l, PRE_SIZE - 1, pos, l, n);
    line_write(z->pre_r, PRE_SIZE - 1, pos, r, n);
    line_read(z->pre_l, PRE_SIZE - 1, pos - z->pre, dl, n);
    line_read(z->pre_r, PRE_SIZE - 1, pos - z->pre, dr, n);
    for (int i = 0; i < n; i++) dl[i] *= 0.3f, dr[i] *= 0.3f;
    for (int k = 0; k < N; k++) {
        /* the line's return plus the input (l, r, -l, -r, ...), then its allpass comb */
        const float *x = k & 1 ? dr : dl, sign = k & 2 ? -1.0f : 1.0f, c = z->apc[k];
        line_read(z->fbbuf[k], FB_SIZE - 1, pos - z->fb[k], u[k], n);
        line_read(z->apbuf[k], AP_SIZE - 1, pos - z->ap[k], t, n);
        for (int i = 0; i < n; i++) {
            float w = (u[k][i] + sign * x[i]) - c * t[i];
            u[k][i] = w;
            h[k][i] = t[i] + c * w;
        }
        line_write(z->apbuf[k], AP_SIZE - 1, pos, u[k], n);
    }
    /* ro.hadamard(8): butterflies of halves, quarters, pairs */
    for (int s = N / 2; s >= 1; s /= 2)
        for (int k = 0; k < N; k++)
            if (!(k & s))
                for (int i = 0; i < n; i++) {
                    float a = h[k][i], b = h[k + s][i];
                    h[k][i] = a + b, h[k + s][i] = a - b;
                }
    for (int i = 0; i < n; i++) {
        yl[i] = (h[1][i] + h[2][i]) * 0.37f;
        yr[i] = (h[1][i] - h[2][i]) * 0.37f;
    }
    /* damping on the way back: gM (x + shelf lowpass(x)), a one-pole at p, / sqrt(8) */
    const float lb = z->lb, la = z->la, rs8 = 1 / sqrtf(8.0f);
    for (int k = 0; k < N; k++) {
        float lx = z->lx[k], ly = z->ly[k], sy = z->sy[k];
        const float shelf = z->shelf[k], gM = z->gM[k], p = z->p[k], p1 = 1 - p;
        for (int i = 0; i < n; i++) {
            float x = h[k][i];
            ly = lb * (x + lx) - la * ly;
            lx = x;
            sy = p1 * (gM * (x + shelf * ly)) + p * sy;
            t[i] = sy * rs8 + 1e-20f;
        }
        z->lx[k] = lx, z->ly[k] = ly, z->sy[k] = sy;
        line_write(z->fbbuf[k], FB_SIZE - 1, pos, t, n);
    }
    z->pos = pos + (uint32_t)n;
}

static void process(void *state, float **in, float **out, int frames)
{
    zita *z = state;
    for (int off = 0; off < frames; off += z->sub) {
        int n = frames - off < z->sub ? frames - off : z->sub;
        run(z, in[0] + off, in[1] + off, out[0] + off, out[1] + off, n);
    }
}

const bench_impl bench_ref = { "C", create, process, free, NULL };
