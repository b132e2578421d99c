/* build.c — the last step of the pipeline: run the system C compiler on the generated C and
 * link it with the runtime. The runtime and stdlib are found beside agraphc: in the source
 * tree (build/agraphc, runtime/, stdlib/) or installed (bin/, include/agraph/, lib/,
 * share/agraph/stdlib/). */
#include "agraph.h"

#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

static bool in_tree(void)
{
    return opt.self_dir && exists(arena_printf("%s/../runtime/agraph_program.h", opt.self_dir));
}

const char *stdlib_dir(void)
{
    const char *env = getenv("AGRAPH_STDLIB");
    if (env && *env) return env;
    if (!opt.self_dir) return NULL;
    const char *d = in_tree() ? arena_printf("%s/../stdlib", opt.self_dir)
                              : arena_printf("%s/../share/agraph/stdlib", opt.self_dir);
    char buf[PATH_MAX];
    return realpath(d, buf) ? arena_strdup(buf) : d;
}

static const char *include_dir(void)
{
    return in_tree() ? arena_printf("%s/../runtime", opt.self_dir)
                     : arena_printf("%s/../include/agraph", opt.self_dir);
}

static const char *lib_path(void)
{
    return in_tree() ? arena_printf("%s/libagraph.a", opt.self_dir)
                     : arena_printf("%s/../lib/libagraph.a", opt.self_dir);
}

/* Split on spaces: `--cc "ccache gcc"` and AGRAPH_RT_LIBS are word lists. */
static void add_words(Vec *argv, const char *s)
{
    while (*s) {
        while (*s == ' ') s++;
        const char *e = s;
        while (*e && *e != ' ') e++;
        if (e > s) vec_push(argv, arena_strndup(s, (size_t)(e - s)));
        s = e;
    }
}

int build_executable(const char *c_path, const char *exe_path, bool fftw)
{
    const char *lib = lib_path();
    if (!exists(lib)) {
        error(no_loc, "cannot find the agraph runtime library (looked for %s); run 'make' first", lib);
        return 1;
    }
    const char *cc = opt.cc ? opt.cc : getenv("CC");
    if (!cc || !*cc) cc = "cc";
    Vec argv = {0};
    add_words(&argv, cc);
    vec_push(&argv, arena_printf("-O%d", opt.opt_level));
    vec_push(&argv, "-std=c11");
    vec_push(&argv, "-fno-math-errno");
    vec_push(&argv, "-fno-trapping-math");   /* no FP traps are ever enabled: lets floorf vectorize */
    /* GNU gold links a program with the runtime ~40 ms sooner than the default ld
     * (bench/compile-latency); gcc and clang both take -fuse-ld=gold */
    if (!opt.cc && access("/usr/bin/ld.gold", X_OK) == 0) vec_push(&argv, "-fuse-ld=gold");
    vec_push(&argv, "-DAGRAPH_RUNTIME");
    vec_push(&argv, arena_printf("-I%s", include_dir()));
    vec_push(&argv, "-o");
    vec_push(&argv, (void *)exe_path);
    vec_push(&argv, (void *)c_path);
    vec_push(&argv, (void *)lib);
    if (fftw) vec_push(&argv, opt.use_double ? "-lfftw3" : "-lfftw3f");
    add_words(&argv, AGRAPH_RT_LIBS);
    return run_c_compiler(&argv, c_path);
}

int run_c_compiler(Vec *args, const char *c_path)
{
    Vec argv = *args;
    vec_push(&argv, NULL);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv.v[0], NULL, NULL, (char *const *)argv.v, environ);
    if (rc != 0) {
        error(no_loc, "cannot run the C compiler '%s': %s", (const char *)argv.v[0], strerror(rc));
        return 1;
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) break;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        error(no_loc, "the C compiler '%s' failed on the generated code (%s); this is a bug in "
              "agraphc, please report it with the program", (const char *)argv.v[0], c_path);
        return 1;
    }
    return 0;
}

/* ---- writing generated code ---------------------------------------------------------------- */

static void emit_kind(FILE *f, OutKind kind, Ir *ir, const char *prefix)
{
    if (kind == OUT_C) emit_c(f, ir, prefix);
    else if (kind == OUT_LIB_C) emit_c_lib(f, ir, prefix, arena_printf("%s.h", prefix));
    else emit_lib_header(f, ir, prefix);
}

int write_emitted(OutKind kind, Ir *ir, const char *path, const char *prefix)
{
    if (strcmp(path, "-") == 0) {
        emit_kind(stdout, kind, ir, prefix);
        return fflush(stdout) == 0 ? 0 : 1;
    }
    char *tmp = arena_printf("%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        error(no_loc, "cannot write '%s': %s", path, strerror(errno));
        return 1;
    }
    FILE *f = fdopen(fd, "w");
    emit_kind(f, kind, ir, prefix);
    bool bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        unlink(tmp);
        error(no_loc, "cannot write '%s': %s", path, strerror(errno));
        return 1;
    }
    fchmod(fd, 0644);
    chmod(tmp, 0644);
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        error(no_loc, "cannot write '%s': %s", path, strerror(errno));
        return 1;
    }
    return 0;
}
