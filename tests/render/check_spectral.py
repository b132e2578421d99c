#!/usr/bin/python3
"""check_spectral.py — spectral blocks against scipy.signal.stft/istft.

    check_spectral.py make-input IN.wav
    check_spectral.py roundtrip OUT.wav IN.wav [wrong]
    check_spectral.py process OUT.wav IN.wav [wrong]
agraph's frames end at the current sample and its istft output is N samples late; scipy's
frames (boundary=None, padded=False) start at k * hop. So agraph's y[N + m] is scipy's y[m],
compared away from the edges where scipy's normalisation sees fewer frames."""
import sys
import warnings

import numpy as np
from scipy import signal
from scipy.io import wavfile

warnings.simplefilter("ignore")
SR = 48000


def read(path):
    return wavfile.read(path)[1].astype(np.float64)


def check(name, got, want, tol):
    err = float(np.max(np.abs(got - want)))
    print(f"{name}: max abs error {err:.3g} (tolerance {tol:g}, {got.size} samples)")
    return err <= tol


def main(argv):
    cmd = argv[1]
    if cmd == "make-input":
        n = np.arange(SR)
        rng = np.random.default_rng(7)
        x = 0.4 * np.sin(2 * np.pi * 1000 * n / SR) + 0.2 * np.sin(2 * np.pi * 5000 * n / SR) \
            + 0.05 * rng.standard_normal(SR)
        wavfile.write(argv[2], SR, x.astype(np.float32))
        return 0
    y, x = read(argv[2]), read(argv[3])
    wrong = len(argv) > 4
    ok = True
    if cmd == "roundtrip":
        for c, n in enumerate([1024, 512, 256, 128]):
            lat = n + (1 if wrong else 0)
            ok &= check(f"roundtrip N={n}", y[lat + n:, c], x[n:len(x) - lat], 1e-5)
    elif cmd == "process":
        n, hop = 1024, 256
        _, _, z = signal.stft(x, SR, window="hann", nperseg=n, noverlap=n - hop, boundary=None,
                              padded=False)
        z = z * np.hanning(n + 1)[:-1].sum()         # scipy scales by 1/sum(window); agraph does not
        f = np.fft.rfftfreq(n, 1 / SR)[:, None]
        gate = np.where(np.abs(z) > (60 if wrong else 20), z, 0)   # 60 would gate the 5 kHz tone
        brick = np.where(f < 3000, z, 0)
        rotated = 0.5 * np.abs(z) * np.exp(1j * (np.angle(z) + (0.3 if wrong else 0.25)))
        for c, (name, zz) in enumerate([("gate", gate), ("brick", brick), ("rotated", rotated)]):
            _, ref = signal.istft(zz / np.hanning(n + 1)[:-1].sum(), SR, window="hann", nperseg=n,
                                  noverlap=n - hop, boundary=False, input_onesided=True)
            m = np.arange(n, len(ref) - n)
            m = m[n + m < len(y)]
            ok &= check(name, y[n + m, c], ref[m], 1e-4)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
