# program.py — a compiled agraph program seen from Python: its parameters and probes (the
# executable's --info JSON), and offline renders to numpy arrays. A render runs the executable on
# temporary files (a float WAV in and out, probes as .npy), so the DSP is exactly what the command
# line and live mode run.
import os
import re
import shutil
import subprocess
import tempfile

import numpy as np

from .compile import COMPILE_TIMEOUT, CompileError, compile_executable

RENDER_TIMEOUT = 120.0
DEFAULT_SR = 48000

# Units the runtime knows, as (dimension, factor to the dimension's base unit).
_UNITS = {"hz": ("freq", 1.0), "khz": ("freq", 1000.0), "s": ("time", 1.0), "ms": ("time", 1e-3),
          "db": ("gain", 1.0), "": ("plain", 1.0)}


class RenderError(RuntimeError):
    """The executable refused or failed a render; the message is its own error line."""

    def _render_traceback_(self):
        return str(self).split("\n")


def to_unit(value, unit):
    """A parameter value (a number, or text with a unit such as '2kHz') in the parameter's unit."""
    if isinstance(value, (int, float, np.floating, np.integer, bool)):
        return float(value)
    m = re.fullmatch(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]*)\s*", str(value))
    if not m:
        if str(value).strip().lower() in ("on", "off"):
            return 1.0 if str(value).strip().lower() == "on" else 0.0
        raise ValueError(f"'{value}' is not a number with an optional unit")
    number, given = float(m[1]), m[2].lower()
    want = unit.lower()
    if given == "" or given == want:
        return number
    if given not in _UNITS or want not in _UNITS or _UNITS[given][0] != _UNITS[want][0]:
        raise ValueError(f"'{value}' is not in the unit of the parameter ({unit or 'a plain number'})")
    return number * _UNITS[given][1] / _UNITS[want][1]


def format_value(value, unit):
    """A value the way the runtime's --param takes it: 2000 with unit Hz is '2000Hz'."""
    return f"{value:.9g}{unit}"


def write_wav(path, audio, sr):
    """A 32-bit float WAV (WAVE_FORMAT_IEEE_FLOAT) of audio shaped (frames,) or (frames, ch)."""
    a = np.asarray(audio, dtype="<f4")
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"audio must be (frames,) or (frames, channels), not {a.shape}")
    frames, ch = a.shape
    data = np.ascontiguousarray(a).tobytes()
    fmt = (3).to_bytes(2, "little") + ch.to_bytes(2, "little") + int(sr).to_bytes(4, "little") \
        + (int(sr) * 4 * ch).to_bytes(4, "little") + (4 * ch).to_bytes(2, "little") \
        + (32).to_bytes(2, "little") + (0).to_bytes(2, "little")
    fact = b"fact" + (4).to_bytes(4, "little") + frames.to_bytes(4, "little")
    body = b"WAVE" + b"fmt " + len(fmt).to_bytes(4, "little") + fmt + fact \
        + b"data" + len(data).to_bytes(4, "little") + data
    with open(path, "wb") as f:
        f.write(b"RIFF" + len(body).to_bytes(4, "little") + body)


def read_wav(path):
    """(audio (frames, channels) float32, sample rate) of a 32-bit float WAV the runtime wrote."""
    raw = open(path, "rb").read()
    if raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise RenderError(f"{path} is not a WAV file")
    at, ch, sr, bits, fmt_tag, data = 12, 1, DEFAULT_SR, 32, 3, None
    while at + 8 <= len(raw):
        cid, size = raw[at:at + 4], int.from_bytes(raw[at + 4:at + 8], "little")
        body = raw[at + 8:at + 8 + size]
        if cid == b"fmt ":
            fmt_tag = int.from_bytes(body[0:2], "little")
            ch = int.from_bytes(body[2:4], "little")
            sr = int.from_bytes(body[4:8], "little")
            bits = int.from_bytes(body[14:16], "little")
            if fmt_tag == 0xFFFE:                    # WAVE_FORMAT_EXTENSIBLE: the sub-format
                fmt_tag = int.from_bytes(body[24:26], "little")
        elif cid == b"data":
            data = body
        at += 8 + size + (size & 1)
    if data is None or fmt_tag != 3 or bits != 32:
        raise RenderError(f"{path}: expected 32-bit float WAV data")
    a = np.frombuffer(data, dtype="<f4")
    return a[: len(a) // ch * ch].reshape(-1, ch).copy(), sr


def _audio_of(source):
    """(array, sr or None) from an ndarray, a Result or anything with .audio and .sr."""
    if hasattr(source, "audio") and hasattr(source, "sr"):
        return np.asarray(source.audio), source.sr
    return np.asarray(source), None


class Result:
    """What a render made: audio (frames, channels) float32, sr, probes (a numpy record array with
    'frame', 'time' and one field per probe, or None), params (the values used) and the program."""

    def __init__(self, program, audio, sr, probes, params):
        self.program, self.audio, self.sr, self.probes, self.params = program, audio, sr, probes, params

    @property
    def duration(self):
        return len(self.audio) / self.sr if self.audio is not None else 0.0

    def __repr__(self):
        shape = None if self.audio is None else self.audio.shape
        return (f"<agraph.Result of '{self.program.name}': audio {shape} at {self.sr} Hz, "
                f"probes {list(self.probes.dtype.names[2:]) if self.probes is not None else []}>")


class Program:
    """A compiled program: .path (the executable), .name, .inputs, .outputs (channel names),
    .params (dicts as --list-params), .probes (dicts: name, width), .source."""

    def __init__(self, source, path, info, cached=False):
        self.source, self.path, self.cached = source, path, cached
        self.name = info["name"]
        self.inputs, self.outputs = info["inputs"], info["outputs"]
        self.params, self.probes = info["params"], info["probes"]

    def __repr__(self):
        return (f"<agraph.Program '{self.name}': inputs {self.inputs}, outputs {self.outputs}, "
                f"params {[p['name'] for p in self.params]}, probes {[p['name'] for p in self.probes]}>")

    def param(self, name):
        for p in self.params:
            if p["name"] == name:
                return p
        known = ", ".join(p["name"] for p in self.params) or "none"
        raise KeyError(f"'{self.name}' has no parameter '{name}' (its parameters: {known})")

    def param_args(self, params):
        """--param arguments for a dict of values (numbers in the parameter's unit, or text)."""
        args = []
        for name, value in (params or {}).items():
            p = self.param(name)
            v = value if isinstance(value, str) else format_value(float(value), p["unit"])
            args += ["--param", f"{name}={v}"]
        return args

    def render(self, duration=None, input=None, sr=None, params=None, tail=None, probes=True,
               probe_interval=None, timeout=RENDER_TIMEOUT):
        """Render offline. duration: seconds, or text the runtime takes ('2s', '500ms', '96000');
        input: an ndarray (frames[, channels]), a Result, a sound file's path, or a list of these
        (one per input file); sr: the rate of a generator, or of an ndarray input (default 48000);
        params: {name: value}. Returns a Result."""
        tmp = tempfile.mkdtemp(prefix="agraph-render-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
        try:
            cmd = [self.path, "--quiet"]
            rate = sr
            sources = input if isinstance(input, (list, tuple)) else ([] if input is None else [input])
            if self.inputs and not sources:
                raise RenderError(f"'{self.name}' has inputs ({', '.join(self.inputs)}): give it "
                                  "input= (a numpy array, an earlier result or a sound file)")
            if sources and not self.inputs:
                raise RenderError(f"'{self.name}' is a generator (it has no inputs): give it a "
                                  "duration, not an input")
            for k, s in enumerate(sources):
                if isinstance(s, (str, os.PathLike)):
                    if not os.path.exists(s):
                        raise RenderError(f"the input file '{s}' does not exist")
                    cmd += ["-i", os.fspath(s)]
                    continue
                a, a_sr = _audio_of(s)
                in_sr = a_sr or sr or DEFAULT_SR
                if rate is not None and in_sr != rate and a_sr is not None:
                    raise RenderError(f"input {k} is at {in_sr} Hz but the render is at {rate} Hz")
                rate = in_sr
                path = os.path.join(tmp, f"in{k}.wav")
                write_wav(path, a, in_sr)
                cmd += ["-i", path]
            if not sources:
                if duration is None:
                    raise RenderError(f"'{self.name}' is a generator: give it a duration")
                cmd += ["--sr", str(int(rate or DEFAULT_SR))]
            if duration is not None:
                cmd += ["--duration", f"{duration:g}s" if isinstance(duration, (int, float)) else str(duration)]
            if tail is not None:
                cmd += ["--tail", f"{tail:g}s" if isinstance(tail, (int, float)) else str(tail)]
            cmd += self.param_args(params)
            out = os.path.join(tmp, "out.wav") if self.outputs else None
            if out:
                cmd += ["-o", out]
            probe_file = os.path.join(tmp, "probes.npy") if self.probes and probes else None
            if probe_file:
                cmd += ["--probe-out", probe_file]
                if probe_interval is not None:
                    cmd += ["--probe-interval", f"{probe_interval:g}s"
                            if isinstance(probe_interval, (int, float)) else str(probe_interval)]
            try:
                r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                   timeout=timeout)
            except subprocess.TimeoutExpired:
                raise RenderError(f"rendering '{self.name}' took longer than {timeout:g} s") from None
            if r.returncode != 0:
                raise RenderError(r.stderr.strip() or f"'{self.name}' failed ({r.returncode})")
            audio, got_sr = read_wav(out) if out else (None, rate or DEFAULT_SR)
            pr = np.load(probe_file) if probe_file else None
            used = {p["name"]: p["default"] for p in self.params}
            for name, value in (params or {}).items():
                used[name] = to_unit(value, self.param(name)["unit"])
            return Result(self, audio, got_sr, pr, used)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def compile(source, name="cell", first_line=1, timeout=COMPILE_TIMEOUT, double=False):
    """Compile agraph source text into a Program (cached by its hash). A compile error raises
    CompileError; its text has the line numbers of source counted from first_line."""
    exe, info, cached = compile_executable(source, name=name, first_line=first_line,
                                           timeout=timeout, options=("--double",) if double else ())
    return Program(source, exe, info, cached)


__all__ = ["compile", "Program", "Result", "CompileError", "RenderError", "write_wav", "read_wav",
           "to_unit"]
