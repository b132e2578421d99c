/* test_spectral.c — stft/istft/fft/ifft and spectral arithmetic against scipy.signal
 * (tests/render/check_spectral.py): identity round trips for every window, and a gate, a
 * brick-wall lowpass and a polar-form rotation against scipy's stft -> edit -> istft. Each check
 * also runs with a wrong expectation and must fail. */
#include <criterion/criterion.h>

#include "testutil.h"

#define CHECK "/usr/bin/python3 tests/render/check_spectral.py"

static void compare(const char *prog, const char *check)
{
    const char *d = scratch_dir(prog);
    ran_ok("agraphc", run_cmd(60, "./build/agraphc tests/spectral/%s.agraph -o %s/p", prog, d));
    ran_ok("input", run_cmd(60, CHECK " make-input %s/in.wav", d));
    ran_ok("render", run_cmd(60, "%s/p -i %s/in.wav -o %s/out.wav", d, d, d));
    ran_ok("oracle", run_cmd(60, CHECK " %s %s/out.wav %s/in.wav", check, d, d));
    run_result r = run_cmd(60, CHECK " %s %s/out.wav %s/in.wav wrong", check, d, d);
    cr_expect_neq(r.status, 0, "the oracle accepted a wrong expectation:\n%s", r.out);
    run_free(&r);
}

Test(spectral, stft_istft_round_trips_for_every_window) { compare("roundtrip", "roundtrip"); }

Test(spectral, spectral_edits_match_scipy) { compare("process", "process"); }

Test(spectral, the_spectral_gate_example_removes_hiss)
{
    const char *d = scratch_dir("sgate");
    ran_ok("agraphc", run_cmd(60, "./build/agraphc examples/spectral_gate.agraph -o %s/g", d));
    ran_ok("input", run_cmd(60, CHECK " make-input %s/in.wav", d));
    ran_ok("render", run_cmd(60, "%s/g -i %s/in.wav -o %s/out.wav --param threshold=-30dB", d, d, d));
    /* the tones pass and the noise floor drops by more than 20 dB between them */
    run_result r = run_cmd(60, "/usr/bin/python3 -c \"\n"
        "import numpy as np, warnings; warnings.simplefilter('ignore')\n"
        "from scipy.io import wavfile\n"
        "x = wavfile.read('%s/in.wav')[1].astype(float); y = wavfile.read('%s/out.wav')[1].astype(float)\n"
        "n = np.arange(len(x)); N = 2048\n"
        "tones = lambda t: 0.4*np.sin(2*np.pi*1000*t/48000) + 0.2*np.sin(2*np.pi*5000*t/48000)\n"
        "before = np.std(x[4096:] - tones(n[4096:])); after = np.std(y[4096:] - tones(n[4096:] - N))\n"
        "print(before, after); raise SystemExit(0 if after < before / 10 else 1)\"", d, d);
    cr_expect_eq(r.status, 0, "noise before/after: %s%s", r.out, r.err);
    run_free(&r);
}
