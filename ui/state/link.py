"""Parameters as the share URL and as JSON: the same key/value set the app's address bar holds.

Pure functions (no Streamlit), so the page, the zip and the command line agree. :func:`read` is
the one reader of a URL's keys, by the parameter table (``ui.state.params``): ``ui.state.url``
reads the address bar with it once per run, the command line a link or a params JSON.

>>> from ui.state import params as P
>>> v = dict(P.defaults(), mu=2.5)
>>> values_from_url(share_url(v, "deep_alignment")) == v
True
>>> values_from_json(params_json(v)) == v
True
>>> w = dict(v, pin=(pins.make("deep", dict(v, mu=20.0)),))
>>> values_from_url(share_url(w, "overview")) == w
True
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from ui.text.echo import quote

from . import nav, params as P, pins

DEFAULT_BASE = "http://localhost:8501"


def base_url() -> str:
    """Where the app is served, for links written by the command line (env SHALLOW_DEEP_URL)."""
    return os.environ.get("SHALLOW_DEEP_URL", DEFAULT_BASE).rstrip("/")


def query(values: dict) -> dict[str, str | list[str]]:
    """The query parameters, exactly as ``ui.state.url`` writes them to the address bar; pinned
    sets as a list under ``"pin"``, one value per pin."""
    pinned = values.get("pin", ())
    values, _ = P.constrain(values)
    out: dict = {name: P.fmt(values[name]) for name in P.PARAMS}
    if pinned:
        out["pin"] = [pins.format_pin(pin) for pin in pinned]
    return out


def share_url(values: dict, page: str, base: str | None = None) -> str:
    """Link that opens ``page`` (a ``ui.state.nav`` name) showing exactly ``values``."""
    path = nav.BY_NAME[page].url_path
    return f"{(base or base_url()).rstrip('/')}/{path}?{urlencode(query(values), doseq=True)}"


def params_json(values: dict) -> str:
    """The URL's parameters as a JSON object of numbers, and the pins as their URL strings
    (``--params`` reads it back)."""
    pinned = values.get("pin", ())
    values, _ = P.constrain(values)
    out: dict = {name: values[name] for name in P.PARAMS}
    if pinned:
        out["pin"] = [pins.format_pin(pin) for pin in pinned]
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


# URL keys that are not parameters but the app reads without a warning: the classroom's and
# Streamlit's own, both from the table.
OTHER_URL_KEYS = set(P.TEXT) | set(P.RESERVED)


@dataclass(frozen=True)
class Reading:
    """What a URL (or a params JSON) says, each key read by its entry in the parameter table."""

    values: dict  # the parameters given, each in range; relations not yet applied
    text: dict[str, list[str]]  # the classroom keys given, cut to the table's caps
    pins: tuple | None  # the valid pins, when the pin key is given
    warnings: list[str]  # what was corrected or ignored, and why
    pin_warnings: list[str]  # the pins' (the page shows them in a warning of their own)


def clip(given) -> list[str]:
    """A classroom key's values as read: at most ``TEXT_VALUES`` of at most ``TEXT_CHARS``."""
    items = list(given) if isinstance(given, list | tuple) else [given]
    return [str(x)[:P.TEXT_CHARS] for x in items[:P.TEXT_VALUES]]


def read(raw: dict, where: str = "link", max_unknown: int | None = None) -> Reading:
    """Read the keys of ``raw`` (URL strings, lists of them, or JSON values); never raises.

    Numbers by ``params.parse`` (junk and out-of-range values corrected), classroom keys cut to
    the table's caps, pins by ``pins.parse_all``; unknown keys ignored with a warning (at most
    ``max_unknown`` named, the rest counted). Relations are the caller's: it knows the values
    the given ones join (:func:`parse_raw` takes the defaults, ``ui.state.url`` the session's).
    """
    values, text, counts, warnings, unknown = {}, {}, {}, [], []
    for key, given in raw.items():
        if key in P.RESERVED or given is None:
            continue
        if key in P.PARAMS:
            values[key], warning = P.parse(key, given)
            warnings += [warning] if warning else []
        elif key in P.TEXT:
            text[key] = clip(given)
            counts[key] = len(given) if isinstance(given, list | tuple) else 1
            if counts[key] > P.TEXT_VALUES:
                warnings.append(f"The {where} gives {quote(key)} {counts[key]} times; only the "
                                f"first {P.TEXT_VALUES} are read.")
        else:
            unknown.append(key)
    shown = unknown if max_unknown is None else unknown[:max_unknown]
    warnings += [f"Unknown parameter {quote(key)} in the {where} was ignored." for key in shown]
    if len(unknown) > len(shown):
        warnings.append(f"… and {len(unknown) - len(shown)} more unknown parameters were ignored.")
    found, pin_warnings = None, []
    for key, items in text.items():
        if P.TEXT[key].kind == "pins":
            found, pin_warnings = pins.parse_all(items, unread=counts[key] - len(items))
    return Reading(values, text, found, warnings, pin_warnings)


def parse_raw(raw: dict, where: str) -> tuple[dict, list[str]]:
    """Raw values (URL strings or JSON numbers) -> ``(values, warnings)``, as the app corrects a
    link: unknown keys ignored, bad values replaced, each time with the app's message."""
    reading = read(raw, where)
    values, more = P.constrain({**P.defaults(), **reading.values})
    if reading.pins:
        values["pin"] = reading.pins
    return values, reading.warnings + more + reading.pin_warnings


def raw_from_json(text: str) -> dict:
    """The raw values of a params JSON; ValueError (or RecursionError) if it is not an object."""
    raw = json.loads(text)
    if not isinstance(raw, dict):
        raise ValueError("the parameters JSON must be an object like {\"mu\": 5.0}")
    return raw


def raw_from_url(url: str) -> dict:
    """The raw values of a share URL, or of its query string alone; ValueError if it is neither."""
    if "://" in url:
        parts = urlsplit(url)  # ValueError for a malformed host such as "[::1"
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("not an http(s) address")
        text = parts.query
    elif "?" in url or "=" in url:  # a path with a query string, or the query string alone
        text = urlsplit(url).query if "?" in url else url
    else:  # a word, a path: nothing that holds parameters (parse_qs would give {} silently)
        raise ValueError("not a share URL or query string")
    # keep_blank_values: "?mu=" reaches the checks (not a number) as it does in Streamlit.
    return parse_qs(text, keep_blank_values=True)


def values_from_json(text: str) -> dict:
    """Values from a params JSON (numbers or URL strings); bad entries fall back like a bad link."""
    return parse_raw(raw_from_json(text), "parameters file")[0]


def values_from_url(url: str) -> dict:
    """Values from a share URL (or just its query string), pins included."""
    return parse_raw(raw_from_url(url), "link")[0]


def base_from_page_url(url: str) -> str:
    """The app's base URL from the address of one of its pages (``st.context.url``)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    last = path.rsplit("/", 1)[-1]
    if last in {p.url_path for p in nav.PAGES}:
        path = path[: -len(last)].rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"
