"""Which figures are live, which sliders they carry, and which generated function draws each trace.

A live figure is one of ``ui.catalog``'s closed-form figures whose traces the browser can
recompute from Theorem 20, Theorem 22 and Corollary 23 alone (``ui.live.jsmath``). The server
still builds the figure (layout, styles, labels); :func:`payload` strips its data and says, per
trace and in trace order, which generated function fills it in, with which arguments: a
parameter's URL key, a number, or ``"$x"`` for the x value. Figures that need the toy engine
stay on the server.

Pinned parameter sets (``values["pin"]``, ``ui.state.pins``) are the figure's last traces:
their data is sent as the server computed it (``{"fixed": {"x", "y"}}``) and stays still while the
sliders move the current set's curves; the y axes' rescaling counts them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import plotly.io as pio

from ui import catalog
from ui.catalog.closed import attack_gammas
from ui.data import closed as data
from ui.state import params as P, stops

# Log sliders here move in finer steps than the sidebar's 1-2-3-5 (which they include), so a
# drag moves the curve smoothly; the value sent on release is one of these round numbers.
FINE_MANTISSAS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)
POSITIONS = {"from": "k", "offset": 1, "to": "T"}  # t = k+1 .. T: beyond the horizon


@dataclass(frozen=True)
class LiveSpec:
    sliders: tuple[str, ...]  # parameters the figure's own sliders move
    x: dict  # POSITIONS, or {"logspace": (log10 first, log10 last, number of points)}
    series: object  # values -> [{"fn", "args", "name"?}], one per trace, in trace order
    # y axes to rescale while dragging (runtime.js ``rescale``): "traces" are the indices on it
    # ("all": every trace), "linear" the range without positive values, "require" the traces
    # that must be all positive for a log axis, "extra" parameters the range must show;
    # "scale": "linear" for an axis that stays linear (from 0 to the largest value); "counts": a
    # log axis of token counts, labelled in plain numbers (_style.log_ticks' ``counts``).
    axes: tuple[dict, ...] = ()


def _recovery(v):
    return [{"fn": "recoveryProbability", "args": ["p_base", 0, "beta", "gamma", "$x"]},
            {"fn": "recoveryProbability", "args": ["p_base", "mu", "beta", "gamma", "$x"],
             "name": "deep, μ = {mu}, γ = {gamma}"}]


def _kl(v):
    return [{"fn": "klCap", "args": ["p_base", "mu", "beta", "gamma", "$x"]},
            {"fn": "recoveryKl", "args": ["p_base", "mu", "beta", "gamma", "$x"]}]


def _depth(v):
    return [{"fn": "recoverabilityBound", "args": ["p_base", "mu", "beta", "gamma", "$x"]},
            {"fn": "totalKlBound", "args": ["p_base", "mu", "beta", "gamma", "k", "$x"]}]


def _attack(v):
    return [{"fn": "minAttackLength", "args": ["delta", "p_base", "$x", "beta", g, "k"]}
            for g in attack_gammas(v["gamma"])]


LIVE: dict[str, LiveSpec] = {
    "recovery_by_position": LiveSpec(
        ("mu", "gamma", "p_base", "beta"), POSITIONS, _recovery,
        # log while the current set recovers at all (p > 0), as the server decides, pins or not
        ({"axis": "yaxis", "traces": [0, 1], "linear": [-0.03, 1.03], "require": [0, 1]},)),
    "kl_by_position": LiveSpec(
        ("mu", "gamma", "p_base", "beta"), POSITIONS, _kl,
        # log only while every KL*_t is positive, as the server decides (μ = 0 or p = 0: linear)
        ({"axis": "yaxis", "traces": [0, 1], "require": [1]},)),
    "recoverability_by_depth": LiveSpec(
        ("mu", "gamma", "p_base", "beta"), POSITIONS, _depth,
        ({"axis": "yaxis", "traces": [0], "linear": [-0.03, 1.03], "pad": 0.15,
          "extra": ["delta"], "require": [0]},
         {"axis": "yaxis2", "traces": [1], "scale": "linear"})),
    "attack_length_vs_mu": LiveSpec(
        ("delta", "p_base", "beta"), {"logspace": data.MU_GRID}, _attack,
        ({"axis": "yaxis", "traces": "all", "counts": True},)),
}


def fine_stops(p: P.Param) -> list[float]:
    """The stops of ``p``'s live log slider: the sidebar's stops and more between them."""
    fine = stops.log_options(p.log_min if p.lo == 0 else p.lo, p.hi, FINE_MANTISSAS)
    return [0.0, *fine] if p.lo == 0 else fine


def slider(name: str) -> dict:
    """What runtime.js needs to draw parameter ``name``'s slider (ui.state.params is the one table)."""
    p = P.PARAMS[name]
    words, _, symbol = p.label.rpartition(" ")
    words = words if words[1:2].isupper() else words[:1].lower() + words[1:]  # "KL weight" stays
    spec = {"name": name, "label": p.label, "symbol": symbol, "aria": f"{symbol}, {words}"}
    if p.scale == "log":
        spec["stops"] = fine_stops(p)
    else:
        spec |= {"min": p.lo, "max": p.hi, "step": p.step}
    return spec


def payload(name: str, values: dict) -> dict:
    """Everything runtime.js's ``liveMount`` needs for figure ``name`` at ``values``: the
    server's figure without its trace data, the series to compute, the sliders, the values."""
    spec = LIVE[name]
    built = catalog.build(name, values)
    fig = json.loads(pio.to_json(built, validate=False))
    series = spec.series(values)
    live = len(series)
    # the pinned sets' traces come after the live ones: sent with their data, drawn as they are
    series += [{"fixed": {"x": _plain(t.x), "y": _plain(t.y)}} for t in built.data[live:]]
    for trace in fig["data"]:
        for key in ("x", "y"):
            trace.pop(key, None)
    assert len(series) == len(fig["data"]), f"{name}: one live series per trace"
    axes = [_with_pins(a, fig["data"], live) for a in spec.axes]
    x = dict(spec.x)
    used = {a for s in series for a in s.get("args", ()) if isinstance(a, str) and a != "$x"}
    used |= {k for s in series for k in _template_keys(s.get("name", ""))}
    used |= {x.get("from"), x.get("to")} - {None}
    used |= {e for axis in spec.axes for e in axis.get("extra", [])}
    return {
        "id": name,
        "figure": {"data": fig["data"], "layout": fig["layout"]},
        "config": {"displaylogo": False, "responsive": True},
        "x": x,
        "series": series,
        "axes": axes,
        "sliders": [slider(s) for s in spec.sliders],
        "params": {k: _number(values[k]) for k in sorted(used | set(spec.sliders))},
    }


def _with_pins(axis: dict, traces: list[dict], live: int) -> dict:
    """An axis spec whose "traces" also list the pinned traces drawn on that axis ("all": every
    trace), so that a rescale keeps them in view."""
    if axis.get("traces") == "all":
        return {**axis, "traces": list(range(len(traces)))}
    on_axis = [i for i in range(live, len(traces))
               if "yaxis" + traces[i].get("yaxis", "y")[1:] == axis["axis"]]
    return {**axis, "traces": list(axis["traces"]) + on_axis}


def _template_keys(text: str) -> list[str]:
    import re

    return re.findall(r"\{(\w+)\}", text)


def _plain(values) -> list:
    """Numbers as a JSON list (plotly.io would send numpy arrays base64-encoded); a value that
    is missing or not finite is a gap (None), as the generated functions' results are."""
    return [None if v is None or not np.isfinite(v) else _number(v) for v in values]


def _number(x):
    return int(x) if isinstance(x, (int, np.integer)) else float(x)
