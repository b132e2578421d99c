/* test_fuzz_regress.c — what the fuzzers found stays found. Each program in tests/fuzz/regress/
 * (named for what went wrong, its first line says how it was found) goes through fuzz_gen's
 * oracle: agraphc emits its C, gcc and clang build it with -Wall -Wextra -Werror under ASan and
 * UBSan with tests/fuzz/gen_host.c, and the host runs it clean (every rate, odd blocks,
 * parameters out of range and NaN, probes, reset). Inputs that crashed fuzz_compile are golden
 * cases (tests/golden/fuzz_*.agraph) instead, with their expected diagnostics. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sndfile.h>

#include "testutil.h"

#define FLAGS "-std=c11 -Wall -Wextra -Werror -O1 -g -fno-omit-frame-pointer " \
              "-fsanitize=address,undefined -fno-sanitize-recover=all -DAGRAPH_RUNTIME -Iruntime"
#define ENV "ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"

Test(fuzz_regress, generated_programs_build_and_run_clean, .timeout = 300)
{
    int n = 0;
    char **cases = agraph_files("tests/fuzz/regress", &n);
    cr_assert_geq(n, 1, "no programs in tests/fuzz/regress");
    const char *dir = scratch_dir("fuzz-regress");
    static const char *const ccs[] = { "gcc", "clang" };
    for (int i = 0; i < n; i++) {
        char *c = fmt_str("%s/%s.c", dir, cases[i]);
        run_result r = run_cmd(60, "./build/agraphc tests/fuzz/regress/%s.agraph --emit-c %s", cases[i], c);
        cr_expect_eq(r.status, 0, "%s does not compile:\n%s", cases[i], r.err);
        run_free(&r);
        for (int k = 0; k < 2; k++) {
            char *exe = fmt_str("%s/%s-%s", dir, cases[i], ccs[k]);
            r = run_cmd(120, "%s " FLAGS " -o %s %s tests/fuzz/gen_host.c -lfftw3f -lm", ccs[k], exe, c);
            cr_expect_eq(r.status, 0, "%s: %s -Werror refused the C:\n%s", cases[i], ccs[k], r.err);
            run_free(&r);
            r = run_cmd(60, ENV " %s", exe);
            cr_expect_eq(r.status, 0, "%s (%s): the program did not run clean:\n%s", cases[i], ccs[k], r.err);
            run_free(&r);
        }
    }
}

/* The numbers of complex_times_param: istft(stft(x, N, hop: H) * g) is g times x delayed by N
 * (docs/language.md, section 17), checked on noise; before the fix it did not compile. */
Test(fuzz_regress, a_frame_times_a_parameter_scales_the_sound, .timeout = 120)
{
    const char *dir = scratch_dir("fuzz-regress-scale");
    char *src = fmt_str("%s/scale.agraph", dir), *in = fmt_str("%s/in.wav", dir), *out = fmt_str("%s/out.wav", dir);
    cr_assert_eq(write_file(src, "input x\nparam g = 0.5 [0, 1]\noutput y = istft(stft(x, 256, hop: 64) * g)\n"), 0);
    enum { N = 256, FRAMES = 24000 };
    static float x[FRAMES], y[FRAMES];
    unsigned seed = 1;
    for (int i = 0; i < FRAMES; i++) {
        seed = seed * 1103515245u + 12345u;
        x[i] = (float)((seed >> 8) & 0xffff) / 65536.0f - 0.5f;
    }
    SF_INFO info = { .samplerate = 48000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
    SNDFILE *f = sf_open(in, SFM_WRITE, &info);
    cr_assert(f);
    sf_writef_float(f, x, FRAMES);
    sf_close(f);
    run_result r = run_cmd(120, "./build/agraphc %s -o %s/scale && %s/scale -i %s -o %s --param g=0.25",
                           src, dir, dir, in, out);
    cr_assert_eq(r.status, 0, "%s", r.err);
    run_free(&r);
    SF_INFO oi = { 0 };
    f = sf_open(out, SFM_READ, &oi);
    cr_assert(f);
    cr_assert_eq(sf_readf_float(f, y, FRAMES), FRAMES);
    sf_close(f);
    double worst = 0;
    for (int i = N + 1024; i < FRAMES; i++) worst = fmax(worst, fabs(y[i] - 0.25 * x[i - N]));
    cr_expect_lt(worst, 1e-5, "istft(stft(x) * g) differs from g x[n - N] by up to %g", worst);
}
