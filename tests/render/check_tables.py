#!/usr/bin/python3
"""check_tables.py — table reads (tests/tables/read.agraph) against numpy: a 16-point sine read
at 16 * phasor(3 kHz) with linear interpolation, a 5-entry table read at int(10 x) wrapping, and
a constant read at 2.5.   check_tables.py OUT.wav IN.wav [wrong]"""
import sys
import warnings

import numpy as np
from scipy.io import wavfile

warnings.simplefilter("ignore")
y = wavfile.read(sys.argv[1])[1].astype(np.float64)
x = wavfile.read(sys.argv[2])[1].astype(np.float64)
wrong = len(sys.argv) > 3
n = np.arange(len(x))
w = np.sin(2 * np.pi * np.arange(16) / 16)
ph = (n * 1500 / 48000) % 1 * 16                 # std's phasor: 0 at the first sample
i = np.floor(ph).astype(int)
f = ph - i
interp = w[i] + (0 if wrong else f) * (w[(i + 1) % 16] - w[i])
steps = np.array([0, 1, 2, 3, 4])[np.trunc(x * 10).astype(int) % 5]
errs = [np.max(np.abs(y[:, 0] - interp)), np.max(np.abs(y[:, 1] - steps)),
        np.max(np.abs(y[:, 2] - (w[2] + w[3]) / 2))]
print("max abs errors: interpolated %.3g, wrapped %.3g, constant %.3g" % tuple(errs))
sys.exit(0 if max(errs) < 1e-6 else 1)
