"""The renderer: a reference module's source and recorded results in, Markdown out.

Pure functions only: no file access, no imports of the module rendered, no mkdocs. The
glue in `mkdocs_hooks.py` reads files and hands them over.
"""

from __future__ import annotations

import ast
import html
import posixpath
import re
import textwrap
from dataclasses import dataclass, field

from packaging.version import Version

from reference._support.releases import changes_between, matches, minor, release_key
from reference._support.results import label

# Markers that the page shows as badges or figures rather than as code.
META_MARKERS = {"claim", "torch_version", "cuda", "multi_gpu", "no_cuda", "figure"}
DEVICE_TEXT = {"cuda": "needs a CUDA device", "multi_gpu": "needs 2 CUDA devices", "no_cuda": "needs a machine without a CUDA device"}
VERDICT_TEXT = {"true": "the note is right", "false": "the note is wrong", "outdated": "the note is outdated"}


class RenderError(Exception):
    """A module that cannot be rendered; the message names the file."""


@dataclass(frozen=True)
class Behaviour:
    name: str
    heading: str
    prose: str
    docs: str | None
    code: str
    line: int
    claims: tuple[tuple[str, str], ...] = ()
    torch_versions: tuple[str, ...] = ()
    by_version: tuple[tuple[str, ...], ...] = ()
    devices: tuple[str, ...] = ()
    figure: str | None = None


@dataclass(frozen=True)
class Module:
    path: str  # as in pytest node ids: reference/tensors/test_views.py
    title: str
    intro: str
    setup: str
    behaviours: tuple[Behaviour, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------- parsing


def _mark(decorator: ast.expr) -> tuple[str, ast.Call | None] | None:
    """('claim', call) for `@pytest.mark.claim(...)`, ('cuda', None) for `@pytest.mark.cuda`."""
    call = decorator if isinstance(decorator, ast.Call) else None
    target = call.func if call else decorator
    if (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Attribute)
        and target.value.attr == "mark"
        and isinstance(target.value.value, ast.Name)
        and target.value.value.id == "pytest"
    ):
        return target.attr, call
    return None


def _literal(node: ast.expr, path: str, where: str):
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise RenderError(f"{path}:{node.lineno}: {where} needs literal arguments") from None


def _split_docstring(doc: str) -> tuple[str, str, str | None]:
    lines = doc.strip().splitlines()
    heading, rest = lines[0].strip().removesuffix("."), lines[1:]
    docs = None
    if rest and rest[-1].strip().startswith("Docs:"):
        docs = rest.pop().split(":", 1)[1].strip()
    return heading, "\n".join(rest).strip(), docs


def _segment(lines: list[str], first: int, last: int) -> list[str]:
    return lines[first - 1 : last]


def _function_code(node: ast.FunctionDef, lines: list[str]) -> str:
    """The function as a reader would copy it: no docstring, no metadata decorators."""
    hidden = set()
    for dec in node.decorator_list:
        mark = _mark(dec)
        if mark and mark[0] in META_MARKERS:
            hidden.update(range(dec.lineno, dec.end_lineno + 1))
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        hidden.update(range(body[0].lineno, body[0].end_lineno + 1))
        if len(body) > 1 and body[1].lineno > body[0].end_lineno + 1:
            # the blank line that separated docstring and code
            hidden.update(range(body[0].end_lineno + 1, body[1].lineno))
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    kept = [text for n, text in enumerate(_segment(lines, first, node.end_lineno), start=first) if n not in hidden]
    # a decorator line starts with '@' one column before its expression
    return textwrap.dedent("\n".join(kept)).strip("\n")


def _by_version_keys(node: ast.FunctionDef) -> tuple[tuple[str, ...], ...]:
    found = []
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name == "by_version" and call.args and isinstance(call.args[0], ast.Dict):
            keys = call.args[0].keys
            if all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in keys):
                found.append(tuple(k.value for k in keys))
    return tuple(found)


def _module_marks(tree: ast.Module, path: str) -> tuple[list[str], list[str]]:
    """torch_version specifiers and device markers of a module-level `pytestmark`: they gate every test."""
    versions, devices = [], []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "pytestmark" for t in node.targets):
            values = node.value.elts if isinstance(node.value, (ast.List, ast.Tuple)) else [node.value]
            for value in values:
                mark = _mark(value)
                if mark and mark[0] == "torch_version" and mark[1] and mark[1].args:
                    versions.append(_literal(mark[1].args[0], path, "pytestmark"))
                elif mark and mark[0] in DEVICE_TEXT:
                    devices.append(mark[0])
    return versions, devices


def _behaviour(node: ast.FunctionDef, lines: list[str], path: str, module_marks: tuple[list[str], list[str]]) -> Behaviour:
    doc = ast.get_docstring(node)
    if not doc:
        raise RenderError(f"{path}:{node.lineno}: {node.name} has no docstring (its first line is the heading)")
    heading, prose, docs = _split_docstring(doc)
    claims, versions, devices, figure = [], list(module_marks[0]), list(module_marks[1]), None
    for dec in node.decorator_list:
        mark = _mark(dec)
        if not mark:
            continue
        name, call = mark
        where = f"{node.name}'s {name} marker"
        if name == "claim":
            if not call or len(call.args) != 1 or [k.arg for k in call.keywords] != ["verdict"]:
                raise RenderError(f'{path}:{dec.lineno}: {where}: write @pytest.mark.claim("S2-017", verdict="false")')
            claims.append((_literal(call.args[0], path, where), _literal(call.keywords[0].value, path, where)))
        elif name == "torch_version" and call and call.args:
            versions.append(_literal(call.args[0], path, where))
        elif name in DEVICE_TEXT:
            devices.append(name)
        elif name == "figure":
            if not call or len(call.args) != 1 or not isinstance(call.args[0], ast.Constant) or call.keywords:
                raise RenderError(f'{path}:{dec.lineno}: {where}: write @pytest.mark.figure("function_name")')
            figure = call.args[0].value
    return Behaviour(
        name=node.name,
        heading=heading,
        prose=prose,
        docs=docs,
        code=_function_code(node, lines),
        line=node.lineno,
        claims=tuple(claims),
        torch_versions=tuple(versions),
        by_version=_by_version_keys(node),
        devices=tuple(devices),
        figure=figure,
    )


def title_from_path(path: str) -> str:
    return posixpath.basename(path).removeprefix("test_").removesuffix(".py").replace("_", " ").capitalize()


def parse(source: str, path: str) -> Module:
    """Read a reference module. `path` is only used to name the file in errors and node ids."""
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as exc:
        raise RenderError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
    lines = source.splitlines()
    doc = ast.get_docstring(tree) or ""
    title, _, intro = doc.strip().partition("\n")
    behaviours, hidden, marks = [], set(), _module_marks(tree, path)
    if doc:
        hidden.update(range(tree.body[0].lineno, tree.body[0].end_lineno + 1))
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
            behaviours.append(_behaviour(node, lines, path, marks))
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            hidden.update(range(first, node.end_lineno + 1))
    setup = "\n".join(text for n, text in enumerate(lines, start=1) if n not in hidden)
    return Module(
        path=path,
        title=title.strip() or title_from_path(path),
        intro=intro.strip(),
        setup=re.sub(r"\n{4,}", "\n\n\n", setup).strip("\n"),
        behaviours=tuple(behaviours),
    )


# ---------------------------------------------------------------- results


_BY_FUNCTION: dict[int, tuple[dict, dict[str, list[dict]]]] = {}


def _by_function(tests: dict) -> dict[str, list[dict]]:
    """'path::test_name' -> its entries (several when parametrized), built once per results dict."""
    cached = _BY_FUNCTION.get(id(tests))
    if cached is None or cached[0] is not tests:
        if len(_BY_FUNCTION) > 64:  # `mkdocs serve` reloads every run on each rebuild
            _BY_FUNCTION.clear()
        index: dict[str, list[dict]] = {}
        for nodeid, entry in tests.items():
            index.setdefault(nodeid.split("[", 1)[0], []).append(entry)
        cached = _BY_FUNCTION[id(tests)] = (tests, index)
    return cached[1]


def outcomes(path: str, name: str, run: dict) -> list[dict]:
    """The recorded entries of one test function in one run (several when parametrized)."""
    return _by_function(run["tests"]).get(f"{path}::{name}", [])


def status(entries: list[dict]) -> tuple[str, str]:
    """(css class, text) summarising a test's entries in one run."""
    if not entries:
        return "notrun", "not run"
    counts: dict[str, int] = {}
    for e in entries:
        counts[e["outcome"]] = counts.get(e["outcome"], 0) + 1
    n = len(entries)

    def why(outcome: str) -> str:
        text = next(e.get("reason", "") for e in entries if e["outcome"] == outcome)
        return f": {text}" if text else ""

    for outcome in ("failed", "xfailed"):
        if counts.get(outcome):
            part = f" {counts[outcome]}/{n}" if n > 1 else ""
            return outcome, f"{outcome}{part}{why(outcome)}"
    if counts.get("skipped") == n:
        return "skipped", f"skipped{why('skipped')}"
    if counts.get("skipped"):
        return "partial", f"passed {counts.get('passed', 0)}/{n}, skipped {counts['skipped']}{why('skipped')}"
    return "passed", "passed" if n == 1 else f"passed {n}/{n}"


def badges(path: str, name: str, runs: list[dict]) -> str:
    """One badge per outcome and device, over the range of releases that share it."""
    if not runs:
        return '<span class="tr-badge tr-notrun">not run</span>'
    groups: list[list] = []  # [css, text, device, first release, last release]
    for run in sorted(runs, key=lambda r: (r["environment"]["device"] != "cpu", r["environment"]["gpu"] or "")):
        css, text = status(outcomes(path, name, run))
        text = re.sub(r", have [^,;]+$", "", text)  # the installed release is in the badge already
        release, device = label(run["environment"]).removeprefix("torch ").split(" · ", 1)
        if groups and groups[-1][:3] == [css, text, device]:
            groups[-1][4] = release
        else:
            groups.append([css, text, device, release, release])
    spans = []
    for css, text, device, first, last in groups:
        releases = first if first == last else f"{first}–{last}"
        spans.append(f'<span class="tr-badge tr-{css}">{html.escape(text)} · torch {releases} · {html.escape(device)}</span>')
    return " ".join(spans)


def release_runs(runs: list[dict]) -> list[dict]:
    """The CPU runs, one per release: the columns of the version matrix."""
    return [r for r in runs if r["environment"]["device"] == "cpu"]


def runs_on(b: Behaviour, release: str) -> bool:
    """Whether the test's torch_version markers let it run on this release."""
    return all(matches(spec, Version(release)) for spec in b.torch_versions)


def boundaries(b: Behaviour, releases: list[str]) -> list[str]:
    """Releases at which the test's expectation changes, from its markers and by_version ranges."""
    found = set(changes_between(list(b.torch_versions), releases)) if b.torch_versions else set()
    for keys in b.by_version:
        found.update(changes_between(list(keys), releases))
    return sorted(found, key=release_key)


def range_badge(path: str, b: Behaviour, runs: list[dict]) -> str:
    """One badge summarising the behaviour over the recorded releases: holds, changed, or fails."""
    runs = release_runs(runs)
    releases = [minor(r["environment"]["torch"]) for r in runs]
    if len(set(releases)) < 2:
        return ""
    states = [status(outcomes(path, b.name, r))[0] for r in runs]
    failing = [rel for rel, s in zip(releases, states) if s == "failed"]
    changed = boundaries(b, releases)
    if failing:
        css, text = "failed", "fails on " + ", ".join(failing)
    elif changed and not b.by_version and runs_on(b, releases[-1]):
        css, text = "changed", "new in " + ", ".join(changed)
    elif changed:
        css, text = "changed", "changed in " + ", ".join(changed)
    elif all(s in ("passed", "partial") for s in states):
        css, text = "holds", f"holds on {releases[0]}–{releases[-1]}"
    else:
        return ""
    return f'<span class="tr-badge tr-{css}">{html.escape(text)}</span> '


# ---------------------------------------------------------------- pages


def front_matter(hide: tuple[str, ...] = (), searchable: bool = True) -> list[str]:
    """mkdocs-material page settings: parts of the layout to hide, and whether search indexes the page."""
    lines = ["---", "hide:", *(f"  - {part}" for part in hide)]
    lines += [] if searchable else ["search:", "  exclude: true"]
    return lines + ["---", ""]


def site_path(module_path: str) -> str:
    """reference/tensors/test_views.py -> tensors/views.md"""
    parts = module_path.split("/")
    return f"{parts[-2]}/{parts[-1].removeprefix('test_').removesuffix('.py')}.md"


def link(from_page: str, to_page: str, anchor: str = "") -> str:
    rel = posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")
    return rel + (f"#{anchor}" if anchor else "")


def claim_anchor(claim_id: str) -> str:
    return claim_id.lower()


def _claims_line(b: Behaviour, page: str) -> str:
    items = [
        f"[{cid}]({link(page, 'claims.md', claim_anchor(cid))}) ({VERDICT_TEXT[verdict]})" for cid, verdict in b.claims
    ]
    return "**Checks the note's claim** " + ", ".join(items)


def _conditions(b: Behaviour) -> str:
    parts = [f"runs on torch{spec}" for spec in b.torch_versions]
    parts += ["expectation set per release: " + ", ".join(f"`torch{k}`" for k in keys) for keys in b.by_version]
    parts += [DEVICE_TEXT[d] for d in b.devices]
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def render_page(module: Module, runs: list[dict], figures: dict[str, str] | None = None) -> str:
    """One reference module as one Markdown page."""
    page = site_path(module.path)
    figures = figures or {}
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
        if b.prose:
            out += [b.prose, ""]
        out += ["```python", b.code, "```", ""]
        if b.figure:
            out += [f'<div class="tr-figure">{figures.get(b.figure, "figure not drawn")}</div>', ""]
        meta = [_claims_line(b, page)] if b.claims else []
        if conditions := _conditions(b):
            meta.append(conditions)
        meta.append(f"Run it: `pytest {module.path}::{b.name}`")
        if b.docs:
            meta.append(f"Docs: <{b.docs}>")
        out += ['<div class="tr-meta" markdown>', "", "<br>\n".join(meta), "", "</div>", ""]
    return "\n".join(out).rstrip() + "\n"


def _first_paragraph(text: str) -> str:
    return text.strip().split("\n\n")[0].replace("\n", " ") if text.strip() else ""


def render_topic_index(title: str, modules: list[Module]) -> str:
    """A topic's landing page: each page of the topic with its behaviours as links."""
    count = sum(len(m.behaviours) for m in modules)
    out = [f"# {title}", "", f"{count} behaviours on {len(modules)} pages.", ""]
    for m in modules:
        target = posixpath.basename(site_path(m.path))
        out += [f"## [{m.title}]({target})", ""]
        if intro := _first_paragraph(m.intro):
            out += [intro, ""]
        out += [f"- [{b.heading}]({target}#{b.name})" for b in m.behaviours]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def claim_index(modules: list[Module]) -> dict[str, list[tuple[str, Module, Behaviour]]]:
    """Claim id -> [(verdict, module, behaviour)] over every test that checks it."""
    index: dict[str, list[tuple[str, Module, Behaviour]]] = {}
    for m in modules:
        for b in m.behaviours:
            for cid, verdict in b.claims:
                index.setdefault(cid, []).append((verdict, m, b))
    return index


def _cell(text: str) -> str:
    """Table-cell text: Markdown emphasis characters kept literal outside `code` spans."""
    parts = html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ").split("`")
    parts[::2] = [re.sub(r"([_*\[\]])", r"\\\1", part) for part in parts[::2]]
    return "`".join(parts)


def render_claims(claims: dict[str, dict], modules: list[Module]) -> str:
    """Every claim of the notes: what it said, the verdict, and the tests that check it."""
    index = claim_index(modules)
    covered = [cid for cid in claims if cid in index]
    tally: dict[str, int] = {}
    for cid in covered:
        for verdict in {v for v, _, _ in index[cid]}:
            tally[verdict] = tally.get(verdict, 0) + 1
    out = [
        *front_matter(hide=("toc",)),
        "# Claims",
        "",
        "The study notes this reference started from make checkable claims about PyTorch. Each is "
        "listed as the note made it, with the verdict of the tests that check it against real "
        "PyTorch: *right*, *wrong*, or *outdated* (right for an older release).",
        "",
        f"**{len(claims)} claims: {len(covered)} checked** "
        f"({tally.get('true', 0)} right, {tally.get('false', 0)} wrong, {tally.get('outdated', 0)} outdated), "
        f"**{len(claims) - len(covered)} uncovered**.",
        "",
    ]
    note = None
    for cid, c in claims.items():
        if c["note"] != note:
            note = c["note"]
            out += ["", f"## Note `{note}`", "", "| Claim | Topic | What the note says | Verdict | Checked by |", "|---|---|---|---|---|"]
        checks = index.get(cid, [])
        if checks:
            verdicts = sorted({VERDICT_TEXT[v].removeprefix("the note is ") for v, _, _ in checks})
            verdict = " / ".join(f"**{v}**" for v in verdicts)
            tests = "<br>".join(f"[{_cell(b.heading)}]({site_path(m.path)}#{b.name})" for _, m, b in checks)
        else:
            verdict = "uncovered" + (f": {_cell(c['uncovered'])}" if c.get("uncovered") else "")
            tests = ""
        out.append(
            f'| <span id="{claim_anchor(cid)}"></span>{cid} | {_cell(c["topic"])} | {_cell(c["claim"])} | {verdict} | {tests} |'
        )
    return "\n".join(out).rstrip() + "\n"


CELL = {"passed": "✓", "partial": "✓", "skipped": "–", "xfailed": "x", "failed": "✗", "notrun": "·"}


def _run_column(run: dict) -> str:
    env = run["environment"]
    return minor(env["torch"]) + ("" if env["device"] == "cpu" else f" {env['gpu']}")


def render_matrix(groups: list[tuple[str, list[Module]]], runs: list[dict]) -> str:
    """Behaviour x recorded run, grouped by topic and page."""
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
        return "\n".join(out + ["No recorded results yet: run `pytest --results results/`."]) + "\n"
    header = "| Behaviour | " + " | ".join(_run_column(r) for r in runs) + " |"
    rule = "|---|" + "---|" * len(runs)
    totals = []
    for run in runs:
        counts = {}
        for e in run["tests"].values():
            counts[e["outcome"]] = counts.get(e["outcome"], 0) + 1
        totals.append(", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    out += ["| Run | Tests |", "|---|---|"] + [f"| {html.escape(label(r['environment']))} | {t} |" for r, t in zip(runs, totals)] + [""]
    for title, modules in groups:
        out += [f"## {title}", ""]
        for m in modules:
            page = site_path(m.path)
            out += [f"### [{m.title}]({page})", "", header, rule]
            for b in m.behaviours:
                cells = []
                for run in runs:
                    css, text = status(outcomes(m.path, b.name, run))
                    cells.append(f'<span class="tr-cell tr-{css}" title="{html.escape(text)}">{CELL[css]}</span>')
                out.append(f"| [{_cell(b.heading)}]({page}#{b.name}) | " + " | ".join(cells) + " |")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_changes(groups: list[tuple[str, list[Module]]], runs: list[dict], releases: list[str]) -> str:
    """Per release, the behaviours whose expectation or recorded outcome changes there."""
    cpu = release_runs(runs)
    recorded = [minor(r["environment"]["torch"]) for r in cpu]
    entries: dict[str, list[str]] = {}
    for _, modules in groups:
        for m in modules:
            for b in m.behaviours:
                target = f"[{_cell(b.heading)}]({site_path(m.path)}#{b.name})"
                marked = set()
                for keys in b.by_version:
                    for rel in changes_between(list(keys), releases):
                        marked.add(rel)
                        ranges = ", ".join(f"`torch{k}`" for k in keys)
                        entries.setdefault(rel, []).append(f"**expectation changes**: {target} (ranges {ranges})")
                if b.torch_versions:
                    spec = ", ".join(f"`torch{s}`" for s in b.torch_versions)
                    for rel in changes_between(list(b.torch_versions), releases):
                        marked.add(rel)
                        what = "new, checked from here on" if runs_on(b, rel) else "no longer holds, not checked from here on"
                        entries.setdefault(rel, []).append(f"**{what}**: {target} ({spec})")
                states = [status(outcomes(m.path, b.name, r)) for r in cpu]
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
