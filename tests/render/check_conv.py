"""Oracle for conv(): scipy.signal.fftconvolve on the same taps, in float64.

check_conv.py fir OUT.wav IN.wav [wrong]         tests/conv/fir.agraph
check_conv.py file OUT.wav IN.wav H.wav [double] [wrong]  tests/conv/file.agraph (h: channel 1 of H.wav)
check_conv.py reverb OUT.wav IN.wav IR.wav MIX [wrong]   examples/conv_reverb.agraph
check_conv.py make-ir H.wav                      a two-channel response of 3000 samples
check_conv.py make-stereo IN.wav                 two channels of noise, one second
`wrong` perturbs the oracle (one tap, or the channels swapped): the check must then fail.
"""
import sys
import numpy as np
from scipy.io import wavfile
from scipy.signal import fftconvolve


def read(path):
    return wavfile.read(path)[1].astype(np.float64)


def conv(x, h):
    return fftconvolve(x, h)[:len(x)]


def compare(name, got, want, tol=2e-5):
    err = np.max(np.abs(got - want)) / max(1e-9, np.max(np.abs(want)))
    print(f"{name}: max error {err:.3g} of the peak")
    return err <= tol


def main(argv):
    mode, wrong = argv[1], argv[-1] == "wrong"
    if mode == "make-ir":
        rng = np.random.default_rng(5)
        n = np.arange(3000)
        h = np.stack([np.exp(-n / 300) * rng.standard_normal(3000),
                      np.exp(-n / 500) * rng.standard_normal(3000) * 0.5], axis=1)
        wavfile.write(argv[2], 48000, h.astype(np.float32))
        return 0
    if mode == "make-stereo":
        x = np.random.default_rng(9).standard_normal((48000, 2)) * 0.25
        wavfile.write(argv[2], 48000, x.astype(np.float32))
        return 0
    y, x = read(argv[2]), read(argv[3])
    ok = True
    if mode == "fir":
        i = np.arange(1000)
        taps = {"short": 1 / (np.arange(10) + 1), "exact": np.sin(np.arange(64) * 0.2) * np.exp(-np.arange(64) / 20),
                "long": np.exp(-i / 200) * np.cos(i * 0.05)}
        taps = {k: v.astype(np.float32).astype(np.float64) for k, v in taps.items()}
        if wrong:
            taps["long"][700] += 0.05
        l, r = x[:, 0], x[:, 1]
        for c, (name, sig, h) in enumerate([("short", l, "short"), ("exact", l, "exact"), ("long/64", l, "long"),
                                            ("long/128", l, "long"), ("long/16 right", r, "long")]):
            ok &= compare(name, y[:, c], conv(sig, taps[h]))
    elif mode == "file":
        h = read(argv[4])[:, 1]
        if wrong:
            h = read(argv[4])[:, 0]
        ok &= compare("conv", y[:, 0], conv(x, h))
        if "double" in argv:    # a --double build computes the position in double
            pos = x * 100 + 200
        else:                   # a float build, in float
            pos = (x.astype(np.float32) * np.float32(100) + np.float32(200)).astype(np.float64)
        p = np.mod(pos, len(h))
        k = np.floor(p).astype(int)
        f = (p - k).astype(np.float32)
        want = h[k] + f * (h[(k + 1) % len(h)] - h[k])
        ok &= compare("read", y[:, 1], want, 1e-5)
    elif mode == "reverb":
        h, mix = read(argv[4]), float(argv[5])
        if wrong:
            h = h[:, ::-1]
        for c in range(2):
            ok &= compare(f"channel {c}", y[:, c], (1 - mix) * x + mix * conv(x, h[:, c]))
    else:
        print("unknown mode", mode)
        return 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
