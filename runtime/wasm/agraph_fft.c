/* agraph_fft.c — agraph's own FFT, for targets without FFTW (WebAssembly) and for `--fft builtin`.
 * agraphc pastes this text into a generated program, so it is written as static functions with
 * no dependency beyond libm. Real transforms of a power-of-two size n, with FFTW's conventions:
 *   forward  X[k] = sum_p x[p] e^(-2 pi i k p / n),  k = 0 .. n/2, stored (re, im) per bin;
 *   backward x[p] = sum_k X[k] e^(+2 pi i k p / n) over the whole Hermitian spectrum, NOT divided
 *            by n, and the imaginary parts of bins 0 and n/2 are ignored (as FFTW's c2r does).
 * Method: the n real samples are read as n/2 complex ones (even + i odd), transformed by an
 * iterative radix-2 complex FFT, then split into the real spectrum with one twiddle per bin
 * (Numerical Recipes §12.3; the same "packing" trick as FFTW's r2c codelets). Twiddles are made
 * once in double precision, in a table the caller owns; the transforms allocate nothing. */
#ifndef AGRAPH_FFT_BUILTIN
#define AGRAPH_FFT_BUILTIN

#include <math.h>

#ifndef AGRAPH_FFT_REAL
#define AGRAPH_FFT_REAL float
#endif

#if defined(__GNUC__)
#define AGRAPH_FFT_UNUSED __attribute__((unused))
#else
#define AGRAPH_FFT_UNUSED
#endif

/* tw gets n reals: (cos, -sin)(2 pi k / n) for k = 0 .. n/2 - 1, i.e. W^k with W = e^(-2 pi i/n). */
AGRAPH_FFT_UNUSED static void agraph_fft_twiddles(AGRAPH_FFT_REAL *tw, int n)
{
    for (int k = 0; k < n / 2; k++) {
        double a = 6.283185307179586476925 * (double)k / (double)n;
        tw[2 * k] = (AGRAPH_FFT_REAL)cos(a);
        tw[2 * k + 1] = (AGRAPH_FFT_REAL)-sin(a);
    }
}

/* In place, m complex values (m a power of two, m <= n/2) in z as (re, im) pairs. sign -1:
 * forward, +1: backward (unnormalised). Twiddles come from the size-n table. */
AGRAPH_FFT_UNUSED static void agraph_fft_complex(const AGRAPH_FFT_REAL *tw, int n, AGRAPH_FFT_REAL *z, int m, int sign)
{
    /* bit-reversal permutation */
    for (int i = 1, j = 0; i < m; i++) {
        int bit = m >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j |= bit;
        if (i < j) {
            AGRAPH_FFT_REAL t = z[2 * i]; z[2 * i] = z[2 * j]; z[2 * j] = t;
            t = z[2 * i + 1]; z[2 * i + 1] = z[2 * j + 1]; z[2 * j + 1] = t;
        }
    }
    /* butterflies: stage with half-length h uses W_(2h)^j = W_n^(j n / 2h) */
    for (int h = 1; h < m; h *= 2) {
        int stride = n / (2 * h);
        for (int j = 0; j < h; j++) {
            AGRAPH_FFT_REAL wr = tw[2 * (j * stride)], wi = tw[2 * (j * stride) + 1];
            if (sign > 0) wi = -wi;
            for (int a = j; a < m; a += 2 * h) {
                int b = a + h;
                AGRAPH_FFT_REAL br = z[2 * b] * wr - z[2 * b + 1] * wi;
                AGRAPH_FFT_REAL bi = z[2 * b] * wi + z[2 * b + 1] * wr;
                z[2 * b] = z[2 * a] - br;
                z[2 * b + 1] = z[2 * a + 1] - bi;
                z[2 * a] += br;
                z[2 * a + 1] += bi;
            }
        }
    }
}

/* Forward real transform: x (n reals) -> X (n + 2 reals: bins 0 .. n/2). x is left as it was. */
AGRAPH_FFT_UNUSED static void agraph_fft_r2c(const AGRAPH_FFT_REAL *tw, int n, const AGRAPH_FFT_REAL *x, AGRAPH_FFT_REAL *X)
{
    int m = n / 2;
    for (int p = 0; p < n; p++) X[p] = x[p];
    agraph_fft_complex(tw, n, X, m, -1);   /* Z = FFT_m(x[2p] + i x[2p+1]) */
    /* X_k = E_k + W^k O_k, E_k = (Z_k + conj Z_(m-k)) / 2, O_k = (Z_k - conj Z_(m-k)) / 2i */
    AGRAPH_FFT_REAL z0r = X[0], z0i = X[1];
    X[0] = z0r + z0i;
    X[1] = 0;
    X[2 * m] = z0r - z0i;
    X[2 * m + 1] = 0;
    for (int k = 1; k <= m / 2; k++) {
        int q = m - k;
        AGRAPH_FFT_REAL ar = X[2 * k], ai = X[2 * k + 1], br = X[2 * q], bi = X[2 * q + 1];
        AGRAPH_FFT_REAL er = (AGRAPH_FFT_REAL)0.5 * (ar + br), ei = (AGRAPH_FFT_REAL)0.5 * (ai - bi);
        AGRAPH_FFT_REAL or_ = (AGRAPH_FFT_REAL)0.5 * (ai + bi), oi = (AGRAPH_FFT_REAL)-0.5 * (ar - br);
        AGRAPH_FFT_REAL wr = tw[2 * k], wi = tw[2 * k + 1];
        AGRAPH_FFT_REAL tr = wr * or_ - wi * oi, ti = wr * oi + wi * or_;
        X[2 * k] = er + tr;
        X[2 * k + 1] = ei + ti;
        /* bin m - k: E_(m-k) = conj E_k, O_(m-k) = conj O_k, W^(m-k) = -conj W^k */
        X[2 * q] = er - tr;
        X[2 * q + 1] = ti - ei;
    }
}

/* Backward real transform: X (bins 0 .. n/2) -> x (n reals), n times the inverse. X is left as it
 * was. */
AGRAPH_FFT_UNUSED static void agraph_fft_c2r(const AGRAPH_FFT_REAL *tw, int n, const AGRAPH_FFT_REAL *X, AGRAPH_FFT_REAL *x)
{
    int m = n / 2;
    /* Z_k = E_k + i O_k with E_k = X_k + conj X_(m-k), O_k = (X_k - conj X_(m-k)) W^-k; the
     * unnormalised size-m inverse then yields n x[2p] + i n x[2p+1]. */
    x[0] = X[0] + X[2 * m];
    x[1] = X[0] - X[2 * m];
    for (int k = 1; k <= m / 2; k++) {
        int q = m - k;
        AGRAPH_FFT_REAL ar = X[2 * k], ai = X[2 * k + 1], br = X[2 * q], bi = X[2 * q + 1];
        AGRAPH_FFT_REAL er = ar + br, ei = ai - bi;
        AGRAPH_FFT_REAL dr = ar - br, di = ai + bi;
        AGRAPH_FFT_REAL wr = tw[2 * k], wi = -tw[2 * k + 1];          /* W^-k */
        AGRAPH_FFT_REAL or_ = dr * wr - di * wi, oi = dr * wi + di * wr;
        x[2 * k] = er - oi;
        x[2 * k + 1] = ei + or_;
        /* bin m - k: E_(m-k) = conj E_k and, with W^-(m-k) = -conj W^-k, O_(m-k) = conj O_k */
        x[2 * q] = er + oi;
        x[2 * q + 1] = or_ - ei;
    }
    agraph_fft_complex(tw, n, x, m, +1);
}

#endif /* AGRAPH_FFT_BUILTIN */
