#!/usr/bin/python3
"""check_filters.py — the oracle for stdlib/filters.agraph: what tests/stdlib/check_filters.agraph
and check_butterworth.agraph rendered from noise, against scipy.signal with coefficients computed
here from the published formulas (RBJ "Audio EQ Cookbook"; analog prototypes through
scipy.signal.bilinear for the state-variable filter; scipy.signal.butter for Butterworth).
    check_filters.py make-input IN.wav
    check_filters.py filters OUT.wav IN.wav [SCALE]
    check_filters.py butterworth OUT.wav IN.wav [SCALE]
SCALE (default 1) multiplies every frequency the oracle assumes: anything but 1 must fail."""
import sys

import numpy as np
from scipy import signal

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from stdlib_common import SR, close, done, noise, read, write

TOL = 1e-5          # max abs error on 0.25-rms noise, float32 against float64


def rbj(kind, f, q, gain_db=0.0, sr=SR):
    """Cookbook coefficients (b, a), unnormalised, straight from the cookbook's text."""
    w0 = 2 * np.pi * f / sr
    cw, sw = np.cos(w0), np.sin(w0)
    alpha = sw / (2 * q)
    A = 10 ** (gain_db / 40)
    if kind == "lowpass":
        b, a = [(1 - cw) / 2, 1 - cw, (1 - cw) / 2], [1 + alpha, -2 * cw, 1 - alpha]
    elif kind == "highpass":
        b, a = [(1 + cw) / 2, -(1 + cw), (1 + cw) / 2], [1 + alpha, -2 * cw, 1 - alpha]
    elif kind == "bandpass":      # constant 0 dB peak gain
        b, a = [alpha, 0, -alpha], [1 + alpha, -2 * cw, 1 - alpha]
    elif kind == "notch":
        b, a = [1, -2 * cw, 1], [1 + alpha, -2 * cw, 1 - alpha]
    elif kind == "allpass":
        b, a = [1 - alpha, -2 * cw, 1 + alpha], [1 + alpha, -2 * cw, 1 - alpha]
    elif kind == "peak":
        b, a = [1 + alpha * A, -2 * cw, 1 - alpha * A], [1 + alpha / A, -2 * cw, 1 - alpha / A]
    elif kind == "lowshelf":
        s = 2 * np.sqrt(A) * alpha
        b = [A * ((A + 1) - (A - 1) * cw + s), 2 * A * ((A - 1) - (A + 1) * cw), A * ((A + 1) - (A - 1) * cw - s)]
        a = [(A + 1) + (A - 1) * cw + s, -2 * ((A - 1) + (A + 1) * cw), (A + 1) + (A - 1) * cw - s]
    elif kind == "highshelf":
        s = 2 * np.sqrt(A) * alpha
        b = [A * ((A + 1) + (A - 1) * cw + s), -2 * A * ((A - 1) + (A + 1) * cw), A * ((A + 1) + (A - 1) * cw - s)]
        a = [(A + 1) - (A - 1) * cw + s, 2 * ((A - 1) - (A + 1) * cw), (A + 1) - (A - 1) * cw - s]
    return b, a


def analog(b, a, f, sr=SR):
    """Analog prototype normalised at 1 rad/s, scaled to the prewarped `f`, bilinear-transformed."""
    wc = 2 * sr * np.tan(np.pi * f / sr)
    # H(s/wc): the coefficient of s^k divided by wc^k
    deg_b, deg_a = len(b) - 1, len(a) - 1
    bs = [c / wc ** (deg_b - i) for i, c in enumerate(b)]
    as_ = [c / wc ** (deg_a - i) for i, c in enumerate(a)]
    return signal.bilinear(bs, as_, fs=sr)


def filters(y, x, s):
    lf = signal.lfilter
    rbj_cases = [("lowpass", 1000, 0.7071, 0), ("highpass", 1000, 0.7071, 0), ("bandpass", 2000, 3, 0),
                 ("notch", 1000, 2, 0), ("allpass", 500, 0.7071, 0), ("peak", 3000, 1.5, 6),
                 ("lowshelf", 300, 0.7071, -6), ("highshelf", 4000, 0.7071, 6), ("lowpass", 100, 5, 0)]
    col = 0
    for kind, f, q, g in rbj_cases:
        b, a = rbj(kind, f * s, q, g)
        close(f"{kind}({f} Hz, q {q}, {g} dB)", y[:, col], lf(b, a, x), TOL)
        col += 1
    close("biquad(0.2, 0.4, 0.2, -0.3, 0.1)", y[:, col], lf([0.2, 0.4, 0.2], [1, -0.3 * s, 0.1], x), TOL)
    col += 1
    a = np.exp(-2 * np.pi * 1000 * s / SR)
    close("lowpass1(1 kHz)", y[:, col], lf([1 - a], [1, -a], x), TOL)
    close("highpass1(1 kHz)", y[:, col + 1], lf([a, -a], [1, -a], x), TOL)
    close("lowpass1_bilinear(1 kHz)", y[:, col + 2], lf(*analog([1], [1, 1], 1000 * s), x), TOL)
    close("highpass1_bilinear(1 kHz)", y[:, col + 3], lf(*analog([1, 0], [1, 1], 1000 * s), x), TOL)
    for k, f in enumerate([10, 50]):
        R = np.exp(-2 * np.pi * f * s / SR)
        close(f"dcblock({f} Hz)", y[:, col + 4 + k], lf([1, -1], [1, -R], x), TOL)
    col += 6
    # Simper's SVF: low, band, high = bilinear transforms of 1, s, s^2 over s^2 + s/q + 1.
    q = 4
    for k, (name, num) in enumerate([("low", [1]), ("band", [1, 0]), ("high", [1, 0, 0])]):
        close(f"svf {name} (800 Hz, q 4)", y[:, col + k], lf(*analog(num, [1, 1 / q, 1], 800 * s), x), TOL)
    col += 3

    def comb_taps(n, pairs):
        v = np.zeros(n + 1)
        for i, c in pairs:
            v[i] += c
        return v
    d = round(0.003 * SR * s)
    close("comb_ff(3 ms, -0.7)", y[:, col], lf(comb_taps(d, [(0, 1), (d, -0.7)]), [1], x), TOL)
    # lowpass-feedback comb: z^-N (1 - d z^-1) / (1 - d z^-1 - g (1 - d) z^-N)
    for k, (N, g, dmp) in enumerate([(100, 0.5, 0.0), (1116, 0.84, 0.2)]):
        N = round(N * s)
        b = comb_taps(N + 1, [(N, 1), (N + 1, -dmp)])
        a = comb_taps(N, [(0, 1), (1, -dmp), (N, -g * (1 - dmp))])
        close(f"comb_fb({N}, {g}, damp {dmp})", y[:, col + 1 + k], lf(b, a, x), TOL)
    N, g = round(556 * s), 0.5
    close("allpass_comb(556, 0.5)", y[:, col + 3],
          lf(comb_taps(N, [(0, -g), (N, 1)]), comb_taps(N, [(0, 1), (N, -g)]), x), TOL)
    # comb_ff at 10.25 samples: linear interpolation, 0.75 x@10 + 0.25 x@11
    close("comb_ff(10.25 samples, 0.5)", y[:, col + 4],
          lf(comb_taps(11, [(0, 1), (10, 0.5 * 0.75), (11, 0.5 * 0.25)]), [1], x), TOL)
    col += 5
    if col != y.shape[1]:
        sys.exit(f"checked {col} channels, the render has {y.shape[1]}")


def butterworth(y, x, s):
    for n in range(1, 9):
        sos = signal.butter(n, 1000 * s, "lowpass", fs=SR, output="sos")
        close(f"butter_lowpass(1 kHz, order {n})", y[:, n - 1], signal.sosfilt(sos, x), TOL)
    for n in range(1, 9):
        sos = signal.butter(n, 300 * s, "highpass", fs=SR, output="sos")
        close(f"butter_highpass(300 Hz, order {n})", y[:, 7 + n], signal.sosfilt(sos, x), TOL)


def main(argv):
    cmd = argv[1]
    if cmd == "make-input":
        write(argv[2], noise(SR))
        return
    _, y = read(argv[2])
    _, x = read(argv[3])
    s = float(argv[4]) if len(argv) > 4 else 1.0
    {"filters": filters, "butterworth": butterworth}[cmd](y, x[:, 0], s)
    done()


if __name__ == "__main__":
    main(sys.argv)
