"""Torch releases and PEP 440 ranges over them. No torch import: the docs use this too."""

from __future__ import annotations

import re

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

# The releases the reference supports: one patch release per minor, with its torchvision.
SUPPORTED = {
    "2.0": ("2.0.1", "0.15.2"),
    "2.1": ("2.1.2", "0.16.2"),
    "2.2": ("2.2.2", "0.17.2"),
    "2.3": ("2.3.1", "0.18.1"),
    "2.4": ("2.4.1", "0.19.1"),
    "2.5": ("2.5.1", "0.20.1"),
    "2.6": ("2.6.0", "0.21.0"),
    "2.7": ("2.7.1", "0.22.1"),
    "2.8": ("2.8.0", "0.23.0"),
    "2.9": ("2.9.1", "0.24.1"),
    "2.10": ("2.10.0", "0.25.0"),
    "2.11": ("2.11.0", "0.26.0"),
    "2.12": ("2.12.0", "0.27.0"),
    "2.13": ("2.13.0", "0.28.0"),
    "2.14": ("2.14.1", "0.29.1"),
    "2.15": ("2.15.0", "0.29.2"),
}


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
