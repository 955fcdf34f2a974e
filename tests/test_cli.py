"""`torchref compare` and `torchref upgrade`: the upgrade questions, answered from results files."""

import json
import shutil
from pathlib import Path

import pytest

from torchref import cli, results

ROOT = Path(__file__).resolve().parents[1]
PATH = "reference/demo/test_demo.py"


TEMPLATE = json.loads(next((ROOT / "results").glob("torch-*.json")).read_text())["environment"]


def write(folder, torch, device="cpu", **outcomes):
    data = {"schema_version": 1, "environment": dict(TEMPLATE), "tests": {}}
    data["environment"].update(torch=torch, device=device, gpu=None if device == "cpu" else "GPU", gpu_count=int(device != "cpu"))
    data["tests"] = {}
    for name, outcome in outcomes.items():
        outcome, _, reason = outcome.partition(":")
        entry = {"outcome": outcome, "duration": 0.0, "claims": []}
        data["tests"][name if name.startswith("reference/") else f"{PATH}::{name}"] = {**entry, **({"reason": reason} if reason else {})}
    path = folder / results.default_name(data["environment"])
    path.write_text(json.dumps(data))
    return path


def test_nearest_recorded_run_is_the_same_minor_release_on_the_same_device(tmp_path):
    write(tmp_path, "2.9.1", test_a="passed")
    same = write(tmp_path, "2.10.0", test_a="passed")
    write(tmp_path, "2.15.0", test_a="passed")
    write(tmp_path, "2.10.0", device="cuda", test_a="passed")
    env = results.load(same)["environment"] | {"torch": "2.10.1+cpu"}

    assert results.nearest(results.load_dir(tmp_path), env)["environment"]["torch"] == "2.10.0"


def test_compare_lists_each_behaviour_difference_and_the_command_to_rerun(tmp_path, capsys):
    baseline = write(tmp_path, "2.15.0", test_a="passed", test_b="passed", test_c="failed")
    mine = write(tmp_path, "2.13.0", test_a="passed", test_b="failed", test_c="passed")

    code = cli.main(["--root", str(ROOT), "compare", "--baseline", str(baseline), "--results", str(mine)])
    out = capsys.readouterr().out

    assert code == 1
    assert "2 behaviours differ (recorded -> yours):" in out
    assert "passed -> failed (" not in out
    assert f"passed -> failed\n      {PATH}::test_b" in out
    assert f"re-run them with:\n  pytest {PATH}::test_b {PATH}::test_c" in out


def test_compare_keeps_what_could_not_run_here_apart_from_differences(tmp_path, capsys):
    baseline = write(tmp_path, "2.13.0", test_a="passed", test_gpu="skipped:needs a CUDA device", test_io="passed", test_new="passed")
    mine = write(
        tmp_path / "mine.json" if False else tmp_path,
        "2.13.0",
        device="cuda",
        test_a="passed",
        test_gpu="passed",
        test_new="skipped:needs torch>=2.15, have 2.13.0",
        **{"reference/demo/test_demo.py": "skipped:could not import 'torchvision'"},
    )
    baseline_copy = tmp_path / "baseline.json"
    shutil.copy(baseline, baseline_copy)

    code = cli.main(["--root", str(ROOT), "compare", "--baseline", str(baseline_copy), "--results", str(mine)])
    out = capsys.readouterr().out

    assert code == 0
    assert "no behaviour differs" in out
    assert "2 recorded behaviours could not run here (not a difference):" in out
    assert "1  could not import 'torchvision'" in out
    assert "1 behaviour ran here but not in the recorded run" in out


def test_compare_names_a_corrupt_results_file(tmp_path, capsys):
    bad = tmp_path / "torch-2.6.0-cpu.json"
    bad.write_text("[1, 2")

    assert cli.main(["--root", str(ROOT), "compare", "--baseline", str(bad), "--results", str(bad)]) == 2
    assert f"torchref: {bad}: not valid JSON" in capsys.readouterr().err


def test_commands_outside_a_project_exit_2_with_a_clear_message(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)

    assert cli.main(["compare"]) == 2
    assert "not inside a torchref project (no pyproject.toml with [tool.torchref] here or above)" in capsys.readouterr().err


def test_upgrade_lists_the_behaviours_whose_expectation_changes_with_their_source(capsys):
    assert cli.main(["--root", str(ROOT), "upgrade", "2.4", "2.6"]) == 0
    out = capsys.readouterr().out

    assert out.startswith("torchref: what changes from torch 2.4 to 2.6")
    assert "serialization/save_load.md#" in out
    assert "weights_only" in out


@pytest.mark.parametrize(("old", "new", "message"), [("2.6", "2.4", "is not an upgrade"), ("1.9", "2.6", "unknown release '1.9'")])
def test_upgrade_rejects_a_bad_pair_of_releases(capsys, old, new, message):
    assert cli.main(["--root", str(ROOT), "upgrade", old, new]) == 2
    assert message in capsys.readouterr().err
