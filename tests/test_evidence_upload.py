"""evidence.upload: a user's own curve, read into arrays or into messages, never an exception."""

import io
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence import upload as eu
from evidence.upload import EXAMPLE_KL, EXAMPLE_LOGPROBS, MAX_BYTES, parse

EXAMPLES = Path(__file__).resolve().parent.parent / "evidence" / "examples"


def _fails(data, *patterns):
    """parse gives no curve and a message matching every pattern (case-insensitive)."""
    curve, messages = parse(data)
    assert curve is None
    assert messages and all(isinstance(m, str) and m for m in messages)
    text = " ".join(messages)
    for p in patterns:
        assert re.search(p, text, re.IGNORECASE), (p, messages)
    return messages


def _kl_csv(t, kl, unc=None):
    rows = ["t,kl" + (",uncertainty" if unc is not None else "")]
    for i in range(len(t)):
        rows.append(f"{t[i]},{kl[i]!r}" + (f",{unc[i]!r}" if unc is not None else ""))
    return "\n".join(rows) + "\n"


def _logprob_table(seed, n_resp=7, n_pos=15, ragged=False):
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(n_resp):
        # Two full-length responses, so every position has a standard error.
        length = int(rng.integers(n_pos // 2, n_pos + 1)) if ragged and r >= 2 else n_pos
        for t in range(1, length + 1):
            base = -rng.exponential(2.0)
            aligned = -rng.exponential(0.5)
            rec = -rng.exponential(4.0)
            rows.append((f"resp {r}", t, aligned, base, rec))
    return rows


def _logprob_csv(rows, recovery=True):
    out = ["response,t,logp_aligned,logp_base" + (",logp_base_recovery" if recovery else "")]
    for r, t, a, b, rec in rows:
        out.append(f"{r},{t},{a!r},{b!r}" + (f",{rec!r}" if recovery else ""))
    return "\n".join(out) + "\n"


# --- valid uploads ---------------------------------------------------------------------------

def test_kl_format_sorted_with_uncertainty():
    t = [5, 1, 3, 2, 4, 10]
    kl = [0.1, 0.9, 0.3, 0.5, 0.0, 0.01]
    unc = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06]
    curve, messages = parse(_kl_csv(t, kl, unc))
    assert messages == []
    order = np.argsort(t)
    assert curve.kind == "kl"
    assert curve.t.dtype.kind == "i"
    np.testing.assert_array_equal(curve.t, np.array(t)[order])
    np.testing.assert_array_equal(curve.kl, np.array(kl)[order])
    np.testing.assert_array_equal(curve.uncertainty, np.array(unc)[order])
    assert curve.p_base is None and curve.n_responses is None and curve.notes == ()


def test_kl_format_header_spelling_and_bytes():
    # Column names from spreadsheets come capitalised and padded; a BOM and CRLF are Excel's.
    data = "\ufeff T , KL \r\n1,0.4\r\n2,0.3\r\n\r\n3,0.2\r\n4,0.1\r\n".encode("utf-8")
    curve, messages = parse(data, name="mine.csv")
    assert messages == []
    np.testing.assert_array_equal(curve.t, [1, 2, 3, 4])
    np.testing.assert_allclose(curve.kl, [0.4, 0.3, 0.2, 0.1])
    assert curve.uncertainty is None


@pytest.mark.parametrize("sep, newline", [(";", "\r"), ("\t", "\n")])
def test_other_separators(sep, newline):
    # Some locales' spreadsheets write ";", some tools tabs, old Macs bare CR line ends.
    curve, messages = parse(KL4.replace(",", sep).replace("\n", newline))
    assert messages == []
    np.testing.assert_allclose(curve.kl, [0.4, 0.3, 0.2, 0.1])


def test_arrays_are_read_only():
    # Curves are cached across reruns: one caller must not be able to edit another's data.
    curve, _ = parse(EXAMPLE_KL)
    with pytest.raises(ValueError):
        curve.kl[0] = 1.0


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("ragged", [False, True])
def test_logprob_format_matches_direct_computation(seed, ragged):
    rows = _logprob_table(seed, ragged=ragged)
    curve, messages = parse(_logprob_csv(rows))
    assert messages == []
    assert curve.kind == "logprobs" and curve.n_responses == 7

    # The estimator written out plainly, one position at a time.
    ts = sorted({t for _, t, *_ in rows})
    kl, se, p = [], [], []
    for t in ts:
        d = np.array([a - b for _, tt, a, b, _ in rows if tt == t])
        kl.append(d.mean())
        se.append(d.std(ddof=1) / math.sqrt(len(d)))
        p.append(np.mean([math.exp(rec) for _, tt, _, _, rec in rows if tt == t]))
    np.testing.assert_array_equal(curve.t, ts)
    np.testing.assert_allclose(curve.kl, kl, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(curve.uncertainty, se, rtol=1e-10)
    np.testing.assert_allclose(curve.p_base, p, rtol=1e-12)
    # These random log-probabilities make the mean difference negative at some positions.
    if np.any(np.array(kl) < 0):
        assert any("negative" in n and "sampling noise" in n for n in curve.notes)
    if ragged:
        assert any("different lengths" in n for n in curve.notes)


def test_logprob_format_matches_pandas_groupby():
    pd = pytest.importorskip("pandas")
    rows = _logprob_table(7, n_resp=30, n_pos=40, ragged=True)
    curve, _ = parse(_logprob_csv(rows))
    df = pd.read_csv(io.StringIO(_logprob_csv(rows)), dtype={"response": str})
    g = (df.logp_aligned - df.logp_base).groupby(df.t)
    np.testing.assert_allclose(curve.kl, g.mean().to_numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(curve.uncertainty, (g.std(ddof=1) / np.sqrt(g.count())).to_numpy(),
                               rtol=1e-9)


def test_negative_estimate_is_kept_and_noted():
    rows = ["response,t,logp_aligned,logp_base"]
    for r, shift in (("a", 0.0), ("b", -0.04)):
        for t in range(1, 6):
            d = 0.5 / t + shift if t != 4 else shift
            rows.append(f"{r},{t},{-1.0 + d},{-1.0}")
    curve, messages = parse("\n".join(rows))
    assert messages == []
    assert curve.kl[3] == pytest.approx(-0.02)
    assert curve.p_base is None
    [note] = [n for n in curve.notes if "negative" in n]
    assert "t = 4" in note and "−0.02 ± 0.02" in note and "plotted as is" in note


def test_single_response_gives_no_uncertainty_and_a_note():
    rows = ["response,t,logp_aligned,logp_base"] + [f"only,{t},-0.1,-{t}" for t in range(1, 6)]
    curve, messages = parse("\n".join(rows))
    assert messages == []
    assert curve.uncertainty is None and curve.n_responses == 1
    np.testing.assert_allclose(curve.kl, [t - 0.1 for t in range(1, 6)])
    assert any("standard error" in n for n in curve.notes)


def test_rounding_above_zero_is_tolerated():
    rows = ["response,t,logp_aligned,logp_base,logp_base_recovery"]
    rows += [f"{r},{t},1e-12,-0.5,5e-10" for r in "ab" for t in range(1, 5)]
    curve, messages = parse("\n".join(rows))
    assert messages == []
    assert np.all(curve.p_base <= 1.0)


def test_examples_parse_and_match_the_files():
    kl, m1 = parse(EXAMPLE_KL)
    lp, m2 = parse(EXAMPLE_LOGPROBS)
    assert m1 == [] and m2 == []
    assert kl.kind == "kl" and len(kl.t) >= 10 and kl.uncertainty is not None
    assert np.all(np.diff(kl.kl) < 0)  # a decaying profile, as the theory predicts
    assert lp.kind == "logprobs" and lp.p_base is not None and lp.uncertainty is not None
    assert lp.n_responses == 5 and len(lp.t) == 12 and lp.notes == ()
    # The page offers these files for download; they must be what the page itself shows.
    assert (EXAMPLES / "own_kl_example.csv").read_bytes() == EXAMPLE_KL.encode("utf-8")
    assert (EXAMPLES / "own_logprobs_example.csv").read_bytes() == EXAMPLE_LOGPROBS.encode("utf-8")


# --- malformed uploads -----------------------------------------------------------------------

KL4 = "t,kl\n1,0.4\n2,0.3\n3,0.2\n4,0.1\n"


@pytest.mark.parametrize("data, patterns", [
    (b"", [r"empty"]),
    ("   \n\n \t\n", [r"empty"]),
    (b"\xff\xfe" + "t,kl\n".encode("utf-16-le"), [r"UTF-16", r"UTF-8"]),
    (b"t,kl\n1,0.4\n2,\xe9\xff\n", [r"not UTF-8"]),
    (b"PK\x03\x04rest", [r"spreadsheet|zip"]),
    ("t,kl\x00\n1,2", [r"binary"]),
    ("a,b\n1,2\n", [r"unknown columns", r"missing columns `t`, `kl`", r"Accepted formats"]),
    ("kl\n0.1\n0.2\n0.3\n0.4\n", [r"missing column `t`"]),
    ("0.1\n0.2\n0.3\n", [r"numbers, not column names"]),
    ("t,kl,extra\n1,2,3\n", [r"unknown column `extra`"]),
    ("response,t,logp_aligned\nr,1,-1\n", [r"missing column `logp_base`"]),
    ("t,kl,T\n1,2,3\n", [r"repeated"]),
    ("t,,kl\n1,2,3\n", [r"no name"]),
    ("t,kl\n", [r"no data rows"]),
    ("t,kl\n1,0.4\n2,0.3,9\n3\n4,0.1\n", [r"2 fields", r"row 3 has 3", r"row 4 has 1"]),
    (KL4.replace("0.3", "abc"), [r"Not a number in column `kl`: row 3 has `abc`"]),
    (KL4.replace("0.3", "nan"), [r"NaN", r"row 3"]),
    (KL4.replace("0.3", "-inf"), [r"infinite", r"row 3"]),
    (KL4.replace("0.3", "1e400"), [r"too large"]),
    (KL4.replace("0.3", ""), [r"Missing values in column `kl`: row 3"]),
    (KL4.replace("0.3", "-0.3"), [r"KL cannot be negative: row 3 has kl = `-0.3`"]),
    (KL4.replace("3,0.2", "2,0.2"), [r"only once", r"t = 2 is on rows 3 and 4"]),
    (KL4.replace("1,0.4", "0,0.4"), [r"whole numbers", r"row 2 has t = `0`"]),
    (KL4.replace("1,0.4", "1.5,0.4"), [r"whole numbers", r"t = `1.5`"]),
    (KL4.replace("1,0.4", "-1,0.4"), [r"whole numbers"]),
    ("t,kl,uncertainty\n1,.4,.1\n2,.3,0\n3,.2,-1\n4,.1,.1\n", [r"greater than 0", r"row 3", r"row 4"]),
    ("t,kl\n1,0.4\n2,0.3\n3,0.2\n", [r"Too few positions", r"at least 4"]),
    ("t,kl\n" + "".join(f"{t},0.1\n" for t in range(1, 10_002)), [r"Too many positions"]),
    ('t,kl\n1,"0.4\n', [r"could not be read|no data|Too few|quote"]),
])
def test_malformed_upload_gives_a_message(data, patterns):
    _fails(data, *patterns)


@pytest.mark.parametrize("row, pattern", [
    ("r,1,0.5,-1", r"Log-probabilities must be 0 or less \(column `logp_aligned`.*above 1.*\): row 3 has logp_aligned = `0.5`"),
    ("r,1,-1,1e-3", r"logp_base = `1e-3`"),
    ("r,1,-1,-1,0.2", r"logp_base_recovery = `0.2`"),
    ("r,1,-1,nan", r"NaN"),
    ("r,1,-inf,-1", r"infinite"),
    ("r,1,-1e300,-1", r"not plausible"),
    ("r,1,x,-1", r"Not a number in column `logp_aligned`"),
    (",1,-1,-1", r"Missing values in column `response`"),
    ("a,1,-1,-1", r"response `a` has t = 1 on rows 2 and 3"),
])
def test_malformed_logprobs(row, pattern):
    header = "response,t,logp_aligned,logp_base,logp_base_recovery"
    good = [f"a,{t},-0.5,-1,-3" for t in range(1, 5)] + [f"b,{t},-0.5,-1.5,-3" for t in range(1, 5)]
    if row.count(",") == 3:
        row += ",-3"
    _fails("\n".join([header, good[0], row, *good[1:]]), pattern)


def test_huge_input_is_refused_before_decoding():
    # Invalid UTF-8 on purpose: the size message, not a decoding one, shows the size came first.
    messages = _fails(b"\xff" * (MAX_BYTES + 1), r"too large", r"2 MB")
    assert not any("UTF" in m for m in messages)
    _fails("t,kl\n" + "1,0.1\n" * (MAX_BYTES // 6 + 1), r"too large")
    # Characters beyond ASCII count as their UTF-8 bytes, as they would in an uploaded file.
    _fails("é" * (MAX_BYTES // 2 + 1), r"too large")


def test_row_limit(monkeypatch):
    # A million rows cannot fit in 2 MB of valid CSV; a lower limit tests the same code path.
    monkeypatch.setattr(eu, "MAX_ROWS", 10)
    _fails(KL4 + "".join(f"{t},0.1\n" for t in range(5, 20)), r"Too many rows")


def test_user_text_is_short_and_inert_in_markdown():
    evil = "`**$x$**`<script>[a](http://evil.example)_\n\n" + "z" * 200
    messages = _fails(KL4.replace("abc", "").replace("0.3", f'"{evil}"'), r"Not a number")
    text = " ".join(messages)
    assert "z" * 40 not in text and "\n" not in text
    # The user's text is one code span (ui.text.echo.quote): no backtick of its own, so nothing in it
    # can close the span; outside the spans there is no trace of it.
    outside = re.sub(r"`[^`]*`", "", text)
    assert not any(s in outside for s in ("evil", "<script>", "**", "$x$")), outside
    # The file name is user text too.
    _, messages = parse(b"", name="**bold**`x`.csv")
    assert "`**bold**'x'.csv`" in messages[0]


def test_many_bad_values_give_a_short_list():
    data = "t,kl\n" + "".join(f"{t},bad{t}\n" for t in range(1, 500))
    [message] = _fails(data, r"Not a number")
    assert "and 496 more" in message and len(message) < 300


def test_unexpected_input_types_do_not_raise():
    for data in (None, 3, ["t,kl"], bytearray(KL4, "utf-8"), memoryview(KL4.encode())):
        curve, messages = parse(data)
        assert (curve is None) == bool(messages)


# --- never raises ----------------------------------------------------------------------------
# The guarded parse cannot raise by construction, so the properties run the unguarded _parse:
# a bug there would otherwise be hidden behind the generic message.

def _check(data):
    curve, messages = eu._parse(data, "upload")
    assert (curve is None) == bool(messages)
    assert all(isinstance(m, str) and len(m) < 2_000 for m in messages)
    if curve is not None:
        assert len(curve.t) >= eu.MIN_POSITIONS and np.all(np.diff(curve.t) > 0)
        assert np.all(np.isfinite(curve.kl))
        if curve.uncertainty is not None:
            assert np.all(curve.uncertainty > 0)
    assert parse(data) is not None


@given(st.binary(max_size=2_000))
def test_never_raises_on_bytes(data):
    _check(data)


@given(st.text(max_size=2_000))
def test_never_raises_on_text(data):
    _check(data)


_CELLS = st.one_of(
    st.sampled_from(["", " ", "0", "1", "-1", "1.5", "1e3", "1e999", "nan", "-inf", "NA", "t", "kl",
                     "\"", "\"a,b\"", "1_0", "١", "0x10", "+.5", "-0", "5e-10", "response"]),
    st.integers(-3, 30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=6),
)
_HEADERS = st.sampled_from([
    "t,kl", "t,kl,uncertainty", "T , Kl", "response,t,logp_aligned,logp_base",
    "response,t,logp_aligned,logp_base,logp_base_recovery", "t;kl", "t\tkl", "t,kl,t",
])


@settings(max_examples=300)
@given(_HEADERS, st.lists(st.lists(_CELLS, min_size=1, max_size=6), max_size=40),
       st.sampled_from([",", ";", "\t"]), st.sampled_from(["\n", "\r\n", "\r"]))
def test_never_raises_on_csv_like_text(header, rows, sep, newline):
    # Random bytes almost never get past the header; this reaches the value checks.
    _check(newline.join([header] + [sep.join(r) for r in rows]))


@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(1, 8),
                          st.floats(-1e6, 0), st.floats(-1e6, 0), st.floats(-1e6, 0)), max_size=60))
def test_never_raises_on_valid_logprob_tables(rows):
    # Valid values with duplicates, single responses and zero spread: the estimator's edge cases.
    _check(_logprob_csv(rows))
