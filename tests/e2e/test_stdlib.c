/* test_stdlib.c — every block of stdlib/ against an oracle nobody here wrote. Each test compiles a
 * program of tests/stdlib/ that uses the blocks, renders it with the real runtime, and runs its
 * oracle in tests/render/ (scipy.signal with the published formulas, closed forms, and Faust's
 * own reverbs through tests/faust/). Each oracle is also run once with a wrong expectation and
 * must then fail, so the checks can fail. Plus: docs/stdlib.md is what tools/stdlib-doc makes of
 * the doc comments, every example in it compiles, and all modules can be imported together. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define PY "/usr/bin/python3 tests/render/"

/* Compile tests/stdlib/NAME.agraph into DIR/NAME. */
static void build(const char *dir, const char *name)
{
    ran_ok(name, run_cmd(120, "./build/agraphc tests/stdlib/%s.agraph -o %s/%s", name, dir, name));
}

/* The oracle, given a wrong expectation, must report a failed check (not crash). */
static void oracle_rejects(const char *what, run_result r)
{
    cr_expect_neq(r.status, 0, "%s: the oracle accepted a wrong expectation:\n%s", what, r.out);
    cr_expect(strstr(r.out, "FAIL") != NULL, "%s: no failed check reported (%d):\n%s%s", what,
              r.status, r.out, r.err);
    run_free(&r);
}

Test(stdlib, filters_match_scipy, .timeout = 120)
{
    const char *d = scratch_dir("stdlib-filters");
    build(d, "check_filters");
    build(d, "check_butterworth");
    ran_ok("input", run_cmd(60, PY "check_filters.py make-input %s/in.wav", d));
    ran_ok("render", run_cmd(60, "%s/check_filters -i %s/in.wav -o %s/f.wav", d, d, d));
    ran_ok("render", run_cmd(60, "%s/check_butterworth -i %s/in.wav -o %s/b.wav", d, d, d));
    ran_ok("RBJ biquads, SVF, one-poles, combs vs lfilter",
          run_cmd(60, PY "check_filters.py filters %s/f.wav %s/in.wav", d, d));
    ran_ok("Butterworth vs butter + sosfilt", run_cmd(60, PY "check_filters.py butterworth %s/b.wav %s/in.wav", d, d));
    oracle_rejects("filters, frequencies 0.1% off", run_cmd(60, PY "check_filters.py filters %s/f.wav %s/in.wav 1.001", d, d));
    oracle_rejects("Butterworth, 0.1% off", run_cmd(60, PY "check_filters.py butterworth %s/b.wav %s/in.wav 1.001", d, d));
}

Test(stdlib, oscillators_alias_free, .timeout = 120)
{
    const char *d = scratch_dir("stdlib-osc");
    build(d, "check_osc");
    ran_ok("render", run_cmd(60, "%s/check_osc -o %s/o.wav --duration 1s", d, d));
    ran_ok("alias energy and Fourier series", run_cmd(60, PY "check_osc.py osc %s/o.wav", d));
    oracle_rejects("oscillators, 0.1% off", run_cmd(60, PY "check_osc.py osc %s/o.wav 1.001", d));
}

Test(stdlib, noise_seeded_white_and_pink, .timeout = 120)
{
    const char *d = scratch_dir("stdlib-noise");
    build(d, "check_noise");
    ran_ok("render", run_cmd(60, "%s/check_noise -o %s/n.wav --duration 4s", d, d));
    ran_ok("white and Kellet pink", run_cmd(60, PY "check_noise.py noise %s/n.wav", d));
    oracle_rejects("pink with a -2.5 dB/octave slope", run_cmd(60, PY "check_noise.py noise %s/n.wav -2.5", d));
}

Test(stdlib, delays_closed_forms, .timeout = 120)
{
    const char *d = scratch_dir("stdlib-delays");
    build(d, "check_delays");
    ran_ok("input", run_cmd(60, PY "check_delays.py make-input %s/in.wav", d));
    ran_ok("render", run_cmd(60, "%s/check_delays -i %s/in.wav -o %s/d.wav", d, d, d));
    ran_ok("delayed impulses and a moving delay", run_cmd(60, PY "check_delays.py delays %s/d.wav %s/in.wav", d, d));
    oracle_rejects("delays one sample longer", run_cmd(60, PY "check_delays.py delays %s/d.wav %s/in.wav 1", d, d));
}

Test(stdlib, envelopes_segments, .timeout = 120)
{
    const char *d = scratch_dir("stdlib-env");
    build(d, "check_env");
    ran_ok("input", run_cmd(60, PY "check_env.py make-input %s/in.wav", d));
    ran_ok("render", run_cmd(60, "%s/check_env -i %s/in.wav -o %s/e.wav", d, d, d));
    ran_ok("ADSR, AR and follower closed forms", run_cmd(60, PY "check_env.py env %s/e.wav %s/in.wav", d, d));
    oracle_rejects("segments one sample longer", run_cmd(60, PY "check_env.py env %s/e.wav %s/in.wav 1", d, d));
}

Test(stdlib, dynamics_static_curves, .timeout = 120)
{
    const char *d = scratch_dir("stdlib-dynamics");
    build(d, "check_dynamics");
    ran_ok("input", run_cmd(60, PY "check_dynamics.py make-input %s/in.wav", d));
    ran_ok("render", run_cmd(60, "%s/check_dynamics -i %s/in.wav -o %s/y.wav", d, d, d));
    ran_ok("compressor curve, limiter, gate", run_cmd(60, PY "check_dynamics.py dynamics %s/y.wav %s/in.wav", d, d));
    oracle_rejects("thresholds 0.5 dB off", run_cmd(60, PY "check_dynamics.py dynamics %s/y.wav %s/in.wav 0.5", d, d));
}

Test(stdlib, reverbs_match_faust, .timeout = 180)
{
    run_result have = run_cmd(10, "command -v faust");
    int missing = have.status != 0;
    run_free(&have);
    if (missing) cr_skip_test("faust is not installed (Debian: apt-get install faust)");
    const char *d = scratch_dir("stdlib-reverb");
    build(d, "check_reverb");
    ran_ok("input", run_cmd(60, PY "check_reverb.py make-input %s/in.wav", d));
    /* dm.freeverb_demo's defaults, then other settings through the parameters */
    ran_ok("render", run_cmd(60, "%s/check_reverb -i %s/in.wav -o %s/a.wav", d, d, d));
    ran_ok("Freeverb and SATREV vs Faust",
          run_cmd(120, PY "check_reverb.py reverb %s/a.wav %s/in.wav %s Damp=0.5 RoomSize=0.5 "
                      "'Stereo Spread=0.5' Wet=0.3333", d, d, d));
    ran_ok("render", run_cmd(60, "%s/check_reverb -i %s/in.wav -o %s/b.wav --param room=0.7 --param damp=0.2 "
                                "--param spread=1 --param wet=0.8", d, d, d));
    ran_ok("Freeverb vs Faust, other settings",
          run_cmd(120, PY "check_reverb.py reverb %s/b.wav %s/in.wav %s Damp=0.2 RoomSize=0.7 "
                      "'Stereo Spread=1' Wet=0.8", d, d, d));
    oracle_rejects("room size 0.51 against 0.5",
                   run_cmd(120, PY "check_reverb.py reverb %s/a.wav %s/in.wav %s Damp=0.5 RoomSize=0.51 "
                               "'Stereo Spread=0.5' Wet=0.3333", d, d, d));
}

Test(stdlib, utilities_formulas, .timeout = 120)
{
    const char *d = scratch_dir("stdlib-util");
    build(d, "check_util");
    ran_ok("input", run_cmd(60, PY "check_util.py make-input %s/in.wav", d));
    ran_ok("render", run_cmd(60, "%s/check_util -i %s/in.wav -o %s/u.wav", d, d, d));
    ran_ok("conversions, pan laws, mixers, smoothing", run_cmd(60, PY "check_util.py util %s/u.wav %s/in.wav", d, d));
    oracle_rejects("A4 at 441 Hz", run_cmd(60, PY "check_util.py util %s/u.wav %s/in.wav 441", d, d));
}

Test(stdlib, analysis_known_signals, .timeout = 120)
{
    const char *d = scratch_dir("stdlib-analysis");
    build(d, "check_analysis");
    ran_ok("input", run_cmd(60, PY "check_analysis.py make-input %s/in.wav", d));
    ran_ok("render", run_cmd(60, "%s/check_analysis -i %s/in.wav -o %s/a.wav", d, d, d));
    ran_ok("RMS, peak, zero crossings, pitch", run_cmd(60, PY "check_analysis.py analysis %s/a.wav %s/in.wav", d, d));
    oracle_rejects("tones 0.1% off", run_cmd(60, PY "check_analysis.py analysis %s/a.wav %s/in.wav 1.001", d, d));
}

/* docs/stdlib.md is generated from the doc comments, and nobody edited it by hand since. */
Test(stdlib, reference_is_generated)
{
    ran_ok("tools/stdlib-doc --check", run_cmd(60, "/usr/bin/python3 tools/stdlib-doc --check"));
}

/* Every block's example is a program that compiles. */
Test(stdlib, examples_compile, .timeout = 120)
{
    const char *d = scratch_dir("stdlib-examples");
    ran_ok("tools/stdlib-doc --examples", run_cmd(60, "/usr/bin/python3 tools/stdlib-doc -o %s/stdlib.md --examples %s", d, d));
    run_result r = run_cmd(120, "n=0; for f in %s/*.agraph; do n=$((n+1)); ./build/agraphc \"$f\" --check || "
                                "{ echo \"in $f\"; exit 1; }; done; echo $n", d);
    cr_assert_eq(r.status, 0, "an example does not compile:\n%s%s", r.out, r.err);
    cr_expect_geq(atoi(r.out), 80, "only %s examples", r.out);
    run_free(&r);
}

/* No two modules define the same name: a program may import them all. */
Test(stdlib, modules_import_together)
{
    const char *d = scratch_dir("stdlib-all");
    cr_assert_eq(write_file(fmt_str("%s/all.agraph", d),
                            "import std\nimport osc\nimport noise\nimport filters\nimport delays\n"
                            "import env\nimport dynamics\nimport reverb\nimport util\nimport analysis\n"
                            "input x\n"
                            "voice = saw(mtof(48)) * adsr(x, 5ms, 50ms, 0.5, 200ms) + pink(0.01)\n"
                            "wet = freeverb(voice, voice)\n"
                            "(l, r) = pan(compressor(lowpass(delay_cubic(wet[0], 10.5), 2kHz)), 0.2)\n"
                            "probe level = rms(l, 50ms)\n"
                            "output out = (l, r)\n"), 0);
    ran_ok("all modules at once", run_cmd(60, "./build/agraphc %s/all.agraph --check", d));
}
