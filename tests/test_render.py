"""The renderer: module source + recorded results -> Markdown, and its errors on bad input."""

from pathlib import Path

import pytest

from torchref.site import figures, model, outcomes, pages, reports

FIXTURES = Path(__file__).parent / "fixtures"
PATH = "reference/demo/test_sample.py"


def _run(torch: str, gpu: str | None, tests: dict) -> dict:
    env = {"torch": torch, "device": "cuda" if gpu else "cpu", "gpu": gpu}
    return {"environment": env, "tests": {f"{PATH}::{k}": v for k, v in tests.items()}}


RUNS = [outcomes.Run.of(r) for r in [
    _run(
        "2.14.1+cpu",
        None,
        {
            "test_sample_passes": {"outcome": "passed"},
            "test_sample_on_gpu[one]": {"outcome": "skipped", "reason": "needs a CUDA device"},
            "test_sample_on_gpu[two]": {"outcome": "skipped", "reason": "needs a CUDA device"},
        },
    ),
    _run(
        "2.15.0",
        "NVIDIA H100",
        {
            "test_sample_passes": {"outcome": "failed", "reason": "AssertionError: assert 3.0 == 2.0"},
            "test_sample_on_gpu[one]": {"outcome": "passed"},
            "test_sample_on_gpu[two]": {"outcome": "passed"},
        },
    ),
]]


def sample() -> model.Module:
    return model.parse((FIXTURES / "sample_module.py").read_text(), PATH)


def test_page_matches_the_expected_markdown_exactly():
    assert pages.render_page(sample(), RUNS) == (FIXTURES / "sample_page.md").read_text()


def test_page_without_results_says_not_run():
    page = pages.render_page(sample(), [])

    assert page.count('<span class="tr-badge tr-notrun">not run</span>') == 2


def test_parse_reads_markers_docstring_and_version_ranges():
    first, second = sample().behaviours

    assert first.claims == (("S0-010", "false"),)
    assert first.docs == "https://docs.pytorch.org/docs/stable/generated/torch.sum.html"
    assert second.devices == ("cuda",)
    assert second.by_version == (("<2.6", ">=2.6"),)
    assert second.prose == ""


def test_status_summarises_mixed_outcomes():
    entries = [{"outcome": "passed"}, {"outcome": "skipped", "reason": "needs a CUDA device"}]

    assert outcomes.status(entries) == ("partial", "passed 1/2, skipped 1: needs a CUDA device")


def test_figure_is_placed_after_the_code_and_its_blanks():
    source = (
        '"""T\n"""\nimport pytest\n\ndef curve():\n    return 1\n\n\n'
        '@pytest.mark.figure("curve")\ndef test_x():\n    """A.\n\n    Docs: https://docs.pytorch.org/x\n    """\n    assert curve() == 1\n'
    )
    page = pages.render_page(model.parse(source, PATH), [])

    assert 'hidden></div>\n\n<div class="tr-figure"><!-- torchref-figure curve --></div>' in page
    assert "@pytest.mark.figure" not in page
    assert figures.fill(page, {"curve": "<svg></svg>"}, "demo/a.md").count('<div class="tr-figure"><svg></svg></div>') == 1


def test_a_figure_that_was_not_drawn_stops_the_build_naming_the_page():
    with pytest.raises(model.RenderError, match=r"^demo/a.md: figure curve was not drawn$"):
        figures.fill('<div class="tr-figure"><!-- torchref-figure curve --></div>', {}, "demo/a.md")


def test_topic_index_links_every_behaviour():
    index = pages.render_topic_index("Demo", [sample()])

    assert index.startswith("# Demo\n\n2 behaviours on 1 pages.\n\n## [Sample page](sample.md)\n")
    assert "- [Ones sum to their count](sample.md#test_sample_passes)" in index


def test_claims_page_counts_covered_and_uncovered_claims():
    claims = {
        "S0-010": {"note": "a.txt", "topic": "tensor", "claim": "view(16) works."},
        "S0-011": {"note": "a.txt", "topic": "tensor", "claim": "a | b", "uncovered": "needs 2 GPUs"},
    }

    page = reports.render_claims(claims, [sample()])

    assert "**2 claims: 1 checked** (0 right, 1 wrong, 0 outdated), **1 uncovered**." in page
    assert (
        '| <span id="s0-010"></span>S0-010<br><span class="tr-topic">tensor</span> |  | view(16) works. '
        '| <span class="tr-badge tr-failed">wrong</span> | [Ones sum to their count](demo/sample.md#test_sample_passes) |'
    ) in page
    assert '| <span id="s0-011"></span>S0-011<br><span class="tr-topic">tensor</span> |  | a \\| b | <span class="tr-badge tr-notrun">uncovered</span> needs 2 GPUs |  |' in page


def test_syntax_error_names_the_file_and_line():
    with pytest.raises(model.RenderError, match=r"^reference/demo/test_bad.py:2: syntax error"):
        model.parse('"""T"""\ndef test_x(:\n', "reference/demo/test_bad.py")


def test_missing_docstring_names_the_test():
    with pytest.raises(model.RenderError, match=r"test_bad\.py:1: test_x has no docstring"):
        model.parse("def test_x():\n    pass\n", "reference/demo/test_bad.py")


def test_malformed_claim_marker_names_the_file():
    source = 'import pytest\n\n@pytest.mark.claim("S0-001")\ndef test_x():\n    """A."""\n'

    with pytest.raises(model.RenderError, match=r"test_bad.py:3: test_x's claim marker"):
        model.parse(source, "reference/demo/test_bad.py")


def test_shows_prints_the_named_helper_beside_the_test():
    source = (
        '"""T\n"""\nimport pytest\n\n\ndef lr_curve(steps):\n    """The curve."""\n    return [0.1] * steps\n\n\n'
        '@pytest.mark.shows("lr_curve")\ndef test_x():\n    """X holds.\n\n    Because.\n    """\n    assert lr_curve(2) == [0.1, 0.1]\n'
    )

    page = pages.render_page(model.parse(source, PATH), [])

    assert "Uses `lr_curve`, defined on this page:" in page
    assert '```python\ndef lr_curve(steps):\n    """The curve."""\n    return [0.1] * steps\n```\n\n```python\ndef test_x():' in page


def test_docs_erratum_is_shown_above_the_prose():
    source = '"""T\n"""\nimport pytest\n\n\n@pytest.mark.docs_erratum("the default is 0.1")\ndef test_x():\n    """X holds.\n\n    Because.\n    """\n'

    page = pages.render_page(model.parse(source, PATH), [])

    assert '!!! warning "Docs erratum"\n\n    The official docs say: the default is 0.1\n\nBecause.' in page


def test_shows_naming_no_module_function_is_a_render_error():
    source = '"""T\n"""\nimport pytest\n\n\n@pytest.mark.shows("nope")\ndef test_x():\n    """X."""\n'

    with pytest.raises(model.RenderError, match=r"test_sample\.py: shows names no module-level function: nope"):
        model.parse(source, PATH)
