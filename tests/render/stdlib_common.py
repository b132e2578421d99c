"""stdlib_common.py — helpers shared by the stdlib oracles (check_*.py): reading what agraph
rendered, making test inputs, and comparing against a reference computed here, independently
of agraph. Each check prints what it measured and exits non-zero with the error when it fails."""
import sys
import warnings

import numpy as np
from scipy.io import wavfile

warnings.simplefilter("ignore", wavfile.WavFileWarning)
SR = 48000
failures = []


def read(path):
    """The samples of a 32-bit float WAV as float64, one column per channel, and its rate."""
    sr, x = wavfile.read(path)
    if x.dtype != np.float32:
        sys.exit(f"{path}: expected 32-bit float samples, found {x.dtype}")
    x = x.astype(np.float64)
    return sr, x if x.ndim == 2 else x[:, None]


def write(path, x, sr=SR):
    wavfile.write(path, sr, np.asarray(x, np.float32))


def noise(n, seed=12345, amp=0.25):
    """Gaussian noise, float32-exact, the input of the filter checks."""
    rng = np.random.default_rng(seed)
    return (amp * rng.standard_normal(n)).astype(np.float32).astype(np.float64)


def fail(msg):
    print("FAIL " + msg)
    failures.append(msg)


def close(name, got, want, tol):
    """max |got - want| <= tol."""
    got, want = np.asarray(got, float), np.asarray(want, float)
    if got.shape != want.shape:
        return fail(f"{name}: shape {got.shape}, expected {want.shape}")
    err = float(np.max(np.abs(got - want))) if got.size else 0.0
    ok = err <= tol
    print(f"{name}: max abs error {err:.3g} (tolerance {tol:g}){'' if ok else '  <-- FAIL'}")
    if not ok:
        i = int(np.argmax(np.abs(got - want)))
        fail(f"{name}: error {err:.3g} > {tol:g} at index {i}: got {got.flat[i]!r}, want {want.flat[i]!r}")
    return err


def within(name, got, lo, hi, unit=""):
    """lo <= got <= hi for a measured number."""
    ok = lo <= got <= hi
    print(f"{name}: {got:.6g}{unit} (expected {lo:.6g} .. {hi:.6g}){'' if ok else '  <-- FAIL'}")
    if not ok:
        fail(f"{name}: {got:.6g}{unit} outside {lo:.6g} .. {hi:.6g}")


def done():
    if failures:
        sys.exit(f"{len(failures)} check(s) failed; first: {failures[0]}")
