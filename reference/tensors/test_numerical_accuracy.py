"""Numerical accuracy

Floating-point numbers have a fixed number of significant bits, so most arithmetic rounds,
and the order of operations decides how. PyTorch therefore promises no bitwise-identical
results between computations that are only *mathematically* the same: another summation
order, a batched instead of a single product, another release or device. Compare floats
with a tolerance you can justify, know where each dtype overflows and how coarse it is, and
expect `inf` and `nan` to spread rather than raise. (The TF32 and reduced-precision GEMM
flags the note mentions are asserted on the Devices pages, with the rest of the CUDA
settings.)
"""

import math

import pytest
import torch

EPS32 = torch.finfo(torch.float32).eps  # 2**-23: the gap between 1.0 and the next float32


def test_float32_addition_is_not_associative():
    """`(a + b) + c` and `a + (b + c)` can differ in float32: here 1 and 0.

    Near 1e8 consecutive float32 values are 8 apart (1e8 lies between 2**26 and 2**27,
    and 23 fraction bits leave steps of 2**(26 - 23)). So `b + c = -1e8 + 1` rounds back
    to `-1e8` and the 1 is lost, while `a + b` is exactly 0 and keeps it.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html
    """
    a, b, c = torch.tensor(1e8), torch.tensor(-1e8), torch.tensor(1.0)
    step = EPS32 * 2**26

    left = (a + b) + c
    right = a + (b + c)

    assert step == 8.0
    assert (b + c) == b
    assert left.item() == 1.0
    assert right.item() == 0.0


def test_sum_in_another_order_agrees_only_within_a_rounding_bound():
    """Summing the same float32 values in another order agrees within `(n - 1) * eps * sum(|x|)`, not bit for bit.

    Each of the `n - 1` additions rounds with relative error at most `eps`, which bounds
    either sum's distance from the exact one (computed here in float64) by
    `(n - 1) * eps * sum(|x|)`; two orders are then at most twice that apart. This is
    the reasoning behind a tolerance for `torch.testing.assert_close`, rather than `==`.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html
    """
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1000, generator=g)
    shuffled = x[torch.randperm(1000, generator=g)]
    bound = (x.numel() - 1) * EPS32 * x.abs().sum().item()

    forward, reordered = x.sum(), shuffled.sum()

    torch.testing.assert_close(forward.double(), x.double().sum(), rtol=0, atol=bound)
    torch.testing.assert_close(reordered.double(), x.double().sum(), rtol=0, atol=bound)
    torch.testing.assert_close(forward, reordered, rtol=0, atol=2 * bound)


def test_batched_product_matches_the_single_product_within_a_rounding_bound():
    """`(A @ B)[0]` equals `A[0] @ B[0]` only up to rounding: compare with a tolerance.

    A batched kernel may block and order the inner sums differently from a single
    product, so PyTorch does not promise identical bits. Both are within the standard
    bound `k * eps * (|A[0]| @ |B[0]|)` of the exact product (inner size `k`), so they are
    within twice that of each other, element by element.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html#batched-computations-or-slice-computations
    """
    g = torch.Generator().manual_seed(0)
    A, B = torch.randn(4, 8, 16, generator=g), torch.randn(4, 16, 8, generator=g)
    k = A.shape[-1]
    bound = k * EPS32 * (A[0].abs() @ B[0].abs())

    batched, single = (A @ B)[0], A[0] @ B[0]

    assert batched.shape == single.shape == (8, 8)
    assert bool(((batched - single).abs() <= 2 * bound).all())


@pytest.mark.docs_erratum("A.sum(-1)[0] is not guaranteed to be bitwise equal to A[:,0].sum()")
def test_slice_of_a_reduction_matches_the_reduction_of_the_slice_within_a_bound():
    """`A.sum(-1)[0]` is the sum of row 0, so it matches `A[0].sum()` up to rounding, not `A[:, 0].sum()`.

    The note's example compares `A.sum(-1)[0]` with `A[:,0].sum()`, a column sum: a
    different number altogether, not the same computation done on a slice. The right
    comparison is with row 0's own sum, which agrees within the rounding bound of a sum
    (previous tests) but is not promised to agree bit for bit.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html#batched-computations-or-slice-computations
    """
    g = torch.Generator().manual_seed(0)
    A = torch.randn(64, 64, generator=g)
    bound = (A.shape[1] - 1) * EPS32 * A[0].abs().sum().item()

    of_the_whole, of_the_slice = A.sum(-1)[0], A[0].sum()

    torch.testing.assert_close(of_the_whole, of_the_slice, rtol=0, atol=2 * bound)
    assert abs(of_the_whole - A[:, 0].sum()) > 2 * bound


def test_intermediate_overflow_makes_a_representable_norm_inf():
    """The float32 norm of `[1e20, 1e20]` is `inf`, though the answer, about 1.41e20, fits in float32.

    The norm squares each element first, and `1e40` overflows float32 (max about
    3.4e38). In float64 the squares fit and the result is `hypot` of the two stored values
    (float32's nearest to 1e20, converted exactly), far below float32's maximum. When large values meet squares or products, compute in a wider
    dtype.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html#extremal-values
    """
    a = torch.tensor([1e20, 1e20])

    in_float32, in_float64 = a.norm(), a.double().norm()

    assert in_float32.item() == math.inf
    assert math.isclose(in_float64.item(), math.hypot(*a.tolist()), rel_tol=1e-15)
    assert in_float64.item() < torch.finfo(torch.float32).max


LAYOUTS = {  # dtype: (exponent bits, fraction bits), IEEE 754 and bfloat16
    torch.float16: (5, 10),
    torch.bfloat16: (8, 7),
    torch.float32: (8, 23),
    torch.float64: (11, 52),
}


@pytest.mark.parametrize("dtype", LAYOUTS, ids=str)
def test_finfo_follows_from_the_bit_layout(dtype):
    """`torch.finfo` gives each float dtype's `eps`, `max`, `tiny` and `resolution`, all fixed by its exponent and fraction bits.

    With `e` exponent bits and `f` fraction bits: `eps = 2**-f` (the gap after 1.0);
    the largest exponent is `2**(e-1) - 1`, so `max = (2 - 2**-f) * 2**(2**(e-1) - 1)`;
    the smallest normal number is `tiny = 2**(2 - 2**(e-1))`; and `resolution`, about
    the decimal digits kept, is `10**-floor(f * log10(2))`: 3 digits for float16, 2 for
    bfloat16, 6 for float32, 15 for float64. bfloat16 keeps float32's range with far
    fewer digits; float16 keeps more digits in a much smaller range.

    Docs: https://docs.pytorch.org/docs/stable/type_info.html#torch.finfo
    """
    e, f = LAYOUTS[dtype]
    max_exponent = 2 ** (e - 1) - 1

    info = torch.finfo(dtype)

    assert info.bits == 1 + e + f
    assert info.eps == 2.0**-f
    assert info.max == (2 - 2.0**-f) * 2.0**max_exponent
    assert info.tiny == 2.0 ** (1 - max_exponent)
    assert info.resolution == 10.0 ** -math.floor(f * math.log10(2))


def test_float16_overflows_where_bfloat16_does_not():
    """Doubling float16's largest value, 65504, gives `inf`; the same number in bfloat16 stays finite.

    Overflow is not an error: the result is `inf`, which then spreads (next test).
    bfloat16's 8 exponent bits reach about 3.4e38, which is why mixed precision with
    float16 needs loss scaling and with bfloat16 usually does not.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html#extremal-values
    """
    biggest = torch.tensor(torch.finfo(torch.float16).max, dtype=torch.float16)

    doubled_half = biggest * 2
    doubled_bf16 = biggest.to(torch.bfloat16) * 2

    assert biggest.item() == 65504.0
    assert doubled_half.item() == math.inf
    assert torch.isfinite(doubled_bf16).item()
    assert (torch.tensor(torch.finfo(torch.float32).max) * 2).item() == math.inf


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16, torch.float32], ids=str)
def test_integers_above_two_to_the_significand_bits_are_rounded(dtype):
    """Above `2**(f + 1)` a float dtype cannot hold every integer: `2**(f + 1) + 1` rounds to `2**(f + 1)`.

    With `f` fraction bits plus the implicit leading 1, a float has `f + 1` significant
    bits, so past `2**(f + 1)` consecutive values are 2 apart and the odd integer in
    between rounds to the even neighbour. For bfloat16 that happens already at 257, for
    float16 at 2049, for float32 at 16777217: counting in low precision goes wrong early.

    Docs: https://docs.pytorch.org/docs/stable/type_info.html#torch.finfo
    """
    _, f = LAYOUTS[dtype]
    limit = 2 ** (f + 1)

    rounded = torch.tensor(limit + 1, dtype=dtype)

    assert rounded.item() == limit
    assert torch.tensor(limit - 1, dtype=dtype).item() == limit - 1


def test_inf_and_nan_propagate_instead_of_raising():
    """Arithmetic with `inf` and `nan` never raises: `inf - inf` and `0 * inf` are `nan`, and one `nan` makes a sum or max `nan`.

    `nan` is also unequal to itself, so `x == x` is False exactly at `nan`s; test with
    `torch.isnan` or `torch.isfinite` instead, for example to find where a loss went bad.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html#extremal-values
    """
    inf = torch.tensor(math.inf)
    with_nan = torch.tensor([1.0, math.nan, 3.0])

    assert torch.isnan(inf - inf).item()
    assert torch.isnan(0 * inf).item()
    assert torch.isnan(with_nan.sum()).item()
    assert torch.isnan(with_nan.max()).item()
    assert (with_nan == with_nan).tolist() == [True, False, True]
    assert torch.isfinite(with_nan).tolist() == [True, False, True]


def test_deterministic_algorithms_do_not_make_float_addition_associative():
    """`torch.use_deterministic_algorithms(True)` makes a computation repeat its bits, not agree with a reordered one.

    Deterministic mode picks algorithms that give the same result every time for the
    same inputs on the same setup. It cannot change rounding: another order of the same
    additions still rounds differently, as in the first test.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html
    """
    a, b, c = torch.tensor(1e8), torch.tensor(-1e8), torch.tensor(1.0)
    x = torch.randn(1000, generator=torch.Generator().manual_seed(0))
    before = torch.are_deterministic_algorithms_enabled()

    torch.use_deterministic_algorithms(True)
    try:
        left, right = (a + b) + c, a + (b + c)
        first, second = x.sum(), x.sum()
    finally:
        torch.use_deterministic_algorithms(before)

    assert left.item() != right.item()
    assert torch.equal(first, second)
