"""The site's pages and settings, and clear errors on bad input (the strict build itself: test_browser.py)."""

import json
import re
from pathlib import Path

import pytest
import yaml

from torchref import claims, config, results
from torchref.site import build, figures, markdown, model, outcomes, reports

ROOT = Path(__file__).resolve().parents[1]


def _separator():
    search = next(p["search"] for p in yaml.safe_load((ROOT / "mkdocs.yml").read_text())["plugins"] if isinstance(p, dict) and "search" in p)
    return re.compile(search["separator"])


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("zero_grad", ["zero", "grad"]),
        ("zero grad", ["zero", "grad"]),
        ("weights_only", ["weights", "only"]),
        ("torch.nn.functional.cross_entropy", ["torch", "nn", "functional", "cross", "entropy"]),
        ("test_retain_graph_keeps_buffers", ["test", "retain", "graph", "keeps", "buffers"]),
    ],
)
def test_search_splits_names_into_the_words_people_type(typed, words):
    assert [w for w in _separator().split(typed) if w] == words


@pytest.mark.parametrize(
    ("british", "american"),
    [("initialise weights", "initialize weights"), ("initialisation", "initialization"), ("optimisers", "optimizers"), ("normalised", "normalized")],
)
def test_search_gives_british_and_american_spellings_the_same_words(british, american):
    def words(text):
        return [w for w in _separator().split(text) if w]

    assert words(british) == words(american)
    assert words("size") == ["size"]  # a short word ending in -ize keeps its ending


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

    assert {"changes.md", "claims.md", "compatibility.md", "demo/a.md", "demo/index.md", "index.md", "performance.md"} <= set(pages)
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


def _page_with_figure(body):
    return (
        '"""A page with a figure"""\n\nimport pytest\nfrom torchref import Figure\n\n\n'
        f"def curve():\n    return {body}\n\n\n"
        '@pytest.mark.figure("curve")\ndef test_a():\n    """A."""\n'
    )


def test_figures_are_drawn_from_the_page_code_by_site_path(tmp_path, capsys):
    project = _tiny_root(tmp_path)
    (project.root / "reference" / "demo" / "test_a.py").write_text(_page_with_figure('Figure("t", "x", "y", {"s": ([0, 1], [1, 2])})'))

    assert figures.main([str(project.root)]) == 0

    drawn = json.loads(capsys.readouterr().out)
    assert list(drawn) == ["demo/a.md"]
    assert list(drawn["demo/a.md"]) == ["curve"]
    assert drawn["demo/a.md"]["curve"].startswith("<svg")


def test_a_figure_that_fails_to_draw_stops_the_build_naming_the_file(tmp_path):
    project = _tiny_root(tmp_path)
    (project.root / "reference" / "demo" / "test_a.py").write_text(_page_with_figure("1 / 0"))

    drawing = figures.Drawing(project.root)  # the child process a build starts

    with pytest.raises(model.RenderError, match=r"^reference/demo/test_a.py: cannot draw its figures: ZeroDivisionError: division by zero$"):
        drawing.result()


def test_nav_orders_topics_as_lessons(tmp_path):
    project = _tiny_root(tmp_path)
    root = project.root
    for topic in ("tensors", "autograd"):
        (root / "reference" / topic).mkdir()
        (root / "reference" / topic / "test_x.py").write_text('"""X"""\n')

    titles = [next(iter(entry)) for entry in build.nav(project) if isinstance(entry, dict)]

    assert titles[:8] == ["Home", "Tensors", "Autograd", "Demo", "Claims", "Compatibility matrix", "What changed", "Measured performance"]


def test_pages_follow_the_lesson_order_within_a_topic(tmp_path):
    project = _tiny_root(tmp_path)
    root = project.root
    (root / "reference" / "autograd").mkdir()
    for page in ("backward", "graph", "zeta"):
        (root / "reference" / "autograd" / f"test_{page}.py").write_text('"""X"""\n')

    names = [p.stem for p in build.module_paths(project) if p.parent.name == "autograd"]

    assert names == ["test_graph", "test_backward", "test_zeta"]


def _run(torch):
    return outcomes.Run.of({"environment": {"torch": torch, "device": "cpu", "gpu": None}, "tests": {}})


def test_home_page_says_what_the_reference_holds_and_where_to_start():
    demo = model.parse('"""Demo page"""\n\ndef test_a():\n    """A."""\n\ndef test_b():\n    """B."""\n', "reference/demo/test_a.py")
    readme = "# torchref\n\n**Semantics as tests.** More.\n\nTwo commands:\n\n```bash\nnox -s test\n```\n"
    runs = [_run("2.5.1"), _run("2.6.0"), outcomes.Run.of({"environment": {"torch": "2.6.0", "device": "cuda", "gpu": "NVIDIA H200"}, "tests": {}})]

    page = reports.render_home(readme, [("Demo topic", [demo])], runs, [("Claims", "claims.md")])

    assert page.split("\n## Where to start\n")[0].endswith(
        "# torchref\n\n**Semantics as tests.** More.\n\n"
        "The reference holds **2 behaviours** on **1 page** in 1 topic: each is a pytest test whose name states the "
        "behaviour, whose docstring says why, and whose body proves it. Results are recorded on CPU for 2 torch releases "
        "(2.5.1 to 2.6.0) and on NVIDIA H200 for torch 2.6.0.\n"
    )
    assert "| 1 | **[Demo topic](demo/index.md)** | 1 | 2 | [Demo page](demo/a.md) |" in page
    assert "- [Claims](claims.md): every claim of the study notes" in page
    assert page.endswith("## Run it yourself\n\nTwo commands:\n\n```bash\nnox -s test\n```\n")  # the set-up, after the overview


def test_home_page_without_results_says_how_to_record_them():
    page = reports.render_home("# torchref\n\nTagline.\n", [], [], [])

    assert "No results are recorded yet: run `pytest --results results/`" in page


CLAIMS = {
    "S0-001": {"id": "S0-001", "topic": "autograd", "claim": "The graph is dynamic.", "note": "000_b395.txt", "where": "基于动态计算图"},
    "S1-001": {"id": "S1-001", "topic": "data", "claim": "Audio datasets exist.", "note": "001_dffb.txt", "where": "torchaudio 库", "uncovered": "needs torchaudio"},
}


def test_claims_page_titles_each_note_and_shows_its_sentence_beside_the_paraphrase():
    page = reports.render_claims(CLAIMS, [], {"000_b395.txt": "Pytorch学习要点整理"})

    assert "1. [Pytorch学习要点整理](#note-000): 1 claim" in page
    assert "## Note 1: Pytorch学习要点整理 {#note-000}" in page
    assert "## Note 2: 001\\_dffb.txt {#note-001}" in page  # no title given: the file name
    assert '| <span lang="zh">基于动态计算图</span> | The graph is dynamic. |' in page
    assert '<span class="tr-badge tr-notrun">uncovered</span> needs torchaudio' in page


def test_note_titles_come_from_the_claims_file(tmp_path):
    path = tmp_path / "claims.json"
    path.write_text('{"notes": {"000_b395.txt": "Pytorch学习要点整理"}, "claims": []}', encoding="utf-8")

    assert claims.note_titles(path) == {"000_b395.txt": "Pytorch学习要点整理"}
    assert claims.load(path) == {}


def test_every_note_of_the_real_claims_has_a_title():
    project = config.load(ROOT)
    notes = {c["note"] for c in claims.load(project.claims).values()}

    assert sorted(notes - set(claims.note_titles(project.claims))) == []


def test_a_configured_repository_gets_edit_links_without_the_themes_repository_widget(tmp_path):
    from types import SimpleNamespace

    from torchref.site.mkdocs_plugin import TorchrefPlugin

    project = _tiny_root(tmp_path)
    text = (project.root / "pyproject.toml").read_text()
    (project.root / "pyproject.toml").write_text(text.replace("[tool.torchref]\n", '[tool.torchref]\nrepo_url = "https://example.org/team/torchref"\n'))
    config = SimpleNamespace(config_file_path=str(project.root / "mkdocs.yml"), nav=None, edit_uri=None, repo_url=None)

    TorchrefPlugin().on_config(config)

    assert config.edit_uri == "https://example.org/team/torchref/edit/main/"
    assert config.repo_url is None  # the header would fetch the repository's star count


def test_raw_html_skips_the_markdown_converter_and_comes_back_unchanged():
    page = "\n".join(["# T", "", *markdown.raw_html(["<table>", "<tr><td>*not emphasis*</td></tr>", "</table>"]), "", "after *this*"])

    taken, blocks = markdown.take_raw(page)

    assert taken == "# T\n\n<!--torchref:raw 0-->\n\nafter *this*"
    assert blocks == ["<table>\n<tr><td>*not emphasis*</td></tr>\n</table>"]
    assert markdown.put_raw("<h1>T</h1>\n<!--torchref:raw 0-->\n<p>after <em>this</em></p>", blocks) == (
        "<h1>T</h1>\n<table>\n<tr><td>*not emphasis*</td></tr>\n</table>\n<p>after <em>this</em></p>"
    )


def test_the_navigation_lists_the_official_index_not_each_official_page():
    project = config.load(ROOT)

    section = next(entry["Official docs, checked"] for entry in build.nav(project) if isinstance(entry, dict) and "Official docs, checked" in entry)

    # Each official page is still built (the strict build of `nox -s browser` checks), reached from the index's table.
    assert section == ["official/index.md", "official/other.md"]
