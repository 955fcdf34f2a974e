"""Binary cross-entropy

`nn.BCELoss` takes probabilities in [0, 1]; `nn.BCEWithLogitsLoss` takes raw scores and
applies the sigmoid itself. Both compute -[y log p + (1 - y) log(1 - p)] per element and
average. Prefer the logits version: it is the same loss, computed in a way that does not
break for confident predictions.
"""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from torchref import raises_exactly, warns_exactly


def bce_by_hand(p, y):
    return -(y * p.log() + (1 - y) * (1 - p).log()).mean()


@pytest.mark.claim("S2-116", verdict="true")
def test_worked_example_bce_is_0_6587():
    """Seed 1, `randn(3)` and target [1, 0, 0] give sigmoid [0.6596, 0.5663, 0.5154] and BCE 0.6587.

    The note's numbers are right, and so is its sum
    -[log 0.6596 + log(1 - 0.5663) + log(1 - 0.5154)] / 3, as long as "lg" is read as
    the natural log: with base-10 logs the same sum is 0.2861.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCELoss.html#torch.nn.BCELoss
    """
    torch.manual_seed(1)
    x = torch.randn(3)
    target = torch.tensor([1.0, 0.0, 0.0])

    p = nn.Sigmoid()(x)
    loss = nn.BCELoss()(p, target)

    torch.testing.assert_close(x, torch.tensor([0.6614, 0.2669, 0.0617]), atol=5e-5, rtol=0)
    torch.testing.assert_close(p, torch.tensor([0.6596, 0.5663, 0.5154]), atol=5e-5, rtol=0)
    torch.testing.assert_close(loss, torch.tensor(0.6587), atol=5e-5, rtol=0)
    by_hand = -(math.log(0.6596) + math.log(1 - 0.5663) + math.log(1 - 0.5154)) / 3
    torch.testing.assert_close(loss, torch.tensor(by_hand), atol=1e-4, rtol=0)


@pytest.mark.claim("S2-113", verdict="true")
def test_bce_with_logits_equals_sigmoid_then_bce():
    """`BCEWithLogitsLoss()(x, y)` equals `BCELoss()(sigmoid(x), y)` and the written formula.

    The note is right: the logits version is sigmoid followed by binary cross-entropy
    -[y log p + (1 - y) log(1 - p)], averaged over elements.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html#torch.nn.BCEWithLogitsLoss
    """
    torch.manual_seed(1)
    x, target = torch.randn(3), torch.tensor([1.0, 0.0, 0.0])

    with_logits = nn.BCEWithLogitsLoss()(x, target)

    torch.testing.assert_close(with_logits, nn.BCELoss()(torch.sigmoid(x), target))
    torch.testing.assert_close(with_logits, bce_by_hand(torch.sigmoid(x), target))


@pytest.mark.parametrize("criterion", ["BCELoss", "BCEWithLogitsLoss"])
def test_bce_reduction_none_keeps_the_shape_sum_adds_mean_divides_by_the_count(criterion):
    """`reduction="none"` returns one loss per element in the input's shape; "sum" adds them, "mean" divides by their number.

    The shape sections allow any shape (*) for input and target; the unreduced output
    has that shape too, and the reductions run over every element.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCELoss.html#torch.nn.BCELoss
    """
    x = torch.tensor([[0.5, -1.0, 2.0], [0.0, 1.5, -0.5]])
    y = torch.tensor([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0]])
    p = torch.sigmoid(x)
    inputs = p if criterion == "BCELoss" else x
    by_hand = -(y * p.log() + (1 - y) * (1 - p).log())

    none = getattr(nn, criterion)(reduction="none")(inputs, y)
    total = getattr(nn, criterion)(reduction="sum")(inputs, y)
    mean = getattr(nn, criterion)()(inputs, y)

    assert none.shape == (2, 3)
    torch.testing.assert_close(none, by_hand)
    torch.testing.assert_close(total, by_hand.sum())
    torch.testing.assert_close(mean, by_hand.sum() / 6)


def test_bce_of_a_saturated_sigmoid_is_clamped_at_100():
    """For logit 200 and target 0, `BCELoss(sigmoid(x))` returns 100 instead of the true 200.

    sigmoid(200) rounds to exactly 1.0 in float32, so log(1 - p) = log 0 = -inf.
    `BCELoss` clamps each log at -100 to keep the loss finite, which caps every
    element's loss at 100 and hides how wrong the prediction is.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCELoss.html#torch.nn.BCELoss
    """
    x, target = torch.tensor([200.0]), torch.tensor([0.0])

    p = torch.sigmoid(x)
    loss = F.binary_cross_entropy(p, target)

    assert p.item() == 1.0
    assert loss.item() == 100.0


def test_bce_clamp_keeps_loss_and_gradient_finite_at_0_and_1():
    """At p = 0 or 1 a wrong prediction costs 100, a right one 0, and the gradient stays finite.

    Mathematically log 0 = -inf. `BCELoss` clamps each log at -100, so p = 0 with
    target 1 costs exactly 100, and p = 0 with target 0 costs 0 rather than
    0 · (-inf) = NaN. The docs add that the backward stays finite as well, so an
    optimiser never receives an infinite gradient.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCELoss.html#torch.nn.BCELoss
    """
    p = torch.tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    y = torch.tensor([1.0, 0.0, 0.0, 1.0])

    loss = F.binary_cross_entropy(p, y, reduction="none")
    loss.sum().backward()

    assert loss.tolist() == [100.0, 100.0, 0.0, 0.0]
    assert torch.isfinite(p.grad).all()
    assert p.grad[0] < 0 < p.grad[1]


def test_bce_with_logits_stays_exact_for_large_logits():
    """`BCEWithLogitsLoss` returns the true loss, 200, for logit 200 and target 0.

    Working from the logit it computes log(1 - sigmoid(x)) as -softplus(x)
    = -(max(x, 0) + log(1 + e^-|x|)), which never forms the rounded-off probability.
    Its gradient is sigmoid(x) - y, here 1, where the clamped BCE gives 0.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html#torch.nn.BCEWithLogitsLoss
    """
    x = torch.tensor([200.0], requires_grad=True)
    clamped_x = torch.tensor([200.0], requires_grad=True)
    target = torch.tensor([0.0])

    loss = F.binary_cross_entropy_with_logits(x, target)
    loss.backward()
    F.binary_cross_entropy(torch.sigmoid(clamped_x), target).backward()

    assert loss.item() == 200.0
    assert x.grad.tolist() == [1.0]
    assert clamped_x.grad.tolist() == [0.0]


@pytest.mark.claim("S2-115", verdict="false")
def test_bce_with_logits_accepts_soft_targets():
    """Targets anywhere in [0, 1] are accepted, and the formula applies to them unchanged.

    The note says the target elements can only be 0 or 1. They can be any probability:
    y = 0.3 means "positive with probability 0.3", as in label smoothing or distilling a
    teacher's sigmoid outputs. The loss is then smallest where sigmoid(x) = y, not at
    an extreme.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html#torch.nn.BCEWithLogitsLoss
    """
    x = torch.tensor([0.0, 1.0, -2.0])
    soft = torch.tensor([0.3, 0.9, 0.5])

    loss = F.binary_cross_entropy_with_logits(x, soft)

    torch.testing.assert_close(loss, bce_by_hand(torch.sigmoid(x), soft))


def test_bce_with_soft_target_is_smallest_at_the_target():
    """With target 0.3 the loss is minimised at the logit whose sigmoid is 0.3, log(0.3/0.7).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html#torch.nn.BCEWithLogitsLoss
    """
    best = math.log(0.3 / 0.7)
    x = torch.tensor([best - 0.1, best, best + 0.1])

    losses = F.binary_cross_entropy_with_logits(x, torch.full((3,), 0.3), reduction="none")

    assert losses.argmin().item() == 1


def test_pos_weight_scales_the_positive_term():
    """`pos_weight=w` multiplies the y·log p term by w, weighing positives w times more.

    It is the usual fix for rare positives: with one positive per ten negatives,
    `pos_weight=10` balances them. Negatives' loss is unchanged.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html#torch.nn.BCEWithLogitsLoss
    """
    x, y = torch.tensor([0.5, -1.0]), torch.tensor([1.0, 0.0])
    p = torch.sigmoid(x)

    loss = F.binary_cross_entropy_with_logits(x, y, pos_weight=torch.tensor(3.0), reduction="none")

    expected = -(3.0 * y * p.log() + (1 - y) * (1 - p).log())
    torch.testing.assert_close(loss, expected)


def test_pos_weight_is_one_factor_per_label():
    """A `pos_weight` of shape (M,) weighs the positives of each of the M labels by its own factor.

    In multi-label tasks each label has its own imbalance, so `pos_weight` broadcasts
    over the last (label) dimension: here label 0's positives count 1×, label 1's 4×.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html#torch.nn.BCEWithLogitsLoss
    """
    x = torch.tensor([[0.5, 0.5], [-1.0, 2.0]])
    y = torch.tensor([[1.0, 1.0], [0.0, 1.0]])
    pos_weight = torch.tensor([1.0, 4.0])
    p = torch.sigmoid(x)

    loss = nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction="none")(x, y)

    torch.testing.assert_close(loss, -(pos_weight * y * p.log() + (1 - y) * (1 - p).log()))


def test_pos_weight_3_counts_each_positive_three_times():
    """With 100 positives, 300 negatives and `pos_weight=3`, the summed loss is that of 300 positives.

    The docs' example: the imbalance 300 / 100 calls for `pos_weight` 3, and the loss
    then "acts as if the dataset contains 3 × 100 = 300 positive examples". With
    `reduction="sum"` that is exact: weighting a positive by 3 adds its term three times.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html#torch.nn.BCEWithLogitsLoss
    """
    torch.manual_seed(0)
    x = torch.randn(400)
    y = torch.cat([torch.ones(100), torch.zeros(300)])

    weighted = F.binary_cross_entropy_with_logits(x, y, pos_weight=torch.tensor([3.0]), reduction="sum")

    three_copies = torch.cat([x[:100].repeat(3), x[100:]]), torch.cat([torch.ones(300), torch.zeros(300)])
    torch.testing.assert_close(weighted, F.binary_cross_entropy_with_logits(*three_copies, reduction="sum"))


def test_pos_weight_of_ones_gives_minus_log_sigmoid_in_the_docs_example():
    """For 64 labels all positive, logits 1.5 and `pos_weight` all ones, the loss is -log σ(1.5) ≈ 0.2014.

    The docs' example: a `pos_weight` of ones changes nothing, every element's loss is
    -log σ(1.5), and so is their mean.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html#torch.nn.BCEWithLogitsLoss
    """
    target = torch.ones([10, 64], dtype=torch.float32)
    output = torch.full([10, 64], 1.5)
    criterion = nn.BCEWithLogitsLoss(pos_weight=torch.ones([64]))

    loss = criterion(output, target)

    torch.testing.assert_close(loss, torch.tensor(-math.log(1 / (1 + math.exp(-1.5)))))
    assert f"{loss.item():.2f}" == "0.20"


def test_pos_weight_of_shape_c_1_1_weighs_each_channel_of_an_image_target():
    """For a target (B, C, H, W), a `pos_weight` of shape (C, 1, 1) gives each channel its own factor at every pixel.

    `pos_weight` is broadcast with the target, so the docs' recipe for a 2-D multi-class
    target is to give it singleton spatial dimensions: here channel 0's positives count
    1×, channel 1's 2× and channel 2's 5×, the same across the batch and all pixels.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html#torch.nn.BCEWithLogitsLoss
    """
    torch.manual_seed(0)
    x = torch.randn(2, 3, 4, 4)
    y = torch.randint(0, 2, (2, 3, 4, 4)).float()
    pos_weight = torch.tensor([1.0, 2.0, 5.0]).view(3, 1, 1)
    p = torch.sigmoid(x)

    loss = F.binary_cross_entropy_with_logits(x, y, pos_weight=pos_weight, reduction="none")

    torch.testing.assert_close(loss, -(pos_weight * y * p.log() + (1 - y) * (1 - p).log()))


def test_pos_weight_must_match_the_class_dimension():
    """A `pos_weight` with 2 entries for 3 classes raises instead of broadcasting.

    The docs require as many entries along the class dimension as there are classes;
    (2,) does not broadcast against a (2, 3) target.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html#torch.nn.BCEWithLogitsLoss
    """
    x, y = torch.zeros(2, 3), torch.ones(2, 3)

    with raises_exactly(
        RuntimeError, match=r"The size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton dimension 1"
    ):
        F.binary_cross_entropy_with_logits(x, y, pos_weight=torch.ones(2))


@pytest.mark.parametrize("criterion", ["BCELoss", "BCEWithLogitsLoss"])
def test_bce_weight_rescales_each_element(criterion):
    """`weight` multiplies each element's loss, positive or negative alike, before the reduction.

    Unlike `pos_weight` it does not single out positives, and unlike `CrossEntropyLoss`'s
    class `weight` the mean still divides by the number of elements, not by the weights.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCELoss.html#torch.nn.BCELoss
    """
    x, y = torch.tensor([0.5, -1.0, 2.0]), torch.tensor([1.0, 0.0, 0.0])
    w = torch.tensor([1.0, 2.0, 0.0])
    p = torch.sigmoid(x)
    inputs = p if criterion == "BCELoss" else x

    loss = getattr(nn, criterion)(weight=w)(inputs, y)

    torch.testing.assert_close(loss, (w * -(y * p.log() + (1 - y) * (1 - p).log())).mean())


@pytest.mark.docs_erratum("weight: a manual rescaling weight given to the loss of each batch element; has to be a Tensor of size nbatch")
def test_bce_weight_broadcasts_against_the_input_not_the_batch():
    """`BCELoss`'s `weight` is broadcast to the input's shape: a weight of shape (N,) scales the last dimension, not the samples.

    The BCELoss page says `weight` is given to "the loss of each batch element" and has
    to be a tensor of size nbatch. That is true for 1-D input only. The weight is
    broadcast like any tensor, so for a 2 × 2 input the weight [1, 0] zeroes column 1,
    not sample 1; to weigh samples give it the shape (N, 1). (The BCEWithLogitsLoss
    page describes this broadcasting correctly.)

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCELoss.html#torch.nn.BCELoss
    """
    p = torch.tensor([[0.2, 0.7], [0.6, 0.4]])
    y = torch.tensor([[0.0, 1.0], [1.0, 1.0]])
    elementwise = F.binary_cross_entropy(p, y, reduction="none")

    size_n = nn.BCELoss(weight=torch.tensor([1.0, 0.0]), reduction="none")(p, y)
    per_sample = nn.BCELoss(weight=torch.tensor([[1.0], [0.0]]), reduction="none")(p, y)

    torch.testing.assert_close(size_n, elementwise * torch.tensor([[1.0, 0.0], [1.0, 0.0]]))
    torch.testing.assert_close(per_sample, elementwise * torch.tensor([[1.0, 1.0], [0.0, 0.0]]))


def test_bce_with_logits_weight_broadcasts_to_the_output_shape():
    """`BCEWithLogitsLoss`'s `weight` broadcasts to the output's shape: (M,) weighs labels, (N, 1) weighs samples.

    As its page says, the weight's dimensions follow the broadcasting rules with respect
    to the target's shape.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html#torch.nn.BCEWithLogitsLoss
    """
    x = torch.tensor([[0.5, -1.0, 2.0], [0.0, 1.5, -0.5]])
    y = torch.tensor([[1.0, 0.0, 0.0], [1.0, 1.0, 0.0]])
    elementwise = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    per_label, per_sample = torch.tensor([1.0, 2.0, 0.0]), torch.tensor([[3.0], [0.5]])

    by_label = nn.BCEWithLogitsLoss(weight=per_label, reduction="none")(x, y)
    by_sample = nn.BCEWithLogitsLoss(weight=per_sample, reduction="none")(x, y)

    torch.testing.assert_close(by_label, elementwise * per_label)
    torch.testing.assert_close(by_sample, elementwise * per_sample)


@pytest.mark.claim("S2-114", verdict="true")
@pytest.mark.parametrize("shape", [(4,), (4, 3)], ids=["binary-N", "multilabel-NxM"])
def test_bce_takes_input_and_target_of_one_shape(shape):
    """BCE takes (N) input and target for binary tasks and (N, M) for M labels per sample.

    The note is right. In the multi-label case each of the M entries is its own yes/no
    question (flower? house? cat?), and the mean runs over all N · M entries.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html#torch.nn.BCEWithLogitsLoss
    """
    torch.manual_seed(0)
    x = torch.randn(shape)
    y = torch.randint(0, 2, shape).float()

    loss = F.binary_cross_entropy_with_logits(x, y)

    assert loss.shape == ()
    torch.testing.assert_close(loss, bce_by_hand(torch.sigmoid(x), y))


def test_bce_with_logits_rejects_a_target_of_another_shape():
    """A (N, 1) target for an (N) input raises a ValueError instead of broadcasting.

    Broadcasting (2,) against (2, 1) would silently compare every prediction with every
    label; the BCE losses refuse it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html#torch.nn.BCEWithLogitsLoss
    """
    x, y = torch.zeros(2), torch.tensor([[1.0], [0.0]])

    with raises_exactly(ValueError, match=r"Target size \(torch.Size\(\[2, 1\]\)\) must be the same as input size"):
        F.binary_cross_entropy_with_logits(x, y)
    with raises_exactly(ValueError, match="different to the input size"):
        F.binary_cross_entropy(torch.sigmoid(x), y)


def test_bce_rejects_input_outside_0_1():
    """`BCELoss` raises for an input outside [0, 1]: it wants probabilities, not logits.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCELoss.html#torch.nn.BCELoss
    """
    logits = torch.tensor([1.5, -0.5])

    with raises_exactly(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(logits, torch.tensor([1.0, 0.0]))


@pytest.mark.torch_version(">=2.1")
def test_bce_rejects_a_target_outside_0_1():
    """`BCELoss` raises for a target outside [0, 1].

    The docs say the targets should be numbers between 0 and 1, and `BCELoss` checks
    it: a target of 1.5 is not a probability. torch 2.0 did not check it on the CPU (seen
    on 2.0.1).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCELoss.html#torch.nn.BCELoss
    """
    p = torch.tensor([0.5, 0.5])

    with raises_exactly(RuntimeError, match="all elements of target should be between 0 and 1"):
        F.binary_cross_entropy(p, torch.tensor([1.5, 0.0]))


def test_bce_with_logits_does_not_check_the_target_range():
    """`BCEWithLogitsLoss` accepts a target of 1.5 and applies the formula to it.

    Its page asks for targets between 0 and 1 as well, but unlike `BCELoss` it does not
    check them: the loss is computed, and can even fall below zero. Keeping the targets
    in range is the caller's job.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html#torch.nn.BCEWithLogitsLoss
    """
    x, y = torch.tensor([3.0]), torch.tensor([1.5])
    p = torch.sigmoid(x)

    loss = F.binary_cross_entropy_with_logits(x, y)

    torch.testing.assert_close(loss, -(y * p.log() + (1 - y) * (1 - p).log())[0])
    assert loss.item() < 0


def test_bce_defaults_have_no_weights_and_take_the_mean():
    """By default `BCELoss` and `BCEWithLogitsLoss` have no `weight`, no `pos_weight` and take the mean.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html#torch.nn.BCEWithLogitsLoss
    """
    bce, with_logits = nn.BCELoss(), nn.BCEWithLogitsLoss()

    assert (bce.weight, bce.reduction) == (None, "mean")
    assert (with_logits.weight, with_logits.pos_weight, with_logits.reduction) == (None, None, "mean")


@pytest.mark.parametrize("criterion", ["BCELoss", "BCEWithLogitsLoss"])
def test_bce_size_average_and_reduce_are_deprecated_for_reduction(criterion):
    """`size_average=False` warns and sums; `reduce=False` warns and keeps the elementwise losses.

    Both flags are documented as deprecated in favour of `reduction`. The constructor
    translates each into the `reduction` it stands for, and its UserWarning names the
    value to write instead.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCELoss.html#torch.nn.BCELoss
    """
    x, y = torch.tensor([0.5, -1.0, 2.0]), torch.tensor([1.0, 0.0, 0.0])
    p = torch.sigmoid(x)
    inputs = p if criterion == "BCELoss" else x

    with warns_exactly(UserWarning, match="size_average and reduce args will be deprecated, please use reduction='sum' instead"):
        summed = getattr(nn, criterion)(size_average=False)
    with warns_exactly(UserWarning, match="size_average and reduce args will be deprecated, please use reduction='none' instead"):
        unreduced = getattr(nn, criterion)(reduce=False)

    by_hand = -(y * p.log() + (1 - y) * (1 - p).log())
    assert (summed.reduction, unreduced.reduction) == ("sum", "none")
    torch.testing.assert_close(summed(inputs, y), by_hand.sum())
    torch.testing.assert_close(unreduced(inputs, y), by_hand)
