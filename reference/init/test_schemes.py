"""Xavier, Kaiming and the other init schemes

Each scheme fills a weight from a distribution whose width comes from the gain and the
fans. Bounds are checked exactly; moments and shapes are checked statistically on a seeded
(64, 256) weight, n = 16,384 samples, with a tolerance of 5 standard errors derived from
n: the mean of n samples has standard error σ/√n, the standard deviation of normal samples
σ/√(2n) (of uniform samples about 0.45σ/√n), and a histogram bin that should hold a
fraction p of the samples has standard error √(np(1-p)). A seeded draw that missed by
5 standard errors would point to a wrong formula, not to bad luck.
"""

import math

import pytest
import torch
from torch import nn

from torchref import Figure, raises_exactly, warns_exactly

FAN_OUT, FAN_IN = 64, 256
N = FAN_OUT * FAN_IN


def sample(init, *args, **kwargs):
    """A (64, 256) weight filled by `init`, from seed 0."""
    torch.manual_seed(0)
    return init(torch.empty(FAN_OUT, FAN_IN), *args, **kwargs)


def histogram(label, weight, lo, hi, bins=16):
    counts = torch.histc(weight, bins=bins, min=lo, max=hi)
    width = (hi - lo) / bins
    centres = [lo + width * (i + 0.5) for i in range(bins)]
    return Figure(label, "weight value", "count", {label: (centres, counts.tolist())}, kind="bars")


def normal_bin_counts(std, lo, hi, bins=16):
    """Expected counts of N samples from N(0, std²) in each of `bins` equal bins on [lo, hi]."""
    edges = [lo + (hi - lo) * i / bins for i in range(bins + 1)]
    cdf = [0.5 * (1 + math.erf(e / (std * math.sqrt(2)))) for e in edges]
    return [N * (cdf[i + 1] - cdf[i]) for i in range(bins)]


def assert_counts_near(counts, expected):
    """Each count within 5 binomial standard errors of its expectation (plus 1: counts are whole)."""
    for got, want in zip(counts, expected):
        assert abs(got - want) <= 5 * math.sqrt(want * (1 - want / N)) + 1


XAVIER_BOUND = math.sqrt(6 / (FAN_IN + FAN_OUT))
XAVIER_STD = math.sqrt(2 / (FAN_IN + FAN_OUT))
KAIMING_BOUND = math.sqrt(2) * math.sqrt(3 / FAN_IN)
KAIMING_STD = math.sqrt(2) / math.sqrt(FAN_IN)


def xavier_uniform_figure():
    return histogram("xavier_uniform_", sample(nn.init.xavier_uniform_), -XAVIER_BOUND, XAVIER_BOUND)


def xavier_normal_figure():
    return histogram("xavier_normal_", sample(nn.init.xavier_normal_), -4 * XAVIER_STD, 4 * XAVIER_STD)


def kaiming_uniform_figure():
    return histogram("kaiming_uniform_", sample(nn.init.kaiming_uniform_), -KAIMING_BOUND, KAIMING_BOUND)


def kaiming_normal_figure():
    return histogram("kaiming_normal_", sample(nn.init.kaiming_normal_), -4 * KAIMING_STD, 4 * KAIMING_STD)


def trunc_normal_figure():
    return histogram("trunc_normal_(std=1)", sample(nn.init.trunc_normal_), -2.5, 2.5, bins=20)


def test_uniform_defaults_to_zero_one_and_scales_to_a_b():
    """`uniform_(w)` draws from U(0, 1); `uniform_(w, a, b)` stretches the same draws onto [a, b].

    The defaults are `a=0.0, b=1.0`. Every sample lies in [0, 1], the largest within
    0.1% of 1 (missing has probability 0.999^16384 ≈ 10⁻⁷), and the mean is 1/2 to within
    5 standard errors of a U(0, 1) sample (σ = 1/√12). From the same seed `uniform_(w, -3, 5)`
    is `-3 + 8 u` for the same draws u.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.uniform_
    """
    u = sample(nn.init.uniform_)
    stretched = sample(nn.init.uniform_, -3.0, 5.0)

    assert u.min().item() >= 0.0
    assert 0.999 < u.max().item() <= 1.0
    assert abs(u.mean().item() - 0.5) <= 5 * math.sqrt(1 / 12) / math.sqrt(N)
    torch.testing.assert_close(stretched, -3.0 + 8.0 * u)


def test_normal_defaults_to_the_standard_normal_and_shifts_by_mean_and_std():
    """`normal_(w)` draws from N(0, 1); `normal_(w, mean, std)` is `mean + std · z` for the same draws z.

    The defaults are `mean=0.0, std=1.0`: the sample mean is 0 to within 5 standard errors
    (1/√n) and the sample standard deviation 1 to within 5 standard errors (1/√(2n)).

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.normal_
    """
    z = sample(nn.init.normal_)
    shifted = sample(nn.init.normal_, 3.0, 2.0)

    assert abs(z.mean().item()) <= 5 / math.sqrt(N)
    assert abs(z.std().item() - 1.0) <= 5 / math.sqrt(2 * N)
    torch.testing.assert_close(shifted, 3.0 + 2.0 * z)


@pytest.mark.claim("S2-059", verdict="true")
@pytest.mark.figure("xavier_uniform_figure")
def test_xavier_uniform_samples_within_gain_times_sqrt_6_over_fan_sum():
    """`xavier_uniform_` draws from U(-a, a) with a = gain · sqrt(6 / (fan_in + fan_out)).

    The note's formula is right. A uniform distribution on (-a, a) has variance a²/3, so
    this bound gives the Glorot variance 2 / (fan_in + fan_out). No sample may pass the
    bound; with 16,384 samples the largest one comes within 0.1% of it (missing by more
    has probability 0.999^16384 ≈ 10⁻⁷), and the histogram is flat: each of 16 bins holds
    n/16 = 1024 samples to within 5 standard errors (√(1024 · 15/16) ≈ 31).

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.xavier_uniform_
    """
    bound = 1.0 * math.sqrt(6 / (FAN_IN + FAN_OUT))

    w = sample(nn.init.xavier_uniform_)
    fig = xavier_uniform_figure()

    assert w.abs().max().item() <= bound
    assert w.abs().max().item() > 0.999 * bound
    (_, counts), = fig.series.values()
    assert sum(counts) == N
    assert_counts_near(counts, [N / 16] * 16)


def test_xavier_uniform_gain_scales_the_bound():
    """`gain=g` multiplies the xavier_uniform_ bound by g, so the same seed gives g times the weights.

    The gain is a plain factor in front of the bound, and `uniform_(-a, a)` is
    `a · (2u - 1)` for the same underlying draws u.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.xavier_uniform_
    """
    gain = nn.init.calculate_gain("tanh")

    plain = sample(nn.init.xavier_uniform_)
    scaled = sample(nn.init.xavier_uniform_, gain=gain)

    torch.testing.assert_close(scaled, gain * plain)


@pytest.mark.claim("S2-060", verdict="true")
@pytest.mark.figure("xavier_normal_figure")
def test_xavier_normal_std_is_gain_times_sqrt_2_over_fan_sum():
    """`xavier_normal_` draws from N(0, std²) with std = gain · sqrt(2 / (fan_in + fan_out)).

    The note is right. The sample standard deviation of 16,384 normal draws has standard
    error std/√(2n) ≈ 0.55% of std, so 5 standard errors allow 2.8%; the mean has standard
    error std/√n. The histogram over ±4 std matches the normal curve bin by bin.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.xavier_normal_
    """
    std = 1.0 * math.sqrt(2 / (FAN_IN + FAN_OUT))

    w = sample(nn.init.xavier_normal_)
    fig = xavier_normal_figure()

    assert abs(w.std().item() - std) <= 5 * std / math.sqrt(2 * N)
    assert abs(w.mean().item()) <= 5 * std / math.sqrt(N)
    (_, counts), = fig.series.values()
    assert_counts_near(counts, normal_bin_counts(std, -4 * std, 4 * std))


def test_xavier_normal_gain_scales_the_std():
    """`xavier_normal_(w, gain=g)` gives g times the weights of `gain=1` from the same seed.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.xavier_normal_
    """
    gain = nn.init.calculate_gain("tanh")

    plain = sample(nn.init.xavier_normal_)
    scaled = sample(nn.init.xavier_normal_, gain=gain)

    torch.testing.assert_close(scaled, gain * plain)


@pytest.mark.claim("S2-061", verdict="true")
@pytest.mark.figure("kaiming_uniform_figure")
def test_kaiming_uniform_bound_is_gain_times_sqrt_3_over_fan_in():
    """`kaiming_uniform_` draws from U(-b, b) with b = gain · sqrt(3 / fan_mode).

    The note's formula is right, and so is its last form sqrt(6 / ((1 + a²) · fan_in)):
    by default `mode="fan_in"` and the gain is the leaky ReLU gain sqrt(2 / (1 + a²)).
    With the default `a = 0` the bound is sqrt(6 / fan_in). No sample passes it, the
    largest comes within 0.1%, and the histogram is flat, as for Xavier.
    The uniform sample's standard deviation is b/√3, to within 5 standard errors
    (about 0.45 · std/√n each for uniform samples).

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.kaiming_uniform_
    """
    bound = math.sqrt(6 / ((1 + 0**2) * FAN_IN))

    w = sample(nn.init.kaiming_uniform_)
    fig = kaiming_uniform_figure()

    assert w.abs().max().item() <= bound
    assert w.abs().max().item() > 0.999 * bound
    std = bound / math.sqrt(3)
    assert abs(w.std().item() - std) <= 5 * 0.45 * std / math.sqrt(N)
    (_, counts), = fig.series.values()
    assert sum(counts) == N
    assert_counts_near(counts, [N / 16] * 16)


@pytest.mark.claim("S2-062", verdict="true")
@pytest.mark.figure("kaiming_normal_figure")
def test_kaiming_normal_std_is_gain_over_sqrt_fan_in():
    """`kaiming_normal_` draws from N(0, std²) with std = gain / sqrt(fan_mode).

    The note is right: with the defaults (`a = 0`, `mode="fan_in"`, leaky ReLU) this is
    sqrt(2 / fan_in), the He et al. variance that keeps ReLU activations from shrinking
    layer after layer. Checked to 5 standard errors, and bin by bin against the normal
    curve.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.kaiming_normal_
    """
    std = math.sqrt(2 / ((1 + 0**2) * FAN_IN))

    w = sample(nn.init.kaiming_normal_)
    fig = kaiming_normal_figure()

    assert abs(w.std().item() - std) <= 5 * std / math.sqrt(2 * N)
    assert abs(w.mean().item()) <= 5 * std / math.sqrt(N)
    (_, counts), = fig.series.values()
    assert_counts_near(counts, normal_bin_counts(std, -4 * std, 4 * std))


def test_kaiming_default_nonlinearity_is_leaky_relu_with_slope_zero():
    """Kaiming's default `nonlinearity="leaky_relu"` with `a=0` is exactly the ReLU setting.

    The default name says leaky ReLU, but the default slope `a` is 0, not LeakyReLU's
    0.01: the gain is sqrt(2), the same as for `"relu"`, so the same seed gives
    the same weights.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.kaiming_uniform_
    """
    default = sample(nn.init.kaiming_uniform_)

    relu = sample(nn.init.kaiming_uniform_, nonlinearity="relu")

    assert torch.equal(default, relu)


def test_kaiming_slope_a_lowers_the_gain():
    """With `a=1` kaiming_normal_ uses gain 1, so std = 1 / sqrt(fan_in).

    A leaky ReLU with slope 1 is the identity and loses no signal, so there is nothing
    to make up for. Drawing `normal_(0, std)` from the same seed gives the same weights.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.kaiming_normal_
    """
    std = math.sqrt(2 / (1 + 1**2)) / math.sqrt(FAN_IN)

    w = sample(nn.init.kaiming_normal_, a=1)

    torch.testing.assert_close(w, sample(nn.init.normal_, 0.0, std))


def test_kaiming_nonlinearity_picks_the_gain():
    """`nonlinearity="tanh"` makes kaiming_normal_ use tanh's gain 5/3: std = (5/3) / sqrt(fan_in).

    The `nonlinearity` argument is passed to `calculate_gain`, so any name of its table
    works; the docs recommend Kaiming only with `"relu"` or `"leaky_relu"`. From the same
    seed the weights equal `normal_(0, std)` with that std.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.kaiming_normal_
    """
    std = (5 / 3) / math.sqrt(FAN_IN)

    w = sample(nn.init.kaiming_normal_, nonlinearity="tanh")

    torch.testing.assert_close(w, sample(nn.init.normal_, 0.0, std))


def test_kaiming_mode_fan_out_uses_the_output_fan():
    """`mode="fan_out"` divides by fan_out, which preserves the gradients' scale in the backward pass.

    For a (64, 256) weight fan_out = 64 < fan_in = 256, so the bound grows by
    sqrt(256 / 64) = 2 and the same seed gives exactly twice the weights.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.kaiming_uniform_
    """
    fan_in = sample(nn.init.kaiming_uniform_, mode="fan_in")

    fan_out = sample(nn.init.kaiming_uniform_, mode="fan_out")

    torch.testing.assert_close(fan_out, 2 * fan_in)
    assert fan_out.abs().max().item() <= math.sqrt(6 / FAN_OUT)


@pytest.mark.parametrize("init", [nn.init.kaiming_uniform_, nn.init.kaiming_normal_], ids=["uniform", "normal"])
def test_kaiming_rejects_a_mode_other_than_fan_in_or_fan_out(init):
    """`mode` must be `"fan_in"` or `"fan_out"`; anything else raises a ValueError that lists both.

    There is no `"fan_avg"` (Xavier is the scheme that averages the two fans).

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.kaiming_uniform_
    """
    w = torch.empty(3, 4)

    with raises_exactly(ValueError, match=r"Mode fan_avg not supported, please use one of \['fan_in', 'fan_out'\]"):
        init(w, mode="fan_avg")


def test_kaiming_slope_a_is_ignored_unless_nonlinearity_is_leaky_relu():
    """`a` is only used with `nonlinearity="leaky_relu"`: with `"relu"`, `a=5` changes nothing.

    `a` is the negative slope of the rectifier, handed to `calculate_gain` as its
    `param`, and only the leaky ReLU gain reads it. From the same seed the weights are
    identical with and without it.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.kaiming_normal_
    """
    plain = sample(nn.init.kaiming_normal_, nonlinearity="relu")

    with_slope = sample(nn.init.kaiming_normal_, a=5, nonlinearity="relu")

    assert torch.equal(with_slope, plain)


def test_kaiming_fans_assume_the_weight_is_used_transposed():
    """The fans assume `x @ w.T`; for a weight used as `x @ w`, initialise `w.T`, a view that fills `w`.

    `nn.Linear` stores its weight as (fan_out, fan_in) and computes `x @ w.T`, so
    `fan_in` is `size(1)`. A hand-made weight of shape (fan_in, fan_out) = (256, 64),
    used as `x @ w`, would get the fans swapped: `kaiming_uniform_(w)` takes fan_in = 64
    and its values pass the right bound sqrt(6 / 256). Passing `w.T` gives the right
    fans, and since the transpose is a view, the values land in `w` itself: no
    sample passes sqrt(6 / 256), and the largest comes within 0.1% of it.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.kaiming_uniform_
    """
    bound = math.sqrt(6 / FAN_IN)
    w = torch.empty(FAN_IN, FAN_OUT)
    torch.manual_seed(0)
    swapped = nn.init.kaiming_uniform_(torch.empty(FAN_IN, FAN_OUT))

    torch.manual_seed(0)
    out = nn.init.kaiming_uniform_(w.T)

    assert out.untyped_storage().data_ptr() == w.untyped_storage().data_ptr()
    assert torch.equal(out.T, w)
    assert bound * 0.999 < w.abs().max().item() <= bound
    assert swapped.abs().max().item() > bound


@pytest.mark.figure("trunc_normal_figure")
def test_trunc_normal_stays_within_a_and_b():
    """`trunc_normal_` redraws N(mean, std²) inside [a, b], which default to -2 and 2.

    The samples are normal but cut off: every one lies in [-2, 2], and the histogram has
    no bars beyond them. Cutting at ±2 std removes the 4.6% of the mass in the tails,
    so the standard deviation drops to sqrt(1 - 4φ(2) / P(|z| < 2)) ≈ 0.88, checked to
    5 standard errors of a normal sample (the truncated one varies less).

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.trunc_normal_
    """
    w = sample(nn.init.trunc_normal_)
    fig = trunc_normal_figure()

    assert w.min().item() >= -2.0
    assert w.max().item() <= 2.0
    density_at_2, mass_inside = math.exp(-2) / math.sqrt(2 * math.pi), math.erf(2 / math.sqrt(2))
    std = math.sqrt(1 - 4 * density_at_2 / mass_inside)
    assert abs(w.std().item() - std) <= 5 * std / math.sqrt(2 * N)
    (centres, counts), = fig.series.values()
    assert [c for x, c in zip(centres, counts) if abs(x) > 2] == [0.0, 0.0, 0.0, 0.0]
    assert sum(counts) == N


def test_trunc_normal_mean_and_std_place_the_distribution():
    """`trunc_normal_(w, mean, std, a, b)` draws N(mean, std²) cut to [a, b]; a cut symmetric about the mean keeps the mean.

    With `mean=1, std=0.5, a=0, b=2` the cut sits two standard deviations either side of 1,
    so the values lie in [0, 2], average 1 to within 5 standard errors (std/√n), and have
    the same shrunken spread as the standard case: 0.5 × 0.88.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.trunc_normal_
    """
    w = sample(nn.init.trunc_normal_, mean=1.0, std=0.5, a=0.0, b=2.0)

    standard = sample(nn.init.trunc_normal_)

    assert 0.0 <= w.min().item() and w.max().item() <= 2.0
    assert abs(w.mean().item() - 1.0) <= 5 * 0.5 / math.sqrt(N)
    torch.testing.assert_close(w, 1.0 + 0.5 * standard)


def test_trunc_normal_warns_when_the_mean_is_far_from_the_interval():
    """`trunc_normal_` warns when `mean` lies more than 2 std outside [a, b], and still keeps every value in [a, b].

    The docs say the method works best when a ≤ mean ≤ b. With `mean=5, std=1` and the
    default cut [-2, 2], the interval holds only the far left tail of the distribution;
    the function warns that the distribution of values may be incorrect, but the bounds
    still hold.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.trunc_normal_
    """
    torch.manual_seed(0)
    w = torch.empty(4, 6)

    with warns_exactly(UserWarning, match=r"mean is more than 2 std from \[a, b\] in nn\.init\.trunc_normal_"):
        nn.init.trunc_normal_(w, mean=5.0, std=1.0)

    assert w.min().item() >= -2.0
    assert w.max().item() <= 2.0


def test_trunc_normal_bounds_are_values_not_standard_deviations():
    """`a` and `b` are absolute values: with std=10 the default bounds still clip at ±2.

    A common slip is to read `a=-2, b=2` as "two standard deviations". They are not: a
    wide `std` with the default bounds gives values that are nearly uniform on [-2, 2].
    Pass `a=-2 * std, b=2 * std` for a cut at two standard deviations.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.trunc_normal_
    """
    clipped = sample(nn.init.trunc_normal_, std=10.0)

    scaled = sample(nn.init.trunc_normal_, std=10.0, a=-20.0, b=20.0)

    assert clipped.abs().max().item() <= 2.0
    assert scaled.abs().max().item() > 2.0


def test_orthogonal_rows_are_orthonormal():
    """`orthogonal_` on a wide (3, 5) matrix gives W Wᵀ = I; on a tall (5, 3) one Wᵀ W = I.

    The weight is taken from the QR decomposition of a normal matrix: the smaller side
    gets orthonormal vectors. An orthogonal matrix keeps the length of every vector it
    maps, so it neither explodes nor shrinks a signal.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.orthogonal_
    """
    torch.manual_seed(0)

    wide = nn.init.orthogonal_(torch.empty(3, 5))
    tall = nn.init.orthogonal_(torch.empty(5, 3))

    torch.testing.assert_close(wide @ wide.T, torch.eye(3))
    torch.testing.assert_close(tall.T @ tall, torch.eye(3))


def test_orthogonal_flattens_trailing_dimensions():
    """On a tensor with more than 2 dimensions, `orthogonal_` makes the rows of its (size(0), rest) view orthonormal.

    The trailing dimensions are flattened, so a (3, 2, 2) conv-like weight is treated as a
    (3, 4) matrix: its three rows of 4 values are orthonormal.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.orthogonal_
    """
    torch.manual_seed(0)

    w = nn.init.orthogonal_(torch.empty(3, 2, 2))

    rows = w.reshape(3, 4)
    torch.testing.assert_close(rows @ rows.T, torch.eye(3))


def test_orthogonal_gain_scales_the_matrix():
    """`orthogonal_(w, gain=g)` gives W Wᵀ = g² I.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.orthogonal_
    """
    torch.manual_seed(0)

    w = nn.init.orthogonal_(torch.empty(3, 5), gain=2.0)

    torch.testing.assert_close(w @ w.T, 4.0 * torch.eye(3))


def test_orthogonal_keeps_the_length_of_every_vector():
    """A tall orthogonal weight with orthonormal columns maps every vector to one of the same length.

    That is the property that makes orthogonal initialisation attractive for deep and
    recurrent networks: a signal passed through it neither explodes nor shrinks.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.orthogonal_
    """
    torch.manual_seed(0)
    w = nn.init.orthogonal_(torch.empty(5, 3))
    x = torch.randn(3, 10)

    y = w @ x

    torch.testing.assert_close(y.norm(dim=0), x.norm(dim=0))


def test_orthogonal_rejects_a_one_dimensional_tensor():
    """`orthogonal_` needs at least 2 dimensions: a vector raises a ValueError.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.orthogonal_
    """
    with raises_exactly(ValueError, match="Only tensors with 2 or more dimensions are supported"):
        nn.init.orthogonal_(torch.empty(4))


def test_sparse_zeroes_a_fraction_of_each_column():
    """`sparse_(w, sparsity)` zeroes `ceil(sparsity · rows)` entries of every column and draws the rest from N(0, 0.01²).

    `sparsity` is the fraction of each *column* set to zero, so every column of a
    (100, 64) weight with `sparsity=0.25` holds exactly 25 zeros. The other 75 · 64 = 4800
    values come from a normal with the default `std=0.01`, checked to 5 standard errors
    (std/√(2n)). It accepts only 2-D tensors.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.sparse_
    """
    torch.manual_seed(0)

    w = nn.init.sparse_(torch.empty(100, 64), sparsity=0.25)

    zeros_per_column = (w == 0).sum(dim=0)
    assert zeros_per_column.tolist() == [math.ceil(0.25 * 100)] * 64
    kept = w[w != 0]
    assert kept.numel() == 75 * 64
    assert abs(kept.std().item() - 0.01) <= 5 * 0.01 / math.sqrt(2 * kept.numel())
    with raises_exactly(ValueError, match="Only tensors with 2 dimensions are supported"):
        nn.init.sparse_(torch.empty(2, 3, 4), sparsity=0.5)


@pytest.mark.docs_erratum("The non-zero elements will be drawn from the normal distribution N(0, 0.01)")
def test_sparse_std_sets_the_spread_of_the_kept_values():
    """`sparse_(w, sparsity, std)` draws the kept values from N(0, std²); the zero pattern does not depend on `std`.

    The docs say the non-zero elements come from N(0, 0.01) whatever `std` is; elsewhere
    on the page N(mean, std²) has the variance second, so that would even read as a
    standard deviation of 0.1. In fact 0.01 is only the default of `std`, the standard
    deviation. From the same seed `std=0.1` zeroes the same positions and gives 10 times
    the default values, whose spread is 0.1 to within 5 standard errors (std/√(2n)).

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.sparse_
    """
    torch.manual_seed(0)
    default = nn.init.sparse_(torch.empty(100, 64), sparsity=0.25)

    torch.manual_seed(0)
    wide = nn.init.sparse_(torch.empty(100, 64), sparsity=0.25, std=0.1)

    assert torch.equal(wide == 0, default == 0)
    torch.testing.assert_close(wide, 10 * default)
    kept = wide[wide != 0]
    assert abs(kept.std().item() - 0.1) <= 5 * 0.1 / math.sqrt(2 * kept.numel())


RANDOM_INITS = {
    "uniform_": nn.init.uniform_,
    "normal_": nn.init.normal_,
    "trunc_normal_": nn.init.trunc_normal_,
    "xavier_uniform_": nn.init.xavier_uniform_,
    "xavier_normal_": nn.init.xavier_normal_,
    "kaiming_uniform_": nn.init.kaiming_uniform_,
    "kaiming_normal_": nn.init.kaiming_normal_,
    "orthogonal_": nn.init.orthogonal_,
}


@pytest.mark.torch_version(">=2.2")
@pytest.mark.parametrize("init", RANDOM_INITS.values(), ids=RANDOM_INITS.keys())
def test_init_generator_gives_draws_independent_of_the_global_seed(init):
    """`generator=` makes a random init draw from your own `torch.Generator` and leaves the global one alone.

    Two generators seeded alike give identical weights whatever the global seed is,
    and the global random state is the same before and after the call, so initialising
    one layer does not shift the random numbers the rest of the program sees.
    Every random function of `torch.nn.init` takes it (default `None`: the global
    generator); `sparse_` honours it only in part, as the next section shows. The
    argument arrived in PyTorch 2.2
    (https://github.com/pytorch/pytorch/commit/7fc292930c3b8ae5f6dec0a6176d4b5ca0b29d8f).

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.uniform_
    """
    torch.manual_seed(1)
    global_state = torch.get_rng_state()

    first = init(torch.empty(4, 6), generator=torch.Generator().manual_seed(0))
    torch.manual_seed(2)
    second = init(torch.empty(4, 6), generator=torch.Generator().manual_seed(0))

    assert torch.equal(first, second)
    torch.manual_seed(1)
    assert torch.equal(torch.get_rng_state(), global_state)


@pytest.mark.torch_version(">=2.2")
@pytest.mark.docs_erratum("generator: the torch Generator to sample from")
def test_sparse_generator_does_not_choose_the_zero_positions():
    """`sparse_(w, sparsity, generator=g)` draws its values from `g` but picks the zeroed rows from the global generator.

    The docs describe `generator` as *the* generator to sample from, which suggests the
    whole result is reproducible from it. It is not: `sparse_` fills the tensor with
    `normal_(..., generator=g)` and then chooses the rows to zero in each column with
    `torch.randperm`, which uses the global generator. Two calls with equally seeded
    generators give the same non-zero values but different zero patterns when the global
    seed differs, and the call advances the global random state. Seed the global
    generator as well (`torch.manual_seed`) for a reproducible sparse weight.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.sparse_
    """
    torch.manual_seed(1)
    global_state = torch.get_rng_state()
    first = nn.init.sparse_(torch.empty(8, 16), 0.5, generator=torch.Generator().manual_seed(0))
    global_moved = not torch.equal(torch.get_rng_state(), global_state)
    torch.manual_seed(2)

    second = nn.init.sparse_(torch.empty(8, 16), 0.5, generator=torch.Generator().manual_seed(0))

    both_kept = (first != 0) & (second != 0)
    assert not torch.equal(first == 0, second == 0)
    assert torch.equal(first[both_kept], second[both_kept])
    assert global_moved
