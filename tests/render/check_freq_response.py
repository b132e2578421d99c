"""Oracle for examples/freq_response.agraph: a device under test simulated with scipy, and its
response read back from the probes compared with scipy.signal.freqz.

check_freq_response.py silence OUT.wav SECONDS          silence to drive the sweep out
check_freq_response.py device SWEEP.wav OUT.wav F Q     the sweep through an RBJ resonant lowpass
                                                        (a guitar pickup's shape) at F Hz, Q
check_freq_response.py check ROWS.csv F Q               gain within 0.1 dB, phase within 1 degree
"""
import csv
import sys
import numpy as np
from scipy import signal
from scipy.io import wavfile

SR = 48000


def pickup(f, q):
    w0 = 2 * np.pi * f / SR
    alpha, cw = np.sin(w0) / (2 * q), np.cos(w0)
    b = np.array([(1 - cw) / 2, 1 - cw, (1 - cw) / 2])
    a = np.array([1 + alpha, -2 * cw, 1 - alpha])
    return b / a[0], a / a[0]


def main(argv):
    if argv[1] == "silence":
        wavfile.write(argv[2], SR, np.zeros(int(float(argv[3]) * SR), np.float32))
        return 0
    if argv[1] == "device":
        b, a = pickup(float(argv[4]), float(argv[5]))
        x = wavfile.read(argv[2])[1].astype(np.float64)
        wavfile.write(argv[3], SR, signal.lfilter(b, a, x).astype(np.float32))
        return 0
    b, a = pickup(float(argv[3]), float(argv[4]))
    rows = [r for r in csv.DictReader(open(argv[2])) if 1 <= float(r["time"]) <= 19.5]
    freqs = np.array([float(r["freq"]) for r in rows])
    _, h = signal.freqz(b, a, worN=freqs, fs=SR)
    gain = np.array([float(r["gain_db"]) for r in rows]) - 20 * np.log10(np.abs(h))
    phase = (np.array([float(r["phase_deg"]) for r in rows]) - np.degrees(np.angle(h)) + 180) % 360 - 180
    print(f"{len(rows)} rows from {freqs.min():.0f} to {freqs.max():.0f} Hz: gain off by at most "
          f"{np.abs(gain).max():.3g} dB, phase by {np.abs(phase).max():.3g} degrees")
    if len(rows) < 300 or freqs.min() > 40 or freqs.max() < 15000:
        print("the sweep did not cover 40 Hz to 15 kHz")
        return 1
    return 0 if np.abs(gain).max() < 0.1 and np.abs(phase).max() < 1 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
