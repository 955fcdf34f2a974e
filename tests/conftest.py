"""Fixtures for the tests of torchref's machinery."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def reference_pytester(pytester: pytest.Pytester) -> pytest.Pytester:
    """A pytester project set up as the reference is: strict, reference checks on, our claims file.

    The plugin itself comes through its entry point, as in any project where torchref is installed.
    """
    claims = (ROOT / "reference" / "claims.json").as_posix()
    pytester.makepyprojecttoml(
        "[tool.pytest]\nstrict = true\ntorchref_reference = true\nfilterwarnings = ['error']\n\n"
        f"[tool.torchref]\nclaims = '{claims}'\n"
    )
    return pytester
