"""KL divergence

`F.kl_div(input, target)` computes the pointwise terms target · (log target - input): the
*input* is a log-probability (what a model's `log_softmax` returns) and the *target* a
probability. Which of the two goes where, and what the reduction divides by, are the two
places this loss trips people up.
"""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from torchref import warns_exactly

X = [0.4, 0.4, 0.2]  # the note's prediction
Y = [0.5, 0.1, 0.4]  # the note's target distribution
KL_Y_X = 0.5 * math.log(0.5 / 0.4) + 0.1 * math.log(0.1 / 0.4) + 0.4 * math.log(0.4 / 0.2)


@pytest.mark.claim("S2-111", verdict="true")
def test_kl_div_takes_log_probabilities_and_probabilities():
    """`kl_div(log x, y, reduction="sum")` is Σ y · log(y / x), the KL divergence of y from x.

    The note is right: the input must already be a log-probability, the target a plain
    probability. The order is the reverse of the math notation KL(y ‖ x): the
    distribution you compare against goes second.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.kl_div.html#torch.nn.functional.kl_div
    """
    x, y = torch.tensor(X), torch.tensor(Y)

    kl = F.kl_div(x.log(), y, reduction="sum")

    torch.testing.assert_close(kl, torch.tensor(KL_Y_X))
    torch.testing.assert_close(kl, (y * (y.log() - x.log())).sum())


def test_kl_div_with_probabilities_as_input_is_wrong():
    """Passing `x` instead of `log x` gives a different number, often negative.

    `kl_div` never takes the log of its input: it computes y · (log y - input). Handed
    the raw probabilities, it subtracts 0.4 where it should subtract log 0.4 = -0.92,
    and the "divergence" comes out below zero, which a true KL never does.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.kl_div.html#torch.nn.functional.kl_div
    """
    x, y = torch.tensor(X), torch.tensor(Y)

    wrong = F.kl_div(x, y, reduction="sum")

    torch.testing.assert_close(wrong, (y * (y.log() - x)).sum())
    assert wrong.item() < 0


@pytest.mark.claim("S2-109", verdict="true")
def test_kl_div_is_non_negative_and_zero_for_equal_distributions():
    """KL divergence is zero when the two distributions are equal and positive otherwise.

    The note is right. By Jensen's inequality Σ y log(y/x) ≥ -log Σ x = 0, with
    equality only when x = y. Checked on the note's pair and on random pairs.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.KLDivLoss.html#torch.nn.KLDivLoss
    """
    torch.manual_seed(0)
    p = F.softmax(torch.randn(100, 5), dim=1)
    q = F.softmax(torch.randn(100, 5), dim=1)

    same = F.kl_div(p.log(), p, reduction="none").sum(dim=1)
    different = F.kl_div(q.log(), p, reduction="none").sum(dim=1)

    torch.testing.assert_close(same, torch.zeros(100))
    assert (different > 0).all()


def test_kl_div_treats_zero_target_terms_as_zero():
    """A target probability of 0 contributes 0, not NaN.

    By convention 0 · log 0 = 0: an outcome the target never produces costs nothing.
    `kl_div` follows it, although log 0 = -inf and 0 · -inf would be NaN in plain
    arithmetic.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.kl_div.html#torch.nn.functional.kl_div
    """
    log_x = torch.tensor([0.5, 0.5]).log()
    y = torch.tensor([1.0, 0.0])

    terms = F.kl_div(log_x, y, reduction="none")

    torch.testing.assert_close(terms, torch.tensor([math.log(2.0), 0.0]))


@pytest.mark.claim("S2-112", verdict="true")
def test_worked_example_batchmean_of_a_1d_input_is_kl_over_3():
    """For the note's 1-D x and y, `reduction="batchmean"` gives 0.0834 = Σ y log(y/x) / 3.

    The note's number is right, and so is its check `matmul(y, log(y/x)) / len(x)`. But
    look at what it divides by: "batchmean" divides the sum by `input.size(0)`, and for
    a 1-D input that is the number of *classes*, 3. The KL divergence of y from x is
    0.2502; 0.0834 is a third of it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.kl_div.html#torch.nn.functional.kl_div
    """
    x, y = torch.tensor(X), torch.tensor(Y)

    kl_mean = F.kl_div(torch.log(x), y, reduction="batchmean")

    torch.testing.assert_close(kl_mean, torch.tensor(0.0834), atol=5e-5, rtol=0)
    torch.testing.assert_close(kl_mean, torch.matmul(y, torch.log(y / x)) / len(x))
    torch.testing.assert_close(kl_mean, torch.tensor(KL_Y_X / 3))


def test_batchmean_of_one_distribution_needs_a_batch_dimension():
    """With a leading batch dimension of 1, `batchmean` returns the KL divergence itself, 0.2502.

    `batchmean` means "sum over everything, divide by the batch size", and it assumes
    dimension 0 is the batch. Give a single distribution the shape (1, C) and the batch
    size is 1, so the result is the full Σ y log(y/x).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.kl_div.html#torch.nn.functional.kl_div
    """
    x, y = torch.tensor([X]), torch.tensor([Y])

    kl = F.kl_div(x.log(), y, reduction="batchmean")

    torch.testing.assert_close(kl, torch.tensor(KL_Y_X))
    torch.testing.assert_close(kl, torch.tensor(0.2502), atol=5e-5, rtol=0)


def test_mean_reduction_divides_by_every_element_and_warns():
    """`reduction="mean"` divides by N · C rather than by N, and warns about it.

    For a batch of 2 distributions over 3 classes, "mean" divides the summed terms by
    6, "batchmean" by 2. Only "batchmean" gives the average KL divergence per sample,
    the quantity in the maths; "mean" is kept for compatibility and warns.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.KLDivLoss.html#torch.nn.KLDivLoss
    """
    log_x, y = torch.tensor([X, Y]).log(), torch.tensor([Y, X])
    total = F.kl_div(log_x, y, reduction="sum")

    with warns_exactly(UserWarning, match="'mean' divides the total loss by both the batch size and the support size"):
        mean = F.kl_div(log_x, y, reduction="mean")
    batchmean = F.kl_div(log_x, y, reduction="batchmean")

    torch.testing.assert_close(mean, total / 6)
    torch.testing.assert_close(batchmean, total / 2)


def test_kl_div_default_reduction_is_mean():
    """Calling `kl_div` without `reduction` uses "mean", so it warns too.

    The default cannot change without breaking old code, so the safe habit is to pass
    `reduction="batchmean"` every time.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.KLDivLoss.html#torch.nn.KLDivLoss
    """
    log_x, y = torch.tensor([X]).log(), torch.tensor([Y])

    with warns_exactly(UserWarning, match="'mean' divides the total loss"):
        default = F.kl_div(log_x, y)

    torch.testing.assert_close(default, torch.tensor(KL_Y_X / 3))


def test_log_target_takes_the_target_as_log_probabilities():
    """With `log_target=True` both arguments are log-probabilities and the result is unchanged.

    The pointwise term becomes `target.exp() * (target - input)`, the same number as
    y · (log y - input) for target = log y. Passing log y avoids computing log(y) inside the loss, which matters when y has
    entries so small that they underflow to 0 as probabilities (common in distillation
    with sharp teachers).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.kl_div.html#torch.nn.functional.kl_div
    """
    x, y = torch.tensor([X]), torch.tensor([Y])

    kl = F.kl_div(x.log(), y.log(), reduction="batchmean", log_target=True)
    terms = F.kl_div(x.log(), y.log(), reduction="none", log_target=True)

    torch.testing.assert_close(kl, F.kl_div(x.log(), y, reduction="batchmean"))
    torch.testing.assert_close(terms, y.log().exp() * (y.log() - x.log()))


def test_kl_div_is_not_symmetric():
    """Swapping the distributions changes the result: KL(y ‖ x) ≠ KL(x ‖ y).

    KL divergence is not a distance. For the note's pair it is 0.250 one way and
    0.327 the other; which one you want depends on which distribution you trust.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.kl_div.html#torch.nn.functional.kl_div
    """
    x, y = torch.tensor([X]), torch.tensor([Y])

    y_from_x = F.kl_div(x.log(), y, reduction="batchmean")
    x_from_y = F.kl_div(y.log(), x, reduction="batchmean")

    expected = 0.4 * math.log(0.4 / 0.5) + 0.4 * math.log(0.4 / 0.1) + 0.2 * math.log(0.2 / 0.4)
    torch.testing.assert_close(x_from_y, torch.tensor(expected))
    torch.testing.assert_close(y_from_x, torch.tensor(KL_Y_X))
    assert abs(y_from_x.item() - x_from_y.item()) > 0.01


def test_kl_div_loss_module_holds_reduction_and_log_target():
    """`nn.KLDivLoss(reduction="batchmean", log_target=True)` computes what `F.kl_div` does with those options.

    The module stores the two options and calls `F.kl_div(input, target, ...)` in
    `forward`, with the same order: log-probabilities first, then the target. Its
    defaults are `reduction="mean"` and `log_target=False`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.KLDivLoss.html#torch.nn.KLDivLoss
    """
    log_x, y = torch.tensor([X, Y]).log(), torch.tensor([Y, X])
    criterion = nn.KLDivLoss(reduction="batchmean", log_target=True)

    loss = criterion(log_x, y.log())

    torch.testing.assert_close(loss, (y * (y.log() - log_x)).sum() / 2)
    assert (nn.KLDivLoss().reduction, nn.KLDivLoss().log_target) == ("mean", False)


def test_kl_div_loss_output_is_a_scalar_unless_reduction_is_none():
    """Input and target of any one shape give a 0-d loss, or with `reduction="none"` a loss of that shape.

    The shape section allows any shape (*) for the input, the same for the target, and
    returns a scalar except for "none", which keeps every pointwise term.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.KLDivLoss.html#torch.nn.KLDivLoss
    """
    torch.manual_seed(0)
    log_x = F.log_softmax(torch.randn(2, 3, 4), dim=-1)
    y = F.softmax(torch.randn(2, 3, 4), dim=-1)

    terms = nn.KLDivLoss(reduction="none")(log_x, y)
    total = nn.KLDivLoss(reduction="sum")(log_x, y)

    assert terms.shape == (2, 3, 4)
    assert total.shape == ()
    torch.testing.assert_close(terms, y * (y.log() - log_x))
    torch.testing.assert_close(total, terms.sum())


def test_kl_div_loss_size_average_and_reduce_are_deprecated_for_reduction():
    """`KLDivLoss(size_average=False)` warns and sums; `reduce=False` warns and keeps the pointwise terms.

    Both flags are documented as deprecated in favour of `reduction`. The constructor
    translates each into the `reduction` it stands for, and its UserWarning names the
    value to write instead. Neither gives "batchmean": write that one yourself.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.KLDivLoss.html#torch.nn.KLDivLoss
    """
    log_x, y = torch.tensor([X, Y]).log(), torch.tensor([Y, X])

    with warns_exactly(UserWarning, match="size_average and reduce args will be deprecated, please use reduction='sum' instead"):
        summed = nn.KLDivLoss(size_average=False)
    with warns_exactly(UserWarning, match="size_average and reduce args will be deprecated, please use reduction='none' instead"):
        unreduced = nn.KLDivLoss(reduce=False)

    assert (summed.reduction, unreduced.reduction) == ("sum", "none")
    torch.testing.assert_close(unreduced(log_x, y), y * (y.log() - log_x))
    torch.testing.assert_close(summed(log_x, y), (y * (y.log() - log_x)).sum())
