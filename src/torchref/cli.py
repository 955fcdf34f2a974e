"""`torchref`: the command line.

    torchref compare [--baseline FILE] [--results FILE] [-- PYTEST ARGS]
        does this environment behave as the reference recorded for this release?
    torchref upgrade FROM TO
        which behaviours change between two releases (recorded results and version gates only)
    torchref record [-- PYTEST ARGS]
        run the whole reference and record its results in the project's results folder
    torchref learn [PAGE OR TOPIC ...] [--out DIR] [--progress]
        write the reference's tests as exercises with their expectations blanked, or show progress
    torchref matrix [--release MINOR ...]
        run the reference on each supported torch release
    torchref bench [PYTEST ARGS]
        time the benchmarks and save results/benchmarks-<release>-<device>.json

Every command works on the project around the working folder (the nearest pyproject.toml
with a `[tool.torchref]` table), or on `--root DIR`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from torchref import config as settings
from torchref import learn, matrix, results
from torchref.compare import compare_report, upgrade_report
from torchref.results import ResultsError


def run_reference(project: settings.Project, pytest_args: list[str]) -> dict | int:
    """Run the whole reference here and return its results, or pytest's exit code if it did not run."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "mine.json"
        reference = project.reference.relative_to(project.root).as_posix()
        cmd = results.record_command(sys.executable, reference, out, pytest_args)
        code = subprocess.run(cmd, cwd=project.root).returncode
        if code not in (0, 1):
            print(f"torchref: the reference did not run (pytest exit {code})", file=sys.stderr)
            return code
        return results.load(out)


def compare(project: settings.Project, args: argparse.Namespace) -> int:
    mine = results.load(args.results) if args.results else run_reference(project, args.pytest_args)
    if isinstance(mine, int):
        return mine
    recorded = results.load_dir(project.results)
    baseline = results.load(args.baseline) if args.baseline else results.nearest(recorded, mine["environment"])
    text, differ = compare_report(baseline, mine)
    print(text)
    return 1 if differ else 0


def record(project: settings.Project, pytest_args: list[str]) -> int:
    reference = project.reference.relative_to(project.root).as_posix()
    return subprocess.run(results.record_command(sys.executable, reference, project.results, pytest_args), cwd=project.root).returncode


def bench(project: settings.Project, pytest_args: list[str]) -> int:
    name = "benchmarks-" + results.default_name(results.environment(project.root)).removeprefix("torch-")
    out = project.results / name
    benchmarks = (project.reference / "performance").relative_to(project.root).as_posix()
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        benchmarks,
        "-q",
        "-p",
        "no:cacheprovider",
        "--benchmark-enable",
        "--benchmark-only",
        f"--benchmark-json={out}",
        *pytest_args,
    ]
    code = subprocess.run(cmd, cwd=project.root).returncode
    if code == 0:
        print(f"torchref: benchmark figures saved to {out}")
    return code


def learn_command(project: settings.Project, args: argparse.Namespace) -> int:
    from torchref.site.build import module_paths

    out = Path(args.out).resolve()
    if args.progress:
        if not out.is_dir():
            raise ValueError(f"{out}: no exercises here yet; write them with `torchref learn`")
        with tempfile.TemporaryDirectory() as tmp:
            record = Path(tmp) / "progress.json"
            cmd = [sys.executable, "-m", "pytest", str(out), "-q", "-p", "no:randomly", "--no-header", "--tb=no", "--results", str(record)]
            subprocess.run(cmd, cwd=out, stdout=subprocess.DEVNULL)
            print(learn.progress(results.load(record), out, project.reference))
        return 0
    modules = learn.select(module_paths(project), project.reference, args.targets)
    written = learn.write_exercises(modules, project.reference, out)
    blanks = sum(n for _, n in written)
    print(f"torchref learn: {len(written)} pages, {blanks} blanks written to {out}")
    print(f"fill in each ___(n) and run: pytest {out}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="torchref", description="PyTorch's semantics as executable assertions.")
    top.add_argument(
        "--root", metavar="DIR", help="the project folder (default: the nearest folder with [tool.torchref] in its pyproject.toml)"
    )
    sub = top.add_subparsers(dest="command", required=True)
    cmp = sub.add_parser("compare", help="does this environment behave as the reference recorded for this release?")
    cmp.add_argument("--baseline", metavar="FILE", help="results file to compare with (default: the recorded run of the nearest release)")
    cmp.add_argument("--results", metavar="FILE", help="compare this results file instead of running the reference")
    cmp.add_argument("pytest_args", nargs="*", help="extra pytest arguments, after --")
    up = sub.add_parser("upgrade", help="which behaviours change between two releases, from the recorded results and version gates")
    up.add_argument("old", metavar="FROM", help="the release you have, e.g. 2.4")
    up.add_argument("new", metavar="TO", help="the release you move to, e.g. 2.6")
    lrn = sub.add_parser("learn", help="write the reference's tests as exercises with blanks to fill in")
    lrn.add_argument("targets", nargs="*", metavar="PAGE_OR_TOPIC", help="e.g. tensors, views or tensors/views (default: every page)")
    lrn.add_argument("--out", default="exercises", metavar="DIR", help="where the exercises go (default: exercises)")
    lrn.add_argument("--progress", action="store_true", help="run the exercises and show how many behaviours each page has solved")
    sub.add_parser("record", help="run the reference and record its results in the results folder", add_help=False)
    sub.add_parser("matrix", help="run the reference on each supported torch release", add_help=False)
    sub.add_parser("bench", help="time the benchmarks and save their figures under results/", add_help=False)
    return top


def main(argv: list[str] | None = None) -> int:
    top = parser()
    args, rest = top.parse_known_args(argv)
    try:
        project = settings.load(Path(args.root).resolve()) if args.root else settings.project()
        if args.command == "matrix":
            return matrix.main(rest, project)
        if args.command == "record":
            return record(project, rest)
        if args.command == "bench":
            return bench(project, rest)
        if rest:
            top.error(f"unrecognized arguments: {' '.join(rest)}")
        if args.command == "learn":
            return learn_command(project, args)
        if args.command == "upgrade":
            text = upgrade_report(project, args.old, args.new)
            print(text)
            return 0
        return compare(project, args)
    except (ResultsError, settings.ConfigError, ValueError) as exc:
        print(f"torchref: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
