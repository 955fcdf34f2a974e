"""Adam, AdamW and the other optimisers

Adam keeps two running averages per weight, a mean of gradients `m` and a mean of squared
gradients `v`, and steps by `lr * m_hat / (sqrt(v_hat) + eps)` after correcting both for
starting at zero. AdamW changes only where weight decay enters. Each test recomputes a step
by hand; the last ones show that every optimiser in `torch.optim` minimises the same way.
"""

import math

import pytest
import torch
from torch import nn

from torchref import raises_exactly


def test_adam_first_step_moves_each_weight_by_about_lr():
    """Adam's first step moves every weight by almost exactly `lr`, whatever the gradient's size.

    After one step `m_hat = g` and `v_hat = g^2` (bias correction undoes the `1 - beta`
    factors), so the step is `lr * g / (|g| + eps)`: the sign of the gradient times `lr`.
    Gradients of 0.001 and 1000 move their weights by the same 0.1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    w = nn.Parameter(torch.zeros(2))
    opt = torch.optim.Adam([w], lr=0.1)
    w.grad = torch.tensor([0.001, -1000.0])

    opt.step()

    # eps = 1e-8 next to |g| = 0.001 shortens that step by a relative 1e-5, i.e. by 1e-6
    torch.testing.assert_close(w.detach(), torch.tensor([-0.1, 0.1]), rtol=0, atol=1e-5)


def test_adam_step_matches_the_formula_with_bias_correction():
    """Two Adam steps equal the textbook update with `m / (1 - beta1^t)` and `v / (1 - beta2^t)`.

    Without the correction, `m` and `v` start at 0 and would be far too small in the first
    steps; dividing by `1 - beta^t` rescales them to unbiased estimates.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    w = nn.Parameter(torch.tensor([1.0]))
    opt = torch.optim.Adam([w], lr=lr, betas=(b1, b2), eps=eps)
    expected, m, v = 1.0, 0.0, 0.0

    for t, g in enumerate([2.0, -1.0], start=1):
        w.grad = torch.tensor([g])
        opt.step()
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        expected -= lr * m_hat / (math.sqrt(v_hat) + eps)

    torch.testing.assert_close(w.detach(), torch.tensor([expected]))


def test_adam_betas_set_how_fast_each_moment_forgets():
    """`betas=(beta1, beta2)` are the decay rates of `m` and `v`: `m <- beta1 * m + (1 - beta1) * g`.

    After gradients 2 then 0 with `betas=(0.5, 0.25)`: `m = 0.5 * (0.5 * 2) = 0.5` and
    `v = 0.25 * (0.75 * 4) = 0.75`, both held in the state.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    w = nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([w], lr=0.1, betas=(0.5, 0.25))

    for g in [2.0, 0.0]:
        w.grad = torch.tensor([g])
        opt.step()

    torch.testing.assert_close(opt.state[w]["exp_avg"], torch.tensor([0.5 * (1 - 0.5) * 2.0]))
    torch.testing.assert_close(opt.state[w]["exp_avg_sq"], torch.tensor([0.25 * (1 - 0.25) * 4.0]))


def test_adam_defaults_are_betas_0_9_0_999_and_eps_1e_8():
    """Adam's defaults are `lr=1e-3`, `betas=(0.9, 0.999)`, `eps=1e-8`, no weight decay, no AMSGrad, minimising.

    `beta1` sets how long `m` remembers gradients (about 1 / (1 - 0.9) = 10 steps),
    `beta2` how long `v` remembers their squares (about 1000 steps).

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    w = nn.Parameter(torch.zeros(1))

    defaults = torch.optim.Adam([w]).defaults

    assert (defaults["lr"], defaults["betas"], defaults["eps"]) == (1e-3, (0.9, 0.999), 1e-8)
    assert (defaults["weight_decay"], defaults["amsgrad"], defaults["maximize"]) == (0, False, False)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lr": -1.0}, r"Invalid learning rate: -1\.0"),
        ({"eps": -1.0}, r"Invalid epsilon value: -1\.0"),
        ({"betas": (1.0, 0.999)}, r"Invalid beta parameter at index 0: 1\.0"),
        ({"betas": (0.9, 1.0)}, r"Invalid beta parameter at index 1: 1\.0"),
        ({"weight_decay": -0.1}, r"Invalid weight_decay value: -0\.1"),
    ],
    ids=["lr", "eps", "beta1", "beta2", "weight_decay"],
)
@pytest.mark.parametrize("cls", [torch.optim.Adam, torch.optim.AdamW], ids=["Adam", "AdamW"])
def test_adam_rejects_out_of_range_hyperparameters(cls, kwargs, message):
    """Adam and AdamW raise a ValueError naming the bad value: negative `lr`, `eps` or `weight_decay`, or a beta outside `[0, 1)`.

    A beta of 1 would make the running average never forget its starting zero, and the
    bias correction `1 - beta**t` would divide by zero; the constructor refuses it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    w = nn.Parameter(torch.zeros(1))

    with raises_exactly(ValueError, match=message):
        cls([w], **kwargs)


def test_adam_eps_is_added_to_the_root_of_v():
    """`eps` is added to `sqrt(v_hat)`: for a gradient as small as `eps` the first step is `lr / 2`, not `lr`.

    It keeps the division finite, and it damps the steps of weights whose gradients are
    tiny compared with it: the first step is `lr * g / (|g| + eps)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    w = nn.Parameter(torch.zeros(2))
    opt = torch.optim.Adam([w], lr=0.1, eps=1e-3)
    g = torch.tensor([1e-3, 1.0])
    w.grad = g

    opt.step()

    torch.testing.assert_close(w.detach(), -0.1 * g / (g.abs() + 1e-3))
    torch.testing.assert_close(w.detach()[0], torch.tensor(-0.05))


def test_adam_amsgrad_divides_by_the_running_maximum_of_v():
    """With `amsgrad=True` Adam divides by the largest `v` seen so far, kept in `max_exp_avg_sq`.

    When a large gradient is followed by small ones, `v` shrinks and plain Adam's steps
    grow again; AMSGrad uses `max(v)` instead, so the effective step size never rises.
    Here `beta2=0.5` makes `v` fall from 2 to 1 while the maximum stays 2.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    lr, b1, b2, eps = 0.1, 0.9, 0.5, 1e-8
    w = nn.Parameter(torch.tensor([0.0]))
    opt = torch.optim.Adam([w], lr=lr, betas=(b1, b2), eps=eps, amsgrad=True)
    expected, m, v, v_max = 0.0, 0.0, 0.0, 0.0

    for t, g in enumerate([2.0, 0.0], start=1):
        w.grad = torch.tensor([g])
        opt.step()
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        v_max = max(v_max, v)
        expected -= lr * (m / (1 - b1**t)) / (math.sqrt(v_max / (1 - b2**t)) + eps)

    state = opt.state[w]
    torch.testing.assert_close(state["exp_avg_sq"], torch.tensor([1.0]))
    torch.testing.assert_close(state["max_exp_avg_sq"], torch.tensor([2.0]))
    torch.testing.assert_close(w.detach(), torch.tensor([expected]))


def test_adam_maximize_steps_up_the_gradient():
    """`maximize=True` makes Adam climb: the first step is `+lr * sign(grad)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    w = nn.Parameter(torch.zeros(2))
    opt = torch.optim.Adam([w], lr=0.1, maximize=True)
    w.grad = torch.tensor([3.0, -0.5])

    opt.step()

    torch.testing.assert_close(w.detach(), 0.1 * w.grad / (w.grad.abs() + 1e-8))
    torch.testing.assert_close(w.detach(), torch.tensor([0.1, -0.1]))


def adam_by_hand(w, grads, lr=0.1, betas=(0.9, 0.999), eps=1e-8, decoupled_decay=0.0):
    """The weight after Adam's documented algorithm; `decoupled_decay` is AdamW's `weight_decay`."""
    (b1, b2), m, v = betas, 0.0, 0.0
    for t, g in enumerate(grads, start=1):
        w *= 1 - lr * decoupled_decay
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w -= lr * (m / (1 - b1**t)) / (math.sqrt(v / (1 - b2**t)) + eps)
    return w


@pytest.mark.parametrize("foreach", [True, False], ids=["foreach", "for-loop"])
@pytest.mark.parametrize("cls", [torch.optim.Adam, torch.optim.AdamW], ids=["Adam", "AdamW"])
def test_adam_foreach_choice_does_not_change_the_result(cls, foreach):
    """Adam and AdamW give the documented steps with `foreach=True` (multi-tensor) and `foreach=False` (for-loop); the default is `None`.

    Three steps on two parameters match the algorithm box computed in plain Python,
    AdamW's with its default decay of 0.01, whichever implementation runs them.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    a, b = nn.Parameter(torch.tensor([1.0])), nn.Parameter(torch.tensor([-2.0]))
    opt = cls([a, b], lr=0.1, foreach=foreach)
    decay = opt.defaults["weight_decay"] if cls is torch.optim.AdamW else 0.0

    for ga, gb in [(2.0, -1.0), (-1.0, 0.5), (0.5, 3.0)]:
        a.grad, b.grad = torch.tensor([ga]), torch.tensor([gb])
        opt.step()

    assert opt.param_groups[0]["foreach"] is foreach
    assert cls([a]).defaults["foreach"] is None
    torch.testing.assert_close(a.detach(), torch.tensor([adam_by_hand(1.0, [2.0, -1.0, 0.5], decoupled_decay=decay)]))
    torch.testing.assert_close(b.detach(), torch.tensor([adam_by_hand(-2.0, [-1.0, 0.5, 3.0], decoupled_decay=decay)]))


# https://github.com/pytorch/pytorch/pull/106916 (August 2023) let Adam and AdamW take lr as a Tensor
@pytest.mark.torch_version(">=2.1")
@pytest.mark.parametrize("cls", [torch.optim.Adam, torch.optim.AdamW], ids=["Adam", "AdamW"])
def test_adam_tensor_lr_works_in_the_for_loop_but_not_with_foreach(cls):
    """A tensor `lr` steps like the float in the for-loop implementation; with `foreach=True` (and no `capturable`) it raises a ValueError.

    The page warns that a tensor LR "is not yet supported for all our implementations".
    On the CPU the default is the for-loop, where `lr=tensor(0.1)` gives the first step
    `-0.1 * sign(g)`; asking for the multi-tensor path refuses it when the optimiser is
    built.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    w = nn.Parameter(torch.tensor([1.0]))
    opt = cls([w], lr=torch.tensor(0.1), weight_decay=0.0)
    w.grad = torch.tensor([2.0])

    opt.step()

    torch.testing.assert_close(w.detach(), torch.tensor([adam_by_hand(1.0, [2.0])]))
    with raises_exactly(ValueError, match="lr as a Tensor is not supported for capturable=False and foreach=True"):
        cls([w], lr=torch.tensor(0.1), foreach=True)


# https://github.com/pytorch/pytorch/pull/131065 (July 2024) added the 1-element check to every optimiser
@pytest.mark.torch_version(">=2.5")
@pytest.mark.parametrize("cls", [torch.optim.Adam, torch.optim.AdamW], ids=["Adam", "AdamW"])
def test_adam_tensor_lr_must_have_one_element(cls):
    """A tensor `lr` with more than one element raises a ValueError when the optimiser is built.

    One learning rate per group: per-parameter rates are what parameter groups are for.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    w = nn.Parameter(torch.zeros(1))

    with raises_exactly(ValueError, match="Tensor lr must be 1-element"):
        cls([w], lr=torch.tensor([0.1, 0.2]))


# https://github.com/pytorch/pytorch/pull/134171 (October 2024) added tensor betas to Adam and AdamW
@pytest.mark.torch_version(">=2.6")
def test_adam_betas_may_be_one_element_tensors():
    """`betas` may be two 1-element tensors: they act exactly like the floats, and a longer tensor is refused.

    After gradients 2 then 0 with `betas=(tensor(0.5), tensor(0.25))` the moments are
    the ones of the float test above: `m = 0.5` and `v = 0.75`. A 2-element beta never
    reaches the dedicated 1-element check: the range check `0 <= beta < 1` cannot turn
    two booleans into one and raises a RuntimeError first.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    w = nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([w], lr=0.1, betas=(torch.tensor(0.5), torch.tensor(0.25)))

    for g in [2.0, 0.0]:
        w.grad = torch.tensor([g])
        opt.step()

    torch.testing.assert_close(opt.state[w]["exp_avg"], torch.tensor([0.5]))
    torch.testing.assert_close(opt.state[w]["exp_avg_sq"], torch.tensor([0.75]))
    torch.testing.assert_close(w.detach(), torch.tensor([adam_by_hand(0.0, [2.0, 0.0], betas=(0.5, 0.25))]))
    with raises_exactly(RuntimeError, match="Boolean value of Tensor with more than one value is ambiguous"):
        torch.optim.Adam([w], betas=(torch.tensor([0.5, 0.6]), torch.tensor(0.25)))


@pytest.mark.parametrize("cls", [torch.optim.Adam, torch.optim.AdamW], ids=["Adam", "AdamW"])
def test_adam_capturable_needs_an_accelerator(cls):
    """`capturable` defaults to False; with `capturable=True` a step on CPU tensors fails an assertion.

    A capturable step keeps `step` and all its arithmetic on the parameters' device so
    that it can be recorded in a graph, and the page says only tensors on supported
    accelerators are capturable. The constructor accepts the flag; the first `step()`
    on the CPU refuses it.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    w = nn.Parameter(torch.tensor([1.0]))
    opt = cls([w], lr=0.1, capturable=True)
    w.grad = torch.tensor([2.0])

    assert cls([w]).defaults["capturable"] is False
    with raises_exactly(AssertionError, match="If capturable=True, params and state_steps must be"):
        opt.step()


def test_adam_differentiable_step_is_recorded_by_autograd():
    """With `differentiable=True` gradients flow through Adam's step: the first step's slope in `g` is `-lr * eps / (|g| + eps)^2`.

    The first step is `lr * g / (|g| + eps)` (bias correction gives `m_hat = g`,
    `sqrt(v_hat) = |g|`), so the new weight depends on the gradient only through the
    `eps` term. With a large `eps = 1`, `g = 2` and `lr = 0.1` the new weight is
    `1 - 0.2 / 3` and its derivative in `g` is `-0.1 / 9`; in the old weight it is 1.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    x = torch.tensor([1.0], requires_grad=True)
    g = torch.tensor([2.0], requires_grad=True)
    p = x.clone()
    p.grad = g
    opt = torch.optim.Adam([p], lr=0.1, eps=1.0, differentiable=True)

    opt.step()
    p.sum().backward()

    torch.testing.assert_close(p.detach(), torch.tensor([1.0 - 0.1 * 2.0 / 3.0]))
    torch.testing.assert_close(x.grad, torch.tensor([1.0]))
    torch.testing.assert_close(g.grad, torch.tensor([-0.1 / 9.0]))


# https://github.com/pytorch/pytorch/pull/123074 (April 2024) added the CPU fused Adam/AdamW kernels
@pytest.mark.torch_version(">=2.4")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("cls", [torch.optim.Adam, torch.optim.AdamW], ids=["Adam", "AdamW"])
def test_adam_fused_computes_the_same_steps(cls, dtype):
    """`fused=True` gives the documented Adam and AdamW steps in one kernel; `fused` defaults to `None`.

    Three steps of the fused implementation match the algorithm box computed in plain
    Python, AdamW's decay included, for the floating dtypes the page lists.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    w = nn.Parameter(torch.tensor([1.0], dtype=dtype))
    opt = cls([w], lr=0.1, fused=True)
    decay = opt.defaults["weight_decay"] if cls is torch.optim.AdamW else 0.0

    for g in [2.0, -1.0, 0.5]:
        w.grad = torch.tensor([g], dtype=dtype)
        opt.step()

    assert cls([w]).defaults["fused"] is None
    assert opt.param_groups[0]["fused"] is True
    expected = adam_by_hand(1.0, [2.0, -1.0, 0.5], decoupled_decay=decay)
    torch.testing.assert_close(w.detach(), torch.tensor([expected], dtype=dtype))


@pytest.mark.torch_version(">=2.4")  # on older releases fused=True first fails on CPU parameters
@pytest.mark.parametrize("cls", [torch.optim.Adam, torch.optim.AdamW], ids=["Adam", "AdamW"])
def test_adam_fused_excludes_foreach_and_differentiable(cls):
    """`fused=True` with `foreach=True`, or with `differentiable=True`, raises a RuntimeError.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    w = nn.Parameter(torch.zeros(1))

    with raises_exactly(RuntimeError, match="`fused` and `foreach` cannot be `True` together"):
        cls([w], fused=True, foreach=True)
    with raises_exactly(RuntimeError, match="`fused` does not support `differentiable`"):
        cls([w], fused=True, differentiable=True)


def test_adam_state_holds_step_and_both_moments():
    """Adam stores `step`, `exp_avg` (m) and `exp_avg_sq` (v) for each parameter.

    The state is created on the first `step()`, which is why a fresh optimiser's `state` is
    empty and a checkpoint must include the optimiser to resume Adam exactly.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    w = nn.Parameter(torch.tensor([1.0]))
    opt = torch.optim.Adam([w], lr=0.1)
    assert len(opt.state) == 0
    w.grad = torch.tensor([2.0])

    opt.step()

    state = opt.state[w]
    assert float(state["step"]) == 1.0
    torch.testing.assert_close(state["exp_avg"], torch.tensor([0.1 * 2.0]))
    torch.testing.assert_close(state["exp_avg_sq"], torch.tensor([0.001 * 4.0]))


def test_adam_weight_decay_is_added_to_the_gradient():
    """Adam's `weight_decay` adds `wd * w` to the gradient before the moments see it.

    That is L2 regularisation, as in SGD, but Adam then divides by `sqrt(v_hat)`: the decay
    gets rescaled together with the gradient. With a zero gradient the first step is still
    `-lr * sign(w)`, a full `lr`, not `lr * wd * w`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    w = nn.Parameter(torch.tensor([2.0]))
    opt = torch.optim.Adam([w], lr=0.1, weight_decay=0.01)
    w.grad = torch.tensor([0.0])

    opt.step()

    # effective grad 0.01 * 2 = 0.02; first Adam step is lr * sign
    torch.testing.assert_close(w.detach(), torch.tensor([1.9]), rtol=0, atol=1e-5)
    torch.testing.assert_close(opt.state[w]["exp_avg"], torch.tensor([(1 - 0.9) * 0.01 * 2.0]))


def test_adamw_decays_the_weight_directly():
    """AdamW multiplies the weight by `1 - lr * wd`, outside the adaptive step.

    "Decoupled" weight decay: the decay never enters `m` or `v`. With a zero gradient the
    Adam part is 0 and only the shrink remains: `2 * (1 - 0.1 * 0.01) = 1.998`. With real
    gradients AdamW keeps exactly the moments of an Adam run without decay, and each of
    its steps is that run's step applied to the shrunk weight.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.AdamW.html#torch.optim.AdamW
    """
    lr, wd = 0.1, 0.01
    w = nn.Parameter(torch.tensor([2.0]))
    opt = torch.optim.AdamW([w], lr=lr, weight_decay=wd)
    w.grad = torch.tensor([0.0])

    opt.step()

    torch.testing.assert_close(w.detach(), torch.tensor([2.0 * (1 - lr * wd)]))

    decayed, plain = nn.Parameter(torch.tensor([2.0])), nn.Parameter(torch.tensor([2.0]))
    adamw = torch.optim.AdamW([decayed], lr=lr, weight_decay=wd)
    adam = torch.optim.Adam([plain], lr=lr)  # no decay at all
    expected = decayed.detach().clone()
    for g in [1.0, -0.5, 2.0]:
        decayed.grad, plain.grad = torch.tensor([g]), torch.tensor([g])
        before = plain.detach().clone()
        adamw.step()
        adam.step()
        expected = expected * (1 - lr * wd) - (before - plain.detach())

    torch.testing.assert_close(adamw.state[decayed]["exp_avg"], adam.state[plain]["exp_avg"], rtol=0, atol=0)
    torch.testing.assert_close(adamw.state[decayed]["exp_avg_sq"], adam.state[plain]["exp_avg_sq"], rtol=0, atol=0)
    torch.testing.assert_close(decayed.detach(), expected)


def test_adamw_differs_from_adam_with_the_same_weight_decay():
    """AdamW and Adam with equal `weight_decay` take different steps.

    The two tests above show why: Adam feeds `wd * w` through the adaptive scaling (step 0.1),
    AdamW shrinks the weight by `lr * wd * w` (step 0.002). Switching between them means
    retuning `weight_decay`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.AdamW.html#torch.optim.AdamW
    """
    a = nn.Parameter(torch.tensor([2.0]))
    b = nn.Parameter(torch.tensor([2.0]))
    adam = torch.optim.Adam([a], lr=0.1, weight_decay=0.01)
    adamw = torch.optim.AdamW([b], lr=0.1, weight_decay=0.01)
    a.grad, b.grad = torch.tensor([0.0]), torch.tensor([0.0])

    adam.step()
    adamw.step()

    torch.testing.assert_close(a.detach(), torch.tensor([1.9]), rtol=0, atol=1e-5)
    torch.testing.assert_close(b.detach(), torch.tensor([1.998]))


def test_adamw_default_weight_decay_is_one_hundredth():
    """AdamW's default `weight_decay` is 0.01, Adam's is 0.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.AdamW.html#torch.optim.AdamW
    """
    w = nn.Parameter(torch.zeros(1))

    assert torch.optim.AdamW([w]).defaults["weight_decay"] == 0.01
    assert torch.optim.Adam([w]).defaults["weight_decay"] == 0


def test_adamw_shares_adams_other_defaults():
    """Apart from `weight_decay`, AdamW's defaults are Adam's: `lr=1e-3`, `betas=(0.9, 0.999)`, `eps=1e-8`, no AMSGrad, minimising.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.AdamW.html#torch.optim.AdamW
    """
    w = nn.Parameter(torch.zeros(1))

    defaults = torch.optim.AdamW([w]).defaults

    assert (defaults["lr"], defaults["betas"], defaults["eps"]) == (1e-3, (0.9, 0.999), 1e-8)
    assert (defaults["amsgrad"], defaults["maximize"], defaults["foreach"]) == (False, False, None)


def test_adamw_amsgrad_keeps_the_running_maximum_too():
    """`AdamW(amsgrad=True)` keeps `max_exp_avg_sq` and divides by it, as Adam does.

    Same numbers as the Adam AMSGrad test, with `weight_decay=0` so only the AMSGrad part
    acts: `v` falls from 2 to 1, the maximum stays 2, and the second step uses 2.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.AdamW.html#torch.optim.AdamW
    """
    w = nn.Parameter(torch.tensor([0.0]))
    ref = nn.Parameter(torch.tensor([0.0]))
    opt = torch.optim.AdamW([w], lr=0.1, betas=(0.9, 0.5), weight_decay=0, amsgrad=True)
    adam = torch.optim.Adam([ref], lr=0.1, betas=(0.9, 0.5), amsgrad=True)

    for g in [2.0, 0.0]:
        w.grad, ref.grad = torch.tensor([g]), torch.tensor([g])
        opt.step()
        adam.step()

    torch.testing.assert_close(opt.state[w]["max_exp_avg_sq"], torch.tensor([2.0]))
    torch.testing.assert_close(opt.state[w]["exp_avg_sq"], torch.tensor([1.0]))
    torch.testing.assert_close(w.detach(), ref.detach())


def test_adamw_maximize_climbs_and_still_decays():
    """With `maximize=True` AdamW climbs the gradient and still shrinks the weight by `lr * wd * w`.

    The box negates the gradient first and decays `theta` separately, so the two act
    independently: from 2 with gradient 1, lr 0.1 and wd 0.5 the decay gives
    `2 * (1 - 0.05) = 1.9` and the Adam step adds `0.1 * sign(1)`, back to 2.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.AdamW.html#torch.optim.AdamW
    """
    w = nn.Parameter(torch.tensor([2.0]))
    opt = torch.optim.AdamW([w], lr=0.1, weight_decay=0.5, maximize=True)
    w.grad = torch.tensor([1.0])

    opt.step()

    torch.testing.assert_close(w.detach(), torch.tensor([2.0 * (1 - 0.1 * 0.5) + 0.1 * 1.0 / (1.0 + 1e-8)]))
    torch.testing.assert_close(opt.state[w]["exp_avg"], torch.tensor([(1 - 0.9) * -1.0]))


# https://github.com/pytorch/pytorch/pull/118857 (merged after the 2.6 branch cut) gave Adam this flag
@pytest.mark.torch_version(">=2.7")
def test_adam_decoupled_weight_decay_makes_it_adamw():
    """`Adam(decoupled_weight_decay=True)` takes exactly AdamW's steps; the flag defaults to False.

    The flag moves the decay out of the gradient: the weight is shrunk by `lr * wd * w`
    and the moments never see it. Three steps match an AdamW with the same options
    bit for bit.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adam.html#torch.optim.Adam
    """
    a, b = nn.Parameter(torch.tensor([2.0])), nn.Parameter(torch.tensor([2.0]))
    adam = torch.optim.Adam([a], lr=0.1, weight_decay=0.5, decoupled_weight_decay=True)
    adamw = torch.optim.AdamW([b], lr=0.1, weight_decay=0.5)

    for g in [1.0, -0.5, 2.0]:
        a.grad, b.grad = torch.tensor([g]), torch.tensor([g])
        adam.step()
        adamw.step()

    assert torch.optim.Adam([a]).defaults["decoupled_weight_decay"] is False
    assert torch.equal(a.detach(), b.detach())
    torch.testing.assert_close(a.detach(), torch.tensor([adam_by_hand(2.0, [1.0, -0.5, 2.0], decoupled_decay=0.5)]))


def test_adagrad_divides_by_the_root_of_summed_squared_grads():
    """Adagrad steps by `lr * g / (sqrt(sum of g^2) + eps)`, so its steps only shrink.

    The sum never forgets, so with a constant gradient of 1 the steps are `lr / sqrt(1)`,
    then `lr / sqrt(2)`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.Adagrad.html#torch.optim.Adagrad
    """
    w = nn.Parameter(torch.tensor([0.0]))
    opt = torch.optim.Adagrad([w], lr=0.1)

    for _ in range(2):
        w.grad = torch.tensor([1.0])
        opt.step()

    torch.testing.assert_close(w.detach(), torch.tensor([-0.1 - 0.1 / math.sqrt(2)]))


def test_rmsprop_divides_by_a_running_mean_of_squared_grads():
    """RMSprop steps by `lr * g / (sqrt(v) + eps)` with `v <- alpha * v + (1 - alpha) * g^2`.

    Unlike Adagrad it forgets old gradients, and unlike Adam it has no bias correction: the
    first step with `alpha=0.99` is `lr / sqrt(0.01) = 10 * lr`.

    Docs: https://docs.pytorch.org/docs/stable/generated/torch.optim.RMSprop.html#torch.optim.RMSprop
    """
    w = nn.Parameter(torch.tensor([0.0]))
    opt = torch.optim.RMSprop([w], lr=0.01, alpha=0.99)
    w.grad = torch.tensor([1.0])

    opt.step()

    torch.testing.assert_close(w.detach(), torch.tensor([-0.01 * 1.0 / (math.sqrt((1 - 0.99) * 1.0**2) + 1e-8)]))
    torch.testing.assert_close(w.detach(), torch.tensor([-0.1]))  # = 10 * lr


@pytest.mark.claim("S1-041", verdict="true")
def test_optimizer_constructors_take_parameters_and_hyperparameters():
    """`SGD(model.parameters(), lr=0.01, momentum=0.9)` and `Adam([var1, var2], lr=0.0001)` both work.

    The note's two constructions are right. The hyperparameters land in `defaults` and in
    every parameter group.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#constructing-it
    """
    model = nn.Linear(2, 1)
    var1, var2 = nn.Parameter(torch.zeros(1)), nn.Parameter(torch.zeros(1))

    sgd = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    adam = torch.optim.Adam([var1, var2], lr=0.0001)

    assert (sgd.param_groups[0]["lr"], sgd.param_groups[0]["momentum"]) == (0.01, 0.9)
    assert len(sgd.param_groups[0]["params"]) == 2  # weight and bias
    assert adam.param_groups[0]["params"] == [var1, var2]
    assert adam.defaults["lr"] == 0.0001


OPTIMIZERS = {
    "SGD": lambda p: torch.optim.SGD(p, lr=0.1),
    "Adagrad": lambda p: torch.optim.Adagrad(p, lr=0.5),
    "RMSprop": lambda p: torch.optim.RMSprop(p, lr=0.05),
    "Adam": lambda p: torch.optim.Adam(p, lr=0.1),
    "AdamW": lambda p: torch.optim.AdamW(p, lr=0.1),
    "Adadelta": lambda p: torch.optim.Adadelta(p, lr=10.0),
    "Adamax": lambda p: torch.optim.Adamax(p, lr=0.1),
    "NAdam": lambda p: torch.optim.NAdam(p, lr=0.1),
    "RAdam": lambda p: torch.optim.RAdam(p, lr=0.1),
    "Rprop": lambda p: torch.optim.Rprop(p, lr=0.1),
    "ASGD": lambda p: torch.optim.ASGD(p, lr=0.1),
}


@pytest.mark.claim("S4-028", verdict="true")
@pytest.mark.parametrize("make", OPTIMIZERS.values(), ids=OPTIMIZERS.keys())
def test_torch_optim_optimizer_reduces_a_quadratic(make):
    """Every optimiser in `torch.optim` lowers `||w - 1||^2` with the same `zero_grad/backward/step` loop.

    The note lists AdaGrad, RMSProp and Adam among the optimisers `torch.optim` provides;
    they are there, with many others, all behind one interface. Only the update rule differs.

    Docs: https://docs.pytorch.org/docs/stable/optim.html#algorithms
    """
    w = nn.Parameter(torch.zeros(3))
    opt = make([w])
    start = ((w - 1) ** 2).sum().item()

    for _ in range(20):
        opt.zero_grad()
        loss = ((w - 1) ** 2).sum()
        loss.backward()
        opt.step()

    assert ((w - 1) ** 2).sum().item() < 0.5 * start
