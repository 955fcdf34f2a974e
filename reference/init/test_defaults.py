"""Default initialisation and the init functions' contract

Layers are born initialised: `nn.Linear` and `nn.Conv2d` fill their weights and biases in
`reset_parameters()` before you ever see them. The `torch.nn.init` functions replace those
values in place, return the tensor they were given, and work on parameters that require
grad because they run without recording autograd history.
"""

import math

import pytest
import torch
from torch import nn

from torchref import Figure, raises_exactly, warns_exactly


def linear_default_figure():
    torch.manual_seed(0)
    weight = nn.Linear(256, 64).weight.detach()
    bound = 1 / math.sqrt(256)
    counts = torch.histc(weight, bins=16, min=-bound, max=bound)
    centres = [-bound + bound / 8 * (i + 0.5) for i in range(16)]
    return Figure("nn.Linear(256, 64).weight", "weight value", "count", {"default init": (centres, counts.tolist())}, kind="bars")


@pytest.mark.claim("S2-058", verdict="true")
@pytest.mark.figure("linear_default_figure")
def test_linear_default_weight_is_uniform_within_one_over_sqrt_fan_in():
    """A new `nn.Linear(256, 64)` already holds weights drawn from U(-1/√256, 1/√256).

    The note is right that layers come initialised. The weight is flat on
    (-1/√fan_in, 1/√fan_in): none of the 16,384 values passes the bound, the largest comes
    within 0.1% of it, and each of the 16 histogram bins holds 1024 values to within
    5 binomial standard errors (5 · √(1024 · 15/16) ≈ 155).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Linear.html#torch.nn.Linear
    """
    bound = 1 / math.sqrt(256)

    torch.manual_seed(0)
    weight = nn.Linear(256, 64).weight.detach()
    fig = linear_default_figure()

    assert weight.abs().max().item() <= bound
    assert weight.abs().max().item() > 0.999 * bound
    (_, counts), = fig.series.values()
    assert sum(counts) == weight.numel()
    assert all(abs(c - 1024) <= 155 for c in counts)


def test_linear_default_is_kaiming_uniform_with_a_sqrt_5():
    """`nn.Linear` initialises its weight with `kaiming_uniform_(w, a=math.sqrt(5))`.

    That odd `a` is where the bound 1/√fan_in comes from: the gain is
    sqrt(2 / (1 + 5)) = 1/√3 and the Kaiming bound is gain · sqrt(3 / fan_in) = 1/√fan_in.
    From the same seed the layer's weight and a hand-made `kaiming_uniform_` agree exactly.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Linear.html#torch.nn.Linear
    """
    torch.manual_seed(0)
    layer = nn.Linear(4, 3)

    torch.manual_seed(0)
    by_hand = nn.init.kaiming_uniform_(torch.empty(3, 4), a=math.sqrt(5))

    assert torch.equal(layer.weight.detach(), by_hand)


def test_linear_default_bias_is_uniform_within_one_over_sqrt_fan_in():
    """The bias of `nn.Linear(256, 64)` is drawn from U(-1/√256, 1/√256) too.

    A bias has no fans of its own, so the layer uses the weight's fan_in. With 64
    values the largest comes within 20% of the bound (missing has probability
    0.8^64 ≈ 10⁻⁶).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Linear.html#torch.nn.Linear
    """
    torch.manual_seed(0)

    bias = nn.Linear(256, 64).bias.detach()

    assert bias.abs().max().item() <= 1 / math.sqrt(256)
    assert bias.abs().max().item() > 0.8 / math.sqrt(256)


def test_conv2d_default_bound_uses_the_receptive_field():
    """A new `nn.Conv2d(3, 8, kernel_size=5)` has weights within 1/√75, since fan_in = 3 · 5 · 5.

    Convolutions use the same rule as Linear, with fan_in counting every input value one
    output reads: channels times kernel area. With 600 weights the largest comes
    within 3% of the bound (missing has probability 0.97^600 ≈ 10⁻⁸).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html#torch.nn.Conv2d
    """
    torch.manual_seed(0)

    conv = nn.Conv2d(3, 8, kernel_size=5)

    bound = 1 / math.sqrt(3 * 5 * 5)
    assert conv.weight.abs().max().item() <= bound
    assert conv.weight.abs().max().item() > 0.97 * bound
    assert conv.bias.abs().max().item() <= bound


CONV_LAYERS = {
    "Conv1d": (lambda: nn.Conv1d(4, 64, kernel_size=9, groups=2), 2 / (4 * 9)),
    "Conv2d": (lambda: nn.Conv2d(4, 64, kernel_size=3, groups=2), 2 / (4 * 3 * 3)),
    "Conv3d": (lambda: nn.Conv3d(4, 32, kernel_size=3, groups=2), 2 / (4 * 3 * 3 * 3)),
}


@pytest.mark.parametrize(("make", "k"), CONV_LAYERS.values(), ids=CONV_LAYERS.keys())
def test_conv_default_bound_is_sqrt_k_with_k_counting_groups(make, k):
    """A new convolution draws weight and bias from U(-√k, √k), k = groups / (C_in · kernel volume).

    Each output of a grouped convolution reads only `C_in / groups` input channels, so
    groups enter k. Here `groups=2`, `C_in = 4` and a kernel of 9 or 27 values: for
    `Conv2d` k = 2 / 36, a bound of 1/√18. The `Conv1d` and `Conv3d` pages give the same k
    over their one or three kernel sizes. No weight passes √k and, with at least 1152
    weights, the largest comes within 3% of it (missing has probability below
    0.97^1152 ≈ 10⁻¹⁵); the bias stays within √k too.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Conv2d.html#torch.nn.Conv2d
    """
    torch.manual_seed(0)

    conv = make()

    bound = math.sqrt(k)
    assert conv.weight.numel() >= 1152
    assert 0.97 * bound < conv.weight.abs().max().item() <= bound
    assert conv.bias.abs().max().item() <= bound


def test_conv_transpose_default_bound_counts_output_channels():
    """A new `nn.ConvTranspose2d` draws from U(-√k, √k) with k = groups / (C_out · kernel area): C_out, not C_in.

    A transposed convolution's weight is stored as (C_in, C_out / groups, kH, kW), so the
    weight's fan_in (dimension 1 times the kernel area) counts *output* channels. For
    `ConvTranspose2d(64, 4, kernel_size=3, groups=2)` k = 2 / (4 · 9); with C_in in its
    place the bound would be 4 times smaller. No weight passes √k and the largest of the
    1152 comes within 3% of it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.ConvTranspose2d.html#torch.nn.ConvTranspose2d
    """
    torch.manual_seed(0)

    conv = nn.ConvTranspose2d(64, 4, kernel_size=3, groups=2)

    bound = math.sqrt(2 / (4 * 3 * 3))
    assert conv.weight.shape == (64, 2, 3, 3)
    assert 0.97 * bound < conv.weight.abs().max().item() <= bound
    assert conv.bias.abs().max().item() <= bound


def test_batchnorm_default_scale_is_one_and_shift_is_zero():
    """A new `nn.BatchNorm2d(C)` has γ (`weight`) all ones and β (`bias`) all zeros, so its affine step starts as the identity.

    Both are vectors of size C. The running estimates start at mean 0 and variance 1,
    so a fresh layer in eval mode divides by sqrt(1 + eps) and changes nothing else.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html#torch.nn.BatchNorm2d
    """
    bn = nn.BatchNorm2d(3)

    assert bn.weight.tolist() == [1.0, 1.0, 1.0]
    assert bn.bias.tolist() == [0.0, 0.0, 0.0]
    assert bn.running_mean.tolist() == [0.0, 0.0, 0.0]
    assert bn.running_var.tolist() == [1.0, 1.0, 1.0]
    x = torch.arange(6.0).reshape(1, 3, 2, 1)
    torch.testing.assert_close(bn.eval()(x), x / math.sqrt(1 + bn.eps))


def test_reset_parameters_draws_new_values():
    """`reset_parameters()` re-runs a layer's default initialisation in place.

    It is the method the constructor calls; calling it again gives fresh random values in
    the same parameter objects.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Linear.html#torch.nn.Linear
    """
    torch.manual_seed(0)
    layer = nn.Linear(4, 3)
    weight, before = layer.weight, layer.weight.detach().clone()

    layer.reset_parameters()

    assert layer.weight is weight
    assert not torch.equal(layer.weight.detach(), before)


def test_constant_zeros_and_ones_fill_every_element():
    """`constant_(w, v)`, `zeros_(w)` and `ones_(w)` set every element to one value.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.constant_
    """
    w = torch.empty(2, 3)

    assert nn.init.constant_(w, 0.5).tolist() == [[0.5, 0.5, 0.5]] * 2
    assert nn.init.zeros_(w).tolist() == [[0.0, 0.0, 0.0]] * 2
    assert nn.init.ones_(w).tolist() == [[1.0, 1.0, 1.0]] * 2


def test_eye_makes_a_linear_layer_the_identity():
    """`eye_` writes the identity matrix, so a square Linear with zero bias passes its input through.

    On a non-square matrix it writes ones on the main diagonal. It accepts only 2-D
    tensors (for convolutions there is `dirac_`).

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.eye_
    """
    layer = nn.Linear(3, 3)
    nn.init.eye_(layer.weight)
    nn.init.zeros_(layer.bias)
    x = torch.tensor([[1.0, -2.0, 3.0]])

    y = layer(x)

    assert y.tolist() == [[1.0, -2.0, 3.0]]
    assert nn.init.eye_(torch.empty(2, 3)).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]


def test_dirac_makes_a_convolution_the_identity():
    """`dirac_` gives a conv weight a single 1 at the kernel centre of each matching channel, so the conv passes its input through.

    It is `eye_` for convolutions: output channel i copies input channel i. With more
    output than input channels, the extra ones are all zero. `groups=g` repeats the
    pattern per group, for grouped convolutions. Only 3-, 4- and 5-D weights are accepted.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.dirac_
    """
    conv = nn.Conv2d(2, 3, kernel_size=3, padding=1, bias=False)
    nn.init.dirac_(conv.weight)
    torch.manual_seed(0)
    x = torch.randn(1, 2, 4, 4)

    y = conv(x)

    torch.testing.assert_close(y[:, :2], x)
    assert y[:, 2].abs().sum().item() == 0.0
    assert conv.weight.sum().item() == 2.0
    assert conv.weight[0, 0, 1, 1].item() == conv.weight[1, 1, 1, 1].item() == 1.0
    grouped = nn.init.dirac_(torch.empty(4, 1, 1), groups=2)
    assert grouped.flatten().tolist() == [1.0, 0.0, 1.0, 0.0]
    with raises_exactly(ValueError, match="Only tensors with 3, 4, or 5 dimensions are supported"):
        nn.init.dirac_(torch.empty(2, 2))


def test_dirac_groups_make_a_grouped_convolution_the_identity():
    """`dirac_(w, groups=g)` makes a convolution with `groups=g` pass its input through; `w.size(0)` must divide by g.

    A grouped convolution's weight has shape (C_out, C_in / groups, k): each group of
    output channels sees only its own input channels, indexed from 0. With `groups=2`
    each group gets its own diagonal, and a `Conv1d(4, 4, 3, groups=2)` becomes the
    identity. Without `groups` the pattern would be wrong for such a layer: the second
    group's filters would be all zero. Output channels that do not split into `groups`
    equal parts raise a ValueError.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.dirac_
    """
    conv = nn.Conv1d(4, 4, kernel_size=3, padding=1, groups=2, bias=False)
    torch.manual_seed(0)
    x = torch.randn(1, 4, 5)

    nn.init.dirac_(conv.weight, groups=2)
    y = conv(x)

    torch.testing.assert_close(y, x)
    ungrouped = nn.init.dirac_(torch.empty(4, 2, 3))
    assert ungrouped[2:].abs().sum().item() == 0.0
    with raises_exactly(ValueError, match="dim 0 must be divisible by groups"):
        nn.init.dirac_(torch.empty(3, 2, 3), groups=2)


@pytest.mark.parametrize("conv", [nn.Conv1d, nn.Conv3d], ids=["Conv1d", "Conv3d"])
def test_dirac_also_fills_temporal_and_volumetric_weights(conv):
    """`dirac_` makes a 1-D (3-D weight) or 3-D (5-D weight) convolution the identity, as it does a 2-D one.

    The single 1 sits at the centre of the kernel in every spatial dimension, so with
    "same" padding each output channel copies its input channel.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.dirac_
    """
    layer = conv(2, 2, kernel_size=3, padding=1, bias=False)
    torch.manual_seed(0)
    x = torch.randn((1, 2) + (3,) * (layer.weight.dim() - 2))

    nn.init.dirac_(layer.weight)

    torch.testing.assert_close(layer(x), x)
    assert layer.weight.sum().item() == 2.0


def test_eye_rejects_more_than_two_dimensions():
    """`eye_` on a 3-D tensor raises a ValueError.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.eye_
    """
    with raises_exactly(ValueError, match="Only tensors with 2 dimensions are supported"):
        nn.init.eye_(torch.empty(2, 3, 4))


INIT_FUNCTIONS = {
    "zeros_": nn.init.zeros_,
    "ones_": nn.init.ones_,
    "constant_": lambda w: nn.init.constant_(w, 0.5),
    "eye_": nn.init.eye_,
    "dirac_": nn.init.dirac_,
    "uniform_": nn.init.uniform_,
    "normal_": nn.init.normal_,
    "trunc_normal_": nn.init.trunc_normal_,
    "xavier_uniform_": nn.init.xavier_uniform_,
    "xavier_normal_": nn.init.xavier_normal_,
    "kaiming_uniform_": nn.init.kaiming_uniform_,
    "kaiming_normal_": nn.init.kaiming_normal_,
    "orthogonal_": nn.init.orthogonal_,
    "sparse_": lambda w: nn.init.sparse_(w, 0.5),
}
SHAPES = {"dirac_": (3, 4, 1)}


@pytest.mark.parametrize("name", INIT_FUNCTIONS)
def test_init_function_fills_in_place_and_returns_its_argument(name):
    """Every `nn.init` function overwrites the tensor it gets and returns that same object.

    The trailing underscore is PyTorch's mark for in-place. Returning the tensor lets you
    write `w = nn.init.zeros_(torch.empty(3, 4))`, but no copy is made. (Each gets a
    (3, 4) tensor, `dirac_` a (3, 4, 1) one: it only takes convolution weights.)

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch-nn-init
    """
    w = torch.full(SHAPES.get(name, (3, 4)), float("nan"))
    init = INIT_FUNCTIONS[name]

    out = init(w)

    assert out is w
    assert not w.isnan().any()


@pytest.mark.parametrize("name", INIT_FUNCTIONS)
def test_init_function_works_on_a_parameter_that_requires_grad(name):
    """The `nn.init` functions fill a parameter that requires grad and leave no autograd history.

    They run under `torch.no_grad()`: the parameter stays a leaf with `requires_grad=True`
    and no `grad_fn`, ready for training.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch-nn-init
    """
    p = nn.Parameter(torch.full(SHAPES.get(name, (3, 4)), float("nan")))
    init = INIT_FUNCTIONS[name]

    init(p)

    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    assert not p.detach().isnan().any()


def test_plain_in_place_op_on_a_parameter_raises():
    """`p.zero_()` on a parameter that requires grad raises; `nn.init.zeros_(p)` does not.

    Autograd forbids overwriting a leaf that requires grad, because the values it would
    need for the backward pass would be lost. The init functions step around this with
    `torch.no_grad()`; do the same when you set a parameter by hand.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch-nn-init
    """
    p = nn.Parameter(torch.ones(3))

    with raises_exactly(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation"):
        p.zero_()
    with torch.no_grad():
        p.zero_()

    assert p.tolist() == [0.0, 0.0, 0.0]


def test_module_apply_initialises_every_submodule():
    """`model.apply(fn)` calls `fn` on every submodule and the model itself, the usual way to re-initialise a model.

    `fn` sees each layer and then the Sequential itself, so it checks the type before
    touching weights. `apply` returns the model, so it can be chained after construction:
    `model = Net().apply(init_weights)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.apply
    """
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    seen = []

    def init_weights(m):
        seen.append(type(m).__name__)
        if isinstance(m, nn.Linear):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)

    result = model.apply(init_weights)

    assert result is model
    assert seen == ["Linear", "ReLU", "Linear", "Sequential"]
    assert model[0].weight.tolist() == [[1.0] * 4] * 3
    assert model[2].weight.tolist() == [[1.0] * 3] * 2
    assert model[0].bias.tolist() == [0.0] * 3
    assert model[2].bias.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("init", [nn.init.kaiming_uniform_, nn.init.kaiming_normal_], ids=["uniform", "normal"])
def test_init_of_an_empty_tensor_warns(init):
    """Kaiming initialisation of a tensor with no elements is a no-op that warns.

    A layer with a zero-sized dimension, say `nn.Linear(0, 3)`, has nothing to fill; the
    warning points at what is usually a shape mistake. The tensor comes back as it was.

    Docs: https://docs.pytorch.org/docs/stable/nn.init.html#torch.nn.init.kaiming_uniform_
    """
    w = torch.empty(3, 0)

    with warns_exactly(UserWarning, match="Initializing zero-element tensors is a no-op"):
        out = init(w)

    assert out is w
    assert out.shape == (3, 0)
