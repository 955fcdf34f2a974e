"""Normalization layers

A normalization layer subtracts a mean and divides by a standard deviation, then (if it
is affine) multiplies by a learned scale and adds a learned shift. The layers differ in
*which values share one mean and variance*. `nn.LayerNorm` normalises each sample over its
last dimensions; `nn.GroupNorm` over groups of channels of each sample; `nn.InstanceNorm1d`
and `nn.InstanceNorm2d` over each channel of each sample. All three compute their
statistics from the input in training and evaluation alike. `nn.RMSNorm` (PyTorch 2.4 and
later) is LayerNorm without the mean: it divides by the root mean square. `nn.BatchNorm` is the odd one
out: it normalises each channel over the *batch*, and in evaluation mode it switches to
running averages. Every expected value below is computed by hand with `normalise`, which
uses the biased variance (divide by the number of values) that all these layers use.
"""

import pytest
import torch
from torch import nn

from torchref import raises_exactly

EPS = 1e-5  # the default eps of every normalization layer


def normalise(x, dims, eps=EPS):
    """(x - mean) / sqrt(var + eps), with mean and biased variance over `dims`."""
    mean = x.mean(dim=dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)


@pytest.mark.shows("normalise")
def test_layernorm_normalises_each_sample_over_the_last_dims():
    """`nn.LayerNorm(normalized_shape)` normalises each sample over its last `len(normalized_shape)` dimensions.

    For a (2, 3, 4) input, `LayerNorm((3, 4))` computes one mean and one variance per
    sample from its 12 values, and `LayerNorm(4)` one per row of 4 values: an integer is
    taken as the one-element shape `(4,)`. Nothing is shared across the batch, and the output
    has the input's shape.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LayerNorm.html#torch.nn.LayerNorm
    """
    torch.manual_seed(0)
    x = torch.randn(2, 3, 4) * 3 + 1

    per_sample = nn.LayerNorm((3, 4))(x)
    per_row = nn.LayerNorm(4)(x)

    assert nn.LayerNorm(4).normalized_shape == (4,)
    assert per_sample.shape == per_row.shape == x.shape
    torch.testing.assert_close(per_sample, normalise(x, dims=(1, 2)))
    torch.testing.assert_close(per_row, normalise(x, dims=2))


def test_layernorm_uses_the_biased_variance():
    """LayerNorm divides by the biased standard deviation: the variance of n values is divided by n, not n - 1.

    For the row [1, 2, 3, 6] the mean is 3 and the biased variance (4 + 1 + 0 + 9) / 4 = 3.5,
    so the output is (x - 3) / sqrt(3.5 + eps). The docs name the estimator:
    `torch.var(input, unbiased=False)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LayerNorm.html#torch.nn.LayerNorm
    """
    x = torch.tensor([[1.0, 2.0, 3.0, 6.0]])

    y = nn.LayerNorm(4)(x)

    torch.testing.assert_close(y, (x - 3.0) / torch.sqrt(torch.tensor(3.5 + EPS)))
    assert x.var(unbiased=False).item() == 3.5


def test_layernorm_eps_is_added_to_the_variance():
    """`eps` (default 1e-5) is added to the variance inside the square root, which keeps a constant input finite.

    With `eps=1.0` the row [1, 2, 3, 6] is divided by sqrt(3.5 + 1). A constant row has
    variance 0, so without `eps` it would be 0 / 0; with it the output is exactly 0.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LayerNorm.html#torch.nn.LayerNorm
    """
    x = torch.tensor([[1.0, 2.0, 3.0, 6.0]])

    y = nn.LayerNorm(4, eps=1.0)(x)
    constant = nn.LayerNorm(4)(torch.full((1, 4), 7.0))

    assert nn.LayerNorm(4).eps == EPS
    torch.testing.assert_close(y, (x - 3.0) / torch.sqrt(torch.tensor(4.5)))
    assert constant.tolist() == [[0.0, 0.0, 0.0, 0.0]]


def test_layernorm_elementwise_affine_learns_a_scale_and_shift_per_element():
    """With `elementwise_affine=True` (the default) LayerNorm learns a weight and a bias of shape `normalized_shape`.

    Unlike BatchNorm and InstanceNorm, whose affine parameters hold one value per
    channel, LayerNorm's hold one value per normalised element. They start at ones and
    zeros, so a new layer outputs the plain normalisation; afterwards the output is
    `normalise(x) * weight + bias`. `elementwise_affine=False` creates no parameters.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LayerNorm.html#torch.nn.LayerNorm
    """
    torch.manual_seed(0)
    x = torch.randn(2, 3, 4)
    norm = nn.LayerNorm((3, 4))
    fresh = [norm.weight.detach().clone(), norm.bias.detach().clone()]
    with torch.no_grad():
        norm.weight.copy_(torch.arange(12.0).view(3, 4))
        norm.bias.fill_(0.5)

    y = norm(x)

    assert [(name, tuple(p.shape)) for name, p in norm.named_parameters()] == [("weight", (3, 4)), ("bias", (3, 4))]
    assert torch.equal(fresh[0], torch.ones(3, 4)) and torch.equal(fresh[1], torch.zeros(3, 4))
    torch.testing.assert_close(y, normalise(x, dims=(1, 2)) * torch.arange(12.0).view(3, 4) + 0.5)
    assert list(nn.LayerNorm(4, elementwise_affine=False).parameters()) == []


@pytest.mark.torch_version(">=2.1")
def test_layernorm_bias_false_keeps_only_the_scale():
    """`nn.LayerNorm(..., bias=False)` learns the per-element weight but no shift.

    The `bias` argument arrived in PyTorch 2.1 (a fix to it was cherry-picked into the
    2.1 release branch: https://github.com/pytorch/pytorch/pull/108078). Transformer
    blocks often drop the shift, since the next linear layer has a bias of its own.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LayerNorm.html#torch.nn.LayerNorm
    """
    torch.manual_seed(0)
    x = torch.randn(2, 4)
    norm = nn.LayerNorm(4, bias=False)
    with torch.no_grad():
        norm.weight.fill_(2.0)

    y = norm(x)

    assert [name for name, _ in norm.named_parameters()] == ["weight"]
    assert norm.bias is None
    torch.testing.assert_close(y, 2.0 * normalise(x, dims=1))


def test_layernorm_is_the_same_in_train_and_eval():
    """LayerNorm keeps no running statistics, so `train()` and `eval()` give the same output.

    It normalises with the statistics of the input it is given, in both modes, and has no
    buffers at all. That makes it independent of the batch size, one reason it is the
    normalisation of choice in transformers.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LayerNorm.html#torch.nn.LayerNorm
    """
    torch.manual_seed(0)
    x = torch.randn(3, 4)
    norm = nn.LayerNorm(4)

    train_out = norm(x)
    eval_out = norm.eval()(x)

    assert torch.equal(train_out, eval_out)
    assert list(norm.buffers()) == []


def test_layernorm_rejects_a_mismatched_trailing_shape():
    """An input whose last dimensions differ from `normalized_shape` raises RuntimeError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.LayerNorm.html#torch.nn.LayerNorm
    """
    norm = nn.LayerNorm(3)

    with raises_exactly(RuntimeError, match=r"Given normalized_shape=\[3\], expected input with shape \[\*, 3\]"):
        norm(torch.zeros(2, 4))


def rms_normalise(x, dims, eps):
    """x / sqrt(mean(x ** 2) + eps) over `dims`: no mean is subtracted."""
    return x / torch.sqrt((x * x).mean(dim=dims, keepdim=True) + eps)


@pytest.mark.torch_version(">=2.4")
@pytest.mark.shows("rms_normalise")
def test_rmsnorm_divides_by_the_root_mean_square_without_centring():
    """`nn.RMSNorm(normalized_shape)` divides by `sqrt(mean(x ** 2) + eps)` over the last dimensions and subtracts no mean.

    Like LayerNorm it takes its statistic over the last `len(normalized_shape)` dimensions
    of each sample, but nothing centres the values: on this input, whose mean is about 2,
    the result is far from LayerNorm's. The module arrived in PyTorch 2.4
    (https://github.com/pytorch/pytorch/pull/121364).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.RMSNorm.html#torch.nn.RMSNorm
    """
    torch.manual_seed(0)
    x = torch.randn(2, 3, 4) + 2
    eps = torch.finfo(torch.float32).eps

    per_sample = nn.RMSNorm((3, 4))(x)
    per_row = nn.RMSNorm(4)(x)

    assert per_sample.shape == x.shape
    torch.testing.assert_close(per_sample, rms_normalise(x, dims=(1, 2), eps=eps))
    torch.testing.assert_close(per_row, rms_normalise(x, dims=2, eps=eps))
    assert not torch.allclose(per_row, normalise(x, dims=2), atol=1e-2)


@pytest.mark.torch_version(">=2.4")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_rmsnorm_eps_defaults_to_the_machine_epsilon_of_the_dtype(dtype):
    """`eps=None` (the default) adds `torch.finfo(dtype).eps` for float32 and float64 input, not LayerNorm's 1e-5.

    With values so small that `mean(x ** 2)` is comparable to that epsilon, the output
    shows it: without eps a constant row would normalise to exactly 1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.RMSNorm.html#torch.nn.RMSNorm
    """
    eps = torch.finfo(dtype).eps
    x = torch.full((1, 4), eps**0.5, dtype=dtype)  # mean(x ** 2) == eps
    norm = nn.RMSNorm(4, dtype=dtype)

    y = norm(x)

    assert norm.eps is None
    torch.testing.assert_close(y, x / torch.sqrt(torch.tensor(2 * eps, dtype=dtype)))
    torch.testing.assert_close(y, torch.full_like(x, 0.5**0.5))


@pytest.mark.torch_version(">=2.4")
def test_rmsnorm_learns_a_per_element_scale_and_no_shift():
    """RMSNorm's only parameter is a `weight` of shape `normalized_shape`, starting at ones; `elementwise_affine=False` drops it.

    There is no bias: the output is `rms_normalise(x) * weight`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.RMSNorm.html#torch.nn.RMSNorm
    """
    torch.manual_seed(0)
    x = torch.randn(2, 3, 4)
    norm = nn.RMSNorm((3, 4))
    fresh = norm.weight.detach().clone()
    with torch.no_grad():
        norm.weight.copy_(torch.arange(12.0).view(3, 4))

    y = norm(x)

    assert [(name, tuple(p.shape)) for name, p in norm.named_parameters()] == [("weight", (3, 4))]
    assert torch.equal(fresh, torch.ones(3, 4))
    eps = torch.finfo(torch.float32).eps
    torch.testing.assert_close(y, rms_normalise(x, dims=(1, 2), eps=eps) * torch.arange(12.0).view(3, 4))
    assert list(nn.RMSNorm(4, elementwise_affine=False).parameters()) == []


def test_groupnorm_normalises_each_group_of_channels_of_each_sample():
    """`nn.GroupNorm(G, C)` splits the C channels into G groups and normalises each group of each sample.

    With 4 channels in 2 groups, channels 0-1 share one mean and variance and channels 2-3
    another, computed over those channels and all positions of one sample. Reshaping
    (N, C, L) to (N, G, C/G · L) puts each group on one row, which `normalise` handles.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GroupNorm.html#torch.nn.GroupNorm
    """
    torch.manual_seed(0)
    x = torch.randn(2, 4, 3) * 2 + 5

    norm = nn.GroupNorm(2, 4)

    y = norm(x)

    by_hand = normalise(x.reshape(2, 2, 2 * 3), dims=2).reshape(2, 4, 3)
    torch.testing.assert_close(y, by_hand)
    assert norm.eps == EPS


def test_groupnorm_takes_any_number_of_trailing_dims():
    """GroupNorm accepts (N, C, *): for an image batch (N, C, H, W) a group's statistics cover its channels and all H × W positions.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GroupNorm.html#torch.nn.GroupNorm
    """
    torch.manual_seed(0)
    x = torch.randn(2, 6, 2, 3) * 3 - 1

    y = nn.GroupNorm(3, 6)(x)

    assert y.shape == x.shape
    torch.testing.assert_close(y, normalise(x.reshape(2, 3, 2 * 2 * 3), dims=2).reshape(2, 6, 2, 3))


def test_groupnorm_affine_is_per_channel():
    """GroupNorm's weight and bias have one value per channel, not per group, and start at ones and zeros.

    The statistics are shared by a group; the learned scale and shift are not. With
    `affine=False` there are no parameters.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GroupNorm.html#torch.nn.GroupNorm
    """
    torch.manual_seed(0)
    x = torch.randn(2, 4, 3)
    norm = nn.GroupNorm(2, 4)
    fresh = [norm.weight.tolist(), norm.bias.tolist()]
    scale, shift = torch.tensor([1.0, 2.0, 3.0, 4.0]), torch.tensor([0.0, -1.0, 0.5, 1.0])
    with torch.no_grad():
        norm.weight.copy_(scale)
        norm.bias.copy_(shift)

    y = norm(x)

    assert fresh == [[1.0] * 4, [0.0] * 4]
    by_hand = normalise(x.reshape(2, 2, 6), dims=2).reshape(2, 4, 3)
    torch.testing.assert_close(y, by_hand * scale.view(1, 4, 1) + shift.view(1, 4, 1))
    assert list(nn.GroupNorm(2, 4, affine=False).parameters()) == []


def test_groupnorm_with_one_group_or_one_channel_per_group_matches_layernorm_and_instancenorm():
    """`GroupNorm(1, C)` normalises like a LayerNorm over (C, L); `GroupNorm(C, C)` like an InstanceNorm.

    The two extremes of grouping: one group holding every channel, or one group per
    channel. Only the affine parameters differ (per channel here, per element in
    LayerNorm), so they are compared without them.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GroupNorm.html#torch.nn.GroupNorm
    """
    torch.manual_seed(0)
    x = torch.randn(2, 4, 3)

    one_group = nn.GroupNorm(1, 4, affine=False)(x)
    one_per_channel = nn.GroupNorm(4, 4, affine=False)(x)

    torch.testing.assert_close(one_group, nn.LayerNorm((4, 3), elementwise_affine=False)(x))
    torch.testing.assert_close(one_per_channel, nn.InstanceNorm1d(4)(x))


def test_groupnorm_channels_must_divide_into_groups():
    """`nn.GroupNorm(4, 6)` raises ValueError: the channel count must be divisible by the number of groups.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GroupNorm.html#torch.nn.GroupNorm
    """
    with raises_exactly(ValueError, match=r"num_channels .*must be divisible by num_groups"):
        nn.GroupNorm(4, 6)


def test_groupnorm_is_the_same_in_train_and_eval():
    """GroupNorm, like LayerNorm, uses the input's own statistics in both modes and keeps no buffers.

    It works the same with a batch of one, which is why detection and segmentation models
    with small per-GPU batches use it in place of BatchNorm.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GroupNorm.html#torch.nn.GroupNorm
    """
    torch.manual_seed(0)
    x = torch.randn(1, 4, 3)
    norm = nn.GroupNorm(2, 4)

    train_out = norm(x)
    eval_out = norm.eval()(x)

    assert torch.equal(train_out, eval_out)
    assert list(norm.buffers()) == []


@pytest.mark.torch_version(">=2.12")
def test_groupnorm_bias_false_keeps_only_the_scale():
    """`nn.GroupNorm(G, C, bias=False)` learns the per-channel weight but no shift.

    PyTorch 2.12 gave BatchNorm, InstanceNorm and GroupNorm the `bias` argument LayerNorm
    already had (https://github.com/pytorch/pytorch/pull/176573).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.GroupNorm.html#torch.nn.GroupNorm
    """
    norm = nn.GroupNorm(2, 4, bias=False)

    assert [name for name, _ in norm.named_parameters()] == ["weight"]
    assert norm.bias is None


def test_instancenorm1d_normalises_each_channel_of_each_sample():
    """`nn.InstanceNorm1d` normalises every (sample, channel) row of an (N, C, L) input over its L values.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.InstanceNorm1d.html#torch.nn.InstanceNorm1d
    """
    torch.manual_seed(0)
    x = torch.randn(2, 3, 5) * 4 - 2

    norm = nn.InstanceNorm1d(3)

    y = norm(x)

    torch.testing.assert_close(y, normalise(x, dims=2))
    assert norm.eps == EPS


def test_instancenorm2d_normalises_each_channel_over_height_and_width():
    """`nn.InstanceNorm2d` normalises every (sample, channel) map of an (N, C, H, W) input over its H × W values.

    This per-image, per-channel contrast normalisation is what style-transfer networks use:
    it removes each image's own channel statistics.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.InstanceNorm2d.html#torch.nn.InstanceNorm2d
    """
    torch.manual_seed(0)
    x = torch.randn(2, 3, 4, 4) + 3

    y = nn.InstanceNorm2d(3)(x)

    torch.testing.assert_close(y, normalise(x, dims=(2, 3)))


def test_instancenorm_defaults_have_no_affine_and_no_running_stats():
    """InstanceNorm defaults to `affine=False` and `track_running_stats=False`, so it learns nothing and eval equals train.

    These defaults are the opposite of BatchNorm's (`affine=True`,
    `track_running_stats=True`): a default InstanceNorm has no parameters and no buffers,
    and normalises with the input's own statistics in both modes.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.InstanceNorm1d.html#torch.nn.InstanceNorm1d
    """
    torch.manual_seed(0)
    x = torch.randn(2, 3, 5)
    norm = nn.InstanceNorm1d(3)

    train_out = norm(x)
    eval_out = norm.eval()(x)

    assert (norm.affine, norm.track_running_stats) == (False, False)
    assert list(norm.parameters()) == [] and list(norm.buffers()) == []
    assert torch.equal(train_out, eval_out)
    bn = nn.BatchNorm1d(3)
    assert (bn.affine, bn.track_running_stats) == (True, True)


def test_instancenorm_accepts_unbatched_input():
    """`InstanceNorm1d` also takes a (C, L) input and `InstanceNorm2d` a (C, H, W) one: a single sample without the batch dimension.

    The result equals the batched computation on a batch of one, with the same shape as the
    input.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.InstanceNorm1d.html#torch.nn.InstanceNorm1d
    """
    torch.manual_seed(0)
    seq, image = torch.randn(3, 5), torch.randn(3, 2, 4)

    y1 = nn.InstanceNorm1d(3)(seq)
    y2 = nn.InstanceNorm2d(3)(image)

    assert y1.shape == (3, 5) and y2.shape == (3, 2, 4)
    torch.testing.assert_close(y1, normalise(seq, dims=1))
    torch.testing.assert_close(y2, normalise(image, dims=(1, 2)))


def test_instancenorm_affine_learns_one_scale_and_shift_per_channel():
    """`affine=True` gives InstanceNorm a weight and a bias of size C, initialised like BatchNorm's to ones and zeros.

    One value per channel, not per element as in LayerNorm: the output is the per-instance
    normalisation times `weight[c]` plus `bias[c]`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.InstanceNorm1d.html#torch.nn.InstanceNorm1d
    """
    torch.manual_seed(0)
    x = torch.randn(2, 3, 5)
    norm = nn.InstanceNorm1d(3, affine=True)
    fresh = [norm.weight.tolist(), norm.bias.tolist()]
    with torch.no_grad():
        norm.weight.copy_(torch.tensor([1.0, 2.0, 3.0]))
        norm.bias.copy_(torch.tensor([0.0, 0.5, -1.0]))

    y = norm(x)

    assert [(name, tuple(p.shape)) for name, p in norm.named_parameters()] == [("weight", (3,)), ("bias", (3,))]
    assert fresh == [[1.0] * 3, [0.0] * 3]
    expected = normalise(x, dims=2) * torch.tensor([1.0, 2.0, 3.0]).view(1, 3, 1) + torch.tensor([0.0, 0.5, -1.0]).view(1, 3, 1)
    torch.testing.assert_close(y, expected)


@pytest.mark.torch_version(">=2.12")
def test_instancenorm_bias_false_keeps_only_the_scale():
    """`nn.InstanceNorm1d(C, affine=True, bias=False)` learns the per-channel weight but no shift.

    The `bias` argument came in PyTorch 2.12 with the same change as GroupNorm's
    (https://github.com/pytorch/pytorch/pull/176573).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.InstanceNorm1d.html#torch.nn.InstanceNorm1d
    """
    norm = nn.InstanceNorm1d(3, affine=True, bias=False)

    assert [name for name, _ in norm.named_parameters()] == ["weight"]
    assert norm.bias is None


def test_instancenorm_with_track_running_stats_uses_them_in_eval():
    """With `track_running_stats=True`, InstanceNorm keeps running averages in training and normalises with them in eval.

    Each training step moves the running mean 10% (`momentum=0.1`) towards the mean of the
    per-instance means: `new = (1 - momentum) * old + momentum * observed`. The running
    variance moves likewise towards the mean of the per-instance *unbiased* variances, as in
    BatchNorm: (1, 3) and (5, 9) have 2 and 8, so it goes from 1 to 0.9 + 0.1 * 5. In eval mode the output is `(x - running_mean) / sqrt(running_var + eps)`,
    like BatchNorm's, and no longer standardises each instance.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.InstanceNorm1d.html#torch.nn.InstanceNorm1d
    """
    x = torch.tensor([[[1.0, 3.0]], [[5.0, 9.0]]])
    norm = nn.InstanceNorm1d(1, track_running_stats=True)

    norm(x)
    norm.eval()
    y = norm(x)

    assert norm.momentum == 0.1
    instance_means = torch.tensor([2.0, 7.0])
    torch.testing.assert_close(norm.running_mean, 0.9 * torch.zeros(1) + 0.1 * instance_means.mean().view(1))
    torch.testing.assert_close(norm.running_var, torch.tensor([0.9 * 1.0 + 0.1 * (2.0 + 8.0) / 2]))
    expected = (x - norm.running_mean) / torch.sqrt(norm.running_var + EPS)
    torch.testing.assert_close(y, expected)


def test_batchnorm_normalises_each_channel_over_the_batch_unlike_layernorm():
    """In training, BatchNorm's output for one sample depends on the other samples in the batch; LayerNorm's does not.

    `BatchNorm1d` on (N, C) takes each channel's statistics down the batch (dim 0);
    `LayerNorm` takes each sample's across its features (dim 1). Change the second sample
    and the first sample's BatchNorm output changes with it, while its LayerNorm output
    stays the same.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html#torch.nn.BatchNorm1d
    """
    x = torch.tensor([[1.0, 2.0, 6.0], [3.0, 0.0, 2.0]])
    other = torch.tensor([[1.0, 2.0, 6.0], [9.0, 9.0, 9.0]])
    bn, ln = nn.BatchNorm1d(3), nn.LayerNorm(3)

    bn_out, ln_out = bn(x), ln(x)

    torch.testing.assert_close(bn_out, normalise(x, dims=0))
    torch.testing.assert_close(ln_out, normalise(x, dims=1))
    assert not torch.allclose(bn(other)[0], bn_out[0])
    torch.testing.assert_close(ln(other)[0], ln_out[0])


def test_batchnorm_in_eval_uses_running_stats_unlike_the_per_sample_norms():
    """After training steps, BatchNorm's eval output differs from its train output; LayerNorm, GroupNorm and InstanceNorm do not change.

    BatchNorm is the only layer here that switches statistics with the mode: in eval it
    uses the running mean and variance it accumulated (see the train/eval page). The
    per-sample layers have nothing to switch to.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html#torch.nn.BatchNorm1d
    """
    torch.manual_seed(0)
    x = torch.randn(4, 2, 3) * 2 + 1
    layers = {
        "BatchNorm1d": nn.BatchNorm1d(2),
        "LayerNorm": nn.LayerNorm(3),
        "GroupNorm": nn.GroupNorm(1, 2),
        "InstanceNorm1d": nn.InstanceNorm1d(2),
    }

    train_out = {name: layer(x) for name, layer in layers.items()}
    eval_out = {name: layer.eval()(x) for name, layer in layers.items()}

    changed = [name for name in layers if not torch.equal(train_out[name], eval_out[name])]
    assert changed == ["BatchNorm1d"]
    bn = layers["BatchNorm1d"]
    expected = (x - bn.running_mean.view(1, 2, 1)) / torch.sqrt(bn.running_var.view(1, 2, 1) + EPS)
    torch.testing.assert_close(eval_out["BatchNorm1d"], expected)
