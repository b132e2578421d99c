/* harness.c — drives every implementation of one benchmark program (agraph's generated code,
 * Faust's in its two compile modes, a hand-written C reference) with the same noise buffers, and
 * either measures their throughput or writes what they output.
 *   bench [--rate HZ] [--blocks 512,64] [--runs N]
 *       prints one line per implementation and block size:
 *       RESULT <kind> <block> <MB/s, mean of the best 50> <MB/s, median> <state bytes>
 *   bench --dump DIR [--rate HZ] [--seconds S] [--block N] [--set LABEL=VALUE@SECONDS ...]
 *       writes DIR/in.raw and DIR/<agraph|faust-scal|faust-vec|ref>.raw: S seconds of output,
 *       interleaved native float32, each implementation from a fresh state on the same input;
 *       --set moves a parameter (by its label) at the first block starting at or after SECONDS,
 *       and leaves out the implementations without parameters (the C references).
 * Throughput is faustbench's: frames x (inputs + outputs) x 4 bytes / time, in MB of 2^20 bytes.
 * One measurement is CHUNK frames processed in consecutive calls of `block` frames (so that the
 * clock's own cost stays below 0.1 %); the implementations take turns, ten rounds of runs/10
 * measurements each, so that a busy machine slows them alike. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#endif

#include "bench.h"

enum { CHUNK = 4096, MAX_CH = 8, MAX_IMPL = 4, ROUNDS = 10, WARMUP_CHUNKS = 24, BEST = 50 };

typedef struct {
    const bench_impl *impl;
    const char *file;     /* name of its dump */
    void *state;
    int n_in, n_out;
    size_t state_bytes;
    double *times;        /* seconds per measurement */
} runner;

static runner impls[MAX_IMPL];
static int n_impls;

enum { MAX_SET = 16 };
typedef struct {
    char label[128];
    double value, at;     /* at: seconds */
} change;
static change changes[MAX_SET];
static int n_changes;

static void add(const bench_impl *impl, const char *file)
{
    if (impl) impls[n_impls++] = (runner){ .impl = impl, .file = file };
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC_RAW, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The input: uniform noise in [-0.5, 0.5), a different xorshift32 sequence per channel. */
static void fill_noise(float *buf, size_t n, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (float)((double)x / 4294967296.0 - 0.5);
    }
}

static int open_all(int rate)
{
    for (int k = 0; k < n_impls; k++) {
        runner *r = &impls[k];
        r->state = r->impl->create(rate, &r->n_in, &r->n_out, &r->state_bytes);
        if (!r->state) {
            fprintf(stderr, "bench: %s: cannot initialise at %d Hz\n", r->impl->kind, rate);
            return -1;
        }
        if (r->n_in > MAX_CH || r->n_out > MAX_CH || r->n_in != impls[0].n_in || r->n_out != impls[0].n_out) {
            fprintf(stderr, "bench: %s has %d inputs and %d outputs, %s %d and %d\n", r->impl->kind,
                    r->n_in, r->n_out, impls[0].impl->kind, impls[0].n_in, impls[0].n_out);
            return -1;
        }
    }
    return 0;
}

static void close_all(void)
{
    for (int k = 0; k < n_impls; k++) {
        impls[k].impl->destroy(impls[k].state);
        impls[k].state = NULL;
    }
}

/* Process frames [from, from + n) of in/out in calls of `block` frames. */
static void run(runner *r, float **in, float **out, int n, int block, int from)
{
    float *ip[MAX_CH], *op[MAX_CH];
    for (int off = from; off < from + n; off += block) {
        int m = from + n - off < block ? from + n - off : block;
        for (int c = 0; c < r->n_in; c++) ip[c] = in[c] + off;
        for (int c = 0; c < r->n_out; c++) op[c] = out[c] + off;
        r->impl->process(r->state, ip, op, m);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int measure(int rate, const int *blocks, int n_blocks, int runs)
{
    float *in[MAX_CH], *out[MAX_CH];
    for (int c = 0; c < MAX_CH; c++) {
        in[c] = aligned_alloc(64, CHUNK * sizeof(float));
        out[c] = aligned_alloc(64, CHUNK * sizeof(float));
        if (!in[c] || !out[c]) return -1;
        fill_noise(in[c], CHUNK, (uint32_t)c + 1u);
        memset(out[c], 0, CHUNK * sizeof(float));
    }
    int per_round = (runs + ROUNDS - 1) / ROUNDS;
    runs = per_round * ROUNDS;
    if (runs < BEST) runs = BEST, per_round = BEST / ROUNDS;
    for (int b = 0; b < n_blocks; b++) {
        if (open_all(rate) != 0) return -1;
        for (int k = 0; k < n_impls; k++) {
            impls[k].times = calloc((size_t)runs, sizeof(double));
            for (int w = 0; w < WARMUP_CHUNKS; w++) run(&impls[k], in, out, CHUNK, blocks[b], 0);
        }
        for (int round = 0, m = 0; round < ROUNDS; round++, m += per_round)
            for (int k = 0; k < n_impls; k++)
                for (int i = 0; i < per_round; i++) {
                    double t0 = now();
                    run(&impls[k], in, out, CHUNK, blocks[b], 0);
                    impls[k].times[m + i] = now() - t0;
                }
        for (int k = 0; k < n_impls; k++) {
            runner *r = &impls[k];
            qsort(r->times, (size_t)runs, sizeof(double), cmp_double);
            double best = 0;
            for (int i = 0; i < BEST; i++) best += r->times[i];
            best /= BEST;
            double median = r->times[runs / 2];
            double bytes = (double)CHUNK * (r->n_in + r->n_out) * sizeof(float) / (1024.0 * 1024.0);
            printf("RESULT\t%s\t%d\t%.1f\t%.1f\t%zu\n", r->impl->kind, blocks[b], bytes / best,
                   bytes / median, r->state_bytes);
            free(r->times);
        }
        close_all();
        fflush(stdout);
    }
    return 0;
}

static int write_raw(const char *dir, const char *name, float **ch, int n_ch, int frames)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.raw", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    for (int i = 0; i < frames; i++)
        for (int c = 0; c < n_ch; c++) fwrite(&ch[c][i], sizeof(float), 1, f);
    if (fclose(f) != 0) {
        fprintf(stderr, "bench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int dump(const char *dir, int rate, double seconds, int block)
{
    int frames = (int)(seconds * rate);
    float *in[MAX_CH], *out[MAX_CH];
    for (int c = 0; c < MAX_CH; c++) {
        in[c] = malloc((size_t)frames * sizeof(float));
        out[c] = malloc((size_t)frames * sizeof(float));
        if (!in[c] || !out[c]) return -1;
        fill_noise(in[c], (size_t)frames, (uint32_t)c + 1u);
    }
    if (open_all(rate) != 0) return -1;
    if (impls[0].n_in > 0 && write_raw(dir, "in", in, impls[0].n_in, frames) != 0) return -1;
    for (int k = 0; k < n_impls; k++) {
        runner *r = &impls[k];
        if (n_changes && !r->impl->set) {
            printf("%s: left out (its parameters are fixed)\n", r->impl->kind);
            continue;
        }
        int applied[MAX_SET] = { 0 };
        for (int off = 0; off < frames; off += block) {
            for (int j = 0; j < n_changes; j++)
                if (!applied[j] && off >= changes[j].at * rate) {
                    applied[j] = 1;
                    if (r->impl->set(r->state, changes[j].label, changes[j].value) != 0) {
                        fprintf(stderr, "bench: %s has no parameter labelled '%s'\n", r->impl->kind,
                                changes[j].label);
                        return -1;
                    }
                }
            run(r, in, out, frames - off < block ? frames - off : block, block, off);
        }
        if (write_raw(dir, r->file, out, r->n_out, frames) != 0) return -1;
        printf("%s: %d frames, %d in, %d out, %zu state bytes -> %s/%s.raw\n", r->impl->kind,
               frames, r->n_in, r->n_out, r->state_bytes, dir, r->file);
    }
    close_all();
    return 0;
}

static int parse_blocks(const char *s, int *blocks)
{
    int n = 0;
    while (*s && n < 8) {
        char *end;
        long b = strtol(s, &end, 10);
        if (end == s || b < 1 || b > CHUNK) return -1;
        blocks[n++] = (int)b;
        s = *end == ',' ? end + 1 : end;
    }
    return n;
}

/* LABEL=VALUE@SECONDS */
static int parse_change(const char *s)
{
    const char *eq = strrchr(s, '='), *at = strrchr(s, '@');
    if (!eq || !at || at < eq || (size_t)(eq - s) >= sizeof changes[0].label) return -1;
    change *c = &changes[n_changes];
    memcpy(c->label, s, (size_t)(eq - s));
    c->label[eq - s] = 0;
    char *end;
    c->value = strtod(eq + 1, &end);
    if (end != at) return -1;
    c->at = strtod(at + 1, &end);
    if (*end || c->at < 0) return -1;
    n_changes++;
    return 0;
}

int main(int argc, char **argv)
{
    int rate = 48000, runs = 300, block = 256, blocks[8] = { 512, 64 }, n_blocks = 2;
    double seconds = 2;
    const char *dir = NULL;
    for (int a = 1; a < argc; a++) {
        const char *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (!strcmp(argv[a], "--rate") && v) rate = atoi(v), a++;
        else if (!strcmp(argv[a], "--runs") && v) runs = atoi(v), a++;
        else if (!strcmp(argv[a], "--blocks") && v) n_blocks = parse_blocks(v, blocks), a++;
        else if (!strcmp(argv[a], "--dump") && v) dir = v, a++;
        else if (!strcmp(argv[a], "--seconds") && v) seconds = atof(v), a++;
        else if (!strcmp(argv[a], "--block") && v) block = atoi(v), a++;
        else if (!strcmp(argv[a], "--set") && v && n_changes < MAX_SET && parse_change(v) == 0) a++;
        else {
            fprintf(stderr, "usage: %s [--rate HZ] [--blocks 512,64] [--runs N]\n"
                            "       %s --dump DIR [--rate HZ] [--seconds S] [--block N] [--set LABEL=VALUE@SECONDS ...]\n", argv[0], argv[0]);
            return 2;
        }
    }
    if (rate < 1 || runs < 1 || n_blocks < 1 || block < 1 || seconds <= 0) {
        fprintf(stderr, "%s: bad option value\n", argv[0]);
        return 2;
    }
#if defined(__SSE__) || defined(__x86_64__)
    /* Denormals flushed for every implementation alike (agraph's process also does it itself). */
    _mm_setcsr(_mm_getcsr() | 0x8040u);
#endif
    add(&bench_agraph, "agraph");
    add(&bench_faust_scal, "faust-scal");
    add(&bench_faust_vec, "faust-vec");
    add(&bench_ref, "ref");
    if (n_impls == 0) return 1;
    int rc = dir ? dump(dir, rate, seconds, block) : measure(rate, blocks, n_blocks, runs);
    return rc == 0 ? 0 : 1;
}
