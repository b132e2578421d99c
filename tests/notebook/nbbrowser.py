# nbbrowser.py — what the browser checks share: a classic notebook server (jupyter-notebook 6.4) on
# 127.0.0.1 with a token, headless Chromium driven by selenium with the notebook open and its
# kernel connected, and, whatever happens, the page saved on failure, Chromium closed and the
# server stopped by its pid.
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

import nbrun


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, fn, timeout=60, every=0.05):
    """fn() until it returns something true (exceptions count as not yet); TimeoutError after timeout s."""
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


def _chromium(profile):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
              f"--user-data-dir={profile}", "--autoplay-policy=no-user-gesture-required", "--window-size=1280,1600"):
        opts.add_argument(a)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.set_script_timeout(90)
    return driver


def _save_failure(driver, scratch):
    """What the page showed, for whoever reads the failure."""
    driver.save_screenshot(os.path.join(scratch, "failure.png"))
    with open(os.path.join(scratch, "failure.html"), "w") as f:
        f.write(driver.page_source)
    print("browser console:", driver.get_log("browser")[-20:] if hasattr(driver, "get_log") else "")
    print(f"the page is in {scratch}/failure.html and failure.png")


@contextlib.contextmanager
def open_notebook(scratch, notebook, on_server=None):
    """Serve a copy of notebooks/NOTEBOOK from SCRATCH and open it in Chromium; yields the driver
    once the kernel is connected. on_server(env), if given, runs while the server starts (with the
    server's Jupyter environment)."""
    nbdir = os.path.join(scratch, "nb")
    os.makedirs(nbdir, exist_ok=True)
    shutil.copy(os.path.join(nbrun.ROOT, "notebooks", notebook), nbdir)
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=os.path.join(scratch, "runtime"),
               JUPYTER_CONFIG_DIR=os.path.join(scratch, "config"), JUPYTER_DATA_DIR=os.path.join(scratch, "data"))
    token = "agraph-test-" + os.urandom(6).hex()
    port = free_port()
    log = open(os.path.join(scratch, "notebook.log"), "w")
    server = subprocess.Popen(["/usr/bin/python3", "-m", "notebook", "--no-browser", "--ip=127.0.0.1",
                               f"--port={port}", "--port-retries=0", f"--NotebookApp.token={token}",
                               f"--notebook-dir={nbdir}", "--NotebookApp.open_browser=False", "--allow-root"],
                              stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    driver = None
    try:
        if on_server:
            on_server(env)
        wait_for("the notebook server", lambda: socket.create_connection(("127.0.0.1", port), 0.2).close() or True, 30)
        driver = _chromium(tempfile.mkdtemp(prefix="chromium-", dir=scratch))
        driver.get(f"http://127.0.0.1:{port}/notebooks/{notebook}?token={token}")
        wait_for("the notebook and its kernel", lambda: driver.execute_script(
            "return window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()"), 60)
        yield driver
    except Exception:
        if driver is not None:
            _save_failure(driver, scratch)
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
