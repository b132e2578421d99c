/* test_runtime_rtsan.c — RealtimeSanitizer on a live run. The runtime and examples/fx.agraph are
 * built with clang-22 -fsanitize=realtime (the audio callback is marked nonblocking), and run on a
 * JACK server while parameters move through stdin and the control block and probes are read: no
 * report. Then a malloc planted in the program's process() must be caught (exit 43). */
#include "runtime/harness.h"

#define RTSAN_CC "clang-22"
#define RTSAN_FLAGS "-g -O1 -fsanitize=realtime -std=c11 -D_GNU_SOURCE -DAGRAPH_RUNTIME -Iruntime"
#define RUNTIME_SRCS "runtime/main.c runtime/cli.c runtime/offline.c runtime/params.c " \
                     "runtime/outfile.c runtime/probefile.c runtime/live.c runtime/control.c " \
                     "runtime/commands.c runtime/soundfiles.c"

/* fx's generated C, with `plant` inserted at the top of process() when not NULL. */
static char *fx_source(const char *dir, const char *tag, const char *include, const char *plant)
{
    char *clean = fmt_str("%s/fx.c", dir);
    run_result r = run_cmd(60, "./build/agraphc examples/fx.agraph --emit-c %s", clean);
    cr_assert_eq(r.status, 0, "%s", r.err);
    run_free(&r);
    if (!plant) return clean;
    char *src = read_file(clean, NULL);
    char *at = strstr(src, "    AGRAPH_FTZ_BEGIN\n");
    cr_assert(at, "no process() marker in the generated C");
    at = strchr(at, '\n') + 1;
    char *path = fmt_str("%s/%s.c", dir, tag);
    cr_assert_eq(write_file(path, fmt_str("%s\n%.*s%s\n%s", include, (int)(at - src), src, plant, at)), 0);
    return path;
}

static const char *rtsan_build(const char *dir, const char *tag, const char *program_c)
{
    run_result r = run_cmd(10, RTSAN_CC " --version");
    cr_assert_eq(r.status, 0, RTSAN_CC " is not installed (.ci/install-deps installs clang-22 and "
                 "libclang-rt-22-dev): %s", r.err);
    run_free(&r);
    char *exe = fmt_str("%s/%s", dir, tag);
    r = run_cmd(180, RTSAN_CC " " RTSAN_FLAGS " " RUNTIME_SRCS " %s " H_RT_LIBS " -o %s", program_c, exe);
    cr_assert_eq(r.status, 0, "building with RealtimeSanitizer failed:\n%s", r.err);
    run_free(&r);
    return exe;
}

Test(runtime_rtsan, live_run_is_clean, .timeout = 240)
{
    const char *dir = scratch_dir("rtsan");
    const char *exe = rtsan_build(dir, "fx-rtsan", fx_source(dir, "fx", NULL, NULL));
    const char *reader = h_tool("control_reader", 0, "-lm");
    char *control = fmt_str("/dev/shm/agraph-test-rtsan-%d", (int)getpid());
    unlink(control);
    h_jack j = h_jack_start("rtsan", 1, 256);
    h_proc p = h_start(dir, "fx", "%s --live --duration 20s --client-name fx --control %s --stats json", exe, control);
    h_wait_ports("fx:in_0 fx:out_0", &p);
    h_proc play = h_start(dir, "play", "%s play 4 330 0.2 fx:in_0", h_jack_helper());
    h_proc rd = h_start(dir, "reader", "%s %s 2 100 mix", reader, control);
    for (int k = 0; k < 10; k++) {
        h_write(&p, fmt_str("set drive %ddB\nset tone %dHz\nprobe level\nget\nstats\n", 2 * k, 300 + 100 * k));
        h_sleep(0.2);
    }
    h_wait(&rd, 15);
    h_wait(&play, 15);
    h_write(&p, "quit\n");
    cr_expect(h_wait(&p, 15), "did not stop after 'quit'");
    h_jack_stop(&j);
    unlink(control);
    char *err = h_stderr(&p), *out = h_stdout(&p);
    cr_expect_eq(p.status, 0, "exit status %d:\n%s", p.status, err);
    cr_expect(!strstr(err, "RealtimeSanitizer"), "RealtimeSanitizer reported:\n%s", err);
    cr_expect(strstr(out, "ok drive 18dB\nok tone 1.2kHz\n"), "%s", out);
    cr_expect(strstr(out, "\"stopped_by\": \"quit\""), "%s", out);
    cr_expect_eq(rd.status, 0, "control reader: %s%s", h_stdout(&rd), h_stderr(&rd));
    printf("RealtimeSanitizer, fx live for 2 s with stdin and control-block traffic: clean; %s",
           strstr(out, "{") ? strstr(out, "{") : out);
}

Test(runtime_rtsan, planted_malloc_is_caught, .timeout = 240)
{
    const char *dir = scratch_dir("rtsan-plant");
    /* At -O1 clang may drop a malloc whose result is unused: use it. */
    const char *exe = rtsan_build(dir, "fx-plant", fx_source(dir, "plant", "#include <stdlib.h>",
        "    { char *volatile planted = malloc(64); planted[0] = 1; free(planted); }"));
    h_jack j = h_jack_start("rtsan-plant", 1, 256);
    h_proc p = h_start(dir, "fx", "%s --live --duration 10s", exe);
    cr_expect(h_wait(&p, 20), "the planted run did not end");
    h_jack_stop(&j);
    char *err = h_stderr(&p);
    cr_expect_eq(p.status, 43, "exit status %d, not RealtimeSanitizer's 43:\n%s", p.status, err);
    cr_expect(strstr(err, "ERROR: RealtimeSanitizer: unsafe-library-call"), "%s", err);
    cr_expect(strstr(err, "`malloc`"), "%s", err);
}
