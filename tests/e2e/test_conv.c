/* test_conv.c — conv() and sound-file tables (docs/language.md: Tables), against
 * scipy.signal.fftconvolve; the runtime's errors for the files a program loads. */
#include <criterion/criterion.h>

#include "testutil.h"

#define CHECK "/usr/bin/python3 tests/render/check_conv.py"
#define NOISE "/usr/bin/python3 tests/render/oracle.py make-noise"

/* The oracle, told something false, must refuse. */
static void oracle_refuses(const char *cmd)
{
    run_result r = run_cmd(60, "%s wrong", cmd);
    cr_expect_neq(r.status, 0, "the oracle accepted a wrong answer: %s\n%s", cmd, r.out);
    run_free(&r);
}

/* Short, exact, ragged and long responses, every partition size path, any block size. */
Test(conv, constant_tables_match_fftconvolve)
{
    const char *d = scratch_dir("conv-fir");
    ran_ok("build", run_cmd(60, "./build/agraphc tests/conv/fir.agraph -o %s/fir && " CHECK " make-stereo %s/in.wav", d, d));
    const char *blocks[] = { "512", "1", "37" };
    for (int i = 0; i < 3; i++) {
        ran_ok("render", run_cmd(60, "%s/fir -i %s/in.wav -o %s/out%s.wav --block %s", d, d, d, blocks[i], blocks[i]));
        ran_ok(blocks[i], run_cmd(60, CHECK " fir %s/out%s.wav %s/in.wav", d, blocks[i], d));
    }
    oracle_refuses(fmt_str(CHECK " fir %s/out512.wav %s/in.wav", d, d));
}

/* A file's channel, loaded at start: convolved with and read at positions; --double too. */
Test(conv, sound_file_tables_load_and_read)
{
    const char *d = scratch_dir("conv-file");
    ran_ok("inputs", run_cmd(60, "cp tests/conv/file.agraph %s/ && " CHECK " make-ir %s/h.wav && " NOISE " %s/in.wav", d, d, d));
    ran_ok("build", run_cmd(60, "./build/agraphc %s/file.agraph -o %s/f && ./build/agraphc --double %s/file.agraph -o %s/fd",
                        d, d, d, d));
    ran_ok("render", run_cmd(60, "%s/f -i %s/in.wav -o %s/out.wav && %s/fd -i %s/in.wav -o %s/outd.wav",
                         d, d, d, d, d, d));
    ran_ok("float", run_cmd(60, CHECK " file %s/out.wav %s/in.wav %s/h.wav", d, d, d));
    ran_ok("double", run_cmd(60, CHECK " file %s/outd.wav %s/in.wav %s/h.wav double", d, d, d));
    oracle_refuses(fmt_str(CHECK " file %s/out.wav %s/in.wav %s/h.wav", d, d, d));
    /* --table points a table at another file */
    ran_ok("copy", run_cmd(60, "mv %s/h.wav %s/other.wav", d, d));
    ran_ok("--table", run_cmd(60, "%s/f -i %s/in.wav -o %s/out2.wav --table h=%s/other.wav", d, d, d, d));
    ran_ok("--table check", run_cmd(60, CHECK " file %s/out2.wav %s/in.wav %s/other.wav", d, d, d));
}

/* The example, with the impulse response the build made. */
Test(conv, conv_reverb_example_matches_fftconvolve)
{
    const char *d = scratch_dir("conv-reverb");
    cr_assert(file_exists("examples/room.wav"), "make did not render examples/room.wav");
    ran_ok("build", run_cmd(60, "./build/agraphc examples/conv_reverb.agraph -o %s/r && " NOISE " %s/in.wav", d, d));
    ran_ok("render", run_cmd(60, "%s/r -i %s/in.wav -o %s/out.wav --param mix=0.6", d, d, d));
    ran_ok("oracle", run_cmd(60, CHECK " reverb %s/out.wav %s/in.wav examples/room.wav 0.6", d, d));
    oracle_refuses(fmt_str(CHECK " reverb %s/out.wav %s/in.wav examples/room.wav 0.6", d, d));
}

/* Each bad file: a clear message naming file and table, a non-zero exit, no output left. */
Test(conv, file_errors_are_clear_and_leave_nothing)
{
    const char *d = scratch_dir("conv-errors");
    ran_ok("setup", run_cmd(60, "cp tests/conv/file.agraph %s/ && ./build/agraphc %s/file.agraph -o %s/f && "
                            CHECK " make-ir %s/h.wav && " NOISE " %s/in.wav && "
                            "/usr/bin/python3 -c \"import numpy as np; from scipy.io import wavfile; "
                            "wavfile.write('%s/mono.wav', 48000, np.zeros(100, np.float32)); "
                            "wavfile.write('%s/rate.wav', 44100, np.zeros((100, 2), np.float32)); "
                            "wavfile.write('%s/long.wav', 48000, np.zeros((6000, 2), np.float32))\" && "
                            "head -c 100 %s/h.wav > %s/cut.wav && printf junk > %s/junk.wav",
                            d, d, d, d, d, d, d, d, d, d, d));
    struct { const char *file, *expect; } cases[] = {
        { "missing.wav", "cannot read the sound file '%s/missing.wav' for table 'h': No such file or directory" },
        { "junk.wav", "cannot read the sound file '%s/junk.wav' for table 'h'" },
        { "cut.wav", "'%s/cut.wav' is cut short" },
        { "mono.wav", "'%s/mono.wav' has 1 channel, but table 'h' reads channel 1" },
        { "rate.wav", "'%s/rate.wav' is at 44100 Hz, but the program runs at 48000 Hz" },
        { "long.wav", "'%s/long.wav' has 6000 samples, but table 'h' holds at most 5000" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_result r = run_cmd(60, "%s/f -i %s/in.wav -o %s/out.wav --table h=%s/%s", d, d, d, d, cases[i].file);
        char *want = fmt_str(cases[i].expect, d);
        cr_expect_eq(r.status, 1, "%s: exit %d", cases[i].file, r.status);
        cr_expect(strstr(r.err, want) != NULL, "%s: expected '%s' in:\n%s", cases[i].file, want, r.err);
        cr_expect(!file_exists(fmt_str("%s/out.wav", d)), "%s left an output file", cases[i].file);
        run_free(&r);
    }
    run_result r = run_cmd(60, "%s/f -i %s/in.wav -o %s/out.wav --table g=%s/h.wav", d, d, d, d);
    cr_expect_eq(r.status, 2, "unknown table: exit %d", r.status);
    cr_expect(strstr(r.err, "no sound-file table named 'g' (its tables: h)") != NULL, "%s", r.err);
    run_free(&r);
}
