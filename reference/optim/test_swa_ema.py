"""Weight averaging: SWA and EMA

`torch.optim.swa_utils` keeps a second copy of a model whose weights are an average of the
weights the training run passes through. `AveragedModel` holds that copy; by default it is
the plain mean of the snapshots it was given (Stochastic Weight Averaging), and with
`get_ema_multi_avg_fn` it is an exponential moving average. `SWALR` holds the learning rate
steady while averaging, and `update_bn` recomputes batch-norm statistics for the averaged
weights, which no training step ever produced.
"""

import math

import pytest
import torch
from torch import nn
from torch.optim import swa_utils
from torch.utils.data import DataLoader, TensorDataset

from torchref import raises_exactly


def set_weight(model, value):
    """Overwrite every entry of `model.weight`, as a training step would, outside autograd."""
    with torch.no_grad():
        model.weight.fill_(value)


@pytest.mark.shows("set_weight")
def test_averaged_model_is_a_copy_of_the_model():
    """`AveragedModel(model)` deep-copies the model into `.module`: it shares no tensor with it.

    Training the model afterwards leaves the copy alone until `update_parameters` is
    called; calling the averaged model runs its copy.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#constructing-averaged-models
    """
    model = nn.Linear(1, 1, bias=False)
    set_weight(model, 1.0)

    swa = swa_utils.AveragedModel(model)
    set_weight(model, 5.0)

    assert swa.module is not model
    assert swa.module.weight.untyped_storage().data_ptr() != model.weight.untyped_storage().data_ptr()
    assert swa.module.weight.item() == 1.0
    assert swa(torch.ones(1, 1)).item() == 1.0
    assert swa.n_averaged.item() == 0


def test_averaged_model_default_is_the_mean_of_the_snapshots():
    """With no averaging function, `update_parameters` keeps the equal-weight mean of every snapshot.

    The first call copies the model's weights; the k-th call moves the average by
    `(w - avg) / k`, so after snapshots 1, 2 and 6 the weight is their mean, 3.
    `n_averaged` counts the snapshots.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#custom-averaging-strategies
    """
    model = nn.Linear(1, 1, bias=False)
    swa = swa_utils.AveragedModel(model)
    snapshots = [1.0, 2.0, 6.0]

    for w in snapshots:
        set_weight(model, w)
        swa.update_parameters(model)

    assert swa.module.weight.item() == sum(snapshots) / len(snapshots)
    assert swa.n_averaged.item() == 3


def test_averaged_model_custom_avg_fn_replaces_the_mean():
    """A custom `avg_fn(averaged, current, num_averaged)` returns each new averaged parameter.

    The page's own example, `0.9 * averaged + 0.1 * current`, is an EMA with decay 0.9.
    The function is not called for the first snapshot, which is copied; afterwards it gets
    the number of snapshots averaged so far (1, then 2).

    Docs: https://docs.pytorch.org/docs/stable/optim.html#custom-averaging-strategies
    """
    counts = []

    def ema_avg(averaged_model_parameter, model_parameter, num_averaged):
        counts.append(int(num_averaged))
        return 0.9 * averaged_model_parameter + 0.1 * model_parameter

    model = nn.Linear(1, 1, bias=False)
    ema_model = swa_utils.AveragedModel(model, avg_fn=ema_avg)

    for w in [1.0, 2.0, 6.0]:
        set_weight(model, w)
        ema_model.update_parameters(model)

    torch.testing.assert_close(ema_model.module.weight, torch.tensor([[0.9 * (0.9 * 1.0 + 0.1 * 2.0) + 0.1 * 6.0]]))
    assert counts == [1, 2]
    assert ema_model.n_averaged.item() == 3


@pytest.mark.torch_version(">=2.1")  # get_swa_multi_avg_fn and get_swa_avg_fn arrived in 2.1, with the EMA ones
@pytest.mark.parametrize(
    ("argument", "factory"),
    [("multi_avg_fn", "get_swa_multi_avg_fn"), ("avg_fn", "get_swa_avg_fn")],
    ids=["get_swa_multi_avg_fn", "get_swa_avg_fn"],
)
def test_swa_avg_fns_spell_out_the_default_mean(argument, factory):
    """`get_swa_multi_avg_fn()` and `get_swa_avg_fn()` give the same equal-weight mean as no averaging function.

    They are the default written out, for code that picks its averaging function at run
    time: snapshots 1, 2 and 6 average to 3 either way.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#custom-averaging-strategies
    """
    model = nn.Linear(1, 1, bias=False)
    swa = swa_utils.AveragedModel(model, **{argument: getattr(swa_utils, factory)()})

    for w in [1.0, 2.0, 6.0]:
        set_weight(model, w)
        swa.update_parameters(model)

    torch.testing.assert_close(swa.module.weight, torch.tensor([[3.0]]))


def test_averaged_model_use_buffers_averages_batch_norm_statistics():
    """`use_buffers=True` averages buffers (BatchNorm statistics) like parameters; by default they are copied from the model.

    With the default `use_buffers=False`, `update_parameters` keeps the copy's buffers in
    sync with the model's latest ones, so `running_mean` ends at the last value, 4, while
    the weight is the mean of 2 and 4. With `use_buffers=True` both are means, which is the
    alternative to calling `update_bn` afterwards.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.swa_utils.AveragedModel.html
    """
    results = {}
    for use_buffers in [False, True]:
        model = nn.BatchNorm1d(1)
        averaged = swa_utils.AveragedModel(model, use_buffers=use_buffers)
        for value in [2.0, 4.0]:
            with torch.no_grad():
                model.running_mean.fill_(value)
                model.weight.fill_(value)
            averaged.update_parameters(model)
        results[use_buffers] = (averaged.module.running_mean.item(), averaged.module.weight.item())

    assert results == {False: (4.0, 3.0), True: (3.0, 3.0)}


@pytest.mark.torch_version(">=2.1")  # get_ema_multi_avg_fn and get_ema_avg_fn arrived in 2.1
def test_ema_multi_avg_fn_keeps_an_exponential_moving_average():
    """With `multi_avg_fn=get_ema_multi_avg_fn(decay)`, each update is `ema <- decay * ema + (1 - decay) * w`.

    The first update copies the weights, as for SWA; later ones forget old snapshots
    geometrically. With decay 0.9 and snapshots 1, 2, 6: 1, then 0.9 + 0.2 = 1.1, then
    0.99 + 0.6 = 1.59.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#constructing-averaged-models
    """
    decay = 0.9
    model = nn.Linear(1, 1, bias=False)
    ema = swa_utils.AveragedModel(model, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(decay))
    expected = None

    for w in [1.0, 2.0, 6.0]:
        set_weight(model, w)
        ema.update_parameters(model)
        expected = w if expected is None else decay * expected + (1 - decay) * w

    torch.testing.assert_close(ema.module.weight, torch.tensor([[expected]]))
    torch.testing.assert_close(ema.module.weight, torch.tensor([[1.59]]))


@pytest.mark.torch_version(">=2.1")  # get_ema_multi_avg_fn and get_ema_avg_fn arrived in 2.1
def test_ema_avg_fn_gives_the_same_average_one_tensor_at_a_time():
    """`avg_fn=get_ema_avg_fn(decay)` computes the same moving average as the multi-tensor form.

    `avg_fn` is called once per parameter, `multi_avg_fn` once for all of them (with
    `torch._foreach` kernels), so the second is faster; the numbers agree.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#custom-averaging-strategies
    """
    torch.manual_seed(0)
    model = nn.Linear(3, 2)
    single = swa_utils.AveragedModel(model, avg_fn=swa_utils.get_ema_avg_fn(0.9))
    multi = swa_utils.AveragedModel(model, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.9))

    for _ in range(3):
        with torch.no_grad():
            for p in model.parameters():
                p.add_(torch.randn_like(p))
        single.update_parameters(model)
        multi.update_parameters(model)

    for a, b in zip(single.module.parameters(), multi.module.parameters()):
        torch.testing.assert_close(a, b)


@pytest.mark.torch_version(">=2.1")  # get_ema_multi_avg_fn and get_ema_avg_fn arrived in 2.1
def test_ema_decay_defaults_to_0_999():
    """`get_ema_multi_avg_fn()` and `get_ema_avg_fn()` use `decay=0.999` when none is given.

    With decay 0.999 one update moves the average a thousandth of the way to the new
    weights: from 0 towards 1000 it lands on 1.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#constructing-averaged-models
    """
    model = nn.Linear(1, 1, bias=False)
    set_weight(model, 0.0)
    ema = swa_utils.AveragedModel(model, multi_avg_fn=swa_utils.get_ema_multi_avg_fn())
    ema.update_parameters(model)

    set_weight(model, 1000.0)
    ema.update_parameters(model)

    torch.testing.assert_close(ema.module.weight, torch.tensor([[0.999 * 0.0 + 0.001 * 1000.0]]))
    avg = swa_utils.get_ema_avg_fn()(torch.tensor(0.0), torch.tensor(1000.0), 1)
    torch.testing.assert_close(avg, torch.tensor(1.0))


def swalr_lrs(**kwargs):
    """The lr in each of 6 epochs under `SWALR(swa_lr=0.2, anneal_epochs=4, **kwargs)` from lr 1."""
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = swa_utils.SWALR(opt, swa_lr=0.2, anneal_epochs=4, **kwargs)
    seen = []
    for _ in range(6):
        seen.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return seen


@pytest.mark.shows("swalr_lrs")
def test_swalr_anneals_linearly_to_swa_lr_then_holds():
    """`SWALR(anneal_strategy="linear")` moves the lr in a straight line to `swa_lr` over `anneal_epochs`, then holds it.

    Averaging wants a constant (often fairly high) learning rate, reached smoothly from
    where training left off: `lr_t = swa_lr + (lr0 - swa_lr) * (1 - t / anneal_epochs)`.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#swa-learning-rate-schedules
    """
    ys = swalr_lrs(anneal_strategy="linear")

    expected = [0.2 + 0.8 * (1 - min(t, 4) / 4) for t in range(6)]
    torch.testing.assert_close(ys, expected)


@pytest.mark.shows("swalr_lrs")
def test_swalr_anneals_along_a_cosine_by_default():
    """By default `SWALR` anneals along a half cosine: `lr_t = swa_lr + (lr0 - swa_lr) * (1 + cos(pi * t / T)) / 2`.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#swa-learning-rate-schedules
    """
    ys = swalr_lrs()

    expected = [0.2 + 0.8 * (1 + math.cos(math.pi * min(t, 4) / 4)) / 2 for t in range(6)]
    torch.testing.assert_close(ys, expected)


def test_swalr_takes_one_swa_lr_per_group_and_anneals_over_10_epochs_by_default():
    """`swa_lr` may be a list, one value per parameter group; `anneal_epochs` defaults to 10.

    After the 10 default annealing epochs each group holds its own target. A list of the
    wrong length raises a ValueError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.swa_utils.SWALR.html
    """
    opt = torch.optim.SGD([{"params": [nn.Parameter(torch.zeros(1))]}, {"params": [nn.Parameter(torch.zeros(1))]}], lr=1.0)
    sched = swa_utils.SWALR(opt, swa_lr=[0.5, 0.1])
    seen = []

    for _ in range(11):
        seen.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()

    assert sched.anneal_epochs == 10
    assert seen[0] == [1.0, 1.0]
    torch.testing.assert_close(seen[10], [0.5, 0.1])
    assert all(a > b for a, b in zip([s[0] for s in seen[:10]], [s[0] for s in seen[1:11]]))
    with raises_exactly(ValueError, match=r"swa_lr must have the same length as optimizer\.param_groups"):
        swa_utils.SWALR(opt, swa_lr=[0.1])


def test_swalr_rejects_an_unknown_anneal_strategy():
    """`anneal_strategy` must be "cos" or "linear"; anything else raises a ValueError, as does a negative `anneal_epochs`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.swa_utils.SWALR.html
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)

    with raises_exactly(ValueError, match=r"one of 'cos' or 'linear', instead got exp"):
        swa_utils.SWALR(opt, swa_lr=0.1, anneal_strategy="exp")
    with raises_exactly(ValueError, match=r"anneal_epochs must be equal or greater than 0, got -1"):
        swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=-1)


def test_update_bn_recomputes_batch_norm_statistics_over_the_loader():
    """`update_bn(loader, model)` resets every BatchNorm's running statistics and recomputes them in one pass.

    The averaged weights never ran forward during training, so the running mean and
    variance copied with them do not match them. `update_bn` sets `momentum=None` (a
    cumulative average) for the pass, so the running mean becomes the mean of the batch
    means and the running variance the mean of the (unbiased) batch variances; it then
    restores the momentum and the train/eval mode.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#taking-care-of-batch-normalization
    """
    torch.manual_seed(0)
    x = torch.randn(8, 2) * 3 + 1
    loader = DataLoader(TensorDataset(x), batch_size=4)
    model = nn.Sequential(nn.BatchNorm1d(2)).eval()
    bn = model[0]

    swa_utils.update_bn(loader, model)

    batches = x.split(4)
    torch.testing.assert_close(bn.running_mean, torch.stack([b.mean(0) for b in batches]).mean(0))
    torch.testing.assert_close(bn.running_var, torch.stack([b.var(0) for b in batches]).mean(0))
    assert bn.momentum == 0.1
    assert not model.training


def test_update_bn_accepts_a_loader_of_plain_tensors():
    """`update_bn` also takes a loader whose batches are bare tensors, not `[input, ...]` lists.

    The page's warning names the two shapes it understands: a tensor, or a list or tuple
    whose first element is the input. A `DataLoader` over a tensor yields the first kind.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#taking-care-of-batch-normalization
    """
    torch.manual_seed(0)
    x = torch.randn(6, 2) + 5
    model = nn.Sequential(nn.BatchNorm1d(2))

    swa_utils.update_bn(DataLoader(x, batch_size=3), model)

    batches = x.split(3)
    torch.testing.assert_close(model[0].running_mean, torch.stack([b.mean(0) for b in batches]).mean(0))
    assert model.training
