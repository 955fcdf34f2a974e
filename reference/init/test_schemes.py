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

from torchref import Figure

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


@pytest.mark.claim("S2-059", verdict="true")
@pytest.mark.figure("xavier_uniform_figure")
def test_xavier_uniform_samples_within_gain_times_sqrt_6_over_fan_sum():
    """`xavier_uniform_` draws from U(-a, a) with a = gain · sqrt(6 / (fan_in + fan_out)).

    The note's formula is right. A uniform distribution on (-a, a) has variance a²/3, so
    this bound gives the Glorot variance 2 / (fan_in + fan_out). No sample may pass the
    bound; with 16,384 samples the largest one comes within 0.1% of it (missing by more
    has probability 0.999^16384 ≈ 10⁻⁷), and the histogram is flat: each of 16 bins holds
    n/16 = 1024 samples to within 5 standard errors (√(1024 · 15/16) ≈ 31).

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html
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

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html
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

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html
    """
    std = 1.0 * math.sqrt(2 / (FAN_IN + FAN_OUT))

    w = sample(nn.init.xavier_normal_)
    fig = xavier_normal_figure()

    assert abs(w.std().item() - std) <= 5 * std / math.sqrt(2 * N)
    assert abs(w.mean().item()) <= 5 * std / math.sqrt(N)
    (_, counts), = fig.series.values()
    assert_counts_near(counts, normal_bin_counts(std, -4 * std, 4 * std))


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

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html
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

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html
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

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html
    """
    default = sample(nn.init.kaiming_uniform_)

    relu = sample(nn.init.kaiming_uniform_, nonlinearity="relu")

    assert torch.equal(default, relu)


def test_kaiming_slope_a_lowers_the_gain():
    """With `a=1` kaiming_normal_ uses gain 1, so std = 1 / sqrt(fan_in).

    A leaky ReLU with slope 1 is the identity and loses no signal, so there is nothing
    to make up for. Drawing `normal_(0, std)` from the same seed gives the same weights.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html
    """
    std = math.sqrt(2 / (1 + 1**2)) / math.sqrt(FAN_IN)

    w = sample(nn.init.kaiming_normal_, a=1)

    torch.testing.assert_close(w, sample(nn.init.normal_, 0.0, std))


def test_kaiming_mode_fan_out_uses_the_output_fan():
    """`mode="fan_out"` divides by fan_out, which preserves the gradients' scale in the backward pass.

    For a (64, 256) weight fan_out = 64 < fan_in = 256, so the bound grows by
    sqrt(256 / 64) = 2 and the same seed gives exactly twice the weights.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html
    """
    fan_in = sample(nn.init.kaiming_uniform_, mode="fan_in")

    fan_out = sample(nn.init.kaiming_uniform_, mode="fan_out")

    torch.testing.assert_close(fan_out, 2 * fan_in)
    assert fan_out.abs().max().item() <= math.sqrt(6 / FAN_OUT)


@pytest.mark.figure("trunc_normal_figure")
def test_trunc_normal_stays_within_a_and_b():
    """`trunc_normal_` redraws N(mean, std²) inside [a, b], which default to -2 and 2.

    The samples are normal but cut off: every one lies in [-2, 2], and the histogram has
    no bars beyond them. Cutting at ±2 std removes the 4.6% of the mass in the tails,
    so the standard deviation drops to sqrt(1 - 4φ(2) / P(|z| < 2)) ≈ 0.88, checked to
    5 standard errors of a normal sample (the truncated one varies less).

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html
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


def test_trunc_normal_bounds_are_values_not_standard_deviations():
    """`a` and `b` are absolute values: with std=10 the default bounds still clip at ±2.

    A common slip is to read `a=-2, b=2` as "two standard deviations". They are not: a
    wide `std` with the default bounds gives values that are nearly uniform on [-2, 2].
    Pass `a=-2 * std, b=2 * std` for a cut at two standard deviations.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html
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

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html
    """
    torch.manual_seed(0)

    wide = nn.init.orthogonal_(torch.empty(3, 5))
    tall = nn.init.orthogonal_(torch.empty(5, 3))

    torch.testing.assert_close(wide @ wide.T, torch.eye(3))
    torch.testing.assert_close(tall.T @ tall, torch.eye(3))


def test_orthogonal_gain_scales_the_matrix():
    """`orthogonal_(w, gain=g)` gives W Wᵀ = g² I.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html
    """
    torch.manual_seed(0)

    w = nn.init.orthogonal_(torch.empty(3, 5), gain=2.0)

    torch.testing.assert_close(w @ w.T, 4.0 * torch.eye(3))
