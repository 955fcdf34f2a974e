"""Elementwise math, reductions and small linear algebra

Most math functions work element by element and keep the shape; reductions such as `sum`,
`mean`, `std` and `median` collapse one or more dimensions; a few linear-algebra
functions (`trace`, `diag`, `inverse`, `det`) act on whole matrices. The surprises are in
the details: `round` rounds half to even, `std` divides by n - 1, `median` does not
average, `mean` refuses integers, and NaN behaves differently in `max` and in `sort`.
"""

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from torchref import Figure, by_version, raises_exactly, warns_exactly


def test_abs_ceil_floor_work_element_by_element():
    """`abs`, `ceil` and `floor` act on each element alone and keep the shape.

    `floor` goes down and `ceil` goes up on the number line, so for negative numbers
    `floor(-1.5)` is -2, not -1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.floor.html
    """
    x = torch.tensor([-1.5, 0.2, 2.7])

    assert x.abs().tolist() == pytest.approx([1.5, 0.2, 2.7])
    assert x.floor().tolist() == [-2.0, 0.0, 2.0]
    assert x.ceil().tolist() == [-1.0, 1.0, 3.0]


def test_round_rounds_half_to_even():
    """`torch.round` sends a value exactly halfway to the nearest even integer.

    0.5 becomes 0 and 2.5 becomes 2, not 1 and 3 as taught at school. This "banker's
    rounding" is also what Python's `round` and `numpy.round` do; it avoids a bias
    upwards when many halves are rounded.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.round.html
    """
    x = torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5])

    assert torch.round(x).tolist() == [0.0, 2.0, 2.0, -0.0, -2.0]
    assert torch.round(x).tolist() == [round(v) for v in x.tolist()]


def test_round_accepts_a_number_of_decimals():
    """`torch.round(x, decimals=2)` rounds to two places after the point.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.round.html
    """
    x = torch.tensor([1.2345, 2.5])

    assert torch.round(x, decimals=2).tolist() == pytest.approx([1.23, 2.5])


def test_sigmoid_and_tanh_squash_each_element():
    """`sigmoid` maps each element into (0, 1) and `tanh` into (-1, 1), with `tanh(x) = 2*sigmoid(2x) - 1`.

    Both are elementwise: output `i` depends on input `i` only.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.sigmoid.html
    """
    x = torch.tensor([-2.0, 0.0, 3.0])

    s = torch.sigmoid(x)

    assert s.tolist() == pytest.approx([1 / (1 + math.exp(-v)) for v in x.tolist()])
    assert torch.allclose(torch.tanh(x), 2 * torch.sigmoid(2 * x) - 1)
    assert s[1].item() == 0.5


@pytest.mark.claim("S2-096", verdict="true")
def test_softmax_outputs_are_probabilities():
    """`softmax` gives values in [0, 1] that sum to 1 along the chosen dim.

    The note is right: `softmax(o)_i = exp(o_i) / sum_j exp(o_j)`, which is positive,
    at most 1, and sums to 1 over `j`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.softmax.html
    """
    o = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, -5.0]])

    p = F.softmax(o, dim=1)

    assert torch.allclose(p, o.exp() / o.exp().sum(dim=1, keepdim=True))
    assert ((p >= 0) & (p <= 1)).all()
    assert p.sum(dim=1).tolist() == pytest.approx([1.0, 1.0])


@pytest.mark.claim("S2-096", verdict="true")
@pytest.mark.claim("S2-012", verdict="false")
def test_softmax_is_not_elementwise():
    """Changing one input of `softmax` changes every output.

    The second note lists softmax among the elementwise operations next to `abs` and
    `sigmoid`; it is not one. Each output divides by the sum over *all* inputs, so the
    Jacobian is full, not diagonal (the same note says as much elsewhere: each output
    depends on all the `o_j`). That is why `softmax` needs a `dim` and `sigmoid` does
    not.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.softmax.html
    """
    o = torch.tensor([1.0, 2.0, 3.0])
    bumped = torch.tensor([1.0, 2.0, 4.0])

    jac = torch.autograd.functional.jacobian(lambda v: F.softmax(v, dim=0), o)

    assert (F.softmax(bumped, dim=0)[:2] < F.softmax(o, dim=0)[:2]).all()
    assert (jac != 0).all()


def test_softmax_ignores_a_constant_shift():
    """`softmax(o + c)` equals `softmax(o)`, so huge inputs do not overflow.

    `exp(1000)` is infinite in float32, but softmax subtracts the maximum before
    exponentiating, which changes nothing mathematically and keeps the numbers finite.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.softmax.html
    """
    o = torch.tensor([1.0, 2.0, 3.0])

    p = F.softmax(o + 1000.0, dim=0)

    assert torch.isinf(torch.exp(o + 1000.0)).all()
    assert torch.allclose(p, F.softmax(o, dim=0))


def test_softmax_without_dim_warns():
    """`F.softmax(x)` without `dim` guesses the dimension and warns that this is deprecated.

    For a 2-D input the guess is dim 1, but for 0-, 1- and 3-D inputs it is dim 0, which
    for a (batch, classes) tensor that grew a dimension is the batch. Always pass `dim`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.softmax.html
    """
    x = torch.zeros(3)

    with warns_exactly(UserWarning, match="Implicit dimension choice for softmax has been deprecated"):
        F.softmax(x)


@pytest.mark.claim("S2-013", verdict="true")
def test_mean_averages_floating_point_values():
    """`mean` averages all elements, or those along `dim`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.mean.html
    """
    x = torch.tensor([[1.0, 2.0], [3.0, 6.0]])

    assert x.mean().item() == 3.0
    assert x.mean(dim=0).tolist() == [2.0, 4.0]


def test_mean_of_an_integer_tensor_raises():
    """`mean` of an integer tensor raises: it needs a floating-point (or complex) input.

    The mean of integers is usually not an integer, and PyTorch will not guess the
    output type. Convert first with `.float()`, or pass `dtype=torch.float32`. PyTorch
    2.15 raises `NotImplementedError`, since the mean of integers is well defined but not
    implemented (https://github.com/pytorch/pytorch/pull/192351); earlier releases raise
    `RuntimeError`, its base class. The message is the same.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.mean.html
    """
    x = torch.tensor([1, 2])
    expected = by_version({"<2.15": RuntimeError, ">=2.15": NotImplementedError})

    with raises_exactly(expected, match=r"mean\(\): could not infer output dtype"):
        x.mean()
    assert x.float().mean().item() == 1.5
    assert x.mean(dtype=torch.float32).item() == 1.5


@pytest.mark.claim("S2-013", verdict="true")
def test_std_and_var_divide_by_n_minus_one_by_default():
    """`std` and `var` are the unbiased (sample) estimates: they divide by n - 1.

    For [1, 2, 3, 4] the squared deviations sum to 5, so `var` is 5/3, not 5/4. NumPy's
    `var` divides by n unless you pass `ddof=1`: the same data give different answers
    in the two libraries.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.var.html
    """
    x = torch.tensor([1.0, 2.0, 3.0, 4.0])

    assert x.var().item() == pytest.approx(5 / 3)
    assert x.std().item() == pytest.approx(math.sqrt(5 / 3))
    assert np.var(x.numpy()) == pytest.approx(5 / 4)
    assert np.var(x.numpy(), ddof=1) == pytest.approx(5 / 3)


def test_std_correction_zero_is_the_population_estimate():
    """`std(correction=0)` divides by n; `unbiased=False` is the older spelling of the same thing.

    `correction` is the number subtracted from n, like NumPy's `ddof`. Since PyTorch 2.0
    the docs describe `std` and `var` with `correction`; the boolean `unbiased` still
    works on every 2.x release.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.std.html
    """
    x = torch.tensor([1.0, 2.0, 3.0, 4.0])

    assert x.std(correction=0).item() == pytest.approx(math.sqrt(5 / 4))
    assert x.std(unbiased=False).item() == x.std(correction=0).item()
    assert x.std(correction=0).item() == pytest.approx(np.std(x.numpy()))


def test_std_of_a_single_value_is_nan():
    """The default `std` of one value is NaN, since it divides by n - 1 = 0.

    Since PyTorch 2.2 it also warns, with a UserWarning, that the degrees of freedom
    are <= 0; 2.0 and 2.1 return the NaN silently.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.std.html
    """
    x = torch.tensor([3.0])
    warns = by_version({"<2.2": False, ">=2.2": True})

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s = x.std()

    assert math.isnan(s.item())
    assert x.std(correction=0).item() == 0.0
    warned = [w for w in caught if "degrees of freedom is <= 0" in str(w.message)]
    assert any(w.category is UserWarning for w in warned) == warns


@pytest.mark.claim("S2-013", verdict="true")
def test_median_returns_the_lower_middle_value():
    """For an even number of elements `torch.median` returns the lower of the two middle values.

    NumPy's `median` (and `torch.quantile(x, 0.5)`) averages the two middle values
    instead: 2.5 for [1, 2, 3, 4], where `torch.median` gives 2. PyTorch's median is
    always an element of the input, which also makes it work for integers.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.median.html
    """
    x = torch.tensor([4.0, 1.0, 3.0, 2.0])

    assert torch.median(x).item() == 2.0
    assert np.median(x.numpy()) == 2.5
    assert torch.quantile(x, 0.5).item() == 2.5


def test_median_with_dim_returns_values_and_indices():
    """`median(dim)` returns a named tuple `(values, indices)`, like `max(dim)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.median.html
    """
    x = torch.tensor([[5, 1, 3], [2, 9, 7]])

    values, indices = x.median(dim=1)

    assert values.tolist() == [3, 7]
    assert indices.tolist() == [2, 2]


def test_reduction_with_keepdim_broadcasts_back():
    """`keepdim=True` leaves the reduced dimension with size 1, so the result broadcasts against the input.

    Without it, subtracting row means from a (2, 3) tensor would try to match shape
    (2,) against the last dimension, 3, and fail.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.sum.html
    """
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 4.0, 4.0]])

    m = x.mean(dim=1, keepdim=True)

    assert m.shape == (2, 1)
    assert (x - m).tolist() == [[-1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
    assert x.mean(dim=1).shape == (2,)
    with raises_exactly(RuntimeError, match=r"The size of tensor a \(3\) must match the size of tensor b \(2\)"):
        x - x.mean(dim=1)


def test_sum_accepts_a_tuple_of_dims():
    """`sum(dim=(0, 2))` reduces several dimensions in one call.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.sum.html
    """
    x = torch.ones(2, 3, 4)

    assert x.sum(dim=(0, 2)).tolist() == [8.0, 8.0, 8.0]


@pytest.mark.claim("S2-014", verdict="true")
def test_arithmetic_operators_work_elementwise():
    """`+ - * / // %` work element by element; `/` always gives floats, `//` and `%` follow Python.

    The note's list is right. `//` rounds towards minus infinity and `%` takes the sign
    of the divisor, exactly as Python's own operators do (-7 // 2 is -4, -7 % 2 is 1).
    `torch.fmod` is the C-style remainder that takes the sign of the dividend.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.floor_divide.html
    """
    a = torch.tensor([7, -7])
    b = torch.tensor([2, 2])

    assert (a + b).tolist() == [9, -5]
    assert (a - b).tolist() == [5, -9]
    assert (a * b).tolist() == [14, -14]
    assert (a / b).tolist() == [3.5, -3.5]
    assert (a // b).tolist() == [7 // 2, -7 // 2] == [3, -4]
    assert (a % b).tolist() == [7 % 2, -7 % 2] == [1, 1]
    assert torch.fmod(a, b).tolist() == [1, -1]


def test_sqrt_of_a_negative_number_is_nan():
    """`sqrt(-1.0)` returns NaN; it raises no error.

    NaNs spread silently through later arithmetic, so a NaN loss often starts here (or
    in `log` of 0). Use a complex tensor if you want the imaginary answer.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.sqrt.html
    """
    x = torch.tensor([4.0, -1.0])

    r = torch.sqrt(x)

    assert r[0].item() == 2.0
    assert math.isnan(r[1].item())
    assert torch.sqrt(torch.tensor(-1 + 0j)).item() == 1j


@pytest.mark.claim("S2-014", verdict="true")
def test_prod_exp_pow_compute_as_expected():
    """`prod` multiplies all elements, `exp` exponentiates each and `pow` raises each to a power.

    The product of an empty tensor is 1, the neutral element of multiplication, just as
    an empty sum is 0.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.prod.html
    """
    x = torch.tensor([1.0, 2.0, 3.0])

    assert x.prod().item() == 6.0
    assert x.exp().tolist() == pytest.approx([math.e, math.e**2, math.e**3])
    assert x.pow(2).tolist() == [1.0, 4.0, 9.0]
    assert (x**2).tolist() == x.pow(2).tolist()
    assert torch.tensor([]).prod().item() == 1.0


def test_integer_pow_with_a_negative_exponent_raises():
    """An integer tensor raised to a negative integer power raises.

    2 ** -1 is 0.5, which an integer tensor cannot hold, and PyTorch will not round it
    to 0 silently. Use a float tensor or a float exponent.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.pow.html
    """
    x = torch.tensor([2])

    with raises_exactly(RuntimeError, match="Integers to negative integer powers are not allowed"):
        x**-1
    assert (x**-1.0).tolist() == [0.5]


def test_linalg_norm_is_the_euclidean_length():
    """`torch.linalg.norm` of a vector is its Euclidean length; of a matrix, the Frobenius norm.

    Both are the square root of the sum of squares. `torch.norm` gives the same numbers
    but is deprecated in favour of `torch.linalg.norm`, `vector_norm` and `matrix_norm`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.linalg.norm.html
    """
    v = torch.tensor([3.0, 4.0])
    m = torch.tensor([[1.0, 2.0], [2.0, 4.0]])

    assert torch.linalg.norm(v).item() == 5.0
    assert torch.linalg.norm(m).item() == 5.0
    assert torch.norm(v).item() == 5.0


def test_linalg_norm_ord_means_a_matrix_norm_on_2d_input():
    """With `ord=1` a 2-D input gets the matrix 1-norm (largest column sum), not the sum of absolute values.

    For [[1, -2], [3, 4]] the column sums of absolute values are 4 and 6, so the answer
    is 6, while the vector 1-norm of all elements is 10. Use
    `torch.linalg.vector_norm` to treat the matrix as a list of numbers.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.linalg.norm.html
    """
    m = torch.tensor([[1.0, -2.0], [3.0, 4.0]])

    assert torch.linalg.norm(m, ord=1).item() == 6.0
    assert torch.linalg.vector_norm(m, ord=1).item() == 10.0


def test_max_propagates_nan():
    """`max` returns NaN when any element is NaN, and `argmax` points at the NaN.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.max.html
    """
    x = torch.tensor([1.0, float("nan"), 3.0])

    assert math.isnan(x.max().item())
    assert x.argmax().item() == 1


def test_sort_puts_nan_last():
    """`sort` treats NaN as larger than every number and puts it at the end.

    So NaN does not "win" in `sort` the way it does in `max`: it comes last in
    ascending order and first in descending order.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.sort.html
    """
    x = torch.tensor([3.0, float("nan"), 1.0])

    values, indices = x.sort()

    assert values[:2].tolist() == [1.0, 3.0]
    assert math.isnan(values[2].item())
    assert indices.tolist() == [2, 0, 1]
    assert math.isnan(x.sort(descending=True).values[0].item())


@pytest.mark.claim("S2-015", verdict="false")
def test_trace_sums_the_diagonal():
    """`torch.trace` sums the main diagonal of a 2-D matrix.

    The note lists the linear-algebra functions as "trance, diag, t, inverse, det".
    There is no `torch.trance`: the note means `trace`. The other four names are right
    and are shown below. `trace` accepts matrices only; for a batch use
    `diagonal(dim1=-2, dim2=-1).sum(-1)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.trace.html
    """
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])

    assert torch.trace(a).item() == 5.0
    assert not hasattr(torch, "trance")
    with raises_exactly(RuntimeError, match="trace: expected a matrix"):
        torch.trace(torch.ones(2, 2, 2))


def test_diag_builds_a_matrix_or_extracts_a_diagonal():
    """`torch.diag` of a vector builds a diagonal matrix; of a matrix, it returns the diagonal.

    One function, two opposite jobs depending on the input's dimensions. `diag_embed`
    and `diagonal` do each job explicitly and also work on batches.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.diag.html
    """
    v = torch.tensor([1, 2])
    a = torch.tensor([[1, 2], [3, 4]])

    assert torch.diag(v).tolist() == [[1, 0], [0, 2]]
    assert torch.diag(a).tolist() == [1, 4]
    assert torch.equal(torch.diag_embed(v), torch.diag(v))
    assert torch.equal(a.diagonal(), torch.diag(a))
    assert torch.diag_embed(torch.stack([v, v])).shape == (2, 2, 2)
    assert torch.stack([a, a]).diagonal(dim1=-2, dim2=-1).tolist() == [[1, 4], [1, 4]]


def test_inverse_times_the_matrix_is_the_identity():
    """`torch.inverse(a)` (the same as `torch.linalg.inv`) satisfies `a @ inv == I`.

    To solve `a @ x = b`, `torch.linalg.solve(a, b)` is faster and more accurate than
    multiplying by the inverse.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.inverse.html
    """
    a = torch.tensor([[4.0, 7.0], [2.0, 6.0]])

    inv = torch.inverse(a)

    assert torch.equal(inv, torch.linalg.inv(a))
    assert torch.allclose(a @ inv, torch.eye(2), atol=1e-6)
    assert torch.allclose(inv, torch.tensor([[6.0, -7.0], [-2.0, 4.0]]) / 10)


def test_inverse_of_a_singular_matrix_raises():
    """Inverting a singular matrix raises `torch.linalg.LinAlgError`, a kind of RuntimeError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.inverse.html
    """
    a = torch.tensor([[1.0, 2.0], [2.0, 4.0]])

    with raises_exactly(torch.linalg.LinAlgError, match="singular"):
        torch.inverse(a)
    assert issubclass(torch.linalg.LinAlgError, RuntimeError)


def test_det_of_a_2x2_matrix_is_ad_minus_bc():
    """`torch.det` of [[a, b], [c, d]] is `a*d - b*c`; a singular matrix has determinant 0.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.det.html
    """
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    singular = torch.tensor([[1.0, 2.0], [2.0, 4.0]])

    assert torch.det(a).item() == pytest.approx(1.0 * 4.0 - 2.0 * 3.0)
    assert torch.det(singular).item() == 0.0


@pytest.mark.torch_version("<2.14")
def test_torch_qr_and_cholesky_warn_that_they_are_deprecated_before_2_14():
    """Before PyTorch 2.14, `torch.qr` and `torch.cholesky` still work but warn that `torch.linalg` replaces them.

    Both have been deprecated since 1.9. They give the same factors as
    `torch.linalg.qr` and `torch.linalg.cholesky`, which are the spellings to use. The
    warning comes once per process; the test asks for warnings every time
    (`torch._C._set_warnAlways`) so that it sees them whatever ran before.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.linalg.qr.html
    """
    a = torch.tensor([[4.0, 2.0], [2.0, 3.0]])
    warn_always = torch._C._get_warnAlways()
    torch._C._set_warnAlways(True)
    try:
        with warns_exactly(UserWarning, match=r"torch\.qr is deprecated in favor of torch\.linalg\.qr"):
            q, r = torch.qr(a)
        with warns_exactly(UserWarning, match=r"torch\.cholesky is deprecated in favor of torch\.linalg\.cholesky"):
            lower = torch.cholesky(a)
    finally:
        torch._C._set_warnAlways(warn_always)

    assert torch.allclose(q @ r, a)
    assert torch.allclose(lower, torch.linalg.cholesky(a))


@pytest.mark.torch_version(">=2.14")
def test_torch_qr_and_cholesky_are_removed_since_2_14():
    """Since PyTorch 2.14, `torch.qr` and `torch.cholesky` raise and point to `torch.linalg.qr` and `torch.linalg.cholesky`.

    After five years of deprecation warnings, 2.14 removed them
    (https://github.com/pytorch/pytorch/pull/186815,
    https://github.com/pytorch/pytorch/pull/186817); the names remain only to raise
    an error that says what to call instead. `torch.linalg.qr(a)` returns `Q, R` with
    `Q @ R == a`, and `torch.linalg.cholesky(a)` the lower factor `L` with
    `L @ L.mT == a`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.linalg.qr.html
    """
    a = torch.tensor([[4.0, 2.0], [2.0, 3.0]])

    with raises_exactly(RuntimeError, match=r"is now removed\. `torch\.qr` is deprecated in favor of `torch\.linalg\.qr`"):
        torch.qr(a)
    with raises_exactly(RuntimeError, match=r"is now removed\. `torch\.cholesky` is deprecated in favor of `torch\.linalg\.cholesky`"):
        torch.cholesky(a)
    q, r = torch.linalg.qr(a)
    lower = torch.linalg.cholesky(a)
    assert torch.allclose(q @ r, a)
    assert torch.allclose(lower @ lower.mT, a)


def _exponential_sample():
    return torch.empty(2000).exponential_(generator=torch.Generator().manual_seed(0))


def standardised_figure():
    x = _exponential_sample()
    z = (x - x.mean()) / x.std(correction=0)
    lo, hi, bins = -1.5, 6.0, 30
    width = (hi - lo) / bins
    centres = [lo + width * (k + 0.5) for k in range(bins)]
    density = (torch.histc(z, bins=bins, min=lo, max=hi) / (len(z) * width)).tolist()
    normal = [math.exp(-c * c / 2) / math.sqrt(2 * math.pi) for c in centres]
    return Figure(
        title="Standardised exponential sample vs standard normal",
        xlabel="z = (x - mean) / std",
        ylabel="density",
        series={"standardised sample": (centres, density), "standard normal": (centres, normal)},
    )


@pytest.mark.claim("S2-054", verdict="true")
@pytest.mark.figure("standardised_figure")
def test_standardising_keeps_the_shape_of_the_distribution():
    """Standardising gives mean 0 and standard deviation 1 but leaves the distribution's shape alone.

    The note is right: `(x - mean) / std` only shifts and rescales, so a skewed sample
    stays exactly as skewed, and the result is normal only if the data were. The
    skewness of `x` (its third central moment over the cube of its standard deviation)
    is the plain third moment of `z`. An exponential distribution has skewness 2, a
    normal one 0, and 2,000 exponential samples keep about 2 after standardising: the
    sampling error of a skewness at this size is about 0.2, so 0.5 is a wide margin.
    Since no sample is below 0, no standardised value is below `-mean / std`, about -1,
    where a standard normal still has 16% of its mass.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.std.html
    """
    x = _exponential_sample()

    z = (x - x.mean()) / x.std(correction=0)
    fig = standardised_figure()

    centred = x - x.mean()
    skew_of_x = (centred**3).mean() / (centred**2).mean() ** 1.5
    skew_of_z = (z**3).mean()
    lowest_possible_z = -x.mean() / x.std(correction=0)
    assert z.mean().item() == pytest.approx(0.0, abs=1e-5)
    assert z.std(correction=0).item() == pytest.approx(1.0)
    assert skew_of_z.item() == pytest.approx(skew_of_x.item(), rel=1e-4)  # float32 sums of 2,000 terms
    assert abs(skew_of_z.item() - 2.0) < 0.5
    assert z.min() >= lowest_possible_z
    assert lowest_possible_z.item() == pytest.approx(-1.0, abs=0.05)
    assert 0.5 * math.erfc(1 / math.sqrt(2)) == pytest.approx(0.16, abs=0.005)
    centres, density = fig.series["standardised sample"]
    _, normal = fig.series["standard normal"]
    assert all(d == 0.0 and n > 0.1 for c, d, n in zip(centres, density, normal) if c < -1.1)
