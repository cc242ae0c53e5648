"""Fixtures for the real-browser tests: one Streamlit server and one chromium per session.

Run alone with ``.venv/bin/python -m pytest tests/e2e -q`` (or ``-m e2e``); skip them with
``-m "not e2e"``. Off CI a missing chromium or playwright skips these tests; with ``CI=true`` it
fails them, so CI can never pass without having run them.
"""

from __future__ import annotations

import os

import pytest

from e2e_util import ARTIFACTS, CHROMIUM_ARGS, VIEWPORT, chromium_path, settle, streamlit_server

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: real-browser test (Streamlit server + chromium)")


def _missing(what: str):
    message = f"{what}; install it with `bash scripts/ensure_chromium.sh` / `pip install -e .[test]`"
    if IN_CI:
        pytest.fail(f"CI=true: {message}", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed")
    path = chromium_path()
    if path is None:
        _missing("no chromium on PATH")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def server(browser):
    """Base URL of ``streamlit run app.py`` on a free loopback port (log in test-artifacts/).

    One visit to the root first, so every test meets a server that has already run app.py once
    and imported everything (the very first visit is tested on its own server).
    """
    # Under pytest-xdist each worker has its own server; each keeps its own log.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    with streamlit_server("app.py", f"streamlit-{worker}.log" if worker else "streamlit.log") as (base, _proc):
        ctx = browser.new_context(viewport=VIEWPORT)
        page = ctx.new_page()
        page.goto(base + "/", timeout=60_000)
        settle(page, timeout=60_000)
        ctx.close()
        yield base


@pytest.fixture
def new_page(browser):
    """A page factory: each call opens a fresh context (no cookies, no session), closed after."""
    contexts = []

    def make(**kwargs):
        ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True, **kwargs)
        ctx.set_default_timeout(30_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def phone(browser):
    """One tab on a phone (390×844, touch) for a module's pages."""
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    ctx.set_default_timeout(30_000)
    yield ctx.new_page()
    ctx.close()
