"""Every page loads through the router with defaults and shows no NaN (AppTest).

Warm-rerun speed is a benchmark (bench/bench_pages.py), not a timed test.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from ui import catalog
from ui.state import nav, params
from ui.state import link as share

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
PAGES = [p.path for p in nav.PAGES]
TEXT_ONLY = {nav.BY_NAME["derivations"].path, nav.BY_NAME["glossary"].path,  # no charts, no tabs
             nav.BY_NAME["lessons"].path}
CHARTED = [p for p in PAGES if p not in TEXT_ONLY]


def open_page(path: str, query: dict | None = None) -> AppTest:
    """A first visit to ``path`` with ``query`` in its URL, as a pasted link does."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query or {})
    at.switch_page(path).run()
    return at


def shown_text(at: AppTest) -> list[str]:
    """Everything a student reads: markdown, LaTeX, captions, metrics, alerts."""
    texts = [e.value for kind in ("markdown", "latex", "caption", "warning", "info", "error",
                                  "success", "title", "subheader") for e in at.get(kind)]
    texts += [f"{m.label} {m.value}" for m in at.metric]
    return [str(t) for t in texts]


def test_router_lists_every_page_file():
    on_disk = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "views").glob("*.py"))
    assert not (ROOT / "pages").exists(), "a pages/ folder switches Streamlit to its legacy mode"
    assert sorted(PAGES) == on_disk


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_with_defaults(path):
    at = open_page(path)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, "every page has a title"
    assert not at.warning, [w.value for w in at.warning]  # defaults are valid: nothing to warn
    for text in shown_text(at):
        assert "nan" not in text.lower().replace("nano", "").split(), text
        assert "NaN" not in text


# Tabs that are text, or show a chart only once the user gives data (Evidence page).
WITHOUT_CHART = {"What the theory does not explain", "Your own curve"}


@pytest.mark.parametrize("path", CHARTED)
def test_every_tab_loads_with_a_chart_and_no_nan(path):
    """Tabs run only when open (ui.page.layout.views): open each one through the view parameter."""
    labels = [t.proto.label for t in open_page(path).tabs]
    for view in range(len(labels)):
        at = open_page(path, {"view": str(view)})
        assert not at.exception, (labels[view], [e.value for e in at.exception])
        assert at.query_params["view"] == str(view)
        if labels[view] not in WITHOUT_CHART:
            assert at.get("plotly_chart") or at.get("vega_lite_chart"), f"no chart in tab {labels[view]!r}"
        for text in shown_text(at):
            assert "NaN" not in text and "nan" not in text.lower().replace("nano", "").split()


EXTREMES = [  # the sliders' far ends, together
    {"p_base": "1e-12", "mu": "1e6", "beta": "0.01", "gamma": "1", "T": "1000", "k": "0"},
    {"p_base": "0.9", "mu": "0", "beta": "1e6", "gamma": "0", "T": "1", "k": "1", "t": "1",
     "delta": "0.99", "T_toy": "1", "k_toy": "0", "p_recover": "1e-12", "p_harm": "1",
     "eta": "100", "decay": "0.01", "L": "0", "steps": "1", "lr": "10"},
    {"p_base": "0"},  # Remark 8: the base model never recovers
]


@pytest.mark.parametrize("path", CHARTED)
@pytest.mark.parametrize("query", EXTREMES, ids=["deep-end", "shallow-end", "p-zero"])
def test_every_tab_survives_extreme_values(path, query):
    """No exception and no NaN on screen or in a chart, in any tab."""
    labels = [t.proto.label for t in open_page(path, query).tabs]
    for view in range(len(labels)):
        at = open_page(path, {**query, "view": str(view)})
        assert not at.exception, (labels[view], [e.value for e in at.exception])
        for text in shown_text(at):
            assert "NaN" not in text and "nan" not in text.lower().replace("nano", "").split()
        for chart in at.get("plotly_chart") + at.get("vega_lite_chart"):
            assert "NaN" not in chart.proto.spec


def test_a_page_switch_opens_the_first_tab():
    at = open_page(PAGES[4], {"view": "3"})
    assert at.query_params["view"] == "3"
    at.switch_page(PAGES[5]).run()
    assert at.query_params["view"] == "0"


@pytest.mark.parametrize("path", PAGES)
def test_every_parameter_is_in_the_url(path):
    at = open_page(path)
    assert set(params.PARAMS) <= set(at.query_params)


@pytest.mark.parametrize("name", list(catalog.FIGURES))
def test_a_figures_share_link_opens_the_tab_that_shows_it(name):
    """Exported files and the zip's README link to the figure's page with its tab open."""
    spec = catalog.FIGURES[name]
    url = share.share_url(spec.link_values(params.defaults()), spec.page, "http://x")
    at = open_page(nav.BY_NAME[spec.page].path, dict(part.split("=", 1) for part in
                                                      urlsplit(url).query.split("&")))
    assert not at.exception, [e.value for e in at.exception]
    wanted = [t.name for t in catalog.build(name, params.defaults()).fig.data]
    shown = [[t.get("name") for t in json.loads(c.proto.spec)["data"]] for c in at.get("plotly_chart")]
    if spec.linked is not None:  # drawn as its linked view (ui.figures.linked), named by its alt text
        shown += [wanted for c in at.get("vega_lite_chart") if c.proto.alt.startswith(spec.summary)]
    assert wanted in shown, (name, spec.view, shown)
