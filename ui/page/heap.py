"""The server process's heap: kept out of garbage collections it does not need, and given back
when the class has left.

A Streamlit server holds what every session shares for as long as it runs: numpy, scipy,
sympy, plotly, pandas, the app's modules and its caches, about a million tracked objects. A
full collection walks all of them (110-190 ms of CPU here), so ``.streamlit/config.toml`` turns
off Streamlit's collection after every script run (``runner.postScriptGC``) and leaves
collecting to Python's generational collector. :func:`freeze_once`, at the end of the
process's first run, moves the heap as it then stands into the permanent generation, so that
the collector's own full collections walk only what came later.

A class leaves behind more than its sessions: the figures and data of every parameter point
it visited, in caches bounded by entries (``ui.catalog``'s figures, ``ui.page.readout``,
``st.cache_data``), tens of MB after a hundred students. Once no browser has been connected
for ``SHALLOWDEEP_RELEASE_MINUTES`` (default 10; 0: never), :func:`release` empties those
caches and collects, so the process holds what it held before the class (the imports, the
derivations and the evidence fits, kept by ``st.cache_resource``). Python's allocator keeps
the pages it freed for the next class rather than returning them all to the system, so the
resident size falls back less than the live heap does: ``/_stcore/metrics`` reports the live
heap as ``python_heap_blocks`` (what ``bench/bench_class.py`` compares with idle) and the
number of releases as ``heap_releases``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from streamlit import runtime
from streamlit.logger import get_logger
from streamlit.runtime.stats import GaugeStat

from ui.state.limits import minutes_setting

RELEASE_MINUTES_VAR = "SHALLOWDEEP_RELEASE_MINUTES"
DEFAULT_RELEASE_MINUTES = 10.0

_log = get_logger(__name__)
_LOCK = threading.Lock()
_frozen = False
_releases = 0


def freeze_once() -> None:
    """Collect, then freeze every object alive (once per process), and start watching for the
    class to leave. What the first session holds is frozen with the rest: it is freed when its
    references go, as any object without a reference cycle is, and only its cycles stay (a few
    hundred kB, once)."""
    global _frozen
    with _LOCK:
        if _frozen:
            return
        gc.collect()
        gc.freeze()
        _frozen = True
    _start_watching()


def release(rt=None) -> None:
    """Drop the sessions past their time, empty the per-parameter caches, collect, and hand
    free memory at the top of the C heap back to the system (glibc's ``malloc_trim``;
    elsewhere nothing). ``rt``: the Streamlit runtime, None in a test without a server."""
    global _releases
    import streamlit as st

    from ui import catalog
    from ui.page import readout

    if rt is not None:
        _reap_expired_sessions(rt)
    catalog.clear_caches()
    readout.of.cache_clear()
    st.cache_data.clear()
    gc.collect()
    _trim()
    _releases += 1


def _reap_expired_sessions(rt) -> None:
    """Streamlit keeps a closed tab's session for ``server.disconnectedSessionTTL`` (so that
    the tab can come back to it) and drops it after that only at the next write to the store
    that holds it: the next browser to connect or leave. With no browser left that write does
    not come, and the class's sessions would stay until the next class. Streamlit 1.67 has no
    public call for it; these names are private, so a Streamlit without them is left as is."""
    storage = getattr(getattr(rt, "_session_mgr", None), "_session_storage", None)
    expire = getattr(getattr(storage, "_cache", None), "expire", None)
    if callable(expire):
        expire()


def _trim() -> None:
    name = ctypes.util.find_library("c") if sys.platform.startswith("linux") else None
    libc = ctypes.CDLL(name) if name else None
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


@dataclass
class Quiet:
    """When a release is due: ``after_s`` seconds with no browser connected, once per class
    (a replica that nobody has used since its last release has nothing to give back)."""

    after_s: float
    busy_at: float | None = None  # when a browser was last seen connected; None: released

    def due(self, connected: int, now: float) -> bool:
        if connected > 0:
            self.busy_at = now
            return False
        if self.busy_at is not None and now - self.busy_at >= self.after_s:
            self.busy_at = None
            return True
        return False


class HeapStats:
    """``/_stcore/metrics`` families: the live heap and the number of releases so far."""

    stats_families: Sequence[str] = ("python_heap_blocks", "heap_releases")

    def get_stats(self, family_names: Sequence[str] | None = None) -> Mapping[str, list]:
        return {
            "python_heap_blocks": [GaugeStat(
                "python_heap_blocks", sys.getallocatedblocks(),
                help="memory blocks Python's allocator has handed out and not had back")],
            "heap_releases": [GaugeStat(
                "heap_releases", _releases,
                help="times the per-parameter caches were emptied after the class left")],
        }


def _connected(rt) -> int:
    families = rt.stats_mgr.get_stats(["active_sessions"])
    return int(sum(s.value for s in families.get("active_sessions", ())))


def _start_watching() -> None:
    if not runtime.exists():  # AppTest or bare mode: no server, no class
        return
    rt = runtime.get_instance()
    rt.stats_mgr.register_provider(HeapStats())
    minutes, problem = minutes_setting(os.environ, RELEASE_MINUTES_VAR, DEFAULT_RELEASE_MINUTES)
    if problem:
        _log.warning("Heap: %s", problem)
    if minutes is None:
        return
    quiet = Quiet(minutes * 60, busy_at=time.monotonic())
    every = min(30.0, max(0.5, minutes * 60 / 4))
    loop = rt.stopped.get_loop()

    def check() -> None:
        # On Streamlit's event loop: the session count is read where sessions change, and a
        # release (~0.2 s) runs only when no browser is connected to wait for it.
        if quiet.due(_connected(rt), time.monotonic()):
            release(rt)
            _log.info("Heap: no browser for %g min; the per-parameter caches were emptied", minutes)
        loop.call_later(every, check)

    loop.call_soon_threadsafe(check)
