"""Page 3 figures: ||g_t|| with the Theorem 13 bound, and an animated gradient-descent run."""

from __future__ import annotations


from ._plot import Plot, shade_horizon
from ._style import BOUND, DEEP, EXTRA, SHALLOW, line_style
from .table import BY_POSITION, Built
from .toy_common import EXACT, padded_max, position_axis


def build_gradient_norms(d: dict) -> Built:
    """Theorem 8 norms ||g_t|| against the Lemma 12 and Theorem 13 bounds."""
    t, k = d["t"], d["k"]
    p = Plot()
    p.scatter(t, d["thm13"], name="Theorem 13 bound √(Iₜ·E[tr Fₜ])", mode="lines+markers",
              hovertemplate=EXACT, **line_style(BOUND, max_markers=60))
    p.scatter(t, d["lemma12"], name="Lemma 12 bound E[√(Var·tr F)]", mode="lines+markers",
              hovertemplate=EXACT, **line_style(EXTRA[0], width=2, max_markers=60))
    p.scatter(t, d["norm"], name="‖gₜ‖ (Theorem 8, exact)", mode="lines+markers",
              hovertemplate=EXACT, **line_style(DEEP, max_markers=60))
    shade_horizon(p, min(k, len(t)))
    position_axis(p, len(t))
    p.yaxis(title="gradient norm ‖∇_θₜ E[H]‖", range=[0, padded_max(d["thm13"], d["norm"])],
            tickformat=".2~g")
    return p.built(height=380, positions=BY_POSITION)


_RUNS = (("standard", SHALLOW), ("deep", DEEP))
_ROWS = (("grad", EXACT), ("kl", EXACT + " nats"))  # row 1: gradient norm, row 2: KL_t


def build_training(std: dict, deep: dict, *, mu: float, gamma: float) -> Built:
    """Per-position gradient norm (top) and KL_t (bottom) over the steps; standard (left) and
    deep (right), each with its own scale (deep KL is often 100x the standard one).
    Plotly frames, one per recorded step, with a step slider and a play button: the browser
    animates without a server round trip. Dotted: the exact optimum's KL_t the run approaches.
    The page draws these frames as a linked view (``ui.figures.linked.training``); files and
    tables read this figure (its traces: the last step).
    """
    T, k, steps = len(std["t"]), std["k"], std["steps"]
    last = len(steps) - 1
    names = ("standard RLHF (μ = 0)", f"deep (μ = {mu:g}, γ = {gamma:g})")
    p = Plot(rows=2, cols=2, vertical_spacing=0.1, horizontal_spacing=0.12,
             titles=("standard (μ = 0)", f"deep (μ = {mu:g})"))  # the legend has γ too
    runs = (std, deep)
    # Traces 0-3 move (frames update them in this order); the exact-optimum lines stay.
    for col, ((label, style), run) in enumerate(zip(_RUNS, runs), start=1):
        for row, (key, hover) in enumerate(_ROWS, start=1):
            p.scatter(run["t"], run[key][last], name=names[col - 1], legendgroup=label,
                      showlegend=row == 1, mode="lines+markers", hovertemplate=hover,
                      row=row, col=col, **line_style(style, max_markers=60))
    for col, run in enumerate(runs, start=1):
        p.scatter(run["t"], run["exact_kl"], name="exact optimum KLₜ", mode="lines",
                  legendgroup="exact", showlegend=col == 2, hovertemplate=EXACT + " nats",
                  row=2, col=col, line={"color": "grey", "dash": "dot", "width": 1.5})
    # Frames carry only the moving y values (styles stay from the traces): st.plotly_chart
    # serialises the whole figure on every rerun, so a lean figure keeps reruns fast.
    # The gradient row rescales to each step (it shrinks ~100x as training converges, and its
    # shape, zero beyond k for standard, is the point); the KL row keeps one scale to show growth.
    frames = [{"data": [{"type": "scatter", "y": run[key][i]} for run in runs for key, _ in _ROWS],
               "traces": [0, 1, 2, 3], "name": str(s), "layout": _grad_ranges(runs, i)}
              for i, s in enumerate(steps)]
    for col, run in enumerate(runs, start=1):
        for row in (1, 2):  # named above the lower row: the run's title is above the top one
            shade_horizon(p, min(k, T), row=row, col=col, label=row == 2)
        p.yaxis(row=2, col=col, range=[0, padded_max(run["kl"], run["exact_kl"])])
        position_axis(p, T, col=col, title="position t")  # two short titles side by side
    p.yaxis(tickformat=".2~g")  # plain decimals: an SI "300μ" would read as the penalty μ
    p.yaxis(row=1, col=1, title="‖∇ₜ J‖ (all states)")
    p.yaxis(row=2, col=1, title="KLₜ (nats)")
    p.update(sliders=[_step_slider(steps)], updatemenus=[_play_buttons()],
             margin={"b": _SLIDER + _LEGEND, "l": 90}, **_grad_ranges(runs, last))
    return p.built(height=620, frames=frames, positions=BY_POSITION)


_FRAME = {"duration": 120, "redraw": True}
# Room under the plots (px): the x axes, the step slider and the play buttons (plotly stacks
# those), then up to three legend rows, which plotly does not stack with the slider.
_SLIDER, _LEGEND = 150, 66


def _grad_ranges(runs, i: int) -> dict:
    """Layout of the gradient row (y axes 1 and 2) scaled to recorded step i."""
    return {f"yaxis{'' if col == 1 else col}": {"range": [0, padded_max(run["grad"][i])]}
            for col, run in enumerate(runs, start=1)}


def _step_slider(steps) -> dict:
    """Plotly's own slider over the recorded steps, starting at the last one."""
    return {"active": len(steps) - 1, "currentvalue": {"prefix": "gradient step "},
            "pad": {"t": 50},
            "steps": [{"label": str(s), "method": "animate",
                       "args": [[str(s)], {"mode": "immediate", "frame": _FRAME,
                                           "transition": {"duration": 0}}]} for s in steps]}


def _play_buttons() -> dict:
    play = {"label": "▶ Play", "method": "animate",
            "args": [None, {"frame": _FRAME, "fromcurrent": False, "transition": {"duration": 0}}]}
    pause = {"label": "❚❚", "method": "animate",
             "args": [[None], {"mode": "immediate", "frame": {"duration": 0, "redraw": False}}]}
    return {"type": "buttons", "direction": "left", "x": 0.0, "y": 0.0, "xanchor": "right",
            "yanchor": "top", "pad": {"t": 50, "r": 10}, "buttons": [play, pause]}
