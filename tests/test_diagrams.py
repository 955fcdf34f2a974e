"""Pictures drawn from what a test builds: an autograd graph, a storage and its views."""

import pytest
import torch

from torchref import autograd_graph, strided
from torchref.site import diagrams, figures


def test_autograd_graph_walks_grad_fn_breadth_first_and_keeps_shared_nodes_once():
    x = torch.ones(2, requires_grad=True)

    graph = autograd_graph((x * x + x).sum())

    assert graph.nodes == ("SumBackward0", "AddBackward0", "MulBackward0", "AccumulateGrad")
    assert graph.edges == ((0, 1), (1, 2), (1, 3), (2, 3), (2, 3))


def test_graph_is_drawn_as_one_box_per_node_and_one_arrow_per_edge():
    x = torch.ones(2, requires_grad=True)

    drawn = diagrams.draw(autograd_graph((x * 2).sum(), "doubling"))

    assert drawn.startswith("<svg") and drawn.endswith("</svg>")
    assert drawn.count("<rect") == 3
    assert drawn.count("<line") == 2
    assert 'aria-label="doubling"' in drawn


def test_strided_records_each_view_over_the_storage_and_draws_its_cells():
    base = torch.arange(6.0).view(2, 3)

    picture = strided("transpose", base, base=base, t=base.t())
    drawn = diagrams.draw(picture)

    assert picture.storage == (0.0, 1.0, 2.0, 3.0, 4.0, 5.0)
    assert picture.views == (("base", (2, 3), (3, 1), 0), ("t", (3, 2), (1, 3), 0))
    assert drawn.count("<rect") == 6 + 6 + 6
    assert "t: shape (3, 2), stride (1, 3)" in drawn


def test_strided_needs_a_base_that_starts_its_storage():
    base = torch.arange(6.0)

    with pytest.raises(ValueError, match="contiguous base tensor that starts its storage"):
        strided("bad", base[1:])


def test_a_figure_function_returning_something_else_is_an_error():
    with pytest.raises(TypeError, match="returns a Figure, Graph or Strided, not int"):
        figures._draw(3)
