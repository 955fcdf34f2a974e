"""Learning-rate schedulers

A scheduler rewrites `param_groups[i]['lr']` each time you call `scheduler.step()`, usually
once per epoch after `optimizer.step()`. Each test below drives one scheduler for a few
epochs, records the learning rate the optimiser sees in each epoch, draws it, and checks it
against the closed-form rule from the docs.
"""

import math

import pytest
import torch
from torch import nn
from torch.optim import lr_scheduler

from torchref import Figure, raises_exactly, warns_exactly


def lrs(make_scheduler, epochs, lr=1.0, momentum=0.0, key="lr"):
    """The lr (or another group entry, `key`) the optimiser uses in each of `epochs` epochs under `make_scheduler(optimizer)`."""
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=lr, momentum=momentum)
    sched = make_scheduler(opt)
    seen = []
    for _ in range(epochs):
        seen.append(opt.param_groups[0][key])
        opt.step()
        sched.step()
    return seen


def curve(title, ys, kind="line"):
    """A learning-rate curve; "steps" for a schedule that holds its value for a whole epoch."""
    return Figure(title, "epoch", "lr", {title: (list(range(len(ys))), ys)}, kind=kind)


def step_lr_curve():
    return curve("StepLR(step_size=3, gamma=0.5)", lrs(lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5), 9), kind="steps")


@pytest.mark.claim("S3-010", verdict="true")
@pytest.mark.figure("step_lr_curve")
@pytest.mark.shows("lrs", "step_lr_curve")
def test_step_lr_multiplies_by_gamma_every_step_size_epochs():
    """`StepLR` multiplies the lr by `gamma` once every `step_size` epochs.

    The note is right: the lr is `lr0 * gamma ** (epoch // step_size)`, a staircase.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html#torch.optim.lr_scheduler.StepLR
    """
    ys = step_lr_curve().series["StepLR(step_size=3, gamma=0.5)"][1]

    assert ys == [0.5 ** (e // 3) for e in range(9)]


def test_step_lr_gamma_defaults_to_0_1():
    """Without `gamma`, `StepLR` divides the lr by 10 every `step_size` epochs.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html#torch.optim.lr_scheduler.StepLR
    """
    ys = lrs(lambda o: lr_scheduler.StepLR(o, step_size=2), 6)

    torch.testing.assert_close(ys, [0.1 ** (e // 2) for e in range(6)])


def test_step_lr_and_exponential_lr_have_no_default_period_or_gamma():
    """`StepLR` needs `step_size` and `ExponentialLR` needs `gamma`: leaving either out is a TypeError.

    Only `StepLR`'s `gamma` has a default (0.1, above). The decay period and the
    exponential factor have none, so the constructor rejects a call without them.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html#torch.optim.lr_scheduler.StepLR
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)

    with raises_exactly(TypeError, match="missing 1 required positional argument: 'step_size'"):
        lr_scheduler.StepLR(opt)
    with raises_exactly(TypeError, match="missing 1 required positional argument: 'gamma'"):
        lr_scheduler.ExponentialLR(opt)


def multistep_curve():
    return curve("MultiStepLR([2, 5], gamma=0.1)", lrs(lambda o: lr_scheduler.MultiStepLR(o, [2, 5], gamma=0.1), 7), kind="steps")


@pytest.mark.figure("multistep_curve")
def test_multistep_lr_multiplies_by_gamma_at_each_milestone():
    """`MultiStepLR` multiplies the lr by `gamma` when the epoch reaches each milestone.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.MultiStepLR.html#torch.optim.lr_scheduler.MultiStepLR
    """
    ys = multistep_curve().series["MultiStepLR([2, 5], gamma=0.1)"][1]

    torch.testing.assert_close(ys, [1.0, 1.0, 0.1, 0.1, 0.1, 0.01, 0.01])


def test_multistep_lr_gamma_defaults_to_0_1_and_a_repeated_milestone_applies_gamma_twice():
    """Without `gamma`, `MultiStepLR` divides by 10 at each milestone, and a milestone listed twice divides by 100.

    The milestones are counted, not merely looked up: an epoch that appears `n` times
    in `milestones` multiplies the lr by `gamma ** n`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.MultiStepLR.html#torch.optim.lr_scheduler.MultiStepLR.get_lr
    """
    once = lrs(lambda o: lr_scheduler.MultiStepLR(o, milestones=[2]), 4)
    twice = lrs(lambda o: lr_scheduler.MultiStepLR(o, milestones=[2, 2]), 4)

    torch.testing.assert_close(once, [1.0, 1.0, 0.1, 0.1])
    torch.testing.assert_close(twice, [1.0, 1.0, 0.1**2, 0.1**2])


def test_multistep_lr_docs_example_decays_at_30_and_80():
    """The docs' example: `MultiStepLR(milestones=[30, 80], gamma=0.1)` from 0.05 gives 0.05, then 0.005 from epoch 30, then 0.0005 from 80.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.MultiStepLR.html#torch.optim.lr_scheduler.MultiStepLR
    """
    ys = lrs(lambda o: lr_scheduler.MultiStepLR(o, milestones=[30, 80], gamma=0.1), 100, lr=0.05)

    torch.testing.assert_close(ys, [0.05 * 0.1 ** ((e >= 30) + (e >= 80)) for e in range(100)])
    torch.testing.assert_close([ys[29], ys[30], ys[79], ys[80]], [0.05, 0.005, 0.005, 0.0005])


def exponential_curve():
    return curve("ExponentialLR(gamma=0.8)", lrs(lambda o: lr_scheduler.ExponentialLR(o, gamma=0.8), 8))


@pytest.mark.figure("exponential_curve")
def test_exponential_lr_is_lr0_times_gamma_to_the_epoch():
    """`ExponentialLR` gives `lr0 * gamma ** epoch`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ExponentialLR.html#torch.optim.lr_scheduler.ExponentialLR
    """
    ys = exponential_curve().series["ExponentialLR(gamma=0.8)"][1]

    torch.testing.assert_close(ys, [0.8**e for e in range(8)])


def cosine_curve():
    return curve("CosineAnnealingLR(T_max=8, eta_min=0.1)", lrs(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=8, eta_min=0.1), 9))


@pytest.mark.figure("cosine_curve")
def test_cosine_annealing_lr_follows_the_closed_form():
    """`CosineAnnealingLR` gives `eta_min + (lr0 - eta_min) * (1 + cos(pi * t / T_max)) / 2`.

    PyTorch computes it recursively from the previous lr, but the result matches the closed
    form from the docs to rounding: a half cosine from `lr0` down to `eta_min` at `T_max`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingLR.html#torch.optim.lr_scheduler.CosineAnnealingLR
    """
    ys = cosine_curve().series["CosineAnnealingLR(T_max=8, eta_min=0.1)"][1]

    expected = [0.1 + 0.9 * (1 + math.cos(math.pi * t / 8)) / 2 for t in range(9)]
    torch.testing.assert_close(ys, expected)


def test_cosine_annealing_lr_climbs_back_after_t_max():
    """Stepped past `T_max`, `CosineAnnealingLR` does not stop at `eta_min`: it follows the cosine back up.

    The schedule is the annealing half of SGDR without the restarts, and nothing clamps
    it at `T_max`. With `T_max=2` the lr goes 1, 0.5, 0, then 0.5 and 1 again; size
    `T_max` to the whole run (or use `CosineAnnealingWarmRestarts` on purpose).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingLR.html#torch.optim.lr_scheduler.CosineAnnealingLR
    """
    ys = lrs(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=2), 5)

    torch.testing.assert_close(ys, [(1 + math.cos(math.pi * t / 2)) / 2 for t in range(5)])
    torch.testing.assert_close(ys, [1.0, 0.5, 0.0, 0.5, 1.0])


def test_cosine_annealing_lr_updates_recursively_from_the_current_lr():
    """`CosineAnnealingLR` computes each lr from the previous one, so an lr set by hand carries into the next step.

    The docs give the update as
    `eta_{t+1} = eta_min + (eta_t - eta_min) * (1 + cos((t + 1) pi / T_max)) / (1 + cos(t pi / T_max))`,
    a recursive form that only matches the closed form while nothing else touches the lr.
    Halving the lr by hand at epoch 1 scales the rest of the curve by the same half.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingLR.html#torch.optim.lr_scheduler.CosineAnnealingLR
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=4)
    opt.step()
    sched.step()

    opt.param_groups[0]["lr"] = 0.5
    opt.step()
    sched.step()

    ratio = (1 + math.cos(2 * math.pi / 4)) / (1 + math.cos(1 * math.pi / 4))
    torch.testing.assert_close(opt.param_groups[0]["lr"], 0.5 * ratio)
    torch.testing.assert_close(opt.param_groups[0]["lr"], 0.5 * (1 + math.cos(2 * math.pi / 4)) / 2 / ((1 + math.cos(math.pi / 4)) / 2))


def lambda_curve():
    return curve("LambdaLR(1 / (1 + e))", lrs(lambda o: lr_scheduler.LambdaLR(o, lambda e: 1 / (1 + e)), 6))


@pytest.mark.figure("lambda_curve")
def test_lambda_lr_sets_lr0_times_the_function_of_the_epoch():
    """`LambdaLR` sets the lr to `lr0 * f(epoch)`: the factor multiplies the *initial* lr.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LambdaLR.html#torch.optim.lr_scheduler.LambdaLR
    """
    ys = lambda_curve().series["LambdaLR(1 / (1 + e))"][1]

    torch.testing.assert_close(ys, [1 / (1 + e) for e in range(6)])


def test_lambda_lr_takes_one_function_per_param_group():
    """`LambdaLR` accepts a list of functions, one per parameter group; a list of the wrong length raises a ValueError.

    Group 0 halves each epoch, group 1 follows `1 / (1 + e)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LambdaLR.html#torch.optim.lr_scheduler.LambdaLR
    """
    opt = torch.optim.SGD([{"params": [nn.Parameter(torch.zeros(1))]}, {"params": [nn.Parameter(torch.zeros(1))]}], lr=1.0)
    sched = lr_scheduler.LambdaLR(opt, [lambda e: 0.5**e, lambda e: 1 / (1 + e)])
    seen = []

    for _ in range(3):
        seen.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()

    torch.testing.assert_close(seen, [[1.0, 1.0], [0.5, 0.5], [0.25, 1 / 3]])
    with raises_exactly(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1.0])


@pytest.mark.parametrize("scheduler", [lr_scheduler.LambdaLR, lr_scheduler.MultiplicativeLR], ids=["LambdaLR", "MultiplicativeLR"])
def test_lambda_schedulers_save_callable_objects_but_not_functions(scheduler):
    """The `state_dict` of `LambdaLR` and `MultiplicativeLR` keeps a callable object's attributes, but only `None` for a function or lambda.

    A function cannot be pickled into a checkpoint, so its slot in `lr_lambdas` is `None`
    and the new scheduler must be built with the same function. An instance of a class
    with `__call__` is stored as its `__dict__`, and `load_state_dict` writes that back
    into the new scheduler's object.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LambdaLR.html#torch.optim.lr_scheduler.LambdaLR.state_dict
    """

    class Decay:
        def __init__(self, base):
            self.base = base

        def __call__(self, epoch):
            return self.base**epoch

    opt = torch.optim.SGD([{"params": [nn.Parameter(torch.zeros(1))]}, {"params": [nn.Parameter(torch.zeros(1))]}], lr=1.0)
    state = scheduler(opt, [Decay(0.5), lambda e: 1.0]).state_dict()
    fresh = Decay(0.9)

    scheduler(opt, [fresh, lambda e: 1.0]).load_state_dict(state)

    assert state["lr_lambdas"] == [{"base": 0.5}, None]
    assert "optimizer" not in state
    assert fresh.base == 0.5


def multiplicative_curve():
    return curve("MultiplicativeLR(0.5)", lrs(lambda o: lr_scheduler.MultiplicativeLR(o, lambda e: 0.5), 5))


@pytest.mark.figure("multiplicative_curve")
def test_multiplicative_lr_multiplies_the_current_lr_each_epoch():
    """`MultiplicativeLR` multiplies the *current* lr by `f(epoch)` at every step.

    The contrast with `LambdaLR`: a constant factor 0.5 here halves the lr every epoch,
    whereas `LambdaLR(lambda e: 0.5)` would hold it at `0.5 * lr0`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.MultiplicativeLR.html#torch.optim.lr_scheduler.MultiplicativeLR
    """
    ys = multiplicative_curve().series["MultiplicativeLR(0.5)"][1]

    assert ys == [1.0, 0.5, 0.25, 0.125, 0.0625]


def test_multiplicative_lr_takes_one_function_per_param_group():
    """`MultiplicativeLR` accepts a list of functions, one per parameter group; a list of the wrong length raises a ValueError.

    Group 0 is multiplied by 0.5 each epoch, group 1 by 0.9.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.MultiplicativeLR.html#torch.optim.lr_scheduler.MultiplicativeLR
    """
    opt = torch.optim.SGD([{"params": [nn.Parameter(torch.zeros(1))]}, {"params": [nn.Parameter(torch.zeros(1))]}], lr=1.0)
    sched = lr_scheduler.MultiplicativeLR(opt, [lambda e: 0.5, lambda e: 0.9])
    seen = []

    for _ in range(3):
        seen.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()

    torch.testing.assert_close(seen, [[1.0, 1.0], [0.5, 0.9], [0.25, 0.81]])
    with raises_exactly(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        lr_scheduler.MultiplicativeLR(opt, [lambda e: 0.5])


@pytest.mark.torch_version(">=2.8")
def test_multiplicative_lr_rejects_a_number_for_lr_lambda_since_2_8():
    """Since 2.8, `MultiplicativeLR(opt, 0.95)` raises a TypeError at once: `lr_lambda` must be a function.

    A constant factor is a common slip (`lr_lambda=0.95` instead of `lambda epoch: 0.95`);
    the check was added in https://github.com/pytorch/pytorch/pull/151973.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.MultiplicativeLR.html#torch.optim.lr_scheduler.MultiplicativeLR
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)

    with raises_exactly(TypeError, match="lr_lambda should be a function, but got float"):
        lr_scheduler.MultiplicativeLR(opt, 0.95)


@pytest.mark.torch_version("<2.8")
def test_multiplicative_lr_fails_on_the_first_step_with_a_number_before_2_8():
    """Before 2.8, `MultiplicativeLR(opt, 0.95)` is accepted and fails only at the first `step()`.

    Epoch 0 never calls the function, so construction succeeds; the first real step
    calls `0.95(1)` and raises the plain "not callable" TypeError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.MultiplicativeLR.html#torch.optim.lr_scheduler.MultiplicativeLR
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = lr_scheduler.MultiplicativeLR(opt, 0.95)
    opt.step()

    with raises_exactly(TypeError, match="'float' object is not callable"):
        sched.step()


def linear_curve():
    return curve("LinearLR(0.25 -> 1 over 3)", lrs(lambda o: lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=3), 6))


@pytest.mark.figure("linear_curve")
def test_linear_lr_ramps_the_factor_linearly_then_holds():
    """`LinearLR` moves the factor linearly from `start_factor` to `end_factor` over `total_iters`, then stays.

    A common warm-up: here 0.25, 0.5, 0.75, then 1.0 for good.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LinearLR.html#torch.optim.lr_scheduler.LinearLR
    """
    ys = linear_curve().series["LinearLR(0.25 -> 1 over 3)"][1]

    torch.testing.assert_close(ys, [0.25, 0.5, 0.75, 1.0, 1.0, 1.0])


def test_linear_lr_defaults_ramp_from_a_third_to_one_over_5_epochs():
    """`LinearLR`'s defaults are `start_factor=1/3`, `end_factor=1.0` and `total_iters=5`.

    The factor at epoch `e` is `start + (end - start) * min(e, total_iters) / total_iters`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LinearLR.html#torch.optim.lr_scheduler.LinearLR
    """
    ys = lrs(lambda o: lr_scheduler.LinearLR(o), 7)

    torch.testing.assert_close(ys, [1 / 3 + (1 - 1 / 3) * min(e, 5) / 5 for e in range(7)])


def test_linear_lr_decays_when_end_factor_is_below_start_factor():
    """With `end_factor` below `start_factor`, `LinearLR` is a linear decay that stops at `lr0 * end_factor`.

    From 1.0 to 0.5 over 2 epochs: 1.0, 0.75, 0.5, and 0.5 from then on.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LinearLR.html#torch.optim.lr_scheduler.LinearLR
    """
    ys = lrs(lambda o: lr_scheduler.LinearLR(o, start_factor=1.0, end_factor=0.5, total_iters=2), 4)

    torch.testing.assert_close(ys, [1.0, 0.75, 0.5, 0.5])


@pytest.mark.docs_erratum("LinearLR(start_factor=0.05, total_iters=40) from lr 0.05 gives 0.003687 at epoch 0, 0.004875 at 1, 0.006062 at 2, 0.00725 at 3")
def test_linear_lr_docs_example_is_one_epoch_ahead():
    """In the docs' `LinearLR` example, the values listed for epochs 0 to 3 are really those of epochs 1 to 4.

    The example comments say that `LinearLR(start_factor=0.05, total_iters=40)` on lr 0.05
    gives 0.003687 at epoch 0. Epoch 0 uses the start factor itself:
    `0.05 * 0.05 = 0.0025`. Each epoch adds `(1 - 0.05) / 40` to the factor, so 0.0036875
    is epoch 1, and the docs' whole list is shifted by one epoch.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LinearLR.html#torch.optim.lr_scheduler.LinearLR
    """
    ys = lrs(lambda o: lr_scheduler.LinearLR(o, start_factor=0.05, total_iters=40), 42, lr=0.05)

    expected = [0.05 * (0.05 + 0.95 * min(e, 40) / 40) for e in range(42)]
    torch.testing.assert_close(ys, expected)
    torch.testing.assert_close(ys[0], 0.0025)
    torch.testing.assert_close(ys[1:5], [0.0036875, 0.004875, 0.0060625, 0.00725])
    torch.testing.assert_close(ys[40:], [0.05, 0.05])


def test_linear_lr_rejects_factors_outside_0_1():
    """`LinearLR` needs `0 < start_factor <= 1` and `0 <= end_factor <= 1`, else a ValueError.

    Both are multipliers of the optimiser's lr, so `LinearLR` can only ramp up *to* the
    lr you set (a warm-up) or down from it, never beyond it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LinearLR.html#torch.optim.lr_scheduler.LinearLR
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)

    with raises_exactly(ValueError, match="Starting multiplicative factor expected to be greater than 0 and less or equal to 1"):
        lr_scheduler.LinearLR(opt, start_factor=0)
    with raises_exactly(ValueError, match="Ending multiplicative factor expected to be between 0 and 1"):
        lr_scheduler.LinearLR(opt, end_factor=2.0)


def constant_curve():
    return curve("ConstantLR(factor=0.5, total_iters=3)", lrs(lambda o: lr_scheduler.ConstantLR(o, factor=0.5, total_iters=3), 6))


@pytest.mark.figure("constant_curve")
def test_constant_lr_scales_by_factor_until_total_iters():
    """`ConstantLR` multiplies the lr by `factor` for the first `total_iters` epochs, then restores it.

    A flat warm-up: `lr0 * factor` for epochs 0 to `total_iters - 1`, `lr0` afterwards.
    The defaults are `factor=1/3` and `total_iters=5`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ConstantLR.html#torch.optim.lr_scheduler.ConstantLR
    """
    ys = constant_curve().series["ConstantLR(factor=0.5, total_iters=3)"][1]
    defaults = lrs(lambda o: lr_scheduler.ConstantLR(o), 7)

    assert ys == [0.5 if e < 3 else 1.0 for e in range(6)]
    torch.testing.assert_close(defaults, [1 / 3 if e < 5 else 1.0 for e in range(7)])


def test_constant_lr_rejects_a_factor_above_one():
    """`ConstantLR` needs `0 <= factor <= 1`, else a ValueError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ConstantLR.html#torch.optim.lr_scheduler.ConstantLR
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)

    with raises_exactly(ValueError, match="Constant multiplicative factor expected to be between 0 and 1"):
        lr_scheduler.ConstantLR(opt, factor=1.5)
    with raises_exactly(ValueError, match="Constant multiplicative factor expected to be between 0 and 1"):
        lr_scheduler.ConstantLR(opt, factor=-0.1)


def test_constant_lr_docs_example_holds_half_the_lr_for_40_epochs():
    """The docs' example: `ConstantLR(factor=0.5, total_iters=40)` from 0.05 gives 0.025 for epochs 0 to 39, then 0.05.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ConstantLR.html#torch.optim.lr_scheduler.ConstantLR
    """
    ys = lrs(lambda o: lr_scheduler.ConstantLR(o, factor=0.5, total_iters=40), 42, lr=0.05)

    torch.testing.assert_close(ys, [0.025] * 40 + [0.05, 0.05])


def polynomial_curve():
    return curve("PolynomialLR(total_iters=4, power=2)", lrs(lambda o: lr_scheduler.PolynomialLR(o, total_iters=4, power=2.0), 6))


@pytest.mark.figure("polynomial_curve")
def test_polynomial_lr_decays_to_zero_at_total_iters():
    """`PolynomialLR` gives `lr0 * (1 - epoch / total_iters) ** power`, reaching 0 at `total_iters` and staying there.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.PolynomialLR.html#torch.optim.lr_scheduler.PolynomialLR
    """
    ys = polynomial_curve().series["PolynomialLR(total_iters=4, power=2)"][1]

    torch.testing.assert_close(ys, [(1 - min(e, 4) / 4) ** 2 for e in range(6)])


def test_polynomial_lr_defaults_to_a_straight_line_over_5_epochs():
    """`PolynomialLR`'s defaults are `total_iters=5` and `power=1.0`: a straight line from `lr0` to 0.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.PolynomialLR.html#torch.optim.lr_scheduler.PolynomialLR
    """
    ys = lrs(lambda o: lr_scheduler.PolynomialLR(o), 7)

    torch.testing.assert_close(ys, [1 - min(e, 5) / 5 for e in range(7)])


@pytest.mark.docs_erratum("PolynomialLR(total_iters=50, power=0.9) from lr 0.05 gives 0.0490 at epoch 0, 0.0481 at 1, 0.0472 at 2")
def test_polynomial_lr_docs_example_is_one_epoch_ahead():
    """In the docs' `PolynomialLR` example, the values listed for epochs 0 to 2 are really those of epochs 1 to 3.

    The example comments say that `PolynomialLR(total_iters=50, power=0.9)` on lr 0.05
    gives 0.0490 at epoch 0. Epoch 0 is the unchanged lr, 0.05; `0.05 * (1 - 1/50) ** 0.9`
    = 0.049099 (the docs' 0.0490, truncated) is epoch 1, so the docs' list is shifted by one epoch. The lr is 0 from
    epoch 50 on, as the docs say.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.PolynomialLR.html#torch.optim.lr_scheduler.PolynomialLR
    """
    ys = lrs(lambda o: lr_scheduler.PolynomialLR(o, total_iters=50, power=0.9), 52, lr=0.05)

    torch.testing.assert_close(ys, [0.05 * (1 - min(e, 50) / 50) ** 0.9 for e in range(52)])
    assert ys[0] == 0.05
    torch.testing.assert_close(ys[1:4], [0.0491, 0.0482, 0.0473], atol=5e-5, rtol=0)
    assert ys[50:] == [0.0, 0.0]


def one_cycle_curve():
    return curve("OneCycleLR(max_lr=1, total_steps=10)", lrs(lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10), 10, momentum=0.9))


@pytest.mark.figure("one_cycle_curve")
def test_one_cycle_lr_warms_up_to_max_lr_then_anneals_far_below_the_start():
    """`OneCycleLR` rises from `max_lr / 25` to `max_lr` over 30 % of the steps, then anneals to almost 0.

    It is stepped once per *batch*, `total_steps` times in all; the optimiser's own `lr` is
    ignored. The end value is `initial_lr / final_div_factor = 0.04 / 1e4`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html#torch.optim.lr_scheduler.OneCycleLR
    """
    ys = one_cycle_curve().series["OneCycleLR(max_lr=1, total_steps=10)"][1]

    torch.testing.assert_close(ys[0], 1.0 / 25)
    assert max(ys) == ys[2] == 1.0
    torch.testing.assert_close(ys[-1], 0.04 / 1e4)
    assert all(a > b for a, b in zip(ys[2:], ys[3:]))


def test_one_cycle_lr_raises_when_stepped_past_total_steps():
    """`OneCycleLR` raises a ValueError when stepped more than `total_steps` times.

    The schedule has an end, unlike most: `total_steps` (or `epochs * steps_per_epoch`)
    must count every batch of the run.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html#torch.optim.lr_scheduler.OneCycleLR
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0, momentum=0.9)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()

    opt.step()
    with raises_exactly(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
        sched.step()


def test_one_cycle_lr_linear_strategy_interpolates_in_straight_lines():
    """`anneal_strategy="linear"` replaces both half cosines of `OneCycleLR` by straight lines.

    `total_steps=10`, `pct_start=0.3`: up from `max_lr / 25 = 0.04` to 1 at step 2
    (`0.3 * 10 - 1`), then down to `0.04 / 1e4` at step 9, in equal steps.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html#torch.optim.lr_scheduler.OneCycleLR
    """
    ys = lrs(lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="linear", cycle_momentum=False), 10)

    initial, low = 1.0 / 25, 1.0 / 25 / 1e4
    expected = [initial + (1.0 - initial) * k / 2 for k in range(3)] + [1.0 + (low - 1.0) * k / 7 for k in range(1, 8)]
    torch.testing.assert_close(ys, expected)


def test_one_cycle_lr_three_phase_returns_to_the_initial_lr_before_annihilating():
    """With `three_phase=True`, `OneCycleLR` goes up, back down to the initial lr symmetrically, then down to the minimum.

    The paper's version: steps 0 to 2 rise from 0.04 to 1, steps 2 to 4 fall back to
    0.04 (the mirror image), and steps 4 to 9 fall to `0.04 / final_div_factor`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html#torch.optim.lr_scheduler.OneCycleLR
    """
    ys = lrs(lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10, three_phase=True, anneal_strategy="linear", cycle_momentum=False), 10)

    initial, low = 0.04, 0.04 / 1e4
    expected = [0.04, 0.52, 1.0, 0.52, 0.04] + [initial + (low - initial) * k / 5 for k in range(1, 6)]
    torch.testing.assert_close(ys, expected)


def test_one_cycle_lr_div_factors_set_the_start_and_end_of_the_cycle():
    """`div_factor` sets the start, `max_lr / div_factor`, and `final_div_factor` the end, `initial_lr / final_div_factor`.

    `max_lr=1`, `div_factor=4`, `final_div_factor=2`, four steps with `pct_start=0.5`:
    0.25 at step 0, 1 at step 1, then linearly to 0.125 at step 3. The defaults are 25 and
    1e4 (the first test on this scheduler).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html#torch.optim.lr_scheduler.OneCycleLR
    """
    ys = lrs(
        lambda o: lr_scheduler.OneCycleLR(
            o, max_lr=1.0, total_steps=4, pct_start=0.5, div_factor=4, final_div_factor=2, anneal_strategy="linear", cycle_momentum=False
        ),
        4,
    )

    torch.testing.assert_close(ys, [0.25, 1.0, 1.0 + (0.125 - 1.0) / 2, 0.125])


def test_one_cycle_lr_infers_total_steps_from_epochs_and_steps_per_epoch():
    """Without `total_steps`, `OneCycleLR` uses `epochs * steps_per_epoch`; given both ways, `total_steps` wins.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html#torch.optim.lr_scheduler.OneCycleLR
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0, momentum=0.9)

    inferred = lr_scheduler.OneCycleLR(opt, max_lr=1.0, epochs=2, steps_per_epoch=5)
    explicit = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=7, epochs=2, steps_per_epoch=5)

    assert inferred.total_steps == 10
    assert explicit.total_steps == 7


def test_one_cycle_lr_rejects_missing_or_invalid_step_counts():
    """`OneCycleLR` raises a ValueError without a step count, or with a count, `pct_start` or `anneal_strategy` out of range.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html#torch.optim.lr_scheduler.OneCycleLR
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0, momentum=0.9)

    with raises_exactly(ValueError, match=r"You must define either total_steps OR \(epochs AND steps_per_epoch\)"):
        lr_scheduler.OneCycleLR(opt, max_lr=1.0)
    with raises_exactly(ValueError, match="Expected positive integer total_steps, but got 0"):
        lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=0)
    with raises_exactly(ValueError, match="Expected positive integer epochs, but got 0"):
        lr_scheduler.OneCycleLR(opt, max_lr=1.0, epochs=0, steps_per_epoch=5)
    with raises_exactly(ValueError, match="Expected positive integer steps_per_epoch, but got 0"):
        lr_scheduler.OneCycleLR(opt, max_lr=1.0, epochs=2, steps_per_epoch=0)
    with raises_exactly(ValueError, match="Expected float between 0 and 1 pct_start, but got 1.5"):
        lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=1.5)
    with raises_exactly(ValueError, match="one of 'cos' or 'linear', instead got step"):
        lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10, anneal_strategy="step")


def test_one_cycle_lr_takes_one_max_lr_per_param_group():
    """A list `max_lr` gives each parameter group its own cycle, starting at its own `max_lr / div_factor`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html#torch.optim.lr_scheduler.OneCycleLR
    """
    opt = torch.optim.SGD([{"params": [nn.Parameter(torch.zeros(1))]}, {"params": [nn.Parameter(torch.zeros(1))]}], lr=1.0, momentum=0.9)

    lr_scheduler.OneCycleLR(opt, max_lr=[1.0, 2.0], total_steps=10)

    torch.testing.assert_close([g["lr"] for g in opt.param_groups], [1.0 / 25, 2.0 / 25])
    assert [g["max_lr"] for g in opt.param_groups] == [1.0, 2.0]


def one_cycle_momentum_curve():
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0, momentum=0.9)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    seen = []
    for _ in range(10):
        seen.append(opt.param_groups[0]["momentum"])
        opt.step()
        sched.step()
    return curve("OneCycleLR momentum", seen)


@pytest.mark.figure("one_cycle_momentum_curve")
def test_one_cycle_lr_cycles_momentum_against_the_lr():
    """`OneCycleLR` also moves momentum, from 0.95 down to 0.85 while the lr rises, and back.

    High lr goes with low momentum. Both phases follow a half cosine (the default
    `anneal_strategy="cos"`): down over the 2 warm-up steps, back up over the other 7.
    Set `cycle_momentum=False` for optimisers without momentum.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html#torch.optim.lr_scheduler.OneCycleLR
    """
    ys = one_cycle_momentum_curve().series["OneCycleLR momentum"][1]

    def cos_anneal(start, end, fraction):
        return end + (start - end) * (1 + math.cos(math.pi * fraction)) / 2

    expected = [cos_anneal(0.95, 0.85, k / 2) for k in range(3)] + [cos_anneal(0.85, 0.95, k / 7) for k in range(1, 8)]
    torch.testing.assert_close(ys, expected)
    torch.testing.assert_close([ys[0], ys[2], ys[-1]], [0.95, 0.85, 0.95])


def test_one_cycle_lr_momentum_bounds_and_cycle_momentum_false():
    """`base_momentum` and `max_momentum` bound the momentum cycle; `cycle_momentum=False` leaves momentum alone.

    Linear annealing over 5 steps with `pct_start=0.4`: momentum falls from 0.7 to 0.5
    at the lr's peak (step 1) and climbs back to 0.7 in three equal steps. With
    `cycle_momentum=False` the optimiser keeps its own 0.5 throughout.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html#torch.optim.lr_scheduler.OneCycleLR
    """
    cycled = lrs(
        lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=5, pct_start=0.4, base_momentum=0.5, max_momentum=0.7, anneal_strategy="linear"),
        5,
        momentum=0.9,
        key="momentum",
    )
    kept = lrs(lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=5, cycle_momentum=False), 5, momentum=0.5, key="momentum")

    torch.testing.assert_close(cycled, [0.7, 0.5, 0.5 + 0.2 / 3, 0.5 + 0.4 / 3, 0.7])
    assert kept == [0.5] * 5


def test_one_cycle_lr_cycles_adams_beta1_and_refuses_optimizers_without_momentum():
    """On Adam, `OneCycleLR` cycles `betas[0]` as the momentum; on an optimiser with neither it raises a ValueError.

    Adagrad has no `momentum` and no `betas`, so the default `cycle_momentum=True` cannot
    be honoured.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html#torch.optim.lr_scheduler.OneCycleLR
    """
    adam = torch.optim.Adam([nn.Parameter(torch.zeros(1))])
    sched = lr_scheduler.OneCycleLR(adam, max_lr=1.0, total_steps=5, pct_start=0.4)
    start = adam.param_groups[0]["betas"]
    adam.step()
    sched.step()

    assert start == (0.95, 0.999)
    torch.testing.assert_close(adam.param_groups[0]["betas"], (0.85, 0.999))
    with raises_exactly(ValueError, match="optimizer must support momentum"):
        lr_scheduler.OneCycleLR(torch.optim.Adagrad([nn.Parameter(torch.zeros(1))]), max_lr=1.0, total_steps=5)


def cyclic_curve():
    return curve("CyclicLR(0.1, 1.0, step_size_up=2)", lrs(lambda o: lr_scheduler.CyclicLR(o, 0.1, 1.0, step_size_up=2), 9, momentum=0.9))


@pytest.mark.figure("cyclic_curve")
def test_cyclic_lr_is_a_triangle_wave_between_base_and_max():
    """`CyclicLR` (mode "triangular") climbs from `base_lr` to `max_lr` in `step_size_up` steps and back down.

    With `step_size_up=2` (and `step_size_down` defaulting to the same), one cycle is four
    steps: 0.1, 0.55, 1.0, 0.55, then 0.1 again. Momentum cycles the other way, from
    `max_momentum=0.9` down to `base_momentum=0.8` at the lr's peak (see the next test
    for what that does to an optimiser built without momentum).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CyclicLR.html#torch.optim.lr_scheduler.CyclicLR
    """
    ys = cyclic_curve().series["CyclicLR(0.1, 1.0, step_size_up=2)"][1]
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0, momentum=0.9)
    sched = lr_scheduler.CyclicLR(opt, 0.1, 1.0, step_size_up=2)
    momenta = []
    for _ in range(5):
        momenta.append(opt.param_groups[0]["momentum"])
        opt.step()
        sched.step()

    torch.testing.assert_close(ys, [0.1, 0.55, 1.0, 0.55, 0.1, 0.55, 1.0, 0.55, 0.1])
    torch.testing.assert_close(momenta, [0.9, 0.85, 0.8, 0.85, 0.9])


def test_cyclic_lr_triangular2_halves_the_amplitude_each_cycle():
    """`CyclicLR(mode="triangular2")` is the triangle wave with its height halved after every cycle.

    With `step_size_up=1` from 0 to 1 the peaks are 1, 0.5, 0.25.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CyclicLR.html#torch.optim.lr_scheduler.CyclicLR
    """
    ys = lrs(lambda o: lr_scheduler.CyclicLR(o, 0.0, 1.0, step_size_up=1, mode="triangular2", cycle_momentum=False), 7)

    torch.testing.assert_close(ys, [0.0, 1.0, 0.0, 0.5, 0.0, 0.25, 0.0])


def test_cyclic_lr_defaults():
    """`CyclicLR`'s defaults: 2000 steps up and as many down, mode "triangular", `gamma=1.0`, `scale_mode="cycle"`, momentum cycled between 0.8 and 0.9.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CyclicLR.html#torch.optim.lr_scheduler.CyclicLR
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0, momentum=0.9)

    sched = lr_scheduler.CyclicLR(opt, 0.1, 1.0)

    assert (sched.total_size, sched.step_ratio) == (4000, 0.5)
    assert (sched.mode, sched.gamma, sched.scale_mode, sched.cycle_momentum) == ("triangular", 1.0, "cycle", True)
    assert (sched.base_momentums, sched.max_momentums) == ([0.8], [0.9])


def test_cyclic_lr_sets_the_lr_to_base_lr_at_construction():
    """`CyclicLR` overwrites the optimiser's lr with `base_lr`: the cycle starts at its lower bound.

    The lr passed to the optimiser (5.0 here) is never used.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CyclicLR.html#torch.optim.lr_scheduler.CyclicLR
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=5.0)

    lr_scheduler.CyclicLR(opt, 0.1, 1.0, cycle_momentum=False)

    assert opt.param_groups[0]["lr"] == 0.1


def test_cyclic_lr_step_size_down_makes_an_asymmetric_cycle():
    """`step_size_down` sets the length of the falling half separately: 1 step up, 3 steps down.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CyclicLR.html#torch.optim.lr_scheduler.CyclicLR
    """
    ys = lrs(lambda o: lr_scheduler.CyclicLR(o, 0.0, 1.0, step_size_up=1, step_size_down=3, cycle_momentum=False), 6)

    torch.testing.assert_close(ys, [0.0, 1.0, 2 / 3, 1 / 3, 0.0, 1.0])


def test_cyclic_lr_exp_range_scales_the_amplitude_by_gamma_to_the_iteration():
    """`mode="exp_range"` multiplies the triangle's height by `gamma ** iteration`.

    `gamma=0.5`, `step_size_up=1`: the peaks at iterations 1, 3 and 5 are `0.5`, `0.5**3`
    and `0.5**5`; the amplitude shrinks with every step, not every cycle.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CyclicLR.html#torch.optim.lr_scheduler.CyclicLR
    """
    ys = lrs(lambda o: lr_scheduler.CyclicLR(o, 0.0, 1.0, step_size_up=1, mode="exp_range", gamma=0.5, cycle_momentum=False), 6)

    torch.testing.assert_close(ys, [0.0, 0.5, 0.0, 0.5**3, 0.0, 0.5**5])


def test_cyclic_lr_scale_fn_replaces_mode_and_scale_mode_picks_its_argument():
    """A custom `scale_fn` overrides `mode`; it receives the cycle number by default, the iteration with `scale_mode="iterations"`.

    `scale_fn=lambda c: 1 / c` gives peaks 1, 1/2, 1/3 in cycles 1, 2, 3, even with a
    `mode` that would otherwise be rejected. `0.5 ** x` on iterations reproduces
    "exp_range" with `gamma=0.5`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CyclicLR.html#torch.optim.lr_scheduler.CyclicLR
    """
    per_cycle = lrs(lambda o: lr_scheduler.CyclicLR(o, 0.0, 1.0, step_size_up=1, scale_fn=lambda c: 1 / c, mode="nonsense", cycle_momentum=False), 6)
    per_iteration = lrs(
        lambda o: lr_scheduler.CyclicLR(o, 0.0, 1.0, step_size_up=1, scale_fn=lambda x: 0.5**x, scale_mode="iterations", cycle_momentum=False), 6
    )

    torch.testing.assert_close(per_cycle, [0.0, 1.0, 0.0, 1 / 2, 0.0, 1 / 3])
    torch.testing.assert_close(per_iteration, [0.0, 0.5, 0.0, 0.5**3, 0.0, 0.5**5])


def test_cyclic_lr_rejects_an_unknown_mode_without_scale_fn():
    """`mode` must be "triangular", "triangular2" or "exp_range" unless `scale_fn` is given; otherwise a ValueError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CyclicLR.html#torch.optim.lr_scheduler.CyclicLR
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0, momentum=0.9)

    with raises_exactly(ValueError, match="mode is invalid and scale_fn is None"):
        lr_scheduler.CyclicLR(opt, 0.1, 1.0, mode="square")


def test_cyclic_lr_takes_one_base_and_max_lr_per_param_group():
    """Lists for `base_lr` and `max_lr` give each parameter group its own bounds.

    Group 0 cycles between 0 and 1, group 1 between 1 and 3, both with `step_size_up=1`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CyclicLR.html#torch.optim.lr_scheduler.CyclicLR
    """
    opt = torch.optim.SGD([{"params": [nn.Parameter(torch.zeros(1))]}, {"params": [nn.Parameter(torch.zeros(1))]}], lr=1.0)
    sched = lr_scheduler.CyclicLR(opt, [0.0, 1.0], [1.0, 3.0], step_size_up=1, cycle_momentum=False)
    seen = []

    for _ in range(3):
        seen.append([g["lr"] for g in opt.param_groups])
        opt.step()
        sched.step()

    assert seen == [[0.0, 1.0], [1.0, 3.0], [0.0, 1.0]]


def test_cyclic_lr_turns_momentum_on_for_sgd_built_without_it():
    """`CyclicLR` on `SGD(momentum=0)` silently sets the momentum to `max_momentum`, 0.9.

    `cycle_momentum=True` is the default, and plain SGD does have a `momentum` entry (0),
    so nothing complains: the scheduler overwrites it and the run trains with momentum
    it never asked for. Pass `cycle_momentum=False` to keep plain SGD.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CyclicLR.html#torch.optim.lr_scheduler.CyclicLR
    """
    plain = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.1)
    kept = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.1)

    lr_scheduler.CyclicLR(plain, 0.1, 1.0)
    lr_scheduler.CyclicLR(kept, 0.1, 1.0, cycle_momentum=False)

    assert plain.param_groups[0]["momentum"] == 0.9
    assert kept.param_groups[0]["momentum"] == 0


@pytest.mark.torch_version("<2.3")
def test_cyclic_lr_refuses_an_optimizer_without_momentum_before_2_3():
    """Before 2.3, `CyclicLR` on Adam raises unless `cycle_momentum=False`.

    Adam has no `momentum` key, and older releases did not know to cycle `betas[0]`
    instead.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CyclicLR.html#torch.optim.lr_scheduler.CyclicLR
    """
    opt = torch.optim.Adam([nn.Parameter(torch.zeros(1))], lr=0.1)

    with raises_exactly(ValueError, match="optimizer must support momentum"):
        lr_scheduler.CyclicLR(opt, 0.01, 0.1)


@pytest.mark.torch_version(">=2.3")
def test_cyclic_lr_cycles_adams_beta1_since_2_3():
    """Since 2.3, `CyclicLR` on Adam cycles `betas[0]` between `max_momentum` and `base_momentum`.

    Older releases raised a ValueError here (see the test above). With `step_size_up=2`,
    `beta1` goes from 0.9 at the start to 0.8 at the peak of the lr.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CyclicLR.html#torch.optim.lr_scheduler.CyclicLR
    """
    opt = torch.optim.Adam([nn.Parameter(torch.zeros(1))], lr=0.1)
    sched = lr_scheduler.CyclicLR(opt, 0.01, 0.1, step_size_up=2, base_momentum=0.8, max_momentum=0.9)
    start = opt.param_groups[0]["betas"][0]

    for _ in range(2):
        opt.step()
        sched.step()

    assert start == 0.9
    torch.testing.assert_close(opt.param_groups[0]["betas"][0], 0.8)
    torch.testing.assert_close(opt.param_groups[0]["lr"], 0.1)


def warm_restarts_curve():
    return curve("CosineAnnealingWarmRestarts(T_0=4)", lrs(lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=4), 12), kind="steps")


@pytest.mark.figure("warm_restarts_curve")
def test_cosine_warm_restarts_jumps_back_to_lr0_every_t0_epochs():
    """`CosineAnnealingWarmRestarts` runs a cosine from `lr0` down over `T_0` epochs, then restarts.

    With `T_mult=1` every cycle is `T_0` long: epochs 0, 4 and 8 are back at `lr0`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.html#torch.optim.lr_scheduler.CosineAnnealingWarmRestarts
    """
    ys = warm_restarts_curve().series["CosineAnnealingWarmRestarts(T_0=4)"][1]

    expected = [(1 + math.cos(math.pi * (e % 4) / 4)) / 2 for e in range(12)]
    torch.testing.assert_close(ys, expected)


def test_cosine_warm_restarts_t_mult_lengthens_each_cycle():
    """With `T_mult=2` each cycle of `CosineAnnealingWarmRestarts` is twice as long as the last, and `eta_min` is its floor.

    `T_0=2`: restarts at epochs 2 and 6 (cycles of 2, then 4); within a cycle of length
    `T_i` the lr is `eta_min + (lr0 - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.html#torch.optim.lr_scheduler.CosineAnnealingWarmRestarts
    """
    ys = lrs(lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2, eta_min=0.1), 8)

    position = [(0, 2), (1, 2), (0, 4), (1, 4), (2, 4), (3, 4), (0, 8), (1, 8)]
    expected = [0.1 + 0.9 * (1 + math.cos(math.pi * t / T)) / 2 for t, T in position]
    torch.testing.assert_close(ys, expected)


def test_cosine_warm_restarts_rejects_bad_t0_and_t_mult():
    """`T_0` must be a positive int and `T_mult` an int of at least 1; otherwise a ValueError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.html#torch.optim.lr_scheduler.CosineAnnealingWarmRestarts
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)

    with raises_exactly(ValueError, match="Expected positive integer T_0, but got 0"):
        lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=0)
    with raises_exactly(ValueError, match="Expected positive integer T_0, but got 2.0"):
        lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2.0)
    with raises_exactly(ValueError, match="Expected integer T_mult >= 1, but got 1.5"):
        lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=1.5)


@pytest.mark.torch_version(">=2.1")
def test_cosine_warm_restarts_rejects_an_eta_min_that_is_not_a_number():
    """`eta_min` must be a float or an int; a string raises a ValueError when the scheduler is built.

    torch 2.0 accepted it without an error (seen on 2.0.1).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.html#torch.optim.lr_scheduler.CosineAnnealingWarmRestarts
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)

    with raises_exactly(ValueError, match="Expected float or int eta_min, but got 0 of type <class 'str'>"):
        lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, eta_min="0")


def test_cosine_warm_restarts_step_takes_fractional_epochs_and_continues_from_them():
    """`CosineAnnealingWarmRestarts.step(epoch)` accepts fractional epochs, and a later `step()` continues from the epoch given.

    The docs' per-batch pattern `scheduler.step(epoch + i / iters)` moves along the
    cosine within an epoch: with `T_0=4`, `step(0.5)` gives `(1 + cos(pi * 0.5 / 4)) / 2`.
    After `step(26)` (26 mod 4 = 2, the middle of a cycle), a plain `step()` acts as
    `step(27)`. Unlike other schedulers, passing the epoch here raises no deprecation
    warning (warnings fail this suite).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.html#torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.step
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4)
    opt.step()

    sched.step(0.5)
    fractional = opt.param_groups[0]["lr"]
    sched.step(26)
    jumped = opt.param_groups[0]["lr"]
    sched.step()

    torch.testing.assert_close(fractional, (1 + math.cos(math.pi * 0.5 / 4)) / 2)
    torch.testing.assert_close(jumped, 0.5)
    assert sched.last_epoch == 27
    torch.testing.assert_close(opt.param_groups[0]["lr"], (1 + math.cos(math.pi * 3 / 4)) / 2)


def test_cosine_warm_restarts_step_to_an_epoch_finds_its_cycle_under_t_mult():
    """Given an epoch, `CosineAnnealingWarmRestarts` works out which lengthening cycle it falls in; a negative epoch is a ValueError.

    `T_0=2`, `T_mult=2`: cycles cover epochs 0-1, 2-5 and 6-13, so epoch 7 is position 1
    of a cycle of length 8.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.html#torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.step
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
    opt.step()

    sched.step(7)

    assert (sched.T_cur, sched.T_i) == (1, 8)
    torch.testing.assert_close(opt.param_groups[0]["lr"], (1 + math.cos(math.pi * 1 / 8)) / 2)
    with raises_exactly(ValueError, match="Expected non-negative epoch, but got -1"):
        sched.step(-1)


def plateau_lrs(metrics, **kwargs):
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, **kwargs)
    seen = []
    for metric in metrics:
        opt.step()
        sched.step(metric)
        seen.append(opt.param_groups[0]["lr"])
    return seen


def plateau_curve():
    return curve("ReduceLROnPlateau(patience=2)", plateau_lrs([5, 4, 4, 4, 4, 4, 4, 4], patience=2), kind="steps")


@pytest.mark.figure("plateau_curve")
def test_reduce_lr_on_plateau_waits_patience_epochs_without_improvement():
    """`ReduceLROnPlateau` cuts the lr by `factor` after more than `patience` epochs without a new best.

    It is the one scheduler that needs the metric: `scheduler.step(val_loss)`. The loss stops
    improving after epoch 1; epochs 2 and 3 are within patience 2, epoch 4 is the third bad
    one and halves the lr. The counter then restarts.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html#torch.optim.lr_scheduler.ReduceLROnPlateau
    """
    ys = plateau_curve().series["ReduceLROnPlateau(patience=2)"][1]

    assert ys == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]


def test_reduce_lr_on_plateau_defaults_wait_10_epochs_and_cut_by_10():
    """By default `ReduceLROnPlateau` watches a falling metric, waits `patience=10` bad epochs, and multiplies the lr by `factor=0.1`.

    A flat metric: epoch 0 sets the best, epochs 1 to 10 are the ten tolerated bad
    epochs, and the eleventh cuts the lr from 1 to 0.1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html#torch.optim.lr_scheduler.ReduceLROnPlateau
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = lr_scheduler.ReduceLROnPlateau(opt)
    seen = []

    for _ in range(12):
        opt.step()
        sched.step(1.0)
        seen.append(opt.param_groups[0]["lr"])

    assert (sched.mode, sched.factor, sched.patience) == ("min", 0.1, 10)
    assert seen[:11] == [1.0] * 11
    torch.testing.assert_close(seen[11], 0.1)


def test_reduce_lr_on_plateau_ignores_improvements_below_threshold():
    """An improvement smaller than `threshold` (relative, by default) counts as no improvement.

    With `threshold=0.1` in "rel" mode, a new best must be below `best * 0.9`; 10 -> 9.5 is
    not enough, so the patience runs out anyway.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html#torch.optim.lr_scheduler.ReduceLROnPlateau
    """
    small_gains = plateau_lrs([10, 9.5, 9.2], patience=1, threshold=0.1)
    big_gains = plateau_lrs([10, 8.5, 7.0], patience=1, threshold=0.1)

    assert small_gains == [1.0, 1.0, 0.5]
    assert big_gains == [1.0, 1.0, 1.0]


def test_reduce_lr_on_plateau_cooldown_pauses_counting_after_a_cut():
    """After a cut, `cooldown` epochs pass before bad epochs count again.

    Without cooldown the constant loss cuts the lr every `patience + 1` epochs; with
    `cooldown=2` the second cut comes two epochs later.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html#torch.optim.lr_scheduler.ReduceLROnPlateau
    """
    flat = [1.0] * 7

    assert plateau_lrs(flat, patience=1) == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125]
    assert plateau_lrs(flat, patience=1, cooldown=2) == [1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25]


def test_reduce_lr_on_plateau_mode_max_watches_a_metric_that_should_rise():
    """With `mode='max'` a falling metric (accuracy) is what counts as no improvement.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html#torch.optim.lr_scheduler.ReduceLROnPlateau
    """
    assert plateau_lrs([0.5, 0.6, 0.7], patience=0, mode="max") == [1.0, 1.0, 1.0]
    assert plateau_lrs([0.5, 0.4, 0.3], patience=0, mode="max") == [1.0, 0.5, 0.25]


def test_reduce_lr_on_plateau_never_cuts_below_min_lr():
    """`min_lr` is a floor: the cut that would go below it stops at it.

    Halving from 1 on every flat epoch: 0.5, 0.25, then 0.2 (not 0.125) for good.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html#torch.optim.lr_scheduler.ReduceLROnPlateau
    """
    assert plateau_lrs([1.0] * 6, patience=0, min_lr=0.2) == [1.0, 0.5, 0.25, 0.2, 0.2, 0.2]


def test_reduce_lr_on_plateau_abs_threshold_mode_compares_differences():
    """With `threshold_mode="abs"` a new best must beat the old one by `threshold` in absolute terms.

    `threshold=0.4`: 10 -> 9.5 is an improvement (below 9.6), 9.5 -> 9.3 is not (above
    9.1), so with `patience=0` the lr is cut at the third epoch. In the default "rel" mode
    the same threshold would demand a 40 % drop, and the lr is cut at once.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html#torch.optim.lr_scheduler.ReduceLROnPlateau
    """
    metrics = [10.0, 9.5, 9.3]

    assert plateau_lrs(metrics, patience=0, threshold=0.4, threshold_mode="abs") == [1.0, 1.0, 0.5]
    assert plateau_lrs(metrics, patience=0, threshold=0.4) == [1.0, 0.5, 0.25]


def test_reduce_lr_on_plateau_rejects_a_factor_of_one_and_unknown_modes():
    """`factor` must be below 1, `mode` "min" or "max", `threshold_mode` "rel" or "abs"; otherwise a ValueError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html#torch.optim.lr_scheduler.ReduceLROnPlateau
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)

    with raises_exactly(ValueError, match=r"Factor should be < 1\.0"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)
    with raises_exactly(ValueError, match="mode up is unknown!"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="up")
    with raises_exactly(ValueError, match="threshold mode x is unknown!"):
        lr_scheduler.ReduceLROnPlateau(opt, threshold_mode="x")


def test_reduce_lr_on_plateau_other_defaults():
    """`ReduceLROnPlateau` also defaults to `threshold=1e-4` in "rel" mode, `cooldown=0`, `min_lr=0` and `eps=1e-8`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html#torch.optim.lr_scheduler.ReduceLROnPlateau
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)

    sched = lr_scheduler.ReduceLROnPlateau(opt)

    assert (sched.threshold, sched.threshold_mode, sched.cooldown, sched.min_lrs, sched.eps) == (1e-4, "rel", 0, [0], 1e-8)


@pytest.mark.docs_erratum("with patience=0, if the performance remains the same, the learning rate is not adjusted")
def test_reduce_lr_on_plateau_counts_an_unchanged_metric_as_a_bad_epoch():
    """An unchanged metric is no improvement: with `patience=0`, `ReduceLROnPlateau` cuts the lr every epoch it stays the same.

    The docs' walk-through of `patience = 0` says that from the third epoch on, the lr is
    not adjusted "if the performance improves or remains the same". In fact a new value
    counts as better only if it beats `best * (1 - threshold)` (mode "min"), so an equal
    value is a bad epoch, one more than the patience allows, and the lr is cut. An
    improvement does leave it alone.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html#torch.optim.lr_scheduler.ReduceLROnPlateau
    """
    assert plateau_lrs([1.0, 1.0, 1.0], patience=0) == [1.0, 0.5, 0.25]
    assert plateau_lrs([1.0, 0.5, 0.25], patience=0) == [1.0, 1.0, 1.0]


def test_reduce_lr_on_plateau_ignores_a_cut_smaller_than_eps():
    """`ReduceLROnPlateau` skips a reduction that would change the lr by less than `eps`.

    From lr 1e-8, halving would change it by 5e-9, below the default `eps=1e-8`, so the
    lr stays; with `eps=0` the same plateau halves it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html#torch.optim.lr_scheduler.ReduceLROnPlateau
    """
    def final_lr(**kwargs):
        opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1e-8)
        sched = lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5, **kwargs)
        for metric in [1.0, 1.0]:
            opt.step()
            sched.step(metric)
        return opt.param_groups[0]["lr"]

    assert final_lr() == 1e-8
    assert final_lr(eps=0.0) == 5e-9


def test_reduce_lr_on_plateau_min_lr_list_sets_one_floor_per_group():
    """A list `min_lr` gives each parameter group its own floor; a list of the wrong length raises a ValueError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html#torch.optim.lr_scheduler.ReduceLROnPlateau
    """
    opt = torch.optim.SGD([{"params": [nn.Parameter(torch.zeros(1))]}, {"params": [nn.Parameter(torch.zeros(1))]}], lr=1.0)
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.1, min_lr=[0.5, 0.0])

    for metric in [1.0, 1.0]:
        opt.step()
        sched.step(metric)

    torch.testing.assert_close([g["lr"] for g in opt.param_groups], [0.5, 0.1])
    with raises_exactly(ValueError, match="expected 2 min_lrs, got 1"):
        lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.1])


def test_reduce_lr_on_plateau_accepts_a_zero_dim_tensor_metric():
    """`ReduceLROnPlateau.step` takes the metric as a Python number or a zero-dim tensor, converted with `float`.

    Passing `loss` straight from the validation loop works; `best` is stored as a float.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html#torch.optim.lr_scheduler.ReduceLROnPlateau.step
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5)

    for metric in [torch.tensor(2.0), torch.tensor(2.0)]:
        opt.step()
        sched.step(metric)

    assert type(sched.best) is float and sched.best == 2.0
    assert opt.param_groups[0]["lr"] == 0.5


def test_reduce_lr_on_plateau_epoch_argument_warns():
    """Passing an epoch to `ReduceLROnPlateau.step(metric, epoch)` raises the deprecation UserWarning and sets `last_epoch`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html#torch.optim.lr_scheduler.ReduceLROnPlateau.step
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)
    sched = lr_scheduler.ReduceLROnPlateau(opt)
    opt.step()

    with warns_exactly(UserWarning, match=r"The epoch parameter in `scheduler.step\(\)` was not necessary"):
        sched.step(1.0, 5)

    assert sched.last_epoch == 5


@pytest.mark.parametrize(
    "build",
    [
        lambda opt: lr_scheduler.StepLR(opt, step_size=1),
        lambda opt: lr_scheduler.ReduceLROnPlateau(opt),
        lambda opt: lr_scheduler.CyclicLR(opt, 0.1, 1.0),
        lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10),
    ],
    ids=["StepLR", "ReduceLROnPlateau", "CyclicLR", "OneCycleLR"],
)
def test_schedulers_reject_an_object_that_is_not_an_optimizer(build):
    """Every scheduler checks its first argument: anything but an `Optimizer` is a TypeError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LRScheduler.html#torch.optim.lr_scheduler.LRScheduler
    """
    with raises_exactly(TypeError, match="object is not an Optimizer"):
        build(object())
