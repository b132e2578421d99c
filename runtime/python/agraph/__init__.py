# agraph — the Jupyter extension and Python API of the agraph compiler: compile a source string
# into a Program, render it to numpy arrays, read its parameters and probes, run it live.
# `%load_ext agraph` registers the %%agraph and %agraph magics (magic.py).
from .compile import CompileError, find_agraphc
from .program import Program, RenderError, Result, compile, read_wav, to_unit, write_wav

__all__ = ["CompileError", "RenderError", "Program", "Result", "compile", "find_agraphc", "read_wav",
           "write_wav", "to_unit", "view"]


def view(name):
    """The sliders and display of the %%agraph cell called name (an OfflineView or LiveView)."""
    from .magic import views
    return views[name]


def load_ipython_extension(ipython):
    from .magic import register
    from . import browser  # noqa: F401 (registers %%agraph --browser)
    register(ipython)


def unload_ipython_extension(ipython):
    from .magic import unregister
    unregister(ipython)
