"""Which torch is installed, and gates on it for tests."""

from __future__ import annotations

from typing import TypeVar

import torch

from reference._support.releases import matches, release_of

T = TypeVar("T")

TORCH = release_of(torch.__version__)


def torch_matches(spec: str, version=TORCH) -> bool:
    return matches(spec, version)


def by_version(expectations: dict[str, T], version=TORCH) -> T:
    """The expectation whose specifier matches the installed torch.

    Exactly one specifier must match, so a gap or an overlap in the ranges is an error
    rather than a silently skipped assertion. The docs read the specifiers of each
    `by_version({...})` literal to list where a behaviour changed.
    """
    matching = [spec for spec in expectations if matches(spec, version)]
    if len(matching) != 1:
        raise LookupError(
            f"torch {version} matches {len(matching)} of the ranges {list(expectations)}; "
            "the ranges must cover every release exactly once"
        )
    return expectations[matching[0]]
