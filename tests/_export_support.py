"""Shared by tests/test_export_*.py: the renderer is required in CI and optional elsewhere."""

import os

import pytest

from ui.export import renderer


def require_renderer() -> None:
    """Skip without chromium/kaleido/MathJax on a laptop; in CI (CI=true) that is a failure."""
    why = renderer.problem()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"CI must render figures: {why}")
        pytest.skip(why)
