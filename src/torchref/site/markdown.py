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
