"""A student in a lecture: seeded, bounded, over the websocket (``loadtest.protocol.Session``).

A student opens the lecturer's link at a seeded moment of the class's first minute, then reads
(a seeded 10-30 s) and acts, again and again: mostly moves a parameter (a slider or its number
box one step), sometimes opens another tab of the figure, now and then another page, and follows
a lesson step (a lesson's "Next" link; on the Lessons page its "Start" link). Everything it will
do is drawn from its seed before it starts (:func:`plan`), so a rerun of the class is the same
class. It stops by itself: after ``max_actions`` actions or at the class's deadline, whichever
comes first, and every server round trip has ``protocol.RUN_TIMEOUT``.

When the websocket drops (a replica killed) it does what the browser does: it connects again
with the same cookie, so the balancer picks a live replica, and reruns the page and query in its
address bar; it then checks that the page and the query it sees are the ones it had.
"""

from __future__ import annotations

import asyncio
import random
import time
import urllib.parse
from dataclasses import dataclass, field

import websockets

from loadtest.protocol import ProtocolError, Run, Session, nudged
from ui.state import nav

READ_S = (10.0, 30.0)
# What a student does after reading: mostly a parameter, the rest by the lecture's rhythm.
KINDS = {"change": 0.70, "tab": 0.15, "page": 0.08, "lesson": 0.07}
MAX_ACTIONS = 60
RECONNECT_WITHIN_S = 30.0  # a browser keeps retrying; a student who cannot get back by then is lost
LINK = "deep_alignment?k=5&T=50"  # the lecturer's link (page + query)
# Number boxes a student does not nudge: a lesson question's answer (empty until typed).
SKIP_LABELS = ("Your answer",)
DROPPED = (websockets.ConnectionClosed, ConnectionError, OSError)


@dataclass(frozen=True)
class Step:
    """One read-then-act: seconds of reading, the kind of action, and a number in [0, 1) that
    picks which control, tab or page (the page's controls are known only when it is open)."""

    read_s: float
    kind: str
    pick: float


@dataclass(frozen=True)
class Plan:
    arrive_s: float
    steps: tuple[Step, ...]


def plan(seed: int, arrive_s: float = 60.0, pace: float = 1.0,
         max_actions: int = MAX_ACTIONS) -> Plan:
    """Everything a student will do, from its seed alone. ``pace`` scales the reading (0.1 for a
    fast class in CI: 1-3 s)."""
    rng = random.Random(seed)
    arrive = rng.uniform(0.0, arrive_s)
    kinds, weights = list(KINDS), list(KINDS.values())
    steps = tuple(Step(rng.uniform(*READ_S) * pace, rng.choices(kinds, weights)[0], rng.random())
                  for _ in range(max_actions))
    return Plan(arrive, steps)


def split_link(link: str) -> tuple[str, str]:
    """``"deep_alignment?k=5"`` → ("deep_alignment", "k=5"); the default page is ""."""
    path, _, query = link.partition("?")
    path = path.strip("/")
    return ("" if path == nav.PAGES[0].url_path else path), query


@dataclass
class Action:
    """One action as the student saw it: ``at`` seconds after the class began, ``seconds`` from
    sending it to ``script_finished``; ``error`` if it failed, ``dropped`` if the websocket
    went away under it (the reconnect is recorded on its own)."""

    kind: str
    page: str
    at: float
    seconds: float = float("nan")
    bytes: int = 0
    exceptions: tuple[str, ...] = ()
    error: str = ""
    dropped: bool = False


@dataclass
class Reconnect:
    """A websocket that dropped: how long until the page ran again elsewhere, and whether the
    page and the query (the parameters) came back as they were."""

    at: float
    seconds: float
    page_before: str
    page_after: str
    query_kept: bool
    in_lesson: bool
    exceptions: tuple[str, ...] = ()
    error: str = ""

    @property
    def kept(self) -> bool:
        return not self.error and self.page_before == self.page_after and self.query_kept


@dataclass
class Record:
    seed: int
    first_view: float = float("nan")
    first_view_error: str = ""
    actions: list[Action] = field(default_factory=list)
    reconnects: list[Reconnect] = field(default_factory=list)
    lost: bool = False  # could not get back within RECONNECT_WITHIN_S
    finished: bool = False  # stopped by itself (deadline or action budget)

    @property
    def errors(self) -> list[str]:
        out = [a.error for a in self.actions if a.error]
        out += [f"exception on {a.page}: {e}" for a in self.actions for e in a.exceptions]
        out += [r.error for r in self.reconnects if r.error]
        out += [f"exception after a reconnect: {e}" for r in self.reconnects for e in r.exceptions]
        return out + ([self.first_view_error] if self.first_view_error else [])


def _query(q: str) -> dict:
    return urllib.parse.parse_qs(q, keep_blank_values=True)


class Student:
    """One student's tab. ``await Student(seed, url).run(t0, deadline)``, ``t0`` and ``deadline``
    on ``time.monotonic()``'s clock (the class's start and end)."""

    def __init__(self, seed: int, url: str, link: str = LINK, arrive_s: float = 60.0,
                 pace: float = 1.0, max_actions: int = MAX_ACTIONS):
        self.seed, self.url = seed, url
        self.page, self.query = split_link(link)
        self.plan = plan(seed, arrive_s, pace, max_actions)
        self.record = Record(seed)
        self.session: Session | None = None
        self._t0 = 0.0

    def _now(self) -> float:
        return time.monotonic() - self._t0

    async def run(self, t0: float, deadline: float) -> Record:
        self._t0 = t0
        try:
            await self._sleep_until(t0 + self.plan.arrive_s, deadline)
            if time.monotonic() >= deadline:
                return self.record
            self.session = Session(self.url)
            try:
                first = await self.session.open(self.page, self.query)
            except (ProtocolError, *DROPPED) as err:
                self.record.first_view_error = f"first view: {type(err).__name__}: {err}"
                self.record.lost = True
                return self.record
            self.record.first_view = first.seconds
            self.record.actions.append(Action("open", self.page, self._now() - first.seconds,
                                              first.seconds, first.bytes, first.exceptions))
            run = first
            for i, step in enumerate(self.plan.steps):
                if await self._read(step.read_s, deadline):
                    # the browser sees the close at once and reconnects, reading or not
                    run = await self._reconnect(ConnectionError("closed while reading"))
                    if run is None:
                        self.record.lost = True
                        return self.record
                if time.monotonic() >= deadline:
                    break
                run = await self._act(step, run, i)
                if run is None:  # lost: could not reconnect
                    self.record.lost = True
                    return self.record
            self.record.finished = True
            return self.record
        finally:
            if self.session is not None:
                await self.session.close()

    @staticmethod
    async def _sleep_until(when: float, deadline: float) -> None:
        await asyncio.sleep(max(0.0, min(when, deadline) - time.monotonic()))

    async def _read(self, seconds: float, deadline: float) -> bool:
        """Read for ``seconds`` (not past the deadline); True if the websocket closed meanwhile."""
        left = max(0.0, min(time.monotonic() + seconds, deadline) - time.monotonic())
        ws = self.session.websocket
        if ws is None:
            await asyncio.sleep(left)
            return False
        closed = asyncio.ensure_future(ws.wait_closed())
        try:
            done, _ = await asyncio.wait([closed], timeout=left)
            return bool(done)
        finally:
            closed.cancel()

    async def _act(self, step: Step, run: Run, i: int) -> Run | None:
        s = self.session
        action = Action(step.kind, s.page, self._now())
        try:
            new = await self._do(step, run, action, random.Random(self.seed * 100_003 + i))
        except DROPPED as err:
            action.dropped, action.error = True, ""
            self.record.actions.append(action)
            return await self._reconnect(err)
        except ProtocolError as err:
            action.error = f"{step.kind} on {action.page}: {err}"
            self.record.actions.append(action)
            return run
        if new is None:  # nothing of that kind on this page: a step that only read
            return run
        action.seconds, action.bytes, action.exceptions = new.seconds, new.bytes, new.exceptions
        if new.page_not_found:
            action.error = f"{step.kind}: page not found ({s.page!r})"
        self.record.actions.append(action)
        return new

    async def _do(self, step: Step, run: Run, action: Action, rng: random.Random) -> Run | None:
        s = self.session
        controls = run.controls

        def pick(items):
            return items[int(step.pick * len(items))] if items else None

        if step.kind == "change":
            control = pick([c for c in controls if c.kind in ("slider", "number_input")
                            and not getattr(c.element, "disabled", False)
                            and c.label not in SKIP_LABELS])
            return None if control is None else await s.change(control, nudged(control, rng))
        if step.kind == "tab":
            tabs = pick([c for c in controls if c.kind == "tab_container"])
            return None if tabs is None else await s.change(tabs, nudged(tabs, rng))
        if step.kind == "page":
            here = s.page or ""
            pages = ["" if p is nav.PAGES[0] else p.url_path for p in nav.PAGES]
            return await s.switch(pick([p for p in pages if p != here]))
        # a lesson step: "Next" in a lesson's panel, "Start" on the Lessons page, else go there
        links = [c for c in controls if c.kind == "page_link"]
        target = (next((c for c in links if c.label.startswith("Next")), None)
                  or pick([c for c in links if c.label == "Start"]))
        if target is not None:
            action.kind = "lesson"
            return await s.follow(target)
        action.kind = "page"
        return await s.switch("lessons")

    async def _reconnect(self, err: Exception) -> Run | None:
        """The browser's way back: retry with a growing pause until the page runs again."""
        s = self.session
        page, query = s.page, s.query
        start, pause, last = time.monotonic(), 0.2, f"{type(err).__name__}: {err}"
        while time.monotonic() - start < RECONNECT_WITHIN_S:
            try:
                run = await s.reconnect()
            except (ProtocolError, *DROPPED) as again:
                last = f"{type(again).__name__}: {again}"
                await asyncio.sleep(pause)
                pause = min(pause * 2, 2.0)
                continue
            self.record.reconnects.append(Reconnect(
                self._now() - (time.monotonic() - start), time.monotonic() - start, page, s.page,
                _query(s.query) == _query(query), "lesson" in _query(query), run.exceptions))
            return run
        self.record.reconnects.append(Reconnect(
            self._now() - (time.monotonic() - start), time.monotonic() - start, page, "", False,
            "lesson" in _query(query), error=f"no way back in {RECONNECT_WITHIN_S:.0f} s: {last}"))
        return None
