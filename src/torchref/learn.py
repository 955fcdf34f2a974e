"""Exercises from the reference: the same tests with their expectations blanked.

`exercise(source)` turns a reference module into an exercise module: in each test, the
expected side of an assertion (a literal, a dtype, a shape, a `torch.tensor([...])`), and
the class and message an error is asserted with, become numbered blanks `___(n)`. Run
unfilled, a blank fails with a message naming it, its line and the claim it asks about;
filled with the original expressions, the exercise is the original module again.
Blanks are found in the syntax tree; nothing is written by hand.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

IMPORT = "from torchref.learn import ___  # each call of ___ is a blank: replace it with what you expect\n"
CONFIG = '[tool.pytest]\naddopts = ["--import-mode=importlib", "-p", "no:cacheprovider"]\nfilterwarnings = ["error"]\n'

COMPARISONS = (ast.Eq, ast.NotEq, ast.Is, ast.IsNot, ast.In, ast.NotIn, ast.Lt, ast.LtE, ast.Gt, ast.GtE)
EXPECTING_CALLS = {"assert_close", "equal", "allclose", "array_equal"}  # the expected value is the second argument
RAISING_CALLS = {"raises_exactly", "warns_exactly"}
LITERAL_ROOTS = {"torch", "np", "numpy", "math"}
LITERAL_CALLS = {"tensor", "Size", "device", "array", "float", "int", "complex", "tuple", "list", "dict", "set", "frozenset"}


def ___(number: int) -> NoReturn:
    """A blank of an exercise: fails naming itself, its line, the claim it asks about and where it is explained."""
    frame = sys._getframe(1)
    test = frame.f_code.co_name
    func = frame.f_globals.get(test)
    question = (getattr(func, "__doc__", None) or "").strip().split("\n")[0]
    path = Path(frame.f_code.co_filename)
    page = f"{path.parent.name}/{path.stem.removeprefix('test_')}/#{test}"
    pytest.fail(
        f"blank {number} on line {frame.f_lineno} is not filled in.\n"
        f"  The claim: {question}\n"
        f"  Replace ___({number}) with what you expect; the reference explains it at {page}",
        pytrace=False,
    )


@dataclass(frozen=True)
class Blank:
    number: int
    test: str
    line: int
    start: int  # character offsets into the source
    end: int
    text: str  # the original expression


def _dotted(node: ast.expr) -> list[str] | None:
    """['torch', 'float32'] for torch.float32; None for anything but names and attributes."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return None if inner is None else [*inner, node.attr]
    return None


def is_expectation(node: ast.expr) -> bool:
    """A value a learner can predict: a literal, a dtype or device name, or a literal tensor, shape or array."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return is_expectation(node.operand)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(is_expectation(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and is_expectation(k) for k in node.keys) and all(is_expectation(v) for v in node.values)
    if isinstance(node, ast.Attribute):
        dotted = _dotted(node)
        return dotted is not None and dotted[0] in LITERAL_ROOTS
    if isinstance(node, ast.Call):
        dotted = _dotted(node.func)
        return (
            dotted is not None
            and dotted[-1] in LITERAL_CALLS
            and (len(dotted) == 1 or dotted[0] in LITERAL_ROOTS)
            and all(is_expectation(a) for a in node.args)
            and all(is_expectation(k.value) for k in node.keywords)
        )
    return False


def _is_class_name(node: ast.expr) -> bool:
    dotted = _dotted(node)
    return dotted is not None and dotted[-1][:1].isupper()


def _candidates(test: ast.FunctionDef) -> list[ast.expr]:
    found: list[ast.expr] = []
    for node in ast.walk(test):
        if isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare):
            compare = node.test
            if len(compare.ops) == 1 and isinstance(compare.ops[0], COMPARISONS) and is_expectation(compare.comparators[0]):
                found.append(compare.comparators[0])
        if isinstance(node, ast.Call):
            name = (_dotted(node.func) or [""])[-1]
            if name in EXPECTING_CALLS and len(node.args) >= 2 and is_expectation(node.args[1]):
                found.append(node.args[1])
            if name in RAISING_CALLS:
                if node.args and _is_class_name(node.args[0]):
                    found.append(node.args[0])
                found += [k.value for k in node.keywords if k.arg == "match" and isinstance(k.value, ast.Constant)]
    return found


def _offsets(source: str) -> list[int]:
    """Character offset of each line's start; ast columns are UTF-8 byte offsets within a line."""
    starts, total = [0], 0
    for line in source.splitlines(keepends=True):
        total += len(line)
        starts.append(total)
    return starts


def _char(source_lines: list[str], starts: list[int], lineno: int, byte_col: int) -> int:
    return starts[lineno - 1] + len(source_lines[lineno - 1].encode("utf-8")[:byte_col].decode("utf-8"))


def find_blanks(source: str) -> list[Blank]:
    """The blanks of a reference module's tests, numbered in source order."""
    tree = ast.parse(source)
    lines, starts = source.splitlines(keepends=True), _offsets(source)
    spans = []
    for test in tree.body:
        if isinstance(test, ast.FunctionDef) and test.name.startswith("test_"):
            for node in _candidates(test):
                start = _char(lines, starts, node.lineno, node.col_offset)
                end = _char(lines, starts, node.end_lineno or node.lineno, node.end_col_offset or node.col_offset)
                spans.append((start, end, test.name, node.lineno))
    spans.sort()
    kept: list[tuple[int, int, str, int]] = []
    for span in spans:  # a blank inside another blank is already covered by it
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return [Blank(n, name, line, s, e, source[s:e]) for n, (s, e, name, line) in enumerate(kept, start=1)]


def exercise(source: str) -> tuple[str, list[Blank]]:
    """The exercise module for a reference module, and its blanks."""
    blanks = find_blanks(source)
    out = source
    for b in reversed(blanks):
        out = out[: b.start] + f"___({b.number})" + out[b.end :]
    if blanks:
        tree = ast.parse(source)
        imports = (n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)))
        first = next((n for n in imports if getattr(n, "module", None) != "__future__"), None)
        at = _offsets(out)[first.lineno - 1] if first else 0
        out = out[:at] + IMPORT + out[at:]
    return out, blanks


def fill(exercise_source: str, answers: dict[int, str]) -> str:
    """An exercise with blank n replaced by answers[n] (and the blank import gone): the module it came from."""
    out = exercise_source.replace(IMPORT, "", 1)
    for number in sorted(answers, reverse=True):
        out = out.replace(f"___({number})", answers[number], 1)
    return out


def write_exercises(modules: list[Path], reference: Path, out: Path) -> list[tuple[Path, int]]:
    """Write the exercise of each module under `out` (topic/test_page.py); return (path, blank count) each."""
    out.mkdir(parents=True, exist_ok=True)
    if not (out / "pyproject.toml").exists():
        (out / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    written = []
    for path in modules:
        text, blanks = exercise(path.read_text(encoding="utf-8"))
        target = out / path.relative_to(reference)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append((target, len(blanks)))
    return written


def select(modules: list[Path], reference: Path, targets: list[str]) -> list[Path]:
    """The modules a learner asked for: a topic (`tensors`), a page (`views`) or both (`tensors/views`)."""
    if not targets:
        return modules
    chosen = []
    for target in targets:
        topic, _, page = target.strip("/").rpartition("/")
        hits = [
            m
            for m in modules
            if (m.parent.name == target or m.stem.removeprefix("test_") == target)
            or (m.parent.name == topic and m.stem.removeprefix("test_") == page)
        ]
        if not hits:
            names = sorted({m.parent.name for m in modules})
            raise ValueError(f"no page or topic named {target!r}; topics: {', '.join(names)}")
        chosen += [m for m in hits if m not in chosen]
    return chosen


def progress(results: dict, out: Path, reference: Path) -> str:
    """Per exercise page: behaviours solved (passed) out of those with blanks; worked examples apart.

    Which tests have blanks is read from the reference module, not the exercise: a solved
    exercise has no blank left, and must still count.
    """
    rows: dict[str, list[int]] = {}
    for path in sorted(out.glob("*/test_*.py")):
        key = path.relative_to(out).as_posix()
        original = reference / key
        with_blanks = {b.test for b in find_blanks(original.read_text(encoding="utf-8"))} if original.is_file() else set()
        solved = {
            nodeid.split("::", 1)[-1].split("[", 1)[0]
            for nodeid, entry in results["tests"].items()
            if nodeid.split("::", 1)[0].endswith(key) and entry["outcome"] == "passed"
        }
        rows[key] = [len(with_blanks & solved), len(with_blanks)]
    lines = ["torchref learn: behaviours solved per page"]
    lines += [f"  {solved:>3}/{total:<3} {page}" for page, (solved, total) in rows.items() if total]
    done = sum(r[0] for r in rows.values())
    lines.append(f"{done} of {sum(r[1] for r in rows.values())} solved")
    return "\n".join(lines)
