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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MSELoss.html#torch.nn.MSELoss
    """
    criterion = nn.MSELoss()

    loss = criterion(PRED, TARGET)

    torch.testing.assert_close(loss, torch.tensor((0.25 + 0.0 + 9.0) / 3))


def test_l1_loss_is_the_mean_of_absolute_differences():
    """`nn.L1Loss()` returns the mean of |input - target|.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.L1Loss.html#torch.nn.L1Loss
    """
    loss = nn.L1Loss()(PRED, TARGET)

    torch.testing.assert_close(loss, torch.tensor((0.5 + 0.0 + 3.0) / 3))


def test_mse_loss_sum_is_the_squared_l2_norm_of_the_difference():
    """`MSELoss(reduction="sum")` is ‖x - y‖², the squared L2 norm the page names.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MSELoss.html#torch.nn.MSELoss
    """
    total = nn.MSELoss(reduction="sum")(PRED, TARGET)

    torch.testing.assert_close(total, torch.linalg.vector_norm(PRED - TARGET) ** 2)
    assert total.item() == 0.25 + 0.0 + 9.0


def test_l1_loss_sum_adds_without_dividing_by_n():
    """`L1Loss(reduction="sum")` adds the absolute differences and divides by nothing: 3.5 here, not 3.5 / 3.

    The page describes the default: the sum runs over all the elements and is divided by
    n, "the division by n can be avoided if one sets `reduction = 'sum'`". So "mean" is
    exactly "sum" over n.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.L1Loss.html#torch.nn.L1Loss
    """
    total = nn.L1Loss(reduction="sum")(PRED, TARGET)

    assert total.item() == 0.5 + 0.0 + 3.0
    torch.testing.assert_close(nn.L1Loss(reduction="mean")(PRED, TARGET), total / 3)


def test_l1_loss_supports_complex_inputs():
    """For complex input and target, `L1Loss` is the mean of the moduli |x - y|, a real number.

    The page says L1Loss supports complex-valued inputs: |x - y| is then the modulus of
    a complex difference, here |1 + 1j| = √2 and |-3 - 4j| = 5, and the loss is real,
    float32 for complex64 inputs.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.L1Loss.html#torch.nn.L1Loss
    """
    x = torch.tensor([1 + 1j, 0j])
    y = torch.tensor([0j, 3 + 4j])

    loss = nn.L1Loss()(x, y)

    assert x.dtype == torch.complex64
    assert loss.dtype == torch.float32
    torch.testing.assert_close(loss, torch.tensor((2**0.5 + 5.0) / 2))


@pytest.mark.parametrize(
    ("reduction", "expected"),
    [("none", [0.25, 0.0, 9.0]), ("sum", 9.25), ("mean", 9.25 / 3)],
    ids=["none", "sum", "mean"],
)
def test_reduction_chooses_how_elementwise_losses_combine(reduction, expected):
    """`reduction` returns the elementwise losses ("none"), their sum, or their mean.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MSELoss.html#torch.nn.MSELoss
    """
    loss = F.mse_loss(PRED, TARGET, reduction=reduction)

    torch.testing.assert_close(loss, torch.tensor(expected))


def test_reduction_rejects_an_unknown_name():
    """A `reduction` other than "none", "mean" or "sum" raises a ValueError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MSELoss.html#torch.nn.MSELoss
    """
    with raises_exactly(ValueError, match="avg is not a valid value for reduction"):
        F.mse_loss(PRED, TARGET, reduction="avg")


@pytest.mark.parametrize("criterion", ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss"])
def test_regression_losses_keep_the_input_shape_with_reduction_none(criterion):
    """With `reduction="none"` each regression loss returns a tensor of the input's shape; by default a 0-d mean.

    The shape sections allow any shape (*) for input and target, and give the unreduced
    output that same shape. All four default to `reduction="mean"`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MSELoss.html#torch.nn.MSELoss
    """
    torch.manual_seed(0)
    x, y = torch.randn(2, 3, 4), torch.randn(2, 3, 4)

    unreduced = getattr(nn, criterion)(reduction="none")(x, y)
    default = getattr(nn, criterion)()

    assert unreduced.shape == (2, 3, 4)
    assert default.reduction == "mean"
    torch.testing.assert_close(default(x, y), unreduced.mean())


@pytest.mark.claim("S4-024", verdict="outdated")
def test_l1_loss_size_average_is_deprecated_for_reduction():
    """`L1Loss(size_average=False)` warns and becomes `reduction="sum"`.

    The note describes L1Loss as taking a parameter that marks whether to average. That
    was `size_average` (with `reduce`) before PyTorch 0.4.1; today it is deprecated and
    translated into `reduction`, with a warning telling you the replacement. Write
    `reduction="mean"` or `reduction="sum"` instead.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.L1Loss.html#torch.nn.L1Loss
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MSELoss.html#torch.nn.MSELoss
    """
    with warns_exactly(UserWarning, match="size_average and reduce args will be deprecated, please use reduction='none' instead"):
        criterion = nn.MSELoss(size_average=size_average, reduce=False)

    assert criterion.reduction == "none"
    assert criterion(PRED, TARGET).tolist() == [0.25, 0.0, 9.0]


def test_legacy_size_average_overrides_reduction():
    """Given `size_average` or `reduce`, a loss ignores its `reduction` argument.

    The docs say so in a note: while the two flags are being deprecated, specifying either
    of them overrides `reduction`. `MSELoss(size_average=True, reduction="sum")` averages.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MSELoss.html#torch.nn.MSELoss
    """
    with warns_exactly(UserWarning, match="please use reduction='mean' instead"):
        criterion = nn.MSELoss(size_average=True, reduction="sum")

    assert criterion.reduction == "mean"
    torch.testing.assert_close(criterion(PRED, TARGET), torch.tensor((0.25 + 0.0 + 9.0) / 3))


def test_smooth_l1_loss_size_average_and_reduce_are_deprecated_for_reduction():
    """`SmoothL1Loss(size_average=False)` warns and sums; `reduce=False` warns and keeps the elementwise losses.

    The same translation as for MSELoss and L1Loss: each flag becomes the `reduction` it
    stands for, and the UserWarning names it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.SmoothL1Loss.html#torch.nn.SmoothL1Loss
    """
    with warns_exactly(UserWarning, match="size_average and reduce args will be deprecated, please use reduction='sum' instead"):
        summed = nn.SmoothL1Loss(size_average=False)
    with warns_exactly(UserWarning, match="size_average and reduce args will be deprecated, please use reduction='none' instead"):
        unreduced = nn.SmoothL1Loss(reduce=False)

    assert (summed.reduction, unreduced.reduction) == ("sum", "none")
    assert summed(PRED, TARGET).item() == 0.125 + 0.0 + 2.5
    assert unreduced(PRED, TARGET).tolist() == [0.125, 0.0, 2.5]


def test_huber_loss_takes_no_size_average_or_reduce():
    """`HuberLoss` has only `reduction` and `delta`: passing `size_average` raises a TypeError.

    Its page documents no `size_average` or `reduce`, and unlike the older losses its
    constructor does not accept them: write `reduction` directly.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.HuberLoss.html#torch.nn.HuberLoss
    """
    with raises_exactly(TypeError, match="unexpected keyword argument 'size_average'"):
        nn.HuberLoss(size_average=False)
    with raises_exactly(TypeError, match="unexpected keyword argument 'reduce'"):
        nn.HuberLoss(reduce=False)


def test_smooth_l1_is_quadratic_below_beta_and_linear_above():
    """`smooth_l1_loss` is 0.5·d²/β for |d| < β and |d| - 0.5·β beyond.

    It behaves like MSE near the target (smooth gradient at 0) and like L1 far from it
    (outliers pull with constant force). With β = 1: d = -0.5 gives 0.125, d = 3 gives
    2.5.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.SmoothL1Loss.html#torch.nn.SmoothL1Loss
    """
    loss = F.smooth_l1_loss(PRED, TARGET, reduction="none")

    assert loss.tolist() == [0.125, 0.0, 2.5]


def test_smooth_l1_beta_moves_the_switch_point():
    """With `beta=2` the difference 0.5 gets 0.5·0.25/2 and the difference 3 gets 3 - 1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.SmoothL1Loss.html#torch.nn.SmoothL1Loss
    """
    loss = F.smooth_l1_loss(PRED, TARGET, beta=2.0, reduction="none")

    assert loss.tolist() == [0.0625, 0.0, 2.0]


def test_smooth_l1_with_beta_zero_is_l1():
    """`beta=0` leaves no quadratic zone, so SmoothL1 equals L1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.SmoothL1Loss.html#torch.nn.SmoothL1Loss
    """
    loss = F.smooth_l1_loss(PRED, TARGET, beta=0.0)

    assert loss.item() == F.l1_loss(PRED, TARGET).item()


def test_smooth_l1_beta_defaults_to_1_and_must_not_be_negative():
    """`SmoothL1Loss` defaults to `beta=1.0`, and a negative `beta` raises a RuntimeError.

    The page says the value must be non-negative; 0 is allowed (it gives L1), -1 is not.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.SmoothL1Loss.html#torch.nn.SmoothL1Loss
    """
    assert nn.SmoothL1Loss().beta == 1.0
    with raises_exactly(RuntimeError, match="smooth_l1_loss does not support negative values for beta"):
        nn.SmoothL1Loss(beta=-1.0)(PRED, TARGET)


def test_smooth_l1_tends_to_0_as_beta_grows():
    """With `beta=1000` every difference is in the quadratic zone, 0.5·d²/β, so the loss is near 0.

    The page's first contrast with Huber: as β → +∞ Smooth L1 converges to a constant
    0 loss, because the quadratic part is divided by β.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.SmoothL1Loss.html#torch.nn.SmoothL1Loss
    """
    loss = F.smooth_l1_loss(PRED, TARGET, beta=1000.0)

    torch.testing.assert_close(loss, torch.tensor(0.5 * (0.25 + 0.0 + 9.0) / 1000.0 / 3))
    assert loss.item() < 2e-3


def test_linear_part_has_slope_1_for_smooth_l1_and_delta_for_huber():
    """Beyond the switch point the gradient is ±1 for Smooth L1 whatever β is, and ±δ for Huber.

    Differences of ±4 with β = δ = 2 lie in the linear zone. Smooth L1's slope there is
    1, the slope its quadratic reaches at |d| = β, so outliers pull with a bounded force;
    Huber's linear part δ·(|d| - δ/2) has slope δ. MSE's gradient 2d grows with the error.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.SmoothL1Loss.html#torch.nn.SmoothL1Loss
    """
    pred = torch.tensor([4.0, -4.0], requires_grad=True)
    target = torch.zeros(2)

    smooth_grad = torch.autograd.grad(F.smooth_l1_loss(pred, target, beta=2.0, reduction="sum"), pred)[0]
    huber_grad = torch.autograd.grad(F.huber_loss(pred, target, delta=2.0, reduction="sum"), pred)[0]
    mse_grad = torch.autograd.grad(F.mse_loss(pred, target, reduction="sum"), pred)[0]

    assert smooth_grad.tolist() == [1.0, -1.0]
    assert huber_grad.tolist() == [2.0, -2.0]
    assert mse_grad.tolist() == [8.0, -8.0]


def test_huber_is_delta_times_smooth_l1_with_beta_delta():
    """`huber_loss` with `delta=δ` is 0.5·d² for |d| ≤ δ and δ·(|d| - 0.5·δ) beyond: δ times SmoothL1 with β = δ.

    The two differ only by that factor: Huber keeps the quadratic part equal to
    0.5·d² whatever δ is, while SmoothL1 keeps the linear part's slope at 1. With the
    default 1 they are the same function.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.HuberLoss.html#torch.nn.HuberLoss
    """
    huber = F.huber_loss(PRED, TARGET, delta=2.0, reduction="none")

    assert huber.tolist() == [0.125, 0.0, 2.0 * (3.0 - 1.0)]
    torch.testing.assert_close(huber, 2.0 * F.smooth_l1_loss(PRED, TARGET, beta=2.0, reduction="none"))
    torch.testing.assert_close(F.huber_loss(PRED, TARGET), F.smooth_l1_loss(PRED, TARGET))


def test_huber_delta_defaults_to_1_and_must_be_positive():
    """`HuberLoss` defaults to `delta=1.0`, and `delta` 0 or below raises a RuntimeError.

    The page says the value must be positive: unlike Smooth L1's β, δ = 0 is refused.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.HuberLoss.html#torch.nn.HuberLoss
    """
    assert nn.HuberLoss().delta == 1.0
    for delta in (0.0, -1.0):
        with raises_exactly(RuntimeError, match="huber_loss does not support non-positive values for delta"):
            nn.HuberLoss(delta=delta)(PRED, TARGET)


def test_huber_tends_to_0_as_delta_shrinks():
    """With `delta=0.001` every non-zero difference is in the linear zone δ·(|d| - δ/2), so the loss is near 0.

    The SmoothL1Loss page's contrast: as the threshold goes to 0, Smooth L1 becomes L1
    (see above), while Huber converges to a constant 0 loss.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.SmoothL1Loss.html#torch.nn.SmoothL1Loss
    """
    delta = 0.001

    loss = F.huber_loss(PRED, TARGET, delta=delta)

    by_hand = delta * ((0.5 - delta / 2) + (3.0 - delta / 2)) / 3
    torch.testing.assert_close(loss, torch.tensor(by_hand))
    assert loss.item() < 2e-3


@pytest.mark.docs_erratum("As beta -> +inf, HuberLoss converges to MSELoss")
def test_huber_tends_to_half_the_mse_as_delta_grows():
    """With δ larger than every difference, Huber is 0.5·(x - y)²: half of MSELoss, not MSELoss.

    The SmoothL1Loss page says that as β (Huber's δ) → +∞, HuberLoss converges to
    MSELoss. Huber's quadratic part is 0.5·d², so once δ exceeds every |d| the loss
    *equals* 0.5 · MSE and stays there: it converges to half the MSE.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.SmoothL1Loss.html#torch.nn.SmoothL1Loss
    """
    huber = F.huber_loss(PRED, TARGET, delta=10.0)
    mse = F.mse_loss(PRED, TARGET)

    torch.testing.assert_close(huber, 0.5 * mse)
    assert huber.item() != mse.item()


@pytest.mark.claim("S2-099", verdict="true")
@pytest.mark.parametrize("shape", [(4,), (4, 3), (4, 3, 2)], ids=["N", "NxD", "NxDxE"])
def test_pointwise_losses_take_input_and_target_of_one_shape(shape):
    """MSE, L1 and KLDiv accept any shape (N, *) as long as target and input share it.

    The note is right: these losses are elementwise, so any number of trailing
    dimensions works, and "mean" averages over every element.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MSELoss.html#torch.nn.MSELoss
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MSELoss.html#torch.nn.MSELoss
    """
    pred = torch.tensor([[0.0], [1.0]])
    target = torch.tensor([0.0, 1.0])

    with warns_exactly(UserWarning, match="that is different to the input size"):
        loss = F.mse_loss(pred, target)

    assert loss.item() == (0 + 1 + 1 + 0) / 4
    assert F.mse_loss(pred.squeeze(1), target).item() == 0.0


def test_mse_rejects_shapes_that_do_not_broadcast():
    """Input (3) against target (4) cannot broadcast and raises after the warning.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MSELoss.html#torch.nn.MSELoss
    """
    pred, target = torch.zeros(3), torch.zeros(4)

    with warns_exactly(UserWarning, match="different to the input size"):
        with raises_exactly(RuntimeError, match="must match the size of tensor b"):
            F.mse_loss(pred, target)
