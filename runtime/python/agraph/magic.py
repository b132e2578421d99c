# magic.py — `%%agraph [NAME] [options]` compiles the cell and renders it (or runs it live) and
# `%agraph stop|list|options` manages what runs. Options are declared by adder functions and modes
# (offline, live, ...) are chosen by handlers, both in registries, so another mode (a --browser
# one, say) plugs in with add_options() and add_mode() without touching this file.
import argparse
import atexit
import os
import shlex

from IPython.core.error import UsageError
from IPython.display import display

from . import live
from .compile import COMPILE_TIMEOUT, CompileError
from .display import OfflineView
from .program import RenderError, compile

DEFAULT_DURATION = "2s"

_option_adders = []      # functions(parser)
views = {}               # cell name -> its OfflineView or LiveView, for code that moves sliders
_modes = []              # (name, wanted(args) -> bool, run(cell) -> None), tried in order


def add_options(adder):
    """Register a function that adds options to the %%agraph parser. Usable as a decorator."""
    _option_adders.append(adder)
    return adder


def add_mode(name, wanted, run, first=True):
    """Register a mode: when wanted(args) is true, run(cell) handles the cell (a Cell)."""
    entry = (name, wanted, run)
    _modes.insert(0, entry) if first else _modes.append(entry)


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"%%agraph: {message}\n{self.format_usage()}")

    def exit(self, status=0, message=None):
        raise UsageError(message or self.format_help())


def parser():
    p = _Parser(prog="%%agraph", add_help=False,
                description="Compile the cell as an agraph program and render it, or run it live.")
    for adder in _option_adders:
        adder(p)
    return p


@add_options
def _common_options(p):
    p.add_argument("name", nargs="?", default=None,
                   help="the program's name; the result is bound to a variable of this name "
                        "(default: the program is 'cell', the variable _agraph)")
    p.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter's starting value, with a unit if you like (cutoff=2kHz)")
    p.add_argument("--out", metavar="VAR", help="bind the result to VAR instead")
    p.add_argument("--timeout", type=float, default=COMPILE_TIMEOUT, metavar="S",
                   help=f"the compile time limit in seconds (default {COMPILE_TIMEOUT:g})")
    p.add_argument("--double", action="store_true", help="compute in double precision")
    p.add_argument("--sr", type=int, default=None, help="sample rate of a generator (default 48000)")


@add_options
def _offline_options(p):
    g = p.add_argument_group("offline (the default)")
    g.add_argument("-d", "--duration", default=None, metavar="LEN",
                   help=f"length: 2s, 500ms, or samples (default {DEFAULT_DURATION} for a generator)")
    g.add_argument("-i", "--input", action="append", default=[], metavar="SRC",
                   help="input audio: a variable (numpy array or an earlier cell's result) or a "
                        "sound file's path; repeat for several files")
    g.add_argument("--tail", default=None, metavar="LEN", help="render LEN more with silence in")
    g.add_argument("--no-plots", dest="plots", action="store_false", help="no waveform/spectrogram")
    g.add_argument("--no-probes", dest="probes", action="store_false", help="no probe plots")
    g.add_argument("--no-sliders", dest="sliders", action="store_false", help="no sliders")
    g.add_argument("--autoplay", action="store_true", help="play as soon as it is rendered")
    g.add_argument("-q", "--quiet", action="store_true", help="show nothing; only bind the result")


@add_options
def _live_options(p):
    g = p.add_argument_group("live")
    g.add_argument("--live", action="store_true", help="run on the sound card until %%agraph stop")
    g.add_argument("--block", type=int, default=live.DEFAULT_BLOCK, metavar="N",
                   help=f"frames per audio block (default {live.DEFAULT_BLOCK})")
    g.add_argument("--device", default=None, metavar="NAME|N", help="the audio device")
    g.add_argument("--view-rate", type=float, default=live.VIEW_RATE, metavar="HZ",
                   help=f"live view redraws per second (default {live.VIEW_RATE:g})")
    g.add_argument("--spectrogram", action="store_true", help="a scrolling spectrogram of array probes")


class Cell:
    """One %%agraph cell being run: its parsed options, source, shell and (once compiled) program."""

    def __init__(self, shell, args, source):
        self.shell, self.args, self.source = shell, args, source
        self.name = args.name or "cell"
        self.var = args.out or args.name or "_agraph"
        self.program = None

    def params(self):
        out = {}
        for item in self.args.param:
            if "=" not in item:
                raise UsageError(f"%%agraph: --param '{item}' is not NAME=VALUE")
            k, v = item.split("=", 1)
            try:
                self.program.param(k.strip())
            except KeyError as e:
                raise UsageError(f"%%agraph: --param: {e.args[0]}") from None
            out[k.strip()] = v.strip()
        return out

    def bind(self, value):
        self.shell.user_ns[self.var] = value

    def inputs(self):
        srcs = []
        for s in self.args.input:
            if s in self.shell.user_ns:
                srcs.append(self.shell.user_ns[s])
            elif os.path.exists(os.path.expanduser(s)):
                srcs.append(os.path.expanduser(s))
            else:
                raise UsageError(f"%%agraph: --input '{s}' is neither a variable nor a file")
        return srcs


def _run_offline(cell):
    a = cell.args
    prog = cell.program
    render_args = {"duration": a.duration or (None if prog.inputs else DEFAULT_DURATION),
                   "input": cell.inputs() or None, "sr": a.sr, "tail": a.tail, "probes": True}
    result = prog.render(params=cell.params(), **render_args)
    cell.bind(result)
    if a.quiet:
        return
    view = OfflineView(prog, result, render_args, plots=a.plots, probes=a.probes,
                       autoplay=a.autoplay, on_result=cell.bind)
    if not a.sliders or not prog.params:
        display({"text/html": view.static_html(), "text/plain": repr(result)}, raw=True)
    else:
        display(view)
    views[cell.name] = view


def _run_live(cell):
    a = cell.args
    run = live.start(cell.program, cell.params(), block=a.block, device=a.device,
                     client_name=cell.name, sr=a.sr)
    cell.bind(run)
    view = live.LiveView(run, rate=a.view_rate, spectrogram=a.spectrogram)
    views[cell.name] = view
    display(view)


add_mode("live", lambda args: args.live, _run_live, first=False)
add_mode("offline", lambda args: True, _run_offline, first=False)


def agraph_cell(line, cell, shell=None):
    args = parser().parse_args(shlex.split(line))
    c = Cell(shell, args, cell)
    # the cell's first line is `%%agraph ...`: the source starts on its line 2
    c.program = compile(cell, name=c.name, first_line=2, timeout=args.timeout, double=args.double)
    for name, wanted, run in _modes:
        if wanted(args):
            return run(c)


def agraph_line(line, shell=None):
    words = shlex.split(line)
    cmd = words[0] if words else "options"
    if cmd == "stop":
        stats = live.stop(words[1] if len(words) > 1 else None)
        if not stats:
            print("no live programs")
        for name, s in stats.items():
            if s:
                print(f"{name}: stopped after {s.get('seconds', 0):.1f} s, {s.get('underruns')} underruns, "
                      f"{s.get('overruns')} overruns, callback max {s.get('callback_max_us')} us")
            else:
                print(f"{name}: stopped")
        return None
    if cmd == "list":
        runs = live.running()
        if not runs:
            print("no live programs")
        for name, r in runs.items():
            k = r.counters() if r.control else {}
            print(f"{name}: {'running' if r.alive else 'ended'}, pid {r.proc.pid}, "
                  f"{k.get('frames', 0)} frames, {k.get('underruns', 0)} underruns")
        return None
    if cmd in ("options", "help"):
        print(parser().format_help())
        print("%agraph stop [NAME]   stop a live program (all of them without NAME)\n"
              "%agraph list          the live programs\n"
              "%agraph options       this help")
        return None
    raise UsageError(f"%agraph: unknown command '{cmd}' (stop, list, options)")


def _stop_all():
    for run in list(live.running().values()):
        try:
            run.stop()
        except Exception:
            pass


def register(ipython):
    ipython.register_magic_function(lambda line, cell: agraph_cell(line, cell, ipython),
                                    magic_kind="cell", magic_name="agraph")
    ipython.register_magic_function(lambda line: agraph_line(line, ipython),
                                    magic_kind="line", magic_name="agraph")
    atexit.register(_stop_all)


def unregister(ipython):
    _stop_all()
    for kind in ("cell", "line"):
        ipython.magics_manager.magics[kind].pop("agraph", None)


__all__ = ["add_options", "add_mode", "parser", "register", "Cell", "CompileError", "RenderError"]
