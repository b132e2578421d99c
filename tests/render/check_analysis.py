#!/usr/bin/python3
"""check_analysis.py — the oracle for stdlib/analysis.agraph: what tests/stdlib/
check_analysis.agraph rendered from known signals (4 s at 48 kHz), against closed forms and
direct computations here: RMS of a sine over whole periods is A / sqrt(2), sliding sums and
averages computed with numpy in float64 (and no drift after 4 s), a peak meter's hold and
exponential decay after isolated clicks, the zero-crossing count of the samples, and the pitch
of a pure and of a harmonic-rich tone.
    check_analysis.py make-input IN.wav
    check_analysis.py analysis OUT.wav IN.wav [FREQ_SCALE]
FREQ_SCALE (default 1) scales the tone frequencies the oracle assumes: anything else must fail."""
import sys

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from stdlib_common import SR, close, done, read, within, write

N = 4 * SR
A_SINE, F_SINE = 0.8, 1000.0             # 48 samples a period
F_TONE, F_RICH = 441.3, 220.0
CLICKS = [(1000, 0.5), (5000, 1.0), (5100, 0.3), (20000, -0.8), (100000, 0.6)]


def make_input(path):
    k = np.arange(N)
    sine = A_SINE * np.sin(2 * np.pi * F_SINE * k / SR)
    clicks = np.zeros(N)
    for i, v in CLICKS:
        clicks[i] = v
    tone = 0.5 * np.sin(2 * np.pi * F_TONE * k / SR + 0.3)
    rich = 0.3 * sum(np.sin(2 * np.pi * F_RICH * h * k / SR + h) / h for h in range(1, 6))
    write(path, np.stack([sine, clicks, tone, rich], axis=1))


def sliding_sum(x, n):
    c = np.concatenate([[0.0], np.cumsum(x)])
    k = np.arange(len(x))
    return c[k + 1] - c[np.maximum(k + 1 - n, 0)]


def peak_closed_form(clicks, hold, release):
    """A held at each click for hold + 1 samples, then A r^k; a larger |x| takes over."""
    r = np.exp(-1 / release)
    level, since = 0.0, 10 ** 9
    out = np.zeros(N)
    events = dict(CLICKS)
    for n in range(N):
        cand = level * r if since >= hold else level
        ax = abs(events.get(n, 0.0))
        if ax >= cand and ax > 0:
            level, since = ax, 0
        else:
            level, since = cand, since + 1
        out[n] = level
    return out


def main(argv):
    if argv[1] == "make-input":
        return make_input(argv[2])
    _, y = read(argv[2])
    _, x = read(argv[3])
    s = float(argv[4]) if len(argv) > 4 else 1.0
    sine, clicks, tone, rich = x.T
    full = slice(2000, N)
    want = A_SINE / np.sqrt(2)
    close("rms(sine, 480): 10 periods read A/sqrt(2)", y[full, 0], np.full(N - 2000, want * s), 2e-6)
    close("rms(sine, 10ms): 10 periods read A/sqrt(2)", y[full, 1], np.full(N - 2000, want * s), 2e-6)
    close("rms(sine, 333) against numpy", y[:, 2], np.sqrt(sliding_sum(sine ** 2, int(333 * s)) / 333), 2e-6)
    close("moving_average(clicks, 100): a boxcar", y[:, 3], sliding_sum(clicks, int(100 * s)) / 100, 1e-7)
    # float32 sums of up to 1000 terms of magnitude < 16: a few 1e-5 at most, and no more at the
    # end than at the start (a running sum left alone would keep drifting)
    ms = sliding_sum(sine, int(1000 * s))
    e1 = close("moving_sum(sine, 1000) against numpy, first second", y[:SR, 4], ms[:SR], 1e-4)
    e4 = close("moving_sum(sine, 1000) against numpy, fourth second", y[3 * SR:, 4], ms[3 * SR:], 1e-4)
    within("moving_sum: error in the fourth second / error in the first (no drift)", e4 / max(e1, 1e-9), 0, 2)
    # the decay multiplies by r = exp(-1/release) in float32 every sample: after 14 000 samples a
    # relative error up to 14000 x 3e-8 from r's rounding alone
    close("peak(clicks): instant, then decays with 300 ms", y[:, 5], peak_closed_form(clicks, 0, 14400 * s), 2e-4)
    close("peak(clicks, hold 200, release 1000)", y[:, 6], peak_closed_form(clicks, 200, 1000 * s), 2e-4)
    within("peak: holds exactly 200 samples after the 1.0 click", float(y[5200, 6]), 1 - 1e-7, 1)
    within("peak: then decays by exp(-1/1000) a sample", float(y[5201, 6]), np.exp(-1 / 1000) - 1e-6,
           np.exp(-1 / 1000) + 1e-6)
    # zero crossings: sign changes of the very samples, counted over the window
    for col, sig, n, f, name in [(7, sine, 4800, F_SINE, "zcr(sine 1 kHz, 4800)"),
                                 (8, tone, 4800, F_TONE, "zcr(tone 441.3 Hz, 100ms)")]:
        sg = (sig >= 0).astype(float)
        z = np.concatenate([[float(sg[0] != 1.0)], (sg[1:] != sg[:-1]).astype(float)])
        close(f"{name} counts the sign changes", y[:, col], sliding_sum(z, n) * SR / n, 1e-3)
        steady = y[n:, col]
        within(f"{name} mean over the run, 2f = {2 * f * s:g}", float(steady.mean()), 2 * f * s - 1, 2 * f * s + 1, " /s")
        within(f"{name} spread", float(steady.max() - steady.min()), 0, 2 * SR / n + 1e-3, " /s")
    for col, f, tol, name in [(9, F_TONE, 0.01, "pitch(441.3 Hz sine)"), (10, F_RICH, 0.02, "pitch(220 Hz, 5 harmonics)")]:
        steady = y[SR // 10:, col]
        within(f"{name}: lowest reading after 0.1 s", float(steady.min()), f * s - tol, f * s + tol, " Hz")
        within(f"{name}: highest reading after 0.1 s", float(steady.max()), f * s - tol, f * s + tol, " Hz")
    close("pitch(silence) reads 0", y[:, 11], np.zeros(N), 0)
    done()


if __name__ == "__main__":
    main(sys.argv)
