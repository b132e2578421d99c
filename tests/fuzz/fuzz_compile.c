/* fuzz_compile.c — libFuzzer target: source bytes -> diagnostics or C. Each input is compiled
 * in-process as the file `fuzz.agraph` (NULs and all, as if read from disk) through the whole
 * pipeline; when it compiles, the C is emitted into memory. Diagnostics go to /dev/null. The
 * arena is freed after every input, so LeakSanitizer sees any leak an input causes.
 *
 * Like agraphc (main.c), each compilation runs on a thread with a 1 GiB stack: deep programs
 * must meet the compiler's own limits with a clear error, not the fuzzer's 8 MiB main stack.
 * Built by `make fuzz` (clang -fsanitize=fuzzer,address,undefined). */
#include "agraph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *devnull;

typedef struct { const uint8_t *data; size_t size; } Input;

static void *compile_one(void *p)
{
    Input *in = p;
    Ir *ir = compile_bytes_to_ir("fuzz.agraph", (const char *)in->data, in->size);
    if (ir) {
        char *c = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&c, &n);
        if (f) {
            emit_c(f, ir, "fuzz");
            fclose(f);
            /* Whatever compiles becomes one C file: a NUL inside it would cut it short. */
            if (strlen(c) != n) __builtin_trap();
            free(c);
        }
    }
    arena_free_all();
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    devnull = fopen("/dev/null", "w");
    diag_set_output(devnull);
    /* Imports resolve against the stdlib of this checkout (run from the repository root). */
    if (!getenv("AGRAPH_STDLIB")) setenv("AGRAPH_STDLIB", "stdlib", 1);
    opt.max_sr = 192000;
    opt.opt_level = 2;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Input in = { data, size };
    run_on_big_stack(compile_one, &in);
    return 0;
}
