"""Charts for the docs pages, as plain SVG.

A test marked `@pytest.mark.figure(fn)` asserts on the data that `fn()` returns, and the
page draws the same `fn()` at build time: the chart cannot drift from what is tested.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Sequence

PALETTE = ("#e8590c", "#1971c2", "#2f9e44", "#9c36b5", "#c2255c", "#0c8599")


@dataclass(frozen=True)
class Figure:
    title: str
    xlabel: str
    ylabel: str
    series: dict[str, tuple[Sequence[float], Sequence[float]]]  # label -> (xs, ys)
    kind: str = "line"  # "line" joins points; "bars" draws a histogram (xs are bin centres)


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if hi == lo:
        return [lo]
    raw = (hi - lo) / count
    step = 10 ** math.floor(math.log10(raw))
    step *= next(m for m in (1, 2, 2.5, 5, 10) if step * m >= raw)
    first = math.ceil(lo / step) * step
    return [round(first + i * step, 10) for i in range(int((hi - first) / step + 1e-9) + 1)]


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def svg(fig: Figure, width: int = 560, height: int = 280) -> str:
    """The figure as one line of SVG markup (no blank lines, so Markdown passes it through)."""
    left, right, top, bottom = 56, 16, 28, 40
    xs = [x for xv, _ in fig.series.values() for x in xv]
    ys = [y for _, yv in fig.series.values() for y in yv]
    x0, x1 = min(xs), max(xs)
    # Bars and most curves (learning rates, counts) read honestly only from zero.
    y0, y1 = min(min(ys), 0.0), max(ys)
    if fig.kind == "bars":
        half = (x1 - x0) / max(len(xs) - 1, 1) / 2
        x0, x1 = x0 - half, x1 + half
    x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + 1)
    pw, ph = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * pw

    def py(y: float) -> float:
        return top + ph - (y - y0) / (y1 - y0) * ph

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{html.escape(fig.title)}" font-family="sans-serif" font-size="11">',
        f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="13">{html.escape(fig.title)}</text>',
        f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="currentColor"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="currentColor"/>',
    ]
    for t in _ticks(x0, x1):
        parts.append(f'<text x="{px(t):.1f}" y="{top + ph + 14}" text-anchor="middle">{_fmt(t)}</text>')
    for t in _ticks(y0, y1):
        parts.append(f'<text x="{left - 4}" y="{py(t) + 4:.1f}" text-anchor="end">{_fmt(t)}</text>')
        parts.append(f'<line x1="{left}" y1="{py(t):.1f}" x2="{left + pw}" y2="{py(t):.1f}" stroke="currentColor" stroke-opacity="0.12"/>')
    parts.append(f'<text x="{left + pw / 2}" y="{height - 6}" text-anchor="middle">{html.escape(fig.xlabel)}</text>')
    parts.append(
        f'<text transform="translate(12 {top + ph / 2}) rotate(-90)" text-anchor="middle">{html.escape(fig.ylabel)}</text>'
    )
    for i, (name, (sx, sy)) in enumerate(fig.series.items()):
        color = PALETTE[i % len(PALETTE)]
        if fig.kind == "bars":
            w = pw / max(len(sx), 1) * 0.9
            for x, y in zip(sx, sy):
                parts.append(
                    f'<rect x="{px(x) - w / 2:.1f}" y="{py(max(y, 0)):.1f}" width="{w:.1f}" '
                    f'height="{abs(py(y) - py(0)):.1f}" fill="{color}" fill-opacity="0.7"/>'
                )
        else:
            points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(sx, sy))
            parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
        if len(fig.series) > 1:  # a single series is named by the title
            lx = left + pw - 20 - 6.5 * max(len(n) for n in fig.series)
            parts.append(f'<rect x="{lx:.1f}" y="{top + 4 + 14 * i}" width="10" height="10" fill="{color}"/>')
            parts.append(f'<text x="{lx + 14:.1f}" y="{top + 13 + 14 * i}">{html.escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
