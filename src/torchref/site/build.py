"""Assembles the site's generated pages from the reference modules and the recorded results.

Reads files; everything that decides what a page says is in the pure rendering modules,
and the figures are drawn apart, by `figures`.
"""

from __future__ import annotations

from pathlib import Path

from torchref import claims, results
from torchref.config import Project
from torchref.site import model, official, pages, performance, reports
from torchref.site.markdown import site_path
from torchref.site.outcomes import Run


def _rank(name: str, order: tuple[str, ...] | list[str]) -> tuple[int, str]:
    return (order.index(name) if name in order else len(order), name)


def module_paths(project: Project) -> list[Path]:
    """The reference modules in lesson order: topics, then pages, as `[tool.torchref] topics` lists them;
    a topic or page not listed follows the listed ones, alphabetically."""
    found = project.reference.glob("*/test_*.py")
    topics = [t.name for t in project.topics]

    def key(p: Path) -> tuple:
        return (_rank(p.parent.name, topics), _rank(p.stem.removeprefix("test_"), project.topic(p.parent.name).pages))

    return sorted(found, key=key)


def parse_all(project: Project) -> list[model.Module]:
    modules = []
    for path in module_paths(project):
        rel = path.relative_to(project.root).as_posix()
        try:
            source = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise model.RenderError(f"{rel}: not UTF-8 text ({exc.reason})") from None
        modules.append(model.parse(source, rel))
    return modules


def generated_pages(project: Project) -> dict[str, tuple[str, str]]:
    """Site path -> (Markdown, source file the page comes from) for every generated page."""
    root = project.root
    runs = [Run.of(r) for r in results.load_dir(project.results)]
    modules = parse_all(project)
    out: dict[str, tuple[str, str]] = {}
    by_topic: dict[str, list[model.Module]] = {}
    for m in modules:
        by_topic.setdefault(Path(m.path).parent.name, []).append(m)
        out[site_path(m.path)] = (pages.render_page(m, runs), m.path)
    reference = project.reference.relative_to(root).as_posix()
    for topic, mods in by_topic.items():
        out[f"{topic}/index.md"] = (pages.render_topic_index(project.topic(topic).title, mods), f"{reference}/{topic}")
    groups = [(project.topic(topic).title, mods) for topic, mods in by_topic.items()]
    claims_file = project.claims.relative_to(root).as_posix()
    out["claims.md"] = (reports.render_claims(claims.load(project.claims), modules, claims.note_titles(project.claims)), claims_file)
    results_folder = project.results.relative_to(root).as_posix()
    out["compatibility.md"] = (reports.render_matrix(groups, runs), results_folder)
    out["changes.md"] = (reports.render_changes(groups, runs, list(project.releases)), results_folder)
    benchmarks = performance.load_benchmarks(project.results) if project.results.is_dir() else []
    out[performance.PAGE] = (performance.render_performance(benchmarks), results_folder)
    official_file = project.official_docs.relative_to(root).as_posix() if project.official_docs else reference
    for path, markdown in official.generated(_official_pages(project), modules, runs).items():
        out[path] = (markdown, official_file)
    readme = (root / "README.md").read_text(encoding="utf-8")
    out["index.md"] = (reports.render_home(readme, groups, runs, guide_pages(project)), "README.md")
    return out


def guide_pages(project: Project) -> list[tuple[str, str]]:
    """(title, site path) of the single pages the navigation lists after the topics."""
    found = []
    for entry in nav(project)[1:]:
        if isinstance(entry, dict) and isinstance(next(iter(entry.values())), str):
            found.append(next(iter(entry.items())))
        elif isinstance(entry, str):
            heading = (project.root / "docs" / entry).read_text(encoding="utf-8").partition("\n")[0]
            found.append((heading.removeprefix("# ").strip() if heading.startswith("# ") else entry, entry))
    return found


def _official_pages(project: Project) -> list[official.OfficialPage]:
    return official.load(project.official_docs) if project.official_docs else []


def nav(project: Project) -> list:
    """The site's navigation: home, the topics in lesson order, then the cross-cutting pages."""
    topics: dict[str, list[str]] = {}
    for path in module_paths(project):
        topics.setdefault(path.parent.name, []).append(site_path(path.relative_to(project.root).as_posix()))
    entries: list = [{"Home": "index.md"}]
    entries += [{project.topic(t).title: [f"{t}/index.md", *paths]} for t, paths in topics.items()]
    entries += [
        {"Claims": "claims.md"},
        {"Compatibility matrix": "compatibility.md"},
        {"What changed": "changes.md"},
        {"Measured performance": performance.PAGE},
        {"Official docs, checked": official.nav()},
        {"Docs errata": official.ERRATA},
    ]
    docs = project.root / "docs"
    entries += [p.relative_to(docs).as_posix() for p in sorted(docs.glob("*.md"))]
    return entries
