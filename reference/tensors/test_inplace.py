"""In-place operations and out=

A method whose name ends in `_` (`add_`, `mul_`, `copy_`, `zero_`) writes its result
into the tensor it is called on instead of making a new one. That saves memory, but the
tensor's shape and dtype are fixed: the result must fit them. It also changes every
tensor that shares the memory, and autograd refuses it where it would destroy values
needed for the backward pass. `out=` is the function-style cousin: it names the tensor
to write into.
"""

import pytest
import torch

from torchref import raises_exactly, warns_exactly


@pytest.mark.claim("S1-017", verdict="true")
def test_add_underscore_changes_the_tensor_in_its_own_memory():
    """`x.add_(5)` changes `x` itself, keeping the same memory; `x.add(5)` leaves `x` alone.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.add_.html
    """
    x = torch.tensor([1.0, 2.0])
    address = x.data_ptr()

    y = x.add(5)
    x.add_(5)

    assert x.tolist() == [6.0, 7.0]
    assert x.data_ptr() == address
    assert y.data_ptr() != address


def test_inplace_method_returns_the_same_object():
    """An in-place method returns `self`, so calls can be chained: `x.mul_(2).add_(1)`.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#initializing-and-basic-operations
    """
    x = torch.tensor([1.0, 2.0])

    result = x.mul_(2).add_(1)

    assert result is x
    assert x.tolist() == [3.0, 5.0]


def test_abs_underscore_mutates_while_abs_returns_a_new_tensor():
    """`abs_()` computes in place and returns the modified tensor; `abs()` leaves its input alone and returns a new one.

    This is the torch.Tensor page's example of the naming rule: a method that mutates
    its tensor ends in an underscore.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#initializing-and-basic-operations
    """
    x = torch.tensor([-1.5, 2.0])
    y = torch.tensor([-1.5, 2.0])

    fresh = x.abs()
    mutated = y.abs_()

    assert x.tolist() == [-1.5, 2.0]
    assert fresh.tolist() == [1.5, 2.0]
    assert fresh.untyped_storage().data_ptr() != x.untyped_storage().data_ptr()
    assert mutated is y
    assert y.tolist() == [1.5, 2.0]


def test_indexing_reads_an_element_and_index_assignment_writes_it():
    """`x[1][2]` reads one element as a zero-dimensional tensor; `x[0][1] = 8` writes into `x` itself.

    The torch.Tensor page's example: Python's indexing notation both reads and modifies
    a tensor's contents. `x[0]` is a view of row 0, so assigning into it changes `x`.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#initializing-and-basic-operations
    """
    x = torch.tensor([[1, 2, 3], [4, 5, 6]])
    address = x.data_ptr()

    element = x[1][2]
    x[0][1] = 8

    assert element.shape == ()
    assert element.dtype == torch.int64
    assert element.item() == 6
    assert x.tolist() == [[1, 8, 3], [4, 5, 6]]
    assert x.data_ptr() == address


@pytest.mark.claim("S0-009", verdict="true")
def test_copy_underscore_overwrites_with_another_tensors_values():
    """`x.copy_(y)` writes `y`'s values into `x`'s existing memory.

    The note's naming rule is right: the trailing `_` marks the in-place version, and `x`
    is the tensor that changes. `x = y.clone()` would instead rebind the name to new
    memory, which other references to the old `x` never see.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.copy_.html
    """
    x = torch.zeros(3)
    alias = x
    address = x.data_ptr()
    y = torch.tensor([1.0, 2.0, 3.0])

    x.copy_(y)

    assert alias.tolist() == [1.0, 2.0, 3.0]
    assert x.data_ptr() == address


def test_copy_underscore_broadcasts_the_source():
    """`copy_` broadcasts the source to the destination's shape: one row fills every row.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.copy_.html
    """
    x = torch.zeros(2, 3)

    x.copy_(torch.tensor([1.0, 2.0, 3.0]))

    assert x.tolist() == [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]


def test_copy_underscore_converts_to_the_destinations_dtype():
    """`copy_` into an int64 tensor converts float values, dropping the fraction toward zero.

    The destination keeps its dtype; the values are cast on the way in.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.copy_.html
    """
    x = torch.zeros(2, dtype=torch.int64)

    x.copy_(torch.tensor([1.7, -1.7]))

    assert x.dtype == torch.int64
    assert x.tolist() == [1, -1]


@pytest.mark.claim("S0-009", verdict="true")
def test_t_underscore_transposes_in_place():
    """`x.t_()` transposes `x` itself: the same object now has shape (3, 2).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.t_.html
    """
    x = torch.arange(6.0).view(2, 3)

    result = x.t_()

    assert result is x
    assert x.shape == (3, 2)
    assert x.tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]


def test_t_underscore_rejects_more_than_two_dimensions():
    """`t_()` raises on a 3-D tensor: it is defined only for up to two dimensions.

    Use `transpose_(d0, d1)` to pick the two dimensions to swap.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.t_.html
    """
    x = torch.zeros(2, 2, 2)

    with raises_exactly(RuntimeError, match=r"t_\(\) expects a tensor with <= 2 dimensions"):
        x.t_()


def test_augmented_assignment_is_in_place():
    """`x += 1` modifies `x` in place, while `x = x + 1` binds the name to a new tensor.

    The difference shows whenever another name refers to the same tensor.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#initializing-and-basic-operations
    """
    x = torch.zeros(2)
    y = torch.zeros(2)
    x_alias, y_alias = x, y

    x += 1
    y = y + 1

    assert x_alias.tolist() == [1.0, 1.0]
    assert y_alias.tolist() == [0.0, 0.0]


def test_inplace_through_a_view_changes_the_base():
    """An in-place operation on a slice changes the tensor the slice was taken from.

    `x[0]` shares `x`'s memory, so `x[0].mul_(10)` rewrites row 0 of `x`.

    Docs: https://docs.pytorch.org/docs/stable/tensor_view.html#tensor-views
    """
    x = torch.ones(2, 2)

    x[0].mul_(10)

    assert x.tolist() == [[10.0, 10.0], [1.0, 1.0]]


def test_zero_underscore_has_no_out_of_place_twin():
    """`zero_()` and `fill_()` exist only in place; use `zeros_like` or `full_like` for a new tensor.

    `fill_` casts the value to the tensor's dtype, so filling an int tensor with 2.7 gives 2.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.fill_.html
    """
    x = torch.ones(2, dtype=torch.int64)

    x.fill_(2.7)

    assert x.tolist() == [2, 2]
    assert x.zero_().tolist() == [0, 0]
    assert not hasattr(x, "zero")
    assert not hasattr(x, "fill")
    assert torch.full_like(x, 3).tolist() == [3, 3]


def test_inplace_cannot_broadcast_self_to_a_bigger_shape():
    """`x.add_(y)` raises when `x` would have to grow to the broadcast shape.

    Out of place, a (3,) plus a (2, 3) gives a (2, 3). In place the result must fit in
    `x`, which has room for 3 numbers. The other direction is fine: `y` may broadcast
    to `x`'s shape.

    Docs: https://docs.pytorch.org/docs/stable/notes/broadcasting.html#in-place-semantics
    """
    x = torch.zeros(3)
    y = torch.ones(2, 3)

    with raises_exactly(RuntimeError, match=r"output with shape \[3\] doesn't match the broadcast shape \[2, 3\]"):
        x.add_(y)
    assert y.add_(x).shape == (2, 3)


def test_inplace_cannot_change_the_dtype():
    """`int_tensor.add_(0.5)` raises, because a float result cannot be stored back in int64.

    Out of place, `int_tensor + 0.5` promotes to float32. In place there is nowhere to
    put the float, and PyTorch refuses rather than silently truncating.

    Docs: https://docs.pytorch.org/docs/stable/tensor_attributes.html#type-promotion-doc
    """
    x = torch.zeros(2, dtype=torch.int64)

    with raises_exactly(RuntimeError, match="result type Float can't be cast to the desired output type Long"):
        x.add_(0.5)
    assert (x + 0.5).dtype == torch.float32


def test_inplace_on_a_leaf_requiring_grad_raises():
    """An in-place change to a leaf tensor that requires grad raises.

    Autograd needs the leaf's value as it was when operations used it. Update weights
    inside `torch.no_grad()`, which is what optimizers do.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#in-place-operations-with-autograd
    """
    w = torch.zeros(2, requires_grad=True)

    with raises_exactly(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        w.add_(1)
    with torch.no_grad():
        w.add_(1)
    assert w.tolist() == [1.0, 1.0]


def test_out_argument_writes_into_the_given_tensor():
    """`torch.add(a, b, out=c)` writes the sum into `c` and returns `c` itself.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.add.html
    """
    a = torch.tensor([1.0, 2.0])
    c = torch.empty(2)

    result = torch.add(a, 1, out=c)

    assert result is c
    assert c.tolist() == [2.0, 3.0]


def test_out_of_the_wrong_size_is_resized_with_a_warning():
    """An `out=` tensor of the wrong shape is resized to fit, with a UserWarning.

    Resizing a tensor that already holds elements is deprecated: it usually means a bug,
    and it reallocates memory that others might be sharing.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.add.html
    """
    c = torch.zeros(3)

    with warns_exactly(UserWarning, match="An output with one or more elements was resized"):
        torch.add(torch.ones(2), 1, out=c)

    assert c.shape == (2,)
    assert c.tolist() == [2.0, 2.0]


def test_empty_out_is_resized_silently():
    """An empty `out=` tensor (zero elements) is resized to fit without any warning.

    `torch.empty(0)` is the idiom for "allocate it for me, but into this tensor".

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.add.html
    """
    c = torch.empty(0)

    torch.add(torch.ones(2), 1, out=c)

    assert c.tolist() == [2.0, 2.0]


def test_resize_underscore_keeps_the_leading_elements_when_shrinking():
    """`resize_(2, 2)` on a 6-element tensor keeps the first 4 elements in order.

    Unlike `view` and `reshape`, `resize_` may change the number of elements. It reuses
    the storage and reads it row by row under the new shape.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.resize_.html
    """
    x = torch.arange(6.0)

    x.resize_(2, 2)

    assert x.tolist() == [[0.0, 1.0], [2.0, 3.0]]


def test_resize_underscore_grows_with_uninitialised_memory():
    """`resize_` to more elements keeps the old values and leaves the new ones uninitialised.

    Never read the new elements before writing them: they hold whatever was in memory.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.resize_.html
    """
    x = torch.arange(4.0)

    x.resize_(3, 2)

    assert x.shape == (3, 2)
    assert x.flatten()[:4].tolist() == [0.0, 1.0, 2.0, 3.0]


@pytest.mark.claim("S2-007", verdict="false")
def test_resize_is_not_a_reshape():
    """Non-in-place `resize` is deprecated and, like `view`, cannot change the element count.

    The note lists `resize` beside `view` and `reshape` as a way to change shape. The
    method without `_` warns that it is deprecated and raises unless the element count is
    unchanged, where `view`/`reshape` already do the job. The in-place `resize_` is a
    different tool: it reallocates and may drop or invent elements.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.resize_.html
    """
    x = torch.zeros(3)

    with warns_exactly(UserWarning, match="non-inplace resize is deprecated"):
        with raises_exactly(RuntimeError, match="autograd's resize can only change the shape"):
            x.resize(2, 2)


def test_resize_underscore_of_tensor_requiring_grad_raises():
    """`resize_` on a tensor that requires grad raises: autograd cannot follow a reallocation.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.resize_.html
    """
    w = torch.zeros(3, requires_grad=True)

    with raises_exactly(RuntimeError, match="cannot resize variables that require grad"):
        w.resize_(2, 2)
