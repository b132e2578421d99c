# live.py — `%%agraph --live`: the compiled program runs as its own process on the sound card
# (`prog --live --control FILE`), so no Python is on the audio path. Sliders write parameters into
# its shared-memory control block and a view thread reads probes and counters from it at 10 Hz or
# more; neither ever makes the audio thread wait (control.py, docs/runtime.md).
import html
import json
import math
import os
import signal
import subprocess
import threading
import time

import numpy as np

from .control import Control
from .display import param_controls
from .program import RenderError, format_value

DEFAULT_BLOCK = 1024      # frames: 21 ms at 48 kHz, enough to ride out a 6-8 ms stall of a VM
START_TIMEOUT = 10.0      # s for the program to open its stream
VIEW_RATE = 15.0          # redraws per second

_running = {}             # name -> LiveRun


class LiveError(RuntimeError):
    def _render_traceback_(self):
        return str(self).split("\n")


def _die_with_kernel():
    """In the child before exec: SIGTERM when the kernel dies, even by SIGKILL (Linux), so a
    crashed kernel leaves no program playing (the runtime stops cleanly on SIGTERM)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)     # PR_SET_PDEATHSIG
    except Exception:
        pass


def _shm_dir():
    return "/dev/shm" if os.path.isdir("/dev/shm") else os.environ.get("TMPDIR", "/tmp")


class LiveRun:
    """One program running live. .control is its Control; .stop() ends it and returns its final
    statistics (a dict, from --stats json)."""

    def __init__(self, program, params=None, block=DEFAULT_BLOCK, device=None, client_name=None,
                 sr=None, extra=()):
        self.program = program
        self.name = client_name or program.name
        self.control_path = os.path.join(_shm_dir(), f"agraph-{os.getpid()}-{self.name}.control")
        try:
            os.unlink(self.control_path)
        except FileNotFoundError:
            pass
        cmd = [program.path, "--live", "--control", self.control_path, "--quiet", "--stats", "json",
               "--client-name", self.name]
        if block:
            cmd += ["--block", str(int(block))]
        if device is not None:
            cmd += ["--device", str(device)]
        if sr:
            cmd += ["--sr", str(sr)]
        cmd += program.param_args(params) + list(extra)
        # The program stays in the kernel's process group: interrupting the kernel (SIGINT to the
        # group) stops it cleanly, as Ctrl-C would.
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, preexec_fn=_die_with_kernel)
        self.stats, self.view = None, None
        until = time.monotonic() + START_TIMEOUT
        self.control = None
        while time.monotonic() < until:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().strip()
                raise LiveError(f"'{program.name}' could not start live: {err or f'status {self.proc.returncode}'}")
            if os.path.exists(self.control_path):
                if self.control is None:
                    self.control = Control(self.control_path)
                if self.control.status == "running":
                    break
            time.sleep(0.01)
        else:
            self._kill()
            raise LiveError(f"'{program.name}' did not start its audio stream within {START_TIMEOUT:g} s")

    @property
    def alive(self):
        return self.proc.poll() is None

    def values(self):
        return {p["name"]: self.control.get(p["name"]) for p in self.program.params}

    def set(self, name, value, wait=False):
        self.control.set(name, value, wait=wait)

    def probe(self, name):
        return self.control.probe(name)

    def counters(self):
        c = self.control
        return {"blocks": c.blocks, "frames": c.frames, "underruns": c.underruns,
                "overruns": c.overruns, "callback_max_us": c.callback_max_ns / 1000.0}

    def _kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self, timeout=5.0):
        if self.view is not None:
            self.view.stop()
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(2)
                except subprocess.TimeoutExpired:
                    self._kill()
        out = self.proc.stdout.read() if self.proc.stdout else ""
        for line in out.splitlines()[::-1]:
            if line.startswith("{"):
                try:
                    self.stats = json.loads(line)
                except ValueError:
                    pass
                break
        self.stderr = self.proc.stderr.read() if self.proc.stderr else ""
        if self.control is not None:
            self.control.close()
            self.control = None
        try:
            os.unlink(self.control_path)
        except FileNotFoundError:
            pass
        if _running.get(self.name) is self:
            del _running[self.name]
        return self.stats


def start(program, params=None, keep=True, **kwargs):
    """Run program live under its name; a program already running under that name is stopped
    first, and (keep) its parameter values carry over where the new program has them."""
    name = kwargs.get("client_name") or program.name
    values = dict(params or {})
    old = _running.get(name)
    if old is not None:
        if keep and old.alive and old.control is not None:
            # what a person set (a value away from the old default) carries over, clamped to the
            # new range; a default edited in the source takes effect where nobody moved a slider
            kept = old.values()
            defaults = {p["name"]: p["default"] for p in old.program.params}
            for p in program.params:
                n = p["name"]
                if n in kept and n not in values and kept[n] != defaults.get(n):
                    values[n] = min(max(kept[n], p["min"]), p["max"])
        old.stop()
    run = LiveRun(program, values, **kwargs)
    _running[name] = run
    return run


def stop(name=None):
    """Stop one live program by name, or all of them; returns {name: stats}."""
    names = [name] if name else list(_running)
    if name and name not in _running:
        raise LiveError(f"no live program named '{name}' (running: {', '.join(_running) or 'none'})")
    return {n: _running[n].stop() for n in names}


def running():
    return dict(_running)


# ---- the live view ------------------------------------------------------------------------------

def _meter_svg(name, value, width=320):
    db = 20 * math.log10(max(abs(value), 1e-9))
    frac = min(max((db + 60) / 60, 0.0), 1.0)
    color = "#c33" if db > -1 else "#3a3"
    return (f"<div><svg width='{width}' height='14'><rect width='{width}' height='14' fill='#eee'/>"
            f"<rect class='agraph-meter' width='{frac * width:.1f}' height='14' fill='{color}'/></svg> "
            f"<code>{html.escape(name)} {value:.4g} ({db:.1f} dB)</code></div>")


def _spectrum_svg(name, values, sr, width=480, height=140):
    v = np.asarray(values, dtype=np.float64)
    n = len(v)
    db = 20 * np.log10(np.maximum(np.abs(v), 1e-9))
    y = height - np.clip((db + 100) / 100, 0, 1) * height
    # log frequency axis from the first bin up: the way a person hears it
    k = np.arange(1, n)
    x = np.log(k) / math.log(max(n - 1, 2)) * width
    pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(x, y[1:]))
    peak = int(np.argmax(v[1:]) + 1) if n > 1 else 0
    hz = peak * sr / (2 * (n - 1)) if n > 1 else 0
    return (f"<div><svg class='agraph-spectrum' width='{width}' height='{height}'>"
            f"<rect width='{width}' height='{height}' fill='#111'/>"
            f"<polyline fill='none' stroke='#6cf' stroke-width='1' points='{pts}'/></svg><br/>"
            f"<code>{html.escape(name)}: peak at bin {peak} (~{hz:.0f} Hz), {db[peak]:.1f} dB</code></div>")


class LiveView:
    """Sliders that write the control block, and meters, spectra and counters redrawn from it at
    `rate` Hz by a thread of the kernel (the audio runs elsewhere and never waits for it)."""

    def __init__(self, run, rate=VIEW_RATE, spectrogram=False):
        import ipywidgets as w
        self.run, self.rate = run, rate
        self.controls = param_controls(run.program, run.values())
        for c in self.controls:
            c.on_change(lambda name, v: run.control and run.set(name, v))
        self.scope = w.HTML(value="")
        self.spectrogram = spectrogram and any(p["width"] > 1 for p in run.program.probes)
        self.image = w.Image(format="png") if self.spectrogram else None
        self._rows = []
        self.status = w.HTML(value="")
        self.box = w.VBox([c.widget for c in self.controls] + [self.scope]
                          + ([self.image] if self.image else []) + [self.status])
        self.redraws = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True, name=f"agraph-view-{run.name}")
        run.view = self
        self._thread.start()

    def _ipython_display_(self, **kwargs):
        self.box._ipython_display_(**kwargs)

    def draw(self):
        run = self.run
        c = run.control
        if c is None:
            return
        parts = []
        sr = c.sample_rate
        for p in run.program.probes:
            v = c.probe(p["name"])
            if p["width"] == 1:
                parts.append(_meter_svg(p["name"], v[0]))
            else:
                parts.append(_spectrum_svg(p["name"], v, sr))
                if self.image is not None:
                    self._rows.append(np.asarray(v, dtype=np.float32))
        self.scope.value = "".join(parts)
        if self.image is not None and self._rows:
            self._rows = self._rows[-200:]
            self.image.value = _spectrogram_png(np.array(self._rows))
        k = run.counters()
        self.redraws += 1
        self.status.value = (f"<code class='agraph-live-status'>{html.escape(run.name)}: {c.status}, "
                             f"{k['frames'] / max(sr, 1):.1f} s, {k['blocks']} blocks of {c.block or 'host'} "
                             f"frames at {sr:g} Hz, underruns {k['underruns']}, overruns {k['overruns']}, "
                             f"callback max {k['callback_max_us']:.0f} us, redraw {self.redraws}</code>")

    def _loop(self):
        period = 1.0 / self.rate
        nxt = time.monotonic()
        while not self._stop.is_set():
            if not self.run.alive:
                try:
                    self.draw()
                except Exception:
                    pass
                self.status.value += " <b>stopped</b>"
                return
            try:
                self.draw()
            except Exception as e:          # a view that fails says so and stops; audio goes on
                self.status.value = f"<b style='color:#b00'>live view stopped: {html.escape(str(e))}</b>"
                return
            nxt += period
            delay = nxt - time.monotonic()
            if delay < 0:
                nxt = time.monotonic()
            else:
                self._stop.wait(delay)

    def stop(self):
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(2)


def _spectrogram_png(rows):
    """A small PNG (rows over time, bins up) written directly with zlib: drawing it with matplotlib
    ten times a second would cost more than the rest of the view."""
    import struct
    import zlib
    db = 20 * np.log10(np.maximum(np.abs(rows.astype(np.float64)), 1e-9))
    g = (np.clip((db + 100) / 100, 0, 1) * 255).astype(np.uint8).T[::-1]   # (bins, time), low bins at the bottom
    h, w = g.shape
    raw = b"".join(b"\x00" + g[i].tobytes() for i in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 1)) + chunk(b"IEND", b""))


__all__ = ["LiveRun", "LiveView", "LiveError", "start", "stop", "running", "format_value", "RenderError"]
