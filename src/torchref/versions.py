"""Which torch and torchvision are installed, and gates on them for tests."""

from __future__ import annotations

from typing import TypeVar

from packaging.version import Version

from torchref.releases import distribution_version, matches, release_of

T = TypeVar("T")


def _installed_torch() -> str:
    """torch's version as its installed metadata says, the same string as `torch.__version__`
    for an installed wheel: the site builder and the command line import this module and must
    not pay for importing torch."""
    version = distribution_version("torch")
    if version is None:  # torch importable without its metadata, as from a source checkout
        import torch

        version = torch.__version__
    return version


TORCH = release_of(_installed_torch())


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
