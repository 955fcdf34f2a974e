"""`torchref compare`: which behaviours differ from the newest recorded baseline."""

import json

from reference._support import cli, results

PATH = "reference/demo/test_demo.py"


def write(folder, torch, device="cpu", **outcomes):
    data = json.loads(next((cli.ROOT / "results").glob("torch-*.json")).read_text())
    data["environment"].update(torch=torch, device=device, gpu=None if device == "cpu" else "GPU", gpu_count=int(device != "cpu"))
    data["tests"] = {f"{PATH}::{k}": {"outcome": o, "duration": 0.0, "claims": []} for k, o in outcomes.items()}
    path = folder / results.default_name(data["environment"])
    path.write_text(json.dumps(data))
    return path


def test_newest_baseline_is_the_highest_release_on_the_same_device(tmp_path):
    write(tmp_path, "2.9.1", test_a="passed")
    newest = write(tmp_path, "2.10.0", test_a="passed")
    write(tmp_path, "2.15.0", device="cuda", test_a="passed")

    assert cli.newest_baseline(tmp_path, "cpu") == newest


def test_compare_lists_each_difference_and_the_command_to_rerun(tmp_path, capsys):
    baseline = write(tmp_path, "2.15.0", test_a="passed", test_b="passed", test_c="passed")
    mine = write(tmp_path, "2.13.0", test_a="passed", test_b="failed", test_c="skipped")

    code = cli.main(["compare", "--baseline", str(baseline), "--results", str(mine)])
    out = capsys.readouterr().out

    assert code == 1
    assert "2 behaviours differ (baseline -> yours):" in out
    assert f"passed -> failed\n      {PATH}::test_b" in out
    assert f"re-run them with:\n  pytest {PATH}::test_b {PATH}::test_c" in out


def test_compare_with_no_difference_exits_zero(tmp_path, capsys):
    baseline = write(tmp_path, "2.15.0", test_a="passed")
    mine = write(tmp_path, "2.14.1", test_a="passed")

    assert cli.main(["compare", "--baseline", str(baseline), "--results", str(mine)]) == 0
    assert "no differences over 1 tests" in capsys.readouterr().out


def test_compare_names_a_corrupt_results_file(tmp_path, capsys):
    bad = tmp_path / "torch-2.6.0-cpu.json"
    bad.write_text("[1, 2")

    assert cli.main(["compare", "--baseline", str(bad), "--results", str(bad)]) == 2
    assert f"torchref: {bad}: not valid JSON" in capsys.readouterr().err
