"""Gain and fan: the numbers behind every init scheme

Every variance-scaling initialiser in `torch.nn.init` is built from two numbers. The
*gain* says how much an activation function shrinks or grows the signal, so the weights
can make up for it. The *fans* say how many inputs feed one output (`fan_in`) and how many
outputs one input feeds (`fan_out`). This page pins both down before the schemes use them.
"""

import math

import pytest
import torch
from torch import nn

from torchref import raises_exactly


@pytest.mark.parametrize(
    ("nonlinearity", "gain"),
    [
        ("linear", 1.0),
        ("conv1d", 1.0),
        ("conv2d", 1.0),
        ("conv3d", 1.0),
        ("conv_transpose1d", 1.0),
        ("conv_transpose2d", 1.0),
        ("conv_transpose3d", 1.0),
        ("sigmoid", 1.0),
        ("tanh", 5.0 / 3),
        ("relu", math.sqrt(2.0)),
        ("selu", 3.0 / 4),
    ],
    ids=[
        "linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
        "sigmoid",
        "tanh",
        "relu",
        "selu",
    ],
)
def test_calculate_gain_returns_the_documented_value(nonlinearity, gain):
    """`calculate_gain` returns the fixed gain its table lists for each activation.

    Linear layers and convolutions (transposed ones too) change no scale, so their gain
    is 1; sigmoid is also given 1. ReLU zeroes half of a symmetric input and so halves
    its second moment: a gain of sqrt(2) restores it. tanh gets 5/3 and SELU 3/4; the
    next section says what the SELU value is for.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.calculate_gain
    """
    assert nn.init.calculate_gain(nonlinearity) == gain


def test_calculate_gain_selu_is_not_the_self_normalising_setting():
    """For a self-normalising SELU network the docs recommend `nonlinearity="linear"`, not `"selu"`.

    The `calculate_gain` docs warn that SELU's gain of 3/4 does *not* implement
    Self-Normalizing Neural Networks: it gives up the normalising effect in exchange for
    more stable gradient flow in rectangular layers. Self-normalisation needs initial
    weights with variance 1 / N (N = fan_in), which is what gain 1 (`"linear"`) gives.
    From the same seed, `kaiming_normal_(w, nonlinearity="linear")` is exactly
    `normal_(w, 0, 1 / sqrt(fan_in))`, and `"selu"` is 3/4 of it.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.calculate_gain
    """
    fan_in = 64
    torch.manual_seed(0)
    linear = nn.init.kaiming_normal_(torch.empty(8, fan_in), nonlinearity="linear")
    torch.manual_seed(0)
    selu = nn.init.kaiming_normal_(torch.empty(8, fan_in), nonlinearity="selu")
    torch.manual_seed(0)
    variance_one_over_n = nn.init.normal_(torch.empty(8, fan_in), 0.0, math.sqrt(1 / fan_in))

    torch.testing.assert_close(linear, variance_one_over_n)
    torch.testing.assert_close(selu, 3 / 4 * variance_one_over_n)
    assert nn.init.calculate_gain("selu") == 3 / 4 != nn.init.calculate_gain("linear")


@pytest.mark.claim("S2-063", verdict="true")
def test_calculate_gain_of_leaky_relu_depends_on_the_slope():
    """The leaky ReLU gain is sqrt(2 / (1 + a²)), with slope a = 0.01 by default.

    The note is right: `a` is the slope of the negative half. With `a = 0` leaky ReLU is
    ReLU (gain sqrt(2)); with `a = 1` it is the identity (gain 1). Without `param`,
    `calculate_gain` uses 0.01, the default slope of `nn.LeakyReLU`.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.calculate_gain
    """
    default = nn.init.calculate_gain("leaky_relu")
    steep = nn.init.calculate_gain("leaky_relu", 0.2)

    assert default == math.sqrt(2.0 / (1 + 0.01**2))
    assert steep == math.sqrt(2.0 / (1 + 0.2**2))
    assert nn.init.calculate_gain("leaky_relu", 0) == nn.init.calculate_gain("relu")
    assert nn.init.calculate_gain("leaky_relu", 1) == 1.0
    assert nn.LeakyReLU().negative_slope == 0.01


def test_calculate_gain_rejects_an_unknown_nonlinearity():
    """An activation name that `calculate_gain` does not list raises a ValueError.

    The argument is the lower-case `nn.functional` name: `"gelu"` is not in the table,
    and neither is `"ReLU"`, the spelling the table's left column displays.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.calculate_gain
    """
    with raises_exactly(ValueError, match="Unsupported nonlinearity gelu"):
        nn.init.calculate_gain("gelu")
    with raises_exactly(ValueError, match="Unsupported nonlinearity ReLU"):
        nn.init.calculate_gain("ReLU")


@pytest.mark.parametrize("param", [True, "0.2"], ids=["bool", "str"])
def test_calculate_gain_rejects_a_leaky_relu_slope_that_is_not_a_number(param):
    """For `"leaky_relu"`, a `param` that is not an int or a float raises a ValueError.

    `param` is the negative slope, so it must be a number. A string is refused, and so is
    `True`, although Python counts a bool as an int: `calculate_gain("leaky_relu", True)`
    is far more likely a slip than a slope of 1.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.calculate_gain
    """
    with raises_exactly(ValueError, match=rf"negative_slope {param} not a valid number"):
        nn.init.calculate_gain("leaky_relu", param)


@pytest.mark.parametrize("nonlinearity", ["linear", "sigmoid", "tanh", "relu", "selu"])
def test_calculate_gain_ignores_param_for_other_nonlinearities(nonlinearity):
    """`param` only matters for `"leaky_relu"`: the other gains are fixed numbers.

    `param` is the optional parameter *of the non-linear function*, and only leaky ReLU
    has one (its slope). Any other name returns its table value whatever `param` is,
    even a value leaky ReLU would refuse.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.calculate_gain
    """
    plain = nn.init.calculate_gain(nonlinearity)

    assert nn.init.calculate_gain(nonlinearity, 0.2) == plain
    assert nn.init.calculate_gain(nonlinearity, "anything") == plain


def test_fans_of_a_linear_weight_are_its_two_sizes():
    """A Linear weight of shape (out, in) has fan_in = in and fan_out = out.

    `nn.Linear(512, 128)` stores its weight as (128, 512): dimension 1 is the input, so
    `fan_in` is `size(1)` and `fan_out` is `size(0)`.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.xavier_uniform_
    """
    weight = nn.Linear(512, 128).weight

    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(weight)

    assert weight.shape == (128, 512)
    assert (fan_in, fan_out) == (512, 128)


def test_fans_of_a_conv_weight_include_the_receptive_field():
    """A Conv2d weight's fans multiply the channel counts by the kernel area.

    Each output value of `Conv2d(3, 8, kernel_size=5)` reads 3 channels × 5 × 5 pixels,
    so `fan_in = 3 * 25 = 75`; each input value reaches 8 channels × 25 positions, so
    `fan_out = 8 * 25 = 200`. The schemes use exactly these numbers: `xavier_uniform_`
    on this weight stays within sqrt(6 / (75 + 200)), and with 600 samples its largest
    comes within 3% of that bound (missing has probability 0.97^600 ≈ 10⁻⁸).

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.xavier_uniform_
    """
    weight = nn.Conv2d(3, 8, kernel_size=5).weight

    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(weight)

    assert weight.shape == (8, 3, 5, 5)
    assert (fan_in, fan_out) == (3 * 5 * 5, 8 * 5 * 5)
    torch.manual_seed(0)
    xavier = nn.init.xavier_uniform_(torch.empty(8, 3, 5, 5))
    bound = math.sqrt(6 / (3 * 5 * 5 + 8 * 5 * 5))
    assert 0.97 * bound < xavier.abs().max().item() <= bound


def test_fans_need_at_least_two_dimensions():
    """A 1-D tensor has no fans, so fan-based schemes refuse it.

    A bias vector has no input/output structure. That is why layers initialise biases
    with a plain `uniform_` whose bound comes from the *weight's* fan_in.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.xavier_uniform_
    """
    bias = torch.empty(8)

    with raises_exactly(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(bias)
