"""Regression losses and the reduction argument

`MSELoss`, `L1Loss`, `SmoothL1Loss` and `HuberLoss` compare a prediction with a target of
the same shape, element by element, then reduce: `reduction="mean"` (the default) averages,
`"sum"` adds, `"none"` returns the elementwise losses. The old `size_average` and `reduce`
flags still work but are deprecated in favour of `reduction`.
"""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from torchref import raises_exactly, warns_exactly

PRED = torch.tensor([0.0, 1.0, 4.0])
TARGET = torch.tensor([0.5, 1.0, 1.0])  # differences -0.5, 0, 3


@pytest.mark.claim("S1-040", verdict="true")
def test_mse_loss_is_the_mean_of_squared_differences():
    """`nn.MSELoss()` returns the mean of (input - target)².

    The note is right. Here the differences are -0.5, 0 and 3, so the loss is
    (0.25 + 0 + 9) / 3.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MSELoss.html
    """
    criterion = nn.MSELoss()

    loss = criterion(PRED, TARGET)

    torch.testing.assert_close(loss, torch.tensor((0.25 + 0.0 + 9.0) / 3))


def test_l1_loss_is_the_mean_of_absolute_differences():
    """`nn.L1Loss()` returns the mean of |input - target|.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.L1Loss.html
    """
    loss = nn.L1Loss()(PRED, TARGET)

    torch.testing.assert_close(loss, torch.tensor((0.5 + 0.0 + 3.0) / 3))


@pytest.mark.parametrize(
    ("reduction", "expected"),
    [("none", [0.25, 0.0, 9.0]), ("sum", 9.25), ("mean", 9.25 / 3)],
    ids=["none", "sum", "mean"],
)
def test_reduction_chooses_how_elementwise_losses_combine(reduction, expected):
    """`reduction` returns the elementwise losses ("none"), their sum, or their mean.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MSELoss.html
    """
    loss = F.mse_loss(PRED, TARGET, reduction=reduction)

    torch.testing.assert_close(loss, torch.tensor(expected))


def test_reduction_rejects_an_unknown_name():
    """A `reduction` other than "none", "mean" or "sum" raises a ValueError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MSELoss.html
    """
    with raises_exactly(ValueError, match="avg is not a valid value for reduction"):
        F.mse_loss(PRED, TARGET, reduction="avg")


@pytest.mark.claim("S4-024", verdict="outdated")
def test_l1_loss_size_average_is_deprecated_for_reduction():
    """`L1Loss(size_average=False)` warns and becomes `reduction="sum"`.

    The note describes L1Loss as taking a parameter that marks whether to average. That
    was `size_average` (with `reduce`) before PyTorch 0.4.1; today it is deprecated and
    translated into `reduction`, with a warning telling you the replacement. Write
    `reduction="mean"` or `reduction="sum"` instead.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.L1Loss.html
    """
    with warns_exactly(UserWarning, match="size_average and reduce args will be deprecated, please use reduction='sum'"):
        criterion = nn.L1Loss(size_average=False)

    assert criterion.reduction == "sum"
    assert criterion(PRED, TARGET).item() == 3.5


@pytest.mark.parametrize("size_average", [None, True, False], ids=["size_average-unset", "size_average-True", "size_average-False"])
def test_reduce_false_is_deprecated_for_reduction_none(size_average):
    """`reduce=False` warns and becomes `reduction="none"`, whatever `size_average` says.

    `reduce` decides whether to reduce at all; `size_average` only chose between mean and
    sum, so once `reduce=False` it has nothing left to choose.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MSELoss.html
    """
    with warns_exactly(UserWarning, match="size_average and reduce args will be deprecated, please use reduction='none' instead"):
        criterion = nn.MSELoss(size_average=size_average, reduce=False)

    assert criterion.reduction == "none"
    assert criterion(PRED, TARGET).tolist() == [0.25, 0.0, 9.0]


def test_legacy_size_average_overrides_reduction():
    """Given `size_average` or `reduce`, a loss ignores its `reduction` argument.

    The docs say so in a note: while the two flags are being deprecated, specifying either
    of them overrides `reduction`. `MSELoss(size_average=True, reduction="sum")` averages.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MSELoss.html
    """
    with warns_exactly(UserWarning, match="please use reduction='mean' instead"):
        criterion = nn.MSELoss(size_average=True, reduction="sum")

    assert criterion.reduction == "mean"
    torch.testing.assert_close(criterion(PRED, TARGET), torch.tensor((0.25 + 0.0 + 9.0) / 3))


def test_smooth_l1_is_quadratic_below_beta_and_linear_above():
    """`smooth_l1_loss` is 0.5·d²/β for |d| < β and |d| - 0.5·β beyond.

    It behaves like MSE near the target (smooth gradient at 0) and like L1 far from it
    (outliers pull with constant force). With β = 1: d = -0.5 gives 0.125, d = 3 gives
    2.5.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.SmoothL1Loss.html
    """
    loss = F.smooth_l1_loss(PRED, TARGET, reduction="none")

    assert loss.tolist() == [0.125, 0.0, 2.5]


def test_smooth_l1_beta_moves_the_switch_point():
    """With `beta=2` the difference 0.5 gets 0.5·0.25/2 and the difference 3 gets 3 - 1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.SmoothL1Loss.html
    """
    loss = F.smooth_l1_loss(PRED, TARGET, beta=2.0, reduction="none")

    assert loss.tolist() == [0.0625, 0.0, 2.0]


def test_smooth_l1_with_beta_zero_is_l1():
    """`beta=0` leaves no quadratic zone, so SmoothL1 equals L1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.SmoothL1Loss.html
    """
    loss = F.smooth_l1_loss(PRED, TARGET, beta=0.0)

    assert loss.item() == F.l1_loss(PRED, TARGET).item()


def test_huber_is_delta_times_smooth_l1_with_beta_delta():
    """`huber_loss` with `delta=δ` is 0.5·d² for |d| ≤ δ and δ·(|d| - 0.5·δ) beyond: δ times SmoothL1 with β = δ.

    The two differ only by that factor: Huber keeps the quadratic part equal to
    0.5·d² whatever δ is, while SmoothL1 keeps the linear part's slope at 1. With the
    default 1 they are the same function.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.HuberLoss.html
    """
    huber = F.huber_loss(PRED, TARGET, delta=2.0, reduction="none")

    assert huber.tolist() == [0.125, 0.0, 2.0 * (3.0 - 1.0)]
    torch.testing.assert_close(huber, 2.0 * F.smooth_l1_loss(PRED, TARGET, beta=2.0, reduction="none"))
    torch.testing.assert_close(F.huber_loss(PRED, TARGET), F.smooth_l1_loss(PRED, TARGET))


@pytest.mark.claim("S2-099", verdict="true")
@pytest.mark.parametrize("shape", [(4,), (4, 3), (4, 3, 2)], ids=["N", "NxD", "NxDxE"])
def test_pointwise_losses_take_input_and_target_of_one_shape(shape):
    """MSE, L1 and KLDiv accept any shape (N, *) as long as target and input share it.

    The note is right: these losses are elementwise, so any number of trailing
    dimensions works, and "mean" averages over every element.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MSELoss.html
    """
    torch.manual_seed(0)
    x, y = torch.randn(shape), torch.randn(shape)

    mse, l1 = F.mse_loss(x, y), F.l1_loss(x, y)

    torch.testing.assert_close(mse, ((x - y) ** 2).mean())
    torch.testing.assert_close(l1, (x - y).abs().mean())
    assert F.kl_div(x, y.softmax(-1), reduction="none").shape == shape


def test_mse_broadcasts_a_mismatched_target_with_a_warning():
    """An (N, 1) input against an (N) target broadcasts to (N, N) and warns.

    A regression head often returns shape (N, 1) while the labels are (N). MSE then
    compares every prediction with every label, an N × N table, and the loss is
    quietly wrong: here 1.0 instead of 0. The warning is the only hint; fix it with
    `pred.squeeze(1)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MSELoss.html
    """
    pred = torch.tensor([[0.0], [1.0]])
    target = torch.tensor([0.0, 1.0])

    with warns_exactly(UserWarning, match="that is different to the input size"):
        loss = F.mse_loss(pred, target)

    assert loss.item() == (0 + 1 + 1 + 0) / 4
    assert F.mse_loss(pred.squeeze(1), target).item() == 0.0


def test_mse_rejects_shapes_that_do_not_broadcast():
    """Input (3) against target (4) cannot broadcast and raises after the warning.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MSELoss.html
    """
    pred, target = torch.zeros(3), torch.zeros(4)

    with warns_exactly(UserWarning, match="different to the input size"):
        with raises_exactly(RuntimeError, match="must match the size of tensor b"):
            F.mse_loss(pred, target)
