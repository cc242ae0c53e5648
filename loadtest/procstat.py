"""CPU seconds and resident memory of a process and its children, from /proc (Linux only).

A replica is ``streamlit run`` plus whatever it starts (kaleido's chromium for an export), so
both figures are summed over the process tree. ``Sampler`` reads them every ``interval`` s in a
thread, for pids that may change (a killed replica comes back with a new pid).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HZ = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024
ESTABLISHED = "01"  # /proc/net/tcp's state code


def _stat(pid: int) -> list[str]:
    # the command name (field 2) may hold spaces and parentheses: split after its last ")"
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants, alive now."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
            except (OSError, IndexError):
                continue  # exited while we looked
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, ()))
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU of ``pid`` and its live descendants (utime, stime: fields 14, 15)."""
    total = 0.0
    for p in tree(pid):
        try:
            f = _stat(p)
        except OSError:
            continue
        total += (int(f[11]) + int(f[12])) / HZ
    return total


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and its live descendants, in KiB (statm's second field)."""
    total = 0
    for p in tree(pid):
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * PAGE_KIB
        except OSError:
            continue
    return total


def connections_to(port: int) -> int:
    """Established TCP connections to 127.0.0.1:``port`` (nginx → one replica: its open
    websockets and requests), read from /proc/net/tcp."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                if state == ESTABLISHED and int(local.rsplit(":", 1)[1], 16) == port:
                    count += 1
    return count


@dataclass
class Sample:
    t: float
    cpu: dict[str, float]
    rss: dict[str, int]


@dataclass
class Sampler:
    """Every ``interval`` s, CPU seconds and RSS of each named process: ``pids()`` returns
    {name: pid} (called at every sample, so a restarted replica is followed)."""

    pids: object
    interval: float = 1.0
    samples: list[Sample] = field(default_factory=list)

    def __post_init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)

    def sample(self) -> Sample:
        cpu, rss = {}, {}
        for name, pid in self.pids().items():
            try:
                cpu[name], rss[name] = cpu_seconds(pid), rss_kib(pid)
            except OSError:
                continue
        s = Sample(time.monotonic(), cpu, rss)
        self.samples.append(s)
        return s

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def peak_rss(self, name: str) -> int:
        return max((s.rss.get(name, 0) for s in self.samples), default=0)

    def cpu_share(self, name: str, start: float, end: float) -> float:
        """CPU seconds per second of ``name`` between two times (sample-to-sample; a restart
        resets the counter, so a negative step counts as the new process's own)."""
        inside = [s for s in self.samples if start <= s.t <= end and name in s.cpu]
        used = 0.0
        for a, b in zip(inside, inside[1:]):
            step = b.cpu[name] - a.cpu[name]
            used += step if step >= 0 else b.cpu[name]
        span = inside[-1].t - inside[0].t if len(inside) > 1 else 0.0
        return used / span if span else float("nan")
