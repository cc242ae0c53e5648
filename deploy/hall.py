"""A lecture hall on one machine: N ``streamlit run app.py`` replicas behind nginx.

A Streamlit session lives in the process that holds the browser's websocket, and one process
runs its scripts on one core (the GIL), so serving a class means several processes behind a
balancer that keeps each browser on its replica (nginx.conf.in: an affinity cookie). ``Hall``
starts the replicas on free loopback ports, then nginx in front of them, and supervises: a
replica that exits, or stops answering ``/_stcore/health``, is started again on its port (that
polling is the active health check open-source nginx lacks; nginx itself only notices refused
connections, and then retries the request on another replica). Leaving the ``with`` block stops
everything it started, each process by its own process group.

    with Hall(replicas=2) as hall:
        hall.url            # nginx, "http://127.0.0.1:PORT"
        hall.replicas       # [Replica(index, port, pid), ...], the current processes
        hall.kill(0)        # SIGKILL replica 0; the supervisor restarts it on the same port
        hall.wait_healthy(60)
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TEMPLATE = HERE / "nginx.conf.in"
HEALTH = "/_stcore/health"

# A replica's first start imports the app and its numerics: 4 s alone, far more when N start at
# once on 2 cores.
START_TIMEOUT = 180.0
# The supervisor: exits are noticed within EXIT_POLL; a replica that answered once and then
# fails HEALTH_FAILURES health checks in a row (HEALTH_EVERY apart, each HEALTH_TIMEOUT long) is
# hung and gets restarted. Generous, because a replica busy with a class answers slowly, and a
# restart ends every session on it.
EXIT_POLL = 0.2
HEALTH_EVERY = 2.0
HEALTH_TIMEOUT = 5.0
HEALTH_FAILURES = 5


@dataclass(frozen=True)
class Replica:
    index: int
    port: int
    pid: int


def free_port(host: str = "127.0.0.1") -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def find_nginx() -> str:
    """nginx's binary; Debian installs it in /usr/sbin, which a user's PATH may lack."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")
         if os.access(p, os.X_OK)), None)
    if found is None:
        raise FileNotFoundError("nginx is not installed: run `bash scripts/ensure.sh nginx`")
    return found


def streamlit_static_dir() -> Path:
    """The frontend bundle of the installed streamlit package (index.html and static/)."""
    import importlib.util

    spec = importlib.util.find_spec("streamlit")
    if spec is None or spec.origin is None:
        raise RuntimeError("streamlit is not installed in this Python")
    return Path(spec.origin).parent / "static"


def render_config(servers: list[tuple[str, int]], listen: str, run_dir: Path, log_dir: Path,
                  app_static: Path = ROOT / "static",
                  streamlit_static: Path | None = None) -> str:
    """nginx.conf.in with its @PLACEHOLDERS@ filled in; every path it writes is under run_dir
    (pid, temp files) or log_dir (access and error logs)."""
    static = streamlit_static or streamlit_static_dir()
    lines = "\n".join(f"        server {h}:{p} max_fails=1 fail_timeout=3s;" for h, p in servers)
    text = TEMPLATE.read_text()
    for key, value in {"@SERVERS@": lines, "@LISTEN@": listen, "@RUN_DIR@": str(run_dir),
                       "@LOG_DIR@": str(log_dir), "@STREAMLIT_STATIC@": str(static),
                       "@APP_STATIC@": str(app_static)}.items():
        text = text.replace(key, value)
    if "@" in "".join(line.split("#")[0] for line in text.splitlines()):
        raise ValueError("a placeholder of nginx.conf.in was left unfilled")
    return text


def healthy(url: str, timeout: float = HEALTH_TIMEOUT) -> bool:
    try:
        with urllib.request.urlopen(url + HEALTH, timeout=timeout) as reply:
            return reply.status == 200
    except OSError:
        return False


def _tail(path: Path, lines: int = 8) -> str:
    """The end of a log, for an error message (the run directory goes away with the hall)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _stop_group(proc: subprocess.Popen, first: int = signal.SIGTERM, grace: float = 10.0) -> None:
    """Stop a process started with its own session, and everything in its group, by that
    group's id (the process's pid): ``first``, then SIGKILL if it lingers."""
    for sig, wait in ((first, grace), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait)
            break
    # The leader is gone; a child that outlived it (kaleido's chromium) is still in the group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


class Hall:
    """nginx on ``host:port`` (0: a free port) in front of ``replicas`` Streamlit processes on
    127.0.0.1, with ``env`` added to theirs. Logs go to ``log_dir`` (default: a temporary run
    directory removed on exit)."""

    def __init__(self, replicas: int = 2, port: int = 0, host: str = "127.0.0.1",
                 env: dict[str, str] | None = None, log_dir: str | os.PathLike | None = None):
        if replicas < 1:
            raise ValueError("a hall needs at least one replica")
        self.n = replicas
        self.host = host
        self.port = port or free_port(host)
        self.env = dict(env or {})
        self._log_dir_arg = log_dir
        self._procs: list[subprocess.Popen | None] = [None] * replicas
        self._ports: list[int] = []
        self.restarts = [0] * replicas
        self._answered = [False] * replicas  # answered /_stcore/health since its last start
        self._started_at = [0.0] * replicas
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._nginx: subprocess.Popen | None = None
        self._logs: list = []
        # Every replica signs its cookies (the XSRF token of uploads) with the same secret, so a
        # student whose replica died keeps a valid cookie on the one that takes over.
        self._cookie_secret = secrets.token_hex(32)
        self.run_dir: Path | None = None
        self.log_dir: Path | None = None

    # --- the API ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        # A hall listening on every interface is reached from this machine through loopback.
        host = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(self.host, self.host)
        host = f"[{host}]" if ":" in host and not host.startswith("[") else host
        return f"http://{host}:{self.port}"

    @property
    def replicas(self) -> list[Replica]:
        with self._lock:
            return [Replica(i, port, p.pid) for i, (port, p) in
                    enumerate(zip(self._ports, self._procs)) if p is not None]

    @property
    def nginx_pid(self) -> int:
        return self._nginx.pid if self._nginx else -1

    def kill(self, i: int) -> None:
        """SIGKILL replica ``i`` (and its children), as a crash would; the supervisor notices
        the exit and starts it again on the same port."""
        with self._lock:
            proc = self._procs[i]
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

    def wait_healthy(self, timeout: float = 60.0) -> None:
        """Until every replica answers /_stcore/health on its own port, and nginx on its own."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ports = list(self._ports)
            if all(healthy(f"http://127.0.0.1:{p}", 2.0) for p in ports) and healthy(self.url, 2.0):
                return
            time.sleep(0.2)
        raise TimeoutError(f"the hall was not healthy within {timeout} s; logs in {self.log_dir}")

    def __enter__(self) -> Hall:
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- starting and stopping -------------------------------------------------------------

    def _start(self) -> None:
        self.run_dir = Path(tempfile.mkdtemp(prefix="sd-hall-"))
        # nginx started as root runs its workers as an unprivileged user; they must reach the
        # temp directories inside.
        self.run_dir.chmod(0o755)
        self.log_dir = Path(self._log_dir_arg) if self._log_dir_arg else self.run_dir
        self.log_dir.mkdir(parents=True, exist_ok=True)
        nginx = find_nginx()
        # A taken port fails here, before the replicas spend their start on nothing.
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        with socket.socket(family) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((self.host, self.port))
            except OSError as e:
                raise RuntimeError(f"cannot listen on {self.host}:{self.port}: {e}") from None
        self._ports = [free_port() for _ in range(self.n)]
        for i in range(self.n):
            self._spawn(i)
        deadline = time.monotonic() + START_TIMEOUT
        for i in range(self.n):
            self._wait_replica(i, deadline)

        listen = f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
        conf = self.run_dir / "nginx.conf"
        conf.write_text(render_config([("127.0.0.1", p) for p in self._ports], listen,
                                      self.run_dir, self.log_dir))
        log = open(self.log_dir / "nginx.out", "ab")
        self._logs.append(log)
        # -e: the error log before the config is read (else the compiled-in /var/log path).
        self._nginx = subprocess.Popen(
            [nginx, "-p", str(self.run_dir), "-e", str(self.log_dir / "error.log"), "-c", str(conf)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 15
        while not healthy(self.url, 2.0):
            if self._nginx.poll() is not None:
                raise RuntimeError(f"nginx exited ({self._nginx.returncode}):\n"
                                   + (_tail(self.log_dir / "error.log")
                                      or _tail(self.log_dir / "nginx.out")))
            if time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not answer on {self.url}")
            time.sleep(0.1)

        for target in (self._watch_exits, self._watch_health):
            thread = threading.Thread(target=target, daemon=True, name=f"hall-{target.__name__}")
            thread.start()
            self._threads.append(thread)

    def _spawn(self, i: int) -> None:
        port = self._ports[i]
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py",
               "--server.headless", "true", "--server.address", "127.0.0.1",
               "--server.port", str(port), "--browser.gatherUsageStats", "false",
               # no reruns on "source changed" in a hall (nor while tests edit files)
               "--server.fileWatcherType", "none"]
        env = {**os.environ, **self.env, "STREAMLIT_SERVER_COOKIE_SECRET": self._cookie_secret}
        log = open(self.log_dir / f"replica-{i}.log", "ab")
        self._logs.append(log)
        # Its own session: the group holds what it spawns (kaleido's chromium), stopped with it.
        self._procs[i] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log,
                                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                          start_new_session=True)
        self._answered[i] = False
        self._started_at[i] = time.monotonic()

    def _wait_replica(self, i: int, deadline: float) -> None:
        while not healthy(f"http://127.0.0.1:{self._ports[i]}", 2.0):
            proc = self._procs[i]
            if proc.poll() is not None:
                raise RuntimeError(f"replica {i} exited ({proc.returncode}):\n"
                                   + _tail(self.log_dir / f"replica-{i}.log"))
            if time.monotonic() > deadline:
                raise RuntimeError(f"replica {i} did not answer {HEALTH} in time")
            time.sleep(0.2)
        self._answered[i] = True

    def _watch_exits(self) -> None:
        while not self._stopping.wait(EXIT_POLL):
            for i in range(self.n):
                with self._lock:
                    if self._stopping.is_set():
                        return
                    proc = self._procs[i]
                    if proc.poll() is None:
                        continue
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(proc.pid, signal.SIGKILL)  # what it left in its group
                    self.restarts[i] += 1
                    self._spawn(i)

    def _watch_health(self) -> None:
        failures = [0] * self.n
        while not self._stopping.wait(HEALTH_EVERY):
            for i in range(self.n):
                with self._lock:
                    proc, started = self._procs[i], self._started_at[i]
                ok = healthy(f"http://127.0.0.1:{self._ports[i]}")
                with self._lock:
                    if self._stopping.is_set() or self._procs[i] is not proc:
                        failures[i] = 0
                        continue
                    if ok:
                        self._answered[i], failures[i] = True, 0
                        continue
                    # Still starting: a restart is not a hang unless it never comes up.
                    if not self._answered[i] and time.monotonic() - started < START_TIMEOUT:
                        continue
                    failures[i] += 1
                    if failures[i] >= HEALTH_FAILURES:
                        failures[i] = 0
                        with contextlib.suppress(ProcessLookupError, PermissionError):
                            os.killpg(proc.pid, signal.SIGKILL)  # _watch_exits restarts it

    def close(self) -> None:
        """Stop the supervisor, nginx and every replica; remove the run directory."""
        self._stopping.set()
        with self._lock:  # no restart can be under way past this point
            pass
        for thread in self._threads:
            thread.join(10)
        if self._nginx is not None:
            # SIGTERM is nginx's fast shutdown; a graceful one (SIGQUIT) waits for every open
            # websocket, i.e. for the last student to leave.
            _stop_group(self._nginx, signal.SIGTERM, 5.0)
        procs = [p for p in self._procs if p is not None]
        for proc in procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            _stop_group(proc, signal.SIGTERM, 10.0)
        for log in self._logs:
            log.close()
        self._logs.clear()
        if self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)
