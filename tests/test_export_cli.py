"""``python -m ui export`` writes the full figure set for a preset, without a browser window."""

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from _export_support import require_renderer

from ui import catalog
from ui import params as P
from ui.cli import PRESET_ALIASES
from ui.export import share
from ui.live import specs as live_specs

ROOT = Path(__file__).resolve().parents[1]


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "ui", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def deep_set(tmp_path_factory):
    require_renderer()
    out = tmp_path_factory.mktemp("figs")
    result = run("export", "--preset", "deep", "--out", str(out), "--base-url", "https://example.org")
    assert result.returncode == 0, result.stderr
    return out


def test_help_documents_the_command():
    result = run("export", "--help")
    assert result.returncode == 0
    for word in ("--preset", "--params", "--url", "--out", "--formats", "python -m ui export --preset deep"):
        assert word in result.stdout


def test_writes_every_figure_in_every_format(deep_set):
    expected = {f"{n}.{f}" for n in catalog.FIGURES for f in ("svg", "pdf", "png", "csv")}
    expected |= {f"{n}.html" for n in live_specs.LIVE}  # interactive: the live figures only
    assert expected | {"params.json", "README.md"} == {p.name for p in deep_set.iterdir()}
    for path in deep_set.glob("*.svg"):
        ET.parse(path)
    for path in deep_set.glob("*.pdf"):
        assert path.read_bytes().startswith(b"%PDF")
    for path in deep_set.glob("*.png"):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for path in deep_set.glob("*.html"):
        assert f'"id": "{path.stem}"' in path.read_text(encoding="utf-8")


def test_the_set_holds_the_preset_and_its_links(deep_set):
    values = dict(P.defaults(), **P.PRESETS[PRESET_ALIASES["deep"]])
    assert json.loads((deep_set / "params.json").read_text()) == values
    readme = (deep_set / "README.md").read_text()
    for name in catalog.FIGURES:
        assert name in readme
    assert share.share_url(values, "robustness", "https://example.org") in readme


def test_params_file_reproduces_the_same_data(deep_set, tmp_path):
    result = run("export", "--params", str(deep_set / "params.json"), "--formats", "csv,svg",
                 "--only", "kl_by_position", "--base-url", "https://example.org", "-q", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "kl_by_position.csv").read_bytes() == (deep_set / "kl_by_position.csv").read_bytes()
    svg = (tmp_path / "kl_by_position.svg").read_text()
    assert "https://example.org/deep_alignment?" in svg


def test_url_and_set_override(tmp_path):
    url = "http://localhost:8501/robustness?mu=20&gamma=0.95&T=30"
    result = run("export", "--url", url, "--set", "k=3", "--formats", "csv", "--only",
                 "attack_length_vs_mu", "-q", "--out", str(tmp_path))  # params.json is the point
    assert result.returncode == 0, result.stderr
    values = json.loads((tmp_path / "params.json").read_text())
    assert (values["mu"], values["gamma"], values["T"], values["k"]) == (20.0, 0.95, 30, 3)


def test_bad_input_is_explained(tmp_path):
    assert run("export", "--formats", "gif", "--out", str(tmp_path)).returncode == 2
    result = run("export", "--set", "nope=1", "--out", str(tmp_path))
    assert result.returncode != 0 and "NAME=VALUE" in result.stderr


def test_without_chromium_csv_and_json_are_still_written(tmp_path):
    env = dict(os.environ, PATH=str(Path(sys.executable).parent), BROWSER_PATH="")
    assert shutil.which("chromium", path=env["PATH"]) is None
    result = run("export", "--preset", "shallow", "-q", "--out", str(tmp_path), env=env)
    assert result.returncode == 3
    assert "no Chromium browser" in result.stderr
    names = {p.name for p in tmp_path.iterdir()}
    assert {f"{n}.csv" for n in catalog.FIGURES} <= names and "params.json" in names
    assert not any(n.endswith((".svg", ".pdf", ".png")) for n in names)
    assert "no Chromium browser" in (tmp_path / "README.md").read_text()


def test_a_comparison_link_exports_its_pins(tmp_path):
    """Issue 17: pins in --url reach the figures, params.json and the share links."""
    from urllib.parse import quote

    pin = "deep γ=0.99~beta:1,mu:20,gamma:0.99,p_base:0.01,delta:0.5,T:50,k:5,t:10"
    url = f"http://localhost:8501/overview?mu=5&pin={quote(pin)}"
    result = run("export", "--url", url, "--formats", "csv", "--only", "recovery_by_position",
                 "-q", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    saved = json.loads((tmp_path / "params.json").read_text())
    assert saved["pin"] == [pin]
    series = {row.split(",")[0] for row in
              (tmp_path / "recovery_by_position.csv").read_text().splitlines()[1:]}
    assert any("deep γ=0.99" in name for name in series), series
    values = share.values_from_json((tmp_path / "params.json").read_text())
    assert values["pin"][0].values["mu"] == 20.0
    assert share.values_from_url(share.share_url(values, "overview")) == values
