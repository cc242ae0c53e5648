"""The live figures' server side: what is sent to the browser, the sliders' stops,
the release callback's validation, the HTML export. Their numbers are tested in Chromium
(tests/e2e/test_e2e_live.py, tests/e2e/test_e2e_live_math.py)."""

from __future__ import annotations

import json
import re

import pytest

from ui import catalog
from ui.state import params as P
from ui.state import stops
from ui.live import specs

CASES = [
    {},
    {"mu": 0.0},
    {"p_base": 0.0},
    {"p_base": 0.9, "gamma": 1.0},
    {"gamma": 0.0},
    {"k": 50, "T": 50},
    {"mu": 1e6, "beta": 0.01, "T": 1000, "k": 0},
    {"delta": 0.01},
]


def _values(overrides):
    values, _ = P.constrain({**P.defaults(), **overrides})
    return values


@pytest.mark.parametrize("name", sorted(specs.LIVE))
@pytest.mark.parametrize("overrides", CASES, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()) or "defaults")
def test_payload_has_one_series_per_trace_and_no_data(name, overrides):
    values = _values(overrides)
    data = specs.payload(name, values)
    fig = catalog.build(name, values).fig
    assert len(data["series"]) == len(fig.data)
    assert all("x" not in t and "y" not in t for t in data["figure"]["data"])
    # every name a series, an axis or x reads is sent, with its value
    for s in data["series"]:
        for a in s["args"]:
            assert not isinstance(a, str) or a == "$x" or data["params"][a] == values[a]
        for key in re.findall(r"\{(\w+)\}", s.get("name", "")):
            assert key in data["params"]
    text = json.dumps(data, allow_nan=False)  # plain JSON: the browser parses it as is
    assert len(text) < 40_000, len(text)


def test_series_names_match_the_server_figure():
    """The names runtime.js writes from a template are the ones the builder writes."""
    values = _values({"mu": 13.0, "gamma": 0.95})
    data = specs.payload("recovery_by_position", values)
    fig = catalog.build("recovery_by_position", values).fig
    for s, trace in zip(data["series"], fig.data):
        if "name" in s:
            assert s["name"].format(**{k: format(v, "g") for k, v in values.items()}) == trace.name


@pytest.mark.parametrize("name", [n for n, p in P.PARAMS.items() if p.scale == "log"
                                  and any(n in s.sliders for s in specs.LIVE.values())])
def test_live_log_stops_refine_the_sidebar_stops(name):
    p = P.PARAMS[name]
    fine, coarse = specs.fine_stops(p), stops.slider_stops(p)
    assert set(coarse) <= set(fine)
    assert fine == sorted(fine) and fine[0] == p.lo and fine[-1] == p.hi
    assert len(fine) > 2 * len(coarse) - 2  # finer: a drag moves the curve in small steps


def test_slider_labels_are_plain_text():
    for spec in specs.LIVE.values():
        for name in spec.sliders:
            s = specs.slider(name)
            assert not re.search(r"[$\\]", s["aria"] + s["label"])
            assert s["aria"].startswith(s["symbol"] + ", ")
    assert specs.slider("mu")["aria"] == "μ, recovery penalty"
    assert specs.slider("beta")["aria"] == "β, KL weight"


class _Session(dict):
    pass


@pytest.mark.parametrize("event, expected", [
    ({"name": "mu", "value": 40.0}, 40.0),
    ({"name": "mu", "value": -3}, 0.0),  # out of range: clamped like a URL value
    ({"name": "mu", "value": "junk"}, 5.0),  # junk: the default, never an exception
    ({"name": "T", "value": 7}, None),  # not a slider of this figure: ignored
    ("not a dict", None),
])
def test_release_is_validated_like_a_url_value(monkeypatch, event, expected):
    from ui.live import component

    stored = {}
    monkeypatch.setattr(component.st, "session_state", _Session(key={"release": event}))
    monkeypatch.setattr(component.state, "set_value", lambda n, v: stored.update({n: v}))
    component._release("key", specs.LIVE["recovery_by_position"].sliders)
    assert stored == ({} if expected is None else {"mu": expected})


def test_html_export_is_self_contained():
    from ui.live import export

    text = export.page("attack_length_vs_mu", P.defaults())
    assert text.count("<script") == 2 and "src=" not in text.split("</head>")[0].split("<script>")[0]
    assert not re.search(r"<script[^>]+src=", text)  # nothing fetched: opens offline
    assert not re.search(r"<link[^>]+href=\"http", text)
    body = text.split("<script>", 2)[2]
    assert "function minAttackLength(" in body and "liveMount(" in body
    assert "</script" not in body.split("</script>")[0].replace("<\\/", "")  # JSON cannot close it


def test_cli_writes_the_interactive_html(tmp_path):
    from ui import cli

    code = cli.main(["export", "--only", "recovery_by_position,gibbs_bars", "--formats", "csv,html",
                     "--out", str(tmp_path), "-q"])
    assert code == 0
    assert (tmp_path / "recovery_by_position.html").exists()
    assert not (tmp_path / "gibbs_bars.html").exists()  # toy and Gibbs figures have no live form
    assert (tmp_path / "gibbs_bars.csv").exists()


def test_bundle_holds_the_generated_functions_and_the_runtime():
    from ui.live import assets, jsmath

    text = assets.script()
    for name in jsmath.names():
        assert f"function {name}(" in text
    assert "function liveMount(" in text and "export" not in text.split("function liveMount")[1]
    used = {s["fn"] for name in specs.LIVE for s in specs.payload(name, P.defaults())["series"]}
    assert used <= set(jsmath.names())
    # the runtime names exactly the generated functions it calls, and computes nothing itself
    runtime = (assets.HERE / "runtime.js").read_text(encoding="utf-8")
    assert not re.search(r"Math\.(exp|log|pow|expm1|log1p)\(", runtime.replace("Math.log10(", ""))
    assert (assets.STATIC / assets.files()["plotly"]).stat().st_size == assets.PLOTLY_JS.stat().st_size
