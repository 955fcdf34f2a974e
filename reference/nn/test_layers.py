"""Layers: Linear, Conv2d, pooling, upsampling and activations

The everyday layers of `torch.nn`, checked against the formulas in their docs: the shapes
of their weights, the size of their outputs, and the function each one computes. Every
layer has a functional twin in `torch.nn.functional`; the module version only adds the
bookkeeping of its parameters. The page ends with the MNIST network of the notes, built
from these pieces.
"""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from torchref import by_version, raises_exactly, warns_exactly


@pytest.mark.claim("S2-048", verdict="true")
def test_parameter_requires_grad_by_default():
    """An `nn.Parameter` requires grad even when the tensor it wraps does not.

    The note is right: layer weights are trainable because `Parameter` defaults to
    `requires_grad=True`. Every weight and bias of a built-in layer is a `Parameter`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.parameter.Parameter.html#torch.nn.parameter.Parameter
    """
    plain = torch.zeros(2)

    param = nn.Parameter(plain)

    assert plain.requires_grad is False
    assert param.requires_grad is True
    assert isinstance(nn.Linear(2, 1).weight, nn.Parameter)
    assert isinstance(nn.Linear(2, 1).bias, nn.Parameter)
    assert all(isinstance(p, nn.Parameter) for p in nn.Conv2d(1, 2, 3).parameters())


def test_parameter_can_be_created_frozen():
    """`nn.Parameter(t, requires_grad=False)` is registered but not trained.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.parameter.Parameter.html#torch.nn.parameter.Parameter
    """
    module = nn.Module()

    module.fixed = nn.Parameter(torch.zeros(2), requires_grad=False)

    assert [name for name, _ in module.named_parameters()] == ["fixed"]
    assert module.fixed.requires_grad is False


def test_linear_weight_has_shape_out_by_in():
    """`nn.Linear(in, out)` stores its weight as (out, in) and computes `x @ W.T + b`.

    The (out, in) layout makes each row of `W` the weights of one output unit.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Linear.html#torch.nn.Linear
    """
    torch.manual_seed(0)
    fc = nn.Linear(3, 2)
    x = torch.randn(4, 3)

    y = fc(x)

    assert fc.weight.shape == (2, 3)
    assert fc.bias.shape == (2,)
    torch.testing.assert_close(y, x @ fc.weight.T + fc.bias)


def test_linear_applies_to_the_last_dimension():
    """`nn.Linear` transforms the last dimension and keeps all leading ones.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Linear.html#torch.nn.Linear
    """
    fc = nn.Linear(3, 2)

    y = fc(torch.zeros(5, 7, 3))

    assert y.shape == (5, 7, 2)


def test_conv2d_weight_has_shape_out_in_kh_kw():
    """`nn.Conv2d(in, out, k)` stores a weight of shape (out, in, k, k) and one bias per output channel.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html#torch.nn.Conv2d
    """
    conv = nn.Conv2d(3, 8, kernel_size=(5, 3))

    assert conv.weight.shape == (8, 3, 5, 3)
    assert conv.bias.shape == (8,)


@pytest.mark.claim("S4-023", verdict="true")
def test_conv2d_takes_n_c_h_w_input():
    """`nn.Conv2d` reads a batch as (N, C_in, H, W) and returns (N, C_out, H_out, W_out).

    The note's `nSamples x nChannels x Height x Width` is the standard layout. Channels come
    before the spatial dimensions, unlike the (H, W, C) of most image files.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html#torch.nn.Conv2d
    """
    conv = nn.Conv2d(3, 8, kernel_size=3)

    y = conv(torch.zeros(2, 3, 10, 12))

    assert y.shape == (2, 8, 8, 10)


@pytest.mark.parametrize(
    ("size", "kernel", "stride", "padding", "dilation"),
    [
        pytest.param(7, 3, 1, 0, 1, id="valid"),
        pytest.param(7, 3, 1, 1, 1, id="same-padding"),
        pytest.param(7, 3, 2, 1, 1, id="stride-2"),
        pytest.param(8, 3, 2, 1, 1, id="stride-2-floor"),
        pytest.param(9, 3, 1, 0, 2, id="dilation-2"),
    ],
)
def test_conv2d_output_size_follows_the_formula(size, kernel, stride, padding, dilation):
    """The output size is `floor((H + 2*padding - dilation*(kernel - 1) - 1) / stride) + 1`.

    The division rounds down, so with stride 2 (kernel 3, padding 1) inputs of 7 and 8 both
    give 4: the last row that does not fit a whole step is dropped.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html#torch.nn.Conv2d
    """
    conv = nn.Conv2d(1, 1, kernel, stride=stride, padding=padding, dilation=dilation)
    expected = (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1

    y = conv(torch.zeros(1, 1, size, size))

    assert y.shape == (1, 1, expected, expected)


@pytest.mark.claim("S0-023", verdict="outdated")
def test_conv2d_accepts_an_unbatched_input():
    """`nn.Conv2d` also accepts a single (C, H, W) image and returns an unbatched result.

    The note says `torch.nn` only supports mini-batches, so a single sample needs
    `input.unsqueeze(0)`. That was true of old 1.x releases; every 2.x release accepts
    unbatched input for conv, pooling, linear and most other layers, and each layer's docs
    list the unbatched shape next to the batched one.
    Adding the batch dimension still works and is what `DataLoader` batches look like.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html#torch.nn.Conv2d
    """
    torch.manual_seed(0)
    conv = nn.Conv2d(1, 4, 3)
    image = torch.randn(1, 5, 5)

    y = conv(image)

    assert y.shape == (4, 3, 3)
    torch.testing.assert_close(y, conv(image.unsqueeze(0))[0])


@pytest.mark.claim("S0-023", verdict="outdated")
def test_linear_accepts_a_single_vector():
    """`nn.Linear` maps a single 1-D feature vector without a batch dimension.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Linear.html#torch.nn.Linear
    """
    fc = nn.Linear(3, 2)

    y = fc(torch.zeros(3))

    assert y.shape == (2,)


def test_linear_bias_false_has_no_bias():
    """`nn.Linear(in, out, bias=False)` has `bias` set to None and computes `x @ W.T` alone.

    `bias` defaults to True; with False the layer registers `bias` as None, so only the
    weight is a parameter. `in_features` and `out_features` keep the constructor's sizes.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Linear.html#torch.nn.Linear
    """
    torch.manual_seed(0)
    fc = nn.Linear(3, 2, bias=False)
    x = torch.randn(4, 3)

    y = fc(x)

    assert fc.bias is None
    assert [name for name, _ in fc.named_parameters()] == ["weight"]
    assert (fc.in_features, fc.out_features) == (3, 2)
    torch.testing.assert_close(y, x @ fc.weight.T)
    assert nn.Linear(3, 2).bias is not None


@pytest.mark.claim("S2-032", verdict="true")
def test_conv2d_module_matches_functional_conv2d():
    """`nn.Conv2d` gives the same result as `F.conv2d` called with the module's weight and bias.

    The note is right: the class owns its `weight` and `bias` as parameters (so it can sit
    in a `Sequential` and be found by the optimizer), while the function takes them as
    arguments. The arithmetic is the same call.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.conv2d.html#torch.nn.functional.conv2d
    """
    torch.manual_seed(0)
    conv = nn.Conv2d(2, 3, 3, padding=1)
    x = torch.randn(1, 2, 5, 5)

    y_module = conv(x)
    y_function = F.conv2d(x, conv.weight, conv.bias, padding=1)

    torch.testing.assert_close(y_module, y_function)


def test_conv2d_bias_false_has_no_bias():
    """`nn.Conv2d(..., bias=False)` registers no bias: the output is the bare cross-correlation.

    `bias` defaults to True. A convolution followed by batch norm usually drops it, since
    the norm's own shift makes it redundant.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html#torch.nn.Conv2d
    """
    torch.manual_seed(0)
    conv = nn.Conv2d(2, 3, 3, bias=False)
    x = torch.randn(1, 2, 5, 5)

    y = conv(x)

    assert conv.bias is None
    torch.testing.assert_close(y, F.conv2d(x, conv.weight))


def test_conv2d_padding_same_keeps_the_spatial_size():
    """`padding="same"` pads so that the output has the input's height and width.

    With stride 1 and kernel 3, "same" is one row and column of zeros on every side, so it
    gives exactly what `padding=1` gives.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html#torch.nn.Conv2d
    """
    torch.manual_seed(0)
    conv = nn.Conv2d(1, 2, 3, padding="same")
    x = torch.randn(1, 1, 5, 6)

    y = conv(x)

    assert y.shape == (1, 2, 5, 6)
    torch.testing.assert_close(y, F.conv2d(x, conv.weight, conv.bias, padding=1))


def test_conv2d_padding_valid_is_no_padding():
    """`padding="valid"` is the same as `padding=0`, the default: the output shrinks by `kernel - 1`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html#torch.nn.Conv2d
    """
    torch.manual_seed(0)
    conv = nn.Conv2d(1, 2, 3, padding="valid")
    x = torch.randn(1, 1, 5, 6)

    y = conv(x)

    assert y.shape == (1, 2, 3, 4)
    torch.testing.assert_close(y, F.conv2d(x, conv.weight, conv.bias))
    assert nn.Conv2d(1, 2, 3).padding == (0, 0)


def test_conv2d_padding_same_rejects_a_stride():
    """`padding="same"` with a stride other than 1 raises ValueError in the constructor.

    The docs say "same" does not support any stride values other than 1: a strided
    convolution cannot keep the input size, so the layer refuses to be built.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html#torch.nn.Conv2d
    """
    with raises_exactly(ValueError, match=r"padding='same' is not supported for strided convolutions"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")


def test_conv2d_rejects_an_unknown_padding_string():
    """A padding string other than `"valid"` or `"same"` raises ValueError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html#torch.nn.Conv2d
    """
    with raises_exactly(ValueError, match=r"Invalid padding string 'full'"):
        nn.Conv2d(1, 1, 3, padding="full")


@pytest.mark.parametrize(
    ("padding_mode", "expected"),
    [
        # Padded rows, with the borrowed border value in the middle of each pair:
        # zeros [0 | 1 2 3 4 | 0], reflect [2 | 1 2 3 4 | 3],
        # replicate [1 | 1 2 3 4 | 4], circular [4 | 1 2 3 4 | 1].
        pytest.param("zeros", [3.0, 6.0, 9.0, 7.0], id="zeros"),
        pytest.param("reflect", [5.0, 6.0, 9.0, 10.0], id="reflect"),
        pytest.param("replicate", [4.0, 6.0, 9.0, 11.0], id="replicate"),
        pytest.param("circular", [7.0, 6.0, 9.0, 8.0], id="circular"),
    ],
)
def test_conv1d_padding_mode_sets_the_border_values(padding_mode, expected):
    """`padding_mode` chooses what the padding contains: zeros, a reflection, the edge value, or a wrap-around.

    A kernel of three ones sums each window, so the first and last outputs show the padded
    value: `0 + 1 + 2` with zeros, `2 + 1 + 2` reflected (the edge itself is not repeated),
    `1 + 1 + 2` replicated, `4 + 1 + 2` circular. The middle outputs do not touch the
    border and are the same in every mode. The default is `"zeros"`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv1d.html#torch.nn.Conv1d
    """
    conv = nn.Conv1d(1, 1, 3, padding=1, padding_mode=padding_mode, bias=False)
    with torch.no_grad():
        conv.weight.fill_(1.0)
    x = torch.tensor([[[1.0, 2.0, 3.0, 4.0]]])

    y = conv(x)

    assert y.tolist() == [[expected]]
    assert nn.Conv1d(1, 1, 3).padding_mode == "zeros"


def test_conv2d_rejects_an_unknown_padding_mode():
    """A `padding_mode` outside zeros, reflect, replicate and circular raises ValueError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html#torch.nn.Conv2d
    """
    with raises_exactly(ValueError, match=r"padding_mode must be one of .*but got padding_mode='edge'"):
        nn.Conv2d(1, 1, 3, padding_mode="edge")


def test_conv1d_dilation_spaces_the_kernel_taps():
    """`dilation=2` makes the kernel read every second input: a 2-tap kernel of ones gives `x[i] + x[i + 2]`.

    Dilation spreads the kernel without adding weights, so the receptive field grows
    from 2 to `dilation * (kernel - 1) + 1 = 3` samples, and the output shrinks to match.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv1d.html#torch.nn.Conv1d
    """
    conv = nn.Conv1d(1, 1, 2, dilation=2, bias=False)
    with torch.no_grad():
        conv.weight.fill_(1.0)
    x = torch.tensor([[[0.0, 1.0, 2.0, 3.0, 4.0]]])

    y = conv(x)

    assert y.tolist() == [[[2.0, 4.0, 6.0]]]


def test_conv2d_groups_split_channels_into_separate_convolutions():
    """With `groups=2`, each half of the output channels sees only its half of the input channels.

    The weight has shape `(out, in / groups, kH, kW)`, and the layer is two side-by-side
    convolutions whose outputs are concatenated, as the docs describe.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html#torch.nn.Conv2d
    """
    torch.manual_seed(0)
    conv = nn.Conv2d(4, 6, 3, groups=2)
    x = torch.randn(1, 4, 5, 5)
    w_a, w_b = conv.weight.split(3)
    b_a, b_b = conv.bias.split(3)

    y = conv(x)

    assert conv.weight.shape == (6, 2, 3, 3)
    separate = torch.cat([F.conv2d(x[:, :2], w_a, b_a), F.conv2d(x[:, 2:], w_b, b_b)], dim=1)
    torch.testing.assert_close(y, separate)


@pytest.mark.parametrize(
    ("in_channels", "out_channels", "message"),
    [
        pytest.param(3, 4, r"in_channels must be divisible by groups", id="in_channels"),
        pytest.param(4, 3, r"out_channels must be divisible by groups", id="out_channels"),
    ],
)
def test_conv2d_groups_must_divide_both_channel_counts(in_channels, out_channels, message):
    """`in_channels` and `out_channels` must both be divisible by `groups`, or the constructor raises ValueError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html#torch.nn.Conv2d
    """
    with raises_exactly(ValueError, match=message):
        nn.Conv2d(in_channels, out_channels, 3, groups=2)


def test_conv_transpose2d_output_size_follows_the_formula():
    """`nn.ConvTranspose2d` gives `(H - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1`.

    With input 4, kernel 3, stride 2 and padding 1 that is `3 * 2 - 2 + 2 + 1 = 7`, and
    `output_padding=1` adds one row and column on one side, giving 8: twice the input, the
    size a stride-2 `Conv2d` with padding 1 would have shrunk back to 4. The weight is
    stored as `(in, out, kH, kW)`, the transpose of `Conv2d`'s layout.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.ConvTranspose2d.html#torch.nn.ConvTranspose2d
    """
    x = torch.zeros(1, 2, 4, 4)
    deconv = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    deconv_padded = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1)

    y = deconv(x)
    y_padded = deconv_padded(x)

    assert deconv.weight.shape == (2, 3, 3, 3)
    assert y.shape == (1, 3, 7, 7)
    assert y_padded.shape == (1, 3, 8, 8)
    assert nn.Conv2d(3, 2, 3, stride=2, padding=1)(y_padded).shape == (1, 2, 4, 4)


def test_conv_transpose2d_output_size_argument_picks_among_valid_sizes():
    """Passing `output_size` to `forward` chooses the output padding; a size out of range raises ValueError.

    A stride-2 convolution maps both 9 and 10 to 4, so its transpose cannot know which one
    to return: `output_size=(10, 10)` asks for the larger and is the same as
    `output_padding=1`. Only sizes from the formula with `output_padding` 0 up to
    `stride - 1` are possible.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.ConvTranspose2d.html#torch.nn.ConvTranspose2d
    """
    torch.manual_seed(0)
    deconv = nn.ConvTranspose2d(1, 1, 3, stride=2)
    x = torch.randn(1, 1, 4, 4)

    y = deconv(x, output_size=(10, 10))

    assert deconv(x).shape == (1, 1, 9, 9)
    assert y.shape == (1, 1, 10, 10)
    torch.testing.assert_close(y, F.conv_transpose2d(x, deconv.weight, deconv.bias, stride=2, output_padding=1))
    with raises_exactly(ValueError, match=r"requested an output size of \(20, 20\), but valid sizes range from \[9, 9\] to \[10, 10\]"):
        deconv(x, output_size=(20, 20))


def test_conv_transpose2d_output_padding_must_be_smaller_than_stride():
    """An `output_padding` not smaller than the stride (or the dilation) raises RuntimeError at the forward call.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.ConvTranspose2d.html#torch.nn.ConvTranspose2d
    """
    deconv = nn.ConvTranspose2d(1, 1, 3, stride=2, output_padding=2)

    with raises_exactly(RuntimeError, match=r"output padding must be smaller than either stride or dilation"):
        deconv(torch.zeros(1, 1, 4, 4))


def test_maxpool2d_keeps_the_largest_value_of_each_window():
    """`nn.MaxPool2d(2)` keeps the maximum of each 2x2 window, halving height and width.

    The stride defaults to the kernel size, so the windows do not overlap.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MaxPool2d.html#torch.nn.MaxPool2d
    """
    x = torch.arange(16.0).view(1, 1, 4, 4)

    y = nn.MaxPool2d(2)(x)

    assert y.tolist() == [[[[5.0, 7.0], [13.0, 15.0]]]]
    assert torch.equal(y, F.max_pool2d(x, 2))
    assert nn.MaxPool2d(2).stride == 2


def test_maxpool2d_ceil_mode_keeps_the_partial_window():
    """`ceil_mode=True` rounds the output size up, so a window hanging off the edge still produces a value.

    A 5x5 input with kernel 2 gives `floor(4 / 2) + 1 = 2` rows by default, losing the last
    row and column; with `ceil_mode=True` it gives 3, the last windows covering only the
    one row or column left. `ceil_mode` defaults to False.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MaxPool2d.html#torch.nn.MaxPool2d
    """
    x = torch.arange(25.0).view(1, 1, 5, 5)

    floor = nn.MaxPool2d(2)(x)
    ceil = nn.MaxPool2d(2, ceil_mode=True)(x)

    assert floor.tolist() == [[[[6.0, 8.0], [16.0, 18.0]]]]
    assert ceil.tolist() == [[[[6.0, 8.0, 9.0], [16.0, 18.0, 19.0], [21.0, 23.0, 24.0]]]]


def test_maxpool2d_pads_with_negative_infinity():
    """`nn.MaxPool2d` pads with negative infinity, so a padded position is never the maximum.

    On an image of -1s, zero padding would make every border window return 0; with the
    documented `-inf` padding each window still returns the -1 it overlaps.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MaxPool2d.html#torch.nn.MaxPool2d
    """
    x = torch.full((1, 1, 2, 2), -1.0)

    y = nn.MaxPool2d(2, padding=1)(x)

    assert y.tolist() == [[[[-1.0, -1.0], [-1.0, -1.0]]]]


def test_maxpool2d_padding_is_at_most_half_the_kernel():
    """A `padding` larger than half the kernel size raises RuntimeError at the forward call.

    The docs' note: "pad should be at most half of effective kernel size". A window made
    only of padding would have no input value to take the maximum of. The message's wording
    has changed over releases ("smaller than or equal to half of kernel size", "at most half
    of kernel size", "at most half of effective kernel size"); the test matches what they share.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MaxPool2d.html#torch.nn.MaxPool2d
    """
    pool = nn.MaxPool2d(2, padding=2)

    with raises_exactly(RuntimeError, match=r"pad should be (smaller than or equal to|at most) half of (effective )?kernel size"):
        pool(torch.zeros(1, 1, 4, 4))


def test_maxpool2d_indices_let_maxunpool2d_put_the_maxima_back():
    """`return_indices=True` also returns where each maximum was; `nn.MaxUnpool2d` puts the maxima back there.

    The indices are flat positions within each (H, W) plane: 5, 7, 13 and 15 for a 4x4
    `arange`. `MaxUnpool2d` writes each kept value at its index and zeros everywhere else;
    it is the partial inverse the docs describe, since the non-maximal values are lost.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MaxUnpool2d.html#torch.nn.MaxUnpool2d
    """
    x = torch.arange(16.0).view(1, 1, 4, 4)
    pool = nn.MaxPool2d(2, return_indices=True)
    unpool = nn.MaxUnpool2d(2)

    y, indices = pool(x)
    restored = unpool(y, indices)

    assert indices.tolist() == [[[[5, 7], [13, 15]]]]
    assert indices.dtype == torch.int64
    expected = torch.zeros(1, 1, 4, 4)
    expected.view(-1)[[5, 7, 13, 15]] = torch.tensor([5.0, 7.0, 13.0, 15.0])
    assert torch.equal(restored, expected)


def test_avgpool2d_count_include_pad_decides_the_divisor():
    """`nn.AvgPool2d` divides by the whole window, padding included, unless `count_include_pad=False`.

    With padding 1 on a 2x2 image of ones, each 2x2 window holds one real 1 and three
    padded zeros: the default (`count_include_pad=True`) gives `1 / 4`, while
    `count_include_pad=False` divides by the one real element and gives 1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.AvgPool2d.html#torch.nn.AvgPool2d
    """
    x = torch.ones(1, 1, 2, 2)

    included = nn.AvgPool2d(2, padding=1)(x)
    excluded = nn.AvgPool2d(2, padding=1, count_include_pad=False)(x)

    assert included.tolist() == [[[[0.25, 0.25], [0.25, 0.25]]]]
    assert excluded.tolist() == [[[[1.0, 1.0], [1.0, 1.0]]]]


def test_avgpool2d_divisor_override_replaces_the_window_size():
    """`divisor_override=d` divides each window's sum by `d` instead of by the number of elements.

    A 2x2 window of ones sums to 4: the default divides by 4, `divisor_override=2` by 2.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.AvgPool2d.html#torch.nn.AvgPool2d
    """
    x = torch.ones(1, 1, 2, 2)

    y = nn.AvgPool2d(2, divisor_override=2)(x)

    assert y.tolist() == [[[[2.0]]]]
    assert nn.AvgPool2d(2)(x).tolist() == [[[[1.0]]]]


def test_adaptive_avgpool2d_produces_the_requested_output_size():
    """`nn.AdaptiveAvgPool2d(size)` picks its windows so the output has that size, whatever the input.

    Output cell `i` of `out` averages inputs `floor(i * in / out)` to `ceil((i + 1) * in / out)`,
    so 5 columns into 2 gives windows 0..2 and 2..4 (they overlap at 2): means 1 and 3.
    `(1, 1)` is the global average; `None` keeps that dimension's input size.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.AdaptiveAvgPool2d.html#torch.nn.AdaptiveAvgPool2d
    """
    x = torch.arange(5.0).view(1, 1, 1, 5)
    image = torch.arange(35.0).view(1, 1, 5, 7)

    y = nn.AdaptiveAvgPool2d((1, 2))(x)

    assert y.tolist() == [[[[1.0, 3.0]]]]
    torch.testing.assert_close(nn.AdaptiveAvgPool2d(1)(image), image.mean(dim=(2, 3), keepdim=True))
    assert nn.AdaptiveAvgPool2d((None, 3))(image).shape == (1, 1, 5, 3)


@pytest.mark.claim("S2-035", verdict="true")
def test_flatten_from_dim_1_keeps_the_batch():
    """`torch.flatten(x, 1)` turns (N, C, H, W) into (N, C*H*W), keeping the batch dimension.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.flatten.html#torch.flatten
    """
    x = torch.zeros(2, 64, 12, 12)

    y = torch.flatten(x, 1)

    assert y.shape == (2, 9216)


def test_flatten_module_and_function_have_different_defaults():
    """`nn.Flatten()` starts at dim 1 by default, `torch.flatten(x)` at dim 0.

    The module is meant for batches inside a `Sequential`, so it keeps the batch dimension;
    the function flattens everything unless told otherwise.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Flatten.html#torch.nn.Flatten
    """
    x = torch.zeros(2, 3, 4)

    assert nn.Flatten()(x).shape == (2, 12)
    assert torch.flatten(x).shape == (24,)
    assert torch.equal(nn.Flatten()(x), torch.flatten(x, 1))


def test_unflatten_splits_one_dimension_into_a_shape():
    """`nn.Unflatten(dim, sizes)` expands dimension `dim` into `sizes`, undoing `nn.Flatten`.

    `nn.Flatten` has `start_dim=1` and `end_dim=-1` by default, so flattening (2, 3, 4)
    gives (2, 12), and `nn.Unflatten(1, (3, 4))` restores the original tensor.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Unflatten.html#torch.nn.Unflatten
    """
    x = torch.arange(24.0).view(2, 3, 4)
    flatten = nn.Flatten()

    restored = nn.Unflatten(1, (3, 4))(flatten(x))

    assert (flatten.start_dim, flatten.end_dim) == (1, -1)
    assert torch.equal(restored, x)


def test_identity_returns_its_input():
    """`nn.Identity` returns the very tensor it is given and ignores its constructor arguments.

    It stands in for a layer you want to remove (a classifier head, a norm) without
    changing the code that calls it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Identity.html#torch.nn.Identity
    """
    x = torch.zeros(2, 3)

    y = nn.Identity(54, unused_argument=0.1)(x)

    assert y is x


def test_dropout_scales_the_kept_values_in_training():
    """In training, `nn.Dropout(p)` zeroes each element with probability `p` and multiplies the rest by `1 / (1 - p)`.

    The scaling keeps the expected value of every element unchanged, so no rescaling is
    needed at evaluation time. `p` defaults to 0.5, which doubles the kept values.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Dropout.html#torch.nn.Dropout
    """
    torch.manual_seed(0)
    dropout = nn.Dropout(p=0.75)
    x = torch.full((1000,), 3.0)

    y = dropout(x)

    assert set(y.unique().tolist()) == {0.0, 12.0}
    assert 0.65 < (y == 0).float().mean().item() < 0.85
    assert nn.Dropout().p == 0.5


def test_dropout_is_the_identity_in_eval_mode():
    """After `.eval()`, `nn.Dropout` returns its input unchanged.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Dropout.html#torch.nn.Dropout
    """
    torch.manual_seed(0)
    dropout = nn.Dropout(p=0.5).eval()
    x = torch.randn(100)

    y = dropout(x)

    assert torch.equal(y, x)


def test_dropout_draws_a_new_mask_on_every_call():
    """In training, each forward call of `nn.Dropout` zeroes a freshly drawn set of elements.

    The mask is sampled from a Bernoulli distribution at every call, so the same input
    passed twice loses different elements.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Dropout.html#torch.nn.Dropout
    """
    torch.manual_seed(0)
    dropout = nn.Dropout(p=0.5)
    x = torch.ones(100)

    first = dropout(x)
    second = dropout(x)

    assert not torch.equal(first == 0, second == 0)


def test_dropout_inplace_overwrites_its_input():
    """`nn.Dropout(inplace=True)` writes the dropped and rescaled values into the input tensor itself.

    `inplace` defaults to False, which leaves the input untouched and returns a new tensor.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Dropout.html#torch.nn.Dropout
    """
    torch.manual_seed(0)
    x = torch.ones(100)
    kept = torch.ones(100)

    y = nn.Dropout(p=0.5, inplace=True)(x)
    nn.Dropout(p=0.5)(kept)

    assert y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
    assert set(x.unique().tolist()) == {0.0, 2.0}
    assert torch.equal(kept, torch.ones(100))
    assert nn.Dropout().inplace is False


@pytest.mark.parametrize("p", [pytest.param(-0.1, id="negative"), pytest.param(1.5, id="above-one")])
def test_dropout_rejects_a_probability_outside_zero_one(p):
    """`nn.Dropout(p)` with `p` outside [0, 1] raises ValueError in the constructor.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Dropout.html#torch.nn.Dropout
    """
    with raises_exactly(ValueError, match=r"dropout probability has to be between 0 and 1, but got"):
        nn.Dropout(p)


class Net(nn.Module):
    """The MNIST network of the notes (and of pytorch/examples), with `nn.Dropout` for dropout."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


@pytest.mark.claim("S2-034", verdict="true")
def test_mnist_net_maps_an_image_to_ten_log_probabilities():
    """The notes' MNIST `Net` maps a (1, 1, 28, 28) image to (1, 10) log-probabilities.

    The sizes work out as the note says: 28 -> 26 -> 24 after two 3x3 convolutions, 12 after
    pooling, and 64 * 12 * 12 = 9216 features for `fc1`. The output is `log_softmax`, so its
    exponentials sum to 1. (The note uses `nn.Dropout2d` for the dropout after `fc1`; see
    the train/eval page for why `nn.Dropout` is the right layer there.)

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.log_softmax.html#torch.nn.functional.log_softmax
    """
    torch.manual_seed(0)
    model = Net().eval()

    out = model(torch.rand(1, 1, 28, 28))

    assert out.shape == (1, 10)
    torch.testing.assert_close(out.exp().sum(), torch.tensor(1.0))


@pytest.mark.claim("S4-027", verdict="true")
def test_upsample_defaults_to_nearest():
    """`nn.Upsample(scale_factor=2)` uses mode `"nearest"`: each pixel is repeated into a 2x2 block.

    The note is right about the default. `size` or `scale_factor` sets the output size (give
    one, not both); the modes are `nearest`, `linear`, `bilinear`, `bicubic`, `trilinear`
    and `nearest-exact`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Upsample.html#torch.nn.Upsample
    """
    x = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])

    up = nn.Upsample(scale_factor=2)

    assert up.mode == "nearest"
    assert up(x).tolist() == [[[[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0], [3.0, 3.0, 4.0, 4.0], [3.0, 3.0, 4.0, 4.0]]]]


def test_upsample_size_sets_the_output_size():
    """`nn.Upsample(size=(h, w))` produces exactly that spatial size.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Upsample.html#torch.nn.Upsample
    """
    x = torch.zeros(1, 1, 2, 3)

    y = nn.Upsample(size=(5, 4))(x)

    assert y.shape == (1, 1, 5, 4)


def test_upsample_rejects_both_size_and_scale_factor():
    """Giving `nn.Upsample` both `size` and `scale_factor` raises ValueError when it is called.

    The two arguments are two ways of saying the same thing, so only one may be set.
    The check happens in `F.interpolate`, at the first forward call, not in the
    constructor.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Upsample.html#torch.nn.Upsample
    """
    up = nn.Upsample(size=4, scale_factor=2)

    with raises_exactly(ValueError, match="only one of size or scale_factor should be defined"):
        up(torch.zeros(1, 1, 2, 2))


def test_upsample_bilinear_align_corners_true_keeps_the_corner_values():
    """With `align_corners=True`, bilinear upsampling maps corner pixel centres onto each other.

    Output pixel `i` of 4 samples input position `i * (2 - 1) / (4 - 1)`, so a row `[0, 1]`
    becomes `[0, 1/3, 2/3, 1]`: even steps from corner to corner.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Upsample.html#torch.nn.Upsample
    """
    x = torch.tensor([[[[0.0, 1.0], [0.0, 1.0]]]])

    y = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)(x)

    torch.testing.assert_close(y[0, 0, 0], torch.tensor([0.0, 1 / 3, 2 / 3, 1.0]))


def test_interpolate_bilinear_default_aligns_pixel_edges():
    """`F.interpolate(..., mode="bilinear")` defaults to `align_corners=False`, giving `[0, 0.25, 0.75, 1]`.

    With `align_corners=False` the pixels are squares and their *edges* line up: output
    pixel `i` samples input position `(i + 0.5) / 2 - 0.5`, that is -0.25, 0.25, 0.75, 1.25,
    clamped at the border. The two settings give different images; pick one and keep it
    between training and inference.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.interpolate.html#torch.nn.functional.interpolate
    """
    x = torch.tensor([[[[0.0, 1.0], [0.0, 1.0]]]])

    y = F.interpolate(x, scale_factor=2, mode="bilinear")

    torch.testing.assert_close(y[0, 0, 0], torch.tensor([0.0, 0.25, 0.75, 1.0]))


def test_interpolate_nearest_and_nearest_exact_round_differently():
    """Mode `"nearest"` picks input index `floor(i * in / out)`, `"nearest-exact"` uses pixel centres.

    From 3 to 5 samples, `"nearest"` takes indices 0, 0, 1, 1, 2, shifting the image
    slightly left; `"nearest-exact"` takes `floor((i + 0.5) * 3 / 5)` = 0, 0, 1, 2, 2,
    which matches what Pillow and OpenCV do.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.interpolate.html#torch.nn.functional.interpolate
    """
    x = torch.tensor([[[0.0, 1.0, 2.0]]])

    nearest = F.interpolate(x, size=5, mode="nearest")
    exact = F.interpolate(x, size=5, mode="nearest-exact")

    assert nearest.tolist() == [[[0.0, 0.0, 1.0, 1.0, 2.0]]]
    assert exact.tolist() == [[[0.0, 0.0, 1.0, 2.0, 2.0]]]


@pytest.mark.claim("S4-026", verdict="true")
def test_relu_clamps_negatives_to_zero():
    """`nn.ReLU` computes `max(0, x)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.ReLU.html#torch.nn.ReLU
    """
    x = torch.tensor([-2.0, 0.0, 3.0])

    assert nn.ReLU()(x).tolist() == [0.0, 0.0, 3.0]


def test_relu_inplace_overwrites_its_input():
    """`nn.ReLU(inplace=True)` writes the result into the input tensor and returns it; the default leaves it alone.

    In-place saves one tensor of memory, but the input's old values are gone, so it is
    only safe where nothing else needs them.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.ReLU.html#torch.nn.ReLU
    """
    x = torch.tensor([-2.0, 0.0, 3.0])
    kept = torch.tensor([-2.0, 0.0, 3.0])

    y = nn.ReLU(inplace=True)(x)
    z = nn.ReLU()(kept)

    assert y is x
    assert x.tolist() == [0.0, 0.0, 3.0]
    assert kept.tolist() == [-2.0, 0.0, 3.0]
    assert z.tolist() == [0.0, 0.0, 3.0]


@pytest.mark.claim("S4-025", verdict="true")
@pytest.mark.claim("S4-026", verdict="true")
def test_elu_alpha_scales_the_negative_side():
    """`nn.ELU(alpha)` computes `x` for `x > 0` and `alpha * (exp(x) - 1)` otherwise.

    `alpha` (default 1.0) is the value the negative side saturates at, with a minus sign:
    as `x` goes to minus infinity, ELU goes to `-alpha`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.ELU.html#torch.nn.ELU
    """
    x = torch.tensor([-1.0, 2.0])

    y = nn.ELU(alpha=2.0)(x)

    torch.testing.assert_close(y, torch.tensor([2.0 * (math.exp(-1.0) - 1.0), 2.0]))
    assert nn.ELU().alpha == 1.0


@pytest.mark.claim("S4-026", verdict="true")
def test_leaky_relu_default_slope_is_one_hundredth():
    """`nn.LeakyReLU()` multiplies negative inputs by `negative_slope=0.01`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LeakyReLU.html#torch.nn.LeakyReLU
    """
    x = torch.tensor([-2.0, 3.0])

    y = nn.LeakyReLU()(x)
    y_steep = nn.LeakyReLU(negative_slope=0.5)(x)

    torch.testing.assert_close(y, torch.tensor([-0.02, 3.0]))
    torch.testing.assert_close(y_steep, torch.tensor([-1.0, 3.0]))
    assert nn.LeakyReLU().negative_slope == 0.01


@pytest.mark.claim("S4-026", verdict="true")
def test_prelu_learns_its_negative_slope():
    """`nn.PReLU()` is LeakyReLU with a learnable slope, one parameter initialised to 0.25.

    Because the slope is an `nn.Parameter`, it shows in `parameters()` and is trained with the
    weights. `num_parameters=C` gives one slope per channel.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.PReLU.html#torch.nn.PReLU
    """
    prelu = nn.PReLU()

    y = prelu(torch.tensor([-2.0, 3.0]))

    assert [name for name, _ in prelu.named_parameters()] == ["weight"]
    assert prelu.weight.tolist() == [0.25]
    assert y.tolist() == [-0.5, 3.0]
    assert nn.PReLU(num_parameters=3).weight.tolist() == [0.25, 0.25, 0.25]


@pytest.mark.claim("S4-026", verdict="true")
def test_sigmoid_maps_to_zero_one():
    """`nn.Sigmoid` computes `1 / (1 + exp(-x))`, with 0.5 at `x = 0`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Sigmoid.html#torch.nn.Sigmoid
    """
    x = torch.tensor([0.0, 2.0])

    y = nn.Sigmoid()(x)

    torch.testing.assert_close(y, torch.tensor([0.5, 1.0 / (1.0 + math.exp(-2.0))]))


@pytest.mark.claim("S4-026", verdict="true")
def test_softplus_is_a_smooth_relu():
    """`nn.Softplus(beta)` computes `log(1 + exp(beta * x)) / beta`, a smooth version of ReLU.

    At 0 it gives `log 2`; a larger `beta` makes the curve hug ReLU more tightly.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Softplus.html#torch.nn.Softplus
    """
    x = torch.tensor([0.0, 1.0])

    y = nn.Softplus(beta=2.0)(x)

    torch.testing.assert_close(y, torch.tensor([math.log(2.0) / 2.0, math.log(1.0 + math.exp(2.0)) / 2.0]))


def test_softplus_is_linear_above_the_threshold():
    """Above `beta * x > threshold` (default 20) Softplus returns `x` itself, avoiding overflow of `exp`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Softplus.html#torch.nn.Softplus
    """
    x = torch.tensor([100.0])

    softplus = nn.Softplus()

    y = softplus(x)

    assert softplus.threshold == 20
    assert y.tolist() == [100.0]


def test_softplus_repr_prints_floats_since_2_3():
    """`repr(nn.Softplus())` prints `beta` and `threshold`, as floats since PyTorch 2.3.

    Releases before 2.3 stored the defaults as the integers 1 and 20; from 2.3 they are
    floats, and the repr shows `1.0` and `20.0`. Code that compares repr strings (a model
    summary diffed against a saved one) sees this change.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Softplus.html#torch.nn.Softplus
    """
    expected = by_version({"<2.3": "Softplus(beta=1, threshold=20)", ">=2.3": "Softplus(beta=1.0, threshold=20.0)"})

    assert repr(nn.Softplus()) == expected


def test_gelu_default_is_exact_and_tanh_is_the_approximation():
    """`nn.GELU()` computes `x * Phi(x)` with the normal CDF; `approximate="tanh"` uses the tanh formula.

    Exact: `0.5 * x * (1 + erf(x / sqrt(2)))`. Approximate:
    `0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))`. The two differ slightly,
    so a model should use the one it was trained with.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GELU.html#torch.nn.GELU
    """
    x = torch.tensor([-1.0, 0.5, 2.0], dtype=torch.float64)

    exact = nn.GELU()(x)
    tanh = nn.GELU(approximate="tanh")(x)

    expected_exact = torch.tensor([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.tolist()], dtype=torch.float64)
    expected_tanh = torch.tensor(
        [0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v**3))) for v in x.tolist()],
        dtype=torch.float64,
    )
    torch.testing.assert_close(exact, expected_exact)
    torch.testing.assert_close(tanh, expected_tanh)
    assert nn.GELU().approximate == "none"


def test_gelu_rejects_an_unknown_approximation():
    """An `approximate` other than `"none"` or `"tanh"` raises RuntimeError at the forward call.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GELU.html#torch.nn.GELU
    """
    gelu = nn.GELU(approximate="erf")

    with raises_exactly(RuntimeError, match=r"approximate argument must be either none or tanh"):
        gelu(torch.zeros(1))


def test_silu_is_x_times_sigmoid():
    """`nn.SiLU` computes `x * sigmoid(x)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.SiLU.html#torch.nn.SiLU
    """
    x = torch.tensor([-1.0, 0.0, 2.0])

    y = nn.SiLU()(x)

    torch.testing.assert_close(y, x * torch.sigmoid(x))


def test_hardtanh_clamps_to_minus_one_one_by_default():
    """`nn.Hardtanh()` clamps to `[min_val, max_val]`, which default to -1 and 1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Hardtanh.html#torch.nn.Hardtanh
    """
    x = torch.tensor([-3.0, -0.5, 0.5, 3.0])

    y = nn.Hardtanh()(x)
    y_wide = nn.Hardtanh(min_val=-2.0, max_val=2.0)(x)

    assert y.tolist() == [-1.0, -0.5, 0.5, 1.0]
    assert y_wide.tolist() == [-2.0, -0.5, 0.5, 2.0]


def test_softmax_normalises_along_dim():
    """`nn.Softmax(dim)` computes `exp(x) / sum(exp(x))` along `dim`, so each slice along it sums to 1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Softmax.html#torch.nn.Softmax
    """
    x = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])

    rows = nn.Softmax(dim=1)(x)
    columns = nn.Softmax(dim=0)(x)

    torch.testing.assert_close(rows, x.exp() / x.exp().sum(dim=1, keepdim=True))
    torch.testing.assert_close(rows.sum(dim=1), torch.ones(2))
    torch.testing.assert_close(columns.sum(dim=0), torch.ones(3))


def test_softmax_without_dim_warns_and_guesses():
    """`nn.Softmax()` without `dim` warns with a UserWarning and, for a 2-D input, uses dim 1.

    `dim` defaults to None, a legacy setting: the layer then guesses the dimension from
    the input's number of dimensions (dim 0 for 0-, 1- and 3-D inputs, dim 1 for the
    others) and warns that the implicit choice is deprecated. Always pass `dim`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Softmax.html#torch.nn.Softmax
    """
    x = torch.tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    softmax = nn.Softmax()

    with warns_exactly(UserWarning, match=r"Implicit dimension choice for softmax has been deprecated"):
        y = softmax(x)

    assert softmax.dim is None
    torch.testing.assert_close(y, torch.softmax(x, dim=1))
