"""train(), eval(), Dropout and BatchNorm

A module has one mode flag, `training`. `model.train()` and `model.eval()` set it on the
module and every submodule, and do nothing else. Only layers that read the flag behave
differently: dropout drops in training and passes everything through in evaluation;
batch normalisation normalises with the batch's statistics (and updates its running
averages) in training, and with the running averages in evaluation. Forgetting
`model.eval()` before validation is one of the commonest silent bugs in PyTorch code.
"""

import pytest
import torch
from torch import nn

from torchref import by_version, raises_exactly, warns_exactly


@pytest.mark.claim("S1-044", verdict="true")
def test_train_and_eval_set_the_training_flag_recursively():
    """`model.eval()` sets `training=False` on the model and every submodule; `model.train()` sets it back.

    Modules start in training mode. Both methods return the module itself, and
    `eval()` is exactly `train(False)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.eval
    """
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.BatchNorm1d(2)))
    started_training = all(m.training for m in model.modules())

    result = model.eval()
    after_eval = [m.training for m in model.modules()]
    model.train()

    assert started_training
    assert result is model
    assert after_eval == [False] * 5
    assert all(m.training for m in model.modules())


def test_train_false_is_eval_and_rejects_a_non_boolean_mode():
    """`train(False)` does what `eval()` does, `train()` defaults to `mode=True`, and a mode that is not a bool raises ValueError.

    The check is strict: even `0` and `1` are refused, so a typo such as
    `model.train("eval")` cannot silently switch the model to training mode.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Module.html#torch.nn.Module.train
    """
    model = nn.Sequential(nn.Dropout())

    result = model.train(False)
    after_false = [m.training for m in model.modules()]
    model.train()

    assert result is model
    assert after_false == [False, False]
    assert all(m.training for m in model.modules())
    with raises_exactly(ValueError, match="training mode is expected to be boolean"):
        model.train("eval")
    with raises_exactly(ValueError, match="training mode is expected to be boolean"):
        model.train(0)


class ModalModule(nn.Module):
    """The Modules note's example of a mode-dependent module: it adds 1 in training mode only."""

    def forward(self, x):
        if self.training:
            return x + 1.0
        return x


def test_custom_module_reads_the_training_flag_in_forward():
    """A custom module can branch on `self.training`, so `eval()` changes what its `forward` computes.

    This is all that dropout and batch norm do too: `train()` and `eval()` only set the
    flag, and each module's `forward` decides what the flag means. `ModalModule` (in
    the helpers above) adds 1 while training and passes its input through in eval mode.

    Docs: https://docs.pytorch.org/docs/stable/notes/modules.html#neural-network-training-with-modules
    """
    m = ModalModule()
    x = torch.tensor([0.5, -2.0])

    in_training = m(x)
    m.eval()
    in_eval = m(x)

    assert in_training.tolist() == [1.5, -1.0]
    assert torch.equal(in_eval, x)


def test_eval_does_not_turn_off_gradients():
    """`model.eval()` only flips the `training` flag: outputs still track gradients.

    `eval()` and `torch.no_grad()` answer different questions. `eval()` changes how
    dropout and batch norm behave; `no_grad()` stops autograd from recording, which saves
    memory. Inference usually wants both.

    Docs: https://docs.pytorch.org/docs/stable/notes/autograd.html#locally-disabling-gradient-computation
    """
    model = nn.Linear(2, 1).eval()

    y = model(torch.ones(1, 2))
    with torch.no_grad():
        y_no_grad = model(torch.ones(1, 2))

    assert y.requires_grad
    assert not y_no_grad.requires_grad


@pytest.mark.claim("S2-066", verdict="false")
def test_dropout_p_is_the_probability_of_dropping():
    """`nn.Dropout(p)` zeroes each element with probability `p`: `p` is the drop rate, not the keep rate.

    The note says dropout *keeps* units with probability `p`. It is the other way round:
    with `p=0.2` about 20% of the elements become 0 and 80% survive. (Some other libraries
    and the original paper use a keep probability, which is where the confusion comes from.)
    With 10,000 elements the fraction's standard deviation is 0.004, so 0.02 is a
    five-sigma margin.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Dropout.html
    """
    torch.manual_seed(0)
    dropout = nn.Dropout(p=0.2)

    y = dropout(torch.ones(10_000))

    dropped = (y == 0).float().mean().item()
    assert abs(dropped - 0.2) < 0.02


def test_dropout_scales_survivors_by_one_over_keep_probability():
    """In training, the elements that survive dropout are multiplied by `1 / (1 - p)`.

    This "inverted dropout" keeps the expected value of each element unchanged, so nothing
    needs rescaling at evaluation time.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Dropout.html
    """
    torch.manual_seed(0)
    dropout = nn.Dropout(p=0.2)

    y = dropout(torch.ones(1000))

    assert set(y.unique().tolist()) == {0.0, 1.25}


def test_dropout_with_p_one_drops_everything():
    """`nn.Dropout(p=1.0)` zeroes every element, which only makes sense if `p` is the drop probability.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Dropout.html
    """
    dropout = nn.Dropout(p=1.0)

    y = dropout(torch.ones(5))

    assert y.tolist() == [0.0] * 5


@pytest.mark.claim("S2-068", verdict="true")
@pytest.mark.claim("S2-042", verdict="true")
def test_dropout_in_eval_mode_is_the_identity():
    """After `model.eval()` dropout passes its input through unchanged.

    The note is right on both counts: `eval()` switches dropout (and batch norm) to
    evaluation behaviour, and evaluation-mode dropout lets every activation through
    without scaling.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Dropout.html
    """
    x = torch.arange(6.0)
    model = nn.Sequential(nn.Dropout(p=0.5))

    model.eval()

    assert torch.equal(model(x), x)


def test_dropout2d_zeroes_whole_channels():
    """`nn.Dropout2d` on (N, C, H, W) drops entire channels: each (n, c) map is all zero or all scaled.

    Neighbouring pixels of a feature map are strongly correlated, so dropping single pixels
    barely regularises a conv net; dropping whole maps does.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Dropout2d.html
    """
    torch.manual_seed(0)
    dropout = nn.Dropout2d(p=0.5)

    y = dropout(torch.ones(2, 16, 3, 3))

    per_map = y.flatten(2)
    assert torch.equal(per_map.amin(dim=2), per_map.amax(dim=2))
    assert set(per_map[:, :, 0].unique().tolist()) == {0.0, 2.0}


@pytest.mark.claim("S2-036", verdict="outdated")
def test_dropout2d_on_a_2d_input_warns_and_drops_single_elements():
    """`nn.Dropout2d` on a 2-D (N, features) input warns that this is deprecated and drops elements one by one.

    The note applies `nn.Dropout2d(0.5)` to the (N, 128) output of `fc1`, as an older
    version of the PyTorch MNIST example did. It still runs and acts like ordinary dropout,
    since there are no spatial maps to drop, but every 2.x release warns that 2-D input is
    deprecated and will become an error. The current example uses `nn.Dropout` there.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Dropout2d.html
    """
    torch.manual_seed(0)
    dropout = nn.Dropout2d(p=0.5)

    with warns_exactly(
        UserWarning,
        match="Received a 2-D input to dropout2d, which is deprecated and will result in an error in a future release",
    ):
        y = dropout(torch.ones(1, 1000))

    zeros = (y == 0).sum().item()
    assert 0 < zeros < 1000


def test_dropout2d_on_a_3d_input_warns_it_is_read_as_n_c_l():
    """`nn.Dropout2d` on a 3-D input warns that it reads it as (N, C, L), not as an unbatched (C, H, W).

    The docs list (C, H, W) as a valid shape, but the implementation keeps the historical
    1-D channel dropout for 3-D input and says so in a warning: each of the N × C rows of
    length L is dropped or kept whole. Use `nn.Dropout1d` for (N, C, L), or add the batch
    dimension to a single image.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.Dropout2d.html
    """
    torch.manual_seed(0)
    dropout = nn.Dropout2d(p=0.5)

    with warns_exactly(UserWarning, match=r"input is interpreted as shape \(N, C, L\)"):
        y = dropout(torch.ones(4, 8, 5))

    assert torch.equal(y.amin(dim=2), y.amax(dim=2))
    assert set(y[:, :, 0].unique().tolist()) == {0.0, 2.0}


@pytest.mark.claim("S2-055", verdict="true")
def test_batchnorm_in_training_normalises_each_channel_of_the_batch():
    """In training mode `BatchNorm` output has mean 0 and variance 1 per channel, over the batch.

    The note is right for training mode with the initial affine parameters (`weight=1`,
    `bias=0`): each channel is standardised with the batch's own mean and (biased)
    variance. Once `weight` and `bias` are learned, the output has whatever mean and scale
    they give it, and in evaluation mode the running statistics are used instead.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html
    """
    torch.manual_seed(0)
    bn = nn.BatchNorm1d(3)
    x = torch.randn(64, 3) * 5 + 2

    y = bn(x)

    # eps = 1e-5 in the denominator leaves the variance at var / (var + eps), within 1e-6 of 1 here.
    batch_var = x.var(dim=0, unbiased=False)
    torch.testing.assert_close(y.mean(dim=0), torch.zeros(3), atol=1e-5, rtol=0)
    torch.testing.assert_close(y.var(dim=0, unbiased=False), batch_var / (batch_var + bn.eps))


def test_batchnorm_normalises_with_the_biased_batch_variance():
    """Training-mode BatchNorm computes `(x - mean) / sqrt(var + eps)` with the biased variance (divide by N).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html
    """
    x = torch.tensor([[1.0], [2.0], [3.0], [6.0]])
    bn = nn.BatchNorm1d(1)

    y = bn(x)

    expected = (x - x.mean()) / torch.sqrt(x.var(unbiased=False) + bn.eps)
    torch.testing.assert_close(y, expected)


@pytest.mark.claim("S2-067", verdict="true")
def test_batchnorm_updates_running_stats_with_momentum_and_unbiased_variance():
    """Each training step sets `running = 0.9 * running + 0.1 * batch_statistic`, with the unbiased variance.

    The note is right that training-mode BN keeps updating its statistics. The details:
    `momentum=0.1` is the weight of the *new* batch (the opposite of an optimiser's
    momentum), the running mean starts at 0 and the running variance at 1, and the running
    variance uses the unbiased estimate (divide by N - 1) while the normalisation itself
    uses the biased one.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html
    """
    x = torch.tensor([[1.0], [2.0], [3.0], [6.0]])
    bn = nn.BatchNorm1d(1)

    bn(x)

    torch.testing.assert_close(bn.running_mean, 0.9 * torch.zeros(1) + 0.1 * x.mean())
    torch.testing.assert_close(bn.running_var, 0.9 * torch.ones(1) + 0.1 * x.var(unbiased=True))


def test_batchnorm_counts_training_batches():
    """`num_batches_tracked` counts the batches seen in training mode and stays put in eval mode.

    It is a buffer, so it is saved in the `state_dict`. It matters when `momentum=None`,
    where it gives the weight of each batch in a plain cumulative average.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html
    """
    bn = nn.BatchNorm1d(2)
    x = torch.arange(8.0).view(4, 2)

    bn(x)
    bn(x)
    bn.eval()
    bn(x)

    assert bn.num_batches_tracked.item() == 2
    assert "num_batches_tracked" in dict(bn.named_buffers())
    assert bn.state_dict()["num_batches_tracked"].item() == 2


def test_batchnorm_momentum_none_keeps_a_cumulative_average():
    """With `momentum=None` the running mean is the plain average of all batch means seen so far.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html
    """
    bn = nn.BatchNorm1d(1, momentum=None)

    bn(torch.tensor([[1.0], [3.0]]))
    bn(torch.tensor([[5.0], [7.0]]))

    torch.testing.assert_close(bn.running_mean, torch.tensor([(2.0 + 6.0) / 2]))


@pytest.mark.claim("S2-069", verdict="true")
@pytest.mark.claim("S2-042", verdict="true")
def test_batchnorm_in_eval_uses_running_stats_and_stops_updating():
    """In eval mode BatchNorm normalises with the running statistics and leaves them unchanged.

    The note is right. The output no longer depends on the rest of the batch, so a single
    sample gives the same result alone as inside any batch.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html
    """
    bn = nn.BatchNorm1d(1)
    bn.running_mean.fill_(2.0)
    bn.running_var.fill_(4.0)
    x = torch.tensor([[2.0], [6.0]])

    bn.eval()
    y = bn(x)

    expected = (x - 2.0) / torch.sqrt(torch.tensor(4.0) + bn.eps)
    torch.testing.assert_close(y, expected)
    torch.testing.assert_close(bn(x[1:]), y[1:])
    assert bn.running_mean.tolist() == [2.0]
    assert bn.running_var.tolist() == [4.0]


def test_batchnorm_in_eval_does_not_standardise_the_batch():
    """In eval mode BatchNorm output is not mean 0 and variance 1 over the batch.

    A freshly built BN has running mean 0 and variance 1, so in eval mode it is almost the
    identity: the batch keeps its own mean of 10.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html
    """
    bn = nn.BatchNorm1d(1).eval()
    x = torch.tensor([[9.0], [11.0]])

    y = bn(x)

    torch.testing.assert_close(y, x / torch.sqrt(torch.tensor(1.0) + bn.eps))
    torch.testing.assert_close(y.mean(), 10.0 / torch.sqrt(torch.tensor(1.0) + bn.eps))


def test_batchnorm_in_training_rejects_a_batch_of_one():
    """Training-mode BatchNorm on a single sample per channel raises ValueError.

    One value has no variance to normalise by. This bites when the last batch of an epoch
    holds one sample: use `drop_last=True` in the DataLoader, or call `eval()`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html
    """
    bn = nn.BatchNorm1d(3)

    with raises_exactly(ValueError, match="Expected more than 1 value per channel when training"):
        bn(torch.ones(1, 3))


def test_batchnorm2d_keeps_one_statistic_per_channel():
    """`nn.BatchNorm2d(C)` averages over the batch, height and width, keeping C running means.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html
    """
    x = torch.stack([torch.full((2, 2), 1.0), torch.full((2, 2), 3.0)]).unsqueeze(0).repeat(2, 1, 1, 1)
    bn = nn.BatchNorm2d(2)

    bn(x)

    assert bn.running_mean.shape == (2,)
    torch.testing.assert_close(bn.running_mean, torch.tensor([0.1, 0.3]))


def test_batchnorm_repr_lists_bias_since_2_12():
    """`repr(nn.BatchNorm2d(3))` shows `bias=True` from PyTorch 2.12 on.

    PyTorch 2.12 gave the batch-norm layers a `bias` argument, so that the learned shift
    can be switched off while keeping the learned scale (`affine=True, bias=False`)
    (https://github.com/pytorch/pytorch/pull/176573). The repr prints the new setting;
    earlier releases neither accept nor print it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BatchNorm2d.html
    """
    expected = by_version(
        {
            "<2.12": "BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
            ">=2.12": "BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)",
        }
    )

    assert repr(nn.BatchNorm2d(3)) == expected


@pytest.mark.torch_version(">=2.12")
def test_batchnorm_bias_false_keeps_only_the_scale():
    """`nn.BatchNorm1d(C, bias=False)` learns a per-channel scale but no shift.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.nn.BatchNorm1d.html
    """
    bn = nn.BatchNorm1d(2, bias=False)

    names = [name for name, _ in bn.named_parameters()]

    assert names == ["weight"]
    assert bn.bias is None
