"""Assert an exception or a warning by its exact class.

`NotImplementedError` is a subclass of `RuntimeError` and `FutureWarning` of `Warning`, so
`pytest.raises(RuntimeError)` keeps passing when a release changes the class it raises. A
reference that should notice such a change asserts the class exactly.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


@contextmanager
def raises_exactly(expected: type[BaseException], *, match: str) -> Iterator[pytest.ExceptionInfo]:
    """Like `pytest.raises(expected, match=...)`, and fails if the raised class is only a subclass."""
    with pytest.raises(expected, match=match) as info:
        yield info
    raised = type(info.value)
    if raised is not expected:
        pytest.fail(
            f"raised {raised.__module__}.{raised.__qualname__}, a subclass of {expected.__qualname__}; "
            f"expected exactly {expected.__qualname__}"
        )


@contextmanager
def warns_exactly(expected: type[Warning], *, match: str) -> Iterator[list[warnings.WarningMessage]]:
    """Like `pytest.warns(expected, match=...)`, and fails unless a matching warning has exactly that category."""
    with pytest.warns(expected, match=match) as record:
        yield record.list
    categories = [w.category for w in record if re.search(match, str(w.message))]
    if expected not in categories:
        names = ", ".join(sorted({c.__qualname__ for c in categories}))
        pytest.fail(f"warned {names}, a subclass of {expected.__qualname__}; expected exactly {expected.__qualname__}")
