/* test_rtsafe.c — process() of every example allocates nothing, locks nothing and makes no
 * blocking system call (tests/rtcheck/host.c interposes them), while another thread moves every
 * parameter. A planted malloc and a planted mutex in the generated code are caught, so the
 * check can fail. */
#include <criterion/criterion.h>
#include <string.h>

#include "testutil.h"

#define HOST_CC "cc -O1 -g -std=c11 -DAGRAPH_RUNTIME -Iruntime tests/rtcheck/host.c"
#define HOST_LIBS "-lfftw3f -ldl -lpthread -lm"

/* Build the host around DIR/NAME.c and run it; returns its result. */
static run_result host_run(const char *dir, const char *name)
{
    run_result r = run_cmd(120, HOST_CC " %s/%s.c -o %s/%s-host " HOST_LIBS, dir, name, dir, name);
    if (r.status != 0) return r;
    run_free(&r);
    return run_cmd(120, "%s/%s-host 3000", dir, name);
}

Test(rtsafe, every_example_process_is_realtime_safe)
{
    const char *d = scratch_dir("rtsafe");
    int n;
    char **stems = agraph_files("examples", &n);
    for (int i = 0; i < n; i++) {
        const char *stem = stems[i];
        run_result c = run_cmd(60, "./build/agraphc examples/%s.agraph --emit-c %s/%s.c", stem, d, stem);
        cr_assert_eq(c.status, 0, "%s", c.err);
        run_free(&c);
        run_result r = host_run(d, stem);
        cr_expect_eq(r.status, 0, "%s: %s%s", stem, r.out, r.err);
        cr_expect(strstr(r.out, " 0 violations"), "%s: %s", stem, r.out);
        run_free(&r);
    }
    cr_expect_geq(n, 6);
}

/* Insert `code` at the top of the generated process() and expect the host to catch it. */
static void planted(const char *tag, const char *include, const char *code, const char *expect)
{
    const char *d = scratch_dir(tag);
    run_result c = run_cmd(60, "./build/agraphc examples/echo.agraph --emit-c %s/clean.c", d);
    cr_assert_eq(c.status, 0, "%s", c.err);
    run_free(&c);
    size_t len;
    char *src = read_file(fmt_str("%s/clean.c", d), &len);
    cr_assert(src);
    char *at = strstr(src, "AGRAPH_FTZ_BEGIN\n    const");
    if (!at) at = strstr(src, "    AGRAPH_FTZ_BEGIN\n");
    cr_assert(at, "no process() marker in the generated C");
    at = strchr(at, '\n') + 1;
    char *bad = fmt_str("%s\n%.*s%s\n%s", include, (int)(at - src), src, code, at);
    cr_assert_eq(write_file(fmt_str("%s/bad.c", d), bad), 0);
    run_result r = host_run(d, "bad");
    cr_expect_eq(r.status, 3, "the planted %s was not caught: %s%s", expect, r.out, r.err);
    cr_expect(strstr(r.out, expect), "expected '%s' in: %s", expect, r.out);
    run_free(&r);
}

Test(rtsafe, planted_malloc_is_caught)
{
    planted("plant-malloc", "#include <stdlib.h>",
            "    { void *volatile p = malloc(64); ((char *)p)[0] = 1; free(p); }", "malloc");
}

Test(rtsafe, planted_mutex_is_caught)
{
    planted("plant-mutex", "#include <pthread.h>\nstatic pthread_mutex_t planted_m = PTHREAD_MUTEX_INITIALIZER;",
            "    pthread_mutex_lock(&planted_m); pthread_mutex_unlock(&planted_m);", "pthread_mutex_lock");
}

Test(rtsafe, planted_syscall_is_caught)
{
    planted("plant-write", "#include <unistd.h>", "    (void)write(-1, \"x\", 1);", "write");
}
