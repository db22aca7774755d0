"""Fixtures for the map and report tests (the data itself is in vizdata.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/browser.py (the Chromium driver)

from vizdata import make_workspace  # noqa: E402


@pytest.fixture(scope="session")
def planted_ws(tmp_path_factory):
    """A workspace with a fabricated analysis (read-only: tests must not write into it)."""
    return make_workspace(tmp_path_factory.mktemp("planted"))


@pytest.fixture(scope="session")
def raw_ws(tmp_path_factory):
    """The same event without any analysis results."""
    return make_workspace(tmp_path_factory.mktemp("raw"), analysis=False)


@pytest.fixture(scope="session")
def artefact_dir(tmp_path_factory) -> Path:
    """Where browser screenshots go (printed by the tests); KOLGRAPH_ARTEFACTS overrides."""
    explicit = os.environ.get("KOLGRAPH_ARTEFACTS")
    path = Path(explicit) if explicit else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def sample_ws(tmp_path_factory):
    """The sample event (data/sample), built and analysed once per session (read-only)."""
    from kolgraph.runs.analyze import analyze_workspace
    from kolgraph.build.workspace import build_workspace
    from kolgraph.datasets import load_sample

    sample = load_sample()
    path = tmp_path_factory.mktemp("sample") / "ws"
    build_workspace([sample.interactions], path, users_path=sample.users)
    analyze_workspace(path, config=sample.config, seed=0)
    return path


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium for the page tests; skips loudly without it (fails under KOLGRAPH_REQUIRE_BROWSER=1)."""
    import warnings

    from browser import Browser, BrowserError, find_chromium

    binary = find_chromium()
    if binary is None:
        message = "BROWSER TESTS SKIPPED: no chromium binary (apt-get install -y chromium)."
        if os.environ.get("KOLGRAPH_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        warnings.warn(message)
        pytest.skip(message)
    try:
        b = Browser.launch(binary)
    except BrowserError as exc:
        if os.environ.get("KOLGRAPH_REQUIRE_BROWSER") == "1":
            raise
        pytest.skip(f"BROWSER TESTS SKIPPED: chromium did not start ({exc})")
    yield b
    b.close()
