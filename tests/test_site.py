"""The site: a strict build of the real reference, and clear errors on bad input."""

import pytest

from torchref import config, results
from torchref.site import build, model


def test_strict_site_build_succeeds(site_build):
    returncode, stderr, site = site_build

    assert returncode == 0, stderr
    views = (site / "tensors" / "views" / "index.html").read_text()
    assert 'id="test_view_write_is_visible_in_base"' in views
    assert (site / "claims" / "index.html").exists()
    assert "edit/main" not in views  # no repository is configured, so no Edit link


def _tiny_root(tmp_path):
    (tmp_path / "reference" / "demo").mkdir(parents=True)
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("# Home\n")
    (tmp_path / "reference" / "demo" / "test_a.py").write_text('"""A page"""\n\ndef test_a():\n    """A."""\n')
    (tmp_path / "reference" / "claims.json").write_text('{"claims": []}')
    (tmp_path / "pyproject.toml").write_text(
        '[tool.torchref]\n\n[[tool.torchref.topics]]\nname = "tensors"\ntitle = "Tensors"\n\n'
        '[[tool.torchref.topics]]\nname = "autograd"\ntitle = "Autograd"\npages = ["graph", "backward"]\n'
    )
    return config.load(tmp_path)


def test_pages_without_results_say_not_run(tmp_path):
    pages = build.generated_pages(_tiny_root(tmp_path))

    assert sorted(pages) == ["changes.md", "claims.md", "compatibility.md", "demo/a.md", "demo/index.md", "index.md", "performance.md"]
    assert "not run" in pages["demo/a.md"][0]


def test_corrupt_results_file_stops_the_build_naming_the_file(tmp_path):
    project = _tiny_root(tmp_path)
    root = project.root
    (root / "results").mkdir()
    (root / "results" / "torch-2.6.0-cpu.json").write_text("{not json")

    with pytest.raises(results.ResultsError, match=r"torch-2.6.0-cpu.json: not valid JSON"):
        build.generated_pages(project)


def test_module_with_a_syntax_error_stops_the_build_naming_the_file(tmp_path):
    project = _tiny_root(tmp_path)
    root = project.root
    (root / "reference" / "demo" / "test_b.py").write_text("def test_b(:\n")

    with pytest.raises(model.RenderError, match=r"^reference/demo/test_b.py:1: syntax error"):
        build.generated_pages(project)


def test_nav_orders_topics_as_lessons(tmp_path):
    project = _tiny_root(tmp_path)
    root = project.root
    for topic in ("tensors", "autograd"):
        (root / "reference" / topic).mkdir()
        (root / "reference" / topic / "test_x.py").write_text('"""X"""\n')

    titles = [next(iter(entry)) for entry in build.nav(project) if isinstance(entry, dict)]

    assert titles == ["Home", "Tensors", "Autograd", "Demo", "Claims", "Compatibility matrix", "What changed", "Measured performance"]


def test_pages_follow_the_lesson_order_within_a_topic(tmp_path):
    project = _tiny_root(tmp_path)
    root = project.root
    (root / "reference" / "autograd").mkdir()
    for page in ("backward", "graph", "zeta"):
        (root / "reference" / "autograd" / f"test_{page}.py").write_text('"""X"""\n')

    names = [p.stem for p in build.module_paths(project) if p.parent.name == "autograd"]

    assert names == ["test_graph", "test_backward", "test_zeta"]
