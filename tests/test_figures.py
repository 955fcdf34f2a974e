"""Charts: one line of SVG drawn from a Figure."""

from torchref.site.svg import Figure, _ticks, svg


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
