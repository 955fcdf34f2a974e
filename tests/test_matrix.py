"""The version matrix: its runner, and the matrix, range badges and What-changed pages."""

import re
import shutil
from pathlib import Path

import pytest

from torchref import config, matrix
from torchref.site import model, outcomes, reports

PATH = "reference/demo/test_demo.py"
SOURCE = '''"""Demo"""
import pytest
from torchref import by_version


def test_a():
    """A holds everywhere."""


def test_b():
    """B changed its default."""
    assert by_version({"<2.6": 1, ">=2.6": 2})


@pytest.mark.torch_version(">=2.6")
def test_c():
    """C is new."""


def test_d():
    """D regressed."""
'''


def run(torch, **outcomes):
    tests = {
        f"{PATH}::{name}": {"outcome": o, **({"reason": "needs torch>=2.6, have 2.5.1"} if o == "skipped" else {})}
        for name, o in outcomes.items()
    }
    return {"environment": {"torch": torch, "device": "cpu", "gpu": None}, "tests": tests}


RUNS = [
    outcomes.Run.of(r)
    for r in [
        run("2.5.1", test_a="passed", test_b="passed", test_c="skipped", test_d="passed"),
        run("2.6.0", test_a="passed", test_b="passed", test_c="passed", test_d="failed"),
    ]
]
MODULE = model.parse(SOURCE, PATH)
GROUPS = [("Demo", [MODULE])]


def badge(name):
    return outcomes.range_badge(PATH, next(b for b in MODULE.behaviours if b.name == name), RUNS)


def test_range_badges_summarise_the_recorded_releases():
    assert badge("test_a") == '<span class="tr-badge tr-holds">holds on 2.5–2.6</span> '
    assert badge("test_b") == '<span class="tr-badge tr-changed">changed in 2.6</span> '
    assert badge("test_c") == '<span class="tr-badge tr-changed">new in 2.6</span> '
    assert badge("test_d") == '<span class="tr-badge tr-failed">fails on 2.6</span> '


def test_range_badge_needs_two_releases():
    assert outcomes.range_badge(PATH, MODULE.behaviours[0], RUNS[:1]) == ""


def test_matrix_has_a_row_per_behaviour_and_a_column_per_run():
    page = reports.render_matrix(GROUPS, RUNS)

    assert '<thead><tr><th scope="col">Behaviour</th>\n<th scope="col" title="torch 2.5.1 · CPU: 3 passed, 1 skipped">2.5</th>' in page
    assert (
        '<th scope="row"><a href="demo/demo.html#test_d">D regressed</a></th>'
        '<td class="tr-passed" title="passed">✓</td><td class="tr-failed" title="failed">✗</td></tr>'
    ) in page
    assert '<td class="tr-skipped" title="skipped: needs torch&gt;=2.6, have 2.5.1">–</td>' in page


def test_matrix_rows_say_their_topic_and_whether_they_change_for_the_filters():
    page = reports.render_matrix(GROUPS, RUNS)
    rows = re.findall(r'data-topic="demo" data-changed="(\d)"><th scope="row"><a href="[^"]+">([^<]+)</a>', page)

    changed = [heading for flag, heading in rows if flag == "1"]
    assert changed == ["B changed its default", "C is new", "D regressed"]  # a range, a gate, an outcome
    assert '<option value="demo">Demo</option>' in page
    assert '<div class="tr-matrix-controls" hidden>' in page  # shown by the page's script, useless without it


def test_what_changed_lists_marker_ranges_and_outcome_changes_per_release():
    page = reports.render_changes(GROUPS, RUNS, ["2.4", "2.5", "2.6", "2.7"])
    section = page.split("## torch 2.6\n\n")[1]

    assert section.splitlines() == [
        "- **expectation changes**: [B changed its default](demo/demo.md#test_b) (ranges `torch<2.6`, `torch>=2.6`)",
        "- **new, checked from here on**: [C is new](demo/demo.md#test_c) (`torch>=2.6`)",
        "- **outcome changes**: [D regressed](demo/demo.md#test_d): passed → failed",
    ]
    assert "test_a" not in page


def test_matrix_runner_reports_an_install_failure_and_writes_nothing(tmp_path, root):
    outcome = matrix.run_release(config.load(root), "2.6", tmp_path, uv=["false"])

    assert not outcome.ok
    assert outcome.message.startswith("cannot create the environment (exit 1)")
    assert list(tmp_path.iterdir()) == []


def test_matrix_runner_rejects_an_unknown_release(capsys, root):
    with pytest.raises(SystemExit) as exit:
        matrix.main(["--release", "2.99"], config.load(root))

    assert exit.value.code == 2
    assert "unknown release '2.99'; supported: 2.0, 2.1," in capsys.readouterr().err


def test_old_releases_get_numpy_1(root):
    project = config.load(root)

    assert matrix.requirements(project, "2.3")[:3] == ["torch==2.3.1", "torchvision==0.18.1", "numpy<2"]
    assert matrix.requirements(project, "2.4")[2] == "numpy"


def test_matrix_installs_the_project_itself_rather_than_a_copy_of_its_dependencies(root):
    assert matrix.requirements(config.load(root), "2.6")[-1] == str(root)


def test_module_level_pytestmark_gates_every_test_of_the_page():
    source = '"""Demo"""\nimport pytest\n\npytestmark = [pytest.mark.torch_version(">=2.1"), pytest.mark.filterwarnings("error")]\n\n\ndef test_e():\n    """E."""\n'

    (behaviour,) = model.parse(source, PATH).behaviours

    assert behaviour.torch_versions == (">=2.1",)


def test_badges_merge_releases_with_the_same_outcome():
    runs = [*RUNS, outcomes.Run.of(run("2.7.0", test_a="passed"))]

    assert outcomes.badges(PATH, "test_a", runs) == '<span class="tr-badge tr-passed">passed · torch 2.5.1–2.7.0 · CPU</span>'
    assert outcomes.badges(PATH, "test_c", runs) == (
        '<span class="tr-badge tr-skipped">skipped: needs torch&gt;=2.6 · torch 2.5.1 · CPU</span> '
        '<span class="tr-badge tr-passed">passed · torch 2.6.0 · CPU</span> '
        '<span class="tr-badge tr-notrun">not run · torch 2.7.0 · CPU</span>'
    )


def test_what_changed_links_the_release_note_entry_a_behaviour_cites():
    source = (
        '"""Demo"""\nimport pytest\n\n\n@pytest.mark.torch_version(">=2.6")\ndef test_e():\n'
        '    """E is new.\n\n    Changed in https://github.com/pytorch/pytorch/pull/137602 for 2.6.\n    """\n'
    )
    module = model.parse(source, PATH)

    page = reports.render_changes([("Demo", [module])], [], ["2.5", "2.6"])

    assert (
        "- **new, checked from here on**: [E is new](demo/demo.md#test_e) (`torch>=2.6`) · [source](https://github.com/pytorch/pytorch/pull/137602)"
        in page
    )


def test_matrix_runner_stops_before_installing_when_the_disk_is_nearly_full(tmp_path, root, monkeypatch):
    usage = shutil.disk_usage
    monkeypatch.setattr(matrix.shutil, "disk_usage", lambda folder: usage(folder)._replace(free=3 * 2**30))

    outcome = matrix.run_release(config.load(root), "2.6", tmp_path, uv=["false"])

    assert not outcome.ok
    assert outcome.message.startswith("only 3.0 GiB free on the disk of ")
    assert "a release needs about 10 GiB. `uv cache clean` frees" in outcome.message
    assert list(tmp_path.iterdir()) == []


def test_matrix_without_cache_asks_uv_for_none():
    python = Path("/env/bin/python")

    assert matrix.install_command(["uv"], python, ["torch==2.6.0"]) == [
        "uv",
        "pip",
        "install",
        "--quiet",
        "--python",
        str(python),
        "torch==2.6.0",
    ]
    assert matrix.install_command(["uv"], python, ["torch==2.6.0"], no_cache=True)[:5] == ["uv", "pip", "install", "--quiet", "--no-cache"]
