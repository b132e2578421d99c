/* bench.h — what the harness (harness.c) needs from one implementation of a benchmark program:
 * agraph's generated code (adapt_agraph.c), Faust's (adapt_faust.c, once per compile mode), or a
 * hand-written C reference (ref/NAME.c). Each is linked into the program's bench executable. */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>

typedef struct bench_impl {
    const char *kind;    /* "agraph", "faust -scal", "faust -vec -vs 32", "C" */
    /* Allocate and initialise at a sample rate, every parameter at its default; report the
     * channel counts and the state's size in bytes. NULL on failure. */
    void *(*create)(int sample_rate, int *n_in, int *n_out, size_t *state_bytes);
    void (*process)(void *state, float **in, float **out, int frames);
    void (*destroy)(void *state);
    /* Set the parameter labelled `label` (as the user interface shows it); 0 if there is one.
     * NULL where parameters are fixed (the C references). */
    int (*set)(void *state, const char *label, double value);
} bench_impl;

/* Each executable links the ones its program has; the rest stay NULL (weak). */
extern const bench_impl bench_agraph __attribute__((weak));
extern const bench_impl bench_faust_scal __attribute__((weak));
extern const bench_impl bench_faust_vec __attribute__((weak));
extern const bench_impl bench_ref __attribute__((weak));

#endif
