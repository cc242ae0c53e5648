"""The course pack: its size and how soon its pages are interactive from file:// in Chromium.

    .venv/bin/python bench/bench_pack.py [--loads 7] [--out bench/results/pack.txt]

Writes a pack of the three shipped lessons at the defaults (``python -m ui export
--course-pack``, in a temporary folder) and times that. Then, in Debian's chromium with every
request outside the folder aborted (none is made), it loads each page below ``--loads`` times,
each in a fresh context (no cache) and then once more in that context (a student coming back to
it: Chromium's caches then hold plotly.js compiled), and reports the medians of the time from
navigation start to interactive: the page's script has set up its questions, keys and formulas
after MathJax has started (``window.__packReady``, on the page's own clock); and of the load event.
Targets: the pack ≤ 15 MB; the first page (index.html) interactive ≤ 1 s. It prints the figures
and writes them to ``--out``; it asserts nothing about time (exit 1 only if a page never
becomes interactive or a request leaves the folder).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "e2e")]

from e2e_util import CHROMIUM_ARGS, chromium_path  # noqa: E402

PAGES = ("index.html", "lessons/deep-1.html", "lessons/shallow-3.html",
         "figures/recovery_by_position.html", "derivations.html")
TARGET_MB, TARGET_FIRST_S = 15.0, 1.0


def _machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    version = subprocess.run([chromium_path(), "--version"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} cores ({cpu}), {version}"


def _load(browser, pack: Path, rel: str) -> tuple[float, float, float, list[str]]:
    """(cold: interactive, load event; warm: interactive on a second visit in the same context,
    as a student moving between pages; requests outside the folder)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    outside = []
    inside = pack.as_uri() + "/"
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(inside)
              else (outside.append(r.request.url), r.abort()))
    page = ctx.new_page()
    times = []
    for _ in range(2):
        page.goto(f"{inside}{rel}")
        page.wait_for_function("() => window.__packReady !== undefined", timeout=30_000)
        times.append(page.evaluate("""() => [window.__packReady,
            performance.getEntriesByType('navigation')[0].loadEventEnd]"""))
    ctx.close()
    return times[0][0] / 1000, times[0][1] / 1000, times[1][0] / 1000, outside


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=7)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "pack.txt"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    lines = []
    with tempfile.TemporaryDirectory() as where:
        pack = Path(where) / "pack"
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "ui", "export", "--course-pack", str(pack), "-q"],
                              cwd=ROOT, capture_output=True, text=True)
        built = time.perf_counter() - start
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        files = [p for p in pack.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files) / 1e6
        lib = sum(p.stat().st_size for p in (pack / "lib").rglob("*") if p.is_file()) / 1e6
        zipped = pack.with_name("pack.zip").stat().st_size / 1e6
        lines += [f"machine: {_machine()}",
                  f"pack of 3 lessons: {size:.1f} MB in {len(files)} files (lib/ {lib:.1f} MB: "
                  f"plotly.js, MathJax, the live runtime), zip {zipped:.1f} MB; target <= {TARGET_MB:g} MB",
                  f"made in {built:.1f} s (python -m ui export --course-pack, one process)",
                  f"time to interactive from file://, median of {args.loads} loads in a new browser context:"]
        failed = False
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            for rel in PAGES:
                runs = [_load(browser, pack, rel) for _ in range(args.loads)]
                ready = statistics.median(r[0] for r in runs)
                loaded = statistics.median(r[1] for r in runs)
                warm = statistics.median(r[2] for r in runs)
                outside = sorted({u for r in runs for u in r[3]})
                failed |= bool(outside)
                lines.append(f"  {rel:36} {ready:5.2f} s  (load {loaded:4.2f} s; visited again: "
                             f"{warm:4.2f} s)"
                             + (f"  REQUESTS OUTSIDE: {outside}" if outside else ""))
            browser.close()
        first = lines[4].split()[1]
        lines.append(f"first page interactive: {first} s; target <= {TARGET_FIRST_S:g} s")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    Path(args.out).write_text(text, encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
