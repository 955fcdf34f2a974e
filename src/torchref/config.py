"""The project's settings, read from `[tool.torchref]` in its pyproject.toml, in one place.

The reference keeps its lesson order, supported releases, claims file and results folder
there rather than in code, so the machinery serves any project laid out the same way.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(Exception):
    """A missing or malformed `[tool.torchref]` table; the message names the file."""


@dataclass(frozen=True)
class Topic:
    name: str  # the folder under reference/
    title: str
    pages: tuple[str, ...]  # module names without test_, in lesson order


@dataclass(frozen=True)
class Project:
    root: Path
    reference: Path
    claims: Path
    results: Path
    releases: dict[str, tuple[str, str]]  # minor -> (torch release, torchvision release)
    topics: tuple[Topic, ...]
    official_docs: Path | None = None
    repo_url: str | None = None

    def topic(self, name: str) -> Topic:
        found = next((t for t in self.topics if t.name == name), None)
        return found or Topic(name, name.replace("_", " ").capitalize(), ())


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` whose pyproject.toml has a `[tool.torchref]` table."""
    for folder in [start.resolve(), *start.resolve().parents]:
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "torchref" in _read(pyproject).get("tool", {}):
            return folder
    return None


def _read(pyproject: Path) -> dict:
    try:
        return tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{pyproject}: cannot be read as TOML ({exc})") from None


def _expect(value: object, kind: type | tuple[type, ...], where: str, pyproject: Path) -> None:
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ConfigError(f"{pyproject}: [tool.torchref] {where} must be a {names}, got {value!r}")


def load(root: Path) -> Project:
    """The settings of the project rooted at `root`, or ConfigError saying what is wrong."""
    pyproject = root / "pyproject.toml"
    table = _read(pyproject).get("tool", {}).get("torchref")
    if table is None:
        raise ConfigError(f"{pyproject}: no [tool.torchref] table")
    for key in ("reference", "claims", "results", "official_docs", "repo_url"):
        if key in table:
            _expect(table[key], str, key, pyproject)
    releases = table.get("releases", {})
    _expect(releases, dict, "releases", pyproject)
    for minor, pair in releases.items():
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) for v in pair)):
            raise ConfigError(f'{pyproject}: [tool.torchref.releases] {minor} must be ["<torch>", "<torchvision>"], got {pair!r}')
    topics = []
    for topic in table.get("topics", []):
        _expect(topic, dict, "topics entry", pyproject)
        if not isinstance(topic.get("name"), str) or not isinstance(topic.get("title"), str):
            raise ConfigError(f"{pyproject}: each [[tool.torchref.topics]] needs a name and a title, got {topic!r}")
        pages = topic.get("pages", [])
        _expect(pages, list, f"topic {topic['name']} pages", pyproject)
        topics.append(Topic(topic["name"], topic["title"], tuple(pages)))
    return Project(
        root=root,
        reference=root / table.get("reference", "reference"),
        claims=root / table.get("claims", "reference/claims.json"),
        results=root / table.get("results", "results"),
        releases={minor: (pair[0], pair[1]) for minor, pair in releases.items()},
        topics=tuple(topics),
        official_docs=root / table["official_docs"] if "official_docs" in table else None,
        repo_url=table.get("repo_url") or None,
    )


def project(start: Path | None = None) -> Project:
    """The project around `start` (default: the working folder), or ConfigError outside one."""
    start = start or Path.cwd()
    root = find_root(start)
    if root is None:
        raise ConfigError(f"{start.resolve()}: not inside a torchref project (no pyproject.toml with [tool.torchref] here or above)")
    return load(root)
