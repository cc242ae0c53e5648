"""The live figure on a page: a Streamlit Components v2 element.

The inline part is a loader only: it fetches plotly.js and the bundle (``assets.files``) once
per browser session and calls ``liveMount``. The figure's own sliders redraw it in the browser
on every ``input`` event; on release (``change``) the value comes back as the ``release``
trigger, and :func:`_release` stores it like a sidebar control, so the URL, the sidebar and
every other figure follow in the rerun it causes.
"""

from __future__ import annotations

import streamlit as st

from ui.state import params as P, url as state

from . import assets, specs

_LOADER = """
export default function (component) {
  const { parentElement, data, setTriggerValue } = component;
  const base = new URL("app/static/", document.baseURI);
  const cache = (window.__shallowDeepLive = window.__shallowDeepLive || {});
  cache[data.bundle] = cache[data.bundle] || Promise.all([
    window.Plotly ? null : new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = new URL(data.plotly, base).href;
      tag.onload = resolve;
      tag.onerror = () => reject(new Error("plotly.js did not load from " + tag.src));
      document.head.append(tag);
    }),
    import(new URL(data.bundle, base).href),
  ]).then(([, module]) => module);
  let root = parentElement.querySelector(".live-root");
  if (!root) {
    root = document.createElement("div");
    root.className = "live-root";
    parentElement.append(root);
  }
  cache[data.bundle]
    .then((module) => module.liveMount(root, data, (name, value) =>
      setTriggerValue("release", { name, value })))
    .catch((error) => { root.textContent = "The live figure could not load: " + error.message; });
}
"""

_COMPONENT = st.components.v2.component("shallow_deep_live", js=_LOADER, css=assets.runtime_css(),
                                        isolate_styles=False)


def available() -> bool:
    """True in a browser session. AppTest has no browser (no request headers): there the page
    shows the server's figure, so the AppTest suite still covers every page."""
    try:
        return bool(st.context.headers)
    except Exception:  # noqa: BLE001 - no session context at all
        return False


def _release(key: str, allowed: tuple[str, ...]) -> None:
    """A live slider was released: validate the value like a URL value and store it."""
    event = (st.session_state.get(key) or {}).get("release")
    if not isinstance(event, dict) or event.get("name") not in allowed:
        return
    value, _warning = P.parse(event["name"], event.get("value"))
    state.set_value(event["name"], value)
    st.session_state[_RELEASED + key] = True


_RELEASED = "_live_released_"  # + widget key: a slider was released since the page last ran


def released(key: str) -> bool:
    """Whether figure ``key``'s live slider was released since the last full run (and forget
    it). Inside an ``st.fragment`` (``ui.page.show``'s chart with its readout) the release reruns the
    fragment only; the fragment then asks for the whole page, whose formulas follow the value."""
    return bool(st.session_state.pop(_RELEASED + f"live_{key}", False))


def mount(name: str, values: dict, container, key: str, *, alt: str = "",
          shapes: list[dict] = ()) -> None:
    """Figure ``name`` (a key of ``specs.LIVE``) as a live figure in ``container``; ``alt`` is
    its accessible name (what the chart shows, in words); ``shapes`` are drawn over it (the
    readout's position mark), in the browser's figure only."""
    data = specs.payload(name, values) | assets.files() | {"alt": alt}
    if shapes:
        layout = data["figure"]["layout"]
        data["figure"] = {**data["figure"],
                          "layout": {**layout, "shapes": [*(layout.get("shapes") or ()), *shapes]}}
    widget_key = f"live_{key}"
    with container:
        _COMPONENT(key=widget_key, data=data, height="content",
                   on_release_change=lambda: _release(widget_key, specs.LIVE[name].sliders))
