"""Pictures of what a test builds, drawn as plain SVG from data the test asserts on.

`Graph` is an autograd graph walked from a tensor's `grad_fn` (`autograd_graph`); `Strided`
is a storage and the views laid over it (`strided`). A test marked `figure("fn")` asserts on
what `fn()` returns and the page draws the same object, so the picture cannot drift.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Graph:
    title: str
    nodes: tuple[str, ...]  # node labels; index 0 is the root (the output's grad_fn)
    edges: tuple[tuple[int, int], ...]  # (from, to): gradient flows from node `from` to node `to`


@dataclass(frozen=True)
class Strided:
    title: str
    storage: tuple[float, ...]
    views: tuple[tuple[str, tuple[int, ...], tuple[int, ...], int], ...]  # (name, shape, stride, offset)


def autograd_graph(output: Any, title: str = "autograd graph") -> Graph:
    """The backward graph of `output`, walked from its grad_fn through next_functions, breadth first."""
    order: list[Any] = []
    edges: list[tuple[int, int]] = []
    index: dict[int, int] = {}
    queue = [output.grad_fn]
    index[id(output.grad_fn)] = 0
    order.append(output.grad_fn)
    while queue:
        node = queue.pop(0)
        for nxt, _ in node.next_functions:
            if nxt is None:
                continue
            if id(nxt) not in index:
                index[id(nxt)] = len(order)
                order.append(nxt)
                queue.append(nxt)
            edges.append((index[id(node)], index[id(nxt)]))
    return Graph(title, tuple(type(n).__name__ for n in order), tuple(edges))


def strided(title: str, base: Any, /, **views: Any) -> Strided:
    """The storage under `base` and each named view's shape, stride and storage offset over it."""
    if not base.is_contiguous() or base.storage_offset() != 0:
        raise ValueError("strided() draws over a contiguous base tensor that starts its storage")
    storage = tuple(float(v) for v in base.reshape(-1).tolist())
    rows = tuple((name, tuple(v.shape), tuple(v.stride()), v.storage_offset()) for name, v in views.items())
    return Strided(title, storage, rows)


def _depths(graph: Graph) -> list[int]:
    depth = [0] * len(graph.nodes)
    for _ in graph.nodes:  # longest path from the root; the graph is acyclic
        for a, b in graph.edges:
            depth[b] = max(depth[b], depth[a] + 1)
    return depth


def draw_graph(graph: Graph) -> str:
    depth = _depths(graph)
    levels: dict[int, list[int]] = {}
    for i, d in enumerate(depth):
        levels.setdefault(d, []).append(i)
    box_w, box_h, gap_x, gap_y = 170, 28, 24, 56
    width = max(len(v) for v in levels.values()) * (box_w + gap_x) + gap_x
    height = len(levels) * gap_y + 40
    pos = {}
    for d, members in levels.items():
        start = (width - len(members) * box_w - (len(members) - 1) * gap_x) / 2
        for k, i in enumerate(members):
            pos[i] = (start + k * (box_w + gap_x) + box_w / 2, 40 + d * gap_y)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height}" role="img" '
        f'aria-label="{html.escape(graph.title)}" font-family="sans-serif" font-size="11">',
        f'<text x="{width / 2:.0f}" y="16" text-anchor="middle" font-size="13">{html.escape(graph.title)}</text>',
    ]
    for a, b in graph.edges:
        (x1, y1), (x2, y2) = pos[a], pos[b]
        parts.append(f'<line x1="{x1:.0f}" y1="{y1 + box_h / 2:.0f}" x2="{x2:.0f}" y2="{y2 - box_h / 2:.0f}" stroke="currentColor" marker-end="url(#tr-arrow)"/>')
    parts.insert(2, '<defs><marker id="tr-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="currentColor"/></marker></defs>')
    for i, label in enumerate(graph.nodes):
        x, y = pos[i]
        parts.append(f'<rect x="{x - box_w / 2:.0f}" y="{y - box_h / 2:.0f}" width="{box_w}" height="{box_h}" rx="6" fill="#e8590c" fill-opacity="0.15" stroke="#e8590c"/>')
        parts.append(f'<text x="{x:.0f}" y="{y + 4:.0f}" text-anchor="middle">{html.escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _cells(shape: tuple[int, ...], stride: tuple[int, ...], offset: int) -> list[list[int]]:
    """Storage index of each element of a 1-D or 2-D view, row by row."""
    rows, cols = (1, shape[0]) if len(shape) == 1 else (shape[0], shape[1])
    s_row, s_col = (0, stride[0]) if len(stride) == 1 else (stride[0], stride[1])
    return [[offset + r * s_row + c * s_col for c in range(cols)] for r in range(rows)]


def draw_strided(picture: Strided) -> str:
    cell, top = 30, 40
    grids = [(name, shape, stride, _cells(shape, stride, offset)) for name, shape, stride, offset in picture.views if 0 < len(shape) <= 2]
    width = max(len(picture.storage), *(len(g[3][0]) for g in grids)) * cell + 200
    height = top + cell + 30 + sum(len(g[3]) * cell + 40 for g in grids)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{html.escape(picture.title)}" font-family="sans-serif" font-size="11">',
        f'<text x="{width / 2:.0f}" y="16" text-anchor="middle" font-size="13">{html.escape(picture.title)}</text>',
        f'<text x="4" y="{top + 19}">storage</text>',
    ]

    def box(x: float, y: float, text: str, index: int) -> None:
        parts.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{cell}" height="{cell}" fill="#1971c2" fill-opacity="{0.08 + 0.5 * index / max(len(picture.storage), 1):.2f}" stroke="currentColor" stroke-opacity="0.5"/>')
        parts.append(f'<text x="{x + cell / 2:.0f}" y="{y + 19:.0f}" text-anchor="middle">{html.escape(text)}</text>')

    for i, value in enumerate(picture.storage):
        box(170 + i * cell, top, f"{value:g}", i)
    y = top + cell + 30
    for name, shape, stride, cells in grids:
        parts.append(f'<text x="4" y="{y + 14}">{html.escape(name)}: shape {shape}, stride {stride}</text>')
        for r, row in enumerate(cells):
            for c, index in enumerate(row):
                box(170 + c * cell, y + 20 + r * cell, f"{picture.storage[index]:g}", index)
        y += len(cells) * cell + 40
    parts.append("</svg>")
    return "".join(parts)


def draw(obj: Graph | Strided) -> str:
    return draw_graph(obj) if isinstance(obj, Graph) else draw_strided(obj)
