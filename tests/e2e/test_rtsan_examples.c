/* test_rtsan_examples.c — RealtimeSanitizer on every example (issue 8). Each program in examples/
 * is built with the runtime under clang-22 -fsanitize=realtime (the audio callback is marked
 * nonblocking) and run live for 2 s on a realtime JACK dummy server at 64 frames, its inputs fed a
 * sine by another client and commands answered on stdin meanwhile: no report. Then the same build
 * with a malloc planted in a program's process() must be caught, so the check can fail. */
#include "runtime/harness.h"

#define RTSAN_CC "clang-22"
#define RTSAN_FLAGS "-g -O1 -fsanitize=realtime -std=c11 -D_GNU_SOURCE -DAGRAPH_RUNTIME -Iruntime"

/* The runtime's objects, built once for all the examples. */
static const char *rtsan_runtime(const char *dir)
{
    run_result r = run_cmd(10, RTSAN_CC " --version");
    cr_assert_eq(r.status, 0, RTSAN_CC " is not installed (.ci/install-deps installs clang-22 and "
                 "libclang-rt-22-dev): %s", r.err);
    run_free(&r);
    char *lib = fmt_str("%s/runtime.a", dir);
    r = run_cmd(240, "cd %s && for f in ../../../runtime/*.c; do " RTSAN_CC " " RTSAN_FLAGS
                " -I../../../runtime -c $f || exit 1; done && ar rcs runtime.a *.o", dir);
    cr_assert_eq(r.status, 0, "building the runtime with RealtimeSanitizer failed:\n%s", r.err);
    run_free(&r);
    return lib;
}

Test(rtsan_examples, every_example_is_realtime_safe, .timeout = 600)
{
    const char *dir = scratch_dir("rtsan-all");
    const char *lib = rtsan_runtime(dir);
    const char *helper = h_jack_helper();
    int n = 0;
    char **examples = agraph_files("examples", &n);
    cr_assert_gt(n, 0);
    h_jack j = h_jack_start("rtsan-all", 1, 64);
    for (int e = 0; e < n; e++) {
        const char *ex = examples[e];
        char *c = fmt_str("%s/%s.c", dir, ex), *exe = fmt_str("%s/%s", dir, ex);
        run_result r = run_cmd(60, "./build/agraphc examples/%s.agraph --emit-c %s", ex, c);
        cr_assert_eq(r.status, 0, "%s: %s", ex, r.err);
        run_free(&r);
        r = run_cmd(120, RTSAN_CC " " RTSAN_FLAGS " %s %s " H_RT_LIBS " -lfftw3f -lfftw3 -o %s", c, lib, exe);
        cr_assert_eq(r.status, 0, "%s: building with RealtimeSanitizer failed:\n%s", ex, r.err);
        run_free(&r);
        r = run_cmd(30, "%s --info", exe);
        int n_in = 0;
        const char *ins = strstr(r.out, "\"inputs\": [");
        for (const char *p = ins ? ins + 11 : ""; *p && *p != ']'; p++) n_in += *p == '"';
        n_in /= 2;
        run_free(&r);

        h_proc p = h_start(dir, ex, "%s --live --duration 2s --block 64 --client-name %s --stats json",
                           exe, ex);
        h_proc play = { .pid = 0 };
        if (n_in > 0) {
            char *ports = fmt_str("%s", "");
            for (int i = 0; i < n_in; i++) ports = fmt_str("%s %s:in_%d", ports, ex, i);
            h_wait_ports(ports, &p);
            play = h_start(dir, fmt_str("%s-play", ex), "%s play 2 330 0.3%s", helper, ports);
        }
        for (int k = 0; k < 5; k++) {
            h_write(&p, "get\nhelp\nstats\n");
            h_sleep(0.2);
        }
        int ended = h_wait(&p, 20);
        if (play.pid) h_wait(&play, 10);
        char *err = h_stderr(&p), *out = h_stdout(&p);
        cr_expect(ended, "%s did not stop after 2 s", ex);
        cr_expect_eq(p.status, 0, "%s: exit status %d:\n%s", ex, p.status, err);
        cr_expect(!strstr(err, "RealtimeSanitizer"), "%s:\n%s", ex, err);
        cr_expect(strstr(out, "\"stopped_by\": \"--duration\""), "%s: %s", ex, out);
    }

    /* The planted violation: sine's process() allocates. */
    char *src = read_file(fmt_str("%s/sine.c", dir), NULL);
    cr_assert(src);
    char *at = strstr(src, "    AGRAPH_FTZ_BEGIN\n");
    cr_assert(at, "no process() marker in the generated C");
    at = strchr(at, '\n') + 1;
    char *planted = fmt_str("%s/planted.c", dir), *pexe = fmt_str("%s/planted", dir);
    cr_assert_eq(write_file(planted, fmt_str("#include <stdlib.h>\n%.*s    { char *volatile q = malloc(64); "
                                             "q[0] = 1; free(q); }\n%s", (int)(at - src), src, at)), 0);
    run_result r = run_cmd(120, RTSAN_CC " " RTSAN_FLAGS " %s %s " H_RT_LIBS " -o %s", planted, lib, pexe);
    cr_assert_eq(r.status, 0, "%s", r.err);
    run_free(&r);
    r = run_cmd(30, "%s --live --duration 2s --block 64", pexe);
    cr_expect_eq(r.status, 43, "a malloc in process() was not caught (exit %d):\n%s", r.status, r.err);
    cr_expect(strstr(r.err, "RealtimeSanitizer: unsafe-library-call"), "%s", r.err);
    run_free(&r);
    h_jack_stop(&j);
}
