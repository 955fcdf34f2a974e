"""Fixtures for the tests of torchref's machinery."""

import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def reference_pytester(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytester whose runs load the reference plugin and declare the project's markers.

    The markers are read from our own pyproject.toml, so the two can never disagree.
    """
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]
    markers = "\n".join(f"    {m}" for m in config["markers"])
    pytester.makeini(f"[pytest]\nstrict = true\nfilterwarnings = error\nmarkers =\n{markers}\n")
    pytester.makeconftest("from reference._support.plugin import *  # noqa: F403\n")
    return pytester
