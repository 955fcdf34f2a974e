"""Charts for the docs pages, as plain SVG.

A test marked `@pytest.mark.figure(fn)` asserts on the data that `fn()` returns, and the
page draws the same `fn()` at build time: the chart cannot drift from what is tested.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

PALETTE = ("#e8590c", "#1971c2", "#2f9e44", "#9c36b5", "#c2255c", "#0c8599")
KINDS = ("line", "steps", "bars", "hbars")
_PREFIXES = ((1e3, "k"), (1.0, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n"))


@dataclass(frozen=True)
class Figure:
    """A chart: one or more named series of (xs, ys) drawn as `kind`.

    - "line" joins the points;
    - "steps" holds each value until the next x and then jumps (a learning rate that stays
      put for an epoch), the last value held for one more step;
    - "bars" draws a histogram (xs are bin centres);
    - "hbars" draws one horizontal bar per category: xs index into `labels`, which name the
      bars, and the value axis is logarithmic when `log` is set (130 ns and 875 µs on one chart).

    `unit` ("s") writes the value axis and the bar values with SI prefixes (ns, µs, ms).
    """

    title: str
    xlabel: str
    ylabel: str
    series: Mapping[str, tuple[Sequence[float], Sequence[float]]]  # label -> (xs, ys)
    kind: str = "line"
    labels: Sequence[str] = ()
    log: bool = False
    unit: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Figure kind {self.kind!r}: use one of {', '.join(KINDS)}")


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


def si(value: float, unit: str) -> str:
    """130e-9, "s" -> "130 ns"; without a unit, the plain number."""
    if not unit:
        return _fmt(value)
    scale, prefix = next(((s, p) for s, p in _PREFIXES if abs(value) >= s * 0.9995), _PREFIXES[-1])
    return f"{value / scale:.3g} {prefix}{unit}"


def _header(fig: Figure, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{html.escape(fig.title)}" font-family="sans-serif" font-size="11">',
        f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="13">{html.escape(fig.title)}</text>',
    ]


def _legend(fig: Figure, x_right: float, top: float) -> list[str]:
    if len(fig.series) < 2:  # a single series is named by the title
        return []
    parts = []
    lx = x_right - 20 - 6.5 * max(len(n) for n in fig.series)
    for i, name in enumerate(fig.series):
        color = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{lx:.1f}" y="{top + 4 + 14 * i}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{lx + 14:.1f}" y="{top + 13 + 14 * i}">{html.escape(name)}</text>')
    return parts


def svg(fig: Figure, width: int = 560, height: int = 280) -> str:
    """The figure as one line of SVG markup (no blank lines, so Markdown passes it through)."""
    if fig.kind == "hbars":
        return _hbars(fig, width)
    left, right, top, bottom = 56, 16, 28, 40
    xs = [x for xv, _ in fig.series.values() for x in xv]
    ys = [y for _, yv in fig.series.values() for y in yv]
    x0, x1 = min(xs), max(xs)
    # Bars and most curves (learning rates, counts) read honestly only from zero.
    y0, y1 = min(min(ys), 0.0), max(ys)
    if fig.kind == "bars":
        half = (x1 - x0) / max(len(xs) - 1, 1) / 2
        x0, x1 = x0 - half, x1 + half
    if fig.kind == "steps":  # the last value holds for one more step
        x1 = max(x1, *(_held_until(sx) for sx, _ in fig.series.values()))
    x1, y1 = (x1 if x1 > x0 else x0 + 1), (y1 if y1 > y0 else y0 + 1)
    pw, ph = width - left - right, height - top - bottom

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * pw

    def py(y: float) -> float:
        return top + ph - (y - y0) / (y1 - y0) * ph

    parts = [
        *_header(fig, width, height),
        f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="currentColor"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="currentColor"/>',
    ]
    for t in _ticks(x0, x1):
        parts.append(f'<text x="{px(t):.1f}" y="{top + ph + 14}" text-anchor="middle">{_fmt(t)}</text>')
    for t in _ticks(y0, y1):
        parts.append(f'<text x="{left - 4}" y="{py(t) + 4:.1f}" text-anchor="end">{si(t, fig.unit)}</text>')
        parts.append(f'<line x1="{left}" y1="{py(t):.1f}" x2="{left + pw}" y2="{py(t):.1f}" stroke="currentColor" stroke-opacity="0.12"/>')
    parts.append(f'<text x="{left + pw / 2}" y="{height - 6}" text-anchor="middle">{html.escape(fig.xlabel)}</text>')
    parts.append(f'<text transform="translate(12 {top + ph / 2}) rotate(-90)" text-anchor="middle">{html.escape(fig.ylabel)}</text>')
    for i, (sx, sy) in enumerate(fig.series.values()):
        color = PALETTE[i % len(PALETTE)]
        if fig.kind == "bars":
            w = pw / max(len(sx), 1) * 0.9
            for x, y in zip(sx, sy, strict=True):
                parts.append(
                    f'<rect x="{px(x) - w / 2:.1f}" y="{py(max(y, 0)):.1f}" width="{w:.1f}" '
                    f'height="{abs(py(y) - py(0)):.1f}" fill="{color}" fill-opacity="0.7"/>'
                )
        elif fig.kind == "steps":
            parts.append(f'<path d="{_steps_path(sx, sy, px, py)}" fill="none" stroke="{color}" stroke-width="2"/>')
            if len(sx) <= 30:  # a dot where each value starts: the value of that epoch
                parts += [f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="2.5" fill="{color}"/>' for x, y in zip(sx, sy, strict=True)]
        else:
            points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(sx, sy, strict=True))
            parts.append(f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>')
    parts += _legend(fig, left + pw, top)
    parts.append("</svg>")
    return "".join(parts)


def _held_until(xs: Sequence[float]) -> float:
    """Where the last value of a step series ends: one step (the last spacing) after it."""
    return xs[-1] + (xs[-1] - xs[-2] if len(xs) > 1 else 1)


def _steps_path(xs: Sequence[float], ys: Sequence[float], px: Callable[[float], float], py: Callable[[float], float]) -> str:
    """Each value held until the next x (a horizontal segment), then a vertical jump to the next value."""
    path = f"M{px(xs[0]):.1f},{py(ys[0]):.1f}"
    for i in range(1, len(xs)):
        path += f"H{px(xs[i]):.1f}V{py(ys[i]):.1f}"
    return path + f"H{px(_held_until(xs)):.1f}"


def _decades(lo: float, hi: float) -> tuple[int, int]:
    first = math.floor(math.log10(lo))
    last = math.ceil(math.log10(hi))
    return first, max(last, first + 1)


def _hbars(fig: Figure, width: int) -> str:
    """One row per label, one bar per series in it; bar length on a log (`fig.log`) or linear value axis from zero."""
    n_series = len(fig.series)
    bar, gap = 14, 10
    row = n_series * bar + gap
    left = 16 + 6.2 * max((len(label) for label in fig.labels), default=4)
    right, top = 70, 28 + (14 * n_series if n_series > 1 else 0)
    bottom = 40
    pw = width - left - right
    height = int(top + row * len(fig.labels) + bottom)
    values = [y for _, ys in fig.series.values() for y in ys]
    if fig.log:
        values = [v for v in values if v > 0] or [1.0]
        d0, d1 = _decades(min(values), max(values))
        ticks = [10.0**d for d in range(d0, d1 + 1)]

        def pv(v: float) -> float:
            return left + (math.log10(max(v, ticks[0])) - d0) / (d1 - d0) * pw

    else:
        top_value = max([*values, 0.0]) or 1.0
        ticks = _ticks(0.0, top_value)
        end = max(top_value, ticks[-1])

        def pv(v: float) -> float:
            return left + v / end * pw

    base = top + row * len(fig.labels)
    parts = [
        *_header(fig, width, height),
        f'<line x1="{left:.1f}" y1="{top}" x2="{left:.1f}" y2="{base}" stroke="currentColor"/>',
        f'<line x1="{left:.1f}" y1="{base}" x2="{left + pw:.1f}" y2="{base}" stroke="currentColor"/>',
    ]
    for t in ticks:
        parts.append(f'<line x1="{pv(t):.1f}" y1="{top}" x2="{pv(t):.1f}" y2="{base}" stroke="currentColor" stroke-opacity="0.12"/>')
        parts.append(f'<text x="{pv(t):.1f}" y="{base + 14}" text-anchor="middle">{si(t, fig.unit)}</text>')
    scale = "log scale" if fig.log else ""
    axis = ", ".join(part for part in (fig.ylabel, scale) if part)
    parts.append(f'<text x="{left + pw / 2:.1f}" y="{height - 6}" text-anchor="middle">{html.escape(axis)}</text>')
    for j, label in enumerate(fig.labels):
        y = top + row * j + gap / 2
        parts.append(f'<text x="{left - 6:.1f}" y="{y + row / 2 - gap / 2 + 4:.1f}" text-anchor="end">{html.escape(label)}</text>')
    for i, (xs, ys) in enumerate(fig.series.values()):
        color = PALETTE[i % len(PALETTE)]
        for x, v in zip(xs, ys, strict=True):
            y = top + row * int(x) + gap / 2 + bar * i
            length = max(pv(v) - left, 1.0)
            parts.append(
                f'<rect x="{left:.1f}" y="{y:.1f}" width="{length:.1f}" height="{bar - 2}" fill="{color}" fill-opacity="0.8">'
                f"<title>{html.escape(fig.labels[int(x)])}: {si(v, fig.unit)}</title></rect>"
            )
            parts.append(f'<text x="{left + length + 4:.1f}" y="{y + bar - 4:.1f}">{si(v, fig.unit)}</text>')
    parts += _legend(fig, left + pw + right, 24) if n_series > 1 else []
    parts.append("</svg>")
    return "".join(parts)
