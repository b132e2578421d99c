/* test_runtime_offline.c — the offline runtime (build/libagraph.a) end to end. Hand-written program
 * files in tests/runtime/ stand in for agraphc's output; each is linked with the library and run,
 * and its sound files are checked against closed forms, its errors for message, status and files. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define PI 3.14159265358979323846
#define IN_RATE 44100      /* of the test input files */
#define IN_FRAMES 10000
/* What an executable links after build/libagraph.a: the Makefile's RT_LIBS. */
#define RT_LIBS "-lportaudio -ljack -lasound -lsndfile -lm -lpthread"

/* ---- helpers -------------------------------------------------------------------------------- */

static int newer_than(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return 0;
    return sa.st_mtim.tv_sec > sb.st_mtim.tv_sec
        || (sa.st_mtim.tv_sec == sb.st_mtim.tv_sec && sa.st_mtim.tv_nsec >= sb.st_mtim.tv_nsec);
}

/* The executable of tests/runtime/fixture_NAME.c linked with build/libagraph.a, built once into
 * build/tmp/rt-fixtures and shared by the tests. Tests run in parallel, so each build goes to a
 * name of its own and is renamed into place. */
static const char *fixture(const char *name)
{
    char *exe = fmt_str("build/tmp/rt-fixtures/%s", name);
    char *src = fmt_str("tests/runtime/fixture_%s.c", name);
    cr_assert(file_exists("build/libagraph.a"), "build/libagraph.a is missing: run make first");
    if (newer_than(exe, src) && newer_than(exe, "build/libagraph.a")
        && newer_than(exe, "runtime/agraph_program.h"))
        return exe;
    mkdir("build", 0777);
    mkdir("build/tmp", 0777);
    mkdir("build/tmp/rt-fixtures", 0777);
    run_result r = run_cmd(120, "cc -O2 -std=c11 -Wall -Wextra -Wno-unused-parameter -Werror "
                           "-DAGRAPH_RUNTIME -I runtime %s build/libagraph.a " RT_LIBS " "
                           "-o %s.$$ && mv -f %s.$$ %s", src, exe, exe, exe);
    cr_assert_eq(r.status, 0, "building %s failed:\n%s", src, r.err);
    run_free(&r);
    free(src);
    return exe;
}

typedef struct sound {
    SF_INFO info;
    float *x;             /* interleaved, info.frames frames */
} sound;

static sound read_sound(const char *path)
{
    sound s;
    memset(&s, 0, sizeof s);
    SNDFILE *f = sf_open(path, SFM_READ, &s.info);
    cr_assert(f, "cannot read %s: %s", path, sf_strerror(NULL));
    s.x = calloc((size_t)s.info.frames * (size_t)s.info.channels + 1, sizeof(float));
    cr_assert_eq(sf_readf_float(f, s.x, s.info.frames), s.info.frames, "short read of %s", path);
    sf_close(f);
    return s;
}

/* Channel c of the test input signals: distinct, deterministic, within [-0.5, 0.5]. */
static float test_signal(long n, int c)
{
    switch (c % 3) {
    case 0: return (float)(0.5 * sin(2 * PI * 0.01 * (double)n));
    case 1: return (float)(0.4 * ((double)((n * 7919) % 2000) / 1000.0 - 1.0));
    default: return (float)(0.3 * cos(2 * PI * 0.003 * (double)n));
    }
}

/* A float WAV of `channels` channels carrying test_signal channels first, first+1, ... */
static char *make_input(const char *dir, const char *name, int rate, int channels, int first,
                        long frames)
{
    char *path = fmt_str("%s/%s", dir, name);
    SF_INFO info = { .samplerate = rate, .channels = channels,
                     .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    cr_assert(f, "cannot write %s: %s", path, sf_strerror(NULL));
    float *x = calloc((size_t)(frames * channels) + 1, sizeof(float));
    for (long n = 0; n < frames; n++)
        for (int c = 0; c < channels; c++) x[n * channels + c] = test_signal(n, first + c);
    cr_assert_eq(sf_writef_float(f, x, frames), frames);
    sf_close(f);
    free(x);
    return path;
}

/* Compare the sine fixture's output with 10^(gain/20) sin(2 pi freq n / sr), 0 before `delay`. */
static void check_sine(const sound *s, double freq, double gain_db, double delay_ms, double tol)
{
    double g = pow(10.0, gain_db / 20.0), sr = s->info.samplerate, worst = 0;
    long long start = llround(delay_ms * sr / 1000.0), at = -1;
    cr_assert_eq(s->info.channels, 1);
    for (long long n = 0; n < s->info.frames; n++) {
        double want = n < start ? 0.0 : g * sin(2 * PI * freq * (double)n / sr);
        double err = fabs(s->x[n] - want);
        if (err > worst) worst = err, at = n;
    }
    cr_expect_leq(worst, tol, "sample %lld is off by %g (freq %g, gain %g dB, delay %g ms)", at,
                  worst, freq, gain_db, delay_ms);
}

/* Compare the gain fixture's output with the test input times 10^(gain/20); frames past
 * `in_frames` must be silence. */
static void check_gain(const sound *s, double gain_db, long in_frames, double tol)
{
    double g = pow(10.0, gain_db / 20.0), worst = 0;
    long at = -1;
    cr_assert_eq(s->info.channels, 2);
    for (long n = 0; n < s->info.frames; n++)
        for (int c = 0; c < 2; c++) {
            double want = n < in_frames ? test_signal(n, c) * g : 0.0;
            double err = fabs(s->x[n * 2 + c] - want);
            if (err > worst) worst = err, at = n;
        }
    cr_expect_leq(worst, tol, "frame %ld is off by %g (gain %g dB)", at, worst, gain_db);
}

static int has_temp_file(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    if (!d) return 0;
    while ((e = readdir(d)))
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) found = 1;
    closedir(d);
    return found;
}

static void check_error(run_result *r, int code, const char *prog, const char *msg, const char *cmd)
{
    char *prefix = fmt_str("%s: error: ", prog);
    cr_expect_eq(r->status, code, "`%s` exited %d, not %d; stderr:\n%s", cmd, r->status, code, r->err);
    cr_expect(strstr(r->err, prefix), "`%s`: no '%s' in stderr:\n%s", cmd, prefix, r->err);
    cr_expect(strstr(r->err, msg), "`%s`: no '%s' in stderr:\n%s", cmd, msg, r->err);
    if (code == 2)
        cr_expect(strstr(r->err, "--help"), "`%s`: a usage error should point at --help:\n%s", cmd,
                  r->err);
    free(prefix);
}

/* Run cmd, which must fail with exit status `code` and `msg` on stderr, writing neither `out` nor
 * any temporary file in `dir`. Then again with `out` already there: it must be left unchanged. */
static void expect_failure(const char *dir, const char *out, int code, const char *prog,
                           const char *msg, const char *cmd)
{
    unlink(out);
    run_result r = run_cmd(30, "%s", cmd);
    check_error(&r, code, prog, msg, cmd);
    cr_expect(!file_exists(out), "`%s` left %s behind", cmd, out);
    cr_expect(!has_temp_file(dir), "`%s` left a temporary file in %s", cmd, dir);
    run_free(&r);

    const char *old = "an earlier output, to be left alone\n";
    if (write_file(out, old) != 0) return;      /* a folder that cannot hold it anyway */
    r = run_cmd(30, "%s", cmd);
    check_error(&r, code, prog, msg, cmd);
    char *now = read_file(out, NULL);
    cr_expect(now && strcmp(now, old) == 0, "`%s` changed the existing %s", cmd, out);
    cr_expect(!has_temp_file(dir), "`%s` left a temporary file in %s", cmd, dir);
    free(now);
    run_free(&r);
    unlink(out);
}

static void run_ok(const char *cmd)
{
    run_result r = run_cmd(60, "%s", cmd);
    cr_assert_eq(r.status, 0, "`%s` exited %d:\n%s", cmd, r.status, r.err);
    cr_expect_str_empty(r.err, "`%s` printed:\n%s", cmd, r.err);
    run_free(&r);
}

static void sleep_s(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    nanosleep(&ts, NULL);
}

/* ---- generators: the sine fixture ----------------------------------------------------------- */

Test(runtime_offline, sine_renders_its_closed_form)
{
    const char *sine = fixture("sine"), *dir = scratch_dir("rt-sine");
    char *out = fmt_str("%s/out.wav", dir);
    run_ok(fmt_str("%s -o %s --duration 2s", sine, out));
    sound s = read_sound(out);
    cr_expect_eq(s.info.frames, 96000);
    cr_expect_eq(s.info.samplerate, 48000);
    cr_expect_eq(s.info.format, SF_FORMAT_WAV | SF_FORMAT_FLOAT, "default WAV subtype is float");
    check_sine(&s, 440, -6, 0, 1e-6);
    cr_expect(!has_temp_file(dir));
}

Test(runtime_offline, duration_as_time_or_samples)
{
    const char *sine = fixture("sine"), *dir = scratch_dir("rt-duration");
    static const struct { const char *arg; int rate; long frames; } cases[] = {
        { "500ms", 48000, 24000 },  { "96000", 48000, 96000 },  { "2.5s", 48000, 120000 },
        { "1000samples", 48000, 1000 },  { "0", 48000, 0 },  { "2s", 44100, 88200 },
        { "0.1s", 22050, 2205 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = fmt_str("%s/d%zu.wav", dir, i);
        run_ok(fmt_str("%s -o %s --duration %s --sr %d", sine, out, cases[i].arg, cases[i].rate));
        sound s = read_sound(out);
        cr_expect_eq(s.info.frames, cases[i].frames, "--duration %s at %d Hz", cases[i].arg,
                     cases[i].rate);
        cr_expect_eq(s.info.samplerate, cases[i].rate);
        check_sine(&s, 440, -6, 0, 1e-6);
    }
    /* A sample rate may carry a unit of frequency too. */
    char *out = fmt_str("%s/khz.wav", dir);
    run_ok(fmt_str("%s -o %s --duration 1s --sr 44.1kHz", sine, out));
    cr_expect_eq(read_sound(out).info.samplerate, 44100);
}

Test(runtime_offline, params_take_units_of_their_dimension)
{
    const char *sine = fixture("sine"), *dir = scratch_dir("rt-params");
    char *out = fmt_str("%s/out.wav", dir);
    /* 2kHz for a Hz parameter, -12dB for a dB one, 0.25s for an ms one. */
    run_ok(fmt_str("%s -o %s --duration 1s --param freq=2kHz --param gain=-12dB --param delay=0.25s",
                   sine, out));
    sound s = read_sound(out);
    check_sine(&s, 2000, -12, 250, 1e-6);
    /* Plain numbers are in the parameter's unit; -p and --param=... are the same option; the last
     * setting of a parameter wins; the ends of a range are inside it. */
    run_ok(fmt_str("%s -o %s --duration 0.5s -p freq=100 -pgain=-3 --param=delay=20 "
                   "--param freq=20000 --param freq=300Hz", sine, out));
    s = read_sound(out);
    check_sine(&s, 300, -3, 20, 1e-6);
    run_ok(fmt_str("%s -o %s --duration 0.5s -p freq=0.02kHz -p gain=0dB -p delay=1s", sine, out));
    s = read_sound(out);
    check_sine(&s, 20, 0, 1000, 1e-6);
}

Test(runtime_offline, any_block_size_gives_the_same_samples)
{
    const char *sine = fixture("sine"), *dir = scratch_dir("rt-block");
    static const char *const blocks[] = { "1", "7", "512", "4096", "1048576" };
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
        char *out = fmt_str("%s/b%s.wav", dir, blocks[i]);
        run_ok(fmt_str("%s -o %s --duration 10007 --block %s -p freq=1000 -p delay=3ms", sine,
                       out, blocks[i]));
        sound s = read_sound(out);
        cr_expect_eq(s.info.frames, 10007, "--block %s", blocks[i]);
        check_sine(&s, 1000, -6, 3, 1e-6);
    }
}

Test(runtime_offline, tail_extends_a_generator)
{
    const char *sine = fixture("sine"), *dir = scratch_dir("rt-gentail");
    char *out = fmt_str("%s/out.wav", dir);
    run_ok(fmt_str("%s -o %s --duration 1000 --tail 10ms --block 300", sine, out));
    sound s = read_sound(out);
    cr_expect_eq(s.info.frames, 1480);
    check_sine(&s, 440, -6, 0, 1e-6);
}

Test(runtime_offline, sample_rate_above_the_maximum)
{
    const char *sine = fixture("sine"), *dir = scratch_dir("rt-maxsr");
    char *out = fmt_str("%s/out.wav", dir);
    expect_failure(dir, out, 1, "sine", "sample rate 384000 is above the program's maximum 192000",
                   fmt_str("%s -o %s --duration 1s --sr 384000", sine, out));
}

/* ---- effects: the gain fixture -------------------------------------------------------------- */

Test(runtime_offline, stereo_file_through_gain)
{
    const char *gain = fixture("gain"), *dir = scratch_dir("rt-gain");
    char *in = make_input(dir, "in.wav", IN_RATE, 2, 0, IN_FRAMES);
    char *out = fmt_str("%s/out.wav", dir);
    run_ok(fmt_str("%s -i %s -o %s --param gain=-6dB", gain, in, out));
    sound s = read_sound(out);
    cr_expect_eq(s.info.frames, IN_FRAMES, "the length is the input's");
    cr_expect_eq(s.info.samplerate, IN_RATE, "the sample rate is the input's");
    cr_expect_eq(s.info.format, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
    check_gain(&s, -6, IN_FRAMES, 1e-6);
    /* The default, 0 dB, copies the input exactly. */
    run_ok(fmt_str("%s -i %s -o %s", gain, in, out));
    s = read_sound(out);
    check_gain(&s, 0, IN_FRAMES, 0);
}

Test(runtime_offline, two_mono_files_feed_a_stereo_program)
{
    const char *gain = fixture("gain"), *dir = scratch_dir("rt-mono2");
    char *l = make_input(dir, "l.wav", IN_RATE, 1, 0, IN_FRAMES);
    char *r = make_input(dir, "r.wav", IN_RATE, 1, 1, IN_FRAMES - 3000);
    char *out = fmt_str("%s/out.wav", dir);
    run_ok(fmt_str("%s -i %s -i %s -o %s -p gain=6", gain, l, r, out));
    sound s = read_sound(out);
    cr_assert_eq(s.info.frames, IN_FRAMES, "the length is the longest input's");
    double g = pow(10.0, 6 / 20.0), worst = 0;
    for (long n = 0; n < IN_FRAMES; n++) {
        worst = fmax(worst, fabs(s.x[2 * n] - test_signal(n, 0) * g));
        double want_r = n < IN_FRAMES - 3000 ? test_signal(n, 1) * g : 0.0;  /* silence after r ends */
        worst = fmax(worst, fabs(s.x[2 * n + 1] - want_r));
    }
    cr_expect_leq(worst, 1e-6, "left from l.wav, right from r.wav");
}

Test(runtime_offline, duration_and_tail_with_an_input)
{
    const char *gain = fixture("gain"), *dir = scratch_dir("rt-efftail");
    char *in = make_input(dir, "in.wav", IN_RATE, 2, 0, IN_FRAMES);
    char *out = fmt_str("%s/out.wav", dir);
    static const struct { const char *args; long frames, fed; } cases[] = {
        { "--duration 5000", 5000, 5000 },                  /* cut short */
        { "--duration 15000", 15000, IN_FRAMES },           /* extended with silence fed in */
        { "--duration 0.5s", 22050, IN_FRAMES },            /* a time, at the input's rate */
        { "--tail 0.1s", IN_FRAMES + 4410, IN_FRAMES },     /* silence-fed frames after the input */
        { "--duration 5000 --tail 100", 5100, 5000 },
        { "--tail 100 --block 1", IN_FRAMES + 100, IN_FRAMES },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_ok(fmt_str("%s -i %s -o %s -p gain=-1 %s", gain, in, out, cases[i].args));
        sound s = read_sound(out);
        cr_expect_eq(s.info.frames, cases[i].frames, "%s", cases[i].args);
        check_gain(&s, -1, cases[i].fed, 1e-6);
    }
}

Test(runtime_offline, empty_input_gives_empty_output)
{
    const char *gain = fixture("gain"), *dir = scratch_dir("rt-empty");
    char *in = make_input(dir, "in.wav", IN_RATE, 2, 0, 0);
    char *out = fmt_str("%s/out.wav", dir);
    run_ok(fmt_str("%s -i %s -o %s", gain, in, out));
    sound s = read_sound(out);
    cr_expect_eq(s.info.frames, 0);
    cr_expect_eq(s.info.channels, 2);
}

Test(runtime_offline, bits_choose_the_sample_format)
{
    const char *gain = fixture("gain"), *dir = scratch_dir("rt-bits");
    char *in = make_input(dir, "in.wav", IN_RATE, 2, 0, IN_FRAMES);
    static const struct { const char *file, *bits; int format; double tol; } cases[] = {
        { "o16.wav", "--bits 16", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1.0 / 32768 },
        { "o24.wav", "--bits 24", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 1.0 / 8388608 },
        { "o32.wav", "--bits 32", SF_FORMAT_WAV | SF_FORMAT_PCM_32, 1e-7 },
        { "o32f.wav", "--bits 32f", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1e-7 },
        { "o.aiff", "--bits 16", SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 1.0 / 32768 },
        { "o.flac", "", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 1.0 / 8388608 },
        { "o16.flac", "--bits 16", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 1.0 / 32768 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = fmt_str("%s/%s", dir, cases[i].file);
        run_ok(fmt_str("%s -i %s -o %s -p gain=-2 %s", gain, in, out, cases[i].bits));
        sound s = read_sound(out);
        cr_expect_eq(s.info.format, cases[i].format, "%s %s: format %#x", cases[i].file,
                     cases[i].bits, s.info.format);
        check_gain(&s, -2, IN_FRAMES, cases[i].tol);
    }
}

Test(runtime_offline, integer_output_clips_instead_of_wrapping)
{
    const char *gain = fixture("gain"), *dir = scratch_dir("rt-clip");
    char *in = make_input(dir, "in.wav", IN_RATE, 2, 0, IN_FRAMES);
    char *out = fmt_str("%s/out.wav", dir);
    run_ok(fmt_str("%s -i %s -o %s -p gain=12dB --bits 16", gain, in, out));
    sound s = read_sound(out);
    float peak = 0;
    for (long n = 0; n < IN_FRAMES; n++) {
        float x = test_signal(n, 0), y = s.x[2 * n];
        peak = fmaxf(peak, y);
        if (fabsf(x) > 0.01f)
            cr_assert(x * y > 0, "frame %ld: %g became %g: wrapped around", n, x, y);
    }
    cr_expect_geq(peak, 0.999f, "full scale reached");
}

Test(runtime_offline, output_formats_by_extension)
{
    const char *gain = fixture("gain"), *dir = scratch_dir("rt-formats");
    char *in = make_input(dir, "in.wav", IN_RATE, 2, 0, IN_FRAMES);
    static const struct { const char *ext; int format; int lossless; } cases[] = {
        { "wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1 },   { "WAV", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1 },
        { "aiff", SF_FORMAT_AIFF | SF_FORMAT_FLOAT, 1 }, { "aif", SF_FORMAT_AIFF | SF_FORMAT_FLOAT, 1 },
        { "caf", SF_FORMAT_CAF | SF_FORMAT_FLOAT, 1 },   { "w64", SF_FORMAT_W64 | SF_FORMAT_FLOAT, 1 },
        { "rf64", SF_FORMAT_RF64 | SF_FORMAT_FLOAT, 1 }, { "au", SF_FORMAT_AU | SF_FORMAT_FLOAT, 1 },
        { "snd", SF_FORMAT_AU | SF_FORMAT_FLOAT, 1 },    { "flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 1 },
        { "ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 0 },  { "oga", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 0 },
        { "mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = fmt_str("%s/out%zu.%s", dir, i, cases[i].ext);
        run_ok(fmt_str("%s -i %s -o %s", gain, in, out));
        sound s = read_sound(out);
        cr_expect_eq(s.info.format, cases[i].format, ".%s: format %#x", cases[i].ext, s.info.format);
        cr_expect_eq(s.info.channels, 2, ".%s", cases[i].ext);
        cr_expect_eq(s.info.samplerate, IN_RATE, ".%s", cases[i].ext);
        if (cases[i].lossless) {
            cr_expect_eq(s.info.frames, IN_FRAMES, ".%s", cases[i].ext);
            check_gain(&s, 0, IN_FRAMES, 1.0 / 8388608);
            continue;
        }
        /* Lossy: about the right length, and the right loudness (RMS within 10%). */
        cr_expect(labs((long)s.info.frames - IN_FRAMES) < 3000, ".%s: %ld frames", cases[i].ext,
                  (long)s.info.frames);
        double e_in = 0, e_out = 0;
        for (long n = 0; n < IN_FRAMES; n++) e_in += pow(test_signal(n, 0), 2);
        for (long n = 0; n < s.info.frames; n++) e_out += pow(s.x[2 * n], 2);
        double ratio = sqrt(e_out / e_in);
        cr_expect(ratio > 0.9 && ratio < 1.1, ".%s: RMS ratio %g", cases[i].ext, ratio);
    }
    /* Opus takes 48 kHz; any other rate is refused by libsndfile, with no file left. */
    const char *sine = fixture("sine");
    char *out = fmt_str("%s/out.opus", dir);
    run_ok(fmt_str("%s -o %s --duration 1s", sine, out));
    cr_expect_eq(read_sound(out).info.format, SF_FORMAT_OGG | SF_FORMAT_OPUS);
    expect_failure(dir, out, 1, "sine", "Opus", fmt_str("%s -o %s --duration 1s --sr 44100", sine, out));
}

/* ---- the odd fixture: one input, three outputs, toggles, plain numbers ---------------------- */

static void check_constant(const sound *s, int channel, double want, const char *what)
{
    double worst = 0;
    for (long n = 0; n < s->info.frames; n++)
        worst = fmax(worst, fabs(s->x[n * s->info.channels + channel] - want));
    cr_expect_leq(worst, 1e-7, "%s: channel %d is not %g", what, channel, want);
}

Test(runtime_offline, one_input_three_outputs_and_switches)
{
    const char *odd = fixture("odd"), *dir = scratch_dir("rt-odd");
    char *in = make_input(dir, "in.wav", 48000, 1, 0, 3000);
    char *out = fmt_str("%s/out.wav", dir);
    static const struct { const char *args; double trig, time_s; } cases[] = {
        { "", 0, 0.35 },                                      /* the defaults */
        { "-p time=0.5s -p trig=on", 1, 0.5 },                /* s for an ms parameter */
        { "-p time=750 -p trig=true -p hold=off", 1, 0.75 },  /* plain numbers are in ms */
        { "-p time=2s -p trig=1 -p trig=OFF", 0, 2.0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_ok(fmt_str("%s -i %s -o %s -p mix=0.25 %s", odd, in, out, cases[i].args));
        sound s = read_sound(out);
        cr_assert_eq(s.info.channels, 3);
        cr_expect_eq(s.info.frames, 3000);
        double worst = 0;
        for (long n = 0; n < 3000; n++) worst = fmax(worst, fabs(s.x[3 * n] - 0.25 * test_signal(n, 0)));
        cr_expect_leq(worst, 1e-7, "a = x * mix");
        check_constant(&s, 1, cases[i].trig, cases[i].args);
        check_constant(&s, 2, cases[i].time_s, cases[i].args);
    }
}

Test(runtime_offline, input_rate_above_the_maximum)
{
    const char *odd = fixture("odd"), *dir = scratch_dir("rt-odd-sr");
    char *in = make_input(dir, "in.wav", 96000, 1, 0, 100);
    char *out = fmt_str("%s/out.wav", dir);
    expect_failure(dir, out, 1, "odd", "sample rate 96000 is above the program's maximum 48000",
                   fmt_str("%s -i %s -o %s", odd, in, out));
}

/* ---- --list-params and --help --------------------------------------------------------------- */

/* Check the JSON with Python's parser, against the fixture's table written out by hand. */
static void check_json(const char *dir, const char *exe, const char *expected_python)
{
    char *json = fmt_str("%s/params.json", dir), *script = fmt_str("%s/check.py", dir);
    run_result r = run_cmd(30, "%s --list-params > %s", exe, json);
    cr_assert_eq(r.status, 0, "%s", r.err);
    run_free(&r);
    cr_assert_eq(write_file(script, fmt_str(
        "import json, sys\n"
        "got = json.load(open(sys.argv[1], encoding='utf-8'))\n"
        "want = %s\n"
        "assert got == want, repr(got)\n"
        "assert all(list(p) == ['name', 'label', 'unit', 'kind', 'scale', 'min', 'max', 'default'] for p in got)\n",
        expected_python)), 0);
    r = run_cmd(30, "python3 %s %s", script, json);
    cr_expect_eq(r.status, 0, "the JSON is not as expected:\n%s%s\n%s", r.out, r.err,
                 read_file(json, NULL));
    run_free(&r);
}

Test(runtime_offline, list_params_json)
{
    const char *dir = scratch_dir("rt-json");
    check_json(dir, fixture("sine"),
        "[{'name': 'freq', 'label': 'Frequency', 'unit': 'Hz', 'kind': 'slider', 'scale': 'log', "
        "'min': 20, 'max': 20000, 'default': 440},"
        " {'name': 'gain', 'label': 'Gain', 'unit': 'dB', 'kind': 'slider', 'scale': 'linear', "
        "'min': -60, 'max': 0, 'default': -6},"
        " {'name': 'delay', 'label': 'Delay', 'unit': 'ms', 'kind': 'slider', 'scale': 'linear', "
        "'min': 0, 'max': 1000, 'default': 0}]");
    /* Quotes, a backslash, control characters and UTF-8 in a label. */
    check_json(dir, fixture("odd"),
        "[{'name': 'mix', 'label': 'Mix \"wet\" \\\\ dry\\n\\ttab\\x01 \\u00e9', 'unit': '', "
        "'kind': 'slider', 'scale': 'linear', 'min': 0, 'max': 1, 'default': 0.5},"
        " {'name': 'time', 'label': 'Time', 'unit': 'ms', 'kind': 'slider', 'scale': 'linear', "
        "'min': 1, 'max': 2000, 'default': 350},"
        " {'name': 'trig', 'label': 'trig', 'unit': '', 'kind': 'toggle', 'scale': 'linear', "
        "'min': 0, 'max': 1, 'default': 0},"
        " {'name': 'hold', 'label': 'Hold', 'unit': '', 'kind': 'button', 'scale': 'linear', "
        "'min': 0, 'max': 1, 'default': 0}]");
}

Test(runtime_offline, help_names_the_program_and_its_parts)
{
    static const struct { const char *fixture; const char *want[8]; } cases[] = {
        { "sine", { "usage: sine -o OUT --duration LEN", "Inputs:  none", "Outputs: 1 channel (out)",
                    "freq", "Frequency", "440 Hz in [20 Hz, 20000 Hz], log", "-6 dB in [-60 dB, 0 dB]",
                    "refused" } },
        { "gain", { "usage: gain -i IN", "Inputs:  2 channels (l, r)", "Outputs: 2 channels (l, r)",
                    "0 dB in [-60 dB, 12 dB]", "--list-params", "--bits", "--tail", "Exit status" } },
        { "odd", { "Inputs:  1 channel (x)", "Outputs: 3 channels (a, b, c)", "toggle, 0 in [0, 1]",
                   "button, 0 in [0, 1]", "350 ms in [1 ms, 2000 ms]", "on/off", "-p, --param NAME=VALUE",
                   "--duration LEN" } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_result r = run_cmd(30, "%s --help", fixture(cases[i].fixture));
        cr_expect_eq(r.status, 0);
        cr_expect_str_empty(r.err);
        for (int k = 0; k < 8; k++)
            cr_expect(strstr(r.out, cases[i].want[k]), "%s --help lacks '%s':\n%s",
                      cases[i].fixture, cases[i].want[k], r.out);
        run_free(&r);
    }
    /* -h is --help, and --help wins over the rest of the command line. */
    run_result r = run_cmd(30, "%s -o x.wav -h", fixture("sine"));
    cr_expect_eq(r.status, 0);
    cr_expect(strstr(r.out, "usage: sine"));
    cr_expect(!file_exists("x.wav"));
    run_free(&r);
}

/* ---- command-line errors: status 2 ---------------------------------------------------------- */

Test(runtime_offline, usage_errors)
{
    const char *sine = fixture("sine"), *gain = fixture("gain"), *dir = scratch_dir("rt-usage");
    char *in = make_input(dir, "in.wav", IN_RATE, 2, 0, 100);
    char *out = fmt_str("%s/out.wav", dir);
    static const struct { int gain; const char *args, *msg; } cases[] = {
        { 0, "--frobnicate", "unknown option '--frobnicate'" },
        { 0, "--frob=3", "unknown option '--frob'" },
        { 0, "-x", "unknown option '-x'" },
        { 0, "-o OUT --duration", "option '--duration' needs a value (LEN)" },
        { 0, "stray", "unexpected argument 'stray'" },
        { 0, "--list-params=yes", "takes no value" },
        { 0, "-o OUT -o OUT", "given twice" },
        { 0, "--duration 1s", "no output file" },
        { 0, "", "give the length with --duration" },
        { 0, "-i IN --duration 1s", "generator" },
        { 1, "", "give its input with -i" },
        { 1, "-i IN --sr 48000", "--sr is for generators" },
        { 0, "--duration 2x", "unknown unit 'x'" },
        { 0, "--duration abc", "'abc' is not a number" },
        { 0, "--duration 2Hz", "not a length" },
        { 0, "--duration -1s", "negative" },
        { 0, "--duration 1.5", "not a whole number of samples" },
        { 1, "-i IN --tail 1kHz", "--tail" },
        { 0, "--duration 1s --sr 0", "--sr" },
        { 0, "--duration 1s --sr 44.1", "--sr" },
        { 0, "--duration 1s --sr 2s", "not a frequency" },
        { 0, "--duration 1s --block 0", "--block" },
        { 0, "--duration 1s --block 12x", "--block" },
        { 0, "--duration 1s --block 2000000", "--block" },
        { 0, "--duration 1s --bits 12", "--bits: '12'" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        /* OUT and IN stand for the scratch files. */
        char *args = strdup(cases[i].args), *cmd = fmt_str("%s", cases[i].gain ? gain : sine);
        for (char *w = strtok(args, " "); w; w = strtok(NULL, " "))
            cmd = fmt_str("%s %s", cmd, strcmp(w, "OUT") == 0 ? out : strcmp(w, "IN") == 0 ? in : w);
        if (!strstr(cases[i].args, "OUT") && !strstr(cases[i].msg, "no output"))
            cmd = fmt_str("%s -o %s", cmd, out);
        expect_failure(dir, out, 2, cases[i].gain ? "gain" : "sine", cases[i].msg, cmd);
    }
}

Test(runtime_offline, parameter_errors_name_the_parameter)
{
    const char *sine = fixture("sine"), *odd = fixture("odd"), *dir = scratch_dir("rt-paramerr");
    char *in = make_input(dir, "in.wav", 48000, 1, 0, 100);
    char *out = fmt_str("%s/out.wav", dir);
    static const struct { int odd; const char *param, *msg; } cases[] = {
        { 0, "nope=3", "unknown parameter 'nope' (parameters: freq, gain, delay)" },
        { 0, "freq=abc", "parameter 'freq': 'abc' is not a number" },
        { 0, "freq=", "parameter 'freq': '' is not a number" },
        { 0, "freq=0x10", "parameter 'freq'" },
        { 0, "freq=inf", "parameter 'freq': 'inf' is not a number" },
        { 0, "freq=1e999", "parameter 'freq'" },
        { 0, "freq=440Hzz", "unknown unit 'Hzz'" },
        { 0, "freq", "--param needs NAME=VALUE, got 'freq'" },
        { 0, "=3", "--param needs NAME=VALUE" },
        { 0, "freq=1s", "parameter 'freq' is a frequency in Hz; '1s' is a time" },
        { 0, "delay=3dB", "parameter 'delay' is a time in ms; '3dB' is a gain" },
        { 0, "gain=3Hz", "parameter 'gain'" },
        { 0, "freq=30kHz", "parameter 'freq': 30kHz (30000 Hz) is out of its range [20 Hz, 20000 Hz]" },
        { 0, "freq=19.9", "parameter 'freq': 19.9 Hz is out of its range [20 Hz, 20000 Hz]" },
        { 0, "gain=3dB", "parameter 'gain': 3 dB is out of its range [-60 dB, 0 dB]" },
        { 0, "delay=-1ms", "out of its range [0 ms, 1000 ms]" },
        { 1, "mix=3dB", "parameter 'mix' is a plain number, without a unit" },
        { 1, "mix=1.5", "parameter 'mix': 1.5 is out of its range [0, 1]" },
        { 1, "time=2.5s", "parameter 'time': 2.5s (2500 ms) is out of its range [1 ms, 2000 ms]" },
        { 1, "trig=maybe", "parameter 'trig': 'maybe' is not a number" },
        { 1, "trig=2", "parameter 'trig': 2 is out of its range [0, 1]" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *cmd = cases[i].odd ? fmt_str("%s -i %s -o %s --param '%s'", odd, in, out, cases[i].param)
                                 : fmt_str("%s -o %s --duration 1s --param '%s'", sine, out, cases[i].param);
        expect_failure(dir, out, 2, cases[i].odd ? "odd" : "sine", cases[i].msg, cmd);
    }
}

/* ---- file errors: status 1 ------------------------------------------------------------------ */

Test(runtime_offline, input_file_errors)
{
    const char *gain = fixture("gain"), *dir = scratch_dir("rt-inerr");
    char *out = fmt_str("%s/out.wav", dir);
    char *stereo = make_input(dir, "stereo.wav", IN_RATE, 2, 0, 100);
    char *mono = make_input(dir, "mono.wav", IN_RATE, 1, 0, 100);
    char *mono48 = make_input(dir, "mono48.wav", 48000, 1, 0, 100);
    char *junk = fmt_str("%s/junk.wav", dir);
    char *sub = fmt_str("%s/folder.wav", dir);
    cr_assert_eq(write_file(junk, "this is not a sound file, whatever its name says\n"), 0);
    mkdir(sub, 0777);

    expect_failure(dir, out, 1, "gain", fmt_str("cannot open '%s/missing.wav': No such file", dir),
                   fmt_str("%s -i %s/missing.wav -o %s", gain, dir, out));
    expect_failure(dir, out, 1, "gain", fmt_str("cannot read '%s' as audio", junk),
                   fmt_str("%s -i %s -o %s", gain, junk, out));
    expect_failure(dir, out, 1, "gain", fmt_str("cannot read '%s': it is a folder", sub),
                   fmt_str("%s -i %s -o %s", gain, sub, out));
    expect_failure(dir, out, 1, "gain",
                   fmt_str("'%s' has 1 channel, but the program expects 2 (inputs: l, r)", mono),
                   fmt_str("%s -i %s -o %s", gain, mono, out));
    expect_failure(dir, out, 1, "gain", "the 2 input files have 3 channels in all, but the program expects 2",
                   fmt_str("%s -i %s -i %s -o %s", gain, stereo, mono, out));
    expect_failure(dir, out, 1, "gain", "the 3 input files have 3 channels in all",
                   fmt_str("%s -i %s -i %s -i %s -o %s", gain, mono, mono, mono, out));
    expect_failure(dir, out, 1, "gain", "must have one sample rate",
                   fmt_str("%s -i %s -i %s -o %s", gain, mono, mono48, out));
    expect_failure(dir, out, 1, "odd", fmt_str("'%s' has 2 channels, but the program expects 1 (inputs: x)", stereo),
                   fmt_str("%s -i %s -o %s", fixture("odd"), stereo, out));
}

Test(runtime_offline, output_file_errors)
{
    const char *sine = fixture("sine"), *dir = scratch_dir("rt-outerr");
    char *gen = fmt_str("%s --duration 0.1s -o", sine);
    char *out;

    out = fmt_str("%s/out.xyz", dir);
    expect_failure(dir, out, 1, "sine", "unknown output format '.xyz' (known: .wav",
                   fmt_str("%s %s", gen, out));
    out = fmt_str("%s/noextension", dir);
    expect_failure(dir, out, 1, "sine", "no file extension", fmt_str("%s %s", gen, out));
    out = fmt_str("%s/out.ogg", dir);
    expect_failure(dir, out, 1, "sine", "--bits 16 is not available for .ogg files",
                   fmt_str("%s %s --bits 16", gen, out));
    out = fmt_str("%s/missing/out.wav", dir);
    expect_failure(dir, out, 1, "sine", fmt_str("the folder '%s/missing' does not exist", dir),
                   fmt_str("%s %s", gen, out));
    char *file = fmt_str("%s/plain", dir);
    cr_assert_eq(write_file(file, "a file, not a folder\n"), 0);
    out = fmt_str("%s/plain/out.wav", dir);
    expect_failure(dir, out, 1, "sine", "Not a directory", fmt_str("%s %s", gen, out));
    char *folder = fmt_str("%s/folder.wav", dir);
    mkdir(folder, 0777);
    run_result r = run_cmd(30, "%s %s", gen, folder);
    check_error(&r, 1, "sine", "it is a folder", folder);
    run_free(&r);
    cr_expect(!has_temp_file(dir));
}

Test(runtime_offline, unwritable_folder)
{
    const char *sine = fixture("sine"), *dir = scratch_dir("rt-readonly");
    char *out;
    if (geteuid() != 0) {
        char *ro = fmt_str("%s/ro", dir);
        mkdir(ro, 0555);
        out = fmt_str("%s/out.wav", ro);
        expect_failure(ro, out, 1, "sine", "Permission denied",
                       fmt_str("%s --duration 0.1s -o %s", sine, out));
        return;
    }
    /* root writes anywhere a mode allows; sysfs refuses new files even to root. */
    char tmpl[] = "/sys/.agraph-test.XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd >= 0) {
        close(fd);
        unlink(tmpl);
        cr_skip_test("running as root with no unwritable folder to try");
    }
    out = "/sys/agraph-out.wav";
    run_result r = run_cmd(30, "%s --duration 0.1s -o %s", sine, out);
    check_error(&r, 1, "sine", "cannot create a file in '/sys'", out);
    cr_expect(!file_exists(out));
    run_free(&r);
}

Test(runtime_offline, an_input_is_never_overwritten)
{
    const char *gain = fixture("gain"), *dir = scratch_dir("rt-clobber");
    char *in = make_input(dir, "in.wav", IN_RATE, 2, 0, IN_FRAMES);
    size_t len;
    char *before = read_file(in, &len);
    char *sym = fmt_str("%s/link.wav", dir), *hard = fmt_str("%s/hard.wav", dir);
    cr_assert_eq(symlink("in.wav", sym), 0);
    cr_assert_eq(link(in, hard), 0);
    char *outs[] = { in, fmt_str("%s/./in.wav", dir), sym, hard };
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++) {
        char *cmd = fmt_str("%s -i %s -o %s -p gain=-20", gain, in, outs[i]);
        run_result r = run_cmd(30, "%s", cmd);
        check_error(&r, 1, "gain", "refusing to overwrite the input file", cmd);
        run_free(&r);
        size_t now_len;
        char *now = read_file(in, &now_len);
        cr_expect(now && now_len == len && memcmp(now, before, len) == 0, "`%s` changed the input", cmd);
        cr_expect(!has_temp_file(dir));
        free(now);
    }
}

Test(runtime_offline, full_disk_leaves_no_file)
{
    /* A file-size limit makes write() fail as a full disk does (EFBIG instead of ENOSPC). dash
     * counts ulimit -f in 512-byte blocks: 100 blocks is well short of 2 s of float samples. */
    const char *sine = fixture("sine"), *dir = scratch_dir("rt-full");
    char *out = fmt_str("%s/out.wav", dir);
    expect_failure(dir, out, 1, "sine", fmt_str("cannot write '%s'", out),
                   fmt_str("ulimit -f 100 && %s -o %s --duration 2s", sine, out));
    char *flac = fmt_str("%s/out.flac", dir);
    expect_failure(dir, flac, 1, "sine", fmt_str("cannot write '%s'", flac),
                   fmt_str("ulimit -f 20 && %s -o %s --duration 10s", sine, flac));
}

/* ---- a successful run replaces its target well ---------------------------------------------- */

Test(runtime_offline, replacing_an_output_keeps_mode_and_links)
{
    const char *sine = fixture("sine"), *dir = scratch_dir("rt-replace");
    char *out = fmt_str("%s/out.wav", dir);
    struct stat st;

    run_ok(fmt_str("umask 027 && %s -o %s --duration 100", sine, out));
    cr_assert_eq(stat(out, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0640, "a new file gets 0666 less the umask, not mkstemp's 0600");

    cr_assert_eq(write_file(out, "old\n"), 0);
    chmod(out, 0604);
    run_ok(fmt_str("%s -o %s --duration 200", sine, out));
    cr_assert_eq(stat(out, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0604, "a replaced file keeps its mode");
    cr_expect_eq(read_sound(out).info.frames, 200);

    /* Through a symbolic link the file it points to is replaced and the link stays. */
    char *link = fmt_str("%s/link.wav", dir);
    cr_assert_eq(symlink("out.wav", link), 0);
    run_ok(fmt_str("%s -o %s --duration 300", sine, link));
    cr_assert_eq(lstat(link, &st), 0);
    cr_expect(S_ISLNK(st.st_mode), "the link was replaced by a file");
    cr_expect_eq(read_sound(out).info.frames, 300);
    cr_expect(!has_temp_file(dir));
}

Test(runtime_offline, shared_library_links_too)
{
    cr_assert(file_exists("build/libagraph.so"), "build/libagraph.so is missing: run make first");
    const char *dir = scratch_dir("rt-so");
    char *exe = fmt_str("%s/sine", dir), *out = fmt_str("%s/out.wav", dir);
    run_result r = run_cmd(120, "cc -O2 -std=c11 -DAGRAPH_RUNTIME -I runtime tests/runtime/fixture_sine.c "
                           "-Lbuild -lagraph -Wl,-rpath,\"$PWD/build\" -lsndfile -lm -o %s", exe);
    cr_assert_eq(r.status, 0, "%s", r.err);
    run_free(&r);
    run_ok(fmt_str("%s -o %s --duration 1000", exe, out));
    sound s = read_sound(out);
    cr_expect_eq(s.info.frames, 1000);
    check_sine(&s, 440, -6, 0, 1e-6);
}

/* ---- signals -------------------------------------------------------------------------------- */

/* Start a long render, wait until its temporary file exists (so it is rendering), let it run 0.2 s
 * more, send `sig`, and check that it died of that signal leaving neither output nor temporary. */
static void interrupt_render(int sig, const char *signame)
{
    const char *sine = fixture("sine"), *dir = scratch_dir("rt-signal");
    char *out = fmt_str("%s/out.wav", dir), *err = fmt_str("%s/stderr.txt", dir);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 2);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        /* --block 1 renders slowly (about 30 s here), so a run that ignored the signal would
         * still be going when the test gives up on it below, having written little. */
        execl(sine, sine, "-o", out, "--duration", "1000s", "--block", "1", (char *)NULL);
        _exit(127);
    }
    int started = 0, st = 0, ended = 0;
    for (int i = 0; i < 1000 && !(started = has_temp_file(dir)); i++) sleep_s(0.01);
    sleep_s(0.2);
    kill(pid, sig);
    for (int i = 0; i < 500 && !(ended = waitpid(pid, &st, WNOHANG) == pid); i++) sleep_s(0.01);
    if (!ended) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
    }
    cr_expect(started, "the temporary file never appeared");
    cr_assert(ended, "still rendering 5 s after %s", signame);
    cr_expect(WIFSIGNALED(st) && WTERMSIG(st) == sig, "wait status %#x: not killed by %s", st, signame);
    char *text = read_file(err, NULL);
    char *want = fmt_str("sine: error: stopped by %s; '%s' was not written", signame, out);
    cr_expect(text && strstr(text, want), "stderr:\n%s", text);
    cr_expect(!file_exists(out), "%s left %s", signame, out);
    cr_expect(!has_temp_file(dir), "%s left the temporary file", signame);
}

Test(runtime_offline, sigterm_mid_render_leaves_nothing)
{
    interrupt_render(SIGTERM, "SIGTERM");
}

Test(runtime_offline, sigint_mid_render_leaves_nothing)
{
    interrupt_render(SIGINT, "SIGINT");
}
