# check_browser.py — the getting-started notebook in a real browser: a classic notebook server
# (jupyter-notebook 6.4) on 127.0.0.1 and headless Chromium driven by selenium open it, run the
# %%agraph cell, see the player and the sliders (ipywidgets rendered by the widgets nbextension),
# drag a slider and see the re-render arrive (a new player, a new status line). It also measures
# the cell's round trip, run to player shown, median of 5 (printed, never asserted).
#   /usr/bin/python3 tests/notebook/check_browser.py SCRATCH_DIR
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nbrun  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

scratch = os.path.abspath(sys.argv[1])
nbrun.kernel_env(os.path.join(scratch, "cache"))
check = nbrun.Checks()
TOKEN = "agraph-test-" + os.urandom(6).hex()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, fn, timeout=60, every=0.05):
    until = time.monotonic() + timeout
    while True:
        try:
            v = fn()
        except Exception:
            v = None
        if v:
            return v
        if time.monotonic() > until:
            raise TimeoutError(f"waited {timeout} s for {what}")
        time.sleep(every)


# the notebook server, on loopback only, stopped by its pid
nbdir = os.path.join(scratch, "nb")
os.makedirs(nbdir, exist_ok=True)
shutil.copy(os.path.join(nbrun.ROOT, "notebooks", "getting_started.ipynb"), nbdir)
env = dict(os.environ, JUPYTER_RUNTIME_DIR=os.path.join(scratch, "runtime"),
           JUPYTER_CONFIG_DIR=os.path.join(scratch, "config"), JUPYTER_DATA_DIR=os.path.join(scratch, "data"))
port = free_port()
log = open(os.path.join(scratch, "notebook.log"), "w")
server = subprocess.Popen(["/usr/bin/python3", "-m", "notebook", "--no-browser", "--ip=127.0.0.1",
                           f"--port={port}", "--port-retries=0", f"--NotebookApp.token={TOKEN}",
                           f"--notebook-dir={nbdir}", "--NotebookApp.open_browser=False", "--allow-root"],
                          stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
profile = tempfile.mkdtemp(prefix="chromium-", dir=scratch)
driver = None
try:
    # the widgets nbextension must be enabled for classic notebook to render sliders
    out = subprocess.run(["/usr/bin/python3", "-m", "notebook.nbextensions", "list"], capture_output=True,
                         text=True, env=env)
    listing = out.stdout + out.stderr
    check("jupyter-js-widgets/extension" in listing and "enabled" in listing,
          f"the ipywidgets nbextension is enabled:\n{listing}")
    wait_for("the notebook server", lambda: socket.create_connection(("127.0.0.1", port), 0.2).close() or True, 30)

    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
              f"--user-data-dir={profile}", "--autoplay-policy=no-user-gesture-required", "--window-size=1280,1600"):
        opts.add_argument(a)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.set_script_timeout(90)
    driver.get(f"http://127.0.0.1:{port}/notebooks/getting_started.ipynb?token={TOKEN}")
    wait_for("the notebook and its kernel", lambda: driver.execute_script(
        "return window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()"), 60)

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

    # drag the cutoff slider: the cell renders again and the new player replaces the old
    handle = driver.find_element(By.CSS_SELECTOR, f"{cell_css} .agraph-param-cutoff .ui-slider-handle")
    ActionChains(driver).click_and_hold(handle).move_by_offset(40, 0).move_by_offset(40, 0).release().perform()
    wait_for("a re-render", lambda: driver.find_element(By.CSS_SELECTOR, f"{cell_css} .agraph-status")
             .get_attribute("data-renders") not in ("1", None), 30)
    new_player = driver.find_element(By.CSS_SELECTOR, f"{cell_css} .widget-area audio.agraph-player")
    check(new_player.get_attribute("src") != first_src, "the player holds a new sound after the slider moved")
    check(new_player.get_attribute("autoplay") is not None, "the re-rendered sound plays by itself")
    labels = [e.text for e in driver.find_elements(By.CSS_SELECTOR, f"{cell_css} .widget-area .widget-label")]
    readout = [t for t in labels if t.endswith("(Hz)")]
    check(len(readout) == 1 and readout[0] != "800 (Hz)", f"the cutoff's readout moved off 800 Hz ({labels})")
    # the drag's moves come a selenium round trip apart, some longer than the debounce: the count
    # depends on timing (tests/notebook/check_notebooks.py checks the debounce itself); it settles
    seen, stable_since = None, time.monotonic()
    while time.monotonic() - stable_since < 1.0:
        now = driver.find_element(By.CSS_SELECTOR, f"{cell_css} .agraph-status").get_attribute("data-renders")
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
except Exception:
    if driver is not None:          # what the page showed, for whoever reads the failure
        driver.save_screenshot(os.path.join(scratch, "failure.png"))
        with open(os.path.join(scratch, "failure.html"), "w") as f:
            f.write(driver.page_source)
        print("browser console:", driver.get_log("browser")[-20:] if hasattr(driver, "get_log") else "")
        print(f"the page is in {scratch}/failure.html and failure.png")
    raise
finally:
    if driver is not None:
        driver.quit()
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    log.close()

check.done("browser")
