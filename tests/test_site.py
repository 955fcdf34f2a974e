"""The site: a strict build of the real reference, and clear errors on bad input."""

import pytest

from reference._support import render, results, site


def test_strict_site_build_succeeds(site_build):
    returncode, stderr, site = site_build

    assert returncode == 0, stderr
    views = (site / "tensors" / "views" / "index.html").read_text()
    assert 'id="test_view_write_is_visible_in_base"' in views
    assert (site / "claims" / "index.html").exists()
    assert "edit/main/reference/tensors/test_views.py" in views


def _tiny_root(tmp_path):
    (tmp_path / "reference" / "demo").mkdir(parents=True)
    (tmp_path / "docs").mkdir()
    (tmp_path / "README.md").write_text("# Home\n")
    (tmp_path / "reference" / "demo" / "test_a.py").write_text('"""A page"""\n\ndef test_a():\n    """A."""\n')
    return tmp_path


def test_pages_without_results_say_not_run(tmp_path):
    pages = site.pages(_tiny_root(tmp_path))

    assert sorted(pages) == ["changes.md", "claims.md", "compatibility.md", "demo/a.md", "demo/index.md", "index.md", "performance.md"]
    assert "not run" in pages["demo/a.md"][0]


def test_corrupt_results_file_stops_the_build_naming_the_file(tmp_path):
    root = _tiny_root(tmp_path)
    (root / "results").mkdir()
    (root / "results" / "torch-2.6.0-cpu.json").write_text("{not json")

    with pytest.raises(results.ResultsError, match=r"torch-2.6.0-cpu.json: not valid JSON"):
        site.pages(root)


def test_module_with_a_syntax_error_stops_the_build_naming_the_file(tmp_path):
    root = _tiny_root(tmp_path)
    (root / "reference" / "demo" / "test_b.py").write_text("def test_b(:\n")

    with pytest.raises(render.RenderError, match=r"^reference/demo/test_b.py:1: syntax error"):
        site.pages(root)


def test_nav_orders_topics_as_lessons(tmp_path):
    root = _tiny_root(tmp_path)
    for topic in ("tensors", "autograd"):
        (root / "reference" / topic).mkdir()
        (root / "reference" / topic / "test_x.py").write_text('"""X"""\n')

    titles = [next(iter(entry)) for entry in site.nav(root) if isinstance(entry, dict)]

    assert titles == ["Home", "Tensors", "Autograd", "Demo", "Claims", "Compatibility matrix", "What changed", "Measured performance"]


def test_pages_follow_the_lesson_order_within_a_topic(tmp_path):
    root = _tiny_root(tmp_path)
    (root / "reference" / "autograd").mkdir()
    for page in ("backward", "graph", "zeta"):
        (root / "reference" / "autograd" / f"test_{page}.py").write_text('"""X"""\n')

    names = [p.stem for p in site.module_paths(root) if p.parent.name == "autograd"]

    assert names == ["test_graph", "test_backward", "test_zeta"]
