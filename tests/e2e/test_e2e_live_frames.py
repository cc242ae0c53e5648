"""Live figures draw a drag's moves cheaply and still tell the truth: input events are drawn once
per animation frame at the last value, no more points than the plot has pixel columns (each
still theory's to 1e-9), the curves' SVG drawn by runtime.js is the one plotly draws for the
same data, and a drag's axes hold still from its first move on, even across p_base = 0.
Speed itself is measured in bench/bench_live.py, not here.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import theory
from e2e_util import LIVE, live_release, page_url, settle
from ui import catalog
from ui.live import specs
from ui.state import nav, params as P

pytestmark = pytest.mark.e2e

DEEP = nav.BY_NAME["deep_alignment"]
RECOVERY = "recovery_by_position"

# Set slider `name` to each of `positions` and fire `input` for each, all in one task (a slow
# device's queued touch moves); the redraw count right after, and two frames later.
BURST = """async ([sel, name, positions]) => {
  const root = document.querySelector(sel);
  const input = root.querySelector(`input[type="range"][name="${name}"]`);
  const before = +root.dataset.redraws;
  for (const p of positions) {
    input.value = String(p);
    input.dispatchEvent(new Event('input', {bubbles: true}));
  }
  const now = +root.dataset.redraws - before;
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  await frame(); await frame();
  return [now, +root.dataset.redraws - before];
}"""

# One move of a drag, then two frames: what is drawn. Per trace: its data, and from the SVG its
# line paths and its markers ([data index, "translate(x,y)"]); the axes' pixel sizes and types.
MOVE = """async ([sel, name, position]) => {
  const root = document.querySelector(sel);
  if (name) {
    const input = root.querySelector(`input[type="range"][name="${name}"]`);
    input.value = String(position);
    input.dispatchEvent(new Event('input', {bubbles: true}));
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    await frame(); await frame();
  }
  return (DRAWN)(root);
}"""

DRAWN = """(root) => {
  const gd = root.querySelector('.js-plotly-plot');
  const traces = [...gd.querySelectorAll('.scatterlayer .trace')].map((g) => ({
    index: g.__data__[0].trace.index,
    lines: [...g.querySelectorAll('.lines path.js-line')].map((p) => p.getAttribute('d') || ''),
    points: [...g.querySelectorAll('.points path.point')]
      .filter((p) => p.getAttribute('display') !== 'none')
      .map((p) => [p.__data__.i, p.getAttribute('transform')]),
  }));
  const axis = (name) => gd._fullLayout[name] &&
    {type: gd._fullLayout[name].type, length: gd._fullLayout[name]._length,
     range: [...gd._fullLayout[name].range]};
  return {data: gd.data.map((t) => ({x: Array.from(t.x), y: Array.from(t.y)})), traces,
          xaxis: axis('xaxis'), yaxis: axis('yaxis'),
          layouts: +root.dataset.layouts, redraws: +root.dataset.redraws};
}"""


def _move(page, figure, name=None, position=None) -> dict:
    return page.evaluate(MOVE.replace("DRAWN", DRAWN), [LIVE.format(figure), name, position])


def _open(new_page, info, server, query_string):
    page = new_page()
    page.goto(page_url(server, info, default=False) + query_string, timeout=60_000)
    settle(page, timeout=60_000)
    page.wait_for_selector(LIVE.format(RECOVERY if info is DEEP else "attack_length_vs_mu")
                           + " .js-plotly-plot .main-svg .trace", timeout=30_000)
    return page


def _recovery(values, mu, x):
    return theory.recovery_probability(values["p_base"], mu, values["beta"], values["gamma"],
                                       np.asarray(x, dtype=float))


def test_input_events_in_one_frame_are_drawn_once_at_the_last_value(new_page, server):
    page = _open(new_page, DEEP, server, "?view=0")
    stops = specs.slider("mu")["stops"]
    v = P.defaults()
    for burst in ((20.0, 30.0, 40.0, 50.0, 60.0), (8.0, 6.0, 2.0)):  # a drag's first moves, then later ones
        sync, after = page.evaluate(BURST, [LIVE.format(RECOVERY), "mu", [stops.index(m) for m in burst]])
        assert (sync, after) == (0, 1), burst
        drawn = _move(page, RECOVERY)
        np.testing.assert_allclose(drawn["data"][1]["y"], _recovery(v, burst[-1], drawn["data"][1]["x"]),
                                   rtol=1e-9)
        legend = page.locator(LIVE.format(RECOVERY) + " .legendtext").all_text_contents()
        assert legend[1] == f"deep, μ = {burst[-1]:g}, γ = {v['gamma']:g}"


def test_a_drag_draws_no_more_points_than_pixel_columns(new_page, server):
    page = _open(new_page, DEEP, server, "?view=0&T=1000")
    stops = specs.slider("mu")["stops"]
    v = P.defaults() | {"T": 1000}
    everything = np.arange(v["k"] + 1, v["T"] + 1)
    for mu in (20.0, 50.0):  # the drag's first (full) redraw, then a move of the curves only
        drawn = _move(page, RECOVERY, "mu", stops.index(mu))
        width = drawn["xaxis"]["length"]
        assert width < len(everything), "the case at issue: more positions than pixels"
        for trace in drawn["data"]:
            x = np.array(trace["x"])
            assert 0.9 * width <= len(x) <= math.ceil(width), (len(x), width)
            assert x[0] == everything[0] and x[-1] == everything[-1]
            assert np.all(np.isin(x, everything)) and np.all(np.diff(x) > 0)
        np.testing.assert_allclose(drawn["data"][1]["y"], _recovery(v, mu, drawn["data"][1]["x"]),
                                   rtol=1e-9)
        np.testing.assert_allclose(drawn["data"][0]["y"], v["p_base"], rtol=1e-12)
        if mu == 50.0:  # drawn by runtime.js: a corner per point (plotly's own drops some)
            deep = next(t for t in drawn["traces"] if t["index"] == 1)
            assert len(_vertices(deep["lines"][0])) == len(drawn["data"][1]["x"])
    live_release(page, RECOVERY, "mu")  # released: every position again
    page.wait_for_function("() => new URL(location.href).searchParams.get('mu') === '50.0'")
    settle(page)
    assert len(_move(page, RECOVERY)["data"][1]["x"]) == len(everything)


def _vertices(d: str) -> list[tuple[float, float]]:
    """The corners of an SVG path of M, L, H and V commands (absolute), in order."""
    out, x, y = [], 0.0, 0.0
    for cmd, args in re.findall(r"([MLHVZ])([^MLHVZ]*)", d):
        nums = [float(a) for a in re.findall(r"-?[\d.]+(?:e-?\d+)?", args)]
        if cmd in "ML":
            x, y = nums[0], nums[1]
        elif cmd == "H":
            x = nums[0]
        elif cmd == "V":
            y = nums[0]
        else:
            continue
        out.append((x, y))
    return out


def _distance_to_polyline(p, line) -> float:
    best = math.inf
    for (ax, ay), (bx, by) in zip(line, line[1:] or line):
        dx, dy = bx - ax, by - ay
        t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy)
                                                  / (dx * dx + dy * dy)))
        best = min(best, math.hypot(p[0] - ax - t * dx, p[1] - ay - t * dy))
    return best


def _same_drawing(ours: dict, plotly: dict) -> None:
    """runtime.js's SVG for the curves against plotly's own for the same data and axes: plotly
    drops corners that lie on the line (its simplify), so its corners are among ours and ours
    lie on its line; markers at the same places, to plotly's 0.01 px."""
    assert ours["yaxis"] == plotly["yaxis"] and ours["xaxis"] == plotly["xaxis"]
    theirs = {t["index"]: t for t in plotly["traces"]}
    for trace in ours["traces"]:
        other = theirs[trace["index"]]
        mine = "".join(trace["lines"])
        assert mine.count("M") == "".join(other["lines"]).count("M"), trace["index"]  # same gaps
        corners = [c for d in trace["lines"] for c in _vertices(d)]
        for d in other["lines"]:
            line = _vertices(d)
            for c in line:
                assert min(math.dist(c, m) for m in corners) < 0.02, (trace["index"], c)
            for m in corners:
                near = min(_distance_to_polyline(m, _vertices(e)) for e in other["lines"] if e)
                assert near < 0.5, (trace["index"], m)
        placed = dict(other["points"])
        assert {i for i, _ in trace["points"]} == set(placed), trace["index"]
        for i, transform in trace["points"]:
            a = [float(u) for u in transform[10:-1].split(",")]
            b = [float(u) for u in placed[i][10:-1].split(",")]
            assert math.dist(a, b) < 0.02, (trace["index"], i, transform, placed[i])


@pytest.mark.parametrize("info, figure, name, positions", [
    (DEEP, RECOVERY, "mu", (20.0, 50.0)),  # lines and markers on a log axis
    (nav.BY_NAME["robustness"], "attack_length_vs_mu", "delta", (0.6, 0.62)),  # steps with gaps
])
def test_the_curves_drawn_on_a_move_are_the_ones_plotly_draws(new_page, server, info, figure,
                                                              name, positions):
    page = _open(new_page, info, server, f"?view={catalog_view(figure)}")
    stops = specs.slider(name).get("stops")
    at = [stops.index(p) if stops else p for p in positions]
    _move(page, figure, name, at[0])  # the drag's first move: plotly's full redraw
    ours = _move(page, figure, name, at[1])
    assert ours["layouts"] == _move(page, figure)["layouts"]
    plotly = page.evaluate("""async ([sel]) => {
        const root = document.querySelector(sel);
        await Plotly.redraw(root.querySelector('.js-plotly-plot'));
        return (DRAWN)(root);
    }""".replace("DRAWN", DRAWN), [LIVE.format(figure)])
    assert plotly["layouts"] == ours["layouts"]  # the comparison was drawn by plotly alone
    _same_drawing(ours, plotly)


def catalog_view(figure: str) -> int:
    return catalog.FIGURES[figure].view


def test_a_drag_keeps_its_axes_until_the_curves_leave_them_even_across_p_base_zero(new_page, server):
    """Touching a slider moves no axis; a side the curves leave grows once, to everything the
    slider can reach there, so a drag down to p_base = 0 and up to its end redraws the axes at
    most twice, and the log axis stays log."""
    page = _open(new_page, DEEP, server, "?view=0")
    stops = specs.slider("p_base")["stops"]
    v = P.defaults()
    start = stops.index(v["p_base"])
    path = list(range(start, -1, -7)) + [0] + list(range(3, len(stops), 9)) + [len(stops) - 1]
    before = _move(page, RECOVERY)
    first = _move(page, RECOVERY, "p_base", path[0])  # the touch: the value as it was
    assert first["yaxis"] == before["yaxis"]
    last = first
    for position in path[1:]:
        drawn = _move(page, RECOVERY, "p_base", position)
        assert drawn["yaxis"]["type"] == "log", stops[position]
        lo, hi = drawn["yaxis"]["range"]
        assert lo <= last["yaxis"]["range"][0] and hi >= last["yaxis"]["range"][1], stops[position]
        last = drawn
        p = stops[position]
        values = v | {"p_base": p}
        np.testing.assert_allclose(np.array(drawn["data"][1]["y"], dtype=float),
                                   _recovery(values, v["mu"], drawn["data"][1]["x"]),
                                   rtol=1e-9)
        # every value the log axis can show is inside the plot: nothing leaves the view
        for trace in drawn["traces"]:
            for d in trace["lines"]:
                for _, y in _vertices(d):
                    assert -0.01 <= y <= drawn["yaxis"]["length"] + 0.01, (p, y)
        if p == 0:  # all zero: nothing a log axis can draw, until the release
            assert all(not "".join(t["lines"]) for t in drawn["traces"])
    page.evaluate("""([sel, position]) => {
        const input = document.querySelector(sel + ' input[name="p_base"]');
        input.value = String(position);
        input.dispatchEvent(new Event('input', {bubbles: true}));
    }""", [LIVE.format(RECOVERY), 0])
    assert first["layouts"] < last["layouts"] <= first["layouts"] + 2  # it went past both sides
    live_release(page, RECOVERY, "p_base")
    page.wait_for_function("() => new URL(location.href).searchParams.get('p_base') === '0.0'")
    settle(page)
    assert _move(page, RECOVERY)["yaxis"]["type"] == "linear"  # released at 0: as the server draws it
