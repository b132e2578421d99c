/* wasm.c — the WebAssembly back end (--emit-wasm NAME): the program's library (emit_c.c and
 * emit_lib.c, prefix agraph_dsp, spectral blocks on the built-in FFT since FFTW is not there)
 * and the glue runtime/wasm/agraph_wasm.c, compiled by clang --target=wasm32-wasi against
 * wasi-libc's libm into NAME.wasm; beside it NAME.js, the AudioWorklet wrapper. */
#include "agraph.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Write text to path; an error names `shown` (the file the user asked for). */
static int put_text(const char *path, const char *text, const char *shown)
{
    FILE *f = fopen(path, "w");
    bool bad = !f || fputs(text, f) < 0;
    if (f && fclose(f) != 0) bad = true;
    if (bad) error(no_loc, "cannot write '%s': %s", shown, strerror(errno));
    return bad;
}

/* The wasm C compiler: $AGRAPH_WASM_CC, else clang-14 (Debian 12's), else clang. */
static const char *wasm_cc(void)
{
    const char *cc = getenv("AGRAPH_WASM_CC");
    if (cc && *cc) return cc;
    return access("/usr/bin/clang-14", X_OK) == 0 ? "clang-14" : "clang";
}

int build_wasm(Ir *ir, const char *name)
{
    size_t n = strlen(name);
    if (n > 5 && !strcmp(name + n - 5, ".wasm")) name = arena_strndup(name, n - 5);
    const char *tmpdir = getenv("TMPDIR");
    char *dir = arena_printf("%s/agraphc-wasm-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(dir)) {
        error(no_loc, "cannot create a temporary folder: %s", strerror(errno));
        return 1;
    }
    const char *h = arena_printf("%s/agraph_dsp.h", dir), *c = arena_printf("%s/agraph_dsp.c", dir);
    const char *glue = arena_printf("%s/agraph_wasm.c", dir);
    const char *wasm = arena_printf("%s.wasm", name), *js = arena_printf("%s.js", name);
    const char *tmp_wasm = arena_printf("%s.wasm.tmp-%d", name, (int)getpid());
    const char *tmp_js = arena_printf("%s.js.tmp-%d", name, (int)getpid());

    bool own_fft = opt.builtin_fft;
    opt.builtin_fft = true;              /* no FFTW in a browser */
    /* the wrapper first: an output folder that cannot be written fails here, before clang runs */
    int rc = put_text(tmp_js, agraph_worklet_text, js) || write_emitted(OUT_LIB_H, ir, h, "agraph_dsp") ||
             write_emitted(OUT_LIB_C, ir, c, "agraph_dsp") ||
             put_text(glue, agraph_wasm_glue_text, glue);
    opt.builtin_fft = own_fft;

    if (!rc) {
        Vec argv = {0};
        vec_push(&argv, (void *)wasm_cc());
        vec_push(&argv, "--target=wasm32-wasi");
        vec_push(&argv, "-mexec-model=reactor");   /* a library: no main, _initialize runs constructors */
        vec_push(&argv, arena_printf("-O%d", opt.opt_level));
        vec_push(&argv, "-std=c11");
        vec_push(&argv, "-fno-math-errno");
        vec_push(&argv, arena_printf("-I%s", dir));
        vec_push(&argv, "-o");
        vec_push(&argv, (void *)tmp_wasm);
        vec_push(&argv, (void *)c);
        vec_push(&argv, (void *)glue);
        vec_push(&argv, "-lm");
        rc = run_c_compiler(&argv, c);
        if (rc) error(no_loc, "building WebAssembly needs clang with the wasm32-wasi target, wasm-ld and "
                      "wasi-libc (Debian: clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32)");
    }
    if (!rc && (rename(tmp_wasm, wasm) != 0 || rename(tmp_js, js) != 0)) {
        error(no_loc, "cannot write '%s': %s", wasm, strerror(errno));
        rc = 1;
    }
    unlink(tmp_wasm);
    unlink(tmp_js);
    unlink(h);
    unlink(c);
    unlink(glue);
    rmdir(dir);
    return rc;
}
