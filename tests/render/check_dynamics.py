#!/usr/bin/python3
"""check_dynamics.py — the oracle for stdlib/dynamics.agraph: what tests/stdlib/
check_dynamics.agraph rendered, against the static curve of Giannoulis, Massberg and Reiss
(JAES 2012, eq. 4) written out here: exactly on a ramp of levels, and as the steady level of
1 kHz sine bursts through the compressor; the limiter's ceiling and transparency below it; the
noise gate's open and closed gains.
    check_dynamics.py make-input IN.wav
    check_dynamics.py dynamics OUT.wav IN.wav [OFFSET_DB]
OFFSET_DB (default 0) is added to every threshold the oracle assumes: anything else must fail."""
import sys

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from stdlib_common import SR, close, done, read, within, write

N = 2 * SR
BURST_DB = [-40, -30, -26, -23, -20, -17, -14, -10, -6, -2]      # rising, 0.2 s each
BURST = N // len(BURST_DB)


def curve(x, t, r, w):
    """Giannoulis et al. eq. 4: the output level in dB for input level x dB."""
    x = np.asarray(x, float)
    y = np.where(2 * (x - t) < -w, x, t + (x - t) / r)
    if w > 0:
        knee = np.abs(2 * (x - t)) <= w
        y = np.where(knee, x + (1 / r - 1) * (x - t + w / 2) ** 2 / (2 * w), y)
    return y


def tone(n, db):
    return 10 ** (db / 20) * np.sin(2 * np.pi * 1000 * np.arange(n) / SR)


def make_input(path):
    k = np.arange(N)
    ramp = 10 ** ((-60 + 60 * k / N) / 20)
    bursts = np.concatenate([tone(BURST, d) for d in BURST_DB])
    peaks = np.concatenate([tone(N // 2, -12), tone(N // 2, 6)])
    quiet = np.concatenate([tone(N // 4, -60), tone(N // 4, -20), tone(N // 2, -60)])
    write(path, np.stack([ramp, bursts, peaks, quiet], axis=1))


def peak_db(v):
    return 20 * np.log10(np.max(np.abs(v)))


def main(argv):
    if argv[1] == "make-input":
        return make_input(argv[2])
    _, y = read(argv[2])
    _, x = read(argv[3])
    off = float(argv[4]) if len(argv) > 4 else 0.0
    ramp, bursts, peaks, quiet = x.T
    level = 20 * np.log10(ramp)
    for col, (t, r, w) in enumerate([(-20, 4, 6), (-30, 2, 0), (-10, 10, 12)]):
        close(f"comp_curve(threshold {t} dB, ratio {r}, knee {w} dB) on a -60..0 dB ramp", y[:, col],
              curve(level, t + off, r, w), 2e-3)
    # Compressor on sine bursts, attack 1 sample, release 1 s: in the last 50 ms of each burst
    # the output peak is the curve at the input peak (the gain ripples by < 0.02 dB a period).
    for col, (t, r, w, makeup), name in [(3, (-20, 4, 6, 0), "compressor(-20 dB, 4:1, knee 6 dB)"),
                                          (4, (-30, 2, 0, 6), "compressor(-30 dB, 2:1, makeup 6 dB)")]:
        worst = 0.0
        for i, d in enumerate(BURST_DB):
            seg = slice((i + 1) * BURST - SR // 20, (i + 1) * BURST)
            xin, out = peak_db(bursts[seg]), peak_db(y[seg, col])
            want = float(curve(xin, t + off, r, w)) + makeup
            worst = max(worst, abs(out - want))
            within(f"{name} at {d} dB: output peak", out, want - 0.05, want + 0.05, " dB")
        print(f"{name}: worst static-curve error {worst:.4f} dB")
    for col, ceil_db in [(5, -1), (6, -6)]:
        ceiling = 10 ** ((ceil_db + off) / 20)
        within(f"limiter({ceil_db} dB): largest |y|", float(np.max(np.abs(y[:, col]))), 0, ceiling * (1 + 1e-6))
        half = N // 2
        if -12 < ceil_db:
            close(f"limiter({ceil_db} dB): a -12 dB tone passes unchanged", y[:half, col], peaks[:half], 1e-7)
        seg = slice(N - SR // 10, N)
        within(f"limiter({ceil_db} dB): a +6 dB tone peaks at the ceiling", peak_db(y[seg, col]),
               ceil_db + off - 0.1, ceil_db + off + 1e-4, " dB")
    q = N // 4
    for col, floor_gain, name in [(7, 0.0, "noisegate(-40 dB)"), (8, 0.1, "noisegate(-40 dB, floor -20 dB)")]:
        g = y[:, col]
        # open: the -20 dB tone at gain 1 once 20 attack time constants have passed
        seg = slice(q + 960, 2 * q)
        close(f"{name}: a -20 dB tone passes at gain 1", g[seg], quiet[seg], 1e-6 * (1 + abs(off)))
        # closed: the -60 dB tone (amplitude 1e-3) at gain floor_gain, from the start and after
        # the loud part, once 6 and 10 release time constants have passed: within 1e-3 of it
        for a, b in [(6 * 2400, q), (2 * q + SR // 2, N)]:
            seg = slice(a, b)
            close(f"{name}: a -60 dB tone at gain {floor_gain} (samples {a}..{b})", g[seg],
                  (floor_gain + off) * quiet[seg], 1e-6)
    done()


if __name__ == "__main__":
    main(sys.argv)
