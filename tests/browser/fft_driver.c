/* fft_driver.c — runs agraph's built-in FFT (runtime/wasm/agraph_fft.c, the very file agraphc pastes
 * into programs built for WebAssembly) natively, for tests/browser/fft_oracle.py to check against
 * numpy.fft. Build with -DAGRAPH_FFT_REAL=double for the double-precision variant.
 *   fft_driver N x.bin X.bin fwd.bin bwd.bin [--wrong]
 * x.bin: N reals; X.bin: N + 2 reals (bins 0 .. N/2); writes r2c(x) to fwd.bin and c2r(X) to
 * bwd.bin, all in AGRAPH_FFT_REAL. --wrong flips the sign of every imaginary part of the forward
 * result, so the oracle can be seen to fail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../runtime/wasm/agraph_fft.c"

typedef AGRAPH_FFT_REAL real;

static real *load(const char *path, int n)
{
    real *v = malloc(sizeof(real) * (size_t)n);
    FILE *f = fopen(path, "rb");
    if (!v || !f || fread(v, sizeof(real), (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "fft_driver: cannot read %d values from %s\n", n, path);
        exit(1);
    }
    fclose(f);
    return v;
}

static void save(const char *path, const real *v, int n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(v, sizeof(real), (size_t)n, f) != (size_t)n || fclose(f) != 0) {
        fprintf(stderr, "fft_driver: cannot write %s\n", path);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: fft_driver N x.bin X.bin fwd.bin bwd.bin [--wrong]\n");
        return 2;
    }
    int n = atoi(argv[1]);
    if (n < 2 || (n & (n - 1))) {
        fprintf(stderr, "fft_driver: N must be a power of two >= 2\n");
        return 2;
    }
    real *x = load(argv[2], n), *X = load(argv[3], n + 2);
    real *tw = malloc(sizeof(real) * (size_t)n), *fwd = malloc(sizeof(real) * (size_t)(n + 2));
    real *bwd = malloc(sizeof(real) * (size_t)n);
    agraph_fft_twiddles(tw, n);
    agraph_fft_r2c(tw, n, x, fwd);
    agraph_fft_c2r(tw, n, X, bwd);
    if (argc > 6 && !strcmp(argv[6], "--wrong"))
        for (int k = 0; k <= n / 2; k++) fwd[2 * k + 1] = -fwd[2 * k + 1];
    save(argv[4], fwd, n + 2);
    save(argv[5], bwd, n);
    free(x); free(X); free(tw); free(fwd); free(bwd);
    return 0;
}
