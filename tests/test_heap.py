"""What a rerun costs the server beyond the page: no full garbage collection per script run.

Streamlit's default collects across the whole heap after every script run, 110-190 ms of CPU per
run here, more than any page takes (``bench/bench_rerun.py`` measures it; speed belongs there).
These tests check the two settings that remove it, which a refactor could silently undo.
"""

from __future__ import annotations

import gc
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
