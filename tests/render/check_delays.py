#!/usr/bin/python3
"""check_delays.py — the oracle for stdlib/delays.agraph: what tests/stdlib/check_delays.agraph
rendered, against closed forms computed here: a delayed impulse carries the interpolation weights
(linear: 1 - f, f; cubic: the Lagrange basis polynomials at f, computed by numpy.polyfit; allpass:
the impulse response of (eta + z^-1) / (1 + eta z^-1) by scipy.signal.lfilter), the echoes are
IIR filters run by lfilter, and a 1 kHz sine read through a delay moving from 20 to 44 samples
must equal the sine at the delayed time within the interpolation error bound.
    check_delays.py make-input IN.wav
    check_delays.py delays OUT.wav IN.wav [SHIFT]
SHIFT (default 0) is added to every delay the oracle assumes: anything else must fail."""
import sys

import numpy as np
from scipy import signal

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from stdlib_common import SR, close, done, read, write

F_TONE = 1000.0
IMPULSES = [(100, 1.0), (20000, -0.5)]


def make_input(path):
    n = np.arange(SR)
    imp = np.zeros(SR)
    for i, a in IMPULSES:
        imp[i] = a
    write(path, np.stack([imp, np.sin(2 * np.pi * F_TONE * n / SR)], axis=1))


def fir(x, taps):
    """x filtered by the FIR {delay: weight}."""
    h = np.zeros(max(taps) + 1)
    for k, w in taps.items():
        h[k] += w
    return signal.lfilter(h, [1], x)


def lagrange_weights(f):
    """The weights of taps -1, 0, 1, 2 interpolating at f: fit the cubic through the four
    points of each unit vector and evaluate it at f."""
    xs = np.array([-1.0, 0.0, 1.0, 2.0])
    return [np.polyval(np.polyfit(xs, np.eye(4)[k], 3), f) for k in range(4)]


def main(argv):
    if argv[1] == "make-input":
        return make_input(argv[2])
    _, y = read(argv[2])
    _, x = read(argv[3])
    sh = float(argv[4]) if len(argv) > 4 else 0.0
    imp, tone = x[:, 0], x[:, 1]
    tol = 1e-6
    close("delay(100)", y[:, 0], fir(imp, {int(100 + sh): 1}), tol)
    close("delay(100.4) rounds to 100", y[:, 1], fir(imp, {int(100 + sh): 1}), tol)
    close("delay(100.5) rounds to 101", y[:, 2], fir(imp, {int(101 + sh): 1}), tol)
    d = 100.25 + sh
    n, f = int(np.floor(d)), d - np.floor(d)
    close("delay_linear(100.25): weights 0.75, 0.25", y[:, 3], fir(imp, {n: 1 - f, n + 1: f}), tol)
    n = int(np.floor(d - 0.5))
    D = d - n
    eta = (1 - D) / (1 + D)
    close(f"delay_allpass(100.25): z^-{n} (eta + z^-1) / (1 + eta z^-1), eta = {eta:.6f}", y[:, 4],
          signal.lfilter([0] * n + [eta, 1], [1, eta], imp), tol)
    n, f = int(np.floor(d)), d - np.floor(d)
    w = lagrange_weights(f)
    close("delay_cubic(100.25): Lagrange weights " + ", ".join(f"{v:.6f}" for v in w), y[:, 5],
          fir(imp, {n - 1: w[0], n: w[1], n + 1: w[2], n + 2: w[3]}), tol)
    # echo_damped(1000, 0.5, damp 0.3): 1 / (1 - g (1 - d) z^-N / (1 - d z^-1))
    N, g, dm = int(1000 + sh), 0.5, 0.3
    b = np.zeros(2)
    b[0], b[1] = 1, -dm
    a = np.zeros(N + 1)
    a[0], a[1], a[N] = 1, -dm, -g * (1 - dm)
    close("echo_damped(1000, 0.5, 0.3)", y[:, 6], signal.lfilter(b, a, imp), tol)
    # pingpong(700, 0.6): L = X / (1 - g^2 z^-2N), R = g z^-N L
    N, g = int(700 + sh), 0.6
    a = np.zeros(2 * N + 1)
    a[0], a[2 * N] = 1, -g * g
    left = signal.lfilter([1], a, imp)
    close("pingpong(700, 0.6) left", y[:, 7], left, tol)
    close("pingpong(700, 0.6) right", y[:, 8], g * fir(left, {N: 1}), tol)
    # A 1 kHz sine through a delay moving from 20 to 44 samples: d(n) as the program computes
    # it in float32, the ideal output sin(w (n - d(n))).
    k = np.arange(len(tone))
    dn = (np.float32(20) + np.float32(k) * np.float32(0.0005)).astype(np.float64) + sh
    ideal = np.sin(2 * np.pi * F_TONE * (k - dn) / SR)
    w = 2 * np.pi * F_TONE / SR
    ok = k >= 50
    rounded = np.sin(2 * np.pi * F_TONE * (k - np.floor(dn + 0.5)) / SR)
    close("delay(tone, moving d) reads whole samples", y[ok, 9], rounded[ok], 1e-5)
    # linear interpolation of a sine: error at most w^2 / 8; cubic Lagrange: w^4 * 9/16 / 24
    close("delay_linear(tone, moving d)", y[ok, 10], ideal[ok], w ** 2 / 8 + 1e-5)
    close("delay_cubic(tone, moving d)", y[ok, 11], ideal[ok], w ** 4 * 9 / 16 / 24 + 2e-5)
    # allpass: unity gain and, at 1 kHz (w = 0.13), a phase delay within 0.01 sample of d (the
    # first-order Thiran delay error grows as w^2): 2e-3 allows that and its small transients.
    close("delay_allpass(tone, moving d)", y[ok, 12], ideal[ok], 2e-3)
    done()


if __name__ == "__main__":
    main(sys.argv)
