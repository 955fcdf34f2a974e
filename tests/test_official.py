"""Official docs, checked, and Docs errata: generated from the tests' Docs links and markers."""

import json

import pytest

from torchref.site import model, official
from torchref.site.outcomes import Run

PATH = "reference/demo/test_demo.py"
SOURCE = '''"""Demo"""
import pytest


def test_a():
    """A is documented in a section.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#locally-disabling-gradient-computation
    """


def test_b():
    """B is documented on the page as a whole.

    Docs: https://pytorch.org/docs/stable/notes/autograd.html
    """


@pytest.mark.docs_erratum("the default is 0.1")
def test_c():
    """C differs from the docs.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Foo.html#torch.nn.Foo
    """
'''
MODULE = model.parse(SOURCE, PATH)
PAGE = official.OfficialPage(
    url="https://docs.pytorch.org/docs/stable/notes/autograd.html",
    title="Autograd mechanics",
    slug="autograd",
    not_checkable=(("multithreaded-autograd", "Threads run concurrently.", "a performance statement"),),
)


def test_an_official_page_lists_its_behaviours_section_by_section_and_what_cannot_be_checked():
    pages = official.generated([PAGE], [MODULE], [])

    page = pages["official/autograd.md"]
    assert "**2 behaviours** assert statements of this page; **1 statements** cannot be checked here." in page
    assert "## Locally disabling gradient computation\n\n<https://docs.pytorch.org/docs/stable/notes/autograd.html#locally-disabling-gradient-computation>\n\n- [A is documented in a section](../demo/demo.md#test_a)" in page
    assert "## The page as a whole" in page and "(../demo/demo.md#test_b)" in page
    assert "- *Not checkable here*: Threads run concurrently. (a performance statement)" in page


def test_the_index_counts_each_listed_page_and_the_rest_go_to_other_api_pages():
    pages = official.generated([PAGE], [MODULE], [])

    assert "| [Autograd mechanics](autograd.md) | 2 | 2 | 1 |" in pages["official/index.md"]
    assert "## torch.nn.Foo" in pages["official/other.md"]
    assert "(../demo/demo.md#test_c)" in pages["official/other.md"]


def test_errata_page_lists_each_marked_behaviour_with_the_releases_where_it_holds():
    runs = [
        Run.of({"environment": {"torch": t, "device": "cpu", "gpu": None}, "tests": {f"{PATH}::test_c": {"outcome": o}}})
        for t, o in (("2.5.1", "skipped"), ("2.6.0", "passed"))
    ]

    page = official.render_errata([MODULE], runs)

    assert "| [C differs from the docs](demo/demo.md#test_c) | the default is 0.1 ([docs](https://docs.pytorch.org/docs/stable/generated/torch.nn.Foo.html#torch.nn.Foo)) | 2.6 |" in page


def test_a_malformed_entry_names_the_file_and_the_entry(tmp_path):
    path = tmp_path / "official_docs.json"
    path.write_text(json.dumps({"pages": [{"url": "https://x", "title": "X", "not_checkable": [{"statement": "s"}]}]}))

    with pytest.raises(official.OfficialDocsError, match=r"official_docs\.json: pages\[0\] \(X\) not_checkable\[0\] needs a statement and a reason"):
        official.load(path)


def test_an_api_pages_sections_are_titled_by_their_qualified_names():
    page = official.OfficialPage(url="https://docs.pytorch.org/docs/stable/generated/torch.nn.Foo.html", title="nn.Foo", slug="foo")

    text = official.generated([page], [MODULE], [])["official/foo.md"]

    assert "## `torch.nn.Foo`\n\n<https://docs.pytorch.org/docs/stable/generated/torch.nn.Foo.html#torch.nn.Foo>" in text
