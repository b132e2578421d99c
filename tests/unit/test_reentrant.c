/* test_reentrant.c — the compiler's in-process entry point compiles one program after another,
 * its arena freed in between (as the fuzzers and any embedding host do). Found while writing
 * tests/fuzz/fuzz_compile.c: vectors kept in load.c and lower.c across compilations pointed into
 * the freed arena, a use after free on the next compilation (seen by `make check-asan`; here the
 * C must also come out the same every time). Sources with NUL bytes are compiled as read from a
 * file: an error at the NUL, not a program cut short. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agraph.h"

static const char prog[] =
    "import std\n"
    "input x\n"
    "param tone = 2kHz [200Hz, 8kHz] log\n"
    "param mix = 0.5 [0, 1]\n"
    "wet = onepole(tanh(x * 4), tone)\n"
    "output out = mix * echo(wet, 30ms, 0.4) + (1 - mix) * wet\n";

static char *compile_to_c(const char *text, size_t len, char **diag)
{
    char *c = NULL, *d = NULL;
    size_t n = 0, dn = 0;
    FILE *df = open_memstream(&d, &dn);
    diag_set_output(df);
    opt.self_dir = "build";
    opt.max_sr = 192000;
    Ir *ir = compile_bytes_to_ir("t.agraph", text, len);
    if (ir) {
        FILE *f = open_memstream(&c, &n);
        emit_c(f, ir, "t");
        fclose(f);
    }
    diag_set_output(NULL);
    fclose(df);
    arena_free_all();
    *diag = d;
    return c;
}

Test(reentrant, compiles_again_after_the_arena_is_freed)
{
    char *diag = NULL;
    char *first = compile_to_c(prog, strlen(prog), &diag);
    cr_assert(first, "%s", diag);
    free(diag);
    for (int i = 0; i < 4; i++) {
        char *again = compile_to_c(prog, strlen(prog), &diag);
        cr_assert(again, "compilation %d: %s", i + 2, diag);
        cr_assert_str_eq(again, first, "compilation %d gave other C", i + 2);
        free(again);
        free(diag);
    }
    free(first);
}

Test(reentrant, a_nul_byte_is_an_error_not_the_end)
{
    static const char src[] = "input x\noutput out = x\0 + 1\n";
    char *diag = NULL;
    char *c = compile_to_c(src, sizeof src - 1, &diag);
    cr_expect_null(c, "a source with a NUL byte compiled");
    cr_expect(strstr(diag, "t.agraph:2:"), "%s", diag);
    free(c);
    free(diag);
}
