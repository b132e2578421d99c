/* test_lanes.c — copies side by side run as one loop over lanes (compiler/lanes.c). The oracle is
 * the same program compiled with --no-lanes, each copy on its own: with glibc's vector maths kept
 * out (AGRAPH_NO_LIBMVEC), the loop must give those samples bit for bit, while parameters rest and
 * while they glide; with it, within the vector functions' 4 ulp. A driver runs both libraries
 * (--emit-lib) side by side on the same input and parameter moves. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char driver[] =
    "#include <math.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
    "#include \"lanes.h\"\n#include \"scalar.h\"\n"
    "enum { FRAMES = 48000 };\n"
    "static float *render(const agraph_program *p)\n"
    "{\n"
    "    void *s = aligned_alloc(64, (p->state_size + 63) / 64 * 64);\n"
    "    if (!s || p->init(s, 48000) != 0) exit(3);\n"
    "    float *y = calloc((size_t)FRAMES * (size_t)p->n_outputs, sizeof *y), in[8][512], out[8][512];\n"
    "    const float *ip[8];\n    float *op[8];\n"
    "    for (int c = 0; c < 8; c++) ip[c] = in[c], op[c] = out[c];\n"
    "    unsigned rng = 12345;\n"
    "    for (int done = 0, b = 0; done < FRAMES; b++) {\n"
    "        int n = 37 + (b * 97) % 400;   /* ragged blocks */\n"
    "        if (n > FRAMES - done) n = FRAMES - done;\n"
    "        for (int c = 0; c < p->n_inputs; c++)\n"
    "            for (int i = 0; i < n; i++) rng = rng * 1664525u + 1013904223u, in[c][i] = (float)((int)rng / 2147483648.0 * 0.5);\n"
    "        if (p->n_params && b % 9 == 4) {   /* a parameter moves: its smoother glides */\n"
    "            const agraph_param_info *q = &p->params[b % p->n_params];\n"
    "            double t = fmod(b * 0.618, 1.0);\n"
    "            p->set_param(s, b % p->n_params, q->scale ? q->min * pow(q->max / q->min, t) : q->min + (q->max - q->min) * t);\n"
    "        }\n"
    "        p->process(s, ip, op, n);\n"
    "        for (int c = 0; c < p->n_outputs; c++)\n"
    "            for (int i = 0; i < n; i++) y[(size_t)c * FRAMES + (size_t)(done + i)] = out[c][i];\n"
    "        done += n;\n"
    "    }\n"
    "    free(s);\n"
    "    return y;\n"
    "}\n"
    "int main(void)\n"
    "{\n"
    "    float *a = render(&lanes_program), *b = render(&scalar_program);\n"
    "    long n = (long)FRAMES * lanes_program.n_outputs, bad = 0;\n"
    "    double worst = 0, peak = 0;\n"
    "    for (long i = 0; i < n; i++) {\n"
    "        if (memcmp(&a[i], &b[i], sizeof *a)) bad++;\n"
    "        worst = fmax(worst, fabs((double)a[i] - b[i]));\n"
    "        peak = fmax(peak, fabs((double)b[i]));\n"
    "    }\n"
    "    printf(\"%ld %ld %.9g %.9g\\n\", n, bad, worst, peak);\n"
    "    return 0;\n"
    "}\n";

typedef struct { long n, bad; double worst, peak; } diff;

/* Both libraries of src (with extra agraphc options), the driver built with cflags; the result. */
static diff compare(const char *d, const char *src, const char *opts, const char *cflags, char **lanes_c)
{
    cr_assert_eq(write_file(fmt_str("%s/p.agraph", d), src), 0);
    cr_assert_eq(write_file(fmt_str("%s/driver.c", d), driver), 0);
    ran_ok("agraphc", run_cmd(60, "./build/agraphc %s/p.agraph %s --emit-lib %s/lanes && "
                                  "./build/agraphc %s/p.agraph %s --no-lanes --emit-lib %s/scalar",
                              d, opts, d, d, opts, d));
    ran_ok("cc", run_cmd(120, "cc -std=c11 -O2 -fno-math-errno -fno-trapping-math -Wall -Wextra -Werror %s -I%s "
                              "-o %s/driver %s/driver.c %s/lanes.c %s/scalar.c -lm",
                         cflags, d, d, d, d, d));
    run_result r = run_cmd(120, "%s/driver", d);
    cr_assert_eq(r.status, 0, "driver: %s", r.err);
    diff v;
    cr_assert_eq(sscanf(r.out, "%ld %ld %lf %lf", &v.n, &v.bad, &v.worst, &v.peak), 4, "%s", r.out);
    run_free(&r);
    *lanes_c = read_file(fmt_str("%s/lanes.c", d), NULL);
    char *scalar_c = read_file(fmt_str("%s/scalar.c", d), NULL);
    cr_assert(*lanes_c && scalar_c);
    cr_expect(!strstr(scalar_c, "for (int lane"), "--no-lanes wrote a loop over lanes");
    return v;
}

static const struct { const char *name, *src, *opts; int copies; } programs[] = {
    { "bank", "import std\nparam f = 55Hz [20Hz, 300Hz] log\n"
              "output out = sum k in 1..64: sine(f * k) * (0.1 / k)\n", "", 64 },
    { "bank, double", "import std\nparam f = 55Hz [20Hz, 300Hz] log\n"
                      "output out = sum k in 1..64: sine(f * k) * (0.1 / k)\n", "--double", 64 },
    { "five sliders", "import std\nparam f1 = 220Hz [20Hz, 5kHz] log\nparam f2 = 440Hz [20Hz, 5kHz] log\n"
                      "param f3 = 660Hz [20Hz, 5kHz] log\nparam level = 0.2 [0, 0.25]\n"
                      "output out = level * (sine(f1) + sine(f2) + sine(f3))\n", "", 3 },
    /* filters with their own one-sample states in each lane, fed one shared input */
    { "resonators", "import filters\ninput x\nparam q = 4 [0.5, 20]\n"
                    "output out = sum k in 1..6: tanh(3 * lowpass(x, 300Hz * k, q)) / k\n", "", 6 },
    /* each copy its own noise (gathered per sample), floor of negative values */
    { "noisy phases", "output out = sum k in 1..8: sin(tau * fract(noise() * (3.7 + k))) / 8\n", "", 8 },
    /* two outputs from one set of copies, a delay line outside the lanes */
    { "stereo", "import std\nparam f = 100Hz [50Hz, 400Hz]\nv = par k in 0..3: sine(f * (1 + 0.01 * k))\n"
                "output (l, r) = (v[0] + v[1], (v[2] + v[3])@(10ms))\n", "", 4 },
};

Test(lanes, a_loop_over_lanes_computes_what_the_copies_compute_alone, .timeout = 300)
{
    for (size_t i = 0; i < sizeof programs / sizeof *programs; i++) {
        const char *d = scratch_dir(fmt_str("lanes-%zu", i));
        char *c;
        diff exact = compare(d, programs[i].src, programs[i].opts, "-DAGRAPH_NO_LIBMVEC", &c);
        cr_expect(strstr(c, fmt_str("/* %d copies of ", programs[i].copies)) && strstr(c, "for (int lane"),
                  "%s: no loop over %d lanes", programs[i].name, programs[i].copies);
        cr_expect_gt(exact.peak, 0.01, "%s: silent (peak %g)", programs[i].name, exact.peak);
        cr_expect_eq(exact.bad, 0, "%s: %ld of %ld samples differ from --no-lanes (worst %g)", programs[i].name,
                     exact.bad, exact.n, exact.worst);
        diff vec = compare(d, programs[i].src, programs[i].opts, "", &c);
        cr_expect_leq(vec.worst, 2e-6 * vec.peak, "%s with libmvec: worst %g of peak %g", programs[i].name,
                      vec.worst, vec.peak);
        fprintf(stderr, "lanes, %s: %ld samples; scalar maths: %ld differ; libmvec: worst %.3g of peak %.3g\n",
                programs[i].name, exact.n, exact.bad, vec.worst, vec.peak);
    }
}

Test(lanes, copies_that_read_each_other_stay_apart)
{
    /* Two oscillators of the same shape, each driven by the other's last sample: they cannot be
     * one loop (a lane would read another lane's delay). */
    const char *d = scratch_dir("lanes-coupled");
    char *c;
    diff v = compare(d, "a = sin(tau * (0.01 + 0.5 * b@1) + a@1)\nb = sin(tau * (0.02 + 0.5 * a@1) + b@1)\n"
                        "output out = 0.5 * (a + b)\n", "", "", &c);
    cr_expect(!strstr(c, "for (int lane"), "coupled copies were put in one loop");
    cr_expect_eq(v.bad, 0, "%ld samples differ", v.bad);
    cr_expect_gt(v.peak, 0.01);
}

Test(lanes, the_vector_floor_is_floorf_for_every_float, .timeout = 120)
{
    /* agraph_floorf (the generated code's floor in loops over lanes) against floorf, on every
     * 16th bit pattern and every pattern near the edges: whole numbers, 2^23, 0, infinities, NaN. */
    const char *d = scratch_dir("lanes-floor");
    ran_ok("agraphc", run_cmd(60, "printf 'output out = 0\\n' > %s/z.agraph && ./build/agraphc %s/z.agraph "
                                  "--emit-lib %s/z", d, d, d));
    cr_assert_eq(write_file(fmt_str("%s/t.c", d),
        "#include \"z.c\"\n#include <stdio.h>\n"
        "static int same(float x)\n{\n"
        "    float a = agraph_floorf(x), b = floorf(x);\n"
        "    return memcmp(&a, &b, sizeof a) == 0 || (a != a && b != b && memcmp(&a, &x, sizeof a) == 0);\n}\n"
        "int main(void)\n{\n    long bad = 0, n = 0;\n"
        "    for (uint64_t u = 0; u <= 0xffffffffu; u += 16) {\n"
        "        for (uint32_t k = 0; k < 16; k += (u >> 23 & 0xff) >= 0x7e && (u >> 23 & 0xff) <= 0x97 ? 1 : 16) {\n"
        "            uint32_t b = (uint32_t)u + k;\n            float x;\n            memcpy(&x, &b, sizeof x);\n"
        "            n++;\n            if (!same(x)) { if (bad < 5) printf(\"%08x: %a %a\\n\", b, agraph_floorf(x), floorf(x)); bad++; }\n"
        "        }\n    }\n"
        "    double t[] = { 0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.5, -2.5, 8388607.5, -8388607.5, 1e300, -1e-300 };\n"
        "    for (int i = 0; i < 12; i++) { n++; if (agraph_floor(t[i]) != floor(t[i]) || signbit(agraph_floor(t[i])) != signbit(floor(t[i]))) bad++; }\n"
        "    printf(\"%ld %ld\\n\", n, bad);\n    return 0;\n}\n"), 0);
    /* built as the loops are: without -fno-trapping-math, so the bit arithmetic, not floorf, is tested */
    ran_ok("cc", run_cmd(120, "cc -std=c11 -O2 -I%s -o %s/t %s/t.c -lm", d, d, d));
    run_result r = run_cmd(120, "%s/t", d);
    long n = 0, bad = -1;
    size_t len = strlen(r.out);
    while (len && r.out[len - 1] == '\n') len--;
    const char *last = r.out + len;
    while (last > r.out && last[-1] != '\n') last--;
    cr_assert_eq(sscanf(last, "%ld %ld", &n, &bad), 2, "%s", r.out);
    cr_expect_eq(bad, 0, "agraph_floorf differs from floorf:\n%s", r.out);
    cr_expect_gt(n, 200000000L, "only %ld values", n);
    run_free(&r);
}

Test(lanes, the_language_reference_shows_what_agraphc_writes)
{
    /* docs/language.md section 15 shows the loop agraphc writes for an oscillator bank */
    const char *d = scratch_dir("lanes-doc");
    char *doc = read_file("docs/language.md", NULL);
    cr_assert(doc);
    const char *cmd = "$ agraphc bank.agraph --emit-c - | sed -n '/one loop over lanes/,/^        }/p'\n";
    char *at = strstr(doc, cmd);
    cr_assert(at, "docs/language.md no longer shows the bank's loop");
    at += strlen(cmd);
    char *end = strstr(at, "```");
    cr_assert(end);
    *end = 0;
    const char *prog = strstr(doc, "param f = 55Hz [20Hz, 300Hz] log\noutput out = sum k in 1..64");
    cr_assert(prog && prog < at, "the bank's program is not shown before its C");
    cr_assert_eq(write_file(fmt_str("%s/bank.agraph", d),
                            "import std\nparam f = 55Hz [20Hz, 300Hz] log\n"
                            "output out = sum k in 1..64: sine(f * k) * (0.1 / k)\n"), 0);
    run_result r = run_cmd(60, "cd %s && %s/build/agraphc bank.agraph --emit-c - | sed -n '/one loop over lanes/,/^        }/p'",
                           d, getenv("PWD"));
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_expect_str_eq(r.out, at, "docs/language.md shows:\n%s\nagraphc writes:\n%s", at, r.out);
    run_free(&r);
}
