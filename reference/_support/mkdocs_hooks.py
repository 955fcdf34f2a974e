"""mkdocs glue: hands the generated pages and the navigation to mkdocs. Nothing else."""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File

from reference._support import site


def _root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def on_config(config):
    config.nav = site.nav(_root(config))
    return config


def on_files(files, config):
    for path, (markdown, source) in site.pages(_root(config)).items():
        page = File.generated(config, path, content=markdown)
        page.edit_uri = source
        files.append(page)
    return files
