"""Warm rerun time of every page on the server (AppTest), as ratios to a trivial app, in one run.

Target: a warm rerun of every page stays under 50 ms. The trivial one-slider app
(bench/trivial_app.py) is Streamlit's own floor on this machine, measured in the same run.
Each page is measured on its first tab (only the open tab runs, ui.page.layout.views); "T_toy=200"
rows repeat the toy pages with a longer model.
Run: .venv/bin/python bench/bench_pages.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ui.state import nav

REPEATS = 15


def warm_rerun_seconds(at: AppTest) -> tuple[float, float]:
    at.run()  # fill caches for this exact state
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def page_app(path: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update(query or {})
    at.run()
    if path != nav.PAGES[0].path:
        at.switch_page(path).run()
    return at


def main() -> None:
    floor_best, floor_median = warm_rerun_seconds(AppTest.from_file(str(ROOT / "bench" / "trivial_app.py")))
    print(f"warm rerun, best / median of {REPEATS} (target: every page < 50 ms)")
    print(f"  {'trivial one-slider app':34s} {floor_best * 1e3:6.1f} / {floor_median * 1e3:6.1f} ms")
    cases = [(p.title, p.path, None) for p in nav.PAGES]
    cases += [(f"{p.title} (T_toy=200)", p.path, {"T_toy": "200", "k_toy": "20"}) for p in nav.PAGES[1:4]]
    for title, path, query in cases:
        best, median = warm_rerun_seconds(page_app(path, query))
        verdict = "ok" if best < 0.050 else "OVER"
        print(f"  {title:34s} {best * 1e3:6.1f} / {median * 1e3:6.1f} ms   "
              f"{best / floor_best:5.1f}x the floor   {verdict}")


if __name__ == "__main__":
    main()
