# check_browser_mode.py — notebooks/browser_mode.ipynb (`%%agraph --browser`) in a real browser: a
# classic notebook server on 127.0.0.1 and headless Chromium (selenium) open it and run every cell;
# the cell's one output must hold Play and a slider per parameter, and the page's
# agraphRender.synth(), rendered by the WebAssembly program in an OfflineAudioContext, must match
# the native executable (built here with build/agraphc, rendered with --param) within 1e-4: with
# the cell's -p value, with other values given to the render, and after a slider is moved (which
# shows the sliders are bound to the parameters). Play starts an AudioContext in the page and a
# slider moved while it plays is answered by the running processor. A label with markup in it
# shows as text. Nothing is served by the kernel: the page gets the program from the output.
#   /usr/bin/python3 tests/notebook/check_browser_mode.py SCRATCH_DIR [planted]
# With `planted` the oracle of the first comparison is rendered at 331 Hz instead of 330 Hz: that
# check must fail (the comparison can tell a 1 Hz slip in a parameter).
import base64
import json
import os
import subprocess
import sys
import warnings

import numpy as np
from scipy.io import wavfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nbbrowser  # noqa: E402
import nbrun  # noqa: E402
from nbbrowser import wait_for  # noqa: E402

from selenium.webdriver.common.by import By  # noqa: E402

TOL = 1e-4
SECONDS = 0.5
SR = 48000

scratch = os.path.abspath(sys.argv[1])
planted = sys.argv[2:] == ["planted"]
os.makedirs(scratch, exist_ok=True)
nbrun.kernel_env(os.path.join(scratch, "cache"))
check = nbrun.Checks()


# the oracle: the same source compiled natively by build/agraphc and rendered by the executable
nb = nbrun.load("browser_mode.ipynb")
source = nbrun.tagged(nb, "browser-mode")["source"]
head, body = source.split("\n", 1)
check(head.startswith("%%agraph synth --browser -p freq=330Hz"), f"the cell is `%%agraph synth --browser -p freq=330Hz` ({head})")
native_dir = os.path.join(scratch, "native")
os.makedirs(native_dir, exist_ok=True)
with open(os.path.join(native_dir, "synth.agraph"), "w") as f:
    f.write(body)
subprocess.run([os.path.join(nbrun.ROOT, "build", "agraphc"), "synth.agraph", "-o", "synth",
                "-I", nbrun.ROOT], cwd=native_dir, check=True, timeout=120)


def native(**params):
    out = os.path.join(native_dir, "out.wav")
    cmd = [os.path.join(native_dir, "synth"), "--quiet", "--sr", str(SR), "--duration", f"{SECONDS}s", "-o", out]
    for k, v in params.items():
        cmd += ["--param", f"{k}={v}"]
    subprocess.run(cmd, check=True, timeout=60)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sr, x = wavfile.read(out)
    assert sr == SR and x.dtype == np.float32, (sr, x.dtype)
    return x.astype(np.float64)


RENDER = """
    const [name, seconds, params, done] = arguments;
    window.agraphRender[name](seconds, params).then((chans) => {
        const f = chans[0], bytes = new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
        let s = '';
        for (let i = 0; i < bytes.length; i += 8192) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
        done({channels: chans.length, b64: btoa(s)});
    }, (e) => done({error: String(e && e.message || e)}));"""


def browser(driver, params):
    r = driver.execute_async_script(RENDER, "synth", SECONDS, params)
    if "error" in r:
        raise RuntimeError("agraphRender.synth failed: " + r["error"])
    check(r["channels"] == 1, f"one output channel ({r['channels']})")
    return np.frombuffer(base64.b64decode(r["b64"]), dtype="<f4").astype(np.float64)


def compare(what, web, ref):
    n = len(ref)
    check(len(web) == n, f"{what}: {len(web)} frames from the browser, {n} natively")
    diff = float(np.max(np.abs(web[:n] - ref[:len(web)]))) if n and len(web) else float("inf")
    rms = float(np.sqrt(np.mean(web ** 2))) if len(web) else 0.0
    print(f"{what}: rms {rms:.4f}, max |browser - native| = {diff:.3g}")
    check(rms > 0.01, f"{what}: the browser's render is not silent (rms {rms:.4g})")
    check(diff <= TOL, f"{what}: the browser's render matches the native one within {TOL:g} (max diff {diff:.3g})")
    return diff


# the notebook server on loopback, Chromium on the notebook
with nbbrowser.open_notebook(scratch, "browser_mode.ipynb") as driver:
    try:
        # run all cells; the --browser cell's output says it is ready once its script ran
        index = driver.execute_script("""
            return Jupyter.notebook.get_cells().findIndex(c => (c.metadata.tags || []).includes('browser-mode'));""")
        check(index > 0, "the notebook has the browser-mode cell")
        driver.execute_script("Jupyter.notebook.execute_all_cells();")
        cell_css = f"#notebook-container .cell:nth-child({index + 1})"
        box = wait_for("the --browser output", lambda: driver.find_element(
            By.CSS_SELECTOR, f"{cell_css} .output_area .agraph-browser[data-ready='1']"), 90)
        outputs = driver.execute_script(f"return Jupyter.notebook.get_cell({index}).output_area.outputs")
        check(len(outputs) == 1 and "text/html" in outputs[0].get("data", {}),
              f"the cell has one HTML output ({[list(o.get('data', {})) for o in outputs]})")
        play = box.find_element(By.CSS_SELECTOR, "button.agraph-play")
        check(play.text == "Play", f"a Play button ({play.text!r})")
        sliders = box.find_elements(By.CSS_SELECTOR, "input[type=range]")
        check([s.get_attribute("data-param") for s in sliders] == ["freq", "drive", "cutoff", "gain"],
              f"one slider per parameter ({[s.get_attribute('data-param') for s in sliders]})")
        labels = [e.text for e in box.find_elements(By.CSS_SELECTOR, ".agraph-param label")]
        check(labels == ["Pitch", "Drive", "Brightness", "Level"], f"the sliders' labels ({labels})")
        readouts = [e.text for e in box.find_elements(By.CSS_SELECTOR, ".agraph-readout")]
        check(readouts == ["330 Hz", "6 dB", "2 kHz", "-18 dB"], f"the readouts, freq from -p ({readouts})")
        # a log slider: 330 Hz on [55 Hz, 1760 Hz] sits at log(6)/log(32) of the way
        pos = int(sliders[0].get_attribute("value"))
        check(pos == round(1000 * np.log(6) / np.log(32)), f"the Pitch slider is placed on a log scale ({pos})")
        check(driver.execute_script("return document.querySelectorAll('script[src*=\"/files/\"]').length") == 0,
              "the page loads no file from the kernel")

        # renders in the page against the native executable
        d1 = compare("cell values (freq 330 Hz)", browser(driver, {}), native(freq="331Hz" if planted else "330Hz"))
        web2 = browser(driver, {"freq": 880, "cutoff": 0.5, "drive": 20})
        ref2 = native(freq="880Hz", cutoff="0.5kHz", drive="20dB")
        d2 = compare("freq 880 Hz, cutoff 0.5 kHz, drive 20 dB", web2, ref2)
        ref1 = native(freq="330Hz")
        change = float(np.max(np.abs(web2 - ref1)))
        check(change > 100 * TOL, f"other parameter values change the output (max change {change:.3g})")

        # a slider moved in the page: Level to its top (0 dB); the next render uses it
        driver.execute_script("""
            const el = arguments[0]; el.value = 1000; el.dispatchEvent(new Event('input', {bubbles: true}));""", sliders[3])
        readout = box.find_elements(By.CSS_SELECTOR, ".agraph-readout")[3].text
        check(readout == "0 dB", f"the Level readout follows the slider ({readout})")
        d3 = compare("after the Level slider moved to 0 dB", browser(driver, {}), native(freq="330Hz", gain="0dB"))

        # Play: an AudioContext in the page, the processor running; a slider moved while it plays is
        # answered by the processor with the value it took
        play.click()
        wait_for("playing", lambda: box.get_attribute("data-playing") == "1" or box.find_element(
            By.CSS_SELECTOR, ".agraph-state").text.startswith("cannot"), 30)
        state = box.find_element(By.CSS_SELECTOR, ".agraph-state").text
        check(box.get_attribute("data-playing") == "1" and play.text == "Stop", f"Play starts it ({state!r}, button {play.text!r})")
        t0 = driver.execute_script("return agraphPlayers.synth.context.currentTime")
        t1 = wait_for("the audio clock", lambda: (lambda t: t if t > t0 + 0.1 else None)(
            driver.execute_script("return agraphPlayers.synth.context.currentTime")), 10)
        check(t1 > t0, f"the page's audio clock runs ({t0:.3f} -> {t1:.3f} s)")
        driver.execute_script("""
            const el = arguments[0]; el.value = 0; el.dispatchEvent(new Event('input', {bubbles: true}));""", sliders[0])
        answer = wait_for("the processor's answer", lambda: box.get_attribute("data-last-answer") and
                          json.loads(box.get_attribute("data-last-answer"))["name"] == "freq" and
                          json.loads(box.get_attribute("data-last-answer")), 10)
        check(abs(answer["value"] - 55) < 1e-3, f"the running processor took Pitch = 55 Hz ({answer})")
        play.click()
        check(box.get_attribute("data-playing") == "0" and play.text == "Play", "Stop stops it")

        # markup in a label is shown as text, not run
        driver.execute_script("""
            const c = Jupyter.notebook.insert_cell_at_bottom('code');
            c.set_text('%%agraph esc --browser\\nimport std\\nparam g = 0.5 [0, 1] "<b id=\\'injected\\'>bold</b></script>"\\noutput out = g * sine(440Hz)');
            c.execute();""")
        esc = wait_for("the second cell", lambda: driver.find_element(
            By.CSS_SELECTOR, ".agraph-browser[data-name='esc'][data-ready='1']"), 90)
        label = esc.find_element(By.CSS_SELECTOR, ".agraph-param label").text
        check(label == "<b id='injected'>bold</b></script>", f"the label shows as text ({label!r})")
        check(not driver.find_elements(By.ID, "injected"), "no element made from the label")
        print(f"max |browser - native|: {max(d1, d2, d3):.3g} (allowed {TOL:g})")
    except Exception:
        check(False, f"the browser check ran to its end ({sys.exc_info()[1]!r})")
        raise

check.done("browser mode")
