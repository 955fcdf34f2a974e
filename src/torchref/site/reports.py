"""Pages across the reference: the home page, the claims, the compatibility matrix and what changed per release."""

from __future__ import annotations

import html
from pathlib import Path

from torchref.releases import changes_between, release_key
from torchref.site.markdown import cell, claim_anchor, count, front_matter, html_href, inline_html, raw_html, site_path
from torchref.site.model import VERDICT_TEXT, Behaviour, Module
from torchref.site.outcomes import CELL, Run, boundaries, release_runs, runs_on, status


def _recorded(runs: list[Run]) -> str:
    """Where results are recorded, in one sentence: the CPU releases, then each GPU with its releases."""
    if not runs:
        return "No results are recorded yet: run `pytest --results results/` to record this machine's."
    cpu = sorted({r.environment["torch"].split("+")[0] for r in runs if r.device == "cpu"}, key=release_key)
    gpus: dict[str, list[str]] = {}
    for r in runs:
        if r.device != "cpu":
            gpus.setdefault(r.environment.get("gpu") or "GPU", []).append(r.environment["torch"].split("+")[0])
    where = []
    if cpu:
        span = cpu[0] if len(cpu) == 1 else f"{cpu[0]} to {cpu[-1]}"
        where.append(f"on CPU for {count(len(cpu), 'torch release')} ({span})")
    for gpu, rels in gpus.items():
        where.append(f"on {html.escape(gpu)} for torch {', '.join(sorted(set(rels), key=release_key))}")
    return "Results are recorded " + " and ".join(where) + "."


def render_home(readme: str, groups: list[tuple[str, list[Module]]], runs: list[Run], pages: list[tuple[str, str]]) -> str:
    """The home page: what the reference is and holds, where to start, then the README's set-up and use.

    `readme` is README.md: its title and first paragraph open the page and the rest follows
    "Where to start", so the set-up commands have one source. `pages` lists the pages across
    the reference as (title, site path), in navigation order.
    """
    lines = readme.strip().splitlines()
    title = lines[0].removeprefix("# ").strip() if lines and lines[0].startswith("# ") else "torchref"
    body = "\n".join(lines[1:] if lines and lines[0].startswith("# ") else lines).strip()
    tagline, _, rest = body.partition("\n\n")
    modules = [m for _, mods in groups for m in mods]
    behaviours = sum(len(m.behaviours) for m in modules)
    topics = [(t, mods) for t, mods in groups if mods]
    out = [
        *front_matter(),
        f"# {title}",
        "",
        tagline,
        "",
        f"The reference holds **{count(behaviours, 'behaviour')}** on **{count(len(modules), 'page')}** in "
        f"{count(len(topics), 'topic')}: each is a pytest test whose name states the behaviour, whose "
        "docstring says why, and whose body proves it. " + _recorded(runs),
        "",
        "## Where to start",
        "",
        "The topics, in the order they teach: each builds on the ones before it.",
        "",
        "| | Topic | Pages | Behaviours | Start with |",
        "|---:|---|---:|---:|---|",
    ]
    for n, (topic_title, mods) in enumerate(topics, start=1):
        index = f"{Path(mods[0].path).parent.name}/index.md"
        in_topic = sum(len(m.behaviours) for m in mods)
        first = f"[{cell(mods[0].title)}]({site_path(mods[0].path)})"
        out.append(f"| {n} | **[{cell(topic_title)}]({index})** | {len(mods)} | {in_topic} | {first} |")
    if pages:
        out += ["", "Across the reference:", ""]
        out += [f"- [{cell(page_title)}]({path}){_ABOUT.get(path, '')}" for page_title, path in pages]
    out += ["", "## Run it yourself", "", rest]
    return "\n".join(out).rstrip() + "\n"


_ABOUT = {
    "claims.md": ": every claim of the study notes the reference started from, with its verdict",
    "compatibility.md": ": every behaviour on every recorded torch release and device",
    "changes.md": ": release by release, the behaviours whose expectation changes",
    "performance.md": ": the benchmarks, timed per device",
    "writing.md": ": how to add a behaviour",
}


def claim_index(modules: list[Module]) -> dict[str, list[tuple[str, Module, Behaviour]]]:
    """Claim id -> [(verdict, module, behaviour)] over every test that checks it."""
    index: dict[str, list[tuple[str, Module, Behaviour]]] = {}
    for m in modules:
        for b in m.behaviours:
            for cid, verdict in b.claims:
                index.setdefault(cid, []).append((verdict, m, b))
    return index


VERDICT_CSS = {"right": "tr-holds", "wrong": "tr-failed", "outdated": "tr-changed"}


def render_claims(claims: dict[str, dict], modules: list[Module], titles: dict[str, str] | None = None) -> str:
    """Every claim of the notes, note by note under the note's own title: the note's sentence,
    its English paraphrase, the verdict, and the tests that check it."""
    titles = titles or {}
    index = claim_index(modules)
    covered = [cid for cid in claims if cid in index]
    tally: dict[str, int] = {}
    for cid in covered:
        for verdict in {v for v, _, _ in index[cid]}:
            tally[verdict] = tally.get(verdict, 0) + 1
    notes = list(dict.fromkeys(c["note"] for c in claims.values()))
    out = [
        *front_matter(hide=("navigation", "toc")),
        "# Claims",
        "",
        f"Every checkable claim about PyTorch in the study notes this reference started from ({count(len(notes), 'note')}) "
        "is listed under its note: the note's own sentence (in Chinese, as written) beside an English "
        "paraphrase, and the verdict of the tests that check it against real PyTorch: *right*, *wrong*, "
        "or *outdated* (right for an older release).",
        "",
        f"**{len(claims)} claims: {len(covered)} checked** "
        f"({tally.get('true', 0)} right, {tally.get('false', 0)} wrong, {tally.get('outdated', 0)} outdated), "
        f"**{len(claims) - len(covered)} uncovered**.",
        "",
    ]
    per_note = {note: sum(c["note"] == note for c in claims.values()) for note in notes}
    out += [
        f"{n}. [{cell(note_title(note, titles))}](#{note_anchor(note)}): {count(per_note[note], 'claim')}"
        for n, note in enumerate(notes, start=1)
    ]
    note = None
    for cid, c in claims.items():
        if c["note"] != note:
            note = c["note"]
            number = notes.index(note) + 1
            out += [
                "",
                f"## Note {number}: {cell(note_title(note, titles))} {{#{note_anchor(note)}}}",
                "",
                f'<p class="tr-meta">File <code>{html.escape(note)}</code></p>',
                "",
                "| Claim | The note says | In English | Verdict | Checked by |",
                "|---|---|---|---|---|",
            ]
        checks = index.get(cid, [])
        if checks:
            verdicts = sorted({VERDICT_TEXT[v].removeprefix("the note is ") for v, _, _ in checks})
            verdict = " ".join(f'<span class="tr-badge {VERDICT_CSS[v]}">{v}</span>' for v in verdicts)
            tests = "<br>".join(f"[{cell(b.heading)}]({site_path(m.path)}#{b.name})" for _, m, b in checks)
        else:
            verdict = '<span class="tr-badge tr-notrun">uncovered</span>' + (f" {cell(c['uncovered'])}" if c.get("uncovered") else "")
            tests = ""
        where = f'<span lang="zh">{cell(c["where"])}</span>' if c.get("where") else ""
        claim_cell = f'<span id="{claim_anchor(cid)}"></span>{cid}<br><span class="tr-topic">{cell(c["topic"])}</span>'
        out.append(f"| {claim_cell} | {where} | {cell(c['claim'])} | {verdict} | {tests} |")
    return "\n".join(out).rstrip() + "\n"


def note_title(note: str, titles: dict[str, str]) -> str:
    """A note's own title, or its file name when the claims file does not give one."""
    return titles.get(note) or note


def note_anchor(note: str) -> str:
    """000_b395bdbb581ec15e.txt -> note-000: stable, ASCII, and independent of the title."""
    return "note-" + note.split("_", 1)[0].removesuffix(".txt")


def _short_device(run: Run) -> str:
    gpu = (run.environment.get("gpu") or "GPU").removeprefix("NVIDIA ")
    return gpu.split()[0]


def changed(b: Behaviour, states: list[str], releases: list[str]) -> bool:
    """Whether a behaviour changes across the recorded releases: a version gate or range that
    moves within them, or an outcome that differs between two runs (not counting "not run")."""
    return bool(boundaries(b, releases)) or len({s for s in states if s != "notrun"}) > 1


MATRIX = "compatibility.md"


def render_matrix(groups: list[tuple[str, list[Module]]], runs: list[Run]) -> str:
    """Behaviour x recorded run, grouped by topic and page, as one HTML table with a topic filter."""
    out = [
        *front_matter(hide=("navigation", "toc"), searchable=False),
        "# Compatibility matrix",
        "",
        "Every behaviour (rows) on every recorded run (columns: torch release, and the GPU where "
        "one was used): ✓ passed, – skipped (hover for the reason), ✗ failed, · not run. A "
        "behaviour whose expectation depends on the release is asserted per release, so a "
        "release it describes correctly shows ✓.",
        "",
    ]
    if not runs:
        return "\n".join([*out, "No recorded results yet: run `pytest --results results/`."]) + "\n"
    totals = []
    for run in runs:
        counts: dict[str, int] = {}
        for e in run.tests.values():
            counts[e["outcome"]] = counts.get(e["outcome"], 0) + 1
        totals.append(", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    out += [f'??? info "The {len(runs)} recorded runs"', "", "    | Run | Tests |", "    |---|---|"]
    out += [f"    | {html.escape(r.label)} | {t} |" for r, t in zip(runs, totals, strict=True)] + [""]

    cpu = release_runs(runs)
    releases = [r.release for r in cpu]
    width = len(runs) + 1
    topics = [(Path(mods[0].path).parent.name, title) for title, mods in groups if mods]
    options = "".join(f'<option value="{html.escape(t)}">{html.escape(title)}</option>' for t, title in topics)
    table = [
        '<div class="tr-matrix-controls" hidden>',
        f'<label>Topic <select class="tr-topic-filter"><option value="">All topics</option>{options}</select></label>',
        '<label><input type="checkbox" class="tr-changed-filter"> Only what changed between releases</label>',
        '<span class="tr-count" aria-live="polite"></span>',
        "</div>",
        "",
        '<div class="tr-matrix-wrap" tabindex="0" role="region" aria-label="Compatibility matrix: behaviours by recorded run">',
        '<table class="tr-matrix">',
        '<thead><tr><th scope="col">Behaviour</th>',
    ]
    for run, total in zip(runs, totals, strict=True):
        device = "" if run.device == "cpu" else f'<br><span class="tr-gpu">{html.escape(_short_device(run))}</span>'
        table.append(f'<th scope="col" title="{html.escape(run.label)}: {html.escape(total)}">{html.escape(run.release)}{device}</th>')
    table += ["</tr></thead>", "<tbody>"]
    for title, modules in groups:
        if not modules:
            continue
        topic = html.escape(Path(modules[0].path).parent.name)
        table.append(f'<tr class="tr-topic-row" data-topic="{topic}"><th colspan="{width}"><span>{html.escape(title)}</span></th></tr>')
        for m in modules:
            page = site_path(m.path)
            table.append(
                f'<tr class="tr-page-row" data-topic="{topic}">'
                f'<th colspan="{width}"><a href="{html_href(MATRIX, page)}">{inline_html(m.title)}</a></th></tr>'
            )
            for b in m.behaviours:
                states = [status(run.outcomes(m.path, b.name)) for run in runs]
                moved = changed(b, [css for run, (css, _) in zip(runs, states, strict=True) if run.device == "cpu"], releases)
                cells = "".join(f'<td class="tr-{css}" title="{html.escape(text)}">{CELL[css]}</td>' for css, text in states)
                table.append(
                    f'<tr class="tr-row" data-topic="{topic}" data-changed="{int(moved)}">'
                    f'<th scope="row"><a href="{html_href(MATRIX, page, b.name)}">{inline_html(b.heading)}</a></th>{cells}</tr>'
                )
    table += ["</tbody>", "</table>", "</div>"]
    # Plain HTML past the Markdown converter, which spends about half a second of every build parsing it.
    return "\n".join([*out, *raw_html(table)]).rstrip() + "\n"


def render_changes(groups: list[tuple[str, list[Module]]], runs: list[Run], releases: list[str]) -> str:
    """Per release, the behaviours whose expectation or recorded outcome changes there."""
    cpu = release_runs(runs)
    recorded = [r.release for r in cpu]
    entries: dict[str, list[str]] = {}
    for _, modules in groups:
        for m in modules:
            for b in m.behaviours:
                target = f"[{cell(b.heading)}]({site_path(m.path)}#{b.name})"
                source = f" · [source]({b.source_link})" if b.source_link else ""
                marked = set()
                for keys in b.by_version:
                    for rel in changes_between(list(keys), releases):
                        marked.add(rel)
                        ranges = ", ".join(f"`torch{k}`" for k in keys)
                        entries.setdefault(rel, []).append(f"**expectation changes**: {target} (ranges {ranges}){source}")
                if b.torch_versions:
                    spec = ", ".join(f"`torch{s}`" for s in b.torch_versions)
                    for rel in changes_between(list(b.torch_versions), releases):
                        marked.add(rel)
                        what = "new, checked from here on" if runs_on(b, rel) else "no longer holds, not checked from here on"
                        entries.setdefault(rel, []).append(f"**{what}**: {target} ({spec}){source}")
                states = [status(r.outcomes(m.path, b.name)) for r in cpu]
                for i in range(1, len(states)):
                    rel = recorded[i]
                    if states[i][0] != states[i - 1][0] and rel not in marked and "notrun" not in (states[i][0], states[i - 1][0]):
                        entries.setdefault(rel, []).append(
                            f"**outcome changes**: {target}: {html.escape(states[i - 1][1])} → {html.escape(states[i][1])}"
                        )
    out = [
        "# What changed",
        "",
        "Per torch release, the behaviours whose expectation changes there. Generated from the "
        "tests' version markers (`torch_version`, `by_version` ranges) and from the recorded "
        "results (an outcome that differs from the release before): nothing here is written by hand.",
        "",
    ]
    if recorded:
        out += [f"Recorded releases: {', '.join(recorded)}.", ""]
    ordered = sorted(entries, key=release_key)
    if not ordered:
        out.append("No behaviour changes between the supported releases.")
    for rel in reversed(ordered):
        out += [f"## torch {rel}", ""] + [f"- {e}" for e in entries[rel]] + [""]
    return "\n".join(out).rstrip() + "\n"
