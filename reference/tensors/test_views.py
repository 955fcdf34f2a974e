"""Views and reshape

A *view* is a second tensor over the same memory: it has its own shape and strides but
copies nothing. `view`, `transpose`, `permute` and basic slicing make views; `reshape`
makes a view when it can and a copy when it must; `contiguous` copies exactly when the
memory is not laid out row by row. Strides explain all of it, so they come first.
"""

import pytest
import torch

from torchref import raises_exactly, strided


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

    Docs: https://docs.pytorch.org/docs/stable/tensor_view.html#tensor-views
    """
    base = torch.zeros(2, 3)
    flat = base.view(6)

    flat[4] = 7.0

    assert base[1, 1] == 7.0
    assert flat.untyped_storage().data_ptr() == base.untyped_storage().data_ptr()


def test_ordinary_op_returns_a_new_tensor_not_a_view():
    """An ordinary op such as `add` returns a new tensor with its own memory, unlike a view op.

    The Tensor Views page contrasts the two: typically an op allocates its output, so
    writing to the result of `x.add(1)` leaves `x` alone, while the output of a view op
    borrows its input's storage.

    Docs: https://docs.pytorch.org/docs/stable/tensor_view.html#tensor-views
    """
    x = torch.zeros(2, 3)

    y = x.add(1)
    y[0, 0] = 7.0

    assert x.tolist() == [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    assert y.untyped_storage().data_ptr() != x.untyped_storage().data_ptr()
    assert y._base is None


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


def transpose_over_its_storage():
    """A (2, 3) tensor, its transpose and a column slice: three views of one storage."""
    base = torch.arange(6.0).view(2, 3)
    return strided("three views of one storage", base, base=base, t=base.t(), column=base[:, 1])


@pytest.mark.figure("transpose_over_its_storage")
def test_views_are_shape_stride_and_offset_over_one_storage():
    """A view is only a shape, strides and an offset laid over the same storage.

    Element `[i, j]` of a view lives at storage index `offset + i * stride[0] + j * stride[1]`.
    The transpose swaps the strides (3, 1) to (1, 3); the column slice starts at offset 1
    and steps by 3. The picture draws each view with the storage value every cell reads.

    Docs: https://docs.pytorch.org/docs/stable/tensor_view.html#tensor-views
    """
    picture = transpose_over_its_storage()

    assert picture.storage == (0.0, 1.0, 2.0, 3.0, 4.0, 5.0)
    assert picture.views == (
        ("base", (2, 3), (3, 1), 0),
        ("t", (3, 2), (1, 3), 0),
        ("column", (2,), (3,), 1),
    )


def test_transpose_of_a_contiguous_tensor_is_a_non_contiguous_view():
    """Transposing a contiguous tensor gives a view that is not contiguous; `contiguous()` then copies it.

    This is the Tensor Views page's own example. `base.transpose(0, 1)` moves no data:
    it is a view of `base` whose strides walk memory column by column, so it is no
    longer contiguous. Calling `.contiguous()` on it copies the elements into fresh,
    row-major memory that no longer belongs to `base`.

    Docs: https://docs.pytorch.org/docs/stable/tensor_view.html#tensor-views
    """
    base = torch.tensor([[0, 1], [2, 3]])

    t = base.transpose(0, 1)
    c = t.contiguous()

    assert base.is_contiguous()
    assert t._base is base
    assert t.untyped_storage().data_ptr() == base.untyped_storage().data_ptr()
    assert not t.is_contiguous()
    assert c.is_contiguous()
    assert c.untyped_storage().data_ptr() != base.untyped_storage().data_ptr()
    assert c.tolist() == [[0, 2], [1, 3]]


def test_view_remembers_its_base():
    """A view's `_base` is the tensor whose memory it borrows; a fresh tensor has none.

    Docs: https://docs.pytorch.org/docs/stable/tensor_view.html#tensor-views
    """
    x = torch.zeros(2, 3)
    y = x.view(6)

    assert y._base is x
    assert x._base is None
    assert y._is_view()


def _matrix():
    return torch.arange(1.0, 13.0).reshape(3, 4).clone()


def _complex_vector():
    return torch.complex(torch.arange(1.0, 5.0), torch.arange(5.0, 9.0))


@pytest.mark.shows("_matrix", "_complex_vector")
@pytest.mark.parametrize(
    ("make_base", "op"),
    [
        pytest.param(_matrix, lambda t: t[1, 1:4:2], id="basic-indexing"),
        pytest.param(_matrix, lambda t: t.adjoint(), id="adjoint"),
        pytest.param(_matrix, lambda t: t.as_strided((2, 2), (1, 4)), id="as_strided"),
        pytest.param(_matrix, lambda t: t.detach(), id="detach"),
        pytest.param(_matrix, lambda t: t.diagonal(), id="diagonal"),
        pytest.param(lambda: torch.tensor([[1.0], [2.0], [3.0]]), lambda t: t.expand(3, 4), id="expand"),
        pytest.param(lambda: torch.tensor([[1.0], [2.0], [3.0]]), lambda t: t.expand_as(torch.empty(3, 4)), id="expand_as"),
        pytest.param(_matrix, lambda t: t.movedim(0, 1), id="movedim"),
        pytest.param(_matrix, lambda t: t.narrow(1, 1, 2), id="narrow"),
        pytest.param(_matrix, lambda t: t.permute(1, 0), id="permute"),
        pytest.param(_matrix, lambda t: t.select(0, 1), id="select"),
        pytest.param(lambda: torch.tensor([[1.0, 2.0, 3.0]]), lambda t: t.squeeze(0), id="squeeze"),
        pytest.param(_matrix, lambda t: t.transpose(0, 1), id="transpose"),
        pytest.param(_matrix, lambda t: t.t(), id="t"),
        pytest.param(_matrix, lambda t: t.T, id="T"),
        pytest.param(_matrix, lambda t: t.H, id="H"),
        pytest.param(_matrix, lambda t: t.mT, id="mT"),
        pytest.param(_matrix, lambda t: t.mH, id="mH"),
        pytest.param(_complex_vector, lambda t: t.real, id="real"),
        pytest.param(_complex_vector, lambda t: t.imag, id="imag"),
        pytest.param(_complex_vector, lambda t: torch.view_as_real(t), id="view_as_real"),
        pytest.param(_matrix, lambda t: t.unflatten(1, (2, 2)), id="unflatten"),
        pytest.param(_matrix, lambda t: t.unfold(1, 2, 2), id="unfold"),
        pytest.param(_matrix, lambda t: t.unsqueeze(0), id="unsqueeze"),
        pytest.param(_matrix, lambda t: t.view(12), id="view"),
        pytest.param(_matrix, lambda t: t.view_as(torch.empty(4, 3)), id="view_as"),
        pytest.param(_matrix, lambda t: t.unbind(0)[-1], id="unbind"),
        pytest.param(_matrix, lambda t: t.split(2, dim=1)[-1], id="split"),
        pytest.param(_matrix, lambda t: t.hsplit(2)[-1], id="hsplit"),
        pytest.param(_matrix, lambda t: t.vsplit(3)[-1], id="vsplit"),
        pytest.param(_matrix, lambda t: t.tensor_split(2, dim=1)[-1], id="tensor_split"),
        pytest.param(_matrix, lambda t: t.split_with_sizes([1, 3], dim=1)[-1], id="split_with_sizes"),
        pytest.param(_matrix, lambda t: t.swapaxes(0, 1), id="swapaxes"),
        pytest.param(_matrix, lambda t: t.swapdims(0, 1), id="swapdims"),
        pytest.param(_matrix, lambda t: t.chunk(2, dim=1)[-1], id="chunk"),
    ],
)
def test_every_listed_view_op_shares_storage_and_writes_through(make_base, op):
    """Each op in the docs' list of view ops returns a tensor on its input's storage, so a write through it changes the input.

    The Tensor Views page lists these ops as views: no data is copied, the result only
    reads the same memory with its own shape, strides and offset. Ops that return
    several pieces are checked on their last piece. The test writes -1
    into the first element of each result and finds it in the base (all of whose
    values are positive). For a complex base, `real`, `imag` and `view_as_real` are
    float views of its real and imaginary parts.

    Docs: https://docs.pytorch.org/docs/stable/tensor_view.html#tensor-views
    """
    base = make_base()

    view = op(base)
    view[(0,) * view.ndim] = -1.0

    assert view.untyped_storage().data_ptr() == base.untyped_storage().data_ptr()
    as_floats = torch.view_as_real(base) if base.is_complex() else base
    assert (as_floats == -1.0).sum() == 1


@pytest.mark.docs_erratum("The list of view ops names `Tensor.view_as_real` as a method of `torch.Tensor`.")
def test_view_as_real_is_a_torch_function_not_a_tensor_method():
    """`view_as_real` exists only as the function `torch.view_as_real`; a tensor has no such method.

    The Tensor Views page lists it among the `torch.Tensor` methods, but
    `x.view_as_real()` raises AttributeError. The function is the view op: its result
    reads the complex tensor's storage as pairs of floats.

    Docs: https://docs.pytorch.org/docs/stable/tensor_view.html#tensor-views
    """
    z = torch.tensor([1 + 2j, 3 + 4j])

    pairs = torch.view_as_real(z)

    assert not hasattr(torch.Tensor, "view_as_real")
    with raises_exactly(AttributeError, match=r"'Tensor' object has no attribute 'view_as_real'"):
        z.view_as_real()
    assert pairs.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert pairs.untyped_storage().data_ptr() == z.untyped_storage().data_ptr()


def test_sparse_indices_and_values_are_views():
    """`indices()` and `values()` of a coalesced sparse tensor are views: writing to them edits the sparse tensor.

    The Tensor Views page lists both (for sparse tensors only). A sparse COO tensor
    stores the coordinates and the values of its non-zero elements in two dense
    tensors, and these methods hand those out without copying.

    Docs: https://docs.pytorch.org/docs/stable/tensor_view.html#tensor-views
    """
    s = torch.tensor([[0.0, 2.0], [3.0, 0.0]]).to_sparse()
    indices, values = s.indices(), s.values()

    values[1] = 7.0
    indices[1, 0] = 0

    assert s.to_dense().tolist() == [[2.0, 0.0], [7.0, 0.0]]


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
    incompatible = r"view size is not compatible with input tensor's size and stride"
    points_to_reshape = r"Use \.reshape\(\.\.\.\) instead"

    with raises_exactly(RuntimeError, match=rf"{incompatible}.*{points_to_reshape}"):
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
    assert y.untyped_storage().data_ptr() != xt.untyped_storage().data_ptr()
    assert torch.equal(xt.reshape(6), xt.contiguous().view(6))


@pytest.mark.parametrize(
    "op",
    [lambda t: t.reshape(6), lambda t: t.reshape_as(torch.empty(6)), lambda t: t.flatten()],
    ids=["reshape", "reshape_as", "flatten"],
)
def test_reshape_family_views_a_contiguous_tensor_and_copies_a_transposed_one(op):
    """`reshape`, `reshape_as` and `flatten` share memory with a contiguous input and copy a transposed one.

    The Tensor Views page lists these three as ops that "can return either a view or
    new tensor": a view where one exists, a copy where it does not. Both outcomes are
    shown here. The docs add that code should not rely on either, so treat the result
    as read-only, or `clone()` it before writing.

    Docs: https://docs.pytorch.org/docs/stable/tensor_view.html#tensor-views
    """
    x = torch.arange(6.0).view(2, 3)
    xt = x.t()

    from_contiguous = op(x)
    from_transposed = op(xt)

    assert from_contiguous.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
    assert from_transposed.untyped_storage().data_ptr() != x.untyped_storage().data_ptr()
    assert from_transposed.tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]


def test_contiguous_returns_self_when_already_contiguous():
    """`contiguous()` on a contiguous tensor returns the very same object, copying nothing.

    Docs: https://docs.pytorch.org/docs/stable/tensor_view.html#tensor-views
    """
    x = torch.zeros(2, 3)

    assert x.contiguous() is x


def test_contiguous_copies_into_row_major_order():
    """`contiguous()` on a transposed tensor copies the elements into fresh row-major memory.

    Docs: https://docs.pytorch.org/docs/stable/tensor_view.html#tensor-views
    """
    xt = torch.arange(6.0).view(2, 3).t()

    c = xt.contiguous()

    assert c.is_contiguous()
    assert c.stride() == (2, 1)
    assert c.data_ptr() != xt.data_ptr()
    assert c.view(6).tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
