import os

from hypothesis import HealthCheck, settings

# CI machines are small and shared: no per-example deadline, a fixed number of examples.
settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=150, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def course_pack(tmp_path_factory):
    """One course pack of the three shipped lessons, written once per test session by the
    command line (``python -m ui export --course-pack``); the unit and browser tests read it."""
    from _export_support import require_renderer
    from ui import cli

    require_renderer()  # the toy-model steps' SVGs; skipped off CI without chromium
    where = tmp_path_factory.mktemp("pack") / "course"
    code = cli.main(["export", "--course-pack", str(where), "-q"])
    return where, code
