"""Command line: write the app's figures without a browser window.

    python -m ui export --preset deep --out figs/
    python -m ui export --params params.json --out figs/
    python -m ui export --url "http://localhost:8501/deep_alignment?mu=3&gamma=0.95" --out figs/

The figures come from ``ui.catalog`` through ``ui.export.write_set``: the same code the pages'
download buttons use, so the files are identical to the page's.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

# Short names for the presets of ui.params.PRESETS (whose labels are for people).
PRESET_ALIASES = {
    "defaults": None,
    "shallow": "Standard RLHF (shallow)",
    "deep": "Deep, discounted γ = 0.9",
    "deep-uniform": "Deep, uniform γ = 1",
    "weak-recovery": "Weak base recovery p_base = 1e-6",
}

EPILOG = """\
examples:
  python -m ui export --preset deep --out figs/
  python -m ui export --preset shallow --set T=100 --formats svg,csv --out figs/
  python -m ui export --params figs/params.json --out figs2/
  python -m ui export --url "http://localhost:8501/robustness?mu=20&gamma=0.95" --out figs/
  python -m ui export --list

Each figure is written as <name>.svg/.pdf/.png (SVG and PDF carry the share URL and the
parameters in their metadata) and <name>.csv (its data); each live figure also as
<name>.html, interactive with its sliders and self-contained (opens offline); plus params.json (the parameters the
URL encodes, readable by --params) and README.md (what each figure shows, with its link).
SVG/PDF/PNG need chromium (apt-get install chromium); without it CSV and JSON are still
written and the exit status is 3. Links point at $SHALLOW_DEEP_URL (default
http://localhost:8501) unless --base-url is given.
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
    source.add_argument("--params", type=Path, metavar="FILE",
                        help="parameters JSON, e.g. a params.json written by the app or by this command")
    source.add_argument("--url", help="a share URL copied from the app's address bar")
    ex.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="override one parameter (repeatable), e.g. --set mu=10")
    ex.add_argument("--out", type=Path, default=Path("figs"), help="output directory (default: figs/)")
    ex.add_argument("--formats", default="svg,pdf,png,csv,html",
                    help="comma-separated subset of svg,pdf,png,csv,html (default: all; html: "
                         "interactive, only for the live figures)")
    ex.add_argument("--only", metavar="NAMES", help="comma-separated figure names (see --list)")
    ex.add_argument("--base-url", help="where the app is served, for the links in the files")
    ex.add_argument("--no-caption", action="store_true",
                    help="leave the parameter caption out of the images (it stays in the metadata)")
    ex.add_argument("--list", action="store_true", help="list the figures and presets, then exit")
    ex.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    return parser


def resolve_values(args) -> dict:
    """Parameter values from --preset/--params/--url and --set, validated like a link."""
    from . import params as P
    from .export import share

    if args.params:
        values = share.values_from_json(args.params.read_text(encoding="utf-8"))
    elif args.url:
        values = share.values_from_url(args.url)
    else:
        values = P.defaults()
        label = PRESET_ALIASES.get(args.preset) if args.preset else None
        values.update(P.PRESETS[label] if label else {})
    pinned = values.pop("pin", ())  # pinned sets from --url/--params (issue 17) ride along
    raw = dict(values)
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or name not in P.PARAMS:
            raise SystemExit(f"--set {item!r}: expected NAME=VALUE with NAME one of {', '.join(P.PARAMS)}")
        raw[name] = value
    values, warnings = P.parse_all(raw)
    for w in warnings:
        print("warning:", w.replace("`", ""), file=sys.stderr)
    return {**values, "pin": pinned} if pinned else values


def _export(args) -> int:
    from . import catalog
    from .export import ALL_FORMATS, write_set

    if args.list:
        for spec in catalog.FIGURES.values():
            print(f"{spec.name:26} {spec.heading} (page: {spec.page})")
        print("presets:", ", ".join(sorted(PRESET_ALIASES)))
        return 0
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    names = [n.strip() for n in args.only.split(",")] if args.only else None
    bad = [f for f in formats if f not in ALL_FORMATS] + [n for n in names or [] if n not in catalog.FIGURES]
    if bad:
        print(f"error: unknown format or figure: {', '.join(bad)} (see --help and --list)", file=sys.stderr)
        return 2
    values = resolve_values(args)
    args.out.mkdir(parents=True, exist_ok=True)

    def sink(filename: str, data: bytes) -> None:
        (args.out / filename).write_bytes(data)

    def progress(fraction: float, what: str) -> None:
        if not args.quiet and what != "done":
            print(f"[{fraction:4.0%}] {args.out / what}", flush=True)

    problems = write_set(values, sink, names=names, formats=formats, base=args.base_url,
                         caption=not args.no_caption, progress=progress)
    for p in problems:
        print("problem:", p, file=sys.stderr)
    if not args.quiet:
        print(f"wrote {args.out}/ (README.md lists the figures)")
    return 3 if problems else 0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    # ui.data caches with Streamlit; outside `streamlit run` it logs "No runtime found" each time.
    from streamlit import logger

    logger.set_log_level(logging.ERROR)
    return _export(args)
