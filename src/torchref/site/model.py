"""Source -> page model: a reference module's source read into behaviours, without importing it."""

from __future__ import annotations

import ast
import posixpath
import re
import textwrap
from dataclasses import dataclass, field
from functools import lru_cache

from torchref.markers import DEVICE_MARKERS, META_MARKERS

SOURCE_LINK = re.compile(r"https://github\.com/pytorch/[\w-]+/(?:pull/\d+|releases/tag/[\w.]+|issues/\d+|commit/[0-9a-f]+)")
VERDICT_TEXT = {"true": "the note is right", "false": "the note is wrong", "outdated": "the note is outdated"}


def _end(node: ast.AST) -> int:
    """The last line of a node (parsed source always has it; the attribute is optional in typeshed)."""
    return node.end_lineno or node.lineno  # type: ignore[attr-defined]


class RenderError(Exception):
    """A module that cannot be rendered; the message names the file."""


@dataclass(frozen=True)
class Behaviour:
    name: str
    heading: str
    prose: str
    docs: str | None
    code: str
    line: int
    claims: tuple[tuple[str, str], ...] = ()
    torch_versions: tuple[str, ...] = ()
    by_version: tuple[tuple[str, ...], ...] = ()
    devices: tuple[str, ...] = ()
    figure: str | None = None
    torchvision_versions: tuple[str, ...] = ()
    by_torchvision: tuple[tuple[str, ...], ...] = ()  # by_version(..., package="torchvision") ranges
    shows: tuple[str, ...] = ()  # module-level helpers whose code the page prints beside the test
    erratum: str | None = None  # what the official docs say, where torch does otherwise

    @property
    def source_link(self) -> str | None:
        """The release-note entry or pull request the prose cites, if any: where a change is documented."""
        found = SOURCE_LINK.search(self.prose)
        return found.group(0) if found else None


@dataclass(frozen=True)
class Module:
    path: str  # as in pytest node ids: reference/tensors/test_views.py
    title: str
    intro: str
    setup: str
    behaviours: tuple[Behaviour, ...] = field(default_factory=tuple)
    helpers: dict[str, str] = field(default_factory=dict)  # module-level function name -> its code


# ---------------------------------------------------------------- parsing


def _mark(decorator: ast.expr) -> tuple[str, ast.Call | None] | None:
    """('claim', call) for `@pytest.mark.claim(...)`, ('cuda', None) for `@pytest.mark.cuda`."""
    call = decorator if isinstance(decorator, ast.Call) else None
    target = call.func if call else decorator
    if (
        isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Attribute)
        and target.value.attr == "mark"
        and isinstance(target.value.value, ast.Name)
        and target.value.value.id == "pytest"
    ):
        return target.attr, call
    return None


def _literal(node: ast.expr, path: str, where: str):
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise RenderError(f"{path}:{node.lineno}: {where} needs literal arguments") from None


def _split_docstring(doc: str) -> tuple[str, str, str | None]:
    lines = doc.strip().splitlines()
    heading, rest = lines[0].strip().removesuffix("."), lines[1:]
    docs = None
    if rest and rest[-1].strip().startswith("Docs:"):
        docs = rest.pop().split(":", 1)[1].strip()
    return heading, "\n".join(rest).strip(), docs


def _segment(lines: list[str], first: int, last: int) -> list[str]:
    return lines[first - 1 : last]


def _function_code(node: ast.FunctionDef, lines: list[str]) -> str:
    """The function as a reader would copy it: no docstring, no metadata decorators."""
    hidden: set[int] = set()
    for dec in node.decorator_list:
        mark = _mark(dec)
        if mark and mark[0] in META_MARKERS:
            hidden.update(range(dec.lineno, _end(dec) + 1))
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        hidden.update(range(body[0].lineno, _end(body[0]) + 1))
        if len(body) > 1 and body[1].lineno > _end(body[0]) + 1:
            # the blank line that separated docstring and code
            hidden.update(range(_end(body[0]) + 1, body[1].lineno))
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    kept = [text for n, text in enumerate(_segment(lines, first, _end(node)), start=first) if n not in hidden]
    # a decorator line starts with '@' one column before its expression
    return textwrap.dedent("\n".join(kept)).strip("\n")


def _by_version_keys(node: ast.FunctionDef) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Package -> the specifiers of each `by_version({...})` literal in the test that gates on it."""
    found: dict[str, list[tuple[str, ...]]] = {"torch": [], "torchvision": []}
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        func = call.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        first = call.args[0] if call.args else None
        if name != "by_version" or not isinstance(first, ast.Dict):
            continue
        package = next((k.value.value for k in call.keywords if k.arg == "package" and isinstance(k.value, ast.Constant)), "torch")
        keys = [k.value for k in first.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
        if len(keys) == len(first.keys) and package in found:
            found[package].append(tuple(keys))
    return {package: tuple(keys) for package, keys in found.items()}


def _module_marks(tree: ast.Module, path: str) -> list[tuple[str, ast.Call | None, int]]:
    """The markers of a module-level `pytestmark`: they gate every test of the module."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "pytestmark" for t in node.targets):
            values = node.value.elts if isinstance(node.value, (ast.List, ast.Tuple)) else [node.value]
            found += [(*mark, value.lineno) for value in values if (mark := _mark(value))]
    return found


def _names(call: ast.Call | None, name: str, path: str, lineno: int, where: str, most: int | None = None) -> list[str]:
    """The function names a `figure` or `shows` marker gives, or RenderError saying how to write it."""
    args = call.args if call else []
    if call is None or not args or call.keywords or (most and len(args) > most) or not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
        raise RenderError(f'{path}:{lineno}: {where}: write @pytest.mark.{name}("function_name")')
    return [a.value for a in args]  # type: ignore[attr-defined]


def _behaviour(node: ast.FunctionDef, lines: list[str], path: str, module_marks: list[tuple[str, ast.Call | None, int]]) -> Behaviour:
    doc = ast.get_docstring(node)
    if not doc:
        raise RenderError(f"{path}:{node.lineno}: {node.name} has no docstring (its first line is the heading)")
    heading, prose, docs = _split_docstring(doc)
    found: dict[str, list] = {"claim": [], "torch_version": [], "torchvision_version": [], "device": [], "figure": [], "shows": [], "docs_erratum": []}
    marks = [*module_marks, *((*m, dec.lineno) for dec in node.decorator_list if (m := _mark(dec)))]
    for name, call, lineno in marks:
        where = f"{node.name}'s {name} marker"
        if name == "claim":
            if not call or len(call.args) != 1 or [k.arg for k in call.keywords] != ["verdict"]:
                raise RenderError(f'{path}:{lineno}: {where}: write @pytest.mark.claim("S2-017", verdict="false")')
            found[name].append((_literal(call.args[0], path, where), _literal(call.keywords[0].value, path, where)))
        elif name in ("torch_version", "torchvision_version", "docs_erratum") and call and call.args:
            found[name].append(_literal(call.args[0], path, where))
        elif name in DEVICE_MARKERS:
            found["device"].append(name)
        elif name in ("figure", "shows"):
            found[name] += _names(call, name, path, lineno, where, most=1 if name == "figure" else None)
    by_version = _by_version_keys(node)
    return Behaviour(
        name=node.name,
        heading=heading,
        prose=prose,
        docs=docs,
        code=_function_code(node, lines),
        line=node.lineno,
        claims=tuple(found["claim"]),
        torch_versions=tuple(found["torch_version"]),
        by_version=by_version["torch"],
        devices=tuple(found["device"]),
        figure=found["figure"][0] if found["figure"] else None,
        torchvision_versions=tuple(found["torchvision_version"]),
        by_torchvision=by_version["torchvision"],
        shows=tuple(found["shows"]),
        erratum=found["docs_erratum"][0] if found["docs_erratum"] else None,
    )


def title_from_path(path: str) -> str:
    return posixpath.basename(path).removeprefix("test_").removesuffix(".py").replace("_", " ").capitalize()


@lru_cache(maxsize=256)
def parse(source: str, path: str) -> Module:
    """Read a reference module. `path` is only used to name the file in errors and node ids.

    Pure, so cached: the site, `upgrade` and the conventions checks read the same modules.
    """
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as exc:
        raise RenderError(f"{path}:{exc.lineno}: syntax error: {exc.msg}") from None
    lines = source.splitlines()
    doc = ast.get_docstring(tree) or ""
    title, _, intro = doc.strip().partition("\n")
    behaviours: list[Behaviour] = []
    hidden: set[int] = set()
    helpers: dict[str, str] = {}
    marks = _module_marks(tree, path)
    if doc:
        hidden.update(range(tree.body[0].lineno, _end(tree.body[0]) + 1))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            behaviours.append(_behaviour(node, lines, path, marks))
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            hidden.update(range(first, _end(node) + 1))
        elif isinstance(node, ast.FunctionDef):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            helpers[node.name] = textwrap.dedent("\n".join(lines[first - 1 : _end(node)]))
    missing = sorted({n for b in behaviours for n in b.shows if n not in helpers})
    if missing:
        raise RenderError(f"{path}: shows names no module-level function: {', '.join(missing)}")
    setup = "\n".join(text for n, text in enumerate(lines, start=1) if n not in hidden)
    return Module(
        path=path,
        title=title.strip() or title_from_path(path),
        intro=intro.strip(),
        setup=re.sub(r"\n{4,}", "\n\n\n", setup).strip("\n"),
        behaviours=tuple(behaviours),
        helpers=helpers,
    )


