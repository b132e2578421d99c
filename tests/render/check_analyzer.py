"""Oracle for examples/analyzer.agraph: a tone of known amplitude and frequency per second.

check_analyzer.py make IN.wav                 1 s of 0.5 * sin(220 Hz), then 1 s of 0.05 * sin(330 Hz)
check_analyzer.py check ROWS.csv [F1 F2]      the rows printed with --probe-out -: closed forms
  (the RMS of a sine is its amplitude / sqrt 2, its peak the amplitude, its pitch F1 then F2)
"""
import csv
import sys
import numpy as np
from scipy.io import wavfile

SR = 48000


def main(argv):
    if argv[1] == "make":
        t = np.arange(SR) / SR
        x = np.concatenate([0.5 * np.sin(2 * np.pi * 220 * t), 0.05 * np.sin(2 * np.pi * 330 * t)])
        wavfile.write(argv[2], SR, x.astype(np.float32))
        return 0
    rows = list(csv.DictReader(open(argv[2])))
    f1, f2 = (float(argv[3]), float(argv[4])) if len(argv) > 4 else (220.0, 330.0)
    if len(rows) != 8 or rows[0]["time"] != "0.25" or rows[-1]["time"] != "2":
        print("expected 8 rows every 0.25 s, got", [r["time"] for r in rows])
        return 1
    bad = 0
    for r in rows:
        amp, f0 = (0.5, f1) if float(r["time"]) <= 1 else (0.05, f2)
        want = {"level_db": 20 * np.log10(amp / np.sqrt(2)), "peak_db": 20 * np.log10(amp), "f0": f0}
        tol = {"level_db": 0.05, "peak_db": 0.05, "f0": 0.5}
        for k in want:
            if abs(float(r[k]) - want[k]) > tol[k]:
                print(f"t={r['time']}: {k} = {r[k]}, expected {want[k]:.3f}")
                bad += 1
    print(f"{len(rows)} rows, {bad} wrong")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
