# nbrun.py — what the notebook tests share: run a notebook (or some cells) with nbclient against a
# real IPython kernel of /usr/bin/python3, with the agraph package importable from this checkout,
# and find things in the outputs (players, plot images, slider models, error text).
import base64
import os
import re
import sys

import nbformat
from nbclient import NotebookClient

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PACKAGE = os.path.join(ROOT, "runtime", "python")


def kernel_env(cache):
    """The kernel sees the package through PYTHONPATH (as the README says) and agraphc through the
    package's own lookup (build/agraphc of this checkout); a private cache per test run."""
    os.environ["PYTHONPATH"] = PACKAGE + (os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH") else "")
    os.environ["AGRAPH_CACHE"] = cache
    os.environ.pop("AGRAPHC", None)
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"      # no __pycache__ left in the checkout


def load(name):
    return nbformat.read(os.path.join(ROOT, "notebooks", name), as_version=4)


class Client(NotebookClient):
    """nbclient, recording widget models the way ipywidgets 6 (Debian's) sends them: comm_open
    carries the first state directly (ipywidgets 7 wraps it in 'state', which is all nbclient 0.7
    understands), and 'update' messages carry changes. .models: comm_id -> state."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.models = {}

    def handle_comm_msg(self, outputs, msg, cell_index):
        c = msg["content"]
        data = c.get("data", {})
        if msg["msg_type"] == "comm_open" and c.get("target_name") == "jupyter.widget":
            self.models.setdefault(c["comm_id"], {}).update(data.get("state", data))
            return
        if msg["msg_type"] == "comm_msg" and data.get("method") == "update" and c["comm_id"] in self.models:
            model = self.models[c["comm_id"]]
            model.update(data.get("state", {}))
            # binary values (an Image's PNG) travel as buffers, named in data['buffers']
            for key, buf in zip(data.get("buffers", []), msg.get("buffers", [])):
                model[key] = bytes(buf)
            return
        super().handle_comm_msg(outputs, msg, cell_index)


def client(nb, cwd, timeout=120):
    return Client(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": cwd}},
                  allow_errors=False, store_widget_state=False)


def run(nb, cwd, timeout=120):
    """Execute every cell; returns the widget models seen (comm_id -> state)."""
    c = client(nb, cwd, timeout)
    c.execute()
    return c.models


def tagged(nb, tag):
    cells = [c for c in nb.cells if tag in c.get("metadata", {}).get("tags", [])]
    assert cells, f"no cell tagged {tag!r}"
    return cells[0]


def html_of(cell):
    return "\n".join(o.get("data", {}).get("text/html", "") for o in cell.get("outputs", [])
                     if o.get("output_type") in ("display_data", "execute_result"))


def texts_of(cell):
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream":
            out.append(o.get("text", ""))
        elif o.get("output_type") == "error":
            out.append("\n".join(o.get("traceback", [])))
        elif "data" in o:
            out.append(o["data"].get("text/plain", ""))
    return "\n".join(out)


def widget_views(cell):
    return [o["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] for o in cell.get("outputs", [])
            if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]


def descendants(models, model_id):
    """Every model reachable from model_id (children of boxes), as state dicts."""
    seen, todo = [], [model_id]
    while todo:
        m = todo.pop()
        if m in seen or m not in models:
            continue
        seen.append(m)
        for child in models[m].get("children", []):
            todo.append(child.replace("IPY_MODEL_", ""))
    return [models[m] for m in seen]


def widget_models(models, cell, name=None):
    """The models shown by a cell (its widget views and their children), of one _model_name."""
    out = []
    for view in widget_views(cell):
        out += [m for m in descendants(models, view) if name is None or m.get("_model_name") == name]
    return out


def widget_html(models, cell):
    return "\n".join(m.get("value", "") for m in widget_models(models, cell, "HTMLModel"))


def widget_pngs(models, cell):
    """PNG bytes of the Image widgets (ipywidgets 6 syncs them base64-encoded as _b64value)."""
    out = []
    for m in widget_models(models, cell, "ImageModel"):
        if isinstance(m.get("value"), bytes):
            out.append(m["value"])
        elif m.get("_b64value"):
            out.append(base64.b64decode(m["_b64value"]))
    return out


def audio_wavs(text):
    """The WAV bytes of every <audio ... src='data:audio/wav;base64,...'> in the HTML."""
    return [base64.b64decode(m) for m in re.findall(r"<audio[^>]*src='data:audio/wav;base64,([A-Za-z0-9+/=]+)'", text)]


def pngs(cell):
    out = []
    for o in cell.get("outputs", []):
        d = o.get("data", {})
        if "image/png" in d:
            out.append(base64.b64decode(d["image/png"]))
    for m in re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", html_of(cell)):
        out.append(base64.b64decode(m))
    return out


class Checks:
    """Counts checks; prints one line per failure and exits 1 at the end if any failed."""

    def __init__(self):
        self.n, self.failed = 0, 0

    def __call__(self, ok, what):
        self.n += 1
        if not ok:
            self.failed += 1
            print("FAIL:", what)
        return ok

    def done(self, label):
        print(f"{label}: {self.n - self.failed}/{self.n} checks passed")
        sys.exit(1 if self.failed else 0)
