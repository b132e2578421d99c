# compile.py — turn agraph source text into an executable: agraphc runs in a subprocess with a time
# limit (it runs the C compiler, which could hang on a pathological program), its diagnostics are
# renumbered to the lines of the notebook cell, and executables are cached by a hash of everything
# that goes into them, so a slider's re-render never recompiles.
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile

COMPILE_TIMEOUT = 60.0        # seconds; agraphc itself takes milliseconds, cc a tenth of a second


class CompileError(Exception):
    """A program that did not compile. str() is the diagnostic as agraphc printed it, with file
    name and line numbers those of the cell; IPython shows only that (no Python traceback)."""

    def __init__(self, text, diagnostics=()):
        super().__init__(text)
        self.text = text
        self.diagnostics = list(diagnostics)   # dicts: line, col, kind ('error', 'note'), message

    def _render_traceback_(self):
        return self.text.rstrip("\n").split("\n")


def find_agraphc():
    """$AGRAPHC, else build/agraphc of the checkout this package sits in, else agraphc on PATH."""
    env = os.environ.get("AGRAPHC")
    if env:
        if not os.access(env, os.X_OK):
            raise CompileError(f"agraph: $AGRAPHC is '{env}', which is not an executable file")
        return os.path.abspath(env)
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.normpath(os.path.join(here, "..", "..", ".."))   # runtime/python/agraph -> repo
    built = os.path.join(repo, "build", "agraphc")
    if os.access(built, os.X_OK):
        return built
    found = shutil.which("agraphc")
    if found:
        return found
    raise CompileError("agraph: cannot find agraphc: set $AGRAPHC, run `make` in the agraph "
                       f"checkout ({repo}), or put agraphc on PATH")


def cache_dir():
    """$AGRAPH_CACHE, else $XDG_CACHE_HOME/agraph, else ~/.cache/agraph."""
    d = os.environ.get("AGRAPH_CACHE")
    if not d:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        d = os.path.join(base, "agraph")
    d = os.path.abspath(d)          # the compile runs in a folder of its own
    os.makedirs(d, exist_ok=True)
    return d


def _stamp(path):
    try:
        st = os.stat(path)
        return f"{path}:{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        return f"{path}:missing"


def _toolchain_stamp(agraphc):
    """What else decides the executable: agraphc, the runtime library and the standard library
    beside it. A rebuilt compiler or an edited stdlib module invalidates the cache."""
    parts = [_stamp(agraphc)]
    root = os.path.dirname(os.path.dirname(agraphc))
    for lib in (os.path.join(os.path.dirname(agraphc), "libagraph.a"),):
        parts.append(_stamp(lib))
    stdlib = os.path.join(root, "stdlib")
    if os.path.isdir(stdlib):
        parts += [_stamp(os.path.join(stdlib, f)) for f in sorted(os.listdir(stdlib))]
    return "\n".join(parts)


_LOC = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): (?P<kind>error|warning|note): "
                  r"(?P<msg>.*)$")
_GUTTER = re.compile(r"^(?P<pad> *)(?P<line>\d+) \| (?P<text>.*)$")
_CARET = re.compile(r"^(?P<pad> *)\| (?P<text>.*)$")


def renumber(text, src_file, label, first_line):
    """agraphc's diagnostics with `src_file` called `label` and line n shown as n + first_line - 1:
    a cell's body starts on its second line, under `%%agraph`. Returns (text, diagnostics)."""
    shift = first_line - 1
    out, diags = [], []
    lines = text.split("\n")
    # the gutter is as wide as the largest line number shown, after shifting
    width = 1
    for ln in lines:
        m = _GUTTER.match(ln)
        if m:
            width = max(width, len(str(int(m["line"]) + shift)))
    for ln in lines:
        m = _LOC.match(ln)
        if m and os.path.basename(m["file"]) == os.path.basename(src_file):
            line = int(m["line"]) + shift
            diags.append({"line": line, "col": int(m["col"]), "kind": m["kind"], "message": m["msg"]})
            out.append(f"{label}:{line}:{m['col']}: {m['kind']}: {m['msg']}")
            continue
        m = _GUTTER.match(ln)
        if m:
            out.append(f"    {int(m['line']) + shift:>{width}} | {m['text']}")
            continue
        m = _CARET.match(ln)
        if m:
            out.append(f"    {'':>{width}} | {m['text']}")
            continue
        out.append(ln.replace(src_file, label))
    return "\n".join(out), diags


def _run(cmd, timeout, cwd):
    """Run cmd in its own process group; on timeout kill the group (agraphc and the cc under it)."""
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, start_new_session=True, text=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        raise
    return p.returncode, out, err


def cached_build(source, name, first_line, timeout, options, include, emit, tag, complete, finish):
    """Run `agraphc NAME.agraph EMIT... -I include options` on source in a fresh folder of the
    cache entry for everything that goes in (tag tells kinds of build apart); finish(work, entry)
    moves the products in, the one that marks the entry complete last. Returns (entry, cached),
    cached when complete(entry) was true already. Raises CompileError with the diagnostic
    renumbered to the cell's lines."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise CompileError(f"agraph: '{name}' is not a valid program name (letters, digits, _)")
    agraphc = find_agraphc()
    include = os.path.abspath(include or os.getcwd())
    key = hashlib.sha256("\0".join(([tag] if tag else []) + [source, name, " ".join(options), include,
                                    _toolchain_stamp(agraphc)]).encode()).hexdigest()[:24]
    d = os.path.join(cache_dir(), f"{tag}-{key}" if tag else key)
    if complete(d):
        return d, True
    os.makedirs(d, exist_ok=True)
    work = tempfile.mkdtemp(prefix="build-", dir=d)    # concurrent compiles do not collide
    try:
        with open(os.path.join(work, name + ".agraph"), "w") as f:
            f.write(source)
        cmd = [agraphc, name + ".agraph", *emit, "-I", include, *options]
        try:
            rc, out, err = _run(cmd, timeout, work)
        except subprocess.TimeoutExpired:
            into = " to WebAssembly" if tag == "wasm" else ""
            raise CompileError(f"agraph: compiling '{name}'{into} took longer than {timeout:g} s and "
                               "was stopped (raise the limit with --timeout)") from None
        if rc != 0:
            text, diags = renumber((err or out).rstrip("\n"), name + ".agraph", name, first_line)
            if not diags and rc < 0:
                text += f"\nagraph: agraphc was killed by signal {-rc}"
            raise CompileError(text, diags)
        finish(work, d)
        return d, False
    finally:
        shutil.rmtree(work, ignore_errors=True)


def compile_executable(source, name="cell", first_line=1, timeout=COMPILE_TIMEOUT, options=(),
                       include=None):
    """Compile source into an executable; returns (path, info, cached). info is the program's
    --info JSON (inputs, outputs, params, probes). Raises CompileError with the diagnostic."""
    def complete(d):
        return os.path.exists(os.path.join(d, "info.json")) and os.access(os.path.join(d, name), os.X_OK)

    def finish(work, d):
        try:
            rc, out, err = _run([os.path.join(work, name), "--info"], timeout, work)
        except subprocess.TimeoutExpired:
            raise CompileError(f"agraph: the compiled '{name}' did not answer --info") from None
        if rc != 0:
            raise CompileError(f"agraph: the compiled '{name}' failed on --info: {err.strip()}")
        info = json.loads(out)
        os.replace(os.path.join(work, name), os.path.join(d, name))
        with open(os.path.join(work, "info.json"), "w") as f:
            json.dump(info, f)
        os.replace(os.path.join(work, "info.json"), os.path.join(d, "info.json"))   # last: complete
        with open(os.path.join(d, name + ".agraph"), "w") as f:
            f.write(source)

    d, cached = cached_build(source, name, first_line, timeout, options, include, ["-o", name], "",
                             complete, finish)
    with open(os.path.join(d, "info.json")) as f:
        return os.path.join(d, name), json.load(f), cached
