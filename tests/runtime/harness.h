/* harness.h — what the runtime's live tests share: a private JACK server with the dummy backend,
 * started by the test and stopped by its pid; programs run in the background with a pipe to their
 * standard input; executables built for a test; sound files checked against a sine's closed form.
 * Header-only (static functions), included by the tests/e2e/test_runtime_*.c files that need it.
 * Every wait has a time limit, and every child dies with the test (PR_SET_PDEATHSIG), so a test
 * that fails or times out leaves no server behind. */
#ifndef AGRAPH_TEST_HARNESS_H
#define AGRAPH_TEST_HARNESS_H

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define H_PI 3.14159265358979323846
/* What an executable links after build/libagraph.a: the Makefile's RT_LIBS. */
#define H_RT_LIBS "-lportaudio -ljack -lasound -lsndfile -lm -lpthread"
#define H_RATE 48000
#define H_JACK_WAIT_S 10          /* for jackd to come up */
#define H_PORT_WAIT_S 10          /* for a program's ports to appear */

__attribute__((unused)) static void h_sleep(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

__attribute__((unused)) static double h_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- building ------------------------------------------------------------------------------- */

static int h_newer(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return 0;
    return sa.st_mtim.tv_sec > sb.st_mtim.tv_sec
        || (sa.st_mtim.tv_sec == sb.st_mtim.tv_sec && sa.st_mtim.tv_nsec >= sb.st_mtim.tv_nsec);
}

/* build/tmp/rt-tools/NAME from tests/runtime/NAME.c (with build/libagraph.a when link_runtime),
 * built once and shared: tests run in parallel, so each build goes to a name of its own and is
 * renamed into place. */
__attribute__((unused)) static const char *h_tool(const char *name, int link_runtime, const char *libs)
{
    char *exe = fmt_str("build/tmp/rt-tools/%s", name);
    char *src = fmt_str("tests/runtime/%s.c", name);
    cr_assert(file_exists("build/libagraph.a"), "build/libagraph.a is missing: run make first");
    if (h_newer(exe, src) && h_newer(exe, "build/libagraph.a") && h_newer(exe, "runtime/agraph_control.h")
        && h_newer(exe, "runtime/agraph_program.h") && h_newer(exe, "tests/runtime/harness.h"))
        return exe;
    mkdir("build", 0777);
    mkdir("build/tmp", 0777);
    mkdir("build/tmp/rt-tools", 0777);
    run_result r = run_cmd(120, "cc -O2 -g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter "
                           "-Werror -DAGRAPH_RUNTIME -I runtime %s %s %s -o %s.$$ && mv -f %s.$$ %s",
                           src, link_runtime ? "build/libagraph.a " H_RT_LIBS : "", libs, exe, exe, exe);
    cr_assert_eq(r.status, 0, "building %s failed:\n%s", src, r.err);
    run_free(&r);
    return exe;
}

/* tests/runtime/jack_helper.c: a JACK client that waits for ports, plays a sine, counts xruns. */
__attribute__((unused)) static const char *h_jack_helper(void)
{
    return h_tool("jack_helper", 0, "-ljack -lm -lpthread");
}

/* An example compiled by agraphc into dir. */
__attribute__((unused)) static const char *h_example(const char *dir, const char *name)
{
    char *exe = fmt_str("%s/%s", dir, name);
    run_result r = run_cmd(120, "./build/agraphc examples/%s.agraph -o %s", name, exe);
    cr_assert_eq(r.status, 0, "agraphc examples/%s.agraph failed:\n%s", name, r.err);
    run_free(&r);
    return exe;
}

/* ---- children ------------------------------------------------------------------------------- */

/* A program in the background: `sh -c "exec CMD"` with its standard input on a pipe and its
 * output in files. */
typedef struct h_proc {
    pid_t pid;
    int in;                       /* write end of its standard input, -1 once closed */
    char *out, *err;              /* files holding its standard output and error */
    int status;                   /* once ended: exit code, or 128 + signal */
    int ended;
} h_proc;

__attribute__((unused)) static h_proc h_start(const char *dir, const char *tag, const char *fmt, ...)
{
    h_proc p = { .in = -1 };
    va_list ap;
    char *cmd = NULL;
    va_start(ap, fmt);
    cr_assert(vasprintf(&cmd, fmt, ap) >= 0);
    va_end(ap);
    p.out = fmt_str("%s/%s.out", dir, tag);
    p.err = fmt_str("%s/%s.err", dir, tag);
    int pipefd[2];
    cr_assert_eq(pipe(pipefd), 0);
    pid_t parent = getpid();
    p.pid = fork();
    cr_assert(p.pid >= 0);
    if (p.pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        setpgid(0, 0);
        int o = open(p.out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(p.err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(pipefd[0], 0);
        dup2(o, 1);
        dup2(e, 2);
        close(pipefd[0]);
        close(pipefd[1]);
        close(o);
        close(e);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        char *exec_cmd = fmt_str("exec %s", cmd);
        execl("/bin/sh", "sh", "-c", exec_cmd, (char *)NULL);
        _exit(127);
    }
    close(pipefd[0]);
    p.in = pipefd[1];
    signal(SIGPIPE, SIG_IGN);
    free(cmd);
    return p;
}

__attribute__((unused)) static void h_write(h_proc *p, const char *text)
{
    size_t n = strlen(text);
    cr_assert(p->in >= 0, "the standard input is closed");
    if (write(p->in, text, n) != (ssize_t)n) {
        int e = errno;
        char *err = read_file(p->err, NULL);
        cr_assert_fail("cannot write to the program (%s), which said:\n%s", strerror(e), err ? err : "");
    }
}

__attribute__((unused)) static void h_close_input(h_proc *p)
{
    if (p->in >= 0) close(p->in);
    p->in = -1;
}

/* Wait up to timeout seconds for p to end; kill its group then. Returns 1 if it ended by itself. */
__attribute__((unused)) static int h_wait(h_proc *p, double timeout)
{
    if (p->ended) return 1;
    double until = h_now() + timeout;
    int st = 0, by_itself = 0;
    for (;;) {
        pid_t r = waitpid(p->pid, &st, WNOHANG);
        if (r == p->pid) {
            by_itself = 1;
            break;
        }
        if (h_now() > until) {
            kill(-p->pid, SIGKILL);
            kill(p->pid, SIGKILL);
            waitpid(p->pid, &st, 0);
            break;
        }
        h_sleep(0.01);
    }
    p->ended = 1;
    p->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    h_close_input(p);
    return by_itself;
}

__attribute__((unused)) static char *h_stdout(const h_proc *p)
{
    char *s = read_file(p->out, NULL);
    return s ? s : strdup("");
}

__attribute__((unused)) static char *h_stderr(const h_proc *p)
{
    char *s = read_file(p->err, NULL);
    return s ? s : strdup("");
}

/* Wait up to timeout seconds until p's standard output holds `text`; 1 if it does. */
__attribute__((unused)) static int h_wait_output(const h_proc *p, const char *text, double timeout)
{
    double until = h_now() + timeout;
    for (;;) {
        char *s = h_stdout(p);
        int found = strstr(s, text) != NULL;
        free(s);
        if (found) return 1;
        if (h_now() > until) return 0;
        h_sleep(0.01);
    }
}

/* ---- a private JACK server -------------------------------------------------------------------- */

typedef struct h_jack {
    pid_t pid;
    char name[64];
    char *log;
} h_jack;

/* The live tests run their JACK servers side by side, except the load test, which measures
 * underruns and has the realtime threads to itself: it holds build/tmp/jack.lock exclusively,
 * the others shared. A test process takes the lock once and holds it until it ends. */
#define H_LOCK_WAIT_S 150

static void h_jack_lock(int exclusive)
{
    /* Under `make check-asan` only agraphc and the test binary are sanitized: the runtime and the
     * programs a live test runs are not, and its checks of gaps and underruns need a machine that
     * the sanitized tests beside it do not load (CI saw them fail on stalls there). make test runs
     * every live test. */
    if (getenv("AGRAPH_TEST_ASAN")) cr_skip_test("a live JACK test, which make test runs");
    static int fd = -1;
    if (fd >= 0) return;
    mkdir("build", 0777);
    mkdir("build/tmp", 0777);
    fd = open("build/tmp/jack.lock", O_RDWR | O_CREAT, 0644);
    cr_assert(fd >= 0, "cannot open build/tmp/jack.lock: %s", strerror(errno));
    double until = h_now() + H_LOCK_WAIT_S;
    while (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
        cr_assert(h_now() < until, "waited %d s for build/tmp/jack.lock", H_LOCK_WAIT_S);
        h_sleep(0.05);
    }
}

/* Start `jackd [-R] -d dummy -r 48000 -p period` under a name of its own (JACK_DEFAULT_SERVER is
 * set for this test process and its children). A server that does not come up fails the test. */
__attribute__((unused)) static h_jack h_jack_start(const char *tag, int realtime, int period)
{
    h_jack j;
    h_jack_lock(0);
    const char *dir = scratch_dir(tag);
    snprintf(j.name, sizeof j.name, "agraph-%s-%d", tag, (int)getpid());
    setenv("JACK_DEFAULT_SERVER", j.name, 1);
    j.log = fmt_str("%s/jackd.log", dir);
    char period_s[32];
    snprintf(period_s, sizeof period_s, "%d", period);
    pid_t parent = getpid();
    j.pid = fork();
    cr_assert(j.pid >= 0);
    if (j.pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(127);
        int fd = open(j.log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int dn = open("/dev/null", O_RDONLY);
        dup2(dn, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        /* Option order matters: -R before -d is realtime; -r after -d dummy is the rate. */
        if (realtime)
            execlp("jackd", "jackd", "-R", "-d", "dummy", "-r", "48000", "-p", period_s, (char *)NULL);
        else
            execlp("jackd", "jackd", "-r", "-d", "dummy", "-r", "48000", "-p", period_s, (char *)NULL);
        fprintf(stderr, "cannot run jackd: %s\n", strerror(errno));
        _exit(127);
    }
    /* jack_wait -w gives up at once, instead of waiting, when it finds a dead server of the same
     * name in JACK's registry (a killed one, until this one replaces it): ask again while jackd
     * lives and the time lasts. */
    double until = h_now() + H_JACK_WAIT_S;
    run_result r;
    int st, dead;
    for (;;) {
        r = run_cmd(H_JACK_WAIT_S + 5, "jack_wait -w -t %d", H_JACK_WAIT_S);
        dead = waitpid(j.pid, &st, WNOHANG) == j.pid;
        if (r.status == 0 || dead || h_now() >= until) break;
        run_free(&r);
        h_sleep(0.1);
    }
    if (r.status != 0 || dead) {
        if (!dead) {
            kill(j.pid, SIGKILL);
            waitpid(j.pid, &st, 0);
        }
        char *log = read_file(j.log, NULL);
        cr_assert_fail("the JACK server (jackd -d dummy) did not start, so the live tests cannot run. "
                       "Is jackd2 installed (.ci/install-deps installs it)?\njack_wait: %s%s\njackd log:\n%s",
                       r.out, r.err, log ? log : "(none)");
    }
    run_free(&r);
    return j;
}

/* Stop the server by its pid; returns its log. */
__attribute__((unused)) static char *h_jack_stop(h_jack *j)
{
    int st;
    if (j->pid > 0) {
        kill(j->pid, SIGTERM);
        double until = h_now() + 5;
        while (waitpid(j->pid, &st, WNOHANG) != j->pid) {
            if (h_now() > until) {
                kill(j->pid, SIGKILL);
                waitpid(j->pid, &st, 0);
                break;
            }
            h_sleep(0.01);
        }
        j->pid = 0;
    }
    char *log = read_file(j->log, NULL);
    return log ? log : strdup("");
}

/* Wait until the JACK ports exist (a space-separated list). */
__attribute__((unused)) static void h_wait_ports(const char *ports, const h_proc *prog)
{
    const char *helper = h_jack_helper();
    run_result r = run_cmd(H_PORT_WAIT_S + 5, "%s wait %d %s", helper, H_PORT_WAIT_S, ports);
    if (r.status != 0) {
        char *err = prog ? h_stderr(prog) : strdup("");
        cr_assert_fail("the ports %s did not appear: %s%s\nthe program's stderr:\n%s", ports, r.out,
                       r.err, err);
    }
    run_free(&r);
}

/* ---- sound ---------------------------------------------------------------------------------- */

typedef struct h_sound {
    long frames;
    int channels, rate;
    float *x;                     /* interleaved */
} h_sound;

__attribute__((unused)) static h_sound h_read_sound(const char *path)
{
    h_sound s = { 0 };
    SF_INFO info = { 0 };
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    cr_assert(f, "cannot read %s: %s", path, sf_strerror(NULL));
    s.frames = (long)info.frames;
    s.channels = info.channels;
    s.rate = info.samplerate;
    s.x = calloc((size_t)s.frames * (size_t)s.channels + 1, sizeof(float));
    cr_assert_eq(sf_readf_float(f, s.x, info.frames), info.frames, "short read of %s", path);
    sf_close(f);
    return s;
}

/* A sine fitted to x[from, from + len): the frequency from its rising zero crossings; amplitude and
 * phase by least squares, window by window (so a glitch shows as a large residual). worst is the
 * largest deviation from the fitted sine, relative to the amplitude. */
typedef struct h_tone { double freq, amp, worst; int crossings; } h_tone;

#define H_FIT_WINDOW 2400

__attribute__((unused)) static h_tone h_fit_tone(const float *x, long from, long len, double rate)
{
    h_tone t = { 0 };
    double first = -1, last = -1;
    for (long i = from + 1; i < from + len; i++)
        if (x[i - 1] < 0 && x[i] >= 0) {
            double at = (double)(i - 1) + x[i - 1] / (x[i - 1] - x[i]);
            if (first < 0) first = at;
            last = at;
            t.crossings++;
        }
    if (t.crossings < 3) return t;
    t.freq = (t.crossings - 1) / (last - first) * rate;
    double w = 2 * H_PI * t.freq / rate, amp_sum = 0, worst_abs = 0;
    int windows = 0;
    for (long w0 = from; w0 + H_FIT_WINDOW <= from + len; w0 += H_FIT_WINDOW) {
        double cc = 0, ss = 0, cs = 0, xc = 0, xs = 0;
        for (long i = w0; i < w0 + H_FIT_WINDOW; i++) {
            double c = cos(w * (double)i), s = sin(w * (double)i);
            cc += c * c, ss += s * s, cs += c * s, xc += x[i] * c, xs += x[i] * s;
        }
        double det = cc * ss - cs * cs, a = (xc * ss - xs * cs) / det, b = (xs * cc - xc * cs) / det;
        for (long i = w0; i < w0 + H_FIT_WINDOW; i++)
            worst_abs = fmax(worst_abs, fabs(x[i] - a * cos(w * (double)i) - b * sin(w * (double)i)));
        amp_sum += hypot(a, b);
        windows++;
    }
    t.amp = windows ? amp_sum / windows : 0;
    t.worst = t.amp > 0 ? worst_abs / t.amp : INFINITY;
    return t;
}

/* Channel c of a sound as its own array. */
__attribute__((unused)) static float *h_channel(const h_sound *s, int c)
{
    float *x = calloc((size_t)s->frames + 1, sizeof(float));
    for (long n = 0; n < s->frames; n++) x[n] = s->x[n * s->channels + c];
    return x;
}

/* The number of xruns jackd has logged so far. */
static int h_jack_xruns(const h_jack *j)
{
    char *log = read_file(j->log, NULL);
    int n = 0;
    for (const char *at = log; at && (at = strstr(at, "XRun")); at += 4) n++;
    free(log);
    return n;
}

/* jack_rec with a ring buffer of 2^20 frames (its disk thread is an ordinary thread, and may fall
 * behind on a loaded machine); it reports lost frames as "overruns" on stderr. */
#define H_JACK_REC "jack_rec -b 32 -B 1048576"

/* Whether a recording is whole: jack_rec lost nothing, and the server had no xrun meanwhile
 * (xruns_before: h_jack_xruns before it started). */
__attribute__((unused)) static int h_recording_whole(const h_jack *j, int xruns_before, const char *rec_err)
{
    h_sleep(0.05);
    int xruns = h_jack_xruns(j) - xruns_before, lost = strstr(rec_err, "overruns") != NULL;
    if (xruns) fprintf(stderr, "note: the JACK server had %d xrun(s) during the recording\n", xruns);
    if (lost) fprintf(stderr, "note: jack_rec lost frames: %s\n", rec_err);
    return !xruns && !lost;
}

/* Record `seconds` (whole) of the given ports with jack_rec into path. A recording with a gap that
 * is nobody's fault here (a server xrun: this virtual machine stalls now and then, most when the
 * load test runs beside; or jack_rec's disk thread falling behind) is made again, three times at
 * most. */
__attribute__((unused)) static void h_record(const h_jack *j, const char *path, int seconds, const char *ports)
{
    for (int attempt = 1;; attempt++) {
        int before = h_jack_xruns(j);
        run_result r = run_cmd(seconds + 15, H_JACK_REC " -f %s -d %d %s", path, seconds, ports);
        cr_assert_eq(r.status, 0, "jack_rec failed (%d): %s%s", r.status, r.out, r.err);
        int whole = h_recording_whole(j, before, r.err);
        run_free(&r);
        if (whole) return;
        cr_assert_lt(attempt, 3, "three recordings in a row had gaps");
    }
}

#endif
