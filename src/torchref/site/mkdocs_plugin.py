"""mkdocs glue: hands the generated pages, their figures and the navigation to mkdocs. Nothing else.

Registered as the mkdocs plugin `torchref` (`plugins: [search, torchref]` in mkdocs.yml);
only the site build imports this module, so mkdocs stays an optional extra.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, InclusionLevel

from torchref import config as settings
from torchref.site import build, figures, pages
from torchref.site.markdown import put_raw, take_raw


class TorchrefPlugin(BasePlugin):
    def __init__(self):
        self._figures: figures.Drawing | None = None
        self._with_figures: dict[str, Path] = {}  # page -> its written HTML, which holds figure marks
        self._raw: dict[str, list[str]] = {}  # page -> its raw HTML blocks, kept out of the Markdown converter

    def _project(self, config) -> settings.Project:
        return settings.load(Path(config.config_file_path).resolve().parent)

    def on_config(self, config):
        project = self._project(config)
        config.nav = build.nav(project)
        if project.repo_url:
            # Edit links only where the builder names a repository. An absolute edit_uri without
            # repo_url keeps the theme from fetching the repository's star count.
            config.edit_uri = f"{project.repo_url.rstrip('/')}/edit/main/"
        return config

    def on_files(self, files, config):
        project = self._project(config)
        # Drawing imports torch (seconds): a child process draws while mkdocs builds the pages.
        self._figures = figures.Drawing(project.root)
        self._with_figures = {}
        listed = set(_nav_paths(config.nav))
        for path, (markdown, source) in build.generated_pages(project).items():
            # A generated page the navigation leaves out is reached through links (the official
            # pages from their index), which is not an omission for strict mode to report.
            inclusion = InclusionLevel.UNDEFINED if path in listed else InclusionLevel.NOT_IN_NAV
            page = File.generated(config, path, content=markdown, inclusion=inclusion)
            page.edit_uri = source
            files.append(page)
        return files

    def on_page_markdown(self, markdown, page, config, files):
        markdown, self._raw[page.file.src_uri] = take_raw(markdown)
        return markdown.replace(pages.MARKERS_PLACEHOLDER, pages.markers_table())

    def on_page_content(self, html, page, config, files):
        return put_raw(html, self._raw.pop(page.file.src_uri, []))

    def on_post_page(self, output, page, config):
        if figures.MARK.search(output):
            self._with_figures[page.file.src_uri] = Path(page.file.abs_dest_path)
        return output

    def on_post_build(self, config):
        # The figures go into the written pages last, so the build never waits for the drawing.
        if self._figures is None:
            return
        drawn = self._figures.result()
        for src_uri, written in self._with_figures.items():
            html = written.read_text(encoding="utf-8")
            written.write_text(figures.fill(html, drawn.get(src_uri, {}), src_uri), encoding="utf-8")

    def on_build_error(self, error):
        if self._figures is not None:
            self._figures.close()


def _nav_paths(entries) -> list[str]:
    """Every page path in a mkdocs navigation (strings, {title: path} and nested lists)."""
    if isinstance(entries, str):
        return [entries]
    if isinstance(entries, dict):
        return [p for value in entries.values() for p in _nav_paths(value)]
    return [p for entry in entries or [] for p in _nav_paths(entry)]
