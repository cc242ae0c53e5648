"""The server process's heap, kept out of garbage collections it does not need.

A Streamlit server holds what every session shares for as long as it runs: numpy, scipy,
sympy, plotly, pandas, the app's modules and its caches, about a million tracked objects. A
full collection walks all of them (110-190 ms of CPU here), so ``.streamlit/config.toml`` turns
off Streamlit's collection after every script run (``runner.postScriptGC``) and leaves
collecting to Python's generational collector. :func:`freeze_once`, at the end of the
process's first run, moves the heap as it then stands into the permanent generation, so that
the collector's own full collections walk only what came later.
"""

from __future__ import annotations

import gc
import threading

_LOCK = threading.Lock()
_frozen = False


def freeze_once() -> None:
    """Collect, then freeze every object alive (once per process). What the first session
    holds is frozen with the rest: it is freed when its references go, as any object without
    a reference cycle is, and only its cycles stay (a few hundred kB, once)."""
    global _frozen
    with _LOCK:
        if _frozen:
            return
        gc.collect()
        gc.freeze()
        _frozen = True
