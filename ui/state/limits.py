"""What one server process takes: at most ``SHALLOWDEEP_MAX_SESSIONS`` students at once, and a
student idle for ``SHALLOWDEEP_IDLE_MINUTES`` is let go.

Both settings are environment variables (``python -m deploy --max-sessions N --idle-minutes M``
sets them for every replica), read once when the server first runs the app. A bad value is
logged and replaced by the default, never a crash: a typo in a lecture hall's settings must not
keep the app from starting.

- **Cap.** A session that arrives when ``MAX_SESSIONS`` students are in gets a light page
  instead (``ui.page.waiting``): nothing computed, no place taken, and it asks again every
  :data:`RETRY_SECONDS`. Students already in stay in: the cap only ever refuses newcomers.
  "In" means admitted here and still connected to Streamlit (``Runtime.is_active_session``): a
  closed tab frees its place at once.
- **Idle.** A student with no run (page or fragment) for ``IDLE_MINUTES`` first gets a light
  "you were away" page (a run the server asks for, with the address bar's page and query), then
  their session is closed on the server (its state and figures freed) and its websocket too.
  The browser reconnects at once to an empty session that holds nothing; the page's button
  then runs the page again from the URL, which holds every parameter. The away page is there
  because a browser that reconnects does not rerun the page by itself, and a fragment's
  control (the position slider) sent to a new session is dropped by Streamlit.

Default idle time: 60 minutes, longer than any reading pause within a lecture, and short
enough that tabs left open after it (for days, on a long-running hall) do not keep their
memory or, with a cap, their places. ``0`` turns it off. Fractional minutes are allowed
(``0.05`` is 3 s; the tests use that).
"""

from __future__ import annotations

import asyncio
import functools
import math
import os
import threading
import time
from dataclasses import dataclass, field

import streamlit as st
from streamlit import runtime
from streamlit.logger import get_logger
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

MAX_SESSIONS_VAR = "SHALLOWDEEP_MAX_SESSIONS"
IDLE_MINUTES_VAR = "SHALLOWDEEP_IDLE_MINUTES"
DEFAULT_IDLE_MINUTES = 60.0
RETRY_SECONDS = 10  # a refused tab asks again this often: a freed place is taken within it

_log = get_logger(__name__)


@dataclass(frozen=True)
class Settings:
    max_sessions: int | None  # None: no cap
    idle_minutes: float | None  # None: never closed for idleness
    problems: tuple[str, ...] = ()  # what was wrong with the environment, one line each


def read(env) -> Settings:
    """The two settings from ``env`` (a mapping such as ``os.environ``), defaults for bad values."""
    problems = []
    cap = None
    raw = env.get(MAX_SESSIONS_VAR, "").strip()
    if raw:
        try:
            cap = int(raw)
        except ValueError:
            cap = 0
        if cap < 1:
            problems.append(f"{MAX_SESSIONS_VAR}={raw!r} is not a whole number of sessions ≥ 1; "
                            "no cap is applied")
            cap = None
    idle, problem = minutes_setting(env, IDLE_MINUTES_VAR, DEFAULT_IDLE_MINUTES,
                                    "idle sessions close after")
    return Settings(cap, idle, tuple(problems) + ((problem,) if problem else ()))


def minutes_setting(env, var: str, default: float, meaning: str = "the default is") \
        -> tuple[float | None, str | None]:
    """Minutes from ``env[var]``: (minutes, None), (None, None) for ``0`` (off), or (default,
    the problem) for a value that is not a number of minutes ≥ 0."""
    raw = env.get(var, "").strip()
    if not raw:
        return default, None
    try:
        minutes = float(raw)
    except ValueError:
        minutes = math.nan
    if not math.isfinite(minutes) or minutes < 0:
        return default, (f"{var}={raw!r} is not a number of minutes ≥ 0 (0 turns it off); "
                         f"{meaning} {default:g} minutes")
    return minutes or None, None


@dataclass
class _Seen:
    last_run: float
    page: str = ""
    query: str = ""
    gone_since: float | None = None  # when it was first seen disconnected


@dataclass
class Gate:
    """The sessions let in, and those being let go for idleness (``away``: id → drawn yet)."""

    settings: Settings
    admitted: dict[str, _Seen] = field(default_factory=dict)
    away: dict[str, bool] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def live(self, is_active) -> int:
        return sum(1 for sid in self.admitted if is_active(sid))

    def enter(self, sid: str, now: float, is_active) -> str:
        """``"in"``, ``"full"`` or ``"away"`` for a run of session ``sid``."""
        with self.lock:
            if sid in self.away:
                if not self.away[sid]:
                    self.away[sid] = True  # the run the idle check asked for
                    return "away"
                del self.away[sid]  # back before the close: a newcomer again
            if sid in self.admitted:
                self.admitted[sid].last_run = now
                return "in"
            cap = self.settings.max_sessions
            if cap is not None and self.live(is_active) >= cap:
                return "full"
            self.admitted[sid] = _Seen(now)
            return "in"

    def has_room(self, is_active) -> bool:
        cap = self.settings.max_sessions
        with self.lock:
            return cap is None or self.live(is_active) < cap

    def touch(self, sid: str, now: float) -> None:
        with self.lock:
            if sid in self.admitted:
                self.admitted[sid].last_run = now

    def remember(self, sid: str, page: str, query: str) -> None:
        with self.lock:
            if sid in self.admitted:
                self.admitted[sid].page, self.admitted[sid].query = page, query

    def sweep(self, now: float, is_active, keep_gone: float) -> tuple[list, list]:
        """Sessions idle too long (id, page, query): leave ``admitted`` for ``away`` and get
        their away page; those whose away page is drawn: to close. Disconnected ones are
        forgotten after ``keep_gone`` seconds (until then a reconnect resumes them, still in)."""
        idle = self.settings.idle_minutes
        to_draw, to_close = [], []
        with self.lock:
            to_close = [sid for sid, drawn in self.away.items() if drawn]
            for sid in to_close:
                del self.away[sid]
            for sid, seen in list(self.admitted.items()):
                if not is_active(sid):
                    seen.gone_since = seen.gone_since or now
                    if now - seen.gone_since > keep_gone:
                        del self.admitted[sid]
                    continue
                seen.gone_since = None
                if idle is not None and now - seen.last_run > idle * 60:
                    del self.admitted[sid]
                    self.away[sid] = False
                    to_draw.append((sid, seen.page, seen.query))
        return to_draw, to_close


SETTINGS = read(os.environ)
for _problem in SETTINGS.problems:
    _log.warning("Session limits: %s", _problem)
_log.info("Session limits: %s, %s",
          f"at most {SETTINGS.max_sessions} sessions" if SETTINGS.max_sessions else "no session cap",
          f"idle sessions closed after {SETTINGS.idle_minutes:g} min" if SETTINGS.idle_minutes
          else "idle sessions never closed")
GATE = Gate(SETTINGS)
_started = threading.Lock()
_sweeping = False


def _session_id() -> str | None:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None and runtime.exists() else None


def enter() -> str:
    """This run's verdict (``"in"``, ``"full"``, ``"away"``); first call in a run of app.py."""
    sid = _session_id()
    if sid is None:  # AppTest or bare mode: no server, no limits
        return "in"
    _start_sweeping()
    return GATE.enter(sid, time.monotonic(), runtime.get_instance().is_active_session)


def has_room() -> bool:
    return not runtime.exists() or GATE.has_room(runtime.get_instance().is_active_session)


def touch() -> None:
    """A fragment's run is a student's action too (the page's run goes through :func:`enter`)."""
    if (sid := _session_id()) is not None:
        GATE.touch(sid, time.monotonic())


def fragment(func):
    """``st.fragment``, its runs counted as the student's actions for the idle time."""
    @functools.wraps(func)
    def run(*args, **kwargs):
        touch()
        return func(*args, **kwargs)

    return st.fragment(run)


def remember(page: str) -> None:
    """The page and query this session shows, for the away page the idle check asks for."""
    if (sid := _session_id()) is not None:
        # the query string the browser sent for this run: what its address bar shows
        GATE.remember(sid, page, get_script_run_ctx().query_string)


def _sweep_interval() -> float:
    idle = SETTINGS.idle_minutes
    return 30.0 if idle is None else min(30.0, max(0.5, idle * 60 / 4))


def _start_sweeping() -> None:
    """Once per process: the sweep runs on Streamlit's event loop, where sessions may be touched.
    ``Runtime.stopped`` is a future made on that loop when the runtime started."""
    global _sweeping
    if SETTINGS.idle_minutes is None and SETTINGS.max_sessions is None:
        return
    with _started:
        if _sweeping:
            return
        _sweeping = True
    loop = runtime.get_instance().stopped.get_loop()
    loop.call_soon_threadsafe(_sweep, loop)


def _sweep(loop: asyncio.AbstractEventLoop) -> None:
    rt = runtime.get_instance()
    to_draw, to_close = GATE.sweep(time.monotonic(), rt.is_active_session,
                                   float(st.get_option("server.disconnectedSessionTTL")))
    for sid, page, query in to_draw:
        session = rt.get_app_session(sid)
        if session is not None:
            session.request_rerun(ClientState(query_string=query, page_name=page))
    for sid in to_close:
        _close(rt, loop, sid)
    loop.call_later(_sweep_interval(), _sweep, loop)


def _close(rt, loop, sid: str) -> None:
    """Shut the session down, then close its websocket so that the browser reconnects (to a new,
    empty session) instead of sending its next action to a session that is gone. Streamlit
    offers no call that closes a client's websocket: its Starlette client keeps it as
    ``_websocket``."""
    client = rt.get_client(sid)
    rt.close_session(sid)
    websocket = getattr(client, "_websocket", None)
    if websocket is not None:
        loop.create_task(websocket.close(code=1000))
    elif client is not None:
        _log.warning("Session limits: cannot close the websocket of %s (Streamlit changed?)", sid)
