"""Stepping and combining schedulers

Schedulers act on the optimiser's `param_groups`, so several can share one optimiser, and
their order relative to `optimizer.step()` matters. This page covers composition
(`ChainedScheduler`, `SequentialLR`, two schedulers side by side), `get_last_lr`, manual lr
changes, saving a scheduler, and the warnings and arguments that changed between releases.
"""

import pytest
import torch
from torch import nn
from torch.optim import lr_scheduler

from torchref import Figure, raises_exactly, warns_exactly


def sgd(lr=1.0, n_groups=1):
    return torch.optim.SGD([{"params": [nn.Parameter(torch.zeros(1))]} for _ in range(n_groups)], lr=lr)


def notes_example_curve():
    opt = sgd(lr=0.1)
    scheduler1 = lr_scheduler.ExponentialLR(opt, gamma=0.9)
    scheduler2 = lr_scheduler.MultiStepLR(opt, milestones=[30, 80], gamma=0.1)
    seen = []
    for _ in range(90):
        seen.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler1.step()
        scheduler2.step()
    return Figure("ExponentialLR(0.9) + MultiStepLR([30, 80], 0.1)", "epoch", "lr", {"lr": (list(range(90)), seen)}, kind="steps")


@pytest.mark.claim("S2-124", verdict="true")
@pytest.mark.figure("notes_example_curve")
@pytest.mark.shows("sgd", "notes_example_curve")
def test_two_schedulers_on_one_optimizer_multiply():
    """Two schedulers stepped on one optimiser compose: each multiplies the lr the other left.

    The note is right that the built-in schedulers chain: `ExponentialLR` and `MultiStepLR`
    are both "chainable" (they scale the current lr), so the lr is
    `lr0 * 0.9**epoch * 0.1**(milestones passed)`. (Schedulers defined from `lr0`, such as
    `LambdaLR`, do not chain: see below.)

    Docs: https://docs.pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate
    """
    ys = notes_example_curve().series["lr"][1]

    expected = [0.1 * 0.9**e * 0.1 ** ((e >= 30) + (e >= 80)) for e in range(90)]
    torch.testing.assert_close(ys, expected)


@pytest.mark.claim("S2-125", verdict="false")
def test_multistep_lr_multiplies_by_its_gamma_at_the_milestones():
    """At epochs 30 and 80 the note's `MultiStepLR(gamma=0.1)` multiplies the lr by 0.1, not 0.9.

    The note's comment says `lr2 = lr1 * 0.9` at the milestones, but its own code passes
    `gamma=0.1`, and `gamma` is the factor. From epoch 29 to 30 the lr falls by
    `0.9 * 0.1`: one epoch of exponential decay times the milestone's `gamma`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.MultiStepLR.html
    """
    ys = notes_example_curve().series["lr"][1]

    torch.testing.assert_close(ys[30] / ys[29], 0.9 * 0.1)
    torch.testing.assert_close(ys[80] / ys[79], 0.9 * 0.1)
    torch.testing.assert_close(ys[31] / ys[30], 0.9)


def test_chained_scheduler_steps_every_scheduler_at_once():
    """`ChainedScheduler([a, b])` calls `a.step()` and `b.step()` together: one call per epoch.

    The result is the same product as stepping both by hand: a warm-up factor of 0.5 for
    two epochs times `0.9**epoch`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ChainedScheduler.html
    """
    opt = sgd()
    sched = lr_scheduler.ChainedScheduler(
        [lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2), lr_scheduler.ExponentialLR(opt, gamma=0.9)]
    )
    seen = []

    for _ in range(4):
        seen.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()

    torch.testing.assert_close(seen, [0.5, 0.5 * 0.9, 0.9**2, 0.9**3])


def sequential_curve():
    opt = sgd()
    sched = lr_scheduler.SequentialLR(
        opt,
        [lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2), lr_scheduler.ExponentialLR(opt, gamma=0.9)],
        milestones=[2],
    )
    seen = []
    for _ in range(5):
        seen.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return Figure("SequentialLR: ConstantLR(0.5) then ExponentialLR(0.9)", "epoch", "lr", {"lr": (list(range(5)), seen)}, kind="steps")


@pytest.mark.torch_version(">=2.9")
@pytest.mark.figure("sequential_curve")
@pytest.mark.shows("sequential_curve")
def test_sequential_lr_hands_over_at_the_milestone():
    """`SequentialLR` runs one scheduler until the milestone, then the next from its start.

    Warm-up at half the lr for two epochs, then exponential decay starting again from
    `lr0`. Releases before 2.9 restarted the second scheduler through the deprecated
    `step(epoch)` path, warned, and produced a different curve (see the next test).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.SequentialLR.html
    """
    ys = sequential_curve().series["lr"][1]

    torch.testing.assert_close(ys, [0.5, 0.5, 1.0, 0.9, 0.81])


@pytest.mark.torch_version("<2.9")
def test_sequential_lr_warns_about_the_epoch_argument_before_2_9():
    """Before 2.9, `SequentialLR` emits a UserWarning about the deprecated epoch argument.

    It called `scheduler.step(0)` on the next scheduler at each milestone, which the
    schedulers themselves flag as deprecated. Since 2.9 the hand-over no longer warns.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.SequentialLR.html
    """
    with warns_exactly(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
        sequential_curve()


@pytest.mark.claim("S2-122", verdict="true")
def test_scheduler_step_before_optimizer_step_warns():
    """Calling `scheduler.step()` before any `optimizer.step()` raises a UserWarning.

    The note's order is right: since PyTorch 1.1, `optimizer.step()` comes first, then
    `scheduler.step()`, once per epoch for epoch-based schedulers. The other order skips the
    first value of the schedule.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate
    """
    opt = sgd()
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)

    with warns_exactly(UserWarning, match="Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`"):
        sched.step()

    assert opt.param_groups[0]["lr"] == 0.5  # epoch 0's lr of 1.0 was never used


def test_get_last_lr_lists_one_lr_per_param_group():
    """`get_last_lr()` returns the lr the scheduler last set, one entry per parameter group.

    Use it for logging; `get_lr()` is an internal formula and warns with a UserWarning
    when called from outside `step()`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LRScheduler.html
    """
    opt = sgd(lr=0.1, n_groups=2)
    opt.param_groups[1]["lr"] = 1.0
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)

    opt.step()
    sched.step()

    assert sched.get_last_lr() == [0.05, 0.5]
    assert [g["lr"] for g in opt.param_groups] == [0.05, 0.5]
    with warns_exactly(UserWarning, match=r"To get the last learning rate computed by the scheduler, please use `get_last_lr\(\)`"):
        sched.get_lr()


def test_scheduler_records_initial_lr_in_the_param_groups():
    """A scheduler stores each group's starting lr as `initial_lr`, and keeps it in `base_lrs`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LRScheduler.html
    """
    opt = sgd(lr=0.1)

    sched = lr_scheduler.ExponentialLR(opt, gamma=0.5)

    assert opt.param_groups[0]["initial_lr"] == 0.1
    assert sched.base_lrs == [0.1]
    assert sched.last_epoch == 0


def test_get_last_lr_before_any_step_is_the_starting_lr():
    """Right after construction, `get_last_lr()` already holds epoch 0's lr, one per group.

    Building a scheduler performs its first step internally (epoch 0), so there is a value
    to log before the training loop starts; for `StepLR` it is each group's own lr.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LRScheduler.html
    """
    opt = sgd(lr=0.1, n_groups=2)
    opt.param_groups[1]["lr"] = 1.0

    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)

    assert sched.get_last_lr() == [0.1, 1.0]
    assert sched.last_epoch == 0


def test_scheduler_with_last_epoch_needs_initial_lr_in_the_groups():
    """Passing `last_epoch` to resume needs `initial_lr` in every group, else a KeyError.

    `last_epoch=-1` (the default) means "start": the scheduler writes `initial_lr` into
    the groups. Any other value means "resume", and the starting lrs must then come from
    a loaded optimiser state dict; a fresh optimiser has none.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html
    """
    opt = sgd()

    with raises_exactly(KeyError, match=r"param 'initial_lr' is not specified in param_groups\[0\] when resuming"):
        lr_scheduler.StepLR(opt, step_size=1, last_epoch=3)


def test_step_lr_continues_from_a_manually_changed_lr():
    """A chainable scheduler such as `StepLR` scales whatever lr is in the group, including one you set.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html
    """
    opt = sgd(lr=1.0)
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)

    opt.param_groups[0]["lr"] = 0.2
    opt.step()
    sched.step()

    torch.testing.assert_close(opt.param_groups[0]["lr"], 0.1)


def test_lambda_lr_overwrites_a_manually_changed_lr():
    """`LambdaLR` recomputes `initial_lr * f(epoch)` each step, so a manual change is lost.

    The contrast with `StepLR`: schedulers defined from the initial lr ignore what you wrote
    into the group. Change `base_lrs` (or use a chainable scheduler) instead.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LambdaLR.html
    """
    opt = sgd(lr=1.0)
    sched = lr_scheduler.LambdaLR(opt, lambda e: 0.5**e)

    opt.param_groups[0]["lr"] = 0.2
    opt.step()
    sched.step()

    assert opt.param_groups[0]["lr"] == 0.5


def test_scheduler_state_dict_resumes_the_schedule():
    """A scheduler's `state_dict` holds its counters, so a new scheduler continues where it stopped.

    `last_epoch` is the key: after loading, the next `step()` produces the lr of epoch 4,
    not of epoch 1. The optimiser's lr must be restored too (from its own state dict).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LRScheduler.html
    """
    opt = sgd()
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    for _ in range(3):
        opt.step()
        sched.step()
    opt2 = sgd()
    opt2.load_state_dict(opt.state_dict())
    sched2 = lr_scheduler.StepLR(opt2, step_size=2, gamma=0.5)

    sched2.load_state_dict(sched.state_dict())
    opt2.step()
    sched2.step()

    assert sched.state_dict()["last_epoch"] == 3
    assert opt2.param_groups[0]["lr"] == 0.25  # epoch 4: 0.5 ** (4 // 2)


@pytest.mark.torch_version(">=2.2")
def test_reduce_lr_on_plateau_has_get_last_lr_since_2_2():
    """`ReduceLROnPlateau.get_last_lr()` exists since 2.2, when it became an `LRScheduler`.

    In 2.0 and 2.1 it was a separate class without this method; read
    `optimizer.param_groups[0]['lr']` there.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html
    """
    opt = sgd()
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5)

    for metric in [1.0, 1.0]:
        opt.step()
        sched.step(metric)

    assert isinstance(sched, lr_scheduler.LRScheduler)
    assert sched.get_last_lr() == [0.5]


@pytest.mark.torch_version("<2.2")
def test_scheduler_verbose_argument_is_accepted_before_2_2():
    """Before 2.2 the `verbose` argument of a scheduler is accepted silently.

    The first stage of its life cycle: no warning (any warning would fail this test,
    since warnings are errors here), and the scheduler keeps the flag.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html
    """
    opt = sgd()

    sched = lr_scheduler.StepLR(opt, step_size=1, verbose=False)

    assert sched.verbose is False


@pytest.mark.torch_version(">=2.2,<2.7")
def test_scheduler_verbose_argument_warns_from_2_2_to_2_6():
    """From 2.2 to 2.6 passing `verbose` to a scheduler raises a deprecation UserWarning.

    The second stage: the argument still works but warns, and it no longer prints
    anything (https://github.com/pytorch/pytorch/pull/111302). Use `get_last_lr()` to log
    the learning rate instead. The category is a plain UserWarning, not a
    DeprecationWarning or FutureWarning.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html
    """
    opt = sgd()

    with warns_exactly(UserWarning, match=r"The verbose parameter is deprecated\. Please use get_last_lr\(\) to access the learning rate"):
        lr_scheduler.StepLR(opt, step_size=1, verbose=False)


@pytest.mark.torch_version(">=2.7")
def test_scheduler_verbose_argument_is_gone_since_2_7():
    """Since 2.7 a scheduler no longer takes `verbose`: passing it is a TypeError.

    The last stage: deprecated (with a warning) in 2.2 and removed in 2.7
    (https://github.com/pytorch/pytorch/pull/147301), so the constructor rejects the
    keyword like any unknown one.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html
    """
    opt = sgd()

    with raises_exactly(TypeError, match=r"__init__\(\) got an unexpected keyword argument 'verbose'"):
        lr_scheduler.StepLR(opt, step_size=1, verbose=False)


@pytest.mark.torch_version(">=2.4,<2.7")
def test_scheduler_print_lr_warns_from_2_4_to_2_6():
    """From 2.4 to 2.6 `scheduler.print_lr(...)` raises a deprecation UserWarning.

    `print_lr` was the printing half of `verbose`; it was deprecated in 2.4
    (https://github.com/pytorch/pytorch/pull/126105) in favour of `get_last_lr()`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LRScheduler.html
    """
    sched = lr_scheduler.StepLR(sgd(), step_size=1)

    with warns_exactly(UserWarning, match=r"`LRScheduler\.print_lr\(\)` is being deprecated\. To fetch the learning rate, please use `get_last_lr\(\)` instead"):
        sched.print_lr(False, 0, 0.1)


@pytest.mark.torch_version(">=2.7")
def test_scheduler_print_lr_is_gone_since_2_7():
    """Since 2.7 a scheduler has no `print_lr` method: log `get_last_lr()` yourself.

    It was removed together with `verbose` (https://github.com/pytorch/pytorch/pull/147301).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LRScheduler.html
    """
    sched = lr_scheduler.StepLR(sgd(), step_size=1)

    with raises_exactly(AttributeError, match=r"'StepLR' object has no attribute 'print_lr'"):
        sched.print_lr(False, 0, 0.1)
    assert sched.get_last_lr() == [1.0]
