"""Tensors and NumPy arrays

A CPU tensor and a NumPy array can be two views of the same memory. `torch.from_numpy`
and `Tensor.numpy()` build such a pair and copy nothing, so a write through one shows
in the other. `torch.tensor` copies. `torch.Tensor(...)` copies or shares depending on
the array's dtype. The dtype comes across unchanged: NumPy's default float64 stays
float64, unlike `torch.tensor([1.0])`.
"""

import numpy as np
import pytest
import torch

from torchref import raises_exactly, warns_exactly


@pytest.mark.claim("S1-002", verdict="true")
def test_from_numpy_keeps_shape_and_dtype():
    """`torch.from_numpy` turns an array into a tensor with the same shape and dtype.

    NumPy's default integer on Linux and macOS is int64, so the note's array becomes an
    int64 tensor.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.from_numpy.html
    """
    a = np.array([[1, -1], [-1, 1]], dtype=np.int64)

    x = torch.from_numpy(a)

    assert x.shape == (2, 2)
    assert x.dtype == torch.int64
    assert x.tolist() == [[1, -1], [-1, 1]]


@pytest.mark.claim("S0-002", verdict="true")
def test_from_numpy_sees_later_writes_to_the_array():
    """A write to the array after `torch.from_numpy` shows in the tensor.

    The tensor is a window on the array's buffer: there is one copy of the data.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.from_numpy.html
    """
    a = np.zeros(3)
    x = torch.from_numpy(a)

    a[0] = 5.0

    assert x.tolist() == [5.0, 0.0, 0.0]
    assert np.shares_memory(a, x.numpy())


@pytest.mark.claim("S0-011", verdict="true")
def test_from_numpy_tensor_writes_show_in_the_array():
    """Sharing works both ways: an in-place change to the tensor shows in the array.

    Only in-place changes: `x = x + 1` makes a new tensor and leaves the array alone.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.from_numpy.html
    """
    a = np.zeros(3)
    x = torch.from_numpy(a)

    x.add_(1)

    assert a.tolist() == [1.0, 1.0, 1.0]


@pytest.mark.claim("S0-003", verdict="true")
def test_numpy_method_returns_an_array_sharing_memory():
    """`tensor.numpy()` returns a NumPy array over the tensor's own memory.

    Converting is free, and a write to the array changes the tensor. Take `.copy()` of the
    array if it must outlive later changes to the tensor.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.numpy.html
    """
    x = torch.zeros(3)
    a = x.numpy()

    a[1] = 7.0

    assert isinstance(a, np.ndarray)
    assert a.dtype == np.float32
    assert x.tolist() == [0.0, 7.0, 0.0]


def test_torch_tensor_copies_the_array():
    """`torch.tensor(array)` copies: later writes to the array do not reach the tensor.

    It keeps the array's dtype, like `from_numpy`, but owns its memory.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.tensor.html
    """
    a = np.zeros(3)
    x = torch.tensor(a)

    a[0] = 5.0

    assert x.tolist() == [0.0, 0.0, 0.0]
    assert x.dtype == torch.float64


def test_as_tensor_shares_the_array_when_it_can():
    """`torch.as_tensor(array)` shares memory like `from_numpy` when no dtype change is asked.

    With `dtype=torch.float32` on a float64 array it must convert, so it copies.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.as_tensor.html
    """
    a = np.zeros(3)
    shared = torch.as_tensor(a)
    converted = torch.as_tensor(a, dtype=torch.float32)

    a[0] = 5.0

    assert shared.tolist() == [5.0, 0.0, 0.0]
    assert converted.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.claim("S0-004", verdict="false")
def test_tensor_class_copies_a_float64_array_into_float32():
    """`torch.Tensor(array)` of a float64 array makes a float32 copy that the array no longer affects.

    The note says the tensor stays associated with the array. For NumPy's default
    float64 (or any int) array it does not: `torch.Tensor` always makes the default float
    dtype, so it must convert, and converting copies. Use `torch.from_numpy` to share.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#torch.Tensor
    """
    a = np.zeros(3)
    x = torch.Tensor(a)

    a[0] = 5.0

    assert x.dtype == torch.float32
    assert x.tolist() == [0.0, 0.0, 0.0]


def test_tensor_class_shares_a_float32_array():
    """`torch.Tensor(array)` of a float32 array shares its memory, since no conversion is needed.

    The same call copies or shares depending on the array's dtype, which is reason enough
    to say what you mean with `from_numpy` (share) or `torch.tensor` (copy).

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#torch.Tensor
    """
    a = np.zeros(3, dtype=np.float32)
    x = torch.Tensor(a)

    a[0] = 5.0

    assert x.tolist() == [5.0, 0.0, 0.0]


def test_float64_array_stays_float64():
    """`from_numpy` of NumPy's default float64 array gives a float64 tensor, not float32.

    Mixing it with a float32 model then promotes or fails: convert with `.float()` when
    data comes from NumPy.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.from_numpy.html
    """
    a = np.array([1.0, 2.0])

    x = torch.from_numpy(a)

    assert a.dtype == np.float64
    assert x.dtype == torch.float64
    assert (x + torch.ones(2)).dtype == torch.float64


@pytest.mark.parametrize(
    ("np_dtype", "torch_dtype"),
    [
        (np.float16, torch.float16),
        (np.float32, torch.float32),
        (np.float64, torch.float64),
        (np.int64, torch.int64),
        (np.int32, torch.int32),
        (np.int16, torch.int16),
        (np.int8, torch.int8),
        (np.uint8, torch.uint8),
        (np.bool_, torch.bool),
        (np.complex64, torch.complex64),
        (np.complex128, torch.complex128),
    ],
    ids=["float16", "float32", "float64", "int64", "int32", "int16", "int8", "uint8", "bool", "complex64", "complex128"],
)
def test_from_numpy_maps_each_dtype_to_its_twin(np_dtype, torch_dtype):
    """Each NumPy dtype that PyTorch supports maps to the tensor dtype of the same width.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.from_numpy.html
    """
    a = np.zeros(2, dtype=np_dtype)

    assert torch.from_numpy(a).dtype == torch_dtype


@pytest.mark.torch_version(">=2.3")
def test_from_numpy_accepts_uint16():
    """`from_numpy` of a uint16 array gives a `torch.uint16` tensor, from torch 2.3 on.

    torch 2.3 added the `uint16`, `uint32` and `uint64` dtypes, with limited operator
    support, so 16-bit images read with NumPy now convert directly.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.from_numpy.html
    """
    a = np.array([1, 65535], dtype=np.uint16)

    x = torch.from_numpy(a)

    assert x.dtype == torch.uint16
    assert x.tolist() == [1, 65535]


@pytest.mark.torch_version("<2.3")
def test_from_numpy_rejects_uint16_before_2_3():
    """`from_numpy` of a uint16 array raises TypeError before torch 2.3.

    Those releases have no unsigned type wider than `uint8`. Convert with
    `a.astype(np.int32)` first.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.from_numpy.html
    """
    a = np.array([1, 65535], dtype=np.uint16)

    with raises_exactly(TypeError, match=r"can't convert np\.ndarray of type numpy\.uint16"):
        torch.from_numpy(a)


def test_from_numpy_rejects_string_arrays():
    """`from_numpy` of an array of strings raises TypeError: tensors hold only numbers and bools.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.from_numpy.html
    """
    a = np.array(["cat", "dog"])

    with raises_exactly(TypeError, match=r"can't convert np\.ndarray of type numpy\.str_"):
        torch.from_numpy(a)


def test_from_numpy_rejects_numpy_scalars():
    """`from_numpy(np.float64(1.0))` raises TypeError, because it takes arrays only.

    A NumPy scalar is not an array. Use `torch.tensor` for scalars, or wrap the value in
    `np.asarray` first.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.from_numpy.html
    """
    with raises_exactly(TypeError, match=r"expected np\.ndarray"):
        torch.from_numpy(np.float64(1.0))


def test_from_numpy_rejects_negative_strides():
    """`from_numpy(a[::-1])` raises ValueError: tensors cannot have negative strides.

    A reversed NumPy array walks its buffer backwards, which a tensor cannot describe.
    `a[::-1].copy()` makes a forward copy; `torch.from_numpy(a).flip(0)` reverses in
    PyTorch.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.from_numpy.html
    """
    a = np.arange(3.0)

    with raises_exactly(ValueError, match="negative"):
        torch.from_numpy(a[::-1])
    assert torch.from_numpy(a[::-1].copy()).tolist() == [2.0, 1.0, 0.0]


def test_from_numpy_keeps_the_arrays_strides():
    """`from_numpy` of a transposed array keeps its strides, giving a non-contiguous tensor.

    NumPy counts strides in bytes, PyTorch in elements: 8-byte floats with byte strides
    `(8, 24)` become element strides `(1, 3)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.from_numpy.html
    """
    a = np.zeros((2, 3)).T

    x = torch.from_numpy(a)

    assert a.strides == (8, 24)
    assert x.stride() == (1, 3)
    assert not x.is_contiguous()


def test_from_numpy_of_read_only_array_warns():
    """`from_numpy` of a read-only array warns, because the tensor would still be writable.

    PyTorch has no read-only tensors. Writing through such a tensor is undefined
    behaviour, so copy the array (`a.copy()`) or use `torch.tensor(a)`. The warning
    comes once per process; the test asks for warnings every time
    (`torch._C._set_warnAlways`) so that it sees it whatever ran before.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.from_numpy.html
    """
    a = np.arange(3.0)
    a.flags.writeable = False
    warn_always = torch._C._get_warnAlways()
    torch._C._set_warnAlways(True)
    try:
        with warns_exactly(UserWarning, match="The given NumPy array is not writable"):
            x = torch.from_numpy(a)
    finally:
        torch._C._set_warnAlways(warn_always)

    assert x.tolist() == [0.0, 1.0, 2.0]


def test_torch_tensor_of_read_only_array_does_not_warn():
    """`torch.tensor` of a read-only array copies it, so nothing is shared and nothing warns.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.tensor.html
    """
    a = np.arange(3.0)
    a.flags.writeable = False

    x = torch.tensor(a)
    x[0] = 9.0

    assert a[0] == 0.0


def test_numpy_of_tensor_requiring_grad_raises():
    """`.numpy()` on a tensor that requires grad raises and tells you to `detach()` first.

    NumPy cannot record operations for autograd; detaching makes the break explicit.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.numpy.html
    """
    w = torch.ones(2, requires_grad=True)

    with raises_exactly(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        w.numpy()
    assert w.detach().numpy().tolist() == [1.0, 1.0]


def test_numpy_force_detaches_for_you():
    """`.numpy(force=True)` detaches (and moves to CPU) as needed instead of raising.

    On a CPU tensor the result still shares memory with the tensor; on a GPU tensor it is
    a copy. Use it where you only read the values.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.numpy.html
    """
    w = torch.ones(2, requires_grad=True)

    a = w.numpy(force=True)

    assert a.tolist() == [1.0, 1.0]
    assert np.shares_memory(a, w.detach().numpy())


@pytest.mark.cuda
def test_numpy_of_a_gpu_tensor_raises():
    """`.numpy()` on a CUDA tensor raises TypeError: move it to the CPU with `.cpu()` first.

    NumPy arrays live in host memory, so there is no way to share GPU memory with one.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.numpy.html
    """
    x = torch.ones(2, device="cuda")

    with raises_exactly(TypeError, match="can't convert cuda"):
        x.numpy()
    assert x.cpu().numpy().tolist() == [1.0, 1.0]
