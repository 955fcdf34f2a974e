"""The pages' figures, drawn in a child process while the rest of the site builds.

Drawing a figure runs a test's own code, so it imports torch and the page: seconds that the
build would otherwise wait for. The child starts with the build and writes every figure as
JSON; each page receives its figures in place of the marks `pages.render_page` leaves.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from torchref import config
from torchref.site import diagrams, model, svg
from torchref.site.markdown import site_path

DEADLINE_S = 300  # drawing takes seconds; a hung child fails the build instead of stalling it
MARK = re.compile(r"<!-- torchref-figure (\w+) -->")


def mark(name: str) -> str:
    """What a page holds where the figure drawn by `name` goes."""
    return f"<!-- torchref-figure {name} -->"


def fill(html: str, figures: dict[str, str], page: str) -> str:
    """Put each drawn figure in place of its mark; a mark with no figure is an error naming the page."""

    def figure(match: re.Match) -> str:
        if match[1] not in figures:
            raise model.RenderError(f"{page}: figure {match[1]} was not drawn")
        return figures[match[1]]

    return MARK.sub(figure, html)


def draw_figures(root: Path, module: model.Module) -> dict[str, str]:
    """Import the module and draw each figure function that one of its tests names."""
    names = sorted({b.figure for b in module.behaviours if b.figure})
    if not names:
        return {}
    path = root / module.path
    spec = importlib.util.spec_from_file_location(f"torchref_docs.{path.parent.name}.{path.stem}", path)
    if spec is None or spec.loader is None:
        raise model.RenderError(f"{module.path}: cannot be imported to draw its figures")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    drawn = {}
    try:
        spec.loader.exec_module(mod)
        for name in names:
            drawn[name] = _draw(getattr(mod, name)())
    except Exception as exc:  # any failure here must name the file, whatever it was
        raise model.RenderError(f"{module.path}: cannot draw its figures: {type(exc).__name__}: {exc}") from exc
    finally:
        sys.modules.pop(spec.name, None)
    return drawn


def _draw(figure: object) -> str:
    if isinstance(figure, svg.Figure):
        return svg.svg(figure)
    if isinstance(figure, (diagrams.Graph, diagrams.Strided)):
        return diagrams.draw(figure)
    raise TypeError(f"a figure function returns a Figure, Graph or Strided, not {type(figure).__name__}")


def draw_all(root: Path, modules: list[model.Module]) -> dict[str, dict[str, str]]:
    """Site path of each page with figures -> its figures by name."""
    return {site_path(m.path): drawn for m in modules if (drawn := draw_figures(root, m))}


class Drawing:
    """The child process drawing a project's figures; `result()` waits for it once."""

    def __init__(self, root: Path):
        self._child = subprocess.Popen(
            [sys.executable, "-m", "torchref.site.figures", str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._drawn: dict[str, dict[str, str]] | None = None

    def result(self) -> dict[str, dict[str, str]]:
        if self._drawn is None:
            try:
                out, err = self._child.communicate(timeout=DEADLINE_S)
            except subprocess.TimeoutExpired:
                self.close()
                raise model.RenderError(f"drawing the figures took over {DEADLINE_S} s") from None
            if self._child.returncode != 0:
                raise model.RenderError(err.strip() or f"drawing the figures failed with exit code {self._child.returncode}")
            self._drawn = json.loads(out)
        return self._drawn

    def close(self) -> None:
        """Stop the child if it still runs: a failed build leaves no process behind."""
        if self._child.poll() is None:
            self._child.kill()
            self._child.communicate()


def main(argv: list[str]) -> int:
    from torchref.site import build  # the child alone needs the module list

    project = config.load(Path(argv[0]))
    try:
        drawn = draw_all(project.root, build.parse_all(project))
    except model.RenderError as exc:
        print(exc, file=sys.stderr)
        return 1
    json.dump(drawn, sys.stdout)
    return 0


if __name__ == "__main__":
    status = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is written: skip the interpreter's teardown, which with torch loaded takes
    # about as long as drawing every figure, and which the build would wait for.
    os._exit(status)
