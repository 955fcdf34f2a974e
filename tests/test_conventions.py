"""Conventions every reference test keeps, checked over the whole reference."""

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from torchref import claims, config
from torchref.site import build, model

ROOT = Path(__file__).resolve().parents[1]
PROJECT = config.load(ROOT)
MODULES = [p.relative_to(ROOT).as_posix() for p in build.module_paths(PROJECT)]
CLAIMS = claims.load(PROJECT.claims)
OFFICIAL_DOCS = ("https://docs.pytorch.org/", "https://pytorch.org/", "https://numpy.org/doc/")


@cache
def _module(path: str) -> model.Module:
    return model.parse((ROOT / path).read_text(encoding="utf-8"), path)


@cache
def _tests(path: str) -> list[ast.FunctionDef]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]


def _offenders(path: str, check) -> list[str]:
    return [f"{b.name}: {problem}" for b in _module(path).behaviours if (problem := check(b))]


@pytest.mark.parametrize("path", MODULES)
def test_module_has_a_title_and_behaviours(path):
    module = _module(path)

    assert module.title and len(module.title) <= 60 and not module.title.endswith(".")
    assert module.behaviours, f"{path} has no test_ functions"


@pytest.mark.parametrize("path", MODULES)
def test_first_docstring_line_is_one_sentence(path):
    def check(b: model.Behaviour):
        first = ast.get_docstring(next(t for t in _tests(path) if t.name == b.name)).splitlines()[0]
        if not first.endswith("."):
            return f"first docstring line does not end with a full stop: {first!r}"
        if re.search(r"[.!?] [A-Z]", first.removesuffix(".")):
            return f"first docstring line holds more than one sentence: {first!r}"
        return None

    assert _offenders(path, check) == []


@pytest.mark.parametrize("path", MODULES)
def test_docstring_ends_with_an_official_docs_link(path):
    def check(b: model.Behaviour):
        if not b.docs:
            return "no 'Docs: <url>' last line"
        if not b.docs.startswith(OFFICIAL_DOCS):
            return f"Docs link is not an official page: {b.docs}"
        return None

    assert _offenders(path, check) == []


@pytest.mark.parametrize("path", MODULES)
def test_claim_markers_name_known_claims_and_verdicts(path):
    def check(b: model.Behaviour):
        for cid, verdict in b.claims:
            try:
                claims.check((cid,), {"verdict": verdict}, CLAIMS)
            except ValueError as exc:
                return str(exc)
        return None

    assert _offenders(path, check) == []


@pytest.mark.parametrize("path", MODULES)
def test_test_names_are_unique_in_a_module(path):
    names = [t.name for t in _tests(path)]

    assert sorted({n for n in names if names.count(n) > 1}) == []


def _own_nodes(test: ast.FunctionDef):
    """The nodes of a test's own body: a `return` inside a nested def or lambda is not the test's."""
    stack = list(test.body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))


@pytest.mark.parametrize("path", MODULES)
def test_tests_never_return_early_or_print(path):
    problems = []
    for test in _tests(path):
        for node in _own_nodes(test):
            if isinstance(node, ast.Return):
                problems.append(f"{test.name}:{node.lineno}: return (a test that returns early reports a pass)")
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                problems.append(f"{test.name}:{node.lineno}: print")

    assert problems == []
