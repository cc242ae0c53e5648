""""Bring your own curve": read a user's upload into per-position KL, or say why not.

The Evidence page fits the theory's per-position KL profile to a curve the user pastes or uploads.
:func:`parse` turns the raw bytes or text into a :class:`Curve`, or into a list of messages that
say in plain words what to fix. Two CSV formats are accepted, told apart by the header (column
names are case-insensitive; spaces around them are ignored):

1. per-position KL: ``t, kl`` and optionally ``uncertainty`` (nats, one standard error);
2. per-position log-probabilities of responses sampled from the aligned model and scored by both
   models: ``response, t, logp_aligned, logp_base`` and optionally ``logp_base_recovery``.

For format 2, KL_t is the mean over responses of ``logp_aligned - logp_base``: responses are
drawn from the aligned model, so this is the Monte Carlo estimate of KL(aligned || base) at t.
Its uncertainty is the standard error (sample std / sqrt(n_t)), and p_base_t is the mean over
responses of ``exp(logp_base_recovery)``; :func:`theory.kl_estimate.estimate_kl` computes them.
This module only reads and checks the file.

Rows in messages are numbered like a spreadsheet's: the header is row 1. The upload is untrusted:
``parse`` never raises, never evaluates anything (numbers are matched by a regular expression
before ``float`` sees them), and echoes at most ~30 characters of user text per example, escaped
for markdown.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass

import numpy as np

from theory.kl_estimate import estimate_kl
from ui.text.echo import quote

MAX_BYTES = 2_000_000
# Reading costs ~13 us a row (1.3 s for 2 MB of short rows): 50,000 rows (e.g. 100 responses of
# 500 tokens) keep one upload well under a second of the server process the page shares. Rows
# of real log-probabilities have 30+ bytes, so 2 MB holds no more than this anyway.
MAX_ROWS = 50_000
MAX_POSITIONS = 10_000
MIN_POSITIONS = 4
# Positions are array indices in the fits; a bound keeps them exact in float64 and int64.
MAX_T = 1_000_000_000
# Log-probabilities written with rounding (e.g. 1e-12 for a certain token) are still accepted.
LOGP_TOLERANCE = 1e-9
# Far below any model's log-probability (fp32 logits give at most a few hundred nats); the bound
# keeps sums of squares in the standard error from overflowing.
LOGP_MIN = -1e6
KL_MAX = -LOGP_MIN  # a per-token KL is at most the largest -log-probability; also for uncertainties
# Below a millionth of the largest KL an uncertainty is under the precision the numbers are
# written with (a CSV carries ~6 digits), yet would weigh its point 10^12 times the others and
# overflow the fit's sums near 1e-154: it is refused (floored to UNCERTAINTY_MIN when all KL are 0).
UNCERTAINTY_FLOOR = 1e-6
UNCERTAINTY_MIN = 1e-12
# For a token drawn from the aligned model, E[p_base / p_aligned] <= 1, so by Markov's inequality
# logp_base - logp_aligned >= D has probability at most e^-D, whatever the models; the same holds
# for the sum over independent responses at one position. D = 50 (e^-50 = 2e-22) is never reached
# by a sampled token; data beyond it are not samples from the aligned model (or columns swapped).
LOG_RATIO_MAX = 50.0
ECHO_CHARS = 30
EXAMPLES_SHOWN = 3
MAX_MESSAGES = 8

KL_COLUMNS = ("t", "kl")
KL_OPTIONAL = ("uncertainty",)
LOGPROB_COLUMNS = ("response", "t", "logp_aligned", "logp_base")
LOGPROB_OPTIONAL = ("logp_base_recovery",)

FORMATS_HELP = (
    "Accepted formats (a CSV file whose first row names the columns): "
    "(1) per-position KL: columns `t, kl` and optionally `uncertainty`; "
    "(2) log-probabilities of sampled responses: columns `response, t, logp_aligned, logp_base` "
    "and optionally `logp_base_recovery`."
)


@dataclass(frozen=True, eq=False)  # eq=False: a generated == would compare arrays and raise
class Curve:
    """A per-position KL curve ready to fit: positions sorted, values finite, arrays read-only."""

    kind: str  # "kl" or "logprobs"
    t: np.ndarray  # sorted positions (int)
    kl: np.ndarray  # nats
    uncertainty: np.ndarray | None  # one standard error per position, > 0
    p_base: np.ndarray | None  # base model's probability of the recovery tokens, per position
    n_responses: int | None  # distinct responses (format 2 only)
    notes: tuple[str, ...]  # non-fatal remarks shown under the plot


# A plain decimal number and nothing else: float() alone would also take "nan", "1_000",
# "infinity" and non-ASCII digits, which should be reported rather than read.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NON_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
_MISSING = {"", "na", "n/a", "null", "none", "-"}


def parse(data: bytes | str, name: str = "pasted text") -> tuple[Curve | None, list[str]]:
    """Read an upload; return ``(curve, [])``, or ``(None, messages)`` saying what to fix.

    ``data`` is the file's bytes or the pasted text; ``name`` (the file name) is used in messages.
    """
    try:
        return _parse(data, name)
    except Exception:  # noqa: BLE001 - the page must always get an answer, whatever the input
        # The tests run _parse without this net, so it does not hide bugs there.
        return None, ["The upload could not be read (an unexpected error). Please check that it is "
                      "a CSV file in one of the accepted formats. " + FORMATS_HELP]


def _parse(data, name) -> tuple[Curve | None, list[str]]:
    label = "pasted text" if name == "pasted text" or not isinstance(name, str) else f"file {_quote(name)}"
    text, errors = _decode(data, label)
    if errors:
        return None, errors
    if not text.strip():
        return None, [f"The {label} is empty. " + FORMATS_HELP]
    return _read_csv(text)


# --- bytes to text ---------------------------------------------------------------------------

def _decode(data, label: str) -> tuple[str, list[str]]:
    too_big = (f"The {label} is too large: the limit is {MAX_BYTES:,} bytes (2 MB). For long "
               "responses, keep every position but fewer responses, or upload per-position KL.")
    if isinstance(data, str):
        # Each character is at least one byte; this bounds the work before encoding.
        if len(data) > MAX_BYTES or len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            return "", [too_big]
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            return "", [f"The {label} contains characters that are not valid text."]
        text = data
    elif isinstance(data, (bytes, bytearray, memoryview)):
        if len(data) > MAX_BYTES:  # before decoding, so a huge upload costs nothing more
            return "", [too_big]
        raw = bytes(data)
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            return "", [f"The {label} is UTF-16 text, not UTF-8. Please save it as UTF-8 (\"CSV UTF-8\" "
                        "in spreadsheet programs) and upload it again."]
        if raw.startswith(b"PK\x03\x04"):
            return "", [f"The {label} looks like a spreadsheet or zip file, not CSV text. Please "
                        "export it as CSV (UTF-8)."]
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            return "", [f"The {label} is not UTF-8 text (the first undecodable byte is at "
                        f"position {e.start:,}). Please save it as a CSV file in UTF-8."]
    else:
        return "", [f"Nothing to read in the {label}: expected text or the bytes of a CSV file."]
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        return "", [f"The {label} contains NUL characters: it looks like a binary file, not CSV "
                    "text."]
    return text, []


# --- text to columns -------------------------------------------------------------------------

def _read_csv(text: str) -> tuple[Curve | None, list[str]]:
    # Every record takes at least one line: counting line breaks refuses a flood of short rows
    # before the CSV reader spends a second on it.
    lines = max(text.count("\n"), text.count("\r"))
    if lines > MAX_ROWS + 1:
        return None, [f"Too many rows: the upload has {lines:,} lines; the limit is {MAX_ROWS:,} "
                      "data rows. For long responses, keep every position but fewer responses, or "
                      "upload per-position KL."]
    first_line = re.split(r"[\r\n]", text.lstrip("\r\n"), maxsplit=1)[0]
    # Spreadsheets in some locales write ";" and some tools write tabs; a header tells them apart.
    delimiter = next((d for d in (",", "\t", ";") if d in first_line), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header, header_row = None, 0
    records = []  # (spreadsheet row, fields)
    ragged = []
    prev_line = 0
    try:
        for fields in reader:
            row = prev_line + 1  # the record's first line: quoted fields may span lines
            prev_line = reader.line_num
            if not fields or all(not f.strip() for f in fields):
                continue  # blank lines, and trailing separators-only lines from spreadsheets
            if header is None:
                header, header_row = fields, row
                continue
            if len(fields) != len(header):
                ragged.append((row, len(fields)))
                continue
            records.append((row, fields))
            if len(records) > MAX_ROWS:
                return None, [f"Too many rows: the limit is {MAX_ROWS:,} data rows."]
    except csv.Error as e:
        return None, [f"Row {prev_line + 1} could not be read as CSV ({_echo(str(e))}). Check "
                      "the quotes on that row."]
    if header is None:
        return None, ["The upload is empty. " + FORMATS_HELP]

    columns = [c.strip().lower() for c in header]
    kind, errors = _detect(columns, header_row)
    if errors:
        return None, errors
    errors = []
    if ragged:
        errors.append(f"Every row must have {len(header)} fields, like the header; "
                      + _examples([f"row {r} has {n}" for r, n in ragged], "rows") + ".")
    if not records and not ragged:
        errors.append("The header is there but no data rows follow it.")
    if errors:
        return None, errors[:MAX_MESSAGES]
    index = {c: i for i, c in enumerate(columns)}
    if kind == "kl":
        return _kl_curve(records, index)
    return _logprob_curve(records, index)


def _detect(columns: list[str], header_row: int) -> tuple[str | None, list[str]]:
    if all(_NUMBER.fullmatch(c) or c in _NON_FINITE for c in columns):
        return None, [f"The first row (row {header_row}) holds numbers, not column names. Add a "
                      "header row naming the columns. " + FORMATS_HELP]
    if "" in columns:
        return None, [f"Column {columns.index('') + 1} of the header (row {header_row}) has no "
                      "name. Remove empty columns or name them. " + FORMATS_HELP]
    seen, repeated = set(), []
    for c in columns:
        if c in seen and c not in repeated:
            repeated.append(c)
        seen.add(c)
    if repeated:
        return None, ["Column names must be different; repeated: "
                      + ", ".join(_quote(c) for c in repeated[:EXAMPLES_SHOWN]) + "."]
    cols = set(columns)
    for kind, required, optional in (("kl", KL_COLUMNS, KL_OPTIONAL),
                                     ("logprobs", LOGPROB_COLUMNS, LOGPROB_OPTIONAL)):
        if set(required) <= cols <= set(required) | set(optional):
            return kind, []
    # Name the format the header is closest to, so the message says what to add or remove.
    required, optional = ((LOGPROB_COLUMNS, LOGPROB_OPTIONAL)
                          if cols & {"response", "logp_aligned", "logp_base", "logp_base_recovery"}
                          else (KL_COLUMNS, KL_OPTIONAL))
    missing = [c for c in required if c not in cols]
    unknown = [c for c in columns if c not in required and c not in optional]
    parts = []
    if missing:
        parts.append("missing column" + ("s " if len(missing) > 1 else " ")
                     + ", ".join(f"`{c}`" for c in missing))
    if unknown:
        parts.append("unknown column" + ("s " if len(unknown) > 1 else " ")
                     + _examples([_quote(c) for c in unknown], "more"))
    return None, ["The columns do not match an accepted format: " + "; ".join(parts) + ". "
                  + FORMATS_HELP]


# --- columns to numbers ----------------------------------------------------------------------

class _Problems:
    """Problems grouped by kind, a few examples each, so a bad file gives a short list."""

    def __init__(self):
        self.groups: dict[str, list[str]] = {}

    def add(self, lead: str, example: str) -> None:
        self.groups.setdefault(lead, []).append(example)

    def messages(self) -> list[str]:
        return [f"{lead}: {_examples(ex, 'more')}." for lead, ex in self.groups.items()][:MAX_MESSAGES]


def _number(cell: str, row: int, column: str, problems: _Problems) -> float | None:
    s = cell.strip()
    low = s.lower()
    if low in _MISSING:
        problems.add(f"Missing values in column `{column}`", f"row {row}")
    elif low in _NON_FINITE:
        problems.add(f"NaN and infinite values are not allowed (column `{column}`)",
                     f"row {row} has {_quote(s)}")
    elif not _NUMBER.fullmatch(s):
        problems.add(f"Not a number in column `{column}`", f"row {row} has {_quote(s)}")
    else:
        x = float(s)
        if math.isfinite(x):
            return x
        problems.add(f"Number too large in column `{column}`", f"row {row} has {_quote(s)}")
    return None


def _position(cell: str, row: int, problems: _Problems) -> int | None:
    x = _number(cell, row, "t", problems)
    if x is None:
        return None
    # "3.0" is accepted: tools that write every column as float should not be an obstacle.
    if x != int(x) or not 1 <= x <= MAX_T:
        problems.add(f"Positions `t` must be whole numbers from 1 to {MAX_T:,}",
                     f"row {row} has t = {_quote(cell.strip())}")
        return None
    return int(x)


def _check_counts(t_unique: np.ndarray) -> list[str]:
    n = len(t_unique)
    if n < MIN_POSITIONS:
        return [f"Too few positions to fit: {n} distinct value{'s' if n != 1 else ''} of `t`; at "
                f"least {MIN_POSITIONS} are needed."]
    if n > MAX_POSITIONS:
        return [f"Too many positions: {n:,} distinct values of `t`; the limit is {MAX_POSITIONS:,}."]
    return []


def _kl_curve(records, index) -> tuple[Curve | None, list[str]]:
    problems = _Problems()
    has_unc = "uncertainty" in index
    unc_cells = [f[index["uncertainty"]].strip().lower() for _, f in records] if has_unc else []
    # An uncertainty column left entirely empty means "no uncertainties", not a missing value per row.
    notes = []
    if has_unc and all(c in _MISSING for c in unc_cells):
        has_unc = False
        notes.append("The `uncertainty` column is empty: the curve is fitted without uncertainties.")
    t, kl, unc, first_row = [], [], [], {}
    kept = []  # (row, the uncertainty as written) of each row read
    for row, f in records:
        ti = _position(f[index["t"]], row, problems)
        k = _number(f[index["kl"]], row, "kl", problems)
        u = _number(f[index["uncertainty"]], row, "uncertainty", problems) if has_unc else 1.0
        if ti is not None:
            if ti in first_row:
                problems.add("Each position `t` may appear only once",
                             f"t = {ti} is on rows {first_row[ti]} and {row}")
                continue
            first_row[ti] = row
        if k is not None and k < 0:
            problems.add("KL cannot be negative", f"row {row} has kl = {_echo(f[index['kl']].strip())}")
            k = None
        elif k is not None and k > KL_MAX:
            problems.add(f"A per-token KL above {KL_MAX:,.0f} nats is not plausible (column `kl`)",
                         f"row {row} has kl = {_echo(f[index['kl']].strip())}")
            k = None
        if has_unc and u is not None and u <= 0:
            problems.add("An uncertainty must be greater than 0 (column `uncertainty`)",
                         f"row {row} has uncertainty = {_echo(f[index['uncertainty']].strip())}")
            u = None
        elif has_unc and u is not None and u > KL_MAX:
            problems.add(f"An uncertainty above {KL_MAX:,.0f} nats is not plausible (column "
                         "`uncertainty`)", f"row {row} has uncertainty = "
                         f"{_echo(f[index['uncertainty']].strip())}")
            u = None
        if ti is None or k is None or u is None:
            continue
        t.append(ti), kl.append(k), unc.append(u)
        kept.append((row, f[index["uncertainty"]].strip() if has_unc else ""))
    if has_unc and kl:
        largest = max(kl)
        floor = max(UNCERTAINTY_FLOOR * largest, UNCERTAINTY_MIN)
        for (row, written), u in zip(kept, unc):
            if u < floor:
                problems.add(f"An uncertainty must be at least {floor:.2g} nats, a millionth of the "
                             f"largest KL ({largest:.3g}): smaller ones are below the precision of "
                             "the numbers. Give the standard error you measured, or leave the "
                             "column empty (column `uncertainty`)",
                             f"row {row} has uncertainty = {_echo(written)}")
    errors = problems.messages()
    if errors:
        return None, errors
    t = np.asarray(t, dtype=np.int64)
    errors = _check_counts(t)
    if errors:
        return None, errors
    order = np.argsort(t, kind="stable")
    return Curve(kind="kl", t=_frozen(t[order]), kl=_frozen(np.asarray(kl, dtype=float)[order]),
                 uncertainty=_frozen(np.asarray(unc, dtype=float)[order]) if has_unc else None,
                 p_base=None, n_responses=None, notes=tuple(notes)), []


def _logprob_curve(records, index) -> tuple[Curve | None, list[str]]:
    problems = _Problems()
    has_rec = "logp_base_recovery" in index
    notes = []
    if has_rec and all(f[index["logp_base_recovery"]].strip().lower() in _MISSING for _, f in records):
        has_rec = False
        notes.append("The `logp_base_recovery` column is empty: p_base is not estimated.")
    logp_columns = ("logp_aligned", "logp_base") + (("logp_base_recovery",) if has_rec else ())
    codes: dict[str, int] = {}
    first_row: dict[tuple[int, int], int] = {}
    t, resp, vals = [], [], []
    for row, f in records:
        r = f[index["response"]].strip()
        if not r:
            problems.add("Missing values in column `response`", f"row {row}")
        ti = _position(f[index["t"]], row, problems)
        lp = []
        for c in logp_columns:
            x = _number(f[index[c]], row, c, problems)
            if x is not None and x > LOGP_TOLERANCE:
                problems.add(f"Log-probabilities must be 0 or less (column `{c}`; above 0 is a "
                             "probability above 1: if the column holds probabilities, write their "
                             "natural log)", f"row {row} has {c} = {_echo(f[index[c]].strip())}")
                x = None
            elif x is not None and x < LOGP_MIN:
                problems.add(f"Log-probabilities below {LOGP_MIN:,.0f} are not plausible",
                             f"row {row} has {c} = {_echo(f[index[c]].strip())}")
                x = None
            lp.append(x)
        if lp[0] is not None and lp[1] is not None and lp[1] - lp[0] > LOG_RATIO_MAX:
            problems.add(f"The base model's log-probability exceeds the aligned model's by more "
                         f"than {LOG_RATIO_MAX:.0f} nats (columns `logp_aligned` and `logp_base`): "
                         "a token sampled from the aligned model does that with probability below "
                         f"e^−{LOG_RATIO_MAX:.0f}. Check that the responses were sampled from the "
                         "aligned model and the two columns are not swapped",
                         f"row {row} has logp_aligned = {_echo(f[index['logp_aligned']].strip())}, "
                         f"logp_base = {_echo(f[index['logp_base']].strip())}")
        if not r or ti is None:
            continue
        code = codes.setdefault(r, len(codes))
        if (code, ti) in first_row:
            problems.add("Each response may have each position `t` only once",
                         f"response {_quote(r)} has t = {ti} on rows {first_row[code, ti]} and {row}")
            continue
        first_row[code, ti] = row
        if any(x is None for x in lp):
            continue
        t.append(ti), resp.append(code), vals.append(lp)
    errors = problems.messages()
    if errors:
        return None, errors
    # Values a rounding error above 0 are read as 0, so that probabilities stay at most 1.
    vals = np.minimum(np.asarray(vals, dtype=float).reshape(len(t), len(logp_columns)), 0.0)
    t = np.asarray(t, dtype=np.int64)
    errors = _check_counts(np.unique(t))
    if errors:
        return None, errors
    est = estimate_kl(t, vals[:, 0], vals[:, 1], vals[:, 2] if has_rec else None)
    positions, counts, kl = est.t, est.n, est.kl
    # Samples of the aligned model sum below -LOG_RATIO_MAX with probability under e^-50 (see
    # LOG_RATIO_MAX and theory.kl_estimate): such an estimate is not sampling noise.
    impossible = np.flatnonzero(est.log_ratio_sum < -LOG_RATIO_MAX)
    if len(impossible):
        shown = [f"t = {positions[i]} ({counts[i]} responses) sums to "
                 f"{_fmt_sum(est.log_ratio_sum[i])} nats" for i in impossible]
        return None, [f"The log-ratios logp_aligned − logp_base of the responses at one position "
                      f"sum to less than −{LOG_RATIO_MAX:.0f} nats: "
                      + _examples(shown, "more positions") + ". Responses sampled from the aligned "
                      f"model give that with probability below e^−{LOG_RATIO_MAX:.0f}, so this is "
                      "not sampling noise: check that the responses come from the aligned model "
                      "and that `logp_aligned` and `logp_base` are not swapped."]
    unc = None
    if counts.min() >= 2:
        unc = est.stderr
        # A standard error that is rounding (identical responses give 1e-17, not 0) would weigh
        # its point beyond any other: below the floor it counts as 0.
        floor = max(UNCERTAINTY_FLOOR * float(np.abs(kl).max()), UNCERTAINTY_MIN)
        if np.any(unc < floor):
            same = positions[unc < floor]
            notes.append("All responses give the same value at " + _t_list(same)
                         + ", so the standard error there is 0 (or below the numbers' precision): "
                         "the curve is fitted without "
                         "uncertainties.")
            unc = None
    else:
        notes.append("Only one response reaches " + _t_list(positions[counts < 2])
                     + ": a standard error needs at least 2, so the curve is fitted without "
                     "uncertainties (drop those positions to keep them).")
    if counts.min() != counts.max():
        notes.append(f"Responses have different lengths: each position averages over the responses "
                     f"that reach it ({counts.min()} to {counts.max()} responses).")
    negative = np.flatnonzero(kl < 0)
    if len(negative):
        shown = []
        for i in negative[:EXAMPLES_SHOWN]:
            pm = f" ± {_fmt(unc[i])}" if unc is not None else ""
            shown.append(f"t = {positions[i]} is negative ({_fmt(kl[i])}{pm})" if len(negative) == 1
                         else f"t = {positions[i]} ({_fmt(kl[i])}{pm})")
        if len(negative) == 1:
            notes.append(f"The estimate at {shown[0]}: sampling noise; it is plotted as is.")
        else:
            notes.append(f"The estimates at {_examples(shown, 'more positions')} are negative: "
                         "sampling noise; they are plotted as is.")
    return Curve(kind="logprobs", t=_frozen(positions), kl=_frozen(kl),
                 uncertainty=_frozen(unc) if unc is not None else None,
                 p_base=_frozen(est.p_base) if est.p_base is not None else None,
                 n_responses=len(set(resp)), notes=tuple(notes)), []


# --- wording ---------------------------------------------------------------------------------

def _echo(s: str) -> str:
    """User text in a message: ``ui.text.echo.quote``, a short code span nothing breaks (a backslash
    escape does not stop Streamlit from linking a bare URL)."""
    return quote(s, ECHO_CHARS)


_quote = _echo


def _examples(items: list[str], more_word: str) -> str:
    shown = ", ".join(items[:EXAMPLES_SHOWN])
    rest = len(items) - EXAMPLES_SHOWN
    return shown + (f" and {rest} {more_word}" if rest > 0 else "")


def _t_list(ts: np.ndarray) -> str:
    ts = [str(int(x)) for x in ts]
    return ("t = " + ", ".join(ts[:EXAMPLES_SHOWN])
            + (f" and {len(ts) - EXAMPLES_SHOWN} more positions" if len(ts) > EXAMPLES_SHOWN else ""))


def _fmt(x: float) -> str:
    return f"{x:.2g}".replace("-", "−")


def _fmt_sum(x: float) -> str:
    return f"{x:,.0f}".replace("-", "−")


def _frozen(a: np.ndarray) -> np.ndarray:
    # Curves are cached and shared between reruns; read-only arrays keep one rerun from editing another's.
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


# --- examples --------------------------------------------------------------------------------
# Built from closed-form numbers, not a random generator, so the text (and the example files
# written from it) is the same on every platform and numpy version.

def _example_kl() -> str:
    lines = ["t,kl,uncertainty"]
    for t in range(1, 21):
        kl = 0.6 * math.exp(-(t - 1) / 4) + 0.02
        lines.append(f"{t},{kl:.4f},{0.05 * kl + 0.01:.4f}")
    return "\n".join(lines) + "\n"


def _example_logprobs() -> str:
    # The aligned model departs from the base mostly on the first tokens (a shallow profile). The
    # per-response spread sums to 0 over the 5 responses, so KL_t is the profile up to rounding.
    spread = (-2, -1, 0, 1, 2)
    lines = ["response,t,logp_aligned,logp_base,logp_base_recovery"]
    for r in range(5):
        for t in range(1, 13):
            kl = 0.9 * math.exp(-(t - 1) / 2.5) + 0.01
            aligned = -0.3 - 0.1 * ((r + 2 * t) % 3)
            base = aligned - kl - 0.02 * spread[(r + t) % 5]
            recovery = math.log(0.02 + 0.002 * spread[(2 * r + t) % 5])
            lines.append(f"r{r + 1},{t},{aligned:.4f},{base:.4f},{recovery:.4f}")
    return "\n".join(lines) + "\n"


EXAMPLE_KL: str = _example_kl()
EXAMPLE_LOGPROBS: str = _example_logprobs()


if __name__ == "__main__":  # regenerate evidence/examples/ from the strings above
    from pathlib import Path

    folder = Path(__file__).resolve().parent / "examples"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "own_kl_example.csv").write_text(EXAMPLE_KL, encoding="utf-8", newline="")
    (folder / "own_logprobs_example.csv").write_text(EXAMPLE_LOGPROBS, encoding="utf-8", newline="")
