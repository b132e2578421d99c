/* main.c — the driver: the command line of agraphc, then the pipeline (pipeline.c) and the
 * back end: emit C -> cc -> executable. */
#include "agraph.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>

extern jmp_buf abort_jmp;
extern bool abort_armed;
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f,
        "usage: agraphc PROGRAM.agraph [options]\n"
        "Compile an agraph program into an executable (or C).\n\n"
        "  -o FILE          the executable to write (default: the program's name)\n"
        "  --emit-c FILE    write the generated C to FILE ('-' for standard output)\n"
        "  --emit-lib NAME  write a library for embedding: NAME.c and NAME.h, with\n"
        "                   functions named NAME_init, NAME_process, ... (docs/embedding.md)\n"
        "  --emit-wasm NAME write WebAssembly: NAME.wasm and NAME.js, an AudioWorklet\n"
        "                   wrapper (clang --target=wasm32-wasi; docs/embedding.md)\n"
        "  --fft builtin    run spectral blocks on agraph's own FFT instead of FFTW\n"
        "                   (always so for --emit-wasm)\n"
        "  --check          check the program only; write nothing\n"
        "  -I DIR           look for imported modules in DIR too\n"
        "  --cc CC          the C compiler to run (default: $CC, else cc)\n"
        "  -O N             the C compiler's optimisation level (default 2)\n"
        "  --double         compute in double precision\n"
        "  --no-lanes       compute copies side by side (an oscillator bank) one after\n"
        "                   another, not as one loop over lanes the C compiler vectorizes\n"
        "  --max-sr HZ      the highest sample rate delay lines are sized for (default 192000)\n"
        "  --dump=STAGES    print stages: tokens, ast, graph, ir (comma-separated)\n"
        "  -h, --help       this help\n");
}

static int fail_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "agraphc: error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(run 'agraphc --help' for usage)\n");
    return 2;
}

static const char *self_dir(const char *argv0)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) {
        if (!realpath(argv0, buf)) return NULL;
        n = (ssize_t)strlen(buf);
    }
    buf[n] = 0;
    char *slash = strrchr(buf, '/');
    if (slash) *slash = 0;
    return arena_strdup(buf);
}

static const char *default_output(const char *in)
{
    const char *b = strrchr(in, '/');
    b = b ? b + 1 : in;
    const char *dot = strrchr(b, '.');
    size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b);
    const char *stem = arena_strndup(b, n);
    return strcmp(stem, b) == 0 ? arena_printf("%s.out", stem) : stem;
}

static const char *stem_of(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    return dot && dot != b ? arena_strndup(b, (size_t)(dot - b)) : b;
}

static int write_c(Ir *ir, const char *path, const char *prefix)
{
    return write_emitted(OUT_C, ir, path, prefix);
}

/* --emit-lib NAME: NAME.h, then NAME.c (which includes it by its base name); the exported names
 * start with the base name made an identifier. */
static int write_lib(Ir *ir, const char *name)
{
    size_t n = strlen(name);
    if (n > 2 && name[n - 2] == '.' && (name[n - 1] == 'c' || name[n - 1] == 'h')) name = arena_strndup(name, n - 2);
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    const char *prefix = c_ident(base);
    if (strcmp(prefix, base) != 0) {
        error(no_loc, "--emit-lib: '%s' is not a C identifier, and it names the header and every function "
              "(try '%s')", base, prefix);
        return 1;
    }
    if (write_emitted(OUT_LIB_H, ir, arena_printf("%s.h", name), prefix)) return 1;
    return write_emitted(OUT_LIB_C, ir, arena_printf("%s.c", name), prefix);
}

typedef struct { int argc; char **argv; int rc; } Job;

static int run(int argc, char **argv)
{
    opt.self_dir = self_dir(argv[0]);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_ARG() do { if (!next) return fail_usage("%s needs a value", a); i++; } while (0)
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return 0; }
        else if (!strcmp(a, "-o")) { NEED_ARG(); opt.output = next; }
        else if (!strcmp(a, "--emit-c")) { NEED_ARG(); opt.emit_c = next; }
        else if (!strncmp(a, "--emit-c=", 9)) opt.emit_c = a + 9;
        else if (!strcmp(a, "--emit-lib")) { NEED_ARG(); opt.emit_lib = next; }
        else if (!strncmp(a, "--emit-lib=", 11)) opt.emit_lib = a + 11;
        else if (!strcmp(a, "--emit-wasm")) { NEED_ARG(); opt.emit_wasm = next; }
        else if (!strncmp(a, "--emit-wasm=", 12)) opt.emit_wasm = a + 12;
        else if (!strcmp(a, "--fft") || !strncmp(a, "--fft=", 6)) {
            const char *v = a[5] == '=' ? a + 6 : next;
            if (a[5] != '=') NEED_ARG();
            if (!strcmp(v, "builtin")) opt.builtin_fft = true;
            else if (strcmp(v, "fftw") != 0) return fail_usage("--fft takes 'builtin' or 'fftw', not '%s'", v);
        }
        else if (!strcmp(a, "--check")) opt.check_only = true;
        else if (!strcmp(a, "-I")) { NEED_ARG(); vec_push(&opt.include_dirs, (void *)next); }
        else if (!strncmp(a, "-I", 2)) vec_push(&opt.include_dirs, (void *)(a + 2));
        else if (!strcmp(a, "--cc")) { NEED_ARG(); opt.cc = next; }
        else if (!strcmp(a, "-O")) { NEED_ARG(); opt.opt_level = atoi(next); }
        else if (!strncmp(a, "-O", 2) && a[2] >= '0' && a[2] <= '3' && !a[3]) opt.opt_level = a[2] - '0';
        else if (!strcmp(a, "--double")) opt.use_double = true;
        else if (!strcmp(a, "--no-lanes")) opt.no_lanes = true;
        else if (!strcmp(a, "--max-sr")) {
            NEED_ARG();
            char *end;
            opt.max_sr = strtod(next, &end);
            if (*end || !(opt.max_sr >= 1000 && opt.max_sr <= 1536000))
                return fail_usage("--max-sr must be a rate from 1000 to 1536000 Hz, not '%s'", next);
        }
        else if (!strncmp(a, "--dump=", 7)) opt.dump = a + 7;
        else if (!strcmp(a, "--dump")) { NEED_ARG(); opt.dump = next; }
        else if (a[0] == '-' && a[1]) return fail_usage("unknown option '%s'", a);
        else if (opt.input) return fail_usage("more than one program given ('%s')", a);
        else opt.input = a;
    }
    if (!opt.input) return fail_usage("%s", "no program given");
    if (opt.emit_lib && !*stem_of(opt.emit_lib)) return fail_usage("--emit-lib needs a NAME, not '%s'", opt.emit_lib);
    if (opt.emit_wasm && !*stem_of(opt.emit_wasm)) return fail_usage("--emit-wasm needs a NAME, not '%s'", opt.emit_wasm);
    if (opt.dump)
        for (const char *p = opt.dump; *p;) {
            const char *e = strchr(p, ',');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            if (!((n == 3 && !strncmp(p, "ast", 3)) || (n == 6 && !strncmp(p, "tokens", 6)) || (n == 5 && !strncmp(p, "graph", 5)) ||
                  (n == 2 && !strncmp(p, "ir", 2))))
                return fail_usage("unknown --dump stage in '%s' (stages: tokens, ast, graph, ir)", opt.dump);
            if (!e) break;
            p = e + 1;
        }

    Ir *ir = compile_to_ir(opt.input, NULL);
    if (!ir) return 1;
    if (opt.check_only) return 0;
    const char *prefix = stem_of(opt.input);
    abort_armed = true;
    if (setjmp(abort_jmp) != 0) return 1;
    if (opt.emit_c || opt.emit_lib || opt.emit_wasm) {
        if (opt.emit_c && write_c(ir, opt.emit_c, prefix)) return 1;
        if (opt.emit_lib && write_lib(ir, opt.emit_lib)) return 1;
        if (opt.emit_wasm && build_wasm(ir, opt.emit_wasm)) return 1;
        if (!opt.output) return 0;
    }
    const char *exe = opt.output ? opt.output : default_output(opt.input);
    const char *tmpdir = getenv("TMPDIR");
    char *cpath = arena_printf("%s/agraphc-XXXXXX.c", tmpdir && *tmpdir ? tmpdir : "/tmp");
    int fd = mkstemps(cpath, 2);
    if (fd < 0) {
        error(no_loc, "cannot create a temporary file: %s", strerror(errno));
        return 1;
    }
    FILE *f = fdopen(fd, "w");
    emit_c(f, ir, prefix);
    if (fclose(f) != 0) {
        unlink(cpath);
        error(no_loc, "cannot write a temporary file: %s", strerror(errno));
        return 1;
    }
    /* The executable appears under its name only once it is complete. */
    char *tmpexe = arena_printf("%s.tmp-XXXXXX", exe);
    int efd = mkstemp(tmpexe);
    if (efd < 0) {
        unlink(cpath);
        error(no_loc, "cannot write '%s': %s", exe, strerror(errno));
        return 1;
    }
    close(efd);
    int rc = build_executable(cpath, tmpexe, ir->spectral && !opt.builtin_fft);
    unlink(cpath);
    if (rc == 0 && rename(tmpexe, exe) != 0) {
        error(no_loc, "cannot write '%s': %s", exe, strerror(errno));
        rc = 1;
    }
    if (rc != 0) unlink(tmpexe);
    return rc;
}

/* Compilation runs on a big stack (run_on_big_stack). */
static void *run_thread(void *p)
{
    Job *j = p;
    j->rc = run(j->argc, j->argv);
    return NULL;
}

int main(int argc, char **argv)
{
    Job j = { argc, argv, 1 };
    run_on_big_stack(run_thread, &j);
    fflush(stdout);
    arena_free_all();
    return j.rc;
}
