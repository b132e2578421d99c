# check_browser.py — the getting-started notebook in a real browser: a classic notebook server
# (jupyter-notebook 6.4) on 127.0.0.1 and headless Chromium driven by selenium open it, run the
# %%agraph cell, see the player and the sliders (ipywidgets rendered by the widgets nbextension),
# drag a slider and see the re-render arrive (a new player, a new status line). It also measures
# the cell's round trip, run to player shown, median of 5 (printed, never asserted).
#   /usr/bin/python3 tests/notebook/check_browser.py SCRATCH_DIR
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nbbrowser  # noqa: E402
import nbrun  # noqa: E402
from nbbrowser import wait_for  # noqa: E402

from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

scratch = os.path.abspath(sys.argv[1])
nbrun.kernel_env(os.path.join(scratch, "cache"))
check = nbrun.Checks()


def widgets_enabled(env):
    """the widgets nbextension must be enabled for classic notebook to render sliders"""
    out = subprocess.run(["/usr/bin/python3", "-m", "notebook.nbextensions", "list"], capture_output=True,
                         text=True, env=env)
    listing = out.stdout + out.stderr
    check("jupyter-js-widgets/extension" in listing and "enabled" in listing,
          f"the ipywidgets nbextension is enabled:\n{listing}")


with nbbrowser.open_notebook(scratch, "getting_started.ipynb", widgets_enabled) as driver:
    # run `%load_ext agraph`, then the %%agraph cell; wait for the player and the sliders
    index = driver.execute_script("""
        const cells = Jupyter.notebook.get_cells();
        return cells.findIndex(c => (c.metadata.tags || []).includes('getting-started'));""")
    check(index > 0, "the notebook has the getting-started cell")
    driver.execute_script("Jupyter.notebook.execute_cells([1]);")
    cell_css = f"#notebook-container .cell:nth-child({index + 1})"
    driver.execute_script(f"Jupyter.notebook.execute_cells([{index}]);")
    player = wait_for("the player", lambda: driver.find_element(By.CSS_SELECTOR, f"{cell_css} .widget-area audio.agraph-player"), 60)
    check(player.get_attribute("src").startswith("data:audio/wav;base64,"), "a player with the sound inline")
    sliders = wait_for("the sliders", lambda: driver.find_elements(By.CSS_SELECTOR, f"{cell_css} .widget-area .ui-slider"), 30)
    check(len(sliders) == 2, f"two sliders rendered ({len(sliders)})")
    plot = driver.find_elements(By.CSS_SELECTOR, f"{cell_css} .widget-area img")
    check(len(plot) == 1 and plot[0].size["height"] > 100, "the plot image is shown")
    status = driver.find_element(By.CSS_SELECTOR, f"{cell_css} .agraph-status")
    check(status.get_attribute("data-renders") == "1", "status: render 1")
    first_src = player.get_attribute("src")

    def attr(css, name):
        """An attribute of the element at css now, read in one step: a re-render may replace the
        element between a find and a read (selenium's stale element)."""
        return driver.execute_script(
            "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
            css, name)

    # drag the cutoff slider: the cell renders again and the new player replaces the old
    handle = driver.find_element(By.CSS_SELECTOR, f"{cell_css} .agraph-param-cutoff .ui-slider-handle")
    ActionChains(driver).click_and_hold(handle).move_by_offset(40, 0).move_by_offset(40, 0).release().perform()
    wait_for("a re-render", lambda: attr(f"{cell_css} .agraph-status", "data-renders") not in ("1", None), 30)
    player_css = f"{cell_css} .widget-area audio.agraph-player"
    check(wait_for("a new player", lambda: attr(player_css, "src") not in (first_src, None), 30),
          "the player holds a new sound after the slider moved")
    check(attr(player_css, "autoplay") is not None, "the re-rendered sound plays by itself")
    labels = wait_for("the labels", lambda: driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText);",
        f"{cell_css} .widget-area .widget-label"), 30)
    readout = [t for t in labels if t.endswith("(Hz)")]
    check(len(readout) == 1 and readout[0] != "800 (Hz)", f"the cutoff's readout moved off 800 Hz ({labels})")
    # the drag's moves come a selenium round trip apart, some longer than the debounce: the count
    # depends on timing (tests/notebook/check_notebooks.py checks the debounce itself); it settles
    seen, stable_since = None, time.monotonic()
    while time.monotonic() - stable_since < 1.0:
        now = attr(f"{cell_css} .agraph-status", "data-renders")
        if now != seen:
            seen, stable_since = now, time.monotonic()
        time.sleep(0.05)
    check(2 <= int(seen) <= 4, f"one drag: {seen} renders in all, then quiet")
    check(driver.execute_script("return Jupyter.notebook.kernel.is_connected()"), "the kernel is alive")

    # the round trip: run the cell, until its player is in the page (median of 5)
    measure = """
        const [index, text, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
        const cell = Jupyter.notebook.get_cell(index);
        cell.set_text(text);
        // widgets (ipywidgets 6) live in the cell's widget area, beside its output area
        const root = cell.element[0];
        const old = new Set(root.querySelectorAll('audio.agraph-player'));
        let finished = false;
        const finish = (v) => { if (!finished) { finished = true; done(v); } };
        const t0 = performance.now();
        const poll = () => {
            const a = [...root.querySelectorAll('audio.agraph-player')].find(e => !old.has(e) && e.isConnected);
            if (a) finish(performance.now() - t0); else if (!finished) requestAnimationFrame(poll);
        };
        Jupyter.notebook.execute_cells([index]);
        setTimeout(poll, 0);
        setTimeout(() => finish(-1), 60000);"""
    source = driver.execute_script(f"return Jupyter.notebook.get_cell({index}).get_text()")
    first, body = source.split("\n", 1)
    figures = {}
    for label, head, edit in (("cached, no plots", first + " --no-plots", False),
                              ("cached, with plots", first, False),
                              ("compiled, no plots", first + " --no-plots", True),
                              ("compiled, with plots", first, True)):
        times = []
        for k in range(6):
            text = head + "\n" + body + (f"\n// edit {time.time()} {k}" if edit else "")
            ms = driver.execute_async_script(measure, index, text)
            check(ms > 0, f"round trip {label}: the player appeared")
            if k:                       # the first run of each warms a cache entry or an import
                times.append(ms)
        figures[label] = statistics.median(times)
        print(f"round trip, {label}: median of 5 {figures[label]:.0f} ms ({', '.join(f'{t:.0f}' for t in times)})")
    with open(os.path.join(scratch, "roundtrip.json"), "w") as f:
        json.dump(figures, f)

check.done("browser")
