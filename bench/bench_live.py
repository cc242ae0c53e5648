"""Dragging a live figure's own slider -> the figure redrawn in the browser, in frames.

    .venv/bin/python bench/bench_live.py [--moves 60] [--only FIGURE_ID] [--floor-presses 20]
                                         [--devices desktop,phone] [--compare REV]

Starts the explorer (app.py) and bench/trivial_app.py (one slider, one chart: Streamlit's floor
for a key press, as in bench_latency.py) on free loopback ports in one run, and drags on two
devices in the same run: ``desktop`` (1400x1000) and ``phone`` (390x844, ``is_mobile``,
``has_touch``, the CPU slowed 4x by Chromium's own ``Emulation.setCPUThrottlingRate`` through a
CDP session: a common stand-in for a budget phone; pages load unthrottled, the frame interval
and the drags run throttled). ``--compare REV`` also drags, on each device and figure by figure
beside this tree's, with REV's ``ui/live/runtime.js`` (served in place of the bundle; the math is
this tree's), so that before and after meet the same load on a shared machine.

On each device's first page it measures the browser's animation-frame interval (median of 120
requestAnimationFrame deltas). Then, for every live figure (``[data-live-figure]``, the pages
and tabs below) and each of its own sliders (``<input type="range">`` in the figure), it
"drags" the slider ``--moves`` times after 5 unmeasured moves (the drag's first move, a full
redraw, is among them): each move sets the input to the
next position (bouncing between min and max, so every move changes the value; a sweep takes at
most ~30 moves) and dispatches an ``input`` event, as a drag does (no ``change``: no rerun).
On the page's own clock it times, from just before the dispatch, (a) the figure's data changing
(``data-redraws`` incremented; without it, the graph's y arrays differing) and (b) the first
animation frame whose callbacks have seen the change (a requestAnimationFrame callback
requested right after the dispatch: it runs after a redraw the runtime does in that frame's
callbacks), then waits for that frame to be painted (a task after it: "painted ms", style,
layout and paint included) before the next move. Times are also given in frames (ms / frame
interval); per slider it also prints the median time inside Plotly.react and Plotly.relayout
(a full redraw; 0 when the moves draw the curves only) and how many moves left every y value
as it was (a saturated curve: still redrawn). The floor is the median time from ArrowRight on
trivial_app's slider to its chart redrawn after the rerun, on the desktop (half the presses
before the live figures, half after, so drift averages out).

Prints figures only (targets, per device: median <= 1.2 frames, p95 <= 3 frames over all
moves); it asserts nothing about time. It exits non-zero when a live figure or one of its
sliders is missing, or a move is never redrawn. Needs chromium on PATH and the playwright package.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e"), str(ROOT / "bench")]

from bench_latency import press_ms  # noqa: E402
from e2e_util import (CHROMIUM_ARGS, VIEWPORT, chromium_path, page_url, settle,  # noqa: E402
                      streamlit_server)
from ui.state import nav

WARMUP = 5  # first moves of a slider pay one-off costs (JIT, plotly's first react on new data)
FRAME_SAMPLES = 120
TARGET_MEDIAN, TARGET_P95 = 1.2, 3.0  # frames

# (page in ui.state.nav.BY_NAME, tab = the ``view`` URL parameter, figure id, its sliders' URL keys)
LIVE = (
    ("overview", 0, "recovery_by_position", ("mu", "gamma", "p_base", "beta")),
    ("deep_alignment", 0, "recovery_by_position", ("mu", "gamma", "p_base", "beta")),
    ("deep_alignment", 1, "kl_by_position", ("mu", "gamma", "p_base", "beta")),
    ("robustness", 0, "recoverability_by_depth", ("mu", "gamma", "p_base", "beta")),
    ("robustness", 1, "attack_length_vs_mu", ("delta", "p_base", "beta")),
)

# The figure's root by id, in the document or in any open shadow root (Components v2 puts a
# component in one when it isolates its styles).
FIND_ROOT = """
const findRoot = (id) => {
  const sel = `[data-live-figure="${CSS.escape(id)}"]`;
  const walk = (node) => {
    const hit = node.querySelector(sel);
    if (hit) return hit;
    for (const el of node.querySelectorAll('*'))
      if (el.shadowRoot) { const h = walk(el.shadowRoot); if (h) return h; }
    return null;
  };
  return walk(document);
};
"""

# The figure's slider names once its graph is drawn, else null.
READY_JS = "(id) => {" + FIND_ROOT + """
  const root = findRoot(id);
  if (!root || !root.querySelector('.js-plotly-plot .main-svg')) return null;
  const names = [...root.querySelectorAll('input[type="range"]')].map(e => e.name);
  return names.length ? names : null;
}"""

FRAME_INTERVAL_JS = """async (n) => {
  const frame = () => new Promise(r => requestAnimationFrame(r));
  let last = await frame();
  const deltas = [];
  for (let i = 0; i < n; i++) { const t = await frame(); deltas.push(t - last); last = t; }
  return deltas;
}"""

# Drag slider `name` of figure `id`: `warmup + moves` input events, one per frame. Returns
# {moves: [[data ms, frame ms, y changed?, ms inside Plotly.react], ...], lost, counter,
#  positions, stride} or {error}.
DRAG_JS = "async ([id, name, moves, warmup]) => {" + FIND_ROOT + """
  const root = findRoot(id);
  if (!root) return {error: `no [data-live-figure="${id}"]`};
  const input = root.querySelector(`input[type="range"][name="${CSS.escape(name)}"]`);
  if (!input) return {error: `no slider named ${name}`};
  const gd = root.querySelector('.js-plotly-plot');
  if (!gd) return {error: 'no .js-plotly-plot'};
  root.scrollIntoView({block: 'center'});
  const frame = () => new Promise(r => requestAnimationFrame(() => r(performance.now())));
  const channel = new MessageChannel();
  const task = () => new Promise(r => {
    channel.port1.onmessage = () => r(performance.now());
    channel.port2.postMessage(0);
  });
  const ys = () => (gd.data || []).map(t => Array.from(t.y || []));
  const same = (a, b) => a.length === b.length &&
    a.every((ya, i) => ya.length === b[i].length && ya.every((v, j) => Object.is(v, b[i][j])));
  const lo = +input.min, hi = +input.max;
  let step = parseFloat(input.step);
  if (!(step > 0)) step = (hi - lo) / 100;  // step="any"
  const positions = Math.round((hi - lo) / step) + 1;
  const stride = Math.max(1, Math.ceil((positions - 1) / 30)) * step;
  let dir = 1;
  const moveTo = () => {  // the next position, bouncing at min and max; false if stuck
    const old = input.value;
    for (let tries = 0; tries < 2; tries++) {
      const next = Math.min(hi, Math.max(lo, +old + dir * stride));
      input.value = String(next);
      if (input.value !== old) return true;
      dir = -dir;
    }
    return false;
  };
  // Time spent inside Plotly.react and Plotly.relayout per move (the rest of "data ms" is the
  // runtime's own work).
  const plotly = window.Plotly, react = plotly && plotly.react, relayout = plotly && plotly.relayout;
  let inReact = 0;
  const timed = (fn) => function (...a) {
    const t = performance.now();
    try { return fn.apply(this, a); } finally { inReact += performance.now() - t; }
  };
  if (react) { plotly.react = timed(react); plotly.relayout = timed(relayout); }
  await frame(); await frame();  // scrolled and painted
  const out = [];
  let lost = 0;
  try {
    for (let i = 0; i < warmup + moves; i++) {
      await task();  // each move in a fresh task, after the previous move's frame, as input comes
      const before = root.dataset.redraws;
      const y0 = ys();
      inReact = 0;
      const changed = () => before !== undefined ? root.dataset.redraws !== before
                                                 : !same(y0, ys());
      if (!moveTo()) return {error: `slider ${name} does not move (${input.min}..${input.max})`};
      const t0 = performance.now();
      input.dispatchEvent(new Event('input', {bubbles: true}));
      let tData = changed() ? performance.now() : null;
      // The frame after the dispatch, requested after it: a redraw the runtime does in that
      // frame's animation callbacks (requested during the dispatch) runs before this one.
      let tFrame = await frame();
      if (tData === null && changed()) tData = tFrame;
      else if (tData === null) tData = await new Promise(resolve => {  // a redraw later than the event
        const done = (t) => { obs.disconnect(); resolve(t); };
        const obs = new MutationObserver(() => { if (changed()) done(performance.now()); });
        obs.observe(root, {attributes: true, childList: true, subtree: true});
        const poll = () => changed() ? done(performance.now())
          : performance.now() - t0 > 1000 ? done(null) : requestAnimationFrame(poll);
        requestAnimationFrame(poll);
      });
      if (tData === null) { if (i >= warmup) lost += 1; continue; }
      if (tData > tFrame) tFrame = await frame();
      const tPaint = await task();  // after that frame's style, layout and paint
      if (i >= warmup) out.push([tData - t0, tFrame - t0, !same(y0, ys()), react ? inReact : null,
                              input.dataset.value ?? input.value, tPaint - t0]);
    }
  } finally {
    if (react) { plotly.react = react; plotly.relayout = relayout; }
  }
  return {moves: out, lost, counter: root.dataset.redraws !== undefined, positions,
          stride: stride / step};
}"""


def p95(xs):
    if len(xs) < 2:
        return max(xs)
    return statistics.quantiles(xs, n=20, method="inclusive")[-1]


def frame_interval(page) -> float:
    return statistics.median(page.evaluate(FRAME_INTERVAL_JS, FRAME_SAMPLES))


def open_figure(page, url: str, fig_id: str) -> list[str] | None:
    """Load ``url``, wait until the app is idle and the figure drawn; its slider names or None."""
    page.goto(url)
    settle(page, timeout=60_000)
    try:
        page.wait_for_function(READY_JS, arg=fig_id, timeout=30_000)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError: the figure is not there
        return None
    settle(page)
    return page.evaluate(READY_JS, fig_id)


def drag(page, fig_id: str, name: str, moves: int) -> dict:
    return page.evaluate(DRAG_JS, [fig_id, name, moves, WARMUP])


# The phone run: a phone-sized viewport with touch, its CPU slowed 4x by Chromium's own
# throttle (Emulation.setCPUThrottlingRate, a common stand-in for a budget phone). Pages load
# unthrottled (Streamlit's start-up is not what is measured); the frame interval and the drags
# run throttled.
DEVICES = {
    "desktop": {"context": {"viewport": VIEWPORT}, "throttle": 1},
    "phone": {"context": {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                          "has_touch": True}, "throttle": 4},
}


def device_label(name: str) -> str:
    d = DEVICES[name]
    v = d["context"]["viewport"]
    extra = f", touch, CPU {d['throttle']}x slower" if d["throttle"] > 1 else ""
    return f"{name} {v['width']}x{v['height']}{extra}"


def old_bundle(rev: str) -> str:
    """The live bundle with ``rev``'s runtime.js (the math is printed from this tree's
    derivations, as the app's own bundle is), for a before/after comparison in one run."""
    import subprocess

    from ui.live import assets, jsmath

    runtime = subprocess.run(["git", "show", f"{rev}:ui/live/runtime.js"], cwd=ROOT, text=True,
                             capture_output=True, check=True).stdout
    return jsmath.source() + "\n" + runtime + assets._EXPORT


class Variant:
    """One browser page of one device, drawing with this tree's runtime or with ``rev``'s."""

    def __init__(self, browser, device: str, rev: str | None):
        self.device, self.rev = device, rev
        self.ctx = browser.new_context(**DEVICES[device]["context"])
        if rev:
            text = old_bundle(rev)
            self.ctx.route("**/app/static/live-*.js", lambda route: route.fulfill(
                status=200, content_type="text/javascript", body=text))
        self.page = self.ctx.new_page()
        self.cdp = self.ctx.new_cdp_session(self.page)
        self.interval = None
        self.results = []  # (where, figure id, slider, result dict)

    @property
    def label(self) -> str:
        return device_label(self.device) + (f", runtime.js of {self.rev}" if self.rev else "")

    def throttle(self, on: bool) -> None:
        rate = DEVICES[self.device]["throttle"] if on else 1
        self.cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})


def report(v: Variant, interval: float) -> list[float]:
    """Print one variant's table and per-figure lines; its frame times (ms) over all moves
    (``v.painted``: its painted times)."""
    print(f"\n== {v.label} ==")
    print(f"frame interval: {interval:.2f} ms "
          f"(median of {FRAME_SAMPLES} requestAnimationFrame deltas)")
    print("input event -> next frame (drag)" + " " * 28 + "data ms plotly ms  median ms   p95 ms"
          "  median fr   p95 fr    n  same y  painted ms")
    for where, fig_id, name, r in v.results:
        data = [m[0] for m in r["moves"]]
        frame = [m[1] for m in r["moves"]]
        same_y = sum(not m[2] for m in r["moves"])
        react = [m[3] for m in r["moves"] if m[3] is not None]
        painted = [m[5] for m in r["moves"]]
        label = f"{fig_id} ({where}) [{name}]"
        print(f"{label:<60} {statistics.median(data):7.1f} "
              f"{statistics.median(react) if react else float('nan'):9.1f} "
              f"{statistics.median(frame):10.1f} {p95(frame):8.1f} "
              f"{statistics.median(frame) / interval:10.2f} {p95(frame) / interval:8.2f} "
              f"{len(frame):4d} {same_y:7d} {statistics.median(painted):11.1f}")
    shown = []
    for where, fig_id, *_ in v.results:
        if (where, fig_id) not in shown:
            shown.append((where, fig_id))
    everything = []
    v.painted = [m[5] for *_, r in v.results for m in r["moves"]]
    for where, fig_id in shown:
        frame = [m[1] for w, f, _, r in v.results if (w, f) == (where, fig_id) for m in r["moves"]]
        everything += frame
        print(f"live figure {fig_id} ({where}): median {statistics.median(frame) / interval:.2f} "
              f"frames ({statistics.median(frame):.1f} ms), p95 {p95(frame) / interval:.2f} frames")
    return everything


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--moves", type=int, default=60, help="measured moves per slider (>= 60)")
    ap.add_argument("--only", metavar="FIGURE_ID",
                    help="only this live figure (on every page that has it)")
    ap.add_argument("--devices", default="desktop,phone",
                    help=f"comma-separated, of {', '.join(DEVICES)} (default: both)")
    ap.add_argument("--compare", metavar="REV",
                    help="also drag with REV's runtime.js, figure by figure beside this tree's")
    ap.add_argument("--floor-presses", type=int, default=20,
                    help="measured ArrowRight presses on trivial_app.py (the floor)")
    args = ap.parse_args()
    figures = [f for f in LIVE if args.only in (None, f[2])]
    if not figures:
        known = ", ".join(sorted({f[2] for f in LIVE}))
        sys.exit(f"--only {args.only}: not a live figure ({known})")
    devices = [d.strip() for d in args.devices.split(",") if d.strip()]
    if not devices or set(devices) - set(DEVICES):
        sys.exit(f"--devices {args.devices}: not among {', '.join(DEVICES)}")
    path = chromium_path()
    if path is None:
        sys.exit("no chromium on PATH (bash scripts/ensure_chromium.sh)")
    from playwright.sync_api import sync_playwright

    problems = []
    with (sync_playwright() as pw,
          streamlit_server("app.py", "bench-live-app.log") as (app, _),
          streamlit_server("bench/trivial_app.py", "bench-live-trivial.log") as (trivial, _)):
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        half = max(1, args.floor_presses // 2)
        _, floor, _, _ = press_ms(browser, trivial + "/", half, slider=0)
        variants = [Variant(browser, d, rev) for d in devices
                    for rev in ([args.compare] if args.compare else []) + [None]]
        for page_name, view, fig_id, expected in figures:
            info = nav.BY_NAME[page_name]
            url = page_url(app, info, default=info is nav.PAGES[0])
            url += f"?view={view}" if view else ""
            where = info.title + (f", tab {view}" if view else "")
            for v in variants:  # figure by figure, so that the machine's drift falls on all
                v.throttle(False)
                names = open_figure(v.page, url, fig_id)
                v.throttle(True)
                if v.interval is None:  # on a loaded, idle page of the app, before any drag
                    v.interval = frame_interval(v.page)
                if names is None:
                    problems.append(f"{v.label}: live figure {fig_id} on {where}: not found at {url}")
                    continue
                missing = [n for n in expected if n not in names]
                if missing:
                    problems.append(f"{v.label}: live figure {fig_id} on {where}: "
                                    f"no slider {', '.join(missing)}")
                extra = [n for n in names if n not in expected]  # measured too, in DOM order
                for name in [n for n in expected if n in names] + extra:
                    r = drag(v.page, fig_id, name, args.moves)
                    if "error" in r:
                        problems.append(f"{v.label}: live figure {fig_id} on {where} [{name}]: "
                                        f"{r['error']}")
                        continue
                    if r["lost"]:
                        problems.append(f"{v.label}: live figure {fig_id} on {where} [{name}]: "
                                        f"{r['lost']} moves never redrawn")
                    if r["moves"]:
                        v.results.append((where, fig_id, name, r))
        for v in variants:
            v.ctx.close()
        _, more, _, _ = press_ms(browser, trivial + "/", max(1, args.floor_presses - half), slider=0)
        floor += more
        browser.close()

    print(f"trivial key press -> chart redrawn (desktop): median {statistics.median(floor):.0f} ms, "
          f"p95 {p95(floor):.0f} ms (n {len(floor)})")
    overall = []
    for v in variants:
        interval = v.interval if v.interval is not None else float("nan")
        overall.append((v, interval, report(v, interval)))
    print()
    measured = False
    for v, interval, everything in overall:
        if not everything:
            print(f"live overall, {v.label}: nothing measured")
            continue
        measured = True
        med, top = statistics.median(everything), p95(everything)
        met = ("met" if med / interval <= TARGET_MEDIAN and top / interval <= TARGET_P95
               else "not met")
        print(f"live overall, {v.label}: median {med / interval:.2f} frames ({med:.1f} ms), "
              f"p95 {top / interval:.2f} frames ({top:.1f} ms), n {len(everything)}; "
              f"target {met}")
        painted = statistics.median(v.painted), p95(v.painted)
        print(f"  painted: median {painted[0] / interval:.2f} frames ({painted[0]:.1f} ms), "
              f"p95 {painted[1] / interval:.2f} frames ({painted[1]:.1f} ms)")
        if v.device == "desktop":
            print(f"  ratio live / trivial key press: {med / statistics.median(floor):.2f}")
    print(f"targets: median <= {TARGET_MEDIAN} frames, p95 <= {TARGET_P95:.0f} frames")
    for p in problems:
        print(f"problem: {p}")
    if problems or not measured:
        sys.exit(1)


if __name__ == "__main__":
    main()
