#!/usr/bin/python3
"""check_reverb.py — the oracle for stdlib/reverb.agraph: Faust itself. tests/faust/reverbs.dsp
(dm.freeverb_demo, re.mono_freeverb, re.stereo_freeverb, re.satrev from Faust's own libraries)
is compiled with `faust -lang c`, built into tests/faust/faust_ir.c and run on the same impulses
that tests/stdlib/check_reverb.agraph rendered; the impulse responses must agree sample by sample.
    check_reverb.py make-input IN.wav
    check_reverb.py reverb OUT.wav IN.wav WORKDIR [LABEL=VALUE ...]
The LABEL=VALUE pairs set Faust's freeverb_demo sliders (Damp, RoomSize, "Stereo Spread", Wet);
the agraph render must have used the same values. The rate is 32 kHz, where Faust's delay
lengths — computed in float32 as (int)(0.036666665f * SR) and so on, which truncates 1617 at
44.1 kHz to 1616 and at 48 kHz gives 1759 where the exact tuning is 1760 — equal the exact
tuning int(n * SR / 44100) that agraph uses: 809 862 926 983 1031 1081 1129 1173, allpasses
403 320 247 163, spread 16."""
import os
import subprocess
import sys

import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from stdlib_common import close, done, fail, read, within, write

RATE = 32000
FRAMES = RATE                      # one second of impulse response
AMP_L, AMP_R = 1.0, 0.5
HERE = os.path.dirname(os.path.abspath(__file__))
FAUST_DIR = os.path.join(HERE, "..", "faust")
# Float32 on both sides, summed in a different order (Faust adds the eight combs left to right,
# agraph as a balanced tree; Faust scales 0.1 wet (l + r), agraph 0.1 wet l + 0.1 wet r): a few
# ulps of difference that the feedback loops carry along but, being stable, do not amplify.
# Relative to the response's peak, 1e-5 is a hundred times the float32 resolution and well
# below any real difference: one sample of delay or a coefficient off by 0.1% moves the
# response by more than 1e-2 of its peak (see the negative checks in test_stdlib.c).
REL_TOL = 1e-5


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r.stdout


def faust_responses(work, sliders):
    work = os.path.abspath(work)
    gen = os.path.join(work, "reverbs_faust.c")
    exe = os.path.join(work, "faust_ir")
    raw = os.path.join(work, "faust.raw")
    run(["faust", "-lang", "c", os.path.join(FAUST_DIR, "reverbs.dsp"), "-o", gen])
    run(["cc", "-O2", "-std=c11", f"-DFAUST_DSP=\"{gen}\"", os.path.join(FAUST_DIR, "faust_ir.c"),
         "-lm", "-o", exe])
    amps = ",".join(str(a) for a in [AMP_L, AMP_R, AMP_L, AMP_L, AMP_R, AMP_L])
    print(run([exe, str(RATE), str(FRAMES), raw, amps] + sliders), end="")
    return np.fromfile(raw, np.float32).astype(np.float64).reshape(FRAMES, 7)


def main(argv):
    if argv[1] == "make-input":
        x = np.zeros((FRAMES, 2))
        x[0] = [AMP_L, AMP_R]
        write(argv[2], x, RATE)
        return
    sr, y = read(argv[2])
    if sr != RATE:
        sys.exit(f"{argv[2]}: rate {sr}, expected {RATE}")
    f = faust_responses(argv[4], argv[5:])
    if y.shape != f.shape:
        fail(f"agraph rendered {y.shape}, Faust {f.shape}")
        done()
    names = ["freeverb vs dm.freeverb_demo, left", "freeverb vs dm.freeverb_demo, right",
             "freeverb_mono vs re.mono_freeverb(0.84, 0.5, 0.2, 0)",
             "freeverb_stereo vs re.stereo_freeverb(0.84, 0.5, 0.2, 23), left",
             "freeverb_stereo vs re.stereo_freeverb(0.84, 0.5, 0.2, 23), right",
             "schroeder vs re.satrev, left", "schroeder vs re.satrev, right"]
    for c, name in enumerate(names):
        peak = float(np.max(np.abs(f[1:, c])))          # the reverberation's, after the dry impulse
        tail = float(np.sqrt(np.mean(f[RATE // 2:, c] ** 2)))
        within(f"{name}: Faust's response is not trivial (peak)", peak, 1e-3, 10)
        within(f"{name}: Faust's response still rings after 0.5 s (rms)", tail, 1e-6, 10)
        err = close(f"{name} (relative to the reverb's peak {peak:.3g})", y[:, c] / peak, f[:, c] / peak, REL_TOL)
        if err is not None and err > REL_TOL:
            first = int(np.argmax(np.abs(y[:, c] - f[:, c]) > REL_TOL * peak))
            print(f"    first differs at sample {first}: agraph {y[first, c]!r}, Faust {f[first, c]!r}")
    done()


if __name__ == "__main__":
    main(sys.argv)
