"""Torch releases and PEP 440 ranges over them. No torch import: the docs use this too.

The releases a project supports are listed in its `[tool.torchref.releases]`.
"""

from __future__ import annotations

import re
from importlib import metadata

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version


def distribution_version(dist: str) -> str | None:
    """The installed distribution's version as its metadata says, or None where it is not installed.

    Read without importing: importing torchvision costs a second and registers operators
    that cannot be registered twice in one process.
    """
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def release_of(version: str) -> Version:
    """'2.14.1+cu130' -> 2.14.1: build tags and dev suffixes say nothing about semantics."""
    return Version(Version(version).base_version)


def release_key(version: str) -> tuple[int, ...]:
    """'2.10.0+cu128' -> (2, 10, 0), '2.6' -> (2, 6): sorts releases as numbers, not as text."""
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3])


def minor(version: str) -> str:
    return ".".join(re.findall(r"\d+", version)[:2])


def parse_spec(spec: object) -> SpecifierSet:
    """A SpecifierSet from a marker argument, or ValueError saying what is wrong with it."""
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError(f"expected a PEP 440 specifier string such as '>=2.6', got {spec!r}")
    try:
        parsed = SpecifierSet(spec)
    except InvalidSpecifier:
        parsed = None
    if not parsed:
        raise ValueError(f"{spec!r} is not a PEP 440 specifier (write e.g. '>=2.6' or '<2.6')")
    return parsed


def matches(spec: str, version: Version) -> bool:
    return parse_spec(spec).contains(version, prereleases=True)


def changes_between(specs: list[str], releases: list[str]) -> list[str]:
    """The releases at which the set of matching specifiers changes: ['2.6'] for '<2.6' / '>=2.6'."""
    matched = [frozenset(s for s in specs if matches(s, Version(r))) for r in releases]
    return [releases[i] for i in range(1, len(releases)) if matched[i] != matched[i - 1]]
