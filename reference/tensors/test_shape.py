"""Changing the shape: transpose, squeeze, expand, repeat

These functions change how many dimensions a tensor has, or how big they are, without
changing the values: `.T` and `.mT` flip axes, `flatten` merges them, `unsqueeze` and
`squeeze` add and remove dimensions of size 1, and `expand` and `repeat` make a tensor
bigger. The difference that matters most is *view or copy*: `expand`, `narrow` and
slicing borrow the original memory, `repeat` and indexing with a list or a mask copy it.
"""

import numpy as np
import pytest
import torch

from torchref import raises_exactly, warns_exactly


def test_T_transposes_a_matrix():
    """`.T` of a 2-D tensor swaps rows and columns.

    Row `i` of `x.T` is column `i` of `x`. For a matrix `.T` is the same as `t()` and
    `transpose(0, 1)`.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#torch.Tensor.T
    """
    x = torch.tensor([[1, 2, 3], [4, 5, 6]])

    xt = x.T

    assert xt.tolist() == [[1, 4], [2, 5], [3, 6]]
    assert torch.equal(xt, x.transpose(0, 1))


def test_mT_transposes_only_the_last_two_dims():
    """`.mT` transposes each matrix of a batch and leaves the batch dimensions alone.

    A (5, 2, 3) tensor is read as five 2x3 matrices; `.mT` gives five 3x2 matrices. This
    is what you want before a batched matrix product. The docs define `x.mT` as
    `x.transpose(-2, -1)`, and like it the result is a view of `x`.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#torch.Tensor.mT
    """
    x = torch.arange(30).view(5, 2, 3)

    y = x.mT

    assert y.shape == (5, 3, 2)
    assert torch.equal(y[4], x[4].T)
    assert torch.equal(y, x.transpose(-2, -1))
    assert y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()


def test_H_conjugates_and_transposes_a_complex_matrix():
    """`.H` of a complex matrix is its conjugate transpose, `transpose(0, 1).conj()`, and a view.

    For a real matrix there is nothing to conjugate, so `.H` is just `transpose(0, 1)`.
    The conjugation is lazy: the result is flagged `is_conj()` and reads the original
    memory, which is why `.H` costs no copy.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#torch.Tensor.H
    """
    z = torch.tensor([[1 + 2j, 3 - 1j], [1j, 2 + 0j]])
    r = torch.arange(6.0).view(2, 3)

    zh = z.H

    assert zh.tolist() == [[1 - 2j, -1j], [3 + 1j, 2 - 0j]]
    assert torch.equal(zh, z.transpose(0, 1).conj())
    assert zh.is_conj()
    assert zh._base is z
    assert torch.equal(r.H, r.transpose(0, 1))


def test_H_on_a_batch_of_matrices_raises_and_points_to_mH():
    """`.H` accepts only a 2-D tensor; on a batch it raises and suggests `.mH`.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#torch.Tensor.H
    """
    x = torch.zeros(2, 3, 4)

    with raises_exactly(RuntimeError, match=r"tensor\.H is only supported on matrices \(2-D tensors\)\. Got 3-D tensor\..*tensor\.mH"):
        x.H


def test_mH_is_adjoint_over_the_last_two_dims():
    """`.mH` equals `adjoint()`: each matrix of a batch conjugated and transposed.

    It is the batched form of `.H`: `transpose(-2, -1).conj()`, so a (2, 3, 4) complex
    tensor gives (2, 4, 3).

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#torch.Tensor.mH
    """
    z = torch.arange(24.0).view(2, 3, 4) * (1 + 1j)

    zh = z.mH

    assert zh.shape == (2, 4, 3)
    assert torch.equal(zh, z.adjoint())
    assert torch.equal(zh, z.transpose(-2, -1).conj())


def test_T_on_a_3d_tensor_reverses_all_dims_and_warns():
    """`.T` on a tensor that is not 2-D reverses every dimension, with a deprecation warning.

    On a (2, 3, 4) tensor `.T` gives (4, 3, 2), which is `permute(2, 1, 0)`, not a batch
    of transposed matrices. PyTorch warns that this use is deprecated: write `.mT` for
    the last two dimensions or `permute` for all of them. The warning comes once per
    process; the test asks for warnings every time (`torch._C._set_warnAlways`) so that
    it sees it whatever ran before.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#torch.Tensor.T
    """
    x = torch.arange(24).view(2, 3, 4)
    warn_always = torch._C._get_warnAlways()
    torch._C._set_warnAlways(True)
    try:
        with warns_exactly(UserWarning, match=r"The use of `x\.T` on tensors of dimension other than 2"):
            y = x.T
    finally:
        torch._C._set_warnAlways(warn_always)

    assert y.shape == (4, 3, 2)
    assert torch.equal(y, x.permute(2, 1, 0))


def test_flatten_joins_all_dims_into_one():
    """`flatten()` turns a tensor of any shape into a 1-D tensor in row-major order.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.flatten.html
    """
    x = torch.tensor([[1, 2], [3, 4]])

    assert x.flatten().tolist() == [1, 2, 3, 4]


def test_flatten_with_start_dim_keeps_the_batch_dimension():
    """`flatten(x, 1)` merges every dimension from 1 on and keeps dimension 0.

    This is the usual step between convolution layers, whose output is (batch, C, H, W),
    and a linear layer, which wants (batch, C*H*W). `flatten()` without `start_dim`
    would merge the batch too.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.flatten.html
    """
    x = torch.zeros(8, 64, 12, 12)

    assert torch.flatten(x, 1).shape == (8, 64 * 12 * 12)
    assert torch.flatten(x).shape == (8 * 64 * 12 * 12,)


def test_flatten_of_a_contiguous_tensor_is_a_view():
    """`flatten` returns a view when the memory allows it, so a write goes through.

    Like `reshape`, `flatten` copies only when it must (for a transposed tensor, say).
    The docs say it may return the original object, a view or a copy, so do not rely on
    the write going through. NumPy's `ndarray.flatten`, by contrast, always copies.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.flatten.html
    """
    x = torch.zeros(2, 3)
    a = np.zeros((2, 3))

    flat = x.flatten()
    flat[4] = 1.0
    np_flat = a.flatten()
    np_flat[4] = 1.0

    assert x[1, 1] == 1.0
    assert a[1, 1] == 0.0


@pytest.mark.claim("S1-013", verdict="true")
def test_unsqueeze_inserts_a_size_one_dim_at_the_position():
    """`unsqueeze(d)` inserts a dimension of size 1 so that it becomes dimension `d`.

    The note's example is right: a vector of 4 becomes a row (1, 4) with `unsqueeze(0)`
    and a column (4, 1) with `unsqueeze(1)`. The values do not move.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.unsqueeze.html
    """
    x = torch.tensor([1, 2, 3, 4])

    row = torch.unsqueeze(x, 0)
    col = torch.unsqueeze(x, 1)

    assert row.tolist() == [[1, 2, 3, 4]]
    assert col.tolist() == [[1], [2], [3], [4]]


def test_unsqueeze_minus_one_appends_a_last_dim():
    """A negative position counts from the end of the *result*: `unsqueeze(-1)` adds a last dim.

    The valid range is one wider than the input's: a 2-D tensor accepts -3 to 2, because
    the result has 3 dimensions.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.unsqueeze.html
    """
    x = torch.zeros(2, 3)

    assert x.unsqueeze(-1).shape == (2, 3, 1)
    assert x.unsqueeze(2).shape == (2, 3, 1)
    with raises_exactly(IndexError, match="Dimension out of range"):
        x.unsqueeze(3)


def test_indexing_with_none_also_inserts_a_dim():
    """`x[:, None]` inserts a size-1 dimension, like `unsqueeze(1)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.unsqueeze.html
    """
    x = torch.tensor([1, 2, 3])

    assert torch.equal(x[:, None], x.unsqueeze(1))
    assert x[None].shape == (1, 3)


@pytest.mark.claim("S1-012", verdict="true")
def test_squeeze_without_dim_removes_every_size_one_dim():
    """`squeeze()` with no argument removes all dimensions of size 1.

    The note's example holds: A x 1 x B x C x 1 x D becomes A x B x C x D.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.squeeze.html
    """
    x = torch.zeros(2, 1, 3, 4, 1, 5)

    assert torch.squeeze(x).shape == (2, 3, 4, 5)


def test_squeeze_with_dim_removes_only_that_dim():
    """`squeeze(d)` removes dimension `d` only, and only if its size is 1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.squeeze.html
    """
    x = torch.zeros(2, 1, 3, 1)

    assert x.squeeze(1).shape == (2, 3, 1)
    assert x.squeeze(-1).shape == (2, 1, 3)


def test_squeeze_of_a_dim_larger_than_one_does_nothing():
    """`squeeze(d)` on a dimension whose size is not 1 returns the shape unchanged, silently.

    There is no error to tell you that you squeezed the wrong dimension: check the shape.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.squeeze.html
    """
    x = torch.zeros(2, 1, 3)

    assert x.squeeze(0).shape == (2, 1, 3)


def test_squeeze_accepts_a_tuple_of_dims():
    """`squeeze((0, 2))` removes several size-1 dimensions at once and keeps the others.

    A tuple of dimensions is accepted since PyTorch 2.0.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.squeeze.html
    """
    x = torch.zeros(1, 2, 1, 1)

    assert x.squeeze((0, 2)).shape == (2, 1)


def test_squeeze_without_dim_also_drops_a_batch_of_one():
    """A bare `squeeze()` removes a batch dimension of size 1 along with the rest.

    Model output of shape (batch, 1) squeezed to (batch,) works until the batch has one
    sample: then the result is a 0-d tensor, and code that indexes it breaks. Name the
    dimension: `squeeze(1)` or `squeeze(-1)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.squeeze.html
    """
    out = torch.zeros(1, 1)

    assert out.squeeze().shape == ()
    assert out.squeeze(1).shape == (1,)


def test_expand_repeats_size_one_dims_without_copying():
    """`expand` stretches size-1 dimensions by giving them stride 0; no memory is copied.

    Every row of `y` reads the same three numbers of `x`, so the result shares storage
    with `x`. `-1` means "keep this size".

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.expand.html
    """
    x = torch.tensor([[1, 2, 3]])

    y = x.expand(4, -1)

    assert y.tolist() == [[1, 2, 3]] * 4
    assert y.stride() == (0, 1)
    assert y.data_ptr() == x.data_ptr()


def test_expand_shows_later_writes_to_the_original():
    """A write to the original tensor shows up in every row of its expanded view.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.expand.html
    """
    x = torch.tensor([[1, 2, 3]])
    y = x.expand(2, 3)

    x[0, 0] = 9

    assert y.tolist() == [[9, 2, 3], [9, 2, 3]]


def test_expand_cannot_stretch_a_dim_larger_than_one():
    """`expand` only stretches dimensions of size 1; any other size must stay as it is.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.expand.html
    """
    x = torch.zeros(3)

    with raises_exactly(RuntimeError, match=r"The expanded size of the tensor \(4\) must match the existing size \(3\)"):
        x.expand(2, 4)


def test_inplace_write_to_an_expanded_tensor_raises():
    """An in-place operation on an expanded tensor raises, because its elements share memory.

    Adding 1 to each of the four columns of `y` would add 4 to one memory cell. PyTorch
    refuses and asks you to `clone()` first, which makes real, separate elements.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.expand.html
    """
    y = torch.zeros(3, 1).expand(3, 4)

    with raises_exactly(RuntimeError, match="more than one element of the written-to tensor refers to a single memory location"):
        y.add_(1)
    assert y.clone().add_(1).sum() == 12


@pytest.mark.claim("S1-014", verdict="true")
def test_repeat_tiles_the_tensor_along_each_dim():
    """`repeat(2, 2)` on a (2, 3) tensor tiles it twice down and twice across: (4, 6).

    The note's shape is right. Each argument is how many copies to lay side by side along
    that dimension, so the whole block repeats, not each element.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.repeat.html
    """
    a = torch.tensor([[1, 2, 3], [4, 5, 6]])

    b = a.repeat(2, 2)

    assert b.shape == (4, 6)
    assert b[0].tolist() == [1, 2, 3, 1, 2, 3]
    assert b[:, 0].tolist() == [1, 4, 1, 4]


def test_repeat_copies_the_data():
    """`repeat` allocates new memory, unlike `expand`: writes to the result stay there.

    Use `expand` when you only need to read the bigger tensor, `repeat` when you must
    write to it or need separate elements.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.repeat.html
    """
    a = torch.tensor([[1, 2, 3]])

    b = a.repeat(2, 1)
    b[0, 0] = 9

    assert a.tolist() == [[1, 2, 3]]
    assert b.tolist() == [[9, 2, 3], [1, 2, 3]]


@pytest.mark.claim("S1-015", verdict="true")
@pytest.mark.claim("S1-016", verdict="true")
@pytest.mark.parametrize(
    ("repeats", "shape", "values"),
    [
        ((1, 2, 1), (1, 4, 3), [[[1, 2, 3], [4, 5, 6], [1, 2, 3], [4, 5, 6]]]),
        ((2, 1, 1), (2, 2, 3), [[[1, 2, 3], [4, 5, 6]], [[1, 2, 3], [4, 5, 6]]]),
    ],
    ids=["repeat-1-2-1", "repeat-2-1-1"],
)
def test_repeat_with_more_repeats_than_dims_prepends_dims(repeats, shape, values):
    """With more repeat counts than dimensions, `repeat` first treats the tensor as (1, 2, 3).

    Both of the note's examples are right: a (2, 3) tensor is viewed as (1, 2, 3), then
    tiled, so `repeat(1, 2, 1)` gives (1, 4, 3) and `repeat(2, 1, 1)` gives (2, 2, 3).
    New dimensions always go in front. The whole (2, 3) block is tiled: with
    `(1, 2, 1)` its two rows follow each other twice, with `(2, 1, 1)` the block
    appears twice along the new first dimension.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.repeat.html
    """
    a = torch.tensor([[1, 2, 3], [4, 5, 6]])

    b = a.repeat(*repeats)

    assert b.shape == shape
    assert b.tolist() == values
    assert torch.equal(b, a.unsqueeze(0).repeat(*repeats))


def test_repeat_needs_at_least_as_many_counts_as_dims():
    """`repeat` with fewer counts than dimensions raises instead of guessing.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.repeat.html
    """
    a = torch.zeros(2, 3)

    with raises_exactly(RuntimeError, match="Number of dimensions of repeat dims can not be smaller"):
        a.repeat(2)


def test_repeat_interleave_repeats_each_element():
    """`repeat_interleave` repeats each element in place, which is what `numpy.repeat` does.

    `torch.repeat` behaves like `numpy.tile`. Readers coming from NumPy often expect the
    other one.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.repeat_interleave.html
    """
    x = torch.tensor([1, 2, 3])

    assert x.repeat(2).tolist() == [1, 2, 3, 1, 2, 3]
    assert x.repeat_interleave(2).tolist() == [1, 1, 2, 2, 3, 3]


def test_narrow_is_a_view_of_a_range():
    """`narrow(dim, start, length)` is the slice `start:start+length` and shares memory.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.narrow.html
    """
    x = torch.arange(6)

    y = x.narrow(0, 2, 3)
    y[0] = 100

    assert y.tolist() == [100, 3, 4]
    assert x.tolist() == [0, 1, 100, 3, 4, 5]


def test_step_slice_is_a_view():
    """A slice with a step, like `x[::2]`, is still a view: only the stride changes.

    Docs: https://docs.pytorch.org/docs/stable/tensor_view.html#tensor-views
    """
    x = torch.arange(6)

    y = x[::2]
    y[1] = 100

    assert y.stride() == (2,)
    assert x.tolist() == [0, 1, 100, 3, 4, 5]


def test_advanced_indexing_returns_a_copy():
    """Indexing with a list or a boolean mask copies: writes to the result do not reach `x`.

    The picked elements need not be evenly spaced, so no stride can describe them and
    PyTorch has to gather them into new memory.

    Docs: https://docs.pytorch.org/docs/stable/tensor_view.html#tensor-views
    """
    x = torch.arange(6)

    picked = x[[0, 2, 5]]
    masked = x[x > 3]
    picked[0] = 100
    masked[0] = 100

    assert x.tolist() == [0, 1, 2, 3, 4, 5]
    assert picked._base is None


def test_advanced_index_assignment_writes_into_the_tensor():
    """Assigning through a list index, `x[[0, 2]] = 0`, does write into `x`.

    Reading `x[[0, 2]]` copies, but assignment is a different operation
    (`index_put_`) that writes in place. The Tensor Views page says so for both kinds:
    assignment through basic or advanced indexing is in-place, and `x` keeps its memory.
    `x[[1, 3]][0] = 100`, by contrast, writes into a temporary copy and is lost.

    Docs: https://docs.pytorch.org/docs/stable/tensor_view.html#tensor-views
    """
    x = torch.arange(4)
    address = x.data_ptr()

    x[[0, 2]] = 0
    x[1:2] = 9
    x[[1, 3]][0] = 100

    assert x.tolist() == [0, 9, 0, 3]
    assert x.data_ptr() == address
