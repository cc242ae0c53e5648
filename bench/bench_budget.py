"""Benchmark: what the largest allowed toy requests really cost, beside ``ui.data.budget``'s estimates.

Corners of the toy domain: each toy model at the parameter table's maxima (T_toy = k_toy = m_toy =
L = 2000, steps 5000, ft_steps 2000, n_paths 200; refuse-or-comply with decay 1 and 0.01), and
the largest model every page header still allows (bisection on T_toy with k_toy = m_toy = L =
T_toy, through the data functions' own estimates, so it follows any change of budget.RATES; also
threshold harm with m_toy = T_toy/2 and refuse-or-comply with decay 0.99, whose state counts
harmful tokens up to T). Each corner opens every toy page and tab once with AppTest after
st.cache_data is cleared, and the process CPU time of that run is compared with the sum of the
estimates ``budget.ledger()`` recorded for it. Targets: an allowed request takes at most
budget.REQUEST_SECONDS (3 s) of CPU, a refused one well under 1 s, and estimate / CPU >= 1 (CPU
also counts Streamlit and the figures, so that ratio is a lower bound). It exits 1 on an
exception element, never on time.
Run: .venv/bin/python bench/bench_budget.py          (--quick: one corner, two pages)
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from ui.data import budget, toy as data_toy
from ui.state import params as P
from ui.live import assets as live_assets

APP = str(ROOT / "app.py")
T_MAX = int(P.PARAMS["T_toy"].hi)
MAXIMA = {"steps": int(P.PARAMS["steps"].hi), "ft_steps": int(P.PARAMS["ft_steps"].hi),
          "n_paths": int(P.PARAMS["n_paths"].hi)}

# (page, view, name): every tab that computes on the toy model
PAGES = [
    ("views/2_harm_horizon.py", 0, "harm horizon: paths"),
    ("views/2_harm_horizon.py", 1, "harm horizon: I_t"),
    ("views/3_gradients.py", 0, "gradients: norms"),
    ("views/3_gradients.py", 1, "gradients: training"),
    ("views/4_shallow_equilibrium.py", 0, "equilibrium: KL_t"),
    ("views/4_shallow_equilibrium.py", 1, "equilibrium: eta sweep"),
    ("views/4_shallow_equilibrium.py", 2, "equilibrium: shared"),
    ("views/5_deep_alignment.py", 4, "deep: toy exact"),
    ("views/6_robustness.py", 2, "robustness: attack"),
    ("views/8_methods.py", 0, "methods: side by side"),
    ("views/8_methods.py", 1, "methods: fine-tuning"),
    ("views/8_methods.py", 2, "methods: penalty fit"),
    ("views/8_methods.py", 3, "methods: base-favored"),
]
QUICK_PAGES = [PAGES[0], PAGES[2]]  # one header allowed near its limit, one refused


# --- the corners ---------------------------------------------------------------------------------

def query(model: int, T: int, *, m: int | None = None, decay: float | None = None) -> dict:
    """URL parameters of a corner: the toy model's size at T, every other count at its maximum."""
    q = {"toy_model": model, "T_toy": T, "k_toy": T, "L": T, **MAXIMA}
    if model == 1:
        q["m_toy"] = T if m is None else m
    if model == 0 and decay is not None:
        q["decay"] = decay
    return q


def spec_of(q: dict) -> tuple:
    return data_toy.spec({**P.defaults(), **q})


class _Counted(Exception):
    """Raised by the patched budget.require: the estimate is known, nothing is computed."""


def header_allows(q: dict) -> bool:
    """Whether every page header (the computation above the tabs) passes its budget at ``q``:
    the header data functions themselves are called, stopped at their budget check."""
    verdicts = []

    def counted(what, estimate, allowance, advice):
        verdicts.append(estimate <= allowance)
        raise _Counted

    s, v = spec_of(q), {**P.defaults(), **q}
    headers = ((data_toy.horizon, (1, 0)), (data_toy.gradients, ()),
               (data_toy.standard, (v["eta"],)))
    with mock.patch.object(budget, "require", counted):
        for fn, args in headers:
            try:
                fn.__wrapped__(s, *args)
            except _Counted:
                pass
    assert len(verdicts) == len(headers), "a header no longer checks its budget first"
    return all(verdicts)


def largest_allowed_T(make) -> int:
    """The largest T_toy (1..T_MAX) whose model ``make(T)`` every page header allows (0: none)."""
    if header_allows(make(T_MAX)):
        return T_MAX
    lo, hi = 0, T_MAX  # lo allowed (or 0), hi refused: the cost grows with T
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if header_allows(make(mid)) else (lo, mid)
    return lo


def corners(quick: bool) -> list[tuple[str, dict]]:
    if quick:
        return [("refuse-or-comply max decay 0.01", query(0, T_MAX, decay=0.01))]
    found = [("refuse-or-comply max decay 1", query(0, T_MAX, decay=1.0)),
             ("refuse-or-comply max decay 0.01", query(0, T_MAX, decay=0.01)),
             ("threshold harm max", query(1, T_MAX)),
             ("gradual harm max", query(2, T_MAX))]
    edges = [("refuse-or-comply header edge decay 0.01", lambda T: query(0, T, decay=0.01)),
             ("refuse-or-comply header edge decay 0.99", lambda T: query(0, T, decay=0.99)),
             ("refuse-or-comply header edge decay 1", lambda T: query(0, T, decay=1.0)),
             ("threshold harm header edge", lambda T: query(1, T)),
             ("threshold harm header edge m=T/2", lambda T: query(1, T, m=T // 2)),
             ("gradual harm header edge", lambda T: query(2, T))]
    for name, make in edges:
        T = largest_allowed_T(make)
        q = make(T)
        if T == 0:
            print(f"{name}: no T_toy is allowed")
        elif q in [c for _, c in found]:
            print(f"{name}: T_toy = {T}, the same as a corner above")
        else:
            found.append((f"{name} T={T}", q))
    return found


# --- one measured run ----------------------------------------------------------------------------

@dataclass
class Row:
    corner: str
    page: str
    cpu: float
    estimate: float
    refused: bool
    exceptions: list[str]


def run_page(page: str, view: int, q: dict) -> tuple[float, float, bool, list[str]]:
    st.cache_data.clear()
    budget.reset_ledger()
    at = AppTest.from_file(APP, default_timeout=300)
    for key, value in {**q, "view": view}.items():
        at.query_params[key] = str(value)
    start = time.process_time()
    at.switch_page(page).run()
    cpu = time.process_time() - start
    estimate = sum(e for _, e in budget.ledger())
    refused = any("server time" in w.value for w in at.warning)
    return cpu, estimate, refused, [str(e.value)[:200] for e in at.exception]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one corner, two pages (smoke run)")
    args = parser.parse_args()
    pages = QUICK_PAGES if args.quick else PAGES

    for page, view, _ in pages:  # warm-up: imports, page modules, figure code (not measured)
        run_page(page, view, {})
    live_assets.files()  # app.py prints the live math in a thread once a process: wait for it
    cases = corners(args.quick)
    print(f"budget: {budget.REQUEST_SECONDS:g} s a request, header {budget.HEADER_SECONDS:g} s, "
          f"open tab {budget.TAB_SECONDS:g} s; CPU = process time of one cold AppTest run")
    rows = []
    for corner, q in cases:
        print(f"{corner}: " + ", ".join(f"{k}={q[k]}" for k in q if k not in MAXIMA)
              + f" ({data_toy.cells(spec_of(q)):,} logits)")
        for page, view, name in pages:
            cpu, estimate, refused, exceptions = run_page(page, view, q)
            row = Row(corner, f"{name} (view {view})", cpu, estimate, refused, exceptions)
            rows.append(row)
            ratio = f"{estimate / cpu:5.2f}" if estimate > 0 else "    -"
            print(f"  {row.page:34s} cpu {cpu:6.3f} s  estimate {estimate:6.3f} s  "
                  f"estimate/cpu {ratio}  {'refused' if refused else 'allowed'}"
                  + (f"  EXCEPTION {exceptions}" if exceptions else ""))

    allowed = [r for r in rows if not r.refused]
    refused = [r for r in rows if r.refused]
    ran = [r for r in rows if r.estimate > 0]
    print("summary")
    if allowed:
        top = max(allowed, key=lambda r: r.cpu)
        print(f"largest CPU of an allowed request: {top.cpu:.3f} s = "
              f"{top.cpu / budget.REQUEST_SECONDS:.2f} x REQUEST_SECONDS (target <= 1.0)  "
              f"[{top.corner} / {top.page}]")
    else:
        print("largest CPU of an allowed request: none allowed")
    if refused:
        top = max(refused, key=lambda r: r.cpu)
        print(f"largest CPU of a refused request: {top.cpu:.3f} s (target: well under 1 s)  "
              f"[{top.corner} / {top.page}]")
    else:
        print("largest CPU of a refused request: none refused")
    if ran:
        low = min(ran, key=lambda r: r.estimate / r.cpu)
        print(f"smallest estimate / CPU where toy work ran: {low.estimate / low.cpu:.2f} "
              f"(target >= 1; a lower bound: CPU includes Streamlit and figures)  "
              f"[{low.corner} / {low.page}]")
        heavy = [r for r in ran if r.estimate >= 0.5]
        if heavy:
            low = min(heavy, key=lambda r: r.estimate / r.cpu)
            print(f"  same, over requests estimated at >= 0.5 s: {low.estimate / low.cpu:.2f}  "
                  f"[{low.corner} / {low.page}]")
    else:
        print("smallest estimate / CPU where toy work ran: no toy work ran")
    over = [r for r in allowed if r.cpu > budget.REQUEST_SECONDS]
    print(f"allowed requests over {budget.REQUEST_SECONDS:g} s of CPU: {len(over)} "
          f"of {len(allowed)}")
    failed = [r for r in rows if r.exceptions]
    print(f"exception elements: {sum(len(r.exceptions) for r in failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
