"""Parameters as the share URL and as JSON: the same key/value set the app's address bar holds.

Pure functions (no Streamlit), so the page, the zip and the command line agree.

>>> from ui import params as P
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

from .. import nav
from .. import params as P
from ..classroom import pins

DEFAULT_BASE = "http://localhost:8501"


def base_url() -> str:
    """Where the app is served, for links written by the command line (env SHALLOW_DEEP_URL)."""
    return os.environ.get("SHALLOW_DEEP_URL", DEFAULT_BASE).rstrip("/")


def query(values: dict) -> dict[str, str | list[str]]:
    """The query parameters, exactly as ``ui.state`` writes them to the address bar; pinned
    sets (issue 17) as a list under ``"pin"``, one value per pin."""
    pinned = values.get("pin", ())
    values, _ = P.constrain(values)
    out: dict = {name: P.fmt(values[name]) for name in P.PARAMS}
    if pinned:
        out["pin"] = [pins.format_pin(pin) for pin in pinned]
    return out


def share_url(values: dict, page: str, base: str | None = None) -> str:
    """Link that opens ``page`` (a ``ui.nav`` name) showing exactly ``values``."""
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


def _with_pins(values: dict, raw_pins) -> dict:
    """``values`` with the pins read from raw URL strings (bad ones dropped, as on the page)."""
    if isinstance(raw_pins, str):
        raw_pins = [raw_pins]
    found = pins.parse_all(list(raw_pins or []))[0] if isinstance(raw_pins, list) else ()
    return {**values, "pin": found} if found else values


def values_from_json(text: str) -> dict:
    """Values from a params JSON (numbers or URL strings); bad entries fall back like a bad link."""
    raw = json.loads(text)
    if not isinstance(raw, dict):
        raise ValueError("the parameters JSON must be an object like {\"mu\": 5.0}")
    return _with_pins(P.parse_all(raw)[0], raw.get("pin"))


def values_from_url(url: str) -> dict:
    """Values from a share URL (or just its query string), pins included."""
    text = urlsplit(url).query if "?" in url or "://" in url else url
    raw = parse_qs(text)
    return _with_pins(P.parse_all(raw)[0], raw.get("pin"))


def base_from_page_url(url: str) -> str:
    """The app's base URL from the address of one of its pages (``st.context.url``)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    last = path.rsplit("/", 1)[-1]
    if last in {p.url_path for p in nav.PAGES}:
        path = path[: -len(last)].rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"
