"""Dtypes, promotion and precision

Every tensor has one dtype for all its elements. When an operation mixes dtypes, PyTorch
picks the result's dtype by *type promotion*: the higher category wins (bool < integer
< float < complex), and a Python number or a 0-d tensor cannot widen a dimensioned
tensor of the same category. Division and remainders follow Python, not C; integers
wrap around silently; floats round. This page shows each rule and the traps it sets.
"""

import pytest
import torch

from torchref import by_version, raises_exactly, warns_exactly


def test_default_float_dtype_is_float32():
    """Python floats become `float32` tensors, the default float dtype.

    NumPy's default is float64; PyTorch chose float32 because it is what GPUs compute
    fastest and it is precise enough for training.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.get_default_dtype.html
    """
    x = torch.tensor([1.5])

    assert torch.get_default_dtype() == torch.float32
    assert x.dtype == torch.float32
    assert torch.zeros(1).dtype == torch.float32


@pytest.mark.parametrize(
    ("alias", "dtype", "bits"),
    [
        ("float", torch.float32, 32),
        ("double", torch.float64, 64),
        ("half", torch.float16, 16),
        ("cfloat", torch.complex64, 64),
        ("cdouble", torch.complex128, 128),
        ("long", torch.int64, 64),
        ("int", torch.int32, 32),
        ("short", torch.int16, 16),
    ],
    ids=["float", "double", "half", "cfloat", "cdouble", "long", "int", "short"],
)
def test_dtype_aliases_are_the_same_dtype_object(alias, dtype, bits):
    """`torch.float`, `torch.long` and the other short names are the same objects as the sized dtypes.

    The `torch.dtype` section lists each dtype with its alias: `torch.float` *is*
    `torch.float32`, `torch.long` *is* `torch.int64`, so comparing with either spelling
    gives the same answer. The number in the name is the width in bits, which
    `element_size()` reports in bytes.

    Docs: https://docs.pytorch.org/docs/stable/tensor_attributes.html#torch.dtype
    """
    x = torch.zeros(1, dtype=getattr(torch, alias))

    assert getattr(torch, alias) is dtype
    assert x.dtype == dtype
    assert x.element_size() * 8 == bits


def test_set_default_dtype_changes_new_float_tensors():
    """`set_default_dtype(torch.float64)` makes later float tensors float64; ints stay int64.

    It is process-wide state, so put it back when you are done.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.set_default_dtype.html
    """
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        floats = torch.tensor([1.5])
        ints = torch.tensor([1])
    finally:
        torch.set_default_dtype(previous)

    assert floats.dtype == torch.float64
    assert ints.dtype == torch.int64


def test_int_tensor_plus_float_tensor_is_float():
    """Adding an int64 tensor to a float32 tensor gives float32: the float category wins.

    Category beats size: the 64-bit integer does not pull the result up to float64.

    Docs: https://docs.pytorch.org/docs/stable/tensor_attributes.html#type-promotion-doc
    """
    ints = torch.tensor([1, 2])
    floats = torch.tensor([0.5, 0.5])

    result = ints + floats

    assert result.dtype == torch.float32
    assert result.tolist() == [1.5, 2.5]


def test_int_tensor_times_python_float_is_default_float():
    """An int tensor times a Python float gives the default float dtype.

    Docs: https://docs.pytorch.org/docs/stable/tensor_attributes.html#type-promotion-doc
    """
    x = torch.tensor([1, 2], dtype=torch.int32)

    y = x * 2.5

    assert y.dtype == torch.float32
    assert y.tolist() == [2.5, 5.0]


def test_result_type_predicts_the_promoted_dtype():
    """`torch.result_type(a, b)` tells the dtype an operation on `a` and `b` would produce.

    Same category, both dimensioned: the larger type wins (`uint8` and `int8` need `int16`
    to hold both ranges). A Python number or 0-d tensor of the same category does not
    widen the dimensioned operand.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.result_type.html
    """
    int32 = torch.tensor([1], dtype=torch.int32)
    half = torch.tensor([1.0], dtype=torch.float16)

    assert torch.result_type(int32, 1.0) == torch.float32
    assert torch.result_type(int32, torch.tensor([1])) == torch.int64
    assert torch.result_type(int32, torch.tensor(1)) == torch.int32
    assert torch.result_type(half, torch.tensor(1.0, dtype=torch.float64)) == torch.float16
    assert torch.result_type(torch.tensor([1], dtype=torch.uint8), torch.tensor([1], dtype=torch.int8)) == torch.int16


@pytest.mark.torch_version("<2.14")
def test_bfloat16_with_a_complex_scalar_gives_complex64_before_2_14():
    """Before PyTorch 2.14, a bfloat16 tensor times a Python complex number gives `complex64`.

    There was no complex type built from bfloat16, so promotion picked `complex64`, the
    complex type with bfloat16's range. A float16 tensor already had its twin,
    `complex32`.

    Docs: https://docs.pytorch.org/docs/stable/tensor_attributes.html#type-promotion-doc
    """
    bf16 = torch.ones(2, dtype=torch.bfloat16)

    assert torch.result_type(bf16, 1j) == torch.complex64
    assert torch.result_type(torch.ones(2, dtype=torch.float16), 1j) == torch.complex32


@pytest.mark.torch_version(">=2.14")
def test_bfloat16_with_a_complex_scalar_gives_bcomplex32_since_2_14():
    """Since PyTorch 2.14, a bfloat16 tensor with a Python complex number promotes to `torch.bcomplex32`.

    2.14 added `bcomplex32`, a complex type made of two bfloat16 numbers, and promotion
    now keeps bfloat16's precision instead of widening to `complex64`
    (https://github.com/pytorch/pytorch/pull/186928). float16 still pairs with
    `complex32`. Code that expected `complex64` must now ask for it with `.to()`.

    Docs: https://docs.pytorch.org/docs/stable/tensor_attributes.html#type-promotion-doc
    """
    bf16 = torch.ones(2, dtype=torch.bfloat16)

    assert torch.result_type(bf16, 1j) == torch.bcomplex32
    assert torch.result_type(torch.ones(2, dtype=torch.float16), 1j) == torch.complex32
    assert torch.bcomplex32.is_complex
    assert torch.bcomplex32.itemsize == 2 * torch.bfloat16.itemsize


def test_python_int_does_not_widen_an_int8_tensor():
    """`int8_tensor + 1000` stays int8, so 1001 wraps around to -23.

    The scalar is the same category (integer) as the tensor, so it cannot promote it:
    the sum is computed in int8, and 1001 - 1024 = -23. Cast first (`x.to(torch.int64)`)
    when a scalar may not fit.

    Docs: https://docs.pytorch.org/docs/stable/tensor_attributes.html#type-promotion-doc
    """
    x = torch.tensor([1], dtype=torch.int8)

    y = x + 1000

    assert y.dtype == torch.int8
    assert y.tolist() == [1001 - 1024]


def test_division_of_ints_is_true_division():
    """`/` on two int tensors returns floats: `7 / 2` is 3.5, as in Python 3.

    `torch.div` with `rounding_mode="trunc"` or `"floor"` keeps the integer dtype.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.div.html
    """
    a = torch.tensor([7, -7])
    b = torch.tensor([2, 2])

    assert (a / b).tolist() == [3.5, -3.5]
    assert (a / b).dtype == torch.float32
    assert torch.div(a, b, rounding_mode="trunc").tolist() == [3, -3]
    assert torch.div(a, b, rounding_mode="floor").dtype == torch.int64


def test_floor_division_rounds_toward_minus_infinity():
    """`//` floors: `-7 // 2` is -4, not -3, matching Python.

    Before 1.13 `//` on tensors truncated toward zero; since pytorch/pytorch#78411 it
    agrees with Python and NumPy. Use `torch.div(a, b, rounding_mode="trunc")` for
    C-style division.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.floor_divide.html
    """
    a = torch.tensor([7, -7])

    assert (a // 2).tolist() == [3, -4]
    assert (a // 2).tolist() == [7 // 2, -7 // 2]


def test_remainder_takes_the_sign_of_the_divisor():
    """`%` gives a result with the divisor's sign: `-7 % 3` is 2 and `7 % -3` is -2.

    This is Python's rule, and it keeps `a == (a // b) * b + a % b` true.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.remainder.html
    """
    a = torch.tensor([-7, 7])

    assert (a % 3).tolist() == [2, 1]
    assert (a % -3).tolist() == [-1, -2]
    assert torch.equal((a // 3) * 3 + a % 3, a)


def test_fmod_takes_the_sign_of_the_dividend():
    """`torch.fmod(-7, 3)` is -1: the C rule, where the sign follows the dividend.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.fmod.html
    """
    a = torch.tensor([-7, 7])

    assert torch.fmod(a, 3).tolist() == [-1, 1]


def test_integer_division_by_zero_raises():
    """Integer `//` by zero raises, while float division by zero gives `inf`.

    Integers have no infinity to return. Floats follow IEEE 754.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.floor_divide.html
    """
    ints = torch.tensor([1])

    with raises_exactly(RuntimeError, match="ZeroDivisionError"):
        ints // 0
    assert (torch.tensor([1.0]) / 0).tolist() == [float("inf")]


def test_mean_of_an_int_tensor_raises():
    """`mean()` of an int tensor raises: the mean needs a float dtype you must choose.

    Convert with `.float()` or pass `dtype=torch.float32`. The class is `RuntimeError`
    before PyTorch 2.15 and its subclass `NotImplementedError` from 2.15
    (https://github.com/pytorch/pytorch/pull/192351).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.mean.html
    """
    x = torch.tensor([1, 2])
    expected = by_version({"<2.15": RuntimeError, ">=2.15": NotImplementedError})

    with raises_exactly(expected, match="could not infer output dtype"):
        x.mean()
    assert x.mean(dtype=torch.float32).item() == 1.5


def test_sum_of_small_ints_is_int64():
    """`sum()` of int32 or bool values returns int64, so it does not overflow the small type.

    This is why `(pred == target).sum()` counts correctly.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.sum.html
    """
    flags = torch.tensor([True, True, False])
    small = torch.tensor([1, 2], dtype=torch.int32)

    assert flags.sum().dtype == torch.int64
    assert flags.sum().item() == 2
    assert small.sum().dtype == torch.int64


def test_comparisons_return_bool_tensors():
    """`==`, `<` and friends return `bool` tensors, elementwise.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.eq.html
    """
    x = torch.tensor([1, 2, 3])

    mask = x > 1

    assert mask.dtype == torch.bool
    assert mask.tolist() == [False, True, True]


@pytest.mark.claim("S2-004", verdict="true")
def test_type_with_a_dtype_converts():
    """`x.type(torch.float64)` returns a float64 copy; `x.type()` with no argument returns a type name.

    The note is right that `type` changes the dtype, but it does so by returning a new
    tensor, and the no-argument form returns a string such as `"torch.FloatTensor"`,
    not a dtype. `x.to(dtype)` and `x.dtype` are the modern spellings.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.type.html
    """
    x = torch.tensor([1.5])

    y = x.type(torch.float64)

    assert y.dtype == torch.float64
    assert x.type() == "torch.FloatTensor"
    assert y.type() == "torch.DoubleTensor"


@pytest.mark.claim("S2-004", verdict="true")
def test_type_as_converts_to_the_other_tensors_dtype():
    """`x.type_as(other)` returns `x` converted to `other`'s dtype, and leaves `x` as it was.

    Neither `type` nor `type_as` is in-place: assign the result.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.type_as.html
    """
    x = torch.tensor([1, 2])
    other = torch.zeros(1, dtype=torch.float64)

    y = x.type_as(other)

    assert y.dtype == torch.float64
    assert x.dtype == torch.int64


def test_to_returns_self_when_the_dtype_already_matches():
    """`x.to(x.dtype)` returns `x` itself; `copy=True` forces a new tensor.

    So writes to the "converted" tensor may land in the original. Ask for a copy when
    you need one.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.to.html
    """
    x = torch.ones(2)

    assert x.to(torch.float32) is x
    assert x.to(torch.float32, copy=True) is not x
    assert x.to(torch.float64) is not x


def test_to_changes_dtype_and_device_in_one_call():
    """`x.to(device, dtype)` returns a tensor with both changed; the original keeps its own.

    The torch.Tensor page recommends `to` for changing an existing tensor's device
    and/or dtype. A change of dtype needs new memory, so the result is a converted copy.
    (The device here is the CPU, so the check runs everywhere.)

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#initializing-and-basic-operations
    """
    x = torch.tensor([1, 2], dtype=torch.int32)

    y = x.to(torch.device("cpu"), torch.float64)

    assert y.dtype == torch.float64
    assert y.device == torch.device("cpu")
    assert y.tolist() == [1.0, 2.0]
    assert x.dtype == torch.int32
    assert y.data_ptr() != x.data_ptr()


def test_to_int_truncates_toward_zero():
    """Converting floats to an integer dtype drops the fraction: -1.7 becomes -1, not -2.

    Use `round()` or `floor()` first if that is what you mean.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.to.html
    """
    x = torch.tensor([-1.7, 1.7])

    assert x.to(torch.int64).tolist() == [-1, 1]
    assert x.round().to(torch.int64).tolist() == [-2, 2]


def test_item_returns_a_python_number():
    """`item()` turns a one-element tensor into a Python `int` or `float`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.item.html
    """
    assert torch.tensor([3]).item() == 3
    assert isinstance(torch.tensor([3]).item(), int)
    assert isinstance(torch.tensor(2.5).item(), float)
    assert isinstance(torch.tensor(True).item(), bool)


def test_item_works_on_a_one_element_tensor_of_any_shape():
    """`item()` reads the single value of a tensor of any shape, e.g. `torch.tensor([[1]]).item()` is the int 1.

    The torch.Tensor page's example: what matters is that the tensor holds one value,
    not how many dimensions wrap it. An int tensor gives a Python `int`, a float tensor
    a Python `float`.

    Docs: https://docs.pytorch.org/docs/stable/tensors.html#initializing-and-basic-operations
    """
    nested = torch.tensor([[1]])
    scalar = torch.tensor(2.5)

    assert nested.shape == (1, 1)
    assert nested.item() == 1
    assert type(nested.item()) is int
    assert scalar.item() == 2.5
    assert type(scalar.item()) is float


def test_item_of_several_elements_raises():
    """`item()` on a tensor with more than one element raises.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.item.html
    """
    x = torch.ones(2)

    with raises_exactly(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
        x.item()


def test_item_of_float32_shows_its_rounding():
    """`torch.tensor(0.1).item()` is 0.10000000149011612, not 0.1.

    The tensor stores the float32 nearest to 0.1; `item()` widens that exact value to a
    Python float (a double), which shows the digits float32 got wrong.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.item.html
    """
    x = torch.tensor(0.1)

    assert x.item() != 0.1
    assert x.item() == 0.10000000149011612


def test_tolist_gives_nested_python_lists():
    """`tolist()` returns nested Python lists of Python numbers; a 0-d tensor gives a bare number.

    For a 0-d tensor it behaves like `item()`. The docs add that it is not
    differentiable: on a tensor that requires grad it simply returns the numbers,
    with no link back to the graph.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.Tensor.tolist.html
    """
    x = torch.tensor([[1, 2], [3, 4]])
    w = torch.tensor([1.5, 2.5], requires_grad=True)

    assert x.tolist() == [[1, 2], [3, 4]]
    assert isinstance(x.tolist()[0][0], int)
    assert torch.tensor(3).tolist() == 3 == torch.tensor(3).item()
    assert w.tolist() == [1.5, 2.5]
    assert all(type(v) is float for v in w.tolist())


def test_integer_arithmetic_wraps_around():
    """Integer overflow wraps silently: int8 127 + 1 is -128 and uint8 0 - 1 is 255.

    No error and no warning: arithmetic is modulo 2**bits. `torch.iinfo` gives the limits.

    Docs: https://docs.pytorch.org/docs/stable/type_info.html
    """
    i8 = torch.tensor([127], dtype=torch.int8)
    u8 = torch.tensor([0], dtype=torch.uint8)

    assert (i8 + 1).tolist() == [-128]
    assert (u8 - 1).tolist() == [255]
    assert torch.iinfo(torch.int8).max == 127


def test_out_of_range_literal_raises():
    """`torch.tensor([300], dtype=torch.uint8)` raises, though arithmetic would wrap silently.

    The constructor checks Python values against the target range; operations on
    tensors do not.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.tensor.html
    """
    with raises_exactly(RuntimeError, match="value cannot be converted to type uint8 without overflow"):
        torch.tensor([300], dtype=torch.uint8)


def test_float64_sum_of_tenths_is_not_three_tenths():
    """In float64, 0.1 + 0.2 is not 0.3: none of the three is exactly representable.

    Compare floats with `torch.isclose` or `torch.testing.assert_close`, never `==`.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html
    """
    a = torch.tensor(0.1, dtype=torch.float64)
    b = torch.tensor(0.2, dtype=torch.float64)

    total = a + b

    assert total.item() != 0.3
    assert torch.isclose(total, torch.tensor(0.3, dtype=torch.float64))


def test_float32_sum_of_tenths_happens_to_be_three_tenths():
    """In float32, 0.1 + 0.2 == 0.3 is True: the rounding errors happen to cancel.

    The same code gives a different answer in float64. Neither result tells you anything
    general: exact float comparison depends on the dtype and the values.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html
    """
    a = torch.tensor(0.1)
    b = torch.tensor(0.2)

    assert (a + b == torch.tensor(0.3)).item()


def test_float32_cannot_hold_every_large_integer():
    """float32 has a 24-bit significand, so 2**24 + 1 = 16777217 becomes 16777216.

    Above 2**24 consecutive integers are no longer all representable. Keep counts and
    indices in int64; float64 is exact up to 2**53.

    Docs: https://docs.pytorch.org/docs/stable/type_info.html
    """
    n = torch.tensor([2**24 + 1])

    assert n.float().long().tolist() == [2**24]
    assert n.double().long().tolist() == [2**24 + 1]
    assert torch.finfo(torch.float32).eps == 2**-23


@pytest.mark.parametrize(
    ("dtype", "exponent_bits", "significand_bits"),
    [(torch.float16, 5, 10), (torch.bfloat16, 8, 7), (torch.float32, 8, 23), (torch.float64, 11, 52)],
    ids=["float16", "bfloat16", "float32", "float64"],
)
def test_float_dtype_limits_follow_from_its_bit_layout(dtype, exponent_bits, significand_bits):
    """Each float dtype's precision and range follow from its sign-exponent-significand layout.

    The dtype table gives the layouts: float16 is 1-5-10, bfloat16 1-8-7. The gap
    between 1 and the next number (`eps`) is `2**-significand_bits`, and the largest
    finite value is `(2 - eps) * 2**(2**(exponent_bits - 1) - 1)`. So bfloat16 has
    float32's range with fewer digits than float16, and float16 has more digits but
    stops at 65504.

    Docs: https://docs.pytorch.org/docs/stable/tensor_attributes.html#torch.dtype
    """
    info = torch.finfo(dtype)
    eps = 2.0**-significand_bits

    assert info.bits == 1 + exponent_bits + significand_bits
    assert info.eps == eps
    assert info.max == (2 - eps) * 2.0 ** (2 ** (exponent_bits - 1) - 1)


def test_float16_overflows_to_inf_past_65504():
    """Converting 70000 to float16 gives `inf`: float16's largest finite value is 65504.

    This is why mixed-precision training scales losses and why bfloat16, with float32's
    range but fewer digits, is often preferred.

    Docs: https://docs.pytorch.org/docs/stable/type_info.html
    """
    x = torch.tensor([70000.0])

    assert torch.finfo(torch.float16).max == 65504
    assert x.half().tolist() == [float("inf")]
    assert torch.isfinite(x.bfloat16()).all()


@pytest.mark.torch_version(">=2.13")
def test_dtype_abbr_is_a_short_name_since_2_13():
    """Since PyTorch 2.13 every dtype has `abbr`, a short name such as `"f32"` or `"i64"`.

    The abbreviation is a letter for the kind (`f` float, `bf` bfloat, `i` signed int,
    `b` bool) followed by the width in bits, which is handy in logs and file names
    (https://github.com/pytorch/pytorch/pull/177296).

    Docs: https://docs.pytorch.org/docs/stable/tensor_attributes.html#torch.dtype
    """
    assert torch.float32.abbr == "f32"
    assert torch.int64.abbr == "i64"
    assert torch.bfloat16.abbr == "bf16"
    assert torch.bool.abbr == "b8"
    assert torch.float16.abbr == f"f{torch.float16.itemsize * 8}"


@pytest.mark.torch_version(">=2.13")
def test_quantized_dtype_tensors_are_deprecated_since_2_13():
    """Since PyTorch 2.13, creating a tensor of a quantized dtype (`quint8`, `qint8`, `qint32`) warns that it is deprecated.

    The quantized dtypes belong to the old eager quantization stack, which is being
    retired (https://github.com/pytorch/pytorch/pull/184984). The tensor is still
    made, for now. PyTorch gives this warning once per process; the test asks for
    warnings every time (`torch._C._set_warnAlways`) so that it sees it whatever ran
    before.

    Docs: https://docs.pytorch.org/docs/stable/tensor_attributes.html#torch.dtype
    """
    x = torch.tensor([0.0, 0.1, 0.2])
    warn_always = torch._C._get_warnAlways()
    torch._C._set_warnAlways(True)
    try:
        with warns_exactly(UserWarning, match=r"quantized tensor creation functions .* are deprecated"):
            q = torch.quantize_per_tensor(x, 0.1, 0, torch.quint8)
    finally:
        torch._C._set_warnAlways(warn_always)

    assert q.dtype == torch.quint8
    assert q.int_repr().tolist() == [0, 1, 2]
