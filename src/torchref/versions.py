"""Which torch and torchvision are installed, and gates on them for tests."""

from __future__ import annotations

from importlib import metadata
from typing import TypeVar

import torch
from packaging.version import Version

from torchref.releases import matches, release_of

T = TypeVar("T")

TORCH = release_of(torch.__version__)


def distribution_version(dist: str) -> str | None:
    """The installed distribution's version as its metadata says, or None where it is not installed.

    Read without importing: importing torchvision costs a second and registers operators
    that cannot be registered twice in one process.
    """
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


_vision = distribution_version("torchvision")
TORCHVISION = release_of(_vision) if _vision else None
INSTALLED = {"torch": TORCH, "torchvision": TORCHVISION}


def torch_matches(spec: str, version: Version = TORCH) -> bool:
    return matches(spec, version)


def by_version(expectations: dict[str, T], version: Version | None = None, package: str = "torch") -> T:
    """The expectation whose specifier matches the installed torch (or `package`).

    Exactly one specifier must match, so a gap or an overlap in the ranges is an error
    rather than a silently skipped assertion. The docs read the specifiers of each
    `by_version({...})` literal to list where a behaviour changed. Pass
    `package="torchvision"` (and leave `version` out) for a torchvision change.
    """
    version = version or INSTALLED.get(package)
    if version is None:
        raise LookupError(f"{package} is not installed; gate the test on it")
    matching = [spec for spec in expectations if matches(spec, version)]
    if len(matching) != 1:
        raise LookupError(
            f"{package} {version} matches {len(matching)} of the ranges {list(expectations)}; "
            "the ranges must cover every release exactly once"
        )
    return expectations[matching[0]]
