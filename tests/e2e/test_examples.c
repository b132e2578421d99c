/* test_examples.c — every example compiles, and the five basic ones render the right sound:
 * rendered with the real runtime (libsndfile) and checked by tests/render/oracle.py against
 * closed forms and scipy.signal. The generated C of every example also compiles cleanly with
 * -Wall -Wextra -Werror under gcc and clang. */
#include <criterion/criterion.h>
#include <string.h>

#include "testutil.h"

#define ORACLE "/usr/bin/python3 tests/render/oracle.py"

/* Compile examples/NAME.agraph into DIR/NAME; fails the test with the compiler's output. */
static void build(const char *dir, const char *name)
{
    run_result r = run_cmd(60, "./build/agraphc examples/%s.agraph -o %s/%s", name, dir, name);
    cr_assert_eq(r.status, 0, "agraphc %s failed (%d):\n%s%s", name, r.status, r.out, r.err);
    run_free(&r);
}

Test(examples, sine_matches_closed_form)
{
    const char *d = scratch_dir("sine");
    build(d, "sine");
    ran_ok("render", run_cmd(30, "%s/sine -o %s/a.wav --duration 1s", d, d));
    ran_ok("oracle", run_cmd(60, ORACLE " sine %s/a.wav 440 -12", d));
    ran_ok("render", run_cmd(30, "%s/sine -o %s/b.wav --duration 1s --param freq=1kHz --param gain=-3dB", d, d));
    ran_ok("oracle", run_cmd(60, ORACLE " sine %s/b.wav 1000 -3", d));
}

Test(examples, sine_oracle_rejects_a_wrong_frequency)
{
    /* the check can fail: a 440 Hz render is not a 441 Hz sine */
    const char *d = scratch_dir("sine-wrong");
    build(d, "sine");
    ran_ok("render", run_cmd(30, "%s/sine -o %s/a.wav --duration 1s", d, d));
    run_result r = run_cmd(60, ORACLE " sine %s/a.wav 441 -12", d);
    cr_expect_neq(r.status, 0, "the oracle accepted a wrong frequency:\n%s", r.out);
    run_free(&r);
}

Test(examples, additive_five_partials)
{
    const char *d = scratch_dir("additive");
    build(d, "additive");
    ran_ok("render", run_cmd(30, "%s/additive -o %s/a.wav --duration 1s", d, d));
    ran_ok("oracle", run_cmd(60, ORACLE " additive %s/a.wav 0.2 220 440 660 880 1100", d));
    ran_ok("render", run_cmd(30, "%s/additive -o %s/b.wav --duration 1s --param f1=100Hz --param f2=300 "
                                "--param f3=1.5kHz --param f4=2kHz --param f5=3333Hz --param level=0.1", d, d));
    ran_ok("oracle", run_cmd(60, ORACLE " additive %s/b.wav 0.1 100 300 1500 2000 3333", d));
}

Test(examples, lowpass_noise_matches_lfilter)
{
    const char *d = scratch_dir("lowpass");
    build(d, "lowpass_noise");
    /* the same noise() (first in its program, same seed), unfiltered */
    cr_assert_eq(write_file(fmt_str("%s/noise.agraph", d), "output out = noise()\n"), 0);
    ran_ok("agraphc", run_cmd(60, "./build/agraphc %s/noise.agraph -o %s/noise", d, d));
    ran_ok("render", run_cmd(30, "%s/noise -o %s/n.wav --duration 1s", d, d));
    ran_ok("render", run_cmd(30, "%s/lowpass_noise -o %s/a.wav --duration 1s", d, d));
    ran_ok("oracle", run_cmd(60, ORACLE " lowpass %s/a.wav %s/n.wav 1000 -6", d, d));
    ran_ok("render", run_cmd(30, "%s/lowpass_noise -o %s/b.wav --duration 1s --param cutoff=300Hz --param gain=0dB", d, d));
    ran_ok("oracle", run_cmd(60, ORACLE " lowpass %s/b.wav %s/n.wav 300 0", d, d));
}

Test(examples, echo_matches_lfilter)
{
    const char *d = scratch_dir("echo");
    build(d, "echo");
    ran_ok("input", run_cmd(60, ORACLE " make-impulses %s/in.wav", d));
    ran_ok("render", run_cmd(30, "%s/echo -i %s/in.wav -o %s/a.wav", d, d, d));
    ran_ok("oracle", run_cmd(60, ORACLE " echo %s/a.wav %s/in.wav 0.25 0.5", d, d));
    ran_ok("render", run_cmd(30, "%s/echo -i %s/in.wav -o %s/b.wav --param time=100ms --param feedback=0.9", d, d, d));
    ran_ok("oracle", run_cmd(60, ORACLE " echo %s/b.wav %s/in.wav 0.1 0.9", d, d));
}

Test(examples, panner_constant_power)
{
    const char *d = scratch_dir("panner");
    build(d, "panner");
    ran_ok("input", run_cmd(60, ORACLE " make-noise %s/in.wav", d));
    const char *pos[] = { "0", "-1", "-0.5", "0.75", "1" };
    for (int i = 0; i < 5; i++) {
        ran_ok("render", run_cmd(30, "%s/panner -i %s/in.wav -o %s/p%d.wav --param position=%s", d, d, d, i, pos[i]));
        ran_ok("oracle", run_cmd(60, ORACLE " pan %s/p%d.wav %s/in.wav %s", d, i, d, pos[i]));
    }
}

Test(examples, pedal_chain_and_reverb_tail)
{
    const char *d = scratch_dir("pedal");
    build(d, "pedal");
    ran_ok("input", run_cmd(60, ORACLE " make-noise %s/in.wav", d));
    /* with the reverb mix at 0 the output is the dry chain: drive, tone, echo, against scipy */
    ran_ok("render", run_cmd(30, "%s/pedal -i %s/in.wav -o %s/dry.wav --param wet=0 --param drive=20dB "
                                "--param tone=1.5kHz --param time=100ms --param echo_mix=0.5", d, d, d));
    ran_ok("oracle", run_cmd(60, ORACLE " pedal %s/dry.wav %s/in.wav 20 1500 0.1 0.5", d, d));
    /* with reverb, a tail rings on after the input ends (the reverb itself is checked against
     * Faust's freeverb in test_stdlib.c) */
    ran_ok("render", run_cmd(30, "%s/pedal -i %s/in.wav -o %s/wet.wav --tail 1s --param wet=0.5", d, d, d));
    run_result r = run_cmd(60, "/usr/bin/python3 -c \"\n"
        "import numpy as np, warnings; warnings.simplefilter('ignore')\n"
        "from scipy.io import wavfile\n"
        "y = wavfile.read('%s/wet.wav')[1]\n"
        "tail = np.sqrt(np.mean(y[48000 + 24000:48000 + 36000] ** 2))\n"
        "print(y.shape, tail); raise SystemExit(0 if np.isfinite(y).all() and 1e-4 < tail < 0.5 else 1)\"", d);
    cr_expect_eq(r.status, 0, "reverb tail: %s%s", r.out, r.err);
    run_free(&r);
}

/* Every example's generated C compiles without a warning under gcc and clang. */
Test(examples, generated_c_is_warning_free)
{
    const char *d = scratch_dir("warnings");
    int n;
    char **stems = agraph_files("examples", &n);
    for (int i = 0; i < n; i++) {
        const char *stem = stems[i];
        ran_ok(stem, run_cmd(60, "./build/agraphc examples/%s.agraph --emit-c %s/%s.c", stem, d, stem));
        const char *ccs[] = { "gcc", "clang" };
        for (int k = 0; k < 2; k++) {
            run_result r = run_cmd(120, "%s -std=c11 -O2 -Wall -Wextra -Werror -DAGRAPH_RUNTIME -Iruntime "
                                        "-c %s/%s.c -o %s/%s-%s.o", ccs[k], d, stem, d, stem, ccs[k]);
            cr_expect_eq(r.status, 0, "%s on %s:\n%s", ccs[k], stem, r.err);
            run_free(&r);
        }
    }
    cr_expect_geq(n, 6, "only %d examples", n);
}

/* The analyzer prints level and pitch rows on standard output: RMS, peak and pitch of tones. */
Test(examples, analyzer_prints_level_and_pitch)
{
    const char *d = scratch_dir("analyzer");
    ran_ok("build", run_cmd(60, "./build/agraphc examples/analyzer.agraph -o %s/an && "
                               "/usr/bin/python3 tests/render/check_analyzer.py make %s/in.wav", d, d));
    ran_ok("run", run_cmd(60, "%s/an -i %s/in.wav --probe-out - --probe-interval 250ms > %s/rows.csv", d, d, d));
    ran_ok("oracle", run_cmd(60, "/usr/bin/python3 tests/render/check_analyzer.py check %s/rows.csv", d));
    run_result r = run_cmd(60, "/usr/bin/python3 tests/render/check_analyzer.py check %s/rows.csv 220 440", d);
    cr_expect_neq(r.status, 0, "the oracle accepted a wrong pitch:\n%s", r.out);
    run_free(&r);
}

/* The frequency-response measurement: the sweep, through a resonant lowpass simulated by scipy,
 * read back as gain and phase against frequency, matches scipy.signal.freqz. */
Test(examples, freq_response_measures_a_pickup)
{
    const char *d = scratch_dir("freq-response");
    const char *py = "/usr/bin/python3 tests/render/check_freq_response.py";
    ran_ok("build", run_cmd(60, "./build/agraphc examples/freq_response.agraph -o %s/fr && "
                               "%s silence %s/silence.wav 21", d, py, d));
    ran_ok("sweep", run_cmd(60, "%s/fr -i %s/silence.wav -o %s/sweep.wav", d, d, d));
    ran_ok("device", run_cmd(60, "%s device %s/sweep.wav %s/resp.wav 4000 2", py, d, d));
    ran_ok("measure", run_cmd(60, "%s/fr -i %s/resp.wav --probe-out %s/fr.csv --probe-interval 50ms", d, d, d));
    ran_ok("oracle", run_cmd(60, "%s check %s/fr.csv 4000 2", py, d));
    run_result r = run_cmd(60, "%s check %s/fr.csv 4000 3", py, d);
    cr_expect_neq(r.status, 0, "the oracle accepted the response of another device:\n%s", r.out);
    run_free(&r);
}
