"""Charts: one line of SVG drawn from a Figure."""

import re

import pytest

from torchref.site.svg import Figure, _ticks, si, svg


def test_line_chart_has_one_polyline_per_series_and_a_legend():
    fig = Figure("lr", "epoch", "lr", {"StepLR": ([0, 1, 2], [0.1, 0.1, 0.01]), "Exp": ([0, 1, 2], [0.1, 0.09, 0.081])})

    drawn = svg(fig)

    assert drawn.startswith("<svg") and drawn.endswith("</svg>")
    assert drawn.count("<polyline") == 2
    assert ">StepLR</text>" in drawn and ">Exp</text>" in drawn
    assert "\n" not in drawn


def test_bar_chart_draws_one_bar_per_bin():
    drawn = svg(Figure("hist", "w", "count", {"weights": ([-0.5, 0.0, 0.5], [3, 5, 2])}, kind="bars"))

    assert drawn.count('fill-opacity="0.7"') == 3


def test_ticks_are_round_numbers():
    assert _ticks(0.0, 1.0) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert _ticks(0.001, 0.1) == [0.02, 0.04, 0.06, 0.08, 0.1]


def test_single_series_needs_no_legend_and_the_axis_starts_at_zero():
    drawn = svg(Figure("StepLR", "epoch", "lr", {"StepLR": ([0, 1, 2], [0.5, 0.5, 0.25])}))

    assert ">StepLR</text>" in drawn  # the title
    assert drawn.count(">StepLR</text>") == 1
    assert ">0</text>" in drawn


def test_steps_hold_each_value_until_the_next_x_then_jump():
    drawn = svg(Figure("StepLR", "epoch", "lr", {"lr": ([0, 1, 2], [1.0, 1.0, 0.5])}, kind="steps"))

    (path,) = re.findall(r'<path d="([^"]+)"', drawn)
    moves = re.findall(r"[MHV][\d.]+(?:,[\d.]+)?", path)
    assert [m[0] for m in moves] == ["M", "H", "V", "H", "V", "H"]  # only horizontal and vertical segments
    assert "<polyline" not in drawn
    assert drawn.count("<circle") == 3  # one dot per epoch's value
    assert ">3</text>" in drawn  # the last value is held for its whole epoch: the axis runs to 3


def test_unknown_kind_is_refused_naming_the_kinds():
    with pytest.raises(ValueError, match=r"Figure kind 'ramp': use one of line, steps, bars, hbars"):
        Figure("t", "x", "y", {}, kind="ramp")


def test_horizontal_bars_are_named_and_a_log_axis_shows_nanoseconds_and_milliseconds():
    fig = Figure(
        "reshape", "", "mean time", {"CPU": ([0, 1], [130e-9, 875e-6])}, kind="hbars", labels=["view copies nothing", "contiguous copies"], log=True, unit="s"
    )

    drawn = svg(fig, width=760)

    assert ">view copies nothing</text>" in drawn and ">contiguous copies</text>" in drawn
    assert ">130 ns</text>" in drawn and ">875 µs</text>" in drawn
    assert [">100 ns<", ">1 µs<", ">10 µs<", ">100 µs<", ">1 ms<"] == re.findall(r">10* [nµm]s<", drawn)
    widths = [float(w) for w in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', drawn)]
    assert widths[1] > 4 * widths[0] > 0  # both bars show: on a linear axis the first would be 0.01 % of the second
    assert "mean time, log scale" in drawn


def test_si_prefixes():
    assert [si(v, "s") for v in (1.32e-6, 875e-6, 0.0012, 2.0, 130e-9)] == ["1.32 µs", "875 µs", "1.2 ms", "2 s", "130 ns"]
