"""Per-position readouts (ui.page.readout) and the tidy data table (ui.figures.table.wide).

The readout under a position-indexed chart shows, at the position in its box, the value of every
plotted series: checked here against ``theory`` directly (not against the figure), on the page
(AppTest) as a student reads it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import theory
from test_app_controls import open_page, set_param
from ui import catalog
from ui.state import nav, params
from ui.page import readout as position_readout
from ui.figures import table as tables
from ui.figures._plot import Plot

APP = str(Path(__file__).resolve().parents[1] / "app.py")
DEEP, HORIZON = nav.BY_NAME["deep_alignment"].path, nav.BY_NAME["harm_horizon"].path
RECOVERY_BOX = position_readout.box_key("recovery_by_position")
D = params.defaults()
_SUP = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def parse(shown: str) -> float:
    """A number as the card writes it: 0.0524302, −3.1, 1.5×10⁻¹², ∞."""
    s = shown.replace("−", "-").replace("∞", "inf")
    if "×10" in s:
        mantissa, exponent = s.split("×10")
        return float(mantissa) * 10.0 ** int(exponent.translate(_SUP))
    return float(s)


def read_card(text: str) -> tuple[str, int, list[tuple[str, str, str]]]:
    """(symbol, position, [(quantity, series label, shown value or "" when none)]) from a card's
    markdown (a series without a value is followed by the reason, e.g. "not drawn")."""
    text = "\n".join(re.sub(r"^:small\[(.*)\]$", r"\1", line.rstrip()) for line in text.split("\n"))
    head = re.match(r"\*\*(\S+) = (\d+)\*\*", text)
    assert head, text
    unescape = lambda part: re.sub(r"\\(.)", r"\1", part)  # noqa: E731
    entries = []
    for line in text[head.end():].split("\n"):
        quantity = ""
        for part in line.split(" · "):
            part = part.strip().rstrip("\\").strip()
            q = re.match(r"_((?:\\.|[^_\\])*)_: ", part)
            if q:
                quantity, part = unescape(q.group(1)), part[q.end():]
            if not part:
                continue
            label, bold, rest = part.partition(" **")
            entries.append((quantity, unescape(label if bold else part), rest.split("**")[0] if bold else ""))
    return head.group(1), int(head.group(2)), entries


def cards(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if re.match(r"(:small\[)?\*\*(t|T′) = \d+\*\*( · |\]?  \n)", m.value)]


def card_value(at: AppTest, starts: str, index: int = 0) -> tuple[int, str]:
    _, t, entries = read_card(cards(at)[index])
    for _, label, value in entries:
        if label.startswith(starts):
            return t, value
    raise AssertionError(f"no series {starts!r} in {entries}")


def assert_shown(shown: str, expected: float) -> None:
    """The card rounds to ``position_readout.SIG`` significant digits (trailing zeros dropped): compare
    to ``expected`` rounded as far."""
    assert 4 <= position_readout.SIG <= 6
    assert parse(shown) == pytest.approx(float(f"{expected:.{position_readout.SIG}g}"), rel=1e-6, abs=0), shown


def recovery(t: int, **change) -> float:
    v = {**D, **change}
    return theory.recovery_probability(v["p_base"], v["mu"], v["beta"], v["gamma"], t)


# --- on the page ----------------------------------------------------------------------------

def marks(at: AppTest, index: int = 0) -> list[tuple[float, float]]:
    """The position marks on chart ``index`` as drawn: (x0, x1) of each panel's band."""
    shapes = json.loads(at.get("plotly_chart")[index].proto.spec)["layout"].get("shapes", [])
    return [(s["x0"], s["x1"]) for s in shapes if s.get("name") == position_readout.MARK_NAME]


def test_recovery_readout_is_theorem_20_at_the_position():
    at = open_page(DEEP)
    t, shown = card_value(at, "deep")
    assert t == D["t"]  # the app's position t, not the first position beyond the horizon
    assert at.number_input(key=RECOVERY_BOX).value == t
    assert_shown(shown, recovery(t))
    assert parse(card_value(at, "standard RLHF")[1]) == pytest.approx(D["p_base"], rel=1e-12)
    for position in (12, D["T"]):
        at.number_input(key=RECOVERY_BOX).set_value(position).run()
        assert not at.exception, [e.value for e in at.exception]
        t, shown = card_value(at, "deep")
        assert t == position
        assert_shown(shown, recovery(position))


def test_the_readout_opens_at_the_links_t_and_marks_it_on_the_chart():
    at = open_page(DEEP, {"t": "17"})
    assert card_value(at, "deep")[0] == 17 and at.number_input(key=RECOVERY_BOX).value == 17
    (x0, x1), = marks(at)
    assert x0 < 17 < x1 and x1 - x0 <= 1.0 + 1e-12  # one position wide at T = 50


def test_moving_the_position_writes_t_to_the_url_and_moves_only_the_mark():
    at = open_page(DEEP)
    before, spec = cards(at)[0], json.loads(at.get("plotly_chart")[0].proto.spec)
    at.number_input(key=RECOVERY_BOX).set_value(20).run()
    after, moved = cards(at)[0], json.loads(at.get("plotly_chart")[0].proto.spec)
    assert after != before and read_card(after)[1] == 20
    assert at.query_params["t"] == ["20"] or at.query_params["t"] == "20"
    assert moved["data"] == spec["data"]  # the same cached figure, only the mark differs
    (x0, x1), = marks(at)
    assert x0 < 20 < x1
    unmarked = [s for s in moved["layout"]["shapes"] if s.get("name") != position_readout.MARK_NAME]
    assert unmarked == [s for s in spec["layout"]["shapes"]
                        if s.get("name") != position_readout.MARK_NAME]
    exported = catalog.build("recovery_by_position", D).fig  # what the exports draw: no mark
    assert not [s for s in exported.to_dict()["layout"].get("shapes", [])
                if s.get("name") == position_readout.MARK_NAME]


def test_one_position_across_tabs_and_pages():
    at = open_page(DEEP, {"t": "10"})
    at.number_input(key=RECOVERY_BOX).set_value(14).run()
    # the KL cost tab: the same t, no second typing
    at.query_params["view"] = "1"
    at.run()
    kl = position_readout.box_key("kl_by_position")
    assert at.number_input(key=kl).value == 14 and read_card(cards(at)[0])[1] == 14
    at.switch_page(HORIZON).run()  # a toy page: positions 0..T_toy = 12, t = 14 beyond them
    assert not at.exception, [e.value for e in at.exception]
    assert read_card(cards(at)[0])[1] == 12  # its nearest position, and it says so
    assert "t = 14 is not plotted here" in cards(at)[0].replace("\\", "")
    assert params.parse("t", at.query_params["t"])[0] == 14  # t itself is kept
    at.number_input(key=position_readout.box_key("martingale_paths")).set_value(7).run()
    assert params.parse("t", at.query_params["t"])[0] == 7
    at.switch_page(DEEP).run()
    assert card_value(at, "deep")[0] == 7


def test_a_chosen_position_stays_when_parameters_move_and_is_clamped_to_the_range():
    at = open_page(DEEP)
    at.number_input(key=RECOVERY_BOX).set_value(40).run()
    set_param(at, "mu", 20.0)
    t, shown = card_value(at, "deep")
    assert t == 40
    assert_shown(shown, recovery(40, mu=20.0))
    set_param(at, "T", 30)  # position 40 is no longer plotted: the last one is read
    assert card_value(at, "deep")[0] == 30 and at.number_input(key=RECOVERY_BOX).value == 30
    assert params.parse("t", at.query_params["t"])[0] == 40  # kept: raising T brings it back
    set_param(at, "T", 50)
    assert card_value(at, "deep")[0] == 40


def test_a_position_inside_the_horizon_reads_the_first_plotted_one_and_says_so():
    at = open_page(DEEP, {"t": "3"})
    assert card_value(at, "deep")[0] == D["k"] + 1
    assert "t = 3 is not plotted here" in cards(at)[0].replace("\\", "")


def test_no_figure_depends_on_t_unless_it_says_so():
    """ui.page.show builds a figure that does not name t with t at its default, so one cached figure
    serves every position: that is only right if no figure reads t without naming it."""
    for name, spec in catalog.FIGURES.items():
        if "t" in spec.param_names(D) or name.startswith("methods") or name == "training":
            continue  # the trained figures are slow; they never read t (grep: v["t"])
        a, b = catalog.build(name, {**D, "t": 3}).fig, catalog.build(name, {**D, "t": 11}).fig
        assert a.to_json() == b.to_json(), name


def test_harm_information_readout_is_the_toy_models_I_t():
    at = open_page(HORIZON, {"view": "1", "t": "5"})
    model = theory.refuse_or_comply(T=12, k=4, p_recover=0.1, p_harm=0.2)
    info = model.harm_information()
    t, shown = card_value(at, "harm information")
    assert t == 5 and parse(shown) == 0.0  # beyond the horizon k = 4 (Theorem 9)
    running = card_value(at, "running sum")[1]
    assert_shown(running, info.sum())
    for position in (1, 3, 4, 12):
        at.number_input(key=position_readout.box_key("harm_information")).set_value(position).run()
        t, shown = card_value(at, "harm information")
        assert t == position
        if info[t - 1] == 0:
            assert parse(shown) == 0.0
        else:
            assert_shown(shown, info[t - 1])


def test_wide_table_on_the_page_has_one_row_per_position_and_one_column_per_series():
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["more_recovery_by_position"] = True  # "Data table and downloads" open
    at.switch_page(DEEP).run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    positions = np.arange(D["k"] + 1, D["T"] + 1)
    assert list(table.columns)[0] == "position t" and table.shape == (len(positions), 3)
    np.testing.assert_array_equal(table["position t"], positions)
    deep = next(c for c in table.columns if c.startswith("deep"))
    shallow = next(c for c in table.columns if c.startswith("standard RLHF"))
    np.testing.assert_allclose(table[deep], recovery(positions), rtol=1e-12)
    np.testing.assert_allclose(table[shallow], D["p_base"], rtol=1e-12)


PAGES = [p.path for p in nav.PAGES if p.url_path not in ("derivations", "glossary")]


@pytest.mark.parametrize("path", PAGES)
def test_every_position_chart_has_a_card_and_no_card_shows_nan(path):
    labels = [t.proto.label for t in open_page(path).tabs]
    for view in range(len(labels)):
        at = open_page(path, {"view": str(view)})
        drawn = [[t.get("name") for t in json.loads(c.proto.spec)["data"]]
                 for c in at.get("plotly_chart")]
        texts = cards(at)
        for text in texts:
            assert "nan" not in text.lower().replace("nano", "").split(), text
            assert "NaN" not in text and "None" not in text
            _, _, entries = read_card(text)
            for _, label, value in entries:
                if value:  # a number, or a range over several lines of one series
                    for number in value.split(" to "):
                        assert not np.isnan(parse(number)), (label, value)
                else:
                    assert "not drawn" in label, label
        positional = sum(any(names == [t.name for t in catalog.build(n, D).fig.data] for n in POSITIONAL)
                         for names in drawn)
        # a linked view (ui.figures.linked) is named by its alt text, which starts with the summary
        positional += sum(any(c.proto.alt.startswith(catalog.FIGURES[n].summary) for n in POSITIONAL)
                          for c in at.get("vega_lite_chart"))
        assert len(texts) == positional, (labels[view], len(texts), positional)
        if path == DEEP and view == 0:
            assert texts, "the recovery figure has a readout"


# --- the readout and the table from a figure ------------------------------------------------

POSITIONAL = {"recovery_by_position", "kl_by_position", "recoverability_by_depth",
              "martingale_paths", "harm_information", "gradient_norms", "training",
              "kl_vs_information", "shared_variant", "toy_attack", "exact_vs_per_prefix",
              "methods_by_position", "methods_finetune_positions", "methods_base_favored"}


def test_readout_is_built_for_exactly_the_position_indexed_figures():
    built = {name for name, spec in catalog.FIGURES.items()
             if position_readout.build(catalog.build(name, D)) is not None}
    assert built == POSITIONAL


@pytest.mark.parametrize("name", sorted(POSITIONAL))
def test_card_reads_the_figures_own_numbers_at_every_position(name):
    fig = catalog.build(name, D)
    ro = position_readout.build(fig)
    assert ro.positions[0] <= ro.default <= ro.positions[-1]
    for col in tables.columns(fig):
        if col.count > 1:
            continue
        for x, y in list(zip(col.x, col.y))[:: max(len(col.x) // 7, 1)]:
            _, t, entries = read_card(ro.card(int(x)))
            shown, = [v for q, label, v in entries if (q, label) == (col.quantity, col.name)]
            if np.isfinite(y):
                assert_shown(shown, y)
            else:
                assert not shown


def test_missing_values_read_not_drawn_or_the_builders_reason():
    p = Plot()
    p.scatter([1, 2, 3], [0.5, None, 0.125], name="a")
    p.scatter([1, 2, 3], [1.0, float("nan"), 2.0], name="b", meta={"gap": "not drawn: L* = ∞"})
    p.scatter([1, 2], [3.0, 4.0], name="c")
    p.xaxis(title="position t (1-indexed)")
    p.yaxis(title="value")
    ro = position_readout.build(p.built(positions=tables.BY_POSITION))
    card = ro.card(2)
    assert "nan" not in card.lower() and "None" not in card
    read = re.sub(r"\\(.)", r"\1", card)  # the card as read: its escapes resolved
    assert "a not drawn" in card and "b not drawn: L* = ∞" in read and "L\\*" in card  # no italics
    assert "c **4**" in card
    assert "c not drawn" in ro.card(3)
    assert ro.default == 1 and ro.positions == (1, 2, 3)


def test_default_position_is_the_first_beyond_the_marked_horizon():
    fig = catalog.build("gradient_norms", D)  # grey band over t <= k_toy
    assert position_readout.build(fig).default == D["k_toy"] + 1
    fig = catalog.build("martingale_paths", D)  # dashed line at k + 1/2; x starts at t = 0
    ro = position_readout.build(fig)
    assert ro.positions[0] == 0 and ro.default == D["k_toy"] + 1


def test_figures_without_a_position_axis_get_no_readout_but_a_wide_table():
    for name in ("gibbs_bars", "tradeoff_vs_gamma", "attack_length_vs_mu", "kl_vs_eta"):
        built = catalog.build(name, D)
        assert position_readout.build(built) is None
        table = tables.wide(built)
        assert table is not None and len(table.columns) == 1 + len(built.fig.data), name


def test_wide_table_of_the_recovery_figure():
    table = tables.wide(catalog.build("recovery_by_position", D))
    positions = np.arange(D["k"] + 1, D["T"] + 1)
    assert table.shape == (len(positions), 3) and table.columns[0] == "position t"
    np.testing.assert_array_equal(table["position t"], positions)
    assert table.notna().all().all()


def test_wide_table_names_every_column_once_and_falls_back_for_sampled_paths():
    training = tables.wide(catalog.build("training", D))
    assert training.columns.is_unique and len(training.columns) == 1 + 6
    assert tables.wide(catalog.build("martingale_paths", D)) is None  # 20 lines of one series


def test_exported_csv_keeps_the_long_format():
    fig = catalog.build("recovery_by_position", D)
    csv = tables.to_csv(fig)
    assert csv.splitlines()[0] == ",".join(tables.COLUMNS)
    assert len(csv.splitlines()) == 1 + 2 * (D["T"] - D["k"])


def test_numbers_on_the_card():
    assert position_readout.number(0.052430213) == "0.0524302"
    assert position_readout.number(1.5e-12) == "1.5×10⁻¹²" and parse("1.5×10⁻¹²") == 1.5e-12
    assert position_readout.number(-3.25) == "−3.25" and position_readout.number(0.0) == "0"
    assert position_readout.number(float("inf")) == "∞"
