"""What a rerun costs the server beyond the page: no full garbage collection per script run.

Streamlit's default collects across the whole heap after every script run, 110-190 ms of CPU per
run here, more than any page takes (``bench/bench_rerun.py`` measures it; speed belongs there).
These tests check the two settings that remove it, which a refactor could silently undo.
"""

from __future__ import annotations

import gc
import sys
import tomllib
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ui.page import heap

ROOT = Path(__file__).resolve().parents[1]


def test_streamlit_does_not_collect_after_every_run():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


def test_the_first_run_freezes_the_warm_heap(monkeypatch):
    gc.unfreeze()  # another test's app run may have frozen this process already
    monkeypatch.setattr(heap, "_frozen", False)
    freezes = []
    freeze = gc.freeze
    monkeypatch.setattr(heap.gc, "freeze", lambda: (freezes.append(1), freeze()))
    assert gc.get_freeze_count() == 0
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page("views/11_glossary.py").run()
    assert not at.exception
    assert gc.get_freeze_count() > 100_000  # numpy, scipy, sympy, plotly, the app: far more
    at.run()
    assert len(freezes) == 1  # once per process, not once per run


def test_a_release_is_due_once_after_the_quiet_time_and_again_only_after_a_class():
    quiet = heap.Quiet(after_s=60, busy_at=0.0)
    assert not quiet.due(connected=0, now=59.9)  # not quiet long enough
    assert quiet.due(connected=0, now=60.0)
    assert not quiet.due(connected=0, now=600.0)  # nothing used since: nothing to give back
    assert not quiet.due(connected=3, now=700.0)  # a class
    assert not quiet.due(connected=0, now=759.0)
    assert quiet.due(connected=0, now=760.0)  # quiet 60 s after the class was last seen


def test_a_release_empties_the_per_parameter_caches_and_the_live_heap_falls(monkeypatch):
    from ui import catalog
    from ui.data import closed
    from ui.state import params

    values = params.defaults()
    calls = []
    real = closed.theory.recovery_kl

    def counted(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(closed.theory, "recovery_kl", counted)
    heap.release()  # other tests' figures out: forty new ones must not merely replace forty old
    before = sys.getallocatedblocks()
    for mu in range(1, 41):  # forty parameter points, as a class's students visit
        catalog.build("recovery_by_position", {**values, "mu": float(mu)})
    filled = sys.getallocatedblocks()
    assert catalog._build.cache_info().currsize >= 40
    calls.clear()
    closed.recovery_profile(0.01, 3.5, 1.0, 0.9, 5, 50)
    closed.recovery_profile(0.01, 3.5, 1.0, 0.9, 5, 50)
    assert len(calls) <= 1  # cached: at most the first call computed

    heap.release()

    assert catalog._build.cache_info().currsize == 0
    calls.clear()
    closed.recovery_profile(0.01, 3.5, 1.0, 0.9, 5, 50)
    assert len(calls) == 1  # st.cache_data was emptied too: computed again
    assert filled - before > 10_000  # the figures took real memory …
    assert sys.getallocatedblocks() < before + (filled - before) / 4  # … and most of it is back


def test_the_heap_is_reported_in_streamlits_metrics():
    stats = heap.HeapStats().get_stats()
    assert set(stats) == set(heap.HeapStats.stats_families)
    blocks = stats["python_heap_blocks"][0]
    assert abs(blocks.value - sys.getallocatedblocks()) < 50_000
    assert blocks.to_metric_str().startswith("python_heap_blocks ")
    assert stats["heap_releases"][0].to_metric_str() == f"heap_releases {heap._releases}"


def test_the_quiet_time_setting_falls_back_to_its_default_with_a_reason():
    from ui.state.limits import minutes_setting

    var = heap.RELEASE_MINUTES_VAR
    assert minutes_setting({}, var, 10.0) == (10.0, None)
    assert minutes_setting({var: "0"}, var, 10.0) == (None, None)
    assert minutes_setting({var: "2.5"}, var, 10.0) == (2.5, None)
    for bad in ("soon", "-1", "nan", "inf"):
        minutes, problem = minutes_setting({var: bad}, var, 10.0)
        assert minutes == 10.0 and var in problem and repr(bad) in problem
