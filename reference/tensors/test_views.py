"""Views and reshape

A *view* is a second tensor over the same memory: it has its own shape and strides but
copies nothing. `view`, `transpose`, `permute` and basic slicing make views; `reshape`
makes a view when it can and a copy when it must; `contiguous` copies exactly when the
memory is not laid out row by row. Strides explain all of it, so they come first.
"""

import pytest
import torch

from torchref import raises_exactly


def test_stride_is_the_step_to_the_next_index():
    """`stride(d)` is how many elements memory advances when index `d` grows by one.

    A freshly made (2, 3) tensor is stored row by row: the next column is 1 element
    away, the next row 3. Such row-major ("C-order") memory is what PyTorch calls
    *contiguous*.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.stride.html
    """
    x = torch.zeros(2, 3)

    assert x.stride() == (3, 1)
    assert x.is_contiguous()


def test_view_write_is_visible_in_base():
    """Writing through a view changes the tensor it was taken from.

    `Tensor.view` copies nothing: `flat` and `base` are two windows on one storage,
    so element 4 of `flat` *is* row 1, column 1 of `base`.

    Docs: https://docs.pytorch.org/docs/stable/tensor_view.html
    """
    base = torch.zeros(2, 3)
    flat = base.view(6)

    flat[4] = 7.0

    assert base[1, 1] == 7.0
    assert flat.untyped_storage().data_ptr() == base.untyped_storage().data_ptr()


@pytest.mark.claim("S0-010", verdict="true")
def test_view_infers_the_dimension_given_as_minus_one():
    """`view(-1, 8)` computes the missing size from the number of elements.

    The note's example is right: 16 elements viewed as `(-1, 8)` have 2 rows. At most one
    size may be `-1`, since two unknowns have no single answer.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.view.html
    """
    x = torch.randn(4, 4)

    assert x.view(16).shape == (16,)
    assert x.view(-1, 8).shape == (2, 8)


def test_view_allows_only_one_inferred_dimension():
    """Two `-1` sizes in one `view` raise a RuntimeError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.view.html
    """
    x = torch.zeros(4, 4)

    with raises_exactly(RuntimeError, match="only one dimension can be inferred"):
        x.view(-1, -1)


def test_view_must_keep_the_number_of_elements():
    """A view's shape must hold exactly as many elements as the tensor has.

    The error names both the shape asked for and the size of the input.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.view.html
    """
    x = torch.zeros(4, 4)

    with raises_exactly(RuntimeError, match=r"shape '\[5\]' is invalid for input of size 16"):
        x.view(5)


def test_slice_is_a_view_with_a_storage_offset():
    """Basic slicing makes a view that starts part-way into the same storage.

    `x[1]` is row 1: it begins 3 elements in, and a write to it lands in `x`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.storage_offset.html
    """
    x = torch.zeros(2, 3)
    row = x[1]

    row[0] = 5.0

    assert row.storage_offset() == 3
    assert x.tolist() == [[0.0, 0.0, 0.0], [5.0, 0.0, 0.0]]


def test_view_remembers_its_base():
    """A view's `_base` is the tensor whose memory it borrows; a fresh tensor has none.

    Docs: https://docs.pytorch.org/docs/stable/tensor_view.html
    """
    x = torch.zeros(2, 3)
    y = x.view(6)

    assert y._base is x
    assert x._base is None
    assert y._is_view()


def test_view_can_reinterpret_the_dtype():
    """`view(dtype)` reads the same bytes as another type of the same size.

    Nothing is converted: the float 1.0 is the bit pattern `0x3F800000`, which read as an
    int32 is 1065353216. Use `.to(torch.int32)` to convert the value instead.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.view.html
    """
    x = torch.tensor([1.0])

    assert x.view(torch.int32).tolist() == [1065353216]
    assert x.to(torch.int32).tolist() == [1]


def test_transpose_swaps_strides_without_copying():
    """`t()` and `transpose` swap the strides; the data stays where it is.

    The transposed tensor walks the same memory column by column, so it is no longer
    contiguous.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.transpose.html
    """
    x = torch.arange(6.0).view(2, 3)
    xt = x.t()

    assert xt.shape == (3, 2)
    assert xt.stride() == (1, 3)
    assert xt.data_ptr() == x.data_ptr()
    assert not xt.is_contiguous()


def test_permute_reorders_sizes_and_strides_together():
    """`permute(2, 0, 1)` takes size and stride of dims 2, 0, 1, in that order.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.permute.html
    """
    x = torch.zeros(2, 3, 4)

    y = x.permute(2, 0, 1)

    assert x.stride() == (12, 4, 1)
    assert y.shape == (4, 2, 3)
    assert y.stride() == (1, 12, 4)


def test_view_of_transposed_tensor_raises():
    """`view` cannot flatten a transposed tensor, and the error points to `reshape`.

    Flattening `x.t()` would need the elements in the order 0, 3, 1, 4, 2, 5 of memory:
    no single stride walks that, so no view exists.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.view.html
    """
    xt = torch.arange(6.0).view(2, 3).t()

    with raises_exactly(RuntimeError, match=r"view size is not compatible with input tensor's size and stride"):
        xt.view(6)


@pytest.mark.claim("S2-005", verdict="false")
def test_view_works_on_some_non_contiguous_tensors():
    """`view` also works on a non-contiguous tensor when the new shape fits its strides.

    The note says `view` works only on contiguous tensors. Not so: the rule is that each
    new dimension must be reachable with a fixed stride. Splitting the last dimension of a
    column slice is fine, and the result still shares memory.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.view.html
    """
    x = torch.arange(24.0).view(4, 6)[:, :4]

    y = x.view(4, 2, 2)

    assert not x.is_contiguous()
    assert y.stride() == (6, 2, 1)
    assert y.data_ptr() == x.data_ptr()


@pytest.mark.claim("S2-006", verdict="true")
def test_reshape_returns_a_view_when_it_can():
    """`reshape` of a contiguous tensor is a view: writes go through to the original.

    The note is right that `reshape` works whatever the memory layout. What it leaves out
    is that you cannot tell from the call whether you got a view or a copy: rely on
    neither.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.reshape.html
    """
    x = torch.zeros(2, 3)

    y = x.reshape(6)
    y[0] = 1.0

    assert x[0, 0] == 1.0
    assert y._base is x


@pytest.mark.claim("S2-006", verdict="true")
def test_reshape_copies_when_no_view_exists():
    """`reshape` of a transposed tensor copies, exactly like `contiguous().view(...)`.

    The copy has new memory, so writes to it leave the original untouched.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.reshape.html
    """
    xt = torch.arange(6.0).view(2, 3).t()

    y = xt.reshape(6)
    y[0] = 100.0

    assert y.tolist() == [100.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    assert xt[0, 0] == 0.0
    assert torch.equal(xt.reshape(6), xt.contiguous().view(6))


def test_contiguous_returns_self_when_already_contiguous():
    """`contiguous()` on a contiguous tensor returns the very same object, copying nothing.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.contiguous.html
    """
    x = torch.zeros(2, 3)

    assert x.contiguous() is x


def test_contiguous_copies_into_row_major_order():
    """`contiguous()` on a transposed tensor copies the elements into fresh row-major memory.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.contiguous.html
    """
    xt = torch.arange(6.0).view(2, 3).t()

    c = xt.contiguous()

    assert c.stride() == (2, 1)
    assert c.data_ptr() != xt.data_ptr()
    assert c.view(6).tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
