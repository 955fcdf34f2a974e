"""Cross-entropy and negative log-likelihood

`nn.CrossEntropyLoss` takes raw scores (logits) of shape (N, C) and a target that is either
a class index per sample, shape (N,), or a probability per class, shape (N, C). It is
`log_softmax` followed by `nll_loss`, uses the natural logarithm, and averages over the
batch. This page reproduces a study note's worked example to four decimals, then the
options (`ignore_index`, `weight`, `label_smoothing`, for index and probability targets),
the mistakes to avoid, and last `nn.LinearCrossEntropyLoss`, which fuses the final linear
layer into the loss (new in 2.13).
"""

import math
import warnings

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from torchref import raises_exactly, warns_exactly


def note_input():
    """The worked example's logits: seed 1, two samples, three classes."""
    torch.manual_seed(1)
    return torch.randn(2, 3)


@pytest.mark.claim("S2-106", verdict="true")
def test_worked_example_input_comes_from_seed_1():
    """`torch.manual_seed(1); torch.randn(2, 3)` gives the note's input on every release.

    The CPU generator is a Mersenne Twister with a fixed algorithm for turning its bits
    into normal samples, so a seed reproduces the same numbers across releases and
    machines (CUDA has its own generator and gives other numbers).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.manual_seed.html#torch.manual_seed
    """
    torch.manual_seed(1)

    x = torch.randn(2, 3)

    expected = torch.tensor([[0.6614, 0.2669, 0.0617], [0.6213, -0.4519, -0.1661]])
    torch.testing.assert_close(x, expected, atol=5e-5, rtol=0)


@pytest.mark.claim("S2-107", verdict="true")
def test_worked_example_log_softmax_values():
    """`F.log_softmax(input, dim=1)` of the example gives the note's values.

    Each row is x - log Σ exp(x) over that row; the values are printed to four decimals,
    so they are compared to within half a unit of the fourth decimal.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.log_softmax.html#torch.nn.functional.log_softmax
    """
    x = note_input()

    logp = F.log_softmax(x, dim=1)

    expected = torch.tensor([[-0.7989, -1.1933, -1.3986], [-0.5861, -1.6593, -1.3735]])
    torch.testing.assert_close(logp, expected, atol=5e-5, rtol=0)
    torch.testing.assert_close(logp, x - x.exp().sum(dim=1, keepdim=True).log())


@pytest.mark.claim("S2-104", verdict="true")
def test_log_softmax_equals_log_of_softmax():
    """`log_softmax` gives the same values as `log(softmax(x))` for moderate inputs.

    The note is right about the values. The fused function exists for the case on the
    next section: it never forms the tiny probabilities that `log` cannot recover.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.log_softmax.html#torch.nn.functional.log_softmax
    """
    x = note_input()

    fused = F.log_softmax(x, dim=1)

    torch.testing.assert_close(fused, torch.log(F.softmax(x, dim=1)))


def test_log_of_softmax_underflows_where_log_softmax_does_not():
    """For logits 0 and 200, `log(softmax)` gives -inf while `log_softmax` gives -200.

    e⁻²⁰⁰ is below the smallest float32, so `softmax` rounds that probability to 0 and
    `log(0) = -inf`; a loss built on it becomes infinite. `log_softmax` computes
    x - max - log Σ exp(x - max) and never leaves the log domain.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.log_softmax.html#torch.nn.functional.log_softmax
    """
    x = torch.tensor([[0.0, 200.0]])

    naive = torch.log(F.softmax(x, dim=1))
    fused = F.log_softmax(x, dim=1)

    assert naive[0, 0].item() == -math.inf
    assert fused.tolist() == [[-200.0, 0.0]]


@pytest.mark.claim("S2-103", verdict="true")
def test_nll_loss_picks_minus_the_target_entry_and_averages():
    """`nll_loss(input, target)` is the mean over samples of `-input[i, target[i]]`.

    The note describes it right. NLLLoss takes no logarithm itself: the "log" in its
    name refers to the log-probabilities it expects to receive.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.NLLLoss.html#torch.nn.NLLLoss
    """
    logp = torch.tensor([[-0.5, -1.0, -2.0], [-3.0, -0.25, -1.5]])
    target = torch.tensor([0, 2])

    loss = F.nll_loss(logp, target)

    assert loss.item() == (0.5 + 1.5) / 2


def test_nll_loss_weight_gives_a_weighted_mean():
    """`NLLLoss(weight=w)` scales sample i by `w[target[i]]` and divides by the sum of those weights.

    `CrossEntropyLoss` hands its `weight` to `nll_loss` unchanged, so the rule is the same
    for both. `reduction="sum"` keeps the weighted sum.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.NLLLoss.html#torch.nn.NLLLoss
    """
    logp = torch.tensor([[-0.5, -1.0, -2.0], [-3.0, -0.25, -1.5]])
    target = torch.tensor([0, 2])
    w = torch.tensor([2.0, 1.0, 0.5])

    loss = nn.NLLLoss(weight=w)(logp, target)
    total = nn.NLLLoss(weight=w, reduction="sum")(logp, target)

    torch.testing.assert_close(loss, torch.tensor((2.0 * 0.5 + 0.5 * 1.5) / (2.0 + 0.5)))
    torch.testing.assert_close(total, torch.tensor(2.0 * 0.5 + 0.5 * 1.5))


def test_nll_loss_ignore_index_skips_a_target_value():
    """`NLLLoss(ignore_index=k)` leaves out the samples whose target is k, from the sum and from the count.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.NLLLoss.html#torch.nn.NLLLoss
    """
    logp = torch.tensor([[-0.5, -1.0, -2.0], [-3.0, -0.25, -1.5], [-1.0, -1.0, -1.0]])
    target = torch.tensor([0, 2, 1])

    loss = nn.NLLLoss(ignore_index=1)(logp, target)

    assert loss.item() == (0.5 + 1.5) / 2


def test_nll_loss_weight_of_ones_is_no_weight():
    """`NLLLoss(weight=torch.ones(C))` gives the same loss as leaving `weight` out.

    The docs say a missing `weight` is treated as all ones, so the weighted mean's
    denominator Σ w[t] is then just the number of samples.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.NLLLoss.html#torch.nn.NLLLoss
    """
    logp = torch.tensor([[-0.5, -1.0, -2.0], [-3.0, -0.25, -1.5]])
    target = torch.tensor([0, 2])

    weighted = nn.NLLLoss(weight=torch.ones(3))(logp, target)

    assert weighted.item() == nn.NLLLoss()(logp, target).item() == (0.5 + 1.5) / 2


def test_nll_loss_scores_every_pixel_of_a_k_dimensional_input():
    """For log-probabilities (N, C, H, W) and a target (N, H, W), `NLLLoss` takes -input[n, t, h, w] at every pixel.

    The docs' 2-D example feeds it the `LogSoftmax` of a convolution's (N, C, H, W)
    output: the classes are dimension 1, every pixel is a sample, `reduction="none"`
    keeps the (N, H, W) map and "mean" averages over all N · H · W pixels.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.NLLLoss.html#torch.nn.NLLLoss
    """
    torch.manual_seed(0)
    conv = nn.Conv2d(16, 4, (3, 3))
    logp = F.log_softmax(conv(torch.randn(2, 16, 6, 6)), dim=1)  # (2, 4, 4, 4)
    target = torch.randint(0, 4, (2, 4, 4))

    per_pixel = nn.NLLLoss(reduction="none")(logp, target)

    assert per_pixel.shape == (2, 4, 4)
    torch.testing.assert_close(per_pixel, -logp.gather(1, target.unsqueeze(1)).squeeze(1))
    torch.testing.assert_close(nn.NLLLoss()(logp, target), per_pixel.sum() / (2 * 4 * 4))


@pytest.mark.claim("S2-102", verdict="true")
@pytest.mark.claim("S2-108", verdict="true")
def test_cross_entropy_equals_nll_of_log_softmax():
    """The three formulations of the note all give 1.0862 = (0.7989 + 1.3735) / 2.

    `F.cross_entropy(x, t)`, `F.nll_loss(F.log_softmax(x, dim=1), t)` and
    `F.nll_loss(torch.log(F.softmax(x, dim=1)), t)` agree: cross-entropy *is*
    LogSoftmax followed by NLLLoss. Sample 0 has target 0 (log-prob -0.7989), sample 1
    target 2 (log-prob -1.3735).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x, target = note_input(), torch.tensor([0, 2])

    ce = F.cross_entropy(x, target)
    nll_of_log_softmax = F.nll_loss(F.log_softmax(x, dim=1), target)
    nll_of_log_of_softmax = F.nll_loss(torch.log(F.softmax(x, dim=1)), target)

    torch.testing.assert_close(ce, torch.tensor(1.0862), atol=5e-5, rtol=0)
    torch.testing.assert_close(ce, torch.tensor((0.7989 + 1.3735) / 2), atol=5e-5, rtol=0)
    torch.testing.assert_close(nll_of_log_softmax, ce)
    torch.testing.assert_close(nll_of_log_of_softmax, ce)


@pytest.mark.claim("S3-011", verdict="true")
def test_cross_entropy_module_matches_the_functional_form():
    """`nn.CrossEntropyLoss()(x, t)` computes the same number as `F.cross_entropy(x, t)`.

    The module only stores the options (`weight`, `reduction`, ...) and calls the
    function in `forward`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x, target = note_input(), torch.tensor([0, 2])
    criterion = nn.CrossEntropyLoss()

    loss = criterion(x, target)

    torch.testing.assert_close(loss, F.cross_entropy(x, target))
    torch.testing.assert_close(loss, -F.log_softmax(x, dim=1)[[0, 1], [0, 2]].mean())


@pytest.mark.claim("S2-097", verdict="false")
def test_cross_entropy_uses_the_natural_log():
    """For one-hot target [1, 0, 0] and prediction [0.7, 0.1, 0.2], cross-entropy is -ln 0.7 ≈ 0.357.

    The note writes CE = -Σ y·lg ŷ = -lg 0.7. The structure is right (only the target
    class contributes) but `lg` is the base-10 logarithm, and PyTorch uses the natural
    one: the loss is -ln 0.7 = 0.3567, not -log₁₀ 0.7 = 0.1549. (The note's own numbers
    elsewhere, such as the BCE value 0.6587, only come out with ln; write ln.)
    Feeding `log(p)` as logits makes `log_softmax` return `log(p)` unchanged, since the
    p already sum to 1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    p = torch.tensor([[0.7, 0.1, 0.2]])

    loss = F.cross_entropy(torch.log(p), torch.tensor([0]))

    torch.testing.assert_close(loss, torch.tensor(-math.log(0.7)))
    assert abs(loss.item() - (-math.log10(0.7))) > 0.2


@pytest.mark.claim("S1-037", verdict="false")
def test_cross_entropy_input_is_logits_not_probabilities():
    """Fed probabilities, `cross_entropy` scores even a perfect prediction at ln(1 + 2/e) ≈ 0.55.

    The note calls the (batch, class) input "the output probability of each class". It
    is not: `CrossEntropyLoss` applies `log_softmax` itself, so it wants raw scores
    (logits). Given the probabilities [1, 0, 0] it softmaxes them again into
    [e, 1, 1] / (e + 2), and the loss can never fall below ln(1 + 2/e): training
    stalls on a floor with shrunken gradients. Pass logits, or pass `log(p)`, whose
    softmax is p again.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    perfect = torch.tensor([[1.0, 0.0, 0.0]])
    target = torch.tensor([0])

    as_probabilities = F.cross_entropy(perfect, target)
    as_log_probabilities = F.cross_entropy(torch.log(perfect), target)

    torch.testing.assert_close(as_probabilities, torch.tensor(math.log(1 + 2 / math.e)))
    assert as_log_probabilities.item() == 0.0


@pytest.mark.claim("S2-095", verdict="true")
def test_class_index_target_equals_its_one_hot_target():
    """A class-index target gives the same loss as its one-hot probability target.

    The note is right that a label acts as its one-hot vector: only the log-probability
    of the true class survives in -Σ y·log ŷ. (PyTorch never builds the one-hot tensor
    for an index target; it reads the one entry it needs.)

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x, target = note_input(), torch.tensor([0, 2])

    by_index = F.cross_entropy(x, target)
    by_one_hot = F.cross_entropy(x, F.one_hot(target, num_classes=3).float())

    torch.testing.assert_close(by_index, by_one_hot)


@pytest.mark.claim("S1-039", verdict="true")
def test_probability_target_gives_minus_sum_of_p_log_q():
    """A float (N, C) target of class probabilities gives the mean of -Σ p · log_softmax(x).

    The note is right: since PyTorch 1.10 the target may be a distribution over the
    classes (soft labels, mixup, distillation), of the same shape as the input.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x = note_input()
    p = torch.tensor([[0.5, 0.25, 0.25], [0.0, 0.2, 0.8]])

    loss = F.cross_entropy(x, p)

    torch.testing.assert_close(loss, -(p * F.log_softmax(x, dim=1)).sum(dim=1).mean())


def test_probability_targets_are_not_checked():
    """A target whose rows are not distributions gives a loss without an error or a warning.

    The docs' own example: after `torch.manual_seed(283)`, the input is `randn(3, 5)` and
    the target another `randn(3, 5)`, with negative entries and rows summing to 2.8444,
    0.2462 and 0.8873. The loss, 4.6380, is the formula -Σ y · log_softmax(x) applied to
    whatever numbers it is given; after `target.softmax(dim=1)` it is 2.5535. Making the
    target a distribution is the caller's job.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    torch.manual_seed(283)
    x = torch.randn(3, 5)
    target = torch.randn(3, 5)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        raw = nn.CrossEntropyLoss()(x, target)
    normalised = nn.CrossEntropyLoss()(x, target.softmax(dim=1))

    assert caught == []
    assert (target < 0).any()
    torch.testing.assert_close(target.sum(dim=1), torch.tensor([2.8444, 0.2462, 0.8873]), atol=5e-5, rtol=0)
    torch.testing.assert_close(raw, -(target * F.log_softmax(x, dim=1)).sum(dim=1).mean())
    torch.testing.assert_close(raw, torch.tensor(4.6380), atol=5e-5, rtol=0)
    torch.testing.assert_close(normalised, torch.tensor(2.5535), atol=5e-5, rtol=0)


@pytest.mark.claim("S2-105", verdict="outdated")
def test_cross_entropy_target_may_be_one_hot_floats():
    """`F.cross_entropy` accepts a one-hot float target as well as class indices.

    The note says the input needs no softmax (right) and that the target is not one-hot,
    only class indices of shape (N). That was true before PyTorch 1.10; since then a
    float target of shape (N, C) is read as probabilities, and a one-hot row is simply
    a distribution with all its mass on one class.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.cross_entropy.html#torch.nn.functional.cross_entropy
    """
    x = note_input()
    one_hot = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])

    loss = F.cross_entropy(x, one_hot)

    torch.testing.assert_close(loss, torch.tensor(1.0862), atol=5e-5, rtol=0)


@pytest.mark.claim("S2-110", verdict="false")
def test_cross_entropy_is_not_y_times_log_y_minus_y_hat():
    """Cross-entropy with a probability target is -Σ y · log_softmax(x), not Σ y · (log y - ŷ).

    The note says the official `F.cross_entropy` formula is y(lg y - ŷ). That is wrong:
    y(log y - x) is the pointwise term of `F.kl_div` (whose input x is already a
    log-probability), and the note's own paragraph is about KL divergence. Cross-entropy
    and KL differ by the target's entropy -Σ y log y, which does not depend on x.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x = note_input()[:1]
    y = torch.tensor([[0.5, 0.25, 0.25]])

    ce = F.cross_entropy(x, y)
    note_formula = (y * (y.log() - F.softmax(x, dim=1))).sum()

    torch.testing.assert_close(ce, -(y * F.log_softmax(x, dim=1)).sum())
    entropy = -(y * y.log()).sum()
    torch.testing.assert_close(ce - entropy, F.kl_div(F.log_softmax(x, dim=1), y, reduction="sum"))
    assert abs(note_formula.item() - ce.item()) > 1


@pytest.mark.claim("S2-100", verdict="true")
def test_class_index_must_be_below_the_number_of_classes():
    """A class index outside 0..C-1 raises an IndexError on the CPU.

    The note is right that each target must satisfy 0 ≤ target[i] ≤ C - 1. With three
    classes, index 3 does not exist. (On a GPU the same mistake surfaces as a
    device-side assertion, which is much harder to read.)

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x = torch.zeros(2, 3)

    with raises_exactly(IndexError, match="Target 3 is out of bounds"):
        F.cross_entropy(x, torch.tensor([0, 3]))


@pytest.mark.claim("S1-038", verdict="false")
def test_class_index_target_of_shape_n_by_1_raises():
    """A class-index target of shape (N, 1) raises; it must be (N,).

    The note says the target can be (batchSize, 1). It cannot: a 2-D integer target is
    read as a multi-target and refused. Squeeze it first: `target.squeeze(1)` or
    `target.view(-1)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x = torch.zeros(2, 3)
    target = torch.tensor([[0], [2]])

    with raises_exactly(RuntimeError, match="multi-target not supported"):
        F.cross_entropy(x, target)

    torch.testing.assert_close(F.cross_entropy(x, target.squeeze(1)), torch.tensor(math.log(3)))


def test_class_dimension_is_dimension_1():
    """For input (N, C, L) the classes are dimension 1 and the target is (N, L).

    Segmentation and sequence models produce a score per class per position. The class
    axis must be second, so a (batch, length, classes) output needs `.transpose(1, 2)`
    first; the loss is then the same as flattening every position into its own sample.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    torch.manual_seed(0)
    scores = torch.randn(2, 5, 3)  # (N, L, C) as a sequence model returns it
    target = torch.tensor([[0, 1, 2, 0, 1], [2, 2, 1, 0, 0]])

    loss = F.cross_entropy(scores.transpose(1, 2), target)

    torch.testing.assert_close(loss, F.cross_entropy(scores.reshape(10, 3), target.reshape(10)))


@pytest.mark.parametrize("criterion", ["CrossEntropyLoss", "NLLLoss"])
def test_unbatched_input_of_shape_c_takes_a_0_d_target(criterion):
    """An input of shape (C) with a 0-d target is one sample, scored like a batch of one.

    Both shape sections list (C) for the input and () for the target. With
    `reduction="none"` the output is 0-d as well: there is no batch dimension to keep.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    logp = F.log_softmax(note_input()[0], dim=0)
    target = torch.tensor(2)

    loss = getattr(nn, criterion)(reduction="none")(logp, target)

    assert loss.shape == ()
    torch.testing.assert_close(loss, -logp[2])
    torch.testing.assert_close(loss, getattr(nn, criterion)()(logp.unsqueeze(0), target.unsqueeze(0)))


def test_k_dimensional_index_target_gives_one_loss_per_position():
    """For input (N, C, d1, d2) and target (N, d1, d2), `reduction="none"` returns shape (N, d1, d2).

    This is the docs' per-pixel case: an image model scores every class at every pixel,
    and every pixel is a sample. N in the formulas spans the batch and the d dimensions,
    so "mean" averages over all N · d1 · d2 positions.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    torch.manual_seed(0)
    x = torch.randn(2, 3, 4, 5)
    target = torch.randint(0, 3, (2, 4, 5))

    per_pixel = F.cross_entropy(x, target, reduction="none")

    picked = -F.log_softmax(x, dim=1).gather(1, target.unsqueeze(1)).squeeze(1)
    assert per_pixel.shape == (2, 4, 5)
    torch.testing.assert_close(per_pixel, picked)
    torch.testing.assert_close(F.cross_entropy(x, target), picked.sum() / (2 * 4 * 5))


def test_k_dimensional_probability_target_averages_over_every_position():
    """A probability target of the input's shape (N, C, d1, d2) gives a mean over the N · d1 · d2 positions.

    With probabilities the weighted class sum -Σ_c w_c · y_c · log q_c is taken at each
    position, and the "mean" formula divides by N, which again spans the batch and the
    d dimensions.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    torch.manual_seed(0)
    x = torch.randn(2, 3, 4, 5)
    p = torch.randn(2, 3, 4, 5).softmax(dim=1)
    w = torch.tensor([1.0, 2.0, 3.0])

    per_position = F.cross_entropy(x, p, weight=w, reduction="none")
    loss = F.cross_entropy(x, p, weight=w)

    by_hand = -(w.view(1, 3, 1, 1) * p * F.log_softmax(x, dim=1)).sum(dim=1)
    assert per_position.shape == (2, 4, 5)
    torch.testing.assert_close(per_position, by_hand)
    torch.testing.assert_close(loss, by_hand.sum() / (2 * 4 * 5))


def test_class_index_target_must_be_int64():
    """A class-index target of dtype int32 raises a RuntimeError that asks for Long.

    The shape section requires the long (int64) data type for class indices. Labels
    often arrive as int32 from NumPy or a label encoder: convert them with `.long()`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x = note_input()
    target = torch.tensor([0, 2], dtype=torch.int32)

    with raises_exactly(RuntimeError, match="Long"):
        F.cross_entropy(x, target)
    torch.testing.assert_close(F.cross_entropy(x, target.long()), torch.tensor(1.0862), atol=5e-5, rtol=0)


def test_probability_target_of_another_shape_is_refused():
    """A float target whose shape differs from the input's raises instead of broadcasting.

    The docs require a probability target of the input's shape. A (2, 4) target for
    (2, 3) logits is not read as probabilities at all: it goes down the class-index path,
    where a 2-D target is refused.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x = torch.zeros(2, 3)
    target = torch.full((2, 4), 0.25)

    with raises_exactly(RuntimeError, match="multi-target not supported"):
        F.cross_entropy(x, target)


@pytest.mark.claim("S2-101", verdict="true")
def test_loss_is_a_scalar_whose_backward_fills_parameter_grads():
    """With the default `reduction="mean"` the loss is a 0-d tensor, and `backward()` fills `.grad`.

    The note's training recipe is right: a scalar output needs no `gradient` argument,
    and every parameter that took part gets a gradient of its own shape.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    x, target = torch.randn(5, 4), torch.tensor([0, 1, 2, 0, 1])

    loss = nn.CrossEntropyLoss()(model(x), target)
    loss.backward()

    assert loss.shape == ()
    assert model.weight.grad.shape == (3, 4)
    assert model.bias.grad.shape == (3,)


def test_reduction_none_keeps_one_loss_per_sample():
    """`reduction="none"` returns the per-sample losses; `"sum"` adds them.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x, target = note_input(), torch.tensor([0, 2])

    per_sample = F.cross_entropy(x, target, reduction="none")

    torch.testing.assert_close(per_sample, -F.log_softmax(x, dim=1)[[0, 1], [0, 2]])
    torch.testing.assert_close(per_sample, torch.tensor([0.7989, 1.3735]), atol=5e-5, rtol=0)  # the note's values
    torch.testing.assert_close(F.cross_entropy(x, target, reduction="sum"), per_sample.sum())


def test_ignore_index_drops_samples_from_the_mean():
    """Targets equal to `ignore_index` (default -100) add nothing and do not count in the mean.

    Padding positions in a batch of sequences are the usual use: mark them -100 and
    the mean runs over the real tokens only. Of three samples here one is ignored, so the
    loss is the mean of the other two, divided by 2, not 3. Any class can be the ignored
    one: `ignore_index=1` drops the sample whose target is 1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    torch.manual_seed(0)
    x = torch.randn(3, 3)
    logp = F.log_softmax(x, dim=1)

    loss = F.cross_entropy(x, torch.tensor([0, -100, 2]))
    ignoring_class_1 = F.cross_entropy(x, torch.tensor([0, 1, 2]), ignore_index=1)

    kept_mean = -(logp[0, 0] + logp[2, 2]) / 2
    torch.testing.assert_close(loss, kept_mean)
    torch.testing.assert_close(ignoring_class_1, kept_mean)
    assert F.cross_entropy(x, torch.tensor([0, -100, 2]), reduction="none")[1].item() == 0.0


def test_ignore_index_is_refused_for_probability_targets():
    """Combining a probability target with `ignore_index` raises a RuntimeError.

    There is no class index to compare with `ignore_index` when the target is a float
    distribution; the default -100 is accepted only because it is the default.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x = note_input()
    p = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])

    with raises_exactly(RuntimeError, match="ignore_index is not supported for floating point target"):
        F.cross_entropy(x, p, ignore_index=0)
    torch.testing.assert_close(F.cross_entropy(x, p, ignore_index=-100), F.cross_entropy(x, p))


@pytest.mark.parametrize("criterion", ["CrossEntropyLoss", "NLLLoss"])
def test_ignored_target_contributes_no_gradient(criterion):
    """The scores of a sample whose target is `ignore_index` get a zero gradient.

    The docs say an ignored target "does not contribute to the input gradient": the
    sample is left out of the loss, so nothing flows back to its row, while the other
    rows receive their usual gradients.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    torch.manual_seed(0)
    x = torch.randn(3, 3, requires_grad=True)
    target = torch.tensor([0, -100, 2])

    getattr(nn, criterion)()(x, target).backward()

    assert x.grad[1].tolist() == [0.0, 0.0, 0.0]
    assert (x.grad[[0, 2]] != 0).any(dim=1).tolist() == [True, True]


def test_weight_gives_a_weighted_mean():
    """With class `weight` w, the mean divides Σ w[t]·loss by Σ w[t], not by N.

    Each sample's loss is scaled by its target class's weight, and the mean uses the
    total weight of the batch, so a batch of one class still averages to its plain loss.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x, target = note_input(), torch.tensor([0, 2])
    w = torch.tensor([1.0, 1.0, 3.0])

    loss = F.cross_entropy(x, target, weight=w)

    per_sample = F.cross_entropy(x, target, reduction="none")
    torch.testing.assert_close(loss, (1 * per_sample[0] + 3 * per_sample[1]) / (1 + 3))


def test_weight_with_reduction_sum_or_none_scales_without_dividing():
    """With `reduction="none"` or `"sum"`, class `weight` only scales each sample's loss by `w[t]`.

    The division by Σ w[t] belongs to the mean alone; the per-sample losses and their sum
    are the plain losses times the target class's weight.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x, target = note_input(), torch.tensor([0, 2])
    w = torch.tensor([1.0, 1.0, 3.0])
    plain = F.cross_entropy(x, target, reduction="none")

    per_sample = F.cross_entropy(x, target, weight=w, reduction="none")
    total = F.cross_entropy(x, target, weight=w, reduction="sum")

    torch.testing.assert_close(per_sample, w[target] * plain)
    torch.testing.assert_close(total, (w[target] * plain).sum())


def test_weight_with_probability_targets_divides_by_the_batch_size():
    """For probability targets, `weight` scales each class's term and the mean divides by N, not by a weight sum.

    The docs give two formulas: with class indices the mean divides by Σ w[t]; with
    probabilities each sample's loss is -Σ_c w_c · p_c · log q_c and the mean is a plain
    average over the N samples.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x = note_input()
    p = torch.tensor([[0.5, 0.25, 0.25], [0.0, 0.2, 0.8]])
    w = torch.tensor([1.0, 2.0, 3.0])

    loss = F.cross_entropy(x, p, weight=w)

    per_sample = -(w * p * F.log_softmax(x, dim=1)).sum(dim=1)
    torch.testing.assert_close(loss, per_sample.sum() / 2)


def test_weight_and_ignore_index_mean_divides_by_the_kept_weights():
    """With both `weight` and `ignore_index`, the mean divides by the weights of the kept samples only.

    The denominator of the docs' formula is Σ w[y_n] · 1{y_n ≠ ignore_index}: an ignored
    sample takes its weight out of the division as well as its loss out of the sum.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x = torch.cat([note_input(), torch.zeros(1, 3)])
    target = torch.tensor([0, 2, 1])
    w = torch.tensor([2.0, 1.0, 3.0])
    plain = F.cross_entropy(x, target, reduction="none")

    loss = F.cross_entropy(x, target, weight=w, ignore_index=1)

    torch.testing.assert_close(loss, (2.0 * plain[0] + 3.0 * plain[1]) / (2.0 + 3.0))


@pytest.mark.parametrize("criterion", ["CrossEntropyLoss", "NLLLoss"])
def test_weight_must_have_one_entry_per_class(criterion):
    """A class `weight` whose length is not the number of classes raises a RuntimeError.

    Both pages say `weight` has to be a tensor of size C; two weights for three classes
    are refused rather than broadcast or padded.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x, target = torch.zeros(2, 3), torch.tensor([0, 2])
    criterion = getattr(nn, criterion)(weight=torch.ones(2))

    with raises_exactly(RuntimeError, match="weight tensor should be defined either for all 3 classes or no classes"):
        criterion(x, target)


def test_label_smoothing_equals_a_smoothed_probability_target():
    """`label_smoothing=ε` gives the loss of the target (1 - ε)·onehot + ε/C.

    Every class receives ε/C of the mass and the true class keeps the rest, so the
    row still sums to 1. The keyword exists since PyTorch 1.10.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x, target, eps = note_input(), torch.tensor([0, 2]), 0.1
    smoothed = (1 - eps) * F.one_hot(target, num_classes=3).float() + eps / 3

    loss = F.cross_entropy(x, target, label_smoothing=eps)

    torch.testing.assert_close(loss, F.cross_entropy(x, smoothed))


def test_label_smoothing_also_smooths_probability_targets():
    """With a probability target p, `label_smoothing=ε` uses (1 - ε)·p + ε/C in its place.

    The same mixing with the uniform distribution as for class indices, applied to a
    soft target.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x, eps = note_input(), 0.1
    p = torch.tensor([[0.5, 0.25, 0.25], [0.0, 0.2, 0.8]])

    loss = F.cross_entropy(x, p, label_smoothing=eps)

    torch.testing.assert_close(loss, F.cross_entropy(x, (1 - eps) * p + eps / 3))


def test_label_smoothing_outside_0_1_raises():
    """`label_smoothing=1.5` raises a RuntimeError: the amount is a float in [0.0, 1.0].

    1.0 is the far end of the range: the target becomes the uniform distribution 1/C,
    whatever the label was.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    x, target = note_input(), torch.tensor([0, 2])

    with raises_exactly(RuntimeError, match=r"label_smoothing must be between 0\.0 and 1\.0\. Got: 1\.5"):
        F.cross_entropy(x, target, label_smoothing=1.5)
    uniform = F.cross_entropy(x, torch.full((2, 3), 1 / 3))
    torch.testing.assert_close(F.cross_entropy(x, target, label_smoothing=1.0), uniform)


def test_cross_entropy_and_nll_loss_defaults():
    """By default both losses have no class weight, ignore target -100 and take the mean; cross-entropy does not smooth.

    These are the documented defaults: `weight=None`, `ignore_index=-100`,
    `reduction="mean"` and, for `CrossEntropyLoss`, `label_smoothing=0.0`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    ce, nll = nn.CrossEntropyLoss(), nn.NLLLoss()

    assert (ce.weight, ce.ignore_index, ce.reduction, ce.label_smoothing) == (None, -100, "mean", 0.0)
    assert (nll.weight, nll.ignore_index, nll.reduction) == (None, -100, "mean")


@pytest.mark.parametrize("criterion", ["CrossEntropyLoss", "NLLLoss"])
def test_size_average_and_reduce_are_deprecated_for_reduction(criterion):
    """`size_average=False` warns and sums; `reduce=False` warns and returns one loss per sample.

    Both flags are documented as deprecated in favour of `reduction`. The constructor
    still honours them, translating each into the `reduction` it stands for, and its
    UserWarning names the value to write instead.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    logp, target = F.log_softmax(note_input(), dim=1), torch.tensor([0, 2])
    per_sample = -logp[[0, 1], [0, 2]]

    with warns_exactly(UserWarning, match="size_average and reduce args will be deprecated, please use reduction='sum' instead"):
        summed = getattr(nn, criterion)(size_average=False)
    with warns_exactly(UserWarning, match="size_average and reduce args will be deprecated, please use reduction='none' instead"):
        unreduced = getattr(nn, criterion)(reduce=False)

    assert (summed.reduction, unreduced.reduction) == ("sum", "none")
    torch.testing.assert_close(summed(logp, target), per_sample.sum())
    torch.testing.assert_close(unreduced(logp, target), per_sample)


def note_label_smoothing(targets_onehot, epsilon, n_classes):
    """The note's helper, copied as written: the second term hard-codes 0.1."""
    return targets_onehot * (1 - epsilon) + torch.ones_like(targets_onehot) * 0.1 / n_classes


@pytest.mark.claim("S2-118", verdict="true")
def test_note_label_smoothing_helper_gives_0_925_and_0_025():
    """With ε = 0.1 and 4 classes the note's helper gives 0.925 for the label and 0.025 elsewhere.

    The note's numbers are right: 1 · (1 - 0.1) + 0.1/4 = 0.925 and 0 + 0.1/4 = 0.025.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.one_hot.html#torch.nn.functional.one_hot
    """
    onehot = F.one_hot(torch.tensor([0, 2]), num_classes=4).float()

    smoothed = note_label_smoothing(onehot, 0.1, 4)

    expected = [[0.925, 0.025, 0.025, 0.025], [0.025, 0.025, 0.925, 0.025]]
    torch.testing.assert_close(smoothed, torch.tensor(expected))


def test_note_label_smoothing_helper_breaks_for_other_epsilons():
    """The note's helper spreads a fixed 0.1 whatever ε is, so for ε ≠ 0.1 its rows do not sum to 1.

    The helper uses `epsilon` only in `(1 - epsilon)` and writes `0.1 / n_classes` for
    the part spread over the classes. With ε = 0.2 the label keeps 0.8 + 0.025 and the
    row sums to 0.9: no longer a distribution. `label_smoothing=0.2` in
    `cross_entropy` spreads ε itself, 0.05 per class, and keeps the sum at 1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.CrossEntropyLoss.html#torch.nn.CrossEntropyLoss
    """
    onehot = F.one_hot(torch.tensor([0, 2]), num_classes=4).float()

    note = note_label_smoothing(onehot, 0.2, 4)
    right = (1 - 0.2) * onehot + 0.2 / 4

    torch.testing.assert_close(note[0], torch.tensor([0.825, 0.025, 0.025, 0.025]))
    torch.testing.assert_close(note.sum(dim=1), torch.tensor([0.9, 0.9]))
    torch.testing.assert_close(right.sum(dim=1), torch.tensor([1.0, 1.0]))
    x = torch.zeros(2, 4)
    torch.testing.assert_close(F.cross_entropy(x, torch.tensor([0, 2]), label_smoothing=0.2), F.cross_entropy(x, right))


@pytest.mark.torch_version(">=2.13")
def test_linear_cross_entropy_loss_is_cross_entropy_of_a_linear_layer():
    """Since 2.13, `nn.LinearCrossEntropyLoss(in_features, C)` owns a bias-free `Linear` and returns `cross_entropy(x @ W.T, t)`.

    Fusing the last layer into the loss lets PyTorch compute it in chunks without
    materialising the whole (N, C) logits tensor, which matters for language models with
    large vocabularies. The value is the ordinary cross-entropy of the logits the layer
    would have produced (https://github.com/pytorch/pytorch/pull/181573).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LinearCrossEntropyLoss.html#torch.nn.LinearCrossEntropyLoss
    """
    torch.manual_seed(0)
    criterion = nn.LinearCrossEntropyLoss(4, 3)
    x, target = torch.randn(5, 4), torch.tensor([0, 1, 2, 0, 1])

    loss = criterion(x, target)

    assert [name for name, _ in criterion.named_parameters()] == ["linear.weight"]
    assert criterion.linear.weight.shape == (3, 4)
    torch.testing.assert_close(loss, F.cross_entropy(x @ criterion.linear.weight.T, target))


@pytest.mark.torch_version(">=2.13,<2.14")
def test_linear_cross_entropy_options_accept_acc_policy_balanced_in_2_13():
    """In 2.13, `nn.LinearCrossEntropyOptions(acc_policy="balanced")` is accepted.

    2.14 removed the "balanced" policy (see the next test).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LinearCrossEntropyLoss.html#torch.nn.LinearCrossEntropyLoss
    """
    options = nn.LinearCrossEntropyOptions(acc_policy="balanced")

    assert options.acc_policy == "balanced"


@pytest.mark.torch_version(">=2.14")
def test_linear_cross_entropy_options_reject_acc_policy_balanced_since_2_14():
    """Since 2.14, `nn.LinearCrossEntropyOptions(acc_policy="balanced")` raises a ValueError.

    The accepted policies are "auto", "accurate" and "compact"
    (https://github.com/pytorch/pytorch/pull/188283).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LinearCrossEntropyLoss.html#torch.nn.LinearCrossEntropyLoss
    """
    with raises_exactly(ValueError, match=r"invalid acc_policy: 'balanced'; expected one of 'auto', 'accurate', 'compact'"):
        nn.LinearCrossEntropyOptions(acc_policy="balanced")
    assert nn.LinearCrossEntropyOptions(acc_policy="compact").acc_policy == "compact"
