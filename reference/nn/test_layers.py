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

from torchref import by_version, raises_exactly


@pytest.mark.claim("S2-048", verdict="true")
def test_parameter_requires_grad_by_default():
    """An `nn.Parameter` requires grad even when the tensor it wraps does not.

    The note is right: layer weights are trainable because `Parameter` defaults to
    `requires_grad=True`. Every weight and bias of a built-in layer is a `Parameter`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.parameter.Parameter.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.parameter.Parameter.html
    """
    module = nn.Module()

    module.fixed = nn.Parameter(torch.zeros(2), requires_grad=False)

    assert [name for name, _ in module.named_parameters()] == ["fixed"]
    assert module.fixed.requires_grad is False


def test_linear_weight_has_shape_out_by_in():
    """`nn.Linear(in, out)` stores its weight as (out, in) and computes `x @ W.T + b`.

    The (out, in) layout makes each row of `W` the weights of one output unit.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Linear.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Linear.html
    """
    fc = nn.Linear(3, 2)

    y = fc(torch.zeros(5, 7, 3))

    assert y.shape == (5, 7, 2)


def test_conv2d_weight_has_shape_out_in_kh_kw():
    """`nn.Conv2d(in, out, k)` stores a weight of shape (out, in, k, k) and one bias per output channel.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html
    """
    conv = nn.Conv2d(3, 8, kernel_size=(5, 3))

    assert conv.weight.shape == (8, 3, 5, 3)
    assert conv.bias.shape == (8,)


@pytest.mark.claim("S4-023", verdict="true")
def test_conv2d_takes_n_c_h_w_input():
    """`nn.Conv2d` reads a batch as (N, C_in, H, W) and returns (N, C_out, H_out, W_out).

    The note's `nSamples x nChannels x Height x Width` is the standard layout. Channels come
    before the spatial dimensions, unlike the (H, W, C) of most image files.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Linear.html
    """
    fc = nn.Linear(3, 2)

    y = fc(torch.zeros(3))

    assert y.shape == (2,)


@pytest.mark.claim("S2-032", verdict="true")
def test_conv2d_module_matches_functional_conv2d():
    """`nn.Conv2d` gives the same result as `F.conv2d` called with the module's weight and bias.

    The note is right: the class owns its `weight` and `bias` as parameters (so it can sit
    in a `Sequential` and be found by the optimizer), while the function takes them as
    arguments. The arithmetic is the same call.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.conv2d.html
    """
    torch.manual_seed(0)
    conv = nn.Conv2d(2, 3, 3, padding=1)
    x = torch.randn(1, 2, 5, 5)

    y_module = conv(x)
    y_function = F.conv2d(x, conv.weight, conv.bias, padding=1)

    torch.testing.assert_close(y_module, y_function)


def test_maxpool2d_keeps_the_largest_value_of_each_window():
    """`nn.MaxPool2d(2)` keeps the maximum of each 2x2 window, halving height and width.

    The stride defaults to the kernel size, so the windows do not overlap.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.MaxPool2d.html
    """
    x = torch.arange(16.0).view(1, 1, 4, 4)

    y = nn.MaxPool2d(2)(x)

    assert y.tolist() == [[[[5.0, 7.0], [13.0, 15.0]]]]
    assert torch.equal(y, F.max_pool2d(x, 2))


@pytest.mark.claim("S2-035", verdict="true")
def test_flatten_from_dim_1_keeps_the_batch():
    """`torch.flatten(x, 1)` turns (N, C, H, W) into (N, C*H*W), keeping the batch dimension.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.flatten.html
    """
    x = torch.zeros(2, 64, 12, 12)

    y = torch.flatten(x, 1)

    assert y.shape == (2, 9216)


def test_flatten_module_and_function_have_different_defaults():
    """`nn.Flatten()` starts at dim 1 by default, `torch.flatten(x)` at dim 0.

    The module is meant for batches inside a `Sequential`, so it keeps the batch dimension;
    the function flattens everything unless told otherwise.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Flatten.html
    """
    x = torch.zeros(2, 3, 4)

    assert nn.Flatten()(x).shape == (2, 12)
    assert torch.flatten(x).shape == (24,)
    assert torch.equal(nn.Flatten()(x), torch.flatten(x, 1))


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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.log_softmax.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Upsample.html
    """
    x = torch.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])

    up = nn.Upsample(scale_factor=2)

    assert up.mode == "nearest"
    assert up(x).tolist() == [[[[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0], [3.0, 3.0, 4.0, 4.0], [3.0, 3.0, 4.0, 4.0]]]]


def test_upsample_size_sets_the_output_size():
    """`nn.Upsample(size=(h, w))` produces exactly that spatial size.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Upsample.html
    """
    x = torch.zeros(1, 1, 2, 3)

    y = nn.Upsample(size=(5, 4))(x)

    assert y.shape == (1, 1, 5, 4)


def test_upsample_rejects_both_size_and_scale_factor():
    """Giving `nn.Upsample` both `size` and `scale_factor` raises ValueError when it is called.

    The two arguments are two ways of saying the same thing, so only one may be set.
    The check happens in `F.interpolate`, at the first forward call, not in the
    constructor.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Upsample.html
    """
    up = nn.Upsample(size=4, scale_factor=2)

    with raises_exactly(ValueError, match="only one of size or scale_factor should be defined"):
        up(torch.zeros(1, 1, 2, 2))


def test_upsample_bilinear_align_corners_true_keeps_the_corner_values():
    """With `align_corners=True`, bilinear upsampling maps corner pixel centres onto each other.

    Output pixel `i` of 4 samples input position `i * (2 - 1) / (4 - 1)`, so a row `[0, 1]`
    becomes `[0, 1/3, 2/3, 1]`: even steps from corner to corner.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Upsample.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.interpolate.html
    """
    x = torch.tensor([[[[0.0, 1.0], [0.0, 1.0]]]])

    y = F.interpolate(x, scale_factor=2, mode="bilinear")

    torch.testing.assert_close(y[0, 0, 0], torch.tensor([0.0, 0.25, 0.75, 1.0]))


def test_interpolate_nearest_and_nearest_exact_round_differently():
    """Mode `"nearest"` picks input index `floor(i * in / out)`, `"nearest-exact"` uses pixel centres.

    From 3 to 5 samples, `"nearest"` takes indices 0, 0, 1, 1, 2, shifting the image
    slightly left; `"nearest-exact"` takes `floor((i + 0.5) * 3 / 5)` = 0, 0, 1, 2, 2,
    which matches what Pillow and OpenCV do.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.functional.interpolate.html
    """
    x = torch.tensor([[[0.0, 1.0, 2.0]]])

    nearest = F.interpolate(x, size=5, mode="nearest")
    exact = F.interpolate(x, size=5, mode="nearest-exact")

    assert nearest.tolist() == [[[0.0, 0.0, 1.0, 1.0, 2.0]]]
    assert exact.tolist() == [[[0.0, 0.0, 1.0, 2.0, 2.0]]]


@pytest.mark.claim("S4-026", verdict="true")
def test_relu_clamps_negatives_to_zero():
    """`nn.ReLU` computes `max(0, x)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.ReLU.html
    """
    x = torch.tensor([-2.0, 0.0, 3.0])

    assert nn.ReLU()(x).tolist() == [0.0, 0.0, 3.0]


@pytest.mark.claim("S4-025", verdict="true")
@pytest.mark.claim("S4-026", verdict="true")
def test_elu_alpha_scales_the_negative_side():
    """`nn.ELU(alpha)` computes `x` for `x > 0` and `alpha * (exp(x) - 1)` otherwise.

    `alpha` (default 1.0) is the value the negative side saturates at, with a minus sign:
    as `x` goes to minus infinity, ELU goes to `-alpha`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.ELU.html
    """
    x = torch.tensor([-1.0, 2.0])

    y = nn.ELU(alpha=2.0)(x)

    torch.testing.assert_close(y, torch.tensor([2.0 * (math.exp(-1.0) - 1.0), 2.0]))
    assert nn.ELU().alpha == 1.0


@pytest.mark.claim("S4-026", verdict="true")
def test_leaky_relu_default_slope_is_one_hundredth():
    """`nn.LeakyReLU()` multiplies negative inputs by `negative_slope=0.01`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LeakyReLU.html
    """
    x = torch.tensor([-2.0, 3.0])

    y = nn.LeakyReLU()(x)

    torch.testing.assert_close(y, torch.tensor([-0.02, 3.0]))


@pytest.mark.claim("S4-026", verdict="true")
def test_prelu_learns_its_negative_slope():
    """`nn.PReLU()` is LeakyReLU with a learnable slope, one parameter initialised to 0.25.

    Because the slope is an `nn.Parameter`, it shows in `parameters()` and is trained with the
    weights. `num_parameters=C` gives one slope per channel.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.PReLU.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Sigmoid.html
    """
    x = torch.tensor([0.0, 2.0])

    y = nn.Sigmoid()(x)

    torch.testing.assert_close(y, torch.tensor([0.5, 1.0 / (1.0 + math.exp(-2.0))]))


@pytest.mark.claim("S4-026", verdict="true")
def test_softplus_is_a_smooth_relu():
    """`nn.Softplus(beta)` computes `log(1 + exp(beta * x)) / beta`, a smooth version of ReLU.

    At 0 it gives `log 2`; a larger `beta` makes the curve hug ReLU more tightly.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Softplus.html
    """
    x = torch.tensor([0.0, 1.0])

    y = nn.Softplus(beta=2.0)(x)

    torch.testing.assert_close(y, torch.tensor([math.log(2.0) / 2.0, math.log(1.0 + math.exp(2.0)) / 2.0]))


def test_softplus_is_linear_above_the_threshold():
    """Above `beta * x > threshold` (default 20) Softplus returns `x` itself, avoiding overflow of `exp`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Softplus.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Softplus.html
    """
    expected = by_version({"<2.3": "Softplus(beta=1, threshold=20)", ">=2.3": "Softplus(beta=1.0, threshold=20.0)"})

    assert repr(nn.Softplus()) == expected
