"""``python -m ui export`` writes the full figure set for a preset, without a browser window."""

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from _export_support import require_renderer

import ui.export
from ui import catalog, cli
from ui.state import params as P
from ui.cli import MARKER, PRESET_ALIASES
from ui.text.echo import plain
from ui.state import link as share
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
    assert expected | {"params.json", "README.md", MARKER} == {p.name for p in deep_set.iterdir()}
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


def test_bad_input_through_python_m_ui_is_one_line_without_traceback(tmp_path):
    result = run("export", "--params", str(tmp_path / "missing.json"), "--out", str(tmp_path / "figs"))
    assert result.returncode == 2
    assert result.stderr.startswith("error: --params") and len(result.stderr.splitlines()) == 1, result.stderr
    assert not (tmp_path / "figs").exists()


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
    """Pins in --url reach the figures, params.json and the share links."""
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


# --- in-process: what the command refuses, corrects and survives -------------------------------
FIG = "kl_by_position"  # closed form, milliseconds: the cheapest figure to export
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0  # chmod does not stop root
needs_permissions = pytest.mark.skipif(ROOT_USER, reason="running as root: chmod does not deny access")


def export(*args):
    """``python -m ui export`` in this process, one cheap figure as CSV."""
    return cli.main(["export", "--formats", "csv", "--only", FIG, "-q", *args])


def stderr_lines(capsys) -> list[str]:
    return capsys.readouterr().err.splitlines()


def test_refuses_a_directory_it_did_not_write(tmp_path, capsys):
    (tmp_path / "README.md").write_text("the project's own README\n")
    assert export("--out", str(tmp_path)) == 2
    [line] = stderr_lines(capsys)
    assert line.startswith("error: --out") and "--force" in line
    assert (tmp_path / "README.md").read_text() == "the project's own README\n"
    assert {p.name for p in tmp_path.iterdir()} == {"README.md"}


def test_empty_out_never_writes_into_the_current_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # even an empty current directory: "" is not a directory name
    assert export("--out", "") == 2
    [line] = stderr_lines(capsys)
    assert line.startswith("error: --out") and "not a directory name" in line
    assert list(tmp_path.iterdir()) == []


def test_marks_what_it_writes_and_may_write_there_again(tmp_path, capsys):
    out = tmp_path / "new" / "figs"
    assert export("--out", str(out)) == 0
    assert {p.name for p in out.iterdir()} == {MARKER, "params.json", "README.md", f"{FIG}.csv"}
    (out / f"{FIG}.csv").write_text("stale")
    assert export("--set", "mu=3", "--out", str(out)) == 0
    assert (out / f"{FIG}.csv").read_text() != "stale"
    assert json.loads((out / "params.json").read_text())["mu"] == 3.0
    assert capsys.readouterr().err == ""


def test_an_empty_directory_needs_no_marker(tmp_path):
    assert export("--out", str(tmp_path)) == 0
    assert (tmp_path / MARKER).is_file()


def test_force_writes_into_a_directory_it_did_not_write(tmp_path):
    (tmp_path / "README.md").write_text("someone else's\n")
    (tmp_path / "notes.txt").write_text("kept\n")
    assert export("--force", "--out", str(tmp_path)) == 0
    assert (tmp_path / "README.md").read_text().startswith("# Shallow/Deep figures")
    assert (tmp_path / "notes.txt").read_text() == "kept\n"  # only its own file names are replaced
    assert (tmp_path / MARKER).is_file()


def _file(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _unreadable(tmp_path):
    path = tmp_path / "secret.json"
    path.write_text("{}")
    path.chmod(0)
    return str(path)


def _read_only_dir(tmp_path):
    path = tmp_path / "ro"
    path.mkdir()
    path.chmod(0o500)
    return path


LONG = "x" * 500

# The fuzz corpus of bad input: (arguments given tmp_path, the argument the error must name).
# Each must give exit status 2 and one line "error: …" on stderr, and write nothing.
BAD_INPUT = {
    "params missing": (lambda d: ["--params", str(d / "missing.json")], "--params"),
    "params empty name": (lambda d: ["--params", ""], "--params"),
    "params a directory": (lambda d: ["--params", str(d)], "--params"),
    "params NUL in name": (lambda d: ["--params", "a\0b.json"], "--params"),
    "params long name": (lambda d: ["--params", str(d / LONG)], "--params"),
    "params not UTF-8": (lambda d: ["--params", _file(d, "latin.json", b'{"mu": "\xe9"}')], "--params"),
    "params malformed": (lambda d: ["--params", _file(d, "bad.json", b"{mu: 1")], "--params"),
    "params empty file": (lambda d: ["--params", _file(d, "empty.json", b"")], "--params"),
    "params a list": (lambda d: ["--params", _file(d, "list.json", b"[1, 2]")], "--params"),
    "params a number": (lambda d: ["--params", _file(d, "num.json", b"3")], "--params"),
    "params nested deep": (lambda d: ["--params", _file(d, "deep.json", b"[" * 100_000 + b"]" * 100_000)],
                           "--params"),
    "params huge int": (lambda d: ["--params", _file(d, "int.json", b'{"mu": ' + b"9" * 5000 + b"}")],
                        "--params"),
    "params unreadable": pytest.param((_unreadable, "--params"), marks=needs_permissions),
    "out empty": (lambda d: ["--out", ""], "--out"),
    "out a file": (lambda d: ["--out", _file(d, "file.txt", b"mine")], "--out"),
    "out under a file": (lambda d: ["--out", _file(d, "file.txt", b"mine") + "/figs"], "--out"),
    "out NUL in name": (lambda d: ["--out", str(d / "a\0b")], "--out"),
    "out long name": (lambda d: ["--out", str(d / LONG)], "--out"),
    "out in a read-only dir": pytest.param((lambda d: ["--out", str(_read_only_dir(d) / "figs")], "--out"),
                                           marks=needs_permissions),
    "out read-only": pytest.param((lambda d: ["--out", str(_read_only_dir(d))], "--out"),
                                  marks=needs_permissions),
    "url a word": (lambda d: ["--url", "hello"], "--url"),
    "url empty": (lambda d: ["--url", ""], "--url"),
    "url no host": (lambda d: ["--url", "http://"], "--url"),
    "url bad IPv6": (lambda d: ["--url", "http://[::1/deep_alignment?mu=3"], "--url"),
    "url lines": (lambda d: ["--url", "a b\n\nerror: forged second line"], "--url"),
    "url long": (lambda d: ["--url", LONG], "--url"),
    "set unknown name": (lambda d: ["--set", "nope=1"], "--set"),
    "set no equals": (lambda d: ["--set", "mu"], "--set"),
    "set no name": (lambda d: ["--set", "=1"], "--set"),
    "set pin": (lambda d: ["--set", "pin=x"], "--set"),
    "formats unknown": (lambda d: ["--formats", "gif"], "--formats"),
    "formats empty": (lambda d: ["--formats", ""], "--formats"),
    "only unknown": (lambda d: ["--only", "nope"], "--only"),
    "only empty": (lambda d: ["--only", ""], "--only"),
}


@pytest.mark.parametrize("case", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_one_line_and_exit_2(case, tmp_path, monkeypatch, capsys):
    build, argument = case
    monkeypatch.chdir(tmp_path)  # should "--out ''" regress, it must not replace this repo's README
    args = build(tmp_path)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    out = [] if "--out" in args else ["--out", str(tmp_path / "figs")]
    assert export(*out, *args) == 2
    [line] = stderr_lines(capsys)  # one line: a value with line breaks cannot forge a second
    assert line.startswith(f"error: {argument}"), line
    assert len(line) <= 200, line  # a 500-character value is shortened
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing written


@pytest.mark.parametrize("method, option", [("read_text", "--params"), ("mkdir", "--out"),
                                            ("write_text", "--out")])
def test_permission_denied_is_one_line_and_exit_2(method, option, tmp_path, monkeypatch, capsys):
    """The chmod cases above, also when running as root (where chmod denies nothing)."""
    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    params = tmp_path / "p.json"
    params.write_text("{}")
    monkeypatch.setattr(Path, method, denied)
    assert export("--params", str(params), "--out", str(tmp_path / "figs")) == 2
    value = plain(str(params if option == "--params" else tmp_path / "figs"), 60)
    assert stderr_lines(capsys) == [f"error: {option} '{value}': Permission denied"]


def warnings_of(capsys) -> list[str]:
    lines = stderr_lines(capsys)
    assert all(line.startswith("warning: ") for line in lines), lines
    assert not any("`" in line for line in lines), lines  # Markdown is for the page
    return [line.removeprefix("warning: ") for line in lines]


def test_a_url_the_app_would_correct_warns_like_the_app(tmp_path, capsys):
    url = "http://localhost:8501/robustness?mu=1e9&gamma=abc&T=30&k=90&bogus=1&lesson=intro"
    assert export("--url", url, "--out", str(tmp_path)) == 0
    warnings = warnings_of(capsys)
    mu_max, gamma_default = P.PARAMS["mu"].hi, P.PARAMS["gamma"].default
    expected = [w.replace("`", "") for w in P.parse_all({"mu": "1e9", "gamma": "abc", "T": "30", "k": "90"})[1]]
    assert len(expected) == 3
    assert sorted(warnings) == sorted(expected + ["Unknown parameter bogus in the link was ignored."])
    values = json.loads((tmp_path / "params.json").read_text())
    assert (values["mu"], values["gamma"], values["k"]) == (mu_max, gamma_default, 30)


def test_a_params_file_the_app_would_correct_warns(tmp_path, capsys):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"mu": -1, "k": 2.5, "colour": "red", "pin": ["junk"]}))
    assert export("--params", str(path), "--out", str(tmp_path / "figs")) == 0
    warnings = warnings_of(capsys)
    assert any(w.startswith("mu=-1 is below the minimum") for w in warnings), warnings
    assert any(w.startswith("k=2.5 is not a whole number") for w in warnings), warnings
    assert any("colour" in w and "ignored" in w for w in warnings), warnings
    assert any(w.startswith("Pin junk") for w in warnings), warnings
    values = json.loads((tmp_path / "figs" / "params.json").read_text())
    assert (values["mu"], values["k"]) == (0.0, 2)


def test_set_overrides_before_the_relations_are_enforced(tmp_path, capsys):
    """``--url …k=60&T=50 --set T=100`` is the link ``?k=60&T=100``: k stays 60, no warning."""
    url = "http://localhost:8501/deep_alignment?k=60&T=50"
    assert export("--url", url, "--set", "T=100", "--set", "mu=abc", "--out", str(tmp_path)) == 0
    assert warnings_of(capsys) == [f"mu=abc is not a number; using the default {P.fmt(P.PARAMS['mu'].default)}."]
    values = json.loads((tmp_path / "params.json").read_text())
    assert (values["k"], values["T"]) == (60, 100)


def test_warnings_are_capped(tmp_path, capsys):
    url = "http://localhost:8501/overview?" + "&".join(f"junk{i}=1" for i in range(30))
    assert export("--url", url, "--out", str(tmp_path)) == 0
    warnings = warnings_of(capsys)
    assert len(warnings) == 11 and warnings[-1] == "… and 20 more"
    assert (tmp_path / "params.json").is_file()


def test_a_warning_repeating_user_text_is_one_line(tmp_path, capsys):
    url = "http://localhost:8501/overview?mu=1%0A%0Aerror:%20forged"
    assert export("--url", url, "--out", str(tmp_path)) == 0
    [warning] = warnings_of(capsys)
    assert warning.startswith("mu=1 error: forged is not a number")


def test_the_url_keys_the_app_knows_are_the_ones_it_does_not_warn_about():
    from ui.state import url as state

    assert share.OTHER_URL_KEYS == set(state.EXTRA_KEYS) | state._RESERVED


def test_a_figure_the_engine_refuses_is_a_problem_not_a_crash(tmp_path, monkeypatch, capsys):
    def refuse(values):
        raise ValueError("T * |S| * |V| must be at most 2000000, got 3000000")

    spec = catalog.FIGURES[FIG]
    monkeypatch.setitem(catalog.FIGURES, FIG, dataclasses.replace(spec, build=refuse))
    catalog._build.cache_clear()  # a figure built by an earlier test would hide the patch
    try:
        status = cli.main(["export", "--formats", "csv", "--only", f"{FIG},recovery_by_position", "-q",
                           "--out", str(tmp_path)])
    finally:
        catalog._build.cache_clear()
    assert status == 3
    assert stderr_lines(capsys) == [f"problem: {FIG}: T * |S| * |V| must be at most 2000000, got 3000000"]
    names = {p.name for p in tmp_path.iterdir()}
    assert "recovery_by_position.csv" in names and f"{FIG}.csv" not in names
    readme = (tmp_path / "README.md").read_text()
    assert "## Not exported" in readme and "must be at most 2000000" in readme
    assert f"## {FIG}:" not in readme  # no alt text for a figure that has no data


def test_a_write_error_midway_is_one_line_and_exit_3(tmp_path, monkeypatch, capsys):
    real = Path.write_bytes

    def full_disk(self, data):
        if self.suffix == ".csv":
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    assert export("--out", str(tmp_path)) == 3
    [line] = stderr_lines(capsys)
    assert line.startswith("error: --out") and f"{FIG}.csv" in line and "No space left" in line


def test_ctrl_c_is_one_line_and_exit_130(tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ui.export, "write_set", interrupted)
    try:
        status = export("--out", str(tmp_path))
    except KeyboardInterrupt:
        pytest.fail("KeyboardInterrupt escaped main()")
    assert status == 130
    assert stderr_lines(capsys) == ["interrupted"]
