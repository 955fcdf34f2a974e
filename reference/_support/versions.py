"""Which torch is installed, and PEP 440 gates on it."""

from __future__ import annotations

from typing import TypeVar

import torch
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

T = TypeVar("T")

# "2.14.1+cu130" and "2.15.0.dev20260101" both compare as their release number:
# local build tags and dev suffixes say nothing about semantics.
TORCH = Version(Version(torch.__version__).base_version)


def parse_spec(spec: object) -> SpecifierSet:
    """A SpecifierSet from a marker argument, or ValueError saying what is wrong with it."""
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError(f"expected a PEP 440 specifier string such as '>=2.6', got {spec!r}")
    try:
        parsed = SpecifierSet(spec)
    except InvalidSpecifier:
        raise ValueError(f"{spec!r} is not a PEP 440 specifier (write e.g. '>=2.6' or '<2.6')") from None
    if not len(parsed):
        raise ValueError(f"{spec!r} is not a PEP 440 specifier (write e.g. '>=2.6' or '<2.6')")
    return parsed


def torch_matches(spec: str, version: Version = TORCH) -> bool:
    return parse_spec(spec).contains(version, prereleases=True)


def by_version(expectations: dict[str, T], version: Version = TORCH) -> T:
    """The expectation whose specifier matches the installed torch.

    Exactly one specifier must match, so a gap or an overlap in the ranges is an error
    rather than a silently skipped assertion. The docs read the specifiers of each
    `by_version({...})` literal to list where a behaviour changed.
    """
    matching = [spec for spec in expectations if torch_matches(spec, version)]
    if len(matching) != 1:
        raise LookupError(
            f"torch {version} matches {len(matching)} of the ranges {list(expectations)}; "
            "the ranges must cover every release exactly once"
        )
    return expectations[matching[0]]
