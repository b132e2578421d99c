# agraph_control.py — set parameters and read probes of a live agraph program through its
# control block (`prog --live --control FILE`). Layout version 1, docs/runtime.md.
import mmap
import struct
import time

MAGIC, VERSION = 0x43524741, 1
STATUS = {0: "starting", 1: "running", 2: "stopped"}


def _text(raw):
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


class Control:
    def __init__(self, path):
        with open(path, "r+b") as f:
            self._mm = mmap.mmap(f.fileno(), 0)
        mm = self._mm
        magic, version, header_size, file_size = struct.unpack_from("<4I", mm, 0)
        if magic != MAGIC or version != VERSION or header_size != 256:
            raise ValueError(f"{path} is not an agraph control block of version {VERSION}")
        (n_params, params_offset, param_size, n_probes, probes_offset, probe_size,
         self.n_inputs, self.n_outputs) = struct.unpack_from("<8I", mm, 16)
        (self.sample_rate,) = struct.unpack_from("<d", mm, 48)
        self.block, self.pid = struct.unpack_from("<Ii", mm, 56)
        self.name = _text(mm[112:176])
        view = memoryview(mm)
        self._u32, self._u64 = view.cast("I"), view.cast("Q")
        self._f64, self._f32 = view.cast("d"), view.cast("f")
        self.params = []
        for i in range(n_params):
            at = params_offset + i * param_size
            lo, hi, default, kind, scale = struct.unpack_from("<3d2i", mm, at + 64)
            self.params.append({"name": _text(mm[at:at + 48]), "unit": _text(mm[at + 48:at + 64]),
                                "min": lo, "max": hi, "default": default,
                                "kind": ("slider", "button", "toggle")[kind],
                                "scale": ("linear", "log")[scale], "offset": at})
        self.probes = []
        for i in range(n_probes):
            at = probes_offset + i * probe_size
            width, snapshot = struct.unpack_from("<2I", mm, at + 48)
            self.probes.append({"name": _text(mm[at:at + 48]), "width": width, "offset": snapshot})

    def _find(self, table, name):
        for entry in table:
            if entry["name"] == name:
                return entry
        raise KeyError(f"no {name!r} (there are: {', '.join(e['name'] for e in table)})")

    @property
    def status(self):
        return STATUS.get(self._u32[64 // 4], "unknown")

    blocks = property(lambda self: self._u64[72 // 8])
    frames = property(lambda self: self._u64[80 // 8])
    underruns = property(lambda self: self._u64[88 // 8])
    overruns = property(lambda self: self._u64[96 // 8])
    callback_max_ns = property(lambda self: self._u64[104 // 8])

    def get(self, name):
        """The value in effect, in the parameter's unit."""
        at = self._find(self.params, name)["offset"]
        while True:
            s1 = self._u32[(at + 112) // 4]
            value = self._f64[(at + 120) // 8]
            if not s1 & 1 and self._u32[(at + 112) // 4] == s1:
                return value

    def set(self, name, value, wait=False, timeout=1.0):
        """Ask for a value (clamped to the range by the program); with wait, until applied."""
        at = self._find(self.params, name)["offset"]
        s = self._u32[(at + 96) // 4]
        self._u32[(at + 96) // 4] = s + 1
        self._f64[(at + 104) // 8] = float(value)
        self._u32[(at + 96) // 4] = s + 2
        deadline = time.monotonic() + timeout
        while wait and self._u32[(at + 100) // 4] != s + 2:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} did not apply {name} (status {self.status})")
            time.sleep(0.001)

    def probe(self, name, with_frame=False):
        """The probe's latest snapshot, a list of floats (and the frame count it was taken at)."""
        probe = self._find(self.probes, name)
        at, width = probe["offset"], probe["width"]
        while True:
            s1 = self._u32[at // 4]
            frame = self._u64[(at + 8) // 8]
            values = self._f32[at // 4 + 4:at // 4 + 4 + width].tolist()
            if not s1 & 1 and self._u32[at // 4] == s1:
                return (values, frame) if with_frame else values

    def close(self):
        for v in (self._u32, self._u64, self._f64, self._f32):
            v.release()
        self._mm.close()
