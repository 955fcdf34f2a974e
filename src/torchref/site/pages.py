"""The reference pages: one module -> one Markdown page, and each topic's index."""

from __future__ import annotations

import posixpath

import html
import json

from torchref.learn import find_blanks
from torchref.markers import DEVICE_MARKERS, MARKERS
from torchref.site import figures
from torchref.site.markdown import claim_anchor, first_paragraph, link, site_path
from torchref.site.model import VERDICT_TEXT, Behaviour, Module
from torchref.site.outcomes import Run, badges, range_badge


def _blanks(code: str) -> list:
    """The blanks predict mode hides in a test's code; none for a body the page shows empty."""
    try:
        return find_blanks(code)
    except SyntaxError:
        return []


def _claims_line(b: Behaviour, page: str) -> str:
    items = [
        f"[{cid}]({link(page, 'claims.md', claim_anchor(cid))}) ({VERDICT_TEXT[verdict]})" for cid, verdict in b.claims
    ]
    return "**Checks the note's claim** " + ", ".join(items)


def _conditions(b: Behaviour) -> str:
    parts = [f"runs on torch{spec}" for spec in b.torch_versions]
    parts += [f"runs on torchvision{spec}" for spec in b.torchvision_versions]
    parts += ["expectation set per release: " + ", ".join(f"`torch{k}`" for k in keys) for keys in b.by_version]
    parts += ["expectation set per release: " + ", ".join(f"`torchvision{k}`" for k in keys) for keys in b.by_torchvision]
    parts += [DEVICE_MARKERS[d] for d in b.devices]
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def render_page(module: Module, runs: list[Run]) -> str:
    """One reference module as one Markdown page; each figure is a mark that `figures.fill` replaces."""
    page = site_path(module.path)
    out = [f"# {module.title}", ""]
    if module.intro:
        out += [module.intro, ""]
    if module.setup:
        out += ['??? example "Imports and helpers used on this page"', "", "    ```python"]
        out += [f"    {line}".rstrip() for line in module.setup.splitlines()]
        out += ["    ```", ""]
    for b in module.behaviours:
        out += [f"## {b.heading} {{ #{b.name} }}", ""]
        out += [f'<div class="tr-status">{range_badge(module.path, b, runs)}{badges(module.path, b.name, runs)}</div>', ""]
        if b.erratum:
            out += ['!!! warning "Docs erratum"', "", f"    The official docs say: {b.erratum}", ""]
        if b.prose:
            out += [b.prose, ""]
        for helper in b.shows:
            out += [f'<div class="tr-helper" markdown>Uses `{helper}`, defined on this page:</div>', ""]
            out += ["```python", module.helpers[helper], "```", ""]
        out += ["```python", b.code, "```", ""]
        if blanks := _blanks(b.code):
            spans = json.dumps([[blank.start, blank.end] for blank in blanks])
            out += [f'<div class="tr-predict" data-blanks="{html.escape(spans)}" hidden></div>', ""]
        if b.figure:
            out += [f'<div class="tr-figure">{figures.mark(b.figure)}</div>', ""]
        meta = [_claims_line(b, page)] if b.claims else []
        if conditions := _conditions(b):
            meta.append(conditions)
        meta.append(f"Run it: `pytest {module.path}::{b.name}`")
        if b.docs:
            meta.append(f"Docs: <{b.docs}>")
        out += ['<div class="tr-meta" markdown>', "", "<br>\n".join(meta), "", "</div>", ""]
    return "\n".join(out).rstrip() + "\n"


def render_topic_index(title: str, modules: list[Module]) -> str:
    """A topic's landing page: each page of the topic with its behaviours as links."""
    count = sum(len(m.behaviours) for m in modules)
    out = [f"# {title}", "", f"{count} behaviours on {len(modules)} pages.", ""]
    for m in modules:
        target = posixpath.basename(site_path(m.path))
        out += [f"## [{m.title}]({target})", ""]
        if intro := first_paragraph(m.intro):
            out += [intro, ""]
        out += [f"- [{b.heading}]({target}#{b.name})" for b in m.behaviours]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


MARKERS_PLACEHOLDER = "<!-- torchref:markers -->"


def markers_table() -> str:
    """The markers as a Markdown table, from the one marker table the plugin registers."""
    rows = ["| marker | meaning |", "|---|---|"]
    for line in MARKERS.values():
        usage, _, meaning = line.partition(": ")
        rows.append(f"| `{usage}` | {meaning} |")
    return "\n".join(rows)
