"""fft_oracle.py — checks agraph's built-in FFT (run natively by fft_driver) against numpy.fft.
    /usr/bin/python3 fft_oracle.py DRIVER float|double DIR [--wrong]
For sizes 2 .. 8192: random x and a random spectrum X (imaginary parts of bins 0 and N/2 set too,
which a c2r transform must ignore, as FFTW's does); the forward result must match numpy.fft.rfft(x)
and the backward one N * numpy.fft.irfft(X, N), to within a few float (or double) roundings of the
largest value times log2 N. Exit status 0 when all match; prints the worst error per size."""
import os
import subprocess
import sys

import numpy as np

driver, kind, d = sys.argv[1], sys.argv[2], sys.argv[3]
wrong = "--wrong" in sys.argv
dt = np.float32 if kind == "float" else np.float64
eps = np.finfo(dt).eps
rng = np.random.default_rng(1234)
bad = 0
for logn in range(1, 14):
    n = 1 << logn
    x = rng.standard_normal(n).astype(dt)
    X = rng.standard_normal(n + 2).astype(dt)
    paths = [os.path.join(d, f) for f in ("x.bin", "X.bin", "fwd.bin", "bwd.bin")]
    x.tofile(paths[0])
    X.tofile(paths[1])
    subprocess.run([driver, str(n)] + paths + (["--wrong"] if wrong else []), check=True)
    fwd = np.fromfile(paths[2], dtype=dt).astype(np.float64)
    bwd = np.fromfile(paths[3], dtype=dt).astype(np.float64)
    ref_f = np.fft.rfft(x.astype(np.float64))
    Xc = X.astype(np.float64)[0::2] + 1j * X.astype(np.float64)[1::2]
    ref_b = n * np.fft.irfft(Xc, n)
    got_f = fwd[0::2] + 1j * fwd[1::2]
    ef = np.max(np.abs(got_f - ref_f)) / np.max(np.abs(ref_f))
    eb = np.max(np.abs(bwd - ref_b)) / np.max(np.abs(ref_b))
    tol = 4 * eps * logn
    ok = ef <= tol and eb <= tol
    bad += not ok
    print(f"N={n:5d} forward {ef:.2e} backward {eb:.2e} (tolerance {tol:.1e}) {'ok' if ok else 'MISMATCH'}")
sys.exit(1 if bad else 0)
