#!/usr/bin/python3
"""oracle.py — independent references for rendered examples (closed forms and scipy.signal).

Each subcommand reads the WAV agraph rendered, computes what it should be without agraph, and
exits non-zero (printing the error) when they differ by more than the tolerance. Run with
Debian's /usr/bin/python3 (numpy, scipy).
    oracle.py make-impulses OUT.wav | make-noise OUT.wav
    oracle.py sine OUT.wav FREQ GAIN_DB
    oracle.py additive OUT.wav LEVEL F1 F2 F3 F4 F5
    oracle.py lowpass OUT.wav NOISE.wav CUTOFF GAIN_DB
    oracle.py echo OUT.wav IN.wav TIME_S FEEDBACK
    oracle.py pan OUT.wav IN.wav POSITION
    oracle.py pedal OUT.wav IN.wav DRIVE_DB TONE_HZ TIME_S ECHO_MIX   (reverb mix 0: the dry chain)
"""
import sys
import warnings

import numpy as np
from scipy import signal
from scipy.io import wavfile

warnings.simplefilter("ignore", wavfile.WavFileWarning)
SR = 48000


def read(path):
    sr, x = wavfile.read(path)
    if x.dtype != np.float32:
        sys.exit(f"{path}: expected 32-bit float samples, found {x.dtype}")
    return sr, x.astype(np.float64)


def expect_close(name, got, want, tol):
    if got.shape != want.shape:
        sys.exit(f"{name}: shape {got.shape}, expected {want.shape}")
    err = float(np.max(np.abs(got - want))) if got.size else 0.0
    print(f"{name}: max abs error {err:.3g} (tolerance {tol:g}, {got.size} samples)")
    if not err <= tol:
        i = int(np.argmax(np.abs(got - want)))
        sys.exit(f"{name}: error {err:.3g} > {tol:g} at sample {i}: got {got.flat[i]!r}, want {want.flat[i]!r}")


def main(argv):
    cmd, out = argv[1], argv[2]
    if cmd == "make-impulses":
        x = np.zeros(SR, np.float32)
        x[[100, 5000, 20011]] = [1.0, 0.5, -0.25]
        wavfile.write(out, SR, x)
        return
    if cmd == "make-noise":
        rng = np.random.default_rng(12345)
        wavfile.write(out, SR, (0.25 * rng.standard_normal(SR)).astype(np.float32))
        return
    sr, y = read(out)
    n = np.arange(y.shape[0])
    if cmd == "sine":
        f, g = float(argv[3]), 10 ** (float(argv[4]) / 20)
        # a float32 phase accumulator drifts by a few ulps a sample: 2e-3 over one second
        expect_close("sine", y, g * np.sin(2 * np.pi * f * n / sr), 2e-3)
    elif cmd == "additive":
        level, fs = float(argv[3]), [float(a) for a in argv[4:9]]
        want = level * sum(np.sin(2 * np.pi * f * n / sr) for f in fs)
        expect_close("additive", y, want, 5e-3)
        spec = np.abs(np.fft.rfft(y * np.hanning(len(y))))
        freqs = np.fft.rfftfreq(len(y), 1 / sr)
        peaks = sorted(freqs[i] for i in signal.find_peaks(spec, height=spec.max() * 0.1)[0])
        if [round(p) for p in peaks] != [round(f) for f in fs]:
            sys.exit(f"additive: spectral peaks at {peaks}, expected {fs}")
    elif cmd == "lowpass":
        _, x = read(argv[3])
        fc, g = float(argv[4]), 10 ** (float(argv[5]) / 20)
        a = np.exp(-2 * np.pi * fc / sr)
        expect_close("lowpass", y, g * signal.lfilter([1 - a], [1, -a], x), 1e-5)
    elif cmd == "echo":
        _, x = read(argv[3])
        d, fb = round(float(argv[4]) * sr), float(argv[5])
        a = np.zeros(d + 1)
        a[0], a[d] = 1, -fb
        expect_close("echo", y, signal.lfilter([1], a, x), 1e-5)
    elif cmd == "pan":
        _, x = read(argv[3])
        th = (float(argv[4]) + 1) * np.pi / 4
        expect_close("pan", y, np.stack([x * np.cos(th), x * np.sin(th)], axis=1), 1e-6)
    elif cmd == "pedal":
        _, x = read(argv[3])
        g, fc, d, m = 10 ** (float(argv[4]) / 20), float(argv[5]), round(float(argv[6]) * sr), float(argv[7])
        driven = np.tanh(x * g) / np.tanh(g)
        a = np.exp(-2 * np.pi * fc / sr)
        toned = signal.lfilter([1 - a], [1, -a], driven)
        den = np.zeros(d + 1)
        den[0], den[d] = 1, -0.4
        want = (1 - m) * toned + m * signal.lfilter([1], den, toned)
        expect_close("pedal", y, np.stack([want, want], axis=1), 1e-5)
    else:
        sys.exit(f"unknown check {cmd}")


if __name__ == "__main__":
    main(sys.argv)
