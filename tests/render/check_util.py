#!/usr/bin/python3
"""check_util.py — the oracle for stdlib/util.agraph: what tests/stdlib/check_util.agraph rendered
against the textbook formulas evaluated here in float64: MIDI/Hz and dB conversions along a ramp,
the pan laws (and their centre levels: -6.02, -3.01, -4.5 dB), mixers, mid/side, and the step
responses of smooth (exponential) and slew (straight lines of the given slopes).
    check_util.py make-input IN.wav
    check_util.py util OUT.wav IN.wav [A4_HZ]
A4_HZ (default 440) is the tuning the oracle assumes for mtof/ftom: anything else must fail."""
import sys

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from stdlib_common import SR, close, done, noise, read, within, write

N = SR


def make_input(path):
    k = np.arange(N)
    steps = np.zeros(N)
    steps[1000:] = 1.0
    steps[20000:] = 0.3
    write(path, np.stack([k / N, steps, noise(N, 1, 0.3), noise(N, 2, 0.3)], axis=1))


def rel(name, got, want, tol):
    close(name + " (relative)", got / want, np.ones_like(want), tol)


def main(argv):
    if argv[1] == "make-input":
        return make_input(argv[2])
    _, y = read(argv[2])
    _, x = read(argv[3])
    a4 = float(argv[4]) if len(argv) > 4 else 440.0
    r, steps, a, b = x.T
    p = 2 * r - 1
    rel("mtof(note)", y[:, 0], a4 * 2 ** ((r * 127 - 69) / 12), 2e-6)
    close("ftom(freq)", y[:, 1], 69 + 12 * np.log2((20 + r * 19980) / a4), 2e-5)
    close("pow2db(p)", y[:, 2], 10 * np.log10(0.001 + r), 2e-5)
    rel("db2pow(db)", y[:, 3], 10 ** ((-60 + 60 * r) / 10), 2e-6)
    close("gain_db(x, db)", y[:, 4], a * 10 ** ((-60 + 66 * r) / 20), 2e-6)
    th = (p + 1) * np.pi / 4
    close("pan_linear left", y[:, 5], a * (1 - p) / 2, 1e-6)
    close("pan_linear right", y[:, 6], a * (1 + p) / 2, 1e-6)
    close("pan_power left", y[:, 7], a * np.cos(th), 1e-6)
    close("pan_power right", y[:, 8], a * np.sin(th), 1e-6)
    close("pan_45 left", y[:, 9], a * np.sqrt((1 - p) / 2 * np.cos(th)), 2e-6)
    close("pan_45 right", y[:, 10], a * np.sqrt((1 + p) / 2 * np.sin(th)), 2e-6)
    # the laws' levels at the centre (p = 0 at k = N/2), measured on the program's left outputs:
    # the gain that fits y = g a over 100 samples there (p moves by 4e-5 a sample)
    mid = slice(N // 2 - 50, N // 2 + 50)
    for name, col, want in [("linear", 5, -6.02), ("constant power", 7, -3.01), ("-4.5 dB", 9, -4.5)]:
        g = np.dot(y[mid, col], a[mid]) / np.dot(a[mid], a[mid])
        within(f"pan law {name}: each side at the centre", 20 * np.log10(g), want - 0.02, want + 0.02, " dB")
    close("balance left", y[:, 11], a * np.minimum(1, 1 - p), 1e-6)
    close("balance right", y[:, 12], b * np.minimum(1, 1 + p), 1e-6)
    close("crossfade (equal power)", y[:, 13], a * np.cos(r * np.pi / 2) + b * np.sin(r * np.pi / 2), 1e-6)
    close("mix2(a, b, 0.5, -6 dB)", y[:, 14], 0.5 * a + 10 ** (-6 / 20) * b, 1e-6)
    close("mix3", y[:, 15], 0.1 * a + 0.2 * b + 0.3 * a, 1e-6)
    close("mix4", y[:, 16], 0.1 * a + 0.2 * b + 0.3 * a + 0.4 * b, 1e-6)
    close("to_mono", y[:, 17], (a + b) / 2, 1e-7)
    close("ms_encode mid", y[:, 18], (a + b) / 2, 1e-7)
    close("ms_encode side", y[:, 19], (a - b) / 2, 1e-7)
    close("ms_decode(ms_encode(l, r)) left", y[:, 20], a, 1e-7)
    close("ms_decode(ms_encode(l, r)) right", y[:, 21], b, 1e-7)
    k = np.arange(N)
    for col, tau in [(22, 100.0), (23, 240.0)]:
        c = np.exp(-1 / tau)
        want = np.where(k < 1000, 0.0, 1 - c ** (k - 999))
        e1 = 1 - c ** (20000 - 1000)
        want = np.where(k >= 20000, 0.3 + (e1 - 0.3) * c ** (k - 19999), want)
        close(f"smooth(steps, {tau:g} samples): exponential", y[:, col], want, 2e-5)
    want = np.clip((k - 999) * 0.001, 0, 1)
    want = np.where(k >= 20000, np.maximum(1 - (k - 19999) * 0.0002, 0.3), want)
    # y = y@1 + step sums in float32: up to half an ulp (6e-8 near 1) of drift a sample
    close("slew(steps, 0.001, 0.0002): straight segments", y[:, 24], want, 3500 * 6e-8)
    within("slew at 1 a few samples after 1000 samples of climbing", float(y[1999 + 5, 24]), 1 - 1e-7, 1 + 1e-7)
    within("slew at 0.3 a few samples after 3500 samples of falling", float(y[20000 + 3499 + 5, 24]),
           0.3 - 1e-7, 0.3 + 1e-7)
    done()


if __name__ == "__main__":
    main(sys.argv)
