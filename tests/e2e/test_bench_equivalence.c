/* test_bench_equivalence.c — `make bench` compares like with like: each benchmark program
 * bench/NAME.agraph and its Faust version bench/NAME.dsp (both compile modes), and the
 * hand-written C reference bench/ref/NAME.c, output the same samples on the same input. Builds the
 * bench executables (bench/bench.mk), renders 2 s of the harness's noise through every
 * implementation (bench/harness.c --dump) and compares each with agraph's output; then again
 * while parameters move, which checks that the Faust versions smooth what agraph smooths. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* Tolerances are on max |agraph - other| / max |agraph|, over every sample of every channel.
 * Float32 computations that differ only in the order of operations, in constants folded by one
 * compiler and not the other, or in a sine from libmvec instead of libm, stay within 1e-5 of the
 * peak (measured: 0 to 4e-6; the reverbs' feedback keeps their few ulps circulating, but being
 * stable does not grow them). A real difference is far larger: compare() checks that agraph's
 * output one sample late falls more than 100 times outside the tolerance (3 times, for the
 * looser tolerances of moving parameters below). */
#define SAME 1e-5

typedef struct {
    const char *prog;
    int rate, outs;
    double tol_faust, tol_ref;   /* 0: no such implementation */
    const char *moves;           /* harness --set options for the run with moving parameters */
    double tol_moving;
} pair;

/* While parameters move, agraph's smoothers run in double and Faust's (bench/agraph.lib sm) in
 * float, so the glides differ by float rounding: measured 3e-5 (fx), 5e-5 (freeverb's damping)
 * and 1.3e-4 (lowpass) of the peak, hence 1e-3. An oscillator keeps the phase it gained during a
 * glide, so additive, whose increments glide a little differently, stays apart by 5e-3 after a
 * move; 2e-2 still tells a smoothed glide from an unsmoothed jump (a whole cycle of phase).
 * Not checked under moves, because the two really do differ there (bench/README.md):
 *   - freeverb's RoomSize: stdlib/reverb.agraph's freeverb_comb scales the delayed lowpass by
 *     the feedback when it is read, Faust's lbcf when it is written: 2 % apart during a glide;
 *   - freeverb's Stereo Spread: Faust's allpass_comb takes a new length one sample late;
 *   - bank: a glide's float rounding (Faust's smoother on f / SR runs in float, agraph's in
 *     double) is a phase difference k times over in harmonic k: 0.79 of the peak after one. */
#define MOVING 1e-3

static const pair pairs[] = {
    /* SVF against Faust's same SVF: 3.5e-7. The C reference is a direct-form biquad with the
     * same transfer function, whose float rounding differs more: 4e-6. */
    { "lowpass", 48000, 1, SAME, SAME, "--set Cutoff=3000@0.5 --set Cutoff=200@1.2", MOVING },
    /* At 32 kHz. Faust computes Freeverb's delay lengths in float32, (int)(1617 * SR / 44100),
     * which truncates 1760 to 1759 at 48 kHz and 1617 to 1616 at 44.1 kHz; agraph's (and the
     * reference's) int(n SR / 44100 + 0.001) is exact. At 32 kHz every length agrees (as in
     * tests/render/check_reverb.py), and the three agree to 1.2e-7. At 48 kHz one comb is a sample
     * shorter in Faust and the outputs differ by 20 % of the peak; the speed is the same. */
    { "freeverb", 32000, 2, SAME, SAME, "--set Damp=0.2@0.5 --set Wet=0.8@1", MOVING },
    { "zita", 48000, 2, SAME, SAME, NULL, 0 },        /* 2.4e-7; no parameters */
    /* 0 (Faust), 2.3e-7 (libmvec sines) */
    { "additive", 48000, 1, SAME, SAME, "--set 'Partial 1=330@0.5' --set Level=0.1@1",
      2e-2 },
    /* Both smooth the fundamental once (its 64 harmonics share the smoother: lower.c), Faust as
     * f / SR in float, agraph as f in double, scaled by k / SR: the increments are one rounding
     * apart, so the 64 phases drift apart linearly, by about 5e-4 of the peak after 2 s. The
     * reference uses agraph's increments. */
    { "bank", 48000, 1, 2e-3, SAME, NULL, 0 },
    /* 0 and 0 */
    { "fx", 48000, 1, SAME, SAME, "--set Drive=20@0.5 --set Tone=5@0.7 --set 'Echo mix=0.6@1'",
      MOVING },
    /* Faust has no frame FFT: only the C program on FFTW3 (2.9e-7). */
    { "spectral_gate", 48000, 1, 0, SAME, NULL, 0 },
};

static float *load(const char *dir, const char *name, size_t *n)
{
    char *path = fmt_str("%s/%s.raw", dir, name);
    size_t len = 0;
    float *v = (float *)read_file(path, &len);
    free(path);
    *n = len / sizeof(float);
    return v;
}

/* max |a[i + shift] - b[i]| / max |a| over the common frames (shift in frames) */
static double rel_error(const float *a, const float *b, size_t n, int outs, int shift, double *peak)
{
    double p = 0, e = 0;
    for (size_t i = 0; i < n; i++) p = fmax(p, fabs(a[i]));
    for (size_t i = (size_t)shift * outs; i < n; i++) {
        double d = fabs((double)a[i - (size_t)shift * outs] - b[i]);
        e = d == d ? fmax(e, d) : INFINITY;
    }
    *peak = p;
    return p > 0 ? e / p : INFINITY;
}

/* Compare agraph's output with another's; `margin`: how far outside the tolerance agraph's own
 * output one sample late must fall (the check can fail). */
static void compare(const pair *p, const char *dir, const char *other, double tol, double margin)
{
    size_t na, nb;
    float *a = load(dir, "agraph", &na), *b = load(dir, other, &nb);
    cr_assert(a && b, "%s: %s/agraph.raw or %s/%s.raw is missing", p->prog, dir, dir, other);
    cr_assert_eq(na, nb, "%s: agraph wrote %zu samples, %s %zu", p->prog, na, other, nb);
    cr_assert_eq(na, (size_t)2 * p->rate * p->outs, "%s: %zu samples, expected 2 s of %d channels",
                 p->prog, na, p->outs);
    double peak, err = rel_error(a, b, na, p->outs, 0, &peak);
    cr_expect(peak > 1e-2, "%s: agraph's output is (nearly) silent: peak %g", p->prog, peak);
    cr_expect(err <= tol, "%s: agraph and %s differ by %.3g of the peak (%g), more than %g", p->prog,
              other, err, peak, tol);
    double late = rel_error(a, b, na, p->outs, 1, &peak);
    cr_expect(late > margin * tol, "%s: a one-sample delay changes %s's comparison by only %.3g",
              p->prog, other, late);
    free(a);
    free(b);
}

Test(bench, agraph_and_faust_output_the_same_samples, .timeout = 300)
{
    run_result have = run_cmd(10, "command -v faust");
    int missing = have.status != 0;
    run_free(&have);
    if (missing) cr_skip_test("faust is not installed (Debian: apt-get install faust)");

    /* niced: the suite runs tests side by side, some of them live audio that must not starve */
    run_result r = run_cmd(240, "env -u MAKEFLAGS -u MAKELEVEL nice -n 19 make --no-print-directory -s -f bench/bench.mk all");
    cr_assert_eq(r.status, 0, "building the benchmarks failed (%d):\n%s%s", r.status, r.out, r.err);
    run_free(&r);

    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        const pair *p = &pairs[k];
        const char *dir = scratch_dir(p->prog);
        r = run_cmd(60, "nice -n 19 build/bench/%s/bench --dump %s --rate %d --seconds 2", p->prog, dir, p->rate);
        cr_assert_eq(r.status, 0, "%s: rendering failed (%d):\n%s%s", p->prog, r.status, r.out, r.err);
        run_free(&r);
        if (p->tol_faust > 0) {
            compare(p, dir, "faust-scal", p->tol_faust, 100);
            compare(p, dir, "faust-vec", p->tol_faust, 100);
        }
        if (p->tol_ref > 0) compare(p, dir, "ref", p->tol_ref, 100);
        if (!p->moves || p->tol_faust == 0) continue;
        dir = scratch_dir(p->prog);
        r = run_cmd(60, "nice -n 19 build/bench/%s/bench --dump %s --rate %d --seconds 2 %s", p->prog, dir, p->rate,
                    p->moves);
        cr_assert_eq(r.status, 0, "%s: rendering with %s failed (%d):\n%s%s", p->prog, p->moves, r.status,
                     r.out, r.err);
        run_free(&r);
        compare(p, dir, "faust-scal", p->tol_moving, 3);
        compare(p, dir, "faust-vec", p->tol_moving, 3);
    }
}
