/* test_faults.c — runtime faults lose nothing (issue 8). Beyond what test_runtime_offline.c and
 * test_runtime_live.c already cover (SIGINT/SIGTERM mid-render, ulimit -f, missing devices, a
 * refused rate): SIGKILL mid-render leaves the input and an existing output untouched and only
 * a recognisable temporary file; a really full file system (a 64 KiB tmpfs in a private mount
 * namespace) gives a clear error and no file; NaN or infinity from an unstable filter is
 * reported and nothing is written, or with --nan-guard replaced by silence, offline and live;
 * jackd killed under a live run gives a clear error and a prompt exit; and the runtime itself
 * runs its error paths clean under ASan and UBSan. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sndfile.h>

#include "testutil.h"
#include "../runtime/harness.h"

/* An unstable recursion: |1.5| > 1, so y grows by half each sample until it overflows. */
static const char *const unstable_src =
    "// an unstable filter: it overflows to infinity after a few hundred samples\n"
    "y = 1 + 1.5 * y@1\n"
    "output out = y * 0.001\n";

static const char *compile(const char *dir, const char *name, const char *src)
{
    char *path = fmt_str("%s/%s.agraph", dir, name), *exe = fmt_str("%s/%s", dir, name);
    cr_assert_eq(write_file(path, src), 0);
    run_result r = run_cmd(120, "./build/agraphc %s -o %s", path, exe);
    cr_assert_eq(r.status, 0, "agraphc %s:\n%s", path, r.err);
    run_free(&r);
    return exe;
}

/* The names in dir starting with '.', other than . and .. (one per line), or "". */
static char *hidden_files(const char *dir)
{
    char *list = fmt_str("%s", "");
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            list = fmt_str("%s%s\n", list, e->d_name);
    if (d) closedir(d);
    return list;
}

static int same_bytes(const char *a, const char *b)
{
    size_t na = 0, nb = 0;
    char *x = read_file(a, &na), *y = read_file(b, &nb);
    int same = x && y && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

/* Every sample of a sound file, or NULL; *frames and *channels get its shape. */
static float *read_samples(const char *path, long *frames, int *channels)
{
    SF_INFO info = { 0 };
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    if (!f) return NULL;
    float *v = malloc(sizeof(float) * (size_t)(info.frames * info.channels + 1));
    *frames = (long)sf_readf_float(f, v, info.frames);
    *channels = info.channels;
    sf_close(f);
    return v;
}

/* ---- SIGKILL ------------------------------------------------------------------------------- */

/* SIGKILL cannot be caught: the temporary file stays, but it is hidden and named for its target
 * (`.out.wav.XXXXXX`, docs/runtime.md), and neither the input nor the existing output changes. */
/* text with every `key` replaced by `value`, the search going on after what was put in (a
 * folder name may hold the key itself). */
static char *subst(const char *text, const char *key, const char *value)
{
    char *out = fmt_str("%s", "");
    for (const char *at; (at = strstr(text, key)); text = at + strlen(key))
        out = fmt_str("%s%.*s%s", out, (int)(at - text), text, value);
    return fmt_str("%s%s", out, text);
}

Test(faults, sigkill_mid_render_leaves_input_and_output_untouched, .timeout = 120)
{
    const char *dir = scratch_dir("faults-kill");
    const char *sine = h_example(dir, "sine"), *echo = h_example(dir, "echo");
    char *in = fmt_str("%s/in.wav", dir), *out = fmt_str("%s/out.wav", dir);
    char *in_copy = fmt_str("%s/in.copy", dir), *out_copy = fmt_str("%s/out.copy", dir);
    run_result r = run_cmd(60, "%s -o %s --duration 1s && cp %s %s && %s -o %s --duration 0.5s "
                           "-p freq=1kHz && cp %s %s", sine, in, in, in_copy, sine, out, out, out_copy);
    cr_assert_eq(r.status, 0, "%s", r.err);
    run_free(&r);

    /* --block 1 and a long tail: it would render for minutes. */
    h_proc p = h_start(dir, "echo", "%s -i %s -o %s --tail 1000s --block 1", echo, in, out);
    double until = h_now() + 20;
    while (!*hidden_files(dir) && h_now() < until) h_sleep(0.01);
    h_sleep(0.3);
    char *during = hidden_files(dir);
    kill(p.pid, SIGKILL);
    h_wait(&p, 10);
    cr_assert(*during, "the render never created its temporary file");
    cr_expect_eq(p.status, 128 + SIGKILL, "status %d", p.status);
    cr_expect(same_bytes(in, in_copy), "SIGKILL changed the input");
    cr_expect(same_bytes(out, out_copy), "SIGKILL changed the existing output");
    char *left = hidden_files(dir);
    cr_expect_str_eq(left, during, "what is left is not the temporary file seen during the render");
    cr_expect(strncmp(left, ".out.wav.", 9) == 0 && strlen(left) == 9 + 6 + 1,
              "the temporary file is not named .out.wav.XXXXXX: %s", left);
}

/* ---- a full file system --------------------------------------------------------------------- */

/* A 64 KiB tmpfs, mounted in a mount namespace of the command's own (nothing stays mounted): the
 * render runs out of space for real (ENOSPC), reports it, and leaves the folder as it was. */
Test(faults, full_file_system_leaves_nothing, .timeout = 120)
{
    const char *dir = scratch_dir("faults-full");
    const char *sine = h_example(dir, "sine");
    char *mnt = fmt_str("%s/small", dir);
    cr_assert_eq(mkdir(mnt, 0755), 0);
    run_result r = run_cmd(60, "unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs %s || exit 77; "
                           "echo old > %s/keep.wav; %s -o %s/keep.wav --duration 10s; echo \"status $?\"; "
                           "ls -a %s; cat %s/keep.wav'", mnt, mnt, sine, mnt, mnt, mnt);
    cr_assert_neq(r.status, 77, "cannot mount a tmpfs here (root and unshare are needed):\n%s", r.err);
    cr_expect(strstr(r.out, "status 1\n"), "stdout:\n%s\nstderr:\n%s", r.out, r.err);
    cr_expect(strstr(r.err, "sine: error: cannot write '") && strstr(r.err, "keep.wav'")
              && strstr(r.err, "No space left on device"), "stderr:\n%s", r.err);
    /* ls -a: only ., .. and keep.wav, whose old content is intact. */
    cr_expect(strstr(r.out, ".\n..\nkeep.wav\nold\n"), "the file system after the run:\n%s", r.out);
    run_free(&r);
}

/* ---- NaN and infinity ----------------------------------------------------------------------- */

Test(faults, nan_offline_is_reported_and_nothing_is_written, .timeout = 120)
{
    const char *dir = scratch_dir("faults-nan");
    const char *prog = compile(dir, "unstable", unstable_src);
    /* A NaN rather than an infinity: the square root of a negative number, after 0.5 s. */
    const char *nan_prog = compile(dir, "sqrtneg",
                                   "t = t@1 + 1 / SR\noutput out = sqrt(0.5 - t) * 0.1\n");
    char *out = fmt_str("%s/out.wav", dir);
    cr_assert_eq(write_file(out, "old"), 0);

    run_result r = run_cmd(60, "%s -o %s --duration 1s", prog, out);
    cr_expect_eq(r.status, 1, "%s", r.err);
    cr_expect(strstr(r.err, "unstable: error: the program computed infinity on output 'out' at "),
              "%s", r.err);
    cr_expect(strstr(r.err, "was not written (--nan-guard"), "%s", r.err);
    run_free(&r);
    char *kept = read_file(out, NULL);
    cr_expect(kept && strcmp(kept, "old") == 0, "the existing output was touched");
    cr_expect_str_empty(hidden_files(dir), "a temporary file was left");

    r = run_cmd(60, "%s -o %s --duration 1s", nan_prog, out);
    cr_expect_eq(r.status, 1, "%s", r.err);
    cr_expect(strstr(r.err, "computed NaN (not a number) on output 'out' at 0.5"), "%s", r.err);
    run_free(&r);

    /* --nan-guard: the file is written, every sample finite, the bad ones silent; it says so. */
    r = run_cmd(60, "%s -o %s --duration 1s --nan-guard", prog, out);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.err, "unstable: warning: --nan-guard replaced "), "%s", r.err);
    run_free(&r);
    long frames = 0;
    int channels = 0;
    float *v = read_samples(out, &frames, &channels);
    cr_assert(v, "--nan-guard wrote no readable file");
    cr_expect_eq(frames, 48000);
    long silent = 0;
    for (long i = 0; i < frames * channels; i++) {
        cr_assert(isfinite(v[i]), "sample %ld is not finite", i);
        silent += v[i] == 0;
    }
    /* Reset each time it blows up, the filter restarts: sound and silence alternate. */
    cr_expect(silent > 0 && silent < frames, "%ld of %ld samples silent", silent, frames);
    free(v);
}

Test(faults, nan_live_stops_with_an_error_or_is_guarded, .timeout = 150)
{
    const char *dir = scratch_dir("faults-nan-live");
    const char *prog = compile(dir, "unstable", unstable_src);
    h_jack j = h_jack_start("faults-nan", 0, 256);
    run_result r = run_cmd(30, "%s --live --duration 5s", prog);
    cr_expect_eq(r.status, 1, "%s", r.err);
    cr_expect(strstr(r.err, "unstable: error: the program computed NaN or infinity on output 'out' at "),
              "%s", r.err);
    run_free(&r);
    r = run_cmd(30, "%s --live --duration 1s --nan-guard --stats json", prog);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.err, "unstable: warning: --nan-guard silenced "), "%s", r.err);
    cr_expect(strstr(r.out, "\"stopped_by\": \"--duration\""), "%s", r.out);
    run_free(&r);
    h_jack_stop(&j);
}

/* ---- the audio server goes away --------------------------------------------------------------- */

/* jackd killed (SIGKILL: no goodbye to its clients) while a program plays: the program notices,
 * says so, and exits 1 within seconds instead of hanging on a server that is gone. */
Test(faults, jackd_killed_mid_run_is_a_clean_error, .timeout = 150)
{
    const char *dir = scratch_dir("faults-jack");
    const char *sine = h_example(dir, "sine");
    h_jack j = h_jack_start("faults-jack", 0, 256);
    h_proc p = h_start(dir, "sine", "%s --live --duration 60s", sine);
    double until = h_now() + 20;
    char *err = NULL;
    while (h_now() < until && !((err = h_stderr(&p)) && strstr(err, "sine: live at"))) h_sleep(0.05);
    cr_assert(err && strstr(err, "sine: live at"), "the program did not start:\n%s", err);
    h_sleep(0.5);
    kill(j.pid, SIGKILL);
    double killed = h_now();
    int ended = h_wait(&p, 20);
    double took = h_now() - killed;
    int st;
    waitpid(j.pid, &st, 0);
    j.pid = 0;
    /* A killed server cannot leave JACK's registry of servers, which has 8 places and frees a
     * dead server's only when a server of the same name starts: so one does, and stops properly
     * (without this, eight runs of this test and no JACK server could start on the machine). */
    h_jack again = h_jack_start("faults-jack", 0, 256);
    cr_expect_str_eq(again.name, j.name);
    h_jack_stop(&again);
    run_result rm = run_cmd(10, "rm -f /dev/shm/jack_sem.*_%s_*", j.name);  /* the dead clients' */
    run_free(&rm);
    err = h_stderr(&p);
    cr_assert(ended, "still running 20 s after jackd was killed:\n%s", err);
    cr_expect_eq(p.status, 1, "exit status %d:\n%s", p.status, err);
    cr_expect(strstr(err, "sine: error: the audio stream stopped by itself (was the device unplugged, "
                          "or the JACK server stopped?)"), "%s", err);
    cr_log_info("the program ended %.2f s after jackd was killed", took);
}

/* ---- the runtime under ASan and UBSan ------------------------------------------------------- */

/* The runtime compiled from source with the sanitizers, with an example: renders, every kind of
 * command-line and file error, a NaN, --nan-guard and a probe file run without one report. */
Test(faults, runtime_error_paths_are_sanitizer_clean, .timeout = 240)
{
    const char *dir = scratch_dir("faults-asan");
    char *c = fmt_str("%s/fx.c", dir), *exe = fmt_str("%s/fx-asan", dir);
    char *uc = fmt_str("%s/unstable.c", dir), *uexe = fmt_str("%s/unstable-asan", dir);
    cr_assert_eq(write_file(fmt_str("%s/unstable.agraph", dir), unstable_src), 0);
    run_result r = run_cmd(60, "./build/agraphc examples/fx.agraph --emit-c %s && ./build/agraphc "
                           "%s/unstable.agraph --emit-c %s", c, dir, uc);
    cr_assert_eq(r.status, 0, "%s", r.err);
    run_free(&r);
    const char *san = "cc -g -O1 -std=c11 -D_GNU_SOURCE -fno-omit-frame-pointer "
                      "-fsanitize=address,undefined -fno-sanitize-recover=all -DAGRAPH_RUNTIME -Iruntime";
    r = run_cmd(200, "%s -o %s %s runtime/*.c " H_RT_LIBS " && %s -o %s %s runtime/*.c " H_RT_LIBS,
                san, exe, c, san, uexe, uc);
    cr_assert_eq(r.status, 0, "building the runtime with the sanitizers:\n%s", r.err);
    run_free(&r);

    char *in = fmt_str("%s/in.wav", dir);
    static const struct { const char *args; int status; } runs[] = {
        { "-i IN -o D/out.wav", 0 },
        { "-i IN -o D/out.flac --bits 16 --tail 0.2s", 0 },
        { "-i IN --probe-out D/p.csv --probe-interval 10ms", 0 },
        { "-i IN --probe-out D/p.npy", 0 },
        { "-i D/missing.wav -o D/x.wav", 1 },
        { "-i IN -o D/no/such/folder/x.wav", 1 },
        { "-i IN -o IN", 1 },
        { "-i IN -o D/x.wav --param drive=99dB", 2 },
        { "-i IN -o D/x.wav --param nosuch=1", 2 },
        { "-i IN -o D/x.wav --bogus", 2 },
        { "-i IN -o D/x.xyz", 1 },
        { "--list-params", 0 },
        { "--help", 0 },
    };
    /* The input: 0.1 s of a sine, written here with libsndfile. */
    {
        SF_INFO info = { .samplerate = 48000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
        SNDFILE *f = sf_open(in, SFM_WRITE, &info);
        cr_assert(f);
        float v[4800];
        for (int i = 0; i < 4800; i++) v[i] = 0.5f * (float)sin(2 * H_PI * 440 * i / 48000.0);
        sf_writef_float(f, v, 4800);
        sf_close(f);
    }
    const char *env = "ASAN_OPTIONS=detect_leaks=1:exitcode=99 UBSAN_OPTIONS=halt_on_error=1:exitcode=99";
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        char *args = subst(subst(runs[i].args, "IN", in), "D/", fmt_str("%s/", dir));
        r = run_cmd(60, "%s %s %s", env, exe, args);
        cr_expect_eq(r.status, runs[i].status, "`fx %s` exited %d:\n%s", args, r.status, r.err);
        cr_expect(!strstr(r.err, "Sanitizer") && !strstr(r.err, "runtime error"), "`fx %s`:\n%s", args, r.err);
        run_free(&r);
    }
    static const char *const unstable_runs[] = { "-o D/u.wav --duration 1s",
                                                 "-o D/u.wav --duration 1s --nan-guard" };
    for (int i = 0; i < 2; i++) {
        char *args = subst(unstable_runs[i], "D/", fmt_str("%s/", dir));
        r = run_cmd(60, "%s %s %s", env, uexe, args);
        cr_expect_eq(r.status, i == 0 ? 1 : 0, "`unstable %s` exited %d:\n%s", args, r.status, r.err);
        cr_expect(!strstr(r.err, "Sanitizer") && !strstr(r.err, "runtime error"), "%s", r.err);
        run_free(&r);
    }
}
