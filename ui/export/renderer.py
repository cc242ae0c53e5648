"""One long-lived, offline renderer: plotly via kaleido + chromium + local MathJax; altair via vl-convert.

Why not ``kaleido.start_sync_server``: its queue pairs requests with answers by order, so two
Streamlit sessions (threads) exporting at once can receive each other's images, and a call hangs
forever if the browser died at start-up. Instead one ``kaleido.Kaleido`` (one chromium) lives on
its own event-loop thread for the life of the process; every export is a coroutine submitted to
that loop with a timeout. It starts on the first export (~2 s), later exports take ~0.3 s.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib.util
import os
import shutil
import threading
from pathlib import Path

FORMATS = ("svg", "pdf", "png")
TIMEOUT_S = 60.0


class RendererUnavailable(RuntimeError):
    """No image export on this machine; the message says why, in plain words."""


def mathjax_path() -> Path | None:
    """MathJax 3 shipped by django-static-mathjax (Debian's MathJax 2.7 does not work with kaleido)."""
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "static/mathjax/es5/tex-svg.js"
    return path if path.is_file() else None


def browser_path() -> str | None:
    for candidate in (os.environ.get("BROWSER_PATH"), "chromium", "chromium-browser",
                      "google-chrome", "chrome"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


def problem() -> str | None:
    """Why PNG/SVG/PDF export of plotly figures cannot work here, or None if it can (cheap check)."""
    if importlib.util.find_spec("kaleido") is None:
        return "PNG/SVG/PDF export is off: the Python package kaleido is not installed (pip install kaleido)."
    if browser_path() is None:
        return ("PNG/SVG/PDF export is off: no Chromium browser was found on this machine "
                "(install it with `apt-get install chromium`, or set BROWSER_PATH).")
    if mathjax_path() is None:
        return ("PNG/SVG/PDF export is off: the local MathJax is missing, so LaTeX labels cannot "
                "render offline (pip install django-static-mathjax).")
    return _failure


_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_kaleido = None
_failure: str | None = None  # set when start-up failed, so we do not retry on every click


def _start():
    global _loop, _kaleido, _failure
    import kaleido

    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, name="kaleido-renderer", daemon=True).start()
    try:
        k = kaleido.Kaleido(n=1, timeout=TIMEOUT_S, mathjax=str(mathjax_path()),
                            path=browser_path())
        asyncio.run_coroutine_threadsafe(k.open(), loop).result(TIMEOUT_S)
    except Exception as e:  # noqa: BLE001 - any start-up failure means "no renderer"
        loop.call_soon_threadsafe(loop.stop)
        _failure = f"PNG/SVG/PDF export is off: the browser did not start ({type(e).__name__}: {e})."
        raise RendererUnavailable(_failure) from e
    _loop, _kaleido = loop, k
    atexit.register(_close)


def _close():
    global _loop, _kaleido
    if _kaleido is not None and _loop is not None:
        try:
            asyncio.run_coroutine_threadsafe(_kaleido.close(), _loop).result(10)
        except Exception:  # noqa: BLE001 - best effort at exit
            pass
        _loop.call_soon_threadsafe(_loop.stop)
    _loop, _kaleido = None, None


def _ensure():
    with _lock:
        if _kaleido is None:
            if (why := problem()) is not None:
                raise RendererUnavailable(why)
            _start()
    return _loop, _kaleido


def plotly_bytes(fig, fmt: str, *, width: int, height: int, scale: float = 1.0) -> bytes:
    """Render a plotly figure (or its dict) to svg/pdf/png bytes. Raises RendererUnavailable."""
    assert fmt in FORMATS, fmt
    loop, k = _ensure()
    opts = {"format": fmt, "width": width, "height": height, "scale": scale}
    future = asyncio.run_coroutine_threadsafe(k.calc_fig(fig, opts=opts), loop)
    try:
        return future.result(TIMEOUT_S)
    except TimeoutError as e:
        future.cancel()
        raise RendererUnavailable(f"Rendering took longer than {TIMEOUT_S:g} s; try again.") from e


def altair_bytes(chart, fmt: str, *, scale: float = 1.0) -> bytes:
    """Render an altair chart with vl-convert: no browser needed."""
    import vl_convert as vlc

    spec = chart.to_json()
    if fmt == "svg":
        return vlc.vegalite_to_svg(spec).encode()
    if fmt == "pdf":
        return vlc.vegalite_to_pdf(spec)
    return vlc.vegalite_to_png(spec, scale=scale)
