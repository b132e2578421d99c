# browser.py — `%%agraph --browser`: the cell's program compiled to WebAssembly and played in an
# AudioWorklet of the notebook page itself, with sliders bound to its parameters. The kernel only
# compiles; the wrapper's text and the module (base64) travel inside the one HTML output, so a
# remote kernel still plays on the listener's speakers and no audio crosses the network, and no
# file is served by the kernel. The page also gets window.agraphRender[NAME](seconds, params,
# inputs), an OfflineAudioContext render, for tests and for users who want the samples.
import base64
import hashlib
import html
import json
import os
import uuid

from IPython.display import display

from .compile import cached_build
from .magic import add_mode, add_options
from .display import SLIDER_STEPS
from .program import DEFAULT_SR, to_unit



def compile_wasm(source, name="cell", first_line=1, timeout=60.0, options=(), include=None):
    """agraphc --emit-wasm on source: returns (module bytes, wrapper text), cached like the
    executables (compile.py cached_build). Raises CompileError with the diagnostic renumbered to
    the cell's lines."""
    def complete(d):
        return os.path.exists(os.path.join(d, name + ".wasm")) and os.path.exists(os.path.join(d, name + ".js"))

    def finish(work, d):
        for ext in (".wasm", ".js"):      # the wrapper last: its presence marks the entry complete
            os.replace(os.path.join(work, name + ext), os.path.join(d, name + ext))

    d, _ = cached_build(source, name, first_line, timeout, options, include, ["--emit-wasm", name],
                        "wasm", complete, finish)
    with open(os.path.join(d, name + ".wasm"), "rb") as f:
        module = f.read()
    with open(os.path.join(d, name + ".js")) as f:
        wrapper = f.read()
    return module, wrapper


def _js(value):
    """value as a JavaScript literal safe inside a <script> element, by the rules of agraphc's
    JSON description (runtime/agraph_json.h): JSON in ASCII (so U+2028 and U+2029, line
    ends to JavaScript before ES2019, are escaped too), with every <, > and & escaped, so neither
    '</script' nor '<!--' can appear. These characters occur only inside JSON strings."""
    return (json.dumps(value, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


def _fmt(v):
    return f"{v:.6g}"


def _control(p, value):
    """The HTML of one parameter's control: a range input for a slider, a checkbox for a toggle,
    a push button for a button. The position <-> value mapping lives in the page's script."""
    name, label, unit = p["name"], p.get("label") or p["name"], p.get("unit") or ""
    cls = f"agraph-param agraph-param-{html.escape(name)}"
    lab = html.escape(label)
    if p.get("kind") == "toggle":
        checked = " checked" if value >= 0.5 else ""
        return (f'<label class="{cls}" style="display:block"><input type="checkbox" data-param="{html.escape(name)}"'
                f'{checked}> {lab}</label>')
    if p.get("kind") == "button":
        return (f'<div class="{cls}"><button type="button" data-param="{html.escape(name)}">{lab}</button></div>')
    return (f'<div class="{cls}" style="display:flex;align-items:center;gap:0.6em;margin:2px 0">'
            f'<label style="min-width:8em">{lab}</label>'
            f'<input type="range" min="0" max="{SLIDER_STEPS}" step="1" data-param="{html.escape(name)}" '
            f'data-scale="{html.escape(p.get("scale") or "linear")}" style="width:22em">'
            f'<span class="agraph-readout" style="min-width:7em">{html.escape(_fmt(value))} {html.escape(unit)}</span>'
            f'</div>')


# The page's half, one copy per output. %(...)s are JSON literals made by _js.
_SCRIPT = r"""
(function () {
  'use strict';
  const uid = %(uid)s, name = %(name)s, params = %(params)s, sampleRate = %(sr)s;
  const root = document.getElementById(uid);
  if (!root) return;
  // the wrapper defines window.AgraphWasm (it is one self-contained function; running it again
  // replaces it with the same thing)
  if (!window.AgraphWasm || window.AgraphWasm.__source !== %(jshash)s) {
    const s = document.createElement('script');
    s.textContent = %(wrapper)s;
    document.head.appendChild(s);
    window.AgraphWasm.__source = %(jshash)s;
  }
  const bytes = AgraphWasm.fromBase64(%(wasm)s);
  const values = %(values)s;                   // the controls' values, in each parameter's unit
  const state = root.querySelector('.agraph-state');
  const play = root.querySelector('.agraph-play');
  let ctx = null, node = null;

  const toValue = (p, pos) => p.scale === 'log' && p.min > 0
    ? p.min * Math.pow(p.max / p.min, pos / %(steps)s)
    : p.min + (p.max - p.min) * pos / %(steps)s;
  const toPos = (p, v) => Math.round(%(steps)s * (p.scale === 'log' && p.min > 0
    ? Math.log(v / p.min) / Math.log(p.max / p.min) : (v - p.min) / (p.max - p.min)));
  const fmt = (v) => String(Number(v.toPrecision(6)));

  function send(pname, v) {
    values[pname] = v;
    if (node) node.setParam(pname, v).then((m) => {
      root.dataset.lastAnswer = JSON.stringify({ name: m.name, value: m.value });
    }, (e) => { state.textContent = String(e.message || e); });
  }
  for (const p of params) {
    const el = root.querySelector('[data-param="' + CSS.escape(p.name) + '"]');
    if (!el) continue;
    if (p.kind === 'toggle') {
      el.addEventListener('change', () => send(p.name, el.checked ? 1 : 0));
    } else if (p.kind === 'button') {
      el.addEventListener('pointerdown', () => send(p.name, 1));
      for (const ev of ['pointerup', 'pointerleave']) el.addEventListener(ev, () => { if (values[p.name]) send(p.name, 0); });
    } else {
      const readout = el.parentNode.querySelector('.agraph-readout');
      el.value = toPos(p, values[p.name]);
      el.addEventListener('input', () => {
        const v = toValue(p, Number(el.value));
        readout.textContent = fmt(v) + (p.unit ? ' ' + p.unit : '');
        send(p.name, v);
      });
    }
  }

  async function start() {
    // an AudioContext is made on the listener's click: browsers start audio only after a gesture
    ctx = new AudioContext();
    const n = await AgraphWasm.createNode(ctx, bytes, { params: Object.assign({}, values) });
    if (!ctx) return;                          // stopped while it was loading
    node = n;
    node.onprocessorerror = ((previous) => (e) => { state.textContent = 'the processor failed'; if (previous) previous(e); })(node.onprocessorerror);
    node.connect(ctx.destination);
    if (ctx.state !== 'running') await ctx.resume();
    play.textContent = 'Stop';
    state.textContent = 'playing in this page at ' + ctx.sampleRate + ' Hz';
    root.dataset.playing = '1';
  }
  function stop() {
    const c = ctx;
    ctx = null; node = null;
    if (c) c.close();
    play.textContent = 'Play';
    state.textContent = '';
    root.dataset.playing = '0';
  }
  play.addEventListener('click', () => {
    if (ctx) { stop(); return; }
    start().catch((e) => { stop(); state.textContent = 'cannot play: ' + (e.message || e); });
  });

  // seconds of the program through an OfflineAudioContext; params override the controls' values;
  // inputs: one Float32Array per input channel (silence where missing). Resolves to one
  // Float32Array per output channel.
  async function render(seconds, extra, inputs) {
    const info = await AgraphWasm.describe(bytes);
    const frames = Math.round(seconds * sampleRate);
    const nIn = info.inputs.length, nOut = Math.max(info.outputs.length, 1);
    const off = new OfflineAudioContext({ numberOfChannels: nOut, length: frames, sampleRate });
    off.destination.channelInterpretation = 'discrete';
    const n = await AgraphWasm.createNode(off, bytes, { params: Object.assign({}, values, extra || {}) });
    if (nIn) {
      const buf = off.createBuffer(nIn, frames, sampleRate);
      for (let c = 0; c < nIn; c++) if (inputs && inputs[c]) buf.getChannelData(c).set(inputs[c].subarray(0, frames));
      const src = off.createBufferSource();
      src.buffer = buf;
      src.connect(n);
      src.start(0);
    }
    n.connect(off.destination);
    const out = await off.startRendering();
    const chans = [];
    for (let c = 0; c < nOut; c++) chans.push(out.getChannelData(c).slice());
    return chans;
  }
  window.agraphRender = window.agraphRender || {};
  window.agraphRender[name] = render;
  window.agraphPlayers = window.agraphPlayers || {};
  window.agraphPlayers[name] = { start, stop, values, get node() { return node; }, get context() { return ctx; } };
  root.dataset.ready = '1';
})();
"""


def browser_html(name, params, values, module, wrapper, sr=DEFAULT_SR):
    """The one HTML output of a --browser cell: controls, Play/Stop and the script with the
    wrapper and the module inline."""
    uid = "agraph-browser-" + uuid.uuid4().hex[:12]
    controls = "\n".join(_control(p, values[p["name"]]) for p in params)
    script = _SCRIPT % {
        "uid": _js(uid), "name": _js(name), "sr": _js(int(sr)), "steps": _js(SLIDER_STEPS),
        "params": _js([{k: p.get(k) for k in ("name", "label", "unit", "kind", "scale", "min", "max", "default")}
                       for p in params]),
        "values": _js(values), "wrapper": _js(wrapper), "wasm": _js(base64.b64encode(module).decode()),
        "jshash": _js(hashlib.sha256(wrapper.encode()).hexdigest()[:16]),
    }
    return (f'<div class="agraph-browser" id="{uid}" data-name="{html.escape(name)}">'
            f'<div style="margin:4px 0"><button type="button" class="agraph-play">Play</button> '
            f'<b>{html.escape(name)}</b> <span class="agraph-state" style="color:#666">'
            f'plays in this browser (WebAssembly)</span></div>\n{controls}\n'
            f'<script>{script}</script></div>')


@add_options
def _browser_options(p):
    g = p.add_argument_group("browser")
    g.add_argument("--browser", action="store_true",
                   help="play in this page's AudioWorklet (WebAssembly), sliders in the page; "
                        "works with a remote kernel: no audio crosses the network")


def _run_browser(cell):
    a, prog = cell.args, cell.program
    given = cell.params()
    values = {p["name"]: float(p["default"]) for p in prog.params}
    for k, v in given.items():
        p = prog.param(k)
        values[k] = min(max(to_unit(v, p["unit"]), p["min"]), p["max"])
    module, wrapper = compile_wasm(cell.source, name=prog.name, first_line=2, timeout=a.timeout,
                                   options=("--double",) if a.double else ())
    cell.bind(prog)
    page = browser_html(cell.name, prog.params, values, module, wrapper, sr=a.sr or DEFAULT_SR)
    display({"text/html": page, "text/plain": f"<agraph --browser '{cell.name}': play it in the notebook page>"},
            raw=True)


add_mode("browser", lambda args: args.browser, _run_browser)
