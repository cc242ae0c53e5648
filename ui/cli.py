"""Command line: write the app's figures without a browser window.

    python -m ui export --preset deep --out figs/
    python -m ui export --params params.json --out figs/
    python -m ui export --url "http://localhost:8501/deep_alignment?mu=3&gamma=0.95" --out figs/
    python -m ui export --course-pack pack/ --lesson deep --url "http://localhost:8501/?mu=20"

The figures come from ``ui.catalog`` through ``ui.export.write_set``: the same code the pages'
download buttons use, so the files are identical to the page's.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from ui.text.echo import plain

# Short names for the presets of ui.state.params.PRESETS (whose labels are for people).
PRESET_ALIASES = {
    "defaults": None,
    "shallow": "Standard RLHF (shallow)",
    "deep": "Deep, discounted γ = 0.9",
    "deep-uniform": "Deep, uniform γ = 1",
    "weak-recovery": "Weak base recovery p_base = 1e-6",
}

# Written into every directory this command writes: without it, a directory that is not empty
# belongs to someone else (a project root, say, with its own README.md) and is refused.
MARKER = ".shallow-deep-export"
MARKER_TEXT = ("Written by `python -m ui export`. It may write here again, replacing the files of "
               "the same names; delete this file to make it refuse this directory.\n")
MAX_WARNINGS = 10  # lines of warnings; the rest are counted

EPILOG = """\
examples:
  python -m ui export --preset deep --out figs/
  python -m ui export --preset shallow --set T=100 --formats svg,csv --out figs/
  python -m ui export --params figs/params.json --out figs2/
  python -m ui export --url "http://localhost:8501/robustness?mu=20&gamma=0.95" --out figs/
  python -m ui export --list
  python -m ui export --course-pack pack/ --lesson shallow --lesson deep

--course-pack DIR writes the offline course pack instead of the figure set: DIR/ (open
DIR/index.html from a file, no server, no network) and DIR.zip. It holds the lessons (all, or
those named by --lesson), every live figure at the parameters given (--url, --preset,
--params, --set), the glossary and the derivations. DIR must be new or a pack written before;
a value the app would correct is refused (exit 2), since a pack is handed to students.

Each figure is written as <name>.svg/.pdf/.png (SVG and PDF carry the share URL and the
parameters in their metadata) and <name>.csv (its data); each live figure also as
<name>.html, interactive with its sliders and self-contained (opens offline); plus params.json (the parameters the
URL encodes, readable by --params) and README.md (what each figure shows, with its link).
SVG/PDF/PNG need chromium (apt-get install chromium); without it CSV and JSON are still
written. Links point at $SHALLOW_DEEP_URL (default http://localhost:8501) unless --base-url
is given.

--out must be a new or empty directory, or one this command wrote before (it leaves a
.shallow-deep-export file there); --force writes into any directory. Values the app would
correct (out of range, not a number, k > T, unknown keys) are corrected with a warning.

exit status: 0 all written; 2 bad arguments (nothing written); 3 some files not written
(no chromium, a figure the model cannot compute for these parameters, a write error);
130 interrupted.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ui", description="Shallow/Deep figure tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("export", help="write every figure for one parameter point",
                        description="Write the app's figures (SVG, PDF, PNG, CSV) for one set of "
                                    "parameters, with no browser window.",
                        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = ex.add_mutually_exclusive_group()
    source.add_argument("--preset", choices=sorted(PRESET_ALIASES),
                        help="start from a named preset (applied on top of the defaults)")
    source.add_argument("--params", metavar="FILE",
                        help="parameters JSON, e.g. a params.json written by the app or by this command")
    source.add_argument("--url", help="a share URL copied from the app's address bar")
    ex.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="override one parameter (repeatable), e.g. --set mu=10")
    # A string, not a Path: Path("") is ".", and an empty --out must not mean the current directory.
    ex.add_argument("--out", default="figs", help="output directory (default: figs/)")
    ex.add_argument("--force", action="store_true",
                    help="write into --out even if it is not empty and was not written by this command")
    ex.add_argument("--formats", default="svg,pdf,png,csv,html",
                    help="comma-separated subset of svg,pdf,png,csv,html (default: all; html: "
                         "interactive, only for the live figures)")
    ex.add_argument("--only", metavar="NAMES", help="comma-separated figure names (see --list)")
    ex.add_argument("--base-url", help="where the app is served, for the links in the files")
    ex.add_argument("--no-caption", action="store_true",
                    help="leave the parameter caption out of the images (it stays in the metadata)")
    ex.add_argument("--course-pack", metavar="DIR",
                    help="write the offline course pack into DIR (and DIR.zip) instead of the figures")
    ex.add_argument("--lesson", action="append", metavar="NAME",
                    help="with --course-pack: a lesson to include (repeatable; default: all)")
    ex.add_argument("--list", action="store_true", help="list the figures and presets, then exit")
    ex.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    return parser


class BadArgument(Exception):
    """One argument's value cannot be used: exit status 2 with one line naming it."""

    def __init__(self, option: str, value, why: str):
        super().__init__(f"{option} '{plain(value, 60)}': {plain(why, 110)}")


class _WriteFailed(Exception):
    """A file of the set could not be written (disk full, …): stop, exit status 3."""


def resolve_values(args) -> tuple[dict, list[str]]:
    """Parameter values from --preset/--params/--url and --set, and the warnings of correcting
    them, exactly as the app corrects a link."""
    from ui.state import link as share, params as P

    if args.params is not None:
        raw = _read_params(args.params)
        where = "parameters file"
    elif args.url is not None:
        try:
            raw = share.raw_from_url(args.url)
        except ValueError as e:
            raise BadArgument("--url", args.url, str(e)) from None
        where = "link"
    else:
        raw = P.defaults()
        label = PRESET_ALIASES.get(args.preset) if args.preset else None
        raw.update(P.PRESETS[label] if label else {})
        where = "preset"
    raw = dict(raw)
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or name not in P.PARAMS:
            raise BadArgument("--set", item, "expected NAME=VALUE with NAME a parameter "
                                             "(see the parameter table in the README)")
        raw[name] = value
    # One parse of the source with --set on top, so "--url ...k=60&T=50 --set T=100" is the
    # link "?k=60&T=100" (k stays 60) rather than k clamped to 50 first.
    return share.parse_raw(raw, where)


def _read_params(name: str) -> dict:
    from ui.state import link as share

    if not name:
        raise BadArgument("--params", name, "not a file name")
    try:
        return share.raw_from_json(Path(name).read_text(encoding="utf-8"))
    except OSError as e:  # missing, a directory, unreadable, a name too long
        raise BadArgument("--params", name, e.strerror or str(e)) from None
    except UnicodeDecodeError:  # a ValueError: must come before it
        raise BadArgument("--params", name, "not UTF-8 text") from None
    except (ValueError, RecursionError) as e:  # malformed JSON, not an object, nested too deep
        raise BadArgument("--params", name, f"not a parameters JSON object ({e})") from None


def prepare_out(name: str, force: bool) -> Path:
    """The output directory, created and marked; refuses one that holds files of someone else."""
    if not name:
        raise BadArgument("--out", name, "not a directory name")
    out = Path(name)
    try:
        if out.exists() and not out.is_dir():
            raise BadArgument("--out", name, "exists and is not a directory")
        if (out.is_dir() and not force and not (out / MARKER).is_file()
                and any(out.iterdir())):
            raise BadArgument("--out", name, "is not empty and was not written by this command "
                                             "(use --force to write into it anyway)")
        out.mkdir(parents=True, exist_ok=True)
        # Written first: it proves the directory is writable before any work, and a set
        # interrupted half-way can be written again.
        (out / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    except (OSError, ValueError) as e:  # ValueError: a NUL byte in the name
        raise BadArgument("--out", name, getattr(e, "strerror", None) or str(e)) from None
    return out


def _print_warnings(warnings: list[str]) -> None:
    for w in warnings[:MAX_WARNINGS]:
        # The app's messages are Markdown: code spans around user text; a terminal shows text.
        print("warning:", plain(w.replace("`", ""), 200), file=sys.stderr)
    if len(warnings) > MAX_WARNINGS:
        print(f"warning: … and {len(warnings) - MAX_WARNINGS} more", file=sys.stderr)


def _course_pack(args) -> int:
    """``--course-pack DIR``: the pack, or exit 2 with one line and nothing written."""
    from coursepack import build

    try:
        build.choose_lessons(args.lesson)
    except build.PackError as e:
        raise BadArgument("--lesson", ",".join(args.lesson or ()), str(e)) from None
    values, warnings = resolve_values(args)
    if warnings:  # corrected with a warning in the app; a pack must be what was asked for
        option = "--url" if args.url is not None else "--params" if args.params is not None else "--set"
        given = args.url if args.url is not None else args.params or " ".join(args.set)
        why = warnings[0].replace("`", "").rsplit("; using", 1)[0].rstrip(".")
        raise BadArgument(option, given, f"{why}; the pack is not written (fix the value)")

    def progress(what: str) -> None:
        if not args.quiet:
            print(f"writing {what}", flush=True)

    try:
        report = build.write(args.course_pack, lessons=args.lesson, values=values,
                             base=args.base_url, progress=progress)
    except build.PackError as e:
        raise BadArgument("--course-pack", args.course_pack, str(e)) from None
    except OSError as e:
        print(f"error: --course-pack '{plain(args.course_pack, 60)}': {e.strerror or e}",
              file=sys.stderr)
        return 3
    for p in report.problems:
        print("problem:", plain(p, 300), file=sys.stderr)
    if not args.quiet:
        print(f"wrote {report.folder}/ ({report.files} files, {report.size / 1e6:.1f} MB; open "
              f"index.html) and {report.zip} ({report.zip_size / 1e6:.1f} MB)")
    return 3 if report.problems else 0


def _export(args) -> int:
    from ui import catalog, export as writer

    if args.course_pack is not None:
        return _course_pack(args)
    if args.lesson:
        raise BadArgument("--lesson", args.lesson[0], "only with --course-pack DIR")
    if args.list:
        for spec in catalog.FIGURES.values():
            print(f"{spec.name:26} {spec.heading} (page: {spec.page})")
        print("presets:", ", ".join(sorted(PRESET_ALIASES)))
        return 0
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    unknown = [f for f in formats if f not in writer.ALL_FORMATS]
    if not formats or unknown:
        raise BadArgument("--formats", args.formats, f"expected some of {','.join(writer.ALL_FORMATS)}")
    names = None
    if args.only is not None:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in catalog.FIGURES]
        if not names or unknown:
            raise BadArgument("--only", args.only, "expected figure names (see --list)")
    values, warnings = resolve_values(args)
    out = prepare_out(args.out, args.force)  # after every check: a refused command writes nothing
    _print_warnings(warnings)

    def sink(filename: str, data: bytes) -> None:
        try:
            (out / filename).write_bytes(data)
        except OSError as e:
            raise _WriteFailed(f"could not write {filename}: {e.strerror or e}") from None

    def progress(fraction: float, what: str) -> None:
        if not args.quiet and what != "done":
            print(f"[{fraction:4.0%}] {out / what}", flush=True)

    try:
        problems = writer.write_set(values, sink, names=names, formats=formats, base=args.base_url,
                                    caption=not args.no_caption, progress=progress)
    except _WriteFailed as e:
        print(f"error: --out '{plain(args.out, 60)}': {e}", file=sys.stderr)
        return 3
    for p in problems:
        print("problem:", plain(p.replace("`", ""), 300), file=sys.stderr)
    if not args.quiet:
        print(f"wrote {out}/ (README.md lists the figures)")
    return 3 if problems else 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        # ui.data.closed caches with Streamlit; outside `streamlit run` it logs "No runtime found" each time.
        from streamlit import logger

        logger.set_log_level(logging.ERROR)
        return _export(args)
    except BadArgument as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: the shell's convention, no traceback
        print("interrupted", file=sys.stderr)
        return 130
