"""The hall's nginx config rendered for deploy/compose.yaml (``python -m deploy.compose`` writes
deploy/compose-nginx.conf; a test checks the committed file is this render).

The template is nginx.conf.in, as for ``Hall``; only the addresses differ: the replicas are the
compose services app1..appN on port 8501, and the static files are where deploy/Dockerfile's
proxy stage copies them. The official nginx image links /var/log/nginx/*.log to the container's
stdout and stderr.

nginx resolves app1..appN once, when it starts (open-source nginx has ``resolve`` on upstream
servers only since 1.27.3, and the local hall's Debian nginx is 1.22): a replica that Docker
restarts keeps its container and address; after ``docker compose up`` recreates one, run
``docker compose restart proxy``.
"""

from __future__ import annotations

from pathlib import Path

from .hall import HERE, render_config

REPLICAS = 3  # compose.yaml's app1..app3: add a service there and here together
PORT = 8501
OUT = HERE / "compose-nginx.conf"


def config(replicas: int = REPLICAS) -> str:
    return render_config([(f"app{i}", PORT) for i in range(1, replicas + 1)], "8080",
                         run_dir=Path("/tmp"), log_dir=Path("/var/log/nginx"),
                         app_static=Path("/srv/app-static"),
                         streamlit_static=Path("/srv/streamlit-static"))


if __name__ == "__main__":
    OUT.write_text(config())
    print(f"wrote {OUT}")
