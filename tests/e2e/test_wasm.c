/* test_wasm.c — `agraphc --emit-wasm` and agraph's built-in FFT. The FFT (runtime/wasm/agraph_fft.c,
 * run natively) against numpy.fft; spectral programs on it against the same programs on FFTW; and
 * the WebAssembly modules rendered by headless Chromium through an OfflineAudioContext
 * (tests/browser/wasm_render.py, selenium + chromedriver, the page served on loopback) against the
 * native executables, with parameters sent as port messages before and during the render. */
#include <criterion/criterion.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

Test(wasm, builtin_fft_matches_numpy, .timeout = 300)
{
    const char *d = scratch_dir("fft-numpy");
    ran_ok("float driver", run_cmd(60, "cc -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror -o %s/fft_f tests/browser/fft_driver.c -lm", d));
    ran_ok("double driver", run_cmd(60, "cc -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror -DAGRAPH_FFT_REAL=double "
                                    "-o %s/fft_d tests/browser/fft_driver.c -lm", d));
    ran_ok("float vs numpy", run_cmd(120, "/usr/bin/python3 tests/browser/fft_oracle.py %s/fft_f float %s", d, d));
    ran_ok("double vs numpy", run_cmd(120, "/usr/bin/python3 tests/browser/fft_oracle.py %s/fft_d double %s", d, d));
    /* the oracle can fail: conjugated spectra are refused */
    run_result r = run_cmd(120, "/usr/bin/python3 tests/browser/fft_oracle.py %s/fft_f float %s --wrong", d, d);
    cr_expect_neq(r.status, 0, "the oracle accepted a wrong transform:\n%s", r.out);
    cr_expect(strstr(r.out, "MISMATCH"), "%s", r.out);
    run_free(&r);
}

/* Samples of a WAV or of a raw float file, interleaved; *n gets the count. */
static float *samples(const char *path, long *n)
{
    size_t len = strlen(path);
    if (len > 4 && !strcmp(path + len - 4, ".wav")) {
        SF_INFO info = {0};
        SNDFILE *f = sf_open(path, SFM_READ, &info);
        cr_assert(f, "cannot read %s", path);
        *n = (long)(info.frames * info.channels);
        float *v = malloc(sizeof(float) * (size_t)*n);
        cr_assert_eq(sf_read_float(f, v, *n), *n);
        sf_close(f);
        return v;
    }
    size_t bytes;
    float *v = (float *)read_file(path, &bytes);
    cr_assert(v, "cannot read %s", path);
    *n = (long)(bytes / sizeof(float));
    return v;
}

/* Largest |a - b| over samples [from, to) (to = -1: all); fails when lengths differ. */
static double worst(const char *a, const char *b, long from, long to)
{
    long na, nb;
    float *x = samples(a, &na), *y = samples(b, &nb);
    cr_assert_eq(na, nb, "%s has %ld samples, %s %ld", a, na, b, nb);
    if (to < 0 || to > na) to = na;
    double w = 0;
    for (long k = from; k < to; k++) {
        double e = x[k] > y[k] ? x[k] - y[k] : y[k] - x[k];
        if (!(e <= w)) w = e;   /* NaN counts as the worst */
    }
    free(x);
    free(y);
    return w;
}

/* Test input, 1 s at 48 kHz, as a WAV (for executables) and raw floats (for the page). For the gate,
 * sines on FFT bins (a 2048-point frame puts them exactly on bins 43 and 128) and a little noise,
 * so every bin is far from the threshold and both FFTs choose the same bins. */
static void make_input(const char *d, int gate)
{
    ran_ok("input", run_cmd(60, "/usr/bin/python3 -c \"\n"
        "import numpy as np; from scipy.io import wavfile\n"
        "t = np.arange(48000) / 48000; rng = np.random.default_rng(5)\n"
        "x = (0.5 * np.sin(2 * np.pi * 43 * 48000 / 2048 * t) + 0.2 * np.sin(2 * np.pi * 128 * 48000 / 2048 * t)\n"
        "     + 0.001 * rng.standard_normal(48000)) if %d else 0.4 * rng.standard_normal(48000)\n"
        "x = x.astype(np.float32); x.tofile('%s/in.f32'); wavfile.write('%s/in.wav', 48000, x)\"", gate, d, d));
}

/* The built-in FFT in an executable (--fft builtin) against FFTW on the spectral gate. */
Test(wasm, spectral_gate_on_builtin_fft_matches_fftw, .timeout = 300)
{
    const char *d = scratch_dir("fft-vs-fftw");
    make_input(d, 1);
    ran_ok("fftw", run_cmd(60, "./build/agraphc examples/spectral_gate.agraph -o %s/fftw && %s/fftw -q -i %s/in.wav -o %s/fftw.wav",
                       d, d, d, d));
    ran_ok("builtin", run_cmd(60, "./build/agraphc examples/spectral_gate.agraph --fft builtin -o %s/own && "
                              "%s/own -q -i %s/in.wav -o %s/own.wav", d, d, d, d));
    run_result r = run_cmd(30, "nm -D %s/own | grep -c fftw", d);
    cr_expect_eq(atoi(r.out), 0, "the --fft builtin executable still calls FFTW:\n%s", r.out);
    run_free(&r);
    double w = worst(fmt_str("%s/fftw.wav", d), fmt_str("%s/own.wav", d), 0, -1);
    cr_expect_lt(w, 1e-6, "built-in FFT vs FFTW: worst difference %g", w);
    cr_expect_gt(worst(fmt_str("%s/fftw.wav", d), fmt_str("%s/in.wav", d), 0, -1), 1e-4,
                 "the gate changed nothing, so the comparison proves little");
}

/* Native renders and their Chromium counterparts, compared sample by sample. */
Test(wasm, chromium_offline_render_matches_native, .timeout = 600)
{
    const char *d = scratch_dir("wasm-chromium");
    const char *gd = fmt_str("%s/gate-input", d);
    ran_ok("mkdir", run_cmd(10, "mkdir -p %s", gd));
    make_input(d, 0);
    make_input(gd, 1);
    /* native references */
    ran_ok("tour", run_cmd(60, "./build/agraphc examples/tour.agraph -o %s/tour && %s/tour -q -i %s/in.wav -o %s/tour.wav && "
                           "%s/tour -q -i %s/in.wav -o %s/tour30.wav --param drive=30dB", d, d, d, d, d, d, d));
    ran_ok("gate", run_cmd(60, "./build/agraphc examples/spectral_gate.agraph -o %s/gate && %s/gate -q -i %s/in.wav -o %s/gate.wav && "
                           "%s/gate -q -i %s/in.wav -o %s/gate_hi.wav --param threshold=-6dB", d, d, gd, d, d, gd, d));
    /* the same programs as WebAssembly */
    ran_ok("emit-wasm", run_cmd(120, "./build/agraphc examples/tour.agraph --emit-wasm %s/tour && "
                                 "./build/agraphc examples/spectral_gate.agraph --emit-wasm %s/gate", d, d));
    cr_assert(file_exists(fmt_str("%s/tour.wasm", d)) && file_exists(fmt_str("%s/tour.js", d)));
    /* 24064 = 188 render quanta: the late message lands at a quantum boundary */
    const char *jobs = fmt_str(
        "[{\"wasm\": \"%s/tour.wasm\", \"js\": \"%s/tour.js\", \"frames\": 48000, \"input\": \"%s/in.f32\", \"out\": \"%s/w_tour.f32\"},\n"
        " {\"wasm\": \"%s/tour.wasm\", \"js\": \"%s/tour.js\", \"frames\": 48000, \"input\": \"%s/in.f32\",\n"
        "  \"messages\": [{\"name\": \"drive\", \"value\": 30}], \"out\": \"%s/w_tour30.f32\"},\n"
        " {\"wasm\": \"%s/tour.wasm\", \"js\": \"%s/tour.js\", \"frames\": 48000, \"input\": \"%s/in.f32\",\n"
        "  \"late\": {\"at\": %.17g, \"name\": \"drive\", \"value\": 30}, \"out\": \"%s/w_late.f32\"},\n"
        " {\"wasm\": \"%s/gate.wasm\", \"js\": \"%s/gate.js\", \"frames\": 48000, \"input\": \"%s/in.f32\", \"out\": \"%s/w_gate.f32\"},\n"
        " {\"wasm\": \"%s/gate.wasm\", \"js\": \"%s/gate.js\", \"frames\": 48000, \"input\": \"%s/in.f32\",\n"
        "  \"messages\": [{\"name\": \"threshold\", \"value\": -6}], \"out\": \"%s/w_gate_hi.f32\"}]\n",
        d, d, d, d, d, d, d, d, d, d, d, 24064.0 / 48000, d, d, d, gd, d, d, d, gd, d);
    cr_assert_eq(write_file(fmt_str("%s/jobs.json", d), jobs), 0);
    run_result r = run_cmd(400, "/usr/bin/python3 tests/browser/wasm_render.py %s/jobs.json", d);
    cr_assert_eq(r.status, 0, "wasm_render.py (%d):\n%s%s", r.status, r.out, r.err);
    cr_expect(strstr(r.out, "\"name\": \"drive\", \"type\": \"ok\", \"value\": 30"), "no answer to the message:\n%s", r.out);
    run_free(&r);

    const double tol = 1e-5;   /* float rounding: wasi-libc's libm and glibc's differ in the last bits */
    double w = worst(fmt_str("%s/tour.wav", d), fmt_str("%s/w_tour.f32", d), 0, -1);
    cr_expect_lt(w, tol, "tour: wasm vs native %g", w);
    w = worst(fmt_str("%s/tour30.wav", d), fmt_str("%s/w_tour30.f32", d), 0, -1);
    cr_expect_lt(w, tol, "tour, drive=30dB by message: wasm vs native %g", w);
    /* the message changed the output (and this comparison can fail) */
    w = worst(fmt_str("%s/tour.wav", d), fmt_str("%s/w_tour30.f32", d), 0, -1);
    cr_expect_gt(w, 0.05, "the drive message changed nothing: %g", w);
    /* a message during the render: the default sound up to that sample, a different one after */
    w = worst(fmt_str("%s/tour.wav", d), fmt_str("%s/w_late.f32", d), 0, 24064);
    cr_expect_lt(w, tol, "before the late message: %g", w);
    w = worst(fmt_str("%s/tour.wav", d), fmt_str("%s/w_late.f32", d), 24064, -1);
    cr_expect_gt(w, 0.05, "after the late message: %g", w);
    /* the spectral gate on the built-in FFT in the browser against FFTW natively */
    w = worst(fmt_str("%s/gate.wav", d), fmt_str("%s/w_gate.f32", d), 0, -1);
    cr_expect_lt(w, tol, "spectral gate: wasm (built-in FFT) vs native (FFTW) %g", w);
    w = worst(fmt_str("%s/gate_hi.wav", d), fmt_str("%s/w_gate_hi.f32", d), 0, -1);
    cr_expect_lt(w, tol, "spectral gate, threshold=-6dB by message: %g", w);
    w = worst(fmt_str("%s/gate.wav", d), fmt_str("%s/gate_hi.wav", d), 0, -1);
    cr_expect_gt(w, 0.05, "the threshold did not matter: %g", w);
}

Test(wasm, errors_are_reported)
{
    const char *d = scratch_dir("wasm-errors");
    run_result r = run_cmd(60, "./build/agraphc examples/sine.agraph --emit-wasm %s/no/such/folder/sine", d);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "error: cannot write"), "%s", r.err);
    run_free(&r);
    r = run_cmd(60, "./build/agraphc examples/sine.agraph --fft fast");
    cr_expect_eq(r.status, 2);
    cr_expect(strstr(r.err, "--fft takes 'builtin' or 'fftw'"), "%s", r.err);
    run_free(&r);
    r = run_cmd(60, "./build/agraphc examples/sine.agraph --emit-lib %s/my-dsp", d);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "not a C identifier"), "%s", r.err);
    cr_expect(!file_exists(fmt_str("%s/my-dsp.c", d)) && !file_exists(fmt_str("%s/my-dsp.h", d)), "files were written");
    run_free(&r);
    /* a wasm compiler that fails leaves nothing behind */
    r = run_cmd(60, "AGRAPH_WASM_CC=false ./build/agraphc examples/sine.agraph --emit-wasm %s/sine", d);
    cr_expect_eq(r.status, 1);
    cr_expect(strstr(r.err, "wasm32-wasi"), "%s", r.err);
    cr_expect(!file_exists(fmt_str("%s/sine.wasm", d)) && !file_exists(fmt_str("%s/sine.js", d)), "files were left");
    run_free(&r);
}
