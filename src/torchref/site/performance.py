"""The Performance page: saved pytest-benchmark runs in, Markdown out.

Benchmarks are timed with

    pytest reference/performance --benchmark-enable --benchmark-only --benchmark-json results/benchmarks-<device>.json

`load_benchmarks` reads those files and `render_performance` (pure: no file access) turns
them into one page. The plugin's pytest-benchmark hooks shape the files (torchref's
environment in `machine_info`, no raw per-round timings).
"""

from __future__ import annotations

import json
from pathlib import Path

from torchref.site import svg
from torchref.site.markdown import cell, front_matter, link, site_path

PAGE = "performance.md"
TIMED_RUN = "pytest reference/performance --benchmark-enable --benchmark-only --benchmark-json results/benchmarks-<device>.json"
STATS = ("mean", "median", "min", "rounds")


class BenchmarkError(Exception):
    """A benchmark results file that cannot be used; the message names the file."""


# ---------------------------------------------------------------- loading


def load_benchmarks(folder: Path | str) -> list[dict]:
    """Every `benchmarks-*.json` in `folder`, in file-name order, each with its file name under "file".

    An empty folder gives an empty list; a missing folder, an unreadable file, a file that
    is not JSON or not a pytest-benchmark file raises BenchmarkError naming it.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise BenchmarkError(f"{folder}: no such folder (benchmark results are read from results/benchmarks-*.json)")
    runs = []
    for path in sorted(folder.glob("benchmarks-*.json")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise BenchmarkError(f"{path}: cannot be read ({exc.__class__.__name__}: {exc})") from None
        try:
            run = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BenchmarkError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
        _check(run, path)
        runs.append({**run, "file": path.name})
    return runs


def _check(run: object, path: Path) -> None:
    if not isinstance(run, dict) or not isinstance(run.get("benchmarks"), list):
        raise BenchmarkError(f"{path}: not a pytest-benchmark file (no 'benchmarks' list); write it with --benchmark-json")
    if not isinstance(run.get("machine_info"), dict):
        raise BenchmarkError(f"{path}: not a pytest-benchmark file (no 'machine_info')")
    for i, bench in enumerate(run["benchmarks"]):
        name = bench.get("fullname", f"benchmark {i}") if isinstance(bench, dict) else f"benchmark {i}"
        stats = bench.get("stats") if isinstance(bench, dict) else None
        if not isinstance(stats, dict) or any(not isinstance(stats.get(k), (int, float)) for k in STATS):
            raise BenchmarkError(f"{path}: {name} has no timing figures (stats {', '.join(STATS)}); was it run with --benchmark-enable?")
        if not isinstance(bench.get("name"), str) or not isinstance(bench.get("fullname"), str):
            raise BenchmarkError(f"{path}: benchmark {i} has no name")


# ---------------------------------------------------------------- rendering

def device_label(run: dict) -> str:
    """Where a run was timed, as the page names it: the GPU, or the CPU model, and the torch release."""
    info = run.get("machine_info", {})
    env = info.get("torchref") or {}
    if env.get("device") == "cuda" and env.get("gpu"):
        where = env["gpu"]
    else:
        cpu = env.get("cpu") or (info.get("cpu") or {}).get("brand_raw") or info.get("processor") or "unknown CPU"
        where = f"CPU: {cpu}"
    return f"{where}, torch {env['torch']}" if env.get("torch") else where


def _bandwidth(bench: dict) -> str:
    extra = bench.get("extra_info") or {}
    if not isinstance(extra.get("bytes"), (int, float)) or not bench["stats"]["mean"]:
        return ""
    achieved = extra["bytes"] / bench["stats"]["mean"]
    text = f"{achieved / 1e9:.3g} GB/s"
    peak = extra.get("peak_bytes_per_s")
    if isinstance(peak, (int, float)) and peak > 0:
        of = f" {extra['peak']}" if extra.get("peak") else ""
        text += f", {achieved / peak:.0%} of{of} peak"
    return text


def _breakable(text: str) -> str:
    """Table-cell text of an identifier that may wrap after each underscore, so a long test name fits its column."""
    return cell(text).replace("\\_", "\\_<wbr>")


def _test_link(nodeid: str) -> str:
    """[test_name](topic/page.md#test_name) for a node id like reference/t/test_p.py::test_name[param]."""
    path, _, name = nodeid.partition("::")
    anchor = name.split("[", 1)[0]
    return f"[{_breakable(name)}]({link(PAGE, site_path(path), anchor)})"


def bar_label(name: str) -> str:
    """What a benchmark measures, as its chart names it: test_view_of_x -> "view of x"."""
    return name.removeprefix("test_").replace("_", " ")


def _when(stamp: str) -> str:
    """2026-11-23T05:39:29.664897+00:00 -> 2026-11-23 05:39 UTC (the minute is precise enough)."""
    date, _, time = stamp.partition("T")
    utc = " UTC" if time.endswith(("+00:00", "Z")) else ""
    return f"{date} {time[:5]}{utc}" if time else stamp


def _machine_row(run: dict) -> str:
    env = run.get("machine_info", {}).get("torchref") or {}
    cuda = f"{env['cuda_runtime']} (driver {env.get('cuda_driver') or '?'})" if env.get("cuda_runtime") else "none"
    cells = [device_label(run), env.get("cpu") or "?", cuda, _when(run.get("datetime", "?")), run.get("file", "?")]
    return "| " + " | ".join(cell(str(c)) for c in cells) + " |"


def render_performance(bench_runs: list[dict]) -> str:
    """The Performance page: per benchmark group, a table of every run's figures and one bar chart (a bar per device)."""
    out = [
        *front_matter(hide=("toc",)),
        "# Measured performance",
        "",
        "Each benchmark times a behaviour stated on another page and asserts that behaviour on "
        "what it timed. Figures are seconds per call as pytest-benchmark saved them; GPU "
        "benchmarks synchronise inside the timed function. Compare figures within one device: "
        "across devices they differ by orders of magnitude. The charts use a log scale, so a "
        "130 ns call and an 875 µs copy both show.",
        "",
        f"Timed with `{TIMED_RUN}`.",
        "",
    ]
    if not bench_runs:
        out += ["No benchmark results are recorded yet."]
        return "\n".join(out) + "\n"
    out += ["| Device | CPU | CUDA | Timed | File |", "|---|---|---|---|---|"]
    out += [_machine_row(run) for run in bench_runs]
    out.append("")

    groups: dict[str, dict[str, list[tuple[str, dict]]]] = {}  # group -> benchmark name -> [(device, bench)]
    for run in bench_runs:
        label = device_label(run)
        for bench in run["benchmarks"]:
            group = bench.get("group") or "ungrouped"
            groups.setdefault(group, {}).setdefault(bench["fullname"], []).append((label, bench))
    devices = list(dict.fromkeys(device_label(run) for run in bench_runs))
    one_device = len(devices) == 1

    for group, benches in groups.items():
        out += [f"## {cell(group)}", ""]
        columns = ["Benchmark", *([] if one_device else ["Device"]), "Mean", "Median", "Min", "Rounds", "Bandwidth"]
        out += ["| " + " | ".join(columns) + " |", "|---|" + ("" if one_device else "---|") + "---:|" * 5]
        series: dict[str, tuple[list[float], list[float]]] = {}
        for row, (fullname, entries) in enumerate(benches.items()):
            for label, bench in entries:
                stats = bench["stats"]
                behaviour = (bench.get("extra_info") or {}).get("behaviour")
                what = _test_link(fullname)
                if isinstance(behaviour, str) and "::" in behaviour:
                    what += f"<br>illustrates {_test_link(behaviour)}"
                cells = [
                    what,
                    *([] if one_device else [cell(label)]),
                    svg.si(stats["mean"], "s"),
                    svg.si(stats["median"], "s"),
                    svg.si(stats["min"], "s"),
                    str(stats["rounds"]),
                    _bandwidth(bench),
                ]
                out.append("| " + " | ".join(cells) + " |")
                xs, ys = series.setdefault(label, ([], []))
                xs.append(float(row))
                ys.append(stats["mean"])
        out.append("")
        fig = svg.Figure(
            title=group if not one_device else f"{group}: {devices[0]}",
            xlabel="",
            ylabel="mean time per call",
            series=series,
            kind="hbars",
            labels=[bar_label(fullname.partition("::")[2]) for fullname in benches],
            log=True,
            unit="s",
        )
        out += [f'<div class="tr-figure tr-figure-wide">{svg.svg(fig, width=760)}</div>', ""]
    return "\n".join(out).rstrip() + "\n"
