"""Sidebar of the toy-model pages (2-4) and the attack panel: the model picker and its parameters;
and what a toy page says when ``ui.data.toy`` refuses a model, shortens a run or a run diverges.

The picker is the app parameter ``toy_model`` (0, 1, 2 = ``ui.data.toy.MODELS``), shown as a
segmented control instead of a slider; it writes through ``ui.state.url.set_value`` like every other
widget, so it is in the URL too. Only the chosen model's parameters are shown.
"""

from __future__ import annotations

import streamlit as st

from ui.claims import toy as claims
from ui.data import budget, toy as data_toy
from ui.state import nav, url as state

from . import layout, widgets
from .attempt import attempt

_KEY = "_w_toy_model"


def _picked() -> None:
    label = st.session_state[_KEY]
    if label is not None:  # a segmented control can be clicked off: keep the model then
        state.set_value("toy_model", data_toy.MODELS.index(label))


def picker(container=None) -> int:
    """The toy-model chooser; returns the chosen index."""
    box = container if container is not None else st.sidebar
    i = int(state.get("toy_model"))
    st.session_state[_KEY] = data_toy.MODELS[i]
    box.segmented_control("Toy harm model", data_toy.MODELS, key=_KEY, on_change=_picked,
                          help="Three exact finite-state models of how harm is decided. Positions 1-indexed.")
    return i


def control(name: str, container=None):
    return widgets.control(name, container, slider=name != "seed")


def sidebar(page: str, extra: list[str], *, presets: bool = False) -> dict:
    """Model picker, the chosen model's parameters, then ``extra``; returns all current values.

    Call it first on the page (like ``ui.page.layout.sidebar``, it is drawn after the page).
    """
    def draw():
        if presets:
            widgets.preset_links(nav.BY_NAME[page].path, st.sidebar)
        st.sidebar.markdown("**Toy model**")
        i = picker(st.sidebar)
        for name in data_toy.MODEL_PARAMS[i]:
            control(name, st.sidebar)
        if extra:
            st.sidebar.markdown("**Page parameters**")
        for name in extra:
            control(name, st.sidebar)
        layout.footer()

    layout.defer_sidebar(draw)
    return state.values()


def describe(v: dict, container=None) -> None:
    """One paragraph saying which model is on screen (its case computed from its horizon)."""
    i = int(v["toy_model"])
    horizon, _ = data_toy.attempt(data_toy.exact_horizon, data_toy.spec(v))
    text = claims.description(i, v, horizon if horizon is not None else -1)
    (container or st).markdown(f"**Toy model: {data_toy.MODELS[i]}.** {text}")


def model_or_stop(fn, *args, spinner: str = "Computing…"):
    """Run ``fn(*args)`` with a spinner; if the engine rejects the model, warn and end the page
    (``attempt``'s warning: a tab's refusal and the page's read alike)."""
    result = attempt(fn, *args, spinner=spinner,
                     failed="This page cannot compute the toy model with these parameters")
    if result is None:
        raise nav.EndPage
    return result


def note_shortened(s: tuple, steps: int, run_steps: int) -> None:
    """Say so when a training run was shortened to fit in a request."""
    if run_steps < steps:
        st.info(f"This toy model has {data_toy.cells(s):,} logits (T·|S|·|V|): {run_steps} of "
                f"the {steps} training steps fit in the {budget.REQUEST_SECONDS:g} s of server time "
                "a request may take. A smaller model trains longer.", icon=":material/speed:")


def warn_if_diverged(runs: dict, lr: float) -> None:
    """Say which of ``{label: ui.data.toy.training(...)}`` ended above where they started (too
    large a step)."""
    bad = [label for label, run in runs.items() if run["diverged"]]
    if bad:
        st.warning(f"{' and '.join(bad).capitalize()} training diverged at learning rate {lr:g}: "
                   "the objective ended higher than it started, so these curves show the "
                   "oscillation, not the optimum. Lower the learning rate (Gradients page).",
                   icon="⚠️")


conventions = layout.conventions
