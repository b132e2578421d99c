# check_live.py — notebooks/live_spectrum.ipynb against a real JACK server (the dummy backend, which
# the calling test started; JACK_DEFAULT_SERVER names it), cell by cell through nbclient and a real
# kernel, with test cells between the notebook's own:
#   - the live view polls probes and redraws at 10 Hz or more for 10 s: zero underruns;
#   - a slider moved in the kernel reaches the sound: jack_rec records 440 Hz, then 1 kHz, checked
#     against a sine's closed form, and the spectrum probe's peak moves to the 1 kHz bin;
#   - running the cell again swaps in the new program and keeps the slider's value;
#   - `%agraph stop` ends it; interrupting the kernel ends a running one too.
#   - a planted stall (the program stopped for 300 ms) is counted, so the underrun check can fail.
#   /usr/bin/python3 tests/notebook/check_live.py SCRATCH_DIR JACKD_LOG
import os
import re
import signal
import subprocess
import sys
import time
import wave

import nbformat
from jupyter_core.utils import run_sync
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nbrun  # noqa: E402

scratch = os.path.abspath(sys.argv[1])
nbrun.kernel_env(os.path.join(scratch, "cache"))
jack_log = sys.argv[2]
check = nbrun.Checks()
assert os.environ.get("JACK_DEFAULT_SERVER"), "run me with a JACK server (JACK_DEFAULT_SERVER)"
SECONDS = 10.5


def sine_fit(x, sr):
    """Frequency from rising zero crossings (interpolated), and the worst deviation from the
    least-squares sine at that frequency relative to its amplitude (a glitch shows as a large one)."""
    x = x.astype(np.float64)
    i = np.nonzero((x[:-1] < 0) & (x[1:] >= 0))[0]
    at = i + x[i] / (x[i] - x[i + 1])
    freq = (len(at) - 1) / (at[-1] - at[0]) * sr
    n = np.arange(len(x))
    basis = np.stack([np.cos(2 * np.pi * freq * n / sr), np.sin(2 * np.pi * freq * n / sr)], axis=1)
    coef, *_ = np.linalg.lstsq(basis, x, rcond=None)
    amp = float(np.hypot(*coef))
    return freq, amp, float(np.max(np.abs(x - basis @ coef)) / amp)


def read_recording(path):
    """jack_rec's file (libsndfile: PCM or float WAV) as floats in [-1, 1], and its rate."""
    try:
        w = wave.open(path)
    except wave.Error:                       # float: the wave module reads PCM only
        sys.path.insert(0, nbrun.PACKAGE)
        import agraph
        a, sr = agraph.read_wav(path)
        return a[:, 0].astype(np.float64), sr
    width, ch = w.getsampwidth(), w.getnchannels()
    raw = np.frombuffer(w.readframes(w.getnframes()), dtype={2: "<i2", 4: "<i4"}[width]).astype(np.float64)
    return raw[::ch] / (2.0 ** (8 * width - 1)), w.getframerate()


nb = nbrun.load("live_spectrum.ipynb")
start = nbrun.tagged(nb, "live-start")
client = nbrun.client(nb, scratch, timeout=60)


def run_code(code, timeout=60):
    cell = nbformat.v4.new_code_cell(code)
    nb.cells.append(cell)
    client.execute_cell(cell, len(nb.cells) - 1)
    return nbrun.texts_of(cell)


def jack_xruns():
    return open(jack_log, errors="replace").read().count("XRun")


def stops_within(pid, seconds):
    """Whether process pid is gone (or a zombie) within `seconds`, polled every 10 ms."""
    for _ in range(int(seconds * 100)):
        st = open(f"/proc/{pid}/stat").read().split()[2] if os.path.exists(f"/proc/{pid}") else "X"
        if st in ("X", "Z"):
            return True
        time.sleep(0.01)
    return False


def value_of(text, key):
    m = re.search(re.escape(key) + r"=(\S+)", text)
    return m.group(1) if m else None


with client.setup_kernel():
    sys.path.insert(0, nbrun.PACKAGE)
    for i, cell in enumerate(list(nb.cells)):
        if cell.cell_type != "code":
            continue
        client.execute_cell(cell, i)
        if cell is start:
            break
    check(len(nbrun.widget_views(start)) == 1, "the live cell shows its widgets")
    info = run_code("import agraph\nrun = live_sine\nv = agraph.view('live_sine')\n"
                    "print(f'pid={run.proc.pid} block={run.control.block} sr={run.control.sample_rate:g}')")
    pid = int(value_of(info, "pid"))
    check(value_of(info, "block") == "1024", f"the live program runs with 1024-frame blocks ({info.strip()})")

    # 10 s of polling and redrawing: the audio never waits for it
    xruns0 = jack_xruns()
    out = run_code(f"import time\nr0 = v.redraws\nk0 = run.counters()\ntime.sleep({SECONDS})\n"
                   "k1 = run.counters()\n"
                   "print(f'redraws={v.redraws - r0} underruns={k1[\"underruns\"]} overruns={k1[\"overruns\"]} "
                   "blocks={k1[\"blocks\"] - k0[\"blocks\"]} cbmax={k1[\"callback_max_us\"]:.0f}')\n"
                   "print('spectrum peak bin', int(max(range(1, 513), key=lambda k: run.probe('spectrum')[k])))")
    print("live view:", out.strip())
    redraws = int(value_of(out, "redraws"))
    check(redraws >= 10 * SECONDS, f"the view redrew at 10 Hz or more for {SECONDS} s ({redraws} redraws)")
    check(value_of(out, "underruns") == "0" and value_of(out, "overruns") == "0", f"zero underruns while it redrew ({out.strip()})")
    check(jack_xruns() == xruns0, f"the JACK server logged no xrun meanwhile ({jack_xruns() - xruns0})")
    blocks = int(value_of(out, "blocks"))
    check(abs(blocks - SECONDS * 48000 / 1024) < 0.1 * SECONDS * 48000 / 1024, f"the audio ran all along ({blocks} blocks)")
    check("spectrum peak bin 9" in out or "spectrum peak bin 10" in out, f"the spectrum probe peaks at 440 Hz (bin 9.4): {out}")
    out = run_code("print('meter', v.scope.value.count(\"class='agraph-meter'\"), 'spectrum', "
                   "v.scope.value.count(\"class='agraph-spectrum'\"), 'running', 'running,' in v.status.value)")
    check("meter 1 spectrum 1 running True" in out, f"the view shows a meter for level and a spectrum: {out.strip()}")

    # a slider move reaches the recorded sound
    rec = os.path.join(scratch, "rec.wav")
    rec_p = subprocess.Popen(["jack_rec", "-b", "32", "-B", "1048576", "-f", rec, "-d", "3", "live_sine:out_0"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.2)
    out = run_code("v.controls[0].value = 1000\nimport time\ntime.sleep(0.3)\n"
                   "print('freq', run.control.get('freq'))")
    check("freq 1000" in out, f"the slider wrote the control block: {out.strip()}")
    _, rec_err = rec_p.communicate(timeout=30)
    check(rec_p.returncode == 0 and "overruns" not in rec_err, f"jack_rec recorded whole ({rec_p.returncode}: {rec_err})")
    x, sr = read_recording(rec)
    before = x[int(0.1 * sr):int(0.9 * sr)]
    after = x[int(2.0 * sr):int(2.9 * sr)]
    fb, ab, wb = sine_fit(before, sr)
    fa, aa, wa = sine_fit(after, sr)
    gain = 10 ** (-12 / 20)
    print(f"recorded: before {fb:.2f} Hz amp {ab:.4f} worst {wb:.2e}; after {fa:.2f} Hz amp {aa:.4f} worst {wa:.2e}")
    check(abs(fb - 440) < 0.5 and abs(ab - gain) < 0.01 * gain and wb < 1e-3,
          f"before the move: a clean 440 Hz sine at -12 dB ({fb:.2f} Hz, {ab:.4f}, {wb:.1e})")
    check(abs(fa - 1000) < 0.5 and abs(aa - gain) < 0.01 * gain and wa < 1e-3,
          f"after the move: a clean 1 kHz sine ({fa:.2f} Hz, {aa:.4f}, {wa:.1e})")
    out = run_code("print('spectrum peak bin', int(max(range(1, 513), key=lambda k: run.probe('spectrum')[k])))")
    check("spectrum peak bin 21" in out or "spectrum peak bin 22" in out, f"the spectrum probe peaks at 1 kHz (bin 21.3): {out}")

    # running the cell again (edited) swaps in the new program and keeps the slider's value
    edited = start.source.replace('param gain = -12dB', 'param gain = -20dB')
    start2 = nbformat.v4.new_code_cell(edited)
    nb.cells.append(start2)
    client.execute_cell(start2, len(nb.cells) - 1)
    out = run_code("run2 = live_sine\nprint(f'pid={run2.proc.pid} freq={run2.control.get(\"freq\")} "
                   "gain={run2.control.get(\"gain\")} old_alive={run.alive}')")
    check(value_of(out, "pid") not in (None, str(pid)) and value_of(out, "old_alive") == "False",
          f"the new program replaced the old one ({out.strip()})")
    check(float(value_of(out, "freq") or 0) == 1000 and float(value_of(out, "gain") or 0) == -20,
          f"the slider's value was kept; the new default took effect where nobody moved one ({out.strip()})")
    pid2 = int(value_of(out, "pid"))

    # %agraph stop ends it and reports
    stop_cell = nbrun.tagged(nb, "live-stop")
    out = run_code(stop_cell.source)
    alive = os.path.exists(f"/proc/{pid2}")
    check(not alive and "live_sine: stopped after" in out and "0 underruns" in out, f"%agraph stop ended it: {out.strip()}")
    out = run_code("%agraph list")
    check("no live programs" in out, f"nothing runs after stop: {out.strip()}")

    # interrupting the kernel stops a live program (SIGINT to the kernel's process group)
    client.execute_cell(start2, len(nb.cells) - 1 - 2)
    out = run_code("print(f'pid={live_sine.proc.pid}')")
    pid3 = int(value_of(out, "pid"))
    check(os.path.exists(f"/proc/{pid3}"), "it runs again")
    run_sync(client.km.interrupt_kernel)()
    check(stops_within(pid3, 3), "interrupting the kernel stopped the live program")
    out = run_code("print('kernel alive', 1 + 1)\n%agraph stop\n")
    check("kernel alive 2" in out, f"the kernel carries on after the interrupt: {out.strip()}")
    control_files = [f for f in os.listdir("/dev/shm") if f.startswith("agraph-") and f.endswith("live_sine.control")]
    check(not control_files, f"no control block left in /dev/shm ({control_files})")

    # the underrun checks can fail: stop the program for 300 ms (a planted stall) and it is counted
    client.execute_cell(start2, len(nb.cells) - 1)
    out = run_code("print(f'pid={live_sine.proc.pid}')")
    pid5 = int(value_of(out, "pid"))
    time.sleep(0.5)
    before = jack_xruns()
    os.kill(pid5, signal.SIGSTOP)
    time.sleep(0.3)
    os.kill(pid5, signal.SIGCONT)
    time.sleep(0.5)
    out = run_code("print(f'underruns={live_sine.counters()[\"underruns\"]}')")
    check(int(value_of(out, "underruns") or 0) > 0, f"a planted 300 ms stall is counted as underruns ({out.strip()})")
    check(jack_xruns() > before, "and the JACK server logged it")
    run_code("%agraph stop")

    # a kernel that dies (SIGKILL: no atexit, no goodbye) takes its live program with it
    client.execute_cell(start2, len(nb.cells) - 1)
    out = run_code("import os\nprint(f'pid={live_sine.proc.pid} kernel={os.getpid()}')")
    pid4, kernel = int(value_of(out, "pid")), int(value_of(out, "kernel"))
    os.kill(kernel, 9)
    check(stops_within(pid4, 5), "a killed kernel's live program stops too")
    for f in os.listdir("/dev/shm"):          # the dead kernel could not remove its control block
        if f.startswith(f"agraph-{kernel}-"):
            os.unlink(os.path.join("/dev/shm", f))

check.done("live notebook")
