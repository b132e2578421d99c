#!/usr/bin/python3
"""check_env.py — the oracle for stdlib/env.agraph: what tests/stdlib/check_env.agraph rendered
from a gate pattern and a signal of level steps, against closed forms: the ADSR's segments
(built here piecewise from the documented slopes, plus the landmarks — the sample the level
reaches 1, reaches the sustain level, reaches 0) and the follower's exponential rise and fall
after each step.
    check_env.py make-input IN.wav
    check_env.py env OUT.wav IN.wav [EXTRA]
EXTRA (default 0) is added to every segment length the oracle assumes: anything else must fail."""
import sys

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from stdlib_common import SR, close, done, read, within, write

N = SR
GATE = [(1000, 1.0), (11000, 0.0), (14000, 1.0), (14200, 0.0), (15000, 1.0), (25000, 0.0),
        (30000, 0.7), (30500, -1.0), (31000, 0.0)]
STEPS = [(1000, 0.8), (20000, 0.2), (35000, -0.5)]


def piecewise(points):
    x = np.zeros(N)
    for i, v in points:
        x[i:] = v
    return x


def make_input(path):
    write(path, np.stack([piecewise(GATE), piecewise(STEPS)], axis=1))


def adsr_closed_form(gate, A, D, S, R):
    """Piece by piece: between two changes of the gate the level is a closed form of the samples
    t = 1, 2, ... since the change and of the level L just before it."""
    on = gate > 0
    edges = [0] + [i for i in range(1, N) if on[i] != on[i - 1]] + [N]
    if on[0]:
        edges = edges[1:]
        edges = [0] + edges
    y = np.zeros(N)
    for a, b in zip(edges[:-1], edges[1:]):
        L = y[a - 1] if a > 0 else 0.0
        t = np.arange(1, b - a + 1, dtype=float)
        if on[a]:
            ta = (1 - L) * A                              # the attack's length from L
            y[a:b] = np.where(t < ta, L + t / A, np.maximum(1 - (1 - S) * (t - ta) / D, S))
        elif a > 0 or on[0]:
            y[a:b] = L * np.maximum(1 - t / R, 0)
    return y


def landmarks(name, y, A, D, S, R):
    """The first note (gate on at 1000, off at 11000) from 0: the level is k/A after k samples of
    attack, 1 at sample A, S at sample A + D, still S at the end, 0 exactly R samples after."""
    on, off = 1000, 11000
    within(f"{name}: first attack sample is 1/A", y[on], 1 / A - 1e-6, 1 / A + 1e-6)
    within(f"{name}: below 1 one sample before the attack ends", y[on + A - 2], 0, 1 - 0.5 / A)
    within(f"{name}: 1 after exactly {A} samples of attack", y[on + A - 1], 1 - 1e-6, 1 + 1e-6)
    within(f"{name}: sustain level after {A} + {D} samples", y[on + A + D - 1], S - 1e-6, S + 1e-6)
    within(f"{name}: above sustain one sample earlier", y[on + A + D - 2], S + 0.5 * (1 - S) / D, 1)
    within(f"{name}: still at sustain when the gate turns off", y[off - 1], S - 1e-6, S + 1e-6)
    within(f"{name}: above 0 one sample before the release ends", y[off + R - 2], 0.5 * S / R, S)
    within(f"{name}: 0 after exactly {R} samples of release", abs(y[off + R - 1]), 0, 1e-6)


def main(argv):
    if argv[1] == "make-input":
        return make_input(argv[2])
    _, y = read(argv[2])
    _, x = read(argv[3])
    extra = int(argv[4]) if len(argv) > 4 else 0
    gate, steps = x[:, 0], x[:, 1]
    for col, name, (A, D, S, R) in [(0, "adsr(480, 960, 0.5, 2400)", (480, 960, 0.5, 2400)),
                                    (1, "ar(100, 300)", (100, 1, 1.0, 300)),
                                    (2, "adsr(10ms, 20ms, 0.25, 50ms)", (480, 960, 0.25, 2400))]:
        A, D, R = A + extra, D + extra, R + extra
        close(f"{name} against its closed form", y[:, col], adsr_closed_form(gate, A, D, S, R), 1e-5)
        landmarks(name, y[:, col], A, D, S, R)
    for col, name, (ta, tr) in [(3, "follower(100, 2000)", (100, 2000)),
                                (4, "follower(5ms, 50ms)", (240, 2400))]:
        ta, tr = ta + extra, tr + extra
        ca, cr = np.exp(-1 / ta), np.exp(-1 / tr)
        want = np.zeros(N)
        (i1, v1), (i2, v2), (i3, v3) = STEPS
        k = np.arange(N)
        seg = (k >= i1) & (k < i2)
        want[seg] = abs(v1) * (1 - ca ** (k[seg] - i1 + 1))                 # rise from 0
        e2 = abs(v1) * (1 - ca ** (i2 - i1))
        seg = (k >= i2) & (k < i3)
        want[seg] = abs(v2) + (e2 - abs(v2)) * cr ** (k[seg] - i2 + 1)      # fall to 0.2
        e3 = abs(v2) + (e2 - abs(v2)) * cr ** (i3 - i2)
        seg = k >= i3
        want[seg] = abs(v3) + (e3 - abs(v3)) * ca ** (k[seg] - i3 + 1)      # rise to |-0.5|
        close(f"{name}: exponential rise and fall", y[:, col], want, 1e-4)
    done()


if __name__ == "__main__":
    main(sys.argv)
