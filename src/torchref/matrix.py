"""The version matrix: the whole reference on each supported torch release, one at a time.

Each release gets a throwaway environment (uv, whose cache makes a re-run fast), runs the
reference with recorded results into results/, and is removed before the next one starts,
so disk use stays at one environment. A release that fails to install or to run is
reported and skipped; the results files of the other releases are kept.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from torchref import results
from torchref.config import Project
from torchref.releases import release_key

# torch.utils.benchmark needs setuptools, which environments made by uv do not have.
EXTRA_DEPS = ["setuptools"]
# One release unpacked (a CUDA build of torch is about 5 GiB) plus the wheels uv keeps in its
# cache; a full matrix with the cache kept grows the cache by one torch build per release.
MIN_FREE_BYTES = 10 * 2**30


@dataclass
class Outcome:
    release: str
    ok: bool
    message: str
    seconds: float = 0.0
    env_bytes: int = 0


def requirements(project: Project, release: str) -> list[str]:
    """The pins of one release, then the project itself: its own metadata lists what else it needs."""
    torch, vision = project.releases[release]
    # Wheels before 2.4 were built against NumPy 1.x and cannot load NumPy 2 modules.
    numpy = "numpy<2" if release_key(release) < (2, 4) else "numpy"
    return [f"torch=={torch}", f"torchvision=={vision}", numpy, *EXTRA_DEPS, str(project.root)]


def install_command(uv: list[str], python: Path, packages: list[str], no_cache: bool = False) -> list[str]:
    return [*uv, "pip", "install", "--quiet", *(["--no-cache"] if no_cache else []), "--python", str(python), *packages]


def too_little_disk(folder: Path, needed: int = MIN_FREE_BYTES) -> str | None:
    """Why a release cannot start for lack of disk space, or None when there is room."""
    free = shutil.disk_usage(folder).free
    if free >= needed:
        return None
    return (
        f"only {free / 2**30:.1f} GiB free on the disk of {folder}; a release needs about {needed / 2**30:.0f} GiB. "
        "`uv cache clean` frees what earlier releases left in uv's cache, or run with --no-cache"
    )


def uv_command() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def disk_bytes(folder: Path) -> int:
    """Bytes the folder takes on disk, each hard-linked file counted once."""
    seen, total = set(), 0
    for dirpath, _, names in os.walk(folder):
        for name in names:
            st = os.lstat(os.path.join(dirpath, name))
            if st.st_ino not in seen:
                seen.add(st.st_ino)
                total += st.st_blocks * 512
    return total


def _tail(text: str, lines: int = 8) -> str:
    return "\n".join("    " + line for line in text.strip().splitlines()[-lines:])


def run_release(project: Project, release: str, out: Path, uv: list[str] | None = None, no_cache: bool = False) -> Outcome:
    if release not in project.releases:
        return Outcome(release, False, f"unknown release {release!r}; supported: {', '.join(project.releases)}")
    if reason := too_little_disk(Path(tempfile.gettempdir())):
        return Outcome(release, False, reason)
    uv = uv or uv_command()
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"torchref-{release}-") as tmp:
        env = Path(tmp) / "env"
        python = env / "bin" / "python"
        steps = [
            ("create the environment", [*uv, "venv", "--quiet", "--python", sys.executable, str(env)]),
            (
                "install " + " ".join(requirements(project, release)[:2]),
                install_command(uv, python, requirements(project, release), no_cache),
            ),
        ]
        for what, cmd in steps:
            try:
                done = subprocess.run(cmd, capture_output=True, text=True)
            except OSError as exc:
                return Outcome(release, False, f"cannot {what}: {exc}", time.monotonic() - start)
            if done.returncode != 0:
                return Outcome(
                    release, False, f"cannot {what} (exit {done.returncode}):\n{_tail(done.stderr + done.stdout)}", time.monotonic() - start
                )
        size = disk_bytes(env)
        run = subprocess.run(
            results.record_command(str(python), project.reference.relative_to(project.root).as_posix(), out),
            cwd=project.root,
            capture_output=True,
            text=True,
        )
    seconds = time.monotonic() - start
    if run.returncode not in (0, 1):
        return Outcome(
            release, False, f"the suite did not run (pytest exit {run.returncode}):\n{_tail(run.stdout + run.stderr)}", seconds, size
        )
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else "no output"
    return Outcome(release, run.returncode == 0, summary, seconds, size)


def main(argv: list[str] | None, project: Project) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="torchref matrix", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--release", action="append", metavar="MINOR", help=f"run only this release (repeatable): {', '.join(project.releases)}"
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="keep no downloads in uv's cache: slower re-runs, disk use stays at one release"
    )
    parser.add_argument("--results", metavar="DIR", help="where the results files go (default: the project's results folder)")
    args = parser.parse_args(argv)
    releases = args.release or list(project.releases)
    unknown = [r for r in releases if r not in project.releases]
    if unknown:
        parser.error(f"unknown release {', '.join(map(repr, unknown))}; supported: {', '.join(project.releases)}")
    out = (project.root / args.results).resolve() if args.results else project.results
    outcomes, peak = [], 0
    for release in releases:
        print(f"torchref matrix: torch {project.releases[release][0]} ...", flush=True)
        outcome = run_release(project, release, out, no_cache=args.no_cache)
        peak = max(peak, outcome.env_bytes)
        outcomes.append(outcome)
        print(f"  {'ok' if outcome.ok else 'FAILED'} in {outcome.seconds:.0f} s: {outcome.message}", flush=True)
    print(f"torchref matrix: peak environment size {peak / 2**30:.1f} GiB; results in {out}")
    failed = [o.release for o in outcomes if not o.ok]
    if failed:
        print(f"torchref matrix: not clean on {', '.join(failed)}; the other releases' results are kept")
    return 1 if failed else 0
