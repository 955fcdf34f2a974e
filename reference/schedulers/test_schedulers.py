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

from torchref import Figure, raises_exactly


def lrs(make_scheduler, epochs, lr=1.0, momentum=0.0):
    """The lr the optimiser uses in each of `epochs` epochs under `make_scheduler(optimizer)`."""
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=lr, momentum=momentum)
    sched = make_scheduler(opt)
    seen = []
    for _ in range(epochs):
        seen.append(opt.param_groups[0]["lr"])
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html
    """
    ys = step_lr_curve().series["StepLR(step_size=3, gamma=0.5)"][1]

    assert ys == [0.5 ** (e // 3) for e in range(9)]


def test_step_lr_gamma_defaults_to_0_1():
    """Without `gamma`, `StepLR` divides the lr by 10 every `step_size` epochs.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.StepLR.html
    """
    ys = lrs(lambda o: lr_scheduler.StepLR(o, step_size=2), 6)

    torch.testing.assert_close(ys, [0.1 ** (e // 2) for e in range(6)])


def multistep_curve():
    return curve("MultiStepLR([2, 5], gamma=0.1)", lrs(lambda o: lr_scheduler.MultiStepLR(o, [2, 5], gamma=0.1), 7), kind="steps")


@pytest.mark.figure("multistep_curve")
def test_multistep_lr_multiplies_by_gamma_at_each_milestone():
    """`MultiStepLR` multiplies the lr by `gamma` when the epoch reaches each milestone.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.MultiStepLR.html
    """
    ys = multistep_curve().series["MultiStepLR([2, 5], gamma=0.1)"][1]

    torch.testing.assert_close(ys, [1.0, 1.0, 0.1, 0.1, 0.1, 0.01, 0.01])


def exponential_curve():
    return curve("ExponentialLR(gamma=0.8)", lrs(lambda o: lr_scheduler.ExponentialLR(o, gamma=0.8), 8))


@pytest.mark.figure("exponential_curve")
def test_exponential_lr_is_lr0_times_gamma_to_the_epoch():
    """`ExponentialLR` gives `lr0 * gamma ** epoch`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ExponentialLR.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingLR.html
    """
    ys = cosine_curve().series["CosineAnnealingLR(T_max=8, eta_min=0.1)"][1]

    expected = [0.1 + 0.9 * (1 + math.cos(math.pi * t / 8)) / 2 for t in range(9)]
    torch.testing.assert_close(ys, expected)


def test_cosine_annealing_lr_climbs_back_after_t_max():
    """Stepped past `T_max`, `CosineAnnealingLR` does not stop at `eta_min`: it follows the cosine back up.

    The schedule is the annealing half of SGDR without the restarts, and nothing clamps
    it at `T_max`. With `T_max=2` the lr goes 1, 0.5, 0, then 0.5 and 1 again; size
    `T_max` to the whole run (or use `CosineAnnealingWarmRestarts` on purpose).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingLR.html
    """
    ys = lrs(lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=2), 5)

    torch.testing.assert_close(ys, [(1 + math.cos(math.pi * t / 2)) / 2 for t in range(5)])
    torch.testing.assert_close(ys, [1.0, 0.5, 0.0, 0.5, 1.0])


def lambda_curve():
    return curve("LambdaLR(1 / (1 + e))", lrs(lambda o: lr_scheduler.LambdaLR(o, lambda e: 1 / (1 + e)), 6))


@pytest.mark.figure("lambda_curve")
def test_lambda_lr_sets_lr0_times_the_function_of_the_epoch():
    """`LambdaLR` sets the lr to `lr0 * f(epoch)`: the factor multiplies the *initial* lr.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LambdaLR.html
    """
    ys = lambda_curve().series["LambdaLR(1 / (1 + e))"][1]

    torch.testing.assert_close(ys, [1 / (1 + e) for e in range(6)])


def test_lambda_lr_takes_one_function_per_param_group():
    """`LambdaLR` accepts a list of functions, one per parameter group; a list of the wrong length raises a ValueError.

    Group 0 halves each epoch, group 1 follows `1 / (1 + e)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LambdaLR.html
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


def multiplicative_curve():
    return curve("MultiplicativeLR(0.5)", lrs(lambda o: lr_scheduler.MultiplicativeLR(o, lambda e: 0.5), 5))


@pytest.mark.figure("multiplicative_curve")
def test_multiplicative_lr_multiplies_the_current_lr_each_epoch():
    """`MultiplicativeLR` multiplies the *current* lr by `f(epoch)` at every step.

    The contrast with `LambdaLR`: a constant factor 0.5 here halves the lr every epoch,
    whereas `LambdaLR(lambda e: 0.5)` would hold it at `0.5 * lr0`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.MultiplicativeLR.html
    """
    ys = multiplicative_curve().series["MultiplicativeLR(0.5)"][1]

    assert ys == [1.0, 0.5, 0.25, 0.125, 0.0625]


def linear_curve():
    return curve("LinearLR(0.25 -> 1 over 3)", lrs(lambda o: lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=3), 6))


@pytest.mark.figure("linear_curve")
def test_linear_lr_ramps_the_factor_linearly_then_holds():
    """`LinearLR` moves the factor linearly from `start_factor` to `end_factor` over `total_iters`, then stays.

    A common warm-up: here 0.25, 0.5, 0.75, then 1.0 for good.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LinearLR.html
    """
    ys = linear_curve().series["LinearLR(0.25 -> 1 over 3)"][1]

    torch.testing.assert_close(ys, [0.25, 0.5, 0.75, 1.0, 1.0, 1.0])


def test_linear_lr_rejects_factors_outside_0_1():
    """`LinearLR` needs `0 < start_factor <= 1` and `0 <= end_factor <= 1`, else a ValueError.

    Both are multipliers of the optimiser's lr, so `LinearLR` can only ramp up *to* the
    lr you set (a warm-up) or down from it, never beyond it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.LinearLR.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ConstantLR.html
    """
    ys = constant_curve().series["ConstantLR(factor=0.5, total_iters=3)"][1]
    defaults = lrs(lambda o: lr_scheduler.ConstantLR(o), 7)

    assert ys == [0.5 if e < 3 else 1.0 for e in range(6)]
    torch.testing.assert_close(defaults, [1 / 3 if e < 5 else 1.0 for e in range(7)])


def polynomial_curve():
    return curve("PolynomialLR(total_iters=4, power=2)", lrs(lambda o: lr_scheduler.PolynomialLR(o, total_iters=4, power=2.0), 6))


@pytest.mark.figure("polynomial_curve")
def test_polynomial_lr_decays_to_zero_at_total_iters():
    """`PolynomialLR` gives `lr0 * (1 - epoch / total_iters) ** power`, reaching 0 at `total_iters` and staying there.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.PolynomialLR.html
    """
    ys = polynomial_curve().series["PolynomialLR(total_iters=4, power=2)"][1]

    torch.testing.assert_close(ys, [(1 - min(e, 4) / 4) ** 2 for e in range(6)])


def test_polynomial_lr_defaults_to_a_straight_line_over_5_epochs():
    """`PolynomialLR`'s defaults are `total_iters=5` and `power=1.0`: a straight line from `lr0` to 0.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.PolynomialLR.html
    """
    ys = lrs(lambda o: lr_scheduler.PolynomialLR(o), 7)

    torch.testing.assert_close(ys, [1 - min(e, 5) / 5 for e in range(7)])


def one_cycle_curve():
    return curve("OneCycleLR(max_lr=1, total_steps=10)", lrs(lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10), 10, momentum=0.9))


@pytest.mark.figure("one_cycle_curve")
def test_one_cycle_lr_warms_up_to_max_lr_then_anneals_far_below_the_start():
    """`OneCycleLR` rises from `max_lr / 25` to `max_lr` over 30 % of the steps, then anneals to almost 0.

    It is stepped once per *batch*, `total_steps` times in all; the optimiser's own `lr` is
    ignored. The end value is `initial_lr / final_div_factor = 0.04 / 1e4`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0, momentum=0.9)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(3):
        opt.step()
        sched.step()

    opt.step()
    with raises_exactly(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
        sched.step()


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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.OneCycleLR.html
    """
    ys = one_cycle_momentum_curve().series["OneCycleLR momentum"][1]

    def cos_anneal(start, end, fraction):
        return end + (start - end) * (1 + math.cos(math.pi * fraction)) / 2

    expected = [cos_anneal(0.95, 0.85, k / 2) for k in range(3)] + [cos_anneal(0.85, 0.95, k / 7) for k in range(1, 8)]
    torch.testing.assert_close(ys, expected)
    torch.testing.assert_close([ys[0], ys[2], ys[-1]], [0.95, 0.85, 0.95])


def cyclic_curve():
    return curve("CyclicLR(0.1, 1.0, step_size_up=2)", lrs(lambda o: lr_scheduler.CyclicLR(o, 0.1, 1.0, step_size_up=2), 9, momentum=0.9))


@pytest.mark.figure("cyclic_curve")
def test_cyclic_lr_is_a_triangle_wave_between_base_and_max():
    """`CyclicLR` (mode "triangular") climbs from `base_lr` to `max_lr` in `step_size_up` steps and back down.

    With `step_size_up=2` (and `step_size_down` defaulting to the same), one cycle is four
    steps: 0.1, 0.55, 1.0, 0.55, then 0.1 again. Momentum cycles the other way, from
    `max_momentum=0.9` down to `base_momentum=0.8` at the lr's peak (see the next test
    for what that does to an optimiser built without momentum).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CyclicLR.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CyclicLR.html
    """
    ys = lrs(lambda o: lr_scheduler.CyclicLR(o, 0.0, 1.0, step_size_up=1, mode="triangular2", cycle_momentum=False), 7)

    torch.testing.assert_close(ys, [0.0, 1.0, 0.0, 0.5, 0.0, 0.25, 0.0])


def test_cyclic_lr_turns_momentum_on_for_sgd_built_without_it():
    """`CyclicLR` on `SGD(momentum=0)` silently sets the momentum to `max_momentum`, 0.9.

    `cycle_momentum=True` is the default, and plain SGD does have a `momentum` entry (0),
    so nothing complains: the scheduler overwrites it and the run trains with momentum
    it never asked for. Pass `cycle_momentum=False` to keep plain SGD.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CyclicLR.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CyclicLR.html
    """
    opt = torch.optim.Adam([nn.Parameter(torch.zeros(1))], lr=0.1)

    with raises_exactly(ValueError, match="optimizer must support momentum"):
        lr_scheduler.CyclicLR(opt, 0.01, 0.1)


@pytest.mark.torch_version(">=2.3")
def test_cyclic_lr_cycles_adams_beta1_since_2_3():
    """Since 2.3, `CyclicLR` on Adam cycles `betas[0]` between `max_momentum` and `base_momentum`.

    Older releases raised a ValueError here (see the test above). With `step_size_up=2`,
    `beta1` goes from 0.9 at the start to 0.8 at the peak of the lr.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CyclicLR.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.html
    """
    ys = warm_restarts_curve().series["CosineAnnealingWarmRestarts(T_0=4)"][1]

    expected = [(1 + math.cos(math.pi * (e % 4) / 4)) / 2 for e in range(12)]
    torch.testing.assert_close(ys, expected)


def test_cosine_warm_restarts_t_mult_lengthens_each_cycle():
    """With `T_mult=2` each cycle of `CosineAnnealingWarmRestarts` is twice as long as the last, and `eta_min` is its floor.

    `T_0=2`: restarts at epochs 2 and 6 (cycles of 2, then 4); within a cycle of length
    `T_i` the lr is `eta_min + (lr0 - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.CosineAnnealingWarmRestarts.html
    """
    ys = lrs(lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2, eta_min=0.1), 8)

    position = [(0, 2), (1, 2), (0, 4), (1, 4), (2, 4), (3, 4), (0, 8), (1, 8)]
    expected = [0.1 + 0.9 * (1 + math.cos(math.pi * t / T)) / 2 for t, T in position]
    torch.testing.assert_close(ys, expected)


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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html
    """
    ys = plateau_curve().series["ReduceLROnPlateau(patience=2)"][1]

    assert ys == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]


def test_reduce_lr_on_plateau_defaults_wait_10_epochs_and_cut_by_10():
    """By default `ReduceLROnPlateau` watches a falling metric, waits `patience=10` bad epochs, and multiplies the lr by `factor=0.1`.

    A flat metric: epoch 0 sets the best, epochs 1 to 10 are the ten tolerated bad
    epochs, and the eleventh cuts the lr from 1 to 0.1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html
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

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html
    """
    small_gains = plateau_lrs([10, 9.5, 9.2], patience=1, threshold=0.1)
    big_gains = plateau_lrs([10, 8.5, 7.0], patience=1, threshold=0.1)

    assert small_gains == [1.0, 1.0, 0.5]
    assert big_gains == [1.0, 1.0, 1.0]


def test_reduce_lr_on_plateau_cooldown_pauses_counting_after_a_cut():
    """After a cut, `cooldown` epochs pass before bad epochs count again.

    Without cooldown the constant loss cuts the lr every `patience + 1` epochs; with
    `cooldown=2` the second cut comes two epochs later.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html
    """
    flat = [1.0] * 7

    assert plateau_lrs(flat, patience=1) == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125]
    assert plateau_lrs(flat, patience=1, cooldown=2) == [1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25]


def test_reduce_lr_on_plateau_mode_max_watches_a_metric_that_should_rise():
    """With `mode='max'` a falling metric (accuracy) is what counts as no improvement.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html
    """
    assert plateau_lrs([0.5, 0.6, 0.7], patience=0, mode="max") == [1.0, 1.0, 1.0]
    assert plateau_lrs([0.5, 0.4, 0.3], patience=0, mode="max") == [1.0, 0.5, 0.25]


def test_reduce_lr_on_plateau_never_cuts_below_min_lr():
    """`min_lr` is a floor: the cut that would go below it stops at it.

    Halving from 1 on every flat epoch: 0.5, 0.25, then 0.2 (not 0.125) for good.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html
    """
    assert plateau_lrs([1.0] * 6, patience=0, min_lr=0.2) == [1.0, 0.5, 0.25, 0.2, 0.2, 0.2]


def test_reduce_lr_on_plateau_abs_threshold_mode_compares_differences():
    """With `threshold_mode="abs"` a new best must beat the old one by `threshold` in absolute terms.

    `threshold=0.4`: 10 -> 9.5 is an improvement (below 9.6), 9.5 -> 9.3 is not (above
    9.1), so with `patience=0` the lr is cut at the third epoch. In the default "rel" mode
    the same threshold would demand a 40 % drop, and the lr is cut at once.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html
    """
    metrics = [10.0, 9.5, 9.3]

    assert plateau_lrs(metrics, patience=0, threshold=0.4, threshold_mode="abs") == [1.0, 1.0, 0.5]
    assert plateau_lrs(metrics, patience=0, threshold=0.4) == [1.0, 0.5, 0.25]


def test_reduce_lr_on_plateau_rejects_a_factor_of_one_and_unknown_modes():
    """`factor` must be below 1, `mode` "min" or "max", `threshold_mode` "rel" or "abs"; otherwise a ValueError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.lr_scheduler.ReduceLROnPlateau.html
    """
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0)

    with raises_exactly(ValueError, match=r"Factor should be < 1\.0"):
        lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)
    with raises_exactly(ValueError, match="mode up is unknown!"):
        lr_scheduler.ReduceLROnPlateau(opt, mode="up")
    with raises_exactly(ValueError, match="threshold mode x is unknown!"):
        lr_scheduler.ReduceLROnPlateau(opt, threshold_mode="x")
