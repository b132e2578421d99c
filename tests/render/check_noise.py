#!/usr/bin/python3
"""check_noise.py — the oracle for stdlib/noise.agraph: what tests/stdlib/check_noise.agraph
rendered (4 s at 48 kHz). White noise: the same seed gives the same samples, different seeds and
unseeded uses are uncorrelated, uniform in [-gain, gain) with variance gain^2/3 and a flat
spectrum. Pink noise: Paul Kellet's refined filter, run here with scipy.signal.lfilter on the
white samples of the same seed, and a spectral slope of -3 dB per octave.
    check_noise.py noise OUT.wav [SLOPE_DB_PER_OCTAVE]
The slope the oracle expects defaults to -3.01; another value must make it fail."""
import sys

import numpy as np
from scipy import signal

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from stdlib_common import SR, close, done, read, within

KELLET = [(0.99886, 0.0555179), (0.99332, 0.0750759), (0.96900, 0.1538520),
          (0.86650, 0.3104856), (0.55000, 0.5329522), (-0.7616, -0.0168980)]


def kellet(w):
    """pink = b0 + ... + b5 + b6 + 0.5362 w with b_i = p_i b_i@1 + g_i w and b6 = 0.115926 w@1."""
    y = 0.5362 * w
    for p, g in KELLET:
        y = y + signal.lfilter([g], [1, -p], w)
    return y + signal.lfilter([0, 0.115926], [1], w)


def band_levels(x, lo, hi):
    """Welch power spectral density in dB, averaged in octave bands from lo to hi."""
    f, p = signal.welch(x, SR, nperseg=1 << 14)
    centres, levels = [], []
    c = lo
    while c * 2 <= hi:
        m = (f >= c) & (f < 2 * c)
        centres.append(np.sqrt(2) * c)
        levels.append(10 * np.log10(np.mean(p[m])))
        c *= 2
    return np.array(centres), np.array(levels)


def main(argv):
    _, y = read(argv[2])
    slope_want = float(argv[3]) if len(argv) > 3 else -3.01
    w7, w7half, pink7, w8 = y[:, 0], y[:, 1], y[:, 2], y[:, 3]
    u1, u2 = y[:, 4], y[:, 5]
    n = len(w7)
    close("white(0.5, 7) is half of white(1, 7)", w7half, 0.5 * w7, 0)
    for name, a, b in [("white(1, 7) and white(1, 8)", w7, w8), ("two unseeded white()", u1, u2),
                       ("white(1, 7) and an unseeded white()", w7, u1)]:
        r = float(np.corrcoef(a, b)[0, 1])
        within(f"correlation of {name}", abs(r), 0, 4 / np.sqrt(n))
    for name, x in [("white(1, 7)", w7), ("white(1, 8)", w8), ("white()", u1)]:
        within(f"{name} minimum", float(x.min()), -1, -0.999)
        within(f"{name} maximum", float(x.max()), 0.999, 1 - 2 ** -24)
        within(f"{name} mean", float(x.mean()), -4 * np.sqrt(1 / 3 / n), 4 * np.sqrt(1 / 3 / n))
        within(f"{name} variance", float(x.var()), 1 / 3 * 0.99, 1 / 3 * 1.01)
        _, lv = band_levels(x, 40, 20000)
        within(f"{name} spectrum flat: octave bands 40 Hz..20 kHz spread", float(lv.max() - lv.min()), 0, 1.0, " dB")
    # Kellet's filter of the very same white samples, scaled by 0.11
    close("pink(1, 7) against Kellet's filter of white(1, 7)", pink7, 0.11 * kellet(w7), 2e-5)
    c, lv = band_levels(pink7, 20, 10240)
    slope = np.polyfit(np.log2(c), lv, 1)[0]
    within("pink spectral slope 20 Hz..10 kHz", float(slope), slope_want - 0.15, slope_want + 0.15, " dB/octave")
    resid = lv - np.polyval(np.polyfit(np.log2(c), lv, 1), np.log2(c))
    within("pink octave bands off the fitted line", float(np.max(np.abs(resid))), 0, 0.5, " dB")
    within("pink rms", float(pink7.std()), 0.18, 0.2)
    done()


if __name__ == "__main__":
    main(sys.argv)
