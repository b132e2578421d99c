/* gen.h — a generator of random well-typed agraph programs, driven by a byte string (the fuzzer's
 * input read as a stream of choices; past its end every choice is 0, the simplest). Every program
 * it writes must compile: inputs, parameters with units, blocks with feedback, definitions that
 * refer to each other through delays (fixed and variable lengths), iteration, select, casts to
 * int, stereo outputs and probes, a spectral stage, over every scalar built-in that takes audio.
 * Used by fuzz_gen.c. Header-only so a test can include it too. */
#ifndef AGRAPH_GEN_H
#define AGRAPH_GEN_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const uint8_t *p;
    size_t n, at;
    char *out;              /* the program text (malloc'd, grows) */
    size_t len, cap;
    /* what is in scope for an expression being written */
    int n_inputs, n_params, n_defs, n_blocks;
    int cur_def;            /* the definition being written (-1 outside one) */
    const char *formals[4]; /* inside a block: its inputs */
    int n_formals;
    int in_block;           /* inside a block body (its own `y` may feed back) */
    int iter_depth;         /* iteration variables in scope: i0, i1, ... */
    int block_arity[4];
} Gen;

static unsigned gen_byte(Gen *g) { return g->at < g->n ? g->p[g->at++] : 0; }
static unsigned gen_pick(Gen *g, unsigned n) { return n ? gen_byte(g) % n : 0; }

static void gen_put(Gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void gen_put(Gen *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (g->len + (size_t)k + 1 > g->cap) {
        g->cap = (g->len + (size_t)k + 1) * 2;
        g->out = realloc(g->out, g->cap);
    }
    va_start(ap, fmt);
    vsnprintf(g->out + g->len, (size_t)k + 1, fmt, ap);
    va_end(ap);
    g->len += (size_t)k;
}

/* A number literal, sometimes with a unit of no dimension trouble (a plain gain in dB). */
static void gen_number(Gen *g)
{
    static const char *const nums[] = { "0", "1", "0.5", "2", "0.001", "3", "0.25", "-1", "10",
                                        "1e-3", "0.999", "440", "-6dB", "1.5", "100", "7" };
    const char *s = nums[gen_pick(g, sizeof nums / sizeof *nums)];
    gen_put(g, s[0] == '-' ? "(%s)" : "%s", s);
}

static void gen_expr(Gen *g, int depth);

/* A name of a mono audio or control signal that is in scope and not a delay-free cycle. */
static int gen_leaf(Gen *g)
{
    unsigned k = gen_pick(g, 6);
    if (k == 0 && g->n_formals) { gen_put(g, "%s", g->formals[gen_pick(g, (unsigned)g->n_formals)]); return 1; }
    if (k == 1 && g->n_inputs && !g->in_block) { gen_put(g, "x%u", gen_pick(g, (unsigned)g->n_inputs)); return 1; }
    if (k == 2 && g->n_params && !g->in_block) { gen_put(g, "p%u", gen_pick(g, (unsigned)g->n_params)); return 1; }
    if (k == 3 && g->cur_def > 0 && !g->in_block) {     /* an earlier definition: no cycle */
        gen_put(g, "d%u", gen_pick(g, (unsigned)g->cur_def));
        return 1;
    }
    if (k == 4 && g->iter_depth) { gen_put(g, "i%u", gen_pick(g, (unsigned)g->iter_depth)); return 1; }
    return 0;
}

/* In a feedback loop (`feedback`) a length must not be 0, or the loop would be delay-free. */
static void gen_delay_length(Gen *g, int feedback)
{
    const char *lo = feedback ? "1 + abs(" : "(";
    switch (gen_pick(g, 6)) {
    case 0: gen_put(g, "%u", 1 + gen_pick(g, 64)); break;
    case 1: gen_put(g, "(%ums)", 1 + gen_pick(g, 30)); break;
    case 2: gen_put(g, "%u", (unsigned)feedback + gen_pick(g, 3)); break;
    case 3:                                         /* a variable length, any signal at all */
        gen_put(g, "(%s", lo);
        gen_expr(g, 1);
        gen_put(g, "), max: %ums)", 1 + gen_pick(g, 20));
        break;
    case 4:
        gen_put(g, "(%sint(", lo);
        gen_expr(g, 1);
        gen_put(g, ")), max: %u)", 1 + gen_pick(g, 100));
        break;
    default: gen_put(g, "(%u + 0.5)", (unsigned)feedback + gen_pick(g, 10)); break;
    }
}

static void gen_condition(Gen *g, int depth)
{
    static const char *const cmp[] = { "<", "<=", ">", ">=", "==", "!=" };
    unsigned k = gen_pick(g, 4);
    if (k == 3 && depth > 0) {
        gen_put(g, "(");
        gen_condition(g, depth - 1);
        gen_put(g, gen_pick(g, 2) ? " && " : " || ");
        gen_condition(g, depth - 1);
        gen_put(g, ")");
        return;
    }
    if (k == 2) gen_put(g, "!");
    gen_put(g, "(");
    gen_expr(g, depth - 1);
    gen_put(g, " %s ", cmp[gen_pick(g, 6)]);
    gen_expr(g, depth - 1);
    gen_put(g, ")");
}

/* A mono float signal. */
static void gen_expr(Gen *g, int depth)
{
    static const char *const un[] = { "sin", "cos", "tan", "tanh", "atan", "abs", "sqrt", "exp",
                                      "log", "log2", "log10", "floor", "ceil", "round", "trunc",
                                      "fract", "sinh", "cosh", "asin", "acos", "db2lin", "lin2db",
                                      "float" };
    static const char *const bin[] = { "pow", "min", "max", "fmod", "atan2" };
    static const char *const ops[] = { "+", "-", "*", "/", "%", "^" };
    if (depth <= 0) {
        if (!gen_leaf(g)) gen_number(g);
        return;
    }
    switch (gen_pick(g, 16)) {
    case 0: case 1:
        gen_put(g, "(");
        gen_expr(g, depth - 1);
        gen_put(g, " %s ", ops[gen_pick(g, 6)]);
        gen_expr(g, depth - 1);
        gen_put(g, ")");
        break;
    case 2:
        gen_put(g, "%s(", un[gen_pick(g, sizeof un / sizeof *un)]);
        gen_expr(g, depth - 1);
        gen_put(g, ")");
        break;
    case 3:
        gen_put(g, "%s(", bin[gen_pick(g, 5)]);
        gen_expr(g, depth - 1);
        gen_put(g, ", ");
        gen_expr(g, depth - 1);
        gen_put(g, ")");
        break;
    case 4:
        gen_put(g, "clamp(");
        gen_expr(g, depth - 1);
        gen_put(g, ", -1, 1)");
        break;
    case 5:
        gen_put(g, "select(");
        gen_condition(g, depth - 1);
        gen_put(g, ", ");
        gen_expr(g, depth - 1);
        gen_put(g, ", ");
        gen_expr(g, depth - 1);
        gen_put(g, ")");
        break;
    case 6:                                      /* a delayed signal: an earlier one, or itself */
    {
        int feedback = 1;
        if (g->in_block) gen_put(g, "y");
        else if (g->cur_def >= 0 && g->cur_def < g->n_defs && gen_pick(g, 2)) gen_put(g, "d%u", g->cur_def + gen_pick(g, 2));
        else { gen_put(g, "("); gen_expr(g, depth - 1); gen_put(g, ")"); feedback = 0; }
        gen_put(g, "@");
        gen_delay_length(g, feedback);
        break;
    }
    case 7:
        gen_put(g, "noise(%u)", gen_pick(g, 4));
        break;
    case 8:
        if (g->iter_depth < 2) {
            unsigned lo = gen_pick(g, 3), hi = lo + gen_pick(g, 4);
            gen_put(g, "(%s i%d in %u..%u: ", gen_pick(g, 2) ? "sum" : "prod", g->iter_depth, lo, hi);
            g->iter_depth++;
            gen_expr(g, depth - 1);
            g->iter_depth--;
            gen_put(g, ")");
        } else gen_number(g);
        break;
    case 9:
        if (g->n_blocks && !g->in_block) {
            unsigned b = gen_pick(g, (unsigned)g->n_blocks);
            if (gen_pick(g, 2)) {                    /* the pipe */
                gen_put(g, "(");
                gen_expr(g, depth - 1);
                gen_put(g, " |> b%u(", b);
                for (int i = 1; i < g->block_arity[b]; i++) {
                    if (i > 1) gen_put(g, ", ");
                    gen_expr(g, depth - 1);
                }
                gen_put(g, "))");
            } else {
                gen_put(g, "b%u(", b);
                for (int i = 0; i < g->block_arity[b]; i++) {
                    if (i) gen_put(g, ", ");
                    gen_expr(g, depth - 1);
                }
                gen_put(g, ")");
            }
        } else gen_number(g);
        break;
    case 10:
        gen_put(g, "float(int(");
        gen_expr(g, depth - 1);
        gen_put(g, ") %s %u)", gen_pick(g, 2) ? "%" : "*", 1 + gen_pick(g, 5));
        break;
    case 11:
        gen_put(g, "-");
        gen_expr(g, depth - 1);
        break;
    case 12:                                     /* a channel of a pair */
        gen_put(g, "(");
        gen_expr(g, depth - 1);
        gen_put(g, ", ");
        gen_expr(g, depth - 1);
        gen_put(g, ")[%u]", gen_pick(g, 2));
        break;
    case 13:
        gen_put(g, "(SR / 48000 * ");
        gen_expr(g, depth - 1);
        gen_put(g, ")");
        break;
    default:
        if (!gen_leaf(g)) gen_number(g);
        break;
    }
}

/* A whole program; returns the text (malloc'd, the caller frees). */
static char *gen_program(const uint8_t *data, size_t size)
{
    Gen g = { .p = data, .n = size, .cur_def = -1 };
    static const char *const params[] = {
        "= 0.5 [0, 1]", "= 440Hz [20Hz, 20kHz] log", "= 10ms [1ms, 100ms]",
        "= -6dB [-60dB, 12dB]", "= 2 [1, 8]", "= 0.1 [0.001, 10] log \"Amount\"" };
    g.n_inputs = (int)gen_pick(&g, 3);
    if (g.n_inputs == 1) gen_put(&g, "input x0\n");
    if (g.n_inputs == 2) gen_put(&g, "input (x0, x1)\n");
    g.n_params = (int)gen_pick(&g, 4);
    for (int i = 0; i < g.n_params; i++)
        gen_put(&g, "param p%d %s\n", i, params[gen_pick(&g, sizeof params / sizeof *params)]);
    if (gen_pick(&g, 4) == 0) gen_put(&g, "toggle t0\n");
    g.n_blocks = (int)gen_pick(&g, 3);
    static const char *const fnames[] = { "a", "b", "c" };
    for (int b = 0; b < g.n_blocks; b++) {
        g.block_arity[b] = 1 + (int)gen_pick(&g, 3);
        gen_put(&g, "block b%d(", b);
        for (int i = 0; i < g.block_arity[b]; i++) gen_put(&g, i ? ", %s" : "%s", fnames[i]);
        gen_put(&g, ") {\n    y = ");
        g.in_block = 1;
        g.n_formals = g.block_arity[b];
        for (int i = 0; i < g.n_formals; i++) g.formals[i] = fnames[i];
        gen_expr(&g, 3);
        gen_put(&g, " + 0.5 * y@1\n    return y\n}\n");
        g.in_block = 0;
        g.n_formals = 0;
    }
    g.n_defs = 1 + (int)gen_pick(&g, 5);
    for (int d = 0; d < g.n_defs; d++) {
        g.cur_def = d;
        gen_put(&g, "d%d = ", d);
        gen_expr(&g, 2 + (int)gen_pick(&g, 3));
        /* d(N+1) may be named, delayed, by dN: it must exist. */
        gen_put(&g, "\n");
    }
    gen_put(&g, "d%d = 0.5 * d0@1\n", g.n_defs);
    g.cur_def = g.n_defs + 1;
    /* Sometimes a spectral stage (FFTW): frames of a definition, changed bin by bin, back to
     * audio; its frame also a probe. */
    int spectral = gen_pick(&g, 4) == 0;
    if (spectral) {
        static const char *const windows[] = { "hann", "hamming", "blackman", "rect" };
        unsigned size = 16u << gen_pick(&g, 5), hop = size >> gen_pick(&g, 3);
        gen_put(&g, "F0 = stft(d%u, %u, hop: %u, window: %s)\n", gen_pick(&g, (unsigned)g.n_defs + 1),
                size, hop, windows[gen_pick(&g, 4)]);
        const char *gain = g.n_params ? "p0" : "0.5";
        switch (gen_pick(&g, 4)) {
        case 0: gen_put(&g, "sp0 = istft(F0 * %s)\n", gain); break;
        case 1: gen_put(&g, "sp0 = istft(select(mag(F0) > %s, F0, 0))\n", gain); break;
        case 2: gen_put(&g, "sp0 = istft(polar(mag(F0) * %s, phase(F0) + 0.5))\n", gain); break;
        default: gen_put(&g, "sp0 = istft(select(binhz(F0) < 3kHz, F0, conj(F0) / (1 + mag(F0))))\n"); break;
        }
        gen_put(&g, "probe spec = mag(F0)\n");
    }
    switch (gen_pick(&g, 3)) {
    case 0: gen_put(&g, "output out = "); gen_expr(&g, 2); gen_put(&g, "\n"); break;
    case 1:
        gen_put(&g, "output (l, r) = (");
        gen_expr(&g, 2);
        gen_put(&g, ", ");
        gen_expr(&g, 2);
        gen_put(&g, ")\n");
        break;
    default: gen_put(&g, "output out = d%u\n", gen_pick(&g, (unsigned)g.n_defs + 1)); break;
    }
    if (spectral) gen_put(&g, "output spo = sp0\n");
    if (gen_pick(&g, 2)) {
        gen_put(&g, "probe pr = ");
        gen_expr(&g, 2);
        gen_put(&g, "\n");
    }
    if (!g.out) gen_put(&g, "%s", "");
    return g.out;
}

#endif
