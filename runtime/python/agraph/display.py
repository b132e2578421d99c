# display.py — what an offline %%agraph cell shows: an audio player, a waveform and a spectrogram
# (matplotlib, drawn on an Agg canvas without pyplot, so no GUI backend is involved), probe plots,
# and sliders for the parameters that re-render and replay when moved (debounced, in a thread, so
# the kernel stays free to receive more slider moves meanwhile).
import base64
import html
import io
import math
import threading
import time

import numpy as np

from .program import to_unit

DEBOUNCE_S = 0.15          # re-render this long after the last slider move
SLIDER_STEPS = 1000


# ---- audio --------------------------------------------------------------------------------------

def wav_bytes(audio, sr):
    """16-bit PCM WAV bytes for the browser's player (half the size of float; clipped, not
    normalised, so what you hear is the level the program made)."""
    a = np.asarray(audio, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    pcm = (np.clip(np.nan_to_num(a), -1.0, 1.0) * 32767.0).round().astype("<i2")
    frames, ch = pcm.shape
    data = pcm.tobytes()
    fmt = (1).to_bytes(2, "little") + ch.to_bytes(2, "little") + int(sr).to_bytes(4, "little") \
        + (int(sr) * 2 * ch).to_bytes(4, "little") + (2 * ch).to_bytes(2, "little") + (16).to_bytes(2, "little")
    body = b"WAVE" + b"fmt " + len(fmt).to_bytes(4, "little") + fmt + b"data" \
        + len(data).to_bytes(4, "little") + data
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def player_html(audio, sr, autoplay=False, tag=""):
    """An <audio> element with the sound inline (a data: URL), so a saved notebook keeps it."""
    if audio is None or len(audio) == 0:
        return "<i>(the program has no audio outputs)</i>"
    src = base64.b64encode(wav_bytes(audio, sr)).decode("ascii")
    peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
    clip = " <b style='color:#b00'>clipped</b>" if peak > 1.0 else ""
    return (f"<audio class='agraph-player' data-render='{html.escape(tag)}' controls"
            f"{' autoplay' if autoplay else ''} src='data:audio/wav;base64,{src}'></audio>"
            f"<span style='font-size:smaller'> {len(audio) / sr:.2f} s at {sr} Hz, "
            f"{audio.shape[1]} ch, peak {20 * math.log10(max(peak, 1e-12)):.1f} dBFS{clip}</span>")


# ---- plots --------------------------------------------------------------------------------------

def plot_png(result, spectrogram=True, probes=True, width=9.0, dpi=72):
    """PNG bytes: the waveform, the spectrogram of the first channel, and each probe over time."""
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    audio, sr = result.audio, result.sr
    probe_names = list(result.probes.dtype.names[2:]) if probes and result.probes is not None \
        and len(result.probes) else []
    rows = (1 if audio is not None else 0) + (1 if spectrogram and audio is not None else 0) + len(probe_names)
    if rows == 0:
        return None
    fig = Figure(figsize=(width, 1.9 * rows), dpi=dpi)
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, 1, squeeze=False)[:, 0]
    k = 0
    if audio is not None:
        t = np.arange(len(audio)) / sr
        ax = axes[k]
        k += 1
        step = max(1, len(audio) // 4000)       # draw the envelope of long sounds, not every sample
        for c in range(audio.shape[1]):
            x = audio[:, c]
            if step > 1:
                n = len(x) // step * step
                blocks = x[:n].reshape(-1, step)
                tt = t[:n:step]
                ax.fill_between(tt, blocks.min(axis=1), blocks.max(axis=1), lw=0, alpha=0.8)
            else:
                ax.plot(t, x, lw=0.8)
        ax.set_xlim(0, max(t[-1], 1 / sr) if len(t) else 1)
        ax.set_ylabel("amplitude")
        ax.set_title("waveform", fontsize=9, loc="left")
        if spectrogram:
            ax = axes[k]
            k += 1
            x = audio[:, 0].astype(np.float64)
            n = 1024 if len(x) >= 1024 else max(16, 1 << int(math.log2(max(len(x), 16))))
            hop = n // 4
            if len(x) < n:
                x = np.pad(x, (0, n - len(x)))
            frames = np.lib.stride_tricks.sliding_window_view(x, n)[::hop]
            spec = np.abs(np.fft.rfft(frames * np.hanning(n), axis=1)) / (n / 4)
            db = 20 * np.log10(np.maximum(spec, 1e-6)).T
            ax.imshow(db, origin="lower", aspect="auto", cmap="magma", vmin=-100, vmax=0,
                      extent=(0, len(x) / sr, 0, sr / 2000))
            ax.set_ylabel("kHz")
            ax.set_title("spectrogram (dBFS)", fontsize=9, loc="left")
    times = result.probes["time"] if probe_names else None
    for name in probe_names:
        ax = axes[k]
        k += 1
        v = result.probes[name]
        if v.ndim == 1:
            ax.plot(times, v, lw=1)
        else:
            db = 20 * np.log10(np.maximum(np.abs(v.astype(np.float64)), 1e-6)).T
            ax.imshow(db, origin="lower", aspect="auto", cmap="viridis",
                      extent=(times[0] if len(times) else 0, times[-1] if len(times) else 1, 0, v.shape[1]))
            ax.set_ylabel("bin")
        ax.set_title(f"probe {name}", fontsize=9, loc="left")
    axes[-1].set_xlabel("time (s)")
    fig.tight_layout(pad=0.4)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def img_html(png):
    return f"<img class='agraph-plot' src='data:image/png;base64,{base64.b64encode(png).decode('ascii')}'/>"


# ---- sliders ------------------------------------------------------------------------------------

class ParamControl:
    """One parameter as a widget: a slider (over log10 of the value for a log parameter, with the
    value shown beside it), or a checkbox for a toggle or button. .value is in the parameter's
    unit; on_change(callback(name, value)) fires on every move."""

    def __init__(self, param, value):
        import ipywidgets as w
        self.param = param
        self.log = param["scale"] == "log" and param["min"] > 0
        label = param.get("label") or param["name"]
        unit = f" ({param['unit']})" if param["unit"] else ""
        self._callbacks = []
        if param["kind"] in ("toggle", "button"):
            self.widget = self.slider = w.Checkbox(value=bool(value), description=label)
            self.readout = None
        else:
            lo, hi = param["min"], param["max"]
            if self.log:
                lo, hi, v = math.log10(lo), math.log10(hi), math.log10(value)
            else:
                v = value
            self.slider = w.FloatSlider(value=v, min=lo, max=hi, step=(hi - lo) / SLIDER_STEPS,
                                        description=label, readout=False, continuous_update=True,
                                        layout=w.Layout(width="480px"))
            self.readout = w.Label(value=self._text(value) + unit)
            self._unit = unit
            self.widget = w.HBox([self.slider, self.readout])
        self.slider.add_class("agraph-param-" + param["name"]) if hasattr(self.slider, "add_class") else None
        self.slider.observe(self._moved, names="value")

    def _text(self, v):
        return f"{v:.4g}"

    @property
    def value(self):
        if isinstance(self.slider.value, bool):
            return 1.0 if self.slider.value else 0.0
        return 10 ** self.slider.value if self.log else float(self.slider.value)

    @value.setter
    def value(self, v):
        if isinstance(self.slider.value, bool):
            self.slider.value = bool(v)
        else:
            self.slider.value = math.log10(v) if self.log else float(v)

    def on_change(self, callback):
        self._callbacks.append(callback)

    def _moved(self, change):
        v = self.value
        if self.readout is not None:
            self.readout.value = self._text(v) + self._unit
        for cb in self._callbacks:
            cb(self.param["name"], v)


def param_controls(program, values):
    return [ParamControl(p, values.get(p["name"], p["default"])) for p in program.params]


# ---- the offline view ----------------------------------------------------------------------------

class OfflineView:
    """The output of an offline cell: player, plots, sliders and a status line. A slider move
    re-renders (after DEBOUNCE_S of quiet) with the new values and replays; on_result(result) is
    called with each new Result (the magic rebinds the cell's variable with it)."""

    def __init__(self, program, result, render_args, plots=True, probes=True, autoplay=False,
                 on_result=None, plot_png_bytes=None):
        self.program, self.result, self.render_args = program, result, dict(render_args)
        self.plots, self.show_probes, self.autoplay, self.on_result = plots, probes, autoplay, on_result
        self.values = dict(result.params)
        self.renders = 1
        self._timer, self._lock = None, threading.Lock()
        self._running = self._pending = False
        self.error = None
        self._png = plot_png_bytes if plot_png_bytes is not None else (
            plot_png(result, probes=probes) if plots else None)
        self._widgets = None

    # a static form first: what nbconvert, nbviewer and a notebook without widgets show
    def static_html(self):
        parts = [player_html(self.result.audio, self.result.sr, self.autoplay, "1")]
        if self._png:
            parts.append("<br/>" + img_html(self._png))
        if self.program.params:
            rows = ", ".join(f"{p['name']} = {self.values[p['name']]:.4g}{p['unit']}" for p in self.program.params)
            parts.append(f"<div class='agraph-params'>{html.escape(rows)}</div>")
        return "\n".join(parts)

    def widgets(self):
        if self._widgets is None:
            import ipywidgets as w
            self.player = w.HTML(value=player_html(self.result.audio, self.result.sr, self.autoplay, "1"))
            self.image = w.Image(value=self._png, format="png") if self._png else None
            self.controls = param_controls(self.program, self.values)
            for c in self.controls:
                c.on_change(self._changed)
            self.status = w.HTML(value=self._status_text(None))
            items = [self.player] + ([self.image] if self.image else []) + [c.widget for c in self.controls] + [self.status]
            self._widgets = w.VBox(items)
        return self._widgets

    def _status_text(self, seconds):
        took = f", rendered in {seconds * 1000:.0f} ms" if seconds is not None else ""
        err = f" <b style='color:#b00'>{html.escape(self.error)}</b>" if self.error else ""
        return f"<span class='agraph-status' data-renders='{self.renders}'>render {self.renders}{took}</span>{err}"

    def _ipython_display_(self, **kwargs):
        # the widgets alone, as ipywidgets 6 displays them: classic notebook prefers text/html to
        # the widget view, so a fallback in the same bundle would hide the sliders
        self.widgets()._ipython_display_(**kwargs)

    # slider moves come in on the kernel's thread; renders happen on a timer's thread
    def _changed(self, name, value):
        self.values[name] = value
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(DEBOUNCE_S, self._rerender)
            self._timer.daemon = True
            self._timer.start()

    def _rerender(self):
        with self._lock:
            if self._running:            # a render is under way: it runs once more when done
                self._pending = True
                return
            self._running, self._pending = True, False
        while True:
            t0 = time.monotonic()
            try:
                result = self.program.render(params=dict(self.values), **self.render_args)
                self.error = None
            except Exception as e:         # shown in the status line; the kernel carries on
                result, self.error = None, str(e)
            if result is not None:
                self.result = result
                self.renders += 1
                self.player.value = player_html(result.audio, result.sr, True, str(self.renders))
                if self.image is not None:
                    self.image.value = plot_png(result, probes=self.show_probes)
                if self.on_result:
                    self.on_result(result)
            self.status.value = self._status_text(time.monotonic() - t0 if result is not None else None)
            with self._lock:
                if not self._pending:
                    self._running = False
                    return
                self._pending = False

    def set(self, **values):
        """Move sliders from code (as a person would): re-renders after the debounce."""
        for c in self.controls:
            if c.param["name"] in values:
                c.value = to_unit(values[c.param["name"]], c.param["unit"])

    def wait(self, timeout=10.0):
        """Wait until no re-render is due or running (for scripts and tests)."""
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            t = self._timer
            if (t is None or not t.is_alive()) and not self._running:
                return True
            time.sleep(0.01)
        return False
