"""The import rules of the code (README, "What is inside"), read from the source with ``ast``.

``theory/`` imports nothing of the app. Inside ``ui/``, the parts form one ladder: a part may
import the parts below it, never one above, and no two modules import each other by any path.
Every import counts: the ones inside functions and under ``TYPE_CHECKING`` too, since an
import moved into a function to dodge a cycle still ties the two modules together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Bottom to top. A part imports only parts below it (and itself).
LADDER = ("text", "state", "data", "claims", "figures", "catalog", "live", "export", "classroom",
          "page")
# The only modules at ui/'s top level: the command line and its ``python -m ui`` entry.
TOP_MODULES = ("__init__", "__main__", "cli")


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _package(path: Path) -> str:
    module = _module(path)
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def imports(path: Path) -> list[tuple[str, int]]:
    """Every module ``path`` imports (absolute names, submodules resolved), with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package(path).split(".")
                base = base[:len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            found.append((module, node.lineno))
            # ``from ui.state import params``: the submodule is what is imported
            found += [(f"{module}.{a.name}", node.lineno) for a in node.names
                      if _is_module(f"{module}.{a.name}")]
    return found


def _is_module(name: str) -> bool:
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _files(folder: str) -> list[Path]:
    return sorted(p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)


def _part(module: str) -> str | None:
    bits = module.split(".")
    return bits[1] if len(bits) > 1 and bits[1] in LADDER else None


def test_theory_imports_nothing_of_the_app():
    bad = [f"{p.relative_to(ROOT)}:{line} imports {m}" for p in _files("theory")
           for m, line in imports(p) if m.split(".")[0] in {"ui", "views", "streamlit"}]
    assert bad == []


def test_deploy_runs_the_app_without_importing_it():
    # deploy/ starts `streamlit run app.py` in other processes; importing the app would tie
    # nginx's supervisor to the numerics (and to their import time).
    bad = [f"{p.relative_to(ROOT)}:{line} imports {m}" for p in _files("deploy")
           for m, line in imports(p) if m.split(".")[0] in {"ui", "views", "theory", "evidence",
                                                           "loadtest", "app"}]
    assert bad == []


def test_evidence_uses_of_the_app_only_its_text():
    """The file readers of ``evidence/`` sit below ``ui/data``; their messages repeat user text
    through ``ui.text.echo``, the one place that makes it inert."""
    bad = [f"{p.relative_to(ROOT)}:{line} imports {m}" for p in _files("evidence")
           for m, line in imports(p) if m.split(".")[0] in {"views", "streamlit"}
           or (m.split(".")[0] == "ui" and not m.startswith("ui.text"))]
    assert bad == []


def test_only_the_command_line_and_the_pages_use_the_course_pack():
    """``coursepack`` sits above ``ui`` (it builds from the catalog, the lessons, the live
    figures): inside ``ui`` only the command line calls it; the Lessons page does too."""
    bad = [f"{p.relative_to(ROOT)}:{line} imports {m}" for p in _files("ui")
           for m, line in imports(p) if m.split(".")[0] == "coursepack" and p.name != "cli.py"]
    bad += [f"{p.relative_to(ROOT)}:{line} imports {m}" for p in _files("coursepack")
            for m, line in imports(p) if m.split(".")[0] in {"views", "app"} or m == "ui.cli"]
    assert bad == []


def test_data_uses_streamlit_only_to_cache():
    """The data layer computes or refuses; the page says so (ui.page) and may end the page."""
    allowed = {"cache_data", "cache_resource"}
    bad = []
    for path in _files("ui/data"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
                 for a in n.names if a.name == "streamlit"}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "streamlit":
                bad += [f"{path.relative_to(ROOT)}:{node.lineno} imports {a.name} from streamlit"
                        for a in node.names if a.name not in allowed]
            elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                  and node.value.id in names and node.attr not in allowed):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} uses st.{node.attr}")
        bad += [f"{path.relative_to(ROOT)}:{line} imports {m}" for m, line in imports(path)
                if m == "ui.state.nav"]  # nav.EndPage ends the page
    assert bad == []


def test_ui_has_only_its_parts_and_the_command_line_at_the_top():
    loose = sorted(p.stem for p in (ROOT / "ui").glob("*.py"))
    parts = sorted(p.name for p in (ROOT / "ui").iterdir()
                   if p.is_dir() and (p / "__init__.py").exists())
    assert loose == sorted(TOP_MODULES)
    assert parts == sorted(LADDER)


def test_every_ui_import_goes_down_the_ladder():
    bad = []
    for path in _files("ui"):
        here = _part(_module(path))
        for target, line in imports(path):
            there = _part(target)
            if not target.startswith("ui.") or there is None:
                continue
            if here is None:  # the command line may use every part
                continue
            if LADDER.index(there) > LADDER.index(here):
                bad.append(f"{path.relative_to(ROOT)}:{line}: {here} imports {target} ({there} "
                           "is above it)")
    assert bad == []


def test_no_two_modules_import_each_other():
    graph = {}
    for path in _files("ui"):
        graph[_module(path)] = {m for m, _ in imports(path) if m.startswith("ui") and _is_module(m)}
    # A package's __init__ importing its own modules is how a package is made, not a cycle.
    edges = {a: {b for b in bs if b != a and not (b.startswith(a + ".") and _is_package(a))}
             for a, bs in graph.items()}
    cycles = []
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(node, path):
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def _is_package(name: str) -> bool:
    return (ROOT.joinpath(*name.split(".")) / "__init__.py").exists()


@pytest.mark.parametrize(("source", "expected"), [
    ("from ..state import params\n", ["ui.state", "ui.state.params"]),
    ("def f():\n    from ui.page import show\n", ["ui.page", "ui.page.show"]),
    ("if TYPE_CHECKING:\n    from .x import Y\n", ["ui.data.x"]),
])
def test_imports_sees_relative_function_level_and_type_checking_imports(tmp_path, source, expected,
                                                                       monkeypatch):
    """The reader the rules rest on: an import it missed would let a rule pass unseen."""
    fake = ROOT / "ui" / "data" / "_layers_probe.py"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: source)
    assert [m for m, _ in imports(fake)] == expected
