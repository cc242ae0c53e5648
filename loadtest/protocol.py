"""One browser tab's side of Streamlit's websocket, spoken by a program.

A browser showing the app holds one websocket at ``/_stcore/stream`` (subprotocol
``"streamlit"``). It sends binary ``BackMsg`` frames; a page run is a ``rerun_script`` carrying a
``ClientState`` (the page's URL path, the query string, the widgets' values, and the fragment
whose widget changed, if any). The server answers with one ``ForwardMsg`` per frame
(``new_session``, a ``delta`` per element, ``page_info_changed`` when the app rewrites the
query string, ...) and ends every run with ``script_finished``. This module does what the
browser does, with the protobuf classes of the installed ``streamlit`` package, so that a
2-core machine can be a whole class of students (a browser costs ~0.5 s of CPU per action, this
client ~1 ms). It talks to loopback addresses only.

What it leaves out: drawing, the forward-message cache (it announces no cached messages, so the
server sends everything, as to a new tab), file uploads, and the heartbeat (the server does not
need one; the websocket's own pings keep the connection open).
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

STREAM = "/_stcore/stream"
# A run on this app takes 0.02-0.7 s alone; under a full class it queues behind others.
RUN_TIMEOUT = 60.0
CONNECT_TIMEOUT = 10.0

_DONE = {
    ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
    ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}


class ProtocolError(RuntimeError):
    """The server said something a browser would show as an error (or said nothing in time)."""


@dataclass(frozen=True)
class Control:
    """A widget as the page sent it: its kind (``"slider"``, ``"tab_container"``, ...), the id the
    server knows it by, its label, the fragment it lives in ("" for none) and the element."""

    kind: str
    id: str
    label: str
    fragment_id: str
    element: object = field(repr=False, compare=False)


@dataclass(frozen=True)
class Run:
    """What one script run sent: its status, the wall time from request to ``script_finished``,
    the frames and bytes received, the controls drawn, the exception elements (a traceback on
    the page), the query string the app left in the address bar, and whether the page name was
    unknown (``page_not_found``); the kinds of the elements drawn (``"markdown"``,
    ``"plotly_chart"``, ...) and the text of the markdown ones, headings included."""

    status: str
    seconds: float
    messages: int
    bytes: int
    controls: tuple[Control, ...]
    exceptions: tuple[str, ...]
    query_string: str
    page_not_found: bool
    elements: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()


def check_loopback(url: str) -> None:
    """Refuse any host but this machine: the simulated class must never load someone else."""
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the simulated class talks to 127.0.0.1 only, not {host!r}")


def nudged(control: Control, rng) -> WidgetState:
    """A new value for ``control``, as a user would set it: a slider or number box one step up
    or down (staying in range; a select_slider one option along), a checkbox toggled, another option or tab picked, a button
    pressed. ``rng`` is a ``random.Random``."""
    el, out = control.element, WidgetState(id=control.id)
    if control.kind == "slider" and el.type == el.SELECT_SLIDER:
        # a select_slider (the log-scale ones) sends its options' labels, not numbers
        options = list(el.options)
        now = list(el.raw_value) if el.set_value and el.raw_value else \
            [options[int(i)] for i in el.default]
        step = rng.choice((-1, 1))
        moved = []
        for label in now:
            i = options.index(label) if label in options else 0
            moved.append(options[i + step] if 0 <= i + step < len(options) else options[i - step])
        out.string_array_value.data.extend(moved)
    elif control.kind == "slider":
        values = list(el.value) if el.set_value else list(el.default)
        step = rng.choice((-1, 1)) * el.step
        out.double_array_value.data.extend(
            v + step if el.min <= v + step <= el.max else v - step for v in values)
    elif control.kind == "number_input":
        now = el.value if el.set_value else el.default
        step = el.step or 1
        new = now + step if (not el.has_max or now + step <= el.max) else now - step
        if el.data_type == el.INT:
            out.int_value = int(new)
        else:
            out.double_value = float(new)
    elif control.kind == "checkbox":
        out.bool_value = not (el.value if el.set_value else el.default)
    elif control.kind in ("selectbox", "radio"):
        now = el.raw_value if el.set_value else (el.options[el.default] if el.options else "")
        others = [o for o in el.options if o != now]
        out.string_value = rng.choice(others) if others else now
    elif control.kind == "tab_container":
        labels = list(el.labels)
        now = el.default_tab_label or (labels[el.default_tab_index] if labels else "")
        others = [t for t in labels if t != now]
        out.string_value = rng.choice(others) if others else now
    elif control.kind == "button":
        out.trigger_value = True
    else:
        raise ValueError(f"no way to change a {control.kind}")
    return out


CHANGEABLE = ("slider", "number_input", "checkbox", "selectbox", "radio", "tab_container",
              "button")


class Session:
    """One student's tab: open a page, change a control, switch pages, reconnect.

    Use as ``async with Session(base_url) as s: run = await s.open("harm_horizon", "k=5")``.
    ``base_url`` is the app's address (``http://127.0.0.1:8501``); the first request fetches the
    page's HTML as a browser does, so a load balancer can set its affinity cookie, and the
    websocket then carries that cookie.
    """

    def __init__(self, base_url: str, cookie: str | None = None, fetch_html: bool = True):
        check_loopback(base_url)
        self.pages: dict[str, str] = {}  # page script hash → url path, from the navigation
        self.base_url = base_url.rstrip("/")
        self.cookie = cookie
        self.fetch_html = fetch_html
        self.page = ""
        self.query = ""
        self.page_hash = ""
        self.controls: dict[str, Control] = {}
        self._states: dict[str, WidgetState] = {}
        self._ws = None
        self.auto_rerun: tuple[float, str] | None = None  # (seconds, fragment id) the page asked for

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    @property
    def websocket(self):
        """The open websocket (None between connections): to notice when the server drops it."""
        return self._ws

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    async def _html(self, page: str, query: str) -> None:
        url = f"{self.base_url}/{page}" + (f"?{query}" if query else "")
        request = urllib.request.Request(url, headers={"Cookie": self.cookie} if self.cookie else {})

        def get():
            with urllib.request.urlopen(request, timeout=CONNECT_TIMEOUT) as reply:
                reply.read()
                return reply.headers.get_all("Set-Cookie") or []

        for header in await asyncio.to_thread(get):
            pair = header.split(";", 1)[0].strip()
            if pair:
                self.cookie = pair if not self.cookie else f"{self.cookie}; {pair}"

    async def connect(self, page: str = "", query: str = "") -> None:
        """The HTML (once, for the cookie), then the websocket."""
        if self.fetch_html and self.cookie is None:
            await self._html(page, query)
        ws_url = "ws" + self.base_url.removeprefix("http") + STREAM
        headers = {"Cookie": self.cookie} if self.cookie else None
        self._ws = await websockets.connect(
            ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=CONNECT_TIMEOUT,
            additional_headers=headers)

    async def open(self, page: str = "", query: str = "") -> Run:
        """Open ``page`` (its URL path; "" is the default page) with ``query``, as typing the
        link into a new tab does."""
        if self._ws is None:
            await self.connect(page, query)
        self.page, self.query = page, query
        self._states.clear()
        return await self._run()

    async def switch(self, page: str) -> Run:
        """Go to another page from the sidebar: the query string stays (the app keeps it); the
        old page's widget values do not go with it (its widgets are gone)."""
        self.page, self.page_hash = page, ""
        self._states.clear()
        return await self._run()

    async def follow(self, link: Control) -> Run:
        """Click a ``st.page_link`` (a lesson's "Next", a preset): the browser sends the link's
        page hash and query string; no widget values go with it (a new page starts afresh)."""
        self.page = link.element.page  # the navigation that follows confirms it
        self.page_hash = link.element.page_script_hash
        self.query = link.element.query_string
        self._states.clear()
        return await self._run()

    async def change(self, control: Control, state: WidgetState) -> Run:
        """Set one control and rerun, sending every value the tab holds, as the browser does;
        a control inside a fragment reruns only its fragment."""
        self._states[control.id] = state
        run = await self._run(fragment_id=control.fragment_id)
        if control.kind == "button":
            self._states.pop(control.id, None)  # a press is sent once
        return run

    async def tick(self) -> Run:
        """The rerun a ``st.fragment(run_every=...)`` asks the browser for (its fragment only),
        sent now rather than after its interval."""
        if self.auto_rerun is None:
            raise ProtocolError("the page asked for no automatic rerun")
        return await self._run(fragment_id=self.auto_rerun[1], auto=True)

    async def reconnect(self) -> Run:
        """What the browser does when the websocket drops: a new connection (same cookie, so
        the balancer picks again) and a run of the page and query the address bar shows."""
        await self.close()
        self._states.clear()
        self.page_hash = ""
        await self.connect(self.page, self.query)
        return await self._run()

    async def _run(self, fragment_id: str = "", auto: bool = False) -> Run:
        message = BackMsg()
        cs = message.rerun_script
        cs.is_auto_rerun = auto
        cs.query_string = self.query
        cs.page_name = self.page
        cs.page_script_hash = self.page_hash
        cs.fragment_id = fragment_id
        cs.widget_states.widgets.extend(self._states.values())
        start = time.perf_counter()
        await self._ws.send(message.SerializeToString())
        return await self._until_finished(start, keep_controls=bool(fragment_id))

    async def _until_finished(self, start: float, keep_controls: bool) -> Run:
        deadline = start + RUN_TIMEOUT
        messages = size = 0
        controls: dict[str, Control] = dict(self.controls) if keep_controls else {}
        exceptions: list[str] = []
        elements: list[str] = []
        texts: list[str] = []
        page_not_found = False
        tab_paths: dict[tuple, _Tabs] = {}  # a tab container's path → its labels, as they come
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise ProtocolError(f"no script_finished within {RUN_TIMEOUT:.0f} s")
            try:
                raw = await asyncio.wait_for(self._ws.recv(), left)
            except TimeoutError:
                raise ProtocolError(f"no script_finished within {RUN_TIMEOUT:.0f} s") from None
            messages += 1
            size += len(raw)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "navigation":
                # the page st.navigation chose; new_session's hash is the router's (app.py), and
                # a rerun sent with it would land on the default page
                self.page_hash = msg.navigation.page_script_hash
                self.pages = {p.page_script_hash: p.url_pathname
                              for p in msg.navigation.app_pages}
                # the default page's url_pathname is "" on the wire as in the address bar
                self.page = self.pages.get(self.page_hash, self.page)
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "page_not_found":
                page_not_found = True
            elif kind == "auto_rerun":
                self.auto_rerun = (msg.auto_rerun.interval, msg.auto_rerun.fragment_id)
            elif kind == "delta":
                self._read_delta(msg.delta, tuple(msg.metadata.delta_path), controls,
                                 exceptions, tab_paths)
                if msg.delta.WhichOneof("type") == "new_element":
                    element_kind = msg.delta.new_element.WhichOneof("type")
                    elements.append(element_kind)
                    if element_kind in ("markdown", "heading"):
                        texts.append(getattr(msg.delta.new_element, element_kind).body)
            elif kind == "script_finished":
                if msg.script_finished in _DONE:
                    self.controls = controls
                    # as the browser does: keep the values of the widgets this run drew only
                    self._states = {k: v for k, v in self._states.items() if k in controls}
                    return Run(
                        status=ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished),
                        seconds=time.perf_counter() - start, messages=messages, bytes=size,
                        controls=tuple(controls.values()), exceptions=tuple(exceptions),
                        query_string=self.query, page_not_found=page_not_found,
                        elements=tuple(elements), texts=tuple(texts))

    @staticmethod
    def _read_delta(delta, path: tuple, controls: dict, exceptions: list, tab_paths: dict) -> None:
        which = delta.WhichOneof("type")
        if which == "new_element":
            kind = delta.new_element.WhichOneof("type")
            element = getattr(delta.new_element, kind)
            if kind == "exception":
                exceptions.append(f"{element.type}: {element.message}")
            elif kind in CHANGEABLE and getattr(element, "id", ""):
                controls[element.id] = Control(kind, element.id, element.label,
                                               delta.fragment_id, element)
            elif kind == "page_link" and not element.external and not element.disabled:
                # no widget id: a link is known by where it goes
                key = f"page_link:{element.page_script_hash}?{element.query_string}"
                controls[key] = Control(kind, key, element.label, delta.fragment_id, element)
        elif which == "add_block":
            block = delta.add_block
            if block.WhichOneof("type") == "tab_container" and block.tab_container.id:
                tabs = _Tabs(block.tab_container)
                tab_paths[path] = tabs
                controls[block.tab_container.id] = Control(
                    "tab_container", block.tab_container.id, "tabs", delta.fragment_id, tabs)
            elif block.WhichOneof("type") == "tab" and path[:-1] in tab_paths:
                tab_paths[path[:-1]].labels.append(block.tab.label)


class _Tabs:
    """A tab container as a control: its default from its own message, its labels from the
    tab blocks that follow it (each tab is a child block, sent after the container)."""

    def __init__(self, block):
        self.default_tab_index = block.default_tab_index
        self.default_tab_label = block.default_tab_label
        self.labels: list[str] = []
