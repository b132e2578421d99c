/* test_runtime_live.c — live audio end to end, through a real JACK server (the dummy backend) that
 * each test starts under a name of its own: examples compiled by agraphc play into JACK through
 * PortAudio, jack_rec records them, and the recordings are checked against closed forms. Also the
 * stdin commands during a run, a duplex program fed by another JACK client, underruns with both
 * cores loaded, stopping by signal, and the live errors. */
#include "runtime/harness.h"

#define SINE_AMP 0.25118864315095801      /* examples/sine.agraph: gain = -12dB */
#define FREQ_TOL 0.05                     /* Hz */
#define AMP_TOL 0.005                     /* relative */
#define GLITCH_TOL 0.01                   /* largest deviation from the fitted sine, relative */

static void expect_tone(const float *x, long from, long len, double freq, double amp, const char *what)
{
    h_tone t = h_fit_tone(x, from, len, H_RATE);
    cr_expect(fabs(t.freq - freq) < FREQ_TOL, "%s: frequency %.4f Hz, not %g", what, t.freq, freq);
    cr_expect(fabs(t.amp / amp - 1) < AMP_TOL, "%s: amplitude %.6f, not %.6f", what, t.amp, amp);
    cr_expect(t.worst < GLITCH_TOL, "%s: a sample is %.3g of the amplitude away from a sine (a glitch?)",
              what, t.worst);
}

/* Stop p with `quit`; it must answer and end with status 0. */
static void quit_program(h_proc *p)
{
    h_write(p, "quit\n");
    cr_expect(h_wait(p, 10), "the program did not stop after 'quit'");
    char *err = h_stderr(p);
    cr_expect_eq(p->status, 0, "exit status %d after 'quit'; stderr:\n%s", p->status, err);
    cr_expect(h_wait_output(p, "ok quit\n", 0), "no 'ok quit' answer");
    free(err);
}

Test(runtime_live, sine_plays_its_frequency_and_level, .timeout = 150)
{
    const char *dir = scratch_dir("live-sine");
    const char *sine = h_example(dir, "sine");
    h_jack j = h_jack_start("live-sine", 1, 256);
    h_proc p = h_start(dir, "sine", "%s --live --duration 30s", sine);
    h_wait_ports("sine:out_0 sine:out_1", &p);

    char *wav = fmt_str("%s/rec.wav", dir);
    h_record(&j, wav, 2, "sine:out_0 sine:out_1");
    quit_program(&p);
    char *log = h_jack_stop(&j);

    h_sound s = h_read_sound(wav);
    cr_assert_eq(s.rate, H_RATE);
    cr_assert_eq(s.channels, 2);
    cr_assert_geq(s.frames, H_RATE * 2 - 512, "%ld frames recorded", s.frames);
    /* A mono program plays on both channels of the stereo device. */
    for (int c = 0; c < 2; c++) {
        float *x = h_channel(&s, c);
        expect_tone(x, 0, s.frames, 440, SINE_AMP, c ? "right" : "left");
    }
    char *err = h_stderr(&p);
    cr_expect(strstr(err, "sine: live at 48000 Hz; out: 2 channels to 0 'system' (JACK Audio Connection Kit)"),
              "the start line:\n%s", err);
    cr_expect(strstr(err, "sine: stopped by quit after"), "the summary:\n%s", err);
    cr_expect(strstr(err, " underruns, ") || strstr(err, " underrun, "), "the summary:\n%s\njackd:\n%s", err, log);
}

Test(runtime_live, stdin_set_changes_the_sound, .timeout = 150)
{
    const char *dir = scratch_dir("live-set");
    const char *sine = h_example(dir, "sine");
    h_jack j = h_jack_start("live-set", 1, 256);
    h_proc p = h_start(dir, "sine", "%s --live --duration 30s --client-name tone --stats json", sine);
    h_wait_ports("tone:out_0", &p);

    /* Record 3 s; a second in, the frequency goes to 880 Hz and the gain to -6 dB. A recording
     * with a server xrun in it is made again (see h_record), from 440 Hz and -12 dB. */
    char *wav = fmt_str("%s/rec.wav", dir);
    int attempt = 1;
    for (;; attempt++) {
        if (attempt > 1) {
            h_write(&p, "set freq 440\nset gain -12dB\n");
            cr_assert(h_wait_output(&p, "ok freq 440Hz\nok gain -12dB\n", 5), "%s", h_stdout(&p));
            h_sleep(0.3);             /* the gain glides to its new value in some 10 ms */
        }
        int before = h_jack_xruns(&j);
        h_proc rec = h_start(dir, "rec", H_JACK_REC " -f %s -d 3 tone:out_0", wav);
        h_sleep(1.2);
        h_write(&p, "set freq 880\nset gain -6dB\n");
        cr_expect(h_wait_output(&p, "ok freq 880Hz\nok gain -6dB\n", 5), "answers:\n%s", h_stdout(&p));
        cr_assert(h_wait(&rec, 15), "jack_rec did not end");
        cr_assert_eq(rec.status, 0, "jack_rec: %s", h_stderr(&rec));
        if (h_recording_whole(&j, before, h_stderr(&rec))) break;
        cr_assert_lt(attempt, 3, "three recordings in a row had gaps");
    }

    /* The protocol, while the sound plays: units, refusals, probes, stats. */
    h_write(&p, "get\nget freq\nset freq 1.5kHz\nset freq 30kHz\nset nope 1\nset freq\nget nope\n"
                "probe level\n# a comment\n\nstats\nfrobnicate\n");
    cr_expect(h_wait_output(&p, "error: unknown command 'frobnicate'", 5), "answers:\n%s", h_stdout(&p));
    quit_program(&p);
    h_jack_stop(&j);

    char *out = h_stdout(&p);
    static const char *const answers[] = {
        "ok freq 880Hz\n",
        "ok gain -6dB\n",
        "ok freq 880Hz gain -6dB\n",
        "ok freq 880Hz\n",
        "ok freq 1500Hz\n",
        "error: parameter 'freq': 30kHz (30000 Hz) is out of its range [20 Hz, 20000 Hz]\n",
        "error: unknown parameter 'nope' (parameters: freq, gain)\n",
        "error: set needs a NAME and a VALUE: set NAME VALUE\n",
        "error: unknown parameter 'nope' (parameters: freq, gain)\n",
        "error: unknown probe 'level' (the program has no probes)\n",
        "ok blocks ",
        "error: unknown command 'frobnicate' (commands: set, get, probe, stats, help, quit)\n",
        "ok quit\n",
        "{\"stopped_by\": \"quit\"",
    };
    const char *at = out;
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        const char *found = strstr(at, answers[i]);
        cr_expect(found, "answer %zu '%s' missing (in order) from:\n%s", i, answers[i], out);
        if (found) at = found + strlen(answers[i]);
    }
    /* One answer line per command (none for the comment and the blank line), then the JSON. */
    int lines = 0;
    for (const char *c = out; *c; c++) lines += *c == '\n';
    cr_expect_eq(lines, 14 + 4 * (attempt - 1), "answers:\n%s", out);

    h_sound s = h_read_sound(wav);
    cr_assert_geq(s.frames, 3 * H_RATE - 512);
    expect_tone(s.x, 0, H_RATE / 2, 440, SINE_AMP, "before the change");
    expect_tone(s.x, s.frames - H_RATE / 2, H_RATE / 2, 880, pow(10, -6 / 20.0), "after the change");
}

/* fx with drive 0 dB and mix 0 is out = onepole(tanh(in), tone): a small sine comes out as a sine
 * scaled by the one-pole's gain (and tanh's, A - A^3/4 for the fundamental). */
Test(runtime_live, duplex_processes_another_clients_signal, .timeout = 150)
{
    const char *dir = scratch_dir("live-duplex");
    const char *fx = h_example(dir, "fx");
    const char *helper = h_jack_helper();
    h_jack j = h_jack_start("live-duplex", 1, 256);
    h_proc p = h_start(dir, "fx", "%s --live --duration 30s -p drive=0dB -p mix=0 -p tone=1kHz", fx);
    h_wait_ports("fx:in_0 fx:out_0", &p);

    const double f = 500, A = 0.05;
    h_proc play = h_start(dir, "play", "%s play 6 %g %g fx:in_0", helper, f, A);
    h_sleep(1.0);
    char *wav = fmt_str("%s/rec.wav", dir);
    h_record(&j, wav, 2, "fx:out_0 helper_play:out");
    quit_program(&p);
    h_wait(&play, 10);
    h_jack_stop(&j);

    double a = exp(-2 * H_PI * 1000 / H_RATE), w = 2 * H_PI * f / H_RATE;
    double gain = (1 - a) / sqrt(1 - 2 * a * cos(w) + a * a);
    h_sound s = h_read_sound(wav);
    cr_assert_eq(s.channels, 2);
    float *processed = h_channel(&s, 0), *played = h_channel(&s, 1);
    expect_tone(played, 0, s.frames, f, A, "the test signal");
    h_tone t = h_fit_tone(processed, 0, s.frames, H_RATE);
    cr_expect(fabs(t.freq - f) < FREQ_TOL, "processed: frequency %.4f Hz", t.freq);
    cr_expect(fabs(t.amp / ((A - A * A * A / 4) * gain) - 1) < 0.002, "processed: amplitude %.6f, not %.6f",
              t.amp, (A - A * A * A / 4) * gain);
    cr_expect(t.worst < 0.01, "processed: %.3g away from a sine", t.worst);
}

/* Which of the server's xruns the machine explains: an xrun is explained when a realtime thread
 * of jack_helper's watch (priority 90, above jackd's) was itself kept from running for more than
 * 2 ms around that moment, i.e. the whole virtual machine stalled. Returns the unexplained ones and
 * fills *xruns, *stalls and *worst_ms. */
static int unexplained_xruns(const char *watch, int *xruns, int *stalls, double *worst_ms)
{
    enum { MAX = 4096 };
    static double xrun_t[MAX], stall_end[MAX], stall_len[MAX];
    int nx = 0, ns = 0;
    *xruns = *stalls = -1;
    *worst_ms = 0;
    for (const char *line = watch; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        double t, late;
        if (sscanf(line, "xrun %lf", &t) == 1 && nx < MAX) xrun_t[nx++] = t;
        else if (sscanf(line, "stall %lf %lf", &t, &late) == 2 && ns < MAX)
            stall_end[ns] = t, stall_len[ns++] = late / 1000 + 0.001;
        else sscanf(line, "xruns %d stalls %d worst %lf", xruns, stalls, worst_ms);
    }
    int unexplained = 0;
    for (int i = 0; i < nx; i++) {
        int explained = 0;
        for (int k = 0; k < ns && !explained; k++)
            explained = xrun_t[i] >= stall_end[k] - stall_len[k] - 0.03 && xrun_t[i] <= stall_end[k] + 0.03;
        unexplained += !explained;
    }
    return unexplained;
}

/* 30 s of fx (duplex, fed by another client) at 256 frames with realtime jackd while two busy
 * loops hold both cores. The program's callback must stay far inside its 5.3 ms, and the run must
 * have no underrun that the machine does not explain: this test machine is a virtual machine
 * that, with both of its CPUs busy, is now and then stopped for 6 or 7 ms by its host, which no
 * realtime thread inside survives at 256 frames. jack_helper's watch measures those stalls. */
/* One 30 s run; returns how many things a machine stall could explain went wrong (0: clean). */
static int load_run(const char *dir, const char *fx, int attempt)
{
    const char *helper = h_jack_helper();
    h_jack j = h_jack_start(fmt_str("live-load%d", attempt), 1, 256);
    h_proc load[2];
    for (int k = 0; k < 2; k++) load[k] = h_start(dir, k ? "yes1" : "yes0", "yes >/dev/null");
    h_proc watch = h_start(dir, "watch", "%s watch 32", helper);
    h_proc p = h_start(dir, "fx", "%s --live --duration 30s --block 256 --stats json", fx);
    h_wait_ports("fx:in_0 fx:out_0", &p);
    h_proc play = h_start(dir, "play", "%s play 31 220 0.3 fx:in_0", helper);

    int ended = h_wait(&p, 60);
    h_wait(&watch, 15);
    for (int k = 0; k < 2; k++) {
        kill(load[k].pid, SIGKILL);
        h_wait(&load[k], 5);
    }
    h_wait(&play, 10);
    char *log = h_jack_stop(&j);
    char *out = h_stdout(&p), *err = h_stderr(&p), *watched = h_stdout(&watch);
    cr_assert(ended, "fx --live --duration 30s did not stop by itself");
    cr_assert_eq(p.status, 0, "exit status %d:\n%s", p.status, err);
    cr_expect(strstr(out, "\"stopped_by\": \"--duration\""), "%s", out);
    cr_expect(strstr(out, "\"frames\": 1440000,"), "not 30 s of frames: %s", out);
    cr_expect(strstr(out, "\"block_frames\": 256,"), "%s", out);

    unsigned long long underruns = ~0ull, overruns = ~0ull;
    double max_us = 1e9;
    const char *u = strstr(out, "\"underruns\": ");
    cr_assert(u && sscanf(u, "\"underruns\": %llu, \"overruns\": %llu", &underruns, &overruns) == 2, "%s", out);
    const char *m = strstr(out, "\"callback_max_us\": ");
    cr_assert(m && sscanf(m, "\"callback_max_us\": %lf", &max_us) == 1, "%s", out);
    int xruns, stalls;
    double worst_ms;
    int unexplained = unexplained_xruns(watched, &xruns, &stalls, &worst_ms);
    cr_assert_geq(xruns, 0, "the watch did not report: %s %s", watched, h_stderr(&watch));
    /* What a stall of the virtual machine can spoil is judged over several runs, not one. */
    int bad = unexplained;
    if (underruns > (unsigned long long)xruns || overruns > (unsigned long long)xruns) bad++;
    if (stalls == 0 && underruns + overruns) bad++;
    if (!(max_us < 5333.3 / 4)) bad++;
    printf("fx, 30 s at 256 frames, both cores loaded (run %d): %s    machine: %d stalls over 2 ms (worst %.1f ms), "
           "server xruns %d, unexplained %d\n", attempt, out, stalls, worst_ms, xruns, unexplained);
    if (bad)
        fprintf(stderr, "run %d: %d xruns without a machine stall; fx %llu underruns, %llu overruns, server %d "
                "xruns; callback max %.1f us\n%s\nfx: %s\njackd:\n%s\n", attempt, unexplained, underruns,
                overruns, xruns, max_us, watched, out, log);
    return bad;
}

/* 30 s of fx (duplex, fed by another client) at 256 frames with realtime jackd while two busy
 * loops hold both cores. The program's callback must stay far inside its 5.3 ms, and the run must
 * have no underrun that the machine does not explain: this test machine is a virtual machine
 * that, with both of its CPUs busy, is now and then stopped for 6 or 7 ms by its host, which no
 * realtime thread inside survives at 256 frames. jack_helper's watch measures those stalls. A
 * stall can escape the watch (under 2 ms, or between its wake-ups), so a run with an unexplained
 * xrun (or a callback slowed past a quarter of its block, as a stall inside it would) is made
 * again; three in a row fail. */
Test(runtime_live, no_underruns_with_both_cores_loaded, .timeout = 360)
{
    const char *dir = scratch_dir("live-load");
    const char *fx = h_example(dir, "fx");
    h_jack_lock(1);               /* no other test's JACK server meanwhile */
    for (int attempt = 1; attempt <= 3; attempt++)
        if (load_run(dir, fx, attempt) == 0) return;
    cr_expect(0, "three runs in a row had underruns the machine does not explain, or a slow callback");
}

static void stop_by_signal(int sig, const char *name)
{
    const char *dir = scratch_dir("live-signal");
    const char *sine = h_example(dir, "sine");
    h_jack j = h_jack_start("live-signal", 1, 256);
    h_proc p = h_start(dir, "sine", "%s --live", sine);
    h_wait_ports("sine:out_0", &p);
    h_sleep(0.3);
    kill(p.pid, sig);
    cr_expect(h_wait(&p, 10), "still running 10 s after %s", name);
    h_jack_stop(&j);
    char *err = h_stderr(&p), *want = fmt_str("sine: stopped by %s after ", name);
    cr_expect_eq(p.status, 0, "exit status %d after %s:\n%s", p.status, name, err);
    cr_expect(strstr(err, want), "no '%s' in:\n%s", want, err);
    cr_expect(strstr(err, "overrun"), "no underrun and overrun counts in:\n%s", err);
}

Test(runtime_live, ctrl_c_stops_cleanly, .timeout = 150)
{
    stop_by_signal(SIGINT, "SIGINT");
}

Test(runtime_live, sigterm_stops_cleanly, .timeout = 150)
{
    stop_by_signal(SIGTERM, "SIGTERM");
}

Test(runtime_live, devices_and_live_errors, .timeout = 150)
{
    const char *dir = scratch_dir("live-errors");
    const char *sine = h_example(dir, "sine"), *fx = h_example(dir, "fx");
    h_jack j = h_jack_start("live-errors", 1, 256);

    run_result r = run_cmd(20, "%s --list-devices", sine);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "  0  system") && strstr(r.out, "JACK Audio Connection Kit    2   2  48000 Hz"),
              "--list-devices:\n%s", r.out);
    cr_expect_str_empty(r.err, "ALSA's or JACK's chatter got through:\n%s", r.err);
    run_free(&r);

    /* By number, by name, by a part of the name: each runs. */
    static const char *const devices[] = { "0", "system", "SYST" };
    for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++) {
        r = run_cmd(20, "%s --live --duration 0.2s --device %s --quiet", sine, devices[i]);
        cr_expect_eq(r.status, 0, "--device %s: %s", devices[i], r.err);
        cr_expect_str_empty(r.err, "--device %s --quiet printed:\n%s", devices[i], r.err);
        run_free(&r);
    }
    char *control = fmt_str("%s/missing/control", dir);
    static const struct { int fx; const char *args; int status; const char *msg; } cases[] = {
        { 0, "--device nosuch", 1, "no audio output device is called 'nosuch' (output devices: 0 'system' (JACK Audio Connection Kit))" },
        { 0, "--device 7", 1, "there is no audio device 7 (output devices: 0 'system'" },
        { 0, "--output-device -1", 1, "there is no audio device -1" },
        { 1, "--input-device nosuch", 1, "no audio input device is called 'nosuch'" },
        { 0, "--sr 44100", 1, "the audio device cannot run at 44100 Hz" },
        { 0, "--sr 384000", 1, "cannot run at 384000 Hz" },
        { 0, "--control CONTROL", 1, "the folder" },
        { 0, "-o x.wav", 2, "--output is for rendering to files, not for --live" },
        { 0, "--probe-out p.csv", 2, "--probe-out is for rendering to files" },
        { 0, "--stats yaml", 2, "--stats: 'yaml' is not one of text, json, none" },
        { 0, "--input-device 0", 2, "--input-device: the program has no inputs to record" },
        { 0, "--client-name=", 2, "--client-name: the name is empty" },
        { 0, "-p freq=1Hz", 2, "parameter 'freq': 1 Hz is out of its range [20 Hz, 20000 Hz]" },
        { 0, "--block 0", 2, "--block" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *args = strdup(cases[i].args);
        char *c = strstr(args, "CONTROL");
        if (c) args = fmt_str("%.*s%s%s", (int)(c - args), args, control, c + 7);
        r = run_cmd(20, "%s --live --duration 1s %s", cases[i].fx ? fx : sine, args);
        cr_expect_eq(r.status, cases[i].status, "`%s`: exit %d, not %d:\n%s", args, r.status,
                     cases[i].status, r.err);
        cr_expect(strstr(r.err, cases[i].msg), "`%s`: no '%s' in:\n%s", args, cases[i].msg, r.err);
        cr_expect(strstr(r.err, cases[i].fx ? "fx: error: " : "sine: error: "), "%s", r.err);
        run_free(&r);
    }
    cr_expect(!file_exists(control));
    /* Options of a live run are refused without --live. */
    static const char *const live_only[] = { "--device 0", "--control c", "--stats json", "--client-name x" };
    for (size_t i = 0; i < sizeof live_only / sizeof live_only[0]; i++) {
        r = run_cmd(20, "%s -o %s/x.wav --duration 1s %s", sine, dir, live_only[i]);
        cr_expect_eq(r.status, 2, "%s: %s", live_only[i], r.err);
        cr_expect(strstr(r.err, "is for --live runs"), "%s: %s", live_only[i], r.err);
        run_free(&r);
    }
    h_jack_stop(&j);

    /* With no server at all there is no device (this machine has no sound card), and the message
     * says so plainly. */
    setenv("JACK_DEFAULT_SERVER", "agraph-no-such-server", 1);
    r = run_cmd(20, "%s --live --duration 1s", sine);
    if (r.status != 0) {            /* else this machine has a sound card, and it played */
        cr_expect_eq(r.status, 1, "%s", r.err);
        cr_expect(strstr(r.err, "sine: error: there is no audio output device: PortAudio found no "
                                "sound card and no JACK server"), "%s", r.err);
        cr_expect(!strstr(r.err, "Cannot connect to server"), "JACK's chatter got through:\n%s", r.err);
    }
    run_free(&r);
}

/* A JACK server that is there but will not let the program in (a busy server can refuse a client
 * now and then): the program asks again for a while, then says so, naming the server. */
Test(runtime_live, jack_server_that_refuses, .timeout = 60)
{
    const char *dir = scratch_dir("live-refused");
    const char *sine = h_example(dir, "sine");
    char *name = fmt_str("agraph-refusing-%d", (int)getpid());
    setenv("JACK_DEFAULT_SERVER", name, 1);
    h_proc fake = h_start(dir, "fake", "/usr/bin/python3 tests/runtime/fake_jack.py %s 12", name);
    char *path = fmt_str("/dev/shm/jack_%s_%d_0", name, (int)getuid());
    for (double until = h_now() + 10; !file_exists(path) && h_now() < until;) h_sleep(0.02);
    cr_assert(file_exists(path), "fake_jack.py did not start listening:\n%s", h_stderr(&fake));

    run_result r = run_cmd(30, "%s --live --duration 1s", sine);
    cr_expect_eq(r.status, 1, "%s", r.err);
    char *want = fmt_str("sine: warning: the JACK server '%s' is running but PortAudio could not "
                         "connect to it (JACK: ", name);
    cr_expect(strstr(r.err, want), "no '%s' in:\n%s", want, r.err);
    cr_expect(strstr(r.err, "sine: error: there is no audio output device: PortAudio found no sound "
                            "card and could not connect to the JACK server"), "%s", r.err);
    run_free(&r);
    kill(fake.pid, SIGTERM);
    h_wait(&fake, 10);
    /* Asked again: without asking again it makes 4 connections (PortAudio 2, the check 2). */
    char *out = h_stdout(&fake);
    int refused = 0;
    const char *at = strstr(out, "refused ");
    if (at) refused = atoi(at + 8);
    cr_expect_geq(refused, 12, "the program asked the server only %d time(s):\n%s", refused, out);
}
