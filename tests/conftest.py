"""Fixtures for the tests of torchref's machinery."""

import os
import shutil
import subprocess
import sys
import tempfile
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


_SITE_BUILD = pytest.StashKey[tuple[subprocess.Popen, Path]]()
SITE_TEST = "tests/test_site.py::test_strict_site_build_succeeds"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Start the strict site build in a second process before collection, when its test may run.

    The build takes about ten seconds and the tests run on one core: overlapping the two
    keeps the whole suite inside its time budget on a 2-core machine.
    """
    args = [Path(a.split("::")[0]).resolve() for a in session.config.args]
    site_test = ROOT / SITE_TEST.split("::")[0]
    if any(site_test == a or a in site_test.parents for a in args):
        out = Path(tempfile.mkdtemp(prefix="torchref-site-"))
        command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)]
        build = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
        session.config.stash[_SITE_BUILD] = (build, out)


def pytest_collection_finish(session: pytest.Session) -> None:
    if not any("site_build" in getattr(item, "fixturenames", ()) for item in session.items):
        _stop_site_build(session)


def _stop_site_build(session: pytest.Session) -> None:
    build, out = session.config.stash.get(_SITE_BUILD, (None, None))
    if build is not None:
        build.kill()
        build.communicate()
        shutil.rmtree(out, ignore_errors=True)
        del session.config.stash[_SITE_BUILD]


def pytest_sessionfinish(session: pytest.Session) -> None:
    _stop_site_build(session)


@pytest.fixture
def site_build(request: pytest.FixtureRequest) -> tuple[int, str, Path]:
    """(exit code, stderr, site folder) of the strict build started at collection."""
    build, out = request.config.stash[_SITE_BUILD]
    _, stderr = build.communicate(timeout=600)
    return build.returncode, stderr, out
