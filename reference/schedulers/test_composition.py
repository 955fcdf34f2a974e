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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.MultiStepLR.html#torch.optim.lr_scheduler.MultiStepLR
    """
    ys = notes_example_curve().series["lr"][1]

    torch.testing.assert_close(ys[30] / ys[29], 0.9 * 0.1)
    torch.testing.assert_close(ys[80] / ys[79], 0.9 * 0.1)
    torch.testing.assert_close(ys[31] / ys[30], 0.9)


def test_chained_scheduler_steps_every_scheduler_at_once():
    """`ChainedScheduler([a, b])` calls `a.step()` and `b.step()` together: one call per epoch.

    The result is the same product as stepping both by hand: a warm-up factor of 0.5 for
    two epochs times `0.9**epoch`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ChainedScheduler.html#torch.optim.lr_scheduler.ChainedScheduler
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


def test_chained_scheduler_docs_example_multiplies_warm_up_and_decay():
    """The docs' example: `ConstantLR(factor=0.1, total_iters=20)` chained with `ExponentialLR(0.9)` from 0.05.

    Both act at once: `0.05 * 0.1 * 0.9**epoch` for the first 20 epochs, then the warm-up
    factor is lifted and the lr jumps to `0.05 * 0.9**20 = 0.0060788` at epoch 20 (the docs list
    their values cut to six decimals).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ChainedScheduler.html#torch.optim.lr_scheduler.ChainedScheduler
    """
    opt = sgd(lr=0.05)
    sched = lr_scheduler.ChainedScheduler([lr_scheduler.ConstantLR(opt, factor=0.1, total_iters=20), lr_scheduler.ExponentialLR(opt, gamma=0.9)])
    seen = []

    for _ in range(22):
        seen.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()

    torch.testing.assert_close(seen, [0.05 * 0.1 ** (e < 20) * 0.9**e for e in range(22)])
    torch.testing.assert_close([seen[0], seen[1], seen[2], seen[19], seen[20], seen[21]], [0.005, 0.0045, 0.00405, 0.000675, 0.006078, 0.005470], atol=1e-6, rtol=0)


@pytest.mark.torch_version(">=2.4")
def test_chained_scheduler_takes_the_optimizer_since_2_4():
    """Since 2.4, `ChainedScheduler` takes an optional `optimizer`; without it, it uses the first scheduler's.

    The argument (default None) makes `ChainedScheduler` constructible like the others,
    `ChainedScheduler(schedulers, optimizer=opt)`; earlier releases reject the keyword.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ChainedScheduler.html#torch.optim.lr_scheduler.ChainedScheduler
    """
    opt = sgd()
    schedulers = [lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2), lr_scheduler.ExponentialLR(opt, gamma=0.9)]

    given = lr_scheduler.ChainedScheduler(schedulers, optimizer=opt)
    inferred = lr_scheduler.ChainedScheduler(schedulers)

    assert given.optimizer is opt
    assert inferred.optimizer is opt


def test_chained_scheduler_state_dict_holds_each_wrapped_scheduler():
    """`ChainedScheduler.state_dict()` stores the state of every wrapped scheduler, in order, and loading it restores them.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ChainedScheduler.html#torch.optim.lr_scheduler.ChainedScheduler.state_dict
    """
    opt = sgd()
    sched = lr_scheduler.ChainedScheduler([lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=2), lr_scheduler.ExponentialLR(opt, gamma=0.9)])
    for _ in range(3):
        opt.step()
        sched.step()
    opt2 = sgd()
    fresh = lr_scheduler.ChainedScheduler([lr_scheduler.ConstantLR(opt2, factor=0.5, total_iters=2), lr_scheduler.ExponentialLR(opt2, gamma=0.9)])

    state = sched.state_dict()
    fresh.load_state_dict(state)

    assert [s["last_epoch"] for s in state["_schedulers"]] == [3, 3]
    assert state["_schedulers"][1]["gamma"] == 0.9
    assert "optimizer" not in state
    assert [s.last_epoch for s in fresh._schedulers] == [3, 3]


def test_chained_scheduler_rejects_schedulers_of_different_optimizers():
    """`ChainedScheduler` raises a ValueError when its schedulers drive different optimisers.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ChainedScheduler.html#torch.optim.lr_scheduler.ChainedScheduler
    """
    a = lr_scheduler.ExponentialLR(sgd(), gamma=0.9)
    b = lr_scheduler.ExponentialLR(sgd(), gamma=0.9)

    with raises_exactly(ValueError, match="ChainedScheduler expects all schedulers to belong to the same optimizer"):
        lr_scheduler.ChainedScheduler([a, b])


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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.SequentialLR.html#torch.optim.lr_scheduler.SequentialLR
    """
    ys = sequential_curve().series["lr"][1]

    torch.testing.assert_close(ys, [0.5, 0.5, 1.0, 0.9, 0.81])


@pytest.mark.torch_version("<2.9")
def test_sequential_lr_warns_about_the_epoch_argument_before_2_9():
    """Before 2.9, `SequentialLR` emits a UserWarning about the deprecated epoch argument.

    It called `scheduler.step(0)` on the next scheduler at each milestone, which the
    schedulers themselves flag as deprecated. Since 2.9 the hand-over no longer warns.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.SequentialLR.html#torch.optim.lr_scheduler.SequentialLR
    """
    with warns_exactly(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
        sequential_curve()


@pytest.mark.torch_version(">=2.9")
def test_sequential_lr_docs_example_restarts_the_decay_at_the_milestone():
    """The docs' example: `ConstantLR(factor=0.1, total_iters=20)` then, from epoch 20, `ExponentialLR(0.9)` from 0.05.

    0.005 for epochs 0 to 19, then 0.05, 0.045, 0.0405: the second scheduler starts from
    the initial lr at the milestone. (Before 2.9 the hand-over warned; see above.)

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.SequentialLR.html#torch.optim.lr_scheduler.SequentialLR
    """
    opt = sgd(lr=0.05)
    sched = lr_scheduler.SequentialLR(
        opt, [lr_scheduler.ConstantLR(opt, factor=0.1, total_iters=20), lr_scheduler.ExponentialLR(opt, gamma=0.9)], milestones=[20]
    )
    seen = []

    for _ in range(23):
        seen.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()

    torch.testing.assert_close(seen, [0.005] * 20 + [0.05, 0.045, 0.0405])


@pytest.mark.torch_version(">=2.9")
def test_sequential_lr_with_three_schedulers_uses_one_milestone_per_hand_over():
    """`SequentialLR` with n schedulers takes n - 1 milestones; each scheduler starts afresh at its milestone.

    Half the lr for epochs 0-1, a quarter for 2-3, then halving from `lr0` at epoch 4.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.SequentialLR.html#torch.optim.lr_scheduler.SequentialLR
    """
    opt = sgd()
    sched = lr_scheduler.SequentialLR(
        opt,
        [lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=10), lr_scheduler.ConstantLR(opt, factor=0.25, total_iters=10), lr_scheduler.ExponentialLR(opt, 0.5)],
        milestones=[2, 4],
    )
    seen = []

    for _ in range(7):
        seen.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()

    assert seen == [0.5, 0.5, 0.25, 0.25, 1.0, 0.5, 0.25]


def test_sequential_lr_needs_one_milestone_fewer_than_schedulers_and_one_optimizer():
    """`SequentialLR` raises a ValueError unless it gets exactly one milestone fewer than schedulers, all on its optimiser.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.SequentialLR.html#torch.optim.lr_scheduler.SequentialLR
    """
    opt = sgd()
    a = lr_scheduler.ExponentialLR(opt, gamma=0.9)
    b = lr_scheduler.ExponentialLR(opt, gamma=0.9)
    elsewhere = lr_scheduler.ExponentialLR(sgd(), gamma=0.9)

    with raises_exactly(ValueError, match="expects number of schedulers provided to be one more than the number of milestone points"):
        lr_scheduler.SequentialLR(opt, [a, b], milestones=[2, 3])
    with raises_exactly(ValueError, match="expects all schedulers to belong to the same optimizer"):
        lr_scheduler.SequentialLR(opt, [a, elsewhere], milestones=[2])


def test_sequential_lr_state_dict_holds_each_wrapped_scheduler_and_the_milestones():
    """`SequentialLR.state_dict()` stores its own counter and milestones plus the state of every wrapped scheduler.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.SequentialLR.html#torch.optim.lr_scheduler.SequentialLR.state_dict
    """
    opt = sgd()
    sched = lr_scheduler.SequentialLR(opt, [lr_scheduler.ConstantLR(opt, factor=0.5), lr_scheduler.ExponentialLR(opt, gamma=0.9)], milestones=[2])

    state = sched.state_dict()

    assert state["_milestones"] == [2]
    assert state["last_epoch"] == 0
    assert [s["factor"] for s in state["_schedulers"][:1]] == [0.5]
    assert state["_schedulers"][1]["gamma"] == 0.9
    assert "optimizer" not in state


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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LRScheduler.html#torch.optim.lr_scheduler.LRScheduler.get_last_lr
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


@pytest.mark.torch_version(">=2.10")
def test_get_last_lr_returns_copies_of_tensor_lrs_since_2_10():
    """Since 2.10, with a tensor lr, `get_last_lr()` returns a copy of the same type that never aliases the group's lr.

    The list has the type of `group["lr"]` (a tensor here), but writing into it in place
    leaves the optimiser's lr alone. Earlier releases handed back the group's own tensor
    (https://github.com/pytorch/pytorch/pull/163120, for
    https://github.com/pytorch/pytorch/issues/163103).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LRScheduler.html#torch.optim.lr_scheduler.LRScheduler.get_last_lr
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=torch.tensor(1.0))
    sched = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    opt.step()
    sched.step()

    last = sched.get_last_lr()
    last[0].mul_(10)

    assert isinstance(last[0], torch.Tensor)
    assert last[0] is not opt.param_groups[0]["lr"]
    assert last[0].item() == 5.0
    assert opt.param_groups[0]["lr"].item() == 0.5


def test_scheduler_records_initial_lr_in_the_param_groups():
    """A scheduler stores each group's starting lr as `initial_lr`, and keeps it in `base_lrs`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LRScheduler.html#torch.optim.lr_scheduler.LRScheduler
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LRScheduler.html#torch.optim.lr_scheduler.LRScheduler.get_last_lr
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html#torch.optim.lr_scheduler.StepLR
    """
    opt = sgd()

    with raises_exactly(KeyError, match=r"param 'initial_lr' is not specified in param_groups\[0\] when resuming"):
        lr_scheduler.StepLR(opt, step_size=1, last_epoch=3)


def test_scheduler_state_dict_is_every_attribute_but_the_optimizer():
    """`state_dict()` holds every entry of the scheduler's `__dict__` except the optimiser.

    The optimiser has its own `state_dict`; the scheduler saves only its counters and
    settings (`last_epoch`, `base_lrs`, `step_size`, `gamma`, ...).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LRScheduler.html#torch.optim.lr_scheduler.LRScheduler.state_dict
    """
    sched = lr_scheduler.StepLR(sgd(), step_size=2, gamma=0.5)

    state = sched.state_dict()

    assert set(state) == set(vars(sched)) - {"optimizer"}
    assert {"last_epoch", "base_lrs", "step_size", "gamma"} <= set(state)


def test_scheduler_step_with_an_epoch_warns_and_jumps_to_the_closed_form():
    """`scheduler.step(epoch)` is deprecated: it warns, sets `last_epoch` to `epoch`, and uses the closed form.

    `StepLR(step_size=2, gamma=0.5)` stepped straight to epoch 5 gives
    `lr0 * 0.5 ** (5 // 2) = 0.25`, computed from `base_lrs` rather than from the current lr.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LRScheduler.html#torch.optim.lr_scheduler.LRScheduler.step
    """
    opt = sgd()
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    opt.step()

    with warns_exactly(UserWarning, match=r"The epoch parameter in `scheduler.step\(\)` was not necessary and is being deprecated"):
        sched.step(5)

    assert sched.last_epoch == 5
    assert opt.param_groups[0]["lr"] == 0.25


def test_building_a_scheduler_after_loading_the_optimizer_overwrites_the_loaded_lr():
    """Constructing a scheduler rewrites the group lrs, so build it before `optimizer.load_state_dict`, not after.

    The checkpoint was taken at epoch 1 of `ConstantLR(factor=0.5)`, lr 0.5. Built after
    loading, the new scheduler's own first step halves the loaded lr again (0.25); built
    before loading, the loaded 0.5 stands.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LRScheduler.html#torch.optim.lr_scheduler.LRScheduler
    """
    opt = sgd()
    sched = lr_scheduler.ConstantLR(opt, factor=0.5, total_iters=3)
    opt.step()
    sched.step()
    checkpoint = (opt.state_dict(), sched.state_dict())
    late, early = sgd(), sgd()

    late.load_state_dict(checkpoint[0])
    lr_scheduler.ConstantLR(late, factor=0.5, total_iters=3).load_state_dict(checkpoint[1])
    early_sched = lr_scheduler.ConstantLR(early, factor=0.5, total_iters=3)
    early.load_state_dict(checkpoint[0])
    early_sched.load_state_dict(checkpoint[1])

    assert late.param_groups[0]["lr"] == 0.25
    assert early.param_groups[0]["lr"] == 0.5


def test_step_lr_continues_from_a_manually_changed_lr():
    """A chainable scheduler such as `StepLR` scales whatever lr is in the group, including one you set.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html#torch.optim.lr_scheduler.StepLR
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LambdaLR.html#torch.optim.lr_scheduler.LambdaLR
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LRScheduler.html#torch.optim.lr_scheduler.LRScheduler.state_dict
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html#torch.optim.lr_scheduler.ReduceLROnPlateau.get_last_lr
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html#torch.optim.lr_scheduler.StepLR
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html#torch.optim.lr_scheduler.StepLR
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html#torch.optim.lr_scheduler.StepLR
    """
    opt = sgd()

    with raises_exactly(TypeError, match=r"__init__\(\) got an unexpected keyword argument 'verbose'"):
        lr_scheduler.StepLR(opt, step_size=1, verbose=False)


@pytest.mark.torch_version(">=2.4,<2.7")
def test_scheduler_print_lr_warns_from_2_4_to_2_6():
    """From 2.4 to 2.6 `scheduler.print_lr(...)` raises a deprecation UserWarning.

    `print_lr` was the printing half of `verbose`; it was deprecated in 2.4
    (https://github.com/pytorch/pytorch/pull/126105) in favour of `get_last_lr()`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LRScheduler.html#torch.optim.lr_scheduler.LRScheduler
    """
    sched = lr_scheduler.StepLR(sgd(), step_size=1)

    with warns_exactly(UserWarning, match=r"`LRScheduler\.print_lr\(\)` is being deprecated\. To fetch the learning rate, please use `get_last_lr\(\)` instead"):
        sched.print_lr(False, 0, 0.1)


@pytest.mark.torch_version(">=2.7")
def test_scheduler_print_lr_is_gone_since_2_7():
    """Since 2.7 a scheduler has no `print_lr` method: log `get_last_lr()` yourself.

    It was removed together with `verbose` (https://github.com/pytorch/pytorch/pull/147301).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LRScheduler.html#torch.optim.lr_scheduler.LRScheduler
    """
    sched = lr_scheduler.StepLR(sgd(), step_size=1)

    with raises_exactly(AttributeError, match=r"'StepLR' object has no attribute 'print_lr'"):
        sched.print_lr(False, 0, 0.1)
    assert sched.get_last_lr() == [1.0]
