"""Task runner: `nox -s test` runs the tests, `nox -s serve` records results and serves the site.

Every session sets up the same local virtual environment first, so one command on a fresh
clone does everything. The torch pin is overridable:

    TORCHREF_PIN="torch==2.13.0" nox -s test

and each pin gets its own environment (`.venv` for the default, `.venv-<pin>` otherwise).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
from pathlib import Path

import nox

nox.options.sessions = ["test"]

DEFAULT_PIN = "torch==2.14.1 torchvision==0.29.1"
EXTRAS = "docs,lint,tensorboard"
PIN = os.environ.get("TORCHREF_PIN", DEFAULT_PIN).split()
ROOT = Path(__file__).parent


def _venv() -> Path:
    if PIN == DEFAULT_PIN.split():
        return ROOT / ".venv"
    return ROOT / (".venv-" + re.sub(r"[^A-Za-z0-9.]+", "-", "-".join(PIN)).strip("-"))


def setup(session: nox.Session) -> str:
    """Create the environment if needed and install the pin and the project; return its python."""
    venv = _venv()
    python = str(venv / "bin" / "python")
    if not (venv / "bin" / "python").exists():
        session.run(sys.executable, "-m", "venv", str(venv))
    stamp = venv / ".torchref-installed"
    wanted = hashlib.sha256(" ".join(PIN).encode() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != wanted:
        session.run(python, "-m", "pip", "install", "--quiet", *PIN, "-e", f".[{EXTRAS}]")
        stamp.write_text(wanted)
    return python


@nox.session(python=False)
def test(session: nox.Session) -> None:
    """Set up, then run the whole reference and the tests of the machinery."""
    python = setup(session)
    # The console script, as a reader types it: `python -m pytest` would also put the current
    # directory on sys.path and hide an import that only works from the project root.
    session.run(str(Path(python).parent / "pytest"), *session.posargs)


@nox.session(python=False)
def lint(session: nox.Session) -> None:
    """Set up, then lint (ruff check, ruff format --check) and type-check (mypy) the code."""
    python = setup(session)
    session.run(python, "-m", "ruff", "check", ".")
    session.run(python, "-m", "ruff", "format", "--check", ".")
    session.run(python, "-m", "mypy")


@nox.session(python=False)
def serve(session: nox.Session) -> None:
    """Set up, record the results of the whole reference, build the site and serve it."""
    python = setup(session)
    # A failing behaviour is news to show on the site, not a reason to stop.
    session.run(python, "-m", "torchref.cli", "record", *session.posargs, success_codes=[0, 1])
    # mkdocs.yml sets strict: a page that does not build stops the server from starting.
    session.run(python, "-m", "mkdocs", "serve", "--dev-addr", "127.0.0.1:8000", env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session(python=False)
def docs(session: nox.Session) -> None:
    """Set up and build the site into site/ from the results already recorded."""
    python = setup(session)
    session.run(python, "-m", "mkdocs", "build", "--strict", "--site-dir", "site", env={"NO_MKDOCS_2_WARNING": "1"})


@nox.session(python=False)
def bench(session: nox.Session) -> None:
    """Time every benchmark and save the figures for the Performance page."""
    python = setup(session)
    session.run(python, "-m", "torchref.cli", "bench", *session.posargs)


@nox.session(python=False)
def matrix(session: nox.Session) -> None:
    """Run the reference on each supported torch release; `-- --release 2.6` for one."""
    python = setup(session)
    session.run(python, "-m", "pip", "install", "--quiet", "uv")
    session.run(python, "-m", "torchref.cli", "matrix", *session.posargs)


@nox.session(python=False)
def compare(session: nox.Session) -> None:
    """Run the reference on the pinned torch and list what differs from the newest baseline."""
    python = setup(session)
    session.run(python, "-m", "torchref.cli", "compare", *session.posargs, success_codes=[0, 1])


@nox.session(python=False)
def browser(session: nox.Session) -> None:
    """Build the site, serve it on 127.0.0.1 and drive the system Chromium through it (tests/test_browser.py).

    Needs Chromium (Debian: `apt-get install -y chromium`); Playwright drives it and is installed
    here. Screenshots of the pages to look at land in $TORCHREF_SHOTS (default /tmp/shots).
    """
    python = setup(session)
    chromium = os.environ.get("TORCHREF_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        session.error("no Chromium: install it (Debian: apt-get install -y chromium) or set TORCHREF_CHROMIUM")
    session.run(python, "-m", "pip", "install", "--quiet", "playwright")
    env = {"TORCHREF_BROWSER": "1", "TORCHREF_CHROMIUM": chromium}
    session.run(python, "-m", "pytest", "tests/test_browser.py", "-p", "no:randomly", *session.posargs, env=env)
