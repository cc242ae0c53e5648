"""The Evidence page: the published numbers as the CSVs hold them, fitted curves named
"fit", the limits tab's numbers from the data, and the own-curve tab's messages (AppTest)."""

from __future__ import annotations

import numpy as np
import pytest

import evidence
from test_app_pages import open_page, shown_text
from ui import catalog
from ui.state import params as P

PAGE = "views/7_evidence.py"


def _by_name(fig):
    return {t.name: t for t in fig.data}


def test_kl_figure_plots_the_published_values_and_names_every_fit():
    fig = catalog.build("evidence_kl", P.defaults()).fig
    traces = _by_name(fig)
    df = evidence.kl_by_position()
    for series, rows in df.groupby("series"):
        trace = traces[series]
        np.testing.assert_array_equal(trace.x, rows["t"].to_numpy())
        np.testing.assert_array_equal(trace.y, rows["kl_nats"].to_numpy())
        np.testing.assert_array_equal(trace.error_y.array, rows["uncertainty_nats"].to_numpy())
    fitted = [t for t in fig.data if t.mode and t.mode.startswith("lines")]  # points: "markers"
    assert fitted and all("fit" in t.name for t in fitted)


def test_attack_figures_plot_the_published_values():
    traces = _by_name(catalog.build("evidence_attacks", P.defaults()).fig)
    df = evidence.prefill_asr()
    for series, rows in df.groupby("series"):
        np.testing.assert_array_equal(traces[series].y, rows.sort_values("k")["asr_percent"].to_numpy())
    aug = catalog.build("evidence_augmentation", P.defaults()).fig
    table = evidence.augmentation().sort_values("prefill_tokens")
    ys = [list(t.y) for t in aug.data if t.mode == "markers"]
    assert ys == [list(table["asr_initial_percent"]), list(table["asr_after_percent"])]
    assert all("fit" in t.name for t in aug.data if t.mode != "markers")


@pytest.mark.parametrize("view", range(4))
def test_every_tab_runs_without_nan(view):
    at = open_page(PAGE, {"view": str(view)})
    assert not at.exception, [e.value for e in at.exception]
    for text in shown_text(at):
        assert "NaN" not in text and "nan" not in text.lower().split()


def test_limits_tab_quotes_the_published_numbers():
    at = open_page(PAGE, {"view": "2"})
    text = " ".join(m.value for m in at.markdown)
    df = evidence.kl_by_position()
    llama = df[df["series"] == "Llama-2-7B-Chat ‖ Llama-2-7B"]["kl_nats"].to_numpy()
    gemma = df[df["series"] == "Gemma-1.1-7B-IT ‖ Gemma-7B"]["kl_nats"].to_numpy()
    for value in (llama[0], llama[1], gemma[1], gemma[2]):  # the spike; Gemma's resolved rise
        assert f"{value:.2f}" in text
    assert "4.8 σ of the difference" in text and "seven times" not in text
    for typed in ("0.55–0.75", "1.3–1.4", "6.6–10.4"):  # ranges are computed, never typed in
        assert typed not in text
    assert "arXiv 2406.05946" in " ".join(c.value for c in at.caption)


def test_own_curve_pasted_example_is_fitted():
    at = open_page(PAGE, {"view": "3"})
    from evidence import upload as evidence_upload

    at.text_area(key="own_curve_text").input(evidence_upload.EXAMPLE_KL).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.get("plotly_chart")
    assert any("geometric" in m.value and "power-law" in m.value for m in at.markdown)


@pytest.mark.parametrize("text, says", [
    ("t,kl\n1,abc\n2,-1\n", "Not a number"),
    ("t,kl\n1,0.5\n2,-1\n3,0.2\n4,0.1\n", "cannot be negative"),
    ("a,b\n1,2\n", "columns do not match"),
    ("t,kl\n1,nan\n2,1\n3,1\n4,1\n", "NaN"),
])
def test_own_curve_malformed_text_gives_a_message_not_an_exception(text, says):
    at = open_page(PAGE, {"view": "3"})
    at.text_area(key="own_curve_text").input(text).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(says in e.value for e in at.error), [e.value for e in at.error]


def test_own_curve_exports_like_every_figure():
    from _export_support import require_renderer
    from evidence import upload as evidence_upload
    from ui.page import show
    from ui.figures import evidence as figures

    at = open_page(PAGE, {"view": "3"})
    at.text_area(key="own_curve_text").input(evidence_upload.EXAMPLE_KL).run()
    labels = {b.proto.label for b in at.get("download_button")}
    assert {"SVG", "PDF", "PNG", "CSV"} <= labels
    require_renderer()
    from ui.data import evidence as data_evidence

    curve, _ = evidence_upload.parse(evidence_upload.EXAMPLE_KL)
    fig = figures.own_curve(data_evidence.own_profile(curve))
    assert show._plain_image(fig, "Your curve", "pdf").startswith(b"%PDF")
    assert b"<svg" in show._plain_image(fig, "Your curve", "svg")[:400]
