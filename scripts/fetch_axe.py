"""Put the pinned axe-core (scripts/axe-core.toml) into the running Python's environment.

``python scripts/fetch_axe.py`` prints the path of ``axe.min.js``, downloading it first when it
is missing: the package's tarball from the npm registry (no npm needed), checked against the
pinned sha512 before anything is extracted. The browser test injects that file into each page;
nothing is loaded from a CDN. ``make test`` runs this before the tests.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import tomllib
import urllib.request
from pathlib import Path

LOCK = Path(__file__).with_name("axe-core.toml")
REGISTRY = "https://registry.npmjs.org/axe-core/-/axe-core-{version}.tgz"


def target(version: str) -> Path:
    # Inside the virtual environment, so `make clean` removes it and each venv has its own.
    return Path(sys.prefix) / "share" / f"axe-core-{version}" / "axe.min.js"


def fetch() -> Path:
    pin = tomllib.loads(LOCK.read_text())
    path = target(pin["version"])
    if path.exists():
        return path
    url = REGISTRY.format(version=pin["version"])
    with urllib.request.urlopen(url, timeout=60) as response:
        tarball = response.read()
    algorithm, expected = pin["integrity"].split("-", 1)
    actual = base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode()
    if actual != expected:
        raise SystemExit(f"{url}: {algorithm} {actual} is not the pinned {expected} ({LOCK})")
    with tarfile.open(fileobj=io.BytesIO(tarball)) as tar:
        script = tar.extractfile("package/axe.min.js").read()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(script)
    partial.replace(path)  # never a half-written file at the final path
    return path


if __name__ == "__main__":
    print(fetch())
