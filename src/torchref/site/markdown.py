"""Markdown helpers shared by every generated page."""

from __future__ import annotations

import html
import posixpath
import re


def front_matter(hide: tuple[str, ...] = (), searchable: bool = True) -> list[str]:
    """mkdocs-material page settings: parts of the layout to hide, and whether search indexes the page."""
    lines = ["---", "hide:", *(f"  - {part}" for part in hide)]
    lines += [] if searchable else ["search:", "  exclude: true"]
    return [*lines, "---", ""]


RAW_START, RAW_END = "<!--torchref:raw-->", "<!--/torchref:raw-->"
_RAW = re.compile(re.escape(RAW_START) + r"\n(.*?)\n" + re.escape(RAW_END), re.S)
_RAW_SLOT = re.compile(r"<!--torchref:raw (\d+)-->")


def raw_html(lines: list[str]) -> list[str]:
    """Plain HTML lines marked to go into the page as they are, past the Markdown converter.

    Python-Markdown parses every raw HTML block it meets; for the thousands of rows of the
    compatibility matrix that alone costs about half a second of every build.
    """
    return [RAW_START, *lines, RAW_END]


def take_raw(markdown: str) -> tuple[str, list[str]]:
    """The Markdown with each raw block replaced by a numbered slot, and the blocks in order."""
    blocks: list[str] = []

    def slot(match: re.Match) -> str:
        blocks.append(match.group(1))
        return f"<!--torchref:raw {len(blocks) - 1}-->"

    return _RAW.sub(slot, markdown), blocks


def put_raw(page_html: str, blocks: list[str]) -> str:
    """The converted page with each slot filled by its raw block again."""
    return _RAW_SLOT.sub(lambda match: blocks[int(match.group(1))], page_html)


def site_path(module_path: str) -> str:
    """reference/tensors/test_views.py -> tensors/views.md"""
    parts = module_path.split("/")
    return f"{parts[-2]}/{parts[-1].removeprefix('test_').removesuffix('.py')}.md"


def link(from_page: str, to_page: str, anchor: str = "") -> str:
    rel = posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")
    return rel + (f"#{anchor}" if anchor else "")


def claim_anchor(claim_id: str) -> str:
    return claim_id.lower()


def cell(text: str) -> str:
    """Table-cell text: Markdown emphasis characters kept literal outside `code` spans."""
    parts = html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ").split("`")
    parts[::2] = [re.sub(r"([_*\[\]])", r"\\\1", part) for part in parts[::2]]
    return "`".join(parts)


def first_paragraph(text: str) -> str:
    return text.strip().split("\n\n")[0].replace("\n", " ") if text.strip() else ""


def inline_html(text: str) -> str:
    """A heading as HTML: escaped, with its `code` spans as <code>; for pages written as raw HTML."""
    parts = html.escape(text, quote=False).split("`")
    return "".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts))


def html_href(from_page: str, to_page: str, anchor: str = "") -> str:
    """A link between generated pages as the built site names them (`use_directory_urls: false`)."""
    return link(from_page, to_page.removesuffix(".md") + ".html", anchor)


def count(n: int, noun: str) -> str:
    """`1 behaviour`, `2 behaviours`: a number with its noun in the right number."""
    return f"{n} {noun}" + ("" if n == 1 else "s")
