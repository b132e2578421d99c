"""wasm_render.py — renders agraph programs built with `agraphc --emit-wasm` in headless Chromium,
through an OfflineAudioContext, the way a notebook page would load them (the wrapper's text and
the module's bytes as base64, no other files).
    /usr/bin/python3 tests/browser/wasm_render.py JOBS.json
JOBS.json is a list of renders: {"wasm": "x.wasm", "js": "x.js", "frames": N, "sample_rate": 48000,
"input": "in.f32" (interleaved float32, optional), "params": {name: value}, "messages":
[{"name": ..., "value": ...}], "late": {"at": seconds, "name": ..., "value": ...}, "out": "out.f32"}.
Each output is written as interleaved float32; a line per render on stdout says what the
processor answered. The page is served from a loopback http server (AudioWorklet needs a secure
context, which http://127.0.0.1 is) that this script starts and stops by its pid."""
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def b64(path):
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode()


def main():
    jobs = json.load(open(sys.argv[1]))
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", HERE], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    driver = None
    profile = tempfile.mkdtemp(prefix="agraph-chromium-")
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        opts = webdriver.ChromeOptions()
        opts.binary_location = "/usr/bin/chromium"
        for a in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--user-data-dir=" + profile):
            opts.add_argument(a)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
        driver.set_script_timeout(60)
        driver.get("http://127.0.0.1:%d/wasm_page.html" % port)
        for job in jobs:
            spec = {
                "js": open(job["js"]).read(),
                "wasm": b64(job["wasm"]),
                "input": b64(job["input"]) if job.get("input") else None,
                "frames": job["frames"],
                "sampleRate": job.get("sample_rate", 48000),
                "params": job.get("params", {}),
                "messages": job.get("messages", []),
                "late": job.get("late"),
            }
            res = driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "agraphRender(arguments[0]).then(done, (e) => done({error: String((e && e.stack) || e)}));", spec)
            if "error" in res:
                print("render of %s failed in the page: %s" % (job["wasm"], res["error"]), file=sys.stderr)
                return 1
            with open(job["out"], "wb") as f:
                f.write(base64.b64decode(res["output"]))
            print(json.dumps({"wasm": os.path.basename(job["wasm"]), "answers": res["answers"],
                              "probe": (res["probe"] or {}).get("values", [])[:4]}))
        return 0
    finally:
        if driver:
            driver.quit()
        server.terminate()
        server.wait()
        subprocess.run(["rm", "-rf", profile])


if __name__ == "__main__":
    sys.exit(main())
