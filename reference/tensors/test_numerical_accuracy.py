"""Numerical accuracy

Floating-point numbers have a fixed number of significant bits, so most arithmetic rounds,
and the order of operations decides how. PyTorch therefore promises no bitwise-identical
results between computations that are only *mathematically* the same: another summation
order, a batched instead of a single product, another release or device. Compare floats
with a tolerance you can justify, know where each dtype overflows and how coarse it is, and
expect `inf` and `nan` to spread rather than raise. `torch.linalg` adds its own traps:
ill-conditioned inputs give silently wrong answers, repeated eigenvalues non-finite
gradients. The last tests read the switches that trade float32 and half-precision accuracy
for GPU speed (TF32, reduced-precision reductions); the Devices pages assert the rest of
the CUDA settings.
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

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html#numerical-accuracy
    """
    a, b, c = torch.tensor(1e8), torch.tensor(-1e8), torch.tensor(1.0)
    step = EPS32 * 2**26

    left = (a + b) + c
    right = a + (b + c)

    assert step == 8.0
    assert (b + c) == b
    assert left.item() == 1.0
    assert right.item() == 0.0


def test_float32_multiplication_is_not_associative():
    """`(a * b) * c` and `a * (b * c)` can differ in float32: here `inf` and about 1e30.

    Multiplication is no more associative than addition. With `a = b = 1e30` and
    `c = 1e-30`, the left order first forms `1e60`, beyond float32's maximum (about
    3.4e38), so it is `inf` and stays `inf`; the right order first forms `b * c`, about 1,
    and never leaves the range. Mathematically both are 1e30.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html#numerical-accuracy
    """
    a, b, c = torch.tensor(1e30), torch.tensor(1e30), torch.tensor(1e-30)

    left = (a * b) * c
    right = a * (b * c)

    assert left.item() == math.inf
    assert math.isclose(right.item(), 1e30, rel_tol=4 * EPS32)


@pytest.mark.parametrize(("dtype", "digits"), [(torch.float32, 7), (torch.float64, 16)], ids=str)
def test_float_dtype_keeps_about_seven_or_sixteen_decimal_digits(dtype, digits):
    """float32 keeps about 7 significant decimal digits and float64 about 16.

    The relative gap between neighbouring floats is `eps` (2**-23 and 2**-52), and
    `-log10(eps)` rounds to 7 and 16: the note's "about 7" and "about 16" digits. A change
    below half that gap is lost entirely: `1 + 1e-8` is 1 in float32 but not in float64,
    and `1 + 1e-17` is 1 even in float64.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html#numerical-accuracy
    """
    eps = torch.finfo(dtype).eps
    one = torch.tensor(1.0, dtype=dtype)
    lost = 10.0 ** -(digits + 1)  # below eps / 2, so 1 + lost rounds back to 1

    kept_digits = round(-math.log10(eps))

    assert kept_digits == digits
    assert lost < eps / 2
    assert (one + lost).item() == 1.0
    assert (one + 10.0 ** -(digits - 1)).item() != 1.0


def test_sum_in_another_order_agrees_only_within_a_rounding_bound():
    """Summing the same float32 values in another order agrees within `(n - 1) * eps * sum(|x|)`, not bit for bit.

    Each of the `n - 1` additions rounds with relative error at most `eps`, which bounds
    either sum's distance from the exact one (computed here in float64) by
    `(n - 1) * eps * sum(|x|)`; two orders are then at most twice that apart. This is
    the reasoning behind a tolerance for `torch.testing.assert_close`, rather than `==`.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html#numerical-accuracy
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

    A batched kernel (`torch.bmm`, or `@` on 3-d tensors) may block and order the inner
    sums differently from a single product (`torch.mm`), so PyTorch does not promise
    identical bits. Both are within the standard
    bound `k * eps * (|A[0]| @ |B[0]|)` of the exact product (inner size `k`), so they are
    within twice that of each other, element by element.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html#batched-computations-or-slice-computations
    """
    g = torch.Generator().manual_seed(0)
    A, B = torch.randn(4, 8, 16, generator=g), torch.randn(4, 16, 8, generator=g)
    k = A.shape[-1]
    bound = k * EPS32 * (A[0].abs() @ B[0].abs())

    batched, single = (A @ B)[0], A[0] @ B[0]
    bmm, mm = torch.bmm(A, B)[0], torch.mm(A[0], B[0])

    assert batched.shape == single.shape == bmm.shape == mm.shape == (8, 8)
    assert bool(((batched - single).abs() <= 2 * bound).all())
    assert bool(((bmm - mm).abs() <= 2 * bound).all())


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


def test_scaling_an_extremal_input_keeps_the_norm_finite():
    """Dividing `[1e20, 1e20]` by its largest magnitude before `norm()` and multiplying back gives a finite float32 norm.

    The note's advice for inputs near a dtype's limits: normalise them, and detect
    non-finite results with `torch.isfinite`. After scaling, the squares are about 1, far
    from overflow, and the result matches the float64 norm to float32 rounding. The
    unscaled norm is `inf`, which `isfinite` reports.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html#extremal-values
    """
    a = torch.tensor([1e20, 1e20])
    scale = a.abs().max()

    unscaled = a.norm()
    scaled = (a / scale).norm() * scale

    assert torch.isfinite(unscaled).item() is False
    assert torch.isfinite(scaled).item() is True
    torch.testing.assert_close(scaled.double(), a.double().norm(), rtol=4 * EPS32, atol=0)


def hilbert(n):
    """The n-by-n Hilbert matrix `1 / (i + j + 1)`, a classic ill-conditioned matrix."""
    i = torch.arange(n, dtype=torch.float64)
    return 1 / (i[:, None] + i[None, :] + 1)


@pytest.mark.shows("hilbert")
def test_ill_conditioned_solve_is_silently_wrong_in_float32():
    """`torch.linalg.solve` on an ill-conditioned matrix raises nothing, yet in float32 its answer is wrong in every digit.

    The 8-by-8 Hilbert matrix has condition number about 1.5e10, far above
    `1 / eps` of float32 (about 8.4e6): float32 rounding alone can change the solution
    completely, and no error or warning says so. The same system in float64 (`1 / eps`
    about 4.5e15) is solved to within the bound `cond * eps`. `torch.linalg.cond` and
    `torch.linalg.svdvals` (a smallest singular value near 1e-9) reveal the problem
    before you trust the result.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html#extremal-values-in-linalg
    """
    A = hilbert(8).float().double()  # the float32 matrix, held exactly in float64
    x_true = torch.ones(8, dtype=torch.float64)
    b = A @ x_true
    cond = torch.linalg.cond(A).item()

    x32 = torch.linalg.solve(A.float(), b.float())
    x64 = torch.linalg.solve(A, b)

    def relative_error(x):
        return ((x.double() - x_true).norm() / x_true.norm()).item()

    assert cond > 1e9 > 1 / torch.finfo(torch.float32).eps
    assert torch.linalg.svdvals(A)[-1].item() < 1e-8
    assert torch.isfinite(x32).all().item()
    assert relative_error(x32) > 1e-2
    assert relative_error(x64) < cond * torch.finfo(torch.float64).eps


def test_eigh_gradient_is_not_finite_for_repeated_eigenvalues():
    """Backpropagating through `torch.linalg.eigh` eigenvectors of a matrix with a repeated eigenvalue gives a non-finite gradient.

    The gradient of eigenvectors divides by differences of eigenvalues. For the identity
    both eigenvalues are 1, the differences are 0, and the gradient is no longer finite;
    for `diag(1, 2)` the same loss has a finite gradient. `svd` behaves alike for
    repeated singular values. Check the spectrum (`torch.linalg.svdvals`,
    `torch.linalg.eigvalsh`) when such gradients turn up.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html#extremal-values-in-linalg
    """
    repeated = torch.eye(2, dtype=torch.float64, requires_grad=True)
    distinct = torch.diag(torch.tensor([1.0, 2.0], dtype=torch.float64)).requires_grad_()

    torch.linalg.eigh(repeated).eigenvectors.sum().backward()
    torch.linalg.eigh(distinct).eigenvectors.sum().backward()

    assert torch.linalg.eigvalsh(repeated).tolist() == [1.0, 1.0]
    assert not torch.isfinite(repeated.grad).all().item()
    assert torch.isfinite(distinct.grad).all().item()


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


@pytest.mark.parametrize(("precision", "tf32"), [("highest", False), ("high", True), ("medium", True)])
def test_float32_matmul_precision_below_highest_allows_tf32_for_matmuls_only(precision, tf32):
    """`torch.set_float32_matmul_precision` below "highest" lets float32 matmuls use TF32; convolutions keep their own flag.

    TF32 reads only 10 bits of each float32 mantissa, so by default it is off for
    matrix products and on for cuDNN convolutions. The precision setting is the way to
    opt in for matmuls without naming a backend: "high" and "medium" turn
    `torch.backends.cuda.matmul.allow_tf32` on, while `torch.backends.cudnn.allow_tf32`
    stays True whatever the matmul precision. The flags can be read on any build; their
    effect needs an Ampere or later GPU. Process-wide, so restored in a `finally`.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html#tensorfloat-32-tf32-on-nvidia-ampere-and-later-devices
    """
    default = torch.get_float32_matmul_precision()

    torch.set_float32_matmul_precision(precision)
    try:
        read_back = torch.get_float32_matmul_precision()
        matmul_tf32 = torch.backends.cuda.matmul.allow_tf32
        cudnn_tf32 = torch.backends.cudnn.allow_tf32
    finally:
        torch.set_float32_matmul_precision(default)

    assert default == "highest"
    assert read_back == precision
    assert matmul_tf32 is tf32
    assert cudnn_tf32 is True


@pytest.mark.parametrize("half", ["fp16", "bf16"])
def test_reduced_precision_reductions_can_be_turned_off(half):
    """`allow_fp16_reduced_precision_reduction` and its bf16 twin default to True and read False once turned off.

    Half-precision GEMMs normally accumulate in float32; with these flags True, cuBLAS
    may truncate some partial sums to the half type, which can overflow to `inf` where
    the true result fits. Setting a flag to False forbids that. The flags are
    process-wide, so the test restores them in a `finally`.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html#reduced-precision-reduction-for-fp16-and-bf16-gemms
    """
    name = f"allow_{half}_reduced_precision_reduction"
    matmul = torch.backends.cuda.matmul
    default = getattr(matmul, name)

    setattr(matmul, name, False)
    try:
        turned_off = getattr(matmul, name)
    finally:
        setattr(matmul, name, default)

    assert default is True
    assert turned_off is False
    assert getattr(matmul, name) is True


@pytest.mark.torch_version(">=2.6")
def test_sdpa_math_backend_computes_half_inputs_in_float32_unless_allowed_otherwise():
    """The math backend of scaled dot-product attention computes bfloat16 inputs in float32, unless reduced precision is allowed.

    `torch.backends.cuda.fp16_bf16_reduction_math_sdp_allowed()` is False by default: the
    math backend upcasts the inputs, computes in float32 and casts the result back, so
    its output is bit for bit the float32 attention rounded to bfloat16.
    `allow_fp16_bf16_reduction_math_sdp(True)` (despite the `cuda` in its name, it also
    governs the CPU math backend) computes in bfloat16 instead, and the result differs in
    the last bits. The switch arrived with
    [PR 135964](https://github.com/pytorch/pytorch/pull/135964); it is process-wide, so
    the test restores it.

    Docs: https://docs.pytorch.org/docs/stable/notes/numerical_accuracy.html#reduced-precision-reduction-for-fp16-and-bf16-in-scaled-dot-product-attention-sdpa
    """
    from torch.nn.attention import SDPBackend, sdpa_kernel

    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(1, 2, 16, 8, generator=g) for _ in range(3))
    qh, kh, vh = q.bfloat16(), k.bfloat16(), v.bfloat16()
    attention = torch.nn.functional.scaled_dot_product_attention
    default = torch.backends.cuda.fp16_bf16_reduction_math_sdp_allowed()

    with sdpa_kernel(SDPBackend.MATH):
        upcast = attention(qh.float(), kh.float(), vh.float()).bfloat16()
        out = attention(qh, kh, vh)
        torch.backends.cuda.allow_fp16_bf16_reduction_math_sdp(True)
        try:
            allowed = torch.backends.cuda.fp16_bf16_reduction_math_sdp_allowed()
            reduced = attention(qh, kh, vh)
        finally:
            torch.backends.cuda.allow_fp16_bf16_reduction_math_sdp(default)

    assert default is False
    assert allowed is True
    assert out.dtype == reduced.dtype == torch.bfloat16
    assert torch.equal(out, upcast)
    assert not torch.equal(reduced, upcast)
    assert torch.backends.cuda.fp16_bf16_reduction_math_sdp_allowed() is False
