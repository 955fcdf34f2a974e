"""Official docs, checked: each official page, section by section, with the behaviours that assert it.

Generated from the tests' `Docs:` links (page URL and section anchor) and a small data file of
the statements that cannot be checked here, with the reason. Nothing is written twice: a
behaviour appears under the section its `Docs:` link names. Also the Docs errata page: every
behaviour marked `docs_erratum`, with the releases on which torch does otherwise.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from torchref.site.markdown import cell, front_matter, link, site_path
from torchref.site.model import Behaviour, Module
from torchref.site.outcomes import Run, release_runs, status

FOLDER = "official"
INDEX = f"{FOLDER}/index.md"
OTHER = f"{FOLDER}/other.md"
ERRATA = "errata.md"


class OfficialDocsError(Exception):
    """A malformed official-docs file; the message names the file and the entry."""


@dataclass(frozen=True)
class OfficialPage:
    url: str  # without anchor, in the docs.pytorch.org form
    title: str
    slug: str
    not_checkable: tuple[tuple[str, str, str], ...] = ()  # (section anchor, statement, reason)
    sections: dict[str, str] = field(default_factory=dict)  # anchor -> section title, in page order


def normalise(url: str) -> tuple[str, str]:
    """(page URL, section anchor) with the old pytorch.org host mapped to docs.pytorch.org."""
    page, _, anchor = url.partition("#")
    page = re.sub(r"^https?://pytorch\.org/(docs|vision)/", r"https://docs.pytorch.org/\1/", page)
    return page, anchor


def load(path: Path) -> list[OfficialPage]:
    """The listed official pages, or OfficialDocsError naming the file and the entry."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OfficialDocsError(f"{path}: not a readable official-docs file ({exc})") from None
    pages = []
    for i, entry in enumerate(data.get("pages", []) if isinstance(data, dict) else []):
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str) or not isinstance(entry.get("title"), str):
            raise OfficialDocsError(f"{path}: pages[{i}] needs a url and a title")
        items = []
        for j, item in enumerate(entry.get("not_checkable", [])):
            if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("statement", "reason")):
                raise OfficialDocsError(f"{path}: pages[{i}] ({entry['title']}) not_checkable[{j}] needs a statement and a reason")
            items.append((item.get("section", ""), item["statement"], item["reason"]))
        url = normalise(entry["url"])[0]
        slug = re.sub(r"[^a-z0-9]+", "-", posixpath.basename(url).removesuffix(".html").lower()).strip("-")
        pages.append(OfficialPage(url, entry["title"], slug, tuple(items), dict(entry.get("sections", {}))))
    return pages


def _section_title(anchor: str, page: OfficialPage) -> str:
    if not anchor:
        return "The page as a whole"
    if anchor in page.sections:
        return page.sections[anchor]
    # An API page's anchors are qualified names (torch.nn.BCELoss): shown as written, as code.
    return f"`{anchor}`" if "." in anchor and "-" not in anchor else anchor.replace("-", " ").capitalize()


def _by_page(modules: list[Module]) -> dict[str, list[tuple[str, Module, Behaviour]]]:
    """Page URL -> [(anchor, module, behaviour)] over every behaviour's Docs link."""
    found: dict[str, list[tuple[str, Module, Behaviour]]] = {}
    for m in modules:
        for b in m.behaviours:
            if b.docs:
                url, anchor = normalise(b.docs)
                found.setdefault(url, []).append((anchor, m, b))
    return found


def page_path(page: OfficialPage) -> str:
    return f"{FOLDER}/{page.slug}.md"


def _behaviour_link(from_page: str, m: Module, b: Behaviour) -> str:
    return f"[{cell(b.heading)}]({link(from_page, site_path(m.path), b.name)})"


def render_official_page(page: OfficialPage, checks: list[tuple[str, Module, Behaviour]]) -> str:
    """One official page, section by section: the behaviours asserting it, and what cannot be checked."""
    here = page_path(page)
    anchors = list(page.sections) + [a for a, _, _ in checks if a not in page.sections]
    anchors += [a for a, _, _ in page.not_checkable if a not in anchors]
    out = [
        f"# {page.title}",
        "",
        f"Official page: <{page.url}>",
        "",
        f"**{len(checks)} behaviours** assert statements of this page; "
        f"**{len(page.not_checkable)} statements** cannot be checked here.",
        "",
    ]
    for anchor in dict.fromkeys(anchors):
        here_checks = [(m, b) for a, m, b in checks if a == anchor]
        uncheckable = [(s, r) for a, s, r in page.not_checkable if a == anchor]
        if not here_checks and not uncheckable:
            continue
        target = f"{page.url}#{anchor}" if anchor else page.url
        out += [f"## {_section_title(anchor, page)}", "", f"<{target}>", ""]
        out += [f"- {_behaviour_link(here, m, b)}" for m, b in here_checks]
        out += [f"- *Not checkable here*: {cell(s)} ({cell(r)})" for s, r in uncheckable]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_index(pages: list[OfficialPage], by_page: dict[str, list[tuple[str, Module, Behaviour]]]) -> str:
    """Every official page the reference links, with counts; the listed ones have a page each."""
    listed = {p.url for p in pages}
    out = [
        *front_matter(hide=("toc",)),
        "# Official docs, checked",
        "",
        "Each official page below, with the number of behaviours whose `Docs:` line links it. "
        "The pages the reference works through sentence by sentence have a page here, section by "
        "section, with the statements that cannot be checked on this machine and why.",
        "",
        "| Official page | Behaviours | Sections | Not checkable here |",
        "|---|---|---|---|",
    ]
    for p in pages:
        checks = by_page.get(p.url, [])
        sections = len({a for a, _, _ in checks})
        out.append(f"| [{cell(p.title)}]({posixpath.basename(page_path(p))}) | {len(checks)} | {sections} | {len(p.not_checkable)} |")
    others = sorted(url for url in by_page if url not in listed)
    out += ["", f"Besides these, {len(others)} API pages are linked by behaviours: see [Other API pages](other.md).", ""]
    return "\n".join(out).rstrip() + "\n"


def render_other(pages: list[OfficialPage], by_page: dict[str, list[tuple[str, Module, Behaviour]]]) -> str:
    """The linked official pages not listed in the official-docs file, each with its behaviours."""
    listed = {p.url for p in pages}
    out = [*front_matter(hide=("toc",), searchable=False), "# Other API pages", "", "Official pages linked by behaviours, with those behaviours.", ""]
    for url in sorted(u for u in by_page if u not in listed):
        name = posixpath.basename(url).removesuffix(".html")
        out += [f"## {cell(name)}", "", f"<{url}>", ""]
        out += [f"- {_behaviour_link(OTHER, m, b)}" for _, m, b in by_page[url]]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_errata(modules: list[Module], runs: list[Run]) -> str:
    """Every behaviour where the official docs say otherwise than torch does, with where it holds."""
    cpu = release_runs(runs)
    out = [
        *front_matter(hide=("toc",)),
        "# Docs errata",
        "",
        "Statements of the official docs that torch does not do as written, on the releases "
        "listed. Each is asserted by a behaviour that checks what torch really does.",
        "",
    ]
    found = [(m, b) for m in modules for b in m.behaviours if b.erratum]
    if not found:
        return "\n".join([*out, "No erratum recorded."]) + "\n"
    out += ["| Behaviour | The docs say | Holds on |", "|---|---|---|"]
    for m, b in found:
        passed = [r.release for r in cpu if status(r.outcomes(m.path, b.name))[0] == "passed"]
        where = ", ".join(passed) if passed else "not recorded"
        out.append(f"| {_behaviour_link(ERRATA, m, b)} | {cell(b.erratum or '')} ([docs]({b.docs})) | {where} |")
    return "\n".join(out).rstrip() + "\n"


def generated(pages: list[OfficialPage], modules: list[Module], runs: list[Run]) -> dict[str, str]:
    """Site path -> Markdown for the Official docs section and the Docs errata page."""
    by_page = _by_page(modules)
    out = {INDEX: render_index(pages, by_page), OTHER: render_other(pages, by_page), ERRATA: render_errata(modules, runs)}
    for p in pages:
        out[page_path(p)] = render_official_page(p, by_page.get(p.url, []))
    return out


def nav() -> list:
    # The page of each official page is reached from the index's table: ninety entries in every
    # page's navigation made the built site about a quarter larger and its build slower.
    return [INDEX, OTHER]
