"""Recorded results: what the --results option writes, and clear errors on bad files."""

import json
from pathlib import Path

import jsonschema
import pytest

from torchref import TORCH, results

ROOT = Path(__file__).resolve().parents[1]


def test_results_file_records_outcomes_reasons_and_claims(reference_pytester):
    reference_pytester.makepyfile(
        test_demo='''
        import pytest

        @pytest.mark.claim("S0-010", verdict="true")
        def test_pass():
            """A."""

        def test_fail():
            """B."""
            assert 1 == 2

        @pytest.mark.torch_version(">=99")
        def test_skip():
            """C."""

        @pytest.mark.xfail(reason="known", strict=True)
        def test_xfail():
            """D."""
            assert False
        '''
    )

    run = reference_pytester.runpytest("--results", "out")
    (written,) = (reference_pytester.path / "out").glob("torch-*.json")
    data = json.loads(written.read_text())

    run.stdout.fnmatch_lines([f"torchref: results of 4 tests written to out/{written.name}"])
    jsonschema.validate(data, results.schema())
    tests = {k.split("::")[1]: v for k, v in data["tests"].items()}
    assert tests["test_pass"]["outcome"] == "passed"
    assert tests["test_pass"]["claims"] == [{"id": "S0-010", "verdict": "true"}]
    assert tests["test_fail"]["outcome"] == "failed"
    assert tests["test_fail"]["reason"] == "assert 1 == 2"
    assert tests["test_skip"]["outcome"] == "skipped"
    assert tests["test_skip"]["reason"] == f"needs torch>=99, have {TORCH}"
    assert tests["test_xfail"]["outcome"] == "xfailed"
    assert data["environment"]["device"] in ("cpu", "cuda")


def test_default_name_gives_one_file_per_release_and_device():
    cpu = {"torch": "2.14.1+cu130", "device": "cpu", "gpu": None}
    gpu = {"torch": "2.6.0", "device": "cuda", "gpu": "NVIDIA H100 80GB HBM3"}

    assert results.default_name(cpu) == "torch-2.14.1-cpu.json"
    assert results.default_name(gpu) == "torch-2.6.0-nvidia-h100-80gb-hbm3.json"
    assert results.label(gpu) == "torch 2.6.0 · NVIDIA H100 80GB HBM3"


def test_missing_results_file_is_named(tmp_path):
    with pytest.raises(results.ResultsError, match=r"torch-1.0.0-cpu.json: results file not found$"):
        results.load(tmp_path / "torch-1.0.0-cpu.json")


def test_corrupt_results_file_is_named_with_the_position(tmp_path):
    bad = tmp_path / "torch-1.0.0-cpu.json"
    bad.write_text('{"schema_version": 1,\n "tests": ')

    with pytest.raises(results.ResultsError, match=r"torch-1.0.0-cpu.json: not valid JSON \(line 2, column 11"):
        results.load(bad)


def test_results_file_of_the_wrong_shape_is_named_with_the_field(tmp_path):
    bad = tmp_path / "torch-1.0.0-cpu.json"
    bad.write_text(json.dumps({"schema_version": 1, "environment": {}, "tests": {"a::b": {"outcome": "ok"}}}))

    with pytest.raises(results.ResultsError, match=r"torch-1.0.0-cpu.json: not a torchref results file: at environment: "):
        results.load(bad)


def test_write_keeps_the_old_file_when_the_new_data_is_invalid(tmp_path):
    good = tmp_path / "torch-1.0.0-cpu.json"
    good.write_text("kept")

    with pytest.raises(results.ResultsError):
        results.write(good, {"schema_version": 2})

    assert good.read_text() == "kept"


def test_load_dir_orders_runs_by_release_number(tmp_path, root):
    template = json.loads(next((root / "results").glob("torch-*.json")).read_text())
    for version in ("2.10.0", "2.9.1"):
        template["environment"]["torch"] = version
        (tmp_path / f"torch-{version}-cpu.json").write_text(json.dumps(template))

    runs = results.load_dir(tmp_path)

    assert [r["environment"]["torch"] for r in runs] == ["2.9.1", "2.10.0"]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["tests"]["a::t"]["claims"].append({"id": "S1-1", "verdict": "true"}), "tests/a::t/claims/0/id"),
        (lambda d: d["environment"].update(gpu_count=True), "environment/gpu_count"),
        (lambda d: d["tests"]["a::t"].update(outcome="maybe"), "tests/a::t/outcome"),
    ],
    ids=["claim-id-pattern", "gpu-count-bool", "unknown-outcome"],
)
def test_every_schema_rule_is_enforced_on_load(tmp_path, change, where):
    """The quick check for good files never lets through what the schema rejects."""
    data = json.loads(next(p for p in sorted((ROOT / "results").glob("torch-*.json"))).read_text())
    data["tests"] = {"a::t": {"outcome": "passed", "duration": 0.0, "claims": []}}
    change(data)
    path = tmp_path / "torch-2.6.0-cpu.json"
    path.write_text(json.dumps(data))

    with pytest.raises(results.ResultsError, match=rf"not a torchref results file: at {where}:"):
        results.load(path)


def test_a_module_skipped_as_a_whole_is_recorded_with_its_reason(reference_pytester, tmp_path):
    reference_pytester.makepyfile(test_needs_it='import pytest\n\npytest.importorskip("no_such_package_here")\n')
    out = tmp_path / "r.json"

    reference_pytester.runpytest("--results", str(out))

    entry = results.load(out)["tests"]["test_needs_it.py"]
    assert entry["outcome"] == "skipped"
    assert entry["reason"].startswith("could not import 'no_such_package_here'")


@pytest.mark.parametrize(
    ("page", "options"),
    [
        ("import no_such_module_here\n\ndef test_a():\n    pass\n", []),
        ("def test_a():\n    assert False\n\ndef test_b():\n    pass\n", ["-x"]),
    ],
    ids=["collection error", "stopped at the first failure"],
)
def test_a_run_cut_short_leaves_the_results_file_as_it_was(reference_pytester, tmp_path, page, options):
    out = tmp_path / "r.json"
    reference_pytester.makepyfile(test_ok="def test_ok():\n    pass\n")
    reference_pytester.runpytest("--results", str(out))
    before = out.read_bytes()
    reference_pytester.makepyfile(test_zz=page)

    run = reference_pytester.runpytest("--results", str(out), "-p", "no:randomly", *options)

    assert run.ret in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.TESTS_FAILED)
    assert out.read_bytes() == before
    run.stdout.fnmatch_lines([f"torchref: the run was cut short (*): no results written, {out} is left as it was"])
