"""Parameters as the share URL and as JSON: the same key/value set the app's address bar holds.

Pure functions (no Streamlit), so the page, the zip and the command line agree.

>>> from ui import params as P
>>> v = dict(P.defaults(), mu=2.5)
>>> values_from_url(share_url(v, "deep_alignment")) == v
True
>>> values_from_json(params_json(v)) == v
True
"""

from __future__ import annotations

import json
import os
from urllib.parse import parse_qs, urlencode, urlsplit

from .. import nav
from .. import params as P

DEFAULT_BASE = "http://localhost:8501"


def base_url() -> str:
    """Where the app is served, for links written by the command line (env SHALLOW_DEEP_URL)."""
    return os.environ.get("SHALLOW_DEEP_URL", DEFAULT_BASE).rstrip("/")


def query(values: dict) -> dict[str, str]:
    """The query parameters, exactly as ``ui.state`` writes them to the address bar."""
    values, _ = P.constrain(values)
    return {name: P.fmt(values[name]) for name in P.PARAMS}


def share_url(values: dict, page: str, base: str | None = None) -> str:
    """Link that opens ``page`` (a ``ui.nav`` name) showing exactly ``values``."""
    path = nav.BY_NAME[page].url_path
    return f"{(base or base_url()).rstrip('/')}/{path}?{urlencode(query(values))}"


def params_json(values: dict) -> str:
    """The URL's parameters as a JSON object of numbers (``--params`` reads it back)."""
    values, _ = P.constrain(values)
    return json.dumps({name: values[name] for name in P.PARAMS}, indent=2, ensure_ascii=False) + "\n"


def values_from_json(text: str) -> dict:
    """Values from a params JSON (numbers or URL strings); bad entries fall back like a bad link."""
    raw = json.loads(text)
    if not isinstance(raw, dict):
        raise ValueError("the parameters JSON must be an object like {\"mu\": 5.0}")
    return P.parse_all(raw)[0]


def values_from_url(url: str) -> dict:
    """Values from a share URL (or just its query string)."""
    text = urlsplit(url).query if "?" in url or "://" in url else url
    return P.parse_all({k: v for k, v in parse_qs(text).items()})[0]


def base_from_page_url(url: str) -> str:
    """The app's base URL from the address of one of its pages (``st.context.url``)."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    last = path.rsplit("/", 1)[-1]
    if last in {p.url_path for p in nav.PAGES}:
        path = path[: -len(last)].rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"
