"""SGD, step by step

`torch.optim.SGD` is gradient descent with optional momentum, dampening, Nesterov look-ahead
and weight decay. Each option is one line of arithmetic, so every test below recomputes a
step by hand and compares. The basic update comes first, then momentum and its variants,
then weight decay, and last the traps: what "minimise" means and what SGD refuses.
"""

import pytest
import torch
from torch import nn

from torchref import raises_exactly


@pytest.mark.claim("S3-009", verdict="true")
def test_sgd_step_subtracts_lr_times_grad():
    """One plain SGD step is `w <- w - lr * grad`.

    The note calls `torch.optim.SGD` (stochastic) gradient descent, and that is exactly what
    `step()` does with the gradient that `backward()` left in `.grad`. The "stochastic" part
    is not in the optimiser: it comes from feeding it gradients of random mini-batches.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    w = nn.Parameter(torch.tensor([1.0, -2.0]))
    opt = torch.optim.SGD([w], lr=0.1)
    (w**2).sum().backward()  # grad = 2w = [2, -4]

    opt.step()

    torch.testing.assert_close(w.detach(), torch.tensor([1.0 - 0.1 * 2.0, -2.0 + 0.1 * 4.0]))


def test_sgd_momentum_keeps_a_velocity_buffer():
    """With momentum the step follows a buffer `b <- momentum * b + grad`, not the raw gradient.

    On the first step the buffer is just the gradient. On the second it is
    `0.9 * g1 + g2`, so a gradient that keeps pointing the same way speeds the weight up.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    w = nn.Parameter(torch.tensor([0.0]))
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)

    for _ in range(2):
        w.grad = torch.tensor([1.0])  # constant gradient
        opt.step()

    # step 1: b = 1, w = -0.1; step 2: b = 0.9 * 1 + 1 = 1.9, w = -0.1 - 0.19
    torch.testing.assert_close(w.detach(), torch.tensor([-0.29]))
    torch.testing.assert_close(opt.state[w]["momentum_buffer"], torch.tensor([1.9]))


def test_sgd_new_lr_scales_the_whole_velocity():
    """SGD multiplies the whole buffer by the current `lr`: `p <- p - lr * b`, with `lr` kept out of the buffer.

    The page's note contrasts this with Sutskever et al., where the velocity is
    `v <- momentum * v + lr * g` and already carries past learning rates. In PyTorch the
    buffer holds gradients only, so raising `lr` from 0.1 to 1 between two steps scales the
    second step's whole buffer `0.9 * 1 + 1 = 1.9`: the weight moves by 1.9, where the
    other form would move it by `0.9 * 0.1 + 1 * 1 = 1.09`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    w = nn.Parameter(torch.tensor([0.0]))
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    w.grad = torch.tensor([1.0])
    opt.step()  # b = 1, w = -0.1

    opt.param_groups[0]["lr"] = 1.0
    w.grad = torch.tensor([1.0])
    opt.step()

    torch.testing.assert_close(opt.state[w]["momentum_buffer"], torch.tensor([1.9]))
    torch.testing.assert_close(w.detach(), torch.tensor([-0.1 - 1.0 * 1.9]))


def test_sgd_dampening_scales_later_gradients_only():
    """Dampening adds `(1 - dampening) * grad` to the buffer, but the first step uses the full gradient.

    The buffer starts as a copy of the first gradient; from the second step on it is
    `momentum * b + (1 - dampening) * grad`. With dampening 0.5 the second buffer is
    `0.9 * 1 + 0.5 * 1 = 1.4`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    w = nn.Parameter(torch.tensor([0.0]))
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9, dampening=0.5)

    w.grad = torch.tensor([1.0])
    opt.step()
    first = w.detach().clone()
    w.grad = torch.tensor([1.0])
    opt.step()

    torch.testing.assert_close(first, torch.tensor([-0.1]))
    torch.testing.assert_close(w.detach(), torch.tensor([-0.1 - 0.1 * 1.4]))


def test_sgd_nesterov_steps_along_grad_plus_momentum_times_buffer():
    """Nesterov momentum steps along `grad + momentum * b` instead of `b`.

    It is the "look ahead" variant: the step already includes where the buffer is about to
    carry the weight. On the first step `b = g`, so the step is `lr * (1 + 0.9) * g`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    w = nn.Parameter(torch.tensor([0.0]))
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9, nesterov=True)

    w.grad = torch.tensor([1.0])
    opt.step()

    torch.testing.assert_close(w.detach(), torch.tensor([-0.1 * 1.9]))


def test_sgd_nesterov_second_step_uses_the_updated_buffer():
    """On later steps Nesterov steps along `g + momentum * b_t`, where `b_t` already includes `g`.

    With a constant gradient 1 and momentum 0.9: step 1 moves by `lr * 1.9`; on step 2 the
    buffer is `0.9 * 1 + 1 = 1.9`, so the step is `lr * (1 + 0.9 * 1.9) = lr * 2.71`,
    where plain momentum would move by `lr * 1.9`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    w = nn.Parameter(torch.tensor([0.0]))
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9, nesterov=True)

    for _ in range(2):
        w.grad = torch.tensor([1.0])
        opt.step()

    torch.testing.assert_close(opt.state[w]["momentum_buffer"], torch.tensor([1.9]))
    torch.testing.assert_close(w.detach(), torch.tensor([-0.1 * 1.9 - 0.1 * (1 + 0.9 * 1.9)]))


def test_sgd_nesterov_needs_momentum_and_zero_dampening():
    """`nesterov=True` without momentum, or with dampening, raises a ValueError.

    The look-ahead `grad + momentum * b` is only the Nesterov update when the buffer is
    an undamped sum of past gradients, so both conditions are checked when the
    optimiser is built.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    w = nn.Parameter(torch.zeros(1))

    with raises_exactly(ValueError, match="Nesterov momentum requires a momentum and zero dampening"):
        torch.optim.SGD([w], lr=0.1, nesterov=True)
    with raises_exactly(ValueError, match="Nesterov momentum requires a momentum and zero dampening"):
        torch.optim.SGD([w], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)


def test_sgd_options_default_to_plain_gradient_descent():
    """SGD's `momentum`, `dampening` and `weight_decay` default to 0 and `nesterov`, `maximize` to False.

    So `SGD(params, lr=lr)` is the bare update of the first section, and a fresh
    optimiser keeps no momentum buffer.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    w = nn.Parameter(torch.tensor([1.0]))
    opt = torch.optim.SGD([w], lr=0.1)
    w.grad = torch.tensor([2.0])

    opt.step()

    group = opt.param_groups[0]
    assert (group["momentum"], group["dampening"], group["weight_decay"]) == (0, 0, 0)
    assert (group["nesterov"], group["maximize"]) == (False, False)
    torch.testing.assert_close(w.detach(), torch.tensor([1.0 - 0.1 * 2.0]))
    assert opt.state[w].get("momentum_buffer") is None


@pytest.mark.torch_version(">=2.2")  # https://github.com/pytorch/pytorch/pull/114467 gave lr a default
def test_sgd_lr_defaults_to_1e_3():
    """Since 2.2 `SGD`'s `lr` defaults to `1e-3`, like Adam's; before, it was required.

    One step with gradient 1 from 0 moves the weight to `-0.001`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    w = nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([w])
    w.grad = torch.ones(1)

    opt.step()

    assert opt.defaults["lr"] == 1e-3
    torch.testing.assert_close(w.detach(), torch.tensor([-1e-3]))


# https://github.com/pytorch/pytorch/pull/131065 documented a Tensor lr for SGD and added the 1-element check
@pytest.mark.torch_version(">=2.5")
def test_sgd_accepts_a_one_element_tensor_lr():
    """`lr` may be a 1-element tensor: the step is the one a float `lr` gives, and a longer tensor raises a ValueError.

    A tensor learning rate lets a compiled or captured step read a value that a scheduler
    changes in place. The group keeps a tensor; one step from 1 with gradient 2
    and `lr=tensor(0.1)` lands on `1 - 0.1 * 2 = 0.8`. A tensor of two learning rates is
    refused when the optimiser is built.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    w = nn.Parameter(torch.tensor([1.0]))
    opt = torch.optim.SGD([w], lr=torch.tensor(0.1))
    w.grad = torch.tensor([2.0])

    opt.step()

    assert isinstance(opt.param_groups[0]["lr"], torch.Tensor)
    torch.testing.assert_close(w.detach(), torch.tensor([1.0 - 0.1 * 2.0]))
    with raises_exactly(ValueError, match="Tensor lr must be 1-element"):
        torch.optim.SGD([w], lr=torch.tensor([0.1, 0.2]))


@pytest.mark.claim("S1-043", verdict="true")
def test_sgd_weight_decay_adds_wd_times_w_to_the_grad():
    """`weight_decay=wd` makes SGD step along `grad + wd * w`.

    The note is right that you do not add a penalty to the loss yourself: the optimiser adds
    `wd * w` to each gradient before the update, which shrinks every weight towards 0.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    w = nn.Parameter(torch.tensor([2.0]))
    opt = torch.optim.SGD([w], lr=0.1, weight_decay=0.5)
    w.grad = torch.tensor([1.0])

    opt.step()

    torch.testing.assert_close(w.detach(), torch.tensor([2.0 - 0.1 * (1.0 + 0.5 * 2.0)]))


def test_sgd_weight_decay_equals_an_l2_penalty_in_the_loss():
    """For SGD, `weight_decay=wd` gives the same step as adding `0.5 * wd * ||w||^2` to the loss.

    The gradient of `0.5 * wd * ||w||^2` is `wd * w`, which is what weight decay adds. That
    is why, for plain SGD, "weight decay" and "L2 regularisation" are the same thing (for
    Adam they are not: see AdamW).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    x = torch.tensor([[1.0, 2.0], [3.0, -1.0]])
    a = nn.Parameter(torch.tensor([0.5, -0.5]))
    b = nn.Parameter(a.detach().clone())
    opt_a = torch.optim.SGD([a], lr=0.1, weight_decay=0.2)
    opt_b = torch.optim.SGD([b], lr=0.1)

    (x @ a).pow(2).sum().backward()
    opt_a.step()
    ((x @ b).pow(2).sum() + 0.5 * 0.2 * b.pow(2).sum()).backward()
    opt_b.step()

    torch.testing.assert_close(a.detach(), b.detach())


def test_sgd_maximize_climbs_the_gradient():
    """`maximize=True` adds `lr * grad` instead of subtracting it.

    Gradient *ascent*, for an objective you want to grow (a reward, a log-likelihood)
    without negating it yourself: from 1 with gradient 2 and lr 0.1 the weight goes to 1.2.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    w = nn.Parameter(torch.tensor([1.0]))
    opt = torch.optim.SGD([w], lr=0.1, maximize=True)
    w.grad = torch.tensor([2.0])

    opt.step()

    torch.testing.assert_close(w.detach(), torch.tensor([1.2]))


def test_sgd_maximize_negates_the_gradient_but_still_decays_the_weight():
    """With `maximize=True` SGD negates the gradient *before* adding `wd * w`, so weight decay still shrinks the weight.

    The algorithm in the docs starts from `g = -grad` and then adds `wd * w`; the weight
    climbs the objective and is pulled towards 0 at once. From 2 with gradient 1, lr 0.1 and
    wd 0.5: `2 - 0.1 * (-1 + 0.5 * 2) = 2`, the two cancel exactly.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    w = nn.Parameter(torch.tensor([2.0]))
    opt = torch.optim.SGD([w], lr=0.1, weight_decay=0.5, maximize=True)
    w.grad = torch.tensor([1.0])

    opt.step()

    torch.testing.assert_close(w.detach(), torch.tensor([2.0 - 0.1 * (-1.0 + 0.5 * 2.0)]))
    assert w.item() == 2.0


@pytest.mark.parametrize("foreach", [True, False], ids=["foreach", "for-loop"])
def test_sgd_foreach_choice_does_not_change_the_result(foreach):
    """`foreach=True` (multi-tensor) and `foreach=False` (for-loop) compute the same update; the default `None` lets PyTorch choose.

    `foreach` picks an implementation, not an algorithm: two momentum steps on two
    parameters match the hand-computed values either way.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#algorithms
    """
    a, b = nn.Parameter(torch.tensor([1.0, 2.0])), nn.Parameter(torch.tensor([-1.0]))
    opt = torch.optim.SGD([a, b], lr=0.1, momentum=0.9, foreach=foreach)

    for _ in range(2):
        a.grad, b.grad = torch.tensor([1.0, 1.0]), torch.tensor([2.0])
        opt.step()

    assert opt.param_groups[0]["foreach"] is foreach
    assert torch.optim.SGD([a], lr=0.1).param_groups[0]["foreach"] is None
    # buffers: g, then 0.9 * g + g = 1.9 * g; total move 0.1 * 2.9 * g
    torch.testing.assert_close(a.detach(), torch.tensor([1.0 - 0.29, 2.0 - 0.29]))
    torch.testing.assert_close(b.detach(), torch.tensor([-1.0 - 0.58]))


def test_sgd_step_runs_outside_autograd_by_default():
    """With the default `differentiable=False`, `step()` runs under `torch.no_grad()`: the updated weight has no history.

    That is why an optimiser may write into a leaf that requires grad: the in-place
    update is not recorded, the weight stays a leaf with `grad_fn` `None`, and the
    optimiser only accepts leaves.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    w = nn.Parameter(torch.tensor([1.0]))
    opt = torch.optim.SGD([w], lr=0.1)
    w.grad = torch.tensor([2.0])

    opt.step()

    assert opt.defaults["differentiable"] is False
    assert w.is_leaf and w.grad_fn is None
    torch.testing.assert_close(w.detach(), torch.tensor([0.8]))


def test_sgd_differentiable_step_is_recorded_by_autograd():
    """With `differentiable=True` the update `p - lr * grad` becomes part of the graph, so gradients flow through the step.

    This is for meta-learning: the new weight is a function of the old one and of the
    gradient, with derivatives 1 and `-lr`. The weight here is a non-leaf copy of `x`
    (which only a differentiable optimiser accepts), and its gradient `g` requires grad
    too; after one step, backward from the new weight gives `x.grad = 1` and
    `g.grad = -0.1`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    x = torch.tensor([1.0], requires_grad=True)
    g = torch.tensor([2.0], requires_grad=True)
    p = x.clone()
    p.grad = g
    opt = torch.optim.SGD([p], lr=0.1, differentiable=True)

    opt.step()
    p.sum().backward()

    torch.testing.assert_close(p.detach(), torch.tensor([1.0 - 0.1 * 2.0]))
    assert x.grad.tolist() == [1.0]
    torch.testing.assert_close(g.grad, torch.tensor([-0.1]))


@pytest.mark.torch_version(">=2.4")  # https://github.com/pytorch/pytorch/pull/123629 added the CPU fused SGD kernel
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_sgd_fused_computes_the_same_momentum_steps(dtype):
    """`fused=True` runs the update as one fused kernel and gives the same steps; `fused` defaults to `None`.

    Like `foreach`, `fused` chooses an implementation, not an algorithm: two momentum
    steps with a constant gradient 1 move the weight by `0.1 * 1 + 0.1 * 1.9` and leave
    the buffer at 1.9, in each of the floating dtypes the docs list.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    w = nn.Parameter(torch.tensor([0.0], dtype=dtype))
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9, fused=True)

    for _ in range(2):
        w.grad = torch.tensor([1.0], dtype=dtype)
        opt.step()

    assert torch.optim.SGD([w]).defaults["fused"] is None
    assert opt.param_groups[0]["fused"] is True
    torch.testing.assert_close(opt.state[w]["momentum_buffer"], torch.tensor([1.9], dtype=dtype))
    torch.testing.assert_close(w.detach(), torch.tensor([-0.1 - 0.19], dtype=dtype))


@pytest.mark.torch_version(">=2.4")  # https://github.com/pytorch/pytorch/pull/123629 added the CPU fused SGD kernel
def test_sgd_fused_excludes_foreach_and_differentiable():
    """`fused=True` together with `foreach=True` or with `differentiable=True` raises a RuntimeError.

    The three are alternative implementations of the same step; the fused kernel is not
    recorded by autograd, so it cannot be differentiable.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    w = nn.Parameter(torch.zeros(1))

    with raises_exactly(RuntimeError, match="`fused` and `foreach` cannot be `True` together"):
        torch.optim.SGD([w], lr=0.1, fused=True, foreach=True)
    with raises_exactly(RuntimeError, match="`fused` does not support `differentiable`"):
        torch.optim.SGD([w], lr=0.1, fused=True, differentiable=True)


@pytest.mark.claim("S2-126", verdict="true")
def test_sgd_optimises_a_plain_list_of_parameters():
    """An optimiser takes any iterable of tensors, not only `model.parameters()`.

    The note's `[Parameter(torch.randn(2, 2, requires_grad=True))]` works: the optimiser
    never needs a module, only leaf tensors that will have a `.grad`.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#constructing-it
    """
    torch.manual_seed(0)
    params = [nn.Parameter(torch.randn(2, 2, requires_grad=True))]
    start = params[0].detach().clone()
    opt = torch.optim.SGD(params, lr=0.1)

    params[0].sum().backward()  # grad is all ones
    opt.step()

    torch.testing.assert_close(params[0].detach(), start - 0.1)


@pytest.mark.claim("S2-130", verdict="true")
def test_optimizer_minimises_the_objective_not_its_magnitude():
    """SGD goes to the minimum of the loss, even when that minimum is below zero.

    The note warns correctly: an optimiser looks for the lowest value, not for a loss near
    0. For `(w - 3)^2 - 5` the weight settles at 3 and the loss at -5.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#taking-an-optimization-step
    """
    w = nn.Parameter(torch.tensor(0.0))
    opt = torch.optim.SGD([w], lr=0.1)

    for _ in range(100):
        opt.zero_grad()
        loss = (w - 3) ** 2 - 5
        loss.backward()
        opt.step()

    torch.testing.assert_close(w.detach(), torch.tensor(3.0))
    torch.testing.assert_close(((w - 3) ** 2 - 5).detach(), torch.tensor(-5.0))


def test_sgd_rejects_a_negative_learning_rate():
    """A negative `lr` raises a ValueError when the optimiser is built.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    w = nn.Parameter(torch.zeros(1))

    with raises_exactly(ValueError, match=r"Invalid learning rate: -0\.1"):
        torch.optim.SGD([w], lr=-0.1)


def test_sgd_rejects_negative_momentum_and_weight_decay():
    """A negative `momentum` or `weight_decay` raises a ValueError when the optimiser is built.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.SGD.html#torch.optim.SGD
    """
    w = nn.Parameter(torch.zeros(1))

    with raises_exactly(ValueError, match=r"Invalid momentum value: -0\.9"):
        torch.optim.SGD([w], lr=0.1, momentum=-0.9)
    with raises_exactly(ValueError, match=r"Invalid weight_decay value: -0\.1"):
        torch.optim.SGD([w], lr=0.1, weight_decay=-0.1)


def test_optimizer_rejects_a_non_leaf_tensor():
    """An optimiser refuses a tensor computed from others: it can only update leaves.

    `w * 2` has no `.grad` of its own and writing to it would not change `w`, so the
    constructor stops you with a ValueError.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#constructing-it
    """
    w = nn.Parameter(torch.ones(2))

    with raises_exactly(ValueError, match="can't optimize a non-leaf Tensor"):
        torch.optim.SGD([w * 2], lr=0.1)
