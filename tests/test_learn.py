"""`torchref learn`: exercises generated from the reference by blanking expectations."""

import ast
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from torchref import cli, config, learn
from torchref.site import build

ROOT = Path(__file__).resolve().parents[1]
PROJECT = config.load(ROOT)
MODULES = [p.relative_to(ROOT).as_posix() for p in build.module_paths(PROJECT)]

SOURCE = '''"""Demo"""
import pytest
import torch

from torchref import raises_exactly


def helper():
    return 3


def test_values():
    """Values are predicted."""
    x = torch.zeros(2, 3)

    assert x.shape == (2, 3)
    assert x.dtype == torch.float32
    assert x.sum().item() == -0.0 + 0.0
    assert x.tolist() == [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    assert helper() == helper()


def test_error():
    """Errors are predicted: "×" before a blank moves no column."""
    with raises_exactly(RuntimeError, match=r"shape '\\[4\\]' is invalid"):
        torch.zeros(3).view(4)


def test_worked_example():
    """Nothing to predict."""
    assert torch.zeros(1).is_contiguous()
'''


def test_blanks_are_the_expected_side_of_assertions_and_the_asserted_error():
    blanks = learn.find_blanks(SOURCE)

    assert [(b.test, b.text) for b in blanks] == [
        ("test_values", "(2, 3)"),
        ("test_values", "torch.float32"),
        ("test_values", "[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]"),
        ("test_error", "RuntimeError"),
        ("test_error", 'r"shape \'\\[4\\]\' is invalid"'),
    ]


def test_a_derived_expectation_is_not_blanked():
    assert "helper() == helper()" in learn.exercise(SOURCE)[0]
    assert "-0.0 + 0.0" in learn.exercise(SOURCE)[0]


@pytest.mark.parametrize("path", MODULES)
def test_every_page_round_trips_through_its_exercise(path):
    source = (ROOT / path).read_text(encoding="utf-8")

    text, blanks = learn.exercise(source)

    ast.parse(text)
    assert learn.fill(text, {b.number: b.text for b in blanks}) == source
    assert text.count("___(") == len(blanks)


def test_unfilled_exercises_fail_with_one_message_per_blank(pytester):
    text, _ = learn.exercise(SOURCE)
    pytester.makepyprojecttoml(learn.CONFIG)
    pytester.mkdir("demo")
    (pytester.path / "demo" / "test_demo.py").write_text(text)

    result = pytester.runpytest("-p", "no:randomly")

    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*blank 1 on line 17 is not filled in.",
            "*The claim: Values are predicted.",
            "*Replace ___(1) with what you expect; the reference explains it at demo/demo/#test_values",
            "*blank 4 on line 26 is not filled in.",
        ]
    )


def test_filled_exercises_pass(pytester):
    text, blanks = learn.exercise(SOURCE)
    answers = {b.number: b.text for b in blanks}
    pytester.makepyprojecttoml(learn.CONFIG)
    pytester.makepyfile(test_demo=learn.fill(text, answers))

    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=3)


def test_learn_writes_a_topic_and_progress_counts_solved_behaviours(tmp_path, capsys):
    out = tmp_path / "exercises"

    assert cli.main(["--root", str(ROOT), "learn", "tensors/views", "--out", str(out)]) == 0
    written = out / "tensors" / "test_views.py"
    assert written.exists() and (out / "pyproject.toml").exists()
    assert "pages" in capsys.readouterr().out

    solved_one = {"tests": {"tensors/test_views.py::test_stride_is_the_step_to_the_next_index": {"outcome": "passed"}}}
    total = len({b.test for b in learn.find_blanks((PROJECT.reference / "tensors" / "test_views.py").read_text())})

    assert f"  1/{total:<3} tensors/test_views.py" in learn.progress(solved_one, out, PROJECT.reference)

    # A solved page has no blank left in its exercise, and still counts every behaviour it had.
    written.write_text((PROJECT.reference / "tensors" / "test_views.py").read_text())
    passed = {f"tensors/test_views.py::{name}": {"outcome": "passed"} for name in {b.test for b in learn.find_blanks(written.read_text())}}
    assert f"  {total}/{total:<3} tensors/test_views.py" in learn.progress({"tests": passed}, out, PROJECT.reference)


def test_learn_names_an_unknown_page(tmp_path, capsys):
    assert cli.main(["--root", str(ROOT), "learn", "nope", "--out", str(tmp_path)]) == 2
    assert "no page or topic named 'nope'; topics: autograd," in capsys.readouterr().err


def test_progress_without_exercises_says_how_to_make_them(tmp_path, capsys):
    assert cli.main(["--root", str(ROOT), "learn", "--progress", "--out", str(tmp_path / "none")]) == 2
    assert "no exercises here yet; write them with `torchref learn`" in capsys.readouterr().err


def test_exercise_folder_config_imports_each_file_on_its_own_and_keeps_warnings_errors():
    config = tomllib.loads(learn.CONFIG)["tool"]["pytest"]

    assert "--import-mode=importlib" in config["addopts"]
    assert config["filterwarnings"] == ["error"]
