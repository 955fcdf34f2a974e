"""Picking, placing, joining and splitting

`gather` reads values at positions given by an index tensor and `scatter` writes values to
such positions; `where`, `nonzero`, `argmax` and friends answer "which elements?"; `cat`,
`stack`, `split` and `chunk` join tensors and cut them apart. The rules of thumb: the
output of `gather` has the shape of the index, `stack` adds a dimension while `cat` does
not, and ties and uneven pieces have fixed, documented answers.
"""

import pytest
import torch
import torch.nn.functional as F

from torchref import by_version, raises_exactly, warns_exactly


@pytest.mark.claim("S2-008", verdict="true")
def test_gather_picks_along_a_dim_in_the_shape_of_the_index():
    """`gather(dim=1, index)` returns `out[i][j] = x[i][index[i][j]]`, shaped like `index`.

    The note is right: the output has the index's shape, not the input's. Along `dim`
    the index says *which* element to take; along the other dimensions it stays in its
    own row.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.gather.html
    """
    x = torch.tensor([[10, 11, 12], [20, 21, 22]])
    index = torch.tensor([[2, 0, 0, 1], [1, 1, 0, 2]])

    out = torch.gather(x, 1, index)

    assert out.shape == index.shape
    assert out.tolist() == [[12, 10, 10, 11], [21, 21, 20, 22]]


def test_gather_picks_the_score_of_each_label():
    """`scores.gather(1, labels.unsqueeze(1))` picks each row's score at its label.

    This is how a loss reads "the probability of the right class" for a whole batch at
    once. The index needs the same number of dimensions as the input, hence the
    `unsqueeze(1)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.gather.html
    """
    scores = torch.tensor([[0.7, 0.1, 0.2], [0.3, 0.3, 0.4]])
    labels = torch.tensor([0, 2])

    picked = scores.gather(1, labels.unsqueeze(1))

    assert picked.squeeze(1).tolist() == [scores[0, 0].item(), scores[1, 2].item()]


def test_gather_raises_on_an_index_out_of_range():
    """An index past the end of `dim` raises on CPU instead of reading garbage.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.gather.html
    """
    x = torch.zeros(2, 2)

    with raises_exactly(RuntimeError, match="index 3 is out of bounds for dimension 1 with size 2"):
        x.gather(1, torch.tensor([[0], [3]]))


@pytest.mark.claim("S2-009", verdict="true")
def test_scatter_writes_src_to_the_index_positions():
    """`x.scatter_(1, index, src)` sets `x[i][index[i][j]] = src[i][j]`: the mirror of `gather`.

    The note is right: values from `src` replace those of `x` at the positions named by
    `index`; every other element keeps its value.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.scatter_.html
    """
    x = torch.zeros(2, 4, dtype=torch.long)
    index = torch.tensor([[3, 0], [1, 2]])
    src = torch.tensor([[5, 6], [7, 8]])

    x.scatter_(1, index, src)

    assert x.tolist() == [[6, 0, 0, 5], [0, 7, 8, 0]]


def test_scatter_without_underscore_leaves_the_input_alone():
    """`torch.scatter` (no underscore) returns a new tensor; the input is unchanged.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.scatter.html
    """
    x = torch.zeros(3)

    y = x.scatter(0, torch.tensor([1]), torch.tensor([9.0]))

    assert y.tolist() == [0.0, 9.0, 0.0]
    assert x.tolist() == [0.0, 0.0, 0.0]


def test_scatter_add_sums_values_sent_to_the_same_place():
    """`scatter_add_` adds every value sent to a position, so duplicates accumulate.

    With plain `scatter_`, two values aimed at one position leave only one of them, and
    the docs warn that which one is arbitrary. When indices repeat, use `scatter_add_` (or
    `scatter_reduce`) to say what should happen.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.scatter_add_.html
    """
    x = torch.zeros(3)
    index = torch.tensor([0, 0, 2])

    x.scatter_add_(0, index, torch.tensor([1.0, 5.0, 2.0]))

    assert x.tolist() == [6.0, 0.0, 2.0]


def test_scatter_reduce_amax_keeps_the_largest_value():
    """`scatter_reduce(..., reduce="amax")` keeps the largest of the values sent to a position.

    By default the existing value of the input takes part (`include_self=True`): position
    1 holds 4, so the -1 sent there loses. With `include_self=False` only the sent values
    count. Positions that receive nothing keep their value either way.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.scatter_reduce_.html
    """
    x = torch.tensor([0.0, 4.0, 0.0])
    index = torch.tensor([0, 0, 1])
    src = torch.tensor([1.0, 5.0, -1.0])

    with_self = x.scatter_reduce(0, index, src, reduce="amax")
    without_self = x.scatter_reduce(0, index, src, reduce="amax", include_self=False)

    assert with_self.tolist() == [5.0, 4.0, 0.0]
    assert without_self.tolist() == [5.0, -1.0, 0.0]


@pytest.mark.claim("S2-117", verdict="true")
def test_scatter_with_a_value_makes_one_hot_rows():
    """`zeros(N, C).scatter_(1, labels.view(-1, 1), 1)` one-hot encodes the labels.

    The note's result is right: labels [0, 2] with 4 classes become rows with a single 1
    in columns 0 and 2. The scalar `value` is written at every index position.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.scatter_.html
    """
    labels = torch.tensor([0, 2])

    onehot = torch.zeros(labels.size(0), 4).scatter_(dim=1, index=labels.view(-1, 1), value=1)

    assert onehot.tolist() == [[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0]]


def test_one_hot_gives_the_same_rows_as_integers():
    """`F.one_hot` gives the same one-hot rows, but as int64 rather than float.

    Convert with `.float()` before mixing it into a loss.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.one_hot.html
    """
    labels = torch.tensor([0, 2])

    onehot = F.one_hot(labels, num_classes=4)

    assert onehot.dtype == torch.int64
    assert onehot.tolist() == [[1, 0, 0, 0], [0, 0, 1, 0]]


@pytest.mark.claim("S2-010", verdict="true")
def test_where_takes_each_element_from_one_of_two_tensors():
    """`torch.where(cond, a, b)` takes `a` where `cond` is true and `b` elsewhere.

    The note is right. `where` is elementwise and broadcasts, so `b` can be a scalar: a
    common way to clip or replace values without a loop.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.where.html
    """
    x = torch.tensor([-2.0, 3.0, -1.0, 5.0])

    y = torch.where(x > 0, x, 0.0)

    assert y.tolist() == [0.0, 3.0, 0.0, 5.0]


def test_nonzero_returns_one_row_of_coordinates_per_element():
    """`nonzero` returns an (n, ndim) tensor: one row of coordinates per non-zero element.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nonzero.html
    """
    x = torch.tensor([[0, 7], [3, 9]])

    idx = torch.nonzero(x)

    assert idx.tolist() == [[0, 1], [1, 0], [1, 1]]


def test_nonzero_as_tuple_gives_one_index_tensor_per_dim():
    """`nonzero(as_tuple=True)` gives one tensor per dimension, ready to index with.

    `torch.where(cond)` with a single argument returns the same tuple.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nonzero.html
    """
    x = torch.tensor([[0, 7], [3, 9]])

    rows, cols = torch.nonzero(x, as_tuple=True)

    assert rows.tolist() == [0, 1, 1]
    assert cols.tolist() == [1, 0, 1]
    assert x[rows, cols].tolist() == [7, 3, 9]
    assert all(torch.equal(a, b) for a, b in zip(torch.where(x != 0), (rows, cols)))


@pytest.mark.claim("S2-010", verdict="true")
def test_argmax_returns_the_first_index_of_a_tie():
    """`argmax` and `argmin` return the index of the first maximal (minimal) value.

    The note is right that they return positions, not values. On a tie the docs fix
    which position: the first one, so the result does not depend on chance.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.argmax.html
    """
    x = torch.tensor([1.0, 3.0, 3.0, 0.0, 0.0])

    assert x.argmax().item() == 1
    assert x.argmin().item() == 3


def test_argmax_without_dim_indexes_the_flattened_tensor():
    """`argmax()` with no `dim` returns one index into the flattened tensor.

    For a (2, 3) matrix the largest value at row 1, column 0 comes back as 3. Pass
    `dim=1` to get one column index per row, as for predicted classes.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.argmax.html
    """
    x = torch.tensor([[1, 5, 2], [9, 0, 3]])

    assert x.argmax().item() == 3
    assert x.argmax(dim=1).tolist() == [1, 0]


def test_max_without_dim_returns_a_single_value():
    """`torch.max(x)` returns the largest element as a 0-d tensor, with no index.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.max.html
    """
    x = torch.tensor([[1, 5, 2], [9, 0, 3]])

    m = torch.max(x)

    assert m.shape == ()
    assert m.item() == 9


def test_max_with_dim_returns_values_and_indices():
    """`torch.max(x, dim)` returns a named tuple `(values, indices)`.

    Unpack it or use the names; `indices` equals `argmax(dim)`. Forgetting this and
    treating the result as a tensor is a common error.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.max.html
    """
    x = torch.tensor([[1, 5, 2], [9, 0, 3]])

    values, indices = torch.max(x, dim=1)
    result = x.max(dim=1)

    assert values.tolist() == [5, 9]
    assert indices.tolist() == [1, 0]
    assert result.values.tolist() == [5, 9]
    assert torch.equal(result.indices, x.argmax(dim=1))


@pytest.mark.claim("S2-010", verdict="true")
def test_maximum_is_the_elementwise_larger_of_two_tensors():
    """`torch.maximum(a, b)` compares two tensors element by element.

    `torch.max(a, b)` with a second tensor does the same; `torch.max(a, 1)` with an
    integer reduces over a dimension instead.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.maximum.html
    """
    a = torch.tensor([1, 5, 3])
    b = torch.tensor([4, 2, 3])

    assert torch.maximum(a, b).tolist() == [4, 5, 3]
    assert torch.equal(torch.max(a, b), torch.maximum(a, b))


def test_masked_fill_replaces_where_the_mask_is_true():
    """`masked_fill(mask, value)` writes `value` wherever the boolean mask is true.

    Attention code uses it to put `-inf` on positions that must get zero weight after
    softmax.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.masked_fill_.html
    """
    x = torch.tensor([1.0, 2.0, 3.0])
    mask = torch.tensor([False, True, False])

    y = x.masked_fill(mask, float("-inf"))

    assert y.tolist() == [1.0, float("-inf"), 3.0]


@pytest.mark.torch_version("<2.1")
def test_masked_fill_accepts_a_uint8_mask_with_a_warning_before_2_1():
    """Before PyTorch 2.1, `masked_fill` accepted a uint8 mask and warned that this was deprecated.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.masked_fill_.html
    """
    x = torch.zeros(2)
    mask = torch.tensor([1, 0], dtype=torch.uint8)

    with warns_exactly(UserWarning, match="masked_fill_ received a mask with dtype torch.uint8"):
        y = x.masked_fill(mask, 1.0)

    assert y.tolist() == [1.0, 0.0]


@pytest.mark.torch_version(">=2.1")
def test_masked_fill_refuses_a_uint8_mask():
    """`masked_fill` needs a `torch.bool` mask; a uint8 mask raises since PyTorch 2.1.

    PyTorch 2.0 still accepted a uint8 mask with a deprecation warning (see the test
    above). Make masks with comparisons (`x > 0`) or `.bool()`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.masked_fill_.html
    """
    x = torch.zeros(2)
    mask = torch.tensor([1, 0], dtype=torch.uint8)

    assert x.masked_fill(mask.bool(), 1.0).tolist() == [1.0, 0.0]
    with raises_exactly(RuntimeError, match="masked_fill_ only supports boolean masks"):
        x.masked_fill(mask, 1.0)


def test_index_select_picks_whole_slices():
    """`index_select(dim, index)` picks whole rows (or columns) in the order given, as a copy.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.index_select.html
    """
    x = torch.tensor([[0, 1, 2], [3, 4, 5]])

    cols = x.index_select(1, torch.tensor([2, 0]))

    assert cols.tolist() == [[2, 0], [5, 3]]
    assert torch.equal(cols, x[:, [2, 0]])
    assert cols.untyped_storage().data_ptr() != x.untyped_storage().data_ptr()


@pytest.mark.claim("S1-008", verdict="true")
@pytest.mark.claim("S2-011", verdict="true")
def test_cat_joins_along_an_existing_dim():
    """`torch.cat([t, t, t], dim=1)` joins side by side: the number of dimensions stays the same.

    The note is right: with `dim=1` the columns are joined, so three (2, 2) tensors give
    (2, 6). With `dim=0` they would be stacked below each other: (6, 2).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.cat.html
    """
    t = torch.tensor([[1, 2], [3, 4]])

    joined = torch.cat([t, t, t], dim=1)

    assert joined.shape == (2, 6)
    assert joined[0].tolist() == [1, 2, 1, 2, 1, 2]
    assert torch.cat([t, t, t], dim=0).shape == (6, 2)


def test_cat_needs_equal_sizes_except_in_the_joined_dim():
    """`cat` raises when the tensors differ in a dimension other than the one joined.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.cat.html
    """
    a = torch.zeros(2, 2)
    b = torch.zeros(2, 3)

    assert torch.cat([a, b], dim=1).shape == (2, 5)
    with raises_exactly(RuntimeError, match="Sizes of tensors must match except in dimension 0"):
        torch.cat([a, b], dim=0)


def test_cat_of_an_empty_list_raises():
    """`torch.cat([])` raises: there is no tensor to take a shape or dtype from.

    Since PyTorch 2.9 the error is a `ValueError`, the class Python uses for an argument
    of the right type with a wrong value (https://github.com/pytorch/pytorch/pull/158249);
    earlier releases raise `RuntimeError` with the same message. Code that may join zero
    pieces must handle that case itself.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.cat.html
    """
    expected = by_version({"<2.9": RuntimeError, ">=2.9": ValueError})

    with raises_exactly(expected, match=r"expected a non-empty list of Tensors"):
        torch.cat([])


def test_cat_checks_the_dim_and_the_element_types():
    """`cat` with a `dim` past the end raises IndexError, and a non-tensor in the list raises TypeError.

    These are the Python classes for a bad index and a wrong type; a size mismatch, as
    above, is a `RuntimeError`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.cat.html
    """
    a = torch.zeros(2)

    with raises_exactly(IndexError, match=r"Dimension out of range \(expected to be in range of \[-1, 0\], but got 1\)"):
        torch.cat([a, a], dim=1)
    with raises_exactly(TypeError, match=r"expected Tensor as element 1 in argument 0, but got int"):
        torch.cat([a, 1])


@pytest.mark.claim("S1-009", verdict="false")
@pytest.mark.claim("S2-011", verdict="true")
def test_stack_adds_a_new_dim():
    """`torch.stack([t, t, t], dim=0)` adds a new dimension 0 of size 3.

    The first note says `stack(dim=0)` joins "along the rows"; that is `cat(dim=0)`,
    which would give (6, 2). `stack` does not join along any existing dimension: it puts
    the tensors one after another in a *new* dimension, so three (2, 2) tensors give
    (3, 2, 2), and `result[k]` is the k-th input. The second note has it right.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.stack.html
    """
    t = torch.tensor([[1, 2], [3, 4]])

    stacked = torch.stack([t, t, t], dim=0)

    assert stacked.shape == (3, 2, 2)
    assert torch.equal(stacked[2], t)
    assert torch.cat([t, t, t], dim=0).shape == (6, 2)


def test_stack_equals_cat_of_unsqueezed_tensors():
    """`stack(ts, dim)` is `cat([t.unsqueeze(dim) for t in ts], dim)`.

    With `dim=1` the new dimension goes in the middle: (2, 3, 2) from three (2, 2).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.stack.html
    """
    ts = [torch.tensor([[1, 2], [3, 4]]) * k for k in range(3)]

    stacked = torch.stack(ts, dim=1)

    assert stacked.shape == (2, 3, 2)
    assert torch.equal(stacked, torch.cat([t.unsqueeze(1) for t in ts], dim=1))


def test_stack_needs_tensors_of_equal_shape():
    """`stack` requires every tensor to have exactly the same shape.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.stack.html
    """
    with raises_exactly(RuntimeError, match="stack expects each tensor to be equal size"):
        torch.stack([torch.zeros(2), torch.zeros(3)])


@pytest.mark.claim("S2-011", verdict="true")
def test_split_by_size_leaves_a_shorter_last_piece():
    """`split(2)` cuts pieces of 2 along dim 0; the last piece holds what is left.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.split.html
    """
    x = torch.arange(5)

    pieces = x.split(2)

    assert [p.tolist() for p in pieces] == [[0, 1], [2, 3], [4]]


def test_split_by_a_list_of_sizes_must_cover_the_dim():
    """`split([2, 3])` cuts pieces of the sizes given, which must add up to the dimension.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.split.html
    """
    x = torch.arange(5)

    first, second = x.split([2, 3])

    assert second.tolist() == [2, 3, 4]
    with raises_exactly(RuntimeError, match="split_with_sizes expects split_sizes to sum exactly to 5"):
        x.split([2, 2])


def test_split_pieces_are_views():
    """The pieces of `split` and `chunk` share memory with the tensor they came from.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.split.html
    """
    x = torch.zeros(4)

    a, b = x.split(2)
    c, d = x.chunk(2)
    b[0] = 1.0
    c[1] = 2.0

    assert x.tolist() == [0.0, 2.0, 1.0, 0.0]
    assert b.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
    assert c.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()


def test_chunk_can_return_fewer_chunks_than_asked():
    """`chunk(4)` of 6 elements returns 3 chunks, not 4.

    `chunk` makes every chunk `ceil(6 / 4) = 2` long except perhaps the last, and stops
    when the elements run out. Code that unpacks exactly four chunks breaks here; use
    `tensor_split` when you need exactly that many pieces.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.chunk.html
    """
    x = torch.arange(6)

    chunks = x.chunk(4)
    pieces = x.tensor_split(4)

    assert [c.tolist() for c in chunks] == [[0, 1], [2, 3], [4, 5]]
    assert [p.tolist() for p in pieces] == [[0, 1], [2, 3], [4], [5]]
