# check_notebooks.py — run the offline notebooks of notebooks/ with nbclient against a real kernel
# and check what they show: a player with the sound, plot images, slider models, the caret of the
# deliberate error; the numbers each notebook prints against its closed-form oracle; and sliders
# moved from code re-render (debounced) and rebind the cell's variable.
#   /usr/bin/python3 tests/notebook/check_notebooks.py SCRATCH_DIR [getting_started|additive|pickup|planted]
# (planted: the getting-started checks on a notebook with the error moved a line down; must fail)
import io
import os
import re
import sys
import wave

import nbformat

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nbrun  # noqa: E402

check = nbrun.Checks()


def wav_info(data):
    w = wave.open(io.BytesIO(data))
    return w.getnchannels(), w.getframerate(), w.getnframes()


def sliders(models, cell):
    found = {}
    for view in nbrun.widget_views(cell):
        for m in nbrun.descendants(models, view):
            if m.get("_model_name") in ("FloatSliderModel", "IntSliderModel", "CheckboxModel"):
                found[m.get("description")] = m
    return found


def number_after(text, label):
    m = re.search(re.escape(label) + r"\s*([-+0-9.e]+)", text)
    return float(m.group(1)) if m else None


def getting_started(scratch, plant=False):
    nb = nbrun.load("getting_started.ipynb")
    if plant:      # a blank line above the error moves it to line 5: the checks must notice
        err = nbrun.tagged(nb, "raises-exception")
        first, rest = err.source.split("\n", 1)
        err.source = first + "\n\n" + rest
    # after the notebook's own cells: move a slider from code, five times quickly (one re-render
    # after the debounce), and read what the variable holds then
    nb.cells.append(nbformat.v4.new_code_cell(
        "import agraph, time\n"
        "v = agraph.view('lp')\n"
        "for hz in (1000, 1500, 2000, 2500, 3000):\n"
        "    v.set(cutoff=hz)\n"
        "    time.sleep(0.01)\n"
        "assert v.wait(20)\n"
        "print('renders', v.renders, 'cutoff', lp.params['cutoff'], 'error', v.error)\n"
        "print('player has render', v.player.value.count(\"data-render='2'\"))\n"
        "print('status', v.status.value)"))
    opts = nbformat.v4.new_code_cell("%agraph options")
    bogus = nbformat.v4.new_code_cell("%%agraph --bogus\noutput out = 0")
    bogus.metadata["tags"] = ["raises-exception"]
    nb.cells += [opts, bogus]
    models = nbrun.run(nb, scratch)
    text = nbrun.texts_of(opts)
    check(all(o in text for o in ("--duration", "--input", "--live", "--block", "%agraph stop")),
          f"%agraph options lists the options:\n{text}")
    text = nbrun.texts_of(bogus)
    check("unrecognized arguments: --bogus" in text and "usage: %%agraph" in text, f"a bad option is named:\n{text}")
    nb.cells = nb.cells[:-2]
    c = nbrun.tagged(nb, "getting-started")
    html = nbrun.widget_html(models, c)
    wavs = nbrun.audio_wavs(html)
    check(len(wavs) == 1, f"getting started: one <audio> player (found {len(wavs)})")
    if wavs:
        ch, sr, n = wav_info(wavs[0])
        check((ch, sr, n) == (1, 48000, 96000), f"getting started: the player holds 2 s mono at 48 kHz ({ch}, {sr}, {n})")
    images = nbrun.widget_pngs(models, c)
    check(images and all(p[:8] == b"\x89PNG\r\n\x1a\n" for p in images), "getting started: a PNG plot")
    s = sliders(models, c)
    check(set(s) == {"Cutoff", "Gain"}, f"getting started: sliders Cutoff and Gain (found {sorted(s)})")
    if "Cutoff" in s:
        # a log parameter's slider runs over log10 of the value; the last cell moved it to 3 kHz
        check(abs(10 ** s["Cutoff"]["min"] - 50) < 1e-6 and abs(10 ** s["Cutoff"]["max"] - 15000) < 1e-3
              and abs(10 ** s["Cutoff"]["value"] - 3000) < 1e-6,
              f"getting started: the log slider spans 50 Hz..15 kHz, at 3 kHz at the end ({s['Cutoff']})")
    analysis = nbrun.texts_of(nb.cells[nb.cells.index(c) + 2])
    dev = number_after(analysis, "largest deviation 100 Hz - 10 kHz:")
    check(dev is not None and dev < 1.0, f"getting started: rendered noise follows the one-pole's closed form ({analysis.strip()})")
    # the deliberate error: message, the cell's own line number, the source line and a caret
    err = nbrun.tagged(nb, "raises-exception")
    outs = [o for o in err.outputs if o.output_type == "error"]
    check(len(outs) == 1 and outs[0].ename == "CompileError", f"error cell: one CompileError output ({[o.output_type for o in err.outputs]})")
    tb = nbrun.texts_of(err)
    check("oops:4:22: error: unknown block or function 'nois'; did you mean 'noise'?" in tb,
          f"error cell: the message with the cell's line 4, column 22:\n{tb}")
    check(re.search(r"^\s+4 \| output out = onepole\(nois\(\), cutoff\)$", tb, re.M) is not None, f"error cell: the source line:\n{tb}")
    check(re.search(r"^\s+\| {22}\^~~~$", tb, re.M) is not None, f"error cell: a caret under 'nois':\n{tb}")
    check("Traceback" not in tb and "File " not in tb, f"error cell: no Python traceback:\n{tb}")
    # the kernel carried on: the input cell after it rendered lp (2 s) plus a 1 s tail
    driven = nb.cells[nb.cells.index(err) + 2]
    w = nbrun.audio_wavs(nbrun.widget_html(models, driven))
    check(len(w) == 1 and wav_info(w[0])[2] == 3 * 48000, "an earlier cell's output as input: 3 s rendered")
    api = nbrun.texts_of(nb.cells[-2])
    zc = number_after(api, "rising zero crossings:")
    check(zc is not None and abs(zc - 500) <= 1, f"API: 0.5 s of 1 kHz has 500 rising zero crossings ({api.strip()})")
    moved = nbrun.texts_of(nb.cells[-1])
    check("renders 2 cutoff 3000" in moved and "error None" in moved,
          f"sliders moved five times quickly: one re-render at the last value, lp rebound:\n{moved}")
    check("player has render 1" in moved, f"the player holds the new render:\n{moved}")


def planted(scratch):
    getting_started(scratch, plant=True)


def docs(scratch):
    """docs/notebook.md: every ```python block runs in a kernel, in order, and every `print(...)  #
    TEXT` line prints TEXT; the live example is the live notebook's cell, word for word."""
    text = open(os.path.join(nbrun.ROOT, "docs", "notebook.md")).read()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    live = [b for b in blocks if "--live" in b.split("\n", 1)[0]]
    check(len(live) == 1 and live[0].rstrip("\n") == nbrun.tagged(nbrun.load("live_spectrum.ipynb"), "live-start").source,
          "docs: the live example is the live notebook's cell")
    runnable = [b for b in blocks if b not in live]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("%load_ext agraph")] + [nbformat.v4.new_code_cell(b.rstrip("\n")) for b in runnable]
    nbrun.run(nb, scratch)
    for cell in nb.cells[1:]:
        want = [m.group(1).strip() for m in re.finditer(r"^print\(.*\)\s+# (.*)$", cell.source, re.M)]
        got = [ln.strip() for ln in "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream").splitlines()]
        check(got[:len(want)] == want, f"docs: the block prints what it says:\n{cell.source}\nwant {want}\ngot  {got}")
    check(len(runnable) >= 4, f"docs: the examples ran ({len(runnable)} blocks)")


def additive(scratch):
    nb = nbrun.load("additive_synth.ipynb")
    models = nbrun.run(nb, scratch)
    c = nbrun.tagged(nb, "additive")
    check(len(nbrun.audio_wavs(nbrun.widget_html(models, c))) == 1, "additive: a player")
    check(len(nbrun.widget_pngs(models, c)) == 1, "additive: a plot")
    s = sliders(models, c)
    check(len(s) == 6 and "Partial 5" in s, f"additive: six sliders ({sorted(s)})")
    out = nbrun.texts_of(nb.cells[nb.cells.index(c) + 2])
    m = re.search(r"partials \(Hz\): \[(.*)\]", out)
    got = [float(x) for x in m.group(1).split(",")] if m else []
    want = [220, 440, 660, 880, 1100]
    check(len(got) == 5 and all(abs(g - w) <= 1 for g, w in zip(got, want)),
          f"additive: FFT peaks at the five partials {want} (got {got})")


def pickup(scratch):
    nb = nbrun.load("pickup_response.ipynb")
    models = nbrun.run(nb, scratch)
    c = nbrun.tagged(nb, "pickup")
    w = nbrun.audio_wavs(nbrun.widget_html(models, c))
    check(len(w) == 1 and wav_info(w[0])[0] == 2, "pickup: a stereo player (sweep, pickup)")
    check(len(nbrun.widget_pngs(models, c)) == 1, "pickup: waveform, spectrogram and probe plot")
    analysis = nb.cells[nb.cells.index(c) + 2]
    check(len(nbrun.pngs(analysis)) == 1, "pickup: the response plot")
    out = nbrun.texts_of(analysis)
    peak = number_after(out, "measured peak at")
    dev = number_after(out, "largest deviation from the closed form")
    # the RBJ lowpass at f0 = 4 kHz, Q = 3 peaks near f0 * sqrt(1 - 1 / (2 Q^2)) = 3.77 kHz
    check(peak is not None and 3500 < peak < 4100, f"pickup: the resonance peak near 3.8 kHz ({out.strip()})")
    check(dev is not None and dev < 0.5, f"pickup: measured response within 0.5 dB of the closed form ({out.strip()})")


if __name__ == "__main__":
    scratch = os.path.abspath(sys.argv[1])
    nbrun.kernel_env(os.path.join(scratch, "cache"))
    which = sys.argv[2:] or ["getting_started", "additive", "pickup"]
    for name in which:
        globals()[name](scratch)
    check.done("notebooks " + " ".join(which))
