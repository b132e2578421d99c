/* fuzz_gen.c — libFuzzer target: the input chooses a random well-typed program (gen.h). It must
 * compile in-process without a diagnostic; its C must build with -Wall -Wextra -Werror under gcc
 * and under clang (the input picks which), with ASan and UBSan; and the program must run clean
 * under them in gen_host.c (every rate, odd block sizes, parameters out of range and NaN, probes,
 * reset). Any failure prints the program and traps, so libFuzzer keeps the input.
 * Run from the repository root: it finds runtime/ and tests/fuzz/gen_host.c there.
 * Replay one input as a program: fuzz_gen -runs=0 FILE prints nothing; GEN_PRINT=1 prints it. */
#include "agraph.h"
#include "gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char work[256];
static const char *const ccs[] = { "gcc", "clang" };
#define CFLAGS "-std=c11 -Wall -Wextra -Werror -O1 -g -fno-omit-frame-pointer " \
               "-fsanitize=address,undefined -fno-sanitize-recover=all"
#define RUN_ENV "ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"

static void fail(const char *what, const char *program, const char *log_path)
{
    fprintf(stderr, "fuzz_gen: %s\n---- program ----\n%s---- end ----\n", what, program);
    if (log_path) {
        size_t n = 0;
        char buf[8192];
        FILE *f = fopen(log_path, "r");
        if (f) {
            n = fread(buf, 1, sizeof buf - 1, f);
            fclose(f);
        }
        buf[n] = 0;
        fprintf(stderr, "---- log ----\n%s---- end ----\n", buf);
    }
    __builtin_trap();
}

typedef struct { const char *text; Ir *ir; char *diag; } Job;

/* On a 1 GiB stack, as agraphc compiles. */
static void *compile_job(void *p)
{
    Job *j = p;
    size_t n = 0;
    FILE *d = open_memstream(&j->diag, &n);
    diag_set_output(d);
    j->ir = compile_bytes_to_ir("gen.agraph", j->text, strlen(j->text));
    if (j->ir) {
        char *c_path = arena_printf("%s/gen.c", work);
        FILE *f = fopen(c_path, "w");
        if (!f) fail("cannot write the C file", j->text, NULL);
        emit_c(f, j->ir, "gen");
        fclose(f);
    }
    diag_set_output(NULL);
    fclose(d);
    arena_free_all();
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!getenv("AGRAPH_STDLIB")) setenv("AGRAPH_STDLIB", "stdlib", 1);
    opt.max_sr = 192000;
    opt.opt_level = 2;
    snprintf(work, sizeof work, "%s/agraph-fuzz-gen-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(work)) { perror("mkdtemp"); exit(1); }
    for (int i = 0; i < 2; i++) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "%s " CFLAGS " -Iruntime -c -o %s/host-%s.o tests/fuzz/gen_host.c",
                 ccs[i], work, ccs[i]);
        if (system(cmd) != 0) { fprintf(stderr, "fuzz_gen: cannot build the host\n"); exit(1); }
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *program = gen_program(data, size);
    if (getenv("GEN_PRINT")) fputs(program, stderr);
    Job j = { program, NULL, NULL };
    run_on_big_stack(compile_job, &j);
    if (!j.ir) {
        fprintf(stderr, "%s", j.diag);
        fail("a generated program did not compile", program, NULL);
    }
    free(j.diag);

    const char *cc = ccs[size ? data[size - 1] & 1 : 0];
    char cmd[2048], log[300];
    snprintf(log, sizeof log, "%s/log", work);
    snprintf(cmd, sizeof cmd, "%s " CFLAGS " -DAGRAPH_RUNTIME -o %s/gen %s/gen.c %s/host-%s.o -lfftw3f -lm >%s 2>&1",
             cc, work, work, work, cc, log);
    if (system(cmd) != 0) fail(cc[0] == 'g' ? "gcc -Werror refused the C" : "clang -Werror refused the C",
                               program, log);
    snprintf(cmd, sizeof cmd, RUN_ENV " %s/gen >%s 2>&1", work, log);
    if (system(cmd) != 0) fail("the program did not run clean under ASan and UBSan", program, log);
    free(program);
    return 0;
}
