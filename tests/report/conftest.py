"""The report tests' fixtures: the synthetic crash's report directory and headless Chromium
(`report_fixtures`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_fixtures import CHROMIUM, Chromium, crash_result

from ballast.scenarios.report import write_report


@pytest.fixture(scope="module")
def crash_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report directory of the synthetic crash, written once per module."""
    return write_report(crash_result(), tmp_path_factory.mktemp("reports"))


@pytest.fixture
def chromium(tmp_path: Path):
    """Headless Chromium on a new empty profile (make setup installs it: `setup-browser`)."""
    assert CHROMIUM.is_file(), f"{CHROMIUM} is missing: `make setup` installs it (setup-browser)"
    browser = Chromium(tmp_path / "profile")
    try:
        yield browser
    finally:
        browser.close()
