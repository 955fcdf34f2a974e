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

from torchref import raises_exactly


def bce_by_hand(p, y):
    return -(y * p.log() + (1 - y) * (1 - p).log()).mean()


@pytest.mark.claim("S2-116", verdict="true")
def test_worked_example_bce_is_0_6587():
    """Seed 1, `randn(3)` and target [1, 0, 0] give sigmoid [0.6596, 0.5663, 0.5154] and BCE 0.6587.

    The note's numbers are right, and so is its sum
    -[log 0.6596 + log(1 - 0.5663) + log(1 - 0.5154)] / 3, as long as "lg" is read as
    the natural log: with base-10 logs the same sum is 0.2861.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCELoss.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html
    """
    torch.manual_seed(1)
    x, target = torch.randn(3), torch.tensor([1.0, 0.0, 0.0])

    with_logits = nn.BCEWithLogitsLoss()(x, target)

    torch.testing.assert_close(with_logits, nn.BCELoss()(torch.sigmoid(x), target))
    torch.testing.assert_close(with_logits, bce_by_hand(torch.sigmoid(x), target))


def test_bce_of_a_saturated_sigmoid_is_clamped_at_100():
    """For logit 200 and target 0, `BCELoss(sigmoid(x))` returns 100 instead of the true 200.

    sigmoid(200) rounds to exactly 1.0 in float32, so log(1 - p) = log 0 = -inf.
    `BCELoss` clamps each log at -100 to keep the loss finite, which caps every
    element's loss at 100 and hides how wrong the prediction is.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCELoss.html
    """
    x, target = torch.tensor([200.0]), torch.tensor([0.0])

    p = torch.sigmoid(x)
    loss = F.binary_cross_entropy(p, target)

    assert p.item() == 1.0
    assert loss.item() == 100.0


def test_bce_with_logits_stays_exact_for_large_logits():
    """`BCEWithLogitsLoss` returns the true loss, 200, for logit 200 and target 0.

    Working from the logit it computes log(1 - sigmoid(x)) as -softplus(x)
    = -(max(x, 0) + log(1 + e^-|x|)), which never forms the rounded-off probability.
    Its gradient is sigmoid(x) - y, here 1, where the clamped BCE gives 0.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html
    """
    x = torch.tensor([0.0, 1.0, -2.0])
    soft = torch.tensor([0.3, 0.9, 0.5])

    loss = F.binary_cross_entropy_with_logits(x, soft)

    torch.testing.assert_close(loss, bce_by_hand(torch.sigmoid(x), soft))


def test_bce_with_soft_target_is_smallest_at_the_target():
    """With target 0.3 the loss is minimised at the logit whose sigmoid is 0.3, log(0.3/0.7).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html
    """
    best = math.log(0.3 / 0.7)
    x = torch.tensor([best - 0.1, best, best + 0.1])

    losses = F.binary_cross_entropy_with_logits(x, torch.full((3,), 0.3), reduction="none")

    assert losses.argmin().item() == 1


def test_pos_weight_scales_the_positive_term():
    """`pos_weight=w` multiplies the y·log p term by w, weighing positives w times more.

    It is the usual fix for rare positives: with one positive per ten negatives,
    `pos_weight=10` balances them. Negatives' loss is unchanged.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html
    """
    x = torch.tensor([[0.5, 0.5], [-1.0, 2.0]])
    y = torch.tensor([[1.0, 1.0], [0.0, 1.0]])
    pos_weight = torch.tensor([1.0, 4.0])
    p = torch.sigmoid(x)

    loss = nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction="none")(x, y)

    torch.testing.assert_close(loss, -(pos_weight * y * p.log() + (1 - y) * (1 - p).log()))


@pytest.mark.parametrize("criterion", ["BCELoss", "BCEWithLogitsLoss"])
def test_bce_weight_rescales_each_element(criterion):
    """`weight` multiplies each element's loss, positive or negative alike, before the reduction.

    Unlike `pos_weight` it does not single out positives, and unlike `CrossEntropyLoss`'s
    class `weight` the mean still divides by the number of elements, not by the weights.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCELoss.html
    """
    x, y = torch.tensor([0.5, -1.0, 2.0]), torch.tensor([1.0, 0.0, 0.0])
    w = torch.tensor([1.0, 2.0, 0.0])
    p = torch.sigmoid(x)
    inputs = p if criterion == "BCELoss" else x

    loss = getattr(nn, criterion)(weight=w)(inputs, y)

    torch.testing.assert_close(loss, (w * -(y * p.log() + (1 - y) * (1 - p).log())).mean())


@pytest.mark.claim("S2-114", verdict="true")
@pytest.mark.parametrize("shape", [(4,), (4, 3)], ids=["binary-N", "multilabel-NxM"])
def test_bce_takes_input_and_target_of_one_shape(shape):
    """BCE takes (N) input and target for binary tasks and (N, M) for M labels per sample.

    The note is right. In the multi-label case each of the M entries is its own yes/no
    question (flower? house? cat?), and the mean runs over all N · M entries.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCEWithLogitsLoss.html
    """
    x, y = torch.zeros(2), torch.tensor([[1.0], [0.0]])

    with raises_exactly(ValueError, match=r"Target size \(torch.Size\(\[2, 1\]\)\) must be the same as input size"):
        F.binary_cross_entropy_with_logits(x, y)
    with raises_exactly(ValueError, match="different to the input size"):
        F.binary_cross_entropy(torch.sigmoid(x), y)


def test_bce_rejects_input_outside_0_1():
    """`BCELoss` raises for an input outside [0, 1]: it wants probabilities, not logits.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BCELoss.html
    """
    logits = torch.tensor([1.5, -0.5])

    with raises_exactly(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(logits, torch.tensor([1.0, 0.0]))
