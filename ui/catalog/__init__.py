"""Every figure of the app, built from the parameter values alone: one code path for page and file.

A page shows a figure with ``ui.page.show.show_figure("<name>", values)`` (chart, alt text, data
table, downloads); ``python -m ui export`` and the "download all" zip write every figure listed
here. Adding a figure (e.g. on a new page): a cached data helper (``ui.data.closed``/``ui.data.toy``),
a builder in ``ui.figures``, then one ``FigureSpec`` in ``closed.py`` or ``toy.py`` whose
``build`` goes from the values dict to the built figure (``ui.figures.table.Built``: the plotly
figure and its table; raise ``ValueError`` with a readable message for values the model cannot
do: the page shows it, the CLI lists it).

``title`` is used for exported files only: LaTeX rendered by the local MathJax. In the browser
Streamlit has no MathJax for plotly, so the page keeps its own headings.
"""

from __future__ import annotations

import functools

import pandas as pd

from ui.figures.table import Built, describe

from . import closed, evidence, methods, toy
from .spec import FigureSpec

_SPECS = closed.SPECS + toy.SPECS + evidence.SPECS + methods.SPECS
FIGURES: dict[str, FigureSpec] = {s.name: s for s in _SPECS}
assert len(FIGURES) == len(_SPECS), "duplicate figure name"


def build(name: str, values: dict) -> Built:
    """The figure ``name`` for ``values`` with its table: a cached object shared by every
    session, so do not mutate it (``go.Figure(built.fig)`` makes a copy)."""
    return _build(name, tuple(sorted(values.items())))


# Keyed by every parameter, not only those a figure names: a stale figure is worse than a
# rebuild (~1-5 ms). One object per parameter set: its chart dict and readout are made once.
@functools.lru_cache(maxsize=256)
def _build(name: str, items: tuple) -> Built:
    return FIGURES[name].build(dict(items))


def clear_caches() -> None:
    """Forget every figure built so far (``ui.page.heap.release``, once a class has left)."""
    _build.cache_clear()
    _linked_chart.cache_clear()


def linked(name: str, values: dict, start: int | None = None) -> dict | None:
    """The linked view of figure ``name`` (a fresh Vega-Lite dict: Streamlit takes its datasets
    out), drawn from ``build(name, values)``, its mark at position ``start`` (None: the figure's
    own default); None when the figure has none."""
    make = FIGURES[name].linked
    return None if make is None else make(values, build(name, values), start)


def linked_chart(name: str, values: dict, start: int | None = None) -> dict | None:
    """``linked`` as the page sends it: cached per parameter set, its datasets already Arrow IPC
    bytes (Streamlit then skips converting them on every rerun). A shallow copy each call, as
    Streamlit deletes ``datasets`` from the dict it is given (and changes nothing deeper)."""
    cached = _linked_chart(name, tuple(sorted(values.items())), start)
    return None if cached is None else {**cached, "datasets": dict(cached["datasets"])}


@functools.lru_cache(maxsize=256)
def _linked_chart(name: str, items: tuple, start: int | None) -> dict | None:
    import pandas as pd
    from streamlit import dataframe_util

    spec = linked(name, dict(items), start)
    if spec is not None:
        spec["datasets"] = {key: dataframe_util.convert_anything_to_arrow_bytes(_compact(pd.DataFrame(rows)))
                            for key, rows in spec["datasets"].items()}
    return spec


def _compact(frame):
    """``frame`` with its whole-number columns in the smallest integer type that holds them
    (positions and step indexes: 2 bytes, not 8, in the training chart's ~20,000 rows)."""
    for column in frame.select_dtypes("integer"):
        frame[column] = pd.to_numeric(frame[column], downcast="integer")
    return frame


def alt_text(name: str, values: dict) -> str:
    """What the chart shows, then its data in words (for screen readers and file metadata)."""
    return _alt_text(name, tuple(sorted(values.items())))


@functools.lru_cache(maxsize=256)  # as _build: a warm rerun does not describe the data again
def _alt_text(name: str, items: tuple) -> str:
    return f"{FIGURES[name].summary} {describe(_build(name, items))}"


__all__ = ["FIGURES", "Built", "FigureSpec", "alt_text", "build", "linked"]
