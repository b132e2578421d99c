/* test_runtime_probes.c — the offline runtime's newer parts: probe values over time (--probe-out,
 * CSV and NumPy), --format, the truncated-input check, the progress bar on a terminal, and their
 * errors, each with no file left behind. Fixtures: tests/runtime/fixture_probes.c (a sine with a
 * scalar probe `level` = the gain and an array probe `ramp` = the block count plus a checksum). */
#include <dirent.h>

#include "runtime/harness.h"

#define RAMP_WIDTH 1024

static const char *probes_fixture(void)
{
    return h_tool("fixture_probes", 1, "");
}

static const char *sine_fixture(void)
{
    return h_tool("fixture_sine", 1, "");
}

static int has_temp_file(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d)))
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) found = 1;
    if (d) closedir(d);
    return found;
}

static void run_ok(const char *cmd)
{
    run_result r = run_cmd(60, "%s", cmd);
    cr_assert_eq(r.status, 0, "`%s` exited %d:\n%s", cmd, r.status, r.err);
    cr_expect_str_empty(r.err, "`%s` printed:\n%s", cmd, r.err);
    run_free(&r);
}

/* cmd must fail with `status` and `msg`, leaving neither `a` nor `b` (when given) nor a temporary
 * file in dir. */
static void expect_failure(const char *dir, int status, const char *msg, const char *a, const char *b,
                           const char *cmd)
{
    run_result r = run_cmd(60, "%s", cmd);
    cr_expect_eq(r.status, status, "`%s` exited %d, not %d:\n%s", cmd, r.status, status, r.err);
    cr_expect(strstr(r.err, msg), "`%s`: no '%s' in:\n%s", cmd, msg, r.err);
    cr_expect(!a || !file_exists(a), "`%s` left %s", cmd, a);
    cr_expect(!b || !file_exists(b), "`%s` left %s", cmd, b);
    cr_expect(!has_temp_file(dir), "`%s` left a temporary file in %s", cmd, dir);
    run_free(&r);
}

/* Check the CSV rows: frame and time, level = 10^(gain/20), and each ramp whole. */
static int check_csv(const char *path, const long *frames, int n_rows, double gain_db)
{
    char *text = read_file(path, NULL);
    cr_assert(text, "no %s", path);
    char *line = strtok(text, "\n");
    cr_assert(line);
    cr_expect(strncmp(line, "frame,time,level,ramp[0],ramp[1],", 33) == 0, "header: %.60s", line);
    cr_expect(strstr(line, ",ramp[1023]") && !strstr(line, "ramp[1024]"), "header: ...%s", line + strlen(line) - 30);
    int rows = 0;
    for (line = strtok(NULL, "\n"); line; line = strtok(NULL, "\n"), rows++) {
        char *end;
        long frame = strtol(line, &end, 10);
        double time = strtod(end + 1, &end), level = strtod(end + 1, &end), sum = 0, first = 0;
        if (rows < n_rows) cr_expect_eq(frame, frames[rows], "row %d: frame %ld", rows, frame);
        cr_expect(fabs(time - frame / 48000.0) < 1e-12, "row %d: time %g", rows, time);
        cr_expect(fabs(level - pow(10, gain_db / 20)) < 1e-6, "row %d: level %g", rows, level);
        for (int k = 0; k < RAMP_WIDTH; k++) {
            double v = strtod(end + 1, &end);
            if (k == 0) first = v;
            if (k < RAMP_WIDTH - 1) {
                cr_expect_eq(v, first + k, "row %d: ramp[%d] = %g", rows, k, v);
                sum += v;
            } else {
                cr_expect_eq(v, fmod(sum, 1048576.0), "row %d: checksum", rows);
            }
        }
        cr_expect_eq(first, rows + 1, "row %d comes after block %g", rows, first);
        cr_expect_eq(*end, 0, "row %d has more columns", rows);
    }
    free(text);
    return rows;
}

Test(runtime_probes, csv_has_a_row_per_block)
{
    const char *prog = probes_fixture(), *dir = scratch_dir("probes-csv");
    char *csv = fmt_str("%s/p.csv", dir), *wav = fmt_str("%s/out.wav", dir);
    run_ok(fmt_str("%s --duration 1000 --block 100 -p gain=-20dB --probe-out %s -o %s", prog, csv, wav));
    long frames[10];
    for (int i = 0; i < 10; i++) frames[i] = 100 * (i + 1);
    cr_expect_eq(check_csv(csv, frames, 10, -20), 10);
    cr_expect_eq(h_read_sound(wav).frames, 1000);

    /* The last block may be short; without -o only the probes are written. */
    unlink(wav);
    run_ok(fmt_str("%s --duration 250 --block 100 --probe-out %s", prog, csv));
    long short_frames[] = { 100, 200, 250 };
    cr_expect_eq(check_csv(csv, short_frames, 3, -6), 3);
    cr_expect(!file_exists(wav));
    cr_expect(!has_temp_file(dir));
}

Test(runtime_probes, interval_cuts_blocks_and_keeps_the_audio)
{
    const char *prog = probes_fixture(), *dir = scratch_dir("probes-interval");
    char *csv = fmt_str("%s/p.csv", dir), *a = fmt_str("%s/a.wav", dir), *b = fmt_str("%s/b.wav", dir);
    run_ok(fmt_str("%s --duration 1000 --block 100 --probe-interval 250 --probe-out %s -o %s", prog, csv, a));
    run_ok(fmt_str("%s --duration 1000 --block 100 -o %s", prog, b));
    /* Rows at 250, 500, 750, 1000; the blocks were cut there: 100 100 50 | 100 100 50 | ... */
    char *text = read_file(csv, NULL);
    cr_assert(text);
    int rows = 0;
    long want[] = { 250, 500, 750, 1000 };
    for (char *line = strchr(text, '\n') + 1; *line; line = strchr(line, '\n') + 1, rows++)
        if (rows < 4) cr_expect_eq(strtol(line, NULL, 10), want[rows], "row %d", rows);
    cr_expect_eq(rows, 4);
    h_sound sa = h_read_sound(a), sb = h_read_sound(b);
    cr_assert_eq(sa.frames, sb.frames);
    cr_expect(memcmp(sa.x, sb.x, (size_t)sa.frames * sizeof(float)) == 0, "cutting blocks changed the audio");

    /* A time works too: 10 ms at 48 kHz is every 480 frames. */
    run_ok(fmt_str("%s --duration 0.1s --probe-interval 10ms --probe-out %s", prog, csv));
    text = read_file(csv, NULL);
    rows = 0;
    for (char *line = strchr(text, '\n') + 1; *line; line = strchr(line, '\n') + 1, rows++)
        cr_expect_eq(strtol(line, NULL, 10), 480 * (rows + 1));
    cr_expect_eq(rows, 10);
}

/* Load the .npy with NumPy (the Debian python3 has it) and check it like the CSV. */
Test(runtime_probes, npy_loads_as_records)
{
    const char *prog = probes_fixture(), *dir = scratch_dir("probes-npy");
    char *npy = fmt_str("%s/p.npy", dir), *script = fmt_str("%s/check.py", dir);
    run_ok(fmt_str("%s --duration 1000 --block 100 -p gain=-20dB --probe-out %s", prog, npy));
    cr_assert_eq(write_file(script,
        "import sys, numpy as np\n"
        "a = np.load(sys.argv[1])\n"
        "assert a.shape == (10,), a.shape\n"
        "assert a.dtype.names == ('frame', 'time', 'level', 'ramp'), a.dtype.names\n"
        "assert a.dtype['frame'] == np.int64 and a.dtype['level'] == np.float32, a.dtype\n"
        "assert a['ramp'].shape == (10, 1024), a['ramp'].shape\n"
        "assert (a['frame'] == np.arange(100, 1001, 100)).all(), a['frame']\n"
        "assert np.allclose(a['time'], a['frame'] / 48000.0, rtol=0, atol=1e-15)\n"
        "assert np.allclose(a['level'], 0.1, rtol=1e-6), a['level']\n"
        "r = a['ramp'].astype(np.float64)\n"
        "assert (r[:, :1023] == r[:, :1] + np.arange(1023)).all()\n"
        "assert (r[:, 1023] == np.fmod(r[:, :1023].sum(axis=1), 1048576.0)).all()\n"
        "assert (r[:, 0] == np.arange(1, 11)).all(), r[:, 0]\n"
        "print('ok')\n"), 0);
    run_result r = run_cmd(60, "/usr/bin/python3 %s %s", script, npy);
    cr_expect_eq(r.status, 0, "numpy disagrees:\n%s%s", r.out, r.err);
    run_free(&r);
    /* The data starts on a 64-byte boundary, as the format asks. */
    size_t len;
    char *bytes = read_file(npy, &len);
    cr_assert(bytes && len > 10);
    size_t header = 10 + (unsigned char)bytes[8] + 256u * (unsigned char)bytes[9];
    cr_expect_eq(header % 64, 0);
    cr_expect_eq(len - header, 10u * (8 + 8 + 4 + 4 * 1024));
}

Test(runtime_probes, probe_out_errors_leave_nothing)
{
    const char *prog = probes_fixture(), *sine = sine_fixture(), *dir = scratch_dir("probes-err");
    char *csv = fmt_str("%s/p.csv", dir), *wav = fmt_str("%s/out.wav", dir);
    expect_failure(dir, 2, "--probe-out: '", NULL, NULL,
                   fmt_str("%s --duration 100 --probe-out %s/p.txt", prog, dir));
    expect_failure(dir, 2, "is neither a .csv nor a .npy file", NULL, NULL,
                   fmt_str("%s --duration 100 --probe-out %s/p.txt", prog, dir));
    expect_failure(dir, 2, "--probe-out: the program has no probes", csv, NULL,
                   fmt_str("%s --duration 100 --probe-out %s", sine, csv));
    expect_failure(dir, 2, "--probe-interval: there is no --probe-out file", wav, NULL,
                   fmt_str("%s --duration 100 -o %s --probe-interval 10", prog, wav));
    expect_failure(dir, 2, "--probe-interval: '0' is not longer than 0", csv, NULL,
                   fmt_str("%s --duration 100 --probe-out %s --probe-interval 0", prog, csv));
    expect_failure(dir, 2, "--probe-interval", csv, NULL,
                   fmt_str("%s --duration 100 --probe-out %s --probe-interval 3Hz", prog, csv));
    /* An unwritable probe file stops the sound file too. */
    expect_failure(dir, 1, fmt_str("cannot write '%s/missing/p.csv': the folder '%s/missing' does not exist", dir, dir),
                   wav, NULL, fmt_str("%s --duration 100 -o %s --probe-out %s/missing/p.csv", prog, wav, dir));
    /* A full disk while writing rows. */
    expect_failure(dir, 1, fmt_str("cannot write '%s'", csv), csv, wav,
                   fmt_str("ulimit -f 100 && %s --duration 10s --block 64 -o %s --probe-out %s", prog, wav, csv));
}

Test(runtime_probes, sigterm_leaves_neither_file, .timeout = 60)
{
    const char *prog = probes_fixture(), *dir = scratch_dir("probes-signal");
    char *csv = fmt_str("%s/p.csv", dir), *wav = fmt_str("%s/out.wav", dir);
    h_proc p = h_start(dir, "render", "%s --duration 1000s --block 1 -o %s --probe-out %s", prog, wav, csv);
    for (int i = 0; i < 500 && !has_temp_file(dir); i++) h_sleep(0.01);
    h_sleep(0.3);
    kill(p.pid, SIGTERM);
    cr_assert(h_wait(&p, 10), "still rendering 10 s after SIGTERM");
    cr_expect_eq(p.status, 128 + SIGTERM, "status %d", p.status);
    char *err = h_stderr(&p);
    cr_expect(strstr(err, fmt_str("stopped by SIGTERM; '%s' and '%s' were not written", wav, csv)), "%s", err);
    cr_expect(!file_exists(wav) && !file_exists(csv));
    cr_expect(!has_temp_file(dir));
}

Test(runtime_probes, format_overrides_the_extension)
{
    const char *sine = sine_fixture(), *dir = scratch_dir("format");
    char *out = fmt_str("%s/take.data", dir);
    run_ok(fmt_str("%s --duration 1000 -o %s --format flac", sine, out));
    SF_INFO info = { 0 };
    SNDFILE *f = sf_open(out, SFM_READ, &info);
    cr_assert(f, "%s", sf_strerror(NULL));
    cr_expect_eq(info.format, SF_FORMAT_FLAC | SF_FORMAT_PCM_24);
    cr_expect_eq(info.frames, 1000);
    sf_close(f);
    run_ok(fmt_str("%s --duration 1000 -o %s/x.wav --format AIFF --bits 16", sine, dir));
    f = sf_open(fmt_str("%s/x.wav", dir), SFM_READ, &info);
    cr_assert(f);
    cr_expect_eq(info.format, SF_FORMAT_AIFF | SF_FORMAT_PCM_16);
    sf_close(f);

    char *bad = fmt_str("%s/y.wav", dir);
    expect_failure(dir, 2, "--format: 'xyz' is not a format (formats: wav, wave, aiff", bad, NULL,
                   fmt_str("%s --duration 100 -o %s --format xyz", sine, bad));
    expect_failure(dir, 1, "--bits 24 is not available for .ogg files", bad, NULL,
                   fmt_str("%s --duration 100 -o %s --format ogg --bits 24", sine, bad));
    expect_failure(dir, 2, "--format: there is no -o file to write", NULL, NULL,
                   fmt_str("%s --duration 100 --probe-out %s/p.csv --format wav", probes_fixture(), dir));
}

/* A WAV cut short (a copy that stopped, a recorder that crashed) is refused, not half used. */
Test(runtime_probes, truncated_input_is_refused)
{
    const char *sine = sine_fixture(), *dir = scratch_dir("truncated");
    const char *odd = h_tool("fixture_odd", 1, "");
    char *whole = fmt_str("%s/whole.wav", dir), *cut = fmt_str("%s/cut.wav", dir);
    char *out = fmt_str("%s/out.wav", dir), *aiff = fmt_str("%s/whole.aiff", dir);
    run_ok(fmt_str("%s --duration 48000 --bits 16 -o %s", sine, whole));
    size_t len;
    char *bytes = read_file(whole, &len);
    FILE *f = fopen(cut, "wb");
    fwrite(bytes, 1, len / 2, f);
    fclose(f);
    expect_failure(dir, 1, fmt_str("'%s' is cut short: its header promises 96000 bytes of audio but "
                                   "the file holds ", cut),
                   out, NULL, fmt_str("%s -i %s -o %s", odd, cut, out));
    /* The whole file, and a header cut off inside itself, for contrast. */
    run_ok(fmt_str("%s -i %s -o %s", odd, whole, out));
    f = fopen(cut, "wb");
    fwrite(bytes, 1, 30, f);
    fclose(f);
    unlink(out);
    expect_failure(dir, 1, fmt_str("cannot read '%s' as audio", cut), out, NULL,
                   fmt_str("%s -i %s -o %s", odd, cut, out));
    /* AIFF cut short too. */
    run_ok(fmt_str("%s --duration 48000 --bits 16 -o %s", sine, aiff));
    bytes = read_file(aiff, &len);
    char *cut_aiff = fmt_str("%s/cut.aiff", dir);
    f = fopen(cut_aiff, "wb");
    fwrite(bytes, 1, len / 2, f);
    fclose(f);
    expect_failure(dir, 1, "is cut short", out, NULL, fmt_str("%s -i %s -o %s", odd, cut_aiff, out));
}

/* On a terminal (script(1) gives one) a long render draws a bar on stderr and erases it. */
Test(runtime_probes, progress_bar_on_a_terminal, .timeout = 60)
{
    const char *sine = sine_fixture(), *dir = scratch_dir("progress");
    char *out = fmt_str("%s/out.wav", dir), *typescript = fmt_str("%s/typescript", dir);
    /* --block 1 makes 60 s of audio take a few seconds. */
    run_result r = run_cmd(60, "script -qec '%s --duration 60s --block 1 -o %s' %s", sine, out, typescript);
    cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
    cr_expect(strstr(r.out, "sine: [#") && strstr(r.out, "% ") && strstr(r.out, " s of 60.0 s"),
              "no progress bar in:\n%s", r.out);
    cr_expect(strstr(r.out, "\r\033[K"), "the bar was not erased");
    run_free(&r);
    cr_expect_eq(h_read_sound(out).frames, 60 * 48000);
    r = run_cmd(60, "script -qec '%s --duration 60s --block 1 -o %s --quiet' %s", sine, out, typescript);
    cr_expect(!strstr(r.out, "sine: ["), "--quiet drew a bar:\n%s", r.out);
    run_free(&r);
}
