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


def _call_name(node: ast.Call) -> str:
    """'pytest.raises' for pytest.raises(...), 'raises_exactly' for raises_exactly(...)."""
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return getattr(func, "id", "") or getattr(func, "attr", "")


EXACT = {"raises_exactly", "warns_exactly", "torchref.raises_exactly", "torchref.warns_exactly"}
LOOSE = {"pytest.raises": "raises_exactly", "pytest.warns": "warns_exactly"}
VERSION_NAMES = {"TORCH", "TORCHVISION", "torch_matches", "__version__", "by_version"}


def _is_broad_class(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id in {"Exception", "BaseException", "Warning"}


@pytest.mark.parametrize("path", MODULES)
def test_exceptions_and_warnings_are_asserted_by_exact_class_and_message(path):
    """`pytest.raises(RuntimeError)` still passes when a release starts raising NotImplementedError:
    the reference asserts classes exactly, with the stable part of the message."""
    problems = []
    for test in _tests(path):
        for node in ast.walk(test):
            if not isinstance(node, ast.Call):
                continue
            name = _call_name(node)
            if name in LOOSE:
                problems.append(f"{test.name}:{node.lineno}: {name} accepts subclasses; use torchref.{LOOSE[name]}")
            if name in EXACT:
                if not any(k.arg == "match" for k in node.keywords):
                    problems.append(f"{test.name}:{node.lineno}: {name} without match=")
                if node.args and _is_broad_class(node.args[0]):
                    problems.append(f"{test.name}:{node.lineno}: {name}({node.args[0].id}) names no real class")  # type: ignore[attr-defined]

    assert problems == []


@pytest.mark.parametrize("path", MODULES)
def test_bodies_never_branch_on_the_release(path):
    """A per-release expectation is a gate (`torch_version`) or `by_version`, never an `if` in the body."""
    problems = []
    for test in _tests(path):
        for node in ast.walk(test):
            if isinstance(node, (ast.If, ast.IfExp)):
                names = {n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)}
                names |= {n.attr for n in ast.walk(node.test) if isinstance(n, ast.Attribute)}
                if names & VERSION_NAMES:
                    problems.append(f"{test.name}:{node.lineno}: branches on the release")
            if isinstance(node, ast.Call) and _call_name(node) in {"pytest.skip", "pytest.importorskip"}:
                problems.append(f"{test.name}:{node.lineno}: skips inside the body; gate it with a marker")

    assert problems == []
