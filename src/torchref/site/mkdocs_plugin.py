"""mkdocs glue: hands the generated pages and the navigation to mkdocs. Nothing else.

Registered as the mkdocs plugin `torchref` (`plugins: [search, torchref]` in mkdocs.yml);
only the site build imports this module, so mkdocs stays an optional extra.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File

from torchref import config as settings
from torchref.site import build, pages


class TorchrefPlugin(BasePlugin):
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
        for path, (markdown, source) in build.generated_pages(self._project(config)).items():
            page = File.generated(config, path, content=markdown)
            page.edit_uri = source
            files.append(page)
        return files

    def on_page_markdown(self, markdown, page, config, files):
        return markdown.replace(pages.MARKERS_PLACEHOLDER, pages.markers_table())
