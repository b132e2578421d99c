// agraph_worklet.js — runs an agraph program compiled by `agraphc --emit-wasm NAME` (NAME.wasm) in
// an AudioWorklet. agraphc writes this file beside the module as NAME.js. One file, two roles:
//  * on a page (a <script> tag, or eval'd text), it defines `AgraphWasm` with
//      AgraphWasm.describe(bytes)                  -> Promise of the program's JSON description
//      AgraphWasm.createNode(context, bytes, opts) -> Promise of an AudioWorkletNode
//      AgraphWasm.fromBase64(text)                 -> Uint8Array (a module embedded in a page)
//    createNode registers the processor itself, from this file's own text through a Blob URL, so a
//    page needs no second file and no server: bytes may come from fetch() or from base64.
//  * in an AudioWorkletGlobalScope (context.audioWorklet.addModule('NAME.js') also works), it
//    registers the processor 'agraph'.
// Parameters arrive as messages on node.port, in the parameter's own unit (as --param takes them):
//      node.port.postMessage({type: 'param', name: 'drive', value: 20})   (or index: 0)
// and each is answered on node.port with {type: 'ok', ...} or {type: 'error', message}; also
// {type: 'get'} (all parameter values), {type: 'probe', name} (a probe's latest values),
// {type: 'reset'} and {type: 'load', file, samples} (a sound file's table; see info.files). The node has one input of NAME's input channels (none for a generator) and one
// output of its output channels; channels are never up- or down-mixed.
(function (root) {
  'use strict';

  // Imports a WASI module may name (it calls none of them while processing): all answer ENOSYS.
  // The page uses it, and its text goes to the worklet with the processor's.
  function stubImports(mod) {
    const imports = {};
    for (const imp of WebAssembly.Module.imports(mod)) {
      if (imp.kind !== 'function') continue;
      imports[imp.module] = imports[imp.module] || {};
      imports[imp.module][imp.name] = () => 52;
    }
    return imports;
  }

  // ---- the processor: this function's text (and stubImports') is what the worklet runs ----
  function defineProcessor(scope, stubImports) {
    const MAX_FRAMES = 4096;

    // UTF-8 from memory, NUL-terminated. (TextDecoder is not there in an AudioWorkletGlobalScope.)
    function readString(memory, ptr) {
      const bytes = new Uint8Array(memory.buffer, ptr);
      let end = 0, hex = '';
      while (bytes[end] !== 0) hex += '%' + (bytes[end++] + 256).toString(16).slice(1);
      return decodeURIComponent(hex);
    }

    class AgraphProcessor extends scope.AudioWorkletProcessor {
      constructor(options) {
        super();
        const opts = (options && options.processorOptions) || {};
        const mod = opts.module instanceof WebAssembly.Module ? opts.module : new WebAssembly.Module(opts.wasm);
        this.inst = new WebAssembly.Instance(mod, stubImports(mod));
        const x = this.inst.exports;
        if (x._initialize) x._initialize();
        this.x = x;
        this.info = JSON.parse(readString(x.memory, x.ag_describe()));
        this.h = x.ag_new(scope.sampleRate, MAX_FRAMES);
        if (!this.h) throw new Error('agraph: cannot start ' + this.info.name + ' at ' + scope.sampleRate + ' Hz');
        this.nIn = x.ag_n_inputs();
        this.nOut = x.ag_n_outputs();
        for (const [name, value] of Object.entries(opts.params || {})) this.setParam(name, value);
        this.port.onmessage = (e) => this.port.postMessage(this.command(e.data || {}));
      }

      paramIndex(key) {
        if (typeof key === 'number') return key >= 0 && key < this.info.params.length ? key : -1;
        return this.info.params.findIndex((p) => p.name === key);
      }

      setParam(key, value) {
        const i = this.paramIndex(key);
        if (i < 0) throw new Error('no parameter ' + JSON.stringify(key) + ' in ' + this.info.name);
        if (typeof value !== 'number' || !Number.isFinite(value))
          throw new Error('parameter ' + this.info.params[i].name + ' needs a number, not ' + JSON.stringify(value));
        this.x.ag_set_param(this.h, i, value);
        return { name: this.info.params[i].name, value: this.x.ag_get_param(this.h, i) };
      }

      command(m) {
        try {
          switch (m.type) {
            case 'param': return Object.assign({ type: 'ok', id: m.id }, this.setParam(m.name !== undefined ? m.name : m.index, m.value));
            case 'get': {
              const values = {};
              this.info.params.forEach((p, i) => { values[p.name] = this.x.ag_get_param(this.h, i); });
              return { type: 'ok', id: m.id, values };
            }
            case 'probe': {
              const i = this.info.probes.findIndex((p) => p.name === m.name);
              if (i < 0) throw new Error('no probe ' + JSON.stringify(m.name) + ' in ' + this.info.name);
              const n = this.x.ag_read_probe(this.h, i);
              const values = Array.from(new Float32Array(this.x.memory.buffer, this.x.ag_probe_buf(this.h), n));
              return { type: 'ok', id: m.id, name: m.name, values };
            }
            case 'reset': this.x.ag_reset(this.h); return { type: 'ok', id: m.id };
            case 'load': {   // a sound file's samples (one channel, at the context's rate) for table m.file
              const data = Float32Array.from(m.samples || []), p = this.x.ag_alloc(Math.max(data.length, 1));
              new Float32Array(this.x.memory.buffer, p, data.length).set(data);
              const rc = this.x.ag_load(this.h, m.file | 0, p, data.length);
              this.x.ag_dealloc(p);
              if (rc !== 0) throw new Error('table file ' + m.file + ' of ' + this.info.name + ' refused ' + data.length + ' samples');
              return { type: 'ok', id: m.id, file: m.file, frames: data.length };
            }
            default: throw new Error('unknown message type ' + JSON.stringify(m.type));
          }
        } catch (err) {
          return { type: 'error', id: m.id, message: String(err.message || err) };
        }
      }

      // Views of the program's input and output buffers for blocks of `frames`: made again only
      // when the memory grows or the block size changes, so process() allocates nothing.
      views(frames) {
        const x = this.x, buf = x.memory.buffer;
        if (this.viewBuffer !== buf || this.viewFrames !== frames) {
          this.ins = Array.from({ length: this.nIn }, (_, c) => new Float32Array(buf, x.ag_in(this.h, c), frames));
          this.outs = Array.from({ length: this.nOut }, (_, c) => new Float32Array(buf, x.ag_out(this.h, c), frames));
          this.viewBuffer = buf;
          this.viewFrames = frames;
        }
      }

      process(inputs, outputs) {
        const x = this.x, out = outputs[0] || [], inp = (this.nIn && inputs[0]) || [];
        const frames = out.length ? out[0].length : (inp.length ? inp[0].length : 128);
        this.views(frames);
        for (let c = 0; c < this.nIn; c++) {
          if (!inp[c]) this.ins[c].fill(0);
          else this.ins[c].set(inp[c].length === frames ? inp[c] : inp[c].subarray(0, frames));
        }
        x.ag_process(this.h, frames);                      // allocates nothing: the views hold
        for (let c = 0; c < out.length && c < this.nOut; c++) out[c].set(this.outs[c]);
        return true;
      }
    }
    scope.registerProcessor('agraph', AgraphProcessor);
  }

  if (typeof root.AudioWorkletProcessor === 'function' && typeof root.registerProcessor === 'function') {
    defineProcessor(root, stubImports);
    return;
  }

  // ---- the page side ----
  const registered = new WeakMap();   // context -> Promise of addModule

  function toBytes(bytes) {
    if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes.slice(0));
    if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    throw new TypeError('agraph: the module must be an ArrayBuffer or a typed array');
  }

  function fromBase64(text) {
    const bin = atob(text.replace(/\s+/g, ''));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  async function describe(bytes) {
    const mod = await WebAssembly.compile(toBytes(bytes));
    return readInfo(await WebAssembly.instantiate(mod, stubImports(mod)));
  }

  function readInfo(instance) {
    const x = instance.exports;
    if (x._initialize) x._initialize();
    const mem = new Uint8Array(x.memory.buffer);
    let p = x.ag_describe(), end = p;
    while (mem[end] !== 0) end++;
    return JSON.parse(new TextDecoder().decode(mem.slice(p, end)));
  }

  // The worklet's script: the processor's definition, run in its scope.
  function processorSource() {
    return '(' + defineProcessor.toString() + ')(globalThis, ' + stubImports.toString() + ');\n';
  }

  function register(context) {
    if (!registered.has(context)) {
      const text = processorSource();
      const url = URL.createObjectURL(new Blob([text], { type: 'application/javascript' }));
      registered.set(context, context.audioWorklet.addModule(url).finally(() => URL.revokeObjectURL(url)));
    }
    return registered.get(context);
  }

  // An AudioWorkletNode running the module on `context`. opts.params: initial values by name.
  // The node gets `info` (the JSON description), `setParam(name, value)` and `request(msg)`, both
  // Promises of the processor's answer.
  async function createNode(context, bytes, opts) {
    const wasm = toBytes(bytes);
    const mod = await WebAssembly.compile(wasm);
    const info = readInfo(await WebAssembly.instantiate(mod, stubImports(mod)));
    await register(context);
    const nIn = info.inputs.length, nOut = info.outputs.length;
    const node = new AudioWorkletNode(context, 'agraph', {
      numberOfInputs: nIn ? 1 : 0,
      numberOfOutputs: 1,
      outputChannelCount: [Math.max(nOut, 1)],
      channelCount: Math.max(nIn, 1),
      channelCountMode: 'explicit',
      channelInterpretation: 'discrete',
      processorOptions: { wasm, params: (opts && opts.params) || {} },
    });
    let next = 0, failed = null;
    const waiting = new Map();
    // a processor that failed (a module that would not start) answers nothing: say why instead
    node.onprocessorerror = (e) => {
      failed = new Error('agraph: the processor of ' + info.name + ' failed' + (e && e.message ? ': ' + e.message : ''));
      for (const done of waiting.values()) done({ type: 'error', message: failed.message });
      waiting.clear();
    };
    node.port.onmessage = (e) => {
      const m = e.data, done = waiting.get(m.id);
      if (done) { waiting.delete(m.id); done(m); }
      if (node.onagraphmessage) node.onagraphmessage(m);
    };
    node.info = info;
    node.request = (msg) => new Promise((resolve, reject) => {
      if (failed) return reject(failed);
      const id = ++next;
      waiting.set(id, (m) => (m.type === 'ok' ? resolve(m) : reject(new Error(m.message))));
      node.port.postMessage(Object.assign({}, msg, { id }));
    });
    node.setParam = (name, value) => node.request({ type: 'param', name, value });
    return node;
  }

  const api = { createNode, describe, fromBase64, processorSource };
  root.AgraphWasm = api;
  if (typeof module === 'object' && module.exports) module.exports = api;
})(typeof globalThis !== 'undefined' ? globalThis : this);
