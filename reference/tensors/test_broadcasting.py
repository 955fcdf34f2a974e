"""Broadcasting

Elementwise operations accept tensors of different shapes when the shapes are
*broadcastable*: lined up from the last dimension, each pair of sizes is equal, or one
of them is 1, or one of them is missing. The result takes the larger size in each
dimension, and the smaller tensor is stretched to it without copying. The same rule
decides what an in-place operation may do, with one restriction: the tensor written to
cannot grow.
"""

import warnings

import numpy as np
import pytest
import torch
import torch.utils.backcompat

from torchref import raises_exactly, strided


def documented_broadcast_shape(a, b):
    """The result shape by the docs' two steps, or None if the shapes are not broadcastable."""
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    if any(x != y and 1 not in (x, y) for x, y in zip(a, b)):
        return None
    return tuple(max(x, y) for x, y in zip(a, b))


def test_same_shapes_always_broadcast():
    """Two tensors of the same shape are always broadcastable, and the result keeps that shape.

    Equal sizes in every dimension satisfy the rule trivially: this is the ordinary
    elementwise case.

    Docs: https://docs.pytorch.org/docs/stable/notes/broadcasting.html#general-semantics
    """
    x = torch.ones(5, 7, 3)
    y = torch.full((5, 7, 3), 2.0)

    s = x + y

    assert s.shape == (5, 7, 3)
    assert torch.equal(s, torch.full((5, 7, 3), 3.0))


def broadcast_row_over_rows():
    """A (4,) row expanded to (3, 4): every row reads the same four storage elements."""
    row = torch.tensor([1.0, 2.0, 3.0, 4.0])
    return strided("a (4,) row broadcast to (3, 4)", row, row=row, expanded=row.expand(3, 4))


@pytest.mark.figure("broadcast_row_over_rows")
def test_broadcasting_pairs_every_row_with_the_same_elements():
    """Broadcasting a row over rows reads the same elements for every row, through a stride of 0.

    `row.expand(3, 4)` is what `col + row` does to `row` without copying: the new dimension
    gets stride 0, so row `i`, column `j` reads storage element `j` for every `i`. The
    picture shows the pairing: each row of the expanded view holds the same four values.

    Docs: https://docs.pytorch.org/docs/stable/notes/broadcasting.html#general-semantics
    """
    picture = broadcast_row_over_rows()

    assert picture.views[1] == ("expanded", (3, 4), (0, 1), 0)
    assert picture.storage == (1.0, 2.0, 3.0, 4.0)


def test_broadcasting_aligns_shapes_from_the_right():
    """Broadcasting lines shapes up from the last dimension and stretches sizes of 1.

    (3, 1) + (4,) works: the (4,) is treated as (1, 4), then each size-1 dimension is
    stretched to match, giving (3, 4). Nothing is copied to do it.

    Docs: https://docs.pytorch.org/docs/stable/notes/broadcasting.html#general-semantics
    """
    col = torch.tensor([[0], [10], [20]])
    row = torch.tensor([1, 2, 3, 4])

    s = col + row

    assert s.shape == (3, 4)
    assert s[2].tolist() == [21, 22, 23, 24]
    assert s.tolist() == [[c + r for r in row.tolist()] for c in col.flatten().tolist()]


@pytest.mark.shows("documented_broadcast_shape")
@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((5, 3, 4, 1), (3, 1, 1), (5, 3, 4, 1)),
        ((5, 1, 4, 1), (3, 1, 1), (5, 3, 4, 1)),
        ((1,), (3, 1, 7), (3, 1, 7)),
    ],
    ids=["5x3x4x1-and-3x1x1", "5x1x4x1-and-3x1x1", "1-and-3x1x7"],
)
def test_result_shape_is_the_larger_size_in_each_dim(a, b, expected):
    """The result of broadcasting has, in each dimension, the larger of the two sizes.

    The docs give the rule in two steps: prepend 1s to the shorter shape until both
    have the same length, then take the maximum size in each dimension. The helper
    shown beside this test does exactly that, and agrees with the shape of an actual
    sum and with NumPy's `broadcast_shapes`, whose rules PyTorch follows. Lining the shapes up by hand is only a reading
    aid: `(1,)` and `(3, 1, 7)` broadcast as well.

    Docs: https://docs.pytorch.org/docs/stable/notes/broadcasting.html#general-semantics
    """
    x = torch.zeros(a)
    y = torch.zeros(b)

    s = x + y

    assert s.shape == expected
    assert documented_broadcast_shape(a, b) == expected
    assert np.broadcast_shapes(a, b) == expected


def test_zero_dim_tensor_broadcasts_against_any_shape():
    """A 0-d tensor broadcasts against a tensor of any shape, like a Python number.

    It has no dimensions at all, so by the rule every one of the other tensor's sizes
    meets a dimension that "does not exist". This is why a loss or a mean, both 0-d,
    can scale a whole tensor.

    Docs: https://docs.pytorch.org/docs/stable/notes/broadcasting.html#general-semantics
    """
    scale = torch.tensor(2.0)
    x = torch.ones(2, 3)

    y = scale * x

    assert scale.shape == ()
    assert y.shape == (2, 3)
    assert torch.equal(y, 2.0 * x)
    assert documented_broadcast_shape((), (2, 3)) == (2, 3)


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        ((5, 2, 4, 1), (3, 1, 1), r"The size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton dimension 1"),
        ((0,), (2, 2), r"The size of tensor a \(0\) must match the size of tensor b \(2\) at non-singleton dimension 1"),
    ],
    ids=["2-against-3", "0-against-2"],
)
def test_unequal_sizes_that_are_not_1_do_not_broadcast(a, b, message):
    """Two sizes that differ and are both not 1 make the shapes not broadcastable, and the operation raises.

    In (5, 2, 4, 1) and (3, 1, 1) the third dimension from the right is 2 against 3.
    A size of 0 is no wildcard either: (0,) against (2, 2) is 0 against 2. The error
    names both sizes and the dimension, counted in the result's dimensions.

    Docs: https://docs.pytorch.org/docs/stable/notes/broadcasting.html#general-semantics
    """
    x = torch.zeros(a)
    y = torch.zeros(b)

    assert documented_broadcast_shape(a, b) is None
    with raises_exactly(RuntimeError, match=message):
        x + y


def test_broadcasting_of_a_vector_matches_the_last_dim():
    """A vector broadcasts against the *last* dimension of a matrix, never the first.

    Subtracting a per-row value from a (2, 3) matrix needs that value as (2, 1); a (2,)
    vector does not fit the last dimension, 3, and raises. (For a square matrix it would
    fit and silently subtract per column instead.)

    Docs: https://docs.pytorch.org/docs/stable/notes/broadcasting.html#general-semantics
    """
    x = torch.zeros(2, 3)
    per_row = torch.tensor([1.0, 2.0])
    square = torch.zeros(2, 2)

    assert (x - per_row[:, None]).tolist() == [[-1.0, -1.0, -1.0], [-2.0, -2.0, -2.0]]
    assert (square - per_row).tolist() == [[-1.0, -2.0], [-1.0, -2.0]]
    with raises_exactly(RuntimeError, match=r"The size of tensor a \(3\) must match the size of tensor b \(2\) at non-singleton dimension 1"):
        x - per_row


def test_broadcast_tensors_are_expanded_views_not_copies():
    """The stretched operands are expanded views with stride 0: broadcasting copies no data.

    `torch.broadcast_tensors` returns the operands as an elementwise operation sees
    them. Each stays on its original storage; a stretched dimension gets stride 0, so
    all its positions read the same element.

    Docs: https://docs.pytorch.org/docs/stable/notes/broadcasting.html#broadcasting-semantics
    """
    col = torch.tensor([[0], [10], [20]])
    row = torch.tensor([1, 2, 3, 4])

    col_b, row_b = torch.broadcast_tensors(col, row)

    assert col_b.shape == row_b.shape == (3, 4)
    assert col_b.stride() == (1, 0)
    assert row_b.stride() == (0, 1)
    assert col_b.untyped_storage().data_ptr() == col.untyped_storage().data_ptr()
    assert row_b.untyped_storage().data_ptr() == row.untyped_storage().data_ptr()


def test_broadcast_tensors_gives_every_operand_the_common_shape():
    """`torch.broadcast_tensors` returns each of any number of tensors expanded to their common shape.

    The API page's example: a (1, 3) row and a (2, 1) column both come back as (2, 3),
    the row repeated down and the column repeated across. A third operand joins the
    same rule: a 0-d tensor is stretched to (2, 3) as well.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.broadcast_tensors.html#torch.broadcast_tensors
    """
    x = torch.arange(3).view(1, 3)
    y = torch.arange(2).view(2, 1)
    z = torch.tensor(7)

    a, b, c = torch.broadcast_tensors(x, y, z)

    assert a.shape == b.shape == c.shape == (2, 3)
    assert a.tolist() == [[0, 1, 2], [0, 1, 2]]
    assert b.tolist() == [[0, 0, 0], [1, 1, 1]]
    assert c.tolist() == [[7, 7, 7], [7, 7, 7]]


def test_broadcast_tensors_raises_for_shapes_that_do_not_broadcast():
    """`torch.broadcast_tensors` raises the same RuntimeError as an elementwise operation on unbroadcastable shapes.

    (2,) and (3,) meet in their only dimension with 2 against 3, so there is no common
    shape to return.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.broadcast_tensors.html#torch.broadcast_tensors
    """
    x = torch.zeros(2)
    y = torch.zeros(3)

    with raises_exactly(RuntimeError, match=r"The size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton dimension 0"):
        torch.broadcast_tensors(x, y)


def test_inplace_write_to_a_broadcast_tensor_raises_until_cloned():
    """Writing in place to a tensor returned by `broadcast_tensors` raises; a clone can be written.

    The API page warns that several elements of a broadcast tensor may share one memory
    location, so an in-place operation could give wrong results, and tells you to clone
    first. PyTorch checks this itself: the stretched row has stride 0, and `add_` on it
    refuses. `clone()` makes six separate elements.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.broadcast_tensors.html#torch.broadcast_tensors
    """
    a, _ = torch.broadcast_tensors(torch.arange(3).view(1, 3), torch.zeros(2, 1, dtype=torch.long))

    assert a.stride() == (0, 1)
    with raises_exactly(RuntimeError, match=r"more than one element of the written-to tensor refers to a single memory location"):
        a.add_(1)
    assert a.clone().add_(1).tolist() == [[1, 2, 3], [1, 2, 3]]


def test_broadcast_shapes_computes_the_shape_without_tensors():
    """`torch.broadcast_shapes` returns, as a `torch.Size`, the shape `broadcast_tensors` would give.

    The API page's example: (2,), (3, 1) and (1, 1, 1) broadcast to (1, 3, 2), the same
    shape as `torch.broadcast_tensors(*map(torch.empty, shapes))[0].shape`, but no tensor
    is created to find it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.broadcast_shapes.html#torch.broadcast_shapes
    """
    shapes = [(2,), (3, 1), (1, 1, 1)]

    result = torch.broadcast_shapes(*shapes)

    assert type(result) is torch.Size
    assert result == (1, 3, 2)
    assert result == torch.broadcast_tensors(*map(torch.empty, shapes))[0].shape


def test_broadcast_shapes_raises_runtime_error_for_incompatible_shapes():
    """`torch.broadcast_shapes` raises RuntimeError when the shapes are not broadcastable.

    The class is documented; the wording is not, and it changed: torch 2.0 says "Shape
    mismatch: objects cannot be broadcast to a single shape", later releases name the
    mismatching size ("Attempting to broadcast a dimension of length 3 ..."). The match
    accepts either.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.broadcast_shapes.html#torch.broadcast_shapes
    """
    with raises_exactly(
        RuntimeError,
        match=r"Shape mismatch: objects cannot be broadcast to a single shape|Attempting to broadcast a dimension of length 3",
    ):
        torch.broadcast_shapes((2,), (3,))


def test_expand_adds_new_dimensions_at_the_front():
    """`expand` may add dimensions, and the new ones are prepended, with stride 0.

    (3, 1) expanded to (2, 3, 4) lines up from the right like broadcasting: the existing
    3 stays, the 1 becomes 4, and the new leading 2 reads the same storage twice. `-1`
    keeps an existing size, and a `torch.Size` works as well as separate integers.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.expand.html#torch.Tensor.expand
    """
    x = torch.tensor([[1], [2], [3]])

    y = x.expand(2, -1, 4)

    assert y.shape == (2, 3, 4)
    assert y.stride() == (0, 1, 0)
    assert y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
    assert y[1].tolist() == [[1] * 4, [2] * 4, [3] * 4]
    assert torch.equal(x.expand(torch.Size([2, 3, 4])), y)


def test_expand_refuses_minus_one_for_a_new_dimension():
    """`-1` is not allowed as the size of a dimension that `expand` adds.

    `-1` means "keep this size", and a new leading dimension has no size to keep.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.expand.html#torch.Tensor.expand
    """
    x = torch.zeros(3, 1)

    with raises_exactly(RuntimeError, match=r"The expanded size of the tensor \(-1\) isn't allowed in a leading, non-existing dimension 0"):
        x.expand(-1, 3, 4)


def test_expand_cannot_remove_dimensions():
    """`expand` needs at least as many sizes as the tensor has dimensions.

    New dimensions can only be added at the front; none can be taken away, so a (3, 1)
    tensor cannot be expanded to a 1-d shape.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.expand.html#torch.Tensor.expand
    """
    x = torch.zeros(3, 1)

    with raises_exactly(
        RuntimeError,
        match=r"the number of sizes provided \(1\) must be greater or equal to the number of dimensions in the tensor \(2\)",
    ):
        x.expand(4)


def test_converting_an_expanded_tensor_allocates_the_full_shape():
    """Changing the dtype of an expanded tensor materialises every element, stride-0 ones included.

    The expanded (3, 2) view holds only 2 floats of storage; converted to float64 it
    becomes an ordinary contiguous tensor of 6 elements, 48 bytes.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.expand.html#torch.Tensor.expand
    """
    x = torch.ones(2)
    y = x.expand(3, 2)

    z = y.to(torch.float64)

    assert y.untyped_storage().nbytes() == 2 * 4
    assert z.is_contiguous()
    assert z.untyped_storage().nbytes() == 6 * 8


def test_expand_as_is_expand_to_the_other_tensors_size():
    """`a.expand_as(b)` is `a.expand(b.size())`: the same view, and the same error when a size cannot stretch.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.expand_as.html#torch.Tensor.expand_as
    """
    a = torch.tensor([[1], [2], [3]])
    b = torch.empty(2, 3, 4)

    y = a.expand_as(b)

    assert y.shape == b.shape
    assert y.stride() == a.expand(b.size()).stride() == (0, 1, 0)
    assert y.untyped_storage().data_ptr() == a.untyped_storage().data_ptr()
    with raises_exactly(RuntimeError, match=r"The expanded size of the tensor \(4\) must match the existing size \(3\) at non-singleton dimension 1"):
        torch.zeros(3).expand_as(torch.empty(2, 4))


def test_inplace_operation_may_broadcast_the_other_operand():
    """An in-place operation broadcasts the other operand to the shape of the tensor it writes to.

    `x.add_(y)` with x of shape (5, 3, 4, 1) and y of shape (3, 1, 1) is fine: the
    broadcast shape is x's own, so the result fits where x is.

    Docs: https://docs.pytorch.org/docs/stable/notes/broadcasting.html#in-place-semantics
    """
    x = torch.zeros(5, 3, 4, 1)
    y = torch.arange(3.0).view(3, 1, 1)

    result = x.add_(y)

    assert result is x
    assert x.shape == (5, 3, 4, 1)
    assert torch.equal(x, torch.zeros(5, 3, 4, 1) + y)


@pytest.mark.docs_erratum(
    "The error reads: The expanded size of the tensor (1) must match the existing size (7) at non-singleton dimension 2."
)
def test_inplace_operation_cannot_grow_the_tensor_it_writes_to():
    """An in-place operation raises when broadcasting would change the shape of the tensor written to.

    `x.add_(y)` with x of shape (1, 3, 1) and y of shape (3, 1, 7) would need x to grow
    to (3, 3, 7), and x has room for 3 numbers only. The broadcasting note quotes the
    error as "The expanded size of the tensor (1) must match the existing size (7) at
    non-singleton dimension 2"; the message PyTorch actually gives names the output's
    shape and the broadcast shape. Out of place, the same sum is fine.

    Docs: https://docs.pytorch.org/docs/stable/notes/broadcasting.html#in-place-semantics
    """
    x = torch.zeros(1, 3, 1)
    y = torch.zeros(3, 1, 7)

    assert (x + y).shape == (3, 3, 7)
    with raises_exactly(RuntimeError, match=r"output with shape \[1, 3, 1\] doesn't match the broadcast shape \[3, 3, 7\]"):
        x.add_(y)


def test_broadcastable_shapes_with_equal_element_counts_broadcast():
    """`torch.add(torch.ones(4, 1), torch.randn(4))` has shape (4, 4), not (4, 1).

    Before broadcasting existed, PyTorch combined two tensors with the same number of
    elements by viewing both as 1-D, which would give a (4, 1) result. The note warns
    that broadcasting changed such code silently: (4, 1) and (4,) are broadcastable, so
    each of the four rows now adds the whole vector.

    Docs: https://docs.pytorch.org/docs/stable/notes/broadcasting.html#backwards-compatibility
    """
    col = torch.ones(4, 1)
    v = torch.tensor([1.0, 2.0, 3.0, 4.0])

    s = torch.add(col, v)

    assert s.shape == (4, 4)
    assert s.tolist() == [[2.0, 3.0, 4.0, 5.0]] * 4


@pytest.mark.docs_erratum(
    "The 1-dimensional pointwise behavior is deprecated and will generate a Python warning where tensors "
    "are not broadcastable but have the same number of elements"
)
def test_equal_element_counts_do_not_rescue_unbroadcastable_shapes():
    """A (2, 2) plus a (4,) raises, though both hold four elements: the old 1-D fallback is gone.

    The note's backwards-compatibility section says this case only warns and still
    computes elementwise over the flattened tensors. On PyTorch 2 it is an ordinary
    broadcasting error: reshape one side yourself if flattening is what you mean.

    Docs: https://docs.pytorch.org/docs/stable/notes/broadcasting.html#backwards-compatibility
    """
    x = torch.ones(2, 2)
    v = torch.arange(4.0)

    assert (x + v.view(2, 2)).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    with raises_exactly(RuntimeError, match=r"The size of tensor a \(2\) must match the size of tensor b \(4\) at non-singleton dimension 1"):
        x + v


@pytest.mark.docs_erratum(
    "Setting torch.utils.backcompat.broadcast_warning.enabled to True generates a Python warning for "
    "torch.add(torch.ones(4,1), torch.ones(4))"
)
def test_backcompat_broadcast_warning_flag_no_longer_warns():
    """Setting `torch.utils.backcompat.broadcast_warning.enabled` makes no warning appear.

    The note offers this flag to find code whose meaning broadcasting changed, and
    shows a UserWarning for `torch.add(torch.ones(4, 1), torch.ones(4))`. The flag still
    exists and can be set, but PyTorch 2 no longer consults it: the sum broadcasts to
    (4, 4) in silence. Search such code by its shapes instead.

    Docs: https://docs.pytorch.org/docs/stable/notes/broadcasting.html#backwards-compatibility
    """
    flag = torch.utils.backcompat.broadcast_warning
    previous = flag.enabled
    flag.enabled = True
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            s = torch.add(torch.ones(4, 1), torch.ones(4))
    finally:
        flag.enabled = previous

    assert caught == []
    assert s.shape == (4, 4)
