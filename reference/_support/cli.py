"""`torchref`: the command line.

    torchref compare [--baseline FILE] [--results FILE] [-- PYTEST ARGS]
        run the reference on the torch you have (or read a results file) and list the
        behaviours whose outcome differs from the newest recorded baseline
    torchref matrix [--release MINOR ...]
        run the reference on each supported torch release (see reference/_support/matrix.py)
    torchref bench [PYTEST ARGS]
        time the benchmarks and save results/benchmarks-<release>-<device>.json
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from reference._support import matrix, results
from reference._support.releases import release_key
from reference._support.results import ResultsError

ROOT = Path(__file__).resolve().parents[2]


def newest_baseline(folder: Path, device: str = "cpu") -> Path:
    """The recorded results file of the highest torch release for this kind of device."""
    candidates = []
    for path in sorted(folder.glob("torch-*.json")):
        env = results.load(path)["environment"]
        if env["device"] == device:
            candidates.append((release_key(env["torch"]), path))
    if not candidates:
        raise ResultsError(f"{folder}: no recorded {device} results to compare with (expected torch-*.json files)")
    return max(candidates)[1]


def differences(baseline: dict, mine: dict) -> list[tuple[str, str, str]]:
    """(node id, baseline outcome, my outcome) for every test whose outcome differs."""
    def describe(entry: dict | None) -> str:
        if entry is None:
            return "absent"
        reason = entry.get("reason")
        return f"{entry['outcome']} ({reason})" if reason and entry["outcome"] != "passed" else entry["outcome"]

    diffs = []
    for nodeid in sorted(set(baseline["tests"]) | set(mine["tests"])):
        before, after = baseline["tests"].get(nodeid), mine["tests"].get(nodeid)
        if (before or {}).get("outcome") != (after or {}).get("outcome"):
            diffs.append((nodeid, describe(before), describe(after)))
    return diffs


def report(baseline_path: Path, baseline: dict, mine: dict) -> str:
    diffs = differences(baseline, mine)
    lines = [
        f"torchref: your {results.label(mine['environment'])} against {results.label(baseline['environment'])} ({baseline_path})",
    ]
    if not diffs:
        lines.append(f"no differences over {len(mine['tests'])} tests")
        return "\n".join(lines)
    lines.append(f"{len(diffs)} behaviours differ (baseline -> yours):")
    width = max(len(d[1]) for d in diffs)
    lines += [f"  {before:<{width}} -> {after}\n      {nodeid}" for nodeid, before, after in diffs]
    rerun = [nodeid for nodeid, _, after in diffs if not after.startswith("absent")]
    if rerun:
        lines += ["re-run them with:", "  pytest " + " ".join(rerun)]
    return "\n".join(lines)


def compare(args: argparse.Namespace) -> int:
    folder = ROOT / "results"
    if args.results:
        mine = results.load(args.results)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "mine.json"
            cmd = [sys.executable, "-m", "pytest", "reference", "-q", "-p", "no:cacheprovider", "--results", str(out), *args.pytest_args]
            code = subprocess.run(cmd, cwd=ROOT).returncode
            if code not in (0, 1):
                print(f"torchref: the reference did not run (pytest exit {code})", file=sys.stderr)
                return code
            mine = results.load(out)
    baseline_path = Path(args.baseline) if args.baseline else newest_baseline(folder, mine["environment"]["device"])
    baseline = results.load(baseline_path)
    print(report(baseline_path, baseline, mine))
    return 1 if differences(baseline, mine) else 0


def bench(pytest_args: list[str]) -> int:
    name = "benchmarks-" + results.default_name(results.environment(ROOT)).removeprefix("torch-")
    out = ROOT / "results" / name
    cmd = [sys.executable, "-m", "pytest", "reference/performance", "-q", "-p", "no:cacheprovider",
           "--benchmark-enable", "--benchmark-only", f"--benchmark-json={out}", *pytest_args]
    code = subprocess.run(cmd, cwd=ROOT).returncode
    if code == 0:
        print(f"torchref: benchmark figures saved to {out.relative_to(ROOT)}")
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="torchref", description="PyTorch's semantics as executable assertions.")
    sub = parser.add_subparsers(dest="command", required=True)
    cmp = sub.add_parser("compare", help="list the behaviours whose outcome differs from the newest recorded baseline")
    cmp.add_argument("--baseline", metavar="FILE", help="results file to compare with (default: the newest release in results/)")
    cmp.add_argument("--results", metavar="FILE", help="compare this results file instead of running the reference")
    cmp.add_argument("pytest_args", nargs="*", help="extra pytest arguments, after --")
    sub.add_parser("matrix", help="run the reference on each supported torch release", add_help=False)
    sub.add_parser("bench", help="time the benchmarks and save their figures under results/", add_help=False)
    args, rest = parser.parse_known_args(argv)
    try:
        if args.command == "matrix":
            return matrix.main(rest, root=ROOT)
        if args.command == "bench":
            return bench(rest)
        if rest:
            parser.error(f"unrecognized arguments: {' '.join(rest)}")
        return compare(args)
    except ResultsError as exc:
        print(f"torchref: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
