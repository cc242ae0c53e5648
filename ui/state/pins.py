"""Pinned parameter sets ("pin and compare"): what a pin is and how it reads in the URL.

Pure functions, no Streamlit (``ui.classroom.compare`` is the page's control). A pin is a name
(plain text, at most :data:`MAX_NAME` characters) and the closed-form parameters of
``ui.state.params`` (group ``"closed"``) at the time it was pinned. One URL value per pin::

    ?pin=Deep%2C%20γ%20%3D%200.9~beta:1,mu:5,gamma:0.9,p_base:0.01,delta:0.5,T:50,k:5,t:10

The name is everything before the *last* ``~`` (so a name may hold ``~``, ``:`` or commas: the
values part never does), the values are ``key:number`` pairs, numbers as ``ui.state.params.fmt`` writes
them without a trailing ``.0``. :func:`parse_all` never raises: a pin it cannot read is dropped
with a message, an out-of-range number is corrected like a bad link value, a missing key takes its
default, and only the first :data:`MAX_PINS` pins are kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ui.text.echo import quote

from . import params as P

MAX_PINS = 3
MAX_NAME = 40
NAMES = tuple(p.name for p in P.PARAMS.values() if p.group == "closed")  # table order
# How the difference table and default names write each parameter (plain Unicode).
SYMBOLS = {"beta": "β", "mu": "μ", "gamma": "γ", "p_base": "p_base", "delta": "δ", "T": "T",
           "k": "k", "t": "t"}
assert set(SYMBOLS) == set(NAMES), "a new closed-form parameter needs a symbol here"
_SEP = "~"  # name ~ values
# Characters a name cannot carry: control and format characters (invisible, or they break a
# line), and < > $ that plotly reads as markup or LaTeX in a legend.
_DROP = re.compile(r"[<>$]")


@dataclass(frozen=True)
class Pin:
    """One pinned set. Frozen and hashable: pins ride in the values dict that keys the figure
    cache (``ui.catalog.build``)."""
    name: str
    items: tuple[tuple[str, float | int], ...]  # (parameter, value) in NAMES order

    @property
    def values(self) -> dict:
        return dict(self.items)


def sanitise(name) -> str:
    """A name as a legend shows it: printable, one line, spaces collapsed, at most MAX_NAME."""
    text = unicodedata.normalize("NFC", str(name))
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" else c for c in text)
    text = " ".join(_DROP.sub("", text).split())
    return text[:MAX_NAME].strip()


def _number(value) -> str:
    text = P.fmt(value)
    return text[:-2] if text.endswith(".0") else text


def make(name, values: dict) -> Pin:
    """A pin of the closed-form parameters in ``values`` (a full values dict) named ``name``."""
    return Pin(sanitise(name), tuple((n, values[n]) for n in NAMES))


def format_pin(pin: Pin) -> str:
    """The URL value of ``pin``."""
    return pin.name + _SEP + ",".join(f"{n}:{_number(v)}" for n, v in pin.items)


def _is_number(text: str) -> bool:
    try:
        return float(text) == float(text)  # NaN is not
    except ValueError:
        return False


def parse(raw, fallback_name: str = "Pin") -> tuple[Pin | None, list[str]]:
    """One URL value -> ``(pin or None, messages)``. Never raises."""
    raw = str(raw)
    name, sep, body = raw.rpartition(_SEP)
    if not sep:
        return None, [f"Pin {quote(raw)} has no `~` between its name and its values; dropped."]
    given = {}
    for item in body.split(","):
        key, colon, value = item.strip().partition(":")
        problem = ("is not `key:value`" if not colon
                   else "is not a parameter of the closed forms" if key not in NAMES
                   else "repeats a parameter" if key in given
                   else "is not a number" if not _is_number(value) else None)
        if problem:
            return None, [f"Pin {quote(raw)}: {quote(item)} {problem}; pin dropped."]
        given[key] = value
    values, messages = {}, []
    for key in NAMES:  # in range now, or corrected like a bad link value
        values[key], warning = P.parse(key, given.get(key))
        if warning:
            messages.append(f"Pin {quote(name)}: {warning}")
    full, more = P.constrain({**P.defaults(), **values})  # k <= T
    messages += [f"Pin {quote(name)}: {m}" for m in more]
    return make(sanitise(name) or fallback_name, full), messages


def parse_all(raws, unread: int = 0) -> tuple[tuple[Pin, ...], list[str]]:
    """The URL's pin values -> ``(valid pins, messages)``: junk dropped, at most MAX_PINS kept.

    ``unread``: pins the link gave beyond ``raws`` (a link's key is read at most ``params.TEXT_VALUES`` times), counted in
    the message so that it says how many the link pins.
    """
    pins, messages = [], []
    for raw in list(raws or []):
        pin, more = parse(raw, f"Pin {len(pins) + 1}")
        messages += more
        if pin is not None:
            pins.append(pin)
    if len(pins) + unread > MAX_PINS:
        messages.append(f"The link pins {len(pins) + unread} parameter sets; only the first "
                        f"{MAX_PINS} are kept.")
    return tuple(pins[:MAX_PINS]), messages


def default_name(values: dict, taken=()) -> str:
    """A name that says what is special about ``values``: the closed-form parameters that differ
    from the defaults (as many as fit), else "defaults"; made unique among ``taken``."""
    defaults = P.defaults()
    parts = [f"{SYMBOLS[n]} = {values[n]:g}" for n in NAMES if values[n] != defaults[n]]
    name = "defaults"
    for i in range(len(parts), 0, -1):
        text = ", ".join(parts[:i]) + ("…" if i < len(parts) else "")
        if len(text) <= MAX_NAME - 4:  # room for a " (2)"
            name = text
            break
    unique, n = name, 2
    while unique in taken:
        unique, n = f"{name} ({n})", n + 1
    return unique


def differences(current: dict, pins) -> list[dict]:
    """The difference table: one row per set (the current one first), one column per parameter
    in which the sets differ (empty list of columns: they agree). Values as text."""
    sets = [("current settings", current)] + [(p.name, p.values) for p in pins]
    # Not t: it is where the readouts read (it moves under the hand), and no pinned figure
    # depends on it.
    differ = [n for n in NAMES if n != "t" and len({values[n] for _, values in sets}) > 1]
    return [{"set": label, **{SYMBOLS[n]: f"{values[n]:g}" for n in differ}}
            for label, values in sets]
