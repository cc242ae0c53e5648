"""``python -m deploy``: serve the explorable to a class (nginx + N Streamlit replicas, ``Hall``)
until Ctrl-C or SIGTERM, then stop everything it started.

    python -m deploy --replicas 4 --port 8080 --host 0.0.0.0 --max-sessions 60 --idle-minutes 20

``--host 127.0.0.1`` (the default) serves this machine only; a hall, where the students' laptops
connect over the room's network, needs ``--host 0.0.0.0``. The replicas themselves always listen
on 127.0.0.1: only nginx is reachable from outside.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import threading

from .hall import Hall


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m deploy", description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicas", type=int, default=os.cpu_count() or 1,
                    help="Streamlit processes, one per core is the rule (default: %(default)s)")
    ap.add_argument("--port", type=int, default=8080, help="nginx's port (default: %(default)s)")
    ap.add_argument("--host", default="127.0.0.1",
                    help="nginx's address; 0.0.0.0 lets other machines in (default: %(default)s)")
    ap.add_argument("--max-sessions", type=int, metavar="N",
                    help="sessions one replica accepts (sets SHALLOWDEEP_MAX_SESSIONS)")
    ap.add_argument("--idle-minutes", type=float, metavar="M",
                    help="minutes after which an idle session is closed "
                         "(sets SHALLOWDEEP_IDLE_MINUTES)")
    ap.add_argument("--log-dir", help="keep the replicas' and nginx's logs here")
    args = ap.parse_args(argv)
    if args.replicas < 1:
        ap.error("--replicas must be at least 1")
    return args


def replica_env(args: argparse.Namespace) -> dict[str, str]:
    """The session limits, for the app in every replica (it reads them; this only passes them)."""
    env = {}
    if args.max_sessions is not None:
        env["SHALLOWDEEP_MAX_SESSIONS"] = str(args.max_sessions)
    if args.idle_minutes is not None:
        env["SHALLOWDEEP_IDLE_MINUTES"] = f"{args.idle_minutes:g}"
    return env


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    done = threading.Event()
    # SIGTERM (systemd, docker stop, kill) ends the hall as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    env = replica_env(args)
    print(f"Starting {args.replicas} replica(s) and nginx...", flush=True)
    try:
        with Hall(replicas=args.replicas, port=args.port, host=args.host, env=env,
                  log_dir=args.log_dir) as hall:
            print(f"Serving on {hall.url} (nginx pid {hall.nginx_pid})", flush=True)
            if args.host in ("0.0.0.0", "::"):
                print(f"  students open http://{socket.gethostname()}:{args.port} "
                      "(or this machine's address on the room's network)", flush=True)
            for r in hall.replicas:
                print(f"  replica {r.index}: 127.0.0.1:{r.port} (pid {r.pid})", flush=True)
            if env:
                print("  " + " ".join(f"{k}={v}" for k, v in env.items()), flush=True)
            print("Ctrl-C stops it.", flush=True)
            # Ctrl-C as an event too (a shell's background job ignores SIGINT unless told).
            signal.signal(signal.SIGINT, lambda *_: done.set())
            done.wait()
            print("Stopping...", flush=True)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
