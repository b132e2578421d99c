# check_api.py — the Python API under the magic, without a kernel: compile (cache, errors renumbered
# to the cell, a compiler that hangs is stopped at the time limit and one that crashes is reported),
# render (numpy input against scipy.signal.lfilter, parameters with units, probes as records), and
# control.py being exactly the reader docs/runtime.md shows and tests.
#   /usr/bin/python3 tests/notebook/check_api.py SCRATCH_DIR
import os
import shutil
import sys
import time

import numpy as np
import scipy.signal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nbrun  # noqa: E402

scratch = os.path.abspath(sys.argv[1])
shutil.rmtree(os.path.join(scratch, "cache"), ignore_errors=True)      # the cache checks need it empty
nbrun.kernel_env(os.path.join(scratch, "cache"))
sys.path.insert(0, nbrun.PACKAGE)
import agraph  # noqa: E402
from agraph.compile import renumber  # noqa: E402

check = nbrun.Checks()

ONEPOLE = """import std
input x
param cutoff = 1kHz [50Hz, 15kHz] log
y = onepole(x, cutoff)
output out = y
probe level = sqrt(onepole(y * y, 20Hz))
probe last = (y, y@1)
"""

# ---- compile: cache, metadata ----
t0 = time.monotonic()
p = agraph.compile(ONEPOLE, name="lp")
p2 = agraph.compile(ONEPOLE, name="lp")
check(not p.cached and p2.cached and p2.path == p.path, "a second compile of the same source is a cache hit")
check(p.inputs == ["x"] and p.outputs == ["out"], f"inputs and outputs from --info ({p.inputs}, {p.outputs})")
check([(q["name"], q["width"]) for q in p.probes] == [("level", 1), ("last", 2)], f"probe metadata ({p.probes})")
check(p.params[0]["name"] == "cutoff" and p.params[0]["unit"] == "kHz" and p.params[0]["scale"] == "log",
      f"parameter metadata ({p.params})")
p3 = agraph.compile(ONEPOLE + "// edited\n", name="lp")
check(not p3.cached and p3.path != p.path, "an edited source compiles anew")

# ---- render: a numpy input through the one-pole against scipy's lfilter ----
rng = np.random.default_rng(1)
x = rng.standard_normal(48000).astype(np.float32) * 0.25
r = p.render(input=x, params={"cutoff": "2kHz"})
a = np.exp(-2 * np.pi * 2000 / 48000)
want = scipy.signal.lfilter([1 - a], [1, -a], x.astype(np.float64))
# the smoother starts the cutoff at its default (1 kHz) and glides to 2 kHz: compare after it settles
err = np.max(np.abs(r.audio[4800:, 0] - want[4800:]))
check(r.audio.shape == (48000, 1) and err < 1e-4, f"numpy input through the one-pole matches lfilter (max error {err:.2e})")
check(r.params["cutoff"] == 2.0, f"the values used, in the parameter's unit ({r.params})")
check(r.probes is not None and r.probes.dtype.names == ("frame", "time", "level", "last")
      and r.probes["last"].shape[1] == 2, f"probes as records ({None if r.probes is None else r.probes.dtype})")
check(abs(r.probes["last"][-1][0] - r.audio[-1, 0]) < 1e-6, "the last probe row holds the last sample")
r2 = p.render(input=r, params={"cutoff": 2})           # an earlier result as input
check(r2.sr == r.sr and r2.audio.shape == r.audio.shape, "an earlier Result as input")
gen = agraph.compile("import std\nparam f = 440Hz [20Hz, 20kHz]\noutput out = sine(f)\n", name="g")
g = gen.render(duration="250ms", sr=44100)
check(g.audio.shape == (11025, 1) and g.sr == 44100, f"a generator for a duration at a rate ({g.audio.shape}, {g.sr})")
check(gen.inputs == [] and gen.probes == [] and gen.outputs == ["out"], f"--info of a generator ({gen.inputs}, {gen.probes})")

# ---- the live view's spectrogram image: a PNG that matplotlib decodes, low bins at the bottom ----
import matplotlib.image  # noqa: E402
from agraph.live import _spectrogram_png  # noqa: E402
rows = np.full((7, 33), 1e-9, dtype=np.float32)
rows[:, 2] = 1.0                                   # bin 2 loud in every frame
img = matplotlib.image.imread(__import__("io").BytesIO(_spectrogram_png(rows)), format="png")
check(img.shape == (33, 7) and img[30].min() == 1.0 and img[0].max() == 0.0,
      f"spectrogram PNG: bins x frames, bin 2 bright near the bottom ({img.shape})")

wav = os.path.join(scratch, "in.wav")
agraph.write_wav(wav, x, 48000)
r3 = p.render(input=wav, params={"cutoff": "2kHz"})
check(np.array_equal(r3.audio, r.audio), "a sound file as input renders the same")
for bad, what in ((lambda: p.render(duration=1), "a program with inputs and no input"),
                  (lambda: p.render(input=x, params={"cutof": 1}), "an unknown parameter"),
                  (lambda: p.render(input=x, params={"cutoff": "30kHz"}), "a value out of range")):
    try:
        bad()
        check(False, f"{what} is refused")
    except (agraph.RenderError, KeyError) as e:
        check(("cutof" in str(e)) or ("input" in str(e)) or ("range" in str(e)), f"{what}: a clear error ({e})")

# ---- compile errors, renumbered to the cell ----
try:
    agraph.compile("import std\n\noutput out = onepole(nois(), 1kHz)\n", name="c", first_line=2)
    check(False, "a compile error raises CompileError")
except agraph.CompileError as e:
    text = str(e)
    check(text.startswith("c:4:22: error: unknown block or function 'nois'"), f"renumbered message:\n{text}")
    check("    4 | output out = onepole(nois(), 1kHz)" in text and "      |                      ^~~~" in text,
          f"source line and caret:\n{text}")
    check(e.diagnostics[0]["line"] == 4 and e._render_traceback_()[0] == text.split("\n")[0],
          "structured diagnostics and IPython's traceback hook")
# a gutter that widens when shifted (line 9 of the source is line 10 of the cell)
t, d = renumber("x.agraph:9:1: error: bad\n    9 | y\n      | ^", "x.agraph", "cell", 2)
check(t == "cell:10:1: error: bad\n    10 | y\n       | ^", f"renumber widens the gutter:\n{t}")

# ---- a compiler that hangs is stopped at the limit; one that crashes is reported ----
hang = os.path.join(scratch, "hang-agraphc")
with open(hang, "w") as f:
    f.write("#!/bin/sh\nsleep 300 &\necho $! > " + os.path.join(scratch, "child.pid") + "\nwait\n")
os.chmod(hang, 0o755)
os.environ["AGRAPHC"] = hang
t0 = time.monotonic()
try:
    agraph.compile("output out = 0\n", name="h", timeout=1.0)
    check(False, "a hanging compiler raises")
except agraph.CompileError as e:
    took = time.monotonic() - t0
    check("took longer than 1 s" in str(e), f"the time limit is named ({e})")
    check(took < 10, f"the compile returned after the limit ({took:.1f} s)")
time.sleep(0.2)
child = int(open(os.path.join(scratch, "child.pid")).read())
alive = os.path.exists(f"/proc/{child}") and "Z" not in open(f"/proc/{child}/stat").read().split()[2]
check(not alive, "the compiler's children were killed with it (its process group)")
crash = os.path.join(scratch, "crash-agraphc")
with open(crash, "w") as f:
    f.write("#!/bin/sh\nkill -SEGV $$\n")
os.chmod(crash, 0o755)
os.environ["AGRAPHC"] = crash
try:
    agraph.compile("output out = 1\n", name="k")
    check(False, "a crashing compiler raises")
except agraph.CompileError as e:
    check("killed by signal 11" in str(e), f"a crashing compiler is reported ({e})")
os.environ["AGRAPHC"] = os.path.join(scratch, "no-such-agraphc")
try:
    agraph.compile("output out = 2\n", name="m")
    check(False, "a missing compiler raises")
except agraph.CompileError as e:
    check("not an executable" in str(e), f"a missing compiler is named ({e})")
del os.environ["AGRAPHC"]

# ---- control.py is the reader docs/runtime.md shows (and test_runtime_control runs) ----
doc = open(os.path.join(nbrun.ROOT, "docs", "runtime.md")).read()
begin = doc.index("```python\n# agraph_control.py")
begin = doc.index("\n", begin) + 1
block = doc[begin:doc.index("```", begin)]
mine = open(os.path.join(nbrun.PACKAGE, "agraph", "control.py")).read()
check(block == mine, "runtime/python/agraph/control.py is the module in docs/runtime.md, word for word")

check.done("python API")
