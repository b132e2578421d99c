/* test_sizing.c — what the generated state holds, and that it still computes the same thing:
 * a moving delay sized by its length's range when that is shorter than its bound (compiler/
 * range.c), lines side by side written at skewed positions (lower.c), and harmonics of one
 * smoothed value sharing its smoother. Each program's output is checked against a closed form,
 * with the parameter at the very end of its range. */
#include <criterion/criterion.h>
#include <math.h>
#include <sndfile.h>
#include <string.h>

#include "testutil.h"

/* Compile src into dir/NAME (and its C), render LEN with ARGS to a float WAV; the samples. */
static float *render(const char *dir, const char *name, const char *src, const char *args, sf_count_t *n,
                     char **c_text)
{
    cr_assert_eq(write_file(fmt_str("%s/%s.agraph", dir, name), src), 0);
    run_result r = run_cmd(60, "./build/agraphc %s/%s.agraph --emit-c %s/%s.c && ./build/agraphc %s/%s.agraph "
                               "-o %s/%s && %s/%s -o %s/%s.wav --bits 32f %s",
                           dir, name, dir, name, dir, name, dir, name, dir, name, dir, name, args);
    cr_assert_eq(r.status, 0, "%s: %s%s", name, r.out, r.err);
    run_free(&r);
    *c_text = read_file(fmt_str("%s/%s.c", dir, name), NULL);
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *f = sf_open(fmt_str("%s/%s.wav", dir, name), SFM_READ, &info);
    cr_assert(f, "%s.wav: %s", name, sf_strerror(NULL));
    float *v = calloc((size_t)(info.frames * info.channels), sizeof *v);
    *n = sf_readf_float(f, v, info.frames);
    sf_close(f);
    return v;
}

Test(sizing, a_moving_delay_is_sized_by_its_range)
{
    const char *d = scratch_dir("sizing-range");
    /* A counter delayed by a parameter up to 1000 samples, bounded by 1 s (192000 samples at
     * 192 kHz): the line holds 1001 samples and more, not 192001. */
    const char *src = "param d = 100 [0, 1000]\n"
                      "count = count@1 + 1\n"
                      "output out = count@(d, max: 1s) / 65536\n";
    sf_count_t n;
    char *c;
    float *y = render(d, "ramp", src, "--duration 3000 -p d=1000", &n, &c);
    cr_assert(c);
    cr_expect(strstr(c, "[1024];   /* up to 1001 samples */"), "the line is not sized by d's range:\n%s",
              strstr(c, "typedef struct") ? strstr(c, "typedef struct") : c);
    /* count[i] = i + 1, so out[i] = (i - 999) / 65536 once i >= 1000, and 0 before. */
    double worst = 0;
    for (sf_count_t i = 0; i < n; i++) {
        double want = i >= 1000 ? (double)(i - 999) / 65536 : 0;
        worst = fmax(worst, fabs(y[i] - want));
    }
    cr_expect_eq(n, 3000);
    cr_expect_leq(worst, 1e-7, "delayed by 1000 samples: max error %g", worst);

    /* `/` divides in floats, 1 / 2 too: the range of p (1 / 2) reaches 500. */
    float *h = render(d, "half", "param p = 100 [0, 1000]\ncount = count@1 + 1\n"
                                 "output out = count@(p * (1 / 2), max: 1s) / 65536\n",
                      "--duration 1000 -p p=1000", &n, &c);
    cr_expect_eq(n, 1000);
    worst = 0;
    for (sf_count_t i = 0; i < n; i++)
        worst = fmax(worst, fabs(h[i] - (i >= 500 ? (double)(i - 499) / 65536 : 0)));
    cr_expect_leq(worst, 1e-7, "delayed by 1000 / 2 samples: max error %g", worst);

    /* A length read from the input has no range: the bound sizes the line. */
    cr_assert_eq(write_file(fmt_str("%s/in.agraph", d), "input (x, t)\noutput out = x@(t * 100, max: 10ms)\n"), 0);
    run_result r = run_cmd(60, "./build/agraphc %s/in.agraph --emit-c %s/in.c", d, d);
    cr_assert_eq(r.status, 0, "%s", r.err);
    char *ci = read_file(fmt_str("%s/in.c", d), NULL);
    cr_expect(ci && strstr(ci, "[2048];   /* up to 1920 samples */"), "%s", ci ? ci : "");
    run_free(&r);
}

Test(sizing, harmonics_share_one_smoother_and_stay_in_tune)
{
    const char *d = scratch_dir("sizing-smooth");
    /* Eight harmonics k f / SR of one parameter: one smoother, and each phase increment is
     * exactly what the closed form gives, sample after sample. */
    const char *src = "param f = 100Hz [20Hz, 300Hz]\n"
                      "block ph(inc) {\n    p = fract(p@1 + inc)\n    return p\n}\n"
                      "output out = sum k in 1..8: sin(2 * pi * ph(f * k / SR)) / 8\n";
    sf_count_t n;
    char *c;
    float *y = render(d, "bank", src, "--duration 4800 -p f=250", &n, &c);
    cr_assert(c);
    cr_expect(strstr(c, "double sm[1];"), "the harmonics do not share one smoother:\n%s",
              strstr(c, "typedef struct") ? strstr(c, "typedef struct") : c);
    double worst = 0;
    for (sf_count_t i = 0; i < n; i++) {
        double want = 0;
        for (int k = 1; k <= 8; k++) want += sin(2 * M_PI * fmod(250.0 * k * (double)(i + 1) / 48000, 1)) / 8;
        worst = fmax(worst, fabs(y[i] - want));
    }
    cr_expect_eq(n, 4800);
    cr_expect_leq(worst, 1e-3, "harmonics of 250 Hz: max error %g", worst);

    /* One use keeps its own smoother of the exact value: 250 ms is 12000 samples, not 11999.9995. */
    float *z = render(d, "one", "param t = 100ms [0ms, 500ms]\ncount = count@1 + 1\n"
                                "output out = count@(t, max: 500ms) / 65536\n",
                      "--duration 13000 -p t=250ms", &n, &c);
    cr_expect_eq(n, 13000);
    worst = 0;
    for (sf_count_t i = 0; i < n; i++) {
        double want = i >= 12000 ? (double)(i - 11999) / 65536 : 0;
        worst = fmax(worst, fabs(z[i] - want));
    }
    cr_expect_leq(worst, 1e-7, "delayed by 250 ms: max error %g", worst);
}

Test(sizing, lines_side_by_side_are_skewed_and_still_exact)
{
    const char *d = scratch_dir("sizing-skew");
    /* Three lines of the same size: written 0, 16 and 32 elements along; each still delays by
     * exactly its length. */
    const char *src = "count = count@1 + 1\n"
                      "a = count * 2\nb = count * 3\n"
                      "output (x, y, z) = (count@(700) / 65536, a@(600) / 65536, b@(500) / 65536)\n";
    sf_count_t n;
    char *c;
    float *v = render(d, "three", src, "--duration 2000", &n, &c);
    cr_assert(c);
    cr_expect_eq(n, 2000);
    cr_expect(strstr(c, "(iota + 16u)") && strstr(c, "(iota + 32u)"), "no skewed lines:\n%s", c);
    double worst = 0;
    static const int len[3] = { 700, 600, 500 }, mul[3] = { 1, 2, 3 };
    for (sf_count_t i = 0; i < n; i++)
        for (int ch = 0; ch < 3; ch++) {
            double want = i >= len[ch] ? (double)mul[ch] * (double)(i - len[ch] + 1) / 65536 : 0;
            worst = fmax(worst, fabs(v[i * 3 + ch] - want));
        }
    cr_expect_leq(worst, 1e-7, "max error %g", worst);
}
