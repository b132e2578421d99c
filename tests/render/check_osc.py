#!/usr/bin/python3
"""check_osc.py — the oracle for stdlib/osc.agraph: what tests/stdlib/check_osc.agraph rendered
(1 s at 48 kHz) against (a) the alias energy measured from the spectrum — the energy in the
bins that are not harmonics of the fundamental, relative to the fundamental's — and (b) closed
forms of each waveform: the Fourier series the band-limited ones are built to have (the leaky
discrete integral of an impulse train has a known steady state) and the PolyBLEP formula.
The phase is replicated in float32 here, as the generated code accumulates it.
    check_osc.py osc OUT.wav [FREQ_SCALE]
FREQ_SCALE (default 1) multiplies the frequencies the oracle assumes: anything else must fail."""
import sys

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from stdlib_common import SR, close, done, fail, read, within

ALIAS_LIMIT_DB = -60.0


def alias_db(y, f, skip=SR // 4):
    """10 log10(energy off the harmonics / energy of the fundamental), Blackman-windowed FFT of
    the steady state; a harmonic owns the bins within 8 bins of k f (the window's main lobe is 3)."""
    y = y[skip:]
    n = len(y)
    p = np.abs(np.fft.rfft(y * np.blackman(n))) ** 2
    fr = np.fft.rfftfreq(n, 1 / SR)
    width = 8 * SR / n
    harm = fr <= width                                    # DC belongs to no alias
    k = 1
    while k * f < SR / 2:
        harm |= np.abs(fr - k * f) <= width
        k += 1
    fund = p[np.abs(fr - f) <= width].sum()
    return 10 * np.log10(max(p[~harm].sum(), 1e-300) / fund)


def phase32(f, n):
    """osc_phase(f) as the generated float code computes it: ph = fract(ph + f / SR), from 0."""
    dt = np.float32(f) / np.float32(SR)
    ph = np.empty(n, np.float32)
    acc = np.float32(0)
    for i in range(n):
        t = np.float32(acc + dt)
        acc = np.float32(t - np.floor(t))
        ph[i] = acc
    return ph.astype(np.float64), float(dt)


def leaky_cosines(f, p, amp):
    """Steady state of s = c s@1 + sum_k amp_k cos(2 pi k p) with c = 1 - 2 pi dt / 100, where p
    advances by dt = f/SR a sample: each cosine passes through 1 / (1 - c e^{-jw_k})."""
    dt = np.float32(f) / np.float32(SR)
    c = float(np.float32(1) - np.float32(2 * np.pi) * dt / np.float32(100))
    s = np.zeros_like(p)
    for k, a in amp.items():
        w = 2 * np.pi * k * float(dt)
        s += np.real(a * np.exp(2j * np.pi * k * p) / (1 - c * np.exp(-1j * w)))
    return s


def harmonics(f):
    return int(np.floor(SR / f / 2))


def check_set(y, f, label, s):
    n = y.shape[0]
    ph, dt = phase32(f * s, n)
    P = 1 / dt
    H = harmonics(f * s)
    p = ph - dt / 2                                   # the impulses are taken half a sample early
    # saw = -2 * leaky sum of (blit - 1/P) = -2 * leaky sum of (2/P) sum_k cos(2 pi k p)
    saw = -2 * leaky_cosines(f * s, p, {k: 2 / P for k in range(1, H + 1)})
    # The start is within 1% (a pulse: 5%) of the steady state and the difference dies away with
    # the leak (a time constant of 100 / (2 pi) periods): compare from 0.25 s on. The float sum
    # of blit - 1/P has a mean of a few 1e-7 a sample, which the leaky integral turns into a DC
    # offset of a few 1e-4: checked on its own, and the waveform compared without it.
    t0 = SR // 4

    def shape(name, got, want):
        dc = float(np.mean(got - want))
        within(f"{name} DC offset", abs(dc), 0, 1e-3)
        close(f"{name} against its Fourier series", got - dc, want, 1e-4)
    shape(f"saw({label})", y[t0:, 0], saw[t0:])
    for col, w in [(1, 0.5), (3, 0.25)]:
        # pulse = 2 * leaky sum of (blit(p) - blit(p - w))
        amp = {k: (2 / P) * (1 - np.exp(-2j * np.pi * k * w)) for k in range(1, H + 1)}
        shape(f"square({label}, width {w})", y[t0:, col], 2 * leaky_cosines(f * s, p, amp)[t0:])
    tri = np.zeros(n)
    for k in range(1, 32, 2):
        if k * f * s < SR / 2:
            tri -= 8 / np.pi ** 2 * np.cos(2 * np.pi * k * ph) / k ** 2
    close(f"triangle({label}) against its Fourier series", y[:, 2], tri, 1e-5)
    blit = np.ones(n) / P + sum(2 / P * np.cos(2 * np.pi * k * ph) for k in range(1, H + 1))
    close(f"blit({label}) against its Fourier series", y[:, 4], blit, 1e-5)
    for col, name in [(0, "saw"), (1, "square"), (2, "triangle"), (3, "square 0.25")]:
        a = alias_db(y[:, col], f)
        within(f"{name}({label}) alias energy", a, -400, ALIAS_LIMIT_DB, " dB")


def polyblep(t, dt):
    u, v = t / dt, (t - 1) / dt
    return np.where(t < dt, 2 * u - u * u - 1, np.where(t > 1 - dt, v * v + 2 * v + 1, 0.0))


def check_blep(y, f, label, s):
    ph, dt = phase32(f * s, y.shape[0])
    # float32 evaluation of 2u - u^2 - 1, u = t / dt: a few 1e-6 when dt is small
    close(f"saw_blep({label})", y[:, 0], 2 * ph - 1 - polyblep(ph, dt), 5e-5)
    for col, w in [(1, 0.5), (2, 0.25)]:
        want = np.where(ph < w, 1.0, -1.0) + polyblep(ph, dt) - polyblep(np.mod(ph + 1 - w, 1.0), dt)
        close(f"square_blep({label}, width {w})", y[:, col], want, 5e-5)
    naive = 2 * ph - 1
    a, a0 = alias_db(y[:, 0], f), alias_db(naive, f)
    within(f"saw_blep({label}) alias energy, naive {a0:.1f} dB", a, -400, a0 - 12, " dB")


def main(argv):
    _, y = read(argv[2])
    s = float(argv[3]) if len(argv) > 3 else 1.0
    check_set(y[:, 0:5], 5000, "5 kHz", s)
    check_set(y[:, 5:10], 440, "440 Hz", s)
    check_blep(y[:, 10:13], 5000, "5 kHz", s)
    check_blep(y[:, 13:16], 440, "440 Hz", s)
    if y.shape[1] != 16:
        fail(f"the render has {y.shape[1]} channels, expected 16")
    done()


if __name__ == "__main__":
    main(sys.argv)
