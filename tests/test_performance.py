"""The Performance page: loading saved pytest-benchmark files and rendering them."""

import json
from pathlib import Path

import pytest

from torchref import config
from torchref.plugin import pytest_benchmark_update_json
from torchref.site import build, svg
from torchref.site.performance import (
    BenchmarkError,
    device_label,
    load_benchmarks,
    render_performance,
)

ROOT = Path(__file__).resolve().parents[1]


def _bench(name, group, mean, behaviour=None, **extra):
    info = dict(extra)
    if behaviour:
        info["behaviour"] = behaviour
    return {
        "group": group,
        "name": name,
        "fullname": f"reference/performance/test_benchmarks.py::{name}",
        "params": None,
        "extra_info": info,
        "stats": {"min": mean / 2, "max": mean * 2, "mean": mean, "median": mean, "rounds": 10},
    }


def _run(device, benchmarks):
    env = {"torch": "2.14.1", "cpu": "AMD EPYC", "device": "cpu", "gpu": None, "cuda_runtime": None, "cuda_driver": None}
    if device == "cuda":
        env.update(device="cuda", gpu="NVIDIA H100", cuda_runtime="13.0", cuda_driver="580.1")
    return {
        "machine_info": {"cpu": {"brand_raw": "AMD EPYC"}, "torchref": env},
        "benchmarks": benchmarks,
        "datetime": "2026-11-23T00:00:00",
        "file": f"benchmarks-{device}.json",
    }


CPU_RUN = _run(
    "cpu",
    [
        _bench("test_view", "reshape", 2e-7, behaviour="reference/tensors/test_views.py::test_view_write_is_visible_in_base"),
        _bench("test_copy[big]", "reshape", 1.5e-3, bytes=8_000_000),
    ],
)
GPU_RUN = _run("cuda", [_bench("test_h2d", "copy", 2e-3, bytes=100_000_000, peak_bytes_per_s=1e11, peak="PCIe gen5 x16")])


def test_device_label_names_the_gpu_or_the_cpu_and_the_torch_release():
    assert device_label(GPU_RUN) == "NVIDIA H100, torch 2.14.1"
    assert device_label(CPU_RUN) == "CPU: AMD EPYC, torch 2.14.1"
    assert device_label({"machine_info": {"cpu": {"brand_raw": "Xeon"}}}) == "CPU: Xeon"


def test_render_performance_without_runs_says_so():
    page = render_performance([])

    assert page.startswith("---\nhide:\n  - toc\n---\n\n# Measured performance\n")
    assert page.endswith("No benchmark results are recorded yet.\n")


def test_render_performance_tables_links_and_charts():
    cpu = "CPU: AMD EPYC, torch 2.14.1"
    gpu = "NVIDIA H100, torch 2.14.1"

    def chart(group, series, labels):
        fig = svg.Figure(group, "", "mean time per call", series, kind="hbars", labels=labels, log=True, unit="s")
        return f'<div class="tr-figure tr-figure-wide">{svg.svg(fig, width=760)}</div>'

    bench = "performance/benchmarks.md"

    page = render_performance([CPU_RUN, GPU_RUN])

    body = page.split("\n| Device | CPU | CUDA | Timed | File |\n", 1)[1]
    assert body == "\n".join(
        [
            "|---|---|---|---|---|",
            f"| {cpu} | AMD EPYC | none | 2026-11-23 00:00 | benchmarks-cpu.json |",
            f"| {gpu} | AMD EPYC | 13.0 (driver 580.1) | 2026-11-23 00:00 | benchmarks-cuda.json |",
            "",
            "## reshape",
            "",
            "| Benchmark | Device | Mean | Median | Min | Rounds | Bandwidth |",
            "|---|---|---:|---:|---:|---:|---:|",
            f"| [test\\_<wbr>view]({bench}#test_view)<br>illustrates "
            "[test\\_<wbr>view\\_<wbr>write\\_<wbr>is\\_<wbr>visible\\_<wbr>in\\_<wbr>base](tensors/views.md#test_view_write_is_visible_in_base) "
            f"| {cpu} | 200 ns | 200 ns | 100 ns | 10 |  |",
            f"| [test\\_<wbr>copy\\[big\\]]({bench}#test_copy) | {cpu} | 1.5 ms | 1.5 ms | 750 µs | 10 | 5.33 GB/s |",
            "",
            chart("reshape", {cpu: ([0.0, 1.0], [2e-7, 1.5e-3])}, ["view", "copy[big]"]),
            "",
            "## copy",
            "",
            "| Benchmark | Device | Mean | Median | Min | Rounds | Bandwidth |",
            "|---|---|---:|---:|---:|---:|---:|",
            f"| [test\\_<wbr>h2d]({bench}#test_h2d) | {gpu} | 2 ms | 2 ms | 1 ms | 10 | 50 GB/s, 50% of PCIe gen5 x16 peak |",
            "",
            chart("copy", {gpu: ([0.0], [2e-3])}, ["h2d"]),
            "",
        ]
    )


def test_one_device_names_itself_once_in_the_chart_title_not_on_every_row():
    page = render_performance([CPU_RUN])

    assert "| Benchmark | Mean | Median | Min | Rounds | Bandwidth |" in page
    assert "reshape: CPU: AMD EPYC, torch 2.14.1</text>" in page


def test_render_performance_puts_devices_of_one_group_in_one_table_and_one_chart():
    other = _run("cuda", [_bench("test_view", "reshape", 1e-6)])

    page = render_performance([CPU_RUN, other])

    table = page.split("## reshape\n", 1)[1]
    assert table.count("[test\\_<wbr>view](performance/benchmarks.md#test_view)") == 2
    assert table.count('<div class="tr-figure tr-figure-wide">') == 1
    assert ">view</text>" in table  # bars are named by what they measure


def test_load_benchmarks_reads_files_in_name_order_and_names_each(tmp_path):
    (tmp_path / "benchmarks-cuda.json").write_text(json.dumps({k: v for k, v in GPU_RUN.items() if k != "file"}))
    (tmp_path / "benchmarks-cpu.json").write_text(json.dumps({k: v for k, v in CPU_RUN.items() if k != "file"}))
    (tmp_path / "torch-2.14.1-cpu.json").write_text("not a benchmark file, ignored")

    runs = load_benchmarks(tmp_path)

    assert [r["file"] for r in runs] == ["benchmarks-cpu.json", "benchmarks-cuda.json"]
    assert runs[0]["benchmarks"] == CPU_RUN["benchmarks"]


def test_load_benchmarks_of_an_empty_folder_is_empty(tmp_path):
    assert load_benchmarks(tmp_path) == []


def test_load_benchmarks_names_a_missing_folder(tmp_path):
    with pytest.raises(BenchmarkError, match=r"nope: no such folder"):
        load_benchmarks(tmp_path / "nope")


def test_load_benchmarks_names_a_file_that_cannot_be_read(tmp_path):
    (tmp_path / "benchmarks-gone.json").symlink_to(tmp_path / "missing.json")

    with pytest.raises(BenchmarkError, match=r"benchmarks-gone\.json: cannot be read \(FileNotFoundError"):
        load_benchmarks(tmp_path)


def test_load_benchmarks_names_a_corrupt_file(tmp_path):
    (tmp_path / "benchmarks-cpu.json").write_text('{"benchmarks": [')

    with pytest.raises(BenchmarkError, match=r"benchmarks-cpu\.json: not valid JSON \(line 1"):
        load_benchmarks(tmp_path)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ([], "no 'benchmarks' list"),
        ({"benchmarks": []}, "no 'machine_info'"),
        ({"machine_info": {}, "benchmarks": [{"name": "t", "fullname": "a::t", "stats": None}]}, "a::t has no timing figures"),
        ({"machine_info": {}, "benchmarks": [{"stats": {"mean": 1, "median": 1, "min": 1, "rounds": 1}}]}, "benchmark 0 has no name"),
    ],
    ids=["not-a-dict", "no-machine-info", "disabled-run", "no-name"],
)
def test_load_benchmarks_names_a_file_that_is_not_a_benchmark_file(tmp_path, content, problem):
    (tmp_path / "benchmarks-x.json").write_text(json.dumps(content))

    with pytest.raises(BenchmarkError, match=r"benchmarks-x\.json: .*" + problem):
        load_benchmarks(tmp_path)


def test_update_json_hook_drops_raw_timings():
    output = {"benchmarks": [{"stats": {"mean": 1.0, "data": [1.0, 1.0]}}]}

    pytest_benchmark_update_json(config=None, benchmarks=[], output_json=output)

    assert output == {"benchmarks": [{"stats": {"mean": 1.0}}]}


def test_saved_benchmarks_illustrate_behaviours_that_exist():
    """Every `behaviour` a saved benchmark links to is a test function in the reference."""
    tests = {
        f"{path.relative_to(ROOT).as_posix()}::{line.split('(')[0].removeprefix('def ')}"
        for path in build.module_paths(config.load(ROOT))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("def test_")
    }
    linked = {
        bench["extra_info"]["behaviour"]
        for run in load_benchmarks(ROOT / "results")
        for bench in run["benchmarks"]
        if "behaviour" in bench.get("extra_info", {})
    }

    assert sorted(linked - tests) == []
