"""Parameters as the share URL and as JSON: the same key/value set the app's address bar holds.

Pure functions (no Streamlit), so the page, the zip and the command line agree.

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
from urllib.parse import parse_qs, urlencode, urlsplit

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


# URL keys that are not parameters but the app reads without a warning: ui.state.url's EXTRA_KEYS
# (classroom keys) and Streamlit's own embed keys. Kept here because this module imports no
# Streamlit; a test holds the two lists equal.
OTHER_URL_KEYS = {"lesson", "step", "present", "pin", "embed", "embed_options"}


def parse_raw(raw: dict, where: str) -> tuple[dict, list[str]]:
    """Raw values (URL strings or JSON numbers) -> ``(values, warnings)``, as the app corrects a
    link: unknown keys ignored, bad values replaced, each time with the app's message."""
    unknown = [str(key)[:40].replace("`", "'") for key in raw
               if key not in P.PARAMS and key not in OTHER_URL_KEYS]
    warnings = [f"Unknown parameter `{key}` in the {where} was ignored." for key in unknown]
    values, more = P.parse_all(raw)
    warnings += more
    raw_pins = raw.get("pin")
    if isinstance(raw_pins, str):
        raw_pins = [raw_pins]
    if isinstance(raw_pins, list):
        found, messages = pins.parse_all(raw_pins)
        warnings += messages
        if found:
            values["pin"] = found
    return values, warnings


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
