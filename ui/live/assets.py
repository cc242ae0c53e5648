"""The files a live figure loads over HTTP, written into ``static/`` beside app.py.

Streamlit serves that folder at ``app/static/`` (``[server] enableStaticServing``); the browser
fetches each file once and caches it, so a rerun sends only the figure's data. Nothing here is
committed to git (``static/`` is ignored): plotly.js is copied from the installed plotly package
(never a CDN); the bundle is the sympy-printed math (``jsmath``) followed by ``runtime.js``.

Printing the math costs sympy a few seconds, so the bundle's name is a hash of what it is made
from (the derivations, the printer, the runtime, sympy's version): a bundle already in
``static/`` is reused across restarts, and a new one is made only when one of those changed.
``warm()`` makes it in the background when the app starts, before a visitor asks for it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import threading
from importlib import metadata
from pathlib import Path

import plotly

from . import jsmath

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
STATIC = ROOT / "static"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
_SOURCES = (ROOT / "theory" / "derivations.py", ROOT / "theory" / "recovery.py",
            HERE / "jsmath.py", HERE / "runtime.js")
_EXPORT = "\nexport { liveMount };\n"  # the bundle is an ES module; the HTML export inlines it as a script
_LOCK = threading.Lock()


def plotly_source() -> str:
    return PLOTLY_JS.read_text(encoding="utf-8")


def runtime_css() -> str:
    return (HERE / "runtime.css").read_text(encoding="utf-8")


def _key() -> str:
    digest = hashlib.sha256(metadata.version("sympy").encode())
    for path in _SOURCES:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _write(path: Path, text: str) -> None:
    """Atomically, so a browser never reads half a file another process is writing."""
    if path.exists() and path.stat().st_size == len(text.encode("utf-8")):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(tmp, 0o644)  # mkstemp makes it private; it is served to every visitor
    os.replace(tmp, path)


@functools.cache
def _files() -> dict[str, str]:
    names = {"plotly": f"plotly-{plotly.__version__}.min.js", "bundle": f"live-{_key()}.js"}
    _write(STATIC / names["plotly"], plotly_source())
    bundle = STATIC / names["bundle"]
    if not bundle.exists():
        runtime = (HERE / "runtime.js").read_text(encoding="utf-8")
        _write(bundle, jsmath.source() + "\n" + runtime + _EXPORT)
        for old in STATIC.glob("live-*.js"):  # bundles of earlier versions of the sources
            if old != bundle:
                old.unlink(missing_ok=True)
    return names


def files() -> dict[str, str]:
    """The static files' names under ``app/static/`` (written on the first call)."""
    with _LOCK:  # two first visitors at once: one prints the math, the other waits for it
        return _files()


def script() -> str:
    """The generated math and the runtime as one classic script (defines ``liveMount``)."""
    text = (STATIC / files()["bundle"]).read_text(encoding="utf-8")
    return text.removesuffix(_EXPORT)


def warm() -> None:
    """Make the files in a background thread (once per process), so the first visitor to a
    live figure does not wait for sympy."""
    _start_warming()


@functools.cache
def _start_warming() -> None:
    threading.Thread(target=files, name="live-assets", daemon=True).start()
